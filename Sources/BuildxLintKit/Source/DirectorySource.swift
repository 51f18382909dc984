import Glibc

/// Files of a folder that is not a git repository.
///
/// The walk never follows symbolic links (neither to files nor to folders), skips every entry
/// named `.git`, and keeps paths as raw bytes so names that are not UTF-8 round-trip.
public enum DirectorySource {
    /// All regular files below `root` whose path (relative to `root`, `/`-separated) satisfies
    /// `select`, sorted by path bytes.
    ///
    /// Files larger than `maxFileSize` bytes come back as `.tooLarge(size:)` without being read.
    /// Unreadable subfolders and files are skipped; use ``files(root:select:maxFileSize:warnings:)``
    /// to learn about them.
    /// - Throws: ``SourceError`` when `root` is not a readable directory.
    public static func files(root: String, select: (RepoPath) -> Bool, maxFileSize: Int) throws -> [SourceFile] {
        var ignored: [String] = []
        return try files(root: root, select: select, maxFileSize: maxFileSize, warnings: &ignored)
    }

    /// Like ``files(root:select:maxFileSize:)``, and appends one message to `warnings` for every
    /// subfolder or file that could not be read (permission denied, vanished during the walk).
    /// - Throws: ``SourceError`` when `root` is not a readable directory.
    public static func files(
        root: String, select: (RepoPath) -> Bool, maxFileSize: Int, warnings: inout [String]
    ) throws -> [SourceFile] {
        // The root itself may be a symlink to a folder: the user named it, so follow it.
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SourceError("cannot read folder '\(root)': \(FileWalker.errnoMessage(errno))")
        }
        var walker = FileWalker(maxFileSize: maxFileSize)
        walker.walk(rootFD: fd) { path, kind in
            switch kind {
            case .directory: return true
            case .nestedRepository: return true
            case .file: return select(RepoPath(bytes: path))
            }
        }
        warnings += walker.warnings
        return walker.files.sorted { $0.path < $1.path }
    }
}

/// A recursive, symlink-free walk over a folder with raw-byte paths; shared by
/// ``DirectorySource`` and the work-tree mode of ``GitRepository``.
///
/// Directories are opened relative to their parent's descriptor (`openat` with `O_NOFOLLOW`), so a
/// folder swapped for a symlink mid-walk is never entered and path lookups stay short.
struct FileWalker {
    /// What the walker asks its `decide` callback about.
    enum Question {
        /// Enter this subfolder?
        case directory
        /// This subfolder holds a `.git` entry (an embedded repository): enter it anyway?
        case nestedRepository
        /// Read this regular file?
        case file
    }

    let maxFileSize: Int
    private(set) var files: [SourceFile] = []
    private(set) var warnings: [String] = []

    init(maxFileSize: Int) {
        self.maxFileSize = maxFileSize
    }

    /// Walks the folder open as `rootFD` (closed when done). `decide` gets each relative path
    /// (raw bytes, no leading slash) and what it is.
    mutating func walk(rootFD: Int32, decide: ([UInt8], Question) -> Bool) {
        var path: [UInt8] = []
        path.reserveCapacity(256)
        walkDirectory(fd: rootFD, path: &path, isRoot: true, decide: decide)
    }

    private mutating func walkDirectory(
        fd: Int32, path: inout [UInt8], isRoot: Bool, decide: ([UInt8], Question) -> Bool
    ) {
        defer { close(fd) }
        guard let entries = listDirectory(fd: fd, path: path) else { return }
        if !isRoot, entries.contains(where: { $0.name == FileWalker.dotGit }), !decide(path, .nestedRepository) {
            return
        }
        let baseCount = path.count
        for entry in entries where entry.name != FileWalker.dotGit {
            if !isRoot { path.append(UInt8(ascii: "/")) }
            path.append(contentsOf: entry.name)
            defer { path.removeSubrange(baseCount...) }

            var kind = entry.type
            if kind == FileWalker.DirType.unknown {
                // Some filesystems do not fill d_type: ask lstat (never follows the link).
                var st = stat()
                let rc = FileWalker.withCString(entry.name) { fstatat(fd, $0, &st, AT_SYMLINK_NOFOLLOW) }
                guard rc == 0 else { continue }  // vanished since readdir
                kind = st.st_mode & FileMode.typeMask == FileMode.directory ? FileWalker.DirType.directory
                    : st.st_mode & FileMode.typeMask == FileMode.regular ? FileWalker.DirType.regular : FileWalker.DirType.other
            }
            if kind == FileWalker.DirType.directory {
                guard decide(path, .directory) else { continue }
                let child = FileWalker.withCString(entry.name) {
                    openat(fd, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                }
                if child < 0 {
                    // ENOENT: vanished; ELOOP/ENOTDIR: replaced by a symlink or file since readdir.
                    let e = errno
                    if e != ENOENT, e != ELOOP, e != ENOTDIR {
                        warnings.append("cannot read folder '\(RepoPath(bytes: path).display)': \(FileWalker.errnoMessage(e))")
                    }
                    continue
                }
                walkDirectory(fd: child, path: &path, isRoot: false, decide: decide)
            } else if kind == FileWalker.DirType.regular {
                guard decide(path, .file) else { continue }
                let result = FileWalker.withCString(entry.name) { FileWalker.readRegularFile(dirFD: fd, name: $0, maxFileSize: maxFileSize) }
                switch result {
                case .content(let content):
                    files.append(SourceFile(path: RepoPath(bytes: path), content: content))
                case .notRegular, .missing:
                    break
                case .failed(let e):
                    warnings.append("cannot read '\(RepoPath(bytes: path).display)': \(FileWalker.errnoMessage(e))")
                }
            }
            // Symlinks, FIFOs, sockets, devices: never read.
        }
    }

    private struct Entry {
        var name: [UInt8]
        var type: UInt8
    }

    /// All entries of the folder open as `fd` except `.` and `..`; nil (with a warning) when unreadable.
    private mutating func listDirectory(fd: Int32, path: [UInt8]) -> [Entry]? {
        // fdopendir takes ownership of its descriptor; give it a duplicate so `fd` stays usable for openat.
        let dupFD = dup(fd)
        guard dupFD >= 0, let dir = fdopendir(dupFD) else {
            let e = errno
            if dupFD >= 0 { close(dupFD) }
            warnings.append("cannot read folder '\(displayFolder(path))': \(FileWalker.errnoMessage(e))")
            return nil
        }
        defer { closedir(dir) }
        var entries: [Entry] = []
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while true {
            errno = 0
            guard let ent = readdir(dir) else {
                if errno != 0 {
                    warnings.append("cannot read folder '\(displayFolder(path))': \(FileWalker.errnoMessage(errno))")
                }
                break
            }
            let namePtr = UnsafeRawPointer(ent).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self)
            let len = strlen(namePtr)
            let name = Array(UnsafeRawBufferPointer(start: namePtr, count: len))
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            entries.append(Entry(name: name, type: ent.pointee.d_type))
        }
        return entries
    }

    private func displayFolder(_ path: [UInt8]) -> String {
        path.isEmpty ? "." : RepoPath(bytes: path).display
    }
}

extension FileWalker {
    /// The `.git` entry name, skipped everywhere.
    static let dotGit: [UInt8] = Array(".git".utf8)

    /// `d_type` values from <dirent.h> (Glibc imports them inconsistently across versions).
    enum DirType {
        static let unknown: UInt8 = 0
        static let directory: UInt8 = 4
        static let regular: UInt8 = 8
        static let other: UInt8 = 255  // any non-directory, non-regular type we resolved via lstat
    }

    /// `st_mode` file-type bits (the S_IS* macros don't import into Swift).
    enum FileMode {
        static let typeMask: mode_t = 0o170000
        static let regular: mode_t = 0o100000
        static let directory: mode_t = 0o040000
    }

    /// Outcome of reading one work-tree file.
    enum ReadResult {
        case content(SourceFile.Content)
        /// A symlink, folder, FIFO, device... (never read).
        case notRegular
        /// Not there (deleted in the work tree, or a parent is not a folder).
        case missing
        /// Was there but could not be read: errno value.
        case failed(Int32)
    }

    /// Reads the regular file `name` in the folder open as `dirFD` without following symlinks.
    /// Files larger than `maxFileSize` are measured, not read.
    static func readRegularFile(dirFD: Int32, name: UnsafePointer<CChar>, maxFileSize: Int) -> ReadResult {
        var st = stat()
        if fstatat(dirFD, name, &st, AT_SYMLINK_NOFOLLOW) != 0 {
            let e = errno
            return e == ENOENT || e == ENOTDIR ? .missing : .failed(e)
        }
        // Check the type before open: opening a FIFO or device can block or have side effects.
        guard st.st_mode & FileMode.typeMask == FileMode.regular else { return .notRegular }
        // O_NOFOLLOW + fstat re-check: the entry may have been swapped for a symlink since fstatat.
        let fd = openat(dirFD, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            return e == ELOOP ? .notRegular : .failed(e)
        }
        defer { close(fd) }
        guard fstat(fd, &st) == 0 else { return .failed(errno) }
        guard st.st_mode & FileMode.typeMask == FileMode.regular else { return .notRegular }
        let size = Int(st.st_size)
        if size > maxFileSize { return .content(.tooLarge(size: size)) }

        // Read to EOF rather than trusting st_size: the file may change while we read it.
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var count = 0
        while true {
            if count == bytes.count {
                if count > maxFileSize { return .content(.tooLarge(size: count)) }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, count)))
            }
            let n = bytes.withUnsafeMutableBytes { buf in
                read(fd, buf.baseAddress! + count, buf.count - count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            if n == 0 { break }
            count += n
        }
        if count > maxFileSize { return .content(.tooLarge(size: count)) }
        bytes.removeSubrange(count...)
        return .content(.bytes(bytes))
    }

    /// strerror text for `code`.
    static func errnoMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Calls `body` with `bytes` as a NUL-terminated C string (paths may hold any byte but NUL).
    static func withCString<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var z = bytes
        z.append(0)
        return try z.withUnsafeBufferPointer { buf in
            try buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { try body($0) }
        }
    }
}
