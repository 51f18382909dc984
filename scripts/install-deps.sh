#!/bin/sh
# Installs the C libraries and tools buildx-lint builds against, when they are missing.
# Debian/Ubuntu: libgit2-dev, libyaml-dev, libmimalloc-dev, pkg-config (and git, used by the tests' fixture
# repositories). macOS: brew install libgit2 libyaml pkg-config (mimalloc is linked on Linux only).
set -eu
missing=""
pkg-config --exists libgit2 2>/dev/null || missing="$missing libgit2-dev"
pkg-config --exists yaml-0.1 2>/dev/null || missing="$missing libyaml-dev"
# Debian's libmimalloc-dev has no pkg-config file: look for its header.
[ "$(uname -s)" != Linux ] || [ -e /usr/include/mimalloc.h ] || missing="$missing libmimalloc-dev"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v git >/dev/null 2>&1 || missing="$missing git"
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "installing:$missing" >&2
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
elif command -v brew >/dev/null 2>&1; then
    brew install libgit2 libyaml pkg-config
else
    echo "please install:$missing" >&2
    exit 1
fi
