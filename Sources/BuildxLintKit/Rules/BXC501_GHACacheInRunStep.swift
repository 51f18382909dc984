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
        summary: "`type=gha` in a `docker buildx` command of a `run:` step (its flags, or the bake file it runs) with no Actions runtime exposed to it.",
        rationale: "The gha cache needs ACTIONS_RUNTIME_TOKEN and the cache URL, which shell steps do not get; buildx then silently drops the gha entry: no cache, no error.",
        sources: ["docker/buildx build/opt.go (addGithubToken, isActive)", "docs cache/backends/gha.md (Authentication)", "crazy-max/ghaction-github-runtime"],
        triggering: [
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - run: docker buildx build --cache-to type=gha,mode=max --cache-from type=gha .\n",
                lines: [9]),
            // A bake file's gha entries, run from a shell step.
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - run: docker buildx bake app\n"),
                    ("docker-bake.hcl", "target \"app\" {\n  cache-from = [\"type=gha,scope=app\"]\n  cache-to = [\"type=gha,mode=max,scope=app\"]\n}\n"),
                ], lines: [9]),
            // A composite action's `run:` step is a shell step too.
            RuleExample(files: [
                (path: "actions/build/action.yml", content: Self.compositeBuild),
                (path: ".github/workflows/ci.yml", content: Self.compositeCaller(exposingRuntime: false)),
            ], lines: [9]),
        ],
        nonTriggering: [
            // The calling job exposes the runtime before it uses the action.
            RuleExample(files: [
                (path: "actions/build/action.yml", content: Self.compositeBuild),
                (path: ".github/workflows/ci.yml", content: Self.compositeCaller(exposingRuntime: true)),
            ]),
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: crazy-max/ghaction-github-runtime@v3\n      - run: docker buildx build --cache-to type=gha,mode=max --cache-from type=gha .\n"),
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: crazy-max/ghaction-github-runtime@v3\n      - run: docker buildx bake app\n"),
                    ("docker-bake.hcl", "target \"app\" {\n  cache-from = [\"type=gha,scope=app\"]\n  cache-to = [\"type=gha,mode=max,scope=app\"]\n}\n"),
                ]),
        ])

    /// A composite action that builds with `docker buildx build` and gha cache flags.
    static let compositeBuild = """
        name: build
        description: Build the image
        runs:
          using: composite
          steps:
            - shell: bash
              run: |
                docker buildx build \\
                  --cache-from type=gha \\
                  --cache-to type=gha,mode=max .

        """

    /// A workflow that uses `./actions/build`, after crazy-max/ghaction-github-runtime when `exposingRuntime`.
    static func compositeCaller(exposingRuntime: Bool) -> String {
        let runtime = exposingRuntime ? "      - uses: crazy-max/ghaction-github-runtime@v3\n" : ""
        return "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n" + runtime
            + "      - uses: ./actions/build\n"
    }

    /// The action that exports the runtime token and cache URL to later steps.
    static let runtimeAction = FlowWalker.runtimeAction

    /// Whether a job of the repository that uses the composite action holding `step` runs `runtimeAction` before
    /// it (directly, or earlier in the same action).
    static func aCallerExposesRuntime(_ step: Step, _ context: RuleContext) -> Bool {
        for sr in context.stepRuns where sr.step === step {
            let earlier = context.repository.stepRuns(of: sr.run).filter { $0.order < sr.order }
            if earlier.contains(where: { $0.step.uses?.repository == runtimeAction }) { return true }
        }
        return false
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for job in context.file.jobs {
            for build in job.builds where build.isCommandLine {
                let runtimeExposed = job.steps.contains {
                    $0.index < build.step.index && ($0.uses?.repository == Self.runtimeAction)
                }
                guard !runtimeExposed else { continue }
                // A composite action's `run:` steps are shell steps too; a calling job may expose the runtime
                // before it uses the action.
                if job.isCompositeAction, Self.aCallerExposesRuntime(build.step, context) { continue }
                if build.scope.envNames.contains("ACTIONS_RUNTIME_TOKEN") { continue }
                if let be = build.entries.first(where: { $0.entry.type == "gha" && !Self.hasCredentials($0.entry) }) {
                    out.append(
                        diagnostic(
                            context, be.located.span,
                            "`type=gha` in a `run:` step: shell steps do not get ACTIONS_RUNTIME_TOKEN or the cache URL, so buildx silently drops the command's gha cache entries (no cache, no error)",
                            help: Self.help))
                    continue  // one finding per command
                }
                // `docker buildx bake` without cache flags: the bake file's targets may use gha.
                guard build.kind == .cliBake, let command = build.command, let offsets = build.scriptOffsets, let first = command.words.first else { continue }
                let targets = context.repository.bakeInvocations(in: context.file.path).filter { $0.run.build === build }.compactMap(\.resolution).flatMap(\.targets)
                guard let target = targets.first(where: { t in (t.cacheFrom + t.cacheTo).contains(where: Self.isGHAWithoutCredentials) }) else { continue }
                let end = command.words[min(2, command.words.count - 1)].range.upperBound
                out.append(
                    diagnostic(
                        context, context.file.text.span(of: first.range.lowerBound..<end, through: offsets),
                        "target `\(target.name)` of this `docker buildx bake` caches with `type=gha` (in \(target.file)), but a `run:` step does not get ACTIONS_RUNTIME_TOKEN or the cache URL, so buildx silently drops those entries (no cache, no error)",
                        help: Self.bakeHelp))

            }
        }
        return out
    }

    static let help = "Add `- uses: crazy-max/ghaction-github-runtime@v3` before this step, or build with docker/build-push-action."
    static let bakeHelp = "Add `- uses: crazy-max/ghaction-github-runtime@v3` before this step, or build with docker/bake-action."

    /// Explicit credentials (`token=` with `url=` or `url_v2=`) make a gha entry work anywhere.
    static func hasCredentials(_ e: CacheEntry) -> Bool { e.ghaHasCredentials }

    /// Whether a resolved bake cache entry is `type=gha` without explicit credentials.
    static func isGHAWithoutCredentials(_ item: BakeCacheItem) -> Bool {
        if let e = item.entry { return e.type == "gha" && !hasCredentials(e) }
        // An object with a value not known here still names its type and which keys it sets.
        guard case .object(let o, _, _) = item else { return false }
        return o["type"] == "gha" && !(o["token"] != nil && (o["url"] != nil || o["url_v2"] != nil))
    }
}
