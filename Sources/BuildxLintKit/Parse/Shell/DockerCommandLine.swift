/// A shell word of a `run:` script with where it came from.
public struct ShellWord: Sendable, Hashable {
    /// The word after quote removal, with `$VAR`/`$(...)` kept as written.
    public let text: String
    /// Byte range of the word in the script (quotes included).
    public let range: Range<Int>
    /// Whether any part was unquoted and holds `$` (it may split into several words at run time).
    public let unquotedExpansion: Bool
    /// Whether the word holds a shell expansion (`$VAR`, `${…}`, `$(…)`, backticks): its value is unknown.
    public let hasExpansion: Bool
}

/// One `docker buildx build|bake` or `docker build` command found in a script.
public struct DockerCommand: Sendable {
    public enum Kind: String, Sendable { case build, bake }
    public let kind: Kind
    /// All words of the command, the `docker` word first.
    public let words: [ShellWord]
    /// Flags with their values (`--cache-from X` and `--cache-from=X` alike), in order.
    public let flags: [(name: String, value: ShellWord?, flag: ShellWord)]
    /// Positional arguments after the subcommand (bake targets, the build context).
    public let positionals: [ShellWord]
    /// `NAME=value` assignments written before the command (`CACHE_DIR=x docker buildx bake`): its environment.
    public var assignments: [(name: String, value: ShellWord)] = []

    /// Values of flag `name` (long form without dashes, e.g. `cache-from`).
    public func values(_ name: String) -> [ShellWord] { flags.filter { $0.name == name }.compactMap(\.value) }
}

/// Finds docker build commands in `run:` scripts with shell word rules: `\` line continuations, single
/// and double quotes, `#` comments, `;`/`&&`/`||`/`|`/newline command separators. Flags: `--flag=value`,
/// `--flag value`, and the short forms `-f` (file) and `-t` (tag).
public enum DockerCommandLine {
    /// Flags of `docker buildx build` / `docker build` / `bake` that take a value (so the next word is theirs).
    static let valueFlags: Set<String> = [
        "cache-from", "cache-to", "set", "platform", "file", "f", "allow", "builder", "tag", "t", "target", "build-arg",
        "output", "o", "label", "secret", "ssh", "progress", "metadata-file", "build-context", "network", "iidfile",
        "provenance", "sbom", "call", "annotation", "attest", "add-host", "cgroup-parent", "shm-size", "ulimit", "var",
    ]

    /// The value part of a `key=value` word (`--cache-to=…`, `NAME=…`): `text` after quote removal, its range
    /// starting after the first `=` of the raw word in `bytes` (the script).
    static func valueAfterEquals(_ w: ShellWord, text: String, _ bytes: [UInt8]) -> ShellWord {
        let rawEq = bytes[w.range].firstIndex(of: UInt8(ascii: "=")).map { $0 + 1 } ?? w.range.lowerBound
        return ShellWord(text: text, range: rawEq..<w.range.upperBound, unquotedExpansion: w.unquotedExpansion, hasExpansion: w.hasExpansion)
    }

    /// The docker build commands of `script`.
    public static func commands(in script: String) -> [DockerCommand] {
        var out: [DockerCommand] = []
        let bytes = Array(script.utf8)
        guard script.hasSubstring("docker") else { return [] }
        for words in commandWords(bytes) {
            // `docker` must be the command itself: only `VAR=value` assignments or wrappers may come before it.
            guard let docker = words.firstIndex(where: { $0.text == "docker" || $0.text.hasSuffix("/docker") }),
                words[..<docker].allSatisfy({ w in ["sudo", "exec", "time", "command", "env"].contains(w.text) || (w.text.contains("=") && !w.text.hasPrefix("-")) })
            else { continue }
            var i = docker + 1
            // Global docker options before the subcommand (`docker --context x buildx build`).
            while i < words.count, words[i].text.hasPrefix("-") {
                i += words[i].text.contains("=") ? 1 : 2
            }
            guard i < words.count else { continue }
            var kind: DockerCommand.Kind? = nil
            if words[i].text == "buildx", i + 1 < words.count {
                var j = i + 1
                // `docker buildx --builder x build`
                while j < words.count, words[j].text.hasPrefix("-") { j += words[j].text.contains("=") ? 1 : 2 }
                if j < words.count {
                    switch words[j].text {
                    case "build", "b": kind = .build
                    case "bake": kind = .bake
                    default: break
                    }
                }
                i = j
            } else if words[i].text == "build" || words[i].text == "image" && i + 1 < words.count && words[i + 1].text == "build" {
                kind = .build
                if words[i].text == "image" { i += 1 }
            }
            guard let kind else { continue }
            var flags: [(String, ShellWord?, ShellWord)] = []
            var positionals: [ShellWord] = []
            var k = i + 1
            while k < words.count {
                let w = words[k]
                if w.text == "--" {
                    positionals.append(contentsOf: words[(k + 1)...])
                    break
                }
                if w.text.hasPrefix("--") || (w.text.hasPrefix("-") && w.text.count == 2) {
                    let body = w.text.drop { $0 == "-" }
                    if let eq = body.firstIndex(of: "=") {
                        flags.append((String(body[..<eq]), valueAfterEquals(w, text: String(body[body.index(after: eq)...]), bytes), w))
                    } else {
                        let name = String(body)
                        if valueFlags.contains(name), k + 1 < words.count {
                            flags.append((name, words[k + 1], w))
                            k += 1
                        } else {
                            flags.append((name, nil, w))
                        }
                    }
                } else {
                    positionals.append(w)
                }
                k += 1
            }
            let normalized = flags.map { f -> (String, ShellWord?, ShellWord) in
                switch f.0 {
                case "f": ("file", f.1, f.2)
                case "t": ("tag", f.1, f.2)
                default: f
                }
            }
            var command = DockerCommand(kind: kind, words: Array(words[docker...]), flags: normalized.map { (name: $0.0, value: $0.1, flag: $0.2) }, positionals: positionals)
            for w in words[..<docker] {
                guard let eq = w.text.firstIndex(of: "="), eq != w.text.startIndex else { continue }
                let name = String(w.text[..<eq])
                guard name.allSatisfy({ $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }), !(name.first?.isNumber ?? true) else { continue }
                command.assignments.append((name, valueAfterEquals(w, text: String(w.text[w.text.index(after: eq)...]), bytes)))
            }
            out.append(command)
        }
        return out
    }

    /// Source offsets (into the script) of each byte of `word.text`, plus one past the end: exact when the
    /// text stands verbatim in the word (possibly inside quotes), else the word's start for every byte.
    public static func offsets(of word: ShellWord, in script: [UInt8]) -> [Int] {
        let t = Array(word.text.utf8)
        let range = word.range.clamped(to: 0..<script.count)
        let raw = script[range]
        if !t.isEmpty, raw.count >= t.count {
            var i = raw.startIndex
            while i + t.count <= raw.endIndex {
                if raw[i..<(i + t.count)].elementsEqual(t) { return Array(i..<(i + t.count)) + [i + t.count] }
                i += 1
            }
        }
        return Array(repeating: range.lowerBound, count: t.count) + [range.upperBound]
    }

    /// Splits a script into commands of words.
    static func commandWords(_ b: [UInt8]) -> [[ShellWord]] {
        var commands: [[ShellWord]] = []
        var current: [ShellWord] = []
        var i = 0
        let n = b.count
        func endCommand() {
            if !current.isEmpty { commands.append(current) }
            current = []
        }
        while i < n {
            let c = b[i]
            // Line continuation.
            if c == UInt8(ascii: "\\"), i + 1 < n, b[i + 1] == 0x0A {
                i += 2
                continue
            }
            if c == 0x20 || c == 0x09 || c == 0x0D {
                i += 1
                continue
            }
            if c == 0x0A || c == UInt8(ascii: ";") || c == UInt8(ascii: "|") || c == UInt8(ascii: "&") || c == UInt8(ascii: "(") || c == UInt8(ascii: ")") {
                endCommand()
                i += 1
                continue
            }
            if c == UInt8(ascii: "#") {
                while i < n, b[i] != 0x0A { i += 1 }
                continue
            }
            // A word.
            let start = i
            var text: [UInt8] = []
            var unquotedExpansion = false
            var hasExpansion = false
            wordLoop: while i < n {
                let ch = b[i]
                switch ch {
                case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "&"), UInt8(ascii: "("), UInt8(ascii: ")"):
                    break wordLoop
                case UInt8(ascii: "\\"):
                    if i + 1 < n, b[i + 1] == 0x0A { i += 2; continue }
                    if i + 1 < n { text.append(b[i + 1]); i += 2 } else { i += 1 }
                case UInt8(ascii: "'"):
                    i += 1
                    while i < n, b[i] != UInt8(ascii: "'") { text.append(b[i]); i += 1 }
                    // The closing quote, when there is one (an unterminated quote runs to the end).
                    if i < n { i += 1 }
                case UInt8(ascii: "\""):
                    i += 1
                    while i < n, b[i] != UInt8(ascii: "\"") {
                        if b[i] == UInt8(ascii: "\\"), i + 1 < n, "\"\\$`\n".utf8.contains(b[i + 1]) {
                            if b[i + 1] != 0x0A { text.append(b[i + 1]) }
                            i += 2
                            continue
                        }
                        if b[i] == UInt8(ascii: "$") || b[i] == UInt8(ascii: "`") { hasExpansion = true }
                        text.append(b[i])
                        i += 1
                    }
                    if i < n { i += 1 }
                case UInt8(ascii: "$"):
                    // `${{ }}` is a GitHub expression already substituted by the runner, not shell syntax.
                    if let end = expressionEnd(b, i) {
                        text.append(contentsOf: b[i..<end])
                        i = end
                        continue
                    }
                    hasExpansion = true
                    unquotedExpansion = true
                    if i + 1 < n, b[i + 1] == UInt8(ascii: "(") {
                        // Copy `$( … )` whole, with nesting.
                        var depth = 0
                        while i < n {
                            if b[i] == UInt8(ascii: "(") { depth += 1 }
                            if b[i] == UInt8(ascii: ")") { depth -= 1; if depth == 0 { text.append(b[i]); i += 1; break } }
                            text.append(b[i])
                            i += 1
                        }
                    } else {
                        text.append(ch)
                        i += 1
                    }
                case UInt8(ascii: "`"):
                    hasExpansion = true
                    unquotedExpansion = true
                    text.append(ch)
                    i += 1
                default:
                    text.append(ch)
                    i += 1
                }
            }
            current.append(
                ShellWord(text: String(decoding: text, as: UTF8.self), range: start..<i, unquotedExpansion: unquotedExpansion, hasExpansion: hasExpansion))
        }
        endCommand()
        return commands
    }
}
