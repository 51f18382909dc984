/// BXC303 buildkit-image-too-old-for-gha-v2: `type=gha` with a pinned BuildKit image older than v0.20.0.
///
/// Facts: BuildKit speaks the GitHub cache service v2 (`url_v2`) from v0.20.0 (moby/buildkit commits
/// dea6c4916, 497a00c94; docs `ci/github-actions/cache.md`); the legacy service is gone since 2025-04-15.
public struct BuildKitImageTooOldForGHAv2Rule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC303", name: "buildkit-image-too-old-for-gha-v2", severity: .error,
        summary: "`type=gha` cache with a pinned BuildKit image (`driver-opts: image=moby/buildkit:…`) older than v0.20.0.",
        rationale: "The BuildKit daemon does the cache transfer; before v0.20.0 it cannot use GitHub's cache service v2, the only one left since 2025-04-15.",
        sources: ["moby/buildkit cache/remotecache/gha (v0.20.0)", "docs ci/github-actions/cache.md"],
        triggering: [
            RuleExample(
                Examples.buildPush("cache-from: type=gha\ncache-to: type=gha,mode=max", setup: "driver-opts: image=moby/buildkit:v0.18.2"),
                lines: [8])
        ],
        nonTriggering: [RuleExample(Examples.buildPush("cache-from: type=gha", setup: "driver-opts: image=moby/buildkit:v0.20.2"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let min = ReleaseFacts.buildkitMinForGHAv2
        for job in context.file.jobs {
            var reported = Set<Int>()
            for build in job.builds where build.entries.contains(where: { $0.entry.type == "gha" }) {
                guard let setup = job.buildxSetup(for: build), !reported.contains(setup.step.index),
                    let (image, span) = setup.buildkitImage(context.file.text)
                else { continue }
                let (name, tag) = ImageReference.split(image)
                guard name.hasSuffix("moby/buildkit"), let tag, let v = Version(tag.replacingAll("-rootless", with: ""), requireV: true), v < min
                else { continue }
                reported.insert(setup.step.index)
                out.append(
                    diagnostic(
                        context, span,
                        "BuildKit \(tag) is older than \(min), the first release that talks to GitHub's cache service v2; the `type=gha` cache of the build at line \(build.step.node.span.start.line) fails",
                        help: "Use BuildKit \(min) or newer: `image=moby/buildkit:\(ReleaseFacts.latestStableBuildKit)`."))
            }
        }
        return out
    }
}
