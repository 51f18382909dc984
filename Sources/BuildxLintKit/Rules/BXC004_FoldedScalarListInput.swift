/// BXC004 folded-scalar-list-input: a list input written as a folded `>` block with several lines.
///
/// Facts: YAML folding joins the lines with spaces (YAML 1.2 §8.1.3), so the action receives one line,
/// which buildx parses as one entry (docker/actions-toolkit `src/util.ts`; BXC001's failure).
public struct FoldedScalarListInputRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC004", name: "folded-scalar-list-input", severity: .error,
        summary: "`cache-from`, `cache-to` or bake-action `set` written as a folded `>` block with several lines.",
        rationale: """
            A folded block turns its lines into one space-separated line, so the action sees one entry and buildx \
            keeps only the last value of each key: the other caches are never used.
            """,
        sources: ["YAML 1.2 §8.1.3 (folded style)", "docker/actions-toolkit src/util.ts"],
        triggering: [RuleExample(Examples.buildPush("cache-from: >\n  type=gha,scope=linux-amd64\n  type=gha,scope=linux-arm64"), lines: [11])],
        nonTriggering: [
            RuleExample(Examples.buildPush("cache-from: |\n  type=gha,scope=linux-amd64\n  type=gha,scope=linux-arm64")),
            RuleExample(Examples.buildPush("cache-from: >-\n  type=gha,scope=linux-amd64")),
        ])

    static let listInputs: Set<String> = ["cache-from", "cache-to", "set"]

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for build in context.builds {
            for list in build.lists where Self.listInputs.contains(list.input.name) {
                let node = list.value.origin
                guard node.scalarStyle == .folded else { continue }
                let text = context.file.text
                let span = node.valueSpan
                var contentLines = 0
                if span.start.line < span.end.line {
                    for line in (span.start.line + 1)...span.end.line where !text.lineBytes(line).allSatisfy(isLineSpace) {
                        contentLines += 1
                    }
                }
                guard contentLines > 1 else { continue }
                // The indicator is `>` possibly followed by chomping/indentation indicators.
                let indicator = SourceSpan(start: span.start, end: text.position(ofOffset: span.start.offset + 1))
                out.append(
                    diagnostic(
                        context, indicator,
                        "`\(list.input.name)` is a folded block (`>`): its \(contentLines) lines reach the action as ONE line, so buildx sees one entry and only the last value of each key is used",
                        help: "Use a literal block scalar (`|`) so each entry stays on its own line.",
                        fixes: [Fix(title: "Use a literal block scalar", edits: [TextEdit(span: indicator, replacement: "|")])]))
            }
        }
        return out
    }
}
