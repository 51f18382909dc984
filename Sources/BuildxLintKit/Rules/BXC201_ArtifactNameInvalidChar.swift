/// BXC201 artifact-name-invalid-char: an artifact name that holds `/ \ : " < > | * ?` or a line break.
///
/// Facts: actions/toolkit `packages/artifact/src/internal/upload/path-and-artifact-name-validation.ts`
/// rejects these characters; the docs derive PLATFORM_PAIR for that reason (docs `multi-platform.md`).
public struct ArtifactNameInvalidCharRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC201", name: "artifact-name-invalid-char", severity: .error,
        summary: "An upload-artifact or download-artifact `name` that can hold `/ \\ : \" < > | * ?` (usually `${{ matrix.platform }}`).",
        rationale: "The artifact actions reject such names (\"The artifact name is not valid\"), so the upload fails.",
        sources: ["actions/toolkit packages/artifact/src/internal/upload/path-and-artifact-name-validation.ts", "docs ci/github-actions/multi-platform.md"],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        platform: [linux/amd64, linux/arm64]
                    steps:
                      - uses: actions/upload-artifact@v4
                        with:
                          name: digests-${{ matrix.platform }}
                          path: /tmp/digests/*

                """, lines: [11])
        ],
        nonTriggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        platform: [linux/amd64, linux/arm64]
                    steps:
                      - run: |
                          platform=${{ matrix.platform }}
                          echo "PLATFORM_PAIR=${platform//\\//-}" >> $GITHUB_ENV
                      - uses: actions/upload-artifact@v4
                        with:
                          name: digests-${{ env.PLATFORM_PAIR }}
                          path: /tmp/digests/*

                """)
        ])

    static let invalid: Set<Character> = ["/", "\\", ":", "\"", "<", ">", "|", "*", "?", "\r", "\n"]

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for legs in context.stepRuns.filter({ TransportAction.of($0.step) != nil }).groupedByStep() {
            guard let first = legs.first, let kind = TransportAction.of(first.step), kind != .cache,
                let input = first.step.input("name")
            else { continue }
            for sr in legs where sr.mayRun {
                guard let name = sr.input("name"), !ExprValue.hasMarker(name),
                    let bad = name.first(where: { Self.invalid.contains($0) })
                else { continue }
                let matrixKey = SharedLocation.differingDimensions(sr.run, sr.run).first?.key
                    ?? sr.run.matrix.first(where: { $0.value.templateText?.contains(bad) == true })?.key ?? "platform"
                out.append(
                    diagnostic(
                        context, input.value.valueSpan,
                        "the artifact name evaluates to `\(name)`\(sr.run.legLabel.isEmpty ? "" : " in leg \(sr.legName)")\(sr.whereSuffix), and `\(bad == "\n" ? "\\n" : String(bad))` is not allowed in artifact names: the \(kind == .upload ? "upload" : "download") fails",
                        help: "Derive a sanitized value first and use it in the name:\n" + PlatformPair.step(matrixKey: matrixKey) + "\nname: <prefix>-${{ env.PLATFORM_PAIR }}"))
                break
            }
        }
        return out
    }
}
