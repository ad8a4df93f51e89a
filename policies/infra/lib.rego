# dossier's infrastructure rules: helpers every rule file imports.
#
# The input is the inventory dossier builds from the infrastructure exports:
#   input.resources  every resource, each with kind, id, origin (aws, terraform-plan,
#                    terraform-state), tags, at {file, pointer, line} and its facts; a
#                    fact is {value, file, pointer, line}, or null when no export states it
#   input.scope      which resources the rules are about (worked out from tags, the
#                    models' own settings and dossier.yaml): training_buckets,
#                    log_buckets, backup_buckets, endpoints, roles, security_groups,
#                    config_rules, and aws (whether any AWS export was read)
#   input.params     the rules' parameters from dossier.yaml
# Each rule file yields `violations` (something is wrong, at a fact) and `gaps` (an export
# the rule needs is missing, so it cannot pass).
package dossier.infra.lib

import rego.v1

of_kind(kind) := [r | some r in input.resources; r.kind == kind]

# A violation of `rule` by resource `r`, located at `fact` (or the resource).
violation(rule, r, fact, message) := {"rule": rule, "resource": r.id, "at": where(r, fact), "message": message}

where(r, fact) := fact if fact != null
where(r, fact) := r.at if fact == null

gap(rule, id, message) := {"rule": rule, "resource": id, "message": message}
