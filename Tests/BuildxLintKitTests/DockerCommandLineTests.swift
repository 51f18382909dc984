import Testing
@testable import BuildxLintKit

@Suite struct DockerCommandLineTests {
    @Test func findsBuildxBuildWithFlagsAndContinuations() {
        let script = """
            set -e
            docker buildx build \\
              --platform linux/amd64 \\
              --cache-from "type=local,src=/tmp/.buildx-cache" \\
              --cache-to=type=local,dest=/tmp/.buildx-cache-new,mode=max \\
              -t app:ci -f docker/Dockerfile .
            echo done
            """
        let cmds = DockerCommandLine.commands(in: script)
        #expect(cmds.count == 1)
        let c = cmds[0]
        #expect(c.kind == .build)
        #expect(c.values("cache-from").map(\.text) == ["type=local,src=/tmp/.buildx-cache"])
        #expect(c.values("cache-to").map(\.text) == ["type=local,dest=/tmp/.buildx-cache-new,mode=max"])
        #expect(c.values("platform").map(\.text) == ["linux/amd64"])
        #expect(c.values("file").map(\.text) == ["docker/Dockerfile"])
        #expect(c.values("tag").map(\.text) == ["app:ci"])
        #expect(c.positionals.map(\.text) == ["."])
        // Offsets of a quoted value point inside the quotes.
        let v = c.values("cache-from")[0]
        let offs = DockerCommandLine.offsets(of: v, in: Array(script.utf8))
        let bytes = Array(script.utf8)
        #expect(String(decoding: bytes[offs[0]..<offs[offs.count - 1]], as: UTF8.self) == v.text)
        // `--flag=value` values start after `=`.
        let to = c.values("cache-to")[0]
        #expect(String(decoding: bytes[to.range], as: UTF8.self) == to.text)
    }

    @Test func bakeSetAndExpansions() {
        let cmds = DockerCommandLine.commands(in: "docker buildx bake --set '*.cache-to=type=gha,mode=max' --set *.platform=$P app && docker build --cache-from $CACHE .")
        #expect(cmds.map(\.kind) == [.bake, .build])
        #expect(cmds[0].values("set").map(\.text) == ["*.cache-to=type=gha,mode=max", "*.platform=$P"])
        #expect(cmds[0].values("set")[1].hasExpansion)
        #expect(cmds[0].positionals.map(\.text) == ["app"])
        #expect(cmds[1].values("cache-from")[0].unquotedExpansion)
        #expect(!DockerCommandLine.commands(in: "docker buildx build --cache-from \"$C\" .")[0].values("cache-from")[0].unquotedExpansion)
    }

    /// An unterminated quote runs to the end of the script: every word stays inside it (a word past the end
    /// trapped when its offsets were taken), and the workflow is still linted.
    @Test func unterminatedQuotesStayInsideTheScript() {
        for script in ["docker buildx build --cache-to 'type=gha", "docker buildx build --cache-from \"x", "docker buildx build --cache-to=\"type=gha",
            "docker buildx bake --set 'a.cache-to=x", "docker buildx build --cache-to '", "docker buildx build --cache-to \""] {
            let bytes = Array(script.utf8)
            for c in DockerCommandLine.commands(in: script) {
                for w in c.words {
                    #expect(w.range.upperBound <= bytes.count, "\(script)")
                    let offs = DockerCommandLine.offsets(of: w, in: bytes)
                    #expect(offs.allSatisfy { $0 <= bytes.count })
                }
            }
            // Linting the script in a workflow must not trap either.
            let wf = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          \(script)\n"
            #expect(!TestSupport.lint(workflow: wf).contains { $0.ruleID == "BXC000" }, "\(script)")
        }
        let wf = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: docker buildx build --cache-to 'type=gha\n"
        let found = TestSupport.lint(workflow: wf)
        #expect(!found.contains { $0.ruleID == "BXC000" })
        #expect(DockerCommandLine.commands(in: "docker buildx build --cache-to 'type=gha")[0].values("cache-to").map(\.text) == ["type=gha"])
    }

    @Test func ignoresOtherCommandsAndComments() {
        #expect(DockerCommandLine.commands(in: "docker buildx imagetools create -t a b\n# docker buildx build --cache-from x .\necho docker build").isEmpty)
        #expect(DockerCommandLine.commands(in: "docker image build --cache-from a .").count == 1)
        #expect(DockerCommandLine.commands(in: "docker --context remote buildx build --cache-to type=inline .").count == 1)
    }

    @Test func runStepEntriesAreLintedWithPositions() {
        let wf = """
            on: push
            jobs:
              b:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - run: |
                      docker buildx build \\
                        --cache-from "type=gha,scope=a,type=gha,scope=b" \\
                        --cache-to type=gha, mode=max .

            """
        let d = TestSupport.lint(workflow: wf).map { "\($0.span.start.line):\($0.span.start.column) \($0.ruleID)" }
        #expect(d.contains("11:27 BXC001"))
        #expect(d.contains("11:27 BXC501"))
    }
}
