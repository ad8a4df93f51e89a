//! Every file under `tests/fixtures/formats/`, written by the tool itself, read through
//! `dossier explain --json` and compared with the values the tool's own API gave in the
//! same run (`expected.json` beside it): the format id, the evidence type, the date and
//! the document, as a subset match.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::support::{dossier, read_json, stdout_of};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats")
}

/// The tool folders and their expectations, sorted: each folder of `formats/` with its
/// `expected.json`, and the infrastructure fixtures with their `formats.json` (their
/// `expected.json` is the rules' oracle).
fn tools() -> Vec<(PathBuf, PathBuf)> {
    let mut out: Vec<(PathBuf, PathBuf)> = fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").is_file())
        .map(|p| (p.clone(), p.join("expected.json")))
        .collect();
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pending = vec![here.join("tests/fixtures/infra"), here.join("tests/fixtures/genai")];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_name().is_some_and(|n| n == "formats.json") {
                out.push((dir.clone(), path));
            }
        }
    }
    out.sort();
    out
}

/// Numbers agree within a relative 1e-9 (tools print floats their own way).
fn same_number(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// Every key of `want` is in `got` with an equal value; lists match element by element
/// and have the same length. Differences are collected with their JSON path.
fn subset(want: &Value, got: &Value, at: &str, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let empty = wv.is_null()
                    || wv.as_object().is_some_and(|m| m.is_empty())
                    || wv.as_array().is_some_and(|a| a.is_empty());
                match g.get(k) {
                    // A failed check's detail is for people, not compared.
                    _ if k == "detail" => {}
                    Some(gv) => subset(wv, gv, &format!("{at}/{k}"), out),
                    // Empty values are left out of assessment.json.
                    None if empty => {}
                    None => out.push(format!("{at}/{k}: missing (want {wv})")),
                }
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                out.push(format!("{at}: {} items, want {}", g.len(), w.len()));
            }
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                subset(wv, gv, &format!("{at}/{i}"), out);
            }
        }
        (Value::Number(w), Value::Number(g)) => {
            if !same_number(w.as_f64().unwrap(), g.as_f64().unwrap()) {
                out.push(format!("{at}: {g}, want {w}"));
            }
        }
        _ if want == got => {}
        _ => out.push(format!("{at}: {got}, want {want}")),
    }
}

/// Reads one fixture file as `explain` does and says how it differs from `expected`.
fn differences(dir: &Path, expected: &Value) -> Vec<String> {
    let rel = expected["path"].as_str().unwrap();
    let assert = dossier()
        .current_dir(dir)
        .args(["explain", rel, "--evidence", ".", "--json"])
        .env("NO_COLOR", "1")
        .assert()
        .success();
    let out: Value = serde_json::from_str(&stdout_of(&assert)).unwrap();
    let artifact = &out["artifact"];
    let mut diffs = Vec::new();
    for (key, got) in [("format", &artifact["format"]), ("evidence_type", &artifact["evidence_type"])] {
        if expected[key] != *got {
            diffs.push(format!("{key}: {got}, want {}", expected[key]));
        }
    }
    let date = artifact.get("date").unwrap_or(&Value::Null);
    if expected.get("date").is_some_and(|d| d != date) {
        diffs.push(format!("date: {date}, want {}", expected["date"]));
    }
    if let Some(want) = expected.get("document") {
        subset(want, artifact.get("document").unwrap_or(&Value::Null), "document", &mut diffs);
    }
    // Resources a large export holds among others: each is matched by its id.
    for want in expected.get("contains").and_then(Value::as_array).into_iter().flatten() {
        let resources = artifact.pointer("/document/resources").and_then(Value::as_array);
        match resources.into_iter().flatten().find(|r| r["id"] == want["id"]) {
            Some(got) => subset(want, got, &format!("resource {}", want["id"]), &mut diffs),
            None => diffs.push(format!("no resource {}", want["id"])),
        }
    }
    // A file a reader understood gets no finding that it could not be read.
    for f in out["findings"].as_array().unwrap() {
        let code = f["code"].as_str().unwrap_or_default();
        if matches!(code, "evidence-unparseable" | "evidence-incomplete" | "format-unrecognised") {
            diffs.push(format!("finding {code}: {}", f["message"]));
        }
    }
    diffs.into_iter().map(|d| format!("{}/{rel}: {d}", dir.file_name().unwrap().to_string_lossy())).collect()
}

#[test]
fn every_fixture_written_by_a_tool_reads_as_the_tool_says() {
    let mut all = Vec::new();
    let mut files = 0;
    for (dir, expected) in tools() {
        for file in read_json(&expected)["files"].as_array().unwrap() {
            files += 1;
            all.extend(differences(&dir, file));
        }
    }
    assert!(files >= 50, "only {files} fixture files");
    assert!(all.is_empty(), "{} differences:\n{}", all.len(), all.join("\n"));
}

#[test]
fn every_format_in_the_table_has_a_fixture() {
    let mut covered = std::collections::BTreeSet::new();
    for (_, expected) in tools() {
        for file in read_json(&expected)["files"].as_array().unwrap() {
            covered.insert(file["format"].as_str().unwrap().to_string());
        }
    }
    let listed = stdout_of(&dossier().args(["catalog", "formats"]).assert().success());
    let ids: Vec<&str> =
        listed.lines().filter(|l| !l.starts_with(' ')).filter_map(|l| l.split_whitespace().next()).collect();
    // Content credentials are read in files a path rule makes generated samples, which a
    // fixture folder is not: tests/cli/genai.rs holds them to the C2PA SDK's own oracle.
    let missing: Vec<&&str> = ids
        .iter()
        .filter(|id| !covered.contains(**id) && !["jsonl", "c2pa-content-credentials"].contains(*id))
        .collect();
    assert!(missing.is_empty(), "formats without a fixture: {missing:?}");
}

// ---------------------------------------------------------------------------------------
// What the checks, the gate and `dossier diff` make of what the tools wrote.

use super::diff::build_at;
use super::support::{Workspace, assert_stderr_has, matrix, stderr_of};

const Q3: &str = "1788220800"; // 2026-09-01
const Q4: &str = "1796083200"; // 2026-11-30

fn fixture(tool: &str, file: &str) -> Vec<u8> {
    fs::read(fixtures().join(tool).join(file)).unwrap()
}

/// The group with the lowest impact ratio in a bias report's expected document: its
/// feature, name and ratio.
fn lowest_ratio(tool: &str, file: &str) -> (String, String, f64) {
    let expected = read_json(&fixtures().join(tool).join("expected.json"));
    let entry = expected["files"].as_array().unwrap().iter().find(|f| f["path"] == file).unwrap();
    let mut lowest: Option<(String, String, f64)> = None;
    for feature in entry["document"]["features"].as_array().unwrap() {
        for g in feature["groups"].as_array().unwrap() {
            let Some(r) = g["disparate_impact_ratio"].as_f64() else { continue };
            if lowest.as_ref().is_none_or(|l| r < l.2) {
                lowest = Some((feature["name"].as_str().unwrap().into(), g["name"].as_str().unwrap().into(), r));
            }
        }
    }
    lowest.unwrap()
}

#[test]
fn a_group_whose_ratio_falls_fails_the_four_fifths_rule_and_the_diff_calls_it_a_regression() {
    for (tool, clean, regressed) in [
        ("fairlearn", "metricframe_clean.json", "metricframe_regressed.json"),
        ("aif360", "aif360_clean.json", "aif360_regressed.json"),
        ("sagemaker-clarify", "analysis_clean.json", "analysis_regressed.json"),
    ] {
        let ws = Workspace::new(&[]);
        let at = "fairness/report.json";
        ws.write(at, &fixture(tool, clean));
        let out = build_at(&ws, Q3, "q3", &[]).success();
        assert!(!stderr_of(&out).contains("threshold-failed"), "{tool}: {}", stderr_of(&out));

        let (feature, group, ratio) = lowest_ratio(tool, regressed);
        assert!(ratio < 0.8, "{tool}: the regressed fixture keeps every group in the band");
        ws.write(at, &fixture(tool, regressed));
        let out = build_at(&ws, Q4, "q4", &[]).code(1);
        let needle = format!(
            "group {group:?} of sensitive feature {feature:?} has disparate impact ratio {} outside [0.8, 1.25]",
            (ratio * 10_000.0).round() / 10_000.0
        );
        let err = stderr_of(&out);
        assert!(
            err.lines().any(|l| l.starts_with(&format!("error[threshold-failed] {at}")) && l.contains(&needle)),
            "{tool}: expected {needle:?} in:\n{err}"
        );

        let out = ws.run(&["diff", "q3", "q4", "-o", "review"]).success();
        let diff = read_json(&ws.dir.path().join("review/diff.json"));
        let name = format!("disparate impact ratio, {feature} = {group}");
        let m = diff["measures"].as_array().unwrap().iter().find(|m| m["measure"] == name.as_str());
        let m = m.unwrap_or_else(|| panic!("{tool}: no measure {name:?} in {}", diff["measures"]));
        assert!(m["old"].as_f64().unwrap() > 0.95, "{tool}: {m}");
        assert!((m["new"].as_f64().unwrap() - ratio).abs() < 1e-9, "{tool}: {m}");
        assert_eq!(m["verdict"], "regressed", "{tool}");
        let four = |x: f64| (x * 10_000.0).round() / 10_000.0;
        let shown = format!(
            "{name} (bias-report): {} -> {}, threshold [0.8, 1.25] (regressed)",
            four(m["old"].as_f64().unwrap()),
            four(ratio)
        );
        let text = super::support::stdout_of(&out);
        assert!(text.contains(&shown), "{tool}: the diff does not show {shown:?}:\n{text}");
    }
}

#[test]
fn data_capture_logs_are_read_by_their_own_field_names_and_84_of_them_make_one_line() {
    let ws = Workspace::new(&[]);
    let dir = fixtures().join("sagemaker-data-capture/credit-score-prod/AllTraffic/2026/11/30");
    let mut sources: Vec<PathBuf> = Vec::new();
    for hour in fs::read_dir(&dir).unwrap() {
        for f in fs::read_dir(hour.unwrap().path()).unwrap() {
            sources.push(f.unwrap().path());
        }
    }
    sources.sort();
    for i in 0..84 {
        let source = &sources[i % sources.len()];
        let name = source.file_name().unwrap().to_string_lossy();
        ws.write(
            &format!("capture/credit-score-prod/AllTraffic/2026/11/30/{:02}/{i:02}-{name}", i % 24),
            &fs::read(source).unwrap(),
        );
    }
    let out = build_at(&ws, Q4, "pkg", &[]).success();
    let err = stderr_of(&out);
    assert!(!err.contains("log-fields-missing"), "a field the format carries was reported missing:\n{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("log-fields-not-carried")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("note[log-fields-not-carried] 84 files (sagemaker-data-capture): sagemaker-data-capture records have no field for actor, confidence, latency: not checked; capture/"),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with("and 81 more (findings.json lists each)"), "{}", lines[0]);
    // findings.json keeps every file.
    let findings = read_json(&ws.package().join("findings.json"));
    let kept =
        findings["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "log-fields-not-carried").count();
    assert_eq!(kept, 84);
    // The time span comes from eventMetadata.inferenceTime, and so does the date.
    let a = read_json(&ws.package().join("assessment.json"));
    let log = a["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["path"].as_str().unwrap().starts_with("capture/"))
        .unwrap();
    assert_eq!(
        (&log["evidence_type"], &log["format"], &log["date"]),
        (&"inference-log".into(), &"sagemaker-data-capture".into(), &"2026-11-30".into())
    );
    assert!(log["document"]["first"].as_str().unwrap().starts_with("2026-11-30T"), "{log}");
}

#[test]
fn a_failed_expectation_fails_data_quality_and_drift_is_a_finding() {
    let ws = Workspace::new(&[]);
    ws.write("data/quality/gx.json", &fixture("great-expectations", "gx1_validation_failing.json"));
    ws.write("monitoring/drift.json", &fixture("evidently", "evidently07_drift.json"));
    let out = build_at(&ws, Q4, "pkg", &["--fail-on", "never"]).success();
    let expected = read_json(&fixtures().join("great-expectations/expected.json"));
    let gx = expected["files"].as_array().unwrap().iter().find(|f| f["path"] == "gx1_validation_failing.json").unwrap();
    let failed = &gx["document"]["failed"][0];
    assert_stderr_has(
        &out,
        &format!(
            "error[data-validation-failed] data/quality/gx.json: 1 of {} data checks failed: {} on column {}",
            gx["document"]["checks"],
            failed["name"].as_str().unwrap(),
            failed["column"].as_str().unwrap()
        ),
    );
    assert_stderr_has(
        &out,
        "warning[data-drift] monitoring/drift.json: the dataset drifted from its reference: 3 of 5 columns drifted (share 0.6)",
    );
    // The requirements the result evidences fail with it.
    let m = matrix(&ws);
    let gx_type = ws.manifest()["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "data/quality/gx.json")
        .unwrap()["evidence_type"]
        .clone();
    let with_gx: Vec<&Value> = m["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["requirements"].as_array().unwrap())
        .filter(|r| r["status"] != "not-applicable")
        .filter(|r| r["evidence"].as_array().unwrap().iter().any(|n| n["evidence_type"] == gx_type))
        .collect();
    assert!(!with_gx.is_empty());
    assert!(with_gx.iter().all(|r| r["status"] == "failed"), "{with_gx:?}");
}

#[test]
fn a_dvc_record_whose_md5_differs_from_its_file_is_a_finding() {
    let ws = Workspace::new(&[]);
    for rel in ["data/train.csv.dvc", "data/train.csv", "dvc.lock", "dvc.yaml", "data/prepared.csv"] {
        ws.write(rel, &fixture("dvc", rel));
    }
    // Written by DVC 2 from a file with Windows line endings: its MD5 is of the text.
    ws.write("legacy/train.csv.dvc", &fixture("dvc", "dvc2/data/train.csv.dvc"));
    ws.write("legacy/train.csv", &fixture("dvc", "dvc2/data/train.csv"));
    let out = build_at(&ws, Q4, "pkg", &[]).success();
    assert!(!stderr_of(&out).contains("data-version-mismatch"), "{}", stderr_of(&out));

    ws.write("data/train.csv", &fixture("dvc", "mismatch/data/train.csv"));
    let out = build_at(&ws, Q4, "pkg", &[]).code(1);
    let dvc = super::support::read_json(&fixtures().join("dvc/expected.json"));
    let recorded = dvc["files"].as_array().unwrap().iter().find(|f| f["path"] == "data/train.csv.dvc").unwrap()
        ["document"]["outs"][0]["md5"]
        .as_str()
        .unwrap()
        .to_string();
    assert_stderr_has(
        &out,
        &format!(
            "error[data-version-mismatch] data/train.csv.dvc: records for data/train.csv md5 {recorded}, but the file's is "
        ),
    );
}

#[test]
fn a_file_no_reader_understands_gets_a_note_not_an_error() {
    let ws = Workspace::new(&[]);
    ws.write("fairness/notes.json", br#"{"summary": "reviewed by the fairness board", "items": [1, 2, 3]}"#);
    let out = build_at(&ws, Q4, "pkg", &[]).success();
    assert_stderr_has(&out, "note[format-unrecognised] fairness/notes.json: no reader understood its content");
    assert!(!stderr_of(&out).contains("evidence-incomplete"), "{}", stderr_of(&out));
}

const ACME_CONFIG: &str = r#"system:
  risk_category: minimal
frameworks: [nist-ai-rmf-1.0, iso-42001, aws-genai-best-practices]
evidence:
  root: ev
readers:
  - id: acme-fairness
    type: bias-report
    match: {keys: [run, cohorts]}
    date: /run/finished
    groups:
      feature: /attribute
      list: /cohorts
      name: /label
      selection_rate: /approval_rate
  - id: acme-audit-log
    type: inference-log
    match: {path: "audit/**/*.jsonl", keys: [evt]}
    log:
      time: /evt/at
      id: /evt/id
      fields: {input: /req, output: /resp/decision, actor: /who}
"#;

#[test]
fn a_format_described_in_the_config_is_read_checked_and_compared_like_a_built_in_one() {
    let ws = Workspace::new(&[]);
    fs::write(ws.dir.path().join("dossier.yaml"), ACME_CONFIG).unwrap();
    let report = |female: f64| {
        format!(
            r#"{{"run": {{"finished": "2026-11-28T09:00:00Z"}}, "attribute": "sex",
               "cohorts": [{{"label": "male", "approval_rate": 0.5}}, {{"label": "female", "approval_rate": {female}}}]}}"#
        )
    };
    ws.write("reports/acme.json", report(0.49).as_bytes());
    ws.write(
        "audit/2026/11/28.jsonl",
        b"{\"evt\": {\"at\": \"2026-11-28T10:00:00Z\", \"id\": \"a\"}, \"req\": 1, \"resp\": {\"decision\": \"ok\"}, \"who\": \"svc\"}\n\
          {\"evt\": {\"at\": \"2026-11-28T10:05:00Z\", \"id\": \"b\"}, \"req\": 2, \"resp\": {}}\n",
    );
    let out = build_at(&ws, Q4, "q3", &[]).success();
    let err = stderr_of(&out);
    // The log's fields are found where the config says; the second record lacks two.
    assert!(err.contains("warning[log-fields-missing] audit/2026/11/28.jsonl: records lack record-keeping fields: actor in 1 of 2 records"), "{err}");
    let a = read_json(&ws.dir.path().join("q3/assessment.json"));
    let by_path = |p: &str| a["artifacts"].as_array().unwrap().iter().find(|x| x["path"] == p).unwrap().clone();
    let fairness = by_path("reports/acme.json");
    assert_eq!(
        (&fairness["format"], &fairness["evidence_type"], &fairness["date"]),
        (&"acme-fairness".into(), &"bias-report".into(), &"2026-11-28".into())
    );
    assert_eq!(fairness["document"]["features"][0]["groups"][1]["disparate_impact_ratio"].as_f64(), Some(0.98));
    let log = by_path("audit/2026/11/28.jsonl");
    assert_eq!((&log["format"], &log["document"]["last"]), (&"acme-audit-log".into(), &"2026-11-28T10:05:00Z".into()));

    // A quarter later the female approval rate falls: the same check and diff as built-ins.
    ws.write("reports/acme.json", report(0.30).as_bytes());
    let out = build_at(&ws, Q4, "q4", &[]).code(1);
    assert_stderr_has(
        &out,
        "group \"female\" of sensitive feature \"sex\" has disparate impact ratio 0.6 outside [0.8, 1.25]",
    );
    let out = ws.run(&["diff", "q3", "q4", "-o", "review"]).success();
    assert!(
        super::support::stdout_of(&out).contains("disparate impact ratio, sex = female (bias-report): 0.98 -> 0.6")
    );
}

#[test]
fn a_broken_reader_entry_is_a_config_error_with_its_line() {
    let ws = Workspace::new(&[]);
    let broken = ACME_CONFIG
        .replace("selection_rate: /approval_rate", "selection_rate: approval_rate")
        .replace("type: inference-log", "type: inference-logs");
    fs::write(ws.dir.path().join("dossier.yaml"), broken).unwrap();
    let out = ws.run(&["check", "ev"]).code(2);
    let err = stderr_of(&out);
    assert!(
        err.contains("dossier.yaml:15: readers[0].groups.selection_rate: \"approval_rate\" is not a JSON pointer"),
        "{err}"
    );
    assert!(err.contains("dossier.yaml:17: readers[1].type: unknown evidence type \"inference-logs\""), "{err}");
}

#[test]
fn the_starter_configs_readers_example_is_valid() {
    let starter =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/init/dossier.yaml")).unwrap();
    let block: Vec<&str> = starter
        .lines()
        .skip_while(|l| !l.starts_with("# readers:"))
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .collect();
    assert!(block.len() >= 4, "no readers example in the starter config");
    let ws = Workspace::new(&[]);
    let config = format!(
        "system:\n  risk_category: minimal\nframeworks: [nist-ai-rmf-1.0, iso-42001, aws-genai-best-practices]\nevidence:\n  root: ev\n{}\n",
        block.join("\n")
    );
    fs::write(ws.dir.path().join("dossier.yaml"), config).unwrap();
    ws.write(
        "reports/acme.json",
        br#"{"run": 1, "cohorts": [{"label": "a", "approval_rate": 0.5}, {"label": "b", "approval_rate": 0.45}]}"#,
    );
    ws.run(&["check", "ev"]).success();
    let out = ws.run(&["explain", "ev/reports/acme.json"]).success();
    assert!(
        super::support::stdout_of(&out)
            .contains("read by        acme-fairness (described under readers: in dossier.yaml)")
    );
}
