import Foundation
import Testing
@testable import BuildxLintKit

/// The pre-commit framework hook (`.pre-commit-hooks.yaml`), run for real with `pre-commit try-repo`,
/// which clones this repository, builds it with `language: swift` and runs the hook. `scripts/test.sh`
/// installs pre-commit from PyPI; without it the test is skipped (and says so).
@Suite(.serialized) struct PreCommitFrameworkTests {
    static let preCommitAvailable: Bool = TestSupport.run("/usr/bin/env", ["python3", "-m", "pre_commit", "--version"]).status == 0

    @Test(.enabled(if: preCommitAvailable, "pre-commit is not installed (pip install pre-commit)"))
    func tryRepoCatchesAPackedEntryAndPassesAFixedOne() throws {
        let repo = TestSupport.makeRepo([(CLITests.wf, CLITests.bad)])
        // A cache folder that survives between runs keeps the hook's release build.
        let env = ["PRE_COMMIT_HOME": FileManager.default.temporaryDirectory.appendingPathComponent("buildx-lint-pre-commit-cache").path]
        let bad = TestSupport.run(
            "/usr/bin/env", ["python3", "-m", "pre_commit", "try-repo", TestSupport.packageRoot.path, "buildx-lint", "--all-files", "--verbose"],
            cwd: repo, env: env)
        #expect(bad.status != 0, "\(bad.out)\n\(bad.err)")
        #expect(bad.out.contains("BXC001 packed-cache-entries"), "\(bad.out)\n\(bad.err)")
        TestSupport.write([(CLITests.wf, CLITests.good)], under: repo)
        TestSupport.git(["add", "-A"], in: repo)
        let good = TestSupport.run(
            "/usr/bin/env", ["python3", "-m", "pre_commit", "try-repo", TestSupport.packageRoot.path, "buildx-lint", "--all-files"],
            cwd: repo, env: env)
        #expect(good.status == 0, "\(good.out)\n\(good.err)")
    }

    @Test func hooksFileMatchesTheFilesTheLinterReads() throws {
        let yaml = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent(".pre-commit-hooks.yaml"), encoding: .utf8)
        let file = try YAMLParser.parse(SourceText(yaml))
        let hook = try #require(file.root?.items?.first)
        #expect(hook["id"]?.scalar == "buildx-lint")
        #expect(hook["entry"]?.scalar == "buildx-lint")
        #expect(hook["language"]?.scalar == "swift")
        #expect(hook["pass_filenames"]?.scalar == "false")
        let pattern = try Regex(try #require(hook["files"]?.scalar))
        // Every file the linter selects (and the configuration) triggers the hook: a hook that skips one
        // lets a broken bake or compose file be committed.
        let selected = [".github/workflows/ci.yml", ".github/workflows/a.yaml", "action.yml", "sub/dir/action.yaml", "docker-bake.hcl",
            "docker-bake.override.json", "docker-bake.prod.hcl", "docker-bake-ci.hcl", "deploy/docker-bake.release.json", "ci.bake.hcl",
            "bake.hcl", "build/mybake.hcl", "compose.yaml", "docker-compose.yml", "compose-dev.yml", "docker-compose-ci.yml",
            "deploy/compose.prod.yaml"]
        for path in selected {
            #expect(Selection.default.kind(of: RepoPath(path)) != nil, "\(path) is not selected by the linter (test list out of date)")
            #expect(path.contains(pattern), "\(path) should trigger the hook")
        }
        for path in LintConfig.fileNames { #expect(path.contains(pattern), "\(path) should trigger the hook") }
        for path in ["README.md", ".github/workflows/sub/ci.yml", "src/main.swift", "bake.json", "compose.json", "Dockerfile"] {
            #expect(Selection.default.kind(of: RepoPath(path)) == nil, "\(path) is selected by the linter (test list out of date)")
            #expect(!path.contains(pattern), "\(path) should not trigger the hook")
        }
    }

    @Test func installHookWritesTheSameHookAndRespectsForeignOnes() throws {
        #expect(try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("hooks/pre-commit"), encoding: .utf8) == HookScript.preCommit)
        let repo = TestSupport.makeRepo([(CLITests.wf, CLITests.good)])
        let run = { (args: [String]) in TestSupport.run(TestSupport.executable, args, cwd: repo) }
        #expect(run(["install-hook"]).status == 0)
        let hook = repo.appendingPathComponent(".git/hooks/pre-commit")
        #expect(try String(contentsOf: hook, encoding: .utf8) == HookScript.preCommit)
        #expect(FileManager.default.isExecutableFile(atPath: hook.path))
        #expect(run(["install-hook"]).out.contains("already installed"))
        // A foreign hook is kept unless --force, which keeps a backup.
        try "#!/bin/sh\necho mine\n".write(to: hook, atomically: true, encoding: .utf8)
        #expect(run(["install-hook"]).status == 2)
        #expect(try String(contentsOf: hook, encoding: .utf8) == "#!/bin/sh\necho mine\n")
        #expect(run(["install-hook", "--force"]).status == 0)
        #expect(try String(contentsOf: hook, encoding: .utf8) == HookScript.preCommit)
        #expect(try String(contentsOf: repo.appendingPathComponent(".git/hooks/pre-commit.buildx-lint-backup"), encoding: .utf8) == "#!/bin/sh\necho mine\n")
        // core.hooksPath is honoured.
        TestSupport.git(["config", "core.hooksPath", "githooks"], in: repo)
        #expect(run(["install-hook"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: repo.appendingPathComponent("githooks/pre-commit").path))
    }
}
