import Foundation
import Testing
@testable import BuildxLintKit

/// Inputs and helpers of the SARIF and GitHub reporter tests.
enum ReporterFixtures {
    /// A workflow with a packed cache entry (BXC001, with a fix) and a non-ASCII step name.
    static let workflow = """
        on: push
        jobs:
          final:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/setup-buildx-action@v3
                with:
                  version: v0.21.1
              - name: "Build é😀"
                uses: docker/build-push-action@v6
                with:
                  platforms: linux/amd64,linux/arm64
                  cache-from: type=local,src=/caches/amd64,type=local,src=/caches/arm64

        """
    /// A workflow path with a space, non-ASCII letters and characters URIs reserve.
    static let oddPath = ".github/workflows/build é #1?.yml"

    static let rules = RuleRegistry.all.map(\.description)

    /// The official schema in `../shared` beside the package root, or nil when absent.
    static let schemaURL: URL? = {
        let u = TestSupport.packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/schemas/sarif-schema-2.1.0.json")
        return FileManager.default.fileExists(atPath: u.path) ? u : nil
    }()
    static let hasPython = TestSupport.run("/usr/bin/env", ["python3", "-c", "pass"]).status == 0
    static let hasJSONSchema = hasPython && TestSupport.run("/usr/bin/env", ["python3", "-c", "import jsonschema"]).status == 0

    /// Validates a document with the validator class the schema declares (draft-04 for SARIF 2.1.0).
    static let validator = """
        import json, sys
        import jsonschema
        schema = json.load(open(sys.argv[1], encoding="utf-8"))
        doc = json.loads(sys.stdin.read())
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        checker = getattr(cls, "FORMAT_CHECKER", None)
        errors = list(cls(schema, format_checker=checker).iter_errors(doc))
        for e in errors:
            print("/".join(str(p) for p in e.absolute_path), e.message)
        sys.exit(1 if errors else 0)
        """

    static func sarif(_ diagnostics: [Diagnostic], texts: [RepoPath: SourceText] = [:], rules: [RuleDescription] = rules) -> String {
        SARIFReporter.render(
            diagnostics, rules: rules, toolVersion: "1.2.3", informationUri: "https://example.com/buildx-lint",
            ruleHelpBaseURI: "https://example.com/buildx-lint/docs/rules/", texts: texts)
    }

    static func parse(_ json: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    static func run(_ log: [String: Any]) throws -> [String: Any] {
        try #require((log["runs"] as? [[String: Any]])?.first)
    }

    static func results(_ log: [String: Any]) throws -> [[String: Any]] {
        try #require(run(log)["results"] as? [[String: Any]])
    }

    /// The first location's region and artifact location of a result.
    static func location(_ result: [String: Any]) throws -> (region: [String: Int], uri: String) {
        let locations = try #require(result["locations"] as? [[String: Any]])
        let physical = try #require(locations.first?["physicalLocation"] as? [String: Any])
        let artifact = try #require(physical["artifactLocation"] as? [String: Any])
        #expect(artifact["uriBaseId"] as? String == "%SRCROOT%")
        return (try #require(physical["region"] as? [String: Int]), try #require(artifact["uri"] as? String))
    }

    static func fingerprint(_ result: [String: Any]) -> String? {
        (result["partialFingerprints"] as? [String: String])?[SARIFReporter.fingerprintKey]
    }

    /// A finding on a given span of `path` (lines and byte columns).
    static func finding(
        _ rule: String = "BXC001", _ name: String = "packed-cache-entries", _ severity: Severity = .error,
        path: String = ".github/workflows/ci.yml", _ l1: Int, _ c1: Int, _ l2: Int, _ c2: Int,
        message: String = "two cache sources in one entry", help: String? = nil, fixes: [Fix] = []
    ) -> Diagnostic {
        Diagnostic(
            ruleID: rule, ruleName: name, severity: severity, path: RepoPath(path),
            span: SourceSpan(
                start: SourcePosition(line: l1, column: c1, offset: 0), end: SourcePosition(line: l2, column: c2, offset: 0)),
            message: message, help: help, fixes: fixes)
    }
}

@Suite struct SARIFReporterTests {
    @Test(
        .enabled(if: ReporterFixtures.schemaURL != nil, "skipped: ../shared/schemas/sarif-schema-2.1.0.json not found"),
        .enabled(if: ReporterFixtures.hasPython, "skipped: python3 not found"),
        .enabled(if: ReporterFixtures.hasJSONSchema, "skipped: python3 module jsonschema missing (pip install jsonschema)"))
    func validatesAgainstTheOfficialSchema() throws {
        let lint = TestSupport.lint([(ReporterFixtures.oddPath, ReporterFixtures.workflow)])
        #expect(lint.diagnostics.contains { !$0.fixes.isEmpty })
        let extra = [
            ReporterFixtures.finding("BXC015", "inline-mode-max", .info, path: "no text/ä.yml", 3, 1, 4, 1, help: "h"),
            ReporterFixtures.finding("BXC999", "unknown", .warning, 1, 1, 1, 1),
        ]
        let sarif = ReporterFixtures.sarif(lint.diagnostics + extra, texts: lint.texts)
        let schema = try #require(ReporterFixtures.schemaURL)
        let r = TestSupport.run("/usr/bin/env", ["python3", "-c", ReporterFixtures.validator, schema.path], stdin: sarif)
        #expect(r.status == 0, "SARIF does not validate:\n\(r.out)\(r.err)")
    }

    @Test func ruleMetadata() throws {
        let log = try ReporterFixtures.parse(ReporterFixtures.sarif([]))
        #expect(log["version"] as? String == "2.1.0")
        #expect(log["$schema"] as? String == SARIFReporter.schemaURI)
        let run = try ReporterFixtures.run(log)
        #expect(run["columnKind"] as? String == "utf16CodeUnits")
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "buildx-lint")
        #expect(driver["version"] as? String == "1.2.3")
        #expect(driver["informationUri"] as? String == "https://example.com/buildx-lint")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        let ids = rules.compactMap { $0["id"] as? String }
        #expect(ids == ReporterFixtures.rules.map(\.id).sorted())

        let bxc001 = try #require(rules.first { $0["id"] as? String == "BXC001" })
        let described = try #require(RuleRegistry.rule("BXC001")?.description)
        #expect(bxc001["name"] as? String == "packed-cache-entries")
        #expect((bxc001["shortDescription"] as? [String: String])?["text"] == described.summary)
        #expect((bxc001["fullDescription"] as? [String: String])?["text"] == described.rationale)
        #expect(bxc001["helpUri"] as? String == "https://example.com/buildx-lint/docs/rules/BXC001.md")
        #expect((bxc001["defaultConfiguration"] as? [String: String])?["level"] == "error")
        let help = try #require(bxc001["help"] as? [String: String])
        for part in [described.summary, described.rationale] + described.sources {
            #expect(help["text"]?.contains(part) == true)
            #expect(help["markdown"]?.contains(part) == true)
        }
        #expect((bxc001["properties"] as? [String: [String]])?["tags"] == ["buildx-cache", "cache-entries"])

        let levels = Dictionary(uniqueKeysWithValues: rules.map {
            ($0["id"] as! String, ($0["defaultConfiguration"] as? [String: String])?["level"])
        })
        #expect(levels["BXC015"] == "note")  // info
        #expect(levels["BXC002"] == "warning")
        #expect((rules.first { $0["id"] as? String == "BXC301" }?["properties"] as? [String: [String]])?["tags"]
            == ["buildx-cache", "versions"])
    }

    @Test func resultsLevelsRegionsAndHelp() throws {
        let path = ".github/workflows/ci.yml"
        // Line 2: `"` at byte 6, é is 2 bytes, 😀 is 4 bytes (2 UTF-16 units); `bad` is bytes 15..<18.
        let text = SourceText("on: push\n  k: \"é😀\" bad\n")
        let diagnostics = [
            ReporterFixtures.finding(path: path, 2, 15, 2, 18, help: "write it\non two lines"),
            ReporterFixtures.finding("BXC002", "duplicate-cache-attribute", .warning, path: path, 1, 1, 2, 7),
            ReporterFixtures.finding("BXC015", "inline-mode-max", .info, path: path, 2, 30, 2, 30),
            ReporterFixtures.finding("BXC001", "packed-cache-entries", .error, path: "other.yml", 3, 5, 5, 1),
            ReporterFixtures.finding("BXC999", "not-registered", .warning, path: "other.yml", 7, 2, 7, 9),
        ]
        let log = try ReporterFixtures.parse(ReporterFixtures.sarif(diagnostics, texts: [RepoPath(path): text]))
        let results = try ReporterFixtures.results(log)
        #expect(results.count == 5)
        #expect(results.map { $0["level"] as? String } == ["error", "warning", "note", "error", "warning"])
        #expect(results.map { $0["ruleId"] as? String } == ["BXC001", "BXC002", "BXC015", "BXC001", "BXC999"])

        let sortedIDs = ReporterFixtures.rules.map(\.id).sorted()
        #expect(results[0]["ruleIndex"] as? Int == sortedIDs.firstIndex(of: "BXC001"))
        #expect(results[2]["ruleIndex"] as? Int == sortedIDs.firstIndex(of: "BXC015"))
        #expect(results[4]["ruleIndex"] == nil)  // not among the described rules

        #expect((results[0]["message"] as? [String: String])?["text"] == "two cache sources in one entry\nhelp: write it\non two lines")
        #expect((results[1]["message"] as? [String: String])?["text"] == "two cache sources in one entry")

        #expect(try ReporterFixtures.location(results[0]).region == ["startLine": 2, "startColumn": 12, "endLine": 2, "endColumn": 15])
        #expect(try ReporterFixtures.location(results[1]).region == ["startLine": 1, "startColumn": 1, "endLine": 2, "endColumn": 7])
        // Past the end of the line (17 bytes): the extra bytes count one unit each.
        #expect(try ReporterFixtures.location(results[2]).region == ["startLine": 2, "startColumn": 27, "endLine": 2, "endColumn": 27])
        // No text: lines only, and a span ending at column 1 does not claim its last line.
        #expect(try ReporterFixtures.location(results[3]).region == ["startLine": 3, "endLine": 4])
        #expect(try ReporterFixtures.location(results[0]).uri == ".github/workflows/ci.yml")
    }

    @Test func uriEncoding() throws {
        #expect(SARIFReporter.uri(for: RepoPath("a b/é.yml")) == "a%20b/%C3%A9.yml")
        #expect(SARIFReporter.uri(for: RepoPath("x/100%#1?.yml")) == "x/100%25%231%3F.yml")
        #expect(SARIFReporter.uri(for: RepoPath("c:d/[v]{w}|\\\"<>`^.yml")) == "c%3Ad/%5Bv%5D%7Bw%7D%7C%5C%22%3C%3E%60%5E.yml")
        #expect(SARIFReporter.uri(for: RepoPath("keep/-._~!$&'()*+,;=@/A9.yml")) == "keep/-._~!$&'()*+,;=@/A9.yml")
        #expect(SARIFReporter.uri(for: RepoPath(bytes: Array("caf".utf8) + [0xE9, 0x0A] + Array(".yml".utf8))) == "caf%E9%0A.yml")

        let lint = TestSupport.lint([(ReporterFixtures.oddPath, ReporterFixtures.workflow)])
        let results = try ReporterFixtures.results(ReporterFixtures.parse(ReporterFixtures.sarif(lint.diagnostics, texts: lint.texts)))
        #expect(!results.isEmpty)
        for result in results {
            #expect(try ReporterFixtures.location(result).uri == ".github/workflows/build%20%C3%A9%20%231%3F.yml")
        }
    }

    @Test func fixesBecomeReplacements() throws {
        let lint = TestSupport.lint([(".github/workflows/ci.yml", ReporterFixtures.workflow)])
        let diagnostic = try #require(lint.diagnostics.first { $0.ruleID == "BXC001" })
        let fix = try #require(diagnostic.fixes.first)
        let edit = try #require(fix.edits.first)
        let results = try ReporterFixtures.results(ReporterFixtures.parse(ReporterFixtures.sarif([diagnostic], texts: lint.texts)))
        let fixes = try #require(results.first?["fixes"] as? [[String: Any]])
        #expect(fixes.count == diagnostic.fixes.count)
        #expect((fixes[0]["description"] as? [String: String])?["text"] == fix.title)
        let change = try #require((fixes[0]["artifactChanges"] as? [[String: Any]])?.first)
        #expect((change["artifactLocation"] as? [String: String]) == ["uri": ".github/workflows/ci.yml", "uriBaseId": "%SRCROOT%"])
        let replacement = try #require((change["replacements"] as? [[String: Any]])?.first)
        // The line is ASCII, so UTF-16 columns equal the byte columns.
        #expect(replacement["deletedRegion"] as? [String: Int] == [
            "startLine": edit.span.start.line, "startColumn": edit.span.start.column,
            "endLine": edit.span.end.line, "endColumn": edit.span.end.column,
        ])
        #expect((replacement["insertedContent"] as? [String: String])?["text"] == edit.replacement)

        // Without the text the columns are unknown, so no edit is offered.
        let bare = try ReporterFixtures.results(ReporterFixtures.parse(ReporterFixtures.sarif([diagnostic])))
        #expect(bare.first?["fixes"] == nil)
    }

    @Test func fingerprintsAreStable() throws {
        let path = ".github/workflows/ci.yml"
        let first = TestSupport.lint([(path, ReporterFixtures.workflow)])
        let a = ReporterFixtures.sarif(first.diagnostics, texts: first.texts)
        #expect(a == ReporterFixtures.sarif(first.diagnostics, texts: first.texts))
        // Rule order in the input does not change the output.
        #expect(a == ReporterFixtures.sarif(first.diagnostics, texts: first.texts, rules: ReporterFixtures.rules.reversed()))

        let moved = TestSupport.lint([(path, "# an unrelated comment\n" + ReporterFixtures.workflow)])
        let resultsA = try ReporterFixtures.results(ReporterFixtures.parse(a))
        let resultsB = try ReporterFixtures.results(ReporterFixtures.parse(ReporterFixtures.sarif(moved.diagnostics, texts: moved.texts)))
        #expect(resultsA.count == resultsB.count && !resultsA.isEmpty)
        for (x, y) in zip(resultsA, resultsB) {
            let fx = try #require(ReporterFixtures.fingerprint(x))
            #expect(fx.wholeMatch(of: /[0-9a-f]{16}:[0-9]+/) != nil)
            #expect(fx == ReporterFixtures.fingerprint(y))
            #expect(try ReporterFixtures.location(x).region["startLine"]! + 1 == ReporterFixtures.location(y).region["startLine"])
        }

        // Same rule and same line text: told apart by the occurrence suffix.
        let text = SourceText("  a: x\n  a: x\n")
        let twins = [ReporterFixtures.finding(path: path, 1, 3, 1, 7), ReporterFixtures.finding(path: path, 2, 3, 2, 7)]
        let prints = try ReporterFixtures.results(ReporterFixtures.parse(ReporterFixtures.sarif(twins, texts: [RepoPath(path): text])))
            .map { ReporterFixtures.fingerprint($0) ?? "" }
        #expect(prints[0].hasSuffix(":1") && prints[1].hasSuffix(":2"))
        #expect(prints[0].dropLast(2) == prints[1].dropLast(2))
    }

    @Test func fnv1aKnownValues() {
        // Reference values of FNV-1a 64.
        #expect(SARIFReporter.fnv1a64([]) == 0xcbf2_9ce4_8422_2325)
        #expect(SARIFReporter.fnv1a64(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(SARIFReporter.fnv1a64(Array("foobar".utf8)) == 0x8594_4171_f739_67e8)
    }
}

@Suite struct GitHubReporterTests {
    @Test func goldenFinding() {
        let finding = ReporterFixtures.finding(
            path: ".github/workflows/ci.yml", 12, 23, 12, 80,
            message: "2 cache sources packed into one cache-from entry: only one is used",
            help: "Put each cache entry on its own line:\ncache-from: |\n  type=gha,scope=a")
        #expect(
            GitHubReporter.render([finding])
                == "::error file=.github/workflows/ci.yml,line=12,endLine=12,col=23,endColumn=80,title=BXC001 packed-cache-entries::"
                + "2 cache sources packed into one cache-from entry: only one is used%0A"
                + "help: Put each cache entry on its own line:%0Acache-from: |%0A  type=gha,scope=a\n")
    }

    @Test func escaping() {
        let finding = ReporterFixtures.finding(
            path: "a,b/c:d%.yml", 3, 1, 3, 5, message: "100% sure\r\nreally: yes, sure")
        #expect(
            GitHubReporter.render([finding])
                == "::error file=a%2Cb/c%3Ad%25.yml,line=3,endLine=3,col=1,endColumn=5,title=BXC001 packed-cache-entries::"
                + "100%25 sure%0D%0Areally: yes, sure\n")
        #expect(GitHubReporter.escapeProperty("a:b,c%d\re\nf") == "a%3Ab%2Cc%25d%0De%0Af")
        #expect(GitHubReporter.escapeData("a:b,c%d\re\nf") == "a:b,c%25d%0De%0Af")
        // `%` goes first: an existing `%0A` in the text must not turn into a line break.
        #expect(GitHubReporter.escapeData("%0A") == "%250A")
        // A terminal escape or bell from a linted value does not reach the Actions log raw.
        #expect(GitHubReporter.escapeData("a\u{1B}[31mb\u{07}\u{7F}") == "a^[[31mb^G^?")
    }

    @Test func levelsAndEmptyInput() {
        let findings = [
            ReporterFixtures.finding("BXC001", "a", .error, 1, 1, 1, 2),
            ReporterFixtures.finding("BXC002", "b", .warning, 1, 1, 1, 2),
            ReporterFixtures.finding("BXC015", "c", .info, 1, 1, 1, 2),
        ]
        let lines = GitHubReporter.render(findings).split(separator: "\n")
        #expect(lines.map { $0.prefix { $0 != " " } } == ["::error", "::warning", "::notice"])
        #expect(GitHubReporter.render([]) == "")
    }

    @Test func multiLineSpansHaveNoColumns() {
        let spanning = ReporterFixtures.finding(path: "w.yml", 4, 9, 6, 3, message: "m")
        #expect(GitHubReporter.render([spanning]) == "::error file=w.yml,line=4,endLine=6,title=BXC001 packed-cache-entries::m\n")
        // Ending at the start of the next line means ending with this line's break.
        let toBreak = ReporterFixtures.finding(path: "w.yml", 4, 9, 5, 1, message: "m")
        #expect(GitHubReporter.render([toBreak]) == "::error file=w.yml,line=4,endLine=4,col=9,title=BXC001 packed-cache-entries::m\n")
    }

    @Test func realFindingsRenderOneLineEach() {
        let lint = TestSupport.lint([(ReporterFixtures.oddPath, ReporterFixtures.workflow)])
        let out = GitHubReporter.render(lint.diagnostics)
        #expect(!lint.diagnostics.isEmpty)
        #expect(out.split(separator: "\n").count == lint.diagnostics.count)
        #expect(out.contains("file=.github/workflows/build é #1?.yml,"))
    }
}

/// A report longer than one wave of batches (encoded on all cores) is one JSON document with every
/// finding in order, and the same bytes whether written whole or in 64 KiB pieces.
@Test func longJSONReportKeepsEveryFindingInOrder() throws {
    let count = JSONReporter.batchSize * JSONReporter.batchesPerWave * 2 + 37
    let diagnostics = (0..<count).map { i in
        Diagnostic(
            ruleID: "BXC001", ruleName: "packed-cache-entries", severity: .error, path: RepoPath(".github/workflows/w.yml"),
            span: SourceSpan(start: SourcePosition(line: i + 1, column: 1, offset: 0), end: SourcePosition(line: i + 1, column: 5, offset: 4)),
            message: "finding \(i) \"quoted\"\n", help: i % 2 == 0 ? "help \(i)" : nil)
    }
    let whole = JSONReporter.render(diagnostics, toolVersion: "1.0")
    let doc = try ReporterFixtures.parse(whole)
    let list = try #require(doc["diagnostics"] as? [[String: Any]])
    #expect(list.count == count)
    #expect(list.enumerated().allSatisfy { i, d in (d["line"] as? Int) == i + 1 && (d["message"] as? String) == "finding \(i) \"quoted\"\n" })
    #expect(list.enumerated().allSatisfy { i, d in (d["help"] as? String) == (i % 2 == 0 ? "help \(i)" : nil) })
    var pieces: [UInt8] = []
    var sizes: [Int] = []
    JSONReporter.write(diagnostics, toolVersion: "1.0") { pieces.append(contentsOf: $0); sizes.append($0.count) }
    #expect(String(decoding: pieces, as: UTF8.self) == whole)
    #expect(sizes.count > 1 && sizes.dropLast().allSatisfy { $0 >= JSONWriter.chunk })
}

@Suite struct TextReporterTests {
    /// Control characters and bidirectional overrides from a linted file never reach the terminal; each
    /// shows as one U+FFFD, so the carets stay under the marked text.
    @Test func controlCharactersAreNotPrinted() throws {
        let bake = "target \"t\" {\n  cache-to = [\"type=gha,\u{1B}]0;owned\u{07}scope=a,type=gha,scope=b\"]\n}\n"
        let result = TestSupport.lint([("docker-bake.hcl", bake)])
        let d = try #require(result.diagnostics.first)
        let out = TextReporter(color: false).render(d, text: result.texts[d.path])
        #expect(!out.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(out.contains("\u{FFFD}]0;owned\u{FFFD}scope=a"))
        // The carets start under the marked column (the replaced characters kept their width).
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let source = try #require(lines.first { $0.hasPrefix("2 |") })
        let carets = try #require(lines.first { $0.contains("^") })
        let column = d.span.start.column
        #expect(Array(carets.unicodeScalars).count >= 4 + column)
        #expect(Array(source.unicodeScalars)[3 + column] != " ")
        #expect(Array(carets.unicodeScalars)[3 + column] == "^")
        #expect(TextReporter(color: false).render(Diagnostic(
            ruleID: "BXC001", ruleName: "x", severity: .error, path: RepoPath("a"), span: SourceSpan(at: SourcePosition(line: 1, column: 1, offset: 0)),
            message: "a\u{202E}b\u{9B}c"), text: nil).contains("a\u{FFFD}b\u{FFFD}c"))
    }
}
