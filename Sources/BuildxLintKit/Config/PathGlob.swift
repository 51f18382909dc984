/// A path glob as `.gitignore`-style users expect: `*` matches within one path component, `**` matches
/// any number of components, `?` one byte, `[abc]` a set. A pattern without `/` matches the basename at
/// any depth (`*.yml`); a leading `/` anchors to the repository root.
public struct PathGlob: Sendable, Hashable {
    public let pattern: String
    let parts: [UInt8]
    let anyDepth: Bool

    /// Compiles `pattern`.
    public init(_ pattern: String) {
        self.pattern = pattern
        var p = pattern
        if p.hasPrefix("/") { p.removeFirst(); anyDepth = false } else { anyDepth = !p.contains("/") }
        if p.hasSuffix("/") { p += "**" }
        parts = Array(p.utf8)
    }

    /// Whether `path` (repository-relative, `/`-separated) matches.
    public func matches(_ path: RepoPath) -> Bool {
        if anyDepth { return Self.match(parts[...], path.basename) || Self.match(parts[...], path.bytes[...]) }
        return Self.match(parts[...], path.bytes[...])
    }

    /// Wildcard matching with backtracking limited to the two star forms.
    static func match(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        // Dynamic programming over (pattern position, path position): `m[i][j]` says whether the pattern from `i`
        // matches the path from `j`. Linear in both lengths' product whatever the stars (a backtracking matcher
        // took exponential time on `**/d/**/d/…` against a deep path).
        let pat = Array(p), str = Array(s)
        let np = pat.count, ns = str.count
        let star = UInt8(ascii: "*"), slash = UInt8(ascii: "/")
        let width = ns + 1
        var m = [Bool](repeating: false, count: (np + 1) * width)
        m[np * width + ns] = true
        var i = np - 1
        while i >= 0 {
            let c = pat[i]
            var j = ns
            while j >= 0 {
                var ok = false
                if c == star {
                    if i + 1 < np, pat[i + 1] == star {
                        let next = i + 2
                        // `**/` at a segment start also matches zero folders.
                        if next < np, pat[next] == slash, i == 0 || pat[i - 1] == slash, m[(next + 1) * width + j] {
                            ok = true
                        } else {
                            ok = m[next * width + j] || (j < ns && m[i * width + j + 1])
                        }
                    } else {
                        ok = m[(i + 1) * width + j] || (j < ns && str[j] != slash && m[i * width + j + 1])
                    }
                } else if j < ns {
                    if c == UInt8(ascii: "?") {
                        ok = str[j] != slash && m[(i + 1) * width + j + 1]
                    } else if c == UInt8(ascii: "["), let (hit, end) = matchSet(pat[...], i, str[j]) {
                        ok = hit && m[end * width + j + 1]
                    } else {
                        ok = c == str[j] && m[(i + 1) * width + j + 1]
                    }
                }
                m[i * width + j] = ok
                j -= 1
            }
            i -= 1
        }
        return m[0]
    }

    /// `*`-only wildcard matching where `*` also matches `/` (for symbol wildcards in cache identities).
    static func matchAnything(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        var pi = p.startIndex, si = s.startIndex
        var star: Int? = nil, mark = 0
        while si < s.endIndex {
            if pi < p.endIndex, p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = si
                pi += 1
            } else if pi < p.endIndex, p[pi] == s[si] {
                pi += 1
                si += 1
            } else if let st = star {
                pi = st + 1
                mark += 1
                si = mark
            } else {
                return false
            }
        }
        while pi < p.endIndex, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.endIndex
    }

    /// Matches `[...]` at `i`; returns whether `c` is in the set and the index after `]`, or nil when unclosed.
    static func matchSet(_ p: ArraySlice<UInt8>, _ i: Int, _ c: UInt8) -> (Bool, Int)? {
        var j = i + 1
        var negate = false
        if j < p.endIndex, p[j] == UInt8(ascii: "!") || p[j] == UInt8(ascii: "^") {
            negate = true
            j += 1
        }
        var found = false
        var first = true
        while j < p.endIndex, p[j] != UInt8(ascii: "]") || first {
            first = false
            if j + 2 < p.endIndex, p[j + 1] == UInt8(ascii: "-"), p[j + 2] != UInt8(ascii: "]") {
                if c >= p[j] && c <= p[j + 2] { found = true }
                j += 3
            } else {
                if c == p[j] { found = true }
                j += 1
            }
        }
        guard j < p.endIndex else { return nil }
        return (found != negate, j + 1)
    }
}
