/// BXC502 cli-cache-flag-word-splitting: an unquoted `--cache-from $VAR` whose value holds spaces or
/// newlines.
///
/// Facts: the shell splits an unquoted expansion on whitespace (POSIX "Field Splitting"), so the flag
/// gets only the first word and the rest become positional arguments (buildx errors) or are lost.
public struct CLICacheFlagWordSplittingRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC502", name: "cli-cache-flag-word-splitting", severity: .warning,
        summary: "An unquoted `--cache-from $VAR` / `--cache-to $VAR` whose value (from `env:`) holds spaces or newlines.",
        rationale: "Word splitting passes only the first word to the flag; the others become positional arguments (buildx fails with \"requires exactly 1 argument\") or are lost.",
        sources: ["POSIX Shell Command Language §2.6.5 (field splitting)", "docker/buildx commands/build.go (flags)"],
        triggering: [
            RuleExample(
                "on: push\nenv:\n  CACHE: |\n    type=gha,scope=a\n    type=gha,scope=b\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker buildx build --cache-from $CACHE .\n",
                lines: [10])
        ],
        nonTriggering: [
            RuleExample(
                "on: push\nenv:\n  CACHE: type=gha,scope=a\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker buildx build --cache-from \"$CACHE\" .\n")
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for job in context.file.jobs {
            for build in job.builds where build.isCommandLine {
                guard let command = build.command, let offsets = build.scriptOffsets else { continue }
                for f in command.flags where f.name == "cache-from" || f.name == "cache-to" {
                    guard let v = f.value, v.unquotedExpansion else { continue }
                    // `$VAR` or `${VAR}` alone.
                    var name = v.text.dropFirst()
                    if name.hasPrefix("{") && name.hasSuffix("}") { name = name.dropFirst().dropLast() }
                    guard v.text.hasPrefix("$"), name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                        let value = build.scope.literalEnv(String(name)), value.trimmingSpaces.contains(where: { $0 == " " || $0 == "\n" || $0 == "\t" })
                    else { continue }
                    let span = context.file.text.span(of: v.range, through: offsets)
                    out.append(
                        diagnostic(
                            context, span,
                            "`\(v.text)` is unquoted and `\(name)` holds several words, so `--\(f.name)` gets only the first and the rest become separate arguments",
                            help: "Quote the value and pass one `--\(f.name)` per entry, e.g. `--\(f.name) \"type=…\" --\(f.name) \"type=…\"`."))
                }
            }
        }
        return out
    }
}
