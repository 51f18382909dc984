/// BXC007 malformed-cache-entry: a field without `=`, no `type=`, or an empty required value.
///
/// Facts: buildx `util/buildflags/cache.go` fails with "invalid value X" for a field without `=` and
/// "type required" without a type; BuildKit `client/solve.go` fails with "local cache importer requires
/// src", "local cache exporter requires dest", "registry cache … requires ref"; go-csvvalue rejects a bare
/// `"` in an unquoted field.
public struct MalformedCacheEntryRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC007", name: "malformed-cache-entry", severity: .error,
        summary: "A cache entry with a field without `=`, no `type=`, an empty required value, or broken CSV quoting.",
        rationale: "buildx or BuildKit rejects the entry (\"invalid value\", \"type required\", \"requires src/dest/ref\") and the build fails.",
        sources: ["docker/buildx util/buildflags/cache.go", "moby/buildkit client/solve.go", "tonistiigi/go-csvvalue"],
        triggering: [
            RuleExample(Examples.buildPush("cache-to: dest=/tmp/c,mode=max"), lines: [11]),
            RuleExample(Examples.buildPush("cache-from: type=local,src="), lines: [11]),
            RuleExample(Examples.buildPush("cache-from: type=registry,ref=u/app:c,max"), lines: [11]),
        ],
        nonTriggering: [
            RuleExample(Examples.buildPush("cache-to: type=local,dest=/tmp/c,mode=max\ncache-from: u/app:cache")),
            RuleExample(Examples.buildPush("cache-from: ${{ inputs.cache }},mode=max")),
        ])

    /// The attribute BuildKit requires for `type` in `direction`, if any.
    static func requiredKey(_ type: String, _ direction: CacheDirection) -> String? {
        switch type {
        case "local": direction == .import ? "src" : "dest"
        case "registry": "ref"
        default: nil
        }
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (_, be) in context.cacheEntries {
            let entry = be.entry
            // Built only for a finding (most entries have none).
            var where_: String { "\(be.entryLabel)\(be.viaSuffix)" }
            if let err = entry.csvError {
                out.append(
                    diagnostic(
                        context, be.located.span(err.offset..<(err.offset + 1)),
                        "buildx cannot parse the \(where_) as CSV: \(err.message)",
                        help: "Quote the whole field (`\"key=a,b\"`) or remove the stray `\"`."))
                continue
            }
            guard entry.form == .attributes else { continue }
            // Bare fields that look like references are BXC001's (a packed second entry).
            let bare = entry.fields.filter {
                !$0.hasEquals && !$0.hasExpression && !$0.value.isEmpty && !PackedCacheEntriesRule.looksLikeReference($0.value)
            }
            if let f = bare.first {
                out.append(
                    diagnostic(
                        context, be.located.span(of: f),
                        "`\(f.value)` in the \(where_) has no `=`; buildx fails with \"invalid value \(f.value)\"",
                        help: "Write every field as key=value (for example `mode=max`)."))
                continue
            }
            let opaque = entry.fields.contains { !$0.hasEquals && $0.hasExpression }
            if entry.typeFields.isEmpty {
                guard !opaque else { continue }
                out.append(
                    diagnostic(
                        context, be.located.span,
                        "the \(where_) has no `type=`; buildx fails with \"type required\"",
                        help: "Every key=value cache entry needs `type=<backend>` (registry, local, gha, s3, azblob): `type=local,\(entry.text)`."))
                continue
            }
            guard let type = entry.type, let requiredKey = Self.requiredKey(type, be.direction) else { continue }
            if let f = entry.field(requiredKey) {
                if f.value.isEmpty {
                    out.append(
                        diagnostic(
                            context, be.located.span(of: f),
                            "`\(requiredKey)=` is empty in the \(where_); BuildKit fails with \"\(type) cache \(be.direction == .import ? "importer" : "exporter") requires \(requiredKey)\"",
                            help: "Give `\(requiredKey)=` a value."))
                }
            } else if !opaque {
                // A local entry with the other direction's key (dest on cache-from) is BXC009's finding.
                let opposite = requiredKey == "src" ? "dest" : requiredKey == "dest" ? "src" : nil
                if let opposite, entry.attribute(opposite) != nil { continue }
                out.append(
                    diagnostic(
                        context, be.located.span,
                        "the `type=\(type)` \(where_) has no `\(requiredKey)=`; BuildKit fails with \"\(type) cache \(be.direction == .import ? "importer" : "exporter") requires \(requiredKey)\"",
                        help: "Add `\(requiredKey)=<\(requiredKey == "ref" ? "image reference" : "directory")>` to the entry."))
            }
        }
        return out
    }
}
