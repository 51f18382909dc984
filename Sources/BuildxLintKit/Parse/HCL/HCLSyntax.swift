// Abstract syntax tree for the HCL native syntax (the subset Docker bake files use, which is in
// practice the whole expression language). Every node carries a `SourceSpan`: positions are
// 1-based lines and 1-based UTF-8 byte columns, offsets 0-based bytes, spans half-open.

/// The body of a file or of a block: its attributes and nested blocks in source order.
public struct HCLBody: Sendable {
    /// `name = expr` items, in source order (duplicates are kept; the bake layer reports them).
    public var attributes: [HCLAttribute]
    /// `type "label" … { … }` items, in source order.
    public var blocks: [HCLBlock]
    /// The body's extent: the whole file for the root body, the text between the braces for a block.
    public var span: SourceSpan

    /// Creates a body from its items and extent.
    public init(attributes: [HCLAttribute], blocks: [HCLBlock], span: SourceSpan) {
        self.attributes = attributes
        self.blocks = blocks
        self.span = span
    }

    /// The last attribute called `name`, or nil.
    public func attribute(_ name: String) -> HCLAttribute? {
        attributes.last { $0.name == name }
    }

    /// The blocks whose type is `type`, in source order.
    public func blocks(ofType type: String) -> [HCLBlock] {
        blocks.filter { $0.type == type }
    }
}

/// One `name = expr` attribute.
public struct HCLAttribute: Sendable {
    /// The attribute name (identifiers may contain `-`, e.g. `cache-from`).
    public var name: String
    /// The span of the name.
    public var nameSpan: SourceSpan
    /// The value expression.
    public var expr: HCLExpr
    /// From the first byte of the name to the end of the expression.
    public var span: SourceSpan

    /// Creates an attribute.
    public init(name: String, nameSpan: SourceSpan, expr: HCLExpr, span: SourceSpan) {
        self.name = name
        self.nameSpan = nameSpan
        self.expr = expr
        self.span = span
    }
}

/// One block: `type label… { body }`.
public struct HCLBlock: Sendable {
    /// The block type (`target`, `group`, `variable`, `function`, …).
    public var type: String
    /// The span of the type identifier.
    public var typeSpan: SourceSpan
    /// The labels (quoted strings or identifiers) with the span of each label token
    /// (for a quoted label the span includes the quotes).
    public var labels: [(value: String, span: SourceSpan)]
    /// The block's content.
    public var body: HCLBody
    /// From the first byte of the type to just past the closing brace.
    public var span: SourceSpan

    /// Creates a block.
    public init(type: String, typeSpan: SourceSpan, labels: [(value: String, span: SourceSpan)], body: HCLBody, span: SourceSpan) {
        self.type = type
        self.typeSpan = typeSpan
        self.labels = labels
        self.body = body
        self.span = span
    }
}

/// Unary operators.
public enum HCLUnaryOp: String, Sendable, Hashable {
    /// `!x`
    case not = "!"
    /// `-x`
    case negate = "-"
}

/// Binary operators, with HCL precedence (higher binds tighter).
public enum HCLBinaryOp: String, Sendable, Hashable, CaseIterable {
    /// `||`
    case or = "||"
    /// `&&`
    case and = "&&"
    /// `==` (values of different types are unequal)
    case equal = "=="
    /// `!=`
    case notEqual = "!="
    /// `<`
    case less = "<"
    /// `<=`
    case lessEqual = "<="
    /// `>`
    case greater = ">"
    /// `>=`
    case greaterEqual = ">="
    /// `+`
    case add = "+"
    /// `-`
    case subtract = "-"
    /// `*`
    case multiply = "*"
    /// `/` (division by zero is unknown)
    case divide = "/"
    /// `%` (remainder with the sign of the dividend)
    case modulo = "%"

    /// Precedence level: `||` 1, `&&` 2, `== !=` 3, `< <= > >=` 4, `+ -` 5, `* / %` 6.
    public var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        case .equal, .notEqual: return 3
        case .less, .lessEqual, .greater, .greaterEqual: return 4
        case .add, .subtract: return 5
        case .multiply, .divide, .modulo: return 6
        }
    }
}

/// One step of a traversal after an expression: `.name` or `[index]`
/// (the legacy form `.0` becomes an index step with a number literal).
public indirect enum HCLTraversalStep: Sendable, Hashable {
    /// `.name`; the span covers the name.
    case attribute(String, span: SourceSpan)
    /// `[expr]`; the span covers the brackets.
    case index(HCLExpr, span: SourceSpan)

    /// The step's source extent.
    public var span: SourceSpan {
        switch self {
        case .attribute(_, let s), .index(_, let s): return s
        }
    }
}

/// One piece of a template (quoted string or heredoc).
public enum HCLTemplatePart: Sendable, Hashable {
    /// Literal text, with escapes (`\n`, `$${`, `%%{`) already decoded and strip markers applied.
    /// The span covers the source text of the literal.
    case literal(String, span: SourceSpan)
    /// `${ expr }`; the span covers `${` through `}`.
    indirect case interpolation(HCLExpr, span: SourceSpan)
    /// `%{ if cond }…%{ else }…%{ endif }`; `else` is nil when absent. The span covers the whole directive.
    indirect case ifDirective(condition: HCLExpr, then: [HCLTemplatePart], else: [HCLTemplatePart]?, span: SourceSpan)
    /// `%{ for key, value in collection }…%{ endfor }` (`key` nil when only one name is given).
    indirect case forDirective(key: String?, value: String, collection: HCLExpr, body: [HCLTemplatePart], span: SourceSpan)

    /// The part's source extent.
    public var span: SourceSpan {
        switch self {
        case .literal(_, let s), .interpolation(_, let s): return s
        case .ifDirective(_, _, _, let s), .forDirective(_, _, _, _, let s): return s
        }
    }
}

/// The key of one object constructor item.
public indirect enum HCLObjectKey: Sendable, Hashable {
    /// A bare identifier key (`k = v`, `k: v`), which HCL treats as the literal string `k`.
    case identifier(String, span: SourceSpan)
    /// Any other key: a quoted template (`"k" = v`) or a parenthesised expression (`(expr) = v`).
    case expression(HCLExpr)

    /// The key's source extent.
    public var span: SourceSpan {
        switch self {
        case .identifier(_, let s): return s
        case .expression(let e): return e.span
        }
    }
}

/// One `key = value` item of an object constructor.
public struct HCLObjectItem: Sendable, Hashable {
    /// The key.
    public var key: HCLObjectKey
    /// The value.
    public var value: HCLExpr
    /// From the key's first byte to the end of the value.
    public var span: SourceSpan

    /// Creates an item.
    public init(key: HCLObjectKey, value: HCLExpr, span: SourceSpan) {
        self.key = key
        self.value = value
        self.span = span
    }
}

/// A `for` expression: `[for k, v in coll : value if cond]` or `{for k, v in coll : key => value... if cond}`.
public struct HCLForExpr: Sendable, Hashable {
    /// The key (or index) variable when two names are given.
    public var keyVar: String?
    /// The value variable.
    public var valueVar: String
    /// The collection iterated over.
    public var collection: HCLExpr
    /// The key expression (object form only).
    public var keyExpr: HCLExpr?
    /// The value expression.
    public var valueExpr: HCLExpr
    /// Whether the value is followed by `...` (object form: group values with equal keys into lists).
    public var grouping: Bool
    /// The `if` filter, when present.
    public var condition: HCLExpr?
    /// True for the `{…}` object form, false for the `[…]` tuple form.
    public var isObject: Bool

    /// Creates a for expression.
    public init(
        keyVar: String?, valueVar: String, collection: HCLExpr, keyExpr: HCLExpr?, valueExpr: HCLExpr,
        grouping: Bool, condition: HCLExpr?, isObject: Bool
    ) {
        self.keyVar = keyVar
        self.valueVar = valueVar
        self.collection = collection
        self.keyExpr = keyExpr
        self.valueExpr = valueExpr
        self.grouping = grouping
        self.condition = condition
        self.isObject = isObject
    }
}

// Leaf cases are stored inline (fewer allocations); cases that contain expressions are boxed.
/// An HCL expression. Every case carries its source span as the last associated value; use `span`.
public enum HCLExpr: Sendable, Hashable {
    /// A number literal (`1`, `1.5`, `2e3`). A minus sign directly before a literal is folded in.
    case number(Double, span: SourceSpan)
    /// `true` or `false`.
    case bool(Bool, span: SourceSpan)
    /// `null`.
    case null(span: SourceSpan)
    /// A quoted template `"…"` (a plain string is a template with one literal part, or none when empty).
    case template([HCLTemplatePart], span: SourceSpan)
    /// A heredoc `<<EOT` / `<<-EOT`; `flush` is true for `<<-` (common leading whitespace already removed
    /// from the literal parts). The span runs from `<<` to the end of the closing marker.
    indirect case heredoc(marker: String, flush: Bool, parts: [HCLTemplatePart], span: SourceSpan)
    /// `[a, b, …]`.
    case tuple([HCLExpr], span: SourceSpan)
    /// `{ k = v, … }`.
    case object([HCLObjectItem], span: SourceSpan)
    /// A bare identifier used as a value (a variable, a `for`/matrix local, `target`, …).
    case variable(String, span: SourceSpan)
    /// `base.a[i]…`: attribute and index steps applied to `base`.
    indirect case traversal(HCLExpr, [HCLTraversalStep], span: SourceSpan)
    /// A splat: `base[*].a` (`full` true) or `base.*.a` (`full` false); `each` is applied to every element.
    indirect case splat(HCLExpr, full: Bool, each: [HCLTraversalStep], span: SourceSpan)
    /// `name(args…)`; `expandFinal` is true when the last argument is followed by `...`.
    indirect case call(String, nameSpan: SourceSpan, args: [HCLExpr], expandFinal: Bool, span: SourceSpan)
    /// `!x`, `-x`.
    indirect case unary(HCLUnaryOp, HCLExpr, span: SourceSpan)
    /// `a op b`.
    indirect case binary(HCLBinaryOp, HCLExpr, HCLExpr, span: SourceSpan)
    /// `cond ? a : b`.
    indirect case conditional(HCLExpr, HCLExpr, HCLExpr, span: SourceSpan)
    /// A `for` expression in either form.
    indirect case forExpr(HCLForExpr, span: SourceSpan)
    /// `( expr )`; kept so positions and key semantics (`(k) = v`) survive.
    indirect case parenthesized(HCLExpr, span: SourceSpan)

    /// The expression's source extent.
    public var span: SourceSpan {
        switch self {
        case .number(_, let s), .bool(_, let s), .null(let s), .template(_, let s), .tuple(_, let s),
            .object(_, let s), .variable(_, let s), .forExpr(_, let s), .parenthesized(_, let s):
            return s
        case .heredoc(_, _, _, let s), .traversal(_, _, let s), .splat(_, _, _, let s), .unary(_, _, let s),
            .binary(_, _, _, let s), .conditional(_, _, _, let s), .call(_, _, _, _, let s):
            return s
        }
    }

    /// The text of a template or heredoc made only of literal parts (`"abc"` → `abc`); nil otherwise.
    public var staticString: String? {
        switch self {
        case .template(let parts, _), .heredoc(_, _, let parts, _):
            var out = ""
            for p in parts {
                guard case .literal(let s, _) = p else { return nil }
                out += s
            }
            return out
        case .parenthesized(let e, _): return e.staticString
        default: return nil
        }
    }

    /// Whether this is a quoted template or heredoc (a "bare string" in bake terms), whatever its parts.
    public var isTemplate: Bool {
        switch self {
        case .template, .heredoc: return true
        default: return false
        }
    }

    /// The root names this expression reads (`FOO` in `"${FOO}-x"`, `target` in `target.app.tags`,
    /// `m` in `m.name`), in source order with the span of each reference. Names bound inside the
    /// expression by `for` expressions and `%{for}` directives are excluded. Duplicates are kept.
    public var variableReferences: [(name: String, span: SourceSpan)] {
        var out: [(name: String, span: SourceSpan)] = []
        HCLExpr.collectReferences(self, bound: [], into: &out)
        return out
    }

    private static func collectReferences(_ e: HCLExpr, bound: Set<String>, into out: inout [(name: String, span: SourceSpan)]) {
        switch e {
        case .number, .bool, .null: return
        case .variable(let n, let s):
            if !bound.contains(n) { out.append((n, s)) }
        case .template(let parts, _), .heredoc(_, _, let parts, _):
            collectPartReferences(parts, bound: bound, into: &out)
        case .tuple(let items, _):
            for i in items { collectReferences(i, bound: bound, into: &out) }
        case .object(let items, _):
            for i in items {
                if case .expression(let k) = i.key { collectReferences(k, bound: bound, into: &out) }
                collectReferences(i.value, bound: bound, into: &out)
            }
        case .traversal(let b, let steps, _), .splat(let b, _, let steps, _):
            collectReferences(b, bound: bound, into: &out)
            for st in steps { if case .index(let k, _) = st { collectReferences(k, bound: bound, into: &out) } }
        case .call(_, _, let args, _, _):
            for a in args { collectReferences(a, bound: bound, into: &out) }
        case .unary(_, let x, _), .parenthesized(let x, _):
            collectReferences(x, bound: bound, into: &out)
        case .binary(_, let a, let b, _):
            collectReferences(a, bound: bound, into: &out)
            collectReferences(b, bound: bound, into: &out)
        case .conditional(let c, let a, let b, _):
            collectReferences(c, bound: bound, into: &out)
            collectReferences(a, bound: bound, into: &out)
            collectReferences(b, bound: bound, into: &out)
        case .forExpr(let f, _):
            collectReferences(f.collection, bound: bound, into: &out)
            var inner = bound
            inner.insert(f.valueVar)
            if let k = f.keyVar { inner.insert(k) }
            if let k = f.keyExpr { collectReferences(k, bound: inner, into: &out) }
            collectReferences(f.valueExpr, bound: inner, into: &out)
            if let c = f.condition { collectReferences(c, bound: inner, into: &out) }
        }
    }

    private static func collectPartReferences(_ parts: [HCLTemplatePart], bound: Set<String>, into out: inout [(name: String, span: SourceSpan)]) {
        for p in parts {
            switch p {
            case .literal: break
            case .interpolation(let e, _): collectReferences(e, bound: bound, into: &out)
            case .ifDirective(let c, let t, let f, _):
                collectReferences(c, bound: bound, into: &out)
                collectPartReferences(t, bound: bound, into: &out)
                if let f { collectPartReferences(f, bound: bound, into: &out) }
            case .forDirective(let k, let v, let coll, let body, _):
                collectReferences(coll, bound: bound, into: &out)
                var inner = bound
                inner.insert(v)
                if let k { inner.insert(k) }
                collectPartReferences(body, bound: inner, into: &out)
            }
        }
    }
}
