/// BXC202 artifact-name-not-unique: upload-artifact v4+ with the same name in several matrix legs, or
/// in several calls of one reusable workflow in a run.
///
/// Facts: since upload-artifact v4 artifacts are immutable and names must be unique within a run; a
/// second upload of the same name fails (or, with `overwrite: true`, replaces the first)
/// (actions/upload-artifact README "Breaking Changes", `docs/MIGRATION.md`). Seen in dbschenker/vaultpal PR #86.
public struct ArtifactNameNotUniqueRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC202", name: "artifact-name-not-unique", severity: .error,
        summary: "An upload-artifact (v4+) name that is the same for several matrix legs (default `artifact`), or for several calls of one reusable workflow.",
        rationale: "Artifact names must be unique within a run since v4, so the second leg's upload fails; with `overwrite: true` the last upload wins and only one platform's files survive.",
        sources: ["actions/upload-artifact README (Breaking Changes)", "actions/upload-artifact docs/MIGRATION.md", "dbschenker/vaultpal PR #86"],
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
                          name: digests
                          path: /tmp/digests/*

                """, lines: [11])
        ],
        nonTriggering: [
            // Two calls whose jobs' `if:`s exclude each other: one runs per workflow run.
            RuleExample(files: [
                (path: ".github/workflows/reusable-build.yml", content: Self.reusableUpload),
                (path: ".github/workflows/ci.yml", content: """
                    on:
                      pull_request:
                      merge_group:
                    jobs:
                      quick-test:
                        if: github.event_name != 'merge_group'
                        uses: ./.github/workflows/reusable-build.yml
                      full-test:
                        if: github.event_name == 'merge_group'
                        uses: ./.github/workflows/reusable-build.yml

                    """),
            ]),
            // One call, through another reusable workflow: one upload per run.
            RuleExample(files: [
                (path: ".github/workflows/reusable-build.yml", content: Self.reusableUpload),
                (path: ".github/workflows/reusable-release.yml", content: "on:\n  workflow_call:\njobs:\n  build:\n    uses: ./.github/workflows/reusable-build.yml\n"),
                (path: ".github/workflows/ci.yml", content: "on: push\njobs:\n  release:\n    uses: ./.github/workflows/reusable-release.yml\n"),
            ]),
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        arch: [amd64, arm64]
                    steps:
                      - uses: actions/upload-artifact@v4
                        with:
                          name: digests-${{ matrix.arch }}
                          path: /tmp/digests/*

                """)
        ])

    /// A reusable workflow whose one job uploads an artifact named `build-output`.
    static let reusableUpload = """
        on:
          workflow_call:
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make
              - uses: actions/upload-artifact@v4
                with:
                  name: build-output
                  path: dist/

        """

    /// Whether two job runs are in calls whose calling jobs' `if:`s exclude each other (`event_name ==
    /// 'merge_group'` and `!= 'merge_group'`), so at most one of them runs.
    static func exclusiveCallers(_ a: JobRun, _ b: JobRun) -> Bool {
        for x in a.callerConditions {
            for y in b.callerConditions where Conditions.exclusive(x, y) { return true }
        }
        return false
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        // All uploads (v4+) of the repository, by workflow run: the caller's file identifies the run.
        var byRun: [String: [(String, StepRun)]] = [:]
        // Two runs of one upload step collide: legs of a matrix, or calls of the reusable workflow that holds
        // it from one caller workflow. Both are runs of a step written in this file.
        for sr in context.stepRuns where sr.mayRun && TransportAction.of(sr.step) == .upload {
            guard let v = TransportAction.release(sr.step), v.major >= 4, sr.step.input("overwrite")?.value.scalar != "true" else { continue }
            let name = sr.step.input("name") == nil ? "artifact" : sr.input("name")
            guard let name else { continue }
            // The workflow whose run it is (a reusable workflow's uploads are in its callers' runs).
            byRun[sr.run.rootPath.display, default: []].append((name, sr))
        }
        var reported = Set<String>()
        for (_, uploads) in byRun {
            var seen: [String: StepRun] = [:]
            for (name, sr) in uploads {
                if let other = seen[name], sr.file.path == context.file.path, other.stepKey == sr.stepKey || other.run.caller != sr.run.caller,
                    // One leg reached twice is one upload; callers whose `if:`s exclude each other never run together.
                    !(other.stepKey == sr.stepKey && other.run.legIndex == sr.run.legIndex),
                    !Self.exclusiveCallers(other.run, sr.run)
                {
                    let key = "\(sr.step.node.span.start.offset)"
                    guard reported.insert(key).inserted else { continue }
                    let span = sr.step.input("name")?.value.valueSpan ?? sr.step.usesNode?.valueSpan ?? sr.step.node.span
                    // The name as written: a leg's evaluated name pasted into the step is the same in every leg.
                    let written = sr.step.input("name")?.value.scalar ?? name
                    let pattern = Substring(written).range(of: "${{").map { String(written[..<$0.lowerBound]) + "*" } ?? "\(written)-*"
                    let who = other.stepKey == sr.stepKey
                        ? "matrix legs \(other.legName) and \(sr.legName)"
                        : "the calls from \(other.run.caller ?? "") and \(sr.run.caller ?? "")"
                    out.append(
                        diagnostic(
                            context, span,
                            "\(who) all upload an artifact named `\(name)`; upload-artifact v4+ refuses a second artifact with the same name in a run",
                            help: "Make the name unique per leg, e.g. \(Self.uniqueName(written, other, sr, context)), and download with `pattern: \(pattern)` and `merge-multiple: true`."))
                }
                seen[name] = seen[name] ?? sr
            }
        }
        return out
    }

    /// A per-leg name to suggest: a matrix value that tells the job's legs apart and holds no `/` (not
    /// allowed in artifact names), else PLATFORM_PAIR derived from the platform.
    static func uniqueName(_ name: String, _ a: StepRun, _ b: StepRun, _ context: RuleContext) -> String {
        if a.stepKey == b.stepKey,
            let d = SharedLocation.distinguishingDimension(SharedLocation.differingDimensions(a.run, b.run), of: b.run, in: context.repository)
        {
            return "`name: \(name)-${{ matrix.\(d.key) }}`"
        }
        return "`name: \(name)-${{ env.PLATFORM_PAIR }}` (with a step that derives PLATFORM_PAIR from the platform) or `-${{ matrix.<key> }}` with a matrix key whose values have no `/`"
    }
}
