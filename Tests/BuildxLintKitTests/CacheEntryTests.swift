import Testing
@testable import BuildxLintKit

/// The actions toolkit's list splitting and buildx's ParseCacheEntry, table-driven.
@Suite struct CacheEntryTests {
    /// Reference §1.2 worked examples: `with:` value → entries the action passes → buildx result.
    struct Row: Sendable, CustomTestStringConvertible {
        let value: String
        let entries: [String]
        /// Per entry: (type, attributes) after last-key-wins; registry refs for ref lists as `ref` attributes.
        let results: [[(type: String?, attrs: [String: String])]]
        var testDescription: String { value.replacingAll("\n", with: "⏎") }
    }

    static let worked: [Row] = [
        Row(value: "type=local,src=/a,type=local,src=/b", entries: ["type=local,src=/a,type=local,src=/b"],
            results: [[("local", ["src": "/b"])]]),
        Row(value: "type=gha,scope=a\ntype=gha,scope=b\n", entries: ["type=gha,scope=a", "type=gha,scope=b"],
            results: [[("gha", ["scope": "a"])], [("gha", ["scope": "b"])]]),
        // `>` folding happens in YAML: the action sees one line joined with a space.
        Row(value: "type=gha,scope=a type=gha,scope=b", entries: ["type=gha,scope=a type=gha,scope=b"],
            results: [[("gha", ["scope": "b"])]]),
        Row(value: "type=gha, scope=x", entries: ["type=gha, scope=x"], results: [[("gha", [" scope": "x"])]]),
        Row(value: "user/app:c1,user/app:c2", entries: ["user/app:c1,user/app:c2"],
            results: [[("registry", ["ref": "user/app:c1"]), ("registry", ["ref": "user/app:c2"])]]),
        Row(value: "# old cache\ntype=gha", entries: ["# old cache", "type=gha"],
            results: [[("registry", ["ref": "# old cache"])], [("gha", [:])]]),
    ]

    /// Expands an entry the way buildx does: ref lists into one registry entry per ref.
    static func buildxResult(_ e: CacheEntry) -> [(type: String?, attrs: [String: String])] {
        if e.form == .refList { return e.fields.map { ("registry", ["ref": $0.value]) } }
        return [(e.type, e.attributes)]
    }

    @Test(arguments: worked)
    func workedExample(_ row: Row) {
        let items = ActionListSplitter.newlineOnly.split(row.value).map(\.text)
        #expect(items == row.entries)
        let results = items.map { Self.buildxResult(CacheEntry($0)) }
        #expect(results.count == row.results.count)
        for (got, want) in zip(results, row.results) {
            #expect(got.map { $0.type } == want.map { $0.type })
            #expect(got.map { $0.attrs } == want.map { $0.attrs })
        }
    }

    @Test func splitterTrimsOnlyTheEndsAndKeepsOffsets() {
        let items = ActionListSplitter.newlineOnly.split("  type=gha, scope=x  \n\n  type=local,src=/c\n")
        #expect(items.map(\.text) == ["type=gha, scope=x", "type=local,src=/c"])
        // Offsets point into the value: `t` of the second item is at byte 25.
        #expect(items[1].valueOffsets.first == 25)
        #expect(items[1].valueOffsets.count == items[1].text.utf8.count + 1)
    }

    @Test func splitterConsumesCSVQuotesAndJoinsFieldsBack() {
        // One record of three fields joined back with `,` (ignoreComma); quotes consumed.
        let items = ActionListSplitter.newlineOnly.split("\"type=local,src=/a\",mode=max")
        #expect(items.map(\.text) == ["type=local,src=/a,mode=max"])
        // A quoted field may span lines.
        let multi = ActionListSplitter.newlineOnly.split("\"a\nb\"\nc")
        #expect(multi.map(\.text) == ["a\nb", "c"])
    }

    @Test func commaAndNewlineSplitter() {
        #expect(ActionListSplitter.commaAndNewline.split("linux/amd64,linux/arm64").map(\.text) == ["linux/amd64", "linux/arm64"])
        #expect(ActionListSplitter.commaAndNewline.split("linux/amd64\nlinux/arm64, linux/arm/v7").map(\.text)
            == ["linux/amd64", "linux/arm64", "linux/arm/v7"])
    }

    @Test func noQuoteSplitterKeepsQuotes() {
        #expect(ActionListSplitter.newlineOnlyNoQuote.split("*.args.X=\"a,b\"\n").map(\.text) == ["*.args.X=\"a,b\""])
    }

    @Test func entryFieldsKeyCaseAndNoTrimming() {
        let e = CacheEntry("Type=gha,SCOPE=Main, mode=max")
        #expect(e.form == .attributes)
        #expect(e.type == "gha")
        #expect(e.attribute("scope") == "Main")
        #expect(e.attribute(" mode") == "max")
        #expect(e.attribute("mode") == nil)
    }

    @Test func lastTypeAndKeyWin() {
        let e = CacheEntry("type=registry,ref=a:1,type=local,src=/x,ref=b:2")
        #expect(e.typeFields.count == 2)
        #expect(e.type == "local")
        #expect(e.attribute("ref") == "b:2")
    }

    @Test func fieldWithoutEqualsAndQuotes() {
        let e = CacheEntry("type=local,\"src=/a,b\",max")
        #expect(e.attribute("src") == "/a,b")
        #expect(e.fields.last?.hasEquals == false)
        #expect(e.csvError == nil)
        #expect(CacheEntry("type=local,src=/a\"b").csvError != nil)
        #expect(CacheEntry("type=local,\"src=/a").csvError != nil)
    }

    @Test func expressionsAreOpaque() {
        let e = CacheEntry("type=gha,scope=${{ format('{0},{1}', a, b) }},mode=max")
        #expect(e.fields.count == 3)
        #expect(e.attribute("scope") == "${{ format('{0},{1}', a, b) }}")
        #expect(CacheEntry("${{ inputs.cache-from }}").isWholeExpression)
        #expect(CacheEntry("${{ x }},mode=max").form == .attributes)
        // An expression with `==` inside does not make a ref list into key=value fields.
        #expect(CacheEntry("${{ a == 'b' && 'x/y:c' || 'z/w:d' }}").form == .refList)
    }

    @Test func fieldRangesPointIntoTheText() {
        let e = CacheEntry("type=gha,scope=abc")
        let f = e.field("scope")!
        let bytes = Array(e.text.utf8)
        #expect(String(decoding: bytes[f.range], as: UTF8.self) == "scope=abc")
        #expect(String(decoding: bytes[f.keyRange], as: UTF8.self) == "scope")
        #expect(String(decoding: bytes[f.valueRange], as: UTF8.self) == "abc")
    }

    @Test func bakeOverrides() {
        let o = BakeOverride("*.cache-to=type=gha,mode=max")!
        #expect(o.target == "*")
        #expect(o.attribute == "cache-to")
        #expect(!o.append)
        #expect(o.value == "type=gha,mode=max")
        let a = BakeOverride("settings.cache-from+=type=gha,scope=x")!
        #expect(a.append)
        #expect(a.target == "settings")
        #expect(a.value == "type=gha,scope=x")
        #expect(BakeOverride("no-dot=x") == nil)
    }
}

@Suite struct ExpressionTests {
    @Test func parsesAndRendersExpressions() throws {
        let cases: [(String, String)] = [
            ("inputs.publish && '' || 'type=gha'", "inputs.publish && '' || 'type=gha'"),
            ("!inputs.x", "!inputs.x"),
            ("matrix['platform']", "matrix['platform']"),
            ("format('{0}-{1}', github.ref_name, matrix.arch)", "format('{0}-{1}', github.ref_name, matrix.arch)"),
            ("(a || b) && c", "(a || b) && c"),
            ("a == 'it''s'", "a == 'it''s'"),
            ("github.event.pull_request.labels.*.name", "github.event.pull_request.labels.*.name"),
            ("x >= 1.5", "x >= 1.5"),
        ]
        for (src, rendered) in cases {
            #expect(try ExpressionParser.parse(src).source == rendered)
        }
    }

    @Test func propertyPaths() throws {
        #expect(try ExpressionParser.parse("env.BUILDX_VERSION").propertyPath == ["env", "BUILDX_VERSION"])
        #expect(try ExpressionParser.parse("ENV.X").propertyPath == ["env", "X"])
        #expect(try ExpressionParser.parse("matrix['a-b']").propertyPath == ["matrix", "a-b"])
        #expect(try ExpressionParser.parse("format('{0}', github.repository)").referencedPaths == [["github", "repository"]])
    }

    @Test func rejectsBrokenExpressions() {
        for bad in ["a &&", "'unterminated", "a b", "f(", "a[1", "#"] {
            #expect(throws: ExpressionError.self) { try ExpressionParser.parse(bad) }
        }
    }

    @Test func falsyLiterals() {
        #expect(ExprLiteral.string("").isFalsy)
        #expect(ExprLiteral.number(0).isFalsy)
        #expect(ExprLiteral.bool(false).isFalsy)
        #expect(ExprLiteral.null.isFalsy)
        #expect(!ExprLiteral.string("0").isFalsy)
        #expect(!ExprLiteral.number(1).isFalsy)
    }

    @Test func templateParts() {
        let parts = Template.parts("a-${{ matrix.x }}-b")
        #expect(parts.count == 3)
        #expect(parts[1].range == 2..<17)
        #expect(Template.wholeExpression("  ${{ env.X }} ")?.propertyPath == ["env", "X"])
        #expect(Template.wholeExpression("x${{ env.X }}") == nil)
        #expect(Template.parts("${{ unterminated").count == 1)
    }
}

@Suite struct VersionTests {
    @Test func parseAndCompare() {
        #expect(Version("v0.14.0")! < Version("v0.21.1")!)
        #expect(Version("v0.21.0-rc1")! < Version("v0.21.0")!)
        #expect(Version("0.14.0", requireV: true) == nil)
        #expect(Version("v0.14")!.precision == 2)
        #expect(Version("v1.x") == nil)
    }

    @Test func actionReleases() {
        #expect(ReleaseFacts.release(of: "docker/setup-buildx-action", ref: "v3") == Version("v3.12.0"))
        #expect(ReleaseFacts.release(of: "docker/build-push-action", ref: "v6.4.1") == Version("v6.4.1"))
        #expect(ReleaseFacts.release(of: "docker/build-push-action", ref: "v99") == nil)
        #expect(ReleaseFacts.release(of: "docker/build-push-action", ref: "master") == nil)
        #expect(ReleaseFacts.status(of: "config-inline", action: "docker/setup-buildx-action", version: Version("v4.0.0")!)
            == .notInThisRelease(first: Version("v1.6.0")!, last: Version("v3.12.0")!))
        #expect(ReleaseFacts.status(of: "cache-from", action: "docker/build-push-action", version: Version("v6.0.0")!) == .declared)
        #expect(ReleaseFacts.status(of: "cache_from", action: "docker/build-push-action", version: Version("v6.0.0")!) == .unknown)
        #expect(ReleaseFacts.buildxReleases.contains("v0.14.0"))
        #expect(ReleaseFacts.latestStableBuildx.hasPrefix("v0."))
    }
}

@Suite struct ExpressionLimitTests {
    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000)
        #expect(throws: ExpressionError.self) { try ExpressionParser.parse(deep) }
        let nots = String(repeating: "!", count: 10_000) + "a"
        #expect(throws: ExpressionError.self) { try ExpressionParser.parse(nots) }
        #expect(Template.parts("${{ \(deep) }}").count == 1)
    }

    /// The fast path for text without quotes gives exactly what the CSV reader gives.
    @Test func unquotedFastPathMatchesCSVReader() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [String] = ["a", "b", " ", "\t", ",", "\n", "\r", "\r\n", "=", "${{ x }}", "é", "\u{0B}"]
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 0...14, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            for splitter in [ActionListSplitter.newlineOnly, .commaAndNewline, .newlineOnlyNoQuote, ActionListSplitter(ignoreComma: false, quote: false)] {
                let bytes = Array(text.utf8)
                #expect(splitter.splitUnquoted(bytes) == splitter.splitCSV(bytes), "\(text.debugDescription) ignoreComma=\(splitter.ignoreComma)")
            }
        }
    }

}

extension CacheEntryTests {
    /// The one-pass parser against the two-pass reading of `ParseCacheEntry` it replaced (split every
    /// field, decide the form from all of them, then build the fields), on generated entries.
    @Test func onePassParserMatchesTwoPassReference() {
        let tokens = [
            "type=gha", "type=registry", "TYPE=local", "scope=a", "ref=u/app:cache", "mode=max", "src=/a", "a", "u/app",
            "=", "==", ",", " ", "\"", "\"x,y\"", "\"a\"\"b\"", "\"k=v\"", "\"open", "${{ a, b = c }}", "${{ '}}' }}",
            "ref=${{ matrix.p }}", "${{", "}}", "$", "é", "ignore-error=true", "\t",
        ]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        var texts = ["", ",", ",,", "\"\"", "type=gha,", ",type=gha"]
        for _ in 0..<4000 {
            var t = ""
            for _ in 0..<(1 + next(6)) {
                t += tokens[next(tokens.count)]
                if next(3) == 0 { t += "," }
            }
            texts.append(t)
        }
        for text in texts {
            let entry = CacheEntry(text)
            let reference = Self.twoPass(text)
            #expect(entry.form == reference.form, "\(text.debugDescription)")
            #expect(entry.fields == reference.fields, "\(text.debugDescription)")
            #expect(entry.csvError?.message == reference.csvError?.0 && entry.csvError?.offset == reference.csvError?.1, "\(text.debugDescription)")
            #expect(entry.typeFields == entry.fields.filter { entry.form == .attributes && $0.hasEquals && $0.key == "type" })
        }
    }

    /// The earlier two-pass parser, kept as the reference.
    static func twoPass(_ text: String) -> (form: CacheEntry.Form, fields: [CacheField], csvError: (String, Int)?) {
        let bytes = Array(text.utf8)
        var csvError: (String, Int)? = nil
        var i = 0
        let n = bytes.count
        let comma = UInt8(ascii: ","), dq = UInt8(ascii: "\"")
        var rawFields: [CacheEntry.RawField] = []
        while true {
            let start = i
            if i < n, bytes[i] == dq {
                var content: [UInt8] = []
                var offs: [Int] = []
                i += 1
                var closed = false
                while i < n {
                    if bytes[i] == dq {
                        if i + 1 < n, bytes[i + 1] == dq {
                            content.append(dq)
                            offs.append(i)
                            i += 2
                            continue
                        }
                        closed = true
                        i += 1
                        break
                    }
                    content.append(bytes[i])
                    offs.append(i)
                    i += 1
                }
                if !closed, csvError == nil { csvError = ("unterminated quoted field", start) }
                if closed, i < n, bytes[i] != comma, csvError == nil {
                    csvError = ("extraneous or missing \" in quoted field", i)
                    while i < n, bytes[i] != comma { i += 1 }
                }
                rawFields.append(CacheEntry.RawField(content: content[...], offsets: offs, range: start..<i))
            } else {
                while i < n, bytes[i] != comma {
                    if bytes[i] == UInt8(ascii: "$"), let end = expressionEnd(bytes, i) {
                        i = end
                        continue
                    }
                    if bytes[i] == dq, csvError == nil { csvError = ("bare \" in non-quoted field", i) }
                    i += 1
                }
                rawFields.append(CacheEntry.RawField(content: bytes[start..<i], offsets: nil, range: start..<i))
            }
            if i < n, bytes[i] == comma {
                i += 1
                continue
            }
            break
        }
        var fields: [CacheField] = []
        let equals = rawFields.map { CacheEntry.firstEquals($0.content) }
        let form: CacheEntry.Form = equals.contains { $0 != nil } ? .attributes : .refList
        for (f, eq) in zip(rawFields, equals) {
            let (startOff, endOff) = f.bounds
            if form == .attributes, let e = eq {
                let keyEnd = f.offset(e)
                let valStart = e + 1 < f.content.endIndex ? f.offset(e + 1) : keyEnd + 1
                fields.append(
                    CacheField(
                        rawKey: String(decoding: f.content[..<e], as: UTF8.self),
                        value: String(decoding: f.content[(e + 1)...], as: UTF8.self), hasEquals: true,
                        range: f.range, keyRange: startOff..<keyEnd, valueRange: valStart..<max(valStart, endOff)))
            } else {
                fields.append(
                    CacheField(
                        rawKey: "", value: String(decoding: f.content, as: UTF8.self), hasEquals: false,
                        range: f.range, keyRange: startOff..<startOff, valueRange: startOff..<endOff))
            }
        }
        return (form, fields, csvError)
    }
}
