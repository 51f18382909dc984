// The Docker bake model the linter's rules read: declarations as written (with spans), and targets
// resolved the way `docker buildx bake` resolves them (variables with environment overrides, groups,
// `inherits` merge rules, `matrix` expansion, `--set` overrides), keeping for every cache entry the
// span of the list element that produced it.
//
// Semantics follow docker/buildx `bake/bake.go` (Target.Merge, ReadTargets, newOverrides) and
// `bake/hclparser/hclparser.go` (variables, functions, matrix, renamed groups).

// MARK: - Declarations

/// A problem found while building or resolving the bake model (syntax errors are `HCLError`s instead).
public struct BakeIssue: Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. "target \"app\" inherits unknown target \"base\"".
    public let message: String
    /// The file it concerns ("" when it concerns no single file, e.g. an unknown requested target).
    public let file: String
    /// Where, when known (1-based line, 1-based UTF-8 byte column).
    public let span: SourceSpan?

    /// Creates an issue.
    public init(message: String, file: String, span: SourceSpan?) {
        self.message = message
        self.file = file
        self.span = span
    }

    /// `file:line:column: message` (parts omitted when unknown).
    public var description: String {
        guard let span else { return file.isEmpty ? message : "\(file): \(message)" }
        return "\(file):\(span.start): \(message)"
    }
}

/// One attribute of a bake block as written: the unevaluated expression and its positions.
public struct BakeAttr: Sendable {
    /// Attribute name (`cache-from`, `args`, …).
    public let name: String
    /// Span of the name (for JSON: of the key string).
    public let nameSpan: SourceSpan
    /// The value expression (for JSON: built from the JSON value; strings are templates).
    public let expr: HCLExpr
    /// From the name to the end of the value.
    public let span: SourceSpan
    /// Path of the file it is in.
    public let file: String

    /// Creates an attribute.
    public init(name: String, nameSpan: SourceSpan, expr: HCLExpr, span: SourceSpan, file: String) {
        self.name = name
        self.nameSpan = nameSpan
        self.expr = expr
        self.span = span
        self.file = file
    }
}

/// A `target "name" { … }` block as written.
public struct BakeTargetDecl: Sendable {
    /// The block label (before matrix renaming).
    public let name: String
    /// Span of the label (including quotes in HCL; the key in JSON).
    public let nameSpan: SourceSpan
    /// Span of the whole block.
    public let span: SourceSpan
    /// Path of the file it is in.
    public let file: String
    /// Attributes by name (`inherits`, `matrix`, `name`, `cache-from`, `cache-to`, `platforms`, `tags`,
    /// `context`, `dockerfile`, `target`, `args`, `output`, …). A repeated attribute keeps the last one
    /// (and is reported in `BakeFile.issues`).
    public let attributes: [String: BakeAttr]
    /// Attribute names in source order.
    public let attributeOrder: [String]

    /// Creates a declaration.
    public init(name: String, nameSpan: SourceSpan, span: SourceSpan, file: String, attributes: [String: BakeAttr], attributeOrder: [String]) {
        self.name = name
        self.nameSpan = nameSpan
        self.span = span
        self.file = file
        self.attributes = attributes
        self.attributeOrder = attributeOrder
    }

    /// The attribute called `name`, or nil.
    public func attribute(_ name: String) -> BakeAttr? { attributes[name] }

    /// The `inherits` entries that are plain string literals, in order (others need evaluation).
    public var staticInherits: [String] {
        guard case .tuple(let items, _)? = attributes["inherits"]?.expr else { return [] }
        return items.compactMap(\.staticString)
    }
}

/// A `group "name" { targets = [...] }` block as written.
public struct BakeGroupDecl: Sendable {
    /// The group name.
    public let name: String
    /// Span of the label.
    public let nameSpan: SourceSpan
    /// The members given as string literals, in order (all members when `targetsExpr` is a plain list of strings).
    public let targets: [String]
    /// The `targets` expression as written (nil when absent); evaluated at resolution when it is not static.
    public let targetsExpr: HCLExpr?
    /// Span of the whole block.
    public let span: SourceSpan
    /// Path of the file it is in.
    public let file: String

    /// Creates a declaration.
    public init(name: String, nameSpan: SourceSpan, targets: [String], targetsExpr: HCLExpr?, span: SourceSpan, file: String) {
        self.name = name
        self.nameSpan = nameSpan
        self.targets = targets
        self.targetsExpr = targetsExpr
        self.span = span
        self.file = file
    }
}

/// A `variable "NAME" { default = … }` block as written.
public struct BakeVariableDecl: Sendable {
    /// The variable name; an environment variable with the same name overrides the default.
    public let name: String
    /// Span of the label.
    public let nameSpan: SourceSpan
    /// The `default` expression, nil when absent (then the value is "" for an untyped variable).
    public let `default`: HCLExpr?
    /// The `type` expression (`string`, `bool`, `list(string)`, …), nil when absent.
    public let type: HCLExpr?
    /// The `description`, when it is a plain string.
    public let description: String?
    /// Span of the whole block.
    public let span: SourceSpan
    /// Path of the file it is in.
    public let file: String

    /// Creates a declaration.
    public init(name: String, nameSpan: SourceSpan, default: HCLExpr?, type: HCLExpr?, description: String?, span: SourceSpan, file: String) {
        self.name = name
        self.nameSpan = nameSpan
        self.default = `default`
        self.type = type
        self.description = description
        self.span = span
        self.file = file
    }
}

/// A `function "name" { params = […] result = … }` block as written.
public struct BakeFunctionDecl: Sendable {
    /// The function name.
    public let name: String
    /// Span of the label.
    public let nameSpan: SourceSpan
    /// Parameter names.
    public let params: [String]
    /// The `variadic_params` name, if any.
    public let variadicParam: String?
    /// The `result` expression (nil when missing, which buildx rejects).
    public let result: HCLExpr?
    /// Span of the whole block.
    public let span: SourceSpan
    /// Path of the file it is in.
    public let file: String

    /// Creates a declaration.
    public init(name: String, nameSpan: SourceSpan, params: [String], variadicParam: String?, result: HCLExpr?, span: SourceSpan, file: String) {
        self.name = name
        self.nameSpan = nameSpan
        self.params = params
        self.variadicParam = variadicParam
        self.result = result
        self.span = span
        self.file = file
    }
}

/// One parsed bake file (HCL or JSON).
public struct BakeFile: Sendable {
    /// The path given to the parser (used in every span's `file`).
    public let path: String
    /// Target blocks in source order (the same name may occur more than once; they merge).
    public let targets: [BakeTargetDecl]
    /// Group blocks in source order.
    public let groups: [BakeGroupDecl]
    /// Variable blocks in source order.
    public let variables: [BakeVariableDecl]
    /// Function blocks in source order.
    public let functions: [BakeFunctionDecl]
    /// Top-level attributes (`NAME = value`), which act as variables that the environment cannot override.
    public let globals: [BakeAttr]
    /// Structural problems (wrong labels, duplicate attributes, unknown blocks, bad JSON shapes).
    public let issues: [BakeIssue]
    /// Whether the file was JSON.
    public let isJSON: Bool

    /// Creates a file model.
    public init(
        path: String, targets: [BakeTargetDecl], groups: [BakeGroupDecl], variables: [BakeVariableDecl],
        functions: [BakeFunctionDecl], globals: [BakeAttr], issues: [BakeIssue], isJSON: Bool
    ) {
        self.path = path
        self.targets = targets
        self.groups = groups
        self.variables = variables
        self.functions = functions
        self.globals = globals
        self.issues = issues
        self.isJSON = isJSON
    }
}

/// A neutral JSON tree with positions, so JSON bake files can be built from any JSON front end
/// (the project's YAML/JSON parser). Spans are 1-based line, 1-based UTF-8 byte column.
public indirect enum BakeJSONNode: Sendable {
    /// A string (escapes already decoded) and the span of the whole string token, quotes included.
    case string(String, SourceSpan)
    /// A number.
    case number(Double, SourceSpan)
    /// `true` / `false`.
    case bool(Bool, SourceSpan)
    /// `null`.
    case null(SourceSpan)
    /// An array, spanning `[` to `]`.
    case array([BakeJSONNode], SourceSpan)
    /// Members in document order (duplicates kept; the last one wins, as in Go's JSON decoding).
    case object([(key: String, keySpan: SourceSpan, value: BakeJSONNode)], SourceSpan)

    /// The node's span.
    public var span: SourceSpan {
        switch self {
        case .string(_, let s), .number(_, let s), .bool(_, let s), .null(let s), .array(_, let s), .object(_, let s): return s
        }
    }
}

/// Builds `BakeFile`s from HCL text or a JSON tree.
public enum BakeFileParser {
    /// Parses an HCL bake file.
    ///
    /// - Parameters:
    ///   - text: the file's text.
    ///   - path: the path to record in the model (and in every `file` field).
    /// - Returns: the declarations; structural problems go to `issues`.
    /// - Throws: `HCLError` for syntax errors.
    public static func parseHCL(_ text: SourceText, path: String) throws(HCLError) -> BakeFile {
        let body = try HCLParser.parse(text)
        return build(body, path: path)
    }

    /// Builds a file model from a parsed HCL body (for callers that parsed it already).
    public static func build(_ body: HCLBody, path: String) -> BakeFile {
        var b = Builder(path: path)
        for a in body.attributes {
            b.globals.append(BakeAttr(name: a.name, nameSpan: a.nameSpan, expr: a.expr, span: a.span, file: path))
        }
        for block in body.blocks {
            guard ["target", "group", "variable", "function"].contains(block.type) else {
                b.issue("unknown block type \"\(block.type)\" (bake knows target, group, variable and function)", block.typeSpan)
                continue
            }
            guard let label = block.labels.first else {
                b.issue("\(block.type) block needs a name label", block.typeSpan)
                continue
            }
            if block.labels.count > 1 {
                b.issue("\(block.type) block has \(block.labels.count) labels; only one is allowed", block.labels[1].span)
            }
            for nested in block.body.blocks where !(block.type == "variable" && nested.type == "validation") {
                b.issue("unexpected \"\(nested.type)\" block inside \(block.type) \"\(label.value)\"", nested.typeSpan)
            }
            let attrs = block.body.attributes.map {
                BakeAttr(name: $0.name, nameSpan: $0.nameSpan, expr: $0.expr, span: $0.span, file: path)
            }
            b.add(type: block.type, name: label.value, nameSpan: label.span, span: block.span, attrs: attrs)
        }
        return b.finish(isJSON: false)
    }

    /// Builds a file model from a JSON bake file (`{"target": {…}, "group": {…}, "variable": {…}}`).
    /// String values are parsed as HCL templates (`${VAR}`); nodes inside a string all carry the
    /// string's span. Problems (not an object, bad template syntax, wrong shapes) go to `issues`.
    public static func parseJSON(_ root: BakeJSONNode, path: String) -> BakeFile {
        var b = Builder(path: path)
        guard case .object(let members, _) = root else {
            b.issue("a JSON bake file must be an object", root.span)
            return b.finish(isJSON: true)
        }
        for m in members where m.key != "//" {
            switch m.key {
            case "target", "group", "variable", "function":
                guard case .object(let labels, _) = m.value else {
                    b.issue("\"\(m.key)\" must be an object of named blocks", m.value.span)
                    continue
                }
                for l in labels where l.key != "//" {
                    // A block may be one object or an array of objects (repeated blocks).
                    let bodies: [BakeJSONNode]
                    if case .array(let items, _) = l.value { bodies = items } else { bodies = [l.value] }
                    for bodyNode in bodies {
                        guard case .object(let fields, let bodySpan) = bodyNode else {
                            b.issue("\(m.key) \"\(l.key)\" must be an object", bodyNode.span)
                            continue
                        }
                        var attrs: [BakeAttr] = []
                        for f in fields where f.key != "//" {
                            let e = b.jsonExpr(f.value, keyword: m.key == "function" && (f.key == "params" || f.key == "variadic_params"))
                            attrs.append(BakeAttr(name: f.key, nameSpan: f.keySpan, expr: e, span: SourceSpan(start: f.keySpan.start, end: f.value.span.end), file: path))
                        }
                        b.add(type: m.key, name: l.key, nameSpan: l.keySpan, span: bodySpan, attrs: attrs)
                    }
                }
            default:
                let e = b.jsonExpr(m.value, keyword: false)
                b.globals.append(BakeAttr(name: m.key, nameSpan: m.keySpan, expr: e, span: SourceSpan(start: m.keySpan.start, end: m.value.span.end), file: path))
            }
        }
        return b.finish(isJSON: true)
    }

    struct Builder {
        let path: String
        var targets: [BakeTargetDecl] = []
        var groups: [BakeGroupDecl] = []
        var variables: [BakeVariableDecl] = []
        var functions: [BakeFunctionDecl] = []
        var globals: [BakeAttr] = []
        var issues: [BakeIssue] = []

        init(path: String) { self.path = path }

        mutating func issue(_ message: String, _ span: SourceSpan?) {
            issues.append(BakeIssue(message: message, file: path, span: span))
        }

        mutating func add(type: String, name: String, nameSpan: SourceSpan, span: SourceSpan, attrs: [BakeAttr]) {
            var byName: [String: BakeAttr] = [:]
            var order: [String] = []
            for a in attrs {
                if byName[a.name] != nil {
                    issue("attribute \"\(a.name)\" is defined more than once in \(type) \"\(name)\"", a.nameSpan)
                } else {
                    order.append(a.name)
                }
                byName[a.name] = a
            }
            switch type {
            case "target":
                // buildx decodes targets strictly: an unknown attribute (often `cache_from`) fails the load.
                for a in order where !Self.targetAttributes.contains(a) {
                    let dashed = a.replacingUnderscores()
                    let hint = dashed != a && Self.targetAttributes.contains(dashed) ? " (did you mean \"\(dashed)\"?)" : ""
                    issue("unknown attribute \"\(a)\" in target \"\(name)\"\(hint)", byName[a]!.nameSpan)
                }
                targets.append(BakeTargetDecl(name: name, nameSpan: nameSpan, span: span, file: path, attributes: byName, attributeOrder: order))
            case "group":
                let expr = byName["targets"]?.expr
                var members: [String] = []
                if case .tuple(let items, _)? = expr { members = items.compactMap(\.staticString) }
                for a in order where a != "targets" && a != "description" {
                    issue("unexpected attribute \"\(a)\" in group \"\(name)\"", byName[a]!.nameSpan)
                }
                groups.append(BakeGroupDecl(name: name, nameSpan: nameSpan, targets: members, targetsExpr: expr, span: span, file: path))
            case "variable":
                variables.append(BakeVariableDecl(
                    name: name, nameSpan: nameSpan, default: byName["default"]?.expr, type: byName["type"]?.expr,
                    description: byName["description"]?.expr.staticString, span: span, file: path))
            default:
                var params: [String] = []
                if let p = byName["params"] {
                    if case .tuple(let items, _) = p.expr {
                        for item in items {
                            if let n = Self.keyword(item) { params.append(n) } else { issue("function parameter names must be identifiers", item.span) }
                        }
                    } else {
                        issue("params of function \"\(name)\" must be a list of names", p.expr.span)
                    }
                } else {
                    issue("function \"\(name)\" has no params attribute", nameSpan)
                }
                let variadic = byName["variadic_params"].flatMap { Self.keyword($0.expr) }
                if byName["result"] == nil { issue("function \"\(name)\" has no result attribute", nameSpan) }
                functions.append(BakeFunctionDecl(
                    name: name, nameSpan: nameSpan, params: params, variadicParam: variadic, result: byName["result"]?.expr, span: span, file: path))
            }
        }

        /// Attributes of buildx's `Target` (bake/bake.go), plus the block-level `name` and `matrix`.
        static let targetAttributes: Set<String> = [
            "name", "matrix", "description", "inherits", "annotations", "attest", "context", "contexts", "dockerfile",
            "dockerfile-inline", "args", "labels", "tags", "cache-from", "cache-to", "target", "secret", "ssh",
            "platforms", "output", "pull", "no-cache", "network", "no-cache-filter", "shm-size", "ulimits",
            "resources", "call", "entitlements", "extra-hosts", "policy",
        ]

        /// A bare identifier (HCL) or a plain string (JSON) naming a parameter.
        static func keyword(_ e: HCLExpr) -> String? {
            if case .variable(let n, _) = e { return n }
            return e.staticString
        }

        mutating func jsonExpr(_ n: BakeJSONNode, keyword: Bool) -> HCLExpr {
            switch n {
            case .string(let s, let sp):
                if keyword { return .variable(s, span: sp) }
                return template(s, sp)
            case .number(let d, let sp): return .number(d, span: sp)
            case .bool(let v, let sp): return .bool(v, span: sp)
            case .null(let sp): return .null(span: sp)
            case .array(let items, let sp): return .tuple(items.map { jsonExpr($0, keyword: keyword) }, span: sp)
            case .object(let members, let sp):
                var items: [HCLObjectItem] = []
                for m in members where m.key != "//" {
                    let v = jsonExpr(m.value, keyword: false)
                    items.append(HCLObjectItem(key: .expression(template(m.key, m.keySpan)), value: v, span: SourceSpan(start: m.keySpan.start, end: m.value.span.end)))
                }
                return .object(items, span: sp)
            }
        }

        mutating func template(_ s: String, _ sp: SourceSpan) -> HCLExpr {
            if !s.contains("${") && !s.contains("%{") {
                return .template(s.isEmpty ? [] : [.literal(s, span: sp)], span: sp)
            }
            do {
                return try HCLParser.parseTemplate(s, span: sp)
            } catch {
                issue("invalid template in JSON string: \(error.message)", sp)
                return .template([.literal(s, span: sp)], span: sp)
            }
        }

        func finish(isJSON: Bool) -> BakeFile {
            BakeFile(path: path, targets: targets, groups: groups, variables: variables, functions: functions, globals: globals, issues: issues, isJSON: isJSON)
        }
    }
}

// MARK: - Resolution results

/// A `--set` override (docker/bake-action `set:` line or `docker buildx bake --set`).
public struct BakeSetOverride: Sendable, Hashable {
    /// Target name pattern (Go `path.Match`: `*`, `?`, `[…]`), e.g. `*`, `app`, `app-*`.
    public let pattern: String
    /// The attribute path as written: `cache-from`, `cache-to`, `platform`, `tags`, `args.FOO`, …
    /// (buildx matches attribute names case-sensitively and keeps the case of `args.NAME`).
    public let key: String
    /// The value; nil for `args.NAME` without `=` (buildx then reads the environment).
    public let value: String?
    /// Whether the line used `+=` (append, buildx ≥ 0.22.0) instead of `=` (replace).
    public let append: Bool
    /// Where the override was written (e.g. the `set:` line in a workflow).
    public let span: SourceSpan
    /// The file it was written in.
    public let file: String

    /// Creates an override from its parts.
    public init(pattern: String, key: String, value: String?, append: Bool, span: SourceSpan, file: String) {
        self.pattern = pattern
        self.key = key
        self.value = value
        self.append = append
        self.span = span
        self.file = file
    }

    /// Parses one `pattern.key=value` / `pattern.key+=value` line; nil when there is no `.` in the key,
    /// or no `=` (except for `args.NAME`).
    public init?(line: String, span: SourceSpan, file: String) {
        let b = Array(line.utf8)
        let eq = b.firstIndex(of: 0x3D)
        var keyEnd = eq ?? b.count
        let append = eq != nil && keyEnd > 0 && b[keyEnd - 1] == 0x2B
        if append { keyEnd -= 1 }
        let key = b[..<keyEnd]
        guard let dot = key.firstIndex(of: 0x2E) else { return nil }
        let pattern = String(decoding: key[..<dot], as: UTF8.self)
        let attr = String(decoding: key[(dot + 1)...], as: UTF8.self)
        if eq == nil && !attr.hasPrefix("args.") { return nil }
        self.init(pattern: pattern, key: attr, value: eq.map { String(decoding: b[($0 + 1)...], as: UTF8.self) }, append: append, span: span, file: file)
    }
}

/// One resolved `cache-from` / `cache-to` entry, with the source of the list element that produced it
/// (for an inherited entry: the parent's element; for a `--set` entry: the override's span and file).
public enum BakeCacheItem: Sendable, Hashable {
    /// A string entry (`"type=gha,scope=x"`, `"user/app:cache"`); `value` is nil when it could not be computed.
    case string(value: String?, span: SourceSpan, file: String)
    /// An object entry (`{ type = "gha", scope = "x" }`, buildx ≥ 0.20); a nil value is an unknown value.
    case object([String: String?], span: SourceSpan, file: String)

    /// The span of the element expression (or override) that produced the entry.
    public var span: SourceSpan {
        switch self {
        case .string(_, let s, _), .object(_, let s, _): return s
        }
    }

    /// The file of that element.
    public var file: String {
        switch self {
        case .string(_, _, let f), .object(_, _, let f): return f
        }
    }

    /// The entry as buildx parses it (an object's keys joined as `key=value` in sorted order); nil when a
    /// value is not known.
    public var entry: CacheEntry? {
        switch self {
        case .string(let value, _, _):
            return value.map(CacheEntry.init)
        case .object(let o, _, _):
            guard o.values.allSatisfy({ $0 != nil }) else { return nil }
            return CacheEntry(o.keys.sorted().map { "\($0)=\(o[$0]!!)" }.joined(separator: ","))
        }
    }

    /// Whether the entry's value (every key's value for objects) is known.
    public var isKnown: Bool {
        switch self {
        case .string(let v, _, _): return v != nil
        case .object(let o, _, _): return o.values.allSatisfy { $0 != nil }
        }
    }
}

/// How an attribute's value was shaped. `cache-from`/`cache-to` need a list: anything else is a
/// load error in buildx ("list required"), which the `string` form (BXC401) is the common case of.
public enum BakeAttrForm: Sendable, Hashable {
    /// A list or tuple (the valid form).
    case list
    /// A bare string (`cache-to = "type=gha"`): buildx fails with "list required".
    case string
    /// An object (`cache-to = { type = "gha" }` without the surrounding list).
    case object
    /// A number or bool.
    case other
    /// Could not be computed.
    case unknown
}

/// Where one `cache-from`/`cache-to` attribute that contributed to a resolved target was written, and its form.
public struct BakeAttrShape: Sendable, Hashable {
    /// `cache-from` or `cache-to`.
    public let attribute: String
    /// The value's form after evaluation.
    public let form: BakeAttrForm
    /// The declared target (block label) it belongs to; "" for overrides.
    public let declName: String
    /// File of the attribute.
    public let file: String
    /// Span of the attribute name (for overrides: of the override).
    public let nameSpan: SourceSpan
    /// Span of the value expression (for overrides: of the override).
    public let valueSpan: SourceSpan
    /// Whether it came from a `--set` override.
    public let fromOverride: Bool
}

/// One element of a resolved list attribute, with its provenance.
public struct BakeResolvedElement: Sendable, Hashable {
    /// The element's value.
    public let value: HCLValue
    /// Span of the element expression that produced it: the tuple element when the list is written
    /// out, the `for` value expression for a `for` expression, otherwise the attribute's whole value
    /// expression (or the override line for `--set`).
    public let span: SourceSpan
    /// File of that expression.
    public let file: String
    /// When `value` is not wholly known and the element is a template: the text with each unknown
    /// part replaced by U+FFFC (`type=gha,scope=\u{FFFC}`), so rules can still read the known parts.
    public let partial: String?
    /// Root names the element expression reads (variables, matrix values, `target`), deduplicated.
    public let variables: [String]
}

/// Where an attribute's current value was last set.
public struct BakeAttrOrigin: Sendable, Hashable {
    /// The declared target (block label) it belongs to; "" for overrides.
    public let declName: String
    /// File of the attribute (or override).
    public let file: String
    /// Span of the attribute name (or override).
    public let nameSpan: SourceSpan
    /// Span of the value expression (or override).
    public let valueSpan: SourceSpan
}

/// One attribute of a resolved target after inherits, same-name merging and overrides.
public struct BakeResolvedAttr: Sendable {
    /// Attribute name.
    public let name: String
    /// The merged value (a list for list attributes, an object for `args`/`labels`/…).
    public let value: HCLValue
    /// For list attributes (`cache-from`, `cache-to`, `platforms`, `tags`, `output`, …): each element with provenance.
    public let elements: [BakeResolvedElement]?
    /// The declaration (or override) that last set it.
    public let origin: BakeAttrOrigin
    /// Whether `value` contains no unknowns.
    public var isFullyKnown: Bool { value.isWhollyKnown }
}

/// A target as bake would build it.
public struct ResolvedBakeTarget: Sendable {
    /// The target name (after matrix renaming). When a matrix `name` cannot be computed, the known parts
    /// with U+FFFC for unknown parts, or `<label>-<index>`; see `nameKnown`.
    public let name: String
    /// Whether `name` was computed exactly.
    public let nameKnown: Bool
    /// The block label of the declaration.
    public let declName: String
    /// File of the (first) declaration.
    public let file: String
    /// Span of the (first) declaration block.
    public let span: SourceSpan
    /// Span of its label.
    public let nameSpan: SourceSpan
    /// The matrix combination of this instance (empty without a matrix).
    public let matrix: [String: HCLValue]
    /// Resolved `cache-from` entries in order (merged along `inherits`, deduplicated; empty strings and nulls dropped).
    public let cacheFrom: [BakeCacheItem]
    /// Resolved `cache-to` entries (the child's list replaces the parent's; deduplicated).
    public let cacheTo: [BakeCacheItem]
    /// Every `cache-from`/`cache-to` attribute that contributed (own, inherited, same-name blocks, overrides).
    public let cacheShapes: [BakeAttrShape]
    /// Platforms when set: known elements only (see `attributes["platforms"]` for unknowns),
    /// comma-separated entries split and duplicates removed, as buildx does when it builds.
    public let platforms: [String]?
    /// Tags when set (known elements only).
    public let tags: [String]?
    /// Outputs when set (known elements only).
    public let outputs: [String]?
    /// Build context (default ".", nil when unknown).
    public let context: String?
    /// Dockerfile (default "Dockerfile", nil when unknown).
    public let dockerfile: String?
    /// Build stage (`target` attribute), nil when unset or unknown.
    public let target: String?
    /// Build args (a nil value is unknown).
    public let args: [String: String?]
    /// All targets merged in through `inherits`, nearest first.
    public let ancestors: [String]
    /// Every resolved attribute by name.
    public let attributes: [String: BakeResolvedAttr]

    /// What the target builds, as one comparable string: context, Dockerfile, stage and build args (an unknown
    /// part empty; see `buildKnown`).
    public var buildIdentity: String {
        "\(context ?? "")|\(dockerfile ?? "")|\(target ?? "")|" + args.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value ?? "")" }.joined(separator: "\u{1}")
    }

    /// Whether every part of `buildIdentity` is known.
    public var buildKnown: Bool {
        context != nil && dockerfile != nil && (attributes["target"]?.isFullyKnown ?? true)
            && (attributes["args"]?.isFullyKnown ?? true) && !args.values.contains(nil)
    }
}

/// The full result of a resolution.
public struct BakeResolution: Sendable {
    /// The resolved targets, in the order the requested names expand to.
    public let targets: [ResolvedBakeTarget]
    /// Values of all declared variables (after environment overrides).
    public let variables: [String: HCLValue]
    /// Every `cache-from`/`cache-to` attribute of every target block, requested or not, in load order
    /// (buildx decodes all blocks, so a bare string anywhere fails the load: BXC401). Overrides excluded.
    public let allCacheShapes: [BakeAttrShape]
    /// Problems: unknown targets, cycles, unevaluable matrices or names, inherits that are not strings, …
    public let issues: [BakeIssue]
    /// Evaluation steps the resolution used (callers that resolve many times bound their total).
    public var stepsUsed = 0
}

// MARK: - Project

/// Several bake files taken together, as `docker buildx bake -f a -f b` does: variables, functions
/// and targets are shared; later definitions override variables and merge into same-named targets.
public struct BakeProject: Sendable {
    /// The files in load order.
    public let files: [BakeFile]

    /// Combines `files` in the order given (buildx default order: compose files, docker-bake.json,
    /// docker-bake.hcl, the override files).
    public init(files: [BakeFile]) { self.files = files }

    /// The value to give an environment variable that is set but not known (a runner's `GITHUB_EVENT_NAME`, a
    /// step's `env:` computed at run time): a variable it overrides is unknown, not its default.
    public static let unknownEnvironmentValue = "\u{0}unknown"

    /// All target declarations in load order.
    public var targetDecls: [BakeTargetDecl] { files.flatMap(\.targets) }
    /// All group declarations in load order.
    public var groupDecls: [BakeGroupDecl] { files.flatMap(\.groups) }
    /// Variable declarations by name (a later declaration replaces an earlier one).
    public var variables: [String: BakeVariableDecl] {
        var out: [String: BakeVariableDecl] = [:]
        for f in files { for v in f.variables { out[v.name] = v } }
        return out
    }
    /// Function declarations by name (later replaces earlier).
    public var functions: [String: BakeFunctionDecl] {
        var out: [String: BakeFunctionDecl] = [:]
        for f in files { for v in f.functions { out[v.name] = v } }
        return out
    }

    /// Resolves targets like `docker buildx bake TARGET…`.
    ///
    /// - Parameters:
    ///   - targets: target or group names or patterns; empty means `default`.
    ///   - env: environment; a variable's default is overridden by the entry with the same name.
    ///   - overrides: `--set` overrides in order.
    /// - Returns: the resolved targets (see `resolution(…)` for the issues found on the way).
    public func resolve(targets: [String], env: [String: String], overrides: [BakeSetOverride] = []) -> [ResolvedBakeTarget] {
        resolution(targets: targets, env: env, overrides: overrides).targets
    }

    /// Evaluation steps one resolution may take (a bound against exponential input).
    public static let resolutionSteps = 5_000_000

    /// Resolves targets and reports problems.
    ///
    /// - Parameters:
    ///   - targets: names or patterns; empty means `default`.
    ///   - env: environment overriding variable defaults by name.
    ///   - overrides: `--set` overrides.
    ///   - builtins: values for `BAKE_LOCAL_PLATFORM` / `BAKE_CMD_CONTEXT`; absent ones are unknown.
    ///   - steps: the evaluation steps it may take; past them values are unknown (`stepsUsed` says how many it took).
    public func resolution(
        targets: [String], env: [String: String], overrides: [BakeSetOverride] = [], builtins: [String: String] = [:],
        steps: Int = BakeProject.resolutionSteps
    ) -> BakeResolution {
        let r = BakeResolver(project: self, env: env, builtins: builtins, steps: steps)
        var res = r.run(requested: targets, overrides: overrides)
        res.stepsUsed = steps - r.budget.remainingSteps
        return res
    }

    /// The values of all declared variables under `env`.
    public func variableValues(env: [String: String], builtins: [String: String] = [:]) -> [String: HCLValue] {
        let r = BakeResolver(project: self, env: env, builtins: builtins)
        return r.allVariables()
    }

    /// Evaluates `expr` in the project's global scope (variables with `env` overrides, functions),
    /// with `locals` (e.g. matrix values) on top.
    public func evaluate(_ expr: HCLExpr, env: [String: String] = [:], locals: [String: HCLValue] = [:], builtins: [String: String] = [:]) -> HCLValue {
        let r = BakeResolver(project: self, env: env, builtins: builtins)
        return r.evaluator.evaluate(expr, locals: locals)
    }
}

// MARK: - Resolver

/// Mutable state of one resolution. Not shared across threads.
final class BakeResolver: HCLGlobalResolver {
    static let builtinNames: Set<String> = ["BAKE_LOCAL_PLATFORM", "BAKE_CMD_CONTEXT"]
    static let maxMatrixCombinations = 1_024
    static let maxInstances = 10_000
    static let maxResolveNesting = 64
    static let listAttributes: Set<String> = [
        "cache-from", "cache-to", "platforms", "tags", "output", "annotations", "attest", "secret", "ssh",
        "no-cache-filter", "ulimits", "entitlements", "inherits", "policy",
    ]
    static let appendAttributes: Set<String> = ["annotations", "attest", "secret", "ssh", "no-cache-filter", "ulimits", "entitlements", "inherits", "policy"]
    static let mapAttributes: Set<String> = ["args", "labels", "extra-hosts", "contexts"]
    static let dedupedAttributes: Set<String> = ["cache-from", "cache-to", "platforms", "tags", "annotations", "no-cache-filter", "ulimits", "entitlements"]

    let project: BakeProject
    let env: [String: String]
    let builtins: [String: String]
    let budget: HCLEvalBudget
    var functions: [String: HCLUserFunction] = [:]
    var variableDecls: [String: BakeVariableDecl] = [:]
    var globalAttrs: [String: BakeAttr] = [:]
    var cache: [String: HCLValue] = [:]
    var inProgress: Set<String> = []
    var nesting = 0
    var issues: [BakeIssue] = []
    var issueKeys: Set<String> = []

    struct Instance {
        let decl: BakeTargetDecl
        let name: String
        let nameKnown: Bool
        let locals: [String: HCLValue]
    }

    struct AttrState {
        var value: HCLValue
        var elements: [BakeResolvedElement]?
        var origin: BakeAttrOrigin
        var shapes: [BakeAttrShape] = []
    }

    typealias TargetState = [String: AttrState]

    var instancesByName: [String: [Instance]] = [:]
    var instanceOrder: [String] = []
    var renamedGroups: [(String, [String])] = []
    var instancesBuilt = false
    var buildingInstances = false
    var ownCache: [String: (TargetState, Instance)] = [:]
    var overridesByTarget: [String: [BakeSetOverride]] = [:]

    init(project: BakeProject, env: [String: String], builtins: [String: String], steps: Int = BakeProject.resolutionSteps) {
        budget = HCLEvalBudget(steps: steps)
        self.project = project
        self.env = env
        self.builtins = builtins
        variableDecls = project.variables
        for f in project.files { for g in f.globals where !["target", "group", "variable", "function"].contains(g.name) { globalAttrs[g.name] = g } }
        for (n, d) in project.functions {
            if let r = d.result { functions[n] = HCLUserFunction(name: n, params: d.params, variadicParam: d.variadicParam, result: r) }
        }
    }

    /// A fresh evaluator over this resolver (made on demand so no reference cycle outlives a call).
    var evaluator: HCLEvaluator {
        HCLEvaluator(variables: [:], functions: functions, resolver: self, budget: budget)
    }

    func issue(_ message: String, _ file: String, _ span: SourceSpan?) {
        let key = "\(file)|\(span?.description ?? "")|\(message)"
        if issueKeys.insert(key).inserted { issues.append(BakeIssue(message: message, file: file, span: span)) }
    }

    // MARK: globals

    func resolveGlobal(_ name: String, path: [String]) -> HCLValue? {
        if Self.builtinNames.contains(name) {
            return builtins[name].map { .string($0) } ?? .unknown
        }
        if name == "target" { return targetGlobal(path) }
        guard variableDecls[name] != nil || globalAttrs[name] != nil else { return nil }
        if let v = cache[name] { return v }
        guard !inProgress.contains(name), nesting < Self.maxResolveNesting else {
            if let d = variableDecls[name] {
                let why = inProgress.contains(name) ? "refers to itself" : "depends on a chain of more than \(Self.maxResolveNesting) variables"
                issue("variable \"\(name)\" \(why)", d.file, d.nameSpan)
            }
            return .unknown
        }
        inProgress.insert(name)
        nesting += 1
        defer {
            inProgress.remove(name)
            nesting -= 1
        }
        let v: HCLValue
        if let d = variableDecls[name] {
            v = variableValue(d).bounded
        } else {
            v = evaluator.evaluate(globalAttrs[name]!.expr).bounded
        }
        cache[name] = v
        return v
    }

    func allVariables() -> [String: HCLValue] {
        var out: [String: HCLValue] = [:]
        for name in variableDecls.keys.sorted() { out[name] = resolveGlobal(name, path: []) ?? .unknown }
        return out
    }

    indirect enum VarType {
        case any, string, number, bool
        case list(VarType), map(VarType)
        case unsupported
    }

    static func varType(_ e: HCLExpr?) -> VarType? {
        guard let e else { return nil }
        switch e {
        case .variable("string", _): return .string
        case .variable("number", _): return .number
        case .variable("bool", _): return .bool
        case .variable("any", _): return .any
        case .call(let f, _, let args, _, _) where args.count == 1:
            guard let inner = varType(args[0]) else { return .unsupported }
            switch f {
            case "list", "set": return .list(inner)
            case "map": return .map(inner)
            default: return .unsupported
            }
        case .null: return nil
        default:
            // JSON bake files give the type as a string.
            if let s = e.staticString {
                switch s {
                case "string": return .string
                case "number": return .number
                case "bool": return .bool
                case "any": return .any
                default: return .unsupported
                }
            }
            return .unsupported
        }
    }

    /// Go `strconv.ParseBool`.
    static func parseBool(_ s: String) -> Bool? {
        switch s {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }

    static func convertPrimitive(_ s: String, _ t: VarType) -> HCLValue {
        switch t {
        case .string, .any: return .string(s)
        case .bool: return parseBool(s).map { .bool($0) } ?? .unknown
        case .number:
            guard let d = HCLValue.string(s).numberValue, d.isFinite else { return .unknown }
            return .number(d)
        default: return .unknown
        }
    }

    /// Splits a CSV record (commas, double-quoted fields), as buildx does for typed list overrides.
    static func csvFields(_ s: String, separator: Character = ",") -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        let it = Array(s)
        var i = 0
        if it.isEmpty { return [] }
        while i < it.count {
            let c = it[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < it.count, it[i + 1] == "\"" { cur.append("\""); i += 1 } else { quoted = false }
                } else {
                    cur.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == separator {
                out.append(cur)
                cur = ""
            } else {
                cur.append(c)
            }
            i += 1
        }
        out.append(cur)
        return out
    }

    func variableValue(_ d: BakeVariableDecl) -> HCLValue {
        let type = Self.varType(d.type)
        let override = env[d.name]
        if override == BakeProject.unknownEnvironmentValue { return .unknown }
        var value: HCLValue
        if let def = d.default {
            value = evaluator.evaluate(def)
        } else if override == nil {
            // Untyped without default: empty string; typed: null.
            return type == nil ? .string("") : .null
        } else {
            value = .null
        }
        guard let s = override else { return value }
        switch type {
        case .string?, .number?, .bool?, .any?:
            return Self.convertPrimitive(s, type!)
        case .list(let inner)?:
            return .list(Self.csvFields(s).map { Self.convertPrimitive($0, inner) })
        case .map(let inner)?:
            var o: [String: HCLValue] = [:]
            for f in Self.csvFields(s) {
                let kv = Self.csvFields(f, separator: ":")
                guard kv.count == 2 else { return .unknown }
                o[kv[0]] = Self.convertPrimitive(kv[1], inner)
            }
            return .object(o)
        case .unsupported?:
            return .unknown
        case nil:
            switch value {
            case .null, .unknown, .string: return .string(s)
            case .bool: return Self.convertPrimitive(s, .bool)
            case .number: return Self.convertPrimitive(s, .number)
            default: return .unknown  // buildx: unsupported type for an environment override
            }
        }
    }

    /// `target.<name>.<attr>` references: the named target's own attribute value.
    func targetGlobal(_ path: [String]) -> HCLValue? {
        guard !buildingInstances else { return .unknown }
        buildInstances()
        guard let tname = path.first else { return .unknown }
        guard let inst = instancesByName[tname]?.last else { return nil }
        let attrs = path.count >= 2 ? [path[1]] : inst.decl.attributeOrder
        var obj: [String: HCLValue] = [:]
        for a in attrs {
            guard let attr = inst.decl.attributes[a], a != "matrix", a != "name" else { continue }
            let key = "target.\(tname).\(a)"
            if let v = cache[key] { obj[a] = v; continue }
            guard !inProgress.contains(key), nesting < Self.maxResolveNesting else { obj[a] = .unknown; continue }
            inProgress.insert(key)
            nesting += 1
            let v = evaluator.evaluate(attr.expr, locals: inst.locals)
            nesting -= 1
            inProgress.remove(key)
            cache[key] = v
            obj[a] = v
        }
        return .object([tname: .object(obj)])
    }

    // MARK: instances (matrix expansion)

    func buildInstances() {
        guard !instancesBuilt else { return }
        instancesBuilt = true
        buildingInstances = true
        defer { buildingInstances = false }
        var count = 0
        for decl in project.targetDecls {
            var names: [String] = []
            for inst in expand(decl) {
                if count >= Self.maxInstances {
                    issue("too many targets after matrix expansion (limit \(Self.maxInstances)); the rest are ignored", decl.file, decl.nameSpan)
                    break
                }
                count += 1
                if instancesByName[inst.name] == nil { instanceOrder.append(inst.name) }
                instancesByName[inst.name, default: []].append(inst)
                names.append(inst.name)
            }
            if names != [decl.name] {
                renamedGroups.append((decl.name, names))
            }
        }
    }

    func expand(_ decl: BakeTargetDecl) -> [Instance] {
        let nameAttr = decl.attributes["name"]
        guard let matrixAttr = decl.attributes["matrix"] else {
            if let n = nameAttr { issue("\"name\" requires \"matrix\" in target \"\(decl.name)\"", n.file, n.nameSpan) }
            return [Instance(decl: decl, name: decl.name, nameKnown: true, locals: [:])]
        }
        let m = evaluator.evaluate(matrixAttr.expr)
        var combos: [[String: HCLValue]] = [[:]]
        switch m {
        case .object(let o):
            for key in o.keys.sorted() {
                guard case .list(let values) = o[key]! else {
                    issue("matrix value \"\(key)\" of target \"\(decl.name)\" is not a list that can be computed", matrixAttr.file, matrixAttr.expr.span)
                    // Cannot enumerate: keep one instance with this key unknown.
                    combos = combos.map { var c = $0; c[key] = .unknown; return c }
                    continue
                }
                var next: [[String: HCLValue]] = []
                for v in values {
                    for c in combos {
                        var c2 = c
                        c2[key] = v
                        next.append(c2)
                        if next.count > Self.maxMatrixCombinations { break }
                    }
                    if next.count > Self.maxMatrixCombinations { break }
                }
                if next.count > Self.maxMatrixCombinations {
                    issue("matrix of target \"\(decl.name)\" has more than \(Self.maxMatrixCombinations) combinations; the rest are ignored", matrixAttr.file, matrixAttr.expr.span)
                    next = Array(next.prefix(Self.maxMatrixCombinations))
                }
                combos = next
            }
        default:
            issue("matrix of target \"\(decl.name)\" must be an object of lists that can be computed", matrixAttr.file, matrixAttr.expr.span)
            combos = [[:]]
        }
        if nameAttr == nil, combos.count > 1 {
            issue("target \"\(decl.name)\" has a matrix but no \"name\", so its expansions share one name", matrixAttr.file, matrixAttr.nameSpan)
        }
        var out: [Instance] = []
        for (i, locals) in combos.enumerated() {
            var name = decl.name
            var known = true
            if let n = nameAttr {
                if let s = evaluator.evaluate(n.expr, locals: locals).stringValue {
                    name = s
                } else {
                    known = false
                    if let p = evaluator.renderPartial(n.expr, locals: locals), !p.isEmpty { name = p } else { name = "\(decl.name)-\(i)" }
                    issue("the name of a matrix expansion of target \"\(decl.name)\" cannot be computed", n.file, n.expr.span)
                }
            }
            out.append(Instance(decl: decl, name: name, nameKnown: known, locals: locals))
        }
        return out
    }

    // MARK: attribute evaluation

    func refs(_ e: HCLExpr) -> [String] {
        var seen = Set<String>()
        return e.variableReferences.compactMap { seen.insert($0.name).inserted ? $0.name : nil }
    }

    func element(_ v: HCLValue, _ e: HCLExpr, _ file: String, _ locals: [String: HCLValue], span: SourceSpan? = nil) -> BakeResolvedElement {
        let partial = v.isWhollyKnown || !e.isTemplate ? nil : evaluator.renderPartial(e, locals: locals)
        return BakeResolvedElement(value: v, span: span ?? e.span, file: file, partial: partial, variables: refs(e))
    }

    enum ListEval {
        case elements([BakeResolvedElement])
        case value(HCLValue)
    }

    /// Evaluates a list-valued expression element by element where the source shows the elements.
    func listElements(_ e: HCLExpr, _ file: String, _ locals: [String: HCLValue]) -> ListEval {
        switch e {
        case .tuple(let items, _):
            return .elements(items.map { element(evaluator.evaluate($0, locals: locals), $0, file, locals) })
        case .parenthesized(let x, _):
            return listElements(x, file, locals)
        case .conditional(let c, let a, let b, _):
            if let cond = evaluator.evaluate(c, locals: locals).boolValue { return listElements(cond ? a : b, file, locals) }
        case .call("concat", _, let args, false, _):
            var out: [BakeResolvedElement] = []
            for a in args {
                guard case .elements(let els) = listElements(a, file, locals) else { return wholeList(e, file, locals) }
                out += els
            }
            return .elements(out)
        case .forExpr(let f, _) where !f.isObject:
            if case .list(let vs) = evaluator.evaluate(e, locals: locals) {
                return .elements(vs.map { BakeResolvedElement(value: $0, span: f.valueExpr.span, file: file, partial: nil, variables: refs(e)) })
            }
            return .value(.unknown)
        default:
            break
        }
        return wholeList(e, file, locals)
    }

    func wholeList(_ e: HCLExpr, _ file: String, _ locals: [String: HCLValue]) -> ListEval {
        let v = evaluator.evaluate(e, locals: locals)
        if case .list(let vs) = v {
            let r = refs(e)
            return .elements(vs.map { BakeResolvedElement(value: $0, span: e.span, file: file, partial: nil, variables: r) })
        }
        return .value(v)
    }

    static func form(_ v: HCLValue) -> BakeAttrForm {
        switch v {
        case .list: return .list
        case .string: return .string
        case .object: return .object
        case .unknown: return .unknown
        default: return .other
        }
    }

    /// Evaluates the attributes of one instance (its own block only).
    func ownState(_ inst: Instance) -> TargetState {
        var st: TargetState = [:]
        let file = inst.decl.file
        for name in inst.decl.attributeOrder where name != "name" && name != "matrix" {
            let a = inst.decl.attributes[name]!
            let origin = BakeAttrOrigin(declName: inst.decl.name, file: file, nameSpan: a.nameSpan, valueSpan: a.expr.span)
            if Self.listAttributes.contains(name) {
                var elements: [BakeResolvedElement]
                var form = BakeAttrForm.list
                switch listElements(a.expr, file, inst.locals) {
                case .elements(let els):
                    elements = els
                case .value(let v):
                    if v.isNull { continue }  // null leaves the attribute unset
                    form = Self.form(v)
                    // Not a list: keep the value as one element so rules can still inspect it.
                    elements = [element(v, a.expr, file, inst.locals)]
                }
                var s = AttrState(value: .list(elements.map(\.value)), elements: elements, origin: origin)
                if name == "cache-from" || name == "cache-to" {
                    s.shapes = [BakeAttrShape(attribute: name, form: form, declName: inst.decl.name, file: file, nameSpan: a.nameSpan, valueSpan: a.expr.span, fromOverride: false)]
                }
                st[name] = s
            } else {
                let v = evaluator.evaluate(a.expr, locals: inst.locals)
                if v.isNull { continue }
                st[name] = AttrState(value: v, elements: nil, origin: origin)
            }
        }
        return st
    }

    /// buildx `Target.Merge`: `src` (the later/child definition) into `dst`.
    static func merge(_ dst: inout TargetState, _ src: TargetState) {
        for (name, s) in src {
            guard var d = dst[name] else {
                dst[name] = s
                continue
            }
            if name == "cache-from" || appendAttributes.contains(name) {
                var els = (d.elements ?? []) + (s.elements ?? [])
                // A diamond of `inherits` brings the same parent's elements in twice, and the lists would double at
                // every level. Repeats of a deduplicated list go at the end anyway (`normalize`, first one kept);
                // other lists drop only the same source element with the same value coming in again.
                if els.count > 1 {
                    var seen = Set<String>()
                    let deduped = dedupedAttributes.contains(name)
                    els = els.filter { seen.insert(deduped ? dedupKey($0) : "\($0.file):\($0.span)|\($0.value.isWhollyKnown ? $0.value.description : "")").inserted }
                }
                d.elements = els
                d.value = .list(els.map(\.value))
                d.origin = s.origin
                d.shapes = mergeShapes(d.shapes, s.shapes)
            } else if mapAttributes.contains(name) {
                guard case .object(var o) = d.value, case .object(let n) = s.value else {
                    dst[name] = s
                    continue
                }
                for (k, v) in n where !(v.isNull && name != "contexts") { o[k] = v }
                d.value = .object(o)
                d.origin = s.origin
            } else if name == "description", s.value.stringValue == "" {
                continue
            } else {
                // Replaced (cache-to, platforms, tags, output, context, dockerfile, target, …);
                // cache-to keeps the record of every attribute that was written along the way.
                var n = s
                if name == "cache-to" { n.shapes = mergeShapes(d.shapes, s.shapes) }
                d = n
            }
            dst[name] = d
        }
    }

    static func mergeShapes(_ a: [BakeAttrShape], _ b: [BakeAttrShape]) -> [BakeAttrShape] {
        var out = a
        for s in b where !out.contains(s) { out.append(s) }
        return out
    }

    /// Identity used to deduplicate list entries: the value when known, else the source element.
    static func dedupKey(_ e: BakeResolvedElement) -> String {
        if e.value.isWhollyKnown { return "v:" + e.value.description }
        return "u:\(e.file):\(e.span)"
    }

    static func normalize(_ st: inout TargetState) {
        for name in dedupedAttributes {
            guard var s = st[name], let els = s.elements else { continue }
            var seen = Set<String>()
            // One element has nothing to be a repeat of.
            let kept = els.count < 2 ? els : els.filter { seen.insert(dedupKey($0)).inserted }
            s.elements = kept
            s.value = .list(kept.map(\.value))
            // An empty cache list counts as unset (buildx normalises it to nil).
            if (name == "cache-from" || name == "cache-to"), cacheItems(kept).isEmpty, s.shapes.allSatisfy({ $0.form == .list }) {
                st[name] = nil
                continue
            }
            st[name] = s
        }
    }

    // MARK: overrides

    /// Go `path.Match` for target patterns.
    static func globMatch(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.unicodeScalars), s = Array(name.unicodeScalars)
        func match(_ pi: Int, _ si: Int) -> Bool {
            var pi = pi, si = si
            var starP = -1, starS = -1
            while si < s.count {
                if pi < p.count {
                    switch p[pi] {
                    case "*":
                        starP = pi
                        starS = si
                        pi += 1
                        continue
                    case "?":
                        if s[si] != "/" { pi += 1; si += 1; continue }
                    case "[":
                        if let (ok, next) = matchClass(pi, s[si]), ok { pi = next; si += 1; continue }
                    case "\\":
                        if pi + 1 < p.count, p[pi + 1] == s[si] { pi += 2; si += 1; continue }
                    default:
                        if p[pi] == s[si] { pi += 1; si += 1; continue }
                    }
                }
                if starP >= 0, s[starS] != "/" {
                    starS += 1
                    si = starS
                    pi = starP + 1
                    continue
                }
                return false
            }
            while pi < p.count, p[pi] == "*" { pi += 1 }
            return pi == p.count
        }
        func matchClass(_ start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
            var i = start + 1
            var negate = false
            if i < p.count, p[i] == "^" { negate = true; i += 1 }
            var matched = false
            var first = true
            while i < p.count {
                if p[i] == "]" && !first { return (matched != negate, i + 1) }
                first = false
                var lo = p[i]
                if lo == "\\", i + 1 < p.count { i += 1; lo = p[i] }
                var hi = lo
                if i + 2 < p.count, p[i + 1] == "-", p[i + 2] != "]" {
                    hi = p[i + 2]
                    if hi == "\\", i + 3 < p.count { hi = p[i + 3]; i += 1 }
                    i += 2
                }
                if lo.value <= c.value && c.value <= hi.value { matched = true }
                i += 1
            }
            return nil
        }
        return match(0, 0)
    }

    func assignOverrides(_ overrides: [BakeSetOverride]) {
        for o in overrides {
            let names: [String]
            if instancesByName[o.pattern] != nil {
                names = [o.pattern]
            } else {
                names = instanceOrder.filter { Self.globMatch(o.pattern, $0) }
            }
            if names.isEmpty {
                issue("override \"\(o.pattern).\(o.key)\" matches no target", o.file, o.span)
            }
            for n in names { overridesByTarget[n, default: []].append(o) }
        }
    }

    func applyOverrides(_ st: inout TargetState, _ list: [BakeSetOverride]) {
        // Repeated overrides of one key accumulate, as in buildx `newOverrides`.
        var order: [String] = []
        var grouped: [String: [BakeSetOverride]] = [:]
        for o in list {
            if grouped[o.key] == nil { order.append(o.key) }
            grouped[o.key, default: []].append(o)
        }
        for key in order {
            let os = grouped[key]!
            let last = os[os.count - 1]
            let origin = BakeAttrOrigin(declName: "", file: last.file, nameSpan: last.span, valueSpan: last.span)
            let attr = key == "platform" ? "platforms" : key == "secrets" ? "secret" : key
            switch attr {
            case "cache-from", "cache-to", "output", "tags", "platforms", "secret", "ssh", "attest", "entitlements", "network",
                "annotations", "policy", "no-cache-filter":
                let valued = os.filter { $0.value != nil }
                var els: [BakeResolvedElement] = []
                for o in valued {
                    // One element per override, as buildx keeps it (cache entries are not split on commas).
                    els.append(BakeResolvedElement(value: .string(o.value!), span: o.span, file: o.file, partial: nil, variables: []))
                }
                let appendMode = last.append
                var s = st[attr] ?? AttrState(value: .list([]), elements: [], origin: origin)
                s.elements = appendMode ? (s.elements ?? []) + els : els
                s.value = .list(s.elements!.map(\.value))
                s.origin = origin
                if attr == "cache-from" || attr == "cache-to" {
                    let shapes = valued.map { BakeAttrShape(attribute: attr, form: .list, declName: "", file: $0.file, nameSpan: $0.span, valueSpan: $0.span, fromOverride: true) }
                    s.shapes = Self.mergeShapes(s.shapes, shapes)
                }
                if attr == "network" { s = AttrState(value: .string(last.value ?? ""), elements: nil, origin: origin) }
                st[attr] = s
            default:
                let parts = attr.split(separator: ".", maxSplits: 1).map(String.init)
                if parts.count == 2, Self.mapAttributes.contains(parts[0]) {
                    let value: HCLValue
                    if let v = last.value { value = .string(v) } else if let v = env[parts[1]] {
                        value = v == BakeProject.unknownEnvironmentValue ? .unknown : .string(v)
                    } else { continue }
                    var s = st[parts[0]] ?? AttrState(value: .object([:]), elements: nil, origin: origin)
                    var o = s.value.objectValue ?? [:]
                    o[parts[1]] = value
                    s.value = .object(o)
                    s.origin = origin
                    st[parts[0]] = s
                } else if let v = last.value {
                    let value: HCLValue = (attr == "no-cache" || attr == "pull") ? (Self.parseBool(v).map { .bool($0) } ?? .unknown) : .string(v)
                    st[attr] = AttrState(value: value, elements: nil, origin: origin)
                }
            }
        }
    }

    // MARK: targets

    func own(_ name: String) -> (TargetState, Instance)? {
        if let c = ownCache[name] { return c }
        guard let insts = instancesByName[name], let first = insts.first else { return nil }
        var st: TargetState = [:]
        for inst in insts { Self.merge(&st, ownState(inst)) }
        ownCache[name] = (st, first)
        return (st, first)
    }

    /// buildx `Config.target`: parents first (in `inherits` order), then the target itself, then overrides.
    func resolveTarget(_ name: String, _ visited: inout [String: TargetState?], _ ancestors: inout [String], from: BakeAttr?, depth: Int = 0) -> TargetState? {
        if depth > Self.maxResolveNesting {
            if let from { issue("inherits chain deeper than \(Self.maxResolveNesting) targets; the rest is ignored", from.file, from.expr.span) }
            return nil
        }
        guard let (ownSt, inst) = own(name) else {
            if let from { issue("target \"\(name)\" in inherits does not exist", from.file, from.expr.span) }
            return nil
        }
        if let v = visited[name] {
            if v == nil, let from { issue("inherits cycle through target \"\(name)\" (buildx ignores the repeated parent)", from.file, from.expr.span) }
            return v
        }
        visited[name] = .some(nil)
        var tt: TargetState = [:]
        if let inh = ownSt["inherits"] {
            let attr = inst.decl.attributes["inherits"]
            for el in inh.elements ?? [] {
                guard let parent = el.value.stringValue else {
                    issue("an inherits entry of target \"\(name)\" cannot be computed", el.file, el.span)
                    continue
                }
                if !ancestors.contains(parent) { ancestors.append(parent) }
                if let p = resolveTarget(parent, &visited, &ancestors, from: attr ?? from, depth: depth + 1) { Self.merge(&tt, p) }
            }
        }
        var m: TargetState = [:]
        Self.merge(&m, tt)
        Self.merge(&m, ownSt)
        if let os = overridesByTarget[name] { applyOverrides(&m, os) }
        Self.normalize(&m)
        visited[name] = m
        return m
    }

    // MARK: groups

    func groupMembers() -> [String: [String]] {
        var out: [String: [String]] = [:]
        for g in project.groupDecls {
            var members = g.targets
            if let e = g.targetsExpr, members.count != (Self.tupleCount(e) ?? -1) {
                members = []
                switch evaluator.evaluate(e) {
                case .list(let vs):
                    for v in vs {
                        if let s = v.stringValue { members.append(s) } else { issue("a member of group \"\(g.name)\" cannot be computed", g.file, e.span) }
                    }
                default:
                    issue("targets of group \"\(g.name)\" must be a list of names", g.file, e.span)
                }
            }
            // Same-named groups merge their member lists (buildx mergeConfig).
            var cur = out[g.name] ?? []
            for m in members where !cur.contains(m) { cur.append(m) }
            out[g.name] = cur
        }
        for (name, names) in renamedGroups {
            var cur = out[name] ?? []
            for m in names where !cur.contains(m) { cur.append(m) }
            out[name] = cur
        }
        return out
    }

    static func tupleCount(_ e: HCLExpr) -> Int? {
        if case .tuple(let items, _) = e { return items.count }
        return nil
    }

    /// What a group expansion has produced so far: target names in order (each once), and the groups already
    /// expanded (a group reached again adds nothing new, so a diamond of groups stays linear).
    struct Expansion {
        var names: [String] = []
        var emitted = Set<String>()
        var expanded = Set<String>()
        mutating func emit(_ name: String) { if emitted.insert(name).inserted { names.append(name) } }
    }

    func expandGroup(_ name: String, _ groups: [String: [String]], _ stack: inout [String], _ out: inout Expansion) {
        guard let members = groups[name] else {
            out.emit(name)
            return
        }
        if out.expanded.contains(name) { return }
        if stack.contains(name) || stack.count > Self.maxResolveNesting {
            let g = project.groupDecls.first { $0.name == name }
            let why = stack.contains(name) ? "contains itself (through \(stack.joined(separator: " → ")))" : "is nested too deeply"
            issue("group \"\(name)\" \(why)", g?.file ?? "", g?.nameSpan)
            return
        }
        stack.append(name)
        for m in members {
            // A group member that names the group being expanded is the matrix renaming of a target.
            if m == name, instancesByName[m] != nil {
                out.emit(m)
                continue
            }
            expandGroup(m, groups, &stack, &out)
        }
        stack.removeLast()
        out.expanded.insert(name)
    }

    // MARK: run

    func run(requested: [String], overrides: [BakeSetOverride]) -> BakeResolution {
        for f in project.files { for i in f.issues { issue(i.message, i.file, i.span) } }
        buildInstances()
        let groups = groupMembers()
        assignOverrides(overrides)
        var expansion = Expansion()
        for t in requested.isEmpty ? ["default"] : requested {
            var matched: [String]
            if t.unicodeScalars.contains(where: { "*?[]".unicodeScalars.contains($0) }) {
                matched = groups.keys.sorted().filter { Self.globMatch(t, $0) } + instanceOrder.filter { Self.globMatch(t, $0) }
                if matched.isEmpty { issue("no target matches \"\(t)\"", "", nil) }
            } else {
                matched = [t]
            }
            for m in matched {
                var stack: [String] = []
                expandGroup(m, groups, &stack, &expansion)
            }
        }
        let names = expansion.names
        var out: [ResolvedBakeTarget] = []
        for n in names {
            guard instancesByName[n] != nil else {
                issue(n == "default" ? "no \"default\" group or target is defined" : "target \"\(n)\" is not defined", "", nil)
                continue
            }
            var visited: [String: TargetState?] = [:]
            var ancestors: [String] = []
            guard let st = resolveTarget(n, &visited, &ancestors, from: nil), let (_, inst) = own(n) else { continue }
            out.append(makeTarget(n, st, inst, ancestors))
        }
        let vars = allVariables()
        var shapes: [BakeAttrShape] = []
        var seenShapes = Set<BakeAttrShape>()
        for n in instanceOrder {
            guard let (st, _) = own(n) else { continue }
            for k in ["cache-from", "cache-to"] {
                for sh in st[k]?.shapes ?? [] where seenShapes.insert(sh).inserted { shapes.append(sh) }
            }
        }
        if budget.exhausted { issue("evaluation budget exhausted; some values are unknown", "", nil) }
        return BakeResolution(targets: out, variables: vars, allCacheShapes: shapes, issues: issues)
    }

    static func cacheItems(_ els: [BakeResolvedElement]) -> [BakeCacheItem] {
        var out: [BakeCacheItem] = []
        for e in els {
            switch e.value {
            case .null: continue
            case .string(let s):
                if s.isEmpty { continue }  // buildx skips empty entries
                out.append(.string(value: s, span: e.span, file: e.file))
            case .number, .bool:
                out.append(.string(value: e.value.stringValue, span: e.span, file: e.file))
            case .object(let o):
                var m: [String: String?] = [:]
                for (k, v) in o where !v.isNull { m[k] = v.stringValue }
                out.append(.object(m, span: e.span, file: e.file))
            case .list, .unknown:
                out.append(.string(value: nil, span: e.span, file: e.file))
            }
        }
        return out
    }

    /// buildx parses each platforms entry as a comma-separated list when building.
    static func splitPlatforms(_ list: [String]) -> [String] {
        var out: [String] = []
        for item in list {
            for p in HCLStdlib.split(item, by: ",") {
                let t = HCLStdlib.trimmed(p) { $0.properties.isWhitespace }
                if !t.isEmpty, !out.contains(t) { out.append(t) }
            }
        }
        return out
    }

    static func knownStrings(_ s: AttrState?) -> [String]? {
        guard let s else { return nil }
        if let els = s.elements { return els.compactMap { $0.value.stringValue } }
        return s.value.stringValue.map { [$0] }
    }

    func makeTarget(_ name: String, _ st: TargetState, _ inst: Instance, _ ancestors: [String]) -> ResolvedBakeTarget {
        var attrs: [String: BakeResolvedAttr] = [:]
        for (k, s) in st { attrs[k] = BakeResolvedAttr(name: k, value: s.value, elements: s.elements, origin: s.origin) }
        var shapes: [BakeAttrShape] = []
        for k in ["cache-from", "cache-to"] {
            if let s = st[k] { shapes = Self.mergeShapes(shapes, s.shapes) }
        }
        var args: [String: String?] = [:]
        if case .object(let o)? = st["args"]?.value {
            for (k, v) in o where !v.isNull { args[k] = v.stringValue }
        }
        func scalar(_ key: String, default d: String) -> String? {
            guard let s = st[key] else { return d }
            if let v = s.value.stringValue { return v.isEmpty && key == "dockerfile" ? d : v }
            return nil
        }
        return ResolvedBakeTarget(
            name: name, nameKnown: inst.nameKnown, declName: inst.decl.name, file: inst.decl.file, span: inst.decl.span,
            nameSpan: inst.decl.nameSpan, matrix: inst.locals,
            cacheFrom: Self.cacheItems(st["cache-from"]?.elements ?? []),
            cacheTo: Self.cacheItems(st["cache-to"]?.elements ?? []),
            cacheShapes: shapes,
            platforms: Self.knownStrings(st["platforms"]).map(Self.splitPlatforms), tags: Self.knownStrings(st["tags"]),
            outputs: Self.knownStrings(st["output"]),
            context: scalar("context", default: "."), dockerfile: scalar("dockerfile", default: "Dockerfile"),
            target: st["target"]?.value.stringValue, args: args, ancestors: ancestors, attributes: attrs)
    }
}

extension String {
    /// `cache_from` → `cache-from`.
    fileprivate func replacingUnderscores() -> String {
        String(decoding: utf8.map { $0 == 0x5F ? 0x2D : $0 }, as: UTF8.self)
    }
}
