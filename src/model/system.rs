//! The AI system under assessment: what the configuration says about it, and the scope
//! that decides which requirements apply.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The AI system under assessment, as `system:` in `dossier.yaml` describes it
/// (conformity assessment sections A and B).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct System {
    /// Short identifier, e.g. `credit-score`. Defaults to the evidence directory's name.
    pub name: Option<String>,
    /// The release version being assessed, e.g. `4.2.1`.
    pub version: Option<String>,
    /// The organisation placing the system on the market or putting it into service.
    pub provider: Option<String>,
    /// Tier of the EU AI Act risk pyramid.
    pub risk_category: RiskCategory,
    /// Our role for this system under the EU AI Act.
    pub role: Role,
    /// What the system is for, in a sentence or two.
    pub intended_purpose: Option<String>,
    /// The inputs the system takes.
    pub inputs: Vec<String>,
    /// The outputs the system produces.
    pub outputs: Vec<String>,
    /// Known limitations and conditions it was not validated for.
    pub known_limitations: Vec<String>,
    /// What the system does that brings transparency duties (EU AI Act Art. 50).
    pub capabilities: Vec<Capability>,
    /// The Annex III point (or area) that makes the system high-risk, e.g. `4(a)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annex_iii: Option<AnnexIII>,
    /// The operator is a public authority, a body governed by public law or a Union
    /// institution.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub public_body: bool,
    /// The operator is a private entity providing public services.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub public_service: bool,
    /// The deployer uses the system at the workplace, as an employer.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub workplace: bool,
    /// The provider is established outside the Union.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub outside_union: bool,
    /// The general-purpose AI model has systemic risk (EU AI Act Art. 51).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub systemic_risk: bool,
    /// When the system or model was first placed on the market or put into service:
    /// older ones have later deadlines for some duties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placed_on_market: Option<NaiveDate>,
    /// The system is an automated employment decision tool used for candidates or
    /// employees in New York City, with the facts of its bias audit (Local Law 144).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aedt: Option<crate::model::bias_audit::Aedt>,
}

/// Functions of a system that trigger transparency duties whatever its risk tier.
#[derive(
    Debug,
    Clone,
    Copy,
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
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Capability {
    /// Talks or otherwise interacts directly with people (chatbots, voice agents).
    InteractsWithPeople,
    /// Generates synthetic audio, images, video or text.
    GeneratesContent,
    /// Recognises emotions.
    EmotionRecognition,
    /// Sorts people into categories from biometric data.
    BiometricCategorisation,
    /// Produces deep fakes (realistic manipulated images, audio or video of real people).
    DeepFakes,
}

/// EU AI Act risk tiers.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
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
pub enum RiskCategory {
    /// Prohibited practices (Art. 5).
    Unacceptable,
    /// High-risk systems (Art. 6, Annex I and III). The default: it asks the most of the evidence.
    #[default]
    High,
    /// Systems with transparency obligations (Art. 50).
    Limited,
    /// Everything else.
    Minimal,
}

/// The operator role under the EU AI Act.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
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
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Role {
    /// Develops the system and places it on the market (the default).
    #[default]
    Provider,
    /// Uses the system under its own authority.
    Deployer,
    /// Places a general-purpose AI model on the market (EU AI Act Chapter V).
    GpaiProvider,
}

/// A point of EU AI Act Annex III (`5(b)`), or an area without points (`2`); in a
/// catalog's applicability also a whole area (`4`), which covers its points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AnnexIII(String);

impl AnnexIII {
    /// Every point of Annex III, by area.
    pub const POINTS: &[&str] = &[
        "1(a)", "1(b)", "1(c)", "2", "3(a)", "3(b)", "3(c)", "3(d)", "4(a)", "4(b)", "5(a)", "5(b)", "5(c)", "5(d)",
        "6(a)", "6(b)", "6(c)", "6(d)", "6(e)", "7(a)", "7(b)", "7(c)", "7(d)", "8(a)", "8(b)",
    ];

    /// The area number, `5` for `5(b)`.
    pub fn area(&self) -> &str {
        self.0.split('(').next().unwrap_or(&self.0)
    }

    /// Whether `self`, as a catalog lists it, covers the system's `point`: the same
    /// point, or the area it lies in.
    pub fn covers(&self, point: &AnnexIII) -> bool {
        self == point || (!self.0.contains('(') && self.0 == point.area())
    }
}

impl TryFrom<String> for AnnexIII {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let t = text.trim();
        let is_area = (1..=8).any(|n| t == n.to_string());
        if is_area || Self::POINTS.contains(&t) {
            Ok(AnnexIII(t.to_string()))
        } else {
            Err(format!("{text:?} is not an Annex III area (1 to 8) or point such as \"5(b)\""))
        }
    }
}

impl From<AnnexIII> for String {
    fn from(a: AnnexIII) -> String {
        a.0
    }
}

impl fmt::Display for AnnexIII {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What decides which requirements apply: the system as resolved for this run (its name
/// defaults to the evidence directory's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemScope {
    /// System name.
    pub name: String,
    /// Release version.
    pub version: Option<String>,
    /// EU AI Act risk tier.
    pub risk_category: RiskCategory,
    /// Operator role.
    pub role: Role,
    /// Capabilities that bring transparency duties.
    pub capabilities: Vec<Capability>,
    /// The Annex III point or area, when the system is in Annex III.
    #[serde(default)]
    pub annex_iii: Option<AnnexIII>,
    /// A public authority or body governed by public law.
    #[serde(default)]
    pub public_body: bool,
    /// A private entity providing public services.
    #[serde(default)]
    pub public_service: bool,
    /// Used at the workplace by an employer.
    #[serde(default)]
    pub workplace: bool,
    /// The provider is established outside the Union.
    #[serde(default)]
    pub outside_union: bool,
    /// A general-purpose AI model with systemic risk.
    #[serde(default)]
    pub systemic_risk: bool,
    /// First placed on the market or put into service.
    #[serde(default)]
    pub placed_on_market: Option<NaiveDate>,
    /// An automated employment decision tool used in New York City.
    #[serde(default)]
    pub aedt: bool,
}

impl SystemScope {
    /// The scope of `system` under the resolved `name`.
    pub fn of(system: &System, name: String) -> SystemScope {
        SystemScope {
            name,
            version: system.version.clone(),
            risk_category: system.risk_category,
            role: system.role,
            capabilities: system.capabilities.clone(),
            annex_iii: system.annex_iii.clone(),
            public_body: system.public_body,
            public_service: system.public_service,
            workplace: system.workplace,
            outside_union: system.outside_union,
            systemic_risk: system.systemic_risk,
            placed_on_market: system.placed_on_market,
            aedt: system.aedt.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_the_serde_names() {
        for c in [Capability::InteractsWithPeople, Capability::DeepFakes] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.to_string());
        }
        for r in [RiskCategory::High, RiskCategory::Unacceptable] {
            assert_eq!(serde_json::to_value(r).unwrap(), r.to_string());
        }
        assert_eq!(serde_json::to_value(Role::Deployer).unwrap(), Role::Deployer.to_string());
        assert_eq!(Role::GpaiProvider.to_string(), "gpai-provider");
    }

    #[test]
    fn annex_iii_areas_cover_their_points() {
        let at = |s: &str| AnnexIII::try_from(s.to_string()).unwrap();
        assert!(at("5").covers(&at("5(b)")));
        assert!(at("5(b)").covers(&at("5(b)")));
        assert!(!at("5(b)").covers(&at("5(c)")));
        assert!(!at("5(b)").covers(&at("5")));
        assert!(at("2").covers(&at("2")));
        assert!(!at("1").covers(&at("2")));
        for bad in ["9", "5(e)", "5b", ""] {
            assert!(AnnexIII::try_from(bad.to_string()).is_err(), "{bad}");
        }
    }
}
