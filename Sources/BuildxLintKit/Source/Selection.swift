#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kinds of file the linter reads.
public enum FileKind: String, Sendable, CaseIterable {
    /// `.github/workflows/*.yml|yaml`
    case workflow
    /// `action.yml|yaml` anywhere (composite actions).
    case action
    /// Buildx bake files: `docker-bake*.hcl|json` and other `*bake*.hcl` files.
    case bake
    /// Compose files, which bake reads: `compose*.yml|yaml`, `docker-compose*.yml|yaml`.
    case compose
}

/// Which repository paths are linted, and as what. A table so that new kinds (bake files) are one row.
public struct Selection: Sendable {
    /// One row: a predicate over the path and the kind it selects.
    public struct Rule: Sendable {
        public let description: String
        public let kind: FileKind
        public let matches: @Sendable (RepoPath) -> Bool
    }

    public let rules: [Rule]
    /// File name endings (no `/`) that some row can select (nil: any). Checked first: most paths of a large
    /// repository end otherwise and are skipped without running the rows.
    public let endings: [StaticString]?

    /// A table of `rules`; `endings`, when given, must include every ending a row can select.
    public init(endings: [StaticString]? = nil, rules: [Rule]) {
        self.rules = rules
        self.endings = endings
    }

    /// The default table.
    public static let `default` = Selection(endings: [".yml", ".yaml", ".hcl", ".json"], rules: [
        Rule(description: ".github/workflows/*.yml, *.yaml (direct children only, as GitHub reads them)", kind: .workflow) { p in
            let b = p.bytes[...]
            let prefix: StaticString = ".github/workflows/"
            let n = prefix.utf8CodeUnitCount
            guard b.count > n, prefix.withUTF8Buffer({ b.starts(with: $0) }) else { return false }
            let rest = b[n...]
            guard !rest.contains(UInt8(ascii: "/")) else { return false }
            return hasYAMLExtension(rest)
        },
        Rule(description: "action.yml, action.yaml in any folder (composite actions)", kind: .action) { p in
            let base = p.basename
            return base.isBytes("action.yml") || base.isBytes("action.yaml")
        },
        Rule(description: "docker-bake*.hcl|json and *bake*.hcl in any folder (bake files)", kind: .bake) { p in
            // Byte tests: this runs for every path of the repository (20,000 in a large one).
            let name = p.basename
            if name.hasBytePrefix("docker-bake") && (name.hasSuffix(".hcl") || name.hasSuffix(".json")) { return true }
            return name.hasSuffix(".hcl") && name.containsBytes("bake")
        },
        Rule(description: "compose*.yml|yaml, docker-compose*.yml|yaml in any folder (compose files bake reads)", kind: .compose) { p in
            let name = p.basename
            return (name.hasBytePrefix("compose") || name.hasBytePrefix("docker-compose")) && hasYAMLExtension(name)
        },
    ])

    /// Whether a path given as raw bytes may be selected at all (its ending is one of `endings`): a test
    /// that a source can run on the bytes libgit2 hands over, before it makes a ``RepoPath``.
    public func mayMatch(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let endings else { return true }
        guard let base = raw.baseAddress else { return false }
        let n = raw.count
        for ending in endings {
            let m = ending.utf8CodeUnitCount
            if n >= m, memcmp(base + (n - m), ending.utf8Start, m) == 0 { return true }
        }
        return false
    }

    /// The kind of `path`, or nil when it is not linted.
    public func kind(of path: RepoPath) -> FileKind? {
        guard path.bytes.withUnsafeBytes(mayMatch) else { return nil }
        return rules.first { $0.matches(path) }?.kind
    }

    /// Guesses the kind of an explicitly named file that the table does not select: a YAML file with
    /// `jobs:` is a workflow, one with `runs:` an action.
    public static func guessKind(of path: RepoPath, root: YAMLNode?) -> FileKind? {
        guard hasYAMLExtension(path.basename), let root else { return nil }
        if root["jobs"] != nil { return .workflow }
        if root["runs"] != nil { return .action }
        return nil
    }

    static func hasYAMLExtension(_ name: ArraySlice<UInt8>) -> Bool {
        name.hasSuffix(".yml") || name.hasSuffix(".yaml")
    }
}
