/// BXC304 buildkit-image-unpinned: `image=moby/buildkit:latest`, `:master`, `:nightly`, `:buildx-stable-1` or no tag.
///
/// Facts: these tags move with every release or commit (docker/buildx `driver/bkimage/bkimage.go` uses
/// `buildx-stable-1`, a floating tag); a pinned tag or digest makes cache behaviour reproducible. An image
/// written with an expression is checked as the flow walk evaluates it (moby/buildkit's CI sets
/// `image=${{ env.SETUP_BUILDKIT_IMAGE }}` with `moby/buildkit:latest`, INDEX R5).
public struct BuildKitImageUnpinnedRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC304", name: "buildkit-image-unpinned", severity: .info,
        summary: "A BuildKit image in `driver-opts` with a floating tag (`latest`, `master`, `nightly`, `buildx-stable-1`) or none.",
        rationale: "A floating BuildKit image changes under the build without notice; pin a release tag or a digest and update it deliberately.",
        sources: ["docker/buildx driver/bkimage/bkimage.go", "reference §3.2"],
        triggering: [
            RuleExample(Examples.setupOnly("version: v0.21.1\ndriver-opts: |\n  network=host\n  image=moby/buildkit:master"), lines: [11]),
            // Through an expression: the value the job's env gives it.
            RuleExample(
                "on: push\nenv:\n  BUILDKIT_IMAGE: moby/buildkit:latest\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n          driver-opts: image=${{ env.BUILDKIT_IMAGE }}\n",
                lines: [11]),
        ],
        nonTriggering: [
            RuleExample(Examples.setupOnly("version: v0.21.1\ndriver-opts: image=moby/buildkit:v0.20.2")),
            RuleExample(
                "on: push\nenv:\n  BUILDKIT_IMAGE: moby/buildkit:v0.20.2\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n          driver-opts: image=${{ env.BUILDKIT_IMAGE }}\n"),
        ])

    static let floating: Set<String> = ["latest", "master", "nightly", "buildx-stable-1", "rootless", "master-rootless", "buildx-stable-1-rootless"]

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for job in context.file.jobs {
            for setup in job.setups {
                guard let (written, span) = setup.buildkitImage(context.file.text) else { continue }
                var image = written
                var through = ""
                if written.contains("${{") {
                    // Written with an expression (`image=${{ env.BUILDKIT_IMAGE }}`): the first floating value the
                    // flow walk evaluates it to in a leg of the job.
                    // A job whose legs are not known (a matrix from another job's output) is not walked: a whole
                    // `${{ env.X }}` still reads the literal env value.
                    let literal = Template.wholeExpression(written)?.propertyPath.flatMap { path in
                        path.count == 2 && path[0] == "env" ? setup.scope.literalEnv(path[1]) : nil
                    }
                    if let literal, Self.isFloating(literal) {
                        image = literal
                        through = " (`\(written)`)"
                    } else {
                        let legs = context.stepRuns(of: setup.step).lazy.compactMap { sr in Self.evaluatedImage(sr).map { (sr.run, $0) } }
                        guard let (run, floating) = legs.first(where: { Self.isFloating($0.1) }) else { continue }
                        image = floating
                        // Which leg, as BXC301 says for a `version:` from the matrix.
                        through = run.hasMatrix && !run.legLabel.isEmpty ? " (`\(written)` in leg `\(run.legLabel)`)" : " (`\(written)`)"
                    }
                }
                guard Self.isFloating(image) else { continue }
                let (name, tag) = ImageReference.split(image)
                let pinned = "\(name):\(ReleaseFacts.latestStableBuildKit)"
                out.append(
                    diagnostic(
                        context, span,
                        tag.map { "BuildKit image `\(image)`\(through) uses the floating tag `\($0)`, which changes without notice" }
                            ?? "BuildKit image `\(image)`\(through) has no tag, so it is `latest`, which changes without notice",
                        help: "Pin a release tag or digest: `image=\(pinned)`."))
            }
        }
        return out
    }

    /// Whether `image` is a BuildKit image with a floating tag or none (not pinned by digest).
    static func isFloating(_ image: String) -> Bool {
        guard !image.contains("@sha256:") else { return false }
        let (name, tag) = ImageReference.split(image)
        return name.hasSuffix("buildkit") && (tag == nil || floating.contains(tag!))
    }

    /// The `image=` value of the step's `driver-opts` as evaluated in one leg, or nil when absent or not known.
    static func evaluatedImage(_ run: StepRun) -> String? {
        guard let opts = run.input("driver-opts") else { return nil }
        for line in ActionListSplitter.newlineOnlyNoQuote.split(opts) {
            guard let v = CacheEntry(line.text).field("image")?.value else { continue }
            return v.contains("${{") || ExprValue.hasMarker(v) ? nil : v
        }
        return nil
    }
}
