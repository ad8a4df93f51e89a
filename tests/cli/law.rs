//! The law as it applies on a day: application dates, the scope of the EU AI Act's
//! duties, general-purpose AI model providers, the NIST AI 600-1 profile and the NYC
//! Local Law 144 bias-audit summary, through the real CLI.

use std::fs;

use serde_json::Value;

use crate::support::*;

/// 2026-12-02, noon UTC.
const DEC_2_2026: &str = "1796212800";

fn rows(ws: &Workspace, framework: &str) -> Vec<Value> {
    let m = matrix(ws);
    let f = m["frameworks"].as_array().unwrap().iter().find(|f| f["id"] == framework).unwrap().clone();
    f["requirements"].as_array().unwrap().clone()
}

fn row(ws: &Workspace, id: &str) -> Value {
    let m = matrix(ws);
    for f in m["frameworks"].as_array().unwrap() {
        if let Some(r) = f["requirements"].as_array().unwrap().iter().find(|r| r["id"] == id) {
            return r.clone();
        }
    }
    panic!("no requirement {id} in the matrix");
}

/// A workspace whose evidence is the credit-scoring sample, with its `system:` and
/// `applicability:` replaced by `system` (YAML lines under `system:`) and `extra`.
fn credit_scoring(system: &str, extra: &str) -> Workspace {
    let ws = sample_workspace("credit-scoring");
    let path = ws.evidence().join("dossier.yaml");
    let text = fs::read_to_string(&path).unwrap();
    let start = text.find("system:\n").unwrap();
    let end = text.find("\nevidence:\n").unwrap();
    let rest = text[end..].replace("applicability:\n  readiness: true\n", "");
    fs::write(&path, format!("{}system:\n  name: credit-score\n{system}\n{extra}{rest}", &text[..start])).unwrap();
    ws
}

fn build_on(ws: &Workspace, epoch: &str) {
    let out = dossier()
        .current_dir(ws.dir.path())
        .env("SOURCE_DATE_EPOCH", epoch)
        .args(["build", "ev", "-o", "pkg", "--fail-on", "never", "-q"])
        .assert();
    out.success();
}

fn statuses_of(ws: &Workspace, prefixes: &[&str]) -> Vec<(String, String)> {
    rows(ws, "eu-ai-act")
        .iter()
        .filter(|r| prefixes.iter().any(|p| r["id"].as_str().unwrap().starts_with(p)))
        .map(|r| (r["id"].as_str().unwrap().to_string(), r["status"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn catalog_show_lists_the_amended_dates_with_basis_and_source() {
    let out = dossier().args(["catalog", "show", "eu-ai-act"]).assert().success();
    let text = stdout_of(&out);
    for needle in [
        "2027-12-02  amended",
        "2028-08-02  amended",
        "Regulation (EU) 2026/1744, Art. 1(40)(b)",
        "2026-08-02  original",
        "http://data.europa.eu/eli/reg/2026/1744/oj",
    ] {
        assert!(text.contains(needle), "no {needle:?} in\n{text}");
    }
}

#[test]
fn a_credit_scoring_provider_on_2_december_2026_meets_articles_9_to_15_later() {
    let system = "  risk_category: high\n  role: provider\n  annex_iii: \"5(b)\"";
    let ws = credit_scoring(system, "");
    build_on(&ws, DEC_2_2026);
    for (id, status) in statuses_of(&ws, &["eu-ai-act/art-9/", "eu-ai-act/art-10/", "eu-ai-act/art-15/"]) {
        assert_eq!(status, "not-yet-applicable", "{id}");
    }
    let art9 = row(&ws, "eu-ai-act/art-9/1");
    assert_eq!(art9["applies_on"], "2027-12-02");
    assert!(art9["summary"].as_str().unwrap().starts_with("applies from 2027-12-02"), "{art9}");
    // AI literacy has applied since February 2025.
    let art4 = row(&ws, "eu-ai-act/art-4");
    assert_eq!(art4["applies_on"], "2025-02-02");
    assert!(!["not-applicable", "not-yet-applicable"].contains(&art4["status"].as_str().unwrap()), "{art4}");
    // Nothing that applies later is a gap the gate sees.
    let findings = read_json(&ws.package().join("findings.json"));
    for f in findings["findings"].as_array().unwrap() {
        for r in f["requirements"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap();
            if r.starts_with("eu-ai-act/art-9/") || r.starts_with("eu-ai-act/art-15/") {
                panic!("finding about a requirement that applies later: {f}");
            }
        }
    }
    assert!(fs::read_to_string(ws.package().join("matrix.csv")).unwrap().contains(",not-yet-applicable,2027-12-02,"));

    // The readiness view assesses them as if they applied today.
    let ready = credit_scoring(system, "applicability:\n  readiness: true\n");
    build_on(&ready, DEC_2_2026);
    let art9 = row(&ready, "eu-ai-act/art-9/1");
    assert_ne!(art9["status"], "not-yet-applicable");
    assert!(art9["summary"].as_str().unwrap().contains("assessed ahead: applies from 2027-12-02"), "{art9}");

    // On the original timeline, the Annex III date (2 August 2026) has passed.
    let original = credit_scoring(system, "applicability:\n  timeline: original\n");
    build_on(&original, DEC_2_2026);
    assert_eq!(row(&original, "eu-ai-act/art-9/1")["applies_on"], "2026-08-02");
    assert_ne!(row(&original, "eu-ai-act/art-9/1")["status"], "not-yet-applicable");
}

#[test]
fn the_fundamental_rights_impact_assessment_binds_public_bodies_not_private_employers() {
    let private = credit_scoring(
        "  risk_category: high\n  role: deployer\n  annex_iii: \"4(a)\"\n  workplace: true",
        "applicability:\n  readiness: true\n",
    );
    build_on(&private, DEC_2_2026);
    let art27 = statuses_of(&private, &["eu-ai-act/art-27/"]);
    assert!(!art27.is_empty());
    for (id, status) in &art27 {
        assert_eq!(status, "not-applicable", "{id} applies to a private employer");
    }
    assert_ne!(status_of(&private, "eu-ai-act/art-26/7"), "not-applicable", "workplace notice");

    let public = credit_scoring(
        "  risk_category: high\n  role: deployer\n  annex_iii: \"4(a)\"\n  workplace: true\n  public_body: true",
        "applicability:\n  readiness: true\n",
    );
    build_on(&public, DEC_2_2026);
    for p in ["1", "2", "3", "4"] {
        let id = format!("eu-ai-act/art-27/{p}");
        assert_ne!(status_of(&public, &id), "not-applicable", "{id} must apply to a public body");
    }
}

#[test]
fn a_general_purpose_model_provider_gets_chapter_v_and_nothing_of_chapter_iii() {
    let gpai = credit_scoring("  risk_category: minimal\n  role: gpai-provider", "");
    build_on(&gpai, DEC_2_2026);
    let applies = |ws: &Workspace, id: &str| !["not-applicable"].contains(&status_of(ws, id).as_str());
    for id in ["eu-ai-act/art-53/1/a", "eu-ai-act/art-53/1/b", "eu-ai-act/art-53/1/c", "eu-ai-act/art-53/1/d"] {
        assert!(applies(&gpai, id), "{id}");
    }
    let eu = rows(&gpai, "eu-ai-act");
    assert!(
        eu.iter()
            .any(|r| r["id"].as_str().unwrap().starts_with("eu-ai-act/annex-xi/") && r["status"] != "not-applicable")
    );
    assert!(
        eu.iter()
            .any(|r| r["id"].as_str().unwrap().starts_with("eu-ai-act/annex-xii/") && r["status"] != "not-applicable")
    );
    for r in &eu {
        let id = r["id"].as_str().unwrap();
        let article: Option<u32> = id.strip_prefix("eu-ai-act/art-").and_then(|a| a.split('/').next()?.parse().ok());
        let chapter_iii = article.is_some_and(|a| (6..=49).contains(&a)) || id.starts_with("eu-ai-act/annex-iv/");
        if chapter_iii {
            assert_eq!(r["status"], "not-applicable", "{id} applies to a GPAI model provider");
        }
    }
    for r in eu.iter().filter(|r| r["id"].as_str().unwrap().starts_with("eu-ai-act/art-55/")) {
        assert_eq!(r["status"], "not-applicable", "{} without systemic risk", r["id"]);
    }

    let systemic = credit_scoring("  risk_category: minimal\n  role: gpai-provider\n  systemic_risk: true", "");
    build_on(&systemic, DEC_2_2026);
    for l in ["a", "b", "c", "d"] {
        let id = format!("eu-ai-act/art-55/1/{l}");
        assert!(applies(&systemic, &id), "{id}");
    }
}

#[test]
fn the_support_chatbot_is_assessed_against_nist_ai_600_1() {
    let ws = sample_workspace("support-chatbot");
    ws.build(&["--fail-on", "never", "-q"]).success();
    let m = matrix(&ws);
    let f = m["frameworks"].as_array().unwrap().iter().find(|f| f["id"] == "nist-ai-600-1").unwrap();
    let c = &f["coverage"];
    assert_eq!(c["applicable"], 212, "{c}");
    assert!(c["satisfied"].as_u64().unwrap() > 0, "{c}");
    let text = stdout_of(&dossier().args(["catalog", "show", "nist-ai-600-1", "-r", "GV-1.1-001"]).assert().success());
    assert!(text.contains("risks        "), "{text}");
    assert!(text.contains("nist-ai-rmf/GOVERN-1.1") || text.contains("GV-1.1"), "{text}");
}

#[test]
fn every_crosswalk_is_listed_with_its_source() {
    let text = stdout_of(&dossier().args(["catalog", "crosswalks"]).assert().success());
    for needle in ["ours-eu-ai-act", "ours", "published", "nist-ai-600-1-nist-ai-rmf", "source: "] {
        assert!(text.contains(needle), "no {needle:?} in\n{text}");
    }
    let shown =
        stdout_of(&dossier().args(["catalog", "show", "eu-ai-act", "-r", "eu-ai-act/art-9/1"]).assert().success());
    assert!(shown.contains("related      ") && shown.contains("[ours-eu-ai-act]"), "{shown}");
}

/// The hiring sample: a resume screen used in New York City, with the fairlearn bias
/// audit in tests/fixtures/ll144/.
fn hiring() -> Workspace {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ll144");
    let report = fs::read(fixtures.join("bias_audit_hiring.json")).unwrap();
    let ws = Workspace::new(&[("notices/aedt_notice.md", "# Notice to candidates\n\nWe use an automated tool.\n")]);
    ws.write("fairness/bias_audit_hiring.json", &report);
    fs::write(
        ws.dir.path().join("dossier.yaml"),
        "system:\n  name: resume-screen\n  provider: Acme Staffing LLC\n  risk_category: high\n  role: deployer\n  annex_iii: \"4(a)\"\n  workplace: true\n  aedt:\n    distribution_date: 2026-01-15\n    data_source: historical\n    data_description: Applications to Acme's warehouse roles in 2025\n    auditor: Example Audit Partners\nframeworks: [nyc-ll144]\nevidence:\n  root: ev\n",
    )
    .unwrap();
    ws
}

#[test]
fn the_ll144_summary_shows_every_field_with_the_bias_report_figures() {
    let ws = hiring();
    let out = ws.build(&["--fail-on", "never"]).success();
    assert!(
        stdout_of(&out).contains(
            "  ll144      bias-audit-summary.html, bias-audit-summary.pdf (the bias-audit summary to publish)"
        ),
        "{}",
        stdout_of(&out)
    );
    // The tool's own figures, written beside the report by the generator.
    let expected =
        read_json(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ll144/expected.json"));
    let expected = &expected["files"][0]["document"];
    let a = read_json(&ws.package().join("assessment.json"));
    let s = &a["bias_audit"];
    assert_eq!(s["audit_date"], "2026-11-20");
    assert_eq!(s["aedt"]["distribution_date"], "2026-01-15");
    assert_eq!(s["unknown_count"], expected["unknown_count"]);
    let kinds: Vec<&str> = s["categories"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["sex", "race-ethnicity", "intersectional"]);
    let close = |a: &Value, b: &Value| (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-9;
    for table in s["categories"].as_array().unwrap() {
        let feature = table["feature"].as_str().unwrap();
        let want = expected["features"].as_array().unwrap().iter().find(|f| f["name"] == feature).unwrap();
        let known: Vec<&Value> = want["groups"].as_array().unwrap().iter().filter(|g| g["unknown"] == false).collect();
        assert_eq!(table["rows"].as_array().unwrap().len(), known.len(), "{feature}: every known category, no other");
        for r in table["rows"].as_array().unwrap() {
            let g = known.iter().find(|g| g["name"] == r["category"]).unwrap_or_else(|| panic!("{feature} {r}"));
            assert!(close(&r["applicants"], &g["count"]), "{feature} {r} vs {g}");
            assert!(close(&r["selection_rate"], &g["selection_rate"]), "{feature} {r} vs {g}");
            assert!(close(&r["impact_ratio"], &g["impact_ratio"]), "{feature} {r} vs {g}");
        }
    }
    let html = fs::read_to_string(ws.package().join("bias-audit-summary.html")).unwrap();
    for needle in [
        "Date of the bias audit",
        "2026-11-20",
        "Distribution date of the tool",
        "2026-01-15",
        "Historical data",
        "Applications to Acme&#x27;s warehouse roles in 2025",
        "Individuals in an unknown category",
        "Number of applicants",
        "Selection rate",
        "Impact ratio",
        "Intersectional categories",
        "Example Audit Partners",
    ] {
        assert!(html.contains(needle), "no {needle:?} in the HTML summary");
    }
    let pdf = ws.package().join("bias-audit-summary.pdf");
    assert!(fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf) {
        for needle in ["Summary of bias audit results", "2026-11-20", "Impact ratio", "unknown category"] {
            assert!(text.contains(needle), "no {needle:?} in the PDF summary");
        }
    }
    // Both files are in the sealed package.
    let outputs = ws.manifest()["outputs"].to_string();
    assert!(outputs.contains("bias-audit-summary.html") && outputs.contains("bias-audit-summary.pdf"));
    // The audit is there and fresh; the four-fifths check still fails it, as it fails
    // every requirement that counts the report (Female / Two or More Races is at 0.68).
    let audit = row(&ws, "nyc-ll144/20-871/a/1");
    assert_eq!(audit["status"], "failed", "{audit}");
    assert!(audit["failed_by"].to_string().contains("disparate impact ratio"), "{audit}");
}

#[test]
fn the_ll144_catalog_leaves_other_systems_alone() {
    let ws = sample_workspace("credit-scoring");
    ws.build(&["--fail-on", "never", "-q"]).success();
    // With no `frameworks` list, a catalog of which nothing applies is left out.
    let ids: Vec<String> = matrix(&ws)["frameworks"].as_array().unwrap().iter().map(|f| f["id"].to_string()).collect();
    assert!(!ids.iter().any(|id| id.contains("nyc-ll144") || id.contains("nist-ai-600-1")), "{ids:?}");
    assert!(ids.iter().any(|id| id.contains("iso-42001")), "{ids:?}");
    assert!(!ws.package().join("bias-audit-summary.html").exists());
}
