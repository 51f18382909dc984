import Foundation
import Testing
@testable import BuildxLintKit

@Suite struct PathGlobTests {
    @Test func globs() {
        let cases: [(String, String, Bool)] = [
            ("*.yml", ".github/workflows/a.yml", true),
            ("*.yml", "a.yaml", false),
            (".github/workflows/*.yml", ".github/workflows/a.yml", true),
            (".github/workflows/*.yml", ".github/workflows/sub/a.yml", false),
            (".github/**", ".github/workflows/sub/a.yml", true),
            ("**/action.yml", "action.yml", true),
            ("**/action.yml", "a/b/action.yml", true),
            ("vendor/", "vendor/x/action.yml", true),
            ("/action.yml", "sub/action.yml", false),
            ("wf-[0-3].yml", "wf-2.yml", true),
            ("wf-[!0-3].yml", "wf-2.yml", false),
            ("a?c", "abc", true),
            ("a?c", "a/c", false),
            ("a/**/b/*.yml", "a/b/x.yml", true),
            ("a/**/b/*.yml", "a/x/y/b/x.yml", true),
            ("a/**/b/*.yml", "a/x/y/c/x.yml", false),
            ("**/d/**/e.yml", "d/e.yml", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axx/byyc", false),
            ("a/**", "a", false),
        ]
        for (pattern, path, expected) in cases {
            #expect(PathGlob(pattern).matches(RepoPath(path)) == expected, "\(pattern) vs \(path)")
        }
    }

    /// Thirty `**/` segments against a path sixty folders deep: a backtracking matcher never finished (a
    /// repository's own configuration could stall every run); this one is linear in the lengths' product.
    @Test func manyDoubleStarsStayFast() {
        let pattern = String(repeating: "**/d/", count: 30) + "nomatch.yml"
        let path = String(repeating: "d/", count: 60) + "x.yml"
        let start = ContinuousClock.now
        #expect(!PathGlob(pattern).matches(RepoPath(path)))
        #expect(PathGlob(String(repeating: "**/d/", count: 30) + "x.yml").matches(RepoPath(path)))
        #expect(ContinuousClock.now - start < .seconds(2))
    }
}

@Suite struct ConfigParserTests {
    let known: Set<String> = Set(RuleRegistry.all.map(\.description.id))

    @Test func parsesEveryKey() throws {
        let text = """
            min-buildx-version: v0.21.0
            fail-on: error
            ignore: [vendor/**]
            rules:
              BXC301:
                severity: info
                ignore:
                  - .github/workflows/experimental-*.yml
              bxc309: off

            """
        let c = try ConfigParser.parse(Array(text.utf8), path: ".buildx-lint.yml", knownRules: known)
        #expect(c.minBuildxVersion == Version("v0.21.0"))
        #expect(c.failOn == "error")
        #expect(c.ignores(RepoPath("vendor/a/action.yml")))
        #expect(c.rules["BXC301"]?.severity == .some(.info))
        #expect(c.rules["BXC309"]?.severity == .some(nil))
        #expect(c.rules["BXC301"]?.ignore.first?.matches(RepoPath(".github/workflows/experimental-x.yml")) == true)
    }

    @Test func reportsUnknownKeysAndBadValuesWithPositions() {
        let text = "fail-on: sometimes\nrulez: {}\nrules:\n  BXC999: off\n  BXC001:\n    severity: loud\n    colour: red\n"
        do {
            _ = try ConfigParser.parse(Array(text.utf8), path: "c.yml", knownRules: known)
            Issue.record("expected errors")
        } catch {
            let lines = error.errors.map(\.position.line)
            #expect(lines == [1, 2, 4, 6, 7], "\(error.errors)")
            #expect(error.errors[1].description.hasPrefix("c.yml:2:1: unknown key `rulez`"))
        }
    }

    @Test func appliesSeveritiesAndIgnores() throws {
        let wf = Examples.setupOnly("version: latest")
        var options = LintOptions()
        options.config = try ConfigParser.parse(Array("rules:\n  BXC301: error\n".utf8), path: "c", knownRules: known)
        let r = TestSupport.lint([(".github/workflows/a.yml", wf)], options: options)
        #expect(r.diagnostics.map(\.severity) == [.error])
        options.config = try ConfigParser.parse(Array("rules:\n  BXC301: {ignore: ['*.yml']}\n".utf8), path: "c", knownRules: known)
        #expect(TestSupport.lint([(".github/workflows/a.yml", wf)], options: options).diagnostics.isEmpty)
        options.config = try ConfigParser.parse(Array("ignore: .github/**\n".utf8), path: "c", knownRules: known)
        #expect(TestSupport.lint([(".github/workflows/a.yml", wf)], options: options).fileCount == 0)
    }
}

@Suite struct SuppressionTests {
    func ids(_ wf: String) -> [String] { TestSupport.lint(workflow: wf).map { "\($0.span.start.line):\($0.ruleID)" } }

    @Test func lineAboveAndTrailing() {
        #expect(ids(Examples.setupOnly("version: latest")) == ["8:BXC301"])
        #expect(ids(Examples.setupOnly("# buildx-lint: ignore[BXC301] runner image pins it\nversion: latest")).isEmpty)
        #expect(ids(Examples.setupOnly("version: latest  # buildx-lint: ignore[BXC301]")).isEmpty)
        // A directive for another rule does not suppress, and is itself reported.
        #expect(ids(Examples.setupOnly("# buildx-lint: ignore[BXC001]\nversion: latest")) == ["8:BXC900", "9:BXC301"])
    }

    @Test func aboveABlockScalarKeyCoversTheBlock() {
        let wf = Examples.buildPush("# buildx-lint: ignore[BXC003] deliberate\ncache-from: |\n  type=gha,scope=a\n  type=gha, scope=b")
        #expect(ids(wf).isEmpty)
        // Inside the block, `#` is content: not a directive (and BXC006 says so).
        let inside = Examples.buildPush("cache-from: |\n  # buildx-lint: ignore[BXC003]\n  type=gha, scope=b")
        #expect(ids(inside) == ["12:BXC006", "13:BXC003"])
    }

    @Test func fileWideAndUnknownRules() {
        let wf = "# buildx-lint: ignore-file[BXC301] pinned by the runner image\n" + Examples.setupOnly("version: latest")
        #expect(ids(wf).isEmpty)
        // After content, ignore-file does not count.
        let late = Examples.setupOnly("version: latest") + "# buildx-lint: ignore-file[BXC301]\n"
        #expect(ids(late) == ["8:BXC301"])
        #expect(ids("# buildx-lint: ignore-file[BXC777]\n" + Examples.setupOnly("version: v0.21.1")) == ["1:BXC900"])
    }
}

@Suite(.serialized) struct ConfigCLITests {
    static let wf = ".github/workflows/a.yml"

    @Test func configFromTheLintedSourceAndFlags() {
        let repo = TestSupport.makeRepo([(Self.wf, Examples.setupOnly("version: latest")), (".buildx-lint.yml", "rules:\n  BXC301: off\n")])
        let run = { (args: [String]) in TestSupport.run(TestSupport.executable, args, cwd: repo) }
        #expect(run([]).status == 0)
        #expect(run(["--no-config"]).status == 1)
        TestSupport.write([("other.yml", "fail-on: never\n")], under: repo)
        #expect(run(["--no-config", "--config", "other.yml"]).status == 2)
        #expect(run(["--config", "other.yml"]).status == 0)
        // The configuration is read from the same source: a staged change to it counts for --staged.
        TestSupport.write([(".buildx-lint.yml", "rules:\n  BXC301: error\n")], under: repo)
        #expect(run(["--rev", "HEAD"]).status == 0)
        TestSupport.git(["add", ".buildx-lint.yml"], in: repo)
        let staged = run(["--staged", "--format", "json"])
        #expect(staged.status == 1)
        #expect(staged.out.contains("\"severity\":\"error\""))
        TestSupport.write([(".buildx-lint.yml", "rules:\n  BXC301: loud\n")], under: repo)
        let bad = run([])
        #expect(bad.status == 2)
        #expect(bad.err.contains(".buildx-lint.yml:2:11: severity must be"))
    }

    @Test func baselineKeepsOldFindingsQuietButCatchesNewOnes() throws {
        let repo = TestSupport.makeRepo([(Self.wf, Examples.setupOnly("version: latest"))])
        let run = { (args: [String]) in TestSupport.run(TestSupport.executable, args, cwd: repo) }
        let w = run(["--write-baseline", "baseline.json"])
        #expect(w.status == 0)
        let written = try String(contentsOf: repo.appendingPathComponent("baseline.json"), encoding: .utf8)
        #expect(written.contains("\"rule\":\"BXC301\""))
        #expect(run(["--baseline", "baseline.json"]).status == 0)
        // Lines added above do not break the match.
        TestSupport.write([(Self.wf, "# a comment\n\n" + Examples.setupOnly("version: latest"))], under: repo)
        #expect(run(["--baseline", "baseline.json"]).status == 0)
        // A new finding still fails.
        TestSupport.write([(Self.wf, Examples.setupOnly("version: latest\nversoin: v0.21.1"))], under: repo)
        let r = run(["--baseline", "baseline.json", "--format", "json"])
        #expect(r.status == 1)
        #expect(!r.out.contains("BXC301"))
        #expect(r.err.contains("1 finding is in the baseline"))
        #expect(run(["--baseline", "missing.json"]).status == 2)
        // A baseline of an unknown version, or with a duplicate key, is refused rather than misread.
        #expect(throws: SourceError.self) { try Baseline.parse(Array("{\"version\":99,\"findings\":[]}".utf8), path: "b") }
        #expect(throws: SourceError.self) { try Baseline.parse(Array("{\"version\":1,\"findings\":[],\"findings\":[]}".utf8), path: "b") }
        #expect((try? Baseline.parse(Array("{\"version\":1,\"tool\":\"buildx-lint\",\"findings\":[]}".utf8), path: "b")) != nil)
    }

    /// The baseline is written through a symlink (the link stays and names the new content); a path that is
    /// not a regular file is left alone and the run fails with exit 2.
    @Test func baselineWriteKeepsSymlinksAndSpecialFiles() throws {
        let repo = TestSupport.makeRepo([(Self.wf, Examples.setupOnly("version: latest"))])
        let run = { (args: [String]) in TestSupport.run(TestSupport.executable, args, cwd: repo) }
        let fm = FileManager.default
        try "old".write(to: repo.appendingPathComponent("real.json"), atomically: false, encoding: .utf8)
        try fm.createSymbolicLink(atPath: repo.appendingPathComponent("link.json").path, withDestinationPath: "real.json")
        #expect(run(["--write-baseline", "link.json"]).status == 0)
        #expect(try fm.destinationOfSymbolicLink(atPath: repo.appendingPathComponent("link.json").path) == "real.json")
        #expect(try String(contentsOf: repo.appendingPathComponent("real.json"), encoding: .utf8).contains("\"rule\":\"BXC301\""))
        try fm.createDirectory(at: repo.appendingPathComponent("folder.json"), withIntermediateDirectories: false)
        let folder = run(["--write-baseline", "folder.json"])
        #expect(folder.status == 2)
        var isDir: ObjCBool = false
        #expect(fm.fileExists(atPath: repo.appendingPathComponent("folder.json").path, isDirectory: &isDir) && isDir.boolValue)
        // A FIFO (a special file made here, never a device of the machine's).
        #expect(mkfifo(repo.appendingPathComponent("fifo.json").path, 0o644) == 0)
        #expect(run(["--write-baseline", "fifo.json"]).status == 2)
        var st = stat()
        #expect(lstat(repo.appendingPathComponent("fifo.json").path, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
    }
}
