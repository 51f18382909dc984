#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the command line asked to lint, turned into files.
public struct LintInput: Sendable {
    /// The files, in path order. `var` so that a caller can hand them to `Linter.lint` and keep no copy
    /// (then each file's bytes are freed as soon as it is checked).
    public var files: [SourceFile]
    /// The configuration file found in the same source (`.buildx-lint.yml`…), with its name.
    public var config: (path: String, bytes: [UInt8])? = nil
    /// When the user named files, their repository paths: only they are reported.
    public let explicit: Set<RepoPath>?
    /// Things to tell the user on stderr (a folder that is not a repository, unreadable files).
    public let notes: [String]
    /// The GitHub owner of the repository's `origin` remote, when it has one (`GitRepository.githubOwner`).
    public var githubOwner: String? = nil

    init(files: [SourceFile], explicit: Set<RepoPath>?, notes: [String], config: (path: String, bytes: [UInt8])? = nil) {
        self.files = files
        self.explicit = explicit
        self.notes = notes
        self.config = config
    }
}

/// Turns CLI paths and a source mode into files, choosing git or a plain folder walk.
public enum SourceResolver {
    /// Resolves the command line's `paths` (empty: the current directory).
    ///
    /// - A folder (or nothing): the repository containing it, in `mode`; a folder outside any repository is
    ///   walked when `mode` is `.worktree` (with a note), and is an error otherwise.
    /// - Files: the repository containing the first one; those files are read in `mode` and only they are reported.
    /// - Throws: `SourceError` for missing paths, no repository where one is needed, or an unreadable source.
    public static func resolve(
        paths: [String], mode: SourceMode, maxFileSize: Int, selection: Selection = .default
    ) throws -> LintInput {
        let select: (RepoPath) -> Bool = { selection.kind(of: $0) != nil }
        if paths.isEmpty || (paths.count == 1 && isDirectory(paths[0])) {
            let dir = paths.first ?? "."
            let repo: GitRepository
            do {
                repo = try GitRepository.discover(from: dir)
            } catch {
                // A repository that exists but cannot be opened (bad config, unknown format) is an error: linting
                // its folder as plain files would ignore .gitignore and the index.
                guard let error = error as? SourceError, error.isNotARepository else { throw error }
                guard mode == .worktree else {
                    throw SourceError("\(dir) is not in a git repository; --staged and --rev need one")
                }
                let files = try DirectorySource.files(root: dir, select: select, maxFileSize: maxFileSize)
                var config: (String, [UInt8])? = nil
                for name in LintConfig.fileNames {
                    if case .bytes(let b)? = try? readFile(dir + "/" + name, maxFileSize: 1 << 20).content { config = (name, b); break }
                }
                return LintInput(
                    files: files, explicit: nil, notes: ["\(dir) is not a git repository; linting the folder's files as they are"],
                    config: config)
            }
            Trace.mark("open repository")
            let files = try repo.files(mode: mode, select: select, maxFileSize: maxFileSize, mayMatch: selection.mayMatch)
            Trace.mark("read files")
            var input = LintInput(files: files, explicit: nil, notes: repo.warnings, config: try config(in: repo, mode: mode))
            input.githubOwner = repo.githubOwner()
            return input
        }
        for p in paths where isDirectory(p) {
            throw SourceError("\(p) is a folder; pass either one folder or a list of files")
        }
        if mode == .worktree {
            for p in paths where isMissing(p) { throw SourceError("\(p): no such file") }
        }
        let repo: GitRepository
        do {
            repo = try GitRepository.discover(from: parentFolder(of: paths[0]))
        } catch {
            guard let error = error as? SourceError, error.isNotARepository else { throw error }
            guard mode == .worktree else { throw SourceError("\(paths[0]) is not in a git repository; --staged and --rev need one") }
            // Files outside any repository: read them as they are, named as given.
            var files: [SourceFile] = []
            for p in paths { files.append(try readFile(p, maxFileSize: maxFileSize)) }
            return LintInput(files: files, explicit: Set(files.map(\.path)), notes: [])
        }
        var explicit = Set<RepoPath>()
        var files: [SourceFile] = []
        var notes: [String] = []
        for p in paths {
            guard let rp = repo.repoPath(forFilesystemPath: p) else {
                throw SourceError("\(p) is outside the repository at \(repo.workdir ?? "?")")
            }
            // A file named twice (`a.yml ./a.yml`) is read and counted once.
            guard explicit.insert(rp).inserted else { continue }
            if let f = try repo.file(at: rp, mode: mode, maxFileSize: maxFileSize) {
                files.append(f)
            } else if mode == .worktree {
                // A FIFO, device or symlink in the work tree is never read: say so, the file was asked for.
                notes.append("\(rp.display) is not a regular file of the work tree (a FIFO, device, symlink or submodule file); skipped")
            } else {
                // Not in the index or revision (a new, unstaged file): nothing to lint there, but say so.
                let place: String
                switch mode {
                case .revision(let rev): place = "in \(rev)"
                default: place = "staged"
                }
                notes.append("\(rp.display) is not \(place) (or not a regular file there); skipped")
                continue
            }
        }
        var input = LintInput(files: files, explicit: explicit, notes: repo.warnings + notes, config: try config(in: repo, mode: mode))
        input.githubOwner = repo.githubOwner()
        return input
    }

    /// The first configuration file present in `mode` (work tree, index or revision).
    static func config(in repo: GitRepository, mode: SourceMode) throws -> (path: String, bytes: [UInt8])? {
        for name in LintConfig.fileNames {
            if let f = try repo.file(at: RepoPath(name), mode: mode, maxFileSize: 1 << 20), case .bytes(let b) = f.content {
                return (name, b)
            }
        }
        return nil
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether nothing is at `path` (a path that cannot be looked at for lack of permission is not missing: it
    /// becomes a finding that it cannot be read).
    static func isMissing(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR)
    }

    static func parentFolder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// Reads a file outside any repository (never following a symlink at the last component).
    static func readFile(_ path: String, maxFileSize: Int) throws -> SourceFile {
        let rp = RepoPath(path.hasPrefix("./") ? String(path.dropFirst(2)) : path)
        var st = stat()
        guard lstat(path, &st) == 0 else { throw SourceError("\(path): cannot read") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw SourceError("\(path): not a regular file (symlinks are not followed)") }
        if Int(st.st_size) > maxFileSize { return SourceFile(path: rp, content: .tooLarge(size: Int(st.st_size))) }
        let fd = open(path, O_RDONLY | O_NOFOLLOW)
        guard fd >= 0 else { throw SourceError("\(path): cannot open") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
            if n < 0 { throw SourceError("\(path): read failed") }
            if n == 0 { break }
            bytes.append(contentsOf: buf[0..<n])
            if bytes.count > maxFileSize { return SourceFile(path: rp, content: .tooLarge(size: bytes.count)) }
        }
        return SourceFile(path: rp, content: .bytes(bytes))
    }
}
