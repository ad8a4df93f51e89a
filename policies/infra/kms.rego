# Rule kms-rotation: customer-managed keys rotate automatically (AWS SECAI3.3).
package dossier.infra.kms

import data.dossier.infra.lib
import rego.v1

customer(k) if k.manager.value == "CUSTOMER"

customer(k) if {
	k.manager == null
	k.rotation != null
}

violations contains v if {
	some k in lib.of_kind("key")
	customer(k)
	k.rotation != null
	k.rotation.value == false
	v := lib.violation("kms-rotation", k, k.rotation, sprintf("customer-managed key %s does not rotate automatically", [k.id]))
}

gaps contains g if {
	some k in lib.of_kind("key")
	k.origin == "aws"
	k.manager.value == "CUSTOMER"
	k.rotation == null
	g := lib.gap("kms-rotation", k.id, sprintf("no get-key-rotation-status export for key %s", [k.id]))
}
