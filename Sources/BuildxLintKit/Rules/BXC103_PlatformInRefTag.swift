/// BXC103 platform-in-ref-tag: a registry cache ref whose tag holds a raw platform (`linux/amd64`).
///
/// Facts: tags follow `[\w][\w.-]{0,127}` (distribution reference grammar,
/// moby/buildkit `vendor/github.com/distribution/reference/regexp.go`), so `/` makes the reference
/// invalid: an export fails, an import is skipped.
public struct PlatformInRefTagRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC103", name: "platform-in-ref-tag", severity: .error,
        summary: "A registry cache ref whose tag is built from a raw platform (`${{ matrix.platform }}`, `linux/amd64`).",
        rationale: "A tag may not contain `/`, so the reference is invalid: the cache export fails the build and the import is silently skipped.",
        sources: ["distribution/reference regexp.go (tag grammar)", "docs ci/github-actions/multi-platform.md (PLATFORM_PAIR)"],
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
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: ${{ matrix.platform }}
                          cache-to: type=registry,ref=ghcr.io/o/app:cache-${{ matrix.platform }},mode=max

                """, lines: [15])
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
                          echo "PLATFORM_PAIR=${platform//\\//-}" >> "$GITHUB_ENV"
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: ${{ matrix.platform }}
                          cache-to: type=registry,ref=ghcr.io/o/app:cache-${{ env.PLATFORM_PAIR }},mode=max

                """)
        ])

    /// The tag of an evaluated ref (after the first `/`, the part after `:`), or nil.
    static func tag(_ ref: String) -> String? {
        guard let slash = ref.firstIndex(of: "/") else {
            return ref.firstIndex(of: ":").map { String(ref[ref.index(after: $0)...]) }
        }
        let path = ref[ref.index(after: slash)...]
        guard let colon = path.firstIndex(of: ":") else { return nil }
        var tag = String(path[path.index(after: colon)...])
        if let at = tag.firstIndex(of: "@") { tag = String(tag[..<at]) }
        return tag
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seen = Set<Int>()
        for run in context.buildRuns where run.stepRun.mayRun {
            for (direction, entries) in [(CacheDirection.export, run.exports), (.import, run.imports)] {
                for ev in entries {
                    guard let locs = ev.locations else { continue }
                    for loc in locs where loc.backend == "registry" {
                        guard let tag = Self.tag(loc.identity), tag.contains("/"), !ExprValue.hasMarker(tag) else { continue }
                        let span = SharedLocation.span(ev, run, direction: direction)
                        guard seen.insert(span.start.offset).inserted else { continue }
                        out.append(
                            diagnostic(
                                context, span,
                                "the registry cache ref `\(loc.identity)` has `/` in its tag\(run.stepRun.run.legLabel.isEmpty ? "" : " in leg \(run.stepRun.legName)"), which is not a valid reference: \(direction == .export ? "the export fails the build" : "the import is silently skipped")",
                                help: "Replace `/` in the platform before using it in a tag: set PLATFORM_PAIR in a step before the build and use `${{ env.PLATFORM_PAIR }}`:\n" + PlatformPair.step(matrixKey: "platform")))
                    }
                }
            }
        }
        return out
    }
}
