# Rules cloudtrail-logging and cloudtrail-data-events (EU AI Act Art. 12: automatic
# recording of events; the inference endpoints and the training data must be covered).
package dossier.infra.cloudtrail

import data.dossier.infra.lib
import rego.v1

trails := lib.of_kind("trail")

# Each Terraform file is a world of its own; the live account is one.
world(r) := "aws" if r.origin == "aws"

world(r) := r.at.file if r.origin != "aws"

worlds contains world(t) if some t in trails

good(t) if {
	t.multi_region.value == true
	t.log_file_validation.value == true
	t.logging.value != false
}

any_good(w) if {
	some t in trails
	world(t) == w
	good(t)
}

checks := [
	["multi_region", "records events of one region only"],
	["log_file_validation", "does not write digest files to validate its logs"],
	["logging", "is not logging"],
]

# No trail of an origin is fully right: each trail's failings are named.
violations contains v if {
	some w in worlds
	not any_good(w)
	some t in trails
	world(t) == w
	some [field, what] in checks
	fact := t[field]
	fact != null
	fact.value == false
	v := lib.violation("cloudtrail-logging", t, fact, sprintf("trail %s %s", [t.id, what]))
}

# Gaps only where there is something to record: training-data buckets or endpoints.
gaps contains g if {
	input.scope.aws
	count(targets) > 0
	not "aws" in worlds
	g := lib.gap("cloudtrail-logging", "", "no CloudTrail export (describe-trails) among the infrastructure evidence")
}

gaps contains g if {
	count(targets) > 0
	some t in trails
	t.origin == "aws"
	t.logging == null
	g := lib.gap("cloudtrail-logging", t.id, sprintf("no get-trail-status export for trail %s", [t.id]))
}

# Data events: every training-data bucket and every endpoint is covered by a logging trail.
covers(d, type, arn) if {
	d.resource_type == type
	count(d.arns) == 0
}

covers(d, type, arn) if {
	d.resource_type == type
	some prefix in d.arns
	startswith(arn, prefix)
}

covered(type, arn) if {
	some t in trails
	t.origin == "aws"
	t.logging.value != false
	some d in t.data_events.value
	covers(d, type, arn)
}

selectors := [t | some t in trails; t.origin == "aws"; t.data_events != null]

targets contains ["AWS::S3::Object", sprintf("arn:aws:s3:::%s/", [name]), sprintf("training-data bucket %s", [name])] if {
	some name in input.scope.training_buckets
}

targets contains ["AWS::SageMaker::Endpoint", arn, sprintf("endpoint %s", [arn])] if {
	some arn in input.scope.endpoints
	startswith(arn, "arn:")
}

violations contains v if {
	count(selectors) > 0
	some [type, arn, what] in targets
	not covered(type, arn)
	t := selectors[0]
	v := lib.violation("cloudtrail-data-events", t, t.data_events, sprintf("no logging trail records the data events (%s) of %s", [type, what]))
}

gaps contains g if {
	input.scope.aws
	count(targets) > 0
	count(selectors) == 0
	g := lib.gap("cloudtrail-data-events", "", "no get-event-selectors export: which data events are recorded is unknown")
}

# In a Terraform plan or state, a trail that records no data events of the S3 objects or
# endpoints the same file defines.
tf_needs(w) := needs if {
	buckets := {["AWS::S3::Object", "buckets"] | some b in lib.of_kind("bucket"); b.origin != "aws"; world(b) == w}
	endpoints := {["AWS::SageMaker::Endpoint", "endpoints"] | some e in lib.of_kind("endpoint"); e.origin != "aws"; world(e) == w}
	needs := buckets | endpoints
}

violations contains v if {
	some t in trails
	t.origin != "aws"
	some [type, what] in tf_needs(world(t))
	not records(t, type)
	v := lib.violation("cloudtrail-data-events", t, t.data_events, sprintf("trail %s records no data events (%s) of the %s this plan defines", [t.id, type, what]))
}

records(t, type) if {
	some d in t.data_events.value
	d.resource_type == type
}
