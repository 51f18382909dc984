import Testing
@testable import BuildxLintKit

/// Fixes and help snippets pasted as offered: each must clear its finding and add none (cases found by
/// applying every fix the linter offers on ../shared/corpus and the benchmark corpus).
@Suite struct FixTextTests {
    /// The findings of `rule` in `workflow`, each fix applied, and what the linter says afterwards.
    static func fixed(_ workflow: String, rule: String) -> [(finding: Diagnostic, after: [Diagnostic], text: String)] {
        TestSupport.lint(workflow: workflow).filter { $0.ruleID == rule }.flatMap { d in
            d.fixes.map { fix in
                let text = apply(fix, to: workflow)
                return (d, TestSupport.lint(workflow: text), text)
            }
        }
    }

    /// A workflow whose one job sets up buildx v0.21.1 and then runs `steps` (list items, unindented).
    static func afterSetup(_ steps: String) -> String {
        Examples.setupOnly("version: v0.21.1") + Examples.indent(steps, by: 6) + "\n"
    }

    static func publishing(setup: String) -> String {
        """
        on:
          push:
            tags: ['v*']
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: \(setup)
              - uses: docker/build-push-action@v6
                with:
                  push: true

        """
    }

    /// `cache-binary` came with setup-buildx-action v3.1.0: an older pinned release gets only `version:`
    /// (the input would be ignored there, and BXC308 reports it), and the help says when to add it.
    @Test func unpinnedSetupOnAnOldReleaseGetsNoCacheBinary() throws {
        let old = Self.fixed(Self.publishing(setup: "docker/setup-buildx-action@v2"), rule: "BXC301")
        #expect(old.count == 1)
        for (finding, after, text) in old {
            #expect(!text.contains("cache-binary"), "\(text)")
            #expect(text.contains("version: \(ReleaseFacts.latestStableBuildx)"))
            #expect(after.filter { $0.ruleID == "BXC301" || $0.ruleID == "BXC308" }.isEmpty, "\(after.map(\.message))")
            #expect(finding.help?.contains("once the step uses setup-buildx-action v3.1.0 or later (the first with the input), also set `cache-binary: false`") == true, "\(finding.help ?? "")")
        }
        // A release with the input gets both lines.
        let current = Self.fixed(Self.publishing(setup: "docker/setup-buildx-action@v3"), rule: "BXC301")
        #expect(current.count == 1)
        for (finding, after, text) in current {
            #expect(text.contains("cache-binary: false"), "\(text)")
            #expect(after.filter { $0.ruleID == "BXC301" || $0.ruleID == "BXC308" }.isEmpty, "\(after.map(\.message))")
            #expect(finding.help?.contains("releases: also set `cache-binary: false`") == true, "\(finding.help ?? "")")
        }
    }

    /// Values known only as a context expression are written as that expression wherever users read them
    /// (a help snippet with `⟨github.ref_name⟩` pasted as is would be a fixed scope).
    @Test func contextValuesAreShownAsExpressions() throws {
        let workflow = """
        name: ci
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: docker/setup-buildx-action@v3
                with:
                  version: v0.21.1
              - uses: docker/bake-action@v6
                with:
                  files: compose.yaml
                  load: true
                  set: |
                    *.cache-from=type=gha,scope=${{ github.ref_name }}
                    *.cache-to=type=gha,scope=${{ github.ref_name }},mode=max
"""
        let compose = """
        services:
          api:
            build:
              context: ./api
          web:
            build:
              context: ./web
"""
        let found = TestSupport.lint([(".github/workflows/ci.yml", workflow), ("compose.yaml", compose)]).diagnostics
        let bxc106 = try #require(found.first { $0.ruleID == "BXC106" })
        #expect(bxc106.help?.contains("`scope=${{ github.ref_name }}-api` for `api`") == true, "\(bxc106.help ?? "")")
        #expect(bxc106.message.contains("gha scope `${{ github.ref_name }}`"), "\(bxc106.message)")
        for d in found { #expect(!(d.message + (d.help ?? "")).contains("\u{27E8}"), "\(d.message)") }

        #expect(ExprValue.writtenAsExpressions("scope=⟨github.ref_name⟩-⟨matrix.platform⟩") == "scope=${{ github.ref_name }}-${{ matrix.platform }}")
        // Computed values and unknown runner labels have no expression: they stay as they are.
        for kept in ["ghcr.io/⟨lower.github.repository⟩", "⟨eq#0123456789abcdef⟩", "runs-on ⟨?⟩", "open ⟨github.sha", "plain"] {
            #expect(ExprValue.writtenAsExpressions(kept) == kept)
        }
        // In text a user reads they show as a gap, never as the internal name.
        #expect(Diagnostic.readable("scope=app:⟨sh-param#8af109b280a0280d⟩-⟨github.ref_name⟩") == "scope=app:…-${{ github.ref_name }}")
        #expect(CacheLocation(backend: "gha", identity: "app:⟨sh-param#8af109b280a0280d⟩").description == "gha scope `app:…`")
        // A bake value part that cannot be computed shows as `…`, not as the internal placeholder.
        let d = Diagnostic(
            ruleID: "BXC106", ruleName: "x", severity: .warning, path: RepoPath("docker-bake.hcl"),
            span: SourceSpan(at: SourcePosition(line: 1, column: 1, offset: 0)), message: "target `t-\u{FFFC}`", help: "scope=\u{FFFC}-t")
        #expect(d.message == "target `t-…`" && d.help == "scope=…-t")
    }

    /// A comment after a packed one-line value moves after `|` (inside the block it would be cache data).
    @Test func packedEntryFixKeepsATrailingComment() throws {
        let workflow = Examples.buildPush("cache-to: type=gha,scope=a,mode=max,type=gha,scope=b,mode=max # both platforms")
        let results = Self.fixed(workflow, rule: "BXC001")
        #expect(results.count == 1)
        for (_, after, text) in results {
            #expect(text.contains("cache-to: | # both platforms\n            type=gha,scope=a,mode=max\n            type=gha,scope=b,mode=max\n"), "\(text)")
            #expect(after.isEmpty, "\(after.map(\.message))")
        }
        // Without a comment the value is replaced as before.
        let plain = Self.fixed(Examples.buildPush("cache-to: type=gha,scope=a,type=gha,scope=b"), rule: "BXC001")
        #expect(plain.first?.text.contains("cache-to: |\n            type=gha,scope=a\n            type=gha,scope=b\n") == true)
    }

    /// Fixes in a file with CRLF line breaks insert CRLF line breaks.
    @Test func fixesKeepCRLFLineBreaks() throws {
        let workflow = Self.publishing(setup: "docker/setup-buildx-action@v3").replacingAll("\n", with: "\r\n")
        let results = Self.fixed(workflow, rule: "BXC301")
        #expect(results.count == 1)
        for (_, after, text) in results {
            #expect(!text.utf8.enumerated().contains { i, b in b == 0x0A && (i == 0 || Array(text.utf8)[i - 1] != 0x0D) }, "LF without CR:\n\(text)")
            #expect(after.filter { $0.ruleID == "BXC301" }.isEmpty)
        }
        let lf = Self.fixed(Self.publishing(setup: "docker/setup-buildx-action@v3"), rule: "BXC301")
        #expect(lf.first.map { !$0.text.contains("\r") } == true)
    }

    /// A one-job workflow over `matrix` (runs-on from `matrix.runner`) running `steps` (list items, unindented).
    static func matrixJob(_ matrix: String, steps: String) -> String {
        """
        on: push
        jobs:
          build:
            runs-on: ${{ matrix.runner }}
            strategy:
              matrix:
        \(Examples.indent(matrix, by: 8))
            steps:
        \(Examples.indent(steps, by: 6))

        """
    }

    static func matrixBuild(_ matrix: String, scope: String = "app") -> String {
        matrixJob(matrix, steps: """
            - uses: docker/setup-buildx-action@v3
              with:
                version: v0.21.1
            - uses: docker/build-push-action@v6
              with:
                platforms: ${{ matrix.platform }}
                tags: user/app:${{ matrix.pair }}
                cache-from: type=gha,scope=\(scope)
                cache-to: type=gha,mode=max,scope=\(scope)
            """)
    }

    /// A matrix value without `/` that tells the legs apart is used alone (no PLATFORM_PAIR step to add),
    /// and the fix is offered.
    @Test func sharedScopeFixUsesOneDistinguishingValue() throws {
        let workflow = Self.matrixBuild("""
            include:
              - { platform: linux/amd64, pair: linux-amd64, runner: ubuntu-24.04 }
              - { platform: linux/arm64, pair: linux-arm64, runner: ubuntu-24.04-arm }
            """)
        let finding = try #require(TestSupport.lint(workflow: workflow).first { $0.ruleID == "BXC101" })
        #expect(finding.help?.contains("e.g. `scope=app-${{ matrix.pair }}`.") == true, "\(finding.help ?? "")")
        #expect(finding.help?.contains("PLATFORM_PAIR") == false)
        let results = Self.fixed(workflow, rule: "BXC101")
        #expect(results.count == 1)
        for (_, after, text) in results {
            #expect(text.contains("cache-to: type=gha,mode=max,scope=app-${{ matrix.pair }}"), "\(text)")
            #expect(after.isEmpty, "\(after.map(\.message))")
        }
        // `pair` repeats across the job's legs: alone it would not keep them apart, so both stay.
        let cross = Self.matrixBuild("""
            include:
              - { platform: linux/amd64, pair: p1, runner: ubuntu-24.04 }
              - { platform: linux/arm64, pair: p2, runner: ubuntu-24.04-arm }
              - { platform: linux/arm64, pair: p1, runner: ubuntu-24.04-arm }
            """)
        let helps = TestSupport.lint(workflow: cross).filter { $0.ruleID == "BXC101" }.compactMap(\.help)
        #expect(helps.contains { $0.contains("`scope=app-${{ matrix.pair }}-${{ env.PLATFORM_PAIR }}`") }, "\(helps)")
    }

    /// BXC110 suggests the build's own export location; one cut from a packed cache-to (BXC001's finding)
    /// is no location to copy, so the packed entry is left to BXC001.
    @Test func importMismatchIgnoresPackedExports() throws {
        let packed = TestSupport.lint(workflow: Examples.buildPush("cache-from: type=gha,scope=a\ncache-to: type=gha,mode=max,scope=b type=registry,ref=u/app:c"))
        #expect(packed.contains { $0.ruleID == "BXC001" })
        #expect(!packed.contains { $0.ruleID == "BXC110" }, "\(packed.map(\.message))")
        let plain = TestSupport.lint(workflow: Examples.buildPush("cache-from: type=gha,scope=a\ncache-to: type=gha,mode=max,scope=b"))
        #expect(plain.first { $0.ruleID == "BXC110" }?.help == "Import the location this build exports: `scope=b` in cache-from.")
    }

    /// In a matrix, BXC110 shows both locations as written: the first leg's evaluated scope pasted into
    /// cache-from would make every other leg import that leg's cache.
    @Test func importMismatchHelpKeepsTheTemplate() throws {
        let workflow = Self.matrixJob("""
            platform: [linux/amd64, linux/arm64]
            runner: [ubuntu-latest]
            """, steps: """
            - uses: docker/setup-buildx-action@v3
              with:
                version: v0.21.1
            - run: |
                platform=${{ matrix.platform }}
                echo "PLATFORM_PAIR=${platform//\\//-}" >> "$GITHUB_ENV"
            - uses: docker/build-push-action@v6
              with:
                platforms: ${{ matrix.platform }}
                cache-from: type=gha
                cache-to: type=gha,mode=min,scope=build-${{ env.PLATFORM_PAIR }}
            """)
        let finding = try #require(TestSupport.lint(workflow: workflow).first { $0.ruleID == "BXC110" })
        #expect(finding.help == "Import the location this build exports: `scope=build-${{ env.PLATFORM_PAIR }}` in cache-from.")
        #expect(finding.message.hasPrefix("nothing in the repository writes gha scope `buildkit`, so this import never hits"), "\(finding.message)")
        #expect(finding.message.hasSuffix("this build exports `scope=build-${{ env.PLATFORM_PAIR }}` instead"), "\(finding.message)")
        #expect(!finding.message.contains("linux-amd64"))
        // Pasting the help silences the rule.
        let fixed = workflow.replacingAll("cache-from: type=gha\n", with: "cache-from: type=gha,scope=build-${{ env.PLATFORM_PAIR }}\n")
        #expect(!TestSupport.lint(workflow: fixed).contains { $0.ruleID == "BXC110" })
    }

    /// A stale import next to the build's own import-export pair is to be removed, not redirected to the
    /// location the next line already imports.
    @Test func staleImportHelpSaysRemove() throws {
        let workflow = Examples.buildPush("cache-from: |\n  type=gha,scope=release\n  type=gha,scope=binaries\ncache-to: type=gha,mode=max,scope=binaries")
        let finding = try #require(TestSupport.lint(workflow: workflow).first { $0.ruleID == "BXC110" })
        #expect(finding.help == "This build already imports what it exports (`scope=binaries`); remove this import, or point it at a location that some build writes.")
        #expect(finding.message.hasPrefix("nothing in the repository writes `scope=release`"), "\(finding.message)")
    }

    /// BXC210's help keeps the entry as written (only the destination changes) and, for a `run:` build,
    /// gives the flag and the commands for the same script.
    @Test func unboundedLocalCacheHelpMatchesTheStep() throws {
        let script = Self.afterSetup("""
            - uses: actions/cache@v4
              with:
                path: /tmp/.buildx-cache
                key: buildx-${{ github.sha }}
                restore-keys: buildx-
            - run: |
                docker buildx build --cache-from "type=local,src=/tmp/.buildx-cache" --cache-to "type=local,dest=/tmp/.buildx-cache" -t app .
            """)
        let cli = try #require(TestSupport.lint(workflow: script).first { $0.ruleID == "BXC210" })
        #expect(cli.help == "Export to a new folder and replace the old one after the build:\n--cache-to \"type=local,dest=/tmp/.buildx-cache-new\"\nand after the build command, in the same script:\nrm -rf /tmp/.buildx-cache\nmv /tmp/.buildx-cache-new /tmp/.buildx-cache\n(or add `reset=true` with buildx v0.35.0 or newer).")
        // actions/cache carries the folder between runs (without it nothing grows: a hosted runner's disk is new).
        let carried = Examples.buildPush("cache-from: type=local,src=/tmp/c\ncache-to: type=local,dest=/tmp/c,compression=zstd")
            .replacingAll("    steps:\n", with: "    steps:\n      - uses: actions/cache@v4\n        with:\n          path: /tmp/c\n          key: c-${{ github.sha }}\n")
        #expect(!TestSupport.lint(workflow: Examples.buildPush("cache-from: type=local,src=/tmp/c\ncache-to: type=local,dest=/tmp/c")).contains { $0.ruleID == "BXC210" })
        let action = try #require(TestSupport.lint(workflow: carried).first { $0.ruleID == "BXC210" })
        #expect(action.help?.hasPrefix("Export to a new folder and replace the old one after the build:\ncache-to: type=local,dest=/tmp/c-new,compression=zstd\n- run: |\n    rm -rf /tmp/c\n    mv /tmp/c-new /tmp/c\n") == true, "\(action.help ?? "")")
    }

    /// BXC014 on `github.repository_owner`: silent when the origin remote's owner is lowercase, an error on the
    /// export when it has capitals, a warning when not known; the help lowercases the variable the ref uses.
    @Test func registryRefOwnerCase() throws {
        let workflow = Examples.buildPush("cache-to: type=registry,ref=ghcr.io/${{ github.repository_owner }}/app:cache,mode=max")
        func lint(owner: String?) -> [Diagnostic] {
            var options = LintOptions()
            options.githubOwner = owner
            return TestSupport.lint([(".github/workflows/ci.yml", workflow)], options: options).diagnostics.filter { $0.ruleID == "BXC014" }
        }
        #expect(lint(owner: "jlesage").isEmpty)
        let known = try #require(lint(owner: "JLesage").first)
        #expect(known.severity == .error && known.message.contains("holds the owner `JLesage`"), "\(known.message)")
        let unknown = try #require(lint(owner: nil).first)
        #expect(unknown.severity == .warning && unknown.message.contains("if the name has any, the export fails the build"), "\(unknown.message)")
        #expect(unknown.help?.contains("${GITHUB_REPOSITORY_OWNER,,}") == true, "\(unknown.help ?? "")")
    }

    /// Smaller wording cases: flags for a one-line script on one line, no `vN` placeholder for an action
    /// without a release list, a per-leg artifact name from a matrix value without `/`, and bake entries
    /// named "`cache-from` entry of target `app`".
    @Test func helpAndMessageWording() throws {
        let oneLine = Self.afterSetup("- run: docker buildx build --cache-from \"type=gha,scope=a,type=gha,scope=b\" .")
        let packed = try #require(TestSupport.lint(workflow: oneLine).first { $0.ruleID == "BXC001" })
        #expect(packed.help == "Pass each cache entry with its own flag:\n--cache-from 'type=gha,scope=a' --cache-from 'type=gha,scope=b'")

        let qemu = Examples.setupOnly("version: v0.21.1").replacingAll("      - uses: docker/setup-buildx-action@v3", with: "      - uses: docker/setup-qemu-action@master\n      - uses: docker/setup-buildx-action@v3")
        let mutable = try #require(TestSupport.lint(workflow: qemu).first { $0.ruleID == "BXC309" })
        #expect(mutable.help?.contains("vN") == false, "\(mutable.help ?? "")")

        let uploads = Self.matrixJob("""
            include:
              - { platform: linux/amd64, pair: linux-amd64, runner: ubuntu-24.04 }
              - { platform: linux/arm64, pair: linux-arm64, runner: ubuntu-24.04-arm }
            """, steps: """
            - uses: actions/upload-artifact@v4
              with:
                name: cache
                path: /tmp/cache-${{ matrix.pair }}
            """)
        let artifact = try #require(TestSupport.lint(workflow: uploads).first { $0.ruleID == "BXC202" })
        #expect(artifact.help?.hasPrefix("Make the name unique per leg, e.g. `name: cache-${{ matrix.pair }}`, and download") == true, "\(artifact.help ?? "")")

        let bake = TestSupport.lint([("docker-bake.hcl", "target \"app\" {\n  cache-from = [\"type=gha,scope=a,type=gha,scope=b\"]\n}\n")]).diagnostics
        let bakePacked = try #require(bake.first { $0.message.contains("packed") })
        #expect(bakePacked.message.contains("packed into one `cache-from` entry of target `app`;"), "\(bakePacked.message)")
    }

    /// `version: latest` in a publishing workflow: the fix pins the version and adds the `cache-binary: false`
    /// the help asks for; on a self-hosted runner the help says why `latest` may be deliberate.
    @Test func floatingVersionFixAddsCacheBinary() throws {
        let workflow = Self.publishing(setup: "docker/setup-buildx-action@v3\n        with:\n          version: latest")
        let results = Self.fixed(workflow, rule: "BXC301")
        #expect(results.count == 1)
        for (finding, after, text) in results {
            #expect(text.contains("          version: \(ReleaseFacts.latestStableBuildx)\n          cache-binary: false\n"), "\(text)")
            #expect(after.isEmpty, "\(after.map(\.message))")
            #expect(finding.help?.contains("self-hosted") == false)
        }
        let selfHosted = workflow.replacingAll("runs-on: ubuntu-latest", with: "runs-on: [self-hosted, linux]")
        let finding = try #require(TestSupport.lint(workflow: selfHosted).first { $0.ruleID == "BXC301" })
        #expect(finding.help?.contains("This job runs on a self-hosted runner, where Docker's cache documentation recommends `version: latest`") == true)
    }

    /// A reusable workflow publishes when a workflow that calls it does: the cache-binary advice reaches it.
    @Test func callerTriggersCountForCacheBinary() throws {
        let callee = """
            on: workflow_call
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                  - uses: docker/build-push-action@v6
                    with:
                      push: true

            """
        let caller = "on:\n  push:\n    tags: ['v*']\njobs:\n  release:\n    uses: ./.github/workflows/build.yml\n"
        let found = TestSupport.lint([(".github/workflows/build.yml", callee), (".github/workflows/release.yml", caller)]).diagnostics
        let d = try #require(found.first { $0.ruleID == "BXC301" && $0.path.display == ".github/workflows/build.yml" })
        #expect(d.help?.contains(".github/workflows/release.yml, which calls this workflow, publishes on tags or releases: also set `cache-binary: false`") == true, "\(d.help ?? "")")
        #expect(d.fixes.first?.edits.first?.replacement.contains("cache-binary: false") == true)
        // Without the calling workflow it does not.
        let alone = try #require(TestSupport.lint([(".github/workflows/build.yml", callee)]).diagnostics.first { $0.ruleID == "BXC301" })
        #expect(alone.help?.contains("cache-binary") == false)
    }
}

/// Help texts that are pasted where the finding points.
@Suite struct PastedHelpTests {
    /// A packed list reached through `env:` is fixed under its env key, not under `cache-from:`.
    @Test func packedEntryThroughEnvNamesTheEnvKey() throws {
        let workflow = """
            on: push
            jobs:
              b:
                env:
                  CACHE_FROM: type=gha,scope=a,type=gha,scope=b
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - uses: docker/build-push-action@v6
                    with:
                      cache-from: ${{ env.CACHE_FROM }}
                      cache-to: type=gha,mode=max,scope=a

            """
        let finding = try #require(TestSupport.lint(workflow: workflow).first { $0.ruleID == "BXC001" })
        #expect(finding.span.start.line == 5)
        #expect(finding.help == "Put each cache entry on its own line:\nCACHE_FROM: |\n  type=gha,scope=a\n  type=gha,scope=b", "\(finding.help ?? "")")
    }
}

extension PastedHelpTests {
    /// BXC301 on a step that already has `with:` asks for the `version:` line only.
    @Test func pinHelpUnderAnExistingWith() throws {
        let withBlock = Examples.setupOnly("driver-opts: network=host")
        let finding = try #require(TestSupport.lint(workflow: withBlock).first { $0.ruleID == "BXC301" })
        #expect(finding.help?.hasPrefix("Pin a buildx release: add under the step's `with:`\nversion: v") == true, "\(finding.help ?? "")")
        #expect(finding.help?.contains("with:\n  version") == false)
        let bare = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n"
        let plain = try #require(TestSupport.lint(workflow: bare).first { $0.ruleID == "BXC301" })
        #expect(plain.help?.hasPrefix("Pin a buildx release:\nwith:\n  version: v") == true, "\(plain.help ?? "")")
    }
}

extension PastedHelpTests {
    static let sharedScopeByPlatform = """
        on: push
        defaults:
          run:
            shell: sh
        jobs:
          b:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                platform: [linux/amd64, linux/arm64]
            steps:
              - uses: docker/setup-buildx-action@v3
                with:
                  version: v0.21.1
              - uses: docker/build-push-action@v6
                with:
                  platforms: ${{ matrix.platform }}
                  cache-from: type=gha,scope=app
                  cache-to: type=gha,mode=max,scope=app

        """

    /// The PLATFORM_PAIR step BXC101 offers runs with bash: pasted under `defaults.run.shell: sh` it
    /// works, and BXC503 has nothing to report.
    @Test func platformPairStepRunsWithBash() throws {
        let finding = try #require(TestSupport.lint(workflow: Self.sharedScopeByPlatform).first { $0.ruleID == "BXC101" })
        let help = try #require(finding.help)
        let step = try #require(help.range(of: "- name: Prepare").map { String(help[$0.lowerBound...]) })
        #expect(step.contains("  shell: bash\n"), "\(step)")
        #expect(step.contains("platform=${{ matrix.platform }}"))
        let pasted = Self.sharedScopeByPlatform
            .replacingAll("      - uses: docker/build-push-action@v6\n", with: Examples.indent(step, by: 6) + "\n      - uses: docker/build-push-action@v6\n")
            .replacingAll("scope=app", with: "scope=app-${{ env.PLATFORM_PAIR }}")
        let after = TestSupport.lint(workflow: pasted)
        #expect(after.isEmpty, "\(after.map { "\($0.ruleID) \($0.message)" })\n\(pasted)")
    }

    /// Inside a composite action the step reads the platform the way the action's build does (an input) and
    /// carries the `shell:` that composite `run:` steps require.
    @Test func platformPairStepInACompositeAction() throws {
        let action = """
            name: build
            inputs:
              platform:
                required: true
            runs:
              using: composite
              steps:
                - uses: docker/setup-buildx-action@v3
                  with:
                    version: v0.21.1
                - uses: docker/build-push-action@v6
                  with:
                    platforms: ${{ inputs.platform }}
                    cache-from: type=gha,scope=app
                    cache-to: type=gha,mode=max,scope=app

            """
        let workflow = """
            on: push
            jobs:
              b:
                runs-on: ubuntu-latest
                strategy:
                  matrix:
                    platform: [linux/amd64, linux/arm64]
                steps:
                  - uses: ./.github/actions/build
                    with:
                      platform: ${{ matrix.platform }}

            """
        let result = TestSupport.lint([(".github/workflows/ci.yml", workflow), (".github/actions/build/action.yml", action)])
        let finding = try #require(result.diagnostics.first { $0.ruleID == "BXC101" })
        #expect(finding.path == RepoPath(".github/actions/build/action.yml"))
        let help = try #require(finding.help)
        #expect(help.contains("- name: Prepare\n  shell: bash\n  run: |\n    platform=${{ inputs.platform }}\n"), "\(help)")
    }
}

extension PastedHelpTests {
    /// A scope part a script computes (`CACHE_TAG="${REF//[\/_=]/-}"` written to $GITHUB_ENV) is shown as
    /// written, `${{ env.CACHE_TAG }}`, never as an internal name; the two calls of the reusable workflow differ
    /// by stage, not only by platform, so BXC109 reports them as different builds, not as platforms
    /// (firezone/firezone).
    @Test func scriptComputedScopeIsShownAsWritten() throws {
        let callee = """
            on:
              workflow_call:
                inputs:
                  stage:
                    type: string
                    required: true
            jobs:
              image:
                runs-on: ubuntu-latest
                strategy:
                  matrix:
                    platform: [linux/amd64, linux/arm64]
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - run: |
                      REF="${{ github.ref_name }}"
                      CACHE_TAG="${REF//[\\/_=]/-}"
                      echo "CACHE_TAG=$CACHE_TAG" >> "$GITHUB_ENV"
                  - uses: docker/build-push-action@v6
                    with:
                      platforms: ${{ matrix.platform }}
                      target: ${{ inputs.stage }}
                      cache-from: type=gha,scope=app:${{ env.CACHE_TAG }}
                      cache-to: type=gha,scope=app:${{ env.CACHE_TAG }},mode=max

            """
        let caller = "on: push\njobs:\n  debug:\n    uses: ./.github/workflows/_build.yml\n    with:\n      stage: debug\n  release:\n    uses: ./.github/workflows/_build.yml\n    with:\n      stage: release\n"
        let found = TestSupport.lint([(".github/workflows/_build.yml", callee), (".github/workflows/cd.yml", caller)]).diagnostics
        #expect(found.map(\.ruleID) == ["BXC101", "BXC109"], "\(found.map { "\($0.ruleID) \($0.message)" })")
        let d = try #require(found.first)
        #expect(d.message.contains("both write gha scope `app:${{ env.CACHE_TAG }}`"), "\(d.message)")
        #expect(d.help?.contains("e.g. `scope=app:${{ env.CACHE_TAG }}-${{ env.PLATFORM_PAIR }}`") == true, "\(d.help ?? "")")
        let calls = try #require(found.last)
        #expect(calls.message.contains("written by this build in every call of its reusable workflow, and the calls build different things"), "\(calls.message)")
        #expect(calls.help?.contains("`scope=<image>-app:${{ env.CACHE_TAG }}`") == true, "\(calls.help ?? "")")
        for text in [d.message, d.help ?? "", calls.message, calls.help ?? ""] { #expect(!text.contains("sh-param") && !text.contains("\u{27E8}")) }
    }
}

extension PastedHelpTests {
    /// BXC009 says "remove" when the cache-to entry already sets the export option (moving it would repeat
    /// the key: BXC002), and "move" otherwise.
    @Test func exportOptionOnCacheFromHelp() throws {
        let both = Examples.buildPush("cache-from: type=registry,ref=u/app:cache,image-manifest=true\ncache-to: type=registry,ref=u/app:cache,mode=max,image-manifest=true")
        let d = try #require(TestSupport.lint(workflow: both).first { $0.ruleID == "BXC009" })
        #expect(d.help == "Remove `image-manifest=true` from cache-from; the cache-to entry already sets `image-manifest`.")
        let only = Examples.buildPush("cache-from: type=registry,ref=u/app:cache,image-manifest=true\ncache-to: type=registry,ref=u/app:cache,mode=max")
        let m = try #require(TestSupport.lint(workflow: only).first { $0.ruleID == "BXC009" })
        #expect(m.help == "Move `image-manifest=true` to the cache-to entry; cache-from takes only the location.")
    }
}

extension PastedHelpTests {
    /// BXC101's suffix tells every leg apart, not only the reported pair (OpenHands: python/amd64 and
    /// java/amd64 shared a scope after the pair-based `${{ matrix.arch }}-${{ env.PLATFORM_PAIR }}`).
    @Test func sharedScopeSuffixSeparatesEveryLeg() throws {
        let workflow = FixTextTests.matrixJob("""
            include:
              - { variant: python, arch: amd64, base: "python:3.13-slim", runner: ubuntu-24.04, platform: linux/amd64 }
              - { variant: python, arch: arm64, base: "python:3.13-slim", runner: ubuntu-24.04-arm, platform: linux/arm64 }
              - { variant: java, arch: amd64, base: "eclipse-temurin:17", runner: ubuntu-24.04, platform: linux/amd64 }
              - { variant: java, arch: arm64, base: "eclipse-temurin:17", runner: ubuntu-24.04-arm, platform: linux/arm64 }
            """, steps: """
            - uses: docker/setup-buildx-action@v3
              with:
                version: v0.21.1
            - uses: docker/build-push-action@v6
              with:
                platforms: ${{ matrix.platform }}
                tags: user/app:${{ matrix.variant }}-${{ matrix.arch }}
                build-args: BASE=${{ matrix.base }}
                cache-from: type=gha,scope=app
                cache-to: type=gha,mode=max,scope=app
            """)
        let finding = try #require(TestSupport.lint(workflow: workflow).first { $0.ruleID == "BXC101" })
        #expect(finding.help?.contains("e.g. `scope=app-${{ matrix.arch }}-${{ matrix.variant }}`.") == true, "\(finding.help ?? "")")
        let results = FixTextTests.fixed(workflow, rule: "BXC101")
        #expect(!results.isEmpty)
        for (_, after, text) in results { #expect(!after.contains { $0.ruleID == "BXC101" }, "\(text)") }
    }
}

extension PastedHelpTests {
    /// BXC109's example keeps the written scope after the image name (a per-platform part stays; hoppscotch).
    @Test func reusedScopeHelpKeepsTheWrittenScope() throws {
        func job(_ id: String, context: String) -> String {
            """
              \(id):
                runs-on: ubuntu-latest
                strategy:
                  matrix:
                    pair: [amd64, arm64]
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - uses: docker/build-push-action@v6
                    with:
                      context: \(context)
                      platforms: linux/${{ matrix.pair }}
                      cache-from: type=gha,scope=release-${{ matrix.pair }}
                      cache-to: type=gha,mode=max,scope=release-${{ matrix.pair }}
            """
        }
        let workflow = "on: push\njobs:\n" + job("backend", context: "./backend") + "\n" + job("frontend", context: "./frontend") + "\n"
        let d = try #require(TestSupport.lint(workflow: workflow).first { $0.ruleID == "BXC109" })
        #expect(d.help == "Scope gha caches per image, e.g. `scope=<image>-release-${{ matrix.pair }}` on this build's cache-from and cache-to (the image name added, the rest of the scope kept).", "\(d.help ?? "")")
    }
}

extension PastedHelpTests {
    /// Two matrix keys with `/` (platform and Dockerfile path): one PLATFORM_PAIR step cannot derive both, so
    /// the suffix names PLATFORM_PAIR once (dgtlmoon/changedetection.io).
    @Test func twoSlashKeysGiveOnePlatformPair() throws {
        let workflow = FixTextTests.matrixJob("""
            include:
              - { platform: linux/amd64, dockerfile: ./Dockerfile, runner: ubuntu-latest }
              - { platform: linux/arm64, dockerfile: ./Dockerfile, runner: ubuntu-latest }
              - { platform: linux/amd64, dockerfile: ./alpine/Dockerfile, runner: ubuntu-latest }
            """, steps: """
            - uses: docker/setup-buildx-action@v3
              with:
                version: v0.21.1
            - uses: docker/build-push-action@v6
              with:
                file: ${{ matrix.dockerfile }}
                platforms: ${{ matrix.platform }}
                cache-from: type=gha
                cache-to: type=gha,mode=max
            """)
        let finding = try #require(TestSupport.lint(workflow: workflow).first { $0.ruleID == "BXC101" })
        let help = try #require(finding.help)
        #expect(help.components(separatedBy: "${{ env.PLATFORM_PAIR }}").count == 2, "\(help)")
    }
}

extension PastedHelpTests {
    /// BXC013 says "this build pushes" only when it does (`push: true`); otherwise the tag may be pushed later.
    @Test func cacheRefEqualsImageSaysWhoPushes() throws {
        let pushed = Examples.buildPush("push: true\ntags: user/app:latest\ncache-to: type=registry,ref=user/app:latest,mode=max")
        let p = try #require(TestSupport.lint(workflow: pushed).first { $0.ruleID == "BXC013" })
        #expect(p.message == "the registry cache ref `user/app:latest` is also an image this build pushes; the cache manifest and the image overwrite each other")
        let loaded = Examples.buildPush("load: true\ntags: user/app:latest\ncache-to: type=registry,ref=user/app:latest,mode=max")
        let l = try #require(TestSupport.lint(workflow: loaded).first { $0.ruleID == "BXC013" })
        #expect(l.message.contains("is also a tag of the image this build makes (pushed here when `push:` is on, or by a later step)"))
    }
}
