/// BXC204 merge-multiple-local-caches: several local caches downloaded into one folder that a build
/// then imports with `type=local,src=`.
///
/// Facts: with `merge-multiple: true` download-artifact extracts every matching artifact into `path`
/// (actions/download-artifact `src/download-artifact.ts`); each local cache has its own `index.json`
/// (OCI layout, docs `local.md`), so only one survives and only one platform's cache is imported.
public struct MergeMultipleLocalCachesRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC204", name: "merge-multiple-local-caches", severity: .error,
        summary: "download-artifact `merge-multiple: true` bringing several local caches into one folder used as `type=local,src=`.",
        rationale: "Every local cache has its own index.json; merged into one folder they overwrite each other, so only one platform's cache is referenced and imported.",
        sources: ["actions/download-artifact src/download-artifact.ts", "docs cache/backends/local.md (index.json)"],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  merge:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/download-artifact@v4
                        with:
                          pattern: cache-*
                          path: /tmp/cache
                          merge-multiple: true
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64,linux/arm64
                          cache-from: type=local,src=/tmp/cache

                """, lines: [10])
        ],
        nonTriggering: [
            RuleExample(
                """
                on: push
                jobs:
                  merge:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/download-artifact@v4
                        with:
                          pattern: cache-*
                          path: /tmp/cache
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64,linux/arm64
                          cache-from: |
                            type=local,src=/tmp/cache/cache-linux-amd64
                            type=local,src=/tmp/cache/cache-linux-arm64

                """)
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for sr in context.stepRuns where sr.mayRun && TransportAction.of(sr.step) == .download {
            guard sr.input("merge-multiple") == "true", let path = sr.input("path") ?? Optional("."),
                sr.step.input("name") == nil || (sr.input("pattern") != nil)
            else { continue }
            if sr.step.input("pattern") != nil {
                // A pattern not known here may name one artifact; one without `*`, `?` or `[` names at most one
                // (artifact names are unique in a run since v4), so nothing is overwritten.
                guard let pattern = sr.input("pattern"), pattern.contains(where: { "*?[".contains($0) }) else { continue }
            }
            // A later build in the same job run importing that folder as one local cache.
            let importer = context.repository.buildRuns(of: sr.run).first { b in
                b.stepRun.order > sr.order && b.imports.contains { ev in
                    (ev.locations ?? []).contains { $0.backend == "local" && CachePath.normalized($0.identity) == CachePath.normalized(path) }
                }
            }
            guard let importer, let input = sr.step.input("merge-multiple"), reported.insert(input.key.span.start.offset).inserted else { continue }
            out.append(
                diagnostic(
                    context, input.key.span,
                    "`merge-multiple: true` extracts every matching artifact into `\(path)`, and the build at \(importer.file.path == context.file.path ? "line \(importer.build.step.node.span.start.line)" : importer.file.path.display) imports that folder as ONE local cache: the caches' index.json files overwrite each other, so only one is used",
                    help: "Download each cache into its own folder (drop `merge-multiple`; each artifact then lands in `\(path)/<artifact name>/`) and import each with its own line:\ncache-from: |\n  type=local,src=\(path)/<artifact-1>\n  type=local,src=\(path)/<artifact-2>"))
        }
        return out
    }
}
