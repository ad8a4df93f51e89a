//! The book's examples are tests: every ```console block in `book/src` runs here.
//!
//! Each page runs as one bash script in a scratch directory holding a copy of
//! `evidence-samples/` and `tests/fixtures/formats/`, with the freshly built `dossier` first on `PATH`, so the blocks of
//! a page can build on each other. Lines starting with `$ ` are commands; the lines after
//! them are the expected output (stdout and stderr together). In expected output, a line
//! `...` stands for any number of lines and `[..]` for any text within a line.

use std::fs;
use std::path::{Path, PathBuf};

const SEPARATOR: &str = "\u{1e}--dossier-book-example--\u{1e}";

struct Example {
    command: String,
    expected: Vec<String>,
}

fn book_pages() -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src");
    let mut pages: Vec<PathBuf> = walkdir::WalkDir::new(&src)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages
}

fn examples(page: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    for line in page.lines() {
        if !in_block {
            in_block = line.trim_end() == "```console";
            continue;
        }
        if line.starts_with("```") {
            in_block = false;
        } else if let Some(command) = line.strip_prefix("$ ") {
            out.push(Example { command: command.to_string(), expected: Vec::new() });
        } else if let Some(last) = out.last_mut() {
            last.expected.push(line.trim_end().to_string());
        } else {
            panic!("output line before any command in a console block: {line:?}");
        }
    }
    out
}

fn line_matches(pattern: &str, line: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    if parts.len() == 1 {
        return pattern == line;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !line.starts_with(first) || !line[first.len()..].ends_with(last) || line.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &line[first.len()..line.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

fn lines_match(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => (0..=actual.len()).any(|i| lines_match(rest, &actual[i..])),
        Some((first, rest)) => !actual.is_empty() && line_matches(first, actual[0]) && lines_match(rest, &actual[1..]),
    }
}

#[test]
fn console_examples_in_the_book_produce_the_output_shown() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = assert_cmd::cargo::cargo_bin("dossier");
    let path = format!("{}:{}", binary.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let mut checked = 0;
    let mut failures = Vec::new();
    for page in book_pages() {
        let examples = examples(&fs::read_to_string(&page).unwrap());
        if examples.is_empty() {
            continue;
        }
        let scratch = tempfile::tempdir().unwrap();
        crate::support::copy_tree(&root.join("evidence-samples"), &scratch.path().join("evidence-samples"));
        let formats = Path::new("tests/fixtures/formats");
        crate::support::copy_tree(&root.join(formats), &scratch.path().join(formats));
        let mut script = String::from("exec 2>&1\n__status=0\n");
        for example in &examples {
            script.push_str(&format!(
                "(exit $__status); {}\n__status=$?; printf '\\n%s\\n' '{SEPARATOR}'\n",
                example.command
            ));
        }
        let output = std::process::Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(scratch.path())
            .env("PATH", &path)
            .env("SOURCE_DATE_EPOCH", "1795000000")
            .env("DOSSIER_CACHE_DIR", scratch.path().join(".dossier-cache"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        let segments: Vec<&str> = text.split(&format!("\n{SEPARATOR}\n")).collect();
        let page_name = page.strip_prefix(root).unwrap().display().to_string();
        for (i, example) in examples.iter().enumerate() {
            let actual: Vec<&str> = segments.get(i).copied().unwrap_or("").lines().map(str::trim_end).collect();
            let mut actual = actual;
            while actual.last() == Some(&"") {
                actual.pop();
            }
            let mut expected = example.expected.clone();
            while expected.last().is_some_and(String::is_empty) {
                expected.pop();
            }
            checked += 1;
            if !lines_match(&expected, &actual) {
                failures.push(format!(
                    "{page_name}: `$ {}`\n--- expected\n{}\n--- actual\n{}\n",
                    example.command,
                    expected.join("\n"),
                    actual.join("\n")
                ));
            }
        }
    }
    assert!(checked >= 20, "only {checked} examples found; is the book there?");
    assert!(failures.is_empty(), "{} book example(s) differ:\n\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_matcher_understands_its_wildcards() {
    assert!(line_matches("digest     [..]", "digest     abc"));
    assert!(line_matches("a [..] b [..] c", "a 1 b 2 c"));
    assert!(!line_matches("a [..] b", "a 1 c"));
    assert!(!line_matches("ab[..]ba", "aba"));
    let exp = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(lines_match(&exp(&["x", "...", "z"]), &["x", "y", "y", "z"]));
    assert!(lines_match(&exp(&["..."]), &[]));
    assert!(!lines_match(&exp(&["x"]), &["x", "y"]));
}

#[test]
fn the_findings_page_lists_every_code_with_its_severity() {
    let page =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/reference/findings.md")).unwrap();
    for code in dossier::model::finding::Code::ALL {
        let row = format!("| `{}` | {} | {} |", code.id(), code.severity(), code.summary().trim_end_matches('.'));
        let row_with_period = format!("| `{}` | {} | {} |", code.id(), code.severity(), code.summary());
        assert!(
            page.contains(&row) || page.contains(&row_with_period),
            "book/src/reference/findings.md lacks or misdescribes `{}`; expected the row:\n{row_with_period}",
            code.id()
        );
    }
    let listed = page.matches("| `").count();
    assert_eq!(listed, dossier::model::finding::Code::ALL.len(), "the page lists codes the tool does not have");
}

#[test]
fn the_evidence_types_page_lists_every_type() {
    let page =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/reference/evidence-types.md")).unwrap();
    let taxonomy = dossier::catalog::Taxonomy::builtin().unwrap();
    for t in &taxonomy.types {
        assert!(page.contains(&format!("| `{}` |", t.id)), "book/src/reference/evidence-types.md lacks `{}`", t.id);
    }
}

#[test]
fn every_builtin_catalog_has_a_book_page() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/catalogs");
    let set = dossier::catalog::CatalogSet::builtin().unwrap();
    let pages: String = fs::read_dir(&dir)
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    for c in &set.catalogs {
        assert!(pages.contains(&format!("`{}`", c.id)), "no book page mentions catalog `{}`", c.id);
        assert!(pages.contains(&c.as_of.to_string()), "no book page gives the as-of date of `{}`", c.id);
    }
}

/// The CI examples cannot run here, but they must at least be valid YAML that names the
/// package files dossier really writes.
#[test]
fn the_ci_examples_are_valid_yaml_and_name_real_package_files() {
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/ci.md")).unwrap();
    let blocks: Vec<&str> = page.split("```yaml\n").skip(1).map(|b| b.split("```").next().unwrap()).collect();
    // Snippets of dossier.yaml are read as dossier reads its config; the rest are CI jobs.
    let (configs, jobs): (Vec<&str>, Vec<&str>) =
        blocks.into_iter().partition(|b| b.starts_with("# evidence/dossier.yaml"));
    assert_eq!(configs.len(), 1, "the config that anchors SARIF at the repository root");
    for block in configs {
        let parsed = dossier::config::Config::parse(block, Path::new("book/src/ci.md"));
        assert!(parsed.is_ok_and(|c| c.evidence.repository_root.is_some()), "{block}");
    }
    assert_eq!(jobs.len(), 2, "a GitHub Actions and a GitLab CI example");
    for block in jobs {
        let parsed: Result<serde_yaml::Value, _> = serde_yaml::from_str(block);
        assert!(parsed.is_ok(), "invalid YAML in book/src/ci.md: {parsed:?}\n{block}");
        for file in ["junit.xml", "summary.md"] {
            assert!(block.contains(file), "the example does not publish {file}");
        }
    }
    assert!(page.contains("results.sarif") && page.contains("--sign"));
}

#[test]
fn the_formats_page_has_a_row_for_every_reader() {
    let page = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/formats.md")).unwrap();
    for format in dossier::assess::readers::formats::FORMATS {
        let row = page.lines().find(|l| l.starts_with('|') && l.contains(&format!("`{}`", format.id)));
        let row = row.unwrap_or_else(|| panic!("book/src/formats.md has no row for `{}`", format.id));
        assert!(
            row.contains(format.evidence_type),
            "the row of `{}` does not give its type {}",
            format.id,
            format.evidence_type
        );
    }
}
