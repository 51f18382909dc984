// Evaluation of HCL expressions to `HCLValue`s, with the bake standard library.
//
// Nothing here throws or traps on bad input: whatever cannot be computed (undefined names,
// unimplemented functions, type errors, runtime errors, exhausted budgets) becomes `.unknown`.

/// A user-defined function (a bake `function "name" { params = […] variadic_params = x result = … }` block).
public struct HCLUserFunction: Sendable {
    /// The function's name.
    public var name: String
    /// Positional parameter names.
    public var params: [String]
    /// Name of the parameter receiving extra arguments as a list, if any.
    public var variadicParam: String?
    /// The result expression, evaluated with the parameters bound (and the global scope visible).
    public var result: HCLExpr

    /// Creates a user function.
    public init(name: String, params: [String], variadicParam: String? = nil, result: HCLExpr) {
        self.name = name
        self.params = params
        self.variadicParam = variadicParam
        self.result = result
    }
}

/// Supplies values for global names that are not in the evaluator's `variables`, on demand.
/// The bake layer implements this to evaluate variable defaults lazily (with cycle detection).
public protocol HCLGlobalResolver: AnyObject {
    /// The value of the global `name`, or nil when no such name exists (the evaluator then uses
    /// `.unknown`). `path` lists the attribute names that statically follow the name in the
    /// expression being evaluated (`["app", "tags"]` for `target.app.tags`), so a resolver can
    /// build only the part that is needed; the evaluator applies the traversal itself afterwards.
    func resolveGlobal(_ name: String, path: [String]) -> HCLValue?
}

/// Shared limits for a series of evaluations: a step budget against exponential input and a
/// recursion depth limit against stack overflow. Once a limit is hit, evaluations yield `.unknown`.
public final class HCLEvalBudget {
    /// Evaluation steps still available.
    public private(set) var remainingSteps: Int
    /// Current nesting of evaluations (expression recursion, function calls, resolver callbacks).
    public internal(set) var depth = 0
    /// Maximum nesting of evaluations.
    public let maxDepth: Int
    /// Whether any evaluation ran out of steps.
    public private(set) var exhausted = false

    /// Creates a budget of `steps` evaluation steps and `maxDepth` nested evaluations.
    public init(steps: Int = 2_000_000, maxDepth: Int = 1_000) {
        remainingSteps = steps
        self.maxDepth = maxDepth
    }

    /// Consumes `n` steps; false when none are left.
    func take(_ n: Int = 1) -> Bool {
        if remainingSteps < n {
            remainingSteps = 0
            exhausted = true
            return false
        }
        remainingSteps -= n
        return true
    }
}

/// Evaluates HCL expressions.
///
/// Name lookup order: `locals` passed to `evaluate` (for/matrix bindings), then `variables`,
/// then `resolver`, else `.unknown`. Function lookup: the built-in library first (as in buildx,
/// user functions cannot shadow it), then `functions`. User function bodies see their parameters,
/// `variables` and `resolver`, not the caller's locals.
public struct HCLEvaluator {
    /// Global values (visible everywhere, including inside user functions).
    public var variables: [String: HCLValue]
    /// User-defined functions by name.
    public var functions: [String: HCLUserFunction]
    /// Lazily supplies globals missing from `variables`.
    public var resolver: (any HCLGlobalResolver)?
    /// Step and depth limits, shareable between evaluators.
    public var budget: HCLEvalBudget

    /// Longest string an operation may produce; longer results become `.unknown`.
    public static let maxStringBytes = 4 << 20
    /// Largest list or object an operation may produce; larger results become `.unknown`.
    public static let maxCollectionCount = 100_000
    /// Deepest chain of user function calls.
    public static let maxCallDepth = 16

    /// Creates an evaluator.
    public init(
        variables: [String: HCLValue] = [:], functions: [String: HCLUserFunction] = [:],
        resolver: (any HCLGlobalResolver)? = nil, budget: HCLEvalBudget = HCLEvalBudget()
    ) {
        self.variables = variables
        self.functions = functions
        self.resolver = resolver
        self.budget = budget
    }

    /// Evaluates `expr` with `locals` bound on top of the global scope. Never throws; see `HCLValue.unknown`.
    public func evaluate(_ expr: HCLExpr, locals: [String: HCLValue] = [:]) -> HCLValue {
        HCLEvalRun(self).eval(expr, locals)
    }

    /// Renders a template (or heredoc) with each part that cannot be computed replaced by `marker`,
    /// e.g. `"type=gha,scope=${f(x)}"` → `type=gha,scope=\u{FFFC}` when `f` is unknown. Non-template
    /// expressions render their value when it is a known primitive. Nil when nothing useful can be said.
    public func renderPartial(_ expr: HCLExpr, locals: [String: HCLValue] = [:], marker: String = "\u{FFFC}") -> String? {
        let run = HCLEvalRun(self)
        switch expr {
        case .template(let parts, _), .heredoc(_, _, let parts, _):
            return run.renderParts(parts, locals, marker: marker)
        case .parenthesized(let e, _):
            return renderPartial(e, locals: locals, marker: marker)
        case .conditional(let c, let a, let b, _):
            guard let cond = run.eval(c, locals).boolValue else { return nil }
            return renderPartial(cond ? a : b, locals: locals, marker: marker)
        default:
            return run.eval(expr, locals).stringValue
        }
    }

    /// Calls a built-in library function on already evaluated arguments.
    /// Returns nil when `name` is not a built-in, `.unknown` when the call fails or is not computable.
    public static func callBuiltin(_ name: String, _ args: [HCLValue]) -> HCLValue? {
        HCLStdlib.call(name, args)
    }

    /// Names of all built-in functions recognised (some always return `.unknown`, e.g. `timestamp`).
    public static var builtinFunctionNames: Set<String> { HCLStdlib.names }
}

/// One evaluation: carries the scope and limits through the recursion.
final class HCLEvalRun {
    let variables: [String: HCLValue]
    let functions: [String: HCLUserFunction]
    let resolver: (any HCLGlobalResolver)?
    let budget: HCLEvalBudget
    var activeCalls: [String] = []

    init(_ e: HCLEvaluator) {
        variables = e.variables
        functions = e.functions
        resolver = e.resolver
        budget = e.budget
    }

    func lookup(_ name: String, path: [String], _ locals: [String: HCLValue]) -> HCLValue {
        if let v = locals[name] { return v }
        if let v = variables[name] { return v }
        if let r = resolver, let v = r.resolveGlobal(name, path: path) { return v }
        return .unknown
    }

    static func staticPath(_ steps: [HCLTraversalStep]) -> [String] {
        var out: [String] = []
        for s in steps {
            switch s {
            case .attribute(let n, _): out.append(n)
            case .index(let k, _):
                if let s = k.staticString { out.append(s) } else { return out }
            }
        }
        return out
    }

    @inline(never)
    func eval(_ e: HCLExpr, _ L: [String: HCLValue]) -> HCLValue {
        guard budget.take() else { return .unknown }
        budget.depth += 1
        defer { budget.depth -= 1 }
        guard budget.depth <= budget.maxDepth else { return .unknown }
        return HCLEvalRun.capped(evalInner(e, L))
    }

    static func capped(_ v: HCLValue) -> HCLValue {
        switch v {
        case .string(let s) where s.utf8.count > HCLEvaluator.maxStringBytes: return .unknown
        case .list(let a) where a.count > HCLEvaluator.maxCollectionCount: return .unknown
        case .object(let o) where o.count > HCLEvaluator.maxCollectionCount: return .unknown
        default: return v
        }
    }

    // The recursive path is eval → evalInner → (one helper) → eval. Each case's work lives in its own
    // non-inlined function so the frames on that path stay small (deep expressions recurse a lot).
    private func evalInner(_ e: HCLExpr, _ L: [String: HCLValue]) -> HCLValue {
        switch e {
        case .number(let d, _): return .number(d)
        case .bool(let b, _): return .bool(b)
        case .null: return .null
        case .template(let parts, _), .heredoc(_, _, let parts, _): return evalTemplate(parts, L)
        case .tuple(let items, _): return evalTuple(items, L)
        case .object(let items, _): return evalObject(items, L)
        case .variable(let n, _): return lookup(n, path: [], L)
        case .traversal(let base, let steps, _): return evalTraversal(base, steps, L)
        case .splat(let base, _, let each, _): return evalSplat(base, each, L)
        case .call(let name, _, let args, let expand, _): return call(name, args, expand, L)
        case .unary(let op, let x, _): return evalUnary(op, x, L)
        case .binary(let op, let a, let b, _): return binary(op, a, b, L)
        case .conditional(let c, let a, let b, _): return evalConditional(c, a, b, L)
        case .forExpr(let f, _): return evalFor(f, L)
        case .parenthesized(let x, _): return eval(x, L)
        }
    }

    @inline(never)
    func evalTemplate(_ parts: [HCLTemplatePart], _ L: [String: HCLValue]) -> HCLValue {
        // A template that is exactly one interpolation yields the value itself (HCL "template wrap").
        if parts.count == 1, case .interpolation(let x, _) = parts[0] { return eval(x, L) }
        guard let s = renderParts(parts, L, marker: nil) else { return .unknown }
        return .string(s)
    }

    @inline(never)
    func evalTuple(_ items: [HCLExpr], _ L: [String: HCLValue]) -> HCLValue {
        var out: [HCLValue] = []
        out.reserveCapacity(items.count)
        for i in items { out.append(eval(i, L)) }
        return HCLValue.list(out).bounded
    }

    @inline(never)
    func evalObject(_ items: [HCLObjectItem], _ L: [String: HCLValue]) -> HCLValue {
        var out: [String: HCLValue] = [:]
        for item in items {
            let key: String
            switch item.key {
            case .identifier(let n, _): key = n
            case .expression(let k):
                guard let s = eval(k, L).stringValue else { return .unknown }
                key = s
            }
            out[key] = eval(item.value, L)
        }
        return HCLValue.object(out).bounded
    }

    @inline(never)
    func evalTraversal(_ base: HCLExpr, _ steps: [HCLTraversalStep], _ L: [String: HCLValue]) -> HCLValue {
        var v: HCLValue
        if case .variable(let n, _) = base { v = lookup(n, path: Self.staticPath(steps), L) } else { v = eval(base, L) }
        for s in steps {
            v = apply(s, to: v, L)
            if case .unknown = v { return .unknown }
        }
        return v
    }

    @inline(never)
    func evalSplat(_ base: HCLExpr, _ each: [HCLTraversalStep], _ L: [String: HCLValue]) -> HCLValue {
        let src: HCLValue
        if case .variable(let n, _) = base { src = lookup(n, path: [], L) } else { src = eval(base, L) }
        func project(_ x: HCLValue) -> HCLValue {
            var v = x
            for s in each { v = apply(s, to: v, L) }
            return v
        }
        switch src {
        case .unknown: return .unknown
        case .null: return .list([])
        case .list(let a): return .list(a.map(project))
        default: return .list([project(src)])
        }
    }

    @inline(never)
    func evalUnary(_ op: HCLUnaryOp, _ x: HCLExpr, _ L: [String: HCLValue]) -> HCLValue {
        let v = eval(x, L)
        switch op {
        case .not:
            guard let b = v.boolValue else { return .unknown }
            return .bool(!b)
        case .negate:
            guard let d = v.numberValue else { return .unknown }
            return .number(-d)
        }
    }

    @inline(never)
    func evalConditional(_ c: HCLExpr, _ a: HCLExpr, _ b: HCLExpr, _ L: [String: HCLValue]) -> HCLValue {
        let cv = eval(c, L)
        if let cond = cv.boolValue { return eval(cond ? a : b, L) }
        guard case .unknown = cv else { return .unknown }
        // Unknown condition: the result is still known when both branches agree.
        let x = eval(a, L), y = eval(b, L)
        if HCLValue.hclEqual(x, y) == true { return x }
        return .unknown
    }

    func apply(_ step: HCLTraversalStep, to v: HCLValue, _ L: [String: HCLValue]) -> HCLValue {
        switch step {
        case .attribute(let n, _):
            if case .object(let o) = v { return o[n] ?? .unknown }
            return .unknown
        case .index(let k, _):
            let key = eval(k, L)
            switch v {
            case .list(let a):
                guard let d = key.numberValue, d == d.rounded(), d >= 0, d < Double(a.count) else { return .unknown }
                return a[Int(d)]
            case .object(let o):
                guard let s = key.stringValue else { return .unknown }
                return o[s] ?? .unknown
            default:
                return .unknown
            }
        }
    }

    /// Renders template parts to a string. With `marker` nil, any part that cannot be rendered makes
    /// the result nil; otherwise such parts are replaced by `marker`.
    func renderParts(_ parts: [HCLTemplatePart], _ L: [String: HCLValue], marker: String?) -> String? {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let s, _):
                out += s
            case .interpolation(let x, _):
                if let s = eval(x, L).stringValue {
                    out += s
                } else if let m = marker {
                    out += m
                } else {
                    return nil
                }
            case .ifDirective(let c, let t, let f, _):
                if let cond = eval(c, L).boolValue {
                    let chosen = cond ? t : (f ?? [])
                    guard let s = renderParts(chosen, L, marker: marker) else { return nil }
                    out += s
                } else if let m = marker {
                    out += m
                } else {
                    return nil
                }
            case .forDirective(let k, let v, let coll, let body, _):
                guard let items = iterate(eval(coll, L)) else {
                    if let m = marker { out += m; continue }
                    return nil
                }
                var L2 = L
                for (key, value) in items {
                    if let k { L2[k] = key }
                    L2[v] = value
                    guard let s = renderParts(body, L2, marker: marker) else { return nil }
                    out += s
                    if out.utf8.count > HCLEvaluator.maxStringBytes { return nil }
                }
            }
            if out.utf8.count > HCLEvaluator.maxStringBytes { return nil }
        }
        return out
    }

    /// Key/value pairs of a collection in HCL iteration order (lists by index, objects by key).
    func iterate(_ v: HCLValue) -> [(HCLValue, HCLValue)]? {
        switch v {
        case .list(let a): return a.enumerated().map { (.number(Double($0.offset)), $0.element) }
        case .object(let o): return o.keys.sorted().map { (.string($0), o[$0]!) }
        default: return nil
        }
    }

    @inline(never)
    func evalFor(_ f: HCLForExpr, _ L: [String: HCLValue]) -> HCLValue {
        guard let items = iterate(eval(f.collection, L)) else { return .unknown }
        var L2 = L
        var list: [HCLValue] = []
        var obj: [String: HCLValue] = [:]
        var groups: [String: [HCLValue]] = [:]
        for (k, v) in items {
            if let kv = f.keyVar { L2[kv] = k }
            L2[f.valueVar] = v
            if let c = f.condition {
                guard let keep = eval(c, L2).boolValue else { return .unknown }
                if !keep { continue }
            }
            if f.isObject {
                guard let ke = f.keyExpr, let key = eval(ke, L2).stringValue else { return .unknown }
                let value = eval(f.valueExpr, L2)
                if f.grouping {
                    groups[key, default: []].append(value)
                } else {
                    // Two items with the same key are an error in HCL.
                    if obj[key] != nil { return .unknown }
                    obj[key] = value
                }
            } else {
                list.append(eval(f.valueExpr, L2))
            }
            if budget.exhausted { return .unknown }
        }
        if !f.isObject { return .list(list) }
        if f.grouping { return .object(groups.mapValues { .list($0) }) }
        return .object(obj)
    }

    @inline(never)
    func binary(_ op: HCLBinaryOp, _ a: HCLExpr, _ b: HCLExpr, _ L: [String: HCLValue]) -> HCLValue {
        switch op {
        case .and, .or:
            let x = eval(a, L)
            let xb = x.boolValue
            if op == .and, xb == false { return .bool(false) }
            if op == .or, xb == true { return .bool(true) }
            if xb == nil, x.isKnown { return .unknown }
            let yb = eval(b, L).boolValue
            if let xb, let yb { return .bool(op == .and ? xb && yb : xb || yb) }
            if op == .and, yb == false { return .bool(false) }
            if op == .or, yb == true { return .bool(true) }
            return .unknown
        case .equal, .notEqual:
            guard let eq = HCLValue.hclEqual(eval(a, L), eval(b, L)) else { return .unknown }
            return .bool(op == .equal ? eq : !eq)
        default:
            guard let x = eval(a, L).numberValue, let y = eval(b, L).numberValue else { return .unknown }
            switch op {
            case .less: return .bool(x < y)
            case .lessEqual: return .bool(x <= y)
            case .greater: return .bool(x > y)
            case .greaterEqual: return .bool(x >= y)
            case .add: return .number(x + y)
            case .subtract: return .number(x - y)
            case .multiply: return .number(x * y)
            case .divide: return y == 0 ? .unknown : .number(x / y)
            case .modulo: return y == 0 ? .unknown : .number(x.truncatingRemainder(dividingBy: y))
            default: return .unknown
            }
        }
    }

    @inline(never)
    func call(_ name: String, _ argExprs: [HCLExpr], _ expand: Bool, _ L: [String: HCLValue]) -> HCLValue {
        // `try` and `can` look at their arguments' evaluation rather than their values.
        if name == "try" {
            for a in argExprs {
                let v = eval(a, L)
                if v.isWhollyKnown { return v }
            }
            return .unknown
        }
        if name == "can" {
            guard argExprs.count == 1 else { return .unknown }
            return eval(argExprs[0], L).isWhollyKnown ? .bool(true) : .unknown
        }
        var args = argExprs.map { eval($0, L) }
        if expand {
            guard let last = args.popLast(), case .list(let extra) = last else { return .unknown }
            args += extra
        }
        if let v = HCLStdlib.call(name, args) { return v.bounded }
        guard let fn = functions[name] else { return .unknown }
        guard activeCalls.count < HCLEvaluator.maxCallDepth, !activeCalls.contains(name) else { return .unknown }
        guard args.count == fn.params.count || (fn.variadicParam != nil && args.count >= fn.params.count) else { return .unknown }
        var scope: [String: HCLValue] = [:]
        for (i, p) in fn.params.enumerated() { scope[p] = args[i] }
        if let vp = fn.variadicParam { scope[vp] = .list(Array(args[fn.params.count...])) }
        activeCalls.append(name)
        defer { activeCalls.removeLast() }
        return eval(fn.result, scope).bounded
    }
}

// MARK: - Standard library

/// The bake standard library subset (see buildx `bake/hclparser/stdlib.go`), on evaluated values.
enum HCLStdlib {
    /// Functions known to buildx whose result this linter cannot compute (time, randomness, crypto,
    /// file system, regular expressions in general). They evaluate to `.unknown`.
    static let alwaysUnknown: Set<String> = [
        "timestamp", "formatdate", "formattimestamp", "timeadd", "unixtimestampparse", "uuidv4", "uuidv5",
        "bcrypt", "rsadecrypt", "homedir", "semvercmp", "sha1", "sha512", "regex", "regexall",
        "jsondecode", "csvdecode", "cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets", "convert", "log",
        "setintersection", "setproduct", "setsubtract", "setsymmetricdifference", "setunion", "sethaselement",
        "byteslen", "bytesslice",
    ]

    static let implemented: Set<String> = [
        "absolute", "abs", "add", "and", "base64decode", "base64encode", "basename", "ceil", "chomp", "chunklist",
        "coalesce", "coalescelist", "compact", "concat", "contains", "dirname", "distinct", "divide", "element",
        "equal", "flatten", "floor", "format", "formatlist", "greaterthan", "greaterthanorequalto", "hasindex",
        "indent", "index", "indexof", "int", "join", "jsonencode", "keys", "length", "lessthan",
        "lessthanorequalto", "lookup", "lower", "max", "md5", "merge", "min", "modulo", "multiply", "negate",
        "not", "notequal", "or", "parseint", "pow", "range", "regex_replace", "replace", "reverse", "reverselist",
        "sanitize", "sha256", "signum", "slice", "sort", "split", "strlen", "substr", "subtract", "title", "trim",
        "trimprefix", "trimspace", "trimsuffix", "upper", "urlencode", "values", "zipmap",
    ]

    static var names: Set<String> { implemented.union(alwaysUnknown).union(["try", "can"]) }

    static func call(_ name: String, _ a: [HCLValue]) -> HCLValue? {
        if alwaysUnknown.contains(name) { return .unknown }
        guard implemented.contains(name) else { return nil }
        return HCLEvalRun.capped(impl(name, a) ?? .unknown)
    }

    // Argument helpers: nil means "not computable" (wrong type, unknown, null).
    static func str(_ v: HCLValue) -> String? { v.stringValue }
    static func num(_ v: HCLValue) -> Double? { v.numberValue }
    static func int(_ v: HCLValue) -> Int? {
        guard let d = v.numberValue, d == d.rounded(), abs(d) < 1e15 else { return nil }
        return Int(d)
    }
    static func list(_ v: HCLValue) -> [HCLValue]? { v.listValue }

    static func strs(_ a: [HCLValue], _ n: Int) -> [String]? {
        guard a.count == n else { return nil }
        var out: [String] = []
        for v in a {
            guard let s = v.stringValue else { return nil }
            out.append(s)
        }
        return out
    }

    static func impl(_ name: String, _ a: [HCLValue]) -> HCLValue? {
        switch name {
        // Strings
        case "lower":
            guard let s = strs(a, 1) else { return nil }
            return .string(s[0].lowercased())
        case "upper":
            guard let s = strs(a, 1) else { return nil }
            return .string(s[0].uppercased())
        case "title":
            guard let s = strs(a, 1) else { return nil }
            var out = ""
            var prevLetter = false
            for c in s[0] {
                out += prevLetter ? String(c) : c.uppercased()
                prevLetter = c.isLetter
            }
            return .string(out)
        case "trimspace":
            guard let s = strs(a, 1) else { return nil }
            return .string(trimmed(s[0]) { $0.properties.isWhitespace })
        case "trim":
            guard let s = strs(a, 2) else { return nil }
            let cut = Set(s[1].unicodeScalars)
            return .string(trimmed(s[0]) { cut.contains($0) })
        case "trimprefix":
            // Byte-wise, as Go does (Swift's hasPrefix compares canonically equivalent characters).
            guard let s = strs(a, 2) else { return nil }
            let u = Array(s[0].utf8), x = Array(s[1].utf8)
            return .string(u.starts(with: x) ? String(decoding: u[x.count...], as: UTF8.self) : s[0])
        case "trimsuffix":
            guard let s = strs(a, 2) else { return nil }
            let u = Array(s[0].utf8), x = Array(s[1].utf8)
            let has = u.count >= x.count && u[(u.count - x.count)...].elementsEqual(x)
            return .string(has ? String(decoding: u[..<(u.count - x.count)], as: UTF8.self) : s[0])
        case "chomp":
            guard let s = strs(a, 1) else { return nil }
            var u = Array(s[0].utf8)
            while let l = u.last, l == 0x0A || l == 0x0D { u.removeLast() }
            return .string(String(decoding: u, as: UTF8.self))
        case "strlen":
            guard let s = strs(a, 1) else { return nil }
            return .number(Double(s[0].count))
        case "substr":
            guard a.count == 3, let s = a[0].stringValue, let off = int(a[1]), let len = int(a[2]) else { return nil }
            let chars = Array(s)
            var start = off < 0 ? chars.count + off : off
            start = max(0, start)
            if start > chars.count { return nil }
            let end = len < 0 ? chars.count : min(chars.count, start + len)
            return .string(String(chars[start..<max(start, end)]))
        case "indent":
            guard a.count == 2, let n = int(a[0]), n >= 0, n < 1000, let s = a[1].stringValue else { return nil }
            let pad = String(repeating: " ", count: n)
            return .string(replaceAll(s, "\n", "\n" + pad))
        case "replace":
            guard let s = strs(a, 3) else { return nil }
            return .string(replaceAll(s[0], s[1], s[2]))
        case "regex_replace":
            guard let s = strs(a, 3) else { return nil }
            // Only patterns without metacharacters are computed (they behave like plain replace).
            let meta = Set("\\.+*?()|[]{}^$".unicodeScalars)
            guard !s[1].isEmpty, !s[1].unicodeScalars.contains(where: { meta.contains($0) }), !s[2].contains("$") else { return nil }
            return .string(replaceAll(s[0], s[1], s[2]))
        case "split":
            guard let s = strs(a, 2) else { return nil }
            return .list(split(s[1], by: s[0]).map { .string($0) })
        case "join":
            guard a.count >= 2, let sep = a[0].stringValue else { return nil }
            var parts: [String] = []
            for l in a.dropFirst() {
                guard let items = l.listValue else { return nil }
                for i in items {
                    guard let s = i.stringValue else { return nil }
                    parts.append(s)
                }
            }
            return .string(parts.joined(separator: sep))
        case "format":
            guard let f = a.first?.stringValue, a.dropFirst().allSatisfy({ $0.isWhollyKnown }) else { return nil }
            return HCLFormat.format(f, Array(a.dropFirst())).map { .string($0) }
        case "formatlist":
            guard let f = a.first?.stringValue else { return nil }
            let rest = Array(a.dropFirst())
            var n: Int?
            for v in rest {
                if case .unknown = v { return nil }
                if case .list(let l) = v {
                    if let m = n, m != l.count { return nil }
                    n = l.count
                }
            }
            var out: [HCLValue] = []
            for i in 0..<(n ?? 1) {
                let row = rest.map { v -> HCLValue in if case .list(let l) = v { return l[i] } else { return v } }
                guard row.allSatisfy({ $0.isWhollyKnown }), let s = HCLFormat.format(f, row) else { return nil }
                out.append(.string(s))
            }
            return .list(out)
        case "sanitize":
            guard let s = strs(a, 1) else { return nil }
            var out = ""
            for u in s[0].unicodeScalars {
                let v = u.value
                let ok = (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) || v == 0x5F || v == 0x2D
                out.unicodeScalars.append(ok ? u : "_")
            }
            return .string(out)
        case "md5":
            guard let s = strs(a, 1) else { return nil }
            return .string(hex(HCLDigest.md5(Array(s[0].utf8))))
        case "sha256":
            guard let s = strs(a, 1) else { return nil }
            return .string(hex(HCLDigest.sha256(Array(s[0].utf8))))
        case "base64encode":
            guard let s = strs(a, 1) else { return nil }
            return .string(HCLDigest.base64(Array(s[0].utf8)))
        case "base64decode":
            guard let s = strs(a, 1), let d = HCLDigest.unbase64(s[0]), let t = String(validating: d, as: UTF8.self) else { return nil }
            return .string(t)
        case "urlencode":
            guard let s = strs(a, 1) else { return nil }
            var out = ""
            for b in s[0].utf8 {
                let keep = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
                if keep { out.unicodeScalars.append(Unicode.Scalar(b)) } else if b == 0x20 { out += "+" } else { out += "%" + hex([b]).uppercased() }
            }
            return .string(out)
        case "jsonencode":
            guard a.count == 1, a[0].isWhollyKnown else { return nil }
            return .string(json(a[0]))
        case "basename":
            guard let s = strs(a, 1) else { return nil }
            return .string(pathBase(s[0]))
        case "dirname":
            guard let s = strs(a, 1) else { return nil }
            return .string(pathDir(s[0]))
        case "reverse":
            guard let s = strs(a, 1) else { return nil }
            return .string(String(s[0].reversed()))

        // Logic and comparison
        case "and", "or":
            guard a.count == 2, let x = a[0].boolValue, let y = a[1].boolValue else {
                if a.count == 2 {
                    let x = a[0].boolValue, y = a[1].boolValue
                    if name == "and", x == false || y == false { return .bool(false) }
                    if name == "or", x == true || y == true { return .bool(true) }
                }
                return nil
            }
            return .bool(name == "and" ? x && y : x || y)
        case "not":
            guard a.count == 1, let x = a[0].boolValue else { return nil }
            return .bool(!x)
        case "equal", "notequal":
            guard a.count == 2, let eq = HCLValue.hclEqual(a[0], a[1]) else { return nil }
            return .bool(name == "equal" ? eq : !eq)
        case "greaterthan", "greaterthanorequalto", "lessthan", "lessthanorequalto":
            guard a.count == 2, let x = num(a[0]), let y = num(a[1]) else { return nil }
            switch name {
            case "greaterthan": return .bool(x > y)
            case "greaterthanorequalto": return .bool(x >= y)
            case "lessthan": return .bool(x < y)
            default: return .bool(x <= y)
            }

        // Numbers
        case "abs", "absolute":
            guard a.count == 1, let x = num(a[0]) else { return nil }
            return .number(abs(x))
        case "ceil":
            guard a.count == 1, let x = num(a[0]) else { return nil }
            return .number(x.rounded(.up))
        case "floor":
            guard a.count == 1, let x = num(a[0]) else { return nil }
            return .number(x.rounded(.down))
        case "int":
            guard a.count == 1, let x = num(a[0]) else { return nil }
            return .number(x.rounded(.towardZero))
        case "signum":
            guard a.count == 1, let x = num(a[0]) else { return nil }
            return .number(x > 0 ? 1 : (x < 0 ? -1 : 0))
        case "negate":
            guard a.count == 1, let x = num(a[0]) else { return nil }
            return .number(-x)
        case "add", "subtract", "multiply", "divide", "modulo", "pow":
            guard a.count == 2, let x = num(a[0]), let y = num(a[1]) else { return nil }
            switch name {
            case "add": return .number(x + y)
            case "subtract": return .number(x - y)
            case "multiply": return .number(x * y)
            case "divide": return y == 0 ? nil : .number(x / y)
            case "modulo": return y == 0 ? nil : .number(x.truncatingRemainder(dividingBy: y))
            default:
                guard let n = int(a[1]), n >= 0, n <= 1024 else { return nil }
                var r = 1.0
                for _ in 0..<n { r *= x }
                return .number(r)
            }
        case "max", "min":
            var best: Double?
            for v in a {
                guard let x = num(v) else { return nil }
                if let b = best { best = name == "max" ? Swift.max(b, x) : Swift.min(b, x) } else { best = x }
            }
            return best.map { .number($0) }
        case "parseint":
            guard a.count == 2, let s = a[0].stringValue, let base = int(a[1]), base >= 2, base <= 62, let v = Int(s, radix: min(base, 36)) else { return nil }
            return .number(Double(v))
        case "range":
            let n = a.compactMap(num)
            guard n.count == a.count, (1...3).contains(n.count) else { return nil }
            let (start, end, step) = n.count == 1 ? (0, n[0], 1.0) : (n[0], n[1], n.count == 3 ? n[2] : (n[1] >= n[0] ? 1 : -1))
            guard step != 0 else { return nil }
            var out: [HCLValue] = []
            var x = start
            while step > 0 ? x < end : x > end {
                out.append(.number(x))
                if out.count > HCLEvaluator.maxCollectionCount { return nil }
                x += step
            }
            return .list(out)

        // Collections
        case "length":
            guard a.count == 1 else { return nil }
            switch a[0] {
            case .string(let s): return .number(Double(s.count))
            case .list(let l): return .number(Double(l.count))
            case .object(let o): return .number(Double(o.count))
            default: return nil
            }
        case "concat":
            var out: [HCLValue] = []
            for v in a {
                guard let l = v.listValue else { return nil }
                out += l
                if out.count > HCLEvaluator.maxCollectionCount { return nil }
            }
            return .list(out)
        case "coalesce":
            for v in a {
                if case .unknown = v { return nil }
                if v.isNull { continue }
                // cty unifies argument types: with any string argument, primitives become strings.
                if a.contains(where: { if case .string = $0 { return true } else { return false } }), let s = v.stringValue {
                    return .string(s)
                }
                return v
            }
            return nil
        case "coalescelist":
            for v in a {
                guard let l = v.listValue else { return nil }
                if !l.isEmpty { return v }
            }
            return nil
        case "compact":
            guard a.count == 1, let l = list(a[0]) else { return nil }
            var out: [HCLValue] = []
            for v in l {
                if v.isNull { continue }
                guard let s = v.stringValue else { return nil }
                if !s.isEmpty { out.append(.string(s)) }
            }
            return .list(out)
        case "contains":
            guard a.count == 2, let l = list(a[0]) else { return nil }
            var unknown = false
            for v in l {
                guard let eq = HCLValue.hclEqual(v, a[1]) else { unknown = true; continue }
                if eq { return .bool(true) }
            }
            return unknown ? nil : .bool(false)
        case "distinct":
            guard a.count == 1, let l = list(a[0]), a[0].isWhollyKnown else { return nil }
            var out: [HCLValue] = []
            var seen = Set<HCLValue>()
            for v in l where seen.insert(v).inserted { out.append(v) }
            return .list(out)
        case "element":
            guard a.count == 2, let l = list(a[0]), !l.isEmpty, let i = int(a[1]) else { return nil }
            var k = i % l.count
            if k < 0 { k += l.count }
            return l[k]
        case "index":
            guard a.count == 2 else { return nil }
            switch a[0] {
            case .list(let l):
                guard let i = int(a[1]), i >= 0, i < l.count else { return nil }
                return l[i]
            case .object(let o):
                guard let k = a[1].stringValue else { return nil }
                return o[k]
            default: return nil
            }
        case "hasindex":
            guard a.count == 2 else { return nil }
            switch a[0] {
            case .list(let l):
                guard let i = num(a[1]) else { return nil }
                return .bool(i == i.rounded() && i >= 0 && i < Double(l.count))
            case .object(let o):
                guard let k = a[1].stringValue else { return nil }
                return .bool(o[k] != nil)
            default: return nil
            }
        case "indexof":
            guard a.count == 2, let l = list(a[0]) else { return nil }
            for (i, v) in l.enumerated() {
                guard let eq = HCLValue.hclEqual(v, a[1]) else { return nil }
                if eq { return .number(Double(i)) }
            }
            return nil
        case "flatten":
            guard a.count == 1, let l = list(a[0]) else { return nil }
            var out: [HCLValue] = []
            func walk(_ xs: [HCLValue], _ depth: Int) -> Bool {
                guard depth < 64 else { return false }
                for x in xs {
                    switch x {
                    case .list(let inner): if !walk(inner, depth + 1) { return false }
                    case .unknown: return false
                    default: out.append(x)
                    }
                    if out.count > HCLEvaluator.maxCollectionCount { return false }
                }
                return true
            }
            return walk(l, 0) ? .list(out) : nil
        case "keys":
            guard a.count == 1, let o = a[0].objectValue else { return nil }
            return .list(o.keys.sorted().map { .string($0) })
        case "values":
            guard a.count == 1, let o = a[0].objectValue else { return nil }
            return .list(o.keys.sorted().map { o[$0]! })
        case "lookup":
            guard a.count == 2 || a.count == 3, let o = a[0].objectValue, let k = a[1].stringValue else { return nil }
            if let v = o[k] { return v }
            return a.count == 3 ? a[2] : nil
        case "merge":
            var out: [String: HCLValue] = [:]
            for v in a {
                if v.isNull { continue }
                guard let o = v.objectValue else { return nil }
                out.merge(o) { _, new in new }
            }
            return .object(out)
        case "reverselist":
            guard a.count == 1, let l = list(a[0]) else { return nil }
            return .list(l.reversed())
        case "slice":
            guard a.count == 3, let l = list(a[0]), let s = int(a[1]), let e = int(a[2]), s >= 0, e <= l.count, s <= e else { return nil }
            return .list(Array(l[s..<e]))
        case "sort":
            guard a.count == 1, let l = list(a[0]) else { return nil }
            var ss: [String] = []
            for v in l {
                guard let s = v.stringValue else { return nil }
                ss.append(s)
            }
            return .list(ss.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { .string($0) })
        case "zipmap":
            guard a.count == 2, let k = list(a[0]), let v = list(a[1]), k.count == v.count else { return nil }
            var out: [String: HCLValue] = [:]
            for i in 0..<k.count {
                guard let s = k[i].stringValue else { return nil }
                out[s] = v[i]
            }
            return .object(out)
        case "chunklist":
            guard a.count == 2, let l = list(a[0]), let n = int(a[1]), n >= 0 else { return nil }
            if n == 0 { return .list([a[0]]) }
            var out: [HCLValue] = []
            var i = 0
            while i < l.count {
                out.append(.list(Array(l[i..<min(l.count, i + n)])))
                i += n
            }
            return .list(out)
        default:
            return nil
        }
    }

    static func trimmed(_ s: String, _ drop: (Unicode.Scalar) -> Bool) -> String {
        let u = Array(s.unicodeScalars)
        var i = 0
        var j = u.count
        while i < j, drop(u[i]) { i += 1 }
        while j > i, drop(u[j - 1]) { j -= 1 }
        var out = ""
        out.unicodeScalars.append(contentsOf: u[i..<j])
        return out
    }

    /// Go `strings.ReplaceAll` (an empty `old` inserts `new` around every character).
    static func replaceAll(_ s: String, _ old: String, _ new: String) -> String {
        if old.isEmpty {
            var out = new
            for u in s.unicodeScalars {
                out.unicodeScalars.append(u)
                out += new
                if out.utf8.count > HCLEvaluator.maxStringBytes { return out }
            }
            return out
        }
        let b = Array(s.utf8), o = Array(old.utf8), n = Array(new.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == o[0], i + o.count <= b.count, b[i..<(i + o.count)].elementsEqual(o) {
                out += n
                i += o.count
                if out.count > HCLEvaluator.maxStringBytes { break }
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Go `strings.Split` (an empty separator splits into characters).
    static func split(_ s: String, by sep: String) -> [String] {
        if sep.isEmpty { return s.unicodeScalars.map { String($0) } }
        let b = Array(s.utf8), o = Array(sep.utf8)
        var out: [String] = []
        var start = 0
        var i = 0
        while i + o.count <= b.count {
            if b[i..<(i + o.count)].elementsEqual(o) {
                out.append(String(decoding: b[start..<i], as: UTF8.self))
                i += o.count
                start = i
            } else {
                i += 1
            }
        }
        out.append(String(decoding: b[start...], as: UTF8.self))
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func json(_ v: HCLValue) -> String {
        switch v {
        case .null, .unknown: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return HCLValue.formatNumber(d)
        case .string(let s):
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "<": out += "\\u003c"
                case ">": out += "\\u003e"
                case "&": out += "\\u0026"
                default:
                    if u.value < 0x20 {
                        let h = String(u.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                    } else {
                        out.unicodeScalars.append(u)
                    }
                }
            }
            return out + "\""
        case .list(let l): return "[" + l.map(json).joined(separator: ",") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { json(.string($0)) + ":" + json(o[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// Go `path.Clean`-based `path.Base`.
    static func pathBase(_ p: String) -> String {
        if p.isEmpty { return "." }
        var s = Substring(p)
        while s.count > 1, s.hasSuffix("/") { s = s.dropLast() }
        if s == "/" { return "/" }
        if let i = s.lastIndex(of: "/") { s = s[s.index(after: i)...] }
        return String(s)
    }

    /// Go `path.Dir` (without full `Clean` of `..` segments).
    static func pathDir(_ p: String) -> String {
        guard let i = p.lastIndex(of: "/") else { return "." }
        var d = Substring(p[..<i])
        while d.count > 1, d.hasSuffix("/") { d = d.dropLast() }
        return d.isEmpty ? "/" : String(d)
    }
}

// MARK: - format

/// The Go-printf subset of cty's `format`: `%%`, flags `-+# 0`, width, precision, `[n]` argument
/// indexes, verbs `v t s q d b o x X f e E g G`.
enum HCLFormat {
    static func format(_ f: String, _ args: [HCLValue]) -> String? {
        let b = Array(f.utf8)
        var out = ""
        var i = 0
        var argi = 0
        var lit: [UInt8] = []
        while i < b.count {
            let c = b[i]
            guard c == 0x25 else { lit.append(c); i += 1; continue }
            i += 1
            guard i < b.count else { return nil }
            if b[i] == 0x25 { lit.append(0x25); i += 1; continue }
            out += String(decoding: lit, as: UTF8.self)
            lit.removeAll()
            var minus = false, plus = false, zero = false, space = false, sharp = false
            while i < b.count {
                switch b[i] {
                case 0x2D: minus = true
                case 0x2B: plus = true
                case 0x30: zero = true
                case 0x20: space = true
                case 0x23: sharp = true
                default: break
                }
                if [0x2D, 0x2B, 0x30, 0x20, 0x23].contains(b[i]) { i += 1 } else { break }
            }
            if i < b.count, b[i] == 0x5B {
                var n = 0
                i += 1
                while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { n = n * 10 + Int(b[i] - 0x30); i += 1; if n > 10_000 { return nil } }
                guard i < b.count, b[i] == 0x5D, n >= 1 else { return nil }
                i += 1
                argi = n - 1
            }
            var width = -1
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { width = max(width, 0) * 10 + Int(b[i] - 0x30); i += 1; if width > 10_000 { return nil } }
            var prec = -1
            if i < b.count, b[i] == 0x2E {
                i += 1
                prec = 0
                while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { prec = prec * 10 + Int(b[i] - 0x30); i += 1; if prec > 1000 { return nil } }
            }
            guard i < b.count, argi < args.count else { return nil }
            let verb = b[i]
            i += 1
            let arg = args[argi]
            argi += 1
            if verb != 0x76, arg.isNull { return nil }
            var s: String
            switch verb {
            case 0x76:  // v
                switch arg {
                case .string(let x) where !sharp: s = x
                case .number(let d) where !sharp: s = HCLValue.formatNumber(d)
                default: s = HCLStdlib.json(arg)
                }
            case 0x74:  // t
                guard let x = arg.boolValue else { return nil }
                s = x ? "true" : "false"
            case 0x73, 0x71:  // s q
                guard var x = arg.stringValue else { return nil }
                if prec >= 0 { x = String(x.prefix(prec)) }
                s = verb == 0x71 ? HCLStdlib.json(.string(x)) : x
            case 0x64, 0x62, 0x6F, 0x78, 0x58:  // d b o x X
                guard let d = arg.numberValue, d == d.rounded(), abs(d) < 9.2e18 else { return nil }
                let n = Int64(d)
                let radix = verb == 0x64 ? 10 : verb == 0x62 ? 2 : verb == 0x6F ? 8 : 16
                s = String(n.magnitude, radix: radix, uppercase: verb == 0x58)
                if prec >= 0, s.count < prec { s = String(repeating: "0", count: prec - s.count) + s }
                if sharp, radix == 16 { s = (verb == 0x58 ? "0X" : "0x") + s }
                if n < 0 { s = "-" + s } else if plus { s = "+" + s } else if space { s = " " + s }
            case 0x66, 0x46:  // f
                guard let d = arg.numberValue else { return nil }
                s = fixed(d, prec < 0 ? 6 : prec)
                if d >= 0, plus { s = "+" + s } else if d >= 0, space { s = " " + s }
            case 0x65, 0x45, 0x67, 0x47:  // e g: Swift's shortest form is close enough
                guard let d = arg.numberValue else { return nil }
                s = verb == 0x67 || verb == 0x47 ? HCLValue.formatNumber(d) : "\(d)"
            default:
                return nil
            }
            if width > s.count {
                let pad = String(repeating: zero && !minus && verb != 0x73 && verb != 0x71 ? "0" : " ", count: width - s.count)
                if minus { s += pad } else if pad.first == "0", let sign = s.first, sign == "-" || sign == "+" {
                    s = String(sign) + pad + s.dropFirst()
                } else { s = pad + s }
            }
            out += s
            if out.utf8.count > HCLEvaluator.maxStringBytes { return nil }
        }
        out += String(decoding: lit, as: UTF8.self)
        return out
    }

    /// `%.<prec>f` without Foundation: rounds half away from zero on the decimal digits.
    static func fixed(_ d: Double, _ prec: Int) -> String {
        guard d.isFinite, abs(d) < 1e15, prec <= 15 else { return "\(d)" }
        var scale = 1.0
        for _ in 0..<prec { scale *= 10 }
        let scaled = (abs(d) * scale).rounded(.toNearestOrAwayFromZero)
        let intPart = Int64(scaled / scale)
        let frac = Int64(scaled - Double(intPart) * scale)
        var s = String(intPart)
        if prec > 0 {
            let f = String(frac)
            s += "." + String(repeating: "0", count: max(0, prec - f.count)) + f
        }
        return d < 0 && scaled != 0 ? "-" + s : s
    }
}

// MARK: - Digests

/// MD5, SHA-256 and base64 for the `md5`, `sha256`, `base64encode`/`base64decode` functions
/// (bake files use `md5(...)` to build matrix target names).
enum HCLDigest {
    static func md5(_ message: [UInt8]) -> [UInt8] {
        let s: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                           5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                           4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                           6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]
        let k: [UInt32] = [
            0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
            0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
            0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
            0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
            0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
            0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
            0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
            0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
        ]
        var a0: UInt32 = 0x6745_2301, b0: UInt32 = 0xefcd_ab89, c0: UInt32 = 0x98ba_dcfe, d0: UInt32 = 0x1032_5476
        var msg = message
        let bitLen = UInt64(message.count) &* 8
        msg.append(0x80)
        while msg.count % 64 != 56 { msg.append(0) }
        for i in 0..<8 { msg.append(UInt8(truncatingIfNeeded: bitLen >> (8 * UInt64(i)))) }
        var m = [UInt32](repeating: 0, count: 16)
        for chunk in stride(from: 0, to: msg.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                m[i] = UInt32(msg[j]) | UInt32(msg[j + 1]) << 8 | UInt32(msg[j + 2]) << 16 | UInt32(msg[j + 3]) << 24
            }
            var a = a0, b = b0, c = c0, d = d0
            for i in 0..<64 {
                var f: UInt32
                var g: Int
                switch i {
                case 0..<16: f = (b & c) | (~b & d); g = i
                case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
                case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
                default: f = c ^ (b | ~d); g = (7 * i) % 16
                }
                f = f &+ a &+ k[i] &+ m[g]
                a = d
                d = c
                c = b
                b = b &+ (f << s[i] | f >> (32 - s[i]))
            }
            a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
        }
        var out: [UInt8] = []
        for w in [a0, b0, c0, d0] { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(i)))) } }
        return out
    }

    static func sha256(_ message: [UInt8]) -> [UInt8] {
        let k: [UInt32] = [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        ]
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var msg = message
        let bitLen = UInt64(message.count) &* 8
        msg.append(0x80)
        while msg.count % 64 != 56 { msg.append(0) }
        for i in (0..<8).reversed() { msg.append(UInt8(truncatingIfNeeded: bitLen >> (8 * UInt64(i)))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: msg.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                w[i] = UInt32(msg[j]) << 24 | UInt32(msg[j + 1]) << 16 | UInt32(msg[j + 2]) << 8 | UInt32(msg[j + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
        }
        var out: [UInt8] = []
        for x in h { for i in (0..<4).reversed() { out.append(UInt8(truncatingIfNeeded: x >> (8 * UInt32(i)))) } }
        return out
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ b: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            let n = min(3, b.count - i)
            let v = UInt32(b[i]) << 16 | (n > 1 ? UInt32(b[i + 1]) << 8 : 0) | (n > 2 ? UInt32(b[i + 2]) : 0)
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(n > 1 ? alphabet[Int(v >> 6 & 63)] : 0x3D)
            out.append(n > 2 ? alphabet[Int(v & 63)] : 0x3D)
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unbase64(_ s: String) -> [UInt8]? {
        var lookup = [Int](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { lookup[Int(c)] = i }
        var bits: UInt32 = 0
        var count = 0
        var out: [UInt8] = []
        for c in s.utf8 {
            if c == 0x3D { break }
            let v = lookup[Int(c)]
            guard v >= 0 else { return nil }
            bits = bits << 6 | UInt32(v)
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
            }
        }
        return out
    }
}
