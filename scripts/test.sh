#!/bin/sh
# Set-up command 2: install what is missing and run every test (unit, rule examples, fixture
# repositories, the shared corpus when ../shared is present).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
cd "$here"
swift build --build-tests
swift test --skip-build
