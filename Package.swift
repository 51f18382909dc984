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
        .target(name: "BuildxLintKit", dependencies: ["CLibgit2", "CYAML"]),
        .executableTarget(
            name: "buildx-lint",
            dependencies: [
                "BuildxLintKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "BuildxLintKitTests", dependencies: ["BuildxLintKit"]),
    ]
)
