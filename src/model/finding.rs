//! Findings: what dossier found wrong (or worth noting) in the evidence or a package.
//!
//! A finding is data, not an error. Each one carries a stable kebab-case [`Code`], a
//! [`Severity`], a one-line message a person can act on, and the artifact path (and line,
//! where there is one). The code table below is the single source of truth: the book's
//! finding-code page is checked against it by a test.
//!
//! A finding read back from a package keeps its code as a [`CodeId`], so a package
//! written by a later dossier, with codes this one does not know, still compares.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How serious a finding is. Ordered: `Note < Warning < Error`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a build.
    Note,
    /// Probably wrong; fails a build with `--fail-on warning`.
    Warning,
    /// Wrong; fails a build with the default `--fail-on error`.
    Error,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $severity:ident, $summary:literal; )*) => {
        /// Every finding code dossier can emit. The kebab-case id is stable across releases.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Code {
            $( $(#[$doc])* #[doc = $summary] #[serde(rename = $id)] $variant, )*
        }

        impl Code {
            /// All codes, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable kebab-case id, e.g. `artifact-modified`.
            pub fn id(self) -> &'static str {
                match self { $(Code::$variant => $id,)* }
            }

            /// The severity a finding with this code carries.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// A one-line description of what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// The code with this id.
            pub fn from_id(id: &str) -> Option<Code> {
                match id { $($id => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    // Collection: what the walk of the evidence root met.
    SymlinkOutsideRoot = "symlink-outside-root", Warning,
        "A symbolic link in the evidence points outside the evidence root; it is recorded, not followed.";
    SymlinkBroken = "symlink-broken", Warning,
        "A symbolic link in the evidence points nowhere (dangling) or into a loop.";
    Unreadable = "unreadable", Error,
        "A file or directory in the evidence could not be read; it is not in the manifest.";
    NonUtf8Path = "non-utf8-path", Error,
        "A path in the evidence is not valid UTF-8 and cannot be recorded; it is not in the manifest.";
    SpecialFile = "special-file", Warning,
        "A device, socket or FIFO in the evidence was skipped; only regular files are artifacts.";
    ChangedDuringCollection = "changed-during-collection", Error,
        "A file kept changing while it was hashed; its digest would be meaningless, so it is not in the manifest.";
    VanishedDuringCollection = "vanished-during-collection", Warning,
        "A file disappeared between the directory walk and hashing.";
    EmptyArtifact = "empty-artifact", Note,
        "An evidence file is empty (0 bytes); it is recorded, but says nothing.";
    // Object stores: what reading an object-store root met.
    ObjectUnreadable = "object-unreadable", Error,
        "An object under an object-store root could not be read, or its key cannot be an evidence path; it is not in the manifest.";
    StoreChecksumMismatch = "store-checksum-mismatch", Error,
        "The SHA-256 an object store keeps for an object differs from the hash of the bytes it served.";
    WormNotEnforced = "worm-not-enforced", Error,
        "Evidence that must be kept write-once is not: no versioning, no active retention or legal hold, or a retention that ends before the keeping period.";
    WormUnproven = "worm-unproven", Warning,
        "Evidence that must be kept write-once was read from a local directory, which cannot show that it is; collect it from its Object Lock bucket.";
    ObjectOverwritten = "object-overwritten", Warning,
        "verify --latest: an object the package pinned has a newer version, or was deleted, in the store since the build.";
    ObjectAdded = "object-added", Warning,
        "verify --latest: an object appeared under an object-store root since the build.";
    // Integrity: what `dossier verify` found when re-checking a package.
    ManifestDigestMismatch = "manifest-digest-mismatch", Error,
        "manifest.json does not match its own package digest: it was edited after the build.";
    ManifestUnreadable = "manifest-unreadable", Error,
        "manifest.json is not a readable dossier manifest.";
    OutputModified = "output-modified", Error,
        "A package file differs from the digest the manifest records for it.";
    OutputMissing = "output-missing", Error,
        "A package file listed in the manifest is gone.";
    PackageFileAdded = "package-file-added", Error,
        "The package holds a file the manifest does not list.";
    SumsMismatch = "sums-mismatch", Error,
        "SHA256SUMS does not list exactly the artifacts and digests in manifest.json.";
    SignatureMissing = "signature-missing", Error,
        "verify --key was given, but the package has no signed attestation (attestation.dsse.json).";
    SignatureInvalid = "signature-invalid", Error,
        "The package's signature does not verify with the given public key: another key signed it, or the attestation was altered.";
    BundleEntryRejected = "bundle-entry-rejected", Error,
        "A bundle entry has an absolute path, climbs out with `..`, or is a link: it is refused, never extracted.";
    AttestationMismatch = "attestation-mismatch", Error,
        "A package file is not in the attestation, is missing from the package, or differs from the digest the attestation records.";
    ArtifactModified = "artifact-modified", Error,
        "An evidence file's content differs from the digest recorded at build time.";
    ArtifactMissing = "artifact-missing", Error,
        "An evidence file recorded at build time is gone.";
    ArtifactAdded = "artifact-added", Error,
        "An evidence file is present that was not there at build time.";
    ArtifactMoved = "artifact-moved", Error,
        "An evidence file is unchanged but now lives at a different path.";
    SymlinkChanged = "symlink-changed", Error,
        "A symbolic link in the evidence was added, removed or now points elsewhere.";
    // Evidence content: what the documents say.
    EvidenceUnparseable = "evidence-unparseable", Error,
        "An evidence file cannot be read as its evidence type (malformed JSON, YAML or XML, a JUnit file that is not JUnit).";
    EvidenceIncomplete = "evidence-incomplete", Error,
        "An evidence file lacks content its type needs, such as a group without fairness results.";
    FormatUnrecognised = "format-unrecognised", Note,
        "No reader understood the file's content; it is hashed and classified by its path only.";
    ModelCardSections = "model-card-sections", Warning,
        "A model card has no section on intended use or on limitations.";
    LogLineInvalid = "log-line-invalid", Warning,
        "A line of a JSON Lines log is not a JSON record; the other records are still used.";
    ThresholdFailed = "threshold-failed", Error,
        "A metric in the evidence is outside the bounds set under `checks` (impact ratio, accuracy, AUC).";
    TestsFailed = "tests-failed", Error,
        "A test-results file (e.g. adversarial robustness) has failing or erroring tests below the required pass rate.";
    VersionMismatch = "version-mismatch", Error,
        "The model card describes a different model version than the release in dossier.yaml.";
    LogFieldsMissing = "log-fields-missing", Warning,
        "Inference log records lack fields that record-keeping asks for (input, output, confidence, latency, actor).";
    FaithfulnessLow = "faithfulness-low", Warning,
        "RAG answers scored below `checks.min_faithfulness`: the answer may not follow from the retrieved sources.";
    ContentCredentialsMissing = "content-credentials-missing", Warning,
        "A sampled generated output carries no C2PA content credentials.";
    ContentCredentialsInvalid = "content-credentials-invalid", Error,
        "A generated output's content credentials do not validate (a broken signature, or content changed after signing).";
    ContentNotDeclaredAi = "content-not-declared-ai", Warning,
        "A generated output's content credentials do not declare it AI-generated (no IPTC trainedAlgorithmicMedia source type).";
    ContentSignerUntrusted = "content-signer-untrusted", Warning,
        "A generated output's credentials are signed by a certificate outside `content_marking.trust_anchors` (an error with `untrusted_signer: error`).";
    MarkingShareLow = "marking-share-low", Error,
        "Fewer sampled generated outputs carry valid credentials declaring them AI-generated than `content_marking.min_marked_share` asks.";
    WatermarkDetectionLow = "watermark-detection-low", Error,
        "A watermark detector found the watermark in fewer generated samples than `content_marking.min_detection_rate` asks.";
    WatermarkFalsePositives = "watermark-false-positives", Error,
        "A watermark detector flagged more human-written controls than `content_marking.max_false_positive_rate` allows.";
    AttackSuccessHigh = "attack-success-high", Error,
        "More red-team attacks of one category got through than `checks.red_team` allows; the failing probes are named.";
    GuardrailNotApplied = "guardrail-not-applied", Warning,
        "Some model invocations in a log that uses a guardrail ran without one (Amazon Bedrock invocation logs).";
    GuardrailFilterWeak = "guardrail-filter-weak", Error,
        "A guardrail filters a harmful-content category below `checks.guardrails.min_strength`, or not at all, in a direction the service applies it.";
    GuardrailPiiUnprotected = "guardrail-pii-unprotected", Error,
        "A guardrail neither blocks nor anonymises a PII type listed in `checks.guardrails.pii_entities`, on input or output.";
    GuardrailGroundingLow = "guardrail-grounding-low", Error,
        "A RAG system's guardrail has no contextual grounding check, or its threshold is below `checks.guardrails.min_grounding` (or relevance below `min_relevance`).";
    CitationNotRetrieved = "citation-not-retrieved", Error,
        "A RAG answer cites a chunk that its own record did not retrieve: the citation cannot be traced to what the model was given.";
    LogFieldsNotCarried = "log-fields-not-carried", Note,
        "An inference log's format has no field for something record-keeping asks for; the records cannot carry it, so it is not counted as missing.";
    LogGap = "log-gap", Warning,
        "An inference log has a gap between records longer than `checks.max_log_gap_minutes`.";
    // Human decisions recorded as evidence.
    SignOffNotApproved = "sign-off-not-approved", Error,
        "A sign-off in the evidence records a decision other than approval.";
    WaiverExpired = "waiver-expired", Warning,
        "A waiver's expiry date has passed; the requirement it covered counts as unwaived.";
    WaiverUnknownRequirement = "waiver-unknown-requirement", Warning,
        "A waiver names a requirement id that no loaded catalog has.";
    DatasetHashMismatch = "dataset-hash-mismatch", Error,
        "A dataset manifest records a SHA-256 for a file in the evidence that differs from the file's actual digest.";
    DataValidationFailed = "data-validation-failed", Error,
        "A data-validation result (Great Expectations, Evidently tests) records a failed expectation or test.";
    DataDrift = "data-drift", Warning,
        "A data-drift report (Evidently) finds the dataset drifted from its reference.";
    DataVersionMismatch = "data-version-mismatch", Error,
        "A DVC record's MD5 or size differs from the data file it names in the evidence.";
    BomHashMismatch = "bom-hash-mismatch", Error,
        "A bill of materials records a SHA-256 for a component whose file in the evidence has another digest.";
    PiiFlagged = "pii-flagged", Error,
        "Data-governance metadata flags raw personal data (contains_pii: true) in the training data.";
    // Infrastructure: the built-in rules over the cloud and Terraform exports.
    InfraCloudtrailLogging = "infra-cloudtrail-logging", Error,
        "No multi-region CloudTrail trail is logging with log-file validation: each trail's failing setting is named.";
    InfraCloudtrailDataEvents = "infra-cloudtrail-data-events", Error,
        "No logging CloudTrail trail records the data events of a training-data bucket or a SageMaker endpoint.";
    InfraBucketVersioning = "infra-bucket-versioning", Error,
        "A bucket that holds training data or logs does not keep object versions.";
    InfraBucketObjectLock = "infra-bucket-object-lock", Error,
        "A bucket that holds training data or logs has no Object Lock, or a default retention shorter than the configured minimum.";
    InfraBucketEncryption = "infra-bucket-encryption", Error,
        "A bucket that holds training data or logs is not encrypted with KMS by default (or, when asked, not with a customer-managed key).";
    InfraBucketPublicAccess = "infra-bucket-public-access", Error,
        "A bucket that holds training data or logs does not have all four public-access blocks on.";
    InfraIamLeastPrivilege = "infra-iam-least-privilege", Error,
        "A role SageMaker runs as is allowed every action, or S3 reads on everything or on whole buckets outside the data prefixes.";
    InfraSagemakerNetwork = "infra-sagemaker-network", Error,
        "A SageMaker model runs outside a VPC or without network isolation.";
    InfraSagemakerDeployment = "infra-sagemaker-deployment", Error,
        "A SageMaker endpoint was deployed without a blue/green or rolling update policy, or without rollback alarms.";
    InfraSagemakerApproval = "infra-sagemaker-approval", Error,
        "The newest model package of a group is not Approved, or no earlier approved version exists to roll back to.";
    InfraSagemakerKms = "infra-sagemaker-kms", Error,
        "A SageMaker endpoint configuration names no KMS key.";
    InfraNetworkOpenIngress = "infra-network-open-ingress", Error,
        "A security group of a training or inference resource takes traffic from 0.0.0.0/0 or ::/0.";
    InfraKmsRotation = "infra-kms-rotation", Error,
        "A customer-managed KMS key does not rotate automatically.";
    InfraConfigRecorder = "infra-config-recorder", Error,
        "The AWS Config recorder is not recording.";
    InfraConfigRules = "infra-config-rules", Error,
        "An AWS Config rule that dossier.yaml names (or any, when it names none) is not compliant.";
    InfraBackupRetention = "infra-backup-retention", Error,
        "No backup plan keeps the model artifacts or technical documentation for the configured period.";
    InfraExportMissing = "infra-export-missing", Error,
        "An infrastructure rule needs an export the evidence does not have, so it cannot pass.";
    BiasAuditIncomplete = "bias-audit-incomplete", Warning,
        "The bias report behind an NYC Local Law 144 summary lacks something the summary must show: a kind of category, applicant counts or the audit date.";
    // Requirements: the traceability matrix as findings, for the gate.
    RequirementMissing = "requirement-missing", Error,
        "A requirement has no evidence; an error for binding frameworks (the EU AI Act), a warning for voluntary ones.";
    RequirementPartial = "requirement-partial", Warning,
        "A requirement has some but not all of the evidence it needs.";
    RequirementStale = "requirement-stale", Warning,
        "A requirement's evidence is older than the requirement allows.";
    // Policies: Rego evaluated over the evidence.
    PolicyDenied = "policy-denied", Error,
        "A Rego policy's deny rule produced this message (severity set per policy; default error).";
    PolicyError = "policy-error", Error,
        "A configured Rego policy could not be read, parsed or evaluated.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Code {
    /// Whether the code reports a requirement that is not satisfied (the matrix as findings).
    pub fn is_gap(self) -> bool {
        matches!(self, Code::RequirementMissing | Code::RequirementPartial | Code::RequirementStale)
    }
}

/// The code a finding carries: one this dossier knows, or the id of one from a later
/// version, kept as text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CodeId {
    /// A code of this version.
    Known(Code),
    /// A code this version does not know.
    Other(String),
}

impl CodeId {
    /// The kebab-case id.
    pub fn id(&self) -> &str {
        match self {
            CodeId::Known(code) => code.id(),
            CodeId::Other(id) => id,
        }
    }

    /// The code, when this version knows it.
    pub fn known(&self) -> Option<Code> {
        match self {
            CodeId::Known(code) => Some(*code),
            CodeId::Other(_) => None,
        }
    }

    /// What the code means, when this version knows it.
    pub fn summary(&self) -> Option<&'static str> {
        self.known().map(Code::summary)
    }
}

impl From<Code> for CodeId {
    fn from(code: Code) -> Self {
        CodeId::Known(code)
    }
}

impl PartialEq<Code> for CodeId {
    fn eq(&self, other: &Code) -> bool {
        self.known() == Some(*other)
    }
}

impl fmt::Display for CodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for CodeId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for CodeId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = Cow::<str>::deserialize(deserializer)?;
        Ok(Code::from_id(&id).map_or_else(|| CodeId::Other(id.into_owned()), CodeId::Known))
    }
}

/// One thing found, with where it was found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code.
    pub code: CodeId,
    /// Severity (taken from the code, unless a policy or a waiver set another).
    pub severity: Severity,
    /// One line a person can act on.
    pub message: String,
    /// Evidence-relative path (or package-relative for package files), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line in that file, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Requirement ids this finding fails.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
}

impl Finding {
    /// A finding about `path`.
    pub fn at(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            code: code.into(),
            severity: code.severity(),
            message: message.into(),
            path: Some(path.into()),
            line: None,
            requirements: Vec::new(),
        }
    }

    /// A finding about the evidence as a whole, at no one file.
    pub fn general(code: Code, message: impl Into<String>) -> Self {
        Finding { path: None, ..Finding::at(code, String::new(), message) }
    }

    /// The same finding, failing these requirements (and only these).
    pub fn failing(mut self, requirements: &[&str]) -> Self {
        self.requirements = requirements.iter().map(|r| r.to_string()).collect();
        self
    }

    /// The same finding, at `line` of its file.
    pub fn on_line(mut self, line: impl Into<Option<u64>>) -> Self {
        self.line = line.into();
        self
    }

    /// Whether the finding reports a requirement that is not satisfied.
    pub fn is_gap(&self) -> bool {
        self.code.known().is_some_and(Code::is_gap)
    }

    /// What identifies a finding from one run to the next: its code, file and
    /// requirements (as for SARIF fingerprints), or its message when it has neither, so a
    /// reworded message is the same finding.
    pub fn identity(&self) -> (String, String, String) {
        let rest = if self.path.is_none() && self.requirements.is_empty() {
            self.message.clone()
        } else {
            self.requirements.join(",")
        };
        (self.code.id().to_string(), self.path.clone().unwrap_or_default(), rest)
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.severity, self.code)?;
        if let Some(path) = &self.path {
            write!(f, " {path}")?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            f.write_str(":")?;
        }
        write!(f, " {}", self.message)
    }
}

/// The order findings are listed in everywhere: by file, line, code, then message.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| (&a.path, a.line, &a.code, &a.message).cmp(&(&b.path, b.line, &b.code, &b.message)));
}

/// How many findings there are of each severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
}

impl Counts {
    /// Counts `findings` by severity.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut c = Counts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Note => c.notes += 1,
            }
        }
        c
    }
}

/// The outcome of an assessment: `pass` when no finding is an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::Display, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Verdict {
    /// No error-level finding.
    Pass,
    /// At least one error-level finding.
    Fail,
    /// The package was built with `--manifest-only`: nothing was assessed.
    NotAssessed,
}

impl Verdict {
    /// The verdict the findings give.
    pub fn of(counts: &Counts) -> Verdict {
        if counts.errors == 0 { Verdict::Pass } else { Verdict::Fail }
    }
}

/// The `--fail-on` threshold: findings at or above it make a build exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::Display, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum FailOn {
    /// Fail on errors only (the default).
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Never fail because of findings.
    Never,
}

impl FailOn {
    /// Whether `findings` trip this threshold.
    pub fn is_tripped_by<'a>(self, findings: impl IntoIterator<Item = &'a Finding>) -> bool {
        let threshold = match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Never => return false,
        };
        findings.into_iter().any(|f| f.severity >= threshold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_kebab_case_and_round_trip_through_serde() {
        let mut seen = BTreeSet::new();
        for code in Code::ALL {
            let id = code.id();
            assert!(seen.insert(id), "duplicate code {id}");
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !id.starts_with('-')
                    && !id.ends_with('-'),
                "{id} is not kebab-case"
            );
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{id}\""));
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), *code);
            assert_eq!(Code::from_id(id), Some(*code));
            assert!(code.summary().ends_with('.'), "{id}: summary should be a sentence");
        }
    }

    #[test]
    fn a_code_from_a_later_version_is_kept_as_text() {
        let f: Finding =
            serde_json::from_str(r#"{"code": "from-the-future", "severity": "warning", "message": "m"}"#).unwrap();
        assert_eq!(f.code, CodeId::Other("from-the-future".into()));
        assert_eq!(serde_json::to_value(&f).unwrap()["code"], "from-the-future");
        let known: Finding =
            serde_json::from_str(r#"{"code": "tests-failed", "severity": "error", "message": "m"}"#).unwrap();
        assert_eq!(known.code, Code::TestsFailed);
    }

    #[test]
    fn finding_display_is_one_line_with_code_and_path() {
        let f = Finding::at(Code::ArtifactModified, "eval/results.xml", "sha256 changed");
        assert_eq!(f.to_string(), "error[artifact-modified] eval/results.xml: sha256 changed");
        assert!(!f.to_string().contains('\n'));
    }

    #[test]
    fn fail_on_thresholds() {
        let warn = Finding::at(Code::SymlinkBroken, "a", "m");
        let err = Finding::at(Code::Unreadable, "b", "m");
        assert!(!FailOn::Error.is_tripped_by([&warn]));
        assert!(FailOn::Error.is_tripped_by([&warn, &err]));
        assert!(FailOn::Warning.is_tripped_by([&warn]));
        assert!(!FailOn::Never.is_tripped_by([&err]));
    }

    #[test]
    fn the_verdict_follows_the_errors() {
        assert_eq!(Verdict::of(&Counts { errors: 0, warnings: 3, notes: 1 }), Verdict::Pass);
        assert_eq!(Verdict::of(&Counts { errors: 1, warnings: 0, notes: 0 }), Verdict::Fail);
        assert_eq!(Verdict::NotAssessed.to_string(), "not-assessed");
    }
}
