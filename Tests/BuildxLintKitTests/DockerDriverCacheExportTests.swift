@testable import BuildxLintKit
import Testing

/// BXC310 and daemons set up with the containerd image store, whose docker driver exports cache
/// (Altinn/altinn-studio's deploy-runtime workflows).
@Suite struct DockerDriverCacheExportTests {
    static func workflow(_ setup: String) -> String {
        """
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
        \(Examples.indent(setup, by: 6))
              - run: docker build --platform linux/amd64,linux/arm64 --cache-to type=registry,ref=ghcr.io/o/app:buildcache,mode=max -t ghcr.io/o/app --push .

        """
    }

    @Test func setupDockerActionMayGiveTheContainerdStore() {
        let on = "- uses: docker/setup-docker-action@v4\n  with:\n    daemon-config: |\n      {\"features\": {\"containerd-snapshotter\": true}}"
        #expect(!TestSupport.lint(workflow: Self.workflow(on)).contains { $0.ruleID == "BXC310" })
        // Without daemon-config the action installs a current Docker, whose fresh installs use that store.
        #expect(!TestSupport.lint(workflow: Self.workflow("- uses: docker/setup-docker-action@v4")).contains { $0.ruleID == "BXC310" })
        // Turned off explicitly, or no daemon set up at all: the docker driver cannot export cache.
        let off = on.replacingAll("true}}", with: "false}}")
        #expect(TestSupport.lint(workflow: Self.workflow(off)).filter { $0.ruleID == "BXC310" }.count == 1)
        #expect(TestSupport.lint(workflow: Self.workflow("- uses: actions/checkout@v4")).filter { $0.ruleID == "BXC310" }.count == 1)
    }
}
