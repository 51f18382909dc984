/// BXC304 buildkit-image-unpinned: `image=moby/buildkit:latest`, `:master`, `:nightly`, `:buildx-stable-1` or no tag.
///
/// Facts: these tags move with every release or commit (docker/buildx `driver/bkimage/bkimage.go` uses
/// `buildx-stable-1`, a floating tag); a pinned tag or digest makes cache behaviour reproducible.
public struct BuildKitImageUnpinnedRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC304", name: "buildkit-image-unpinned", severity: .info,
        summary: "A BuildKit image in `driver-opts` with a floating tag (`latest`, `master`, `nightly`, `buildx-stable-1`) or none.",
        rationale: "A floating BuildKit image changes under the build without notice; pin a release tag or a digest and update it deliberately.",
        sources: ["docker/buildx driver/bkimage/bkimage.go", "reference §3.2"],
        triggering: [RuleExample(Examples.setupOnly("version: v0.21.1\ndriver-opts: |\n  network=host\n  image=moby/buildkit:master"), lines: [11])],
        nonTriggering: [RuleExample(Examples.setupOnly("version: v0.21.1\ndriver-opts: image=moby/buildkit:v0.20.2"))])

    static let floating: Set<String> = ["latest", "master", "nightly", "buildx-stable-1", "rootless", "master-rootless", "buildx-stable-1-rootless"]

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for job in context.file.jobs {
            for setup in job.setups {
                guard let (image, span) = setup.buildkitImage(context.file.text), !image.contains("${{"), !image.contains("@sha256:")
                else { continue }
                let (name, tag) = ImageReference.split(image)
                guard name.hasSuffix("buildkit") else { continue }
                guard tag == nil || Self.floating.contains(tag!) else { continue }
                let pinned = "\(name):\(ReleaseFacts.latestStableBuildKit)"
                out.append(
                    diagnostic(
                        context, span,
                        tag.map { "BuildKit image `\(image)` uses the floating tag `\($0)`, which changes without notice" }
                            ?? "BuildKit image `\(image)` has no tag, so it is `latest`, which changes without notice",
                        help: "Pin a release tag or digest: `image=\(pinned)`."))
            }
        }
        return out
    }
}
