import Foundation
import Testing

@testable import BuildxLintKit

// MARK: - Helpers (file-private so they cannot clash with other test files)

private func hclBody(_ s: String) throws -> HCLBody {
    try HCLParser.parse(SourceText(s))
}

private func hclExpr(_ s: String) throws -> HCLExpr {
    try HCLParser.parseExpression(SourceText(s))
}

private func hclEval(_ s: String, _ vars: [String: HCLValue] = [:]) throws -> HCLValue {
    HCLEvaluator(variables: vars).evaluate(try hclExpr(s))
}

/// The first attribute's expression of a one-attribute file.
private func hclAttrExpr(_ s: String) throws -> HCLExpr {
    let body = try hclBody(s)
    return try #require(body.attributes.first).expr
}

private func hclSlice(_ text: SourceText, _ span: SourceSpan) -> String {
    String(decoding: text.bytes[span.start.offset..<span.end.offset], as: UTF8.self)
}

private func hclParseError(_ s: String) -> HCLError? {
    hclParseError(bytes: Array(s.utf8))
}

private func hclParseError(bytes: [UInt8]) -> HCLError? {
    do {
        _ = try HCLParser.parse(SourceText(bytes))
        return nil
    } catch {
        return error
    }
}

/// Checks that a position is consistent with the text's line table.
private func hclPositionIsValid(_ p: SourcePosition, in text: SourceText) -> Bool {
    guard p.line >= 1, p.line <= text.lineCount, p.column >= 1, p.offset >= 0, p.offset <= text.bytes.count else { return false }
    return text.position(ofOffset: p.offset) == p
}

private let hclSharedDir: URL? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let u = root.deletingLastPathComponent().appendingPathComponent("shared")
    return FileManager.default.fileExists(atPath: u.appendingPathComponent("corpus/real").path) ? u : nil
}()

private func hclRealBakeFiles(extension ext: String) -> [URL] {
    guard let dir = hclSharedDir?.appendingPathComponent("corpus/real"),
        let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)
    else { return [] }
    var out: [URL] = []
    for case let u as URL in e where u.pathExtension == ext && u.lastPathComponent.hasPrefix("docker-bake") {
        out.append(u)
    }
    return out.sorted { $0.path < $1.path }
}

// MARK: - Literals and templates

@Suite struct HCLLiteralTests {
    @Test func numbersBoolsNull() throws {
        #expect(try hclEval("1") == .number(1))
        #expect(try hclEval("1.5") == .number(1.5))
        #expect(try hclEval("2e3") == .number(2000))
        #expect(try hclEval("1E-2") == .number(0.01))
        #expect(try hclEval("-4") == .number(-4))
        #expect(try hclEval("true") == .bool(true))
        #expect(try hclEval("false") == .bool(false))
        #expect(try hclEval("null") == .null)
        guard case .number(let v, let span) = try hclExpr("-4") else { Issue.record("not folded"); return }
        #expect(v == -4 && span.start.column == 1 && span.end.column == 3)
    }

    @Test func quotedStringEscapes() throws {
        #expect(try hclEval(#""a\nb\t\"q\"\\""#) == .string("a\nb\t\"q\"\\"))
        #expect(try hclEval(#""\u00e9\U0001F600""#) == .string("é😀"))
        #expect(try hclEval(#""$${x} %%{y} $ % $$""#) == .string("${x} %{y} $ % $$"))
        #expect(try hclEval(#""""#) == .string(""))
        #expect(try hclExpr(#""plain""#).staticString == "plain")
        #expect(try hclExpr(#""a${b}""#).staticString == nil)
    }

    @Test func interpolationAndTemplateWrap() throws {
        #expect(try hclEval(#""${a}-${b}""#, ["a": .string("x"), "b": .number(2)]) == .string("x-2"))
        // A template that is a single interpolation passes the value through unchanged.
        #expect(try hclEval(#""${a}""#, ["a": .list([.string("x")])]) == .list([.string("x")]))
        #expect(try hclEval(#""${a}""#, ["a": .null]) == .null)
        // null inside a longer template is an error in HCL: unknown here.
        #expect(try hclEval(#""x${a}""#, ["a": .null]) == .unknown)
        #expect(try hclEval(#""x${missing}""#) == .unknown)
        #expect(try hclEval(#""${true}/${1.5}""#) == .string("true/1.5"))
    }

    @Test func nestedInterpolation() throws {
        let src = #"v = "${a}-${lower("${b}x")}""#
        let text = SourceText(src)
        let body = try HCLParser.parse(text)
        let e = try #require(body.attributes.first).expr
        #expect(HCLEvaluator(variables: ["a": .string("A"), "b": .string("B")]).evaluate(e) == .string("A-bx"))
        guard case .template(let parts, _) = e, parts.count == 3, case .interpolation(let inner, let innerSpan) = parts[2] else {
            Issue.record("unexpected shape \(e)")
            return
        }
        #expect(hclSlice(text, innerSpan) == #"${lower("${b}x")}"#)
        guard case .call("lower", _, let args, _, _) = inner, case .template(let innerParts, let tSpan) = args[0] else {
            Issue.record("unexpected inner \(inner)")
            return
        }
        #expect(hclSlice(text, tSpan) == #""${b}x""#)
        #expect(innerParts.count == 2)
        #expect(innerParts[0].span.start.column == 20)
        #expect(hclSlice(text, innerParts[0].span) == "${b}")
    }

    @Test func templateDirectives() throws {
        let vars: [String: HCLValue] = ["xs": .list([.string("a"), .string("b")]), "on": .bool(true)]
        #expect(try hclEval(#""%{ if on }yes%{ else }no%{ endif }""#, vars) == .string("yes"))
        #expect(try hclEval(#""%{ if !on }yes%{ endif }!""#, vars) == .string("!"))
        #expect(try hclEval(#""%{ for x in xs }[${x}]%{ endfor }""#, vars) == .string("[a][b]"))
        #expect(try hclEval(#""%{ for i, x in xs }${i}=${x};%{ endfor }""#, vars) == .string("0=a;1=b;"))
        // Strip markers remove whitespace next to the sequence.
        #expect(try hclEval(#""a   ${~ "b" ~}   c""#) == .string("abc"))
        #expect(try hclEval(#""x %{~ if on ~} y %{~ endif ~} z""#, vars) == .string("xyz"))
    }

    @Test func heredocs() throws {
        let src = "a = <<EOT\n  hello ${name}\n    world\nEOT\nb = <<-EOT\n    one\n      two ${name}\n\n    three\n    EOT\n"
        let text = SourceText(src)
        let body = try HCLParser.parse(text)
        let ev = HCLEvaluator(variables: ["name": .string("N")])
        #expect(ev.evaluate(body.attributes[0].expr) == .string("  hello N\n    world\n"))
        #expect(ev.evaluate(body.attributes[1].expr) == .string("one\n  two N\n\nthree\n"))
        guard case .heredoc(let marker, let flush, _, let span) = body.attributes[1].expr else {
            Issue.record("not a heredoc")
            return
        }
        #expect(marker == "EOT" && flush)
        #expect(span.start.line == 5 && span.end.line == 10)
        #expect(body.attributes[1].name == "b" && body.attributes[1].nameSpan.start.line == 5)
    }

    @Test func heredocEdgeCases() throws {
        // Leading spaces before an interpolation count; an interpolation at the very start of a line
        // prevents any flushing; CRLF endings; a directive inside.
        let ev = HCLEvaluator(variables: ["x": .string("X")])
        let a = try hclAttrExpr("a = <<-EOT\n  ${x}\n    y\nEOT\n")
        #expect(ev.evaluate(a) == .string("X\n  y\n"))
        let a2 = try hclAttrExpr("a = <<-EOT\n${x}\n    y\nEOT\n")
        #expect(ev.evaluate(a2) == .string("X\n    y\n"))
        let b = try hclAttrExpr("a = <<EOT\r\nline\r\nEOT\r\n")
        #expect(ev.evaluate(b) == .string("line\r\n"))
        let c = try hclAttrExpr("a = <<EOT\n%{ if true }yes%{ endif }\nEOT")
        #expect(ev.evaluate(c) == .string("yes\n"))
        let d = try hclAttrExpr("a = <<EOT\nEOT\n")
        #expect(ev.evaluate(d) == .string(""))
        let e = try hclAttrExpr("a = [<<EOT\nin list\nEOT\n, \"b\"]\n")
        #expect(ev.evaluate(e) == .list([.string("in list\n"), .string("b")]))
    }

    @Test func objectsAndKeyForms() throws {
        let e = try hclAttrExpr("o = {\n  a = 1\n  b: 2, \"c d\" = 3\n  (k) = 4\n  \"${k}2\" = 5,\n  null = 6\n}\n")
        let v = HCLEvaluator(variables: ["k": .string("kk")]).evaluate(e)
        #expect(v == .object(["a": .number(1), "b": .number(2), "c d": .number(3), "kk": .number(4), "kk2": .number(5), "null": .number(6)]))
        guard case .object(let items, _) = e else { Issue.record("not an object"); return }
        if case .identifier("a", _) = items[0].key {} else { Issue.record("a should be an identifier key") }
        if case .expression(.parenthesized) = items[3].key {} else { Issue.record("(k) should be an expression key") }
        #expect(try hclEval("{}") == .object([:]))
        #expect(try hclEval("{a = [1,\n2]}") == .object(["a": .list([.number(1), .number(2)])]))
    }

    @Test func tuplesCallsAndExpansion() throws {
        #expect(try hclEval("[1, \"a\", [true],]") == .list([.number(1), .string("a"), .list([.bool(true)])]))
        #expect(try hclEval("[\n1,\n2\n]") == .list([.number(1), .number(2)]))
        #expect(try hclEval("concat(xs...)", ["xs": .list([.list([.number(1)]), .list([.number(2)])])]) == .list([.number(1), .number(2)]))
        #expect(try hclEval("upper(\n\"a\"\n)") == .string("A"))
        guard case .call(let name, let nameSpan, let args, let expand, _) = try hclExpr("join(\",\", xs...)") else {
            Issue.record("not a call")
            return
        }
        #expect(name == "join" && nameSpan.end.column == 5 && args.count == 2 && expand)
    }
}

// MARK: - Expressions

@Suite struct HCLExpressionTests {
    @Test func precedence() throws {
        #expect(try hclEval("1 + 2 * 3") == .number(7))
        #expect(try hclEval("(1 + 2) * 3") == .number(9))
        #expect(try hclEval("10 - 4 - 3") == .number(3))
        #expect(try hclEval("7 % 4 * 2") == .number(6))
        #expect(try hclEval("1 + 2 * 3 == 7 && !false || false") == .bool(true))
        #expect(try hclEval("1 < 2 == true") == .bool(true))
        #expect(try hclEval("-2 * -3") == .number(6))
        #expect(try hclEval("!true || true") == .bool(true))
        guard case .binary(.or, _, .binary(.and, _, _, _), _) = try hclExpr("a || b && c") else {
            Issue.record("|| should bind looser than &&")
            return
        }
        guard case .binary(.equal, .binary(.less, _, _, _), _, _) = try hclExpr("a < b == c") else {
            Issue.record("< should bind tighter than ==")
            return
        }
    }

    @Test func operatorsOnValues() throws {
        #expect(try hclEval("\"5\" + 1") == .number(6))
        #expect(try hclEval("1 == \"1\"") == .bool(false))
        #expect(try hclEval("[1, \"a\"] == [1, \"a\"]") == .bool(true))
        #expect(try hclEval("{a = 1} != {a = 2}") == .bool(true))
        #expect(try hclEval("null == null") == .bool(true))
        #expect(try hclEval("1 / 0") == .unknown)
        #expect(try hclEval("\"a\" < 1") == .unknown)
        #expect(try hclEval("u && false") == .bool(false))
        #expect(try hclEval("true || u") == .bool(true))
        #expect(try hclEval("u && true") == .unknown)
        #expect(try hclEval("u == 1") == .unknown)
    }

    @Test func conditionals() throws {
        #expect(try hclEval("true ? 1 : 2") == .number(1))
        #expect(try hclEval("x != \"\" ? \"a-${x}\" : \"b\"", ["x": .string("")]) == .string("b"))
        #expect(try hclEval("a ? b ? 1 : 2 : 3", ["a": .bool(true), "b": .bool(false)]) == .number(2))
        // Unknown condition: known only when both branches agree.
        #expect(try hclEval("u ? 1 : 1") == .number(1))
        #expect(try hclEval("u ? 1 : 2") == .unknown)
        #expect(try hclEval("null ? 1 : 2") == .unknown)
    }

    @Test func forExpressions() throws {
        let vars: [String: HCLValue] = [
            "xs": .list([.string("a"), .string("bb"), .string("c")]),
            "m": .object(["k1": .string("v1"), "k2": .string("v2")]),
        ]
        #expect(try hclEval("[for x in xs : upper(x)]", vars) == .list([.string("A"), .string("BB"), .string("C")]))
        #expect(try hclEval("[for i, x in xs : i if x != \"bb\"]", vars) == .list([.number(0), .number(2)]))
        #expect(try hclEval("{for k, v in m : v => k}", vars) == .object(["v1": .string("k1"), "v2": .string("k2")]))
        #expect(try hclEval("{for x in xs : length(x) => x...}", vars) == .object(["1": .list([.string("a"), .string("c")]), "2": .list([.string("bb")])]))
        #expect(try hclEval("{for x in xs : \"k\" => x}", vars) == .unknown)  // duplicate key without grouping
        #expect(try hclEval("[for k, v in m : \"${k}=${v}\"]", vars) == .list([.string("k1=v1"), .string("k2=v2")]))
        #expect(try hclEval("{\n for x in xs :\n x => 1\n}", vars) == .object(["a": .number(1), "bb": .number(1), "c": .number(1)]))
        #expect(try hclEval("[for x in u : x]") == .unknown)
        guard case .forExpr(let f, _) = try hclExpr("{for k, v in m : k => v... if v != null}") else {
            Issue.record("not a for")
            return
        }
        #expect(f.keyVar == "k" && f.valueVar == "v" && f.grouping && f.isObject && f.condition != nil)
    }

    @Test func traversalsAndSplats() throws {
        let vars: [String: HCLValue] = [
            "l": .list([.object(["name": .string("a"), "id": .number(1)]), .object(["name": .string("b"), "id": .number(2)])]),
            "o": .object(["x": .object(["y": .list([.string("p"), .string("q")])])]),
        ]
        #expect(try hclEval("l[1].name", vars) == .string("b"))
        #expect(try hclEval("l.0.id", vars) == .number(1))
        #expect(try hclEval("o.x.y[1]", vars) == .string("q"))
        #expect(try hclEval("o[\"x\"].y.1", vars) == .string("q"))
        #expect(try hclEval("l[*].name", vars) == .list([.string("a"), .string("b")]))
        #expect(try hclEval("l.*.id", vars) == .list([.number(1), .number(2)]))
        #expect(try hclEval("null[*].a") == .list([]))
        #expect(try hclEval("o.x[*].y", vars) == .list([.list([.string("p"), .string("q")])]))
        #expect(try hclEval("l[5]", vars) == .unknown)
        #expect(try hclEval("o.nope", vars) == .unknown)
        guard case .splat(_, let full, let each, _) = try hclExpr("a[*].b[0]") else {
            Issue.record("not a splat")
            return
        }
        #expect(full && each.count == 2)
        guard case .traversal(.splat(_, false, let each2, _), let after, _) = try hclExpr("a.*.b[0]") else {
            Issue.record("attribute-only splat should stop before [0]")
            return
        }
        #expect(each2.count == 1 && after.count == 1)
    }

    @Test func commentsInOddPlaces() throws {
        let src = """
            # leading comment
            target /* between type and label */ "app" /* after label */ { // trailing
              cache-from = [ # inside list
                "a", // after element
                /* before element */ "b",
              ] # after list
              x = 1 /* trailing block comment */
            }
            // eof comment without newline
            """
        let body = try hclBody(src)
        let t = try #require(body.blocks.first)
        #expect(t.type == "target" && t.labels.map(\.value) == ["app"])
        let cf = try #require(t.body.attribute("cache-from"))
        #expect(HCLEvaluator().evaluate(cf.expr) == .list([.string("a"), .string("b")]))
        #expect(t.body.attributes.count == 2)
    }

    @Test func variableReferences() throws {
        let e = try hclExpr("\"${A}-${[for x in L : x if x != B]}-${f(C.d)}\"")
        #expect(e.variableReferences.map(\.name) == ["A", "L", "B", "C"])
    }

    @Test func singleLineBlocksAndLabels() throws {
        let body = try hclBody("group \"default\" { targets = [\"a\"] }\nblk ident \"s\" {}\n")
        #expect(body.blocks.count == 2)
        #expect(body.blocks[1].labels.map(\.value) == ["ident", "s"])
        #expect(body.blocks[0].body.attributes.first?.name == "targets")
    }
}

// MARK: - Positions

@Suite struct HCLPositionTests {
    @Test func attributeAndElementPositions() throws {
        let src = "variable \"V\" {\n  default = \"x\"\n}\n\ntarget \"é\" {\n  cache-from = [\"type=gha\", \"${V}\"]\n}\n"
        let text = SourceText(src)
        let body = try HCLParser.parse(text)
        let t = body.blocks[1]
        #expect(t.span.start == SourcePosition(line: 5, column: 1, offset: 34))
        #expect(t.labels[0].span.start.column == 8 && t.labels[0].span.end.column == 12)  // "é" is 2 bytes + quotes
        let a = try #require(t.body.attribute("cache-from"))
        #expect(a.nameSpan.start == SourcePosition(line: 6, column: 3, offset: 50))
        #expect(hclSlice(text, a.nameSpan) == "cache-from")
        #expect(hclSlice(text, a.span) == "cache-from = [\"type=gha\", \"${V}\"]")
        guard case .tuple(let items, _) = a.expr else { Issue.record("not a tuple"); return }
        #expect(items[0].span.start.line == 6 && items[0].span.start.column == 17)
        #expect(hclSlice(text, items[0].span) == "\"type=gha\"")
        #expect(hclSlice(text, items[1].span) == "\"${V}\"")
        guard case .template(let parts, _) = items[1], case .interpolation(let v, let ps) = parts[0] else {
            Issue.record("not a template")
            return
        }
        #expect(hclSlice(text, ps) == "${V}")
        #expect(v.span.start.column == 32 && hclSlice(text, v.span) == "V")
        for p in [t.span.start, t.span.end, a.span.end, v.span.end] { #expect(hclPositionIsValid(p, in: text)) }
    }

    @Test func bodySpansAndBOM() throws {
        let text = SourceText([0xEF, 0xBB, 0xBF] + Array("a = 1\n".utf8))
        let body = try HCLParser.parse(text)
        #expect(text.hadBOM)
        #expect(body.attributes[0].nameSpan.start == SourcePosition(line: 1, column: 1, offset: 0))
    }

    @Test func jsonTemplateSpansAreTheStringSpan() throws {
        let span = SourceSpan(start: SourcePosition(line: 3, column: 7, offset: 40), end: SourcePosition(line: 3, column: 20, offset: 53))
        let e = try HCLParser.parseTemplate("scope=${A}\\x", span: span)
        #expect(e.span == span)
        #expect(HCLEvaluator(variables: ["A": .string("z")]).evaluate(e) == .string("scope=z\\x"))
        do {
            _ = try HCLParser.parseTemplate("x${", span: span)
            Issue.record("expected an error")
        } catch {
            #expect(error.position == span.start)
        }
    }
}

// MARK: - Malformed input

private let hclMalformedCases: [(name: String, input: [UInt8], line: Int?)] = {
    func s(_ name: String, _ text: String, line: Int? = nil) -> (String, [UInt8], Int?) { (name, Array(text.utf8), line) }
    var cases: [(String, [UInt8], Int?)] = [
        s("unterminated string", "a = \"abc", line: 1),
        s("string across lines", "a = 1\nb = \"abc\ndef\"\n", line: 2),
        s("unterminated heredoc", "a = <<EOT\nabc\n", line: 1),
        s("heredoc marker not followed by newline", "a = <<EOT abc\nEOT\n"),
        s("heredoc without marker", "a = <<\nEOT\n"),
        s("unterminated block comment", "a = 1\n/* abc\n", line: 2),
        s("unterminated interpolation", "a = \"${b", line: 1),
        s("unterminated interpolation with string", "a = \"${b\"\n"),
        s("unterminated directive", "a = \"%{ if true }x\"", line: 1),
        s("stray endif", "a = \"%{ endif }\""),
        s("stray token after value", "a = 1 2\n", line: 1),
        s("missing equals", "target \"x\" {\n  cache-from [\"a\"]\n}\n", line: 2),
        s("colon at body level", "a : 1\n"),
        s("unbalanced bracket", "a = [1, 2\n", line: 1),
        s("unbalanced paren", "a = (1 + 2\n"),
        s("unbalanced brace", "a = {b = 1\n"),
        s("unclosed block", "target \"x\" {\n  a = 1\n", line: 1),
        s("stray closing brace", "}\n"),
        s("bad number exponent", "a = 1e\n"),
        s("hex number", "a = 0x1F\n"),
        s("digits then letters", "a = 08x\n"),
        s("invalid escape", "a = \"\\q\"\n"),
        s("short unicode escape", "a = \"\\u12\"\n"),
        s("missing comma in list", "a = [1 2]\n"),
        s("missing separator in object", "a = {b = 1 c = 2}\n"),
        s("double comma in call", "a = f(1,,2)\n"),
        s("dot without name", "a = b.\n"),
        s("missing operand", "a = 1 +\n"),
        s("conditional without colon", "a = x ? y\n"),
        s("single ampersand", "a = x & y\n"),
        s("tilde", "a = ~\n"),
        s("for without colon", "a = [for x in y]\n"),
        s("grouping in tuple for", "a = [for x in y : x...]\n"),
        s("label with interpolation", "target \"${x}\" {}\n"),
        s("string as body item", "\"label\" {}\n"),
        s("ellipsis not last", "a = f(x..., y)\n"),
        s("value missing at eof", "a ="),
        s("NUL byte", "a = 1\u{0}\n", line: 1),
        s("NUL in string", "a = \"x\u{0}y\"\n"),
        s("nested blocks 5000 deep", String(repeating: "a {\n", count: 5000)),
        s("brackets 5000 deep", "a = " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)),
        s("parens 5000 deep", "a = " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)),
        s("objects 5000 deep", "a = " + String(repeating: "{b = ", count: 5000) + "1" + String(repeating: "}", count: 5000)),
        s("unary 5000 deep", "a = " + String(repeating: "!", count: 5000) + "true"),
        s("templates 5000 deep", "a = " + String(repeating: "\"${", count: 5000) + "1" + String(repeating: "}\"", count: 5000)),
        s("operator chain 5000 long", "a = " + Array(repeating: "1", count: 5000).joined(separator: " + ")),
        s("1 MB unterminated string", "a = \"" + String(repeating: "x", count: 1 << 20), line: 1),
        s("1 MB line of garbage", String(repeating: "a", count: 1 << 20) + " \u{7}"),
    ]
    cases.append(("invalid UTF-8", Array("a = \"".utf8) + [0xFF, 0xFE] + Array("\"\n".utf8), 1))
    cases.append(("truncated UTF-8", Array("a = \"x".utf8) + [0xE2, 0x82], 1))
    cases.append(("surrogate in UTF-8", Array("a = \"".utf8) + [0xED, 0xA0, 0x80] + Array("\"".utf8), 1))
    return cases.map { (name: $0.0, input: $0.1, line: $0.2) }
}()

@Suite struct HCLMalformedTests {
    @Test(arguments: hclMalformedCases.indices)
    func malformedInputFailsCleanly(_ index: Int) {
        let c = hclMalformedCases[index]
        let clock = ContinuousClock()
        var err: HCLError?
        let elapsed = clock.measure { err = hclParseError(bytes: c.input) }
        guard let err else {
            Issue.record("\(c.name): no error")
            return
        }
        #expect(!err.message.isEmpty, "\(c.name)")
        #expect(hclPositionIsValid(err.position, in: SourceText(c.input)), "\(c.name): bad position \(err.position)")
        if let line = c.line { #expect(err.position.line == line, "\(c.name): \(err)") }
        #expect(elapsed < .milliseconds(500), "\(c.name) took \(elapsed)")
    }

    @Test func specificMessagesAndPositions() {
        #expect(hclParseError("a = \"abc")?.position == SourcePosition(line: 1, column: 5, offset: 4))
        #expect(hclParseError("x = 1\ntarget \"x\" {\n  a = 1\n")?.position.line == 2)
        #expect(hclParseError("a = [1, 2\n")?.message.contains("']'") == true)
        #expect(hclParseError("a = 1 2\n")?.position.column == 7)
        #expect(hclParseError("t {\n  cache-from [\"a\"]\n}\n")?.position == SourcePosition(line: 2, column: 14, offset: 17))
        #expect(hclParseError("a = \"\u{0}\"")?.message.contains("NUL") == true)
        #expect(hclParseError(bytes: Array("ab = \"".utf8) + [0xC3])?.position.column == 7)
        let deep = hclParseError("a = " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000))
        #expect(deep?.message.contains("nesting") == true)
    }

    @Test func largeValidInputIsLinear() throws {
        // A 1 MB single-line string and a 20,000-element list parse quickly.
        let big = "a = \"" + String(repeating: "x", count: 1 << 20) + "\"\n"
        let list = "b = [" + Array(repeating: "\"item\"", count: 20_000).joined(separator: ", ") + "]\n"
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            let body = try hclBody(big + list)
            #expect(body.attributes.count == 2)
        }
        #expect(elapsed < .seconds(2))
    }

    @Test func deepButAllowedNestingEvaluates() throws {
        // 120 levels is within the limits; evaluation must not overflow the stack.
        let src = "a = " + String(repeating: "[", count: 120) + "1" + String(repeating: "]", count: 120)
        let e = try hclAttrExpr(src)
        var v = HCLEvaluator().evaluate(e)
        var depth = 0
        while case .list(let l) = v, let f = l.first { v = f; depth += 1 }
        #expect(depth == 120 && v == .number(1))
        let chain = "a = " + Array(repeating: "1", count: 300).joined(separator: " + ")
        #expect(HCLEvaluator().evaluate(try hclAttrExpr(chain)) == .number(300))
    }
}

// MARK: - Standard library

private let hclStdlibCases: [(String, HCLValue)] = [
    (#"replace("a-b-c", "-", "_")"#, .string("a_b_c")),
    (#"replace("ab", "", "-")"#, .string("-a-b-")),
    (#"lower("AbC")"#, .string("abc")),
    (#"upper("AbC")"#, .string("ABC")),
    (#"join(",", ["a", "b"], ["c"])"#, .string("a,b,c")),
    (#"split(",", "a,,b")"#, .list([.string("a"), .string(""), .string("b")])),
    (#"format("%s-%d-%v-%05.1f-%q-%t", "x", 42, "y", 3.14159, "q", true)"#, .string("x-42-y-003.1-\"q\"-true")),
    (#"format("%[2]s %[1]s %%", "a", "b")"#, .string("b a %")),
    (#"format("%-4s|%4s|%x", "a", "b", 255)"#, .string("a   |   b|ff")),
    (#"format("%d", 1.5)"#, .unknown),
    (#"format("%s %s", "only-one")"#, .unknown),
    (#"formatlist("%s=%s", ["a", "b"], "v")"#, .list([.string("a=v"), .string("b=v")])),
    (#"formatlist("%s-%s", ["a", "b"], ["1", "2"])"#, .list([.string("a-1"), .string("b-2")])),
    (#"trimprefix("linux/amd64", "linux/")"#, .string("amd64")),
    (#"trimsuffix("a.tar.gz", ".gz")"#, .string("a.tar")),
    (#"trimspace("  x \n")"#, .string("x")),
    (#"trim("?!hello?!", "!?")"#, .string("hello")),
    (#"substr("hello world", 1, 4)"#, .string("ello")),
    (#"substr("hello", -3, -1)"#, .string("llo")),
    (#"equal("a", "a")"#, .bool(true)),
    (#"notequal("", "x")"#, .bool(true)),
    (#"and(true, false)"#, .bool(false)),
    (#"or(false, true)"#, .bool(true)),
    (#"not(false)"#, .bool(true)),
    (#"sanitize("linux/arm/v7 x.y")"#, .string("linux_arm_v7_x_y")),
    (#"sanitize("a-b_C9")"#, .string("a-b_C9")),
    (#"indexof(["a", "b", "c"], "b")"#, .number(1)),
    (#"indexof(["a"], "z")"#, .unknown),
    (#"concat(["a"], [], ["b", "c"])"#, .list([.string("a"), .string("b"), .string("c")])),
    (#"coalesce(null, "", "x")"#, .string("")),
    (#"coalesce(null, "x")"#, .string("x")),
    (#"coalesce(null, 1, "a")"#, .string("1")),
    (#"length("héllo")"#, .number(5)),
    (#"length([1, 2])"#, .number(2)),
    (#"length({a = 1})"#, .number(1)),
    (#"contains(["a", "b"], "b")"#, .bool(true)),
    (#"contains(["a"], "z")"#, .bool(false)),
    (#"element(["a", "b", "c"], 4)"#, .string("b")),
    (#"element(["a", "b", "c"], -1)"#, .string("c")),
    (#"lookup({a = "x"}, "a", "d")"#, .string("x")),
    (#"lookup({a = "x"}, "b", "d")"#, .string("d")),
    (#"lookup({a = "x"}, "b")"#, .unknown),
    (#"merge({a = 1, b = 2}, null, {b = 3})"#, .object(["a": .number(1), "b": .number(3)])),
    (#"distinct(["a", "b", "a"])"#, .list([.string("a"), .string("b")])),
    (#"flatten([["a", ["b"]], [], "c"])"#, .list([.string("a"), .string("b"), .string("c")])),
    (#"regex_replace("a.b", "\\.", "-")"#, .unknown),
    (#"regex_replace("a-b", "-", "_")"#, .string("a_b")),
    (#"timestamp()"#, .unknown),
    (#"formatdate("YYYY", timestamp())"#, .unknown),
    (#"md5("Dockerfile")"#, .string("3254677a7917c6c01f55212f86c57fbf")),
    (#"sha256("abc")"#, .string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")),
    (#"base64encode("hello")"#, .string("aGVsbG8=")),
    (#"base64decode("aGVsbG8=")"#, .string("hello")),
    (#"jsonencode({b = [1, "x"], a = null})"#, .string(#"{"a":null,"b":[1,"x"]}"#)),
    (#"keys({b = 1, a = 2})"#, .list([.string("a"), .string("b")])),
    (#"values({b = 1, a = 2})"#, .list([.number(2), .number(1)])),
    (#"max(1, 5, 3)"#, .number(5)),
    (#"min(4, 2)"#, .number(2)),
    (#"range(3)"#, .list([.number(0), .number(1), .number(2)])),
    (#"reverselist([1, 2])"#, .list([.number(2), .number(1)])),
    (#"slice(["a", "b", "c"], 1, 3)"#, .list([.string("b"), .string("c")])),
    (#"sort(["b", "a"])"#, .list([.string("a"), .string("b")])),
    (#"zipmap(["a"], [1])"#, .object(["a": .number(1)])),
    (#"compact(["a", "", null])"#, .list([.string("a")])),
    (#"title("hello world")"#, .string("Hello World")),
    (#"basename("/a/b/c.txt")"#, .string("c.txt")),
    (#"dirname("/a/b/c.txt")"#, .string("/a/b")),
    (#"try(nosuchvar, "fallback")"#, .string("fallback")),
    (#"can(nosuchvar)"#, .unknown),
    (#"can("x")"#, .bool(true)),
    (#"no_such_function(1)"#, .unknown),
    (#"upper(1)"#, .string("1")),
    (#"upper(["x"])"#, .unknown),
    (#"join(",", ["a", null])"#, .unknown),
    (#"chomp("x\n\n")"#, .string("x")),
    (#"parseint("ff", 16)"#, .number(255)),
    (#"split(",", u)"#, .unknown),
]

@Suite struct HCLStdlibTests {
    @Test(arguments: hclStdlibCases.indices)
    func builtin(_ i: Int) throws {
        let (src, want) = hclStdlibCases[i]
        #expect(try hclEval(src) == want, "\(src)")
    }

    @Test func userFunctionsAndRecursionGuard() throws {
        let body = try hclBody("""
            a = f("x")
            b = rec(1)
            c = v("p", "q", "r")
            """)
        let fns: [String: HCLUserFunction] = [
            "f": HCLUserFunction(name: "f", params: ["s"], result: try hclExpr("\"${s}-${G}\"")),
            "rec": HCLUserFunction(name: "rec", params: ["n"], result: try hclExpr("rec(n + 1)")),
            "v": HCLUserFunction(name: "v", params: ["first"], variadicParam: "rest", result: try hclExpr("join(\",\", concat([first], rest))")),
        ]
        let ev = HCLEvaluator(variables: ["G": .string("g")], functions: fns)
        #expect(ev.evaluate(body.attributes[0].expr) == .string("x-g"))
        #expect(ev.evaluate(body.attributes[1].expr) == .unknown)
        #expect(ev.evaluate(body.attributes[2].expr) == .string("p,q,r"))
        // Stdlib names cannot be shadowed (buildx resolves the library first).
        let shadow = HCLEvaluator(functions: ["upper": HCLUserFunction(name: "upper", params: ["x"], result: try hclExpr("\"no\""))])
        #expect(shadow.evaluate(try hclExpr("upper(\"a\")")) == .string("A"))
    }

    @Test func budgetStopsExponentialWork() throws {
        let src = "[for a in range(1000) : [for b in range(1000) : [for c in range(1000) : 1]]]"
        let clock = ContinuousClock()
        let budget = HCLEvalBudget(steps: 200_000)
        var v: HCLValue = .null
        let t = clock.measure { v = HCLEvaluator(budget: budget).evaluate(try! hclExpr(src)) }
        #expect(v == .unknown && budget.exhausted)
        #expect(t < .seconds(2))
        // Doubling strings is capped.
        var vars: [String: HCLValue] = ["s": .string(String(repeating: "x", count: 1 << 21))]
        vars["t"] = HCLEvaluator(variables: vars).evaluate(try hclExpr("\"${s}${s}${s}\""))
        #expect(vars["t"] == .unknown)
    }

    @Test func deepEvaluationStaysWithinTheStack() throws {
        // 16 chained user functions, each wrapping the next call in 120 parentheses: nesting far
        // beyond the evaluator's depth limit, which must turn into `.unknown`, not a crash.
        var fns: [String: HCLUserFunction] = [:]
        for i in 0..<16 {
            let inner = i == 15 ? "x" : "f\(i + 1)(x)"
            let src = String(repeating: "(", count: 120) + inner + " + 1" + String(repeating: ")", count: 120)
            fns["f\(i)"] = HCLUserFunction(name: "f\(i)", params: ["x"], result: try hclExpr(src))
        }
        let v = HCLEvaluator(functions: fns).evaluate(try hclExpr("f0(1)"))
        #expect(v == .unknown)
        // Within the limit the same shape evaluates.
        var small: [String: HCLUserFunction] = [:]
        for i in 0..<4 {
            let inner = i == 3 ? "x" : "g\(i + 1)(x)"
            small["g\(i)"] = HCLUserFunction(name: "g\(i)", params: ["x"], result: try hclExpr("((\(inner) + 1))"))
        }
        #expect(HCLEvaluator(functions: small).evaluate(try hclExpr("g0(1)")) == .number(5))
    }

    @Test func partialRendering() throws {
        let ev = HCLEvaluator(variables: ["k": .string("known")])
        #expect(ev.renderPartial(try hclExpr("\"type=gha,scope=${k}-${nope(1)}\"")) == "type=gha,scope=known-\u{FFFC}")
        #expect(ev.renderPartial(try hclExpr("\"x\""), marker: "?") == "x")
        #expect(ev.renderPartial(try hclExpr("u ? \"a\" : \"b\"")) == nil)
    }
}

// MARK: - Real files

@Suite struct HCLRealFileTests {
    @Test func everyRealBakeFileParses() throws {
        let files = hclRealBakeFiles(extension: "hcl")
        guard hclSharedDir != nil else { return }  // shared material absent: nothing to check
        #expect(!files.isEmpty)
        for u in files {
            let text = SourceText(Array(try Data(contentsOf: u)))
            let clock = ContinuousClock()
            var body: HCLBody?
            let t = clock.measure { body = try? HCLParser.parse(text) }
            do {
                _ = try HCLParser.parse(text)
            } catch {
                Issue.record("\(u.path): \(error)")
            }
            #expect((body?.blocks.count ?? 0) > 0, "\(u.lastPathComponent)")
            #expect(t < .milliseconds(200), "\(u.path) took \(t)")
        }
    }
}
