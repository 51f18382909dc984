@testable import BuildxLintKit
import Testing

/// BXC209 (a local cache export nobody keeps) on self-hosted runners and with rotation scripts that use
/// the step's env variables.
@Suite struct LocalCachePersistenceTests {
    static func workflow(runsOn: String, rotate: String, env: String = "") -> String {
        """
        on: push
        \(env)jobs:
          build:
            runs-on: \(runsOn)
            steps:
              - uses: actions/cache@v4
                with: {path: /tmp/.buildx-cache, key: "bx-${{ github.sha }}", restore-keys: bx-}
              - uses: docker/setup-buildx-action@v3
                with: {version: v0.21.1}
              - uses: docker/build-push-action@v6
                with:
                  cache-from: type=local,src=/tmp/.buildx-cache
                  cache-to: type=local,dest=/tmp/.buildx-cache-new,mode=max
        \(Examples.indent(rotate, by: 6))

        """
    }

    /// A self-hosted runner may keep its disk (wlals2/blogsite's `/mnt/data/ci/cache`): not reported.
    @Test func selfHostedRunnersMayKeepTheirDisk() {
        let kept = """
            on: push
            jobs:
              build:
                runs-on: self-hosted
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with: {version: v0.21.1}
                  - uses: docker/build-push-action@v6
                    with:
                      cache-from: type=local,src=/mnt/data/ci/cache/web
                      cache-to: type=local,dest=/mnt/data/ci/cache/web,mode=max

            """
        #expect(!TestSupport.lint(workflow: kept).contains { $0.ruleID == "BXC209" })
        let hosted = kept.replacingAll("runs-on: self-hosted", with: "runs-on: ubuntu-24.04")
        #expect(TestSupport.lint(workflow: hosted).filter { $0.ruleID == "BXC209" }.count == 1)
    }

    /// `mv "${CACHE_DIR}-new" "${CACHE_DIR}"` rotates the export when CACHE_DIR is an `env:` value
    /// (sephymartin-lab/platform-images); an unknown variable does not.
    @Test func rotationThroughEnvVariables() {
        let env = "env:\n  CACHE_DIR: /tmp/.buildx-cache\n"
        for script in ["mv \"${CACHE_DIR}-new\" \"${CACHE_DIR}\"", "mv $CACHE_DIR-new $CACHE_DIR", "mv \"$CACHE_DIR-new\" \"$CACHE_DIR\""] {
            let wf = Self.workflow(runsOn: "ubuntu-latest", rotate: "- run: |\n    rm -rf \"$CACHE_DIR\"\n    " + script, env: env)
            #expect(!TestSupport.lint(workflow: wf).contains { $0.ruleID == "BXC209" }, "\(script)")
        }
        let unknown = Self.workflow(runsOn: "ubuntu-latest", rotate: "- run: mv \"${OTHER}-new\" \"${OTHER}\"", env: env)
        #expect(TestSupport.lint(workflow: unknown).filter { $0.ruleID == "BXC209" }.count == 1)
        #expect(LocalCacheFlow.expandingEnv("a ${X}-new $X $Y ${X", ["X": .string("/c")]) == "a /c-new /c $Y ${X")
    }

    static func merge(_ downloads: String, src: String) -> String {
        """
        on: push
        jobs:
          merge:
            runs-on: ubuntu-latest
            steps:
        \(Examples.indent(downloads, by: 6))
              - uses: docker/setup-buildx-action@v3
                with: {version: v0.21.1}
              - uses: docker/build-push-action@v6
                with:
                  platforms: linux/amd64,linux/arm64
                  cache-from: |
        \(Examples.indent(src, by: 12))

        """
    }

    /// BXC205 on the import side: download-artifact v5+ extracts the one artifact of a wildcard-free pattern
    /// straight into `path`, earlier releases into `path/<name>/`.
    @Test func downloadLayoutByRelease() throws {
        let v5 = "- uses: actions/download-artifact@v5\n  with: {pattern: cache-amd64, path: /tmp/caches}\n- uses: actions/download-artifact@v5\n  with: {pattern: cache-arm64, path: /tmp/caches}"
        let sub = "type=local,src=/tmp/caches/cache-amd64\ntype=local,src=/tmp/caches/cache-arm64"
        let found = TestSupport.lint(workflow: Self.merge(v5, src: sub)).filter { $0.ruleID == "BXC205" }
        #expect(found.count == 2)
        let d = try #require(found.first)
        #expect(d.span.start.line == 16)
        #expect(d.help == "Download into the folder the build reads: `path: /tmp/caches/cache-amd64` on the download step at line 6 (each artifact in its own folder; two downloads into one folder overwrite each other's index.json).")
        // Before v5 the same files are in `path/<name>/`: right.
        let v4 = v5.replacingAll("@v5", with: "@v4")
        #expect(!TestSupport.lint(workflow: Self.merge(v4, src: sub)).contains { $0.ruleID == "BXC205" })
        // Before v5, `src=path` misses them; v5 puts one artifact there.
        let one = "- uses: actions/download-artifact@v4\n  with: {pattern: cache-amd64, path: /tmp/caches}"
        let v4Root = TestSupport.lint(workflow: Self.merge(one, src: "type=local,src=/tmp/caches")).filter { $0.ruleID == "BXC205" }
        #expect(v4Root.map(\.help) == ["Point `src=` at `/tmp/caches/cache-amd64`, the folder the download step fills."])
        #expect(!TestSupport.lint(workflow: Self.merge(one.replacingAll("@v4", with: "@v5"), src: "type=local,src=/tmp/caches")).contains { $0.ruleID == "BXC205" })
        // A wildcard pattern, a `name:` download or an unknown release: the layout is not known, nothing is said.
        for other in [v5.replacingAll("pattern: cache-amd64", with: "pattern: cache-*"), v5.replacingAll("pattern: cache-amd64", with: "name: cache-amd64"),
            v5.replacingAll("@v5", with: "@0123456789abcdef0123456789abcdef01234567")]
        {
            #expect(!TestSupport.lint(workflow: Self.merge(other, src: "type=local,src=/tmp/caches/cache-amd64")).contains { $0.ruleID == "BXC205" }, "\(other)")
        }
    }

    /// BXC204: `merge-multiple` with a pattern that names one artifact overwrites nothing.
    @Test func mergeOfOneArtifactOverwritesNothing() {
        let one = "- uses: actions/download-artifact@v4\n  with: {pattern: cache-amd64, path: /tmp/cache/amd64, merge-multiple: true}"
        #expect(!TestSupport.lint(workflow: Self.merge(one, src: "type=local,src=/tmp/cache/amd64")).contains { $0.ruleID == "BXC204" })
        let many = one.replacingAll("pattern: cache-amd64", with: "pattern: cache-*")
        #expect(TestSupport.lint(workflow: Self.merge(many, src: "type=local,src=/tmp/cache/amd64")).contains { $0.ruleID == "BXC204" })
    }
}
