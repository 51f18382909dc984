@testable import BuildxLintKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

// Fixture repositories are built with the git command-line tool (tests only; the linter itself
// never runs programs). Every test is in one serialized suite because the GIT_INDEX_FILE tests
// change the process environment, which `GitRepository.discover` reads.

/// A temporary folder with helpers to run git in it and write files.
private final class Fixture {
    let root: String

    init() throws {
        var template = Array("/tmp/buildx-lint-git-XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SourceError("mkdtemp failed")
        }
        // Resolve symlinks so comparisons with libgit2's (resolved) workdir are exact.
        root = URL(fileURLWithPath: String(cString: dir)).resolvingSymlinksInPath().path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func path(_ relative: String) -> String {
        relative.isEmpty ? root : root + "/" + relative
    }

    /// Runs git in `dir` (relative to the fixture root) with an isolated configuration.
    @discardableResult
    func git(_ args: String..., in dir: String = "", env extra: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
            "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false",
            "-c", "protocol.file.allow=always",
        ] + args
        process.currentDirectoryURL = URL(fileURLWithPath: path(dir))
        // Drop any GIT_* variables of the calling environment (tests may run inside a git hook).
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["HOME"] = root
        for (k, v) in extra { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SourceError("git \(args.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }

    func write(_ relative: String, _ content: String) throws {
        let url = URL(fileURLWithPath: path(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
    }

    /// Writes a file whose name is given as raw bytes (may be invalid UTF-8), with open(2).
    func writeRaw(_ relative: [UInt8], _ content: String) throws {
        let full = Array(root.utf8) + [UInt8(ascii: "/")] + relative + [0]
        let fd = full.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            }
        }
        guard fd >= 0 else { throw SourceError("open failed: \(errno)") }
        defer { close(fd) }
        let bytes = Array(content.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    func remove(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: path(relative))
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path(relative), withDestinationPath: target)
    }

    /// A repository at `dir` with one commit holding `files`.
    func makeRepo(_ dir: String = "", files: [String: String]) throws {
        try FileManager.default.createDirectory(atPath: path(dir), withIntermediateDirectories: true)
        try git("init", "-q", in: dir)
        for (name, content) in files { try write(dir.isEmpty ? name : dir + "/" + name, content) }
        try git("add", "-A", in: dir)
        try git("commit", "-q", "-m", "first", in: dir)
    }
}

private let all: @Sendable (RepoPath) -> Bool = { _ in true }
private let noLimit = 1 << 30

/// path display → content text (or "<tooLarge N>"); also checks the list is sorted and unique.
private func summary(_ files: [SourceFile]) -> [String: String] {
    #expect(zip(files, files.dropFirst()).allSatisfy { $0.path < $1.path }, "files must be sorted and unique")
    var out: [String: String] = [:]
    for f in files {
        switch f.content {
        case .bytes(let b): out[f.path.display] = String(decoding: b, as: UTF8.self)
        case .tooLarge(let size): out[f.path.display] = "<tooLarge \(size)>"
        case .unreadable(let reason): out[f.path.display] = "<unreadable \(reason)>"
        }
    }
    return out
}

private func text(_ file: SourceFile?) -> String? {
    guard let file, case .bytes(let b) = file.content else { return nil }
    return String(decoding: b, as: UTF8.self)
}

/// Runs `body` with GIT_INDEX_FILE set to `value`, restoring the previous value afterwards.
private func withIndexFileEnv<R>(_ value: String, _ body: () throws -> R) rethrows -> R {
    let previous = getenv("GIT_INDEX_FILE").map { String(cString: $0) }
    setenv("GIT_INDEX_FILE", value, 1)
    defer {
        if let previous { setenv("GIT_INDEX_FILE", previous, 1) } else { unsetenv("GIT_INDEX_FILE") }
    }
    return try body()
}

@Suite("Git and folder sources", .serialized)
struct GitSourceTests {
    // MARK: work tree

    @Test func worktreeTrackedUntrackedIgnoredDeletedModified() throws {
        let fx = try Fixture()
        try fx.makeRepo(files: [
            ".gitignore": "*.log\nbuild/\n!keep.log\n",
            "a.yml": "a", "b.yml": "b", "c.yml": "old",
            "dir/d.yml": "d",
        ])
        try fx.write("build/kept.yml", "kept")
        try fx.git("add", "-f", "build/kept.yml")
        try fx.git("commit", "-q", "-m", "force-added")
        try fx.remove("b.yml")                       // deleted in the work tree
        try fx.write("c.yml", "new")                 // modified, not staged
        try fx.write("u.yml", "untracked")           // untracked
        try fx.write("new/deep/n.yml", "n")          // untracked folder
        try fx.write("x.log", "ignored")             // ignored by pattern
        try fx.write("keep.log", "negated")          // re-included by !keep.log
        try fx.write("build/out.yml", "ignored dir") // untracked inside an ignored, tracked folder
        try fx.write("dir/.hidden.yml", "h")
        try fx.makeRepo("embedded", files: ["e.yml": "e"])  // an embedded repository: not ours
        try FileManager.default.createDirectory(atPath: fx.path("empty"), withIntermediateDirectories: true)

        let repo = try GitRepository.discover(from: fx.root)
        #expect(!repo.isBare)
        #expect(repo.workdir == fx.root)
        #expect(!repo.headIsUnborn)
        let files = summary(try repo.files(mode: .worktree, select: all, maxFileSize: noLimit))
        #expect(files == [
            ".gitignore": "*.log\nbuild/\n!keep.log\n",
            "a.yml": "a", "c.yml": "new", "dir/d.yml": "d", "dir/.hidden.yml": "h",
            "u.yml": "untracked", "new/deep/n.yml": "n", "keep.log": "negated", "build/kept.yml": "kept",
        ])
        #expect(repo.warnings.isEmpty)
    }

    @Test func selectFiltersBeforeReading() throws {
        let fx = try Fixture()
        try fx.makeRepo(files: [
            ".github/workflows/ci.yml": "ci", ".github/workflows/notes.txt": "n", "src/a.yml": "a",
            ".gitignore": "node_modules/\n",
        ])
        try fx.write(".github/workflows/new.yml", "new")
        try fx.write("node_modules/pkg/.github/workflows/dep.yml", "ignored")
        let repo = try GitRepository.discover(from: fx.root)
        var asked: [String] = []
        let select: (RepoPath) -> Bool = { p in
            asked.append(p.display)
            return p.display.hasPrefix(".github/workflows/") && p.display.hasSuffix(".yml")
        }
        #expect(Set(summary(try repo.files(mode: .worktree, select: select, maxFileSize: noLimit)).keys)
            == [".github/workflows/ci.yml", ".github/workflows/new.yml"])
        #expect(asked.contains("src/a.yml"))
        // An ignored untracked folder is pruned: nothing below it is even offered to `select`.
        #expect(!asked.contains { $0.hasPrefix("node_modules/") })
        #expect(Set(summary(try repo.files(mode: .staged, select: select, maxFileSize: noLimit)).keys)
            == [".github/workflows/ci.yml"])
        #expect(Set(summary(try repo.files(mode: .revision("HEAD"), select: select, maxFileSize: noLimit)).keys)
            == [".github/workflows/ci.yml"])
    }

    @Test func discoverFromSubfolderAndFromInsideDotGit() throws {
        let fx = try Fixture()
        try fx.makeRepo(files: ["a.yml": "a", "sub/dir/b.yml": "b"])
        let fromSub = try GitRepository.discover(from: fx.path("sub/dir"))
        #expect(fromSub.workdir == fx.root)
        #expect(summary(try fromSub.files(mode: .worktree, select: all, maxFileSize: noLimit))
            == ["a.yml": "a", "sub/dir/b.yml": "b"])

        let fromGitDir = try GitRepository.discover(from: fx.path(".git/refs"))
        #expect(!fromGitDir.isBare)
        #expect(fromGitDir.workdir == fx.root)
        #expect(summary(try fromGitDir.files(mode: .staged, select: all, maxFileSize: noLimit))
            == ["a.yml": "a", "sub/dir/b.yml": "b"])
        #expect(summary(try fromGitDir.files(mode: .revision("HEAD"), select: all, maxFileSize: noLimit))
            == ["a.yml": "a", "sub/dir/b.yml": "b"])
    }

    @Test func linkedWorktree() throws {
        let fx = try Fixture()
        try fx.makeRepo("main", files: ["a.yml": "a"])
        try fx.git("worktree", "add", "-q", "-b", "feature", fx.path("wt"), in: "main")
        try fx.write("wt/a.yml", "staged in wt")
        try fx.git("add", "a.yml", in: "wt")
        try fx.write("wt/a.yml", "disk in wt")
        let repo = try GitRepository.discover(from: fx.path("wt"))
        #expect(repo.workdir == fx.path("wt"))
        #expect(summary(try repo.files(mode: .worktree, select: all, maxFileSize: noLimit)) == ["a.yml": "disk in wt"])
        #expect(summary(try repo.files(mode: .staged, select: all, maxFileSize: noLimit)) == ["a.yml": "staged in wt"])
        #expect(summary(try repo.files(mode: .revision("HEAD"), select: all, maxFileSize: noLimit)) == ["a.yml": "a"])
        // The main work tree's index is untouched.
        let main = try GitRepository.discover(from: fx.path("main"))
        #expect(summary(try main.files(mode: .staged, select: all, maxFileSize: noLimit)) == ["a.yml": "a"])
    }

    // MARK: index

    @Test func stagedContentDiffersFromWorktree() throws {
        let fx = try Fixture()
        try fx.makeRepo(files: ["a.yml": "v1", "gone.yml": "g", "untrack.yml": "t"])
        try fx.write("a.yml", "v2")
        try fx.git("add", "a.yml")
        try fx.write("a.yml", "v3")
        try fx.write("added.yml", "added")
        try fx.git("add", "added.yml")
        try fx.remove("gone.yml")                    // deleted on disk only: still staged
        try fx.git("rm", "-q", "--cached", "untrack.yml")  // removed from the index only
        try fx.write("ita.yml", "intent")
        try fx.git("add", "-N", "ita.yml")           // intent-to-add: not staged content

        let repo = try GitRepository.discover(from: fx.root)
        #expect(summary(try repo.files(mode: .staged, select: all, maxFileSize: noLimit))
            == ["a.yml": "v2", "added.yml": "added", "gone.yml": "g"])
        #expect(summary(try repo.files(mode: .worktree, select: all, maxFileSize: noLimit))
            == ["a.yml": "v3", "added.yml": "added", "untrack.yml": "t", "ita.yml": "intent"])
        #expect(summary(try repo.files(mode: .revision("HEAD"), select: all, maxFileSize: noLimit))
            == ["a.yml": "v1", "gone.yml": "g", "untrack.yml": "t"])
        #expect(text(try repo.file(at: RepoPath("a.yml"), mode: .staged, maxFileSize: noLimit)) == "v2")
        #expect(try repo.file(at: RepoPath("ita.yml"), mode: .staged, maxFileSize: noLimit) == nil)
        #expect(try repo.file(at: RepoPath("untrack.yml"), mode: .staged, maxFileSize: noLimit) == nil)
    }

    @Test func gitIndexFileIsHonoured() throws {
        let fx = try Fixture()
        try fx.makeRepo("repo", files: ["a.yml": "v1", "b.yml": "b"])
        // What `git commit a.yml` does: a temporary index = HEAD + the named paths.
        let alt = fx.path("alt-index")
        try fx.git("read-tree", "HEAD", in: "repo", env: ["GIT_INDEX_FILE": alt])
        try fx.write("repo/a.yml", "alt")
        try fx.git("add", "a.yml", in: "repo", env: ["GIT_INDEX_FILE": alt])
        try fx.write("repo/new.yml", "only in alt")
        try fx.git("add", "new.yml", in: "repo", env: ["GIT_INDEX_FILE": alt])
        try fx.write("repo/a.yml", "disk")

        let plain = try GitRepository.discover(from: fx.path("repo"))
        #expect(summary(try plain.files(mode: .staged, select: all, maxFileSize: noLimit)) == ["a.yml": "v1", "b.yml": "b"])

        // Absolute value.
        let viaEnv = try withIndexFileEnv(alt) { try GitRepository.discover(from: fx.path("repo")) }
        #expect(summary(try viaEnv.files(mode: .staged, select: all, maxFileSize: noLimit))
            == ["a.yml": "alt", "b.yml": "b", "new.yml": "only in alt"])
        #expect(text(try viaEnv.file(at: RepoPath("new.yml"), mode: .staged, maxFileSize: noLimit)) == "only in alt")
        // Reading it once at discover: later changes of the variable don't matter.
        #expect(getenv("GIT_INDEX_FILE") == nil || String(cString: getenv("GIT_INDEX_FILE")) != alt)
        #expect(summary(try viaEnv.files(mode: .staged, select: all, maxFileSize: noLimit))["a.yml"] == "alt")

        // A relative value is resolved against the work-tree root, as git does (hooks run there;
        // `git commit` passes `.git/index`), even when discovering from a subfolder.
        try FileManager.default.copyItem(atPath: alt, toPath: fx.path("repo/.git/next-index-test.lock"))
        try fx.write("repo/sub/keep", "")
        let viaTop = try withIndexFileEnv(".git/next-index-test.lock") { try GitRepository.discover(from: fx.path("repo/sub")) }
        #expect(summary(try viaTop.files(mode: .staged, select: all, maxFileSize: noLimit))["new.yml"] == "only in alt")

        // A missing index file is an error, not an empty set of files.
        let missing = try withIndexFileEnv(fx.path("nope")) { try GitRepository.discover(from: fx.path("repo")) }
        #expect(throws: SourceError.self) { try missing.files(mode: .staged, select: all, maxFileSize: noLimit) }
        // Revisions don't need the index.
        #expect(summary(try missing.files(mode: .revision("HEAD"), select: all, maxFileSize: noLimit))["a.yml"] == "v1")
    }

    @Test func conflictStagesAreSkippedInStagedMode() throws {
        let fx = try Fixture()
        try fx.makeRepo(files: ["a.yml": "base", "b.yml": "b"])
        try fx.git("checkout", "-q", "-b", "other")
        try fx.write("a.yml", "other")
        try fx.git("commit", "-q", "-am", "other")
        try fx.git("checkout", "-q", "main")
        try fx.write("a.yml", "mine")
        try fx.git("commit", "-q", "-am", "mine")
        #expect(throws: (any Error).self) { try fx.git("merge", "-q", "other") }
        let repo = try GitRepository.discover(from: fx.root)
        #expect(summary(try repo.files(mode: .staged, select: all, maxFileSize: noLimit)) == ["b.yml": "b"])
        let worktree = summary(try repo.files(mode: .worktree, select: all, maxFileSize: noLimit))
        #expect(worktree.keys.sorted() == ["a.yml", "b.yml"])
        #expect(worktree["a.yml"]?.contains("<<<<<<<") == true)
    }

    // MARK: revisions

    @Test func revisionsHeadParentTagsAndCommitIds() throws {
        let fx = try Fixture()
        try fx.makeRepo(files: ["a.yml": "1"])
        try fx.git("tag", "v1")
        try fx.git("tag", "-a", "v1-annotated", "-m", "annotated")
        let first = try fx.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        try fx.write("a.yml", "2")
        try fx.write("sub/b.yml", "b")
        try fx.git("add", "-A")
        try fx.git("commit", "-q", "-m", "second")
        let repo = try GitRepository.discover(from: fx.root)
        #expect(summary(try repo.files(mode: .revision("HEAD"), select: all, maxFileSize: noLimit)) == ["a.yml": "2", "sub/b.yml": "b"])
        #expect(summary(try repo.files(mode: .revision("HEAD~1"), select: all, maxFileSize: noLimit)) == ["a.yml": "1"])
        #expect(summary(try repo.files(mode: .revision("v1"), select: all, maxFileSize: noLimit)) == ["a.yml": "1"])
        #expect(summary(try repo.files(mode: .revision("v1-annotated"), select: all, maxFileSize: noLimit)) == ["a.yml": "1"])
        #expect(summary(try repo.files(mode: .revision(first), select: all, maxFileSize: noLimit)) == ["a.yml": "1"])
        #expect(summary(try repo.files(mode: .revision("main"), select: all, maxFileSize: noLimit)).count == 2)
        #expect(text(try repo.file(at: RepoPath("sub/b.yml"), mode: .revision("HEAD"), maxFileSize: noLimit)) == "b")
        #expect(try repo.file(at: RepoPath("sub/b.yml"), mode: .revision("HEAD~1"), maxFileSize: noLimit) == nil)
        #expect(try repo.file(at: RepoPath("sub"), mode: .revision("HEAD"), maxFileSize: noLimit) == nil)

        let error = #expect(throws: SourceError.self) {
            try repo.files(mode: .revision("no-such-rev"), select: all, maxFileSize: noLimit)
        }
        #expect(error?.message.hasPrefix("cannot resolve revision 'no-such-rev': ") == true)
        #expect(throws: SourceError.self) { try repo.file(at: RepoPath("a.yml"), mode: .revision("nope"), maxFileSize: noLimit) }
    }

    @Test func shallowClone() throws {
        let fx = try Fixture()
        try fx.makeRepo("src", files: ["a.yml": "1"])
        try fx.write("src/a.yml", "2")
        try fx.git("commit", "-q", "-am", "2", in: "src")
        try fx.git("clone", "-q", "--depth", "1", "file://" + fx.path("src"), fx.path("shallow"))
        let repo = try GitRepository.discover(from: fx.path("shallow"))
        #expect(summary(try repo.files(mode: .revision("HEAD"), select: all, maxFileSize: noLimit)) == ["a.yml": "2"])
        #expect(throws: SourceError.self) { try repo.files(mode: .revision("HEAD~1"), select: all, maxFileSize: noLimit) }
    }

    // MARK: special repositories

    @Test func bareRepository() throws {
        let fx = try Fixture()
        try fx.makeRepo("src", files: ["a.yml": "a", "dir/b.yml": "b"])
        try fx.git("clone", "-q", "--bare", fx.path("src"), fx.path("bare.git"))
        let repo = try GitRepository.discover(from: fx.path("bare.git"))
        #expect(repo.isBare)
        #expect(repo.workdir == nil)
        #expect(!repo.headIsUnborn)
        #expect(summary(try repo.files(mode: .revision("HEAD"), select: all, maxFileSize: noLimit)) == ["a.yml": "a", "dir/b.yml": "b"])
        #expect(try repo.files(mode: .staged, select: all, maxFileSize: noLimit).isEmpty)
        let error = #expect(throws: SourceError.self) { try repo.files(mode: .worktree, select: all, maxFileSize: noLimit) }
        #expect(error?.message == "bare repository has no working tree; use --staged or --rev")
        #expect(throws: SourceError.self) { try repo.file(at: RepoPath("a.yml"), mode: .worktree, maxFileSize: noLimit) }
        #expect(repo.repoPath(forFilesystemPath: fx.path("bare.git/HEAD")) == nil)
        // From inside the bare repository's folders too.
        let inner = try GitRepository.discover(from: fx.path("bare.git/refs/heads"))
        #expect(inner.isBare)
    }

    @Test func unbornHead() throws {
        let fx = try Fixture()
        try fx.git("init", "-q")
        let empty = try GitRepository.discover(from: fx.root)
        #expect(empty.headIsUnborn)
        #expect(try empty.files(mode: .worktree, select: all, maxFileSize: noLimit).isEmpty)
        #expect(try empty.files(mode: .staged, select: all, maxFileSize: noLimit).isEmpty)

        try fx.write("a.yml", "added")
        try fx.git("add", "a.yml")
        try fx.write("b.yml", "untracked")
        let repo = try GitRepository.discover(from: fx.root)
        #expect(repo.headIsUnborn)
        #expect(summary(try repo.files(mode: .worktree, select: all, maxFileSize: noLimit)) == ["a.yml": "added", "b.yml": "untracked"])
        #expect(summary(try repo.files(mode: .staged, select: all, maxFileSize: noLimit)) == ["a.yml": "added"])
        let error = #expect(throws: SourceError.self) { try repo.files(mode: .revision("HEAD"), select: all, maxFileSize: noLimit) }
        #expect(error?.message.hasPrefix("cannot resolve revision 'HEAD': ") == true)
    }

    @Test func submodulesAreSkipped() throws {
        let fx = try Fixture()
        try fx.makeRepo("sub", files: ["s.yml": "in submodule"])
        try fx.makeRepo("main", files: ["a.yml": "a"])
        try fx.git("submodule", "add", "-q", fx.path("sub"), "vendor/sub", in: "main")
        try fx.git("commit", "-q", "-m", "add submodule", in: "main")
        #expect(FileManager.default.fileExists(atPath: fx.path("main/vendor/sub/s.yml")))
        let repo = try GitRepository.discover(from: fx.path("main"))
        for mode in [SourceMode.worktree, .staged, .revision("HEAD")] {
            let paths = Set(summary(try repo.files(mode: mode, select: all, maxFileSize: noLimit)).keys)
            #expect(paths == [".gitmodules", "a.yml"], "mode \(mode)")
            #expect(try repo.file(at: RepoPath("vendor/sub"), mode: mode, maxFileSize: noLimit) == nil)
            #expect(try repo.file(at: RepoPath("vendor/sub/s.yml"), mode: mode, maxFileSize: noLimit) == nil)
        }
        // Discovering from inside the submodule opens the submodule.
        let inner = try GitRepository.discover(from: fx.path("main/vendor/sub"))
        #expect(inner.workdir == fx.path("main/vendor/sub"))
    }

    @Test func symlinksAreSkippedInAllModes() throws {
        let fx = try Fixture()
        try fx.write("a.yml", "a")
        try fx.write("dir/x.yml", "x")
        try fx.symlink("link.yml", to: "a.yml")
        try fx.symlink("dangling.yml", to: "/nonexistent/file.yml")
        try fx.symlink("outside.yml", to: "/etc/hostname")
        try fx.symlink("dirlink", to: "dir")
        try fx.makeRepo(files: [:])
        try fx.symlink("untracked-link.yml", to: "a.yml")
        let repo = try GitRepository.discover(from: fx.root)
        for mode in [SourceMode.worktree, .staged, .revision("HEAD")] {
            #expect(summary(try repo.files(mode: mode, select: all, maxFileSize: noLimit)) == ["a.yml": "a", "dir/x.yml": "x"], "mode \(mode)")
            for link in ["link.yml", "dangling.yml", "outside.yml", "dirlink", "dirlink/x.yml"] {
                #expect(try repo.file(at: RepoPath(link), mode: mode, maxFileSize: noLimit) == nil, "\(link) in \(mode)")
            }
        }
        #expect(try repo.file(at: RepoPath("untracked-link.yml"), mode: .worktree, maxFileSize: noLimit) == nil)
    }

    @Test func nonUTF8FileNamesRoundTrip() throws {
        let fx = try Fixture()
        let name: [UInt8] = Array("caf".utf8) + [0xE9] + Array(".yml".utf8)
        try fx.git("init", "-q")
        try fx.writeRaw(name, "bytes")
        try fx.git("add", "-A")
        try fx.git("commit", "-q", "-m", "raw")
        try fx.writeRaw(Array("dir".utf8) + [0xFF], "")  // untracked, not a folder despite the name
        let repo = try GitRepository.discover(from: fx.root)
        for mode in [SourceMode.worktree, .staged, .revision("HEAD")] {
            let files = try repo.files(mode: mode, select: all, maxFileSize: noLimit)
            let match = files.first { $0.path.bytes == name }
            #expect(text(match) == "bytes", "mode \(mode)")
            #expect(match?.path.display == "caf\\351.yml")
            #expect(text(try repo.file(at: RepoPath(bytes: name), mode: mode, maxFileSize: noLimit)) == "bytes")
        }
        let untracked = try repo.files(mode: .worktree, select: all, maxFileSize: noLimit)
        #expect(untracked.contains { $0.path.bytes == Array("dir".utf8) + [0xFF] })
    }

    @Test func filesOverTheSizeLimitAreNotRead() throws {
        let fx = try Fixture()
        try fx.makeRepo(files: ["big.yml": String(repeating: "x", count: 100), "small.yml": "small", "empty.yml": ""])
        let repo = try GitRepository.discover(from: fx.root)
        for mode in [SourceMode.worktree, .staged, .revision("HEAD")] {
            #expect(summary(try repo.files(mode: mode, select: all, maxFileSize: 10))
                == ["big.yml": "<tooLarge 100>", "small.yml": "small", "empty.yml": ""], "mode \(mode)")
            let big = try repo.file(at: RepoPath("big.yml"), mode: mode, maxFileSize: 99)
            guard case .tooLarge(let size) = big?.content else {
                Issue.record("big.yml should be too large in \(mode)")
                continue
            }
            #expect(size == 100)
            #expect(text(try repo.file(at: RepoPath("big.yml"), mode: mode, maxFileSize: 100))?.count == 100)
        }
    }

    @Test func packedDeltaBlobsAreMeasuredWithoutReading() throws {
        let fx = try Fixture()
        let base = (0..<200).map { "line \($0) of a long workflow file\n" }.joined()
        try fx.makeRepo(files: ["w.yml": base])
        try fx.write("w.yml", base + "one more line\n")
        try fx.git("commit", "-q", "-am", "grow")
        try fx.git("gc", "-q", "--aggressive")  // packs w.yml's versions, one as a delta of the other
        let repo = try GitRepository.discover(from: fx.root)
        for (rev, size) in [("HEAD", base.utf8.count + 14), ("HEAD~1", base.utf8.count)] {
            let small = try repo.files(mode: .revision(rev), select: all, maxFileSize: 100)
            guard case .tooLarge(let measured) = small.first?.content else {
                Issue.record("w.yml at \(rev) should be too large")
                continue
            }
            #expect(measured == size)
            #expect(text(try repo.file(at: RepoPath("w.yml"), mode: .revision(rev), maxFileSize: size))?.utf8.count == size)
        }
    }

    /// Enough files in one folder that every mode reads them on all cores (blobs: `blobsPerWorker` per
    /// core; work-tree files: `filesPerWorker` per folder and core): the result must be what one core reads.
    @Test func manyFilesAreReadOnAllCoresInOrder() throws {
        let fx = try Fixture()
        let count = 4 * max(GitRepository.blobsPerWorker, FileWalker.filesPerWorker) + 3
        var committed: [String: String] = [:]
        for i in 0..<count {
            let name = "wf/f-\(String(format: "%04d", i)).yml"
            // Every seventh file is over the size limit used below.
            committed[name] = i % 7 == 0 ? String(repeating: "x", count: 40 + i) : "file \(i)"
        }
        committed["top.yml"] = "top"
        try fx.makeRepo(files: committed)
        // The index and the work tree differ from HEAD in a few files.
        try fx.write("wf/f-0001.yml", "staged 1")
        try fx.git("add", "wf/f-0001.yml")
        try fx.write("wf/f-0002.yml", "worktree 2")
        let limit = 30
        func expected(_ changes: [String: String]) -> [String: String] {
            var out: [String: String] = [:]
            for (k, v) in committed.merging(changes, uniquingKeysWith: { $1 }) {
                out[k] = v.utf8.count > limit ? "<tooLarge \(v.utf8.count)>" : v
            }
            return out
        }
        let repo = try GitRepository.discover(from: fx.root)
        #expect(summary(try repo.files(mode: .revision("HEAD"), select: all, maxFileSize: limit)) == expected([:]))
        #expect(summary(try repo.files(mode: .staged, select: all, maxFileSize: limit)) == expected(["wf/f-0001.yml": "staged 1"]))
        #expect(summary(try repo.files(mode: .worktree, select: all, maxFileSize: limit))
            == expected(["wf/f-0001.yml": "staged 1", "wf/f-0002.yml": "worktree 2"]))
        #expect(summary(try DirectorySource.files(root: fx.path("wf"), select: all, maxFileSize: limit)).count == count)

        // Two blobs missing from the object database (as in a partial clone): those two files are unreadable,
        // whichever core met them, and every other file is read.
        var oids: [String: String] = [:]
        for name in ["wf/f-0100.yml", "wf/f-0051.yml"] {
            let oid = try fx.git("rev-parse", "HEAD:\(name)").trimmingCharacters(in: .whitespacesAndNewlines)
            oids[name] = oid
            try fx.remove(".git/objects/\(oid.prefix(2))/\(oid.dropFirst(2))")
        }
        let fresh = try GitRepository.discover(from: fx.root)
        for mode in [SourceMode.revision("HEAD"), .staged] {
            let got = summary(try fresh.files(mode: mode, select: all, maxFileSize: limit))
            #expect(got.count == count + 1)
            for (name, oid) in oids {
                #expect(got[name]?.hasPrefix("<unreadable blob \(oid) cannot be read: ") == true, "\(mode): \(got[name] ?? "")")
            }
            #expect(got["wf/f-0052.yml"] == "file 52")
        }
    }

    @Test func notARepository() throws {
        let fx = try Fixture()
        try fx.write("a.yml", "a")
        let error = #expect(throws: SourceError.self) { try GitRepository.discover(from: fx.root) }
        #expect(error?.message.contains(fx.root) == true)
        #expect(throws: SourceError.self) { try GitRepository.discover(from: fx.path("does/not/exist")) }
    }

    @Test(.enabled(if: getuid() == 0, "needs root to chown the fixture"))
    func repositoryOwnedByAnotherUserOpens() throws {
        let fx = try Fixture()
        try fx.makeRepo(files: ["a.yml": "a"])
        try fx.write("a.yml", "disk")
        let chown = Process()
        chown.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        chown.arguments = ["chown", "-R", "65534:65534", fx.root]
        try chown.run()
        chown.waitUntilExit()
        #expect(chown.terminationStatus == 0)
        let repo = try GitRepository.discover(from: fx.root)
        #expect(summary(try repo.files(mode: .worktree, select: all, maxFileSize: noLimit)) == ["a.yml": "disk"])
        #expect(summary(try repo.files(mode: .staged, select: all, maxFileSize: noLimit)) == ["a.yml": "a"])
        #expect(summary(try repo.files(mode: .revision("HEAD"), select: all, maxFileSize: noLimit)) == ["a.yml": "a"])
    }

    @Test(.enabled(if: getuid() != 0, "root reads every file"))
    func unreadableWorktreeFileIsUnreadable() throws {
        let fx = try Fixture()
        try fx.makeRepo(files: ["a.yml": "a", "secret.yml": "s"])
        chmod(fx.path("secret.yml"), 0)
        defer { chmod(fx.path("secret.yml"), 0o644) }
        let repo = try GitRepository.discover(from: fx.root)
        #expect(summary(try repo.files(mode: .worktree, select: all, maxFileSize: noLimit))
            == ["a.yml": "a", "secret.yml": "<unreadable Permission denied>"])
        #expect(repo.warnings.isEmpty)
    }

    /// The owner of a github.com `origin` remote, in the URL forms git accepts; other hosts have none.
    @Test func githubOwnerOfRemoteURLs() throws {
        #expect(GitRepository.githubOwner(ofRemoteURL: "https://github.com/JLesage/docker-baseimage-gui.git") == "JLesage")
        #expect(GitRepository.githubOwner(ofRemoteURL: "https://x-access-token:abc@github.com/org/repo") == "org")
        #expect(GitRepository.githubOwner(ofRemoteURL: "git@github.com:my-org/repo.git") == "my-org")
        #expect(GitRepository.githubOwner(ofRemoteURL: "ssh://git@github.com/o/r") == "o")
        #expect(GitRepository.githubOwner(ofRemoteURL: "https://gitlab.com/o/r") == nil)
        #expect(GitRepository.githubOwner(ofRemoteURL: "https://github.com.evil.example/o/r") == nil)
        #expect(GitRepository.githubOwner(ofRemoteURL: "/srv/git/repo.git") == nil)
        let fx = try Fixture()
        try fx.makeRepo(files: ["a.yml": "a"])
        #expect(try GitRepository.discover(from: fx.root).githubOwner() == nil)
        try fx.git("remote", "add", "origin", "https://github.com/Acme/app.git")
        #expect(try GitRepository.discover(from: fx.root).githubOwner() == "Acme")
    }

    // MARK: explicit files and paths

    @Test func explicitWorktreeFiles() throws {
        let fx = try Fixture()
        try fx.makeRepo(files: [".gitignore": "*.log\n", "a.yml": "a"])
        try fx.write("x.log", "ignored but named")
        try fx.write("dir/u.yml", "untracked")
        let repo = try GitRepository.discover(from: fx.root)
        #expect(text(try repo.file(at: RepoPath("x.log"), mode: .worktree, maxFileSize: noLimit)) == "ignored but named")
        #expect(text(try repo.file(at: RepoPath("dir/u.yml"), mode: .worktree, maxFileSize: noLimit)) == "untracked")
        #expect(try repo.file(at: RepoPath("missing.yml"), mode: .worktree, maxFileSize: noLimit) == nil)
        #expect(try repo.file(at: RepoPath("dir"), mode: .worktree, maxFileSize: noLimit) == nil)
        for bad in ["", "/etc/hostname", "../a.yml", "dir/../a.yml", "./a.yml", "dir//u.yml", ".git/HEAD", ".git/config"] {
            #expect(try repo.file(at: RepoPath(bad), mode: .worktree, maxFileSize: noLimit) == nil, "\(bad)")
        }
        #expect(try repo.file(at: RepoPath("x.log"), mode: .staged, maxFileSize: noLimit) == nil)
    }

    @Test func repoPathForFilesystemPaths() throws {
        let fx = try Fixture()
        try fx.makeRepo("repo", files: ["a.yml": "a", "sub/b.yml": "b"])
        try fx.symlink("link-to-repo", to: fx.path("repo"))
        let repo = try GitRepository.discover(from: fx.path("repo/sub"))
        #expect(repo.repoPath(forFilesystemPath: fx.path("repo/a.yml")) == RepoPath("a.yml"))
        #expect(repo.repoPath(forFilesystemPath: fx.path("repo/sub/b.yml")) == RepoPath("sub/b.yml"))
        #expect(repo.repoPath(forFilesystemPath: fx.path("repo/sub/../a.yml")) == RepoPath("a.yml"))
        #expect(repo.repoPath(forFilesystemPath: fx.path("repo/./sub//b.yml")) == RepoPath("sub/b.yml"))
        #expect(repo.repoPath(forFilesystemPath: fx.path("repo/not-yet.yml")) == RepoPath("not-yet.yml"))
        #expect(repo.repoPath(forFilesystemPath: fx.path("link-to-repo/sub/b.yml")) == RepoPath("sub/b.yml"))
        #expect(repo.repoPath(forFilesystemPath: fx.path("repo")) == RepoPath(bytes: []))
        #expect(repo.repoPath(forFilesystemPath: fx.path("repo/sub/")) == RepoPath("sub"))
        #expect(repo.repoPath(forFilesystemPath: fx.path("repo/.git/config")) == nil)
        #expect(repo.repoPath(forFilesystemPath: fx.path("repo2/a.yml")) == nil)
        #expect(repo.repoPath(forFilesystemPath: fx.path("")) == nil)
        #expect(repo.repoPath(forFilesystemPath: "/etc/hostname") == nil)
        // Relative paths are taken from the current folder.
        let cwd = FileManager.default.currentDirectoryPath
        let ups = String(repeating: "../", count: cwd.split(separator: "/").count)
        #expect(repo.repoPath(forFilesystemPath: ups + fx.path("repo/sub/b.yml").dropFirst()) == RepoPath("sub/b.yml"))
        #expect(repo.repoPath(forFilesystemPath: "Package.swift") == nil || cwd.hasPrefix(fx.root))
    }

    // MARK: plain folders

    @Test func directorySourceWalk() throws {
        let fx = try Fixture()
        try fx.write("a.yml", "a")
        try fx.write("sub/b.yml", "b")
        try fx.write("sub/deeper/c.txt", "c")
        try fx.write(".git/config", "not walked")
        try fx.write("sub/.git", "gitdir: elsewhere")
        try fx.write("big.yml", String(repeating: "x", count: 50))
        try fx.symlink("link.yml", to: "a.yml")
        try fx.symlink("dirlink", to: "sub")
        try fx.symlink("outside", to: "/etc")
        try fx.writeRaw(Array("raw".utf8) + [0xE9], "raw")
        try FileManager.default.createDirectory(atPath: fx.path("empty/nested-empty"), withIntermediateDirectories: true)
        let files = try DirectorySource.files(root: fx.root, select: all, maxFileSize: 10)
        #expect(summary(files) == [
            "a.yml": "a", "sub/b.yml": "b", "sub/deeper/c.txt": "c", "big.yml": "<tooLarge 50>", "raw\\351": "raw",
        ])
        #expect(files.contains { $0.path.bytes == Array("raw".utf8) + [0xE9] })
        let ymlOnly = try DirectorySource.files(root: fx.path("sub"), select: { $0.display.hasSuffix(".yml") }, maxFileSize: 10)
        #expect(summary(ymlOnly) == ["b.yml": "b"])
        #expect(throws: SourceError.self) { try DirectorySource.files(root: fx.path("missing"), select: all, maxFileSize: 10) }
        #expect(throws: SourceError.self) { try DirectorySource.files(root: fx.path("a.yml"), select: all, maxFileSize: 10) }
        // A symlinked root is followed (the user named it).
        #expect(summary(try DirectorySource.files(root: fx.path("dirlink"), select: all, maxFileSize: 10)).count == 2)
    }
}
