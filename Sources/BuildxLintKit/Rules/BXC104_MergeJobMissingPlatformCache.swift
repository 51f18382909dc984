/// BXC104 merge-job-missing-platform-cache: a job that rebuilds several platforms after a matrix job
/// imports fewer of the legs' caches than the legs export.
///
/// Facts: docker/build-push-action#1087 (caches built per runner, then all platforms rebuilt in one
/// job; only one platform hit); docs cache backends index "Multiple caches" (several imports are allowed).
public struct MergeJobMissingPlatformCacheRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC104", name: "merge-job-missing-platform-cache", severity: .error,
        summary: "A job that builds several platforms after a matrix job imports only some of the per-leg caches that job exports.",
        rationale: "Platforms whose cache is not imported rebuild from scratch in the merge job: import one cache entry per leg the matrix job exports.",
        sources: ["docker/build-push-action#1087", "docs cache/backends/index.md (Multiple caches)"],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        arch: [amd64, arm64]
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/${{ matrix.arch }}
                          cache-to: type=gha,mode=max,scope=build-${{ matrix.arch }}
                  merge:
                    needs: build
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64,linux/arm64
                          cache-from: type=gha,scope=build-amd64

                """, lines: [26])
        ],
        nonTriggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        arch: [amd64, arm64]
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/${{ matrix.arch }}
                          cache-to: type=gha,mode=max,scope=build-${{ matrix.arch }}
                  merge:
                    needs: build
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64,linux/arm64
                          cache-from: |
                            type=gha,scope=build-amd64
                            type=gha,scope=build-arm64

                """)
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for run in context.buildRuns where run.stepRun.mayRun && !run.stepRun.run.hasMatrix {
            guard let platforms = run.platforms, platforms.count > 1 else { continue }
            let job = run.stepRun.run
            // Imported locations (known ones).
            var imported = Set<CacheLocation>()
            for ev in run.imports { for l in ev.locations ?? [] { imported.insert(l) } }
            guard !imported.isEmpty else { continue }
            // The needed matrix jobs of the same workflow run and the locations their legs export.
            guard !job.needsClosure.isEmpty else { continue }
            let needed = context.repository.jobRuns(inWorkflow: job.file.path).filter {
                $0.caller == job.caller && job.needsClosure.contains($0.job.id) && $0.legCount > 1
            }
            var byJob: [String: [BuildRun]] = [:]
            for n in needed {
                for b in context.repository.buildRuns(of: n) { byJob[b.stepRun.run.job.id, default: []].append(b) }
            }
            for (jobID, builds) in byJob.sorted(by: { $0.key < $1.key }) {
                for legs in builds.groupedByStep() where legs.count > 1 {
                    // One location per leg and backend (the legs must export distinct locations to count).
                    var perLeg: [CacheLocation] = []
                    for b in legs {
                        guard let first = b.exports.first?.locations?.first else { continue }
                        perLeg.append(first)
                    }
                    let distinct = Set(perLeg)
                    guard distinct.count > 1, distinct.allSatisfy({ !ExprValue.hasMarker($0.identity) }) else { continue }
                    let hit = distinct.intersection(imported)
                    guard !hit.isEmpty, hit.count < distinct.count else { continue }
                    let missing = distinct.subtracting(hit).map(\.description).sorted()
                    let span = run.imports.first.map { SharedLocation.span($0, run, direction: .import) } ?? run.build.step.node.span
                    let lines = distinct.sorted { $0.identity < $1.identity }.compactMap { loc -> String? in
                        switch loc.backend {
                        case "gha": return "type=gha,scope=\(loc.identity)"
                        case "registry": return "type=registry,ref=\(loc.identity)"
                        case "local": return "type=local,src=\(loc.identity)"
                        default: return nil
                        }
                    }
                    out.append(
                        diagnostic(
                            context, span,
                            "this job builds \(platforms.count) platforms but imports \(hit.count) of the \(distinct.count) caches that the legs of job `\(jobID)` export; missing: \(missing.joined(separator: ", ")), so those platforms rebuild from scratch\(run.stepRun.whereSuffix)",
                            help: "Import one cache entry per leg (one line each):\ncache-from: |\n" + lines.map { "  " + $0 }.joined(separator: "\n")))
                }
            }
        }
        return out
    }
}
