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
    public static func check(_ file: FileAnalysis, options: LintOptions, rules: [any Rule] = RuleRegistry.all) -> [Diagnostic] {
        let context = RuleContext(file: file, options: options)
        return rules.flatMap { $0.check(context) }
    }

    /// Lints `files`: each selected by `selection` (or, when listed in `explicit`, guessed from its content).
    ///
    /// - Parameters:
    ///   - files: path + content from a source (work tree, index, revision, folder).
    ///   - explicit: when non-nil, only these paths are reported (the pre-commit framework's file arguments).
    /// - Returns: the findings, sorted for reporting. Files are parsed and checked on all cores.
    public static func lint(
        files: [SourceFile], options: LintOptions = LintOptions(), selection: Selection = .default,
        explicit: Set<RepoPath>? = nil
    ) -> LintResult {
        let chosen = files.filter { explicit?.contains($0.path) ?? true }
        var results = [([Diagnostic], SourceText?)](repeating: ([], nil), count: chosen.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeMutableSendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: chosen.count) { i in
                out[i] = lintOne(chosen[i], options: options, selection: selection, isExplicit: explicit != nil)
            }
        }
        var diagnostics: [Diagnostic] = []
        var texts: [RepoPath: SourceText] = [:]
        var count = 0
        for (i, (d, text)) in results.enumerated() {
            diagnostics.append(contentsOf: d)
            if let text {
                texts[chosen[i].path] = text
                count += 1
            }
        }
        diagnostics.sort(by: Diagnostic.reportOrder)
        return LintResult(diagnostics: diagnostics, fileCount: count, texts: texts)
    }

    static func lintOne(_ file: SourceFile, options: LintOptions, selection: Selection, isExplicit: Bool) -> ([Diagnostic], SourceText?) {
        switch file.content {
        case .tooLarge(let size):
            if options.config.ignores(file.path) { return ([], nil) }
            let rule = ParseErrorRule().description
            let text = SourceText([UInt8]())
            return (
                [
                    Diagnostic(
                        ruleID: rule.id, ruleName: rule.name, severity: rule.severity, path: file.path,
                        span: SourceSpan(at: text.position(ofOffset: 0)),
                        message: "file is \(size) bytes, over the \(options.maxFileSize)-byte limit; it was not checked",
                        help: "Raise the limit with --max-file-size if this file really is a workflow.")
                ], text
            )
        case .bytes(let bytes):
            var kind = selection.kind(of: file.path)
            if kind == nil, isExplicit {
                let probe = analyse(path: file.path, kind: .workflow, bytes: bytes)
                kind = Selection.guessKind(of: file.path, root: probe.yaml?.root) ?? (probe.parseError != nil ? .workflow : nil)
            }
            guard let kind, !options.config.ignores(file.path) else { return ([], nil) }
            let analysis = analyse(path: file.path, kind: kind, bytes: bytes)
            let suppressions = Suppressions(text: analysis.text, root: analysis.yaml?.root)
            let found = suppressions.apply(check(analysis, options: options), path: file.path)
            return (options.config.apply(found), analysis.text)
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
