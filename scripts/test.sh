#!/bin/sh
# Set-up command 2: install what is missing and run every test (unit, rule examples, fixture
# repositories, the shared corpus when ../shared is present, the pre-commit framework hook).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
# Test-only tools from PyPI: pre-commit (try-repo test) and jsonschema (SARIF schema validation).
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import pre_commit, jsonschema' 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check pre-commit jsonschema >&2 ||
        echo "warning: could not install pre-commit/jsonschema; those tests will be skipped" >&2
fi
cd "$here"
swift build --build-tests
swift test --skip-build
