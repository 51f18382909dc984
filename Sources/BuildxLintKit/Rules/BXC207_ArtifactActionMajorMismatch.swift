/// BXC207 artifact-action-major-mismatch: upload-artifact ≤ v3 with download-artifact ≥ v4 of the same
/// artifact, or the reverse.
///
/// Facts: download-artifact v4+ cannot download artifacts made by upload-artifact v3 or earlier, and v3
/// cannot read v4 artifacts (actions/download-artifact v4 README, "Breaking Changes").
public struct ArtifactActionMajorMismatchRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC207", name: "artifact-action-major-mismatch", severity: .error,
        summary: "An artifact uploaded with upload-artifact ≤ v3 and downloaded with download-artifact ≥ v4, or the reverse.",
        rationale: "The v4 artifact backend and the old one do not see each other's artifacts: the download fails and the cache is lost.",
        sources: ["actions/download-artifact README (v4 breaking changes)"],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/upload-artifact@v3
                        with:
                          name: buildx-cache
                          path: /tmp/cache
                  merge:
                    needs: build
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/download-artifact@v4
                        with:
                          name: buildx-cache
                          path: /tmp/cache

                """, lines: [14])
        ],
        nonTriggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/upload-artifact@v4
                        with:
                          name: buildx-cache
                          path: /tmp/cache
                  merge:
                    needs: build
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/download-artifact@v4
                        with:
                          name: buildx-cache
                          path: /tmp/cache

                """)
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for sr in context.stepRuns where TransportAction.of(sr.step) == .download {
            let uploads = context.repository.uploads(inWorkflow: sr.run.file.path)
            guard let dv = TransportAction.release(sr.step), let name = sr.input("name") else { continue }
            for up in uploads {
                guard let uv = TransportAction.release(up.step), (up.input("name") ?? "artifact") == name,
                    (uv.major <= 3) != (dv.major <= 3)
                else { continue }
                guard let node = sr.step.usesNode, reported.insert(node.span.start.offset).inserted else { continue }
                out.append(
                    diagnostic(
                        context, node.valueSpan,
                        "`\(name)` is uploaded with upload-artifact \(up.step.uses?.ref ?? "") (line \(up.step.node.span.start.line)) and downloaded with download-artifact \(sr.step.uses?.ref ?? ""); v4+ and v3- artifacts are not visible to each other, so the download fails",
                        help: "Use the same major version on both sides (v4 or newer: v1–v3 are deprecated on github.com)."))
            }
        }
        return out
    }
}
