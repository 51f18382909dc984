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

    /// Whether an exported identity (symbols as wildcards) can equal `identity`.
    static func matches(_ written: String, _ identity: String) -> Bool {
        if written == identity { return true }
        guard ExprValue.hasMarker(written) || ExprValue.hasMarker(identity) else { return false }
        // Turn every ⟨symbol⟩ into a wildcard on both sides (a symbol may hold any text).
        func pattern(_ s: String) -> [UInt8] {
            var out: [UInt8] = []
            var inMarker = false
            for ch in s.unicodeScalars {
                if ch == "\u{27E8}" { inMarker = true; out.append(UInt8(ascii: "*")); continue }
                if ch == "\u{27E9}" { inMarker = false; continue }
                if !inMarker { out.append(contentsOf: Array(String(ch).utf8)) }
            }
            return out
        }
        let w = pattern(written), i = pattern(identity)
        return PathGlob.matchAnything(w[...], i[...]) || PathGlob.matchAnything(i[...], w[...])
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let repo = context.repository
        let exportsUnknown = repo.someExportUnknown
        func isWritten(_ loc: CacheLocation) -> Bool {
            repo.writtenLocations.contains(loc)
                || repo.symbolicWrittenLocations.contains { $0.backend == loc.backend && Self.matches($0.identity, loc.identity) }
                || (ExprValue.hasMarker(loc.identity) && repo.writtenLocations.contains { $0.backend == loc.backend && Self.matches($0.identity, loc.identity) })
        }
        var reported = Set<Int>()
        for run in context.buildRuns where run.stepRun.mayRun {
            let ownExports = run.exports.flatMap { $0.locations ?? [] }
            // A packed entry (BXC001) imports only its last location by accident: that finding covers it.
            for ev in run.imports where (ev.entry?.typeFields.count ?? 0) <= 1 {
                for loc in ev.locations ?? [] where loc.backend == "gha" || loc.backend == "registry" {
                    // Only when this build writes another location of the same backend (a mismatch, not a
                    // deliberate import-only build), and every writer's location is known.
                    guard !exportsUnknown, ownExports.contains(where: { $0.backend == loc.backend && !Self.matches($0.identity, loc.identity) }),
                        !isWritten(loc)
                    else { continue }
                    let span = SharedLocation.span(ev, run, direction: .import)
                    guard reported.insert(span.start.offset).inserted else { continue }
                    let own = ownExports.first { $0.backend == loc.backend }!
                    out.append(
                        diagnostic(
                            context, span,
                            "nothing in the repository writes \(loc), so this import never hits\(run.stepRun.whereSuffix); this build exports \(own) instead",
                            help: "Use the same location on both sides, e.g. `\(loc.backend == "gha" ? "scope=\(own.identity)" : "ref=\(own.identity)")` in cache-from."))
                }
            }
        }
        return out
    }
}
