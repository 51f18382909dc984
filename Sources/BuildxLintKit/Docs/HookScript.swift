/// The git pre-commit hook `buildx-lint install-hook` writes; the same text as `hooks/pre-commit`
/// (a test keeps the two equal).
public enum HookScript {
    /// The hook script text.
    public static let preCommit = #"""
#!/bin/sh
# buildx-lint git pre-commit hook: lints what is staged and blocks the commit on findings.
#
# Install: run `buildx-lint install-hook` in the repository, or copy this file to .git/hooks/pre-commit.
# git sets GIT_INDEX_FILE for `git commit -a` and `git commit <paths>`; buildx-lint --staged reads that
# index, so the hook sees exactly what will be committed. Skip once with `git commit --no-verify`.
# BUILDX_LINT may name the binary; otherwise buildx-lint must be on PATH.
lint=${BUILDX_LINT:-buildx-lint}
if ! command -v "$lint" >/dev/null 2>&1; then
    echo "pre-commit: buildx-lint not found (install it or set BUILDX_LINT); skipping with --no-verify is possible" >&2
    exit 1
fi
"$lint" --staged
status=$?
if [ "$status" -eq 1 ]; then
    echo "pre-commit: buildx-lint found problems in the staged files (fix them, or commit with --no-verify)" >&2
fi
exit "$status"

"""#

    /// The line that marks a hook as ours (so `install-hook` may update it without `--force`).
    public static let marker = "buildx-lint git pre-commit hook"
}
