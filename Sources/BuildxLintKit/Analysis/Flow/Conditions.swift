/// Reasoning about `if:` conditions without knowing their values.
public enum Conditions {
    /// The expression of an `if:` value: `${{ x }}` or bare `x` (GitHub adds the braces), or nil when
    /// absent or not parseable.
    public static func expression(_ node: YAMLNode?) -> Expr? {
        guard let text = node?.scalar?.trimmingSpaces, !text.isEmpty else { return nil }
        if let e = Template.wholeExpression(text) { return e }
        if Template.hasExpression(text) { return nil }
        return try? ExpressionParser.parse(text)
    }

    /// Whether two conditions can never both be true: `a` / `!a`, `x == 'p'` / `x == 'q'`,
    /// `x == 'p'` / `x != 'p'`, or either side a conjunction containing such a pair.
    public static func exclusive(_ a: Expr?, _ b: Expr?) -> Bool {
        guard let a, let b else { return false }
        // Splitting both sides' `&&`/`||` chains branches four ways per level: a budget keeps long chains
        // linear-ish (past it, the conditions count as able to hold together).
        var budget = 10_000
        return exclusive(a, b, &budget)
    }

    static func exclusive(_ a: Expr, _ b: Expr, _ budget: inout Int) -> Bool {
        budget -= 1
        guard budget > 0 else { return false }
        if case .not(let inner) = a, inner == b { return true }
        if case .not(let inner) = b, inner == a { return true }
        if let (x1, v1, eq1) = comparison(a), let (x2, v2, eq2) = comparison(b), x1 == x2 {
            if eq1 && eq2 && v1 != v2 { return true }
            if eq1 != eq2 && v1 == v2 { return true }
        }
        // A pull_request run's `github.ref` is `refs/pull/<n>/merge`: never a branch or a tag.
        if isPullRequestEvent(a) && namesBranchOrTag(b) || isPullRequestEvent(b) && namesBranchOrTag(a) { return true }
        // A conjunction is false whenever one of its parts is; a disjunction when both of its parts are.
        if case .binary(.and, let l, let r) = a, exclusive(l, b, &budget) || exclusive(r, b, &budget) { return true }
        if case .binary(.and, let l, let r) = b, exclusive(a, l, &budget) || exclusive(a, r, &budget) { return true }
        if case .binary(.or, let l, let r) = a, exclusive(l, b, &budget) && exclusive(r, b, &budget) { return true }
        if case .binary(.or, let l, let r) = b, exclusive(a, l, &budget) && exclusive(a, r, &budget) { return true }
        return false
    }

    /// `github.event_name == 'pull_request'` (not `pull_request_target`, whose `github.ref` is the base branch).
    static func isPullRequestEvent(_ e: Expr) -> Bool {
        guard let (path, value, equal) = comparison(e) else { return false }
        return equal && path == ["github", "event_name"] && value == "pull_request"
    }

    /// `github.ref == 'refs/heads/…'` or `'refs/tags/…'`, or `startsWith(github.ref, 'refs/heads/…')` (or tags).
    static func namesBranchOrTag(_ e: Expr) -> Bool {
        func branchOrTag(_ v: String) -> Bool { v.hasPrefix("refs/heads/") || v.hasPrefix("refs/tags/") }
        if let (path, value, equal) = comparison(e) { return equal && path == ["github", "ref"] && branchOrTag(value) }
        if case .call(let name, let args) = e, name.lowercased() == "startswith", args.count == 2,
            args[0].propertyPath == ["github", "ref"], case .literal(.string(let v)) = args[1]
        {
            return branchOrTag(v.lowercased())
        }
        return false
    }

    /// `path == literal` or `path != literal` (either order), lowercased strings (GitHub compares
    /// strings case-insensitively).
    static func comparison(_ e: Expr) -> (path: [String], value: String, equal: Bool)? {
        guard case .binary(let op, let l, let r) = e, op == .eq || op == .ne else { return nil }
        func lit(_ e: Expr) -> String? {
            switch e {
            case .literal(.string(let s)): return s.lowercased()
            case .literal(.number(let d)): return ExprValue.formatNumber(d)
            case .literal(.bool(let b)): return b ? "true" : "false"
            case .literal(.null): return ""
            default: return nil
            }
        }
        if let p = l.propertyPath, let v = lit(r) { return (p.map { $0.lowercased() }, v, op == .eq) }
        if let p = r.propertyPath, let v = lit(l) { return (p.map { $0.lowercased() }, v, op == .eq) }
        return nil
    }
}
