/// Which version of the repository's files to lint.
public enum SourceMode: Sendable, Equatable {
    /// The working tree: tracked files plus untracked files that are not ignored, as they are on disk.
    case worktree
    /// The blobs staged in the index (`$GIT_INDEX_FILE` when set, as inside git's pre-commit hook).
    case staged
    /// The tree of any revision (`HEAD`, a branch, a tag, a commit id, `HEAD~2`...).
    case revision(String)
}

/// One file handed from a source to the parsers.
public struct SourceFile: Sendable {
    /// Path relative to the repository (or walked folder) root, `/`-separated, raw bytes.
    public let path: RepoPath
    /// The file's content, or why it was not read.
    public let content: Content

    public enum Content: Sendable {
        case bytes([UInt8])
        /// Larger than the size limit; not read. `size` is the size in bytes.
        case tooLarge(size: Int)
        /// There, but it could not be read: a work-tree file without read permission, a blob missing from
        /// the object database (a partial clone) or corrupt. `reason` says why.
        case unreadable(reason: String)
    }

    public init(path: RepoPath, content: Content) {
        self.path = path
        self.content = content
    }
}

/// A source that could not be opened or read at all: the tool's own input is wrong (exit 2).
public struct SourceError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// Whether no repository was found at all (as opposed to one that exists but cannot be opened): only
    /// then is a folder linted as plain files.
    public let isNotARepository: Bool
    public init(_ message: String, isNotARepository: Bool = false) {
        self.message = message
        self.isNotARepository = isNotARepository
    }
    public var description: String { message }
}
