@testable import BuildxLintKit
import Testing

/// The git refs a workflow runs on (the gha cache keeps one index per scope and ref).
@Suite struct GitRefsTests {
    static func refs(_ on: String) -> Set<String>? {
        let text = "on:\n" + Examples.indent(on, by: 2) + "\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n"
        let file = Linter.analyse(path: RepoPath(".github/workflows/a.yml"), kind: .workflow, bytes: Array(text.utf8))
        return GitRefs.of(file.workflow)
    }

    @Test func literalPushFiltersNameTheirRefs() {
        #expect(Self.refs("push:\n  branches: [ master ]") == ["refs/heads/master"])
        #expect(Self.refs("push:\n  branches: [main, develop]\n  tags: ['v*']") == ["refs/heads/main", "refs/heads/develop", GitRefs.anyTag])
        #expect(Self.refs("push:\n  tags: ['v*']") == [GitRefs.anyTag])
    }

    @Test func anythingElseIsAnyRef() {
        for on in ["push", "[push, pull_request]", "push:\n  branches: ['release/*']", "push:\n  branches-ignore: [main]",
            "push:\n  branches: [main]\npull_request:", "workflow_dispatch:"]
        {
            #expect(Self.refs(on) == nil, "\(on)")
        }
        #expect(GitRefs.overlap(["refs/heads/main"], nil))
        #expect(!GitRefs.overlap(["refs/heads/main"], ["refs/heads/develop"]))
        #expect(GitRefs.overlap([GitRefs.anyTag], [GitRefs.anyTag, "refs/heads/main"]))
    }

    /// BXC109 does not compare builds of workflows that never run on one branch (Kometa's master and develop
    /// images): each branch has its own cache index.
    @Test func buildsOnDisjointBranchesDoNotCollide() {
        func workflow(_ branch: String, arg: String) -> String {
            """
            on:
              push:
                branches: [ \(branch) ]
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
                      version: v0.21.1
                  - uses: docker/build-push-action@v6
                    with:
                      build-args: BRANCH_NAME=\(arg)
                      cache-from: type=gha
                      cache-to: type=gha,mode=max

            """
        }
        let disjoint = TestSupport.lint([(".github/workflows/a.yml", workflow("master", arg: "a")), (".github/workflows/b.yml", workflow("develop", arg: "b"))])
        #expect(!disjoint.diagnostics.contains { $0.ruleID == "BXC109" })
        let shared = TestSupport.lint([(".github/workflows/a.yml", workflow("master", arg: "a")), (".github/workflows/b.yml", workflow("master", arg: "b"))])
        #expect(shared.diagnostics.filter { $0.ruleID == "BXC109" }.count == 1)
    }
}
