/// A `uses:` reference split into its parts: `owner/repo[/path]@ref`, `./local/path`, or `docker://image`.
public struct ActionRef: Sendable, Hashable {
    public let raw: String
    /// Lowercased `owner/repo` (GitHub names are case-insensitive); nil for local and docker references.
    public let repository: String?
    /// The path inside the repository after `owner/repo/`, or nil.
    public let path: String?
    /// The part after `@`, or nil.
    public let ref: String?
    /// `./…` references to an action or reusable workflow in the same repository.
    public let isLocal: Bool
    /// `docker://…` container actions.
    public let isDockerImage: Bool

    /// Parses a `uses:` value.
    public init(_ raw: String) {
        self.raw = raw
        let u = Array(raw.utf8)
        let t = u[trimmingASCIIWhitespace(u, 0..<u.count)]
        func starts(with prefix: String) -> Bool { t.starts(with: prefix.utf8) }
        if starts(with: "docker://") {
            repository = nil; path = nil; ref = nil; isLocal = false; isDockerImage = true
            return
        }
        isDockerImage = false
        if starts(with: "./") || starts(with: "../") {
            isLocal = true
            repository = nil
            path = String(decoding: t, as: UTF8.self)
            ref = nil
            return
        }
        isLocal = false
        var body = t
        if let at = body.lastIndex(of: UInt8(ascii: "@")) {
            ref = String(decoding: body[(at + 1)...], as: UTF8.self)
            body = body[..<at]
        } else {
            ref = nil
        }
        // owner/repo[/path]: the path keeps any further slashes.
        guard let slash1 = body.firstIndex(of: UInt8(ascii: "/")) else {
            repository = nil
            path = nil
            return
        }
        let rest = body[(slash1 + 1)...]
        let slash2 = rest.firstIndex(of: UInt8(ascii: "/"))
        let repoEnd = slash2 ?? body.endIndex
        // GitHub names are case-insensitive: lowercase ASCII without going through Unicode tables.
        let name = body[..<repoEnd]
        if !name.contains(where: { $0 >= 65 && $0 <= 90 || $0 >= 0x80 }) {
            repository = String(decoding: name, as: UTF8.self)  // already lowercase ASCII (the usual case)
        } else if name.allSatisfy({ $0 < 0x80 }) {
            repository = String(decoding: name.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
        } else {
            repository = String(decoding: name, as: UTF8.self).lowercased()
        }
        path = slash2.map { String(decoding: body[($0 + 1)...], as: UTF8.self) }
    }

    /// Whether this is `repository` (lowercase `owner/repo`) at the top of the repository (no sub-path).
    public func isAction(_ repository: String) -> Bool {
        self.repository == repository && (path == nil || path == "")
    }

    /// Whether `ref` is a full 40-hex commit id.
    public var isCommitSHA: Bool {
        guard let r = ref, r.utf8.count == 40 else { return false }
        return r.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
    }
}

/// A key/value pair with both YAML nodes: an input under `with:`, a variable under `env:`.
public struct NamedValue: Sendable {
    public let name: String
    public let key: YAMLNode
    public let value: YAMLNode
}

/// One step of a job or of a composite action.
public final class Step: Sendable {
    /// 0-based position in the steps list.
    public let index: Int
    public let node: YAMLNode
    public let id: String?
    public let name: String?
    public let uses: ActionRef?
    public let usesNode: YAMLNode?
    /// The `with:` mapping's pairs in order (values may be any node kind; inputs should be strings).
    public let with: [NamedValue]
    public let withNode: YAMLNode?
    public let run: YAMLNode?
    public let shell: String?
    public let env: [NamedValue]
    public let ifNode: YAMLNode?

    /// Reads a step from its mapping node (`index` is its 0-based position in `steps:`), in one pass
    /// over its keys (a later duplicate key wins, as in `YAMLNode.pair`).
    init(index: Int, node s: YAMLNode) {
        self.index = index
        node = s
        var id: String?, name: String?, shell: String?
        var usesNode: YAMLNode?, withNode: YAMLNode?, run: YAMLNode?, envNode: YAMLNode?, ifNode: YAMLNode?
        for p in s.pairs ?? [] {
            guard let key = p.key.scalar else { continue }
            switch key {
            case "id": id = p.value.scalar
            case "name": name = p.value.scalar
            case "uses": usesNode = p.value
            case "with": withNode = p.value
            case "run": run = p.value
            case "shell": shell = p.value.scalar
            case "env": envNode = p.value
            case "if": ifNode = p.value
            default: break
            }
        }
        self.id = id
        self.name = name
        self.usesNode = usesNode
        uses = usesNode?.scalar.map(ActionRef.init)
        self.withNode = withNode
        with = WorkflowModelBuilder.namedValues(withNode)
        self.run = run
        self.shell = shell
        env = WorkflowModelBuilder.namedValues(envNode)
        self.ifNode = ifNode
    }

    /// The input named `name` (last occurrence).
    public func input(_ name: String) -> NamedValue? { with.last { $0.name == name } }
}

/// One job of a workflow.
public struct Job: Sendable {
    public let id: String
    public let keyNode: YAMLNode
    public let node: YAMLNode
    public let runsOn: YAMLNode?
    /// `strategy.matrix` as written (axes, `include`, `exclude`).
    public let matrix: YAMLNode?
    public let needs: [String]
    public let env: [NamedValue]
    public let ifNode: YAMLNode?
    /// A reusable workflow call (`jobs.<id>.uses`).
    public let uses: ActionRef?
    public let with: [NamedValue]
    public let steps: [Step]
}

/// A GitHub Actions workflow file.
public struct Workflow: Sendable {
    public let node: YAMLNode
    public let on: YAMLNode?
    /// Event names under `on:` (a string, a list, or a mapping's keys).
    public let events: [String]
    public let env: [NamedValue]
    public let jobs: [Job]

    /// Whether the workflow runs on tag pushes or releases (where a poisoned binary cache would be
    /// published, see BXC301's help).
    public var publishesOnTagsOrReleases: Bool {
        if events.contains("release") { return true }
        if let push = on?["push"], push["tags"] != nil { return true }
        return false
    }
}

/// An input declared by a composite action (`inputs.<name>`).
public struct ActionInputDecl: Sendable {
    public let name: String
    public let key: YAMLNode
    public let defaultValue: YAMLNode?
}

/// An `action.yml` file; `steps` is non-empty only for composite actions (`runs.using: composite`).
public struct CompositeAction: Sendable {
    public let node: YAMLNode
    public let inputs: [ActionInputDecl]
    public let isComposite: Bool
    public let steps: [Step]
}

/// What a parsed workflow-side YAML file is.
public enum WorkflowDocument: Sendable {
    case workflow(Workflow)
    case action(CompositeAction)
}

/// Builds the workflow model from a YAML tree. It never fails: missing or oddly typed keys are
/// simply absent from the model (GitHub's own validation is not this linter's job).
public enum WorkflowModelBuilder {
    /// A workflow from the root node of a `.github/workflows/*.yml` file.
    public static func workflow(_ root: YAMLNode) -> Workflow {
        let on = root.pair("on")?.value ?? root.pairs?.first(where: { $0.key.scalar == "true" && $0.key.scalarStyle == .plain })?.value
        var events: [String] = []
        if let on {
            if let s = on.scalar { events = [s] }
            else if let items = on.items { events = items.compactMap(\.scalar) }
            else if let ps = on.pairs { events = ps.compactMap { $0.key.scalar } }
        }
        var jobs: [Job] = []
        for p in root["jobs"]?.pairs ?? [] {
            guard let id = p.key.scalar else { continue }
            jobs.append(job(id: id, key: p.key, node: p.value))
        }
        return Workflow(node: root, on: on, events: events, env: namedValues(root["env"]), jobs: jobs)
    }

    static func job(id: String, key: YAMLNode, node: YAMLNode) -> Job {
        var needs: [String] = []
        if let n = node["needs"] {
            if let s = n.scalar { needs = [s] } else { needs = n.items?.compactMap(\.scalar) ?? [] }
        }
        let uses = node["uses"]?.scalar.map(ActionRef.init)
        return Job(
            id: id, keyNode: key, node: node, runsOn: node["runs-on"], matrix: node["strategy"]?["matrix"],
            needs: needs, env: namedValues(node["env"]), ifNode: node["if"], uses: uses,
            with: namedValues(node["with"]), steps: steps(node["steps"]))
    }

    /// An action from the root node of an `action.yml` file.
    public static func action(_ root: YAMLNode) -> CompositeAction {
        var inputs: [ActionInputDecl] = []
        for p in root["inputs"]?.pairs ?? [] {
            guard let name = p.key.scalar else { continue }
            inputs.append(ActionInputDecl(name: name, key: p.key, defaultValue: p.value["default"]))
        }
        let runs = root["runs"]
        let composite = runs?["using"]?.scalar == "composite"
        return CompositeAction(node: root, inputs: inputs, isComposite: composite, steps: composite ? steps(runs?["steps"]) : [])
    }

    static func steps(_ node: YAMLNode?) -> [Step] {
        guard let items = node?.items else { return [] }
        var out: [Step] = []
        for (i, raw) in items.enumerated() {
            let s = raw.resolved
            guard s.isMapping else { continue }
            out.append(Step(index: i, node: s))
        }
        return out
    }

    static func namedValues(_ node: YAMLNode?) -> [NamedValue] {
        guard let ps = node?.pairs else { return [] }
        return ps.compactMap { p in p.key.scalar.map { NamedValue(name: $0, key: p.key, value: p.value) } }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    var trimmingSpaces: String {
        let u = Array(utf8)
        return String(decoding: u[trimmingASCIIWhitespace(u, 0..<u.count)], as: UTF8.self)
    }
}
