/// BXC107 matrix-value-outside-matrix: `matrix.X` or `env.X` in a cache location where it is empty.
///
/// Facts: the `matrix` context is only populated for matrix jobs and a missing property is an empty
/// string (GitHub Docs "Contexts"); `env.X` is empty unless set by `env:` or an earlier `$GITHUB_ENV`
/// write. Seen in docker/build-push-action's CI (`scope=ci-${{ matrix.buildx_version }}` in a job with no matrix).
public struct MatrixValueOutsideMatrixRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC107", name: "matrix-value-outside-matrix", severity: .warning,
        summary: "`${{ matrix.X }}` or `${{ env.X }}` in a cache entry where it is not defined, so it is empty.",
        rationale: "An undefined matrix key or env variable evaluates to an empty string, so that part of the scope or ref is missing: the location may equal another build's, or become invalid.",
        sources: ["GitHub Docs: Contexts (matrix, env)", "docker/build-push-action .github/workflows/ci.yml (github-cache job)"],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  merge:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          cache-from: type=gha,scope=build-${{ matrix.platform }}

                """, lines: [11])
        ],
        nonTriggering: [
            // `matrix.*` is every value of the leg (an object filter), not a key named `*`.
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        platform: [linux/amd64, linux/arm64]
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: ${{ matrix.platform }}
                          cache-to: type=gha,mode=max,scope=${{ join(matrix.*, '-') }}

                """),
            RuleExample(
                """
                on: push
                env:
                  SCOPE: app
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        platform: [amd64, arm64]
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          cache-from: type=gha,scope=${{ env.SCOPE }}-${{ matrix.platform }}

                """)
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seen = Set<String>()
        for run in context.buildRuns where run.stepRun.mayRun {
            let ctx = run.stepRun.context
            let job = run.stepRun.run
            for be in run.build.entries {
                for part in Template.parts(be.entry.text) {
                    guard case .expression(_, let e?) = part.kind else { continue }
                    for path in e.referencedPaths where path.count >= 2 {
                        var problem: String? = nil
                        if path[0] == "matrix" {
                            if !job.hasMatrix {
                                problem = "`matrix.\(path[1])` is empty here: job `\(job.job.id)` has no matrix"
                            } else if job.matrixKnown, path[1] != "*",  // `matrix.*` filters every value, not a key `*`
                                !job.matrix.keys.contains(where: { $0.lowercased() == path[1].lowercased() })
                            {
                                problem = "`matrix.\(path[1])` is empty here: the matrix of job `\(job.job.id)` has no `\(path[1])`"
                            }
                        } else if path[0] == "env", ctx.env[path[1]] == nil, ctx.envFallback == .null {
                            problem = "`env.\(path[1])` is empty here: no `env:` sets it and no earlier step writes it to $GITHUB_ENV"
                        }
                        guard let problem else { continue }
                        let start = be.located.sourceOffsets[min(part.range.lowerBound, be.located.sourceOffsets.count - 1)]
                        let key = "\(start)#\(path.joined(separator: "."))"
                        guard seen.insert(key).inserted else { continue }
                        out.append(
                            diagnostic(
                                context, be.located.span(part.range),
                                "\(problem)\(run.stepRun.whereSuffix), so that part of the \(be.inputLabel) location is always empty: the location is not the one written, and may equal another build's",
                                help: path[0] == "matrix"
                                    ? "Remove `${{ matrix.\(path[1]) }}` here (a build outside a matrix makes all its platforms at once), or run this build in a matrix job that defines `\(path[1])`."
                                    : "Define `\(path[1])` in `env:` (workflow, job or step) or write it to $GITHUB_ENV in an earlier step."))
                    }
                }
            }
        }
        return out
    }
}
