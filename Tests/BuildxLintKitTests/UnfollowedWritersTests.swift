@testable import BuildxLintKit
import Testing

/// "Nothing writes this import" (BXC110, BXC403 on a replaced cache-from) must count the writers the flow
/// walk does not follow: Docker's github-builder reusable workflows, other repositories' reusable
/// workflows and actions with a cache setting, inline caches carried by pushed images, and scripts handed
/// a cache export in `CACHE_TO`. Cases from real repositories (docker/compose, ollama/ollama,
/// tonistiigi/binfmt) cut down.
@Suite struct UnfollowedWritersTests {
    static let path = ".github/workflows/ci.yml"

    /// A build that imports `importEntry` while it exports `export` (BXC110's trigger when both have one
    /// backend), after `jobs`.
    static func importing(_ importEntry: String, jobs: String, export: String = "type=gha,mode=max,scope=e2e") -> String {
        """
        on: push
        jobs:
        \(Examples.indent(jobs, by: 2))
          e2e:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/setup-buildx-action@v3
                with:
                  version: v0.21.1
              - uses: docker/build-push-action@v6
                with:
                  cache-from: \(importEntry)
                  cache-to: \(export)

        """
    }

    static func bxc110(_ workflow: String) -> [Diagnostic] {
        TestSupport.lint(workflow: workflow, path: path).filter { $0.ruleID == "BXC110" }
    }

    /// Without any writer the import is reported: the cases below differ from this one only in the writer.
    @Test func noWriterIsReported() {
        let wf = Self.importing("type=gha,scope=binary-linux-amd64", jobs: "lint:\n  runs-on: ubuntu-latest\n  steps:\n    - run: make lint")
        #expect(Self.bxc110(wf).count == 1)
    }

    /// docker/github-builder writes `<cache-scope>-<platform pair>` (and the platforms are not known here).
    @Test func githubBuilderWritesPerPlatformScopes() {
        let call = """
            binary:
              uses: docker/github-builder/.github/workflows/bake.yml@v1
              with:
                cache: true
                cache-scope: binary
                target: release
            """
        #expect(Self.bxc110(Self.importing("type=gha,scope=binary-linux-amd64", jobs: call)).isEmpty)
        #expect(Self.bxc110(Self.importing("type=gha,scope=binary", jobs: call)).isEmpty)
        // Another scope is still never written.
        #expect(Self.bxc110(Self.importing("type=gha,scope=release", jobs: call)).count == 1)
        // The target names the scope when no cache-scope is given; `cache: false` writes nothing.
        let byTarget = call.replacingAll("    cache-scope: binary\n", with: "")
        #expect(Self.bxc110(Self.importing("type=gha,scope=release-linux-arm64", jobs: byTarget)).isEmpty)
        let off = call.replacingAll("cache: true", with: "cache: false")
        #expect(Self.bxc110(Self.importing("type=gha,scope=binary-linux-amd64", jobs: off)).count == 1)
        // A computed scope is not known: nothing can be concluded.
        let computed = call.replacingAll("cache-scope: binary", with: "cache-scope: ${{ github.ref_name }}")
        #expect(Self.bxc110(Self.importing("type=gha,scope=binary-linux-amd64", jobs: computed)).isEmpty)
    }

    /// Another repository's reusable workflow with a cache input, or action with a cache export input, may
    /// write anything; setup-node's `cache: npm` is no image cache.
    @Test func unfollowedCacheWritersSilenceTheRule() {
        let workflowCall = """
            images:
              uses: acme/ci/.github/workflows/docker.yml@v2
              with:
                cache: true
            """
        #expect(Self.bxc110(Self.importing("type=gha,scope=binary-linux-amd64", jobs: workflowCall)).isEmpty)
        let noCache = workflowCall.replacingAll("cache: true", with: "cache: false")
        #expect(Self.bxc110(Self.importing("type=gha,scope=binary-linux-amd64", jobs: noCache)).count == 1)
        let action = """
            images:
              runs-on: ubuntu-latest
              steps:
                - uses: acme/docker-build@v1
                  with:
                    cache-to: type=gha,scope=binary-linux-amd64
            """
        #expect(Self.bxc110(Self.importing("type=gha,scope=binary-linux-amd64", jobs: action)).isEmpty)
        let setupNode = """
            web:
              runs-on: ubuntu-latest
              steps:
                - uses: actions/setup-node@v4
                  with:
                    cache: npm
            """
        #expect(Self.bxc110(Self.importing("type=gha,scope=binary-linux-amd64", jobs: setupNode)).count == 1)
    }

    /// An inline cache is in the pushed image: importing any tag of that image is written (ollama's release
    /// image, tagged `latest` later by `imagetools create`).
    @Test func inlineCacheOfAPushedImageIsWritten() {
        let pushed = """
            image:
              runs-on: ubuntu-latest
              steps:
                - uses: docker/setup-buildx-action@v3
                  with:
                    version: v0.21.1
                - uses: docker/build-push-action@v6
                  with:
                    push: true
                    outputs: type=image,name=${{ vars.DOCKER_REPO }},push-by-digest=true,name-canonical=true,push=true
                    cache-to: type=inline
            """
        let own = "type=registry,ref=acme/cache:deps,mode=max"
        let wf = Self.importing("type=registry,ref=${{ vars.DOCKER_REPO }}:latest", jobs: pushed, export: own)
        #expect(Self.bxc110(wf).isEmpty)
        let tagged = pushed.replacingAll("outputs: type=image,name=${{ vars.DOCKER_REPO }},push-by-digest=true,name-canonical=true,push=true", with: "tags: acme/app:1.0")
        #expect(Self.bxc110(Self.importing("type=registry,ref=acme/app:latest", jobs: tagged, export: own)).isEmpty)
        // Another image's ref is not written by it.
        #expect(Self.bxc110(Self.importing("type=registry,ref=acme/other:latest", jobs: tagged, export: own)).count == 1)
        // Without the inline export the pushed image carries no cache.
        let noInline = tagged.replacingAll("cache-to: type=inline", with: "labels: a=b")
        #expect(Self.bxc110(Self.importing("type=registry,ref=acme/app:latest", jobs: noInline, export: own)).count == 1)
    }

    /// A run step that hands a script `CACHE_TO` writes that location (tonistiigi/binfmt's warm-cache job).
    @Test func cacheToInAScriptsEnvironmentIsWritten() {
        let warm = """
            prepare:
              runs-on: ubuntu-latest
              strategy:
                matrix:
                  target: [mainline, desktop]
              steps:
                - run: ./hack/warm-cache ${{ matrix.target }}
                  env:
                    CACHE_TO: type=gha,scope=binfmt-${{ matrix.target }}
            """
        #expect(Self.bxc110(Self.importing("type=gha,scope=binfmt-desktop", jobs: warm)).isEmpty)
        #expect(Self.bxc110(Self.importing("type=gha,scope=binfmt-other", jobs: warm)).count == 1)
    }

    /// BXC403 on a replaced cache-from: reported when nothing writes the imported location, silent when a
    /// build of the repository (here a bake-action step in the needed job) warms it.
    @Test func replacedCacheFromIsJudgedAgainstEveryWriter() {
        let bake = ("docker-bake.hcl", "target \"mainline\" {\n  cache-to = [\"type=inline\"]\n}\n")
        func workflow(writer: String) -> String {
            """
            on: push
            env:
              SCOPE: binfmt
            jobs:
              prepare:
                runs-on: ubuntu-latest
                steps:
            \(Examples.indent(writer, by: 6))
              test:
                needs: [prepare]
                runs-on: ubuntu-latest
                strategy:
                  matrix:
                    target: [mainline]
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - uses: docker/bake-action@v6
                    with:
                      source: .
                      targets: ${{ matrix.target }}
                      set: |
                        *.cache-from=type=gha,scope=${{ env.SCOPE }}-${{ matrix.target }}

            """
        }
        let none = TestSupport.lint([(Self.path, workflow(writer: "- run: make test")), bake]).diagnostics.filter { $0.ruleID == "BXC403" }
        #expect(none.count == 1)
        #expect(none.first?.message.contains("still comes from the bake file (`type=inline`)") == true, "\(none.map(\.message))")
        // The help keeps the template: each leg's own scope.
        #expect(none.first?.help == "Override both sides: add `*.cache-to=type=gha,scope=${{ env.SCOPE }}-${{ matrix.target }}` (or change the bake file instead).")
        let warmed = workflow(writer: """
            - uses: docker/setup-buildx-action@v3
              with:
                version: v0.21.1
            - uses: docker/bake-action@v6
              with:
                source: .
                targets: mainline
                set: |
                  *.cache-to=type=gha,scope=binfmt-mainline
            """)
        #expect(!TestSupport.lint([(Self.path, warmed), bake]).diagnostics.contains { $0.ruleID == "BXC403" })
    }

    /// A bake invocation writes what its bake file's targets export: importing that scope elsewhere hits.
    @Test func bakeFileExportsAreWritten() {
        let bake = ("docker-bake.hcl", "target \"default\" {\n  cache-from = [\"type=gha,scope=main\"]\n  cache-to = [\"type=gha,mode=max,scope=main\"]\n}\n")
        let warm = """
            warm:
              runs-on: ubuntu-latest
              steps:
                - uses: docker/setup-buildx-action@v3
                  with:
                    version: v0.21.1
                - uses: docker/bake-action@v6
                  with:
                    source: .
            """
        let lint = { (entry: String) in
            TestSupport.lint([(Self.path, Self.importing(entry, jobs: warm)), bake]).diagnostics.filter { $0.ruleID == "BXC110" }
        }
        #expect(lint("type=gha,scope=main").isEmpty)
        #expect(lint("type=gha,scope=other").count == 1)
    }

    /// A job whose matrix is computed at run time is not walked; when it may export, "nothing writes" cannot
    /// be concluded.
    @Test func unwalkedMatrixJobMayWrite() {
        func job(_ steps: String) -> String {
            """
            plan:
              runs-on: ubuntu-latest
              outputs:
                m: ${{ steps.x.outputs.m }}
              steps:
                - id: x
                  run: echo 'm=["a","b"]' >> "$GITHUB_OUTPUT"
            warm:
              needs: plan
              runs-on: ubuntu-latest
              strategy:
                matrix:
                  t: ${{ fromJson(needs.plan.outputs.m) }}
              steps:
            \(Examples.indent(steps, by: 4))
            """
        }
        let exporting = job("""
            - uses: docker/setup-buildx-action@v3
              with:
                version: v0.21.1
            - uses: docker/build-push-action@v6
              with:
                cache-to: type=gha,mode=max,scope=warm-${{ matrix.t }}
            """)
        #expect(Self.bxc110(Self.importing("type=gha,scope=warm-a", jobs: exporting)).isEmpty)
        // A dynamic-matrix job that builds nothing changes nothing.
        let testsOnly = job("- run: make test")
        #expect(Self.bxc110(Self.importing("type=gha,scope=warm-a", jobs: testsOnly)).count == 1)
    }

    /// A bake-action `set:` line computed as a whole (`${{ format('app.cache-to=…{0}', x) }}`) is not split
    /// as literal text (no BXC003/007/011 on the expression's commas); the flow walk evaluates it, so a
    /// fallback import that nothing writes is still found (djbender/test-ga-caching, php/frankenphp).
    @Test func computedSetLinesAreEvaluatedWhole() {
        let bake = ("docker-bake.hcl", "target \"app\" {\n  dockerfile = \"Dockerfile\"\n}\n")
        func workflow(_ lines: String) -> String {
            """
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - uses: docker/bake-action@v6
                    with:
                      source: .
                      targets: app
                      set: |
            \(Examples.indent(lines, by: 12))

            """
        }
        let valid = workflow("""
            ${{ format('app.cache-from=type=gha,scope=app-{0}', github.ref_name) }}
            ${{ format('app.cache-to=type=gha,scope=app-{0},mode=max', github.ref_name) }}
            """)
        let clean = TestSupport.lint([(Self.path, valid), bake]).diagnostics
        #expect(clean.isEmpty, "\(clean.map { "\($0.ruleID) \($0.message)" })")
        let fallback = workflow("""
            ${{ format('app.cache-from=type=gha,scope=app-{0}', github.ref_name) }}
            ${{ format('app.cache-from=type=gha,scope=main-app-{0}', github.ref_name) }}
            ${{ format('app.cache-to=type=gha,scope=app-{0},mode=max', github.ref_name) }}
            """)
        let found = TestSupport.lint([(Self.path, fallback), bake]).diagnostics
        #expect(found.map(\.ruleID) == ["BXC110"], "\(found.map { "\($0.ruleID) \($0.message)" })")
        #expect(found.first?.message.contains("main-app-${{ github.ref_name }}") == true, "\(found.first?.message ?? "")")
    }
}

/// BXC101 compares what legs build by the inputs known in both: an unknown build-arg (a step output) does
/// not hide legs that build different Dockerfiles (nginx-proxy/nginx-proxy).
@Suite struct PartiallyKnownBuildsTests {
    static func workflow(file: String) -> String {
        """
        on: push
        jobs:
          build:
            strategy:
              matrix:
                flavor: [alpine, debian]
            runs-on: ubuntu-latest
            steps:
              - uses: docker/setup-buildx-action@v3
                with:
                  version: v0.21.1
              - id: ver
                run: echo "VERSION=$(git describe --tags)" >> "$GITHUB_OUTPUT"
              - uses: docker/build-push-action@v6
                with:
                  file: \(file)
                  build-args: |
                    VERSION=${{ steps.ver.outputs.VERSION }}
                  cache-from: type=gha
                  cache-to: type=gha,mode=max

        """
    }

    @Test func knownInputsThatDifferAreEnough() {
        let differ = TestSupport.lint(workflow: Self.workflow(file: "Dockerfile.${{ matrix.flavor }}")).filter { $0.ruleID == "BXC101" }
        #expect(differ.count == 1)
        #expect(differ.first?.message.hasPrefix("legs `flavor=alpine` and `flavor=debian` build different things") == true)
        // Only the unknown input could differ: nothing is concluded.
        let same = TestSupport.lint(workflow: Self.workflow(file: "Dockerfile")).filter { $0.ruleID == "BXC101" }
        #expect(same.isEmpty)
    }
}

/// A step's `if:` is false in a leg when one side of `&&` is known false there, even if the other side
/// (`always()`) is not known (mendableai/firecrawl's SearXNG log upload).
@Suite struct StepConditionTests {
    static func workflow(_ condition: String) -> String {
        """
        on: pull_request
        jobs:
          test:
            strategy:
              matrix:
                ai: [openai, no-ai]
                search: [searxng, google]
            runs-on: ubuntu-latest
            steps:
              - run: echo log > searxng.log
              - uses: actions/upload-artifact@v4
                if: \(condition)
                with:
                  name: SearXNG (${{ matrix.ai }})
                  path: ./searxng.log

        """
    }

    @Test func knownFalseSideDecides() throws {
        #expect(TestSupport.lint(workflow: Self.workflow("always() && matrix.search == 'searxng'")).isEmpty)
        #expect(TestSupport.lint(workflow: Self.workflow("matrix.search == 'searxng' || failure() && false")).isEmpty)
        // Without the leg filter the google legs upload the same names.
        let all = TestSupport.lint(workflow: Self.workflow("always()"))
        let d = try #require(all.first { $0.ruleID == "BXC202" })
        // The help keeps the name as written (a leg's evaluated name would be the same in every leg).
        #expect(d.help?.contains("`name: SearXNG (${{ matrix.ai }})-") == true, "\(d.help ?? "")")
        #expect(d.help?.contains("`pattern: SearXNG (*`") == true, "\(d.help ?? "")")
        #expect(ExpressionEvaluator.truthiness(try ExpressionParser.parse("always() || true"), EvalContext(env: [:], inputs: nil, jobID: nil)) == true)
    }

    /// A job whose `if:` is false for a caller's inputs does not run in that call (chroma-core/chroma): its
    /// upload is not a second artifact of the run.
    @Test func jobConditionOnCallerInputs() {
        let callee = """
            on:
              workflow_call:
                inputs:
                  runner:
                    type: string
                    default: ubuntu-24.04
            jobs:
              merge-logs:
                if: ${{ contains(inputs.runner, 'ubuntu') }}
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/upload-artifact@v4
                    with:
                      name: cluster_test_logs
                      path: logs

            """
        func caller(_ second: String) -> String {
            "on: push\njobs:\n  linux:\n    uses: ./.github/workflows/_tests.yml\n  other:\n    uses: ./.github/workflows/_tests.yml\n    with:\n      runner: \(second)\n"
        }
        let lint = { (second: String) in
            TestSupport.lint([(".github/workflows/_tests.yml", callee), (".github/workflows/release.yml", caller(second))]).diagnostics.filter { $0.ruleID == "BXC202" }
        }
        #expect(lint("windows-latest").isEmpty)
        #expect(lint("ubuntu-22.04").count == 1)
    }
}
