#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 120) each, seeding each corpus with the
# files real tools wrote and the samples. Prints each target's run count and outcome.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-120}
export RUSTC_BOOTSTRAP=1
cd "$here"
seed() {
  local target=$1; shift
  mkdir -p "corpus/$target"
  find ../tests/fixtures/formats ../evidence-samples -type f \( "$@" \) -size -256k \
    -exec sh -c 'for f; do cp "$f" "corpus/'"$target"'/$(sha256sum "$f" | cut -c1-16)"; done' _ {} +
}
seed json -name '*.json'
seed yaml \( -name '*.yaml' -o -name '*.yml' -o -name '*.dvc' -o -name 'dvc.lock' -o -name MLmodel \)
seed xml -name '*.xml'
seed jsonl \( -name '*.jsonl' -o -name '*.ndjson' \)
seed parquet -name '*.parquet'
for target in json yaml xml jsonl parquet; do
  echo "== $target: ${seconds}s"
  if cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 2>"$target.log"; then
    grep -E '^Done|#[0-9]+.*DONE' "$target.log" | tail -1 || tail -1 "$target.log"
  else
    echo "FAILED: see fuzz/$target.log and fuzz/artifacts/$target/"
    tail -20 "$target.log"
  fi
done
