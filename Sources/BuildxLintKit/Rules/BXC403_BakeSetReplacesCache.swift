/// BXC403 bake-set-replaces-cache: a `set:`/`--set` cache override that sets only one side, so what is
/// exported is never imported (or the other way round).
///
/// Facts: repeated `--set target.cache-to=` values replace the file's list, `+=` appends (buildx ≥ 0.22.0)
/// (docker/buildx `bake/bake.go` overrides; `docs/reference/buildx_bake.md`); the other attribute keeps the
/// file's value.
public struct BakeSetReplacesCacheRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC403", name: "bake-set-replaces-cache", severity: .warning,
        summary: "A bake `set:` / `--set` override that replaces one side of the cache (cache-to or cache-from) with a location the other side never reads or writes.",
        rationale: "The override replaces that side's list while the other keeps the bake file's value: the build then exports where it never imports (or imports what nothing exports), so every run is cold.",
        sources: ["docker/buildx bake/bake.go (overrides)", "docker/buildx docs/reference/buildx_bake.md (--set, +=)"],
        triggering: [
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/bake-action@v6\n        with:\n          source: .\n          set: |\n            *.cache-to=type=gha,mode=max,scope=ci\n"),
                    ("docker-bake.hcl", "target \"default\" {\n  cache-from = [\"type=gha,scope=main\"]\n  cache-to = [\"type=gha,mode=max,scope=main\"]\n}\n"),
                ], lines: [13])
        ],
        nonTriggering: [
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/bake-action@v6\n        with:\n          source: .\n          set: |\n            *.cache-from=type=gha,scope=ci\n            *.cache-to=type=gha,mode=max,scope=ci\n"),
                    ("docker-bake.hcl", "target \"default\" {\n  cache-from = [\"type=gha,scope=main\"]\n  cache-to = [\"type=gha,mode=max,scope=main\"]\n}\n"),
                ])
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for inv in context.repository.bakeInvocations(in: context.file.path) {
            guard let resolution = inv.resolution else { continue }
            for o in inv.overrides where (o.key == "cache-to" || o.key == "cache-from") && !o.append {
                let other = o.key == "cache-to" ? "cache-from" : "cache-to"
                // Only when no override sets the other side.
                guard !inv.overrides.contains(where: { $0.key == other }), let v = o.value,
                    let overridden = CacheLocation.of(CacheEntry(v), direction: o.key == "cache-to" ? .export : .import), !overridden.isEmpty
                else { continue }
                for t in resolution.targets where PathGlob.matchAnything(Array(o.pattern.utf8)[...], Array(t.name.utf8)[...]) {
                    let items = o.key == "cache-to" ? t.cacheFrom : t.cacheTo
                    let direction: CacheDirection = o.key == "cache-to" ? .import : .export
                    let locs = items.compactMap { BakeInvocations.locations($0, direction: direction) }
                    guard locs.count == items.count, !locs.isEmpty else { continue }
                    let otherSide = Set(locs.joined())
                    guard !overridden.contains(where: { l in otherSide.contains { $0.backend == l.backend && $0.identity == l.identity } }),
                        reported.insert(o.span.start.offset).inserted
                    else { continue }
                    out.append(
                        diagnostic(
                            context, o.span,
                            "this override replaces `\(o.key)` of target `\(t.name)` with \(overridden[0]), but its `\(other)` still comes from the bake file (\(otherSide.map(\.description).sorted().joined(separator: ", "))), so \(o.key == "cache-to" ? "what is exported is never imported" : "the import reads what nothing exports")",
                            help: "Override both sides: add `\(o.pattern).\(other)=\(v.replacingAll(",mode=max", with: "").replacingAll("mode=max,", with: ""))` (or change the bake file instead)."))
                    break
                }
            }
        }
        return out
    }
}
