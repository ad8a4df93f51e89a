# Rule backup-retention: a backup plan covers the model artifacts and the technical
# documentation and keeps them at least the configured period (EU AI Act Art. 18: ten
# years for the documentation).
package dossier.infra.backup

import data.dossier.infra.lib
import rego.v1

plans := lib.of_kind("backup-plan")

covers(p, name) if {
	some resource in p.resources.value
	resource in {"*", "arn:aws:s3:::*", sprintf("arn:aws:s3:::%s", [name])}
}

long_enough(p) if p.retention_days.value == null

long_enough(p) if p.retention_days.value >= input.params.min_backup_days

kept(name) if {
	some p in plans
	p.resources != null
	p.retention_days != null
	covers(p, name)
	long_enough(p)
}

violations contains v if {
	some name in input.scope.backup_buckets
	count(plans) > 0
	not kept(name)
	dated := [p | some p in plans; p.retention_days != null]
	p := dated[0]
	v := lib.violation("backup-retention", p, p.retention_days, sprintf("no backup plan keeps bucket %s for at least %v days (plan %s keeps %v)", [name, input.params.min_backup_days, p.id, p.retention_days.value]))
}

gaps contains g if {
	input.scope.aws
	count(input.scope.backup_buckets) > 0
	count(plans) == 0
	g := lib.gap("backup-retention", "", "no AWS Backup export (list-backup-plans, get-backup-plan, get-backup-selection)")
}
