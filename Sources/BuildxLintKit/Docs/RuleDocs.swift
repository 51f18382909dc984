/// Rule documentation generated from each rule's own description and examples, so the docs, the
/// `explain` command and the tests cannot drift apart. `docs/rules/BXCnnn.md` holds this output and a
/// test checks that it is current.
public enum RuleDocs {
    /// Lints a rule example as a tiny repository and returns the findings of `ruleID`.
    public static func findings(of ruleID: String, in example: RuleExample) -> LintResult {
        let files = example.files.map { SourceFile(path: RepoPath($0.path), content: .bytes(Array($0.content.utf8))) }
        let all = Linter.lint(files: files)
        return LintResult(
            diagnostics: all.diagnostics.filter { $0.ruleID == ruleID }, fileCount: all.fileCount, texts: all.texts)
    }

    /// The Markdown page of one rule: what, why, bad examples with the real output, good examples,
    /// how to change its severity or suppress it, and the sources of its facts.
    public static func markdown(_ d: RuleDescription) -> String {
        var out = "# \(d.id) \(d.name)\n\n"
        out += "Default severity: **\(d.severity.rawValue)**\n\n"
        out += "## What it catches\n\n\(d.summary)\n\n"
        out += "## Why it matters\n\n\(d.rationale)\n\n"
        for (i, example) in d.triggering.enumerated() {
            out += "## Bad example\(d.triggering.count > 1 ? " \(i + 1)" : "")\n\n"
            out += files(example)
            let result = findings(of: d.id, in: example)
            out += "`buildx-lint` reports:\n\n```text\n"
            out += TextReporter(color: false).render(result).trimmingTrailingNewlines + "\n```\n\n"
        }
        for (i, example) in d.nonTriggering.enumerated() {
            out += "## Good example\(d.nonTriggering.count > 1 ? " \(i + 1)" : "")\n\n"
            out += files(example)
        }
        out += "## Configuration\n\n"
        out += "Fail only on errors with `--fail-on error`, or never with `--fail-on never`.\n\n"
        out += "## Sources\n\n"
        out += d.sources.map { "- \($0)\n" }.joined()
        return out
    }

    static func files(_ example: RuleExample) -> String {
        example.files.map { f in
            let lang = f.path.hasSuffix(".hcl") ? "hcl" : f.path.hasSuffix(".json") ? "json" : "yaml"
            return "`\(f.path)`:\n\n```\(lang)\n\(f.content.trimmingTrailingNewlines)\n```\n\n"
        }.joined()
    }

    /// The terminal text of `buildx-lint explain ID`.
    public static func explain(_ d: RuleDescription) -> String {
        var out = "\(d.id) \(d.name) (default severity: \(d.severity.rawValue))\n\n\(d.summary)\n\n\(d.rationale)\n"
        if let example = d.triggering.first {
            out += "\nExample (\(example.path)):\n\n" + example.files[0].content.trimmingTrailingNewlines + "\n\n"
            out += TextReporter(color: false).render(findings(of: d.id, in: example))
        }
        out += "\nSources:\n" + d.sources.map { "  - \($0)\n" }.joined()
        return out
    }

    /// A table of every rule: id, name, default severity, summary.
    public static func table(_ rules: [RuleDescription]) -> String {
        let w0 = rules.map(\.id.count).max() ?? 6
        let w1 = rules.map(\.name.count).max() ?? 10
        return rules.map { d in
            d.id.padded(w0) + "  " + d.name.padded(w1) + "  " + d.severity.rawValue.padded(7) + "  " + d.summary
        }.joined(separator: "\n") + "\n"
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while s.last == "\n" { s = s.dropLast() }
        return String(s)
    }

    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
