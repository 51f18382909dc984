import Foundation
import Testing

@testable import BuildxLintKit

// MARK: - Helpers (file-private)

private func bakeFile(_ src: String, path: String = "docker-bake.hcl") throws -> BakeFile {
    try BakeFileParser.parseHCL(SourceText(src), path: path)
}

private func bakeResolve(
    _ src: String, targets: [String] = [], env: [String: String] = [:], overrides: [String] = []
) throws -> BakeResolution {
    let f = try bakeFile(src)
    let ov = overrides.enumerated().map {
        BakeSetOverride(line: $0.element, span: SourceSpan(at: SourcePosition(line: $0.offset + 1, column: 1, offset: 0)), file: "wf.yml")!
    }
    return BakeProject(files: [f]).resolution(targets: targets, env: env, overrides: ov)
}

private func bakeTarget(_ r: BakeResolution, _ name: String) -> ResolvedBakeTarget? {
    r.targets.first { $0.name == name }
}

private func bakeValues(_ items: [BakeCacheItem]) -> [String?] {
    items.map {
        switch $0 {
        case .string(let v, _, _): return v
        case .object(let o, _, _): return "{" + o.keys.sorted().map { "\($0)=\(o[$0]! ?? "?")" }.joined(separator: ",") + "}"
        }
    }
}

private func bakeSlice(_ src: String, _ span: SourceSpan) -> String {
    String(decoding: Array(src.utf8)[span.start.offset..<span.end.offset], as: UTF8.self)
}

/// A small JSON reader with positions, standing in for the project's YAML/JSON front end.
private struct BakeTestJSON {
    let text: SourceText
    var i = 0

    init(_ s: String) { text = SourceText(s) }

    var b: [UInt8] { text.bytes }

    mutating func ws() { while i < b.count, [0x20, 0x0A, 0x0D, 0x09].contains(b[i]) { i += 1 } }

    func span(_ s: Int, _ e: Int) -> SourceSpan { SourceSpan(start: text.position(ofOffset: s), end: text.position(ofOffset: e)) }

    mutating func string() -> String {
        i += 1
        var out: [UInt8] = []
        while b[i] != 0x22 {
            if b[i] == 0x5C {
                i += 1
                switch b[i] {
                case 0x6E: out.append(0x0A)
                case 0x74: out.append(0x09)
                default: out.append(b[i])
                }
            } else {
                out.append(b[i])
            }
            i += 1
        }
        i += 1
        return String(decoding: out, as: UTF8.self)
    }

    mutating func value() -> BakeJSONNode {
        ws()
        let s = i
        switch b[i] {
        case 0x7B:
            i += 1
            var members: [(key: String, keySpan: SourceSpan, value: BakeJSONNode)] = []
            ws()
            while b[i] != 0x7D {
                ws()
                let ks = i
                let k = string()
                let kspan = span(ks, i)
                ws()
                i += 1  // ':'
                let v = value()
                members.append((k, kspan, v))
                ws()
                if b[i] == 0x2C { i += 1 }
                ws()
            }
            i += 1
            return .object(members, span(s, i))
        case 0x5B:
            i += 1
            var items: [BakeJSONNode] = []
            ws()
            while b[i] != 0x5D {
                items.append(value())
                ws()
                if b[i] == 0x2C { i += 1 }
                ws()
            }
            i += 1
            return .array(items, span(s, i))
        case 0x22:
            let v = string()
            return .string(v, span(s, i))
        case 0x74: i += 4; return .bool(true, span(s, i))
        case 0x66: i += 5; return .bool(false, span(s, i))
        case 0x6E: i += 4; return .null(span(s, i))
        default:
            while i < b.count, "-+.eE0123456789".utf8.contains(b[i]) { i += 1 }
            return .number(Double(String(decoding: b[s..<i], as: UTF8.self))!, span(s, i))
        }
    }

    static func parse(_ s: String) -> BakeJSONNode {
        var p = BakeTestJSON(s)
        return p.value()
    }
}

private let bakeSharedReal: URL? = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let u = root.deletingLastPathComponent().appendingPathComponent("shared/corpus/real")
    return FileManager.default.fileExists(atPath: u.path) ? u : nil
}()

private func bakeRealFiles(_ ext: String) -> [URL] {
    guard let dir = bakeSharedReal, let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
    var out: [URL] = []
    for case let u as URL in e where u.pathExtension == ext && u.lastPathComponent.hasPrefix("docker-bake") { out.append(u) }
    return out.sorted { $0.path < $1.path }
}

// MARK: - Declarations

@Suite struct BakeDeclarationTests {
    @Test func blocksBecomeDeclarations() throws {
        let src = """
            variable "TAG" {
              default = "latest"
              description = "the tag"
            }
            function "tagged" {
              params = [name]
              variadic_params = rest
              result = "${name}:${TAG}"
            }
            REGISTRY = "ghcr.io"
            group "default" {
              targets = ["app", "worker"]
            }
            target "app" {
              inherits = ["_base"]
              cache-from = ["type=gha"]
              cache-from = ["type=gha,scope=dup"]
            }
            target "a" "b" {}
            widget "x" {}
            """
        let f = try bakeFile(src)
        #expect(f.variables.map(\.name) == ["TAG"] && f.variables[0].description == "the tag")
        #expect(f.variables[0].default?.staticString == "latest")
        #expect(f.functions.first?.params == ["name"] && f.functions.first?.variadicParam == "rest")
        #expect(f.globals.map(\.name) == ["REGISTRY"])
        #expect(f.groups.first?.targets == ["app", "worker"])
        let app = try #require(f.targets.first)
        #expect(app.name == "app" && app.staticInherits == ["_base"])
        #expect(app.nameSpan.start.line == 14 && app.nameSpan.start.column == 8)
        #expect(app.attributeOrder == ["inherits", "cache-from"])
        #expect(app.attributes["cache-from"]?.nameSpan.start.line == 17)  // the last one wins
        #expect(f.issues.contains { $0.message.contains("more than once") && $0.span?.start.line == 17 })
        #expect(f.issues.contains { $0.message.contains("2 labels") })
        #expect(f.issues.contains { $0.message.contains("unknown block type \"widget\"") })
        let typo = try bakeFile("target \"t\" {\n  cache_from = [\"type=gha\"]\n  bogus = 1\n}\n")
        #expect(typo.issues.contains { $0.message.contains("did you mean \"cache-from\"") && $0.span?.start.line == 2 })
        #expect(typo.issues.contains { $0.message.contains("\"bogus\"") })
    }

    @Test func jsonFilesBecomeDeclarations() throws {
        let src = """
            {
              "variable": {"SCOPE": {"default": "main"}, "EMPTY": {}},
              "group": {"default": {"targets": ["app"]}},
              "target": {
                "app": {
                  "cache-from": ["type=gha,scope=${SCOPE}"],
                  "cache-to": "type=gha,mode=max",
                  "args": {"A": "${SCOPE}-x", "N": 1}
                }
              }
            }
            """
        let f = BakeFileParser.parseJSON(BakeTestJSON.parse(src), path: "docker-bake.json")
        #expect(f.isJSON && f.issues.isEmpty)
        let app = try #require(f.targets.first)
        let cf = try #require(app.attributes["cache-from"])
        #expect(cf.nameSpan.start.line == 6 && cf.nameSpan.start.column == 7)
        let r = BakeProject(files: [f]).resolution(targets: [], env: [:])
        let t = try #require(r.targets.first)
        #expect(bakeValues(t.cacheFrom) == ["type=gha,scope=main"])
        #expect(t.cacheFrom[0].span.start.line == 6 && t.cacheFrom[0].span.start.column == 22)
        #expect(t.cacheShapes.first { $0.attribute == "cache-to" }?.form == .string)
        #expect(t.args == ["A": "main-x", "N": "1"])
        #expect(r.variables["EMPTY"] == .string(""))
        let bad = BakeFileParser.parseJSON(BakeTestJSON.parse(#"{"target": {"x": {"tags": ["${oops"]}}}"#), path: "b.json")
        #expect(bad.issues.contains { $0.message.contains("invalid template") })
        let notObject = BakeFileParser.parseJSON(.array([], SourceSpan(at: SourcePosition(line: 1, column: 1, offset: 0))), path: "c.json")
        #expect(!notObject.issues.isEmpty && notObject.targets.isEmpty)
    }
}

// MARK: - Variables

@Suite struct BakeVariableTests {
    let src = """
        variable "TAG" { default = "latest" }
        variable "PUSH" { default = false }
        variable "COUNT" { type = number }
        variable "NONE" {}
        variable "NULLDEF" { default = null }
        variable "DERIVED" { default = "${TAG}-${NONE}x" }
        variable "PLATS" { type = list(string) }
        variable "CYC1" { default = CYC2 }
        variable "CYC2" { default = "${CYC1}" }
        GLOBAL = "g-${TAG}"
        """

    @Test func defaultsAndEnvironmentOverrides() throws {
        let p = BakeProject(files: [try bakeFile(src)])
        let d = p.variableValues(env: [:])
        #expect(d["TAG"] == .string("latest"))
        #expect(d["PUSH"] == .bool(false))
        #expect(d["COUNT"] == .null)
        #expect(d["NONE"] == .string(""))
        #expect(d["NULLDEF"] == .null)
        #expect(d["DERIVED"] == .string("latest-x"))
        #expect(d["CYC1"] == .unknown && d["CYC2"] == .unknown)
        let e = p.variableValues(env: ["TAG": "v1", "PUSH": "true", "COUNT": "3", "NULLDEF": "set", "PLATS": "linux/amd64,linux/arm64", "GLOBAL": "ignored"])
        #expect(e["TAG"] == .string("v1"))
        #expect(e["PUSH"] == .bool(true))
        #expect(e["COUNT"] == .number(3))
        #expect(e["NULLDEF"] == .string("set"))
        #expect(e["DERIVED"] == .string("v1-x"))
        #expect(e["PLATS"] == .list([.string("linux/amd64"), .string("linux/arm64")]))
        #expect(p.variableValues(env: ["PUSH": "maybe"])["PUSH"] == .unknown)
        // Top-level attributes act as variables the environment cannot override.
        let g = p.evaluate(try HCLParser.parseExpression(SourceText("GLOBAL")), env: ["GLOBAL": "ignored", "TAG": "t"])
        #expect(g == .string("g-t"))
    }

    @Test func cyclesAreReported() throws {
        let r = try bakeResolve(src + "\ntarget \"default\" {}\n")
        #expect(r.issues.contains { $0.message.contains("refers to itself") })
    }

    @Test func variablesFeedCacheEntries() throws {
        let r = try bakeResolve("""
            variable "PLATFORM_PAIR" { default = "" }
            target "default" {
              cache-from = ["type=gha,scope=build-${PLATFORM_PAIR}"]
              cache-to = ["type=gha,mode=max,scope=build-${PLATFORM_PAIR}"]
            }
            """, env: ["PLATFORM_PAIR": "linux-arm64"])
        let t = try #require(r.targets.first)
        #expect(bakeValues(t.cacheFrom) == ["type=gha,scope=build-linux-arm64"])
        #expect(t.attributes["cache-to"]?.elements?.first?.variables == ["PLATFORM_PAIR"])
    }
}

// MARK: - Groups

@Suite struct BakeGroupTests {
    @Test func nestedGroupsExpandInOrder() throws {
        let r = try bakeResolve("""
            group "default" { targets = ["all", "c"] }
            group "all" { targets = ["a", "inner", "a"] }
            group "inner" { targets = ["b"] }
            target "a" {}
            target "b" {}
            target "c" {}
            """)
        #expect(r.targets.map(\.name) == ["a", "b", "c"])
        #expect(r.issues.isEmpty)
    }

    @Test func cyclicGroupsTerminate() throws {
        let r = try bakeResolve("""
            group "default" { targets = ["x"] }
            group "x" { targets = ["y", "t1"] }
            group "y" { targets = ["x", "t2"] }
            group "self" { targets = ["self"] }
            target "t1" {}
            target "t2" {}
            """, targets: ["default", "self"])
        #expect(r.targets.map(\.name) == ["t2", "t1"])
        #expect(r.issues.contains { $0.message.contains("contains itself") })
    }

    @Test func groupMembersCanBeExpressions() throws {
        let r = try bakeResolve("""
            variable "EXTRA" { default = "b" }
            group "default" { targets = concat(["a"], [EXTRA]) }
            target "a" {}
            target "b" {}
            """)
        #expect(r.targets.map(\.name) == ["a", "b"])
    }

    @Test func unknownTargetsAndPatterns() throws {
        let r = try bakeResolve("""
            target "app-1" {}
            target "app-2" {}
            target "web" {}
            """, targets: ["app-*", "missing"])
        #expect(r.targets.map(\.name) == ["app-1", "app-2"])
        #expect(r.issues.contains { $0.message.contains("\"missing\" is not defined") })
        let none = try bakeResolve("target \"x\" {}")
        #expect(none.targets.isEmpty && none.issues.contains { $0.message.contains("default") })
    }
}

// MARK: - Inherits

@Suite struct BakeInheritsTests {
    static let src = """
        target "_base" {
          cache-from = ["type=gha,scope=base", "type=registry,ref=r/cache"]
          cache-to = ["type=gha,mode=max,scope=base"]
          platforms = ["linux/amd64"]
          args = { A = "1", B = "2" }
          tags = ["base"]
        }
        target "child-replace" {
          inherits = ["_base"]
          cache-from = ["type=gha,scope=child", "type=gha,scope=base"]
          cache-to = ["type=gha,mode=max,scope=child"]
          args = { B = "3", C = null }
        }
        target "child-inherit" {
          inherits = ["_base"]
          tags = ["own"]
        }
        target "child-clear" {
          inherits = ["_base"]
          cache-to = []
        }
        target "grandchild" {
          inherits = ["child-inherit", "other"]
        }
        target "other" {
          platforms = ["linux/arm64"]
        }
        target "loop-a" { inherits = ["loop-b"] }
        target "loop-b" { inherits = ["loop-a"] }
        target "orphan" { inherits = ["nope"] }
        """

    @Test func cacheFromAppendsAndDeduplicates() throws {
        let r = try bakeResolve(Self.src, targets: ["child-replace"])
        let t = try #require(r.targets.first)
        #expect(bakeValues(t.cacheFrom) == ["type=gha,scope=base", "type=registry,ref=r/cache", "type=gha,scope=child"])
        // The duplicate keeps the parent's element span (first occurrence).
        #expect(t.cacheFrom[0].span.start.line == 2 && t.cacheFrom[0].span.start.column == 17)
        #expect(t.cacheFrom[2].span.start.line == 10)
        #expect(bakeValues(t.cacheTo) == ["type=gha,mode=max,scope=child"])
        #expect(t.cacheTo[0].span.start.line == 11)
        #expect(t.args == ["A": "1", "B": "3"])
        #expect(t.platforms == ["linux/amd64"] && t.tags == ["base"])
        #expect(t.ancestors == ["_base"])
    }

    @Test func cacheToIsInheritedWithTheParentsSpan() throws {
        let r = try bakeResolve(Self.src, targets: ["child-inherit", "child-clear"])
        let t = try #require(bakeTarget(r, "child-inherit"))
        #expect(bakeValues(t.cacheTo) == ["type=gha,mode=max,scope=base"])
        let item = try #require(t.cacheTo.first)
        #expect(item.file == "docker-bake.hcl")
        #expect(item.span.start == SourcePosition(line: 3, column: 15, offset: 99))
        #expect(bakeSlice(Self.src, item.span) == "\"type=gha,mode=max,scope=base\"")
        #expect(t.tags == ["own"])
        #expect(t.attributes["cache-to"]?.origin.declName == "_base")
        let cleared = try #require(bakeTarget(r, "child-clear"))
        #expect(cleared.cacheTo.isEmpty)
        #expect(cleared.cacheFrom.count == 2)
    }

    @Test func multipleParentsAndCycles() throws {
        let r = try bakeResolve(Self.src, targets: ["grandchild", "loop-a", "orphan"])
        let g = try #require(bakeTarget(r, "grandchild"))
        #expect(g.platforms == ["linux/arm64"])  // later parent wins for replaced attributes
        #expect(g.tags == ["own"])
        #expect(bakeValues(g.cacheTo) == ["type=gha,mode=max,scope=base"])
        #expect(g.ancestors == ["child-inherit", "_base", "other"])
        #expect(bakeTarget(r, "loop-a") != nil)
        #expect(r.issues.contains { $0.message.contains("inherits cycle") })
        #expect(r.issues.contains { $0.message.contains("\"nope\" in inherits does not exist") })
    }

    @Test func sameNamedTargetsAcrossFilesMerge() throws {
        let a = try bakeFile("""
            variable "V" { default = "one" }
            target "app" {
              cache-from = ["type=gha,scope=${V}"]
              cache-to = ["type=gha,mode=max,scope=${V}"]
              tags = ["a"]
            }
            """, path: "docker-bake.hcl")
        let b = try bakeFile("""
            variable "V" { default = "two" }
            target "app" {
              cache-from = ["type=registry,ref=x"]
              tags = ["b"]
            }
            """, path: "docker-bake.override.hcl")
        let r = BakeProject(files: [a, b]).resolution(targets: ["app"], env: [:])
        let t = try #require(r.targets.first)
        #expect(bakeValues(t.cacheFrom) == ["type=gha,scope=two", "type=registry,ref=x"])
        #expect(t.cacheFrom.map(\.file) == ["docker-bake.hcl", "docker-bake.override.hcl"])
        #expect(bakeValues(t.cacheTo) == ["type=gha,mode=max,scope=two"])
        #expect(t.tags == ["b"])
    }
}

// MARK: - Matrix

@Suite struct BakeMatrixTests {
    @Test func matrixExpandsWithNameTemplates() throws {
        let src = """
            group "default" { targets = ["app"] }
            target "app" {
              name = "app-${v}"
              matrix = { v = ["a", "b"] }
              platforms = ["linux/${v == "a" ? "amd64" : "arm64"}"]
              cache-to = ["type=gha,mode=max,scope=${v}"]
            }
            """
        let r = try bakeResolve(src)
        #expect(r.targets.map(\.name) == ["app-a", "app-b"])
        let b = try #require(bakeTarget(r, "app-b"))
        #expect(b.declName == "app" && b.nameKnown && b.matrix == ["v": .string("b")])
        #expect(b.platforms == ["linux/arm64"])
        #expect(bakeValues(b.cacheTo) == ["type=gha,mode=max,scope=b"])
        #expect(b.cacheTo[0].span.start.line == 6)
        // Requesting the label selects every expansion (buildx adds a group with the label's name).
        let r2 = try bakeResolve(src, targets: ["app"])
        #expect(r2.targets.count == 2)
    }

    @Test func multiKeyMatrixAndObjects() throws {
        let r = try bakeResolve("""
            target "t" {
              name = "t-${sanitize(item.os)}-${arch}"
              matrix = {
                item = [{ os = "linux/x", tag = "l" }, { os = "win", tag = "w" }]
                arch = ["amd64", "arm64"]
              }
              tags = ["img:${item.tag}-${arch}"]
            }
            """, targets: ["t"])
        #expect(Set(r.targets.map(\.name)) == ["t-linux_x-amd64", "t-linux_x-arm64", "t-win-amd64", "t-win-arm64"])
        #expect(bakeTarget(r, "t-win-arm64")?.tags == ["img:w-arm64"])
    }

    @Test func unknownNamesAndBadMatrices() throws {
        let r = try bakeResolve("""
            target "u" {
              name = "u-${nosuch(v)}"
              matrix = { v = ["a"] }
            }
            target "bad" {
              matrix = "nope"
            }
            target "noname" {
              matrix = { v = ["a", "b"] }
            }
            """, targets: ["u", "bad", "noname"])
        let u = try #require(r.targets.first { $0.declName == "u" })
        #expect(!u.nameKnown && u.name == "u-\u{FFFC}")
        #expect(r.issues.contains { $0.message.contains("must be an object of lists") })
        #expect(r.issues.contains { $0.message.contains("no \"name\"") })
    }

    @Test func matrixCombinationsAreCapped() throws {
        let values = "[" + (0..<40).map { "\"\($0)\"" }.joined(separator: ",") + "]"
        let src = "target \"big\" {\n  name = \"big-${a}-${b}\"\n  matrix = { a = \(values), b = \(values) }\n}\n"
        let r = try bakeResolve(src, targets: ["big"])
        #expect(r.targets.count == 1_024)
        #expect(r.issues.contains { $0.message.contains("combinations") })
    }
}

// MARK: - Cache entries

@Suite struct BakeCacheEntryTests {
    @Test func objectEntriesAndBareStrings() throws {
        let src = """
            target "default" {
              cache-from = [{ type = "gha", scope = "x" }, "type=local,src=/tmp/c", ""]
              cache-to = "type=gha,mode=max"
            }
            target "unused" {
              cache-from = "user/app:cache"
            }
            """
        let r = try bakeResolve(src)
        let t = try #require(r.targets.first)
        #expect(bakeValues(t.cacheFrom) == ["{scope=x,type=gha}", "type=local,src=/tmp/c"])
        guard case .object(let o, let span, _) = t.cacheFrom[0] else {
            Issue.record("expected an object entry")
            return
        }
        #expect(o["type"] == "gha" && span.start.column == 17)
        // A bare string is a load error for buildx ("list required"): flagged by its form, still usable.
        #expect(bakeValues(t.cacheTo) == ["type=gha,mode=max"])
        let shape = try #require(t.cacheShapes.first { $0.attribute == "cache-to" })
        #expect(shape.form == .string && shape.nameSpan.start.line == 3 && shape.valueSpan.start.column == 14)
        #expect(t.cacheShapes.first { $0.attribute == "cache-from" }?.form == .list)
        // Every block counts for the load, requested or not.
        #expect(r.allCacheShapes.filter { $0.form == .string }.map(\.declName) == ["default", "unused"])
    }

    @Test func elementSpansThroughExpressions() throws {
        let src = """
            variable "REF" { default = "" }
            target "default" {
              cache-from = REF == "" ? [] : ["type=registry,ref=${REF}"]
              cache-to = concat(["type=inline"], [for s in ["a", "b"] : "type=gha,scope=${s}"])
            }
            """
        let r = try bakeResolve(src, env: ["REF": "r/c"])
        let t = try #require(r.targets.first)
        #expect(bakeValues(t.cacheFrom) == ["type=registry,ref=r/c"])
        #expect(bakeSlice(src, t.cacheFrom[0].span) == "\"type=registry,ref=${REF}\"")
        #expect(bakeValues(t.cacheTo) == ["type=inline", "type=gha,scope=a", "type=gha,scope=b"])
        #expect(bakeSlice(src, t.cacheTo[0].span) == "\"type=inline\"")
        #expect(bakeSlice(src, t.cacheTo[2].span) == "\"type=gha,scope=${s}\"")
        let empty = try bakeResolve(src)
        #expect(empty.targets.first?.cacheFrom.isEmpty == true)
    }

    @Test func unknownsSurfaceAsNilWithPartialText() throws {
        let src = """
            target "default" {
              cache-from = ["type=gha,scope=${whoknows()}-x", timestamp()]
              cache-to = some_function()
            }
            """
        let r = try bakeResolve(src)
        let t = try #require(r.targets.first)
        #expect(bakeValues(t.cacheFrom) == [nil, nil])
        #expect(!t.cacheFrom[0].isKnown)
        let els = try #require(t.attributes["cache-from"]?.elements)
        #expect(els[0].partial == "type=gha,scope=\u{FFFC}-x")
        #expect(els[1].partial == nil)
        #expect(bakeValues(t.cacheTo) == [nil])
        #expect(bakeSlice(src, t.cacheTo[0].span) == "some_function()")
        #expect(t.cacheShapes.first { $0.attribute == "cache-to" }?.form == .unknown)
        #expect(t.attributes["cache-from"]?.isFullyKnown == false)
    }

    @Test func setOverridesReplaceOrAppend() throws {
        let src = """
            target "a" {
              cache-from = ["type=gha,scope=a"]
              cache-to = ["type=gha,mode=max,scope=a"]
            }
            target "b" {
              platforms = ["linux/amd64"]
            }
            group "default" { targets = ["a", "b"] }
            """
        let r = try bakeResolve(src, overrides: [
            "*.cache-to=type=gha,mode=max",
            "a.cache-from+=type=registry,ref=r",
            "b.platform=linux/arm64,linux/amd64",
            "b.args.X=1",
            "nomatch.tags=x",
        ])
        let a = try #require(bakeTarget(r, "a"))
        #expect(bakeValues(a.cacheTo) == ["type=gha,mode=max"])
        #expect(a.cacheTo[0].file == "wf.yml" && a.cacheTo[0].span.start.line == 1)
        #expect(bakeValues(a.cacheFrom) == ["type=gha,scope=a", "type=registry,ref=r"])
        #expect(a.cacheShapes.contains { $0.fromOverride && $0.attribute == "cache-from" })
        let b = try #require(bakeTarget(r, "b"))
        #expect(bakeValues(b.cacheTo) == ["type=gha,mode=max"])
        #expect(b.platforms == ["linux/arm64", "linux/amd64"])
        #expect(b.args == ["X": "1"])
        #expect(r.issues.contains { $0.message.contains("matches no target") })
        // Repeated `=` overrides of one key accumulate into the replacing list.
        let r2 = try bakeResolve(src, targets: ["a"], overrides: ["a.cache-to=type=inline", "a.cache-to=type=local,dest=d"])
        #expect(bakeValues(r2.targets[0].cacheTo) == ["type=inline", "type=local,dest=d"])
        #expect(BakeSetOverride(line: "novalue", span: SourceSpan(at: SourcePosition(line: 1, column: 1, offset: 0)), file: "f") == nil)
    }

    @Test func targetReferencesAndUserFunctions() throws {
        let r = try bakeResolve("""
            variable "REPO" { default = "me/app" }
            function "cache" {
              params = [scope]
              result = ["type=gha,scope=${scope}", "type=registry,ref=${REPO}:cache-${scope}"]
            }
            target "a" {
              tags = ["${REPO}:a"]
              cache-from = cache("a")
            }
            target "b" {
              tags = target.a.tags
              cache-from = cache(target.a.tags[0])
            }
            """, targets: ["b"])
        let b = try #require(r.targets.first)
        #expect(b.tags == ["me/app:a"])
        #expect(bakeValues(b.cacheFrom) == ["type=gha,scope=me/app:a", "type=registry,ref=me/app:cache-me/app:a"])
    }
}

// MARK: - Hostile input

@Suite struct BakeHostileInputTests {
    @Test func longChainsTerminateQuickly() throws {
        var src = ""
        for i in 0..<3_000 {
            src += "target \"t\(i)\" {\n  inherits = [\"t\(i + 1)\"]\n  cache-from = [\"type=gha,scope=${V\(i)}\"]\n}\n"
            src += "variable \"V\(i)\" { default = V\(i + 1) }\n"
            src += "group \"g\(i)\" { targets = [\"g\(i + 1)\"] }\n"
        }
        src += "group \"g3000\" { targets = [\"t0\"] }\n"
        let clock = ContinuousClock()
        var r: BakeResolution?
        let t = try clock.measure { r = try bakeResolve(src, targets: ["g0", "t0", "t2999"]) }
        let res = try #require(r)
        #expect(t < .seconds(10))
        #expect(res.issues.contains { $0.message.contains("inherits chain deeper") })
        #expect(res.issues.contains { $0.message.contains("nested too deeply") })
        #expect(res.issues.contains { $0.message.contains("chain of more than") })
        #expect(res.targets.contains { $0.name == "t2999" })
    }

    @Test func explosiveMatricesAndStringsAreBounded() throws {
        var src = "variable \"S0\" { default = \"xxxxxxxxxxxxxxxx\" }\n"
        for i in 1...40 { src += "variable \"S\(i)\" { default = \"${S\(i - 1)}${S\(i - 1)}\" }\n" }
        src += "target \"default\" { tags = [S40] }\n"
        let clock = ContinuousClock()
        var r: BakeResolution?
        let t = try clock.measure { r = try bakeResolve(src) }
        #expect(t < .seconds(5))
        #expect(r?.targets.first?.tags == [])
        #expect(r?.targets.first?.attributes["tags"]?.isFullyKnown == false)
    }
}

// MARK: - Real files

@Suite struct BakeRealFileTests {
    @Test func realHCLFilesResolveEveryTarget() throws {
        let files = bakeRealFiles("hcl")
        guard bakeSharedReal != nil else { return }
        #expect(!files.isEmpty)
        for u in files {
            let f = try BakeFileParser.parseHCL(SourceText(Array(try Data(contentsOf: u))), path: u.lastPathComponent)
            #expect(f.issues.isEmpty, "\(u.path): \(f.issues)")
            let p = BakeProject(files: [f])
            let clock = ContinuousClock()
            var r: BakeResolution?
            let t = clock.measure { r = p.resolution(targets: p.targetDecls.map(\.name) + ["default"], env: [:]) }
            let res = try #require(r)
            #expect(!res.targets.isEmpty, "\(u.path)")
            #expect(t < .seconds(1), "\(u.path) took \(t)")
            for target in res.targets {
                for item in target.cacheFrom + target.cacheTo { #expect(item.span.start.line >= 1) }
            }
        }
    }

    @Test func knownRealFileFacts() throws {
        guard let dir = bakeSharedReal else { return }
        let base = dir.appendingPathComponent("containerbase__base/docker-bake.hcl")
        guard FileManager.default.fileExists(atPath: base.path) else { return }
        let f = try BakeFileParser.parseHCL(SourceText(Array(try Data(contentsOf: base))), path: "docker-bake.hcl")
        let r = BakeProject(files: [f]).resolution(targets: ["push"], env: ["CHANNEL": "next"])
        let push = try #require(r.targets.first)
        // The empty fallback element of the inherited list is dropped, the other two come from "settings".
        #expect(bakeValues(push.cacheFrom) == ["type=registry,ref=ghcr.io/containerbase/cache:base", "type=registry,ref=ghcr.io/containerbase/cache:base-next"])
        #expect(push.cacheFrom.allSatisfy { $0.span.start.line == 77 || $0.span.start.line == 78 })
        #expect(push.cacheTo.count == 1 && push.cacheTo[0].span.start.line == 154)
        let moby = dir.appendingPathComponent("moby__buildkit/docker-bake.hcl")
        guard FileManager.default.fileExists(atPath: moby.path) else { return }
        let m = try BakeFileParser.parseHCL(SourceText(Array(try Data(contentsOf: moby))), path: "docker-bake.hcl")
        let mr = BakeProject(files: [m]).resolution(targets: ["validate-dockerfile", "lint"], env: [:])
        #expect(mr.targets.contains { $0.name == "validate-dockerfile-3254677a7917c6c01f55212f86c57fbf" })
        #expect(mr.targets.filter { $0.declName == "lint" }.count == 7)
        #expect(mr.targets.first { $0.name == "lint-gopls" }?.target == "gopls-analyze")
    }

    @Test func realJSONFilesResolve() throws {
        let files = bakeRealFiles("json")
        guard bakeSharedReal != nil else { return }
        for u in files {
            let text = try String(contentsOf: u, encoding: .utf8)
            let f = BakeFileParser.parseJSON(BakeTestJSON.parse(text), path: u.lastPathComponent)
            #expect(f.issues.isEmpty, "\(u.path): \(f.issues)")
            let p = BakeProject(files: [f])
            let r = p.resolution(targets: p.groupDecls.map(\.name) + p.targetDecls.map(\.name), env: ["DEPS_ID": "d1"])
            #expect(!r.targets.isEmpty, "\(u.path)")
            if u.path.contains("labonnealternance") {
                let ui = try #require(r.targets.first { $0.name == "ui-recette" })
                #expect(bakeValues(ui.cacheFrom) == ["type=gha,scope=d1"])
                #expect(bakeValues(ui.cacheTo) == ["type=gha,mode=max,scope=d1"])
                #expect(ui.ancestors == ["common"])
            }
        }
    }

    @Test func twoHundredLineFileIsFast() throws {
        var src = "variable \"TAG\" { default = \"x\" }\n"
        for i in 0..<40 {
            src += "target \"t\(i)\" {\n  inherits = [\"_b\"]\n  cache-from = [\"type=gha,scope=t\(i)-${TAG}\"]\n  tags = [\"r/t:${TAG}\"]\n}\n"
        }
        src += "target \"_b\" { platforms = [\"linux/amd64\"] }\n"
        let text = SourceText(src)
        let clock = ContinuousClock()
        let t = try clock.measure {
            for _ in 0..<10 { _ = try HCLParser.parse(text) }
        }
        #expect(t < .milliseconds(200))  // generous: debug build, 10 runs
        let r = BakeProject(files: [try BakeFileParser.parseHCL(text, path: "f")]).resolution(targets: ["t*"], env: [:])
        #expect(r.targets.count == 40)
    }

    /// BXC106 on a scope written as a variable without default (labonnealternance's `docker-bake.json`):
    /// the message names the variable instead of an empty scope, and the fix keeps it.
    @Test(arguments: [
        ("docker-bake.hcl", "variable \"DEPS_ID\" {}\ntarget \"a\" {\n  context = \"a\"\n  cache-to = [\"type=gha,mode=max,scope=${DEPS_ID}\"]\n}\ntarget \"b\" {\n  context = \"b\"\n  cache-to = [\"type=gha,mode=max,scope=${DEPS_ID}\"]\n}\ngroup \"default\" {\n  targets = [\"a\", \"b\"]\n}\n"),
        ("docker-bake.json", "{\"variable\": {\"DEPS_ID\": {}}, \"target\": {\"a\": {\"context\": \"a\", \"cache-to\": [\"type=gha,mode=max,scope=${DEPS_ID}\"]}, \"b\": {\"context\": \"b\", \"cache-to\": [\"type=gha,mode=max,scope=${DEPS_ID}\"]}}, \"group\": {\"default\": {\"targets\": [\"a\", \"b\"]}}}\n"),
    ])
    func sharedScopeFromAnUnsetVariableIsNamed(_ path: String, _ src: String) throws {
        let found = TestSupport.lint([(path, src)]).diagnostics.filter { $0.ruleID == "BXC106" }
        let d = try #require(found.first)
        #expect(d.message.contains("gha scope `${DEPS_ID}`, the same for every target"))
        #expect(!d.message.contains("empty gha scope"))
        #expect(d.help?.contains("`scope=${DEPS_ID}-a` for `a`") == true)
    }
}

/// Hostile bake files end quickly with unknown values, never a trap (cases from an attack on the evaluator).
@Suite struct BakeHostileValueTests {
    /// `format("%[N]s")` with a 20-digit index, and `env` or runner variables set to values not known here.
    @Test func formatIndexAndUnknownEnvironment() throws {
        let r = try bakeResolve("target \"a\" {\n  cache-to = [format(\"type=gha,scope=%[99999999999999999999]s\", \"x\")]\n}\n", targets: ["a"])
        let a = try #require(bakeTarget(r, "a"))
        #expect(bakeValues(a.cacheTo) == [nil], "\(bakeValues(a.cacheTo))")
        let src = "variable \"CI\" {\n  default = \"false\"\n}\ntarget \"a\" {\n  cache-to = [\"type=gha,scope=${CI}\"]\n}\n"
        let plain = try #require(bakeTarget(try bakeResolve(src, targets: ["a"]), "a"))
        let inCI = try #require(bakeTarget(try bakeResolve(src, targets: ["a"], env: ["CI": "true"]), "a"))
        let unknown = try #require(bakeTarget(try bakeResolve(src, targets: ["a"], env: ["CI": BakeProject.unknownEnvironmentValue]), "a"))
        #expect(bakeValues(plain.cacheTo) == ["type=gha,scope=false"], "\(bakeValues(plain.cacheTo))")
        #expect(bakeValues(inCI.cacheTo) == ["type=gha,scope=true"], "\(bakeValues(inCI.cacheTo))")
        #expect(bakeValues(unknown.cacheTo) == [nil], "\(bakeValues(unknown.cacheTo))")
    }

    /// Variables that each hold the previous one twice: small in memory, 2^24 leaves written out. The value
    /// becomes unknown at `HCLValue.maxNodes` instead of `jsonencode` walking every leaf.
    @Test func sharedValuesDoNotBlowUp() throws {
        var src = "variable \"v0\" {\n  default = {x = \"a\"}\n}\n"
        for i in 1...24 { src += "variable \"v\(i)\" {\n  default = {a = v\(i - 1), b = v\(i - 1)}\n}\n" }
        src += "target \"a\" {\n  cache-to = [\"type=gha,scope=${md5(jsonencode(v24))}\"]\n}\n"
        let start = ContinuousClock.now
        let a = try #require(bakeTarget(try bakeResolve(src, targets: ["a"]), "a"))
        #expect(bakeValues(a.cacheTo) == [nil], "\(bakeValues(a.cacheTo))")
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(HCLValue.list([.string("a"), .list([.null])]).isLarger(than: 2))
        #expect(!HCLValue.list([.string("a"), .list([.null])]).isLarger(than: 4))
    }
}
