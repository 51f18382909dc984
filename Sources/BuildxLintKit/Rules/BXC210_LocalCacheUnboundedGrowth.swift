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
            RuleExample(Self.carried("cache-to: type=local,dest=/tmp/.buildx-cache,mode=max"), lines: [17])
        ],
        nonTriggering: [
            RuleExample(Self.carried("cache-to: type=local,dest=/tmp/.buildx-cache-new,mode=max")),
            // Nothing carries the folder to the next run: a hosted runner starts each job with an empty disk.
            RuleExample(Examples.buildPush("cache-from: type=local,src=/tmp/.buildx-cache\ncache-to: type=local,dest=/tmp/.buildx-cache,mode=max")),
        ])

    /// A workflow that restores and saves `/tmp/.buildx-cache` with actions/cache around a build that imports it
    /// and exports with `cacheTo` (one `cache-to:` line).
    static func carried(_ cacheTo: String) -> String {
        """
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/cache@v4
                with:
                  path: /tmp/.buildx-cache
                  key: buildx-${{ github.sha }}
                  restore-keys: buildx-
              - uses: docker/setup-buildx-action@v3
                with:
                  version: v0.21.1
              - uses: docker/build-push-action@v6
                with:
                  cache-from: type=local,src=/tmp/.buildx-cache
                  \(cacheTo)

        """
    }

    /// Whether an actions/cache, upload-artifact or download-artifact step of the job carries `folder` (its
    /// `path:` is the folder, inside it or around it) from one run to the next.
    static func isCarried(_ folder: String, by steps: [StepRun]) -> Bool {
        steps.contains { sr in
            guard let action = TransportAction.of(sr.step) else { return false }
            switch action {
            case .cache, .upload, .download:
                let paths = sr.input("path").map(CachePath.lines) ?? []
                return paths.contains { CachePath.overlap(folder, $0) }
            }
        }
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for run in context.buildRuns where run.stepRun.mayRun {
            let sources = Set(run.imports.flatMap { $0.locations ?? [] }.filter { $0.backend == "local" }.map { CachePath.normalized($0.identity) })
            guard !sources.isEmpty else { continue }
            let steps = context.repository.stepRuns(of: run.stepRun.run)
            for ev in run.exports {
                guard let e = ev.entry, e.attribute("reset") != "true" else { continue }
                for loc in ev.locations ?? [] where loc.backend == "local" && sources.contains(CachePath.normalized(loc.identity)) {
                    // It only grows if the folder is carried from run to run (a hosted runner's disk is new each job).
                    guard Self.isCarried(loc.identity, by: steps) else { continue }
                    let span = SharedLocation.span(ev, run, direction: .export)
                    guard reported.insert(span.start.offset).inserted else { continue }
                    // Without a trailing `/` (`dest=/tmp/cache/` becomes `/tmp/cache-new`, not `/tmp/cache/-new`).
                    func trimmed(_ p: String) -> String {
                        var p = p
                        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
                        return p
                    }
                    let dir = trimmed(loc.identity)
                    // The entry as written, with only its destination changed.
                    let bytes = Array(e.text.utf8)
                    let renamed = e.fields.map { f in
                        f.hasEquals && f.key == "dest" ? "\(f.rawKey)=\(trimmed(f.value))-new" : String(decoding: bytes[f.range], as: UTF8.self)
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
