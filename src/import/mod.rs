//! `serum import`: content from other tools turned into page bundles and authors, safely.
//!
//! An import reads the whole export first and plans every file it would write. It refuses
//! when an existing file differs (unless forced) or a path would lead outside the site, and
//! only then writes. Importing the same export again writes nothing.

mod blocks;
mod databases;
mod export;
mod notion;
mod properties;

use std::path::{Path, PathBuf};

use crate::config::{Config, Overrides};
use crate::content::AUTHORS_DIR;
use crate::content::front_matter::{self, normalize_text};
use crate::error::{Diagnostic, Error, Result, fail_if_any};
use crate::output::absolute;

use self::export::Export;
use self::properties::Mapping;

pub use self::properties::{DEFAULT_MAPPING, DRAFT_STATUSES, KEYS};

/// What `serum import notion` was asked to do.
#[derive(Debug, Clone)]
pub struct NotionImport {
    /// The export: a `.zip` from Notion, or the folder it unpacks into.
    pub export: PathBuf,
    /// The site's folder, holding `serum.toml`.
    pub root: PathBuf,
    /// The section the pages go into, a folder of `content/`.
    pub section: String,
    /// `Notion property=key` mappings that win over [`DEFAULT_MAPPING`].
    pub map: Vec<String>,
    /// Plan and report, but write nothing.
    pub dry_run: bool,
    /// Replace existing files that differ from the import.
    pub force: bool,
}

/// What a written file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A section's `_index.md`, for a database.
    Section,
    /// A page bundle's `index.md`.
    Page,
    /// An image or attachment in a page bundle.
    Asset,
    /// `content/authors/<slug>.md`.
    Author,
}

/// What the import does to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAction {
    /// The file is new.
    Create,
    /// The file existed with other content and `--force` replaces it.
    Replace,
    /// The file already holds exactly this.
    Unchanged,
    /// An author or section file that already exists is kept as it is, whatever it says.
    KeepExisting,
}

/// One file of the import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Relative to the site root: `content/articles/x/index.md`.
    pub path: PathBuf,
    /// A page, an asset or an author.
    pub kind: FileKind,
    /// What happens to it.
    pub action: FileAction,
}

/// What an import did, or would do with `--dry-run`.
#[derive(Debug)]
pub struct ImportReport {
    /// Sections imported: one per database.
    pub sections: usize,
    /// Pages imported.
    pub pages: usize,
    /// Authors the pages name.
    pub authors: usize,
    /// Images and attachments in the bundles.
    pub assets: usize,
    /// Pages imported as drafts, counted by why: the property and value, `Status: Draft`.
    pub drafts: Vec<(String, usize)>,
    /// Empty "Untitled" pages left out: no title and no text.
    pub skipped_untitled: usize,
    /// Every file, in the order written.
    pub files: Vec<PlannedFile>,
    /// What was imported imperfectly.
    pub warnings: Vec<Diagnostic>,
    /// Nothing was written.
    pub dry_run: bool,
}

impl ImportReport {
    /// Files created or replaced (or that would be).
    pub fn written(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.action, FileAction::Create | FileAction::Replace))
            .count()
    }

    /// Files left as they were.
    pub fn unchanged(&self) -> usize {
        self.files.len() - self.written()
    }
}

/// Imports a Notion "Markdown & CSV" export into a site.
pub fn import_notion(options: &NotionImport) -> Result<ImportReport> {
    let config = Config::load(&absolute(&options.root), &Overrides::default())?;
    let section = check_section(&options.section)?;
    let mapping = Mapping::new(&options.map).map_err(Error::from_problems)?;
    let export = Export::open(&options.export)?;
    let known_authors = known_authors(&config.content_dir());
    let converted = notion::convert(&export, &mapping, section, &known_authors)?;
    let planned = plan_files(&converted);
    let files = decide_actions(&config.root, &export, &planned, options.force)?;
    if !options.dry_run {
        write_files(&config.root, &export, &planned, &files)?;
    }
    Ok(ImportReport {
        sections: converted.sections.len(),
        pages: converted.pages.len(),
        authors: converted.authors.len(),
        assets: converted.pages.iter().map(|p| p.assets.len()).sum(),
        drafts: count_drafts(&converted.pages),
        skipped_untitled: converted.skipped_untitled,
        files,
        warnings: converted.warnings,
        dry_run: options.dry_run,
    })
}

/// How many pages each property value made drafts, most first.
fn count_drafts(pages: &[notion::ImportedPage]) -> Vec<(String, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for reason in pages.iter().filter_map(|p| p.draft.as_ref()) {
        *counts.entry(reason.clone()).or_insert(0) += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

fn check_section(section: &str) -> Result<&str, Diagnostic> {
    let trimmed = section.trim_matches('/');
    let valid = !trimmed.is_empty()
        && trimmed
            .split('/')
            .all(|part| !part.is_empty() && !part.starts_with('.') && !part.contains(['\\', ':']))
        && trimmed.split('/').next() != Some(AUTHORS_DIR);
    if valid {
        Ok(trimmed)
    } else {
        Err(Diagnostic::new(format!(
            "--section \"{section}\": a section is a folder of content/, such as `posts` or `blog/notes`"
        ))
        .hint("pass a plain folder name; `authors` holds the authors, not pages"))
    }
}

/// The site's authors by name, so an import names an existing author by its slug.
///
/// An author file that cannot be read is passed over: the import only looks for names here,
/// and `serum build` reports a broken author file with its place.
fn known_authors(content_dir: &Path) -> notion::KnownAuthors {
    #[derive(serde::Deserialize)]
    struct Named {
        name: Option<String>,
    }
    let mut known = notion::KnownAuthors::new();
    let Ok(entries) = std::fs::read_dir(content_dir.join(AUTHORS_DIR)) else {
        return known;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(slug) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "md") || slug.starts_with(['_', '.']) {
            continue;
        }
        let name = std::fs::read(&path)
            .ok()
            .and_then(|bytes| normalize_text(bytes).ok())
            .and_then(|text| {
                let split = front_matter::split(&text).ok()?;
                front_matter::parse::<Named>(&split, &path).ok()?.name
            });
        if let Some(name) = name {
            known.insert(properties::fold(&name), slug.to_string());
        }
    }
    known
}

/// Where a planned file's bytes come from.
enum Source {
    Text(String),
    Export(String),
}

impl Source {
    fn bytes(&self, export: &Export) -> Result<Vec<u8>, Diagnostic> {
        match self {
            Source::Text(text) => Ok(text.clone().into_bytes()),
            Source::Export(path) => export.read(path),
        }
    }
}

/// Every file of the import, relative to the site root, with its kind and bytes.
fn plan_files(converted: &notion::Converted) -> Vec<(PathBuf, FileKind, Source)> {
    let content = Path::new("content");
    let mut planned = Vec::new();
    for section in &converted.sections {
        planned.push((
            content.join(&section.dir).join("_index.md"),
            FileKind::Section,
            Source::Text(section.text.clone()),
        ));
    }
    for page in &converted.pages {
        let bundle = content.join(&page.bundle);
        planned.push((
            bundle.join("index.md"),
            FileKind::Page,
            Source::Text(page.text.clone()),
        ));
        for (name, path) in &page.assets {
            planned.push((
                bundle.join(name),
                FileKind::Asset,
                Source::Export(path.clone()),
            ));
        }
    }
    for author in &converted.authors {
        planned.push((
            content
                .join(AUTHORS_DIR)
                .join(format!("{}.md", author.slug)),
            FileKind::Author,
            Source::Text(author.text.clone()),
        ));
    }
    planned
}

/// Compares each planned file with what is on disk; refuses, listing every problem, when a
/// different file would be replaced without `force` or a path leads outside the site.
fn decide_actions(
    root: &Path,
    export: &Export,
    planned: &[(PathBuf, FileKind, Source)],
    force: bool,
) -> Result<Vec<PlannedFile>> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for (path, kind, source) in planned {
        let full = root.join(path);
        if let Err(problem) = check_inside(root, path) {
            problems.push(problem);
            continue;
        }
        let action = match std::fs::symlink_metadata(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileAction::Create,
            Err(e) => {
                problems.push(Diagnostic::io(path, "read this file", &e));
                continue;
            }
            Ok(meta) if !meta.is_file() => {
                problems.push(
                    Diagnostic::in_file(path, "something other than a file is in the way")
                        .hint("move it away and import again"),
                );
                continue;
            }
            Ok(_) if matches!(kind, FileKind::Author | FileKind::Section) => {
                FileAction::KeepExisting
            }
            Ok(_) => {
                let existing =
                    std::fs::read(&full).map_err(|e| Diagnostic::io(path, "read this file", &e))?;
                if existing == source.bytes(export)? {
                    FileAction::Unchanged
                } else if force {
                    FileAction::Replace
                } else {
                    problems.push(
                        Diagnostic::in_file(
                            path,
                            "this file already exists and differs from what the import would write",
                        )
                        .hint("nothing was written; pass --force to replace it, or move it away and import again"),
                    );
                    continue;
                }
            }
        };
        files.push(PlannedFile {
            path: path.clone(),
            kind: *kind,
            action,
        });
    }
    fail_if_any(problems)?;
    Ok(files)
}

/// Refuses a path whose deepest existing folder lies outside the site (through a symbolic link).
fn check_inside(root: &Path, path: &Path) -> Result<(), Diagnostic> {
    let outside = || {
        Diagnostic::in_file(
            path,
            "this path leads outside the site through a symbolic link",
        )
        .hint("nothing was written; remove the link or import into another section")
    };
    let root = root
        .canonicalize()
        .map_err(|e| Diagnostic::io(root, "read the site folder", &e))?;
    let full = root.join(path);
    if std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(outside());
    }
    let mut existing = full.parent();
    while let Some(dir) = existing {
        if dir.exists() {
            let real = dir
                .canonicalize()
                .map_err(|e| Diagnostic::io(dir, "read this folder", &e))?;
            return if real.starts_with(&root) {
                Ok(())
            } else {
                Err(outside())
            };
        }
        existing = dir.parent();
    }
    Err(outside())
}

/// Writes every new or replaced file, each through a temporary file renamed into place.
fn write_files(
    root: &Path,
    export: &Export,
    planned: &[(PathBuf, FileKind, Source)],
    files: &[PlannedFile],
) -> Result<()> {
    for ((path, _, source), file) in planned.iter().zip(files) {
        if !matches!(file.action, FileAction::Create | FileAction::Replace) {
            continue;
        }
        check_inside(root, path)?;
        let full = root.join(path);
        let parent = full.parent().unwrap_or(root);
        std::fs::create_dir_all(parent)
            .map_err(|e| Diagnostic::io(parent, "create this folder", &e))?;
        let mut temp = tempfile::NamedTempFile::new_in(parent)
            .map_err(|e| Diagnostic::io(parent, "write in this folder", &e))?;
        std::io::Write::write_all(&mut temp, &source.bytes(export)?)
            .map_err(|e| Diagnostic::io(path, "write this file", &e))?;
        temp.persist(&full)
            .map_err(|e| Diagnostic::io(path, "write this file", &e.error))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_plain_folders_of_content() {
        assert_eq!(check_section("posts/"), Ok("posts"));
        assert_eq!(check_section("blog/notes"), Ok("blog/notes"));
        for bad in ["", "../x", "a/../b", ".hidden", "authors"] {
            let problem = check_section(bad).unwrap_err();
            assert!(problem.message.starts_with("--section"), "{bad}");
        }
    }
}
