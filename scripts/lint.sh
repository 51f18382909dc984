#!/bin/sh
# Set-up command 1: install what is missing, build buildx-lint (release), and lint a repository
# (default: the one containing the current directory). Extra arguments go to buildx-lint.
#   scripts/lint.sh                      # lint the current repository's working tree
#   scripts/lint.sh --rev HEAD ../other  # any buildx-lint arguments
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
swift build -c release --package-path "$here" >&2
exec "$here/.build/release/buildx-lint" "$@"
