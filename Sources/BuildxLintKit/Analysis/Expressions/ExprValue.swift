/// A value of GitHub's expression language as the linter knows it.
///
/// Besides GitHub's own kinds (null, boolean, number, string, array, object) there are two kinds for
/// what the linter cannot know:
///
/// * `symbol(name)`: a value that is the same in every matrix leg of one job run but not known here,
///   such as `github.sha`, `github.ref_name`, `inputs.tag` of a reusable workflow, `vars.REGISTRY`,
///   `needs.setup.outputs.uid`. It may be empty. Two legs that produce the same symbol produce the same
///   text at run time, which is what the per-leg isolation rules (1xx) need. Symbols are only stable
///   within one job: `github.job`, `inputs.*` or `needs.*` mean other things in another job or workflow.
/// * `unknown(reason)`: anything else that is not known (`steps.*.outputs`, `hashFiles()`, `fromJSON` of
///   a value that is not known, a shell command's output). The reason is a short English phrase.
///
/// **Symbolic strings.** When a symbol is put into a string (a template such as
/// `scope=${{ github.ref_name }}-x`, `format()`, `join()`) it is written as the marker `⟨name⟩`
/// (U+27E8, U+27E9), e.g. `.string("scope=⟨github.ref_name⟩-x")`. Such a string stands for "this text with
/// the symbol's value in place of the marker": the evaluator never compares or transforms the marker
/// text as if it were the value, and `.symbol(n)` and `.string("⟨n⟩")` denote the same value.
/// Symbol names only use `[a-z0-9_.-]` and `#`, so a marker never contains a cache-entry or shell
/// delimiter (`,` `=` `"` `'` space). A computed symbol (a comparison, a `toJSON`, a shell transform of a
/// symbol) is named `<kind>#<16 hex digits>`, a hash of what was computed from what.
public indirect enum ExprValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ExprValue])
    /// An object. GitHub keeps insertion order and looks keys up case-insensitively; this dictionary keeps
    /// neither order nor case folding, so use `member(_:)` for lookups.
    case object([String: ExprValue])
    /// A value that is the same in every matrix leg of one job run but not known here (see the type's notes).
    case symbol(String)
    /// A value that is not known; the payload says why.
    case unknown(String)

    /// Opening marker of a symbol inside a string.
    public static let symbolOpen: Character = "\u{27E8}"
    /// Closing marker of a symbol inside a string.
    public static let symbolClose: Character = "\u{27E9}"

    /// The text a symbol stands for inside a string: `⟨name⟩`.
    public static func marker(_ name: String) -> String { "\u{27E8}\(name)\u{27E9}" }

    /// Whether this value is `.unknown`.
    public var isUnknown: Bool { if case .unknown = self { return true } else { return false } }

    /// The reason when this value is `.unknown`, else nil.
    public var unknownReason: String? { if case .unknown(let r) = self { return r } else { return nil } }

    /// Whether the value's run-time text depends on a symbol: a `.symbol`, a string holding a `⟨…⟩` marker,
    /// or an array/object holding either. Such values are stable across the legs of one job but not known.
    public var isSymbolic: Bool {
        switch self {
        case .symbol: return true
        case .string(let s): return Self.hasMarker(s)
        case .array(let a): return a.contains { $0.isSymbolic }
        case .object(let o): return o.values.contains { $0.isSymbolic }
        default: return false
        }
    }

    /// Whether the value is fully known: neither unknown nor symbolic (recursively).
    public var isConcrete: Bool {
        switch self {
        case .unknown, .symbol: return false
        case .string(let s): return !Self.hasMarker(s)
        case .array(let a): return a.allSatisfy(\.isConcrete)
        case .object(let o): return o.values.allSatisfy(\.isConcrete)
        default: return true
        }
    }

    /// The text GitHub substitutes for this value inside a string (`ConvertToString`): `''` for null,
    /// `true`/`false`, numbers as .NET's `G15` format (`3`, `3.1`, `1E+15`), strings as they are, symbols as
    /// `⟨name⟩`, and `Array`/`Object` for collections (GitHub writes the kind name). Nil for `.unknown`.
    public var templateText: String? {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return Self.formatNumber(d)
        case .string(let s): return s
        case .symbol(let n): return Self.marker(n)
        case .array: return "Array"
        case .object: return "Object"
        case .unknown: return nil
        }
    }

    /// Looks `key` up like GitHub's property access: in an object case-insensitively (an exact match first),
    /// in an array by numeric index (`'1'` works, fractions are floored), otherwise null. Symbols and
    /// unknown values give a symbol / the same unknown value.
    public func member(_ key: String) -> ExprValue {
        switch self {
        case .object(let o):
            if let v = o[key] { return v }
            let folded = ExprText.foldCase(key)
            // Several keys can differ only in case (from fromJSON): take the smallest for determinism.
            for k in o.keys.sorted() where ExprText.foldCase(k) == folded { return o[k]! }
            return .null
        case .array(let a):
            let d = ExprCoercion.toNumber(.string(key))
            guard !d.isNaN, d >= 0 else { return .null }
            let i = d.rounded(.down)
            guard i < Double(a.count) else { return .null }
            return a[Int(i)]
        case .symbol(let n):
            return Self.symbolMember(n, key)
        case .unknown:
            return self
        default:
            return .null
        }
    }

    /// `name.key` for a symbol: a readable path while both parts are plain, else a computed symbol.
    static func symbolMember(_ name: String, _ key: String) -> ExprValue {
        let k = key.lowercased()
        if !name.contains("#"), isPlainSymbolName(k), name.utf8.count + k.utf8.count < 120 {
            return .symbol(name + "." + k)
        }
        return computedSymbol("member", [name, key])
    }

    // MARK: - Symbols

    /// Whether `s` holds a symbol marker.
    public static func hasMarker(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0 == "\u{27E8}" }
    }

    /// `s` with each marker of a context value (`⟨github.ref_name⟩`) written back as the expression that
    /// gives it (`${{ github.ref_name }}`), for text a user reads or pastes (messages, help, fixes). Markers
    /// of computed values (`⟨lower.github.repository⟩`, `⟨eq#…⟩`, a script's `⟨sh-param#…⟩`) have no such
    /// expression: they stay, or are replaced by `computed` when given (`…` in text a user reads).
    public static func writtenAsExpressions(_ s: String, computed: String? = nil) -> String {
        guard s.hasSubstring("\u{27E8}") else { return s }
        var out = ""
        var rest = s[...]
        while let open = rest.firstIndex(of: "\u{27E8}") {
            out += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "\u{27E9}") else { return out + rest[open...] }
            let name = String(rest[afterOpen..<close])
            let root = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
            if isPlainSymbolName(name), expressionContexts.contains(root) {
                out += "${{ \(name) }}"
            } else if let computed {
                out += computed
            } else {
                out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The contexts an expression can name (a symbol rooted in one of them is that expression's value).
    static let expressionContexts: Set<String> = [
        "github", "env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix", "needs", "inputs",
    ]

    /// Whether `s` can be used as a symbol name as it is (lowercase letters, digits, `_`, `.`, `-`).
    static func isPlainSymbolName(_ s: String) -> Bool {
        !s.isEmpty
            && s.utf8.allSatisfy { c in
                (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95 || c == 46 || c == 45
            }
    }

    /// A symbol for a value computed by `kind` from `inputs` (their texts): equal inputs give equal symbols.
    static func computedSymbol(_ kind: String, _ inputs: [String]) -> ExprValue {
        var h = ExprStableHash()
        h.add(kind)
        for i in inputs {
            h.add("\u{1F}")
            h.add(i)
        }
        return .symbol("\(kind)#\(h.hex)")
    }

    /// A stable text for any value, used to name computed symbols (not GitHub's format).
    var canonicalText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return "n:" + Self.formatNumber(d)
        case .string(let s): return "s:" + s
        case .symbol(let n): return Self.marker(n)
        case .array(let a): return "[" + a.map(\.canonicalText).joined(separator: "\u{1E}") + "]"
        case .object(let o):
            return "{" + o.keys.sorted().map { "\($0)\u{1D}\(o[$0]!.canonicalText)" }.joined(separator: "\u{1E}") + "}"
        case .unknown(let r): return "?" + r
        }
    }

    // MARK: - Numbers

    /// Formats a number as GitHub does (.NET `Double.ToString("G15", InvariantCulture)`): at most 15
    /// significant digits, no trailing zeros, exponent form `1E+15` / `1E-05` when the decimal exponent is
    /// 15 or more or below -4; `NaN`, `Infinity`, `-Infinity`; negative zero is `-0`.
    public static func formatNumber(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        var (digits, exp) = decimalDigits(abs(d))  // value = 0.d1d2… × 10^exp
        if digits.count > 15 {
            // Round the shortest round-trip digits to 15 (half up); exact ties are vanishingly rare.
            let roundUp = digits[15] >= 5
            digits = Array(digits[0..<15])
            if roundUp {
                var i = 14
                while i >= 0 {
                    if digits[i] == 9 {
                        digits[i] = 0
                        i -= 1
                    } else {
                        digits[i] += 1
                        break
                    }
                }
                if i < 0 {
                    digits.insert(1, at: 0)
                    digits.removeLast()
                    exp += 1
                }
            }
        }
        while digits.count > 1, digits.last == 0 { digits.removeLast() }
        let sciExp = exp - 1  // value = d1.d2… × 10^sciExp
        var out = d < 0 ? "-" : ""
        let ds = digits.map { Character(String($0)) }
        if sciExp >= 15 || sciExp < -4 {
            out.append(ds[0])
            if ds.count > 1 {
                out.append(".")
                out.append(contentsOf: ds[1...])
            }
            out.append("E")
            out.append(sciExp < 0 ? "-" : "+")
            let e = String(abs(sciExp))
            if e.count < 2 { out.append("0") }
            out.append(e)
        } else if exp <= 0 {
            out.append("0.")
            out.append(String(repeating: "0", count: -exp))
            out.append(contentsOf: ds)
        } else if exp >= ds.count {
            out.append(contentsOf: ds)
            out.append(String(repeating: "0", count: exp - ds.count))
        } else {
            out.append(contentsOf: ds[0..<exp])
            out.append(".")
            out.append(contentsOf: ds[exp...])
        }
        return out
    }

    /// The shortest round-trip decimal digits of a positive finite `d` (no leading zeros) and the exponent
    /// `e` such that `d = 0.digits × 10^e`, read from Swift's `description`.
    private static func decimalDigits(_ d: Double) -> ([Int], Int) {
        var digits: [Int] = []
        var pointPos: Int? = nil
        var exp = 0
        var seenE = false
        var expSign = 1
        var expVal = 0
        for c in d.description.utf8 {
            if seenE {
                if c == UInt8(ascii: "-") { expSign = -1 } else if c >= 48 && c <= 57 { expVal = expVal * 10 + Int(c - 48) }
                continue
            }
            switch c {
            case UInt8(ascii: "."): pointPos = digits.count
            case UInt8(ascii: "e"), UInt8(ascii: "E"): seenE = true
            case 48...57: digits.append(Int(c - 48))
            default: break
            }
        }
        exp = (pointPos ?? digits.count) + expSign * expVal
        while let f = digits.first, f == 0, digits.count > 1 {
            digits.removeFirst()
            exp -= 1
        }
        return (digits, exp)
    }

    // MARK: - JSON

    /// Parses JSON the way GitHub's `fromJSON` does (Newtonsoft.Json): objects, arrays, numbers, `true`,
    /// `false`, `null`, strings with escapes, also single-quoted strings, `NaN`, `Infinity` and `-Infinity`.
    /// Returns `.unknown` with the problem when `text` is not one such value (GitHub fails the step).
    public static func parseJSON(_ text: String) -> ExprValue {
        var p = JSONReader(Array(text.unicodeScalars))
        p.skipSpace()
        guard let v = p.value(depth: 0) else { return .unknown("fromJSON: \(p.error ?? "invalid JSON")") }
        p.skipSpace()
        guard p.atEnd else { return .unknown("fromJSON: text after the JSON value") }
        return v
    }

    /// This value for a message about a matrix leg: a scalar as a template renders it, an array or object as
    /// one line of JSON (a template would render `Array`/`Object`, which tells no leg apart); "?" when unknown.
    /// One line, at most `labelLimit` characters: a line break reads `\n`, a longer value ends with `…`.
    public var labelText: String {
        var text: String
        switch self {
        case .array, .object:
            guard !isUnknown, !isSymbolic else { return "?" }
            text = ""
            writeJSON(into: &text, level: 0, oneLine: true)
        default:
            text = templateText ?? "?"
        }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            var clean = String.UnicodeScalarView()
            for c in text.unicodeScalars {
                if c == "\n" { clean.append(contentsOf: "\\n".unicodeScalars) } else if c.value >= 0x20 && c.value != 0x7F { clean.append(c) }
            }
            text = String(clean)
        }
        if text.count > Self.labelLimit { text = String(text.prefix(Self.labelLimit - 1)) + "…" }
        return text
    }

    /// The longest `labelText`, in characters.
    static let labelLimit = 48

    /// This value as `toJSON` writes it: two-space indentation, `"key": value`, strings escaped like
    /// Newtonsoft.Json. GitHub keeps object keys in insertion order; this order is not known here, so keys
    /// are written sorted. Nil when the value is unknown or symbolic (the JSON text is then not known).
    public var jsonText: String? {
        guard !isUnknown, !isSymbolic else { return nil }
        var out = ""
        writeJSON(into: &out, level: 0)
        return out
    }

    /// Writes the JSON text: as `toJSON` does, or on one line (`, ` and `: ` between items, no indentation).
    private func writeJSON(into out: inout String, level: Int, oneLine: Bool = false) {
        // Before an item: a line break and indentation, or on one line a space after the comma.
        func itemStart(_ i: Int, _ level: Int) {
            if oneLine {
                if i > 0 { out += ", " }
            } else {
                out += i == 0 ? "\n" : ",\n"
                out += String(repeating: " ", count: level * 2)
            }
        }
        func close(_ bracket: String) {
            out += (oneLine ? "" : "\n" + String(repeating: " ", count: level * 2)) + bracket
        }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += Self.formatNumber(d)
        case .string(let s): out += Self.jsonQuote(s)
        case .symbol, .unknown: out += "null"  // not reached: guarded by jsonText
        case .array(let a):
            if a.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (i, v) in a.enumerated() {
                itemStart(i, level + 1)
                v.writeJSON(into: &out, level: level + 1, oneLine: oneLine)
            }
            close("]")
        case .object(let o):
            if o.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                itemStart(i, level + 1)
                out += Self.jsonQuote(k) + ": "
                o[k]!.writeJSON(into: &out, level: level + 1, oneLine: oneLine)
            }
            close("}")
        }
    }

    /// A JSON string literal for `s`, escaped like Newtonsoft.Json's default (`"`, `\`, control characters,
    /// U+0085, U+2028, U+2029).
    static func jsonQuote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || u.value == 0x85 || u.value == 0x2028 || u.value == 0x2029 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

/// A small JSON reader over Unicode scalars (iterative enough: depth is capped).
private struct JSONReader {
    let s: [Unicode.Scalar]
    var i = 0
    var error: String?
    init(_ s: [Unicode.Scalar]) { self.s = s }

    var atEnd: Bool { i >= s.count }

    mutating func skipSpace() {
        while i < s.count, s[i] == " " || s[i] == "\n" || s[i] == "\r" || s[i] == "\t" { i += 1 }
    }

    mutating func fail(_ m: String) -> ExprValue? {
        if error == nil { error = m }
        return nil
    }

    mutating func value(depth: Int) -> ExprValue? {
        guard depth < 64 else { return fail("nesting too deep") }
        skipSpace()
        guard i < s.count else { return fail("unexpected end") }
        let c = s[i]
        switch c {
        case "{":
            i += 1
            var o: [String: ExprValue] = [:]
            skipSpace()
            if i < s.count, s[i] == "}" {
                i += 1
                return .object(o)
            }
            while true {
                skipSpace()
                guard i < s.count, s[i] == "\"" || s[i] == "'" else { return fail("expected a property name") }
                guard let k = string() else { return nil }
                skipSpace()
                guard i < s.count, s[i] == ":" else { return fail("expected ':'") }
                i += 1
                guard let v = value(depth: depth + 1) else { return nil }
                o[k] = v  // a repeated key replaces the earlier one, as Newtonsoft does
                skipSpace()
                guard i < s.count else { return fail("unterminated object") }
                if s[i] == "," {
                    i += 1
                    continue
                }
                if s[i] == "}" {
                    i += 1
                    return .object(o)
                }
                return fail("expected ',' or '}'")
            }
        case "[":
            i += 1
            var a: [ExprValue] = []
            skipSpace()
            if i < s.count, s[i] == "]" {
                i += 1
                return .array(a)
            }
            while true {
                guard let v = value(depth: depth + 1) else { return nil }
                a.append(v)
                skipSpace()
                guard i < s.count else { return fail("unterminated array") }
                if s[i] == "," {
                    i += 1
                    continue
                }
                if s[i] == "]" {
                    i += 1
                    return .array(a)
                }
                return fail("expected ',' or ']'")
            }
        case "\"", "'":
            guard let str = string() else { return nil }
            return .string(str)
        default:
            if word("true") { return .bool(true) }
            if word("false") { return .bool(false) }
            if word("null") { return .null }
            if word("NaN") { return .number(.nan) }
            if word("Infinity") { return .number(.infinity) }
            if word("-Infinity") { return .number(-.infinity) }
            return number()
        }
    }

    mutating func word(_ w: String) -> Bool {
        let ws = Array(w.unicodeScalars)
        guard i + ws.count <= s.count, Array(s[i..<(i + ws.count)]) == ws else { return false }
        // The word must end there (`nullx` is not null).
        if i + ws.count < s.count {
            let n = s[i + ws.count]
            if n.properties.isAlphabetic || ("0"..."9").contains(n) { return false }
        }
        i += ws.count
        return true
    }

    mutating func number() -> ExprValue? {
        let start = i
        if i < s.count, s[i] == "-" { i += 1 }
        var intDigits = 0
        while i < s.count, ("0"..."9").contains(s[i]) {
            i += 1
            intDigits += 1
        }
        guard intDigits > 0 else { return fail("unexpected character") }
        if i < s.count, s[i] == "." {
            i += 1
            var frac = 0
            while i < s.count, ("0"..."9").contains(s[i]) {
                i += 1
                frac += 1
            }
            guard frac > 0 else { return fail("bad number") }
        }
        if i < s.count, s[i] == "e" || s[i] == "E" {
            i += 1
            if i < s.count, s[i] == "+" || s[i] == "-" { i += 1 }
            var ed = 0
            while i < s.count, ("0"..."9").contains(s[i]) {
                i += 1
                ed += 1
            }
            guard ed > 0 else { return fail("bad number") }
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: s[start..<i])
        guard let d = Double(text) else { return fail("bad number") }
        return .number(d)
    }

    mutating func string() -> String? {
        let q = s[i]
        i += 1
        var out = String.UnicodeScalarView()
        while i < s.count {
            let c = s[i]
            if c == q {
                i += 1
                return String(out)
            }
            if c == "\\" {
                i += 1
                guard i < s.count else { break }
                let e = s[i]
                i += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "u":
                    guard let hi = hex4() else {
                        error = "bad \\u escape"
                        return nil
                    }
                    // Surrogate pairs arrive as two escapes.
                    if (0xD800..<0xDC00).contains(hi), i + 1 < s.count, s[i] == "\\", s[i + 1] == "u" {
                        i += 2
                        guard let lo = hex4(), (0xDC00..<0xE000).contains(lo) else {
                            error = "bad surrogate pair"
                            return nil
                        }
                        out.append(Unicode.Scalar(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))!)
                    } else if let u = Unicode.Scalar(hi) {
                        out.append(u)
                    } else {
                        out.append("\u{FFFD}")
                    }
                default: out.append(e)  // \" \\ \/ \' and, leniently, any other character
                }
                continue
            }
            out.append(c)
            i += 1
        }
        error = "unterminated string"
        return nil
    }

    mutating func hex4() -> UInt32? {
        guard i + 4 <= s.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let d = Int(String(s[i + k]), radix: 16) else { return nil }
            v = v * 16 + UInt32(d)
        }
        i += 4
        return v
    }
}

/// 64-bit FNV-1a, used for stable symbol names (Swift's `Hasher` is seeded per process).
struct ExprStableHash {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ s: String) {
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
    }
    var hex: String {
        let x = String(h, radix: 16)
        return String(repeating: "0", count: 16 - x.count) + x
    }
}
