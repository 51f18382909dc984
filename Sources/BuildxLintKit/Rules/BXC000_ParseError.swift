/// BXC000 parse-error: a selected file that cannot be read as its format.
///
/// Facts: a workflow GitHub cannot parse does not run at all; duplicate keys and undefined aliases are
/// rejected by GitHub's parser too. Source: docs/rules.md (new rule), platform-notes §2 (libyaml limits).
public struct ParseErrorRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC000", name: "parse-error", severity: .error,
        summary: "A workflow, action or bake file that cannot be parsed (syntax, encoding, size, nesting or alias limits) or read (permissions, a blob missing from a partial clone).",
        rationale: """
            A file the linter cannot parse is a file GitHub or buildx cannot parse either, and nothing else in it \
            was checked. Duplicate keys and undefined aliases are reported here too: GitHub rejects them.
            """,
        sources: ["docs/rules.md (BXC000)", "libyaml 0.2.5 parser errors", "GitHub workflow syntax (duplicate keys)"],
        triggering: [
            RuleExample("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n   steps: []\n", lines: [5]),
            RuleExample("on: push\non: pull_request\njobs: {}\n", lines: [2]),
        ],
        nonTriggering: [
            RuleExample("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: []\n")
        ])

    /// The help for a parse error: an encoding problem is not fixed by editing syntax.
    static func help(for message: String) -> String {
        if message.hasSubstring("UTF-8") {
            return "Save the file as UTF-8 text (it holds bytes that are not UTF-8); nothing else in this file was checked."
        }
        if message.hasSubstring("control characters") {
            return "Remove the control character (or write it as an escape in a double-quoted string); nothing else in this file was checked."
        }
        return "Fix the syntax; nothing else in this file was checked."
    }

    /// What a repeated key does to a file of `kind`: GitHub refuses workflows and actions with one, docker
    /// compose (and bake, which loads compose files with the same library) refuses compose files.
    static func reader(of kind: FileKind) -> String {
        switch kind {
        case .workflow, .action: return "GitHub rejects a mapping with a repeated key"
        case .compose: return "docker compose (and bake, which loads compose files with the same library) rejects a mapping with a repeated key"
        case .bake: return "a reader either rejects a repeated key or keeps only one of the values"
        }
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        if let e = context.file.parseError {
            return [
                diagnostic(
                    context, SourceSpan(at: e.position), "cannot parse \(context.file.kind.rawValue) file: \(e.message)",
                    help: Self.help(for: e.message))
            ]
        }
        return (context.file.yaml?.warnings ?? []).map { w in
            diagnostic(
                context, w.span, w.message,
                help: w.kind == .duplicateKey
                    ? "Remove or rename one of the keys; \(Self.reader(of: context.file.kind))."
                    : "Define the anchor before the alias that uses it.")
        }
    }
}
