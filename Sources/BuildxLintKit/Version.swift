/// The linter's own version, printed by `--version` and in JSON output.
public enum BuildxLint {
    public static let version = "0.1.0"
}
