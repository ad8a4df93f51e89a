//! The AWS shared configuration files (`~/.aws/credentials`, `~/.aws/config`), which
//! `object_store` does not read: when the environment names no access key, the profile
//! (`AWS_PROFILE`, else `default`) supplies the key, secret, session token, region and
//! endpoint, as the AWS CLI would take them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};

/// One INI file: sections of `key = value` lines.
fn sections(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.trim().to_string());
            out.entry(name.trim().to_string()).or_default();
        } else if let (Some(section), Some((key, value))) = (&current, line.split_once('=')) {
            out.entry(section.clone()).or_default().insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    out
}

fn home_file(variable: &str, name: &str) -> Option<PathBuf> {
    match std::env::var_os(variable) {
        Some(path) => Some(PathBuf::from(path)),
        None => std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".aws").join(name)),
    }
}

/// The settings of `profile` in the two files' texts: credentials first, then config.
fn settings(profile: &str, credentials: &str, config: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let config_name = if profile == "default" { "default".to_string() } else { format!("profile {profile}") };
    if let Some(section) = sections(config).remove(&config_name) {
        out.extend(section);
    }
    if let Some(section) = sections(credentials).remove(profile) {
        out.extend(section);
    }
    out
}

/// `builder` with the profile's settings for what the environment left unset.
pub fn apply(mut builder: AmazonS3Builder) -> AmazonS3Builder {
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() && std::env::var_os("AWS_PROFILE").is_none() {
        return builder;
    }
    let profile = std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".into());
    let read = |path: Option<PathBuf>| path.and_then(|p| std::fs::read_to_string(p).ok()).unwrap_or_default();
    let credentials = read(home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials"));
    let config = read(home_file("AWS_CONFIG_FILE", "config"));
    let found = settings(&profile, &credentials, &config);
    let keys = [
        ("aws_access_key_id", AmazonS3ConfigKey::AccessKeyId),
        ("aws_secret_access_key", AmazonS3ConfigKey::SecretAccessKey),
        ("aws_session_token", AmazonS3ConfigKey::Token),
        ("region", AmazonS3ConfigKey::Region),
        ("endpoint_url", AmazonS3ConfigKey::Endpoint),
    ];
    for (name, key) in keys {
        if let Some(value) = found.get(name)
            && builder.get_config_value(&key).is_none()
        {
            builder = builder.with_config(key, value);
        }
    }
    builder
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_profile_takes_its_key_from_credentials_and_region_from_config() {
        let credentials =
            "[default]\naws_access_key_id = A\n[audit]\naws_access_key_id = B\naws_secret_access_key = S\n";
        let config = "[default]\nregion = us-east-1\n[profile audit]\nregion = eu-central-1\nendpoint_url = http://127.0.0.1:9000\n";
        let found = settings("audit", credentials, config);
        assert_eq!(found.get("aws_access_key_id").map(String::as_str), Some("B"));
        assert_eq!(found.get("region").map(String::as_str), Some("eu-central-1"));
        assert_eq!(found.get("endpoint_url").map(String::as_str), Some("http://127.0.0.1:9000"));
        assert_eq!(settings("default", credentials, config).get("aws_access_key_id").map(String::as_str), Some("A"));
    }
}
