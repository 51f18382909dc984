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
                path: "docker-bake.hcl", lines: [5])
        ],
        nonTriggering: [
            RuleExample(
                "target \"app\" {\n  name = \"app-${v}\"\n  matrix = { v = [\"a\", \"b\"] }\n  args = { V = v }\n  cache-to = [\"type=gha,mode=max,scope=app-${v}\"]\n}\ngroup \"default\" {\n  targets = [\"app\"]\n}\n",
                path: "docker-bake.hcl")
        ])

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
