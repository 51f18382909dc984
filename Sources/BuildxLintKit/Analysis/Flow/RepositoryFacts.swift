/// What the whole repository writes, reduced to the few facts that findings in one file can depend on
/// (BXC109, BXC110): gathered per part of the repository, merged, and then used to judge each rule's
/// `PendingFinding`s. Small values only (no analysis objects), so that a workflow's analysis can be
/// released as soon as it is checked.
public struct RepositoryFacts: Sendable {
    /// A build that exports a gha scope, as BXC109 compares two of them. A class: one record per build is
    /// shared by the facts' tables and the rule's pending findings (as a struct, each table and finding held
    /// a 250-byte copy, a quarter of the peak memory on the 2,000-workflow benchmark).
    public final class GHAWriter: Sendable {
        /// The file the build step is written in, and its step's byte offset and 1-based line there (a
        /// command line's own, for a build in a `run:` script).
        public let path: RepoPath
        public let stepOffset: Int
        public let line: Int
        /// The job run (job and caller, and leg) and the step within it across legs (shared keys).
        public let jobKey: JobKey
        public let legIndex: Int
        public let stepKey: StepKey
        /// The step's `if:` (for steps of one job run that exclude each other).
        public let condition: Expr?
        /// What the build builds (context, file, target, build args; bake targets and files), evaluated;
        /// `imageKnown` is false when an input that changes the build is not known here.
        public let image: String
        public let imageKnown: Bool
        /// The platforms the build makes, evaluated, sorted and comma-joined: the ones it states, or a
        /// GitHub-hosted runner's own (`nativePlatform`); nil when not known here.
        public let platforms: String?
        /// The workflow whose run this build is part of (`JobRun.rootPath`) and its job's `if:`.
        public let rootPath: RepoPath
        public let jobCondition: Expr?
        /// The git refs the root workflow's runs can have (`GitRefs.of`); nil for any.
        public let refs: Set<String>?
        /// For a target of a bake invocation (`bakeTargetWriters`), its name.
        public let bakeTarget: String?

        /// The record of build run `run` (its step, job run and conditions) building `image`. A command line
        /// in a `run:` script is placed at its first word, so two builds of one script are two builds.
        convenience init(_ run: BuildRun, image: String, imageKnown: Bool, platforms: String?, refs: Set<String>?, bakeTarget: String? = nil) {
            let job = run.stepRun.run
            var offset = run.build.step.node.span.start.offset
            var line = run.build.step.node.span.start.line
            var stepKey = run.stepRun.stepKey
            if let first = run.build.command?.words.first, let offsets = run.build.scriptOffsets, first.range.lowerBound < offsets.count {
                offset = offsets[first.range.lowerBound]
                line = run.file.text.position(ofOffset: offset).line
                stepKey = StepKey(job: stepKey.job, offset: offset, via: stepKey.via)
            }
            self.init(
                path: run.file.path, stepOffset: offset, line: line,
                jobKey: job.jobKey, legIndex: job.legIndex, stepKey: stepKey, condition: run.stepRun.condition,
                image: image, imageKnown: imageKnown, platforms: platforms, rootPath: job.rootPath,
                jobCondition: Self.jobCondition(job), refs: refs, bakeTarget: bakeTarget)
        }

        /// Whether `other` is this build, written in one place (reached from another call, leg or caller).
        public func sameBuild(as other: GHAWriter) -> Bool { (path, stepOffset) == (other.path, other.stepOffset) }

        /// The job's `if:` together with the `if:`s of the jobs that call its reusable workflow (a conjunction:
        /// two calls whose callers' conditions exclude each other never run together).
        static func jobCondition(_ job: JobRun) -> Expr? {
            let all = job.callerConditions + [Conditions.expression(job.job.ifNode)].compactMap { $0 }
            guard var joined = all.first else { return nil }
            for c in all.dropFirst() { joined = .binary(.and, joined, c) }
            return joined
        }

        init(
            path: RepoPath, stepOffset: Int, line: Int, jobKey: JobKey, legIndex: Int, stepKey: StepKey, condition: Expr?,
            image: String, imageKnown: Bool, platforms: String?, rootPath: RepoPath, jobCondition: Expr?, refs: Set<String>?,
            bakeTarget: String? = nil
        ) {
            self.bakeTarget = bakeTarget
            self.path = path
            self.stepOffset = stepOffset
            self.line = line
            self.jobKey = jobKey
            self.legIndex = legIndex
            self.stepKey = stepKey
            self.condition = condition
            self.image = image
            self.imageKnown = imageKnown
            self.platforms = platforms
            self.rootPath = rootPath
            self.jobCondition = jobCondition
            self.refs = refs
        }
    }

    /// A gha scope as written within the runs of one workflow (its file, or a caller's for a reusable one).
    public struct ScopeInRun: Hashable, Sendable {
        public let scope: String
        public let rootPath: RepoPath
    }

    /// The first writer of each gha scope, in file and position order (only builds whose inputs are known).
    public private(set) var firstGHAWriters: [String: GHAWriter] = [:]
    /// The same within each workflow's runs (BXC109 compares the builds of one workflow first), also counting
    /// builds whose inputs are not all known but whose platforms are.
    public private(set) var firstGHAWritersInRun: [ScopeInRun: GHAWriter] = [:]
    /// Every location some build exports (known ones), and those holding symbols (matched as wildcards).
    public private(set) var writtenLocations = Set<CacheLocation>()
    public private(set) var symbolicWrittenLocations: [CacheLocation] = []
    /// Whether some export's location is not known (then "nothing writes X" cannot be concluded).
    public private(set) var someExportUnknown = false

    /// No facts (an empty repository).
    public init() {}

    /// The facts of one analysed part of the repository (its build runs).
    public init(_ analysis: RepositoryAnalysis) {
        merge(Part(analysis))
    }

    /// One part's facts in compact form (arrays, no hash tables): many are held at once before merging.
    public struct Part: Sendable {
        var written: [CacheLocation] = []
        var someExportUnknown = false
        var firstGHAWriters: [(scope: String, writer: GHAWriter)] = []
        var firstGHAWritersInRun: [(key: ScopeInRun, writer: GHAWriter)] = []

        /// Docker's reusable build workflows (`docker/github-builder/.github/workflows/build.yml`, `bake.yml`).
        static let githubBuilder = "docker/github-builder"

        /// Whether an environment variable's name says it holds a cache export (`CACHE_TO`, `BUILDX_CACHE_TO`).
        static func namesCacheExport(_ name: String) -> Bool {
            let n = name.uppercased()
            return n.hasSubstring("CACHE_TO") || n.hasSubstring("CACHE-TO")
        }

        /// The image names (without tag or digest) a build-push-action run pushes: its `tags:` and the
        /// `name=` of an `outputs:` image entry, evaluated; unknown values are left out.
        static func inlineCacheImages(_ b: BuildRun) -> [String] {
            var names: [String] = []
            if let tags = b.stepRun.input("tags") {
                names += ActionListSplitter.commaAndNewline.split(tags).map { ImageReference.split($0.text).name }
            }
            if let outputs = b.stepRun.input("outputs") {
                for item in ActionListSplitter.newlineOnly.split(outputs) {
                    let e = CacheEntry(item.text)
                    guard e.type == "image" || e.type == "registry", let n = e.attribute("name") else { continue }
                    names += n.split(separator: ",").map { ImageReference.split(String($0)).name }
                }
            }
            return names.filter { !$0.isEmpty }
        }

        /// Whether an input of an unfollowed reusable workflow (`broad`) or action sets up a cache export:
        /// a name with `cache` whose value is not off (`cache: true`, `cache-scope: app`); for an action
        /// only a `cache-to`/`cache-scope`-like name or a value with `type=`, since `cache: npm` of
        /// setup-node and its kind are no image caches.
        static func isCacheSetting(_ input: NamedValue, broad: Bool) -> Bool {
            let name = input.name.lowercased()
            guard name.hasSubstring("cache") else { return false }
            guard let value = input.value.scalar?.trimmingSpaces, !value.isEmpty, value != "false" else { return false }
            if broad { return true }
            return name.hasSubstring("cache-to") || name.hasSubstring("cache_to") || name.hasSubstring("cache-scope")
                || name.hasSubstring("cache_scope") || value.hasSubstring("type=")
        }

        /// Writers that are not build steps of the walk (BXC110 and BXC403 must not call their locations
        /// unwritten): bake files' targets, pushed images with an inline cache, docker/github-builder calls,
        /// `CACHE_TO` handed to scripts; and what makes the writes unknown (skipped jobs, other repositories'
        /// workflows and actions with cache inputs).
        mutating func addWritersBeyondBuildSteps(_ analysis: RepositoryAnalysis) {
            // A bake invocation also exports what its bake file's targets write (overrides applied).
            for inv in analysis.bakeInvocations where inv.run.stepRun.mayRun {
                guard let resolution = inv.resolution else {
                    someExportUnknown = true
                    continue
                }
                for t in resolution.targets {
                    for item in t.cacheTo {
                        guard let locs = BakeInvocations.locations(item, direction: .export) else {
                            someExportUnknown = true
                            continue
                        }
                        written += locs
                    }
                }
            }
            // Jobs the walk skipped (a matrix computed at run time) may export anything.
            if analysis.unwalkedJobsMayExport { someExportUnknown = true }
            // An inline cache travels in the pushed image, so an import of any tag of it is written (the
            // tag may be added later, by `imagetools create` in another job).
            for b in analysis.buildRuns where b.build.kind == .buildPush && b.exports.contains(where: { $0.entry?.type == "inline" }) {
                written += Self.inlineCacheImages(b).map { CacheLocation(backend: "registry", identity: $0 + ":" + ExprValue.marker("tag")) }
            }
            // docker/github-builder's reusable workflows write `<cache-scope|target|buildkit>-<platform pair>`
            // (reference §1.10); the platforms are in its bake file or inputs, so any pair counts.
            for r in analysis.jobRuns {
                guard let uses = r.job.uses, uses.repository == Self.githubBuilder else { continue }
                func input(_ name: String) -> String? { r.job.with.last { $0.name == name }?.value.scalar }
                if input("cache") == "false" { continue }
                let base = input("cache-scope") ?? input("target") ?? "buildkit"
                guard !base.hasSubstring("${{"), !base.utf8.contains(UInt8(ascii: "\n")), !base.utf8.contains(UInt8(ascii: ",")) else {
                    someExportUnknown = true
                    continue
                }
                written += [CacheLocation(backend: "gha", identity: base), CacheLocation(backend: "gha", identity: base + "-" + ExprValue.marker("platform"))]
            }
            // A `run:` step that hands a script a cache export in its environment (`CACHE_TO: type=gha,scope=…`,
            // read by `docker buildx bake --set "*.cache-to=$CACHE_TO"` in a script file) writes it.
            for sr in analysis.stepRuns where sr.step.run != nil && sr.mayRun {
                for e in sr.step.env where Self.namesCacheExport(e.name) {
                    guard let raw = e.value.scalar, let text = sr.evaluate(raw) else {
                        someExportUnknown = true
                        continue
                    }
                    for item in ActionListSplitter.newlineOnly.split(text) {
                        guard let locs = CacheLocation.of(CacheEntry(item.text), direction: .export) else {
                            someExportUnknown = true
                            continue
                        }
                        written += locs
                    }
                }
            }
            // Builds the linter does not follow (another repository's reusable workflow or action) may
            // export caches: with a cache setting among their inputs, "nothing writes X" cannot be concluded.
            if !someExportUnknown {
                someExportUnknown =
                    analysis.jobRuns.contains { r in
                        guard let uses = r.job.uses, !uses.isLocal, uses.repository != Self.githubBuilder else { return false }
                        return r.job.with.contains { Self.isCacheSetting($0, broad: true) }
                    }
                    || analysis.stepRuns.contains { s in
                        guard let uses = s.step.uses, !uses.isLocal, !uses.isDockerImage, let repo = uses.repository,
                            repo != KnownAction.buildPush, repo != KnownAction.bake
                        else { return false }
                        return s.step.with.contains { Self.isCacheSetting($0, broad: false) }
                    }
            }
        }

        /// The facts of `analysis`'s build runs.
        public init(_ analysis: RepositoryAnalysis) {
            for b in analysis.buildRuns {
                for e in b.exports {
                    guard let locs = e.locations else { someExportUnknown = true; continue }
                    written += locs
                }
            }
            addWritersBeyondBuildSteps(analysis)
            // Stable: legs of one step keep their walk order.
            let ordered = analysis.buildRuns.enumerated().sorted {
                ($0.element.file.path, $0.element.build.step.node.span.start.offset, $0.offset)
                    < ($1.element.file.path, $1.element.build.step.node.span.start.offset, $1.offset)
            }.map(\.element)
            // A step that callers run (a reusable workflow's) is written by their runs: its walk without a caller,
            // with unknown inputs, is not a writer of its own.
            var calledSteps = Set<StepLocation>()
            for b in ordered where b.stepRun.run.jobKey.caller != nil {
                calledSteps.insert(StepLocation(path: b.file.path, offset: b.build.step.node.span.start.offset))
            }
            // Sets for the membership tests: a hostile workflow can make thousands of builds.
            var seenScopes = Set<String>()
            var seenInRun = Set<ScopeInRun>()
            var invocations: [ObjectIdentifier: BakeInvocation] = [:]
            for inv in analysis.bakeInvocations { invocations[ObjectIdentifier(inv.run)] = inv }
            // Keeps `w` as the first writer of `scope` in the repository and in its workflow's runs, where it can be one.
            func record(_ scope: String, _ key: ScopeInRun, _ w: GHAWriter) {
                if w.imageKnown, seenScopes.insert(scope).inserted { firstGHAWriters.append((scope, w)) }
                if w.imageKnown || w.platforms != nil, seenInRun.insert(key).inserted { firstGHAWritersInRun.append((key, w)) }
            }
            for b in ordered where b.stepRun.mayRun {
                if b.stepRun.run.jobKey.caller == nil,
                    calledSteps.contains(StepLocation(path: b.file.path, offset: b.build.step.node.span.start.offset))
                {
                    continue
                }
                var writer: GHAWriter? = nil
                for e in b.exports {
                    for l in e.locations ?? [] where l.backend == "gha" {
                        let key = ScopeInRun(scope: l.identity, rootPath: b.stepRun.run.rootPath)
                        // The record is made only for a build that may be a first writer (it costs evaluations).
                        guard !seenScopes.contains(l.identity) || !seenInRun.contains(key) else { continue }
                        let w = writer ?? RepositoryFacts.writer(b, refs: GitRefs.of(b.stepRun.run, files: analysis.files))
                        writer = w
                        record(l.identity, key, w)
                    }
                }
                // A bake invocation's targets write what their bake files say, each as a build of its own.
                guard let inv = invocations[ObjectIdentifier(b)] else { continue }
                for (l, w) in RepositoryFacts.bakeTargetWriters(inv, refs: GitRefs.of(b.stepRun.run, files: analysis.files)) {
                    record(l.identity, ScopeInRun(scope: l.identity, rootPath: b.stepRun.run.rootPath), w)
                }
            }
        }
    }

    /// A step by its file and byte offset.
    struct StepLocation: Hashable {
        let path: RepoPath
        let offset: Int
    }

    /// The compact record of a build run as a gha writer.
    /// The gha writer record of `run`; `refs` are its root workflow's (`GitRefs.of`).
    public static func writer(_ run: BuildRun, refs: Set<String>?) -> GHAWriter {
        var image = ""
        switch run.build.kind {
        case .buildPush, .bake:
            for n in run.build.kind == .buildPush ? Self.buildPushImageInputs : Self.bakeImageInputs {
                if let v = run.stepRun.input(n) { image += v }
                image += "\u{1}"
            }
        case .cliBuild, .cliBake:
            // A command line: what it builds is its flags other than the platform, and its context (or bake
            // targets). Unknown parts make `buildKey` nil, and the record then says the image is not known.
            image = run.build.kind == .cliBuild ? "build\u{1}" : "bake\u{1}"
            if let command = run.build.command {
                for f in command.flags where Self.commandImageFlags.contains(f.name) {
                    image += f.name + "=" + (f.value.flatMap { run.stepRun.evaluate($0.text) } ?? "") + "\u{1}"
                }
                for p in command.positionals { image += (run.stepRun.evaluate(p.text) ?? "") + "\u{1}" }
            }
        }
        var platforms: String? = nil
        if let list = run.platforms, !list.isEmpty, !list.contains(where: { $0.isEmpty || ExprValue.hasMarker($0) }) {
            platforms = platformKey(list)
        } else if run.platforms == nil {
            platforms = nativePlatform(run)
        }
        return GHAWriter(run, image: image, imageKnown: run.buildKey != nil, platforms: platforms, refs: refs)
    }

    /// Platforms as a writer record keeps them: lowercased, without repeats, sorted, comma-joined.
    static func platformKey(_ list: [String]) -> String {
        list.count == 1 ? list[0].lowercased() : Set(list.map { $0.lowercased() }).sorted().joined(separator: ",")
    }

    /// The gha writer records of a bake invocation's targets, for each gha location a target exports to through
    /// its bake file (a `set:` override is the invocation's own export, recorded by `writer`): at the
    /// invocation's step, so targets of one invocation are never compared with each other (BXC106 does that),
    /// with the target's build (context, Dockerfile, stage, args) as the image.
    public static func bakeTargetWriters(_ inv: BakeInvocation, refs: Set<String>?) -> [(location: CacheLocation, writer: GHAWriter)] {
        guard let resolution = inv.resolution else { return [] }
        let run = inv.run
        let workflowPath = run.file.path.display
        var out: [(location: CacheLocation, writer: GHAWriter)] = []
        for t in resolution.targets where t.nameKnown {
            // Without the Actions runtime (a `run:` step), gha entries without credentials are dropped.
            let locations = t.cacheTo.filter { $0.file != workflowPath && (run.hasRuntime || $0.entry?.ghaHasCredentials == true) }
                .flatMap { BakeInvocations.locations($0, direction: .export) ?? [] }
                .filter { $0.backend == "gha" && !ExprValue.hasMarker($0.identity) }
            guard !locations.isEmpty else { continue }
            // A target that states no platforms (and no `platforms` attribute at all) builds the runner's own.
            let platforms = t.platforms.flatMap { $0.isEmpty ? nil : platformKey($0) }
                ?? (t.platforms == nil && t.attributes["platforms"] == nil ? hostedNativePlatform(run) : nil)
            let w = GHAWriter(
                run, image: "bake\u{1}" + t.buildIdentity, imageKnown: t.buildKnown, platforms: platforms, refs: refs, bakeTarget: t.name)
            for l in Set(locations).sorted(by: { $0.identity < $1.identity }) { out.append((l, w)) }
        }
        return out
    }

    /// The inputs that say what a build makes (its image), for build-push-action and bake-action.
    static let buildPushImageInputs = ["context", "file", "target", "build-args"]
    static let bakeImageInputs = ["targets", "files", "workdir", "source"]
    /// The flags of a `docker buildx build` or `bake` command line that change what it builds (its platform aside).
    static let commandImageFlags: Set<String> = ["file", "target", "build-arg", "build-context", "set"]

    /// GitHub-hosted Linux runner labels and the platform a build on them makes by default (docs "GitHub-hosted
    /// runners": the x64 and arm64 Ubuntu images).
    static let hostedRunnerPlatforms: [String: String] = [
        "ubuntu-latest": "linux/amd64", "ubuntu-24.04": "linux/amd64", "ubuntu-22.04": "linux/amd64",
        "ubuntu-20.04": "linux/amd64", "ubuntu-24.04-arm": "linux/arm64", "ubuntu-22.04-arm": "linux/arm64",
    ]

    /// The platform a build that states none makes: the runner's own, when the job runs on one GitHub-hosted
    /// label and its builder is local (no setup-buildx-action `driver` other than docker-container or docker,
    /// no `endpoint`, no `append`ed nodes). Nil otherwise, and for bake builds (their targets may set
    /// platforms).
    static func nativePlatform(_ run: BuildRun) -> String? {
        guard !run.build.statesPlatforms, run.build.kind == .buildPush || run.build.kind == .cliBuild else { return nil }
        return hostedNativePlatform(run)
    }

    /// The platform a local builder on `run`'s GitHub-hosted runner builds when nothing states one (for a bake
    /// target without `platforms`, too); nil for other runners or remote and cloud builders.
    static func hostedNativePlatform(_ run: BuildRun) -> String? {
        guard let label = run.stepRun.run.runsOn, let platform = hostedRunnerPlatforms[label] else { return nil }
        for step in run.stepRun.run.job.steps where step.uses?.isAction(KnownAction.setupBuildx) == true {
            if let driver = step.input("driver")?.value.scalar, driver != "docker-container", driver != "docker" { return nil }
            if step.input("endpoint") != nil || step.input("append") != nil { return nil }
        }
        return platform
    }

    /// Whether two writers build for platforms known to differ (both state their platforms, and the lists differ).
    public static func differentPlatforms(_ a: GHAWriter, _ b: GHAWriter) -> Bool {
        guard let pa = a.platforms, let pb = b.platforms else { return false }
        return pa != pb
    }

    /// Whether two writers are in the same job run (same job, caller and leg).
    public static func sameJobRun(_ a: GHAWriter, _ b: GHAWriter) -> Bool { a.legIndex == b.legIndex && a.jobKey == b.jobKey }

    /// Adds a part's facts (a gha scope keeps the writer that comes first in file and position order).
    public mutating func merge(_ part: Part) {
        for (scope, w) in part.firstGHAWriters {
            if let mine = firstGHAWriters[scope], (mine.path, mine.stepOffset) <= (w.path, w.stepOffset) { continue }
            firstGHAWriters[scope] = w
        }
        for (key, w) in part.firstGHAWritersInRun {
            if let mine = firstGHAWritersInRun[key], (mine.path, mine.stepOffset) <= (w.path, w.stepOffset) { continue }
            firstGHAWritersInRun[key] = w
        }
        for l in part.written where writtenLocations.insert(l).inserted && ExprValue.hasMarker(l.identity) {
            symbolicWrittenLocations.append(l)
        }
        someExportUnknown = someExportUnknown || part.someExportUnknown
    }

    /// Whether some build of the repository exports `location` (symbols match any text).
    public func isWritten(_ location: CacheLocation) -> Bool {
        if writtenLocations.contains(location) { return true }
        if symbolicWrittenLocations.contains(where: { $0.backend == location.backend && Self.matches($0.identity, location.identity) }) {
            return true
        }
        return ExprValue.hasMarker(location.identity)
            && writtenLocations.contains { $0.backend == location.backend && Self.matches($0.identity, location.identity) }
    }

    /// Whether two location identities can be equal: literally, or with every `⟨symbol⟩` on either side
    /// read as a wildcard (a symbol may hold any text).
    public static func matches(_ written: String, _ identity: String) -> Bool {
        if written == identity { return true }
        guard ExprValue.hasMarker(written) || ExprValue.hasMarker(identity) else { return false }
        func pattern(_ s: String) -> [UInt8] {
            var out: [UInt8] = []
            var inMarker = false
            for ch in s.unicodeScalars {
                if ch == "\u{27E8}" { inMarker = true; out.append(UInt8(ascii: "*")); continue }
                if ch == "\u{27E9}" { inMarker = false; continue }
                if !inMarker { out.append(contentsOf: Array(String(ch).utf8)) }
            }
            return out
        }
        let w = pattern(written), i = pattern(identity)
        return PathGlob.matchAnything(w[...], i[...]) || PathGlob.matchAnything(i[...], w[...])
    }
}

/// A finding a rule can only decide once every file has been analysed, because it depends on what other
/// files write. `judge` gets the merged facts and returns the finding, or nil when the facts clear it.
/// It must capture only small values (never a `RuleContext` or analysis objects).
public struct PendingFinding: Sendable {
    /// The rule id, file and byte offset the finding would sit at: of several pending findings at one
    /// place, the first that `judge` confirms is kept.
    public let ruleID: String
    public let path: RepoPath
    public let offset: Int
    public let judge: @Sendable (RepositoryFacts) -> Diagnostic?

    /// A pending finding of rule `ruleID` at `offset` in `path`.
    public init(ruleID: String, path: RepoPath, offset: Int, judge: @escaping @Sendable (RepositoryFacts) -> Diagnostic?) {
        self.ruleID = ruleID
        self.path = path
        self.offset = offset
        self.judge = judge
    }
}

/// The git refs a workflow's runs can have, from its triggers: the gha cache keeps one index per scope and
/// git ref (reference §1.3: `index-<scope>-1-<hash(git ref)>`), so builds that never run on one ref never
/// overwrite each other.
enum GitRefs {
    /// Stands for every tag a `push: tags:` trigger matches.
    static let anyTag = "refs/tags/*"

    /// `refs/heads/<name>` for each branch of a workflow triggered only by `push` with literal `branches:`
    /// (and `anyTag` for its `tags:`); nil (any ref) for every other trigger, a glob, or `*-ignore` filters.
    static func of(_ workflow: Workflow?) -> Set<String>? {
        guard let workflow, !workflow.events.isEmpty, workflow.events.allSatisfy({ $0 == "push" }),
            let push = workflow.on?["push"], push.isMapping
        else { return nil }
        if push["branches-ignore"] != nil || push["tags-ignore"] != nil { return nil }
        let branches = push["branches"], tags = push["tags"]
        guard branches != nil || tags != nil else { return nil }
        var out = Set<String>()
        if let branches {
            let names = branches.items?.compactMap(\.scalar) ?? branches.scalar.map { [$0] } ?? []
            guard !names.isEmpty, names.allSatisfy(isLiteral) else { return nil }
            for n in names { out.insert("refs/heads/" + n) }
        }
        if tags != nil { out.insert(anyTag) }
        return out
    }

    /// The refs of the workflow whose run `run` is part of (its own file, or the caller at `run.rootPath`).
    static func of(_ run: JobRun, files: [RepoPath: FileAnalysis]) -> Set<String>? {
        of(run.file.path == run.rootPath ? run.file.workflow : files[run.rootPath]?.workflow)
    }

    /// Whether a filter pattern matches only itself (no glob characters, no negation).
    static func isLiteral(_ pattern: String) -> Bool {
        !pattern.isEmpty && !pattern.utf8.contains { "*?[]!+".utf8.contains($0) }
    }

    /// Whether runs of two workflows can share a git ref.
    static func overlap(_ a: Set<String>?, _ b: Set<String>?) -> Bool {
        guard let a, let b else { return true }
        return !a.isDisjoint(with: b)
    }
}
