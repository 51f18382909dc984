import ArgumentParser
import BuildxLintKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Output formats of the CLI.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
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
        abstract: "Find mistakes in Docker Buildx cache configuration in GitHub Actions workflows and actions.",
        version: BuildxLint.version,
        subcommands: [Lint.self, Explain.self, Rules.self],
        defaultSubcommand: Lint.self)
}

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lint a repository (the default command).",
        discussion: """
            With no PATH, lints the git repository that contains the current directory (its working tree: tracked \
            files plus untracked files that are not ignored). A folder PATH lints that repository (or walks the folder \
            when it is not one); file PATHs lint just those files.

            Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage error, no repository, internal error.
            """)

    @Argument(help: "A repository folder, or files to lint (as the pre-commit framework passes them).")
    var paths: [String] = []

    @Flag(help: "Lint the blobs staged in the index (honours GIT_INDEX_FILE, as git's pre-commit hook sets it).")
    var staged = false

    @Option(help: "Lint the tree of a revision (HEAD, a branch, a tag, a commit).")
    var rev: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1: error, warning, info, never.")
    var failOn: FailOn = .warning

    @Option(name: .customLong("min-buildx-version"), help: "BXC306's minimum buildx version.")
    var minBuildxVersion: String = "v0.14.0"

    @Option(name: .customLong("max-file-size"), help: "Files larger than this many bytes are reported (BXC000) and skipped.")
    var maxFileSize: Int = Linter.defaultMaxFileSize

    @Option(help: "Colour in text output: auto (a terminal without NO_COLOR), always, never.")
    var color: ColorChoice = .auto

    func validate() throws {
        if staged && rev != nil { throw ValidationError("--staged and --rev cannot be used together.") }
        guard let v = Version(minBuildxVersion), v.precision == 3 else {
            throw ValidationError("--min-buildx-version must look like v0.14.0, not '\(minBuildxVersion)'.")
        }
        if maxFileSize < 1 { throw ValidationError("--max-file-size must be positive.") }
    }

    func run() throws {
        var options = LintOptions()
        options.minBuildxVersion = Version(minBuildxVersion)!
        options.maxFileSize = maxFileSize
        let mode: SourceMode = staged ? .staged : rev.map { .revision($0) } ?? .worktree
        let result: LintResult
        do {
            let input = try SourceResolver.resolve(paths: paths, mode: mode, maxFileSize: maxFileSize)
            for note in input.notes { printErr("buildx-lint: \(note)") }
            result = Linter.lint(files: input.files, options: options, explicit: input.explicit)
        } catch let e as SourceError {
            printErr("buildx-lint: \(e.message)")
            throw ExitCode(2)
        }
        switch format {
        case .json:
            writeOut(JSONReporter.render(result.diagnostics, toolVersion: BuildxLint.version))
        case .text:
            let useColor: Bool
            switch color {
            case .always: useColor = true
            case .never: useColor = false
            case .auto: useColor = isatty(1) == 1 && (getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true)
            }
            writeOut(TextReporter(color: useColor).render(result))
        }
        if let threshold = failOn.severity, result.diagnostics.contains(where: { $0.severity >= threshold }) {
            throw ExitCode(1)
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Explain a rule: what it catches, why, an example and its sources.")

    @Argument(help: "A rule id such as BXC001.")
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
    static let configuration = CommandConfiguration(abstract: "List every rule with its id, name, default severity and summary.")

    func run() throws {
        writeOut(RuleDocs.table(RuleRegistry.all.map(\.description)))
    }
}

func writeOut(_ s: String) {
    var text = s
    text.withUTF8 { buf in
        var off = 0
        while off < buf.count {
            let n = write(1, buf.baseAddress! + off, buf.count - off)
            if n <= 0 { break }
            off += n
        }
    }
}

func printErr(_ s: String) {
    var line = s + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

// swift-argument-parser exits 64 for usage errors; this tool's contract is 2.
do {
    var command = try BuildxLintCommand.parseAsRoot()
    try command.run()
} catch {
    let code = BuildxLintCommand.exitCode(for: error)
    if code == .success {
        BuildxLintCommand.exit(withError: error)
    }
    if code.rawValue == 1 { exit(1) }
    let message = BuildxLintCommand.fullMessage(for: error)
    if !message.isEmpty { printErr(message) }
    exit(2)
}
