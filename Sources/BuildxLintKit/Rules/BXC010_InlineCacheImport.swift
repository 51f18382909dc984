/// BXC010 inline-cache-import: `type=inline` in cache-from.
///
/// Facts: inline is an exporter only (docs `cache/backends/inline.md`; moby/buildkit
/// `cmd/buildkitd/main.go` registers no inline importer), so the import fails and no cache is used.
public struct InlineCacheImportRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC010", name: "inline-cache-import", severity: .warning,
        summary: "`type=inline` in cache-from.",
        rationale: "Inline cache is export-only; importing it with `type=inline` fails (\"unknown cache importer: inline\") and the build runs without cache. Import it from the pushed image with `type=registry`.",
        sources: ["docs cache/backends/inline.md", "moby/buildkit cmd/buildkitd/main.go"],
        triggering: [RuleExample(Examples.buildPush("cache-from: type=inline\ncache-to: type=inline"), lines: [11])],
        nonTriggering: [RuleExample(Examples.buildPush("cache-from: type=registry,ref=user/app:latest\ncache-to: type=inline"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        context.cacheEntries.compactMap { (_, be) in
            guard be.direction == .import, be.entry.form == .attributes, let f = be.entry.typeFields.last, f.value == "inline"
            else { return nil }
            return diagnostic(
                context, be.located.span(of: f),
                "`type=inline` cannot be imported\(be.viaSuffix): inline cache lives in the pushed image and is read with `type=registry`",
                help: "Import inline cache with `type=registry,ref=<pushed image>`.")
        }
    }
}
