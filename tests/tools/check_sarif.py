"""Validate a SARIF file the way code-scanning services will read it.

1. Microsoft's SARIF Multitool `validate`, with its SARIF and GitHub rule sets. It exits
   0 even when it finds problems, so its own SARIF log is read and any error or warning
   fails this script.
2. The SARIF 2.1.0 JSON schema shipped in the same npm package, which catches wrong
   enum values and types the Multitool passes silently.

Usage: python check_sarif.py FILE.sarif   (exit 0: clean; 1: problems, listed)
"""
import json
import os
import subprocess
import sys
import tempfile

from jsonschema import Draft202012Validator

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(HERE, "node_modules", "@microsoft", "sarif-multitool-linux")


def main(path):
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "validation.sarif")
        env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1")
        subprocess.run(
            [os.path.join(PACKAGE, "Sarif.Multitool"), "validate", path, "--rule-kind", "Sarif;Gh",
             "--level", "Error;Warning", "--output", log, "--log", "ForceOverwrite", "--quiet", "true"],
            env=env, check=True, stdout=subprocess.DEVNULL)
        for result in json.load(open(log))["runs"][0].get("results", []):
            level = result.get("level", "warning")
            if level in ("error", "warning"):
                problems.append(f"multitool {level} {result.get('ruleId')}: {result.get('message')}")
    schema = json.load(open(os.path.join(PACKAGE, "sarif-2.1.0.json")))
    for error in Draft202012Validator(schema).iter_errors(json.load(open(path))):
        problems.append(f"schema: {'/'.join(map(str, error.path))}: {error.message}")
    for p in problems:
        print(p)
    print(f"{path}: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
