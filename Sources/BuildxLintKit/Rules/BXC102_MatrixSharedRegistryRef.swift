/// BXC102 matrix-shared-registry-ref: matrix legs that build different things export to the same
/// registry ref (or s3/azblob name).
///
/// Facts: docs cache backends index ("no location can be written to twice without overwriting the
/// previously cached data"); the cache manifest at a ref is replaced by each export; s3/azblob `name`
/// defaults to `buildkit` (docs `s3.md`, `azblob.md`); docker/bake-action#329.
public struct MatrixSharedRegistryRefRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC102", name: "matrix-shared-registry-ref", severity: .error,
        summary: "Matrix legs that build different things export to the same registry ref, or s3/azblob name.",
        rationale: "Each export replaces the cache manifest at that location, so only the last leg's cache survives and the other platforms miss.",
        sources: ["docs cache/backends/index.md (Multiple caches)", "docs cache/backends/s3.md, azblob.md (name default)", "docker/bake-action#329"],
        triggering: [
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
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/${{ matrix.arch }}
                          cache-from: type=registry,ref=r.example.com/app:buildcache
                          cache-to: type=registry,ref=r.example.com/app:buildcache,mode=max

                """, lines: [16])
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
                        arch: [amd64, arm64]
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/${{ matrix.arch }}
                          cache-from: type=registry,ref=r.example.com/app:buildcache-${{ matrix.arch }}
                          cache-to: type=registry,ref=r.example.com/app:buildcache-${{ matrix.arch }},mode=max

                """)
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        MatrixSharedGHAScopeRule.report(self, context, backends: ["registry", "s3", "azblob"])
    }
}
