/// BXC307 feature-needs-newer-buildx: cache syntax that the job's pinned buildx (or BuildKit image) does not know.
///
/// Checked against the `version:` of the job's setup-buildx-action (only a pinned release; `latest`, a missing
/// version or an expression say nothing about the version), and for the last item its `driver-opts` image:
/// - a bake override with `+=` (`*.cache-from+=…` in bake-action `set:` or `docker buildx bake --set`):
///   buildx ≥ v0.22.0 (release notes, buildx #3031);
/// - a bake override that empties a cache list (`*.cache-to=`): buildx v0.20.0 to v0.21.1 do not skip the
///   empty entry (regression of commit 11c84973e, fixed by e75ac22ba in v0.21.2);
/// - a comma-separated list of refs (`u/app:a,u/app:b`): buildx v0.20.0 fails with "invalid value" (fixed in
///   v0.20.1, buildx #2944);
/// - `reset=` on a local cache export: buildx ≥ v0.35.0, whose BuildKit client honours it (earlier ones ignore it
///   and the folder keeps growing; reference §3.1, BuildKit commit d14a00065) — a warning, as BXC210;
/// - bake-action `call:`: buildx ≥ v0.16.0 (bake-action `src/context.ts`, reference §1.4);
/// - several cache exports of one build with a BuildKit image (`driver-opts: image=moby/buildkit:…`) older than
///   v0.11.0: "specifying multiple cache exports is not supported currently" (BuildKit `control/control.go`
///   at v0.10.0; multiple exports came with v0.11.0, moby/buildkit #3024).
///
/// Not checked yet (reference §5, BXC307): object-form cache entries and `reset=` written in a bake file (the
/// entry is in the bake file, the version in the workflow). bake-action `vars:` (buildx ≥ v0.31.0 per the
/// reference) is left out: the input table (`../shared/data/actions/inputs.tsv`) has no such input, so BXC308
/// reports it as unknown.
public struct FeatureNeedsNewerBuildxRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC307", name: "feature-needs-newer-buildx", severity: .error,
        summary: "Cache syntax that the job's pinned buildx or BuildKit does not know (`+=` overrides before buildx v0.22.0, an emptied cache list in v0.20.0–v0.21.1, comma-separated refs in v0.20.0, `reset=` before v0.35.0, bake-action `call:` before v0.16.0, several cache exports before BuildKit v0.11.0).",
        rationale: "The pinned buildx rejects the syntax (the step fails) or reads it differently from the documentation the workflow was written against.",
        sources: [
            "docker/buildx release notes v0.20.0, v0.20.1 (#2944), v0.21.2 (commit e75ac22ba), v0.22.0 (#3031)",
            "docker/buildx util/buildflags/cache.go (ParseCacheEntry)", "docker/buildx docs reference/buildx_bake.md (--set, +=)",
            "moby/buildkit control/control.go at v0.10.0, #3024 (multiple cache exports in v0.11.0)",
        ],
        triggering: [
            RuleExample(Examples.bakeAction("set: |\n  *.cache-from+=type=gha,scope=main", setup: "version: v0.21.1"), lines: [12]),
            RuleExample(Examples.buildPush("cache-from: user/app:cache-amd64,user/app:cache-arm64", setup: "version: v0.20.0"), lines: [11]),
        ],
        nonTriggering: [
            RuleExample(Examples.bakeAction("set: |\n  *.cache-from+=type=gha,scope=main", setup: "version: v0.22.0")),
            RuleExample(Examples.buildPush("cache-from: user/app:cache-amd64,user/app:cache-arm64", setup: "version: v0.20.1")),
        ])

    static let appendSince = Version("v0.22.0")!
    static let emptyEntryBroken = (from: Version("v0.20.0")!, through: Version("v0.21.1")!)
    static let refListBroken = Version("v0.20.0")!
    static let multipleExportsSince = Version("v0.11.0")!
    static let resetSince = Version("v0.35.0")!
    static let callSince = Version("v0.16.0")!

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        func report(_ span: SourceSpan, _ setup: SetupBuildxStep, _ needed: Version, _ what: String, severity: Severity? = nil) {
            guard reported.insert(span.start.offset).inserted else { return }
            var fixes: [Fix] = []
            if let version = setup.version {
                // Where the version is written (the step, or the env it comes from), as BXC302 fixes it.
                let pin = max(needed, Version(ReleaseFacts.latestStableBuildx) ?? needed)
                fixes = [Fix(title: "Pin buildx \(pin)", edits: [TextEdit(span: version.origin.valueSpan, replacement: "\(pin)")])]
            }
            out.append(
                diagnostic(
                    context, span, what,
                    help: "Pin buildx \(needed) or newer (`version:` of docker/setup-buildx-action), or write the cache setting the way the pinned release reads it.",
                    fixes: fixes, severity: severity))
        }
        for job in context.file.jobs {
            for build in job.builds {
                // Several cache exports need BuildKit v0.11.0 (the image may be pinned whatever buildx is).
                if build.kind == .buildPush || build.kind == .cliBuild, let setup = job.buildxSetup(for: build),
                    let (image, imageSpan) = setup.buildkitImage(context.file.text)
                {
                    let (name, tag) = ImageReference.split(image)
                    let exports = build.entries(.export).filter { !$0.entry.isEmpty && !$0.entry.text.hasPrefix("#") }
                    if name.hasSuffix("moby/buildkit"), let tag, let bk = Version(tag.replacingAll("-rootless", with: ""), requireV: true),
                        bk < Self.multipleExportsSince, exports.count > 1, reported.insert(exports[1].located.span.start.offset).inserted
                    {
                        out.append(
                            diagnostic(
                                context, exports[1].located.span,
                                "BuildKit \(tag) (the builder image at line \(imageSpan.start.line)) accepts one cache export only; with \(exports.count) the build fails with \"specifying multiple cache exports is not supported currently\" (several came with BuildKit \(Self.multipleExportsSince))",
                                help: "Use BuildKit \(Self.multipleExportsSince) or newer (`image=moby/buildkit:\(ReleaseFacts.latestStableBuildKit)` in `driver-opts`), or keep one cache-to entry."))
                    }
                }
                guard let setup = job.buildxSetup(for: build), case .pinned(let v) = setup.versionValue else { continue }
                if v < Self.resetSince {
                    for be in build.entries(.export) where be.entry.type == "local" {
                        guard let reset = be.entry.field("reset") else { continue }
                        report(
                            be.located.span(of: reset), setup, Self.resetSince,
                            "buildx \(v) ignores `reset=` on a local cache (its BuildKit client honours it from buildx \(Self.resetSince)), so the folder keeps every old blob",
                            severity: .warning)
                    }
                }
                if build.kind == .bake, v < Self.callSince, let call = build.step.input("call") {
                    report(call.key.span, setup, Self.callSince, "bake-action `call:` needs buildx \(Self.callSince) or newer (`--call`); the step fails with buildx \(v)")
                }
                if v == Self.refListBroken {
                    for be in build.entries where be.entry.form == .refList && be.entry.fields.count > 1 && !be.entry.hasExpression {
                        report(
                            be.located.span, setup, Version("v0.20.1")!,
                            "buildx \(v) rejects a comma-separated list of refs (\"invalid value\"); v0.20.1 fixed it (buildx #2944)")
                    }
                }
            }
        }
        for inv in context.repository.bakeInvocations(in: context.file.path) {
            guard let job = context.file.jobs.first(where: { $0.builds.contains { $0 === inv.run.build } }),
                let setup = job.buildxSetup(for: inv.run.build), case .pinned(let v) = setup.versionValue
            else { continue }
            for o in inv.overrides where o.file == context.file.path.display && (o.key == "cache-from" || o.key == "cache-to") {
                if o.append, v < Self.appendSince {
                    report(
                        o.span, setup, Self.appendSince,
                        "`\(o.pattern).\(o.key)+=` appends only with buildx \(Self.appendSince) or newer (buildx #3031); buildx \(v) does not know `+=` in an override")
                } else if !o.append, o.value?.isEmpty == true, v >= Self.emptyEntryBroken.from, v <= Self.emptyEntryBroken.through {
                    report(
                        o.span, setup, Version("v0.21.2")!,
                        "buildx \(v) does not skip the empty entry of `\(o.pattern).\(o.key)=` (v0.20.0 to v0.21.1; fixed in v0.21.2), so the override fails instead of clearing the list")
                }
            }
        }
        return out
    }
}
