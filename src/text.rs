//! Text for people. Untrusted text stays text: control characters from file names and evidence are shown
//! escaped (`\x1b`, `\n`, `\u{202e}`), as `ls` and ripgrep show them, so they cannot
//! move the cursor, set a terminal title, split one line into two or reorder what is
//! shown around them.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` as one line: every control character escaped, newlines and tabs included.
pub fn one_line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// `text` with control characters escaped, but line breaks and tabs kept (for
/// multi-line text shown in a page that lays lines out itself).
pub fn multi_line(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn needs_escape(c: char, keep_lines: bool) -> bool {
    match c {
        '\n' | '\t' => !keep_lines,
        // Bidirectional overrides and isolates reorder what is displayed around them.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

fn escape(text: &str, keep_lines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| needs_escape(c, keep_lines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !needs_escape(c, keep_lines) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// Formats a byte count for people: `1.5 MiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// A whole number with a comma between groups of three digits: `1,248,630`.
pub fn thousands(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share as a percentage for a message: whole numbers as such (`20%`), others to one
/// decimal (`37.5%`).
pub fn percent(rate: f64) -> String {
    let p = rate * 100.0;
    if (p - p.round()).abs() < 1e-9 { format!("{}%", p.round()) } else { format!("{p:.1}%") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_248_630), "1,248,630");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn human_bytes_picks_a_unit() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(one_line("plain/path.json"), "plain/path.json");
        assert!(matches!(one_line("plain"), Cow::Borrowed(_)));
        assert_eq!(one_line("a\x1b]0;owned\x07b"), "a\\x1b]0;owned\\x07b");
        assert_eq!(one_line("two\nlines\r"), "two\\nlines\\r");
        assert_eq!(one_line("\u{202e}txt.exe"), "\\u{202e}txt.exe");
        assert_eq!(one_line("del\x7f\u{85}"), "del\\x7f\\u{85}");
        assert_eq!(multi_line("keep\nthe\tlines\x1b"), "keep\nthe\tlines\\x1b");
        assert_eq!(one_line("ünïcödé ✓"), "ünïcödé ✓");
    }
}
