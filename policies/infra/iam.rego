# Rule iam-least-privilege: the roles SageMaker runs training jobs and endpoints as are
# allowed no `*` action, and no S3 read on everything or on whole buckets outside the
# configured data prefixes (EU AI Act Art. 15(5); AWS SECAI3.7).
package dossier.infra.iam

import data.dossier.infra.lib
import rego.v1

in_scope(r) if r.id in input.scope.roles

in_scope(r) if r.origin != "aws"

violations contains v if {
	some r in lib.of_kind("role")
	in_scope(r)
	some s in r.statements
	s.value.effect == "Allow"
	"*" in s.value.actions
	v := lib.violation("iam-least-privilege", r, s, sprintf("role %s is allowed every action (policy %s)", [r.id, s.value.policy]))
}

reads_s3(action) if action in {"s3:*", "s3:GetObject", "s3:Get*", "s3:GetObject*"}

whole(resource) if resource in {"*", "arn:aws:s3:::*"}

whole(resource) if {
	startswith(resource, "arn:aws:s3:::")
	parts := split(trim_prefix(resource, "arn:aws:s3:::"), "/")
	count(parts) <= 2
	parts[count(parts) - 1] in {"*", parts[0]}
	not inside_prefix(resource)
}

inside_prefix(resource) if {
	some prefix in input.params.data_prefixes
	startswith(resource, prefix)
}

violations contains v if {
	some r in lib.of_kind("role")
	in_scope(r)
	some s in r.statements
	s.value.effect == "Allow"
	some action in s.value.actions
	reads_s3(action)
	some resource in s.value.resources
	whole(resource)
	v := lib.violation("iam-least-privilege", r, s, sprintf("role %s may %s on %s, beyond the training-data prefixes (policy %s)", [r.id, action, resource, s.value.policy]))
}

# The roles matter where SageMaker runs: a model exported, or roles named in dossier.yaml.
gaps contains g if {
	input.scope.aws
	count([m | some m in lib.of_kind("model"); m.origin == "aws"]) + count(input.scope.roles) > 0
	count([r | some r in lib.of_kind("role"); r.origin == "aws"]) == 0
	g := lib.gap("iam-least-privilege", "", "no readable IAM export (get-account-authorization-details)")
}
