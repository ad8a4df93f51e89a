//! Command-line definitions (clap derive) and nothing else.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  success; no findings at or above --fail-on
  1  compliance findings at or above --fail-on
  2  usage, configuration or input error
  3  integrity failure (verify found a package or its evidence altered)";

const DIFF_EXIT_CODES: &str = "\
Exit codes:
  0  compared; no regression, or --fail-on-regression not given
  1  with --fail-on-regression: a requirement got worse
  2  usage or input error
  3  integrity failure: OLD or NEW does not match its manifest";

/// Which reports `diff` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportsArg {
    /// diff.html
    Html,
    /// diff.pdf
    Pdf,
    /// Only diff.json.
    None,
}

impl ReportsArg {
    /// The report format, if any.
    pub fn format(self) -> Option<dossier::config::ReportFormat> {
        match self {
            ReportsArg::Html => Some(dossier::config::ReportFormat::Html),
            ReportsArg::Pdf => Some(dossier::config::ReportFormat::Pdf),
            ReportsArg::None => None,
        }
    }
}

/// Turn a directory of AI compliance evidence into a verifiable audit package.
#[derive(Debug, Parser)]
#[command(name = "dossier", version, about, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// No progress bar and no summary; findings and errors still go to stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter dossier.yaml.
    ///
    /// The file names every key with its default; edit it, then run `dossier build`.
    #[command(after_help = EXIT_CODES)]
    Init {
        /// Directory to write dossier.yaml into (created if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite an existing dossier.yaml.
        #[arg(long)]
        force: bool,
        /// Instead of dossier.yaml, write the built-in report templates (html/, typst/) into DIR for editing.
        #[arg(long, value_name = "DIR", conflicts_with = "force")]
        templates: Option<PathBuf>,
    },

    /// Collect the evidence and write the audit package.
    ///
    /// Walks EVIDENCE_DIR (sorted, symbolic links recorded but not followed, hidden files
    /// and ignore patterns skipped), hashes and classifies every file, fills the
    /// traceability matrix for each selected framework, and writes the package
    /// (manifest.json, SHA256SUMS, matrix.json, matrix.csv) to OUT atomically: a staging directory is swapped in
    /// only when complete, so an interrupted run leaves the previous package intact.
    /// Nothing is ever written inside the evidence directory.
    ///
    /// Config: --config, else EVIDENCE_DIR/dossier.yaml, else ./dossier.yaml, else defaults.
    /// Set SOURCE_DATE_EPOCH for byte-identical packages from identical evidence.
    #[command(after_help = EXIT_CODES)]
    Build {
        /// Evidence directory, or an object-store prefix (s3://, gs://, az://BUCKET/PREFIX) [default: evidence.root from the config, else the config's directory].
        evidence_dir: Option<PathBuf>,
        /// Config file to use instead of looking for dossier.yaml.
        #[arg(short, long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Package directory to write (replaced as a whole if it is a previous package).
        #[arg(short, long, value_name = "OUT", default_value = dossier::config::plan::DEFAULT_OUTPUT)]
        output: PathBuf,
        /// Copy the evidence into OUT/evidence so the package verifies on its own.
        #[arg(long)]
        include_evidence: bool,
        /// Collect and hash only: write manifest.json and SHA256SUMS, skip classification and the matrix.
        #[arg(long)]
        manifest_only: bool,
        /// Report templates: files in DIR/html and DIR/typst replace the built-ins of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Sign the attestation with this Ed25519 private key (from `dossier keygen`), as a DSSE envelope.
        #[arg(long, value_name = "KEY")]
        sign: Option<PathBuf>,
        /// Also write the package (with --include-evidence, the evidence too) as one deterministic OUT.tar.gz.
        #[arg(long)]
        bundle: bool,
        /// Compare with this earlier package (directory or bundle): the reports get a "changes since the previous package" section. It is verified first.
        #[arg(long, value_name = "OLD")]
        previous: Option<PathBuf>,
        /// Check the previous package's signature with this Ed25519 public key.
        #[arg(long, value_name = "PUB", requires = "previous")]
        previous_key: Option<PathBuf>,
        /// Exit 1 when a finding is at least this severe.
        #[arg(long, value_enum, default_value_t = FailOnArg::Error, value_name = "LEVEL")]
        fail_on: FailOnArg,
        #[command(flatten)]
        cache: CacheArgs,
    },

    /// Inspect the framework catalogs and the evidence-type taxonomy.
    #[command(after_help = EXIT_CODES)]
    Catalog {
        /// What to show.
        #[command(subcommand)]
        command: CatalogCommand,
    },

    /// Say which evidence type a file gets, why, and which requirements it counts for.
    ///
    /// The evidence root comes from --evidence, else from the nearest dossier.yaml above
    /// the file (or --config). Classification tries the config's `classification` rules,
    /// then the built-in path rules, then the built-in content rules.
    #[command(after_help = EXIT_CODES)]
    Explain {
        /// The evidence file.
        path: PathBuf,
        /// Config file [default: the nearest dossier.yaml above PATH].
        #[arg(short, long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Evidence root [default: from the config].
        #[arg(long, value_name = "DIR")]
        evidence: Option<PathBuf>,
        /// Print the artifact as JSON (digest, facts, the reader and the document it
        /// read), as it appears in assessment.json, with the findings.
        #[arg(long)]
        json: bool,
    },

    /// Collect and assess the evidence without writing a package: a fast CI gate.
    ///
    /// Runs everything `build` runs up to the matrix (classification, document checks,
    /// policies, requirement gaps), prints the findings and exits 1 when any reaches
    /// --fail-on. Nothing is written.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Evidence directory, or an object-store prefix (s3://, gs://, az://BUCKET/PREFIX) [default: evidence.root from the config, else the config's directory].
        evidence_dir: Option<PathBuf>,
        /// Config file to use instead of looking for dossier.yaml.
        #[arg(short, long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Exit 1 when a finding is at least this severe.
        #[arg(long, value_enum, default_value_t = FailOnArg::Error, value_name = "LEVEL")]
        fail_on: FailOnArg,
        #[command(flatten)]
        cache: CacheArgs,
    },

    /// Re-check a package: its manifest, its files and its evidence.
    ///
    /// Reports every artifact that was modified, is missing, was added, or was moved
    /// (same content, new path), and any hand edit to the package itself. Exits 3 on any
    /// integrity failure, 0 when everything matches.
    #[command(after_help = EXIT_CODES)]
    Verify {
        /// The package directory, or the .tar.gz bundle, written by `dossier build`.
        package: PathBuf,
        /// Evidence directory [default: PACKAGE/evidence if included, else the location recorded at build time].
        #[arg(long, value_name = "DIR")]
        evidence: Option<PathBuf>,
        /// Check the package's signature with this Ed25519 public key (the .pub file from `dossier keygen`).
        #[arg(long, value_name = "PUB")]
        key: Option<PathBuf>,
        /// Also list each object-store root again and report objects overwritten, deleted or added since the package (warnings: the pinned versions still decide).
        #[arg(long)]
        latest: bool,
    },

    /// Compare two packages: what changed from OLD to NEW, for a periodic review.
    ///
    /// Both packages (directories or .tar.gz bundles) are verified first; an altered one
    /// is an integrity failure (exit 3), never compared. The comparison covers artifacts
    /// added, removed, changed and moved; requirement status transitions and coverage per
    /// framework; measures from the evidence (disparate impact, metrics, test pass rates,
    /// override rates) judged by the checks' thresholds; findings new, resolved and
    /// persisting; waivers and sign-offs; and catalog versions. Writes OUT/diff.json and
    /// the diff.html and diff.pdf reports.
    #[command(after_help = DIFF_EXIT_CODES)]
    Diff {
        /// The earlier package (directory or .tar.gz bundle).
        old: PathBuf,
        /// The later package (directory or .tar.gz bundle).
        new: PathBuf,
        /// Directory to write diff.json and the reports into (replaced as a whole if it holds an earlier diff).
        #[arg(short, long, value_name = "OUT", default_value = "dossier-diff")]
        output: PathBuf,
        /// Check both packages' signatures with this Ed25519 public key.
        #[arg(long, value_name = "PUB")]
        key: Option<PathBuf>,
        /// Check OLD's signature with this key instead of --key (the key was rotated in between).
        #[arg(long, value_name = "PUB")]
        old_key: Option<PathBuf>,
        /// Check NEW's signature with this key instead of --key.
        #[arg(long, value_name = "PUB")]
        new_key: Option<PathBuf>,
        /// Report templates: files in DIR/html and DIR/typst replace the built-ins of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Reports to write besides diff.json.
        #[arg(long, value_enum, value_delimiter = ',', default_values_t = [ReportsArg::Html, ReportsArg::Pdf], value_name = "LIST")]
        reports: Vec<ReportsArg>,
        /// Exit 1 when any requirement got worse (a gap now, and a worse one than before).
        #[arg(long)]
        fail_on_regression: bool,
    },

    /// Render a package's reports again, from the package alone.
    ///
    /// Verifies PACKAGE (a directory or a .tar.gz bundle), then lays out its assessment
    /// through the report templates into OUT: index.html and report.pdf, as the package
    /// has them. With the templates the build used, the files are the build's, byte for
    /// byte; with --templates DIR, a template author sees a change at once, without
    /// collecting the evidence again. The package itself is never written to.
    #[command(after_help = EXIT_CODES)]
    Render {
        /// The package directory, or the .tar.gz bundle, written by `dossier build`.
        package: PathBuf,
        /// Directory to write the reports into (replaced as a whole if it holds an earlier render).
        #[arg(short, long, value_name = "OUT", default_value = "dossier-reports")]
        output: PathBuf,
        /// Report templates: files in DIR/html and DIR/typst replace the built-ins of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Also write report.json: the report model, the data the templates lay out.
        #[arg(long)]
        model: bool,
    },

    /// Make an Ed25519 key pair for signing packages: PREFIX.key (private) and PREFIX.pub.
    ///
    /// Keys are PEM files as OpenSSL writes them (PKCS#8 and SubjectPublicKeyInfo). The
    /// private key is created with mode 0600; existing files are never overwritten.
    #[command(after_help = EXIT_CODES)]
    Keygen {
        /// Path prefix of the two files.
        #[arg(default_value = "dossier-signing")]
        prefix: PathBuf,
    },

    /// Print a completion script for SHELL to standard output.
    ///
    /// bash: save it as ~/.local/share/bash-completion/completions/dossier; zsh: as
    /// _dossier in a directory on $fpath; fish: as ~/.config/fish/completions/dossier.fish.
    #[command(after_help = EXIT_CODES)]
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `dossier catalog` subcommands.
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// List the loaded catalogs: the built-ins and those named in dossier.yaml.
    List {
        /// Config file naming extra catalogs [default: ./dossier.yaml if present].
        #[arg(short, long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Show a catalog's requirements, or one requirement in full.
    Show {
        /// Catalog id, e.g. eu-ai-act.
        id: String,
        /// A requirement id (eu-ai-act/art-10/2/f) or reference (`Art. 10(2)(f)`).
        #[arg(short, long, value_name = "REQ")]
        requirement: Option<String>,
        /// Config file naming extra catalogs and overrides [default: ./dossier.yaml if present].
        #[arg(short, long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// List the crosswalks between frameworks, with the source of each and how many
    /// links it makes.
    Crosswalks {
        /// Config file naming extra catalogs [default: ./dossier.yaml if present].
        #[arg(short, long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// List the evidence types and the path rules that recognise them.
    Types,
    /// List the tool formats dossier reads: id, tool, tested versions, evidence type.
    Formats,
}

/// `--fail-on` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOnArg {
    /// Fail on error findings (default).
    Error,
    /// Fail on warning and error findings.
    Warning,
    /// Never fail because of findings.
    Never,
}

impl From<FailOnArg> for dossier::model::finding::FailOn {
    fn from(arg: FailOnArg) -> Self {
        match arg {
            FailOnArg::Error => Self::Error,
            FailOnArg::Warning => Self::Warning,
            FailOnArg::Never => Self::Never,
        }
    }
}

/// How the commands that collect evidence read it: the digest cache, and object stores.
#[derive(Debug, Clone, clap::Args)]
pub struct CacheArgs {
    /// Hash and read every file: use no digest cache and write none.
    #[arg(long)]
    pub no_cache: bool,
    /// Keep the digest cache here [default: $DOSSIER_CACHE_DIR, else $XDG_CACHE_HOME/dossier, else ~/.cache/dossier].
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// For objects dossier does not read, take the full-object SHA-256 the store keeps instead of downloading them; `evidence.store_sample` of them are downloaded anyway and compared.
    #[arg(long)]
    pub trust_store_checksums: bool,
}
