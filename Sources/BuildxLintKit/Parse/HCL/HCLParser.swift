// Hand-written lexer and recursive-descent parser for the HCL native syntax.
//
// The lexer turns the whole input into a token array using a mode stack (normal code, quoted
// template, heredoc template, bare template for JSON strings); the parser walks that array. Both
// are linear in the input, and every construct that recurses is bounded (`HCLParser.maxNesting`,
// `HCLParser.maxExpressionHeight`) so hostile input fails with an `HCLError` instead of overflowing
// the stack.

/// A syntax error: what is wrong and where (1-based line, 1-based UTF-8 byte column, 0-based offset).
public struct HCLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A one-line, human-readable description ("unterminated string literal", …).
    public let message: String
    /// Where the problem was found: usually the start of the offending token or of the unclosed construct.
    public let position: SourcePosition

    /// Creates an error.
    public init(message: String, position: SourcePosition) {
        self.message = message
        self.position = position
    }

    /// `line:column: message`.
    public var description: String { "\(position): \(message)" }
}

/// Entry points of the HCL parser.
public enum HCLParser {
    /// Maximum nesting of brackets, blocks, templates and unary operators; deeper input is an error.
    /// Sized so a release build parses the deepest accepted input within a 512 KiB thread stack.
    public static let maxNesting = 128
    /// Maximum height of an expression tree (long operator chains count too); taller is an error.
    /// Keeps the evaluator's recursion bounded.
    public static let maxExpressionHeight = 400
    /// Largest accepted input in bytes (token arrays are built up front).
    public static let maxInputBytes = 32 << 20

    /// Parses a whole HCL file (a body of attributes and blocks).
    ///
    /// - Parameter text: the file's bytes with their line table.
    /// - Returns: the root body; every node carries its span.
    /// - Throws: `HCLError` for the first syntax error (invalid UTF-8, NUL bytes, unterminated strings,
    ///   heredocs, comments or interpolations, unbalanced brackets, missing `=`, stray tokens,
    ///   malformed numbers, nesting beyond `maxNesting`, input larger than `maxInputBytes`).
    public static func parse(_ text: SourceText) throws(HCLError) -> HCLBody {
        var p = try HCLParserCore(text: text, fixedSpan: nil, startMode: .normal(interp: false, braces: 0, openAt: 0))
        return try p.parseFile()
    }

    /// Parses `text` as a single expression (surrounding whitespace, newlines and comments allowed).
    ///
    /// - Returns: the expression with spans into `text`.
    /// - Throws: `HCLError` for syntax errors or trailing tokens.
    public static func parseExpression(_ text: SourceText) throws(HCLError) -> HCLExpr {
        var p = try HCLParserCore(text: text, fixedSpan: nil, startMode: .normal(interp: false, braces: 0, openAt: 0))
        return try p.parseStandaloneExpression()
    }

    /// Parses `string` as a bare template (the content of an HCL JSON string value: `${…}` and `%{…}`
    /// sequences are recognised, backslashes are literal). Every node's span is `span`, the location
    /// of the string in its file, because escapes in the JSON source make finer positions unreliable.
    ///
    /// - Returns: a `.template` expression (a single `${x}` part evaluates to `x`'s value unchanged).
    /// - Throws: `HCLError` positioned at `span.start`.
    public static func parseTemplate(_ string: String, span: SourceSpan) throws(HCLError) -> HCLExpr {
        var p = try HCLParserCore(text: SourceText(string), fixedSpan: span, startMode: .bare)
        return try p.parseBareTemplate()
    }
}

// MARK: - Tokens

enum HCLTokenKind: UInt8 {
    case ident, number, newline, eof
    case lbrace, rbrace, lbrack, rbrack, lparen, rparen
    case equals, colon, comma, dot, ellipsis, question, fatArrow
    case plus, minus, star, slash, percent, eqeq, neq, lt, gt, le, ge, andand, oror, bang
    case oQuote, cQuote, oHeredoc, cHeredoc, templateLit, templateInterp, templateControl, templateSeqEnd, templateEnd
}

struct HCLToken {
    var kind: HCLTokenKind
    /// Strip marker: `${~`/`%{~` on open tokens, `~}` on `templateSeqEnd`; `<<-` on `oHeredoc`.
    var flag: Bool
    var start: Int
    var end: Int
    /// Index into the string table for literals and heredoc markers; -1 otherwise.
    var aux: Int
}

// MARK: - Lexer

struct HCLLexer {
    enum Mode {
        /// Code. `interp` frames end at the `}` that closes `${`/`%{` (brace depth tracked).
        case normal(interp: Bool, braces: Int, openAt: Int)
        case quoted(openAt: Int)
        case heredoc(marker: [UInt8], openAt: Int, atLineStart: Bool)
        /// JSON string content: a template that ends at end of input.
        case bare
    }

    let b: [UInt8]
    let errorAt: (Int) -> SourcePosition
    var i = 0
    var toks: [HCLToken] = []
    var strs: [String] = []
    var modes: [Mode]
    /// Set after `~}`: trim leading whitespace from the next literal.
    var stripNextLiteral = false

    init(bytes: [UInt8], start: Mode, errorAt: @escaping (Int) -> SourcePosition) {
        b = bytes
        modes = [start]
        self.errorAt = errorAt
        toks.reserveCapacity(bytes.count / 6 + 4)
    }

    func fail(_ message: String, _ offset: Int) -> HCLError {
        HCLError(message: message, position: errorAt(offset))
    }

    mutating func emit(_ kind: HCLTokenKind, _ start: Int, _ end: Int, flag: Bool = false, aux: Int = -1) {
        toks.append(HCLToken(kind: kind, flag: flag, start: start, end: end, aux: aux))
    }

    mutating func emitLiteral(_ bytes: [UInt8], _ start: Int, _ end: Int) {
        emitLiteral(String(decoding: bytes, as: UTF8.self), start, end)
    }

    mutating func emitLiteral(_ string: String, _ start: Int, _ end: Int) {
        var s = string
        if stripNextLiteral {
            s = String(s.drop(while: { $0.isWhitespace }))
            stripNextLiteral = false
        }
        strs.append(s)
        emit(.templateLit, start, end, aux: strs.count - 1)
    }

    /// Applies a `${~` / `%{~` strip marker to the literal just before it.
    mutating func stripPreviousLiteral() {
        guard let last = toks.last, last.kind == .templateLit else { return }
        var s = strs[last.aux]
        while let c = s.last, c.isWhitespace { s.removeLast() }
        strs[last.aux] = s
    }

    mutating func push(_ m: Mode, at offset: Int) throws(HCLError) {
        if modes.count >= HCLParser.maxNesting {
            throw fail("templates nested too deeply (limit \(HCLParser.maxNesting))", offset)
        }
        modes.append(m)
    }

    static func isIdentStartASCII(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F
    }

    static func isIdentContinueASCII(_ c: UInt8) -> Bool {
        isIdentStartASCII(c) || (c >= 0x30 && c <= 0x39) || c == 0x2D
    }

    /// Decodes the (already validated) UTF-8 scalar at `j`.
    func scalar(at j: Int) -> (Unicode.Scalar, Int) {
        let c = b[j]
        var v: UInt32
        var n: Int
        if c < 0x80 { return (Unicode.Scalar(c), 1) }
        if c >> 5 == 0x6 { v = UInt32(c & 0x1F); n = 2 } else if c >> 4 == 0xE { v = UInt32(c & 0x0F); n = 3 } else { v = UInt32(c & 0x07); n = 4 }
        for k in 1..<n { v = (v << 6) | UInt32(b[j + k] & 0x3F) }
        return (Unicode.Scalar(v) ?? "\u{FFFD}", n)
    }

    /// Length of an identifier starting at `j`, or 0 when none starts there.
    func identLength(at j: Int) -> Int {
        guard j < b.count else { return 0 }
        var k = j
        if Self.isIdentStartASCII(b[k]) {
            k += 1
        } else if b[k] >= 0x80 {
            let (s, n) = scalar(at: k)
            guard s.properties.isXIDStart else { return 0 }
            k += n
        } else {
            return 0
        }
        while k < b.count {
            let c = b[k]
            if Self.isIdentContinueASCII(c) {
                k += 1
            } else if c >= 0x80 {
                let (s, n) = scalar(at: k)
                guard s.properties.isXIDContinue else { break }
                k += n
            } else {
                break
            }
        }
        return k - j
    }

    mutating func run() throws(HCLError) {
        while true {
            switch modes[modes.count - 1] {
            case .normal(let interp, let braces, let openAt):
                if try lexNormal(interp: interp, braces: braces, openAt: openAt) { return }
            case .quoted(let openAt):
                try lexQuoted(openAt: openAt)
            case .heredoc(let marker, let openAt, let atLineStart):
                try lexHeredoc(marker: marker, openAt: openAt, atLineStart: atLineStart)
            case .bare:
                if try lexBare() { return }
            }
        }
    }

    /// Lexes code until the mode changes; returns true at end of input.
    mutating func lexNormal(interp: Bool, braces: Int, openAt: Int) throws(HCLError) -> Bool {
        var braces = braces
        let frame = modes.count - 1
        // Save the brace depth into this frame when leaving it for a nested mode (not when it was popped).
        defer {
            if interp, modes.count > frame, case .normal(let ip, _, let openAt) = modes[frame] {
                modes[frame] = .normal(interp: ip, braces: braces, openAt: openAt)
            }
        }
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x20, 0x09:
                i += 1
            case 0x0A:
                emit(.newline, i, i + 1)
                i += 1
            case 0x0D:
                let e = i + 1 < b.count && b[i + 1] == 0x0A ? i + 2 : i + 1
                emit(.newline, i, e)
                i = e
            case 0x23:  // '#'
                skipLineComment()
            case 0x2F:  // '/'
                if i + 1 < b.count, b[i + 1] == 0x2F {
                    skipLineComment()
                } else if i + 1 < b.count, b[i + 1] == 0x2A {
                    try skipBlockComment()
                } else {
                    emit(.slash, i, i + 1)
                    i += 1
                }
            case 0x30...0x39:
                try lexNumber()
            case 0x22:  // '"'
                emit(.oQuote, i, i + 1)
                try push(.quoted(openAt: i), at: i)
                i += 1
                return false
            case 0x7B:  // '{'
                if interp { braces += 1 }
                emit(.lbrace, i, i + 1)
                i += 1
            case 0x7D:  // '}'
                if interp && braces == 0 {
                    emit(.templateSeqEnd, i, i + 1)
                    i += 1
                    modes.removeLast()
                    return false
                }
                if interp { braces -= 1 }
                emit(.rbrace, i, i + 1)
                i += 1
            case 0x7E:  // '~'
                if interp && braces == 0 && i + 1 < b.count && b[i + 1] == 0x7D {
                    emit(.templateSeqEnd, i, i + 2, flag: true)
                    stripNextLiteral = true
                    i += 2
                    modes.removeLast()
                    return false
                }
                throw fail("unexpected character '~'", i)
            case 0x3C:  // '<'
                if i + 1 < b.count, b[i + 1] == 0x3C {
                    try lexHeredocOpen()
                    return false
                }
                if i + 1 < b.count, b[i + 1] == 0x3D { emit(.le, i, i + 2); i += 2 } else { emit(.lt, i, i + 1); i += 1 }
            case 0x3E:
                if i + 1 < b.count, b[i + 1] == 0x3D { emit(.ge, i, i + 2); i += 2 } else { emit(.gt, i, i + 1); i += 1 }
            case 0x3D:  // '='
                if i + 1 < b.count, b[i + 1] == 0x3D {
                    emit(.eqeq, i, i + 2); i += 2
                } else if i + 1 < b.count, b[i + 1] == 0x3E {
                    emit(.fatArrow, i, i + 2); i += 2
                } else {
                    emit(.equals, i, i + 1); i += 1
                }
            case 0x21:  // '!'
                if i + 1 < b.count, b[i + 1] == 0x3D { emit(.neq, i, i + 2); i += 2 } else { emit(.bang, i, i + 1); i += 1 }
            case 0x26:
                guard i + 1 < b.count, b[i + 1] == 0x26 else { throw fail("unexpected character '&' (did you mean '&&'?)", i) }
                emit(.andand, i, i + 2); i += 2
            case 0x7C:
                guard i + 1 < b.count, b[i + 1] == 0x7C else { throw fail("unexpected character '|' (did you mean '||'?)", i) }
                emit(.oror, i, i + 2); i += 2
            case 0x2E:  // '.'
                if i + 2 < b.count, b[i + 1] == 0x2E, b[i + 2] == 0x2E { emit(.ellipsis, i, i + 3); i += 3 } else { emit(.dot, i, i + 1); i += 1 }
            case 0x5B: emit(.lbrack, i, i + 1); i += 1
            case 0x5D: emit(.rbrack, i, i + 1); i += 1
            case 0x28: emit(.lparen, i, i + 1); i += 1
            case 0x29: emit(.rparen, i, i + 1); i += 1
            case 0x2C: emit(.comma, i, i + 1); i += 1
            case 0x3A: emit(.colon, i, i + 1); i += 1
            case 0x3F: emit(.question, i, i + 1); i += 1
            case 0x2B: emit(.plus, i, i + 1); i += 1
            case 0x2D: emit(.minus, i, i + 1); i += 1
            case 0x2A: emit(.star, i, i + 1); i += 1
            case 0x25: emit(.percent, i, i + 1); i += 1
            case 0x00:
                throw fail("NUL byte in input", i)
            default:
                let n = identLength(at: i)
                if n > 0 {
                    emit(.ident, i, i + n)
                    i += n
                } else if c >= 0x80 {
                    let (s, _) = scalar(at: i)
                    throw fail("unexpected character U+\(String(s.value, radix: 16, uppercase: true))", i)
                } else {
                    throw fail("unexpected character \(Self.describeByte(c))", i)
                }
            }
        }
        if interp { throw fail("unterminated template interpolation: missing '}'", openAt) }
        if modes.count > 1 { throw fail("unexpected end of input", i) }
        emit(.eof, b.count, b.count)
        return true
    }

    static func describeByte(_ c: UInt8) -> String {
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "0x" + String(c, radix: 16, uppercase: true)
    }

    mutating func skipLineComment() {
        while i < b.count, b[i] != 0x0A, b[i] != 0x0D { i += 1 }
    }

    mutating func skipBlockComment() throws(HCLError) {
        let start = i
        i += 2
        while i + 1 < b.count {
            if b[i] == 0x2A && b[i + 1] == 0x2F {
                i += 2
                return
            }
            i += 1
        }
        throw fail("unterminated comment: missing '*/'", start)
    }

    mutating func lexNumber() throws(HCLError) {
        let start = i
        while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
        if i + 1 < b.count, b[i] == 0x2E, b[i + 1] >= 0x30 && b[i + 1] <= 0x39 {
            i += 1
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
        }
        if i < b.count, b[i] == 0x65 || b[i] == 0x45 {
            var j = i + 1
            if j < b.count, b[j] == 0x2B || b[j] == 0x2D { j += 1 }
            guard j < b.count, b[j] >= 0x30 && b[j] <= 0x39 else {
                throw fail("malformed number: exponent has no digits", start)
            }
            i = j
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
        }
        if identLength(at: i) > 0 {
            throw fail("malformed number: unexpected character after digits", start)
        }
        emit(.number, start, i)
    }

    /// `<<EOT` or `<<-EOT` followed by a newline.
    mutating func lexHeredocOpen() throws(HCLError) {
        let start = i
        var j = i + 2
        let flush = j < b.count && b[j] == 0x2D
        if flush { j += 1 }
        let n = identLength(at: j)
        guard n > 0 else { throw fail("invalid heredoc: expected a marker name after '<<'", start) }
        let marker = Array(b[j..<(j + n)])
        j += n
        if j < b.count, b[j] == 0x0D, j + 1 < b.count, b[j + 1] == 0x0A {
            j += 2
        } else if j < b.count, b[j] == 0x0A {
            j += 1
        } else {
            throw fail("invalid heredoc: the marker must be followed by a newline", start)
        }
        strs.append(String(decoding: marker, as: UTF8.self))
        emit(.oHeredoc, start, j, flag: flush, aux: strs.count - 1)
        try push(.heredoc(marker: marker, openAt: start, atLineStart: true), at: start)
        i = j
    }

    /// Handles `${`, `%{`, `$${`, `%%{` at `i` inside a template. Returns true when a sequence was
    /// opened (the caller must flush its literal first), appending escape output to `lit` otherwise.
    mutating func templateSequence(_ lit: inout [UInt8]) -> (open: HCLTokenKind, len: Int)? {
        let c = b[i]
        guard c == 0x24 || c == 0x25 else { return nil }
        if i + 1 < b.count, b[i + 1] == 0x7B {
            let strip = i + 2 < b.count && b[i + 2] == 0x7E
            return (c == 0x24 ? .templateInterp : .templateControl, strip ? 3 : 2)
        }
        if i + 2 < b.count, b[i + 1] == c, b[i + 2] == 0x7B {
            lit.append(c)
            lit.append(0x7B)
            i += 3
            return nil
        }
        lit.append(c)
        i += 1
        return nil
    }

    mutating func openSequence(_ kind: HCLTokenKind, _ len: Int) throws(HCLError) {
        let strip = len == 3
        if strip { stripPreviousLiteral() }
        emit(kind, i, i + len, flag: strip)
        try push(.normal(interp: true, braces: 0, openAt: i), at: i)
        i += len
    }

    mutating func lexQuoted(openAt: Int) throws(HCLError) {
        // Bytes are copied into `lit` only once an escape needs decoding; plain runs are sliced.
        var lit: [UInt8] = []
        var plain = true
        let litStart = i
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x22:
                if i > litStart { plain ? emitLiteral(String(decoding: b[litStart..<i], as: UTF8.self), litStart, i) : emitLiteral(lit, litStart, i) }
                emit(.cQuote, i, i + 1)
                i += 1
                modes.removeLast()
                return
            case 0x5C:
                if plain { lit.append(contentsOf: b[litStart..<i]); plain = false }
                try lexEscape(&lit)
            case 0x0A, 0x0D:
                throw fail("unterminated string literal (quoted strings cannot span lines; use a heredoc)", openAt)
            case 0x00:
                throw fail("NUL byte in input", i)
            case 0x24, 0x25:
                let before = i
                if plain { lit.append(contentsOf: b[litStart..<i]); plain = false }
                if let (kind, len) = templateSequence(&lit) {
                    if before > litStart { emitLiteral(lit, litStart, before) }
                    try openSequence(kind, len)
                    return
                }
            default:
                if !plain { lit.append(c) }
                i += 1
            }
        }
        throw fail("unterminated string literal: missing closing '\"'", openAt)
    }

    mutating func lexEscape(_ lit: inout [UInt8]) throws(HCLError) {
        let start = i
        guard i + 1 < b.count else { throw fail("unterminated string literal: missing closing '\"'", start) }
        let e = b[i + 1]
        i += 2
        switch e {
        case 0x6E: lit.append(0x0A)
        case 0x72: lit.append(0x0D)
        case 0x74: lit.append(0x09)
        case 0x22: lit.append(0x22)
        case 0x5C: lit.append(0x5C)
        case 0x75, 0x55:
            let n = e == 0x75 ? 4 : 8
            var v: UInt32 = 0
            for _ in 0..<n {
                guard i < b.count, let d = Self.hexValue(b[i]) else {
                    throw fail("invalid escape sequence: \\\(e == 0x75 ? "u" : "U") needs \(n) hex digits", start)
                }
                v = v << 4 | UInt32(d)
                i += 1
            }
            guard let s = Unicode.Scalar(v) else { throw fail("invalid escape sequence: not a Unicode scalar value", start) }
            lit.append(contentsOf: Array(String(Character(s)).utf8))
        default:
            throw fail("invalid escape sequence '\\\(Self.describeByte(e).trimmingQuotes)'", start)
        }
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// Whether the line starting at `i` is the closing marker; returns its end offset.
    func closingMarkerEnd(_ marker: [UInt8]) -> Int? {
        var j = i
        while j < b.count, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
        guard j + marker.count <= b.count else { return nil }
        for k in 0..<marker.count where b[j + k] != marker[k] { return nil }
        let e = j + marker.count
        if e == b.count || b[e] == 0x0A || b[e] == 0x0D { return e }
        return nil
    }

    mutating func lexHeredoc(marker: [UInt8], openAt: Int, atLineStart: Bool) throws(HCLError) {
        var lineStart = atLineStart
        var lit: [UInt8] = []
        var litStart = i
        while true {
            if lineStart {
                if let e = closingMarkerEnd(marker) {
                    emit(.cHeredoc, i, e)
                    i = e
                    modes.removeLast()
                    return
                }
                lineStart = false
            }
            guard i < b.count else {
                throw fail("unterminated heredoc: missing closing '\(String(decoding: marker, as: UTF8.self))' line", openAt)
            }
            let c = b[i]
            switch c {
            case 0x0A, 0x0D:
                let e = c == 0x0D && i + 1 < b.count && b[i + 1] == 0x0A ? i + 2 : i + 1
                lit.append(contentsOf: b[i..<e])
                i = e
                // One literal token per line, as the flush (`<<-`) rule works line by line.
                emitLiteral(lit, litStart, i)
                lit.removeAll(keepingCapacity: true)
                litStart = i
                lineStart = true
            case 0x00:
                throw fail("NUL byte in input", i)
            case 0x24, 0x25:
                let before = i
                if let (kind, len) = templateSequence(&lit) {
                    if before > litStart { emitLiteral(lit, litStart, before) }
                    modes[modes.count - 1] = .heredoc(marker: marker, openAt: openAt, atLineStart: false)
                    try openSequence(kind, len)
                    return
                }
            default:
                lit.append(c)
                i += 1
            }
        }
    }

    /// Lexes a bare template (JSON string content); returns true at end of input.
    mutating func lexBare() throws(HCLError) -> Bool {
        var lit: [UInt8] = []
        let litStart = i
        while i < b.count {
            let c = b[i]
            if c == 0x24 || c == 0x25 {
                let before = i
                if let (kind, len) = templateSequence(&lit) {
                    if before > litStart { emitLiteral(lit, litStart, before) }
                    try openSequence(kind, len)
                    return false
                }
            } else {
                lit.append(c)
                i += 1
            }
        }
        if i > litStart { emitLiteral(lit, litStart, i) }
        emit(.templateEnd, b.count, b.count)
        emit(.eof, b.count, b.count)
        return true
    }

    /// Offset of the first byte that is not valid UTF-8, or nil.
    static func firstInvalidUTF8(_ b: [UInt8]) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            var len: Int
            var minV: UInt32
            var v: UInt32
            if c >= 0xC2 && c <= 0xDF { len = 2; minV = 0x80; v = UInt32(c & 0x1F) }
            else if c >= 0xE0 && c <= 0xEF { len = 3; minV = 0x800; v = UInt32(c & 0x0F) }
            else if c >= 0xF0 && c <= 0xF4 { len = 4; minV = 0x10000; v = UInt32(c & 0x07) }
            else { return i }
            guard i + len <= n else { return i }
            for k in 1..<len {
                let d = b[i + k]
                guard d & 0xC0 == 0x80 else { return i }
                v = v << 6 | UInt32(d & 0x3F)
            }
            if v < minV || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) { return i }
            i += len
        }
        return nil
    }
}

extension String {
    fileprivate var trimmingQuotes: String {
        var s = Substring(self)
        if s.first == "'" { s = s.dropFirst() }
        if s.last == "'" { s = s.dropLast() }
        return String(s)
    }
}

// MARK: - Parser

struct HCLParserCore {
    typealias PE = (e: HCLExpr, h: Int)

    let text: SourceText
    let fixedSpan: SourceSpan?
    var toks: [HCLToken]
    var strs: [String]
    var p = 0
    /// Whether newline tokens are significant in the current context (top: true in bodies).
    var newlines: [Bool] = [true]
    var depth = 0
    /// Line of the last position computed (see `position(_:)`).
    final class LineCursor { @exclusivity(unchecked) var line = 0 }
    let cursor = LineCursor()

    init(text: SourceText, fixedSpan: SourceSpan?, startMode: HCLLexer.Mode) throws(HCLError) {
        self.text = text
        self.fixedSpan = fixedSpan
        let errorAt: (Int) -> SourcePosition = { [text] off in fixedSpan?.start ?? text.position(ofOffset: off) }
        if text.bytes.count > HCLParser.maxInputBytes {
            throw HCLError(message: "input too large (\(text.bytes.count) bytes; limit \(HCLParser.maxInputBytes))", position: errorAt(0))
        }
        if let bad = HCLLexer.firstInvalidUTF8(text.bytes) {
            throw HCLError(message: "invalid UTF-8 byte 0x\(String(text.bytes[bad], radix: 16, uppercase: true))", position: errorAt(bad))
        }
        var lx = HCLLexer(bytes: text.bytes, start: startMode, errorAt: errorAt)
        try lx.run()
        toks = lx.toks
        strs = lx.strs
    }

    // MARK: helpers
    //
    // Frame size matters here: a nesting level of input costs a handful of recursive calls
    // (parseExpression → parseBinary → parseUnary → parsePostfix → parsePrimary → parseTuple → …).
    // Everything not needed on that path (node construction, error messages with string
    // interpolation) lives in small `@inline(never)` helpers so the recursive frames stay small.

    /// Same result as `text.position(ofOffset:)`, but remembers the last line: spans are requested
    /// in nearly increasing order, so most lookups need no binary search.
    func position(_ off: Int) -> SourcePosition {
        if let f = fixedSpan { return f.start }
        let starts = text.lineStarts
        let o = max(0, min(off, text.bytes.count))
        var l = cursor.line
        let n = starts.count
        if !(starts[l] <= o && (l + 1 == n || o < starts[l + 1])) {
            if l + 1 < n, starts[l + 1] <= o, l + 2 == n || o < starts[l + 2] {
                l += 1
            } else {
                var lo = 0
                var hi = n - 1
                while lo < hi {
                    let mid = (lo + hi + 1) / 2
                    if starts[mid] <= o { lo = mid } else { hi = mid - 1 }
                }
                l = lo
            }
            cursor.line = l
        }
        return SourcePosition(line: l + 1, column: o - starts[l] + 1, offset: o)
    }

    @inline(never)
    func span(_ s: Int, _ e: Int) -> SourceSpan {
        fixedSpan ?? SourceSpan(start: position(s), end: position(e))
    }

    @inline(never)
    func fail(_ message: String, _ off: Int) -> HCLError { HCLError(message: message, position: position(off)) }

    @inline(never)
    func failExpected(_ what: String, _ t: HCLToken) -> HCLError { fail("expected \(what), found \(describe(t))", t.start) }

    @inline(never)
    func failUnclosed(_ closer: String, _ what: String, _ at: Int) -> HCLError { fail("missing '\(closer)' to close \(what)", at) }

    func identText(_ t: HCLToken) -> String { String(decoding: text.bytes[t.start..<t.end], as: UTF8.self) }

    mutating func peek() -> HCLToken {
        if !newlines[newlines.count - 1] {
            while toks[p].kind == .newline { p += 1 }
        }
        return toks[p]
    }

    /// The kind of the next significant token.
    mutating func peekKind() -> HCLTokenKind { peek().kind }

    mutating func advance() {
        if toks[p].kind != .eof { p += 1 }
    }

    func describe(_ t: HCLToken) -> String {
        switch t.kind {
        case .eof: return "end of input"
        case .newline: return "newline"
        case .ident: return "'\(identText(t))'"
        case .number: return "number \(identText(t))"
        case .oQuote: return "string"
        case .oHeredoc: return "heredoc"
        case .templateLit, .cQuote, .cHeredoc, .templateEnd: return "template text"
        case .templateInterp: return "'${'"
        case .templateControl: return "'%{'"
        case .templateSeqEnd: return "'}'"
        default: return "'\(identText(t))'"
        }
    }

    @inline(never)
    mutating func expect(_ kind: HCLTokenKind, _ what: String) throws(HCLError) -> HCLToken {
        let t = peek()
        guard t.kind == kind else { throw failExpected(what, t) }
        advance()
        return t
    }

    @inline(never)
    func checked(_ e: HCLExpr, _ h: Int, _ at: Int) throws(HCLError) -> PE {
        if h > HCLParser.maxExpressionHeight {
            throw fail("expression too deeply nested (limit \(HCLParser.maxExpressionHeight) levels)", at)
        }
        return (e, h)
    }

    @inline(never)
    mutating func enter(_ at: Int) throws(HCLError) {
        depth += 1
        if depth > HCLParser.maxNesting { throw fail("nesting too deep (limit \(HCLParser.maxNesting))", at) }
    }

    func isKeyword(_ t: HCLToken, _ word: StaticString) -> Bool {
        guard t.kind == .ident, t.end - t.start == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { text.bytes[t.start..<t.end].elementsEqual($0) }
    }

    // MARK: bodies

    mutating func parseFile() throws(HCLError) -> HCLBody {
        let (attrs, blocks, _) = try parseBodyItems(closingAt: nil)
        return HCLBody(attributes: attrs, blocks: blocks, span: span(0, text.bytes.count))
    }

    /// Parses body items until `}` (when `closingAt` is the offset of the opening brace) or end of input.
    mutating func parseBodyItems(closingAt: Int?) throws(HCLError) -> ([HCLAttribute], [HCLBlock], Int) {
        var attrs: [HCLAttribute] = []
        var blocks: [HCLBlock] = []
        while true {
            let k = peekKind()
            if k == .newline {
                advance()
                continue
            }
            if k == .eof, closingAt == nil { return (attrs, blocks, toks[p].start) }
            if k == .rbrace, closingAt != nil { return (attrs, blocks, toks[p].start) }
            guard k == .ident else { throw bodyItemError(closingAt) }
            let nameTok = toks[p]
            advance()
            switch peekKind() {
            case .equals:
                advance()
                let v = try parseExpression()
                attrs.append(makeAttribute(nameTok, v.e))
            case .oQuote, .ident, .lbrace:
                blocks.append(try parseBlock(typeTok: nameTok))
            default:
                throw afterNameError(nameTok)
            }
            try expectItemEnd(closing: closingAt != nil, after: nameTok)
        }
    }

    @inline(never)
    mutating func bodyItemError(_ closingAt: Int?) -> HCLError {
        let t = peek()
        switch t.kind {
        case .eof: return fail("missing '}' to close the block opened here", closingAt ?? t.start)
        case .rbrace: return fail("unexpected '}' (no block is open)", t.start)
        default: return failExpected("an attribute name or a block type", t)
        }
    }

    @inline(never)
    mutating func afterNameError(_ nameTok: HCLToken) -> HCLError {
        let n = peek()
        let name = identText(nameTok)
        if n.kind == .colon { return fail("expected '=' after '\(name)' (':' is only allowed inside object values)", n.start) }
        return fail("expected '=' or a block body after '\(name)', found \(describe(n))", n.start)
    }

    @inline(never)
    func makeAttribute(_ nameTok: HCLToken, _ e: HCLExpr) -> HCLAttribute {
        HCLAttribute(name: identText(nameTok), nameSpan: span(nameTok.start, nameTok.end), expr: e, span: span(nameTok.start, e.span.end.offset))
    }

    @inline(never)
    mutating func expectItemEnd(closing: Bool, after nameTok: HCLToken) throws(HCLError) {
        let t = peek()
        switch t.kind {
        case .newline: advance()
        case .eof: break
        case .rbrace where closing: break
        default:
            throw fail("unexpected \(describe(t)) after the definition of '\(identText(nameTok))'; put each item on its own line", t.start)
        }
    }

    mutating func parseBlock(typeTok: HCLToken) throws(HCLError) -> HCLBlock {
        let labels = try parseLabels()
        let open = try expect(.lbrace, "'{' to open the block body")
        try enter(open.start)
        defer { depth -= 1 }
        let (attrs, blocks, bodyEnd) = try parseBodyItems(closingAt: open.start)
        let close = try expect(.rbrace, "'}'")
        return makeBlock(typeTok, labels, attrs, blocks, open.end, bodyEnd, close.end)
    }

    @inline(never)
    func makeBlock(
        _ typeTok: HCLToken, _ labels: [(value: String, span: SourceSpan)], _ attrs: [HCLAttribute], _ blocks: [HCLBlock],
        _ bodyStart: Int, _ bodyEnd: Int, _ end: Int
    ) -> HCLBlock {
        let body = HCLBody(attributes: attrs, blocks: blocks, span: span(bodyStart, bodyEnd))
        return HCLBlock(type: identText(typeTok), typeSpan: span(typeTok.start, typeTok.end), labels: labels, body: body, span: span(typeTok.start, end))
    }

    @inline(never)
    mutating func parseLabels() throws(HCLError) -> [(value: String, span: SourceSpan)] {
        var labels: [(value: String, span: SourceSpan)] = []
        while true {
            let t = peek()
            if t.kind == .ident {
                advance()
                labels.append((identText(t), span(t.start, t.end)))
            } else if t.kind == .oQuote {
                advance()
                var value = ""
                var u = peek()
                if u.kind == .templateLit {
                    value = strs[u.aux]
                    advance()
                    u = peek()
                }
                guard u.kind == .cQuote else {
                    throw fail("block labels must be plain strings without template sequences", u.start)
                }
                advance()
                labels.append((value, span(t.start, u.end)))
            } else {
                return labels
            }
        }
    }

    mutating func parseStandaloneExpression() throws(HCLError) -> HCLExpr {
        newlines.append(false)
        let e = try parseExpression()
        let t = peek()
        guard t.kind == .eof else { throw fail("unexpected \(describe(t)) after the expression", t.start) }
        return e.e
    }

    mutating func parseBareTemplate() throws(HCLError) -> HCLExpr {
        let start = toks[p].start
        let parts = try parseTemplateParts(end: .templateEnd, stops: [])
        let t = toks[p]
        return .template(parts.parts, span: span(start, t.end))
    }

    // MARK: expressions

    mutating func parseExpression() throws(HCLError) -> PE {
        let start = peek().start
        try enter(start)
        defer { depth -= 1 }
        let c = try parseBinary(1)
        guard peekKind() == .question else { return c }
        return try parseConditionalRest(c, start)
    }

    @inline(never)
    mutating func parseConditionalRest(_ c: PE, _ start: Int) throws(HCLError) -> PE {
        advance()
        let a = try parseExpression()
        _ = try expect(.colon, "':' in the conditional expression")
        let b = try parseExpression()
        return try checked(.conditional(c.e, a.e, b.e, span: span(start, b.e.span.end.offset)), max(c.h, a.h, b.h) + 1, start)
    }

    static func binaryOp(_ k: HCLTokenKind) -> HCLBinaryOp? {
        switch k {
        case .oror: return .or
        case .andand: return .and
        case .eqeq: return .equal
        case .neq: return .notEqual
        case .lt: return .less
        case .le: return .lessEqual
        case .gt: return .greater
        case .ge: return .greaterEqual
        case .plus: return .add
        case .minus: return .subtract
        case .star: return .multiply
        case .slash: return .divide
        case .percent: return .modulo
        default: return nil
        }
    }

    mutating func parseBinary(_ minPrec: Int) throws(HCLError) -> PE {
        let start = peek().start
        var lhs = try parseUnary()
        while let op = Self.binaryOp(peekKind()), op.precedence >= minPrec {
            let opStart = toks[p].start
            advance()
            let rhs = try parseBinary(op.precedence + 1)
            lhs = try makeBinary(op, lhs, rhs, start, opStart)
        }
        return lhs
    }

    @inline(never)
    func makeBinary(_ op: HCLBinaryOp, _ l: PE, _ r: PE, _ start: Int, _ opStart: Int) throws(HCLError) -> PE {
        try checked(.binary(op, l.e, r.e, span: span(start, r.e.span.end.offset)), max(l.h, r.h) + 1, opStart)
    }

    mutating func parseUnary() throws(HCLError) -> PE {
        let k = peekKind()
        guard k == .bang || k == .minus else { return try parsePostfix() }
        return try parseUnaryRest()
    }

    @inline(never)
    mutating func parseUnaryRest() throws(HCLError) -> PE {
        let t = peek()
        advance()
        try enter(t.start)
        defer { depth -= 1 }
        let x = try parseUnary()
        return try makeUnary(t, x)
    }

    @inline(never)
    func makeUnary(_ t: HCLToken, _ x: PE) throws(HCLError) -> PE {
        let sp = span(t.start, x.e.span.end.offset)
        if t.kind == .minus, case .number(let v, _) = x.e { return (.number(-v, span: sp), x.h) }
        return try checked(.unary(t.kind == .bang ? .not : .negate, x.e, span: sp), x.h + 1, t.start)
    }

    /// Parses `.name`, legacy `.0` and `[expr]` steps (not splats) while they follow.
    mutating func parseSteps(attributesOnly: Bool, into steps: inout [HCLTraversalStep], height: inout Int) throws(HCLError) {
        while true {
            let t = peek()
            if t.kind == .dot {
                let n = toks[p + 1]
                if n.kind == .ident {
                    p += 2
                    steps.append(.attribute(identText(n), span: span(n.start, n.end)))
                } else if n.kind == .number, !attributesOnly {
                    p += 2
                    try appendLegacyIndex(n, &steps)
                } else if n.kind == .star || (n.kind == .number && attributesOnly) {
                    return
                } else {
                    throw fail("expected an attribute name after '.'", n.start)
                }
            } else if t.kind == .lbrack, !attributesOnly {
                if toks[p + 1].kind == .star { return }
                advance()
                newlines.append(false)
                let k = try parseExpression()
                let close = try expect(.rbrack, "']' to close the index")
                newlines.removeLast()
                height = max(height, k.h + 1)
                steps.append(.index(k.e, span: span(t.start, close.end)))
            } else {
                return
            }
        }
    }

    /// `a.0.1` lexes as `a . 0.1`: splits the number into index steps.
    @inline(never)
    func appendLegacyIndex(_ n: HCLToken, _ steps: inout [HCLTraversalStep]) throws(HCLError) {
        let parts = identText(n).split(separator: ".", omittingEmptySubsequences: false)
        var off = n.start
        for part in parts {
            guard let v = Int(part) else { throw fail("invalid legacy index '.\(part)'", off) }
            let s = span(off, off + part.utf8.count)
            steps.append(.index(.number(Double(v), span: s), span: s))
            off += part.utf8.count + 1
        }
    }

    mutating func parsePostfix() throws(HCLError) -> PE {
        let start = peek().start
        let base = try parsePrimary()
        let k = peekKind()
        guard k == .dot || k == .lbrack else { return base }
        return try parseTraversals(base, start)
    }

    @inline(never)
    mutating func parseTraversals(_ first: PE, _ start: Int) throws(HCLError) -> PE {
        var base = first
        while true {
            var steps: [HCLTraversalStep] = []
            var h = base.h
            try parseSteps(attributesOnly: false, into: &steps, height: &h)
            if !steps.isEmpty {
                base = try checked(.traversal(base.e, steps, span: span(start, steps[steps.count - 1].span.end.offset)), h + 1, start)
            }
            // Splat?
            let t = peek()
            var full: Bool
            var splatEnd: Int
            if t.kind == .dot, toks[p + 1].kind == .star {
                full = false
                splatEnd = toks[p + 1].end
                p += 2
            } else if t.kind == .lbrack, toks[p + 1].kind == .star, toks[p + 2].kind == .rbrack {
                full = true
                splatEnd = toks[p + 2].end
                p += 3
            } else {
                return base
            }
            var each: [HCLTraversalStep] = []
            var eh = base.h
            try parseSteps(attributesOnly: !full, into: &each, height: &eh)
            if let last = each.last { splatEnd = last.span.end.offset }
            base = try checked(.splat(base.e, full: full, each: each, span: span(start, splatEnd)), eh + 1, start)
        }
    }

    mutating func parsePrimary() throws(HCLError) -> PE {
        let t = peek()
        switch t.kind {
        case .lbrack: return try parseTuple(t)
        case .lbrace: return try parseObject(t)
        case .lparen: return try parseParen(t)
        case .oQuote: return try parseQuoted(t)
        case .oHeredoc: return try parseHeredoc(t)
        case .ident:
            advance()
            if toks[p].kind == .lparen { return try parseCall(t) }
            return identPrimary(t)
        case .number:
            advance()
            return try numberPrimary(t)
        default:
            throw primaryError(t)
        }
    }

    @inline(never)
    func identPrimary(_ t: HCLToken) -> PE {
        let sp = span(t.start, t.end)
        if isKeyword(t, "true") { return (.bool(true, span: sp), 1) }
        if isKeyword(t, "false") { return (.bool(false, span: sp), 1) }
        if isKeyword(t, "null") { return (.null(span: sp), 1) }
        return (.variable(identText(t), span: sp), 1)
    }

    @inline(never)
    func numberPrimary(_ t: HCLToken) throws(HCLError) -> PE {
        guard let v = Double(identText(t)) else { throw fail("malformed number", t.start) }
        return (.number(v, span: span(t.start, t.end)), 1)
    }

    @inline(never)
    func primaryError(_ t: HCLToken) -> HCLError {
        switch t.kind {
        case .eof: return fail("expected an expression, found end of input", t.start)
        case .ellipsis: return fail("unexpected '...' (only allowed after the last function argument or a for value)", t.start)
        default: return failExpected("an expression", t)
        }
    }

    mutating func parseParen(_ open: HCLToken) throws(HCLError) -> PE {
        advance()
        newlines.append(false)
        let e = try parseExpression()
        let close = peek()
        guard close.kind == .rparen else {
            throw close.kind == .eof ? failUnclosed(")", "this '('", open.start) : failExpected("')'", close)
        }
        advance()
        newlines.removeLast()
        return try checked(.parenthesized(e.e, span: span(open.start, close.end)), e.h + 1, open.start)
    }

    mutating func parseQuoted(_ open: HCLToken) throws(HCLError) -> PE {
        advance()
        let parts = try parseTemplateParts(end: .cQuote, stops: [])
        let closeEnd = toks[p].end
        advance()
        return try checked(.template(parts.parts, span: span(open.start, closeEnd)), parts.h + 1, open.start)
    }

    mutating func parseCall(_ nameTok: HCLToken) throws(HCLError) -> PE {
        let open = toks[p]
        advance()
        newlines.append(false)
        var args: [HCLExpr] = []
        var h = 0
        var expand = false
        while true {
            var k = peekKind()
            if k == .rparen { break }
            if k == .eof { throw callUnclosed(nameTok, open) }
            let a = try parseExpression()
            args.append(a.e)
            h = max(h, a.h)
            k = peekKind()
            if k == .ellipsis {
                expand = true
                advance()
                k = peekKind()
                guard k == .rparen else { throw fail("'...' must follow the last argument", toks[p].start) }
            }
            if k == .comma { advance(); continue }
            if k == .rparen { break }
            if k == .eof { throw callUnclosed(nameTok, open) }
            throw failExpected("',' or ')' in the argument list", peek())
        }
        let closeEnd = toks[p].end
        advance()
        newlines.removeLast()
        return try makeCall(nameTok, args, expand, closeEnd, h)
    }

    @inline(never)
    func callUnclosed(_ nameTok: HCLToken, _ open: HCLToken) -> HCLError {
        fail("missing ')' to close the call of '\(identText(nameTok))'", open.start)
    }

    @inline(never)
    func makeCall(_ nameTok: HCLToken, _ args: [HCLExpr], _ expand: Bool, _ end: Int, _ h: Int) throws(HCLError) -> PE {
        try checked(
            .call(identText(nameTok), nameSpan: span(nameTok.start, nameTok.end), args: args, expandFinal: expand, span: span(nameTok.start, end)),
            h + 1, nameTok.start)
    }

    mutating func parseTuple(_ open: HCLToken) throws(HCLError) -> PE {
        advance()
        newlines.append(false)
        defer { newlines.removeLast() }
        if isKeyword(peek(), "for") { return try parseFor(open, isObject: false) }
        var items: [HCLExpr] = []
        var h = 0
        while true {
            var k = peekKind()
            if k == .rbrack { break }
            if k == .eof { throw failUnclosed("]", "this '['", open.start) }
            let e = try parseExpression()
            items.append(e.e)
            h = max(h, e.h)
            k = peekKind()
            if k == .comma { advance(); continue }
            if k == .rbrack { break }
            if k == .eof { throw failUnclosed("]", "this '['", open.start) }
            throw failExpected("',' or ']' in the list", peek())
        }
        let closeEnd = toks[p].end
        advance()
        return try checked(.tuple(items, span: span(open.start, closeEnd)), h + 1, open.start)
    }

    mutating func parseObject(_ open: HCLToken) throws(HCLError) -> PE {
        advance()
        var q = p
        while toks[q].kind == .newline { q += 1 }
        if isKeyword(toks[q], "for") {
            newlines.append(false)
            defer { newlines.removeLast() }
            return try parseFor(open, isObject: true)
        }
        newlines.append(true)
        defer { newlines.removeLast() }
        var items: [HCLObjectItem] = []
        var h = 0
        while true {
            var k = peekKind()
            while k == .newline { advance(); k = peekKind() }
            if k == .rbrace { break }
            if k == .eof { throw failUnclosed("}", "this '{'", open.start) }
            let keyStart = toks[p].start
            let key = try parseObjectKey()
            h = max(h, key.h)
            k = peekKind()
            guard k == .equals || k == .colon else { throw failExpected("'=' or ':' after the object key", peek()) }
            advance()
            let v = try parseExpression()
            h = max(h, v.h)
            items.append(makeObjectItem(key.key, v.e, keyStart))
            switch peekKind() {
            case .comma, .newline: advance()
            case .rbrace: break
            case .eof: throw failUnclosed("}", "this '{'", open.start)
            default: throw failExpected("',' or a newline between object items", peek())
            }
        }
        let closeEnd = toks[p].end
        advance()
        return try checked(.object(items, span: span(open.start, closeEnd)), h + 1, open.start)
    }

    @inline(never)
    mutating func parseObjectKey() throws(HCLError) -> (key: HCLObjectKey, h: Int) {
        let t = toks[p]
        if t.kind == .ident, toks[p + 1].kind == .equals || toks[p + 1].kind == .colon {
            advance()
            return (.identifier(identText(t), span: span(t.start, t.end)), 0)
        }
        let k = try parseExpression()
        if case .variable(let n, let s) = k.e { return (.identifier(n, span: s), k.h) }
        return (.expression(k.e), k.h)
    }

    @inline(never)
    func makeObjectItem(_ key: HCLObjectKey, _ v: HCLExpr, _ keyStart: Int) -> HCLObjectItem {
        HCLObjectItem(key: key, value: v, span: span(keyStart, v.span.end.offset))
    }

    @inline(never)
    mutating func expectIdent(_ what: String) throws(HCLError) -> String {
        let t = peek()
        guard t.kind == .ident else { throw failExpected(what, t) }
        advance()
        return identText(t)
    }

    mutating func parseFor(_ open: HCLToken, isObject: Bool) throws(HCLError) -> PE {
        _ = peek()  // skips newlines before `for`
        advance()  // `for`
        let first = try expectIdent("a variable name after 'for'")
        var keyVar: String?
        var valueVar = first
        if peekKind() == .comma {
            advance()
            keyVar = first
            valueVar = try expectIdent("a second variable name")
        }
        guard isKeyword(peek(), "in") else { throw failExpected("'in' in the for expression", peek()) }
        advance()
        let coll = try parseExpression()
        _ = try expect(.colon, "':' after the for collection")
        var keyExpr: PE?
        if isObject {
            keyExpr = try parseExpression()
            _ = try expect(.fatArrow, "'=>' between key and value of the object for expression")
        }
        let value = try parseExpression()
        var grouping = false
        if peekKind() == .ellipsis {
            guard isObject else { throw fail("'...' grouping is only allowed in object for expressions", toks[p].start) }
            advance()
            grouping = true
        }
        var cond: PE?
        if isKeyword(peek(), "if") {
            advance()
            cond = try parseExpression()
        }
        let close = peek()
        guard close.kind == (isObject ? .rbrace : .rbrack) else { throw forCloseError(open, close, isObject) }
        advance()
        let h = max(coll.h, keyExpr?.h ?? 0, value.h, cond?.h ?? 0) + 1
        let f = HCLForExpr(
            keyVar: keyVar, valueVar: valueVar, collection: coll.e, keyExpr: keyExpr?.e, valueExpr: value.e,
            grouping: grouping, condition: cond?.e, isObject: isObject)
        return try checked(.forExpr(f, span: span(open.start, close.end)), h, open.start)
    }

    @inline(never)
    func forCloseError(_ open: HCLToken, _ close: HCLToken, _ isObject: Bool) -> HCLError {
        let c = isObject ? "}" : "]"
        if close.kind == .eof { return fail("missing '\(c)' to close the for expression", open.start) }
        return fail("expected '\(c)' to end the for expression, found \(describe(close))", close.start)
    }

    // MARK: templates

    /// Parses template parts up to the `end` token (left current) or a directive keyword in `stops`
    /// (returned, with the `%{` left current).
    mutating func parseTemplateParts(end: HCLTokenKind, stops: Set<String>) throws(HCLError) -> (parts: [HCLTemplatePart], h: Int, stop: String?) {
        var parts: [HCLTemplatePart] = []
        var h = 0
        while true {
            let t = toks[p]
            switch t.kind {
            case .templateLit:
                advance()
                parts.append(.literal(strs[t.aux], span: span(t.start, t.end)))
            case .templateInterp:
                let r = try parseInterpolation(t)
                h = max(h, r.h)
                parts.append(r.part)
            case .templateControl:
                let kw = toks[p + 1].kind == .ident ? identText(toks[p + 1]) : ""
                if stops.contains(kw) { return (parts, h, kw) }
                let r: (part: HCLTemplatePart, h: Int)
                if kw == "if" {
                    r = try parseIfDirective(t, end: end)
                } else if kw == "for" {
                    r = try parseForDirective(t, end: end)
                } else {
                    throw directiveError(kw, t)
                }
                h = max(h, r.h)
                parts.append(r.part)
            default:
                if t.kind == end { return (parts, h, nil) }
                throw fail("unexpected \(describe(t)) in template", t.start)
            }
        }
    }

    @inline(never)
    func directiveError(_ kw: String, _ t: HCLToken) -> HCLError {
        if ["else", "endif", "endfor"].contains(kw) {
            return fail("unexpected '%{ \(kw) }' without a matching opening directive", t.start)
        }
        return fail("expected 'if', 'for', 'else', 'endif' or 'endfor' after '%{'", toks[p + 1].start)
    }

    mutating func parseInterpolation(_ open: HCLToken) throws(HCLError) -> (part: HCLTemplatePart, h: Int) {
        advance()
        newlines.append(false)
        let e = try parseExpression()
        let close = peek()
        guard close.kind == .templateSeqEnd else { throw failExpected("'}' to close the interpolation", close) }
        advance()
        newlines.removeLast()
        return (.interpolation(e.e, span: span(open.start, close.end)), e.h + 1)
    }

    /// Consumes the `}` of a `%{ … }` directive and returns its end offset.
    @inline(never)
    mutating func closeDirective(_ what: String) throws(HCLError) -> Int {
        newlines.append(false)
        defer { newlines.removeLast() }
        let t = peek()
        guard t.kind == .templateSeqEnd else { throw fail("expected '}' to close '%{ \(what)'", t.start) }
        advance()
        return t.end
    }

    mutating func parseIfDirective(_ open: HCLToken, end: HCLTokenKind) throws(HCLError) -> (part: HCLTemplatePart, h: Int) {
        try enter(open.start)
        defer { depth -= 1 }
        p += 2
        newlines.append(false)
        let cond = try parseExpression()
        newlines.removeLast()
        _ = try closeDirective("if")
        let thenR = try parseTemplateParts(end: end, stops: ["else", "endif"])
        var elseParts: [HCLTemplatePart]?
        var h = max(cond.h, thenR.h)
        var stop = thenR.stop
        if stop == "else" {
            p += 2
            _ = try closeDirective("else")
            let elseR = try parseTemplateParts(end: end, stops: ["endif"])
            elseParts = elseR.parts
            h = max(h, elseR.h)
            stop = elseR.stop
        }
        guard stop == "endif" else { throw fail("missing '%{ endif }' for this '%{ if }'", open.start) }
        p += 2
        let e = try closeDirective("endif")
        return (.ifDirective(condition: cond.e, then: thenR.parts, else: elseParts, span: span(open.start, e)), h + 1)
    }

    mutating func parseForDirective(_ open: HCLToken, end: HCLTokenKind) throws(HCLError) -> (part: HCLTemplatePart, h: Int) {
        try enter(open.start)
        defer { depth -= 1 }
        p += 2
        newlines.append(false)
        let first = try expectIdent("a variable name after 'for'")
        var key: String?
        var value = first
        if peekKind() == .comma {
            advance()
            key = first
            value = try expectIdent("a second variable name")
        }
        guard isKeyword(peek(), "in") else { throw failExpected("'in' in the for directive", peek()) }
        advance()
        let coll = try parseExpression()
        newlines.removeLast()
        _ = try closeDirective("for")
        let body = try parseTemplateParts(end: end, stops: ["endfor"])
        guard body.stop == "endfor" else { throw fail("missing '%{ endfor }' for this '%{ for }'", open.start) }
        p += 2
        let e = try closeDirective("endfor")
        return (.forDirective(key: key, value: value, collection: coll.e, body: body.parts, span: span(open.start, e)), max(coll.h, body.h) + 1)
    }

    mutating func parseHeredoc(_ open: HCLToken) throws(HCLError) -> PE {
        advance()
        if open.flag { flushHeredoc(from: p) }
        let r = try parseTemplateParts(end: .cHeredoc, stops: [])
        let closeEnd = toks[p].end
        advance()
        return try checked(.heredoc(marker: strs[open.aux], flush: open.flag, parts: Self.meld(r.parts), span: span(open.start, closeEnd)), r.h + 1, open.start)
    }

    /// `<<-` rule: remove from every line the smallest run of leading whitespace found on any
    /// non-blank line (a line starting with an interpolation counts as zero). Works on the heredoc's
    /// own literal tokens, skipping the contents of `${…}`/`%{…}` sequences.
    mutating func flushHeredoc(from start: Int) {
        var minSpaces = Int.max
        var adjust: [Int] = []
        var atLineStart = true
        var level = 0
        var q = start
        scan: while q < toks.count {
            let t = toks[q]
            if level > 0 {
                if t.kind == .templateInterp || t.kind == .templateControl { level += 1 }
                if t.kind == .templateSeqEnd { level -= 1 }
                q += 1
                continue
            }
            switch t.kind {
            case .cHeredoc, .eof:
                break scan
            case .templateLit:
                let s = strs[t.aux]
                if atLineStart {
                    let lead = s.prefix(while: { $0.isWhitespace && !$0.isNewline })
                    let rest = s.dropFirst(lead.count)
                    let blank = rest.allSatisfy({ $0.isNewline }) && s.last?.isNewline == true
                    if !blank {
                        minSpaces = min(minSpaces, lead.count)
                        adjust.append(q)
                    }
                }
                atLineStart = s.last?.isNewline == true
            case .templateInterp, .templateControl:
                if atLineStart { minSpaces = 0 }
                atLineStart = false
                level = 1
            default:
                atLineStart = false
            }
            q += 1
        }
        guard minSpaces > 0, minSpaces != Int.max else { return }
        for q in adjust {
            let s = strs[toks[q].aux]
            let dropped = s.prefix(minSpaces)
            strs[toks[q].aux] = String(s.dropFirst(minSpaces))
            toks[q].start += dropped.utf8.count
        }
    }

    /// Joins consecutive literal parts (heredocs produce one per line).
    static func meld(_ parts: [HCLTemplatePart]) -> [HCLTemplatePart] {
        var out: [HCLTemplatePart] = []
        out.reserveCapacity(parts.count)
        for part in parts {
            switch part {
            case .literal(let s, let sp):
                if case .literal(let prev, let psp)? = out.last {
                    out[out.count - 1] = .literal(prev + s, span: SourceSpan(start: psp.start, end: sp.end))
                } else {
                    out.append(part)
                }
            case .ifDirective(let c, let t, let e, let sp):
                out.append(.ifDirective(condition: c, then: meld(t), else: e.map(meld), span: sp))
            case .forDirective(let k, let v, let coll, let body, let sp):
                out.append(.forDirective(key: k, value: v, collection: coll, body: meld(body), span: sp))
            case .interpolation:
                out.append(part)
            }
        }
        return out
    }
}
