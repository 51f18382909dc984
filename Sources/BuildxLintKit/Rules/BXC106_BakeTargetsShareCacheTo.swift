/// BXC106 bake-targets-share-cache-to: targets built by one bake invocation (a group, a matrix, inherited
/// targets, a `*.cache-to` override) write the same cache-to location.
///
/// Facts: `cache-to` is inherited or replaced, never merged (docker/buildx `bake/bake.go`, `Target.Merge`;
/// docs `bake-reference.md`), and each export replaces the location's index (docs `gha.md` "Scope"), so the
/// last target wins. Fixed in api-platform/api-platform PR #2761 (per-target overrides).
public struct BakeTargetsShareCacheToRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC106", name: "bake-targets-share-cache-to", severity: .warning,
        summary: "Two or more bake targets of one invocation (group, matrix, inherits, `*.cache-to` override) with the same cache-to location.",
        rationale: "Each target's export replaces the others' at that location, so on every run all but the last target to finish lose their cache.",
        sources: ["docker/buildx bake/bake.go (Target.Merge: cache-to is not merged)", "docs bake-reference.md", "api-platform/api-platform PR #2761"],
        triggering: [
            RuleExample(
                "target \"app\" {\n  name = \"app-${v}\"\n  matrix = { v = [\"a\", \"b\"] }\n  args = { V = v }\n  cache-to = [\"type=gha,mode=max\"]\n}\ngroup \"default\" {\n  targets = [\"app\"]\n}\n",
                path: "docker-bake.hcl", lines: [5]),
            // In a workflow step the runner sets `CI=true`: both targets export to `shared` there.
            RuleExample(
                files: [
                    (path: "docker-bake.hcl", content: "variable \"CI\" {\n  default = \"false\"\n}\ngroup \"default\" {\n  targets = [\"a\", \"b\"]\n}\ntarget \"a\" {\n  dockerfile = \"a.Dockerfile\"\n  cache-to = CI == \"true\" ? [\"type=gha,mode=max,scope=shared\"] : []\n}\ntarget \"b\" {\n  dockerfile = \"b.Dockerfile\"\n  cache-to = CI == \"true\" ? [\"type=gha,mode=max,scope=shared\"] : []\n}\n"),
                    (path: ".github/workflows/ci.yml", content: Self.bakeStep("")),
                ], lines: [9, 13]),
        ],
        nonTriggering: [
            RuleExample(
                "target \"app\" {\n  name = \"app-${v}\"\n  matrix = { v = [\"a\", \"b\"] }\n  args = { V = v }\n  cache-to = [\"type=gha,mode=max,scope=app-${v}\"]\n}\ngroup \"default\" {\n  targets = [\"app\"]\n}\n",
                path: "docker-bake.hcl"),
            // `docker buildx bake` also loads docker-bake.override.hcl, which gives each target its own scope.
            RuleExample(files: [
                (path: "docker-bake.hcl", content: Self.sharedParent),
                (path: "docker-bake.override.hcl", content: "target \"api\" {\n  cache-to = [\"type=gha,mode=max,scope=api\"]\n}\ntarget \"web\" {\n  cache-to = [\"type=gha,mode=max,scope=web\"]\n}\n"),
            ]),
            // The workflow that builds the group overrides each target's cache-to.
            RuleExample(files: [
                (path: ".github/workflows/ci.yml", content: Self.bakeStep("          set: |\n            api.cache-to=type=gha,mode=max,scope=api\n            web.cache-to=type=gha,mode=max,scope=web\n")),
                (path: "docker-bake.hcl", content: Self.sharedParent),
            ]),
            // docker/metadata-action's bake file only adds tags and labels: bake builds the one `default` target.
            RuleExample(files: [
                (path: ".github/workflows/ci.yml", content: """
                    on: push
                    jobs:
                      bake:
                        runs-on: ubuntu-latest
                        steps:
                          - uses: docker/setup-buildx-action@v3
                            with:
                              version: v0.21.1
                          - id: meta
                            uses: docker/metadata-action@v5
                            with:
                              images: ghcr.io/o/app
                          - uses: docker/bake-action@v5
                            with:
                              files: |
                                ./docker-bake.hcl
                                ${{ steps.meta.outputs.bake-file }}
                              set: |
                                *.cache-from=type=gha
                                *.cache-to=type=gha,mode=max

                    """),
                (path: "docker-bake.hcl", content: "target \"docker-metadata-action\" {}\ntarget \"default\" {\n  inherits = [\"docker-metadata-action\"]\n  platforms = [\"linux/amd64\", \"linux/arm64\"]\n}\n"),
            ]),
            // The runner sets GITHUB_EVENT_NAME, so a workflow step never takes the `local` fallback.
            RuleExample(files: [
                (path: ".github/workflows/ci.yml", content: Self.bakeStep("")),
                (path: "docker-bake.hcl", content: "variable \"GITHUB_EVENT_NAME\" {\n  default = \"\"\n}\ngroup \"default\" {\n  targets = [\"api\", \"web\"]\n}\ntarget \"api\" {\n  dockerfile = \"api.Dockerfile\"\n  cache-to = [GITHUB_EVENT_NAME != \"\" ? \"type=gha,mode=max,scope=api\" : \"type=gha,mode=max,scope=local\"]\n}\ntarget \"web\" {\n  dockerfile = \"web.Dockerfile\"\n  cache-to = [GITHUB_EVENT_NAME != \"\" ? \"type=gha,mode=max,scope=web\" : \"type=gha,mode=max,scope=local\"]\n}\n"),
            ]),
        ])

    /// A bake file whose two targets inherit one gha cache-to from a shared parent.
    static let sharedParent = """
        group "default" {
          targets = ["api", "web"]
        }
        target "_common" {
          cache-to = ["type=gha,mode=max,scope=shared"]
        }
        target "api" {
          inherits = ["_common"]
          dockerfile = "api.Dockerfile"
        }
        target "web" {
          inherits = ["_common"]
          dockerfile = "web.Dockerfile"
        }

        """

    /// A workflow with one docker/bake-action step (its default files and group) and `with` lines added.
    static func bakeStep(_ with: String) -> String {
        """
        on: push
        jobs:
          bake:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: docker/setup-buildx-action@v3
                with:
                  version: v0.21.1
              - uses: docker/bake-action@v6
                with:
                  source: .

        """.replacingAll("          source: .\n", with: "          source: .\n" + with)
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        let path = context.file.path.display
        for shared in context.repository.bakeSharedExports {
            // Report at each writing item written in this file (an override line, or a bake file's element).
            for w in shared.writers where w.item.file == path {
                guard reported.insert(w.item.span.start.offset).inserted else { continue }
                let names = shared.writers.map { "`\($0.target)`" }
                if shared.writers.count == 1, let inv = shared.invocation {
                    // A wildcard override whose bake files are not in the repository.
                    out.append(
                        diagnostic(
                            context, w.item.span,
                            "this `\(w.target).cache-to` override gives every target that \(inv.files.isEmpty ? "the bake files" : inv.files.map(\.display).joined(separator: ", ")) define the same \(shared.location); with more than one target, each export replaces the others'",
                            help: "Set cache-to per target (`<target>.cache-to=…,scope=<target>-…`), with cache-from changed to match."))
                    continue
                }
                let who: String
                if let inv = shared.invocation {
                    who = "the bake invocation at \(inv.path.display):\(inv.line)"
                } else {
                    who = "group `\(shared.group ?? "?")`"
                }
                let targets = shared.writers.map(\.target)
                // An empty value that is written as a variable (`scope=${DEPS_ID}`, no default) is shown as written.
                let written = Self.writtenIdentity(shared.location, at: w.item.span, in: context.file.text)
                let identity = written ?? shared.location.identity
                let location = written.map {
                    "\(CacheLocation(backend: shared.location.backend, identity: $0)), the same for every target whatever the variable's value (empty when it is not set)"
                } ?? shared.location.description
                let perTarget = shared.location.backend == "gha"
                    ? "e.g. " + targets.prefix(3).map { "`scope=\(identity.isEmpty ? "" : identity + "-")\($0)` for `\($0)`" }.joined(separator: ", ")
                        + " (in each target, not in a shared parent, or with one override per target: `\(targets[0]).cache-to=…`)"
                    : "e.g. a per-target ref or name"
                out.append(
                    diagnostic(
                        context, w.item.span,
                        "targets \(names.joined(separator: ", ")) of \(who) all export to \(location); each export replaces the others', so only the last target keeps a cache",
                        help: "Give each bake target (and matrix variant) its own cache-to location, \(perTarget), with cache-from changed to match."))
            }
        }
        return out
    }

    /// For a location whose evaluated identity is empty, its identity as written at `span` when that names a
    /// bake variable (`"type=gha,scope=${DEPS_ID}"` → `${DEPS_ID}`); nil otherwise.
    static func writtenIdentity(_ location: CacheLocation, at span: SourceSpan, in text: SourceText) -> String? {
        guard location.identity.isEmpty, span.start.offset < span.end.offset, span.end.offset <= text.bytes.count else { return nil }
        var raw = String(decoding: text.bytes[span.start.offset..<span.end.offset], as: UTF8.self)
        if raw.utf8.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") { raw = String(raw.dropFirst().dropLast()) }
        let key: String
        switch location.backend {
        case "gha": key = "scope"
        case "registry": key = "ref"
        case "local": key = "dest"
        default: return nil
        }
        guard let value = CacheEntry(raw).attribute(key), value.hasSubstring("${") else { return nil }
        return value
    }
}
