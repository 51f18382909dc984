/// BXC015 inline-mode-max: `type=inline` with `mode=max`.
///
/// Facts: inline cache supports only min mode (docs `cache/backends/inline.md`,
/// `ci/github-actions/cache.md`).
public struct InlineModeMaxRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC015", name: "inline-mode-max", severity: .info,
        summary: "`type=inline` together with `mode=max`.",
        rationale: "Inline cache only supports min mode, so `mode=max` has no effect and intermediate stages are not cached.",
        sources: ["docs cache/backends/inline.md", "docs ci/github-actions/cache.md"],
        triggering: [RuleExample(Examples.buildPush("cache-to: type=inline,mode=max"), lines: [11])],
        nonTriggering: [RuleExample(Examples.buildPush("cache-to: type=registry,ref=u/app:buildcache,mode=max"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        context.cacheEntries.compactMap { (_, be) in
            guard be.direction == .export, be.entry.typeFields.count == 1, be.entry.type == "inline", let f = be.entry.field("mode"),
                f.value == "max"
            else { return nil }
            return diagnostic(
                context, be.located.span(of: f),
                "inline cache supports only min mode; `mode=max` has no effect\(be.viaSuffix)",
                help: "Use `type=registry,ref=<image>:buildcache,mode=max` (or gha) to cache intermediate stages.")
        }
    }
}
