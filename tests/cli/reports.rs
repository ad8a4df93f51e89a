//! The HTML and PDF reports, checked as a reader gets them: the text in the PDF, its
//! archival identification and attachments, the HTML's content, and inertness against
//! hostile evidence.

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use crate::support::*;

fn run_tool(tool: &str, args: &[&str], file: &Path) -> String {
    let out = Process::new(tool).args(args).arg(file).output().unwrap();
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pdf_text(pdf: &Path) -> String {
    let out = Process::new("pdftotext").args(["-enc", "UTF-8"]).arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    // Unwrap soft line breaks so phrases can be searched whatever the layout.
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The page, with Tera's escaped slashes (`&#x2F;`) read back as `/` so paths can be searched.
fn html(ws: &Workspace) -> String {
    fs::read_to_string(ws.package().join("index.html")).unwrap().replace("&#x2F;", "/")
}

#[test]
fn reports_are_listed_outside_the_digest_and_verified_by_hash() {
    let ws = sample_workspace("credit-scoring");
    ws.build(&[]).success();
    let manifest = ws.manifest();
    let reports: Vec<&str> =
        manifest["reports"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(reports, ["index.html", "report.pdf"]);
    for r in manifest["reports"].as_array().unwrap() {
        let bytes = fs::read(ws.package().join(r["path"].as_str().unwrap())).unwrap();
        assert_eq!(r["sha256"], sha256_hex(&bytes));
    }
    ws.verify(&[]).success();

    // One flipped byte in the PDF is caught and named.
    let pdf = ws.package().join("report.pdf");
    let mut bytes = fs::read(&pdf).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    fs::write(&pdf, bytes).unwrap();
    let out = ws.verify(&[]).code(3);
    assert_stderr_has(&out, "report.pdf");
}

#[test]
fn html_report_carries_every_section_and_no_external_resource() {
    let ws = sample_workspace("credit-scoring");
    ws.build(&[]).success();
    let page = html(&ws);
    let digest = ws.manifest()["package_digest"].as_str().unwrap().to_string();
    for needle in [
        digest.as_str(),
        "credit-score",
        "NeoLend Financial Services Ltd.",
        "Conformity assessment",
        "Intended purpose",
        "Risk management",
        "Data governance",
        "Human oversight",
        "Annex IV",
        "Traceability matrix",
        "Art. 10(2)(f)",
        "a1b23da48f85688d4983effac8ee305b9dc4c00fef6259732784a37c1aff3c9a", // training set digest
        "Dr. Amara Okafor",                                                 // sign-off reviewer
        "R-004",                                                            // residual risk
        "model_card.md",
        "How to verify",
    ] {
        assert!(page.contains(needle), "index.html lacks {needle:?}");
    }
    // Only the page's own script may run: the policy names it by hash.
    assert!(page.contains("script-src 'sha256-"), "no hash-based script policy");
    assert_eq!(page.matches("<script").count(), 1);
    for forbidden in ["<script src", "<link ", "@import", "url(http", "src=\"http", "src=\"//"] {
        assert!(!page.contains(forbidden), "index.html loads something external: {forbidden:?}");
    }
}

#[test]
fn pdf_report_is_pdf_a_3b_with_its_text_metadata_and_attachments() {
    if !have("pdftotext") {
        return;
    }
    let ws = sample_workspace("credit-scoring");
    ws.build(&[]).success();
    let pdf = ws.package().join("report.pdf");
    let digest = ws.manifest()["package_digest"].as_str().unwrap().to_string();

    let text = pdf_text(&pdf);
    for needle in [
        "credit-score",
        "Conformity assessment",
        "Intended purpose",
        "Annex IV",
        "Traceability matrix",
        "Art. 10(2)(f)",
        "Dr. Amara Okafor",
        "How to verify",
        &digest[..16],
    ] {
        assert!(text.contains(needle), "report.pdf text lacks {needle:?}");
    }

    let info = run_tool("pdfinfo", &[], &pdf);
    assert!(info.contains("credit-score"), "no title in:\n{info}");
    let pages: u32 = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    assert!(pages > 5, "{pages} pages");
    let xmp = run_tool("pdfinfo", &["-meta"], &pdf);
    assert!(xmp.contains("<pdfaid:part>3</pdfaid:part>"), "no PDF/A-3 identification in XMP:\n{xmp}");
    assert!(xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"), "not conformance level B:\n{xmp}");

    let list = run_tool("pdfdetach", &["-list"], &pdf);
    assert!(list.contains("manifest.json") && list.contains("matrix.json"), "attachments:\n{list}");
    // The attached manifest is the sealed manifest: the package's own, without the reports.
    let out = ws.dir.path().join("attached");
    fs::create_dir_all(&out).unwrap();
    let status = Process::new("pdfdetach").args(["-saveall", "-o"]).arg(&out).arg(&pdf).status().unwrap();
    assert!(status.success());
    let attached = read_json(&out.join("manifest.json"));
    let mut expected = ws.manifest();
    expected.as_object_mut().unwrap().remove("reports");
    assert_eq!(attached, expected);
    assert_eq!(fs::read(out.join("matrix.json")).unwrap(), fs::read(ws.package().join("matrix.json")).unwrap());
}

#[test]
fn reports_are_byte_identical_for_the_same_evidence_and_epoch() {
    let ws = sample_workspace("support-chatbot");
    ws.build(&[]).success();
    let first = ["index.html", "report.pdf"].map(|f| fs::read(ws.package().join(f)).unwrap());
    ws.build(&[]).success();
    let second = ["index.html", "report.pdf"].map(|f| fs::read(ws.package().join(f)).unwrap());
    assert!(first[0] == second[0], "index.html differs between identical runs");
    assert!(first[1] == second[1], "report.pdf differs between identical runs");
}

#[test]
fn a_sample_without_some_evidence_says_so_instead_of_dropping_the_section() {
    let ws = sample_workspace("support-chatbot");
    ws.build(&[]).success();
    let page = html(&ws);
    assert!(page.contains("No bias report"), "the chatbot has no bias report and the page should say so");
}

#[test]
fn templates_are_written_out_and_override_the_built_ins_by_name() {
    let ws = sample_workspace("support-chatbot");
    ws.run(&["init", "--templates", "tpl"]).success();
    for file in [
        "html/base.html",
        "html/index.html",
        "html/macros.html",
        "html/sections/robustness.html",
        "html/style.css",
        "html/script.js",
        "typst/report.typ",
        "typst/sections/robustness.typ",
    ] {
        assert!(ws.dir.path().join("tpl").join(file).is_file(), "init did not write {file}");
    }
    // Writing them again never overwrites an edited template.
    let again = ws.run(&["init", "--templates", "tpl"]).code(2);
    assert_stderr_has(&again, "already exists");

    // Only the edited file changes; the others fall back to the built-ins.
    let tpl = ws.dir.path().join("tpl");
    fs::remove_file(tpl.join("html/index.html")).unwrap();
    fs::remove_file(tpl.join("html/script.js")).unwrap();
    fs::write(tpl.join("html/style.css"), "body { color: rebeccapurple; }").unwrap();
    let typ = fs::read_to_string(tpl.join("typst/report.typ")).unwrap();
    fs::write(tpl.join("typst/report.typ"), format!("{typ}\n= Bank appendix\nReviewed by the second line.\n")).unwrap();
    ws.build(&["--templates", "tpl"]).success();
    let page = html(&ws);
    assert!(page.contains("rebeccapurple"));
    assert!(page.contains("Traceability matrix"), "the built-in index.html is still used");
    if have("pdftotext") {
        assert!(pdf_text(&ws.package().join("report.pdf")).contains("Reviewed by the second line."));
    }

    // The same through the config, relative to dossier.yaml.
    let config = ws.evidence().join("dossier.yaml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, format!("{text}\nreport:\n  templates: ../tpl\n  organisation: Acme Assurance\n")).unwrap();
    ws.build(&[]).success();
    let page = html(&ws);
    assert!(page.contains("rebeccapurple") && page.contains("Acme Assurance"));
}

#[test]
fn a_broken_template_names_the_file_and_line_and_keeps_the_previous_package() {
    let ws = sample_workspace("support-chatbot");
    ws.build(&[]).success();
    let before = snapshot(&ws.package());
    let tpl = ws.dir.path().join("tpl");
    fs::create_dir_all(tpl.join("typst")).unwrap();
    fs::write(tpl.join("typst/report.typ"), "#let r = json(\"/report.json\")\n= Title\n#r.no_such_field\n").unwrap();
    let out = ws.build(&["--templates", "tpl"]).code(2);
    assert_stderr_has(&out, "report.typ:3:");
    assert_eq!(snapshot(&ws.package()), before, "a failed build must leave the previous package intact");

    fs::remove_file(tpl.join("typst/report.typ")).unwrap();
    fs::create_dir_all(tpl.join("html")).unwrap();
    fs::write(tpl.join("html/index.html"), "<p>{{ header.system </p>\n").unwrap();
    let out = ws.build(&["--templates", "tpl"]).code(2);
    assert_stderr_has(&out, "index.html");
    assert_eq!(snapshot(&ws.package()), before);

    let out = ws.build(&["--templates", "no-such-dir"]).code(2);
    assert_stderr_has(&out, "dossier init --templates");
}

const HOSTILE: &str = "# Model card\n\n<script>window.__pwned=1</script>\n\n<img src=x onerror=\"window.__pwned=1\">\n\n\
[click](javascript:window.__pwned=1)\n\n#set page(fill: red) #panic(\"typst ran\") $ x^2 $ <label> @ref\n\n\
مرحبا بالعالم — שלום עולם — 🚀✅\n\n";

#[test]
fn hostile_evidence_renders_inert_and_legible() {
    let ws = sample_workspace("credit-scoring");
    let long_token = "A".repeat(5000);
    ws.write("model_card.md", format!("{HOSTILE}{long_token}\n").as_bytes());
    let register = ws.evidence().join("risk/risk_register.yaml");
    let text = fs::read_to_string(&register).unwrap().replacen(
        "risk: Bias against protected groups (age band, sex) in approval rates",
        r##"risk: "#strong[x] ]] [[ *Bias* <script>window.__pwned=1</script> \"><img src=x onerror=window.__pwned=1>""##,
        1,
    );
    assert!(text.contains("#strong[x]"), "the sample register changed; update this test");
    fs::write(&register, text).unwrap();
    ws.build(&["--fail-on", "never"]).success();

    let page = html(&ws);
    assert!(!page.contains("<script>window.__pwned"), "raw script from evidence reached the page");
    assert!(!page.contains("<img src=x"), "raw img from evidence reached the page");
    assert!(!page.contains("javascript:"), "javascript: URL reached the page");
    assert!(
        page.contains("&lt;script&gt;window.__pwned=1&lt;&#x2F;script&gt;")
            || page.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;")
    );
    assert!(page.contains("שלום עולם") && page.contains("مرحبا بالعالم"));
    assert!(page.contains("🚀"));
    assert!(page.contains(&long_token));

    if have("pdftotext") {
        let text = pdf_text(&ws.package().join("report.pdf"));
        assert!(text.contains("#set page(fill: red)"), "Typst markup in evidence must print literally");
        assert!(text.contains("#panic(\"typst ran\")"));
        assert!(text.contains("#strong[x]"));
        assert!(text.contains("שלום"));
    }
}

#[test]
fn formats_and_logo_come_from_the_config() {
    let ws = sample_workspace("support-chatbot");
    // A 1x1 PNG.
    let png: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1,
        8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf,
        0xc0, 0xf0, 0x1f, 0, 0x05, 0, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae,
        0x42, 0x60, 0x82,
    ];
    fs::write(ws.dir.path().join("logo.png"), png).unwrap();
    let config = ws.evidence().join("dossier.yaml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, format!("{text}\nreport:\n  logo: ../logo.png\n  formats: [html]\n")).unwrap();
    ws.build(&[]).success();
    assert!(html(&ws).contains("data:image/png;base64,iVBORw0KGgo"));
    assert!(!ws.package().join("report.pdf").exists());
    assert_eq!(ws.manifest()["reports"].as_array().unwrap().len(), 1);

    fs::write(&config, format!("{text}\nreport:\n  logo: ../logo.png\n")).unwrap();
    ws.build(&[]).success();
    if have("pdfimages") {
        let list = run_tool("pdfimages", &["-list"], &ws.package().join("report.pdf"));
        assert!(list.lines().count() > 2, "the logo is not in the PDF:\n{list}");
    }

    fs::write(&config, format!("{text}\nreport:\n  logo: ../logo.gif\n")).unwrap();
    let out = ws.build(&[]).code(2);
    assert_stderr_has(&out, "report.logo");
}

#[test]
fn thousands_of_similar_files_are_one_inventory_row_and_a_short_pdf() {
    let ws = sample_workspace("credit-scoring");
    for day in 0..3000 {
        let path = format!("logs/inference/archive/{}/{:02}/audit-{day:04}.jsonl", 2020 + day / 365, day % 12 + 1);
        ws.write(&path, format!("{{\"timestamp\":\"2026-11-18T08:00:00Z\",\"request_id\":\"r{day}\"}}\n").as_bytes());
    }
    ws.build(&["--fail-on", "never"]).success();
    assert_eq!(ws.manifest()["artifacts"].as_array().unwrap().len(), 3037, "the manifest keeps every file");
    let page = html(&ws);
    // The archive joins the sample's three inference logs in one evidence set: one row.
    assert!(page.contains("<code class=\"path\" dir=\"auto\">logs/inference/**</code>"), "no row for the set");
    assert!(!page.contains("audit-2999.jsonl\""), "grouped files should not be listed one by one");
    if have("pdfinfo") {
        let info = run_tool("pdfinfo", &[], &ws.package().join("report.pdf"));
        let pages: u32 = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
        assert!(pages < 120, "{pages} pages for 3,000 similar files");
    }
}

#[test]
fn the_html_report_passes_the_browser_check() {
    let ws = sample_workspace("credit-scoring");
    ws.build(&[]).success();
    browser_check(&[], &ws.package().join("index.html"));
}

/// `page` with its `<section id="ID" ...>...</section>` element cut out, and that
/// element. For sections without nested `<section>` elements (robustness has none).
fn cut_section(page: &str, id: &str) -> (String, String) {
    let start = page.find(&format!("<section id=\"{id}\"")).unwrap_or_else(|| panic!("no section {id} in the page"));
    let end = start + page[start..].find("</section>").unwrap() + "</section>".len();
    (format!("{}{}", &page[..start], &page[end..]), page[start..end].to_string())
}

const REVIEWED: &str = "Robustness reviewed by the model validation team of the bank.";

#[test]
fn one_section_template_replaces_that_section_and_nothing_else() {
    let ws = sample_workspace("credit-scoring");
    ws.build(&[]).success();
    let default_page = fs::read_to_string(ws.package().join("index.html")).unwrap();
    let default_pdf = have("pdftotext").then(|| pdf_text(&ws.package().join("report.pdf")));

    // A template directory holding only the robustness section, in both engines, built
    // from the shared helpers and the section entry the report passes in.
    let tpl = ws.dir.path().join("tpl");
    fs::create_dir_all(tpl.join("html/sections")).unwrap();
    fs::create_dir_all(tpl.join("typst/sections")).unwrap();
    let html_section = r#"{% import "macros.html" as macros %}
<section id="{{ section.id }}" aria-labelledby="{{ section.id }}-h">
  {{ macros::heading(section=section) }}
  <p>REVIEWED</p>
</section>
"#;
    let typst_section = r#"#import "../common.typ": *
#let robustness(r, s) = [
  #section-heading(s)
  REVIEWED
]
"#;
    fs::write(tpl.join("html/sections/robustness.html"), html_section.replace("REVIEWED", REVIEWED)).unwrap();
    fs::write(tpl.join("typst/sections/robustness.typ"), typst_section.replace("REVIEWED", REVIEWED)).unwrap();
    ws.build(&["--templates", "tpl"]).success();

    let page = fs::read_to_string(ws.package().join("index.html")).unwrap();
    let (rest, section) = cut_section(&page, "robustness");
    let (default_rest, default_section) = cut_section(&default_page, "robustness");
    assert!(section.contains(REVIEWED) && !default_section.contains(REVIEWED), "{section}");
    assert!(section.contains(r#"<h2 id="robustness-h"><span class="secno">7</span> Robustness</h2>"#), "{section}");
    assert!(rest == default_rest, "the page changed outside the robustness section");

    if let Some(default_pdf) = default_pdf {
        let text = pdf_text(&ws.package().join("report.pdf"));
        assert!(text.contains(REVIEWED) && !default_pdf.contains(REVIEWED));
        // The built-in robustness table is gone, and only it.
        assert!(default_pdf.contains("Results file") && !text.contains("Results file"));
        for heading in [
            "1 Executive summary",
            "6 Model performance",
            "7 Robustness",
            "8 Human oversight",
            "9 Findings",
            "13 How to verify this package",
        ] {
            assert!(text.contains(heading), "report.pdf lacks the heading {heading:?}");
        }
    }
}

/// The strings between each `open` and the next `close`, in order.
fn each_between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    text.split(open).skip(1).map(|part| &part[..part.find(close).unwrap()]).collect()
}

#[test]
fn section_numbers_titles_and_order_come_from_the_model() {
    let ws = crate::diff::quarter_pair(&[]);
    crate::diff::build_at(&ws, crate::diff::Q4, "q4p", &["--previous", "q3"]).code(1);
    ws.run(&["render", "q4p", "-o", "model", "--model"]).success();
    let model = read_json(&ws.dir.path().join("model/report.json"));
    let expected: Vec<(String, String, String)> = model["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["number"].to_string(), s["id"].as_str().unwrap().into(), s["title"].as_str().unwrap().into()))
        .collect();
    assert_eq!(expected.last().map(|s| s.1.as_str()), Some("changes"), "the build compared with q3");

    let page = fs::read_to_string(ws.dir.path().join("q4p/index.html")).unwrap();
    // The table of contents: `<li value="N"><a href="#ID">TITLE</a>` per section.
    let toc = each_between(&page, "<nav id=\"contents\"", "</nav>")[0];
    let listed: Vec<(String, String, String)> = each_between(toc, "<li value=\"", "</a>")
        .into_iter()
        .map(|entry| {
            let (number, link) = entry.split_once("\"><a href=\"#").unwrap();
            let (id, title) = link.split_once("\">").unwrap();
            (number.to_string(), id.to_string(), title.to_string())
        })
        .collect();
    assert_eq!(listed, expected);
    // The sections themselves, in the same order, headed with the same numbers.
    let headed: Vec<(String, String, String)> = each_between(&page, "<h2 id=\"", "</h2>")
        .into_iter()
        .filter_map(|h| {
            let (id, rest) = h.split_once("-h\"><span class=\"secno\">")?;
            let (number, title) = rest.split_once("</span> ").unwrap();
            Some((number.to_string(), id.to_string(), title.to_string()))
        })
        .collect();
    assert_eq!(headed, expected);
    let changes = &expected.last().unwrap().0;
    assert!(page.contains(&format!("<a href=\"#changes\">Section {changes}</a> has the details.")));
}

#[test]
fn extreme_numbers_in_evidence_print_compactly_in_both_reports() {
    let ws = sample_workspace("credit-scoring");
    edit(&ws, "evaluation/evaluation_metrics.json", "\"log_loss\": 0.1412", "\"log_loss\": 1e300");
    edit(&ws, "evaluation/evaluation_metrics.json", "\"ks_statistic\": 0.871", "\"ks_statistic\": -2.5e20");
    ws.build(&["--fail-on", "never"]).success();

    let page = html(&ws);
    assert!(page.contains("1.000e300"), "1e300 should print in scientific notation");
    assert!(!page.contains(&"0".repeat(40)), "a huge number was spelled out digit by digit");
    if have("pdftotext") {
        let text = pdf_text(&ws.package().join("report.pdf"));
        assert!(text.contains("log_loss") || text.contains("log loss"));
        assert!(!text.contains(&"0".repeat(40)), "a huge number was spelled out digit by digit in the PDF");
        assert!(text.contains("1.000e300") && text.contains("−2.500e20"), "exponent form as in the HTML");
    }
}

#[test]
fn a_pdf_attaches_the_manifest_only_while_it_is_small() {
    let ws = Workspace::new(&[("model_card.md", "# Model Details\n")]);
    for i in 0..25_000 {
        ws.write(
            &format!("logs/inference/{:03}/audit-{i:05}.jsonl", i / 1000),
            b"{\"timestamp\":\"2026-11-18T08:00:00Z\"}\n",
        );
    }
    ws.build(&[]).success();
    assert_eq!(ws.manifest()["evidence"]["artifact_count"], 25_001);
    if have("pdfdetach") {
        let list = run_tool("pdfdetach", &["-list"], &ws.package().join("report.pdf"));
        assert!(list.contains("matrix.json") && !list.contains("manifest.json"), "{list}");
        let text = pdf_text(&ws.package().join("report.pdf"));
        assert!(text.contains("lists 25001 files, too many to attach"), "the PDF does not say why");
    }
}
