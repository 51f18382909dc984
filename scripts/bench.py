#!/usr/bin/env python3
"""Benchmark buildx-lint on generated corpora (a committed script, not a timed test).

  python3 scripts/bench.py [--shared ../shared] [--runs 5] [--out /tmp/buildx-lint-bench] [--no-build]

1. Builds the release binary (unless --no-build).
2. Generates the 2,000-workflow corpus with ../shared/bench/gen_bench_corpus.py (a committed git repo)
   and times `buildx-lint` on its working tree, `--staged` and `--rev HEAD`.
3. Makes a 20,000-file repository holding 50 of those workflows and times `--staged` there.
4. Checks recall against the corpus manifest (seeded packed entries and unpinned buildx).
Each run is started with posix_spawn and reaped with waitpid: wall time is measured around the process
(median and fastest of --runs runs after a warm-up run; the fastest is the least disturbed by other load on
a shared machine); peak RSS is /usr/bin/time's maximum resident set size (MiB, median of three more runs:
the wrapper's own start-up is kept out of the timed runs). Set BUILDX_LINT_TRACE=1 on a run to see each
phase's time and peak memory on stderr.
Targets (issue 2, 2 cores): 2,000 workflows <= 0.3 s and 50 MB; --staged on 20,000 files <= 50 ms.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def run_once(argv, cwd, rss=False):
    """Runs argv once, started with posix_spawn (no fork of this Python process, whose own start-up would
    otherwise be timed); returns wall seconds, peak RSS in MiB (None unless `rss`), exit status and stdout.

    Wall time is taken with the binary started directly. Peak RSS needs /usr/bin/time (its %M): a
    vfork-started child's own ru_maxrss would include this process's pages. Running under /usr/bin/time
    adds its own fork and exec (about a millisecond, which matters against a 50 ms target), so the runs
    that measure memory are not the ones that measure time."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    if rss:
        argv = ["/usr/bin/time", "-f", "%M", *argv]
    actions = [(os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2),
               (os.POSIX_SPAWN_CLOSE, out_r), (os.POSIX_SPAWN_CLOSE, err_r)]
    old = os.getcwd()
    os.chdir(cwd)
    try:
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    finally:
        os.chdir(old)
    os.close(out_w)
    os.close(err_w)
    chunks = []
    while True:
        b = os.read(out_r, 1 << 20)
        if not b:
            break
        chunks.append(b)
    _, status = os.waitpid(pid, 0)
    wall = time.perf_counter() - start
    err = b""
    while True:
        b = os.read(err_r, 1 << 16)
        if not b:
            break
        err += b
    os.close(out_r)
    os.close(err_r)
    peak = int(err.decode().strip().splitlines()[-1]) / 1024 if rss else None
    return wall, peak, os.waitstatus_to_exitcode(status), b"".join(chunks).decode()


def timed(binary, args, cwd, runs):
    """Median and fastest wall time of `runs` runs after a warm-up run, and the median peak RSS (MiB) of
    three more runs under /usr/bin/time; returns the last run's stdout."""
    argv = [binary, *args, "--format", "json", "--fail-on", "never"]
    run_once(argv, cwd)  # warm the page cache
    walls, rss = [], []
    for _ in range(runs):
        wall, _, code, stdout = run_once(argv, cwd)
        if code != 0:
            sys.exit(f"buildx-lint failed ({code}) in {cwd}")
        walls.append(wall)
    for _ in range(3):
        _, peak, code, _ = run_once(argv, cwd, rss=True)
        if code != 0:
            sys.exit(f"buildx-lint failed ({code}) in {cwd}")
        rss.append(peak)
    return statistics.median(walls), min(walls), statistics.median(rss), stdout


def git(args, cwd):
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.com",
               GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.com")
    sh(["git", "-c", "init.defaultBranch=main", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(root, "..", "shared"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default="/tmp/buildx-lint-bench")
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()

    if not a.no_build:
        # The same build as scripts/lint.sh: on Linux the Swift runtime is linked in (faster start-up).
        static = ["--static-swift-stdlib"] if sys.platform.startswith("linux") else []
        sh(["swift", "build", "-c", "release", *static, "--package-path", root], stdout=subprocess.DEVNULL)
    binary = os.path.join(root, ".build", "release", "buildx-lint")
    os.makedirs(a.out, exist_ok=True)

    corpus = os.path.join(a.out, "corpus-2000")
    sh([sys.executable, os.path.join(a.shared, "bench", "gen_bench_corpus.py"), "--out", corpus], stdout=subprocess.DEVNULL)
    git(["status", "--short"], corpus)  # refresh the index stat cache, as a user's repository has it

    rows = []
    out = None
    for label, args in [("worktree", []), ("--staged", ["--staged"]), ("--rev HEAD", ["--rev", "HEAD"])]:
        wall, fastest, rss, stdout = timed(binary, args, corpus, a.runs)
        rows.append((f"2,000 workflows, {label}", wall, fastest, rss))
        out = out or stdout

    # Recall on the seeded defects the core rules own.
    manifest = json.load(open(os.path.join(corpus, "bench-manifest.json")))
    found = {(d["path"], d["line"], d["rule"]) for d in json.loads(out)["diagnostics"]}
    recall = {}
    for kind, rule in [("packed-cache-from", "BXC001"), ("packed-cache-to", "BXC001"), ("unpinned-buildx", "BXC301")]:
        seeded = [d for d in manifest["defects"] if d.get("kind") == kind and d["file"].startswith(".github/")]
        hit = sum(1 for d in seeded if (d["file"], d["line"], rule) in found)
        recall[kind] = (hit, len(seeded))
    # A scope shared by the matrix legs is seeded at the build's cache-from line; BXC101 reports the colliding
    # export, on the cache-to line after it (1 line on, or 3 after a `cache-from: |` block of two entries).
    seeded = [d for d in manifest["defects"] if d.get("kind") == "matrix-shared-cache"]
    hit = sum(1 for d in seeded if any((d["file"], d["line"] + k, "BXC101") in found for k in (1, 2, 3)))
    recall["matrix-shared-cache"] = (hit, len(seeded))

    # 20,000 files, 50 of them workflows.
    big = os.path.join(a.out, "repo-20000")
    if os.path.exists(big):
        shutil.rmtree(big)
    os.makedirs(os.path.join(big, ".github", "workflows"))
    for i in range(50):
        shutil.copy(os.path.join(corpus, ".github", "workflows", f"wf-{i:04d}.yml"), os.path.join(big, ".github", "workflows"))
    for d in range(200):
        folder = os.path.join(big, "src", f"pkg{d:03d}")
        os.makedirs(folder)
        for f in range(100 - (1 if d < 50 else 0)):
            with open(os.path.join(folder, f"f{f:03d}.txt"), "w") as fh:
                fh.write(f"file {d} {f}\n" * 20)
    git(["init", "-q"], big)
    git(["add", "-A"], big)
    git(["commit", "-q", "-m", "init"], big)
    files = int(subprocess.run(["git", "ls-files"], cwd=big, stdout=subprocess.PIPE, text=True).stdout.count("\n"))
    wall, fastest, rss, _ = timed(binary, ["--staged"], big, a.runs)
    rows.append((f"{files:,} files / 50 workflows, --staged", wall, fastest, rss))
    wall, fastest, rss, _ = timed(binary, [], big, a.runs)
    rows.append((f"{files:,} files / 50 workflows, worktree", wall, fastest, rss))

    print(f"buildx-lint benchmark ({os.cpu_count()} cores, {a.runs} runs each)")
    print(f"| corpus | median wall (s) | fastest (s) | peak RSS (MiB, median) |\n|---|---|---|---|")
    for label, wall, fastest, rss in rows:
        print(f"| {label} | {wall:.3f} | {fastest:.3f} | {rss:.1f} |")
    for kind, (hit, n) in recall.items():
        print(f"recall {kind}: {hit}/{n}")


if __name__ == "__main__":
    main()
