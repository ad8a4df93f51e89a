//! Catalogs, classification and the traceability matrix, through the real CLI.

use std::fs;

use crate::support::*;

fn coverage(ws: &Workspace, framework: &str) -> serde_json::Value {
    let m = matrix(ws);
    m["frameworks"].as_array().unwrap().iter().find(|f| f["id"] == framework).unwrap()["coverage"].clone()
}

#[test]
fn the_matrix_is_in_the_package_listed_and_verified() {
    let ws = sample_workspace("credit-scoring");
    ws.build(&[]).success();
    let outputs: Vec<String> =
        ws.manifest()["outputs"].as_array().unwrap().iter().map(|o| o["path"].as_str().unwrap().to_string()).collect();
    assert_eq!(
        outputs,
        [
            "SHA256SUMS",
            "assessment.json",
            "findings.json",
            "junit.xml",
            "matrix.csv",
            "matrix.json",
            "oscal/assessment-results.json",
            "results.sarif",
            "summary.md"
        ]
    );
    let csv = fs::read_to_string(ws.package().join("matrix.csv")).unwrap();
    assert!(csv.starts_with("framework,requirement,reference,title,status,"), "{csv}");
    let rows = matrix(&ws)["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["requirements"].as_array().unwrap().len())
        .sum::<usize>();
    assert_eq!(csv.lines().count(), rows + 1);

    fs::write(ws.package().join("matrix.csv"), csv.replace("satisfied", "missing")).unwrap();
    let a = ws.verify(&[]).code(3);
    assert!(stderr_of(&a).contains("error[output-modified] matrix.csv"));
}

#[test]
fn credit_scoring_is_largely_satisfied_under_the_eu_ai_act() {
    let ws = sample_workspace("credit-scoring");
    let a = ws.build(&[]).success();
    let c = coverage(&ws, "eu-ai-act");
    let (satisfied, applicable) = (c["satisfied"].as_u64().unwrap(), c["applicable"].as_u64().unwrap());
    assert!(applicable >= 80, "{c}");
    assert!(satisfied * 100 >= applicable * 90, "only {satisfied}/{applicable} satisfied: {c}");
    assert!(stdout_of(&a).contains("coverage   eu-ai-act"), "{}", stdout_of(&a));
    for id in [
        "eu-ai-act/art-10/2/f",
        "eu-ai-act/art-11/1",
        "eu-ai-act/annex-iv/1/a",
        "eu-ai-act/art-12/1",
        "eu-ai-act/art-15/5",
    ] {
        assert_eq!(status_of(&ws, id), "satisfied", "{id}");
    }
    // Deployer duties do not apply to a provider.
    assert_eq!(status_of(&ws, "eu-ai-act/art-26/1"), "not-applicable");
    // Every artifact is classified; the config file is recognised as such.
    let unclassified = unclassified(&ws);
    assert!(unclassified.is_empty(), "{unclassified:?}");
}

#[test]
fn deleting_the_model_card_turns_the_technical_documentation_requirements_to_missing() {
    let ws = sample_workspace("credit-scoring");
    ws.build(&[]).success();
    assert_eq!(status_of(&ws, "eu-ai-act/art-11/1"), "satisfied");
    assert_eq!(status_of(&ws, "eu-ai-act/annex-iv/1"), "satisfied");
    fs::remove_file(ws.evidence().join("model_card.md")).unwrap();
    // Missing evidence for a binding framework fails the gate; the package is still written.
    let a = ws.build(&[]).code(1);
    assert!(stdout_of(&a).contains("in binding frameworks)"), "{}", stdout_of(&a));
    for id in ["eu-ai-act/art-11/1", "eu-ai-act/annex-iv/1/a", "eu-ai-act/annex-iv/2/b"] {
        assert_eq!(status_of(&ws, id), "missing", "{id}");
    }
    // Annex IV points that need the model card among other evidence are now partial.
    assert_eq!(status_of(&ws, "eu-ai-act/annex-iv/3"), "partial");
    // The heading for Annex IV point 1 follows its points: some rest on other documents.
    assert_eq!(status_of(&ws, "eu-ai-act/annex-iv/1"), "partial");
}

#[test]
fn the_chatbot_gets_the_transparency_duties_and_not_the_high_risk_ones() {
    let ws = sample_workspace("support-chatbot");
    ws.build(&[]).success();
    for id in ["eu-ai-act/art-50/1", "eu-ai-act/art-50/2", "eu-ai-act/art-50/5"] {
        assert_eq!(status_of(&ws, id), "satisfied", "{id}");
    }
    for id in [
        "eu-ai-act/art-9/1",
        "eu-ai-act/art-10/2/f",
        "eu-ai-act/art-11/1",
        "eu-ai-act/art-14/4/d",
        "eu-ai-act/art-15/5",
    ] {
        assert_eq!(status_of(&ws, id), "not-applicable", "{id}");
    }
    // The deployer-side Art. 50 duties and emotion recognition do not apply either.
    assert_eq!(status_of(&ws, "eu-ai-act/art-50/3"), "not-applicable");
    let frameworks: Vec<_> =
        matrix(&ws)["frameworks"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(frameworks, ["eu-ai-act", "nist-ai-600-1", "aws-genai-best-practices"]);
    let unclassified = unclassified(&ws);
    assert!(unclassified.is_empty(), "{unclassified:?}");
}

#[test]
fn a_misnamed_pytest_report_is_classified_by_content_and_counts() {
    let ws = sample_workspace("credit-scoring");
    fs::rename(ws.evidence().join("robustness/adversarial_test_results.xml"), ws.evidence().join("results.txt"))
        .unwrap();
    ws.build(&[]).success();
    let a = read_json(&ws.package().join("assessment.json"));
    let entry = a["artifacts"].as_array().unwrap().iter().find(|a| a["path"] == "results.txt").unwrap().clone();
    assert_eq!(entry["evidence_type"], "robustness-report");
    assert_eq!(entry["by"], "content");
    assert_eq!(manifest_entry(&ws, "results.txt")["evidence_type"], "robustness-report");
    assert_eq!(status_of(&ws, "eu-ai-act/art-15/5"), "satisfied");
}

#[test]
fn an_old_report_makes_its_requirement_stale() {
    let ws = sample_workspace("credit-scoring");
    let path = ws.evidence().join("fairness/bias_analysis.json");
    let text = fs::read_to_string(&path).unwrap();
    let old = regex_free_replace_dates(&text, "2024-01-15");
    fs::write(&path, old).unwrap();
    ws.build(&[]).success();
    assert_eq!(status_of(&ws, "eu-ai-act/art-10/2/f"), "stale");
    let m = matrix(&ws);
    let row = m["frameworks"][0]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "eu-ai-act/art-10/2/f")
        .unwrap()
        .clone();
    assert!(row["summary"].as_str().unwrap().contains("bias-report newest 2024-01-15 is older than 365 days"), "{row}");
}

/// Replaces every `2026-MM-DD` date in `text` with `date`.
fn regex_free_replace_dates(text: &str, date: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("2026-") {
        out.push_str(&rest[..i]);
        out.push_str(date);
        rest = &rest[i + 10..];
    }
    out.push_str(rest);
    out
}

#[test]
fn user_catalogs_rules_and_overrides_work_end_to_end() {
    let ws = sample_workspace("credit-scoring");
    fs::write(
        ws.dir.path().join("acme.yaml"),
        "id: acme-controls\ntitle: Acme model controls\nversion: \"3\"\nsource: Acme handbook\nas_of: 2026-10-01\ncompleteness: complete\nrequirements:\n  - id: acme/MC-1\n    ref: MC-1\n    title: Release notes kept\n    parent: acme/G.1\n    evidence: [{type: change-log}]\n    related: [eu-ai-act/annex-iv/6]\n  - id: acme/MC-2\n    ref: MC-2\n    title: Two override logs\n    parent: acme/G.1\n    evidence: [{type: override-log, min: 2}]\n  - id: acme/G.1\n    ref: G.1\n    title: Records\n    parent: acme/G\n  - id: acme/G\n    ref: G\n    title: Governance\n",
    )
    .unwrap();
    let config = fs::read_to_string(ws.evidence().join("dossier.yaml")).unwrap();
    fs::write(
        ws.dir.path().join("acme-dossier.yaml"),
        format!(
            "{config}\nframeworks: [acme-controls, eu-ai-act]\ncatalogs: [acme.yaml]\nclassification:\n  - path: \"notes/*.txt\"\n    type: change-log\noverrides:\n  eu-ai-act/art-12/1:\n    evidence: [{{type: inference-log, min: 5}}]\n"
        )
        .replace("root: .", "root: ev")
        .replace("file: policies/", "file: ev/policies/"),
    )
    .unwrap();
    ws.write("notes/release.txt", b"4.2.1: retrained\n");
    ws.run(&["build", "-c", "acme-dossier.yaml", "-o", "pkg"]).success();
    assert_eq!(status_of(&ws, "acme/MC-1"), "satisfied");
    assert_eq!(status_of(&ws, "acme/MC-2"), "partial");
    // Headings listed after their parts still follow them, however deep.
    assert_eq!(status_of(&ws, "acme/G.1"), "partial");
    assert_eq!(status_of(&ws, "acme/G"), "partial");
    assert_eq!(status_of(&ws, "eu-ai-act/art-12/1"), "partial"); // 3 logs, override asks for 5
    let m = matrix(&ws);
    let row = m["frameworks"][1]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "eu-ai-act/annex-iv/6")
        .unwrap()
        .clone();
    assert!(row["related"].as_array().unwrap().contains(&serde_json::json!("acme/MC-1")), "{row}");

    let a = ws.run(&["catalog", "list", "-c", "acme-dossier.yaml"]).success();
    assert!(stdout_of(&a).contains("acme-controls"));
    assert!(stdout_of(&a).contains("acme.yaml"));
}

#[test]
fn a_broken_user_catalog_is_a_clear_error_naming_file_and_line() {
    let ws = sample_workspace("credit-scoring");
    fs::write(
        ws.dir.path().join("bad.yaml"),
        "id: bad\ntitle: Bad\nversion: \"1\"\nsource: x\nas_of: 2026-01-01\ncompleteness: partial\nrequirements:\n  - id: bad/1\n    ref: B1\n    title: t\n    evidence: [{type: modle-card}]\n    related: [eu-ai-act/art-99]\n",
    )
    .unwrap();
    fs::write(ws.dir.path().join("c.yaml"), "evidence: {root: ev}\ncatalogs: [bad.yaml]\n").unwrap();
    let a = ws.run(&["build", "-c", "c.yaml", "-o", "pkg"]).code(2);
    let err = stderr_of(&a);
    assert!(err.contains("bad.yaml:11: requirement bad/1 needs unknown evidence type \"modle-card\""), "{err}");
    assert!(err.contains("bad.yaml:12: requirement bad/1 has a dangling crosswalk to \"eu-ai-act/art-99\""), "{err}");
    assert!(!ws.package().exists());

    fs::write(ws.dir.path().join("c.yaml"), "evidence: {root: ev}\nframeworks: [eu-ai-akt]\n").unwrap();
    let a = ws.run(&["build", "-c", "c.yaml", "-o", "pkg"]).code(2);
    assert_stderr_has(&a, "unknown catalog \"eu-ai-akt\"");
}

#[test]
fn explain_says_type_reason_date_and_what_it_counts_for() {
    let ws = sample_workspace("credit-scoring");
    let a = ws.run(&["explain", "ev/fairness/bias_analysis.json"]).success();
    let out = stdout_of(&a);
    assert!(out.starts_with("fairness/bias_analysis.json\n"), "{out}");
    assert!(out.contains("type           bias-report"), "{out}");
    assert!(out.contains("because        path matches the built-in rule"), "{out}");
    assert!(out.contains("dated          2026-"), "{out}");
    assert!(out.contains("eu-ai-act/art-10/2/f"), "{out}");

    ws.write("misc/notes.bin", b"\x00\x01");
    let a = ws.run(&["explain", "ev/misc/notes.bin"]).success();
    assert!(stdout_of(&a).contains("type           unclassified"), "{}", stdout_of(&a));
    ws.run(&["explain", "ev/nope.json"]).code(2);
}

#[test]
fn catalog_show_prints_a_catalog_and_one_requirement() {
    let a = dossier().args(["catalog", "show", "nist-ai-rmf-1.0"]).assert().success();
    let out = stdout_of(&a);
    assert!(out.contains("GOVERN 1.1"), "{out}");
    assert!(out.contains("MANAGE 4.3"), "{out}");
    let a = dossier().args(["catalog", "show", "eu-ai-act", "-r", "Art. 50(1)"]).assert().success();
    let out = stdout_of(&a);
    assert!(out.contains("capability interacts-with-people"), "{out}");
    assert!(out.contains("transparency-notice"), "{out}");
    dossier().args(["catalog", "show", "nope"]).assert().code(2);
}

#[test]
fn hostile_evidence_is_listed_and_never_breaks_classification() {
    let mut bomb = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i"]) {
        bomb.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(",")));
    }
    let ws = Workspace::new(&[]);
    ws.write("bomb.yaml", bomb.as_bytes());
    ws.write("bomb.md", format!("---\n{bomb}---\n# Model Details\n").as_bytes());
    ws.write("deep.json", "[".repeat(100_000).as_bytes());
    ws.write("deep-object.json", "{\"a\":".repeat(50_000).as_bytes());
    ws.write("unclosed.md", format!("---\ntitle: x\n{}", "k: v\n".repeat(20_000)).as_bytes());
    ws.write("junk.json", &[0xff, 0xfe, 0x7b].repeat(30_000));
    ws.write("long-line.jsonl", format!("{{\"k\":\"{}\"}}\n", "x".repeat(200_000)).as_bytes());
    ws.write("script.md", b"<script>alert(1)</script>\n# Model Details\n");
    ws.build(&[]).success();
    let m = ws.manifest();
    let listed: Vec<&str> = m["artifacts"].as_array().unwrap().iter().map(|a| a["path"].as_str().unwrap()).collect();
    assert_eq!(listed.len(), 8, "{listed:?}");
    // Markdown stays Markdown whatever it opens with, so its headings still count.
    let script = manifest_entry(&ws, "script.md");
    assert_eq!(script["evidence_type"], "model-card", "{script}");
}
