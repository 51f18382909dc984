import Foundation
import Testing
@testable import BuildxLintKit

/// Every rule's own examples, run as tests: triggering examples report at exactly their lines,
/// non-triggering ones report nothing for that rule, and every offered fix removes its finding.
@Suite struct RuleExampleTests {
    static let rules = RuleRegistry.all.map { RuleBox($0) }

    struct RuleBox: CustomTestStringConvertible, Sendable {
        let rule: any Rule
        init(_ rule: any Rule) { self.rule = rule }
        var testDescription: String { rule.description.id }
    }

    @Test(arguments: rules)
    func triggeringExamplesReportAtTheirLines(_ box: RuleBox) {
        let d = box.rule.description
        #expect(!d.triggering.isEmpty, "\(d.id) has no triggering example")
        for example in d.triggering {
            let found = TestSupport.lint(example.files).diagnostics.filter { $0.ruleID == d.id && $0.path == RepoPath(example.path) }
            #expect(found.map(\.span.start.line).sorted() == example.lines.sorted(), "\(d.id) on:\n\(example.files[0].content)\nfound \(found.map { "\($0.span.start.line): \($0.message)" })")
        }
    }

    @Test(arguments: rules)
    func nonTriggeringExamplesAreClean(_ box: RuleBox) {
        let d = box.rule.description
        #expect(!d.nonTriggering.isEmpty, "\(d.id) has no non-triggering example")
        for example in d.nonTriggering {
            let found = TestSupport.lint(example.files).diagnostics.filter { $0.ruleID == d.id }
            #expect(found.isEmpty, "\(d.id) reported on a non-triggering example:\n\(example.files[0].content)\n\(found.map(\.message))")
        }
    }

    @Test(arguments: rules)
    func fixesRemoveTheirFinding(_ box: RuleBox) {
        let d = box.rule.description
        for example in d.triggering {
            let original = example.files[0].content
            let found = TestSupport.lint(example.files).diagnostics.filter { $0.ruleID == d.id }
            for diag in found {
                for fix in diag.fixes {
                    let fixed = apply(fix, to: original)
                    let after = TestSupport.lint(workflow: fixed, path: example.path)
                    #expect(!after.contains { $0.ruleID == d.id && $0.span.start.line == diag.span.start.line && $0.message == diag.message },
                        "\(d.id) fix '\(fix.title)' did not remove the finding:\n\(fixed)")
                    #expect(!after.contains { $0.ruleID == "BXC000" }, "\(d.id) fix produced unparsable YAML:\n\(fixed)")
                    // Nothing new either: no rule reports more after the fix than before it.
                    let before = TestSupport.lint(workflow: original, path: example.path)
                    for id in Set(after.map(\.ruleID)) {
                        #expect(after.filter { $0.ruleID == id }.count <= before.filter { $0.ruleID == id }.count,
                            "\(d.id) fix '\(fix.title)' adds \(id) findings:\n\(fixed)\n\(after.filter { $0.ruleID == id }.map(\.message))")
                    }
                }
            }
        }
    }

    @Test func ruleIdsAndNamesMatchTheCatalogue() throws {
        // docs/rules.md in ../shared is the contract for ids, names and default severities.
        guard let shared = TestSupport.sharedDir else { return }
        let catalogue = try String(contentsOf: shared.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        var table: [String: (String, String)] = [:]
        for line in catalogue.split(separator: "\n") where line.hasPrefix("| BXC") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            table[cells[0]] = (cells[1], cells[2])
        }
        // BXC9xx are the linter's own meta rules (suppressions), outside the cache-rule catalogue.
        for rule in RuleRegistry.all where !rule.description.id.hasPrefix("BXC9") {
            let d = rule.description
            let entry = try #require(table[d.id], "\(d.id) is not in docs/rules.md")
            #expect(entry.0 == d.name, "\(d.id) name \(d.name) != catalogue \(entry.0)")
            #expect(entry.1.hasPrefix(d.severity.rawValue), "\(d.id) severity \(d.severity) != catalogue \(entry.1)")
        }
    }
}
