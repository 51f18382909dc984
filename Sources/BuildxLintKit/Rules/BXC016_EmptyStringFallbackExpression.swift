/// BXC016 empty-string-fallback-expression: `${{ c && '' || x }}` in a cache input.
///
/// Facts: GitHub expressions have no ternary; `a && b || c` yields `c` whenever `b` is falsy, and `''`,
/// `0`, `false`, `null` are falsy (GitHub Docs "Evaluate expressions", operators). Seen in ThalesGroup/fred#2493.
public struct EmptyStringFallbackExpressionRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC016", name: "empty-string-fallback-expression", severity: .error,
        summary: "A `${{ c && '' || x }}` expression in a cache input: it always yields `x`.",
        rationale: "`''` is falsy, so `c && '' || x` never yields `''`: the cache setting the author meant to switch off is always on.",
        sources: ["GitHub Docs: Evaluate expressions in workflows and actions (operators, falsy values)", "ThalesGroup/fred#2493"],
        triggering: [RuleExample(Examples.buildPush("cache-to: ${{ inputs.publish && '' || 'type=gha,mode=max' }}"), lines: [11])],
        nonTriggering: [RuleExample(Examples.buildPush("cache-to: ${{ !inputs.publish && 'type=gha,mode=max' || '' }}"))])

    /// The condition and fallback of `c && falsy || x`, or nil.
    static func match(_ e: Expr) -> (condition: Expr, falsy: ExprLiteral, fallback: Expr)? {
        guard case .binary(.or, let left, let fallback) = e, case .binary(.and, let condition, .literal(let lit)) = left,
            lit.isFalsy
        else { return nil }
        return (condition, lit, fallback)
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for build in context.builds {
            for list in build.lists {
                let node = list.value.origin
                guard let text = node.scalar else { continue }
                let offsets = node.valueOffsets(in: context.file.text)
                for part in Template.parts(text) {
                    guard case .expression(_, let e?) = part.kind, let m = Self.match(e) else { continue }
                    let span = context.file.text.span(of: part.range, through: offsets)
                    let (start, end) = (span.start, span.end)
                    let fixed = "${{ \(Expr.not(m.condition).source) && \(m.fallback.source) || \(Expr.literal(m.falsy).source) }}"
                    var fixes: [Fix] = []
                    if start.line == end.line, end.offset - start.offset == part.range.count {
                        fixes = [Fix(title: "Invert the condition", edits: [TextEdit(span: SourceSpan(start: start, end: end), replacement: fixed)])]
                    }
                    out.append(
                        diagnostic(
                            context, SourceSpan(start: start, end: max(start, end)),
                            "`\(list.input.name)`: `\(Expr.literal(m.falsy).source)` is falsy, so `\(e.source)` always yields `\(m.fallback.source)`",
                            help: "Invert the condition so the falsy value comes last:\n\(fixed)", fixes: fixes))
                }
            }
        }
        return out
    }
}
