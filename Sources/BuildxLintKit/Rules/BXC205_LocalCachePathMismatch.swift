/// BXC205 local-cache-path-mismatch: a local cache `src=` or `dest=` that is not where the download,
/// upload or actions/cache step puts or reads the files.
///
/// Facts: a missing local import is only a warning ("local cache import at … not found", moby/buildkit
/// `client/solve.go`), so the build silently runs cold; download-artifact extracts a `name:` download into
/// `path` and a pattern download into `path/<artifact-name>/` (v5+: straight into `path` when exactly one
/// artifact matches), actions/download-artifact `src/download-artifact.ts`.
public struct LocalCachePathMismatchRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC205", name: "local-cache-path-mismatch", severity: .warning,
        summary: "A local cache `src=` where an earlier download step, by its release's layout, puts no files, or a `dest=` that the job's upload step does not read.",
        rationale: "A local import whose folder is missing only logs a warning, and an export nobody uploads is lost: either way the next build runs without cache.",
        sources: ["moby/buildkit client/solve.go (missing local import is a warning)", "actions/download-artifact src/download-artifact.ts"],
        triggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          cache-to: type=local,dest=/tmp/cache-new,mode=max
                      - uses: actions/upload-artifact@v4
                        with:
                          name: cache
                          path: /tmp/cache

                """, lines: [11]),
            // download-artifact v5+ puts the one artifact of a pattern without wildcards straight into `path`.
            RuleExample(
                """
                on: push
                jobs:
                  merge:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/download-artifact@v5
                        with:
                          pattern: cache-linux-amd64
                          path: /tmp/caches
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          cache-from: type=local,src=/tmp/caches/cache-linux-amd64

                """, lines: [15]),
        ],
        nonTriggering: [
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          cache-to: type=local,dest=/tmp/cache,mode=max
                      - uses: actions/upload-artifact@v4
                        with:
                          name: cache
                          path: /tmp/cache

                """),
            // actions/cache saves its path when the job ends; the upload carries the image, not the cache.
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: actions/cache@v4
                        with:
                          path: /tmp/buildx-cache
                          key: buildx-${{ github.sha }}
                          restore-keys: buildx-
                      - uses: docker/build-push-action@v6
                        with:
                          outputs: type=docker,dest=dist/image.tar
                          cache-from: type=local,src=/tmp/buildx-cache
                          cache-to: type=local,dest=/tmp/buildx-cache,mode=max
                      - uses: actions/upload-artifact@v4
                        with:
                          name: dist
                          path: dist

                """),
            // The upload carries a test report, not the cache (a cache nobody keeps is BXC209's finding).
            RuleExample(
                """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: docker/setup-buildx-action@v3
                        with:
                          version: v0.21.1
                      - uses: docker/build-push-action@v6
                        with:
                          load: true
                          tags: app:test
                          cache-to: type=local,dest=/tmp/.buildx-cache,mode=max
                      - run: docker run --rm -v "$PWD/report:/report" app:test
                      - uses: actions/upload-artifact@v4
                        with:
                          name: test-report
                          path: report/

                """),
        ])

    /// Whether an upload step may be the one meant to carry the cache exported to `dest`: its artifact name or a
    /// path says cache, buildx or buildkit, or a path and `dest` start alike (`/tmp/cache` for `/tmp/cache-new`).
    static func mayCarryCache(_ upload: StepRun, _ dest: String) -> Bool {
        let paths = upload.input("path").map(CachePath.lines) ?? []
        let words = ([upload.input("name") ?? ""] + paths).map { $0.lowercased() }
        if words.contains(where: { $0.hasSubstring("cache") || $0.hasSubstring("buildx") || $0.hasSubstring("buildkit") }) { return true }
        let d = CachePath.normalized(dest)
        return paths.map(CachePath.normalized).contains { !["", "/", ".", "/tmp", "~"].contains($0) && (d.hasPrefix($0) || $0.hasPrefix(d)) }
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for run in context.buildRuns where run.stepRun.mayRun {
            // Only local exports matter: the job's later steps are looked at for those alone.
            guard run.exports.contains(where: { ($0.locations ?? []).contains { $0.backend == "local" } }) else { continue }
            let steps = context.repository.stepRuns(of: run.stepRun.run).filter { $0.mayRun }
            let later = steps.filter { $0.order > run.stepRun.order }
            // An actions/cache step before the build saves its path when the job ends (its post step).
            let savedAtEnd = steps.filter {
                $0.order < run.stepRun.order && TransportAction.of($0.step) == .cache && $0.step.uses?.path != "restore"
            }
            for ev in run.exports {
                for loc in ev.locations ?? [] where loc.backend == "local" && !ExprValue.hasMarker(loc.identity) {
                    let dest = loc.identity.split(separator: ":").first.map(String.init) ?? loc.identity
                    // Only an upload meant for the cache is expected to read it (a test report's upload is not;
                    // a cache nobody keeps is BXC209's finding).
                    let uploads = later.filter { TransportAction.of($0.step) == .upload && Self.mayCarryCache($0, dest) }
                    guard !uploads.isEmpty else { continue }
                    let covered = (later + savedAtEnd).contains { sr in
                        LocalCacheFlow.persistedPaths(sr).contains { CachePath.overlap(dest, $0) }
                            || (sr.order > run.stepRun.order && LocalCacheFlow.scriptMentions(sr, dest))
                    } || LocalCacheFlow.scriptMentionsAfterCommand(run.build, dest)
                    guard !covered else { continue }
                    let span = SharedLocation.span(ev, run, direction: .export)
                    guard reported.insert(span.start.offset).inserted else { continue }
                    let paths = uploads.compactMap { $0.input("path") }.flatMap(CachePath.lines)
                    out.append(
                        diagnostic(
                            context, span,
                            "the local cache is exported to `\(dest)`, but the later upload step reads \(paths.map { "`\($0)`" }.joined(separator: ", ")) and no step moves `\(dest)` there\(run.stepRun.whereSuffix); the cache is never uploaded",
                            help: "Point `dest=` at the folder the upload step reads (or upload `\(dest)`)."))
                }
            }
        }
        return out + importFindings(context)
    }

    /// What an earlier download-artifact step does for a local import from `src`, when its layout is known.
    enum DownloadFit {
        /// It may put the files there (or is not known well enough to say it does not).
        case mayFill
        /// It puts them elsewhere under its `path`, and `src` is where another release would put them.
        case misses(folder: String, why: String)
        /// Its files go elsewhere; `src` is not where it would put them in any release.
        case unrelated
    }

    /// A download step's inputs as the layout needs them, read once per step run: its normalised `path`
    /// (nil when not known) and, for a wildcard-free pattern of a known release, the pattern and major version.
    struct Download {
        let step: StepRun
        let path: String?
        let pattern: (name: String, major: Int)?
        /// A `name:` download or `merge-multiple: true`: files in `path`, subfolders as the artifact holds them.
        let whole: Bool

        init(_ d: StepRun) {
            step = d
            let s = d.step
            if s.input("path") != nil {
                path = d.input("path").flatMap { p in CachePath.lines(p).count == 1 ? CachePath.normalized(p) : nil }
            } else {
                path = "."
            }
            whole = s.input("name") != nil || (s.input("merge-multiple") != nil && d.input("merge-multiple") != "false")
            if !whole, s.input("pattern") != nil, let p = d.input("pattern"), !p.isEmpty, !p.contains(where: { "*?[{/".contains($0) }),
                let release = TransportAction.release(s)
            {
                pattern = (p, release.major)
            } else {
                pattern = nil
            }
        }
    }

    /// `inner` (normalised) is `outer` (normalised) or inside it.
    static func within(_ inner: String, _ outer: String) -> Bool { inner == outer || inner.hasPrefix(outer == "/" ? "/" : outer + "/") }

    /// How download `d` fits a local import from `src` (normalised). Only a pattern without wildcards is
    /// judged: it matches at most one artifact, which download-artifact v5+ extracts straight into `path` and
    /// earlier releases into `path/<pattern>/` (reference §1.9; actions/download-artifact fff8c14). A `name:`
    /// download or `merge-multiple: true` extracts into `path`, whose subfolders depend on the artifact's
    /// content: they may fill any folder under `path`. `patterns` are the wildcard-free patterns of the job's
    /// downloads: `src` in another one's `path/<pattern>/` is not filled by this one's artifact (a cache artifact
    /// holds `index.json` and `blobs/`, not a folder named after another artifact).
    static func fit(_ d: Download, src: String, patterns: Set<String>) -> DownloadFit {
        guard let path = d.path else { return .mayFill }
        guard within(src, path) else { return .unrelated }
        guard !d.whole, let (pattern, major) = d.pattern else { return .mayFill }
        func sub(_ name: String) -> String { path == "." ? name : (path == "/" ? "/" + name : path + "/" + name) }
        let subfolder = sub(pattern)
        if major >= 5 {
            if within(src, subfolder) {
                return .misses(folder: path, why: "download-artifact v5+ extracts the one artifact a pattern without wildcards matches straight into `path`, not into `path/<artifact name>/`")
            }
            // The folder right under `path` that holds `src`: another download's pattern?
            let rest = path == "." ? Substring(src) : src.dropFirst(path == "/" ? 1 : path.utf8.count + 1)
            let first = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
            return first != pattern && patterns.contains(first) ? .unrelated : .mayFill
        }
        if within(src, subfolder) { return .mayFill }
        return src == path
            ? .misses(folder: subfolder, why: "download-artifact before v5 extracts a pattern's artifact into `path/<artifact name>/`")
            : .unrelated
    }

    /// Local imports (`src=`) that an earlier download-artifact step of the job misses by its release's
    /// layout: buildx only warns that the folder is missing and builds without cache.
    func importFindings(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        var known: [ObjectIdentifier: Download] = [:]
        for run in context.buildRuns where run.stepRun.mayRun {
            guard run.imports.contains(where: { ($0.locations ?? []).contains { $0.backend == "local" } }) else { continue }
            let earlier = context.repository.stepRuns(of: run.stepRun.run).filter { $0.mayRun && $0.order < run.stepRun.order }
            // Read once per download step run, for every build after it.
            let downloads = earlier.filter { TransportAction.of($0.step) == .download }.map { sr in
                if let d = known[ObjectIdentifier(sr)] { return d }
                let d = Download(sr)
                known[ObjectIdentifier(sr)] = d
                return d
            }
            guard !downloads.isEmpty else { continue }
            let patterns = Set(downloads.compactMap { $0.pattern?.name })
            for ev in run.imports {
                for loc in ev.locations ?? [] where loc.backend == "local" && !ExprValue.hasMarker(loc.identity) {
                    let src = CachePath.normalized(loc.identity.split(separator: ":").first.map(String.init) ?? loc.identity)
                    var miss: (StepRun, String, String)?
                    var mayFill = false
                    for d in downloads {
                        switch Self.fit(d, src: src, patterns: patterns) {
                        case .mayFill: mayFill = true
                        case .misses(let folder, let why): miss = miss ?? (d.step, folder, why)
                        case .unrelated: break
                        }
                        if mayFill { break }
                    }
                    guard !mayFill, let (d, folder, why) = miss else { continue }
                    // Filled by something else: actions/cache, or a script that names the folder (an extraction, a move).
                    let otherwiseFilled = earlier.contains { sr in
                        (TransportAction.of(sr.step) == .cache && LocalCacheFlow.persistedPaths(sr).contains { CachePath.overlap(src, $0) })
                            || LocalCacheFlow.scriptMentions(sr, src)
                    }
                    guard !otherwiseFilled else { continue }
                    let span = SharedLocation.span(ev, run, direction: .import)
                    guard reported.insert(span.start.offset).inserted else { continue }
                    let line = d.step.node.span.start.line
                    let at = d.file.path == context.file.path ? "line \(line)" : "\(d.file.path.display):\(line)"
                    // v5+ (files straight into `path`): the download's `path:` set to the import folder keeps each
                    // artifact apart; before v5 (files in `path/<name>/`): `src=` pointed at that subfolder.
                    let help = CachePath.isWithin(folder, src)
                        ? "Point `src=` at `\(folder)`, the folder the download step fills."
                        : "Download into the folder the build reads: `path: \(src)` on the download step at \(at) (each artifact in its own folder; two downloads into one folder overwrite each other's index.json)."
                    out.append(
                        diagnostic(
                            context, span,
                            "the local cache is imported from `\(src)`, but the download step at \(at) puts its files in `\(folder)` (\(why))\(run.stepRun.whereSuffix): the folder is missing, so buildx only warns and builds without cache",
                            help: help))
                }
            }
        }
        return out
    }
}

