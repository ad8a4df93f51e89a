"""Validate an OSCAL assessment-results file as a GRC tool would read it.

1. compliance-trestle loads it with its AssessmentResults model (OSCAL 1.2.x) and runs
   its duplicate-uuid, reference and link validators.
2. The NIST OSCAL 1.2.1 assessment-results JSON schema (committed beside this script,
   sha256 d8faf5a7510d66c911c5f88e6875d52e7e8223fb58b2283f1f095366369296f9), with
   formats checked. Its patterns use \\p{L} and \\p{N}, which Python's `re` lacks, so
   they run through the `regex` module, with `$` meaning end of text as in ECMA-262.
3. What the schema cannot say: every `#uuid` link names a back-matter resource, every
   related observation exists, every SHA-256 is 64 hex digits.

Usage: python check_oscal.py FILE   (prints OK or every problem; exit 1 on problems)
"""
import json
import logging
import os
import pathlib
import re
import sys

import jsonschema
import regex
from trestle.common.err import TrestleError
from trestle.core.duplicates_validator import DuplicatesValidator
from trestle.core.links_validator import LinksValidator
from trestle.core.refs_validator import RefsValidator
from trestle.oscal.assessment_results import AssessmentResults

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oscal_assessment-results_schema-1.2.1.json")


def with_trestle(path):
    try:
        model = AssessmentResults.oscal_read(path)
    except TrestleError as e:
        return [f"trestle: {e}"]
    if model is None:
        return [f"trestle: cannot read {path}"]
    return [f"trestle {type(v).__name__}: {v.error_msg()}"
            for v in (DuplicatesValidator(), RefsValidator(), LinksValidator()) if not v.model_is_valid(model, quiet=True)]


_patterns = {}


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string"):
        if pattern not in _patterns:
            anchored = pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern
            _patterns[pattern] = regex.compile(anchored)
        if not _patterns[pattern].search(instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})


def with_schema(doc):
    validator = Validator(json.load(open(SCHEMA, encoding="utf-8")), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [f"schema /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def links(doc):
    ar = doc.get("assessment-results", {})
    resources = {r["uuid"]: r for r in ar.get("back-matter", {}).get("resources", [])}
    problems = []
    hrefs = [ar.get("import-ap", {}).get("href", "")]
    for result in ar.get("results", []):
        observations = {o["uuid"] for o in result.get("observations", [])}
        for o in result.get("observations", []):
            hrefs += [e.get("href", "") for e in o.get("relevant-evidence", [])]
        for f in result.get("findings", []):
            problems += [f"finding {f['uuid']}: no observation {r['observation-uuid']}"
                         for r in f.get("related-observations", []) if r["observation-uuid"] not in observations]
    problems += [f"link {h} names no back-matter resource" for h in hrefs if h.startswith("#") and h[1:] not in resources]
    for r in resources.values():
        for link in r.get("rlinks", []):
            problems += [f"resource {r['uuid']}: bad SHA-256 {h['value']!r}" for h in link.get("hashes", [])
                         if h["algorithm"] == "SHA-256" and not re.fullmatch(r"[0-9a-f]{64}", h["value"])]
    return problems


def main(path):
    logging.disable(logging.WARNING)
    doc = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    problems = with_trestle(pathlib.Path(path)) + with_schema(doc) + links(doc)
    for p in problems:
        print(p)
    print(f"{path}: " + ("OK" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
