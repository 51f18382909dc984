/// BXC208 cache-artifact-missing-files-ignored: a cache upload without `if-no-files-found: error`.
///
/// Facts: upload-artifact's default `if-no-files-found: warn` passes the step when nothing matched
/// (actions/upload-artifact `action.yml`), so a broken cache path goes unnoticed.
public struct CacheArtifactMissingFilesIgnoredRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC208", name: "cache-artifact-missing-files-ignored", severity: .info,
        summary: "An upload-artifact of a buildx local cache folder without `if-no-files-found: error`.",
        rationale: "With the default `warn`, an empty or missing cache folder uploads nothing and the step still passes; the next job silently builds cold.",
        sources: ["actions/upload-artifact action.yml (if-no-files-found default)"],
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
                          cache-to: type=local,dest=/tmp/cache,mode=max
                      - uses: actions/upload-artifact@v4
                        with:
                          name: cache
                          path: /tmp/cache

                """, lines: [12])
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
                          if-no-files-found: error

                """)
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for sr in context.stepRuns where sr.mayRun && TransportAction.of(sr.step) == .upload {
            guard sr.input("if-no-files-found") != "error", let paths = sr.input("path").map(CachePath.lines), let node = sr.step.usesNode else { continue }
            let isCache = context.repository.buildRuns(of: sr.run).contains { b in
                b.stepRun.order < sr.order
                    && b.exports.contains { ev in
                        (ev.locations ?? []).contains { loc in loc.backend == "local" && paths.contains { CachePath.isWithin(loc.identity, $0) } }
                    }
            }
            guard isCache, reported.insert(node.span.start.offset).inserted else { continue }
            out.append(
                diagnostic(
                    context, node.valueSpan,
                    "this upload carries a buildx local cache but keeps the default `if-no-files-found: warn`: if the cache folder is empty or missing, the step passes and the cache is silently lost",
                    help: "Add `if-no-files-found: error` to the upload step."))
        }
        return out
    }
}
