/// BXC404 bake-local-cache-entitlement: a local cache path outside the working directory in a bake file
/// run by `docker buildx bake` without `--allow fs…`.
///
/// Facts: bake asks for `fs.read`/`fs.write` entitlements for local cache `src`/`dest` outside the
/// working directory (docker/buildx `bake/entitlements.go`), an error since buildx v0.20.0 without a TTY
/// ("additional privileges requested"); paths given with `--set` are allowed automatically; bake-action
/// passes `--allow fs=*` itself (docker/bake-action `src/context.ts`).
public struct BakeLocalCacheEntitlementRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC404", name: "bake-local-cache-entitlement", severity: .error,
        summary: "A local cache path outside the working directory in a bake file run by `docker buildx bake` (a `run:` step) without a covering `--allow fs…`.",
        rationale: "Since buildx v0.20.0 bake refuses such paths without the entitlement (\"additional privileges requested\") when there is no terminal, as in CI: the build fails.",
        sources: ["docker/buildx bake/entitlements.go", "docker/buildx commands/bake.go", "docker/bake-action src/context.ts (fs=*)"],
        triggering: [
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - run: docker buildx bake\n"),
                    ("docker-bake.hcl", "target \"default\" {\n  cache-from = [\"type=local,src=/tmp/.buildx-cache\"]\n  cache-to = [\"type=local,dest=/tmp/.buildx-cache-new\"]\n}\n"),
                ], lines: [9])
        ],
        nonTriggering: [
            RuleExample(
                files: [
                    (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          version: v0.21.1\n      - run: docker buildx bake --allow=fs.read=/tmp/.buildx-cache --allow=fs.write=/tmp/.buildx-cache-new\n"),
                    ("docker-bake.hcl", "target \"default\" {\n  cache-from = [\"type=local,src=/tmp/.buildx-cache\"]\n  cache-to = [\"type=local,dest=/tmp/.buildx-cache-new\"]\n}\n"),
                ])
        ])

    /// Whether `--allow` values grant `access` (`fs.read`/`fs.write`) on `path`.
    static func allowed(_ path: String, access: String, allows: [String]) -> Bool {
        for a in allows {
            for part in a.split(separator: ",") {
                let p = String(part)
                if p == "fs=*" || p == "fs" || p == "\(access)=*" { return true }
                for prefix in ["fs=", "\(access)="] where p.hasPrefix(prefix) {
                    if CachePath.isWithin(path, String(p.dropFirst(prefix.count))) { return true }
                }
            }
        }
        return false
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for inv in context.repository.bakeInvocations(in: context.file.path) where inv.run.build.kind == .cliBake {
            guard let resolution = inv.resolution, let command = inv.run.build.command else { continue }
            if inv.run.stepRun.context.env["BUILDX_BAKE_ENTITLEMENTS_FS"]?.templateText == "0" { continue }
            let allows = command.values("allow").map(\.text)
            if command.values("allow").contains(where: \.hasExpansion) { continue }
            var missing: [String] = []
            for t in resolution.targets {
                for (items, direction) in [(t.cacheFrom, CacheDirection.import), (t.cacheTo, .export)] {
                    for item in items where item.file != context.file.path.display {
                        guard case .string(let v?, _, _) = item else { continue }
                        let e = CacheEntry(v)
                        guard e.type == "local", let path = e.attribute(direction == .import ? "src" : "dest") else { continue }
                        guard path.hasPrefix("/") || path.hasPrefix("../") || path.hasPrefix("~") else { continue }
                        let access = direction == .import ? "fs.read" : "fs.write"
                        if !Self.allowed(path, access: access, allows: allows) { missing.append("--allow=\(access)=\(path)") }
                    }
                }
            }
            guard !missing.isEmpty, let offsets = inv.run.build.scriptOffsets, let word = command.words.first(where: { $0.text == "bake" }),
                reported.insert(word.range.lowerBound).inserted
            else { continue }
            let span = context.file.text.span(of: word.range, through: offsets)
            var seen = Set<String>()
            let unique = missing.filter { seen.insert($0).inserted }
            out.append(
                diagnostic(
                    context, span,
                    "the bake file's local cache paths are outside the working directory and this `docker buildx bake` has no `--allow` for them; since buildx v0.20.0 bake fails (\"additional privileges requested\")",
                    help: "Allow the cache paths: `docker buildx bake \(unique.joined(separator: " "))` (or use docker/bake-action, which allows fs=*)."))
        }
        return out
    }
}
