@testable import BuildxLintKit
import Testing

/// Which rule reports a gha scope shared by different builds: BXC101 for legs of one build, BXC109 for
/// different builds (several commands of one `run:` script, separate steps, calls of a reusable workflow).
@Suite struct SharedScopeBuildTests {
    static let setup = """
        on: push
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/setup-buildx-action@v4
                with: {version: v0.30.0}
              - uses: crazy-max/ghaction-github-runtime@v3

        """

    /// Two build commands in one script are two builds, not two legs of one (ConservationInternational/
    /// resilienceatlas: "legs leg 1 and leg 1" was a BXC101 error); BXC109 names the other command's line.
    @Test func twoCommandsOfOneScriptAreTwoBuilds() throws {
        let wf = Self.setup + """
                  - run: |
                      docker buildx build --cache-from=type=gha --cache-to=type=gha,mode=max -t be ./backend
                      docker buildx build --cache-from=type=gha --cache-to=type=gha,mode=max -t fe ./frontend

            """
        let found = TestSupport.lint(workflow: wf)
        #expect(found.map(\.ruleID) == ["BXC109"], "\(found.map { "\($0.ruleID) \($0.message)" })")
        let d = try #require(found.first)
        #expect(d.span.start.line == 11)
        #expect(d.message == "gha scope `buildkit` is also written by a different build at line 10; the two overwrite each other's cache index on every run")
    }

    /// The same builds in two `run:` steps are reported as build-push-action steps are.
    @Test func commandsInTwoStepsAreTwoBuilds() {
        let wf = Self.setup + """
                  - run: docker buildx build --cache-from=type=gha --cache-to=type=gha,mode=max -t be ./backend
                  - run: docker buildx build --cache-from=type=gha --cache-to=type=gha,mode=max -t fe ./frontend

            """
        #expect(TestSupport.lint(workflow: wf).map(\.ruleID) == ["BXC109"])
        // One context built twice (tags only differ) is one build.
        let same = wf.replacingAll("./frontend", with: "./backend")
        #expect(TestSupport.lint(workflow: same).isEmpty)
        // Without the runtime buildx drops both commands' gha entries: nothing is written, nothing collides.
        let noRuntime = wf.replacingAll("      - uses: crazy-max/ghaction-github-runtime@v3\n", with: "")
        #expect(TestSupport.lint(workflow: noRuntime).map(\.ruleID) == ["BXC501", "BXC501"])
        // The runtime's token passed in the step's env is enough.
        let token = noRuntime.replacingAll(
            "      - run: docker buildx build --cache-from=type=gha --cache-to=type=gha,mode=max -t fe",
            with: "      - env: {ACTIONS_RUNTIME_TOKEN: \"${{ env.TOKEN }}\"}\n        run: docker buildx build --cache-from=type=gha --cache-to=type=gha,mode=max -t fe")
        #expect(TestSupport.lint(workflow: token).map(\.ruleID) == ["BXC501"], "\(TestSupport.lint(workflow: token).map(\.message))")
    }

    static let callee = """
        on: {workflow_call: {inputs: {name: {required: true, type: string}}}}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/setup-buildx-action@v3
                with: {version: v0.30.0}
              - uses: docker/build-push-action@v6
                with:
                  context: apps/${{ inputs.name }}
                  cache-from: type=gha
                  cache-to: type=gha,mode=max

        """

    /// Calls of a reusable workflow that build different images share the default scope (m1k1o/neko: a
    /// 14-leg matrix of apps calling one image workflow).
    @Test func callsThatBuildDifferentImagesCollide() throws {
        let caller = "on: push\njobs:\n  app:\n    strategy: {matrix: {name: [firefox, chromium]}}\n    uses: ./.github/workflows/app.yml\n    with: {name: \"${{ matrix.name }}\"}\n"
        let found = TestSupport.lint([(".github/workflows/app.yml", Self.callee), (".github/workflows/caller.yml", caller)]).diagnostics
        #expect(found.map(\.ruleID) == ["BXC109"], "\(found.map { "\($0.ruleID) \($0.message)" })")
        let d = try #require(found.first)
        #expect(d.path == RepoPath(".github/workflows/app.yml") && d.span.start.line == 12)
        #expect(d.message.hasPrefix("gha scope `buildkit` is written by this build in every call of its reusable workflow, and the calls build different things (called by .github/workflows/caller.yml job `app` (name=chromium))"), "\(d.message)")
        // The same image from every call is one build.
        let same = caller.replacingAll("chromium", with: "firefox")
        #expect(TestSupport.lint([(".github/workflows/app.yml", Self.callee), (".github/workflows/caller.yml", same)]).diagnostics.isEmpty)
    }

    /// Calls whose callers' `if:`s exclude each other never run together.
    @Test func callsOfExclusiveCallersDoNotCollide() {
        let caller = """
            on: [push, pull_request]
            jobs:
              a:
                if: github.event_name == 'push'
                uses: ./.github/workflows/app.yml
                with: {name: firefox}
              b:
                if: github.event_name != 'push'
                uses: ./.github/workflows/app.yml
                with: {name: chromium}

            """
        #expect(TestSupport.lint([(".github/workflows/app.yml", Self.callee), (".github/workflows/caller.yml", caller)]).diagnostics.isEmpty)
        let together = caller.replacingAll("    if: github.event_name != 'push'\n", with: "")
        #expect(TestSupport.lint([(".github/workflows/app.yml", Self.callee), (".github/workflows/caller.yml", together)]).diagnostics.map(\.ruleID) == ["BXC109"])
    }

    /// A `*.cache-to` override built from a step output gives every target one value, whatever the output is
    /// (autowarefoundation/autoware); a per-target override with the same output does not.
    @Test func stepOutputOverrideIsOneValueForEveryTarget() throws {
        let bake = """
            group "ci-core" { targets = ["core-dependencies", "core"] }
            target "core-dependencies" {
              dockerfile = "docker/core.Dockerfile"
              target = "core-dependencies"
            }
            target "core" {
              dockerfile = "docker/core.Dockerfile"
              target = "core"
            }

            """
        func workflow(_ set: String) -> String {
            """
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v4
                    with:
                      version: v0.30.0
                  - id: meta
                    run: echo "ref=${GITHUB_REF_NAME//\\//-}" >> "$GITHUB_OUTPUT"
                  - uses: docker/bake-action@v7
                    with:
                      source: .
                      files: docker/docker-bake.hcl
                      targets: ci-core
                      set: |
            \(Examples.indent(set, by: 12))

            """
        }
        let shared = workflow("*.cache-to=type=registry,ref=ghcr.io/acme/cache:${{ steps.meta.outputs.ref }},mode=max")
        let found = TestSupport.lint([(".github/workflows/b.yml", shared), ("docker/docker-bake.hcl", bake)]).diagnostics
        #expect(found.map(\.ruleID) == ["BXC106"], "\(found.map { "\($0.ruleID) \($0.message)" })")
        let d = try #require(found.first)
        #expect(d.span.start.line == 17)
        #expect(d.message.contains("all export to registry ref `ghcr.io/acme/cache:${{ steps.meta.outputs.ref }}`"), "\(d.message)")
        let perTarget = workflow(
            "core.cache-to=type=registry,ref=ghcr.io/acme/cache:core-${{ steps.meta.outputs.ref }},mode=max\n"
                + "core-dependencies.cache-to=type=registry,ref=ghcr.io/acme/cache:deps-${{ steps.meta.outputs.ref }},mode=max")
        #expect(TestSupport.lint([(".github/workflows/b.yml", perTarget), ("docker/docker-bake.hcl", bake)]).diagnostics.isEmpty)
    }

    /// Where this build runs (its caller) is said next to "this build", not after the other build's place
    /// (m1k1o/neko read as if the other build were the one called).
    @Test func callerIsNamedForThisBuild() throws {
        let caller = """
            on: push
            jobs:
              app:
                uses: ./.github/workflows/app.yml
                with: {name: firefox}
              base:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with: {version: v0.30.0}
                  - uses: docker/build-push-action@v6
                    with:
                      context: base
                      cache-to: type=gha,mode=max

            """
        // The caller's file sorts first, so its inline build is the scope's first writer and the call is reported.
        let found = TestSupport.lint([(".github/workflows/app.yml", Self.callee), (".github/workflows/aa.yml", caller)]).diagnostics
        let d = try #require(found.first { $0.ruleID == "BXC109" && $0.path == RepoPath(".github/workflows/app.yml") }, "\(found.map(\.message))")
        #expect(d.message == "gha scope `buildkit` is written by this build (called by .github/workflows/aa.yml job `app`) and also by a different build at .github/workflows/aa.yml:11; the two overwrite each other's cache index on every run")
    }
}
