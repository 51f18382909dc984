import CYAML

/// The YAML front end: composes libyaml's parse events into a `YAMLNode` tree with byte-accurate
/// positions, without resolving tags or expanding aliases.
///
/// Nodes are built bottom-up from an explicit stack (never by recursion), so hostile nesting
/// cannot overflow the Swift stack; `YAMLLimits` bounds depth, alias count and node count.
public enum YAMLParser {
    /// Parses every document of `text` (whose bytes are fed to libyaml as UTF-8; `SourceText` has
    /// already removed a byte order mark).
    ///
    /// - Parameters:
    ///   - text: The file's bytes and line table. All positions in the result refer to it: 1-based
    ///     line, 1-based UTF-8 byte column, 0-based byte offset into `text.bytes`.
    ///   - limits: Bounds on nesting depth, alias count and node count.
    /// - Returns: One root per document (`[]` for a stream without documents; a document that is
    ///   only `---` gets an empty plain scalar root, as libyaml reports it), plus non-fatal warnings
    ///   (duplicate keys, undefined or self-referencing aliases).
    /// - Throws: `YAMLError` at libyaml's problem position for syntax errors, invalid UTF-8 and
    ///   disallowed control characters; at the offending node for "nesting deeper than N levels",
    ///   "too many aliases (limit N)" and "too many nodes (limit N)".
    public static func parse(_ text: SourceText, limits: YAMLLimits = .default) throws(YAMLError) -> YAMLFile {
        // libyaml keeps a pointer to the parser inside the parser (read_handler_data), so the
        // struct must live at a stable address: allocate it instead of using a Swift local.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer {
            parser.deallocate()
            event.deallocate()
        }
        guard yaml_parser_initialize(parser) != 0 else {
            throw YAMLError(message: "out of memory while starting the YAML parser", position: SourcePosition(line: 1, column: 1, offset: 0))
        }
        defer { yaml_parser_delete(parser) }

        let result: Result<YAMLFile, YAMLError> = text.bytes.withUnsafeBufferPointer { buf in
            // libyaml reads the input lazily, so the buffer must stay valid for the whole parse.
            guard let base = buf.baseAddress, buf.count > 0 else {
                return .success(YAMLFile(text: text, documents: [], warnings: []))  // empty stream
            }
            yaml_parser_set_input_string(parser, base, buf.count)
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            var composer = Composer(text: text, bytes: buf, limits: limits)
            do throws(YAMLError) {
                try composer.run(parser: parser, event: event)
                return .success(YAMLFile(text: text, documents: composer.documents, warnings: composer.warnings))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// Event-by-event tree builder. One instance per parse.
private struct Composer {
    /// A mapping or sequence whose end event has not arrived yet. Its children and scalar keys live
    /// in the composer's shared `children` / `keys` arrays from `childBase` / `keyBase` on (inner
    /// collections always finish first), so each collection allocates its final array only once.
    struct Frame {
        var isMapping: Bool
        var start: SourcePosition
        var valueStart: SourcePosition
        var anchor: String?
        var tag: String?
        var style: CollectionStyle
        var childBase: Int
        var keyBase: Int
        /// Replaces the linear key search once a mapping has many keys.
        var keyDict: [String: Int]?
    }

    let text: SourceText
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: YAMLLimits
    /// True when every byte is ASCII: libyaml's character index then equals the byte offset.
    let isASCII: Bool
    /// Last converted mark (character index -> byte offset); marks arrive nearly in order, so
    /// converting from here keeps the conversion linear overall even on one huge line.
    var cursorChar = 0
    var cursorByte = 0

    var stack: [Frame] = []
    /// Completed children of the open collections, innermost last; a mapping's are key, value, ...
    var children: [YAMLNode] = []
    /// Scalar keys (with their line) of the open mappings, for duplicate detection.
    var keys: [(String, Int)] = []
    var documents: [YAMLNode] = []
    var warnings: [YAMLWarning] = []
    var currentRoot: YAMLNode?
    /// Completed anchored nodes of the current document, by anchor name (latest definition wins).
    var anchors: [String: YAMLNode] = [:]
    /// Anchors on collections that are still open (an alias to them would be a cycle).
    var openAnchors: [String: Int] = [:]
    var aliasCount = 0
    var nodeCount = 0

    init(text: SourceText, bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) {
        self.text = text
        self.bytes = bytes
        self.limits = limits
        isASCII = allASCII(bytes)
    }

    /// Feeds every event of the stream to `handle`, deleting each after use.
    mutating func run(parser: UnsafeMutablePointer<yaml_parser_t>, event: UnsafeMutablePointer<yaml_event_t>) throws(YAMLError) {
        while true {
            guard yaml_parser_parse(parser, event) != 0 else {
                throw parserError(parser)
            }
            // Delete the event on every path, including when handling it throws.
            defer { yaml_event_delete(event) }
            let type = event.pointee.type
            if type == YAML_STREAM_END_EVENT { return }
            try handle(event, type: type)
        }
    }

    // MARK: Events

    mutating func handle(_ event: UnsafeMutablePointer<yaml_event_t>, type: yaml_event_type_t) throws(YAMLError) {
        switch type {
        case YAML_SCALAR_EVENT:
            let data = event.pointee.data.scalar
            let start = position(event.pointee.start_mark)
            var end = position(event.pointee.end_mark)
            try countNode(at: start)
            let value: String =
                data.length == 0 ? "" : String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            let style: ScalarStyle
            switch data.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            if style == .literal || style == .folded {
                // libyaml ends a block scalar where the next token starts (after trailing blank
                // lines); end it after its last non-blank byte instead so it doesn't cover them.
                end = trimBlockEnd(start: start, end: end)
            }
            let anchor = cString(data.anchor)
            let tag = cString(data.tag)
            var valueStart = start
            if anchor != nil || tag != nil { valueStart = skipProperties(from: start, limit: end) }
            let node = YAMLNode(
                kind: .scalar(value, style), span: SourceSpan(start: start, end: end),
                valueSpan: SourceSpan(start: valueStart, end: end), anchor: anchor, tag: tag)
            if let anchor { anchors[anchor] = node }
            add(node)

        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let isMapping = type == YAML_MAPPING_START_EVENT
            let start = position(event.pointee.start_mark)
            if stack.count >= limits.maxDepth {
                throw YAMLError(message: "nesting deeper than \(limits.maxDepth) levels", position: start)
            }
            try countNode(at: start)
            let anchor: String?
            let tag: String?
            let flow: Bool
            if isMapping {
                let d = event.pointee.data.mapping_start
                anchor = cString(d.anchor)
                tag = cString(d.tag)
                flow = d.style == YAML_FLOW_MAPPING_STYLE
            } else {
                let d = event.pointee.data.sequence_start
                anchor = cString(d.anchor)
                tag = cString(d.tag)
                flow = d.style == YAML_FLOW_SEQUENCE_STYLE
            }
            var valueStart = start
            if anchor != nil || tag != nil { valueStart = skipProperties(from: start, limit: nil) }
            if let anchor {
                // Until this collection completes, its anchor names an unfinished node.
                anchors[anchor] = nil
                openAnchors[anchor, default: 0] += 1
            }
            stack.append(
                Frame(
                    isMapping: isMapping, start: start, valueStart: valueStart, anchor: anchor, tag: tag,
                    style: flow ? .flow : .block, childBase: children.count, keyBase: keys.count))

        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard var frame = stack.popLast() else { return }
            let base = frame.childBase
            var end: SourcePosition
            if frame.style == .block, children.count > base {
                // A block collection's end event sits at the next token (possibly after comments
                // and blank lines); its last child's end is the useful end.
                end = children[children.count - 1].span.end
            } else {
                end = position(event.pointee.end_mark)
            }
            if end < frame.start { end = frame.start }
            if frame.valueStart.offset > end.offset { frame.valueStart = end }
            let kind: YAMLNode.Kind
            if frame.isMapping {
                var pairs: [YAMLPair] = []
                pairs.reserveCapacity((children.count - base + 1) / 2)
                var k = base
                while k + 1 < children.count {
                    pairs.append(YAMLPair(key: children[k], value: children[k + 1]))
                    k += 2
                }
                if k < children.count {
                    // A key without value cannot come from libyaml; keep it rather than drop it.
                    let key = children[k]
                    pairs.append(YAMLPair(key: key, value: YAMLNode(kind: .scalar("", .plain), span: SourceSpan(at: key.span.end))))
                }
                kind = .mapping(pairs)
                keys.removeSubrange(frame.keyBase...)
            } else {
                kind = .sequence(Array(children[base...]))
            }
            children.removeSubrange(base...)
            let node = YAMLNode(
                kind: kind, span: SourceSpan(start: frame.start, end: end),
                valueSpan: SourceSpan(start: frame.valueStart, end: end), anchor: frame.anchor, tag: frame.tag,
                collectionStyle: frame.style)
            if let anchor = frame.anchor {
                anchors[anchor] = node
                if let n = openAnchors[anchor], n > 1 { openAnchors[anchor] = n - 1 } else { openAnchors[anchor] = nil }
            }
            add(node)

        case YAML_ALIAS_EVENT:
            let start = position(event.pointee.start_mark)
            let end = position(event.pointee.end_mark)
            aliasCount += 1
            if aliasCount > limits.maxAliases {
                throw YAMLError(message: "too many aliases (limit \(limits.maxAliases))", position: start)
            }
            try countNode(at: start)
            let name = cString(event.pointee.data.alias.anchor) ?? ""
            let span = SourceSpan(start: start, end: end)
            let target = anchors[name]
            if target == nil {
                let message =
                    openAnchors[name] != nil
                    ? "alias `*\(name)` refers to a node that contains it (`&\(name)` is not complete yet)"
                    : "undefined alias `*\(name)`"
                warnings.append(YAMLWarning(kind: .undefinedAlias, message: message, span: span))
            }
            add(YAMLNode(kind: .alias(name), span: span, aliasTarget: target))

        case YAML_DOCUMENT_START_EVENT:
            // Anchors are scoped to their document.
            anchors.removeAll(keepingCapacity: true)
            openAnchors.removeAll(keepingCapacity: true)
            currentRoot = nil

        case YAML_DOCUMENT_END_EVENT:
            if let root = currentRoot { documents.append(root) }
            currentRoot = nil

        default:
            break  // stream start; no other event types exist
        }
    }

    mutating func countNode(at position: SourcePosition) throws(YAMLError) {
        nodeCount += 1
        if nodeCount > limits.maxNodes {
            throw YAMLError(message: "too many nodes (limit \(limits.maxNodes))", position: position)
        }
    }

    /// Attaches a completed node to the open collection, or makes it the document root.
    mutating func add(_ node: YAMLNode) {
        guard let top = stack.indices.last else {
            currentRoot = node
            return
        }
        if stack[top].isMapping, (children.count - stack[top].childBase) & 1 == 0 {
            checkDuplicate(key: node, frame: top)
        }
        children.append(node)
    }

    /// Records a scalar key (after following an alias) and warns when the mapping already has it.
    /// Collection keys are not compared, so alias-to-collection keys cost nothing.
    mutating func checkDuplicate(key: YAMLNode, frame: Int) {
        guard case .scalar(let name, _) = key.resolved.kind else { return }
        let line = key.span.start.line
        var firstLine: Int?
        if stack[frame].keyDict != nil {
            firstLine = stack[frame].keyDict![name]
            if firstLine == nil { stack[frame].keyDict![name] = line }
        } else {
            let base = stack[frame].keyBase
            var k = base
            while k < keys.count {
                if keys[k].0 == name {
                    firstLine = keys[k].1
                    break
                }
                k += 1
            }
            if firstLine == nil {
                if keys.count - base < 12 {
                    keys.append((name, line))
                } else {
                    // Many keys: switch this mapping to a dictionary.
                    var dict: [String: Int] = [:]
                    dict.reserveCapacity(32)
                    for (k, l) in keys[base...] { dict[k] = l }
                    dict[name] = line
                    stack[frame].keyDict = dict
                    keys.removeSubrange(base...)
                }
            }
        }
        if let firstLine {
            warnings.append(
                YAMLWarning(
                    kind: .duplicateKey, message: "duplicate key `\(name)` (first defined at line \(firstLine))",
                    span: key.span))
        }
    }

    // MARK: Positions

    /// Converts a libyaml mark to a byte position. libyaml 0.2.5 counts `index` and `column` in
    /// characters (Unicode scalars; CRLF is two, NEL one), so the byte offset is found by walking
    /// UTF-8 lead bytes from the previous conversion.
    mutating func position(_ mark: yaml_mark_t) -> SourcePosition {
        let count = bytes.count
        let offset: Int
        if isASCII {
            offset = min(Int(mark.index), count)
        } else {
            let target = Int(mark.index)
            var c = cursorChar
            var b = cursorByte
            if target >= c {
                while c < target, b < count {
                    b += 1
                    while b < count, bytes[b] & 0xC0 == 0x80 { b += 1 }
                    c += 1
                }
            } else {
                while c > target, b > 0 {
                    b -= 1
                    while b > 0, bytes[b] & 0xC0 == 0x80 { b -= 1 }
                    c -= 1
                }
            }
            cursorChar = c
            cursorByte = b
            offset = b
        }
        let starts = text.lineStarts
        let line = Int(mark.line)  // 0-based index into lineStarts
        if line >= starts.count || starts[line] > offset || (line + 1 < starts.count && starts[line + 1] <= offset) {
            // libyaml's line disagrees with the line table (should not happen); trust the offset.
            return text.position(ofOffset: offset)
        }
        return SourcePosition(line: line + 1, column: offset - starts[line] + 1, offset: offset)
    }

    /// Position of the value after the `&anchor` / `!tag` properties that start at `start`,
    /// skipping the blanks, line breaks and comments between them. Clamped to `limit`.
    func skipProperties(from start: SourcePosition, limit: SourcePosition?) -> SourcePosition {
        let n = bytes.count
        var p = start.offset
        while p < n {
            let b = bytes[p]
            if b == UInt8(ascii: "&") {
                // libyaml anchor names are [0-9A-Za-z_-].
                p += 1
                while p < n, isAnchorByte(bytes[p]) { p += 1 }
            } else if b == UInt8(ascii: "!") {
                p += 1
                if p < n, bytes[p] == UInt8(ascii: "<") {
                    while p < n, bytes[p] != UInt8(ascii: ">") { p += 1 }
                    if p < n { p += 1 }
                } else {
                    while p < n, isTagByte(bytes[p]) { p += 1 }
                }
            } else {
                break
            }
            // Separation between properties and value: blanks, breaks, and whole comment lines.
            while p < n {
                let c = bytes[p]
                if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                    p += 1
                } else if c == UInt8(ascii: "#") {
                    while p < n, bytes[p] != 0x0A, bytes[p] != 0x0D { p += 1 }
                } else {
                    break
                }
            }
        }
        if let limit, p > limit.offset { return limit }
        return p == start.offset ? start : text.position(ofOffset: p)
    }

    func isAnchorByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
    }

    /// Characters libyaml accepts in a tag outside `!<...>`: URI characters and `!`, `%` escapes.
    func isTagByte(_ b: UInt8) -> Bool {
        if isAnchorByte(b) { return true }
        switch b {
        case UInt8(ascii: ";"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: "@"),
            UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: "."),
            UInt8(ascii: "!"), UInt8(ascii: "~"), UInt8(ascii: "*"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }

    /// Moves a block scalar's end back over trailing blanks and line breaks (not before `start`).
    func trimBlockEnd(start: SourcePosition, end: SourcePosition) -> SourcePosition {
        var p = min(end.offset, bytes.count)
        while p > start.offset {
            let b = bytes[p - 1]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                p -= 1
            } else if p - 2 >= start.offset, bytes[p - 2] == 0xC2, b == 0x85 {
                p -= 2  // NEL
            } else if p - 3 >= start.offset, bytes[p - 3] == 0xE2, bytes[p - 2] == 0x80, b == 0xA8 || b == 0xA9 {
                p -= 3  // LS, PS
            } else {
                break
            }
        }
        return p == end.offset ? end : text.position(ofOffset: p)
    }

    // MARK: Errors

    /// Builds the error for a failed `yaml_parser_parse`: "problem context" at the problem mark,
    /// or for reader errors (bad UTF-8, control characters) at the byte offset libyaml reports.
    mutating func parserError(_ parser: UnsafeMutablePointer<yaml_parser_t>) -> YAMLError {
        let p = parser.pointee
        var message = p.problem.map { String(cString: $0) } ?? "unknown YAML error"
        if p.error == YAML_MEMORY_ERROR, p.problem == nil { message = "out of memory while parsing YAML" }
        if p.error == YAML_READER_ERROR {
            if p.problem_value >= 0 {
                let hex = String(UInt32(truncatingIfNeeded: p.problem_value), radix: 16, uppercase: true)
                message += " (0x\(hex.count < 2 ? "0" + hex : hex))"
            }
            return YAMLError(message: message, position: text.position(ofOffset: Int(p.problem_offset)))
        }
        if let context = p.context {
            message += " " + String(cString: context)
            // Where the unfinished construct began (an unclosed quote is reported at the end of file).
            let start = position(p.context_mark)
            let at = position(p.problem_mark)
            // At the end of the file the problem has no line of its own to show (an annotation there
            // lands past the last line): report it where the unclosed construct starts.
            if at.offset >= bytes.count, start.offset < at.offset {
                return YAMLError(message: message + " that starts here", position: start)
            }
            if start.line != at.line { message += " started at line \(start.line), column \(start.column)" }
        }
        return YAMLError(message: message, position: position(p.problem_mark))
    }

    func cString(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: p)
    }
}
