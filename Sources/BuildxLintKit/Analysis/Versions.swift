/// A release version `vMAJOR.MINOR.PATCH[-pre]` as buildx, BuildKit and the actions tag them.
public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int
    /// `rc1`, `beta2`… (a pre-release sorts before the release).
    public let prerelease: String?
    /// How many numeric parts were written (`v6` → 1, `v6.4` → 2, `v6.4.0` → 3).
    public let precision: Int

    /// Parses `v1.2.3`, `v1.2.3-rc1`, `v1.2`, `v1`; the leading `v` is optional only when `requireV` is false.
    public init?(_ text: String, requireV: Bool = false) {
        var nums = (0, 0, 0)
        var count = 0
        var digits = 0
        var value = 0
        var pre: String? = nil
        var u = text.utf8[...]
        if u.first == UInt8(ascii: "v") { u = u.dropFirst() } else if requireV { return nil }
        func store() -> Bool {
            guard digits > 0, count < 3 else { return false }
            switch count {
            case 0: nums.0 = value
            case 1: nums.1 = value
            default: nums.2 = value
            }
            count += 1
            digits = 0
            value = 0
            return true
        }
        var i = u.startIndex
        while i != u.endIndex {
            let c = u[i]
            if c >= 48 && c <= 57 {
                guard digits < 9 else { return nil }
                value = value * 10 + Int(c - 48)
                digits += 1
            } else if c == UInt8(ascii: ".") {
                guard store() else { return nil }
            } else if c == UInt8(ascii: "-") {
                pre = String(decoding: u[u.index(after: i)...], as: UTF8.self)
                break
            } else {
                return nil
            }
            i = u.index(after: i)
        }
        guard store() else { return nil }
        major = nums.0
        minor = nums.1
        patch = nums.2
        prerelease = pre
        precision = count
    }

    public static func < (a: Version, b: Version) -> Bool {
        if (a.major, a.minor, a.patch) != (b.major, b.minor, b.patch) {
            return (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
        }
        switch (a.prerelease, b.prerelease) {
        case (nil, nil), (nil, _): return false
        case (_, nil): return true
        case (let x?, let y?): return x < y
        }
    }

    public static func == (a: Version, b: Version) -> Bool {
        (a.major, a.minor, a.patch, a.prerelease) == (b.major, b.minor, b.patch, b.prerelease)
    }
    public func hash(into h: inout Hasher) { h.combine(major); h.combine(minor); h.combine(patch); h.combine(prerelease) }

    public var description: String {
        "v\(major).\(minor).\(patch)" + (prerelease.map { "-\($0)" } ?? "")
    }
}

/// Release facts the version rules use (generated from ../shared/data by scripts/gen-data.py).
public enum ReleaseFacts {
    /// Tags setup-buildx-action can install (docker/actions-toolkit `.github/buildx-releases.json`).
    public static let buildxReleases: Set<String> = Set(GeneratedData.buildxReleases)
    /// The newest stable buildx release in the table, the one BXC301's fix pins.
    public static let latestStableBuildx: String = GeneratedData.buildxReleases.first { !$0.contains("-") } ?? "v0.21.1"
    /// moby/buildkit release tags.
    public static let buildkitReleases: Set<String> = Set(GeneratedData.buildkitReleases)
    /// The newest stable BuildKit release in the table.
    public static let latestStableBuildKit: String = GeneratedData.buildkitReleases.first { !$0.contains("-") } ?? "v0.20.2"
    /// First buildx with the GitHub cache service v2 (`url_v2`): v0.21.0 (reference §3.1, buildx #2983).
    public static let buildxMinForGHAv2 = Version("v0.21.0")!
    /// First BuildKit with the v2 cache service: v0.20.0 (reference §3.2).
    public static let buildkitMinForGHAv2 = Version("v0.20.0")!

    struct InputRow {
        let first: Version
        let last: Version?
        let deprecated: Bool
    }

    /// action (lowercase owner/repo) → input name → rows.
    static let inputs: [String: [String: InputRow]] = {
        var out: [String: [String: InputRow]] = [:]
        for (action, input, first, last, deprecated) in GeneratedData.actionInputs {
            guard let f = Version(first) else { continue }
            out[action, default: [:]][input] = InputRow(first: f, last: last.flatMap { Version($0) }, deprecated: deprecated)
        }
        return out
    }()

    /// `GeneratedData.newestPerMajor` parsed once (it is read for every `uses:` of a known action).
    static let newestPerMajor: [String: [Int: Version]] = GeneratedData.newestPerMajor.mapValues { $0.compactMapValues { Version($0) } }

    /// Whether the input table covers `action`.
    public static func knowsInputs(of action: String) -> Bool { inputs[action] != nil }

    /// The release a `uses:` ref stands for: `v6` → the newest v6 release in the table, `v6.4.1` → itself,
    /// `v6.4` → the newest known release of that major (approximation). Nil for SHAs, branches and majors
    /// newer than the table.
    public static func release(of action: String, ref: String) -> Version? {
        guard let v = Version(ref, requireV: true), v.prerelease == nil else { return nil }
        guard let n = newestPerMajor[action]?[v.major] else { return nil }
        if v.precision == 3 { return v > n ? nil : v }
        if v.precision == 2 { return v.minor == n.minor ? n : (v.minor < n.minor ? Version("v\(v.major).\(v.minor).999") : nil) }
        return n
    }

    /// What the table says of `input` on `action` at release `version`.
    public enum InputStatus: Equatable, Sendable {
        case declared
        /// Declared by the action, but only in releases `first` through `last` (nil: still declared).
        case notInThisRelease(first: Version, last: Version?)
        /// Never declared by any release in the table.
        case unknown
    }

    /// Looks `input` up for `action` at `version`.
    public static func status(of input: String, action: String, version: Version) -> InputStatus {
        guard let row = inputs[action]?[input] else { return .unknown }
        if version < row.first { return .notInThisRelease(first: row.first, last: row.last) }
        if let last = row.last, version > last { return .notInThisRelease(first: row.first, last: row.last) }
        return .declared
    }

    /// All inputs `action` declares at `version`, sorted (for "valid inputs are" help).
    public static func declaredInputs(action: String, version: Version) -> [String] {
        (inputs[action] ?? [:]).filter { status(of: $0.key, action: action, version: version) == .declared }.map(\.key).sorted()
    }
}
