/// Inline suppressions written in comments:
///
/// - `# buildx-lint: ignore[BXC001,BXC301] reason` at the end of the finding's line, or alone on the line
///   above it. Above a key whose value is a block scalar (`cache-from: |`) it covers the whole block, where
///   a comment inside would be content.
/// - `# buildx-lint: ignore-file[BXC301] reason` alone on a line before the file's first content line.
/// - In HCL files `//` comments work the same way.
///
/// A directive that suppresses nothing is reported (BXC900, info), so stale ones do not pile up.
public struct Suppressions: Sendable {
    public struct Directive: Sendable {
        public let rules: [String]
        public let fileWide: Bool
        /// The line the directive is on (1-based) and its span.
        public let line: Int
        public let span: SourceSpan
        /// Whether the comment is alone on its line (then it applies to the line(s) below).
        public let standalone: Bool
    }

    public let directives: [Directive]
    /// For a key line that starts a block value, the last line of that value (so a directive above the key covers it).
    let blockEnds: [Int: Int]

    /// Finds directives in `text`. `contentLines` are lines inside block scalars, where `#` is content.
    public init(text: SourceText, root: YAMLNode?, commentMarkers: [String] = ["#"]) {
        // Most files have no directive: skip the line scan and the tree walk then.
        guard Self.mentionsDirective(text.bytes) else {
            directives = []
            blockEnds = [:]
            return
        }
        var blockEnds: [Int: Int] = [:]
        var contentLines = Set<Int>()
        if let root { Self.collectBlocks(root, &blockEnds, &contentLines, budget: 100_000) }
        self.blockEnds = blockEnds
        var directives: [Directive] = []
        var seenContent = false
        for line in 1...max(1, text.lineCount) where !contentLines.contains(line) {
            let bytes = Array(text.lineBytes(line))
            let firstNonBlank = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 }
            guard let start = firstNonBlank else { continue }
            // Find a comment marker that starts a comment (at line start or after whitespace).
            var found: (Int, Int)? = nil
            for marker in commentMarkers {
                let m = Array(marker.utf8)
                var i = 0
                while i + m.count <= bytes.count {
                    if Array(bytes[i..<(i + m.count)]) == m, i == 0 || bytes[i - 1] == 0x20 || bytes[i - 1] == 0x09 {
                        found = (i, m.count)
                        break
                    }
                    i += 1
                }
                if found != nil { break }
            }
            let standalone = found.map { $0.0 == start } ?? false
            if !standalone { seenContent = true }
            guard let (at, len) = found else { continue }
            let comment = String(decoding: bytes[(at + len)...], as: UTF8.self)
            guard let d = Self.parseDirective(comment) else { continue }
            let lineStart = text.position(line: line, column: 1)
            let span = SourceSpan(
                start: text.position(ofOffset: lineStart.offset + at), end: text.position(ofOffset: lineStart.offset + bytes.count))
            if d.fileWide && (seenContent || !standalone) { continue }
            directives.append(Directive(rules: d.rules, fileWide: d.fileWide, line: line, span: span, standalone: standalone))
        }
        self.directives = directives
    }

    /// Whether `buildx-lint:` occurs in the bytes at all.
    static func mentionsDirective(_ b: [UInt8]) -> Bool {
        var needle = "buildx-lint:"
        return needle.withUTF8 { n in b.withUnsafeBufferPointer { bytes($0, contain: n) } }
    }

    /// Parses ` buildx-lint: ignore[A,B] reason` (the text after the comment marker).
    static func parseDirective(_ comment: String) -> (rules: [String], fileWide: Bool)? {
        let t = comment.trimmingSpaces
        guard t.hasPrefix("buildx-lint:") else { return nil }
        let rest = t.dropFirst("buildx-lint:".count).drop { $0 == " " || $0 == "\t" }
        let fileWide: Bool
        var body: Substring
        if rest.hasPrefix("ignore-file[") { fileWide = true; body = rest.dropFirst("ignore-file[".count) }
        else if rest.hasPrefix("ignore[") { fileWide = false; body = rest.dropFirst("ignore[".count) }
        else { return nil }
        guard let close = body.firstIndex(of: "]") else { return nil }
        body = body[..<close]
        let rules = body.split(separator: ",").map { String($0).trimmingSpaces.uppercased() }.filter { !$0.isEmpty }
        return rules.isEmpty ? nil : (rules, fileWide)
    }

    static func collectBlocks(_ node: YAMLNode, _ ends: inout [Int: Int], _ content: inout Set<Int>, budget: Int) {
        // Iterative walk that never follows aliases (no expansion).
        var stack = [node]
        var visits = 0
        while let n = stack.popLast(), visits < budget {
            visits += 1
            switch n.kind {
            case .mapping(let pairs):
                for p in pairs {
                    if case .scalar(_, let style) = p.value.kind, style == .literal || style == .folded {
                        ends[p.key.span.start.line] = p.value.span.end.line
                        if p.value.span.end.line > p.value.span.start.line {
                            for l in (p.value.span.start.line + 1)...p.value.span.end.line { content.insert(l) }
                        }
                    } else if p.value.span.end.line > p.key.span.start.line {
                        ends[p.key.span.start.line] = max(ends[p.key.span.start.line] ?? 0, p.key.span.start.line)
                    }
                    stack.append(p.value)
                }
            case .sequence(let items):
                for item in items {
                    if case .scalar(_, let style) = item.kind, style == .literal || style == .folded,
                        item.span.end.line > item.span.start.line
                    {
                        for l in (item.span.start.line + 1)...item.span.end.line { content.insert(l) }
                    }
                    stack.append(item)
                }
            default:
                break
            }
        }
    }

    /// The lines a directive covers: its own line when trailing; otherwise the next line and, when that
    /// line is a key with a block value, the whole block.
    func covers(_ d: Directive, line: Int) -> Bool {
        if d.fileWide { return true }
        if !d.standalone { return line == d.line }
        let next = d.line + 1
        if line == next { return true }
        if let end = blockEnds[next], line > next, line <= end { return true }
        return false
    }

    /// Splits findings into kept ones and reports for directives that matched nothing (BXC900).
    public func apply(_ diagnostics: [Diagnostic], path: RepoPath) -> [Diagnostic] {
        guard !directives.isEmpty else { return diagnostics }
        var used = [Bool](repeating: false, count: directives.count)
        var kept: [Diagnostic] = []
        for d in diagnostics {
            var suppressed = false
            for (i, dir) in directives.enumerated() where dir.rules.contains(d.ruleID) && covers(dir, line: d.span.start.line) {
                used[i] = true
                suppressed = true
            }
            if !suppressed { kept.append(d) }
        }
        let rule = UnusedSuppressionRule().description
        let known = Set(RuleRegistry.all.map(\.description.id))
        for (i, dir) in directives.enumerated() where !used[i] {
            let unknown = dir.rules.filter { !known.contains($0) }
            let message = unknown.isEmpty
                ? "this `buildx-lint: \(dir.fileWide ? "ignore-file" : "ignore")[\(dir.rules.joined(separator: ","))]` suppresses nothing"
                : "unknown rule \(unknown.map { "`\($0)`" }.joined(separator: ", ")) in a buildx-lint suppression"
            kept.append(
                Diagnostic(
                    ruleID: rule.id, ruleName: rule.name, severity: rule.severity, path: path, span: dir.span, message: message,
                    help: "Remove the suppression (or fix the rule id); `buildx-lint rules` lists the ids."))
        }
        return kept
    }
}

/// BXC900 unused-suppression: a `buildx-lint: ignore[…]` comment that suppresses nothing.
///
/// A linter meta rule (not in the cache-rule catalogue): stale suppressions hide future findings.
public struct UnusedSuppressionRule: Rule {
    public init() {}
    public let description = RuleDescription(
        id: "BXC900", name: "unused-suppression", severity: .info,
        summary: "A `# buildx-lint: ignore[…]` comment that suppresses nothing, or names an unknown rule.",
        rationale: "A suppression that matches no finding is stale: it would silently hide a future finding on that line. Remove it.",
        sources: ["buildx-lint meta rule (suppression comments)"],
        triggering: [RuleExample(Examples.setupOnly("# buildx-lint: ignore[BXC001] old workaround\nversion: v0.21.1"), lines: [8])],
        nonTriggering: [RuleExample(Examples.setupOnly("# buildx-lint: ignore[BXC301] the runner image pins buildx\nversion: latest"))])

    /// Findings come from `Suppressions.apply`; the rule itself checks nothing.
    public func check(_ context: RuleContext) -> [Diagnostic] { [] }
}
