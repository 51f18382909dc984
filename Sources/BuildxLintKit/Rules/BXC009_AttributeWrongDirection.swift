/// BXC009 attribute-wrong-direction: `dest` on a local import, `src` on a local export, or export-only
/// attributes on `cache-from`.
///
/// Facts: moby/buildkit `client/solve.go` requires `src` for a local import and `dest` for a local export;
/// the backend tables (docs `cache/backends/*.md`, reference §1.7) mark `mode`, `compression`,
/// `ignore-error`… as export-only, so on an import they are ignored. Entries written with expressions are
/// also checked as the flow walk evaluated them (an input default such as GIScience/openrouteservice's
/// `cache_from_type: 'gha,mode=max'`, INDEX R6).
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
            // Through an expression: what the flow walk evaluates (here an env value; also input defaults and
            // the `with:` of a composite action's callers).
            RuleExample(
                "on: push\nenv:\n  CACHE_FROM: gha,mode=max\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - uses: docker/build-push-action@v6\n        with:\n          cache-from: type=${{ env.CACHE_FROM }}\n          cache-to: type=gha\n",
                lines: [13]),
        ],
        nonTriggering: [RuleExample(Examples.buildPush("cache-from: type=local,src=/tmp/.buildx-cache\ncache-to: type=local,dest=/tmp/.buildx-cache-new,mode=max"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (build, be) in context.cacheEntries where be.entry.form == .attributes {
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
                    // Moving it to a cache-to entry that sets it already would repeat the key (BXC002).
                    let exportSets = build?.entries(.export).contains { $0.entry.type == type && $0.entry.field(f.key) != nil } ?? false
                    out.append(
                        diagnostic(
                            context, be.located.span(of: f),
                            "`\(f.key)` is an export option; on the \(where_) it is ignored\(Self.modeNote(f.key))",
                            help: exportSets
                                ? "Remove `\(f.key)=\(f.value)` from cache-from; the cache-to entry already sets `\(f.key)`."
                                : "Move `\(f.key)=\(f.value)` to the cache-to entry; cache-from takes only the location.",
                            severity: .info))
                }
            }
        }
        out += evaluatedImports(context)
        return out
    }

    static func modeNote(_ key: String) -> String {
        key == "mode" ? ", and the matching cache-to exports in its default min mode unless it sets mode itself" : ""
    }

    /// Export options that reach a cache-from entry only through its expressions
    /// (`type=${{ inputs.cache_from_type }}` with the input's default `gha,mode=max`), as the flow walk evaluated
    /// it in each leg and caller; once per written entry and option.
    func evaluatedImports(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seen = Set<[Int]>()
        for run in context.buildRuns {
            for ev in run.imports {
                guard let source = ev.source, source.entry.hasExpression, let e = ev.entry, e.form == .attributes,
                    e.typeFields.count <= 1, let type = e.type, !type.hasSubstring("${{")
                else { continue }
                for (i, f) in e.fields.enumerated() where f.hasEquals && CacheBackends.exportOnly.contains(f.key) && source.entry.field(f.key) == nil {
                    guard seen.insert([source.located.span.start.offset, i]).inserted else { continue }
                    out.append(
                        diagnostic(
                            context, source.located.span,
                            "`\(f.key)` is an export option; the \(source.entryLabel)\(source.viaSuffix) evaluates to `\(e.text)`\(run.stepRun.whereSuffix), where it is ignored\(Self.modeNote(f.key))",
                            help: "Give the value that reaches this entry only the location (move `\(f.key)=\(f.value)` to the cache-to value); cache-from takes only the location.",
                            severity: .info))
                }
            }
        }
        return out
    }
}
