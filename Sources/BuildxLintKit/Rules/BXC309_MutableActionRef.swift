/// BXC309 mutable-action-ref: a docker action used at a branch (`@master`, `@main`).
///
/// Facts: a branch ref runs whatever the branch holds at run time; docker's actions publish semver tags.
/// Seen in mudler/LocalAI (`docker/setup-buildx-action@master`).
public struct MutableActionRefRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC309", name: "mutable-action-ref", severity: .info,
        summary: "A `docker/*` action used at a branch (`@master`, `@main`) instead of a release tag or commit.",
        rationale: "A branch ref changes the action's code, inputs and defaults between runs; use a release tag (or a commit SHA) and update it deliberately.",
        sources: ["GitHub Docs: security hardening (pin actions)", "mudler/LocalAI .github/workflows/image_build.yml"],
        triggering: [RuleExample("on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@master\n        with:\n          version: v0.21.1\n", lines: [6])],
        nonTriggering: [RuleExample(Examples.setupOnly("version: v0.21.1"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (_, step) in context.steps {
            guard let uses = step.uses, let repo = uses.repository, repo.hasPrefix("docker/"), let ref = uses.ref,
                let node = step.usesNode
            else { continue }
            if uses.isCommitSHA || Version(ref, requireV: true) != nil || ref.contains("${{") { continue }
            // The newest major tag when the release list knows the action; else no guess.
            let help = GeneratedData.newestPerMajor[repo]?.keys.max().map { "Use a release tag such as `\(repo)@v\($0)` (or a full commit SHA)." }
                ?? "Use a release tag of \(repo) (the major tag of its newest release, `@v` and a number) or a full commit SHA."
            out.append(
                diagnostic(
                    context, node.valueSpan,
                    "`\(uses.raw)` follows the branch `\(ref)`, so the action's code and defaults change between runs",
                    help: help))
        }
        return out
    }
}
