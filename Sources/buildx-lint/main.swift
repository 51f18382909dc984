import ArgumentParser
import BuildxLintKit
#if canImport(CMimalloc)
// Linked for its malloc and free, which replace the C library's for the whole process (Package.swift).
import CMimalloc
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Output formats of the CLI.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, github
}

/// `--fail-on` levels: the lowest severity that makes the exit status 1.
enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case error, warning, info, never

    var severity: Severity? {
        switch self {
        case .error: .error
        case .warning: .warning
        case .info: .info
        case .never: nil
        }
    }
}

/// Colour choice for text output.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

struct BuildxLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "buildx-lint",
        abstract: "Find mistakes in Docker Buildx cache configuration in GitHub Actions workflows, composite actions, bake and compose files.",
        discussion: """
            Without a subcommand it lints (`lint` is the default): buildx-lint [PATH ...] [--staged | --rev REV] \
            [--format text|json|sarif|github] [--fail-on LEVEL] ... Run `buildx-lint help lint` for every option.
            """,
        version: BuildxLint.version,
        subcommands: [Lint.self, Explain.self, Rules.self, InstallHook.self],
        defaultSubcommand: Lint.self)
}

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Lint a repository (the default command).",
        discussion: """
            With no PATH, lints the git repository that contains the current directory (its working tree: tracked \
            files plus untracked files that are not ignored). A folder PATH lints the whole repository that contains it \
            (or walks the folder when it is in none); file PATHs lint just those files.

            Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage error, no repository, internal error.
            """)

    @Argument(help: "A repository folder, or files to lint (as the pre-commit framework passes them).")
    var paths: [String] = []

    @Flag(help: "Lint the blobs staged in the index (honours GIT_INDEX_FILE, as git's pre-commit hook sets it).")
    var staged = false

    @Option(help: "Lint the tree of a revision (HEAD, a branch, a tag, a commit).")
    var rev: String?

    @Option(help: "Output format: text, json, sarif (SARIF 2.1.0 for code scanning) or github (workflow-command annotations).")
    var format: OutputFormat = .text

    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1: error, warning, info, never (default: warning, or the configuration's fail-on).")
    var failOn: FailOn?

    @Option(name: .customLong("min-buildx-version"), help: "BXC306's minimum buildx version (default: v0.14.0, or the configuration's).")
    var minBuildxVersion: String?

    @Option(help: "Read the configuration from this file instead of .buildx-lint.yml in the linted source.")
    var config: String?

    @Flag(name: .customLong("no-config"), help: "Ignore any configuration file.")
    var noConfig = false

    @Option(help: "Findings recorded in this baseline file do not fail the run and are not shown.")
    var baseline: String?

    @Option(name: .customLong("write-baseline"), help: "Write every current finding to this baseline file (atomically) and exit 0.")
    var writeBaseline: String?

    @Option(name: .customLong("max-file-size"), parsing: .unconditional, help: "Files larger than this many bytes are reported (BXC000) and skipped.")
    var maxFileSize: Int = Linter.defaultMaxFileSize

    @Option(help: "Colour in text output: auto (a terminal without NO_COLOR), always, never.")
    var color: ColorChoice = .auto

    func validate() throws {
        if staged && rev != nil { throw ValidationError("--staged and --rev cannot be used together.") }
        if let m = minBuildxVersion, Version(m, requireV: true)?.precision != 3 {
            throw ValidationError("--min-buildx-version must look like v0.14.0, not '\(m)'.")
        }
        if maxFileSize < 1 { throw ValidationError("--max-file-size must be positive.") }
        if config != nil && noConfig { throw ValidationError("--config and --no-config cannot be used together.") }
        if baseline != nil && writeBaseline != nil { throw ValidationError("--baseline and --write-baseline cannot be used together.") }
        // A mistyped subcommand (`explian BXC001`) would otherwise be read as a missing file.
        if let first = paths.first, !first.contains("/"), access(first, F_OK) != 0,
            let near = Self.subcommandNames.first(where: { Self.editDistance($0, first) <= 2 })
        {
            throw ValidationError("'\(first)' is neither a file nor a subcommand; did you mean `buildx-lint \(near)`?")
        }
    }

    /// The subcommands' names, as the root command declares them.
    static var subcommandNames: [String] { BuildxLintCommand.configuration.subcommands.map { $0._commandName } }

    /// Levenshtein distance (small words only).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard !x.isEmpty, !y.isEmpty else { return max(x.count, y.count) }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count]
    }

    func run() throws {
        Trace.mark("start")
        var options = LintOptions()
        options.maxFileSize = maxFileSize
        // JSON and GitHub output print no source lines: let each file's text go once it is checked.
        options.keepTexts = !(format == .json || format == .github) || baseline != nil || writeBaseline != nil
        let mode: SourceMode = staged ? .staged : rev.map { .revision($0) } ?? .worktree
        var result: LintResult
        var threshold = FailOn.warning
        var baselined = 0
        do {
            var input = try SourceResolver.resolve(paths: paths, mode: mode, maxFileSize: maxFileSize)
            Trace.mark("source (\(input.files.count) files)")
            for note in input.notes { printErr("buildx-lint: \(note)") }
            options.githubOwner = input.githubOwner
            // Configuration: --config file, else the one in the linted source, unless --no-config.
            var configFile = input.config
            if let path = config {
                guard let bytes = readWholeFile(path) else {
                    printErr("buildx-lint: cannot read the configuration file \(path) (it must be a readable regular file of at most 16 MiB)")
                    throw ExitCode(2)
                }
                configFile = (path, bytes)
            }
            if let (path, bytes) = configFile, !noConfig {
                do {
                    options.config = try ConfigParser.parse(bytes, path: path, knownRules: Set(RuleRegistry.all.map(\.description.id)))
                } catch {
                    for e in error.errors { printErr("buildx-lint: \(e)") }
                    throw ExitCode(2)
                }
            }
            options.minBuildxVersion = minBuildxVersion.flatMap { Version($0) } ?? options.config.minBuildxVersion ?? options.minBuildxVersion
            threshold = failOn ?? options.config.failOn.flatMap(FailOn.init(rawValue:)) ?? .warning
            // Hand the files over: the linter frees each one's bytes once it is checked (unless texts are kept).
            let files = input.files
            input.files = []
            result = Linter.lint(files: consume files, options: options, explicit: input.explicit)
            #if os(Linux)
            // The per-file analyses are freed by now: hand their pages back before the report is built.
            _ = glibcMallocTrim(0)
            #endif
            if let path = writeBaseline {
                let entries = Baseline.fingerprints(result.diagnostics, texts: result.texts)
                guard writeFileAtomically(path, Baseline.render(entries)) else {
                    printErr("buildx-lint: cannot write the baseline file \(path)")
                    throw ExitCode(2)
                }
                printErr("buildx-lint: wrote \(entries.count) finding\(entries.count == 1 ? "" : "s") to \(path)")
                return
            }
            if let path = baseline {
                guard let bytes = readWholeFile(path) else {
                    printErr("buildx-lint: cannot read the baseline file \(path) (it must be a readable regular file of at most 16 MiB)")
                    throw ExitCode(2)
                }
                let (kept, n) = try Baseline.parse(bytes, path: path).filter(result.diagnostics, texts: result.texts)
                baselined = n
                result = LintResult(diagnostics: kept, fileCount: result.fileCount, texts: result.texts)
            }
        } catch let e as SourceError {
            printErr("buildx-lint: \(e.message)")
            throw ExitCode(2)
        }
        if baselined > 0 { printErr("buildx-lint: \(baselined) finding\(baselined == 1 ? " is" : "s are") in the baseline and not shown") }
        switch format {
        case .json:
            JSONReporter.write(result.diagnostics, toolVersion: BuildxLint.version) { writeOut($0) }
        case .sarif:
            writeOut(
                SARIFReporter.render(
                    result.diagnostics, rules: RuleRegistry.all.map(\.description), toolVersion: BuildxLint.version,
                    informationUri: BuildxLint.homepage, ruleHelpBaseURI: BuildxLint.homepage + "/blob/main/docs/rules/",
                    texts: result.texts))
        case .github:
            writeOut(GitHubReporter.render(result.diagnostics))
        case .text:
            let useColor: Bool
            switch color {
            case .always: useColor = true
            case .never: useColor = false
            case .auto: useColor = isatty(1) == 1 && (getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true)
            }
            writeOut(TextReporter(color: useColor).render(result))
        }
        Trace.mark("output")
        if let threshold = threshold.severity, result.diagnostics.contains(where: { $0.severity >= threshold }) {
            throw ExitCode(1)
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Explain a rule: what it catches, why, an example and its sources.")

    @Argument(help: "A rule id or name, such as BXC001 or packed-cache-entries.")
    var id: String

    @Flag(help: "Print the rule's Markdown page (as in docs/rules/).")
    var markdown = false

    func run() throws {
        guard let rule = RuleRegistry.rule(id) else {
            printErr("buildx-lint: no rule '\(id)'; `buildx-lint rules` lists them")
            throw ExitCode(2)
        }
        writeOut(markdown ? RuleDocs.markdown(rule.description) : RuleDocs.explain(rule.description))
    }
}

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "List every rule with its id, name, default severity and summary.")

    func run() throws {
        writeOut(RuleDocs.table(RuleRegistry.all.map(\.description)))
    }
}

/// The largest configuration, baseline or hook file read (bytes).
let maxOwnFileSize = 16 << 20

/// Reads a whole regular file of at most `maxOwnFileSize` bytes; nil when it cannot be opened or read, is not a
/// regular file (a FIFO would block and a device such as /dev/zero never ends) or is larger.
func readWholeFile(_ path: String) -> [UInt8]? {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is then rejected as not a regular file).
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) <= maxOwnFileSize else { return nil }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &buf, buf.count)
        if n < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if n == 0 { return out }
        out.append(contentsOf: buf[0..<n])
        if out.count > maxOwnFileSize { return nil }
    }
}

/// Writes `content` to `path` through a temporary file in the same folder and a rename, so readers
/// never see a half-written file. A symlink is written through (the file it names is replaced and the link
/// stays); anything else that is not a regular file (a device, a FIFO, a folder) is left alone and the
/// write fails. The temporary file is created exclusively, so an existing file or link of that name is
/// never followed.
func writeFileAtomically(_ path: String, _ content: String, mode: mode_t = 0o644) -> Bool {
    var target = path
    var st = stat()
    if lstat(path, &st) == 0 {
        if st.st_mode & S_IFMT == S_IFLNK {
            guard let real = realpath(path, nil) else { return false }
            target = String(cString: real)
            free(real)
        }
        guard stat(target, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return false }
    }
    let tmp = target + ".tmp-\(getpid())"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return false }
    let bytes = Array(content.utf8)
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
        if n < 0, errno == EINTR { continue }
        guard n > 0 else { break }
        written += n
    }
    let closed = close(fd) == 0
    guard written == bytes.count, closed, chmod(tmp, mode) == 0, rename(tmp, target) == 0 else {
        unlink(tmp)
        return false
    }
    return true
}

struct InstallHook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-hook",
        abstract: "Install the git pre-commit hook that lints what is staged.",
        discussion: "Writes the hook into the repository's hooks folder (core.hooksPath when set). An existing hook that is not buildx-lint's is left alone unless --force, which replaces it and keeps a copy as pre-commit.buildx-lint-backup (the old hook then no longer runs).")

    @Argument(help: "A folder inside the repository.")
    var path: String = "."

    @Flag(help: "Replace a pre-commit hook that is not buildx-lint's (a backup is kept).")
    var force = false

    func run() throws {
        let hooks: String
        do {
            hooks = try GitRepository.discover(from: path).hooksDirectory()
        } catch let e as SourceError {
            printErr("buildx-lint: \(e.message)")
            throw ExitCode(2)
        }
        let target = hooks + "/pre-commit"
        if let existing = readWholeFile(target) {
            let text = String(decoding: existing, as: UTF8.self)
            if text == HookScript.preCommit {
                print("buildx-lint: the pre-commit hook is already installed at \(target)")
                return
            }
            if !text.contains(HookScript.marker) {
                guard force else {
                    printErr("buildx-lint: \(target) exists and is not buildx-lint's hook; rerun with --force to replace it (a backup is kept)")
                    throw ExitCode(2)
                }
                guard writeFileAtomically(target + ".buildx-lint-backup", text, mode: 0o755) else {
                    printErr("buildx-lint: cannot back up \(target)")
                    throw ExitCode(2)
                }
            }
        }
        mkdir(hooks, 0o755)
        guard writeFileAtomically(target, HookScript.preCommit, mode: 0o755) else {
            printErr("buildx-lint: cannot write \(target)")
            throw ExitCode(2)
        }
        print("buildx-lint: installed the pre-commit hook at \(target)")
        // The hook runs `$BUILDX_LINT` or `buildx-lint` from PATH: say so now rather than at the next commit.
        // (An empty BUILDX_LINT counts as unset, as in the hook's `${BUILDX_LINT:-buildx-lint}`.)
        if getenv("BUILDX_LINT").map({ $0.pointee == 0 }) ?? true, !Self.isOnPath("buildx-lint") {
            let me = Self.executablePath() ?? "the buildx-lint binary"
            printErr(
                "buildx-lint: note: buildx-lint is not on PATH, so the hook cannot run it yet (every commit would be blocked): "
                    + "copy \(me) to a folder on PATH, or set BUILDX_LINT=\(me) in the environment git runs in")
        }
    }

    /// Whether an executable file `name` is in one of PATH's folders (looked up, never run).
    static func isOnPath(_ name: String) -> Bool {
        guard let path = getenv("PATH").map({ String(cString: $0) }) else { return false }
        return path.split(separator: ":", omittingEmptySubsequences: false).contains { dir in
            access((dir.isEmpty ? "." : String(dir)) + "/" + name, X_OK) == 0
        }
    }

    /// This process's executable, absolute, when the system says.
    static func executablePath() -> String? {
        #if os(Linux)
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        return n > 0 ? String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
        #else
        return CommandLine.arguments.first
        #endif
    }
}

#if os(Linux)
/// glibc's `malloc_trim` (not in the Glibc module): returns free heap pages of every arena to the system.
@_silgen_name("malloc_trim")
func glibcMallocTrim(_ pad: Int) -> Int32
#endif

func writeOut(_ s: String) {
    var text = s
    text.withUTF8 { writeOut($0) }
}

func writeOut(_ buf: UnsafeBufferPointer<UInt8>) {
    var off = 0
    while off < buf.count {
        let n = write(1, buf.baseAddress! + off, buf.count - off)
        if n <= 0 { break }
        off += n
    }
}

func printErr(_ s: String) {
    var line = s + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

// libgit2's set-up runs while the arguments are parsed.
GitRepository.warmUp()

// swift-argument-parser exits 64 for usage errors; this tool's contract is 2. Every way out waits for the
// warm-up first (exiting during libgit2's set-up crashes).
do {
    var command = try BuildxLintCommand.parseAsRoot()
    try command.run()
    GitRepository.finishWarmUp()
} catch {
    GitRepository.finishWarmUp()
    let code = BuildxLintCommand.exitCode(for: error)
    if code == .success {
        BuildxLintCommand.exit(withError: error)
    }
    if code.rawValue == 1 { exit(1) }
    let message = BuildxLintCommand.fullMessage(for: error)
    if !message.isEmpty { printErr(message) }
    exit(2)
}
