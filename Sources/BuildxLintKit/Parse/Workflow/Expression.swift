#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A part of a workflow string: literal text, or a `${{ … }}` expression.
public struct TemplatePart: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case literal(String)
        /// The expression source between `${{` and `}}` (untrimmed) and its parse (nil when it does not parse).
        case expression(String, Expr?)
    }
    public let kind: Kind
    /// Byte range of the part in the string (for an expression, including `${{` and `}}`).
    public let range: Range<Int>
}

/// Splits workflow strings into literal and expression parts.
public enum Template {
    /// The parts of `s` in order. An unterminated `${{` is kept as literal text.
    public static func parts(_ s: String) -> [TemplatePart] {
        if !utf8Contains(s, UInt8(ascii: "$")) {
            return s.isEmpty ? [] : [TemplatePart(kind: .literal(s), range: 0..<s.utf8.count)]
        }
        // The same strings are evaluated once per matrix leg and again by rules: parse each once per thread.
        // Long strings (scripts) are rarely repeated: not worth keeping.
        guard s.utf8.count <= TemplateCache.maxKeyLength else { return parse(s) }
        let cache = TemplateCache.current
        if let hit = cache.entries[s] { return hit }
        let out = parse(s)
        if cache.entries.count >= TemplateCache.limit { cache.entries.removeAll(keepingCapacity: true) }
        cache.entries[s] = out
        return out
    }

    static func parse(_ s: String) -> [TemplatePart] {
        let b = Array(s.utf8)
        var out: [TemplatePart] = []
        var i = 0
        var litStart = 0
        while i < b.count {
            if let end = expressionEnd(b, i) {
                if litStart < i {
                    out.append(TemplatePart(kind: .literal(String(decoding: b[litStart..<i], as: UTF8.self)), range: litStart..<i))
                }
                let inner = String(decoding: b[(i + 3)..<(end - 2)], as: UTF8.self)
                out.append(TemplatePart(kind: .expression(inner, try? ExpressionParser.parse(inner)), range: i..<end))
                i = end
                litStart = end
                continue
            }
            i += 1
        }
        if litStart < b.count {
            out.append(TemplatePart(kind: .literal(String(decoding: b[litStart...], as: UTF8.self)), range: litStart..<b.count))
        }
        return out
    }

    /// Whether `s` holds any `${{ … }}` expression.
    public static func hasExpression(_ s: String) -> Bool {
        guard utf8Contains(s, UInt8(ascii: "$")) else { return false }
        var text = s
        return text.withUTF8 { b in
            for i in b.indices where b[i] == UInt8(ascii: "$") && expressionEnd(b, i) != nil { return true }
            return false
        }
    }

    /// If `s` is exactly one expression (surrounding whitespace allowed), that expression.
    public static func wholeExpression(_ s: String) -> Expr? {
        guard utf8Contains(s, UInt8(ascii: "$")) else { return nil }
        // Fast verdict without splitting: once ASCII white space is trimmed (`isASCIIWhitespace` is exactly
        // the ASCII part of Unicode's White_Space), ASCII ends leave no Unicode white space to trim, so the
        // value is one expression exactly when one `${{ }}` spans the rest.
        var text = s
        let single: Bool? = text.withUTF8 { b in
            let trimmed = trimmingASCIIWhitespace(b, 0..<b.count)
            let lo = trimmed.lowerBound, hi = trimmed.upperBound
            guard lo < hi, b[lo] < 0x80, b[hi - 1] < 0x80 else { return nil }
            return expressionEnd(b, lo) == hi
        }
        if single == false { return nil }
        let ps = parts(s).filter {
            if case .literal(let t) = $0.kind { return !t.unicodeScalars.allSatisfy(\.properties.isWhitespace) }
            return true
        }
        guard ps.count == 1, case .expression(_, let e) = ps[0].kind else { return nil }
        return e
    }
}

/// A literal value of GitHub's expression language.
public enum ExprLiteral: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)

    /// GitHub's falsy values: `false`, `0`, `-0`, `""`, `null` (and NaN).
    public var isFalsy: Bool {
        switch self {
        case .null: true
        case .bool(let b): !b
        case .number(let d): d == 0 || d.isNaN
        case .string(let s): s.isEmpty
        }
    }
}

/// A parsed `${{ }}` expression.
public indirect enum Expr: Sendable, Hashable {
    case literal(ExprLiteral)
    /// A context name such as `env`, `matrix`, `inputs`, `github`.
    case identifier(String)
    /// `base.name`
    case member(Expr, String)
    /// `base[index]`; `*` filters are `.member(base, "*")`.
    case index(Expr, Expr)
    case call(String, [Expr])
    case not(Expr)
    case binary(BinaryOp, Expr, Expr)

    public enum BinaryOp: String, Sendable, Hashable {
        case and = "&&", or = "||", eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    }

    /// For a plain property chain such as `env.BUILDX_VERSION` or `matrix['platform']`, its
    /// components lowercased where GitHub is case-insensitive (context names), e.g. `["env", "BUILDX_VERSION"]`.
    public var propertyPath: [String]? {
        switch self {
        case .identifier(let n): return [n.lowercased()]
        case .member(let base, let name):
            guard let p = base.propertyPath else { return nil }
            return p + [name]
        case .index(let base, .literal(.string(let s))):
            guard let p = base.propertyPath else { return nil }
            return p + [s]
        default: return nil
        }
    }

    /// Every property path referenced anywhere in the expression.
    public var referencedPaths: [[String]] {
        if let p = propertyPath { return [p] }
        switch self {
        case .literal, .identifier: return []
        case .member(let b, _): return b.referencedPaths
        case .index(let b, let i): return b.referencedPaths + i.referencedPaths
        case .call(_, let args): return args.flatMap(\.referencedPaths)
        case .not(let e): return e.referencedPaths
        case .binary(_, let a, let b): return a.referencedPaths + b.referencedPaths
        }
    }
}

/// An expression that does not parse.
public struct ExpressionError: Error, Sendable {
    public let message: String
    /// Byte offset into the expression source.
    public let offset: Int
}

/// A recursive-descent parser for GitHub's expression syntax (docs: "Evaluate expressions in
/// workflows and actions"): literals, contexts, `.`/`[]` access, function calls, `!`, comparison,
/// `&&`, `||` with their documented precedence.
public enum ExpressionParser {
    /// Parses `source` (the text between `${{` and `}}`).
    /// - Throws: `ExpressionError` with a byte offset into `source`.
    public static func parse(_ source: String) throws(ExpressionError) -> Expr {
        var p = Parser(tokens: try tokenize(Array(source.utf8)))
        let e = try p.parseOr()
        guard p.peek == .end else { throw ExpressionError(message: "unexpected token", offset: p.offset) }
        return e
    }

    enum Token: Equatable {
        case ident(String), number(Double), string(String), op(String), end
    }

    static func tokenize(_ b: [UInt8]) throws(ExpressionError) -> [(Token, Int)] {
        var out: [(Token, Int)] = []
        var i = 0
        func isIdentStart(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
        func isIdent(_ c: UInt8) -> Bool { isIdentStart(c) || (c >= 48 && c <= 57) || c == 45 }
        while i < b.count {
            let c = b[i]
            if c == 32 || c == 9 || c == 10 || c == 13 {
                i += 1
                continue
            }
            let start = i
            if isIdentStart(c) {
                while i < b.count, isIdent(b[i]) { i += 1 }
                out.append((.ident(String(decoding: b[start..<i], as: UTF8.self)), start))
            } else if (c >= 48 && c <= 57) || (c == 45 && i + 1 < b.count && b[i + 1] >= 48 && b[i + 1] <= 57) {
                i += 1
                while i < b.count, (b[i] >= 48 && b[i] <= 57) || b[i] == 46 || b[i] == 120 || b[i] == 101
                    || (b[i] >= 97 && b[i] <= 102) || (b[i] >= 65 && b[i] <= 70)
                { i += 1 }
                let text = String(decoding: b[start..<i], as: UTF8.self)
                let value: Double
                if text.hasPrefix("0x"), let v = Int(text.dropFirst(2), radix: 16) { value = Double(v) }
                else if let v = Double(text) { value = v }
                else { throw ExpressionError(message: "bad number \(text)", offset: start) }
                out.append((.number(value), start))
            } else if c == 39 {  // '
                i += 1
                var s: [UInt8] = []
                var closed = false
                while i < b.count {
                    if b[i] == 39 {
                        if i + 1 < b.count, b[i + 1] == 39 {
                            s.append(39)
                            i += 2
                            continue
                        }
                        closed = true
                        i += 1
                        break
                    }
                    s.append(b[i])
                    i += 1
                }
                guard closed else { throw ExpressionError(message: "unterminated string", offset: start) }
                out.append((.string(String(decoding: s, as: UTF8.self)), start))
            } else {
                let two = i + 1 < b.count ? String(decoding: b[i...(i + 1)], as: UTF8.self) : ""
                if ["&&", "||", "==", "!=", "<=", ">="].contains(two) {
                    out.append((.op(two), start))
                    i += 2
                } else if "!<>.[](),*".utf8.contains(c) {
                    out.append((.op(String(UnicodeScalar(c))), start))
                    i += 1
                } else {
                    throw ExpressionError(message: "unexpected character", offset: start)
                }
            }
        }
        out.append((.end, b.count))
        return out
    }

    struct Parser {
        let tokens: [(Token, Int)]
        var pos = 0
        /// Nesting of parentheses, `!`, calls and indexes: bounded so hostile input cannot exhaust the stack.
        var depth = 0
        static let maxDepth = 64
        /// Operators and property or index accesses so far. A chain (`a || b || …`, `a.b.c…`) parses in a
        /// loop but nests as deeply as it is long, and evaluating it recurses once per link: bounded too.
        var links = 0
        static let maxLinks = 1000
        init(tokens: [(Token, Int)]) { self.tokens = tokens }
        /// Counts one operator or access, and throws once there are more than `maxLinks`.
        mutating func link() throws(ExpressionError) {
            links += 1
            guard links <= Self.maxLinks else {
                throw ExpressionError(message: "expression too long (more than \(Self.maxLinks) operators and accesses)", offset: offset)
            }
        }
        var peek: Token { tokens[pos].0 }
        var offset: Int { tokens[pos].1 }
        mutating func advance() -> Token {
            let t = tokens[pos].0
            if pos < tokens.count - 1 { pos += 1 }
            return t
        }
        mutating func expect(_ op: String) throws(ExpressionError) {
            guard peek == .op(op) else { throw ExpressionError(message: "expected \(op)", offset: offset) }
            _ = advance()
        }

        mutating func parseOr() throws(ExpressionError) -> Expr {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { throw ExpressionError(message: "expression nested too deeply", offset: offset) }
            var l = try parseAnd()
            while peek == .op("||") {
                _ = advance()
                try link()
                l = .binary(.or, l, try parseAnd())
            }
            return l
        }
        mutating func parseAnd() throws(ExpressionError) -> Expr {
            var l = try parseEquality()
            while peek == .op("&&") {
                _ = advance()
                try link()
                l = .binary(.and, l, try parseEquality())
            }
            return l
        }
        mutating func parseEquality() throws(ExpressionError) -> Expr {
            var l = try parseComparison()
            while true {
                if peek == .op("==") { _ = advance(); try link(); l = .binary(.eq, l, try parseComparison()) }
                else if peek == .op("!=") { _ = advance(); try link(); l = .binary(.ne, l, try parseComparison()) }
                else { return l }
            }
        }
        mutating func parseComparison() throws(ExpressionError) -> Expr {
            var l = try parseUnary()
            while true {
                let op: Expr.BinaryOp
                switch peek {
                case .op("<"): op = .lt
                case .op("<="): op = .le
                case .op(">"): op = .gt
                case .op(">="): op = .ge
                default: return l
                }
                _ = advance()
                try link()
                l = .binary(op, l, try parseUnary())
            }
        }
        mutating func parseUnary() throws(ExpressionError) -> Expr {
            if peek == .op("!") {
                _ = advance()
                depth += 1
                defer { depth -= 1 }
                guard depth <= Self.maxDepth else { throw ExpressionError(message: "expression nested too deeply", offset: offset) }
                return .not(try parseUnary())
            }
            return try parsePostfix()
        }
        mutating func parsePostfix() throws(ExpressionError) -> Expr {
            var e = try parsePrimary()
            while true {
                if peek == .op(".") || peek == .op("[") { try link() }
                if peek == .op(".") {
                    _ = advance()
                    switch advance() {
                    case .ident(let n): e = .member(e, n)
                    case .op("*"): e = .member(e, "*")
                    default: throw ExpressionError(message: "expected property name", offset: offset)
                    }
                } else if peek == .op("[") {
                    _ = advance()
                    if peek == .op("*") {
                        _ = advance()
                        e = .member(e, "*")
                    } else {
                        e = .index(e, try parseOr())
                    }
                    try expect("]")
                } else {
                    return e
                }
            }
        }
        mutating func parsePrimary() throws(ExpressionError) -> Expr {
            let at = offset
            switch advance() {
            case .number(let d): return .literal(.number(d))
            case .string(let s): return .literal(.string(s))
            case .ident(let n):
                switch n {
                case "true": return .literal(.bool(true))
                case "false": return .literal(.bool(false))
                case "null": return .literal(.null)
                default: break
                }
                if peek == .op("(") {
                    _ = advance()
                    var args: [Expr] = []
                    if peek != .op(")") {
                        args.append(try parseOr())
                        while peek == .op(",") {
                            _ = advance()
                            args.append(try parseOr())
                        }
                    }
                    try expect(")")
                    return .call(n.lowercased(), args)
                }
                return .identifier(n)
            case .op("("):
                let e = try parseOr()
                try expect(")")
                return e
            default:
                throw ExpressionError(message: "unexpected token", offset: at)
            }
        }
    }
}

/// Parsed templates of one thread (a small memo of strings up to `maxKeyLength` bytes, cleared when it reaches
/// `limit` entries, so a thread never holds more than a few hundred KiB).
final class TemplateCache {
    static let limit = 1024
    static let maxKeyLength = 256
    var entries: [String: [TemplatePart]] = [:]

    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        #if os(Linux)
        pthread_key_create(&k) { p in if let p { Unmanaged<TemplateCache>.fromOpaque(p).release() } }
        #else
        pthread_key_create(&k) { p in Unmanaged<TemplateCache>.fromOpaque(p).release() }
        #endif
        return k
    }()

    /// The calling thread's cache.
    static var current: TemplateCache {
        if let p = pthread_getspecific(key) { return Unmanaged<TemplateCache>.fromOpaque(p).takeUnretainedValue() }
        let c = TemplateCache()
        pthread_setspecific(key, Unmanaged.passRetained(c).toOpaque())
        return c
    }
}
