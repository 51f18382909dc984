/// The default human-readable output:
///
/// ```
/// .github/workflows/x.yml:18:23: error[BXC001 packed-cache-entries] message
///    |
/// 18 |           cache-from: type=registry,…
///    |                       ^^^^^^^^^^^^^^^
///    = help: Put each cache entry on its own line:
///            cache-from: |
/// ```
/// and a summary line. Colour (ANSI) only when asked for; the CLI asks on a terminal without `NO_COLOR`.
public struct TextReporter: Sendable {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    func severityColor(_ s: Severity) -> String {
        switch s {
        case .error: "1;31"
        case .warning: "1;33"
        case .info: "1;36"
        }
    }

    /// Renders all findings followed by a summary line.
    public func render(_ result: LintResult) -> String {
        var out = ""
        for d in result.diagnostics {
            out += render(d, text: result.texts[d.path])
        }
        out += summary(result)
        return out
    }

    /// One finding with its source line, caret span and help.
    public func render(_ d: Diagnostic, text: SourceText?) -> String {
        var out = paint("\(d.path.display):\(d.span.start.line):\(d.span.start.column):", "1") + " "
        out += paint("\(d.severity.rawValue)[\(d.ruleID) \(d.ruleName)]", severityColor(d.severity)) + " " + d.message.forTerminal + "\n"
        let lineNo = String(d.span.start.line)
        let gutter = String(repeating: " ", count: lineNo.count)
        if let text, d.span.start.line <= text.lineCount, text.lineCount > 0 {
            let lineBytes = Array(text.lineBytes(d.span.start.line))
            let lineText = String(decoding: lineBytes, as: UTF8.self).forTerminal
            let startCol = max(1, d.span.start.column)
            let endCol = d.span.end.line == d.span.start.line ? max(startCol + 1, d.span.end.column) : lineBytes.count + 1
            // Carets are placed by display width of the line's prefix (one per scalar; tabs as one space).
            let prefix = String(decoding: lineBytes.prefix(startCol - 1), as: UTF8.self)
            let marked = String(decoding: lineBytes.dropFirst(startCol - 1).prefix(max(1, endCol - startCol)), as: UTF8.self)
            let pad = String(repeating: " ", count: prefix.unicodeScalars.count)
            let carets = String(repeating: "^", count: max(1, marked.unicodeScalars.count))
            out += paint("\(gutter) |", "34") + "\n"
            out += paint("\(lineNo) |", "34") + " \(lineText)\n"
            out += paint("\(gutter) |", "34") + " \(pad)" + paint(carets, severityColor(d.severity)) + "\n"
        }
        if let help = d.help {
            let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).forTerminal }
            out += paint("\(gutter) = help:", "1") + " " + lines[0] + "\n"
            for l in lines.dropFirst() { out += "\(gutter)         \(l)\n" }
        }
        out += "\n"
        return out
    }

    /// `N errors, N warnings, N info in N files` (or `no findings in N files`).
    public func summary(_ result: LintResult) -> String {
        let counts = Dictionary(grouping: result.diagnostics, by: \.severity).mapValues(\.count)
        let files = "\(result.fileCount) file\(result.fileCount == 1 ? "" : "s")"
        if result.diagnostics.isEmpty { return "no findings in \(files)\n" }
        func n(_ s: Severity, _ word: String) -> String {
            let c = counts[s] ?? 0
            return "\(c) \(word)\(c == 1 || s == .info ? "" : "s")"
        }
        return "\(n(.error, "error")), \(n(.warning, "warning")), \(n(.info, "info")) in \(files)\n"
    }
}

extension String {
    /// The text as printed: a tab as one space, and control characters (C0, DEL, C1) and bidirectional
    /// overrides as U+FFFD, so a linted file cannot move the cursor, retitle the terminal or reorder what is
    /// shown. One scalar stays one scalar, which keeps the carets under the right columns.
    fileprivate var forTerminal: String {
        guard unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || Self.bidiControls.contains($0.value) })
        else { return self }
        var out = String.UnicodeScalarView()
        for u in unicodeScalars {
            if u == "\t" { out.append(" ") }
            else if u.value < 0x20 || (0x7F...0x9F).contains(u.value) || Self.bidiControls.contains(u.value) { out.append("\u{FFFD}") }
            else { out.append(u) }
        }
        return String(out)
    }

    /// Unicode bidirectional embedding, override and isolate controls.
    fileprivate static let bidiControls: Set<UInt32> = [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
}
