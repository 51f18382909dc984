/// BXC405 bake-variable-scope-unset: a bake cache location built from a variable that the invoking matrix
/// job never sets, so every leg resolves it to the same location.
///
/// Facts: an environment variable of the same name overrides a bake variable's default (docs
/// `bake-reference.md`, "Use environment variable as default"); unset, the default (often empty) applies
/// in every leg.
public struct BakeVariableScopeUnsetRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC405", name: "bake-variable-scope-unset", severity: .warning,
        summary: "A bake cache location that interpolates a variable the invoking matrix job never sets (in `env:` or `$GITHUB_ENV`).",
        rationale: "Every leg resolves the variable to its default, so all legs share one cache location (the BXC101 failure, from the bake file).",
        sources: ["docs bake-reference.md (variables, environment override)"],
        triggering: [
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        platform: [linux/amd64, linux/arm64]\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/bake-action@v6\n        with:\n          source: .\n          set: '*.platform=${{ matrix.platform }}'\n"),
                    ("docker-bake.hcl", "variable \"PLATFORM_PAIR\" {\n  default = \"\"\n}\ntarget \"default\" {\n  cache-from = [\"type=gha,scope=app-${PLATFORM_PAIR}\"]\n  cache-to = [\"type=gha,mode=max,scope=app-${PLATFORM_PAIR}\"]\n}\n"),
                ], lines: [12])
        ],
        nonTriggering: [
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        platform: [linux/amd64, linux/arm64]\n    steps:\n      - run: |\n          platform=${{ matrix.platform }}\n          echo \"PLATFORM_PAIR=${platform//\\//-}\" >> \"$GITHUB_ENV\"\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/bake-action@v6\n        with:\n          source: .\n          set: '*.platform=${{ matrix.platform }}'\n"),
                    ("docker-bake.hcl", "variable \"PLATFORM_PAIR\" {\n  default = \"\"\n}\ntarget \"default\" {\n  cache-from = [\"type=gha,scope=app-${PLATFORM_PAIR}\"]\n  cache-to = [\"type=gha,mode=max,scope=app-${PLATFORM_PAIR}\"]\n}\n"),
                ])
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for inv in context.repository.bakeInvocations(in: context.file.path) {
            let job = inv.run.stepRun.run
            guard job.legCount > 1, let resolution = inv.resolution else { continue }
            let declared = Set(resolution.variables.keys)
            for t in resolution.targets {
                guard let elements = t.attributes["cache-to"]?.elements else { continue }
                for e in elements where e.file != context.file.path.display {
                    let unset = e.variables.filter { declared.contains($0) && inv.env[$0] == nil }
                    guard let name = unset.first, let node = inv.run.build.step.usesNode ?? inv.run.build.step.run,
                        reported.insert(node.span.start.offset).inserted
                    else { continue }
                    out.append(
                        diagnostic(
                            context, node.valueSpan,
                            "target `\(t.name)` writes its cache to a location built from `\(name)` (\(e.file):\(e.span.start.line)), which this matrix job never sets, so all \(job.legCount) legs share one location",
                            help: "Set `\(name)` in the job's `env:` (or write it to $GITHUB_ENV before this step) so each leg gets its own cache location, e.g. `\(name)=${platform//\\//-}` from `matrix.platform`."))
                }
            }
        }
        return out
    }
}
