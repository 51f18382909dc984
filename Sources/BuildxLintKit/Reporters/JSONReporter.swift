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
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 2)
        bytes.append(UInt8(ascii: "\""))
        let hex = Array("0123456789abcdef".utf8)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes += [92, 34]
            case UInt8(ascii: "\\"): bytes += [92, 92]
            case 0x0A: bytes += [92, UInt8(ascii: "n")]
            case 0x0D: bytes += [92, UInt8(ascii: "r")]
            case 0x09: bytes += [92, UInt8(ascii: "t")]
            case 0..<0x20: bytes += [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return String(decoding: bytes, as: UTF8.self)
    }
}
