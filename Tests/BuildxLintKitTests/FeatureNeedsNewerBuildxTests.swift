import Testing
@testable import BuildxLintKit

/// BXC307's detections beyond its documented examples, each with the releases on both sides of the change.
@Suite struct FeatureNeedsNewerBuildxTests {
    static func bake(version: String?, with inputs: String) -> String {
        Examples.bakeAction(inputs, setup: version.map { "version: \($0)" } ?? "install: true")
    }

    static func findings(_ workflow: String) -> [Diagnostic] {
        TestSupport.lint(workflow: workflow).filter { $0.ruleID == "BXC307" }
    }

    @Test(arguments: [
        // An override that empties a cache list: v0.20.0 to v0.21.1 fail on the empty entry.
        ("v0.20.0", "set: |\n  *.cache-to=", 1), ("v0.21.1", "set: |\n  *.cache-to=", 1),
        ("v0.19.3", "set: |\n  *.cache-to=", 0), ("v0.21.2", "set: |\n  *.cache-to=", 0),
        // `+=` needs v0.22.0.
        ("v0.21.2", "set: |\n  app.cache-to+=type=gha,mode=max,scope=app", 1), ("v0.22.0", "set: |\n  *.cache-from+=type=gha", 0),
        // bake-action `call:` needs v0.16.0.
        ("v0.15.1", "call: check", 1), ("v0.16.0", "call: check", 0),
        // Other attributes are not this rule's.
        ("v0.21.0", "set: |\n  *.platform+=linux/arm64", 0),
    ] as [(String, String, Int)])
    func bakeAction(_ version: String, _ inputs: String, _ count: Int) {
        #expect(Self.findings(Self.bake(version: version, with: inputs)).count == count, "\(version) \(inputs)")
    }

    /// Without a pinned release (none, `latest`, an expression) nothing is known about the syntax.
    @Test(arguments: [nil, "latest", "${{ vars.BUILDX }}"] as [String?])
    func unpinnedSaysNothing(_ version: String?) {
        #expect(Self.findings(Self.bake(version: version, with: "set: |\n  *.cache-from+=type=gha")).isEmpty)
    }

    /// `docker buildx bake --set …+=` in a run step is checked like bake-action's `set:`, at the flag.
    @Test func commandLineOverride() throws {
        let wf = """
            on: push
            jobs:
              bake:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.0
                  - run: docker buildx bake --set '*.cache-from+=type=gha,scope=main' app

            """
        let d = try #require(Self.findings(wf).first)
        #expect(d.span.start.line == 9)
        #expect(d.message.contains("v0.22.0"))
        #expect(d.fixes.first?.edits.first?.replacement == ReleaseFacts.latestStableBuildx)
    }

    /// A comma-separated ref list is fine before and after v0.20.0.
    @Test(arguments: [("v0.19.3", 0), ("v0.20.0", 1), ("v0.20.1", 0)])
    func refLists(_ version: String, _ count: Int) {
        let wf = Examples.buildPush("cache-from: user/app:a,user/app:b", setup: "version: \(version)")
        #expect(Self.findings(wf).count == count)
    }

    /// Several cache exports need BuildKit v0.11.0; the finding is at the second export.
    @Test(arguments: [
        ("v0.10.6", "cache-to: |\n  type=gha,mode=max\n  type=registry,ref=u/app:cache", [13]),
        ("v0.10.6-rootless", "cache-to: |\n  type=gha,mode=max\n  type=registry,ref=u/app:cache", [13]),
        ("v0.11.0", "cache-to: |\n  type=gha,mode=max\n  type=registry,ref=u/app:cache", []),
        ("v0.10.6", "cache-to: type=gha,mode=max", []),
    ] as [(String, String, [Int])])
    func multipleExportsWithOldBuildKit(_ tag: String, _ inputs: String, _ lines: [Int]) {
        let wf = Examples.buildPush(inputs, setup: "driver-opts: image=moby/buildkit:\(tag)")
        let found = Self.findings(wf)
        #expect(found.map(\.span.start.line) == lines, "\(found.map(\.message))")
        #expect(found.allSatisfy { $0.message.contains("BuildKit \(tag)") && $0.message.contains("line 8") })
    }

    /// `reset=` on a local cache export is honoured from buildx v0.35.0; before, a warning at the field.
    @Test(arguments: [("v0.34.0", [11]), ("v0.35.0", [])] as [(String, [Int])])
    func resetOnLocalCache(_ version: String, _ lines: [Int]) {
        let wf = Examples.buildPush("cache-to: type=local,dest=/tmp/c,mode=max,reset=true", setup: "version: \(version)")
        let found = Self.findings(wf)
        #expect(found.map(\.span.start.line) == lines)
        #expect(found.allSatisfy { $0.severity == .warning && $0.span.start.column == 53 })
    }
}
