//! The one place that knows what time it is.
//!
//! Every timestamp dossier writes comes from [`now`]. When `SOURCE_DATE_EPOCH` is set (the
//! reproducible-builds convention: whole seconds since 1970-01-01 UTC), that moment is
//! used, so two runs over the same evidence produce byte-identical packages.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

use crate::diag::{Error, Result};

/// The environment variable that pins the clock.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// The assessment time: `SOURCE_DATE_EPOCH` when set, else the system clock, to the second.
pub fn now() -> Result<DateTime<Utc>> {
    match std::env::var(SOURCE_DATE_EPOCH) {
        Ok(value) => from_epoch_text(&value),
        Err(std::env::VarError::NotPresent) => {
            let now = Utc::now();
            Ok(Utc.timestamp_opt(now.timestamp(), 0).single().unwrap_or(now))
        }
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::Environment {
            name: SOURCE_DATE_EPOCH,
            reason: "is not valid text; set it to whole seconds since 1970-01-01 UTC".into(),
        }),
    }
}

fn from_epoch_text(value: &str) -> Result<DateTime<Utc>> {
    let bad = || Error::Environment {
        name: SOURCE_DATE_EPOCH,
        reason: format!("{value:?} is not a valid time; set it to whole seconds since 1970-01-01 UTC"),
    };
    let seconds: i64 = value.trim().parse().map_err(|_| bad())?;
    Utc.timestamp_opt(seconds, 0).single().ok_or_else(bad)
}

/// Formats a timestamp the way every dossier output does: RFC 3339, UTC, whole seconds.
pub fn format(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_text_parses_to_utc() {
        let t = from_epoch_text("1700000000").unwrap();
        assert_eq!(format(&t), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn bad_epoch_text_is_an_error_naming_the_variable() {
        let err = from_epoch_text("yesterday").unwrap_err().to_string();
        assert!(err.contains("SOURCE_DATE_EPOCH"), "{err}");
        assert!(err.contains("yesterday"), "{err}");
    }
}
