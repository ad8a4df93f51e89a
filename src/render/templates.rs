//! Report templates: the built-in set, overlaid file by file with the user's.
//!
//! Templates live in two directories, `html/` (Tera) and `typst/` (Typst). A user
//! directory given by `--templates` or `report.templates` has the same layout; each file
//! in it replaces the built-in file of the same name, and files with new names are added
//! (partials to include, images for the Typst template). Each section of the package
//! report is a file of its own (`html/sections/<id>.html`, `typst/sections/<id>.typ`),
//! so one section can be replaced and the rest kept. `dossier init --templates DIR`
//! writes the built-ins out as a starting point.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Error, Problem, Result};

/// The built-in templates: (path under `templates/`, content).
pub const BUILTIN: &[(&str, &str)] = &[
    ("html/base.html", include_str!("../../templates/html/base.html")),
    ("html/bias-audit.html", include_str!("../../templates/html/bias-audit.html")),
    ("html/changes.html", include_str!("../../templates/html/changes.html")),
    ("html/diff.html", include_str!("../../templates/html/diff.html")),
    ("html/index.html", include_str!("../../templates/html/index.html")),
    ("html/macros.html", include_str!("../../templates/html/macros.html")),
    ("html/script.js", include_str!("../../templates/html/script.js")),
    ("html/sections/annex-iv.html", include_str!("../../templates/html/sections/annex-iv.html")),
    ("html/sections/changes.html", include_str!("../../templates/html/sections/changes.html")),
    ("html/sections/conformity.html", include_str!("../../templates/html/sections/conformity.html")),
    ("html/sections/data.html", include_str!("../../templates/html/sections/data.html")),
    ("html/sections/findings.html", include_str!("../../templates/html/sections/findings.html")),
    ("html/sections/genai.html", include_str!("../../templates/html/sections/genai.html")),
    ("html/sections/infrastructure.html", include_str!("../../templates/html/sections/infrastructure.html")),
    ("html/sections/inventory.html", include_str!("../../templates/html/sections/inventory.html")),
    ("html/sections/matrix.html", include_str!("../../templates/html/sections/matrix.html")),
    ("html/sections/model-card.html", include_str!("../../templates/html/sections/model-card.html")),
    ("html/sections/oversight.html", include_str!("../../templates/html/sections/oversight.html")),
    ("html/sections/performance.html", include_str!("../../templates/html/sections/performance.html")),
    ("html/sections/robustness.html", include_str!("../../templates/html/sections/robustness.html")),
    ("html/sections/summary.html", include_str!("../../templates/html/sections/summary.html")),
    ("html/sections/verify.html", include_str!("../../templates/html/sections/verify.html")),
    ("html/sections/waivers.html", include_str!("../../templates/html/sections/waivers.html")),
    ("html/style.css", include_str!("../../templates/html/style.css")),
    ("typst/bias-audit.typ", include_str!("../../templates/typst/bias-audit.typ")),
    ("typst/changes.typ", include_str!("../../templates/typst/changes.typ")),
    ("typst/common.typ", include_str!("../../templates/typst/common.typ")),
    ("typst/diff.typ", include_str!("../../templates/typst/diff.typ")),
    ("typst/report.typ", include_str!("../../templates/typst/report.typ")),
    ("typst/sections/annex-iv.typ", include_str!("../../templates/typst/sections/annex-iv.typ")),
    ("typst/sections/changes.typ", include_str!("../../templates/typst/sections/changes.typ")),
    ("typst/sections/conformity.typ", include_str!("../../templates/typst/sections/conformity.typ")),
    ("typst/sections/data.typ", include_str!("../../templates/typst/sections/data.typ")),
    ("typst/sections/findings.typ", include_str!("../../templates/typst/sections/findings.typ")),
    ("typst/sections/genai.typ", include_str!("../../templates/typst/sections/genai.typ")),
    ("typst/sections/infrastructure.typ", include_str!("../../templates/typst/sections/infrastructure.typ")),
    ("typst/sections/inventory.typ", include_str!("../../templates/typst/sections/inventory.typ")),
    ("typst/sections/matrix.typ", include_str!("../../templates/typst/sections/matrix.typ")),
    ("typst/sections/model-card.typ", include_str!("../../templates/typst/sections/model-card.typ")),
    ("typst/sections/oversight.typ", include_str!("../../templates/typst/sections/oversight.typ")),
    ("typst/sections/performance.typ", include_str!("../../templates/typst/sections/performance.typ")),
    ("typst/sections/robustness.typ", include_str!("../../templates/typst/sections/robustness.typ")),
    ("typst/sections/summary.typ", include_str!("../../templates/typst/sections/summary.typ")),
    ("typst/sections/verify.typ", include_str!("../../templates/typst/sections/verify.typ")),
    ("typst/sections/waivers.typ", include_str!("../../templates/typst/sections/waivers.typ")),
];

/// The HTML template rendered to `index.html`.
pub const HTML_MAIN: &str = "index.html";
/// The Typst template compiled to `report.pdf`.
pub const TYPST_MAIN: &str = "report.typ";
/// Largest template file read from a user directory.
const MAX_TEMPLATE_BYTES: u64 = 16 * 1024 * 1024;

/// One template file.
#[derive(Debug, Clone)]
pub struct Template {
    /// Content.
    pub bytes: Vec<u8>,
    /// Where it came from: `None` for built-in, else the user's file.
    pub origin: Option<PathBuf>,
}

impl Template {
    /// A name for messages: the user's file, or `built-in templates/<path>`.
    pub fn describe(&self, path: &str) -> String {
        match &self.origin {
            Some(file) => file.display().to_string(),
            None => format!("built-in templates/{path}"),
        }
    }
}

/// The templates of one run.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    files: BTreeMap<String, Template>,
}

impl TemplateSet {
    /// The built-ins overlaid with the files under `dir/html` and `dir/typst`.
    pub fn load(dir: Option<&Path>) -> Result<Self> {
        let mut files: BTreeMap<String, Template> = BUILTIN
            .iter()
            .map(|(path, text)| (path.to_string(), Template { bytes: text.as_bytes().to_vec(), origin: None }))
            .collect();
        let Some(dir) = dir else { return Ok(TemplateSet { files }) };
        if !dir.is_dir() {
            return Err(Error::invalid(Problem::in_file(
                dir,
                format!(
                    "the template directory does not exist; create it with `dossier init --templates {}`",
                    dir.display()
                ),
            )));
        }
        let mut found = 0;
        for kind in ["html", "typst"] {
            let sub = dir.join(kind);
            if !sub.is_dir() {
                continue;
            }
            for entry in walkdir::WalkDir::new(&sub).follow_links(false).sort_by_file_name() {
                let entry = entry
                    .map_err(|e| Error::invalid(Problem::in_file(dir, format!("could not read the templates: {e}"))))?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry.path().strip_prefix(&sub).expect("walk stays under its root");
                let Some(rel) = rel.to_str() else {
                    return Err(Error::invalid(Problem::in_file(entry.path(), "template names must be UTF-8")));
                };
                let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                if len > MAX_TEMPLATE_BYTES {
                    return Err(Error::invalid(Problem::in_file(entry.path(), "template larger than 16 MiB")));
                }
                let bytes = std::fs::read(entry.path()).map_err(|e| Error::io("read template", entry.path(), e))?;
                let key = format!("{kind}/{}", rel.replace(std::path::MAIN_SEPARATOR, "/"));
                files.insert(key, Template { bytes, origin: Some(entry.path().to_path_buf()) });
                found += 1;
            }
        }
        if found == 0 {
            return Err(Error::invalid(Problem::in_file(
                dir,
                "the template directory has no html/ or typst/ files; `dossier init --templates DIR` shows the layout",
            )));
        }
        Ok(TemplateSet { files })
    }

    /// The files of one kind (`html` or `typst`), by name within that directory.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Template)> + 'a {
        let prefix = format!("{kind}/");
        self.files.iter().filter_map(move |(k, t)| k.strip_prefix(prefix.as_str()).map(|name| (name, t)))
    }

    /// One file by full path (`html/index.html`).
    pub fn get(&self, path: &str) -> Option<&Template> {
        self.files.get(path)
    }

    /// The user's files that replace or add to the built-ins.
    pub fn overrides(&self) -> Vec<&Path> {
        self.files.values().filter_map(|t| t.origin.as_deref()).collect()
    }
}

/// Writes the built-in templates under `dir` for editing, refusing to replace a file.
pub fn write_builtins(dir: &Path) -> Result<Vec<PathBuf>> {
    let targets: Vec<PathBuf> = BUILTIN.iter().map(|(path, _)| dir.join(path)).collect();
    if let Some(existing) = targets.iter().find(|t| t.exists() || t.is_symlink()) {
        return Err(Error::Exists { path: existing.clone(), advice: "dossier will not overwrite templates" });
    }
    for ((_, text), target) in BUILTIN.iter().zip(&targets) {
        let parent = target.parent().expect("template paths have a directory");
        std::fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
        std::fs::write(target, text).map_err(|e| Error::io("write", target, e))?;
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_on_disk_is_built_in() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk = Vec::new();
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(&root).unwrap();
            let report_template = rel.starts_with("html") || rel.starts_with("typst");
            if entry.file_type().is_file() && report_template {
                on_disk.push(entry.path().strip_prefix(&root).unwrap().to_str().unwrap().to_string());
            }
        }
        let built_in: Vec<String> = BUILTIN.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(on_disk, built_in);
    }

    #[test]
    fn a_user_file_replaces_the_built_in_of_the_same_name_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("html")).unwrap();
        std::fs::write(dir.path().join("html/style.css"), "body{}").unwrap();
        let set = TemplateSet::load(Some(dir.path())).unwrap();
        assert_eq!(set.get("html/style.css").unwrap().bytes, b"body{}");
        assert!(set.get("html/index.html").unwrap().origin.is_none());
        assert_eq!(set.overrides().len(), 1);
    }

    #[test]
    fn init_writes_every_template_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let written = write_builtins(dir.path()).unwrap();
        assert_eq!(written.len(), BUILTIN.len());
        assert!(write_builtins(dir.path()).unwrap_err().to_string().contains("already exists"));
    }
}
