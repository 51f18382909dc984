/// BXC109 gha-scope-reused-across-images: one gha scope written by different builds in the repository.
///
/// Facts: the gha cache index is per repository, branch and scope, and each export replaces it
/// (docs `cache/backends/gha.md` "Scope": "each build will overwrite the cache of the previous").
public struct GHAScopeReusedAcrossImagesRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC109", name: "gha-scope-reused-across-images", severity: .warning,
        summary: "The same gha scope (including the default `buildkit`) exported by different builds anywhere in the repository's workflows.",
        rationale: "Builds of different images (or Dockerfiles, targets) that export to one scope overwrite each other's cache index on every run, so each keeps missing.",
        sources: ["docs cache/backends/gha.md (Scope)"],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  api:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          context: ./api
                          cache-to: type=gha,mode=max
                  web:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          context: ./web
                          cache-to: type=gha,mode=max

                """, lines: [22])
        ],
        nonTriggering: [
            RuleExample(
                """
                on: push
                jobs:
                  api:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          context: ./api
                          cache-to: type=gha,mode=max,scope=api
                  web:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          context: ./web
                          cache-to: type=gha,mode=max,scope=web

                """)
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for run in context.buildRuns where run.stepRun.mayRun && run.buildKey != nil {
            for ev in run.exports {
                for loc in ev.locations ?? [] where loc.backend == "gha" {
                    // The first writer of the scope in the repository (file and position order).
                    // `inputs.*`, `needs.*` and `github.job` symbols mean other things in another job.
                    let jobBound = ["\u{27E8}inputs.", "\u{27E8}needs.", "\u{27E8}github.job"].contains { loc.identity.hasSubstring($0) }
                    guard let first = context.repository.ghaWriters[loc.identity]?.first, first !== run,
                        !jobBound || first.stepRun.run === run.stepRun.run,
                        first.stepRun.stepKey != run.stepRun.stepKey, first.build.step !== run.build.step,
                        !(first.stepRun.run === run.stepRun.run && Conditions.exclusive(first.stepRun.condition, run.stepRun.condition)),
                        Self.image(first) != Self.image(run)
                    else { continue }
                    let span = SharedLocation.span(ev, run, direction: .export)
                    guard reported.insert(span.start.offset).inserted else { continue }
                    let where_ = first.file.path == run.file.path
                        ? "line \(first.build.step.node.span.start.line)" : "\(first.file.path.display):\(first.build.step.node.span.start.line)"
                    out.append(
                        diagnostic(
                            context, span,
                            "\(loc) is also written by a different build at \(where_)\(run.stepRun.whereSuffix); the two overwrite each other's cache index on every run",
                            help: "Scope gha caches per image (and platform), e.g. `scope=<image>` on this build's cache-from and cache-to."))
                }
            }
        }
        return out
    }

    /// What image a build makes, ignoring the platform: its context, file, target, bake targets.
    static func image(_ run: BuildRun) -> String {
        let names = run.build.kind == .buildPush ? ["context", "file", "target", "build-args"] : ["targets", "files", "workdir", "source"]
        return names.map { n in run.stepRun.input(n) ?? "" }.joined(separator: "\u{1}")
    }
}
