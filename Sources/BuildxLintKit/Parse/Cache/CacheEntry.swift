/// Whether a cache entry imports (`cache-from`) or exports (`cache-to`).
public enum CacheDirection: String, Sendable {
    case `import` = "cache-from"
    case export = "cache-to"
}

/// One `key=value` (or bare) CSV field of a cache entry, with byte ranges into the entry's text.
public struct CacheField: Sendable, Hashable {
    /// The key as written (not trimmed, case kept). Empty for a field without `=`.
    public let rawKey: String
    /// The key as buildx uses it: lowercased, NOT trimmed (so ` scope` stays ` scope`).
    public let key: String
    /// The value after the first `=` (or the whole field when there is no `=`), CSV quotes consumed.
    public let value: String
    /// Whether the field contains `=`.
    public let hasEquals: Bool
    /// Byte range of the whole field in the entry text (including quotes).
    public let range: Range<Int>
    /// Byte range of the key in the entry text.
    public let keyRange: Range<Int>
    /// Byte range of the value in the entry text.
    public let valueRange: Range<Int>

    init(rawKey: String, value: String, hasEquals: Bool, range: Range<Int>, keyRange: Range<Int>, valueRange: Range<Int>) {
        self.rawKey = rawKey
        // Most keys are already lowercase ASCII: skip the allocation then.
        self.key = rawKey.utf8.contains(where: { $0 >= 65 && $0 <= 90 || $0 >= 0x80 }) ? rawKey.lowercased() : rawKey
        self.value = value
        self.hasEquals = hasEquals
        self.range = range
        self.keyRange = keyRange
        self.valueRange = valueRange
    }
}

/// A cache entry parsed exactly as buildx's `ParseCacheEntry` does (`buildx/util/buildflags/cache.go`).
///
/// - A string with no `=` is the ref-only format: each CSV field is its own `type=registry,ref=<field>`
///   entry (`refs`).
/// - Otherwise the string is ONE entry: every field is split on its first `=`, keys are lowercased but
///   not trimmed, a later `type=` or repeated key overwrites the earlier one, a field without `=` is an
///   error ("invalid value"), and a missing type is an error ("type required").
///
/// `${{ … }}` expressions are treated as opaque text: commas, quotes and `=` inside them do not split
/// fields, because GitHub substitutes them before buildx sees the string.
public struct CacheEntry: Sendable, Hashable {
    public enum Form: Sendable, Hashable {
        /// Bare references; each becomes one registry entry.
        case refList
        /// `key=value` fields forming one entry.
        case attributes
    }

    /// The entry text as buildx receives it (before expression substitution).
    public let text: String
    public let form: Form
    /// The CSV fields in order.
    public let fields: [CacheField]
    /// A CSV syntax problem buildx would reject (`bare " in non-quoted field`, unterminated quote).
    public let csvError: (message: String, offset: Int)?

    public static func == (a: CacheEntry, b: CacheEntry) -> Bool { a.text == b.text }
    public func hash(into h: inout Hasher) { h.combine(text) }

    /// Parses one entry string (one line of a list input, one bake list element, one flag value).
    public init(_ text: String) {
        self.text = text
        let bytes = Array(text.utf8)
        var fields: [CacheField] = []
        var csvError: (String, Int)? = nil
        // A field without `=` reads the same in both forms, so one pass builds the fields and the form is
        // decided at the end: ref-only when no field has `=`.
        var anyEquals = false
        var i = 0
        let n = bytes.count
        let comma = UInt8(ascii: ","), dq = UInt8(ascii: "\"")
        // An unquoted field is a slice of `bytes` (its indices are its offsets); a quoted one is its
        // unescaped content with the offset of each byte.
        while true {
            let start = i
            if i < n, bytes[i] == dq {
                // Quoted field.
                var content: [UInt8] = []
                var offs: [Int] = []
                i += 1
                var closed = false
                while i < n {
                    if bytes[i] == dq {
                        if i + 1 < n, bytes[i + 1] == dq {
                            content.append(dq)
                            offs.append(i)
                            i += 2
                            continue
                        }
                        closed = true
                        i += 1
                        break
                    }
                    content.append(bytes[i])
                    offs.append(i)
                    i += 1
                }
                if !closed, csvError == nil { csvError = ("unterminated quoted field", start) }
                if closed, i < n, bytes[i] != comma, csvError == nil {
                    csvError = ("extraneous or missing \" in quoted field", i)
                    while i < n, bytes[i] != comma { i += 1 }
                }
                fields.append(Self.field(RawField(content: content[...], offsets: offs, range: start..<i), &anyEquals))
            } else {
                while i < n, bytes[i] != comma {
                    if bytes[i] == UInt8(ascii: "$"), let end = expressionEnd(bytes, i) {
                        i = end
                        continue
                    }
                    if bytes[i] == dq, csvError == nil { csvError = ("bare \" in non-quoted field", i) }
                    i += 1
                }
                fields.append(Self.field(RawField(content: bytes[start..<i], offsets: nil, range: start..<i), &anyEquals))
            }
            if i < n, bytes[i] == comma {
                i += 1
                continue
            }
            break
        }
        self.form = anyEquals ? .attributes : .refList
        self.fields = fields
        self.csvError = csvError.map { (message: $0.0, offset: $0.1) }
        self.typeFields = anyEquals ? fields.filter { $0.hasEquals && $0.key == "type" } : []
    }

    /// One CSV field split at its first `=` outside `${{ }}` (`anyEquals` set when it has one); a field
    /// without `=` is all value.
    static func field(_ f: RawField, _ anyEquals: inout Bool) -> CacheField {
        let (startOff, endOff) = f.bounds
        guard let e = firstEquals(f.content) else {
            return CacheField(
                rawKey: "", value: String(decoding: f.content, as: UTF8.self), hasEquals: false,
                range: f.range, keyRange: startOff..<startOff, valueRange: startOff..<endOff)
        }
        anyEquals = true
        let keyEnd = f.offset(e)
        let valStart = e + 1 < f.content.endIndex ? f.offset(e + 1) : keyEnd + 1
        return CacheField(
            rawKey: String(decoding: f.content[..<e], as: UTF8.self),
            value: String(decoding: f.content[(e + 1)...], as: UTF8.self), hasEquals: true,
            range: f.range, keyRange: startOff..<keyEnd, valueRange: valStart..<max(valStart, endOff))
    }

    /// One field before it is split at `=`: its content and where each content byte came from.
    struct RawField {
        let content: ArraySlice<UInt8>
        /// Source offset of each content byte (by position), or nil when the content is a slice of the
        /// entry text (then an index is its offset).
        let offsets: [Int]?
        let range: Range<Int>

        /// The offset of content index `k`.
        func offset(_ k: Int) -> Int { offsets.map { $0[k - content.startIndex] } ?? k }
        /// Offsets of the first content byte and one past the last (the field's start when empty).
        var bounds: (Int, Int) {
            guard !content.isEmpty else { return (range.lowerBound, range.lowerBound) }
            return (offset(content.startIndex), offset(content.endIndex - 1) + 1)
        }
    }

    /// Index of the first `=` that is not inside a `${{ }}` expression in `b`, or nil.
    static func firstEquals(_ b: ArraySlice<UInt8>) -> Int? {
        var i = b.startIndex
        while i < b.endIndex {
            if b[i] == UInt8(ascii: "$"), let end = expressionEnd(b, i) {
                i = end
                continue
            }
            if b[i] == UInt8(ascii: "=") { return i }
            i += 1
        }
        return nil
    }

    /// Whether the entry is empty (buildx ≥ 0.21.2 skips it).
    public var isEmpty: Bool { text.isEmpty }

    /// The fields whose key is `type` (lowercased), in order. More than one means later ones win.
    public let typeFields: [CacheField]

    /// The backend type buildx ends up with (last `type=` wins); `registry` for the ref-only form.
    public var type: String? {
        if form == .refList { return "registry" }
        return typeFields.last?.value
    }

    /// The attributes after buildx's last-key-wins merge (keys lowercased, not trimmed; `type` excluded).
    public var attributes: [String: String] {
        var out: [String: String] = [:]
        for f in fields where f.hasEquals && f.key != "type" { out[f.key] = f.value }
        return out
    }

    /// Whether the entry brings its own gha cache service credentials (`token` and `url` or `url_v2`), so it
    /// works without the Actions runtime (buildx `cache/gha` reads them before the runner's variables).
    public var ghaHasCredentials: Bool {
        attribute("token") != nil && (attribute("url") != nil || attribute("url_v2") != nil)
    }

    /// The value buildx keeps for `key` (last occurrence), or nil.
    public func attribute(_ key: String) -> String? {
        fields.last(where: { $0.hasEquals && $0.key == key })?.value
    }

    /// The last field for `key`, or nil.
    public func field(_ key: String) -> CacheField? {
        fields.last(where: { $0.hasEquals && $0.key == key })
    }

    /// Whether the whole entry is a single `${{ … }}` expression (its value is unknown here).
    public var isWholeExpression: Bool {
        let b = Array(text.utf8)
        guard let end = expressionEnd(b, 0) else { return false }
        return end == b.count
    }

    /// Whether any part of the entry comes from a `${{ … }}` expression.
    public var hasExpression: Bool { text.hasSubstring("${{") }
}

/// If `b[i...]` starts a `${{ … }}` expression, the index just past its closing `}}`; else nil.
/// Quoted strings inside the expression (single quotes, GitHub's only string delimiter) may hold `}}`.
func expressionEnd<C: RandomAccessCollection>(_ b: C, _ i: Int) -> Int? where C.Element == UInt8, C.Index == Int {
    guard i + 2 < b.endIndex, b[i] == UInt8(ascii: "$"), b[i + 1] == UInt8(ascii: "{"), b[i + 2] == UInt8(ascii: "{")
    else { return nil }
    var j = i + 3
    var inString = false
    while j < b.endIndex {
        let c = b[j]
        if inString {
            if c == UInt8(ascii: "'") {
                if j + 1 < b.endIndex, b[j + 1] == UInt8(ascii: "'") {
                    j += 2
                    continue
                }
                inString = false
            }
        } else if c == UInt8(ascii: "'") {
            inString = true
        } else if c == UInt8(ascii: "}"), j + 1 < b.endIndex, b[j + 1] == UInt8(ascii: "}") {
            return j + 2
        }
        j += 1
    }
    return nil
}
