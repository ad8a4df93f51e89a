#!/usr/bin/env bash
# export-evidence.sh: collect the AWS configuration that dossier checks.
#
#   contrib/aws/export-evidence.sh [TARGET_DIR]      (default: infra/aws)
#
# Run it yourself, with your own read-only credentials; dossier never calls AWS.
# It needs the AWS CLI v2 and jq. Read-only permissions are enough: the AWS
# managed policies SecurityAudit or ReadOnlyAccess cover every call below.
#
# What it writes: one file per AWS CLI call, in the layout dossier reads
# (infra/aws/cloudtrail/..., s3/<bucket>/..., iam/..., sagemaker/..., ec2/...,
# kms/<key-id>/..., backup/<plan-id>/..., config/..., securityhub/...).
# Each file is exactly what the CLI prints with `--output json`. A call that the
# service refuses leaves `<call>.error.txt` instead, holding the CLI's one-line
# error ("An error occurred (Code) when calling the Op operation: message"):
# for several S3 settings that error *is* the evidence (no Object Lock, no
# public access block, ...), so the script records it and carries on.
#
# Regional services (CloudTrail, SageMaker, EC2, KMS, Backup, Config,
# Security Hub) are read in the CLI's current region (AWS_REGION, or the
# profile's region). For another region run the script again with
# AWS_REGION set and a separate TARGET_DIR. IAM and the bucket list are global.
#
# Nothing is modified in the account. Re-running overwrites earlier files.

set -u
set -o pipefail

target="${1:-infra/aws}"

for tool in aws jq; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "export-evidence: '$tool' is required but not installed" >&2
        exit 2
    fi
done

# Keep the CLI's output machine-readable and comparable between runs:
#  - no pager, no interactive prompt;
#  - errors in the classic one-line form (newer CLI v2 releases otherwise add
#    an "aws: [ERROR]:" prefix and extra lines; older releases ignore this);
#  - JSON-protocol services return epoch times that the CLI prints in the
#    local time zone: use UTC so every timestamp ends in +00:00.
export AWS_PAGER=""
export AWS_CLI_AUTO_PROMPT=off
export AWS_CLI_ERROR_FORMAT=legacy
export TZ=UTC

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

failures=0

# A file or folder name for an AWS name or id: letters, digits, '.', '_' and
# '-' are kept, anything else becomes '_' (bucket, trail, model and key names
# never need it; it only guards against surprises).
safe() {
    local name="${1//[^A-Za-z0-9._-]/_}"
    case "$name" in
        "" | . | ..) name="_$name" ;;
    esac
    printf '%s' "$name"
}

# save REL_PATH aws-arguments...
# Runs `aws ARGS --output json` and stores stdout as TARGET/REL_PATH.json, or,
# if the call fails, the error line as TARGET/REL_PATH.error.txt.
# An empty answer (the CLI prints nothing for `{}`) is stored as `{}`.
save() {
    local rel="$1"
    shift
    local base="$target/$rel"
    mkdir -p "$(dirname "$base")"
    rm -f "$base.json" "$base.error.txt"
    if aws "$@" --output json <"/dev/null" >"$work/out" 2>"$work/err"; then
        if [[ -s "$work/out" ]]; then
            mv "$work/out" "$base.json"
        else
            printf '{}\n' >"$base.json"
        fi
        return 0
    fi
    # Keep only the line that carries the service error, without any prefix;
    # for other failures (credentials, network) keep the first non-empty line.
    local line
    line="$(grep -m1 -o 'An error occurred (.*' "$work/err" || true)"
    if [[ -z "$line" ]]; then
        line="$(grep -m1 -v '^[[:space:]]*$' "$work/err" || true)"
    fi
    printf '%s\n' "${line:-aws $1 $2 failed without a message}" >"$base.error.txt"
    echo "export-evidence: $rel: ${line:-failed}" >&2
    failures=$((failures + 1))
    return 1
}

# listing JQ_FILTER aws-arguments...
# A discovery call whose answer is not kept: prints one line per item that the
# jq filter selects (nothing if the call fails, with a warning).
listing() {
    local filter="$1"
    shift
    if ! aws "$@" --output json <"/dev/null" >"$work/list" 2>"$work/list-err"; then
        # Runs in a subshell (process substitution): warn, nothing to count.
        echo "export-evidence: cannot list ($*): $(grep -m1 -v '^[[:space:]]*$' "$work/list-err")" >&2
        return 0
    fi
    jq -r "$filter" "$work/list"
}

# from_file JQ_FILTER FILE: read items back from a file saved earlier.
from_file() {
    [[ -f "$2" ]] && jq -r "$1" "$2"
    return 0
}

echo "export-evidence: writing to $target" >&2
mkdir -p "$target"

# --- Who and where ----------------------------------------------------------
# If this fails (no or expired credentials) nothing else can work: stop.
if ! save account sts get-caller-identity; then
    echo "export-evidence: cannot identify the caller; check credentials and region" >&2
    exit 1
fi

# --- CloudTrail: trails, whether they log, and which events they select -------
if save cloudtrail/describe-trails cloudtrail describe-trails; then
    while IFS=$'\t' read -r name arn; do
        [[ -n "$name" ]] || continue
        dir="cloudtrail/$(safe "$name")"
        save "$dir/get-trail-status" cloudtrail get-trail-status --name "$arn"
        save "$dir/get-event-selectors" cloudtrail get-event-selectors --trail-name "$arn"
    done < <(from_file '.trailList[]? | [.Name, .TrailARN] | @tsv' "$target/cloudtrail/describe-trails.json")
fi

# --- S3: every bucket's tags, versioning, Object Lock, encryption, public
# access block and policy. Missing settings come back as error documents.
if save s3/list-buckets s3api list-buckets; then
    while IFS= read -r bucket; do
        [[ -n "$bucket" ]] || continue
        dir="s3/$(safe "$bucket")"
        save "$dir/get-bucket-tagging" s3api get-bucket-tagging --bucket "$bucket"
        save "$dir/get-bucket-versioning" s3api get-bucket-versioning --bucket "$bucket"
        save "$dir/get-object-lock-configuration" s3api get-object-lock-configuration --bucket "$bucket"
        save "$dir/get-bucket-encryption" s3api get-bucket-encryption --bucket "$bucket"
        save "$dir/get-public-access-block" s3api get-public-access-block --bucket "$bucket"
        save "$dir/get-bucket-policy" s3api get-bucket-policy --bucket "$bucket"
    done < <(from_file '.Buckets[]?.Name' "$target/s3/list-buckets.json")
fi

# --- IAM: users, groups, roles and policies with their documents -------------
save iam/get-account-authorization-details iam get-account-authorization-details

# --- SageMaker: models, endpoint configs, endpoints, model package versions ---
while IFS= read -r model; do
    [[ -n "$model" ]] || continue
    save "sagemaker/models/$(safe "$model")" sagemaker describe-model --model-name "$model"
done < <(listing '.Models[]?.ModelName' sagemaker list-models)

while IFS= read -r config; do
    [[ -n "$config" ]] || continue
    save "sagemaker/endpoint-configs/$(safe "$config")" \
        sagemaker describe-endpoint-config --endpoint-config-name "$config"
done < <(listing '.EndpointConfigs[]?.EndpointConfigName' sagemaker list-endpoint-configs)

while IFS= read -r endpoint; do
    [[ -n "$endpoint" ]] || continue
    save "sagemaker/endpoints/$(safe "$endpoint")" \
        sagemaker describe-endpoint --endpoint-name "$endpoint"
done < <(listing '.Endpoints[]?.EndpointName' sagemaker list-endpoints)

while IFS= read -r group; do
    [[ -n "$group" ]] || continue
    dir="sagemaker/model-packages/$(safe "$group")"
    if save "$dir/list-model-packages" sagemaker list-model-packages --model-package-group-name "$group"; then
        # One file per version, named by its version number.
        while IFS=$'\t' read -r version arn; do
            [[ -n "$arn" ]] || continue
            save "$dir/$(safe "$version")" sagemaker describe-model-package --model-package-name "$arn"
        done < <(from_file '.ModelPackageSummaryList[]?
                | [((.ModelPackageVersion // (.ModelPackageArn | split("/") | last)) | tostring),
                   .ModelPackageArn] | @tsv' "$target/$dir/list-model-packages.json")
    fi
done < <(listing '.ModelPackageGroupSummaryList[]?.ModelPackageGroupName' sagemaker list-model-package-groups)

# --- EC2: security groups (ingress and egress rules) --------------------------
save ec2/describe-security-groups ec2 describe-security-groups

# --- KMS: every key of the region, plus keys that buckets, trails and endpoint
# configs name by ARN or alias (they may live in another account). Each key is
# read once, by its ARN when one is known (needed for other accounts' keys).
referenced_keys() {
    local file
    for file in "$target"/s3/*/get-bucket-encryption.json; do
        from_file '.ServerSideEncryptionConfiguration.Rules[]?.ApplyServerSideEncryptionByDefault.KMSMasterKeyID // empty' "$file"
    done
    for file in "$target"/sagemaker/endpoint-configs/*.json; do
        from_file '.KmsKeyId // empty, .DataCaptureConfig.KmsKeyId // empty' "$file"
    done
    from_file '.trailList[]?.KmsKeyId // empty' "$target/cloudtrail/describe-trails.json"
}

# Lines "<key-id> TAB <how to name it>" for every key found.
all_keys() {
    local ref id
    listing '.Keys[]? | "\(.KeyId)\t\(.KeyId)"' kms list-keys
    while IFS= read -r ref; do
        [[ -n "$ref" ]] || continue
        case "$ref" in
            arn:*:key/*) id="${ref##*/}" ;;
            arn:* | alias/*)
                # An alias: ask KMS which key it points to.
                id="$(aws kms describe-key --key-id "$ref" --query KeyMetadata.KeyId \
                    --output text </dev/null 2>/dev/null || true)"
                if [[ -z "$id" || "$id" == "None" ]]; then
                    echo "export-evidence: cannot resolve KMS key $ref" >&2
                    continue
                fi
                ;;
            *) id="$ref" ;;
        esac
        printf '%s\t%s\n' "$id" "$ref"
    done < <(referenced_keys | sort -u)
}

while IFS=$'\t' read -r id ref; do
    [[ -n "$id" ]] || continue
    dir="kms/$(safe "$id")"
    save "$dir/describe-key" kms describe-key --key-id "$ref"
    save "$dir/get-key-rotation-status" kms get-key-rotation-status --key-id "$ref"
done < <(all_keys | awk -F '\t' '!($1 in ref) || $2 ~ /^arn:/ { ref[$1] = $2 }
                                 END { for (id in ref) print id "\t" ref[id] }' | sort)

# --- AWS Backup: plans (rules and retention) and what each plan selects -------
if save backup/list-backup-plans backup list-backup-plans; then
    while IFS= read -r plan; do
        [[ -n "$plan" ]] || continue
        dir="backup/$(safe "$plan")"
        save "$dir/get-backup-plan" backup get-backup-plan --backup-plan-id "$plan"
        if save "$dir/list-backup-selections" backup list-backup-selections --backup-plan-id "$plan"; then
            while IFS= read -r selection; do
                [[ -n "$selection" ]] || continue
                save "$dir/$(safe "$selection")" \
                    backup get-backup-selection --backup-plan-id "$plan" --selection-id "$selection"
            done < <(from_file '.BackupSelectionsList[]?.SelectionId' "$target/$dir/list-backup-selections.json")
        fi
    done < <(from_file '.BackupPlansList[]?.BackupPlanId' "$target/backup/list-backup-plans.json")
fi

# --- AWS Config: is the recorder on, and are the rules compliant --------------
save config/describe-configuration-recorder-status configservice describe-configuration-recorder-status
save config/describe-compliance-by-config-rule configservice describe-compliance-by-config-rule

# --- Security Hub: active findings (ASFF) --------------------------------------
save securityhub/get-findings securityhub get-findings \
    --filters '{"RecordState":[{"Value":"ACTIVE","Comparison":"EQUALS"}]}'

echo "export-evidence: done; $failures call(s) answered with an error (see *.error.txt)" >&2
exit 0
