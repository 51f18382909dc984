/// BXC108 actions-cache-key-not-per-platform: an actions/cache key for a buildx local cache that is the
/// same for matrix legs that build different things.
///
/// Facts: a cache key is written once; other legs log "Unable to reserve cache with key …" and lose
/// their cache (actions/toolkit `packages/cache/src/cache.ts`); `runner.os` is `Linux` on amd64 and arm64
/// alike (reference §1.1), so the docs' key `${{ runner.os }}-buildx-${{ github.sha }}` does not vary.
public struct ActionsCacheKeyNotPerPlatformRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC108", name: "actions-cache-key-not-per-platform", severity: .warning,
        summary: "An actions/cache step for a buildx local cache whose key does not vary with the matrix.",
        rationale: """
            One leg saves the key and the others fail to reserve it and lose their cache; `restore-keys` can also \
            hand one platform the other platform's layers. `runner.os` alone does not vary: it is Linux on both arches.
            """,
        sources: ["actions/toolkit packages/cache/src/cache.ts", "docs ci/github-actions/cache.md (local cache key)"],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        distro: [debian-12, ubuntu-24.04]
                    steps:
                      - uses: actions/cache@v4
                        with:
                          path: /tmp/.buildx-cache
                          key: buildx-${{ runner.os }}-${{ github.sha }}
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          build-args: DISTRO=${{ matrix.distro }}
                          cache-from: type=local,src=/tmp/.buildx-cache
                          cache-to: type=local,dest=/tmp/.buildx-cache-new,mode=max

                """, lines: [12]),
            // Legs of different Dockerfiles; a build-arg from a step output is unknown in both.
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        module: [manager, scheduler]
                    steps:
                      - uses: actions/checkout@v4
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - id: v
                        run: echo "VERSION=${GITHUB_REF#refs/tags/}" >> "$GITHUB_OUTPUT"
                      - uses: actions/cache@v4
                        with:
                          path: /tmp/.buildx-cache
                          key: ${{ runner.os }}-buildx-${{ github.sha }}
                          restore-keys: |
                            ${{ runner.os }}-buildx-
                      - uses: docker/build-push-action@v6
                        with:
                          context: .
                          file: build/images/${{ matrix.module }}/Dockerfile
                          build-args: |
                            VERSION=${{ steps.v.outputs.VERSION }}
                          cache-from: type=local,src=/tmp/.buildx-cache
                          cache-to: type=local,dest=/tmp/.buildx-cache-new
                      - name: Move cache
                        run: |
                          rm -rf /tmp/.buildx-cache
                          mv /tmp/.buildx-cache-new /tmp/.buildx-cache

                """, lines: [18]),
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
                        distro: [debian-12, ubuntu-24.04]
                    steps:
                      - uses: actions/cache@v4
                        with:
                          path: /tmp/.buildx-cache
                          key: buildx-${{ matrix.distro }}-${{ github.sha }}
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          build-args: DISTRO=${{ matrix.distro }}
                          cache-from: type=local,src=/tmp/.buildx-cache
                          cache-to: type=local,dest=/tmp/.buildx-cache-new,mode=max

                """)
        ])

    /// Whether two legs' builds (the same steps, in order) build different things, by the inputs known in both
    /// (a build-arg from a step output leaves the Dockerfile to tell them apart).
    static func differ(_ a: [BuildRun], _ b: [BuildRun]) -> Bool {
        guard a.count == b.count else { return !(a + b).contains { $0.buildKey == nil } }
        return zip(a, b).contains { $0.buildsDifferently(from: $1) }
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for legs in context.stepRuns.filter({ TransportAction.of($0.step) == .cache }).groupedByStep() where legs.count > 1 {
            guard let first = legs.first, TransportAction.of(first.step) == .cache, let keyInput = first.step.input("key") else { continue }
            // The builds of the same leg whose local caches live under this step's paths.
            var keyByLeg: [(key: String, builds: [BuildRun], leg: StepRun)] = []
            for sr in legs where sr.mayRun {
                guard let key = sr.input("key"), let pathText = sr.input("path") else { continue }
                let paths = CachePath.lines(pathText)
                let builds = context.repository.buildRuns(of: sr.run).filter { $0.stepRun.mayRun }
                let related = builds.filter { b in
                    (b.imports + b.exports).contains { ev in
                        (ev.locations ?? []).contains { loc in
                            loc.backend == "local" && paths.contains { CachePath.overlap(loc.identity, $0) }
                        }
                    }
                }
                guard !related.isEmpty else { continue }
                keyByLeg.append((key, related, sr))
            }
            var seen: [String: ([BuildRun], StepRun)] = [:]
            for (key, builds, sr) in keyByLeg {
                if let (otherBuilds, other) = seen[key], Self.differ(otherBuilds, builds) {
                    out.append(
                        diagnostic(
                            context, keyInput.value.valueSpan,
                            "legs \(other.legName) and \(sr.legName) build different things but save their buildx cache under the same actions/cache key `\(key)`\(sr.whereSuffix); one save wins and the other leg loses its cache",
                            help: "Include the matrix value (or `runner.arch` on native runners) in `key` and `restore-keys`, e.g. `key: ${{ runner.os }}-${{ runner.arch }}-buildx-${{ matrix.\(SharedLocation.differingDimensions(other.run, sr.run).first?.key ?? "platform") }}-${{ github.sha }}`."))
                    break
                }
                seen[key] = seen[key] ?? (builds, sr)
            }
        }
        return out
    }
}
