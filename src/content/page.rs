//! Pages: one Markdown file (or page bundle) each, with their front matter.

use std::path::PathBuf;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::front_matter::{self, Date, Split, UnknownKeys};
use crate::config::TaxonomyConfig;
use crate::error::Diagnostic;

const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "author",
    "authors",
    "tags",
    "cover",
    "draft",
    "noindex",
    "slug",
    "path",
    "template",
    "weight",
    "extra",
    "aliases",
    "taxonomies",
    "toc",
    "toc_depth",
];

/// A page's cover image.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Cover {
    /// Where the image is: relative to the page, `@/` from `content/`, or a URL.
    pub src: String,
    /// What the image shows, for readers who cannot see it.
    pub alt: Option<String>,
    /// A caption shown under the image.
    pub caption: Option<String>,
}

/// A page's front matter as written.
#[derive(Debug, Deserialize)]
struct RawPageMeta {
    title: Option<String>,
    description: Option<String>,
    date: Option<Date>,
    updated: Option<Date>,
    author: Option<String>,
    authors: Option<Vec<String>>,
    #[serde(default)]
    tags: Vec<String>,
    /// Zola's way of listing terms: `[taxonomies] concerns = ["acne"]`.
    #[serde(default)]
    taxonomies: BTreeMap<String, Vec<String>>,
    cover: Option<Cover>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    noindex: bool,
    slug: Option<String>,
    path: Option<String>,
    template: Option<String>,
    weight: Option<i64>,
    #[serde(default)]
    extra: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    aliases: Vec<String>,
    toc: Option<bool>,
    toc_depth: Option<i64>,
    #[serde(flatten)]
    unknown: UnknownKeys,
}

/// One article or stand-alone page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The file, relative to the site root (`content/articles/x.md`), for messages.
    pub file: PathBuf,
    /// The file relative to `content/`, with `/` separators: the key of `@/` links.
    pub content_path: String,
    /// The folder that relative links start from, relative to `content/` (`articles`).
    pub dir: String,
    /// Whether the page is a bundle (`index.md` with its assets beside it).
    pub is_bundle: bool,
    /// Its language: an index into the configuration's languages, 0 for the default. Every
    /// list of pages (listings, feeds, the sitemap, a search index) can tell them apart by it.
    pub lang: usize,
    /// What its translations share: its folder and stem without the language (`articles/x`).
    pub key: String,
    /// The section folder that holds the page, relative to `content/` (`""` for the root).
    pub section: String,
    /// The page's path in the built site, without leading slash (`articles/x/`).
    pub path: String,
    /// The page's title.
    pub title: String,
    /// A one-sentence description, when given.
    pub description: Option<String>,
    /// When it was published.
    pub date: Option<Date>,
    /// When it was last changed.
    pub updated: Option<Date>,
    /// The slugs of its authors.
    pub authors: Vec<String>,
    /// Its terms in each taxonomy, in the order `serum.toml` declares them (`tags` first).
    pub terms: Vec<Vec<String>>,
    /// Its cover image.
    pub cover: Option<Cover>,
    /// Not published unless `--drafts`.
    pub draft: bool,
    /// Kept out of search engines.
    pub noindex: bool,
    /// The template that renders it, when not the default `page.html`.
    pub template: Option<String>,
    /// Its place in a section sorted by weight.
    pub weight: Option<i64>,
    /// Old URLs that should lead here.
    pub aliases: Vec<String>,
    /// The `extra` table, for templates.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The Markdown body.
    pub body: String,
    /// The 1-based line of the file on which the body starts.
    pub body_line: usize,
    /// The front matter text, to point at a key's line in later messages.
    pub front_matter: String,
    /// The line of the file on which the front matter text starts.
    pub front_matter_line: usize,
    /// Whether its table of contents is shown (`toc = false` hides it).
    pub show_toc: bool,
    /// How deep its table of contents goes, when it says (else `serum.toml`'s `toc_depth`).
    pub toc_depth: Option<u8>,
}

/// Where a page file sits in `content/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSource {
    /// Relative to the site root.
    pub file: PathBuf,
    /// Relative to `content/`, `/`-separated.
    pub content_path: String,
    /// The section folder holding it.
    pub section: String,
    /// The section's path in the built site (`articles/`).
    pub section_path: String,
    /// The file stem, or the bundle folder's name.
    pub stem: String,
    /// Whether it is a bundle's `index.md`.
    pub is_bundle: bool,
    /// Its language: an index into the configuration's languages, 0 for the default.
    pub lang: usize,
    /// What its translations share: its folder and stem without the language (`articles/x`).
    pub key: String,
}

#[cfg(test)]
impl PageSource {
    /// The file `content/{stem}.md`, at the top of `content/` in the default language.
    pub(crate) fn at_top(stem: &str) -> PageSource {
        PageSource {
            file: format!("content/{stem}.md").into(),
            content_path: format!("{stem}.md"),
            section: String::new(),
            section_path: String::new(),
            stem: stem.to_string(),
            is_bundle: false,
            lang: 0,
            key: stem.to_string(),
        }
    }
}

impl Page {
    /// Parses a page file's text. Front matter that cannot be read at all is the error; a
    /// problem with one key is added to `problems` and the page is still made, so that it does
    /// not hide the problems of the pages that show or link to it.
    pub fn parse(
        source: PageSource,
        text: String,
        taxonomies: &[TaxonomyConfig],
        problems: &mut Vec<Diagnostic>,
    ) -> Result<Page, Diagnostic> {
        let shown = &source.file;
        let split = front_matter::split(&text).map_err(|e| Diagnostic {
            path: Some(shown.clone()),
            ..e
        })?;
        let mut raw: RawPageMeta = front_matter::parse(&split, shown)?;
        let terms = take_terms(&mut raw, taxonomies, shown, &split, problems);
        problems.extend(raw.unknown.warnings(shown, &split, KNOWN_KEYS));
        let title = match raw.title.filter(|t| !t.trim().is_empty()) {
            Some(title) => title,
            None => {
                problems.push(missing_title(shown));
                source.stem.clone()
            }
        };
        let mut authors = raw.authors.unwrap_or_default();
        if let Some(author) = raw.author {
            authors.insert(0, author);
        }
        if let Some(cover) = &raw.cover {
            if cover.alt.as_deref().is_none_or(|alt| alt.trim().is_empty()) {
                problems.push(key_problem(shown, &split, "cover", "the cover has no `alt` text")
                    .because(crate::error::Reason::MissingAlt)
                    .hint("describe the image for readers who cannot see it: `cover = { src = \"…\", alt = \"…\" }`"));
            }
        }
        // `2014-05-06-title.md`: the name's date is the page's unless the front matter has
        // one, and the slug is the rest of the name.
        let dated = front_matter::dated_name(&source.stem);
        let slug = match (raw.slug, dated) {
            (Some(slug), _) => crate::markdown::slugify(&slug),
            (None, Some((_, rest))) => crate::markdown::slugify(rest),
            (None, None) => crate::markdown::slugify(&source.stem),
        };
        let date = raw.date.or(dated.map(|(date, _)| date));
        let path = match raw.path.as_deref().map(own_path) {
            Some(Ok(path)) => path,
            Some(Err(why)) => {
                problems.push(
                    key_problem(shown, &split, "path", why)
                        .because(crate::error::Reason::FrontMatter)
                        .hint("write the page's URL path from the site's root, such as `path = \"/2019/05/first-post/\"`; keep an old `.html` URL working with `aliases`"),
                );
                format!("{}{slug}/", source.section_path)
            }
            None => format!("{}{slug}/", source.section_path),
        };
        let toc_depth = match raw.toc_depth {
            None => None,
            Some(depth @ 2..=6) => Some(depth as u8),
            Some(depth) => {
                problems.push(
                    key_problem(
                        shown,
                        &split,
                        "toc_depth",
                        format!("`toc_depth = {depth}` is not a heading level the table of contents can reach"),
                    )
                    .because(crate::error::Reason::FrontMatter)
                    .hint("use 2 (only `##`) to 6 (down to `######`), or `toc = false` to hide it"),
                );
                None
            }
        };
        let dir = match source.content_path.rsplit_once('/') {
            Some((dir, _)) => dir.to_string(),
            None => String::new(),
        };
        let (front_matter, front_matter_line) =
            (split.front_matter.to_string(), split.front_matter_line);
        let body_line = split.body_line;
        // The body keeps the file's buffer, moved to its start: no copy of every article.
        let body_start = text.len() - split.body.len();
        let mut body = text;
        body.drain(..body_start);
        Ok(Page {
            path,
            file: source.file,
            content_path: source.content_path,
            dir,
            is_bundle: source.is_bundle,
            lang: source.lang,
            key: source.key,
            section: source.section,
            title,
            description: raw.description,
            date,
            updated: raw.updated,
            authors,
            terms,
            cover: raw.cover,
            draft: raw.draft,
            noindex: raw.noindex,
            template: raw.template,
            weight: raw.weight,
            aliases: raw.aliases,
            extra: raw.extra,
            body,
            body_line,
            front_matter,
            front_matter_line,
            show_toc: raw.toc.unwrap_or(true),
            toc_depth,
        })
    }

    /// Its terms in the taxonomy at `index` of the configuration.
    pub fn terms(&self, index: usize) -> &[String] {
        self.terms.get(index).map_or(&[], Vec::as_slice)
    }

    /// Its tags.
    pub fn tags(&self) -> &[String] {
        self.terms(0)
    }

    /// Whether its front matter sets `key`.
    pub fn has_key(&self, key: &str) -> bool {
        let split = Split {
            format: front_matter::Format::Toml,
            front_matter: &self.front_matter,
            front_matter_line: self.front_matter_line,
            body: "",
            body_line: self.body_line,
        };
        front_matter::key_line(&split, key).is_some()
    }

    /// A problem about one of the page's front matter keys, placed on its line.
    pub fn key_problem(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let split = Split {
            format: front_matter::Format::Toml,
            front_matter: &self.front_matter,
            front_matter_line: self.front_matter_line,
            body: "",
            body_line: self.body_line,
        };
        key_problem(&self.file, &split, key, message)
    }
}

/// A page's own URL path, as `path` in its front matter gives it (Zola's name; Hugo's `url`,
/// Jekyll's `permalink`): from the site's root, published as a folder. `"/2019/05/x"` gives
/// `2019/05/x/`.
fn own_path(written: &str) -> Result<String, String> {
    let trimmed = written.trim().trim_matches('/');
    let why = if trimmed.is_empty() {
        Some("is the home page's")
    } else if written.contains("://") || written.starts_with("//") {
        Some("is a full address, not a path on this site")
    } else if written.contains(['?', '#', '\\']) || written.chars().any(char::is_whitespace) {
        Some("has a character a URL path cannot carry here (`?`, `#`, `\\` or a space)")
    } else if trimmed
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        Some("has an empty, `.` or `..` part")
    } else if trimmed.ends_with(".html") || trimmed.ends_with(".htm") {
        Some("names a file: serum publishes each page as a folder with an index.html")
    } else {
        None
    };
    match why {
        Some(why) => Err(format!("`path = \"{written}\"` {why}")),
        None => Ok(format!("{trimmed}/")),
    }
}

fn key_problem(
    shown: &PathBuf,
    split: &Split,
    key: &str,
    message: impl Into<String>,
) -> Diagnostic {
    let problem = Diagnostic::in_file(shown, message);
    match front_matter::key_line(split, key) {
        Some((line, column)) => problem.at(line, column),
        None => problem,
    }
}

/// A page's terms in each taxonomy: `tags`, a key named after the taxonomy, or Zola's
/// `[taxonomies]` table. A term list for a taxonomy `serum.toml` does not declare is a warning.
fn take_terms(
    raw: &mut RawPageMeta,
    taxonomies: &[TaxonomyConfig],
    shown: &PathBuf,
    split: &Split,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Vec<String>> {
    let mut from_table = std::mem::take(&mut raw.taxonomies);
    let mut terms = Vec::with_capacity(taxonomies.len().max(1));
    for (index, taxonomy) in taxonomies.iter().enumerate() {
        let mut list = if index == 0 {
            std::mem::take(&mut raw.tags)
        } else {
            match raw.unknown.take(&taxonomy.name) {
                Some(value) => words(value).unwrap_or_else(|| {
                    problems.push(
                        key_problem(
                            shown,
                            split,
                            &taxonomy.name,
                            format!(
                                "`{}` must be a list of words, such as [\"acne\", \"scarring\"]",
                                taxonomy.name
                            ),
                        )
                        .because(crate::error::Reason::FrontMatter)
                        .hint("write the terms as a list of strings"),
                    );
                    Vec::new()
                }),
                None => Vec::new(),
            }
        };
        list.extend(from_table.remove(&taxonomy.name).unwrap_or_default());
        list.retain(|term| {
            let usable = !slug::slugify(term).is_empty();
            if !usable {
                let key = if index == 0 {
                    "tags"
                } else {
                    taxonomy.name.as_str()
                };
                problems.push(
                    key_problem(
                        shown,
                        split,
                        key,
                        format!(
                            "the term `{term}` has no letter or digit to make its page's URL of"
                        ),
                    )
                    .because(crate::error::Reason::FrontMatter)
                    .hint("write the term with at least one letter or digit"),
                );
            }
            usable
        });
        terms.push(list);
    }
    if taxonomies.is_empty() {
        terms.push(std::mem::take(&mut raw.tags));
    }
    for name in from_table.keys() {
        problems.push(
            key_problem(
                shown,
                split,
                "taxonomies",
                format!("the taxonomy `{name}` is not declared in serum.toml"),
            )
            .warning()
            .because(crate::error::Reason::UnusedKey)
            .hint(format!(
                "declare it: taxonomies = [{{ name = \"{name}\" }}], or remove it from the page"
            )),
        );
    }
    terms
}

/// A list of words, or one word, as front matter may give terms.
fn words(value: serde_json::Value) -> Option<Vec<String>> {
    match value {
        serde_json::Value::String(word) => Some(vec![word]),
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                serde_json::Value::String(word) => Some(word),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// The error for front matter without a title.
pub fn missing_title(shown: &PathBuf) -> Diagnostic {
    Diagnostic::in_file(shown, "missing `title` in the front matter")
        .because(crate::error::Reason::FrontMatter)
        .at(1, 1)
        .hint("add a line such as `title = \"My article\"` (TOML) or `title: My article` (YAML)")
}
