//! Bills of materials for models: CycloneDX (1.5, 1.6 ML-BOM: `machine-learning-model`
//! and `data` components) and SPDX 3 (AI and dataset packages). Each component's
//! SHA-256 is checked against the evidence by the assessment.

use serde_json::Value;

use super::normalize_sha256;
use super::source::{Source, string, string_at};
use crate::model::document::{Bom, BomComponent, Document};

/// `bomFormat: CycloneDX` with a `specVersion`.
pub(super) fn is_cyclonedx(v: &Value) -> bool {
    v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") && v.get("specVersion").is_some()
}

pub(super) fn cyclonedx(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut components = Vec::new();
    collect_cyclonedx(v.get("components"), &mut components);
    if let Some(t) = string_at(v, "/metadata/timestamp") {
        source.date_from(&t, "metadata.timestamp");
    }
    Some(Document::Bom(Bom {
        format: "cyclonedx".into(),
        spec_version: v.get("specVersion").and_then(string),
        components,
    }))
}

/// Components in file order, each followed by the components nested in it.
fn collect_cyclonedx(list: Option<&Value>, out: &mut Vec<BomComponent>) {
    for c in list.and_then(Value::as_array).into_iter().flatten() {
        let sha256 = c.get("hashes").and_then(Value::as_array).into_iter().flatten().find_map(|h| {
            let alg = h.get("alg").and_then(Value::as_str)?;
            (alg.eq_ignore_ascii_case("SHA-256"))
                .then(|| h.get("content").and_then(Value::as_str).and_then(normalize_sha256))?
        });
        out.push(BomComponent {
            name: c.get("name").and_then(string).unwrap_or_default(),
            version: c.get("version").and_then(Value::as_str).map(str::to_string),
            component_type: c.get("type").and_then(string),
            sha256,
        });
        collect_cyclonedx(c.get("components"), out);
    }
}

/// SPDX 3 JSON-LD: an `@context` naming spdx.org's 3.x model and a `@graph`.
pub(super) fn is_spdx3(v: &Value) -> bool {
    let context = match v.get("@context") {
        Some(Value::String(s)) => s.contains("spdx.org/rdf/3"),
        Some(Value::Array(items)) => items.iter().any(|x| x.as_str().is_some_and(|s| s.contains("spdx.org/rdf/3"))),
        _ => false,
    };
    context && v.get("@graph").is_some_and(Value::is_array)
}

/// The component type an SPDX 3 element type stands for; none for what is not a package.
fn spdx_type(t: &str) -> Option<&'static str> {
    match t.rsplit(['/', ':']).next().unwrap_or(t) {
        "ai_AIPackage" | "AIPackage" => Some("ai-package"),
        "dataset_DatasetPackage" | "DatasetPackage" => Some("dataset-package"),
        "software_Package" | "Package" => Some("package"),
        _ => None,
    }
}

pub(super) fn spdx3(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut components = Vec::new();
    let mut spec_version = None;
    for element in v.get("@graph")?.as_array()? {
        let t = element.get("type").or_else(|| element.get("@type")).and_then(Value::as_str).unwrap_or_default();
        if t.ends_with("CreationInfo") {
            spec_version = spec_version.or_else(|| element.get("specVersion").and_then(string));
            if let Some(created) = element.get("created").and_then(Value::as_str) {
                source.date_from(created, "CreationInfo.created");
            }
            continue;
        }
        let Some(component_type) = spdx_type(t) else { continue };
        let sha256 = element.get("verifiedUsing").and_then(Value::as_array).into_iter().flatten().find_map(|h| {
            let alg = h.get("algorithm").and_then(Value::as_str)?;
            (alg.eq_ignore_ascii_case("sha256"))
                .then(|| h.get("hashValue").and_then(Value::as_str).and_then(normalize_sha256))?
        });
        components.push(BomComponent {
            name: element.get("name").and_then(string).unwrap_or_default(),
            version: element.get("software_packageVersion").or_else(|| element.get("packageVersion")).and_then(string),
            component_type: Some(component_type.to_string()),
            sha256,
        });
    }
    Some(Document::Bom(Bom { format: "spdx".into(), spec_version, components }))
}
