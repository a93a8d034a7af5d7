//! Sections: every folder of `content/`, described by an optional `_index.md`.

use std::path::PathBuf;

use serde::Deserialize;

use super::front_matter::{self, UnknownKeys};
use crate::error::Diagnostic;

const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "sort_by",
    "template",
    "page_template",
    "weight",
    "paginate_by",
    "feed",
    "extra",
];

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first; undated pages last, by title.
    #[default]
    Date,
    /// Lightest `weight` first.
    Weight,
    /// Alphabetically by title.
    Title,
}

#[derive(Debug, Default, Deserialize)]
struct RawSectionMeta {
    title: Option<String>,
    description: Option<String>,
    sort_by: Option<SortBy>,
    template: Option<String>,
    page_template: Option<String>,
    weight: Option<i64>,
    paginate_by: Option<i64>,
    feed: Option<bool>,
    extra: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(flatten)]
    unknown: UnknownKeys,
}

/// A folder of pages.
#[derive(Debug, Clone)]
pub struct Section {
    /// The folder relative to `content/` (`""` for the root, `articles`).
    pub dir: String,
    /// Its language: an index into the configuration's languages, 0 for the default.
    pub lang: usize,
    /// Its `_index.md`, relative to the site root, when it has one.
    pub file: Option<PathBuf>,
    /// The section's path in the built site (`""` for the home page, `articles/`).
    pub path: String,
    /// Its title: from `_index.md`, else the folder's name.
    pub title: String,
    /// A sentence about it.
    pub description: Option<String>,
    /// How its pages are ordered.
    pub sort_by: SortBy,
    /// The template that renders it.
    pub template: Option<String>,
    /// The template for its pages, when they name none.
    pub page_template: Option<String>,
    /// Its place among sibling sections.
    pub weight: Option<i64>,
    /// Articles per page of its listing, when it sets its own (0: all on one page).
    pub paginate_by: Option<usize>,
    /// Whether it has an Atom feed of its own.
    pub feed: bool,
    /// The `extra` table, for templates.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The intro, in Markdown.
    pub body: String,
    /// The line on which the intro starts.
    pub body_line: usize,
}

impl Section {
    /// A section for a folder without `_index.md`.
    pub fn untitled(dir: &str, path: String, site_title: &str) -> Section {
        let name = dir.rsplit('/').next().unwrap_or(dir);
        let title = if dir.is_empty() {
            site_title.to_string()
        } else {
            title_case(name)
        };
        Section {
            dir: dir.to_string(),
            lang: 0,
            file: None,
            path,
            title,
            description: None,
            sort_by: SortBy::Date,
            template: None,
            page_template: None,
            weight: None,
            paginate_by: None,
            feed: false,
            extra: Default::default(),
            body: String::new(),
            body_line: 1,
        }
    }

    /// The same section in another language, before its own `_index.fr.md` (if any) is read
    /// over it: the settings stay, the words (description, intro) do not.
    pub fn in_language(&self, lang: usize, prefix: &str, title: Option<&str>) -> Section {
        Section {
            lang,
            file: None,
            path: format!("{prefix}{}", self.path),
            title: title.unwrap_or(&self.title).to_string(),
            description: None,
            body: String::new(),
            body_line: 1,
            ..self.clone()
        }
    }

    /// Reads a section's `_index.md` over the defaults (or a translation's over its
    /// section's settings): what it does not say stays as it was.
    pub fn apply_index(
        &mut self,
        file: PathBuf,
        text: &str,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<(), Diagnostic> {
        let split = front_matter::split(text).map_err(|e| Diagnostic {
            path: Some(file.clone()),
            ..e
        })?;
        let raw: RawSectionMeta = front_matter::parse(&split, &file)?;
        warnings.extend(raw.unknown.warnings(&file, &split, KNOWN_KEYS));
        if let Some(title) = raw.title.filter(|t| !t.trim().is_empty()) {
            self.title = title;
        }
        self.description = raw.description.or(self.description.take());
        self.sort_by = raw.sort_by.unwrap_or(self.sort_by);
        self.template = raw.template.or(self.template.take());
        self.page_template = raw.page_template.or(self.page_template.take());
        self.weight = raw.weight.or(self.weight);
        self.feed = raw.feed.unwrap_or(self.feed);
        self.paginate_by = match raw.paginate_by {
            Some(n) if n < 0 => {
                let problem = Diagnostic::in_file(
                    &file,
                    format!("`paginate_by = {n}`: a listing cannot show fewer than no articles per page"),
                )
                .because(crate::error::Reason::FrontMatter)
                .hint("give how many articles a listing page shows, such as 10; 0 puts them all on one page");
                warnings.push(match front_matter::key_line(&split, "paginate_by") {
                    Some((line, column)) => problem.at(line, column),
                    None => problem,
                });
                None
            }
            Some(n) => Some(n as usize),
            None => self.paginate_by,
        };
        if let Some(extra) = raw.extra {
            self.extra = extra;
        }
        self.body = split.body.to_string();
        self.body_line = split.body_line;
        self.file = Some(file);
        Ok(())
    }
}

/// `skin-care` -> `Skin care`.
fn title_case(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
