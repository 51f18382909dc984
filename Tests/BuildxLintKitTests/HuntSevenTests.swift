@testable import BuildxLintKit
import Testing

/// Bake files, bake invocations and conditions as the seventh session's helper hunts found them read wrong.
@Suite struct HuntSevenTests {
    static func bakeOnly(_ hcl: String) -> [Diagnostic] {
        TestSupport.lint([("docker-bake.hcl", hcl)]).diagnostics
    }

    /// `"${LIST}"` is the list itself (HCL template unwrapping): not BXC401's string; `"${STRING}"` is.
    @Test func singleInterpolationTakesTheValuesType() {
        let list = "variable \"L\" { default = [\"type=gha,scope=x\"] }\ntarget \"b\" {\n  cache-from = \"${L}\"\n}\n"
        #expect(!Self.bakeOnly(list).contains { $0.ruleID == "BXC401" })
        let string = list.replacingAll("[\"type=gha,scope=x\"]", with: "\"type=gha,scope=x\"")
        #expect(Self.bakeOnly(string).filter { $0.ruleID == "BXC401" }.count == 1)
        let text = "target \"b\" {\n  cache-from = \"type=gha,scope=${L}\"\n}\nvariable \"L\" { default = \"x\" }\n"
        #expect(Self.bakeOnly(text).filter { $0.ruleID == "BXC401" }.count == 1)
    }

    /// `CACHE_DIR=x docker buildx bake` gives bake that variable (BXC404 read only the step's `env:`).
    @Test func commandPrefixAssignmentsAreBakesEnvironment() {
        let hcl = "variable \"CACHE_DIR\" { default = \"/tmp/.buildx-cache\" }\ntarget \"default\" {\n  cache-from = [\"type=local,src=${CACHE_DIR}\"]\n  cache-to = [\"type=local,dest=${CACHE_DIR},mode=max\"]\n}\n"
        func wf(_ run: String) -> String {
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: actions/cache@v4\n        with:\n          path: .buildx-cache\n          key: k-${{ github.sha }}\n      - run: \(run)\n"
        }
        let prefixed = TestSupport.lint([("docker-bake.hcl", hcl), (".github/workflows/a.yml", wf("CACHE_DIR=.buildx-cache docker buildx bake"))]).diagnostics
        #expect(!prefixed.contains { $0.ruleID == "BXC404" }, "\(prefixed.map(\.message))")
        let plain = TestSupport.lint([("docker-bake.hcl", hcl), (".github/workflows/a.yml", wf("docker buildx bake"))]).diagnostics
        #expect(plain.contains { $0.ruleID == "BXC404" })
        let commands = DockerCommandLine.commands(in: "A=1 B='x y' docker buildx bake")
        #expect(commands.first?.assignments.map { "\($0.name)=\($0.value.text)" } == ["A=1", "B=x y"])
    }

    /// A compose `x-bake` string splits on whitespace; a piece without `type=` fails to load (an error).
    @Test func xBakeStringPiecesWithoutType() throws {
        let compose = "services:\n  web:\n    build:\n      context: .\n      x-bake:\n        cache-to: \"mode=max type=gha,scope=web\"\n        cache-from: \"type=gha,scope=web type=gha,scope=base\"\n"
        let found = TestSupport.lint([("compose.yaml", compose)]).diagnostics.filter { $0.ruleID == "BXC406" }
        #expect(found.map(\.severity) == [.error, .info])
        let d = try #require(found.first)
        #expect(d.message.contains("and `mode=max` has no `type=`: bake fails to load the file"))
    }

    /// A pull_request run's `github.ref` is `refs/pull/<n>/merge`, so a branch or tag condition excludes it;
    /// a disjunction excludes what both of its sides exclude.
    @Test func pullRequestExcludesBranchAndTagRefs() throws {
        func e(_ s: String) throws -> Expr { try ExpressionParser.parse(s) }
        let pr = try e("github.event_name == 'pull_request'")
        #expect(Conditions.exclusive(pr, try e("startsWith(github.ref, 'refs/tags/v')")))
        #expect(Conditions.exclusive(pr, try e("github.ref == 'refs/heads/main'")))
        #expect(Conditions.exclusive(try e("github.ref == 'refs/heads/main' || startsWith(github.ref, 'refs/tags/')"), pr))
        #expect(!Conditions.exclusive(pr, try e("github.ref == 'refs/heads/main' || github.event_name == 'schedule' || true")))
        #expect(!Conditions.exclusive(try e("github.event_name == 'pull_request_target'"), try e("github.ref == 'refs/heads/main'")))
        #expect(!Conditions.exclusive(pr, try e("startsWith(github.ref, 'refs/pull/')")))
    }

    /// A whole `cache-to: ${{ inputs.cache-to }}` walked without a caller is not a registry ref named after
    /// the input (BXC102 "both write registry ref `${{ inputs.cache-to }}`").
    @Test func wholeInputEntryIsNotARegistryRef() {
        let callee = "on:\n  workflow_call:\n    inputs:\n      cache-to:\n        type: string\njobs:\n  docker:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        target: [a, b]\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/build-push-action@v6\n        with:\n          target: ${{ matrix.target }}\n          cache-to: ${{ inputs.cache-to }}\n"
        #expect(TestSupport.lint([(".github/workflows/b.yml", callee)]).diagnostics.isEmpty)
        #expect(FlowWalker.isOneMarker(ExprValue.marker("inputs.cache-to")) && !FlowWalker.isOneMarker("ref=" + ExprValue.marker("x")))
    }

    /// A bake override's local export rotated into the bake file's import folder after the build is imported
    /// (BXC403 said "never imported", BXC209 "no step caches the folder it goes to").
    @Test func bakeOverrideRotationIsImported() throws {
        let hcl = "target \"web\" {\n  cache-to = [\"type=local,dest=/tmp/.buildx-cache\"]\n  cache-from = [\"type=local,src=/tmp/.buildx-cache\"]\n}\ngroup \"default\" { targets = [\"web\"] }\n"
        let wf = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: actions/cache@v4\n        with:\n          path: /tmp/.buildx-cache\n          key: buildx-${{ github.sha }}\n      - uses: docker/bake-action@v6\n        with:\n          source: .\n          set: |\n            web.cache-to=type=local,dest=/tmp/.buildx-cache-new,mode=max\n      - run: |\n          rm -rf /tmp/.buildx-cache\n          mv /tmp/.buildx-cache-new /tmp/.buildx-cache\n"
        #expect(TestSupport.lint([("docker-bake.hcl", hcl), (".github/workflows/ci.yml", wf)]).diagnostics.isEmpty)
        let unrotated = String(wf[..<wf.range(of: "      - run: |")!.lowerBound])
        let found = TestSupport.lint([("docker-bake.hcl", hcl), (".github/workflows/ci.yml", unrotated)]).diagnostics
        let d = try #require(found.first { $0.ruleID == "BXC403" })
        #expect(d.help == "Override both sides: add `web.cache-from=type=local,src=/tmp/.buildx-cache-new` (or change the bake file instead).")
        #expect(LocalCacheFlow.namesPath("mv /tmp/c-new /tmp/c", "/tmp/c") && !LocalCacheFlow.namesPath("mv /tmp/c-new x", "/tmp/c"))
    }
}

extension HuntSevenTests {
    /// Long `&&` chains on both sides used to branch four ways per level (exponential): a budget bounds it.
    @Test func longConditionChainsStayFast() throws {
        let a = try ExpressionParser.parse((1...60).map { "github.event_name != 'e\($0)'" }.joined(separator: " && "))
        let b = try ExpressionParser.parse((1...60).map { "github.ref != 'refs/heads/b\($0)'" }.joined(separator: " && "))
        let start = ContinuousClock.now
        #expect(!Conditions.exclusive(a, b))
        #expect(ContinuousClock.now - start < .seconds(2))
        // Still exact on short ones.
        #expect(Conditions.exclusive(try ExpressionParser.parse("github.event_name == 'push' && x"), try ExpressionParser.parse("github.event_name == 'pull_request'")))
    }
}

extension HuntSevenTests {
    /// A step skipped in a leg has the outcome `skipped`: a later step that runs on its failure does not run
    /// there (gotson/komga's upload ran only on the ubuntu leg: BXC202 said every leg uploads one name).
    @Test func skippedStepsOutcomeIsSkipped() {
        let wf = """
            on: push
            jobs:
              test:
                runs-on: ${{ matrix.os }}
                strategy:
                  matrix:
                    os: [ubuntu-latest, macos-latest]
                steps:
                  - id: cmp
                    if: contains(matrix.os, 'ubuntu')
                    run: diff a.txt b.txt
                  - if: steps.cmp.outcome == 'failure'
                    uses: actions/upload-artifact@v4
                    with:
                      name: diff-report
                      path: b.txt

            """
        #expect(!TestSupport.lint(workflow: wf).contains { $0.ruleID == "BXC202" })
        let always = wf.replacingAll("        if: contains(matrix.os, 'ubuntu')\n", with: "")
        #expect(TestSupport.lint(workflow: always).contains { $0.ruleID == "BXC202" })
    }

    /// A bake target without `platforms` builds the hosted runner's own platform, so it differs from an
    /// arm64 build that writes the same scope (BXC109 through the bake file's cache-to), even when the other
    /// build's image is not known here (a build-arg from a step output).
    @Test func bakeTargetWithoutPlatformsBuildsTheRunners() {
        let hcl = "target \"default\" {\n  cache-to = [\"type=gha,scope=app,mode=max\"]\n}\n"
        let wf = """
            on: push
            jobs:
              test:
                runs-on: ubuntu-24.04
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - uses: docker/bake-action@v6
                    with:
                      source: .
              arm:
                runs-on: ubuntu-24.04-arm
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - uses: docker/build-push-action@v6
                    with:
                      context: .
                      platforms: linux/arm64
                      build-args: TAG=${{ steps.v.outputs.v }}
                      cache-to: type=gha,scope=app,mode=max

            """
        let found = TestSupport.lint([("docker-bake.hcl", hcl), (".github/workflows/ci.yml", wf)]).diagnostics
        #expect(found.contains { $0.ruleID == "BXC109" }, "\(found.map { "\($0.ruleID) \($0.message)" })")
    }

    /// BXC000's help for a repeated key names who refuses it (GitHub does not read compose files).
    @Test func duplicateKeyHelpNamesTheReader() throws {
        let compose = "services:\n  a:\n    image: x\n    image: y\n"
        let d = try #require(TestSupport.lint([("docker-compose.yml", compose)]).diagnostics.first { $0.ruleID == "BXC000" })
        #expect(d.help?.contains("docker compose (and bake") == true, "\(d.help ?? "")")
    }
}

extension HuntSevenTests {
    /// Hostile input from the robustness attack: an env value expanded thousands of times stops at 64 KiB
    /// (it used 3.8 GB), and BXC401 reads `"${X}"` from the syntax instead of evaluating a costly X.
    @Test func expansionAndBakeChecksStayBounded() {
        let script = String(repeating: "$A ", count: 10_000)
        let expanded = LocalCacheFlow.expandingEnv(script, ["A": .string(String(repeating: "v", count: 1_000))])
        #expect(expanded == script)
        #expect(LocalCacheFlow.expandingEnv("$A/x", ["A": .string("/tmp")]) == "/tmp/x")
        let heavy = "variable \"X\" { default = [for a in range(3000): join(\",\", [for b in range(3000): \"type=gha\"])] }\ntarget \"t\" {\n  cache-from = \"${X}\"\n}\n"
        #expect(!Self.bakeOnly(heavy).contains { $0.ruleID == "BXC401" })
    }
}
