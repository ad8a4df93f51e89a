//! Generative-AI controls as their evidence states them: a guardrail's configuration
//! (content filters, denied topics, word and PII filters, contextual grounding), and the
//! minimums `checks.guardrails` holds it to.
//!
//! What a setting means is decided here once: a direction that is switched off filters
//! nothing, whatever strength it names, and a category the service never applies to a
//! direction (Amazon Bedrock's prompt-attack filter on output) is not asked of it.

use serde::{Deserialize, Serialize};

/// How strongly a content filter acts, as Amazon Bedrock grades it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Strength {
    /// Filters nothing.
    #[default]
    None,
    /// Blocks only content judged harmful with high confidence.
    Low,
    /// Also blocks content of medium confidence.
    Medium,
    /// Blocks content of low, medium and high confidence.
    High,
}

impl Strength {
    /// Reads a strength as the service writes it (`NONE`, `LOW`, `MEDIUM`, `HIGH`, any case).
    pub fn parse(text: &str) -> Option<Strength> {
        match text.trim().to_ascii_uppercase().as_str() {
            "NONE" => Some(Strength::None),
            "LOW" => Some(Strength::Low),
            "MEDIUM" => Some(Strength::Medium),
            "HIGH" => Some(Strength::High),
            _ => None,
        }
    }
}

impl std::fmt::Display for Strength {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Strength::None => "NONE",
            Strength::Low => "LOW",
            Strength::Medium => "MEDIUM",
            Strength::High => "HIGH",
        })
    }
}

/// Which way a control looks: at the prompt, or at the model's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The prompt (and retrieved context) going in.
    Input,
    /// The answer coming out.
    Output,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::Input => "input",
            Direction::Output => "output",
        })
    }
}

/// A guardrail's configuration, from the service's own export (`aws bedrock get-guardrail`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Guardrail {
    /// The engine: `bedrock`.
    pub engine: String,
    /// The guardrail's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The version exported (`DRAFT` or a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Content filters, one per category, in file order.
    #[serde(default)]
    pub filters: Vec<ContentFilter>,
    /// Names of the denied topics.
    #[serde(default)]
    pub denied_topics: Vec<String>,
    /// How many custom words are filtered.
    #[serde(default)]
    pub words: u64,
    /// Managed word lists in use (`PROFANITY`).
    #[serde(default)]
    pub managed_word_lists: Vec<String>,
    /// Sensitive-information (PII) rules, one per entity type.
    #[serde(default)]
    pub pii: Vec<PiiRule>,
    /// How many custom sensitive-information patterns (regexes) are filtered.
    #[serde(default)]
    pub regexes: u64,
    /// The contextual grounding threshold, when the check is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grounding: Option<Threshold>,
    /// The relevance threshold, when the check is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevance: Option<Threshold>,
    /// What a person is told when a prompt is blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_input_message: Option<String>,
    /// What a person is told when an answer is blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_output_message: Option<String>,
    /// The rails a flow-based guardrail runs (NeMo Guardrails), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rails: Vec<Rail>,
}

/// One rail of a flow-based guardrail: the flow it runs, where, and what kind of check it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rail {
    /// Where it runs: `input`, `output` or `retrieval`.
    pub stage: String,
    /// The flow, as configured (`self check input`, `mask sensitive data on output`).
    pub flow: String,
    /// What it checks, when the flow is one dossier knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RailKind>,
}

/// What a rail checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RailKind {
    /// Moderates harmful content (a self check, a safety model, Llama Guard...).
    Moderation,
    /// Detects jailbreak and prompt-injection attempts.
    Jailbreak,
    /// Masks personal data (anonymises it).
    MaskPii,
    /// Detects personal data and blocks the message.
    BlockPii,
    /// Checks an answer against its sources (fact checking, hallucination detection).
    FactCheck,
}

impl RailKind {
    /// The kind of a NeMo Guardrails flow, from its name (parameters such as
    /// `$model=content_safety` aside).
    pub fn of_flow(flow: &str) -> Option<RailKind> {
        let name = flow.split('$').next().unwrap_or(flow).trim().to_ascii_lowercase();
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
        if starts(&["mask sensitive data"]) {
            Some(RailKind::MaskPii)
        } else if starts(&["detect sensitive data"]) {
            Some(RailKind::BlockPii)
        } else if starts(&["jailbreak detection", "injection detection"]) {
            Some(RailKind::Jailbreak)
        } else if starts(&[
            "self check facts",
            "alignscore check facts",
            "self check hallucination",
            "check hallucination",
        ]) || name.contains("hallucination")
        {
            Some(RailKind::FactCheck)
        } else if starts(&[
            "self check input",
            "self check output",
            "content safety check",
            "llama guard check",
            "activefence moderation",
            "guardrailsai check",
            "topic safety check",
        ]) {
            Some(RailKind::Moderation)
        } else {
            None
        }
    }
}

impl Guardrail {
    /// The filter for `category`, if the guardrail has one.
    pub fn filter(&self, category: &str) -> Option<&ContentFilter> {
        self.filters.iter().find(|f| f.category.eq_ignore_ascii_case(category))
    }

    /// The rule for a PII entity type, if the guardrail has one, under the name a service
    /// gives it (`EMAIL` in Bedrock is `EMAIL_ADDRESS` in Presidio, which NeMo uses).
    pub fn pii_rule(&self, entity: &str) -> Option<&PiiRule> {
        let names = PII_ALIASES.iter().find(|names| names.iter().any(|n| n.eq_ignore_ascii_case(entity)));
        self.pii.iter().find(|p| match names {
            Some(names) => names.iter().any(|n| p.entity.eq_ignore_ascii_case(n)),
            None => p.entity.eq_ignore_ascii_case(entity),
        })
    }

    /// Whether a rail of `kind` runs at `stage`.
    pub fn has_rail(&self, stage: &str, kind: RailKind) -> bool {
        self.rails.iter().any(|r| r.stage == stage && r.kind == Some(kind))
    }
}

/// PII types under the names Amazon Bedrock and Microsoft Presidio give them.
const PII_ALIASES: &[&[&str]] = &[
    &["EMAIL", "EMAIL_ADDRESS"],
    &["PHONE", "PHONE_NUMBER"],
    &["US_SOCIAL_SECURITY_NUMBER", "US_SSN"],
    &["CREDIT_DEBIT_CARD_NUMBER", "CREDIT_CARD"],
    &["NAME", "PERSON"],
    &["ADDRESS", "LOCATION"],
    &["IP_ADDRESS"],
    &["INTERNATIONAL_BANK_ACCOUNT_NUMBER", "IBAN_CODE"],
];

/// One content filter category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentFilter {
    /// The category: `HATE`, `INSULTS`, `SEXUAL`, `VIOLENCE`, `MISCONDUCT`, `PROMPT_ATTACK`.
    pub category: String,
    /// The strength on prompts, as configured.
    pub input: Strength,
    /// The strength on answers, as configured.
    pub output: Strength,
    /// Whether the filter looks at prompts at all (`inputEnabled`, on unless said otherwise).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub input_enabled: bool,
    /// Whether it looks at answers at all (`outputEnabled`).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub output_enabled: bool,
    /// The filter's line in the export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl ContentFilter {
    /// The strength configured for `direction`, whether or not the direction is on.
    pub fn configured(&self, direction: Direction) -> Strength {
        match direction {
            Direction::Input => self.input,
            Direction::Output => self.output,
        }
    }

    /// Whether the filter looks at `direction` at all.
    pub fn enabled(&self, direction: Direction) -> bool {
        match direction {
            Direction::Input => self.input_enabled,
            Direction::Output => self.output_enabled,
        }
    }

    /// The strength that acts in `direction`: none when the direction is switched off.
    pub fn effective(&self, direction: Direction) -> Strength {
        if self.enabled(direction) { self.configured(direction) } else { Strength::None }
    }
}

/// Whether the service applies a filter category in a direction at all. Amazon Bedrock
/// applies the prompt-attack filter to prompts only, and requires its output strength to
/// be `NONE`, so no minimum is asked of it there.
pub fn category_applies(category: &str, direction: Direction) -> bool {
    !(direction == Direction::Output && category.eq_ignore_ascii_case("PROMPT_ATTACK"))
}

/// What a sensitive-information rule does with an entity type, per direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PiiRule {
    /// The entity type (`EMAIL`, `PHONE`, `US_SOCIAL_SECURITY_NUMBER`...).
    pub entity: String,
    /// The action on prompts: `BLOCK`, `ANONYMIZE` or `NONE` (off counts as `NONE`).
    pub input: String,
    /// The action on answers.
    pub output: String,
    /// The rule's line in the export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl PiiRule {
    /// The action in `direction`.
    pub fn action(&self, direction: Direction) -> &str {
        match direction {
            Direction::Input => &self.input,
            Direction::Output => &self.output,
        }
    }

    /// Whether the entity is blocked or anonymised in `direction`.
    pub fn protects(&self, direction: Direction) -> bool {
        matches!(self.action(direction).to_ascii_uppercase().as_str(), "BLOCK" | "ANONYMIZE")
    }
}

/// A score threshold, with its line in the export.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    /// The threshold (0 to 1): answers scoring below it are blocked.
    pub value: f64,
    /// Its line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// The minimums a guardrail is held to (`checks.guardrails`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GuardrailRules {
    /// The weakest strength a content filter may have, in each direction the service
    /// applies it.
    pub min_strength: Strength,
    /// The categories that must be filtered.
    pub categories: Vec<String>,
    /// PII entity types that must be blocked or anonymised in both directions.
    pub pii_entities: Vec<String>,
    /// The lowest contextual grounding threshold, asked of guardrails when the evidence
    /// holds RAG audit logs (the system answers from retrieved sources).
    pub min_grounding: Option<f64>,
    /// The lowest relevance threshold, likewise; not asked by default.
    pub min_relevance: Option<f64>,
}

impl Default for GuardrailRules {
    fn default() -> Self {
        GuardrailRules {
            min_strength: Strength::Medium,
            categories: ["HATE", "INSULTS", "SEXUAL", "VIOLENCE", "MISCONDUCT", "PROMPT_ATTACK"]
                .map(String::from)
                .to_vec(),
            pii_entities: ["EMAIL", "PHONE"].map(String::from).to_vec(),
            min_grounding: Some(0.7),
            min_relevance: None,
        }
    }
}

impl GuardrailRules {
    /// Whether these are the defaults (then they stay out of the configuration digest).
    pub fn is_default(&self) -> bool {
        *self == GuardrailRules::default()
    }
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// The IPTC digital source types that declare content made by a trained model.
pub const AI_SOURCE_TYPES: [&str; 2] = ["trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia"];

/// What a generated output's C2PA content credentials say, as the C2PA SDK validated them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentCredentials {
    /// Whether the file carries a C2PA manifest at all.
    pub manifest: bool,
    /// The SDK's verdict: `Invalid`, `Valid` (signature and bindings hold) or `Trusted`
    /// (and the signer chains to a configured trust anchor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The claim's version (1 or 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_version: Option<u64>,
    /// What made the content: the claim generator (v1 `claim_generator`, else the first
    /// entry of `claim_generator_info`, as `name/version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    /// Who signed the manifest: the signing certificate's organisation and common name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The actions the manifest records (`c2pa.created`, `c2pa.edited`...), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// The IPTC digital source types the actions declare (the last path segment).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_types: Vec<String>,
    /// Validation codes of the active manifest that failed (`assertion.dataHash.mismatch`,
    /// `signingCredential.untrusted`...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
    /// Validation codes that passed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub successes: Vec<String>,
    /// Why the file could not be checked, when it could not (too large, unsupported type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

impl ContentCredentials {
    /// Whether the manifest declares the content made by a trained model.
    pub fn declares_ai(&self) -> bool {
        self.source_types.iter().any(|t| AI_SOURCE_TYPES.contains(&t.as_str()))
    }

    /// Whether the signer did not chain to a trust anchor.
    pub fn untrusted(&self) -> bool {
        self.failures.iter().any(|c| c == "signingCredential.untrusted")
    }

    /// The failures that make the credentials invalid: all but an untrusted signer. A
    /// broken hash binding (the content changed after signing) is one of them.
    pub fn invalid(&self) -> Vec<&str> {
        self.failures.iter().map(String::as_str).filter(|c| *c != "signingCredential.untrusted").collect()
    }

    /// Whether the output counts as marked: a manifest that validates and declares the
    /// content AI-generated (an untrusted signer is reported, but the marking is there).
    pub fn marked(&self) -> bool {
        self.manifest && self.invalid().is_empty() && self.declares_ai()
    }
}

/// A text watermark detector's results over sampled outputs (and, when the report has
/// them, human-written control texts).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WatermarkReport {
    /// The detector, as the report names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<String>,
    /// Generated samples tested.
    pub samples: u64,
    /// Generated samples in which the watermark was detected.
    pub detected: u64,
    /// Human-written control texts tested.
    pub controls: u64,
    /// Control texts wrongly flagged as watermarked.
    pub false_positives: u64,
    /// Generated samples in which no watermark was found (the first [`WatermarkReport::NAMED`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missed: Vec<String>,
}

impl WatermarkReport {
    /// How many missed samples a report names; the rest are counted.
    pub const NAMED: usize = 10;

    /// The share of generated samples in which the watermark was detected.
    pub fn detection_rate(&self) -> Option<f64> {
        (self.samples > 0).then(|| self.detected as f64 / self.samples as f64)
    }

    /// The share of human-written controls flagged as watermarked.
    pub fn false_positive_rate(&self) -> Option<f64> {
        (self.controls > 0).then(|| self.false_positives as f64 / self.controls as f64)
    }
}

/// How generated outputs must be marked (`content_marking` in `dossier.yaml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkingRules {
    /// PEM files of the certificates a C2PA signer must chain to (an organisation's own
    /// root, a C2PA trust list saved as a file), relative to `dossier.yaml`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trust_anchors: Vec<std::path::PathBuf>,
    /// How serious a signer outside the trust anchors is: `warning` or `error`.
    pub untrusted_signer: crate::model::finding::Severity,
    /// The least share of sampled outputs that must carry valid credentials declaring
    /// them AI-generated.
    pub min_marked_share: f64,
    /// The least share of generated text samples a watermark detector must find marked.
    pub min_detection_rate: f64,
    /// The most human-written controls a detector may flag, as a share.
    pub max_false_positive_rate: f64,
}

impl Default for MarkingRules {
    fn default() -> Self {
        MarkingRules {
            trust_anchors: Vec::new(),
            untrusted_signer: crate::model::finding::Severity::Warning,
            min_marked_share: 1.0,
            min_detection_rate: 0.9,
            max_false_positive_rate: 0.05,
        }
    }
}

impl MarkingRules {
    /// Whether these are the defaults (then they stay out of the configuration digest).
    pub fn is_default(&self) -> bool {
        *self == MarkingRules::default()
    }
}
