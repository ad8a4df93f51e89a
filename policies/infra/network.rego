# Rule network-open-ingress: no security group of a training or inference resource takes
# traffic from anywhere (EU AI Act Art. 15(5)). Egress is not checked: the default rule
# that lets a group reach anywhere is ordinary.
package dossier.infra.network

import data.dossier.infra.lib
import rego.v1

in_scope(g) if g.id in input.scope.security_groups

in_scope(g) if g.origin != "aws"

violations contains v if {
	some g in lib.of_kind("security-group")
	in_scope(g)
	some rule in g.ingress
	rule.value.cidr in {"0.0.0.0/0", "::/0"}
	v := lib.violation("network-open-ingress", g, rule, sprintf("security group %s lets in traffic from %s (protocol %s, ports %v-%v)", [g.id, rule.value.cidr, rule.value.protocol, rule.value.from_port, rule.value.to_port]))
}

# Every resource these rules check carries the facts they need, so they have no gaps.
gaps := set()
