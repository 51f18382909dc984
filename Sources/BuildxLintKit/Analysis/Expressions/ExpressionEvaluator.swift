/// What an expression can see: the contexts of one step in one matrix leg, as far as the linter knows them.
///
/// Contexts that are not given here evaluate to symbols (fixed for the run, not known) or to unknown
/// values, never to a guess. See `ExprValue` for the meaning of symbols.
public struct EvalContext: Sendable {
    /// The leg's `matrix` values; nil when the job has no matrix (then `matrix` is null and `matrix.x` is '').
    public var matrix: [String: ExprValue]?
    /// The `env` context: workflow, job and step `env:` plus earlier `$GITHUB_ENV` writes, already
    /// evaluated. Names are case-sensitive, as on Linux runners.
    public var env: [String: ExprValue]
    /// The value of an `env` name missing from `env`: `.null` (unset, renders '') by default. Use
    /// `.unknown(…)` when an earlier step may have set variables the analysis could not read.
    public var envFallback: ExprValue
    /// The `inputs` context; nil means the inputs are fixed for the run but not known here (a reusable
    /// workflow or a dispatch), so `inputs.x` is the symbol `inputs.x`. Given: a missing name is null.
    public var inputs: [String: ExprValue]?
    /// Known `github` properties (e.g. `"event_name": .string("push")`), used before the default symbols.
    public var github: [String: ExprValue]
    /// The `vars` context; nil: each `vars.X` is the symbol `vars.x`.
    public var vars: [String: ExprValue]?
    /// The `needs` context; nil: `needs.<job>.outputs.<name>` is a symbol (fixed for all legs of a job).
    public var needs: [String: ExprValue]?
    /// The `runner` context. The default (`EvalContext.defaultRunner`) has symbols `runner.os`,
    /// `runner.arch`, `runner.temp`, `runner.tool_cache`. A symbol means "the same in every leg", so a
    /// caller whose legs run on different runners (`runs-on: ${{ matrix.runner }}`) must give per-leg
    /// values, e.g. with `EvalContext.runnerContext(labels:)`. `runner.os` is `Linux` on x64 and arm64 alike.
    public var runner: [String: ExprValue]
    /// The `strategy` context; nil: `strategy.job-index` is unknown (it differs per leg), the other
    /// properties are symbols.
    public var strategy: [String: ExprValue]?
    /// The job's id, the value of `github.job`; nil: the symbol `github.job`.
    public var jobID: String?
    /// Whether `steps.*` are symbols (one value for everything one step does in one leg, such as the
    /// targets a bake override applies to) instead of unknown (they may differ between legs and jobs).
    public var stepsAreSymbols = false
    /// What is known of earlier steps by id: a step whose `if:` is false in this leg was skipped (its
    /// `outcome` and `conclusion` are `skipped`, its outputs empty).
    public var knownSteps: [String: ExprValue] = [:]

    /// Creates a context. Every parameter defaults to "not known here" (see the properties).
    public init(
        matrix: [String: ExprValue]? = nil, env: [String: ExprValue] = [:], envFallback: ExprValue = .null,
        inputs: [String: ExprValue]? = nil, github: [String: ExprValue] = [:], vars: [String: ExprValue]? = nil,
        needs: [String: ExprValue]? = nil, runner: [String: ExprValue] = EvalContext.defaultRunner,
        strategy: [String: ExprValue]? = nil, jobID: String? = nil
    ) {
        self.matrix = matrix
        self.env = env
        self.envFallback = envFallback
        self.inputs = inputs
        self.github = github
        self.vars = vars
        self.needs = needs
        self.runner = runner
        self.strategy = strategy
        self.jobID = jobID
    }

    /// The `runner` context when nothing is known about the runner: symbols for the properties that are
    /// the same on every runner of one kind, unknown for `runner.name` (each leg gets its own machine).
    public static let defaultRunner: [String: ExprValue] = [
        "os": .symbol("runner.os"), "arch": .symbol("runner.arch"), "temp": .symbol("runner.temp"),
        "tool_cache": .symbol("runner.tool_cache"), "environment": .symbol("runner.environment"),
        "debug": .symbol("runner.debug"), "name": .unknown("runner.name differs per runner"),
    ]

    /// The `runner` context for a job whose `runs-on` labels are `labels` (already evaluated for the leg).
    ///
    /// GitHub-hosted labels give concrete `os`/`arch` (`ubuntu-24.04` → Linux/X64, `ubuntu-24.04-arm` →
    /// Linux/ARM64, `windows-*` → Windows, `macos-13`/`*-intel`/`*-large` → macOS X64, other `macos-*` →
    /// macOS ARM64). Self-hosted label sets use their `linux`/`windows`/`macos` and `x64`/`arm64`/`arm`
    /// labels. Whatever cannot be read from the labels is `.unknown`, because it may differ between legs.
    public static func runnerContext(labels: [String]) -> [String: ExprValue] {
        var os: ExprValue = .unknown("runner.os depends on the runner")
        var arch: ExprValue = .unknown("runner.arch depends on the runner")
        for raw in labels {
            let l = raw.lowercased()
            if l.hasPrefix("ubuntu-") {
                os = .string("Linux")
                arch = .string(l.hasSuffix("-arm") ? "ARM64" : "X64")
            } else if l.hasPrefix("windows-") {
                os = .string("Windows")
                arch = .string(l.hasSuffix("-arm") ? "ARM64" : "X64")
            } else if l.hasPrefix("macos-") {
                os = .string("macOS")
                let intel = l == "macos-13" || l == "macos-12" || l.hasSuffix("-intel") || l.hasSuffix("-large")
                arch = .string(intel ? "X64" : "ARM64")
            } else if l == "linux" {
                os = .string("Linux")
            } else if l == "windows" {
                os = .string("Windows")
            } else if l == "macos" {
                os = .string("macOS")
            } else if l == "x64" {
                arch = .string("X64")
            } else if l == "arm64" {
                arch = .string("ARM64")
            } else if l == "arm" {
                arch = .string("ARM")
            }
        }
        var r = defaultRunner
        r["os"] = os
        r["arch"] = arch
        return r
    }
}

/// Evaluates GitHub Actions expressions (docs: "Evaluate expressions in workflows and actions") over an
/// `EvalContext`, following the runner's semantics: falsy values `false`, `0`, `-0`, `''`, null, NaN;
/// `&&`/`||` return an operand; loose equality with type coercion and case-insensitive strings;
/// case-insensitive context and property names (except `env`, case-sensitive on Linux); a missing
/// property is null.
///
/// Values that are not known propagate: any operation on an `.unknown` value is unknown unless the
/// result does not depend on it (`false && x`, `'a' || x`); an operation on symbols yields a symbol
/// (the result is fixed for the run too). The evaluator never throws: expressions GitHub rejects at run
/// time (a bad `format` string, `case` with a non-boolean predicate, invalid `fromJSON` text, an unknown
/// function) evaluate to `.unknown` with the error as the reason.
public enum ExpressionEvaluator {
    /// The value of `e` in `ctx`.
    public static func evaluate(_ e: Expr, _ ctx: EvalContext) -> ExprValue {
        ExprEvaluation(ctx: ctx).eval(e).value
    }

    /// The value of a workflow string with `${{ }}` parts, as GitHub substitutes it: `.string` of the
    /// literal parts and each expression's text (`ExprValue.templateText`; symbols as `⟨name⟩` markers, so
    /// two legs can be compared as strings), or `.unknown` when any part is unknown or does not parse.
    public static func evaluate(template: String, _ ctx: EvalContext) -> ExprValue {
        var out = ""
        for part in Template.parts(template) {
            switch part.kind {
            case .literal(let t): out += t
            case .expression(let src, let e):
                guard let e else { return .unknown("expression does not parse: ${{\(src)}}") }
                let v = evaluate(e, ctx)
                guard let t = v.templateText else { return v }
                out += t
            }
            if out.utf8.count > maxStringLength { return tooLong }
        }
        return .string(out)
    }

    /// Longest string an evaluation builds (templates, `format`, `join`). Values that double at every step
    /// (`E2: ${{ env.E1 }}${{ env.E1 }}`, nested `format('{0}{0}', …)`) would otherwise grow without bound;
    /// longer values are unknown.
    static let maxStringLength = 1 << 16
    static let tooLong = ExprValue.unknown("a value longer than 64 KiB")

    /// Whether the condition `e` holds in `ctx`: nil when that is not known. `a && b` is false when either side
    /// is known to be false, and `a || b` true when either is known to be true, even if the other is unknown
    /// (`always() && matrix.search == 'searxng'` is false in a `google` leg).
    public static func truthiness(_ e: Expr, _ ctx: EvalContext) -> Bool? {
        switch e {
        case .binary(.and, let a, let b):
            let x = truthiness(a, ctx)
            if x == false { return false }
            let y = truthiness(b, ctx)
            if y == false { return false }
            return x == true && y == true ? true : nil
        case .binary(.or, let a, let b):
            let x = truthiness(a, ctx)
            if x == true { return true }
            let y = truthiness(b, ctx)
            if y == true { return true }
            return x == false && y == false ? false : nil
        case .not(let a):
            return truthiness(a, ctx).map { !$0 }
        default:
            return isTruthy(evaluate(e, ctx))
        }
    }

    /// Whether `v` is truthy: nil when that is not known (unknown values, symbols, strings made only of
    /// symbol markers). A string with literal text besides its markers is known to be non-empty, so truthy.
    public static func isTruthy(_ v: ExprValue) -> Bool? {
        switch v {
        case .null: return false
        case .bool(let b): return b
        case .number(let d): return !(d == 0 || d.isNaN)
        case .string(let s):
            if s.isEmpty { return false }
            if !ExprValue.hasMarker(s) { return true }
            return ExprText.stripMarkers(s).isEmpty ? nil : true
        case .array, .object: return true
        case .symbol, .unknown: return nil
        }
    }

    /// GitHub's loose equality (`==`): nil when not known (unknown or symbolic operands, or two
    /// arrays/objects, which GitHub compares by identity).
    public static func looselyEqual(_ a: ExprValue, _ b: ExprValue) -> Bool? {
        if a.isUnknown || b.isUnknown { return nil }
        if a.isSymbolic || b.isSymbolic {
            if case .string(let x) = ExprEvaluation.asSymbolicString(a), case .string(let y) = ExprEvaluation.asSymbolicString(b),
                x == y
            {
                return true
            }
            return nil
        }
        return ExprCoercion.abstractEqual(a, b)
    }
}

/// Text helpers shared by the evaluator and the shell reader.
enum ExprText {
    /// .NET `OrdinalIgnoreCase` folding: each scalar mapped to its simple (single-scalar) uppercase.
    static func foldCase(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u.isASCII {
                out.append(u.value >= 97 && u.value <= 122 ? Unicode.Scalar(u.value - 32)! : u)
                continue
            }
            let up = u.properties.uppercaseMapping.unicodeScalars
            if up.count == 1, let f = up.first { out.append(f) } else { out.append(u) }
        }
        return String(out)
    }

    /// `s` without its `⟨…⟩` symbol markers (markers nest when a symbol was computed from one).
    static func stripMarkers(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var depth = 0
        for u in s.unicodeScalars {
            if u == "\u{27E8}" {
                depth += 1
            } else if u == "\u{27E9}", depth > 0 {
                depth -= 1
            } else if depth == 0 {
                out.append(u)
            }
        }
        return String(out)
    }
}

/// GitHub's type coercion rules (runner `EvaluationResult`: `ConvertToNumber`, `CoerceTypes`,
/// `AbstractEqual`, `AbstractGreaterThan`, `AbstractLessThan`), on concrete values.
enum ExprCoercion {
    /// `Number()`-like conversion: null 0, booleans 1/0, strings parsed (trimmed; '' is 0; decimal,
    /// `0x` hex, `0o` octal, `Infinity`, `-Infinity`; else NaN), arrays and objects NaN.
    static func toNumber(_ v: ExprValue) -> Double {
        switch v {
        case .null: return 0
        case .bool(let b): return b ? 1 : 0
        case .number(let d): return d
        case .string(let s): return parseNumber(s)
        default: return .nan
        }
    }

    static func parseNumber(_ raw: String) -> Double {
        let s = trimWhitespace(raw)
        if s.isEmpty { return 0 }
        let b = Array(s.utf8)
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        // [+-]?(digits[.digits?]|.digits)([eE][+-]?digits)?, as .NET's Double.TryParse with
        // AllowLeadingSign | AllowDecimalPoint | AllowExponent accepts.
        var i = 0
        if i < b.count, b[i] == 43 || b[i] == 45 { i += 1 }
        var intDigits = 0
        while i < b.count, isDigit(b[i]) {
            i += 1
            intDigits += 1
        }
        var fracDigits = 0
        if i < b.count, b[i] == 46 {
            i += 1
            while i < b.count, isDigit(b[i]) {
                i += 1
                fracDigits += 1
            }
        }
        var ok = intDigits + fracDigits > 0
        if ok, i < b.count, b[i] == 101 || b[i] == 69 {
            i += 1
            if i < b.count, b[i] == 43 || b[i] == 45 { i += 1 }
            var e = 0
            while i < b.count, isDigit(b[i]) {
                i += 1
                e += 1
            }
            ok = e > 0
        }
        if ok, i == b.count {
            var t = s
            if t.hasSuffix(".") { t += "0" }
            if t.hasPrefix(".") || t.hasPrefix("-.") || t.hasPrefix("+.") {
                t = t.replacingFirst(".", with: "0.")
            }
            if let d = Double(t) { return d }
        }
        if b.count > 2, b[0] == 48, b[1] == 120, b[2...].allSatisfy({ isDigit($0) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }) {
            if let v = Int32(String(s.dropFirst(2)), radix: 16) { return Double(v) }
            return .nan
        }
        if b.count > 2, b[0] == 48, b[1] == 111, b[2...].allSatisfy({ $0 >= 48 && $0 <= 55 }) {
            if let v = Int32(String(s.dropFirst(2)), radix: 8) { return Double(v) }
            return .nan
        }
        if s == "Infinity" { return .infinity }
        if s == "-Infinity" { return -.infinity }
        return .nan
    }

    /// Trims Unicode white space like .NET `String.Trim()`.
    static func trimWhitespace(_ s: String) -> String {
        let u = Array(s.unicodeScalars)
        var lo = 0
        var hi = u.count
        while lo < hi, u[lo].properties.isWhitespace { lo += 1 }
        while hi > lo, u[hi - 1].properties.isWhitespace { hi -= 1 }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: u[lo..<hi])
        return String(out)
    }

    enum Kind { case null, bool, number, string, array, object }

    static func kind(_ v: ExprValue) -> Kind {
        switch v {
        case .null: return .null
        case .bool: return .bool
        case .number: return .number
        case .string: return .string
        case .array: return .array
        default: return .object
        }
    }

    /// Applies `CoerceTypes`: different kinds are brought to numbers where the runner does so.
    static func coerce(_ a: ExprValue, _ b: ExprValue) -> (ExprValue, ExprValue) {
        let ka = kind(a)
        let kb = kind(b)
        if ka == kb { return (a, b) }
        if ka == .number && kb == .string { return (a, .number(toNumber(b))) }
        if ka == .string && kb == .number { return (.number(toNumber(a)), b) }
        if ka == .bool || ka == .null { return coerce(.number(toNumber(a)), b) }
        if kb == .bool || kb == .null { return coerce(a, .number(toNumber(b))) }
        return (a, b)
    }

    /// `==` on concrete values; nil for two arrays or two objects (identity, not known here).
    static func abstractEqual(_ a: ExprValue, _ b: ExprValue) -> Bool? {
        let (x, y) = coerce(a, b)
        switch (x, y) {
        case (.null, .null): return true
        case (.number(let l), .number(let r)): return !(l.isNaN || r.isNaN) && l == r
        case (.string(let l), .string(let r)): return ExprText.foldCase(l) == ExprText.foldCase(r)
        case (.bool(let l), .bool(let r)): return l == r
        case (.array, .array), (.object, .object): return nil
        default: return false
        }
    }

    /// `<` (`less == true`) or `>` on concrete values.
    static func abstractLess(_ a: ExprValue, _ b: ExprValue, less: Bool) -> Bool {
        let (x, y) = coerce(a, b)
        switch (x, y) {
        case (.number(let l), .number(let r)):
            if l.isNaN || r.isNaN { return false }
            return less ? l < r : l > r
        case (.string(let l), .string(let r)):
            let c = compareFolded(l, r)
            return less ? c < 0 : c > 0
        case (.bool(let l), .bool(let r)):
            return less ? (!l && r) : (l && !r)
        default:
            return false
        }
    }

    /// Ordinal comparison of case-folded strings: negative, zero or positive.
    static func compareFolded(_ l: String, _ r: String) -> Int {
        let a = Array(ExprText.foldCase(l).utf16)
        let b = Array(ExprText.foldCase(r).utf16)
        for (x, y) in zip(a, b) where x != y { return Int(x) - Int(y) }
        return a.count - b.count
    }
}

extension String {
    /// `self` with the first occurrence of `target` replaced.
    fileprivate func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let i = firstIndex(of: target) else { return self }
        return String(self[..<i]) + replacement + String(self[index(after: i)...])
    }
}

/// One evaluation: the context plus the recursive walk.
struct ExprEvaluation {
    let ctx: EvalContext

    /// An intermediate result; `filtered` marks the result of a `*` filter, to which later property
    /// accesses apply element-wise.
    struct R {
        var value: ExprValue
        var filtered = false
    }

    /// `github` properties that are the same for every job and leg of a run (so symbols). Others (such as
    /// `action`, `action_path`, `step_summary` paths) vary per step or runner and are unknown.
    static let runInvariantGitHub: Set<String> = [
        "sha", "ref", "ref_name", "ref_type", "ref_protected", "repository", "repository_owner", "repository_id",
        "repository_owner_id", "repositoryurl", "event_name", "event", "event_path", "actor", "actor_id",
        "triggering_actor", "run_id", "run_number", "run_attempt", "workflow", "workflow_ref", "workflow_sha",
        "base_ref", "head_ref", "server_url", "api_url", "graphql_url", "token", "retention_days",
        "secret_source", "workspace", "job",
    ]

    func eval(_ e: Expr) -> R {
        switch e {
        case .literal(let l):
            switch l {
            case .null: return R(value: .null)
            case .bool(let b): return R(value: .bool(b))
            case .number(let d): return R(value: .number(d))
            case .string(let s): return R(value: .string(s))
            }
        case .identifier(let name):
            return R(value: contextValue(name.lowercased()))
        case .member(let base, let name):
            if name == "*" { return wildcard(eval(base)) }
            if case .identifier(let id) = base { return R(value: contextMember(id.lowercased(), name)) }
            return access(eval(base), key: .string(name))
        case .index(let base, let idx):
            let key = eval(idx).value
            if case .identifier(let id) = base, case .string(let k) = key, !ExprValue.hasMarker(k) {
                return R(value: contextMember(id.lowercased(), k))
            }
            return access(eval(base), key: key)
        case .not(let x):
            let v = eval(x).value
            if let t = ExpressionEvaluator.isTruthy(v) { return R(value: .bool(!t)) }
            if v.isUnknown { return R(value: v) }
            return R(value: ExprValue.computedSymbol("not", [v.canonicalText]))
        case .binary(let op, let a, let b):
            return R(value: binary(op, a, b))
        case .call(let name, let args):
            return R(value: call(name, args))
        }
    }

    // MARK: Contexts

    func contextValue(_ id: String) -> ExprValue {
        switch id {
        case "matrix": return ctx.matrix.map { .object($0) } ?? .null
        case "env": return .object(ctx.env)
        case "inputs": return ctx.inputs.map { .object($0) } ?? .symbol("inputs")
        case "github": return .symbol("github")
        case "runner": return .object(ctx.runner)
        case "strategy": return ctx.strategy.map { .object($0) } ?? .unknown("strategy.job-index differs per leg")
        case "secrets": return .symbol("secrets")
        case "vars": return ctx.vars.map { .object($0) } ?? .symbol("vars")
        case "needs": return ctx.needs.map { .object($0) } ?? .symbol("needs")
        case "steps": return ctx.stepsAreSymbols ? .symbol("steps") : .unknown("steps context")
        case "job": return .unknown("job context")
        case "jobs": return .unknown("jobs context")
        default: return .unknown("unknown context `\(id)`")
        }
    }

    /// `<context>.<key>`, where some contexts have rules of their own.
    func contextMember(_ id: String, _ key: String) -> ExprValue {
        switch id {
        case "env":
            // Case-sensitive on Linux runners (CaseSensitiveDictionaryContextData).
            return ctx.env[key] ?? ctx.envFallback
        case "github":
            if let v = ctx.github[key] ?? ExprValue.object(ctx.github).nonNullMember(key) { return v }
            let k = key.lowercased()
            if k == "job", let id = ctx.jobID { return .string(id) }
            if Self.runInvariantGitHub.contains(k) { return ExprValue.symbolMember("github", k) }
            return .unknown("github.\(key) is not known here")
        case "strategy":
            if let s = ctx.strategy { return ExprValue.object(s).member(key) }
            if key.lowercased() == "job-index" { return .unknown("strategy.job-index differs per leg") }
            return ExprValue.symbolMember("strategy", key)
        case "steps":
            if let known = ctx.knownSteps[key] { return known }
            if ctx.stepsAreSymbols { return ExprValue.symbolMember("steps", key) }
            return .unknown("steps.\(key): a step's outputs and results are not known here")
        case "job": return .unknown("job.\(key) is not known here")
        default: return contextValue(id).member(key)
        }
    }

    // MARK: Property access

    func access(_ base: R, key: ExprValue) -> R {
        if base.filtered, case .array(let items) = base.value {
            var out: [ExprValue] = []
            for item in items {
                switch item {
                case .object, .array:
                    guard let k = keyText(key, for: item) else { continue }
                    if case .object(let o) = item {
                        // Only present keys are collected (missing ones are skipped, not null).
                        if let v = ExprValue.object(o).nonNullMember(k) { out.append(v) }
                    } else {
                        let v = item.member(k)
                        if v != .null || hasIndex(item, k) { out.append(v) }
                    }
                case .unknown: return R(value: item)
                case .symbol: return R(value: ExprValue.computedSymbol("filter", [base.value.canonicalText, key.canonicalText]))
                default: continue
                }
            }
            return R(value: .array(out), filtered: true)
        }
        if key.isUnknown { return R(value: key) }
        switch base.value {
        case .unknown: return base
        case .symbol(let n):
            if case .string(let k) = key, !ExprValue.hasMarker(k) { return R(value: ExprValue.symbolMember(n, k)) }
            return R(value: ExprValue.computedSymbol("index", [n, key.canonicalText]))
        case .object, .array:
            if key.isSymbolic { return R(value: ExprValue.computedSymbol("index", [base.value.canonicalText, key.canonicalText])) }
            guard let k = keyText(key, for: base.value) else { return R(value: .null) }
            return R(value: base.value.member(k))
        default:
            return R(value: .null)
        }
    }

    /// The key text used to index `container` with `key`: arrays take numbers (as text), objects take the
    /// text of a primitive; nil when `key` cannot index it.
    func keyText(_ key: ExprValue, for container: ExprValue) -> String? {
        switch key {
        case .array, .object, .unknown, .symbol: return nil
        default:
            if case .array = container {
                let d = ExprCoercion.toNumber(key)
                return d.isNaN ? nil : ExprValue.formatNumber(d)
            }
            return key.templateText
        }
    }

    func hasIndex(_ a: ExprValue, _ k: String) -> Bool {
        guard case .array(let items) = a else { return false }
        let d = ExprCoercion.toNumber(.string(k))
        return !d.isNaN && d >= 0 && d.rounded(.down) < Double(items.count)
    }

    func wildcard(_ base: R) -> R {
        func values(_ v: ExprValue) -> [ExprValue]? {
            switch v {
            case .object(let o): return o.keys.sorted().map { o[$0]! }
            case .array(let a): return a
            default: return nil
            }
        }
        switch base.value {
        case .unknown: return base
        case .symbol(let n): return R(value: ExprValue.computedSymbol("filter", [n, "*"]), filtered: false)
        default: break
        }
        if base.filtered, case .array(let items) = base.value {
            var out: [ExprValue] = []
            for item in items {
                if item.isUnknown { return R(value: item) }
                if case .symbol = item { return R(value: ExprValue.computedSymbol("filter", [base.value.canonicalText, "*"])) }
                out += values(item) ?? []
            }
            return R(value: .array(out), filtered: true)
        }
        return R(value: .array(values(base.value) ?? []), filtered: true)
    }

    // MARK: Operators

    func binary(_ op: Expr.BinaryOp, _ a: Expr, _ b: Expr) -> ExprValue {
        switch op {
        case .and, .or:
            let l = eval(a).value
            if let t = ExpressionEvaluator.isTruthy(l) {
                // `&&` yields the left operand when it is falsy, `||` when it is truthy.
                if t == (op == .or) { return l }
                return eval(b).value
            }
            if l.isUnknown { return l }
            let r = eval(b).value
            if r.isUnknown { return r }
            return ExprValue.computedSymbol(Self.opName(op), [l.canonicalText, r.canonicalText])
        default:
            let l = eval(a).value
            let r = eval(b).value
            if l.isUnknown { return l }
            if r.isUnknown { return r }
            if l.isSymbolic || r.isSymbolic {
                if op == .eq || op == .ne || op == .le || op == .ge,
                    case .string(let x) = Self.asSymbolicString(l), case .string(let y) = Self.asSymbolicString(r), x == y
                {
                    return .bool(op != .ne)  // the same symbolic text is the same value
                }
                return ExprValue.computedSymbol(Self.opName(op), [l.canonicalText, r.canonicalText])
            }
            switch op {
            case .eq, .ne:
                guard let eq = ExprCoercion.abstractEqual(l, r) else {
                    return .unknown("comparing two arrays or objects (GitHub compares identity)")
                }
                return .bool(op == .eq ? eq : !eq)
            case .lt: return .bool(ExprCoercion.abstractLess(l, r, less: true))
            case .gt: return .bool(ExprCoercion.abstractLess(l, r, less: false))
            case .le, .ge:
                guard let eq = ExprCoercion.abstractEqual(l, r) else {
                    return .unknown("comparing two arrays or objects (GitHub compares identity)")
                }
                return .bool(eq || ExprCoercion.abstractLess(l, r, less: op == .le))
            case .and, .or: return .null  // handled above
            }
        }
    }

    /// A symbol-safe name for an operator.
    static func opName(_ op: Expr.BinaryOp) -> String {
        switch op {
        case .and: return "and"
        case .or: return "or"
        case .eq: return "eq"
        case .ne: return "ne"
        case .lt: return "lt"
        case .le: return "le"
        case .gt: return "gt"
        case .ge: return "ge"
        }
    }

    /// A symbol as the string with its marker, strings as they are, anything else nil.
    static func asSymbolicString(_ v: ExprValue) -> ExprValue? {
        switch v {
        case .symbol(let n): return .string(ExprValue.marker(n))
        case .string: return v
        default: return nil
        }
    }

    // MARK: Functions

    func call(_ name: String, _ args: [Expr]) -> ExprValue {
        func arity(_ lo: Int, _ hi: Int) -> ExprValue? {
            (args.count < lo || args.count > hi) ? .unknown("error: \(name)() takes \(lo)…\(hi) arguments") : nil
        }
        switch name {
        case "contains":
            if let e = arity(2, 2) { return e }
            return contains(eval(args[0]).value, eval(args[1]).value)
        case "startswith", "endswith":
            if let e = arity(2, 2) { return e }
            let l = eval(args[0]).value
            let r = eval(args[1]).value
            return affix(l, r, start: name == "startswith")
        case "format":
            if let e = arity(1, 256) { return e }
            return format(args.map { eval($0).value })
        case "join":
            if let e = arity(1, 2) { return e }
            return join(eval(args[0]).value, args.count > 1 ? eval(args[1]).value : nil)
        case "tojson":
            if let e = arity(1, 1) { return e }
            let v = eval(args[0]).value
            if v.isUnknown { return v }
            if let j = v.jsonText { return .string(j) }
            return ExprValue.computedSymbol("tojson", [v.canonicalText])
        case "fromjson":
            if let e = arity(1, 1) { return e }
            let v = eval(args[0]).value
            if v.isUnknown { return .unknown("fromJSON of a value not known here (\(v.unknownReason ?? ""))") }
            if v.isSymbolic { return ExprValue.computedSymbol("fromjson", [v.canonicalText]) }
            guard let text = v.templateText else { return .unknown("fromJSON of a value not known here") }
            return ExprValue.parseJSON(text)
        case "case":
            return caseFunction(args)
        case "hashfiles":
            return .unknown("hashFiles() depends on the files in the workspace")
        case "success", "always", "failure", "cancelled":
            return .unknown("\(name)() depends on the job's status")
        default:
            return .unknown("error: unknown function \(name)()")
        }
    }

    /// `contains(search, item)`: case-insensitive substring for primitives, loose element equality for arrays.
    func contains(_ search: ExprValue, _ item: ExprValue) -> ExprValue {
        if search.isUnknown { return search }
        if item.isUnknown { return item }
        switch search {
        case .array(let a):
            var sawSymbolic = item.isSymbolic
            for el in a {
                if el.isUnknown { return el }
                switch ExpressionEvaluator.looselyEqual(el, item) {
                case true?: return .bool(true)
                case nil: sawSymbolic = true
                default: break
                }
            }
            return sawSymbolic ? ExprValue.computedSymbol("contains", [search.canonicalText, item.canonicalText]) : .bool(false)
        case .object: return .bool(false)
        case .symbol: return ExprValue.computedSymbol("contains", [search.canonicalText, item.canonicalText])
        default:
            guard let s = search.templateText else { return .bool(false) }
            switch item {
            case .array, .object: return .bool(false)
            default: break
            }
            guard let t = item.templateText else { return .bool(false) }
            if search.isSymbolic || item.isSymbolic {
                // Literal text of the search string can still prove a match.
                if !item.isSymbolic, ExprText.stripMarkers(s).isEmpty == false, !t.isEmpty,
                    literalSegments(s).contains(where: { ExprText.foldCase($0).contains(ExprText.foldCase(t)) })
                {
                    return .bool(true)
                }
                return ExprValue.computedSymbol("contains", [search.canonicalText, item.canonicalText])
            }
            if t.isEmpty { return .bool(true) }
            return .bool(ExprText.foldCase(s).contains(ExprText.foldCase(t)))
        }
    }

    /// The literal pieces of a symbolic string between its markers.
    func literalSegments(_ s: String) -> [String] {
        var out: [String] = []
        var cur = String.UnicodeScalarView()
        var depth = 0
        for u in s.unicodeScalars {
            if u == "\u{27E8}" {
                if depth == 0, !cur.isEmpty {
                    out.append(String(cur))
                    cur = String.UnicodeScalarView()
                }
                depth += 1
            } else if u == "\u{27E9}", depth > 0 {
                depth -= 1
            } else if depth == 0 {
                cur.append(u)
            }
        }
        if !cur.isEmpty { out.append(String(cur)) }
        return out
    }

    func affix(_ l: ExprValue, _ r: ExprValue, start: Bool) -> ExprValue {
        if l.isUnknown { return l }
        if r.isUnknown { return r }
        func primitive(_ v: ExprValue) -> Bool {
            switch v {
            case .array, .object: return false
            default: return true
            }
        }
        guard primitive(l), primitive(r) else { return .bool(false) }
        guard let a = l.templateText, let b = r.templateText else { return .bool(false) }
        if l.isSymbolic || r.isSymbolic {
            // A known prefix (suffix) of the text can still decide it.
            if !r.isSymbolic, case .string(let s) = l {
                let scal = Array(s.unicodeScalars)
                let cut = start ? scal.prefix { $0 != "\u{27E8}" } : ArraySlice(scal.reversed().prefix { $0 != "\u{27E9}" }.reversed())
                var known = String.UnicodeScalarView()
                known.append(contentsOf: cut)
                let k = ExprText.foldCase(String(known))
                let f = ExprText.foldCase(b)
                if k.count >= f.count {
                    return .bool(start ? k.hasPrefix(f) : k.hasSuffix(f))
                }
                // The known part is shorter than the affix: it must at least agree with it.
                let agrees = start ? f.hasPrefix(k) : f.hasSuffix(k)
                if !agrees { return .bool(false) }
            }
            return ExprValue.computedSymbol(start ? "startswith" : "endswith", [l.canonicalText, r.canonicalText])
        }
        let x = ExprText.foldCase(a)
        let y = ExprText.foldCase(b)
        return .bool(start ? x.hasPrefix(y) : x.hasSuffix(y))
    }

    /// `format(fmt, args…)` with `{N}` placeholders and `{{`/`}}` escapes; errors (a lone brace, an index
    /// past the arguments, format specifiers) are unknown, as GitHub fails the step.
    func format(_ vals: [ExprValue]) -> ExprValue {
        let fmtValue = vals[0]
        if fmtValue.isUnknown { return fmtValue }
        guard let fmt = fmtValue.templateText else { return .unknown("format string not known") }
        if fmtValue.isSymbolic { return ExprValue.computedSymbol("format", vals.map(\.canonicalText)) }
        let f = Array(fmt.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < f.count {
            let c = f[i]
            if c == "{" {
                if i + 1 < f.count, f[i + 1] == "{" {
                    out.append("{")
                    i += 2
                    continue
                }
                var j = i + 1
                var n = 0
                var digits = 0
                while j < f.count, f[j].isASCII, f[j].value >= 48, f[j].value <= 57 {
                    n = n * 10 + Int(f[j].value - 48)
                    digits += 1
                    j += 1
                    if n > 255 { break }
                }
                guard digits > 0, n <= 255 else { return .unknown("error: invalid format string '\(fmt)'") }
                guard j < f.count else { return .unknown("error: invalid format string '\(fmt)'") }
                if f[j] == ":" { return .unknown("error: format specifiers are not supported in '\(fmt)'") }
                guard f[j] == "}" else { return .unknown("error: invalid format string '\(fmt)'") }
                guard n + 1 < vals.count else { return .unknown("error: format index \(n) has no argument in '\(fmt)'") }
                let arg = vals[n + 1]
                guard let t = arg.templateText else { return arg }
                guard out.count + t.utf8.count <= ExpressionEvaluator.maxStringLength else { return ExpressionEvaluator.tooLong }
                out.append(contentsOf: t.unicodeScalars)
                i = j + 1
                continue
            }
            if c == "}" {
                if i + 1 < f.count, f[i + 1] == "}" {
                    out.append("}")
                    i += 2
                    continue
                }
                return .unknown("error: invalid format string '\(fmt)'")
            }
            out.append(c)
            i += 1
        }
        return .string(String(out))
    }

    /// `join(array, separator = ',')`; a primitive is converted to a string, an object gives ''.
    func join(_ items: ExprValue, _ sep: ExprValue?) -> ExprValue {
        switch items {
        case .unknown: return items
        case .symbol: return ExprValue.computedSymbol("join", [items.canonicalText, sep?.canonicalText ?? ","])
        case .array(let a):
            if a.isEmpty { return .string("") }
            var separator = ","
            if let sep, a.count > 1 {
                switch sep {
                case .unknown: return sep
                case .array, .object: break
                default: separator = sep.templateText ?? ","
                }
            }
            var parts: [String] = []
            var length = 0
            for el in a {
                guard let t = el.templateText else { return el }
                length += t.utf8.count + separator.utf8.count
                if length > ExpressionEvaluator.maxStringLength { return ExpressionEvaluator.tooLong }
                parts.append(t)
            }
            return .string(parts.joined(separator: separator))
        case .object: return .string("")
        default: return .string(items.templateText ?? "")
        }
    }

    /// `case(pred1, val1, …, default)`: the value after the first true predicate, else the default.
    /// Predicates must be booleans (GitHub fails otherwise).
    func caseFunction(_ args: [Expr]) -> ExprValue {
        guard args.count >= 3, args.count % 2 == 1 else {
            return .unknown("error: case() requires an odd number of arguments")
        }
        var i = 0
        while i < args.count - 1 {
            let p = eval(args[i]).value
            switch p {
            case .bool(true): return eval(args[i + 1]).value
            case .bool(false): break
            case .unknown: return p
            case .symbol:
                let rest = args[i...].map { eval($0).value }
                if let u = rest.first(where: \.isUnknown) { return u }
                return ExprValue.computedSymbol("case", rest.map(\.canonicalText))
            default: return .unknown("error: case() predicate must evaluate to a boolean")
            }
            i += 2
        }
        return eval(args[args.count - 1]).value
    }
}

extension ExprValue {
    /// `member(key)` on an object when the key is present (case-insensitively); nil when it is absent.
    func nonNullMember(_ key: String) -> ExprValue? {
        guard case .object(let o) = self else { return nil }
        if let v = o[key] { return v }
        let folded = ExprText.foldCase(key)
        for k in o.keys.sorted() where ExprText.foldCase(k) == folded { return o[k]! }
        return nil
    }
}
