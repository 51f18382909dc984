/// BXC013 registry-cache-ref-equals-image: a registry cache-to ref equal to an image the build pushes.
///
/// Facts: docs `cache/backends/registry.md` requires the cache ref to differ from the image; the cache
/// manifest and the image then overwrite each other.
public struct RegistryCacheRefEqualsImageRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC013", name: "registry-cache-ref-equals-image", severity: .warning,
        summary: "A registry cache-to ref equal to one of the build's tags or output image names.",
        rationale: "The cache manifest and the pushed image are written to the same reference and overwrite each other: either the image or the cache is lost.",
        sources: ["docs cache/backends/registry.md"],
        triggering: [RuleExample(Examples.buildPush("tags: user/app:latest\ncache-to: type=registry,ref=user/app:latest,mode=max"), lines: [12])],
        nonTriggering: [RuleExample(Examples.buildPush("tags: user/app:latest\ncache-to: type=registry,ref=user/app:buildcache,mode=max"))])

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for build in context.builds where build.kind == .buildPush {
            var images: Set<String> = []
            if let tags = build.step.input("tags"), let r = build.scope.resolve(tags.value) {
                for item in ActionListSplitter.commaAndNewline.split(r.text) where !item.text.contains("${{") {
                    images.insert(ImageReference.normalized(item.text))
                }
            }
            if let outputs = build.step.input("outputs"), let r = build.scope.resolve(outputs.value) {
                for item in ActionListSplitter.newlineOnlyNoQuote.split(r.text) {
                    let entry = CacheEntry(item.text)
                    for name in (entry.attribute("name") ?? "").split(separator: ",") where !name.contains("${{") {
                        images.insert(ImageReference.normalized(String(name)))
                    }
                }
            }
            guard !images.isEmpty else { continue }
            // Whether this build itself pushes the tags (`push: true`, or an image output that pushes).
            let outputsText = build.step.input("outputs")?.value.scalar ?? ""
            let pushes = build.step.input("push")?.value.scalar == "true" || outputsText.hasSubstring("push=true")
                || outputsText.hasSubstring("type=registry")
            let pushWords = pushes ? "an image this build pushes" : "a tag of the image this build makes (pushed here when `push:` is on, or by a later step)"
            for be in build.entries(.export) where !be.entry.isWholeExpression {
                let refs: [(String, SourceSpan)]
                if be.entry.form == .refList {
                    refs = be.entry.fields.map { ($0.value, be.located.span(of: $0)) }
                } else if be.entry.type == "registry", let f = be.entry.field("ref") {
                    refs = [(f.value, be.located.span(of: f))]
                } else {
                    refs = []
                }
                for (ref, span) in refs where !ref.contains("${{") && images.contains(ImageReference.normalized(ref)) {
                    let name = ImageReference.split(ref).name
                    out.append(
                        diagnostic(
                            context, span,
                            "the registry cache ref `\(ref)` is also \(pushWords); the cache manifest and the image overwrite each other",
                            help: "Use a dedicated cache tag or repository, e.g. `ref=\(name):buildcache`."))
                }
            }
        }
        return out
    }
}
