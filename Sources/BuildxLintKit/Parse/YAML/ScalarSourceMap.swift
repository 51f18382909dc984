/// Maps the bytes of a scalar's processed value back to the source bytes they came from, so a
/// diagnostic about part of a value (the 2nd field on line 3 of a `|` block, a word after an
/// escape) can point at the exact source column.
extension YAMLNode {
    /// Source byte offsets for each byte of this scalar's value.
    ///
    /// - Parameter text: The `SourceText` the node was parsed from.
    /// - Returns: For a scalar, `value.utf8.count + 1` entries: entry `i` is the 0-based offset in
    ///   `text.bytes` of the source of value byte `i`; the last entry is just past the source of the
    ///   last value byte. Bytes produced by an escape map to its backslash, `''` to its first quote,
    ///   line breaks and folding spaces to the source line break. Literal blocks and single-line
    ///   scalars map exactly; folded blocks and multi-line flow scalars are rescanned line by line,
    ///   and bytes that cannot be placed take the offset of the previous placed byte. The result is
    ///   always non-decreasing and within `0...text.bytes.count`.
    ///   For mappings, sequences and aliases: `[valueSpan.start.offset]`.
    public func valueOffsets(in text: SourceText) -> [Int] {
        guard case .scalar = kind else { return [valueSpan.start.offset] }
        if let identity = identityOffsets(in: text) { return identity }
        return mappedOffsets(in: text)
    }

    /// `valueOffsets` for a scalar on one line without escapes (the common case): every value byte is
    /// the source byte at its own offset, after the opening quote. Nil when that does not hold.
    func identityOffsets(in text: SourceText) -> [Int]? {
        guard case .scalar(let value, let style) = kind else { return nil }
        if style != .literal, style != .folded, valueSpan.start.line == valueSpan.end.line {
            let quoted = style != .plain
            let start = valueSpan.start.offset + (quoted ? 1 : 0), end = valueSpan.end.offset - (quoted ? 1 : 0)
            let n = value.utf8.count
            if start <= end, end - start == n, end <= text.bytes.count,
                !(style == .doubleQuoted && text.bytes[start..<end].contains(UInt8(ascii: "\\")))
            {
                var out = Array(start..<end)
                out.append(end)
                return out
            }
        }
        return nil
    }

    /// `valueOffsets` by walking the source alongside the value (folding, escapes, block indentation).
    func mappedOffsets(in text: SourceText) -> [Int] {
        guard case .scalar(let value, let style) = kind else { return [valueSpan.start.offset] }
        let v = Array(value.utf8)
        var map = ValueMap(v: v, src: text.bytes, fallback: valueSpan.start.offset)
        switch style {
        case .literal, .folded:
            map.mapBlock(text: text, headerLine: valueSpan.start.line)
        case .plain, .singleQuoted, .doubleQuoted:
            map.mapFlow(style: style, start: valueSpan.start.offset, end: valueSpan.end.offset)
        }
        return map.finish()
    }

    /// The source position of value byte `i` of this scalar (see `valueOffsets(in:)`).
    ///
    /// - Parameters:
    ///   - i: A 0-based byte index into the value's UTF-8; clamped to `0...value.utf8.count` (the
    ///     upper end gives the position just past the value).
    ///   - text: The `SourceText` the node was parsed from.
    /// - Returns: 1-based line, 1-based UTF-8 byte column and 0-based offset. For non-scalars,
    ///   the start of the value.
    public func position(ofValueByte i: Int, in text: SourceText) -> SourcePosition {
        let offsets = valueOffsets(in: text)
        return text.position(ofOffset: offsets[max(0, min(i, offsets.count - 1))])
    }
}

/// Working state for one `valueOffsets` call.
private struct ValueMap {
    let v: [UInt8]
    let src: [UInt8]
    /// Offset used when nothing could be placed at all.
    let fallback: Int
    /// Source offset per value byte; -1 while unplaced. The extra last slot is filled by `finish`.
    var out: [Int]
    /// Value bytes placed so far (they are placed in order).
    var i = 0
    /// Just past the source of the last placed value byte, for the final entry.
    var lastEnd: Int?

    init(v: [UInt8], src: [UInt8], fallback: Int) {
        self.v = v
        self.src = src
        self.fallback = fallback
        out = [Int](repeating: -1, count: v.count + 1)
    }

    /// Places `count` value bytes (clamped to what is left) at source offset `at`.
    mutating func place(_ count: Int, at offset: Int, sourceEnd: Int) {
        var k = 0
        while k < count, i < v.count {
            out[i] = offset
            i += 1
            k += 1
        }
        lastEnd = sourceEnd
    }

    /// Fills unplaced entries from their predecessor and enforces order and bounds.
    func finish() -> [Int] {
        var result = out
        let n = v.count
        if result[n] < 0 { result[n] = lastEnd ?? -1 }
        var prev = max(0, min(fallback, src.count))
        for k in 0...n {
            var o = result[k]
            if o < 0 { o = prev }
            o = max(prev, min(o, src.count))
            result[k] = o
            prev = o
        }
        return result
    }

    // MARK: Flow scalars (plain, single- and double-quoted)

    /// Walks the source of a plain or quoted scalar alongside its value, applying YAML's flow
    /// rules: trailing blanks before a break are dropped, a single break folds to a space, each
    /// further blank line gives `\n`, leading blanks of a continuation line are dropped.
    mutating func mapFlow(style: ScalarStyle, start: Int, end: Int) {
        let n = src.count
        var p = max(0, min(start, n))
        var stop = max(p, min(end, n))
        let quote: UInt8? =
            style == .singleQuoted ? UInt8(ascii: "'") : style == .doubleQuoted ? UInt8(ascii: "\"") : nil
        if let quote {
            if p < stop, src[p] == quote { p += 1 }
            if stop > p, src[stop - 1] == quote { stop -= 1 }
        }
        lastEnd = p
        while i < v.count, p < stop {
            let b = src[p]
            if b == 0x20 || b == 0x09 {
                var q = p
                while q < stop, src[q] == 0x20 || src[q] == 0x09 { q += 1 }
                if q < stop, breakLength(at: q) > 0 {
                    p = q  // trailing blanks before a line break are not part of the value
                    continue
                }
                place(1, at: p, sourceEnd: p + 1)
                p += 1
                continue
            }
            if breakLength(at: p) > 0 {
                p = fold(from: p, stop: stop, escaped: false)
                continue
            }
            if style == .doubleQuoted, b == UInt8(ascii: "\\"), p + 1 < stop {
                if breakLength(at: p + 1) > 0 {
                    p = fold(from: p + 1, stop: stop, escaped: true)
                    continue
                }
                let (produced, length) = escape(at: p, stop: stop)
                place(produced, at: p, sourceEnd: p + length)
                p += length
                continue
            }
            if style == .singleQuoted, b == UInt8(ascii: "'"), p + 1 < stop, src[p + 1] == UInt8(ascii: "'") {
                place(1, at: p, sourceEnd: p + 2)
                p += 2
                continue
            }
            place(1, at: p, sourceEnd: p + 1)
            p += 1
        }
    }

    /// Handles the run of line breaks (and blank lines) starting at `p`; returns the offset of the
    /// next content byte. An escaped break (`\` at line end) produces no space.
    mutating func fold(from start: Int, stop: Int, escaped: Bool) -> Int {
        var breaks: [(Int, Int)] = []
        var p = start
        while p < stop {
            let len = breakLength(at: p)
            if len == 0 { break }
            breaks.append((p, len))
            p += len
            while p < stop, src[p] == 0x20 || src[p] == 0x09 { p += 1 }
        }
        // One break folds to a space; each further break is a kept `\n` (from its blank line).
        let produced = escaped ? breaks.count - 1 : max(1, breaks.count - 1)
        let first = escaped || breaks.count > 1 ? 1 : 0
        for k in 0..<produced {
            guard i < v.count else { break }
            let (pos, len) = breaks[min(first + k, breaks.count - 1)]
            let sep = separatorLength(at: i)
            place(max(sep, 1), at: pos, sourceEnd: pos + len)
        }
        return p
    }

    /// Number of value bytes a double-quoted escape at `p` produces, and its source length.
    func escape(at p: Int, stop: Int) -> (Int, Int) {
        let c = src[p + 1]
        let hexDigits: Int
        switch c {
        case UInt8(ascii: "x"): hexDigits = 2
        case UInt8(ascii: "u"): hexDigits = 4
        case UInt8(ascii: "U"): hexDigits = 8
        case UInt8(ascii: "N"), UInt8(ascii: "_"): return (2, 2)  // U+0085, U+00A0
        case UInt8(ascii: "L"), UInt8(ascii: "P"): return (3, 2)  // U+2028, U+2029
        default: return (1, 2)
        }
        var scalar: UInt32 = 0
        var k = 0
        while k < hexDigits, p + 2 + k < stop {
            let h = src[p + 2 + k]
            let d: UInt32
            switch h {
            case 0x30...0x39: d = UInt32(h - 0x30)
            case 0x41...0x46: d = UInt32(h - 0x41 + 10)
            case 0x61...0x66: d = UInt32(h - 0x61 + 10)
            default: return (1, 2 + k)
            }
            scalar = scalar &* 16 &+ d
            k += 1
        }
        let width = scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : scalar < 0x10000 ? 3 : 4
        return (width, 2 + k)
    }

    // MARK: Block scalars (literal and folded)

    /// Maps a `|` or `>` block. Content lines start on the line after the header and keep their
    /// bytes after the block's indentation; the breaks between them become `\n` (literal) or,
    /// folded, a space or nothing. Lines are matched in order, separators take the positions of the
    /// line breaks passed since the previous content.
    mutating func mapBlock(text: SourceText, headerLine: Int) {
        let lineCount = text.lineCount
        guard headerLine >= 1, headerLine < lineCount else { return }
        // Indentation: the first line with a non-space byte holds the first content, which the value
        // repeats after its leading newlines; their leading-space difference is the indentation.
        var indent = Int.max
        var j = 0
        while j < v.count, v[j] == 0x0A { j += 1 }
        if j < v.count {
            var lead = 0
            while j + lead < v.count, v[j + lead] == 0x20 { lead += 1 }
            var line = headerLine + 1
            while line <= lineCount {
                let r = text.lineRange(line)
                let spaces = leadingSpaces(r)
                if spaces < r.count {
                    indent = max(0, spaces - lead)
                    break
                }
                line += 1
            }
        }
        var queue: [(Int, Int)] = []  // line breaks since the last content: (offset, length)
        var used = 0  // separators already placed from `queue`
        var line = headerLine + 1
        lastEnd = text.lineRange(headerLine).upperBound
        while line <= lineCount, i < v.count {
            let r = text.lineRange(line)
            let spaces = leadingSpaces(r)
            // A non-blank line indented less than the block ends it.
            if spaces < r.count, spaces < indent { break }
            let contentStart = indent <= r.count ? r.lowerBound + indent : r.upperBound
            if contentStart < r.upperBound {
                // Separators (breaks turned into `\n` or a space) come before this line's content.
                while i < v.count, !valueHasPrefix(contentStart..<r.upperBound) {
                    let sep = separatorLength(at: i)
                    if sep == 0 { break }
                    let (pos, len) = queue.isEmpty ? (contentStart, 0) : queue[min(used, queue.count - 1)]
                    place(sep, at: pos, sourceEnd: pos + len)
                    used += 1
                }
                var k = contentStart
                while k < r.upperBound, i < v.count, v[i] == src[k] {
                    place(1, at: k, sourceEnd: k + 1)
                    k += 1
                }
                queue.removeAll(keepingCapacity: true)
                used = 0
            }
            let breakEnd = line < lineCount ? text.lineStarts[line] : r.upperBound
            if breakEnd > r.upperBound { queue.append((r.upperBound, breakEnd - r.upperBound)) }
            line += 1
        }
        // Trailing breaks kept by clip or keep chomping.
        while i < v.count, used < queue.count {
            let sep = separatorLength(at: i)
            if sep == 0 { break }
            let (pos, len) = queue[used]
            place(sep, at: pos, sourceEnd: pos + len)
            used += 1
        }
    }

    // MARK: Byte helpers

    /// Whether the unplaced value bytes start with `src[range]`.
    func valueHasPrefix(_ range: Range<Int>) -> Bool {
        guard v.count - i >= range.count else { return false }
        var k = i
        for s in range {
            if v[k] != src[s] { return false }
            k += 1
        }
        return true
    }

    /// Length of the value separator (`\n`, space, or a kept LS/PS) at value byte `k`, or 0.
    func separatorLength(at k: Int) -> Int {
        guard k < v.count else { return 0 }
        if v[k] == 0x0A || v[k] == 0x20 { return 1 }
        if k + 2 < v.count, v[k] == 0xE2, v[k + 1] == 0x80, v[k + 2] == 0xA8 || v[k + 2] == 0xA9 { return 3 }
        return 0
    }

    /// Length of the source line break at `p` (LF, CR, CRLF, NEL, LS, PS), or 0.
    func breakLength(at p: Int) -> Int {
        let n = src.count
        guard p < n else { return 0 }
        switch src[p] {
        case 0x0A: return 1
        case 0x0D: return p + 1 < n && src[p + 1] == 0x0A ? 2 : 1
        case 0xC2: return p + 1 < n && src[p + 1] == 0x85 ? 2 : 0
        case 0xE2: return p + 2 < n && src[p + 1] == 0x80 && (src[p + 2] == 0xA8 || src[p + 2] == 0xA9) ? 3 : 0
        default: return 0
        }
    }

    func leadingSpaces(_ r: Range<Int>) -> Int {
        var k = r.lowerBound
        while k < r.upperBound, src[k] == 0x20 { k += 1 }
        return k - r.lowerBound
    }
}
