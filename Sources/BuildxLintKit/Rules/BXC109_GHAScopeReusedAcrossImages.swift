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

    /// None directly: every finding of this rule depends on other files and comes from `pending`.
    public func check(_ context: RuleContext) -> [Diagnostic] { [] }

    /// Judged once every file is analysed: the scope's first writer may be in another file.
    public func pending(_ context: RuleContext) -> [PendingFinding] {
        var out: [PendingFinding] = []
        let id = description.id, name = description.name, severity = description.severity, path = context.file.path
        for run in context.buildRuns where run.stepRun.mayRun && run.buildKey != nil {
            let me = RepositoryFacts.writer(run)
            for ev in run.exports {
                for loc in ev.locations ?? [] where loc.backend == "gha" {
                    // `inputs.*`, `needs.*` and `github.job` symbols mean other things in another job.
                    let jobBound = ["\u{27E8}inputs.", "\u{27E8}needs.", "\u{27E8}github.job"].contains { loc.identity.hasSubstring($0) }
                    let span = SharedLocation.span(ev, run, direction: .export)
                    let suffix = run.stepRun.whereSuffix
                    out.append(PendingFinding(ruleID: id, path: path, offset: span.start.offset) { facts in
                        // The first writer of the scope in the repository (file and position order).
                        guard let first = facts.firstGHAWriters[loc.identity], first.stepKey != me.stepKey,
                            !jobBound || RepositoryFacts.sameJobRun(first, me),
                            (first.path, first.stepOffset) != (me.path, me.stepOffset),
                            !(RepositoryFacts.sameJobRun(first, me) && Conditions.exclusive(first.condition, me.condition)),
                            first.image != me.image
                        else { return nil }
                        let where_ = first.path == me.path ? "line \(first.line)" : "\(first.path.display):\(first.line)"
                        return Diagnostic(
                            ruleID: id, ruleName: name, severity: severity, path: path, span: span,
                            message: "\(loc) is also written by a different build at \(where_)\(suffix); the two overwrite each other's cache index on every run",
                            help: "Scope gha caches per image (and platform), e.g. `scope=<image>` on this build's cache-from and cache-to.")
                    })
                }
            }
        }
        return out
    }
}
