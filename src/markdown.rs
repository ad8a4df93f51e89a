//! Markdown evidence (model cards, datasheets, oversight plans) for the reports.
//!
//! Everything goes through [`events`], the one place pulldown-cmark is configured and
//! evidence is made safe: raw HTML becomes visible text, images become their alt text (a
//! report must not fetch anything), and links keep their target only when it is `http`,
//! `https` or `mailto`. [`to_html`] renders those events for the HTML report;
//! [`to_blocks`] turns them into plain blocks the Typst template lays out as text, so
//! Markdown can never become Typst markup.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// A block of Markdown for the Typst template.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Block {
    /// A heading, level 1-6.
    Heading {
        /// Level.
        level: u8,
        /// Text.
        text: String,
    },
    /// A paragraph.
    Paragraph {
        /// Styled runs.
        spans: Vec<Span>,
    },
    /// A list item.
    Item {
        /// Nesting depth, 1 for a top-level list.
        depth: u8,
        /// Styled runs.
        spans: Vec<Span>,
    },
    /// A code block.
    Code {
        /// Its text.
        text: String,
    },
    /// A table: the first row is the header.
    Table {
        /// Cells as plain text.
        rows: Vec<Vec<String>>,
    },
    /// A block quote, as plain text.
    Quote {
        /// Text.
        text: String,
    },
    /// A thematic break.
    Rule,
}

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    /// The text.
    pub text: String,
    /// Bold.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub strong: bool,
    /// Italic.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub emph: bool,
    /// Inline code.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub code: bool,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_FOOTNOTES
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|scheme| lower.starts_with(scheme))
}

/// The one entry point: Markdown events with raw HTML, images and unsafe links neutralised.
pub fn events(text: &str) -> impl Iterator<Item = Event<'_>> {
    let mut links: Vec<bool> = Vec::new();
    Parser::new_ext(text, options()).filter_map(move |event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Image { .. }) => Some(Event::Text(CowStr::Borrowed("[image: "))),
        Event::End(TagEnd::Image) => Some(Event::Text(CowStr::Borrowed("]"))),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let keep = safe_url(&dest_url);
            links.push(keep);
            keep.then_some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
        }
        Event::End(TagEnd::Link) => links.pop().unwrap_or(false).then_some(Event::End(TagEnd::Link)),
        other => Some(other),
    })
}

/// Sanitised HTML for the HTML report.
pub fn to_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events(text));
    html
}

/// Text without a leading `---` YAML front-matter block.
pub fn strip_front_matter(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else { return text };
    match rest.find("\n---") {
        Some(end) => {
            let after = &rest[end + 4..];
            after.split_once('\n').map_or("", |(_, body)| body)
        }
        None => text,
    }
}

/// Plain blocks for the Typst template.
pub fn to_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let (mut strong, mut emph) = (0u32, 0u32);
    let mut depth = 0u8;
    let mut plain = String::new();
    let mut heading: Option<u8> = None;
    let mut in_code = false;
    let mut quote = 0u32;
    let mut table: Option<Vec<Vec<String>>> = None;
    let mut cell = String::new();

    let flush = |spans: &mut Vec<Span>, blocks: &mut Vec<Block>, depth: u8| {
        if spans.iter().any(|s| !s.text.trim().is_empty()) {
            let taken = std::mem::take(spans);
            blocks.push(if depth > 0 {
                Block::Item { depth, spans: taken }
            } else {
                Block::Paragraph { spans: taken }
            });
        }
        spans.clear();
    };
    for event in events(text) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut spans, &mut blocks, depth);
                heading = Some(heading_level(level));
                plain.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                let level = heading.take().unwrap_or(1);
                blocks.push(Block::Heading { level, text: std::mem::take(&mut plain).trim().to_string() });
            }
            Event::Start(Tag::CodeBlock(_)) => {
                flush(&mut spans, &mut blocks, depth);
                in_code = true;
                plain.clear();
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                blocks.push(Block::Code { text: std::mem::take(&mut plain) });
            }
            Event::Start(Tag::BlockQuote(_)) => {
                flush(&mut spans, &mut blocks, depth);
                quote += 1;
                plain.clear();
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                quote = quote.saturating_sub(1);
                if quote == 0 {
                    blocks.push(Block::Quote { text: std::mem::take(&mut plain).trim().to_string() });
                }
            }
            Event::Start(Tag::Table(_)) => {
                flush(&mut spans, &mut blocks, depth);
                table = Some(Vec::new());
            }
            Event::End(TagEnd::Table) => blocks.push(Block::Table { rows: table.take().unwrap_or_default() }),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.push(Vec::new());
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(row) = table.as_mut().and_then(|t| t.last_mut()) {
                    row.push(std::mem::take(&mut cell).trim().to_string());
                }
            }
            Event::Start(Tag::List(_)) => {
                flush(&mut spans, &mut blocks, depth);
                depth = depth.saturating_add(1);
            }
            Event::End(TagEnd::List(_)) => {
                flush(&mut spans, &mut blocks, depth);
                depth = depth.saturating_sub(1);
            }
            Event::Start(Tag::Item) => flush(&mut spans, &mut blocks, depth),
            Event::End(TagEnd::Item | TagEnd::Paragraph) => {
                if heading.is_none() && quote == 0 && table.is_none() {
                    flush(&mut spans, &mut blocks, depth);
                } else if quote > 0 {
                    plain.push('\n');
                }
            }
            Event::Start(Tag::Strong) => strong += 1,
            Event::End(TagEnd::Strong) => strong = strong.saturating_sub(1),
            Event::Start(Tag::Emphasis) => emph += 1,
            Event::End(TagEnd::Emphasis) => emph = emph.saturating_sub(1),
            Event::Rule => {
                flush(&mut spans, &mut blocks, depth);
                blocks.push(Block::Rule);
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) if table.is_some() => {
                cell.push_str(&t);
            }
            Event::Text(t) if heading.is_some() || in_code || quote > 0 => plain.push_str(&t),
            Event::Code(t) if heading.is_some() || quote > 0 => plain.push_str(&t),
            Event::Text(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                spans.push(Span { text: t.into_string(), strong: strong > 0, emph: emph > 0, code: false })
            }
            Event::Code(t) => spans.push(Span { text: t.into_string(), strong: false, emph: false, code: true }),
            Event::SoftBreak | Event::HardBreak => {
                if heading.is_some() || quote > 0 {
                    plain.push(' ');
                } else if table.is_some() {
                    cell.push(' ');
                } else {
                    spans.push(Span { text: " ".into(), strong: false, emph: false, code: false });
                }
            }
            Event::TaskListMarker(done) => spans.push(Span {
                text: if done { "[x] " } else { "[ ] " }.into(),
                strong: false,
                emph: false,
                code: false,
            }),
            _ => {}
        }
    }
    flush(&mut spans, &mut blocks, depth);
    blocks
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Headings with their level, text and byte range in `text`.
fn headings(text: &str) -> Vec<(u8, String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut current: Option<(u8, String, std::ops::Range<usize>)> = None;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => current = Some((heading_level(level), String::new(), range)),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, title, _)) = current.as_mut() {
                    title.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}

/// The Markdown source of every section whose heading contains one of `needles`
/// (case-insensitive), heading included, up to the next heading of the same or a higher level.
pub fn section_sources(text: &str, needles: &[&str]) -> Vec<String> {
    let heads = headings(text);
    let mut out = Vec::new();
    for (i, (level, title, range)) in heads.iter().enumerate() {
        let lower = title.to_lowercase();
        if !needles.iter().any(|n| lower.contains(n)) {
            continue;
        }
        let end = heads[i + 1..].iter().find(|(l, _, _)| l <= level).map_or(text.len(), |(_, _, r)| r.start);
        out.push(text[range.start..end].to_string());
    }
    out
}

/// Each section at the document's main section level (the shallowest level below the
/// title) as (heading, first paragraph in plain text, at most 400 characters).
pub fn sections(text: &str) -> Vec<(String, String)> {
    let heads = headings(text);
    let Some(level) = heads.iter().map(|(l, _, _)| *l).filter(|l| *l > 1).min() else { return Vec::new() };
    let mut out = Vec::new();
    for (i, (l, title, range)) in heads.iter().enumerate() {
        if *l != level {
            continue;
        }
        let end = heads.get(i + 1).map_or(text.len(), |(_, _, r)| r.start);
        let body = &text[range.end.min(end)..end];
        let first = to_blocks(body).into_iter().find_map(|b| match b {
            Block::Paragraph { spans } => Some(spans.into_iter().map(|s| s.text).collect::<String>()),
            Block::Item { spans, .. } => Some(spans.into_iter().map(|s| s.text).collect::<String>()),
            _ => None,
        });
        let mut first = first.unwrap_or_default().trim().to_string();
        if first.chars().count() > 400 {
            first = first.chars().take(399).collect::<String>() + "…";
        }
        out.push((title.trim().to_string(), first));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_scripts_become_visible_text() {
        let html = to_html("Hello <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
    }

    #[test]
    fn images_are_never_fetched_and_unsafe_links_lose_their_target() {
        let html = to_html("![chart](https://example.com/x.png) [x](javascript:alert(1)) [ok](https://example.com)");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("[image: chart]"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains(r#"<a href="https://example.com">ok</a>"#), "{html}");
    }

    #[test]
    fn blocks_keep_structure_and_text_only() {
        let blocks = to_blocks(
            "# Title\n\nSome **bold** `#set page()` text.\n\n- one\n  - two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert_eq!(blocks[0], Block::Heading { level: 1, text: "Title".into() });
        let Block::Paragraph { spans } = &blocks[1] else { panic!("{blocks:?}") };
        assert!(spans.iter().any(|s| s.strong && s.text == "bold"));
        assert!(spans.iter().any(|s| s.code && s.text == "#set page()"));
        assert!(matches!(&blocks[2], Block::Item { depth: 1, .. }));
        assert!(matches!(&blocks[3], Block::Item { depth: 2, .. }));
        assert_eq!(blocks[4], Block::Table { rows: vec![vec!["a".into(), "b".into()], vec!["1".into(), "2".into()]] });
    }

    #[test]
    fn sections_are_found_by_heading() {
        let text = "# Plan\n\n## 1. Stop button\n\nOperators can stop it.\n\n### Detail\n\nx\n\n## 2. Training\n\nOfficers are trained.\n";
        let s = sections(text);
        assert_eq!(
            s,
            [
                ("1. Stop button".into(), "Operators can stop it.".into()),
                ("2. Training".into(), "Officers are trained.".into())
            ]
        );
        let src = section_sources(text, &["stop"]);
        assert_eq!(src, ["## 1. Stop button\n\nOperators can stop it.\n\n### Detail\n\nx\n\n"]);
    }

    #[test]
    fn front_matter_is_stripped() {
        assert_eq!(strip_front_matter("---\na: 1\n---\n# Card\n"), "# Card\n");
        assert_eq!(strip_front_matter("# Card\n"), "# Card\n");
    }
}
