import Testing
@testable import BuildxLintKit

/// `uses:` references split into their parts.
@Suite struct WorkflowModelTests {
    @Test(arguments: [
        // raw, repository, path, ref, isLocal, isDockerImage
        ("docker/build-push-action@v6", "docker/build-push-action", nil, "v6", false, false),
        ("  Docker/Setup-Buildx-Action@v3 ", "docker/setup-buildx-action", nil, "v3", false, false),
        ("actions/cache/restore@v4", "actions/cache", "restore", "v4", false, false),
        ("o/r/a/b@main", "o/r", "a/b", "main", false, false),
        ("o/r/@x", "o/r", "", "x", false, false),
        ("o/", "o/", nil, nil, false, false),
        ("solo@v1", nil, nil, "v1", false, false),
        ("./.github/actions/build", nil, "./.github/actions/build", nil, true, false),
        ("../up", nil, "../up", nil, true, false),
        ("docker://alpine:3.20", nil, nil, nil, false, true),
        ("Ünï/Cödé@v1", "ünï/cödé", nil, "v1", false, false),
        ("o/r@feature@2", "o/r@feature", nil, "2", false, false),
    ] as [(String, String?, String?, String?, Bool, Bool)])
    func actionRefParts(_ raw: String, _ repository: String?, _ path: String?, _ ref: String?, _ isLocal: Bool, _ isDocker: Bool) {
        let a = ActionRef(raw)
        #expect(a.repository == repository)
        #expect(a.path == path)
        #expect(a.ref == ref)
        #expect(a.isLocal == isLocal)
        #expect(a.isDockerImage == isDocker)
        #expect(a.raw == raw)
    }
}

/// The line table's LF-only fast path agrees with a plain count.
@Test func lineTableOfLFOnlyText() {
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<500 {
        let text = (0..<Int.random(in: 0...40, using: &rng)).map { _ in ["a", "\n", " ", "é"].randomElement(using: &rng)! }.joined()
        let bytes = Array(text.utf8)
        var expected = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { expected.append(i + 1) }
        #expect(SourceText(bytes).lineStarts == expected, "\(text.debugDescription)")
    }
}

/// The selection table: which paths are linted, and as what.
@Test(arguments: [
    (".github/workflows/ci.yml", FileKind.workflow), (".github/workflows/ci.yaml", .workflow), (".github/workflows/sub/ci.yml", nil),
    (".github/workflows/ci.json", nil), ("action.yml", .action), ("a/b/action.yaml", .action), ("a/myaction.yml", nil),
    ("docker-bake.hcl", .bake), ("x/docker-bake.override.json", .bake), ("ci/bake-release.hcl", .bake), ("main.hcl", nil),
    ("bake.json", nil), ("compose.yaml", .compose), ("svc/docker-compose.prod.yml", .compose), ("compose.json", nil),
    ("my-compose.yml", nil),
] as [(String, FileKind?)])
func selectionKinds(_ path: String, _ kind: FileKind?) {
    #expect(Selection.default.kind(of: RepoPath(path)) == kind)
    // The raw-bytes pre-filter never rejects a path the table selects.
    let may = Array(path.utf8).withUnsafeBytes { Selection.default.mayMatch($0) }
    if kind != nil { #expect(may) }
}

/// The pre-filter on raw path bytes: a test on the ending only.
@Test func selectionPrefilterLooksAtTheEnding() {
    func may(_ s: String, _ sel: Selection = .default) -> Bool { Array(s.utf8).withUnsafeBytes { sel.mayMatch($0) } }
    #expect(may("a/b.yml") && may("x.yaml") && may("docker-bake.hcl") && may("y.json"))
    #expect(!may("src/main.swift") && !may("README.md") && !may("") && !may("yml") && !may("a.yml.orig"))
    #expect(may("anything", Selection(rules: [])))  // no endings given: everything may match
}

/// The ASCII fast paths of the character tests agree with `Character`'s properties.
@Test func characterTestsMatchCharacterProperties() {
    let samples = ["", " a", "a ", "\ta", "a\r\n", "\u{0B}x", "x\u{0C}", "abc", "ABC", "aBc", "é ", " é", "\u{85}x", "x\u{A0}",
        "\u{2003}y", "y\u{2003}", "É", "émile", "ÀB", "a\u{301}", " \u{301}", "\r\n", "Ǆ", "ß",
        // A mark after the first byte, or a prepended character before the last, joins it into one character.
        " \u{301}bc", "ab \u{301}", "a\u{600} ", "\u{600} x", "x\u{200D} ", " x\u{301}", "\r\na", "a\r\n "]
    for s in samples {
        #expect(s.startsWithWhitespace == (s.first?.isWhitespace == true), "\(s.debugDescription)")
        #expect(s.endsWithWhitespace == (s.last?.isWhitespace == true), "\(s.debugDescription)")
        #expect(s.containsUppercase == s.contains(where: \.isUppercase), "\(s.debugDescription)")
        let sub = s[...]
        #expect(sub.containsUppercase == sub.contains(where: \.isUppercase))
    }
}

/// `firstOffset` (libc `memmem`) finds what a plain scan finds, from any start.
@Test func firstOffsetMatchesAPlainScan() {
    func naive(_ needle: [UInt8], _ hay: [UInt8], _ start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, hay.count >= needle.count else { return nil }
        var i = start
        while i + needle.count <= hay.count {
            if Array(hay[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<2_000 {
        let hay = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 97...99, using: &rng) }
        let needle = (0..<Int.random(in: 0...4, using: &rng)).map { _ in UInt8.random(in: 97...99, using: &rng) }
        let start = Int.random(in: 0...(hay.count + 1), using: &rng)
        let got = needle.withUnsafeBufferPointer { n in hay.withUnsafeBufferPointer { firstOffset(of: n, in: $0, from: start) } }
        #expect(got == naive(needle, hay, start), "\(hay) \(needle) from \(start)")
    }
}

/// The fast verdicts of `wholeExpression` and `hasExpression` agree with splitting the string into parts.
@Test(arguments: [
    "${{ matrix.platform }}", "  ${{ env.X }}\n", "${{ a }}${{ b }}", "x${{ a }}", "${{ a }} x", "${{ a", "$", "",
    "plain", "\u{A0}${{ a }}", "${{ a }}\u{2003}", "\u{2003}x${{ a }}", "${{ 'a}}' }}", "$${{ a }}", "\t${{ a }} \r\n",
    "é${{ a }}", "${{ a }}é", "${{ }}", "${{ a }} ${{ b }}", "\u{0B}${{ a }}\u{0C}",
])
func templateFastPathsAgreeWithParts(_ s: String) {
    let parts = Template.parts(s)
    let meaningful = parts.filter {
        if case .literal(let t) = $0.kind { return !t.unicodeScalars.allSatisfy(\.properties.isWhitespace) }
        return true
    }
    var expected: Expr? = nil
    if meaningful.count == 1, case .expression(_, let e) = meaningful[0].kind { expected = e }
    #expect(Template.wholeExpression(s) == expected)
    let hasExpression = parts.contains { if case .expression = $0.kind { return true } else { return false } }
    #expect(Template.hasExpression(s) == hasExpression)
}

/// Transport actions are recognised by their lowercased repository, whatever the path or ref.
@Test(arguments: [
    ("actions/cache@v4", "cache"), ("actions/cache/restore@v4", "cache"), ("Actions/Upload-Artifact@v4", "upload"),
    ("actions/download-artifact@v5", "download"), ("actions/upload-artifacts@v4", nil), ("docker/build-push-action@v6", nil),
    ("actions/checkout@v4", nil), ("./actions/cache", nil),
] as [(String, String?)])
func transportActions(_ uses: String, _ expected: String?) throws {
    let yaml = try YAMLParser.parse(SourceText(Array("uses: \(uses)\n".utf8)))
    let step = Step(index: 0, node: try #require(yaml.root))
    #expect(TransportAction.of(step).map { "\($0)" } == expected)
}

/// Paths for display: printable ASCII and valid UTF-8 as is, control characters and invalid bytes escaped.
@Test(arguments: [
    ([UInt8](".github/workflows/ci.yml".utf8), ".github/workflows/ci.yml"), (Array("é/ü.yml".utf8), "é/ü.yml"),
    ([0x61, 0x09, 0x62], "a\\011b"), ([0x7F], "\\177"), ([0x63, 0x61, 0x66, 0xE9], "caf\\351"), ([], ""),
    ([0xC3, 0xA9, 0x0A], "é\\012"),
] as [([UInt8], String)])
func repoPathDisplay(_ bytes: [UInt8], _ shown: String) {
    #expect(RepoPath(bytes: bytes).display == shown)
}
