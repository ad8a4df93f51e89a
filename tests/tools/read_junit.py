"""Read a JUnit XML file with junitparser (a standard reader, used by common CI report
actions) and print its totals as JSON, counted from the test cases themselves.

Usage: python read_junit.py junit.xml
"""
import json
import sys

from junitparser import Error, Failure, JUnitXml, Skipped, TestSuite

xml = JUnitXml.fromfile(sys.argv[1])
suites = [xml] if isinstance(xml, TestSuite) else list(xml)
totals = {"suites": len(suites), "tests": 0, "failures": 0, "errors": 0, "skipped": 0, "failed": []}
for suite in suites:
    for case in suite:
        totals["tests"] += 1
        kinds = {type(r) for r in case.result}
        if Error in kinds:
            totals["errors"] += 1
        elif Failure in kinds:
            totals["failures"] += 1
            totals["failed"].append(f"{case.classname} {case.name}")
        elif Skipped in kinds:
            totals["skipped"] += 1
print(json.dumps(totals))
