//! Which file changes trigger what: a pure function, so every rule is a unit test.

use std::path::{Path, PathBuf};

use crate::config::CONFIG_FILE;
use crate::content::{AUTHORS_DIR, is_ignored_name};

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// It appeared (also the new name of a rename).
    Created,
    /// Its contents changed.
    Modified,
    /// It went away (also the old name of a rename).
    Removed,
}

/// One file change, with the path relative to the site root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The file, relative to the site root.
    pub path: PathBuf,
    /// What happened to it.
    pub kind: ChangeKind,
}

/// What to do about a batch of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing serum reads changed.
    Nothing,
    /// Rebuild everything, for this reason (a file name, as shown to the writer).
    Full(String),
    /// Re-render these page files and the listings that show them.
    Pages(Vec<PathBuf>),
    /// Copy these static files, then reload open tabs.
    Static(Vec<PathBuf>),
    /// Copy these stylesheets, then swap them in open tabs without a reload.
    Styles(Vec<PathBuf>),
}

/// Decides what a batch of changes needs, for a site using the theme `theme`.
pub fn plan(changes: &[Change], theme: &str) -> Plan {
    let mut pages = Vec::new();
    let mut statics = Vec::new();
    let mut styles = Vec::new();
    for change in changes {
        let path = &change.path;
        if path
            .components()
            .any(|c| is_ignored_name(&c.as_os_str().to_string_lossy()))
        {
            continue;
        }
        let shown = path.display().to_string();
        match classify(path, theme) {
            Kind::Ignored => {}
            Kind::Structure => return Plan::Full(shown),
            Kind::Page if change.kind == ChangeKind::Modified => pages.push(path.clone()),
            Kind::Page => return Plan::Full(shown),
            // A new or removed static file changes what the site holds, not just a file's bytes.
            Kind::Static { .. } if change.kind != ChangeKind::Modified => return Plan::Full(shown),
            Kind::Static { css: true } => styles.push(path.clone()),
            Kind::Static { css: false } => statics.push(path.clone()),
        }
    }
    dedup(&mut pages);
    dedup(&mut statics);
    dedup(&mut styles);
    match (pages.is_empty(), statics.is_empty(), styles.is_empty()) {
        (true, true, true) => Plan::Nothing,
        (false, true, true) => Plan::Pages(pages),
        (true, true, false) => Plan::Styles(styles),
        (true, _, _) => Plan::Static(statics.into_iter().chain(styles).collect()),
        (false, _, _) => Plan::Full(pages[0].display().to_string()),
    }
}

fn dedup(paths: &mut Vec<PathBuf>) {
    paths.sort();
    paths.dedup();
}

enum Kind {
    Ignored,
    /// Configuration, templates, sections, authors, content assets: they show on many pages.
    Structure,
    /// An article or stand-alone page.
    Page,
    /// A file copied as it is.
    Static {
        css: bool,
    },
}

fn classify(path: &Path, theme: &str) -> Kind {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let is_css = path.extension().is_some_and(|e| e == "css");
    match parts.as_slice() {
        [file] if *file == CONFIG_FILE => Kind::Structure,
        ["templates", ..] | ["i18n", ..] => Kind::Structure,
        ["static", _, ..] => Kind::Static { css: is_css },
        ["themes", name, rest @ ..] if *name == theme => match rest {
            ["static", _, ..] => Kind::Static { css: is_css },
            [] => Kind::Ignored,
            _ => Kind::Structure,
        },
        ["content", AUTHORS_DIR, ..] => Kind::Structure,
        // `_index.md` and its translations (`_index.fr.md`) describe a section.
        ["content", .., last] if last.ends_with(".md") && !last.starts_with("_index.") => {
            Kind::Page
        }
        ["content", ..] => Kind::Structure,
        _ => Kind::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modified(path: &str) -> Change {
        Change {
            path: path.into(),
            kind: ChangeKind::Modified,
        }
    }

    fn of(changes: &[Change]) -> Plan {
        plan(changes, "default")
    }

    #[test]
    fn one_edited_article_re_renders_that_page() {
        assert_eq!(
            of(&[
                modified("content/articles/x/index.md"),
                modified("content/articles/x/index.md")
            ]),
            Plan::Pages(vec!["content/articles/x/index.md".into()])
        );
    }

    #[test]
    fn templates_config_sections_and_authors_rebuild_everything() {
        for path in [
            "serum.toml",
            "templates/page.html",
            "themes/default/templates/base.html",
            "themes/default/theme.toml",
            "content/articles/_index.md",
            "content/articles/_index.fr.md",
            "i18n/fr.toml",
            "themes/default/i18n/fr.toml",
            "content/authors/mike.md",
            "content/articles/x/cover.svg",
        ] {
            assert_eq!(of(&[modified(path)]), Plan::Full(path.into()), "{path}");
        }
    }

    #[test]
    fn added_removed_and_renamed_pages_rebuild_everything() {
        let created = Change {
            path: "content/a.md".into(),
            kind: ChangeKind::Created,
        };
        let removed = Change {
            path: "content/b.md".into(),
            kind: ChangeKind::Removed,
        };
        assert_eq!(of(&[created]), Plan::Full("content/a.md".into()));
        assert_eq!(
            of(std::slice::from_ref(&removed)),
            Plan::Full("content/b.md".into())
        );
        assert_eq!(
            of(&[modified("content/c.md"), removed]),
            Plan::Full("content/b.md".into())
        );
    }

    #[test]
    fn stylesheets_are_swapped_and_other_static_files_copied() {
        assert_eq!(
            of(&[modified("static/site.css")]),
            Plan::Styles(vec!["static/site.css".into()])
        );
        assert_eq!(
            of(&[modified("themes/default/static/style.css")]),
            Plan::Styles(vec!["themes/default/static/style.css".into()])
        );
        assert_eq!(
            of(&[modified("static/logo.svg"), modified("static/a.css")]),
            Plan::Static(vec!["static/logo.svg".into(), "static/a.css".into()])
        );
        let gone = Change {
            path: "static/old.png".into(),
            kind: ChangeKind::Removed,
        };
        assert_eq!(of(&[gone]), Plan::Full("static/old.png".into()));
    }

    #[test]
    fn editor_leftovers_other_themes_and_outputs_are_ignored() {
        for path in [
            "content/articles/.index.md.swp",
            "content/articles/index.md~",
            "content/.#draft.md",
            "themes/mono/templates/page.html",
            "public/index.html",
            "README.md",
            "static",
        ] {
            assert_eq!(of(&[modified(path)]), Plan::Nothing, "{path}");
        }
    }

    #[test]
    fn pages_mixed_with_static_files_rebuild_everything() {
        assert_eq!(
            of(&[modified("content/a.md"), modified("static/x.css")]),
            Plan::Full("content/a.md".into())
        );
    }
}
