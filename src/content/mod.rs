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
pub use walk::Listing;
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
    /// For each language, its pages, newest first.
    by_date: Vec<Vec<usize>>,
    /// For each author, the pages of their language that name them, newest first.
    by_author: Vec<Vec<usize>>,
    /// Every page, newest first, and each page's place in that order.
    date_order: DateOrder,
    /// Each page's translation group: an index into `translation_groups`.
    translation_group: Vec<usize>,
    /// The pages of each translation group (one page in every language it is written in),
    /// in the order of the languages.
    translation_groups: Vec<Vec<usize>>,
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
        lang: usize,
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
    /// Parses every file `listing` found in `content/`, in parallel. A file that cannot be
    /// read or parsed is left out and its problem collected in `diagnostics`, with every other
    /// one.
    pub fn load(config: &Config, options: &LoadOptions, listing: Listing) -> Library {
        let mut library = Library::default();
        let content = config.content_dir();
        if !content.is_dir() {
            library.diagnostics.push(
                Diagnostic::in_file("content", "there is no content/ folder")
                    .hint("create content/ and put your Markdown pages in it"),
            );
            return library;
        }
        let Listing {
            dirs,
            files,
            mut problems,
        } = listing;
        let shown = |path: &Path| {
            path.strip_prefix(&config.root)
                .unwrap_or(path)
                .to_path_buf()
        };
        let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
        let languages = walk::Languages { codes: &codes };
        let (dirs, entries) = walk::classify(dirs, files, languages, &shown);
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
                Entry::Refused(problem) => problems.push(problem),
            }
        }
        let loaded: Vec<_> = jobs
            .into_par_iter()
            .map(|job| load_entry(config, job))
            .collect();
        let mut kept = Vec::with_capacity(loaded.len());
        let mut translated_sections = Vec::new();
        for (result, warnings) in loaded {
            problems.extend(warnings);
            match result {
                Ok(Loaded::SectionIndex {
                    dir,
                    lang,
                    file,
                    text,
                }) if lang > 0 => translated_sections.push((dir, lang, file, text)),
                Ok(loaded) => {
                    library.keep(loaded, options, &mut kept, &mut sections, &mut problems)
                }
                Err(problem) => problems.push(problem),
            }
        }
        // Sorted as pointers, then moved into one list by both cores: at 100,000 articles,
        // moving each page (hundreds of bytes) into fresh memory one at a time on one core
        // was a twentieth of the load step's CPU, in perf.
        kept.sort_by(|a, b| a.content_path.cmp(&b.content_path));
        library.pages = kept.into_par_iter().map(|page| *page).collect();
        library.sections = sections.into_values().collect();
        library.translate_sections(config, translated_sections, &mut problems);
        library.translate_authors(config, &mut problems);
        library.place_bundle_assets(bundle_assets);
        library.check_authors(&mut problems);
        // Both read the pages only, and take tenths of a second at 100,000 articles.
        let this = &library;
        let (orders, urls) = rayon::join(
            || this.orders(config),
            || {
                let mut problems = Vec::new();
                this.check_unique_urls(&mut problems);
                problems
            },
        );
        problems.extend(urls);
        library.set_orders(orders);
        library.diagnostics = problems;
        library
    }

    /// Takes in one loaded file: a page into `pages` (unless it is a draft or scheduled and
    /// those are left out), an author, a section's `_index.md`, or a page that could not be
    /// read.
    #[expect(
        clippy::vec_box,
        reason = "pages are kept boxed, to be sorted as pointers before they are unboxed"
    )]
    fn keep(
        &mut self,
        loaded: Loaded,
        options: &LoadOptions,
        pages: &mut Vec<Box<Page>>,
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
                    pages.push(page);
                }
            }
            Loaded::Author(author) => self.authors.push(*author),
            Loaded::Unreadable { content_path, path } => {
                self.unreadable.insert(content_path, path);
            }
            Loaded::SectionIndex {
                dir, file, text, ..
            } => {
                if let Some(section) = sections.get_mut(&dir) {
                    if let Err(problem) = section.apply_index(file, &text, problems) {
                        problems.push(problem);
                    }
                }
            }
        }
    }

    /// Each section in each other language that has pages in it (or in a section below), an
    /// `_index.fr.md`, or is the home page: the default language's section with its settings,
    /// and the translation's `_index.fr.md` read over it. Sections end sorted by language,
    /// then folder: the default language's home page first.
    fn translate_sections(
        &mut self,
        config: &Config,
        indexes: Vec<(String, usize, PathBuf, String)>,
        problems: &mut Vec<Diagnostic>,
    ) {
        if !config.is_multilingual() {
            return;
        }
        let mut wanted: BTreeSet<(usize, &str)> = BTreeSet::new();
        for lang in 1..config.languages.len() {
            wanted.insert((lang, ""));
        }
        for page in self.pages.iter().filter(|p| p.lang > 0) {
            let mut dir = page.section.as_str();
            wanted.insert((page.lang, dir));
            while let Some((parent, _)) = dir.rsplit_once('/') {
                wanted.insert((page.lang, parent));
                dir = parent;
            }
        }
        for (dir, lang, _, _) in &indexes {
            wanted.insert((*lang, dir.as_str()));
        }
        let mut made: BTreeMap<(usize, String), Section> = BTreeMap::new();
        for (lang, dir) in wanted {
            let Some(original) = self.section_index(0, dir).map(|i| &self.sections[i]) else {
                continue;
            };
            let language = &config.languages[lang];
            let title = dir.is_empty().then_some(language.title.as_str());
            let section = original.in_language(lang, &language.prefix, title);
            made.insert((lang, dir.to_string()), section);
        }
        for (dir, lang, file, text) in indexes {
            if let Some(section) = made.get_mut(&(lang, dir)) {
                if let Err(problem) = section.apply_index(file, &text, problems) {
                    problems.push(problem);
                }
            }
        }
        self.sections.extend(made.into_values());
    }

    /// Completes each author's translations with the original, and gives every other language
    /// a copy of each author who wrote in it, for its bylines and its author page. A
    /// translation of an author who has no file in the default language is an error.
    fn translate_authors(&mut self, config: &Config, problems: &mut Vec<Diagnostic>) {
        self.authors
            .sort_by(|a, b| (a.lang, &a.slug).cmp(&(b.lang, &b.slug)));
        if !config.is_multilingual() {
            return;
        }
        let originals = self.authors.partition_point(|a| a.lang == 0);
        let (defaults, translations) = self.authors.split_at_mut(originals);
        let mut kept = Vec::with_capacity(translations.len());
        for mut author in translations.iter().cloned() {
            match defaults.binary_search_by(|a| a.slug.cmp(&author.slug)) {
                Ok(i) => {
                    author.inherit(&defaults[i]);
                    kept.push(author);
                }
                Err(_) => problems.push(
                    Diagnostic::in_file(
                        &author.file,
                        format!(
                            "this translates the author `{}`, who has no file content/{AUTHORS_DIR}/{}.md",
                            author.slug, author.slug
                        ),
                    )
                    .because(Reason::UnknownAuthor)
                    .at(1, 1)
                    .hint("add the author in the default language first; a translation completes it"),
                ),
            }
        }
        let mut written_in: BTreeSet<(usize, &str)> = BTreeSet::new();
        for page in self.pages.iter().filter(|p| p.lang > 0) {
            for reference in &page.authors {
                written_in.insert((page.lang, reference.as_str()));
            }
        }
        let mut copies = Vec::new();
        for author in &self.authors[..originals] {
            for (lang, language) in config.languages.iter().enumerate().skip(1) {
                let translated = kept.iter().any(|t| t.lang == lang && t.slug == author.slug);
                let named = written_in.contains(&(lang, author.slug.as_str()))
                    || written_in.contains(&(lang, author.name.as_str()));
                if !translated && named {
                    copies.push(author.in_language(lang, &language.prefix));
                }
            }
        }
        self.authors.truncate(originals);
        self.authors.extend(kept);
        self.authors.extend(copies);
        self.authors
            .sort_by(|a, b| (a.lang, &a.slug).cmp(&(b.lang, &b.slug)));
    }

    /// The index of the section whose folder is `dir`, in language `lang`.
    pub fn section_index(&self, lang: usize, dir: &str) -> Option<usize> {
        self.sections
            .binary_search_by(|s| (s.lang, s.dir.as_str()).cmp(&(lang, dir)))
            .ok()
    }

    /// The index of the author with this slug, in language `lang`.
    pub fn author_index(&self, lang: usize, slug: &str) -> Option<usize> {
        self.authors
            .binary_search_by(|a| (a.lang, a.slug.as_str()).cmp(&(lang, slug)))
            .ok()
    }

    /// The author with this slug, in language `lang`.
    pub fn author(&self, lang: usize, slug: &str) -> Option<&Author> {
        self.author_index(lang, slug).map(|i| &self.authors[i])
    }

    /// All pages of language `lang`, newest first: its home page's listing.
    pub fn pages_by_date(&self, lang: usize) -> &[usize] {
        self.by_date.get(lang).map_or(&[], Vec::as_slice)
    }

    /// The pages of the author at `author` (an index into `authors`): those of the author's
    /// language that name their slug, newest first.
    pub fn pages_by_author(&self, author: usize) -> &[usize] {
        self.by_author.get(author).map_or(&[], Vec::as_slice)
    }

    /// Page `page`'s place among every page of the site, newest first.
    pub(crate) fn date_place(&self, page: usize) -> usize {
        self.date_order.place[page]
    }

    /// The pages a section lists: a home page every page of its language, newest first;
    /// another section its own pages, in its order.
    pub fn listed_pages(&self, section: usize) -> &[usize] {
        let s = &self.sections[section];
        if s.dir.is_empty() {
            self.pages_by_date(s.lang)
        } else {
            &self.section_pages[section]
        }
    }

    /// The taxonomies of language `lang`, as `serum.toml` declares them (`tags` first).
    pub fn taxonomies_of(&self, lang: usize) -> &[Taxonomy] {
        let start = self.taxonomies.partition_point(|t| t.lang < lang);
        let end = self.taxonomies.partition_point(|t| t.lang <= lang);
        &self.taxonomies[start..end]
    }

    /// The other versions of page `i`, its own included, in the order of the languages.
    pub fn translations(&self, i: usize) -> &[usize] {
        match self.translation_group.get(i) {
            Some(&group) => &self.translation_groups[group],
            None => &[],
        }
    }

    /// Takes every page's Markdown body out, in page order, leaving them empty.
    pub(crate) fn take_page_texts(&mut self) -> Vec<String> {
        self.pages
            .iter_mut()
            .map(|page| std::mem::take(&mut page.body))
            .collect()
    }

    fn place_bundle_assets(&mut self, bundle_assets: Vec<(String, String, PathBuf, String)>) {
        // Translations share their bundle's files, published beside the default language's
        // page (or the first translation's, when the default language has none).
        let mut bundle_paths: HashMap<&str, (usize, &str)> = HashMap::new();
        for page in self.pages.iter().filter(|p| p.is_bundle) {
            let entry = bundle_paths
                .entry(page.dir.as_str())
                .or_insert((page.lang, page.path.as_str()));
            if page.lang < entry.0 {
                *entry = (page.lang, page.path.as_str());
            }
        }
        for (bundle, rest, source, content_path) in bundle_assets {
            // A draft bundle that is not built takes its assets with it.
            if let Some((_, page_path)) = bundle_paths.get(bundle.as_str()) {
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
        let known: Vec<&str> = self
            .authors
            .iter()
            .filter(|a| a.lang == 0)
            .map(|a| a.slug.as_str())
            .collect();
        let authors = &self.authors;
        let found: Vec<Diagnostic> = (self.pages.par_iter_mut())
            .flat_map_iter(|page| {
                let mut unknown = Vec::new();
                for reference in &mut page.authors {
                    let found = by_reference
                        .get(&reference.to_lowercase())
                        .or_else(|| by_reference.get(&crate::markdown::slugify(reference)));
                    match found {
                        Some(&i) => reference.clone_from(&authors[i].slug),
                        None => unknown.push(reference.clone()),
                    }
                }
                // Which key named them is looked for only when one is unknown.
                let key = if unknown.is_empty() {
                    ""
                } else if page.front_matter.contains("authors") {
                    "authors"
                } else {
                    "author"
                };
                let (page, known) = (&*page, &known);
                unknown.into_iter().map(move |reference| {
                    page.key_problem(key, format!("unknown author `{reference}`"))
                        .because(Reason::UnknownAuthor)
                        .hint(unknown_author_hint(&reference, known))
                })
            })
            .collect();
        problems.extend(found);
    }

    fn check_unique_urls(&self, problems: &mut Vec<Diagnostic>) {
        let mut owners: HashMap<&str, (&Path, Option<usize>)> = HashMap::new();
        let folders: Vec<PathBuf> = self
            .sections
            .iter()
            .map(|s| Path::new("content").join(&s.dir))
            .collect();
        let sections = self
            .sections
            .iter()
            .zip(&folders)
            .map(|(s, folder)| (s.path.as_str(), s.file.as_deref().unwrap_or(folder), None));
        let claims = sections
            .chain(
                self.pages
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.path.as_str(), p.file.as_path(), Some(i))),
            )
            .chain(
                self.authors
                    .iter()
                    .map(|a| (a.path.as_str(), a.file.as_path(), None)),
            );
        for (path, file, page) in claims {
            let Some(&(first, first_page)) = owners.get(path) else {
                owners.insert(path, (file, page));
                continue;
            };
            // A translation whose own `slug` or `path` takes another page's URL in its
            // language: the problem is at that key.
            let translated = [(page, first), (first_page, file)]
                .into_iter()
                .filter_map(|(page, other)| Some((&self.pages[page?], other)))
                .find_map(|(page, other)| {
                    let key = ["slug", "path"]
                        .into_iter()
                        .find(|key| page.lang > 0 && page.has_key(key))?;
                    Some((page, key, other))
                });
            let problem = match translated {
                Some((page, key, other)) => page
                    .key_problem(
                        key,
                        format!(
                            "this translation's `{key}` gives it the URL /{path}, which {} has already",
                            other.display()
                        ),
                    )
                    .hint(format!("give this translation another `{key}`: each page of a language needs a URL of its own")),
                None => Diagnostic::in_file(file, format!("two pages would be published at /{path}: this one and {}", first.display()))
                    .hint("give one of them a different `slug` or `path` in its front matter, or rename the file"),
            };
            problems.push(problem.because(Reason::UrlCollision));
        }
    }

    /// Every order the site's lists need, found from the pages, sections and authors, the
    /// taxonomies on both cores beside the rest: at 100,000 articles each took a tenth of a
    /// second on one core, at the end of the load step.
    fn orders(&self, config: &Config) -> Orders {
        let date_order = DateOrder::new(&self.pages);
        let (taxonomies, lists) = rayon::join(
            || self.collect_taxonomies(config, &date_order),
            || self.lists(config, &date_order),
        );
        Orders {
            date_order,
            taxonomies,
            lists,
        }
    }

    fn set_orders(&mut self, orders: Orders) {
        let Orders {
            date_order,
            taxonomies,
            lists,
        } = orders;
        self.date_order = date_order;
        self.taxonomies = taxonomies;
        self.section_pages = lists.section_pages;
        self.subsections = lists.subsections;
        self.by_date = lists.by_date;
        self.by_author = lists.by_author;
        self.translation_group = lists.translation_group;
        self.translation_groups = lists.translation_groups;
        self.neighbours = lists.neighbours;
    }

    /// Each language's taxonomies, in the order of `serum.toml`, one language after another.
    fn collect_taxonomies(&self, config: &Config, date_order: &DateOrder) -> Vec<Taxonomy> {
        // Terms take the name first written in content order.
        let mut in_order = vec![Vec::new(); config.languages.len()];
        for (i, page) in self.pages.iter().enumerate() {
            if let Some(list) = in_order.get_mut(page.lang) {
                list.push(i);
            }
        }
        let wanted: Vec<(usize, usize)> = (0..config.languages.len())
            .flat_map(|lang| (0..config.taxonomies.len()).map(move |index| (lang, index)))
            .collect();
        wanted
            .into_par_iter()
            .map(|(lang, index)| {
                let prefix = (lang, config.languages[lang].prefix.as_str());
                let taxonomy = &config.taxonomies[index];
                Taxonomy::collect(
                    taxonomy,
                    index,
                    &self.pages,
                    &in_order[lang],
                    date_order,
                    prefix,
                )
            })
            .collect()
    }

    /// The lists of pages by section, language, author and translation, and each section's
    /// subsections.
    fn lists(&self, config: &Config, date_order: &DateOrder) -> Lists {
        let index: HashMap<(usize, &str), usize> = self
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| ((s.lang, s.dir.as_str()), i))
            .collect();
        let mut section_pages = vec![Vec::new(); self.sections.len()];
        for (i, page) in self.pages.iter().enumerate() {
            if let Some(s) = self.section_index(page.lang, &page.section) {
                section_pages[s].push(i);
            }
        }
        for (s, ids) in section_pages.iter_mut().enumerate() {
            match self.sections[s].sort_by {
                SortBy::Date => date_order.sort(ids),
                by => sort_pages(&self.pages, ids, by),
            }
        }
        let mut subsections = vec![Vec::new(); self.sections.len()];
        for (i, section) in self.sections.iter().enumerate() {
            if section.dir.is_empty() {
                continue;
            }
            let parent = section
                .dir
                .rsplit_once('/')
                .map_or("", |(parent, _)| parent);
            if let Some(&p) = index.get(&(section.lang, parent)) {
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
        let mut by_date = vec![Vec::new(); config.languages.len()];
        for &i in &date_order.newest {
            if let Some(list) = by_date.get_mut(self.pages[i].lang) {
                list.push(i);
            }
        }
        // Every author's pages in one pass over the pages, rather than one pass per author for
        // their page, another for their feed and a third for their sitemap entry.
        let mut by_author = vec![Vec::new(); self.authors.len()];
        for &i in &date_order.newest {
            let page = &self.pages[i];
            for slug in &page.authors {
                if let Some(list) = (self.author_index(page.lang, slug))
                    .and_then(|author| by_author.get_mut(author))
                    .filter(|list: &&mut Vec<usize>| list.last() != Some(&i))
                {
                    list.push(i);
                }
            }
        }
        let (translation_group, translation_groups) = self.group_translations();
        let mut neighbours = vec![(None, None); self.pages.len()];
        for ids in &section_pages {
            for (k, &p) in ids.iter().enumerate() {
                let previous = k.checked_sub(1).map(|k| ids[k]);
                neighbours[p] = (previous, ids.get(k + 1).copied());
            }
        }
        Lists {
            section_pages,
            subsections,
            by_date,
            by_author,
            translation_group,
            translation_groups,
            neighbours,
        }
    }

    /// Finds each page's related pages, or takes them from `remembered` when what they are
    /// found from (every page's terms, dates and eligibility) is what it was then.
    pub(crate) fn relate(&mut self, limit: usize, remembered: &mut related::Remembered) {
        debug_assert_eq!(self.date_order.newest.len(), self.pages.len());
        self.related = related::related(
            &self.pages,
            &self.taxonomies,
            &self.date_order.newest,
            limit,
            &|page| !page.draft && !page.noindex,
            remembered,
        );
    }

    /// Groups each page with its translations, the pages that share its key: each page's
    /// group, and each group's pages in the order of the languages.
    fn group_translations(&self) -> (Vec<usize>, Vec<Vec<usize>>) {
        let mut groups: HashMap<&str, usize> = HashMap::with_capacity(self.pages.len());
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut group_of = Vec::with_capacity(self.pages.len());
        for page in &self.pages {
            let group = *groups.entry(page.key.as_str()).or_insert_with(|| {
                members.push(Vec::new());
                members.len() - 1
            });
            members[group].push(group_of.len());
            group_of.push(group);
        }
        for group in &mut members {
            group.sort_by_key(|&i| self.pages[i].lang);
        }
        (group_of, members)
    }
}

/// What [`Library::orders`] finds.
struct Orders {
    date_order: DateOrder,
    taxonomies: Vec<Taxonomy>,
    lists: Lists,
}

/// The lists [`Library::orders`] finds beside the taxonomies.
struct Lists {
    section_pages: Vec<Vec<usize>>,
    subsections: Vec<Vec<usize>>,
    by_date: Vec<Vec<usize>>,
    by_author: Vec<Vec<usize>>,
    translation_group: Vec<usize>,
    translation_groups: Vec<Vec<usize>>,
    neighbours: Vec<(Option<usize>, Option<usize>)>,
}

/// Every page newest first, found with one sort; every other list of pages by date is then
/// ordered by each page's place in it, an integer, rather than by dates and titles again.
/// Many articles of a large site share a date, and comparing their titles each time took a
/// tenth of loading 100,000 of them.
#[derive(Debug, Clone, Default)]
pub(crate) struct DateOrder {
    /// Every page, newest first, as [`sort_pages`] orders them by date.
    pub newest: Vec<usize>,
    /// Each page's place in `newest`.
    place: Vec<usize>,
}

impl DateOrder {
    pub(crate) fn new(pages: &[Page]) -> DateOrder {
        let mut newest: Vec<usize> = (0..pages.len()).collect();
        sort_pages(pages, &mut newest, SortBy::Date);
        let mut place = vec![0; pages.len()];
        for (k, &i) in newest.iter().enumerate() {
            place[i] = k;
        }
        DateOrder { newest, place }
    }

    /// Sorts pages newest first. Pages equal by date, title and path keep the order of their
    /// indexes, as [`sort_pages`] keeps pages given in that order.
    pub(crate) fn sort(&self, ids: &mut [usize]) {
        ids.sort_unstable_by_key(|&i| self.place[i]);
    }
}

/// Orders page indices the way a section asks.
pub(crate) fn sort_pages(pages: &[Page], ids: &mut [usize], by: SortBy) {
    // Keys are made once per page, not once per comparison: dates take some arithmetic. Each
    // key holds the first bytes of the title it compares, so that pages sharing a date (a
    // few hundred each in a large archive) are mostly told apart without reading their
    // titles from all over memory.
    ids.par_sort_by_cached_key(|&i| {
        let page = &pages[i];
        let (missing, number, folded) = match by {
            SortBy::Date => match page.date {
                Some(date) => (false, -date.sort_key(), String::new()),
                None => (true, 0, String::new()),
            },
            SortBy::Weight => (false, page.weight.unwrap_or(i64::MAX), String::new()),
            SortBy::Title => (false, 0, page.title.to_lowercase()),
        };
        let compared = if by == SortBy::Title {
            &folded
        } else {
            &page.title
        };
        (
            missing,
            number,
            head(compared),
            folded,
            page.title.as_str(),
            page.path.as_str(),
        )
    });
}

/// A text's first 16 bytes as a number, padded with zeros: of two texts, the one with the
/// smaller head is the smaller, and equal heads leave the order to the whole texts.
fn head(text: &str) -> u128 {
    let mut bytes = [0; 16];
    let n = text.len().min(16);
    bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
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
    let bytes = read_whole(&root.join(file)).map_err(|e| {
        Diagnostic::io(file, "read this file", &e)
            .hint("check that the file exists and that you may read it")
    })?;
    front_matter::normalize_text(bytes).map_err(|e| Diagnostic {
        path: Some(file.to_path_buf()),
        ..e
    })
}

/// A whole file's bytes, read without first asking the system for its size, as `fs::read`
/// does with a `statx` per file (about 70 ms of CPU at 100,000 articles, in perf). Each thread
/// reads into a buffer of its own, already in memory, and the text gets one allocation of its
/// exact size; a file larger than the buffer is read on after it.
fn read_whole(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 64 << 10]);
    }
    let mut file = std::fs::File::open(path)?;
    BUFFER.with_borrow_mut(|buffer| {
        let mut filled = 0;
        while filled < buffer.len() {
            match file.read(&mut buffer[filled..]) {
                Ok(0) => return Ok(buffer[..filled].to_vec()),
                Ok(read) => filled += read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let mut bytes = buffer.clone();
        file.read_to_end(&mut bytes)?;
        Ok(bytes)
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
            let prefix = config
                .languages
                .get(source.lang)
                .map_or("", |l| l.prefix.as_str());
            let path = format!("{prefix}{}{}/", source.section_path, slugify(&source.stem));
            match read_text(root, &source.file)
                .and_then(|text| Page::parse(source, text, &config.taxonomies, &mut warnings))
            {
                Ok(mut page) => {
                    page.path.insert_str(0, prefix);
                    Ok(Loaded::Page(Box::new(page)))
                }
                Err(problem) => {
                    warnings.push(problem);
                    Ok(Loaded::Unreadable { content_path, path })
                }
            }
        }
        Job::Author { slug, lang, file } => read_text(root, &file)
            .and_then(|text| Author::parse(slug, lang, file, &text, &mut warnings))
            .map(|mut author| {
                if let Some(language) = config.languages.get(lang) {
                    author.path.insert_str(0, &language.prefix);
                }
                Loaded::Author(Box::new(author))
            }),
        Job::SectionIndex { dir, lang, file } => {
            read_text(root, &file).map(|text| Loaded::SectionIndex {
                dir,
                lang,
                file,
                text,
            })
        }
    };
    (result, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(stem: &str, title: &str, date: Option<&str>) -> Page {
        let date = date.map(|d| format!("date = {d}\n")).unwrap_or_default();
        let source = page::PageSource::at_top(stem);
        let text = format!("+++\ntitle = \"{title}\"\n{date}+++\n");
        Page::parse(source, text, &[], &mut Vec::new()).unwrap()
    }

    #[test]
    fn a_file_is_read_whole_at_any_size_and_the_buffer_keeps_nothing_between_files() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        for (name, bytes) in [("big", &big[..]), ("small", b"+++\n"), ("empty", b"")] {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        // The big file overflows the thread's buffer; the smaller ones after it get only theirs.
        for name in ["big", "small", "empty", "big"] {
            let path = dir.path().join(name);
            assert_eq!(
                read_whole(&path).unwrap(),
                std::fs::read(&path).unwrap(),
                "{name}"
            );
        }
        let missing = read_whole(&dir.path().join("missing")).unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn the_date_order_sorts_any_pages_as_sorting_them_by_date_does() {
        // Shared dates, shared titles, missing dates, and pages equal in all three.
        let dates = [
            Some("2024-05-01"),
            None,
            Some("2023-01-09"),
            Some("2024-05-01"),
        ];
        let pages: Vec<Page> = (0..12)
            .map(|i| {
                let stem = if i % 5 == 4 {
                    "same".to_string()
                } else {
                    format!("p{i}")
                };
                page(&stem, ["b", "a"][i % 2], dates[i % 4])
            })
            .collect();
        let order = DateOrder::new(&pages);
        let mut all: Vec<usize> = (0..pages.len()).collect();
        sort_pages(&pages, &mut all, SortBy::Date);
        assert_eq!(order.newest, all);
        for subset in 0u32..1 << pages.len() {
            let mut ids: Vec<usize> = (0..pages.len()).filter(|i| subset >> i & 1 == 1).collect();
            let mut expected = ids.clone();
            sort_pages(&pages, &mut expected, SortBy::Date);
            order.sort(&mut ids);
            assert_eq!(ids, expected, "pages {subset:b}");
        }
    }

    #[test]
    fn a_texts_head_orders_it_as_the_whole_text_does_or_leaves_it_to_the_text() {
        let texts = [
            "",
            "a",
            "a\0",
            "ab",
            "Article 9",
            "Article 10",
            "Article 100000: the same first sixteen",
            "Article 100000: the same first sixteen bytes",
            "Article 100000: THE SAME",
            "Émile",
            "Zoë",
            "\u{10FFFF}",
        ];
        for a in texts {
            for b in texts {
                let by_head = head(a).cmp(&head(b));
                assert!(
                    by_head.is_eq() || by_head == a.cmp(b),
                    "{a:?} against {b:?}"
                );
            }
        }
        assert_ne!(head("Article 9"), head("Article 10"));
    }
}
