/// Shared logic of BXC101 (gha scopes) and BXC102 (registry refs, s3/azblob names): matrix legs that
/// build different things but write the same cache location.
enum SharedLocation {
    struct Collision {
        let first: BuildRun
        let second: BuildRun
        let export: EvaluatedCacheEntry
        let location: CacheLocation
    }

    /// Collisions between legs of each step of `runs` for locations of `backends`, one per written export.
    static func collisions(_ runs: [BuildRun], backends: Set<String>) -> [Collision] {
        var out: [Collision] = []
        for legs in runs.groupedByStep() where legs.count > 1 {
            let exportCount = legs.map(\.exports.count).max() ?? 0
            for i in 0..<exportCount {
                var seen: [CacheLocation: BuildRun] = [:]
                var reported = false
                for run in legs where i < run.exports.count && run.stepRun.mayRun {
                    guard !reported, run.buildKey != nil || run.partialKey != nil, let locations = run.exports[i].locations else { continue }
                    for loc in locations where backends.contains(loc.backend) {
                        if let other = seen[loc], run.buildsDifferently(from: other) {
                            out.append(Collision(first: other, second: run, export: run.exports[i], location: loc))
                            reported = true
                            break
                        }
                        seen[loc] = seen[loc] ?? run
                    }
                }
            }
        }
        return out
    }

    /// The scope or ref value of `location` as the workflow writes it (`build-${{ env.PLATFORM_PAIR }}`), when
    /// the written attribute of `entry`'s source evaluates to it in `run`; nil otherwise (and for a gha
    /// entry without `scope=`). Text to paste: a matrix leg's evaluated value is wrong for the other legs.
    static func writtenValue(_ location: CacheLocation, of entry: EvaluatedCacheEntry, in run: BuildRun) -> String? {
        guard let source = entry.source?.entry else { return nil }
        let candidates: [String]
        switch location.backend {
        case "gha":
            // The default scope (no `scope=`) reads better as "gha scope `buildkit`".
            guard source.type == "gha", let scope = source.attribute("scope") else { return nil }
            candidates = [scope]
        case "registry":
            if source.form == .refList {
                candidates = source.fields.map(\.value)
            } else {
                guard source.type == "registry", let ref = source.attribute("ref") else { return nil }
                candidates = [ref]
            }
        default:
            return nil
        }
        return candidates.first { run.stepRun.evaluate($0) == location.identity }
    }

    /// Every leg of `run`'s job (same job and caller).
    static func legs(of run: JobRun, in repository: RepositoryAnalysis) -> [JobRun] {
        repository.jobRuns(inWorkflow: run.file.path).filter { $0.jobKey == run.jobKey }
    }

    /// The matrix dimensions whose values differ between two legs, with the first differing value.
    static func differingDimensions(_ a: JobRun, _ b: JobRun) -> [(key: String, values: [String])] {
        a.matrix.keys.sorted().compactMap { k in
            let va = a.matrix[k]?.templateText ?? "?", vb = b.matrix[k]?.templateText ?? "?"
            return va == vb ? nil : (k, [va, vb])
        }
    }

    /// A matrix dimension among `dims` whose values hold no `/` and tell every leg of `run`'s job (same job
    /// and caller) apart: a key that alone makes a name or location per leg.
    static func distinguishingDimension(_ dims: [(key: String, values: [String])], of run: JobRun, in repository: RepositoryAnalysis)
        -> (key: String, values: [String])?
    {
        let legs = Self.legs(of: run, in: repository)
        return dims.first { d in !d.values.contains { $0.contains("/") } && tellsApart(legs, key: d.key) }
    }

    /// The fewest matrix keys, among those `stepText` reads, whose values together tell every leg of `run`'s
    /// job apart (plain values first, then by name); nil when no such set exists. A suffix
    /// built from one colliding pair's keys can leave other legs sharing (python/amd64 and java/amd64).
    static func separatingDimensions(of run: JobRun, reading stepText: String, in repository: RepositoryAnalysis)
        -> [(key: String, values: [String])]?
    {
        let legs = Self.legs(of: run, in: repository)
        guard legs.count > 1 else { return nil }
        var keys: [String] = []
        for leg in legs { for k in leg.matrix.keys.sorted() where !keys.contains(k) { keys.append(k) } }
        var candidates: [(key: String, values: [String])] = []
        for k in keys where stepText.hasSubstring("matrix.\(k)") {
            let values = legs.map { $0.matrix[k]?.templateText ?? "?" }
            guard !values.contains(where: { ExprValue.hasMarker($0) || $0 == "?" }), Set(values).count > 1 else { continue }
            candidates.append((k, values))
        }
        // Plain values first: `/` needs PLATFORM_PAIR, and `:` or spaces make poor scopes and invalid tags.
        func rank(_ c: (key: String, values: [String])) -> Int {
            if c.values.contains(where: { $0.contains("/") }) { return 2 }
            return c.values.contains(where: { $0.contains(":") || $0.contains(" ") }) ? 1 : 0
        }
        candidates.sort { rank($0) < rank($1) }
        var chosen: [(key: String, values: [String])] = []
        var distinct = 1
        for c in candidates {
            // One PLATFORM_PAIR step derives one value with `/`: a second such key cannot be offered.
            if rank(c) == 2, chosen.contains(where: { rank($0) == 2 }) { continue }
            let combined = Set(legs.indices.map { i in (chosen + [c]).map { $0.values[i] }.joined(separator: "\u{1}") }).count
            guard combined > distinct else { continue }
            chosen.append(c)
            distinct = combined
            if distinct == legs.count { return chosen }
        }
        return nil
    }

    /// Whether the values of `dims` together differ between every two legs of `run`'s job.
    static func tellsLegsApart(_ dims: [(key: String, values: [String])], of run: JobRun, in repository: RepositoryAnalysis) -> Bool {
        let legs = Self.legs(of: run, in: repository)
        let keys = dims.map(\.key)
        return Set(legs.map { leg in keys.map { leg.matrix[$0]?.templateText ?? "?" }.joined(separator: "\u{1}") }).count == legs.count
    }

    /// Whether matrix value `key` is known and different in each of `legs`.
    static func tellsApart(_ legs: [JobRun], key: String) -> Bool {
        var seen = Set<String>()
        for leg in legs {
            guard let v = leg.matrix[key]?.templateText, !ExprValue.hasMarker(v), seen.insert(v).inserted else { return false }
        }
        return legs.count > 1
    }

    /// The template to make a location unique per leg: `${{ matrix.k }}` joined, or PLATFORM_PAIR when a
    /// value holds `/` (not allowed in tags and artifact names; the docs' idiom).
    static func suffix(_ dims: [(key: String, values: [String])]) -> (text: String, needsPair: String?) {
        var parts: [String] = []
        var pairKey: String? = nil
        for d in dims {
            if d.values.contains(where: { $0.contains("/") }) {
                parts.append("${{ env.PLATFORM_PAIR }}")
                pairKey = pairKey ?? d.key
            } else {
                parts.append("${{ matrix.\(d.key) }}")
            }
        }
        return (parts.joined(separator: "-"), pairKey)
    }

    /// Edits that give every entry of `build` that writes or reads `location` the suffix (only for
    /// entries that stand verbatim in the source).
    static func edits(_ run: BuildRun, location: CacheLocation, suffix: String, text: SourceText) -> [TextEdit] {
        var edits: [TextEdit] = []
        var done = Set<Int>()
        for ev in run.imports + run.exports {
            guard let src = ev.source, src.located.isVerbatim, !src.entry.hasExpression || location.backend == "gha",
                done.insert(src.located.span.start.offset).inserted, let locs = ev.locations, locs.contains(location)
            else { continue }
            let e = src.entry
            switch location.backend {
            case "gha":
                if let f = e.field("scope") {
                    edits.append(TextEdit(span: src.located.span(f.valueRange), replacement: f.value + "-" + suffix))
                } else {
                    edits.append(TextEdit(span: SourceSpan(at: src.located.span.end), replacement: ",scope=buildkit-" + suffix))
                }
            case "registry":
                if let f = e.field("ref") {
                    let (_, tag) = ImageReference.split(f.value)
                    edits.append(TextEdit(span: src.located.span(f.valueRange), replacement: f.value + (tag == nil ? ":cache-" : "-") + suffix))
                }
            default:
                if let f = e.field("name") {
                    edits.append(TextEdit(span: src.located.span(f.valueRange), replacement: f.value + "-" + suffix))
                } else {
                    edits.append(TextEdit(span: SourceSpan(at: src.located.span.end), replacement: ",name=buildkit-" + suffix))
                }
            }
        }
        return edits
    }

    /// The span to report an evaluated entry at: its source entry, else the build's cache-to input.
    static func span(_ ev: EvaluatedCacheEntry, _ run: BuildRun, direction: CacheDirection) -> SourceSpan {
        if let s = ev.source { return s.located.span }
        if let input = run.build.step.input(direction.rawValue) { return input.value.valueSpan }
        return run.build.step.usesNode?.valueSpan ?? run.build.step.node.span
    }
}
