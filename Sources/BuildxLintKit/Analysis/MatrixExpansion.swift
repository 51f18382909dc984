/// The jobs (legs) a `strategy.matrix` expands to.
public struct MatrixLegs: Sendable {
    /// Each leg's `matrix` context, in GitHub's order: the cross product (first key varying slowest)
    /// minus `exclude`, then the `include` entries that became combinations of their own. Empty when
    /// there is no matrix or when `unknownReason` is set.
    public let legs: [[String: ExprValue]]
    /// Why the legs are not known (an axis or `include` computed at run time, an invalid matrix, too
    /// many combinations); nil when `legs` is the real expansion.
    public let unknownReason: String?
    /// The matrix keys whose value is not the same in all legs (a key missing from some legs counts as
    /// varying), in the order the keys first appear in the workflow. Empty with fewer than two legs.
    public let dimensions: [String]

    /// Creates a result (used by the expansion and by tests).
    public init(legs: [[String: ExprValue]], unknownReason: String?, dimensions: [String]) {
        self.legs = legs
        self.unknownReason = unknownReason
        self.dimensions = dimensions
    }

    /// No matrix at all (`strategy.matrix` absent): no legs, nothing unknown.
    public static let none = MatrixLegs(legs: [], unknownReason: nil, dimensions: [])

    static func unknown(_ reason: String) -> MatrixLegs { MatrixLegs(legs: [], unknownReason: reason, dimensions: []) }
}

/// Expands `strategy.matrix` the way GitHub does (docs: "Running variations of jobs in a workflow").
///
/// * The axes (every key except `include`/`exclude`) form a cross product; axis values may be scalars,
///   mappings or sequences.
/// * `exclude` removes each combination that matches all keys of an entry; mapping values match
///   partially (only the keys the entry gives).
/// * Each `include` entry is merged into every original combination (after `exclude`) whose axis values it
///   does not change; keys that are not axes are added and may overwrite what an earlier `include` added.
///   An entry that fits no original combination becomes a combination of its own (later entries are not
///   merged into it). With no axes, every entry is its own combination.
/// * Scalars are typed with GitHub's YAML 1.2 core schema: plain `3.10` is the number 3.1 (and renders as
///   `3.1`), plain `true` a boolean, `0x1F` the number 31, `~`/`null`/empty null; quoted scalars and
///   `!!str` stay strings.
/// * `${{ }}` values are evaluated in the given context (GitHub allows `github`, `inputs`, `vars`, `needs`
///   there). A whole axis, `include`, `exclude` or matrix written as an expression is expanded only when
///   it evaluates to a known value (`fromJSON('["a","b"]')`); otherwise the result is unknown.
/// * Where GitHub's comparison rule is not documented (an `include`/`exclude` value equal to a leg's
///   only case-insensitively or after type coercion, or a value not known here), the result is unknown
///   rather than a guess.
public enum MatrixExpansion {
    /// Most combinations GitHub runs for one matrix.
    public static let maxLegs = 256

    /// Expands `matrix` (the value of `strategy.matrix`, nil when the job has none).
    /// - Returns: the legs, or `MatrixLegs.none` for nil, or a result with `unknownReason` set.
    public static func expand(_ matrix: YAMLNode?, _ ctx: EvalContext) -> MatrixLegs {
        guard let matrix else { return .none }
        // Matrix values cannot use `matrix` itself.
        var c = ctx
        c.matrix = nil
        var budget = Budget()
        let node = matrix.resolved
        if case .scalar(let s, _) = node.kind {
            guard Template.hasExpression(s) else { return .unknown("strategy.matrix is not a mapping") }
            let v = value(of: node, c, &budget)
            return expand(value: v, keyOrder: [])
        }
        guard let pairs = node.pairs else { return .unknown("strategy.matrix is not a mapping") }
        var keyOrder: [String] = []
        var entries: [(String, ExprValue)] = []
        for p in pairs {
            guard let k = p.key.scalar else { return .unknown("strategy.matrix has a key that is not a string") }
            let v = value(of: p.value, c, &budget)
            if budget.exhausted { return .unknown("strategy.matrix is too large to expand") }
            entries.append((k, v))
            keyOrder.append(k)
            // Keys added by include entries, in source order, for `dimensions`.
            if k == "include", let items = p.value.items {
                for item in items {
                    for ip in item.pairs ?? [] { if let ik = ip.key.scalar { keyOrder.append(ik) } }
                }
            }
        }
        return expand(entries: entries, keyOrder: keyOrder)
    }

    /// Expands a matrix given as an evaluated value (for example the result of a literal `fromJSON`).
    /// The key order of an `ExprValue` object is not known, so keys are taken in sorted order, which only
    /// affects the order of `legs` and `dimensions`.
    public static func expand(value: ExprValue) -> MatrixLegs { expand(value: value, keyOrder: []) }

    static func expand(value: ExprValue, keyOrder: [String]) -> MatrixLegs {
        switch value {
        case .object(let o):
            let keys = o.keys.sorted()
            var order = keyOrder + keys
            if case .array(let inc)? = o["include"] {
                for case .object(let e) in inc { order += e.keys.sorted() }
            }
            return expand(entries: keys.map { ($0, o[$0]!) }, keyOrder: order)
        case .unknown(let r): return .unknown("strategy.matrix is computed at run time (\(r))")
        default:
            if value.isSymbolic { return .unknown("strategy.matrix is computed at run time from values not known here") }
            return .unknown("strategy.matrix is not a mapping")
        }
    }

    /// The expansion proper, over evaluated entries in source order.
    static func expand(entries: [(String, ExprValue)], keyOrder: [String]) -> MatrixLegs {
        var axes: [(String, [ExprValue])] = []
        var include: [[String: ExprValue]] = []
        var includeKeys: [[String]] = []
        var exclude: [[String: ExprValue]] = []
        for (k, v) in entries {
            switch k {
            case "include", "exclude":
                let list: [ExprValue]
                switch v {
                case .array(let a): list = a
                case .null: list = []
                case .unknown(let r): return .unknown("matrix \(k) is computed at run time (\(r))")
                default:
                    if v.isSymbolic { return .unknown("matrix \(k) is computed at run time from values not known here") }
                    return .unknown("matrix \(k) is not a list")
                }
                for item in list {
                    switch item {
                    case .object(let o):
                        if k == "include" {
                            include.append(o)
                            includeKeys.append(o.keys.sorted())
                        } else {
                            exclude.append(o)
                        }
                    case .unknown(let r): return .unknown("a matrix \(k) entry is computed at run time (\(r))")
                    default:
                        if item.isSymbolic { return .unknown("a matrix \(k) entry is computed at run time from values not known here") }
                        return .unknown("a matrix \(k) entry is not a mapping")
                    }
                }
            default:
                switch v {
                case .array(let a):
                    if a.isEmpty { return .unknown("matrix axis `\(k)` has no values (GitHub rejects it)") }
                    axes.append((k, a))
                case .unknown(let r): return .unknown("matrix axis `\(k)` is computed at run time (\(r))")
                default:
                    if v.isSymbolic { return .unknown("matrix axis `\(k)` is computed at run time from values not known here") }
                    return .unknown("matrix axis `\(k)` is not a list (GitHub rejects it)")
                }
            }
        }
        if axes.isEmpty && include.isEmpty { return .unknown("strategy.matrix defines no combinations (GitHub rejects it)") }
        let axisNames = Set(axes.map(\.0))
        for e in exclude {
            if e.isEmpty { return .unknown("a matrix exclude entry is empty (GitHub rejects it)") }
            for k in e.keys where !axisNames.contains(k) {
                return .unknown("matrix exclude key `\(k)` is not a matrix key (GitHub rejects it)")
            }
        }

        // Cross product, first axis varying slowest.
        var size = axes.isEmpty ? 0 : 1
        for (_, vals) in axes {
            let (m, overflow) = size.multipliedReportingOverflow(by: vals.count)
            if overflow || m > 65_536 { return .unknown("strategy.matrix has too many combinations to expand") }
            size = m
        }
        var originals: [[String: ExprValue]] = []
        for index in 0..<size {
            var combo: [String: ExprValue] = [:]
            var block = size
            for (name, vals) in axes {
                block /= vals.count
                combo[name] = vals[(index / block) % vals.count]
            }
            var excluded = false
            for e in exclude {
                switch matchesPartially(e, combo) {
                case true?: excluded = true
                case nil: return .unknown("cannot tell whether matrix exclude entry \(describe(e)) removes \(describe(combo))")
                default: break
                }
                if excluded { break }
            }
            if !excluded { originals.append(combo) }
        }

        // Include entries: merge into matching originals, else add as combinations of their own.
        var merged = originals
        var extras: [[String: ExprValue]] = []
        for entry in include {
            var matched: [Int] = []
            for (i, combo) in originals.enumerated() {
                var fits: Bool? = true
                for (k, v) in entry where axisNames.contains(k) {
                    switch sameValue(v, combo[k] ?? .null) {
                    case false?: fits = false
                    case nil: if fits == true { fits = nil }
                    default: break
                    }
                    if fits == false { break }
                }
                switch fits {
                case true?: matched.append(i)
                case nil: return .unknown("cannot tell whether matrix include entry \(describe(entry)) fits \(describe(combo))")
                default: break
                }
            }
            if matched.isEmpty {
                extras.append(entry)
            } else {
                for i in matched { merged[i].merge(entry) { _, new in new } }
            }
        }
        let legs = merged + extras
        if legs.count > maxLegs {
            return .unknown("strategy.matrix expands to \(legs.count) jobs; GitHub allows \(maxLegs)")
        }
        return MatrixLegs(legs: legs, unknownReason: nil, dimensions: dimensions(of: legs, keyOrder: keyOrder))
    }

    /// Keys whose values differ between legs, in `keyOrder` (then any others, sorted).
    static func dimensions(of legs: [[String: ExprValue]], keyOrder: [String]) -> [String] {
        guard legs.count > 1 else { return [] }
        var seen = Set<String>()
        var order: [String] = []
        for k in keyOrder + legs.flatMap({ $0.keys.sorted() }) where k != "include" && k != "exclude" {
            if seen.insert(k).inserted { order.append(k) }
        }
        return order.filter { k in
            let first = legs[0][k]
            return legs.dropFirst().contains { $0[k] != first }
        }
    }

    /// Whether a leg value equals a filter value: nil when GitHub's rule is not documented for the case
    /// (the values differ only by letter case or type, or one is not known here).
    static func sameValue(_ a: ExprValue, _ b: ExprValue) -> Bool? {
        if a == b { return true }
        if !a.isConcrete || !b.isConcrete { return nil }
        switch (a, b) {
        case (.object(let x), .object(let y)):
            guard Set(x.keys) == Set(y.keys) else { return false }
            var result: Bool? = true
            for (k, v) in x {
                switch sameValue(v, y[k]!) {
                case false?: return false
                case nil: result = nil
                default: break
                }
            }
            return result
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            var result: Bool? = true
            for (v, w) in zip(x, y) {
                switch sameValue(v, w) {
                case false?: return false
                case nil: result = nil
                default: break
                }
            }
            return result
        case (.array, _), (_, .array), (.object, _), (_, .object):
            return false
        default:
            // Loosely equal scalars (`Linux` vs `linux`, 1 vs '1'): the old runner compared with `==`.
            return ExpressionEvaluator.looselyEqual(a, b) == true ? nil : false
        }
    }

    /// `exclude` matching: every key of `filter` matches; mappings match partially.
    static func matchesPartially(_ filter: [String: ExprValue], _ combo: [String: ExprValue]) -> Bool? {
        var result: Bool? = true
        for (k, f) in filter {
            let r: Bool?
            if case .object(let fo) = f, case .object(let co)? = combo[k] {
                r = matchesPartially(fo, co)
            } else {
                r = sameValue(f, combo[k] ?? .null)
            }
            switch r {
            case false?: return false
            case nil: result = nil
            default: break
            }
        }
        return result
    }

    static func describe(_ o: [String: ExprValue]) -> String {
        "{" + o.keys.sorted().map { "\($0): \(o[$0]!.templateText ?? "?")" }.joined(separator: ", ") + "}"
    }

    // MARK: - YAML values

    /// Caps the work of converting YAML to values, so alias bombs stay cheap.
    struct Budget {
        var left = 200_000
        var exhausted: Bool { left <= 0 }
    }

    /// The value GitHub gives a YAML node (`matrix` values, `env:` values before their conversion to
    /// strings): scalars typed with the YAML 1.2 core schema (see the type's notes), mappings as objects,
    /// sequences as arrays, `${{ }}` evaluated in `ctx` (a whole expression keeps its type, other strings
    /// with expressions become strings). `.unknown` for undefined aliases, unsupported tags and very
    /// large trees.
    public static func value(of node: YAMLNode, _ ctx: EvalContext) -> ExprValue {
        var budget = Budget()
        return value(of: node, ctx, &budget)
    }

    static func value(of node: YAMLNode, _ ctx: EvalContext, _ budget: inout Budget) -> ExprValue {
        budget.left -= 1
        if budget.exhausted { return .unknown("YAML value too large") }
        let n = node.resolved
        switch n.kind {
        case .scalar(let s, let style):
            if Template.hasExpression(s) {
                if let e = Template.wholeExpression(s) { return ExpressionEvaluator.evaluate(e, ctx) }
                return ExpressionEvaluator.evaluate(template: s, ctx)
            }
            return scalarValue(s, style: style, tag: n.tag)
        case .mapping:
            var o: [String: ExprValue] = [:]
            for p in n.pairs ?? [] {
                guard let k = p.key.scalar else { return .unknown("a mapping key is not a string") }
                o[k] = value(of: p.value, ctx, &budget)
                if budget.exhausted { return .unknown("YAML value too large") }
            }
            return .object(o)
        case .sequence(let items):
            var a: [ExprValue] = []
            a.reserveCapacity(items.count)
            for item in items {
                a.append(value(of: item, ctx, &budget))
                if budget.exhausted { return .unknown("YAML value too large") }
            }
            return .array(a)
        case .alias(let name):
            return .unknown("undefined alias *\(name)")
        }
    }

    /// A scalar's value under GitHub's rules (runner `YamlObjectReader`): plain scalars are null, boolean,
    /// integer (decimal, `0x`, `0o`) or float (YAML 1.2 core schema) before falling back to string; other
    /// styles are strings; the standard `!!str`/`!!int`/`!!float`/`!!bool`/`!!null` tags force the type.
    public static func scalarValue(_ s: String, style: ScalarStyle, tag: String?) -> ExprValue {
        if let tag, tag != "!" {
            let core = "tag:yaml.org,2002:"
            if tag == core + "str" { return .string(s) }
            guard style == .plain else { return .unknown("tag \(tag) on a quoted scalar (GitHub rejects it)") }
            switch tag {
            case core + "bool": return matchBool(s).map { .bool($0) } ?? .unknown("'\(s)' is not a boolean")
            case core + "int": return matchInteger(s).map { .number($0) } ?? .unknown("'\(s)' is not an integer")
            case core + "float": return matchFloat(s).map { .number($0) } ?? .unknown("'\(s)' is not a float")
            case core + "null": return matchNull(s) ? .null : .unknown("'\(s)' is not null")
            default: return .unknown("unsupported YAML tag \(tag)")
            }
        }
        guard style == .plain else { return .string(s) }
        if matchNull(s) { return .null }
        if let b = matchBool(s) { return .bool(b) }
        if let d = matchInteger(s) ?? matchFloat(s) { return .number(d) }
        return .string(s)
    }

    static func matchNull(_ s: String) -> Bool { ["", "null", "Null", "NULL", "~"].contains(s) }

    static func matchBool(_ s: String) -> Bool? {
        switch s {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    static func matchInteger(_ s: String) -> Double? {
        let b = Array(s.utf8)
        guard !b.isEmpty else { return nil }
        func digit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        if b.allSatisfy(digit) { return Double(s) }
        if (b[0] == 43 || b[0] == 45), b.count > 1, b.dropFirst().allSatisfy(digit) {
            return Double(b[0] == 43 ? String(s.dropFirst()) : s)
        }
        if b.count > 2, b[0] == 48, b[1] == 120,
            b[2...].allSatisfy({ digit($0) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) })
        {
            return Int32(String(s.dropFirst(2)), radix: 16).map(Double.init)
        }
        if b.count > 2, b[0] == 48, b[1] == 111, b[2...].allSatisfy({ $0 >= 48 && $0 <= 55 }) {
            return Int32(String(s.dropFirst(2)), radix: 8).map(Double.init)
        }
        return nil
    }

    static func matchFloat(_ s: String) -> Double? {
        switch s {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let b = Array(s.utf8)
        guard !b.isEmpty else { return nil }
        func digit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        var i = (b[0] == 45 || b[0] == 43) ? 1 : 0
        var hasInt = false
        while i < b.count, digit(b[i]) {
            hasInt = true
            i += 1
        }
        var hasDot = false
        if i < b.count, b[i] == 46 {
            hasDot = true
            i += 1
        }
        var hasDec = false
        while i < b.count, digit(b[i]) {
            hasDec = true
            i += 1
        }
        guard (hasDot && hasDec) || hasInt else { return nil }
        if i < b.count {
            guard b[i] == 101 || b[i] == 69 else { return nil }
            i += 1
            if i < b.count, b[i] == 45 || b[i] == 43 { i += 1 }
            var hasExp = false
            while i < b.count, digit(b[i]) {
                hasExp = true
                i += 1
            }
            guard hasExp, i == b.count else { return nil }
        }
        // Swift's Double(String) wants digits around the point and no leading '+'.
        var t = s
        if t.hasPrefix("+") { t.removeFirst() }
        var chars = Array(t)
        if let dot = chars.firstIndex(of: ".") {
            if dot == 0 || chars[dot - 1] == "-" { chars.insert("0", at: dot) }
            let d2 = chars.firstIndex(of: ".")!
            if d2 + 1 == chars.count || chars[d2 + 1] == "e" || chars[d2 + 1] == "E" { chars.insert("0", at: d2 + 1) }
        }
        return Double(String(chars))
    }
}
