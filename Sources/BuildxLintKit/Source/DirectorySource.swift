import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files of a folder that is not a git repository.
///
/// The walk never follows symbolic links (neither to files nor to folders), skips every entry
/// named `.git`, and keeps paths as raw bytes so names that are not UTF-8 round-trip.
public enum DirectorySource {
    /// All regular files below `root` whose path (relative to `root`, `/`-separated) satisfies
    /// `select`, sorted by path bytes.
    ///
    /// Files larger than `maxFileSize` bytes come back as `.tooLarge(size:)` without being read.
    /// A file that cannot be read comes back as `.unreadable(reason:)`; unreadable subfolders are skipped
    /// (``files(root:select:maxFileSize:warnings:)`` names them).
    /// - Throws: ``SourceError`` when `root` is not a readable directory.
    public static func files(root: String, select: (RepoPath) -> Bool, maxFileSize: Int) throws -> [SourceFile] {
        var ignored: [String] = []
        return try files(root: root, select: select, maxFileSize: maxFileSize, warnings: &ignored)
    }

    /// Like ``files(root:select:maxFileSize:)``, and appends one message to `warnings` for every
    /// subfolder that could not be read (permission denied).
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

    /// Walks the folder open as `fd` (consumed: closed when done), whose relative path is `path`.
    private mutating func walkDirectory(
        fd: Int32, path: inout [UInt8], isRoot: Bool, decide: ([UInt8], Question) -> Bool
    ) {
        // The DIR owns `fd` and stays open during the loop so `fd` can anchor openat/fstatat.
        guard let dir = fdopendir(fd) else {
            warnings.append("cannot read folder '\(displayFolder(path))': \(FileWalker.errnoMessage(errno))")
            close(fd)
            return
        }
        defer { closedir(dir) }
        let listing = readEntries(dir, path: path)
        if !isRoot, listing.hasDotGit, !decide(path, .nestedRepository) { return }
        guard !listing.entries.isEmpty else { return }

        let baseCount = path.count
        listing.names.withUnsafeBufferPointer { namesBuffer in
            let names = UnsafeRawPointer(namesBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            // The folder's selected files, read once its entries are listed (on all cores when many).
            var toRead: [(name: Int32, path: RepoPath)] = []
            for entry in listing.entries {
                let name = names + Int(entry.offset)  // NUL-terminated inside `names`
                if !isRoot { path.append(UInt8(ascii: "/")) }
                path.append(contentsOf: namesBuffer[Int(entry.offset)..<Int(entry.offset + entry.length)])
                defer { path.removeSubrange(baseCount...) }

                var kind = entry.type
                if kind == DirType.unknown {
                    // Some filesystems do not fill d_type: ask lstat (never follows the link).
                    var st = stat()
                    guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }  // vanished
                    switch st.st_mode & FileMode.typeMask {
                    case FileMode.directory: kind = DirType.directory
                    case FileMode.regular: kind = DirType.regular
                    default: kind = DirType.other
                    }
                }
                if kind == DirType.directory {
                    guard decide(path, .directory) else { continue }
                    let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    if child < 0 {
                        // ENOENT: vanished; ELOOP/ENOTDIR: replaced by a symlink or file since readdir.
                        let e = errno
                        if e != ENOENT, e != ELOOP, e != ENOTDIR {
                            warnings.append("cannot read folder '\(displayFolder(path))': \(FileWalker.errnoMessage(e))")
                        }
                        continue
                    }
                    walkDirectory(fd: child, path: &path, isRoot: false, decide: decide)
                } else if kind == DirType.regular {
                    guard decide(path, .file) else { continue }
                    toRead.append((entry.offset, RepoPath(bytes: path)))
                }
                // Symlinks, FIFOs, sockets, devices: never read.
            }
            let results = FileWalker.readFiles(toRead.map { names + Int($0.name) }, dirFD: fd, maxFileSize: maxFileSize)
            for (file, result) in zip(toRead, results) {
                switch result {
                case .content(let content):
                    files.append(SourceFile(path: file.path, content: content))
                case .notRegular, .missing:
                    break
                case .failed(let e):
                    // A file that is there but cannot be read is linted as such (a finding), not skipped.
                    files.append(SourceFile(path: file.path, content: .unreadable(reason: FileWalker.errnoMessage(e))))
                }
            }
        }
    }

    /// Below this many files per core, one core reads a folder's files as quickly.
    static let filesPerWorker = 32

    /// `readRegularFile` for each of `names` (entries of the folder open as `dirFD`), results in order;
    /// a folder with many selected files (a monorepo's `.github/workflows`) is read on all cores.
    static func readFiles(_ names: [UnsafePointer<CChar>], dirFD: Int32, maxFileSize: Int) -> [ReadResult] {
        let workers = min(processorCount, names.count / filesPerWorker)
        guard workers > 1 else { return names.map { readRegularFile(dirFD: dirFD, name: $0, maxFileSize: maxFileSize) } }
        return stridedMap(count: names.count, workers: workers, setUp: { _ in () }) { _, i in
            readRegularFile(dirFD: dirFD, name: names[i], maxFileSize: maxFileSize)
        }
    }

    /// One folder's entries; names live NUL-terminated in one buffer (one allocation per folder,
    /// not per entry).
    private struct Listing {
        struct Entry {
            var offset: Int32
            var length: Int32
            var type: UInt8
        }
        var names: [UInt8] = []
        var entries: [Entry] = []
        var hasDotGit = false
    }

    /// All entries of `dir` except `.`, `..` and `.git` (noted in `hasDotGit`). A read error
    /// ends the listing early with a warning.
    private mutating func readEntries(_ dir: DirHandle, path: [UInt8]) -> Listing {
        var listing = Listing()
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while true {
            errno = 0
            guard let ent = readdir(dir) else {
                if errno != 0 {
                    warnings.append("cannot read folder '\(displayFolder(path))': \(FileWalker.errnoMessage(errno))")
                }
                return listing
            }
            let namePtr = UnsafeRawPointer(ent).advanced(by: nameOffset)
            let name = UnsafeRawBufferPointer(start: namePtr, count: strlen(namePtr.assumingMemoryBound(to: CChar.self)))
            if name.elementsEqual([0x2E]) || name.elementsEqual([0x2E, 0x2E]) { continue }
            if name.elementsEqual(FileWalker.dotGit) {
                listing.hasDotGit = true
                continue
            }
            listing.entries.append(Listing.Entry(
                offset: Int32(listing.names.count), length: Int32(name.count), type: ent.pointee.d_type))
            listing.names.append(contentsOf: name)
            listing.names.append(0)
        }
    }

    private func displayFolder(_ path: [UInt8]) -> String {
        path.isEmpty ? "." : RepoPath(bytes: path).display
    }
}

extension FileWalker {
    #if canImport(Glibc)
    /// What `fdopendir` returns (`DIR *` imports differently per libc).
    typealias DirHandle = OpaquePointer
    #else
    typealias DirHandle = UnsafeMutablePointer<DIR>
    #endif

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
