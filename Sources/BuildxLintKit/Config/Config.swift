/// The project configuration, `.buildx-lint.yml` (or `.github/buildx-lint.yml`) at the repository root:
///
/// ```yaml
/// min-buildx-version: v0.21.0   # BXC306's minimum
/// fail-on: warning              # error | warning | info | never
/// ignore:                       # paths never linted (globs)
///   - vendor/**
/// rules:
///   BXC301:
///     severity: info            # error | warning | info | off
///     ignore: [.github/workflows/experimental-*.yml]
/// ```
public struct LintConfig: Sendable {
    /// Per-rule settings.
    public struct RuleSettings: Sendable {
        /// nil keeps the rule's default; `.some(nil)` turns the rule off.
        public var severity: Severity??
        public var ignore: [PathGlob] = []
    }

    public var minBuildxVersion: Version?
    public var failOn: String?
    public var ignore: [PathGlob] = []
    public var rules: [String: RuleSettings] = [:]
    /// Where the configuration came from (for messages), or nil for the default.
    public var path: String?

    public init() {}

    /// The names the configuration is looked up under, in order.
    public static let fileNames = [".buildx-lint.yml", ".buildx-lint.yaml", ".github/buildx-lint.yml", ".github/buildx-lint.yaml"]

    /// Applies the configuration to findings: drops ignored paths and rules turned off, sets severities.
    public func apply(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.compactMap { d in
            if ignore.contains(where: { $0.matches(d.path) }) { return nil }
            guard let r = rules[d.ruleID] else { return d }
            if r.ignore.contains(where: { $0.matches(d.path) }) { return nil }
            var out = d
            if let sev = r.severity {
                guard let s = sev else { return nil }
                out.severity = s
            }
            return out
        }
    }

    /// Whether `path` is ignored for every rule.
    public func ignores(_ path: RepoPath) -> Bool { ignore.contains { $0.matches(path) } }
}

/// A problem in the configuration file: unknown key or bad value, with its position (exit status 2).
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let position: SourcePosition
    public let message: String
    public var description: String { "\(path):\(position.line):\(position.column): \(message)" }
}

/// Reads `.buildx-lint.yml`.
public enum ConfigParser {
    /// Parses configuration bytes. Throws every problem found (unknown keys, bad values, YAML errors).
    /// - Throws: `[ConfigError]` wrapped in `ConfigErrors`.
    public static func parse(_ bytes: [UInt8], path: String, knownRules: Set<String>) throws(ConfigErrors) -> LintConfig {
        let text = SourceText(bytes)
        var errors: [ConfigError] = []
        func fail(_ node: YAMLNode, _ message: String) {
            errors.append(ConfigError(path: path, position: node.valueSpan.start, message: message))
        }
        let file: YAMLFile
        do {
            file = try YAMLParser.parse(text)
        } catch {
            throw ConfigErrors(errors: [ConfigError(path: path, position: error.position, message: error.message)])
        }
        var config = LintConfig()
        config.path = path
        guard let root = file.root else { return config }
        guard let pairs = root.pairs else {
            if root.scalar == "" { return config }
            throw ConfigErrors(errors: [ConfigError(path: path, position: root.span.start, message: "the configuration must be a mapping")])
        }
        for w in file.warnings { errors.append(ConfigError(path: path, position: w.span.start, message: w.message)) }
        func globs(_ node: YAMLNode) -> [PathGlob] {
            if let s = node.scalar, node.scalarStyle != .plain || !s.isEmpty { return [PathGlob(s)] }
            guard let items = node.items else {
                fail(node, "expected a path glob or a list of them")
                return []
            }
            return items.compactMap { item in
                guard let s = item.scalar else { fail(item, "expected a path glob"); return nil }
                return PathGlob(s)
            }
        }
        for p in pairs {
            guard let key = p.key.scalar else { fail(p.key, "expected a key"); continue }
            switch key {
            case "min-buildx-version":
                if let s = p.value.scalar, let v = Version(s, requireV: true), v.precision == 3 { config.minBuildxVersion = v }
                else { fail(p.value, "min-buildx-version must be a release such as v0.14.0") }
            case "fail-on":
                if let s = p.value.scalar, ["error", "warning", "info", "never"].contains(s) { config.failOn = s }
                else { fail(p.value, "fail-on must be error, warning, info or never") }
            case "ignore":
                config.ignore = globs(p.value)
            case "rules":
                guard let rulePairs = p.value.pairs else { fail(p.value, "rules must be a mapping of rule ids"); continue }
                for rp in rulePairs {
                    guard let id = rp.key.scalar?.uppercased(), knownRules.contains(id) else {
                        fail(rp.key, "unknown rule `\(rp.key.scalar ?? "")` (see `buildx-lint rules`)")
                        continue
                    }
                    var settings = LintConfig.RuleSettings()
                    if let s = rp.value.scalar {
                        // Shorthand: `BXC301: off`.
                        if let sev = severity(s) { settings.severity = sev } else { fail(rp.value, "severity must be error, warning, info or off") }
                    } else if let sps = rp.value.pairs {
                        for sp in sps {
                            switch sp.key.scalar {
                            case "severity":
                                if let s = sp.value.scalar, let sev = severity(s) { settings.severity = sev }
                                else { fail(sp.value, "severity must be error, warning, info or off") }
                            case "ignore":
                                settings.ignore = globs(sp.value)
                            default:
                                fail(sp.key, "unknown key `\(sp.key.scalar ?? "")` for \(id) (expected severity, ignore)")
                            }
                        }
                    } else {
                        fail(rp.value, "expected `severity:`/`ignore:` or a severity")
                    }
                    config.rules[id] = settings
                }
            default:
                fail(p.key, "unknown key `\(key)` (expected min-buildx-version, fail-on, ignore, rules)")
            }
        }
        if !errors.isEmpty { throw ConfigErrors(errors: errors) }
        return config
    }

    static func severity(_ s: String) -> Severity?? {
        switch s {
        case "off": return .some(nil)
        case "error": return .some(.error)
        case "warning": return .some(.warning)
        case "info": return .some(.info)
        default: return nil
        }
    }
}

/// All problems of one configuration file.
public struct ConfigErrors: Error, Sendable {
    public let errors: [ConfigError]
}
