//! Listing `content/` (walkdir, the only part that touches the disk) and classifying what
//! each file is (pure, so every rule is a unit test).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::page::PageSource;
use super::{AUTHORS_DIR, Asset, is_ignored_name, section_path};
use crate::config::Config;
use crate::error::{Diagnostic, Reason};

/// One regular file under `content/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    /// Its path relative to `content/`, `/`-separated.
    pub relative: String,
    /// Where it is on disk.
    pub source: PathBuf,
}

/// A content file that has to be read and parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Job {
    /// A page, or a bundle's `index.md`.
    Page(PageSource),
    /// A section's `_index.md` (or `_index.fr.md`: `lang` is the language's index).
    SectionIndex {
        dir: String,
        lang: usize,
        file: PathBuf,
    },
    /// An author's file (or its translation).
    Author {
        slug: String,
        lang: usize,
        file: PathBuf,
    },
}

/// What one file of `content/` turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    /// Markdown to read.
    Read(Job),
    /// A file beside a bundle's `index.md`, published beside the page.
    BundleAsset {
        bundle: String,
        rest: String,
        source: PathBuf,
        content_path: String,
    },
    /// Any other file, copied as it is next to its section.
    Asset(Asset),
    /// A file whose name is wrong: a language the site does not declare, or a second file
    /// for one page in one language. It is left out.
    Refused(Diagnostic),
}

/// What `content/` holds, as one walk found it: what a build loads, and what the fingerprint
/// that tells a rebuild nothing changed describes, without walking it a second time.
#[derive(Debug, Default)]
pub struct Listing {
    /// Folders, `/`-separated, relative to `content/`, the root (`""`) first.
    pub(crate) dirs: Vec<String>,
    /// Files, in name order.
    pub(crate) files: Vec<Listed>,
    /// What could not be listed.
    pub(crate) problems: Vec<Diagnostic>,
}

impl Listing {
    /// Walks the site's `content/`; a site without one lists nothing, and loading it says so.
    pub fn of(config: &Config) -> Listing {
        let content = config.content_dir();
        if !content.is_dir() {
            return Listing::default();
        }
        let mut problems = Vec::new();
        let (dirs, files) = list(&config.root, &content, &mut problems);
        Listing {
            dirs,
            files,
            problems,
        }
    }

    /// The listed folders, relative to `content/`.
    pub fn dirs(&self) -> impl Iterator<Item = &str> {
        self.dirs.iter().map(String::as_str)
    }

    /// The listed files, where they are on disk.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|file| file.source.as_path())
    }
}

/// The folders and files of `content/`, in name order; problems (unreadable entries, links
/// leading outside the site, pipes) are collected, never skipped in silence.
pub(crate) fn list(
    root: &Path,
    content: &Path,
    problems: &mut Vec<Diagnostic>,
) -> (Vec<String>, Vec<Listed>) {
    let shown = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    let mut walker = WalkDir::new(content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                problems.push(walk_problem(&error, &shown));
                continue;
            }
        };
        if let Some(warning) = link_outside(root, entry.path(), entry.path_is_symlink()) {
            problems.push(Diagnostic {
                path: Some(shown(entry.path())),
                ..warning
            });
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        let Some(relative) = relative_text(content, entry.path()) else {
            problems.push(
                Diagnostic::in_file(shown(entry.path()), "the file name is not valid UTF-8")
                    .hint("rename the file using UTF-8 characters"),
            );
            continue;
        };
        if entry.file_type().is_dir() {
            dirs.push(relative);
        } else if entry.file_type().is_file() {
            files.push(Listed {
                relative,
                source: entry.path().to_path_buf(),
            });
        } else {
            // Reading a named pipe would wait for a writer for ever; a socket cannot be read.
            problems.push(
                Diagnostic::in_file(
                    shown(entry.path()),
                    "not a regular file (a named pipe, socket or device): serum cannot read it",
                )
                .because(Reason::Io)
                .hint("remove it from content/, or put the file it stands for in its place"),
            );
        }
    }
    (dirs, files)
}

/// The text of `path`, a path walked below `dir`, relative to it and `/`-separated; `None`
/// when it is not UTF-8. Walked paths are `dir` with names joined to it, so their texts are
/// compared, not their parts: at 100,000 files that took a fifth of the walk.
fn relative_text(dir: &Path, path: &Path) -> Option<String> {
    let relative = match (dir.to_str(), path.to_str()) {
        (Some(dir), Some(path)) if path.starts_with(dir) => {
            path[dir.len()..].trim_start_matches(std::path::is_separator)
        }
        _ => path.strip_prefix(dir).ok()?.to_str()?,
    };
    Some(relative.replace('\\', "/"))
}

/// Whether a file name is a Markdown page: `.md`, or `.markdown` as Jekyll and Hugo write.
pub(crate) fn is_markdown(name: &str) -> bool {
    markdown_stem(name).is_some()
}

/// A Markdown file's name without its extension.
pub(crate) fn markdown_stem(name: &str) -> Option<&str> {
    name.strip_suffix(".md")
        .or_else(|| name.strip_suffix(".markdown"))
        .filter(|stem| !stem.is_empty())
}

/// The languages of a site, as file names carry them: `x.fr.md` is the French version of
/// `x.md`. A site that declares no language but its default reads no suffix: `x.fr.md` is then
/// a page of its own, `x-fr`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Languages<'a> {
    /// Their codes, the default language's first.
    pub codes: &'a [&'a str],
}

impl Languages<'_> {
    /// The stem without its language suffix, and the language's index. A suffix shaped like a
    /// language code (`it`, `pt-BR`) that the site does not declare is the error, given as the
    /// code; any other suffix (`v1.2`, `notes.old`) is part of the name.
    pub(crate) fn split<'s>(&self, stem: &'s str) -> Result<(&'s str, usize), &'s str> {
        if self.codes.len() < 2 {
            return Ok((stem, 0));
        }
        let Some((base, suffix)) = stem.rsplit_once('.').filter(|(base, _)| !base.is_empty())
        else {
            return Ok((stem, 0));
        };
        if let Some(lang) = self.codes.iter().position(|code| *code == suffix) {
            return Ok((base, lang));
        }
        if looks_like_language(suffix) {
            return Err(suffix);
        }
        Ok((stem, 0))
    }

    /// Whether a file name is a bundle's page: `index.md`, `index.markdown`, `index.fr.md`.
    fn is_bundle_index(&self, name: &str) -> bool {
        markdown_stem(name).is_some_and(|stem| matches!(self.split(stem), Ok(("index", _))))
    }
}

/// Two lowercase letters, maybe with a region (`it`, `pt-BR`, `zh-Hans`): what a suffix must
/// look like to be taken for a language the site forgot to declare.
fn looks_like_language(suffix: &str) -> bool {
    let (primary, region) = suffix.split_once('-').unwrap_or((suffix, ""));
    primary.len() == 2
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && (region.is_empty()
            || ((2..=4).contains(&region.len())
                && region.chars().all(|c| c.is_ascii_alphanumeric())))
}

/// Sorts listed files into sections, pages, bundles, authors and assets; `shown` names a
/// file on disk as messages show it (relative to the site root).
pub(crate) fn classify(
    dirs: Vec<String>,
    files: Vec<Listed>,
    languages: Languages,
    shown: &(dyn Fn(&Path) -> PathBuf + Sync),
) -> (Vec<String>, Vec<Entry>) {
    let bundles = Bundles::new(&files, languages);
    let authors_prefix = format!("{AUTHORS_DIR}/");
    let section_dirs: Vec<String> = dirs
        .into_iter()
        .filter(|d| d.is_empty() || bundles.holding(&format!("{d}/x")).is_none())
        .filter(|d| !bundles.folders.contains(d.as_str()))
        .filter(|d| d != AUTHORS_DIR && !d.starts_with(&authors_prefix))
        .collect();
    // On both cores: at 100,000 articles this took a twentieth of a second on one.
    let entries: Vec<Entry> = files
        .into_par_iter()
        .map(|Listed { relative, source }| {
            let file = shown(&source);
            match bundles.holding(&relative) {
                Some(bundle) => bundle_entry(bundle, relative, source, file, languages),
                None => plain_entry(relative, source, file, languages),
            }
        })
        .collect();
    if languages.codes.len() == 1 {
        return (section_dirs, entries);
    }
    // Which file holds each (translation, language) slot, to refuse a second one.
    let mut slots: HashMap<(String, usize), PathBuf> = HashMap::new();
    let entries = entries
        .into_iter()
        .map(|entry| match entry {
            Entry::Read(job) => claim_slot(job, &mut slots),
            entry => entry,
        })
        .collect();
    (section_dirs, entries)
}

/// A file to read, unless another file holds the same page in the same language already.
fn claim_slot(job: Job, slots: &mut HashMap<(String, usize), PathBuf>) -> Entry {
    let (key, lang, file) = match &job {
        Job::Page(source) => (source.key.clone(), source.lang, &source.file),
        Job::SectionIndex { dir, lang, file } => (format!("{dir}/_index"), *lang, file),
        Job::Author { slug, lang, file } => (format!("{AUTHORS_DIR}/{slug}"), *lang, file),
    };
    match slots.get(&(key.clone(), lang)) {
        Some(first) => Entry::Refused(
            Diagnostic::in_file(
                file,
                format!(
                    "two files are the same page in one language: this one and {}",
                    first.display()
                ),
            )
            .because(Reason::UrlCollision)
            .at(1, 1)
            .hint("keep one of them; a translation is named after its page with the language before the extension (`x.fr.md`, `index.fr.md`, `_index.fr.md`)"),
        ),
        None => {
            slots.insert((key, lang), file.clone());
            Entry::Read(job)
        }
    }
}

/// The error for a file named for a language the site does not declare.
fn undeclared_language(file: PathBuf, code: &str) -> Entry {
    Entry::Refused(
        Diagnostic::in_file(
            file,
            format!(
                "`{code}` is not a language of this site: serum.toml declares no [languages.{code}]"
            ),
        )
        .because(Reason::Config)
        .at(1, 1)
        .hint(format!(
            "declare it in serum.toml with a [languages.{code}] table, or rename the file"
        )),
    )
}

/// The folders that hold a bundle's `index.md`.
struct Bundles {
    folders: BTreeSet<String>,
}

impl Bundles {
    fn new(files: &[Listed], languages: Languages) -> Self {
        let folders = files
            .iter()
            .filter_map(|file| {
                let (dir, name) = file.relative.rsplit_once('/')?;
                (languages.is_bundle_index(name) && dir != AUTHORS_DIR).then(|| dir.to_string())
            })
            .collect();
        Bundles { folders }
    }

    /// The bundle a path lies in, at any depth.
    fn holding(&self, relative: &str) -> Option<String> {
        let mut dir = relative;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if self.folders.contains(parent) {
                return Some(parent.to_string());
            }
            dir = parent;
        }
        None
    }
}

/// A file inside a bundle: its page, or an asset published beside the page.
fn bundle_entry(
    bundle: String,
    rel: String,
    source: PathBuf,
    file: PathBuf,
    languages: Languages,
) -> Entry {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
    if languages.is_bundle_index(name) && dir == bundle {
        let lang = markdown_stem(name)
            .and_then(|stem| languages.split(stem).ok())
            .map_or(0, |(_, lang)| lang);
        let (section, stem) = bundle.rsplit_once('/').unwrap_or(("", bundle.as_str()));
        return Entry::Read(Job::Page(PageSource {
            file,
            section: section.to_string(),
            section_path: section_path(section),
            stem: stem.to_string(),
            is_bundle: true,
            content_path: rel,
            lang,
            key: bundle.clone(),
        }));
    }
    if let Some(Err(code)) = markdown_stem(name).map(|stem| languages.split(stem)) {
        if dir == bundle && markdown_stem(name).is_some_and(|s| s.starts_with("index.")) {
            return undeclared_language(file, code);
        }
    }
    Entry::BundleAsset {
        rest: rel[bundle.len() + 1..].to_string(),
        bundle,
        source,
        content_path: rel,
    }
}

/// A file outside bundles: an author, a section's `_index.md`, a page, or an asset.
fn plain_entry(rel: String, source: PathBuf, file: PathBuf, languages: Languages) -> Entry {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
    let split = markdown_stem(name).map(|stem| languages.split(stem));
    let (stem, lang) = match split {
        Some(Ok((stem, lang))) => (Some(stem), lang),
        Some(Err(code)) => return undeclared_language(file, code),
        None => (None, 0),
    };
    if rel.starts_with(AUTHORS_DIR) && rel[AUTHORS_DIR.len()..].starts_with('/') {
        if let Some(slug) = stem.filter(|s| dir == AUTHORS_DIR && *s != "_index") {
            return Entry::Read(Job::Author {
                slug: slug.to_string(),
                lang,
                file,
            });
        }
        return Entry::Asset(Asset {
            source,
            output_path: rel.clone(),
            content_path: rel,
        });
    }
    match stem {
        Some("_index") => Entry::Read(Job::SectionIndex {
            dir: dir.to_string(),
            lang,
            file,
        }),
        Some(stem) => Entry::Read(Job::Page(PageSource {
            file,
            section: dir.to_string(),
            section_path: section_path(dir),
            stem: stem.to_string(),
            is_bundle: false,
            key: match dir {
                "" => stem.to_string(),
                dir => format!("{dir}/{stem}"),
            },
            content_path: rel,
            lang,
        })),
        None => Entry::Asset(Asset {
            output_path: format!("{}{name}", section_path(dir)),
            source,
            content_path: rel,
        }),
    }
}

/// A warning when a symbolic link leads outside the site root: such files are never published.
pub(crate) fn link_outside(root: &Path, path: &Path, is_symlink: bool) -> Option<Diagnostic> {
    if !is_symlink {
        return None;
    }
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let target = path.canonicalize().ok()?;
    if target.starts_with(&root) {
        return None;
    }
    Some(
        Diagnostic::new(format!("skipped: this symbolic link leads outside the site, to {}", target.display()))
            .warning()
            .because(Reason::Io)
            .hint("serum publishes only files inside the site; copy the file in if it belongs to the site"),
    )
}

fn walk_problem(error: &walkdir::Error, shown: &dyn Fn(&Path) -> PathBuf) -> Diagnostic {
    let path = error
        .path()
        .map(shown)
        .unwrap_or_else(|| PathBuf::from("content"));
    if let Some(ancestor) = error.loop_ancestor() {
        return Diagnostic::in_file(
            path,
            format!(
                "symbolic link loop: it leads back to {}",
                shown(ancestor).display()
            ),
        )
        .because(Reason::Io)
        .hint("remove or fix the link; serum does not follow a folder into itself");
    }
    match error.io_error() {
        Some(io) => Diagnostic::io(&path, "read this", io)
            .hint("check that the file exists and that you may read it"),
        None => Diagnostic::in_file(path, error.to_string()).because(Reason::Io),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walked_path_is_named_relative_to_content_and_only_when_it_is_utf8() {
        let content = Path::new("/site/content");
        let named = |path: &str| relative_text(content, Path::new(path));
        assert_eq!(named("/site/content").as_deref(), Some(""));
        assert_eq!(named("/site/content/a.md").as_deref(), Some("a.md"));
        assert_eq!(
            named("/site/content/guides/sun/index.md").as_deref(),
            Some("guides/sun/index.md")
        );
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let path = content.join(std::ffi::OsStr::from_bytes(b"caf\xe9.md"));
            assert_eq!(relative_text(content, &path), None);
        }
    }

    fn classified(paths: &[&str]) -> (Vec<String>, Vec<Entry>) {
        classified_in(paths, ENGLISH)
    }

    fn classified_in(paths: &[&str], languages: Languages) -> (Vec<String>, Vec<Entry>) {
        let mut dirs: BTreeSet<String> = BTreeSet::from([String::new()]);
        for path in paths {
            let mut dir = *path;
            while let Some((parent, _)) = dir.rsplit_once('/') {
                dirs.insert(parent.to_string());
                dir = parent;
            }
        }
        let files = paths
            .iter()
            .map(|p| Listed {
                relative: p.to_string(),
                source: PathBuf::from("/site/content").join(p),
            })
            .collect();
        classify(dirs.into_iter().collect(), files, languages, &|p: &Path| {
            p.strip_prefix("/site").unwrap().to_path_buf()
        })
    }

    const ENGLISH: Languages = Languages { codes: &["en"] };

    fn kinds(entries: &[Entry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| match e {
                Entry::Read(Job::Page(p)) if p.lang > 0 => format!(
                    "page {} {} bundle={} lang={}",
                    p.section, p.stem, p.is_bundle, p.lang
                ),
                Entry::Read(Job::Page(p)) => {
                    format!("page {} {} bundle={}", p.section, p.stem, p.is_bundle)
                }
                Entry::Read(Job::SectionIndex { dir, lang: 0, .. }) => format!("section {dir}"),
                Entry::Read(Job::SectionIndex { dir, lang, .. }) => {
                    format!("section {dir} lang={lang}")
                }
                Entry::Read(Job::Author { slug, lang: 0, .. }) => format!("author {slug}"),
                Entry::Read(Job::Author { slug, lang, .. }) => format!("author {slug} lang={lang}"),
                Entry::Refused(problem) => problem.to_string(),
                Entry::BundleAsset { bundle, rest, .. } => format!("bundle asset {bundle} {rest}"),
                Entry::Asset(a) => format!("asset {}", a.output_path),
            })
            .collect()
    }

    #[test]
    fn pages_sections_bundles_authors_and_assets() {
        let (sections, entries) = classified(&[
            "_index.md",
            "about.md",
            "articles/_index.md",
            "articles/x/index.md",
            "articles/x/cover.png",
            "articles/x/img/a.png",
            "articles/y.md",
            "authors/ann.md",
            "authors/ann.png",
            "files/report.pdf",
        ]);
        assert_eq!(sections, ["", "articles", "files"]);
        assert_eq!(
            kinds(&entries),
            [
                "section ",
                "page  about bundle=false",
                "section articles",
                "page articles x bundle=true",
                "bundle asset articles/x cover.png",
                "bundle asset articles/x img/a.png",
                "page articles y bundle=false",
                "author ann",
                "asset authors/ann.png",
                "asset files/report.pdf",
            ]
        );
    }

    #[test]
    fn dot_markdown_files_are_pages_too() {
        let (_, entries) = classified(&[
            "_posts/2014-05-06-hello.markdown",
            "notes/index.markdown",
            "notes/pic.png",
            "authors/ann.markdown",
        ]);
        assert_eq!(
            kinds(&entries),
            [
                "page _posts 2014-05-06-hello bundle=false",
                "page  notes bundle=true",
                "bundle asset notes pic.png",
                "author ann",
            ]
        );
        assert!(!is_markdown(".md"));
        assert!(!is_markdown("x.mdx"));
    }

    const FRENCH: Languages = Languages {
        codes: &["en", "fr"],
    };

    #[test]
    fn a_declared_suffix_is_a_translation_and_the_stem_stays_the_page_s() {
        let (sections, entries) = classified_in(
            &[
                "_index.fr.md",
                "articles/x/index.fr.md",
                "articles/x/index.md",
                "articles/x/cover.png",
                "articles/y.fr.markdown",
                "articles/y.md",
                "authors/ann.fr.md",
                "authors/ann.md",
            ],
            FRENCH,
        );
        assert_eq!(sections, ["", "articles"]);
        assert_eq!(
            kinds(&entries),
            [
                "section  lang=1",
                "page articles x bundle=true lang=1",
                "page articles x bundle=true",
                "bundle asset articles/x cover.png",
                "page articles y bundle=false lang=1",
                "page articles y bundle=false",
                "author ann lang=1",
                "author ann",
            ]
        );
    }

    #[test]
    fn an_undeclared_code_is_refused_and_other_dotted_names_are_pages() {
        let (_, entries) = classified_in(
            &[
                "posts/hello.it.md",
                "posts/notes.old.md",
                "posts/v1.2.md",
                "posts/x/index.it.md",
            ],
            FRENCH,
        );
        assert_eq!(
            kinds(&entries),
            [
                "error: content/posts/hello.it.md:1:1: `it` is not a language of this site: serum.toml declares no [languages.it]\n  help: declare it in serum.toml with a [languages.it] table, or rename the file",
                "page posts notes.old bundle=false",
                "page posts v1.2 bundle=false",
                "error: content/posts/x/index.it.md:1:1: `it` is not a language of this site: serum.toml declares no [languages.it]\n  help: declare it in serum.toml with a [languages.it] table, or rename the file",
            ]
        );
        // Without languages, a suffix is part of the name, as it always was.
        let (_, entries) = classified(&["posts/hello.fr.md"]);
        assert_eq!(kinds(&entries), ["page posts hello.fr bundle=false"]);
    }

    #[test]
    fn two_files_for_one_page_in_one_language_are_refused() {
        let (_, entries) = classified_in(
            &[
                "posts/a.fr.markdown",
                "posts/a.fr.md",
                "posts/b.en.md",
                "posts/b.md",
            ],
            FRENCH,
        );
        assert_eq!(
            kinds(&entries),
            [
                "page posts a bundle=false lang=1",
                "error: content/posts/a.fr.md:1:1: two files are the same page in one language: this one and content/posts/a.fr.markdown\n  help: keep one of them; a translation is named after its page with the language before the extension (`x.fr.md`, `index.fr.md`, `_index.fr.md`)",
                "page posts b bundle=false",
                "error: content/posts/b.md:1:1: two files are the same page in one language: this one and content/posts/b.en.md\n  help: keep one of them; a translation is named after its page with the language before the extension (`x.fr.md`, `index.fr.md`, `_index.fr.md`)",
            ]
        );
    }
}
