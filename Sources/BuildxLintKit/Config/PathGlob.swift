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
        var pi = p.startIndex
        var si = s.startIndex
        var starP: Int? = nil
        var starS = 0
        var starCrossesSlash = false
        let slash = UInt8(ascii: "/")
        while si < s.endIndex {
            if pi < p.endIndex {
                let c = p[pi]
                if c == UInt8(ascii: "*") {
                    var next = pi + 1
                    var double = false
                    if next < p.endIndex, p[next] == UInt8(ascii: "*") {
                        double = true
                        next += 1
                        // `**/` also matches zero folders.
                        if next < p.endIndex, p[next] == slash, (pi == p.startIndex || p[pi - 1] == slash) {
                            if match(p[(next + 1)...], s[si...]) { return true }
                        }
                    }
                    starP = next
                    starS = si
                    starCrossesSlash = double
                    pi = next
                    continue
                }
                if c == UInt8(ascii: "?") && s[si] != slash {
                    pi += 1
                    si += 1
                    continue
                }
                if c == UInt8(ascii: "["), let (ok, end) = matchSet(p, pi, s[si]) {
                    if ok {
                        pi = end
                        si += 1
                        continue
                    }
                } else if c == s[si] {
                    pi += 1
                    si += 1
                    continue
                }
            }
            // Mismatch: let the last star eat one more byte.
            guard let sp = starP, starCrossesSlash || s[starS] != slash else { return false }
            starS += 1
            si = starS
            pi = sp
        }
        while pi < p.endIndex, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.endIndex
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
