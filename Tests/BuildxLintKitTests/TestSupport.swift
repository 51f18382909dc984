import Foundation
@testable import BuildxLintKit

/// Paths and helpers shared by the tests.
enum TestSupport {
    /// The package root (two folders above this file's folder).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `../shared` beside the project root (read-only material), or nil when absent.
    static let sharedDir: URL? = {
        let u = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: u.appendingPathComponent("corpus").path) ? u : nil
    }()

    /// Lints in-memory files (path → content) as one repository.
    static func lint(_ files: [(path: String, content: String)], options: LintOptions = LintOptions()) -> LintResult {
        let sources = files.map { SourceFile(path: RepoPath($0.path), content: .bytes(Array($0.content.utf8))) }
        return Linter.lint(files: sources, options: options)
    }

    /// Lints one workflow given as text.
    static func lint(workflow: String, path: String = ".github/workflows/ci.yml") -> [Diagnostic] {
        lint([(path, workflow)]).diagnostics
    }

    /// One folder per test process that holds every ``tempDir(_:)``; it is removed when the process
    /// exits, so test runs do not leave fixture repositories behind in the system's temporary folder.
    static let scratchRoot: URL = {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("buildx-lint-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestSupport.scratchRoot) }
        return u
    }()

    /// A fresh temporary folder (inside ``scratchRoot``).
    static func tempDir(_ name: String = "bxl") -> URL {
        let u = scratchRoot.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// Writes `files` under `root`, creating folders.
    static func write(_ files: [(path: String, content: String)], under root: URL) {
        for (path, content) in files {
            let u = root.appendingPathComponent(path)
            try! FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
            try! content.write(to: u, atomically: true, encoding: .utf8)
        }
    }

    /// Runs a program and returns (status, stdout, stderr).
    @discardableResult
    static func run(_ exe: String, _ args: [String], cwd: URL? = nil, env: [String: String] = [:], stdin: String? = nil)
        -> (status: Int32, out: String, err: String)
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = cwd }
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_AUTHOR_NAME"] = "t"
        environment["GIT_AUTHOR_EMAIL"] = "t@example.com"
        environment["GIT_COMMITTER_NAME"] = "t"
        environment["GIT_COMMITTER_EMAIL"] = "t@example.com"
        environment.removeValue(forKey: "GIT_INDEX_FILE")
        environment.removeValue(forKey: "GIT_DIR")
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = input
        try! p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read before waiting so a full pipe cannot block the child.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Runs `git` with a neutral configuration.
    @discardableResult
    static func git(_ args: [String], in dir: URL, env: [String: String] = [:]) -> (status: Int32, out: String, err: String) {
        run("/usr/bin/env", ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"] + args, cwd: dir, env: env)
    }

    /// A git repository holding `files`, all committed (unless `commit` is false).
    static func makeRepo(_ files: [(path: String, content: String)], commit: Bool = true) -> URL {
        let root = tempDir("repo")
        git(["init", "-q"], in: root)
        write(files, under: root)
        if commit {
            git(["add", "-A"], in: root)
            git(["commit", "-q", "-m", "init"], in: root)
        }
        return root
    }

    /// The built `buildx-lint` executable next to the test bundle.
    static let executable: String = {
        if let e = ProcessInfo.processInfo.environment["BUILDX_LINT_BIN"] { return e }
        // The test bundle lives in the build products folder, beside the executable.
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("buildx-lint")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue { return candidate.path }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/buildx-lint").path
    }()

    /// Reads every file under `root` (relative paths), skipping `.git`.
    static func readTree(_ root: URL) -> [(path: String, content: String)] {
        var out: [(String, String)] = []
        let fm = FileManager.default
        guard let e = fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        for case let u as URL in e {
            if u.lastPathComponent == ".git" { e.skipDescendants(); continue }
            guard (try? u.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let rel = String(u.path.dropFirst(root.path.count + 1))
            out.append((rel, (try? String(contentsOf: u, encoding: .utf8)) ?? ""))
        }
        return out.sorted { $0.0 < $1.0 }
    }
}

/// Applies a fix's edits to `text` (edits must not overlap); returns the new text.
func apply(_ fix: Fix, to text: String) -> String {
    var bytes = Array(text.utf8)
    for edit in fix.edits.sorted(by: { $0.span.start.offset > $1.span.start.offset }) {
        bytes.replaceSubrange(edit.span.start.offset..<edit.span.end.offset, with: Array(edit.replacement.utf8))
    }
    return String(decoding: bytes, as: UTF8.self)
}
