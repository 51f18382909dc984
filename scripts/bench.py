#!/usr/bin/env python3
"""Benchmark buildx-lint on generated corpora (a committed script, not a timed test).

  python3 scripts/bench.py [--shared ../shared] [--runs 5] [--out /tmp/buildx-lint-bench] [--no-build]

1. Builds the release binary (unless --no-build).
2. Generates the 2,000-workflow corpus with ../shared/bench/gen_bench_corpus.py (a committed git repo)
   and times `buildx-lint` on its working tree, `--staged` and `--rev HEAD`.
3. Makes a 20,000-file repository holding 50 of those workflows and times `--staged` there.
4. Checks recall against the corpus manifest (seeded packed entries and unpinned buildx).
Wall time and peak RSS come from /usr/bin/time; each figure is the median of --runs runs.
Targets (issue 2, 2 cores): 2,000 workflows <= 0.3 s and 50 MB; --staged on 20,000 files <= 50 ms.
"""
import argparse, json, os, shutil, statistics, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def timed(binary, args, cwd, runs):
    walls, rss = [], []
    for _ in range(runs):
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", binary, *args, "--format", "json", "--fail-on", "never"],
                           cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.exit(f"buildx-lint failed ({p.returncode}): {p.stderr}")
        wall, kb = p.stderr.strip().splitlines()[-1].split()
        walls.append(float(wall))
        rss.append(int(kb) / 1024)
    return statistics.median(walls), statistics.median(rss), p.stdout


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
        sh(["swift", "build", "-c", "release", "--package-path", root], stdout=subprocess.DEVNULL)
    binary = os.path.join(root, ".build", "release", "buildx-lint")
    os.makedirs(a.out, exist_ok=True)

    corpus = os.path.join(a.out, "corpus-2000")
    sh([sys.executable, os.path.join(a.shared, "bench", "gen_bench_corpus.py"), "--out", corpus], stdout=subprocess.DEVNULL)
    git(["status", "--short"], corpus)  # refresh the index stat cache, as a user's repository has it

    rows = []
    out = None
    for label, args in [("worktree", []), ("--staged", ["--staged"]), ("--rev HEAD", ["--rev", "HEAD"])]:
        wall, rss, stdout = timed(binary, args, corpus, a.runs)
        rows.append((f"2,000 workflows, {label}", wall, rss))
        out = out or stdout

    # Recall on the seeded defects the core rules own.
    manifest = json.load(open(os.path.join(corpus, "bench-manifest.json")))
    found = {(d["path"], d["line"], d["rule"]) for d in json.loads(out)["diagnostics"]}
    recall = {}
    for kind, rule in [("packed-cache-from", "BXC001"), ("packed-cache-to", "BXC001"), ("unpinned-buildx", "BXC301")]:
        seeded = [d for d in manifest["defects"] if d.get("kind") == kind and d["file"].startswith(".github/")]
        hit = sum(1 for d in seeded if (d["file"], d["line"], rule) in found)
        recall[kind] = (hit, len(seeded))

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
    wall, rss, _ = timed(binary, ["--staged"], big, a.runs)
    rows.append((f"{files:,} files / 50 workflows, --staged", wall, rss))
    wall, rss, _ = timed(binary, [], big, a.runs)
    rows.append((f"{files:,} files / 50 workflows, worktree", wall, rss))

    print(f"buildx-lint benchmark ({os.cpu_count()} cores, median of {a.runs} runs)")
    print(f"| corpus | wall (s) | peak RSS (MB) |\n|---|---|---|")
    for label, wall, rss in rows:
        print(f"| {label} | {wall:.3f} | {rss:.1f} |")
    for kind, (hit, n) in recall.items():
        print(f"recall {kind}: {hit}/{n}")


if __name__ == "__main__":
    main()
