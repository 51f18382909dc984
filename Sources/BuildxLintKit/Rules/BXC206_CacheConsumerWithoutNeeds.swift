/// BXC206 cache-consumer-without-needs: a job downloads an artifact another job of the workflow uploads
/// without a `needs:` path to that job.
///
/// Facts: jobs run in parallel unless `needs:` orders them (GitHub Docs "Using jobs: defining
/// prerequisite jobs"), so the download may run before the upload exists and fail or find nothing.
public struct CacheConsumerWithoutNeedsRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC206", name: "cache-consumer-without-needs", severity: .error,
        summary: "A job that downloads another job's artifact (a cache or digests) without a `needs:` path to that job.",
        rationale: "Without `needs:` the jobs run in parallel: the download runs before the upload exists and fails, or the build runs without the cache.",
        sources: ["GitHub Docs: jobs.<job_id>.needs"],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/upload-artifact@v4
                        with:
                          name: buildx-cache
                          path: /tmp/cache
                  merge:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/download-artifact@v4
                        with:
                          name: buildx-cache
                          path: /tmp/cache

                """, lines: [13])
        ],
        nonTriggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/upload-artifact@v4
                        with:
                          name: buildx-cache
                          path: /tmp/cache
                  merge:
                    needs: build
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/download-artifact@v4
                        with:
                          name: buildx-cache
                          path: /tmp/cache

                """)
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for sr in context.stepRuns where sr.mayRun && TransportAction.of(sr.step) == .download {
            let uploads = context.repository.uploads(inWorkflow: sr.run.file.path).filter(\.mayRun)
            let name = sr.input("name"), pattern = sr.input("pattern")
            guard name != nil || pattern != nil else { continue }
            let producers = uploads.filter { up in
                up.run.file.path == sr.run.file.path && up.run.caller == sr.run.caller && up.run.job.id != sr.run.job.id
                    && {
                        guard let upName = up.input("name") ?? (up.step.input("name") == nil ? "artifact" : nil) else { return false }
                        if let name { return upName == name }
                        return PathGlob.matchAnything(Array(pattern!.utf8)[...], Array(upName.utf8)[...])
                    }()
            }
            guard let producer = producers.first(where: { !sr.run.needsClosure.contains($0.run.job.id) }),
                !producers.contains(where: { sr.run.needsClosure.contains($0.run.job.id) }),
                let node = sr.step.usesNode, reported.insert(node.span.start.offset).inserted
            else { continue }
            out.append(
                diagnostic(
                    context, node.valueSpan,
                    "job `\(sr.run.job.id)` downloads `\(name ?? pattern!)`, which job `\(producer.run.job.id)` uploads, but does not need it: the jobs run in parallel and the download can run before the upload",
                    help: "Add `needs: \(producer.run.job.id)` to job `\(sr.run.job.id)`."))
        }
        return out
    }
}
