import Foundation
import Testing
@testable import BuildxLintKit

/// Stand-alone workflows are analysed one at a time and released; findings that depend on other files
/// are judged from merged facts. These tests hold the streamed results to the whole-repository analysis.
@Suite struct StreamingTests {
    static func sources(_ files: [(path: String, content: String)]) -> [SourceFile] {
        files.map { SourceFile(path: RepoPath($0.path), content: .bytes(Array($0.content.utf8))) }
    }

    static func both(_ files: [SourceFile], explicit: Set<RepoPath>? = nil) -> (streamed: [Diagnostic], whole: [Diagnostic]) {
        let options = LintOptions()
        let streamed = Linter.lint(files: files, options: options, selection: .default, explicit: explicit, streaming: true)
        let whole = Linter.lint(files: files, options: options, selection: .default, explicit: explicit, streaming: false)
        return (streamed.diagnostics, whole.diagnostics)
    }

    /// A workflow whose build (step at line 9) reads and writes gha `scope` (the default when nil); its
    /// cache-from is line 12 and cache-to line 13.
    static func build(_ context: String, scope: String?) -> String {
        let s = scope.map { ",scope=\($0)" } ?? ""
        return Examples.buildPush("context: \(context)\ncache-from: type=gha\(s)\ncache-to: type=gha,mode=max\(s)")
    }

    /// BXC109: the scope's first writer is in another workflow file.
    @Test func ghaScopeReusedAcrossFiles() {
        let files = Self.sources([
            (".github/workflows/api.yml", Self.build("./api", scope: nil)),
            (".github/workflows/web.yml", Self.build("./web", scope: nil)),
        ])
        let (streamed, whole) = Self.both(files)
        #expect(streamed == whole)
        let found = streamed.filter { $0.ruleID == "BXC109" }
        #expect(found.count == 1)
        #expect(found.first?.path == RepoPath(".github/workflows/web.yml"))
        #expect(found.first?.message.contains(".github/workflows/api.yml:9") == true)
        #expect(found.first?.span.start.line == 13)
        // Scoped per image: nothing.
        let fixed = Self.both(Self.sources([
            (".github/workflows/api.yml", Self.build("./api", scope: "api")),
            (".github/workflows/web.yml", Self.build("./web", scope: "web")),
        ]))
        #expect(fixed.streamed.filter { $0.ruleID == "BXC109" }.isEmpty)
        #expect(fixed.streamed == fixed.whole)
    }

    /// BXC109: a reusable workflow called once per platform (a multi-platform build split over caller jobs)
    /// writes one gha scope from both calls; reported once, on the second call, naming both platforms. Its
    /// walk without a caller (inputs unknown) is not a writer of its own, and scopes per platform are clean.
    @Test func ghaScopeSharedByPerPlatformCalls() {
        func callee(_ scope: String) -> String {
            """
            on:
              workflow_call:
                inputs:
                  platform:
                    type: string
                    required: true
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - uses: docker/build-push-action@v6
                    with:
                      platforms: ${{ inputs.platform }}
                      cache-from: type=gha\(scope)
                      cache-to: type=gha,mode=max\(scope)

            """
        }
        let caller = """
            on: push
            jobs:
              amd64:
                uses: ./.github/workflows/build.yml
                with:
                  platform: linux/amd64
              arm64:
                uses: ./.github/workflows/build.yml
                with:
                  platform: linux/arm64

            """
        let shared = Self.both(Self.sources([
            (".github/workflows/build.yml", callee("")), (".github/workflows/release.yml", caller),
        ]))
        #expect(shared.streamed == shared.whole)
        let found = shared.streamed.filter { $0.ruleID == "BXC109" }
        #expect(found.count == 1)
        #expect(found.first?.path == RepoPath(".github/workflows/build.yml"))
        #expect(found.first?.span.start.line == 18)
        #expect(found.first?.message.contains("written by the build for linux/amd64") == true)
        #expect(found.first?.message.contains("job `arm64`) is for linux/arm64") == true)
        let scoped = Self.both(Self.sources([
            (".github/workflows/build.yml", callee(",scope=app-${{ inputs.platform }}")), (".github/workflows/release.yml", caller),
        ]))
        #expect(scoped.streamed.filter { $0.ruleID == "BXC109" }.isEmpty)
    }

    /// BXC109 compares the platforms of one image only within one workflow's runs: a pull-request workflow's
    /// native build and a release workflow's multi-platform build of the same image write different branches'
    /// caches (the pull request's ref and the pushed one), so nothing is reported.
    @Test func platformsAreComparedWithinOneWorkflow() {
        let pr = Examples.buildPush("load: true\ncache-from: type=gha\ncache-to: type=gha,mode=max")
            .replacingOccurrences(of: "on: push", with: "on: pull_request")
        let release = Examples.buildPush("platforms: linux/amd64,linux/arm64\ncache-from: type=gha\ncache-to: type=gha,mode=max")
        #expect(pr.hasPrefix("on: pull_request"))
        let r = Self.both(Self.sources([(".github/workflows/pr.yml", pr), (".github/workflows/release.yml", release)]))
        #expect(r.streamed == r.whole)
        #expect(!r.streamed.contains { $0.ruleID == "BXC109" })
    }

    /// BXC110: an import that another workflow writes is not reported; one that nothing writes is.
    @Test func importWrittenByAnotherFile() {
        let reader = Examples.buildPush("context: ./api\ncache-from: type=gha,scope=main\ncache-to: type=gha,mode=max,scope=pr")
        let alone = Self.both(Self.sources([(".github/workflows/pr.yml", reader)]))
        #expect(alone.streamed == alone.whole)
        #expect(alone.streamed.contains { $0.ruleID == "BXC110" && $0.span.start.line == 12 })
        let withWriter = Self.both(Self.sources([
            (".github/workflows/pr.yml", reader),
            (".github/workflows/main.yml", Self.build("./api", scope: "main")),
        ]))
        #expect(withWriter.streamed == withWriter.whole)
        #expect(!withWriter.streamed.contains { $0.ruleID == "BXC110" })
    }

    /// BXC106 in a bake file, found through a stand-alone workflow's bake invocation.
    @Test func bakeFileFindingFromStandaloneWorkflow() {
        let bake = """
            target "api" {
              context = "api"
              cache-to = ["type=gha,mode=max"]
            }
            target "web" {
              context = "web"
              cache-to = ["type=gha,mode=max"]
            }

            """
        let workflow = Examples.bakeAction("source: .\ntargets: api,web")
        let (streamed, whole) = Self.both(Self.sources([("docker-bake.hcl", bake), (".github/workflows/bake.yml", workflow)]))
        #expect(streamed == whole)
        #expect(streamed.contains { $0.ruleID == "BXC106" && $0.path == RepoPath("docker-bake.hcl") })
    }

    /// A bake-file element written both through a stand-alone workflow's invocation and by a group of the
    /// bake file: the finding names the invocation, as a whole-repository walk does.
    @Test func bakeFindingNamesTheInvocationBeforeTheGroup() {
        let bake = """
            target "_c" {
              cache-to = ["type=gha,mode=max"]
            }
            target "a" {
              inherits = ["_c"]
              dockerfile = "a.Dockerfile"
            }
            target "b" {
              inherits = ["_c"]
              dockerfile = "b.Dockerfile"
            }
            group "default" {
              targets = ["a", "b"]
            }

            """
        let workflow = Examples.bakeAction("source: .")
        for name in ["a.yml", "z.yml"] {
            let files = Self.sources([("docker-bake.hcl", bake), (".github/workflows/\(name)", workflow), (".github/workflows/m.yml", workflow)])
            let (streamed, whole) = Self.both(files)
            #expect(streamed == whole)
            let inBake = streamed.filter { $0.ruleID == "BXC106" && $0.path == RepoPath("docker-bake.hcl") }
            #expect(!inBake.isEmpty)
            let first = name < "m.yml" ? name : "m.yml"
            #expect(inBake.allSatisfy { $0.message.contains("bake invocation at .github/workflows/\(first)") }, "\(inBake.map(\.message))")
        }
    }

    /// A callee named with a trailing slash is still found (and kept for its callers).
    @Test func calleeWithTrailingSlash() {
        let caller = """
            on: push
            jobs:
              call:
                uses: "./.github/workflows/build.yml/"
                with:
                  scope: shared

            """
        let callee = """
            on:
              workflow_call:
                inputs:
                  scope:
                    type: string
            jobs:
              image:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - uses: docker/build-push-action@v6
                    with:
                      cache-to: type=gha,mode=max,scope=${{ inputs.scope }}

            """
        #expect(Linter.referencedWorkflows(Self.sources([(".github/workflows/ci.yml", caller)])) == [RepoPath(".github/workflows/build.yml")])
        let (streamed, whole) = Self.both(Self.sources([(".github/workflows/ci.yml", caller), (".github/workflows/build.yml", callee)]))
        #expect(streamed == whole)
    }

    /// A callee named with YAML escapes (`\/`) is not found by the byte scan of callers, but it declares
    /// `workflow_call` (as every reusable workflow must), so it is still kept for its callers.
    @Test func calleeNamedWithYAMLEscapes() {
        let caller = """
            on: push
            jobs:
              amd64:
                uses: ".\\/.github\\/workflows\\/build.yml"
                with:
                  platform: linux/amd64
              arm64:
                uses: ".\\/.github\\/workflows\\/build.yml"
                with:
                  platform: linux/arm64

            """
        let callee = """
            on:
              workflow_call:
                inputs:
                  platform:
                    type: string
            jobs:
              image:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      platforms: ${{ inputs.platform }}
                  - uses: actions/upload-artifact@v4
                    with:
                      name: digests
                      path: /tmp/digests/*

            """
        let files = Self.sources([(".github/workflows/ci.yml", caller), (".github/workflows/build.yml", callee)])
        #expect(Linter.referencedWorkflows(files).isEmpty)  // the escapes hide the path from the byte scan
        let (streamed, whole) = Self.both(files)
        #expect(streamed == whole)
        // Two calls upload the same artifact name: found only when the callee is walked from its callers.
        #expect(whole.contains { $0.ruleID == "BXC202" && $0.path == RepoPath(".github/workflows/build.yml") }, "\(whole.map(\.message))")
        #expect(whole.contains { $0.message.hasPrefix("the calls from .github/workflows/ci.yml job `amd64` and .github/workflows/ci.yml job `arm64` all upload") })
    }

    /// A callee's step run walked from a caller says where it was called from, once.
    @Test func calleeStepRunNamesItsCaller() throws {
        let caller = "on: push\njobs:\n  amd64:\n    uses: ./.github/workflows/build.yml\n"
        let callee = "on:\n  workflow_call:\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
        let analysed = Self.sources([(".github/workflows/ci.yml", caller), (".github/workflows/build.yml", callee)]).map { f -> FileAnalysis in
            guard case .bytes(let b) = f.content else { fatalError() }
            return Linter.analyse(path: f.path, kind: .workflow, bytes: b)
        }
        let runs = RepositoryAnalysis(files: analysed).stepRuns.filter { $0.run.caller != nil }
        let run = try #require(runs.first)
        #expect(run.run.caller == ".github/workflows/ci.yml job `amd64`")
        #expect(run.whereSuffix == " (called by .github/workflows/ci.yml job `amd64`)")
    }

    /// The pre-commit framework names files: others are read (for facts) but not reported.
    @Test func explicitFilesStillSeeOtherFilesFacts() {
        let files = Self.sources([
            (".github/workflows/api.yml", Self.build("./api", scope: nil)),
            (".github/workflows/web.yml", Self.build("./web", scope: nil)),
        ])
        let (streamed, whole) = Self.both(files, explicit: [RepoPath(".github/workflows/web.yml")])
        #expect(streamed == whole)
        #expect(streamed.contains { $0.ruleID == "BXC109" })
        #expect(streamed.allSatisfy { $0.path == RepoPath(".github/workflows/web.yml") })
    }

    /// Every shared case and real tree: streamed findings are exactly the whole-repository ones.
    @Test(.enabled(if: TestSupport.sharedDir != nil)) func corpusStreamedEqualsWhole() throws {
        let corpus = TestSupport.sharedDir!.appendingPathComponent("corpus")
        var roots: [URL] = []
        for sub in ["cases", "real"] {
            let dir = corpus.appendingPathComponent(sub)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
                var isDir: ObjCBool = false
                let u = dir.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir), isDir.boolValue { roots.append(u) }
            }
        }
        #expect(roots.count > 40)
        for root in roots {
            let files = try DirectorySource.files(root: root.path, select: { Selection.default.kind(of: $0) != nil }, maxFileSize: Linter.defaultMaxFileSize)
            let (streamed, whole) = Self.both(files)
            #expect(streamed == whole, "\(root.lastPathComponent)")
        }
    }

    /// Without texts (JSON and GitHub output) the findings are the same and no text is kept.
    @Test func keepTextsOffGivesSameFindings() {
        let files = Self.sources([
            (".github/workflows/api.yml", Self.build("./api", scope: nil)),
            (".github/workflows/web.yml", Self.build("./web", scope: nil)),
        ])
        var lean = LintOptions()
        lean.keepTexts = false
        let with = Linter.lint(files: files)
        let without = Linter.lint(files: files, options: lean)
        #expect(with.diagnostics == without.diagnostics)
        #expect(with.texts.count == 2)
        #expect(without.texts.isEmpty)
    }
}
