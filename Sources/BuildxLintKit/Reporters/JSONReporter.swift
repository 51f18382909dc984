/// The `--format json` contract (version 1), pinned by tests:
///
/// ```json
/// {"version":1,"tool":{"name":"buildx-lint","version":"X"},"diagnostics":[{"rule":"BXC001",
///  "name":"packed-cache-entries","severity":"error","path":".github/workflows/x.yml","line":46,
///  "column":23,"endLine":46,"endColumn":120,"message":"...","help":"...","fixes":[...]}]}
/// ```
/// Paths are repository-relative with `/`; lines and columns are 1-based (columns in UTF-8 bytes, end
/// exclusive); diagnostics are sorted by path, line, column, rule. `help` is omitted when there is none;
/// `fixes` lists machine-applicable edits (`title`, `edits` of `line`/`column`/`endLine`/`endColumn`/`text`).
public enum JSONReporter {
    /// Renders `diagnostics` as one JSON document (with a trailing newline).
    public static func render(_ diagnostics: [Diagnostic], toolVersion: String) -> String {
        String(decoding: renderBytes(diagnostics, toolVersion: toolVersion), as: UTF8.self)
    }

    /// `render` as UTF-8 bytes.
    public static func renderBytes(_ diagnostics: [Diagnostic], toolVersion: String) -> [UInt8] {
        var all: [UInt8] = []
        write(diagnostics, toolVersion: toolVersion) { all.append(contentsOf: $0) }
        return all
    }

    /// `render`, handed to `sink` in pieces of about 64 KiB as it is built (what the CLI does: a large
    /// report is never held in memory whole).
    public static func write(_ diagnostics: [Diagnostic], toolVersion: String, to sink: (UnsafeBufferPointer<UInt8>) -> Void) {
        withoutActuallyEscaping(sink) { write(diagnostics, toolVersion: toolVersion, into: JSONWriter(sink: $0)) }
    }

    /// Diagnostics per batch encoded on one core, and batches encoded at a time (on all cores, then written
    /// in order): about 1 MB of JSON is held at once however long the report is.
    static let batchSize = 256
    static let batchesPerWave = 8

    static func write(_ diagnostics: [Diagnostic], toolVersion: String, into writer: JSONWriter) {
        var out = writer
        out.raw("{\"version\":1,\"tool\":{\"name\":\"buildx-lint\",\"version\":")
        out.string(toolVersion)
        out.raw("},\"diagnostics\":[")
        var waveStart = 0
        while waveStart < diagnostics.count {
            let waveEnd = min(diagnostics.count, waveStart + batchSize * batchesPerWave)
            let batches = Array(stride(from: waveStart, to: waveEnd, by: batchSize)).map { $0..<min(waveEnd, $0 + batchSize) }
            let encoded = parallelMap(batches) { range -> [UInt8] in
                var bytes: [UInt8] = []
                var w = JSONWriter { bytes.append(contentsOf: $0) }
                for i in range {
                    if i > 0 { w.raw(",") }
                    encode(diagnostics[i], into: &w)
                }
                w.flush()
                return bytes
            }
            for bytes in encoded { out.append(json: bytes) }
            waveStart = waveEnd
        }
        out.raw("]}\n")
        out.flush()
    }

    /// One diagnostic as a JSON object.
    static func encode(_ d: Diagnostic, into out: inout JSONWriter) {
        out.raw("{\"rule\":"); out.string(d.ruleID)
        out.raw(",\"name\":"); out.string(d.ruleName)
        out.raw(",\"severity\":"); out.string(d.severity.rawValue)
        out.raw(",\"path\":"); out.string(d.path.display)
        out.raw(",\"line\":"); out.int(d.span.start.line)
        out.raw(",\"column\":"); out.int(d.span.start.column)
        out.raw(",\"endLine\":"); out.int(d.span.end.line)
        out.raw(",\"endColumn\":"); out.int(d.span.end.column)
        out.raw(",\"message\":"); out.string(d.message)
        if let h = d.help { out.raw(",\"help\":"); out.string(h) }
        if !d.fixes.isEmpty {
            out.raw(",\"fixes\":[")
            for (j, fix) in d.fixes.enumerated() {
                if j > 0 { out.raw(",") }
                out.raw("{\"title\":"); out.string(fix.title)
                out.raw(",\"edits\":[")
                for (k, e) in fix.edits.enumerated() {
                    if k > 0 { out.raw(",") }
                    out.raw("{\"line\":"); out.int(e.span.start.line)
                    out.raw(",\"column\":"); out.int(e.span.start.column)
                    out.raw(",\"endLine\":"); out.int(e.span.end.line)
                    out.raw(",\"endColumn\":"); out.int(e.span.end.column)
                    out.raw(",\"text\":"); out.string(e.replacement)
                    out.raw("}")
                }
                out.raw("]}")
            }
            out.raw("]")
        }
        out.raw("}")
    }

    /// A JSON string literal for `s` (RFC 8259 escaping).
    public static func quote(_ s: String) -> String {
        var text = ""
        var out = JSONWriter { text += String(decoding: $0, as: UTF8.self) }
        out.string(s)
        out.flush()
        return text
    }
}

/// Builds JSON text in a byte buffer that is handed to `sink` whenever it reaches 64 KiB (and on `flush`).
struct JSONWriter {
    private var bytes: [UInt8] = []
    private let sink: (UnsafeBufferPointer<UInt8>) -> Void
    static let chunk = 1 << 16

    init(sink: @escaping (UnsafeBufferPointer<UInt8>) -> Void) {
        self.sink = sink
        bytes.reserveCapacity(Self.chunk + 4096)
    }

    /// Hands what is buffered to the sink.
    mutating func flush() {
        if !bytes.isEmpty { bytes.withUnsafeBufferPointer(sink) }
        bytes.removeAll(keepingCapacity: true)
    }

    private mutating func flushIfFull() {
        if bytes.count >= Self.chunk { flush() }
    }

    /// Appends `s` as is (JSON punctuation and keys).
    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
        flushIfFull()
    }

    /// Appends bytes that are already JSON.
    mutating func append(json b: [UInt8]) {
        bytes.append(contentsOf: b)
        flushIfFull()
    }

    /// Appends a decimal integer.
    mutating func int(_ v: Int) {
        bytes.append(contentsOf: String(v).utf8)
    }

    /// Appends `s` as a JSON string literal (RFC 8259 escaping).
    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { buf in
            var runStart = 0
            for (i, b) in buf.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i]))
                runStart = i + 1
                switch b {
                case UInt8(ascii: "\""): bytes.append(92); bytes.append(34)
                case UInt8(ascii: "\\"): bytes.append(92); bytes.append(92)
                case 0x0A: bytes.append(92); bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(92); bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(92); bytes.append(UInt8(ascii: "t"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
        flushIfFull()
    }
}
