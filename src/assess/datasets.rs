//! The data certificate's datasets: every dataset a manifest lists, checked against the
//! file it names, with the other evidence that cites the same digest.

use std::collections::BTreeMap;

use crate::model::assessment::DatasetRow;
use crate::model::document::Document;
use crate::model::evidence::Artifact;

/// Every dataset the dataset manifests list, in manifest and list order.
pub fn rows(artifacts: &[Artifact]) -> Vec<DatasetRow> {
    // Digests other evidence cites, to show which reports used which dataset.
    let mut cited: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in artifacts {
        if let Some(d @ (Document::Metrics(_) | Document::BiasReport(_))) = a.document() {
            for r in d.dataset_refs() {
                cited.entry(r.sha256.as_str()).or_default().push(a.path.clone());
            }
        }
    }
    let mut out = Vec::new();
    for a in artifacts {
        let Some(Document::DatasetManifest(m)) = a.document() else { continue };
        for d in &m.datasets {
            let verified = match (&d.file, &d.sha256) {
                (Some(file), Some(sha)) => artifacts
                    .binary_search_by(|x| x.path.as_str().cmp(file))
                    .ok()
                    .map(|i| artifacts[i].sha256.to_string() == *sha),
                _ => None,
            };
            out.push(DatasetRow {
                dataset: d.clone(),
                source: a.path.clone(),
                referenced_by: d.sha256.as_deref().and_then(|s| cited.get(s)).cloned().unwrap_or_default(),
                verified,
            });
        }
    }
    out
}
