//! Data governance documents: dataset manifests, model metadata, lineage records and data
//! profiles, and the one rule for reading a dataset's digest wherever it is written.

use serde_json::Value;

use super::text_at;
use crate::model::document::{DataProfile, Dataset, DatasetManifest, DatasetRef, Document, FactSheet, ModelMetadata};

/// Keys a dataset's digest is written under.
const DIGEST_KEYS: [&str; 3] = ["sha256", "digest", "hash"];
/// Lineage facts shown in the reports.
const MAX_FACTS: usize = 40;

/// A SHA-256 as written in evidence (`ABC…`, `sha256:abc…`, `SHA256:ABC…`), as 64
/// lowercase hex digits; none when it is not a SHA-256.
pub fn normalize_sha256(text: &str) -> Option<String> {
    let text = text.trim();
    let hex = match text.split_once(':') {
        Some((algorithm, hex)) if algorithm.trim().eq_ignore_ascii_case("sha256") => hex.trim(),
        Some(_) => return None,
        None => text,
    };
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hex.to_ascii_lowercase())
}

/// The SHA-256 an object records, under the first digest key that holds one.
fn digest_of(map: &serde_json::Map<String, Value>) -> Option<String> {
    DIGEST_KEYS.iter().find_map(|k| map.get(*k).and_then(Value::as_str).and_then(normalize_sha256))
}

/// Every object in `value` that names something and records its SHA-256, in document order.
fn named_digests<'a>(value: &'a Value, out: &mut Vec<&'a serde_json::Map<String, Value>>) {
    match value {
        Value::Object(map) => {
            if digest_of(map).is_some() && ["name", "id", "path", "file", "uri"].iter().any(|k| map.contains_key(*k)) {
                out.push(map);
            }
            map.values().for_each(|v| named_digests(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| named_digests(v, out)),
        _ => {}
    }
}

/// Datasets a document names with a digest (by `name` or `id`), sorted.
pub(super) fn refs(value: &Value) -> Vec<DatasetRef> {
    let mut found = Vec::new();
    named_digests(value, &mut found);
    let mut out: Vec<DatasetRef> = found
        .into_iter()
        .filter_map(|map| {
            let name = ["name", "id"].iter().find_map(|k| map.get(*k).and_then(Value::as_str))?;
            Some(DatasetRef { name: name.to_string(), sha256: digest_of(map)? })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether any object in the document says `contains_pii: true`.
fn flags_pii(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| (k == "contains_pii" && v == &Value::Bool(true)) || flags_pii(v)),
        Value::Array(items) => items.iter().any(flags_pii),
        _ => false,
    }
}

pub(super) fn manifest(v: &Value) -> Document {
    let mut found = Vec::new();
    // The listed datasets, or the document itself when it describes one dataset.
    match v.get("datasets") {
        Some(Value::Array(items)) => {
            found.extend(items.iter().filter_map(Value::as_object));
        }
        Some(Value::Object(map)) => found.extend(map.values().filter_map(Value::as_object)),
        _ => {}
    }
    if found.is_empty()
        && let Some(map) = v.as_object()
    {
        found.push(map);
    }
    // Digests recorded anywhere else in the manifest count too (nested file lists).
    let mut nested = Vec::new();
    named_digests(v, &mut nested);
    for map in nested {
        if !found.iter().any(|f| std::ptr::eq(*f, map)) {
            found.push(map);
        }
    }
    let datasets = found
        .into_iter()
        .filter_map(|map| {
            let d = Value::Object(map.clone());
            let name = text_at(&d, &["name", "id", "uri", "path", "file"])?;
            Some(Dataset {
                role: text_at(&d, &["role", "split"]),
                name,
                uri: text_at(&d, &["uri", "location", "path"]),
                file: ["path", "file"]
                    .iter()
                    .find_map(|k| map.get(*k).and_then(Value::as_str))
                    .map(|p| p.trim_start_matches("./").to_string()),
                sha256: digest_of(map),
                rows: d.get("rows").or_else(|| d.get("n")).and_then(Value::as_u64),
            })
        })
        .collect();
    Document::DatasetManifest(DatasetManifest { datasets, contains_pii: flags_pii(v) })
}

pub(super) fn model_metadata(v: &Value) -> Document {
    Document::ModelMetadata(ModelMetadata {
        model_id: text_at(v, &["model_id", "model_name"]),
        contains_pii: flags_pii(v),
        datasets: refs(v),
        ..ModelMetadata::default()
    })
}

pub(super) fn lineage(v: &Value) -> Document {
    let mut facts = Vec::new();
    flatten(v, String::new(), &mut facts);
    let more = facts.len().saturating_sub(MAX_FACTS);
    facts.truncate(MAX_FACTS);
    Document::DataLineage(FactSheet { facts, more, datasets: refs(v) })
}

fn flatten(value: &Value, prefix: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(v, key, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(v, format!("{prefix}[{i}]"), out);
            }
        }
        Value::String(s) => out.push((prefix, s.clone())),
        Value::Null => out.push((prefix, "null".into())),
        other => out.push((prefix, other.to_string())),
    }
}

/// A data profile (ydata-profiling JSON): the headline figures of its `table`.
pub(super) fn profile(v: &Value) -> Option<Document> {
    let table = v.get("table").unwrap_or(v);
    Some(Document::DataProfile(DataProfile {
        rows: table.get("n").and_then(Value::as_u64),
        variables: table.get("n_var").and_then(Value::as_u64),
        missing_share: table.get("p_cells_missing").and_then(Value::as_f64),
        duplicates: table.get("n_duplicates").and_then(Value::as_u64),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::tests::read;
    use super::*;

    const HEX: &str = "cbdea9cdc9b7ec42882badbfee5ca20e7d41068c6e050e903ce6e5274568d035";

    #[test]
    fn a_digest_is_read_prefixed_or_not_in_either_case() {
        assert_eq!(normalize_sha256(HEX).as_deref(), Some(HEX));
        assert_eq!(normalize_sha256(&format!("sha256:{}", HEX.to_uppercase())).as_deref(), Some(HEX));
        assert_eq!(normalize_sha256(&format!("SHA256: {HEX}")).as_deref(), Some(HEX));
        assert_eq!(normalize_sha256(&format!("md5:{HEX}")), None);
        assert_eq!(normalize_sha256("3c7a91e5f0d24b68a9e1c5d7f3b0842e6d19a5c2"), None);
    }

    #[test]
    fn manifests_list_their_datasets_with_the_files_they_name() {
        let text = format!(
            r#"{{"datasets": [
                {{"role": "training", "name": "train", "uri": "s3://b/train.parquet", "sha256": "{HEX}", "rows": 10}},
                {{"name": "sample", "path": "./data/sample.csv", "digest": "sha256:{}"}}
            ], "lineage": {{"commit": "3c7a91e5"}}}}"#,
            HEX.to_uppercase()
        );
        let (doc, _) = read("data/manifest.json", "dataset-manifest", &text);
        let Some(Document::DatasetManifest(m)) = doc else { panic!() };
        assert_eq!(m.datasets.len(), 2);
        assert_eq!((m.datasets[0].role.as_deref(), m.datasets[0].rows), (Some("training"), Some(10)));
        assert_eq!(m.datasets[1].file.as_deref(), Some("data/sample.csv"));
        assert_eq!(m.datasets[1].sha256.as_deref(), Some(HEX));
        assert!(!m.contains_pii);
    }

    #[test]
    fn other_documents_name_datasets_by_digest() {
        let v: Value = serde_json::from_str(&format!(
            r#"{{"training_data": {{"contains_pii": true, "dataset": {{"name": "train", "sha256": "{HEX}"}}}}}}"#
        ))
        .unwrap();
        let Document::ModelMetadata(m) = model_metadata(&v) else { panic!() };
        assert!(m.contains_pii);
        assert_eq!(m.datasets, [DatasetRef { name: "train".into(), sha256: HEX.into() }]);
    }
}
