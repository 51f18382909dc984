/// BXC001 packed-cache-entries: several cache sources or destinations packed into one entry.
///
/// Facts: build-push-action splits `cache-from`/`cache-to` on newlines only (`getInputList(…, ignoreComma)`,
/// docker/build-push-action `src/context.ts`; docker/actions-toolkit `src/util.ts` joins CSV fields back);
/// buildx `ParseCacheEntry` (`util/buildflags/cache.go`) makes one entry of a string with `=` and lets a
/// later `type=` or key overwrite the earlier one. Seen in docker/build-push-action#1087.
public struct PackedCacheEntriesRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC001", name: "packed-cache-entries", severity: .error,
        summary: "More than one cache source or destination in one entry (`type=` twice, or key=value fields followed by bare references).",
        rationale: """
            buildx parses one line of `cache-from`/`cache-to` as ONE cache entry and later keys overwrite earlier ones, \
            so only the last source or destination is used: in a multi-platform build only one platform's cache is \
            imported or exported, with no error.
            """,
        sources: [
            "docker/build-push-action src/context.ts (getInputList with ignoreComma)",
            "docker/actions-toolkit src/util.ts (getList joins fields back)",
            "docker/buildx util/buildflags/cache.go (ParseCacheEntry: last type/key wins)",
            "docker/build-push-action#1087",
        ],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  final:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64,linux/arm64
                          cache-from: type=local,src=/caches/amd64,type=local,src=/caches/arm64

                """, lines: [12]),
            RuleExample(
                """
                on: push
                jobs:
                  final:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          cache-from: |
                            type=gha,scope=main
                            type=registry,ref=ghcr.io/o/app:cache,ghcr.io/o/app:cache-arm64

                """, lines: [13]),
        ],
        nonTriggering: [
            RuleExample(
                """
                on: push
                jobs:
                  final:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          platforms: linux/amd64,linux/arm64
                          cache-from: |
                            type=local,src=/caches/amd64
                            type=local,src=/caches/arm64
                          cache-to: ghcr.io/o/app:cache-amd64,ghcr.io/o/app:cache-arm64

                """)
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (build, be) in context.cacheEntries {
            let entry = be.entry
            guard entry.form == .attributes else { continue }
            // Cheap pre-check: only entries with a second `type=`, a space, or a bare field can be packed.
            guard entry.typeFields.count > 1 || entry.text.utf8.contains(UInt8(ascii: " "))
                || entry.fields.contains(where: { !$0.hasEquals })
            else { continue }
            let parts = Self.split(entry)
            guard parts.count > 1 else { continue }
            let located = be.located
            // A list reached through `env:` or an input default is fixed where it is written: under its own key.
            let key = be.list.map { $0.value.originKey ?? $0.input.name } ?? be.direction.rawValue
            let prefix = be.bakeTarget.map { "\($0).\(be.direction.rawValue)=" } ?? ""
            let lines = parts.map { prefix + $0 }
            let rendered: String
            if be.bakeTarget != nil {
                rendered = "set: |\n" + lines.map { "  " + $0 }.joined(separator: "\n")
            } else {
                rendered = "\(key): |\n" + lines.map { "  " + $0 }.joined(separator: "\n")
            }
            var fixes: [Fix] = []
            var help = "Put each cache entry on its own line:\n" + rendered
            if be.list == nil {
                help = "Write each cache entry as its own list element:\n\(be.direction.rawValue) = [\n" + parts.map { "  \"\($0)\"," }.joined(separator: "\n") + "\n]"
            } else if let flag = be.flag {
                let name = flag == "--set" ? "--set \(prefix)" : flag + " "
                // A script written on one line gets the flags on one line (a `\` line break would end the value).
                let oneLine = build?.step.run.map { $0.scalarStyle != .literal } ?? false
                help = "Pass each cache entry with its own flag:\n" + parts.map { "\(name)'\($0)'" }.joined(separator: oneLine ? " " : " \\\n")
            } else if let edit = Self.edit(context, be, parts: parts, prefix: prefix) {
                fixes = [Fix(title: "Put each cache entry on its own line", edits: [edit])]
            }
            let what = be.direction == .import ? "sources" : "destinations"
            out.append(
                diagnostic(
                    context, located.span,
                    "\(parts.count) cache \(what) packed into one \(be.entryLabel)\(be.viaSuffix); buildx reads it as ONE\(entry.type.map { " `type=\($0)`" } ?? "") entry whose later keys overwrite the earlier ones, so only one of the \(parts.count) is used",
                    help: help, fixes: fixes))
        }
        return out
    }

    /// The entry split where buildx would have needed separate entries: at each `type=` field after the
    /// first, at a `type=` that follows whitespace inside a field (entries joined with a space, as a folded
    /// block or a copy-paste leaves them), and at each bare reference after key=value fields. Returns one
    /// string per would-be entry.
    /// Whether `entry` packs several entries (what this rule reports): other rules leave such entries to it.
    static func isPacked(_ entry: CacheEntry) -> Bool {
        guard entry.form == .attributes else { return false }
        guard entry.typeFields.count > 1 || entry.text.utf8.contains(UInt8(ascii: " "))
            || entry.fields.contains(where: { !$0.hasEquals })
        else { return false }
        return split(entry).count > 1
    }

    static func split(_ entry: CacheEntry) -> [String] {
        let bytes = Array(entry.text.utf8)
        // Segments: fields, with a field cut where whitespace precedes `type=`.
        var segments: [String] = []
        for f in entry.fields {
            var text = String(decoding: bytes[f.range], as: UTF8.self)
            while let cut = whitespaceBeforeType(text) {
                segments.append(String(text[..<cut.lowerBound]))
                text = String(text[cut.upperBound...])
            }
            segments.append(text)
        }
        var parts: [String] = []
        var current: [String] = []
        var currentHasType = false
        for seg in segments {
            let isType = seg.hasASCIIPrefixIgnoringCase("type=")
            // Byte tests: Character comparisons here cost more than the rest of the rule.
            let isBare = !utf8Contains(seg, UInt8(ascii: "="))
            if isType {
                if currentHasType || current.contains(where: { !utf8Contains($0, UInt8(ascii: "=")) }) {
                    parts.append(current.joined(separator: ","))
                    current = []
                }
                currentHasType = true
                current.append(seg)
            } else if isBare && looksLikeReference(seg) && !current.isEmpty {
                parts.append(current.joined(separator: ","))
                current = [seg]
                currentHasType = false
            } else {
                current.append(seg)
            }
        }
        if !current.isEmpty { parts.append(current.joined(separator: ",")) }
        return parts.filter { !$0.isEmpty }
    }

    /// The range of the whitespace run in `s` that is followed by `type=` (case-insensitive), if any.
    static func whitespaceBeforeType(_ s: String) -> Range<String.Index>? {
        let u = s.utf8
        var i = u.startIndex
        while i < u.endIndex {
            if u[i] == 0x20 || u[i] == 0x09 {
                var j = i
                while j < u.endIndex, u[j] == 0x20 || u[j] == 0x09 { j = u.index(after: j) }
                if s[j...].hasASCIIPrefixIgnoringCase("type=") { return i..<j }
                i = j
                continue
            }
            i = u.index(after: i)
        }
        return nil
    }

    /// Whether a bare field looks like an image reference (`ghcr.io/o/app:tag`, `user/app`).
    static func looksLikeReference(_ s: String) -> Bool {
        guard !s.isEmpty, !utf8Contains(s, 0x20) else { return false }
        return utf8Contains(s, UInt8(ascii: "/")) || utf8Contains(s, UInt8(ascii: ":")) || s.hasSubstring("${{")
    }

    /// The text edit that rewrites the entry into one line per part, when the source allows it.
    /// `prefix` is the bake `set` key (`*.cache-from=`) that each new line needs; the entry span starts after it.
    static func edit(_ context: RuleContext, _ be: BuildCacheEntry, parts: [String], prefix: String) -> TextEdit? {
        let lines = parts.map { prefix + $0 }
        let located = be.located
        guard located.isVerbatim, let list = be.list else { return nil }
        let origin = list.value.origin
        let entrySpan = located.span
        switch origin.scalarStyle {
        case .literal:
            // Same indentation as the entry's own line inside the block.
            let indent = context.indentation(ofLine: entrySpan.start.line)
            return TextEdit(span: entrySpan, replacement: parts.joined(separator: "\n" + indent + prefix))
        case .plain:
            guard list.items.count == 1, origin.valueSpan.start.line == origin.valueSpan.end.line else { return nil }
            let indent = context.indentation(ofLine: origin.valueSpan.start.line) + "  "
            let block = lines.map { indent + $0 }.joined(separator: "\n")
            // A comment after the value would end up inside the block (as cache data): it moves after `|`.
            let text = context.file.text
            let lineEnd = text.lineRange(origin.valueSpan.end.line).upperBound
            let rest = text.bytes[trimmingASCIIWhitespace(text.bytes, origin.valueSpan.end.offset..<lineEnd)]
            if rest.isEmpty { return TextEdit(span: origin.valueSpan, replacement: "|\n" + block) }
            guard rest.first == UInt8(ascii: "#") else { return nil }
            return TextEdit(
                span: SourceSpan(start: origin.valueSpan.start, end: text.position(ofOffset: lineEnd)),
                replacement: "| " + String(decoding: rest, as: UTF8.self) + "\n" + block)
        default:
            return nil
        }
    }
}
