//! The AI system under assessment: what the configuration says about it, and the scope
//! that decides which requirements apply.

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
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Role {
    /// Develops the system and places it on the market (the default).
    #[default]
    Provider,
    /// Uses the system under its own authority.
    Deployer,
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
    }
}
