#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether `needle` occurs in `hay` (a plain byte scan; an empty needle always occurs).
func bytes(_ hay: UnsafeBufferPointer<UInt8>, contain needle: UnsafeBufferPointer<UInt8>) -> Bool {
    needle.isEmpty || firstOffset(of: needle, in: hay, from: 0) != nil
}

/// libc's `memmem` (glibc and Darwin; not in the Glibc module, which omits GNU extensions).
@_silgen_name("memmem")
private func libcMemmem(
    _ hay: UnsafeRawPointer, _ hayLength: Int, _ needle: UnsafeRawPointer, _ needleLength: Int
) -> UnsafeMutableRawPointer?

/// The offset of the first occurrence of `needle` (non-empty) in `hay` at or after `start`, or nil.
/// libc's `memmem` (vectorised in glibc) does the search: every file is scanned this way for suppression
/// comments and callee paths.
func firstOffset(of needle: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    guard let nb = needle.baseAddress, let hb = hay.baseAddress, !needle.isEmpty, start >= 0,
        hay.count - start >= needle.count
    else { return nil }
    guard let found = libcMemmem(hb + start, hay.count - start, nb, needle.count) else { return nil }
    return UnsafeRawPointer(hb).distance(to: UnsafeRawPointer(found))
}

/// Whether the UTF-8 of `s` contains `byte` (`memchr` over the string's storage; the generic
/// `utf8.contains` visits one byte per call).
@inline(__always)
func utf8Contains(_ s: String, _ byte: UInt8) -> Bool {
    s.utf8.withContiguousStorageIfAvailable { b in
        guard let base = b.baseAddress else { return false }
        return memchr(base, Int32(byte), b.count) != nil
    } ?? s.utf8.contains(byte)
}

extension StringProtocol {
    /// Whether the UTF-8 bytes of `needle` occur in this string. A byte scan: the standard library's
    /// `contains(_: StringProtocol)` goes through the regex engine and showed up in profiles of large repositories.
    @inline(__always)
    func hasSubstring(_ needle: String) -> Bool {
        var n = needle
        var hay = String(self)
        return n.withUTF8 { nb in hay.withUTF8 { hb in bytes(hb, contain: nb) } }
    }
}

extension StringProtocol {
    /// Whether the string starts with `prefix` (lowercase ASCII), ignoring the case of ASCII letters.
    /// Byte-wise: no Unicode case tables, no copy.
    func hasASCIIPrefixIgnoringCase(_ prefix: StaticString) -> Bool {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        var it = utf8.makeIterator()
        for expected in p {
            guard var b = it.next() else { return false }
            if b >= 65 && b <= 90 { b += 32 }
            if b != expected { return false }
        }
        return true
    }
}

/// Whether every byte is ASCII (below 0x80), eight bytes at a time.
func allASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    let n = bytes.count
    var i = 0
    var acc: UInt64 = 0
    let raw = UnsafeRawPointer(base)
    while i + 8 <= n {
        acc |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        i += 8
    }
    while i < n {
        acc |= UInt64(bytes[i])
        i += 1
    }
    return acc & 0x8080_8080_8080_8080 == 0
}

extension StringProtocol {
    /// Whether the first character is whitespace (`Character.isWhitespace`), without grapheme breaking when
    /// the first two bytes are ASCII: an ASCII byte followed by another forms a character of its own (CR LF
    /// is one character, and whitespace either way).
    var startsWithWhitespace: Bool {
        guard let b = utf8.first else { return false }
        if b < 0x80, (utf8.dropFirst().first ?? 0) < 0x80 { return isASCIIWhitespace(b) }
        return first?.isWhitespace == true
    }

    /// Whether some character is uppercase (`Character.isUppercase`); a byte test when the string is ASCII.
    var containsUppercase: Bool {
        if utf8.allSatisfy({ $0 < 0x80 }) { return utf8.contains { $0 >= 65 && $0 <= 90 } }
        return contains(where: \.isUppercase)
    }
}

/// Unicode White_Space among ASCII bytes: tab, LF, VT, FF, CR and space (also what JavaScript's `trim`
/// removes from ASCII text, as the actions toolkit trims inputs).
@inline(__always) func isASCIIWhitespace(_ b: UInt8) -> Bool { (b >= 0x09 && b <= 0x0D) || b == 0x20 }

/// `range` of `b` without its leading and trailing ASCII white space (`isASCIIWhitespace`).
@inline(__always)
func trimmingASCIIWhitespace<C: RandomAccessCollection>(_ b: C, _ range: Range<Int>) -> Range<Int>
where C.Element == UInt8, C.Index == Int {
    var lo = range.lowerBound
    var hi = range.upperBound
    while lo < hi, isASCIIWhitespace(b[lo]) { lo += 1 }
    while hi > lo, isASCIIWhitespace(b[hi - 1]) { hi -= 1 }
    return lo..<hi
}

extension StringProtocol where UTF8View: BidirectionalCollection {
    /// Whether the last character is whitespace (`Character.isWhitespace`), as `startsWithWhitespace`: an
    /// ASCII byte after another ASCII byte is a character of its own (only non-ASCII marks join it).
    var endsWithWhitespace: Bool {
        guard let b = utf8.last else { return false }
        if b < 0x80, (utf8.dropLast().last ?? 0) < 0x80 { return isASCIIWhitespace(b) }
        return last?.isWhitespace == true
    }
}

extension ArraySlice<UInt8> {
    /// Whether the bytes end with the UTF-8 of `suffix`.
    func hasSuffix(_ suffix: StaticString) -> Bool {
        let n = suffix.utf8CodeUnitCount
        guard count >= n else { return false }
        return suffix.withUTF8Buffer { self[(endIndex - n)...].elementsEqual($0) }
    }

    /// Whether the bytes start with the UTF-8 of `prefix`.
    func hasBytePrefix(_ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard count >= n else { return false }
        return prefix.withUTF8Buffer { self[startIndex..<(startIndex + n)].elementsEqual($0) }
    }

    /// Whether the bytes are exactly the UTF-8 of `s`.
    func isBytes(_ s: StaticString) -> Bool {
        count == s.utf8CodeUnitCount && hasBytePrefix(s)
    }

    /// Whether the UTF-8 of `needle` occurs in the bytes.
    func containsBytes(_ needle: StaticString) -> Bool {
        needle.withUTF8Buffer { n in withUnsafeBufferPointer { bytes($0, contain: n) } }
    }
}
