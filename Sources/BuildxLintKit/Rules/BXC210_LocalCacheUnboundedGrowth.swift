/// BXC210 local-cache-unbounded-growth: a local cache exported onto its own import folder without
/// `reset=true`.
///
/// Facts: the local exporter rewrites index.json and never deletes old blobs (docs `local.md`;
/// moby/buildkit#1896), so a folder that is restored, imported and exported again grows every run;
/// `reset=true` (BuildKit client v0.31.0, buildx ≥ v0.35.0) prunes unreferenced blobs; the docs rotate
/// `-new` into place instead (docker/build-push-action#252).
public struct LocalCacheUnboundedGrowthRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC210", name: "local-cache-unbounded-growth", severity: .warning,
        summary: "A local cache exported onto its own import folder (`dest` == `src`) without `reset=true`: it grows forever.",
        rationale: "The local exporter keeps every old blob; restored, imported and exported again each run, the folder (and the actions/cache entry) grows until it hits the cache size limit.",
        sources: ["docs cache/backends/local.md", "moby/buildkit#1896", "docker/build-push-action#252", "moby/buildkit commit d14a00065 (reset)"],
        triggering: [
            RuleExample(Examples.buildPush("cache-from: type=local,src=/tmp/.buildx-cache\ncache-to: type=local,dest=/tmp/.buildx-cache,mode=max"), lines: [12])
        ],
        nonTriggering: [
            RuleExample(Examples.buildPush("cache-from: type=local,src=/tmp/.buildx-cache\ncache-to: type=local,dest=/tmp/.buildx-cache-new,mode=max"))
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for run in context.buildRuns where run.stepRun.mayRun {
            let sources = Set(run.imports.flatMap { $0.locations ?? [] }.filter { $0.backend == "local" }.map { CachePath.normalized($0.identity) })
            for ev in run.exports {
                guard let e = ev.entry, e.attribute("reset") != "true" else { continue }
                for loc in ev.locations ?? [] where loc.backend == "local" && sources.contains(CachePath.normalized(loc.identity)) {
                    let span = SharedLocation.span(ev, run, direction: .export)
                    guard reported.insert(span.start.offset).inserted else { continue }
                    let dir = loc.identity
                    // The entry as written, with only its destination changed.
                    let bytes = Array(e.text.utf8)
                    let renamed = e.fields.map { f in
                        f.hasEquals && f.key == "dest" ? "\(f.rawKey)=\(f.value)-new" : String(decoding: bytes[f.range], as: UTF8.self)
                    }.joined(separator: ",")
                    let replace = "rm -rf \(dir)\nmv \(dir)-new \(dir)"
                    let how: String
                    switch run.build.kind {
                    case .cliBuild, .cliBake:
                        how = "\n--cache-to \"\(renamed)\"\nand after the build command, in the same script:\n\(replace)"
                    default:
                        how = "\ncache-to: \(renamed)\n- run: |\n" + replace.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
                    }
                    out.append(
                        diagnostic(
                            context, span,
                            "cache-to writes `\(dir)`, the folder cache-from reads\(run.stepRun.whereSuffix): the local exporter never deletes old blobs, so the restored and re-saved cache grows every run",
                            help: "Export to a new folder and replace the old one after the build:" + how + "\n(or add `reset=true` with buildx v0.35.0 or newer)."))
                }
            }
        }
        return out
    }
}
