/// BXC306 buildx-below-minimum: a pinned buildx below the configured minimum (default v0.14.0) in a job
/// that imports several caches into a multi-platform build.
///
/// Facts: docker/build-push-action#1087 reported that importing per-platform caches into one
/// multi-platform build only worked from buildx v0.14.0; the v0.14.0 release notes and `git log
/// v0.13.1..v0.14.0` show no matching fix (reference §4), so this is a user report, not an announced fix.
public struct BuildxBelowMinimumRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC306", name: "buildx-below-minimum", severity: .warning,
        summary: "A pinned buildx below the minimum (default v0.14.0, `--min-buildx-version`) in a job that imports several caches into a multi-platform build.",
        rationale: """
            Users reported (docker/build-push-action#1087) that a multi-platform build importing several \
            per-platform caches used only one of them before buildx v0.14.0. No release note announces a fix, so \
            treat the minimum as a reported floor and raise it deliberately.
            """,
        sources: ["docker/build-push-action#1087 (user report)", "docker/buildx v0.14.0 release notes (no matching entry)"],
        triggering: [
            RuleExample(
                Examples.buildPush(
                    "platforms: linux/amd64,linux/arm64\ncache-from: |\n  type=registry,ref=r.example.com/app:cache-amd64\n  type=registry,ref=r.example.com/app:cache-arm64",
                    setup: "version: v0.13.1"), lines: [8])
        ],
        nonTriggering: [
            RuleExample(
                Examples.buildPush(
                    "platforms: linux/amd64,linux/arm64\ncache-from: |\n  type=registry,ref=r.example.com/app:cache-amd64\n  type=registry,ref=r.example.com/app:cache-arm64",
                    setup: "version: v0.14.0")),
            RuleExample(Examples.buildPush("platforms: linux/amd64\ncache-from: type=registry,ref=r.example.com/app:cache", setup: "version: v0.13.1")),
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let min = context.options.minBuildxVersion
        for job in context.file.jobs {
            var reported = Set<Int>()
            for build in job.builds {
                guard let platforms = build.platforms, platforms.count > 1 else { continue }
                let imports = build.entries(.import).filter { !$0.entry.isEmpty && !$0.entry.text.hasPrefix("#") }
                let count = imports.reduce(0) { $0 + ($1.entry.form == .refList ? $1.entry.fields.count : 1) }
                guard count > 1, let setup = job.buildxSetup(for: build), !reported.contains(setup.step.index),
                    case .pinned(let v) = setup.versionValue, v < min, let span = setup.versionSpan, let version = setup.version
                else { continue }
                reported.insert(setup.step.index)
                let target = ReleaseFacts.buildxReleases.contains(min.description) ? min.description : ReleaseFacts.latestStableBuildx
                out.append(
                    diagnostic(
                        context, span,
                        "buildx \(v) is below the minimum \(min) for the build at line \(build.step.node.span.start.line), which imports \(count) caches into a \(platforms.count)-platform build; users reported (docker/build-push-action#1087) that only one of them was used before v0.14.0 (no release note announces a fix)",
                        help: "Pin buildx \(min) or newer (\(ReleaseFacts.buildxMinForGHAv2) or newer if any job uses type=gha): `version: \(target)`.",
                        fixes: [Fix(title: "Pin buildx \(target)", edits: [TextEdit(span: version.origin.valueSpan, replacement: target)])]))
            }
        }
        return out
    }
}
