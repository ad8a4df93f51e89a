#!/usr/bin/env bash
# Whole builds at scale, side by side with two tools that also write a per-file SHA-256
# list of a directory, all in one run on the same trees:
#   - coreutils sha256sum over the tree, two at a time: find | xargs -0 -P2 sha256sum
#   - sigstore's model_signing (PyPI), which hashes a directory into a per-file manifest
# and dossier itself, cold (an empty digest cache), warm (nothing changed since the cold
# run) and incremental (1% of the files rewritten in place since). Each figure is the best of
# REPEAT runs with the page cache warm; results are printed as ratios.
#
# Trees (made once under WORK_DIR, reused): the credit-scoring sample plus one-record-
# per-line inference logs, N artifacts in all, for each N in ARTIFACTS (default
# "100000"); and, with LARGE=1, the sample plus 40 files of 32 MiB (datasets and weights,
# which is what the digest cache is for).
#
# Usage: benches/scale.sh [WORK_DIR]
#   ARTIFACTS="100000 1000000" REPEAT=3 LARGE=1 benches/scale.sh /work/bench-work
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/dossier-scale.XXXXXX)}
mkdir -p "$work"
echo "building dossier (release)..." >&2
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
dossier="$here/target/release/dossier"
# The stat floor: listing the tree and reading every entry's status, in parallel, nothing
# opened. No re-run that looks at each file's ctime can be faster.
floor=$(cargo bench --bench stat_floor --no-run --quiet --message-format=json --manifest-path "$here/Cargo.toml" \
  | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "stat_floor":
        print(m["executable"])')

# model_signing, pinned, in its own virtual environment (it needs pyOpenSSL at import).
venv="$work/venv-model-signing"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check model-signing==1.1.1 pyopenssl==26.4.0
fi

python3 - "$dossier" "$here" "$work" "$venv/bin/python" "${REPEAT:-3}" "${ARTIFACTS:-100000}" "${LARGE:-0}" "$floor" <<'PY'
import os, shutil, subprocess, sys, time

dossier, here, work, venv_python, repeat, artifacts, large, floor_bin = sys.argv[1:9]
repeat = int(repeat)
sys.path.insert(0, os.path.join(here, "benches"))
from evidence_tree import prepare

env = dict(os.environ, SOURCE_DATE_EPOCH="1795000000")

def run(argv, cwd=None):
    """Wall time and peak resident memory (MiB) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{argv[0]} failed (status {status}): {' '.join(argv)}")
    return elapsed, usage.ru_maxrss / 1024

def best(runs):
    return min(r[0] for r in runs), max(r[1] for r in runs)

def size_of(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)

def large_tree():
    tree = os.path.join(work, "large-40x32MiB")
    ev, done = os.path.join(tree, "ev"), os.path.join(tree, ".done")
    if not os.path.exists(done):
        shutil.rmtree(tree, ignore_errors=True)
        shutil.copytree(os.path.join(here, "evidence-samples", "credit-scoring"), ev)
        os.makedirs(os.path.join(ev, "data", "shards"))
        for i in range(40):
            with open(os.path.join(ev, "data", "shards", f"part-{i:03d}.bin"), "wb") as fh:
                fh.write(os.urandom(32 << 20))
        open(done, "w").close()
    base = open(os.path.join(ev, "dossier.yaml")).read()
    base = base.replace("root: .", "root: ev").replace("file: policies/", "file: ev/policies/")
    with open(os.path.join(tree, "both.yaml"), "w") as fh:
        fh.write(base + "\nreport:\n  formats: [html, pdf]\n")
    return tree

def rewrite_one_percent(ev):
    """Rewrites the first byte of 1% of the files, spread over the tree. The bytes stay the
    same (the logs stay valid), but the files' status-change times move, which is all the
    cache can see: to it they are changed files."""
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(ev) for f in fs if f.endswith((".jsonl", ".bin")))
    step = max(1, len(files) // max(1, len(files) // 100))
    for path in files[::step]:
        with open(path, "r+b") as fh:
            first = fh.read(1)
            fh.seek(0)
            fh.write(first)
    return len(files[::step])

trees = [(f"{int(n):,} artifacts", prepare(work, here, f"gen-{n}", "credit-scoring", extra_logs=int(n) - 34))
         for n in artifacts.split()]
if large == "1":
    trees.append(("40 x 32 MiB + sample", large_tree()))

print(f"{os.cpu_count()} cores, best of {repeat}, page cache warm")
for label, tree in trees:
    ev, config = os.path.join(tree, "ev"), os.path.join(tree, "both.yaml")
    cache, out = os.path.join(tree, "cache"), os.path.join(tree, "pkg")
    build = [dossier, "build", "--config", config, "-o", out, "--quiet", "--fail-on", "never", "--cache-dir", cache]
    # Warm the page cache (and the directory caches) once, untimed, so that every tool reads
    # from memory.
    run(["bash", "-c", "find ev -type f -print0 | xargs -0 -P2 cat > /dev/null"], cwd=tree)
    sums = best([run(["bash", "-c", "find ev -type f -print0 | xargs -0 -P2 sha256sum > /dev/null"], cwd=tree)
                 for _ in range(repeat)])
    signing = best([run([venv_python, "-c",
                         "import sys; from model_signing import hashing; "
                         "hashing.Config().use_file_serialization(hashing_algorithm='sha256').hash(sys.argv[1])", ev])
                    for _ in range(repeat)])
    cold = []
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(run(build))
    cold = best(cold)
    package = size_of(out)
    listing = size_of(os.path.join(out, "manifest.json")) + size_of(os.path.join(out, "SHA256SUMS"))
    pdf = size_of(os.path.join(out, "report.pdf"))
    time.sleep(3)  # files changed in the 2 s before a run are not cached: let the tree settle
    run(build)     # records the cache
    warm = best([run(build) for _ in range(repeat)])
    floor = float(subprocess.run([floor_bin, ev, str(repeat)], check=True, capture_output=True, text=True).stdout.split()[0])
    changed = rewrite_one_percent(ev)
    time.sleep(3)
    incremental = run(build)
    print(f"\n{label} ({tree})")
    print(f"  find | xargs -0 -P2 sha256sum   {sums[0]:8.2f} s  {sums[1]:7.0f} MiB")
    print(f"  model_signing 1.1.1 (sha256)   {signing[0]:8.2f} s  {signing[1]:7.0f} MiB")
    print(f"  dossier build, cold cache      {cold[0]:8.2f} s  {cold[1]:7.0f} MiB   "
          f"{cold[0] / sums[0]:.2f}x sha256sum, {cold[0] / signing[0]:.2f}x model_signing")
    print(f"  dossier build, warm cache      {warm[0]:8.2f} s  {warm[1]:7.0f} MiB   {cold[0] / warm[0]:.2f}x faster than cold")
    print(f"  stat floor (list + status)     {floor:8.2f} s            "
          f"an unchanged re-run can be at most {cold[0] / floor:.1f}x faster than this cold build, "
          f"{2 * sums[0] / floor:.1f}x than one at 2x sha256sum")
    print(f"  dossier build, {changed} rewritten {incremental[0]:8.2f} s  {incremental[1]:7.0f} MiB   "
          f"{cold[0] / incremental[0]:.2f}x faster than cold")
    print(f"  package {package / 2**20:.1f} MiB = {package / listing:.2f}x manifest.json + SHA256SUMS "
          f"({listing / 2**20:.1f} MiB); report.pdf {pdf / 2**20:.2f} MiB")
PY
