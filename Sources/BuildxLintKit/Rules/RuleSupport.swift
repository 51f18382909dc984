/// Small helpers shared by the rules.
extension RuleContext {
    /// The text of the file's line `line` up to its first non-blank byte (the line's indentation).
    func indentation(ofLine line: Int) -> String {
        let bytes = file.text.lineBytes(line)
        return String(decoding: bytes.prefix { $0 == 0x20 || $0 == 0x09 }, as: UTF8.self)
    }

    /// Span of a YAML node's value (without anchor/tag).
    func span(_ node: YAMLNode) -> SourceSpan { node.valueSpan }
}

extension LocatedEntry {
    /// Whether the entry's bytes stand contiguously in the source (so an edit can replace them).
    var isVerbatim: Bool {
        guard sourceOffsets.count >= 2 else { return false }
        for i in 1..<sourceOffsets.count where sourceOffsets[i] != sourceOffsets[i - 1] + 1 { return false }
        return true
    }
}

extension CacheField {
    /// Whether any part of the field comes from a `${{ }}` expression.
    var hasExpression: Bool { rawKey.hasSubstring("${{") || value.hasSubstring("${{") }
}

extension BuildCacheEntry {
    /// "cache-from" / "cache-to" or, for bake-action, "set `*.cache-to`".
    var inputLabel: String {
        if let flag { return flag == "--set" ? "`--set \(bakeTarget ?? "*").\(direction.rawValue)`" : "`\(flag)`" }
        if list == nil { return "`\(direction.rawValue)` of target `\(bakeTarget ?? "?")`" }
        if let t = bakeTarget { return "set `\(t).\(direction.rawValue)`" }
        return "`\(direction.rawValue)`"
    }

    /// The entry as messages name it: "`cache-to` entry", "`cache-from` entry of target `app`".
    var entryLabel: String {
        if flag == nil, list == nil { return "`\(direction.rawValue)` entry of target `\(bakeTarget ?? "?")`" }
        return inputLabel + " entry"
    }

    /// Where the value came from, for messages: " (through env `X`)" or "".
    var viaSuffix: String { list?.value.via.map { " (through \($0))" } ?? "" }
}

/// Valid importer and exporter types (BuildKit `cmd/buildkitd/main.go`; reference §1.6).
enum CacheBackends {
    static let importers: Set<String> = ["registry", "local", "gha", "s3", "azblob"]
    static let exporters: Set<String> = ["registry", "local", "inline", "gha", "s3", "azblob"]
    /// Attributes only an export reads (reference §1.7; BXC009).
    static let exportOnly: Set<String> = [
        "mode", "compression", "compression-level", "force-compression", "oci-mediatypes", "image-manifest",
        "ignore-error", "repository", "ghtoken", "touch_refresh", "upload_parallelism", "reset",
    ]
}

/// Image references: the name must be lowercase; the tag may not hold `/`.
enum ImageReference {
    /// Splits `ref` into name and tag (`ghcr.io/o/app:cache` → (`ghcr.io/o/app`, `cache`)); a digest stays in the name.
    static func split(_ ref: String) -> (name: String, tag: String?) {
        var name = ref
        if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
        let lastSlash = name.lastIndex(of: "/")
        if let colon = name.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            // A colon in the first component with no slash after is a registry port (`host:5000/app`).
            return (String(ref[..<colon]), String(ref[ref.index(after: colon)...]))
        }
        return (ref, nil)
    }

    /// Normalises for comparison: drops `docker.io/` and `docker.io/library/`, adds `:latest` when no tag.
    static func normalized(_ ref: String) -> String {
        var r = ref
        for prefix in ["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"] where r.hasPrefix(prefix) {
            r = String(r.dropFirst(prefix.count))
            break
        }
        if split(r).tag == nil, !r.contains("@") { r += ":latest" }
        return r
    }
}

/// Renders expressions back to source form (for fix texts).
extension Expr {
    var source: String {
        switch self {
        case .literal(let l):
            switch l {
            case .null: return "null"
            case .bool(let b): return b ? "true" : "false"
            case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
            case .string(let s): return "'" + s.replacingAll("'", with: "''") + "'"
            }
        case .identifier(let n): return n
        case .member(let b, let n): return "\(b.source).\(n)"
        case .index(let b, let i): return "\(b.source)[\(i.source)]"
        case .call(let f, let args): return "\(f)(\(args.map(\.source).joined(separator: ", ")))"
        case .not(let e):
            if case .binary = e { return "!(\(e.source))" }
            return "!\(e.source)"
        case .binary(let op, let a, let b):
            func wrap(_ e: Expr) -> String {
                if case .binary(let inner, _, _) = e, inner.precedence < op.precedence { return "(\(e.source))" }
                return e.source
            }
            return "\(wrap(a)) \(op.rawValue) \(wrap(b))"
        }
    }
}

extension Expr.BinaryOp {
    var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        case .eq, .ne: 3
        case .lt, .le, .gt, .ge: 4
        }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        let t = Array(target.utf8)
        let u = self.utf8
        var i = u.startIndex
        while i != u.endIndex {
            var j = i
            var k = 0
            while k < t.count, j != u.endIndex, u[j] == t[k] {
                j = u.index(after: j)
                k += 1
            }
            if k == t.count { return i..<j }
            i = u.index(after: i)
        }
        return nil
    }
}

extension Step {
    /// Whether this step may set up a buildx builder in a way the rules cannot see: a local action, another
    /// buildx setup action (`crazy-max/ghaction-docker-buildx`), or `docker buildx create` in a script.
    var maySetUpBuilder: Bool {
        if let uses {
            if uses.isLocal { return true }
            if let repo = uses.repository, repo != KnownAction.setupBuildx, repo.hasSubstring("buildx") { return true }
        }
        return run?.scalar?.hasSubstring("buildx create") ?? false
    }
}
