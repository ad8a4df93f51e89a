//! Sidecars: `FILE.dossier.yaml` next to `FILE` dates it (when its content carries no
//! date) and may name its evidence type. A sidecar is read like any evidence file, from
//! the bytes that were hashed; it is not evidence itself.

use crate::catalog::taxonomy::Taxonomy;
use crate::collect::inspect::parse_date;
use crate::model::document::Document;
use crate::model::evidence::{Artifact, Reason};
use crate::model::finding::{Code, Finding};

/// The suffix of a sidecar: `report.pdf.dossier.yaml` describes `report.pdf`.
pub const SIDECAR_SUFFIX: &str = ".dossier.yaml";

/// What applying the sidecars did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Sidecars that cannot be used, and why.
    pub findings: Vec<Finding>,
    /// Indices of the artifacts whose type a sidecar changed: they must be read again,
    /// as their new type.
    pub retyped: Vec<usize>,
}

/// Applies every sidecar among `artifacts` (sorted by path) to the file it describes.
pub fn apply(artifacts: &mut [Artifact], taxonomy: &Taxonomy) -> Applied {
    let mut applied = Applied::default();
    let sidecars: Vec<(String, String, crate::model::document::Sidecar)> = artifacts
        .iter()
        .filter_map(|a| match (&a.facts.reason, a.document()) {
            (Reason::Sidecar { of }, Some(Document::Sidecar(side))) => Some((a.path.clone(), of.clone(), side.clone())),
            _ => None,
        })
        .collect();
    for (path, of, side) in sidecars {
        let Ok(index) = artifacts.binary_search_by(|a| a.path.as_str().cmp(&of)) else { continue };
        let target = &mut artifacts[index];
        if let Some(t) = side.evidence_type {
            if taxonomy.get(&t).is_some() {
                if target.facts.evidence_type.as_deref() != Some(t.as_str()) {
                    applied.retyped.push(index);
                }
                target.facts.evidence_type = Some(t);
                target.facts.reason = Reason::SidecarType { sidecar: path.clone() };
            } else {
                applied.findings.push(Finding::at(
                    Code::EvidenceUnparseable,
                    path.as_str(),
                    format!("sidecar names unknown evidence type {t:?}"),
                ));
            }
        }
        if target.facts.date.is_none() {
            match side.date.as_deref().map(|d| (d, parse_date(d))) {
                Some((_, Some(date))) => {
                    target.facts.date = Some(date);
                    target.facts.date_source = Some(format!("sidecar {path}"));
                }
                Some((text, None)) => applied.findings.push(Finding::at(
                    Code::EvidenceUnparseable,
                    path.as_str(),
                    format!("sidecar date {text:?} is not YYYY-MM-DD"),
                )),
                None => {}
            }
        }
    }
    applied
}
