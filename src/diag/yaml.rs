//! Reading YAML files (config, catalogs, the evidence-type taxonomy) into typed values,
//! with problems that name the file, line, column and key.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::{Error, Problem, Result};

/// Deserializes `text`; `file` names the source in error messages.
pub fn from_str<T: DeserializeOwned>(text: &str, file: &Path) -> Result<T> {
    let deserializer = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        let mut location = inner.location().map(|l| (l.line(), l.column()));
        // serde_yaml has no position for errors raised after a value was read (a bad date,
        // say) and reports the document start; point at the key's own line instead.
        if matches!(location, None | Some((1, 1)))
            && let Some(field) = key.rsplit('.').next().filter(|f| !f.is_empty() && *f != ".")
        {
            let needle = format!("{field}:");
            let found = text.lines().position(|l| l.trim_start().trim_start_matches("- ").starts_with(&needle));
            if let Some(i) = found {
                let line = text.lines().nth(i).unwrap_or_default();
                location = Some((i + 1, line.len() - line.trim_start().len() + 1));
            }
        }
        let mut message = inner.to_string();
        if let Some(loc) = inner.location() {
            let suffix = format!(" at line {} column {}", loc.line(), loc.column());
            if let Some(stripped) = message.strip_suffix(&suffix) {
                message = stripped.to_string();
            }
        }
        Error::invalid(Problem {
            file: Some(file.to_path_buf()),
            line: location.map(|l| l.0),
            column: location.map(|l| l.1),
            key: (!key.is_empty() && key != ".").then_some(key),
            message: strip_path_prefix(&message).to_string(),
        })
    })
}

/// serde_yaml prefixes nested errors with its own dotted path (`system.role: ...`); the
/// key is reported separately, so drop it from the message.
fn strip_path_prefix(message: &str) -> &str {
    match message.split_once(": ") {
        Some((head, rest))
            if !head.is_empty()
                && head.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']')) =>
        {
            rest
        }
        _ => message,
    }
}

/// The 1-based number of the first line of `text` containing `needle` at or after line
/// `from`; used to point validation errors (found after parsing) at a line.
pub fn line_of(text: &str, needle: &str, from: usize) -> Option<usize> {
    text.lines().enumerate().skip(from.saturating_sub(1)).find(|(_, line)| line.contains(needle)).map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Dated {
        id: String,
        #[serde(deserialize_with = "bad_date")]
        as_of: String,
    }

    fn bad_date<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        Err(serde::de::Error::custom(format!("{text:?} is not a date")))
    }

    #[test]
    fn errors_after_a_value_was_read_point_at_the_key() {
        let err = from_str::<Dated>("id: x\nas_of: 2026-13-01\n", Path::new("c.yaml")).unwrap_err().to_string();
        assert!(err.starts_with("c.yaml:2:1: as_of: "), "{err}");
    }

    #[test]
    fn line_of_finds_the_first_match_from_a_line() {
        let text = "a: 1\nid: x\nb: 2\nid: x\n";
        assert_eq!(line_of(text, "id: x", 1), Some(2));
        assert_eq!(line_of(text, "id: x", 3), Some(4));
        assert_eq!(line_of(text, "nope", 1), None);
    }
}
