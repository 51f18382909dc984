extension StringProtocol {
    /// Whether the UTF-8 bytes of `needle` occur in this string. A byte scan: the standard library's
    /// `contains(_: StringProtocol)` goes through the regex engine and showed up in profiles of large repositories.
    @inline(__always)
    func hasSubstring(_ needle: String) -> Bool {
        var n = needle
        return n.withUTF8 { nb in
            guard let first = nb.first else { return true }
            var found = false
            var copy = String(self)
            copy.withUTF8 { hb in
                guard hb.count >= nb.count else { return }
                var i = 0
                let last = hb.count - nb.count
                while i <= last {
                    if hb[i] == first {
                        var j = 1
                        while j < nb.count && hb[i + j] == nb[j] { j += 1 }
                        if j == nb.count { found = true; return }
                    }
                    i += 1
                }
            }
            return found
        }
    }
}
