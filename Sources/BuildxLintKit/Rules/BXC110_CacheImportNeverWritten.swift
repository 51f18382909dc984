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
        sources: ["docs cache/backends/index.md", "docs/rules.md (BXC110)"],
        triggering: [
            RuleExample(Examples.buildPush("cache-from: type=gha\ncache-to: type=gha,mode=max,scope=build-${{ github.ref_name }}"), lines: [11])
        ],
        nonTriggering: [
            RuleExample(Examples.buildPush("cache-from: type=gha,scope=build-${{ github.ref_name }}\ncache-to: type=gha,mode=max,scope=build-${{ github.ref_name }}")),
            RuleExample(Examples.buildPush("cache-from: |\n  type=gha,scope=build-${{ github.ref_name }}\n  type=gha,scope=build-main\ncache-to: type=gha,mode=max,scope=build-${{ github.ref_name }}")),
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
            let ownExports = run.exports.filter { !($0.entry.map(PackedCacheEntriesRule.isPacked) ?? false) }.flatMap { $0.locations ?? [] }
            for ev in run.imports where !(ev.entry.map(PackedCacheEntriesRule.isPacked) ?? false) {
                for loc in ev.locations ?? [] where loc.backend == "gha" || loc.backend == "registry" {
                    // Only when this build writes another location of the same backend (a mismatch, not a
                    // deliberate import-only build), and every writer's location is known.
                    guard let own = ownExports.first(where: { $0.backend == loc.backend }),
                        ownExports.contains(where: { $0.backend == loc.backend && !RepositoryFacts.matches($0.identity, loc.identity) })
                    else { continue }
                    let span = SharedLocation.span(ev, run, direction: .import)
                    let suffix = run.stepRun.whereSuffix
                    out.append(PendingFinding(ruleID: id, path: path, offset: span.start.offset) { facts in
                        guard !facts.someExportUnknown, !facts.isWritten(loc) else { return nil }
                        return Diagnostic(
                            ruleID: id, ruleName: name, severity: severity, path: path, span: span,
                            message: "nothing in the repository writes \(loc), so this import never hits\(suffix); this build exports \(own) instead",
                            help: "Use the same location on both sides, e.g. `\(loc.backend == "gha" ? "scope=\(own.identity)" : "ref=\(own.identity)")` in cache-from.")
                    })
                }
            }
        }
        return out
    }
}
