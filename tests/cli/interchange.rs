//! The files for the systems around a package: `junit.xml`, `results.sarif`, `summary.md`,
//! read back by independent readers where they are installed (junitparser, Microsoft's
//! SARIF Multitool and the SARIF schema; `.ci/run` installs them).

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use serde_json::Value;

use crate::support::*;

/// The credit-scoring sample with one group's impact ratio at 0.75: a failed requirement
/// and an error finding with a file and line.
fn failing_credit_sample() -> Workspace {
    let ws = sample_workspace("credit-scoring");
    let bias = ws.evidence().join("fairness/bias_analysis.json");
    let text = fs::read_to_string(&bias).unwrap();
    assert_eq!(text.lines().nth(64).map(str::trim), Some("\"female\": 0.918"), "line 65 of the sample moved");
    fs::write(&bias, text.replacen("\"female\": 0.918", "\"female\": 0.75", 1)).unwrap();
    ws
}

fn tool(script: &str, file: &Path) -> Option<String> {
    let python = tools_python()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools").join(script);
    let out = Process::new(python).arg(script).arg(file).output().unwrap();
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn junit_has_one_case_per_requirement_and_a_failure_per_gap() {
    let ws = failing_credit_sample();
    ws.build(&[]).code(1);
    let junit = ws.package().join("junit.xml");
    let text = fs::read_to_string(&junit).unwrap();
    let m = matrix(&ws);
    let rows: Vec<&Value> = m["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["requirements"].as_array().unwrap())
        .filter(|r| r["heading"] == false)
        .collect();
    let gaps = rows
        .iter()
        .filter(|r| ["failed", "missing", "stale", "partial"].contains(&r["status"].as_str().unwrap()))
        .count();
    assert_eq!(text.matches("<testcase ").count(), rows.len());
    assert_eq!(text.matches("<failure ").count(), gaps);
    assert!(
        text.contains("Art. 10(2)(f)") && text.contains("type=\"failed\""),
        "the failed bias requirement is a failure"
    );
    assert_eq!(ws.manifest()["outputs"].as_array().unwrap().iter().filter(|o| o["path"] == "junit.xml").count(), 1);

    if let Some(out) = tool("read_junit.py", &junit) {
        let totals: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(totals["tests"], rows.len());
        assert_eq!(totals["failures"], gaps);
        assert_eq!(totals["errors"], 0);
        let skipped =
            rows.iter().filter(|r| ["not-applicable", "waived"].contains(&r["status"].as_str().unwrap())).count();
        assert_eq!(totals["skipped"], skipped);
        assert!(totals["failed"].as_array().unwrap().iter().any(|f| f.as_str().unwrap().contains("Art. 10(2)(f)")));
    }
}

#[test]
fn sarif_locates_findings_at_the_evidence_file_and_line_and_validates() {
    let ws = failing_credit_sample();
    ws.build(&[]).code(1);
    let file = ws.package().join("results.sarif");
    let sarif = read_json(&file);
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let findings = read_json(&ws.package().join("findings.json"));
    assert_eq!(results.len(), findings["findings"].as_array().unwrap().len());
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "ruleIndex points at another rule");
        assert!(!r["locations"].as_array().unwrap().is_empty(), "GitHub rejects results without a location");
    }
    let threshold = results.iter().find(|r| r["ruleId"] == "threshold-failed").expect("a threshold-failed result");
    assert_eq!(threshold["level"], "error");
    let location = &threshold["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "fairness/bias_analysis.json");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "EVIDENCE");
    assert_eq!(location["region"]["startLine"], 65);
    let rule = &rules[threshold["ruleIndex"].as_u64().unwrap() as usize];
    assert!(rule["help"]["text"].as_str().unwrap().len() > 20);

    // `run.artifacts` lists exactly the files results point at, and each index is right.
    let listed: Vec<&str> =
        run["artifacts"].as_array().unwrap().iter().map(|a| a["location"]["uri"].as_str().unwrap()).collect();
    let mut cited: Vec<&str> = results
        .iter()
        .map(|r| &r["locations"][0]["physicalLocation"]["artifactLocation"])
        .filter(|l| l["uriBaseId"] == "EVIDENCE")
        .map(|l| {
            let uri = l["uri"].as_str().unwrap();
            assert_eq!(listed[l["index"].as_u64().expect("an artifact index") as usize], uri);
            uri
        })
        .collect();
    cited.sort();
    cited.dedup();
    assert_eq!(listed, cited);
    assert!(ws.manifest()["artifacts"].as_array().unwrap().len() > listed.len());

    if let Some(out) = tool("check_sarif.py", &file) {
        assert!(out.contains(": 0 problems"), "{out}");
    }
}

#[test]
fn sarif_locations_follow_the_repository_root_when_it_is_set() {
    // The workspace is the repository; the evidence and its config sit in `ev/`.
    let ws = failing_credit_sample();
    let config = ws.evidence().join("dossier.yaml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, text.replacen("evidence:\n", "evidence:\n  repository_root: ..\n", 1)).unwrap();
    ws.build(&[]).code(1);
    let file = ws.package().join("results.sarif");
    let run = read_json(&file)["runs"][0].clone();
    let bases: Vec<&String> = run["originalUriBaseIds"].as_object().unwrap().keys().collect();
    assert_eq!(bases, ["%SRCROOT%"]);
    let results = run["results"].as_array().unwrap();
    let location = |r: &Value| r["locations"][0]["physicalLocation"]["artifactLocation"].clone();
    let threshold = results.iter().find(|r| r["ruleId"] == "threshold-failed").unwrap();
    assert_eq!(location(threshold)["uri"], "ev/fairness/bias_analysis.json");
    assert_eq!(location(threshold)["uriBaseId"], "%SRCROOT%");
    assert_eq!(threshold["locations"][0]["physicalLocation"]["region"]["startLine"], 65);
    let at_config = results.iter().find(|r| location(r)["uri"] == "ev/dossier.yaml");
    let at_config = at_config.expect("findings without a file are anchored at the config file");
    assert_eq!(location(at_config)["uriBaseId"], "%SRCROOT%");
    assert!(at_config["locations"][0]["logicalLocations"].is_array(), "and name their requirement");
    for artifact in run["artifacts"].as_array().unwrap() {
        assert!(artifact["location"]["uri"].as_str().unwrap().starts_with("ev/"), "{artifact}");
    }
    if let Some(out) = tool("check_sarif.py", &file) {
        assert!(out.contains(": 0 problems"), "{out}");
    }

    // A repository root that does not hold the evidence is a config error, before anything
    // is written; so is one that does not exist. `check` says the same.
    fs::create_dir_all(ws.dir.path().join("elsewhere")).unwrap();
    for (value, says) in [("../elsewhere", "is not inside ev/../elsewhere"), ("../nowhere", "cannot resolve")] {
        fs::write(&config, text.replacen("evidence:\n", &format!("evidence:\n  repository_root: {value}\n"), 1))
            .unwrap();
        fs::remove_dir_all(ws.package()).ok();
        let out = ws.build(&[]).code(2);
        assert_stderr_has(&out, "evidence.repository_root");
        assert_stderr_has(&out, says);
        assert!(!ws.package().exists(), "nothing is written on a config error");
        assert_stderr_has(&ws.run(&["check", "ev"]).code(2), says);
    }
}

#[test]
fn summary_md_gives_the_verdict_coverage_and_first_findings() {
    let ws = failing_credit_sample();
    ws.build(&[]).code(1);
    let md = fs::read_to_string(ws.package().join("summary.md")).unwrap();
    assert!(md.starts_with("## dossier: credit-score 4.2.1: ❌ fail"), "{md}");
    assert!(md.contains("| eu-ai-act (binding) |"));
    assert!(md.contains("`threshold-failed` `fairness/bias_analysis.json:65`"), "{md}");

    let clean = sample_workspace("credit-scoring");
    clean.build(&[]).success();
    let md = fs::read_to_string(clean.package().join("summary.md")).unwrap();
    assert!(md.starts_with("## dossier: credit-score 4.2.1: ✅ pass"), "{md}");
}

#[test]
fn oscal_assessment_results_load_in_trestle_validate_and_keep_their_uuids() {
    let ws = failing_credit_sample();
    ws.build(&[]).code(1);
    let file = ws.package().join("oscal/assessment-results.json");
    let first = fs::read(&file).unwrap();
    let ar = read_json(&file);
    let result = &ar["assessment-results"]["results"][0];
    let sets = read_json(&ws.package().join("assessment.json"))["evidence_sets"].as_array().unwrap().len();
    assert_eq!(result["observations"].as_array().unwrap().len(), sets, "one observation per evidence set");
    let finding = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["target"]["target-id"] == "eu-ai-act_art-10_2_f")
        .expect("a finding for Art. 10(2)(f)");
    assert_eq!(finding["target"]["status"]["state"], "not-satisfied");
    assert!(finding["props"].as_array().unwrap().iter().any(|p| p["value"] == "eu-ai-act/art-10/2/f"));
    // The evidence hash travels in the back matter, linked from the observation.
    let resources = ar["assessment-results"]["back-matter"]["resources"].as_array().unwrap();
    let bias = resources.iter().find(|r| r["title"] == "Evidence set bias-report (1 file)").unwrap();
    assert_eq!(bias["rlinks"][0]["href"], "../manifest.json", "the manifest lists every member");
    let sha = sha256_hex(&fs::read(ws.evidence().join("fairness/bias_analysis.json")).unwrap());
    assert_eq!(bias["rlinks"][1]["href"], "../evidence/fairness/bias_analysis.json");
    assert_eq!(bias["rlinks"][1]["hashes"][0]["value"], sha, "a small set links each member with its hash");
    let set_digest = sha256_hex(format!("{sha}  fairness/bias_analysis.json\n").as_bytes());
    assert!(bias["props"].as_array().unwrap().iter().any(|p| p["name"] == "set-sha256" && p["value"] == set_digest));

    if let Some(out) = tool("check_oscal.py", &file) {
        assert!(out.trim_end().ends_with(": OK"), "{out}");
    }
    // Identical runs, identical UUIDs.
    ws.build(&[]).code(1);
    assert!(fs::read(&file).unwrap() == first, "the OSCAL file changed between identical runs");
}

#[test]
fn assessment_json_holds_the_whole_assessment() {
    let ws = failing_credit_sample();
    ws.build(&[]).code(1);
    let a = read_json(&ws.package().join("assessment.json"));
    assert_eq!(a["format"], "dossier-assessment");
    assert_eq!(a["schema_version"], 4);
    assert_eq!(a["verdict"], "fail");
    assert_eq!(a["system"]["provider"], "NeoLend Financial Services Ltd.");
    let findings = read_json(&ws.package().join("findings.json"));
    assert_eq!(a["findings"], findings["findings"]);
    assert_eq!(a["frameworks"], matrix(&ws)["frameworks"]);
    let bias = a["artifacts"].as_array().unwrap().iter().find(|d| d["path"] == "fairness/bias_analysis.json").unwrap();
    assert_eq!(bias["evidence_type"], "bias-report");
    assert_eq!(bias["document"]["kind"], "bias-report");
    let female = bias["document"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["groups"].as_array().unwrap())
        .find(|g| g["name"] == "female")
        .unwrap();
    assert_eq!(female["disparate_impact_ratio"], 0.75);
    assert_eq!(a["sign_offs"][0]["reviewer"], "Dr. Amara Okafor");
    // The measures are judged once, here, for every output.
    let ratio = a["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "disparate impact ratio, sex = female")
        .unwrap();
    assert_eq!((ratio["value"].as_f64(), ratio["passes"].as_bool()), (Some(0.75), Some(false)));
}
