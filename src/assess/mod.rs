//! Assessment: the one place evidence is interpreted and every rule is computed.
//!
//! It takes the collected artifacts (already classified, and read by [`readers`] from the
//! bytes that were hashed) and makes the [`Assessment`]: the built-in [`checks`], the
//! sign-offs and waivers, the Rego [`policy`] findings, the traceability [`matrix`] with
//! coverage per framework, the measures with their limits, the log statistics per type,
//! the datasets checked against the evidence, and the verdict. Renderers only lay it out.

pub mod bias_audit;
pub mod checks;
pub mod datasets;
pub mod decisions;
pub mod genai;
pub mod infra;
pub mod matrix;
pub mod measures;
pub mod policy;
pub mod readers;
pub mod sets;
pub mod worm;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::catalog::CatalogSet;
use crate::clock;
use crate::diag::Result;
use crate::digest::Sha256Digest;
use crate::model::Tool;
use crate::model::assessment::{self, Assessment};
use crate::model::bias_audit::BiasAuditSummary;
use crate::model::decision::{SignOffRecord, Waiver};
use crate::model::evidence::{Artifact, ArtifactEntry};
use crate::model::finding::{self, Counts, Finding, Verdict};
use crate::model::infra::RuleStatus;
use crate::model::matrix::Applicability;
use crate::model::matrix::{Coverage, FrameworkResult};
use crate::model::measure::ChecksConfig;
use crate::model::system::{System, SystemScope};

pub use measures::measure_limit;

/// What an assessment applies, checked before anything is read.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The catalogs, with the user's catalogs and overrides.
    pub catalogs: CatalogSet,
    /// The catalog ids to assess against (every catalog when none).
    pub frameworks: Option<Vec<String>>,
    /// The check thresholds.
    pub checks: ChecksConfig,
    /// The Rego policies, parsed.
    pub policies: Vec<policy::Policy>,
    /// The system as configured.
    pub system: System,
    /// The system as assessed (its name resolved).
    pub scope: SystemScope,
    /// Which application dates count.
    pub applicability: Applicability,
    /// The infrastructure rules' scope and parameters.
    pub infrastructure: infra::InfraConfig,
    /// How generated outputs must be marked.
    pub marking: crate::model::genai::MarkingRules,
    /// Which evidence must be kept on write-once storage, and for how long.
    pub worm: worm::WormRules,
    /// Digest of the effective configuration.
    pub config_sha256: Sha256Digest,
}

/// Assesses the collected `artifacts` (sorted by path). `findings` are those collection
/// and reading made; `kept` holds the bytes of the policies' input files.
pub fn assess(
    setup: &Setup,
    artifacts: Vec<Artifact>,
    findings: Vec<Finding>,
    kept: &BTreeMap<String, Vec<u8>>,
    assessed_at: DateTime<Utc>,
) -> Result<Assessment> {
    Ok(assess_for_package(setup, artifacts, findings, kept, assessed_at)?.0)
}

/// [`assess`], with the manifest's entry of every artifact, sorted by path (see
/// [`sets::split`]).
pub fn assess_for_package(
    setup: &Setup,
    artifacts: Vec<Artifact>,
    mut findings: Vec<Finding>,
    kept: &BTreeMap<String, Vec<u8>>,
    assessed_at: DateTime<Utc>,
) -> Result<(Assessment, Vec<ArtifactEntry>)> {
    let today = assessed_at.date_naive();
    let release = setup.system.version.as_deref();
    findings.extend(checks::run(&setup.checks, release, &artifacts));
    let rag = artifacts.iter().any(|a| a.evidence_type() == Some("rag-audit-log"));
    findings.extend(genai::check(&setup.checks.guardrails, rag, &artifacts));
    findings.extend(genai::marking(&setup.marking, &artifacts));
    findings.extend(worm::check(&setup.worm, &artifacts, assessed_at));
    let sign_offs = decisions::sign_offs(&artifacts);
    findings.extend(decisions::sign_off_findings(&sign_offs, release));
    let (waivers, waiver_findings) = decisions::waivers(&artifacts, today, &setup.catalogs);
    findings.extend(waiver_findings);
    let infrastructure = infra::inventory(&artifacts).map(|inventory| {
        let (results, infra_findings) = infra::check(&inventory, &setup.infrastructure);
        findings.extend(infra_findings);
        results
    });
    let bias_audit = match &setup.system.aedt {
        Some(aedt) => {
            let (summary, gaps) = bias_audit::summarise(aedt, &artifacts);
            findings.extend(gaps);
            summary
        }
        None => None,
    };
    for policy in &setup.policies {
        findings.extend(policy.run(&setup.scope, &artifacts, kept));
    }

    let mut notes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rule in infrastructure.iter().flat_map(|i| &i.rules).filter(|r| r.status == RuleStatus::Disabled) {
        for id in &rule.requirements {
            notes
                .entry(id.clone())
                .or_default()
                .push(format!("infrastructure rule {} is disabled in dossier.yaml", rule.id));
        }
    }
    let inputs = matrix::Inputs {
        applicability: setup.applicability,
        artifacts: &artifacts,
        findings: &findings,
        waivers: &waivers,
        notes: &notes,
    };
    let frameworks = matrix::assess(&setup.catalogs, setup.frameworks.as_deref(), &setup.scope, inputs, today)?;
    matrix::apply_waivers(&frameworks, &mut findings);
    findings.extend(matrix::gaps(&frameworks));
    finding::sort(&mut findings);
    Ok(conclude_with_entries(Concluded {
        tool: Tool::current(),
        assessed_at: clock::format(&assessed_at),
        assessed_on: today,
        system: setup.system.clone(),
        scope: setup.scope.clone(),
        applicability: setup.applicability,
        config_sha256: setup.config_sha256,
        frameworks,
        artifacts,
        findings,
        sign_offs,
        waivers,
        checks: setup.checks.clone(),
        bias_audit,
        infrastructure,
    }))
}

/// What an assessment established, before the figures that follow from it.
pub struct Concluded {
    /// The tool that made it.
    pub tool: Tool,
    /// When (RFC 3339, UTC).
    pub assessed_at: String,
    /// Its day.
    pub assessed_on: NaiveDate,
    /// The system as configured.
    pub system: System,
    /// The system as assessed.
    pub scope: SystemScope,
    /// Which application dates counted.
    pub applicability: Applicability,
    /// Digest of the effective configuration.
    pub config_sha256: Sha256Digest,
    /// The matrix.
    pub frameworks: Vec<FrameworkResult>,
    /// The artifacts with what they say.
    pub artifacts: Vec<Artifact>,
    /// Every finding, sorted.
    pub findings: Vec<Finding>,
    /// Sign-offs.
    pub sign_offs: Vec<SignOffRecord>,
    /// Waivers in force.
    pub waivers: Vec<Waiver>,
    /// The thresholds.
    pub checks: ChecksConfig,
    /// The NYC Local Law 144 bias-audit summary, for an automated employment decision tool.
    pub bias_audit: Option<BiasAuditSummary>,
    /// The infrastructure rules' results, when the evidence holds infrastructure exports.
    pub infrastructure: Option<crate::model::infra::InfraResults>,
}

/// The assessment: what was established, with the figures that follow from it worked
/// out here and only here (log statistics per type, measures and their limits, the
/// datasets checked, the counts and verdict, total coverage, the release date). A
/// schema-1 assessment read back from an old package comes through here too.
pub fn conclude(c: Concluded) -> Assessment {
    conclude_with_entries(c).0
}

/// [`conclude`], with the manifest's entry of every artifact.
pub fn conclude_with_entries(c: Concluded) -> (Assessment, Vec<ArtifactEntry>) {
    let logs = measures::log_summaries(&c.artifacts);
    let measures = measures::measures(&c.artifacts, &logs, &c.checks);
    let datasets = datasets::rows(&c.artifacts);
    let counts = Counts::of(&c.findings);
    let evidence_sets = sets::of(&c.artifacts);
    let (artifacts, entries) = sets::split(c.artifacts, &c.findings);
    let assessment = Assessment {
        format: assessment::FORMAT.into(),
        schema_version: assessment::SCHEMA_VERSION,
        tool: c.tool,
        assessed_at: c.assessed_at,
        assessed_on: c.assessed_on,
        system: c.system,
        scope: c.scope,
        applicability: c.applicability,
        config_sha256: c.config_sha256,
        verdict: Verdict::of(&counts),
        counts,
        totals: Coverage::total(c.frameworks.iter().map(|f| &f.coverage)),
        frameworks: c.frameworks,
        evidence_sets,
        artifacts,
        measures,
        logs,
        datasets,
        findings: c.findings,
        release_date: decisions::release_date(&c.sign_offs),
        sign_offs: c.sign_offs,
        waivers: c.waivers,
        checks: c.checks,
        bias_audit: c.bias_audit,
        infrastructure: c.infrastructure,
        presentation: Default::default(),
    };
    (assessment, entries)
}
