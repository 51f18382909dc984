/// BXC014 registry-ref-uppercase: a registry cache ref whose name has uppercase letters, or is built
/// from `github.repository`, `github.repository_owner` or `github.actor` (which keep the owner's case).
///
/// Facts: reference names must be lowercase (distribution reference grammar); docker/build-push-action
/// `TROUBLESHOOTING.md` ("repository name must be lowercase", including the cache-import case).
public struct RegistryRefUppercaseRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC014", name: "registry-ref-uppercase", severity: .error,
        summary: "A registry cache ref with uppercase letters in its name, or built from `github.repository` without lowercasing (an error on cache-to; a warning on cache-from, where only the import is lost, and wherever the owner's name is not known: it is read from the repository's github.com `origin` remote).",
        rationale: """
            Image names must be lowercase ("repository name must be lowercase"): a cache export fails the build and a \
            cache import fails silently. `github.repository` keeps the owner's capitals, and expressions cannot lowercase it.
            """,
        sources: ["docker/build-push-action TROUBLESHOOTING.md", "distribution/reference regexp.go (lowercase path components)"],
        triggering: [
            RuleExample(Examples.buildPush("cache-to: type=registry,ref=ghcr.io/MyOrg/app:cache,mode=max"), lines: [11]),
            RuleExample(Examples.buildPush("cache-from: type=registry,ref=ghcr.io/${{ github.repository }}:cache"), lines: [11]),
        ],
        nonTriggering: [RuleExample(Examples.buildPush("cache-to: type=registry,ref=ghcr.io/myorg/app:Cache-AMD64,mode=max"))])

    static let caseKeepingContexts: Set<String> = ["repository", "repository_owner", "actor", "triggering_actor"]

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (_, be) in context.cacheEntries {
            let refs: [CacheField]
            if be.entry.form == .refList { refs = be.entry.fields }
            else if be.entry.typeFields.count == 1, be.entry.type == "registry", let f = be.entry.field("ref") { refs = [f] }
            else { refs = [] }
            let effect = be.direction == .export ? "the export fails the build" : "the import fails silently and the build runs without cache"
            for f in refs {
                let name = ImageReference.split(f.value).name
                var severity: Severity = be.direction == .export ? .error : .warning
                var problem: String? = nil
                var context_: String? = nil
                var conditional = false
                for part in Template.parts(name) {
                    switch part.kind {
                    case .literal(let text):
                        // The registry host (first component with a dot or colon) may hold capitals.
                        var comps = text.split(separator: "/", omittingEmptySubsequences: false)
                        if part.range.lowerBound == 0, comps.count > 1,
                            comps[0].utf8.contains(UInt8(ascii: ".")) || comps[0].utf8.contains(UInt8(ascii: ":")) || comps[0] == "localhost"
                        {
                            comps.removeFirst()
                        }
                        if comps.contains(where: \.containsUppercase) {
                            problem = "`\(name)` has uppercase letters"
                        }
                    case .expression(_, let e):
                        for path in e?.referencedPaths ?? [] where path.count == 2 && path[0] == "github" && Self.caseKeepingContexts.contains(path[1]) {
                            let ownerBound = path[1] == "repository" || path[1] == "repository_owner"
                            if ownerBound, let owner = context.options.githubOwner {
                                // The repository's own owner is known (its origin remote): only capitals there fail.
                                guard owner.contains(where: \.isUppercase) else { continue }
                                problem = "`github.\(path[1])` holds the owner `\(owner)` with its capitals (expressions cannot lowercase it)"
                            } else {
                                // Not known here: it fails when the owner's (or the actor's) name has capitals.
                                problem = "`github.\(path[1])` keeps the capitals of the \(ownerBound ? "owner's" : "user's") name (expressions cannot lowercase it)"
                                severity = .warning
                                conditional = true
                            }
                            context_ = path[1]
                        }
                    }
                    if problem != nil { break }
                }
                guard let problem else { continue }
                // The variable the runner sets for the context the ref uses.
                let variable = context_.map { "GITHUB_" + $0.uppercased() } ?? "GITHUB_REPOSITORY"
                out.append(
                    diagnostic(
                        context, be.located.span(of: f),
                        conditional
                            ? "registry cache ref in the \(be.entryLabel)\(be.viaSuffix): \(problem), and image names must be lowercase: if the name has any, \(effect)"
                            : "registry cache ref in the \(be.entryLabel)\(be.viaSuffix): \(problem), but image names must be lowercase; \(effect)",
                        help: "Lowercase the image name used in `ref=`: compute a lowercased value in a step (`echo \"NAME=${\(variable),,}\" >> \"$GITHUB_ENV\"`) or use docker/metadata-action, and use that.",
                        severity: severity))
            }
        }
        return out
    }
}
