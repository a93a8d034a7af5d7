//! Notion page properties (`Written by: Mike Rubini`) mapped to serum front matter keys.
//!
//! The default mapping is [`DEFAULT_MAPPING`]; `--map "Notion Name=key"` adds to it or
//! overrides it, one property at a time.

use std::str::FromStr;

use serde::Serialize;
use toml::value::Datetime;

use crate::error::{Diagnostic, did_you_mean};

/// What a property becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `title`, instead of the page's `# Title` line.
    Title,
    /// `description`.
    Description,
    /// `date`, parsed from the dates Notion writes.
    Date,
    /// `updated`, parsed like `date`.
    Updated,
    /// `author` (or `authors`), creating `content/authors/<slug>.md` when new.
    Author,
    /// `tags`, a comma-separated list.
    Tags,
    /// `cover`, a file of the export that moves into the page bundle.
    Cover,
    /// `slug`, which also names the page bundle.
    Slug,
    /// `noindex`, from Yes/No.
    Noindex,
    /// `draft`, from Yes/No.
    Draft,
    /// `draft` as the opposite of a "Published" Yes/No.
    Published,
    /// `draft` when the value is one of [`DRAFT_STATUSES`]; any other value is kept as
    /// `extra.<name>`.
    Status,
    /// `extra.<name>`.
    Extra(String),
    /// Dropped.
    Ignore,
}

/// The property names serum recognises, compared without case, and what each becomes.
///
/// When two properties of one page map to the same key, the one listed first here wins and
/// the other goes to `extra`.
pub const DEFAULT_MAPPING: &[(&str, &str)] = &[
    ("Title", "title"),
    ("Do not index", "noindex"),
    ("No-index", "noindex"),
    ("Noindex", "noindex"),
    ("Files & media", "cover"),
    ("Cover", "cover"),
    ("Cover image", "cover"),
    ("Written by", "author"),
    ("Author", "author"),
    ("Authors", "author"),
    ("Author(s)", "author"),
    ("Slug", "slug"),
    ("Publish Date", "date"),
    ("Published Date", "date"),
    ("Date", "date"),
    ("Created", "date"),
    ("Created time", "date"),
    ("Date Created", "date"),
    ("Updated", "updated"),
    ("Last edited time", "updated"),
    ("Published", "published"),
    ("Draft", "draft"),
    ("Status", "status"),
    ("Excerpt", "description"),
    ("Meta description", "description"),
    ("Description", "description"),
    ("Summary", "description"),
    ("Tags", "tags"),
];

/// The keys a property can be mapped to with `--map`.
pub const KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "author",
    "tags",
    "cover",
    "slug",
    "noindex",
    "draft",
    "published",
    "status",
    "extra.NAME",
    "ignore",
];

/// Status values that say a page is not published, compared without case. Real workspaces
/// name their finished pages in many ways (Posted, Completed, In review, Live), so only these
/// explicit values make a draft; every other status is kept under `extra`.
pub const DRAFT_STATUSES: &[&str] = &[
    "Draft",
    "Drafting",
    "Not started",
    "Idea",
    "Ideas",
    "Backlog",
    "To do",
    "To-do",
    "Todo",
    "Planned",
    "Archived",
    "Unpublished",
];

/// The property names to look for, in order of precedence, each with its target.
#[derive(Debug, Clone)]
pub struct Mapping {
    rules: Vec<(String, Target)>,
}

impl Mapping {
    /// The default mapping with `--map "Notion Name=key"` overrides put first.
    pub fn new(overrides: &[String]) -> Result<Mapping, Vec<Diagnostic>> {
        let mut rules = Vec::new();
        let mut problems = Vec::new();
        for item in overrides {
            match parse_override(item) {
                Ok(rule) => rules.push(rule),
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        for (name, key) in DEFAULT_MAPPING {
            let target = parse_target(key).expect("the default mapping uses known keys");
            rules.push((fold(name), target));
        }
        Ok(Mapping { rules })
    }

    /// Whether a property name is one the mapping knows.
    pub fn knows(&self, property: &str) -> bool {
        self.target(property).is_some()
    }

    /// What a property becomes and its precedence (lower wins), or `None` for `extra`.
    pub fn target(&self, property: &str) -> Option<(usize, &Target)> {
        let name = fold(property);
        self.rules
            .iter()
            .enumerate()
            .find(|(_, (rule, _))| *rule == name)
            .map(|(rank, (_, target))| (rank, target))
    }
}

fn parse_override(item: &str) -> Result<(String, Target), Diagnostic> {
    let problem = |message: String| {
        Diagnostic::new(format!("--map \"{item}\": {message}")).hint(format!(
            "write --map \"Notion property=key\", where key is one of: {}",
            KEYS.join(", ")
        ))
    };
    let Some((name, key)) = item.rsplit_once('=') else {
        return Err(problem(
            "there is no `=` between the property and the key".into(),
        ));
    };
    if name.trim().is_empty() {
        return Err(problem("the property name is empty".into()));
    }
    match parse_target(key.trim()) {
        Some(target) => Ok((fold(name), target)),
        None => {
            let message = format!("`{}` is not a front matter key serum imports", key.trim());
            match did_you_mean(key.trim(), KEYS) {
                Some(close) => Err(problem(message).hint(format!("did you mean `{close}`?"))),
                None => Err(problem(message)),
            }
        }
    }
}

fn parse_target(key: &str) -> Option<Target> {
    Some(match key {
        "title" => Target::Title,
        "description" => Target::Description,
        "date" => Target::Date,
        "updated" => Target::Updated,
        "author" | "authors" => Target::Author,
        "tags" => Target::Tags,
        "cover" => Target::Cover,
        "slug" => Target::Slug,
        "noindex" => Target::Noindex,
        "draft" => Target::Draft,
        "published" => Target::Published,
        "status" => Target::Status,
        "ignore" => Target::Ignore,
        _ => {
            let name = key.strip_prefix("extra.")?;
            let name = extra_key(name);
            if name.is_empty() {
                return None;
            }
            Target::Extra(name)
        }
    })
}

/// A name compared without case or repeated spaces.
pub fn fold(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A property name as an `extra` key: `Reading time` -> `reading_time`.
pub fn extra_key(name: &str) -> String {
    let mut key = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    key.trim_end_matches('_').to_string()
}

/// `Yes`/`No` (and `true`/`false`, as Notion's CSV sometimes writes) as a boolean.
pub fn yes_no(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "yes" | "true" | "checked" => Some(true),
        "no" | "false" | "unchecked" => Some(false),
        _ => None,
    }
}

/// Whether a Status value says the page is not published.
pub fn status_is_draft(value: &str) -> bool {
    let value = fold(value);
    DRAFT_STATUSES.iter().any(|status| fold(status) == value)
}

/// A value for `extra`: Yes/No as booleans, everything else as text.
pub fn extra_value(value: &str) -> toml::Value {
    match yes_no(value) {
        Some(flag) => toml::Value::Boolean(flag),
        None => toml::Value::String(value.to_string()),
    }
}

/// The dates Notion writes, tried in this order, each also with a 12- or 24-hour time after
/// it: `June 27, 2023` (also `Jun 27, 2023`), `2023-06-27`, `2023/06/27`, `27 June 2023`
/// (also `27 Jun 2023`), and `06/27/2023` (month first, Notion's default; day first,
/// `27/06/2023`, when the first number is over 12).
const DATE_FORMATS: &[&str] = &[
    "%B %d, %Y",
    "%b %d, %Y",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d %B %Y",
    "%d %b %Y",
    "%m/%d/%Y",
];

const TIME_FORMATS: &[&str] = &["", " %I:%M %p", " %H:%M"];

/// Parses a date as Notion writes it; a time, if any, is kept without a time zone.
///
/// A range (`June 27, 2023 → July 1, 2023`) gives its start; a trailing zone such as
/// `(GMT+2)` is dropped.
pub fn parse_date(value: &str) -> Option<Datetime> {
    let start = value.split('→').next().unwrap_or(value);
    let start = match start.find(" (") {
        Some(paren) => &start[..paren],
        None => start,
    };
    let start = start.trim();
    for date_format in DATE_FORMATS {
        for time_format in TIME_FORMATS {
            let format = format!("{date_format}{time_format}");
            let Ok(parsed) = jiff::fmt::strtime::parse(&format, start) else {
                continue;
            };
            if let Some(datetime) = to_toml(&parsed, !time_format.is_empty()) {
                return Some(datetime);
            }
        }
    }
    parse_day_first(start)
}

/// `27/06/2023`: day first, read only when the month-first reading is impossible.
fn parse_day_first(text: &str) -> Option<Datetime> {
    for time_format in TIME_FORMATS {
        let format = format!("%d/%m/%Y{time_format}");
        if let Ok(parsed) = jiff::fmt::strtime::parse(&format, text) {
            if let Some(datetime) = to_toml(&parsed, !time_format.is_empty()) {
                return Some(datetime);
            }
        }
    }
    None
}

fn to_toml(parsed: &jiff::fmt::strtime::BrokenDownTime, with_time: bool) -> Option<Datetime> {
    let date = parsed.to_date().ok()?;
    let text = if with_time {
        let time = parsed.to_time().ok()?;
        format!("{date}T{}", time.strftime("%H:%M:%S"))
    } else {
        date.to_string()
    };
    Datetime::from_str(&text).ok()
}

/// The names in a people or relation value: `Mike Rubini (../Authors/Mike%20Rubini%20<id>.md), Ann`.
pub fn person_names(value: &str) -> Vec<String> {
    let mut rest = value;
    let mut plain = String::new();
    while let Some(open) = rest.find(" (") {
        match rest[open..].find(".md)") {
            Some(close) => {
                plain.push_str(&rest[..open]);
                rest = &rest[open + close + ".md)".len()..];
            }
            None => break,
        }
    }
    plain.push_str(rest);
    plain
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

/// The pages a relation value names, each with its title and target, when the whole value
/// is such a list: `Fresh start (Blog%20abc/Fresh%20start%20def.md), Second (…)`. The target
/// is a path of the export or an address in Notion.
pub fn relation_items(value: &str) -> Option<Vec<(String, String)>> {
    let mut items = Vec::new();
    let mut rest = value.trim();
    while !rest.is_empty() {
        // An item ends at the first `)` that ends the value or comes before `, ` and closes a
        // target; a title may hold parentheses and commas of its own.
        let (open, close) = rest.match_indices(')').find_map(|(close, _)| {
            let after = &rest[close + 1..];
            if !(after.is_empty() || after.starts_with(", ")) {
                return None;
            }
            let open = rest[..close].rfind(" (")?;
            is_relation_target(&rest[open + 2..close]).then_some((open, close))
        })?;
        let title = rest[..open].trim();
        if title.is_empty() {
            return None;
        }
        items.push((title.to_string(), rest[open + 2..close].to_string()));
        rest = &rest[close + 1..];
        rest = rest.strip_prefix(", ").unwrap_or(rest);
    }
    (!items.is_empty()).then_some(items)
}

fn is_relation_target(target: &str) -> bool {
    !target.is_empty()
        && !target.contains(char::is_whitespace)
        && (target.ends_with(".md") || target.starts_with("https://www.notion.so/"))
}

/// A comma-separated multi-select value as a list of tags.
pub fn tag_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
        .map(str::to_string)
        .collect()
}

/// The front matter an imported page is written with, in the order readers expect.
#[derive(Debug, Default, Serialize)]
pub struct FrontMatter {
    /// The page's title.
    pub title: String,
    /// One sentence about the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When it was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Datetime>,
    /// When it was last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<Datetime>,
    /// The author's slug, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The authors' slugs, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The last part of the URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// Kept out of the build.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    /// Asks search engines not to index it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub noindex: bool,
    /// The cover image, in the page bundle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<CoverImage>,
    /// Every other property.
    #[serde(skip_serializing_if = "toml::Table::is_empty")]
    pub extra: toml::Table,
}

/// `cover = { src, alt }`: alt is never empty.
#[derive(Debug, Clone, Serialize)]
pub struct CoverImage {
    /// The file name in the bundle, or a URL.
    pub src: String,
    /// What the image shows.
    pub alt: String,
}

impl FrontMatter {
    /// The whole `+++` block, ready to put before the body.
    pub fn to_toml(&self) -> String {
        let text = toml::to_string(self).expect("front matter serializes to TOML");
        format!("+++\n{}+++\n", text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<String> {
        parse_date(text).map(|d| d.to_string())
    }

    #[test]
    fn reads_the_dates_notion_writes() {
        assert_eq!(
            date("June 27, 2023 9:32 PM").as_deref(),
            Some("2023-06-27T21:32:00")
        );
        assert_eq!(date("June 27, 2023").as_deref(), Some("2023-06-27"));
        assert_eq!(date("Jun 7, 2023").as_deref(), Some("2023-06-07"));
        assert_eq!(date("2023-06-27").as_deref(), Some("2023-06-27"));
        assert_eq!(
            date("2023/06/27 21:32").as_deref(),
            Some("2023-06-27T21:32:00")
        );
        assert_eq!(date("27 June 2023").as_deref(), Some("2023-06-27"));
        assert_eq!(date("27 Jun 2023").as_deref(), Some("2023-06-27"));
        assert_eq!(date("06/27/2023").as_deref(), Some("2023-06-27"));
        assert_eq!(date("27/06/2023").as_deref(), Some("2023-06-27"));
        assert_eq!(
            date("June 27, 2023 9:32 AM (GMT+2) → June 28, 2023").as_deref(),
            Some("2023-06-27T09:32:00")
        );
        assert_eq!(date("someday"), None);
    }

    #[test]
    fn yes_no_status_and_people() {
        assert_eq!(yes_no("Yes"), Some(true));
        assert_eq!(yes_no(" no "), Some(false));
        assert_eq!(yes_no("maybe"), None);
        assert!(status_is_draft("Draft"));
        assert!(status_is_draft(" not  STARTED "));
        for published in ["Published", "Posted", "Completed", "In review", "Done"] {
            assert!(!status_is_draft(published), "{published}");
        }
        assert_eq!(
            person_names("Mike Rubini (../Authors%20abc/Mike%20Rubini%20def.md), Ann Lee"),
            ["Mike Rubini", "Ann Lee"]
        );
        assert_eq!(tag_list("skincare, collagen,"), ["skincare", "collagen"]);
        assert_eq!(
            relation_items(
                "Fresh start (Blog%20abc/Fresh%20start%20def.md), Q&A (part 2), yes (Q&A%20(part%202)%20ab.md)"
            ),
            Some(vec![
                (
                    "Fresh start".into(),
                    "Blog%20abc/Fresh%20start%20def.md".into()
                ),
                (
                    "Q&A (part 2), yes".into(),
                    "Q&A%20(part%202)%20ab.md".into()
                ),
            ])
        );
        assert_eq!(relation_items("Mike Rubini (../A.md), Ann Lee"), None);
        assert_eq!(relation_items("See (page 2)"), None);
        assert_eq!(extra_key("Reading time (min)"), "reading_time_min");
    }

    #[test]
    fn overrides_come_first_and_unknown_keys_are_named() {
        let mapping = Mapping::new(&["Teaser=description".into(), "Owner=author".into()]).unwrap();
        assert_eq!(mapping.target("teaser"), Some((0, &Target::Description)));
        assert_eq!(
            mapping.target("Written  by").map(|t| t.1),
            Some(&Target::Author)
        );
        assert_eq!(mapping.target("Mood"), None);
        assert_eq!(
            mapping.target("date created").map(|t| t.1),
            Some(&Target::Date)
        );
        assert_eq!(
            mapping.target("Summary").map(|t| t.1),
            Some(&Target::Description)
        );
        let problems = Mapping::new(&["Mood=extr".into(), "Vibe".into()]).unwrap_err();
        assert_eq!(
            problems[0].message,
            "--map \"Mood=extr\": `extr` is not a front matter key serum imports"
        );
        assert_eq!(
            problems[1].message,
            "--map \"Vibe\": there is no `=` between the property and the key"
        );
        let mapping = Mapping::new(&["Mood=extra.feeling".into()]).unwrap();
        assert_eq!(
            mapping.target("Mood").map(|t| t.1),
            Some(&Target::Extra("feeling".into()))
        );
    }

    #[test]
    fn front_matter_is_valid_toml_with_quotes_escaped() {
        let front = FrontMatter {
            title: "Say \"hi\"".into(),
            date: parse_date("June 27, 2023"),
            cover: Some(CoverImage {
                src: "notion-image.png".into(),
                alt: "Cover image for Say \"hi\"".into(),
            }),
            ..FrontMatter::default()
        };
        let text = front.to_toml();
        assert!(
            text.starts_with("+++\ntitle = 'Say \"hi\"'\ndate = 2023-06-27\n"),
            "{text}"
        );
        let inner = text.trim_start_matches("+++\n").trim_end_matches("+++\n");
        let back: toml::Table = toml::from_str(inner).unwrap();
        assert_eq!(
            back["cover"]["alt"].as_str(),
            Some("Cover image for Say \"hi\"")
        );
    }
}
