//! `dossier catalog list|show|types`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use dossier::catalog::{CatalogSet, Taxonomy};
use dossier::config::LoadedConfig;
use dossier::config::plan;
use dossier::diag::{Error, Result};
use dossier::model::matrix::EvidenceMode;
use dossier::pipeline;

use super::ExitStatus;
use super::ui::{Ui, show as one_line};

/// Loads the catalogs a command should see: the built-ins plus the config's own.
fn catalogs_for(config: Option<&Path>) -> Result<(LoadedConfig, CatalogSet)> {
    let loaded = pipeline::discover_config(config)?;
    let set = plan::catalogs(&loaded)?;
    Ok((loaded, set))
}

/// `dossier catalog list`: every loaded catalog.
pub fn list(config: Option<&Path>, ui: &Ui) -> Result<ExitStatus> {
    let (_, set) = catalogs_for(config)?;
    let id_width = set.catalogs.iter().map(|c| c.id.len()).max().unwrap_or(0).max(26);
    let version_width = set.catalogs.iter().map(|c| c.version.len()).max().unwrap_or(0).max(10);
    let mut text = format!(
        "{:<id_width$} {:<version_width$} {:<10} {:<9} {:>12}  {}\n",
        "ID", "VERSION", "AS OF", "SCOPE", "REQUIREMENTS", "ORIGIN"
    );
    for c in &set.catalogs {
        let _ = writeln!(
            text,
            "{:<id_width$} {:<version_width$} {:<10} {:<9} {:>12}  {}",
            c.id,
            c.version,
            c.as_of.to_string(),
            c.completeness.to_string(),
            c.requirements.len(),
            c.origin
        );
    }
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

/// `dossier catalog crosswalks`: every source of links between frameworks, with how
/// many links each makes between which catalogs.
pub fn crosswalks(config: Option<&Path>, ui: &Ui) -> Result<ExitStatus> {
    let (_, set) = catalogs_for(config)?;
    let catalog_of = |id: &str| set.requirement(id).map_or_else(|| id.to_string(), |(c, _)| c.id.clone());
    let mut per_source: std::collections::BTreeMap<&str, (String, BTreeSet<String>, usize)> = Default::default();
    for (from, to, provenance) in set.links.all() {
        let entry = per_source
            .entry(provenance.source.as_str())
            .or_insert_with(|| (provenance.kind.to_string(), BTreeSet::new(), 0));
        entry.1.insert(catalog_of(from));
        entry.1.insert(catalog_of(to));
        entry.2 += 1;
    }
    let mut text = format!("{:<26} {:<10} {:>5}  {}\n", "ID", "KIND", "LINKS", "BETWEEN");
    for (id, (kind, between, links)) in &per_source {
        let _ = writeln!(
            text,
            "{id:<26} {kind:<10} {links:>5}  {}",
            between.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    let _ = writeln!(text);
    for c in &set.links.crosswalks {
        let _ = writeln!(text, "{}: {}\n  source: {}", c.id, c.title, c.source.trim());
    }
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

/// `dossier catalog show ID [--requirement REQ]`.
pub fn show(config: Option<&Path>, id: &str, requirement: Option<&str>, ui: &Ui) -> Result<ExitStatus> {
    let (_, set) = catalogs_for(config)?;
    let catalog = set.get(id).ok_or_else(|| {
        Error::usage(format!("no catalog {:?}; loaded catalogs: {}", one_line(id), set.ids().join(", ")))
    })?;
    let mut text = String::new();
    if let Some(req_id) = requirement {
        let req = catalog
            .requirements
            .iter()
            .find(|r| r.id == req_id || r.reference.eq_ignore_ascii_case(req_id))
            .ok_or_else(|| {
                Error::usage(format!(
                    "catalog {id} has no requirement {:?} (ids look like {})",
                    one_line(req_id),
                    catalog.requirements[0].id
                ))
            })?;
        let _ = writeln!(text, "{}  {}", req.reference, req.title);
        let _ = writeln!(text, "  id           {}", req.id);
        if let Some(group) = &req.group {
            let _ = writeln!(text, "  group        {group}");
        }
        if let Some(parent) = &req.parent {
            let _ = writeln!(text, "  part of      {parent}");
        }
        if let Some(description) = &req.description {
            let _ = writeln!(text, "  description  {}", description.trim());
        }
        let scope = req.applies_to.as_ref().map_or("every system".to_string(), |a| a.describe());
        let _ = writeln!(text, "  applies to   {scope}");
        if let Some(from) = &req.applies_from {
            for d in catalog.application_dates.iter().filter(|d| &d.id == from) {
                let _ = writeln!(text, "  applies from {} ({}: {})", d.date, d.basis, d.reference);
            }
        }
        if let Some(legacy) = &req.legacy {
            for d in catalog.application_dates.iter().filter(|d| d.id == legacy.applies_from) {
                let _ = writeln!(
                    text,
                    "  if placed on the market before {}: from {} ({}: {})",
                    legacy.placed_before, d.date, d.basis, d.reference
                );
            }
        }
        if !req.risks.is_empty() {
            let titles: Vec<&str> = req
                .risks
                .iter()
                .map(|id| catalog.risks.iter().find(|r| &r.id == id).map_or(id.as_str(), |r| r.title.as_str()))
                .collect();
            let _ = writeln!(text, "  risks        {}", titles.join(", "));
        }
        if req.evidence.is_empty() {
            let _ = writeln!(text, "  evidence     none of its own: see its parts");
        }
        for (i, need) in req.evidence.iter().enumerate() {
            let label = if i == 0 {
                match req.evidence_mode {
                    EvidenceMode::All => "  evidence    ",
                    EvidenceMode::Any => "  any one of  ",
                }
            } else {
                "              "
            };
            let mut line = format!("{label} {}", need.evidence_type);
            if need.min > 1 {
                line.push_str(&format!(" (at least {})", need.min));
            }
            if let Some(days) = need.max_age_days {
                line.push_str(&format!(" (at most {days} days old)"));
            }
            let _ = writeln!(text, "{line}");
        }
        for (i, (other, provenance)) in set.links.of(&req.id).enumerate() {
            let label = if i == 0 { "  related     " } else { "              " };
            let mut line = format!("{label} {other}  [{}]", provenance.source);
            if let Some(why) = &provenance.why {
                line.push_str(&format!(" {why}"));
            }
            let _ = writeln!(text, "{line}");
        }
    } else {
        let _ = writeln!(text, "{} ({})", catalog.title, catalog.id);
        let _ = writeln!(text, "  version      {}", catalog.version);
        let _ = writeln!(text, "  source       {}", catalog.source);
        let _ = writeln!(text, "  as of        {}", catalog.as_of);
        let _ = writeln!(text, "  scope        {}", catalog.completeness);
        let _ = writeln!(text, "  origin       {}", catalog.origin);
        if let Some(notes) = &catalog.notes {
            let _ = writeln!(text, "  notes        {}", notes.trim());
        }
        for d in &catalog.application_dates {
            let _ =
                writeln!(text, "  date         {}  {:<9} {} ({})", d.date, d.basis.to_string(), d.title, d.reference);
        }
        for r in &catalog.risks {
            let _ = writeln!(text, "  risk         {:<28} {}", r.id, r.title);
        }
        let _ = writeln!(text);
        for r in &catalog.requirements {
            let needs = r.evidence.iter().map(|n| n.evidence_type.as_str()).collect::<Vec<_>>();
            let joiner = if r.evidence_mode == EvidenceMode::Any { " | " } else { ", " };
            let _ = writeln!(text, "{:<16} {:<60} {}", r.reference, truncate(&r.title, 60), needs.join(joiner));
        }
    }
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

/// `dossier catalog types`: the evidence-type taxonomy.
pub fn types(ui: &Ui) -> Result<ExitStatus> {
    let taxonomy = Taxonomy::builtin()?;
    let mut text = String::new();
    for t in &taxonomy.types {
        let _ = writeln!(text, "{:<26} {}", t.id, t.title);
        if !t.paths.is_empty() {
            let _ = writeln!(text, "{:<26} paths: {}", "", t.paths.join(" "));
        }
        if !t.sniff.is_empty() {
            let formats: BTreeSet<String> = t.sniff.iter().map(|r| r.format.to_string()).collect();
            let _ =
                writeln!(text, "{:<26} content rules for: {}", "", formats.into_iter().collect::<Vec<_>>().join(", "));
        }
    }
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

/// `dossier catalog formats`: the tool formats the readers recognise by content.
pub fn formats(ui: &Ui) -> Result<ExitStatus> {
    let mut text = String::new();
    for f in dossier::assess::readers::formats::FORMATS {
        let _ = writeln!(text, "{:<30} {}", f.id, f.tool);
        let _ = writeln!(text, "{:<30} type {}; tested with {}", "", f.evidence_type, f.tested);
        let _ = writeln!(text, "{:<30} reads {}", "", f.reads);
    }
    ui.summary(&text);
    Ok(ExitStatus::Ok)
}

pub(super) fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}
