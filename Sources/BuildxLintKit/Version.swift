/// The linter's own version, printed by `--version` and in JSON output.
public enum BuildxLint {
    /// The release version (semantic versioning).
    public static let version = "0.1.0"
    /// The project's home, for SARIF `informationUri` and rule `helpUri`s.
    public static let homepage = "https://github.com/buildx-lint/buildx-lint"
}
