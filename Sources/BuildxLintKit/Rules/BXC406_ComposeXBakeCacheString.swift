/// BXC406 compose-xbake-cache-string: a string `x-bake.cache-from`/`cache-to` in a compose file.
///
/// Facts: docker/buildx `bake/compose.go` (`stringArray.UnmarshalYAML`) splits a string on whitespace
/// (`strings.Fields`) into several entries, while commas stay inside one entry — unlike workflow inputs.
public struct ComposeXBakeCacheStringRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC406", name: "compose-xbake-cache-string", severity: .info,
        summary: "A string `x-bake.cache-from` / `cache-to` in a compose file.",
        rationale: "The string is split on whitespace into entries (commas stay inside one entry), unlike a workflow input; a multi-entry string copied between the two changes meaning.",
        sources: ["docker/buildx bake/compose.go (stringArray.UnmarshalYAML)"],
        triggering: [RuleExample("services:\n  app:\n    build:\n      context: .\n      x-bake:\n        cache-from: type=gha,scope=app\n", path: "compose.yaml", lines: [6])],
        nonTriggering: [RuleExample("services:\n  app:\n    build:\n      context: .\n      x-bake:\n        cache-from:\n          - type=gha,scope=app\n", path: "compose.yaml")])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        guard let compose = context.file.compose else { return [] }
        var out: [Diagnostic] = []
        for s in compose.services {
            for (name, node) in [("cache-from", s.xBakeCacheFrom), ("cache-to", s.xBakeCacheTo)] {
                guard let node, let text = node.scalar else { continue }
                let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
                // A piece with attributes but no `type=` (`mode=max` split off `type=gha, mode=max`) fails to load.
                let untyped = parts.first { $0.contains("=") && CacheEntry(String($0)).type == nil }
                let what = untyped.map { ", and `\($0)` has no `type=`: bake fails to load the file (\"type required\")" }
                    ?? "; commas do not separate entries"
                out.append(
                    diagnostic(
                        context, node.valueSpan,
                        "`x-bake.\(name)` of service `\(s.name)` is a string: bake splits it on whitespace (spaces and line breaks) into \(parts.count) entr\(parts.count == 1 ? "y" : "ies")\(what)",
                        help: "Use a YAML list for x-bake cache entries:\n\(name):\n" + parts.map { "  - \($0)" }.joined(separator: "\n"),
                        severity: untyped == nil ? description.severity : .error))
            }
        }
        return out
    }
}
