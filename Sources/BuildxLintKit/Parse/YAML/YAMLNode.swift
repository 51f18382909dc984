/// How a scalar was written in the source. Block styles matter to the linter: inside `|` every line is
/// content (a `#` line is not a comment), and `>` folds lines into one.
public enum ScalarStyle: String, Sendable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// Whether a mapping or sequence was written in block (indented) or flow (`{}` / `[]`) style.
public enum CollectionStyle: String, Sendable {
    case block, flow
}

/// One key/value pair of a mapping, both with their own positions.
public struct YAMLPair: Sendable {
    public let key: YAMLNode
    public let value: YAMLNode
}

/// A node of the YAML tree built from libyaml events.
///
/// Nodes are immutable and shared: an alias node keeps a reference to the node its anchor named
/// (`aliasTarget`) instead of copying it, so an alias bomb costs one node per alias. Code that walks
/// the tree follows aliases explicitly (`resolved`) and never recursively expands them.
public final class YAMLNode: Sendable {
    public enum Kind: Sendable {
        /// A scalar's value after YAML processing (escapes, folding, chomping applied) and its style.
        case scalar(String, ScalarStyle)
        /// Pairs in source order; duplicate keys are kept (and reported by the parser).
        case mapping([YAMLPair])
        case sequence([YAMLNode])
        /// `*name`; the target is in `aliasTarget` (nil when the anchor is undefined or still open).
        case alias(String)
    }

    public let kind: Kind
    /// From the first byte of the node (its anchor or tag when it has one, the `|`/`>` indicator of a
    /// block scalar, the opening quote of a quoted scalar) to just past its last byte.
    public let span: SourceSpan
    /// The span of the value itself, without a leading anchor or tag (same as `span` when there is none).
    public let valueSpan: SourceSpan
    public let anchor: String?
    public let tag: String?
    public let collectionStyle: CollectionStyle?
    /// For an alias node, the anchored node it names.
    public let aliasTarget: YAMLNode?

    /// Creates a node. Used by the parser and by tests.
    public init(
        kind: Kind, span: SourceSpan, valueSpan: SourceSpan? = nil, anchor: String? = nil,
        tag: String? = nil, collectionStyle: CollectionStyle? = nil, aliasTarget: YAMLNode? = nil
    ) {
        self.kind = kind
        self.span = span
        self.valueSpan = valueSpan ?? span
        self.anchor = anchor
        self.tag = tag
        self.collectionStyle = collectionStyle
        self.aliasTarget = aliasTarget
    }

    /// This node, or for an alias the node it names (following chains up to a small depth).
    public var resolved: YAMLNode {
        var node = self
        var hops = 0
        while case .alias = node.kind, let t = node.aliasTarget, hops < 16 {
            node = t
            hops += 1
        }
        return node
    }

    /// The scalar value after following aliases, or nil for collections.
    public var scalar: String? {
        if case .scalar(let s, _) = resolved.kind { return s }
        return nil
    }

    /// The scalar style after following aliases.
    public var scalarStyle: ScalarStyle? {
        if case .scalar(_, let st) = resolved.kind { return st }
        return nil
    }

    /// Mapping pairs after following aliases, with `<<` merge keys applied (explicit keys first, then
    /// merged ones not already present). Nil for non-mappings.
    public var pairs: [YAMLPair]? {
        guard case .mapping(let ps) = resolved.kind else { return nil }
        guard ps.contains(where: { $0.key.scalar == "<<" && $0.key.scalarStyle == .plain }) else { return ps }
        var out: [YAMLPair] = []
        var seen = Set<String>()
        for p in ps where !(p.key.scalar == "<<" && p.key.scalarStyle == .plain) {
            out.append(p)
            if let k = p.key.scalar { seen.insert(k) }
        }
        for p in ps where p.key.scalar == "<<" && p.key.scalarStyle == .plain {
            var sources: [YAMLNode] = []
            if case .sequence(let items) = p.value.resolved.kind { sources = items } else { sources = [p.value] }
            for src in sources {
                guard case .mapping(let merged) = src.resolved.kind else { continue }
                for m in merged {
                    if let k = m.key.scalar, !seen.contains(k) {
                        seen.insert(k)
                        out.append(m)
                    }
                }
            }
        }
        return out
    }

    /// Sequence items after following aliases, or nil for non-sequences.
    public var items: [YAMLNode]? {
        if case .sequence(let s) = resolved.kind { return s }
        return nil
    }

    /// Whether this node (after following aliases) is a mapping.
    public var isMapping: Bool { if case .mapping = resolved.kind { return true } else { return false } }
    /// Whether this node (after following aliases) is a sequence.
    public var isSequence: Bool { if case .sequence = resolved.kind { return true } else { return false } }

    /// The pair whose key is the scalar `key` (the last one when the key is duplicated, as GitHub's
    /// parser would refuse the file anyway and most YAML loaders keep the last).
    public func pair(_ key: String) -> YAMLPair? {
        guard case .mapping(let ps) = resolved.kind else { return nil }
        var hasMerge = false
        for p in ps.reversed() {
            guard case .scalar(let k, let style) = p.key.resolved.kind else { continue }
            if k == key { return p }
            if k == "<<" && style == .plain { hasMerge = true }
        }
        // Only mappings with a `<<` merge key need the merged view.
        return hasMerge ? pairs?.last(where: { $0.key.scalar == key }) : nil
    }

    /// The value for the scalar key `key` in a mapping, or nil.
    public subscript(_ key: String) -> YAMLNode? { pair(key)?.value }
}

/// Something the YAML front end noticed that is not fatal: the file still parsed.
public struct YAMLWarning: Sendable {
    public enum Kind: Sendable { case duplicateKey, undefinedAlias }
    public let kind: Kind
    public let message: String
    public let span: SourceSpan
}

/// A YAML file that could not be parsed, with libyaml's (or the limit's) position.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let position: SourcePosition
    public var description: String { "\(position): \(message)" }
    public init(message: String, position: SourcePosition) {
        self.message = message
        self.position = position
    }
}

/// Bounds that keep hostile input from costing much time or memory.
public struct YAMLLimits: Sendable {
    /// Maximum nesting of mappings and sequences.
    public var maxDepth: Int = 256
    /// Maximum number of alias nodes in one file.
    public var maxAliases: Int = 10_000
    /// Maximum number of nodes in one file.
    public var maxNodes: Int = 5_000_000
    public init() {}
    public static let `default` = YAMLLimits()
}

/// The documents of one YAML file and the non-fatal problems found while composing them.
public struct YAMLFile: Sendable {
    public let text: SourceText
    /// Root node of each document (a stream with no document gives an empty list).
    public let documents: [YAMLNode]
    public let warnings: [YAMLWarning]
    /// The first document's root, the one GitHub reads.
    public var root: YAMLNode? { documents.first }
}
