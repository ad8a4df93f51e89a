# Rules bucket-versioning, bucket-object-lock, bucket-encryption and bucket-public-access,
# for the buckets that hold training data or logs (EU AI Act Art. 10, 12 and 15(5)).
package dossier.infra.buckets

import data.dossier.infra.lib
import rego.v1

protected contains b if {
	some b in lib.of_kind("bucket")
	some name in array.concat(input.scope.training_buckets, input.scope.log_buckets)
	b.id == name
}

# A Terraform plan or state carries only the buckets of its own stack: every one counts.
protected contains b if {
	some b in lib.of_kind("bucket")
	b.origin != "aws"
}

violations contains v if {
	some b in protected
	b.versioning != null
	b.versioning.value != "Enabled"
	v := lib.violation("bucket-versioning", b, b.versioning, sprintf("bucket %s does not keep object versions (versioning %s)", [b.id, b.versioning.value]))
}

violations contains v if {
	some b in protected
	b.object_lock != null
	not b.object_lock.value.enabled
	v := lib.violation("bucket-object-lock", b, b.object_lock, sprintf("bucket %s has no Object Lock", [b.id]))
}

violations contains v if {
	some b in protected
	b.object_lock != null
	b.object_lock.value.enabled
	days := b.object_lock.value.days
	too_short(days)
	v := lib.violation("bucket-object-lock", b, b.object_lock, sprintf("bucket %s locks objects for %v days by default; at least %v are required", [b.id, days, input.params.min_lock_days]))
}

too_short(days) if days == null

too_short(days) if days < input.params.min_lock_days

violations contains v if {
	some b in protected
	b.encryption != null
	not startswith(b.encryption.value, "aws:kms")
	v := lib.violation("bucket-encryption", b, b.encryption, sprintf("bucket %s is not encrypted with KMS by default (%s)", [b.id, b.encryption.value]))
}

violations contains v if {
	input.params.require_customer_keys
	some b in protected
	b.encryption != null
	startswith(b.encryption.value, "aws:kms")
	b.encryption_key == null
	v := lib.violation("bucket-encryption", b, b.encryption, sprintf("bucket %s is encrypted with the AWS-managed key, not a customer-managed one", [b.id]))
}

violations contains v if {
	some b in protected
	b.public_access_blocked != null
	b.public_access_blocked.value == false
	v := lib.violation("bucket-public-access", b, b.public_access_blocked, sprintf("bucket %s does not block all public access", [b.id]))
}

facts := [
	["versioning", "bucket-versioning", "get-bucket-versioning"],
	["object_lock", "bucket-object-lock", "get-object-lock-configuration"],
	["encryption", "bucket-encryption", "get-bucket-encryption"],
	["public_access_blocked", "bucket-public-access", "get-public-access-block"],
]

gaps contains g if {
	some b in protected
	b.origin == "aws"
	some [field, rule, call] in facts
	b[field] == null
	g := lib.gap(rule, b.id, sprintf("no %s export for bucket %s", [call, b.id]))
}

# A bucket named in scope that no export lists at all.
gaps contains g if {
	input.scope.aws
	some name in array.concat(input.scope.training_buckets, input.scope.log_buckets)
	not listed(name)
	g := lib.gap("bucket-versioning", name, sprintf("bucket %s is named in dossier.yaml but no export describes it", [name]))
}

listed(name) if {
	some b in lib.of_kind("bucket")
	b.id == name
}
