//! The site as data: pages, sections, authors and assets, loaded from `content/`.

mod author;
pub mod front_matter;
mod page;
pub(crate) mod related;
mod section;
mod taxonomy;
mod walk;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use author::{Author, AuthorLink};
pub use front_matter::Date;
pub use page::{Cover, Page};
pub use section::{Section, SortBy};
pub use taxonomy::{Taxonomy, Term};
pub(crate) use walk::is_markdown;

use crate::config::Config;
use crate::error::{Diagnostic, Reason, did_you_mean};
use crate::markdown::slugify;
pub(crate) use walk::link_outside;
use walk::{Entry, Job};

/// The folder of `content/` that holds authors rather than pages.
pub const AUTHORS_DIR: &str = "authors";

/// A file copied into the built site as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Where it is on disk.
    pub source: PathBuf,
    /// Where it lies in `content/`, `/`-separated.
    pub content_path: String,
    /// Where it goes in the built site, `/`-separated, no leading slash.
    pub output_path: String,
}

/// Everything in `content/`, validated and cross-referenced.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Published pages (and drafts, when asked for), in content order.
    pub pages: Vec<Page>,
    /// Sections, the root first, then by folder.
    pub sections: Vec<Section>,
    /// For each section, its pages in the section's order.
    pub section_pages: Vec<Vec<usize>>,
    /// For each section, its direct subsections, by weight then title.
    pub subsections: Vec<Vec<usize>>,
    /// Authors, by slug.
    pub authors: Vec<Author>,
    /// The taxonomies, as `serum.toml` declares them (`tags` first), with their terms.
    pub taxonomies: Vec<Taxonomy>,
    /// All pages, newest first.
    by_date: Vec<usize>,
    /// Each page's neighbours in its section's order: the one before, the one after.
    pub neighbours: Vec<(Option<usize>, Option<usize>)>,
    /// Each page's related pages, best first.
    pub related: Vec<Vec<usize>>,
    /// Files copied as they are.
    pub assets: Vec<Asset>,
    /// Content paths of drafts left out of this build.
    pub skipped_drafts: BTreeSet<String>,
    /// Pages dated in the future, left out of this build, by content path, with their date.
    pub scheduled: BTreeMap<String, Date>,
    /// Pages whose front matter could not be read, by content path, with the path they
    /// would have been published at.
    pub unreadable: BTreeMap<String, String>,
    /// Every problem met while loading, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

enum Loaded {
    Page(Box<Page>),
    /// A page whose front matter cannot be read: its problem is reported, and links to it
    /// are not reported again.
    Unreadable {
        content_path: String,
        path: String,
    },
    SectionIndex {
        dir: String,
        file: PathBuf,
        text: String,
    },
    Author(Box<Author>),
}

/// What to leave out of a load.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Keep pages marked `draft = true`.
    pub drafts: bool,
    /// Keep pages dated after `now`.
    pub future: bool,
    /// The time of the build: pages dated later are scheduled.
    pub now: jiff::Timestamp,
}

/// Whether a file or folder name is an editor's or system's leftover that serum never reads.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.') || is_editor_leftover(name)
}

/// Resolves `.` and `..` in a `/`-separated path; `None` when it climbs above the start.
pub fn resolve_path(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Whether a name is an editor's swap, backup or lock file, or a system's leftover.
pub fn is_editor_leftover(name: &str) -> bool {
    name.ends_with('~')
        || name.starts_with('#')
        || name.starts_with(".#")
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || matches!(name, ".DS_Store" | ".git" | "Thumbs.db")
}

impl Library {
    /// Walks `content/` and parses every file in parallel. A file that cannot be read or
    /// parsed is left out and its problem collected in `diagnostics`, with every other one.
    pub fn load(config: &Config, options: &LoadOptions) -> Library {
        let mut library = Library::default();
        let content = config.content_dir();
        if !content.is_dir() {
            library.diagnostics.push(
                Diagnostic::in_file("content", "there is no content/ folder")
                    .hint("create content/ and put your Markdown pages in it"),
            );
            return library;
        }
        let mut problems = Vec::new();
        let (dirs, files) = walk::list(&config.root, &content, &mut problems);
        let shown = |path: &Path| {
            path.strip_prefix(&config.root)
                .unwrap_or(path)
                .to_path_buf()
        };
        let (dirs, entries) = walk::classify(dirs, files, &shown);
        let mut sections: BTreeMap<String, Section> = dirs
            .iter()
            .map(|dir| {
                let section = Section::untitled(dir, section_path(dir), &config.title);
                (dir.clone(), section)
            })
            .collect();
        let mut jobs = Vec::new();
        let mut bundle_assets = Vec::new();
        for entry in entries {
            match entry {
                Entry::Asset(asset) => library.assets.push(asset),
                Entry::BundleAsset {
                    bundle,
                    rest,
                    source,
                    content_path,
                } => bundle_assets.push((bundle, rest, source, content_path)),
                Entry::Read(job) => jobs.push(job),
            }
        }
        let loaded: Vec<_> = jobs
            .into_par_iter()
            .map(|job| load_entry(config, job))
            .collect();
        for (result, warnings) in loaded {
            problems.extend(warnings);
            match result {
                Ok(loaded) => library.keep(loaded, options, &mut sections, &mut problems),
                Err(problem) => problems.push(problem),
            }
        }
        library
            .pages
            .sort_by(|a, b| a.content_path.cmp(&b.content_path));
        library.authors.sort_by(|a, b| a.slug.cmp(&b.slug));
        library.sections = sections.into_values().collect();
        library.place_bundle_assets(bundle_assets);
        library.check_authors(&mut problems);
        library.check_unique_urls(&mut problems);
        library.order(config);
        library.diagnostics = problems;
        library
    }

    /// Takes in one loaded file: a page (unless it is a draft or scheduled and those are left
    /// out), an author, a section's `_index.md`, or a page that could not be read.
    fn keep(
        &mut self,
        loaded: Loaded,
        options: &LoadOptions,
        sections: &mut BTreeMap<String, Section>,
        problems: &mut Vec<Diagnostic>,
    ) {
        match loaded {
            Loaded::Page(page) => {
                let due = page.date.filter(|d| d.timestamp() > options.now);
                if page.draft && !options.drafts {
                    self.skipped_drafts.insert(page.content_path.clone());
                } else if let (Some(due), false) = (due, options.future) {
                    self.scheduled.insert(page.content_path.clone(), due);
                } else {
                    self.pages.push(*page);
                }
            }
            Loaded::Author(author) => self.authors.push(*author),
            Loaded::Unreadable { content_path, path } => {
                self.unreadable.insert(content_path, path);
            }
            Loaded::SectionIndex { dir, file, text } => {
                if let Some(section) = sections.get_mut(&dir) {
                    if let Err(problem) = section.apply_index(file, &text, problems) {
                        problems.push(problem);
                    }
                }
            }
        }
    }

    /// The index of the section whose folder is `dir`.
    pub fn section_index(&self, dir: &str) -> Option<usize> {
        self.sections
            .binary_search_by(|s| s.dir.as_str().cmp(dir))
            .ok()
    }

    /// The index of the author with this slug.
    pub fn author_index(&self, slug: &str) -> Option<usize> {
        self.authors
            .binary_search_by(|a| a.slug.as_str().cmp(slug))
            .ok()
    }

    /// The author with this slug.
    pub fn author(&self, slug: &str) -> Option<&Author> {
        self.authors
            .binary_search_by(|a| a.slug.as_str().cmp(slug))
            .ok()
            .map(|i| &self.authors[i])
    }

    /// Takes every page's Markdown body out, in page order, leaving them empty.
    pub(crate) fn take_page_texts(&mut self) -> Vec<String> {
        self.pages
            .iter_mut()
            .map(|page| std::mem::take(&mut page.body))
            .collect()
    }

    /// All pages, newest first: the home page's listing.
    pub fn pages_by_date(&self) -> &[usize] {
        &self.by_date
    }

    fn place_bundle_assets(&mut self, bundle_assets: Vec<(String, String, PathBuf, String)>) {
        let bundle_paths: HashMap<&str, &str> = self
            .pages
            .iter()
            .filter(|p| p.is_bundle)
            .map(|p| (p.dir.as_str(), p.path.as_str()))
            .collect();
        for (bundle, rest, source, content_path) in bundle_assets {
            // A draft bundle that is not built takes its assets with it.
            if let Some(page_path) = bundle_paths.get(bundle.as_str()) {
                let output_path = format!("{page_path}{rest}");
                self.assets.push(Asset {
                    source,
                    content_path,
                    output_path,
                });
            }
        }
        self.assets
            .sort_by(|a, b| a.output_path.cmp(&b.output_path));
    }

    /// Turns each page's author references into author slugs. A reference is an author's slug
    /// in any case (`DirtyF` for `dirtyf.md`), or the `name` an author file gives (`Mike
    /// Rubini`, Zola's `authors = ["Vincent Prouillet"]`); anything else stays an error, since
    /// a wrong byline must not be published, with the closest author and how to add one.
    fn check_authors(&mut self, problems: &mut Vec<Diagnostic>) {
        let mut by_reference: HashMap<String, usize> = HashMap::new();
        for (i, author) in self.authors.iter().enumerate() {
            by_reference.entry(author.name.to_lowercase()).or_insert(i);
        }
        // A slug wins over another author's name.
        for (i, author) in self.authors.iter().enumerate() {
            by_reference.insert(author.slug.to_lowercase(), i);
        }
        let known: Vec<&str> = self.authors.iter().map(|a| a.slug.as_str()).collect();
        for page in &mut self.pages {
            let mut unknown = Vec::new();
            for reference in &mut page.authors {
                let found = by_reference
                    .get(&reference.to_lowercase())
                    .or_else(|| by_reference.get(&crate::markdown::slugify(reference)));
                match found {
                    Some(&i) => reference.clone_from(&self.authors[i].slug),
                    None => unknown.push(reference.clone()),
                }
            }
            for reference in unknown {
                let key = if page.front_matter.contains("authors") {
                    "authors"
                } else {
                    "author"
                };
                problems.push(
                    page.key_problem(key, format!("unknown author `{reference}`"))
                        .because(Reason::UnknownAuthor)
                        .hint(unknown_author_hint(&reference, &known)),
                );
            }
        }
    }

    fn check_unique_urls(&self, problems: &mut Vec<Diagnostic>) {
        let mut owners: HashMap<&str, &Path> = HashMap::new();
        let folders: Vec<PathBuf> = self
            .sections
            .iter()
            .map(|s| Path::new("content").join(&s.dir))
            .collect();
        let sections = self
            .sections
            .iter()
            .zip(&folders)
            .map(|(s, folder)| (s.path.as_str(), s.file.as_deref().unwrap_or(folder)));
        let claims = sections
            .chain(
                self.pages
                    .iter()
                    .map(|p| (p.path.as_str(), p.file.as_path())),
            )
            .chain(
                self.authors
                    .iter()
                    .map(|a| (a.path.as_str(), a.file.as_path())),
            );
        for (path, file) in claims {
            if let Some(first) = owners.get(path) {
                problems.push(
                    Diagnostic::in_file(file, format!("two pages would be published at /{path}: this one and {}", first.display()))
                        .because(Reason::UrlCollision)
                        .hint("give one of them a different `slug` or `path` in its front matter, or rename the file"),
                );
            } else {
                owners.insert(path, file);
            }
        }
    }

    fn order(&mut self, config: &Config) {
        let taxonomies = &config.taxonomies;
        let index: HashMap<&str, usize> = self
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.dir.as_str(), i))
            .collect();
        let mut section_pages = vec![Vec::new(); self.sections.len()];
        for (i, page) in self.pages.iter().enumerate() {
            if let Some(&s) = index.get(page.section.as_str()) {
                section_pages[s].push(i);
            }
        }
        for (s, ids) in section_pages.iter_mut().enumerate() {
            sort_pages(&self.pages, ids, self.sections[s].sort_by);
        }
        let mut subsections = vec![Vec::new(); self.sections.len()];
        for (i, section) in self.sections.iter().enumerate().skip(1) {
            let parent = section
                .dir
                .rsplit_once('/')
                .map_or("", |(parent, _)| parent);
            if let Some(&p) = index.get(parent) {
                subsections[p].push(i);
            }
        }
        for ids in &mut subsections {
            ids.sort_by(|&a, &b| {
                let (a, b) = (&self.sections[a], &self.sections[b]);
                (a.weight.unwrap_or(i64::MAX), &a.title)
                    .cmp(&(b.weight.unwrap_or(i64::MAX), &b.title))
            });
        }
        self.section_pages = section_pages;
        self.subsections = subsections;
        self.taxonomies = taxonomies
            .iter()
            .enumerate()
            .map(|(index, config)| Taxonomy::collect(config, index, &self.pages))
            .collect();
        self.by_date = (0..self.pages.len()).collect();
        sort_pages(&self.pages, &mut self.by_date, SortBy::Date);
        self.neighbours = vec![(None, None); self.pages.len()];
        for ids in &self.section_pages {
            for (k, &p) in ids.iter().enumerate() {
                let previous = k.checked_sub(1).map(|k| ids[k]);
                self.neighbours[p] = (previous, ids.get(k + 1).copied());
            }
        }
    }

    /// Finds each page's related pages, or takes them from `remembered` when what they are
    /// found from (every page's terms, dates and eligibility) is what it was then.
    pub(crate) fn relate(&mut self, limit: usize, remembered: &mut related::Remembered) {
        self.related = related::related(
            &self.pages,
            &self.taxonomies,
            &self.by_date,
            limit,
            &|page| !page.draft && !page.noindex,
            remembered,
        );
    }

    /// The tag a page names, by the name as written.
    pub fn tag(&self, name: &str) -> Option<&Term> {
        self.taxonomies.first()?.term(name)
    }
}

/// Orders page indices the way a section asks.
pub(crate) fn sort_pages(pages: &[Page], ids: &mut [usize], by: SortBy) {
    // Keys are made once per page, not once per comparison: dates take some arithmetic.
    ids.sort_by_cached_key(|&i| {
        let page = &pages[i];
        let (missing, number, folded) = match by {
            SortBy::Date => match page.date {
                Some(date) => (false, -date.sort_key(), String::new()),
                None => (true, 0, String::new()),
            },
            SortBy::Weight => (false, page.weight.unwrap_or(i64::MAX), String::new()),
            SortBy::Title => (false, 0, page.title.to_lowercase()),
        };
        (
            missing,
            number,
            folded,
            page.title.as_str(),
            page.path.as_str(),
        )
    });
}

/// The built site's path of a section folder: each part slugified, ending in `/`.
fn section_path(dir: &str) -> String {
    if dir.is_empty() {
        return String::new();
    }
    let mut path: String = dir.split('/').map(slugify).collect::<Vec<_>>().join("/");
    path.push('/');
    path
}

fn read_text(root: &Path, file: &Path) -> std::result::Result<String, Diagnostic> {
    let bytes = std::fs::read(root.join(file)).map_err(|e| {
        Diagnostic::io(file, "read this file", &e)
            .hint("check that the file exists and that you may read it")
    })?;
    front_matter::normalize_text(bytes).map_err(|e| Diagnostic {
        path: Some(file.to_path_buf()),
        ..e
    })
}

/// What to do about an unknown author: the closest known one, the known ones, how to add it.
fn unknown_author_hint(reference: &str, known: &[&str]) -> String {
    let slug = crate::markdown::slugify(reference);
    let file = format!("content/{AUTHORS_DIR}/{slug}.md");
    let create = if slug == reference {
        format!("create {file} with a `name`")
    } else {
        format!("create {file} with `name = \"{reference}\"`")
    };
    let close =
        did_you_mean(&reference.to_lowercase(), known).or_else(|| did_you_mean(&slug, known));
    const SHOWN: usize = 10;
    let mut list = known
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if known.len() > SHOWN {
        list += &format!(" and {} more", known.len() - SHOWN);
    }
    match close {
        Some(close) => format!("did you mean `{close}`? Otherwise {create}"),
        None if known.is_empty() => create,
        None => format!("{create}, or use one of: {list}"),
    }
}

fn load_entry(
    config: &Config,
    job: Job,
) -> (std::result::Result<Loaded, Diagnostic>, Vec<Diagnostic>) {
    let root = config.root.as_path();
    let mut warnings = Vec::new();
    let result = match job {
        Job::Page(source) => {
            let content_path = source.content_path.clone();
            let path = format!("{}{}/", source.section_path, slugify(&source.stem));
            match read_text(root, &source.file)
                .and_then(|text| Page::parse(source, &text, &config.taxonomies, &mut warnings))
            {
                Ok(page) => Ok(Loaded::Page(Box::new(page))),
                Err(problem) => {
                    warnings.push(problem);
                    Ok(Loaded::Unreadable { content_path, path })
                }
            }
        }
        Job::Author { slug, file } => read_text(root, &file)
            .and_then(|text| Author::parse(slug, file, &text, &mut warnings))
            .map(|author| Loaded::Author(Box::new(author))),
        Job::SectionIndex { dir, file } => {
            read_text(root, &file).map(|text| Loaded::SectionIndex { dir, file, text })
        }
    };
    (result, warnings)
}
