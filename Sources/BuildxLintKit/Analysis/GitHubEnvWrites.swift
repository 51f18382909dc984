/// One `NAME=value` line a `run:` script writes to `$GITHUB_ENV`.
public struct GitHubEnvWrite: Sendable, Hashable {
    /// The variable name.
    public let name: String
    /// The value written: `.string` (symbols embedded as `⟨name⟩` markers) or `.unknown` with the reason.
    public let value: ExprValue
    /// Whether the write happens only on some paths of the script (inside an `if`/`case`/loop whose
    /// condition is not known here, after `&&`/`||`, in a function).
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
        guard let commands, parser.failure == nil else {
            return GitHubEnvScript(
                writes: [], effective: [], hasUnreadableWrite: mentionsEnvFile, bashOnlyExpansions: bashOnly,
                stoppedEarly: nil)
        }
        let interp = ShellInterpreter(
            table: table, stepEnv: stepEnv, ctx: ctx, posix: kind == .posix, hereDocs: parser.hereDocs)
        return interp.run(commands, bashOnly: bashOnly)
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

    mutating func placeholder(_ reason: String) -> String {
        reasons.append(reason)
        return String(Character(Unicode.Scalar(Self.base + UInt32(reasons.count - 1))!))
    }

    static func isPlaceholder(_ u: Unicode.Scalar) -> Bool { u.value >= base && u.value < 0x10000 + base - 2 }

    /// The first placeholder in `s`, if any.
    static func firstPlaceholder(_ s: String) -> Unicode.Scalar? { s.unicodeScalars.first(where: isPlaceholder) }

    func reason(_ u: Unicode.Scalar) -> String {
        let i = Int(u.value - Self.base)
        return i < reasons.count ? reasons[i] : "not known"
    }
}

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
    /// Index into the here-document bodies, for `.hereDoc`.
    var hereDoc: Int?
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
    var depth = 0
    var hereDocs: [ShHereDoc] = []
    var pendingHereDocs: [(index: Int, delimiter: String, quoted: Bool, stripTabs: Bool)] = []
    /// Bash-only parameter expansions seen, as written.
    var bashOnly: [String] = []

    init(_ s: [Unicode.Scalar]) { self.s = s }

    init(_ text: String) { self.s = Array(text.unicodeScalars) }

    var atEnd: Bool { i >= s.count }
    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

    mutating func fail(_ m: String) {
        if failure == nil { failure = "\(m) (line \(line))" }
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
        if depth > 120 {
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
            let cmd = parseAndOr()
            if failure != nil { break }
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
                    ws.append(readWord())
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
                patterns.append(readWord())
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
                fail("unexpected `(`")
                break
            }
            if let r = parseRedirect() {
                cmd.redirects.append(r)
                continue
            }
            let word = readWord()
            if failure != nil { break }
            if cmd.words.isEmpty, let a = assignment(word) {
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
            let w = readWord()
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

    /// `NAME=value`, `NAME+=value` or `NAME[i]=value` at the start of a word.
    func assignment(_ w: ShWord) -> (name: String, value: ShWord, isArray: Bool)? {
        guard case .lit(let t, false)? = w.first else { return nil }
        let u = Array(t.unicodeScalars)
        guard let f = u.first, Self.isNameStart(f) else { return nil }
        var j = 1
        while j < u.count, Self.isNameChar(u[j]) { j += 1 }
        var isArray = false
        if j < u.count, u[j] == "[" {
            guard let close = u[j...].firstIndex(of: "]") else { return nil }
            isArray = true
            j = close + 1
        }
        var nameEnd = j
        if j < u.count, u[j] == "+" {
            nameEnd = j
            j += 1
        }
        guard j < u.count, u[j] == "=" else { return nil }
        var name = String.UnicodeScalarView()
        name.append(contentsOf: u[0..<min(nameEnd, u.count)].prefix { Self.isNameChar($0) })
        var rest = String.UnicodeScalarView()
        rest.append(contentsOf: u[(j + 1)...])
        var value: ShWord = []
        if !rest.isEmpty { value.append(.lit(String(rest), quoted: false)) }
        value += w.dropFirst()
        // `+=` appends; the reader treats the result as unknown via the array flag.
        return (String(name), value, isArray || (nameEnd < u.count && u[nameEnd] == "+"))
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
            let w = readWord()
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
            let idx = hereDocs.count
            hereDocs.append(.literal(""))
            pendingHereDocs.append((idx, delim, quoted, stripTabs))
            return ShRedirect(fd: fd, op: .hereDoc, target: w, hereDoc: idx)
        }
        skipBlanks()
        guard let c = peek(), !Self.isMeta(c) else {
            fail("missing redirection target")
            return nil
        }
        return ShRedirect(fd: fd, op: op, target: readWord(), hereDoc: nil)
    }

    mutating func readHereDocBody(_ h: (index: Int, delimiter: String, quoted: Bool, stripTabs: Bool)) {
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
            hereDocs[h.index] = .literal(body)
        } else {
            var sub = ShellParser(body)
            let w = sub.readDoubleQuoted(inHereDoc: true)
            bashOnly += sub.bashOnly
            hereDocs[h.index] = sub.failure == nil ? .expanded(w) : .literal(body)
        }
    }

    // MARK: Words

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
            let pattern = word(&self, stopAtSlash: true)
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
