//! Markdown text to `Rendered` HTML, by one pass over pulldown-cmark's events.
//!
//! This module knows pulldown-cmark and nothing of pages or templates: links are
//! rewritten through a resolver the caller passes in.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{
    BlockQuoteKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use pulldown_cmark_escape::{escape_href, escape_html};
use serde::Serialize;

use crate::error::LineIndex;

/// One heading in a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// 2 for `##`, 3 for `###`.
    pub level: u8,
    /// The heading's id, the target of `#id` links.
    pub id: String,
    /// The heading's text.
    pub title: String,
    /// The headings nested under this one.
    pub children: Vec<TocEntry>,
}

/// What the resolver decided for one link or image destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkAction {
    /// Leave the destination as written (external links, absolute paths).
    Keep,
    /// Replace the destination with this URL; it points inside the site.
    Rewrite(String),
    /// The destination cannot be resolved: this message says why.
    Broken(String),
}

/// A link into the site, after rewriting, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLink {
    /// 1-based line in the Markdown text.
    pub line: usize,
    /// 1-based column in the Markdown text.
    pub column: usize,
    /// The destination as written.
    pub original: String,
    /// The final URL, possibly with a `#fragment`.
    pub url: String,
}

/// A problem found while rendering, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the Markdown text.
    pub line: usize,
    /// 1-based column in the Markdown text.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A Markdown text rendered to HTML, with what templates and link checks need.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The body as HTML.
    pub html: String,
    /// The `##` and `###` headings, nested.
    pub toc: Vec<TocEntry>,
    /// The text before `<!-- more -->`, else the first paragraph, as HTML.
    pub summary_html: String,
    /// The same summary as plain text on one line.
    pub summary_text: String,
    /// Words in the text.
    pub word_count: usize,
    /// Every element id the body defines (headings, footnotes).
    pub ids: Vec<String>,
    /// Links into the site (rewritten ones and `#fragment` ones), for anchor checks.
    pub links: Vec<SiteLink>,
    /// Links that could not be resolved.
    pub problems: Vec<Problem>,
}

/// The marker that ends a hand-picked summary.
pub const MORE_MARKER: &str = "<!-- more -->";

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Renders Markdown to HTML, resolving every link and image destination through `resolve`.
pub fn render(markdown: &str, resolve: &dyn Fn(&str) -> LinkAction) -> Rendered {
    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(markdown, options())
        .into_offset_iter()
        .collect();
    let heading_ids = assign_heading_ids(&events);

    let mut rendered = Rendered::default();
    let mut out: Vec<Event> = Vec::with_capacity(events.len() + heading_ids.len() * 2);
    let mut headings = heading_ids.iter();
    let mut current_heading: Option<(HeadingLevel, &str, String)> = None;
    let mut flat_toc = Vec::new();
    let mut depth = 0usize;
    let mut first_paragraph: Option<Range<usize>> = None;
    let mut paragraph_start = None;
    let mut more_at = None;
    let mut words = WordCounter::default();

    // Built on the first link only: most texts need no places at all.
    let lines = std::cell::OnceCell::new();
    for (event, range) in events {
        let place = || {
            lines
                .get_or_init(|| LineIndex::new(markdown))
                .line_column(range.start)
        };
        match event {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                let id = headings.next().map(String::as_str).unwrap_or_default();
                out.push(Event::Html(
                    open_heading(level, id, &classes, &attrs).into(),
                ));
                current_heading = Some((level, id, String::new()));
                depth += 1;
            }
            Event::End(TagEnd::Heading(level)) => {
                depth -= 1;
                if let Some((_, id, title)) = current_heading.take() {
                    out.push(Event::Html(close_heading(level, id, &title).into()));
                    rendered.ids.push(id.to_string());
                    if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                        flat_toc.push((level as u8, id.to_string(), title));
                    }
                }
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                depth += 1;
                out.push(Event::Html(open_alert(kind).into()));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                depth -= 1;
                out.push(Event::Html("</div>\n".into()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                depth += 1;
                let dest_url =
                    resolve_destination(link_type, dest_url, resolve, place, &mut rendered);
                out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                depth += 1;
                let dest_url =
                    resolve_destination(link_type, dest_url, resolve, place, &mut rendered);
                out.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            // A checkbox needs a name for screen readers; the item's text follows it.
            Event::TaskListMarker(done) => out.push(Event::Html(
                if done {
                    r#"<input type="checkbox" disabled checked aria-label="Done"> "#
                } else {
                    r#"<input type="checkbox" disabled aria-label="To do"> "#
                }
                .into(),
            )),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                depth += 1;
                rendered.ids.push(label.to_string());
                out.push(Event::Start(Tag::FootnoteDefinition(label)));
            }
            Event::Start(Tag::Paragraph) => {
                if depth == 0 && first_paragraph.is_none() {
                    paragraph_start = Some(out.len());
                }
                depth += 1;
                out.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                depth -= 1;
                out.push(Event::End(TagEnd::Paragraph));
                if let (0, Some(start)) = (depth, paragraph_start.take()) {
                    first_paragraph = Some(start..out.len());
                }
            }
            Event::Html(html) | Event::InlineHtml(html)
                if depth == 0 && more_at.is_none() && html.trim() == MORE_MARKER =>
            {
                more_at = Some(out.len());
            }
            event @ (Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock)) => {
                out.push(event)
            }
            event @ (Event::SoftBreak | Event::HardBreak) => {
                words.break_word();
                out.push(event);
            }
            Event::Text(text) => {
                rendered.word_count += words.count(&text);
                if let Some((_, _, title)) = current_heading.as_mut() {
                    title.push_str(&text);
                }
                out.push(Event::Text(text));
            }
            Event::Code(code) => {
                rendered.word_count += words.count(&code);
                if let Some((_, _, title)) = current_heading.as_mut() {
                    title.push_str(&code);
                }
                out.push(Event::Code(code));
            }
            Event::Start(tag) => {
                depth += 1;
                if !matches!(
                    tag,
                    Tag::Emphasis
                        | Tag::Strong
                        | Tag::Strikethrough
                        | Tag::Superscript
                        | Tag::Subscript
                ) {
                    words.break_word();
                }
                out.push(Event::Start(tag));
            }
            Event::End(tag) => {
                depth -= 1;
                if !matches!(
                    tag,
                    TagEnd::Emphasis
                        | TagEnd::Strong
                        | TagEnd::Strikethrough
                        | TagEnd::Superscript
                        | TagEnd::Subscript
                        | TagEnd::Link
                ) {
                    words.break_word();
                }
                out.push(Event::End(tag));
            }
            event => out.push(event),
        }
    }

    let summary = match (more_at, first_paragraph) {
        (Some(end), _) => 0..end,
        (None, Some(range)) => range,
        (None, None) => 0..0,
    };
    // A footnote's text is not in the summary, so neither is its reference.
    let summary_events = out[summary.clone()]
        .iter()
        .filter(|e| !matches!(e, Event::FootnoteReference(_)))
        .cloned();
    pulldown_cmark::html::push_html(&mut rendered.summary_html, summary_events);
    rendered.summary_text = plain_text(&out[summary]);
    rendered.html.reserve(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut rendered.html, out.into_iter());
    rendered.toc = nest_toc(flat_toc);
    rendered
}

/// Counts words across text events, which smart punctuation splits mid-word.
#[derive(Default)]
struct WordCounter {
    in_word: bool,
}

impl WordCounter {
    /// The number of words that start in `text`.
    fn count(&mut self, text: &str) -> usize {
        let mut started = 0;
        for byte in text.bytes() {
            let is_space = byte.is_ascii_whitespace();
            if !is_space && !self.in_word {
                started += 1;
            }
            self.in_word = !is_space;
        }
        started
    }

    /// A block boundary ends any word.
    fn break_word(&mut self) {
        self.in_word = false;
    }
}

/// Gives every heading a unique id: an explicit `{#id}` wins, others are slugs of their text.
fn assign_heading_ids(events: &[(Event, Range<usize>)]) -> Vec<String> {
    let mut ids = Ids::default();
    let mut explicit = Vec::new();
    let mut texts = Vec::new();
    let mut inside: Option<String> = None;
    for (event, _) in events {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                explicit.push(id.as_ref().map(|id| id.to_string()));
                if let Some(id) = id {
                    ids.used.insert(id.to_string());
                }
                inside = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => texts.push(inside.take().unwrap_or_default()),
            // Footnotes take their labels as ids: headings must not take them too.
            Event::Start(Tag::FootnoteDefinition(label)) => {
                ids.used.insert(label.to_string());
            }
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

/// Hands out unique ids as [`unique_id`] does, remembering the last suffix of each base, so
/// that a page with thousands of equal headings takes linear time, not quadratic.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
    last_suffix: HashMap<String, usize>,
}

impl Ids {
    fn unique(&mut self, base: &str) -> String {
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

/// Turns text into a URL-safe slug: lowercase ASCII letters, digits and single dashes.
pub fn slugify(text: &str) -> String {
    let slug = slug::slugify(text);
    if slug.is_empty() {
        "section".into()
    } else {
        slug
    }
}

/// Returns `base`, or `base-1`, `base-2`… whichever is not yet used, and marks it used.
pub fn unique_id(base: &str, used: &mut HashSet<String>) -> String {
    let mut candidate = base.to_string();
    let mut n = 0;
    while used.contains(&candidate) {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    used.insert(candidate.clone());
    candidate
}

fn resolve_destination<'a>(
    link_type: LinkType,
    dest_url: CowStr<'a>,
    resolve: &dyn Fn(&str) -> LinkAction,
    place: impl Fn() -> (usize, usize),
    rendered: &mut Rendered,
) -> CowStr<'a> {
    if matches!(link_type, LinkType::Autolink | LinkType::Email) {
        return dest_url;
    }
    let record = |rendered: &mut Rendered, url: String| {
        let (line, column) = place();
        rendered.links.push(SiteLink {
            line,
            column,
            original: dest_url.to_string(),
            url,
        });
    };
    if dest_url.starts_with('#') {
        record(rendered, dest_url.to_string());
        return dest_url;
    }
    match resolve(&dest_url) {
        LinkAction::Keep => dest_url,
        LinkAction::Rewrite(url) => {
            record(rendered, url.clone());
            url.into()
        }
        LinkAction::Broken(message) => {
            let (line, column) = place();
            rendered.problems.push(Problem {
                line,
                column,
                message,
            });
            dest_url
        }
    }
}

fn open_heading(
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

fn close_heading(level: HeadingLevel, id: &str, title: &str) -> String {
    let mut html = String::from(" <a class=\"anchor\" href=\"#");
    escape_href(&mut html, id).ok();
    html.push_str("\" aria-label=\"Link to this section: ");
    escape_html(&mut html, title.trim()).ok();
    html.push_str(&format!("\"></a></{level}>\n"));
    html
}

fn open_alert(kind: BlockQuoteKind) -> String {
    let (class, title) = match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    };
    format!(
        "<div class=\"alert alert-{class}\" role=\"note\">\n<p class=\"alert-title\">{title}</p>\n"
    )
}

/// The text of some events on one line, whitespace collapsed.
fn plain_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Nests `##`/`###` headings; a `###` with no `##` before it stands at the top.
fn nest_toc(flat: Vec<(u8, String, String)>) -> Vec<TocEntry> {
    let mut toc: Vec<TocEntry> = Vec::new();
    for (level, id, title) in flat {
        let entry = TocEntry {
            level,
            id,
            title: title.trim().to_string(),
            children: Vec::new(),
        };
        match toc.last_mut() {
            Some(parent) if parent.level < level => parent.children.push(entry),
            _ => toc.push(entry),
        }
    }
    toc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(_: &str) -> LinkAction {
        LinkAction::Keep
    }

    #[test]
    fn headings_get_unique_ids_and_self_links() {
        let r = render(
            "## Why the trend?\n\n## Why the trend?\n\n## Custom {#mine}\n",
            &keep,
        );
        assert_eq!(r.ids, ["why-the-trend", "why-the-trend-1", "mine"]);
        assert!(r.html.contains("<h2 id=\"why-the-trend\">Why the trend? <a class=\"anchor\" href=\"#why-the-trend\" aria-label=\"Link to this section: Why the trend?\"></a></h2>"), "{}", r.html);
    }

    #[test]
    fn explicit_ids_are_not_taken_by_earlier_slugs() {
        let r = render("## Intro\n\n## Other {#intro}\n", &keep);
        assert_eq!(r.ids, ["intro-1", "intro"]);
    }

    #[test]
    fn toc_nests_h3_under_h2_and_keeps_a_leading_h3() {
        let r = render("### Early\n\n## A\n\n### A1\n\n#### deep\n\n## B\n", &keep);
        let shape: Vec<(String, Vec<String>)> = r
            .toc
            .iter()
            .map(|e| {
                (
                    e.id.clone(),
                    e.children.iter().map(|c| c.id.clone()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("early".into(), vec![]),
                ("a".into(), vec!["a1".into()]),
                ("b".into(), vec![])
            ]
        );
    }

    #[test]
    fn summary_is_first_paragraph_or_text_before_more() {
        let r = render("## Head\n\nFirst *para*.\n\nSecond.\n", &keep);
        assert_eq!(r.summary_html, "<p>First <em>para</em>.</p>\n");
        assert_eq!(r.summary_text, "First para.");
        let r = render("One.\n\nTwo.\n\n<!-- more -->\n\nThree.\n", &keep);
        assert_eq!(r.summary_text, "One. Two.");
        assert!(!r.html.contains("more"));
    }

    #[test]
    fn summaries_drop_footnote_references() {
        let r = render("Claim.[^1]\n\n[^1]: Source.\n", &keep);
        assert_eq!(r.summary_html, "<p>Claim.</p>\n");
    }

    #[test]
    fn footnote_labels_are_not_taken_by_headings() {
        let r = render("Claim.[^first]\n\n## First\n\n[^first]: Source.\n", &keep);
        assert_eq!(
            r.ids.iter().filter(|id| *id == "first").count(),
            1,
            "{:?}",
            r.ids
        );
        assert!(r.html.contains("<h2 id=\"first-1\">"), "{}", r.html);
    }

    #[test]
    fn task_list_checkboxes_have_names() {
        let r = render("- [x] done\n- [ ] todo\n", &keep);
        assert!(
            r.html
                .contains(r#"<input type="checkbox" disabled checked aria-label="Done"> done"#),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains(r#"<input type="checkbox" disabled aria-label="To do"> todo"#),
            "{}",
            r.html
        );
    }

    #[test]
    fn alerts_become_notes() {
        let r = render("> [!WARNING]\n> Consult your dermatologist.\n", &keep);
        assert!(r.html.starts_with("<div class=\"alert alert-warning\" role=\"note\">\n<p class=\"alert-title\">Warning</p>\n<p>Consult your dermatologist.</p>\n</div>"), "{}", r.html);
    }

    #[test]
    fn links_are_resolved_with_their_place() {
        let resolve = |dest: &str| match dest {
            "other.md" => LinkAction::Rewrite("/other/".into()),
            "gone.md" => LinkAction::Broken("no such page".into()),
            _ => LinkAction::Keep,
        };
        let r = render(
            "Text\n\nsee [o](other.md) and [g](gone.md) and [x](https://x.org)",
            &resolve,
        );
        assert!(r.html.contains("<a href=\"/other/\">o</a>"));
        assert!(r.html.contains("<a href=\"https://x.org\">x</a>"));
        assert_eq!(
            r.links,
            [SiteLink {
                line: 3,
                column: 5,
                original: "other.md".into(),
                url: "/other/".into()
            }]
        );
        assert_eq!(
            r.problems,
            [Problem {
                line: 3,
                column: 23,
                message: "no such page".into()
            }]
        );
    }

    #[test]
    fn counts_words_and_smartens_quotes() {
        let r = render("It's \"quoted\" -- really.", &keep);
        assert_eq!(r.word_count, 4);
        assert_eq!(render("one\ntwo *three*four", &keep).word_count, 3);
        assert!(r.html.contains("It’s “quoted” – really."), "{}", r.html);
    }

    #[test]
    fn slugs_never_come_out_empty() {
        assert_eq!(slugify("!!!"), "section");
        assert_eq!(slugify("🎉"), "tada");
        assert_eq!(slugify("Micro-needling at Home"), "micro-needling-at-home");
    }
}
