/// BXC008 unknown-cache-type: a `type=` outside the backends BuildKit knows. Case-sensitive.
///
/// Facts: moby/buildkit `cmd/buildkitd/main.go` registers importers registry, local, gha, s3, azblob and
/// exporters plus inline; an unknown exporter is fatal ("unknown cache exporter", `control/control.go`),
/// an unknown importer only skips the cache (`solver/llbsolver/bridge.go`).
public struct UnknownCacheTypeRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC008", name: "unknown-cache-type", severity: .error,
        summary: "A `type=` that is not registry, local, gha, s3, azblob (or inline for cache-to); names are case-sensitive.",
        rationale: "An unknown export type fails the build (\"unknown cache exporter\"); an unknown import type is skipped and the build runs without that cache (reported as a warning).",
        sources: ["moby/buildkit cmd/buildkitd/main.go", "moby/buildkit control/control.go", "moby/buildkit solver/llbsolver/bridge.go"],
        triggering: [
            RuleExample(Examples.buildPush("cache-to: type=GHA,mode=max"), lines: [11]),
            RuleExample(Examples.buildPush("cache-from: type=github"), lines: [11]),
        ],
        nonTriggering: [RuleExample(Examples.buildPush("cache-from: type=gha\ncache-to: type=inline"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (_, be) in context.cacheEntries where be.entry.form == .attributes {
            guard let f = be.entry.typeFields.last, !f.hasExpression else { continue }
            let valid = be.direction == .import ? CacheBackends.importers : CacheBackends.exporters
            // inline on cache-from is BXC010's finding.
            guard !valid.contains(f.value), !(be.direction == .import && f.value == "inline") else { continue }
            let lower = f.value.lowercased()
            let suggestion = valid.contains(lower) ? "`type=\(lower)` (type names are lowercase)" : "one of \(valid.sorted().joined(separator: ", "))"
            var fixes: [Fix] = []
            if valid.contains(lower) {
                fixes = [Fix(title: "Lowercase the type", edits: [TextEdit(span: be.located.span(f.valueRange), replacement: lower)])]
            }
            let effect = be.direction == .export
                ? "BuildKit fails the build with \"unknown cache exporter\""
                : "BuildKit skips this import and the build runs without it"
            out.append(
                diagnostic(
                    context, be.located.span(of: f),
                    "unknown cache type `\(f.value)` in the \(be.entryLabel)\(be.viaSuffix); \(effect)",
                    help: "Use \(suggestion).", fixes: fixes, severity: be.direction == .export ? .error : .warning))
        }
        return out
    }
}
