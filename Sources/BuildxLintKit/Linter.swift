import Dispatch

/// What one lint run found.
public struct LintResult: Sendable {
    /// Findings in report order (path, line, column, rule).
    public let diagnostics: [Diagnostic]
    /// Number of files linted.
    public let fileCount: Int
    /// The text of every linted file, for reporters that print source lines.
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
        do {
            let yaml = try YAMLParser.parse(text)
            return FileAnalysis(path: path, kind: kind, yaml: yaml)
        } catch let error as YAMLError {
            return FileAnalysis(path: path, kind: kind, text: text, parseError: error)
        } catch {
            return FileAnalysis(path: path, kind: kind, text: text, parseError: YAMLError(message: "\(error)", position: text.position(ofOffset: 0)))
        }
    }

    /// Runs every rule on one analysed file; severities are the rules' defaults.
    public static func check(
        _ file: FileAnalysis, options: LintOptions, repository: RepositoryAnalysis = .empty, rules: [any Rule] = RuleRegistry.all
    ) -> [Diagnostic] {
        let context = RuleContext(file: file, options: options, repository: repository)
        return rules.flatMap { $0.check(context) }
    }

    /// Lints `files`: each selected by `selection` (or, when listed in `explicit`, guessed from its content).
    ///
    /// Three phases: every file is parsed and analysed (on all cores); the repository-wide flow (matrix
    /// legs, jobs, composite actions, reusable workflows) is built from all of them; then the rules run
    /// per file (on all cores). Suppression comments and the configuration apply last.
    /// - Parameters:
    ///   - files: path + content from a source (work tree, index, revision, folder).
    ///   - explicit: when non-nil, only these paths are reported (the pre-commit framework's file arguments);
    ///     the other files are still read, for cross-file rules.
    /// - Returns: the findings, sorted for reporting.
    public static func lint(
        files: [SourceFile], options: LintOptions = LintOptions(), selection: Selection = .default,
        explicit: Set<RepoPath>? = nil
    ) -> LintResult {
        let files = files.filter { !options.config.ignores($0.path) }
        // Phase 1: parse and analyse.
        var analysed = [Prepared?](repeating: nil, count: files.count)
        analysed.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeMutableSendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: files.count) { i in
                out[i] = prepare(files[i], options: options, selection: selection, isExplicit: explicit?.contains(files[i].path) ?? false)
            }
        }
        let prepared = analysed.compactMap { $0 }
        // Phase 2: the repository-wide flow.
        let repository = RepositoryAnalysis(files: prepared.compactMap(\.analysis))
        // Phase 3: rules, suppressions, configuration.
        let reported = prepared.filter { explicit?.contains($0.path) ?? true }
        var results = [[Diagnostic]](repeating: [], count: reported.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeMutableSendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: reported.count) { i in
                let p = reported[i]
                var found = p.early
                if let a = p.analysis {
                    found += check(a, options: options, repository: repository).map { BakeCacheEntryFormatRule.relabel($0, kind: a.kind) }
                    found = Suppressions(text: a.text, root: a.yaml?.root).apply(found, path: a.path)
                }
                out[i] = options.config.apply(found)
            }
        }
        var diagnostics = results.flatMap { $0 }
        diagnostics.sort(by: Diagnostic.reportOrder)
        // A step reached twice (a YAML alias reused in two jobs) gives identical findings: keep one.
        var seen = Set<Diagnostic>()
        diagnostics = diagnostics.filter { seen.insert($0).inserted }
        var texts: [RepoPath: SourceText] = [:]
        for p in reported { texts[p.path] = p.text }
        return LintResult(diagnostics: diagnostics, fileCount: reported.count, texts: texts)
    }

    /// One file after phase 1: its analysis, or findings that stand without one (too large).
    struct Prepared: Sendable {
        let path: RepoPath
        let text: SourceText
        let analysis: FileAnalysis?
        let early: [Diagnostic]
    }

    static func prepare(_ file: SourceFile, options: LintOptions, selection: Selection, isExplicit: Bool) -> Prepared? {
        switch file.content {
        case .tooLarge(let size):
            let rule = ParseErrorRule().description
            let text = SourceText([UInt8]())
            let d = Diagnostic(
                ruleID: rule.id, ruleName: rule.name, severity: rule.severity, path: file.path,
                span: SourceSpan(at: text.position(ofOffset: 0)),
                message: "file is \(size) bytes, over the \(options.maxFileSize)-byte limit; it was not checked",
                help: "Raise the limit with --max-file-size if this file really is a workflow.")
            return Prepared(path: file.path, text: text, analysis: nil, early: [d])
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
        if !bytes.contains(where: { $0 >= 0x80 }) { return nil }
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

/// A buffer that concurrentPerform's iterations write to at distinct indices.
struct UnsafeMutableSendableBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutableBufferPointer<T>
    init(_ base: UnsafeMutableBufferPointer<T>) { self.base = base }
    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}
