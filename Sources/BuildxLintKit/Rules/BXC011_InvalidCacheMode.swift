/// BXC011 invalid-cache-mode: `mode=` other than exactly `min` or `max`.
///
/// Facts: moby/buildkit `control/control.go` (`parseCacheExportMode`) ignores any other value with only a
/// debug log and uses `min`.
public struct InvalidCacheModeRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC011", name: "invalid-cache-mode", severity: .warning,
        summary: "A cache-to `mode=` other than exactly `min` or `max`.",
        rationale: "BuildKit silently ignores any other value and exports in min mode, so intermediate stages are not cached.",
        sources: ["moby/buildkit control/control.go (parseCacheExportMode)"],
        triggering: [RuleExample(Examples.buildPush("cache-to: type=gha,mode=Max"), lines: [11])],
        nonTriggering: [RuleExample(Examples.buildPush("cache-to: type=gha,mode=max"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        context.cacheEntries.compactMap { (_, be) in
            guard be.direction == .export, be.entry.form == .attributes, let f = be.entry.field("mode"), !f.hasExpression,
                f.value != "min", f.value != "max"
            else { return nil }
            let lower = f.value.lowercased()
            let fix = lower == "min" || lower == "max"
                ? [Fix(title: "Use mode=\(lower)", edits: [TextEdit(span: be.located.span(f.valueRange), replacement: lower)])] : []
            return diagnostic(
                context, be.located.span(of: f),
                "`mode=\(f.value)` is not `min` or `max`\(be.viaSuffix); BuildKit ignores it and exports in min mode",
                help: "Set `mode=min` or `mode=max` (lowercase); any other value is silently ignored.", fixes: fix)
        }
    }
}
