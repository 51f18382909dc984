/// The `--format github` output: one GitHub Actions workflow command per finding, which the runner
/// turns into an annotation on the file and lines:
///
/// ```
/// ::error file=.github/workflows/ci.yml,line=12,endLine=12,col=23,endColumn=80,title=BXC001 packed-cache-entries::MESSAGE%0Ahelp: HELP
/// ```
///
/// - Level: `error`, `warning`, and `notice` for info findings.
/// - Escaping is the one of actions/toolkit `packages/core/src/command.ts`, which the runner undoes:
///   the message (data) escapes `%`, CR and LF; property values also escape `:` and `,`, because
///   those end a property.
/// - The help text follows the message after a line break (`%0A`), so the annotation shows it.
/// - `col`/`endColumn` are given only when the annotation stays on one line: GitHub ignores columns
///   of multi-line annotations (check-run API: "omit if start_line and end_line differ"). Columns are
///   the linter's 1-based UTF-8 byte columns with an exclusive end, as in the JSON output; they equal
///   character columns on ASCII lines.
public enum GitHubReporter {
    /// Renders `diagnostics` in the given order, one command per line (empty when there are none).
    public static func render(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for d in diagnostics {
            out += command(d)
            out += "\n"
        }
        return out
    }

    /// The workflow command for one finding, without a line break.
    static func command(_ d: Diagnostic) -> String {
        let level: String
        switch d.severity {
        case .error: level = "error"
        case .warning: level = "warning"
        case .info: level = "notice"
        }
        let start = d.span.start
        var endLine = d.span.end.line
        var endColumn: Int? = d.span.end.column
        // A span that stops at the start of a line ends with the previous line's break; annotating the
        // next line too would mark a line the finding is not about.
        if endLine > start.line, d.span.end.column <= 1 {
            endLine -= 1
            endColumn = nil
        }
        endLine = max(endLine, start.line)
        var properties: [(String, String)] = [
            ("file", d.path.display),
            ("line", String(start.line)),
            ("endLine", String(endLine)),
        ]
        if endLine == start.line {
            properties.append(("col", String(start.column)))
            if let endColumn {
                properties.append(("endColumn", String(max(endColumn, start.column))))
            }
        }
        properties.append(("title", "\(d.ruleID) \(d.ruleName)"))
        var message = d.message
        if let help = d.help, !help.isEmpty { message += "\nhelp: " + help }
        let props = properties.map { "\($0.0)=\(escapeProperty($0.1))" }.joined(separator: ",")
        return "::\(level) \(props)::\(escapeData(message))"
    }

    /// Escapes a command's data (the message): `%` first, so the escapes added next stay intact.
    static func escapeData(_ s: String) -> String {
        escape(s, property: false)
    }

    /// Escapes a property value: as data, plus `:` and `,`, which would end the value.
    static func escapeProperty(_ s: String) -> String {
        escape(s, property: true)
    }

    private static func escape(_ s: String, property: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        // One pass over bytes: each escaped byte is ASCII, so UTF-8 sequences pass through whole.
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "%"): out += Array("%25".utf8)
            case 0x0D: out += Array("%0D".utf8)
            case 0x0A: out += Array("%0A".utf8)
            case UInt8(ascii: ":") where property: out += Array("%3A".utf8)
            case UInt8(ascii: ",") where property: out += Array("%2C".utf8)
            // Other control characters (ESC starting a terminal sequence, BEL, tabs) are shown as `^X`
            // rather than reaching the Actions log raw.
            case 0x00..<0x20, 0x7F: out += [UInt8(ascii: "^"), b == 0x7F ? UInt8(ascii: "?") : b + 0x40]
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
