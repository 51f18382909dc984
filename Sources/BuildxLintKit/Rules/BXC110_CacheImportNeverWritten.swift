/// BXC110 cache-import-never-written: a cache-from location that nothing in the repository writes,
/// while the same build writes another location of that backend.
///
/// Facts: an import of a location nobody exports never hits (docs cache backends; BuildKit logs the
/// miss as a warning only). Typical: `cache-from: type=gha` with `cache-to: type=gha,scope=…`.
public struct CacheImportNeverWrittenRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC110", name: "cache-import-never-written", severity: .warning,
        summary: "A cache-from location that nothing in the repository writes, while the same build writes another location of that backend.",
        rationale: "The import never hits, so every run builds cold although a cache is exported: usually a missing or different scope/ref on one side.",
        sources: ["docs cache/backends/index.md", "docs/rules.md (BXC110)", "docker/github-builder build.yml and bake.yml (reference §1.10)"],
        triggering: [
            RuleExample(Examples.buildPush("cache-from: type=gha\ncache-to: type=gha,mode=max,scope=build-${{ github.ref_name }}"), lines: [11])
        ],
        nonTriggering: [
            RuleExample(Examples.buildPush("cache-from: type=gha,scope=build-${{ github.ref_name }}\ncache-to: type=gha,mode=max,scope=build-${{ github.ref_name }}")),
            RuleExample(Examples.buildPush("cache-from: |\n  type=gha,scope=build-${{ github.ref_name }}\n  type=gha,scope=build-main\ncache-to: type=gha,mode=max,scope=build-${{ github.ref_name }}")),
            // docker/github-builder writes `<cache-scope>-<platform pair>` (reference §1.10).
            RuleExample(
                "on: push\njobs:\n  binary:\n    uses: docker/github-builder/.github/workflows/bake.yml@v1\n    with:\n      cache: true\n      cache-scope: binary\n      target: release\n  e2e:\n    needs: [binary]\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/build-push-action@v6\n        with:\n          cache-from: type=gha,scope=binary-linux-amd64\n          cache-to: type=gha,mode=max,scope=e2e\n"),
        ])

    /// None directly: every finding of this rule depends on other files and comes from `pending`.
    public func check(_ context: RuleContext) -> [Diagnostic] { [] }

    /// Judged once every file is analysed: the writer may be in another file.
    public func pending(_ context: RuleContext) -> [PendingFinding] {
        var out: [PendingFinding] = []
        let id = description.id, name = description.name, severity = description.severity, path = context.file.path
        for run in context.buildRuns where run.stepRun.mayRun {
            // A packed entry (BXC001) imports or exports only its last location by accident: that finding
            // covers it (and its location, cut from the packed text, is no value to suggest).
            let ownExports = run.exports.filter { !($0.entry.map(PackedCacheEntriesRule.isPacked) ?? false) }
                .flatMap { ev in (ev.locations ?? []).map { (location: $0, entry: ev) } }
            for ev in run.imports where !(ev.entry.map(PackedCacheEntriesRule.isPacked) ?? false) {
                for loc in ev.locations ?? [] where loc.backend == "gha" || loc.backend == "registry" {
                    // Only when this build writes another location of the same backend (a mismatch, not a
                    // deliberate import-only build), and every writer's location is known.
                    guard let own = ownExports.first(where: { $0.location.backend == loc.backend }),
                        ownExports.contains(where: { $0.location.backend == loc.backend && !RepositoryFacts.matches($0.location.identity, loc.identity) })
                    else { continue }
                    let span = SharedLocation.span(ev, run, direction: .import)
                    let suffix = run.stepRun.whereSuffix
                    // Shown as written: in a matrix the evaluated value is one leg's, wrong to paste for the others.
                    let imported = Self.written(loc, of: ev, in: run).map { "`\($0)`" } ?? "\(loc)"
                    let exported = Self.written(own.location, of: own.entry, in: run)
                    let help: String
                    if let again = run.imports.lazy.compactMap({ i in
                        (i.locations ?? []).first { l in ownExports.contains { $0.location.backend == l.backend && RepositoryFacts.matches($0.location.identity, l.identity) } }
                            .map { (location: $0, entry: i) }
                    }).first {
                        let shown = Self.written(again.location, of: again.entry, in: run).map { "`\($0)`" } ?? "\(again.location)"
                        help = "This build already imports what it exports (\(shown)); remove this import, or point it at a location that some build writes."
                    } else if let exported {
                        help = "Import the location this build exports: `\(exported)` in cache-from."
                    } else {
                        help = "Import the location this build exports (\(own.location)) in cache-from, written as in its cache-to."
                    }
                    out.append(PendingFinding(ruleID: id, path: path, offset: span.start.offset) { facts in
                        guard !facts.someExportUnknown, !facts.isWritten(loc) else { return nil }
                        return Diagnostic(
                            ruleID: id, ruleName: name, severity: severity, path: path, span: span,
                            message: "nothing in the repository writes \(imported), so this import never hits\(suffix); this build exports \(exported.map { "`\($0)`" } ?? "\(own.location)") instead",
                            help: help)
                    })
                }
            }
        }
        return out
    }

    /// `location` as written, with its key (`scope=…`, `ref=…`); see ``SharedLocation/writtenValue(_:of:in:)``.
    static func written(_ location: CacheLocation, of entry: EvaluatedCacheEntry, in run: BuildRun) -> String? {
        SharedLocation.writtenValue(location, of: entry, in: run).map { (location.backend == "gha" ? "scope=" : "ref=") + $0 }
    }
}
