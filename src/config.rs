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

const KNOWN_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "theme",
    "feed_limit",
    "toc_depth",
    "extra",
];

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
    #[serde(default)]
    extra: serde_json::Map<String, serde_json::Value>,
    #[serde(flatten)]
    unknown: BTreeMap<String, IgnoredAny>,
}

/// Settings given on the command line that win over `serum.toml`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--theme NAME`
    pub theme: Option<String>,
    /// `--base-url URL`
    pub base_url: Option<String>,
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
    /// The `[extra]` table, passed to templates as it is.
    pub extra: serde_json::Map<String, serde_json::Value>,
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
        let mut problems = Vec::new();
        for key in raw.unknown.keys() {
            let mut problem = Diagnostic::in_file(shown, format!("unknown key `{key}`"));
            if let Some((line, column)) = find_key(text, key) {
                problem = problem.at(line, column);
            }
            problem = match did_you_mean(key, KNOWN_KEYS) {
                Some(known) => problem.hint(format!("did you mean `{known}`?")),
                None => problem.hint(format!(
                    "the known keys are {}; put your own settings under [extra]",
                    KNOWN_KEYS.join(", ")
                )),
            };
            problems.push(problem);
        }
        let missing = |key: &str| {
            Diagnostic::in_file(shown, format!("missing `{key}`"))
                .hint(format!("add a line `{key} = \"…\"` to {}", shown.display()))
        };
        let title = raw.title.unwrap_or_default();
        if title.trim().is_empty() {
            problems.push(missing("title"));
        }
        let base_url = overrides.base_url.clone().or(raw.base_url);
        let (base_url, base_path) = match base_url {
            None => {
                problems.push(missing("base_url"));
                (String::new(), String::from("/"))
            }
            Some(url) => match normalize_base_url(&url) {
                Ok(pair) => pair,
                Err(message) => {
                    let mut problem = Diagnostic::in_file(shown, message)
                        .hint("write an absolute URL such as \"https://example.com/\" or \"https://example.com/blog/\"");
                    if overrides.base_url.is_some() {
                        problem.path = None;
                        problem.message = format!("--base-url: {}", problem.message);
                    } else if let Some((line, column)) = find_key(text, "base_url") {
                        problem = problem.at(line, column);
                    }
                    problems.push(problem);
                    (String::new(), String::from("/"))
                }
            },
        };
        let toc_depth = match raw.toc_depth {
            None => DEFAULT_TOC_DEPTH,
            Some(depth @ 2..=6) => depth as u8,
            Some(depth) => {
                let mut problem = Diagnostic::in_file(
                    shown,
                    format!("`toc_depth = {depth}` is not a heading level the table of contents can reach"),
                )
                .because(Reason::Config)
                .hint("use 2 (only `##`) to 6 (down to `######`); the default is 3");
                if let Some((line, column)) = find_key(text, "toc_depth") {
                    problem = problem.at(line, column);
                }
                problems.push(problem);
                DEFAULT_TOC_DEPTH
            }
        };
        crate::error::fail_if_any(problems)?;
        Ok(Config {
            root: root.to_path_buf(),
            title,
            base_url,
            base_path,
            description: raw.description.unwrap_or_default(),
            language: raw.language.unwrap_or_else(|| "en".into()),
            theme: overrides
                .theme
                .clone()
                .or(raw.theme)
                .unwrap_or_else(|| DEFAULT_THEME.into()),
            feed_limit: raw.feed_limit.unwrap_or(DEFAULT_FEED_LIMIT),
            toc_depth,
            extra: raw.extra,
        })
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
