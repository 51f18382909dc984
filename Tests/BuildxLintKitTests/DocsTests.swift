import Foundation
import Testing
@testable import BuildxLintKit

/// `docs/rules/*.md` are generated from the rules' own descriptions and examples; this test fails when
/// they are stale. Regenerate with `UPDATE_DOCS=1 swift test --filter DocsTests`.
@Suite struct DocsTests {
    static let docsDir = TestSupport.packageRoot.appendingPathComponent("docs/rules")

    static func expectedPages() -> [(String, String)] {
        var pages = RuleRegistry.all.map { ("\($0.description.id).md", RuleDocs.markdown($0.description)) }
        var index = "# Rules\n\nGenerated from the rules' own descriptions (`buildx-lint rules` prints the same table).\n\n"
        index += "| id | name | default severity | catches |\n|---|---|---|---|\n"
        for r in RuleRegistry.all {
            let d = r.description
            index += "| [\(d.id)](\(d.id).md) | \(d.name) | \(d.severity.rawValue) | \(d.summary.replacingAll("|", with: "\\|")) |\n"
        }
        pages.append(("README.md", index))
        return pages
    }

    @Test func ruleDocsAreCurrent() throws {
        let update = ProcessInfo.processInfo.environment["UPDATE_DOCS"] == "1"
        if update { try FileManager.default.createDirectory(at: Self.docsDir, withIntermediateDirectories: true) }
        for (name, content) in Self.expectedPages() {
            let url = Self.docsDir.appendingPathComponent(name)
            if update { try content.write(to: url, atomically: true, encoding: .utf8) }
            let onDisk = try? String(contentsOf: url, encoding: .utf8)
            #expect(onDisk == content, "docs/rules/\(name) is stale: run UPDATE_DOCS=1 swift test --filter DocsTests")
        }
    }

    @Test func everyRuleDocShowsItsFindingAndSources() {
        for rule in RuleRegistry.all {
            let d = rule.description
            let page = RuleDocs.markdown(d)
            #expect(page.contains("## Bad example"))
            #expect(page.contains("## Good example"))
            #expect(page.contains("[\(d.id) \(d.name)]"), "\(d.id)'s page shows no real finding")
            #expect(!d.sources.isEmpty)
        }
    }
}
