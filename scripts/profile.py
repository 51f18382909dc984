#!/usr/bin/env python3
"""Where a run's instructions go, by kind of work (a committed profile, to back the README's "Speed" section).

  python3 scripts/profile.py [--corpus /tmp/buildx-lint-bench/corpus-2000] [--binary .build/release/buildx-lint]

Runs the release binary once under `valgrind --tool=callgrind` on a corpus (by default the one scripts/bench.py
generates), then sums callgrind's self cost per function into buckets: libyaml, libgit2 and its TLS library,
Swift reference counting, allocation and deallocation, String operations, hashing, compiler-generated value
witnesses (struct and enum copies and destroys), and the project's own source files. Instruction counts, not
time: they are the same on a loaded machine, so two builds can be compared when wall times are too noisy.
Needs valgrind (Debian `valgrind`); a development tool, never run by the linter or its tests.
"""
import argparse, collections, os, re, shutil, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)

# Library buckets by object file; then the project's own functions by mangled name; then the Swift runtime and
# standard library (including its generic code specialised for the project's types) by symbol.
LIBRARIES = [
    ("libyaml (scanner and parser)", ("libyaml",)),
    ("libgit2 and mbedTLS (set-up, index, blobs)", ("libgit2", "mbed")),
    ("dynamic loader", ("ld-linux",)),
    ("malloc/free (mimalloc or glibc)", ("mimalloc",)),
]
RUNTIME = [
    ("Swift reference counting", r"swift_(retain|release|bridgeObject|isUniquely|unknownObject)|RefCount"),
    ("Swift allocation, deallocation, array growth", r"swift_(allocObject|deallocObject|deallocClassInstance|slowAlloc|slowDealloc|arrayDestroy|arrayInit|deallocUninitialized)|StorageCf[Dd]|_ContiguousArrayBuffer|consumeAndCreateNew|makeUnique|^(malloc|free|cfree|_int_\w+)$"),
    ("hashing (Hasher, dictionary and set lookups)", r"Hasher|4hash4into|_RawDictionaryStorage|_NativeDictionary|_NativeSet|_DictionaryStorage|_SetStorage|\$sSD|\$sSh"),
    ("String and Character operations", r"String|Substring|UTF8|Character|Unicode|_allASCII|\$sSS|\$sSs|\$sSJ|^mem(mem|cmp|chr)$|^strlen$"),
    ("value witnesses and outlined copies (struct/enum copy and destroy)", r"(Vwcp|Vwxx|Vwca|Vwta|Vwtk|WOy|WOe|WOh|WOs|WOc|WOb|WOd)$|ValueWitnesses|destroy_boxed|__swift_instantiateConcreteType"),
    ("memcpy/memmove/memset", r"^__mem(cpy|move|set)|^mem(cpy|move|set)"),
]
WITNESS = r"(Vwcp|Vwxx|Vwca|Vwta|Vwtk|WOy|WOe|WOh|WOs|WOc|WOb|WOd)$"


def bucket(source, symbol, obj):
    """The bucket of one function's self cost, from its source file, symbol and object file."""
    for name, needles in LIBRARIES:
        if any(n in obj for n in needles):
            return name
    if symbol.startswith(("$s13BuildxLintKit", "$s11buildx_lint")) and not re.search(WITNESS, symbol):
        if "/BuildxLintKit/" in source:
            # By layer: the folder under BuildxLintKit (Parse, Analysis, Rules, Source, Reporters) or the file.
            return "project code: " + source.split("/BuildxLintKit/", 1)[1].split("/")[0]
        return "project code: compiler-generated (specialised or outlined)"
    for name, pattern in RUNTIME:
        if re.search(pattern, symbol):
            return name
    if "swift-argument-parser" in source:
        return "swift-argument-parser"
    return "other (Swift runtime and standard library, libc)"


def annotate(path):
    """callgrind_annotate's flat listing (self cost per function) of one callgrind output."""
    return subprocess.run(["callgrind_annotate", "--threshold=100", path],
                          check=True, capture_output=True, text=True, errors="replace").stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/tmp/buildx-lint-bench/corpus-2000", help="folder to lint (its repository)")
    ap.add_argument("--binary", default=os.path.join(root, ".build", "release", "buildx-lint"))
    ap.add_argument("--top", type=int, default=30, help="buckets to print")
    ap.add_argument("--callgrind-out", help="read this callgrind output instead of running valgrind")
    a = ap.parse_args()
    if a.callgrind_out:
        listing = annotate(a.callgrind_out)
        where = a.callgrind_out
    else:
        for tool in ("valgrind", "callgrind_annotate"):
            if not shutil.which(tool):
                sys.exit(f"{tool} not found: install valgrind (Debian: apt-get install valgrind)")
        if not os.path.isdir(a.corpus):
            sys.exit(f"no corpus at {a.corpus}: run scripts/bench.py first, or pass --corpus")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "callgrind.out")
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", a.binary,
                            "--format", "json", "--fail-on", "never"],
                           cwd=a.corpus, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            listing = annotate(out)
        where = a.corpus
    totals = collections.Counter()
    total = 0
    for line in listing.splitlines():
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S*?):(.*?)(?: \[([^\]]*)\])?\s*$", line)
        if not m:
            continue
        cost = int(m.group(1).replace(",", ""))
        source, symbol, obj = m.group(2), m.group(3), m.group(4) or ""
        if source == "PROGRAM TOTALS":
            continue
        total += cost
        totals[bucket(source, symbol, obj)] += cost
    print(f"{total / 1e6:,.0f} M instructions ({where})")
    project = sum(v for k, v in totals.items() if k.startswith("project code"))
    for name, cost in totals.most_common(a.top):
        print(f"{cost / 1e6:10,.1f} M  {100 * cost / total:5.1f}%  {name}")
    print(f"{project / 1e6:10,.1f} M  {100 * project / total:5.1f}%  all project code (self cost, every file)")


if __name__ == "__main__":
    main()
