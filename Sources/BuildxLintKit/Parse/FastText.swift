/// Whether `needle` occurs in `hay` (a plain byte scan; an empty needle always occurs).
func bytes(_ hay: UnsafeBufferPointer<UInt8>, contain needle: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = needle.first else { return true }
    guard hay.count >= needle.count else { return false }
    var i = 0
    let last = hay.count - needle.count
    while i <= last {
        if hay[i] == first {
            var j = 1
            while j < needle.count && hay[i + j] == needle[j] { j += 1 }
            if j == needle.count { return true }
        }
        i += 1
    }
    return false
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
