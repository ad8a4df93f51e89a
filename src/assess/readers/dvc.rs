//! DVC's records of data files: `.dvc` files (`outs: [{path, md5, size, hash}]`) and
//! `dvc.lock` (each stage's outputs). Collection works out the MD5 of every file such a
//! record names, so the checks can compare them.

use serde_json::Value;

use super::source::{Source, in_file_order, string};
use crate::model::document::{DataOut, DataVersion, Document};

/// The name of DVC's lock file.
pub const DVC_LOCK: &str = "dvc.lock";

/// Whether the file at `path` is a DVC record (`*.dvc` or `dvc.lock`): such files are
/// read before the rest, so the files they name can be hashed with MD5 too.
pub fn is_dvc_record(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == DVC_LOCK || (name.len() > 4 && name.ends_with(".dvc"))
}

/// A `.dvc` file: `outs`, each with `path` and `md5`.
pub(super) fn is_dvc_file(v: &Value) -> bool {
    v.get("outs").and_then(Value::as_array).is_some_and(|outs| !outs.is_empty() && outs.iter().all(is_out))
}

fn is_out(o: &Value) -> bool {
    o.get("path").is_some_and(Value::is_string) && (o.get("md5").is_some() || o.get("etag").is_some())
}

/// `dvc.lock`: `schema` and `stages`, each stage with `outs`.
pub(super) fn is_dvc_lock(v: &Value) -> bool {
    v.get("schema").is_some() && v.get("stages").is_some_and(Value::is_object)
}

pub(super) fn dvc_file(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let outs = v.get("outs")?.as_array()?.iter().filter_map(|o| out(source.path, o)).collect();
    Some(Document::DataVersion(DataVersion { outs }))
}

pub(super) fn dvc_lock(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut outs = Vec::new();
    // Stages in the order the file lists them.
    let mut stages: Vec<(&String, &Value)> = v.get("stages")?.as_object()?.iter().collect();
    in_file_order(source.text, 0, &mut stages, |(name, _)| name.as_str());
    for (_, stage) in stages {
        for o in stage.get("outs").and_then(Value::as_array).into_iter().flatten() {
            outs.extend(out(source.path, o));
        }
    }
    Some(Document::DataVersion(DataVersion { outs }))
}

fn out(record: &str, o: &Value) -> Option<DataOut> {
    let path = o.get("path").and_then(Value::as_str)?.to_string();
    Some(DataOut {
        file: resolve(record, &path),
        md5: o.get("md5").and_then(string),
        size: o.get("size").and_then(Value::as_u64),
        hash: o.get("hash").and_then(string),
        path,
    })
}

/// `path`, written relative to the record at `record`, as a path relative to the
/// evidence root; none when it leaves the root or is absolute.
fn resolve(record: &str, path: &str) -> Option<String> {
    if path.starts_with('/') || path.contains("://") {
        return None;
    }
    let mut parts: Vec<&str> = record.split('/').collect();
    parts.pop();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_the_paths_they_name() {
        assert!(is_dvc_record("data/train.csv.dvc") && is_dvc_record("dvc.lock") && !is_dvc_record(".dvc"));
        assert_eq!(resolve("data/train.csv.dvc", "train.csv").as_deref(), Some("data/train.csv"));
        assert_eq!(resolve("pipelines/dvc.lock", "../data/out.csv").as_deref(), Some("data/out.csv"));
        assert_eq!(resolve("dvc.lock", "../outside.csv"), None);
        assert_eq!(resolve("a.dvc", "s3://bucket/key"), None);
    }
}
