/// BXC402 bake-cache-entry-format: the cache-entry format checks (BXC001–BXC015) on elements of bake
/// and compose files, and object entries without `type`.
///
/// Facts: bake and compose parse each string element with buildx `ParseCacheEntry`
/// (`bake/bake.go`, `bake/compose.go`), so every pitfall of workflow inputs applies; an object entry
/// needs a `type` key ("type required", `util/buildflags/cache_cty.go`). The 0xx rules find the problems;
/// the linter reports them in bake and compose files under this id, naming the underlying check.
public struct BakeCacheEntryFormatRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC402", name: "bake-cache-entry-format", severity: .error,
        summary: "A cache entry of a bake or compose file with a format mistake (packed entries, spaces, unknown type…), or an object entry without `type`.",
        rationale: "bake parses each element exactly as buildx parses a workflow's cache input, so the same mistakes drop or break the cache; an object entry without `type` fails the load.",
        sources: ["docker/buildx bake/bake.go, bake/compose.go (ParseCacheEntry)", "docker/buildx util/buildflags/cache_cty.go"],
        triggering: [
            RuleExample("target \"app\" {\n  cache-from = [\"type=gha,scope=a,type=gha,scope=b\"]\n}\n", path: "docker-bake.hcl", lines: [2]),
            RuleExample("target \"app\" {\n  cache-to = [{ scope = \"app\", mode = \"max\" }]\n}\n", path: "docker-bake.hcl", lines: [2]),
        ],
        nonTriggering: [
            RuleExample("target \"app\" {\n  cache-from = [\"type=gha,scope=a\", \"type=gha,scope=b\"]\n  cache-to = [{ type = \"gha\", scope = \"app\", mode = \"max\" }]\n}\n", path: "docker-bake.hcl"),
            // Keys may be strings, in HCL and in every JSON bake file (`docker buildx bake --print` writes this form).
            RuleExample("target \"app\" {\n  cache-to = [{ \"type\": \"registry\", \"ref\": \"ghcr.io/o/app:cache\", \"mode\": \"max\" }]\n}\n", path: "docker-bake.hcl"),
            RuleExample("{\"target\": {\"app\": {\"cache-from\": [{\"type\": \"gha\", \"scope\": \"app\"}]}}}\n", path: "docker-bake.json"),
        ])

    /// The 0xx ids that become BXC402 in bake and compose files.
    static let entryRules: Set<String> = [
        "BXC001", "BXC002", "BXC003", "BXC007", "BXC008", "BXC009", "BXC010", "BXC011", "BXC012", "BXC013", "BXC014", "BXC015",
    ]

    /// Re-labels entry-format findings of bake and compose files as BXC402 (keeping their severity).
    static func relabel(_ d: Diagnostic, kind: FileKind) -> Diagnostic {
        guard kind == .bake || kind == .compose, entryRules.contains(d.ruleID) else { return d }
        return Diagnostic(
            ruleID: "BXC402", ruleName: "bake-cache-entry-format", severity: d.severity, path: d.path, span: d.span,
            message: "[\(d.ruleID) \(d.ruleName)] \(d.message)", help: d.help, fixes: d.fixes)
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        guard context.file.kind == .bake, let bake = context.file.bake else { return [] }
        var out: [Diagnostic] = []
        for t in bake.targets {
            for name in ["cache-from", "cache-to"] {
                guard let attr = t.attribute(name), case .tuple(let elements, _) = attr.expr else { continue }
                for e in elements {
                    guard case .object(let items, let span) = e else { continue }
                    // A key is a name or a string (`"type": "gha"` in HCL and in every JSON bake file); a computed
                    // key may be `type`.
                    var keys: [String] = []
                    var computedKey = false
                    for item in items {
                        switch item.key {
                        case .identifier(let k, _): keys.append(k)
                        case .expression(let k):
                            if let s = k.staticString { keys.append(s) } else { computedKey = true }
                        }
                    }
                    guard !keys.contains("type"), !computedKey else { continue }
                    out.append(
                        diagnostic(
                            context, span,
                            "an object entry of `\(name)` in target `\(t.name)` has no `type`; bake fails with \"type required\"",
                            help: context.file.path.display.hasSuffix(".json")
                                ? "Add `\"type\": \"<backend>\"` (registry, local, gha, s3, azblob) to the object."
                                : "Add `type = \"<backend>\"` (registry, local, gha, s3, azblob) to the object."))
                }
            }
        }
        return out
    }
}
