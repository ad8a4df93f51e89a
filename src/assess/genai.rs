//! Generative-AI controls, assessed: each guardrail configuration held to the minimums in
//! `checks.guardrails`. Every shortfall is a finding at the line of the filter, rule or
//! threshold that falls short (at the file when the setting is missing), attached to the
//! requirements the control evidences, so it fails them.

use crate::model::document::Document;
use crate::model::evidence::Artifact;
use crate::model::finding::{Code, Finding};
use crate::model::genai::{
    ContentCredentials, Direction, Guardrail, GuardrailRules, MarkingRules, RailKind, WatermarkReport, category_applies,
};

/// What content filters evidence: resilience against attempts to make the system
/// misbehave (Art. 15(5)), the Art. 5 prohibitions added in 2026, and the NIST AI 600-1
/// actions on blocking harmful output and handling malicious requests.
const FILTERING: &[&str] = &[
    "eu-ai-act/art-15/5",
    "eu-ai-act/art-5/1/ba-bb",
    "nist-ai-600-1/GV-1.4-001",
    "nist-ai-600-1/MG-3.2-005",
    "nist-ai-600-1/MS-2.6-006",
];
/// What PII rules evidence: the NIST AI 600-1 actions on personal data in outputs.
const PRIVACY: &[&str] = &["nist-ai-600-1/MP-4.1-009", "nist-ai-600-1/MS-2.2-004"];
/// What a grounding check evidences: accurate answers (Art. 15(1)) from verified sources.
const GROUNDING: &[&str] = &["eu-ai-act/art-15/1", "aws-genai-bp/ACCUAI3.6"];

const DIRECTIONS: [Direction; 2] = [Direction::Input, Direction::Output];

/// Holds every guardrail in the evidence to `rules`. `rag` says whether the evidence holds
/// RAG audit logs: the system answers from retrieved sources, so grounding is asked for.
pub fn check(rules: &GuardrailRules, rag: bool, artifacts: &[Artifact]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for artifact in artifacts {
        if let Some(Document::Guardrail(g)) = artifact.document() {
            check_one(rules, rag, artifact.path.as_str(), g, &mut findings);
        }
    }
    findings
}

/// A flow-based guardrail (NeMo Guardrails) has no strengths to compare: it is held to
/// having the rails that do what the minimums ask. Harmful content is moderated on input
/// and on output, prompt attacks are looked for on input (when `PROMPT_ATTACK` is among
/// the categories), the listed PII types are masked or blocked both ways, and a system
/// that answers from retrieved sources checks its answers against them.
fn check_rails(rules: &GuardrailRules, rag: bool, path: &str, g: &Guardrail, findings: &mut Vec<Finding>) {
    let with = |mut f: Finding, requirements: &[&str]| {
        f.requirements = requirements.iter().map(|r| r.to_string()).collect();
        f
    };
    if rules.min_strength > crate::model::genai::Strength::None && !rules.categories.is_empty() {
        for stage in ["input", "output"] {
            if !g.has_rail(stage, RailKind::Moderation) {
                findings.push(with(
                    Finding::at(
                        Code::GuardrailFilterWeak,
                        path,
                        format!("no content moderation rail on {stage} (such as `self check {stage}` or `content safety check {stage}`)"),
                    ),
                    FILTERING,
                ));
            }
        }
        if rules.categories.iter().any(|c| c.eq_ignore_ascii_case("PROMPT_ATTACK"))
            && !g.has_rail("input", RailKind::Jailbreak)
        {
            findings.push(with(
                Finding::at(
                    Code::GuardrailFilterWeak,
                    path,
                    "no jailbreak detection rail on input (such as `jailbreak detection heuristics`), which PROMPT_ATTACK asks for",
                ),
                FILTERING,
            ));
        }
    }
    for entity in &rules.pii_entities {
        let open: Vec<&str> = ["input", "output"]
            .into_iter()
            .filter(|stage| {
                let direction = if *stage == "input" { Direction::Input } else { Direction::Output };
                !g.pii_rule(entity).is_some_and(|r| r.protects(direction))
            })
            .collect();
        if !open.is_empty() {
            findings.push(with(
                Finding::at(
                    Code::GuardrailPiiUnprotected,
                    path,
                    format!(
                        "PII type {entity} is neither masked nor blocked on {} (a sensitive-data rail listing it)",
                        open.join(" or ")
                    ),
                ),
                PRIVACY,
            ));
        }
    }
    if rag && rules.min_grounding.is_some() && !g.has_rail("output", RailKind::FactCheck) {
        findings.push(with(
            Finding::at(
                Code::GuardrailGroundingLow,
                path,
                "no fact-checking rail on output (such as `self check facts` or `alignscore check facts`), and the system answers from retrieved sources",
            ),
            GROUNDING,
        ));
    }
}

fn check_one(rules: &GuardrailRules, rag: bool, path: &str, g: &Guardrail, findings: &mut Vec<Finding>) {
    let named = |f: Finding, requirements: &[&str]| {
        let mut f = f;
        f.requirements = requirements.iter().map(|r| r.to_string()).collect();
        f
    };
    if g.engine == "nemo" {
        check_rails(rules, rag, path, g, findings);
        return;
    }
    for category in &rules.categories {
        let filter = g.filter(category);
        let short: Vec<String> = DIRECTIONS
            .into_iter()
            .filter(|d| category_applies(category, *d))
            .filter_map(|d| {
                let strength = filter.map(|f| f.effective(d)).unwrap_or_default();
                let off =
                    filter.is_some_and(|f| f.effective(d) != if d == Direction::Input { f.input } else { f.output });
                (strength < rules.min_strength)
                    .then(|| if off { format!("{d} switched off") } else { format!("{d} {strength}") })
            })
            .collect();
        if short.is_empty() {
            continue;
        }
        let message = match filter {
            Some(_) => format!("content filter {category} is below {} ({})", rules.min_strength, short.join(", ")),
            None => format!("no content filter for {category} (at least {} required)", rules.min_strength),
        };
        findings.push(named(
            Finding::at(Code::GuardrailFilterWeak, path, message).on_line(filter.and_then(|f| f.line)),
            FILTERING,
        ));
    }
    for entity in &rules.pii_entities {
        let rule = g.pii_rule(entity);
        let message = match rule {
            None => format!("PII type {entity} has no sensitive-information rule (BLOCK or ANONYMIZE required)"),
            Some(r) => {
                let open: Vec<String> = DIRECTIONS
                    .into_iter()
                    .filter(|d| !r.protects(*d))
                    .map(|d| format!("{d} {}", if d == Direction::Input { &r.input } else { &r.output }))
                    .collect();
                if open.is_empty() {
                    continue;
                }
                format!("PII type {entity} is neither blocked nor anonymised ({})", open.join(", "))
            }
        };
        findings.push(named(
            Finding::at(Code::GuardrailPiiUnprotected, path, message).on_line(rule.and_then(|r| r.line)),
            PRIVACY,
        ));
    }
    if !rag {
        return;
    }
    let thresholds = [("grounding", rules.min_grounding, g.grounding), ("relevance", rules.min_relevance, g.relevance)];
    for (what, min, set) in thresholds {
        let Some(min) = min else { continue };
        let message = match set {
            None => format!(
                "no contextual {what} check, and the system answers from retrieved sources (at least {min} required)"
            ),
            Some(t) if t.value < min => format!("contextual {what} threshold {} is below {min}", t.value),
            Some(_) => continue,
        };
        findings.push(named(
            Finding::at(Code::GuardrailGroundingLow, path, message).on_line(set.and_then(|t| t.line)),
            GROUNDING,
        ));
    }
}

/// What marking evidences: machine-readable marking of generated output (Art. 50(2)), and
/// the NIST AI 600-1 action on tools that check provenance and signatures.
const MARKING: &[&str] = &["eu-ai-act/art-50/2", "nist-ai-600-1/MS-1.1-002"];

/// Holds sampled generated outputs and watermark reports to `rules`: per file, the
/// credentials that are missing, invalid, not declaring AI or signed outside the trust
/// anchors; over all samples, the share marked; per report, the detection and
/// false-positive rates.
pub fn marking(rules: &MarkingRules, artifacts: &[Artifact]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let named = |mut f: Finding| {
        f.requirements = MARKING.iter().map(|r| r.to_string()).collect();
        f
    };
    let (mut samples, mut marked) = (0u64, 0u64);
    for artifact in artifacts {
        let path = artifact.path.as_str();
        match artifact.document() {
            Some(Document::ContentCredentials(c)) => {
                samples += 1;
                if c.marked() {
                    marked += 1;
                }
                findings.extend(credentials(rules, path, c).into_iter().map(named));
            }
            Some(Document::Watermark(w)) => findings.extend(watermark(rules, path, w).into_iter().map(named)),
            _ => {}
        }
    }
    if samples > 0 {
        let share = marked as f64 / samples as f64;
        if share < rules.min_marked_share {
            findings.push(named(Finding::general(
                Code::MarkingShareLow,
                format!(
                    "{marked} of {samples} sampled outputs carry valid content credentials declaring them AI-generated ({}, at least {} required)",
                    percent(share),
                    percent(rules.min_marked_share)
                ),
            )));
        }
    }
    findings
}

fn credentials(rules: &MarkingRules, path: &str, c: &ContentCredentials) -> Vec<Finding> {
    if let Some(why) = &c.unreadable {
        return vec![Finding::at(
            Code::ContentCredentialsInvalid,
            path,
            format!("content credentials not checked: {why}"),
        )];
    }
    if !c.manifest {
        return vec![Finding::at(
            Code::ContentCredentialsMissing,
            path,
            "no C2PA manifest: the output carries no content credentials",
        )];
    }
    let mut out = Vec::new();
    let invalid = c.invalid();
    if !invalid.is_empty() {
        let broken = invalid.iter().any(|code| code.ends_with("Hash.mismatch") || code.contains("hashedURI.mismatch"));
        let why = if broken { " (the content changed after it was signed)" } else { "" };
        out.push(Finding::at(
            Code::ContentCredentialsInvalid,
            path,
            format!("content credentials do not validate: {}{why}", invalid.join(", ")),
        ));
    }
    if !c.declares_ai() {
        let declared = if c.source_types.is_empty() {
            "no digital source type".to_string()
        } else {
            format!("digital source type {}", c.source_types.join(", "))
        };
        out.push(Finding::at(
            Code::ContentNotDeclaredAi,
            path,
            format!("content credentials do not declare the content AI-generated ({declared})"),
        ));
    }
    if c.untrusted() {
        let signer = c.signer.as_deref().unwrap_or("the signer");
        let anchors = if rules.trust_anchors.is_empty() {
            "no trust anchors are configured"
        } else {
            "not in content_marking.trust_anchors"
        };
        let mut f = Finding::at(
            Code::ContentSignerUntrusted,
            path,
            format!("{signer} does not chain to a trusted certificate ({anchors})"),
        );
        f.severity = rules.untrusted_signer;
        out.push(f);
    }
    out
}

fn watermark(rules: &MarkingRules, path: &str, w: &WatermarkReport) -> Vec<Finding> {
    let mut out = Vec::new();
    let detector = w.detector.as_deref().map_or_else(|| "the detector".to_string(), |d| format!("the detector ({d})"));
    if let Some(rate) = w.detection_rate().filter(|r| *r < rules.min_detection_rate) {
        let missed = if w.missed.is_empty() { String::new() } else { format!(": missed {}", w.missed.join(", ")) };
        out.push(Finding::at(
            Code::WatermarkDetectionLow,
            path,
            format!(
                "{detector} found the watermark in {} of {} generated samples ({}, at least {} required){missed}",
                w.detected,
                w.samples,
                percent(rate),
                percent(rules.min_detection_rate)
            ),
        ));
    }
    if let Some(rate) = w.false_positive_rate().filter(|r| *r > rules.max_false_positive_rate) {
        out.push(Finding::at(
            Code::WatermarkFalsePositives,
            path,
            format!(
                "{detector} flagged {} of {} human-written controls as watermarked ({}, at most {} allowed)",
                w.false_positives,
                w.controls,
                percent(rate),
                percent(rules.max_false_positive_rate)
            ),
        ));
    }
    out
}

fn percent(rate: f64) -> String {
    let p = rate * 100.0;
    if (p - p.round()).abs() < 1e-9 { format!("{}%", p.round()) } else { format!("{p:.1}%") }
}

/// What the marking evidence among `types` shows, in one line for a matrix row: how many
/// sampled outputs carry valid credentials declaring them AI-generated (and how many of
/// those signers are trusted), and what the watermark detectors found. None when the
/// types hold no marking evidence that was read.
pub fn verified_marking<'a>(
    types: impl Iterator<Item = &'a str>,
    by_type: &std::collections::BTreeMap<&str, Vec<&Artifact>>,
) -> Option<String> {
    let mut parts = Vec::new();
    for t in types {
        let found = by_type.get(t).map(Vec::as_slice).unwrap_or_default();
        let credentials: Vec<&ContentCredentials> = found
            .iter()
            .filter_map(|a| match a.document() {
                Some(Document::ContentCredentials(c)) => Some(c),
                _ => None,
            })
            .collect();
        if !credentials.is_empty() {
            let marked: Vec<_> = credentials.iter().filter(|c| c.marked()).collect();
            let trusted = marked.iter().filter(|c| !c.untrusted()).count();
            parts.push(format!(
                "{} of {} sampled outputs carry valid C2PA credentials declaring them AI-generated ({trusted} with a trusted signer)",
                marked.len(),
                credentials.len()
            ));
        }
        for a in found {
            if let Some(Document::Watermark(w)) = a.document() {
                let controls = if w.controls > 0 {
                    format!(", {} of {} human-written controls flagged", w.false_positives, w.controls)
                } else {
                    String::new()
                };
                parts.push(format!(
                    "watermark found in {} of {} text samples{controls} ({})",
                    w.detected, w.samples, a.path
                ));
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
