/// BXC203 hidden-cache-dir-not-uploaded: upload-artifact ≥ v4.4 (or ≥ v3.2) of a dot-directory without
/// `include-hidden-files: true`.
///
/// Facts: hidden files are excluded by default since upload-artifact v4.4.0 (commit cb6558b, also
/// v3.2.0); actions/toolkit `packages/glob/src/internal-globber.ts` checks every item's basename,
/// the search root included, so `path: /tmp/.buildx-cache` uploads nothing (actions/upload-artifact#611).
public struct HiddenCacheDirNotUploadedRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC203", name: "hidden-cache-dir-not-uploaded", severity: .error,
        summary: "upload-artifact (v4.4+ or v3.2+) of a path whose search root or a part below it is a dot-directory, without `include-hidden-files: true`.",
        rationale: "Hidden files and folders are skipped, the path's own root included, so nothing is uploaded; with the default `if-no-files-found: warn` the step still passes and the next job finds no cache.",
        sources: ["actions/upload-artifact README (v4.4 hidden files)", "actions/toolkit packages/glob/src/internal-globber.ts (hidden items skipped as the walk from the search root meets them)", "actions/upload-artifact#611"],
        triggering: [
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/upload-artifact@v4\n        with:\n          name: cache\n          path: /tmp/.buildx-cache\n",
                lines: [9])
        ],
        nonTriggering: [
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/upload-artifact@v4\n        with:\n          name: cache\n          path: /tmp/.buildx-cache\n          include-hidden-files: true\n"),
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/upload-artifact@v4.3.6\n        with:\n          name: cache\n          path: /tmp/.buildx-cache\n"),
            // The hidden folder is above the search root, which the globber never looks at.
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/upload-artifact@v4\n        with:\n          name: cache\n          path: /tmp/.buildx-cache/linux-amd64\n"),
        ])

    /// Whether the action release skips hidden files by default.
    static func skipsHidden(_ v: Version) -> Bool {
        v >= Version("v4.4.0")! || (v.major == 3 && v >= Version("v3.2.0")!)
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (_, step) in context.steps {
            guard TransportAction.of(step) == .upload, let v = TransportAction.release(step), Self.skipsHidden(v),
                let pathInput = step.input("path"), let pathText = pathInput.value.scalar
            else { continue }
            if let hidden = step.input("include-hidden-files")?.value.scalar, hidden != "false" { continue }
            for line in CachePath.lines(pathText) {
                let comps = line.split(separator: "/")
                // The globber filters the items it walks, starting at the search root (the path up to its first
                // glob segment): a hidden folder above the root is never looked at (`.ci/reports/app` uploads).
                let firstGlob = comps.firstIndex { $0.contains { "*?[".contains($0) } } ?? comps.count
                let root = max(0, firstGlob - 1)
                guard let dot = comps[root...].first(where: { $0.hasPrefix(".") && $0 != "." && $0 != ".." && !$0.hasPrefix(".${{") }) else { continue }
                out.append(
                    diagnostic(
                        context, pathInput.value.valueSpan,
                        "upload-artifact \(step.uses?.ref ?? "") skips hidden files and folders, and `\(dot)` in `\(line)` is one, so nothing under it is uploaded (\(step.input("if-no-files-found")?.value.scalar == "error" ? "the step fails: no files found" : "the step only warns"))",
                        help: "Add `include-hidden-files: true` (and `if-no-files-found: error`), or export the cache to a folder whose name does not start with a dot."))
                break
            }
        }
        return out
    }
}
