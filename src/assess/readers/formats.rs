//! The formats of the tools dossier reads, in one table: what each is, the versions its
//! reader was tested against, the evidence type it implies, and how it is recognised.
//! `dossier catalog formats` prints this table; the book's "Supported evidence formats"
//! page has a row for each entry.

use serde_json::Value;

use super::source::Source;
use super::{aws, bom, data_quality, dvc, fairness, guardrail, llm_tests, metrics, mlflow, model_card, terraform};
use crate::catalog::taxonomy::Format as HeadFormat;
use crate::collect::inspect::Inspection;
use crate::model::document::Document;

/// The syntax a file is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// One JSON document.
    Json,
    /// One YAML document.
    Yaml,
    /// XML.
    Xml,
    /// Markdown, with YAML front matter.
    Markdown,
    /// One JSON record per line.
    Lines,
    /// Apache Parquet.
    Parquet,
    /// A small text file of a known layout (MLflow's run files).
    Text,
    /// An image, video, audio file or PDF, read for the C2PA manifest it embeds.
    Media,
}

impl Syntax {
    /// The syntax of the file at `path`, from its head when there is one, else its name.
    pub fn of(path: &str, head: Option<&Inspection>) -> Option<Syntax> {
        let head_format = head.and_then(|h| h.format);
        if head_format == Some(HeadFormat::Jsonl) {
            return Some(Syntax::Lines);
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        match lower.rsplit_once('.').map(|(_, e)| e) {
            Some("jsonl" | "ndjson") => return Some(Syntax::Lines),
            Some("parquet") => return Some(Syntax::Parquet),
            Some("json") => return Some(Syntax::Json),
            Some("yaml" | "yml" | "dvc") => return Some(Syntax::Yaml),
            Some("xml") => return Some(Syntax::Xml),
            Some("md" | "markdown") => return Some(Syntax::Markdown),
            _ => {}
        }
        if name == "MLmodel" || lower == super::DVC_LOCK {
            return Some(Syntax::Yaml);
        }
        if mlflow::is_run_file(path) || super::aws::is_error_file(path) {
            return Some(Syntax::Text);
        }
        match head_format? {
            HeadFormat::Json => Some(Syntax::Json),
            HeadFormat::Yaml => Some(Syntax::Yaml),
            HeadFormat::Xml => Some(Syntax::Xml),
            HeadFormat::Markdown => Some(Syntax::Markdown),
            HeadFormat::Jsonl => Some(Syntax::Lines),
            HeadFormat::Csv => None,
        }
    }

    /// Whether a file of this syntax, with this head, may be in a tool's format (and so is
    /// worth gathering whole when its type alone would not have it read).
    pub fn may_hold_a_format(self, head: Option<&Inspection>) -> bool {
        match self {
            Syntax::Json | Syntax::Yaml | Syntax::Text => true,
            Syntax::Xml => head.is_some_and(|h| matches!(h.xml_root.as_deref(), Some("testsuites" | "testsuite"))),
            Syntax::Markdown => head.is_some_and(|h| h.front_matter_keys.contains("model-index")),
            Syntax::Lines | Syntax::Parquet => true,
            Syntax::Media => false,
        }
    }
}

/// A format some tool writes.
#[derive(Debug)]
pub struct Format {
    /// The reader's id (`fairlearn-metricframe`).
    pub id: &'static str,
    /// The tool that writes it.
    pub tool: &'static str,
    /// The tool versions the reader was tested against (fixtures the tool wrote).
    pub tested: &'static str,
    /// The evidence type a file in this format is, when no path rule says otherwise.
    pub evidence_type: &'static str,
    /// The syntax.
    pub syntax: Syntax,
    /// What the reader takes from it.
    pub reads: &'static str,
    /// For JSON and YAML formats: how the parsed document is recognised, and read.
    value: Option<(Recognise, Read)>,
}

type Recognise = fn(&Value) -> bool;
type Read = fn(&mut Source<'_>, &Value) -> Option<Document>;

const fn value(
    id: &'static str,
    tool: &'static str,
    tested: &'static str,
    evidence_type: &'static str,
    syntax: Syntax,
    reads: &'static str,
    how: (Recognise, Read),
) -> Format {
    Format { id, tool, tested, evidence_type, syntax, reads, value: Some(how) }
}

const fn other(
    id: &'static str,
    tool: &'static str,
    tested: &'static str,
    evidence_type: &'static str,
    syntax: Syntax,
    reads: &'static str,
) -> Format {
    Format { id, tool, tested, evidence_type, syntax, reads, value: None }
}

use Syntax::{Json, Lines, Markdown, Media, Parquet, Text, Xml, Yaml};

/// What the AWS readers were tested against: moto's responses through boto3, written as
/// the AWS CLI writes them (tests/fixtures/infra/aws).
const AWS_TESTED: &str =
    "boto3 and moto (the pins in tests/fixtures/infra/aws/requirements.txt), AWS CLI v2 output layout";

/// Every tool format, most specific first: the first whose recognition matches reads
/// the file.
pub static FORMATS: &[Format] = &[
    value(
        "cyclonedx-bom",
        "CycloneDX (cyclonedx-python-lib)",
        "cyclonedx-python-lib 11.12.0 and cdxgen 12.8.4, spec 1.6",
        "sbom",
        Json,
        "components with type, version and SHA-256; the SHA-256 of each checked against the evidence",
        (bom::is_cyclonedx, bom::cyclonedx),
    ),
    value(
        "spdx-3",
        "SPDX 3.0",
        "spdx-python-model 0.0.6, SPDX 3.0.1 JSON-LD",
        "sbom",
        Json,
        "AI and dataset packages with version and SHA-256; the SHA-256 of each checked against the evidence",
        (bom::is_spdx3, bom::spdx3),
    ),
    value(
        "sagemaker-clarify-bias",
        "Amazon SageMaker Clarify",
        "smclarify 0.5 values in the documented analysis.json layout",
        "bias-report",
        Json,
        "pre- and post-training bias metrics per facet value; DI is the group's disparate impact ratio",
        (fairness::is_clarify, fairness::clarify),
    ),
    value(
        "aif360-metrics",
        "AI Fairness 360",
        "aif360 0.6.1 (MetricJSONExplainer)",
        "bias-report",
        Json,
        "disparate impact, statistical parity, equal opportunity and average odds, privileged and unprivileged groups",
        (fairness::is_aif360, fairness::aif360),
    ),
    value(
        "fairlearn-metricframe",
        "Fairlearn",
        "fairlearn 0.15.0",
        "bias-report",
        Json,
        "MetricFrame by_group (either orientation) and overall; demographic parity and equalized odds ratios and differences",
        (fairness::is_fairlearn, fairness::fairlearn),
    ),
    value(
        "gx-validation-result",
        "Great Expectations",
        "great_expectations 1.24.1 and 0.18.22",
        "data-quality-report",
        Json,
        "success, expectations evaluated and passed, each failed expectation with its column",
        (data_quality::is_gx, data_quality::gx),
    ),
    value(
        "evidently-report",
        "Evidently",
        "evidently 0.7.23 and 0.4.40",
        "monitoring-report",
        Json,
        "dataset drift (drifted columns, share), test results with the failed tests named",
        (data_quality::is_evidently, data_quality::evidently),
    ),
    value(
        "dvc-file",
        "DVC",
        "dvc 3.67.1 and 2.58.2",
        "dataset-manifest",
        Yaml,
        "each output's path, MD5 and size, checked against the file it names",
        (dvc::is_dvc_file, dvc::dvc_file),
    ),
    value(
        "dvc-lock",
        "DVC",
        "dvc 3.67.1",
        "dataset-manifest",
        Yaml,
        "each stage's outputs with path, MD5 and size, checked against the files they name",
        (dvc::is_dvc_lock, dvc::dvc_lock),
    ),
    value(
        "mlflow-mlmodel",
        "MLflow",
        "mlflow-skinny 3.17.2",
        "model-metadata",
        Yaml,
        "model id, run id, flavors, utc_time_created",
        (mlflow::is_mlmodel, mlflow::mlmodel),
    ),
    value(
        "mlflow-model-version",
        "MLflow",
        "mlflow-skinny 3.17.2 (file store)",
        "model-metadata",
        Yaml,
        "registered model name, version, stage and status, run id, creation time",
        (mlflow::is_model_version, mlflow::model_version),
    ),
    value(
        "mlflow-run",
        "MLflow",
        "mlflow-skinny 3.17.2 (file store)",
        "evaluation-metrics",
        Yaml,
        "a run's id, name, status and start time",
        (mlflow::is_run_meta, mlflow::run_meta),
    ),
    value(
        "sagemaker-model-package",
        "Amazon SageMaker Model Registry",
        "DescribeModelPackage output (awscli 1.46.3 service model)",
        "model-metadata",
        Json,
        "model package ARN, version, approval status, creation time",
        (model_card::is_sagemaker_package, model_card::sagemaker_package),
    ),
    value(
        "sagemaker-model-card",
        "Amazon SageMaker Model Cards",
        "sagemaker 2.257.7 card content and DescribeModelCard output",
        "model-card",
        Json,
        "model id and version, intended uses, limitations, evaluation metrics",
        (model_card::is_sagemaker_card, model_card::sagemaker_card),
    ),
    value(
        "lm-eval-results",
        "lm-evaluation-harness",
        "lm_eval 0.4.13",
        "evaluation-metrics",
        Json,
        "every task's metrics (task/metric), the model, sample counts, the run date",
        (metrics::is_lm_eval, metrics::lm_eval),
    ),
    value(
        "inspect-eval-log",
        "Inspect AI",
        "inspect_ai 0.3.285 (JSON log)",
        "evaluation-metrics",
        Json,
        "each scorer's metrics (scorer/metric), the model, samples, status and date",
        (metrics::is_inspect, metrics::inspect),
    ),
    value(
        "wandb-summary",
        "Weights & Biases",
        "wandb 0.31.0 (offline run)",
        "evaluation-metrics",
        Json,
        "the run summary's numeric values, nested ones as outer/inner",
        (metrics::is_wandb_summary, metrics::wandb_summary),
    ),
    value(
        "sklearn-classification-report",
        "scikit-learn",
        "scikit-learn 1.9.1",
        "evaluation-metrics",
        Json,
        "accuracy and each class's and average's precision, recall, F1 and support",
        (metrics::is_classification_report, metrics::classification_report),
    ),
    value(
        "sklearn-confusion-matrix",
        "scikit-learn",
        "scikit-learn 1.9.1",
        "evaluation-metrics",
        Json,
        "the confusion matrix with its labels (rows actual, columns predicted)",
        (metrics::is_confusion_matrix, metrics::confusion_matrix),
    ),
    value(
        "huggingface-eval-results",
        "Hugging Face Hub",
        "huggingface_hub 2.4.0 (.eval_results)",
        "evaluation-metrics",
        Yaml,
        "each result's metric type and value, dataset and task",
        (metrics::is_hf_eval_results, metrics::hf_eval_results),
    ),
    value(
        "deepeval-test-run",
        "DeepEval",
        "deepeval 4.3.1",
        "evaluation-metrics",
        Json,
        "test cases passed and failed with the failed ones named, mean score per metric",
        (llm_tests::is_deepeval, llm_tests::deepeval),
    ),
    value(
        "nemo-guardrails-config",
        "NVIDIA NeMo Guardrails",
        "nemoguardrails 0.24.1 (config.yml loaded by RailsConfig.from_path)",
        "guardrail-config",
        Yaml,
        "the input, output and retrieval rails with the kind of each known flow (moderation, jailbreak detection, PII masking or blocking, fact checking), and the PII entities of each stage",
        (guardrail::is_nemo, guardrail::nemo),
    ),
    value(
        "pyrit-attack-results",
        "PyRIT",
        "pyrit 1.1.0 (AttackResult.model_dump of PromptSendingAttack runs)",
        "red-team-report",
        Json,
        "attacks per harm category (`targeted_harm_categories`, else the `harm_category` label): `success` got through, `failure` held, `error` and `undetermined` left out; the objectives that got through",
        (llm_tests::is_pyrit, llm_tests::pyrit),
    ),
    value(
        "promptfoo-redteam",
        "promptfoo",
        "promptfoo 0.121.20 (redteam eval)",
        "red-team-report",
        Json,
        "attacks per red-team plugin (tests made and those that got through, the failing ones named, the plugin's severity), with the test counts",
        (llm_tests::is_promptfoo_redteam, llm_tests::promptfoo),
    ),
    value(
        "promptfoo-results",
        "promptfoo",
        "promptfoo 0.121.20",
        "evaluation-metrics",
        Json,
        "successes, failures and errors with the failed tests named, mean named scores",
        (llm_tests::is_promptfoo, llm_tests::promptfoo),
    ),
    value(
        "bedrock-guardrail",
        "Amazon Bedrock",
        "AWS CLI 1.46.3 (botocore 1.43.62) get-guardrail, from botocore's GetGuardrailResponse shape",
        "guardrail-config",
        Json,
        "content filter strengths per category and direction, denied topics, word filters, PII rules with their actions, grounding and relevance thresholds, blocked messages",
        (guardrail::is_bedrock, guardrail::bedrock),
    ),
    value(
        "ragas-results",
        "Ragas",
        "ragas 0.4.3 (records and scores)",
        "evaluation-metrics",
        Json,
        "the mean of each metric over the samples, and the sample count",
        (metrics::is_ragas, metrics::ragas),
    ),
    value(
        "otel-genai-spans",
        "OpenTelemetry (OTLP JSON)",
        "opentelemetry-sdk 1.45.2 (Python), @opentelemetry/sdk-trace 3.1.1 (JS)",
        "inference-log",
        Json,
        "GenAI spans as records: time, id, model, input and output where recorded, latency",
        (super::log::is_otlp_request, super::log::otlp_request),
    ),
    other(
        "junit",
        "JUnit XML (pytest, Maven Surefire, jest-junit, go-junit-report)",
        "pytest 9.2.0, Surefire 2.22.3, jest-junit 17.0.0, go-junit-report 2.1.0",
        "robustness-report",
        Xml,
        "tests, failures, errors and skips, the failed cases named classname.name",
    ),
    other(
        "huggingface-model-card",
        "Hugging Face Hub",
        "huggingface_hub 2.4.0 (ModelCard)",
        "model-card",
        Markdown,
        "model-index metrics, model id and version, the Uses and Limitations sections",
    ),
    other(
        "mlflow-metric",
        "MLflow",
        "mlflow-skinny 3.17.2 (file store)",
        "evaluation-metrics",
        Text,
        "a metric's last logged value, named by the file",
    ),
    other(
        "mlflow-param",
        "MLflow",
        "mlflow-skinny 3.17.2 (file store)",
        "model-metadata",
        Text,
        "a run parameter, named by the file",
    ),
    other(
        "mlflow-tag",
        "MLflow",
        "mlflow-skinny 3.17.2 (file store)",
        "model-metadata",
        Text,
        "a run tag, named by the file",
    ),
    other(
        "sagemaker-data-capture",
        "Amazon SageMaker Data Capture",
        "documented Data Capture schema (eventVersion 0)",
        "inference-log",
        Lines,
        "records, time span and gaps from eventMetadata.inferenceTime; input and output captured",
    ),
    other(
        "bedrock-invocation-log",
        "Amazon Bedrock model invocation logging",
        "documented invocation log schema 1.0",
        "inference-log",
        Lines,
        "records, time span and gaps, caller identity, model, input and output",
    ),
    other(
        "c2pa-content-credentials",
        "any C2PA signer (checked with the C2PA SDK, c2pa 0.90.22)",
        "c2pa-python 0.38.1 (c2pa-rs 0.91.3) signed JPEG and PNG, v1 and v2 claims",
        "generated-output-sample",
        Media,
        "for sampled generated outputs: whether a manifest is embedded, the SDK's validation state and codes, claim version, generator, signer, actions and IPTC digital source types",
    ),
    other(
        "watermark-detections",
        "text watermark detectors (green-list and others)",
        "text-watermark-studio 2.4.3 (ai-wm detect --json, kept per sample under `result`)",
        "watermark-report",
        Lines,
        "per sample: detected or not (`detected`, or a `verdict` naming the watermark), and whether it is a human-written control (`set: human`)",
    ),
    other(
        "garak-report",
        "garak",
        "garak 0.17.1",
        "red-team-report",
        Lines,
        "each probe and detector's passed and total attempts",
    ),
    other(
        "jsonl",
        "JSON Lines logs",
        "any",
        "inference-log",
        Lines,
        "records, time span and gaps, the record-keeping fields named in checks.log_fields",
    ),
    other(
        "parquet-log",
        "Apache Parquet (pyarrow, Spark, ...)",
        "pyarrow 26.0.1",
        "inference-log",
        Parquet,
        "records, time span and gaps, the record-keeping fields named in checks.log_fields; read a row group at a time",
    ),
    value(
        "terraform-json",
        "Terraform (terraform show -json)",
        "Terraform 1.11.4 with the AWS provider 5.100.0 (plan format 1.2, state format 1.0)",
        "infrastructure-config",
        Json,
        "plans (resource_changes, after values) and state (values): SageMaker, S3, KMS, CloudTrail, IAM and security-group resources by address",
        (terraform::is_terraform, terraform::read),
    ),
    value(
        "aws-cloudtrail",
        "AWS CLI v2 / boto3 (cloudtrail)",
        AWS_TESTED,
        "infrastructure-config",
        Json,
        "describe-trails (multi-region, log-file validation), get-trail-status (logging), get-event-selectors (basic and advanced: management and data events with their resources)",
        (aws::is_cloudtrail, aws::cloudtrail),
    ),
    value(
        "aws-s3",
        "AWS CLI v2 / boto3 (s3api)",
        AWS_TESTED,
        "infrastructure-config",
        Json,
        "list-buckets; per bucket (its folder): versioning, Object Lock default retention, default encryption and key, the four public-access blocks, tags, policy",
        (aws::is_s3, aws::s3),
    ),
    value(
        "aws-iam",
        "AWS CLI v2 / boto3 (iam)",
        AWS_TESTED,
        "infrastructure-config",
        Json,
        "get-account-authorization-details: each role's trusted services, inline and attached policy statements (effect, actions, resources) and tags; sts get-caller-identity (the account)",
        (aws::is_iam, aws::iam),
    ),
    value(
        "aws-sagemaker",
        "AWS CLI v2 / boto3 (sagemaker)",
        AWS_TESTED,
        "infrastructure-config",
        Json,
        "describe-model (VPC, network isolation, role), describe-endpoint-config (KMS key, models), describe-endpoint (deployment policy, rollback alarms), list-model-packages and describe-model-package (versions, approval)",
        (aws::is_sagemaker, aws::sagemaker),
    ),
    value(
        "aws-ec2-security-groups",
        "AWS CLI v2 / boto3 (ec2)",
        AWS_TESTED,
        "infrastructure-config",
        Json,
        "describe-security-groups: every ingress range (IPv4 and IPv6) with protocol and ports, tags",
        (aws::is_ec2, aws::ec2),
    ),
    value(
        "aws-kms",
        "AWS CLI v2 / boto3 (kms)",
        AWS_TESTED,
        "infrastructure-config",
        Json,
        "describe-key (customer or AWS managed), get-key-rotation-status (the key of its folder)",
        (aws::is_kms, aws::kms),
    ),
    value(
        "aws-backup",
        "AWS CLI v2 / boto3 (backup)",
        AWS_TESTED,
        "infrastructure-config",
        Json,
        "list-backup-plans, get-backup-plan (the shortest retention of its rules), get-backup-selection (the resources it covers)",
        (aws::is_backup, aws::backup),
    ),
    value(
        "aws-config",
        "AWS CLI v2 / boto3 (configservice)",
        AWS_TESTED,
        "infrastructure-config",
        Json,
        "describe-configuration-recorder-status (recording), describe-compliance-by-config-rule (each rule's compliance)",
        (aws::is_config, aws::config),
    ),
    value(
        "aws-config-items",
        "AWS Config (configuration items)",
        AWS_TESTED,
        "infrastructure-config",
        Json,
        "configuration items of S3 buckets (versioning, encryption, public-access blocks, Object Lock, tags), CloudTrail trails, KMS keys (rotation) and security groups (ingress), from their configuration and supplementary configuration",
        (aws::is_config_items, aws::config_items),
    ),
    value(
        "aws-securityhub",
        "AWS Security Hub (ASFF, get-findings)",
        AWS_TESTED,
        "infrastructure-config",
        Json,
        "each finding's title, severity, compliance status and resources",
        (aws::is_securityhub, aws::securityhub),
    ),
    other(
        "aws-cli-error",
        "AWS CLI v2 / boto3 (a failed call)",
        AWS_TESTED,
        "infrastructure-config",
        Text,
        "the one-line error a failed call prints, saved as <call>.error.txt: a missing Object Lock, encryption or public-access-block configuration is read as the setting being off",
    ),
];

/// The format with this id (the table's ids are fixed).
pub fn get(id: &str) -> &'static Format {
    FORMATS.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no format {id}"))
}

/// Reads a parsed JSON or YAML document as the first tool format that recognises it.
pub(super) fn read_value(source: &mut Source<'_>, v: &Value) -> Option<(Document, &'static Format)> {
    FORMATS.iter().find_map(|f| {
        let (recognise, read) = f.value?;
        (recognise(v) && (f.syntax == Syntax::Json || f.syntax == Syntax::Yaml)).then_some(())?;
        read(source, v).map(|d| (d, f))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut ids: Vec<&str> = FORMATS.iter().map(|f| f.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), FORMATS.len());
        assert!(ids.iter().all(|id| id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')));
    }
}
