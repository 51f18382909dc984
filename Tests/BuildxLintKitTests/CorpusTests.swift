import Foundation
import Testing
@testable import BuildxLintKit

/// The shared corpus: small cases against their `expect` files, and real public files linted with no
/// crash and no formatting false alarm on files the INDEX calls clean.
@Suite struct CorpusTests {
    /// Rules not implemented yet: a case's required line for one of these is a known gap, listed here in one
    /// place (none now: every rule of the catalogue is implemented). False alarms are never excused.
    static let knownGaps: Set<String> = []

    struct Expectation {
        var required: [(path: String, line: Int, rule: String)] = []
        var optional: [(path: String, line: Int?, rule: String)] = []

        init(_ text: String) {
            for raw in text.split(separator: "\n") {
                var line = raw.trimmingCharacters(in: .whitespaces)
                if line.isEmpty || line.hasPrefix("#") { continue }
                let isOptional = line.hasPrefix("?")
                if isOptional { line = line.dropFirst().trimmingCharacters(in: .whitespaces) }
                let parts = line.split(separator: " ")
                let loc = parts[0]
                let colon = loc.lastIndex(of: ":")!
                let path = String(loc[..<colon])
                let lineText = String(loc[loc.index(after: colon)...])
                let rule = String(parts[1])
                if isOptional { optional.append((path, Int(lineText), rule)) } else { required.append((path, Int(lineText)!, rule)) }
            }
        }
    }

    static var caseNames: [String] {
        guard let shared = TestSupport.sharedDir else { return [] }
        let dir = shared.appendingPathComponent("corpus/cases")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasSuffix(".md") }.sorted()
    }

    @Test(.enabled(if: TestSupport.sharedDir != nil), arguments: caseNames)
    func caseMatchesExpect(_ name: String) throws {
        let dir = TestSupport.sharedDir!.appendingPathComponent("corpus/cases/\(name)")
        let files = TestSupport.readTree(dir).filter { $0.path != "expect" && $0.path != "why.txt" }
        let expect = Expectation(try String(contentsOf: dir.appendingPathComponent("expect"), encoding: .utf8))
        // A real fixture repository, linted through the git work-tree source as a user would.
        let repo = TestSupport.makeRepo(files)
        defer { try? FileManager.default.removeItem(at: repo) }
        let input = try SourceResolver.resolve(paths: [repo.path], mode: .worktree, maxFileSize: Linter.defaultMaxFileSize)
        let found = Linter.lint(files: input.files).diagnostics
        for req in expect.required where !Self.knownGaps.contains(req.rule) {
            #expect(found.contains { $0.path.display == req.path && $0.span.start.line == req.line && $0.ruleID == req.rule },
                "\(name): missing \(req.path):\(req.line) \(req.rule); found \(found.map { "\($0.path):\($0.span.start.line) \($0.ruleID)" })")
        }
        for d in found {
            let allowed = expect.required.contains { $0.path == d.path.display && $0.line == d.span.start.line && $0.rule == d.ruleID }
                || expect.optional.contains { $0.path == d.path.display && ($0.line == nil || $0.line == d.span.start.line) && $0.rule == d.ruleID }
            #expect(allowed, "\(name): false alarm \(d.path):\(d.span.start.line) \(d.ruleID) \(d.message)")
        }
    }

    /// Real files the INDEX calls `clean` (judgement column starts with "clean").
    static var cleanRealFiles: Set<String> {
        guard let shared = TestSupport.sharedDir,
            let index = try? String(contentsOf: shared.appendingPathComponent("corpus/real/INDEX.md"), encoding: .utf8)
        else { return [] }
        var out = Set<String>()
        for line in index.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 5, let judgement = cells.last(where: { !$0.isEmpty }) else { continue }
            if judgement.hasPrefix("clean") {
                out.insert(cells[2].trimmingCharacters(in: CharacterSet(charactersIn: "`")))
            }
        }
        return out
    }

    static var realTrees: [String] {
        guard let shared = TestSupport.sharedDir else { return [] }
        let dir = shared.appendingPathComponent("corpus/real")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.contains(".") || $0.contains("@") }
            .filter { !$0.hasSuffix(".md") && !$0.hasSuffix(".tsv") }.sorted()
    }

    @Test(.enabled(if: TestSupport.sharedDir != nil), arguments: realTrees)
    func realTreeLintsWithoutFormattingFalseAlarms(_ tree: String) throws {
        let root = TestSupport.sharedDir!.appendingPathComponent("corpus/real/\(tree)")
        let files = try DirectorySource.files(root: root.path, select: { Selection.default.kind(of: $0) != nil }, maxFileSize: Linter.defaultMaxFileSize)
        let result = Linter.lint(files: files)
        let clean = Self.cleanRealFiles
        #expect(!clean.isEmpty)
        for d in result.diagnostics {
            #expect(d.ruleID != "BXC000", "\(tree)/\(d.path):\(d.span.start.line) does not parse: \(d.message)")
            let key = "\(tree)/\(d.path.display)"
            if clean.contains(key), !Self.allowedOnClean.contains(d.ruleID) {
                let reason = Self.indexDisagreements["\(key):\(d.span.start.line) \(d.ruleID)"]
                #expect(reason != nil, "false alarm on a clean file: \(key):\(d.span.start.line) \(d.ruleID) \(d.message)")
            }
        }
    }

    /// INDEX.md calls a file `clean` when its cache and artifact configuration is right; such files may
    /// still lack a pinned buildx (R4: BXC301), use a floating BuildKit image (R5: BXC304) or a branch ref
    /// (BXC309), which INDEX notes separately.
    static let allowedOnClean: Set<String> = ["BXC301", "BXC304", "BXC309"]

    /// Findings on files INDEX calls clean, with why the INDEX is wrong (it reviewed cache settings only).
    static let indexDisagreements: [String: String] = [
        "gethomepage__homepage/.github/workflows/docker-publish.yml:122 BXC209":
            "the `-new` rotation moves the export onto /tmp/.buildx-cache, but no actions/cache or upload step uses that path (the job's only cache step saves .next/cache) and ubuntu-22.04 is a hosted runner: reference BXC209 'nor moved onto the path those steps use'",
        "mission-apprentissage__labonnealternance/.github/workflows/_build.yml:78 BXC308":
            "`install: true` on docker/setup-buildx-action@v4: v4.0.0 removed the input (action.yml@v3.12.0 vs @v4.0.0), so the runner only warns and ignores it",
    ]

    /// Real bugs the INDEX records, which must be reported at these lines.
    static let knownBugs: [(tree: String, path: String, line: Int, rule: String)] = [
        ("Flexget__Flexget", ".github/workflows/docker-image.yml", 78, "BXC003"),
        ("Flexget__Flexget", ".github/workflows/docker-image.yml", 79, "BXC003"),
        ("Flexget__Flexget", ".github/workflows/docker-image.yml", 80, "BXC003"),
        ("crazy-max__diun@cab5df2", ".github/workflows/build.yml", 138, "BXC210"),
        ("dbschenker__vaultpal@f1ce13a", ".github/workflows/package.yml", 89, "BXC202"),
        ("grafana__shared-workflows", "actions/docker-build-push-image/action.yaml", 315, "BXC301"),
        ("hyperledger-iroha__iroha", ".github/workflows/publish.yml", 51, "BXC301"),
        ("hyperledger-iroha__iroha", ".github/workflows/publish.yml", 146, "BXC301"),
        ("hyperledger-iroha__iroha", ".github/workflows/publish_dev.yml", 24, "BXC301"),
        ("pi-hole__docker-pi-hole@d3c5d6e", ".github/workflows/build-and-publish.yml", 97, "BXC301"),
        ("paperless-ngx__paperless-ngx@e37676b", ".github/workflows/docker.yml", 59, "BXC210"),
        ("mission-apprentissage__labonnealternance", "docker-bake.json", 58, "BXC106"),
        // R6: `mode=max` reaches cache-from through the composite action's input default.
        ("GIScience__openrouteservice", ".github/actions/build-docker-image/action.yml", 88, "BXC009"),
        // R5 through env: `image=${{ env.SETUP_BUILDKIT_IMAGE }}` is `moby/buildkit:latest` (in a job whose matrix
        // comes from another job, and in a walked one).
        ("moby__buildkit", ".github/workflows/.test.yml", 160, "BXC304"),
        ("moby__buildkit", ".github/workflows/test-os.yml", 50, "BXC304"),
    ]

    @Test(.enabled(if: TestSupport.sharedDir != nil))
    func knownRealBugsAreCaught() throws {
        for bug in Self.knownBugs {
            let root = TestSupport.sharedDir!.appendingPathComponent("corpus/real/\(bug.tree)")
            let files = try DirectorySource.files(root: root.path, select: { Selection.default.kind(of: $0) != nil }, maxFileSize: Linter.defaultMaxFileSize)
            let found = Linter.lint(files: files).diagnostics
            #expect(found.contains { $0.path.display == bug.path && $0.span.start.line == bug.line && $0.ruleID == bug.rule },
                "\(bug.tree)/\(bug.path):\(bug.line) \(bug.rule) not reported")
        }
    }

    @Test(.enabled(if: TestSupport.sharedDir != nil))
    func beforeAndAfterFixPairs() throws {
        func rules(_ tree: String) throws -> [String] {
            let root = TestSupport.sharedDir!.appendingPathComponent("corpus/real/\(tree)")
            let files = try DirectorySource.files(root: root.path, select: { Selection.default.kind(of: $0) != nil }, maxFileSize: Linter.defaultMaxFileSize)
            return Linter.lint(files: files).diagnostics.map(\.ruleID)
        }
        // dbschenker/vaultpal PR #86: `name: digests` in every platform leg, then per-platform names.
        #expect(try rules("dbschenker__vaultpal@f1ce13a").contains("BXC202"))
        #expect(try !rules("dbschenker__vaultpal").contains("BXC202"))
        // api-platform/api-platform PR #2761: one `*.cache-to` scope for every bake target, then per-target scopes.
        #expect(try rules("api-platform__api-platform@cf94fd7").contains("BXC106"))
        #expect(try !rules("api-platform__api-platform@f5a8161").contains("BXC106"))
    }
}
