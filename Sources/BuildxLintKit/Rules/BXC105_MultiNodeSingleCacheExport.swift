/// BXC105 multi-node-single-cache-export: a multi-node builder building several platforms with one
/// cache-to location.
///
/// Facts: on multi-node builders each node exports separately to the same location (docker/buildx#1044,
/// open; moby/buildkit#2758, tonistiigi: expected for multi-node).
public struct MultiNodeSingleCacheExportRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC105", name: "multi-node-single-cache-export", severity: .warning,
        summary: "A multi-node builder (setup-buildx-action `append:`) used for a multi-platform build with a single cache-to location.",
        rationale: "Each node exports its platform's cache to the same location, so the cache holds only the last node's platform.",
        sources: ["docker/buildx#1044", "moby/buildkit#2758"],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                          append: |
                            - endpoint: tcp://arm64-host:1234
                              platforms: linux/arm64
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64,linux/arm64
                          cache-to: type=registry,ref=u/app:cache,mode=max

                """, lines: [15])
        ],
        nonTriggering: [RuleExample(Examples.buildPush("platforms: linux/amd64,linux/arm64\ncache-to: type=registry,ref=u/app:cache,mode=max"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for job in context.file.jobs {
            for build in job.builds {
                guard let setup = job.buildxSetup(for: build), setup.step.input("append") != nil,
                    let platforms = build.platforms, platforms.count > 1
                else { continue }
                let exports = build.entries(.export).filter { !$0.entry.isEmpty && $0.entry.type != "inline" }
                guard exports.count == 1, let e = exports.first else { continue }
                out.append(
                    diagnostic(
                        context, e.located.span,
                        "the builder has several nodes (setup-buildx-action `append:` at line \(setup.step.input("append")!.key.span.start.line)) and this \(platforms.count)-platform build exports one cache location; each node overwrites it, so only the last node's platform is cached",
                        help: "Build each platform in its own job (a matrix), each with its own cache location, or give each node's platform its own build and cache-to."))
            }
        }
        return out
    }
}
