/// BXC305 invalid-buildx-version-string: a `version:` setup-buildx-action cannot resolve.
///
/// Facts: docker/actions-toolkit `src/buildx/install.ts` (`getDownloadVersion`, `getRelease`) looks the
/// value up as an exact key of `buildx-releases.json` (tags with a leading `v`), besides `latest`, `edge`,
/// git URLs and `cloud:`/`lab:`; anything else fails with "Cannot find Buildx release … in releases JSON".
public struct InvalidBuildxVersionStringRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC305", name: "invalid-buildx-version-string", severity: .error,
        summary: "A setup-buildx-action `version:` that is not a buildx release tag (`0.14.0` without `v`, `v0.14`, ranges).",
        rationale: "setup-buildx-action looks the version up as an exact release tag and fails the job (\"Cannot find Buildx release\") for anything else.",
        sources: ["docker/actions-toolkit src/buildx/install.ts", "docker/actions-toolkit .github/buildx-releases.json"],
        triggering: [RuleExample(Examples.setupOnly("version: 0.14.0"), lines: [8]), RuleExample(Examples.setupOnly("version: v0.14"), lines: [8])],
        nonTriggering: [RuleExample(Examples.setupOnly("version: v0.14.0")), RuleExample(Examples.setupOnly("version: https://github.com/docker/buildx.git#master"))])

    /// The release the user probably meant: `0.14.0` → `v0.14.0`; `v0.14` → the newest `v0.14.x`.
    static func suggestion(_ text: String) -> String? {
        let stripped = text.hasPrefix("v") ? String(text.dropFirst()) : text
        if ReleaseFacts.buildxReleases.contains("v" + stripped) { return "v" + stripped }
        guard let v = Version(stripped), v.precision < 3 else { return nil }
        return GeneratedData.buildxReleases.first { r in
            guard let rv = Version(r), rv.prerelease == nil else { return false }
            return rv.major == v.major && (v.precision < 2 || rv.minor == v.minor)
        }
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for job in context.file.jobs {
            for setup in job.setups {
                guard case .invalid(let text) = setup.versionValue, let version = setup.version, let span = setup.versionSpan else { continue }
                let s = Self.suggestion(text)
                out.append(
                    diagnostic(
                        context, span,
                        "`version: \(text)`\(version.via.map { " (through \($0))" } ?? "") is not a buildx release tag; setup-buildx-action fails with \"Cannot find Buildx release\"",
                        help: s.map { "Use the exact release tag, with its `v`: `version: \($0)`." }
                            ?? "Use an exact release tag such as `version: \(ReleaseFacts.latestStableBuildx)` (or `latest`, a git URL).",
                        fixes: s.map { [Fix(title: "Use \($0)", edits: [TextEdit(span: version.origin.valueSpan, replacement: $0)])] } ?? []))
            }
        }
        return out
    }
}
