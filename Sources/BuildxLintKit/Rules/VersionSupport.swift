/// What the version rules need to know about a setup-buildx-action `version:` value.
enum BuildxVersionValue {
    /// Not given: the runner's preinstalled buildx (or `latest` when none) is used.
    case absent
    /// `latest` or `edge`: moves without notice.
    case floating(String)
    /// A release tag from the buildx release list.
    case pinned(Version)
    /// A git URL or `cloud:`/`lab:` builder: not a release, not judged here.
    case other
    /// An expression the linter cannot evaluate.
    case unknown
    /// Something setup-buildx-action cannot resolve (`0.14.0`, `v0.14`, `>=0.14`).
    case invalid(String)

    /// Classifies a resolved `version:` value (docker/actions-toolkit `src/buildx/install.ts`: keys are the
    /// exact tags of `buildx-releases.json`, with `latest`/`edge` special).
    init(_ value: ResolvedValue?) {
        guard let value else {
            self = .absent
            return
        }
        self.init(text: value.text, hasExpression: value.hasExpression)
    }

    /// Classifies a `version:` text (`hasExpression`: it still holds `${{ }}`, so its value is not known here).
    init(text raw: String, hasExpression: Bool) {
        let text = raw.trimmingSpaces
        if hasExpression { self = .unknown; return }
        if text.isEmpty { self = .absent; return }
        if text == "latest" || text == "edge" { self = .floating(text); return }
        if text.hasPrefix("https://") || text.hasPrefix("git@") || text.hasPrefix("cloud:") || text.hasPrefix("lab:") {
            self = .other
            return
        }
        if ReleaseFacts.buildxReleases.contains(text), let v = Version(text, requireV: true) {
            self = .pinned(v)
            return
        }
        self = .invalid(text)
    }
}

extension JobAnalysis {
    /// The buildx version a build runs with when the job pins one: the last setup-buildx-action before it.
    func buildxSetup(for build: BuildStep) -> SetupBuildxStep? { setups(before: build).last }
}

extension SetupBuildxStep {
    /// The `version:` value classified.
    var versionValue: BuildxVersionValue { BuildxVersionValue(version) }

    /// The span findings about the version point at: the `version:` value as written in the step.
    var versionSpan: SourceSpan? { step.input("version")?.value.valueSpan }

    /// The BuildKit image from `driver-opts` (`image=…`), with its location.
    func buildkitImage(_ text: SourceText) -> (image: String, span: SourceSpan)? {
        guard let list = driverOpts(text) else { return nil }
        for (item, offsets) in list.items {
            let entry = LocatedEntry(entry: CacheEntry(item.text), sourceOffsets: offsets, text: text)
            if let f = entry.entry.field("image") { return (f.value, entry.span(of: f)) }
        }
        return nil
    }
}
