//! Markdown text to `Rendered` HTML, by one pass over pulldown-cmark's events.
//!
//! This module knows pulldown-cmark and nothing of pages or templates: links are
//! rewritten through a resolver the caller passes in, and shortcodes rendered by a
//! [`Shortcodes`] it passes too.

mod expand;
mod headings;
pub mod highlight;
mod images;
mod lexer;
pub mod shortcodes;
mod text;

use std::cell::OnceCell;
use std::ops::Range;

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd,
};
use serde::{Deserialize, Serialize};

use crate::error::LineIndex;
pub use expand::BODY_MARKER;
pub use headings::{UniqueIds, slugify};
pub use images::Picture;
pub use shortcodes::Arg;
use text::WordCounter;
pub use text::{list_items, plain_text};

/// One heading in a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkAction {
    /// Leave the destination as written (external links, absolute paths).
    Keep,
    /// Replace the destination with this URL; it points inside the site.
    Rewrite(String),
    /// A local image: its URL, size and copies.
    Picture(Picture),
    /// The destination cannot be resolved: this message says why.
    Broken(String),
    /// An image file that exists but cannot be shown: why, and what to do.
    BadImage {
        /// What is wrong.
        message: String,
        /// What to do about it.
        hint: String,
    },
}

/// Decides where links and images lead.
pub trait Resolve {
    /// What to do with a link's destination.
    fn link(&self, dest: &str) -> LinkAction;

    /// What to do with an image's source; by default, what a link to it would get.
    fn image(&self, src: &str) -> LinkAction {
        self.link(src)
    }
}

impl<F: Fn(&str) -> LinkAction> Resolve for F {
    fn link(&self, dest: &str) -> LinkAction {
        self(dest)
    }
}

/// A link into the site, after rewriting, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// What a problem found while rendering is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProblemKind {
    /// A link that leads nowhere.
    Link,
    /// An image that is not there or cannot be used.
    Image,
    /// An image without alt text: a warning.
    MissingAlt,
    /// A shortcode call that cannot be read or rendered.
    Shortcode,
    /// Another tool's template syntax, published as text.
    ForeignSyntax,
}

/// A problem found while rendering, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// 1-based line in the Markdown text.
    pub line: usize,
    /// 1-based column in the Markdown text.
    pub column: usize,
    /// What it is about.
    pub kind: ProblemKind,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when the renderer knows better than the caller.
    pub hint: Option<String>,
}

/// A shortcode call, as the [`Shortcodes`] renderer is asked for it.
#[derive(Debug, Clone, Copy)]
pub struct ShortcodeCall<'a> {
    /// The shortcode's name.
    pub name: &'a str,
    /// Its arguments as written, but `src`, which holds the image's URL.
    pub args: &'a [Arg],
    /// For a call with a body: [`BODY_MARKER`], to be written where the body goes (the body
    /// then stays Markdown in the page), or, when the template did not write it once as it is,
    /// the body's text as written.
    pub body: Option<&'a str>,
    /// The `src` argument as written, before it was resolved.
    pub image: Option<&'a str>,
    /// The body's text as written, for a call with one.
    pub text: Option<&'a str>,
    /// How many calls of this shortcode the text has made so far, this one included.
    pub nth: usize,
}

/// What a shortcode call turns into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expansion {
    /// HTML, placed as it is.
    Html(String),
    /// Markdown, read with the text around it.
    Markdown(String),
}

/// Why a shortcode call cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortcodeError {
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The argument at fault, whose value the problem is placed at; else the call.
    pub argument: Option<String>,
}

/// Renders shortcode calls.
pub trait Shortcodes {
    /// What a call turns into.
    fn render(&self, call: &ShortcodeCall) -> Result<Expansion, ShortcodeError>;
}

/// One destination the resolver was asked about, and its answer: the render depends on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// An image source rather than a link.
    pub image: bool,
    /// The destination as written.
    pub dest: String,
    /// What the resolver said.
    pub action: LinkAction,
}

/// A Markdown text rendered to HTML, with what templates and link checks need.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Rendered {
    /// The body as HTML.
    pub html: String,
    /// The headings down to the options' `toc_depth`, nested.
    pub toc: Vec<TocEntry>,
    /// The text before `<!-- more -->`, else the first paragraph, as HTML.
    pub summary_html: String,
    /// The same summary as plain text on one line.
    pub summary_text: String,
    /// The whole text as plain text, blocks apart, when the options ask for it (the search
    /// index reads it). Never kept in caches: it is as long as the text.
    #[serde(skip)]
    pub text: String,
    /// Words in the text.
    pub word_count: usize,
    /// Every id a `#fragment` can land on: headings, footnotes, and ids in raw HTML.
    pub ids: Vec<String>,
    /// Links into the site (rewritten ones and `#fragment` ones), for anchor checks.
    pub links: Vec<SiteLink>,
    /// Links and images that could not be resolved.
    pub problems: Vec<Problem>,
    /// Every destination resolved, in order: the render stays valid while each resolves the same.
    pub resolved: Vec<Resolution>,
    /// The name of every shortcode called, in order: the render also depends on their templates.
    pub shortcodes: Vec<String>,
    /// Structured data (schema.org, as JSON) that shortcode calls gave the page.
    pub data: Vec<String>,
}

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// The page's own URL: in-page `#links` of its summary, shown on other pages, lead there.
    pub page_url: Option<&'a str>,
    /// The deepest heading level in the table of contents (2 to 6; 3 takes `##` and `###`).
    pub toc_depth: u8,
    /// Also give the whole text as plain text, in [`Rendered::text`].
    pub plain_text: bool,
    /// The `sizes` attribute of images with copies: how wide the theme shows them.
    pub image_sizes: &'a str,
    /// Load the first image at once rather than lazily: nothing above it (no cover) would be
    /// the page's largest paint.
    pub eager_first_image: bool,
    /// The words the HTML carries, in the page's language: the titles of the alerts
    /// (`> [!NOTE]`, tip, important, warning, caution), then the label of a heading's
    /// self-link, where `{title}` stands for the heading.
    pub words: [&'a str; 6],
}

/// How wide images are shown when the theme does not say: the whole window.
pub const DEFAULT_IMAGE_SIZES: &str = "100vw";

/// The words in English, in the order of [`Options::words`].
pub const WORDS: [&str; 6] = [
    "Note",
    "Tip",
    "Important",
    "Warning",
    "Caution",
    "Link to this section: {title}",
];

/// The keys of the words in a theme's strings, in the same order.
pub const WORD_KEYS: [&str; 6] = [
    "alert_note",
    "alert_tip",
    "alert_important",
    "alert_warning",
    "alert_caution",
    "heading_link",
];

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            page_url: None,
            toc_depth: 3,
            plain_text: false,
            image_sizes: DEFAULT_IMAGE_SIZES,
            eager_first_image: false,
            words: WORDS,
        }
    }
}

/// The marker that ends a hand-picked summary.
pub const MORE_MARKER: &str = "<!-- more -->";

pub(crate) fn parser_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options as O;
    O::ENABLE_TABLES
        | O::ENABLE_FOOTNOTES
        | O::ENABLE_STRIKETHROUGH
        | O::ENABLE_TASKLISTS
        | O::ENABLE_SMART_PUNCTUATION
        | O::ENABLE_HEADING_ATTRIBUTES
        | O::ENABLE_GFM
}

/// Renders Markdown to HTML, resolving every link and image destination through `resolve`;
/// shortcode syntax is left as text.
pub fn render(markdown: &str, options: &Options, resolve: &dyn Resolve) -> Rendered {
    render_with(markdown, options, resolve, None)
}

/// Renders Markdown to HTML, resolving every link and image destination through `resolve` and
/// expanding shortcode calls through `shortcodes`.
pub fn render_with(
    markdown: &str,
    options: &Options,
    resolve: &dyn Resolve,
    shortcodes: Option<&dyn Shortcodes>,
) -> Rendered {
    let lines = OnceCell::new();
    let mut rendered = Rendered::default();
    let expanded = match shortcodes {
        Some(shortcodes) if shortcodes::may_contain(markdown) => expand::expand(
            markdown,
            resolve,
            shortcodes,
            lines.get_or_init(|| LineIndex::new(markdown)),
            &mut rendered,
        ),
        _ => None,
    };
    let text = expanded.as_ref().map_or(markdown, |e| e.text.as_str());
    let mut events: Vec<(Event, Range<usize>)> = Parser::new_ext(text, parser_options())
        .into_offset_iter()
        .collect();
    if let Some(expanded) = &expanded {
        events = expand::splice(events, &expanded.slots);
    }
    let heading_ids = headings::assign_ids(&events);
    let figures = images::figure_paragraphs(&events);
    let mut pass = Pass {
        markdown,
        expanded: expanded.as_ref(),
        options,
        resolve,
        rendered,
        out: Vec::with_capacity(events.len() + heading_ids.len() * 2),
        heading_ids: heading_ids.into_iter(),
        heading: None,
        code: None,
        flat_toc: Vec::new(),
        depth: 0,
        first_paragraph: None,
        paragraph_start: None,
        more_at: None,
        words: WordCounter::default(),
        raw_html: String::new(),
        lines,
        images: Vec::new(),
        images_written: 0,
        figure_next: false,
        figure_open: false,
        figure_close: None,
        eager: None,
    };
    let mut figures = figures.into_iter().peekable();
    for (i, (event, range)) in events.into_iter().enumerate() {
        pass.figure_next = figures.next_if_eq(&i).is_some();
        pass.event(event, range);
    }
    pass.finish()
}

/// Asks the resolver about a destination and records the answer, the link into the site or
/// the problem; `place` is where the destination is written.
fn record_destination(
    resolve: &dyn Resolve,
    rendered: &mut Rendered,
    dest: &str,
    image: bool,
    place: (usize, usize),
) -> LinkAction {
    let action = if image {
        resolve.image(dest)
    } else {
        resolve.link(dest)
    };
    rendered.resolved.push(Resolution {
        image,
        dest: dest.to_string(),
        action: action.clone(),
    });
    let (line, column) = place;
    let kind = if image {
        ProblemKind::Image
    } else {
        ProblemKind::Link
    };
    let link = |url: &str| SiteLink {
        line,
        column,
        original: dest.to_string(),
        url: url.to_string(),
    };
    match &action {
        LinkAction::Keep => {}
        LinkAction::Rewrite(url) => rendered.links.push(link(url)),
        LinkAction::Picture(picture) => rendered.links.push(link(&picture.src)),
        LinkAction::Broken(message) => rendered.problems.push(Problem {
            line,
            column,
            kind,
            message: message.clone(),
            hint: None,
        }),
        LinkAction::BadImage { message, hint } => rendered.problems.push(Problem {
            line,
            column,
            kind,
            message: message.clone(),
            hint: Some(hint.clone()),
        }),
    }
    action
}

/// The state of one pass over a text's events.
struct Pass<'t, 'o> {
    /// The text as written.
    markdown: &'t str,
    /// The text the events come from, when shortcodes were expanded into it.
    expanded: Option<&'t expand::Expanded>,
    options: &'o Options<'o>,
    resolve: &'o dyn Resolve,
    rendered: Rendered,
    out: Vec<Event<'t>>,
    heading_ids: std::vec::IntoIter<String>,
    /// The open heading: its level, id and text so far.
    heading: Option<(HeadingLevel, String, String)>,
    /// The open code block: its info string and text so far.
    code: Option<(highlight::Info, String)>,
    flat_toc: Vec<(u8, String, String)>,
    depth: usize,
    first_paragraph: Option<Range<usize>>,
    paragraph_start: Option<usize>,
    more_at: Option<usize>,
    words: WordCounter,
    raw_html: String,
    /// Built on the first place needed: most texts need none.
    lines: OnceCell<LineIndex<'t>>,
    /// The images open (an image's alt text may hold another), outermost first.
    images: Vec<OpenImage<'t>>,
    /// How many images have been written.
    images_written: usize,
    /// The paragraph about to open holds only an image with a title: it is a figure.
    figure_next: bool,
    /// The paragraph just opened is a figure: the image that follows has the caption.
    figure_open: bool,
    /// The closing HTML of the figure open, with its caption.
    figure_close: Option<String>,
    /// The first image, written to load at once, and how it is written lazily instead: where
    /// it appears again, in summaries on other pages, it is not their largest paint.
    eager: Option<(usize, String)>,
}

/// An image whose alt text is being read.
struct OpenImage<'t> {
    /// Where its alt text starts in the output.
    start: usize,
    /// Its source as written.
    written: String,
    /// Its URL, once resolved.
    src: CowStr<'t>,
    picture: Option<Picture>,
    title: CowStr<'t>,
    /// Where it was written.
    offset: usize,
    /// Whether it is the figure's image, its title the caption.
    in_figure: bool,
    /// Inside another image's alt text: only its text counts.
    nested: bool,
}

impl<'t, 'o> Pass<'t, 'o> {
    /// The line and column where an offset of the parsed text was written.
    fn place(&self, offset: usize) -> (usize, usize) {
        let offset = self.expanded.map_or(offset, |e| e.written_offset(offset));
        self.lines
            .get_or_init(|| LineIndex::new(self.markdown))
            .line_column(offset)
    }

    fn event(&mut self, event: Event<'t>, range: Range<usize>) {
        if let Some((_, code)) = self.code.as_mut() {
            match event {
                Event::Text(text) => {
                    self.rendered.word_count += self.words.count(&text);
                    code.push_str(&text);
                }
                Event::End(TagEnd::CodeBlock) => {
                    self.depth -= 1;
                    self.words.break_word();
                    if let Some((info, code)) = self.code.take() {
                        self.out
                            .push(Event::Html(highlight::code_block(&info, &code).into()));
                    }
                }
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, range.start),
            Event::End(tag) => self.end(tag),
            Event::Html(html) | Event::InlineHtml(html)
                if self.depth == 0 && self.more_at.is_none() && html.trim() == MORE_MARKER =>
            {
                self.more_at = Some(self.out.len());
            }
            Event::Html(html) => {
                self.raw_html.push_str(&html);
                self.out.push(Event::Html(html));
            }
            Event::InlineHtml(html) => {
                self.raw_html.push_str(&html);
                self.out.push(Event::InlineHtml(html));
            }
            // A checkbox needs a name for screen readers; the item's text follows it.
            Event::TaskListMarker(done) => self.out.push(Event::Html(
                if done {
                    r#"<input type="checkbox" disabled checked aria-label="Done"> "#
                } else {
                    r#"<input type="checkbox" disabled aria-label="To do"> "#
                }
                .into(),
            )),
            event @ (Event::SoftBreak | Event::HardBreak) => {
                self.words.break_word();
                self.separate_text();
                self.out.push(event);
            }
            Event::Text(text) => {
                self.add_text(&text);
                self.out.push(Event::Text(text));
            }
            Event::Code(code) => {
                self.add_text(&code);
                self.out.push(Event::Code(code));
            }
            event => self.out.push(event),
        }
    }

    /// An element opens.
    fn start(&mut self, tag: Tag<'t>, offset: usize) {
        if !is_inline(&tag) {
            self.separate_text();
        }
        match tag {
            Tag::Heading {
                level,
                classes,
                attrs,
                ..
            } => return self.open_heading(level, &classes, &attrs),
            Tag::BlockQuote(Some(kind)) => {
                let html = open_alert(kind, &self.options.words);
                self.out.push(Event::Html(html.into()));
            }
            // Its text is gathered and highlighted whole when the block ends (see `event`).
            Tag::CodeBlock(kind) => {
                self.words.break_word();
                let info = match kind {
                    CodeBlockKind::Fenced(info) => highlight::Info::parse(&info),
                    CodeBlockKind::Indented => highlight::Info::parse(""),
                };
                self.code = Some((info, String::new()));
            }
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => {
                let (dest_url, _) = self.destination(link_type, dest_url, false, offset);
                self.out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            } => {
                let written = dest_url.to_string();
                let (src, picture) = self.destination(link_type, dest_url, true, offset);
                let nested = !self.images.is_empty();
                if nested {
                    self.out.push(Event::Start(Tag::Image {
                        link_type,
                        dest_url: src.clone(),
                        title: title.clone(),
                        id,
                    }));
                }
                let in_figure = !nested && std::mem::take(&mut self.figure_open);
                if in_figure {
                    let (open, close) = images::figure(&title);
                    if let Some(Event::Start(Tag::Paragraph)) = self.out.last() {
                        self.out.pop();
                    }
                    self.out.push(Event::Html(open.into()));
                    self.figure_close = Some(close);
                }
                self.images.push(OpenImage {
                    start: self.out.len(),
                    written,
                    src,
                    picture,
                    title,
                    offset,
                    in_figure,
                    nested,
                });
            }
            Tag::FootnoteDefinition(label) => {
                self.rendered.ids.push(label.to_string());
                self.out.push(Event::Start(Tag::FootnoteDefinition(label)));
            }
            Tag::Paragraph => {
                if self.depth == 0 && self.first_paragraph.is_none() {
                    self.paragraph_start = Some(self.out.len());
                }
                self.out.push(Event::Start(Tag::Paragraph));
                // Seen by the image that opens next, which makes the paragraph a figure.
                self.figure_open = self.figure_next;
            }
            // An HTML block is no element of its own: it neither nests nor ends a word.
            Tag::HtmlBlock => return self.out.push(Event::Start(Tag::HtmlBlock)),
            tag => {
                if !is_inline_style(&tag) {
                    self.words.break_word();
                }
                self.out.push(Event::Start(tag));
            }
        }
        self.depth += 1;
    }

    /// An element closes.
    fn end(&mut self, tag: TagEnd) {
        if !is_inline_end(&tag) {
            self.separate_text();
        }
        match tag {
            TagEnd::Heading(level) => return self.close_heading(level),
            TagEnd::HtmlBlock => return self.out.push(Event::End(TagEnd::HtmlBlock)),
            _ => {}
        }
        self.depth -= 1;
        match tag {
            TagEnd::BlockQuote(Some(_)) => self.out.push(Event::Html("</div>\n".into())),
            TagEnd::Image => self.close_image(),
            TagEnd::Paragraph => {
                match self.figure_close.take() {
                    Some(close) => self.out.push(Event::Html(close.into())),
                    None => self.out.push(Event::End(TagEnd::Paragraph)),
                }
                if let (0, Some(start)) = (self.depth, self.paragraph_start.take()) {
                    self.first_paragraph = Some(start..self.out.len());
                }
            }
            tag => {
                if !is_inline_style_end(&tag) {
                    self.words.break_word();
                }
                self.out.push(Event::End(tag));
            }
        }
    }

    fn add_text(&mut self, text: &str) {
        self.rendered.word_count += self.words.count(text);
        if self.options.plain_text {
            self.rendered.text.push_str(text);
        }
        if let Some((_, _, title)) = self.heading.as_mut() {
            title.push_str(text);
        }
    }

    /// Ends a block in the plain text: what follows is another word.
    fn separate_text(&mut self) {
        let text = &mut self.rendered.text;
        if self.options.plain_text && !text.is_empty() && !text.ends_with(' ') {
            text.push(' ');
        }
    }

    fn open_heading(
        &mut self,
        level: HeadingLevel,
        classes: &[CowStr],
        attrs: &[(CowStr, Option<CowStr>)],
    ) {
        let id = self.heading_ids.next().unwrap_or_default();
        self.out.push(Event::Html(
            headings::open(level, &id, classes, attrs).into(),
        ));
        self.heading = Some((level, id, String::new()));
        self.depth += 1;
    }

    fn close_heading(&mut self, level: HeadingLevel) {
        self.depth -= 1;
        let Some((_, id, title)) = self.heading.take() else {
            return;
        };
        self.out.push(Event::Html(
            headings::close(level, &id, &title, self.options.words[5]).into(),
        ));
        let level = level as u8;
        if (2..=self.options.toc_depth).contains(&level) {
            self.flat_toc.push((level, id.clone(), title));
        }
        self.rendered.ids.push(id);
    }

    /// Resolves a link or image destination, recording the answer, the link and any problem.
    fn destination(
        &mut self,
        link_type: LinkType,
        dest_url: CowStr<'t>,
        image: bool,
        offset: usize,
    ) -> (CowStr<'t>, Option<Picture>) {
        if matches!(link_type, LinkType::Autolink | LinkType::Email) {
            return (dest_url, None);
        }
        if dest_url.starts_with('#') {
            self.record_link(offset, &dest_url, dest_url.to_string());
            return (dest_url, None);
        }
        let place = self.place(offset);
        match record_destination(self.resolve, &mut self.rendered, &dest_url, image, place) {
            LinkAction::Rewrite(url) => (url.into(), None),
            LinkAction::Picture(picture) => (picture.src.clone().into(), Some(picture)),
            LinkAction::Keep | LinkAction::Broken(_) | LinkAction::BadImage { .. } => {
                (dest_url, None)
            }
        }
    }

    /// An image's alt text has been read: the image is written, its alt text checked.
    fn close_image(&mut self) {
        let Some(open) = self.images.pop() else {
            return;
        };
        if open.nested {
            return self.out.push(Event::End(TagEnd::Image));
        }
        let alt = text::plain_text_of(&self.out[open.start..]);
        self.out.truncate(open.start);
        if alt.is_empty() {
            let (line, column) = self.place(open.offset);
            self.rendered.problems.push(Problem {
                line,
                column,
                kind: ProblemKind::MissingAlt,
                message: format!("the image `{}` has no alt text", open.written),
                hint: Some("describe what it shows between the brackets, `![what it shows](…)`, for readers who cannot see it".into()),
            });
        }
        let eager = self.options.eager_first_image && self.images_written == 0;
        self.images_written += 1;
        let img = images::Img {
            src: &open.src,
            picture: open.picture.as_ref(),
            alt: &alt,
            title: (!open.in_figure).then_some(open.title.as_ref()),
            sizes: self.options.image_sizes,
            eager,
        };
        if eager {
            let lazy = images::Img {
                eager: false,
                ..img
            };
            self.eager = Some((self.out.len(), lazy.html()));
        }
        let html = img.html();
        self.out.push(Event::InlineHtml(html.into()));
    }

    fn record_link(&mut self, offset: usize, original: &str, url: String) {
        let (line, column) = self.place(offset);
        self.rendered.links.push(SiteLink {
            line,
            column,
            original: original.to_string(),
            url,
        });
    }

    fn finish(mut self) -> Rendered {
        let summary = match (self.more_at, self.first_paragraph.take()) {
            (Some(end), _) => 0..end,
            (None, Some(range)) => range,
            (None, None) => 0..0,
        };
        let page_url = self.options.page_url;
        // A footnote's text is not in the summary, so neither is its reference; an in-page
        // link leads to the page, since the summary is shown on others.
        let eager = self.eager.take();
        let summary_events = self.out[summary.clone()]
            .iter()
            .enumerate()
            .filter(|(_, e)| !matches!(e, Event::FootnoteReference(_)))
            .map(|(i, event)| match (event, page_url) {
                (_, _)
                    if eager
                        .as_ref()
                        .is_some_and(|(at, _)| *at == summary.start + i) =>
                {
                    Event::InlineHtml(
                        eager
                            .as_ref()
                            .map_or("", |(_, lazy)| lazy)
                            .to_string()
                            .into(),
                    )
                }
                (
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }),
                    Some(url),
                ) if dest_url.starts_with('#') => Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: format!("{url}{dest_url}").into(),
                    title: title.clone(),
                    id: id.clone(),
                }),
                (event, _) => event.clone(),
            });
        let mut rendered = self.rendered;
        pulldown_cmark::html::push_html(&mut rendered.summary_html, summary_events);
        rendered.summary_html = fitted(rendered.summary_html);
        rendered.summary_text = text::plain_text_of(&self.out[summary]);
        rendered.html.reserve(self.markdown.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut rendered.html, self.out.into_iter());
        rendered.html = fitted(rendered.html);
        rendered.ids = fitted_list(rendered.ids);
        rendered.toc = headings::nest_toc(self.flat_toc);
        rendered.text.truncate(rendered.text.trim_end().len());
        // Reading HTML takes a parser: only when an `id` or a `name` may be in it (shortcode
        // output, much of it, has neither).
        if text::may_name_anchors(&self.raw_html) {
            rendered.ids.extend(text::html_anchors(&self.raw_html));
        }
        rendered
    }
}

/// The same text in a block of its own size. A build holds every page's render from the
/// Markdown step until its page is written: the room a string grew into (by doubling, or
/// reserved ahead) would be an eighth to a half more memory for the whole site, and the
/// allocator keeps a block in place when it shrinks by less than half. The copy is small
/// beside the render, and the block it leaves serves the next render.
fn fitted(text: String) -> String {
    if text.capacity() - text.len() <= text.len() / 16 {
        text
    } else {
        text.as_str().to_owned()
    }
}

/// A list in a block of its own size, as [`fitted`] does for text.
fn fitted_list<T>(list: Vec<T>) -> Vec<T> {
    if list.capacity() == list.len() {
        list
    } else {
        let mut fitted = Vec::with_capacity(list.len());
        fitted.extend(list);
        fitted
    }
}

/// Elements inside a line of text: the plain text goes on through them.
fn is_inline(tag: &Tag) -> bool {
    is_inline_style(tag) || matches!(tag, Tag::Link { .. } | Tag::Image { .. })
}

fn is_inline_end(tag: &TagEnd) -> bool {
    is_inline_style_end(tag) || matches!(tag, TagEnd::Image)
}

/// Inline styles do not end a word: `*in*line` is one word.
fn is_inline_style(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Superscript | Tag::Subscript
    )
}

fn is_inline_style_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
    )
}

fn open_alert(kind: BlockQuoteKind, titles: &[&str; 6]) -> String {
    let (class, n) = match kind {
        BlockQuoteKind::Note => ("note", 0),
        BlockQuoteKind::Tip => ("tip", 1),
        BlockQuoteKind::Important => ("important", 2),
        BlockQuoteKind::Warning => ("warning", 3),
        BlockQuoteKind::Caution => ("caution", 4),
    };
    let mut title = String::new();
    pulldown_cmark_escape::escape_html(&mut title, titles[n]).ok();
    format!(
        "<div class=\"alert alert-{class}\" role=\"note\">\n<p class=\"alert-title\">{title}</p>\n"
    )
}

#[cfg(test)]
mod tests;
