/// BXC012 duplicate-cache-export: two cache-to entries of one build with the same location.
///
/// Facts: moby/buildkit `control/control.go` (`findDuplicateCacheOptions`) rejects exports with the same
/// identity ("duplicate cache exports"): the same registry `ref`, or the same type and attributes.
public struct DuplicateCacheExportRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC012", name: "duplicate-cache-export", severity: .error,
        summary: "Two cache-to entries of one build with the same location.",
        rationale: "BuildKit rejects the build with \"duplicate cache exports\" when two exports share a registry ref or are otherwise identical.",
        sources: ["moby/buildkit control/control.go (findDuplicateCacheOptions)"],
        triggering: [RuleExample(Examples.buildPush("cache-to: |\n  type=registry,ref=u/app:cache\n  type=registry,ref=u/app:cache,mode=max"), lines: [13])],
        nonTriggering: [RuleExample(Examples.buildPush("cache-to: |\n  type=registry,ref=u/app:cache-amd64\n  type=registry,ref=u/app:cache-arm64"))])

    /// The identity BuildKit compares: the ref for registry entries, type + sorted attributes otherwise.
    static func identity(_ e: CacheEntry) -> [String]? {
        if e.form == .refList { return e.fields.count == 1 ? ["registry", e.fields[0].value] : nil }
        guard e.typeFields.count == 1, let t = e.type else { return nil }
        if t == "registry" { return e.attribute("ref").map { ["registry", $0] } }
        return [t] + e.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for build in context.builds {
            let exports = build.entries(.export).filter { !$0.entry.isEmpty && !$0.entry.isWholeExpression }
            // One export cannot repeat another (most builds have one).
            guard exports.count > 1 else { continue }
            var seen: [String: [[String]: BuildCacheEntry]] = [:]
            for be in exports {
                guard let id = Self.identity(be.entry) else { continue }
                let target = be.bakeTarget ?? ""
                if let first = seen[target]?[id] {
                    out.append(
                        diagnostic(
                            context, be.located.span,
                            "this cache-to exports to the same location as line \(first.located.span.start.line); BuildKit fails with \"duplicate cache exports\"",
                            help: "Export each cache location once per build: remove one of the two entries."))
                } else {
                    seen[target, default: [:]][id] = be
                }
            }
        }
        return out
    }
}
