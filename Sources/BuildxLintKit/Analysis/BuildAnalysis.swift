/// Lowercase `owner/repo` names of the actions the rules understand.
public enum KnownAction {
    public static let buildPush = "docker/build-push-action"
    public static let bake = "docker/bake-action"
    public static let setupBuildx = "docker/setup-buildx-action"
    public static let metadata = "docker/metadata-action"
}

/// One cache entry of a build, located in the source.
public final class BuildCacheEntry: Sendable {
    public let direction: CacheDirection
    public let located: LocatedEntry
    /// The list input the entry came from (`cache-from`, `cache-to`, bake-action `set`, or the `run:`
    /// script of a command line); nil for an element of a bake or compose file.
    public let list: LocatedList?
    /// For a bake-action `set` line, the target pattern (`*`, `app`); nil for build-push-action.
    public let bakeTarget: String?
    /// For an entry of a command line in a `run:` step, the flag it came from (`--cache-from`, `--set`).
    public let flag: String?
    public var entry: CacheEntry { located.entry }

    init(direction: CacheDirection, located: LocatedEntry, list: LocatedList?, bakeTarget: String?, flag: String? = nil) {
        self.direction = direction
        self.located = located
        self.list = list
        self.bakeTarget = bakeTarget
        self.flag = flag
    }
}

/// A docker/build-push-action or docker/bake-action step with its cache entries.
public final class BuildStep: Sendable {
    /// build-push-action, bake-action, or a `docker buildx build` / `docker build` / `docker buildx bake`
    /// command line in a `run:` step.
    public enum Kind: Sendable { case buildPush, bake, cliBuild, cliBake }
    public let kind: Kind
    public let step: Step
    public let scope: ValueScope
    /// The `cache-from` / `cache-to` / `set` inputs, split as the action splits them (empty for command lines).
    public let lists: [LocatedList]
    public let entries: [BuildCacheEntry]
    /// The command line, for `run:` builds.
    public let command: DockerCommand?
    /// For a command line: the script's source offset of each script byte (to locate flags).
    public let scriptOffsets: [Int]?

    /// Whether the build names its platforms (`--platform` on a command line, the `platforms` input of an
    /// action); without them it builds the builder's own platform.
    public var statesPlatforms: Bool { command.map { !$0.values("platform").isEmpty } ?? (step.input("platforms") != nil) }

    init(kind: Kind, step: Step, scope: ValueScope, lists: [LocatedList], entries: [BuildCacheEntry], command: DockerCommand? = nil, scriptOffsets: [Int]? = nil) {
        self.kind = kind
        self.step = step
        self.scope = scope
        self.lists = lists
        self.entries = entries
        self.command = command
        self.scriptOffsets = scriptOffsets
    }

    /// Whether this build is a command line in a `run:` step.
    public var isCommandLine: Bool { kind == .cliBuild || kind == .cliBake }

    /// Entries of one direction.
    public func entries(_ direction: CacheDirection) -> [BuildCacheEntry] { entries.filter { $0.direction == direction } }

    /// Platforms from the `platforms` input (comma/newline list) or `--platform` flags, or nil when absent
    /// or not known.
    public var platforms: [String]? {
        if let command {
            let values = command.values("platform")
            guard !values.isEmpty, !values.contains(where: { $0.hasExpansion || $0.text.hasSubstring("${{") }) else { return nil }
            return values.flatMap { $0.text.split(separator: ",").map(String.init) }
        }
        guard let v = step.input("platforms"), let r = scope.resolve(v.value), !r.hasExpression else { return nil }
        return ActionListSplitter.commaAndNewline.split(r.text).map(\.text)
    }
}

/// A docker/setup-buildx-action step.
public final class SetupBuildxStep: Sendable {
    public let step: Step
    public let scope: ValueScope

    init(step: Step, scope: ValueScope) {
        self.step = step
        self.scope = scope
    }
    /// The `version` input resolved through env, or nil when absent.
    public var version: ResolvedValue? { step.input("version").flatMap { scope.resolve($0.value) } }
    /// The `driver-opts` input split into lines (newline-only, `quote: false`).
    public func driverOpts(_ text: SourceText) -> LocatedList? {
        guard let input = step.input("driver-opts"), let r = scope.resolve(input.value) else { return nil }
        return LocatedList(input: input, value: r, splitter: .newlineOnlyNoQuote, text: text)
    }
}

/// The steps of one job (or of a composite action's `runs.steps`) with what the rules need.
public final class JobAnalysis: Sendable {
    /// The job, or nil for a composite action.
    public let job: Job?
    public let steps: [Step]
    public let builds: [BuildStep]
    public let setups: [SetupBuildxStep]

    init(job: Job?, steps: [Step], builds: [BuildStep], setups: [SetupBuildxStep]) {
        self.job = job
        self.steps = steps
        self.builds = builds
        self.setups = setups
    }
    /// Whether this is the steps list of a composite action (its caller sets up buildx).
    public var isCompositeAction: Bool { job == nil }

    /// The setup-buildx-action steps that come before `build` in this job.
    public func setups(before build: BuildStep) -> [SetupBuildxStep] {
        setups.filter { $0.step.index < build.step.index }
    }
}

/// Everything the rules may look at for one workflow or action file.
public struct FileAnalysis: Sendable {
    public let path: RepoPath
    public let kind: FileKind
    public let text: SourceText
    public let yaml: YAMLFile?
    public let document: WorkflowDocument?
    public let jobs: [JobAnalysis]
    /// A parse failure (BXC000); when set the file has no document.
    public let parseError: YAMLError?
    /// Cache entries written in a bake or compose file (elements of `cache-from`/`cache-to` lists).
    public var bakeEntries: [BuildCacheEntry] = []
    /// The bake model of a bake file (HCL or JSON) or of a compose file.
    public var bake: BakeFile? = nil
    /// The services of a compose file.
    public var compose: ComposeFile? = nil

    /// An analysis of a bake or compose file.
    init(path: RepoPath, kind: FileKind, text: SourceText, yaml: YAMLFile? = nil, bake: BakeFile?) {
        self.path = path
        self.kind = kind
        self.text = text
        self.yaml = yaml
        self.document = nil
        self.jobs = []
        self.parseError = nil
        self.bake = bake
    }

    /// The workflow, when the file is one.
    public var workflow: Workflow? { if case .workflow(let w) = document { return w } else { return nil } }

    /// Whether a job calls a reusable workflow, or a step a composite action, of this repository
    /// (`uses: ./…`): then its flow depends on those files.
    public var callsLocalFiles: Bool {
        if let wf = workflow, wf.jobs.contains(where: { $0.uses?.isLocal == true }) { return true }
        return jobs.contains { j in j.steps.contains { $0.uses?.isLocal == true } }
    }

    /// Every step of every job with its value scope.
    public var allSteps: [(job: JobAnalysis, step: Step)] { jobs.flatMap { j in j.steps.map { (j, $0) } } }

    /// Builds the analysis from a parsed YAML file of `kind`.
    public init(path: RepoPath, kind: FileKind, yaml: YAMLFile) {
        self.path = path
        self.kind = kind
        self.text = yaml.text
        self.yaml = yaml
        self.parseError = nil
        guard let root = yaml.root, root.isMapping else {
            document = nil
            jobs = []
            return
        }
        switch kind {
        case .bake, .compose:
            document = nil
            jobs = []
        case .workflow:
            let wf = WorkflowModelBuilder.workflow(root)
            document = .workflow(wf)
            let base = ValueScope().adding(env: wf.env)
            jobs = wf.jobs.map { job in
                Self.analyse(job: job, steps: job.steps, scope: base.adding(env: job.env), text: yaml.text)
            }
        case .action:
            let action = WorkflowModelBuilder.action(root)
            document = .action(action)
            jobs = action.isComposite
                ? [Self.analyse(job: nil, steps: action.steps, scope: ValueScope().adding(inputDefaults: action.inputs), text: yaml.text)]
                : []
        }
    }

    /// An analysis for a file that could not be parsed.
    public init(path: RepoPath, kind: FileKind, text: SourceText, parseError: YAMLError) {
        self.path = path
        self.kind = kind
        self.text = text
        self.yaml = nil
        self.document = nil
        self.jobs = []
        self.parseError = parseError
    }

    static func analyse(job: Job?, steps: [Step], scope: ValueScope, text: SourceText) -> JobAnalysis {
        var builds: [BuildStep] = []
        var setups: [SetupBuildxStep] = []
        for step in steps {
            guard let uses = step.uses else { continue }
            let stepScope = scope.adding(env: step.env)
            if uses.isAction(KnownAction.setupBuildx) {
                setups.append(SetupBuildxStep(step: step, scope: stepScope))
            } else if uses.isAction(KnownAction.buildPush) {
                builds.append(buildPush(step, stepScope, text))
            } else if uses.isAction(KnownAction.bake) {
                builds.append(bake(step, stepScope, text))
            }
        }
        for step in steps where step.run != nil {
            builds.append(contentsOf: commandLines(step, scope.adding(env: step.env), text))
        }
        builds.sort { $0.step.index < $1.step.index }
        return JobAnalysis(job: job, steps: steps, builds: builds, setups: setups)
    }

    static func buildPush(_ step: Step, _ scope: ValueScope, _ text: SourceText) -> BuildStep {
        var lists: [LocatedList] = []
        var entries: [BuildCacheEntry] = []
        for direction in [CacheDirection.import, .export] {
            guard let input = step.input(direction.rawValue), let value = scope.resolve(input.value) else { continue }
            let list = LocatedList(input: input, value: value, splitter: .newlineOnly, text: text)
            lists.append(list)
            for (item, offsets) in list.items {
                let located = LocatedEntry(entry: CacheEntry(item.text), sourceOffsets: offsets, text: text)
                entries.append(BuildCacheEntry(direction: direction, located: located, list: list, bakeTarget: nil))
            }
        }
        return BuildStep(kind: .buildPush, step: step, scope: scope, lists: lists, entries: entries)
    }

    /// `docker buildx build|bake` and `docker build` commands of a `run:` step, with their cache flags as
    /// entries (values holding shell expansions are not known and are left out).
    static func commandLines(_ step: Step, _ scope: ValueScope, _ text: SourceText) -> [BuildStep] {
        guard let runNode = step.run, let script = runNode.scalar, script.hasSubstring("docker") else { return [] }
        let commands = DockerCommandLine.commands(in: script)
        guard !commands.isEmpty else { return [] }
        let scriptBytes = Array(script.utf8)
        let valueOffsets = runNode.valueOffsets(in: text)
        let last = valueOffsets.count - 1
        let runKey = step.node.pair("run")?.key ?? runNode
        let list = LocatedList(
            input: NamedValue(name: "run", key: runKey, value: runNode),
            value: ResolvedValue(text: script, origin: runNode, via: nil, reference: runNode))
        return commands.map { command in
            var entries: [BuildCacheEntry] = []
            for f in command.flags {
                guard let value = f.value, !value.hasExpansion else { continue }
                let direction: CacheDirection
                var entryText = value.text
                var target: String? = nil
                var skip = 0
                switch f.name {
                case "cache-from": direction = .import
                case "cache-to": direction = .export
                case "set":
                    guard let o = BakeOverride(value.text), o.attribute == "cache-from" || o.attribute == "cache-to" else { continue }
                    direction = o.attribute == "cache-from" ? .import : .export
                    entryText = o.value
                    target = o.target
                    skip = o.valueStart
                default:
                    continue
                }
                let wordOffsets = DockerCommandLine.offsets(of: value, in: scriptBytes)
                let offsets = wordOffsets[skip...].map { valueOffsets[max(0, min($0, last))] }
                let located = LocatedEntry(entry: CacheEntry(entryText), sourceOffsets: Array(offsets), text: text)
                entries.append(BuildCacheEntry(direction: direction, located: located, list: list, bakeTarget: target, flag: "--" + f.name))
            }
            return BuildStep(
                kind: command.kind == .bake ? .cliBake : .cliBuild, step: step, scope: scope, lists: [], entries: entries,
                command: command, scriptOffsets: valueOffsets)
        }
    }

    static func bake(_ step: Step, _ scope: ValueScope, _ text: SourceText) -> BuildStep {
        guard let input = step.input("set"), let value = scope.resolve(input.value) else {
            return BuildStep(kind: .bake, step: step, scope: scope, lists: [], entries: [])
        }
        let list = LocatedList(input: input, value: value, splitter: .newlineOnlyNoQuote, text: text)
        var entries: [BuildCacheEntry] = []
        for (item, offsets) in list.items {
            // A line whose target or attribute is computed (`${{ format('*.cache-to=…{0}', x) }}`) has no
            // static entry: the flow walk evaluates the whole line (`computedSetLines`).
            guard !BuildStep.isComputedSetLine(item.text), let override = BakeOverride(item.text) else { continue }
            let direction: CacheDirection
            switch override.attribute {
            case "cache-from": direction = .import
            case "cache-to": direction = .export
            default: continue
            }
            let start = override.valueStart
            let located = LocatedEntry(
                entry: CacheEntry(override.value), sourceOffsets: Array(offsets[start...]), text: text)
            entries.append(BuildCacheEntry(direction: direction, located: located, list: list, bakeTarget: override.target))
        }
        return BuildStep(kind: .bake, step: step, scope: scope, lists: [list], entries: entries)
    }
}

extension BuildStep {
    /// Whether a `set:` line's `target.attribute=` part is inside a `${{ }}` expression (so the line's
    /// meaning is only known once it is evaluated).
    static func isComputedSetLine(_ text: String) -> Bool {
        let b = Array(text.utf8)
        // `=` before any `${{`: the key is literal.
        for i in b.indices {
            if b[i] == UInt8(ascii: "=") { return false }
            if b[i] == UInt8(ascii: "$"), i + 2 < b.count, b[i + 1] == UInt8(ascii: "{"), b[i + 2] == UInt8(ascii: "{") { return true }
        }
        return false
    }

    /// The bake-action `set:` lines whose target or attribute is computed, as written.
    public var computedSetLines: [String] {
        guard kind == .bake, let list = lists.first else { return [] }
        return list.items.map(\.item.text).filter(Self.isComputedSetLine)
    }
}

/// A bake `--set` override `target.attribute=value` (or `+=`), as bake-action passes each `set:` line.
public struct BakeOverride: Sendable {
    /// The target pattern (`*`, `app`, `app-*`).
    public let target: String
    /// The attribute, lowercased (`cache-from`, `platform`, `args.FOO`).
    public let attribute: String
    /// Whether the line appends (`+=`, buildx ≥ 0.22.0).
    public let append: Bool
    public let value: String
    /// Byte offset of `value` in the line.
    public let valueStart: Int

    /// Parses one `set` line; nil when it has no `=` or no `.` in the key.
    public init?(_ line: String) {
        let b = Array(line.utf8)
        guard let eq = b.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        var keyEnd = eq
        append = eq > 0 && b[eq - 1] == UInt8(ascii: "+")
        if append { keyEnd -= 1 }
        let key = String(decoding: b[..<keyEnd], as: UTF8.self)
        guard let dot = key.firstIndex(of: ".") else { return nil }
        target = String(key[..<dot])
        attribute = String(key[key.index(after: dot)...]).lowercased()
        value = String(decoding: b[(eq + 1)...], as: UTF8.self)
        valueStart = eq + 1
    }
}
