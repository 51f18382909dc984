/// A string value traced back to the YAML scalar it literally comes from.
///
/// `with: version: ${{ env.BUILDX_VERSION }}` with `env: BUILDX_VERSION: latest` resolves to the
/// scalar `latest` under `env:`; `via` then says "env `BUILDX_VERSION`". Findings about the value
/// point at `origin` (where the fix goes) and mention `via`.
public struct ResolvedValue: Sendable {
    /// The value's text (after YAML processing). Unresolved expressions are left in place.
    public let text: String
    /// The scalar the text comes from.
    public let origin: YAMLNode
    /// How the value was reached when not written in place: "env `X`", "input `x` default".
    public let via: String?
    /// The node where the value was referenced (the `with:` value); equals `origin` when not indirect.
    public let reference: YAMLNode
    /// The mapping key `origin` is written under when reached indirectly (`CACHE_FROM` for an env value,
    /// `default` for an input default); nil when not indirect.
    public var originKey: String? = nil

    /// Whether the text still holds a `${{ }}` expression (its final value is not known here).
    public var hasExpression: Bool { Template.hasExpression(text) }
}

/// Literal `env:` values visible to a step: workflow, then job, then step level (later levels win),
/// plus, in a composite action, the action's input defaults.
public struct ValueScope: Sendable {
    var env: [String: NamedValue] = [:]
    var inputDefaults: [String: YAMLNode] = [:]

    public init() {}

    /// A scope with `entries` layered over this one.
    public func adding(env entries: [NamedValue]) -> ValueScope {
        var s = self
        for e in entries { s.env[e.name] = e }
        return s
    }

    /// A scope that knows a composite action's input defaults (`${{ inputs.x }}`).
    public func adding(inputDefaults decls: [ActionInputDecl]) -> ValueScope {
        var s = self
        for d in decls {
            if let v = d.defaultValue { s.inputDefaults[d.name.lowercased()] = v }
        }
        return s
    }

    /// Names of the `env:` variables visible here.
    public var envNames: Set<String> { Set(env.keys) }

    /// The literal value of env variable `name` (following `${{ env.X }}` chains), or nil.
    public func literalEnv(_ name: String) -> String? {
        guard let node = env[name]?.value, let r = resolve(node), !r.hasExpression else { return nil }
        return r.text
    }

    /// Resolves `node`: when its whole text is `${{ env.X }}` (or `${{ inputs.x }}` in a composite
    /// action) and that names a literal scalar, follows it (up to 8 hops); otherwise the node itself.
    /// Returns nil for non-scalar nodes.
    public func resolve(_ node: YAMLNode) -> ResolvedValue? {
        guard let text = node.scalar else { return nil }
        var current = node
        var currentText = text
        var via: String? = nil
        var key: String? = nil
        for _ in 0..<8 {
            guard let expr = Template.wholeExpression(currentText), let path = expr.propertyPath, path.count == 2
            else { break }
            let next: YAMLNode?
            let label: String
            let nextKey: String?
            switch path[0] {
            case "env":
                next = env[path[1]]?.value
                label = "env `\(path[1])`"
                nextKey = env[path[1]]?.name
            case "inputs":
                next = inputDefaults[path[1].lowercased()]
                label = "input `\(path[1])` default"
                nextKey = "default"
            default:
                next = nil
                label = ""
                nextKey = nil
            }
            guard let n = next, let t = n.scalar else { break }
            current = n
            key = nextKey
            currentText = t
            via = via.map { "\($0) → \(label)" } ?? label
        }
        return ResolvedValue(text: currentText, origin: current, via: via, reference: node, originKey: key)
    }
}

/// A cache entry with the source position of each of its bytes.
public struct LocatedEntry: Sendable {
    public let entry: CacheEntry
    /// Source byte offset of each byte of `entry.text`, plus one past the end.
    public let sourceOffsets: [Int]
    public let text: SourceText

    /// Source span of entry bytes `range` (clamped).
    public func span(_ range: Range<Int>) -> SourceSpan {
        let lo = max(0, min(range.lowerBound, sourceOffsets.count - 1))
        let hi = max(lo, min(range.upperBound, sourceOffsets.count - 1))
        var endOffset = sourceOffsets[hi]
        // Offsets of the last byte + 1 may jump over quotes/escapes; keep the span on one line when possible.
        if hi > lo { endOffset = max(sourceOffsets[lo], sourceOffsets[hi - 1] + 1) }
        let start = text.position(ofOffset: sourceOffsets[lo])
        var end = text.position(ofOffset: endOffset)
        if end < start { end = start }
        return SourceSpan(start: start, end: end)
    }

    /// Source span of the whole entry.
    public var span: SourceSpan { span(0..<(sourceOffsets.count - 1)) }

    /// Source span of a field.
    public func span(of field: CacheField) -> SourceSpan { span(field.range) }
}

/// A list input (`cache-from`, `cache-to`, `set`, `driver-opts`…) split into items the way the
/// action splits it, each located in the source.
public final class LocatedList: Sendable {
    public let input: NamedValue
    public let value: ResolvedValue
    public let items: [(item: ListItem, sourceOffsets: [Int])]

    /// A list with no items of its own (the `run:` script a command line was found in).
    init(input: NamedValue, value: ResolvedValue) {
        self.input = input
        self.value = value
        items = []
    }

    /// Splits `value` (a resolved scalar) with `splitter`, mapping every byte back to the source.
    public init(input: NamedValue, value: ResolvedValue, splitter: ActionListSplitter, text: SourceText) {
        self.input = input
        self.value = value
        let valueOffsets = value.origin.valueOffsets(in: text)
        let last = valueOffsets.count - 1
        items = splitter.split(value.text).map { item in
            (item, item.valueOffsets.map { valueOffsets[max(0, min($0, last))] })
        }
    }
}
