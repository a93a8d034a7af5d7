//! `serum.toml`: the raw serde shape, validated into the `Config` the rest of serum trusts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::error::{Diagnostic, Reason, Result, did_you_mean, line_column};

/// The name of the site's configuration file.
pub const CONFIG_FILE: &str = "serum.toml";

/// How many articles feeds carry when `serum.toml` does not say.
pub const DEFAULT_FEED_LIMIT: usize = 20;

/// How deep tables of contents go when `serum.toml` does not say: `##` and `###`.
pub const DEFAULT_TOC_DEPTH: u8 = 3;

/// The theme used when `serum.toml` names none.
pub const DEFAULT_THEME: &str = "default";

/// How many articles a listing page shows when `serum.toml` does not say.
pub const DEFAULT_PAGINATE_BY: usize = 10;

/// How many related articles a page gets when `serum.toml` does not say.
pub const DEFAULT_RELATED_LIMIT: usize = 3;

/// The taxonomy every site has.
pub const TAGS: &str = "tags";

/// Where the search page is published, when the site has search.
pub const SEARCH_PAGE: &str = "search/";

/// Where the search index is published, when the site has search.
pub const SEARCH_INDEX: &str = "pagefind/";

/// Names a taxonomy cannot take: the paths serum publishes other things at.
pub const RESERVED_PATHS: &[&str] = &["page", "authors", "search", "pagefind", "static"];

const KNOWN_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "theme",
    "feed_limit",
    "toc_depth",
    "paginate_by",
    "related_limit",
    "taxonomies",
    "search",
    "languages",
    "check",
    "extra",
];

/// The keys a `[languages.<code>]` table may hold: the rest is the top level's.
const LANGUAGE_KEYS: &[&str] = &["title", "description", "extra"];

/// `serum.toml` exactly as written.
#[derive(Debug, Deserialize)]
struct RawConfig {
    title: Option<String>,
    base_url: Option<String>,
    description: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    feed_limit: Option<usize>,
    toc_depth: Option<i64>,
    paginate_by: Option<i64>,
    related_limit: Option<usize>,
    #[serde(default)]
    taxonomies: Vec<RawTaxonomy>,
    search: Option<bool>,
    #[serde(default)]
    languages: BTreeMap<String, RawLanguage>,
    #[serde(default)]
    check: RawCheck,
    #[serde(default)]
    extra: serde_json::Map<String, serde_json::Value>,
    #[serde(flatten)]
    unknown: BTreeMap<String, IgnoredAny>,
}

/// One `[languages.<code>]` table as written.
#[derive(Debug, Deserialize)]
struct RawLanguage {
    title: Option<String>,
    description: Option<String>,
    extra: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(flatten)]
    unknown: BTreeMap<String, IgnoredAny>,
}

/// One entry of `taxonomies = [...]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    name: String,
    paginate_by: Option<i64>,
    #[serde(default)]
    feed: bool,
}

/// `[check]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    #[serde(default)]
    ignore: Vec<String>,
}

/// Settings given on the command line that win over `serum.toml`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--theme NAME`
    pub theme: Option<String>,
    /// `--base-url URL`
    pub base_url: Option<String>,
}

/// A way of sorting pages by terms, such as tags or skin concerns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaxonomyConfig {
    /// Its name, as front matter keys and templates use it (`concerns`).
    pub name: String,
    /// Its path in the built site (`concerns/`).
    pub path: String,
    /// Articles per term page; `None` takes the site's `paginate_by`.
    pub paginate_by: Option<usize>,
    /// Whether each term gets an Atom feed.
    pub feed: bool,
}

/// A language the site is written in: the default one, or one `[languages.<code>]` declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    /// Its BCP 47 tag (`fr`, `pt-BR`): the suffix of its content files (`x.fr.md`).
    pub code: String,
    /// The site's title in it.
    pub title: String,
    /// The site's description in it.
    pub description: String,
    /// The `[extra]` table in it: its own keys over the top level's.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Where its pages are published: `""` for the default language, `fr/` for the others.
    pub prefix: String,
}

/// The validated site configuration: absolute paths, defaults applied.
#[derive(Debug, Clone)]
pub struct Config {
    /// The site root: the folder holding `serum.toml`.
    pub root: PathBuf,
    /// The site's title.
    pub title: String,
    /// The absolute URL the site is published under, always ending in `/`.
    pub base_url: String,
    /// The path part of `base_url` (`/` or `/blog/`), for links inside the site.
    pub base_path: String,
    /// A sentence about the site.
    pub description: String,
    /// The language of the content, as a BCP 47 tag.
    pub language: String,
    /// The name of the theme in use.
    pub theme: String,
    /// How many articles the feeds carry, newest first.
    pub feed_limit: usize,
    /// The deepest heading level tables of contents show (2 to 6).
    pub toc_depth: u8,
    /// Articles per listing page; 0 shows them all on one.
    pub paginate_by: usize,
    /// How many related articles each page gets.
    pub related_limit: usize,
    /// The taxonomies, `tags` first.
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Whether the site gets a search index, a search page and a search box (on unless
    /// `search = false`).
    pub search: bool,
    /// The warnings `serum check` and `serum build` do not show.
    pub ignore: Vec<Reason>,
    /// The `[extra]` table, passed to templates as it is.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Every language, the default one (`language`) first, then the others by code.
    pub languages: Vec<Language>,
}

/// Collects the problems of one `serum.toml`, each placed at the key it is about.
struct Problems<'a> {
    shown: &'a Path,
    text: &'a str,
    list: Vec<Diagnostic>,
}

impl Problems<'_> {
    /// A problem with `key`, placed where it is written (or at `near`, a byte offset of the
    /// text, for a value inside a table).
    fn at_key(&mut self, key: &str, near: Option<usize>, message: String, hint: &str) {
        let mut problem = Diagnostic::in_file(self.shown, message)
            .because(Reason::Config)
            .hint(hint);
        let place = near
            .map(|at| line_column(self.text, at))
            .or_else(|| find_key(self.text, key));
        if let Some((line, column)) = place {
            problem = problem.at(line, column);
        }
        self.list.push(problem);
    }
}

impl Config {
    /// Reads and validates `serum.toml` in `root`.
    pub fn load(root: &Path, overrides: &Overrides) -> Result<Config> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Diagnostic::in_file(&path, "no serum.toml here: this is not a serum site")
                    .hint("pass --root with the folder that holds serum.toml, or start a site with `serum init DIR`")
                    .into());
            }
            Err(e) => return Err(Diagnostic::io(&path, "read the configuration", &e).into()),
        };
        Config::parse(root, Path::new(CONFIG_FILE), &text, overrides)
    }

    /// Validates the text of a `serum.toml`; `shown` is the path used in messages.
    pub fn parse(root: &Path, shown: &Path, text: &str, overrides: &Overrides) -> Result<Config> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| toml_diagnostic(shown, text, &e, 0))?;
        let mut problems = Problems {
            shown,
            text,
            list: Vec::new(),
        };
        for key in raw.unknown.keys() {
            let hint = match did_you_mean(key, KNOWN_KEYS) {
                Some(known) => format!("did you mean `{known}`?"),
                None => format!(
                    "the known keys are {}; put your own settings under [extra]",
                    KNOWN_KEYS.join(", ")
                ),
            };
            problems.at_key(key, None, format!("unknown key `{key}`"), &hint);
        }
        let title = raw.title.clone().unwrap_or_default();
        if title.trim().is_empty() {
            problems.list.push(missing(shown, "title"));
        }
        let (base_url, base_path) = base_url(&raw, overrides, &mut problems);
        let toc_depth = toc_depth(raw.toc_depth, &mut problems);
        let paginate_by = paginate_by("paginate_by", None, raw.paginate_by, &mut problems)
            .unwrap_or(DEFAULT_PAGINATE_BY);
        let taxonomies = taxonomies(&raw.taxonomies, &mut problems);
        let ignore = ignored(&raw.check.ignore, &mut problems);
        let language = raw.language.clone().unwrap_or_else(|| "en".into());
        let default = Language {
            code: language.clone(),
            title: title.clone(),
            description: raw.description.clone().unwrap_or_default(),
            extra: raw.extra.clone(),
            prefix: String::new(),
        };
        let languages = languages(default, &raw.languages, &mut problems);
        crate::error::fail_if_any(problems.list)?;
        Ok(Config {
            root: root.to_path_buf(),
            title,
            base_url,
            base_path,
            description: raw.description.unwrap_or_default(),
            language,
            theme: overrides
                .theme
                .clone()
                .or(raw.theme)
                .unwrap_or_else(|| DEFAULT_THEME.into()),
            feed_limit: raw.feed_limit.unwrap_or(DEFAULT_FEED_LIMIT),
            toc_depth,
            paginate_by,
            related_limit: raw.related_limit.unwrap_or(DEFAULT_RELATED_LIMIT),
            taxonomies,
            search: raw.search.unwrap_or(true),
            ignore,
            extra: raw.extra,
            languages,
        })
    }

    /// Whether the site is written in more than one language.
    pub fn is_multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    /// The index of the language with this code.
    pub fn language_index(&self, code: &str) -> Option<usize> {
        self.languages.iter().position(|l| l.code == code)
    }

    /// The taxonomy named `name`.
    pub fn taxonomy(&self, name: &str) -> Option<&TaxonomyConfig> {
        self.taxonomies.iter().find(|t| t.name == name)
    }

    /// `content/`, where pages, sections and authors live.
    pub fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }

    /// `themes/`, where installed themes live.
    pub fn themes_dir(&self) -> PathBuf {
        self.root.join("themes")
    }

    /// `templates/`, the site's overrides of theme templates.
    pub fn templates_dir(&self) -> PathBuf {
        self.root.join("templates")
    }

    /// `static/`, the site's own static files (and overrides of the theme's).
    pub fn static_dir(&self) -> PathBuf {
        self.root.join("static")
    }

    /// The root-relative URL of a site path such as `articles/x/` (no leading slash).
    pub fn url_path(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }

    /// An absolute URL for a URL that may be root-relative (`/blog/x.svg`) or already absolute.
    pub fn absolute_url(&self, url: &str) -> String {
        if !url.starts_with('/') || url.starts_with("//") {
            return url.to_string();
        }
        let origin = self
            .base_url
            .strip_suffix(self.base_path.as_str())
            .unwrap_or(&self.base_url);
        format!("{origin}{url}")
    }

    /// The absolute URL of a site path such as `articles/x/`.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path.trim_start_matches('/'))
    }
}

fn missing(shown: &Path, key: &str) -> Diagnostic {
    Diagnostic::in_file(shown, format!("missing `{key}`"))
        .because(Reason::Config)
        .hint(format!("add a line `{key} = \"…\"` to {}", shown.display()))
}

/// `base_url` (or `--base-url`), checked, and its path.
fn base_url(raw: &RawConfig, overrides: &Overrides, problems: &mut Problems) -> (String, String) {
    let fallback = (String::new(), String::from("/"));
    let Some(url) = overrides.base_url.clone().or_else(|| raw.base_url.clone()) else {
        problems.list.push(missing(problems.shown, "base_url"));
        return fallback;
    };
    match normalize_base_url(&url) {
        Ok(pair) => pair,
        Err(message) => {
            let hint = "write an absolute URL such as \"https://example.com/\" or \"https://example.com/blog/\"";
            if overrides.base_url.is_some() {
                problems.list.push(
                    Diagnostic::new(format!("--base-url: {message}"))
                        .because(Reason::Config)
                        .hint(hint),
                );
            } else {
                problems.at_key("base_url", None, message, hint);
            }
            fallback
        }
    }
}

fn toc_depth(depth: Option<i64>, problems: &mut Problems) -> u8 {
    match depth {
        None => DEFAULT_TOC_DEPTH,
        Some(depth @ 2..=6) => depth as u8,
        Some(depth) => {
            problems.at_key(
                "toc_depth",
                None,
                format!(
                    "`toc_depth = {depth}` is not a heading level the table of contents can reach"
                ),
                "use 2 (only `##`) to 6 (down to `######`); the default is 3",
            );
            DEFAULT_TOC_DEPTH
        }
    }
}

/// A `paginate_by` setting: 0 or more articles per page. `near` places a problem inside a
/// table such as one taxonomy's.
fn paginate_by(
    key: &str,
    near: Option<usize>,
    value: Option<i64>,
    problems: &mut Problems,
) -> Option<usize> {
    match value {
        Some(n) if n >= 0 => Some(n as usize),
        Some(n) => {
            problems.at_key(
                key,
                near,
                format!("`paginate_by = {n}`: a listing cannot show fewer than no articles per page"),
                "give how many articles a listing page shows, such as 10; 0 puts them all on one page",
            );
            None
        }
        None => None,
    }
}

/// `taxonomies`, checked: `tags` is built in and comes first, may be configured once; no two
/// share a name, and none takes a path serum publishes something else at.
fn taxonomies(raw: &[RawTaxonomy], problems: &mut Problems) -> Vec<TaxonomyConfig> {
    let mut taxonomies = vec![TaxonomyConfig {
        name: TAGS.into(),
        path: format!("{TAGS}/"),
        paginate_by: None,
        feed: false,
    }];
    let mut tags_configured = false;
    let mut seen: Vec<&str> = Vec::new();
    for entry in raw {
        // The n-th time a name is written is the n-th entry that has it.
        let nth = seen.iter().filter(|n| **n == entry.name).count();
        seen.push(&entry.name);
        let quoted = format!("\"{}\"", entry.name);
        let near = problems
            .text
            .match_indices(&quoted)
            .nth(nth)
            .map(|(at, _)| at);
        let slug = crate::markdown::slugify(&entry.name);
        let paginate = paginate_by("taxonomies", near, entry.paginate_by, problems);
        let is_tags = entry.name == TAGS;
        if (is_tags && tags_configured)
            || (!is_tags && taxonomies.iter().any(|t| t.name == entry.name))
        {
            problems.at_key(
                "taxonomies",
                near,
                format!("the taxonomy `{}` is declared twice", entry.name),
                "keep one of them",
            );
            continue;
        }
        if entry.name.trim().is_empty() || slug != entry.name {
            problems.at_key(
                "taxonomies",
                near,
                format!(
                    "the taxonomy name `{}` cannot be a URL path as it is",
                    entry.name
                ),
                &format!("name it in lowercase letters, digits and dashes, such as `{slug}`"),
            );
            continue;
        }
        if RESERVED_PATHS.contains(&entry.name.as_str()) {
            problems.at_key(
                "taxonomies",
                near,
                format!(
                    "a taxonomy cannot be named `{}`: serum publishes other pages at /{}/",
                    entry.name, entry.name
                ),
                "choose another name",
            );
            continue;
        }
        if is_tags {
            tags_configured = true;
            taxonomies[0].paginate_by = paginate;
            taxonomies[0].feed = entry.feed;
            continue;
        }
        taxonomies.push(TaxonomyConfig {
            path: format!("{slug}/"),
            name: entry.name.clone(),
            paginate_by: paginate,
            feed: entry.feed,
        });
    }
    taxonomies
}

/// The default language, then every `[languages.<code>]` table, checked: a code a URL can
/// carry, not the default language again, only the keys a language may set.
fn languages(
    default: Language,
    raw: &BTreeMap<String, RawLanguage>,
    problems: &mut Problems,
) -> Vec<Language> {
    let mut languages = vec![default];
    for (code, table) in raw {
        let header = table_start(problems.text, code);
        for key in table.unknown.keys() {
            let hint = match did_you_mean(key, LANGUAGE_KEYS) {
                Some(known) => format!("did you mean `{known}`?"),
                None => format!(
                    "a language may set {}; everything else comes from the top level of {}",
                    LANGUAGE_KEYS.join(", "),
                    CONFIG_FILE
                ),
            };
            let near = header.and_then(|start| key_offset(problems.text, key, start));
            problems.at_key(
                key,
                near.or(header),
                format!("unknown key `{key}` in [languages.{code}]"),
                &hint,
            );
        }
        if !is_language_code(code) {
            problems.at_key(
                "languages",
                header,
                format!("`{code}` is not a language code"),
                "name the language by its BCP 47 code, such as `fr`, `de` or `pt-BR`",
            );
            continue;
        }
        if *code == languages[0].code {
            problems.at_key(
                "languages",
                header,
                format!("`{code}` is the default language (`language = \"{code}\"`): it cannot be declared again under [languages]"),
                "set the default language's title, description and extra at the top level; [languages.<code>] is for the others",
            );
            continue;
        }
        let mut extra = languages[0].extra.clone();
        extra.extend(table.extra.clone().unwrap_or_default());
        languages.push(Language {
            code: code.clone(),
            title: table
                .title
                .clone()
                .unwrap_or_else(|| languages[0].title.clone()),
            description: table
                .description
                .clone()
                .unwrap_or_else(|| languages[0].description.clone()),
            extra,
            prefix: format!("{code}/"),
        });
    }
    languages
}

/// Whether a text has the shape of a BCP 47 language tag: 2 or 3 letters, then subtags of
/// letters and digits (`fr`, `pt-BR`, `zh-Hans`).
pub fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The byte offset of a `[languages.<code>]` header (or, for an inline table, of the code
/// after `languages`).
fn table_start(text: &str, code: &str) -> Option<usize> {
    for header in [
        format!("[languages.{code}]"),
        format!("[languages.\"{code}\"]"),
    ] {
        if let Some(at) = text.find(&header) {
            return Some(at);
        }
    }
    let languages = text.find("languages")?;
    text[languages..].find(code).map(|at| languages + at)
}

/// The byte offset of a line `key = …` of the table that starts at `start`.
fn key_offset(text: &str, key: &str, start: usize) -> Option<usize> {
    let mut offset = start;
    for (n, line) in text[start..].split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        if n > 0 && trimmed.starts_with('[') {
            return None;
        }
        let bare = trimmed.strip_prefix(key);
        let quoted = trimmed
            .strip_prefix('"')
            .and_then(|t| t.strip_prefix(key))
            .and_then(|t| t.strip_prefix('"'));
        if bare
            .or(quoted)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return Some(offset + line.len() - trimmed.len());
        }
        offset += line.len();
    }
    None
}

/// `[check] ignore`: names of warnings to leave out.
fn ignored(names: &[String], problems: &mut Problems) -> Vec<Reason> {
    let known: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
    let mut reasons = Vec::new();
    for name in names {
        match Reason::from_code(name) {
            Some(reason) => reasons.push(reason),
            None => {
                let quoted = format!("\"{name}\"");
                let near = problems.text.find(&quoted);
                let hint = match did_you_mean(name, &known) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("the names are: {}", known.join(", ")),
                };
                problems.at_key(
                    "ignore",
                    near,
                    format!("`{name}` is not the name of a warning"),
                    &hint,
                );
            }
        }
    }
    reasons
}

/// Checks an absolute http(s) URL and returns it with a trailing `/`, plus its path.
pub fn normalize_base_url(input: &str) -> std::result::Result<(String, String), String> {
    let mut parsed = url::Url::parse(input.trim())
        .map_err(|e| format!("`base_url` \"{input}\" is not an absolute URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "`base_url` \"{input}\" must start with http:// or https://"
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "`base_url` \"{input}\" must not have a query or a fragment"
        ));
    }
    // Empty segments would make `//x` links, which browsers read as another host.
    let mut path: String = parsed
        .path()
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| format!("/{segment}"))
        .collect();
    path.push('/');
    parsed.set_path(&path);
    Ok((parsed.to_string(), path))
}

/// Turns a `toml` error into a diagnostic; `line_offset` is where the TOML starts in the file.
pub fn toml_diagnostic(
    shown: &Path,
    text: &str,
    error: &toml::de::Error,
    line_offset: usize,
) -> Diagnostic {
    let message = error.message().trim_end().to_string();
    let problem = Diagnostic::in_file(shown, format!("invalid TOML: {message}"))
        .because(Reason::FrontMatter)
        .hint("check the quoting and the `key = value` syntax on that line");
    match error.span() {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            problem.at(line + line_offset, column)
        }
        None => problem,
    }
}

/// Finds the line and column where a top-level `key =` or `key:` is written.
pub fn find_key(text: &str, key: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start();
        let rest = trimmed
            .strip_prefix(key)
            .or_else(|| trimmed.strip_prefix(&format!("\"{key}\"")))?;
        let rest = rest.trim_start();
        (rest.starts_with('=') || rest.starts_with(':'))
            .then(|| (i + 1, line.len() - trimmed.len() + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(
            Path::new("/site"),
            Path::new("serum.toml"),
            text,
            &Overrides::default(),
        )
    }

    #[test]
    fn applies_defaults_and_splits_base_path() {
        let config = parse("title = \"T\"\nbase_url = \"https://example.com/blog\"\n").unwrap();
        assert_eq!(config.base_url, "https://example.com/blog/");
        assert_eq!(config.base_path, "/blog/");
        assert_eq!(config.theme, "default");
        assert_eq!(config.language, "en");
        assert_eq!(config.url_path("articles/x/"), "/blog/articles/x/");
        assert_eq!(
            config.absolute_url("/blog/a.svg"),
            "https://example.com/blog/a.svg"
        );
        assert_eq!(
            config.absolute_url("https://cdn.example/a.svg"),
            "https://cdn.example/a.svg"
        );
        assert_eq!(
            config.permalink("/articles/x/"),
            "https://example.com/blog/articles/x/"
        );
    }

    #[test]
    fn unknown_key_is_named_with_a_suggestion() {
        let err =
            parse("title = \"T\"\nbase_url = \"https://e.com/\"\ntheem = \"x\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "error: serum.toml:3:1: unknown key `theem`\n  help: did you mean `theme`?"
        );
    }

    #[test]
    fn syntax_error_has_a_place() {
        let err = parse("title = \"T\nbase_url = 1\n").unwrap_err();
        let problem = &err.problems()[0];
        assert_eq!(problem.line, Some(1));
        assert!(problem.message.starts_with("invalid TOML: "), "{problem}");
    }

    #[test]
    fn rejects_relative_base_url() {
        let err = parse("title = \"T\"\nbase_url = \"/blog/\"\n").unwrap_err();
        assert_eq!(err.problems()[0].line, Some(2));
        assert!(err.problems()[0].message.contains("not an absolute URL"));
    }

    #[test]
    fn search_is_on_unless_turned_off() {
        let site = "title = \"T\"\nbase_url = \"https://e.com/\"\n";
        assert!(parse(site).unwrap().search);
        assert!(!parse(&format!("{site}search = false\n")).unwrap().search);
        let err = parse(&format!("{site}search = \"no\"\n")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "error: serum.toml:3:10: invalid TOML: invalid type: string \"no\", expected a boolean\n  help: check the quoting and the `key = value` syntax on that line"
        );
    }

    #[test]
    fn overrides_win() {
        let config = Config::parse(
            Path::new("/s"),
            Path::new("serum.toml"),
            "title = \"T\"\nbase_url = \"https://a.com/\"\ntheme = \"default\"\n",
            &Overrides {
                theme: Some("mono".into()),
                base_url: Some("http://127.0.0.1:1111".into()),
            },
        )
        .unwrap();
        assert_eq!(config.theme, "mono");
        assert_eq!(config.base_url, "http://127.0.0.1:1111/");
    }
}
