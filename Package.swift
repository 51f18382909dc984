// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "buildx-lint",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "buildx-lint", targets: ["buildx-lint"]),
        .library(name: "BuildxLintKit", targets: ["BuildxLintKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibgit2", pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]),
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        // The executable's allocator on Linux (Debian libmimalloc-dev, found on the default paths: Debian
        // ships no mimalloc.pc): the linter allocates many small objects on every core, and glibc's malloc
        // and free took a seventh of a run (README, "Speed"). macOS keeps its own allocator.
        .systemLibrary(name: "CMimalloc", providers: [.apt(["libmimalloc-dev"])]),
        .target(name: "BuildxLintKit", dependencies: ["CLibgit2", "CYAML"]),
        .executableTarget(
            name: "buildx-lint",
            dependencies: [
                "BuildxLintKit",
                .target(name: "CMimalloc", condition: .when(platforms: [.linux])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "BuildxLintKitTests", dependencies: ["BuildxLintKit"]),
    ]
)
