/// BXC006 comment-inside-block-input: a `#` line inside a `|` block of a cache input.
///
/// Facts: inside a block scalar `#` is content (YAML 1.2 §8.1); build-push-action's cache inputs set no
/// CSV comment character (docker/build-push-action `src/context.ts`), so buildx receives the line as an
/// entry: a ref named `# …` (docker/buildx `util/buildflags/cache.go`).
public struct CommentInsideBlockInputRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC006", name: "comment-inside-block-input", severity: .error,
        summary: "A `#` line inside a `|` block of `cache-from`, `cache-to` or bake-action `set`.",
        rationale: """
            Inside a block scalar a `#` line is content, not a YAML comment, and the action passes it to buildx as \
            a cache entry: without `=` it is a registry ref named `# …` (the import fails, an export fails the \
            build); with `=` it fails with "type required".
            """,
        sources: [
            "YAML 1.2 §8.1 (block scalar content)", "docker/build-push-action src/context.ts (no comment option)",
            "docker/buildx util/buildflags/cache.go",
        ],
        triggering: [RuleExample(Examples.buildPush("cache-from: |\n  # main branch cache\n  type=gha,scope=main"), lines: [12])],
        nonTriggering: [RuleExample(Examples.buildPush("# main branch cache\ncache-from: |\n  type=gha,scope=main"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for build in context.builds {
            for list in build.lists where FoldedScalarListInputRule.listInputs.contains(list.input.name) {
                guard list.value.origin.scalarStyle == .literal else { continue }
                for (item, offsets) in list.items where item.text.hasPrefix("#") {
                    let located = LocatedEntry(entry: CacheEntry(item.text), sourceOffsets: offsets, text: context.file.text)
                    let span = located.span
                    var fixes: [Fix] = []
                    // Move the line above the input's key, where `#` starts a real comment.
                    let keyLine = list.value.origin === list.input.value ? list.input.key.span.start.line : nil
                    if let keyLine, span.start.line == span.end.line {
                        let text = context.file.text
                        let lineStart = text.position(line: span.start.line, column: 1)
                        let nextLine = text.position(line: span.start.line + 1, column: 1)
                        let keyStart = text.position(line: keyLine, column: 1)
                        fixes = [
                            Fix(
                                title: "Move the comment above the block",
                                edits: [
                                    TextEdit(span: SourceSpan(at: keyStart), replacement: context.indentation(ofLine: keyLine) + item.text + "\n"),
                                    TextEdit(span: SourceSpan(start: lineStart, end: nextLine), replacement: ""),
                                ])
                        ]
                    }
                    out.append(
                        diagnostic(
                            context, span,
                            "`\(item.text)` is inside the `\(list.input.name)` block, so it is not a YAML comment: buildx receives it as a cache entry",
                            help: "Move the comment outside the block scalar, above `\(list.input.name):`.", fixes: fixes))
                }
            }
        }
        return out
    }
}
