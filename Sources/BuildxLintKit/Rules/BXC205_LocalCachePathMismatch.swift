/// BXC205 local-cache-path-mismatch: a local cache `src=` or `dest=` that is not where the download,
/// upload or actions/cache step puts or reads the files.
///
/// Facts: a missing local import is only a warning ("local cache import at … not found", moby/buildkit
/// `client/solve.go`), so the build silently runs cold; download-artifact extracts a `name:` download into
/// `path` and a pattern download into `path/<artifact-name>/` (v5+: straight into `path` when exactly one
/// artifact matches), actions/download-artifact `src/download-artifact.ts`.
public struct LocalCachePathMismatchRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC205", name: "local-cache-path-mismatch", severity: .warning,
        summary: "A local cache `src=` that no earlier download or cache step fills, or a `dest=` that the job's upload step does not read.",
        rationale: "A local import whose folder is missing only logs a warning, and an export nobody uploads is lost: either way the next build runs without cache.",
        sources: ["moby/buildkit client/solve.go (missing local import is a warning)", "actions/download-artifact src/download-artifact.ts"],
        triggering: [
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
                          cache-to: type=local,dest=/tmp/cache-new,mode=max
                      - uses: actions/upload-artifact@v4
                        with:
                          name: cache
                          path: /tmp/cache

                """, lines: [11])
        ],
        nonTriggering: [
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
                          cache-to: type=local,dest=/tmp/cache,mode=max
                      - uses: actions/upload-artifact@v4
                        with:
                          name: cache
                          path: /tmp/cache

                """),
            // actions/cache saves its path when the job ends; the upload carries the image, not the cache.
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
                      - uses: actions/cache@v4
                        with:
                          path: /tmp/buildx-cache
                          key: buildx-${{ github.sha }}
                          restore-keys: buildx-
                      - uses: docker/build-push-action@v6
                        with:
                          outputs: type=docker,dest=dist/image.tar
                          cache-from: type=local,src=/tmp/buildx-cache
                          cache-to: type=local,dest=/tmp/buildx-cache,mode=max
                      - uses: actions/upload-artifact@v4
                        with:
                          name: dist
                          path: dist

                """),
            // The upload carries a test report, not the cache (a cache nobody keeps is BXC209's finding).
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
                          load: true
                          tags: app:test
                          cache-to: type=local,dest=/tmp/.buildx-cache,mode=max
                      - run: docker run --rm -v "$PWD/report:/report" app:test
                      - uses: actions/upload-artifact@v4
                        with:
                          name: test-report
                          path: report/

                """),
        ])

    /// Whether an upload step may be the one meant to carry the cache exported to `dest`: its artifact name or a
    /// path says cache, buildx or buildkit, or a path and `dest` start alike (`/tmp/cache` for `/tmp/cache-new`).
    static func mayCarryCache(_ upload: StepRun, _ dest: String) -> Bool {
        let paths = upload.input("path").map(CachePath.lines) ?? []
        let words = ([upload.input("name") ?? ""] + paths).map { $0.lowercased() }
        if words.contains(where: { $0.hasSubstring("cache") || $0.hasSubstring("buildx") || $0.hasSubstring("buildkit") }) { return true }
        let d = CachePath.normalized(dest)
        return paths.map(CachePath.normalized).contains { !["", "/", ".", "/tmp", "~"].contains($0) && (d.hasPrefix($0) || $0.hasPrefix(d)) }
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for run in context.buildRuns where run.stepRun.mayRun {
            // Only local exports matter: the job's later steps are looked at for those alone.
            guard run.exports.contains(where: { ($0.locations ?? []).contains { $0.backend == "local" } }) else { continue }
            let steps = context.repository.stepRuns(of: run.stepRun.run).filter { $0.mayRun }
            let later = steps.filter { $0.order > run.stepRun.order }
            // An actions/cache step before the build saves its path when the job ends (its post step).
            let savedAtEnd = steps.filter {
                $0.order < run.stepRun.order && TransportAction.of($0.step) == .cache && $0.step.uses?.path != "restore"
            }
            for ev in run.exports {
                for loc in ev.locations ?? [] where loc.backend == "local" && !ExprValue.hasMarker(loc.identity) {
                    let dest = loc.identity.split(separator: ":").first.map(String.init) ?? loc.identity
                    // Only an upload meant for the cache is expected to read it (a test report's upload is not;
                    // a cache nobody keeps is BXC209's finding).
                    let uploads = later.filter { TransportAction.of($0.step) == .upload && Self.mayCarryCache($0, dest) }
                    guard !uploads.isEmpty else { continue }
                    let covered = (later + savedAtEnd).contains { sr in
                        LocalCacheFlow.persistedPaths(sr).contains { CachePath.overlap(dest, $0) }
                            || (sr.order > run.stepRun.order && LocalCacheFlow.scriptMentions(sr, dest))
                    } || LocalCacheFlow.scriptMentionsAfterCommand(run.build, dest)
                    guard !covered else { continue }
                    let span = SharedLocation.span(ev, run, direction: .export)
                    guard reported.insert(span.start.offset).inserted else { continue }
                    let paths = uploads.compactMap { $0.input("path") }.flatMap(CachePath.lines)
                    out.append(
                        diagnostic(
                            context, span,
                            "the local cache is exported to `\(dest)`, but the later upload step reads \(paths.map { "`\($0)`" }.joined(separator: ", ")) and no step moves `\(dest)` there\(run.stepRun.whereSuffix); the cache is never uploaded",
                            help: "Point `dest=` at the folder the upload step reads (or upload `\(dest)`)."))
                }
            }
        }
        return out
    }
}
