import Foundation
import Testing

@testable import BuildxLintKit

// Expression evaluation, matrix expansion and `$GITHUB_ENV` reading (Analysis/Expressions,
// Analysis/MatrixExpansion.swift, Analysis/GitHubEnvWrites.swift).

/// What an expression should evaluate to.
private enum EvExpect: CustomStringConvertible {
    case value(ExprValue)
    /// A symbol or a string holding a symbol marker (fixed for the run, not known).
    case symbolic
    case unknown

    var description: String {
        switch self {
        case .value(let v): return "\(v)"
        case .symbolic: return "symbolic"
        case .unknown: return "unknown"
        }
    }

    func matches(_ v: ExprValue) -> Bool {
        switch self {
        case .value(let e):
            if case .number(let a) = e, case .number(let b) = v, a.isNaN, b.isNaN { return true }
            return e == v
        case .symbolic: return v.isSymbolic
        case .unknown: return v.isUnknown
        }
    }
}

/// The context most expression tests use: one leg of a platform matrix.
private let evLegContext = EvalContext(
    matrix: [
        "platform": .string("linux/amd64"), "python": .number(3.1), "os": .string("ubuntu-latest"),
        "node": .object(["version": .number(20), "env": .string("NODE_OPTIONS=--x")]), "flag": .bool(false),
        "list": .array([.string("a"), .string("b")]),
    ],
    env: ["PLATFORM_PAIR": .string("linux-amd64"), "EMPTY": .string(""), "Mixed": .string("m")],
    jobID: "build")

private func evEval(_ source: String, _ ctx: EvalContext = evLegContext) throws -> ExprValue {
    ExpressionEvaluator.evaluate(try ExpressionParser.parse(source), ctx)
}

private func evParseYAML(_ s: String) throws -> YAMLNode {
    try #require(try YAMLParser.parse(SourceText(s)).root)
}

@Suite struct ExpressionEvaluatorTests {
    fileprivate static let table: [(String, EvExpect)] = [
        // Literals and falsy values.
        ("''", .value(.string(""))),
        ("!''", .value(.bool(true))),
        ("!0", .value(.bool(true))),
        ("!-0", .value(.bool(true))),
        ("!null", .value(.bool(true))),
        ("!'0'", .value(.bool(false))),
        ("!'false'", .value(.bool(false))),
        ("!fromJSON('[]')", .value(.bool(false))),
        // && and || return operands, not booleans.
        ("'a' && 'b'", .value(.string("b"))),
        ("0 && 'b'", .value(.number(0))),
        ("'' || 'fallback'", .value(.string("fallback"))),
        ("'x' || 'fallback'", .value(.string("x"))),
        ("true && '' || 'type=gha'", .value(.string("type=gha"))),
        ("false && 'x' || 'y'", .value(.string("y"))),
        ("matrix.flag && 'on' || 'off'", .value(.string("off"))),
        ("null || 0 || ''", .value(.string(""))),
        // Loose equality and coercion.
        ("1 == '1'", .value(.bool(true))),
        ("'1.0' == 1", .value(.bool(true))),
        ("'0x10' == 16", .value(.bool(true))),
        ("' 5 ' == 5", .value(.bool(true))),
        ("'' == 0", .value(.bool(true))),
        ("null == 0", .value(.bool(true))),
        ("null == ''", .value(.bool(true))),
        ("null == false", .value(.bool(true))),
        ("true == 1", .value(.bool(true))),
        ("true == 'true'", .value(.bool(false))),
        ("'abc' == 'ABC'", .value(.bool(true))),
        ("'abc' != 'ABD'", .value(.bool(true))),
        ("'a' == 1", .value(.bool(false))),
        ("fromJSON('NaN') == fromJSON('NaN')", .value(.bool(false))),
        ("fromJSON('[]') == 0", .value(.bool(false))),
        ("fromJSON('[]') == fromJSON('[]')", .unknown),
        ("2 < 10", .value(.bool(true))),
        ("'2' < '10'", .value(.bool(false))),
        ("'2' < 10", .value(.bool(true))),
        ("'a' < 'B'", .value(.bool(true))),
        ("true > false", .value(.bool(true))),
        ("1 <= 1", .value(.bool(true))),
        // Contexts and properties: case-insensitive names and keys, missing is null.
        ("matrix.platform", .value(.string("linux/amd64"))),
        ("MATRIX.Platform", .value(.string("linux/amd64"))),
        ("matrix['platform']", .value(.string("linux/amd64"))),
        ("matrix.node.version", .value(.number(20))),
        ("matrix.NODE.Version", .value(.number(20))),
        ("matrix.missing", .value(.null)),
        ("matrix.missing.deeper", .value(.null)),
        ("matrix.list[1]", .value(.string("b"))),
        ("matrix.list['1']", .value(.string("b"))),
        ("matrix.list[5]", .value(.null)),
        ("matrix.python", .value(.number(3.1))),
        ("env.PLATFORM_PAIR", .value(.string("linux-amd64"))),
        ("env.platform_pair", .value(.null)),  // env is case-sensitive on Linux runners
        ("env.UNSET", .value(.null)),
        ("github.job", .value(.string("build"))),
        ("runner.os", .symbolic),
        ("github.ref_name", .value(.symbol("github.ref_name"))),
        ("github.REF_NAME", .value(.symbol("github.ref_name"))),
        ("github.event.inputs.tag", .value(.symbol("github.event.inputs.tag"))),
        ("inputs.tag", .value(.symbol("inputs.tag"))),
        ("vars.REGISTRY", .value(.symbol("vars.registry"))),
        ("secrets.TOKEN", .value(.symbol("secrets.token"))),
        ("needs.setup.outputs.uid", .value(.symbol("needs.setup.outputs.uid"))),
        ("steps.meta.outputs.tags", .unknown),
        ("strategy.job-index", .unknown),
        ("github.action_path", .unknown),
        ("fromJSON('[{\"a\":1},{\"a\":2},{\"b\":3}]').*.a", .value(.array([.number(1), .number(2)]))),
        ("fromJSON('[{\"a\":[1,2]},{\"a\":[3]}]').*.a[0]", .value(.array([.number(1), .number(3)]))),
        ("fromJSON('{\"x\":{\"y\":1},\"z\":{\"y\":2}}').*.y[0]", .value(.array([]))),
        // Functions.
        ("format('{0}-{1}', 'a', 2)", .value(.string("a-2"))),
        ("format('{{0}} {0}', 'x')", .value(.string("{0} x"))),
        ("format('{0}}}', 'x')", .value(.string("x}"))),
        ("format('{1}', 'x')", .unknown),
        ("format('{0', 'x')", .unknown),
        ("format('{0:x}', 1)", .unknown),
        ("format('cache-{0}', matrix.python)", .value(.string("cache-3.1"))),
        ("join(matrix.list)", .value(.string("a,b"))),
        ("join(matrix.list, ' ')", .value(.string("a b"))),
        ("join('abc')", .value(.string("abc"))),
        ("join(fromJSON('[]'), '-')", .value(.string(""))),
        ("join(fromJSON('[1, true, null]'), '|')", .value(.string("1|true|"))),
        ("contains('Hello World', 'WORLD')", .value(.bool(true))),
        ("contains(matrix.list, 'A')", .value(.bool(true))),
        ("contains(matrix.list, 'c')", .value(.bool(false))),
        ("contains(fromJSON('[1,2]'), '2')", .value(.bool(true))),
        ("contains('abc', '')", .value(.bool(true))),
        ("startsWith(matrix.platform, 'LINUX/')", .value(.bool(true))),
        ("endsWith(matrix.platform, '/AMD64')", .value(.bool(true))),
        ("endsWith(matrix.platform, 'arm64')", .value(.bool(false))),
        ("startsWith(matrix.list, 'a')", .value(.bool(false))),
        ("toJSON('a\"b')", .value(.string("\"a\\\"b\""))),
        ("toJSON(1.50)", .value(.string("1.5"))),
        ("toJSON(fromJSON('[1,{\"k\":\"v\"}]'))", .value(.string("[\n  1,\n  {\n    \"k\": \"v\"\n  }\n]"))),
        ("toJSON(matrix.missing)", .value(.string("null"))),
        ("fromJSON('{\"a\":[1,\"x\\ny\",true,null]}').a[1]", .value(.string("x\ny"))),
        ("fromJSON('\"\\u00e9\"')", .value(.string("é"))),
        ("fromJSON('-1.5e2')", .value(.number(-150))),
        ("fromJSON('{bad')", .unknown),
        ("fromJSON(steps.x.outputs.json)", .unknown),
        ("fromJSON(needs.prep.outputs.matrix)", .symbolic),
        ("case(matrix.python == 3.1, 'py31', 'other')", .value(.string("py31"))),
        ("case(false, 'a', matrix.flag, 'b', 'c')", .value(.string("c"))),
        ("case('yes', 'a', 'b')", .unknown),
        ("hashFiles('**/go.sum')", .unknown),
        ("success()", .unknown),
        ("nosuchfunction(1)", .unknown),
        // Unknown values propagate unless the result does not depend on them.
        ("steps.x.outputs.y || 'default'", .unknown),
        ("false && steps.x.outputs.y", .value(.bool(false))),
        ("'set' || steps.x.outputs.y", .value(.string("set"))),
        ("format('{0}', steps.x.outputs.y)", .unknown),
        ("steps.x.outputs.y == 'a'", .unknown),
        // Symbols give symbols; the same symbolic text equals itself.
        ("github.ref == 'refs/heads/main'", .symbolic),
        ("github.ref == github.REF", .value(.bool(true))),
        ("inputs.push && '' || 'type=gha'", .symbolic),
        ("format('{0}-{1}', github.sha, matrix.platform)", .value(.string("⟨github.sha⟩-linux/amd64"))),
        ("startsWith(format('ref/{0}', github.sha), 'REF/')", .value(.bool(true))),
        ("startsWith(format('ref/{0}', github.sha), 'x')", .value(.bool(false))),
        ("contains(format('{0}-cache', inputs.image), 'cache')", .value(.bool(true))),
        ("!format('x{0}', github.sha)", .value(.bool(false))),
        ("toJSON(github.sha)", .symbolic),
    ]

    @Test func expressionTable() throws {
        #expect(Self.table.count >= 40)
        for (source, expected) in Self.table {
            let v = try evEval(source)
            #expect(expected.matches(v), "\(source) gave \(v), expected \(expected)")
        }
    }

    @Test func truthiness() {
        #expect(ExpressionEvaluator.isTruthy(.string("")) == false)
        #expect(ExpressionEvaluator.isTruthy(.number(0)) == false)
        #expect(ExpressionEvaluator.isTruthy(.number(-0.0)) == false)
        #expect(ExpressionEvaluator.isTruthy(.number(.nan)) == false)
        #expect(ExpressionEvaluator.isTruthy(.null) == false)
        #expect(ExpressionEvaluator.isTruthy(.string("false")) == true)
        #expect(ExpressionEvaluator.isTruthy(.object([:])) == true)
        #expect(ExpressionEvaluator.isTruthy(.symbol("github.sha")) == nil)
        #expect(ExpressionEvaluator.isTruthy(.string("⟨github.sha⟩")) == nil)
        #expect(ExpressionEvaluator.isTruthy(.string("x-⟨github.sha⟩")) == true)
        #expect(ExpressionEvaluator.isTruthy(.unknown("r")) == nil)
    }

    @Test func numbersRenderLikeGitHub() {
        let cases: [(Double, String)] = [
            (3, "3"), (3.1, "3.1"), (-2.5, "-2.5"), (0.1 + 0.2, "0.3"), (1e15, "1E+15"), (123456789012345, "123456789012345"),
            (1234567890123456, "1.23456789012346E+15"), (0.0001, "0.0001"), (0.00001, "1E-05"), (1e21, "1E+21"),
            (2.5e-7, "2.5E-07"), (100, "100"), (.nan, "NaN"), (.infinity, "Infinity"), (-.infinity, "-Infinity"),
            (-0.0, "-0"), (0, "0"), (999999999999999.9, "1E+15"),
        ]
        for (d, s) in cases { #expect(ExprValue.formatNumber(d) == s, "\(d)") }
    }

    @Test func templatesEmbedSymbolsAndPropagateUnknowns() {
        let ctx = evLegContext
        #expect(ExpressionEvaluator.evaluate(template: "type=gha,scope=build-${{ env.PLATFORM_PAIR }}", ctx) == .string("type=gha,scope=build-linux-amd64"))
        #expect(ExpressionEvaluator.evaluate(template: "py${{ matrix.python }}-${{ matrix.flag }}-${{ matrix.missing }}.", ctx) == .string("py3.1-false-."))
        #expect(ExpressionEvaluator.evaluate(template: "scope=${{ github.ref_name }}-${{ matrix.platform }}", ctx) == .string("scope=⟨github.ref_name⟩-linux/amd64"))
        #expect(ExpressionEvaluator.evaluate(template: "a-${{ steps.x.outputs.y }}", ctx).isUnknown)
        #expect(ExpressionEvaluator.evaluate(template: "a-${{ matrix.platform ", ctx) == .string("a-${{ matrix.platform "))
        #expect(ExpressionEvaluator.evaluate(template: "a-${{ matrix.( }}", ctx).isUnknown)
        #expect(ExpressionEvaluator.evaluate(template: "x-${{ matrix.list }}", ctx) == .string("x-Array"))
        // No matrix: `matrix.x` renders ''.
        #expect(ExpressionEvaluator.evaluate(template: "scope=build-${{ matrix.platform }}", EvalContext()) == .string("scope=build-"))
        // Two legs compare as strings.
        var other = ctx
        other.matrix?["platform"] = .string("linux/arm64")
        let t = "type=registry,ref=ghcr.io/o/app:cache-${{ github.ref_name }}"
        #expect(ExpressionEvaluator.evaluate(template: t, ctx) == ExpressionEvaluator.evaluate(template: t, other))
        let u = "type=gha,scope=${{ github.ref_name }}-${{ matrix.platform }}"
        #expect(ExpressionEvaluator.evaluate(template: u, ctx) != ExpressionEvaluator.evaluate(template: u, other))
    }

    @Test func contextsGivenByTheCaller() throws {
        let ctx = EvalContext(
            env: [:], envFallback: .unknown("an earlier step wrote $GITHUB_ENV in a way not read"),
            inputs: ["push": .bool(true), "Image": .string("app")], github: ["event_name": .string("push")],
            runner: EvalContext.runnerContext(labels: ["ubuntu-24.04-arm"]),
            strategy: ["job-index": .number(1), "job-total": .number(2)])
        #expect(try evEval("env.ANY", ctx).isUnknown)
        #expect(try evEval("inputs.push && '' || 'type=gha'", ctx) == .string("type=gha"))
        #expect(try evEval("inputs.image", ctx) == .string("app"))
        #expect(try evEval("inputs.missing", ctx) == .null)
        #expect(try evEval("github.event_name == 'PUSH'", ctx) == .bool(true))
        #expect(try evEval("runner.arch", ctx) == .string("ARM64"))
        #expect(try evEval("runner.os", ctx) == .string("Linux"))
        #expect(try evEval("strategy.job-index", ctx) == .number(1))
        #expect(EvalContext.runnerContext(labels: ["ubuntu-latest"])["arch"] == .string("X64"))
        #expect(EvalContext.runnerContext(labels: ["macos-14"])["arch"] == .string("ARM64"))
        #expect(EvalContext.runnerContext(labels: ["self-hosted", "linux", "ARM64"])["arch"] == .string("ARM64"))
        #expect(EvalContext.runnerContext(labels: ["self-hosted", "gpu"])["arch"]?.isUnknown == true)
    }

    @Test func jsonRoundTrip() {
        #expect(ExprValue.parseJSON(" {\"a\": [1, 2.5, \"x\", true, false, null], \"b\": {}} ")
            == .object(["a": .array([.number(1), .number(2.5), .string("x"), .bool(true), .bool(false), .null]), "b": .object([:])]))
        #expect(ExprValue.parseJSON("['single', 'quotes']") == .array([.string("single"), .string("quotes")]))
        #expect(ExprValue.parseJSON("\"\\ud83d\\ude00\"") == .string("😀"))
        #expect(ExprValue.parseJSON("[1,]").isUnknown)
        #expect(ExprValue.parseJSON("1 2").isUnknown)
        #expect(ExprValue.parseJSON("").isUnknown)
        #expect(ExprValue.parseJSON(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).isUnknown)
        #expect(ExprValue.object(["b": .number(1), "a": .string("x\ty")]).jsonText == "{\n  \"a\": \"x\\ty\",\n  \"b\": 1\n}")
        #expect(ExprValue.array([]).jsonText == "[]")
        #expect(ExprValue.symbol("github.sha").jsonText == nil)
    }
}

// MARK: - Matrix expansion

private func evExpand(_ yaml: String, _ ctx: EvalContext = EvalContext()) throws -> MatrixLegs {
    let root = try evParseYAML(yaml)
    return MatrixExpansion.expand(root["strategy"]?["matrix"] ?? root["matrix"] ?? root, ctx)
}

/// A leg written compactly for comparisons: `key=value` pairs sorted, values as GitHub renders them.
private func evLeg(_ leg: [String: ExprValue]) -> String {
    leg.keys.sorted().map { "\($0)=\(leg[$0]!.templateText ?? "?")" }.joined(separator: " ")
}

@Suite struct MatrixExpansionTests {
    @Test func docsIncludeExample() throws {
        // GitHub Docs, "Expanding or adding matrix configurations", verbatim.
        let m = try evExpand(
            """
            strategy:
              matrix:
                fruit: [apple, pear]
                animal: [cat, dog]
                include:
                  - color: green
                  - color: pink
                    animal: cat
                  - fruit: apple
                    shape: circle
                  - fruit: banana
                  - fruit: banana
                    animal: cat
            """)
        #expect(m.unknownReason == nil)
        #expect(m.legs.map(evLeg) == [
            "animal=cat color=pink fruit=apple shape=circle",
            "animal=dog color=green fruit=apple shape=circle",
            "animal=cat color=pink fruit=pear",
            "animal=dog color=green fruit=pear",
            "fruit=banana",
            "animal=cat fruit=banana",
        ])
        #expect(m.dimensions == ["fruit", "animal", "color", "shape"])
    }

    @Test func docsExpandingConfigurations() throws {
        let m = try evExpand(
            """
            matrix:
              os: [windows-latest, ubuntu-latest]
              node: [14, 16]
              include:
                - os: windows-latest
                  node: 16
                  npm: 6
            """)
        #expect(m.legs.map(evLeg) == [
            "node=14 os=windows-latest", "node=16 npm=6 os=windows-latest", "node=14 os=ubuntu-latest",
            "node=16 os=ubuntu-latest",
        ])
        #expect(m.legs[1]["node"] == .number(16))
    }

    @Test func docsAddingConfigurations() throws {
        let m = try evExpand(
            """
            matrix:
              os: [macos-latest, windows-latest, ubuntu-latest]
              version: [12, 14, 16]
              include:
                - os: windows-latest
                  version: 17
            """)
        #expect(m.legs.count == 10)
        #expect(evLeg(m.legs[9]) == "os=windows-latest version=17")
    }

    @Test func docsIncludeOnly() throws {
        let m = try evExpand(
            """
            matrix:
              include:
                - site: "production"
                  datacenter: "site-a"
                - site: "staging"
                  datacenter: "site-b"
            """)
        #expect(m.legs.map(evLeg) == ["datacenter=site-a site=production", "datacenter=site-b site=staging"])
        #expect(m.dimensions == ["site", "datacenter"])
    }

    @Test func docsExcludeIsPartial() throws {
        let m = try evExpand(
            """
            matrix:
              os: [macos-latest, windows-latest]
              version: [12, 14, 16]
              environment: [staging, production]
              exclude:
                - os: macos-latest
                  version: 12
                  environment: production
                - os: windows-latest
                  version: 16
            """)
        #expect(m.legs.count == 9)
        #expect(!m.legs.contains { $0["os"] == .string("windows-latest") && $0["version"] == .number(16) })
        #expect(m.legs.contains { $0["os"] == .string("macos-latest") && $0["version"] == .number(12) })
    }

    @Test func includeAfterExcludeAddsBackAndTargetsOnlyOriginals() throws {
        let m = try evExpand(
            """
            matrix:
              platform: [linux/amd64, linux/arm64]
              target: [app, tools]
              exclude:
                - platform: linux/arm64
                  target: tools
              include:
                - platform: linux/arm64
                  runner: ubuntu-24.04-arm
                - platform: linux/arm64
                  target: tools
                  experimental: true
                - runner: ubuntu-24.04
                  platform: linux/amd64
            """)
        #expect(m.legs.map(evLeg) == [
            "platform=linux/amd64 runner=ubuntu-24.04 target=app",
            "platform=linux/amd64 runner=ubuntu-24.04 target=tools",
            "platform=linux/arm64 runner=ubuntu-24.04-arm target=app",
            "experimental=true platform=linux/arm64 target=tools",
        ])
        #expect(m.dimensions == ["platform", "target", "runner", "experimental"])
    }

    @Test func includeOverwritesOnlyAddedKeys() throws {
        let m = try evExpand(
            """
            matrix:
              arch: [amd64, arm64]
              include:
                - suffix: x
                - arch: arm64
                  suffix: y
                - arch: amd64
                  arch2: a
            """)
        #expect(m.legs.map(evLeg) == ["arch=amd64 arch2=a suffix=x", "arch=arm64 suffix=y"])
    }

    @Test func yamlNumbersFollowGitHub() throws {
        let m = try evExpand(
            """
            matrix:
              python: [3.8, 3.10, "3.10", '3.11', 3.12.1, 010, 0x1F, 0o17, 1e3, .5, +1, 1_000, true, "true", ~, null, 2.0]
            """)
        #expect(m.legs.map { $0["python"]!.templateText! } == [
            "3.8", "3.1", "3.10", "3.11", "3.12.1", "10", "31", "15", "1000", "0.5", "1", "1_000", "true", "true", "", "", "2",
        ])
        #expect(m.legs[1]["python"] == .number(3.1))
        #expect(m.legs[2]["python"] == .string("3.10"))
        #expect(m.legs[12]["python"] == .bool(true))
        #expect(m.legs[14]["python"] == .null)
        let tagged = try evExpand("matrix:\n  v: [!!str 3.10, !!int 7, !!float 1]\n")
        #expect(tagged.legs.map { $0["v"]! } == [.string("3.10"), .number(7), .number(1)])
    }

    @Test func mappingsAsAxisValues() throws {
        let m = try evExpand(
            """
            matrix:
              os: [ubuntu-latest, macos-latest]
              node:
                - version: 14
                - version: 20
                  env: NODE_OPTIONS=--openssl-legacy-provider
              exclude:
                - node: {version: 14}
                  os: macos-latest
            """)
        #expect(m.legs.count == 3)
        #expect(m.legs[1]["node"] == .object(["version": .number(20), "env": .string("NODE_OPTIONS=--openssl-legacy-provider")]))
        #expect(m.dimensions == ["os", "node"])
        let ctx = EvalContext(matrix: m.legs[1])
        #expect(ExpressionEvaluator.evaluate(template: "node${{ matrix.node.version }}-${{ matrix.NODE.env }}", ctx)
            == .string("node20-NODE_OPTIONS=--openssl-legacy-provider"))
    }

    @Test func expressionsInTheMatrix() throws {
        // A literal fromJSON is evaluated; anything computed at run time is unknown, never guessed.
        let literal = try evExpand("matrix:\n  platform: ${{ fromJSON('[\"linux/amd64\",\"linux/arm64\"]') }}\n")
        #expect(literal.legs.map(evLeg) == ["platform=linux/amd64", "platform=linux/arm64"])
        let fromNeeds = try evExpand("matrix:\n  platform: ${{ fromJSON(needs.prep.outputs.platforms) }}\n")
        #expect(fromNeeds.legs.isEmpty)
        #expect(fromNeeds.unknownReason?.contains("platform") == true)
        let fromSteps = try evExpand("matrix:\n  include: ${{ fromJSON(steps.x.outputs.m) }}\n")
        #expect(fromSteps.unknownReason != nil)
        let whole = try evExpand("matrix: ${{ fromJSON(needs.prep.outputs.matrix) }}\n")
        #expect(whole.legs.isEmpty && whole.unknownReason != nil)
        let wholeLiteral = try evExpand("matrix: ${{ fromJSON('{\"p\":[\"a\",\"b\"],\"include\":[{\"p\":\"a\",\"x\":1}]}') }}\n")
        #expect(wholeLiteral.legs.map(evLeg) == ["p=a x=1", "p=b"])
        let input = try evExpand(
            "matrix:\n  platform: [linux/amd64]\n  image: ['${{ inputs.image }}-x', plain]\n",
            EvalContext(inputs: ["image": .string("app")]))
        #expect(input.legs.map(evLeg) == ["image=app-x platform=linux/amd64", "image=plain platform=linux/amd64"])
        let symbolic = try evExpand("matrix:\n  tag: ['${{ github.ref_name }}', latest]\n")
        #expect(symbolic.legs.map(evLeg) == ["tag=⟨github.ref_name⟩", "tag=latest"])
        #expect(symbolic.dimensions == ["tag"])
    }

    @Test func noMatrixAndInvalidMatrices() throws {
        #expect(MatrixExpansion.expand(nil, EvalContext()).legs.isEmpty)
        #expect(MatrixExpansion.expand(nil, EvalContext()).unknownReason == nil)
        #expect(try evExpand("matrix:\n  platform: linux/amd64\n").unknownReason != nil)
        #expect(try evExpand("matrix:\n  platform: []\n").unknownReason != nil)
        #expect(try evExpand("matrix:\n  exclude:\n    - a: 1\n").unknownReason != nil)
        #expect(try evExpand("matrix:\n  a: [1]\n  exclude:\n    - b: 1\n").unknownReason != nil)
        let single = try evExpand("matrix:\n  platform: [linux/amd64]\n")
        #expect(single.legs.count == 1 && single.dimensions.isEmpty)
        // 17 × 17 = 289 jobs: more than GitHub runs.
        let big = try evExpand("matrix:\n  a: [\(Array(1...17).map(String.init).joined(separator: ","))]\n  b: [\(Array(1...17).map(String.init).joined(separator: ","))]\n")
        #expect(big.legs.isEmpty && big.unknownReason?.contains("256") == true)
    }

    @Test func undocumentedComparisonsAreUnknown() throws {
        // The include value differs from the leg only by case: GitHub's rule is not documented.
        let m = try evExpand("matrix:\n  os: [Linux, windows]\n  include:\n    - os: linux\n      x: 1\n")
        #expect(m.legs.isEmpty && m.unknownReason != nil)
        let n = try evExpand("matrix:\n  v: [1, 2]\n  exclude:\n    - v: '1'\n")
        #expect(n.unknownReason != nil)
    }

    @Test func aliasesAndMergeKeys() throws {
        let m = try evExpand(
            """
            base: &platforms [linux/amd64, linux/arm64]
            matrix:
              platform: *platforms
            """)
        #expect(m.legs.count == 2)
    }
}

// MARK: - $GITHUB_ENV

private func evWrites(
    _ script: String, matrix: [String: ExprValue]? = ["platform": .string("linux/amd64")], env: [String: ExprValue] = [:],
    shell: String? = nil
) -> [String: ExprValue] {
    let ctx = EvalContext(matrix: matrix)
    var out: [String: ExprValue] = [:]
    for (name, value) in GitHubEnvWrites.writes(run: script, stepEnv: env, ctx: ctx, shell: shell) { out[name] = value }
    return out
}

@Suite struct GitHubEnvWritesTests {
    fileprivate static let table: [(script: String, env: [String: ExprValue], expected: [String: EvExpect])] = [
        // The docs' PLATFORM_PAIR idiom (docs multi-platform.md).
        ("platform=${{ matrix.platform }}\necho \"PLATFORM_PAIR=${platform//\\//-}\" >> $GITHUB_ENV\n", [:],
         ["PLATFORM_PAIR": .value(.string("linux-amd64"))]),
        ("echo \"X=1\" >> \"$GITHUB_ENV\"", [:], ["X": .value(.string("1"))]),
        ("echo X=value >>${GITHUB_ENV}", [:], ["X": .value(.string("value"))]),
        ("echo X=a   b >> $GITHUB_ENV", [:], ["X": .value(.string("a b"))]),
        ("v=${{ matrix.platform }}\nprintf 'P=%s\\n' \"$v\" >> $GITHUB_ENV", [:], ["P": .value(.string("linux/amd64"))]),
        ("printf '%s=%s\\n' A 1 B 2 >> $GITHUB_ENV", [:], ["A": .value(.string("1")), "B": .value(.string("2"))]),
        ("{\n  echo \"A=1\"\n  echo \"B=${IMAGE}\"\n} >> \"$GITHUB_ENV\"", ["IMAGE": .string("app")],
         ["A": .value(.string("1")), "B": .value(.string("app"))]),
        ("echo \"TAGS<<EOF\" >> $GITHUB_ENV\necho \"a\" >> $GITHUB_ENV\necho \"b\" >> $GITHUB_ENV\necho EOF >> $GITHUB_ENV", [:],
         ["TAGS": .value(.string("a\nb"))]),
        ("{\n  echo 'JSON<<EOF'\n  curl -s https://example.com\n  echo EOF\n} >> \"$GITHUB_ENV\"", [:], ["JSON": .unknown]),
        ("echo \"PLATFORM=${{ matrix.platform }}\" | tee -a $GITHUB_ENV", [:], ["PLATFORM": .value(.string("linux/amd64"))]),
        ("echo \"P=${P//\\//-}\" | tee -a \"${GITHUB_ENV}\" > /dev/null", ["P": .string("linux/arm64")], ["P": .value(.string("linux-arm64"))]),
        ("cat >> \"$GITHUB_ENV\" <<EOF\nA=${X}\nB=2\nEOF\n", ["X": .string("x")], ["A": .value(.string("x")), "B": .value(.string("2"))]),
        ("cat >> \"$GITHUB_ENV\" <<'EOF'\nA=${X}\nEOF\n", ["X": .string("x")], ["A": .value(.string("${X}"))]),
        ("echo \"OWNER=${OWNER,,}\" >> ${GITHUB_ENV}", ["OWNER": .string("MyOrg")], ["OWNER": .value(.string("myorg"))]),
        ("echo \"R=ghcr.io/${GITHUB_REPOSITORY@L}\" >> \"$GITHUB_ENV\"", [:], ["R": .value(.string("ghcr.io/⟨lower.github.repository⟩"))]),
        ("echo \"R=${GITHUB_REPOSITORY,}\" >> \"$GITHUB_ENV\"", [:], ["R": .symbolic]),
        ("echo \"U=${N^^}-${N^}-${N,}\" >> $GITHUB_ENV", ["N": .string("abC")], ["U": .value(.string("ABC-AbC-abC"))]),
        ("echo \"V=${REF#refs/*/}\" >> $GITHUB_ENV", ["REF": .string("refs/tags/v1.2")], ["V": .value(.string("v1.2"))]),
        ("echo \"V=${REF##*/}\" >> $GITHUB_ENV", ["REF": .string("refs/heads/feature/x")], ["V": .value(.string("x"))]),
        ("echo \"V=${F%.tar.gz}-${F%%.*}\" >> $GITHUB_ENV", ["F": .string("app.tar.gz")], ["V": .value(.string("app-app"))]),
        ("echo \"V=${F/a/_}|${F//a/_}|${F/#a/^}|${F/%z/$}\" >> $GITHUB_ENV", ["F": .string("banana.gz")],
         ["V": .value(.string("b_nana.gz|b_n_n_.gz|banana.gz|banana.g$"))]),
        // After `//` a `/` starts the pattern (bash 5.2 prints `linuxamd64|linux-amd64|linux/amd64|linux-amd64|linux-amd64`):
        // `${P///x}` has the pattern `/x` and no replacement; a bracket may hold a quoted `/`.
        ("echo \"V=${P///}|${P////-}|${P///x}|${P//[\\/]/-}|${P//[\"/\"]/-}\" >> $GITHUB_ENV", ["P": .string("linux/amd64")],
         ["V": .value(.string("linuxamd64|linux-amd64|linux/amd64|linux-amd64|linux-amd64"))]),
        ("echo \"V=${S:0:8}|${S: -3}|${#S}\" >> $GITHUB_ENV", ["S": .string("0123456789abcdef")], ["V": .value(.string("01234567|def|16"))]),
        ("echo \"V=${UNSET_IN_WORKFLOW:-dflt}|${EMPTY:-e}|${EMPTY-n}|${SET:+alt}\" >> $GITHUB_ENV", ["EMPTY": .string(""), "SET": .string("1")],
         ["V": .unknown]),
        ("echo \"V=${EMPTY:-e}|${EMPTY-n}|${SET:+alt}|${EMPTY:+alt}\" >> $GITHUB_ENV", ["EMPTY": .string(""), "SET": .string("1")],
         ["V": .value(.string("e||alt|"))]),
        ("echo \"T=$(echo ${{ matrix.platform }} | tr / -)\" >> $GITHUB_ENV", [:], ["T": .value(.string("linux-amd64"))]),
        ("echo \"T=$(echo '${{ matrix.platform }}' | sed 's/\\//-/g')\" >> $GITHUB_ENV", [:], ["T": .value(.string("linux-amd64"))]),
        ("echo \"T=`echo ${{ matrix.platform }} | cut -d/ -f2`\" >> $GITHUB_ENV", [:], ["T": .value(.string("amd64"))]),
        ("echo \"SHA=$(git rev-parse --short HEAD)\" >> $GITHUB_ENV", [:], ["SHA": .unknown]),
        ("echo \"S=${{ github.sha }}\" >> $GITHUB_ENV", [:], ["S": .value(.string("⟨github.sha⟩"))]),
        ("echo \"S=${{ steps.meta.outputs.version }}\" >> $GITHUB_ENV", [:], ["S": .unknown]),
        ("if [ \"${{ matrix.platform }}\" = \"linux/arm64\" ]; then\n  echo ARCH=arm64 >> $GITHUB_ENV\nelse\n  echo ARCH=amd64 >> $GITHUB_ENV\nfi", [:],
         ["ARCH": .value(.string("amd64"))]),
        ("case \"${{ matrix.platform }}\" in\n  */arm64) echo A=arm >> $GITHUB_ENV ;;\n  *) echo A=x86 >> $GITHUB_ENV ;;\nesac", [:],
         ["A": .value(.string("x86"))]),
        ("if [ \"${{ github.event_name }}\" = push ]; then echo M=push >> $GITHUB_ENV; else echo M=other >> $GITHUB_ENV; fi", [:],
         ["M": .unknown]),
        ("[[ \"${{ matrix.platform }}\" == *arm64 ]] && echo ARM=1 >> $GITHUB_ENV || echo ARM=0 >> $GITHUB_ENV", [:],
         ["ARM": .value(.string("0"))]),
        ("for p in a b; do echo \"P_$p=$p\" >> $GITHUB_ENV; done", [:], ["P_a": .value(.string("a")), "P_b": .value(.string("b"))]),
        ("set_it() { echo \"F=$1\" >> \"$GITHUB_ENV\"; }\nset_it hello", [:], ["F": .value(.string("hello"))]),
        ("echo \"N=$(date +%s)\"\necho \"X=1\" >> /tmp/other\necho \"Y=2\" >> $GITHUB_OUTPUT", [:], [:]),
        ("echo 'NOT=$HOME' >> $GITHUB_ENV", [:], ["NOT": .value(.string("$HOME"))]),
        ("echo -e \"A=1\\nB=2\" >> $GITHUB_ENV", [:], ["A": .value(.string("1")), "B": .value(.string("2"))]),
        ("echo -n \"A=\" >> $GITHUB_ENV\necho \"joined\" >> $GITHUB_ENV", [:], ["A": .value(.string("joined"))]),
        ("echo \"CIBW_BUILD=\"cp310-manylinux_*\"\" >> $GITHUB_ENV", [:], ["CIBW_BUILD": .unknown]),
        ("TAG=${RELEASE_VERSION#$PREFIX}\necho \"TAG=$TAG\" >>$GITHUB_ENV", ["RELEASE_VERSION": .string("v1.0"), "PREFIX": .string("v")],
         ["TAG": .value(.string("1.0"))]),
        ("( echo \"SUB=1\" ) >> $GITHUB_ENV\nexport LATER=2\necho \"L=$LATER\" >> $GITHUB_ENV", [:],
         ["SUB": .value(.string("1")), "L": .value(.string("2"))]),
    ]

    @Test func recognisesWrites() {
        #expect(Self.table.count >= 15)
        for (script, env, expected) in Self.table {
            let got = evWrites(script, env: env)
            #expect(Set(got.keys) == Set(expected.keys), "\(script): got \(got)")
            for (k, e) in expected {
                guard let v = got[k] else { continue }
                #expect(e.matches(v), "\(script): \(k) = \(v), expected \(e)")
            }
        }
    }

    /// Hostile scripts end quickly with an unknown or bounded value, never a trap: 20-digit printf widths and
    /// precisions, `${v:1:Int.max}`, a `tr` range across the UTF-16 surrogates, a loop doubling a string, and
    /// `*` patterns on long values (cases from an attack on the interpreter).
    @Test func hostileScriptsStayBounded() {
        #expect(evWrites("printf 'P=%99999999999999999999s\\n' a >> $GITHUB_ENV")["P"]?.isUnknown != false)
        #expect(evWrites("x=$(printf '%.99999999999999999999s' abc)\necho \"P=$x\" >> $GITHUB_ENV")["P"] == .string("abc"))
        #expect(evWrites("v=abc\necho \"P=${v:1:9223372036854775807}\" >> $GITHUB_ENV")["P"] == .string("bc"))
        #expect(evWrites("x=$(echo abc | tr 'a-\u{EFFFF}' '-')\necho \"P=$x\" >> $GITHUB_ENV")["P"]?.isUnknown == true)
        #expect(evWrites("x=$(echo abc | tr 'a-\u{E000}' '-')\necho \"P=$x\" >> $GITHUB_ENV")["P"]?.isUnknown == true)
        let doubling = "x=ab\nfor i in " + (1...30).map(String.init).joined(separator: " ") + "; do x=\"$x$x\"; done\necho \"P=$x\" >> $GITHUB_ENV"
        #expect(evWrites(doubling)["P"]?.isUnknown == true)
        let long = String(repeating: "a", count: 5_000)
        #expect(evWrites("x=\(long)b\necho \"P=${x##*b}|${x//*b/c}\" >> $GITHUB_ENV")["P"]?.isUnknown == true)
        #expect(evWrites("x=a/b/c\necho \"P=${x##*/}|${x//*\\//-}\" >> $GITHUB_ENV")["P"] == .string("c|-c"))
    }

    @Test func platformPairDiffersPerLeg() {
        let script = "platform=${{ matrix.platform }}\necho \"PLATFORM_PAIR=${platform//\\//-}\" >> $GITHUB_ENV"
        let a = evWrites(script, matrix: ["platform": .string("linux/amd64")])
        let b = evWrites(script, matrix: ["platform": .string("linux/arm/v7")])
        #expect(a["PLATFORM_PAIR"] == .string("linux-amd64"))
        #expect(b["PLATFORM_PAIR"] == .string("linux-arm-v7"))
        // Without a matrix the value is empty (matrix.platform is '').
        #expect(evWrites(script, matrix: nil)["PLATFORM_PAIR"] == .string(""))
    }

    @Test func conditionalAndUnreadableWrites() {
        let ctx = EvalContext(matrix: [:])
        let cond = GitHubEnvWrites.analyze(
            run: "if [ -f marker ]; then\n  echo \"X=1\" >> $GITHUB_ENV\nfi\necho \"Y=2\" >> $GITHUB_ENV", stepEnv: [:], ctx: ctx, shell: nil)
        #expect(cond.writes.map(\.name) == ["X", "Y"])
        #expect(cond.writes.map(\.isConditional) == [true, false])
        #expect(cond.writes.map(\.line) == [2, 4])
        #expect(cond.effective.first { $0.name == "X" }?.value.isUnknown == true)
        #expect(cond.effective.first { $0.name == "Y" }?.value == .string("2"))
        #expect(!cond.hasUnreadableWrite)
        let dynamic = GitHubEnvWrites.analyze(run: "jq -r 'to_entries[]' vars.json >> \"$GITHUB_ENV\"", stepEnv: [:], ctx: ctx, shell: nil)
        #expect(dynamic.hasUnreadableWrite && dynamic.effective.isEmpty)
        let name = GitHubEnvWrites.analyze(run: "echo \"${NAME}=1\" >> $GITHUB_ENV", stepEnv: [:], ctx: ctx, shell: nil)
        #expect(name.hasUnreadableWrite)
        let pwsh = GitHubEnvWrites.analyze(run: "\"X=1\" >> $env:GITHUB_ENV", stepEnv: [:], ctx: ctx, shell: "pwsh")
        #expect(pwsh.hasUnreadableWrite && pwsh.effective.isEmpty)
        let broken = GitHubEnvWrites.analyze(run: "echo \"X=1 >> $GITHUB_ENV", stepEnv: [:], ctx: ctx, shell: nil)
        #expect(broken.hasUnreadableWrite)
        // A failing exit stops the job: that path does not count.
        let exits = GitHubEnvWrites.analyze(
            run: "if [ -z \"$TOKEN\" ]; then echo missing; exit 1; fi\necho \"OK=1\" >> $GITHUB_ENV", stepEnv: [:], ctx: ctx, shell: nil)
        #expect(exits.effective.map(\.name) == ["OK"])
        #expect(exits.effective.first?.value == .string("1"))
    }

    @Test func bashOnlyExpansions() {
        #expect(GitHubEnvWrites.usesBashOnlyExpansion(script: "platform=${{ matrix.platform }}\necho \"PLATFORM_PAIR=${platform//\\//-}\" >> $GITHUB_ENV"))
        #expect(GitHubEnvWrites.usesBashOnlyExpansion(script: "echo ${x,,}"))
        #expect(GitHubEnvWrites.usesBashOnlyExpansion(script: "echo ${SHA:0:7}"))
        #expect(GitHubEnvWrites.usesBashOnlyExpansion(script: "echo \"$(echo ${a[0]})\""))
        #expect(GitHubEnvWrites.usesBashOnlyExpansion(script: "cat <<EOF\n${x^^}\nEOF\n"))
        #expect(!GitHubEnvWrites.usesBashOnlyExpansion(script: "echo '${x//a/b}'"))
        #expect(!GitHubEnvWrites.usesBashOnlyExpansion(script: "cat <<'EOF'\n${x^^}\nEOF\n"))
        #expect(!GitHubEnvWrites.usesBashOnlyExpansion(script: "echo ${x#v} ${x%%.*} ${x:-d} ${#x} ${{ matrix.x }}"))
        #expect(!GitHubEnvWrites.usesBashOnlyExpansion(script: "echo \"P=$(echo \"$p\" | tr / -)\" >> $GITHUB_ENV"))
        #expect(GitHubEnvWrites.bashOnlyExpansions(script: "a=${b/x/y}; c=${d@U}") == ["${b/x/y}", "${d@U}"])
    }

    @Test func posixShellStopsAtBashOnlyExpansion() {
        let script = "echo \"BEFORE=1\" >> $GITHUB_ENV\nplatform=${{ matrix.platform }}\necho \"PLATFORM_PAIR=${platform//\\//-}\" >> $GITHUB_ENV\necho \"AFTER=1\" >> $GITHUB_ENV"
        let sh = GitHubEnvWrites.analyze(run: script, stepEnv: [:], ctx: EvalContext(matrix: ["platform": .string("linux/amd64")]), shell: "sh -e {0}")
        #expect(sh.effective.map(\.name) == ["BEFORE"])
        #expect(sh.stoppedEarly?.contains("Bad substitution") == true)
        let bash = GitHubEnvWrites.analyze(
            run: script, stepEnv: [:], ctx: EvalContext(matrix: ["platform": .string("linux/amd64")]), shell: "bash --noprofile --norc -eo pipefail {0}")
        #expect(bash.effective.map(\.name) == ["BEFORE", "PLATFORM_PAIR", "AFTER"])
        // dash's echo has no -e and always reads escapes.
        #expect(evWrites("echo -e \"A=1\" >> $GITHUB_ENV", shell: "sh")["A"] == nil)
        #expect(evWrites("echo \"A=1\\tx\" >> $GITHUB_ENV", shell: "sh")["A"] == .string("1\tx"))
    }
}

// MARK: - Corpus

/// `../shared/corpus` beside the package (the tests' folder is two levels below the package root).
private let evCorpusRoot: URL? = {
    let u = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpus")
    return FileManager.default.fileExists(atPath: u.path) ? u : nil
}()

private func evWorkflowFiles(_ root: URL) -> [URL] {
    var out: [URL] = []
    guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
    for case let u as URL in e where ["yml", "yaml"].contains(u.pathExtension) && u.path.contains(".github/") {
        out.append(u)
    }
    return out.sorted { $0.path < $1.path }
}

/// String values of an `env:` mapping, evaluated in `ctx`.
private func evEnvValues(_ node: YAMLNode?, _ ctx: EvalContext) -> [String: ExprValue] {
    var out: [String: ExprValue] = [:]
    for p in node?.pairs ?? [] {
        guard let k = p.key.scalar else { continue }
        if let s = p.value.scalar {
            out[k] = Template.hasExpression(s) ? ExpressionEvaluator.evaluate(template: s, ctx) : .string(s)
        } else {
            out[k] = .unknown("not a scalar")
        }
    }
    return out
}

/// For each job and leg: the evaluated cache-from/cache-to inputs of its steps, following `$GITHUB_ENV`.
private func evCacheInputs(_ root: YAMLNode) -> [(job: String, leg: Int, input: String, value: ExprValue)] {
    var out: [(job: String, leg: Int, input: String, value: ExprValue)] = []
    let workflowEnv = evEnvValues(root["env"], EvalContext())
    for job in root["jobs"]?.pairs ?? [] {
        guard let jobID = job.key.scalar else { continue }
        let expansion = MatrixExpansion.expand(job.value["strategy"]?["matrix"], EvalContext(jobID: jobID))
        let legs: [[String: ExprValue]?] = expansion.legs.isEmpty ? [nil] : expansion.legs.map { $0 }
        for (legIndex, leg) in legs.enumerated() {
            var ctx = EvalContext(matrix: leg, env: workflowEnv, jobID: jobID)
            ctx.env.merge(evEnvValues(job.value["env"], ctx)) { _, new in new }
            for step in job.value["steps"]?.items ?? [] {
                var stepCtx = ctx
                stepCtx.env.merge(evEnvValues(step["env"], ctx)) { _, new in new }
                for key in ["cache-from", "cache-to"] {
                    guard let v = step["with"]?[key]?.scalar else { continue }
                    out.append((jobID, legIndex, key, ExpressionEvaluator.evaluate(template: v, stepCtx)))
                }
                if let run = step["run"]?.scalar {
                    let shell = step["shell"]?.scalar
                    for (name, value) in GitHubEnvWrites.writes(run: run, stepEnv: stepCtx.env, ctx: stepCtx, shell: shell) {
                        ctx.env[name] = value
                    }
                }
            }
        }
    }
    return out
}

@Suite struct EvaluatorCorpusTests {
    @Test func evaluatesEveryCorpusWorkflowWithoutCrashing() throws {
        guard let root = evCorpusRoot else { return }
        var inputs = 0
        var runs = 0
        for file in evWorkflowFiles(root) {
            guard let data = FileManager.default.contents(atPath: file.path),
                let doc = try? YAMLParser.parse(SourceText(Array(data))), let top = doc.root
            else { continue }
            for item in evCacheInputs(top) {
                inputs += 1
                switch item.value {
                case .string, .unknown: break
                default: Issue.record("\(file.lastPathComponent) \(item.job) \(item.input): template gave \(item.value)")
                }
            }
            // Every run script, bash and sh, reads without crashing.
            func walk(_ n: YAMLNode) {
                if let ps = n.pairs {
                    for p in ps {
                        if p.key.scalar == "run", let s = p.value.scalar {
                            runs += 1
                            _ = GitHubEnvWrites.analyze(run: s, stepEnv: [:], ctx: EvalContext(), shell: nil)
                            _ = GitHubEnvWrites.analyze(run: s, stepEnv: [:], ctx: EvalContext(), shell: "sh")
                        }
                        walk(p.value)
                    }
                } else if let items = n.items {
                    items.forEach(walk)
                }
            }
            walk(top)
        }
        #expect(inputs > 50)
        #expect(runs > 100)
    }

    @Test func cleanDistributedBuildGetsPerLegScopes() throws {
        guard let root = evCorpusRoot else { return }
        let file = root.appendingPathComponent("cases/26-clean-distributed-build/.github/workflows/image.yml")
        let top = try #require(try YAMLParser.parse(SourceText(Array(try Data(contentsOf: file)))).root)
        let to = evCacheInputs(top).filter { $0.job == "build" && $0.input == "cache-to" }.map(\.value)
        #expect(to == [.string("type=gha,mode=max,scope=build-linux-amd64"), .string("type=gha,mode=max,scope=build-linux-arm64")])
    }

    @Test func sharedScopeIsTheSameInEveryLeg() throws {
        guard let root = evCorpusRoot else { return }
        let file = root.appendingPathComponent("cases/04-multi-runner-platform-scope/.github/workflows/image.yml")
        let top = try #require(try YAMLParser.parse(SourceText(Array(try Data(contentsOf: file)))).root)
        let to = evCacheInputs(top).filter { $0.input == "cache-to" }.map(\.value)
        #expect(to.count == 2 && Set(to).count == 1)
    }

    @Test func realWorkflowsWithPlatformPair() throws {
        guard let root = evCorpusRoot else { return }
        // dify and buildkit compute PLATFORM_PAIR from the matrix; every leg must get its own value.
        for path in ["real/langgenius__dify/.github/workflows/build-push.yml", "real/moby__buildkit/.github/workflows/test-os.yml"] {
            let file = root.appendingPathComponent(path)
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            let top = try #require(try YAMLParser.parse(SourceText(Array(data))).root)
            for job in top["jobs"]?.pairs ?? [] {
                let steps = job.value["steps"]?.items ?? []
                guard steps.contains(where: { $0["run"]?.scalar?.contains("PLATFORM_PAIR") == true }) else { continue }
                let m = MatrixExpansion.expand(job.value["strategy"]?["matrix"], EvalContext())
                guard m.unknownReason == nil, m.legs.count > 1 else { continue }
                var pairs: [ExprValue] = []
                for leg in m.legs {
                    let ctx = EvalContext(matrix: leg)
                    for s in steps {
                        guard let run = s["run"]?.scalar, run.contains("PLATFORM_PAIR") else { continue }
                        if let v = GitHubEnvWrites.writes(run: run, stepEnv: [:], ctx: ctx, shell: nil).first(where: { $0.name == "PLATFORM_PAIR" }) {
                            pairs.append(v.value)
                        }
                    }
                }
                #expect(pairs.count == m.legs.count, "\(path) \(job.key.scalar ?? "")")
                // One value per platform (other dimensions may repeat a platform).
                #expect(Set(pairs).count == Set(m.legs.map { $0["platform"] }).count, "\(path): \(pairs)")
                #expect(pairs.allSatisfy { if case .string(let s) = $0 { return !s.contains("/") } else { return false } })
            }
        }
    }
}

// MARK: - Robustness

/// xorshift64, for repeatable random scripts.
private struct EvRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

@Suite struct GitHubEnvRobustnessTests {
    @Test func arraysPartialParsesAndExtglob() {
        let arrays = GitHubEnvWrites.analyze(
            run: "local -a arr=(a b)\ndeclare -A m=( [k]=v )\nA=(x y)\necho \"N=${#A}\" >> $GITHUB_ENV\necho X=1 >> $GITHUB_ENV",
            stepEnv: [:], ctx: EvalContext(), shell: nil)
        #expect(arrays.effective.map(\.name) == ["N", "X"])
        #expect(arrays.effective.first?.value.isUnknown == true)
        // Lines before a construct that does not parse are still read; the rest counts as unreadable.
        let partial = GitHubEnvWrites.analyze(
            run: "echo A=1 >> $GITHUB_ENV\nif true; then\n  echo B=2 >> $GITHUB_ENV\nfi\ncoproc { cat; }\necho C=3 >> $GITHUB_ENV\n)",
            stepEnv: [:], ctx: EvalContext(), shell: nil)
        #expect(partial.effective.map(\.name) == ["A", "B"])
        #expect(partial.hasUnreadableWrite)
        #expect(evWrites("shopt -s extglob\nv=a123\necho \"V=${v//+([0-9])/}\" >> $GITHUB_ENV")["V"]?.isUnknown == true)
    }

    @Test func hostileScriptsStayCheap() {
        let scripts = [
            // Found by fuzzing: a here-document body that expands a command substitution with a here-document.
            "catin<<${{ matrix.platform }}while\n elif = in$x \"$GITHUB_ENV\" case'%s\\n'&&$(-d/${ <<-< \n${x//\\//-}{${x#*/}  {a,b}<<-x-a readfi ; $GITHUB_ENV{a,b} *)done> = ",
            "[[ &local{a,b}]]break<<<${x:-a}",
            "for x in a & b; do :; done",
            String(repeating: "$(", count: 3000) + "echo X=1" + String(repeating: ")", count: 3000),
            String(repeating: "${x:-", count: 3000) + "a" + String(repeating: "}", count: 3000),
            String(repeating: "`", count: 1001),
            String(repeating: "( ", count: 3000) + "echo" + String(repeating: " )", count: 3000),
            String(repeating: "if true; then ", count: 2000) + "echo" + String(repeating: "; fi", count: 2000),
            String(repeating: "cat <<E\n$(", count: 1000),
            "f() { f; f; f; f; }; f >> $GITHUB_ENV",
            String(repeating: "curl x >> $GITHUB_ENV\necho \"A=$(date)\" >> $GITHUB_ENV\n", count: 2000),
        ]
        // On concurrentPerform workers, as the linter runs.
        DispatchQueue.concurrentPerform(iterations: scripts.count) { k in
            for shell in [nil, "sh"] as [String?] {
                _ = GitHubEnvWrites.analyze(
                    run: scripts[k], stepEnv: [:], ctx: EvalContext(matrix: ["platform": .string("linux/amd64")]), shell: shell)
                _ = GitHubEnvWrites.bashOnlyExpansions(script: scripts[k])
            }
        }
    }

    @Test func randomScriptsDoNotCrash() {
        let tokens = [
            "echo", " ", "\n", ";", "&&", "||", "|", "&", ">>", ">", "<", "<<", "<<-", "<<<", "EOF", "'", "\"", "\\", "$", "${",
            "}", "{", "(", ")", "$(", "`", "X=1", "x", "$x", "${x//\\//-}", "${x:0:2}", "${x#*/}", "${x,,}", "${#x}", "${x:-a}",
            "${!x}", "${a[0]}", "$GITHUB_ENV", "\"$GITHUB_ENV\"", "if", "then", "else", "elif", "fi", "for", "in", "do", "done",
            "while", "case", "esac", ";;", "*)", "[", "]", "[[", "]]", "==", "=", "-n", "printf", "'%s\\n'", "%d", "tee", "-a",
            "cat", "tr", "sed", "'s/a/b/g'", "cut", "-d/", "-f1", "#", "~", "*", "?", "[a-z]", "{a,b}", "$((1+2))", "exit",
            "return", "f()", "local", "export", "read", "unset", "${{ matrix.platform }}", "${{ steps.x.outputs.y }}",
            "${{ github.sha }}", "$'\\n'", "⟨x⟩", "\t", "\r", "é", "😀", "break", "continue", "eval", "source", "a=(", "+(",
        ]
        var rng = EvRandom(state: 0x9E37_79B9_7F4A_7C15)
        let ctx = EvalContext(matrix: ["platform": .string("linux/amd64")])
        for i in 0..<3000 {
            var script = ""
            for _ in 0..<(Int(rng.next() % 40) + 1) {
                script += tokens[Int(rng.next() % UInt64(tokens.count))] + (rng.next() % 3 == 0 ? " " : "")
            }
            let r = GitHubEnvWrites.analyze(
                run: script, stepEnv: ["x": .string("a/b"), "X": .symbol("github.sha")], ctx: ctx, shell: i % 2 == 0 ? nil : "sh")
            for w in r.writes { #expect(!w.name.isEmpty) }
        }
    }

    @Test func randomExpressionsDoNotCrash() {
        let tokens = [
            "matrix", ".", "platform", "github", "sha", "env", "X", "[", "]", "(", ")", "'a'", "''", "1", "0", "-1", "1.5", "true",
            "false", "null", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!", "format(", "join(", "contains(", "startsWith(",
            "endsWith(", "toJSON(", "fromJSON(", "case(", "hashFiles(", ",", "*", "'{0}'", "'[1,{\"a\":2}]'", "'{\"a\":[1]}'", "'{'",
            "'}}'", "inputs", "steps", "needs", "vars", "secrets", "runner", "strategy", "job-index", "NaN",
        ]
        var rng = EvRandom(state: 12345)
        let ctx = EvalContext(
            matrix: ["platform": .string("linux/amd64"), "o": .object(["a": .array([.number(1)])])],
            env: ["X": .string("⟨github.sha⟩")])
        for _ in 0..<20000 {
            var src = ""
            for _ in 0..<(Int(rng.next() % 14) + 1) { src += tokens[Int(rng.next() % UInt64(tokens.count))] + " " }
            if let e = try? ExpressionParser.parse(src) {
                let v = ExpressionEvaluator.evaluate(e, ctx)
                _ = (v.templateText, v.jsonText, ExpressionEvaluator.isTruthy(v))
            }
        }
    }
}

/// The shell interpreter's pattern replacement and affix removal take a one-candidate path for patterns
/// without `*`; it must give what the search over every match length gives.
@Suite struct ShellPatternFastPathTests {
    typealias Sh = GitHubEnvWrites.ShellInterpreter

    /// The general search (every end, longest first), as before the fast path.
    static func referenceReplace(_ s: String, _ g: [Sh.GlobElement], mode: String, with rep: String) -> String {
        let u = Array(s.unicodeScalars)
        let n = u.count
        func str(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(u[r])) }
        switch mode {
        case "/#":
            for j in (0...n).reversed() where Sh.matches(g, u[0..<j]) { return rep + str(j..<n) }
            return s
        case "/%":
            for k in 0...n where Sh.matches(g, u[k..<n]) { return str(0..<k) + rep }
            return s
        default:
            if g.isEmpty { return s }
            var out = ""
            var k = 0
            while k < n {
                var found: Int? = nil
                for j in stride(from: n, to: k, by: -1) where Sh.matches(g, u[k..<j]) {
                    found = j
                    break
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

    static func referenceRemoveAffix(_ s: String, _ g: [Sh.GlobElement], prefix: Bool, longest: Bool) -> String {
        let u = Array(s.unicodeScalars)
        let n = u.count
        func str(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(u[r])) }
        if prefix {
            for j in (longest ? Array((0...n).reversed()) : Array(0...n)) where Sh.matches(g, u[0..<j]) { return str(j..<n) }
        } else {
            for k in (longest ? Array(0...n) : Array((0...n).reversed())) where Sh.matches(g, u[k..<n]) { return str(0..<k) }
        }
        return s
    }

    @Test func starFreePatternsMatchTheGeneralSearch() {
        let elements: [Sh.GlobElement] = [.char("a"), .char("/"), .any, .set([97...98], negated: false), .set([47...47], negated: true)]
        var seed: UInt64 = 42
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<3000 {
            let s = String((0..<next(9)).map { _ in ["a", "/", "b", "é"][next(4)] }.joined())
            let g = (0..<(1 + next(3))).map { _ in elements[next(elements.count)] }
            for mode in ["/", "//", "/#", "/%"] {
                #expect(Sh.replace(s, g, mode: mode, with: "-") == Self.referenceReplace(s, g, mode: mode, with: "-"), "\(s) \(g) \(mode)")
            }
            for prefix in [true, false] {
                for longest in [true, false] {
                    #expect(Sh.removeAffix(s, g, prefix: prefix, longest: longest) == Self.referenceRemoveAffix(s, g, prefix: prefix, longest: longest))
                }
            }
        }
    }
}

/// Matrix values in leg labels: scalars as templates render them, arrays and objects as one line of JSON.
@Test func legLabelTextOfValues() {
    #expect(ExprValue.string("linux/amd64").labelText == "linux/amd64")
    #expect(ExprValue.array([.string("self-hosted"), .string("ARM64")]).labelText == "[\"self-hosted\", \"ARM64\"]")
    #expect(ExprValue.object(["cxx": .string("g++"), "c": .string("gcc"), "v": .array([.number(1), .bool(true)])]).labelText
        == "{\"c\": \"gcc\", \"cxx\": \"g++\", \"v\": [1, true]}")
    #expect(ExprValue.array([]).labelText == "[]")
    // One line, cut at 48 characters (a multi-line `tags:` value made a 1,200-byte message; lldap/lldap).
    #expect(ExprValue.string("type=ref,event=pr\ntype=semver,pattern=v{{version}}").labelText == "type=ref,event=pr\\ntype=semver,pattern=v{{versi…")
    #expect(ExprValue.string("a\tb\n").labelText == "ab\\n")
}
