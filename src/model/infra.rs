//! Infrastructure evidence: the cloud resources an AI system runs on, as one inventory.
//!
//! Each export file (one AWS CLI call, a Terraform plan or state) is read into the
//! resources it describes, each fact with the file, JSON pointer and line it was read
//! from. The assessment merges them by resource into one [`Inventory`], which the
//! built-in Rego rules and the user's own policies read. A fact that no export states is
//! `None`: unknown, which a rule treats as a gap, never as a pass. An export that says a
//! setting is absent (an error document such as `ObjectLockConfigurationNotFoundError`,
//! or an empty versioning status) is a known fact: the setting is off.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a fact was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct At {
    /// The export file, relative to the evidence root.
    pub file: String,
    /// JSON pointer of the value in the file (empty for the whole document).
    pub pointer: String,
    /// 1-based line of the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// A fact with where it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact<T> {
    /// The value.
    pub value: T,
    /// Its origin.
    #[serde(flatten)]
    pub at: At,
}

/// Where a resource's facts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Origin {
    /// AWS CLI or API exports of the live account.
    Aws,
    /// A Terraform plan (`terraform show -json` of a saved plan): what will be.
    TerraformPlan,
    /// A Terraform state (`terraform show -json`): what is.
    TerraformState,
}

/// The resources of every export, merged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Every resource, sorted by kind and id.
    pub resources: Vec<Resource>,
    /// The export files read, sorted.
    pub files: Vec<String>,
}

/// One resource: what it is, its id, and its facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// The id: an ARN or name for AWS, the address for Terraform.
    pub id: String,
    /// Where its facts come from.
    pub origin: Origin,
    /// Its tags, when an export lists them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The first place it appears.
    pub at: At,
    /// The kind and its facts.
    #[serde(flatten)]
    pub facts: Facts,
}

/// A resource's kind, with the facts dossier reads for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Facts {
    /// A CloudTrail trail.
    Trail(Trail),
    /// An S3 bucket.
    Bucket(Bucket),
    /// An IAM role, with its policies.
    Role(Role),
    /// A SageMaker model.
    Model(Model),
    /// A SageMaker endpoint configuration.
    EndpointConfig(EndpointConfig),
    /// A SageMaker endpoint.
    Endpoint(Endpoint),
    /// A SageMaker model package group, with its versions.
    ModelPackageGroup(ModelPackageGroup),
    /// An EC2 security group (or a Terraform security-group rule).
    SecurityGroup(SecurityGroup),
    /// A KMS key.
    Key(Key),
    /// The AWS Config recorder.
    ConfigRecorder(ConfigRecorder),
    /// An AWS Config rule's compliance.
    ConfigRule(ConfigRule),
    /// An AWS Backup plan, with what it selects.
    BackupPlan(BackupPlan),
    /// A Security Hub finding (ASFF).
    SecurityFinding(SecurityFinding),
}

impl Facts {
    /// The kind's name, as the inventory and the rules spell it.
    pub fn kind(&self) -> &'static str {
        match self {
            Facts::Trail(_) => "trail",
            Facts::Bucket(_) => "bucket",
            Facts::Role(_) => "role",
            Facts::Model(_) => "model",
            Facts::EndpointConfig(_) => "endpoint-config",
            Facts::Endpoint(_) => "endpoint",
            Facts::ModelPackageGroup(_) => "model-package-group",
            Facts::SecurityGroup(_) => "security-group",
            Facts::Key(_) => "key",
            Facts::ConfigRecorder(_) => "config-recorder",
            Facts::ConfigRule(_) => "config-rule",
            Facts::BackupPlan(_) => "backup-plan",
            Facts::SecurityFinding(_) => "security-finding",
        }
    }
}

/// A CloudTrail trail.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trail {
    /// Records events of every region.
    pub multi_region: Option<Fact<bool>>,
    /// Writes digest files so log integrity can be validated.
    pub log_file_validation: Option<Fact<bool>>,
    /// Is logging now (`get-trail-status`).
    pub logging: Option<Fact<bool>>,
    /// Records management events.
    pub management_events: Option<Fact<bool>>,
    /// The data events it records: resource type and the ARNs or prefixes (an empty
    /// list of ARNs means every resource of the type).
    pub data_events: Option<Fact<Vec<DataEvents>>>,
}

/// Data events a trail records for one resource type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataEvents {
    /// `AWS::S3::Object`, `AWS::SageMaker::Endpoint`, ...
    pub resource_type: String,
    /// ARNs or ARN prefixes; empty for all resources of the type.
    pub arns: Vec<String>,
}

/// An S3 bucket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// `Enabled`, `Suspended`, or `Off` when versioning was never enabled.
    pub versioning: Option<Fact<String>>,
    /// Object Lock: off, or on with a default retention.
    pub object_lock: Option<Fact<ObjectLock>>,
    /// Default encryption: `aws:kms`, `aws:kms:dsse`, `AES256`, or `none`.
    pub encryption: Option<Fact<String>>,
    /// The KMS key of default encryption, when one is named.
    pub encryption_key: Option<Fact<String>>,
    /// The four public-access blocks, all on.
    pub public_access_blocked: Option<Fact<bool>>,
}

/// A bucket's Object Lock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLock {
    /// Object Lock is enabled on the bucket.
    pub enabled: bool,
    /// The default retention mode, `COMPLIANCE` or `GOVERNANCE`.
    pub mode: Option<String>,
    /// The default retention in days (years are counted as 365 days).
    pub days: Option<u64>,
}

/// An IAM role with the statements of its policies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// The AWS services its trust policy lets assume it (`sagemaker.amazonaws.com`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Every statement of its inline and attached policies.
    pub statements: Vec<Fact<Statement>>,
}

/// One policy statement, normalised to lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// The policy it comes from.
    pub policy: String,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// Actions (`s3:GetObject`, `s3:*`, `*`).
    pub actions: Vec<String>,
    /// Resources (`*`, ARNs).
    pub resources: Vec<String>,
}

/// A SageMaker model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Runs in a VPC: a VPC configuration with subnets and security groups.
    pub vpc: Option<Fact<bool>>,
    /// The security groups of its VPC configuration.
    pub security_groups: Vec<String>,
    /// Network isolation is on.
    pub network_isolation: Option<Fact<bool>>,
    /// The role it runs as.
    pub execution_role: Option<Fact<String>>,
    /// The model package (registry version) it was made from, when it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Fact<String>>,
}

/// A SageMaker endpoint configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EndpointConfig {
    /// The KMS key for the storage of the endpoint's instances, when one is named.
    pub kms_key: Option<Fact<Option<String>>>,
    /// The models it serves.
    pub models: Vec<String>,
}

/// A SageMaker endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Its endpoint configuration.
    pub config: Option<String>,
    /// How updates are deployed: `blue-green`, `rolling`, or `none`.
    pub deployment: Option<Fact<String>>,
    /// The CloudWatch alarms that roll a deployment back.
    pub rollback_alarms: Option<Fact<Vec<String>>>,
}

/// A SageMaker model package group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelPackageGroup {
    /// Each version with its approval status, in version order.
    pub versions: Vec<Fact<PackageVersion>>,
}

/// One model package version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageVersion {
    /// The version number.
    pub version: u64,
    /// `Approved`, `Rejected`, `PendingManualApproval`.
    pub status: String,
    /// The package ARN.
    pub arn: String,
}

/// A security group's ingress rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroup {
    /// Its name.
    pub name: Option<String>,
    /// Every ingress range.
    pub ingress: Vec<Fact<Ingress>>,
}

/// An ingress range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ingress {
    /// The CIDR range (IPv4 or IPv6).
    pub cidr: String,
    /// The protocol, `-1` for all.
    pub protocol: String,
    /// First port, when given.
    pub from_port: Option<i64>,
    /// Last port, when given.
    pub to_port: Option<i64>,
}

/// A KMS key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Key {
    /// `CUSTOMER` or `AWS`.
    pub manager: Option<Fact<String>>,
    /// Automatic rotation is on.
    pub rotation: Option<Fact<bool>>,
}

/// The AWS Config recorder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigRecorder {
    /// It is recording.
    pub recording: Option<Fact<bool>>,
}

/// An AWS Config rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigRule {
    /// `COMPLIANT`, `NON_COMPLIANT`, `NOT_APPLICABLE`, `INSUFFICIENT_DATA`.
    pub compliance: Option<Fact<String>>,
}

/// An AWS Backup plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupPlan {
    /// Its name.
    pub name: Option<String>,
    /// The shortest retention of its rules, in days (none when a rule keeps forever).
    pub retention_days: Option<Fact<Option<u64>>>,
    /// The resources its selections name (ARNs, `*` patterns).
    pub resources: Option<Fact<Vec<String>>>,
}

/// A Security Hub finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SecurityFinding {
    /// Its title.
    pub title: String,
    /// `PASSED`, `FAILED`, `WARNING`, `NOT_AVAILABLE`, when a control reported it.
    pub compliance: Option<Fact<String>>,
    /// `INFORMATIONAL` to `CRITICAL`.
    pub severity: String,
    /// The resources it is about.
    pub resources: Vec<String>,
}

/// What the infrastructure rules concluded: one result per built-in rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InfraResults {
    /// The export files read.
    pub files: Vec<String>,
    /// How many resources the inventory holds.
    pub resources: u64,
    /// Each built-in rule, in the order of the rule table.
    pub rules: Vec<RuleResult>,
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleResult {
    /// The rule id.
    pub id: String,
    /// Pass, fail, gap or disabled.
    pub status: RuleStatus,
    /// How many resources of the kinds it reads the inventory holds.
    pub checked: u64,
    /// The requirements it evidences.
    pub requirements: Vec<String>,
    /// Each violation.
    pub violations: Vec<Violation>,
    /// Each export it needed and did not have.
    pub gaps: Vec<String>,
}

/// How a rule came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RuleStatus {
    /// Nothing wrong, nothing missing.
    Pass,
    /// At least one violation.
    Fail,
    /// No violation, but an export it needs is missing.
    Gap,
    /// The exports hold no resource of the kind it reads, and it needs none.
    NotApplicable,
    /// Switched off in `dossier.yaml`.
    Disabled,
}

/// One violation of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The resource.
    pub resource: String,
    /// What is wrong.
    pub message: String,
    /// The export file.
    pub file: String,
    /// The JSON pointer of the fact in it.
    #[serde(default)]
    pub pointer: String,
    /// Its line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}
