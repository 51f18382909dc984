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
        rationale: "Builds of different images (or Dockerfiles, targets), or of one image for different platforms (a multi-platform build split over jobs or over calls of a reusable workflow, each stating its platforms), that export to one scope overwrite each other's cache index on every run, so each keeps missing. Legs of one matrix job are BXC101's.",
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

                """, lines: [27])
        ],
        nonTriggering: [
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
        if (first.path, first.stepOffset) == (me.path, me.stepOffset), !(sameStepAllowed && first.jobKey != me.jobKey) { return false }
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
        let where_ = first.path == me.path ? "line \(first.line)" : "\(first.path.display):\(first.line)"
        return "\(loc) is also written by a different build at \(where_)\(suffix); the two overwrite each other's cache index on every run"
    }

    /// The finding for a build whose platforms differ from the scope's first writer's in the same workflow.
    static func platformFinding(
        _ first: RepositoryFacts.GHAWriter, _ me: RepositoryFacts.GHAWriter, mine: String, theirs: String, location loc: CacheLocation,
        suffix: String, make: (String, String) -> Diagnostic
    ) -> Diagnostic {
        let where_ = first.path == me.path ? "line \(first.line)" : "\(first.path.display):\(first.line)"
        let pair = String(mine.map { $0 == "/" ? "-" : $0 == "," ? "_" : $0 })
        let sameStep = (first.path, first.stepOffset) == (me.path, me.stepOffset)
        let help =
            sameStep
            ? "Scope gha caches per platform: each call of this workflow needs a scope of its own on both cache-from and cache-to (pass one in as an input, or build it from the platform input with `/` replaced, as in `scope=\(scopeSuggestion(loc.identity, pair))`)."
            : "Scope gha caches per platform, e.g. `scope=\(scopeSuggestion(loc.identity, pair))` on this build's cache-from and cache-to (and a scope of its own for the other platform's build)."
        return make(
            "\(loc) is also written by the build for \(theirs) at \(where_); this build\(suffix) is for \(mine), and the two overwrite each other's cache index on every run, so each platform keeps missing",
            help)
    }

    /// A scope for one platform: the written scope (`buildkit` by default) with the platform pair appended.
    static func scopeSuggestion(_ identity: String, _ pair: String) -> String {
        ExprValue.writtenAsExpressions(identity) + "-" + pair
    }

    /// None directly: every finding of this rule depends on other files and comes from `pending`.
    public func check(_ context: RuleContext) -> [Diagnostic] { [] }

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
                    // `inputs.*`, `needs.*` and `github.job` symbols mean other things in another job.
                    let jobBound = ["\u{27E8}inputs.", "\u{27E8}needs.", "\u{27E8}github.job"].contains { loc.identity.hasSubstring($0) }
                    let span = SharedLocation.span(ev, run, direction: .export)
                    let suffix = run.stepRun.whereSuffix
                    let written = SharedLocation.writtenValue(loc, of: ev, in: run)
                    out.append(PendingFinding(ruleID: id, path: path, offset: span.start.offset) { facts in
                        // First the builds of this workflow's runs, which run together unless their jobs' `if:`s
                        // exclude each other: another platform (a multi-platform build split over jobs, or over
                        // calls of a reusable workflow; whatever else is known), or another image.
                        if let first = facts.firstGHAWritersInRun[RepositoryFacts.ScopeInRun(scope: loc.identity, rootPath: me.rootPath)],
                            !Conditions.exclusive(first.jobCondition, me.jobCondition)
                        {
                            // One step in two calls differs in platform by call only in the same matrix leg: legs of
                            // a matrix over platforms collide within each call already (BXC101), and across calls
                            // the builds differ in more than the platform.
                            let acrossLegs = (first.path, first.stepOffset) == (me.path, me.stepOffset) && first.legIndex != me.legIndex
                            if RepositoryFacts.differentPlatforms(first, me), !acrossLegs,
                                Self.collide(first, me, jobBound: jobBound, sameStepAllowed: true),
                                let mine = me.platforms, let theirs = first.platforms
                            {
                                return Self.platformFinding(
                                    first, me, mine: mine, theirs: theirs, location: loc, suffix: suffix,
                                    make: { Diagnostic(ruleID: id, ruleName: name, severity: severity, path: path, span: span, message: $0, help: $1) })
                            }
                            if first.imageKnown, me.imageKnown, first.image != me.image,
                                Self.collide(first, me, jobBound: jobBound, sameStepAllowed: false)
                            {
                                return Diagnostic(
                                    ruleID: id, ruleName: name, severity: severity, path: path, span: span,
                                    message: Self.differentBuildMessage(first, me, loc, suffix), help: Self.differentBuildHelp(written))
                            }
                        }
                        // Then the first writer anywhere in the repository: another image (in this workflow, only
                        // when the two jobs can run together).
                        guard me.imageKnown, let first = facts.firstGHAWriters[loc.identity], first.image != me.image,
                            !(first.rootPath == me.rootPath && Conditions.exclusive(first.jobCondition, me.jobCondition)),
                            // Workflows that never run on one git ref write different cache indexes.
                            GitRefs.overlap(first.refs, me.refs),
                            Self.collide(first, me, jobBound: jobBound, sameStepAllowed: false)
                        else { return nil }
                        return Diagnostic(
                            ruleID: id, ruleName: name, severity: severity, path: path, span: span,
                            message: Self.differentBuildMessage(first, me, loc, suffix), help: Self.differentBuildHelp(written))
                    })
                }
            }
        }
        return out
    }
}
