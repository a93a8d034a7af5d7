//! Headings: unique ids, their self-links, and the nested table of contents.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

use super::TocEntry;

/// Turns text into a URL-safe slug: lowercase ASCII letters, digits and single dashes.
pub fn slugify(text: &str) -> String {
    let slug = slug::slugify(text);
    if slug.is_empty() {
        "section".into()
    } else {
        slug
    }
}

/// Hands out ids never handed out before: `base`, else `base-1`, `base-2`… It remembers the
/// last suffix of each base, so a page with thousands of equal headings takes linear time.
#[derive(Debug, Clone, Default)]
pub struct UniqueIds {
    used: HashSet<String>,
    last_suffix: HashMap<String, usize>,
}

impl UniqueIds {
    /// No id used yet.
    pub fn new() -> Self {
        UniqueIds::default()
    }

    /// Marks an id as taken (an explicit `{#id}`, a footnote label).
    pub fn reserve(&mut self, id: &str) {
        self.used.insert(id.to_string());
    }

    /// `base`, or the first of `base-1`, `base-2`… not yet used, marked used.
    pub fn unique(&mut self, base: &str) -> String {
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        // Every suffix up to the last one handed out is taken, and taken ids stay taken.
        let n = self.last_suffix.entry(base.to_string()).or_insert(0);
        loop {
            *n += 1;
            let candidate = format!("{base}-{n}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// Gives every heading a unique id: an explicit `{#id}` wins, others are slugs of their text.
pub(super) fn assign_ids(events: &[(Event, Range<usize>)]) -> Vec<String> {
    let mut ids = UniqueIds::new();
    let mut explicit = Vec::new();
    let mut texts = Vec::new();
    let mut inside: Option<String> = None;
    for (event, _) in events {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                explicit.push(id.as_ref().map(|id| id.to_string()));
                if let Some(id) = id {
                    ids.reserve(id);
                }
                inside = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => texts.push(inside.take().unwrap_or_default()),
            // Footnotes take their labels as ids: headings must not take them too.
            Event::Start(Tag::FootnoteDefinition(label)) => ids.reserve(label),
            Event::Text(text) | Event::Code(text) => {
                if let Some(buffer) = inside.as_mut() {
                    buffer.push_str(text);
                }
            }
            _ => {}
        }
    }
    explicit
        .into_iter()
        .zip(texts)
        .map(|(explicit, text)| match explicit {
            Some(id) => id,
            None => ids.unique(&slugify(&text)),
        })
        .collect()
}

/// `<h2 id="…" class="…" data-x="…">`.
pub(super) fn open(
    level: HeadingLevel,
    id: &str,
    classes: &[CowStr],
    attrs: &[(CowStr, Option<CowStr>)],
) -> String {
    let mut html = format!("<{level} id=\"");
    escape_html(&mut html, id).ok();
    html.push('"');
    if !classes.is_empty() {
        html.push_str(" class=\"");
        escape_html(&mut html, &classes.join(" ")).ok();
        html.push('"');
    }
    for (name, value) in attrs {
        html.push(' ');
        escape_html(&mut html, name).ok();
        if let Some(value) = value {
            html.push_str("=\"");
            escape_html(&mut html, value).ok();
            html.push('"');
        }
    }
    html.push('>');
    html
}

/// The self-link anchor and `</h2>`; `label` is the anchor's label, `{title}` in it standing
/// for the heading's title.
pub(super) fn close(level: HeadingLevel, id: &str, title: &str, label: &str) -> String {
    let mut html = String::from(" <a class=\"anchor\" href=\"#");
    escape_href(&mut html, id).ok();
    html.push_str("\" aria-label=\"");
    let (before, after) = label.split_once("{title}").unwrap_or((label, ""));
    escape_html(&mut html, before).ok();
    escape_html(&mut html, title.trim()).ok();
    escape_html(&mut html, after).ok();
    html.push_str(&format!("\"></a></{level}>\n"));
    html
}

/// Nests headings by level: each one goes under the nearest shallower heading before it; a
/// heading deeper than any before it stands at the top.
pub(super) fn nest_toc(flat: Vec<(u8, String, String)>) -> Vec<TocEntry> {
    let mut toc: Vec<TocEntry> = Vec::new();
    for (level, id, title) in flat {
        let entry = TocEntry {
            level,
            id,
            title: title.trim().to_string(),
            children: Vec::new(),
        };
        insert(&mut toc, entry);
    }
    fitted(toc)
}

/// The entries, and at every depth their children, in lists of their own length: most
/// headings have one or two children, in lists grown to room for four.
fn fitted(entries: Vec<TocEntry>) -> Vec<TocEntry> {
    let fitted = entries.into_iter().map(|mut entry| {
        entry.children = self::fitted(std::mem::take(&mut entry.children));
        entry
    });
    super::fitted_list(fitted.collect())
}

fn insert(siblings: &mut Vec<TocEntry>, entry: TocEntry) {
    match siblings.last_mut() {
        Some(parent) if parent.level < entry.level => insert(&mut parent.children, entry),
        _ => siblings.push(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_ids_take_suffixes_in_order() {
        let mut ids = UniqueIds::new();
        ids.reserve("a-1");
        assert_eq!(ids.unique("a"), "a");
        assert_eq!(ids.unique("a"), "a-2");
        assert_eq!(ids.unique("a"), "a-3");
        assert_eq!(ids.unique("b"), "b");
    }

    #[test]
    fn slugs_never_come_out_empty() {
        assert_eq!(slugify("!!!"), "section");
        assert_eq!(slugify("🎉"), "tada");
        assert_eq!(slugify("Micro-needling at Home"), "micro-needling-at-home");
    }

    #[test]
    fn deeper_headings_nest_at_any_depth() {
        let flat = [(2, "a"), (3, "b"), (4, "c"), (3, "d"), (2, "e")]
            .map(|(l, id)| (l, id.to_string(), id.to_uppercase()))
            .to_vec();
        let toc = nest_toc(flat);
        assert_eq!(toc.len(), 2);
        assert_eq!(toc[0].children.len(), 2);
        assert_eq!(toc[0].children[0].children[0].id, "c");
    }
}
