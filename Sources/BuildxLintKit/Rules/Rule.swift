/// A small repository used as a rule example: files by path, and the 1-based lines where the rule
/// must report (empty for an example the rule must leave alone).
public struct RuleExample: Sendable {
    /// The example's files: repository path and content.
    public let files: [(path: String, content: String)]
    /// 1-based lines of the first file where the rule must report (empty: it must not report).
    public let lines: [Int]
    /// The file the expected lines refer to (the first file).
    public var path: String { files[0].path }

    /// A one-file example. `path` defaults to a workflow.
    public init(_ content: String, path: String = ".github/workflows/ci.yml", lines: [Int] = []) {
        self.files = [(path, content)]
        self.lines = lines
    }

    /// A several-file example; `lines` refer to the first file.
    public init(files: [(path: String, content: String)], lines: [Int] = []) {
        self.files = files
        self.lines = lines
    }
}

/// Everything a rule states about itself in one place: identity, default severity, why, where the
/// facts come from, and examples that tests run and docs print.
public struct RuleDescription: Sendable {
    /// `BXC001`
    public let id: String
    /// `packed-cache-entries`
    public let name: String
    /// Default severity (configuration can change it).
    public let severity: Severity
    /// One line: what the rule catches.
    public let summary: String
    /// Why it matters, in a few sentences.
    public let rationale: String
    /// Where the facts come from: source paths, docs pages, issue numbers.
    public let sources: [String]
    /// Examples the rule must report, at their `lines`.
    public let triggering: [RuleExample]
    /// Examples the rule must leave alone (including the fixed form of each triggering example).
    public let nonTriggering: [RuleExample]
}

/// Options that change what rules report.
public struct LintOptions: Sendable {
    /// BXC306's minimum buildx version.
    public var minBuildxVersion: Version = Version("v0.14.0")!
    /// Files larger than this many bytes are reported (BXC000) and not parsed.
    public var maxFileSize: Int = Linter.defaultMaxFileSize
    /// The project configuration (severities, ignored paths).
    public var config = LintConfig()
    /// Whether `LintResult.texts` holds every reported file's text (for reporters that print source lines,
    /// and baselines). Off, the texts are released as soon as each file is checked.
    public var keepTexts = true
    /// The GitHub owner of the linted repository (from its `origin` remote), when known: what
    /// `github.repository_owner` is in its own runs (BXC014).
    public var githubOwner: String? = nil
    /// Default options.
    public init() {}
}

/// What a rule sees: one analysed file and the options. Rules never read files or print.
public struct RuleContext: Sendable {
    /// The file being checked.
    public let file: FileAnalysis
    /// Options that change what rules report.
    public let options: LintOptions
    /// The whole repository's flow (jobs, legs, steps, builds); rules report only on `file`.
    public let repository: RepositoryAnalysis
    /// Every build step of the file (build-push-action and bake-action), in order.
    public let builds: [BuildStep]
    /// Every cache entry of the file that is not empty, not a whole `${{ }}` expression, and not a `#`
    /// line (BXC006 reports those; checking them as entries would only add noise).
    public let cacheEntries: [(build: BuildStep?, entry: BuildCacheEntry)]

    /// Every step of every job (or of the composite action), with its job.
    public let steps: [(job: JobAnalysis, step: Step)]

    /// Build runs and step runs whose step is written in this file (every leg and caller).
    public let buildRuns: [BuildRun]
    public let stepRuns: [StepRun]

    /// The runs of `step` (each leg and caller), in walk order.
    public func stepRuns(of step: Step) -> [StepRun] { stepRuns.filter { $0.step === step } }

    /// Computes what many rules share once per file.
    public init(file: FileAnalysis, options: LintOptions, repository: RepositoryAnalysis = .empty) {
        self.file = file
        self.options = options
        self.repository = repository
        buildRuns = repository.buildRuns(in: file.path)
        stepRuns = repository.stepRuns(in: file.path)
        steps = file.allSteps
        builds = file.jobs.flatMap(\.builds)
        let keep: (BuildCacheEntry) -> Bool = { !$0.entry.isEmpty && !$0.entry.isWholeExpression && !$0.entry.text.hasPrefix("#") }
        cacheEntries = builds.flatMap { b in b.entries.filter(keep).map { (Optional(b), $0) } }
            + file.bakeEntries.filter(keep).map { (nil, $0) }
    }
}

/// A lint rule: one file per rule under `Rules/`.
public protocol Rule: Sendable {
    var description: RuleDescription { get }
    /// The rule's findings for one file.
    func check(_ context: RuleContext) -> [Diagnostic]
    /// Findings that depend on what the rest of the repository writes, judged once every file has been
    /// analysed (BXC109, BXC110). The default is none.
    func pending(_ context: RuleContext) -> [PendingFinding]
}

extension Rule {
    public func pending(_ context: RuleContext) -> [PendingFinding] { [] }
}

extension Rule {
    /// A finding of this rule at `span` of the context's file.
    func diagnostic(
        _ context: RuleContext, _ span: SourceSpan, _ message: String, help: String? = nil, fixes: [Fix] = [],
        severity: Severity? = nil
    ) -> Diagnostic {
        Diagnostic(
            ruleID: description.id, ruleName: description.name, severity: severity ?? description.severity,
            path: context.file.path, span: span, message: message, help: help, fixes: fixes)
    }
}

/// All rules, in id order.
public enum RuleRegistry {
    /// Every rule, sorted by id.
    public static let all: [any Rule] = [
        ParseErrorRule(),
        PackedCacheEntriesRule(),
        DuplicateCacheAttributeRule(),
        WhitespaceInCacheEntryRule(),
        FoldedScalarListInputRule(),
        SequenceAsActionInputRule(),
        CommentInsideBlockInputRule(),
        MalformedCacheEntryRule(),
        UnknownCacheTypeRule(),
        AttributeWrongDirectionRule(),
        InlineCacheImportRule(),
        InvalidCacheModeRule(),
        DuplicateCacheExportRule(),
        RegistryCacheRefEqualsImageRule(),
        RegistryRefUppercaseRule(),
        InlineModeMaxRule(),
        EmptyStringFallbackExpressionRule(),
        MatrixSharedGHAScopeRule(),
        MatrixSharedRegistryRefRule(),
        PlatformInRefTagRule(),
        MergeJobMissingPlatformCacheRule(),
        MultiNodeSingleCacheExportRule(),
        MatrixValueOutsideMatrixRule(),
        ActionsCacheKeyNotPerPlatformRule(),
        GHAScopeReusedAcrossImagesRule(),
        CacheImportNeverWrittenRule(),
        ArtifactNameInvalidCharRule(),
        ArtifactNameNotUniqueRule(),
        HiddenCacheDirNotUploadedRule(),
        MergeMultipleLocalCachesRule(),
        LocalCachePathMismatchRule(),
        CacheConsumerWithoutNeedsRule(),
        ArtifactActionMajorMismatchRule(),
        CacheArtifactMissingFilesIgnoredRule(),
        LocalCacheExportNotPersistedRule(),
        LocalCacheUnboundedGrowthRule(),
        BuildxVersionUnpinnedRule(),
        BuildxTooOldForGHAv2Rule(),
        BuildKitImageTooOldForGHAv2Rule(),
        BuildKitImageUnpinnedRule(),
        InvalidBuildxVersionStringRule(),
        BuildxBelowMinimumRule(),
        FeatureNeedsNewerBuildxRule(),
        UnknownOrRemovedActionInputRule(),
        MutableActionRefRule(),
        DockerDriverCacheExportRule(),
        BakeTargetsShareCacheToRule(),
        BakeCacheNotListRule(),
        BakeSetReplacesCacheRule(),
        BakeLocalCacheEntitlementRule(),
        BakeVariableScopeUnsetRule(),
        BakeActionGitContextIgnoresEditsRule(),
        BakeCacheEntryFormatRule(),
        ComposeXBakeCacheStringRule(),
        GHACacheInRunStepRule(),
        CLICacheFlagWordSplittingRule(),
        PlatformPairNonBashRule(),
        UnusedSuppressionRule(),
    ].sorted { $0.description.id < $1.description.id }

    /// The rule with id or name `id` (`BXC001`, `packed-cache-entries`; case-insensitive), or nil.
    public static func rule(_ id: String) -> (any Rule)? {
        all.first { $0.description.id.caseInsensitiveCompare(id) || $0.description.name.caseInsensitiveCompare(id) }
    }
}

extension String {
    fileprivate func caseInsensitiveCompare(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
