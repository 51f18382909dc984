/// BXC209 local-cache-export-not-persisted: a local cache-to folder that no later step uploads, caches
/// or moves into place.
///
/// Facts: a GitHub-hosted runner's disk is discarded after the job; a local cache survives only through
/// actions/cache, an artifact, or a move into a cached folder (docs `ci/github-actions/cache.md`, local cache).
public struct LocalCacheExportNotPersistedRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC209", name: "local-cache-export-not-persisted", severity: .warning,
        summary: "A `type=local` cache-to folder that no later step uploads, caches with actions/cache, or moves into place.",
        rationale: "A GitHub-hosted runner's disk is thrown away after the job, so a local cache export nobody keeps is lost work. Jobs on self-hosted runners (or runners not known here) are not reported: their disk may persist between jobs.",
        sources: ["docs ci/github-actions/cache.md (Local cache)"],
        triggering: [
            RuleExample(Examples.buildPush("cache-to: type=local,dest=/tmp/.buildx-cache-new,mode=max"), lines: [11]),
            // Rotated into the import folder, which nothing saves: a hosted runner's disk is gone after the job.
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          cache-from: type=local,src=/tmp/.buildx-cache
                          cache-to: type=local,dest=/tmp/.buildx-cache-new,mode=max
                      - run: |
                          rm -rf /tmp/.buildx-cache
                          mv /tmp/.buildx-cache-new /tmp/.buildx-cache

                """, lines: [12]),
        ],
        nonTriggering: [
            RuleExample(
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
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          cache-from: type=local,src=/tmp/.buildx-cache
                          cache-to: type=local,dest=/tmp/.buildx-cache-new,mode=max
                      - run: |
                          rm -rf /tmp/.buildx-cache
                          mv /tmp/.buildx-cache-new /tmp/.buildx-cache

                """),
            // The build's own script rotates the export into place; moving the folder moves what it holds.
            RuleExample(
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
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - run: |
                          docker buildx build \\
                            --cache-from type=local,src=/tmp/.buildx-cache/backend \\
                            --cache-to type=local,dest=/tmp/.buildx-cache-new/backend,mode=max \\
                            -t backend .
                          rm -rf /tmp/.buildx-cache
                          mv /tmp/.buildx-cache-new /tmp/.buildx-cache

                """),
        ])

    /// Whether `runsOn` (a job's evaluated `runs-on`) is one GitHub-hosted runner label (`ubuntu-24.04`,
    /// `windows-latest`, `macos-14`), whose disk is new for every job.
    static func isGitHubHosted(_ runsOn: String?) -> Bool {
        guard let label = runsOn, !label.contains(",") else { return false }
        return ["ubuntu-", "windows-", "macos-"].contains { label.hasPrefix($0) }
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for run in context.buildRuns where run.stepRun.mayRun {
            let steps = context.repository.stepRuns(of: run.stepRun.run)
            for ev in run.exports {
                for loc in ev.locations ?? [] where loc.backend == "local" {
                    let dest = loc.identity.split(separator: ":").first.map(String.init) ?? loc.identity
                    // Kept where it is: actions/cache saves its path at the end of the job, wherever the step
                    // stands; an upload after the build.
                    let keptInPlace = steps.contains { sr in
                        (TransportAction.of(sr.step) == .cache && LocalCacheFlow.persistedPaths(sr).contains { CachePath.isWithin(dest, $0) })
                            || (sr.order > run.stepRun.order
                                && LocalCacheFlow.persistedPaths(sr).contains { CachePath.overlap(dest, $0) })
                    }
                    // Read by a later build of the job (a second build imports what the first exported).
                    let readLater = context.repository.buildRuns(of: run.stepRun.run).contains { b in
                        b.stepRun.order > run.stepRun.order
                            && b.imports.contains { ($0.locations ?? []).contains { $0.backend == "local" && CachePath.overlap($0.identity, dest) } }
                    }
                    // Moved by a script (`mv new old`, after the build command or in a later step): on a hosted
                    // runner only worth it when the folder it goes to (the import folder) is cached or uploaded;
                    // a self-hosted runner may keep its disk.
                    let moved = steps.contains { $0.order > run.stepRun.order && LocalCacheFlow.scriptMentions($0, dest) }
                        || LocalCacheFlow.scriptMentionsAfterCommand(run.build, dest)
                    let sources = run.imports.flatMap { $0.locations ?? [] }.filter { $0.backend == "local" }.map(\.identity) + [dest]
                    // Kept when the folder it goes to is cached or uploaded: the build's own import folder, or a folder
                    // a script moves it into (a bake file's `cache-from` is not among the step's imports). Only
                    // worked out when nothing else keeps it.
                    func targetKept() -> Bool {
                        let keepers = steps.filter { sr in
                            let action = TransportAction.of(sr.step)
                            return action == .cache || (action == .upload && sr.order > run.stepRun.order)
                        }
                        let movers = LocalCacheFlow.movers(of: dest, after: run, steps: steps)
                        return keepers.contains { sr in
                            LocalCacheFlow.persistedPaths(sr).contains { p in
                                sources.contains { CachePath.overlap($0, p) } || LocalCacheFlow.moves(movers, dest, into: p)
                            }
                        }
                    }
                    // A self-hosted (or not known) runner may keep its disk between jobs (a persistent cache folder).
                    let hosted = Self.isGitHubHosted(run.stepRun.run.runsOn)
                    let persisted = keptInPlace || readLater || !hosted || (moved && targetKept())
                    // A step that is not a plain action (a local action, an unevaluated script) may keep it.
                    let unknownLater = steps.contains { $0.order > run.stepRun.order && ($0.step.uses?.isLocal ?? false) }
                    guard !persisted, !unknownLater, !ExprValue.hasMarker(dest) else { continue }
                    let span = SharedLocation.span(ev, run, direction: .export)
                    guard reported.insert(span.start.offset).inserted else { continue }
                    out.append(
                        diagnostic(
                            context, span,
                            moved
                                ? "the local cache exported to `\(dest)` is moved, but no step caches or uploads the folder it goes to\(run.stepRun.whereSuffix), and a GitHub-hosted runner's disk is gone when the job ends: the cache is lost"
                                : "the local cache exported to `\(dest)` is not uploaded, cached or moved by any later step\(run.stepRun.whereSuffix), so it is lost when the job ends",
                            help: moved
                                ? "Save the folder with actions/cache: a step before the build with `path: \(sources.first ?? dest)` restores it and saves it when the job ends."
                                : "Keep it: cache the folder with actions/cache (and rotate `-new` into place in a later `run:` step), or upload it with actions/upload-artifact."))
                }
            }
        }
        return out
    }
}
