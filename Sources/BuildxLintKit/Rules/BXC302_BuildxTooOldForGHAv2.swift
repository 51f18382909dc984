/// BXC302 buildx-too-old-for-gha-v2: `type=gha` with a pinned buildx older than v0.21.0.
///
/// Facts: GitHub shut down the legacy cache service on 2025-04-15; buildx reads `ACTIONS_RESULTS_URL` and
/// passes `url_v2` only from v0.21.0 (buildx #2983, #3001; docs `ci/github-actions/cache.md`). Older buildx
/// fails the export or silently drops the gha entry (`build/opt.go`, `isActive`).
public struct BuildxTooOldForGHAv2Rule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC302", name: "buildx-too-old-for-gha-v2", severity: .error,
        summary: "`type=gha` cache with a pinned buildx older than v0.21.0.",
        rationale: """
            GitHub retired the legacy cache service on 2025-04-15. buildx before v0.21.0 cannot use the new one \
            (cache service v2), so gha cache import and export fail or are silently dropped.
            """,
        sources: ["docker/buildx #2983, #3001 (v0.21.0 release notes)", "docs ci/github-actions/cache.md", "docker/buildx build/opt.go (isActive)"],
        triggering: [RuleExample(Examples.buildPush("cache-from: type=gha\ncache-to: type=gha,mode=max", setup: "version: v0.19.3"), lines: [8])],
        nonTriggering: [
            RuleExample(Examples.buildPush("cache-from: type=gha\ncache-to: type=gha,mode=max", setup: "version: v0.21.0")),
            RuleExample(Examples.buildPush("cache-from: type=registry,ref=u/app:cache", setup: "version: v0.19.3")),
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let min = ReleaseFacts.buildxMinForGHAv2
        for job in context.file.jobs {
            var reported = Set<Int>()
            for build in job.builds where build.entries.contains(where: { $0.entry.type == "gha" }) {
                guard let setup = job.buildxSetup(for: build), !reported.contains(setup.step.index),
                    case .pinned(let v) = setup.versionValue, v < min, let span = setup.versionSpan, let version = setup.version
                else { continue }
                reported.insert(setup.step.index)
                out.append(
                    diagnostic(
                        context, span,
                        "buildx \(v) is older than \(min), the first release that talks to GitHub's cache service v2; the `type=gha` cache of the build at line \(build.step.node.span.start.line) fails or is silently dropped",
                        help: "Pin buildx \(min) or newer, e.g. `version: \(ReleaseFacts.latestStableBuildx)`.",
                        fixes: [Fix(title: "Pin buildx \(ReleaseFacts.latestStableBuildx)", edits: [TextEdit(span: version.origin.valueSpan, replacement: ReleaseFacts.latestStableBuildx)])]))
            }
        }
        return out
    }
}
