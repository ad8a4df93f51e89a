//! Infrastructure evidence through the real CLI: AWS exports written by boto3 against
//! moto, and Terraform plans written by Terraform, checked by the built-in rules against
//! the oracles committed beside them (tests/fixtures/infra).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/infra")
}

const CONFIG: &str = "system:\n  name: acme-credit\n  risk_category: high\nframeworks: [eu-ai-act, aws-genai-best-practices]\napplicability: {readiness: true}\nevidence:\n  root: ev\ninfrastructure:\n  min_lock_days: 3650\n  backup_buckets: [acme-training-data]\n  data_prefixes: [\"arn:aws:s3:::acme-training-data/datasets/\"]\n  config_rules: [s3-bucket-versioning-enabled, cloud-trail-log-file-validation-enabled]\n";

/// A workspace whose evidence is one account's exports, with `extra` added to the config.
fn account(name: &str, extra: &str) -> Workspace {
    let ws = Workspace::new(&[]);
    copy_tree(&fixtures().join("aws").join(name).join("infra"), &ws.evidence().join("infra"));
    fs::write(ws.dir.path().join("dossier.yaml"), format!("{CONFIG}{extra}")).unwrap();
    ws
}

fn findings(ws: &Workspace) -> Vec<Value> {
    ws.build(&["--fail-on", "never", "-q"]).success();
    read_json(&ws.package().join("findings.json"))["findings"].as_array().unwrap().clone()
}

fn code(f: &Value) -> &str {
    f["code"].as_str().unwrap()
}

/// The infrastructure findings as (rule, folder of the file) pairs.
fn infra(findings: &[Value], prefix: &str) -> BTreeSet<(String, String)> {
    findings
        .iter()
        .filter(|f| code(f).starts_with(prefix))
        .map(|f| {
            let path = f["path"].as_str().unwrap_or_default();
            let folder = path.rsplit_once('/').map_or("", |(d, _)| d).trim_start_matches("infra/aws/").to_string();
            (code(f).trim_start_matches("infra-").to_string(), folder)
        })
        .collect()
}

/// What the oracle expects, as (rule, folder) pairs, from `violations` and, for the
/// settings moto cannot store, `moto_artifacts`.
fn expected(account: &str, lists: &[&str]) -> (BTreeSet<(String, String)>, Vec<Value>) {
    let oracle = read_json(&fixtures().join("aws/expected.json"));
    let entries: Vec<Value> =
        lists.iter().flat_map(|l| oracle["accounts"][account][*l].as_array().cloned().unwrap_or_default()).collect();
    let pairs = entries
        .iter()
        .map(|e| {
            let file = e["file"].as_str().unwrap();
            (e["rule"].as_str().unwrap().to_string(), file.rsplit_once('/').map_or("", |(d, _)| d).to_string())
        })
        .collect();
    (pairs, entries)
}

/// The resource's own name in an ARN: its last segment that is not a version number.
fn short(resource: &str) -> &str {
    resource.rsplit(['/', ':']).find(|s| !s.is_empty() && !s.chars().all(|c| c.is_ascii_digit())).unwrap_or(resource)
}

fn assert_names(findings: &[Value], entries: &[Value]) {
    for e in entries {
        let rule = format!("infra-{}", e["rule"].as_str().unwrap());
        let name = short(e["resource"].as_str().unwrap());
        assert!(
            findings.iter().any(|f| code(f) == rule && f["message"].as_str().unwrap().contains(name)),
            "no {rule} finding names {name}"
        );
    }
}

#[test]
fn the_noncompliant_account_fails_each_rule_on_its_resource_and_nothing_else() {
    let ws = account("noncompliant", "");
    let all = findings(&ws);
    let (want, entries) = expected("noncompliant", &["violations", "moto_artifacts"]);
    let got = infra(&all, "infra-");
    let violations: BTreeSet<_> = got.iter().filter(|(rule, _)| rule != "export-missing").cloned().collect();
    assert_eq!(violations, want);
    assert_names(&all, &entries);
    // Every violation has its line, and fails the requirements its rule evidences.
    for f in all.iter().filter(|f| code(f).starts_with("infra-") && code(f) != "infra-export-missing") {
        assert!(f["line"].as_u64().is_some(), "{f}");
        assert!(!f["requirements"].as_array().unwrap().is_empty(), "{f}");
    }
    assert_eq!(status_of(&ws, "eu-ai-act/art-12/1"), "failed");
    // SARIF locates each result in its export file, at its line.
    let sarif = read_json(&ws.package().join("results.sarif"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let versioning = results.iter().find(|r| r["ruleId"] == "infra-bucket-versioning").expect("a SARIF result");
    let location = &versioning["locations"][0]["physicalLocation"];
    assert!(
        location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("s3/acme-training-data/get-bucket-versioning.json"),
        "{location}"
    );
    assert!(location["region"]["startLine"].as_u64().is_some(), "{location}");
    // The two exports moto cannot write are gaps, not passes.
    let gaps: Vec<&Value> = all.iter().filter(|f| code(f) == "infra-export-missing").collect();
    assert!(gaps.iter().any(|g| g["message"].as_str().unwrap().contains("config-rules")), "{gaps:?}");
    assert!(
        gaps.iter().any(|g| g["message"].as_str().unwrap().contains("backup-retention"))
            || want.iter().any(|(r, _)| r == "backup-retention")
    );
}

#[test]
fn the_compliant_account_passes_every_rule_but_what_moto_cannot_store() {
    let ws = account("compliant", "");
    let all = findings(&ws);
    let (want, _) = expected("compliant", &["violations", "moto_artifacts"]);
    let got: BTreeSet<_> = infra(&all, "infra-").into_iter().filter(|(rule, _)| rule != "export-missing").collect();
    assert_eq!(got, want, "only the settings moto drops may fail");
    // Every export is read, `{}` for a never-versioned bucket included.
    assert!(!all.iter().any(|f| matches!(code(f), "format-unrecognised" | "evidence-unparseable")), "{all:?}");
    // No false positives: the website bucket, the public load balancer's group, default egress.
    for f in &all {
        let message = f["message"].as_str().unwrap();
        assert!(!message.contains("acme-website"), "{f}");
    }
    // What moto cannot export is a gap.
    let gaps: Vec<&str> =
        all.iter().filter(|f| code(f) == "infra-export-missing").map(|f| f["message"].as_str().unwrap()).collect();
    assert!(gaps.iter().any(|g| g.contains("config-rules")), "{gaps:?}");
    assert!(gaps.iter().any(|g| g.contains("backup-retention") && g.contains("get-backup-selection")), "{gaps:?}");
}

#[test]
fn a_truncated_export_is_a_located_finding_and_the_rest_is_still_checked() {
    let ws = account("broken", "");
    let all = findings(&ws);
    let unparseable: Vec<&Value> = all.iter().filter(|f| code(f) == "evidence-unparseable").collect();
    assert_eq!(unparseable.len(), 1, "{unparseable:?}");
    assert_eq!(unparseable[0]["path"], "infra/aws/iam/get-account-authorization-details.json");
    assert!(unparseable[0]["line"].as_u64().is_some(), "{}", unparseable[0]);
    let (want, _) = expected("broken", &["violations", "moto_artifacts"]);
    let got: BTreeSet<_> = infra(&all, "infra-").into_iter().filter(|(rule, _)| rule != "export-missing").collect();
    assert_eq!(got, want);
    assert!(
        all.iter().any(
            |f| code(f) == "infra-export-missing" && f["message"].as_str().unwrap().contains("iam-least-privilege")
        )
    );
}

#[test]
fn a_disabled_rule_reports_nothing_and_a_parameter_changes_the_verdict() {
    let base = findings(&account("noncompliant", ""));
    assert!(base.iter().any(|f| code(f) == "infra-bucket-object-lock"));
    let disabled = account("noncompliant", "  disabled: [bucket-object-lock]\n");
    let off = findings(&disabled);
    assert!(!off.iter().any(|f| code(f) == "infra-bucket-object-lock"));
    // The matrix says why the rule's evidence was not checked.
    let m = matrix(&disabled);
    let row = m["frameworks"][0]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "eu-ai-act/art-19/1")
        .unwrap();
    assert!(
        row["summary"].as_str().unwrap().contains("infrastructure rule bucket-object-lock is disabled in dossier.yaml"),
        "{row}"
    );
    let a = read_json(&disabled.package().join("assessment.json"));
    let rule =
        a["infrastructure"]["rules"].as_array().unwrap().iter().find(|r| r["id"] == "bucket-object-lock").unwrap();
    assert_eq!(rule["status"], "disabled");
    // The log bucket locks objects for 30 days: short of 3650, enough for 30.
    let locks = |all: &[Value]| -> Vec<String> {
        all.iter()
            .filter(|f| code(f) == "infra-bucket-object-lock")
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(locks(&base).iter().any(|m| m.contains("acme-inference-logs")));
    let ws = account("noncompliant", "");
    let text = fs::read_to_string(ws.dir.path().join("dossier.yaml"))
        .unwrap()
        .replace("min_lock_days: 3650", "min_lock_days: 30");
    fs::write(ws.dir.path().join("dossier.yaml"), text).unwrap();
    assert!(!locks(&findings(&ws)).iter().any(|m| m.contains("acme-inference-logs")));
    // An unknown rule id is a configuration error.
    let bad = account("noncompliant", "  disabled: [bucket-lock]\n");
    let out = bad.build(&[]).code(2);
    assert_stderr_has(&out, "unknown rule \"bucket-lock\" in infrastructure.disabled");
}

#[test]
fn an_aws_managed_key_passes_unless_customer_keys_are_required() {
    let ws = account("compliant", "");
    let file = ws.evidence().join("infra/aws/s3/acme-training-data/get-bucket-encryption.json");
    let text = fs::read_to_string(&file).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
        .as_object_mut()
        .unwrap()
        .remove("KMSMasterKeyID");
    fs::write(&file, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    assert!(!findings(&ws).iter().any(|f| code(f) == "infra-bucket-encryption"));
    let strict = fs::read_to_string(ws.dir.path().join("dossier.yaml")).unwrap() + "  require_customer_keys: true\n";
    fs::write(ws.dir.path().join("dossier.yaml"), strict).unwrap();
    let all = findings(&ws);
    let f = all.iter().find(|f| code(f) == "infra-bucket-encryption").expect("the AWS-managed key is flagged");
    assert!(f["message"].as_str().unwrap().contains("AWS-managed key"), "{f}");
}

/// A workspace holding one Terraform file as its evidence.
fn plan(file: &str, policy: bool) -> Workspace {
    let ws = Workspace::new(&[]);
    let text = fs::read(fixtures().join("terraform").join(file)).unwrap();
    ws.write(&format!("infra/terraform/{file}"), &text);
    let mut config = "system:\n  name: acme-credit\n  risk_category: minimal\nframeworks: [aws-genai-best-practices]\nevidence:\n  root: ev\n".to_string();
    if policy {
        fs::copy(fixtures().join("terraform/seed_policy.rego"), ws.dir.path().join("seed_policy.rego")).unwrap();
        config.push_str(&format!("policies:\n  - file: seed_policy.rego\n    input: infra/terraform/{file}\n"));
    }
    fs::write(ws.dir.path().join("dossier.yaml"), config).unwrap();
    ws
}

#[test]
fn terraform_plans_get_the_same_rules_and_the_seed_policy_runs_unchanged() {
    let oracle = read_json(&fixtures().join("terraform/expected.json"));
    for (file, want) in oracle["files"].as_object().unwrap() {
        let ws = plan(file, true);
        let all = findings(&ws);
        let rules: BTreeSet<String> = all
            .iter()
            .filter(|f| code(f).starts_with("infra-"))
            .map(|f| code(f).trim_start_matches("infra-").to_string())
            .collect();
        let expected: BTreeSet<String> = want["dossier_violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["rule"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(rules, expected, "{file}");
        let denied: BTreeSet<String> = all
            .iter()
            .filter(|f| code(f) == "policy-denied")
            .map(|f| f["message"].as_str().unwrap().trim_end_matches(" (policy seed_policy.rego)").to_string())
            .collect();
        let seed: BTreeSet<String> =
            want["seed_policy_deny"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect();
        assert_eq!(denied, seed, "{file}");
    }
}

#[test]
fn an_empty_vpc_block_slips_past_the_seed_policy_but_not_past_dossier() {
    let ws = plan("empty-vpc.plan.json", true);
    let all = findings(&ws);
    assert!(!all.iter().any(|f| code(f) == "policy-denied"), "the seed policy lets `vpc_config: []` through");
    let f = all.iter().find(|f| code(f) == "infra-sagemaker-network").expect("dossier's rule catches it");
    assert!(f["message"].as_str().unwrap().contains("aws_sagemaker_model.credit_scoring"), "{f}");
    assert!(f["line"].as_u64().is_some());
}

#[test]
fn the_diff_names_each_rule_whose_result_changed() {
    let ws = account("compliant", "");
    ws.run(&["build", "ev", "--fail-on", "never", "-q", "-o", "before"]).success();
    // The next quarter: the training bucket's versioning was suspended.
    let file = ws.evidence().join("infra/aws/s3/acme-training-data/get-bucket-versioning.json");
    fs::write(&file, "{\n    \"Status\": \"Suspended\",\n    \"MFADelete\": \"Disabled\"\n}\n").unwrap();
    ws.run(&["build", "ev", "--fail-on", "never", "-q", "-o", "after"]).success();
    let out = ws.run(&["diff", "before", "after", "-o", "review"]).success();
    let text = stdout_of(&out);
    assert!(text.contains("bucket-versioning: pass -> fail, 0 -> 1 violations (regressed)"), "{text}");
    let diff = read_json(&ws.dir.path().join("review/diff.json"));
    let rules: Vec<&str> =
        diff["infrastructure"].as_array().unwrap().iter().map(|t| t["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["bucket-versioning"]);
    assert_eq!(diff["summary"]["regression"], true);
    let html = fs::read_to_string(ws.dir.path().join("review/diff.html")).unwrap();
    assert!(html.contains("Infrastructure rules") && html.contains("bucket-versioning"));
    if let Some(text) = pdf_text(&ws.dir.path().join("review/diff.pdf")) {
        assert!(text.contains("Infrastructure rules"), "the PDF has no infrastructure rules");
    }
    // The package report has the rules too.
    let report = fs::read_to_string(ws.dir.path().join("after/index.html")).unwrap();
    assert!(report.contains("Infrastructure controls"));
}
