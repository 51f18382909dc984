/// BXC407 bake-action-git-context-ignores-edits: docker/bake-action v6+ without `source: .` after a step
/// that edits a bake file it reads.
///
/// Facts: since bake-action v6.0.0 the default build source is the Git context of the commit, so files
/// changed by earlier steps are ignored unless `source: .` (docker/bake-action README, "Git context").
public struct BakeActionGitContextIgnoresEditsRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC407", name: "bake-action-git-context-ignores-edits", severity: .warning,
        summary: "docker/bake-action v6+ without `source: .` after a step that edits a bake file it reads.",
        rationale: "With the default Git context bake reads the committed files at the ref, so edits made by earlier steps (for example injected cache scopes) are silently ignored.",
        sources: ["docker/bake-action README (Git context)", "docker/bake-action v6.0.0 release notes"],
        triggering: [
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: sed -i 's/scope=main/scope=pr/' docker-bake.hcl\n      - uses: docker/bake-action@v6\n        with:\n          files: docker-bake.hcl\n",
                lines: [8])
        ],
        nonTriggering: [
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: sed -i 's/scope=main/scope=pr/' docker-bake.hcl\n      - uses: docker/bake-action@v6\n        with:\n          source: .\n          files: docker-bake.hcl\n")
        ])

    static let editCommands = ["sed -i", "sed --in-place", "yq -i", "yq e -i", "tee ", ">", "perl -pi", "envsubst"]

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for job in context.file.jobs {
            for build in job.builds where build.kind == .bake {
                guard build.step.input("source") == nil, let uses = build.step.uses, let ref = uses.ref,
                    let v = ReleaseFacts.release(of: KnownAction.bake, ref: ref) ?? Version(ref, requireV: true), v.major >= 6
                else { continue }
                let files = build.step.input("files")?.value.scalar.map { ActionListSplitter.commaAndNewline.split($0).map(\.text) }
                    ?? BakeInvocations.defaultFiles
                let names = files.map { f -> String in
                    var n = f
                    while n.hasPrefix("./") { n.removeFirst(2) }
                    return n
                }
                for step in job.steps where step.index < build.step.index {
                    guard let script = step.run?.scalar else { continue }
                    guard let edited = names.first(where: { name in
                        script.hasSubstring(name) && Self.editCommands.contains { cmd in script.hasSubstring(cmd) }
                    }) else { continue }
                    guard let node = build.step.usesNode else { continue }
                    out.append(
                        diagnostic(
                            context, node.valueSpan,
                            "the step at line \(step.node.span.start.line) edits `\(edited)`, but bake-action \(ref) builds from the Git context by default, which reads the committed file and ignores the edit",
                            help: "Add `source: .` (after actions/checkout) so bake reads the working tree, or pass dynamic cache settings through `set:`/`vars:`."))
                    break
                }
            }
        }
        return out
    }
}
