// Runtime values of the HCL evaluator: a small model of cty without types beyond what bake needs.

/// A value produced by evaluating an `HCLExpr`.
///
/// Lists and tuples share `.list`; objects and maps share `.object` (iterated in key order, as HCL
/// does). `.unknown` stands for anything that could not be computed here: an undefined variable or
/// function, a function this evaluator does not implement, a runtime error (type mismatch, index out
/// of range, null in a template), an exhausted evaluation budget. Unknown is contagious: an operation
/// on an unknown operand is unknown, except where the result does not depend on it
/// (`false && x`, `true || x`, a conditional whose branches agree, `coalesce` after a known value).
public enum HCLValue: Sendable, Hashable, CustomStringConvertible {
    /// The most nodes a value may hold when written out: lists and objects share their elements, so a chain of
    /// variables each holding the previous one twice is small in memory but exponential to walk (`jsonencode`,
    /// `distinct`, equality). Larger values become `.unknown` where they are made.
    public static let maxNodes = 100_000

    /// Whether this value, written out, has more than `limit` nodes (stops counting there).
    public func isLarger(than limit: Int) -> Bool {
        var count = 0
        var stack: [HCLValue] = [self]
        while let v = stack.popLast() {
            count += 1
            if count > limit { return true }
            switch v {
            case .list(let l): stack.append(contentsOf: l)
            case .object(let o): stack.append(contentsOf: o.values)
            default: break
            }
        }
        return false
    }

    /// This value, or `.unknown` when it is larger than `maxNodes`.
    var bounded: HCLValue {
        switch self {
        case .list, .object: return isLarger(than: Self.maxNodes) ? .unknown : self
        default: return self
        }
    }

    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number (HCL numbers are arbitrary precision; here they are doubles).
    case number(Double)
    /// A string.
    case string(String)
    /// A list or tuple.
    case list([HCLValue])
    /// An object or map.
    case object([String: HCLValue])
    /// A value that could not be computed (see the type's documentation).
    case unknown

    /// Whether this value is not `.unknown` (its elements may still be unknown).
    public var isKnown: Bool {
        if case .unknown = self { return false }
        return true
    }

    /// Whether neither this value nor anything nested in it is unknown.
    public var isWhollyKnown: Bool {
        switch self {
        case .unknown: return false
        case .list(let a): return a.allSatisfy { $0.isWhollyKnown }
        case .object(let o): return o.values.allSatisfy { $0.isWhollyKnown }
        default: return true
        }
    }

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The string form of a primitive, as HCL converts it to a string: strings as is, numbers in
    /// decimal (`1`, `1.5`), bools as `true`/`false`. Nil for null, unknown, lists and objects.
    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .number(let d): return HCLValue.formatNumber(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// The number this value converts to (numbers, and strings that parse as decimal numbers).
    public var numberValue: Double? {
        switch self {
        case .number(let d): return d
        case .string(let s):
            let t = s.utf8
            // cty accepts decimal and exponent notation only (no hex, no "inf"/"nan").
            guard !t.isEmpty, t.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 == 0x65 || $0 == 0x45 }) else {
                return nil
            }
            return Double(s)
        default: return nil
        }
    }

    /// The bool this value converts to (bools, and the strings `true`/`false`).
    public var boolValue: Bool? {
        switch self {
        case .bool(let b): return b
        case .string("true"): return true
        case .string("false"): return false
        default: return nil
        }
    }

    /// The elements of a list, or nil.
    public var listValue: [HCLValue]? {
        if case .list(let a) = self { return a }
        return nil
    }

    /// The entries of an object, or nil.
    public var objectValue: [String: HCLValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// A short type name for messages: `string`, `number`, `bool`, `list`, `object`, `null`, `unknown`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        case .list: return "list"
        case .object: return "object"
        case .unknown: return "unknown"
        }
    }

    /// HCL-like rendering for messages and tests: `"a"`, `1`, `[1, "b"]`, `{ k = "v" }`, `null`, `(unknown)`.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return HCLValue.formatNumber(d)
        case .string(let s): return HCLValue.quote(s)
        case .list(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .object(let o):
            if o.isEmpty { return "{}" }
            return "{ " + o.keys.sorted().map { "\(HCLValue.isIdentifier($0) ? $0 : HCLValue.quote($0)) = \(o[$0]!.description)" }.joined(separator: ", ") + " }"
        case .unknown: return "(unknown)"
        }
    }

    /// Formats a number the way cty does for string conversion: integers without a fraction,
    /// other values in the shortest decimal form.
    public static func formatNumber(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == d.rounded(), abs(d) < 1e18 { return String(Int64(d)) }
        let s = "\(d)"
        // Swift writes large/small magnitudes with an exponent ("1e+20"); cty writes plain decimals,
        // but such numbers do not occur in bake files, so the difference is accepted.
        return s
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.utf8.first, (f >= 0x41 && f <= 0x5A) || (f >= 0x61 && f <= 0x7A) || f == 0x5F else { return false }
        return s.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D }
    }

    /// HCL equality: values of different types are unequal (`1 == "1"` is false), lists and objects
    /// compare element-wise. Nil when the answer depends on an unknown.
    public static func hclEqual(_ a: HCLValue, _ b: HCLValue) -> Bool? {
        switch (a, b) {
        case (.unknown, _), (_, .unknown): return nil
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)):
            guard x.count == y.count else { return false }
            var sawUnknown = false
            for i in 0..<x.count {
                guard let e = hclEqual(x[i], y[i]) else { sawUnknown = true; continue }
                if !e { return false }
            }
            return sawUnknown ? nil : true
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            var sawUnknown = false
            for (k, v) in x {
                guard let w = y[k] else { return false }
                guard let e = hclEqual(v, w) else { sawUnknown = true; continue }
                if !e { return false }
            }
            return sawUnknown ? nil : true
        default: return false
        }
    }
}
