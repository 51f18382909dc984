/// Builders for rule examples, so each rule's examples stay short and their line numbers predictable.
enum Examples {
    /// A one-job workflow: setup-buildx-action (with `setup` lines under `with:`) then build-push-action
    /// with `inputs`. Each input line is indented for you; the first input line is line 11.
    static func buildPush(_ inputs: String, setup: String = "version: v0.21.1") -> String {
        let setupLines = setup.split(separator: "\n", omittingEmptySubsequences: false).map { "          " + $0 }
        precondition(setupLines.count == 1, "keep setup to one line so input lines start at 11")
        return """
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/setup-buildx-action@v3
                    with:
            \(setupLines.joined(separator: "\n"))
                  - uses: docker/build-push-action@v6
                    with:
            \(indent(inputs, by: 10))

            """
    }

    /// `buildPush` with docker/bake-action instead: its first input line is line 11 too.
    static func bakeAction(_ inputs: String, setup: String = "version: v0.21.1") -> String {
        buildPush(inputs, setup: setup).replacingAll("docker/build-push-action@v6", with: "docker/bake-action@v6")
    }

    /// A one-job workflow with only a setup-buildx-action step whose `with:` lines start at line 8.
    static func setupOnly(_ inputs: String) -> String {
        """
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/setup-buildx-action@v3
                with:
        \(indent(inputs, by: 10))

        """
    }

    static func indent(_ text: String, by n: Int) -> String {
        let pad = String(repeating: " ", count: n)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
            .joined(separator: "\n")
    }
}
