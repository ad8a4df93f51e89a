//! AWS exports: the JSON the AWS CLI (or boto3) writes for one call, recognised by its
//! keys, read into the resources it describes. Where a call's output does not name its
//! resource (the S3 bucket calls, a trail's status, a KMS key's rotation), the resource
//! is named by the folder the file sits in, as the export script lays them out:
//! `s3/<bucket>/get-bucket-versioning.json`, `kms/<key-id>/get-key-rotation-status.json`.
//! A failed call is kept as the CLI's one-line error (`<call>.error.txt`), and an error
//! that says a setting does not exist is read as the setting being off.

use std::collections::BTreeMap;

use serde_json::Value;

use super::source::{Source, has_keys, line_of_pointer, string};
use crate::model::document::Document;
use crate::model::infra::{
    At, BackupPlan, Bucket, ConfigRecorder, ConfigRule, DataEvents, Endpoint, EndpointConfig, Fact, Facts, Ingress,
    Key, Model, ModelPackageGroup, ObjectLock, Origin, PackageVersion, Resource, Role, SecurityFinding, SecurityGroup,
    Statement, Trail,
};

/// Where in the source a pointer is.
fn at(source: &Source<'_>, pointer: &str) -> At {
    At { file: source.path.to_string(), pointer: pointer.to_string(), line: line_of_pointer(source.text, pointer) }
}

fn fact<T>(source: &Source<'_>, pointer: &str, value: T) -> Option<Fact<T>> {
    Some(Fact { value, at: at(source, pointer) })
}

fn resource(source: &Source<'_>, id: impl Into<String>, pointer: &str, facts: Facts) -> Resource {
    Resource { id: id.into(), origin: Origin::Aws, tags: BTreeMap::new(), at: at(source, pointer), facts }
}

fn document(resources: Vec<Resource>) -> Option<Document> {
    Some(Document::Infrastructure(crate::model::document::InfraExport { resources }))
}

/// The folder a file sits in: the resource its call was about.
fn folder(path: &str) -> Option<&str> {
    let mut parts = path.rsplit('/');
    parts.next()?;
    parts.next().filter(|p| !p.is_empty())
}

/// The file's name without `.json` (or `.error.txt`).
fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".json").or_else(|| name.strip_suffix(".error.txt")).unwrap_or(name)
}

fn text_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer).and_then(string)
}

fn bool_at(v: &Value, pointer: &str) -> Option<bool> {
    v.pointer(pointer).and_then(Value::as_bool)
}

fn tags(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| Some((text_at(t, "/Key")?, t.get("Value").and_then(string).unwrap_or_default())))
        .collect()
}

// ---------------------------------------------------------------------------------------
// CloudTrail

/// `describe-trails`, `get-trail-status` or `get-event-selectors`.
pub(super) fn is_cloudtrail(v: &Value) -> bool {
    v.get("trailList").is_some_and(Value::is_array)
        || has_keys(v, &["IsLogging"])
        || (has_keys(v, &["TrailARN"])
            && (v.get("EventSelectors").is_some() || v.get("AdvancedEventSelectors").is_some()))
}

pub(super) fn cloudtrail(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    if let Some(trails) = v.get("trailList").and_then(Value::as_array) {
        let resources = trails
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let p = format!("/trailList/{i}");
                let id = text_at(t, "/TrailARN").or_else(|| text_at(t, "/Name"))?;
                let trail = Trail {
                    multi_region: bool_at(t, "/IsMultiRegionTrail")
                        .and_then(|b| fact(source, &format!("{p}/IsMultiRegionTrail"), b)),
                    log_file_validation: bool_at(t, "/LogFileValidationEnabled")
                        .and_then(|b| fact(source, &format!("{p}/LogFileValidationEnabled"), b)),
                    ..Trail::default()
                };
                Some(resource(source, id, &p, Facts::Trail(trail)))
            })
            .collect();
        return document(resources);
    }
    // The status and selector calls are about the trail of the folder (or the ARN they name).
    let id = text_at(v, "/TrailARN").or_else(|| folder(source.path).map(str::to_string))?;
    let mut trail = Trail::default();
    if let Some(logging) = bool_at(v, "/IsLogging") {
        trail.logging = fact(source, "/IsLogging", logging);
    }
    if let Some(selectors) = v.get("EventSelectors").and_then(Value::as_array) {
        let mut management = false;
        let mut data = Vec::new();
        for s in selectors {
            management |= bool_at(s, "/IncludeManagementEvents").unwrap_or(true);
            for r in s.get("DataResources").and_then(Value::as_array).into_iter().flatten() {
                let arns: Vec<String> =
                    r.get("Values").and_then(Value::as_array).into_iter().flatten().filter_map(string).collect();
                // A value that is only the type's prefix (`arn:aws:s3`) means every resource.
                let arns = if arns.iter().any(|a| a.matches(':').count() < 3) { Vec::new() } else { arns };
                data.push(DataEvents { resource_type: text_at(r, "/Type").unwrap_or_default(), arns });
            }
        }
        trail.management_events = fact(source, "/EventSelectors", management);
        trail.data_events = fact(source, "/EventSelectors", data);
    }
    if let Some(selectors) = v.get("AdvancedEventSelectors").and_then(Value::as_array) {
        let mut management = false;
        let mut data = Vec::new();
        for s in selectors {
            let fields = s.get("FieldSelectors").and_then(Value::as_array).cloned().unwrap_or_default();
            let values = |field: &str, op: &str| -> Vec<String> {
                fields
                    .iter()
                    .filter(|f| f.get("Field").and_then(Value::as_str) == Some(field))
                    .flat_map(|f| f.get(op).and_then(Value::as_array).cloned().unwrap_or_default())
                    .filter_map(|x| string(&x))
                    .collect()
            };
            let category = values("eventCategory", "Equals");
            if category.iter().any(|c| c == "Management") {
                management = true;
            }
            if category.iter().any(|c| c == "Data") {
                let mut arns = values("resources.ARN", "StartsWith");
                arns.extend(values("resources.ARN", "Equals"));
                for resource_type in values("resources.type", "Equals") {
                    data.push(DataEvents { resource_type, arns: arns.clone() });
                }
            }
        }
        trail.management_events = fact(source, "/AdvancedEventSelectors", management);
        trail.data_events = fact(source, "/AdvancedEventSelectors", data);
    }
    document(vec![resource(source, id, "", Facts::Trail(trail))])
}

// ---------------------------------------------------------------------------------------
// S3

const S3_KEYS: &[&str] = &[
    "ObjectLockConfiguration",
    "ServerSideEncryptionConfiguration",
    "PublicAccessBlockConfiguration",
    "TagSet",
    "Policy",
];

/// One of the bucket calls, or `list-buckets`.
pub(super) fn is_s3(v: &Value) -> bool {
    let Some(map) = v.as_object() else { return false };
    (map.len() == 1 && S3_KEYS.iter().any(|k| map.contains_key(*k)))
        || has_keys(v, &["Buckets", "Owner"])
        || is_versioning(v)
}

/// `get-bucket-versioning`: `Status` and `MFADelete` only; `{}` for a bucket whose
/// versioning was never enabled.
fn is_versioning(v: &Value) -> bool {
    v.as_object().is_some_and(|m| !m.is_empty() && m.keys().all(|k| k == "Status" || k == "MFADelete"))
}

pub(super) fn s3(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    if let Some(buckets) = v.get("Buckets").and_then(Value::as_array) {
        let resources = buckets
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                let name = text_at(b, "/Name")?;
                Some(resource(source, name, &format!("/Buckets/{i}"), Facts::Bucket(Bucket::default())))
            })
            .collect();
        return document(resources);
    }
    let name = folder(source.path)?.to_string();
    let mut bucket = Bucket::default();
    let mut tag_set = BTreeMap::new();
    if is_versioning(v) || (v.as_object().is_some_and(|m| m.is_empty()) && stem(source.path) == "get-bucket-versioning")
    {
        let status = text_at(v, "/Status").unwrap_or_else(|| "Off".into());
        bucket.versioning = fact(source, if v.get("Status").is_some() { "/Status" } else { "" }, status);
    }
    if let Some(lock) = v.get("ObjectLockConfiguration") {
        let retention = lock.pointer("/Rule/DefaultRetention");
        let days = retention.and_then(|r| {
            r.get("Days").and_then(Value::as_u64).or_else(|| r.get("Years").and_then(Value::as_u64).map(|y| y * 365))
        });
        bucket.object_lock = fact(
            source,
            "/ObjectLockConfiguration",
            ObjectLock {
                enabled: text_at(lock, "/ObjectLockEnabled").as_deref() == Some("Enabled"),
                mode: retention.and_then(|r| text_at(r, "/Mode")),
                days,
            },
        );
    }
    if let Some(rules) = v.pointer("/ServerSideEncryptionConfiguration/Rules").and_then(Value::as_array) {
        let by_default = rules.iter().position(|r| r.get("ApplyServerSideEncryptionByDefault").is_some());
        let pointer = by_default.map_or("/ServerSideEncryptionConfiguration".to_string(), |i| {
            format!("/ServerSideEncryptionConfiguration/Rules/{i}/ApplyServerSideEncryptionByDefault")
        });
        let rule = by_default.and_then(|i| rules[i].get("ApplyServerSideEncryptionByDefault"));
        let algorithm = rule.and_then(|r| text_at(r, "/SSEAlgorithm")).unwrap_or_else(|| "none".into());
        bucket.encryption = fact(source, &format!("{pointer}/SSEAlgorithm"), algorithm);
        if let Some(key) = rule.and_then(|r| text_at(r, "/KMSMasterKeyID")) {
            bucket.encryption_key = fact(source, &format!("{pointer}/KMSMasterKeyID"), key);
        }
    }
    if let Some(block) = v.get("PublicAccessBlockConfiguration") {
        let all = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]
            .iter()
            .all(|k| block.get(*k).and_then(Value::as_bool) == Some(true));
        bucket.public_access_blocked = fact(source, "/PublicAccessBlockConfiguration", all);
    }
    if v.get("TagSet").is_some() {
        tag_set = tags(v.get("TagSet"));
    }
    let mut r = resource(source, name, "", Facts::Bucket(bucket));
    r.tags = tag_set;
    document(vec![r])
}

/// An export whose content alone does not say what it is, read by its file name: the
/// `{}` that `get-bucket-versioning` prints for a bucket whose versioning was never
/// enabled.
pub(super) fn by_name(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let empty = v.as_object().is_some_and(|m| m.is_empty());
    (empty && stem(source.path) == "get-bucket-versioning").then(|| s3(source, v)).flatten()
}

// ---------------------------------------------------------------------------------------
// IAM

/// `get-account-authorization-details`, or `sts get-caller-identity` (the account the
/// exports come from, which describes no resource).
pub(super) fn is_iam(v: &Value) -> bool {
    has_keys(v, &["RoleDetailList"])
        || (has_keys(v, &["UserId", "Account", "Arn"]) && v.as_object().is_some_and(|m| m.len() == 3))
}

/// The statements of a policy document (an object, or the URL-encoded JSON text some
/// exports keep), normalised to lists.
fn statements(policy: &str, document: &Value) -> Vec<(usize, Statement)> {
    let parsed;
    let document = match document {
        Value::String(text) => {
            let decoded = percent_decode(text);
            parsed = serde_json::from_str::<Value>(&decoded).unwrap_or(Value::Null);
            &parsed
        }
        other => other,
    };
    let list = |x: Option<&Value>| -> Vec<String> {
        match x {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a.iter().filter_map(string).collect(),
            _ => Vec::new(),
        }
    };
    let all = match document.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    all.into_iter()
        .enumerate()
        .map(|(i, s)| {
            (
                i,
                Statement {
                    policy: policy.to_string(),
                    effect: text_at(s, "/Effect").unwrap_or_else(|| "Allow".into()),
                    actions: list(s.get("Action")),
                    resources: list(s.get("Resource")),
                },
            )
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(text.get(i + 1..i + 3).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn iam(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    if v.get("RoleDetailList").is_none() {
        return document(Vec::new());
    }
    // Managed policies' default versions, by ARN, with where their statements are.
    let mut managed: BTreeMap<String, (String, String, &Value)> = BTreeMap::new();
    for (i, p) in v.get("Policies").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let Some(arn) = text_at(p, "/Arn") else { continue };
        // The policy's name, or the end of its ARN (some exports leave the name out).
        let name = text_at(p, "/PolicyName").unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(&arn).to_string());
        let versions = p.get("PolicyVersionList").and_then(Value::as_array);
        if let Some((j, version)) = versions
            .into_iter()
            .flatten()
            .enumerate()
            .find(|(_, x)| x.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true))
            && let Some(doc) = version.get("Document")
        {
            managed.insert(arn, (name, format!("/Policies/{i}/PolicyVersionList/{j}/Document"), doc));
        }
    }
    let mut resources = Vec::new();
    for (i, role) in v.get("RoleDetailList").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let Some(id) = text_at(role, "/Arn").or_else(|| text_at(role, "/RoleName")) else { continue };
        let mut all = Vec::new();
        for (j, p) in role.get("RolePolicyList").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let name = text_at(p, "/PolicyName").unwrap_or_default();
            let base = format!("/RoleDetailList/{i}/RolePolicyList/{j}/PolicyDocument");
            for (k, s) in statements(&name, p.get("PolicyDocument").unwrap_or(&Value::Null)) {
                all.extend(fact(source, &format!("{base}/Statement/{k}"), s));
            }
        }
        for p in role.get("AttachedManagedPolicies").and_then(Value::as_array).into_iter().flatten() {
            let Some((name, base, doc)) = text_at(p, "/PolicyArn").and_then(|arn| managed.get(&arn)) else { continue };
            for (k, s) in statements(name, doc) {
                all.extend(fact(source, &format!("{base}/Statement/{k}"), s));
            }
        }
        let services = role
            .pointer("/AssumeRolePolicyDocument/Statement")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|s| match s.pointer("/Principal/Service") {
                Some(Value::String(one)) => vec![one.clone()],
                Some(Value::Array(many)) => many.iter().filter_map(string).collect(),
                _ => Vec::new(),
            })
            .collect();
        let role_facts = Role { services, statements: all };
        let mut r = resource(source, id, &format!("/RoleDetailList/{i}"), Facts::Role(role_facts));
        r.tags = tags(role.get("Tags"));
        resources.push(r);
    }
    document(resources)
}

// ---------------------------------------------------------------------------------------
// SageMaker

/// `describe-model`, `describe-endpoint-config`, `describe-endpoint`,
/// `list-model-packages` or `describe-model-package`.
pub(super) fn is_sagemaker(v: &Value) -> bool {
    has_keys(v, &["ModelName", "ModelArn"])
        || has_keys(v, &["EndpointConfigName", "EndpointConfigArn", "ProductionVariants"])
        || has_keys(v, &["EndpointArn", "EndpointStatus"])
        || has_keys(v, &["ModelPackageSummaryList"])
        || has_keys(v, &["ModelPackageArn", "ModelApprovalStatus"])
}

pub(super) fn sagemaker(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    if has_keys(v, &["EndpointArn", "EndpointStatus"]) {
        let id = text_at(v, "/EndpointArn")?;
        let deployment = v.get("LastDeploymentConfig").or_else(|| v.get("DeploymentConfig"));
        let (how, pointer) = match deployment {
            Some(d) if d.get("BlueGreenUpdatePolicy").is_some() => ("blue-green", "/LastDeploymentConfig"),
            Some(d) if d.get("RollingUpdatePolicy").is_some() => ("rolling", "/LastDeploymentConfig"),
            _ => ("none", ""),
        };
        let pointer = if v.get("LastDeploymentConfig").is_some() { pointer } else { "/DeploymentConfig" };
        let pointer = if how == "none" { "" } else { pointer };
        let alarms: Vec<String> = deployment
            .and_then(|d| d.pointer("/AutoRollbackConfiguration/Alarms"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| text_at(a, "/AlarmName"))
            .collect();
        let endpoint = Endpoint {
            config: text_at(v, "/EndpointConfigName"),
            deployment: fact(source, pointer, how.to_string()),
            rollback_alarms: fact(source, pointer, alarms),
        };
        return document(vec![resource(source, id, "", Facts::Endpoint(endpoint))]);
    }
    if has_keys(v, &["EndpointConfigName", "EndpointConfigArn"]) {
        let id = text_at(v, "/EndpointConfigArn")?;
        let key = text_at(v, "/KmsKeyId");
        let config = EndpointConfig {
            kms_key: fact(source, if key.is_some() { "/KmsKeyId" } else { "" }, key),
            models: v
                .get("ProductionVariants")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| text_at(p, "/ModelName"))
                .collect(),
        };
        return document(vec![resource(source, id, "", Facts::EndpointConfig(config))]);
    }
    if has_keys(v, &["ModelName", "ModelArn"]) {
        let id = text_at(v, "/ModelArn")?;
        let vpc = v.get("VpcConfig");
        let has_vpc = vpc.is_some_and(|c| {
            c.get("Subnets").and_then(Value::as_array).is_some_and(|s| !s.is_empty())
                && c.get("SecurityGroupIds").and_then(Value::as_array).is_some_and(|s| !s.is_empty())
        });
        let model = Model {
            vpc: fact(source, if vpc.is_some() { "/VpcConfig" } else { "" }, has_vpc),
            security_groups: vpc
                .and_then(|c| c.get("SecurityGroupIds"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(string)
                .collect(),
            network_isolation: fact(
                source,
                if v.get("EnableNetworkIsolation").is_some() { "/EnableNetworkIsolation" } else { "" },
                bool_at(v, "/EnableNetworkIsolation").unwrap_or(false),
            ),
            execution_role: text_at(v, "/ExecutionRoleArn").and_then(|r| fact(source, "/ExecutionRoleArn", r)),
            package: text_at(v, "/PrimaryContainer/ModelPackageName")
                .and_then(|p| fact(source, "/PrimaryContainer/ModelPackageName", p)),
        };
        return document(vec![resource(source, id, "", Facts::Model(model))]);
    }
    // Model packages: a group's list, or one version.
    let entries: Vec<(String, &Value)> = match v.get("ModelPackageSummaryList").and_then(Value::as_array) {
        Some(list) => list.iter().enumerate().map(|(i, p)| (format!("/ModelPackageSummaryList/{i}"), p)).collect(),
        None => vec![(String::new(), v)],
    };
    let mut groups: BTreeMap<String, ModelPackageGroup> = BTreeMap::new();
    for (pointer, p) in entries {
        let Some(group) = text_at(p, "/ModelPackageGroupName") else { continue };
        let version = PackageVersion {
            version: p.get("ModelPackageVersion").and_then(Value::as_u64).unwrap_or(0),
            status: text_at(p, "/ModelApprovalStatus").unwrap_or_default(),
            arn: text_at(p, "/ModelPackageArn").unwrap_or_default(),
        };
        groups.entry(group).or_default().versions.extend(fact(source, &pointer, version));
    }
    let resources = groups
        .into_iter()
        .map(|(group, facts)| resource(source, group, "", Facts::ModelPackageGroup(facts)))
        .collect::<Vec<_>>();
    if resources.is_empty() { None } else { document(resources) }
}

// ---------------------------------------------------------------------------------------
// EC2, KMS, Backup, Config, Security Hub

/// `describe-security-groups`.
pub(super) fn is_ec2(v: &Value) -> bool {
    v.get("SecurityGroups").and_then(Value::as_array).is_some_and(|g| g.iter().all(|x| x.get("GroupId").is_some()))
}

pub(super) fn ec2(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut resources = Vec::new();
    for (i, g) in v.get("SecurityGroups").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let Some(id) = text_at(g, "/GroupId") else { continue };
        let mut ingress = Vec::new();
        for (j, p) in g.get("IpPermissions").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let protocol = text_at(p, "/IpProtocol").unwrap_or_else(|| "-1".into());
            let from_port = p.get("FromPort").and_then(Value::as_i64);
            let to_port = p.get("ToPort").and_then(Value::as_i64);
            for (ranges, key) in [("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6")] {
                for (k, r) in p.get(ranges).and_then(Value::as_array).into_iter().flatten().enumerate() {
                    let Some(cidr) = r.get(key).and_then(string) else { continue };
                    let pointer = format!("/SecurityGroups/{i}/IpPermissions/{j}/{ranges}/{k}");
                    ingress.extend(fact(
                        source,
                        &pointer,
                        Ingress { cidr, protocol: protocol.clone(), from_port, to_port },
                    ));
                }
            }
        }
        let group = SecurityGroup { name: text_at(g, "/GroupName"), ingress };
        let mut r = resource(source, id, &format!("/SecurityGroups/{i}"), Facts::SecurityGroup(group));
        r.tags = tags(g.get("Tags"));
        resources.push(r);
    }
    document(resources)
}

/// `describe-key` or `get-key-rotation-status`.
pub(super) fn is_kms(v: &Value) -> bool {
    v.get("KeyMetadata").is_some_and(Value::is_object) || has_keys(v, &["KeyRotationEnabled"])
}

pub(super) fn kms(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    if let Some(meta) = v.get("KeyMetadata") {
        let id = text_at(meta, "/KeyId")?;
        let key = Key {
            manager: text_at(meta, "/KeyManager").and_then(|m| fact(source, "/KeyMetadata/KeyManager", m)),
            rotation: None,
        };
        return document(vec![resource(source, id, "/KeyMetadata", Facts::Key(key))]);
    }
    let id = text_at(v, "/KeyId")
        .map(|k| k.rsplit('/').next().unwrap_or(&k).to_string())
        .or_else(|| folder(source.path).map(str::to_string))?;
    let key = Key {
        manager: None,
        rotation: bool_at(v, "/KeyRotationEnabled").and_then(|b| fact(source, "/KeyRotationEnabled", b)),
    };
    document(vec![resource(source, id, "", Facts::Key(key))])
}

/// `list-backup-plans`, `get-backup-plan` or `get-backup-selection`.
pub(super) fn is_backup(v: &Value) -> bool {
    has_keys(v, &["BackupPlansList"])
        || has_keys(v, &["BackupPlan", "BackupPlanId"])
        || has_keys(v, &["BackupSelection", "BackupPlanId"])
}

pub(super) fn backup(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    if let Some(plans) = v.get("BackupPlansList").and_then(Value::as_array) {
        let resources = plans
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let id = text_at(p, "/BackupPlanId")?;
                let plan = BackupPlan { name: text_at(p, "/BackupPlanName"), ..BackupPlan::default() };
                Some(resource(source, id, &format!("/BackupPlansList/{i}"), Facts::BackupPlan(plan)))
            })
            .collect();
        return document(resources);
    }
    let id = text_at(v, "/BackupPlanId")?;
    let mut plan = BackupPlan::default();
    if let Some(rules) = v.pointer("/BackupPlan/Rules").and_then(Value::as_array) {
        plan.name = text_at(v, "/BackupPlan/BackupPlanName");
        // The shortest keeping period of any rule; a rule with no deletion keeps forever.
        let mut shortest: Option<(u64, usize)> = None;
        let mut forever = !rules.is_empty();
        for (i, rule) in rules.iter().enumerate() {
            if let Some(days) = rule.pointer("/Lifecycle/DeleteAfterDays").and_then(Value::as_u64) {
                forever = false;
                if shortest.is_none_or(|(d, _)| days < d) {
                    shortest = Some((days, i));
                }
            }
        }
        let pointer = shortest.map_or("/BackupPlan/Rules".to_string(), |(_, i)| {
            format!("/BackupPlan/Rules/{i}/Lifecycle/DeleteAfterDays")
        });
        plan.retention_days = fact(source, &pointer, if forever { None } else { shortest.map(|(d, _)| d) });
    }
    if let Some(selection) = v.get("BackupSelection") {
        let resources: Vec<String> =
            selection.get("Resources").and_then(Value::as_array).into_iter().flatten().filter_map(string).collect();
        plan.resources = fact(source, "/BackupSelection/Resources", resources);
    }
    document(vec![resource(source, id, "", Facts::BackupPlan(plan))])
}

/// `describe-configuration-recorder-status` or `describe-compliance-by-config-rule`.
pub(super) fn is_config(v: &Value) -> bool {
    has_keys(v, &["ConfigurationRecordersStatus"]) || has_keys(v, &["ComplianceByConfigRules"])
}

pub(super) fn config(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut resources = Vec::new();
    if let Some(recorders) = v.get("ConfigurationRecordersStatus").and_then(Value::as_array) {
        for (i, r) in recorders.iter().enumerate() {
            let id = text_at(r, "/name").unwrap_or_else(|| "default".into());
            let pointer = format!("/ConfigurationRecordersStatus/{i}/recording");
            let recorder =
                ConfigRecorder { recording: fact(source, &pointer, bool_at(r, "/recording").unwrap_or(false)) };
            resources.push(resource(
                source,
                id,
                &format!("/ConfigurationRecordersStatus/{i}"),
                Facts::ConfigRecorder(recorder),
            ));
        }
        if recorders.is_empty() {
            // No recorder at all: recording is off.
            let recorder = ConfigRecorder { recording: fact(source, "/ConfigurationRecordersStatus", false) };
            resources.push(resource(source, "default", "", Facts::ConfigRecorder(recorder)));
        }
    }
    for (i, r) in v.get("ComplianceByConfigRules").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let Some(id) = text_at(r, "/ConfigRuleName") else { continue };
        let pointer = format!("/ComplianceByConfigRules/{i}/Compliance/ComplianceType");
        let compliance = text_at(r, "/Compliance/ComplianceType").and_then(|c| fact(source, &pointer, c));
        resources.push(resource(
            source,
            id,
            &format!("/ComplianceByConfigRules/{i}"),
            Facts::ConfigRule(ConfigRule { compliance }),
        ));
    }
    document(resources)
}

/// Security Hub `get-findings` (the AWS Security Finding Format).
pub(super) fn is_securityhub(v: &Value) -> bool {
    let only = v.as_object().is_some_and(|m| m.keys().all(|k| k == "Findings" || k == "NextToken"));
    only && v
        .get("Findings")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().all(|x| x.get("SchemaVersion").is_some() && x.get("ProductArn").is_some()))
}

pub(super) fn securityhub(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut resources = Vec::new();
    for (i, f) in v.get("Findings").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let Some(id) = text_at(f, "/Id") else { continue };
        let pointer = format!("/Findings/{i}/Compliance/Status");
        let finding = SecurityFinding {
            title: text_at(f, "/Title").unwrap_or_default(),
            compliance: text_at(f, "/Compliance/Status").and_then(|c| fact(source, &pointer, c)),
            severity: text_at(f, "/Severity/Label").unwrap_or_default(),
            resources: f
                .get("Resources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| text_at(r, "/Id"))
                .collect(),
        };
        resources.push(resource(source, id, &format!("/Findings/{i}"), Facts::SecurityFinding(finding)));
    }
    document(resources)
}

// ---------------------------------------------------------------------------------------
// AWS Config configuration items

/// Configuration items (`get-resource-config-history`, `batch-get-resource-config`, or an
/// aggregator query's export), whose `configuration` and `supplementaryConfiguration`
/// hold what the service's own API returns, in camel case, as objects or JSON text.
pub(super) fn is_config_items(v: &Value) -> bool {
    ["configurationItems", "baseConfigurationItems"].iter().any(|k| {
        v.get(*k)
            .and_then(Value::as_array)
            .is_some_and(|items| !items.is_empty() && items.iter().all(|i| i.get("resourceType").is_some()))
    })
}

/// A supplementary configuration entry, decoded.
fn extra_of(supplementary: Option<&Value>, name: &str) -> Option<Value> {
    decoded(supplementary.and_then(|s| s.get(name)))
}

/// A value that may be JSON text.
fn decoded(v: Option<&Value>) -> Option<Value> {
    match v? {
        Value::String(text) => serde_json::from_str(text).ok(),
        Value::Null => None,
        other => Some(other.clone()),
    }
}

pub(super) fn config_items(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let key = if v.get("configurationItems").is_some() { "configurationItems" } else { "baseConfigurationItems" };
    let mut resources = Vec::new();
    for (i, item) in v.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
        let base = format!("/{key}/{i}");
        let kind = item.get("resourceType").and_then(Value::as_str).unwrap_or_default();
        let configuration = decoded(item.get("configuration")).unwrap_or(Value::Null);
        let supplementary = item.get("supplementaryConfiguration");
        let extra = |name: &str| decoded(supplementary.and_then(|s| s.get(name)));
        let at_supp = |name: &str| format!("{base}/supplementaryConfiguration/{name}");
        let at_conf = |name: &str| format!("{base}/configuration/{name}");
        let name = text_at(item, "/resourceName").or_else(|| text_at(item, "/resourceId"));
        let facts = match kind {
            "AWS::S3::Bucket" => {
                let mut bucket = Bucket::default();
                if let Some(x) = extra("BucketVersioningConfiguration") {
                    let status = text_at(&x, "/status").unwrap_or_else(|| "Off".into());
                    bucket.versioning = fact(source, &at_supp("BucketVersioningConfiguration"), status);
                }
                if let Some(x) = extra("ServerSideEncryptionConfiguration") {
                    let rule = x.pointer("/rules/0/applyServerSideEncryptionByDefault");
                    let algorithm = rule.and_then(|r| text_at(r, "/sseAlgorithm")).unwrap_or_else(|| "none".into());
                    bucket.encryption = fact(source, &at_supp("ServerSideEncryptionConfiguration"), algorithm);
                    if let Some(k) = rule.and_then(|r| text_at(r, "/kmsMasterKeyID")) {
                        bucket.encryption_key = fact(source, &at_supp("ServerSideEncryptionConfiguration"), k);
                    }
                }
                if let Some(x) = extra("PublicAccessBlockConfiguration") {
                    let all = ["blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets"]
                        .iter()
                        .all(|k| x.get(*k).and_then(Value::as_bool) == Some(true));
                    bucket.public_access_blocked = fact(source, &at_supp("PublicAccessBlockConfiguration"), all);
                }
                if let Some(x) = extra("ObjectLockConfiguration").or_else(|| extra("BucketObjectLockConfiguration")) {
                    let retention = x.pointer("/rule/defaultRetention");
                    let lock = ObjectLock {
                        enabled: text_at(&x, "/objectLockEnabled").as_deref() == Some("Enabled"),
                        mode: retention.and_then(|r| text_at(r, "/mode")),
                        days: retention.and_then(|r| {
                            r.get("days")
                                .and_then(Value::as_u64)
                                .or_else(|| r.get("years").and_then(Value::as_u64).map(|y| y * 365))
                        }),
                    };
                    bucket.object_lock = fact(source, &at_supp("ObjectLockConfiguration"), lock);
                }
                Facts::Bucket(bucket)
            }
            "AWS::CloudTrail::Trail" => Facts::Trail(Trail {
                multi_region: bool_at(&configuration, "/isMultiRegionTrail")
                    .and_then(|b| fact(source, &at_conf("isMultiRegionTrail"), b)),
                log_file_validation: bool_at(&configuration, "/logFileValidationEnabled")
                    .and_then(|b| fact(source, &at_conf("logFileValidationEnabled"), b)),
                ..Trail::default()
            }),
            "AWS::KMS::Key" => Facts::Key(Key {
                manager: text_at(&configuration, "/keyManager").and_then(|m| fact(source, &at_conf("keyManager"), m)),
                rotation: extra("KeyRotationStatus")
                    .and_then(|x| bool_at(&x, "/keyRotationEnabled"))
                    .and_then(|b| fact(source, &at_supp("KeyRotationStatus"), b)),
            }),
            "AWS::EC2::SecurityGroup" => {
                let mut ingress = Vec::new();
                let rules = configuration.get("ipPermissions").and_then(Value::as_array).cloned().unwrap_or_default();
                for (j, p) in rules.iter().enumerate() {
                    let protocol = text_at(p, "/ipProtocol").unwrap_or_else(|| "-1".into());
                    let (from_port, to_port) =
                        (p.get("fromPort").and_then(Value::as_i64), p.get("toPort").and_then(Value::as_i64));
                    for (list, key) in [("ipv4Ranges", "cidrIp"), ("ipRanges", "cidrIp"), ("ipv6Ranges", "cidrIpv6")] {
                        for r in p.get(list).and_then(Value::as_array).into_iter().flatten() {
                            let cidr = match r {
                                Value::String(s) => Some(s.clone()),
                                other => text_at(other, &format!("/{key}")),
                            };
                            let Some(cidr) = cidr else { continue };
                            let rule = Ingress { cidr, protocol: protocol.clone(), from_port, to_port };
                            ingress.extend(fact(source, &format!("{base}/configuration/ipPermissions/{j}"), rule));
                        }
                    }
                }
                Facts::SecurityGroup(SecurityGroup { name: text_at(&configuration, "/groupName"), ingress })
            }
            _ => continue,
        };
        let id = match kind {
            "AWS::CloudTrail::Trail" => text_at(item, "/arn").or(name),
            _ => name,
        };
        let Some(id) = id else { continue };
        let mut r = resource(source, id, &base, facts);
        r.tags = match item.get("tags") {
            Some(Value::Object(map)) => map.iter().filter_map(|(k, x)| Some((k.clone(), string(x)?))).collect(),
            other => tags(other),
        };
        // A bucket's tags may be only in its supplementary configuration, as tag sets.
        if r.tags.is_empty()
            && let Some(tagging) = extra_of(supplementary, "BucketTaggingConfiguration")
        {
            for set in tagging.get("tagSets").and_then(Value::as_array).into_iter().flatten() {
                for (k, x) in set.get("tags").and_then(Value::as_object).into_iter().flatten() {
                    if let Some(x) = string(x) {
                        r.tags.insert(k.clone(), x);
                    }
                }
            }
        }
        resources.push(r);
    }
    document(resources)
}

// ---------------------------------------------------------------------------------------
// Failed calls

/// The AWS CLI's one-line error for a failed call: `An error occurred (Code) when calling
/// the Operation operation: message`. An error that says a setting does not exist is
/// evidence that it is off; any other error says nothing, and the file is kept as it is.
pub(super) fn error(source: &mut Source<'_>) -> Option<Document> {
    let text = source.text.trim();
    let rest = text.strip_prefix("An error occurred (")?;
    let (code, rest) = rest.split_once(')')?;
    let operation = rest.trim_start().strip_prefix("when calling the ")?.split(' ').next()?.to_string();
    let name = folder(source.path)?.to_string();
    let at = At { file: source.path.to_string(), pointer: String::new(), line: Some(1) };
    let off = |value| Some(Fact { value, at: at.clone() });
    let mut bucket = Bucket::default();
    match (code, operation.as_str()) {
        ("ObjectLockConfigurationNotFoundError", _) => bucket.object_lock = off(ObjectLock::default()),
        ("ServerSideEncryptionConfigurationNotFoundError", _) => {
            bucket.encryption = Some(Fact { value: "none".into(), at: at.clone() })
        }
        ("NoSuchPublicAccessBlockConfiguration", _) => {
            bucket.public_access_blocked = Some(Fact { value: false, at: at.clone() })
        }
        ("NoSuchTagSet" | "NoSuchBucketPolicy", _) => {}
        _ => return None,
    }
    let r = Resource { id: name, origin: Origin::Aws, tags: BTreeMap::new(), at, facts: Facts::Bucket(bucket) };
    document(vec![r])
}

/// Whether a file is a failed call's error, by its name.
pub(super) fn is_error_file(path: &str) -> bool {
    path.ends_with(".error.txt")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str, text: &str, f: fn(&mut Source<'_>, &Value) -> Option<Document>) -> Vec<Resource> {
        let mut source = Source::new(path, text);
        let v: Value = serde_json::from_str(text).unwrap();
        match f(&mut source, &v) {
            Some(Document::Infrastructure(e)) => e.resources,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_never_versioned_bucket_and_an_error_document_are_known_absences() {
        let r = read("infra/aws/s3/acme-data/get-bucket-versioning.json", "{}\n", s3);
        let Facts::Bucket(b) = &r[0].facts else { panic!() };
        assert_eq!(r[0].id, "acme-data");
        assert_eq!(b.versioning.as_ref().unwrap().value, "Off");
        let text = "An error occurred (ObjectLockConfigurationNotFoundError) when calling the GetObjectLockConfiguration operation: Object Lock configuration does not exist for this bucket\n";
        let mut source = Source::new("infra/aws/s3/acme-data/get-object-lock-configuration.error.txt", text);
        let Some(Document::Infrastructure(e)) = error(&mut source) else { panic!() };
        let Facts::Bucket(b) = &e.resources[0].facts else { panic!() };
        assert!(!b.object_lock.as_ref().unwrap().value.enabled);
        let mut other = Source::new(
            "infra/aws/s3/x/get-bucket-tagging.error.txt",
            "An error occurred (AccessDenied) when calling the GetBucketTagging operation: no\n",
        );
        assert!(error(&mut other).is_none());
    }

    #[test]
    fn advanced_selectors_name_their_data_resources_with_lines() {
        let text = "{\n    \"TrailARN\": \"arn:aws:cloudtrail:eu-west-1:1:trail/main\",\n    \"AdvancedEventSelectors\": [\n        {\n            \"Name\": \"data\",\n            \"FieldSelectors\": [\n                {\"Field\": \"eventCategory\", \"Equals\": [\"Data\"]},\n                {\"Field\": \"resources.type\", \"Equals\": [\"AWS::S3::Object\"]},\n                {\"Field\": \"resources.ARN\", \"StartsWith\": [\"arn:aws:s3:::acme-data/\"]}\n            ]\n        }\n    ]\n}\n";
        let r = read("infra/aws/cloudtrail/main/get-event-selectors.json", text, cloudtrail);
        let Facts::Trail(t) = &r[0].facts else { panic!() };
        let data = t.data_events.as_ref().unwrap();
        assert_eq!(data.value[0].arns, ["arn:aws:s3:::acme-data/"]);
        assert_eq!(data.at.line, Some(3));
        assert!(!t.management_events.as_ref().unwrap().value);
    }
}
