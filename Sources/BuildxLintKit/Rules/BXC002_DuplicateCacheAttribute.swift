/// BXC002 duplicate-cache-attribute: the same key twice in one cache entry.
///
/// Facts: buildx `util/buildflags/cache.go` writes each `key=value` into a map, so a repeated key
/// silently replaces the earlier value (reference §1.5).
public struct DuplicateCacheAttributeRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC002", name: "duplicate-cache-attribute", severity: .warning,
        summary: "The same attribute key (other than `type`) twice in one cache entry.",
        rationale: "buildx keeps only the last value of a repeated key, so the earlier value is silently dropped.",
        sources: ["docker/buildx util/buildflags/cache.go (ParseCacheEntry)"],
        triggering: [RuleExample(Examples.buildPush("cache-to: type=gha,scope=amd64,mode=max,scope=arm64"), lines: [11])],
        nonTriggering: [RuleExample(Examples.buildPush("cache-to: type=gha,scope=amd64,mode=max"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (_, be) in context.cacheEntries where be.entry.form == .attributes {
            // A packed entry (BXC001) repeats keys by construction; that finding already covers it.
            guard be.entry.typeFields.count <= 1 else { continue }
            var seen: [String: CacheField] = [:]
            for f in be.entry.fields where f.hasEquals && f.key != "type" {
                if let first = seen[f.key] {
                    out.append(
                        diagnostic(
                            context, be.located.span(of: f),
                            "`\(f.key)` is set twice in this \(be.entryLabel)\(be.viaSuffix) (`\(first.value)` then `\(f.value)`); buildx keeps only the last value",
                            help: "Remove the repeated `\(f.key)=`; only its last value is used."))
                }
                seen[f.key] = f
            }
        }
        return out
    }
}
