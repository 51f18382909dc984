/// BXC005 sequence-as-action-input: a YAML sequence or mapping as a `with:` value.
///
/// Facts: action inputs are strings; GitHub rejects the workflow ("A sequence was not expected")
/// before any step runs (github.community t/16457; action metadata syntax).
public struct SequenceAsActionInputRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC005", name: "sequence-as-action-input", severity: .error,
        summary: "A YAML sequence or mapping as a `with:` value; action inputs are strings.",
        rationale: "GitHub rejects the workflow before any step runs: a `with:` value must be a string, so a list is written as a `|` block.",
        sources: ["github.community t/16457 (\"A sequence was not expected\")", "GitHub Docs: metadata syntax for actions (inputs)"],
        triggering: [
            RuleExample(Examples.buildPush("cache-from:\n  - type=gha,scope=a\n  - type=gha,scope=b"), lines: [11]),
            RuleExample(Examples.buildPush("cache-to: [type=gha]"), lines: [11]),
        ],
        nonTriggering: [RuleExample(Examples.buildPush("cache-from: |\n  type=gha,scope=a\n  type=gha,scope=b"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (_, step) in context.steps where step.uses != nil {
            for input in step.with {
                let value = input.value.resolved
                let isSeq = value.isSequence
                guard isSeq || value.isMapping else { continue }
                let kind = isSeq ? "sequence" : "mapping"
                var help = "Action inputs are strings; write the list as a `|` block with one entry per line."
                var fixes: [Fix] = []
                if isSeq, let items = value.items, let texts = Optional(items.compactMap(\.scalar)), texts.count == items.count,
                    !texts.isEmpty
                {
                    let indent = context.indentation(ofLine: input.key.span.start.line) + "  "
                    let block = "|\n" + texts.map { indent + $0 }.joined(separator: "\n")
                    help += "\n\(input.name): \(block.replacingAll("\n" + indent, with: "\n  "))"
                    if value.collectionStyle == .flow || input.value.span.start.line > input.key.span.end.line {
                        let span = SourceSpan(start: context.file.text.position(ofOffset: input.key.span.end.offset), end: input.value.span.end)
                        fixes = [Fix(title: "Write the list as a literal block", edits: [TextEdit(span: span, replacement: ": " + block)])]
                    }
                }
                out.append(
                    diagnostic(
                        context, SourceSpan(start: input.key.span.start, end: input.value.span.end),
                        "`\(input.name)` is a YAML \(kind); action inputs are strings, so GitHub rejects this workflow",
                        help: help, fixes: fixes))
            }
        }
        return out
    }
}
