#!/usr/bin/env bash
# Whole-build comparison of two dossier binaries on the same generated evidence: wall
# time, CPU time (user + system, which a busy machine disturbs less than wall time) and
# peak memory, each the best of REPEAT runs, the two binaries alternating so that a busy
# machine slows both alike. Results are reported as ratios to the baseline.
#
# The tree is the credit-scoring sample plus one-record-per-line daily inference logs,
# N artifacts in all (default 100,000), built with both reports.
# Usage: benches/versus.sh BASELINE_BINARY [CANDIDATE_BINARY] [WORK_DIR]
#   CANDIDATE_BINARY defaults to this checkout's release build (built first).
#   To get a baseline: git worktree add /tmp/base REV && cargo build --release there.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
baseline=${1:?usage: benches/versus.sh BASELINE_BINARY [CANDIDATE_BINARY] [WORK_DIR]}
candidate=${2:-}
work=${3:-$(mktemp -d /tmp/dossier-versus.XXXXXX)}
if [ -z "$candidate" ]; then
  echo "building dossier (release)..." >&2
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  candidate="$here/target/release/dossier"
fi
mkdir -p "$work"

python3 - "$baseline" "$candidate" "$here" "$work" "${REPEAT:-3}" "${ARTIFACTS:-100000}" <<'PY'
import os, subprocess, sys, time

baseline, candidate, here, work, repeat, artifacts = sys.argv[1:7]
repeat, artifacts = int(repeat), int(artifacts)
sys.path.insert(0, os.path.join(here, "benches"))
from evidence_tree import prepare

env = dict(os.environ, SOURCE_DATE_EPOCH="1795000000")
tree = prepare(work, here, f"gen-{artifacts}", "credit-scoring", extra_logs=artifacts - 34)
config = os.path.join(tree, "both.yaml")

def run(binary, out):
    """Wall time, CPU time and peak resident memory (MiB) of one build."""
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "build", "--config", config, "-o", out, "--quiet", "--fail-on", "never"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{binary} failed (status {status})")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024

results = {"baseline": [], "candidate": []}
for i in range(repeat):
    for name, binary in (("baseline", baseline), ("candidate", candidate)):
        results[name].append(run(binary, os.path.join(work, f"pkg-{name}")))

def best(name):
    return tuple(min(r[i] for r in results[name]) for i in range(3))

(bt, bc, bm), (ct, cc, cm) = best("baseline"), best("candidate")
print(f"whole build, {artifacts} artifacts, both reports, best of {repeat}, {os.cpu_count()} cores")
print(f"             {'wall':>9}  {'cpu':>9}  {'peak':>9}")
print(f"  baseline   {bt:7.2f} s  {bc:7.2f} s  {bm:5.0f} MiB   {baseline}")
print(f"  candidate  {ct:7.2f} s  {cc:7.2f} s  {cm:5.0f} MiB   {candidate}")
print(f"  ratio      {ct / bt:8.2f}x  {cc / bc:8.2f}x  {cm / bm:8.2f}x")
PY
