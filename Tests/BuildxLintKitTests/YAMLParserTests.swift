import Testing

@testable import BuildxLintKit

// MARK: Helpers

private func parseYAML(_ s: String, limits: YAMLLimits = .default) throws -> (SourceText, YAMLFile) {
    let text = SourceText(s)
    return (text, try YAMLParser.parse(text, limits: limits))
}

/// The source text a span covers.
private func sourceSlice(_ text: SourceText, _ span: SourceSpan) -> String {
    String(decoding: text.bytes[span.start.offset..<span.end.offset], as: UTF8.self)
}

/// Checks that a position's offset agrees with its line and column.
private func isConsistentPosition(_ text: SourceText, _ p: SourcePosition) -> Bool {
    p.line >= 1 && p.line <= text.lineCount && text.lineStarts[p.line - 1] + p.column - 1 == p.offset
}

/// Counts nodes reachable without following aliases (an alias counts as one node).
private func countNodesWithoutAliases(_ root: YAMLNode) -> Int {
    var stack = [root]
    var count = 0
    while let n = stack.popLast() {
        count += 1
        switch n.kind {
        case .mapping(let pairs):
            for p in pairs {
                stack.append(p.key)
                stack.append(p.value)
            }
        case .sequence(let items): stack.append(contentsOf: items)
        case .scalar, .alias: break
        }
    }
    return count
}

/// Every node of the tree (not following aliases), for invariant checks.
private func allYAMLNodes(_ root: YAMLNode) -> [YAMLNode] {
    var stack = [root]
    var out: [YAMLNode] = []
    while let n = stack.popLast() {
        out.append(n)
        switch n.kind {
        case .mapping(let pairs):
            for p in pairs {
                stack.append(p.key)
                stack.append(p.value)
            }
        case .sequence(let items): stack.append(contentsOf: items)
        case .scalar, .alias: break
        }
    }
    return out
}

private func yamlParseError(_ s: String, limits: YAMLLimits = .default) -> YAMLError? {
    yamlParseError(bytes: Array(s.utf8), limits: limits)
}

private func yamlParseError(bytes: [UInt8], limits: YAMLLimits = .default) -> YAMLError? {
    do {
        _ = try YAMLParser.parse(SourceText(bytes), limits: limits)
        return nil
    } catch {
        return error
    }
}

/// Checks the invariants of `valueOffsets` and that every non-separator value byte maps to an
/// identical source byte (true for values without escapes, `''` or folding spaces).
private func yamlOffsetsMatchSource(_ node: YAMLNode, _ text: SourceText) -> Bool {
    let offsets = node.valueOffsets(in: text)
    let v = Array(node.scalar!.utf8)
    guard offsets.count == v.count + 1 else { return false }
    for k in 0..<v.count {
        if offsets[k + 1] < offsets[k] { return false }
        let o = offsets[k]
        guard o < text.bytes.count else { return false }
        if v[k] == 0x0A {
            if text.bytes[o] != 0x0A && text.bytes[o] != 0x0D { return false }
        } else if text.bytes[o] != v[k] {
            return false
        }
    }
    return true
}

private func isValidYAMLOffsets(_ node: YAMLNode, _ text: SourceText) -> Bool {
    let offsets = node.valueOffsets(in: text)
    guard let s = node.scalar, offsets.count == s.utf8.count + 1 else { return false }
    for k in 0..<offsets.count {
        if offsets[k] < 0 || offsets[k] > text.bytes.count { return false }
        if k > 0, offsets[k] < offsets[k - 1] { return false }
    }
    return true
}

// MARK: Positions

@Test func positionsOfKeysScalarsAndNestedSequences() throws {
    let src = """
        name: CI
        on:
          push:
            branches: [main, dev]
        jobs:
          build:
            steps:
              - uses: actions/checkout@v4
              - run: echo hi

        """
    let (text, file) = try parseYAML(src)
    let root = try #require(file.root)
    #expect(root.collectionStyle == .block)
    #expect(root.span.start == SourcePosition(line: 1, column: 1, offset: 0))

    let name = try #require(root.pair("name"))
    #expect(name.key.span.start == SourcePosition(line: 1, column: 1, offset: 0))
    #expect(name.key.span.end == SourcePosition(line: 1, column: 5, offset: 4))
    #expect(name.value.span.start == SourcePosition(line: 1, column: 7, offset: 6))
    #expect(name.value.span.end == SourcePosition(line: 1, column: 9, offset: 8))
    #expect(name.value.scalar == "CI")

    let branches = try #require(root["on"]?["push"]?["branches"])
    #expect(branches.collectionStyle == .flow)
    #expect(branches.span.start == SourcePosition(line: 4, column: 15, offset: 35))
    #expect(branches.span.end == SourcePosition(line: 4, column: 26, offset: 46))
    #expect(sourceSlice(text, branches.span) == "[main, dev]")
    let items = try #require(branches.items)
    #expect(items.map(\.scalar) == ["main", "dev"])
    #expect(items[0].span.start == SourcePosition(line: 4, column: 16, offset: 36))
    #expect(items[1].span.start == SourcePosition(line: 4, column: 22, offset: 42))
    #expect(items[1].span.end == SourcePosition(line: 4, column: 25, offset: 45))

    let steps = try #require(root["jobs"]?["build"]?["steps"])
    #expect(steps.collectionStyle == .block)
    #expect(steps.span.start.line == 8 && steps.span.start.column == 7)
    // A block collection ends with its last child, not at the next token.
    #expect(steps.span.end.line == 9 && steps.span.end.column == 21)
    let step2 = try #require(steps.items?[1])
    #expect(step2.span.start.line == 9 && step2.span.start.column == 9)
    let run = try #require(step2.pair("run"))
    #expect(run.key.span.start == SourcePosition(line: 9, column: 9, offset: text.lineStarts[8] + 8))
    #expect(sourceSlice(text, run.value.span) == "echo hi")
    #expect(root.span.end == run.value.span.end)

    for n in allYAMLNodes(root) {
        #expect(isConsistentPosition(text, n.span.start) && isConsistentPosition(text, n.span.end))
        #expect(isConsistentPosition(text, n.valueSpan.start) && isConsistentPosition(text, n.valueSpan.end))
    }
}

@Test func utf8ByteColumns() throws {
    let src = "名前: \"é😀\"\né😀: v\nk: [é, 😀, x]\n"
    let (text, file) = try parseYAML(src)
    let root = try #require(file.root)
    let first = try #require(root.pair("名前"))
    #expect(first.key.span.end == SourcePosition(line: 1, column: 7, offset: 6))
    #expect(first.value.span.start == SourcePosition(line: 1, column: 9, offset: 8))
    #expect(first.value.scalar == "é😀")
    #expect(sourceSlice(text, first.value.span) == "\"é😀\"")
    let second = try #require(root.pair("é😀"))
    #expect(second.key.span.start.line == 2 && second.key.span.end.column == 7)
    #expect(second.value.span.start == SourcePosition(line: 2, column: 9, offset: text.lineStarts[1] + 8))
    let items = try #require(root["k"]?.items)
    #expect(sourceSlice(text, items[0].span) == "é")
    #expect(sourceSlice(text, items[1].span) == "😀")
    #expect(sourceSlice(text, items[2].span) == "x")
    #expect(items[2].span.start.column == 15)
    for n in allYAMLNodes(root) {
        #expect(isConsistentPosition(text, n.span.start) && isConsistentPosition(text, n.span.end))
    }
}

@Test func crlfPositions() throws {
    let src = "a:\r\n  b: 1\r\n  c: |\r\n    x\r\n    y\r\n  d: \"q\"\r\n"
    let (text, file) = try parseYAML(src)
    let a = try #require(file.root?["a"])
    let b = try #require(a.pair("b"))
    #expect(b.key.span.start == SourcePosition(line: 2, column: 3, offset: 6))
    #expect(b.value.span.start == SourcePosition(line: 2, column: 6, offset: 9))
    let c = try #require(a["c"])
    #expect(c.scalar == "x\ny\n")
    #expect(c.span.start == SourcePosition(line: 3, column: 6, offset: 17))
    #expect(c.span.end.line == 5 && sourceSlice(text, c.span) == "|\r\n    x\r\n    y")
    let d = try #require(a.pair("d"))
    #expect(d.value.span.start.line == 6 && d.value.span.start.column == 6)
    #expect(sourceSlice(text, d.value.span) == "\"q\"")
}

@Test func bomIsStrippedAndLineOneColumnsAreRight() throws {
    let text = SourceText([0xEF, 0xBB, 0xBF] + Array("a: b\nc: d\n".utf8))
    #expect(text.hadBOM)
    let file = try YAMLParser.parse(text)
    let a = try #require(file.root?.pair("a"))
    #expect(a.key.span.start == SourcePosition(line: 1, column: 1, offset: 0))
    #expect(a.value.span.start == SourcePosition(line: 1, column: 4, offset: 3))
    #expect(file.root?.pair("c")?.key.span.start == SourcePosition(line: 2, column: 1, offset: 5))
}

@Test func lineBreakVariantsAgreeWithLineTable() throws {
    // CR alone, NEL, LS: libyaml counts them as line breaks, like SourceText.
    let src = "a: 1\rb: 2\u{85}c: 3\u{2028}d: é\n"
    let (text, file) = try parseYAML(src)
    let root = try #require(file.root)
    #expect(root.pair("b")?.key.span.start.line == 2)
    #expect(root.pair("c")?.key.span.start.line == 3)
    let d = try #require(root.pair("d"))
    #expect(d.key.span.start.line == 4 && d.key.span.start.column == 1)
    #expect(sourceSlice(text, d.value.span) == "é")
}

// MARK: Styles

@Test func scalarAndCollectionStyles() throws {
    let src = """
        p: plain
        s: 'single'
        d: "double"
        l: |
          literal
        f: >
          folded
        fm: {a: 1}
        fs: [1]
        bs:
          - 1
        e:

        """
    let (text, file) = try parseYAML(src)
    let root = try #require(file.root)
    #expect(root["p"]?.scalarStyle == .plain)
    #expect(root["s"]?.scalarStyle == .singleQuoted)
    #expect(root["d"]?.scalarStyle == .doubleQuoted)
    #expect(root["l"]?.scalarStyle == .literal)
    #expect(root["l"]?.scalar == "literal\n")
    #expect(root["f"]?.scalarStyle == .folded)
    #expect(root["fm"]?.collectionStyle == .flow)
    #expect(root["fs"]?.collectionStyle == .flow)
    #expect(root["bs"]?.collectionStyle == .block)
    #expect(root.collectionStyle == .block)
    #expect(root["p"]?.collectionStyle == nil)
    // A missing value is an empty plain scalar right after the colon.
    let e = try #require(root.pair("e"))
    #expect(e.value.scalar == "" && e.value.scalarStyle == .plain)
    #expect(e.value.span.start == e.key.span.end.yamlTestAdvanced(1, text))
    // Block scalars start at the indicator and end after their last content byte.
    #expect(sourceSlice(text, try #require(root["l"]).span) == "|\n  literal")
}

extension SourcePosition {
    fileprivate func yamlTestAdvanced(_ bytes: Int, _ text: SourceText) -> SourcePosition {
        text.position(ofOffset: offset + bytes)
    }
}

@Test func tagsAndValueSpans() throws {
    let src = "a: !!str &x 12\nb: &y !custom\n  k: v\nc: *x\nd: !<tag:x> [1]\ne: &z\nf: 1\n"
    let (text, file) = try parseYAML(src)
    let root = try #require(file.root)
    let a = try #require(root["a"])
    #expect(a.tag == "tag:yaml.org,2002:str" && a.anchor == "x")
    #expect(sourceSlice(text, a.span) == "!!str &x 12")
    #expect(sourceSlice(text, a.valueSpan) == "12")
    let b = try #require(root["b"])
    #expect(b.anchor == "y" && b.tag == "!custom")
    #expect(b.span.start.line == 2 && b.span.start.column == 4)
    #expect(b.valueSpan.start.line == 3 && b.valueSpan.start.column == 3)
    let d = try #require(root["d"])
    #expect(d.tag == "tag:x" && sourceSlice(text, d.valueSpan) == "[1]")
    // Anchor on an empty value: the value span is empty, just after the anchor.
    let e = try #require(root["e"])
    #expect(e.scalar == "" && e.anchor == "z")
    #expect(sourceSlice(text, e.span) == "&z" && e.valueSpan.start == e.span.end)
    let c = try #require(root.pair("c"))
    #expect(c.value.aliasTarget === a)
}

// MARK: Anchors and aliases

@Test func anchorsAliasesAndMergeKeys() throws {
    let src = """
        base: &b
          x: 1
          y: 2
        ref: *b
        m:
          <<: *b
          y: 3
        u: *nope

        """
    let (text, file) = try parseYAML(src)
    let root = try #require(file.root)
    let base = try #require(root["base"])
    #expect(base.anchor == "b")
    #expect(base.span.start == SourcePosition(line: 1, column: 7, offset: 6))
    #expect(base.valueSpan.start.line == 2 && base.valueSpan.start.column == 3)

    let ref = try #require(root["ref"])
    guard case .alias(let name) = ref.kind else {
        Issue.record("expected alias")
        return
    }
    #expect(name == "b")
    #expect(ref.aliasTarget === base)
    #expect(ref.resolved === base)
    #expect(ref.span.start == SourcePosition(line: 4, column: 6, offset: text.lineStarts[3] + 5))
    #expect(sourceSlice(text, ref.span) == "*b")
    #expect(ref["x"]?.scalar == "1")

    let m = try #require(root["m"])
    let pairs = try #require(m.pairs)
    #expect(pairs.map { $0.key.scalar } == ["y", "x"])
    #expect(m["y"]?.scalar == "3")
    #expect(m["x"]?.scalar == "1")

    let u = try #require(root["u"])
    #expect(u.aliasTarget == nil)
    let undefined = file.warnings.filter { $0.kind == .undefinedAlias }
    #expect(undefined.count == 1)
    #expect(undefined.first?.message == "undefined alias `*nope`")
    #expect(undefined.first?.span.start.line == 8)
    #expect(file.warnings.count == 1)
}

@Test func selfReferenceIsNotResolved() throws {
    let (_, file) = try parseYAML("a: &s [1, *s]\nb: *s\n")
    let root = try #require(file.root)
    let inner = try #require(root["a"]?.items?[1])
    #expect(inner.aliasTarget == nil)
    #expect(root.pair("b")?.value.aliasTarget === root["a"])
    #expect(file.warnings.count == 1 && file.warnings[0].kind == .undefinedAlias)
    #expect(file.warnings[0].span.start.column == 11)
}

@Test func aliasesUseMostRecentAnchorAndAreScopedToTheirDocument() throws {
    let (_, file) = try parseYAML("a: &x 1\nb: &x 2\nc: *x\n---\nd: *x\n")
    #expect(file.documents.count == 2)
    #expect(file.documents[0]["c"]?.scalar == "2")
    #expect(file.documents[1]["d"]?.aliasTarget == nil)
    #expect(file.warnings.count == 1)
}

// MARK: Duplicate keys

@Test func duplicateKeysAreKeptAndReported() throws {
    let (text, file) = try parseYAML("a: 1\nb: 2\na: 3\n")
    let root = try #require(file.root)
    guard case .mapping(let pairs) = root.kind else {
        Issue.record("expected mapping")
        return
    }
    #expect(pairs.count == 3)
    #expect(root["a"]?.scalar == "3")
    #expect(file.warnings.count == 1)
    let w = file.warnings[0]
    #expect(w.kind == .duplicateKey)
    #expect(w.message == "duplicate key `a` (first defined at line 1)")
    #expect(w.span.start == SourcePosition(line: 3, column: 1, offset: 10))
    #expect(sourceSlice(text, w.span) == "a")
}

@Test func duplicateKeysThroughAliasesStylesAndLargeMappings() throws {
    var src = "k: &k x\nx: 1\n*k : 2\n'k': 3\n"
    // A large mapping switches to the hashed key set.
    for i in 0..<40 { src += "key\(i): \(i)\n" }
    src += "key7: again\nkey39: again\n"
    let (_, file) = try parseYAML(src)
    let messages = file.warnings.map(\.message)
    #expect(
        messages == [
            "duplicate key `x` (first defined at line 2)",
            "duplicate key `k` (first defined at line 1)",
            "duplicate key `key7` (first defined at line 12)",
            "duplicate key `key39` (first defined at line 44)",
        ])
    // Keys of different mappings never clash.
    let (_, other) = try parseYAML("a:\n  x: 1\nb:\n  x: 2\n")
    #expect(other.warnings.isEmpty)
}

// MARK: Hostile input

@Test func billionLaughsDoesNotExpand() throws {
    var src = "l0: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    for level in 1...12 {
        let refs = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ",")
        src += "l\(level): &l\(level) [\(refs)]\n"
    }
    let clock = ContinuousClock()
    let start = clock.now
    let (_, file) = try parseYAML(src)
    let root = try #require(file.root)
    // A naive walk through aliases would visit 10^12 nodes; also exercise lookups.
    #expect(root["l12"]?.items?.count == 10)
    #expect(root.pair("missing") == nil)
    #expect(clock.now - start < .seconds(1))
    #expect(countNodesWithoutAliases(root) < 300)
    #expect(root["l12"]?.items?[0].aliasTarget === root["l11"])
}

@Test func aliasAsMappingKeyBombIsFast() throws {
    var src = "l0: &l0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n"
    for level in 1...14 {
        let pairs = (0..<10).map { "*l\(level - 1) : \($0)" }.joined(separator: ", ")
        src += "l\(level): &l\(level) {\(pairs)}\n"
    }
    let clock = ContinuousClock()
    let start = clock.now
    let (_, file) = try parseYAML(src)
    let root = try #require(file.root)
    #expect(root["l14"]?.pairs?.count == 10)
    #expect(root["l14"]?.pair("zzz") == nil)
    #expect(clock.now - start < .seconds(1))
    #expect(countNodesWithoutAliases(root) < 400)
    #expect(file.warnings.isEmpty)
}

@Test func deepNestingThrowsInsteadOfCrashing() throws {
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    let error = try #require(yamlParseError(deep))
    #expect(error.message == "nesting deeper than 256 levels")
    #expect(error.position == SourcePosition(line: 1, column: 257, offset: 256))

    let blockDeep = (0..<300).map { String(repeating: "  ", count: $0) + "k:\n" }.joined() + String(repeating: "  ", count: 300) + "v\n"
    let e2 = try #require(yamlParseError(blockDeep))
    #expect(e2.message == "nesting deeper than 256 levels")
    #expect(e2.position.line == 257)

    var limits = YAMLLimits()
    limits.maxDepth = 3
    #expect(yamlParseError("[[[1]]]", limits: limits) == nil)
    #expect(yamlParseError("[[[[1]]]]", limits: limits)?.position.column == 4)
    #expect(yamlParseError(String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000), limits: { var l = YAMLLimits(); l.maxDepth = 2000; return l }()) == nil)
}

@Test func tooManyAliasesAndNodesThrow() throws {
    var limits = YAMLLimits()
    limits.maxAliases = 5
    let src = "a: &a 1\nb: [*a, *a, *a, *a, *a, *a]\n"
    let error = try #require(yamlParseError(src, limits: limits))
    #expect(error.message == "too many aliases (limit 5)")
    #expect(error.position == SourcePosition(line: 2, column: 25, offset: 8 + 24))
    #expect(yamlParseError("a: &a 1\nb: [*a, *a, *a, *a, *a]\n", limits: limits) == nil)

    var nodeLimits = YAMLLimits()
    nodeLimits.maxNodes = 4
    let e2 = try #require(yamlParseError("a: 1\nb: 2\nc: 3\n", limits: nodeLimits))
    #expect(e2.message == "too many nodes (limit 4)")
    #expect(e2.position.line == 2 && e2.position.column == 4)
}

// MARK: Errors

@Test func syntaxErrorsReportLibyamlProblemAndLine() throws {
    let badIndent = try #require(yamlParseError("a:\n  b: 1\n c: 2\n"))
    #expect(badIndent.message == "did not find expected key while parsing a block mapping started at line 1, column 1")
    #expect(badIndent.position.line == 3 && badIndent.position.column == 2)

    let tab = try #require(yamlParseError("a:\n\tb: 1\n"))
    #expect(tab.message == "found character that cannot start any token while scanning for the next token")
    #expect(tab.position == SourcePosition(line: 2, column: 1, offset: 3))

    let unclosed = try #require(yamlParseError("a: 1\nb: 'abc\nc: 2\n"))
    // Reported where the quote opens: the end of the file has no line of its own to show.
    #expect(unclosed.message == "found unexpected end of stream while scanning a quoted scalar that starts here")
    #expect(unclosed.position == SourcePosition(line: 2, column: 4, offset: 8))

    let junk = try #require(yamlParseError("a: b: c\n"))
    #expect(junk.message == "mapping values are not allowed in this context")
    #expect(junk.position == SourcePosition(line: 1, column: 5, offset: 4))

    let flow = try #require(yamlParseError("on: push\njobs: [a, b\nx: 1\n"))
    #expect(flow.position.line == 3)

    // Positions after multi-byte characters are byte columns.
    let utf = try #require(yamlParseError("é😀: x: y\n"))
    #expect(utf.position == SourcePosition(line: 1, column: 10, offset: 9))

    // A key longer than libyaml's 1024-character simple key limit.
    let long = try #require(yamlParseError(String(repeating: "k", count: 1100) + ": v\n"))
    #expect(long.position.line == 1)
}

@Test func binaryAndInvalidUTF8Throw() throws {
    let nul = try #require(yamlParseError(bytes: Array("a: 1\nb: x".utf8) + [0x00, 0x41]))
    #expect(nul.message == "control characters are not allowed (0x00)")
    #expect(nul.position == SourcePosition(line: 2, column: 5, offset: 9))

    let ff = try #require(yamlParseError(bytes: Array("a: ".utf8) + [0xFF, 0x41]))
    #expect(ff.message.hasPrefix("invalid leading UTF-8 octet"))
    #expect(ff.position == SourcePosition(line: 1, column: 4, offset: 3))

    let truncated = try #require(yamlParseError(bytes: Array("a: b\nc: ".utf8) + [0xC3]))
    #expect(truncated.position.line == 2)

    let surrogate = try #require(yamlParseError(bytes: Array("a: ".utf8) + [0xED, 0xA0, 0x80]))
    #expect(surrogate.position.line == 1)

    // Random binary noise: must throw or parse, never crash.
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<200 {
        let junk = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
        _ = yamlParseError(bytes: junk)
    }
}

// MARK: Documents

@Test func multipleDocumentsAndEmptyInput() throws {
    let (_, file) = try parseYAML("a: 1\n---\nb: 2\n...\n--- [3]\n")
    #expect(file.documents.count == 3)
    #expect(file.root?["a"]?.scalar == "1")
    #expect(file.documents[1]["b"]?.scalar == "2")
    #expect(file.documents[2].items?.first?.scalar == "3")
    #expect(file.documents[1].span.start.line == 3)

    #expect(try parseYAML("").1.documents.isEmpty)
    #expect(try parseYAML("# only a comment\n\n").1.documents.isEmpty)
    #expect(try parseYAML("\n\n").1.root == nil)

    // `---` alone is a document whose root is an empty plain scalar.
    let (_, onlyMarker) = try parseYAML("---\n")
    #expect(onlyMarker.documents.count == 1)
    #expect(onlyMarker.root?.scalar == "" && onlyMarker.root?.scalarStyle == .plain)

    let (_, scalarDoc) = try parseYAML("hello\n")
    #expect(scalarDoc.root?.scalar == "hello")
}

@Test func largeGeneratedFileParses() throws {
    var src = "name: big\non: push\njobs:\n"
    var i = 0
    src.reserveCapacity(5_300_000)
    while src.utf8.count < 5_000_000 {
        src += "  job\(i):\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: Step é\(i)\n        run: |\n          echo \"\(i)\"\n          make test\n"
        i += 1
    }
    let (text, file) = try parseYAML(src)
    let jobs = try #require(file.root?["jobs"]?.pairs)
    #expect(jobs.count == i)
    let last = try #require(jobs.last?.value["steps"]?.items?[1]["run"])
    #expect(last.scalar == "echo \"\(i - 1)\"\nmake test\n")
    #expect(last.span.start.line == text.lineCount - 3)
    #expect(isConsistentPosition(text, last.span.start))
}

// MARK: valueOffsets

@Test func valueOffsetsPlainAndNonScalars() throws {
    let (text, file) = try parseYAML("k: hello wörld\nm: {a: 1}\n")
    let v = try #require(file.root?["k"])
    let offsets = v.valueOffsets(in: text)
    #expect(offsets == Array(3...(3 + "hello wörld".utf8.count)))
    #expect(v.position(ofValueByte: 6, in: text) == SourcePosition(line: 1, column: 10, offset: 9))
    #expect(v.position(ofValueByte: 999, in: text).offset == 3 + "hello wörld".utf8.count)
    #expect(v.position(ofValueByte: -5, in: text).offset == 3)
    let m = try #require(file.root?["m"])
    #expect(m.valueOffsets(in: text) == [m.valueSpan.start.offset])
}

@Test func valueOffsetsQuotedWithEscapes() throws {
    let src = #"k: "a\tb\u00e9c\\d\"e\x41\U0001F600z""# + "\ns: 'it''s é'\n"
    let (text, file) = try parseYAML(src)
    let d = try #require(file.root?["k"])
    #expect(d.scalar == "a\tbéc\\d\"eA😀z")
    let o = d.valueOffsets(in: text)
    // Source: k: "a\tb\u00e9c\\d\"e\x41\U0001F600z"
    //         0123456789...
    let q = 3  // opening quote
    let expected = [
        q + 1,  // a
        q + 2,  // \t
        q + 4,  // b
        q + 5, q + 5,  // \u00e9 -> 2 bytes
        q + 11,  // c
        q + 12,  // \\
        q + 14,  // d
        q + 15,  // \"
        q + 17,  // e
        q + 18,  // \x41
        q + 22, q + 22, q + 22, q + 22,  // \U0001F600 -> 4 bytes
        q + 32,  // z
        q + 33,  // end (closing quote)
    ]
    #expect(o == expected)

    let s = try #require(file.root?["s"])
    #expect(s.scalar == "it's é")
    let so = s.valueOffsets(in: text)
    let base = text.lineStarts[1] + 3
    #expect(so == [base + 1, base + 2, base + 3, base + 5, base + 6, base + 7, base + 8, base + 9])
}

@Test func valueOffsetsLiteralBlocks() throws {
    let src = """
        a: |

          first, line
          # not a comment
            more indented
          last

        b: |2
             three spaces of content
           one space
        c: |-
          strip
        d: |+
          keep


        e: 1

        """
    let (text, file) = try parseYAML(src)
    let root = try #require(file.root)
    let a = try #require(root["a"])
    #expect(a.scalar == "\nfirst, line\n# not a comment\n  more indented\nlast\n")
    #expect(yamlOffsetsMatchSource(a, text))
    // Content line k comes from source line header + 1 + k.
    let av = Array(a.scalar!.utf8)
    var lineStart = 0
    for k in 0..<5 {
        let pos = a.position(ofValueByte: lineStart, in: text)
        #expect(pos.line == 1 + 1 + k)
        lineStart = (av[lineStart...].firstIndex(of: 0x0A) ?? av.count) + 1
    }
    // The 2nd comma-separated field on value line 1 is at line 3, column 10.
    let comma = Array("\nfirst,".utf8).count
    #expect(a.position(ofValueByte: comma + 1, in: text) == SourcePosition(line: 3, column: 10, offset: text.lineStarts[2] + 9))
    #expect(a.position(ofValueByte: Array("\nfirst, line\n# not a comment\n  ".utf8).count, in: text).column == 5)

    let b = try #require(root["b"])
    #expect(b.scalar == "   three spaces of content\n one space\n")
    #expect(yamlOffsetsMatchSource(b, text))
    #expect(b.position(ofValueByte: 0, in: text) == SourcePosition(line: 9, column: 3, offset: text.lineStarts[8] + 2))
    #expect(b.position(ofValueByte: Array("   three spaces of content\n".utf8).count, in: text).column == 3)

    let c = try #require(root["c"])
    #expect(c.scalar == "strip")
    #expect(yamlOffsetsMatchSource(c, text))
    #expect(c.valueOffsets(in: text).last == text.lineStarts[11] + 7)

    let d = try #require(root["d"])
    #expect(d.scalar == "keep\n\n\n")
    #expect(yamlOffsetsMatchSource(d, text))
    #expect(d.position(ofValueByte: 4, in: text).line == 14)
    #expect(d.position(ofValueByte: 5, in: text).line == 15)
    #expect(d.position(ofValueByte: 6, in: text).line == 16)
}

@Test func valueOffsetsLiteralBlockCRLFAndUTF8() throws {
    let src = "run: |\r\n  echo é😀, x\r\n\r\n  done\r\nnext: 1\r\n"
    let (text, file) = try parseYAML(src)
    let run = try #require(file.root?["run"])
    #expect(run.scalar == "echo é😀, x\n\ndone\n")
    #expect(yamlOffsetsMatchSource(run, text))
    let o = run.valueOffsets(in: text)
    // The `\n` ending value line 0 maps to the `\r` of the CRLF.
    let nl = Array("echo é😀, x".utf8).count
    #expect(text.bytes[o[nl]] == 0x0D)
    #expect(run.position(ofValueByte: nl - 1, in: text) == SourcePosition(line: 2, column: 3 + nl - 1, offset: text.lineStarts[1] + 2 + nl - 1))
    #expect(run.position(ofValueByte: nl + 2, in: text).line == 4)
    #expect(o.last == text.lineStarts[3] + 6 + 2)
}

@Test func valueOffsetsFoldedAndMultiLineFlowScalars() throws {
    let src = """
        f: >
          folded a
          b

          c
            more
          d
        p: plain first
          second line

          third
        q: "dq first
          \\tsecond \\
          joined"
        s: 'sq \u{20}
          it''s'
        g: >-
          x

        """
    let (text, file) = try parseYAML(src)
    let root = try #require(file.root)
    let f = try #require(root["f"])
    #expect(f.scalar == "folded a b\nc\n  more\nd\n")
    #expect(isValidYAMLOffsets(f, text))
    let fo = f.valueOffsets(in: text)
    let fv = Array(f.scalar!.utf8)
    #expect(text.position(ofOffset: fo[fv.firstIndex(of: UInt8(ascii: "b"))!]) == SourcePosition(line: 3, column: 3, offset: text.lineStarts[2] + 2))
    #expect(text.position(ofOffset: fo[fv.firstIndex(of: UInt8(ascii: "c"))!]).line == 5)
    #expect(text.position(ofOffset: fo[fv.firstIndex(of: UInt8(ascii: "m"))!]) == SourcePosition(line: 6, column: 5, offset: text.lineStarts[5] + 4))
    #expect(text.position(ofOffset: fo[fv.lastIndex(of: UInt8(ascii: "d"))!]).line == 7)
    // Every non-space byte maps to the same source byte.
    for k in 0..<fv.count where fv[k] != 0x20 && fv[k] != 0x0A { #expect(text.bytes[fo[k]] == fv[k]) }

    let p = try #require(root["p"])
    #expect(p.scalar == "plain first second line\nthird")
    #expect(isValidYAMLOffsets(p, text))
    let po = p.valueOffsets(in: text)
    let pv = Array(p.scalar!.utf8)
    #expect(text.position(ofOffset: po[pv.firstIndex(of: UInt8(ascii: "e"))!]).line == 9)  // "second"
    #expect(text.position(ofOffset: po[pv.firstIndex(of: UInt8(ascii: "h"))!]) == SourcePosition(line: 11, column: 4, offset: text.lineStarts[10] + 3))
    for k in 0..<pv.count where pv[k] != 0x20 && pv[k] != 0x0A { #expect(text.bytes[po[k]] == pv[k]) }

    let q = try #require(root["q"])
    #expect(q.scalar == "dq first \tsecond joined")
    #expect(isValidYAMLOffsets(q, text))
    let qo = q.valueOffsets(in: text)
    let qv = Array(q.scalar!.utf8)
    let tab = qv.firstIndex(of: 0x09)!
    #expect(text.position(ofOffset: qo[tab]) == SourcePosition(line: 13, column: 3, offset: text.lineStarts[12] + 2))
    #expect(text.position(ofOffset: qo[qv.firstIndex(of: UInt8(ascii: "j"))!]) == SourcePosition(line: 14, column: 3, offset: text.lineStarts[13] + 2))

    let s = try #require(root["s"])
    #expect(s.scalar == "sq it's")
    #expect(isValidYAMLOffsets(s, text))
    let so = s.valueOffsets(in: text)
    #expect(text.position(ofOffset: so[5]) == SourcePosition(line: 16, column: 5, offset: text.lineStarts[15] + 4))

    let g = try #require(root["g"])
    #expect(g.scalar == "x")
    #expect(g.valueOffsets(in: text) == [text.lineStarts[17] + 2, text.lineStarts[17] + 3])
}

@Test func valueOffsetsNeverBreakInvariants() throws {
    // A mix of awkward scalars, including CR-only and LS breaks, tabs and empty values.
    let sources = [
        "a: >\r\n  x\r\n\r\n  y\r\n",
        "a: |\n  x\u{2028}  y\n",
        "a: \"x\u{2028}y\"\n",
        "a: \"\"\nb: ''\nc: |\nd: >+\n\n\ne: 1\n",
        "a: \"\\\n\n  x\"\n",
        "- >1\n  x\n   y\n- \"a\\x\"\n",
        "a: 'x\n\n\n  y'\n",
        "a: x\n\t\n  y\n",
        "a: >\n\tx\n",
        "k: &a !t |\n  text\n",
    ]
    for src in sources {
        let text = SourceText(src)
        guard let file = try? YAMLParser.parse(text), let root = file.root else { continue }
        for n in allYAMLNodes(root) {
            if n.scalar != nil, case .scalar = n.kind {
                #expect(isValidYAMLOffsets(n, text), "\(src.debugDescription)")
            } else {
                #expect(n.valueOffsets(in: text).count == 1)
            }
        }
    }
    let (text, file) = try parseYAML("k: &a !t |\n  text\n")
    let k = try #require(file.root?["k"])
    #expect(k.position(ofValueByte: 0, in: text) == SourcePosition(line: 2, column: 3, offset: 13))
}

// MARK: Randomised round trips

/// Small deterministic generator so failures reproduce.
private struct YAMLTestRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let yamlTestWords = ["echo", "é", "😀", "make", "a,b", "x=1", "--flag", "日本", "v1.2", "path/to"]

private func randomYAMLWords(_ rng: inout YAMLTestRNG, _ n: Int) -> String {
    (0..<n).map { _ in yamlTestWords.randomElement(using: &rng)! }.joined(separator: " ")
}

/// A random block-scalar or flow-scalar value written at `indent`, as source lines.
private func randomYAMLScalar(_ rng: inout YAMLTestRNG, indent: Int) -> String {
    let pad = String(repeating: " ", count: indent)
    switch Int.random(in: 0..<6, using: &rng) {
    case 0: return randomYAMLWords(&rng, Int.random(in: 1...4, using: &rng))
    case 1: return "'" + randomYAMLWords(&rng, 2) + " it''s'"
    case 2: return "\"" + randomYAMLWords(&rng, 3) + "\""
    case 3, 4:
        // An indentation indicator counts from the parent's indentation, which is `indent - 2` here.
        let header = ["|", "|-", "|+", ">", ">-", ">+", "|2", ">2-"].randomElement(using: &rng)!
        let explicit = header.contains("2")
        var lines: [String] = []
        let count = Int.random(in: 1...5, using: &rng)
        for k in 0..<count {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where k > 0: lines.append("")
            case 1 where k > 0 || explicit: lines.append(pad + "  " + randomYAMLWords(&rng, 2))
            case 2: lines.append(pad + "# " + randomYAMLWords(&rng, 2))
            default: lines.append(pad + randomYAMLWords(&rng, 3))
            }
        }
        if Int.random(in: 0..<3, using: &rng) == 0 { lines.append("") }
        return header + "\n" + lines.joined(separator: "\n")
    default:
        // Multi-line plain scalar.
        return randomYAMLWords(&rng, 2) + "\n" + pad + randomYAMLWords(&rng, 2)
    }
}

@Test func randomDocumentsMapEveryValueByteToItsSource() throws {
    var rng = YAMLTestRNG(state: 42)
    var checked = 0
    var parsed = 0
    for round in 0..<300 {
        var lines: [String] = []
        for k in 0..<Int.random(in: 1...6, using: &rng) {
            if Bool.random(using: &rng) {
                lines.append("k\(k):")
                lines.append("  - " + randomYAMLScalar(&rng, indent: 4))
                lines.append("  - n\(k): " + randomYAMLScalar(&rng, indent: 6))
            } else {
                lines.append("k\(k): " + randomYAMLScalar(&rng, indent: 2))
            }
        }
        var src = lines.joined(separator: "\n") + "\n"
        if round % 3 == 0 { src = src.yamlTestCRLF() }
        let text = SourceText(src)
        let file: YAMLFile
        // The generator is not a YAML grammar; skip the few documents libyaml rejects.
        do { file = try YAMLParser.parse(text) } catch { continue }
        guard let root = file.root else { continue }
        parsed += 1
        for n in allYAMLNodes(root) {
            guard case .scalar(let value, let style) = n.kind else { continue }
            #expect(isValidYAMLOffsets(n, text))
            // The one-line fast path agrees with the full walk.
            if let identity = n.identityOffsets(in: text) {
                #expect(identity == n.mappedOffsets(in: text), "\(src.debugDescription) \(value.debugDescription)")
            }
            let offsets = n.valueOffsets(in: text)
            let v = Array(value.utf8)
            for k in 0..<v.count {
                let o = offsets[k]
                // Separators map to a line break (or, for spaces, the blank itself).
                if v[k] == 0x0A {
                    #expect(text.bytes[o] == 0x0A || text.bytes[o] == 0x0D, "\(src.debugDescription) \(value.debugDescription)")
                    continue
                }
                if v[k] == 0x20, style != .literal, text.bytes[o] == 0x0A || text.bytes[o] == 0x0D { continue }
                if style == .singleQuoted, v[k] == UInt8(ascii: "'") { continue }
                #expect(text.bytes[o] == v[k], "\(src.debugDescription) \(value.debugDescription) byte \(k)")
                if text.bytes[o] != v[k] { break }
            }
            checked += 1
        }
    }
    #expect(checked > 1000)
    #expect(parsed > 250, "parsed \(parsed) checked \(checked)")
}

extension String {
    fileprivate func yamlTestCRLF() -> String {
        var out = ""
        for scalar in unicodeScalars {
            if scalar == "\n" { out += "\r\n" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
