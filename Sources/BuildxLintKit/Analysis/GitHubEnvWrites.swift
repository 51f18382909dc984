/// One `NAME=value` line a `run:` script writes to `$GITHUB_ENV`.
public struct GitHubEnvWrite: Sendable, Hashable {
    /// The variable name.
    public let name: String
    /// The value written: `.string` (symbols embedded as `⟨name⟩` markers) or `.unknown` with the reason.
    public let value: ExprValue
    /// Whether the write happens only on some paths of the script: inside an `if`/`case`/loop or after
    /// `&&`/`||` whose condition is not known here.
    public let isConditional: Bool
    /// 1-based line, within the script, of the command that completes the line in `$GITHUB_ENV`.
    public let line: Int
}

/// What a `run:` script does to `$GITHUB_ENV`, as far as it can be read without running it.
public struct GitHubEnvScript: Sendable {
    /// Every line written to `$GITHUB_ENV`, in script order (loop bodies with known word lists unrolled).
    public let writes: [GitHubEnvWrite]
    /// The variables set when the step ends, in order of first write, each with its final value. A
    /// variable set differently (or only) on paths the analysis cannot choose between is `.unknown`.
    public let effective: [(name: String, value: ExprValue)]
    /// Whether the script may write variables whose names could not be read: output of a command this
    /// reader does not model, a dynamic name, `eval`, a script that does not parse, a shell other than
    /// bash/sh. Callers should then treat `env.X` not set elsewhere as unknown rather than empty.
    public let hasUnreadableWrite: Bool
    /// The bash-only parameter expansions in the script (`${p//\//-}`, `${x,,}`, `${x:0:8}`, `${x@L}`,
    /// `${a[0]}`, `${!x}`), as written. POSIX `sh` (dash) stops the script at such an expansion with
    /// "Bad substitution".
    public let bashOnlyExpansions: [String]
    /// When the shell stops the script early (a bash-only expansion under `sh`), why; writes after that
    /// point are not made.
    public let stoppedEarly: String?
}

/// Reads `run:` scripts that set environment variables for later steps through `$GITHUB_ENV`.
///
/// The script is read as the runner runs it: `${{ }}` expressions are substituted into the text first
/// (with the `EvalContext`), then a small abstract interpreter for bash (or POSIX sh) follows variables
/// assigned earlier in the script, the step's environment, and the commands that write the file:
///
/// * `echo "X=v" >> $GITHUB_ENV` (also `"$GITHUB_ENV"`, `${GITHUB_ENV}`, `>>$GITHUB_ENV`, unquoted
///   words, `echo -n`/`-e`), `printf 'X=%s\n' "$v"`, `cat <<EOF` here-documents and `<<<` here-strings;
/// * `{ …; } >> $GITHUB_ENV` groups, subshells, pipelines into `tee -a $GITHUB_ENV`;
/// * the multi-line `NAME<<DELIM` … `DELIM` form, also spread over several commands;
/// * parameter expansions `$v`, `${v}`, `${v//pat/rep}`, `${v/pat/rep}` (glob patterns, escaped `\/`),
///   `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`, `${v,,}`, `${v^^}`, `${v,}`, `${v^}`, `${v@L}`/`@U`/`@u`,
///   `${v:off:len}`, `${#v}`, `${v:-w}`, `${v-w}`, `${v:=w}`, `${v:+w}`, `${v+w}`;
/// * command substitutions made of `echo`/`printf` piped through `tr`, literal `sed s/…/…/[g]`, `cut
///   -d -f`, and `basename`/`dirname`;
/// * `if`/`elif`/`else`, `case`, `&&`/`||` with conditions it can decide (`[ "$a" = b ]`, `[[ $a == p* ]]`,
///   `-z`/`-n`, integer comparisons); other conditions make both paths possible. `for` loops over known
///   words are unrolled; other loops run "maybe".
///
/// Anything else (other commands' output, unset variables the runner may define, globbing, arithmetic)
/// is `.unknown`. Symbols (see `ExprValue`) substituted into the script are assumed to be single shell
/// words without glob characters; results computed from them are symbols again.
public enum GitHubEnvWrites {
    /// The variables the script sets through `$GITHUB_ENV` and their values when the step ends
    /// (`analyze(…).effective`).
    /// - Parameters:
    ///   - script: The `run:` value as written (with its `${{ }}` expressions).
    ///   - stepEnv: The environment the script sees, evaluated: workflow, job and step `env:` plus the
    ///     variables earlier steps wrote to `$GITHUB_ENV` (they are real environment variables).
    ///   - ctx: The context for `${{ }}` expressions in the script.
    ///   - shell: The step's effective shell (`shell:`, else `defaults.run.shell`, else `sh` in a
    ///     `container:` job, else nil for bash). Shells other than bash/sh are not read.
    public static func writes(run script: String, stepEnv: [String: ExprValue], ctx: EvalContext, shell: String?)
        -> [(name: String, value: ExprValue)]
    {
        analyze(run: script, stepEnv: stepEnv, ctx: ctx, shell: shell).effective
    }

    /// Everything the reader finds in `script`; see `writes(run:stepEnv:ctx:shell:)` for the parameters.
    public static func analyze(run script: String, stepEnv: [String: ExprValue], ctx: EvalContext, shell: String?)
        -> GitHubEnvScript
    {
        let mentionsEnvFile = script.contains("GITHUB_ENV")
        let kind = ShellKind(shell)
        var table = UnknownTable()
        let text = substituteExpressions(script, ctx, &table)
        var parser = ShellParser(text)
        let commands = parser.parseScript()
        let bashOnly = parser.bashOnly
        guard kind != .other else {
            return GitHubEnvScript(
                writes: [], effective: [], hasUnreadableWrite: mentionsEnvFile, bashOnlyExpansions: bashOnly,
                stoppedEarly: nil)
        }
        if let commands, parser.failure == nil {
            let interp = ShellInterpreter(table: table, stepEnv: stepEnv, ctx: ctx, posix: kind == .posix)
            return interp.run(commands, bashOnly: bashOnly)
        }
        // A script that does not parse (a construct this reader lacks, or a real syntax error, which
        // bash only reports when it reaches it): read the lines before the failure, and count
        // everything after it as unreadable.
        var failLine = parser.failureLine ?? 1
        for _ in 0..<4 where failLine > 1 {
            let prefix = Self.lines(text, before: failLine)
            var p = ShellParser(prefix)
            if let cmds = p.parseScript(), p.failure == nil {
                let interp = ShellInterpreter(table: table, stepEnv: stepEnv, ctx: ctx, posix: kind == .posix)
                interp.unreadable = mentionsEnvFile
                return interp.run(cmds, bashOnly: bashOnly)
            }
            failLine = min(failLine - 1, p.failureLine ?? failLine - 1)
        }
        return GitHubEnvScript(
            writes: [], effective: [], hasUnreadableWrite: mentionsEnvFile, bashOnlyExpansions: bashOnly,
            stoppedEarly: nil)
    }

    /// Whether `script` uses a bash-only parameter expansion (`${p//\//-}`, `${x,,}`, `${x:0:8}`, …) that
    /// POSIX `sh` rejects with "Bad substitution" (rule BXC503). Expansions inside single quotes or quoted
    /// here-documents do not count; `${{ }}` expressions are not shell syntax and never count.
    public static func usesBashOnlyExpansion(script: String) -> Bool {
        !bashOnlyExpansions(script: script).isEmpty
    }

    /// The bash-only parameter expansions of `script`, as written, in order.
    public static func bashOnlyExpansions(script: String) -> [String] {
        var table = UnknownTable()
        let text = substituteExpressions(script, EvalContext(), &table)
        var parser = ShellParser(text)
        _ = parser.parseScript()
        return parser.bashOnly
    }

    /// The scalars of `text` before its 1-based line `line`.
    static func lines(_ text: [Unicode.Scalar], before line: Int) -> [Unicode.Scalar] {
        var n = 1
        for (k, c) in text.enumerated() where c == "\n" {
            n += 1
            if n == line { return Array(text[0...k]) }
        }
        return text
    }

    /// The script text with each `${{ }}` replaced by its text, or by a placeholder for unknown values.
    static func substituteExpressions(_ script: String, _ ctx: EvalContext, _ table: inout UnknownTable) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        for part in Template.parts(script) {
            switch part.kind {
            case .literal(let t): out += t.unicodeScalars
            case .expression(let src, let e):
                guard let e else {
                    out += table.placeholder("expression does not parse: ${{\(src)}}").unicodeScalars
                    continue
                }
                let v = ExpressionEvaluator.evaluate(e, ctx)
                switch v {
                case .unknown(let r): out += table.placeholder(r).unicodeScalars
                case .array, .object: out += table.placeholder("an array or object in a script").unicodeScalars
                default: out += (v.templateText ?? "").unicodeScalars
                }
            }
        }
        return out
    }
}

// MARK: - Values inside the interpreter

/// Unknown values inside shell text are single private-use scalars (U+F0000 + index) whose reasons live
/// here, so unknown parts flow through string operations and are easy to detect.
struct UnknownTable {
    var reasons: [String] = []

    static let base: UInt32 = 0xF0000

    /// Most distinct placeholders (the private-use plane has 65,534); later unknowns share the last one.
    static let capacity = 65_000

    mutating func placeholder(_ reason: String) -> String {
        if reasons.count < Self.capacity { reasons.append(reason) }
        return String(Character(Unicode.Scalar(Self.base + UInt32(reasons.count - 1)) ?? "\u{F0000}"))
    }

    static func isPlaceholder(_ u: Unicode.Scalar) -> Bool { u.value >= base && u.value < 0x10000 + base - 2 }

    /// The first placeholder in `s`, if any.
    static func firstPlaceholder(_ s: String) -> Unicode.Scalar? { s.unicodeScalars.first(where: isPlaceholder) }

    func reason(_ u: Unicode.Scalar) -> String {
        let i = Int(u.value - Self.base)
        return i < reasons.count ? reasons[i] : "not known"
    }
}

// The shell reader's internals live inside `GitHubEnvWrites` so their short names stay private to it.
extension GitHubEnvWrites {
    /// Which shell reads the script.
    enum ShellKind {
        case bash, posix, other

        init(_ shell: String?) {
            guard let shell else {
                self = .bash
                return
            }
            let first = shell.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
            let name = first.split(separator: "/").last.map(String.init) ?? first
            switch name {
            case "bash": self = .bash
            case "sh", "dash", "ash", "busybox": self = .posix
            default: self = .other
            }
        }
    }

    // MARK: - Syntax tree

    /// A parsed shell word: parts with their quoting.
    typealias ShWord = [ShPart]

    indirect enum ShPart {
        /// Literal text; `quoted` text is not subject to globbing or field splitting.
        case lit(String, quoted: Bool)
        case param(ShParam, quoted: Bool)
        /// `$(…)` or backquotes: the parsed commands (nil when they do not parse).
        case command([ShCommand]?, quoted: Bool)
        case arith(String, quoted: Bool)
        /// `<(…)` / `>(…)`.
        case processSubstitution
        /// `(…)` after `name=` in a declaration (`local a=(x y)`): an array, not followed.
        case arrayLiteral
    }

    struct ShParam {
        var name: String
        var op: ShParamOp
        /// The expansion as written, for reports.
        var source: String
    }

    indirect enum ShParamOp {
        case plain
        case length
        /// `-`, `=`, `?`, `+`, with or without `:`.
        case defaulting(Character, colon: Bool, word: ShWord)
        case removePrefix(longest: Bool, pattern: ShWord)
        case removeSuffix(longest: Bool, pattern: ShWord)
        /// `mode`: `/` first, `//` all, `/#` anchored at the start, `/%` anchored at the end.
        case replace(mode: String, pattern: ShWord, replacement: ShWord?)
        case caseMod(upper: Bool, all: Bool, pattern: ShWord)
        case substring(offset: String, length: String?)
        case transform(Character)
        /// Arrays, indirection and other forms this reader does not evaluate.
        case unsupported

        /// Whether POSIX sh rejects the form.
        var isBashOnly: Bool {
            switch self {
            case .plain, .length, .defaulting, .removePrefix, .removeSuffix: return false
            default: return true
            }
        }
    }

    struct ShRedirect {
        enum Op { case output, append, input, hereDoc, hereString, dupOutput, dupInput, outputAndError, appendOutputAndError, readWrite }
        var fd: Int?
        var op: Op
        var target: ShWord
        /// The body, for `.hereDoc` (filled in when the parser reaches the end of the line).
        var hereDoc: ShHereDocBox?
    }

    struct ShSimple {
        var assigns: [(name: String, value: ShWord, isArray: Bool)]
        var words: [ShWord]
        var redirects: [ShRedirect]
        var line: Int
    }

    struct ShCaseItem {
        var patterns: [ShWord]
        var body: [ShCommand]
    }

    indirect enum ShCommand {
        case simple(ShSimple)
        case group([ShCommand], redirects: [ShRedirect], subshell: Bool)
        case andOr(ShCommand, [(isAnd: Bool, command: ShCommand)])
        case pipeline([ShCommand], negated: Bool)
        case ifClause([(cond: [ShCommand], body: [ShCommand])], elseBody: [ShCommand]?, redirects: [ShRedirect])
        /// `name` nil: an arithmetic `for ((…))` loop.
        case forLoop(name: String?, words: [ShWord]?, body: [ShCommand], redirects: [ShRedirect])
        case whileLoop(cond: [ShCommand], body: [ShCommand], until: Bool, redirects: [ShRedirect])
        case caseClause(ShWord, [ShCaseItem], redirects: [ShRedirect])
        case function(String, ShCommand)
        /// `(( … ))`: status not known.
        case arithmetic
    }

    /// A here-document body: literal (quoted delimiter) or with expansions.
    /// Holds a here-document body: the redirection is parsed before its body, which follows the line.
    final class ShHereDocBox {
        var body: ShHereDoc = .literal("")
    }

    enum ShHereDoc {
        case literal(String)
        case expanded(ShWord)
    }

    // MARK: - Parser

    /// A recursive-descent parser for the shell syntax `run:` scripts use. Unknown constructs make `failure`
    /// non-nil rather than guessing a structure.
    struct ShellParser {
        let s: [Unicode.Scalar]
        var i = 0
        var line = 1
        var failure: String?
        /// The line where parsing failed.
        var failureLine: Int?
        /// Nesting of lists (including command substitutions, here-documents and backquotes parsed by
        /// sub-parsers), bounded so that hostile scripts cannot exhaust the stack.
        var depth = 0
        static let maxDepth = 40
        var pendingHereDocs: [(box: ShHereDocBox, delimiter: String, quoted: Bool, stripTabs: Bool)] = []
        /// Bash-only parameter expansions seen, as written.
        var bashOnly: [String] = []

        init(_ s: [Unicode.Scalar]) { self.s = s }

        init(_ text: String) { self.s = Array(text.unicodeScalars) }

        var atEnd: Bool { i >= s.count }
        func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

        mutating func fail(_ m: String) {
            if failure == nil {
                failure = "\(m) (line \(line))"
                failureLine = line
            }
            i = s.count
        }

        /// Advances one scalar, counting lines.
        mutating func bump() {
            if s[i] == "\n" { line += 1 }
            i += 1
        }

        static func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" }

        static func isMeta(_ c: Unicode.Scalar) -> Bool {
            c == " " || c == "\t" || c == "\r" || c == "\n" || c == ";" || c == "&" || c == "|" || c == "<" || c == ">"
                || c == "(" || c == ")"
        }

        static func isNameStart(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
        }

        static func isNameChar(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || (c >= "0" && c <= "9") }

        /// Skips blanks, line continuations and a comment (up to, not including, the newline).
        mutating func skipBlanks() {
            while let c = peek() {
                if Self.isBlank(c) {
                    i += 1
                } else if c == "\\", peek(1) == "\n" {
                    i += 2
                    line += 1
                } else if c == "#" {
                    while let d = peek(), d != "\n" { i += 1 }
                } else {
                    break
                }
            }
        }

        /// Consumes a newline and reads the here-documents started on the line it ends.
        mutating func consumeNewline() {
            bump()
            let pending = pendingHereDocs
            pendingHereDocs = []
            for h in pending { readHereDocBody(h) }
        }

        mutating func skipNewlines() {
            while true {
                skipBlanks()
                if peek() == "\n" { consumeNewline() } else { break }
            }
        }

        // MARK: Lists and commands

        mutating func parseScript() -> [ShCommand]? {
            let list = parseList(terminators: [], closeParen: false)
            if failure == nil, !atEnd { fail("unexpected `\(String(s[i]))`") }
            return failure == nil ? list : nil
        }

        /// The reserved word at the current position, if the next token is one (not consumed).
        func peekReserved() -> String? {
            var j = i
            var w = String.UnicodeScalarView()
            while j < s.count, !Self.isMeta(s[j]) {
                let c = s[j]
                guard Self.isNameChar(c) || c == "{" || c == "}" || c == "!" || c == "[" || c == "]" else { return nil }
                w.append(c)
                j += 1
            }
            let word = String(w)
            let reserved: Set<String> = [
                "if", "then", "elif", "else", "fi", "for", "in", "do", "done", "while", "until", "case", "esac",
                "function", "select", "{", "}", "!", "[[",
            ]
            return reserved.contains(word) ? word : nil
        }

        mutating func expectReserved(_ w: String) {
            skipNewlines()
            guard peekReserved() == w else {
                fail("expected `\(w)`")
                return
            }
            i += w.unicodeScalars.count
        }

        mutating func parseList(terminators: Set<String>, closeParen: Bool) -> [ShCommand] {
            depth += 1
            defer { depth -= 1 }
            if depth > Self.maxDepth {
                fail("nesting too deep")
                return []
            }
            var out: [ShCommand] = []
            while failure == nil {
                skipBlanks()
                guard let c = peek() else { break }
                if c == "\n" {
                    consumeNewline()
                    continue
                }
                if c == ";" {
                    if peek(1) == ";" || peek(1) == "&" { break }  // end of a case item
                    i += 1
                    continue
                }
                if c == ")" {
                    if closeParen { break }
                    break  // a case pattern's `)` never reaches here; a stray one ends the list
                }
                if let r = peekReserved(), terminators.contains(r) { break }
                let before = i
                let cmd = parseAndOr()
                if failure != nil { break }
                if i == before {
                    fail("unexpected `\(String(s[i]))`")
                    break
                }
                out.append(cmd)
                skipBlanks()
                if peek() == "&", peek(1) != "&", peek(1) != ">" { i += 1 }
            }
            return out
        }

        mutating func parseAndOr() -> ShCommand {
            let first = parsePipeline()
            var rest: [(isAnd: Bool, command: ShCommand)] = []
            while failure == nil {
                skipBlanks()
                if peek() == "&", peek(1) == "&" {
                    i += 2
                    skipNewlines()
                    rest.append((true, parsePipeline()))
                } else if peek() == "|", peek(1) == "|" {
                    i += 2
                    skipNewlines()
                    rest.append((false, parsePipeline()))
                } else {
                    break
                }
            }
            return rest.isEmpty ? first : .andOr(first, rest)
        }

        mutating func parsePipeline() -> ShCommand {
            skipBlanks()
            var negated = false
            if peekReserved() == "!" {
                i += 1
                negated = true
            }
            var stages = [parseCommand()]
            while failure == nil {
                skipBlanks()
                if peek() == "|", peek(1) != "|" {
                    i += peek(1) == "&" ? 2 : 1
                    skipNewlines()
                    stages.append(parseCommand())
                } else {
                    break
                }
            }
            return stages.count == 1 && !negated ? stages[0] : .pipeline(stages, negated: negated)
        }

        mutating func parseCommand() -> ShCommand {
            skipBlanks()
            guard let c = peek() else {
                fail("missing command")
                return .arithmetic
            }
            if c == "(" {
                if peek(1) == "(" {
                    skipArithmetic()
                    _ = parseRedirects()
                    return .arithmetic
                }
                i += 1
                let body = parseList(terminators: [], closeParen: true)
                guard peek() == ")" else {
                    fail("missing `)`")
                    return .arithmetic
                }
                i += 1
                return .group(body, redirects: parseRedirects(), subshell: true)
            }
            switch peekReserved() {
            case "{":
                i += 1
                let body = parseList(terminators: ["}"], closeParen: false)
                expectReserved("}")
                return .group(body, redirects: parseRedirects(), subshell: false)
            case "if": return parseIf()
            case "for", "select": return parseFor()
            case "while", "until": return parseWhile()
            case "case": return parseCase()
            case "function":
                i += "function".unicodeScalars.count
                skipBlanks()
                let name = readPlainName()
                skipBlanks()
                if peek() == "(", peek(1) == ")" { i += 2 }
                skipNewlines()
                return .function(name, parseCommand())
            case let r? where ["then", "elif", "else", "fi", "do", "done", "esac", "}", "in"].contains(r):
                fail("unexpected `\(r)`")
                return .arithmetic
            default:
                return parseSimple()
            }
        }

        mutating func readPlainName() -> String {
            var w = String.UnicodeScalarView()
            while let c = peek(), !Self.isMeta(c) {
                w.append(c)
                i += 1
            }
            return String(w)
        }

        /// Skips `((…))` (an arithmetic command or `for ((…))` header).
        mutating func skipArithmetic() {
            i += 2
            var level = 2
            while let c = peek(), level > 0 {
                if c == "(" { level += 1 } else if c == ")" { level -= 1 }
                bump()
            }
            if level > 0 { fail("unterminated `((`") }
        }

        mutating func parseIf() -> ShCommand {
            i += 2
            var clauses: [(cond: [ShCommand], body: [ShCommand])] = []
            var elseBody: [ShCommand]? = nil
            let cond = parseList(terminators: ["then"], closeParen: false)
            expectReserved("then")
            clauses.append((cond, parseList(terminators: ["elif", "else", "fi"], closeParen: false)))
            while failure == nil {
                skipNewlines()
                switch peekReserved() {
                case "elif":
                    i += 4
                    let c = parseList(terminators: ["then"], closeParen: false)
                    expectReserved("then")
                    clauses.append((c, parseList(terminators: ["elif", "else", "fi"], closeParen: false)))
                case "else":
                    i += 4
                    elseBody = parseList(terminators: ["fi"], closeParen: false)
                    expectReserved("fi")
                    return .ifClause(clauses, elseBody: elseBody, redirects: parseRedirects())
                case "fi":
                    i += 2
                    return .ifClause(clauses, elseBody: nil, redirects: parseRedirects())
                default:
                    fail("expected `fi`")
                }
            }
            return .arithmetic
        }

        mutating func parseFor() -> ShCommand {
            i += peekReserved() == "for" ? 3 : 6
            skipBlanks()
            var name: String? = nil
            var words: [ShWord]? = nil
            if peek() == "(", peek(1) == "(" {
                skipArithmetic()
            } else {
                name = readPlainName()
                skipNewlines()
                if peekReserved() == "in" {
                    i += 2
                    var ws: [ShWord] = []
                    while failure == nil {
                        skipBlanks()
                        guard let c = peek(), c != "\n", c != ";" else { break }
                        ws.append(readWordMakingProgress())
                    }
                    words = ws
                }
            }
            skipBlanks()
            if peek() == ";" { i += 1 }
            skipNewlines()
            expectReserved("do")
            let body = parseList(terminators: ["done"], closeParen: false)
            expectReserved("done")
            return .forLoop(name: name, words: words, body: body, redirects: parseRedirects())
        }

        mutating func parseWhile() -> ShCommand {
            let until = peekReserved() == "until"
            i += 5
            let cond = parseList(terminators: ["do"], closeParen: false)
            expectReserved("do")
            let body = parseList(terminators: ["done"], closeParen: false)
            expectReserved("done")
            return .whileLoop(cond: cond, body: body, until: until, redirects: parseRedirects())
        }

        mutating func parseCase() -> ShCommand {
            i += 4
            skipBlanks()
            let subject = readWord()
            skipNewlines()
            guard peekReserved() == "in" else {
                fail("expected `in`")
                return .arithmetic
            }
            i += 2
            var items: [ShCaseItem] = []
            while failure == nil {
                skipNewlines()
                if peekReserved() == "esac" {
                    i += 4
                    return .caseClause(subject, items, redirects: parseRedirects())
                }
                guard !atEnd else {
                    fail("expected `esac`")
                    break
                }
                if peek() == "(" { i += 1 }
                var patterns: [ShWord] = []
                while failure == nil {
                    skipBlanks()
                    patterns.append(readWordMakingProgress())
                    skipBlanks()
                    if peek() == "|" {
                        i += 1
                        continue
                    }
                    break
                }
                guard peek() == ")" else {
                    fail("expected `)` in case pattern")
                    break
                }
                i += 1
                let body = parseList(terminators: ["esac"], closeParen: false)
                items.append(ShCaseItem(patterns: patterns, body: body))
                skipBlanks()
                if peek() == ";" {
                    i += 1
                    if peek() == ";" { i += 1 }
                    if peek() == "&" { i += 1 }
                }
            }
            return .arithmetic
        }

        mutating func parseSimple() -> ShCommand {
            var cmd = ShSimple(assigns: [], words: [], redirects: [], line: line)
            while failure == nil {
                skipBlanks()
                guard let c = peek() else { break }
                if c == "\n" || c == ";" || c == "|" || c == ")" { break }
                if c == "&" && peek(1) != ">" { break }
                if c == "(" {
                    // `name ()` starts a function definition.
                    if cmd.words.count == 1, cmd.assigns.isEmpty, cmd.redirects.isEmpty, peek(1) == ")" || isEmptyParens() {
                        skipEmptyParens()
                        skipNewlines()
                        let name = wordText(cmd.words[0]) ?? ""
                        return .function(name, parseCommand())
                    }
                    // `declare -a a=(x y)`, `local a=(…)`: an array literal ends the assignment word.
                    if let last = cmd.words.last, case .lit(let t, false)? = last.last, t.hasSuffix("="),
                        Self.assignment(last) != nil
                    {
                        skipBalancedParens()
                        cmd.words[cmd.words.count - 1].append(.arrayLiteral)
                        continue
                    }
                    fail("unexpected `(`")
                    break
                }
                if let r = parseRedirect() {
                    cmd.redirects.append(r)
                    continue
                }
                let word = readWord()
                if failure != nil { break }
                if cmd.words.isEmpty, let a = Self.assignment(word) {
                    if a.value.isEmpty, peek() == "(" {
                        skipBalancedParens()
                        cmd.assigns.append((a.name, [], true))
                    } else {
                        cmd.assigns.append((a.name, a.value, a.isArray))
                    }
                    continue
                }
                cmd.words.append(word)
                if cmd.words.count == 1, wordText(word) == "[[" {
                    readTestWords(into: &cmd)
                }
            }
            return .simple(cmd)
        }

        func isEmptyParens() -> Bool {
            var j = i + 1
            while j < s.count, Self.isBlank(s[j]) { j += 1 }
            return j < s.count && s[j] == ")"
        }

        mutating func skipEmptyParens() {
            i += 1
            while let c = peek(), Self.isBlank(c) { i += 1 }
            if peek() == ")" { i += 1 }
        }

        mutating func skipBalancedParens() {
            var level = 0
            while let c = peek() {
                if c == "(" { level += 1 } else if c == ")" {
                    level -= 1
                    if level == 0 {
                        i += 1
                        return
                    }
                }
                bump()
            }
            fail("unterminated `(`")
        }

        /// Inside `[[ … ]]`, operators are words; reads up to and including `]]`.
        mutating func readTestWords(into cmd: inout ShSimple) {
            while failure == nil {
                skipBlanks()
                guard let c = peek(), c != "\n" else {
                    fail("unterminated `[[`")
                    return
                }
                var op: String? = nil
                for o in ["&&", "||", "(", ")", "<", ">", "!"] where startsWith(o) {
                    op = o
                    break
                }
                if let op {
                    i += op.unicodeScalars.count
                    cmd.words.append([.lit(op, quoted: false)])
                    continue
                }
                let w = readWordMakingProgress()
                cmd.words.append(w)
                if wordText(w) == "]]" { return }
            }
        }

        func startsWith(_ t: String) -> Bool {
            var j = i
            for u in t.unicodeScalars {
                guard j < s.count, s[j] == u else { return false }
                j += 1
            }
            return true
        }

        /// The text of a word made only of unquoted literal text.
        func wordText(_ w: ShWord) -> String? {
            guard w.count == 1, case .lit(let t, false) = w[0] else { return nil }
            return t
        }

        /// `NAME=value`, `NAME+=value` or `NAME[i]=value` at the start of a word; `isArray` is also set for
        /// `+=` (the result is then not followed).
        static func assignment(_ w: ShWord) -> (name: String, value: ShWord, isArray: Bool)? {
            guard case .lit(let t, false)? = w.first else { return nil }
            let u = Array(t.unicodeScalars)
            guard let f = u.first, isNameStart(f) else { return nil }
            var j = 1
            while j < u.count, isNameChar(u[j]) { j += 1 }
            let nameEnd = j
            var isArray = false
            if j < u.count, u[j] == "[" {
                guard let close = u[j...].firstIndex(of: "]") else { return nil }
                isArray = true
                j = close + 1
            }
            if j < u.count, u[j] == "+" {
                isArray = true
                j += 1
            }
            guard j < u.count, u[j] == "=" else { return nil }
            var name = String.UnicodeScalarView()
            name.append(contentsOf: u[0..<nameEnd])
            var rest = String.UnicodeScalarView()
            rest.append(contentsOf: u[(j + 1)...])
            var value: ShWord = []
            if !rest.isEmpty { value.append(.lit(String(rest), quoted: false)) }
            value += w.dropFirst()
            return (String(name), value, isArray)
        }

        mutating func parseRedirects() -> [ShRedirect] {
            var out: [ShRedirect] = []
            while failure == nil {
                skipBlanks()
                guard let r = parseRedirect() else { break }
                out.append(r)
            }
            return out
        }

        /// A redirection at the current position, or nil (nothing consumed).
        mutating func parseRedirect() -> ShRedirect? {
            let save = i
            var fd: Int? = nil
            var j = i
            while j < s.count, s[j] >= "0" && s[j] <= "9" { j += 1 }
            if j > i, j < s.count, s[j] == "<" || s[j] == ">" {
                var n = String.UnicodeScalarView()
                n.append(contentsOf: s[i..<j])
                fd = Int(String(n))
                i = j
            }
            let op: ShRedirect.Op
            if startsWith("&>>") {
                op = .appendOutputAndError
                i += 3
            } else if startsWith("&>") {
                op = .outputAndError
                i += 2
            } else if startsWith(">>") {
                op = .append
                i += 2
            } else if startsWith(">&") {
                op = .dupOutput
                i += 2
            } else if startsWith(">|") {
                op = .output
                i += 2
            } else if startsWith("<<<") {
                op = .hereString
                i += 3
            } else if startsWith("<<") {
                op = .hereDoc
                i += 2
            } else if startsWith("<&") {
                op = .dupInput
                i += 2
            } else if startsWith("<>") {
                op = .readWrite
                i += 2
            } else if startsWith(">"), peek(1) != "(" {
                op = .output
                i += 1
            } else if startsWith("<"), peek(1) != "(" {
                op = .input
                i += 1
            } else {
                i = save
                return nil
            }
            if op == .hereDoc {
                var stripTabs = false
                if peek() == "-" {
                    stripTabs = true
                    i += 1
                }
                skipBlanks()
                let w = readWordMakingProgress()
                var delim = ""
                var quoted = false
                for p in w {
                    switch p {
                    case .lit(let t, let q):
                        delim += t
                        if q { quoted = true }
                    case .param(let pp, _): delim += pp.source
                    default: break
                    }
                }
                let box = ShHereDocBox()
                pendingHereDocs.append((box, delim, quoted, stripTabs))
                return ShRedirect(fd: fd, op: .hereDoc, target: w, hereDoc: box)
            }
            skipBlanks()
            let processSubstitution = (peek() == "<" || peek() == ">") && peek(1) == "("
            guard let c = peek(), !Self.isMeta(c) || processSubstitution else {
                fail("missing redirection target")
                return nil
            }
            return ShRedirect(fd: fd, op: op, target: readWord(), hereDoc: nil)
        }

        mutating func readHereDocBody(_ h: (box: ShHereDocBox, delimiter: String, quoted: Bool, stripTabs: Bool)) {
            var lines: [String] = []
            while !atEnd {
                var l = String.UnicodeScalarView()
                while let c = peek(), c != "\n" {
                    l.append(c)
                    i += 1
                }
                if peek() == "\n" {
                    i += 1
                    line += 1
                }
                var text = String(l)
                if text.hasSuffix("\r") { text.removeLast() }
                if h.stripTabs { text = String(text.drop(while: { $0 == "\t" })) }
                if text == h.delimiter { break }
                lines.append(text)
            }
            let body = lines.map { $0 + "\n" }.joined()
            if h.quoted {
                h.box.body = .literal(body)
            } else {
                var sub = ShellParser(body)
                sub.depth = depth + 1
                let w = sub.readDoubleQuoted(inHereDoc: true)
                bashOnly += sub.bashOnly
                h.box.body = sub.failure == nil ? .expanded(w) : .literal(body)
            }
        }

        // MARK: Words

        /// Reads one word, failing when none starts here (a metacharacter where a word must be), so that
        /// loops over words always make progress.
        mutating func readWordMakingProgress() -> ShWord {
            let before = i
            let w = readWord()
            if i == before { fail("expected a word") }
            return w
        }

        /// Reads one word (up to an unquoted metacharacter).
        mutating func readWord() -> ShWord {
            readParts(stop: { Self.isMeta($0) }, inParameter: false)
        }

        mutating func readParts(stop: (Unicode.Scalar) -> Bool, inParameter: Bool) -> ShWord {
            var parts: ShWord = []
            var lit = String.UnicodeScalarView()
            func flush() {
                if !lit.isEmpty {
                    parts.append(.lit(String(lit), quoted: false))
                    lit = String.UnicodeScalarView()
                }
            }
            while let c = peek(), failure == nil {
                if c == "\\" {
                    if peek(1) == "\n" {
                        i += 2
                        line += 1
                        continue
                    }
                    guard let n = peek(1) else {
                        lit.append(c)
                        i += 1
                        continue
                    }
                    flush()
                    parts.append(.lit(String(Character(n)), quoted: true))
                    i += 2
                    continue
                }
                if c == "'" {
                    flush()
                    i += 1
                    var q = String.UnicodeScalarView()
                    while let d = peek(), d != "'" {
                        q.append(d)
                        bump()
                    }
                    guard peek() == "'" else {
                        fail("unterminated single quote")
                        break
                    }
                    i += 1
                    parts.append(.lit(String(q), quoted: true))
                    continue
                }
                if c == "\"" {
                    flush()
                    i += 1
                    parts += readDoubleQuoted(inHereDoc: false)
                    guard peek() == "\"" else {
                        fail("unterminated double quote")
                        break
                    }
                    i += 1
                    continue
                }
                if c == "$" {
                    if peek(1) == "'" {
                        flush()
                        i += 2
                        parts.append(.lit(readANSIC(), quoted: true))
                        continue
                    }
                    if peek(1) == "\"" {
                        flush()
                        i += 2
                        parts += readDoubleQuoted(inHereDoc: false)
                        if peek() == "\"" { i += 1 } else { fail("unterminated double quote") }
                        continue
                    }
                    if let e = readDollar(quoted: false) {
                        flush()
                        parts.append(e)
                        continue
                    }
                    lit.append(c)
                    i += 1
                    continue
                }
                if c == "`" {
                    flush()
                    parts.append(readBackquote(quoted: false))
                    continue
                }
                if !inParameter, c == "<" || c == ">", peek(1) == "(" {
                    flush()
                    i += 1
                    skipBalancedParens()
                    parts.append(.processSubstitution)
                    continue
                }
                if stop(c) { break }
                lit.append(c)
                bump()
            }
            flush()
            return parts
        }

        /// The inside of `"…"` (stops before the closing quote) or of an unquoted here-document (to the end).
        mutating func readDoubleQuoted(inHereDoc: Bool) -> ShWord {
            var parts: ShWord = []
            var lit = String.UnicodeScalarView()
            func flush() {
                if !lit.isEmpty {
                    parts.append(.lit(String(lit), quoted: true))
                    lit = String.UnicodeScalarView()
                }
            }
            while let c = peek(), failure == nil {
                if c == "\"", !inHereDoc { break }
                if c == "\\" {
                    guard let n = peek(1) else {
                        lit.append(c)
                        i += 1
                        continue
                    }
                    if n == "\n" {
                        i += 2
                        line += 1
                        continue
                    }
                    if n == "$" || n == "`" || n == "\\" || (n == "\"" && !inHereDoc) {
                        lit.append(n)
                        i += 2
                        continue
                    }
                    lit.append(c)
                    i += 1
                    continue
                }
                if c == "$", let e = readDollar(quoted: true) {
                    flush()
                    parts.append(e)
                    continue
                }
                if c == "`" {
                    flush()
                    parts.append(readBackquote(quoted: true))
                    continue
                }
                lit.append(c)
                bump()
            }
            flush()
            if parts.isEmpty { parts.append(.lit("", quoted: true)) }
            return parts
        }

        /// `$'…'` with its escapes (the opening `$'` consumed).
        mutating func readANSIC() -> String {
            var out = String.UnicodeScalarView()
            while let c = peek() {
                if c == "'" {
                    i += 1
                    return String(out)
                }
                if c == "\\", let n = peek(1) {
                    i += 2
                    switch n {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "a": out.append("\u{07}")
                    case "b": out.append("\u{08}")
                    case "e", "E": out.append("\u{1B}")
                    case "f": out.append("\u{0C}")
                    case "v": out.append("\u{0B}")
                    case "x":
                        var v: UInt32 = 0
                        var k = 0
                        while k < 2, let d = peek(), let h = Int(String(d), radix: 16) {
                            v = v * 16 + UInt32(h)
                            i += 1
                            k += 1
                        }
                        out.append(Unicode.Scalar(v) ?? "?")
                    default: out.append(n)
                    }
                    continue
                }
                out.append(c)
                bump()
            }
            fail("unterminated $'")
            return String(out)
        }

        /// `` `…` ``: the inside, unescaped and parsed on its own.
        mutating func readBackquote(quoted: Bool) -> ShPart {
            i += 1
            var inner = String.UnicodeScalarView()
            while let c = peek(), c != "`" {
                if c == "\\", let n = peek(1), n == "`" || n == "\\" || n == "$" {
                    inner.append(n)
                    i += 2
                    continue
                }
                inner.append(c)
                bump()
            }
            guard peek() == "`" else {
                fail("unterminated backquote")
                return .command(nil, quoted: quoted)
            }
            i += 1
            var sub = ShellParser(String(inner))
            sub.depth = depth + 1
            let cmds = sub.parseScript()
            bashOnly += sub.bashOnly
            return .command(cmds, quoted: quoted)
        }

        /// An expansion starting with `$` at the current position, or nil when the `$` is literal.
        mutating func readDollar(quoted: Bool) -> ShPart? {
            guard let n = peek(1) else { return nil }
            if n == "{" { return .param(readBraceParameter(), quoted: quoted) }
            if n == "(" {
                if peek(2) == "(" {
                    let start = i
                    i += 1
                    skipArithmetic()
                    var t = String.UnicodeScalarView()
                    t.append(contentsOf: s[start..<i])
                    return .arith(String(t), quoted: quoted)
                }
                i += 2
                let cmds = parseList(terminators: [], closeParen: true)
                guard peek() == ")" else {
                    fail("unterminated `$(`")
                    return .command(nil, quoted: quoted)
                }
                i += 1
                return .command(cmds, quoted: quoted)
            }
            if Self.isNameStart(n) {
                i += 1
                var name = String.UnicodeScalarView()
                while let c = peek(), Self.isNameChar(c) {
                    name.append(c)
                    i += 1
                }
                return .param(ShParam(name: String(name), op: .plain, source: "$" + String(name)), quoted: quoted)
            }
            if (n >= "0" && n <= "9") || "@*#?-$!".unicodeScalars.contains(n) {
                i += 2
                let name = String(Character(n))
                return .param(ShParam(name: name, op: .plain, source: "$" + name), quoted: quoted)
            }
            return nil
        }

        /// `${…}` (at `$`).
        mutating func readBraceParameter() -> ShParam {
            let start = i
            i += 2
            depth += 1
            defer { depth -= 1 }
            if depth > Self.maxDepth {
                fail("nesting too deep")
                return ShParam(name: "", op: .unsupported, source: "${")
            }
            func source(_ p: inout ShellParser) -> String {
                var t = String.UnicodeScalarView()
                t.append(contentsOf: p.s[start..<min(p.i, p.s.count)])
                return String(t)
            }
            func finish(_ p: inout ShellParser, _ name: String, _ op: ShParamOp) -> ShParam {
                let param = ShParam(name: name, op: op, source: source(&p))
                if op.isBashOnly { p.bashOnly.append(param.source) }
                return param
            }
            func skipToClose(_ p: inout ShellParser) {
                _ = p.readParts(stop: { $0 == "}" }, inParameter: true)
                if p.peek() == "}" { p.i += 1 } else { p.fail("unterminated `${`") }
            }
            // `${#name}`: length (`${#}` alone is the argument count).
            if peek() == "#", let n = peek(1), n != "}" {
                i += 1
                let name = readParameterName()
                if peek() == "}" {
                    i += 1
                    return finish(&self, name, name.isEmpty ? .unsupported : .length)
                }
                skipToClose(&self)
                return finish(&self, name, .unsupported)
            }
            if peek() == "!" {
                skipToClose(&self)
                return finish(&self, "", .unsupported)
            }
            let name = readParameterName()
            if name.isEmpty {
                skipToClose(&self)
                return finish(&self, "", .unsupported)
            }
            if peek() == "[" {
                skipToClose(&self)
                return finish(&self, name, .unsupported)
            }
            guard let c = peek() else {
                fail("unterminated `${`")
                return ShParam(name: name, op: .unsupported, source: source(&self))
            }
            func word(_ p: inout ShellParser, stopAtSlash: Bool = false) -> ShWord {
                p.readParts(stop: { $0 == "}" || (stopAtSlash && $0 == "/") }, inParameter: true)
            }
            func close(_ p: inout ShellParser) -> Bool {
                guard p.peek() == "}" else {
                    p.fail("unterminated `${`")
                    return false
                }
                p.i += 1
                return true
            }
            var op: ShParamOp
            switch c {
            case "}":
                i += 1
                return finish(&self, name, .plain)
            case ":":
                if let n = peek(1), "-=?+".unicodeScalars.contains(n) {
                    i += 2
                    op = .defaulting(Character(n), colon: true, word: word(&self))
                } else {
                    i += 1
                    let rest = word(&self)
                    let text = rest.map { p -> String in
                        if case .lit(let t, _) = p { return t }
                        return "\u{FFFD}"
                    }.joined()
                    let pieces = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                    op = .substring(offset: pieces[0], length: pieces.count > 1 ? pieces[1] : nil)
                }
            case "-", "=", "?", "+":
                i += 1
                op = .defaulting(Character(c), colon: false, word: word(&self))
            case "#":
                let longest = peek(1) == "#"
                i += longest ? 2 : 1
                op = .removePrefix(longest: longest, pattern: word(&self))
            case "%":
                let longest = peek(1) == "%"
                i += longest ? 2 : 1
                op = .removeSuffix(longest: longest, pattern: word(&self))
            case "/":
                i += 1
                var mode = "/"
                if let n = peek(), n == "/" || n == "#" || n == "%" {
                    mode += String(Character(n))
                    i += 1
                }
                // After `//`, a `/` starts the pattern (bash's parameter_brace_patsub looks for the delimiter
                // from the pattern's second character): `${x///}` deletes every `/`, `${x////-}` replaces them.
                var pattern: ShWord = []
                if mode == "//", peek() == "/" {
                    i += 1
                    pattern.append(.lit("/", quoted: false))
                }
                pattern += word(&self, stopAtSlash: true)
                var replacement: ShWord? = nil
                if peek() == "/" {
                    i += 1
                    replacement = word(&self)
                }
                op = .replace(mode: mode, pattern: pattern, replacement: replacement)
            case "^", ",":
                let all = peek(1) == c
                i += all ? 2 : 1
                op = .caseMod(upper: c == "^", all: all, pattern: word(&self))
            case "@":
                i += 1
                let t = peek().map { Character($0) } ?? "?"
                if peek() != "}" { i += 1 }
                op = .transform(t)
            default:
                skipToClose(&self)
                return finish(&self, name, .unsupported)
            }
            guard close(&self) else { return ShParam(name: name, op: .unsupported, source: source(&self)) }
            return finish(&self, name, op)
        }

        mutating func readParameterName() -> String {
            guard let c = peek() else { return "" }
            if Self.isNameStart(c) {
                var n = String.UnicodeScalarView()
                while let d = peek(), Self.isNameChar(d) {
                    n.append(d)
                    i += 1
                }
                return String(n)
            }
            if c >= "0" && c <= "9" {
                var n = String.UnicodeScalarView()
                while let d = peek(), d >= "0" && d <= "9" {
                    n.append(d)
                    i += 1
                }
                return String(n)
            }
            if "@*#?-$!".unicodeScalars.contains(c) {
                i += 1
                return String(Character(c))
            }
            return ""
        }
    }

    // MARK: - Interpreter

    /// The interpreter's state on one path through the script.
    struct ShState {
        enum Var: Equatable {
            case value(String)
            case unset
        }
        /// Variables assigned (or unset) by the script.
        var vars: [String: Var] = [:]
        var functions: [String: ShCommand] = [:]
        /// `$1`…; the main script has none.
        var positional: [String] = []
        /// After `source`/`eval`: variables the script did not assign may have any value.
        var opaque = false
        /// The script (or this path) has ended: `exit`, or a fatal expansion error.
        var terminated = false
        /// The path ended with a known non-zero status: the job stops, later steps do not run.
        var exitFailed = false
        /// Already counted among the final states.
        var finished = false
        var returning = false
        var breaking = false
        // What `$GITHUB_ENV` holds on this path.
        var envOrder: [String] = []
        var envValues: [String: String] = [:]
        /// The last, incomplete line written to the file.
        var envPending = ""
        /// An open `NAME<<DELIM` entry: name, delimiter, lines so far.
        var envHeredoc: (name: String, delimiter: String, lines: [String])?

        var stopped: Bool { terminated || returning || breaking }

        /// Takes the file's state from a subshell that ran on a copy of this state.
        mutating func adoptEnv(_ sub: ShState) {
            envOrder = sub.envOrder
            envValues = sub.envValues
            envPending = sub.envPending
            envHeredoc = sub.envHeredoc
            // `exit` in a subshell only leaves the subshell, so `terminated` is not taken over.
        }
    }

    /// Where a command's standard output goes.
    enum ShSink {
        case capture, envFile, discard
    }

    /// The result of running a command: its output (when captured) and exit status (nil: not known).
    struct ShResult {
        var out: String
        var status: Bool?
    }

    /// Runs a parsed script abstractly (see `GitHubEnvWrites`).
    final class ShellInterpreter {
        var table: UnknownTable
        let stepEnv: [String: ExprValue]
        let ctx: EvalContext
        let posix: Bool
        var writes: [GitHubEnvWrite] = []
        var unreadable = false
        var finalStates: [ShState] = []
        var stoppedEarly: String?
        /// Whether the code being run executes only on some paths.
        var cond = false
        var steps = 0
        var callDepth = 0
        /// Nesting of `exec` calls (a backstop against runaway recursion).
        var execDepth = 0
        var lastLine = 1

        static let envFile = "\u{E000}GITHUB_ENV\u{E001}"
        static let fileVariables: Set<String> = ["GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STATE", "GITHUB_STEP_SUMMARY"]

        /// Runner-provided variables and the expression they equal.
        static let runnerVariables: [String: (String, String)] = [
            "GITHUB_REPOSITORY": ("github", "repository"), "GITHUB_REPOSITORY_OWNER": ("github", "repository_owner"),
            "GITHUB_REPOSITORY_ID": ("github", "repository_id"), "GITHUB_REPOSITORY_OWNER_ID": ("github", "repository_owner_id"),
            "GITHUB_SHA": ("github", "sha"), "GITHUB_REF": ("github", "ref"), "GITHUB_REF_NAME": ("github", "ref_name"),
            "GITHUB_REF_TYPE": ("github", "ref_type"), "GITHUB_REF_PROTECTED": ("github", "ref_protected"),
            "GITHUB_HEAD_REF": ("github", "head_ref"), "GITHUB_BASE_REF": ("github", "base_ref"),
            "GITHUB_EVENT_NAME": ("github", "event_name"), "GITHUB_EVENT_PATH": ("github", "event_path"),
            "GITHUB_ACTOR": ("github", "actor"), "GITHUB_ACTOR_ID": ("github", "actor_id"),
            "GITHUB_TRIGGERING_ACTOR": ("github", "triggering_actor"), "GITHUB_RUN_ID": ("github", "run_id"),
            "GITHUB_RUN_NUMBER": ("github", "run_number"), "GITHUB_RUN_ATTEMPT": ("github", "run_attempt"),
            "GITHUB_WORKFLOW": ("github", "workflow"), "GITHUB_WORKFLOW_REF": ("github", "workflow_ref"),
            "GITHUB_WORKFLOW_SHA": ("github", "workflow_sha"), "GITHUB_SERVER_URL": ("github", "server_url"),
            "GITHUB_API_URL": ("github", "api_url"), "GITHUB_GRAPHQL_URL": ("github", "graphql_url"),
            "GITHUB_JOB": ("github", "job"), "GITHUB_WORKSPACE": ("github", "workspace"),
            "RUNNER_OS": ("runner", "os"), "RUNNER_ARCH": ("runner", "arch"), "RUNNER_TEMP": ("runner", "temp"),
            "RUNNER_TOOL_CACHE": ("runner", "tool_cache"), "RUNNER_NAME": ("runner", "name"),
            "RUNNER_ENVIRONMENT": ("runner", "environment"), "RUNNER_DEBUG": ("runner", "debug"),
        ]

        init(table: UnknownTable, stepEnv: [String: ExprValue], ctx: EvalContext, posix: Bool) {
            self.table = table
            self.stepEnv = stepEnv
            self.ctx = ctx
            self.posix = posix
        }

        func placeholder(_ reason: String) -> String { table.placeholder(reason) }

        func run(_ commands: [ShCommand], bashOnly: [String]) -> GitHubEnvScript {
            var st = ShState()
            _ = execList(commands, &st, stdin: nil, sink: .discard)
            finish(st)
            let effective: [(name: String, value: ExprValue)]
            if finalStates.isEmpty {
                effective = []
            } else {
                let merged = mergeEnv(finalStates)
                effective = merged.order.map { ($0, value(merged.values[$0]!)) }
            }
            return GitHubEnvScript(
                writes: writes, effective: effective, hasUnreadableWrite: unreadable, bashOnlyExpansions: bashOnly,
                stoppedEarly: stoppedEarly)
        }

        /// The `ExprValue` of shell text: unknown when it holds a placeholder or a special file path.
        func value(_ text: String) -> ExprValue {
            if let u = UnknownTable.firstPlaceholder(text) { return .unknown(table.reason(u)) }
            if text.unicodeScalars.contains(where: { $0 == "\u{E000}" }) { return .unknown("the path of a runner file") }
            return .string(text)
        }

        /// Counts a path that ends: its `$GITHUB_ENV` content is part of the step's result unless the path
        /// fails (then the job stops).
        func finish(_ state: ShState) {
            guard !state.finished else { return }
            var s = state
            s.finished = true
            if s.exitFailed { return }
            if !s.envPending.isEmpty {
                let l = s.envPending
                s.envPending = ""
                processEnvLine(l, &s)
            }
            if s.envHeredoc != nil {
                unreadable = true  // the runner fails: the delimiter never comes
                s.envHeredoc = nil
            }
            finalStates.append(s)
        }

        func mergeEnv(_ states: [ShState]) -> (order: [String], values: [String: String]) {
            var order: [String] = []
            var seen = Set<String>()
            for s in states {
                for n in s.envOrder where seen.insert(n).inserted { order.append(n) }
            }
            var values: [String: String] = [:]
            for n in order {
                let vals = states.map { $0.envValues[n] }
                if let f = vals[0], vals.allSatisfy({ $0 == f }) {
                    values[n] = f
                } else {
                    values[n] = placeholder(
                        vals.contains(where: { $0 == nil })
                            ? "\(n) is written to $GITHUB_ENV only on some paths of the script"
                            : "\(n) is written to $GITHUB_ENV with different values on different paths")
                }
            }
            return (order, values)
        }

        /// The state after paths that may each have run; ended paths are counted and left out.
        func join(_ branches: [ShState]) -> ShState {
            var live: [ShState] = []
            for b in branches {
                if b.terminated { finish(b) } else { live.append(b) }
            }
            if live.isEmpty {
                var t = branches[0]
                t.terminated = true
                t.finished = true
                return t
            }
            if live.count == 1 { return live[0] }
            var r = live[0]
            let names = Set(live.flatMap { $0.vars.keys })
            for n in names {
                let vals = live.map { $0.vars[n] }
                if vals.allSatisfy({ $0 == vals[0] }) { continue }
                r.vars[n] = .value(placeholder("`$\(n)` differs between paths of the script"))
            }
            for l in live.dropFirst() {
                for (k, v) in l.functions where r.functions[k] == nil { r.functions[k] = v }
                if l.opaque { r.opaque = true }
            }
            r.returning = live.allSatisfy(\.returning)
            r.breaking = live.allSatisfy(\.breaking)
            let env = mergeEnv(live)
            r.envOrder = env.order
            r.envValues = env.values
            if !live.allSatisfy({ $0.envPending == r.envPending }) {
                unreadable = true
                r.envPending = ""
            }
            let h = r.envHeredoc
            if !live.allSatisfy({ $0.envHeredoc?.name == h?.name && $0.envHeredoc?.delimiter == h?.delimiter && $0.envHeredoc?.lines == h?.lines }) {
                unreadable = true
                r.envHeredoc = nil
            }
            return r
        }

        /// Runs `body` on a copy of `st` as a path that may or may not be taken.
        func maybe(_ st: ShState, _ body: (inout ShState) -> ShResult) -> (ShState, ShResult) {
            let saved = cond
            cond = true
            defer { cond = saved }
            var b = st
            let r = body(&b)
            return (b, r)
        }

        /// Output captured from a path that may not run: known only when empty.
        func maybeOutput(_ out: String) -> String {
            out.isEmpty ? "" : placeholder("output of commands that run only on some paths")
        }

        // MARK: Commands

        func execList(_ cmds: [ShCommand], _ st: inout ShState, stdin: String?, sink: ShSink) -> ShResult {
            var out = ""
            var status: Bool? = true
            for c in cmds {
                if st.stopped { break }
                let r = exec(c, &st, stdin: stdin, sink: sink)
                out += r.out
                status = r.status
            }
            return ShResult(out: out, status: status)
        }

        func exec(_ c: ShCommand, _ st: inout ShState, stdin: String?, sink: ShSink) -> ShResult {
            steps += 1
            execDepth += 1
            defer { execDepth -= 1 }
            if steps > 100_000 || execDepth > 200 {
                if !st.terminated { unreadable = true }
                st.terminated = true
                return ShResult(out: "", status: nil)
            }
            switch c {
            case .simple(let sc):
                return execSimple(sc, &st, stdin: stdin, sink: sink)

            case .group(let body, let redirects, let subshell):
                let input = stdinFrom(redirects, &st) ?? stdin
                let dest = destination(redirects, &st, inherited: sink)
                if subshell {
                    var sub = st
                    let r = execList(body, &sub, stdin: input, sink: dest)
                    st.adoptEnv(sub)
                    return ShResult(out: dest == .capture ? r.out : "", status: sub.terminated ? nil : r.status)
                }
                let r = execList(body, &st, stdin: input, sink: dest)
                return ShResult(out: dest == .capture ? r.out : "", status: r.status)

            case .andOr(let first, let rest):
                var r = exec(first, &st, stdin: stdin, sink: sink)
                var out = r.out
                var status = r.status
                for (isAnd, cmd) in rest {
                    if st.stopped { break }
                    switch status.map({ isAnd ? $0 : !$0 }) {
                    case true?:
                        r = exec(cmd, &st, stdin: stdin, sink: sink)
                        out += r.out
                        status = r.status
                    case false?:
                        continue
                    case nil:
                        let (b, br) = maybe(st) { self.exec(cmd, &$0, stdin: stdin, sink: sink) }
                        st = join([st, b])
                        out += maybeOutput(br.out)
                        status = nil
                    }
                }
                return ShResult(out: out, status: status)

            case .pipeline(let stages, let negated):
                if stages.count == 1 {
                    let r = exec(stages[0], &st, stdin: stdin, sink: sink)
                    return ShResult(out: r.out, status: negated ? r.status.map { !$0 } : r.status)
                }
                var input = stdin
                var last = ShResult(out: "", status: nil)
                for (k, stage) in stages.enumerated() {
                    // Every stage runs in a subshell: variables do not survive, file writes do.
                    var sub = st
                    last = exec(stage, &sub, stdin: input, sink: k == stages.count - 1 ? sink : .capture)
                    st.adoptEnv(sub)
                    input = last.out
                }
                return ShResult(out: sink == .capture ? last.out : "", status: negated ? last.status.map { !$0 } : last.status)

            case .ifClause(let clauses, let elseBody, let redirects):
                let dest = destination(redirects, &st, inherited: sink)
                var branches: [ShState] = []
                var out = ""
                var certain = true  // every earlier condition was known false
                var taken = false
                var status: Bool? = nil
                for (condCmds, body) in clauses {
                    if st.stopped { break }
                    let saved = cond
                    if !certain { cond = true }
                    let cr = execList(condCmds, &st, stdin: stdin, sink: dest)
                    cond = saved
                    out += certain ? cr.out : maybeOutput(cr.out)
                    switch cr.status {
                    case true?:
                        var b = st
                        let saved2 = cond
                        if !certain { cond = true }
                        let r = execList(body, &b, stdin: stdin, sink: dest)
                        cond = saved2
                        out += certain ? r.out : maybeOutput(r.out)
                        if certain { status = r.status }
                        branches.append(b)
                        taken = true
                    case false?:
                        continue
                    case nil:
                        let (b, r) = maybe(st) { self.execList(body, &$0, stdin: stdin, sink: dest) }
                        out += maybeOutput(r.out)
                        branches.append(b)
                        certain = false
                    }
                    if taken { break }
                }
                if !taken {
                    if let e = elseBody {
                        var b = st
                        let saved = cond
                        if !certain { cond = true }
                        let r = execList(e, &b, stdin: stdin, sink: dest)
                        cond = saved
                        out += certain ? r.out : maybeOutput(r.out)
                        if certain { status = r.status }
                        branches.append(b)
                    } else {
                        branches.append(st)
                        if certain { status = true }
                    }
                }
                st = join(branches)
                return ShResult(out: dest == .capture ? out : "", status: branches.count == 1 ? status : nil)

            case .forLoop(let name, let words, let body, let redirects):
                let dest = destination(redirects, &st, inherited: sink)
                if let name, let words {
                    var fields: [String] = []
                    for w in words { fields += expandFields(w, &st) }
                    if st.terminated { return ShResult(out: "", status: nil) }
                    let known = fields.allSatisfy { UnknownTable.firstPlaceholder($0) == nil }
                    if known, fields.count <= 64, !Self.containsBreak(body) {
                        var out = ""
                        for f in fields {
                            if st.stopped { break }
                            st.vars[name] = .value(f)
                            out += execList(body, &st, stdin: stdin, sink: dest).out
                        }
                        return ShResult(out: dest == .capture ? out : "", status: nil)
                    }
                }
                let (b, r) = maybe(st) { s in
                    if let name { s.vars[name] = .value(self.placeholder("loop variable `\(name)`")) }
                    return self.execList(body, &s, stdin: stdin, sink: dest)
                }
                var after = b
                after.breaking = false
                st = join([st, after])
                if let name, st.vars[name] == nil { st.vars[name] = .value(placeholder("loop variable `\(name)`")) }
                return ShResult(out: dest == .capture ? maybeOutput(r.out) : "", status: nil)

            case .whileLoop(let condCmds, let body, _, let redirects):
                let dest = destination(redirects, &st, inherited: sink)
                let input = stdinFrom(redirects, &st) ?? stdin
                let cr = execList(condCmds, &st, stdin: input, sink: dest)
                let (b, r) = maybe(st) { s in
                    let r = self.execList(body, &s, stdin: input, sink: dest)
                    _ = self.execList(condCmds, &s, stdin: input, sink: dest)
                    return r
                }
                var after = b
                after.breaking = false
                st = join([st, after])
                return ShResult(out: dest == .capture ? cr.out + maybeOutput(r.out) : "", status: nil)

            case .caseClause(let subjectWord, let items, let redirects):
                let dest = destination(redirects, &st, inherited: sink)
                let subject = expandString(subjectWord, &st)
                var branches: [ShState] = []
                var out = ""
                var certain = true
                var taken = false
                for item in items {
                    if st.stopped { break }
                    var m: Bool? = false
                    for p in item.patterns {
                        switch globMatch(expandPattern(p, &st), subject) {
                        case true?: m = true
                        case nil: m = nil
                        default: break
                        }
                        if m == true { break }
                    }
                    switch m {
                    case true?:
                        var b = st
                        let saved = cond
                        if !certain { cond = true }
                        let r = execList(item.body, &b, stdin: stdin, sink: dest)
                        cond = saved
                        out += certain ? r.out : maybeOutput(r.out)
                        branches.append(b)
                        taken = true
                    case false?:
                        continue
                    case nil:
                        let (b, r) = maybe(st) { self.execList(item.body, &$0, stdin: stdin, sink: dest) }
                        out += maybeOutput(r.out)
                        branches.append(b)
                        certain = false
                    }
                    if taken { break }
                }
                if !taken { branches.append(st) }
                st = join(branches)
                return ShResult(out: dest == .capture ? out : "", status: nil)

            case .function(let name, let body):
                st.functions[name] = body
                return ShResult(out: "", status: true)

            case .arithmetic:
                return ShResult(out: "", status: nil)
            }
        }

        /// Whether a loop body uses `break` or `continue` (then it is not unrolled).
        static func containsBreak(_ cmds: [ShCommand]) -> Bool {
            func check(_ c: ShCommand) -> Bool {
                switch c {
                case .simple(let s):
                    if case .lit(let t, _)? = s.words.first?.first { return t == "break" || t == "continue" }
                    return false
                case .group(let b, _, _): return b.contains(where: check)
                case .andOr(let f, let r): return check(f) || r.contains { check($0.command) }
                case .pipeline(let st, _): return st.contains(where: check)
                case .ifClause(let cl, let e, _):
                    return cl.contains { $0.cond.contains(where: check) || $0.body.contains(where: check) }
                        || (e?.contains(where: check) ?? false)
                case .caseClause(_, let items, _): return items.contains { $0.body.contains(where: check) }
                case .forLoop, .whileLoop, .function, .arithmetic: return false  // their own break
                }
            }
            return cmds.contains(where: check)
        }

        // MARK: Redirections

        /// Where standard output goes after `redirects` (the last stdout redirection wins).
        func destination(_ redirects: [ShRedirect], _ st: inout ShState, inherited: ShSink) -> ShSink {
            var dest = inherited
            for r in redirects {
                switch r.op {
                case .output, .append, .outputAndError, .appendOutputAndError:
                    let stdout = r.fd == nil || r.fd == 1 || r.op == .outputAndError || r.op == .appendOutputAndError
                    guard stdout else { continue }
                    let t = expandString(r.target, &st)
                    if t == Self.envFile {
                        dest = .envFile
                    } else if t == "/dev/stdout" || t == "/proc/self/fd/1" {
                        continue
                    } else {
                        dest = .discard
                    }
                case .dupOutput:
                    guard r.fd == nil || r.fd == 1 else { continue }
                    let t = expandString(r.target, &st)
                    if t != "1" { dest = .discard }
                default:
                    continue
                }
            }
            return dest
        }

        /// Standard input given by `redirects`, if any.
        func stdinFrom(_ redirects: [ShRedirect], _ st: inout ShState) -> String? {
            var input: String? = nil
            for r in redirects {
                switch r.op {
                case .hereDoc:
                    guard let box = r.hereDoc else { continue }
                    switch box.body {
                    case .literal(let t): input = t
                    case .expanded(let w): input = expandString(w, &st)
                    }
                case .hereString:
                    input = expandString(r.target, &st) + "\n"
                case .input:
                    input = placeholder("the contents of a file")
                default:
                    continue
                }
            }
            return input
        }

        /// Sends a command's output to `sink`; returns what a capture receives.
        func emit(_ text: String, _ sink: ShSink, _ st: inout ShState) -> String {
            switch sink {
            case .capture: return text
            case .envFile:
                recordEnvFile(text, &st)
                return ""
            case .discard: return ""
            }
        }

        // MARK: $GITHUB_ENV content

        func recordEnvFile(_ text: String, _ st: inout ShState) {
            guard !text.isEmpty else { return }
            if st.envPending.isEmpty, text.unicodeScalars.allSatisfy(UnknownTable.isPlaceholder) {
                // A command whose output is not known (`curl …`, `jq …`): taken as whole lines, so that a
                // following `echo EOF` still closes a `NAME<<EOF` entry and later lines stay readable.
                if var h = st.envHeredoc {
                    h.lines.append(text)
                    st.envHeredoc = h
                } else {
                    unreadable = true
                }
                return
            }
            var lines = (st.envPending + text).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            st.envPending = lines.removeLast()
            for l in lines { processEnvLine(l, &st) }
        }

        /// One line of the file, read the way the runner reads it (`NAME=value`, or `NAME<<DELIM` … `DELIM`).
        func processEnvLine(_ raw: String, _ st: inout ShState) {
            var l = raw
            if l.hasSuffix("\r") { l.removeLast() }
            if var h = st.envHeredoc {
                if l == h.delimiter {
                    st.envHeredoc = nil
                    setEnv(h.name, h.lines.joined(separator: "\n"), &st)
                } else {
                    h.lines.append(l)
                    st.envHeredoc = h
                }
                return
            }
            if l.isEmpty { return }
            let u = Array(l.unicodeScalars)
            let eq = u.firstIndex(of: "=")
            var hd: Int? = nil
            if u.count >= 2 {
                for k in 0..<(u.count - 1) where u[k] == "<" && u[k + 1] == "<" {
                    hd = k
                    break
                }
            }
            func text(_ r: Range<Int>) -> String {
                var v = String.UnicodeScalarView()
                v.append(contentsOf: u[r])
                return String(v)
            }
            if let eq, hd == nil || eq < hd! {
                let name = text(0..<eq)
                guard validName(name) else {
                    unreadable = true
                    return
                }
                setEnv(name, text((eq + 1)..<u.count), &st)
            } else if let hd {
                let name = text(0..<hd)
                let delim = text((hd + 2)..<u.count)
                guard validName(name), UnknownTable.firstPlaceholder(delim) == nil else {
                    unreadable = true
                    return
                }
                st.envHeredoc = (name, delim, [])
            } else {
                unreadable = true  // unknown text, or a line the runner rejects
            }
        }

        func validName(_ n: String) -> Bool {
            !n.isEmpty && UnknownTable.firstPlaceholder(n) == nil && !ExprValue.hasMarker(n)
                && !n.unicodeScalars.contains(where: { $0 == "\u{E000}" })
        }

        func setEnv(_ name: String, _ text: String, _ st: inout ShState) {
            if st.envValues[name] == nil { st.envOrder.append(name) }
            st.envValues[name] = text
            writes.append(GitHubEnvWrite(name: name, value: value(text), isConditional: cond, line: lastLine))
        }

        // MARK: Simple commands

        static let declarationBuiltins: Set<String> = ["export", "declare", "typeset", "local", "readonly"]
        static let silentCommands: Set<String> = [
            "cd", "mkdir", "rm", "rmdir", "cp", "mv", "touch", "chmod", "chown", "ln", "sleep", "set", "shopt",
            "trap", "umask", "wait", "shift", "ulimit", "hash", "alias", "unalias",
        ]

        func execSimple(_ sc: ShSimple, _ st: inout ShState, stdin: String?, sink: ShSink) -> ShResult {
            lastLine = sc.line
            var assigned: [(String, String)] = []
            for a in sc.assigns {
                let v = a.isArray ? placeholder("array or `+=` assignment") : expandString(a.value, &st)
                if st.terminated { return ShResult(out: "", status: nil) }
                assigned.append((a.name, v))
            }
            if sc.words.isEmpty {
                for (n, v) in assigned { st.vars[n] = .value(v) }
                _ = destination(sc.redirects, &st, inherited: sink)
                return ShResult(out: "", status: true)
            }
            let first = literalText(sc.words[0])
            var fields: [String] = []
            if first == "[[" {
                let status = evalDoubleBracket(Array(sc.words.dropFirst()), &st)
                if st.terminated { return ShResult(out: "", status: nil) }
                return ShResult(out: "", status: status)
            }
            if let f = first, Self.declarationBuiltins.contains(f) {
                // Assignment arguments of declaration builtins are not split.
                fields.append(f)
                for w in sc.words.dropFirst() {
                    if let a = ShellParser.assignment(w) {
                        let v = a.isArray ? placeholder("array assignment") : expandString(a.value, &st)
                        fields.append(a.name + "=" + v)
                    } else {
                        fields += expandFields(w, &st)
                    }
                }
            } else {
                for w in sc.words { fields += expandFields(w, &st) }
            }
            if st.terminated { return ShResult(out: "", status: nil) }
            let input = stdinFrom(sc.redirects, &st) ?? stdin
            let dest = destination(sc.redirects, &st, inherited: sink)
            if fields.isEmpty {
                for (n, v) in assigned { st.vars[n] = .value(v) }
                return ShResult(out: "", status: true)
            }
            let r = runCommand(fields, &st, stdin: input, dest: dest)
            return ShResult(out: dest == .capture ? r.out : "", status: r.status)
        }

        func literalText(_ w: ShWord) -> String? {
            var t = ""
            for p in w {
                guard case .lit(let s, _) = p else { return nil }
                t += s
            }
            return t
        }

        /// Runs a command given its expanded fields; returns what a capture receives and the status.
        func runCommand(_ fields: [String], _ st: inout ShState, stdin: String?, dest: ShSink) -> ShResult {
            let name = fields[0]
            let args = Array(fields.dropFirst())
            func out(_ text: String, _ status: Bool? = true) -> ShResult {
                ShResult(out: emit(text, dest, &st), status: status)
            }
            if UnknownTable.firstPlaceholder(name) != nil || ExprValue.hasMarker(name) {
                return out(placeholder("output of a command not known here"), nil)
            }
            if let body = st.functions[name] {
                guard callDepth < 8 else { return out(placeholder("deep recursion"), nil) }
                callDepth += 1
                defer { callDepth -= 1 }
                let saved = st.positional
                st.positional = args
                let r = exec(body, &st, stdin: stdin, sink: dest)
                st.positional = saved
                st.returning = false
                return ShResult(out: r.out, status: r.status)
            }
            switch name {
            case "true", ":":
                return out("")
            case "false":
                return out("", false)
            case "echo":
                return out(echo(args))
            case "printf":
                var a = args
                var target: String? = nil
                if a.first == "-v", a.count >= 2 {
                    target = a[1]
                    a.removeFirst(2)
                }
                if a.first == "--" { a.removeFirst() }
                guard !a.isEmpty else { return out("", false) }
                let text = printf(a)
                if let target {
                    st.vars[target] = .value(text)
                    return out("")
                }
                return out(text)
            case "cat":
                let files = args.filter { $0 != "-" && !$0.hasPrefix("-") }
                if files.isEmpty { return out(stdin ?? placeholder("standard input"), nil) }
                return out(placeholder("the contents of a file"), nil)
            case "tee":
                let text = stdin ?? placeholder("standard input")
                for f in args where !f.hasPrefix("-") {
                    if f == Self.envFile {
                        recordEnvFile(text, &st)
                    } else if UnknownTable.firstPlaceholder(f) != nil, !ExprValue.hasMarker(f) {
                        continue
                    }
                }
                return out(text, nil)
            case "[", "test":
                var a = args
                if name == "[" {
                    guard a.last == "]" else { return out("", nil) }
                    a.removeLast()
                }
                return out("", evalTest(a.map { TestOperand(text: $0, pattern: nil, isOperator: true) }))
            case "tr", "sed", "cut":
                let input = stdin ?? placeholder("standard input")
                return out(filter(name, args, input) ?? placeholder("output of `\(name)` not modelled"), nil)
            case "basename", "dirname":
                let ops = args.filter { !$0.hasPrefix("-") }
                guard let p = ops.first else { return out("", nil) }
                return out(pathPart(p, basename: name == "basename", suffix: ops.count > 1 ? ops[1] : nil) + "\n", nil)
            case "export", "declare", "typeset", "local", "readonly":
                for a in args where !a.hasPrefix("-") && !a.hasPrefix("+") {
                    if let eq = a.firstIndex(of: "=") {
                        st.vars[String(a[..<eq])] = .value(String(a[a.index(after: eq)...]))
                    }
                }
                if args.isEmpty || args == ["-p"] { return out(placeholder("the list of variables"), true) }
                return out("")
            case "unset":
                for a in args where !a.hasPrefix("-") { st.vars[a] = .unset }
                return out("")
            case "read":
                var names: [String] = []
                var k = 0
                while k < args.count {
                    let a = args[k]
                    if ["-p", "-d", "-n", "-N", "-t", "-u", "-a", "-i"].contains(a) {
                        k += 2
                        continue
                    }
                    if a.hasPrefix("-") {
                        k += 1
                        continue
                    }
                    names.append(a)
                    k += 1
                }
                if names.isEmpty { names = ["REPLY"] }
                for n in names { st.vars[n] = .value(placeholder("a value read from input")) }
                return out("", nil)
            case "mapfile", "readarray":
                if let n = args.last(where: { !$0.hasPrefix("-") }) { st.vars[n] = .value(placeholder("an array")) }
                return out("", nil)
            case "source", ".", "eval":
                st.opaque = true
                if args.contains(where: { $0.contains(Self.envFile) || $0.contains("GITHUB_ENV") }) { unreadable = true }
                return out(placeholder("output of `\(name)`"), nil)
            case "exit":
                st.terminated = true
                if let a = args.first {
                    if UnknownTable.firstPlaceholder(a) == nil, let n = Int(a) { st.exitFailed = n != 0 }
                }
                return out("", nil)
            case "return":
                if callDepth > 0 { st.returning = true }
                return out("", nil)
            case "break", "continue":
                st.breaking = true
                return out("", nil)
            case "command", "builtin", "time", "nohup", "exec":
                if name == "exec", args.isEmpty {
                    if dest == .envFile { unreadable = true }
                    return out("")
                }
                var rest = args
                while let f = rest.first, f.hasPrefix("-") { rest.removeFirst() }
                guard !rest.isEmpty else { return out("") }
                return runCommand(rest, &st, stdin: stdin, dest: dest)
            case "env":
                var rest = args
                while let f = rest.first, f.contains("=") || f.hasPrefix("-") { rest.removeFirst() }
                guard !rest.isEmpty else { return out(placeholder("the environment"), true) }
                return runCommand(rest, &st, stdin: stdin, dest: dest)
            default:
                if Self.silentCommands.contains(name) {
                    let verbose = args.contains { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("v") }
                    return out(verbose ? placeholder("verbose output of `\(name)`") : "", nil)
                }
                return out(placeholder("output of `\(name)`"), nil)
            }
        }

        // MARK: echo and printf

        func echo(_ args: [String]) -> String {
            var k = 0
            var newline = true
            var escapes = posix
            if posix {
                if args.first == "-n" {
                    newline = false
                    k = 1
                }
            } else {
                while k < args.count {
                    let a = Array(args[k].unicodeScalars)
                    guard a.count > 1, a[0] == "-", a.dropFirst().allSatisfy({ $0 == "n" || $0 == "e" || $0 == "E" }) else { break }
                    for c in a.dropFirst() {
                        if c == "n" { newline = false } else if c == "e" { escapes = true } else { escapes = false }
                    }
                    k += 1
                }
            }
            var text = args[k...].joined(separator: " ")
            if escapes {
                let (t, stop) = Self.backslashEscapes(text, octalNeedsZero: true)
                text = t
                if stop { return text }
            }
            return newline ? text + "\n" : text
        }

        /// Processes `echo -e` / `printf %b` escapes; `stop` when `\c` ends the output.
        static func backslashEscapes(_ s: String, octalNeedsZero: Bool) -> (String, stop: Bool) {
            let u = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            var k = 0
            while k < u.count {
                let c = u[k]
                guard c == "\\", k + 1 < u.count else {
                    out.append(c)
                    k += 1
                    continue
                }
                let n = u[k + 1]
                k += 2
                switch n {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "a": out.append("\u{07}")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "v": out.append("\u{0B}")
                case "e", "E": out.append("\u{1B}")
                case "\\": out.append("\\")
                case "c": return (String(out), true)
                case "0", "1", "2", "3", "4", "5", "6", "7":
                    if octalNeedsZero && n != "0" {
                        out.append("\\")
                        out.append(n)
                        continue
                    }
                    var v: UInt32 = octalNeedsZero ? 0 : n.value - 48
                    var digits = 0
                    while digits < 3, k < u.count, u[k] >= "0", u[k] <= "7" {
                        v = v * 8 + (u[k].value - 48)
                        k += 1
                        digits += 1
                    }
                    out.append(Unicode.Scalar(v & 0xFF) ?? "?")
                case "x":
                    var v: UInt32 = 0
                    var digits = 0
                    while digits < 2, k < u.count, let h = Int(String(u[k]), radix: 16) {
                        v = v * 16 + UInt32(h)
                        k += 1
                        digits += 1
                    }
                    if digits == 0 {
                        out.append("\\")
                        out.append("x")
                    } else {
                        out.append(Unicode.Scalar(v) ?? "?")
                    }
                default:
                    out.append("\\")
                    out.append(n)
                }
            }
            return (String(out), false)
        }

        /// `printf FORMAT ARGS…` (the format reused while arguments remain).
        func printf(_ args: [String]) -> String {
            let format = args[0]
            if UnknownTable.firstPlaceholder(format) != nil { return placeholder("printf with a format not known here") }
            if ExprValue.hasMarker(format) { return symbolic("printf", args) }
            let f = Array(format.unicodeScalars)
            var argi = 1
            var out = ""
            repeat {
                var consumed = false
                var k = 0
                while k < f.count {
                    let c = f[k]
                    if c == "\\" {
                        var j = k + 1
                        var chunk = String.UnicodeScalarView(["\\"])
                        if j < f.count {
                            chunk.append(f[j])
                            j += 1
                            if f[k + 1] == "x" || (f[k + 1] >= "0" && f[k + 1] <= "7") {
                                while j < f.count, j < k + 5, Int(String(f[j]), radix: f[k + 1] == "x" ? 16 : 8) != nil {
                                    chunk.append(f[j])
                                    j += 1
                                }
                            }
                        }
                        let (t, stop) = Self.backslashEscapes(String(chunk), octalNeedsZero: false)
                        out += t
                        if stop { return out }
                        k = j
                        continue
                    }
                    guard c == "%" else {
                        out.unicodeScalars.append(c)
                        k += 1
                        continue
                    }
                    k += 1
                    guard k < f.count else {
                        out += "%"
                        break
                    }
                    if f[k] == "%" {
                        out += "%"
                        k += 1
                        continue
                    }
                    var leftAlign = false
                    var zeroPad = false
                    while k < f.count, "-0 +#".unicodeScalars.contains(f[k]) {
                        if f[k] == "-" { leftAlign = true }
                        if f[k] == "0" { zeroPad = true }
                        k += 1
                    }
                    // Widths and precisions stop growing at the evaluated-string bound (no overflow on 20 digits).
                    var width = 0
                    while k < f.count, f[k] >= "0", f[k] <= "9" {
                        width = min(width * 10 + Int(f[k].value - 48), ExpressionEvaluator.maxStringLength)
                        k += 1
                    }
                    var precision: Int? = nil
                    if k < f.count, f[k] == "." {
                        k += 1
                        var p = 0
                        while k < f.count, f[k] >= "0", f[k] <= "9" {
                            p = min(p * 10 + Int(f[k].value - 48), ExpressionEvaluator.maxStringLength)
                            k += 1
                        }
                        precision = p
                    }
                    if width >= ExpressionEvaluator.maxStringLength { return placeholder("a printf width over \(ExpressionEvaluator.maxStringLength)") }
                    guard k < f.count else { return placeholder("printf format") }
                    let conv = f[k]
                    k += 1
                    let arg: String? = argi < args.count ? args[argi] : nil
                    if arg != nil {
                        argi += 1
                        consumed = true
                    }
                    var piece: String
                    switch conv {
                    case "s", "b":
                        piece = arg ?? ""
                        if conv == "b" {
                            let (t, stop) = Self.backslashEscapes(piece, octalNeedsZero: true)
                            piece = t
                            if stop { return out + piece }
                        }
                        if let precision { piece = concrete(piece) ? String(piece.prefix(precision)) : symbolic("printf-precision", [piece, String(precision)]) }
                    case "d", "i":
                        let a = arg ?? "0"
                        if !concrete(a) {
                            piece = UnknownTable.firstPlaceholder(a) != nil ? a : symbolic("printf-d", [a])
                        } else if let n = Int(a.trimmingBlanks()) {
                            piece = String(n)
                        } else {
                            piece = placeholder("printf %d of a non-number")
                        }
                    case "c":
                        piece = arg.map { String($0.prefix(1)) } ?? ""
                    default:
                        return placeholder("printf conversion %\(Character(conv))")
                    }
                    if width > 0 {
                        if !concrete(piece) {
                            piece = UnknownTable.firstPlaceholder(piece) != nil ? piece : symbolic("printf-width", [piece, String(width)])
                        } else if piece.count < width {
                            let pad = String(repeating: zeroPad && !leftAlign && (conv == "d" || conv == "i") ? "0" : " ", count: width - piece.count)
                            piece = leftAlign ? piece + pad : pad + piece
                        }
                    }
                    out += piece
                }
                if !consumed { break }
            } while argi < args.count
            return out
        }

        // MARK: Filters (tr, sed, cut) and paths

        /// `tr`, a literal `sed s///`, or `cut -d -f` applied to `input`; nil when not modelled.
        func filter(_ name: String, _ args: [String], _ input: String) -> String? {
            if let u = UnknownTable.firstPlaceholder(input) { return String(u) }
            if args.contains(where: { !concrete($0) }) { return nil }
            if ExprValue.hasMarker(input) { return symbolic(name, args + [input]) }
            switch name {
            case "tr": return Self.tr(args, input)
            case "sed": return Self.sed(args, input)
            default: return Self.cut(args, input)
            }
        }

        static func trSet(_ spec: String) -> [Unicode.Scalar]? {
            let u = Array(spec.unicodeScalars)
            var out: [Unicode.Scalar] = []
            var k = 0
            let classes: [String: [Unicode.Scalar]] = [
                "upper": Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars),
                "lower": Array("abcdefghijklmnopqrstuvwxyz".unicodeScalars),
                "digit": Array("0123456789".unicodeScalars),
                "alpha": Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".unicodeScalars),
                "alnum": Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".unicodeScalars),
                "space": [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"],
                "blank": [" ", "\t"],
            ]
            func one(_ k: inout Int) -> Unicode.Scalar {
                if u[k] == "\\", k + 1 < u.count {
                    k += 2
                    switch u[k - 1] {
                    case "n": return "\n"
                    case "t": return "\t"
                    case "r": return "\r"
                    case "\\": return "\\"
                    default: return u[k - 1]
                    }
                }
                k += 1
                return u[k - 1]
            }
            while k < u.count {
                if u[k] == "[", k + 1 < u.count, u[k + 1] == ":" {
                    guard let end = (k + 2..<u.count).first(where: { u[$0] == ":" && $0 + 1 < u.count && u[$0 + 1] == "]" }) else { return nil }
                    var n = String.UnicodeScalarView()
                    n.append(contentsOf: u[(k + 2)..<end])
                    guard let cls = classes[String(n)] else { return nil }
                    out += cls
                    k = end + 2
                    continue
                }
                if u[k] == "[" { return nil }  // [c*n] and [=c=] forms
                let a = one(&k)
                if k + 1 < u.count, u[k] == "-" {
                    var j = k + 1
                    let b = one(&j)
                    guard a.value <= b.value, b.value - a.value <= 0xFFFF else { return nil }
                    // A range across the UTF-16 surrogates holds no scalars there.
                    for v in a.value...b.value { if let c = Unicode.Scalar(v) { out.append(c) } }
                    k = j
                    continue
                }
                out.append(a)
            }
            return out
        }

        static func tr(_ args: [String], _ input: String) -> String? {
            var delete = false
            var complement = false
            var squeeze = false
            var sets: [String] = []
            for a in args {
                if a.hasPrefix("-"), a.count > 1, sets.isEmpty {
                    for c in a.dropFirst() {
                        switch c {
                        case "d": delete = true
                        case "c", "C": complement = true
                        case "s": squeeze = true
                        default: return nil
                        }
                    }
                } else {
                    sets.append(a)
                }
            }
            guard let s1 = sets.first.flatMap(trSet) else { return nil }
            let set1 = Set(s1)
            let inSet1: (Unicode.Scalar) -> Bool = { complement ? !set1.contains($0) : set1.contains($0) }
            var out = String.UnicodeScalarView()
            if delete {
                guard sets.count == 1 || (squeeze && sets.count == 2) else { return nil }
                for c in input.unicodeScalars where !inSet1(c) { out.append(c) }
                if squeeze, sets.count == 2, let s2 = trSet(sets[1]) { return squeezeRuns(String(out), Set(s2)) }
                return String(out)
            }
            if sets.count == 1 {
                guard squeeze, !complement else { return nil }
                return squeezeRuns(input, set1)
            }
            guard sets.count == 2, !complement, let s2 = trSet(sets[1]), !s2.isEmpty else { return nil }
            var map: [Unicode.Scalar: Unicode.Scalar] = [:]
            for (k, c) in s1.enumerated() { map[c] = k < s2.count ? s2[k] : s2[s2.count - 1] }
            for c in input.unicodeScalars { out.append(map[c] ?? c) }
            return squeeze ? squeezeRuns(String(out), Set(s2)) : String(out)
        }

        static func squeezeRuns(_ s: String, _ set: Set<Unicode.Scalar>) -> String {
            var out = String.UnicodeScalarView()
            var last: Unicode.Scalar? = nil
            for c in s.unicodeScalars {
                if c == last, set.contains(c) { continue }
                out.append(c)
                last = c
            }
            return String(out)
        }

        /// `sed 's/pat/rep/[g]'` with a literal pattern (escaped delimiter, `\.`, `\\` allowed).
        static func sed(_ args: [String], _ input: String) -> String? {
            var scripts: [String] = []
            var k = 0
            while k < args.count {
                let a = args[k]
                if a == "-e", k + 1 < args.count {
                    scripts.append(args[k + 1])
                    k += 2
                    continue
                }
                if a.hasPrefix("-") { return nil }
                if scripts.isEmpty { scripts.append(a) } else { return nil }  // a file argument
                k += 1
            }
            guard scripts.count == 1 else { return nil }
            let u = Array(scripts[0].unicodeScalars)
            guard u.count >= 4, u[0] == "s" else { return nil }
            let d = u[1]
            var parts: [[Unicode.Scalar]] = [[]]
            var j = 2
            while j < u.count {
                if u[j] == "\\", j + 1 < u.count {
                    let n = u[j + 1]
                    if n == d || n == "\\" || n == "." || n == "/" || n == "-" || n == "&" || n == "*" || n == "[" || n == "]" || n == "$" || n == "^" {
                        parts[parts.count - 1].append(n)
                    } else {
                        return nil
                    }
                    j += 2
                    continue
                }
                if u[j] == d {
                    parts.append([])
                    j += 1
                    continue
                }
                // Regex metacharacters in the pattern (and `&` in the replacement) are not modelled.
                if parts.count == 1, ".[]*^$\\+?(){}|".unicodeScalars.contains(u[j]) { return nil }
                if parts.count == 2, u[j] == "&" { return nil }
                parts[parts.count - 1].append(u[j])
                j += 1
            }
            guard parts.count == 3 else { return nil }
            let flags = parts[2]
            guard flags.allSatisfy({ $0 == "g" }) else { return nil }
            let global = !flags.isEmpty
            let pat = parts[0]
            let rep = parts[1]
            guard !pat.isEmpty else { return nil }
            var lines = input.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
            for li in lines.indices {
                var out: [Unicode.Scalar] = []
                let l = lines[li]
                var x = 0
                var done = false
                while x < l.count {
                    if !done, x + pat.count <= l.count, Array(l[x..<(x + pat.count)]) == pat {
                        out += rep
                        x += pat.count
                        if !global { done = true }
                        continue
                    }
                    out.append(l[x])
                    x += 1
                }
                lines[li] = out
            }
            return lines.map { l -> String in
                var v = String.UnicodeScalarView()
                v.append(contentsOf: l)
                return String(v)
            }.joined(separator: "\n")
        }

        /// `cut -d X -f N` (one field).
        static func cut(_ args: [String], _ input: String) -> String? {
            var delim: String? = nil
            var field: Int? = nil
            var k = 0
            while k < args.count {
                var a = args[k]
                if a == "-d" || a == "-f", k + 1 < args.count {
                    a += args[k + 1]
                    k += 1
                }
                if a.hasPrefix("-d") { delim = String(a.dropFirst(2)) } else if a.hasPrefix("-f") { field = Int(a.dropFirst(2)) } else { return nil }
                k += 1
            }
            guard let d = delim, d.count == 1, let f = field, f >= 1 else { return nil }
            let ch = d.first!
            var lines = input.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let trailing = lines.last == ""
            if trailing { lines.removeLast() }
            let cut = lines.map { l -> String in
                let parts = l.split(separator: ch, omittingEmptySubsequences: false)
                if parts.count == 1 { return l }
                return f <= parts.count ? String(parts[f - 1]) : ""
            }
            return cut.joined(separator: "\n") + (trailing ? "\n" : "")
        }

        func pathPart(_ p: String, basename: Bool, suffix: String?) -> String {
            if !concrete(p) {
                if let u = UnknownTable.firstPlaceholder(p) { return String(u) }
                return symbolic(basename ? "basename" : "dirname", [p, suffix ?? ""])
            }
            var s = p
            while s.count > 1, s.hasSuffix("/") { s.removeLast() }
            if basename {
                var b = s.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? s
                if s == "/" { b = "/" }
                if let suffix, !suffix.isEmpty, b != suffix, b.hasSuffix(suffix) { b.removeLast(suffix.count) }
                return b
            }
            guard let slash = s.lastIndex(of: "/") else { return "." }
            var d = String(s[..<slash])
            while d.count > 1, d.hasSuffix("/") { d.removeLast() }
            return d.isEmpty ? "/" : d
        }

        // MARK: Expansion

        /// Whether shell text is fully known: no unknown placeholder, symbol marker or runner file path.
        func concrete(_ s: String) -> Bool {
            !s.unicodeScalars.contains { UnknownTable.isPlaceholder($0) || $0 == "\u{27E8}" || $0 == "\u{E000}" }
        }

        /// A symbol marker for a value computed by `kind` from texts holding symbols (no unknowns).
        func symbolic(_ kind: String, _ inputs: [String]) -> String {
            if let u = inputs.lazy.compactMap(UnknownTable.firstPlaceholder).first { return String(u) }
            guard case .symbol(let n) = ExprValue.computedSymbol("sh-" + kind, inputs) else { return "" }
            return ExprValue.marker(n)
        }

        struct Segment {
            var text: String
            var quoted: Bool
            var expansion: Bool
        }

        func segments(_ w: ShWord, _ st: inout ShState) -> [Segment] {
            var out: [Segment] = []
            for p in w {
                if st.terminated { break }
                switch p {
                case .lit(let t, let q): out.append(Segment(text: t, quoted: q, expansion: false))
                case .param(let pp, let q): out.append(Segment(text: expandParam(pp, &st), quoted: q, expansion: true))
                case .command(let cmds, let q): out.append(Segment(text: commandSubstitution(cmds, &st), quoted: q, expansion: true))
                case .arith(let src, let q): out.append(Segment(text: arithmetic(src, &st), quoted: q, expansion: true))
                case .processSubstitution: out.append(Segment(text: placeholder("process substitution"), quoted: true, expansion: true))
                case .arrayLiteral: out.append(Segment(text: placeholder("an array"), quoted: true, expansion: true))
                }
            }
            // A value past the evaluated-string bound is unknown (a loop doubling `x="$x$x"` stops growing).
            for i in out.indices where out[i].text.utf8.count > ExpressionEvaluator.maxStringLength {
                out[i] = Segment(text: placeholder("a value longer than 64 KiB"), quoted: out[i].quoted, expansion: true)
            }
            return out
        }

        /// A word expanded without field splitting or globbing (assignments, redirection targets, `case`).
        func expandString(_ w: ShWord, _ st: inout ShState) -> String {
            let text = segments(w, &st).map(\.text).joined()
            return text.utf8.count > ExpressionEvaluator.maxStringLength ? placeholder("a value longer than 64 KiB") : text
        }

        /// A word expanded into fields: unquoted expansions split on blanks. Globbing (and brace expansion)
        /// can only produce words that start with the text before the first wildcard, so such a field keeps
        /// that prefix followed by an unknown part; a field starting with `~` is unknown.
        func expandFields(_ w: ShWord, _ st: inout ShState) -> [String] {
            let segs = segments(w, &st)
            var fields: [String] = []
            var cur: [Unicode.Scalar] = []
            var have = false
            var wildAt: Int? = nil  // first unquoted `*` or `?`, or a brace expansion
            var bracketAt: Int? = nil  // first unquoted `[`
            var glob = false
            var tilde = false
            func end() {
                if have {
                    var f = String(String.UnicodeScalarView(cur))
                    if tilde {
                        f = placeholder("`~` expansion")
                    } else if glob, let at = [wildAt, bracketAt].compactMap({ $0 }).min() {
                        f = String(String.UnicodeScalarView(cur[0..<at])) + placeholder("pathname expansion of `\(f)`")
                    }
                    fields.append(f)
                }
                cur = []
                have = false
                wildAt = nil
                bracketAt = nil
                glob = false
                tilde = false
            }
            func note(_ c: Unicode.Scalar) {
                if c == "*" || c == "?" {
                    glob = true
                    if wildAt == nil { wildAt = cur.count }
                }
                if c == "[", bracketAt == nil { bracketAt = cur.count }
                if c == "]", bracketAt != nil { glob = true }
            }
            for seg in segs {
                if seg.quoted {
                    cur += seg.text.unicodeScalars
                    have = true
                    continue
                }
                if !seg.expansion {
                    if !have, cur.isEmpty, seg.text.hasPrefix("~") { tilde = true }
                    if let b = Self.braceExpansionStart(seg.text) {
                        glob = true
                        if wildAt == nil { wildAt = cur.count + b }
                    }
                    for c in seg.text.unicodeScalars {
                        note(c)
                        cur.append(c)
                    }
                    if !seg.text.isEmpty { have = true }
                    continue
                }
                for c in seg.text.unicodeScalars {
                    if c == " " || c == "\t" || c == "\n" {
                        end()
                    } else {
                        note(c)
                        cur.append(c)
                        have = true
                    }
                }
            }
            end()
            return fields
        }

        /// The scalar offset of a brace expansion (`{a,b}`, `{1..3}`) in literal text, if any.
        static func braceExpansionStart(_ t: String) -> Int? {
            let u = Array(t.unicodeScalars)
            guard let open = u.firstIndex(of: "{"), let close = u[open...].firstIndex(of: "}") else { return nil }
            let inner = String(String.UnicodeScalarView(u[(open + 1)..<close]))
            return inner.contains(",") || inner.contains("..") ? open : nil
        }

        func commandSubstitution(_ cmds: [ShCommand]?, _ st: inout ShState) -> String {
            guard let cmds else { return placeholder("a command substitution that does not parse") }
            var sub = st
            let r = execList(cmds, &sub, stdin: nil, sink: .capture)
            st.adoptEnv(sub)
            var out = r.out
            while out.hasSuffix("\n") { out.removeLast() }
            return out
        }

        /// `$(( … ))`: integer literals and + - * / % over them; otherwise unknown.
        func arithmetic(_ src: String, _ st: inout ShState) -> String {
            var body = src
            if body.hasPrefix("$((") { body.removeFirst(3) } else if body.hasPrefix("((") { body.removeFirst(2) }
            if body.hasSuffix("))") { body.removeLast(2) }
            let t = body.trimmingBlanks()
            if let n = Int(t) { return String(n) }
            return placeholder("arithmetic expansion")
        }

        enum Lookup {
            case value(String)
            case unset
            case unknown(String)

            var text: String {
                switch self {
                case .value(let s): return s
                case .unset: return ""
                case .unknown(let p): return p
                }
            }
        }

        func lookup(_ name: String, _ st: ShState) -> Lookup {
            if let n = Int(name) {
                if n == 0 { return .unknown(placeholder("$0")) }
                return n <= st.positional.count ? .value(st.positional[n - 1]) : .unset
            }
            switch name {
            case "@", "*": return .value(st.positional.joined(separator: " "))
            case "#": return .value(String(st.positional.count))
            case "?", "$", "!", "-": return .unknown(placeholder("special parameter $\(name)"))
            default: break
            }
            if let v = st.vars[name] {
                switch v {
                case .value(let s): return .value(s)
                case .unset: return .unset
                }
            }
            if st.opaque { return .unknown(placeholder("`$\(name)` may be set by a sourced or evaluated script")) }
            if name == "GITHUB_ENV" { return .value(Self.envFile) }
            if Self.fileVariables.contains(name) { return .value("\u{E000}\(name)\u{E001}") }
            if let v = stepEnv[name] { return .value(shellText(v)) }
            if let (context, property) = Self.runnerVariables[name] {
                return .value(shellText(ExpressionEvaluator.evaluate(.member(.identifier(context), property), ctx)))
            }
            if name == "CI" || name == "GITHUB_ACTIONS" { return .value("true") }
            return .unknown(placeholder("`$\(name)` is not set by the workflow (the runner's value is not known)"))
        }

        /// Shell text for an environment value (GitHub turns every env value into a string).
        func shellText(_ v: ExprValue) -> String {
            switch v {
            case .unknown(let r): return placeholder(r)
            case .array, .object: return placeholder("an array or object in the environment")
            default: return v.templateText ?? ""
            }
        }

        /// Emptiness of shell text: nil when it depends on unknown or symbolic parts.
        func isEmpty(_ s: String) -> Bool? {
            if s.isEmpty { return true }
            let stripped = ExprText.stripMarkers(s).unicodeScalars.filter { !UnknownTable.isPlaceholder($0) }
            if !stripped.isEmpty { return false }
            return nil
        }

        /// `transform` applied to known text; unknown text stays unknown, symbolic text gives a symbol.
        /// Lowercasing or uppercasing exactly one plain symbol gives a readable name (`lower.github.repository`),
        /// so rules can tell a lowercased repository name from a raw one.
        func transform(_ input: String, _ desc: [String], _ f: (String) -> String?) -> String {
            if let u = UnknownTable.firstPlaceholder(input) { return String(u) }
            if desc.count == 3, desc[0] == "case", desc[2] == "all", input.hasPrefix("\u{27E8}"), input.hasSuffix("\u{27E9}") {
                let name = String(input.dropFirst().dropLast())
                if ExprValue.isPlainSymbolName(name), name.count < 100 {
                    return ExprValue.marker((desc[1] == "L" ? "lower." : "upper.") + name)
                }
            }
            if !concrete(input) || desc.contains(where: { !concrete($0) }) { return symbolic("param", desc + [input]) }
            return f(input) ?? placeholder("expansion not modelled: \(desc.first ?? "")")
        }

        func expandParam(_ p: ShParam, _ st: inout ShState) -> String {
            if p.op.isBashOnly, posix {
                if !st.terminated, stoppedEarly == nil { stoppedEarly = "sh: \(p.source): Bad substitution" }
                st.terminated = true
                return ""
            }
            let v = lookup(p.name, st)
            switch p.op {
            case .plain:
                return v.text
            case .length:
                return transform(v.text, ["len"]) { String($0.count) }
            case .defaulting(let k, let colon, let word):
                var isSet: Bool?
                switch v {
                case .value: isSet = true
                case .unset: isSet = false
                case .unknown: isSet = nil
                }
                let empty = isEmpty(v.text)
                // Whether the word is used instead of (or, for `+`, in place of) the value.
                let useWord: Bool?
                if k == "+" {
                    useWord = colon ? (isSet == false ? false : (isSet == true ? empty.map { !$0 } : (empty == false ? true : nil))) : isSet
                } else {
                    useWord = colon ? (isSet == false ? true : (empty == true ? true : (empty == false && isSet == true ? false : nil))) : isSet.map { !$0 }
                }
                switch useWord {
                case true?:
                    let w = expandString(word, &st)
                    if k == "=" { st.vars[p.name] = .value(w) }
                    if k == "?" {
                        st.terminated = true
                        st.exitFailed = true
                        return ""
                    }
                    return w
                case false?:
                    return k == "+" ? "" : v.text
                case nil:
                    let w = expandString(word, &st)
                    if let u = UnknownTable.firstPlaceholder(v.text) { return String(u) }
                    // Symbol names stay within [a-z0-9_.-#]: name the operator instead of writing it.
                    let kind = k == "-" ? "default" : k == "=" ? "assign" : k == "?" ? "error" : "alternative"
                    return symbolic(kind, [colon ? ":" : "", v.text, w])
                }
            case .removePrefix(let longest, let pattern), .removeSuffix(let longest, let pattern):
                let prefix: Bool
                if case .removePrefix = p.op { prefix = true } else { prefix = false }
                let cp = compilePattern(pattern, &st)
                let glob = cp.glob
                let ptext = cp.text
                return transform(v.text, [prefix ? "#" : "%", longest ? "longest" : "shortest", ptext]) { s in
                    guard let glob else { return nil }
                    return Self.removeAffix(s, glob, prefix: prefix, longest: longest)
                }
            case .replace(let mode, let pattern, let replacement):
                let cp = compilePattern(pattern, &st)
                let glob = cp.glob
                let ptext = cp.text
                var rep = ""
                if let replacement {
                    // bash 5.2 expands an unquoted `&` to the match (patsub_replacement); 5.1 does not.
                    for part in replacement {
                        if case .lit(let t, false) = part, t.contains("&") { return placeholder("`&` in a pattern substitution (bash-version dependent)") }
                    }
                    rep = expandString(replacement, &st)
                }
                return transform(v.text, ["/", mode, ptext, rep]) { s in
                    guard let glob else { return nil }
                    return Self.replace(s, glob, mode: mode, with: rep)
                }
            case .caseMod(let upper, let all, let pattern):
                if !pattern.isEmpty, expandString(pattern, &st) != "" { return placeholder("case modification with a pattern") }
                return transform(v.text, ["case", upper ? "U" : "L", all ? "all" : "first"]) { s in
                    Self.changeCase(s, upper: upper, all: all)
                }
            case .substring(let offset, let length):
                return transform(v.text, ["substr", offset, length ?? ""]) { s in
                    Self.substring(s, offset: offset, length: length)
                }
            case .transform(let t):
                switch t {
                case "L": return transform(v.text, ["case", "L", "all"]) { Self.changeCase($0, upper: false, all: true) }
                case "U": return transform(v.text, ["case", "U", "all"]) { Self.changeCase($0, upper: true, all: true) }
                case "u": return transform(v.text, ["case", "U", "first"]) { Self.changeCase($0, upper: true, all: false) }
                default: return placeholder("${…@\(t)} not modelled")
                }
            case .unsupported:
                return placeholder("expansion \(p.source) not modelled")
            }
        }

        static func changeCase(_ s: String, upper: Bool, all: Bool) -> String {
            var out = String.UnicodeScalarView()
            for (k, c) in s.unicodeScalars.enumerated() {
                if k > 0 && !all {
                    out.append(c)
                    continue
                }
                let m = upper ? c.properties.uppercaseMapping : c.properties.lowercaseMapping
                if m.unicodeScalars.count == 1 { out.append(m.unicodeScalars.first!) } else { out.append(c) }
            }
            return String(out)
        }

        static func substring(_ s: String, offset: String, length: String?) -> String? {
            func int(_ t: String) -> Int? {
                var x = t.trimmingBlanks()
                if x.hasPrefix("("), x.hasSuffix(")") { x = String(x.dropFirst().dropLast()).trimmingBlanks() }
                return Int(x)
            }
            guard var off = int(offset) else { return nil }
            let u = Array(s.unicodeScalars)
            let n = u.count
            if off < 0 { off += n }
            guard off >= 0 else { return "" }
            if off > n { return "" }
            var end = n
            if let length {
                guard let len = int(length) else { return nil }
                end = len >= 0 ? off + min(len, n - off) : n + len  // no overflow for ${v:1:9223372036854775807}
                guard end >= off else { return nil }  // bash: substring expression < 0
            }
            var v = String.UnicodeScalarView()
            v.append(contentsOf: u[off..<end])
            return String(v)
        }

        // MARK: Patterns

        enum GlobElement: Equatable {
            case char(Unicode.Scalar)
            case any
            case star
            case set([ClosedRange<UInt32>], negated: Bool)
        }

        /// The glob of a pattern word (unquoted parts active); nil glob when it cannot be compiled. The text
        /// describes the pattern for symbols and carries any unknown placeholder.
        func compilePattern(_ w: ShWord, _ st: inout ShState) -> CompiledPattern {
            let segs = segments(w, &st)
            var text = ""
            var elems: [GlobElement] = []
            var ok = true
            // One stream for the whole pattern, quoted characters escaped with `\`: a bracket expression may
            // span quoted parts (`[\/]`, `["/"]` match `/`).
            var u: [Unicode.Scalar] = []
            for seg in segs {
                text += (seg.quoted ? "q:" : "u:") + seg.text + "\u{1F}"
                let scalars = Array(seg.text.unicodeScalars)
                if seg.quoted {
                    for c in scalars { u += ["\\", c] }
                    continue
                }
                // extglob forms (`+(…)`, `@(…)`, `!(…)`, `?(…)`, `*(…)`) are not modelled.
                if zip(scalars, scalars.dropFirst()).contains(where: { "?*+@!".unicodeScalars.contains($0.0) && $0.1 == "(" }) { ok = false }
                if seg.text.unicodeScalars.contains(where: { UnknownTable.isPlaceholder($0) }) { ok = false }
                u += scalars
            }
            var k = 0
            while k < u.count {
                let c = u[k]
                switch c {
                case "*": elems.append(.star)
                case "?": elems.append(.any)
                case "\\":
                    if k + 1 < u.count {
                        k += 1
                        elems.append(.char(u[k]))
                    } else {
                        elems.append(.char(c))
                    }
                case "[":
                    if let (set, next) = Self.bracket(u, k) {
                        elems.append(set)
                        k = next
                        continue
                    }
                    elems.append(.char(c))
                default: elems.append(.char(c))
                }
                k += 1
            }
            if segs.contains(where: { !concrete($0.text) }) {
                // The pattern holds unknown or symbolic text: `transform` turns the result unknown/symbolic.
                return CompiledPattern(glob: ok ? elems : nil, text: segs.map(\.text).joined(), known: false)
            }
            return CompiledPattern(glob: ok ? elems : nil, text: text, known: ok)
        }

        /// A compiled glob; `text` describes it (and carries unknown or symbolic parts when not `known`).
        struct CompiledPattern {
            var glob: [GlobElement]?
            var text: String
            var known: Bool
        }

        /// A bracket expression at `u[k]` (`[abc]`, `[a-z]`, `[!x]`, `[[:alpha:]]`) and the index after it.
        static func bracket(_ u: [Unicode.Scalar], _ start: Int) -> (GlobElement, Int)? {
            var k = start + 1
            var negated = false
            if k < u.count, u[k] == "!" || u[k] == "^" {
                negated = true
                k += 1
            }
            var ranges: [ClosedRange<UInt32>] = []
            var first = true
            while k < u.count {
                if u[k] == "]" && !first { return (.set(ranges, negated: negated), k + 1) }
                first = false
                if u[k] == "[", k + 1 < u.count, u[k + 1] == ":" {
                    guard let end = (k + 2..<u.count).first(where: { u[$0] == ":" && $0 + 1 < u.count && u[$0 + 1] == "]" }) else { return nil }
                    var n = String.UnicodeScalarView()
                    n.append(contentsOf: u[(k + 2)..<end])
                    switch String(n) {
                    case "alpha": ranges += [65...90, 97...122]
                    case "upper": ranges += [65...90]
                    case "lower": ranges += [97...122]
                    case "digit": ranges += [48...57]
                    case "alnum": ranges += [48...57, 65...90, 97...122]
                    case "space": ranges += [9...13, 32...32]
                    case "blank": ranges += [9...9, 32...32]
                    case "punct": ranges += [33...47, 58...64, 91...96, 123...126]
                    case "xdigit": ranges += [48...57, 65...70, 97...102]
                    default: return nil
                    }
                    k = end + 2
                    continue
                }
                var c = u[k]
                if c == "\\", k + 1 < u.count {
                    k += 1
                    c = u[k]
                }
                if k + 2 < u.count, u[k + 1] == "-", u[k + 2] != "]" {
                    let hi = u[k + 2]
                    guard c.value <= hi.value else { return nil }
                    ranges.append(c.value...hi.value)
                    k += 3
                    continue
                }
                ranges.append(c.value...c.value)
                k += 1
            }
            return nil
        }

        static func matches(_ g: [GlobElement], _ s: ArraySlice<Unicode.Scalar>) -> Bool {
            let t = Array(s)
            var p = 0
            var x = 0
            var starP = -1
            var starX = 0
            func one(_ e: GlobElement, _ c: Unicode.Scalar) -> Bool {
                switch e {
                case .char(let d): return c == d
                case .any: return true
                case .set(let r, let neg): return r.contains { $0.contains(c.value) } != neg
                case .star: return false
                }
            }
            while x < t.count {
                if p < g.count, g[p] == .star {
                    starP = p
                    starX = x
                    p += 1
                } else if p < g.count, one(g[p], t[x]) {
                    p += 1
                    x += 1
                } else if starP >= 0 {
                    p = starP + 1
                    starX += 1
                    x = starX
                } else {
                    return false
                }
            }
            while p < g.count, g[p] == .star { p += 1 }
            return p == g.count
        }

        /// The longest value a pattern with `*` is matched against: every cut point is tried and each match is
        /// linear (quadratic; a substitution's every start and end is cubic), so longer values are unknown.
        static let maxAffixSubject = 4_096
        static let maxReplaceSubject = 256

        /// `s` without its prefix or suffix matching `g` (`${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`); nil past
        /// `maxAffixSubject` with a `*` pattern.
        static func removeAffix(_ s: String, _ g: [GlobElement], prefix: Bool, longest: Bool) -> String? {
            let u = Array(s.unicodeScalars)
            let n = u.count
            if n > maxAffixSubject, g.contains(.star) { return nil }
            func str(_ r: Range<Int>) -> String {
                var v = String.UnicodeScalarView()
                v.append(contentsOf: u[r])
                return String(v)
            }
            // Without `*` a pattern matches exactly as many characters as it has elements: one candidate.
            if !g.contains(.star) {
                let m = g.count
                guard m <= n else { return s }
                if prefix { return matches(g, u[0..<m]) ? str(m..<n) : s }
                return matches(g, u[(n - m)..<n]) ? str(0..<(n - m)) : s
            }
            if prefix {
                let order = longest ? Array((0...n).reversed()) : Array(0...n)
                for j in order where matches(g, u[0..<j]) { return str(j..<n) }
            } else {
                let order = longest ? Array(0...n) : Array((0...n).reversed())
                for k in order where matches(g, u[k..<n]) { return str(0..<k) }
            }
            return s
        }

        /// `s` with matches of `g` replaced (`${v/p/r}`, `${v//p/r}`, `${v/#p/r}`, `${v/%p/r}`); nil past the
        /// bounds above with a `*` pattern.
        static func replace(_ s: String, _ g: [GlobElement], mode: String, with rep: String) -> String? {
            let u = Array(s.unicodeScalars)
            let n = u.count
            if g.contains(.star), n > (mode == "/#" || mode == "/%" ? maxAffixSubject : maxReplaceSubject) { return nil }
            func str(_ r: Range<Int>) -> String {
                var v = String.UnicodeScalarView()
                v.append(contentsOf: u[r])
                return String(v)
            }
            switch mode {
            case "/#":
                for j in (0...n).reversed() where matches(g, u[0..<j]) { return rep + str(j..<n) }
                return s
            case "/%":
                for k in 0...n where matches(g, u[k..<n]) { return str(0..<k) + rep }
                return s
            default:
                if g.isEmpty { return s }
                // Without `*` the only match at `k` is `g.count` characters long (the longest-first search over
                // every end made `${p//\//-}` cubic in the value's length).
                let fixed = g.contains(.star) ? nil : g.count
                var out = ""
                var k = 0
                while k < n {
                    var found: Int? = nil
                    if let m = fixed {
                        if k + m <= n, matches(g, u[k..<(k + m)]) { found = k + m }
                    } else {
                        for j in stride(from: n, to: k, by: -1) where matches(g, u[k..<j]) {
                            found = j
                            break
                        }
                    }
                    if let j = found {
                        out += rep
                        k = j
                        if mode == "/" { return out + str(k..<n) }
                    } else {
                        out.unicodeScalars.append(u[k])
                        k += 1
                    }
                }
                return out
            }
        }

        /// Whether `subject` matches a `case` / `[[ == ]]` pattern: nil when either holds unknown or symbolic text.
        func globMatch(_ compiled: CompiledPattern, _ subject: String) -> Bool? {
            guard let g = compiled.glob else { return nil }
            if !concrete(subject) || !compiled.known {
                // The same symbolic text on both sides matches itself when the pattern has no wildcards.
                if !g.contains(where: { if case .char = $0 { return false } else { return true } }),
                    UnknownTable.firstPlaceholder(subject) == nil,
                    String(String.UnicodeScalarView(g.compactMap { if case .char(let c) = $0 { return c } else { return nil } })) == subject
                {
                    return true
                }
                return nil
            }
            return Self.matches(g, Array(subject.unicodeScalars)[...])
        }

        func expandPattern(_ w: ShWord, _ st: inout ShState) -> CompiledPattern {
            compilePattern(w, &st)
        }

        // MARK: test, [ and [[

        struct TestOperand {
            var text: String
            /// For `[[`: the right side of `==`/`!=` as a pattern.
            var pattern: CompiledPattern?
            /// Whether the operand may be read as an operator (unquoted literal).
            var isOperator: Bool
        }

        func evalDoubleBracket(_ words: [ShWord], _ st: inout ShState) -> Bool? {
            var ops: [TestOperand] = []
            var ws = words
            if let last = ws.last, literalText(last) == "]]" { ws.removeLast() }
            for (k, w) in ws.enumerated() {
                let isOp: Bool = {
                    guard w.count == 1, case .lit(_, false) = w[0] else { return false }
                    return true
                }()
                var o = TestOperand(text: expandString(w, &st), pattern: nil, isOperator: isOp)
                if k > 0, let prev = ws[k - 1].first, case .lit(let t, false) = prev, ws[k - 1].count == 1, t == "==" || t == "=" || t == "!=" {
                    o.pattern = compilePattern(w, &st)
                }
                ops.append(o)
            }
            if st.terminated { return nil }
            return evalTest(ops)
        }

        /// Evaluates test operands (`test`/`[` give every operand `isOperator`); nil when not known.
        func evalTest(_ args: [TestOperand]) -> Bool? {
            var k = 0
            func isOp(_ t: String) -> Bool { k < args.count && args[k].isOperator && args[k].text == t }
            func orExpr() -> Bool? {
                var v = andExpr()
                while isOp("-o") || isOp("||") {
                    k += 1
                    let r = andExpr()
                    v = (v == true || r == true) ? true : (v == false && r == false ? false : nil)
                }
                return v
            }
            func andExpr() -> Bool? {
                var v = notExpr()
                while isOp("-a") || isOp("&&") {
                    k += 1
                    let r = notExpr()
                    v = (v == false || r == false) ? false : (v == true && r == true ? true : nil)
                }
                return v
            }
            func notExpr() -> Bool? {
                if isOp("!"), k + 1 < args.count {
                    k += 1
                    return notExpr().map { !$0 }
                }
                return primary()
            }
            func primary() -> Bool? {
                guard k < args.count else { return nil }
                if isOp("(") {
                    k += 1
                    let v = orExpr()
                    if isOp(")") { k += 1 }
                    return v
                }
                let a = args[k]
                // Binary operator?
                if k + 2 < args.count {
                    let op = args[k + 1]
                    if op.isOperator, Self.binaryTestOps.contains(op.text) {
                        let b = args[k + 2]
                        k += 3
                        return binary(a.text, op.text, b)
                    }
                }
                if a.isOperator, a.text.hasPrefix("-"), a.text.count == 2, k + 1 < args.count {
                    let operand = args[k + 1].text
                    k += 2
                    switch a.text {
                    case "-z": return isEmpty(operand)
                    case "-n": return isEmpty(operand).map { !$0 }
                    default: return nil  // file tests and others depend on the runner
                    }
                }
                k += 1
                return isEmpty(a.text).map { !$0 }
            }
            let v = orExpr()
            return k == args.count ? v : nil
        }

        static let binaryTestOps: Set<String> = [
            "=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "=~", "-nt", "-ot", "-ef",
        ]

        func binary(_ a: String, _ op: String, _ b: TestOperand) -> Bool? {
            switch op {
            case "=", "==", "!=":
                let eq: Bool?
                if let p = b.pattern {
                    eq = globMatch(p, a)
                } else if concrete(a), concrete(b.text) {
                    eq = a == b.text
                } else {
                    eq = (a == b.text && UnknownTable.firstPlaceholder(a) == nil) ? true : nil
                }
                return op == "!=" ? eq.map { !$0 } : eq
            case "-eq", "-ne", "-lt", "-le", "-gt", "-ge":
                guard concrete(a), concrete(b.text), let x = Int(a.trimmingBlanks()), let y = Int(b.text.trimmingBlanks()) else { return nil }
                switch op {
                case "-eq": return x == y
                case "-ne": return x != y
                case "-lt": return x < y
                case "-le": return x <= y
                case "-gt": return x > y
                default: return x >= y
                }
            case "<", ">":
                guard concrete(a), concrete(b.text) else { return nil }
                return op == "<" ? a.unicodeScalars.lexicographicallyPrecedes(b.text.unicodeScalars) : b.text.unicodeScalars.lexicographicallyPrecedes(a.unicodeScalars)
            default:
                return nil
            }
        }
    }
}

extension String {
    /// The string without leading and trailing blanks (space, tab, newline).
    fileprivate func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s.removeLast() }
        return String(s)
    }
}
