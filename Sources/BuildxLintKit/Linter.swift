import Dispatch

/// What one lint run found.
public struct LintResult: Sendable {
    /// Findings in report order (path, line, column, rule).
    public let diagnostics: [Diagnostic]
    /// Number of files linted.
    public let fileCount: Int
    /// The text of every linted file, for reporters that print source lines (empty when
    /// `LintOptions.keepTexts` is off).
    public let texts: [RepoPath: SourceText]

    /// A result from its parts (findings are expected in report order).
    public init(diagnostics: [Diagnostic], fileCount: Int, texts: [RepoPath: SourceText]) {
        self.diagnostics = diagnostics
        self.fileCount = fileCount
        self.texts = texts
    }
}

/// The one way through: source files → parse → analysis → rules → diagnostics.
public enum Linter {
    /// Default size limit: files above it are reported (BXC000) and not parsed.
    public static let defaultMaxFileSize = 4 << 20

    /// Parses and analyses one file of `kind`. Never throws: a parse failure becomes the analysis's `parseError`.
    public static func analyse(path: RepoPath, kind: FileKind, bytes: [UInt8]) -> FileAnalysis {
        let text = SourceText(bytes)
        if let bad = firstInvalidUTF8(text.bytes) {
            return FileAnalysis(
                path: path, kind: kind, text: text,
                parseError: YAMLError(message: "not valid UTF-8 (byte 0x\(String(text.bytes[bad], radix: 16)))", position: text.position(ofOffset: bad)))
        }
        if kind == .bake || kind == .compose { return FileAnalysis.bakeOrCompose(path: path, kind: kind, text: text) }
        do throws(YAMLError) {
            let yaml = try YAMLParser.parse(text)
            return FileAnalysis(path: path, kind: kind, yaml: yaml)
        } catch {
            return FileAnalysis(path: path, kind: kind, text: text, parseError: error)
        }
    }

    /// Runs every rule on one analysed file; severities are the rules' defaults. Findings that depend on
    /// the whole repository (`Rule.pending`) are judged with the facts of `repository` alone.
    public static func check(
        _ file: FileAnalysis, options: LintOptions, repository: RepositoryAnalysis = .empty, rules: [any Rule] = RuleRegistry.all
    ) -> [Diagnostic] {
        let context = RuleContext(file: file, options: options, repository: repository)
        let facts = RepositoryFacts(repository)
        return rules.flatMap { $0.check(context) } + judge(rules.flatMap { $0.pending(context) }, facts: facts)
    }

    /// Lints `files`: each selected by `selection` (or, when listed in `explicit`, guessed from its content).
    ///
    /// Most workflows stand alone: they call no reusable workflow or composite action of the repository
    /// and none calls them. Each of those goes through parse → model → flow → rules on one core and is
    /// released as soon as it is checked, which keeps memory flat however many workflows there are. The
    /// other files (bake, compose and action files, reusable workflows and their callers) are analysed
    /// together afterwards. Findings that depend on what the whole repository writes (`Rule.pending`) are
    /// judged last with the merged `RepositoryFacts`, then suppression comments and the configuration apply.
    /// - Parameters:
    ///   - files: path + content from a source (work tree, index, revision, folder).
    ///   - explicit: when non-nil, only these paths are reported (the pre-commit framework's file arguments);
    ///     the other files are still read, for cross-file rules.
    /// - Returns: the findings, sorted for reporting.
    public static func lint(
        files: consuming [SourceFile], options: LintOptions = LintOptions(), selection: Selection = .default,
        explicit: Set<RepoPath>? = nil
    ) -> LintResult {
        lint(files: files, options: options, selection: selection, explicit: explicit, streaming: true)
    }

    /// `lint`; with `streaming` false every file goes through phase 3 together (the reference that tests
    /// compare the streamed results with).
    static func lint(
        files given: consuming [SourceFile], options: LintOptions, selection: Selection, explicit: Set<RepoPath>?, streaming: Bool
    ) -> LintResult {
        var files = given.filter { !options.config.ignores($0.path) }
        let isReported: (RepoPath) -> Bool = { explicit?.contains($0) ?? true }
        // Workflows named by another file (`uses: ./.github/workflows/x.yml`) are callees: analysed with the rest.
        // So is every workflow that mentions `workflow_call` (a reusable workflow must declare it), which also
        // catches callees that a caller names in a form the byte scan misses (YAML escapes such as `\/`).
        // Both byte scans read every file: on all cores.
        let scans = parallelMap(files) { f -> (paths: [RepoPath], mentionsCall: Bool) in
            guard case .bytes(let bytes) = f.content else { return ([], false) }
            return (workflowPaths(in: bytes), mentionsWorkflowCall(bytes))
        }
        let callees = Set(scans.flatMap(\.paths))
        var sharedFiles: [SourceFile] = []
        var standalone: [FileSlot] = []
        for (f, scan) in zip(files, scans) {
            if streaming, case .bytes = f.content, selection.kind(of: f.path) == .workflow, !callees.contains(f.path),
                !scan.mentionsCall
            {
                standalone.append(FileSlot(f))
            } else {
                sharedFiles.append(f)
            }
        }
        files = []

        // Phase 1: the files others may read (bake, compose, actions, callees), parsed on all cores.
        var shared = parallelMap(sharedFiles) { f in
            prepare(f, options: options, selection: selection, isExplicit: explicit?.contains(f.path) ?? false)
        }.compactMap { $0 }
        var lookup: [RepoPath: FileAnalysis] = [:]
        for p in shared { if let a = p.analysis { lookup[p.path] = a } }
        Trace.mark("shared files (\(shared.count))")

        // Phase 2: stand-alone workflows, each from bytes to findings on one core.
        var outcomes = parallelMap(standalone) { slot -> Standalone? in
            // Taken out of its slot: once checked, nothing holds the file's bytes (unless its text is kept).
            let f = slot.take()
            guard let p = prepare(f, options: options, selection: selection, isExplicit: explicit?.contains(f.path) ?? false) else { return nil }
            guard let a = p.analysis else { return .checked(FileResult(p, found: p.early, keepText: options.keepTexts), nil, [], []) }
            // A caller of the repository's reusable workflows or composite actions joins phase 3.
            if a.callsLocalFiles { return .deferred(p) }
            let repository = RepositoryAnalysis(walking: [a], lookup: lookup)
            // Bake files this workflow's invocations write into are checked in phase 3.
            let external = repository.bakeSharedExports.filter { $0.invocation != nil && $0.writers.contains { $0.item.file != a.path.display } }
            let result = isReported(a.path) ? checkFile(p, a, options: options, repository: repository) : nil
            return .checked(result, RepositoryFacts.Part(repository), external, BakeInvocations.resolvedGroups(repository.bakeInvocations))
        }
        var results: [FileResult] = []
        var facts = RepositoryFacts()
        var external: [BakeSharedExport] = []
        var resolvedGroups = Set<BakeInvocations.ResolvedGroup>()
        for case let outcome? in outcomes {
            switch outcome {
            case .checked(let r, let f, let e, let g):
                if let r { results.append(r) }
                if let f { facts.merge(f) }
                external += e
                resolvedGroups.formUnion(g)
            case .deferred(let p):
                shared.append(p)
                lookup[p.path] = p.analysis
            }
        }
        outcomes = []
        Trace.mark("stand-alone workflows (\(standalone.count))")

        // Phase 3: the rest together (callers, callees, actions, bake and compose files).
        do {
            let analysed = shared.compactMap(\.analysis)
            let repository = RepositoryAnalysis(
                walking: analysed, lookup: lookup, extraBakeSharedExports: external, extraResolvedGroups: resolvedGroups)
            facts.merge(RepositoryFacts.Part(repository))
            results += parallelMap(shared.filter { isReported($0.path) }) { p in
                p.analysis.map { checkFile(p, $0, options: options, repository: repository) } ?? FileResult(p, found: p.early, keepText: options.keepTexts)
            }
        }
        shared = []
        lookup = [:]
        Trace.mark("other files")

        // Phase 4: repository-wide judgements, suppressions, configuration; each file's findings sorted on all
        // cores. In path order, the files' sorted lists make the sorted whole (checked: a finding placed in
        // another file than its own would need the full sort).
        results.sort { $0.path < $1.path }
        let final = parallelMap(results) { r -> [Diagnostic] in
            var found = r.found + judge(r.pending, facts: facts).map { BakeCacheEntryFormatRule.relabel($0, kind: r.kind) }
            if let s = r.suppressions { found = s.apply(found, path: r.path) }
            return options.config.apply(found).sorted(by: Diagnostic.reportOrder)
        }
        var texts: [RepoPath: SourceText] = [:]
        for r in results { if let t = r.text { texts[r.path] = t } }
        let fileCount = results.count
        results = []
        var diagnostics = final.flatMap { $0 }
        if zip(diagnostics, diagnostics.dropFirst()).contains(where: { Diagnostic.reportOrder($1, $0) }) {
            diagnostics.sort(by: Diagnostic.reportOrder)
        }
        Trace.mark("judge and sort")
        return LintResult(diagnostics: Self.unique(diagnostics), fileCount: fileCount, texts: texts)
    }

    /// `sorted` (in report order) without repeats: a step reached twice (a YAML alias reused in two jobs)
    /// gives identical findings. Identical findings sort next to each other or among findings at the
    /// same place, so each is compared with that run only.
    static func unique(_ sorted: [Diagnostic]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        out.reserveCapacity(sorted.count)
        var runStart = 0
        for d in sorted {
            if let last = out.last, Diagnostic.reportOrder(last, d) { runStart = out.count }
            if out[runStart...].contains(d) { continue }
            out.append(d)
        }
        return out
    }

    /// A file waiting for phase 2; the iteration that checks it takes it out.
    final class FileSlot: @unchecked Sendable {
        private var file: SourceFile?
        init(_ file: SourceFile) { self.file = file }
        /// The file, leaving the slot empty (each slot is taken once, by one iteration).
        func take() -> SourceFile {
            defer { file = nil }
            return file!
        }
    }

    /// What phase 2 made of one stand-alone workflow.
    enum Standalone: Sendable {
        /// Checked (nil when not reported), with its facts, the bake-file shared exports it found and the bake
        /// groups its invocations resolve.
        case checked(FileResult?, RepositoryFacts.Part?, [BakeSharedExport], Set<BakeInvocations.ResolvedGroup>)
        /// It calls local workflows or actions: analysed in phase 3.
        case deferred(Prepared)
    }

    /// One checked file: what phase 4 needs once its analysis is gone.
    struct FileResult: Sendable {
        let path: RepoPath
        let kind: FileKind
        /// The file's text, for reporters that print source lines (nil when `LintOptions.keepTexts` is off).
        let text: SourceText?
        let found: [Diagnostic]
        let pending: [PendingFinding]
        let suppressions: Suppressions?

        init(_ p: Prepared, found: [Diagnostic], pending: [PendingFinding] = [], suppressions: Suppressions? = nil, keepText: Bool) {
            path = p.path
            kind = p.analysis?.kind ?? .workflow
            // A file that was not read (over the size limit) has no lines to show.
            text = keepText && p.analysis != nil ? p.text : nil
            // Held until every file is checked: no spare capacity.
            self.found = found.isEmpty ? [] : found.withUnsafeBufferPointer { Array($0) }
            self.pending = pending
            self.suppressions = suppressions
        }
    }

    /// Runs every rule on one file.
    static func checkFile(_ p: Prepared, _ a: FileAnalysis, options: LintOptions, repository: RepositoryAnalysis) -> FileResult {
        let context = RuleContext(file: a, options: options, repository: repository)
        var found = p.early
        var pending: [PendingFinding] = []
        let relabels = a.kind == .bake || a.kind == .compose
        for rule in RuleRegistry.all {
            // Most rules find nothing in most files: no array is made or appended for them.
            let f = rule.check(context)
            if !f.isEmpty { found += relabels ? f.map { BakeCacheEntryFormatRule.relabel($0, kind: a.kind) } : f }
            let p = rule.pending(context)
            if !p.isEmpty { pending += p }
        }
        if a.text.usesCRLF { found = found.map { $0.withCRLFFixes() } }
        let suppressions = Suppressions(text: a.text, root: a.yaml?.root)
        return FileResult(
            p, found: found, pending: pending.isEmpty ? [] : pending.withUnsafeBufferPointer { Array($0) },
            suppressions: suppressions.directives.isEmpty ? nil : suppressions, keepText: options.keepTexts)
    }

    /// Judges pending findings in order; of several at one place (rule, file, offset) the first confirmed is kept.
    static func judge(_ pending: [PendingFinding], facts: RepositoryFacts) -> [Diagnostic] {
        struct Place: Hashable {
            let ruleID: String
            let offset: Int
            let path: RepoPath
        }
        var out: [Diagnostic] = []
        var done = Set<Place>()
        for p in pending {
            let key = Place(ruleID: p.ruleID, offset: p.offset, path: p.path)
            guard !done.contains(key), let d = p.judge(facts) else { continue }
            done.insert(key)
            out.append(d)
        }
        return out
    }

    /// Paths of workflows that some file names in a local `uses:` (found by a byte scan for
    /// `.github/workflows/`, so a mention in a comment or a `paths:` filter counts too: harmless).
    static func referencedWorkflows(_ files: [SourceFile]) -> Set<RepoPath> {
        var out = Set<RepoPath>()
        for f in files {
            if case .bytes(let bytes) = f.content { out.formUnion(workflowPaths(in: bytes)) }
        }
        return out
    }

    /// The workflow paths one file's bytes name (`referencedWorkflows` for one file).
    static func workflowPaths(in bytes: [UInt8]) -> [RepoPath] {
        let needle = Array(".github/workflows/".utf8)
        guard bytes.count >= needle.count else { return [] }
        var out: [RepoPath] = []
        bytes.withUnsafeBufferPointer { buf in
            var i = 0
            while let at = needle.withUnsafeBufferPointer({ firstOffset(of: $0, in: buf, from: i) }) {
                var end = at + needle.count
                while end < buf.count, !Self.endsUsesPath(buf[end]) { end += 1 }
                i = end
                // As the flow walk reads `uses:`: trailing slashes do not count.
                while end > at + needle.count, buf[end - 1] == UInt8(ascii: "/") { end -= 1 }
                if end > at + needle.count { out.append(RepoPath(bytes: Array(buf[at..<end]))) }
            }
        }
        return out
    }

    /// Whether the bytes contain `workflow_call` (anywhere: a comment counts too, which only keeps the file
    /// for phase 3).
    static func mentionsWorkflowCall(_ bytes: [UInt8]) -> Bool { bytes[...].containsBytes("workflow_call") }

    static func endsUsesPath(_ b: UInt8) -> Bool {
        switch b {
        case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "@"), UInt8(ascii: "#"),
            UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
            return true
        default:
            return false
        }
    }

    /// One file after phase 1: its analysis, or findings that stand without one (too large).
    struct Prepared: Sendable {
        let path: RepoPath
        let text: SourceText
        let analysis: FileAnalysis?
        let early: [Diagnostic]
    }

    /// A file that was not read: no text, one BXC000 finding at its start.
    static func notChecked(_ path: RepoPath, _ message: String, help: String) -> Prepared {
        let rule = ParseErrorRule().description
        let text = SourceText([UInt8]())
        let d = Diagnostic(
            ruleID: rule.id, ruleName: rule.name, severity: rule.severity, path: path,
            span: SourceSpan(at: text.position(ofOffset: 0)), message: message, help: help)
        return Prepared(path: path, text: text, analysis: nil, early: [d])
    }

    static func prepare(_ file: SourceFile, options: LintOptions, selection: Selection, isExplicit: Bool) -> Prepared? {
        switch file.content {
        case .tooLarge(let size):
            return notChecked(
                file.path, "file is \(size) bytes, over the \(options.maxFileSize)-byte limit; it was not checked",
                help: "Raise the limit with --max-file-size if this file really is a workflow.")
        case .unreadable(let reason):
            return notChecked(
                file.path, "the file cannot be read (\(reason)); it was not checked",
                help: "Make the file readable by the user running the linter (for a missing blob, fetch the repository's objects).")
        case .bytes(let bytes):
            var kind = selection.kind(of: file.path)
            if kind == nil, isExplicit {
                let probe = analyse(path: file.path, kind: .workflow, bytes: bytes)
                kind = Selection.guessKind(of: file.path, root: probe.yaml?.root) ?? (probe.parseError != nil ? .workflow : nil)
            }
            guard let kind else { return nil }
            let analysis = analyse(path: file.path, kind: kind, bytes: bytes)
            return Prepared(path: file.path, text: analysis.text, analysis: analysis, early: [])
        }
    }

    /// Offset of the first byte that breaks UTF-8, or nil when the bytes are valid UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        // Fast path: ASCII.
        if bytes.withUnsafeBufferPointer(allASCII) { return nil }
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s):
                offset += UTF8.width(s)
            case .emptyInput:
                return nil
            case .error:
                return offset
            }
        }
    }
}
