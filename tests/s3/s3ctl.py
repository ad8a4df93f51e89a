#!/usr/bin/env python3
"""Sets up buckets on the local S3 server for dossier's object-store tests, with boto3
(the AWS SDK), so every object is written by the real S3 API: PutObject with its
checksum, Object Lock retention and legal hold headers.

    s3ctl.py ENDPOINT < operations.json

reads a JSON list of operations and prints a JSON list of their results (the version id
a put made, the versions a key has). Operations:

    {"op": "bucket", "bucket": B, "versioning": true, "lock": false}
    {"op": "put", "bucket": B, "key": K, "body": TEXT, "checksum": true,
     "mode": "COMPLIANCE", "retain_until": "2028-01-01T00:00:00Z", "legal_hold": false}
    {"op": "delete_version", "bucket": B, "key": K, "version": V}
    {"op": "versions", "bucket": B, "key": K}
"""

import datetime
import json
import sys

import boto3


def main() -> int:
    endpoint = sys.argv[1]
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    results = []
    for op in json.load(sys.stdin):
        kind = op["op"]
        if kind == "bucket":
            args = {"Bucket": op["bucket"]}
            if op.get("lock"):
                args["ObjectLockEnabledForBucket"] = True
            s3.create_bucket(**args)
            if op.get("versioning") and not op.get("lock"):
                s3.put_bucket_versioning(
                    Bucket=op["bucket"], VersioningConfiguration={"Status": "Enabled"}
                )
            results.append(None)
        elif kind == "put":
            args = {"Bucket": op["bucket"], "Key": op["key"], "Body": op["body"].encode()}
            if op.get("checksum"):
                args["ChecksumAlgorithm"] = "SHA256"
            if op.get("mode"):
                args["ObjectLockMode"] = op["mode"]
                args["ObjectLockRetainUntilDate"] = datetime.datetime.fromisoformat(
                    op["retain_until"].replace("Z", "+00:00")
                )
            if op.get("legal_hold"):
                args["ObjectLockLegalHoldStatus"] = "ON"
            response = s3.put_object(**args)
            results.append(response.get("VersionId"))
        elif kind == "delete_version":
            s3.delete_object(
                Bucket=op["bucket"],
                Key=op["key"],
                VersionId=op["version"],
                BypassGovernanceRetention=True,
            )
            results.append(None)
        elif kind == "versions":
            listed = s3.list_object_versions(Bucket=op["bucket"], Prefix=op["key"])
            results.append([v["VersionId"] for v in listed.get("Versions", [])])
        else:
            raise SystemExit(f"unknown operation {kind!r}")
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
