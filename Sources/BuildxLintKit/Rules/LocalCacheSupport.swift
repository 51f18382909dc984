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

    /// Whether a `run:` script of the step mentions `path` (a move/rotation step such as `mv new old`).
    static func scriptMentions(_ sr: StepRun, _ path: String) -> Bool {
        guard let script = sr.step.run?.scalar else { return false }
        let p = CachePath.normalized(path)
        guard !p.isEmpty, p != "/" else { return false }
        if script.contains(p) { return true }
        if let evaluated = sr.evaluate(script), evaluated.contains(p) { return true }
        return false
    }
}
