//! Evidence content checks, policies and the gate, through `dossier check` and `build`.

use std::fs;

use crate::support::*;

fn credit() -> Workspace {
    sample_workspace("credit-scoring")
}

#[test]
fn a_clean_credit_scoring_run_passes_the_gate_and_writes_nothing() {
    let ws = credit();
    let a = ws.run(&["check", "ev"]).success();
    assert!(stdout_of(&a).contains("gate       pass (--fail-on error)"), "{}", stdout_of(&a));
    assert!(stdout_of(&a).contains("0 errors"), "{}", stdout_of(&a));
    assert!(!ws.package().exists() && !ws.dir.path().join("dossier-package").exists());
    ws.build(&[]).success();
}

#[test]
fn a_group_below_the_four_fifths_rule_fails_the_gate_naming_group_and_file() {
    let ws = credit();
    edit(&ws, "fairness/bias_analysis.json", "\"female\": 0.918", "\"female\": 0.75");
    let a = ws.run(&["check", "ev"]).code(1);
    assert_stderr_has(
        &a,
        "error[threshold-failed] fairness/bias_analysis.json:65: group \"female\" of sensitive feature \"sex\" has disparate impact ratio 0.75 outside [0.8, 1.25]",
    );
    ws.build(&[]).code(1);
    assert_eq!(status_of(&ws, "eu-ai-act/art-10/2/f"), "failed");
    // The package carries the finding for the auditor, with file and line.
    let findings = read_json(&ws.package().join("findings.json"));
    let f = findings["findings"].as_array().unwrap().iter().find(|f| f["code"] == "threshold-failed").unwrap().clone();
    assert_eq!(
        (f["path"].as_str(), f["line"].as_u64(), f["severity"].as_str()),
        (Some("fairness/bias_analysis.json"), Some(65), Some("error"))
    );
    ws.build(&["--fail-on", "never"]).success();
}

#[test]
fn the_seed_policy_runs_unchanged_and_its_deny_message_becomes_a_finding() {
    let ws = credit();
    edit(&ws, "model_metadata.json", "\"contains_pii\": false", "\"contains_pii\": true");
    let a = ws.build(&[]).code(1);
    assert_stderr_has(
        &a,
        "error[policy-denied] model_metadata.json: Training data contains raw PII. Must be redacted or tokenized. (policy policies/compliance_policy.rego)",
    );
    assert_eq!(status_of(&ws, "eu-ai-act/art-10/5"), "failed");
    let m = matrix(&ws);
    let row = m["frameworks"][0]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "eu-ai-act/art-10/5")
        .unwrap()
        .clone();
    assert!(row["failed_by"][0].as_str().unwrap().contains("raw PII"), "{row}");
}

#[test]
fn an_old_adversarial_report_makes_article_15_stale() {
    let ws = credit();
    let path = ws.evidence().join("robustness/adversarial_test_results.xml");
    let text = fs::read_to_string(&path).unwrap().replace("timestamp=\"2026-", "timestamp=\"2024-");
    fs::write(path, text).unwrap();
    let a = ws.run(&["check", "ev"]).success(); // stale is a warning: the gate passes
    assert!(stdout_of(&a).contains("stale"), "{}", stdout_of(&a));
    ws.build(&[]).success();
    assert_eq!(status_of(&ws, "eu-ai-act/art-15/5"), "stale");
}

#[test]
fn failing_robustness_tests_and_a_wrong_model_version_fail_their_requirements() {
    let ws = credit();
    let path = ws.evidence().join("robustness/adversarial_test_results.xml");
    let text = fs::read_to_string(&path).unwrap();
    let first_case_end = text.find("</testcase>").unwrap();
    let broken =
        format!("{}<failure message=\"accuracy drop 7.9%\"/>{}", &text[..first_case_end], &text[first_case_end..]);
    fs::write(path, broken).unwrap();
    edit(&ws, "model_card.md", "model_version: \"4.2.1\"", "model_version: \"4.1.0\"");
    let a = ws.build(&[]).code(1);
    assert_stderr_has(&a, "error[tests-failed] robustness/adversarial_test_results.xml: 1 of");
    assert_stderr_has(
        &a,
        "error[version-mismatch] model_card.md: model card describes version 4.1.0, but dossier.yaml releases version 4.2.1",
    );
    assert_eq!(status_of(&ws, "eu-ai-act/art-15/5"), "failed");
    assert_eq!(status_of(&ws, "eu-ai-act/art-11/1"), "failed");
}

#[test]
fn bad_evidence_is_a_finding_with_file_and_line_and_the_run_goes_on() {
    let ws = credit();
    let bias = ws.evidence().join("fairness/bias_analysis.json");
    let text = fs::read_to_string(&bias).unwrap();
    fs::write(&bias, &text[..text.len() / 2]).unwrap();
    ws.write(
        "robustness/adversarial_test_results.xml",
        b"<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n",
    );
    let log = ws.evidence().join("logs/inference/2026/11/19/audit-000.jsonl");
    let mut lines = fs::read_to_string(&log).unwrap();
    lines.insert_str(lines.find('\n').unwrap() + 1, "this line is not json\n");
    fs::write(&log, lines).unwrap();

    let a = ws.build(&[]).code(1);
    assert_stderr_has(&a, "error[evidence-unparseable] fairness/bias_analysis.json:");
    assert_stderr_has(
        &a,
        "error[evidence-unparseable] robustness/adversarial_test_results.xml:2: not JUnit XML: the root element is <html>",
    );
    assert_stderr_has(
        &a,
        "warning[log-line-invalid] logs/inference/2026/11/19/audit-000.jsonl:2: log line is not a JSON record",
    );
    // The package is still written, and untouched requirements keep their status.
    assert!(ws.package().join("matrix.json").exists());
    assert_eq!(status_of(&ws, "eu-ai-act/art-12/1"), "satisfied");
}

#[test]
fn a_rego_v1_policy_over_the_assessment_document_fails_a_named_requirement() {
    let ws = credit();
    fs::write(
        ws.dir.path().join("release.rego"),
        "package release\nimport rego.v1\ndeny contains msg if {\n  some a in input.artifacts\n  a.evidence_type == \"model-card\"\n  input.system.version != \"9.9.9\"\n  msg := sprintf(\"release %v is not the approved 9.9.9\", [input.system.version])\n}\n",
    )
    .unwrap();
    let config = fs::read_to_string(ws.evidence().join("dossier.yaml")).unwrap().replace("root: .", "root: ev");
    let config = config.replace("policies:\n  - file: policies/compliance_policy.rego", "policies:\n  - file: release.rego\n    requirements: [eu-ai-act/art-47]\n    severity: warning\n  - file: ev/policies/compliance_policy.rego");
    fs::write(ws.dir.path().join("c.yaml"), config).unwrap();
    let a = ws.run(&["check", "-c", "c.yaml"]).success(); // a warning does not fail the gate
    assert_stderr_has(
        &a,
        "warning[policy-denied] release.rego: release 4.2.1 is not the approved 9.9.9 (policy release.rego)",
    );
    ws.run(&["check", "-c", "c.yaml", "--fail-on", "warning"]).code(1);
}

#[test]
fn a_broken_policy_stops_the_run_before_any_evidence_is_read() {
    let ws = credit();
    ws.write("policies/compliance_policy.rego", b"package mlops.compliance\ndeny[msg] {\n");
    let a = ws.run(&["check", "ev"]).code(2);
    assert_stderr_has(&a, "error: ev/policies/compliance_policy.rego:2:11: not valid Rego (as v1: ");
    // Every problem with the configuration is reported at once, each where it is.
    edit(&ws, "dossier.yaml", "requirements: [eu-ai-act/art-10/2/f,", "requirements: [eu-ai-act/art-10/2/z,");
    let a = ws.build(&[]).code(2);
    assert_stderr_has(&a, "error: 2 problems:");
    assert_stderr_has(&a, "  ev/dossier.yaml:50: policies[0].requirements: unknown requirement id");
    assert_stderr_has(&a, "  ev/policies/compliance_policy.rego:2:11: not valid Rego");
    assert!(!ws.package().exists(), "nothing is written when the plan fails");
}

#[test]
fn a_waiver_in_force_turns_a_gap_to_waived_and_an_expired_one_does_not() {
    let ws = credit();
    fs::remove_file(ws.evidence().join("conformity/eu_database_registration.json")).unwrap();
    ws.build(&[]).code(1);
    assert_eq!(status_of(&ws, "eu-ai-act/art-49/1"), "missing");

    let waiver = "requirements: [eu-ai-act/art-49/1, eu-ai-act/annex-viii/a]\njustification: EU database registration submitted, receipt pending\napprover: {name: Declan Byrne, role: Chief Risk Officer}\napproved_on: 2026-11-12\nexpires: 2026-12-31\n";
    ws.write("waivers/registration_waiver.yaml", waiver.as_bytes());
    ws.build(&[]).success();
    assert_eq!(status_of(&ws, "eu-ai-act/art-49/1"), "waived");
    let m = matrix(&ws);
    let row = m["frameworks"][0]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "eu-ai-act/art-49/1")
        .unwrap()
        .clone();
    assert!(row["summary"].as_str().unwrap().starts_with("waived until 2026-12-31 by Declan Byrne"), "{row}");

    ws.write("waivers/registration_waiver.yaml", waiver.replace("2026-12-31", "2026-09-01").as_bytes());
    let a = ws.build(&[]).code(1);
    assert_stderr_has(
        &a,
        "warning[waiver-expired] waivers/registration_waiver.yaml: waiver for eu-ai-act/art-49/1, eu-ai-act/annex-viii/a expired on 2026-09-01",
    );
    assert_eq!(status_of(&ws, "eu-ai-act/art-49/1"), "missing");
}

#[test]
fn a_rejected_sign_off_fails_the_gate() {
    let ws = credit();
    edit(&ws, "signoff/model_risk_signoff.yaml", "\ndecision: approve", "\ndecision: reject");
    let a = ws.run(&["check", "ev"]).code(1);
    assert_stderr_has(
        &a,
        "error[sign-off-not-approved] signoff/model_risk_signoff.yaml: sign-off by Dr. Amara Okafor records decision \"reject\"",
    );
}

#[test]
fn a_dataset_that_no_longer_matches_its_manifest_is_caught() {
    let ws = credit();
    let csv = ws.evidence().join("data/golden_set_sample.csv");
    let mut text = fs::read_to_string(&csv).unwrap();
    text.push_str("A9999,40,52000,700,3,12000,female,approve\n");
    fs::write(csv, text).unwrap();
    let a = ws.run(&["check", "ev"]).code(1);
    assert_stderr_has(&a, "error[dataset-hash-mismatch] data/dataset_manifest.json: records sha256");
    assert_stderr_has(&a, "for data/golden_set_sample.csv, but the file in the evidence hashes to");
}

#[test]
fn the_built_in_pii_check_needs_no_policy() {
    let ws = credit();
    edit(&ws, "model_metadata.json", "\"contains_pii\": false", "\"contains_pii\": true");
    // Without the seed policy configured, the built-in check still fails the gate.
    let config = fs::read_to_string(ws.evidence().join("dossier.yaml")).unwrap();
    let without_policy = &config[..config.find("policies:").unwrap()];
    fs::write(ws.evidence().join("dossier.yaml"), without_policy).unwrap();
    let a = ws.run(&["check", "ev"]).code(1);
    assert_stderr_has(&a, "error[pii-flagged] model_metadata.json: data-governance metadata sets contains_pii: true");
}

#[test]
fn a_sidecar_dates_and_types_evidence_whose_content_cannot() {
    let ws = credit();
    ws.write("security/pentest_2024.pdf", b"%PDF-1.7 binary report");
    ws.write("security/pentest_2024.pdf.dossier.yaml", b"date: 2024-02-01\ntype: security-assessment\n");
    ws.build(&[]).success();
    // Both files say something no set can: the assessment lists them on their own.
    let a = read_json(&ws.package().join("assessment.json"));
    let artifacts = a["artifacts"].as_array().unwrap();
    let pdf = artifacts.iter().find(|a| a["path"] == "security/pentest_2024.pdf").unwrap();
    assert_eq!(pdf["evidence_type"], "security-assessment");
    assert_eq!(pdf["by"], "sidecar-type");
    assert_eq!(pdf["date"], "2024-02-01");
    assert_eq!(pdf["date_source"], "sidecar security/pentest_2024.pdf.dossier.yaml");
    let side = artifacts.iter().find(|a| a["path"] == "security/pentest_2024.pdf.dossier.yaml").unwrap();
    assert_eq!(side["by"], "sidecar");
    assert!(unclassified(&ws).is_empty());

    let a = ws.run(&["explain", "ev/security/pentest_2024.pdf"]).success();
    assert!(stdout_of(&a).contains("dated          2024-02-01 (from sidecar"), "{}", stdout_of(&a));

    ws.write("security/pentest_2024.pdf.dossier.yaml", b"date: last spring\n");
    let a = ws.build(&[]).code(1);
    assert_stderr_has(
        &a,
        "error[evidence-unparseable] security/pentest_2024.pdf.dossier.yaml: sidecar date \"last spring\" is not YYYY-MM-DD",
    );
}

#[test]
fn rag_answers_below_the_faithfulness_floor_and_incomplete_risk_registers_are_reported() {
    let ws = sample_workspace("support-chatbot");
    let log = ws.evidence().join("rag/rag_audit_log.jsonl");
    let text =
        fs::read_to_string(&log).unwrap().replacen("\"faithfulness_score\":0.71", "\"faithfulness_score\":0.42", 1);
    fs::write(&log, text).unwrap();
    let a = ws.run(&["check", "ev"]).success(); // a warning: the gate passes
    assert_stderr_has(&a, "warning[faithfulness-low] rag/rag_audit_log.jsonl: 1 of");
    assert_stderr_has(&a, "below 0.7 (lowest 0.42)");

    let ws = credit();
    ws.write("risk/risk_register.yaml", b"risks:\n  - id: R-1\n    risk: drift\n    owner: MRO\n");
    let a = ws.run(&["check", "ev"]).code(1);
    assert_stderr_has(
        &a,
        "error[evidence-incomplete] risk/risk_register.yaml: risk register entries are incomplete: R-1 lacks mitigation, residual risk",
    );
}

#[test]
fn a_rag_answer_citing_a_chunk_it_did_not_retrieve_is_an_error_at_its_line() {
    let ws = sample_workspace("support-chatbot");
    ws.run(&["check", "ev"]).success();
    // Record 6 cites two of the chunks it retrieved; make the second one a chunk it never saw.
    let log = ws.evidence().join("rag/rag_audit_log.jsonl");
    let text = fs::read_to_string(&log).unwrap();
    let sixth = text.lines().nth(5).unwrap();
    assert!(sixth.contains("\"citations\":[\"kb-loans-008#c004\",\"kb-rights-002#c002\"]"), "{sixth}");
    fs::write(
        &log,
        text.replacen(
            "\"citations\":[\"kb-loans-008#c004\",\"kb-rights-002#c002\"]",
            "\"citations\":[\"kb-loans-008#c004\",\"kb-rights-009#c001\"]",
            1,
        ),
    )
    .unwrap();
    let a = ws.run(&["check", "ev"]).code(1);
    assert_stderr_has(
        &a,
        "error[citation-not-retrieved] rag/rag_audit_log.jsonl:6: record rag-fa5e28b020323587 cites chunk \"kb-rights-009#c001\", which is not among the 3 chunks it retrieved",
    );
    // Only the one citation: the record's other citation and the other records are fine.
    assert_eq!(stderr_of(&a).matches("citation-not-retrieved").count(), 1, "{}", stderr_of(&a));
    ws.build(&["--fail-on", "never"]).success();
    let findings = read_json(&ws.package().join("findings.json"));
    let f = findings["findings"].as_array().unwrap().iter().find(|f| f["code"] == "citation-not-retrieved").unwrap();
    assert_eq!((f["line"].as_u64(), f["severity"].as_str()), (Some(6), Some("error")));
}

#[test]
fn a_report_naming_a_dataset_with_another_digest_than_the_manifest_is_caught() {
    let ws = credit();
    edit(
        &ws,
        "fairness/bias_analysis.json",
        "a23941b005a5ca9f47676c0a4e135a282733d709f8fa08791e81ddeb443af03d",
        "0000000000000000000000000000000000000000000000000000000000000000",
    );
    let a = ws.run(&["check", "ev"]).code(1);
    assert_stderr_has(
        &a,
        "error[dataset-hash-mismatch] fairness/bias_analysis.json: names dataset \"golden_set_v1\" with sha256 0000000000000000000000000000000000000000000000000000000000000000, but data/dataset_manifest.json records a23941b0",
    );
}

#[test]
fn a_waiver_covering_every_requirement_a_finding_fails_stops_it_gating() {
    let ws = credit();
    edit(&ws, "fairness/bias_analysis.json", "\"female\": 0.918", "\"female\": 0.75");
    ws.run(&["check", "ev"]).code(1);
    let waiver = "requirements: [eu-ai-act/art-10/2/f, eu-ai-act/art-10/2/g, eu-ai-act/annex-iv/2/g, nist-ai-rmf/MEASURE-2.11]\njustification: retraining with a fairness constraint is scheduled; manual review of every female applicant meanwhile\napprover: {name: Declan Byrne}\nexpires: 2026-12-31\n";
    ws.write("waivers/fairness_waiver.yaml", waiver.as_bytes());
    ws.build(&[]).success();
    assert_eq!(status_of(&ws, "eu-ai-act/art-10/2/f"), "waived");
    let findings = read_json(&ws.package().join("findings.json"));
    let f = findings["findings"].as_array().unwrap().iter().find(|f| f["code"] == "threshold-failed").unwrap().clone();
    assert_eq!(f["severity"], "note");
    assert!(
        f["message"].as_str().unwrap().ends_with(
            "(waived: eu-ai-act/art-10/2/f, eu-ai-act/art-10/2/g, eu-ai-act/annex-iv/2/g, nist-ai-rmf/MEASURE-2.11)"
        ),
        "{f}"
    );
}

#[test]
fn a_policy_naming_an_unknown_requirement_is_a_config_error() {
    let ws = credit();
    edit(&ws, "dossier.yaml", "requirements: [eu-ai-act/art-10/2/f,", "requirements: [eu-ai-act/art-10/2/z,");
    let a = ws.run(&["check", "ev"]).code(2);
    assert_stderr_has(
        &a,
        "error: ev/dossier.yaml:50: policies[0].requirements: unknown requirement id \"eu-ai-act/art-10/2/z\"",
    );
}

#[test]
fn a_lower_is_better_metric_above_its_ceiling_fails_and_reads_as_a_regression() {
    // The sample caps brier_score at 0.08 (`checks.max_metrics`); its value is 0.0398.
    let ws = credit();
    dossier()
        .env("SOURCE_DATE_EPOCH", "1790000000")
        .current_dir(ws.dir.path())
        .args(["build", "ev", "-o", "before"])
        .assert()
        .success();
    let page = fs::read_to_string(ws.dir.path().join("before/index.html")).unwrap();
    assert!(page.contains("&lt;= 0.08"), "the report shows the ceiling");

    edit(&ws, "evaluation/evaluation_metrics.json", "\"brier_score\": 0.0398", "\"brier_score\": 0.0912");
    let a = ws.build(&[]).code(1);
    assert_stderr_has(
        &a,
        "error[threshold-failed] evaluation/evaluation_metrics.json: brier_score is 0.0912, above the maximum 0.08",
    );
    let page = fs::read_to_string(ws.package().join("index.html")).unwrap();
    assert!(page.contains("above maximum"), "the chart says which way the limit is broken");

    // dossier diff judges the change by the same ceiling: a rise is a regression.
    ws.run(&["diff", "before", "pkg", "-o", "changes", "--reports", "none"]).success();
    let diff = read_json(&ws.dir.path().join("changes/diff.json"));
    let brier = diff["measures"].as_array().unwrap().iter().find(|m| m["measure"] == "brier_score").unwrap().clone();
    assert_eq!(brier["limit"], serde_json::json!({"kind": "at-most", "max": 0.08}));
    assert_eq!((brier["limit_text"].as_str(), brier["verdict"].as_str()), (Some("<= 0.08"), Some("regressed")));

    // A floor above the ceiling could never pass: a config error, before anything is read.
    let config = ws.evidence().join("dossier.yaml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(
        &config,
        text.replacen("max_metrics: {brier_score: 0.08}", "max_metrics: {brier_score: 0.08, accuracy: 0.5}", 1),
    )
    .unwrap();
    let a = ws.run(&["check", "ev"]).code(2);
    assert_stderr_has(&a, "accuracy has a minimum (0.7) above its maximum (0.5)");
}
