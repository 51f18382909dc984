/// BXC301 buildx-version-unpinned: setup-buildx-action without `version:`, or with `latest`/`edge`
/// (also through `env`), or a build with no setup-buildx-action at all.
///
/// Facts: without `version:` setup-buildx-action uses the runner's preinstalled buildx, which the runner
/// image updates without notice; `latest` follows `buildx-releases.json` (docker/setup-buildx-action
/// `src/main.ts`, docker/actions-toolkit `src/buildx/install.ts`). A runner auto-upgrade broke
/// pi-hole/docker-pi-hole's publish job (PR #1987). zizmor flags a pinned `version:` with the default
/// `cache-binary: true` in release workflows (cache poisoning), hence `cache-binary: false` there.
public struct BuildxVersionUnpinnedRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC301", name: "buildx-version-unpinned", severity: .warning,
        summary: "setup-buildx-action without `version:`, or `latest`/`edge` (also through env); a build job with no setup-buildx-action.",
        rationale: """
            Without a pinned `version:` the job uses whatever buildx the runner image ships (or the newest release), \
            which changes without notice; cache behaviour and commands such as `imagetools create` have changed in \
            patch releases. Pin a release and update it deliberately.
            """,
        sources: [
            "docker/setup-buildx-action src/main.ts", "docker/actions-toolkit src/buildx/install.ts",
            "pi-hole/docker-pi-hole PR #1987", "zizmor cache-poisoning audit (cache-binary)",
        ],
        triggering: [
            RuleExample(Examples.setupOnly("driver: docker-container"), lines: [6]),
            RuleExample(Examples.setupOnly("version: latest"), lines: [8]),
            // Through an expression: a matrix leg whose value is `latest`.
            RuleExample(
                "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        buildx: [v0.21.1, latest]\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: ${{ matrix.buildx }}\n",
                lines: [11]),
        ],
        nonTriggering: [
            RuleExample(Examples.setupOnly("version: v0.21.1")),
            RuleExample(
                "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        buildx: [v0.21.1, v0.22.0]\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: ${{ matrix.buildx }}\n"),
        ])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let pin = ReleaseFacts.latestStableBuildx
        // A reusable workflow publishes when a workflow that calls it does (dozzle's deploy.yml on `v*` tags
        // calls _tests.yml).
        let publishingCaller = context.repository.jobRuns(inWorkflow: context.file.path).first { (run: JobRun) in
            run.rootPath != context.file.path && (context.repository.files[run.rootPath]?.workflow?.publishesOnTagsOrReleases ?? false)
        }?.rootPath
        let ownTriggers = context.file.workflow?.publishesOnTagsOrReleases ?? false
        let publishes = ownTriggers || publishingCaller != nil
        let publisher = ownTriggers ? "This workflow publishes" : "\(publishingCaller?.display ?? "A caller"), which calls this workflow, publishes"
        for job in context.file.jobs {
            for setup in job.setups {
                let step = setup.step
                let cacheBinarySince = Self.cacheBinaryFirstRelease(step)
                var binaryNote = ""
                if publishes && step.input("cache-binary") == nil {
                    binaryNote = "\n\(publisher) on tags or releases: "
                        + (cacheBinarySince.map { "once the step uses setup-buildx-action \($0) or later (the first with the input), " } ?? "")
                        + "also set `cache-binary: false`, so a release build does not run a buildx binary restored from the Actions cache, which runs on the default branch can write too."
                }
                switch setup.versionValue {
                case .absent:
                    guard let uses = step.usesNode else { continue }
                    var lines = ["version: \(pin)"]
                    // Only where the pinned release has the input (earlier ones ignore it, and BXC308 reports it).
                    if binaryNote != "", cacheBinarySince == nil { lines.append("cache-binary: false") }
                    out.append(
                        diagnostic(
                            context, uses.valueSpan,
                            "setup-buildx-action has no `version:`, so the job uses whatever buildx the runner image ships, which changes without notice",
                            // Under an existing `with:` only the new inputs are pasted (a second `with:` is a duplicate key).
                            help: (step.withNode != nil
                                ? "Pin a buildx release: add under the step's `with:`\n" + lines.joined(separator: "\n")
                                : "Pin a buildx release:\nwith:\n" + lines.map { "  " + $0 }.joined(separator: "\n")) + binaryNote,
                            fixes: Self.insertFix(context, step, lines)))
                case .floating(let word):
                    guard let version = setup.version, let span = setup.versionSpan else { continue }
                    let via = version.via.map { " (through \($0))" } ?? ""
                    var edits = [TextEdit(span: version.origin.valueSpan, replacement: pin)]
                    // The `cache-binary: false` the help asks for, on the line after `version:` in this step.
                    if binaryNote != "", cacheBinarySince == nil, let key = step.input("version")?.key,
                        step.withNode?.collectionStyle == .block, span.start.line == span.end.line,
                        let insert = Self.lineAfter(span.end.line, in: context.file.text)
                    {
                        let indent = String(repeating: " ", count: key.span.start.column - 1)
                        edits.append(TextEdit(span: SourceSpan(at: insert), replacement: indent + "cache-binary: false\n"))
                    }
                    out.append(
                        diagnostic(
                            context, span,
                            "buildx `version: \(word)`\(via) moves to each new \(word == "edge" ? "commit" : "release") without notice",
                            help: "Pin a buildx release: `version: \(pin)`" + (version.via != nil ? " (set it where the value is defined, line \(version.origin.span.start.line))" : "") + binaryNote
                                + (word == "latest" && Self.runsSelfHosted(job) ? Self.selfHostedNote : ""),
                            fixes: [Fix(title: "Pin buildx \(pin)", edits: edits)]))
                case .unknown:
                    // Written with an expression (`version: ${{ matrix.buildx }}`): a leg whose value is floating.
                    guard let span = setup.versionSpan, let written = step.input("version")?.value.scalar else { continue }
                    guard let (leg, word) = context.stepRuns(of: step).lazy.compactMap({ sr in sr.input("version").flatMap(Self.floatingWord).map { (sr, $0) } }).first
                    else { continue }
                    let which = leg.run.hasMatrix && !leg.run.legLabel.isEmpty ? " in leg `\(leg.run.legLabel)`" : ""
                    out.append(
                        diagnostic(
                            context, span,
                            "buildx `version: \(written)` is `\(word)`\(which), which moves to each new \(word == "edge" ? "commit" : "release") without notice",
                            help: "Pin a buildx release where the value is defined (`\(pin)` instead of `\(word)`)." + binaryNote))
                default:
                    continue
                }
            }
            // A workflow job that builds with no setup-buildx-action before the build at all.
            guard !job.isCompositeAction, job.setups.isEmpty else { continue }
            for build in job.builds where !build.isCommandLine {
                guard let uses = build.step.usesNode else { continue }
                // A `builder:` input, a local action or a `docker buildx create` step may set up buildx in
                // ways this rule cannot see: unknown, so not reported.
                let earlier = job.steps.prefix { $0.index < build.step.index }
                let maybeSetUp = build.step.input("builder") != nil
                    || earlier.contains(where: \.maySetUpBuilder)
                guard !maybeSetUp else { break }
                out.append(
                    diagnostic(
                        context, uses.valueSpan,
                        "this job builds without docker/setup-buildx-action, so it uses the runner's preinstalled buildx (and the docker driver), which changes without notice",
                        help: "Add a pinned setup step before the build:\n- uses: docker/setup-buildx-action@v3\n  with:\n    version: \(pin)"))
                break
            }
        }
        return out
    }

    /// Docker's gha-migration note (docs `ci/github-actions/cache.md`) recommends `version: latest` on
    /// self-hosted runners: where that is the reason, the finding is for the configuration to silence.
    static let selfHostedNote = "\nThis job runs on a self-hosted runner, where Docker's cache documentation recommends `version: latest`; if that is why, suppress this finding (`# buildx-lint: ignore[BXC301]`) or lower BXC301's severity in the configuration."

    /// `latest` or `edge` when `value` (an evaluated `version:`) is one of them, else nil.
    static func floatingWord(_ value: String) -> String? {
        if case .floating(let word) = BuildxVersionValue(text: value, hasExpression: false) { return word }
        return nil
    }

    /// The start of the line after `line`, or nil when `line` is the last.
    static func lineAfter(_ line: Int, in text: SourceText) -> SourcePosition? {
        let next = text.position(line: line + 1, column: 1)
        return next.line == line + 1 ? next : nil
    }

    /// Whether the job's `runs-on` names the `self-hosted` label (as a string or a list item).
    static func runsSelfHosted(_ job: JobAnalysis) -> Bool {
        guard let node = job.job?.runsOn else { return false }
        let labels = node.items?.compactMap(\.scalar) ?? node.scalar.map { [$0] } ?? node["labels"]?.items?.compactMap(\.scalar) ?? []
        return labels.contains { $0.lowercased() == "self-hosted" }
    }

    /// The first setup-buildx-action release with a `cache-binary` input when the step pins an earlier
    /// release, else nil (the input exists, or the release is not known).
    static func cacheBinaryFirstRelease(_ step: Step) -> Version? {
        guard let uses = step.uses, let action = uses.repository, ReleaseFacts.knowsInputs(of: action), let ref = uses.ref,
            let release = ReleaseFacts.release(of: action, ref: ref),
            case .notInThisRelease(let first, _) = ReleaseFacts.status(of: "cache-binary", action: action, version: release)
        else { return nil }
        return first
    }

    /// Inserts `lines` under the step's `with:` (creating it when absent), when the step is a block mapping.
    static func insertFix(_ context: RuleContext, _ step: Step, _ lines: [String]) -> [Fix] {
        let text = context.file.text
        guard step.node.collectionStyle == .block, let usesPair = step.node.pair("uses") else { return [] }
        let keyIndent = String(repeating: " ", count: usesPair.key.span.start.column - 1)
        if let with = step.withNode {
            guard with.collectionStyle == .block, let first = with.pairs?.first else { return [] }
            let indent = String(repeating: " ", count: first.key.span.start.column - 1)
            let at = text.position(line: first.key.span.start.line, column: 1)
            return [Fix(title: "Pin buildx", edits: [TextEdit(span: SourceSpan(at: at), replacement: lines.map { indent + $0 + "\n" }.joined())])]
        }
        // No `with:`: add it after the `uses:` line.
        guard let after = lineAfter(usesPair.value.span.end.line, in: text) else { return [] }
        let block = keyIndent + "with:\n" + lines.map { keyIndent + "  " + $0 + "\n" }.joined()
        return [Fix(title: "Pin buildx", edits: [TextEdit(span: SourceSpan(at: after), replacement: block)])]
    }
}
