/// BXC503 platform-pair-non-bash: bash-only parameter expansion (`${platform//\//-}`) in a step run by `sh`.
///
/// Facts: POSIX sh has no `${var//pat/rep}` and fails with "Bad substitution" (POSIX §2.6.2); GitHub runs
/// `run:` with `sh` when `shell: sh` is set (GitHub Docs "defaults.run.shell"); the docs' PLATFORM_PAIR idiom
/// is bash (docs `multi-platform.md`).
public struct PlatformPairNonBashRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC503", name: "platform-pair-non-bash", severity: .warning,
        summary: "A bash-only expansion such as `${platform//\\//-}` in a `run:` step whose shell is `sh`.",
        rationale: "POSIX sh fails with \"Bad substitution\", so PLATFORM_PAIR is never set: every leg then shares one cache location (BXC101) or the artifact name is invalid (BXC201).",
        sources: ["POSIX Shell Command Language §2.6.2", "GitHub Docs: jobs.<job_id>.steps[*].shell", "docs ci/github-actions/multi-platform.md"],
        triggering: [
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - shell: sh\n        run: |\n          platform=linux/amd64\n          echo \"PLATFORM_PAIR=${platform//\\//-}\" >> $GITHUB_ENV\n",
                lines: [7])
        ],
        nonTriggering: [
            RuleExample(
                "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          platform=linux/amd64\n          echo \"PLATFORM_PAIR=${platform//\\//-}\" >> $GITHUB_ENV\n")
        ])

    /// The shell that runs `step` in `job`: the step's, else the job's or workflow's `defaults.run.shell`.
    static func shell(_ step: Step, _ job: Job?, _ workflow: Workflow?) -> String? {
        if let s = step.shell { return s }
        if let s = job?.node["defaults"]?["run"]?["shell"]?.scalar { return s }
        if let s = workflow?.node["defaults"]?["run"]?["shell"]?.scalar { return s }
        return nil
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (job, step) in context.steps {
            guard let run = step.run, let script = run.scalar, script.hasSubstring("${") else { continue }
            let shell = Self.shell(step, job.job, context.file.workflow)
            guard let sh = shell?.split(separator: " ").first, sh == "sh" || sh.hasSuffix("/sh") || sh == "dash" else { continue }
            let expansions = GitHubEnvWrites.bashOnlyExpansions(script: script)
            guard let first = expansions.first else { continue }
            let key = step.node.pair("run")?.key.span ?? run.span
            out.append(
                diagnostic(
                    context, key,
                    "`\(first)` is bash syntax, but this step runs with `\(shell!)`: POSIX sh fails with \"Bad substitution\", so the variable is never set",
                    help: "Run the step with `shell: bash`, or use POSIX tools: `echo \"PLATFORM_PAIR=$(echo \"$platform\" | tr / -)\" >> \"$GITHUB_ENV\"`."))
        }
        return out
    }
}
