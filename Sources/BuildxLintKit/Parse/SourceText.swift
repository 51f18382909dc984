#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A position in a source file.
///
/// `line` is 1-based. `column` is 1-based and counts UTF-8 bytes from the start of the line, so a
/// position can be handed to SARIF (with `columnKind: utf8CodeUnits`-style byte columns), to GitHub
/// annotations and to editors that count bytes. `offset` is the 0-based byte offset into the file's
/// text after a leading UTF-8 byte order mark was removed.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var offset: Int

    /// Creates a position from a 1-based line, 1-based UTF-8 column and 0-based byte offset.
    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public static func < (a: SourcePosition, b: SourcePosition) -> Bool {
        (a.line, a.column, a.offset) < (b.line, b.column, b.offset)
    }

    public var description: String { "\(line):\(column)" }
}

/// A half-open range of source text: `start` is the first byte, `end` the position just past the last.
public struct SourceSpan: Sendable, Hashable, CustomStringConvertible {
    public var start: SourcePosition
    public var end: SourcePosition

    /// Creates a span; `end` must not be before `start`.
    public init(start: SourcePosition, end: SourcePosition) {
        self.start = start
        self.end = end
    }

    /// A zero-width span at `position`.
    public init(at position: SourcePosition) {
        self.init(start: position, end: position)
    }

    public var description: String { "\(start)-\(end)" }
}

/// The bytes of one source file with a table of line starts, for turning byte offsets into
/// line/column positions and for printing source lines under diagnostics.
///
/// Line breaks are the ones libyaml counts (LF, CR, CRLF, NEL, LS, PS), so positions computed here
/// agree with the YAML parser's line numbers. A UTF-8 byte order mark at the start is removed
/// before anything else; `hadBOM` records that it was there.
public struct SourceText: Sendable {
    /// The file's bytes without a leading UTF-8 byte order mark.
    public let bytes: [UInt8]
    /// Whether the original bytes began with EF BB BF.
    public let hadBOM: Bool
    /// Byte offset of the first byte of each line; `lineStarts[0] == 0`.
    public let lineStarts: [Int]

    /// Builds the line table for `raw`, removing a UTF-8 BOM if present.
    public init(_ raw: [UInt8]) {
        if raw.count >= 3, raw[0] == 0xEF, raw[1] == 0xBB, raw[2] == 0xBF {
            bytes = Array(raw[3...])
            hadBOM = true
        } else {
            bytes = raw
            hadBOM = false
        }
        lineStarts = Self.lineStarts(of: bytes)
    }

    /// Offsets where lines start: after LF, CRLF, CR, NEL (C2 85), LS and PS (E2 80 A8/A9).
    static func lineStarts(of bytes: [UInt8]) -> [Int] {
        bytes.withUnsafeBufferPointer { buf -> [Int] in
            guard let base = buf.baseAddress, buf.count > 0 else { return [0] }
            let n = buf.count
            // Most files break lines with LF only: then memchr finds every line (and sizes the table exactly,
            // since every file's table is kept for the report).
            if memchr(base, 0x0D, n) == nil, memchr(base, 0xC2, n) == nil, memchr(base, 0xE2, n) == nil {
                var count = 1
                var p = UnsafeRawPointer(base)
                let end = UnsafeRawPointer(base + n)
                while p < end, let hit = memchr(p, 0x0A, end - p) {
                    count += 1
                    p = UnsafeRawPointer(hit) + 1
                }
                var starts = [Int]()
                starts.reserveCapacity(count)
                starts.append(0)
                p = UnsafeRawPointer(base)
                while p < end, let hit = memchr(p, 0x0A, end - p) {
                    p = UnsafeRawPointer(hit) + 1
                    starts.append(p - UnsafeRawPointer(base))
                }
                return starts
            }
            var starts = [0]
            var i = 0
            while i < n {
                let b = buf[i]
                if b == 0x0A {
                    starts.append(i + 1)
                } else if b == 0x0D {
                    if i + 1 < n, buf[i + 1] == 0x0A { i += 1 }
                    starts.append(i + 1)
                } else if b == 0xC2, i + 1 < n, buf[i + 1] == 0x85 {
                    i += 1
                    starts.append(i + 1)
                } else if b == 0xE2, i + 2 < n, buf[i + 1] == 0x80, buf[i + 2] == 0xA8 || buf[i + 2] == 0xA9 {
                    i += 2
                    starts.append(i + 1)
                }
                i += 1
            }
            return starts
        }
    }

    /// Convenience initialiser from a Swift string (tests and examples).
    public init(_ string: String) {
        self.init(Array(string.utf8))
    }

    /// Number of lines (a final line break starts an empty last line).
    public var lineCount: Int { lineStarts.count }

    /// Whether the first line ends in CRLF (the file's convention for text a fix inserts).
    public var usesCRLF: Bool {
        guard lineStarts.count > 1 else { return false }
        let end = lineStarts[1]
        return end >= 2 && bytes[end - 1] == 0x0A && bytes[end - 2] == 0x0D
    }

    /// Byte range of line `line` (1-based), without its line break. Out-of-range lines give an empty range at the end.
    public func lineRange(_ line: Int) -> Range<Int> {
        guard line >= 1, line <= lineStarts.count else { return bytes.count..<bytes.count }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] : bytes.count
        // Strip the line break that ends this line.
        if end > start {
            if bytes[end - 1] == 0x0A {
                end -= 1
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            } else if bytes[end - 1] == 0x0D {
                end -= 1
            } else if end - start >= 2, bytes[end - 2] == 0xC2, bytes[end - 1] == 0x85 {
                end -= 2
            } else if end - start >= 3, bytes[end - 3] == 0xE2, bytes[end - 2] == 0x80,
                bytes[end - 1] == 0xA8 || bytes[end - 1] == 0xA9
            {
                end -= 3
            }
        }
        return start..<end
    }

    /// The bytes of line `line` (1-based) without its line break.
    public func lineBytes(_ line: Int) -> ArraySlice<UInt8> {
        bytes[lineRange(line)]
    }

    /// The text of line `line` (1-based), invalid UTF-8 replaced by U+FFFD.
    public func lineText(_ line: Int) -> String {
        String(decoding: lineBytes(line), as: UTF8.self)
    }

    /// The position of byte `offset` (0-based; clamped to the text).
    public func position(ofOffset offset: Int) -> SourcePosition {
        let o = max(0, min(offset, bytes.count))
        // Binary search for the last line start <= o.
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= o { lo = mid } else { hi = mid - 1 }
        }
        return SourcePosition(line: lo + 1, column: o - lineStarts[lo] + 1, offset: o)
    }

    /// The span of bytes `range` of some value whose byte `i` comes from source offset `offsets[i]`
    /// (`offsets` has one extra entry for the end; indices past it are clamped).
    public func span(of range: Range<Int>, through offsets: [Int]) -> SourceSpan {
        let last = offsets.count - 1
        let start = position(ofOffset: offsets[max(0, min(range.lowerBound, last))])
        let end = position(ofOffset: offsets[max(0, min(range.upperBound, last))])
        return SourceSpan(start: start, end: max(start, end))
    }

    /// The position at 1-based `line` and 1-based UTF-8 byte `column`.
    public func position(line: Int, column: Int) -> SourcePosition {
        guard line >= 1, line <= lineStarts.count else { return position(ofOffset: bytes.count) }
        return SourcePosition(line: line, column: column, offset: lineStarts[line - 1] + column - 1)
    }

    /// Converts a 0-based character (Unicode scalar) column on a 1-based line into a 1-based byte column.
    /// libyaml reports columns in characters; this is how they become UTF-8 byte columns.
    public func byteColumn(line: Int, characterColumn: Int) -> Int {
        let range = lineRange(line)
        var chars = 0
        var i = range.lowerBound
        // Walk whole line including its break bytes so a mark just past the content still converts.
        let limit = line < lineStarts.count ? lineStarts[line] : bytes.count
        while chars < characterColumn, i < limit {
            let b = bytes[i]
            let width: Int
            if b < 0x80 { width = 1 } else if b >> 5 == 0x6 { width = 2 } else if b >> 4 == 0xE { width = 3 } else if b >> 3 == 0x1E { width = 4 } else { width = 1 }
            i += width
            chars += 1
        }
        return i - range.lowerBound + 1 + max(0, characterColumn - chars)
    }
}

/// A repository-relative path, kept as raw bytes because git paths need not be UTF-8.
///
/// Components are separated by `/`. `display` renders the path for humans and machine output:
/// valid UTF-8 is shown as is, other bytes and control characters as git-style octal escapes
/// (`caf\351.yml`).
public struct RepoPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Creates a path from its raw bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }
    /// Creates a path from a string (its UTF-8 bytes).
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// Byte order (git's order for paths), compared with `memcmp`.
    public static func < (a: RepoPath, b: RepoPath) -> Bool {
        a.bytes.withUnsafeBufferPointer { x in
            b.bytes.withUnsafeBufferPointer { y in
                let common = min(x.count, y.count)
                let c = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return c != 0 ? c < 0 : x.count < y.count
            }
        }
    }

    public static func == (a: RepoPath, b: RepoPath) -> Bool { a.bytes == b.bytes }

    /// Hashes the bytes in one call (the synthesized hash feeds the hasher one byte at a time, and paths are
    /// dictionary keys in every cross-file lookup).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(bytes.count)
    }

    /// The path as a String when its bytes are valid UTF-8.
    public var string: String? { String(validating: bytes, as: UTF8.self) }

    /// Printable form: UTF-8 as is, invalid bytes and control characters as `\ooo` octal escapes.
    public var display: String {
        // Printable ASCII (nearly every path) is shown as is: one pass over the bytes.
        if !bytes.contains(where: { $0 < 0x20 || $0 >= 0x7F }) { return String(decoding: bytes, as: UTF8.self) }
        if let s = string, !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return s
        }
        var out = ""
        var i = 0
        while i < bytes.count {
            // Try to decode one scalar.
            let b = bytes[i]
            let width: Int
            if b < 0x80 { width = 1 } else if b >> 5 == 0x6 { width = 2 } else if b >> 4 == 0xE { width = 3 } else if b >> 3 == 0x1E { width = 4 } else { width = 0 }
            if width > 0, i + width <= bytes.count,
                let s = String(validating: bytes[i..<(i + width)], as: UTF8.self),
                let scalar = s.unicodeScalars.first, scalar.value >= 0x20, scalar.value != 0x7F
            {
                out += s
                i += width
            } else {
                out += "\\" + String(b, radix: 8).leftPadded(to: 3)
                i += 1
            }
        }
        return out
    }

    public var description: String { display }

    /// The last path component.
    public var basename: ArraySlice<UInt8> {
        if let slash = bytes.lastIndex(of: UInt8(ascii: "/")) { return bytes[(slash + 1)...] }
        return bytes[...]
    }

    /// The path without its last component (empty for a top-level file).
    public var dirname: ArraySlice<UInt8> {
        if let slash = bytes.lastIndex(of: UInt8(ascii: "/")) { return bytes[..<slash] }
        return []
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
