#!/usr/bin/env python3
"""A local S3-compatible server for dossier's object-store tests (moto's server mode).

Prints `PORT <n>` once it listens on 127.0.0.1 (port 0 picks a free one), then serves
until stdin closes or the process is killed. `--bulk BUCKET/PREFIX:N` fills a versioned
bucket with N small JSON Lines logs before serving, written straight into moto's
in-process backend: the same objects as N PutObject calls, without N HTTP round trips.
"""

import argparse
import base64
import hashlib
import logging
import sys

from moto.server import ThreadedMotoServer


def bulk(spec: str) -> None:
    from moto.s3.models import s3_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    where, count, *size = spec.split(":")
    pad = int(size[0]) if size else 0
    bucket, _, prefix = where.partition("/")
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    backend.create_bucket(bucket, "us-east-1")
    backend.put_bucket_versioning(bucket, "Enabled")
    for i in range(int(count)):
        day = i % 28 + 1
        body = (
            '{"request_id": "r%06d", "timestamp": "2026-11-%02dT10:00:00Z", '
            '"prediction": "approve", "model_version": "1.4.0"}\n' % (i, day)
        ).encode()
        if pad > len(body):
            filler = b'{"padding": "' + b"x" * max(0, pad - len(body) - 16) + b'"}\n'
            body = body + filler
        key = f"{prefix}/logs/inference/2026-11-{day:02d}/part-{i:06d}.jsonl"
        checksum = base64.b64encode(hashlib.sha256(body).digest()).decode()
        stored = backend.put_object(bucket, key, body, checksum_value=checksum)
        stored.checksum_algorithm = "SHA256"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--bulk", action="append", default=[])
    args = parser.parse_args()
    # One line per request on stderr would bury the output of whoever started us.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    for spec in args.bulk:
        bulk(spec)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(f"PORT {port}", flush=True)
    # Serve until whoever started us closes our stdin (or kills us).
    sys.stdin.read()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
