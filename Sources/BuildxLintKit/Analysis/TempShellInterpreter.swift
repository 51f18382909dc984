// TEMPORARY stub until the real interpreter lands.
struct ShellInterpreter {
    init(table: UnknownTable, stepEnv: [String: ExprValue], ctx: EvalContext, posix: Bool, hereDocs: Any) {}
    func run(_ commands: Any, bashOnly: [String]) -> GitHubEnvScript {
        GitHubEnvScript(writes: [], effective: [], hasUnreadableWrite: true, bashOnlyExpansions: bashOnly, stoppedEarly: nil)
    }
}
