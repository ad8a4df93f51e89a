# Rules sagemaker-network, sagemaker-deployment, sagemaker-approval and sagemaker-kms
# (EU AI Act Art. 15(4) and 15(5), Annex IV(2)(h)).
package dossier.infra.sagemaker

import data.dossier.infra.lib
import rego.v1

violations contains v if {
	some m in lib.of_kind("model")
	m.vpc != null
	m.vpc.value == false
	v := lib.violation("sagemaker-network", m, m.vpc, sprintf("model %s runs outside a VPC (no VpcConfig with subnets and security groups)", [m.id]))
}

violations contains v if {
	some m in lib.of_kind("model")
	m.network_isolation != null
	m.network_isolation.value == false
	v := lib.violation("sagemaker-network", m, m.network_isolation, sprintf("model %s runs without network isolation", [m.id]))
}

violations contains v if {
	some e in lib.of_kind("endpoint")
	e.deployment != null
	e.deployment.value == "none"
	v := lib.violation("sagemaker-deployment", e, e.deployment, sprintf("endpoint %s was not deployed with a blue/green or rolling update policy", [e.id]))
}

violations contains v if {
	some e in lib.of_kind("endpoint")
	e.rollback_alarms != null
	count(e.rollback_alarms.value) == 0
	v := lib.violation("sagemaker-deployment", e, e.rollback_alarms, sprintf("endpoint %s has no alarm that rolls a deployment back", [e.id]))
}

violations contains v if {
	some c in lib.of_kind("endpoint-config")
	c.kms_key != null
	c.kms_key.value == null
	v := lib.violation("sagemaker-kms", c, c.kms_key, sprintf("endpoint configuration %s names no KMS key for its storage", [c.id]))
}

# The version a model was made from, when a model in the exports names one of the group;
# else the group's newest version.
deployed(g) := version if {
	some m in lib.of_kind("model")
	m.package != null
	some version in g.versions
	version.value.arn == m.package.value
}

deployed(g) := latest(g) if {
	not named(g)
}

named(g) if {
	some m in lib.of_kind("model")
	m.package != null
	some version in g.versions
	version.value.arn == m.package.value
}

latest(g) := version if {
	numbers := [x.value.version | some x in g.versions]
	top := max(numbers)
	some version in g.versions
	version.value.version == top
}

violations contains v if {
	some g in lib.of_kind("model-package-group")
	count(g.versions) > 0
	d := deployed(g)
	d.value.status != "Approved"
	v := lib.violation("sagemaker-approval", g, d, sprintf("the deployed model package of %s (version %v) is %s, not Approved", [g.id, d.value.version, d.value.status]))
}

violations contains v if {
	some g in lib.of_kind("model-package-group")
	count(g.versions) > 0
	d := deployed(g)
	earlier := [x | some x in g.versions; x.value.status == "Approved"; x.value.version < d.value.version]
	count(earlier) == 0
	v := lib.violation("sagemaker-approval", g, d, sprintf("model package group %s has no approved version before version %v to roll back to", [g.id, d.value.version]))
}

# Every resource these rules check carries the facts they need, so they have no gaps.
gaps := set()
