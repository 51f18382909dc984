/// BXC101 matrix-shared-gha-scope: matrix legs that build different things write the same gha scope.
///
/// Facts: the gha cache index key is `index-<scope>-…` per branch and is overwritten (`SaveMutable`,
/// moby/buildkit `cache/remotecache/gha/gha.go`), so the last leg to finish owns the scope (docs `gha.md`
/// "Scope"; moby/buildkit#2299, #2524; docker/build-push-action#624, #351). docker/github-builder appends
/// the platform pair to the scope.
public struct MatrixSharedGHAScopeRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC101", name: "matrix-shared-gha-scope", severity: .error,
        summary: "Matrix legs that build different things (platform, target, file, build args…) export to the same gha scope (default `buildkit`).",
        rationale: """
            A gha cache scope is one index per branch, replaced by every export. When several legs write the same \
            scope, the leg that finishes last owns it and the others import a cache for the wrong platform or \
            variant, so they rebuild from scratch.
            """,
        sources: [
            "moby/buildkit cache/remotecache/gha/gha.go (indexKey, SaveMutable)", "docs cache/backends/gha.md (Scope)",
            "moby/buildkit#2299", "docker/build-push-action#624", "docker/github-builder .github/workflows/build.yml",
        ],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        base: ["3.11", "3.12"]
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          build-args: BASE=${{ matrix.base }}
                          cache-from: type=gha
                          cache-to: type=gha,mode=max

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
                        base: ["3.11", "3.12"]
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          build-args: BASE=${{ matrix.base }}
                          cache-from: type=gha,scope=buildkit-${{ matrix.base }}
                          cache-to: type=gha,mode=max,scope=buildkit-${{ matrix.base }}

                """)
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        Self.report(self, context, backends: ["gha"])
    }

    static func report(_ rule: any Rule, _ context: RuleContext, backends: Set<String>) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seenSpans = Set<Int>()
        for c in SharedLocation.collisions(context.buildRuns, backends: backends) {
            let span = SharedLocation.span(c.export, c.second, direction: .export)
            guard seenSpans.insert(span.start.offset).inserted else { continue }
            var dims = SharedLocation.differingDimensions(c.first.stepRun.run, c.second.stepRun.run)
            // Prefer the dimensions the build's own inputs read (`platforms: ${{ matrix.platform }}`).
            let stepText = c.second.build.step.with.compactMap(\.value.scalar).joined(separator: "\n") + (c.second.build.step.run?.scalar ?? "")
            let read = dims.filter { stepText.hasSubstring("matrix.\($0.key)") }
            if !read.isEmpty { dims = read }
            // One dimension without `/` that tells every leg of the job apart is enough (`matrix.pair` next to
            // `matrix.platform`): no PLATFORM_PAIR step to add, and the fix can be offered.
            if dims.count > 1, let single = SharedLocation.distinguishingDimension(dims, of: c.second.stepRun.run, in: context.repository) {
                dims = [single]
            } else if let all = SharedLocation.separatingDimensions(of: c.second.stepRun.run, reading: stepText, in: context.repository),
                !SharedLocation.tellsLegsApart(dims, of: c.second.stepRun.run, in: context.repository)
            {
                // The pair's keys leave other legs sharing: use keys that separate every leg.
                dims = all
            }
            let (suffix, pairKey) = SharedLocation.suffix(dims)
            let legNames = "legs \(c.first.stepRun.legName) and \(c.second.stepRun.legName)"
            let what = c.location.backend == "gha" ? "scope" : c.location.backend == "registry" ? "ref" : "name"
            // As written: a value a script computed has no expression of its own to paste.
            let written = SharedLocation.writtenValue(c.location, of: c.export, in: c.second)
            let shown = written.map { "\(c.location.backend == "gha" ? "gha scope" : "registry ref") `\($0)`" } ?? "\(c.location)"
            var help = "Give each matrix leg its own \(c.location.backend) \(what) on both cache-from and cache-to"
            if !suffix.isEmpty {
                switch c.location.backend {
                case "gha": help += ", e.g. `scope=\(written ?? c.location.identity)-\(suffix)`."
                case "registry": help += ", e.g. `ref=\(written ?? c.location.identity)\(ImageReference.split(c.location.identity).tag == nil ? ":cache-" : "-")\(suffix)`."
                default: help += ", e.g. by adding `-\(suffix)` to its name."
                }
            } else {
                help += "."
            }
            if let key = pairKey {
                help += "\nThe matrix value holds `/`, so derive PLATFORM_PAIR first (before the build):\n" + PlatformPair.step(matrixKey: key, build: c.second.build, in: c.second.file)
            }
            var fixes: [Fix] = []
            if pairKey == nil, !suffix.isEmpty {
                let edits = SharedLocation.edits(c.second, location: c.location, suffix: suffix, text: context.file.text)
                if !edits.isEmpty { fixes = [Fix(title: "Add the matrix value to the \(what)", edits: edits)] }
            }
            out.append(
                Diagnostic(
                    ruleID: rule.description.id, ruleName: rule.description.name, severity: rule.description.severity,
                    path: context.file.path, span: span,
                    message: "\(legNames) build different things but both write \(shown)\(c.second.stepRun.whereSuffix); each export replaces the other's, so only the last leg to finish keeps a cache",
                    help: help, fixes: fixes))
        }
        return out
    }
}
