/// One bake invocation as it runs in one leg: docker/bake-action or `docker buildx bake` in a `run:` step,
/// with the files, targets, overrides and environment it uses, resolved against the repository's bake files.
public struct BakeInvocation: Sendable {
    public let run: BuildRun
    /// Repository paths of the bake/compose files it reads, in load order (missing ones left out).
    public let files: [RepoPath]
    public let targets: [String]
    public let overrides: [BakeSetOverride]
    /// Known environment values (for bake variables).
    public let env: [String: String]
    /// The resolved targets (nil when a file or value is not known).
    public let resolution: BakeResolution?
    /// Whether the file list could be determined (files given by expressions or shell variables cannot).
    public let filesKnown: Bool
}

/// Resolving bake invocations of workflows against the repository's bake and compose files.
public enum BakeInvocations {
    /// The variables a GitHub-hosted or self-hosted runner sets in every step (docs "Variables reference",
    /// default environment variables): `CI` and `GITHUB_ACTIONS` are `true`; the others vary by run or runner.
    static let runnerEnvironment: [String: String] = {
        var env: [String: String] = ["CI": "true", "GITHUB_ACTIONS": "true"]
        // Those that mirror the github and runner contexts (the shell interpreter's table), and the files and
        // names the runner hands each step.
        let varying = Array(GitHubEnvWrites.ShellInterpreter.runnerVariables.keys) + [
            "GITHUB_ACTION", "GITHUB_ACTION_PATH", "GITHUB_ACTION_REPOSITORY", "GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH",
            "GITHUB_RETENTION_DAYS", "GITHUB_STEP_SUMMARY",
        ]
        for name in varying { env[name] = BakeProject.unknownEnvironmentValue }
        return env
    }()

    /// buildx's default file lookup order (`bake/bake.go`, `defaultFilenames()`).
    public static let defaultFiles = [
        "compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml", "docker-bake.json", "docker-bake.hcl",
        "docker-bake.override.json", "docker-bake.override.hcl",
    ]

    /// The invocation a bake build run makes, or nil for other builds.
    public static func invocation(_ run: BuildRun, files repositoryFiles: [RepoPath: FileAnalysis]) -> BakeInvocation? {
        var cache: [ResolutionKey: BakeResolution?] = [:]
        var steps = maxStepsPerWalk
        return invocation(run, files: repositoryFiles, resolutions: &cache, stepsLeft: &steps)
    }

    /// What a resolution depends on: invocations (the legs and jobs of a workflow) that agree share one.
    struct ResolutionKey: Hashable {
        let files: [RepoPath]
        let targets: [String]
        let env: [String: String]
        let overrides: [BakeSetOverride]
    }

    /// `invocation(_:files:)`, with resolutions shared through `resolutions` (a bake file's evaluation can
    /// use most of its step budget; thirty identical `docker buildx bake` steps need it once).
    /// Evaluation steps all the bake resolutions of one walk may take together: each distinct environment
    /// resolves the files again, and a costly bake file resolved for many steps must not multiply its cost.
    static let maxStepsPerWalk = 4 * BakeProject.resolutionSteps

    static func invocation(
        _ run: BuildRun, files repositoryFiles: [RepoPath: FileAnalysis], resolutions: inout [ResolutionKey: BakeResolution?],
        stepsLeft: inout Int
    ) -> BakeInvocation? {
        let sr = run.stepRun
        var fileNames: [String] = []
        var targets: [String] = []
        var overrides: [BakeSetOverride] = []
        var filesKnown = true
        var workdir = "."
        let wfPath = run.file.path.display
        switch run.build.kind {
        case .bake:
            if let v = sr.input("workdir") { workdir = v }
            if let raw = run.build.step.input("files")?.value.scalar {
                if let v = sr.evaluate(raw) {
                    fileNames = ActionListSplitter.commaAndNewline.split(v).map(\.text)
                } else {
                    // Item by item: a docker/metadata-action bake file only adds its `docker-metadata-action` target
                    // (tags, labels, args), so the files are still known without it.
                    let items = ActionListSplitter.commaAndNewline.split(raw).map(\.text)
                    if items.allSatisfy(Self.closesItsExpressions) {
                        for item in items where !Self.isMetadataBakeFile(item, job: run.stepRun.run.job) {
                            if let v = sr.evaluate(item) { fileNames += ActionListSplitter.commaAndNewline.split(v).map(\.text) } else { filesKnown = false }
                        }
                    } else {
                        filesKnown = false
                    }
                }
            }
            if let raw = run.build.step.input("targets")?.value.scalar, let v = sr.evaluate(raw) {
                targets = ActionListSplitter.commaAndNewline.split(v).map(\.text)
            }
            if let list = run.build.lists.first {
                for (item, offsets) in list.items {
                    let span = LocatedEntry(entry: CacheEntry(""), sourceOffsets: offsets, text: run.file.text).span
                    // A step output is one value for all targets the override applies to.
                    guard let value = sr.evaluateForOneStep(item.text), let o = BakeSetOverride(line: value, span: span, file: wfPath) else { continue }
                    overrides.append(o)
                }
            }
        case .cliBake:
            guard let command = run.build.command, let offsets = run.build.scriptOffsets else { return nil }
            for f in command.flags {
                guard let v = f.value else { continue }
                switch f.name {
                case "file":
                    if v.hasExpansion { filesKnown = false } else if let s = sr.evaluate(v.text) { fileNames.append(s) } else { filesKnown = false }
                case "set":
                    let span = run.file.text.span(of: v.range, through: offsets)
                    if !v.hasExpansion, let s = sr.evaluateForOneStep(v.text), let o = BakeSetOverride(line: s, span: span, file: wfPath) { overrides.append(o) }
                default:
                    break
                }
            }
            targets = command.positionals.compactMap { $0.hasExpansion ? nil : sr.evaluate($0.text) }
        default:
            return nil
        }
        // Paths are relative to the working directory (the repository root unless `workdir` says otherwise).
        func repoPath(_ name: String) -> String {
            var n = name
            while n.hasPrefix("./") { n.removeFirst(2) }
            if workdir == "." || workdir.isEmpty || n.hasPrefix("/") { return n }
            var w = workdir
            while w.hasPrefix("./") { w.removeFirst(2) }
            return w + "/" + n
        }
        var files: [RepoPath] = []
        if fileNames.isEmpty && filesKnown {
            files = defaultFiles.map { RepoPath(repoPath($0)) }.filter { repositoryFiles[$0] != nil }
        } else {
            for n in fileNames {
                let p = RepoPath(repoPath(n))
                if repositoryFiles[p] != nil { files.append(p) } else { filesKnown = false }
            }
        }
        // The runner's own variables first (bake reads any variable from the environment), then `env:`; a value
        // not known here makes its variable unknown rather than leaving it at its default.
        var env = Self.runnerEnvironment
        func set(_ name: String, _ text: String?) {
            if let t = text, !ExprValue.hasMarker(t) { env[name] = t } else { env[name] = BakeProject.unknownEnvironmentValue }
        }
        for (k, v) in sr.context.env { set(k, v.templateText) }
        // `NAME=value docker buildx bake`: the command's own environment.
        for (name, value) in run.build.command?.assignments ?? [] { set(name, value.hasExpansion ? nil : sr.evaluate(value.text)) }
        let bakeFiles = files.compactMap { repositoryFiles[$0]?.bake }
        var resolution: BakeResolution? = nil
        if filesKnown, !bakeFiles.isEmpty, bakeFiles.count == files.count {
            let project = BakeProject(files: bakeFiles)
            var requested = targets
            if requested.isEmpty {
                let hasDefault = bakeFiles.contains { $0.groups.contains { $0.name == "default" } || $0.targets.contains { $0.name == "default" } }
                requested = hasDefault ? ["default"] : bakeFiles.flatMap { $0.targets.map(\.name) }
            }
            let key = ResolutionKey(files: files, targets: requested, env: env, overrides: overrides)
            if let cached = resolutions[key] {
                resolution = cached
            } else if stepsLeft > 0 {
                // Past the walk's budget, further resolutions are not known (nil), rather than guessed.
                let r = project.resolution(targets: requested, env: env, overrides: overrides, steps: min(BakeProject.resolutionSteps, stepsLeft))
                stepsLeft -= max(r.stepsUsed, 1)
                resolution = r
                resolutions[key] = resolution
            }
        }
        return BakeInvocation(
            run: run, files: files, targets: targets, overrides: overrides, env: env, resolution: resolution, filesKnown: filesKnown)
    }
}

/// One location written by several targets of one bake invocation (or of one group of a bake file).
public struct BakeSharedExport: Sendable {
    public let location: CacheLocation
    /// The targets that write it, and the item (with its span and file) each writes it through.
    public let writers: [(target: String, item: BakeCacheItem)]
    /// Where the invocation is (its workflow file, the build step's line, and the bake files it reads),
    /// or nil for a group of a bake file checked on its own.
    public let invocation: Origin?
    /// A bake invocation as messages name it (no analysis objects: it outlives the workflow's analysis).
    public struct Origin: Sendable {
        public let path: RepoPath
        public let line: Int
        public let files: [RepoPath]
    }
    /// The group, for a bake file checked on its own.
    public let group: String?
}

extension BakeInvocations {
    /// The cache locations of one resolved cache item (nil when not known).
    static func locations(_ item: BakeCacheItem, direction: CacheDirection) -> [CacheLocation]? {
        item.entry.flatMap { CacheLocation.of($0, direction: direction) }
    }

    /// Locations that two or more targets of `targets` export to.
    static func sharedExports(_ targets: [ResolvedBakeTarget], invocation: BakeSharedExport.Origin?, group: String?) -> [BakeSharedExport] {
        var byLocation: [CacheLocation: [(String, BakeCacheItem)]] = [:]
        var order: [CacheLocation] = []
        for t in targets where t.nameKnown {
            for item in t.cacheTo {
                for loc in locations(item, direction: .export) ?? [] where !ExprValue.hasMarker(loc.identity) || true {
                    if byLocation[loc] == nil { order.append(loc) }
                    if !(byLocation[loc] ?? []).contains(where: { $0.0 == t.name }) { byLocation[loc, default: []].append((t.name, item)) }
                }
            }
        }
        // Targets that build exactly the same thing may share a cache harmlessly.
        let identity = Dictionary(targets.map { t in (t.name, t.buildIdentity + "|" + String(describing: t.platforms)) }, uniquingKeysWith: { a, _ in a })
        return order.compactMap { loc in
            let writers = byLocation[loc]!
            guard Set(writers.map(\.0)).count > 1, Set(writers.map { identity[$0.0] ?? $0.0 }).count > 1 else { return nil }
            return BakeSharedExport(location: loc, writers: writers.map { (target: $0.0, item: $0.1) }, invocation: invocation, group: group)
        }
    }

    /// Every shared export of the repository: per invocation (each leg, each caller) and per group of
    /// each bake file on its own.
    /// - Parameters:
    ///   - buildRuns: the build runs whose bake invocations are resolved.
    ///   - files: the files invocations may read (bake and compose files).
    ///   - bakeFiles: the bake files whose groups are checked on their own.
    ///   - resolvedElsewhere: groups that invocations of other parts of the repository resolve (`resolvedGroups`).
    static func allSharedExports(
        buildRuns: [BuildRun], files: [RepoPath: FileAnalysis], bakeFiles: [FileAnalysis], resolvedElsewhere: Set<ResolvedGroup> = []
    ) -> (invocations: [BakeInvocation], shared: [BakeSharedExport]) {
        var invocations: [BakeInvocation] = []
        var shared: [BakeSharedExport] = []
        // What an invocation resolved to: its step, and each target's name and cache-to entries.
        struct SeenKey: Hashable {
            let offset: Int
            let path: RepoPath
            let targets: [String]
            let cacheTo: [[BakeCacheItem]]
        }
        var seenKeys = Set<SeenKey>()
        var resolutions: [ResolutionKey: BakeResolution?] = [:]
        var stepsLeft = maxStepsPerWalk
        for run in buildRuns where run.build.kind == .bake || run.build.kind == .cliBake {
            guard let inv = invocation(run, files: files, resolutions: &resolutions, stepsLeft: &stepsLeft) else { continue }
            invocations.append(inv)
            let origin = BakeSharedExport.Origin(path: run.file.path, line: run.build.step.node.span.start.line, files: inv.files)
            guard let r = inv.resolution else {
                // The bake files are not in the repository (or not all): a wildcard `cache-to` override still
                // gives every target of the default set the same location.
                if inv.targets.isEmpty, !inv.files.isEmpty || !inv.filesKnown {
                    for o in inv.overrides where o.key == "cache-to" && o.pattern.contains("*") && !o.append {
                        guard let v = o.value, let locs = CacheLocation.of(CacheEntry(v), direction: .export), let loc = locs.first else { continue }
                        let item = BakeCacheItem.string(value: v, span: o.span, file: o.file)
                        shared.append(BakeSharedExport(location: loc, writers: [(target: o.pattern, item: item)], invocation: origin, group: nil))
                    }
                }
                continue
            }
            // Legs that resolve to the same thing give the same findings: resolve-check once.
            let key = SeenKey(
                offset: run.build.step.node.span.start.offset, path: run.file.path, targets: r.targets.map(\.name),
                cacheTo: r.targets.map(\.cacheTo))
            guard seenKeys.insert(key).inserted else { continue }
            shared += sharedExports(r.targets, invocation: origin, group: nil)
        }
        // Each bake file's groups resolve on their own (the costly part when a repository has many): all cores,
        // results in file order.
        // A group that a workflow's invocation resolves with these files is judged there (with its overrides).
        let resolved = resolvedElsewhere.union(resolvedGroups(invocations))
        let perFile = parallelMap(fileLevelUnits(bakeFiles)) { unit -> [BakeSharedExport] in
            let project = BakeProject(files: unit)
            var out: [BakeSharedExport] = []
            var seen = Set<String>()
            for g in unit.flatMap(\.groups) where seen.insert(g.name).inserted {
                guard !unit.allSatisfy({ resolved.contains(ResolvedGroup(file: $0.path, group: g.name)) }) else { continue }
                let local = sharedExports(project.resolution(targets: [g.name], env: [:]).targets, invocation: nil, group: g.name)
                guard !local.isEmpty else { continue }
                // Shared both where the variables keep their defaults and in a workflow step, where the runner's
                // variables are set (`GITHUB_EVENT_NAME != "" ? …`): a gha cache only works in the latter.
                let inCI = Set(
                    sharedExports(project.resolution(targets: [g.name], env: runnerEnvironment).targets, invocation: nil, group: g.name)
                        .map(\.location))
                out += local.filter { inCI.contains($0.location) }
            }
            return out
        }
        for exports in perFile { shared += exports }
        return (invocations, shared)
    }

    /// A group (or target) of a bake file that a resolved invocation builds with that file among its files.
    public struct ResolvedGroup: Hashable, Sendable {
        let file: String
        let group: String
    }

    /// The groups `invocations` resolve: each requested name (`default` when none is named) in each file.
    public static func resolvedGroups(_ invocations: [BakeInvocation]) -> Set<ResolvedGroup> {
        var out = Set<ResolvedGroup>()
        for inv in invocations where inv.resolution != nil {
            for file in inv.files {
                for name in inv.targets.isEmpty ? ["default"] : inv.targets { out.insert(ResolvedGroup(file: file.display, group: name)) }
            }
        }
        return out
    }

    /// Whether every `${{` in `item` is closed within it (the raw list was not split inside an expression):
    /// `Template.parts` keeps an unterminated one as literal text.
    static func closesItsExpressions(_ item: String) -> Bool {
        !Template.parts(item).contains { part in
            if case .literal(let text) = part.kind { return text.hasSubstring("${{") }
            return false
        }
    }

    /// Whether a `files:` item is the bake file of one of `job`'s docker/metadata-action steps
    /// (`${{ steps.meta.outputs.bake-file }}`, `-tags`, `-labels`, `-annotations`).
    static func isMetadataBakeFile(_ item: String, job: Job) -> Bool {
        let parts = Template.parts(item.trimmingSpaces)
        guard parts.count == 1, case .expression(_, let e?) = parts[0].kind, let path = e.propertyPath, path.count == 4,
            path[0] == "steps", path[2] == "outputs",
            ["bake-file", "bake-file-tags", "bake-file-labels", "bake-file-annotations"].contains(path[3])
        else { return false }
        return job.steps.contains { $0.id == path[1] && $0.uses?.isAction(KnownAction.metadata) == true }
    }

    /// The bake files that load together when checked on their own: a file named as buildx's default files
    /// (`docker-bake.hcl`, `docker-bake.override.hcl`, …) with the other default files of its folder, in
    /// buildx's order (`docker buildx bake` without `-f` reads them all); any other file alone. In the order
    /// of each unit's first file in `files`.
    static func fileLevelUnits(_ files: [FileAnalysis]) -> [[BakeFile]] {
        var units: [[BakeFile]] = []
        var defaultsByFolder: [String: [(rank: Int, file: BakeFile)]] = [:]
        var folderUnit: [String: Int] = [:]
        for f in files {
            guard let bake = f.bake, f.kind == .bake else { continue }
            let display = f.path.display
            let slash = display.lastIndex(of: "/")
            let name = slash.map { String(display[display.index(after: $0)...]) } ?? display
            guard let rank = defaultFiles.firstIndex(of: name) else {
                units.append([bake])
                continue
            }
            let folder = slash.map { String(display[..<$0]) } ?? ""
            defaultsByFolder[folder, default: []].append((rank, bake))
            if folderUnit[folder] == nil {
                folderUnit[folder] = units.count
                units.append([])
            }
        }
        for (folder, index) in folderUnit {
            units[index] = (defaultsByFolder[folder] ?? []).sorted { $0.rank < $1.rank }.map(\.file)
        }
        return units
    }
}
