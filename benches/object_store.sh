#!/usr/bin/env bash
# Object-store evidence against a local S3 API (moto's server mode, as the tests use),
# side by side with the two-step way: `aws s3 sync` of the same prefix to disk, then a
# local build of the copy. All in one run, on the same server and the same objects.
#
# Two buckets, filled before the server serves (tests/s3/moto_server.py --bulk):
#   - many small objects (SMALL objects of ~120 B): listing and per-object requests
#     dominate, so the figure is objects per second;
#   - fewer large ones (LARGE objects of LARGE_BYTES): bytes dominate, so MiB/s.
# Each is built with --manifest-only (collection alone: list, pin, read, hash, manifest),
# and once more with every object ignored, which measures the listing alone (every page
# fetched, every key matched, nothing read). Figures are the best of REPEAT runs, and
# dossier's are given as ratios to the sync-then-build baseline.
#
# The server is single-threaded Python: it bounds both sides alike, so the ratios say more
# than the absolute rates, which a real S3 endpoint would raise for both.
#
# Usage: benches/object_store.sh [WORK_DIR]
#   SMALL=5000 LARGE=100 LARGE_BYTES=4194304 REPEAT=3 benches/object_store.sh /tmp/s3-bench
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/dossier-s3-bench.XXXXXX)}
small=${SMALL:-5000}
large=${LARGE:-100}
large_bytes=${LARGE_BYTES:-4194304}
repeat=${REPEAT:-3}
mkdir -p "$work"
echo "building dossier (release)..." >&2
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
dossier="$here/target/release/dossier"

# moto (with boto3) and the AWS CLI, pinned, each in its own environment: they pin
# different botocore versions.
for pair in "moto:moto[server]==5.2.1" "awscli:awscli==1.46.3"; do
  name=${pair%%:*}
  spec=${pair#*:}
  if [ ! -x "$work/venv-$name/bin/python" ]; then
    python3 -m venv "$work/venv-$name"
    "$work/venv-$name/bin/pip" install --quiet --disable-pip-version-check "$spec"
  fi
done

fifo="$work/moto.stdin"
rm -f "$fifo"
mkfifo "$fifo"
"$work/venv-moto/bin/python" "$here/tests/s3/moto_server.py" \
  --bulk "small/p:$small" --bulk "large/p:$large:$large_bytes" <"$fifo" >"$work/moto.out" &
server=$!
exec 3>"$fifo" # holds the server's stdin open until the script ends
trap 'exec 3>&-; kill $server 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  grep -q '^PORT ' "$work/moto.out" 2>/dev/null && break
  sleep 1
done
port=$(awk '/^PORT/ {print $2}' "$work/moto.out")
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
echo "moto on port $port: $small small objects, $large of $large_bytes bytes" >&2

# The best wall time of REPEAT runs of a command, in seconds.
best() {
  local best_time=""
  for _ in $(seq "$repeat"); do
    local start end took
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    took=$(echo "$end - $start" | bc -l)
    if [ -z "$best_time" ] || [ "$(echo "$took < $best_time" | bc -l)" = 1 ]; then best_time=$took; fi
  done
  echo "$best_time"
}

printf 'system:\n  name: bench\nevidence:\n  ignore: ["*"]\n' >"$work/ignore-all.yaml"
printf 'system:\n  name: bench\n' >"$work/plain.yaml"

sync_then_build() {
  local bucket=$1
  rm -rf "$work/copy-$bucket" "$work/pkg-local"
  "$work/venv-awscli/bin/aws" s3 sync --quiet "s3://$bucket/p" "$work/copy-$bucket" &&
    "$dossier" build "$work/copy-$bucket" -c "$work/plain.yaml" -o "$work/pkg-local" --manifest-only --no-cache -q
}

report() {
  local bucket=$1 count=$2 bytes=$3
  local listing direct baseline
  listing=$(best "$dossier" build "s3://$bucket/p" -c "$work/ignore-all.yaml" -o "$work/pkg-list" --manifest-only -q)
  direct=$(best "$dossier" build "s3://$bucket/p" -c "$work/plain.yaml" -o "$work/pkg-s3" --manifest-only -q)
  baseline=$(best sync_then_build "$bucket")
  python3 - "$bucket" "$count" "$bytes" "$listing" "$direct" "$baseline" <<'EOF'
import sys
bucket, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
listing, direct, baseline = map(float, sys.argv[4:7])
mib = count * size / 2**20
print(f"{bucket}: {count} objects, {mib:.1f} MiB")
print(f"  listing alone        {listing:7.2f} s  {count / listing:9.0f} objects/s listed")
print(f"  dossier build s3://  {direct:7.2f} s  {count / direct:9.0f} objects/s, {mib / direct:7.1f} MiB/s hashed")
print(f"  aws s3 sync + build  {baseline:7.2f} s  {count / baseline:9.0f} objects/s, {mib / baseline:7.1f} MiB/s")
print(f"  ratio                {direct / baseline:7.2f}x the time of sync-then-build")
EOF
}

report small "$small" 120
report large "$large" "$large_bytes"
