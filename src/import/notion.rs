//! Notion's "Markdown & CSV" export read as pages, their properties, databases and files,
//! and turned into serum page bundles, sections and authors.
//!
//! A page is `Title <32 hex id>.md`: a `# Title` line, `Property: value` lines, then the
//! body. Its images and attachments sit in the folder `Title <id>/` beside it. Databases are
//! read in [`super::databases`]; each becomes a section holding its rows' pages.

use std::collections::{BTreeMap, HashMap, HashSet};

use percent_encoding::percent_decode_str;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::blocks::{LinkFix, LinkSite, convert_blocks, rewrite_links, tidy_blank_lines};
use super::databases::{Database, merge_rows, only_database, read_databases};
use super::export::Export;
use super::properties::{
    CoverImage, FrontMatter, Mapping, Target, extra_key, extra_value, fold, parse_date,
    person_names, relation_items, status_is_draft, tag_list, yes_no,
};
use crate::content::front_matter::normalize_text;
use crate::error::{Diagnostic, Result, fail_if_any, line_column};
use crate::markdown::{UniqueIds, slugify};

/// Everything an export turns into, before anything is written.
#[derive(Debug, Default)]
pub struct Converted {
    /// One section per database.
    pub sections: Vec<ImportedSection>,
    /// One page bundle per Notion page or database row.
    pub pages: Vec<ImportedPage>,
    /// Every author the pages name, by slug.
    pub authors: Vec<ImportedAuthor>,
    /// Empty "Untitled" pages left out: no title and no text.
    pub skipped_untitled: usize,
    /// What was imported imperfectly, with where.
    pub warnings: Vec<Diagnostic>,
}

/// A database as a section: `content/<dir>/_index.md`.
#[derive(Debug)]
pub struct ImportedSection {
    /// The section's folder under `content/`, such as `articles/blog`.
    pub dir: String,
    /// The text of `_index.md`.
    pub text: String,
}

/// A page bundle: `content/<bundle>/index.md` and its files.
#[derive(Debug)]
pub struct ImportedPage {
    /// The bundle's folder under `content/`, such as `articles/microneedling`.
    pub bundle: String,
    /// The text of `index.md`: front matter and body.
    pub text: String,
    /// Each file of the bundle: its name there and its path in the export.
    pub assets: Vec<(String, String)>,
    /// Why it is a draft, when it is: the property and its value, `Status: Draft`.
    pub draft: Option<String>,
}

/// An author named by a page, written to `content/authors/<slug>.md` when new.
#[derive(Debug)]
pub struct ImportedAuthor {
    /// The file name, without `.md`.
    pub slug: String,
    /// The author file's text.
    pub text: String,
}

/// A page as exported: where, its title, its properties and its body.
#[derive(Debug)]
pub(super) struct SourcePage {
    /// The file it was read from: its `.md`, or its database's CSV for a row without a page.
    pub path: String,
    pub id: Option<String>,
    pub title: String,
    pub properties: Vec<Property>,
    pub body: String,
    pub body_line: usize,
    /// The database it belongs to, by index.
    pub database: Option<usize>,
}

impl SourcePage {
    /// A page Notion made and nobody wrote in: no title, no text.
    fn is_empty_untitled(&self) -> bool {
        let untitled = self.title.trim().is_empty() || fold(&self.title) == "untitled";
        untitled && self.body.trim().is_empty()
    }

    /// The folder paths written in its body start from.
    fn dir(&self) -> &str {
        parent_dir(&self.path)
    }
}

/// One `Property: value`, from the page's text or its database's CSV.
#[derive(Debug, Clone)]
pub(super) struct Property {
    pub name: String,
    pub value: String,
    /// The export file it was read from; relative paths in the value start from its folder.
    pub file: String,
    pub line: Option<usize>,
}

/// The files of one page bundle, each with a unique name there.
#[derive(Debug, Default)]
struct Assets {
    names: BTreeMap<String, String>,
    used: Option<UniqueIds>,
    alts: HashMap<String, String>,
}

impl Assets {
    /// The name a file of the export gets in the bundle: `notion image.png` -> `notion-image.png`.
    fn name_for(&mut self, export_path: &str) -> String {
        if let Some(name) = self.names.get(export_path) {
            return name.clone();
        }
        let file = export_path.rsplit('/').next().unwrap_or(export_path);
        let (stem, extension) = match file.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{}", ext.to_lowercase())),
            _ => (file, String::new()),
        };
        let used = self.used.get_or_insert_with(|| {
            let mut used = UniqueIds::new();
            used.reserve("index");
            used
        });
        let stem = used.unique(&slugify(split_id(stem).0));
        let name = format!("{stem}{extension}");
        self.names.insert(export_path.to_string(), name.clone());
        name
    }
}

/// The authors a site already has: each name, folded by [`fold`], with its slug.
pub type KnownAuthors = HashMap<String, String>;

/// Reads every page and database of the export and converts them, placing pages in `section`.
pub fn convert(
    export: &Export,
    mapping: &Mapping,
    section: &str,
    known_authors: &KnownAuthors,
) -> Result<Converted> {
    let mut warnings = Vec::new();
    let databases = read_databases(export)?;
    let known = |name: &str| {
        mapping.knows(name)
            || databases
                .iter()
                .any(|d| d.headers.iter().any(|h| h == name))
    };
    let mut pages = read_pages(export, &known)?;
    merge_rows(&databases, &mut pages);
    let (pages, skipped): (Vec<SourcePage>, Vec<SourcePage>) = pages
        .into_iter()
        .partition(|page| !page.is_empty_untitled());
    if pages.is_empty() {
        return Err(nothing_to_import(export, skipped.len()).into());
    }
    let index = PageIndex::new(&pages, &databases, &skipped);
    let mapped: Vec<MappedPage> = pages
        .iter()
        .map(|page| {
            let finder = Finder {
                export,
                index: &index,
                page,
            };
            map_properties(&finder, mapping, known_authors, &mut warnings)
        })
        .collect();
    let places = Places::assign(&databases, &pages, &mapped, section);
    let mut converted = Converted {
        sections: databases
            .iter()
            .zip(&places.sections)
            .map(|(database, dir)| ImportedSection {
                dir: dir.clone(),
                text: section_text(&database.title),
            })
            .collect(),
        authors: collect_authors(&mapped),
        skipped_untitled: skipped.len(),
        ..Converted::default()
    };
    for ((page, state), bundle) in pages.iter().zip(mapped).zip(&places.bundles) {
        let resolver = Resolver {
            finder: Finder {
                export,
                index: &index,
                page,
            },
            places: &places,
        };
        converted
            .pages
            .push(resolver.finish_page(state, bundle, &mut warnings));
    }
    converted.sections.sort_by(|a, b| a.dir.cmp(&b.dir));
    converted.warnings = warnings;
    Ok(converted)
}

/// Why an export without a page to import is refused: the wrong format, or nothing in it.
fn nothing_to_import(export: &Export, skipped_untitled: usize) -> Diagnostic {
    let is_html = export.paths().any(|path| {
        let path = path.to_lowercase();
        path.ends_with(".html") || path.ends_with(".htm")
    });
    let (message, hint) = if is_html {
        (
            "this looks like an HTML export; export as Markdown & CSV".to_string(),
            "in Notion, choose Export, then \"Markdown & CSV\" as the format; nothing was written",
        )
    } else if skipped_untitled > 0 {
        (
            format!(
                "this export holds no pages to import: {} empty \"Untitled\" (no title, no text)",
                if skipped_untitled == 1 {
                    "its one page is".to_string()
                } else {
                    format!("all its {skipped_untitled} pages are")
                }
            ),
            "nothing was written",
        )
    } else {
        (
            "this export holds no pages: no Markdown (.md) page and no database (.csv) in it"
                .to_string(),
            "export from Notion with \"Markdown & CSV\" and \"Include subpages\"; nothing was written",
        )
    };
    Diagnostic::in_file(export.shown(), message).hint(hint)
}

/// Every author the pages name, once, by slug.
fn collect_authors(pages: &[MappedPage]) -> Vec<ImportedAuthor> {
    let mut authors = BTreeMap::new();
    for (name, slug) in pages.iter().flat_map(|p| &p.authors) {
        authors
            .entry(slug.clone())
            .or_insert_with(|| author_text(name));
    }
    authors
        .into_iter()
        .map(|(slug, text)| ImportedAuthor { slug, text })
        .collect()
}

fn author_text(name: &str) -> String {
    #[derive(Serialize)]
    struct AuthorFrontMatter<'a> {
        name: &'a str,
    }
    let toml = toml::to_string(&AuthorFrontMatter { name }).expect("an author serializes");
    format!("+++\n{toml}+++\n")
}

/// A database's section file: its title.
fn section_text(title: &str) -> String {
    #[derive(Serialize)]
    struct SectionFrontMatter<'a> {
        title: &'a str,
    }
    let title = if title.is_empty() { "Untitled" } else { title };
    let toml = toml::to_string(&SectionFrontMatter { title }).expect("a section serializes");
    format!("+++\n{toml}+++\n")
}

/// Reads every `.md` file of the export as a page; all unreadable files are reported together.
///
/// `known` tells the property names of the mapping and the databases.
fn read_pages(export: &Export, known: &dyn Fn(&str) -> bool) -> Result<Vec<SourcePage>> {
    let mut pages = Vec::new();
    let mut problems = Vec::new();
    for path in export.paths().filter(|p| p.to_lowercase().ends_with(".md")) {
        let text = export.read(path).and_then(|bytes| {
            normalize_text(bytes).map_err(|e| Diagnostic {
                path: Some(path.into()),
                ..e
            })
        });
        match text {
            Ok(text) => pages.push(parse_page(path, &text.nfc().collect::<String>(), known)),
            Err(problem) => problems.push(problem),
        }
    }
    fail_if_any(problems)?;
    Ok(pages)
}

/// Splits a page into its `# Title`, its property lines and its body.
///
/// The lines under the title are properties when each reads `Name: value`; a single such
/// line counts only when `known` knows its name, as it may well be the first sentence.
fn parse_page(path: &str, text: &str, known: &dyn Fn(&str) -> bool) -> SourcePage {
    let lines: Vec<&str> = text.split('\n').collect();
    let blank = |i: usize| lines.get(i).is_some_and(|l| l.trim().is_empty());
    let mut i = 0;
    while blank(i) {
        i += 1;
    }
    let stem = path.rsplit('/').next().unwrap_or(path);
    let stem = stem.strip_suffix(".md").unwrap_or(stem);
    let (file_title, id) = split_id(stem);
    let mut title = file_title.trim().to_string();
    let mut properties = Vec::new();
    if let Some(heading) = lines.get(i).and_then(|l| l.strip_prefix("# ")) {
        title = heading.trim().to_string();
        i += 1;
        while blank(i) {
            i += 1;
        }
        let end = (i..lines.len()).find(|&k| blank(k)).unwrap_or(lines.len());
        let block = &lines[i..end];
        let all_properties = !block.is_empty() && block.iter().all(|l| property_line(l).is_some());
        let single_unknown =
            block.len() == 1 && property_line(block[0]).is_some_and(|(name, _)| !known(name));
        if all_properties && !single_unknown {
            for (k, line) in block.iter().enumerate() {
                let (name, value) = property_line(line).unwrap_or_default();
                properties.push(Property {
                    name: name.to_string(),
                    value: value.to_string(),
                    file: path.to_string(),
                    line: Some(i + k + 1),
                });
            }
            i = end;
        }
    }
    while blank(i) {
        i += 1;
    }
    if title.is_empty() {
        title = "Untitled".into();
    }
    SourcePage {
        path: path.to_string(),
        id: id.map(str::to_lowercase),
        title,
        properties,
        body: lines.get(i..).unwrap_or_default().join("\n"),
        body_line: i + 1,
        database: None,
    }
}

/// `Written by: Mike Rubini` as a name and a value; `None` for a line of prose.
fn property_line(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    let looks_like_a_name = !name.is_empty()
        && name.chars().count() <= 60
        && name.trim_end() == name
        && name.chars().next().is_some_and(char::is_alphanumeric)
        && !name.contains(['*', '`', '[', ']', '<', '>', '#', '|', '\\']);
    let value_follows = (value.is_empty() || value.starts_with(' ')) && !value.contains("](");
    (looks_like_a_name && value_follows).then(|| (name, value.trim()))
}

/// A file or folder name without Notion's ` <32 hex>` page id, and the id.
pub(super) fn split_id(name: &str) -> (&str, Option<&str>) {
    let is_id = |s: &str| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if is_id(name) {
        return ("", Some(name));
    }
    match name.rsplit_once(' ') {
        Some((title, id)) if is_id(id) => (title, Some(id)),
        _ => (name, None),
    }
}

/// For an address of a page in Notion (notion.so or notion.site, ending in a page id or
/// carrying Notion's `?pvs=` mark), the page id, or "" when it names none.
fn notion_url_id(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    if !(host == "notion.so" || host.ends_with(".notion.so") || host.ends_with(".notion.site")) {
        return None;
    }
    let last = parsed
        .path_segments()
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        .unwrap_or_default();
    let compact: String = last.chars().filter(|&c| c != '-').collect();
    let tail = compact
        .len()
        .checked_sub(32)
        .and_then(|start| compact.get(start..))
        .filter(|tail| tail.bytes().all(|b| b.is_ascii_hexdigit()));
    let marked = parsed.query().is_some_and(|q| q.contains("pvs="));
    match tail {
        Some(id) => Some(id.to_lowercase()),
        None => marked.then(String::new),
    }
}

/// What a path or address written in the export leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Found {
    /// A page, by index.
    Page(usize),
    /// A database, by index: its section.
    Database(usize),
    /// Any other file of the export.
    File(String),
    /// An empty "Untitled" page, which is not imported.
    Skipped,
}

/// The pages and databases of the export by path, by Notion id and by title.
struct PageIndex {
    by_path: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
    /// Pages made from a database row alone, which have no file: by folder and title.
    rows_by_title: HashMap<(String, String), usize>,
    databases_by_path: HashMap<String, usize>,
    databases_by_id: HashMap<String, usize>,
    /// The files of empty "Untitled" pages.
    skipped: HashSet<String>,
}

impl PageIndex {
    fn new(pages: &[SourcePage], databases: &[Database], skipped: &[SourcePage]) -> PageIndex {
        let mut index = PageIndex {
            by_path: HashMap::new(),
            by_id: HashMap::new(),
            rows_by_title: HashMap::new(),
            databases_by_path: HashMap::new(),
            databases_by_id: HashMap::new(),
            skipped: skipped.iter().map(|page| page.path.clone()).collect(),
        };
        for (n, page) in pages.iter().enumerate() {
            match page.database {
                Some(d) if page.path == databases[d].csv_path => {
                    let key = (databases[d].folder.clone(), page.title.clone());
                    index.rows_by_title.entry(key).or_insert(n);
                }
                _ => {
                    index.by_path.insert(page.path.clone(), n);
                }
            }
            if let Some(id) = &page.id {
                index.by_id.insert(id.clone(), n);
            }
        }
        for (d, database) in databases.iter().enumerate() {
            for path in [
                database.csv_path.clone(),
                format!("{}.csv", database.folder),
                database.folder.clone(),
            ] {
                index.databases_by_path.insert(path, d);
            }
            if let Some(id) = &database.id {
                index.databases_by_id.insert(id.clone(), d);
            }
        }
        index
    }

    /// The page or database a Notion id names.
    fn by_id(&self, id: &str) -> Option<Found> {
        let id = id.to_lowercase();
        self.by_id
            .get(&id)
            .map(|&n| Found::Page(n))
            .or_else(|| self.databases_by_id.get(&id).map(|&d| Found::Database(d)))
    }

    /// The page, database or file at a path of the export.
    fn at(&self, export: &Export, path: &str) -> Option<Found> {
        if let Some(&n) = self.by_path.get(path) {
            return Some(Found::Page(n));
        }
        if let Some(&d) = self.databases_by_path.get(path) {
            return Some(Found::Database(d));
        }
        if self.skipped.contains(path) {
            return Some(Found::Skipped);
        }
        export.contains(path).then(|| Found::File(path.to_string()))
    }

    /// The page or database a file name names by its id, or by its title in its folder.
    fn by_name(&self, path: &str) -> Option<Found> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let stem = name
            .strip_suffix(".md")
            .or_else(|| name.strip_suffix("_all.csv"))
            .or_else(|| name.strip_suffix(".csv"))
            .unwrap_or(name);
        let (title, id) = split_id(stem);
        if let Some(found) = id.and_then(|id| self.by_id(id)) {
            return Some(found);
        }
        let key = (parent_dir(path).to_string(), title.trim().to_string());
        self.rows_by_title.get(&key).map(|&n| Found::Page(n))
    }
}

/// Finds what the paths written in one page (its body and its properties) lead to.
struct Finder<'a> {
    export: &'a Export,
    index: &'a PageIndex,
    page: &'a SourcePage,
}

impl Finder<'_> {
    /// What a path written in a file of folder `dir` names, tried the ways Notion writes
    /// paths: from `dir`, then from the export's root, each as written, decoded once and
    /// decoded twice, in Unicode NFC (the export's names are NFC too, whatever the zip held);
    /// then a file of the page's own folder with that name; then a page or database by the
    /// id or title in its name.
    fn find(&self, dir: &str, raw: &str) -> Option<Found> {
        let mut candidates: Vec<String> = Vec::new();
        for written in decodings(raw) {
            for base in [dir, ""] {
                if let Some(path) = join(base, &written) {
                    let path: String = path.nfc().collect();
                    if !candidates.contains(&path) {
                        candidates.push(path);
                    }
                }
            }
        }
        candidates
            .iter()
            .find_map(|path| self.index.at(self.export, path))
            .or_else(|| self.in_page_folder(raw).map(Found::File))
            .or_else(|| {
                let written = decodings(raw);
                candidates
                    .iter()
                    .chain(&written)
                    .find_map(|path| self.index.by_name(path))
            })
    }

    /// A file of the page's own folder with the same name as the one written.
    fn in_page_folder(&self, raw: &str) -> Option<String> {
        let path = &self.page.path;
        let folder = path.strip_suffix(".md")?;
        decodings(raw).into_iter().find_map(|decoded| {
            let name = decoded.rsplit('/').next().unwrap_or(&decoded);
            let path: String = format!("{folder}/{name}").nfc().collect();
            self.export.contains(&path).then_some(path)
        })
    }

    /// What a relation's target names: a path written in `dir`, or an address in Notion.
    fn find_relation(&self, dir: &str, target: &str) -> Option<Found> {
        match notion_url_id(target) {
            Some(id) => self.index.by_id(&id),
            None => self.find(dir, target),
        }
        .filter(|found| matches!(found, Found::Page(_) | Found::Database(_)))
    }
}

/// A page's front matter and the files and authors it names, before its body is converted.
struct MappedPage {
    front: FrontMatter,
    cover_file: Option<String>,
    /// Each author's name and slug.
    authors: Vec<(String, String)>,
    assets: Assets,
    /// Each relation property's `extra` key, with the pages it names.
    relations: Vec<(String, Vec<Related>)>,
    /// The property that made the page a draft, with its value.
    draft: Option<String>,
}

/// A page a relation property names.
struct Related {
    title: String,
    /// The page or database, when the export holds it.
    found: Option<Found>,
}

/// Maps a page's properties to front matter through `mapping`; the first property mapped to a
/// key wins, in the mapping's order, and the others go to `extra`.
fn map_properties(
    finder: &Finder,
    mapping: &Mapping,
    known_authors: &KnownAuthors,
    warnings: &mut Vec<Diagnostic>,
) -> MappedPage {
    let page = finder.page;
    let mut mapped = MappedPage {
        front: FrontMatter {
            title: page.title.clone(),
            ..FrontMatter::default()
        },
        cover_file: None,
        authors: Vec::new(),
        assets: Assets::default(),
        relations: Vec::new(),
        draft: None,
    };
    let mut ordered: Vec<(usize, &Property, Option<&Target>)> = page
        .properties
        .iter()
        .filter(|p| !p.value.is_empty())
        .map(|p| match mapping.target(&p.name) {
            Some((rank, target)) => (rank, p, Some(target)),
            None => (usize::MAX, p, None),
        })
        .collect();
    ordered.sort_by_key(|(rank, _, _)| *rank);
    let mut taken = HashSet::new();
    for (_, property, target) in ordered {
        let target = target.filter(|t| taken.insert(front_matter_key(t)));
        let extra = match target {
            None => Some(extra_key(&property.name)),
            Some(Target::Extra(key)) => Some(key.clone()),
            Some(_) => None,
        };
        if let (Some(key), Some(items)) = (&extra, relation_items(&property.value)) {
            let pages = mapped.resolve_relation(finder, property, items, warnings);
            mapped.relations.push((key.clone(), pages));
            continue;
        }
        match target {
            Some(Target::Author) => mapped.set_authors(&property.value, known_authors),
            Some(Target::Cover) => match find_cover(finder, property) {
                Some(cover) => mapped.set_cover(cover, &page.title),
                None => warnings.push(
                    property
                        .warning("names no image in the export; the page has no cover")
                        .hint("export the page with its files (Notion's \"Include files\"), or add a cover by hand"),
                ),
            },
            Some(target) => {
                if let Err(warning) = mapped.front.apply(target, property) {
                    warnings.push(warning);
                }
                let sets_draft = matches!(target, Target::Draft | Target::Published | Target::Status);
                if sets_draft && mapped.front.draft {
                    mapped.draft = Some(format!("{}: {}", property.name, property.value));
                }
            }
            None => {
                let key = extra_key(&property.name);
                let value = extra_value(&property.value);
                mapped.front.extra.entry(key).or_insert(value);
            }
        }
    }
    mapped
}

impl Property {
    /// A warning about this property's value, placed on its line.
    fn warning(&self, problem: &str) -> Diagnostic {
        let message = format!("`{}: {}` {problem}", self.name, self.value);
        let warning = Diagnostic::in_file(&self.file, message);
        match self.line {
            Some(line) => warning.at_line(line),
            None => warning,
        }
    }
}

impl FrontMatter {
    /// Sets the key a property maps to; a value that does not fit is a warning.
    fn apply(&mut self, target: &Target, property: &Property) -> Result<(), Diagnostic> {
        let value = property.value.as_str();
        let flag =
            || yes_no(value).ok_or_else(|| property.warning("is neither Yes nor No; ignored"));
        match target {
            Target::Title => self.title = value.to_string(),
            Target::Description => self.description = Some(value.to_string()),
            Target::Date | Target::Updated => {
                let Some(date) = parse_date(value) else {
                    self.extra
                        .insert(extra_key(&property.name), extra_value(value));
                    return Err(property
                        .warning("is not a date serum can read; kept under `extra`")
                        .hint("write dates like June 27, 2023, 2023-06-27 or 06/27/2023"));
                };
                match target {
                    Target::Date => self.date = Some(date),
                    _ => self.updated = Some(date),
                }
            }
            Target::Tags => {
                self.tags = match relation_items(value) {
                    Some(items) => items.into_iter().map(|(title, _)| title).collect(),
                    None => tag_list(value),
                }
            }
            Target::Slug => self.slug = Some(slugify(value)),
            Target::Noindex => self.noindex = flag()?,
            Target::Draft => self.draft = flag()?,
            Target::Published => self.draft = !flag()?,
            Target::Status if status_is_draft(value) => self.draft = true,
            Target::Status => {
                let key = extra_key(&property.name);
                self.extra.entry(key).or_insert(extra_value(value));
            }
            Target::Extra(key) => {
                self.extra.entry(key.clone()).or_insert(extra_value(value));
            }
            Target::Ignore | Target::Author | Target::Cover => {}
        }
        Ok(())
    }
}

impl MappedPage {
    /// `author` (or `authors`) from a people or relation value, reusing the site's slugs.
    fn set_authors(&mut self, value: &str, known_authors: &KnownAuthors) {
        self.authors = person_names(value)
            .into_iter()
            .map(|name| {
                let slug = known_authors
                    .get(&fold(&name))
                    .cloned()
                    .unwrap_or_else(|| slugify(&name));
                (name, slug)
            })
            .collect();
        let mut slugs: Vec<String> = self.authors.iter().map(|(_, slug)| slug.clone()).collect();
        if slugs.len() == 1 {
            self.front.author = slugs.pop();
        } else {
            self.front.authors = slugs;
        }
    }

    /// `cover`, its alt text derived from the title until the body gives a better one.
    fn set_cover(&mut self, cover: Cover, title: &str) {
        let src = match cover {
            Cover::Url(url) => url,
            Cover::File(file) => {
                let name = self.assets.name_for(&file);
                self.cover_file = Some(file);
                name
            }
        };
        self.front.cover = Some(CoverImage {
            src,
            alt: format!("Cover image for {title}"),
        });
    }

    /// The pages a relation names; one that is not in the export keeps its title, with a
    /// warning.
    fn resolve_relation(
        &self,
        finder: &Finder,
        property: &Property,
        items: Vec<(String, String)>,
        warnings: &mut Vec<Diagnostic>,
    ) -> Vec<Related> {
        let dir = parent_dir(&property.file);
        items
            .into_iter()
            .map(|(title, target)| {
                let found = finder.find_relation(dir, &target);
                if found.is_none() {
                    warnings.push(property.warning(&format!(
                        "names \"{title}\", which is not in the export; kept its title without a link"
                    )));
                }
                Related { title, found }
            })
            .collect()
    }
}

/// The front matter key a target writes, so two properties never both set it.
fn front_matter_key(target: &Target) -> String {
    match target {
        Target::Draft | Target::Published | Target::Status => "draft".into(),
        Target::Extra(key) => format!("extra.{key}"),
        other => format!("{other:?}"),
    }
}

enum Cover {
    Url(String),
    File(String),
}

const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "svg", "avif"];

fn is_image(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| IMAGE_EXTENSIONS.contains(&ext.to_lowercase().as_str()))
}

/// The first image a files property names: a file of the export, or a web address.
fn find_cover(finder: &Finder, property: &Property) -> Option<Cover> {
    let value = property.value.as_str();
    let pieces = std::iter::once(value).chain(value.split(", "));
    for piece in pieces {
        let piece = piece.trim();
        if piece.starts_with("https://") || piece.starts_with("http://") {
            return Some(Cover::Url(piece.to_string()));
        }
        if let Some(Found::File(file)) = finder.find(parent_dir(&property.file), piece) {
            if is_image(&file) {
                return Some(Cover::File(file));
            }
        }
    }
    None
}

/// Every reading of a written path: as written, URL-decoded once, and once more for `%2520`.
fn decodings(raw: &str) -> Vec<String> {
    let mut all = vec![raw.to_string()];
    let once = percent_decode_str(raw).decode_utf8_lossy().into_owned();
    let twice = percent_decode_str(&once).decode_utf8_lossy().into_owned();
    for decoded in [once, twice] {
        if !all.contains(&decoded) {
            all.push(decoded);
        }
    }
    all
}

/// `dir` joined with a relative path, `.` and `..` resolved; `None` if it climbs out.
fn join(dir: &str, relative: &str) -> Option<String> {
    crate::content::resolve_path(&format!("{dir}/{relative}"))
}

pub(super) fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Whether a destination starts with a URI scheme: `tel:`, `mailto:`, `sms:`.
fn has_scheme(destination: &str) -> bool {
    destination.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// Whether an image's alt text is only its file's name or Notion's placeholder, not words.
fn is_placeholder_alt(alt: &str, file: &str) -> bool {
    let name = file.rsplit('/').next().unwrap_or(file);
    let alt = alt.trim();
    alt.is_empty()
        || alt == name
        || file.ends_with(alt)
        || ["notion image", "untitled", "image"].contains(&alt.to_lowercase().as_str())
        || is_image(alt)
}

/// An alt text as Notion may write it, `A%20roller`, decoded when it decodes to text.
fn decode_alt(alt: &str) -> String {
    match percent_decode_str(alt).decode_utf8() {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => alt.to_string(),
    }
}

/// Text put into Markdown as itself: every character Markdown could read as markup escaped.
fn escape_markdown(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_[]<>~|&!#".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Where everything goes under `content/`: each database's section and each page's bundle,
/// every name unique in its folder.
struct Places {
    /// Each database's section folder.
    sections: Vec<String>,
    /// Each page's bundle folder.
    bundles: Vec<String>,
}

impl Places {
    /// A database goes in the section of the database whose folder holds it, or in `section`;
    /// an export that is one database and nothing else is `section` itself. A page goes in
    /// its database's section, or in `section`.
    fn assign(
        databases: &[Database],
        pages: &[SourcePage],
        mapped: &[MappedPage],
        section: &str,
    ) -> Places {
        let mut used: HashMap<String, UniqueIds> = HashMap::new();
        let mut place = |dir: &str, base: &str| {
            let name = used.entry(dir.to_string()).or_default().unique(base);
            format!("{dir}/{name}")
        };
        let only = only_database(databases, pages);
        let mut sections = vec![String::new(); databases.len()];
        // A database's folder is longer than that of the database holding it: parents first.
        let mut order: Vec<usize> = (0..databases.len()).collect();
        order.sort_by_key(|&d| databases[d].folder.len());
        for d in order {
            let database = &databases[d];
            sections[d] = match database.parent {
                None if only == Some(d) => section.to_string(),
                None => place(section, &slugify(&database.title)),
                Some(parent) => {
                    let parent = sections[parent].clone();
                    place(&parent, &slugify(&database.title))
                }
            };
        }
        let bundles = pages
            .iter()
            .zip(mapped)
            .map(|(page, mapped)| {
                let dir = page.database.map_or(section, |d| sections[d].as_str());
                let base = mapped
                    .front
                    .slug
                    .clone()
                    .unwrap_or_else(|| slugify(&mapped.front.title));
                place(dir, &base)
            })
            .collect();
        Places { sections, bundles }
    }

    /// The `@/` link to what was found, when it is a page or a database.
    fn link_to(&self, found: &Found) -> Option<String> {
        match found {
            Found::Page(n) => Some(format!("@/{}/index.md", self.bundles[*n])),
            Found::Database(d) => Some(format!("@/{}/_index.md", self.sections[*d])),
            Found::File(_) | Found::Skipped => None,
        }
    }
}

/// Turns one page's links and images into serum's, as it converts its body.
struct Resolver<'a> {
    finder: Finder<'a>,
    places: &'a Places,
}

impl Resolver<'_> {
    /// The page's bundle: front matter (the cover's alt taken from the body when it has
    /// one, relations as `@/` links), the converted body and the files.
    fn finish_page(
        &self,
        mut state: MappedPage,
        bundle: &str,
        warnings: &mut Vec<Diagnostic>,
    ) -> ImportedPage {
        let body = self.convert_body(&mut state.assets, warnings);
        if let (Some(cover), Some(file)) = (&mut state.front.cover, &state.cover_file) {
            if let Some(alt) = state.assets.alts.get(file) {
                cover.alt = alt.clone();
            }
        }
        if state.front.slug.is_some() {
            state.front.slug = bundle.rsplit('/').next().map(str::to_string);
        }
        for (key, pages) in std::mem::take(&mut state.relations) {
            let list = pages
                .into_iter()
                .map(|Related { title, found }| {
                    let mut reference = toml::Table::new();
                    reference.insert("title".into(), title.into());
                    if let Some(link) = found.and_then(|found| self.places.link_to(&found)) {
                        reference.insert("page".into(), link.into());
                    }
                    toml::Value::Table(reference)
                })
                .collect();
            state
                .front
                .extra
                .entry(key)
                .or_insert(toml::Value::Array(list));
        }
        ImportedPage {
            bundle: bundle.to_string(),
            text: format!("{}{body}", state.front.to_toml()),
            assets: state
                .assets
                .names
                .into_iter()
                .map(|(path, name)| (name, path))
                .collect(),
            draft: state.draft,
        }
    }

    fn convert_body(&self, assets: &mut Assets, warnings: &mut Vec<Diagnostic>) -> String {
        let page = self.finder.page;
        let blocks = convert_blocks(&page.body);
        let body = rewrite_links(&blocks, &mut |site| {
            let (fix, problem) = self.fix_link(site, assets);
            if let Some(message) = problem {
                let (line, column) = line_column(&blocks, site.offset);
                warnings.push(
                    Diagnostic::in_file(&page.path, message).at(line + page.body_line - 1, column),
                );
            }
            fix
        });
        tidy_blank_lines(&body)
    }

    /// What a destination becomes, and what was lost on the way, if anything.
    fn fix_link(&self, site: &LinkSite, assets: &mut Assets) -> (LinkFix, Option<String>) {
        let destination = site.destination;
        if destination.is_empty() || destination.starts_with('#') {
            return (LinkFix::Keep, None);
        }
        if let Some(id) = notion_url_id(destination) {
            return match self
                .finder
                .index
                .by_id(&id)
                .and_then(|f| self.places.link_to(&f))
            {
                Some(link) => (LinkFix::Replace(link), None),
                None => (
                    LinkFix::PlainText,
                    Some(format!(
                        "link to a Notion page that is not in the export; {}",
                        kept_text(site)
                    )),
                ),
            };
        }
        if destination.contains("://") {
            return (LinkFix::Keep, None);
        }
        let path = destination.split('#').next().unwrap_or(destination);
        match self.finder.find(self.finder.page.dir(), path) {
            Some(Found::File(file)) => {
                let name = assets.name_for(&file);
                let alt = decode_alt(site.text.trim());
                if site.is_image && !is_placeholder_alt(&alt, &file) {
                    assets.alts.entry(file).or_insert(alt);
                }
                (LinkFix::Replace(name), None)
            }
            Some(Found::Skipped) => (
                LinkFix::PlainText,
                Some(format!(
                    "link to an empty \"Untitled\" page, which is not imported; {}",
                    kept_text(site)
                )),
            ),
            Some(found) => match self.places.link_to(&found) {
                Some(link) => (LinkFix::Replace(link), None),
                None => (LinkFix::Keep, None),
            },
            None if has_scheme(destination) => (LinkFix::Keep, None),
            None => missing(site, path),
        }
    }
}

/// "kept its text "…" without the link", for a link that goes.
fn kept_text(site: &LinkSite) -> String {
    format!("kept its text \"{}\" without the link", site.text.trim())
}

/// What becomes of a link or image whose file is not in the export: a link keeps its text; an
/// image keeps its alt text, decoded, unless that is only a file name.
fn missing(site: &LinkSite, path: &str) -> (LinkFix, Option<String>) {
    let shown = decodings(path).pop().unwrap_or_default();
    if !site.is_image {
        let message = format!(
            "link to `{shown}`, which is not in the export; {}",
            kept_text(site)
        );
        return (LinkFix::PlainText, Some(message));
    }
    let written = site.text.trim();
    let alt = decode_alt(written);
    if is_placeholder_alt(&alt, &shown) {
        let message = format!("image `{shown}`, which is not in the export; removed it");
        return (LinkFix::Text(String::new()), Some(message));
    }
    let message = format!(
        "image `{shown}`, which is not in the export; kept its alt text \"{alt}\" without the image"
    );
    if alt == written {
        (LinkFix::PlainText, Some(message))
    } else {
        (LinkFix::Text(escape_markdown(&alt)), Some(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ids_come_off_names() {
        assert_eq!(
            split_id("Microneedling What It 0123456789abcdef0123456789abcdef"),
            (
                "Microneedling What It",
                Some("0123456789abcdef0123456789abcdef")
            )
        );
        assert_eq!(split_id("Plain name"), ("Plain name", None));
        assert_eq!(
            notion_url_id("https://www.notion.so/Other-0123456789abcdef0123456789ABCDEF?pvs=21")
                .as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(
            notion_url_id("https://www.notion.so/x?pvs=21").as_deref(),
            Some("")
        );
        assert_eq!(notion_url_id("https://www.notion.so/help"), None);
        assert_eq!(notion_url_id("https://example.com/x"), None);
    }

    #[test]
    fn title_and_property_lines_come_off_the_body() {
        let text = "# Microneedling\n\nDo not index: No\nWritten by: Mike Rubini\n\nNote: this is prose.\n";
        let known = |name: &str| name == "Do not index";
        let page = parse_page("A 0123456789abcdef0123456789abcdef.md", text, &known);
        assert_eq!(page.title, "Microneedling");
        let props: Vec<_> = page
            .properties
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str(), p.line))
            .collect();
        assert_eq!(
            props,
            [
                ("Do not index", "No", Some(3)),
                ("Written by", "Mike Rubini", Some(4))
            ]
        );
        assert_eq!(
            (page.body.as_str(), page.body_line),
            ("Note: this is prose.\n", 6)
        );
        for prose in ["Update: we moved.", "Two: lines\nSee: [a link](x)."] {
            let page = parse_page("B.md", &format!("# B\n\n{prose}\n"), &known);
            assert!(page.properties.is_empty(), "{prose}");
            assert_eq!(page.body_line, 3);
        }
        let single = parse_page("C.md", "# C\n\nDo not index: Yes\n\nText\n", &known);
        assert_eq!(single.properties.len(), 1);
    }

    #[test]
    fn links_with_a_scheme_are_not_paths() {
        for link in ["tel:+15550100", "mailto:a@b.c", "sms:+1", "web+x:y"] {
            assert!(has_scheme(link), "{link}");
        }
        for path in ["C:/x.png", "Notes.md", "a/b:c.md", ":x", "1x:y"] {
            assert!(!has_scheme(path), "{path}");
        }
    }

    #[test]
    fn alt_texts_are_decoded_and_file_names_are_not_alt_texts() {
        assert!(is_placeholder_alt("Untitled", "A/Untitled 1.png"));
        assert!(is_placeholder_alt("shot 1.png", "A/other.png"));
        assert!(is_placeholder_alt("", "A/x.png"));
        assert!(!is_placeholder_alt("A roller on skin", "A/roller.png"));
        assert_eq!(decode_alt("A%20roller"), "A roller");
        assert_eq!(decode_alt("50%BE off"), "50%BE off");
        assert_eq!(
            escape_markdown("a *b* [c] <d>"),
            "a \\*b\\* \\[c\\] \\<d\\>"
        );
    }

    #[test]
    fn paths_join_decode_and_never_climb_out() {
        assert_eq!(join("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(join("", "../c.md"), None);
        assert_eq!(
            decodings("My%2520Page.md"),
            ["My%2520Page.md", "My%20Page.md", "My Page.md"]
        );
        let mut assets = Assets::default();
        assert_eq!(assets.name_for("A/notion image.PNG"), "notion-image.png");
        assert_eq!(assets.name_for("B/notion image.png"), "notion-image-1.png");
        assert_eq!(assets.name_for("A/index.md.txt"), "index-md.txt");
    }
}
