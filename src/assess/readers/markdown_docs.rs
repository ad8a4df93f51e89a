//! Markdown the reports quote: a datasheet's sections on representativeness and an
//! oversight plan's measures (each section heading with its first paragraph).

use crate::markdown::{section_sources, sections, strip_front_matter};
use crate::model::document::{Datasheet, Document, OversightMeasure, OversightPlan};

pub(super) fn datasheet(text: &str) -> Document {
    Document::Datasheet(Datasheet { representativeness: section_sources(strip_front_matter(text), &["representativ"]) })
}

pub(super) fn oversight_plan(text: &str) -> Document {
    let measures =
        sections(strip_front_matter(text)).into_iter().map(|(title, text)| OversightMeasure { title, text }).collect();
    Document::OversightPlan(OversightPlan { measures })
}
