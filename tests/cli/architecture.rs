//! The shape of the code, checked: the library's top-level modules form a stack (no
//! import cycle), the model sits at the bottom, and only the command line prints.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect()
}

/// The text of a file without its unit tests (they may reach anywhere).
fn code_of(file: &Path) -> String {
    let text = fs::read_to_string(file).unwrap();
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Top-level library modules and the modules each refers to through `crate::`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = src();
    let modules: BTreeSet<String> = fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !matches!(n.as_str(), "main.rs" | "lib.rs" | "cli"))
        .map(|n| n.trim_end_matches(".rs").to_string())
        .collect();
    let mut edges = BTreeMap::new();
    for m in &modules {
        let dir = src.join(m);
        let files = if dir.is_dir() { rust_files(&dir) } else { vec![src.join(format!("{m}.rs"))] };
        let mut uses = BTreeSet::new();
        for file in files {
            let text = code_of(&file);
            let mut rest = text.as_str();
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                let names: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                    let end = group.find('}').unwrap_or(group.len());
                    group[..end].split(',').map(|n| n.trim().split("::").next().unwrap_or("").to_string()).collect()
                } else {
                    vec![rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()]
                };
                uses.extend(names.into_iter().filter(|n| modules.contains(n) && n != m));
            }
        }
        edges.insert(m.clone(), uses);
    }
    edges
}

#[test]
fn the_top_level_modules_form_a_stack() {
    let edges = graph();
    // Depth-first search for a cycle, naming it when there is one.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            return Some(path[i..].to_vec());
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in &edges[m] {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in edges.keys() {
        let cycle = visit(m, &edges, &mut Vec::new(), &mut done);
        assert!(cycle.is_none(), "import cycle between top-level modules: {}", cycle.unwrap().join(" -> "));
    }
    // The model is plain data at the bottom; the stages never reach the pipeline or the config.
    assert_eq!(edges["model"], BTreeSet::from(["digest".to_string()]), "the model depends on nothing but digests");
    for stage in ["collect", "assess", "render", "seal", "compare", "catalog"] {
        for above in ["pipeline", "config"] {
            assert!(!edges[stage].contains(above), "{stage} reaches up into {above}");
        }
    }
}

#[test]
fn only_the_command_line_prints() {
    let src = src();
    for file in rust_files(&src) {
        let rel = file.strip_prefix(&src).unwrap();
        if rel.starts_with("cli") || rel == Path::new("main.rs") {
            continue;
        }
        let text = code_of(&file);
        for needle in [
            "println!(",
            "print!(",
            "eprintln!(",
            "eprint!(",
            "dbg!(",
            "std::io::stdout",
            "std::io::stderr",
            "io::stdout()",
            "io::stderr()",
        ] {
            assert!(
                !text.contains(needle),
                "{} prints ({needle}): only src/cli may write to the terminal",
                rel.display()
            );
        }
    }
}
