/// BXC003 whitespace-in-cache-entry: spaces after a comma or around `=` inside an entry.
///
/// Facts: the actions toolkit trims only the ends of each item (docker/actions-toolkit `src/util.ts`),
/// and buildx's CSV reader does not trim fields (`go-csvvalue` defaults, `util/buildflags/cache.go`), so
/// ` scope` is a different key: BuildKit ignores it (gha scope defaults to `buildkit`,
/// `cache/remotecache/gha/gha.go`). Seen in docker/build-push-action#546.
public struct WhitespaceInCacheEntryRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC003", name: "whitespace-in-cache-entry", severity: .error,
        summary: "Spaces after a comma or around `=` inside a cache entry.",
        rationale: """
            Keys are not trimmed, so `type=gha, scope=x` has the key ` scope`, which BuildKit ignores: the default \
            scope `buildkit` is used and separate caches collide; ` mode` exports in min mode; ` src`, ` dest` or \
            ` ref` are missing altogether.
            """,
        sources: [
            "docker/actions-toolkit src/util.ts (only the ends are trimmed)",
            "docker/buildx vendor/github.com/tonistiigi/go-csvvalue (no TrimLeadingSpace)",
            "moby/buildkit cache/remotecache/gha/gha.go (scope default)", "docker/build-push-action#546",
        ],
        triggering: [
            RuleExample(Examples.buildPush("cache-from: type=gha, scope=${{ github.ref_name }}"), lines: [11]),
            RuleExample(Examples.buildPush("cache-to: type=gha,mode = max"), lines: [11]),
        ],
        nonTriggering: [RuleExample(Examples.buildPush("cache-from: type=gha,scope=${{ github.ref_name }}\ncache-to: \" type=gha,mode=max \""))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (_, be) in context.cacheEntries {
            let entry = be.entry
            let fields = entry.fields
            var bad: [CacheField] = []
            for (i, f) in fields.enumerated() {
                let isLast = i == fields.count - 1
                let key = f.rawKey
                let value = f.value
                let keySpace = f.hasEquals && (key.startsWithWhitespace || key.endsWithWhitespace)
                let valueLead = f.hasEquals && value.startsWithWhitespace
                let trailing = !isLast && value.endsWithWhitespace
                let bareLead = !f.hasEquals && value.startsWithWhitespace
                if keySpace || valueLead || trailing || bareLead { bad.append(f) }
            }
            guard let first = bad.first else { continue }
            let cleaned = fields.map { f -> String in
                f.hasEquals ? "\(f.rawKey.trimmingSpaces)=\(f.value.trimmingSpaces)" : f.value.trimmingSpaces
            }.joined(separator: ",")
            var fixes: [Fix] = []
            if be.located.isVerbatim, entry.csvError == nil, !entry.text.contains("\"") {
                fixes = [Fix(title: "Remove the spaces inside the entry", edits: [TextEdit(span: be.located.span, replacement: cleaned)])]
            }
            let names = bad.map { $0.hasEquals ? "`\($0.rawKey)`" : "`\($0.value)`" }.joined(separator: ", ")
            out.append(
                diagnostic(
                    context, be.located.span(of: first),
                    "whitespace inside the \(be.entryLabel)\(be.viaSuffix): buildx does not trim fields, so it reads \(names) with the spaces and ignores \(bad.count == 1 ? "it" : "them")",
                    help: "Remove the spaces; keys are not trimmed:\n\(cleaned)", fixes: fixes))
        }
        return out
    }
}
