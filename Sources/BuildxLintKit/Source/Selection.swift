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

    /// The default table.
    public static let `default` = Selection(rules: [
        Rule(description: ".github/workflows/*.yml, *.yaml (direct children only, as GitHub reads them)", kind: .workflow) { p in
            let b = p.bytes
            let prefix = Array(".github/workflows/".utf8)
            guard b.count > prefix.count, b.starts(with: prefix) else { return false }
            let rest = b[prefix.count...]
            guard !rest.contains(UInt8(ascii: "/")) else { return false }
            return hasYAMLExtension(rest)
        },
        Rule(description: "action.yml, action.yaml in any folder (composite actions)", kind: .action) { p in
            let base = p.basename
            return base.elementsEqual("action.yml".utf8) || base.elementsEqual("action.yaml".utf8)
        },
        Rule(description: "docker-bake*.hcl|json and *bake*.hcl in any folder (bake files)", kind: .bake) { p in
            // Byte tests: this runs for every path of the repository (20,000 in a large one).
            let name = p.basename
            if name.starts(with: "docker-bake".utf8) && (name.hasSuffix(".hcl") || name.hasSuffix(".json")) { return true }
            return name.hasSuffix(".hcl") && name.containsBytes("bake")
        },
        Rule(description: "compose*.yml|yaml, docker-compose*.yml|yaml in any folder (compose files bake reads)", kind: .compose) { p in
            let name = p.basename
            return (name.starts(with: "compose".utf8) || name.starts(with: "docker-compose".utf8)) && hasYAMLExtension(name)
        },
    ])

    /// The kind of `path`, or nil when it is not linted.
    public func kind(of path: RepoPath) -> FileKind? {
        rules.first { $0.matches(path) }?.kind
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

extension ArraySlice<UInt8> {
    /// Whether the bytes end with the UTF-8 of `suffix`.
    func hasSuffix(_ suffix: StaticString) -> Bool {
        let n = suffix.utf8CodeUnitCount
        guard count >= n else { return false }
        return suffix.withUTF8Buffer { self[(endIndex - n)...].elementsEqual($0) }
    }

    /// Whether the UTF-8 of `needle` occurs in the bytes.
    func containsBytes(_ needle: StaticString) -> Bool {
        needle.withUTF8Buffer { n in withUnsafeBufferPointer { bytes($0, contain: n) } }
    }
}
