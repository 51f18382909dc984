/// A baseline: findings a team accepted when adopting the linter. Findings in it do not fail the run
/// and are not shown. Matching uses rule, path and a fingerprint of the offending text (not the line
/// number), so edits elsewhere in the file keep the match.
public struct Baseline: Sendable {
    public struct Entry: Sendable, Hashable {
        public let rule: String
        public let path: String
        public let fingerprint: String
    }

    public let entries: Set<Entry>

    public init(entries: Set<Entry>) { self.entries = entries }

    /// Fingerprints of `diagnostics` (same order): FNV-1a 64 of rule, path and the offending text with
    /// whitespace folded, plus an occurrence number for identical ones.
    public static func fingerprints(_ diagnostics: [Diagnostic], texts: [RepoPath: SourceText]) -> [Entry] {
        var seen: [String: Int] = [:]
        return diagnostics.map { d in
            var offending = ""
            if let text = texts[d.path], d.span.start.line <= text.lineCount {
                let endLine = max(d.span.start.line, min(d.span.end.line, text.lineCount))
                for line in d.span.start.line...endLine { offending += text.lineText(line) + "\n" }
            }
            let folded = offending.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
            let key = "\(d.ruleID)\u{0}\(d.path.display)\u{0}\(folded)"
            let n = seen[key, default: 0]
            seen[key] = n + 1
            return Entry(rule: d.ruleID, path: d.path.display, fingerprint: fnv1a(key + "\u{0}\(n)"))
        }
    }

    /// 64-bit FNV-1a as 16 hex digits.
    public static func fnv1a(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The baseline file: `{"version":1,"tool":"buildx-lint","findings":[{"rule":…,"path":…,"fingerprint":…}]}`.
    public static func render(_ entries: [Entry]) -> String {
        let sorted = entries.sorted { ($0.path, $0.rule, $0.fingerprint) < ($1.path, $1.rule, $1.fingerprint) }
        var out = "{\"version\":1,\"tool\":\"buildx-lint\",\"findings\":[\n"
        out += sorted.map {
            "  {\"rule\":\(JSONReporter.quote($0.rule)),\"path\":\(JSONReporter.quote($0.path)),\"fingerprint\":\(JSONReporter.quote($0.fingerprint))}"
        }.joined(separator: ",\n")
        return out + "\n]}\n"
    }

    /// Reads a baseline file (JSON, read with the YAML front end).
    /// - Throws: `SourceError` when it is not a baseline file.
    public static func parse(_ bytes: [UInt8], path: String) throws -> Baseline {
        let file: YAMLFile
        do { file = try YAMLParser.parse(SourceText(bytes)) } catch {
            throw SourceError("\(path):\(error.position.line):\(error.position.column): not a baseline file: \(error.message)")
        }
        // A baseline of another format version would be misread, and a duplicate key means a hand edit went wrong.
        if let v = file.root?["version"], v.scalar != "1" {
            throw SourceError("\(path):\(v.span.start.line):\(v.span.start.column): baseline version \(v.scalar ?? "?") is not one this linter reads (1)")
        }
        if let dup = file.warnings.first(where: { $0.kind == .duplicateKey }) {
            throw SourceError("\(path):\(dup.span.start.line):\(dup.span.start.column): not a baseline file: \(dup.message)")
        }
        guard let items = file.root?["findings"]?.items else { throw SourceError("\(path): not a baseline file (no `findings` list)") }
        var entries = Set<Entry>()
        for item in items {
            guard let r = item["rule"]?.scalar, let p = item["path"]?.scalar, let f = item["fingerprint"]?.scalar else {
                throw SourceError("\(path):\(item.span.start.line): a finding needs rule, path and fingerprint")
            }
            entries.insert(Entry(rule: r, path: p, fingerprint: f))
        }
        return Baseline(entries: entries)
    }

    /// Splits findings into those not in the baseline and the number that were.
    public func filter(_ diagnostics: [Diagnostic], texts: [RepoPath: SourceText]) -> (kept: [Diagnostic], baselined: Int) {
        let prints = Self.fingerprints(diagnostics, texts: texts)
        var kept: [Diagnostic] = []
        for (d, e) in zip(diagnostics, prints) where !entries.contains(e) { kept.append(d) }
        return (kept, diagnostics.count - kept.count)
    }
}
