/// A compose file as bake reads it: services with a `build:` section are targets.
public struct ComposeFile: Sendable {
    /// One service with a `build:` section.
    public struct Service: Sendable {
        public let name: String
        public let nameNode: YAMLNode
        public let build: YAMLNode
        /// `build.cache_from` / `build.cache_to` (lists of strings).
        public let cacheFrom: YAMLNode?
        public let cacheTo: YAMLNode?
        /// `build.x-bake.cache-from` / `cache-to` (a list, or a string split on whitespace).
        public let xBakeCacheFrom: YAMLNode?
        public let xBakeCacheTo: YAMLNode?
    }

    public let services: [Service]

    /// Reads the services of a compose document (`services.<name>.build`; a string `build: ./dir` counts).
    public init(root: YAMLNode) {
        var out: [Service] = []
        for p in root["services"]?.pairs ?? [] {
            guard let name = p.key.scalar, let build = p.value["build"] else { continue }
            let xb = build["x-bake"]
            out.append(
                Service(
                    name: name, nameNode: p.key, build: build, cacheFrom: build["cache_from"], cacheTo: build["cache_to"],
                    xBakeCacheFrom: xb?["cache-from"], xBakeCacheTo: xb?["cache-to"]))
        }
        services = out
    }

    /// The compose file as a bake file: one target per service (context, dockerfile, target, cache lists).
    public func bakeFile(path: String) -> BakeFile {
        func str(_ n: YAMLNode) -> BakeJSONNode { .string(n.scalar ?? "", n.valueSpan) }
        var targets: [(key: String, keySpan: SourceSpan, value: BakeJSONNode)] = []
        for s in services {
            var attrs: [(key: String, keySpan: SourceSpan, value: BakeJSONNode)] = []
            if let ctx = s.build.scalar {
                attrs.append(("context", s.build.valueSpan, .string(ctx, s.build.valueSpan)))
            } else {
                for (yamlKey, bakeKey) in [("context", "context"), ("dockerfile", "dockerfile"), ("target", "target")] {
                    if let p = s.build.pair(yamlKey), p.value.scalar != nil { attrs.append((bakeKey, p.key.span, str(p.value))) }
                }
            }
            for (list, xbake, key) in [(s.cacheFrom, s.xBakeCacheFrom, "cache-from"), (s.cacheTo, s.xBakeCacheTo, "cache-to")] {
                var items: [BakeJSONNode] = []
                var span: SourceSpan? = nil
                if let list, let elements = list.items {
                    items += elements.compactMap { $0.scalar != nil ? str($0) : nil }
                    span = list.span
                }
                if let xbake {
                    if let elements = xbake.items { items += elements.compactMap { $0.scalar != nil ? str($0) : nil } }
                    else if let text = xbake.scalar {
                        // x-bake strings are split on whitespace (bake/compose.go stringArray).
                        items += text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map { .string(String($0), xbake.valueSpan) }
                    }
                    span = span ?? xbake.span
                }
                if let span { attrs.append((key, span, .array(items, span))) }
            }
            targets.append((s.name, s.nameNode.span, .object(attrs, s.build.span)))
        }
        let whole = services.first?.nameNode.span ?? SourceSpan(at: SourcePosition(line: 1, column: 1, offset: 0))
        return BakeFileParser.parseJSON(.object([("target", whole, .object(targets, whole))], whole), path: path)
    }
}

/// Turning YAML (used for JSON bake files: JSON is YAML) into the bake model's neutral tree.
enum BakeJSON {
    static func node(_ n: YAMLNode, budget: inout Int) -> BakeJSONNode {
        budget -= 1
        let r = n.resolved
        guard budget > 0 else { return .null(r.span) }
        switch r.kind {
        case .scalar(let s, let style):
            if style == .plain {
                if s == "true" || s == "false" { return .bool(s == "true", r.valueSpan) }
                if s == "null" || s.isEmpty { return .null(r.valueSpan) }
                if let d = Double(s) { return .number(d, r.valueSpan) }
            }
            return .string(s, r.valueSpan)
        case .sequence(let items):
            return .array(items.map { node($0, budget: &budget) }, r.span)
        case .mapping(let pairs):
            return .object(pairs.compactMap { p in p.key.scalar.map { ($0, p.key.span, node(p.value, budget: &budget)) } }, r.span)
        case .alias:
            return .null(r.span)
        }
    }
}

extension FileAnalysis {
    /// Analyses a bake file (HCL, or JSON when the path ends in `.json`) or a compose file.
    static func bakeOrCompose(path: RepoPath, kind: FileKind, text: SourceText) -> FileAnalysis {
        let pathString = path.display
        if kind == .bake && !pathString.hasSuffix(".json") {
            do {
                let bake = try BakeFileParser.parseHCL(text, path: pathString)
                var a = FileAnalysis(path: path, kind: kind, text: text, bake: bake)
                a.bakeEntries = Self.hclEntries(bake, text: text)
                return a
            } catch {
                return FileAnalysis(path: path, kind: kind, text: text, parseError: YAMLError(message: error.message, position: error.position))
            }
        }
        let yaml: YAMLFile
        do { yaml = try YAMLParser.parse(text) } catch {
            return FileAnalysis(path: path, kind: kind, text: text, parseError: error)
        }
        guard let root = yaml.root, root.isMapping else {
            return FileAnalysis(path: path, kind: kind, text: text, yaml: yaml, bake: nil)
        }
        if kind == .compose {
            let compose = ComposeFile(root: root)
            var a = FileAnalysis(path: path, kind: kind, text: text, yaml: yaml, bake: compose.bakeFile(path: pathString))
            a.compose = compose
            a.bakeEntries = Self.composeEntries(compose, text: text)
            return a
        }
        var budget = 1_000_000
        let bake = BakeFileParser.parseJSON(BakeJSON.node(root, budget: &budget), path: pathString)
        var a = FileAnalysis(path: path, kind: kind, text: text, yaml: yaml, bake: bake)
        a.bakeEntries = Self.jsonEntries(root, text: text)
        return a
    }

    /// String elements of `cache-from`/`cache-to` lists of HCL targets, located exactly when the literal
    /// stands verbatim between its quotes. Elements with `${…}` interpolation are not known here.
    static func hclEntries(_ bake: BakeFile, text: SourceText) -> [BuildCacheEntry] {
        var out: [BuildCacheEntry] = []
        for t in bake.targets {
            for (name, direction) in [("cache-from", CacheDirection.import), ("cache-to", .export)] {
                guard let attr = t.attribute(name), case .tuple(let elements, _) = attr.expr else { continue }
                for e in elements {
                    guard let s = e.staticString else { continue }
                    out.append(entry(s, span: e.span, direction: direction, target: t.name, text: text))
                }
            }
        }
        return out
    }

    /// Elements of `cache-from`/`cache-to` lists of JSON bake targets.
    static func jsonEntries(_ root: YAMLNode, text: SourceText) -> [BuildCacheEntry] {
        var out: [BuildCacheEntry] = []
        for t in root["target"]?.pairs ?? [] {
            for (name, direction) in [("cache-from", CacheDirection.import), ("cache-to", .export)] {
                for item in t.value[name]?.items ?? [] {
                    guard let s = item.scalar, !s.hasSubstring("${") else { continue }
                    out.append(located(item, s, direction: direction, target: t.key.scalar ?? "?", text: text))
                }
            }
        }
        return out
    }

    /// Items of compose `cache_from`/`cache_to` and list-form `x-bake` cache attributes.
    static func composeEntries(_ compose: ComposeFile, text: SourceText) -> [BuildCacheEntry] {
        var out: [BuildCacheEntry] = []
        for s in compose.services {
            for (node, direction) in [(s.cacheFrom, CacheDirection.import), (s.cacheTo, .export), (s.xBakeCacheFrom, .import), (s.xBakeCacheTo, .export)] {
                for item in node?.items ?? [] {
                    guard let v = item.scalar, !v.hasSubstring("${") else { continue }
                    out.append(located(item, v, direction: direction, target: s.name, text: text))
                }
            }
        }
        return out
    }

    static func located(_ node: YAMLNode, _ value: String, direction: CacheDirection, target: String, text: SourceText) -> BuildCacheEntry {
        let offsets = node.valueOffsets(in: text)
        let entry = LocatedEntry(entry: CacheEntry(value), sourceOffsets: offsets, text: text)
        return BuildCacheEntry(direction: direction, located: entry, list: nil, bakeTarget: target)
    }

    static func entry(_ value: String, span: SourceSpan, direction: CacheDirection, target: String, text: SourceText) -> BuildCacheEntry {
        let v = Array(value.utf8)
        let start = span.start.offset + 1
        let offsets: [Int]
        if span.end.offset - 1 - start == v.count, start + v.count <= text.bytes.count, text.bytes[start..<(start + v.count)].elementsEqual(v) {
            offsets = Array(start...(start + v.count))
        } else {
            offsets = Array(repeating: span.start.offset, count: v.count) + [span.end.offset]
        }
        let entry = LocatedEntry(entry: CacheEntry(value), sourceOffsets: offsets, text: text)
        return BuildCacheEntry(direction: direction, located: entry, list: nil, bakeTarget: target)
    }
}
