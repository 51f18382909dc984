/// BXC310 docker-driver-cache-export: a non-inline cache export on the `docker` driver.
///
/// Facts: the docker driver cannot export cache ("Cache export is not supported for the docker driver")
/// unless the containerd image store is on (docker/buildx `build/opt.go`, `driver/docker/driver.go`);
/// without setup-buildx-action (or with `driver: docker`) the runner's default builder is that driver.
public struct DockerDriverCacheExportRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC310", name: "docker-driver-cache-export", severity: .error,
        summary: "A non-inline cache export on the `docker` driver: no container builder is set up before the build, or its setup is skipped when the build runs.",
        rationale: "The docker driver cannot export cache (\"Cache export is not supported for the docker driver\"): the build fails. Set up a docker-container builder first. A daemon with the containerd image store can (docker/setup-docker-action with `containerd-snapshotter`, or the Docker 29 it installs, whose fresh installs use that store): a job that runs setup-docker-action first is not reported.",
        sources: [
            "docker/buildx build/opt.go", "docker/buildx driver/docker/driver.go (CacheExport with the containerd snapshotter)",
            "docs cache/backends/index.md", "docs engine/storage/containerd.md (default store of Docker Engine 29 fresh installs)",
        ],
        triggering: [
            RuleExample(
                """
                on:
                  workflow_call:
                    inputs:
                      use-cache:
                        type: boolean
                        default: true
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - if: ${{ inputs.use-cache }}
                        uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - if: ${{ !inputs.use-cache }}
                        uses: docker/build-push-action@v6
                        with:
                          cache-to: type=gha,mode=max,scope=app

                """, lines: [18]),
            RuleExample(Examples.buildPush("cache-to: type=gha,mode=max", setup: "driver: docker"), lines: [11]),
        ],
        nonTriggering: [
            RuleExample(Examples.buildPush("cache-to: type=gha,mode=max")),
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-docker-action@v4
                        with:
                          daemon-config: |
                            {"features": {"containerd-snapshotter": true}}
                      - uses: docker/build-push-action@v6
                        with:
                          push: true
                          tags: ghcr.io/o/app:latest
                          cache-to: type=registry,ref=ghcr.io/o/app:buildcache,mode=max
                """),
        ])

    /// docker/setup-docker-action: it installs a daemon and makes it the current context.
    static let setupDockerAction = "docker/setup-docker-action"

    /// Whether `step` sets up a Docker daemon whose image store may be containerd's: setup-docker-action,
    /// unless its `daemon-config` turns the containerd snapshotter off.
    static func setsUpContainerdStore(_ step: Step) -> Bool {
        guard step.uses?.repository == setupDockerAction else { return false }
        guard let config = step.input("daemon-config")?.value.scalar else { return true }
        let compact = config.filter { !$0.isWhitespace }
        return !compact.hasSubstring("\"containerd-snapshotter\":false")
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for job in context.file.jobs where !job.isCompositeAction {
            // The first step that may set up a builder this rule cannot see (found once per job, not per build).
            let firstSetUp = job.steps.first(where: \.maySetUpBuilder)?.index
            for build in job.builds {
                let exports = build.entries(.export).filter { !$0.entry.isEmpty && !$0.entry.isWholeExpression && $0.entry.type != "inline" }
                guard let export = exports.first, build.step.input("builder") == nil else { continue }
                if let command = build.command {
                    // `--builder x`, or a builder created in the same script, is not the docker driver.
                    if command.values("builder").count > 0 || (build.step.run?.scalar?.hasSubstring("buildx create") ?? false) { continue }
                }
                // Something this rule cannot see may set up a builder: a local action or `docker buildx create`.
                if let firstSetUp, firstSetUp < build.step.index { continue }
                // A daemon set up with the containerd image store exports cache with the docker driver too.
                if job.steps.contains(where: { $0.index < build.step.index && Self.setsUpContainerdStore($0) }) { continue }
                let setups = job.setups(before: build)
                let buildIf = Conditions.expression(build.step.ifNode)
                let problem: String?
                if setups.isEmpty {
                    problem = "no docker/setup-buildx-action runs before this build, so it uses the runner's default `docker` driver"
                } else if let last = setups.last, let driver = last.step.input("driver")?.value.scalar, driver == "docker" {
                    problem = "setup-buildx-action at line \(last.step.node.span.start.line) selects `driver: docker`"
                } else if setups.allSatisfy({ Conditions.exclusive(Conditions.expression($0.step.ifNode), buildIf) }) {
                    problem = "this build only runs when setup-buildx-action (line \(setups.last!.step.node.span.start.line)) is skipped: their `if:` conditions are opposite, so it uses the default `docker` driver"
                } else {
                    problem = nil
                }
                guard let problem else { continue }
                out.append(
                    diagnostic(
                        context, export.located.span,
                        "\(problem), which cannot export cache (\"Cache export is not supported for the docker driver\"): the build fails",
                        help: "Run docker/setup-buildx-action (docker-container driver) before every build that exports cache, under the same `if:`; or give the daemon the containerd image store (docker/setup-docker-action with `daemon-config: {\"features\": {\"containerd-snapshotter\": true}}`); or drop cache-to."))
            }
        }
        return out
    }
}
