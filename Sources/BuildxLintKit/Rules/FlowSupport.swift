/// Helpers shared by the cross-leg and cross-job rules (1xx, 2xx, BXC310).

extension Array {
    /// The elements grouped by `key`, groups in order of first appearance, each in its original order.
    func grouped<Key: Hashable>(by key: (Element) -> Key) -> [[Element]] {
        var groups: [[Element]] = []
        var index: [Key: Int] = [:]
        for e in self {
            let k = key(e)
            if let i = index[k] {
                groups[i].append(e)
            } else {
                index[k] = groups.count
                groups.append([e])
            }
        }
        return groups
    }
}

/// One build of one step in one job run: a `run:` step may hold several build commands, which are different
/// builds, not legs of one.
struct BuildLegKey: Hashable {
    let step: StepKey
    let build: ObjectIdentifier
}

extension Array where Element == BuildRun {
    /// Build runs grouped by build, step and job run (so each group holds one build's legs), in source order.
    func groupedByStep() -> [[BuildRun]] { grouped { BuildLegKey(step: $0.stepRun.stepKey, build: ObjectIdentifier($0.build)) } }
}

extension Array where Element == StepRun {
    /// Step runs grouped by step and job run, in source order.
    func groupedByStep() -> [[StepRun]] { grouped { $0.stepKey } }
}

extension StepRun {
    /// "legs `platform=linux/amd64`" or "the job" for messages.
    var legName: String { run.legLabel.isEmpty ? "leg \(run.legIndex + 1)" : "`\(run.legLabel)`" }
}

/// The actions that carry caches between jobs.
enum TransportAction: String {
    case upload = "actions/upload-artifact"
    case download = "actions/download-artifact"
    case cache = "actions/cache"

    /// The transport action of a step (`actions/cache/restore` and `/save` count as actions/cache).
    static func of(_ step: Step) -> TransportAction? {
        guard let uses = step.uses, let repo = uses.repository else { return nil }
        // Called for every step by several rules: the length (O(1)) rejects most actions before any
        // string comparison (a `String` switch compares with every case).
        switch repo.utf8.count {
        case 13: return repo == TransportAction.cache.rawValue ? .cache : nil
        case 23: return repo == TransportAction.upload.rawValue ? .upload : nil
        case 25: return repo == TransportAction.download.rawValue ? .download : nil
        default: return nil
        }
    }

    /// The release a ref stands for (`v4` → newest v4 in the table), or nil.
    static func release(_ step: Step) -> Version? {
        guard let uses = step.uses, let repo = uses.repository, let ref = uses.ref else { return nil }
        return ReleaseFacts.release(of: repo, ref: ref) ?? Version(ref, requireV: true)
    }
}

/// Path helpers for local cache directories and artifact paths.
enum CachePath {
    /// `path` without a trailing `/` or `/*`, with `./` removed.
    static func normalized(_ path: String) -> String {
        var p = path.trimmingSpaces
        while p.hasSuffix("/*") || p.hasSuffix("/**") { p = String(p[..<p.lastIndex(of: "/")!]) }
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        while p.hasPrefix("./") { p.removeFirst(2) }
        return p
    }

    /// Whether one folder is the other or inside it (either way round).
    static func overlap(_ a: String, _ b: String) -> Bool { isWithin(a, b) || isWithin(b, a) }

    /// Whether `inner` is `outer` or inside it.
    static func isWithin(_ inner: String, _ outer: String) -> Bool {
        let i = normalized(inner), o = normalized(outer)
        return i == o || i.hasPrefix(o + "/")
    }

    /// The lines of a multi-line `path:` input (globs and exclusions as written; `!` lines dropped).
    static func lines(_ value: String) -> [String] {
        value.split(separator: "\n").map { String($0).trimmingSpaces }.filter { !$0.isEmpty && !$0.hasPrefix("!") }
    }
}

/// A PLATFORM_PAIR step to paste when a matrix value holds `/`.
enum PlatformPair {
    /// The step, reading `${{ matrix.<matrixKey> }}`; in a composite action (`build` written in one) the
    /// expression the build's `platforms:` input is written as, since the action receives the platform
    /// through an input. `shell: bash` because `${platform//\//-}` is bash-only (a `defaults.run.shell: sh`
    /// would break it, BXC503) and composite actions require `shell:` on `run:` steps.
    static func step(matrixKey: String, build: BuildStep? = nil, in file: FileAnalysis? = nil) -> String {
        var value = "${{ matrix.\(matrixKey) }}"
        if file?.kind == .action, let raw = build?.step.input("platforms")?.value.scalar, Template.wholeExpression(raw) != nil {
            value = raw.trimmingSpaces
        }
        return """
            - name: Prepare
              shell: bash
              run: |
                platform=\(value)
                echo "PLATFORM_PAIR=${platform//\\//-}" >> "$GITHUB_ENV"
            """
    }
}
