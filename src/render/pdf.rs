//! `report.pdf`: the report model compiled in-process by Typst.
//!
//! The Typst [`World`] here is hermetic. It serves only what dossier puts in it: the
//! Typst templates, the report model as `/report.json`, `manifest.json` and
//! `matrix.json` (attached to the PDF), and the logo. Fonts are the ones embedded in
//! typst-assets, so no system font, file or package is ever read, and "today" is the
//! assessment date from the clock module. The output is PDF/A-3b, which allows the
//! attachments and is checked by Typst's exporter as it writes.
//!
//! Evidence text reaches Typst only inside JSON strings, and a string shown in Typst is
//! text, never markup, so nothing in the evidence can run as Typst code.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Timelike, Utc};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use std::io::Write;

use super::files::matrix::MATRIX_JSON;
use super::templates::{TYPST_MAIN, TemplateSet};
use super::{Output, Phase, RenderContext};
use crate::diag::{Error, Result};

/// File name of the PDF report inside a package.
pub const PDF_FILE: &str = "report.pdf";
/// PDF report of a diff.
pub const DIFF_PDF: &str = "diff.pdf";

/// `report.pdf`: the package report, with `matrix.json` attached, and `manifest.json` when
/// it is not too large (see [`MAX_ATTACHED_MANIFEST_FILES`](super::report::MAX_ATTACHED_MANIFEST_FILES)).
pub struct ReportPdf;

impl Output for ReportPdf {
    fn file(&self) -> &'static str {
        PDF_FILE
    }

    fn phase(&self) -> Phase {
        Phase::Report
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let report = cx.report()?;
        let manifest = cx.manifest.ok_or_else(|| Error::Render("the PDF report needs the sealed manifest".into()))?;
        let model_json = report.to_json();
        let manifest_json = if report.header.manifest_attached { manifest.to_pretty_json() } else { String::new() };
        let matrix_json = cx.package.read(MATRIX_JSON)?;
        let mut data: Vec<DataFile> = vec![("/report.json", model_json.as_bytes()), ("/matrix.json", &matrix_json)];
        if report.header.manifest_attached {
            data.push(("/manifest.json", manifest_json.as_bytes()));
        }
        if let (Some(file), Some((_, bytes))) = (&report.header.logo_file, &cx.branding.logo) {
            data.push((file.as_str(), bytes));
        }
        let at = parse_time(&manifest.assessed_at)?;
        let ident = format!("dossier:{}", manifest.package_digest);
        let pdf = render(cx.templates, &data, &at, &ident)?;
        out.write_all(&pdf).map_err(|e| Error::io("write", PDF_FILE, e))
    }
}

/// `diff.pdf`: the comparison of two packages.
pub struct DiffPdf;

impl Output for DiffPdf {
    fn file(&self) -> &'static str {
        DIFF_PDF
    }

    fn phase(&self) -> Phase {
        Phase::Report
    }

    fn applies(&self, cx: &RenderContext) -> bool {
        cx.changes.is_some()
    }

    fn render(&self, cx: &RenderContext, out: &mut dyn Write) -> Result<()> {
        let diff = cx.changes.ok_or_else(|| Error::Render("diff.pdf needs a comparison".into()))?;
        let at = parse_time(&diff.new.assessed_at)?;
        let ident = format!("dossier-diff:{}:{}", diff.old.package_digest, diff.new.package_digest);
        let json = super::to_bytes(&super::files::diff::DiffJson, cx)?;
        let data: [DataFile; 1] = [("/diff.json", &json)];
        let pdf = render_document(cx.templates, "diff.typ", &data, &at, &ident)?;
        out.write_all(&pdf).map_err(|e| Error::io("write", DIFF_PDF, e))
    }
}

fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Render(format!("assessment time {text:?}: {e}")))
}

/// The fonts bundled with typst-assets, parsed once per process.
static FONTS: LazyLock<(Vec<Font>, FontBook)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    let book = FontBook::from_fonts(&fonts);
    (fonts, book)
});

/// A data file handed to the template: (path in the Typst world, bytes).
pub type DataFile<'a> = (&'a str, &'a [u8]);

/// The world one report is compiled in.
struct ReportWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    main: FileId,
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    names: HashMap<FileId, String>,
    today: Datetime,
}

fn file_id(path: &str) -> Result<FileId> {
    let vpath = VirtualPath::new(path).map_err(|e| Error::Render(format!("template path {path:?}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl ReportWorld {
    fn new(templates: &TemplateSet, main: &str, data: &[DataFile], today: Datetime) -> Result<Self> {
        let mut sources = HashMap::new();
        let mut files = HashMap::new();
        let mut names = HashMap::new();
        for (name, template) in templates.of_kind("typst") {
            let id = file_id(&format!("/{name}"))?;
            names.insert(id, template.describe(&format!("typst/{name}")));
            if name.ends_with(".typ") {
                let text = String::from_utf8(template.bytes.clone()).map_err(|_| {
                    Error::Render(format!("{}: Typst templates must be UTF-8", template.describe(name)))
                })?;
                sources.insert(id, Source::new(id, text));
            }
            files.insert(id, Bytes::new(template.bytes.clone()));
        }
        for (path, bytes) in data {
            let id = file_id(path)?;
            names.insert(id, format!("report data {path}"));
            files.insert(id, Bytes::new(bytes.to_vec()));
        }
        let main_id = file_id(&format!("/{main}"))?;
        if !sources.contains_key(&main_id) {
            return Err(Error::Render(format!("the Typst templates have no {main}")));
        }
        let main = main_id;
        Ok(ReportWorld {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(FONTS.1.clone()),
            main,
            sources,
            files,
            names,
            today,
        })
    }

    fn not_found(&self, id: FileId) -> FileError {
        FileError::NotFound(id.vpath().get_with_slash().into())
    }

    /// `file:line:col: message` for one diagnostic.
    fn describe(&self, d: &SourceDiagnostic) -> String {
        let mut at = String::new();
        if let Some(id) = d.span.id() {
            at = self.names.get(&id).cloned().unwrap_or_else(|| id.vpath().get_with_slash().to_string());
            if let (Some(source), Some(range)) = (self.sources.get(&id), self.range(d.span))
                && let Some((line, col)) = source.lines().byte_to_line_column(range.start)
            {
                at = format!("{at}:{}:{}", line + 1, col + 1);
            }
            at.push_str(": ");
        }
        let hints: String = d.hints.iter().map(|h| format!(" (hint: {})", h.v)).collect();
        format!("{at}{}{hints}", d.message)
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.sources.get(&id).cloned().ok_or_else(|| self.not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or_else(|| self.not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.0.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn typst_datetime(at: &DateTime<Utc>) -> Option<Datetime> {
    Datetime::from_ymd_hms(
        at.year(),
        at.month() as u8,
        at.day() as u8,
        at.hour() as u8,
        at.minute() as u8,
        at.second() as u8,
    )
}

/// Compiles the Typst templates with `data` into a PDF/A-3b document.
///
/// `ident` must be stable for the same package (the PDF's document id is derived from it).
pub fn render(templates: &TemplateSet, data: &[DataFile], at: &DateTime<Utc>, ident: &str) -> Result<Vec<u8>> {
    render_document(templates, TYPST_MAIN, data, at, ident)
}

/// Compiles the Typst template `main` (a name under `typst/`) with `data`, as
/// [`render`] does for the package report; the diff report comes through here too.
pub fn render_document(
    templates: &TemplateSet,
    main: &str,
    data: &[DataFile],
    at: &DateTime<Utc>,
    ident: &str,
) -> Result<Vec<u8>> {
    let now =
        typst_datetime(at).ok_or_else(|| Error::Render(format!("assessment time {at} is out of Typst's range")))?;
    let today = Datetime::from_ymd(at.year(), at.month() as u8, at.day() as u8).expect("a valid date");
    let world = ReportWorld::new(templates, main, data, today)?;
    let compiled = typst::compile::<PagedDocument>(&world);
    let failed = |diags: &[SourceDiagnostic]| {
        let errors: Vec<String> =
            diags.iter().filter(|d| d.severity == Severity::Error).take(5).map(|d| world.describe(d)).collect();
        Error::Render(format!("PDF report: {}", errors.join("; ")))
    };
    let document = compiled.output.map_err(|d| failed(&d))?;
    let standards = PdfStandards::new(&[PdfStandard::A_3b])
        .map_err(|e| Error::Render(format!("PDF/A-3b configuration: {}", e.message())))?;
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some(format!("dossier {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(Timestamp::new_utc(now)),
        page_ranges: None,
        standards,
        tagged: true,
        pretty: false,
    };
    typst_pdf::pdf(&document, &options).map_err(|d| failed(&d))
}
