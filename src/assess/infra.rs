//! Infrastructure evidence, assessed: the exports merged into one inventory, and the
//! built-in Rego rules (`policies/infra/`, embedded through [`PACK`]) run over it
//! in-process by regorus.
//!
//! Every violation a rule reports is a finding with the rule's code, located at the
//! export file and line of the fact that breaks it, and attached to the requirements the
//! rule evidences ([`RULES`]), so it fails them. A rule that needs an export the evidence
//! lacks reports a gap (`infra-export-missing`), which fails them too: a missing export is
//! never a pass. The rules run only when the evidence holds infrastructure exports.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::model::document::Document;
use crate::model::evidence::Artifact;
use crate::model::finding::{Code, Finding};
use crate::model::infra::{Facts, InfraResults, Inventory, Origin, Resource, RuleResult, RuleStatus, Violation};

/// The rule files, embedded. A test checks this table against `policies/infra/`.
pub const PACK: &[(&str, &str)] = &[
    ("policies/infra/lib.rego", include_str!("../../policies/infra/lib.rego")),
    ("policies/infra/cloudtrail.rego", include_str!("../../policies/infra/cloudtrail.rego")),
    ("policies/infra/buckets.rego", include_str!("../../policies/infra/buckets.rego")),
    ("policies/infra/iam.rego", include_str!("../../policies/infra/iam.rego")),
    ("policies/infra/sagemaker.rego", include_str!("../../policies/infra/sagemaker.rego")),
    ("policies/infra/network.rego", include_str!("../../policies/infra/network.rego")),
    ("policies/infra/kms.rego", include_str!("../../policies/infra/kms.rego")),
    ("policies/infra/config.rego", include_str!("../../policies/infra/config.rego")),
    ("policies/infra/backup.rego", include_str!("../../policies/infra/backup.rego")),
];

/// One built-in rule: its id, its finding code, the package that holds it and the
/// requirements it evidences.
#[derive(Debug)]
pub struct Rule {
    /// The id, as `dossier.yaml` and the findings name it.
    pub id: &'static str,
    /// The inventory kind it reads.
    pub kind: &'static str,
    /// Its finding code.
    pub code: Code,
    /// The Rego package (`data.dossier.infra.<package>`).
    pub package: &'static str,
    /// The requirements a violation fails.
    pub requirements: &'static [&'static str],
}

const LOGGING: &[&str] = &[
    "eu-ai-act/art-12/1",
    "eu-ai-act/art-12/2",
    "iso-42001/A.6.2.8",
    "nist-ai-rmf/MEASURE-2.4",
    "aws-genai-bp/SECAI3.15",
];
const DATA_STORE: &[&str] = &["eu-ai-act/art-10/1", "eu-ai-act/art-12/1", "eu-ai-act/art-19/1", "iso-42001/A.7.5"];
const PROTECTION: &[&str] = &["eu-ai-act/art-15/5", "eu-ai-act/annex-iv/2/h", "aws-genai-bp/SECAI3.3"];
const ACCESS: &[&str] = &["eu-ai-act/art-15/5", "eu-ai-act/annex-iv/2/h", "aws-genai-bp/SECAI3.7"];
const RESILIENCE: &[&str] = &["eu-ai-act/art-15/4", "iso-42001/A.6.2.5", "nist-ai-rmf/MANAGE-2.4"];
const MONITORING: &[&str] = &["iso-42001/A.6.2.6", "nist-ai-rmf/MANAGE-4.1"];
const KEEPING: &[&str] = &["eu-ai-act/art-18/1", "eu-ai-act/art-19/1", "iso-42001/A.6.2.7"];

/// Every built-in rule.
pub const RULES: &[Rule] = &[
    Rule {
        id: "cloudtrail-logging",
        kind: "trail",
        code: Code::InfraCloudtrailLogging,
        package: "cloudtrail",
        requirements: LOGGING,
    },
    Rule {
        id: "cloudtrail-data-events",
        kind: "trail",
        code: Code::InfraCloudtrailDataEvents,
        package: "cloudtrail",
        requirements: LOGGING,
    },
    Rule {
        id: "bucket-versioning",
        kind: "bucket",
        code: Code::InfraBucketVersioning,
        package: "buckets",
        requirements: DATA_STORE,
    },
    Rule {
        id: "bucket-object-lock",
        kind: "bucket",
        code: Code::InfraBucketObjectLock,
        package: "buckets",
        requirements: DATA_STORE,
    },
    Rule {
        id: "bucket-encryption",
        kind: "bucket",
        code: Code::InfraBucketEncryption,
        package: "buckets",
        requirements: PROTECTION,
    },
    Rule {
        id: "bucket-public-access",
        kind: "bucket",
        code: Code::InfraBucketPublicAccess,
        package: "buckets",
        requirements: ACCESS,
    },
    Rule {
        id: "iam-least-privilege",
        kind: "role",
        code: Code::InfraIamLeastPrivilege,
        package: "iam",
        requirements: ACCESS,
    },
    Rule {
        id: "sagemaker-network",
        kind: "model",
        code: Code::InfraSagemakerNetwork,
        package: "sagemaker",
        requirements: ACCESS,
    },
    Rule {
        id: "sagemaker-deployment",
        kind: "endpoint",
        code: Code::InfraSagemakerDeployment,
        package: "sagemaker",
        requirements: RESILIENCE,
    },
    Rule {
        id: "sagemaker-approval",
        kind: "model-package-group",
        code: Code::InfraSagemakerApproval,
        package: "sagemaker",
        requirements: RESILIENCE,
    },
    Rule {
        id: "sagemaker-kms",
        kind: "endpoint-config",
        code: Code::InfraSagemakerKms,
        package: "sagemaker",
        requirements: PROTECTION,
    },
    Rule {
        id: "network-open-ingress",
        kind: "security-group",
        code: Code::InfraNetworkOpenIngress,
        package: "network",
        requirements: ACCESS,
    },
    Rule { id: "kms-rotation", kind: "key", code: Code::InfraKmsRotation, package: "kms", requirements: PROTECTION },
    Rule {
        id: "config-recorder",
        kind: "config-recorder",
        code: Code::InfraConfigRecorder,
        package: "config",
        requirements: MONITORING,
    },
    Rule {
        id: "config-rules",
        kind: "config-rule",
        code: Code::InfraConfigRules,
        package: "config",
        requirements: MONITORING,
    },
    Rule {
        id: "backup-retention",
        kind: "backup-plan",
        code: Code::InfraBackupRetention,
        package: "backup",
        requirements: KEEPING,
    },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// The tag that marks what a bucket holds: `training`, `logs`, `artifacts` or
/// `documentation`.
pub const DATA_TAG: &str = "dossier:data";

/// The tag that marks a resource of a training or inference workload (any value).
pub const WORKLOAD_TAG: &str = "dossier:workload";

/// `infrastructure:` in `dossier.yaml`: which resources the rules are about, beyond what
/// tags and the exports say, the rules' parameters, and rules switched off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InfraConfig {
    /// Rule ids not to run.
    pub disabled: Vec<String>,
    /// Buckets that hold training data (besides those tagged `dossier:data=training`).
    pub training_buckets: Vec<String>,
    /// Buckets that hold logs (besides those tagged `dossier:data=logs`).
    pub log_buckets: Vec<String>,
    /// Buckets whose backups are checked (besides those tagged `artifacts` or
    /// `documentation`).
    pub backup_buckets: Vec<String>,
    /// SageMaker endpoint ARNs whose data events must be recorded (besides every endpoint
    /// the exports describe).
    pub endpoints: Vec<String>,
    /// Role ARNs the least-privilege rule checks (besides the models' execution roles and
    /// every role SageMaker may assume).
    pub roles: Vec<String>,
    /// Security group ids of training or inference resources (besides the models' own).
    pub security_groups: Vec<String>,
    /// AWS Config rules that must be compliant (every rule in the export when empty).
    pub config_rules: Vec<String>,
    /// S3 ARN prefixes the SageMaker roles may read whole (`arn:aws:s3:::bucket/datasets/`).
    pub data_prefixes: Vec<String>,
    /// The shortest default Object Lock retention accepted, in days.
    pub min_lock_days: u64,
    /// The shortest backup retention accepted, in days.
    pub min_backup_days: u64,
    /// Buckets must be encrypted with a customer-managed KMS key, not the AWS-managed one.
    pub require_customer_keys: bool,
}

impl Default for InfraConfig {
    fn default() -> Self {
        InfraConfig {
            disabled: Vec::new(),
            training_buckets: Vec::new(),
            log_buckets: Vec::new(),
            backup_buckets: Vec::new(),
            endpoints: Vec::new(),
            roles: Vec::new(),
            security_groups: Vec::new(),
            config_rules: Vec::new(),
            data_prefixes: Vec::new(),
            // Six months: the shortest keeping period of logs (EU AI Act Art. 19, 26(6)).
            min_lock_days: 183,
            // Ten years: how long technical documentation is kept (Art. 18).
            min_backup_days: 3650,
            require_customer_keys: false,
        }
    }
}

impl InfraConfig {
    /// Problems with the settings: unknown rule ids.
    pub fn problems(&self) -> Vec<String> {
        self.disabled
            .iter()
            .filter(|id| rule(id).is_none())
            .map(|id| {
                let known = RULES.iter().map(|r| r.id).collect::<Vec<_>>().join(", ");
                format!("unknown rule {id:?} in infrastructure.disabled (rules: {known})")
            })
            .collect()
    }
}

/// The inventory of every infrastructure export among `artifacts`: resources of one
/// origin, kind and id merged into one, each fact from the first export that states it
/// (exports in path order). None when there is no export.
pub fn inventory(artifacts: &[Artifact]) -> Option<Inventory> {
    // Exports of the live account describe one account; each Terraform file is a world
    // of its own, so its resources are merged only within the file.
    let mut merged: BTreeMap<(Origin, String, &'static str, String), Resource> = BTreeMap::new();
    let mut files = Vec::new();
    for a in artifacts {
        let Some(Document::Infrastructure(export)) = a.document() else { continue };
        files.push(a.path.clone());
        for r in &export.resources {
            let world = if r.origin == Origin::Aws { String::new() } else { a.path.clone() };
            let key = (r.origin, world, r.facts.kind(), r.id.clone());
            match merged.get_mut(&key) {
                Some(existing) => merge(existing, r.clone()),
                None => {
                    merged.insert(key, r.clone());
                }
            }
        }
    }
    if files.is_empty() {
        return None;
    }
    // A trail's status and selectors name it by the folder they sit in; describe-trails
    // by its ARN, which ends with `trail/<name>`.
    let names: Vec<(Origin, String, &'static str, String)> =
        merged.keys().filter(|(_, _, kind, id)| *kind == "trail" && !id.starts_with("arn:")).cloned().collect();
    for key in names {
        let arn = merged
            .keys()
            .find(|(o, w, kind, id)| {
                (*o, w) == (key.0, &key.1) && *kind == "trail" && id.ends_with(&format!(":trail/{}", key.3))
            })
            .cloned();
        if let Some(arn) = arn
            && let Some(named) = merged.remove(&key)
        {
            let into = merged.get_mut(&arn).expect("found above");
            merge(into, named);
        }
    }
    files.sort();
    Some(Inventory { resources: merged.into_values().collect(), files })
}

fn merge(into: &mut Resource, from: Resource) {
    for (k, v) in from.tags {
        into.tags.entry(k).or_insert(v);
    }
    macro_rules! fill {
        ($a:expr, $b:expr; $($field:ident),*) => {{ $( if $a.$field.is_none() { $a.$field = $b.$field; } )* }};
    }
    match (&mut into.facts, from.facts) {
        (Facts::Trail(a), Facts::Trail(b)) => {
            fill!(a, b; multi_region, log_file_validation, logging, management_events, data_events)
        }
        (Facts::Bucket(a), Facts::Bucket(b)) => {
            fill!(a, b; versioning, object_lock, encryption, encryption_key, public_access_blocked)
        }
        (Facts::Role(a), Facts::Role(b)) => {
            a.statements.extend(b.statements);
            a.services.extend(b.services);
        }
        (Facts::Model(a), Facts::Model(b)) => fill!(a, b; vpc, network_isolation, execution_role, package),
        (Facts::EndpointConfig(a), Facts::EndpointConfig(b)) => fill!(a, b; kms_key),
        (Facts::Endpoint(a), Facts::Endpoint(b)) => fill!(a, b; config, deployment, rollback_alarms),
        (Facts::ModelPackageGroup(a), Facts::ModelPackageGroup(b)) => {
            for v in b.versions {
                if !a.versions.iter().any(|x| x.value.version == v.value.version) {
                    a.versions.push(v);
                }
            }
            a.versions.sort_by_key(|v| v.value.version);
        }
        (Facts::SecurityGroup(a), Facts::SecurityGroup(b)) => {
            fill!(a, b; name);
            a.ingress.extend(b.ingress);
        }
        (Facts::Key(a), Facts::Key(b)) => fill!(a, b; manager, rotation),
        (Facts::ConfigRecorder(a), Facts::ConfigRecorder(b)) => fill!(a, b; recording),
        (Facts::ConfigRule(a), Facts::ConfigRule(b)) => fill!(a, b; compliance),
        (Facts::BackupPlan(a), Facts::BackupPlan(b)) => {
            fill!(a, b; name, retention_days);
            match (&mut a.resources, b.resources) {
                (Some(x), Some(y)) => x.value.extend(y.value),
                (x @ None, y) => *x = y,
                _ => {}
            }
        }
        (Facts::SecurityFinding(_), Facts::SecurityFinding(_)) => {}
        _ => {}
    }
}

/// Which resources the rules are about: from `dossier.yaml`, the `dossier:data` tags,
/// and what the models and endpoints in the exports use.
pub fn scope(inventory: &Inventory, config: &InfraConfig) -> Value {
    let tagged = |value: &str| -> BTreeSet<String> {
        inventory
            .resources
            .iter()
            .filter(|r| matches!(r.facts, Facts::Bucket(_)) && r.tags.get(DATA_TAG).is_some_and(|v| v == value))
            .map(|r| r.id.clone())
            .collect()
    };
    let with = |mut set: BTreeSet<String>, extra: &[String]| -> Vec<String> {
        set.extend(extra.iter().cloned());
        set.into_iter().collect()
    };
    let mut backup = tagged("artifacts");
    backup.extend(tagged("documentation"));
    let mut endpoints = BTreeSet::new();
    let mut roles = BTreeSet::new();
    let mut groups = BTreeSet::new();
    for r in &inventory.resources {
        match &r.facts {
            Facts::Endpoint(_) if r.origin == Origin::Aws => {
                endpoints.insert(r.id.clone());
            }
            Facts::Model(m) => {
                roles.extend(m.execution_role.as_ref().map(|f| f.value.clone()));
                groups.extend(m.security_groups.iter().cloned());
            }
            Facts::Role(role) if role.services.iter().any(|s| s == "sagemaker.amazonaws.com") => {
                roles.insert(r.id.clone());
            }
            Facts::SecurityGroup(_) if r.tags.contains_key(WORKLOAD_TAG) => {
                groups.insert(r.id.clone());
            }
            _ => {}
        }
    }
    json!({
        "aws": inventory.resources.iter().any(|r| r.origin == Origin::Aws),
        "training_buckets": with(tagged("training"), &config.training_buckets),
        "log_buckets": with(tagged("logs"), &config.log_buckets),
        "backup_buckets": with(backup, &config.backup_buckets),
        "endpoints": with(endpoints, &config.endpoints),
        "roles": with(roles, &config.roles),
        "security_groups": with(groups, &config.security_groups),
        "config_rules": config.config_rules,
    })
}

/// The input the rules (and users' own policies) see.
pub fn input(inventory: &Inventory, config: &InfraConfig) -> Value {
    json!({
        "resources": inventory.resources,
        "files": inventory.files,
        "scope": scope(inventory, config),
        "params": {
            "min_lock_days": config.min_lock_days,
            "min_backup_days": config.min_backup_days,
            "require_customer_keys": config.require_customer_keys,
            "data_prefixes": config.data_prefixes,
        },
    })
}

/// What one rule reported.
#[derive(Debug, Deserialize)]
struct Reported {
    rule: String,
    resource: String,
    message: String,
    #[serde(default)]
    at: Option<ReportedAt>,
}

#[derive(Debug, Deserialize)]
struct ReportedAt {
    file: String,
    #[serde(default)]
    pointer: String,
    #[serde(default)]
    line: Option<u64>,
}

/// Runs every enabled rule over the inventory: each rule's result, and one finding per
/// violation and per gap.
pub fn check(inventory: &Inventory, config: &InfraConfig) -> (InfraResults, Vec<Finding>) {
    let mut results: Vec<RuleResult> = RULES
        .iter()
        .map(|rule| RuleResult {
            id: rule.id.to_string(),
            status: if config.disabled.iter().any(|d| d == rule.id) { RuleStatus::Disabled } else { RuleStatus::Pass },
            checked: inventory.resources.iter().filter(|r| r.facts.kind() == rule.kind).count() as u64,
            requirements: rule.requirements.iter().map(|s| s.to_string()).collect(),
            violations: Vec::new(),
            gaps: Vec::new(),
        })
        .collect();
    let findings = run(inventory, config, &mut results);
    for r in &mut results {
        if r.status != RuleStatus::Disabled {
            r.status = if !r.violations.is_empty() {
                RuleStatus::Fail
            } else if !r.gaps.is_empty() {
                RuleStatus::Gap
            } else if r.checked == 0 {
                RuleStatus::NotApplicable
            } else {
                RuleStatus::Pass
            };
        }
    }
    let summary =
        InfraResults { files: inventory.files.clone(), resources: inventory.resources.len() as u64, rules: results };
    (summary, findings)
}

fn run(inventory: &Inventory, config: &InfraConfig, results: &mut [RuleResult]) -> Vec<Finding> {
    let mut engine = regorus::Engine::new();
    for (name, text) in PACK {
        if let Err(e) = engine.add_policy(name.to_string(), text.to_string()) {
            return vec![broken(format!("built-in rule file {name} does not parse: {e}"))];
        }
    }
    let input = input(inventory, config);
    match regorus::Value::from_json_str(&input.to_string()) {
        Ok(v) => engine.set_input(v),
        Err(e) => return vec![broken(format!("the inventory is not valid Rego input: {e}"))],
    }
    let packages: BTreeSet<&str> = RULES.iter().map(|r| r.package).collect();
    let mut findings = Vec::new();
    for package in packages {
        for (set, gap) in [("violations", false), ("gaps", true)] {
            let query = format!("data.dossier.infra.{package}.{set}");
            let value = match engine.eval_rule(query.clone()) {
                Ok(v) => v,
                Err(e) => {
                    findings.push(broken(format!("evaluating {query}: {e}")));
                    continue;
                }
            };
            let reported: Vec<Reported> = value
                .to_json_str()
                .ok()
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                .and_then(|v| match v {
                    Value::Array(items) => Some(items),
                    _ => None,
                })
                .unwrap_or_default()
                .into_iter()
                .filter_map(|item| serde_json::from_value(item).ok())
                .collect();
            for r in reported {
                if config.disabled.contains(&r.rule) {
                    continue;
                }
                let Some(rule) = rule(&r.rule) else { continue };
                let (code, message) = if gap {
                    (Code::InfraExportMissing, format!("rule {} cannot pass: {}", rule.id, r.message))
                } else {
                    // The JSON pointer says where in a large export the fact is.
                    let pointer = r.at.as_ref().map(|a| a.pointer.as_str()).filter(|p| !p.is_empty());
                    (rule.code, pointer.map_or_else(|| r.message.clone(), |p| format!("{} (at {p})", r.message)))
                };
                let path = r.at.as_ref().map_or_else(|| common_folder(&inventory.files), |a| a.file.clone());
                let line = r.at.as_ref().and_then(|a| a.line);
                if let Some(result) = results.iter_mut().find(|x| x.id == rule.id) {
                    if gap {
                        result.gaps.push(r.message.clone());
                    } else {
                        result.violations.push(Violation {
                            resource: r.resource.clone(),
                            message: r.message.clone(),
                            file: path.clone(),
                            pointer: r.at.as_ref().map(|a| a.pointer.clone()).unwrap_or_default(),
                            line,
                        });
                    }
                }
                findings.push(Finding::at(code, path, message).on_line(line).failing(rule.requirements));
            }
        }
    }
    findings
}

/// The folder every export sits in (`infra/aws/`), where a gap without a file is
/// reported.
fn common_folder(files: &[String]) -> String {
    let Some(first) = files.first() else { return String::new() };
    let mut prefix = first.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
    for f in files {
        while !prefix.is_empty() && !f.starts_with(&format!("{prefix}/")) {
            prefix = prefix.rsplit_once('/').map_or(String::new(), |(dir, _)| dir.to_string());
        }
    }
    if prefix.is_empty() { first.clone() } else { format!("{prefix}/") }
}

fn broken(message: String) -> Finding {
    let mut f = Finding::at(Code::PolicyError, "policies/infra", message);
    f.path = None;
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_on_disk_is_in_the_pack_and_every_rule_is_in_one() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/infra");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| format!("policies/infra/{}", e.unwrap().file_name().to_string_lossy()))
            .filter(|n| n.ends_with(".rego"))
            .collect();
        on_disk.sort();
        let mut table: Vec<String> = PACK.iter().map(|(n, _)| n.to_string()).collect();
        table.sort();
        assert_eq!(on_disk, table);
        for r in RULES {
            let file = format!("policies/infra/{}.rego", r.package);
            let (_, text) = PACK.iter().find(|(n, _)| *n == file).unwrap();
            assert!(text.contains(&format!("\"{}\"", r.id)), "{} is not in {file}", r.id);
        }
    }

    #[test]
    fn the_pack_parses_and_runs_on_an_empty_inventory() {
        let (results, findings) = check(&Inventory::default(), &InfraConfig::default());
        assert!(findings.is_empty(), "{findings:?}");
        assert!(results.rules.iter().all(|r| r.status == RuleStatus::NotApplicable));
    }
}
