/// BXC009 attribute-wrong-direction: `dest` on a local import, `src` on a local export, or export-only
/// attributes on `cache-from`.
///
/// Facts: moby/buildkit `client/solve.go` requires `src` for a local import and `dest` for a local export;
/// the backend tables (docs `cache/backends/*.md`, reference §1.7) mark `mode`, `compression`,
/// `ignore-error`… as export-only, so on an import they are ignored.
public struct AttributeWrongDirectionRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC009", name: "attribute-wrong-direction", severity: .error,
        summary: "`dest` on a local cache-from or `src` on a local cache-to (error); export-only attributes such as `mode` on cache-from (info).",
        rationale: """
            BuildKit needs `src` to import a local cache and `dest` to export one, and fails otherwise. Export options \
            on cache-from are ignored, which usually means they were meant for cache-to, where the default (min mode) \
            then applies.
            """,
        sources: ["moby/buildkit client/solve.go", "docs cache/backends (attribute tables)", "reference §1.7"],
        triggering: [
            RuleExample(Examples.buildPush("cache-from: type=local,dest=/tmp/.buildx-cache"), lines: [11]),
            RuleExample(Examples.buildPush("cache-from: type=gha,mode=max\ncache-to: type=gha"), lines: [11]),
        ],
        nonTriggering: [RuleExample(Examples.buildPush("cache-from: type=local,src=/tmp/.buildx-cache\ncache-to: type=local,dest=/tmp/.buildx-cache-new,mode=max"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (_, be) in context.cacheEntries where be.entry.form == .attributes {
            let entry = be.entry
            guard entry.typeFields.count <= 1, let type = entry.type, !type.hasSubstring("${{") else { continue }
            // Built only for a finding (most entries have none).
            var where_: String { "\(be.entryLabel)\(be.viaSuffix)" }
            if type == "local" {
                let (need, wrong) = be.direction == .import ? ("src", "dest") : ("dest", "src")
                if entry.attribute(need) == nil, let f = entry.field(wrong) {
                    let fixed = TextEdit(span: be.located.span(f.keyRange), replacement: need)
                    out.append(
                        diagnostic(
                            context, be.located.span(of: f),
                            "a local \(be.direction.rawValue) takes `\(need)=`, not `\(wrong)=`\(be.viaSuffix); BuildKit fails with \"local cache \(be.direction == .import ? "importer" : "exporter") requires \(need)\"",
                            help: "Use `\(need)=` on \(be.direction.rawValue): `src=` on cache-from, `dest=` on cache-to.",
                            fixes: be.located.isVerbatim ? [Fix(title: "Use \(need)=", edits: [fixed])] : []))
                    continue
                }
                if be.direction == .export {
                    for f in entry.fields where f.hasEquals && (f.key == "src" || f.key == "digest") {
                        out.append(
                            diagnostic(
                                context, be.located.span(of: f),
                                "`\(f.key)=` is an import option; on the local \(where_) it is ignored",
                                help: "Remove `\(f.key)=` from cache-to (it belongs on cache-from).", severity: .info))
                    }
                }
            }
            if be.direction == .import {
                for f in entry.fields where f.hasEquals && CacheBackends.exportOnly.contains(f.key) {
                    out.append(
                        diagnostic(
                            context, be.located.span(of: f),
                            "`\(f.key)` is an export option; on the \(where_) it is ignored\(f.key == "mode" ? ", and the matching cache-to exports in its default min mode unless it sets mode itself" : "")",
                            help: "Move `\(f.key)=\(f.value)` to the cache-to entry; cache-from takes only the location.",
                            severity: .info))
                }
            }
        }
        return out
    }
}
