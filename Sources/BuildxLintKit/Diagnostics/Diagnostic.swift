/// How serious a finding is. Ordered: `info < warning < error`.
public enum Severity: String, Sendable, Comparable, CaseIterable, Codable {
    case info, warning, error

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// One text replacement: replace the bytes of `span` with `replacement`.
public struct TextEdit: Sendable, Hashable {
    public let span: SourceSpan
    public let replacement: String
    public init(span: SourceSpan, replacement: String) {
        self.span = span
        self.replacement = ExprValue.writtenAsExpressions(replacement)
    }
}

/// A fix offered with a finding, as data: a title and the edits that apply it to the finding's file.
public struct Fix: Sendable, Hashable {
    public let title: String
    public let edits: [TextEdit]
    public init(title: String, edits: [TextEdit]) {
        self.title = title
        self.edits = edits
    }
}

/// One finding of one rule in one file.
///
/// `span` points at the offending text (1-based lines, 1-based UTF-8 byte columns, end exclusive).
/// `message` says what is wrong and why it matters; `help` says what to do, with text that can be
/// pasted; `fixes` carry the same fix as machine-applicable edits when the linter can write it.
public struct Diagnostic: Sendable, Hashable {
    public let ruleID: String
    public let ruleName: String
    public var severity: Severity
    public let path: RepoPath
    public let span: SourceSpan
    public let message: String
    public let help: String?
    public let fixes: [Fix]

    public init(
        ruleID: String, ruleName: String, severity: Severity, path: RepoPath, span: SourceSpan,
        message: String, help: String? = nil, fixes: [Fix] = []
    ) {
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.severity = severity
        self.path = path
        self.span = span
        self.message = Self.readable(message)
        self.help = help.map(Self.readable)
        self.fixes = fixes
    }

    /// This finding with CRLF line breaks in the text its fixes insert (rules write `\n`), for a file whose
    /// lines end in CRLF. A `\r\n` already written stays as it is.
    public func withCRLFFixes() -> Diagnostic {
        guard fixes.contains(where: { $0.edits.contains { $0.replacement.utf8.contains(0x0A) } }) else { return self }
        let converted = fixes.map { fix in
            Fix(title: fix.title, edits: fix.edits.map { edit in
                let lines = edit.replacement.split(separator: "\n", omittingEmptySubsequences: false)
                let joined = lines.indices.map { i in
                    i < lines.count - 1 && !lines[i].hasSuffix("\r") ? lines[i] + "\r" : String(lines[i])
                }.joined(separator: "\n")
                return TextEdit(span: edit.span, replacement: joined)
            })
        }
        return Diagnostic(ruleID: ruleID, ruleName: ruleName, severity: severity, path: path, span: span, message: message, help: help, fixes: converted)
    }

    /// Message or help text as users read it: values the analysis knows only as a context expression are
    /// shown as that expression (`${{ github.ref_name }}`), and the placeholder of a part of a bake value
    /// that cannot be computed (U+FFFC) as `…`.
    static func readable(_ text: String) -> String {
        let t = ExprValue.writtenAsExpressions(text, computed: "…")
        return t.hasSubstring("\u{FFFC}") ? t.replacingAll("\u{FFFC}", with: "…") : t
    }

    /// The order of the JSON contract: path, line, column, rule id.
    public static func reportOrder(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        if a.path != b.path { return a.path < b.path }
        if a.span.start.line != b.span.start.line { return a.span.start.line < b.span.start.line }
        if a.span.start.column != b.span.start.column { return a.span.start.column < b.span.start.column }
        if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
        return a.message < b.message
    }
}
