//! Authors: `content/authors/<slug>.md`, front matter for the card, body for the bio.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::front_matter::{self, UnknownKeys};
use crate::error::Diagnostic;

const KNOWN_KEYS: &[&str] = &["name", "role", "company", "avatar", "links"];

/// A link on an author's card.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorLink {
    /// What the link is called ("Website").
    pub name: String,
    /// Where it goes.
    pub url: String,
}

#[derive(Debug, Deserialize)]
struct RawAuthorMeta {
    name: Option<String>,
    role: Option<String>,
    company: Option<String>,
    avatar: Option<String>,
    #[serde(default)]
    links: Vec<AuthorLink>,
    #[serde(flatten)]
    unknown: UnknownKeys,
}

/// A person who writes for the site.
#[derive(Debug, Clone)]
pub struct Author {
    /// The file name without `.md`: what pages name in `author`.
    pub slug: String,
    /// Its language: an index into the configuration's languages, 0 for the default.
    pub lang: usize,
    /// The file, relative to the site root.
    pub file: PathBuf,
    /// The author page's path in the built site (`authors/mike-rubini/`).
    pub path: String,
    /// The name as shown.
    pub name: String,
    /// Their role ("CEO").
    pub role: Option<String>,
    /// Where they hold that role.
    pub company: Option<String>,
    /// A picture: relative to `content/authors/`, `@/`, or a URL.
    pub avatar: Option<String>,
    /// Links on their card.
    pub links: Vec<AuthorLink>,
    /// The bio, in Markdown.
    pub body: String,
    /// The line on which the bio starts.
    pub body_line: usize,
}

impl Author {
    /// Parses an author file. A translation (`mike-rubini.fr.md`, `lang` above 0) may leave
    /// out its `name`: [`Author::inherit`] then gives it the default language's.
    pub fn parse(
        slug: String,
        lang: usize,
        file: PathBuf,
        text: &str,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Author, Diagnostic> {
        let split = front_matter::split(text).map_err(|e| Diagnostic {
            path: Some(file.clone()),
            ..e
        })?;
        let raw: RawAuthorMeta = front_matter::parse(&split, &file)?;
        warnings.extend(raw.unknown.warnings(&file, &split, KNOWN_KEYS));
        let name = raw.name.filter(|n| !n.trim().is_empty());
        let name = match (name, lang) {
            (Some(name), _) => name,
            (None, 0) => {
                return Err(Diagnostic::in_file(
                    &file,
                    "missing `name` in the author's front matter",
                )
                .at(1, 1)
                .hint("add a line such as `name = \"Mike Rubini\"`"));
            }
            (None, _) => String::new(),
        };
        let empty_to_none = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        Ok(Author {
            path: format!("authors/{}/", crate::markdown::slugify(&slug)),
            slug,
            lang,
            file,
            name,
            role: empty_to_none(raw.role),
            company: empty_to_none(raw.company),
            avatar: empty_to_none(raw.avatar),
            links: raw.links,
            body: split.body.to_string(),
            body_line: split.body_line,
        })
    }

    /// A translation completed by the default language's author: what it leaves out (the
    /// name, role, company, avatar, links, bio) is the original's.
    pub fn inherit(&mut self, original: &Author) {
        if self.name.is_empty() {
            self.name.clone_from(&original.name);
        }
        self.role = self.role.take().or_else(|| original.role.clone());
        self.company = self.company.take().or_else(|| original.company.clone());
        self.avatar = self.avatar.take().or_else(|| original.avatar.clone());
        if self.links.is_empty() {
            self.links.clone_from(&original.links);
        }
        if self.body.trim().is_empty() {
            self.body.clone_from(&original.body);
            self.body_line = original.body_line;
        }
    }

    /// The same author in another language, for the bylines and author page of that language
    /// when no translation of the file exists.
    pub fn in_language(&self, lang: usize, prefix: &str) -> Author {
        Author {
            lang,
            path: format!("{prefix}{}", self.path),
            ..self.clone()
        }
    }

    /// "CEO at Acme", "CEO", "Acme" or nothing: never a dangling "at".
    pub fn job_title(&self) -> Option<String> {
        match (&self.role, &self.company) {
            (Some(role), Some(company)) => Some(format!("{role} at {company}")),
            (Some(role), None) => Some(role.clone()),
            (None, Some(company)) => Some(company.clone()),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author(text: &str) -> Author {
        Author::parse(
            "a".into(),
            0,
            "content/authors/a.md".into(),
            text,
            &mut Vec::new(),
        )
        .unwrap()
    }

    #[test]
    fn job_title_never_dangles() {
        assert_eq!(
            author("+++\nname = \"M\"\nrole = \"CEO\"\n+++\n")
                .job_title()
                .as_deref(),
            Some("CEO")
        );
        assert_eq!(
            author("+++\nname = \"M\"\nrole = \"CEO\"\ncompany = \"Acme\"\n+++\n")
                .job_title()
                .as_deref(),
            Some("CEO at Acme")
        );
        assert_eq!(
            author("+++\nname = \"M\"\nrole = \"CEO\"\ncompany = \"\"\n+++\n")
                .job_title()
                .as_deref(),
            Some("CEO")
        );
    }
}
