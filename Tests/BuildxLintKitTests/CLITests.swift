import Foundation
import Testing
@testable import BuildxLintKit

/// The command line as users run it: fixture repositories in temporary folders, every source mode,
/// exit statuses, the JSON contract, and the git pre-commit hook.
@Suite(.serialized) struct CLITests {
    static let bad = """
        on: push
        jobs:
          final:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/setup-buildx-action@v3
                with:
                  version: v0.21.1
              - uses: docker/build-push-action@v6
                with:
                  platforms: linux/amd64,linux/arm64
                  cache-from: type=local,src=/caches/amd64,type=local,src=/caches/arm64

        """
    static let good = bad.replacingAll(
        "cache-from: type=local,src=/caches/amd64,type=local,src=/caches/arm64",
        with: "cache-from: |\n            type=local,src=/caches/amd64\n            type=local,src=/caches/arm64")
    static let wf = ".github/workflows/build.yml"

    func lint(_ args: [String], in dir: URL, env: [String: String] = [:]) -> (status: Int32, out: String, err: String) {
        TestSupport.run(TestSupport.executable, args, cwd: dir, env: env)
    }

    @Test func worktreeFindsPackedEntryAndExitsOne() {
        let repo = TestSupport.makeRepo([(Self.wf, Self.bad)])
        let r = lint(["--color", "never"], in: repo)
        #expect(r.status == 1)
        #expect(r.out.contains(".github/workflows/build.yml:12:23: error[BXC001 packed-cache-entries]"))
        #expect(r.out.contains("help: Put each cache entry on its own line:"))
        #expect(r.out.contains("cache-from: |\n"))
        #expect(r.out.contains("1 error, 0 warnings, 0 info in 1 file"))
    }

    /// `install-hook` says when the hook will not find the binary (it runs `$BUILDX_LINT` or `buildx-lint` from PATH).
    /// `explain` takes the id or the name a finding prints; an unknown one is a usage error.
    @Test func explainTakesIdOrName() {
        let dir = TestSupport.tempDir("plain")
        let byID = lint(["explain", "BXC001"], in: dir)
        let byName = lint(["explain", "packed-cache-entries"], in: dir)
        #expect(byID.status == 0)
        #expect(byID.out.contains("packed-cache-entries"))
        #expect(byName.status == 0 && byName.out == byID.out)
        let unknown = lint(["explain", "no-such-rule"], in: dir)
        #expect(unknown.status == 2)
        #expect(unknown.err.contains("no rule 'no-such-rule'"))
        // A mistyped subcommand is not read as a missing file.
        let typo = lint(["explian", "BXC001"], in: dir)
        #expect(typo.status == 2)
        #expect(typo.err.contains("'explian' is neither a file nor a subcommand; did you mean `buildx-lint explain`?"), "\(typo.err)")
        let missing = lint(["nosuch.yml"], in: dir)
        #expect(missing.status == 2 && missing.err.contains("nosuch.yml: no such file"), "\(missing.err)")
    }

    @Test func installHookNotesAMissingBinary() throws {
        let repo = TestSupport.makeRepo([(Self.wf, Self.good)])
        let hook = repo.appendingPathComponent(".git/hooks/pre-commit")
        // Not on PATH, BUILDX_LINT unset or empty (the hook's `${BUILDX_LINT:-buildx-lint}` treats both alike).
        for env in [["-u", "BUILDX_LINT"], ["BUILDX_LINT="]] {
            let r = TestSupport.run("/usr/bin/env", env + ["PATH=/usr/bin:/bin", TestSupport.executable, "install-hook"], cwd: repo)
            #expect(r.status == 0)
            #expect(r.err.contains("buildx-lint is not on PATH, so the hook cannot run it yet"), "\(r.err)")
            #expect(r.err.contains("BUILDX_LINT="))
            try FileManager.default.removeItem(at: hook)
        }
        // On PATH, or named by BUILDX_LINT: no note.
        let bin = TestSupport.tempDir("bin")
        try FileManager.default.createSymbolicLink(
            at: bin.appendingPathComponent("buildx-lint"), withDestinationURL: URL(fileURLWithPath: TestSupport.executable))
        for env in [["-u", "BUILDX_LINT", "PATH=\(bin.path):/usr/bin:/bin"], ["BUILDX_LINT=/opt/x/buildx-lint", "PATH=/usr/bin:/bin"]] {
            let r = TestSupport.run("/usr/bin/env", env + [TestSupport.executable, "install-hook"], cwd: repo)
            #expect(r.status == 0 && r.err.isEmpty, "\(env): \(r.err)")
            try FileManager.default.removeItem(at: hook)
        }
    }

    @Test func cleanRepositoryExitsZero() {
        let repo = TestSupport.makeRepo([(Self.wf, Self.good)])
        let r = lint([], in: repo)
        #expect(r.status == 0, "\(r.out)")
        #expect(r.out.contains("no findings in 1 file"))
    }

    @Test func worksFromASubfolderAndSeesUntrackedButNotIgnoredFiles() {
        let repo = TestSupport.makeRepo([(Self.wf, Self.good), ("sub/dir/readme.txt", "x"), (".gitignore", "ignored/\n")])
        TestSupport.write([("ignored/action.yml", Self.badAction), ("new/action.yml", Self.badAction)], under: repo)
        let r = lint(["--format", "json"], in: repo.appendingPathComponent("sub/dir"))
        #expect(r.status == 1)
        #expect(r.out.contains("\"path\":\"new/action.yml\""))
        #expect(!r.out.contains("ignored/action.yml"))
    }

    static let badAction = """
        name: build
        runs:
          using: composite
          steps:
            - uses: docker/build-push-action@v6
              with:
                cache-to: type=gha, mode=max

        """

    @Test func stagedAndRevisionModes() {
        let repo = TestSupport.makeRepo([(Self.wf, Self.good)])
        // Stage the bad version, then put the good one back in the work tree.
        TestSupport.write([(Self.wf, Self.bad)], under: repo)
        TestSupport.git(["add", Self.wf], in: repo)
        TestSupport.write([(Self.wf, Self.good)], under: repo)
        #expect(lint([], in: repo).status == 0)
        #expect(lint(["--staged"], in: repo).status == 1)
        #expect(lint(["--rev", "HEAD"], in: repo).status == 0)
        TestSupport.git(["commit", "-q", "-m", "bad"], in: repo)
        #expect(lint(["--rev", "HEAD"], in: repo).status == 1)
        #expect(lint(["--rev", "HEAD~1"], in: repo).status == 0)
        let r = lint(["--rev", "no-such-rev"], in: repo)
        #expect(r.status == 2)
        #expect(r.err.contains("no-such-rev"))
    }

    @Test func bareRepositoryRevisionAndErrors() {
        let repo = TestSupport.makeRepo([(Self.wf, Self.bad)])
        let bare = TestSupport.tempDir("bare")
        TestSupport.git(["clone", "-q", "--bare", repo.path, bare.path], in: repo)
        #expect(lint(["--rev", "HEAD"], in: bare).status == 1)
        #expect(lint(["--staged"], in: bare).status == 0)
        let w = lint([], in: bare)
        #expect(w.status == 2)
        #expect(w.err.contains("bare"))
    }

    /// A blob missing from the object database (a partial clone) is a BXC000 finding for that file; the
    /// other files are still linted.
    @Test func missingBlobIsAFindingAndTheRestIsLinted() {
        let repo = TestSupport.makeRepo([(Self.wf, Self.bad), (".github/workflows/gone.yml", Self.good)])
        let oid = TestSupport.git(["rev-parse", "HEAD:.github/workflows/gone.yml"], in: repo).out.trimmingCharacters(in: .whitespacesAndNewlines)
        try? FileManager.default.removeItem(at: repo.appendingPathComponent(".git/objects/\(oid.prefix(2))/\(oid.dropFirst(2))"))
        for mode in [["--rev", "HEAD"], ["--staged"]] {
            let r = lint(mode + ["--format", "json"], in: repo)
            #expect(r.status == 1)
            #expect(r.out.contains("\"rule\":\"BXC001\""))
            #expect(r.out.contains("\"path\":\".github/workflows/gone.yml\"") && r.out.contains("the file cannot be read (blob \(oid) cannot be read: "), "\(r.out)")
        }
    }

    @Test func unbornHeadAndNotARepository() {
        let repo = TestSupport.makeRepo([(Self.wf, Self.bad)], commit: false)
        #expect(lint([], in: repo).status == 1)
        TestSupport.git(["add", "-A"], in: repo)
        #expect(lint(["--staged"], in: repo).status == 1)
        #expect(lint(["--rev", "HEAD"], in: repo).status == 2)
        let plain = TestSupport.tempDir("plain")
        TestSupport.write([(Self.wf, Self.bad)], under: plain)
        let r = lint([], in: plain)
        #expect(r.status == 1)
        #expect(r.err.contains("not a git repository"))
        #expect(lint(["--staged"], in: plain).status == 2)
    }

    @Test func explicitFileArguments() {
        let repo = TestSupport.makeRepo([(Self.wf, Self.bad), (".github/workflows/other.yml", Self.good)])
        #expect(lint([".github/workflows/other.yml"], in: repo).status == 0)
        let r = lint([Self.wf, "--format", "json"], in: repo)
        #expect(r.status == 1)
        #expect(r.out.contains("\"rule\":\"BXC001\""))
        #expect(lint([Self.wf, "./" + Self.wf], in: repo).out.contains(" in 1 file"))
        #expect(lint(["missing.yml"], in: repo).status == 2)
        // Not in the revision or the index: skipped with a note (the pre-commit framework passes only staged
        // files, so this is a typo or a new file), and a repository with a broken config is an error.
        let rev = lint(["--rev", "HEAD", ".github/workflows/typo.yml"], in: repo)
        #expect(rev.status == 0)
        #expect(rev.err.contains(".github/workflows/typo.yml is not in HEAD"))
        #expect(lint(["--staged", ".github/workflows/typo.yml"], in: repo).err.contains("typo.yml is not staged"))
        TestSupport.write([(".git/config", "[core\n bad")], under: repo)
        let broken = lint([], in: repo)
        #expect(broken.status == 2)
        #expect(broken.err.contains("cannot open the git repository"))
    }

    @Test func usageErrorsExitTwo() {
        let repo = TestSupport.makeRepo([(Self.wf, Self.good)])
        #expect(lint(["--no-such-flag"], in: repo).status == 2)
        #expect(lint(["--format", "xml"], in: repo).status == 2)
        #expect(lint(["--staged", "--rev", "HEAD"], in: repo).status == 2)
        #expect(lint(["--min-buildx-version", "0.14"], in: repo).status == 2)
        let rev = lint(["--rev", ":/text"], in: repo)
        #expect(rev.status == 2 && rev.err.contains("not a form of revision libgit2 resolves"), "\(rev.err)")
        let v = lint(["--version"], in: repo)
        #expect(v.status == 0)
        #expect(v.out.contains(BuildxLint.version))
        // A configuration or baseline that is not a regular file (an endless device, a FIFO without a writer)
        // is refused at once instead of being read forever.
        let zero = lint(["--config", "/dev/zero"], in: repo)
        #expect(zero.status == 2 && zero.err.contains("regular file"), "\(zero.err)")
        #expect(lint(["--baseline", "/dev/zero"], in: repo).status == 2)
        let fifo = repo.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(lint(["--config", fifo], in: repo).status == 2)
        // Named as a file to lint, the FIFO is skipped with a note (never opened: that would block).
        let named = lint(["fifo"], in: repo)
        #expect(named.status == 0 && named.err.contains("fifo is not a regular file"), "\(named.err)")
    }

    /// Run as another user: a named file inside a folder that user cannot open is a BXC000 finding (not "no
    /// such file", exit 2), and the other named file is still linted.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root to run as another user"))
    func explicitFileInUnreadableFolderIsAFinding() {
        let repo = TestSupport.makeRepo([(Self.wf, Self.bad), ("noread/action.yml", Self.bad)])
        #expect(TestSupport.run("/usr/bin/env", ["chown", "-R", "65534:65534", repo.path]).status == 0)
        chmod(repo.appendingPathComponent("noread").path, 0)
        let r = TestSupport.run(
            "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", TestSupport.executable, "--color", "never", "noread/action.yml", Self.wf],
            cwd: repo, env: ["HOME": "/tmp"])
        #expect(r.status == 1, "\(r.err)")
        #expect(r.out.contains("noread/action.yml:1:1: error[BXC000 parse-error] the file cannot be read (Permission denied)"), "\(r.out)")
        #expect(r.out.contains("\(Self.wf):12:23: error[BXC001"), "\(r.out)")
    }

    @Test func failOnControlsTheExitStatus() {
        let warnOnly = Self.good.replacingAll("version: v0.21.1", with: "version: latest")
        let repo = TestSupport.makeRepo([(Self.wf, warnOnly)])
        #expect(lint([], in: repo).status == 1)
        #expect(lint(["--fail-on", "error"], in: repo).status == 0)
        #expect(lint(["--fail-on", "never", "--format", "json"], in: repo).status == 0)
    }

    @Test func jsonContract() throws {
        let repo = TestSupport.makeRepo([(Self.wf, Self.bad)])
        let r = lint(["--format", "json"], in: repo)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(obj["version"] as? Int == 1)
        let tool = try #require(obj["tool"] as? [String: Any])
        #expect(tool["name"] as? String == "buildx-lint")
        #expect(tool["version"] as? String == BuildxLint.version)
        let diags = try #require(obj["diagnostics"] as? [[String: Any]])
        #expect(diags.count == 1)
        let d = diags[0]
        #expect(d["rule"] as? String == "BXC001")
        #expect(d["name"] as? String == "packed-cache-entries")
        #expect(d["severity"] as? String == "error")
        #expect(d["path"] as? String == Self.wf)
        #expect(d["line"] as? Int == 12)
        #expect(d["column"] as? Int == 23)
        #expect(d["endLine"] as? Int == 12)
        #expect(d["endColumn"] as? Int == 23 + "type=local,src=/caches/amd64,type=local,src=/caches/arm64".utf8.count)
        #expect((d["message"] as? String)?.isEmpty == false)
        #expect((d["help"] as? String)?.contains("type=local,src=/caches/arm64") == true)
        // The fix is data that turns the file into the good one.
        let fixes = try #require(d["fixes"] as? [[String: Any]])
        #expect(fixes.count == 1)
        // The key order of the contract.
        #expect(r.out.hasPrefix("{\"version\":1,\"tool\":{\"name\":\"buildx-lint\",\"version\":"))
        #expect(r.out.contains("{\"rule\":\"BXC001\",\"name\":\"packed-cache-entries\",\"severity\":\"error\",\"path\":"))
    }

    @Test func fixAppliedGivesTheCleanFile() {
        let result = TestSupport.lint([(Self.wf, Self.bad)])
        let fix = result.diagnostics[0].fixes[0]
        #expect(apply(fix, to: Self.bad) == Self.good)
    }

    @Test func brokenYAMLNextToABadFileStillReportsBoth() {
        let repo = TestSupport.makeRepo([(Self.wf, Self.bad), (".github/workflows/broken.yml", "on: push\njobs:\n  a:\n    steps: [\n")])
        let r = lint(["--format", "json"], in: repo)
        #expect(r.status == 1)
        #expect(r.out.contains("\"rule\":\"BXC000\""))
        #expect(r.out.contains("\"path\":\".github/workflows/broken.yml\""))
        #expect(r.out.contains("\"rule\":\"BXC001\""))
    }

    @Test func oddFilesAreFindingsNotCrashes() {
        var binary: [UInt8] = Array("on: push\n".utf8)
        binary += [0x00, 0xFF, 0xFE, 0x80, 0x0A]
        let repo = TestSupport.makeRepo([(Self.wf, Self.good)])
        _ = FileManager.default.createFile(atPath: repo.appendingPathComponent(".github/workflows/bin.yml").path, contents: Data(binary))
        _ = FileManager.default.createFile(
            atPath: repo.appendingPathComponent(".github/workflows/latin1.yml").path, contents: Data("name: caf\u{E9}\n".utf8.map { $0 }.dropLast(3) + [0xE9, 0x0A]))
        let deep = String(repeating: "[", count: 50_000)
        TestSupport.write([(".github/workflows/deep.yml", "x: " + deep + "\n")], under: repo)
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + (1...12).map { "\(Character(UnicodeScalar(97 + $0)!)): &\(Character(UnicodeScalar(97 + $0)!)) [" + Array(repeating: "*\(Character(UnicodeScalar(96 + $0)!))", count: 10).joined(separator: ", ") + "]" }.joined(separator: "\n") + "\n"
        TestSupport.write([(".github/workflows/bomb.yml", bomb)], under: repo)
        let r = lint(["--format", "json", "--max-file-size", "100000"], in: repo)
        #expect(r.status == 1)
        for name in ["bin.yml", "latin1.yml", "deep.yml"] {
            #expect(r.out.contains("\"rule\":\"BXC000\",\"name\":\"parse-error\",\"severity\":\"error\",\"path\":\".github/workflows/\(name)\""), "\(name): \(r.out)")
        }
        // An encoding problem asks for UTF-8, not for a syntax fix.
        #expect(r.out.contains("\"help\":\"Save the file as UTF-8 text (it holds bytes that are not UTF-8); nothing else in this file was checked.\""), "\(r.out)")
        let big = TestSupport.makeRepo([(Self.wf, Self.good + String(repeating: "# padding\n", count: 2000))])
        let b = lint(["--format", "json", "--max-file-size", "1000"], in: big)
        #expect(b.status == 1)
        #expect(b.out.contains("over the 1000-byte limit"))
    }
}

/// The git pre-commit hook under `git commit`, `git commit -a` and `git commit <path>`.
@Suite(.serialized) struct HookTests {
    func repoWithHook(_ files: [(path: String, content: String)]) -> URL {
        let repo = TestSupport.makeRepo(files)
        let hook = repo.appendingPathComponent(".git/hooks/pre-commit")
        try? FileManager.default.createDirectory(at: hook.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! FileManager.default.copyItem(at: TestSupport.packageRoot.appendingPathComponent("hooks/pre-commit"), to: hook)
        return repo
    }

    func commit(_ args: [String], in repo: URL) -> Int32 {
        TestSupport.git(["commit", "-q", "-m", "c"] + args, in: repo, env: ["BUILDX_LINT": TestSupport.executable]).status
    }

    @Test func blocksAStagedProblem() {
        let repo = repoWithHook([(CLITests.wf, CLITests.good)])
        TestSupport.write([(CLITests.wf, CLITests.bad)], under: repo)
        TestSupport.git(["add", "-A"], in: repo)
        #expect(commit([], in: repo) != 0)
        TestSupport.write([(CLITests.wf, CLITests.good)], under: repo)
        TestSupport.git(["add", "-A"], in: repo)
        TestSupport.write([("x.txt", "x")], under: repo)
        TestSupport.git(["add", "x.txt"], in: repo)
        #expect(commit([], in: repo) == 0)
    }

    @Test func commitDashASeesTheWorkTreeChange() {
        let repo = repoWithHook([(CLITests.wf, CLITests.good)])
        // Unstaged bad edit: the default index is clean, but `commit -a` commits the bad content.
        TestSupport.write([(CLITests.wf, CLITests.bad)], under: repo)
        #expect(commit(["-a"], in: repo) != 0)
    }

    @Test func commitWithPathsSeesThoseFiles() {
        let repo = repoWithHook([(CLITests.wf, CLITests.good), ("other.txt", "1")])
        // Staged bad, work tree good: `git commit <path>` commits the work-tree content, which is clean.
        TestSupport.write([(CLITests.wf, CLITests.bad)], under: repo)
        TestSupport.git(["add", "-A"], in: repo)
        TestSupport.write([(CLITests.wf, CLITests.good + "# changed\n")], under: repo)
        #expect(commit([CLITests.wf], in: repo) == 0)
        // And the reverse: staged good, work tree bad, partial commit of the path takes the bad content.
        TestSupport.write([(CLITests.wf, CLITests.bad)], under: repo)
        #expect(commit([CLITests.wf], in: repo) != 0)
    }
}
