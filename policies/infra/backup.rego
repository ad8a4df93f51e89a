# Rule backup-retention: a backup plan covers the model artifacts and the technical
# documentation and keeps them at least the configured period (EU AI Act Art. 18: ten
# years for the documentation).
package dossier.infra.backup

import data.dossier.infra.lib
import rego.v1

plans := lib.of_kind("backup-plan")

dated := [p | some p in plans; p.retention_days != null]

long_enough(p) if p.retention_days.value == null

long_enough(p) if p.retention_days.value >= input.params.min_backup_days

covers(p, name) if {
	some resource in p.resources.value
	resource in {"*", "arn:aws:s3:::*", sprintf("arn:aws:s3:::%s", [name])}
}

kept(name) if {
	some p in dated
	p.resources != null
	covers(p, name)
	long_enough(p)
}

# No plan keeps anything long enough.
violations contains v if {
	count(input.scope.backup_buckets) > 0
	count(dated) > 0
	every p in dated {
		not long_enough(p)
	}
	some name in input.scope.backup_buckets
	p := dated[0]
	v := lib.violation("backup-retention", p, p.retention_days, sprintf("no backup plan keeps bucket %s for %v days: plan %s keeps backups %v days", [name, input.params.min_backup_days, p.id, p.retention_days.value]))
}

# Plans keep long enough, and what they cover is known, but not this bucket.
violations contains v if {
	some name in input.scope.backup_buckets
	some p in dated
	long_enough(p)
	p.resources != null
	not kept(name)
	every q in dated {
		q.resources != null
	}
	v := lib.violation("backup-retention", p, p.resources, sprintf("no backup plan that keeps %v days covers bucket %s", [input.params.min_backup_days, name]))
}

gaps contains g if {
	input.scope.aws
	count(input.scope.backup_buckets) > 0
	count(plans) == 0
	g := lib.gap("backup-retention", "", "no AWS Backup export (list-backup-plans, get-backup-plan, get-backup-selection)")
}

# A plan keeps long enough, but what it selects is not exported.
gaps contains g if {
	some name in input.scope.backup_buckets
	not kept(name)
	some p in dated
	long_enough(p)
	p.resources == null
	g := lib.gap("backup-retention", p.id, sprintf("plan %s keeps backups long enough, but no get-backup-selection export says whether it covers bucket %s", [p.id, name]))
}
