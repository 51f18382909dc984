/// BXC109 gha-scope-reused-across-images: one gha scope written by different builds in the repository
/// (different images, or one image for platforms known to differ).
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
        rationale: "Builds of different images (or Dockerfiles, targets), or of one image for different platforms (a multi-platform build split over jobs or over calls of a reusable workflow, each stating its platforms), that export to one scope overwrite each other's cache index on every run, so each keeps missing. This includes calls of one reusable workflow that build different things, and several `docker buildx build` commands of one `run:` script (when the Actions runtime is exposed to it; otherwise buildx drops their gha entries: BXC501). Legs of one matrix job are BXC101's.",
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

                """, lines: [22]),
            RuleExample(
                """
                on: push
                jobs:
                  amd64:
                    runs-on: ubuntu-24.04
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64
                          cache-from: type=gha
                          cache-to: type=gha,mode=max
                  arm64:
                    runs-on: ubuntu-24.04-arm
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/arm64
                          cache-from: type=gha
                          cache-to: type=gha,mode=max

                """, lines: [24]),
            RuleExample(
                """
                on: push
                jobs:
                  x64:
                    runs-on: ubuntu-24.04
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          cache-from: type=gha,scope=app
                          cache-to: type=gha,mode=max,scope=app
                  arm:
                    runs-on: ubuntu-24.04-arm
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          cache-from: type=gha,scope=app
                          cache-to: type=gha,mode=max,scope=app

                """, lines: [22]),
            RuleExample(
                """
                on: push
                jobs:
                  test:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          load: true
                          cache-from: type=gha
                          cache-to: type=gha,mode=max
                  publish:
                    needs: test
                    runs-on: ubuntu-latest
                    steps:
                      - run: echo "BUILD_NUMBER=$(date +%s)" >> "$GITHUB_ENV"
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64,linux/arm64
                          build-args: BUILD_NUMBER=${{ env.BUILD_NUMBER }}
                          cache-from: type=gha
                          cache-to: type=gha,mode=max

                """, lines: [27]),
            // Two bake invocations whose targets inherit one scope from a shared parent in the bake file.
            RuleExample(files: [
                (path: ".github/workflows/ci.yml", content: Self.bakeJobs("test-all", "image-all")),
                (path: "docker-bake.hcl", content: Self.bakeFile(parentScope: true)),
            ], lines: [22]),
        ],
        nonTriggering: [
            // A reusable workflow walked without a caller: its `inputs.context` may be the other build's `.`.
            RuleExample(files: [
                (path: ".github/workflows/build-pr.yml", content: Self.reusableBuild(context: "${{ inputs.context }}", input: true)),
                (path: ".github/workflows/build.yml", content: Self.reusableBuild(context: ".", input: false)),
            ]),
            // Each bake target has a scope of its own.
            RuleExample(files: [
                (path: ".github/workflows/ci.yml", content: Self.bakeJobs("test-all", "image-all")),
                (path: "docker-bake.hcl", content: Self.bakeFile(parentScope: false)),
            ]),
            RuleExample(
                """
                on: push
                jobs:
                  edge:
                    if: github.ref_type == 'branch'
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          context: ./edge
                          cache-to: type=gha,mode=max
                  release:
                    if: github.ref_type == 'tag'
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          context: ./release
                          cache-to: type=gha,mode=max

                """),
            RuleExample(
                """
                on: [push, pull_request]
                jobs:
                  test:
                    if: github.event_name == 'pull_request'
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          load: true
                          cache-from: type=gha
                          cache-to: type=gha,mode=max
                  release:
                    if: github.event_name != 'pull_request'
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64,linux/arm64
                          cache-from: type=gha
                          cache-to: type=gha,mode=max

                """),
            RuleExample(
                """
                on: push
                jobs:
                  amd64:
                    runs-on: ubuntu-24.04
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64
                          cache-from: type=gha,scope=buildkit-linux-amd64
                          cache-to: type=gha,mode=max,scope=buildkit-linux-amd64
                  arm64:
                    runs-on: ubuntu-24.04-arm
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/arm64
                          cache-from: type=gha,scope=buildkit-linux-arm64
                          cache-to: type=gha,mode=max,scope=buildkit-linux-arm64

                """),
            RuleExample(
                """
                on: push
                jobs:
                  native:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64
                          cache-to: type=gha,mode=max
                  detected:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - id: detect
                        run: echo "platforms=linux/arm64" >> "$GITHUB_OUTPUT"
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: ${{ steps.detect.outputs.platforms }}
                          cache-to: type=gha,mode=max

                """),
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

    /// Whether `me` writing `first`'s scope is a collision to report: another step (or, with
    /// `sameStepAllowed`, the same step run by another caller), a job-bound scope only within one job run,
    /// and not two steps of one job run whose `if:`s exclude each other.
    static func collide(_ first: RepositoryFacts.GHAWriter, _ me: RepositoryFacts.GHAWriter, jobBound: Bool, sameStepAllowed: Bool) -> Bool {
        guard first.stepKey != me.stepKey, !jobBound || RepositoryFacts.sameJobRun(first, me) else { return false }
        // One step reached twice is one build, unless two callers run it (a reusable workflow called once per platform).
        if first.sameBuild(as: me), !(sameStepAllowed && first.jobKey != me.jobKey) { return false }
        return !(RepositoryFacts.sameJobRun(first, me) && Conditions.exclusive(first.condition, me.condition))
    }

    /// The help of a finding against another image's build.
    /// The help of a finding against another image's build; `written` is this build's scope as written (kept
    /// after the image name, so a per-platform part stays).
    static func differentBuildHelp(_ written: String?) -> String {
        guard let written, !written.isEmpty else {
            return "Scope gha caches per image (and platform), e.g. `scope=<image>` on this build's cache-from and cache-to."
        }
        return "Scope gha caches per image, e.g. `scope=<image>-\(written)` on this build's cache-from and cache-to (the image name added, the rest of the scope kept)."
    }

    /// The message of a finding against another image's build, naming where that build is written.
    static func differentBuildMessage(_ first: RepositoryFacts.GHAWriter, _ me: RepositoryFacts.GHAWriter, _ loc: CacheLocation, _ suffix: String) -> String {
        if first.sameBuild(as: me) {
            // One step of a reusable workflow, in calls that build different things (`suffix` names this call).
            return "\(loc) is written by this build in every call of its reusable workflow, and the calls build different things\(suffix); each call's export replaces the other's cache index on every run"
        }
        let where_ = first.path == me.path ? "line \(first.line)" : "\(first.path.display):\(first.line)"
        // `suffix` says where this build runs (a caller, a composite action): next to "this build", not to the other's place.
        if !suffix.isEmpty {
            return "\(loc) is written by this build\(suffix) and also by a different build at \(where_); the two overwrite each other's cache index on every run"
        }
        return "\(loc) is also written by a different build at \(where_); the two overwrite each other's cache index on every run"
    }

    /// The finding for a build whose platforms differ from the scope's first writer's in the same workflow.
    static func platformFinding(
        _ first: RepositoryFacts.GHAWriter, _ me: RepositoryFacts.GHAWriter, mine: String, theirs: String, location loc: CacheLocation,
        suffix: String, make: (String, String) -> Diagnostic
    ) -> Diagnostic {
        let where_ = first.path == me.path ? "line \(first.line)" : "\(first.path.display):\(first.line)"
        let pair = String(mine.map { $0 == "/" ? "-" : $0 == "," ? "_" : $0 })
        let sameStep = first.sameBuild(as: me)
        let help =
            sameStep
            ? "Scope gha caches per platform: each call of this workflow needs a scope of its own on both cache-from and cache-to (pass one in as an input, or build it from the platform input with `/` replaced, as in `scope=\(scopeSuggestion(loc.identity, pair))`)."
            : "Scope gha caches per platform, e.g. `scope=\(scopeSuggestion(loc.identity, pair))` on this build's cache-from and cache-to (and a scope of its own for the other platform's build)."
        return make(
            "\(loc) is also written by the build for \(theirs) at \(where_); this build\(suffix) is for \(mine), and the two overwrite each other's cache index on every run, so a platform only one of them builds keeps missing",
            help)
    }

    /// A scope for one platform: the written scope (`buildkit` by default) with the platform pair appended.
    static func scopeSuggestion(_ identity: String, _ pair: String) -> String {
        ExprValue.writtenAsExpressions(identity) + "-" + pair
    }

    /// None directly: every finding of this rule depends on other files and comes from `pending`.
    public func check(_ context: RuleContext) -> [Diagnostic] { [] }

    /// A reusable workflow that builds `context` with the default gha scope (declaring a `context` input when `input`).
    static func reusableBuild(context: String, input: Bool) -> String {
        let inputs = input ? "\n    inputs:\n      context:\n        type: string\n        default: ." : ""
        return """
            on:
              workflow_call:\(inputs)
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - uses: docker/build-push-action@v6
                    with:
                      context: \(context)
                      cache-from: type=gha
                      cache-to: type=gha,mode=max

            """
    }

    /// Two jobs, each running docker/bake-action for one target (`first`, then `second`).
    static func bakeJobs(_ first: String, _ second: String) -> String {
        var out = "on: push\njobs:\n"
        for (job, target) in [("t", first), ("i", second)] {
            out += """
                  \(job):
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/bake-action@v6
                        with:
                          source: .
                          targets: \(target)

                """
        }
        return out
    }

    /// Targets `test-all` and `image-all` (two stages of one Dockerfile), their gha scope set in a shared parent
    /// (`parentScope`) or in each target.
    static func bakeFile(parentScope: Bool) -> String {
        let shared = "  cache-from = [\"type=gha,scope=cni\"]\n  cache-to = [\"type=gha,scope=cni,mode=max\"]\n"
        func own(_ scope: String) -> String {
            parentScope ? "" : "  cache-from = [\"type=gha,scope=\(scope)\"]\n  cache-to = [\"type=gha,scope=\(scope),mode=max\"]\n"
        }
        return "target \"_common\" {\n" + (parentScope ? shared : "") + "}\n"
            + "target \"test-all\" {\n  inherits = [\"_common\"]\n  target = \"test\"\n" + own("test") + "}\n"
            + "target \"image-all\" {\n  inherits = [\"_common\"]\n  target = \"runtime\"\n" + own("image") + "}\n"
    }

    /// How `me` writing `loc` collides with the scope's first writer in `facts`, or nil when it does not.
    enum Collision {
        /// The first writer in this workflow's runs builds for other platforms (`theirs`; `mine` are this build's).
        case platforms(first: RepositoryFacts.GHAWriter, mine: String, theirs: String)
        /// The first writer (in this workflow's runs, or anywhere) builds another image.
        case image(first: RepositoryFacts.GHAWriter)
    }

    /// Whether two writers build different images for certain: a value known only as a symbol (a reusable
    /// workflow's `inputs.context` walked without a caller) may be the other's text, so it matches anything.
    static func differentImages(_ a: RepositoryFacts.GHAWriter, _ b: RepositoryFacts.GHAWriter) -> Bool {
        a.image != b.image && !RepositoryFacts.matches(a.image, b.image)
    }

    /// The collision of `me` (a writer of gha location `loc`) with the first writers in `facts`.
    static func collision(_ facts: RepositoryFacts, _ me: RepositoryFacts.GHAWriter, _ loc: CacheLocation) -> Collision? {
        // `inputs.*`, `needs.*` and `github.job` symbols mean other things in another job.
        let jobBound = ["\u{27E8}inputs.", "\u{27E8}needs.", "\u{27E8}github.job"].contains { loc.identity.hasSubstring($0) }
        // First the builds of this workflow's runs, which run together unless their jobs' `if:`s exclude each other:
        // another platform (a multi-platform build split over jobs, or over calls of a reusable workflow; whatever
        // else is known), or another image.
        if let first = facts.firstGHAWritersInRun[RepositoryFacts.ScopeInRun(scope: loc.identity, rootPath: me.rootPath)],
            !Conditions.exclusive(first.jobCondition, me.jobCondition)
        {
            // One step in two calls differs in platform by call only in the same matrix leg: legs of a matrix over
            // platforms collide within each call already (BXC101), and across calls the builds differ in more
            // than the platform.
            let acrossLegs = first.sameBuild(as: me) && first.legIndex != me.legIndex
            if RepositoryFacts.differentPlatforms(first, me), !acrossLegs, collide(first, me, jobBound: jobBound, sameStepAllowed: true),
                let mine = me.platforms, let theirs = first.platforms
            {
                return .platforms(first: first, mine: mine, theirs: theirs)
            }
            if first.imageKnown, me.imageKnown, differentImages(first, me), collide(first, me, jobBound: jobBound, sameStepAllowed: true) {
                return .image(first: first)
            }
        }
        // Then the first writer anywhere in the repository: another image (in this workflow, only when the two
        // jobs can run together).
        guard me.imageKnown, let first = facts.firstGHAWriters[loc.identity], differentImages(first, me),
            !(first.rootPath == me.rootPath && Conditions.exclusive(first.jobCondition, me.jobCondition)),
            // Workflows that never run on one git ref write different cache indexes.
            GitRefs.overlap(first.refs, me.refs),
            collide(first, me, jobBound: jobBound, sameStepAllowed: false)
        else { return nil }
        return .image(first: first)
    }

    /// Judged once every file is analysed: the scope's first writer may be in another file.
    public func pending(_ context: RuleContext) -> [PendingFinding] {
        var out: [PendingFinding] = []
        let id = description.id, name = description.name, severity = description.severity, path = context.file.path
        // Only builds that export to gha: the writer record costs evaluations.
        for run in context.buildRuns where run.stepRun.mayRun && run.exports.contains(where: { $0.locations?.contains { $0.backend == "gha" } == true }) {
            let me = RepositoryFacts.writer(run, refs: GitRefs.of(run.stepRun.run, files: context.repository.files))
            guard me.imageKnown || me.platforms != nil else { continue }
            for ev in run.exports {
                for loc in ev.locations ?? [] where loc.backend == "gha" {
                    let span = SharedLocation.span(ev, run, direction: .export)
                    let suffix = run.stepRun.whereSuffix
                    let written = SharedLocation.writtenValue(loc, of: ev, in: run)
                    out.append(PendingFinding(ruleID: id, path: path, offset: span.start.offset) { facts in
                        switch Self.collision(facts, me, loc) {
                        case .platforms(let first, let mine, let theirs)?:
                            return Self.platformFinding(
                                first, me, mine: mine, theirs: theirs, location: loc, suffix: suffix,
                                make: { Diagnostic(ruleID: id, ruleName: name, severity: severity, path: path, span: span, message: $0, help: $1) })
                        case .image(let first)?:
                            return Diagnostic(
                                ruleID: id, ruleName: name, severity: severity, path: path, span: span,
                                message: Self.differentBuildMessage(first, me, loc, suffix), help: Self.differentBuildHelp(written))
                        case nil:
                            return nil
                        }
                    })
                }
            }
        }
        // The targets of bake invocations, through what their bake files write (reported at the invocation's step).
        for inv in context.repository.bakeInvocations(in: path) where inv.run.stepRun.mayRun {
            let run = inv.run
            let span = Self.bakeStepSpan(run)
            let suffix = run.stepRun.whereSuffix
            for (loc, me) in RepositoryFacts.bakeTargetWriters(inv, refs: GitRefs.of(run.stepRun.run, files: context.repository.files))
            where me.imageKnown || me.platforms != nil {
                out.append(PendingFinding(ruleID: id, path: path, offset: span.start.offset) { facts in
                    let first: RepositoryFacts.GHAWriter
                    switch Self.collision(facts, me, loc) {
                    case .platforms(let f, _, _)?, .image(let f)?: first = f
                    case nil: return nil
                    }
                    return Diagnostic(
                        ruleID: id, ruleName: name, severity: severity, path: path, span: span,
                        message: Self.bakeTargetMessage(first, me, loc, suffix), help: Self.bakeTargetHelp(me.bakeTarget ?? "<target>"))
                })
            }
        }
        return out
    }

    /// Where a finding about a bake invocation's target sits: the step's `targets:` value, else its `uses:` value,
    /// else its `run:` key.
    static func bakeStepSpan(_ run: BuildRun) -> SourceSpan {
        let step = run.build.step
        if run.build.kind == .bake, let targets = step.input("targets") { return targets.value.span }
        if let uses = step.node.pair("uses") { return uses.value.span }
        if let script = step.node.pair("run") { return script.key.span }
        return step.node.span
    }

    /// The message of a finding about bake target `me.bakeTarget` of an invocation.
    static func bakeTargetMessage(_ first: RepositoryFacts.GHAWriter, _ me: RepositoryFacts.GHAWriter, _ loc: CacheLocation, _ suffix: String) -> String {
        let where_ = first.path == me.path ? "line \(first.line)" : "\(first.path.display):\(first.line)"
        let other = first.bakeTarget.map { "bake target `\($0)` of the build at \(where_)" } ?? "a different build at \(where_)"
        return "bake target `\(me.bakeTarget ?? "?")` of this build\(suffix) exports to \(loc) (its bake file's cache-to), which \(other) also writes; the two overwrite each other's cache index on every run"
    }

    /// The help of a finding about bake target `target`.
    static func bakeTargetHelp(_ target: String) -> String {
        "Scope gha caches per bake target: `scope=\(target)` on the cache-from and cache-to of target `\(target)` itself (not of a parent it inherits from), or an override for this build: `\(target).cache-to=type=gha,scope=\(target),mode=max` and `\(target).cache-from=type=gha,scope=\(target)`."
    }
}
