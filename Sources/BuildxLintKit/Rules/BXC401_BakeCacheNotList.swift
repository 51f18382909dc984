/// BXC401 bake-cache-not-list: `cache-from = "..."` instead of a list in a bake file.
///
/// Facts: bake decodes `cache-from`/`cache-to` as lists (docker/buildx `util/buildflags/cache_cty.go`:
/// "list required"), so a bare string fails the whole bake file's load.
public struct BakeCacheNotListRule: Rule {
    /// Creates the rule (rules hold no state).
    public init() {}
    /// What the rule catches, why, its default severity, sources and examples (see `RuleDescription`).
    public let description = RuleDescription(
        id: "BXC401", name: "bake-cache-not-list", severity: .error,
        summary: "A bake target's `cache-from` or `cache-to` written as a string instead of a list.",
        rationale: "bake requires a list for cache attributes and fails to load the file (\"list required\"), for every target.",
        sources: ["docker/buildx util/buildflags/cache_cty.go", "docs bake-reference.md (target.cache-from)"],
        triggering: [RuleExample("target \"app\" {\n  cache-from = \"type=gha\"\n  cache-to = [\"type=gha,mode=max\"]\n}\n", path: "docker-bake.hcl", lines: [2])],
        nonTriggering: [RuleExample("target \"app\" {\n  cache-from = [\"type=gha\"]\n  cache-to = [\"type=gha,mode=max\"]\n}\n", path: "docker-bake.hcl")])

    /// Whether `x` is written as a string: a string template, or a variable whose `default` is one (an
    /// untyped variable without a default is ""). A list, a function call, a conditional and the like are not.
    static func writtenAsString(_ x: HCLExpr, in bake: BakeFile) -> Bool {
        switch x {
        case .template, .heredoc: return true
        case .variable(let name, _):
            guard let decl = bake.variables.last(where: { $0.name == name }) else { return false }
            guard let d = decl.default else { return decl.type == nil }
            switch d {
            case .template, .heredoc: return true
            default: return false
            }
        default: return false
        }
    }

    /// The rule\'s findings in `context.file` (1-based lines, UTF-8 byte columns); never reads files or prints.
    public func check(_ context: RuleContext) -> [Diagnostic] {
        guard context.file.kind == .bake, let bake = context.file.bake else { return [] }
        var out: [Diagnostic] = []
        for t in bake.targets {
            for name in ["cache-from", "cache-to"] {
                guard let attr = t.attribute(name) else { continue }
                let isString: Bool
                switch attr.expr {
                case .template(let parts, _):
                    if parts.count == 1, case .interpolation(let x, _) = parts[0] {
                        // `"${LIST}"` is the interpolated value itself, not a string (HCL template unwrapping):
                        // only what is written as a string is one (read from the syntax, not evaluated: a
                        // variable's value can be costly to compute).
                        isString = Self.writtenAsString(x, in: bake)
                    } else {
                        isString = true
                    }
                case .heredoc: isString = true
                default: isString = false
                }
                guard isString else { continue }
                let span = attr.expr.span
                let text = context.file.text
                let original = String(decoding: text.bytes[span.start.offset..<span.end.offset], as: UTF8.self)
                out.append(
                    diagnostic(
                        context, span,
                        "`\(name)` of target `\(t.name)` is a string; bake requires a list and fails to load the file (\"list required\")",
                        help: "Write it as a list: `\(name) = [\(original)]` (one element per cache entry).",
                        fixes: context.file.bake?.isJSON == true ? [] : [Fix(title: "Wrap in a list", edits: [TextEdit(span: span, replacement: "[\(original)]")])]))
            }
        }
        return out
    }
}
