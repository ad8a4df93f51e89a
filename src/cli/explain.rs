//! `dossier explain`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use dossier::assess::readers;
use dossier::catalog::Requirement;
use dossier::diag::Result;
use dossier::pipeline;
use dossier::text::human_bytes;

use super::ExitStatus;
use super::ui::{Ui, show, show_path};

/// `dossier explain PATH`: which evidence type a file gets, why, and what it counts for.
pub fn explain(path: &Path, config: Option<&Path>, evidence: Option<&Path>, json: bool, ui: &Ui) -> Result<ExitStatus> {
    let explained = pipeline::explain(path, config, evidence)?;
    if json {
        /// The explanation as JSON, fields in this order.
        #[derive(serde::Serialize)]
        struct Out<'a> {
            artifact: &'a dossier::model::evidence::Artifact,
            evidence_root: String,
            findings: &'a [dossier::model::finding::Finding],
        }
        let out = Out {
            artifact: &explained.artifact,
            evidence_root: explained.root.display().to_string(),
            findings: &explained.findings,
        };
        let mut text = serde_json::to_string_pretty(&out).expect("the explanation serializes");
        text.push('\n');
        ui.summary(&text);
        return Ok(ExitStatus::Ok);
    }
    ui.findings(&explained.findings);
    let a = &explained.artifact;
    let facts = &a.facts;
    let set = &explained.catalogs;
    let mut text = String::new();
    let _ = writeln!(text, "{}", show(&a.path));
    let _ = writeln!(text, "  evidence root  {}", show_path(&explained.root));
    let _ = writeln!(text, "  sha256         {} ({})", a.sha256, human_bytes(a.size));
    match &facts.evidence_type {
        Some(t) => {
            let title = set.taxonomy.get(t).map_or("", |t| t.title.as_str());
            let _ = writeln!(text, "  type           {t} ({title})");
        }
        None => {
            let _ = writeln!(text, "  type           unclassified");
        }
    }
    let _ = writeln!(text, "  because        {}", show(&facts.reason.to_string()));
    match (&facts.date, &facts.date_source) {
        (Some(d), Some(source)) => {
            let _ = writeln!(text, "  dated          {d} (from {})", show(source));
        }
        _ => {
            let _ = writeln!(text, "  dated          no date found in the content");
        }
    }
    if let Some(id) = &facts.format {
        let tool = readers::reader_origin(id).unwrap_or("described under readers: in dossier.yaml");
        let _ = writeln!(text, "  read by        {} ({})", show(id), tool);
    }
    if let Some(document) = &a.document {
        let _ = writeln!(text, "  says");
        for line in document_lines(document) {
            let _ = writeln!(text, "    {}", show(&line));
        }
    }
    if let Some(t) = &facts.evidence_type {
        let config = &explained.config.config;
        let selected: Option<BTreeSet<&str>> =
            config.frameworks.as_ref().map(|f| f.iter().map(String::as_str).collect());
        let used: Vec<(&str, &Requirement)> = set
            .catalogs
            .iter()
            .filter(|c| selected.as_ref().is_none_or(|s| s.contains(c.id.as_str())))
            .flat_map(|c| c.requirements.iter().map(move |r| (c.id.as_str(), r)))
            .filter(|(_, r)| r.evidence.iter().any(|n| &n.evidence_type == t))
            .collect();
        let system = &config.system;
        let scope = dossier::model::system::SystemScope::of(system, String::new());
        let (applies, elsewhere): (Vec<_>, Vec<_>) =
            used.into_iter().partition(|(_, r)| r.applies_to.as_ref().is_none_or(|a| a.includes(&scope)));
        let _ = writeln!(text, "  counts for     {} requirements that apply to this system:", applies.len());
        for (_, r) in applies {
            let _ = writeln!(text, "    {:<34} {:<16} {}", r.id, r.reference, super::catalog::truncate(&r.title, 50));
        }
        if !elsewhere.is_empty() {
            let _ = writeln!(
                text,
                "  and would count for {} more that do not apply ({} risk, {})",
                elsewhere.len(),
                system.risk_category,
                system.role
            );
        }
    }
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

/// The facts a reader took from the file, a line each: the document as YAML, cut short
/// where it runs long (`--json` gives it whole).
fn document_lines(document: &dossier::model::document::Document) -> Vec<String> {
    const MOST: usize = 40;
    let yaml = serde_yaml::to_string(document).unwrap_or_default();
    let mut lines: Vec<String> = yaml.lines().map(str::to_string).collect();
    if lines.len() > MOST {
        let more = lines.len() - MOST;
        lines.truncate(MOST);
        lines.push(format!("... {more} more lines (explain --json shows all)"));
    }
    lines
}
