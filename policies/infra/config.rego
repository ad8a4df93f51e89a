# Rules config-recorder and config-rules: AWS Config records the account, and the rules
# dossier.yaml names are compliant (ISO/IEC 42001 A.6.2.6; NIST AI RMF MANAGE 4.1).
package dossier.infra.config

import data.dossier.infra.lib
import rego.v1

recorders := lib.of_kind("config-recorder")

violations contains v if {
	some r in recorders
	r.recording.value == false
	v := lib.violation("config-recorder", r, r.recording, sprintf("AWS Config recorder %s is not recording", [r.id]))
}

gaps contains g if {
	input.scope.aws
	count(input.scope.config_rules) > 0
	count(recorders) == 0
	g := lib.gap("config-recorder", "", "no describe-configuration-recorder-status export")
}

rules := lib.of_kind("config-rule")

wanted(r) if count(input.scope.config_rules) == 0

wanted(r) if r.id in input.scope.config_rules

violations contains v if {
	some r in rules
	wanted(r)
	r.compliance.value == "NON_COMPLIANT"
	v := lib.violation("config-rules", r, r.compliance, sprintf("AWS Config rule %s is not compliant", [r.id]))
}

gaps contains g if {
	input.scope.aws
	some name in input.scope.config_rules
	not name in {r.id | some r in rules}
	g := lib.gap("config-rules", name, sprintf("AWS Config rule %s, which dossier.yaml names, is in no export", [name]))
}
