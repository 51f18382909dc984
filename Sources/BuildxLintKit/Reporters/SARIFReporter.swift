/// The `--format sarif` output: one SARIF 2.1.0 log with one run, for GitHub code scanning and other
/// SARIF viewers. Written by hand (like `JSONReporter`) so key order and bytes are deterministic.
///
/// Decisions:
/// - **Columns.** SARIF columns are UTF-16 code units (`run.columnKind: "utf16CodeUnits"`, stated
///   explicitly); the linter's are UTF-8 bytes. When `texts` holds the file, every column is converted
///   through the line's text. When it does not, the region carries lines only (a wrong column is worse
///   than none) and the finding's fixes are left out, since a replacement needs exact columns.
/// - **Lines** are counted with libyaml's line breaks, declared in `run.newlineSequences`.
/// - **Help.** A finding's `help` (what to do, with pasteable text) follows the message in
///   `message.text` after `"\nhelp: "`, so every viewer shows it; rule-level help is in the rule's
///   `help`/`helpUri`.
/// - **Fingerprint.** `partialFingerprints["buildxLint/v1"]` is FNV-1a 64 (16 hex digits) over
///   `ruleID NUL path-bytes NUL line`, where `line` is the finding's first line with leading and
///   trailing spaces and tabs removed (or the message when the text is absent), followed by `:N`, the
///   1-based count of earlier results with the same hash. It survives edits elsewhere in the file,
///   such as lines added above.
/// - **Paths** are repository-relative URIs against `%SRCROOT%`, percent-encoded byte by byte.
/// - Rules are listed sorted by id; results keep the order of `diagnostics`.
public enum SARIFReporter {
    /// The `$schema` written into the log: the OASIS 2.1.0 (errata 01) schema.
    public static let schemaURI =
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

    /// The key of the linter's own entry in `partialFingerprints` (versioned: a new recipe gets a new key).
    public static let fingerprintKey = "buildxLint/v1"

    /// Renders `diagnostics` as a SARIF 2.1.0 log (with a trailing newline).
    ///
    /// - Parameters:
    ///   - rules: the rules to describe in `tool.driver.rules` (usually every registered rule).
    ///   - toolVersion: the linter's version.
    ///   - informationUri: the linter's home page.
    ///   - ruleHelpBaseURI: prefix of each rule's help page; `helpUri` is this + id + `.md`.
    ///   - texts: the linted files' texts, used to convert byte columns to UTF-16 columns and to
    ///     fingerprint findings by their line.
    public static func render(
        _ diagnostics: [Diagnostic], rules: [RuleDescription], toolVersion: String, informationUri: String,
        ruleHelpBaseURI: String, texts: [RepoPath: SourceText] = [:]
    ) -> String {
        var seen = Set<String>()
        let sortedRules = rules.sorted { $0.id < $1.id }.filter { seen.insert($0.id).inserted }
        var ruleIndex: [String: Int] = [:]
        for (i, r) in sortedRules.enumerated() { ruleIndex[r.id] = i }

        var out = "{\"$schema\":\(q(schemaURI)),\"version\":\"2.1.0\",\"runs\":[{"
        out += "\"tool\":{\"driver\":{\"name\":\"buildx-lint\",\"version\":\(q(toolVersion))"
        out += ",\"informationUri\":\(q(informationUri)),\"rules\":["
        out += sortedRules.map { rule($0, helpBase: ruleHelpBaseURI) }.joined(separator: ",")
        out += "]}}"
        out += ",\"originalUriBaseIds\":{\"%SRCROOT%\":{\"description\":{\"text\":\"The root of the linted repository.\"}}}"
        out += ",\"columnKind\":\"utf16CodeUnits\""
        out += ",\"newlineSequences\":[\"\\r\\n\",\"\\n\",\"\\r\",\"\\u0085\",\"\\u2028\",\"\\u2029\"]"
        out += ",\"results\":["
        var occurrences: [UInt64: Int] = [:]
        for (i, d) in diagnostics.enumerated() {
            if i > 0 { out += "," }
            let text = texts[d.path]
            let hash = fingerprintHash(d, text: text)
            occurrences[hash, default: 0] += 1
            out += result(d, index: ruleIndex[d.ruleID], text: text, fingerprint: "\(hex(hash)):\(occurrences[hash]!)")
        }
        out += "]}]}\n"
        return out
    }

    // MARK: - Pieces

    private static func rule(_ r: RuleDescription, helpBase: String) -> String {
        var helpText = r.summary + "\n\n" + r.rationale
        var helpMarkdown = helpText
        if !r.sources.isEmpty {
            helpText += "\n\nSources:\n" + r.sources.map { "- " + $0 }.joined(separator: "\n")
            helpMarkdown += "\n\n**Sources**\n\n" + r.sources.map { "- " + $0 }.joined(separator: "\n")
        }
        var s = "{\"id\":\(q(r.id)),\"name\":\(q(r.name))"
        s += ",\"shortDescription\":{\"text\":\(q(r.summary))}"
        s += ",\"fullDescription\":{\"text\":\(q(r.rationale))}"
        s += ",\"defaultConfiguration\":{\"level\":\(q(level(r.severity)))}"
        s += ",\"helpUri\":\(q(helpBase + r.id + ".md"))"
        s += ",\"help\":{\"text\":\(q(helpText)),\"markdown\":\(q(helpMarkdown))}"
        s += ",\"properties\":{\"tags\":[" + tags(r.id).map(q).joined(separator: ",") + "]}}"
        return s
    }

    private static func result(_ d: Diagnostic, index: Int?, text: SourceText?, fingerprint: String) -> String {
        var message = d.message
        if let help = d.help, !help.isEmpty { message += "\nhelp: " + help }
        let location = "{\"uri\":\(q(uri(for: d.path))),\"uriBaseId\":\"%SRCROOT%\"}"
        var s = "{\"ruleId\":\(q(d.ruleID))"
        if let index { s += ",\"ruleIndex\":\(index)" }
        s += ",\"level\":\(q(level(d.severity))),\"message\":{\"text\":\(q(message))}"
        s += ",\"locations\":[{\"physicalLocation\":{\"artifactLocation\":\(location)"
        s += ",\"region\":\(region(d.span, text: text))}}]"
        s += ",\"partialFingerprints\":{\(q(fingerprintKey)):\(q(fingerprint))}"
        // Without the text the columns cannot be converted, and an edit at a guessed column corrupts files.
        let fixes = text == nil ? [] : d.fixes.filter { !$0.edits.isEmpty }
        if let text, !fixes.isEmpty {
            s += ",\"fixes\":["
            s += fixes.map { fix in
                "{\"description\":{\"text\":\(q(fix.title))},\"artifactChanges\":[{\"artifactLocation\":\(location),\"replacements\":["
                    + fix.edits.map { e in
                        "{\"deletedRegion\":\(region(e.span, text: text)),\"insertedContent\":{\"text\":\(q(e.replacement))}}"
                    }.joined(separator: ",") + "]}]}"
            }.joined(separator: ",")
            s += "]"
        }
        s += "}"
        return s
    }

    /// A SARIF region: exact UTF-16 columns when the text is known, otherwise lines only.
    static func region(_ span: SourceSpan, text: SourceText?) -> String {
        let startLine = max(1, span.start.line)
        if let text {
            let endLine = max(startLine, span.end.line)
            let startColumn = utf16Column(text, line: startLine, byteColumn: span.start.column)
            var endColumn = utf16Column(text, line: endLine, byteColumn: span.end.column)
            if endLine == startLine { endColumn = max(endColumn, startColumn) }
            return "{\"startLine\":\(startLine),\"startColumn\":\(startColumn),\"endLine\":\(endLine),\"endColumn\":\(endColumn)}"
        }
        // A span ending at column 1 stops at the previous line's break; do not claim the next line.
        var endLine = span.end.line
        if endLine > startLine, span.end.column <= 1 { endLine -= 1 }
        return "{\"startLine\":\(startLine),\"endLine\":\(max(startLine, endLine))}"
    }

    /// Converts a 1-based UTF-8 byte column on `line` into a 1-based UTF-16 code-unit column. Bytes
    /// past the end of the line (a position on its break) count one unit each.
    static func utf16Column(_ text: SourceText, line: Int, byteColumn: Int) -> Int {
        let bytes = text.lineBytes(line)
        let wanted = max(0, byteColumn - 1)
        let inLine = min(wanted, bytes.count)
        let units = String(decoding: bytes.prefix(inLine), as: UTF8.self).utf16.count
        return 1 + units + (wanted - inLine)
    }

    /// The repository-relative URI of `path`: `/` separates segments; every byte outside RFC 3986's
    /// unreserved set and the sub-delimiters (and `@`) is percent-encoded, including `:`, so the first
    /// segment is never read as a scheme, and non-ASCII bytes as their raw (UTF-8) bytes.
    static func uri(for path: RepoPath) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(path.bytes.count)
        for b in path.bytes {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.append(b)
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"),
                UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
                UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
                UInt8(ascii: "="), UInt8(ascii: "@"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The fingerprint hash of a finding (before the occurrence suffix); see the type's documentation.
    static func fingerprintHash(_ d: Diagnostic, text: SourceText?) -> UInt64 {
        var input = Array(d.ruleID.utf8)
        input.append(0)
        input += d.path.bytes
        input.append(0)
        if let text {
            var line = text.lineBytes(d.span.start.line)
            while let f = line.first, f == 0x20 || f == 0x09 { line.removeFirst() }
            while let l = line.last, l == 0x20 || l == 0x09 { line.removeLast() }
            input += line
        } else {
            input += Array(d.message.utf8)
        }
        return fnv1a64(input)
    }

    /// FNV-1a, 64 bits: tiny, stable across platforms and releases (unlike `Hasher`, which is seeded).
    static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    private static func level(_ s: Severity) -> String {
        switch s {
        case .error: "error"
        case .warning: "warning"
        case .info: "note"
        }
    }

    /// Tags for filtering in code-scanning UIs: the family of the id's hundreds digit, as grouped in the
    /// rule catalogue.
    private static func tags(_ id: String) -> [String] {
        let digits = id.drop { !$0.isNumber }
        let family: String? =
            switch digits.first {
            case "0": "cache-entries"
            case "1": "isolation"
            case "2": "artifacts"
            case "3": "versions"
            case "4": "bake"
            case "5": "commands"
            default: nil
            }
        return ["buildx-cache"] + (family.map { [$0] } ?? [])
    }

    private static func q(_ s: String) -> String { JSONReporter.quote(s) }
}
