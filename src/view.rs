//! What templates see: serializable views of the site's data, documented in the README.

use serde::Serialize;

use crate::config::Config;
use crate::content::{Author, AuthorLink, Library, Page, Section};
use crate::markdown::{Rendered, TocEntry};

/// `config`: the site's settings.
#[derive(Serialize)]
pub struct ConfigView<'a> {
    title: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    description: &'a str,
    language: &'a str,
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

impl<'a> ConfigView<'a> {
    /// The view of a configuration.
    pub fn new(config: &'a Config) -> Self {
        ConfigView {
            title: &config.title,
            base_url: &config.base_url,
            base_path: &config.base_path,
            description: &config.description,
            language: &config.language,
            extra: &config.extra,
        }
    }
}

/// A title and the URL it links to.
#[derive(Serialize)]
pub struct Link<'a> {
    title: &'a str,
    url: String,
}

/// `site`: what every page can link to.
#[derive(Serialize)]
pub struct SiteView<'a> {
    sections: Vec<Link<'a>>,
    authors: Vec<Link<'a>>,
}

impl<'a> SiteView<'a> {
    /// The top-level sections and the authors, for navigation.
    pub fn new(config: &Config, library: &'a Library) -> Self {
        let top = library
            .subsections
            .first()
            .map(Vec::as_slice)
            .unwrap_or_default();
        SiteView {
            sections: top
                .iter()
                .map(|&i| &library.sections[i])
                .map(|s| Link {
                    title: &s.title,
                    url: config.url_path(&s.path),
                })
                .collect(),
            authors: library
                .authors
                .iter()
                .map(|a| Link {
                    title: &a.name,
                    url: config.url_path(&a.path),
                })
                .collect(),
        }
    }
}

/// An author as named in a byline.
#[derive(Serialize)]
pub struct AuthorRef<'a> {
    slug: &'a str,
    name: &'a str,
    url: String,
    permalink: String,
    role: Option<&'a str>,
    company: Option<&'a str>,
    job_title: Option<String>,
    avatar: Option<String>,
    bio: &'a str,
}

impl<'a> AuthorRef<'a> {
    /// The byline view of an author; `avatar` is its resolved URL, `bio` its rendered bio.
    pub fn new(config: &Config, author: &'a Author, avatar: Option<String>, bio: &'a str) -> Self {
        AuthorRef {
            slug: &author.slug,
            name: &author.name,
            url: config.url_path(&author.path),
            permalink: config.permalink(&author.path),
            role: author.role.as_deref(),
            company: author.company.as_deref(),
            job_title: author.job_title(),
            avatar,
            bio,
        }
    }
}

/// `page.byline`: who wrote it, when, and how long it takes to read.
#[derive(Serialize)]
pub struct Byline<'a> {
    authors: Vec<AuthorRef<'a>>,
    date: Option<String>,
    updated: Option<String>,
    reading_time: usize,
}

/// `page.cover`: the cover image with its resolved URL.
#[derive(Serialize)]
pub struct CoverView<'a> {
    src: String,
    alt: &'a str,
    caption: Option<&'a str>,
}

/// What a listing shows of a page (also part of the full page view).
#[derive(Serialize)]
pub struct PageSummary<'a> {
    title: &'a str,
    description: Option<&'a str>,
    url: String,
    permalink: String,
    date: Option<String>,
    updated: Option<String>,
    summary: &'a str,
    summary_text: &'a str,
    word_count: usize,
    reading_time: usize,
    tags: &'a [String],
    cover: Option<CoverView<'a>>,
    byline: Byline<'a>,
    draft: bool,
    section: Link<'a>,
}

/// Minutes to read a text, at 200 words a minute, at least one.
pub fn reading_time(word_count: usize) -> usize {
    word_count.div_ceil(200).max(1)
}

impl<'a> PageSummary<'a> {
    /// The listing view of a page; `authors` are its byline entries, `cover_src` its cover's URL.
    pub fn new(
        config: &Config,
        page: &'a Page,
        rendered: &'a Rendered,
        section: &'a Section,
        authors: Vec<AuthorRef<'a>>,
        cover_src: Option<String>,
    ) -> Self {
        let date = page.date.map(|d| d.to_string());
        let updated = page.updated.map(|d| d.to_string());
        let reading_time = reading_time(rendered.word_count);
        PageSummary {
            title: &page.title,
            description: page.description.as_deref(),
            url: config.url_path(&page.path),
            permalink: config.permalink(&page.path),
            date: date.clone(),
            updated: updated.clone(),
            summary: &rendered.summary_html,
            summary_text: &rendered.summary_text,
            word_count: rendered.word_count,
            reading_time,
            tags: &page.tags,
            cover: page
                .cover
                .as_ref()
                .zip(cover_src)
                .map(|(cover, src)| CoverView {
                    src,
                    alt: cover.alt.as_deref().unwrap_or_default(),
                    caption: cover.caption.as_deref(),
                }),
            byline: Byline {
                authors,
                date,
                updated,
                reading_time,
            },
            draft: page.draft,
            section: Link {
                title: &section.title,
                url: config.url_path(&section.path),
            },
        }
    }
}

/// The parts of `page` that listings leave out; merged over the page's summary.
#[derive(Serialize)]
pub struct PageBody<'a> {
    content: &'a str,
    toc: &'a [TocEntry],
    noindex: bool,
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

impl<'a> PageBody<'a> {
    /// The full-page parts of a page.
    pub fn new(page: &'a Page, rendered: &'a Rendered) -> Self {
        PageBody {
            content: &rendered.html,
            toc: &rendered.toc,
            noindex: page.noindex,
            extra: &page.extra,
        }
    }
}

/// `section`: a section (or the home page) without its page list, which is added as `section.pages`.
#[derive(Serialize)]
pub struct SectionView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    url: String,
    permalink: String,
    content: &'a str,
    toc: &'a [TocEntry],
    subsections: Vec<Link<'a>>,
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

impl<'a> SectionView<'a> {
    /// The view of a section, with links to its subsections.
    pub fn new(
        config: &Config,
        library: &'a Library,
        index: usize,
        rendered: &'a Rendered,
    ) -> Self {
        let section = &library.sections[index];
        SectionView {
            title: &section.title,
            description: section.description.as_deref(),
            url: config.url_path(&section.path),
            permalink: config.permalink(&section.path),
            content: &rendered.html,
            toc: &rendered.toc,
            subsections: library.subsections[index]
                .iter()
                .map(|&i| &library.sections[i])
                .map(|s| Link {
                    title: &s.title,
                    url: config.url_path(&s.path),
                })
                .collect(),
            extra: &section.extra,
        }
    }
}

/// `author`: an author's page, without its page list, which is added as `author.pages`.
#[derive(Serialize)]
pub struct AuthorView<'a> {
    #[serde(flatten)]
    card: AuthorRef<'a>,
    links: &'a [AuthorLink],
}

impl<'a> AuthorView<'a> {
    /// The view of an author's page.
    pub fn new(card: AuthorRef<'a>, author: &'a Author) -> Self {
        AuthorView {
            card,
            links: &author.links,
        }
    }
}

/// Adds `key` to a map value: used to attach shared listings without copying them.
pub fn with_key(value: tera::Value, key: &'static str, extra: tera::Value) -> tera::Value {
    let mut map = value.into_map().unwrap_or_default();
    map.insert(key.into(), extra);
    tera::Value::from(map)
}

/// Merges the entries of `extra` (a map value) into `value`.
pub fn merged(value: tera::Value, extra: tera::Value) -> tera::Value {
    let mut map = value.into_map().unwrap_or_default();
    map.extend(extra.into_map().unwrap_or_default());
    tera::Value::from(map)
}
