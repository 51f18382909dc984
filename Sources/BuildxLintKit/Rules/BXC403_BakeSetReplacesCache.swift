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
        rationale: "The override replaces that side's list while the other keeps the bake file's value: the build then exports where it never imports (or imports what nothing exports), so every run is cold. A replaced cache-from is reported only when no build of the repository writes it (a job that warms the cache for import-only builds is deliberate).",
        sources: ["docker/buildx bake/bake.go (overrides)", "docker/buildx docs/reference/buildx_bake.md (--set, +=)"],
        triggering: [
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/bake-action@v6\n        with:\n          source: .\n          set: |\n            *.cache-to=type=gha,mode=max,scope=ci\n"),
                    ("docker-bake.hcl", "target \"default\" {\n  cache-from = [\"type=gha,scope=main\"]\n  cache-to = [\"type=gha,mode=max,scope=main\"]\n}\n"),
                ], lines: [13]),
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/bake-action@v6\n        with:\n          source: .\n          set: |\n            *.cache-from=type=gha,scope=ci\n"),
                    ("docker-bake.hcl", "target \"default\" {\n  cache-to = [\"type=inline\"]\n}\n"),
                ], lines: [13]),
        ],
        nonTriggering: [
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/bake-action@v6\n        with:\n          source: .\n          set: |\n            *.cache-from=type=gha,scope=ci\n            *.cache-to=type=gha,mode=max,scope=ci\n"),
                    ("docker-bake.hcl", "target \"default\" {\n  cache-from = [\"type=gha,scope=main\"]\n  cache-to = [\"type=gha,mode=max,scope=main\"]\n}\n"),
                ]),
            // An import-only build of a cache that another job warms.
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  warm:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/bake-action@v6\n        with:\n          source: .\n          set: |\n            *.cache-to=type=gha,mode=max,scope=ci\n  test:\n    needs: [warm]\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/bake-action@v6\n        with:\n          source: .\n          set: |\n            *.cache-from=type=gha,scope=ci\n"),
                    ("docker-bake.hcl", "target \"default\" {\n  cache-to = [\"type=inline\"]\n}\n"),
                ]),
        ])

    /// One override that replaces a side of a target's cache with a location the other side does not hold.
    struct Candidate {
        let override: BakeSetOverride
        let target: String
        let overridden: [CacheLocation]
        let message: String
        let help: String
    }

    /// Overrides of one side (`cache-to` or `cache-from`) whose location the target's other side, kept from
    /// the bake file, does not hold; one per override.
    func candidates(_ context: RuleContext) -> [Candidate] {
        var out: [Candidate] = []
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
                    guard !overridden.contains(where: { l in otherSide.contains { $0.backend == l.backend && $0.identity == l.identity } })
                    else { continue }
                    // An export rotated into the import folder after the build (`mv /tmp/cache-new /tmp/cache`) is imported.
                    if o.key == "cache-to" {
                        let steps = context.repository.stepRuns(of: inv.run.stepRun.run)
                        let rotated = overridden.contains { l in
                            l.backend == "local" && otherSide.contains { $0.backend == "local" && LocalCacheFlow.movedInto(l.identity, $0.identity, after: inv.run, steps: steps) }
                        }
                        if rotated { continue }
                    }
                    guard reported.insert(o.span.start.offset).inserted else { continue }
                    // The other side may hold only entries without a comparable location (`type=inline`).
                    let kept = otherSide.isEmpty
                        ? items.map { item -> String in
                            if case .string(let value?, _, _) = item { return "`\(value)`" }
                            return "an object entry"
                        }.joined(separator: ", ")
                        : otherSide.map(\.description).sorted().joined(separator: ", ")
                    // The value as written (a matrix leg's evaluated value is wrong to paste for the others).
                    let value = Self.writtenValue(o, in: context.file.text) ?? v
                    let message = "this override replaces `\(o.key)` of target `\(t.name)` with \(overridden[0]), but its `\(other)` still comes from the bake file (\(kept)), so \(o.key == "cache-to" ? "what is exported is never imported" : "the import reads what nothing exports")"
                    let help = "Override both sides: add `\(o.pattern).\(other)=\(Self.otherSide(value, to: other))` (or change the bake file instead)."
                    out.append(Candidate(override: o, target: t.name, overridden: overridden, message: message, help: help))
                    break
                }
            }
        }
        return out
    }

    /// `value` (a cache entry) as an entry for the `other` side: a cache-from keeps the location and drops
    /// export options (`mode`, `compression`, …), a local `dest=` becoming `src=`; a cache-to turns `src=` into `dest=`.
    static func otherSide(_ value: String, to other: String) -> String {
        value.split(separator: ",", omittingEmptySubsequences: false).compactMap { field -> String? in
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].lowercased()
            let rest = parts.count > 1 ? "=" + parts[1] : ""
            if other == "cache-from" {
                if CacheBackends.exportOnly.contains(key) { return nil }
                if key == "dest" { return "src" + rest }
            } else if key == "src" {
                return "dest" + rest
            }
            return String(field)
        }.joined(separator: ",")
    }

    /// The value of `o` as its `set:` line or `--set` flag is written (`${{ }}` kept), when the source text
    /// at its span is `pattern.key=value`; nil otherwise.
    static func writtenValue(_ o: BakeSetOverride, in text: SourceText) -> String? {
        let range = o.span.start.offset..<o.span.end.offset
        guard range.lowerBound >= 0, range.upperBound <= text.bytes.count else { return nil }
        let line = String(decoding: text.bytes[range], as: UTF8.self)
        let prefix = "\(o.pattern).\(o.key)="
        guard line.hasPrefix(prefix), line.hasSubstring("${{") else { return nil }
        return String(line.dropFirst(prefix.count))
    }

    /// None directly: the candidates are found once, in `pending`.
    public func check(_ context: RuleContext) -> [Diagnostic] { [] }

    /// A replaced `cache-to` is reported as it is (what is exported is never imported by this build); a
    /// replaced `cache-from` only when no build of the repository writes it (a job that warms the cache for
    /// import-only builds is a deliberate pattern).
    public func pending(_ context: RuleContext) -> [PendingFinding] {
        let id = description.id, name = description.name, severity = description.severity, path = context.file.path
        return candidates(context).map { c in
            PendingFinding(ruleID: id, path: path, offset: c.override.span.start.offset) { facts in
                if c.override.key == "cache-from" {
                    guard !facts.someExportUnknown, !c.overridden.contains(where: facts.isWritten) else { return nil }
                }
                return Diagnostic(
                    ruleID: id, ruleName: name, severity: severity, path: path, span: c.override.span, message: c.message, help: c.help)
            }
        }
    }
}
