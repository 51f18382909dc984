import Dispatch

/// A workflow's `needs:` graph: each job id and the ids it names.
public final class NeedsGraph: Sendable {
    let needs: [String: [String]]
    init(_ workflow: Workflow) {
        needs = Dictionary(workflow.jobs.map { ($0.id, $0.needs) }, uniquingKeysWith: { a, _ in a })
    }
}

/// The jobs a job needs, directly or through others, within its workflow. Answered from the workflow's graph
/// when asked: a `needs:` chain of thousands of jobs would otherwise hold a set per job, quadratic in all.
public struct NeedsClosure: Sendable {
    let graph: NeedsGraph
    /// The job's own `needs:` ids.
    let needs: [String]

    /// Whether the job needs nothing.
    public var isEmpty: Bool { needs.isEmpty }

    /// Whether the job needs `id`, directly or through other jobs (ids a `needs:` names count even when no
    /// such job exists, as GitHub then rejects the workflow anyway).
    public func contains(_ id: String) -> Bool {
        var seen = Set<String>()
        var stack = needs
        while let n = stack.popLast() {
            if n == id { return true }
            guard seen.insert(n).inserted, let next = graph.needs[n] else { continue }
            stack.append(contentsOf: next)
        }
        return false
    }
}

/// A job as run from one caller (its legs share it): the workflow file, the job id and the call site.
public struct JobKey: Hashable, Sendable {
    /// The workflow file the job is written in.
    public let path: RepoPath
    /// The job's id in that file.
    public let jobID: String
    /// The call site when a reusable workflow's job runs for a caller (`JobRun.caller`), else nil.
    public let caller: String?
}

/// A step as run in one job from one caller and through one composite action (the job's legs share it):
/// the step is known by the byte offset of its node in its file.
public struct StepKey: Hashable, Sendable {
    /// The job run the step belongs to (across legs).
    public let job: JobKey
    /// The 0-based byte offset of the step's node in the file it is written in.
    public let offset: Int
    /// The composite action chain the step is reached through (`StepRun.via`), else nil.
    public let via: String?
}

/// One run of a workflow job in one matrix leg (or its only run when it has no matrix).
public final class JobRun: Sendable {
    /// The workflow file and job that run (for a reusable workflow: the callee's job).
    public let file: FileAnalysis
    public let job: Job
    /// The leg's matrix values; empty when the job has no matrix.
    public let matrix: [String: ExprValue]
    public let hasMatrix: Bool
    /// Whether the matrix could be expanded (`fromJSON` of another job's output cannot).
    public let matrixKnown: Bool
    /// Number of legs of this job (1 without a matrix).
    public let legCount: Int
    /// Index of this leg (0-based).
    public let legIndex: Int
    /// A short description of the leg: its matrix values (`platform=linux/amd64`), or "" without a matrix.
    public let legLabel: String
    /// Where the job was called from when it is a reusable workflow's: ".github/workflows/ci.yml job `build`"
    /// (with the caller's leg in parentheses when it has a matrix).
    public let caller: String?
    /// The workflow whose triggers start this run: the file itself, or for a reusable workflow's job the
    /// caller at the top of the chain of calls.
    public let rootPath: RepoPath
    /// A stable key for "the same job" across legs: file + job id + caller.
    public let jobKey: JobKey
    /// Evaluated `runs-on` (nil when not known).
    public let runsOn: String?
    /// Ids of the jobs this one needs, transitively, within its workflow.
    public let needsClosure: NeedsClosure
    /// The `if:` of each job that calls this one's reusable workflow, outermost first (empty when not called).
    public let callerConditions: [Expr]

    init(
        file: FileAnalysis, job: Job, matrix: [String: ExprValue], hasMatrix: Bool, matrixKnown: Bool, legCount: Int,
        legIndex: Int, legLabel: String, caller: String?, runsOn: String?, needsClosure: NeedsClosure, rootPath: RepoPath,
        callerConditions: [Expr] = []
    ) {
        self.callerConditions = callerConditions
        self.rootPath = rootPath
        self.file = file
        self.job = job
        self.matrix = matrix
        self.hasMatrix = hasMatrix
        self.matrixKnown = matrixKnown
        self.legCount = legCount
        self.legIndex = legIndex
        self.legLabel = legLabel
        self.caller = caller
        self.jobKey = JobKey(path: file.path, jobID: job.id, caller: caller)
        self.runsOn = runsOn
        self.needsClosure = needsClosure
    }
}

/// One step as it runs in one job run: the file that holds it (the workflow, a local composite action,
/// or a reusable workflow) and the expression context at that point.
public final class StepRun: Sendable {
    public let run: JobRun
    public let file: FileAnalysis
    public let step: Step
    public let context: EvalContext
    /// Position among the job run's steps (composite actions' steps are inlined in order).
    public let order: Int
    /// For a step inside a local composite action: "composite action ./x used by <file> job <id>".
    public let via: String?
    /// The step's `if:` evaluated in this leg: false when it certainly does not run.
    public let mayRun: Bool
    /// The step's `if:` expression (for exclusivity checks between steps).
    public let condition: Expr?
    /// Identifies the step within its job run across legs: job key + the step's position in its file + via.
    public let stepKey: StepKey

    init(run: JobRun, file: FileAnalysis, step: Step, context: EvalContext, order: Int, via: String?, mayRun: Bool, condition: Expr?) {
        self.run = run
        self.file = file
        self.step = step
        self.context = context
        self.order = order
        self.via = via
        self.mayRun = mayRun
        self.condition = condition
        self.stepKey = StepKey(job: run.jobKey, offset: step.node.span.start.offset, via: via)
    }

    /// Evaluates a template string in this step's context; nil when not known.
    public func evaluate(_ text: String) -> String? {
        if !text.hasSubstring("${{") { return text }
        return ExpressionEvaluator.evaluate(template: text, context).templateText
    }

    /// `evaluate(text)`, with earlier steps' outputs as symbols when that alone leaves it unknown: for
    /// values that go unchanged to everything this step does (a bake override for all of its targets).
    public func evaluateForOneStep(_ text: String) -> String? {
        if let v = evaluate(text) { return v }
        guard text.hasSubstring("steps.") else { return nil }
        var ctx = context
        ctx.stepsAreSymbols = true
        return ExpressionEvaluator.evaluate(template: text, ctx).templateText
    }

    /// The evaluated value of the input `name`, nil when absent or unknown.
    public func input(_ name: String) -> String? {
        guard let v = step.input(name)?.value.scalar else { return nil }
        return evaluate(v)
    }

    /// Who uses this step, for messages: " (in <via>)" or "".
    public var whereSuffix: String {
        var parts: [String] = []
        if let via { parts.append(via) }
        if let c = run.caller { parts.append("called by " + c) }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: "; ") + ")"
    }
}

/// A cache location as the isolation rules compare them (reference §1.7, "cache location identity").
public struct CacheLocation: Sendable, Hashable, CustomStringConvertible {
    /// `gha`, `registry`, `local`, `s3`, `azblob`.
    public let backend: String
    /// The identity within the backend: gha scope, registry ref, local directory (+ tag), s3/azblob name.
    /// May contain `⟨symbol⟩` markers (values fixed for a run but unknown here).
    public let identity: String

    public var description: String {
        // Symbols read as the expressions they stand for (computed ones as `…`).
        let shown = ExprValue.writtenAsExpressions(identity, computed: "…")
        if shown.isEmpty { return "the same, empty \(backend == "gha" ? "gha scope" : backend + " location")" }
        switch backend {
        case "gha": return "gha scope `\(shown)`"
        case "registry": return "registry ref `\(shown)`"
        case "local": return "local directory `\(shown)`"
        default: return "\(backend) cache `\(shown)`"
        }
    }

    /// Locations of an evaluated cache entry (a ref-only list gives one per ref); nil when unknown.
    public static func of(_ entry: CacheEntry, direction: CacheDirection) -> [CacheLocation]? {
        if entry.isEmpty { return [] }
        if entry.form == .refList {
            return entry.fields.filter { !$0.value.isEmpty }.map { CacheLocation(backend: "registry", identity: $0.value) }
        }
        guard let type = entry.type else { return nil }
        switch type {
        case "gha":
            return [CacheLocation(backend: "gha", identity: entry.attribute("scope") ?? "buildkit")]
        case "registry":
            return entry.attribute("ref").map { [CacheLocation(backend: "registry", identity: $0)] } ?? nil
        case "local":
            guard let dir = entry.attribute(direction == .import ? "src" : "dest") else { return nil }
            let tag = entry.attribute("tag").map { ":" + $0 } ?? ""
            return [CacheLocation(backend: "local", identity: dir + tag)]
        case "s3", "azblob":
            let base = [entry.attribute("endpoint_url"), entry.attribute("account_url"), entry.attribute("region"),
                entry.attribute("bucket"), entry.attribute("container"), entry.attribute("prefix"), entry.attribute("manifests_prefix")]
                .map { $0 ?? "" }.joined(separator: "|")
            let names = (entry.attribute("name") ?? "buildkit").split(separator: ";").map(String.init)
            return names.map { CacheLocation(backend: type, identity: base + "|" + $0) }
        default:
            return []
        }
    }
}

/// A cache entry of a build as it runs in one leg: the static entry (for its position) and what it
/// evaluates to.
public struct EvaluatedCacheEntry: Sendable {
    /// The static entry it corresponds to, when the evaluated list lines up with the written one.
    public let source: BuildCacheEntry?
    /// The entry after expression evaluation (nil when not known).
    public let entry: CacheEntry?
    /// Its locations (nil when not known).
    public let locations: [CacheLocation]?
}

/// A build step (build-push-action or bake-action) in one job run.
public final class BuildRun: Sendable {
    public let stepRun: StepRun
    public let build: BuildStep
    public let imports: [EvaluatedCacheEntry]
    public let exports: [EvaluatedCacheEntry]
    /// The evaluated inputs that change what is built (platforms, target, file, context, build-args,
    /// bake `set`/`targets`/`files`, and `runs-on` when no platform is given); nil when any is unknown.
    public let buildKey: String?
    /// When `buildKey` is nil: its parts in their fixed order, an unknown one as `BuildRun.unknownPart`, so
    /// that legs whose known inputs differ (`file: Dockerfile.${{ matrix.flavor }}`) still count as building
    /// different things. Nil when `buildKey` is known.
    public let partialKey: [String]?
    /// Evaluated platforms (nil when not given or unknown).
    public let platforms: [String]?
    /// False for a `run:` step's build that nothing exposed the Actions runtime to: buildx drops its gha
    /// entries that carry no credentials of their own (BXC501), so they have no locations.
    public let hasRuntime: Bool

    /// A part of `partialKey` that is not known here.
    public static let unknownPart = "\u{0}?"

    /// Whether this run and `other` (legs of one step) build different things: their keys differ, or an
    /// input known in both differs.
    public func buildsDifferently(from other: BuildRun) -> Bool {
        if let a = buildKey, let b = other.buildKey { return a != b }
        // A known key split at its line breaks lines up with the other's parts exactly when no part holds a
        // line break (then the counts match); otherwise the counts differ and nothing is concluded.
        let a = partialKey ?? buildKey.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        let b = other.partialKey ?? other.buildKey.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        guard a.count == b.count else { return false }
        return zip(a, b).contains { $0 != Self.unknownPart && $1 != Self.unknownPart && $0 != $1 }
    }

    init(
        stepRun: StepRun, build: BuildStep, imports: [EvaluatedCacheEntry], exports: [EvaluatedCacheEntry], buildKey: String?,
        partialKey: [String]?, platforms: [String]?, hasRuntime: Bool = true
    ) {
        self.hasRuntime = hasRuntime
        self.stepRun = stepRun
        self.build = build
        self.imports = imports
        self.exports = exports
        self.buildKey = buildKey
        self.partialKey = partialKey
        self.platforms = platforms
    }

    /// The file the build step is written in.
    public var file: FileAnalysis { stepRun.file }
}

/// Everything the cross-step, cross-leg and cross-job rules need: every job run, step run and build run
/// of the walked workflows (one workflow, or the part of the repository whose workflows call each other),
/// with composite actions and reusable workflows of the same repository followed (up to a small depth)
/// with their callers' inputs. Facts that span the whole repository are in `RepositoryFacts`.
public final class RepositoryAnalysis: Sendable {
    public let files: [RepoPath: FileAnalysis]
    public let jobRuns: [JobRun]
    public let stepRuns: [StepRun]
    public let buildRuns: [BuildRun]
    /// Whether a job that was not walked (its matrix is computed at run time) may export caches: then
    /// "nothing writes this location" cannot be concluded.
    public let unwalkedJobsMayExport: Bool

    /// An analysis with no files (for rules run on one file in isolation).
    public static let empty = RepositoryAnalysis(files: [])

    /// Builds the analysis of every workflow in `files` (each also a possible callee of the others), with
    /// the groups of every bake file among them checked on their own.
    public convenience init(files: [FileAnalysis]) {
        var byPath: [RepoPath: FileAnalysis] = [:]
        for f in files { byPath[f.path] = f }
        self.init(walking: files, lookup: byPath)
    }

    /// Builds the analysis of the workflows in `walking`.
    ///
    /// - Parameters:
    ///   - walking: the workflows walked as roots (their reusable-workflow and composite-action callees are
    ///     followed through `lookup`), and the bake files whose groups are checked on their own.
    ///   - lookup: every file that callers and bake invocations may name (callees, bake and compose files).
    ///   - extraBakeSharedExports: shared exports found by other analyses (other parts of the repository)
    ///     that write into files of this one, appended to `bakeSharedExports`.
    ///   - extraResolvedGroups: bake groups that other analyses' invocations resolve (not checked on their own).
    public init(
        walking: [FileAnalysis], lookup: [RepoPath: FileAnalysis], extraBakeSharedExports: [BakeSharedExport] = [],
        extraResolvedGroups: Set<BakeInvocations.ResolvedGroup> = []
    ) {
        self.files = lookup
        // Each workflow is walked on its own (reusable workflows also through their callers, with their
        // inputs); the walks only read the other files, so they run on all cores and are merged in path order.
        let workflows = walking.filter { $0.workflow != nil }.sorted { $0.path < $1.path }
        let parts = parallelMap(workflows) { Self.walk($0, lookup: lookup) }
        jobRuns = parts.flatMap(\.jobRuns)
        stepRuns = parts.flatMap(\.stepRuns)
        buildRuns = parts.flatMap(\.buildRuns)
        unwalkedJobsMayExport = parts.contains { $0.unwalkedJobsMayExport }
        buildRunsByPath = Dictionary(grouping: buildRuns, by: { $0.file.path })
        stepRunsByPath = Dictionary(grouping: stepRuns, by: { $0.file.path })
        stepRunsByRun = Dictionary(grouping: stepRuns, by: { ObjectIdentifier($0.run) })
        buildRunsByRun = Dictionary(grouping: buildRuns, by: { ObjectIdentifier($0.stepRun.run) })
        jobRunsByWorkflow = Dictionary(grouping: jobRuns, by: { $0.file.path })
        uploadsByWorkflow = Dictionary(
            grouping: stepRuns.filter { TransportAction.of($0.step) == .upload }, by: { $0.run.file.path })
        let bakeFiles = walking.filter { $0.kind == .bake && $0.bake != nil }.sorted { $0.path < $1.path }
        let (invocations, shared) = BakeInvocations.allSharedExports(
            buildRuns: buildRuns, files: lookup, bakeFiles: bakeFiles, resolvedElsewhere: extraResolvedGroups)
        bakeInvocations = invocations
        // Invocations' shared exports first, in workflow path order (a bake-file element written through several
        // reports the first), then the bake files' own groups: the order a whole-repository walk gives.
        let byInvocation = (shared.filter { $0.invocation != nil } + extraBakeSharedExports).enumerated().sorted {
            ($0.element.invocation!.path, $0.offset) < ($1.element.invocation!.path, $1.offset)
        }.map(\.element)
        bakeSharedExports = byInvocation + shared.filter { $0.invocation == nil }
        bakeInvocationsByPath = Dictionary(grouping: invocations, by: { $0.run.file.path })
    }

    static func walk(_ f: FileAnalysis, lookup: [RepoPath: FileAnalysis]) -> FlowWalker {
        var w = FlowWalker(files: lookup)
        for job in f.workflow!.jobs { w.walkJob(file: f, workflow: f.workflow!, job: job, inputs: nil, caller: nil, depth: 0) }
        return w
    }

    /// Every bake invocation of the walked workflows (each leg and caller).
    public let bakeInvocations: [BakeInvocation]
    /// Cache locations several bake targets of one invocation (or group) export to (BXC106).
    public let bakeSharedExports: [BakeSharedExport]
    let bakeInvocationsByPath: [RepoPath: [BakeInvocation]]

    /// The bake invocations whose build step is written in `path`.
    public func bakeInvocations(in path: RepoPath) -> [BakeInvocation] { bakeInvocationsByPath[path] ?? [] }

    let stepRunsByRun: [ObjectIdentifier: [StepRun]]
    let buildRunsByRun: [ObjectIdentifier: [BuildRun]]
    let jobRunsByWorkflow: [RepoPath: [JobRun]]
    let uploadsByWorkflow: [RepoPath: [StepRun]]

    /// The steps of one job run, in order.
    public func stepRuns(of run: JobRun) -> [StepRun] { stepRunsByRun[ObjectIdentifier(run)] ?? [] }
    /// The builds of one job run, in order.
    public func buildRuns(of run: JobRun) -> [BuildRun] { buildRunsByRun[ObjectIdentifier(run)] ?? [] }
    /// Every job run whose job is written in the workflow at `path`.
    public func jobRuns(inWorkflow path: RepoPath) -> [JobRun] { jobRunsByWorkflow[path] ?? [] }
    /// upload-artifact steps run by jobs of the workflow file at `path`.
    public func uploads(inWorkflow path: RepoPath) -> [StepRun] { uploadsByWorkflow[path] ?? [] }

    let buildRunsByPath: [RepoPath: [BuildRun]]
    let stepRunsByPath: [RepoPath: [StepRun]]

    /// Build runs whose step is written in `path`.
    public func buildRuns(in path: RepoPath) -> [BuildRun] { buildRunsByPath[path] ?? [] }

    /// Step runs whose step is written in `path`.
    public func stepRuns(in path: RepoPath) -> [StepRun] { stepRunsByPath[path] ?? [] }
}

/// Walks jobs, legs and steps, evaluating as it goes.
struct FlowWalker {
    let files: [RepoPath: FileAnalysis]
    var jobRuns: [JobRun] = []
    var stepRuns: [StepRun] = []
    var buildRuns: [BuildRun] = []
    /// Whether a job that was not walked (its matrix is computed at run time) may export caches.
    var unwalkedJobsMayExport = false
    static let maxDepth = 4
    static let maxLegs = 256
    /// Job runs one walk makes at most: legs multiply through calls (a 256-leg job calling a workflow with a
    /// 256-leg job is 65,536 runs), and the rest of a walk over this budget is not followed.
    static let maxJobRuns = 4096

    /// Per workflow walked: its `needs:` graph, and its build steps by step.
    var needsGraphs: [RepoPath: NeedsGraph] = [:]
    var buildsByStep: [RepoPath: [ObjectIdentifier: [BuildStep]]] = [:]
    /// Job runs in which a step has exposed the Actions runtime to later shell steps (`runtimeAction`).
    var runtimeExposed = Set<ObjectIdentifier>()

    init(files: [RepoPath: FileAnalysis]) { self.files = files }

    /// Whether `job` (of `file`) may export caches: it calls a reusable workflow, runs a local action, or
    /// has a build step with a cache export or a bake build (whose bake file may export).
    static func mayExport(_ job: Job, in file: FileAnalysis) -> Bool {
        if job.uses != nil || job.steps.contains(where: { $0.uses?.isLocal == true }) { return true }
        guard let analysis = file.jobs.first(where: { $0.job?.keyNode === job.keyNode }) else { return true }
        return analysis.builds.contains { b in b.kind == .bake || b.kind == .cliBake || !b.entries(.export).isEmpty }
    }

    /// The `needs` closure of `job` within `workflow` (the workflow's graph is built once per walk).
    mutating func needsClosure(_ job: Job, _ workflow: Workflow, path: RepoPath) -> NeedsClosure {
        let graph: NeedsGraph
        if let g = needsGraphs[path] {
            graph = g
        } else {
            graph = NeedsGraph(workflow)
            needsGraphs[path] = graph
        }
        return NeedsClosure(graph: graph, needs: job.needs)
    }

    /// Evaluates `env:` entries (in order) over `base`.
    static func evaluateEnv(_ entries: [NamedValue], _ base: EvalContext) -> [String: ExprValue] {
        // Most steps have no `env:` (a copy of the context would retain each of its dictionaries for nothing).
        if entries.isEmpty { return base.env }
        // One context whose `env` grows entry by entry (each entry sees the ones before it), updated in
        // place: a fresh context per entry would hold the dictionary and make every update copy it.
        var ctx = base
        for e in entries {
            if let s = e.value.scalar {
                ctx.env[e.name] = ExpressionEvaluator.evaluate(template: s, ctx)
            } else {
                ctx.env[e.name] = .unknown("not a string")
            }
        }
        return ctx.env
    }

    /// Input values for a callee: declared defaults, then the caller's `with:` evaluated in its context.
    static func inputs(defaults: [(String, YAMLNode?)], with: [NamedValue], ctx: EvalContext) -> [String: ExprValue] {
        var out: [String: ExprValue] = [:]
        let defaultCtx = EvalContext(github: ctx.github, runner: ctx.runner)
        for (name, node) in defaults {
            if let s = node?.scalar { out[name.lowercased()] = ExpressionEvaluator.evaluate(template: s, defaultCtx) }
        }
        for w in with {
            if let s = w.value.scalar { out[w.name.lowercased()] = ExpressionEvaluator.evaluate(template: s, ctx) }
            else { out[w.name.lowercased()] = .unknown("not a string") }
        }
        return out
    }

    /// Inputs declared by a reusable workflow (`on.workflow_call.inputs`) with their defaults.
    static func workflowCallInputs(_ wf: Workflow) -> [(String, YAMLNode?)]? {
        guard let call = wf.on?["workflow_call"] else { return nil }
        return (call["inputs"]?.pairs ?? []).compactMap { p in p.key.scalar.map { ($0, p.value["default"]) } }
    }

    mutating func walkJob(
        file: FileAnalysis, workflow wf: Workflow, job: Job, inputs: [String: ExprValue]?, caller: String?, depth: Int, root: RepoPath? = nil,
        callerConditions: [Expr] = []
    ) {
        // The workflow whose triggers start the walk: this one, unless a caller passed its own down.
        let rootPath = root ?? file.path
        // Walked on its own (no caller), a workflow's `inputs.x` is fixed for the run but unknown: a symbol.
        let base = EvalContext(env: [:], inputs: inputs, jobID: job.id)
        var wfEnvCtx = base
        wfEnvCtx.env = Self.evaluateEnv(wf.env, base)

        // A job whose `if:` is false here (`contains(inputs.runner, 'ubuntu')` in a windows call) never runs.
        if let condition = Conditions.expression(job.ifNode), ExpressionEvaluator.truthiness(condition, wfEnvCtx) == false { return }
        let expansion = MatrixExpansion.expand(job.matrix, wfEnvCtx)
        let hasMatrix = job.matrix != nil
        var legs = expansion.legs
        let matrixKnown = expansion.unknownReason == nil
        // A matrix the linter cannot expand (`fromJSON` of another job's output) is never guessed at:
        // its steps are not evaluated.
        if hasMatrix && !matrixKnown {
            if Self.mayExport(job, in: file) { unwalkedJobsMayExport = true }
            return
        }
        if !hasMatrix || legs.isEmpty { legs = [[:]] }
        if legs.count > Self.maxLegs { legs = Array(legs.prefix(Self.maxLegs)) }
        let varying = expansion.dimensions
        let closure = needsClosure(job, wf, path: file.path)

        for (index, leg) in legs.enumerated() {
            guard jobRuns.count < Self.maxJobRuns else { return }
            var ctx = wfEnvCtx
            ctx.matrix = hasMatrix ? leg : nil
            // runs-on for this leg gives the runner context.
            var runsOn: String? = nil
            if let r = job.runsOn {
                var labels: [String] = []
                if let s = r.scalar { labels = [ExpressionEvaluator.evaluate(template: s, ctx).templateText ?? "⟨?⟩"] }
                else if let items = r.items { labels = items.compactMap { $0.scalar.map { ExpressionEvaluator.evaluate(template: $0, ctx).templateText ?? "⟨?⟩" } } }
                runsOn = labels.joined(separator: ",")
                if !labels.contains(where: { $0.contains("⟨") }) { ctx.runner = EvalContext.runnerContext(labels: labels) }
            }
            ctx.env = Self.evaluateEnv(job.env, ctx)
            let label = varying.compactMap { k in leg[k].map { "\(k)=\($0.labelText)" } }.joined(separator: ", ")
            let run = JobRun(
                file: file, job: job, matrix: leg, hasMatrix: hasMatrix, matrixKnown: matrixKnown, legCount: legs.count,
                legIndex: index, legLabel: label, caller: caller, runsOn: runsOn, needsClosure: closure, rootPath: rootPath,
                callerConditions: callerConditions)
            jobRuns.append(run)

            if let uses = job.uses {
                // A reusable workflow of this repository: walk its jobs with this leg's inputs.
                guard uses.isLocal, depth < Self.maxDepth, let path = uses.path, let callee = files[RepoPath(Self.normalize(path))],
                    let cwf = callee.workflow
                else { continue }
                let declared = Self.workflowCallInputs(cwf) ?? []
                let values = Self.inputs(defaults: declared, with: job.with, ctx: ctx)
                let who = "\(file.path.display) job `\(job.id)`" + (label.isEmpty ? "" : " (\(label))")
                let conditions = callerConditions + (Conditions.expression(job.ifNode).map { [$0] } ?? [])
                for cj in cwf.jobs {
                    walkJob(
                        file: callee, workflow: cwf, job: cj, inputs: values, caller: who, depth: depth + 1, root: rootPath,
                        callerConditions: conditions)
                }
                continue
            }
            var order = 0
            walkSteps(job.steps, file: file, run: run, ctx: &ctx, order: &order, via: nil, depth: depth)
        }
    }

    /// The build steps of `file` that are `step` (looked up in a table made once per file: a scan of every
    /// build for every step grows with their product).
    mutating func builds(of step: Step, in file: FileAnalysis) -> [BuildStep] {
        if let table = buildsByStep[file.path] { return table[ObjectIdentifier(step)] ?? [] }
        var table: [ObjectIdentifier: [BuildStep]] = [:]
        for job in file.jobs {
            for build in job.builds { table[ObjectIdentifier(build.step), default: []].append(build) }
        }
        buildsByStep[file.path] = table
        return table[ObjectIdentifier(step)] ?? []
    }

    static func normalize(_ path: String) -> String {
        var p = path
        while p.hasPrefix("./") { p.removeFirst(2) }
        if let at = p.firstIndex(of: "@") { p = String(p[..<at]) }
        while p.hasSuffix("/") { p.removeLast() }
        return p
    }

    mutating func walkSteps(
        _ steps: [Step], file: FileAnalysis, run: JobRun, ctx: inout EvalContext, order: inout Int, via: String?, depth: Int
    ) {
        for step in steps {
            var stepCtx = ctx
            stepCtx.env = Self.evaluateEnv(step.env, ctx)
            let condition = Conditions.expression(step.ifNode)
            var mayRun = true
            if let condition, ExpressionEvaluator.truthiness(condition, stepCtx) == false { mayRun = false }
            let sr = StepRun(run: run, file: file, step: step, context: stepCtx, order: order, via: via, mayRun: mayRun, condition: condition)
            order += 1
            stepRuns.append(sr)
            // A step skipped in this leg: later `if:`s that read its outcome see `skipped`.
            if !mayRun, let id = step.id {
                ctx.knownSteps[id] = .object(["outcome": .string("skipped"), "conclusion": .string("skipped"), "outputs": .object([:])])
            }
            if mayRun, step.uses?.repository == Self.runtimeAction { runtimeExposed.insert(ObjectIdentifier(run)) }
            for build in builds(of: step, in: file) {
                // A `run:` step's build gets the gha cache service only when an earlier step exposed the runtime
                // or the step's env passes its token; otherwise buildx drops the gha entries (BXC501).
                let hasRuntime = !build.isCommandLine || runtimeExposed.contains(ObjectIdentifier(run))
                    || stepCtx.env["ACTIONS_RUNTIME_TOKEN"] != nil
                buildRuns.append(Self.buildRun(sr, build, hasRuntime: hasRuntime))
            }
            if let uses = step.uses, uses.isLocal, depth < Self.maxDepth, let path = uses.path {
                let dir = Self.normalize(path)
                let action = files[RepoPath(dir + "/action.yml")] ?? files[RepoPath(dir + "/action.yaml")]
                    ?? files[RepoPath(dir.isEmpty ? "action.yml" : dir)]
                if let action, case .action(let a)? = action.document, a.isComposite {
                    var inner = stepCtx
                    inner.inputs = Self.inputs(defaults: a.inputs.map { ($0.name, $0.defaultValue) }, with: step.with, ctx: stepCtx)
                    let who = "composite action \(action.path.display) used by \(run.file.path.display) job `\(run.job.id)`"
                    walkSteps(a.steps, file: action, run: run, ctx: &inner, order: &order, via: who, depth: depth + 1)
                    // `$GITHUB_ENV` writes inside the action reach the job's later steps.
                    ctx.env = inner.env
                    ctx.envFallback = inner.envFallback
                }
            }
            // `$GITHUB_ENV` writes of a run step reach later steps.
            // Only scripts that mention $GITHUB_ENV can write it (the interpreter is not cheap).
            if let script = step.run?.scalar, mayRun, script.hasSubstring("GITHUB_ENV") {
                let stepEnv = stepCtx.env
                let analysis = GitHubEnvWrites.analyze(run: script, stepEnv: stepEnv, ctx: stepCtx, shell: step.shell)
                for (name, value) in analysis.effective { ctx.env[name] = value }
                if analysis.hasUnreadableWrite {
                    ctx.envFallback = .unknown("an earlier step writes $GITHUB_ENV in a way the linter does not read")
                }
            }
        }
    }

    /// Whether `item` is exactly one symbol marker (`⟨inputs.cache-to⟩`).
    static func isOneMarker(_ item: String) -> Bool {
        let scalars = item.unicodeScalars
        guard scalars.first == "\u{27E8}", scalars.last == "\u{27E9}" else { return false }
        return scalars.filter { $0 == "\u{27E8}" }.count == 1
    }

    /// The action that exposes ACTIONS_RUNTIME_TOKEN and the cache URL to later shell steps.
    static let runtimeAction = "crazy-max/ghaction-github-runtime"

    /// Evaluates a build step in its context. Without the Actions runtime (`hasRuntime` false: a `run:` step
    /// nothing exposed it to), gha entries without their own `url` and `token` have no locations: buildx
    /// drops them, so they write and read nothing.
    static func buildRun(_ sr: StepRun, _ build: BuildStep, hasRuntime: Bool = true) -> BuildRun {
        func locations(_ e: CacheEntry, _ direction: CacheDirection) -> [CacheLocation]? {
            if !hasRuntime, e.type == "gha", !e.ghaHasCredentials { return [] }
            return CacheLocation.of(e, direction: direction)
        }
        var imports: [EvaluatedCacheEntry] = []
        var exports: [EvaluatedCacheEntry] = []
        switch build.kind {
        case .buildPush:
            for direction in [CacheDirection.import, .export] {
                let written = build.entries(direction)
                guard let raw = build.step.input(direction.rawValue)?.value.scalar else { continue }
                var evaluated: [EvaluatedCacheEntry] = []
                if !raw.hasSubstring("${{") {
                    // A literal value: the static entries are the evaluated ones.
                    evaluated = written.filter { !$0.entry.isEmpty && !$0.entry.text.hasPrefix("#") }.map {
                        EvaluatedCacheEntry(source: $0, entry: $0.entry, locations: CacheLocation.of($0.entry, direction: direction))
                    }
                } else if let text = sr.evaluate(raw) {
                    let items = ActionListSplitter.newlineOnly.split(text).map(\.text)
                    let aligned = items.count == written.count
                    for (i, item) in items.enumerated() where !item.hasPrefix("#") {
                        let source = aligned ? written[i] : written.first
                        // A whole entry that is one value fixed for the run but not known here (`${{ inputs.cache-to }}`
                        // walked without a caller) is not a registry ref named after it: its form is unknown.
                        if Self.isOneMarker(item) {
                            evaluated.append(EvaluatedCacheEntry(source: source, entry: nil, locations: nil))
                            continue
                        }
                        let e = CacheEntry(item)
                        evaluated.append(EvaluatedCacheEntry(source: source, entry: e, locations: CacheLocation.of(e, direction: direction)))
                    }
                } else {
                    evaluated = written.map { EvaluatedCacheEntry(source: $0, entry: nil, locations: nil) }
                    if written.isEmpty { evaluated = [EvaluatedCacheEntry(source: nil, entry: nil, locations: nil)] }
                }
                if direction == .import { imports = evaluated } else { exports = evaluated }
            }
        case .bake, .cliBuild, .cliBake:
            for be in build.entries {
                let text = sr.evaluate(be.entry.text)
                let e = text.map(CacheEntry.init)
                let ev = EvaluatedCacheEntry(source: be, entry: e, locations: e.flatMap { locations($0, be.direction) })
                if be.direction == .import { imports.append(ev) } else { exports.append(ev) }
            }
            // `set:` lines computed as a whole: evaluated, then read as overrides.
            for line in build.computedSetLines {
                if let text = sr.evaluate(line) {
                    guard let o = BakeOverride(text), o.attribute == "cache-from" || o.attribute == "cache-to" else { continue }
                    let direction: CacheDirection = o.attribute == "cache-from" ? .import : .export
                    let e = CacheEntry(o.value)
                    let ev = EvaluatedCacheEntry(source: nil, entry: e, locations: CacheLocation.of(e, direction: direction))
                    if direction == .import { imports.append(ev) } else { exports.append(ev) }
                } else if line.hasSubstring("cache-to") {
                    exports.append(EvaluatedCacheEntry(source: nil, entry: nil, locations: nil))
                } else if line.hasSubstring("cache-from") {
                    imports.append(EvaluatedCacheEntry(source: nil, entry: nil, locations: nil))
                }
            }
        }
        // What is built: the inputs that change the image, evaluated.
        var keyParts: [String] = []
        var known = true
        func unknown() {
            known = false
            keyParts.append(BuildRun.unknownPart)
        }
        let inputs: [String]
        switch build.kind {
        case .buildPush: inputs = ["platforms", "target", "file", "context", "build-args", "build-contexts"]
        case .bake: inputs = ["targets", "files", "workdir", "source"]
        case .cliBuild, .cliBake: inputs = []
        }
        if let command = build.command {
            for f in command.flags where ["platform", "file", "target", "build-arg", "set", "build-context"].contains(f.name) {
                guard let v = f.value, !(f.name == "set" && (v.text.hasSubstring(".cache-from") || v.text.hasSubstring(".cache-to"))) else { continue }
                if !v.hasExpansion, let s = sr.evaluate(v.text) { keyParts.append("\(f.name)=\(s)") } else { unknown() }
            }
            for p in command.positionals {
                if !p.hasExpansion, let s = sr.evaluate(p.text) { keyParts.append(s) } else { unknown() }
            }
        }
        for name in inputs {
            guard let v = build.step.input(name)?.value.scalar else { continue }
            if let s = sr.evaluate(v) { keyParts.append("\(name)=\(s)") } else { unknown() }
        }
        if build.kind == .bake, let v = build.step.input("set")?.value.scalar {
            if let s = sr.evaluate(v) {
                // Split on the byte: a String split compares Characters, costly on every leg of every build.
                let lines = s.utf8.split(separator: 0x0A).map { Substring($0) }.filter { !$0.hasSubstring(".cache-from") && !$0.hasSubstring(".cache-to") }
                keyParts.append("set=" + lines.joined(separator: "\n"))
            } else {
                unknown()
            }
        }
        var platforms: [String]? = nil
        if let command = build.command {
            let values = command.values("platform")
            if !values.isEmpty, !values.contains(where: \.hasExpansion) {
                let evaluated = values.compactMap { sr.evaluate($0.text) }
                if evaluated.count == values.count { platforms = evaluated.flatMap { $0.utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0)) } } }
            }
        } else if let v = build.step.input("platforms")?.value.scalar, let s = sr.evaluate(v) {
            platforms = ActionListSplitter.commaAndNewline.split(s).map(\.text)
        }
        if !build.statesPlatforms {
            // The native platform of the runner: legs on different runners build different platforms.
            if let r = sr.run.runsOn { keyParts.append("runs-on=\(r)") } else if sr.run.job.runsOn != nil { unknown() }
        }
        return BuildRun(
            stepRun: sr, build: build, imports: imports, exports: exports, buildKey: known ? keyParts.joined(separator: "\n") : nil,
            partialKey: known ? nil : keyParts,
            platforms: platforms, hasRuntime: hasRuntime)
    }
}
