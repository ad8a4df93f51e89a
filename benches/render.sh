#!/usr/bin/env bash
# Whole-run report rendering benchmark.
#
# Rendering happens at the end of `dossier build`, after collection and assessment. To
# time it alone, every tree is built four times with the same evidence and config except
# `report.formats`: [] (no reports), [html], [pdf], [html, pdf]. Render time is the
# difference from the no-report build, best of REPEAT runs each, release binary, warm cache.
# On large trees that difference is within the noise of the build itself, so the whole
# build time with both reports is printed too: it bounds the render time from above.
#
# Trees: each bundled evidence sample, and generated trees of 25,000, 50,000 and 100,000
# artifacts (the credit-scoring sample plus daily inference logs, the shape that grows).
# Targets (2-core machine): HTML and PDF under 1 s each per sample; both formats under
# 10 s for 100,000 artifacts; render time growing no faster than linearly in artifacts.
# Usage: benches/render.sh [WORK_DIR]   (default: a fresh directory under /tmp)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/dossier-render.XXXXXX)}
repeat=${REPEAT:-3}
sizes=${SIZES:-"25000 50000 100000"}
mkdir -p "$work"

echo "building dossier (release)..." >&2
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
dossier="$here/target/release/dossier"

python3 - "$dossier" "$here" "$work" "$repeat" "$sizes" <<'PY'
import os, shutil, subprocess, sys, time

dossier, here, work, repeat, sizes = sys.argv[1:6]
repeat = int(repeat)
sizes = [int(s) for s in sizes.split()]
env = dict(os.environ, SOURCE_DATE_EPOCH="1795000000")
VARIANTS = {"none": "[]", "html": "[html]", "pdf": "[pdf]", "both": "[html, pdf]"}

sys.path.insert(0, os.path.join(here, "benches"))
from evidence_tree import prepare as prepare_tree

def prepare(name, sample, extra_logs=0):
    return prepare_tree(work, here, name, sample, extra_logs, VARIANTS)

def best(tree, variant):
    out = os.path.join(tree, f"pkg-{variant}")
    cmd = [dossier, "build", "--config", os.path.join(tree, f"{variant}.yaml"), "-o", out, "--quiet", "--fail-on", "never"]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times), out

def measure(label, tree, artifacts):
    t = {v: best(tree, v) for v in VARIANTS}
    base = t["none"][0]
    html, pdf, both = (t[v][0] - base for v in ("html", "pdf", "both"))
    pdf_file = os.path.join(t["both"][1], "report.pdf")
    pages = "?"
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", pdf_file], capture_output=True, text=True).stdout
        pages = next((l.split()[-1] for l in info.splitlines() if l.startswith("Pages:")), "?")
    size = os.path.getsize(pdf_file) / 2**20
    print(f"  {label:<24} {artifacts:>7} artifacts  no reports {base:6.3f} s  html +{html:6.3f} s  "
          f"pdf +{pdf:6.3f} s  both +{both:6.3f} s  whole build with both {t['both'][0]:6.3f} s  "
          f"({pages} pages, {size:.1f} MiB)", flush=True)
    return both

print(f"report rendering, best of {repeat}, {os.cpu_count()} cores")
for sample in sorted(os.listdir(os.path.join(here, "evidence-samples"))):
    tree = prepare(f"sample-{sample}", sample)
    count = sum(len(files) for _, _, files in os.walk(os.path.join(tree, "ev")))
    measure(sample, tree, count)

results = []
for n in sizes:
    tree = prepare(f"gen-{n}", "credit-scoring", extra_logs=n - 34)
    results.append((n, measure(f"generated {n}", tree, n)))
if len(results) > 1:
    (n0, t0), (n1, t1) = results[0], results[-1]
    print(f"  growth: {n1 / n0:.1f}x the artifacts took {t1 / t0:.2f}x the render time "
          f"({'sub-linear or linear' if t1 / t0 <= n1 / n0 * 1.1 else 'SUPER-LINEAR'})")
PY
