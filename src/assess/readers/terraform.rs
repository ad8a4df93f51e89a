//! Terraform's JSON (`terraform show -json`): a saved plan's `resource_changes`, each
//! resource's values after the change, or a state's `values`, read into the same
//! resources the AWS exports give, named by their Terraform address. Terraform writes an
//! absent nested block as an empty list (`"vpc_config": []`), so a block counts as present
//! only when it holds something.

use std::collections::BTreeMap;

use serde_json::Value;

use super::source::{Source, has_keys, line_of_pointer, string};
use crate::model::document::{Document, InfraExport};
use crate::model::infra::{
    At, Bucket, DataEvents, Endpoint, EndpointConfig, Fact, Facts, Ingress, Key, Model, ObjectLock, Origin, Resource,
    Role, SecurityGroup, Statement, Trail,
};

/// A plan or a state.
pub(super) fn is_terraform(v: &Value) -> bool {
    has_keys(v, &["format_version", "terraform_version"])
        && (v.get("resource_changes").is_some() || v.get("planned_values").is_some() || v.get("values").is_some())
}

pub(super) fn read(source: &mut Source<'_>, v: &Value) -> Option<Document> {
    let mut found: Vec<(String, String, String, &Value, Option<&Value>)> = Vec::new();
    let origin = if v.get("resource_changes").is_some() { Origin::TerraformPlan } else { Origin::TerraformState };
    if let Some(changes) = v.get("resource_changes").and_then(Value::as_array) {
        for (i, c) in changes.iter().enumerate() {
            let actions: Vec<&str> = c
                .pointer("/change/actions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if actions == ["delete"] {
                continue;
            }
            let (Some(address), Some(kind), Some(after)) = (
                c.get("address").and_then(Value::as_str),
                c.get("type").and_then(Value::as_str),
                c.pointer("/change/after"),
            ) else {
                continue;
            };
            let unknown = c.pointer("/change/after_unknown");
            found.push((address.into(), kind.into(), format!("/resource_changes/{i}/change/after"), after, unknown));
        }
    } else if let Some(root) = v.pointer("/values/root_module") {
        collect_module(root, "/values/root_module", &mut found);
    }
    let mut resources = Vec::new();
    for (address, kind, pointer, values, unknown) in found {
        if let Some(r) = resource(source, origin, &address, &kind, &pointer, values, unknown) {
            resources.push(r);
        }
    }
    Some(Document::Infrastructure(InfraExport { resources }))
}

type Found<'v> = (String, String, String, &'v Value, Option<&'v Value>);

fn collect_module<'v>(module: &'v Value, pointer: &str, out: &mut Vec<Found<'v>>) {
    for (i, r) in module.get("resources").and_then(Value::as_array).into_iter().flatten().enumerate() {
        if r.get("mode").and_then(Value::as_str) == Some("data") {
            continue;
        }
        let (Some(address), Some(kind), Some(values)) =
            (r.get("address").and_then(Value::as_str), r.get("type").and_then(Value::as_str), r.get("values"))
        else {
            continue;
        };
        out.push((address.into(), kind.into(), format!("{pointer}/resources/{i}/values"), values, None));
    }
    for (i, child) in module.get("child_modules").and_then(Value::as_array).into_iter().flatten().enumerate() {
        collect_module(child, &format!("{pointer}/child_modules/{i}"), out);
    }
}

/// The first element of a nested block, when the block holds one.
fn block<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).and_then(Value::as_array).and_then(|b| b.first())
}

fn list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).into_iter().flatten().filter_map(string).collect()
}

/// `value`, read at `key` of the resource's values (or the values themselves when the key
/// is absent).
fn fact<T>(source: &Source<'_>, base: &str, v: &Value, key: &str, value: T) -> Option<Fact<T>> {
    let pointer = if v.get(key).is_some() { format!("{base}/{key}") } else { base.to_string() };
    let line = line_of_pointer(source.text, &pointer);
    Some(Fact { value, at: At { file: source.path.to_string(), pointer, line } })
}

/// Whether the plan marks `path` (keys, `0` for a block's element) as known only after
/// apply: a value the plan will set, which is not an absence.
fn later(unknown: Option<&Value>, path: &[&str]) -> bool {
    let mut at = unknown;
    for key in path {
        at = at.and_then(|u| match key.parse::<usize>() {
            Ok(i) => u.get(i),
            Err(_) => u.get(*key),
        });
    }
    at.and_then(Value::as_bool).unwrap_or(false)
}

fn resource(
    source: &Source<'_>,
    origin: Origin,
    address: &str,
    kind: &str,
    base: &str,
    v: &Value,
    unknown: Option<&Value>,
) -> Option<Resource> {
    let at = |pointer: &str| At {
        file: source.path.to_string(),
        pointer: pointer.to_string(),
        line: line_of_pointer(source.text, pointer),
    };
    let tags: BTreeMap<String, String> = v
        .get("tags")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, x)| Some((k.clone(), string(x)?)))
        .collect();
    let named = |key: &str| v.get(key).and_then(string).unwrap_or_else(|| address.to_string());
    let (id, facts) = match kind {
        "aws_sagemaker_model" => {
            let vpc = block(v, "vpc_config");
            let holds =
                |c: &Value, key: &str| !list(c.get(key)).is_empty() || later(unknown, &["vpc_config", "0", key]);
            let present = vpc.is_some_and(|c| holds(c, "subnets") && holds(c, "security_group_ids"));
            let model = Model {
                vpc: fact(source, base, v, "vpc_config", present),
                security_groups: vpc.map(|c| list(c.get("security_group_ids"))).unwrap_or_default(),
                network_isolation: fact(
                    source,
                    base,
                    v,
                    "enable_network_isolation",
                    v.get("enable_network_isolation").and_then(Value::as_bool).unwrap_or(false),
                ),
                execution_role: v
                    .get("execution_role_arn")
                    .and_then(string)
                    .and_then(|r| fact(source, base, v, "execution_role_arn", r)),
                package: None,
            };
            (address.to_string(), Facts::Model(model))
        }
        "aws_sagemaker_endpoint_configuration" => {
            let key = v
                .get("kms_key_arn")
                .and_then(string)
                .or_else(|| later(unknown, &["kms_key_arn"]).then(|| "(known after apply)".to_string()));
            let config = EndpointConfig {
                kms_key: fact(source, base, v, "kms_key_arn", key),
                models: v
                    .get("production_variants")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.get("model_name").and_then(string))
                    .collect(),
            };
            (address.to_string(), Facts::EndpointConfig(config))
        }
        "aws_sagemaker_endpoint" => {
            let deployment = block(v, "deployment_config");
            let how = match deployment {
                Some(d) if block(d, "blue_green_update_policy").is_some() => "blue-green",
                Some(d) if block(d, "rolling_update_policy").is_some() => "rolling",
                _ => "none",
            };
            let alarms = deployment
                .and_then(|d| block(d, "auto_rollback_configuration"))
                .map(|a| {
                    a.get("alarms")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|x| x.get("alarm_name").and_then(string))
                        .collect()
                })
                .unwrap_or_default();
            let endpoint = Endpoint {
                config: v.get("endpoint_config_name").and_then(string),
                deployment: fact(source, base, v, "deployment_config", how.to_string()),
                rollback_alarms: fact(source, base, v, "deployment_config", alarms),
            };
            (address.to_string(), Facts::Endpoint(endpoint))
        }
        "aws_security_group" | "aws_security_group_rule" | "aws_vpc_security_group_ingress_rule" => {
            let mut ingress = Vec::new();
            let mut push = |rule: &Value, pointer: String| {
                let protocol =
                    rule.get("protocol").or_else(|| rule.get("ip_protocol")).and_then(string).unwrap_or("-1".into());
                let from_port = rule.get("from_port").and_then(Value::as_i64);
                let to_port = rule.get("to_port").and_then(Value::as_i64);
                let mut cidrs = list(rule.get("cidr_blocks"));
                cidrs.extend(list(rule.get("ipv6_cidr_blocks")));
                cidrs.extend(rule.get("cidr_ipv4").and_then(string));
                cidrs.extend(rule.get("cidr_ipv6").and_then(string));
                for cidr in cidrs {
                    let ingress_rule = Ingress { cidr, protocol: protocol.clone(), from_port, to_port };
                    ingress.push(Fact { value: ingress_rule, at: at(&pointer) });
                }
            };
            match kind {
                "aws_security_group" => {
                    for (i, rule) in v.get("ingress").and_then(Value::as_array).into_iter().flatten().enumerate() {
                        push(rule, format!("{base}/ingress/{i}"));
                    }
                }
                "aws_security_group_rule" if v.get("type").and_then(Value::as_str) != Some("ingress") => return None,
                _ => push(v, format!("{base}/cidr_blocks")),
            }
            let group = SecurityGroup { name: v.get("name").and_then(string), ingress };
            (address.to_string(), Facts::SecurityGroup(group))
        }
        "aws_s3_bucket" => {
            // Object Lock can only be turned on when the bucket is made.
            let lock = match v.get("object_lock_enabled").and_then(Value::as_bool) {
                Some(false) => fact(source, base, v, "object_lock_enabled", ObjectLock::default()),
                _ => None,
            };
            (named("bucket"), Facts::Bucket(Bucket { object_lock: lock, ..Bucket::default() }))
        }
        "aws_s3_bucket_versioning" => {
            let status = block(v, "versioning_configuration")
                .and_then(|c| c.get("status").and_then(string))
                .unwrap_or("Off".into());
            (
                named("bucket"),
                Facts::Bucket(Bucket {
                    versioning: fact(source, base, v, "versioning_configuration", status),
                    ..Bucket::default()
                }),
            )
        }
        "aws_s3_bucket_object_lock_configuration" => {
            let retention = block(v, "rule").and_then(|r| block(r, "default_retention"));
            let lock = ObjectLock {
                enabled: v.get("object_lock_enabled").and_then(Value::as_str).unwrap_or("Enabled") == "Enabled",
                mode: retention.and_then(|r| r.get("mode").and_then(string)),
                days: retention.and_then(|r| {
                    r.get("days")
                        .and_then(Value::as_u64)
                        .or_else(|| r.get("years").and_then(Value::as_u64).map(|y| y * 365))
                }),
            };
            (
                named("bucket"),
                Facts::Bucket(Bucket { object_lock: fact(source, base, v, "rule", lock), ..Bucket::default() }),
            )
        }
        "aws_s3_bucket_server_side_encryption_configuration" => {
            let by_default = block(v, "rule").and_then(|r| block(r, "apply_server_side_encryption_by_default"));
            let algorithm = by_default.and_then(|d| d.get("sse_algorithm").and_then(string)).unwrap_or("none".into());
            let key = by_default.and_then(|d| d.get("kms_master_key_id").and_then(string)).or_else(|| {
                let path = ["rule", "0", "apply_server_side_encryption_by_default", "0", "kms_master_key_id"];
                later(unknown, &path).then(|| "(known after apply)".to_string())
            });
            let bucket = Bucket {
                encryption: fact(source, base, v, "rule", algorithm),
                encryption_key: key.and_then(|k| fact(source, base, v, "rule", k)),
                ..Bucket::default()
            };
            (named("bucket"), Facts::Bucket(bucket))
        }
        "aws_s3_bucket_public_access_block" => {
            let all = ["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"]
                .iter()
                .all(|k| v.get(*k).and_then(Value::as_bool) == Some(true));
            (
                named("bucket"),
                Facts::Bucket(Bucket {
                    public_access_blocked: fact(source, base, v, "block_public_acls", all),
                    ..Bucket::default()
                }),
            )
        }
        "aws_kms_key" => {
            let key = Key {
                manager: fact(source, base, v, "key_usage", "CUSTOMER".to_string()),
                rotation: fact(
                    source,
                    base,
                    v,
                    "enable_key_rotation",
                    v.get("enable_key_rotation").and_then(Value::as_bool).unwrap_or(false),
                ),
            };
            (address.to_string(), Facts::Key(key))
        }
        "aws_cloudtrail" => {
            let mut data = Vec::new();
            let mut management = false;
            for s in v.get("event_selector").and_then(Value::as_array).into_iter().flatten() {
                management |= s.get("include_management_events").and_then(Value::as_bool).unwrap_or(true);
                for r in s.get("data_resource").and_then(Value::as_array).into_iter().flatten() {
                    data.push(DataEvents {
                        resource_type: r.get("type").and_then(string).unwrap_or_default(),
                        arns: list(r.get("values")),
                    });
                }
            }
            for s in v.get("advanced_event_selector").and_then(Value::as_array).into_iter().flatten() {
                let fields: Vec<&Value> =
                    s.get("field_selector").and_then(Value::as_array).into_iter().flatten().collect();
                let values = |field: &str, op: &str| -> Vec<String> {
                    fields
                        .iter()
                        .filter(|f| f.get("field").and_then(Value::as_str) == Some(field))
                        .flat_map(|f| list(f.get(op)))
                        .collect()
                };
                let category = values("eventCategory", "equals");
                management |= category.iter().any(|c| c == "Management");
                if category.iter().any(|c| c == "Data") {
                    let mut arns = values("resources.ARN", "starts_with");
                    arns.extend(values("resources.ARN", "equals"));
                    for resource_type in values("resources.type", "equals") {
                        data.push(DataEvents { resource_type, arns: arns.clone() });
                    }
                }
            }
            // Terraform writes absent selector blocks as empty lists.
            let some_block = |key: &str| v.get(key).and_then(Value::as_array).is_some_and(|b| !b.is_empty());
            let selectors = some_block("event_selector") || some_block("advanced_event_selector");
            let trail = Trail {
                multi_region: fact(
                    source,
                    base,
                    v,
                    "is_multi_region_trail",
                    v.get("is_multi_region_trail").and_then(Value::as_bool).unwrap_or(false),
                ),
                log_file_validation: fact(
                    source,
                    base,
                    v,
                    "enable_log_file_validation",
                    v.get("enable_log_file_validation").and_then(Value::as_bool).unwrap_or(false),
                ),
                logging: fact(
                    source,
                    base,
                    v,
                    "enable_logging",
                    v.get("enable_logging").and_then(Value::as_bool).unwrap_or(true),
                ),
                // No selector block: management events only, the default.
                management_events: fact(source, base, v, "event_selector", if selectors { management } else { true }),
                data_events: fact(source, base, v, "event_selector", data),
            };
            (address.to_string(), Facts::Trail(trail))
        }
        "aws_iam_role_policy" | "aws_iam_policy" => {
            let text = v.get("policy").and_then(Value::as_str)?;
            let document: Value = serde_json::from_str(text).ok()?;
            let name = v.get("name").and_then(string).unwrap_or_else(|| address.to_string());
            let all = match document.get("Statement") {
                Some(Value::Array(a)) => a.clone(),
                Some(one) => vec![one.clone()],
                None => Vec::new(),
            };
            let as_list = |x: Option<&Value>| match x {
                Some(Value::String(s)) => vec![s.clone()],
                other => list(other),
            };
            let statements = all
                .iter()
                .map(|s| Fact {
                    value: Statement {
                        policy: name.clone(),
                        effect: s.get("Effect").and_then(string).unwrap_or("Allow".into()),
                        actions: as_list(s.get("Action")),
                        resources: as_list(s.get("Resource")),
                    },
                    at: at(&format!("{base}/policy")),
                })
                .collect();
            (
                v.get("role").and_then(string).unwrap_or_else(|| address.to_string()),
                Facts::Role(Role { services: Vec::new(), statements }),
            )
        }
        _ => return None,
    };
    Some(Resource { id, origin, tags, at: at(base), facts })
}
