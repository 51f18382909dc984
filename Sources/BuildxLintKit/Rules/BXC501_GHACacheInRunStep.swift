/// BXC501 gha-cache-in-run-step: `type=gha` in a `docker buildx` command of a `run:` step with no Actions
/// runtime exposed.
///
/// Facts: buildx fills gha `token`/`url` from `ACTIONS_RUNTIME_TOKEN` and `ACTIONS_RESULTS_URL`/
/// `ACTIONS_CACHE_URL` and silently drops the entry when they are empty (docker/buildx `build/opt.go`,
/// `addGithubToken`, `isActive`); those variables reach JavaScript actions, not shell steps (docs `gha.md`
/// "Authentication"). crazy-max/ghaction-github-runtime exports them to later steps.
public struct GHACacheInRunStepRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC501", name: "gha-cache-in-run-step", severity: .error,
        summary: "`type=gha` in a `docker buildx` command of a `run:` step with no Actions runtime exposed to it.",
        rationale: "The gha cache needs ACTIONS_RUNTIME_TOKEN and the cache URL, which shell steps do not get; buildx then silently drops the gha entry: no cache, no error.",
        sources: ["docker/buildx build/opt.go (addGithubToken, isActive)", "docs cache/backends/gha.md (Authentication)", "crazy-max/ghaction-github-runtime"],
        triggering: [
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - run: docker buildx build --cache-to type=gha,mode=max --cache-from type=gha .\n",
                lines: [9])
        ],
        nonTriggering: [
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: crazy-max/ghaction-github-runtime@v3\n      - run: docker buildx build --cache-to type=gha,mode=max --cache-from type=gha .\n")
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for job in context.file.jobs {
            for build in job.builds where build.isCommandLine {
                let runtimeExposed = job.steps.contains {
                    $0.index < build.step.index && ($0.uses?.repository == "crazy-max/ghaction-github-runtime")
                }
                guard !runtimeExposed, !job.isCompositeAction else { continue }
                for be in build.entries where be.entry.type == "gha" {
                    let e = be.entry
                    // Explicit credentials make the entry active.
                    if e.attribute("token") != nil && (e.attribute("url") != nil || e.attribute("url_v2") != nil) { continue }
                    let env = build.scope.envNames
                    if env.contains("ACTIONS_RUNTIME_TOKEN") { continue }
                    out.append(
                        diagnostic(
                            context, be.located.span,
                            "`type=gha` in a `run:` step: shell steps do not get ACTIONS_RUNTIME_TOKEN or the cache URL, so buildx silently drops the command's gha cache entries (no cache, no error)",
                            help: "Add `- uses: crazy-max/ghaction-github-runtime@v3` before this step, or build with docker/build-push-action."))
                    break  // one finding per command
                }
            }
        }
        return out
    }
}
