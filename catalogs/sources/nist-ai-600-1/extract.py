#!/usr/bin/env python3
"""Build the NIST AI 600-1 catalog and its crosswalk from the profile's action table.

    python3 catalogs/sources/nist-ai-600-1/extract.py            # rewrite both files
    python3 catalogs/sources/nist-ai-600-1/extract.py --check    # verify, write nothing

The facts (action ids, the AI RMF subcategory each action sits under, the GAI risks
NIST tags it with) come from the source table, a machine-readable copy of Section 3 of
NIST AI 600-1 kept by the Cloud Security Alliance. A copy of that file, pinned by
commit (SOURCE_URL) and by digest (SOURCE_SHA256), sits beside this script; NIST's
text is in the public domain and the dataset is CC0.
Our own words (header, notes, risk titles and descriptions, action titles, evidence
choices) are read from --words, by default the catalog this script writes, so the
catalog is both input and output: edit the words in the catalog, then re-run. Heading
titles and descriptions not yet in --words are taken from our AI RMF catalog
(catalogs/nist-ai-rmf-1.0.yaml). Nothing of NIST's wording is copied into the output.

--check writes nothing: it rebuilds both files in memory and fails (exit 1) when they
differ from the files on disk, when the source no longer has 212 actions under 49
subcategories, or when a risk label cannot be mapped.

Python 3 standard library and PyYAML only.
"""

import argparse
import collections
import hashlib
import json
import re
import sys
import textwrap
import urllib.request
from pathlib import Path

import yaml

SOURCE_REPO = "CloudSecurityAlliance-DataSets/dataset-public-laws-regulations-standards"
SOURCE_COMMIT = "7d418867b0650a0982683b90af1bd0a42357a227"
SOURCE_PATH = "control/nist.gov/ai-600-1/1.0/ai-600-1-1.0-actions.json"
SOURCE_URL = f"https://raw.githubusercontent.com/{SOURCE_REPO}/{SOURCE_COMMIT}/{SOURCE_PATH}"
SOURCE_SHA256 = "4e3d53f4e7b3e1cad2f526b3eae3aa8278a7d7662ee041fa290c708e8e19c211"
SOURCE_COPY = Path(__file__).resolve().parent / "ai-600-1-1.0-actions.json"

EXPECTED = {"actions": 212, "subcategories": 49, "GOVERN": 58, "MAP": 39, "MEASURE": 72, "MANAGE": 43}

ROOT = Path(__file__).resolve().parents[3]
CATALOG = ROOT / "catalogs" / "nist-ai-600-1.yaml"
CROSSWALK = ROOT / "catalogs" / "crosswalks" / "nist-ai-600-1.yaml"
RMF = ROOT / "catalogs" / "nist-ai-rmf-1.0.yaml"

PREFIX = {"GV": "GOVERN", "MP": "MAP", "MS": "MEASURE", "MG": "MANAGE"}
FUNCTIONS = ["GOVERN", "MAP", "MEASURE", "MANAGE"]

# The twelve GAI risks of Section 2, in NIST's order, with the label spellings the
# source table uses for each (the PDF is not consistent, e.g. "CBRN Information and
# Capability", "Human AI Configuration", "Environmental").
RISKS = [
    ("cbrn-information-or-capabilities", r"CBRN Information (?:or|and) Capabilit(?:y|ies)"),
    ("confabulation", r"Confabulation"),
    ("dangerous-violent-or-hateful-content", r"Dangerous, Violent, or Hateful Content"),
    ("data-privacy", r"Data Privacy"),
    ("environmental-impacts", r"Environmental(?: Impacts)?"),
    ("harmful-bias-and-homogenization", r"Harmful Bias and Homogenization"),
    ("human-ai-configuration", r"Human[- ]AI Configuration"),
    ("information-integrity", r"Information Integrity"),
    ("information-security", r"Information Security"),
    ("intellectual-property", r"Intellectual Property"),
    ("obscene-degrading-and-or-abusive-content", r"Obscene, Degrading, and/or Abusive Content"),
    ("value-chain-and-component-integration", r"Value Chain and Component Integration"),
]
# Labels NIST prints in a risk column that are not one of the twelve risks; dropped.
NOT_A_RISK = {"Civil Rights violations"}  # GV-1.4-002
# An action id the PDF misprints; the table position makes the intended id plain.
ID_FIXES = {"GV4.3--001": "GV-4.3-001"}

CAPABILITY = "generates-content"
WIDTH = 88


def clean(text):
    for lig, plain in (("\ufb01", "fi"), ("\ufb00", "ff"), ("\ufb02", "fl"), ("\ufb03", "ffi")):
        text = text.replace(lig, plain)
    return re.sub(r"\s+", " ", text).strip()


def parse_risks(labels, action_id, dropped):
    text = clean("; ".join(labels))
    found = set()
    for risk_id, pattern in RISKS:
        if re.search(pattern, text):
            found.add(risk_id)
            text = re.sub(pattern, "", text)
    for extra in NOT_A_RISK:
        if extra in text:
            dropped.append((action_id, extra))
            text = text.replace(extra, "")
    if text.strip(" ;,"):
        sys.exit(f"{action_id}: unmapped risk label text {text.strip(' ;,')!r}")
    return [risk_id for risk_id, _ in RISKS if risk_id in found]


def load_source(where, any_source=False):
    if re.match(r"https?://", where):
        with urllib.request.urlopen(where) as response:
            raw = response.read()
    else:
        raw = Path(where).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256 and not any_source:
        sys.exit(f"{where}: sha256 {digest} is not the pinned {SOURCE_SHA256}; review the "
                 "change, then update SOURCE_COMMIT and SOURCE_SHA256 (or pass --any-source)")
    rows = json.loads(raw.decode("utf-8"))
    actions, dropped = [], []
    for row in rows:
        action_id = ID_FIXES.get(row["action_id"].strip(), row["action_id"].strip())
        m = re.fullmatch(r"(GV|MP|MS|MG)-(\d+\.\d+)-(\d{3})", action_id)
        if not m:
            sys.exit(f"unexpected action id {action_id!r}")
        function, number, seq = PREFIX[m[1]], m[2], int(m[3])
        if row["subcategory_id"].strip() != f"{function} {number}":
            sys.exit(f"{action_id} is listed under {row['subcategory_id']!r}")
        actions.append({
            "id": action_id,
            "function": function,
            "subcategory": number,
            "prefix": m[1],
            "seq": seq,
            "risks": parse_risks(row["gai_risks"], action_id, dropped),
        })
    # Document order: function, then subcategory, then sequence number.
    actions.sort(key=lambda a: (FUNCTIONS.index(a["function"]),
                                tuple(int(x) for x in a["subcategory"].split(".")), a["seq"]))
    ids = [a["id"] for a in actions]
    if len(ids) != len(set(ids)):
        sys.exit("duplicate action ids in the source")
    by_sub = collections.OrderedDict()
    for a in actions:
        by_sub.setdefault((a["function"], a["subcategory"]), []).append(a)
    for (function, number), group in by_sub.items():
        if [a["seq"] for a in group] != list(range(1, len(group) + 1)):
            sys.exit(f"{function} {number}: action numbers are not 1..{len(group)}")
    return actions, by_sub, dropped


def counts(actions, by_sub):
    c = {"actions": len(actions), "subcategories": len(by_sub)}
    for f in FUNCTIONS:
        c[f] = sum(1 for a in actions if a["function"] == f)
        c[f + " subcategories"] = sum(1 for (fn, _) in by_sub if fn == f)
    return c


# ---- writing YAML in the house style -------------------------------------------------

PLAIN = re.compile(r"[A-Za-z0-9(][A-Za-z0-9 ,.;'()/+-]*[A-Za-z0-9.)]")


def scalar(text):
    if PLAIN.fullmatch(text) and ": " not in text and " #" not in text \
            and text.lower() not in {"yes", "no", "true", "false", "null", "on", "off"}:
        return text
    return json.dumps(text, ensure_ascii=False)


def folded(key, text, indent):
    pad = " " * indent
    body = textwrap.wrap(clean(text), width=WIDTH - indent - 2, break_long_words=False,
                         break_on_hyphens=False)
    return [f"{pad}{key}: >-"] + [f"{pad}  {line}" for line in body]


def evidence_lines(evidence, indent):
    pad = " " * indent
    if not evidence:
        return [f"{pad}evidence: []"]
    out = [f"{pad}evidence:"]
    for need in evidence:
        parts = [f"type: {need['type']}"]
        for key in ("min", "max_age_days"):
            if key in need:
                parts.append(f"{key}: {need[key]}")
        out.append(f"{pad}  - {{{', '.join(parts)}}}")
    return out


def build(source, words_path, any_source=False):
    actions, by_sub, dropped = load_source(source, any_source)
    c = counts(actions, by_sub)
    for key, want in EXPECTED.items():
        if c[key] != want:
            sys.exit(f"source has {c[key]} {key}, expected {want}: check the source before updating EXPECTED")

    words = yaml.safe_load(Path(words_path).read_text(encoding="utf-8"))
    own = {r["id"]: r for r in words.get("requirements", [])}
    rmf = {r["id"]: r for r in yaml.safe_load(RMF.read_text(encoding="utf-8"))["requirements"]}
    risk_ids = [r for r, _ in RISKS]
    if [r["id"] for r in words["risks"]] != risk_ids:
        sys.exit("--words must declare the twelve risks in NIST's order")

    out = [
        "# Built-in catalog: NIST AI 600-1, the Generative AI Profile of the AI RMF: the 212",
        "# suggested actions under the 49 AI RMF subcategories they are filed under.",
        "# Titles and descriptions are our own paraphrases, not NIST's text. Built by",
        "# catalogs/sources/nist-ai-600-1/extract.py, which takes the facts (ids, subcategory,",
        "# risk tags) from the source table and our words from this file; after editing,",
        "# re-run it with --check.",
        "",
        f"id: {words['id']}",
        f"title: {scalar(words['title'])}",
        f"version: {json.dumps(words['version'])}",
        f"source: {json.dumps(words['source'], ensure_ascii=False)}",
        f"as_of: {words['as_of']}",
        f"completeness: {words['completeness']}",
        f"binding: {str(bool(words.get('binding', False))).lower()}",
        *folded("notes", words["notes"], 0),
        "risks:",
    ]
    for risk in words["risks"]:
        out += [f"  - id: {risk['id']}", f"    title: {scalar(risk['title'])}"]
        out += folded("description", risk["description"], 4)
    out.append("requirements:")

    missing = []
    links = []
    for (function, number), group in by_sub.items():
        prefix = group[0]["prefix"]
        head_id = f"nist-ai-600-1/{prefix}-{number}"
        rmf_id = f"nist-ai-rmf/{function}-{number}"
        if rmf_id not in rmf:
            sys.exit(f"{rmf_id} is not in {RMF.name}")
        links.append((head_id, rmf_id))
        head = own.get(head_id) or {"title": rmf[rmf_id]["title"], "description": rmf[rmf_id].get("description")}
        out += ["", f"  - id: {head_id}", f'    ref: "{function} {number}"', f"    title: {scalar(head['title'])}"]
        if head.get("description"):
            out += folded("description", head["description"], 4)
        out += [f'    group: "{function}"', "    applies_to:", f"      capabilities: [{CAPABILITY}]", "    evidence: []"]
        for a in group:
            req_id = f"nist-ai-600-1/{a['id']}"
            mine = own.get(req_id)
            if not mine or not mine.get("title") or not mine.get("evidence"):
                missing.append(req_id)
                continue
            if len(mine["title"].split()) > 12:
                sys.exit(f"{req_id}: title longer than 12 words")
            out += ["", f"  - id: {req_id}", f'    ref: "{a["id"]}"', f"    title: {scalar(mine['title'])}"]
            if mine.get("description"):
                out += folded("description", mine["description"], 4)
            out += [f"    parent: {head_id}", f'    group: "{function}"', "    applies_to:",
                    f"      capabilities: [{CAPABILITY}]"]
            if a["risks"]:
                out.append(f"    risks: [{', '.join(a['risks'])}]")
            out += evidence_lines(mine["evidence"], 4)
            out.append(f"    evidence_mode: {mine.get('evidence_mode', 'all')}")
    if missing:
        sys.exit(f"--words has no title or evidence for {len(missing)} actions, e.g. {missing[:5]}")
    catalog_text = "\n".join(out) + "\n"

    cw = [
        "# Crosswalk published by NIST AI 600-1 itself: Section 3 files every suggested action",
        "# under one AI RMF 1.0 subcategory, so each subcategory heading of the profile links",
        "# to that subcategory of the AI RMF Core. Built by",
        "# catalogs/sources/nist-ai-600-1/extract.py.",
        "id: nist-ai-600-1-nist-ai-rmf",
        "title: NIST AI 600-1 subcategories to the AI RMF 1.0 Core",
        "kind: published",
        "source: " + json.dumps(
            "NIST AI 600-1, Artificial Intelligence Risk Management Framework: Generative "
            "Artificial Intelligence Profile, July 2024, Section 3 (Suggested Actions to "
            "Manage GAI Risks), which lists each action under the AI RMF subcategory it "
            "serves; DOI 10.6028/NIST.AI.600-1, https://doi.org/10.6028/NIST.AI.600-1"),
        "links:",
    ] + [f"  - {{from: {a}, to: {b}}}" for a, b in links]
    crosswalk_text = "\n".join(cw) + "\n"

    # The text must read back as what was meant.
    parsed = yaml.safe_load(catalog_text)
    for req in parsed["requirements"]:
        want = own.get(req["id"])
        if want and want.get("title") and req["title"] != want["title"]:
            sys.exit(f"{req['id']}: title does not round-trip")
        for r in req.get("risks", []):
            if r not in risk_ids:
                sys.exit(f"{req['id']}: undeclared risk {r}")
    assert len(yaml.safe_load(crosswalk_text)["links"]) == len(by_sub)
    return catalog_text, crosswalk_text, c, actions, dropped


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", default=str(SOURCE_COPY) if SOURCE_COPY.exists() else SOURCE_URL,
                    help="path or URL of ai-600-1-1.0-actions.json (default: the pinned copy "
                         "beside this script, else the pinned commit on GitHub)")
    ap.add_argument("--any-source", action="store_true",
                    help="accept a source whose digest differs from SOURCE_SHA256")
    ap.add_argument("--words", default=str(CATALOG), help="catalog-shaped YAML holding our own words")
    ap.add_argument("--check", action="store_true", help="compare with the files on disk; write nothing")
    args = ap.parse_args()

    catalog_text, crosswalk_text, c, actions, dropped = build(args.source, args.words, args.any_source)
    print(f"{c['actions']} actions under {c['subcategories']} subcategories")
    for f in FUNCTIONS:
        print(f"  {f:8} {c[f + ' subcategories']:2} subcategories {c[f]:3} actions")
    per_risk = collections.Counter(r for a in actions for r in a["risks"])
    for risk_id, _ in RISKS:
        print(f"  {per_risk[risk_id]:3} actions tagged {risk_id}")
    for action_id, label in dropped:
        print(f"  note: {action_id} also names {label!r}, which is not one of the twelve risks; dropped")

    if args.check:
        stale = [p for p, text in ((CATALOG, catalog_text), (CROSSWALK, crosswalk_text))
                 if not p.exists() or p.read_text(encoding="utf-8") != text]
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)}", file=sys.stderr)
        sys.exit(1 if stale else 0)
    CATALOG.write_text(catalog_text, encoding="utf-8")
    CROSSWALK.write_text(crosswalk_text, encoding="utf-8")
    print(f"wrote {CATALOG.relative_to(ROOT)} and {CROSSWALK.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
