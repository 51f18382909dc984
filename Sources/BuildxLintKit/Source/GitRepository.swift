import CLibgit2
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libgit2's global state, set up once on first use and never shut down (a CLI exits instead; a
/// shutdown while a repository handle is alive would free memory under it).
///
/// Owner validation is switched off here. That check (libgit2 ≥ 1.4.3, git's `safe.directory`)
/// protects a git user from running hooks and config-driven programs (`core.fsmonitor`,
/// `core.sshCommand`, filters...) of a repository that someone else owns. This linter only reads
/// the index, trees and blobs and never runs anything, so the check buys nothing and would break CI
/// containers whose checkout belongs to another uid (libgit2 1.5.1 even reports it misleadingly, as
/// "config value 'safe.directory' was not found").
private let libgit2Initialised: Bool = {
    let rc = git_libgit2_init()
    _ = cgit2_set_owner_validation(0)
    return rc > 0
}()

/// The warm-up started by `GitRepository.warmUp`, if any.
private let warmUpGroup = DispatchGroup()

extension GitRepository {
    /// Starts libgit2's one-time set-up (which, built with mbedTLS, parses the system CA bundle for a few
    /// milliseconds) on another thread, so that it overlaps the command line's own start-up. Opening a
    /// repository waits for it; so must the process's exit (`finishWarmUp`).
    public static func warmUp() {
        DispatchQueue.global(qos: .userInitiated).async(group: warmUpGroup) { _ = libgit2Initialised }
    }

    /// Waits until a started `warmUp` is done. Call it before the process exits: exiting while the set-up runs
    /// lets `exit`'s handlers (OpenSSL's cleanup, loaded with libgit2's libssh2) free what the set-up is still
    /// initialising, and the process crashes (seen on `--version` under load, about one run in a hundred).
    public static func finishWarmUp() {
        warmUpGroup.wait()
    }
}

/// A git repository the linter reads files from: the work tree, the index, or any revision.
///
/// Only reads; never writes the index, runs hooks, filters or other programs, or touches the network.
/// Paths are raw bytes throughout, so file names that are not UTF-8 round-trip.
///
/// Confine an instance to one thread (or task): it wraps libgit2 handles and is not `Sendable`.
public final class GitRepository {
    private let repo: OpaquePointer
    /// Object database handle, kept for blob header reads (size checks) and reads.
    private let odb: OpaquePointer
    /// The work tree as raw bytes, absolute, without a trailing slash; nil when bare.
    private let workdirBytes: [UInt8]?
    /// Absolute path of the index named by `$GIT_INDEX_FILE` when `discover` ran; nil when unset.
    private let indexFileOverride: [UInt8]?
    /// `workdirBytes` with symlinks resolved, for `repoPath(forFilesystemPath:)`.
    private lazy var canonicalWorkdir: [UInt8]? = workdirBytes.map { GitRepository.realPath($0) ?? $0 }

    /// One message per work-tree folder that was skipped because it exists but could not be read
    /// (permission denied), e.g. `cannot read folder 'x': Permission denied`. (A file that cannot be read
    /// comes back as `.unreadable`.)
    /// `files` and `file(at:)` append to it and nothing clears it; read it after listing to report.
    public private(set) var warnings: [String] = []

    /// Whether the repository has no work tree (`git clone --bare`).
    public let isBare: Bool

    /// The work tree's absolute path without a trailing slash; nil for a bare repository.
    /// (Bytes that are not UTF-8 show as U+FFFD here; the repository keeps the raw path internally.)
    public let workdir: String?

    /// Opens the repository containing `path`, searching parent folders like git does (stopping at
    /// `$GIT_CEILING_DIRECTORIES` and at filesystem boundaries). Works from a subfolder, from
    /// inside `.git`, on bare repositories and on linked worktrees.
    ///
    /// `$GIT_INDEX_FILE` is read here, once: when set (git sets it for pre-commit hooks; a relative
    /// value is taken from the work-tree root, as git does), `.staged` and `.worktree` use that index
    /// file instead of the repository's own.
    /// - Throws: ``SourceError`` naming `path` when no repository is found or it cannot be opened.
    public static func discover(from path: String) throws -> GitRepository {
        _ = libgit2Initialised
        var handle: OpaquePointer?
        let rc = git_repository_open_ext(&handle, path, 0, getenv("GIT_CEILING_DIRECTORIES"))
        guard rc == 0, let repo = handle else {
            if rc == GIT_ENOTFOUND.rawValue {
                throw SourceError("not a git repository (or any of the parent folders): \(path)", isNotARepository: true)
            }
            throw SourceError("cannot open the git repository at \(path): \(lastGitError())")
        }
        var odbHandle: OpaquePointer?
        guard git_repository_odb(&odbHandle, repo) == 0, let odb = odbHandle else {
            let message = lastGitError()
            git_repository_free(repo)
            throw SourceError("cannot open the object database of \(path): \(message)")
        }
        return GitRepository(repo: repo, odb: odb)
    }

    private init(repo: OpaquePointer, odb: OpaquePointer) {
        self.repo = repo
        self.odb = odb
        isBare = git_repository_is_bare(repo) == 1
        if !isBare, let wd = git_repository_workdir(repo) {
            var bytes = GitRepository.bytes(wd)
            while bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
            workdirBytes = bytes
            workdir = String(decoding: bytes, as: UTF8.self)
        } else {
            workdirBytes = nil
            workdir = nil
        }
        indexFileOverride = GitRepository.indexFileFromEnvironment(workdir: workdirBytes)
    }

    deinit {
        git_odb_free(odb)
        git_repository_free(repo)
    }

    /// The folder git runs hooks from: `core.hooksPath` (relative values are taken from the work-tree
    /// root, as git does) or `<common git dir>/hooks`, shared by linked worktrees.
    /// - Throws: ``SourceError`` when the configuration cannot be read.
    public func hooksDirectory() throws -> String {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, repo) == 0, let config else {
            throw SourceError("cannot read the repository configuration: \(GitRepository.lastGitError())")
        }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        if git_config_get_string(&value, config, "core.hooksPath") == 0, let value {
            let path = String(cString: value)
            if path.hasPrefix("/") { return path }
            if path.hasPrefix("~/"), let home = getenv("HOME") { return String(cString: home) + String(path.dropFirst(1)) }
            let base = workdir ?? String(cString: git_repository_path(repo))
            return base + "/" + path
        }
        var common = String(cString: git_repository_commondir(repo))
        while common.hasSuffix("/") { common.removeLast() }
        return common + "/hooks"
    }

    /// The GitHub owner of the repository's `origin` remote (`https://github.com/<owner>/<repo>`,
    /// `git@github.com:<owner>/<repo>.git`, `ssh://git@github.com/<owner>/…`), as written; nil when there is no
    /// such remote. A workflow's `github.repository_owner` is this name in the repository's own runs.
    public func githubOwner() -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, repo) == 0, let config else { return nil }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, "remote.origin.url") == 0, let value else { return nil }
        return GitRepository.githubOwner(ofRemoteURL: String(cString: value))
    }

    /// The owner in a github.com remote URL; nil for any other host or form.
    static func githubOwner(ofRemoteURL url: String) -> String? {
        var rest: Substring
        if let scheme = ["https://", "http://", "ssh://", "git://"].first(where: { url.hasPrefix($0) }) {
            // `[user@]github.com/<owner>/…` after the scheme.
            var hostAndPath = url.dropFirst(scheme.count)
            if let at = hostAndPath.firstIndex(of: "@"), hostAndPath[..<at].allSatisfy({ $0 != "/" }) { hostAndPath = hostAndPath[hostAndPath.index(after: at)...] }
            guard hostAndPath.hasPrefix("github.com/") else { return nil }
            rest = hostAndPath.dropFirst("github.com/".count)
        } else if url.hasPrefix("git@github.com:") {
            rest = url.dropFirst("git@github.com:".count)
        } else {
            return nil
        }
        let owner = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !owner.isEmpty, owner.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }) else {
            return nil
        }
        return owner
    }

    /// Whether HEAD names a branch with no commit yet (fresh `git init`).
    public var headIsUnborn: Bool {
        git_repository_head_unborn(repo) == 1
    }

    // MARK: - Listing files

    /// All regular files of `mode` whose path satisfies `select`, sorted by path bytes.
    ///
    /// - `.worktree`: tracked files plus untracked files that are not ignored, read from disk.
    ///   Files deleted in the work tree, symlinks, submodules, embedded repositories and anything
    ///   that is not a regular file are skipped; a file that exists but cannot be read comes back as
    ///   `.unreadable(reason:)`, and a folder that cannot be read is skipped with a message in ``warnings``.
    /// - `.staged`: stage-0 index entries (`$GIT_INDEX_FILE` when it was set), blobs read from the
    ///   object database. Conflict stages, `git add -N` placeholders, symlinks and submodules are
    ///   skipped. A bare repository has an empty index: `[]`.
    /// - `.revision(rev)`: the tree of `rev`, without symlinks and submodules.
    ///
    /// Files larger than `maxFileSize` bytes come back as `.tooLarge(size:)` without being read; a blob
    /// missing from the object database (a partial clone) or corrupt comes back as `.unreadable(reason:)`.
    /// `select` is called once per candidate path, before anything is read; `mayMatch`, a cheaper test on
    /// the raw path bytes (false: `select` would say no), runs first so that the thousands of paths of a
    /// large index are skipped without making a ``RepoPath`` for each.
    /// - Throws: ``SourceError`` when the whole source is unusable: `.worktree` on a bare repository,
    ///   an unknown revision or unborn HEAD, an unreadable index or tree.
    public func files(
        mode: SourceMode, select: (RepoPath) -> Bool, maxFileSize: Int, mayMatch: (UnsafeRawBufferPointer) -> Bool = { _ in true }
    ) throws -> [SourceFile] {
        let files: [SourceFile]
        switch mode {
        case .worktree: files = try worktreeFiles(select: select, mayMatch: mayMatch, maxFileSize: maxFileSize)
        case .staged: files = try stagedFiles(select: select, mayMatch: mayMatch, maxFileSize: maxFileSize)
        case .revision(let rev): files = try revisionFiles(rev, select: select, mayMatch: mayMatch, maxFileSize: maxFileSize)
        }
        return files.sorted { $0.path < $1.path }
    }

    /// One file by repository-relative path in `mode`, for file names given on the command line.
    ///
    /// Returns nil when the path is absent in `mode`, is not a regular file (symlink, submodule,
    /// folder), lies inside a submodule or `.git`, or is not a clean relative path (empty, leading
    /// `/`, `.` or `..` components). In `.worktree` mode an ignored or untracked file is returned
    /// too: the user named it. A file that exists but cannot be read comes back as `.unreadable`.
    /// - Throws: ``SourceError`` as ``files(mode:select:maxFileSize:)`` does.
    public func file(at path: RepoPath, mode: SourceMode, maxFileSize: Int) throws -> SourceFile? {
        guard GitRepository.isCleanRelativePath(path.bytes) else { return nil }
        switch mode {
        case .worktree: return try worktreeFile(path, maxFileSize: maxFileSize)
        case .staged: return try stagedFile(path, maxFileSize: maxFileSize)
        case .revision(let rev): return try revisionFile(path, rev: rev, maxFileSize: maxFileSize)
        }
    }

    /// The repository-relative path of `path`, a filesystem path that is absolute or relative to the
    /// current folder, or nil when it lies outside the work tree (or inside `.git`, or the
    /// repository is bare). The work-tree root itself gives the empty path.
    ///
    /// Symlinks in the folders leading to `path` are resolved (so `/tmp/link-to-repo/a.yml` works);
    /// the last component is kept as is, so a symlinked file maps to its own repository path.
    public func repoPath(forFilesystemPath path: String) -> RepoPath? {
        guard let workdirBytes, !path.isEmpty else { return nil }
        var absolute = Array(path.utf8)
        if absolute.first != UInt8(ascii: "/") {
            guard let cwd = GitRepository.currentDirectory() else { return nil }
            absolute = cwd + [UInt8(ascii: "/")] + absolute
        }
        let resolved = GitRepository.resolveParentFolders(absolute)
        let roots = [workdirBytes, canonicalWorkdir ?? workdirBytes]
        for root in roots {
            if resolved == root { return RepoPath(bytes: []) }
            let prefix = root == [UInt8(ascii: "/")] ? root : root + [UInt8(ascii: "/")]
            if resolved.count > prefix.count, resolved.starts(with: prefix) {
                let rest = Array(resolved[prefix.count...])
                if rest == FileWalker.dotGit || rest.starts(with: FileWalker.dotGit + [UInt8(ascii: "/")]) {
                    return nil
                }
                return RepoPath(bytes: rest)
            }
        }
        return nil
    }

    // MARK: - Work tree

    private static let bareWorktreeError = SourceError("bare repository has no working tree; use --staged or --rev")

    /// Work-tree mode: one walk of the work tree (never following symlinks), with the index telling
    /// tracked from untracked.
    ///
    /// Why not `git_status_list_new`: status lstat's and compares every tracked file, and re-hashes
    /// every file whose index stat data is stale (a restored CI cache or a `cp -a`'d checkout:
    /// seconds on 20k files). The linter reads the few selected files from disk anyway, so it only
    /// needs "is this path tracked, or untracked and not ignored"; the ignore rules are consulted only
    /// for selected untracked files and untracked folders (to prune `node_modules/`-like trees).
    private func worktreeFiles(
        select: (RepoPath) -> Bool, mayMatch: (UnsafeRawBufferPointer) -> Bool, maxFileSize: Int
    ) throws -> [SourceFile] {
        guard let workdirBytes else { throw GitRepository.bareWorktreeError }
        let index = try openIndex()
        defer { git_index_free(index) }

        // From the index: the selected tracked paths with their modes, the gitlinks (submodules,
        // never entered) and every folder that holds a tracked path (entered without an ignore check:
        // a tracked file inside an ignored folder is still tracked).
        var selectedTracked: [[UInt8]: UInt32] = [:]
        var gitlinks = Set<[UInt8]>()
        var trackedFolders = Set<[UInt8]>()
        var previousFolder: [UInt8] = [0]  // no real folder is a NUL byte
        let count = git_index_entrycount(index)
        for i in 0..<count {
            guard let entry = git_index_get_byindex(index, i) else { continue }
            let pathPtr = entry.pointee.path!
            let len = strlen(pathPtr)
            let raw = UnsafeRawBufferPointer(start: pathPtr, count: len)
            if let slash = raw.lastIndex(of: UInt8(ascii: "/")) {
                let folder = raw[..<slash]
                if !folder.elementsEqual(previousFolder) {
                    previousFolder = Array(folder)
                    // Insert the folder and its parents until one is already known.
                    var f = previousFolder[...]
                    while trackedFolders.insert(Array(f)).inserted, let up = f.lastIndex(of: UInt8(ascii: "/")) {
                        f = f[..<up]
                    }
                }
            }
            let mode = entry.pointee.mode
            if mode & 0o170000 == GitRepository.gitlinkMode {
                gitlinks.insert(Array(raw))
                continue
            }
            guard mayMatch(raw) else { continue }
            let path = RepoPath(bytes: Array(raw))
            if select(path) { selectedTracked[path.bytes] = mode }
        }

        let rootFD = try openWorkdir(workdirBytes)
        var walker = FileWalker(maxFileSize: maxFileSize)
        var ignoreError: String?
        walker.walk(rootFD: rootFD) { path, question in
            switch question {
            case .directory:
                if gitlinks.contains(path) { return false }
                if trackedFolders.contains(path) { return true }
                return !isIgnored(path, isFolder: true, error: &ignoreError)
            case .nestedRepository:
                // An embedded repository's files belong to it; only enter one that holds tracked files.
                return trackedFolders.contains(path)
            case .file:
                let repoPath = RepoPath(bytes: path)
                guard select(repoPath) else { return false }
                if let mode = selectedTracked[path] {
                    // The index knows a symlink even where core.symlinks=false checked it out as a file.
                    return mode & 0o170000 == GitRepository.regularMode
                }
                return !isIgnored(path, isFolder: false, error: &ignoreError)
            }
        }
        if let ignoreError { throw SourceError("cannot evaluate ignore rules: \(ignoreError)") }
        warnings += walker.warnings
        return walker.files
    }

    /// A descriptor for the work-tree root (the caller closes it).
    private func openWorkdir(_ workdir: [UInt8]) throws -> Int32 {
        let fd = GitRepository.withPath(workdir) { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else {
            let reason = FileWalker.errnoMessage(errno)
            throw SourceError("cannot read the work tree \(RepoPath(bytes: workdir).display): \(reason)")
        }
        return fd
    }

    /// Whether `path` (relative to the work tree) matches the ignore rules (.gitignore files,
    /// .git/info/exclude, core.excludesFile), parent folders included. Records a libgit2 failure in `error`.
    private func isIgnored(_ path: [UInt8], isFolder: Bool, error: inout String?) -> Bool {
        var ignored: Int32 = 0
        // A trailing slash tells libgit2 it is a folder, so `dir/` patterns apply without a stat.
        let query = isFolder ? path + [UInt8(ascii: "/")] : path
        let rc = GitRepository.withPath(query) { git_ignore_path_is_ignored(&ignored, repo, $0) }
        if rc < 0 {
            if error == nil { error = GitRepository.lastGitError() }
            return true
        }
        return ignored == 1
    }

    private func worktreeFile(_ path: RepoPath, maxFileSize: Int) throws -> SourceFile? {
        guard let workdirBytes else { throw GitRepository.bareWorktreeError }
        // Files inside a submodule belong to another repository.
        if path.bytes.contains(UInt8(ascii: "/")) {
            let index = try openIndex()
            defer { git_index_free(index) }
            var slash = path.bytes.firstIndex(of: UInt8(ascii: "/"))
            while let s = slash {
                let entry = GitRepository.withPath(Array(path.bytes[..<s])) { git_index_get_bypath(index, $0, 0) }
                if let entry, entry.pointee.mode & 0o170000 == GitRepository.gitlinkMode { return nil }
                slash = path.bytes[(s + 1)...].firstIndex(of: UInt8(ascii: "/"))
            }
        }

        // Walk down component by component with O_NOFOLLOW: a symlinked folder on the way must not
        // lead the read outside the work tree.
        var dirFD = try openWorkdir(workdirBytes)
        defer { close(dirFD) }
        let components = path.bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for component in components.dropLast() {
            let next = GitRepository.withPath(Array(component)) {
                openat(dirFD, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let e = errno
                // A folder on the way that cannot be opened (permission denied): the file is unreadable (BXC000).
                if e != ENOENT, e != ENOTDIR, e != ELOOP {
                    return SourceFile(path: path, content: .unreadable(reason: FileWalker.errnoMessage(e)))
                }
                return nil
            }
            close(dirFD)
            dirFD = next
        }
        let result = GitRepository.withPath(Array(components.last!)) {
            FileWalker.readRegularFile(dirFD: dirFD, name: $0, maxFileSize: maxFileSize)
        }
        switch result {
        case .content(let content): return SourceFile(path: path, content: content)
        case .notRegular, .missing: return nil
        case .failed(let e): return SourceFile(path: path, content: .unreadable(reason: FileWalker.errnoMessage(e)))
        }
    }

    // MARK: - Index

    /// The index to read: `$GIT_INDEX_FILE` when it was set at `discover`, else the repository's own
    /// (re-read from disk, since libgit2 caches it per repository). The caller frees it.
    private func openIndex() throws -> OpaquePointer {
        var handle: OpaquePointer?
        if let override = indexFileOverride {
            let what = "cannot read the index named by GIT_INDEX_FILE (\(RepoPath(bytes: override).display))"
            // git_index_open would give an empty index for a missing file, silently linting nothing.
            var st = stat()
            guard GitRepository.withPath(override, { stat($0, &st) }) == 0 else {
                throw SourceError("\(what): \(FileWalker.errnoMessage(errno))")
            }
            guard GitRepository.withPath(override, { git_index_open(&handle, $0) }) == 0, let index = handle else {
                throw SourceError("\(what): \(GitRepository.lastGitError())")
            }
            return index
        }
        guard git_repository_index(&handle, repo) == 0, let index = handle else {
            throw SourceError("cannot open the index: \(GitRepository.lastGitError())")
        }
        guard git_index_read(index, 0) == 0 else {
            let message = GitRepository.lastGitError()
            git_index_free(index)
            throw SourceError("cannot read the index: \(message)")
        }
        return index
    }

    /// `$GIT_INDEX_FILE` as an absolute path, or nil when unset or empty.
    ///
    /// A relative value is resolved as git resolves it: against the work-tree root (git moves there
    /// before reading the variable; measured with git 2.39 from a subfolder), or against the current
    /// folder for a bare repository. Hooks run at the work-tree root, where both agree.
    private static func indexFileFromEnvironment(workdir: [UInt8]?) -> [UInt8]? {
        guard let value = getenv("GIT_INDEX_FILE"), value.pointee != 0 else { return nil }
        let raw = bytes(value)
        if raw.first == UInt8(ascii: "/") { return raw }
        guard let base = workdir ?? currentDirectory() else { return raw }
        return base + [UInt8(ascii: "/")] + raw
    }

    private func stagedFiles(
        select: (RepoPath) -> Bool, mayMatch: (UnsafeRawBufferPointer) -> Bool, maxFileSize: Int
    ) throws -> [SourceFile] {
        let index = try openIndex()
        defer { git_index_free(index) }
        var hits: [(RepoPath, git_oid)] = []
        let count = git_index_entrycount(index)
        for i in 0..<count {
            guard let entry = git_index_get_byindex(index, i), GitRepository.isStagedBlob(entry), let cPath = entry.pointee.path
            else { continue }
            let raw = UnsafeRawBufferPointer(start: cPath, count: strlen(cPath))
            guard mayMatch(raw) else { continue }
            let path = RepoPath(bytes: Array(raw))
            guard select(path) else { continue }
            hits.append((path, entry.pointee.id))
        }
        return readBlobs(hits, maxFileSize: maxFileSize)
    }

    private func stagedFile(_ path: RepoPath, maxFileSize: Int) throws -> SourceFile? {
        let index = try openIndex()
        defer { git_index_free(index) }
        guard let entry = GitRepository.withPath(path.bytes, { git_index_get_bypath(index, $0, 0) }),
            GitRepository.isStagedBlob(entry)
        else { return nil }
        var oid = entry.pointee.id
        return readBlob(&oid, path: path, maxFileSize: maxFileSize)
    }

    /// A stage-0 regular file that is really staged (not a `git add -N` placeholder).
    private static func isStagedBlob(_ entry: UnsafePointer<git_index_entry>) -> Bool {
        cgit2_index_entry_stage(entry) == 0
            && entry.pointee.mode & 0o170000 == regularMode
            && UInt32(entry.pointee.flags_extended) & GIT_INDEX_ENTRY_INTENT_TO_ADD.rawValue == 0
    }

    // MARK: - Revisions

    /// Resolves `rev` to its tree; the caller frees it.
    private func tree(of rev: String) throws -> OpaquePointer {
        var object: OpaquePointer?
        guard git_revparse_single(&object, repo, rev + "^{tree}") == 0, let tree = object else {
            // libgit2 gives no reason for forms it does not implement (`:/text`, `@{-1}`).
            let reason = git_error_last()?.pointee.message.map { String(cString: $0) }
                ?? "not a form of revision libgit2 resolves (`:/text` and `@{-N}` are not; use a branch, tag or commit)"
            throw SourceError("cannot resolve revision '\(rev)': \(reason)")
        }
        return tree
    }

    /// State shared with the C tree-walk callback through its payload pointer.
    private final class TreeWalkState {
        let select: (RepoPath) -> Bool
        /// Tested on an entry's name: the endings a selection can match lie within the file name.
        let mayMatch: (UnsafeRawBufferPointer) -> Bool
        var hits: [(RepoPath, git_oid)] = []
        init(select: @escaping (RepoPath) -> Bool, mayMatch: @escaping (UnsafeRawBufferPointer) -> Bool) {
            self.select = select
            self.mayMatch = mayMatch
        }
    }

    private func revisionFiles(
        _ rev: String, select: (RepoPath) -> Bool, mayMatch: (UnsafeRawBufferPointer) -> Bool, maxFileSize: Int
    ) throws -> [SourceFile] {
        let tree = try tree(of: rev)
        defer { git_object_free(tree) }
        let hits: [(RepoPath, git_oid)] = try withoutActuallyEscaping(select) { select in
            try withoutActuallyEscaping(mayMatch) { mayMatch in
                let state = TreeWalkState(select: select, mayMatch: mayMatch)
                // Collect first, read after: a Swift error can't cross the C callback.
                let rc = git_tree_walk(tree, GIT_TREEWALK_PRE, { root, entry, payload in
                    guard let entry, let payload else { return 0 }
                    // Subtrees are walked into; gitlinks, symlinks and anything odd are not files to lint.
                    guard GitRepository.isFileMode(git_tree_entry_filemode(entry)) else { return 0 }
                    let state = Unmanaged<TreeWalkState>.fromOpaque(payload).takeUnretainedValue()
                    // The ending is in the entry's name: test it before building the path.
                    guard let name = git_tree_entry_name(entry), state.mayMatch(UnsafeRawBufferPointer(start: name, count: strlen(name)))
                    else { return 0 }
                    var path = root.map { GitRepository.bytes($0) } ?? []
                    path += GitRepository.bytes(name)
                    let repoPath = RepoPath(bytes: path)
                    if state.select(repoPath) { state.hits.append((repoPath, git_tree_entry_id(entry).pointee)) }
                    return 0
                }, Unmanaged.passUnretained(state).toOpaque())
                guard rc == 0 else {
                    throw SourceError("cannot read the tree of '\(rev)': \(GitRepository.lastGitError())")
                }
                return state.hits
            }
        }
        return readBlobs(hits, maxFileSize: maxFileSize)
    }

    private func revisionFile(_ path: RepoPath, rev: String, maxFileSize: Int) throws -> SourceFile? {
        let tree = try tree(of: rev)
        defer { git_object_free(tree) }
        var handle: OpaquePointer?
        let rc = GitRepository.withPath(path.bytes) { git_tree_entry_bypath(&handle, tree, $0) }
        guard rc == 0, let entry = handle else {
            if rc == GIT_ENOTFOUND.rawValue { return nil }
            throw SourceError("cannot look up '\(path.display)' in '\(rev)': \(GitRepository.lastGitError())")
        }
        defer { git_tree_entry_free(entry) }
        guard GitRepository.isFileMode(git_tree_entry_filemode(entry)) else { return nil }
        var oid = git_tree_entry_id(entry).pointee
        return readBlob(&oid, path: path, maxFileSize: maxFileSize)
    }

    // MARK: - Blobs

    /// Reads the blobs `hits` names, in order. Loose objects cost a file open and an inflate each, so a
    /// few hundred of them are read on all cores: each extra core opens its own handle on the repository
    /// (libgit2 handles are confined to one thread at a time) and reads every n-th blob.
    /// A blob that cannot be read gives an `.unreadable` file; the others are read.
    private func readBlobs(_ hits: [(RepoPath, git_oid)], maxFileSize: Int) -> [SourceFile] {
        let workers = min(processorCount, hits.count / GitRepository.blobsPerWorker)
        guard workers > 1, let gitdir = git_repository_path(repo).map(GitRepository.bytes) else {
            return hits.map { hit in
                var oid = hit.1
                return GitRepository.readBlob(odb, &oid, path: hit.0, maxFileSize: maxFileSize)
            }
        }
        /// The object database a worker reads with: this repository's (worker 0), one it opened, or none
        /// (it could not open one: its share is read with this repository's afterwards, on this thread).
        enum Reader { case this, own(repo: OpaquePointer, odb: OpaquePointer), none }
        let this = odb
        let results = stridedMap(
            count: hits.count, workers: workers,
            setUp: { w -> Reader in
                if w == 0 { return .this }
                return GitRepository.openObjectDatabase(gitdir).map { .own(repo: $0.repo, odb: $0.odb) } ?? .none
            },
            make: { reader, i -> SourceFile? in
                var oid = hits[i].1
                switch reader {
                case .this: return GitRepository.readBlob(this, &oid, path: hits[i].0, maxFileSize: maxFileSize)
                case .own(_, let odb): return GitRepository.readBlob(odb, &oid, path: hits[i].0, maxFileSize: maxFileSize)
                case .none: return nil
                }
            },
            tearDown: { reader in
                if case .own(let repo, let odb) = reader {
                    git_odb_free(odb)
                    git_repository_free(repo)
                }
            })
        return results.enumerated().map { i, r in
            if let r { return r }
            var oid = hits[i].1
            return GitRepository.readBlob(odb, &oid, path: hits[i].0, maxFileSize: maxFileSize)
        }
    }

    /// Below this many blobs per core, reading them on one core is as quick.
    static let blobsPerWorker = 64

    /// A second handle on the repository at `gitdir` and its object database (the caller frees both),
    /// or nil when either cannot be opened.
    private static func openObjectDatabase(_ gitdir: [UInt8]) -> (repo: OpaquePointer, odb: OpaquePointer)? {
        var repoHandle: OpaquePointer?
        guard withPath(gitdir, { git_repository_open(&repoHandle, $0) }) == 0, let repo = repoHandle else { return nil }
        var odbHandle: OpaquePointer?
        guard git_repository_odb(&odbHandle, repo) == 0, let odb = odbHandle else {
            git_repository_free(repo)
            return nil
        }
        return (repo, odb)
    }

    /// Reads blob `oid` as the content of `path`; measures it first so an oversized blob is never inflated.
    private func readBlob(_ oid: inout git_oid, path: RepoPath, maxFileSize: Int) -> SourceFile {
        GitRepository.readBlob(odb, &oid, path: path, maxFileSize: maxFileSize)
    }

    /// `readBlob` through the object database `odb`.
    private static func readBlob(_ odb: OpaquePointer, _ oid: inout git_oid, path: RepoPath, maxFileSize: Int) -> SourceFile {
        var size = 0
        var type = GIT_OBJECT_ANY
        // A blob that is missing (a partial clone) or corrupt makes that file unreadable; the others are linted.
        guard git_odb_read_header(&size, &type, odb, &oid) == 0 else {
            return SourceFile(path: path, content: .unreadable(reason: blobError(&oid)))
        }
        if size > maxFileSize { return SourceFile(path: path, content: .tooLarge(size: size)) }
        var handle: OpaquePointer?
        guard git_odb_read(&handle, odb, &oid) == 0, let object = handle else {
            return SourceFile(path: path, content: .unreadable(reason: blobError(&oid)))
        }
        defer { git_odb_object_free(object) }
        let count = git_odb_object_size(object)
        let bytes: [UInt8]
        if count == 0 {
            bytes = []
        } else {
            bytes = Array(UnsafeRawBufferPointer(start: git_odb_object_data(object), count: count))
        }
        return SourceFile(path: path, content: .bytes(bytes))
    }

    /// Why blob `oid` cannot be read: its id and libgit2's message.
    private static func blobError(_ oid: inout git_oid) -> String {
        let message = GitRepository.lastGitError()
        let hex = String(cString: git_oid_tostr_s(&oid))
        return "blob \(hex) cannot be read: \(message)"
    }

    // MARK: - Helpers

    private static let regularMode: UInt32 = 0o100000
    private static let gitlinkMode: UInt32 = 0o160000

    /// A tree entry that is a regular file (libgit2 normalises legacy modes like 100664 to 100644).
    private static func isFileMode(_ mode: git_filemode_t) -> Bool {
        mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE
    }

    /// The message of the last libgit2 error on this thread (it may have none).
    private static func lastGitError() -> String {
        guard let error = git_error_last(), let message = error.pointee.message else { return "unknown libgit2 error" }
        return String(cString: message)
    }

    /// The bytes of a C string.
    private static func bytes(_ cString: UnsafePointer<CChar>) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: cString, count: strlen(cString)))
    }

    private static func withPath<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try FileWalker.withCString(bytes, body)
    }

    private static func exists(_ path: [UInt8]) -> Bool {
        var st = stat()
        return withPath(path) { stat($0, &st) } == 0
    }

    private static func currentDirectory() -> [UInt8]? {
        guard let cwd = getcwd(nil, 0) else { return nil }
        defer { free(cwd) }
        return bytes(cwd)
    }

    private static func realPath(_ path: [UInt8]) -> [UInt8]? {
        guard let resolved = withPath(path, { realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return bytes(resolved)
    }

    /// No empty, `.`, `..` or `.git` component, no leading slash, no NUL: a path git could track.
    private static func isCleanRelativePath(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, !bytes.contains(0) else { return false }
        for component in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if component.isEmpty || component.elementsEqual([0x2E]) || component.elementsEqual([0x2E, 0x2E])
                || component.elementsEqual(FileWalker.dotGit)
            {
                return false
            }
        }
        return true
    }

    /// `path` (absolute) with `.`/`..`/repeated slashes removed and the folders leading to its last
    /// component resolved through realpath when they exist; the last component is not resolved.
    private static func resolveParentFolders(_ path: [UInt8]) -> [UInt8] {
        // Lexical clean-up first, so "a/b/.." means a (as the user typed it) if realpath can't help.
        var parts: [ArraySlice<UInt8>] = []
        for component in path.split(separator: UInt8(ascii: "/")) {
            if component.elementsEqual([0x2E]) { continue }
            if component.elementsEqual([0x2E, 0x2E]) {
                _ = parts.popLast()
                continue
            }
            parts.append(component)
        }
        guard let last = parts.popLast() else { return [UInt8(ascii: "/")] }
        var parent: [UInt8] = []
        for p in parts { parent += [UInt8(ascii: "/")] + p }
        if parent.isEmpty { parent = [UInt8(ascii: "/")] }
        let resolvedParent = realPath(parent) ?? parent
        return (resolvedParent == [UInt8(ascii: "/")] ? [] : resolvedParent) + [UInt8(ascii: "/")] + last
    }
}
