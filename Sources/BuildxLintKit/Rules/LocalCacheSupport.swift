/// Where a job's steps put, read and move files: the facts BXC205 and BXC209 share.
enum LocalCacheFlow {
    /// Paths a step persists or moves (upload-artifact `path`, actions/cache `path`, and folders named in
    /// a `run:` script that moves, copies or archives them).
    static func persistedPaths(_ sr: StepRun) -> [String] {
        switch TransportAction.of(sr.step) {
        case .upload?, .cache?:
            return sr.input("path").map(CachePath.lines) ?? []
        case .download?, nil:
            break
        }
        return []
    }

    /// Whether a `run:` script of the step mentions `path` or a folder holding it (a move/rotation step such as
    /// `mv new old`, or `mv /tmp/.buildx-cache-new /tmp/.buildx-cache` for an export to `…-new/backend`).
    static func scriptMentions(_ sr: StepRun, _ path: String) -> Bool {
        guard let script = sr.step.run?.scalar else { return false }
        let names = keepingFolders(path)
        guard !names.isEmpty else { return false }
        if names.contains(where: { script.hasSubstring($0) }) { return true }
        guard let evaluated = sr.evaluate(script) else { return false }
        if names.contains(where: { evaluated.hasSubstring($0) }) { return true }
        // `mv "${CACHE_DIR}-new" "$CACHE_DIR"` with CACHE_DIR in the step's env (workflow, job or step `env:`).
        if script.contains("$") {
            let expanded = expandingEnv(evaluated, sr.context.env)
            if expanded != evaluated, names.contains(where: { expanded.hasSubstring($0) }) { return true }
        }
        return false
    }

    /// The evaluated text of a step's `run:` script with its env variables expanded, or nil.
    static func scriptText(_ sr: StepRun) -> String? {
        guard let script = sr.step.run?.scalar else { return nil }
        let evaluated = sr.evaluate(script) ?? script
        return evaluated.contains("$") ? expandingEnv(evaluated, sr.context.env) : evaluated
    }

    /// Whether `text` names the folder `path` itself: `path` not followed by more of a file name
    /// (`/tmp/.buildx-cache` in `mv … /tmp/.buildx-cache`, not in `/tmp/.buildx-cache-new`).
    static func namesPath(_ text: String, _ path: String) -> Bool {
        var p = CachePath.normalized(path)
        guard !p.isEmpty, p != "." else { return false }
        var t = text
        return p.withUTF8 { needle in
            t.withUTF8 { hay in
                var from = 0
                while let i = firstOffset(of: needle, in: hay, from: from) {
                    let end = i + needle.count
                    if end == hay.count { return true }
                    let next = hay[end]
                    let nameByte = (next >= 0x30 && next <= 0x39) || (next >= 0x41 && next <= 0x5A) || (next >= 0x61 && next <= 0x7A)
                        || next == UInt8(ascii: ".") || next == UInt8(ascii: "_") || next == UInt8(ascii: "-") || next >= 0x80
                    if !nameByte { return true }
                    from = i + 1
                }
                return false
            }
        }
    }

    /// Whether a `run:` script after `run`'s build (later in the job, or after the command in its own script)
    /// moves or copies `dest` into `folder`: both are named in one script (the `rm -rf old; mv new old` rotation).
    static func movedInto(_ dest: String, _ folder: String, after run: BuildRun, steps: [StepRun]) -> Bool {
        moves(movers(of: dest, after: run, steps: steps), dest, into: folder)
    }

    /// Whether one of `movers` (scripts that name `dest`, from `movers(of:after:steps:)`) also names `folder`,
    /// another folder: the rotation moves `dest` there.
    static func moves(_ movers: [String], _ dest: String, into folder: String) -> Bool {
        CachePath.normalized(dest) != CachePath.normalized(folder) && movers.contains { namesPath($0, folder) }
    }

    /// The scripts after `run`'s build (later steps of the job, and the rest of its own script after the
    /// command), evaluated and with env variables expanded, that name `dest`: the ones that may move it.
    static func movers(of dest: String, after run: BuildRun, steps: [StepRun]) -> [String] {
        var out: [String] = []
        for sr in steps where sr.order > run.stepRun.order {
            if let text = scriptText(sr), namesPath(text, dest) { out.append(text) }
        }
        if let rest = scriptAfterCommand(run.build) {
            let text = expandingEnv(run.stepRun.evaluate(rest) ?? rest, run.stepRun.context.env)
            if namesPath(text, dest) { out.append(text) }
        }
        return out
    }

    /// The rest of the `run:` script that holds `build` (a command line) after its command, or nil.
    static func scriptAfterCommand(_ build: BuildStep) -> String? {
        guard let command = build.command, let last = command.words.last, let script = build.step.run?.scalar else { return nil }
        let bytes = Array(script.utf8)
        guard last.range.upperBound < bytes.count else { return nil }
        return String(decoding: bytes[last.range.upperBound...], as: UTF8.self)
    }

    /// The longest script `expandingEnv` writes out (64 KiB).
    static let maxExpandedScript = 1 << 16

    /// `script` with `$NAME` and `${NAME}` replaced by the values of `env` that are known strings (the
    /// variables the runner exports from `env:`); other expansions are left as written.
    static func expandingEnv(_ script: String, _ env: [String: ExprValue]) -> String {
        let bytes = Array(script.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        func isNameByte(_ b: UInt8, first: Bool) -> Bool {
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || (!first && b >= 0x30 && b <= 0x39)
        }
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "$"), i + 1 < bytes.count else {
                out.append(bytes[i])
                i += 1
                continue
            }
            let braced = bytes[i + 1] == UInt8(ascii: "{")
            var j = braced ? i + 2 : i + 1
            let start = j
            while j < bytes.count, isNameByte(bytes[j], first: j == start) { j += 1 }
            let closed = !braced || (j < bytes.count && bytes[j] == UInt8(ascii: "}"))
            if j > start, closed, case .string(let value)? = env[String(decoding: bytes[start..<j], as: UTF8.self)] {
                out += Array(value.utf8)
                // Past 64 KiB (as evaluated strings elsewhere) the script is left as written.
                if out.count > Self.maxExpandedScript { return script }
                i = braced ? j + 1 : j
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether the `run:` script that holds `build` (a `docker buildx build` command line) mentions `path` or a
    /// folder holding it after the command: the same script rotates the export into place (`rm -rf old; mv new old`).
    static func scriptMentionsAfterCommand(_ build: BuildStep, _ path: String) -> Bool {
        guard let rest = scriptAfterCommand(build) else { return false }
        return keepingFolders(path).contains { rest.hasSubstring($0) }
    }

    /// `path` (normalised) and the folders that hold it, down to one that is still specific to it: a folder
    /// directly under `/`, `/tmp`, the home folder or the workspace (`/tmp`, `~`, `.`) is shared with
    /// everything else and says nothing about the cache.
    static func keepingFolders(_ path: String) -> [String] {
        var p = CachePath.normalized(path)
        var out: [String] = []
        let shared: Set<String> = ["", "/", ".", "..", "~", "/tmp", "/var/tmp", "/home/runner", "/home/runner/work", "/github/home", "/github/workspace"]
        while !shared.contains(p) {
            out.append(p)
            guard let slash = p.lastIndex(of: "/") else { break }
            p = slash == p.startIndex ? "/" : String(p[..<slash])
        }
        return out
    }
}
