/// One item of an action list input after the actions toolkit's splitting, with the offsets of
/// every byte in the input value it came from.
public struct ListItem: Sendable, Hashable {
    /// The item's text as the action passes it on (quotes consumed, ends trimmed).
    public let text: String
    /// For each UTF-8 byte of `text`, the byte offset in the input value it came from; one extra
    /// entry at the end points just past the last source byte.
    public let valueOffsets: [Int]
    /// 0-based index of the CSV record (physical line, unless a quoted field spans lines) it came from.
    public let record: Int
}

/// How docker/actions-toolkit's `Util.getInputList`/`getList` splits a list input.
///
/// Facts: `docker/actions-toolkit/src/util.ts` (`getList`), reference §1.2: the value is CSV-parsed
/// (`relaxQuotes`, `relaxColumnCount`, `skipEmptyLines`, quote `"` unless disabled, no comment
/// character); a record of one field is pushed (split on `,` unless `ignoreComma`); a record of several
/// fields is pushed field by field, or with `ignoreComma` joined back with `,` into ONE item; empty
/// items are dropped and every item is trimmed at its ends only.
public struct ActionListSplitter: Sendable {
    /// `true` for newline-only inputs such as `cache-from`, `cache-to`, `driver-opts`, `set`.
    public var ignoreComma: Bool
    /// `false` for inputs parsed with `quote: false` (`outputs`, bake-action `set`, `driver-opts`).
    public var quote: Bool

    public init(ignoreComma: Bool, quote: Bool = true) {
        self.ignoreComma = ignoreComma
        self.quote = quote
    }

    /// build-push-action `cache-from` / `cache-to` and other one-entry-per-line inputs.
    public static let newlineOnly = ActionListSplitter(ignoreComma: true, quote: true)
    /// bake-action `set`, setup-buildx-action `driver-opts`: newline only, quotes kept.
    public static let newlineOnlyNoQuote = ActionListSplitter(ignoreComma: true, quote: false)
    /// `platforms`, `tags`, `files`, `targets`: comma and newline separated.
    public static let commaAndNewline = ActionListSplitter(ignoreComma: false, quote: true)

    /// Splits `value` (the input after `core.getInput`, whose whole-value trim does not move offsets
    /// here: pass the untrimmed value, the items are trimmed anyway).
    public func split(_ value: String) -> [ListItem] {
        let bytes = Array(value.utf8)
        if !quote || !bytes.contains(UInt8(ascii: "\"")) { return splitUnquoted(bytes) }
        return splitCSV(bytes)
    }

    /// `split` through the full CSV reader (quoted fields, doubled quotes).
    func splitCSV(_ bytes: [UInt8]) -> [ListItem] {
        var items: [ListItem] = []
        for (recordIndex, record) in csvRecords(bytes).enumerated() {
            if record.count == 1 || ignoreComma {
                // One item per record: fields joined back with `,` (the comma separators are the
                // source bytes between fields, which `record` kept as offsets).
                var text: [UInt8] = []
                var offs: [Int] = []
                for (i, field) in record.enumerated() {
                    if i > 0 {
                        text.append(UInt8(ascii: ","))
                        offs.append(field.separatorOffset)
                    }
                    text.append(contentsOf: field.bytes)
                    offs.append(contentsOf: field.offsets)
                }
                let endOffset = record.last.map { $0.endOffset } ?? 0
                if record.count == 1 && !ignoreComma {
                    // A single field is additionally split on commas (quotes already consumed).
                    var start = 0
                    for i in 0...text.count where i == text.count || text[i] == UInt8(ascii: ",") {
                        let end = i == text.count ? endOffset : offs[i]
                        appendTrimmed(Array(text[start..<i]), Array(offs[start..<i]), end, recordIndex, &items)
                        start = i + 1
                    }
                } else {
                    appendTrimmed(text, offs, endOffset, recordIndex, &items)
                }
            } else {
                for field in record {
                    appendTrimmed(field.bytes, field.offsets, field.endOffset, recordIndex, &items)
                }
            }
        }
        return items
    }

    /// `split` for text without quoting (no `"`, or quotes off): records are lines and fields are the
    /// text between commas, so every byte stays at its own offset and nothing is copied byte by byte.
    func splitUnquoted(_ b: [UInt8]) -> [ListItem] {
        var items: [ListItem] = []
        var record = 0
        var lineStart = 0
        let n = b.count
        while lineStart < n {
            var lineEnd = lineStart
            var commas = 0
            while lineEnd < n, b[lineEnd] != 0x0A, b[lineEnd] != 0x0D {
                if b[lineEnd] == UInt8(ascii: ",") { commas += 1 }
                lineEnd += 1
            }
            // skipEmptyLines: a line that is one blank field is not a record.
            if commas > 0 || b[lineStart..<lineEnd].contains(where: { !isLineSpace($0) }) {
                if commas == 0 || ignoreComma {
                    appendTrimmed(b, lineStart, lineEnd, lineEnd, record, &items)
                } else {
                    var fieldStart = lineStart
                    for i in lineStart...lineEnd where i == lineEnd || b[i] == UInt8(ascii: ",") {
                        appendTrimmed(b, fieldStart, i, i, record, &items)
                        fieldStart = i + 1
                    }
                }
                record += 1
            }
            guard lineEnd < n else { break }
            lineStart = lineEnd + (b[lineEnd] == 0x0D && lineEnd + 1 < n && b[lineEnd + 1] == 0x0A ? 2 : 1)
        }
        return items
    }

    /// Appends `b[start..<end]` trimmed as an item; `endOffset` is where the item ends when nothing is trimmed at its end.
    private func appendTrimmed(_ b: [UInt8], _ start: Int, _ end: Int, _ endOffset: Int, _ record: Int, _ items: inout [ListItem]) {
        let trimmed = trimmingASCIIWhitespace(b, start..<end)
        let lo = trimmed.lowerBound, hi = trimmed.upperBound
        guard lo < hi else { return }
        var offsets = Array(lo..<hi)
        offsets.append(hi < end ? hi : endOffset)
        items.append(ListItem(text: String(decoding: b[lo..<hi], as: UTF8.self), valueOffsets: offsets, record: record))
    }

    private func appendTrimmed(
        _ text: [UInt8], _ offs: [Int], _ end: Int, _ record: Int, _ items: inout [ListItem]
    ) {
        let trimmed = trimmingASCIIWhitespace(text, 0..<text.count)
        let lo = trimmed.lowerBound, hi = trimmed.upperBound
        guard lo < hi else { return }
        let endOff = hi < text.count ? offs[hi] : end
        items.append(
            ListItem(
                text: String(decoding: text[lo..<hi], as: UTF8.self),
                valueOffsets: Array(offs[lo..<hi]) + [endOff], record: record))
    }

    struct Field {
        var bytes: [UInt8] = []
        var offsets: [Int] = []
        /// Offset of the `,` that preceded this field (for joining back).
        var separatorOffset: Int = 0
        var endOffset: Int = 0
    }

    /// csv-parse with relaxQuotes/relaxColumnCount/skipEmptyLines: records split on line breaks
    /// outside quotes, fields on `,`; a field that starts with `"` is quoted (`""` is an escaped
    /// quote); with relaxQuotes a `"` inside an unquoted field is literal.
    func csvRecords(_ b: [UInt8]) -> [[Field]] {
        var records: [[Field]] = []
        var record: [Field] = []
        var field = Field()
        var i = 0
        var fieldStart = true
        var inQuotes = false
        let comma = UInt8(ascii: ","), dq = UInt8(ascii: "\"")

        func endRecord(at offset: Int) {
            field.endOffset = offset
            record.append(field)
            // skipEmptyLines: a record that is one empty field is dropped.
            if !(record.count == 1 && record[0].bytes.allSatisfy(isLineSpace) && !recordHadQuotes) {
                records.append(record)
            }
            record = []
            field = Field()
            fieldStart = true
            recordHadQuotes = false
        }
        var recordHadQuotes = false

        while i < b.count {
            let c = b[i]
            if inQuotes {
                if c == dq {
                    if i + 1 < b.count, b[i + 1] == dq {
                        field.bytes.append(dq)
                        field.offsets.append(i)
                        i += 2
                        continue
                    }
                    inQuotes = false
                    i += 1
                    continue
                }
                field.bytes.append(c)
                field.offsets.append(i)
                i += 1
                continue
            }
            if fieldStart && quote && c == dq {
                inQuotes = true
                recordHadQuotes = true
                fieldStart = false
                i += 1
                continue
            }
            fieldStart = false
            if c == comma {
                field.endOffset = i
                record.append(field)
                field = Field()
                field.separatorOffset = i
                fieldStart = true
                i += 1
                continue
            }
            if c == 0x0A || c == 0x0D {
                endRecord(at: i)
                if c == 0x0D, i + 1 < b.count, b[i + 1] == 0x0A { i += 1 }
                i += 1
                continue
            }
            field.bytes.append(c)
            field.offsets.append(i)
            i += 1
        }
        if !(record.isEmpty && field.bytes.isEmpty && fieldStart) || recordHadQuotes {
            endRecord(at: b.count)
        }
        return records
    }
}

@inline(__always) func isLineSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
