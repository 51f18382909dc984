/// The `--format json` contract (version 1), pinned by tests:
///
/// ```json
/// {"version":1,"tool":{"name":"buildx-lint","version":"X"},"diagnostics":[{"rule":"BXC001",
///  "name":"packed-cache-entries","severity":"error","path":".github/workflows/x.yml","line":46,
///  "column":23,"endLine":46,"endColumn":120,"message":"...","help":"...","fixes":[...]}]}
/// ```
/// Paths are repository-relative with `/`; lines and columns are 1-based (columns in UTF-8 bytes, end
/// exclusive); diagnostics are sorted by path, line, column, rule. `help` is omitted when there is none;
/// `fixes` lists machine-applicable edits (`title`, `edits` of `line`/`column`/`endLine`/`endColumn`/`text`).
public enum JSONReporter {
    /// Renders `diagnostics` as one JSON document (with a trailing newline).
    public static func render(_ diagnostics: [Diagnostic], toolVersion: String) -> String {
        var out = "{\"version\":1,\"tool\":{\"name\":\"buildx-lint\",\"version\":\(quote(toolVersion))},\"diagnostics\":["
        for (i, d) in diagnostics.enumerated() {
            if i > 0 { out += "," }
            out += "{\"rule\":\(quote(d.ruleID)),\"name\":\(quote(d.ruleName)),\"severity\":\(quote(d.severity.rawValue))"
            out += ",\"path\":\(quote(d.path.display)),\"line\":\(d.span.start.line),\"column\":\(d.span.start.column)"
            out += ",\"endLine\":\(d.span.end.line),\"endColumn\":\(d.span.end.column),\"message\":\(quote(d.message))"
            if let h = d.help { out += ",\"help\":\(quote(h))" }
            if !d.fixes.isEmpty {
                out += ",\"fixes\":["
                out += d.fixes.map { fix in
                    "{\"title\":\(quote(fix.title)),\"edits\":["
                        + fix.edits.map { e in
                            "{\"line\":\(e.span.start.line),\"column\":\(e.span.start.column),\"endLine\":\(e.span.end.line),\"endColumn\":\(e.span.end.column),\"text\":\(quote(e.replacement))}"
                        }.joined(separator: ",") + "]}"
                }.joined(separator: ",")
                out += "]"
            }
            out += "}"
        }
        out += "]}\n"
        return out
    }

    /// A JSON string literal for `s` (RFC 8259 escaping).
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
