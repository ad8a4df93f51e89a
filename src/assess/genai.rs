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
use crate::text::percent;

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
    if rules.min_strength > crate::model::genai::Strength::None && !rules.categories.is_empty() {
        for d in DIRECTIONS {
            if !g.has_rail(&d.to_string(), RailKind::Moderation) {
                let message = format!(
                    "no content moderation rail on {d} (such as `self check {d}` or `content safety check {d}`)"
                );
                findings.push(Finding::at(Code::GuardrailFilterWeak, path, message).failing(FILTERING));
            }
        }
        if rules.categories.iter().any(|c| c.eq_ignore_ascii_case("PROMPT_ATTACK"))
            && !g.has_rail("input", RailKind::Jailbreak)
        {
            let message = "no jailbreak detection rail on input (such as `jailbreak detection heuristics`), which PROMPT_ATTACK asks for";
            findings.push(Finding::at(Code::GuardrailFilterWeak, path, message).failing(FILTERING));
        }
    }
    for entity in &rules.pii_entities {
        let open: Vec<String> = DIRECTIONS
            .into_iter()
            .filter(|d| !g.pii_rule(entity).is_some_and(|r| r.protects(*d)))
            .map(|d| d.to_string())
            .collect();
        if !open.is_empty() {
            let message = format!(
                "PII type {entity} is neither masked nor blocked on {} (a sensitive-data rail listing it)",
                open.join(" or ")
            );
            findings.push(Finding::at(Code::GuardrailPiiUnprotected, path, message).failing(PRIVACY));
        }
    }
    if rag && rules.min_grounding.is_some() && !g.has_rail("output", RailKind::FactCheck) {
        let message = "no fact-checking rail on output (such as `self check facts` or `alignscore check facts`), and the system answers from retrieved sources";
        findings.push(Finding::at(Code::GuardrailGroundingLow, path, message).failing(GROUNDING));
    }
}

fn check_one(rules: &GuardrailRules, rag: bool, path: &str, g: &Guardrail, findings: &mut Vec<Finding>) {
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
                let off = filter.is_some_and(|f| !f.enabled(d));
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
        let line = filter.and_then(|f| f.line);
        findings.push(Finding::at(Code::GuardrailFilterWeak, path, message).on_line(line).failing(FILTERING));
    }
    for entity in &rules.pii_entities {
        let rule = g.pii_rule(entity);
        let message = match rule {
            None => format!("PII type {entity} has no sensitive-information rule (BLOCK or ANONYMIZE required)"),
            Some(r) => {
                let open: Vec<String> = DIRECTIONS
                    .into_iter()
                    .filter(|d| !r.protects(*d))
                    .map(|d| format!("{d} {}", r.action(d)))
                    .collect();
                if open.is_empty() {
                    continue;
                }
                format!("PII type {entity} is neither blocked nor anonymised ({})", open.join(", "))
            }
        };
        let line = rule.and_then(|r| r.line);
        findings.push(Finding::at(Code::GuardrailPiiUnprotected, path, message).on_line(line).failing(PRIVACY));
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
        let line = set.and_then(|t| t.line);
        findings.push(Finding::at(Code::GuardrailGroundingLow, path, message).on_line(line).failing(GROUNDING));
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
    let (mut samples, mut marked) = (0u64, 0u64);
    for artifact in artifacts {
        let path = artifact.path.as_str();
        match artifact.document() {
            Some(Document::ContentCredentials(c)) => {
                samples += 1;
                if c.marked() {
                    marked += 1;
                }
                findings.extend(credentials(rules, path, c).into_iter().map(|f| f.failing(MARKING)));
            }
            Some(Document::Watermark(w)) => {
                findings.extend(watermark(rules, path, w).into_iter().map(|f| f.failing(MARKING)))
            }
            _ => {}
        }
    }
    if samples > 0 {
        let share = marked as f64 / samples as f64;
        if share < rules.min_marked_share {
            findings.push(Finding::general(
                Code::MarkingShareLow,
                format!(
                    "{marked} of {samples} sampled outputs carry valid content credentials declaring them AI-generated ({}, at least {} required)",
                    percent(share),
                    percent(rules.min_marked_share)
                ),
            )
            .failing(MARKING));
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

/// What the marking evidence shows, by evidence type, in phrases for a matrix row: per
/// type holding sampled outputs, how many carry valid credentials declaring them
/// AI-generated (and how many of those signers are trusted); per watermark report, what
/// its detector found. One pass over the artifacts, whatever the number of requirements.
pub fn verified_by_type(artifacts: &[Artifact]) -> std::collections::BTreeMap<&str, Vec<String>> {
    // Per type: samples, marked, marked with a trusted signer; then the report phrases.
    let mut samples: std::collections::BTreeMap<&str, (usize, usize, usize)> = Default::default();
    let mut out: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for a in artifacts {
        let Some(t) = a.evidence_type() else { continue };
        match a.document() {
            Some(Document::ContentCredentials(c)) => {
                let n = samples.entry(t).or_default();
                n.0 += 1;
                if c.marked() {
                    n.1 += 1;
                    n.2 += usize::from(!c.untrusted());
                }
            }
            Some(Document::Watermark(w)) => {
                let controls = if w.controls > 0 {
                    format!(", {} of {} human-written controls flagged", w.false_positives, w.controls)
                } else {
                    String::new()
                };
                out.entry(t).or_default().push(format!(
                    "watermark found in {} of {} text samples{controls} ({})",
                    w.detected, w.samples, a.path
                ));
            }
            _ => {}
        }
    }
    for (t, (all, marked, trusted)) in samples {
        out.entry(t).or_default().insert(
            0,
            format!(
                "{marked} of {all} sampled outputs carry valid C2PA credentials declaring them AI-generated ({trusted} with a trusted signer)"
            ),
        );
    }
    out
}
