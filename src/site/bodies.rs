//! Step 3: Markdown to HTML for every page, section intro and author bio, in parallel. A body
//! unchanged since the last build, whose every link and image still resolves the same, is
//! taken from the cache instead; its HTML is made again only if an output needs it.

use std::borrow::Cow;
use std::ops::Not;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use rayon::prelude::*;

use super::incremental::CachedBody;
use super::links::Links;
use super::shortcodes::{self, PageShortcodes};
use super::{Key, KeyHasher, Site};
use crate::error::{Diagnostic, Diagnostics, Reason};
use crate::markdown::{self, ProblemKind, Rendered};
use crate::theme::Theme;

/// One Markdown text to render and where it comes from.
struct Source<'a> {
    text: &'a str,
    /// The folder its relative links start from, inside `content/`.
    dir: &'a str,
    /// The file, relative to the site root (a section without `_index.md`: its folder).
    file: Cow<'a, Path>,
    /// The line of the file on which the text starts.
    body_line: usize,
    /// The URL of the page it is shown on.
    url: String,
    /// The deepest heading level its table of contents shows.
    toc_depth: u8,
    /// Whether to give its plain text too, for the search index (pages, when the site has
    /// search).
    plain_text: bool,
    /// How wide the theme shows its images.
    image_sizes: &'a str,
    /// Its first image may be the page's largest paint: a page without a cover.
    eager_first_image: bool,
    /// Its language: links lead to pages in it when they can.
    lang: usize,
    /// The words its HTML carries (alert titles, heading links' labels) in that language.
    words: [&'a str; 6],
}

/// Renders one body, its shortcodes with the theme's templates (without a theme, shortcode
/// syntax is left as text: the theme's own problem is reported).
fn render_source(theme: Option<&Theme>, links: &Links, source: &Source) -> Rendered {
    let options = markdown::Options {
        page_url: Some(&source.url),
        toc_depth: source.toc_depth,
        plain_text: source.plain_text,
        image_sizes: source.image_sizes,
        eager_first_image: source.eager_first_image,
        words: source.words,
    };
    let resolver = links.seen_from(source.dir, source.lang);
    let Some(theme) = theme else {
        return markdown::render(source.text, &options, &resolver);
    };
    let shortcodes = PageShortcodes::new(theme, links, source.dir, source.lang);
    let mut rendered = markdown::render_with(source.text, &options, &resolver, Some(&shortcodes));
    rendered.data = shortcodes.into_data();
    rendered
}

/// A rendered body, or what the cache kept of it.
pub(crate) struct Body {
    /// What the render gave; for pages, the HTML is kept apart, in `html`.
    pub rendered: Rendered,
    /// A page's HTML until its page is written; `None` when the body came from the cache.
    html: std::sync::Mutex<Option<String>>,
    /// A page's plain text until the search index takes it; `None` when the body came from
    /// the cache, or the site has no search.
    text: std::sync::Mutex<Option<String>>,
    /// The key of the text and where it sits.
    key: Key,
    /// The key of the shortcode templates it used.
    shortcodes_key: Key,
    /// The key of the HTML: the text's key and where every link and image leads.
    pub output_key: Key,
}

/// The bodies of the whole site.
pub(crate) struct Bodies {
    /// One per page, in library order.
    pub pages: Vec<Body>,
    /// One per section, in library order (empty intros included).
    pub sections: Vec<Body>,
    /// One per author, in library order.
    pub authors: Vec<Body>,
    /// Each page's Markdown, while it may be needed: when its HTML is not held.
    texts: Vec<Option<String>>,
    files: Files,
}

/// Each body's file, to key the cache and render again on demand.
struct Files {
    pages: Vec<PathBuf>,
    sections: Vec<PathBuf>,
    authors: Vec<PathBuf>,
}

/// Renders every body that the cache cannot give, and reports every broken link and image.
/// `texts` are the pages' Markdown, taken from the library: a page whose HTML this build
/// holds lets its text go, which at 10,000 articles is tens of megabytes.
pub(crate) fn render_all(
    site: &Site,
    texts: Vec<String>,
    links: &Links,
    cache: &IndexMap<PathBuf, CachedBody>,
    diagnostics: &mut Diagnostics,
) -> Bodies {
    let theme = site.theme.as_ref();
    // What a body's shortcodes read besides its text: their templates, and the files of the
    // images they show (a figure writes its image's width and height).
    let shortcodes_key = |rendered: &Rendered, dir: &str| -> Key {
        if rendered.shortcodes.is_empty() {
            return 0;
        }
        let images = rendered
            .resolved
            .iter()
            .filter(|r| r.image)
            .filter_map(|r| links.asset(&r.dest, dir));
        images
            .fold(
                KeyHasher::new().key(shortcodes::used_key(theme, &rendered.shortcodes)),
                |hasher, asset| hasher.key(super::images::source_stamp(&asset.source)),
            )
            .finish()
    };
    let render = |source: Source, use_cache: bool| -> (Body, Vec<Diagnostic>) {
        let key = KeyHasher::new()
            .text(source.text)
            .text(source.dir)
            .text(&source.url)
            .number(source.body_line as u64)
            .number(u64::from(source.toc_depth))
            .text(source.image_sizes)
            .value(&source.eager_first_image)
            .value(&source.words)
            .finish();
        let resolver = links.seen_from(source.dir, source.lang);
        let cached = cache.get(source.file.as_ref()).filter(|cached| {
            use_cache
                && cached.key == key
                && cached.shortcodes_key == shortcodes_key(&cached.rendered, source.dir)
                && cached.rendered.resolved.iter().all(|r| {
                    let now = if r.image {
                        markdown::Resolve::image(&resolver, &r.dest)
                    } else {
                        markdown::Resolve::link(&resolver, &r.dest)
                    };
                    now == r.action
                })
        });
        let (rendered, has_html) = match cached {
            Some(cached) => (cached.rendered.clone(), false),
            None => (render_source(theme, links, &source), true),
        };
        let problems = link_problems(&rendered, &source.file, source.body_line);
        let shortcodes_key = shortcodes_key(&rendered, source.dir);
        let output_key = KeyHasher::new()
            .key(key)
            .key(shortcodes_key)
            .value(&rendered.resolved)
            .finish();
        let mut rendered = rendered;
        // Pages give their HTML up once written; intros and bios keep it, for every listing.
        let html = (has_html && use_cache).then(|| std::mem::take(&mut rendered.html));
        let text = (has_html && source.plain_text).then(|| std::mem::take(&mut rendered.text));
        let body = Body {
            rendered,
            html: std::sync::Mutex::new(html),
            text: std::sync::Mutex::new(text),
            key,
            shortcodes_key,
            output_key,
        };
        (body, problems)
    };
    // Each text goes as soon as its page is rendered, so that the texts and the HTML that
    // replaces them are never all in memory at once.
    // rayon's own split is kept, though its last piece can keep one core busy alone for a few
    // tenths of a second at 100,000 articles: tasks of at most 64 pages (here and in the
    // other steps over every page) made the whole build 3 to 10% slower in each of 4
    // alternating rounds; why was not measured.
    let (pages, texts): (Vec<_>, Vec<Option<String>>) = texts
        .into_par_iter()
        .enumerate()
        .map(|(i, text)| {
            let rendered = render(page_source(site, &text, i), true);
            let keep = rendered.0.html_is_held().not().then_some(text);
            (rendered, keep)
        })
        .unzip();
    let sections: Vec<_> = section_sources(site)
        .into_par_iter()
        .map(|s| render(s, false))
        .collect();
    let authors: Vec<_> = author_sources(site)
        .into_par_iter()
        .map(|s| render(s, false))
        .collect();
    let mut unzip = |list: Vec<(Body, Vec<Diagnostic>)>| -> Vec<Body> {
        list.into_iter()
            .map(|(body, problems)| {
                diagnostics.extend(problems);
                body
            })
            .collect()
    };
    let files = Files {
        pages: site.library.pages.iter().map(|p| p.file.clone()).collect(),
        sections: section_sources(site)
            .into_iter()
            .map(|s| s.file.into_owned())
            .collect(),
        authors: author_sources(site)
            .into_iter()
            .map(|s| s.file.into_owned())
            .collect(),
    };
    Bodies {
        pages: unzip(pages),
        sections: unzip(sections),
        authors: unzip(authors),
        texts,
        files,
    }
}

impl Body {
    fn html_is_held(&self) -> bool {
        self.html
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }
}

impl Bodies {
    /// A page's HTML: as rendered in this build, or rendered again when the cache gave it.
    pub(crate) fn page_html(&self, site: &Site, links: &Links, index: usize) -> String {
        let kept = self.pages[index]
            .html
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        kept.unwrap_or_else(|| self.render_page_html(site, links, index))
    }

    /// A page's HTML for its own page, its last use: the memory goes with it.
    pub(crate) fn take_page_html(&self, site: &Site, links: &Links, index: usize) -> String {
        let kept = self.pages[index]
            .html
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        kept.unwrap_or_else(|| self.render_page_html(site, links, index))
    }

    /// Renders a page's HTML again from its text, kept for exactly the pages whose HTML the
    /// cache gave without HTML.
    fn render_page_html(&self, site: &Site, links: &Links, index: usize) -> String {
        let Some(Some(text)) = self.texts.get(index) else {
            debug_assert!(false, "page {index}: its HTML was taken twice");
            return String::new();
        };
        let source = page_source(site, text, index);
        render_source(site.theme.as_ref(), links, &source).html
    }

    /// A page's plain text for the search index, its only use: as rendered in this build, or
    /// rendered again from its Markdown when the cache gave the body.
    pub(crate) fn take_page_text(&self, site: &Site, links: &Links, index: usize) -> String {
        let kept = self.pages[index]
            .text
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        kept.unwrap_or_else(|| match self.texts.get(index) {
            Some(Some(text)) => {
                let source = Source {
                    plain_text: true,
                    ..page_source(site, text, index)
                };
                render_source(site.theme.as_ref(), links, &source).text
            }
            _ => String::new(),
        })
    }

    /// A section intro's or an author bio's HTML, which is always rendered (they are few).
    pub(crate) fn section_html(&self, index: usize) -> &str {
        &self.sections[index].rendered.html
    }

    /// An author's bio as HTML.
    pub(crate) fn author_html(&self, index: usize) -> &str {
        &self.authors[index].rendered.html
    }

    /// What the next build may take from this one: every body, without its HTML.
    pub(crate) fn into_cache(self) -> IndexMap<PathBuf, CachedBody> {
        let pairs = self
            .files
            .pages
            .into_iter()
            .zip(self.pages)
            .chain(self.files.sections.into_iter().zip(self.sections))
            .chain(self.files.authors.into_iter().zip(self.authors));
        pairs
            .map(|(file, body)| {
                let mut rendered = body.rendered;
                rendered.html = String::new();
                drop(body.html);
                drop(body.text);
                (
                    file,
                    CachedBody {
                        key: body.key,
                        shortcodes_key: body.shortcodes_key,
                        rendered,
                    },
                )
            })
            .collect()
    }
}

/// How wide the theme shows images in articles.
fn image_sizes(site: &Site) -> &str {
    site.theme
        .as_ref()
        .map_or(markdown::DEFAULT_IMAGE_SIZES, |t| t.image_sizes.as_str())
}

/// The words Markdown's HTML carries in language `lang`: the theme's strings (`alert_note`,
/// …, `heading_link`), else English.
fn words(site: &Site, lang: usize) -> [&str; 6] {
    let code = site.language_code(lang);
    let mut titles = markdown::WORDS;
    if let Some(theme) = &site.theme {
        for (title, key) in titles.iter_mut().zip(markdown::WORD_KEYS) {
            if let Some(crate::i18n::Message::Text(text)) = theme.strings().get(code, key) {
                *title = text;
            }
        }
    }
    titles
}

fn page_source<'a>(site: &'a Site, text: &'a str, index: usize) -> Source<'a> {
    let page = &site.library.pages[index];
    Source {
        text,
        dir: &page.dir,
        file: Cow::Borrowed(&page.file),
        body_line: page.body_line,
        url: site.config.url_path(&page.path),
        toc_depth: page.toc_depth.unwrap_or(site.config.toc_depth),
        plain_text: site.config.search,
        image_sizes: image_sizes(site),
        eager_first_image: page.cover.is_none(),
        lang: page.lang,
        words: words(site, page.lang),
    }
}

/// Section intros and author bios are rendered every time: a few texts, and their HTML is on
/// every listing page of theirs.
fn section_sources(site: &Site) -> Vec<Source<'_>> {
    site.library
        .sections
        .iter()
        .map(|s| Source {
            text: &s.body,
            dir: &s.dir,
            file: match &s.file {
                Some(file) => Cow::Borrowed(file.as_path()),
                None => Cow::Owned(Path::new("content").join(&s.dir)),
            },
            body_line: s.body_line,
            url: site.config.url_path(&s.path),
            toc_depth: site.config.toc_depth,
            plain_text: false,
            image_sizes: image_sizes(site),
            eager_first_image: false,
            lang: s.lang,
            words: words(site, s.lang),
        })
        .collect()
}

fn author_sources(site: &Site) -> Vec<Source<'_>> {
    site.library
        .authors
        .iter()
        .map(|a| Source {
            text: &a.body,
            dir: crate::content::AUTHORS_DIR,
            file: Cow::Borrowed(a.file.as_path()),
            body_line: a.body_line,
            url: site.config.url_path(&a.path),
            toc_depth: site.config.toc_depth,
            plain_text: false,
            image_sizes: image_sizes(site),
            eager_first_image: false,
            lang: a.lang,
            words: words(site, a.lang),
        })
        .collect()
}

/// The links and images of a body that lead nowhere, and its shortcode calls that fail,
/// placed in its file.
fn link_problems(rendered: &Rendered, file: &Path, body_line: usize) -> Vec<Diagnostic> {
    rendered
        .problems
        .iter()
        .map(|p| {
            let (reason, hint) = match p.kind {
                ProblemKind::Image => (
                    Reason::MissingImage,
                    "fix the path (relative to this file, `@/` from content/, or `/` from static/), or add the image",
                ),
                ProblemKind::Link => (
                    Reason::BrokenLink,
                    "fix the path (relative to this file, or `@/` from content/), or create what it points to",
                ),
                ProblemKind::Shortcode => (Reason::Shortcode, "fix the shortcode call"),
                ProblemKind::ForeignSyntax => (Reason::ForeignSyntax, ""),
                ProblemKind::MissingAlt => (Reason::MissingAlt, ""),
            };
            let problem = Diagnostic::in_file(file, p.message.clone())
                .at(body_line + p.line - 1, p.column)
                .because(reason)
                .hint(p.hint.as_deref().unwrap_or(hint));
            if matches!(p.kind, ProblemKind::ForeignSyntax | ProblemKind::MissingAlt) {
                problem.warning()
            } else {
                problem
            }
        })
        .collect()
}
