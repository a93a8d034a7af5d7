//! Step 6: what templates see of every page (its listing view, made once and shared by every
//! listing that shows it), the values every template sees, and their keys.

use std::collections::HashMap;

use rayon::prelude::*;

use super::bodies::Bodies;
use super::images::{Covers, ImageUse};
use super::links::Links;
use super::{Key, KeyHasher, Site};
use crate::content::{Author, Page};
use crate::view::{
    self, AuthorRef, ConfigView, CoverView, PageSummary, SiteView, SummaryParts, TermLink,
};

/// The values every template sees: `config`, `site` and `lang` of the default language,
/// `base_path`, `live_reload`.
pub(crate) fn globals(site: &Site) -> tera::Context {
    let mut globals = tera::Context::new();
    globals.insert("config", &ConfigView::new(&site.config, 0));
    globals.insert("site", &SiteView::new(&site.config, &site.library, 0));
    globals.insert("lang", &site.config.language);
    globals.insert("home_path", &site.config.base_path);
    globals.insert("base_path", &site.config.base_path);
    globals.insert("live_reload", &site.options.live_reload);
    globals
}

/// What every template in one language sees: `lang`, `home_path` (its home page's URL), and
/// that language's `config` and `site`.
pub(crate) struct LanguageValues {
    lang: tera::Value,
    home_path: tera::Value,
    config: tera::Value,
    site: tera::Value,
}

/// The values of each language, in the configuration's order.
pub(crate) fn language_values(site: &Site) -> Vec<LanguageValues> {
    (0..site.config.languages.len())
        .map(|lang| LanguageValues {
            lang: tera::Value::from(site.config.languages[lang].code.as_str()),
            home_path: tera::Value::from(
                site.config
                    .url_path(&site.config.languages[lang].prefix)
                    .as_str(),
            ),
            config: tera::Value::from_serializable(&ConfigView::new(&site.config, lang)),
            site: tera::Value::from_serializable(&SiteView::new(&site.config, &site.library, lang)),
        })
        .collect()
}

impl Site {
    /// Puts the values of language `lang` into a context: templates then render in it.
    pub(crate) fn in_language(&self, context: &mut tera::Context, lang: usize) {
        if let Some(values) = self.languages.get(lang) {
            context.insert_value("lang", values.lang.clone());
            context.insert_value("home_path", values.home_path.clone());
            context.insert_value("config", values.config.clone());
            context.insert_value("site", values.site.clone());
        }
    }

    /// The code of language `lang`.
    pub(crate) fn language_code(&self, lang: usize) -> &str {
        self.config
            .languages
            .get(lang)
            .map_or(self.config.language.as_str(), |l| l.code.as_str())
    }

    /// Each version of something that exists in several languages, in the order of the
    /// languages: `(language, title, path)` of each, `current` the one shown.
    pub(crate) fn translations<'a>(
        &'a self,
        versions: impl Iterator<Item = (usize, &'a str, &'a str)>,
        current: usize,
    ) -> Vec<view::Translation<'a>> {
        let list: Vec<view::Translation> = versions
            .map(|(lang, title, path)| view::Translation {
                lang: self.language_code(lang),
                title,
                url: self.config.url_path(path),
                permalink: self.config.permalink(path),
                current: lang == current,
                default: lang == 0,
            })
            .collect();
        // One version alone has nothing to link to.
        if list.len() < 2 { Vec::new() } else { list }
    }
}

/// Each author as bylines and cards show them, in library order.
pub(crate) fn author_cards<'a>(
    site: &'a Site,
    links: &Links,
    bodies: &'a Bodies,
) -> Vec<AuthorRef<'a>> {
    site.library
        .authors
        .iter()
        .enumerate()
        .map(|(i, author)| {
            let avatar = links.avatar(author.avatar.as_deref());
            AuthorRef::new(&site.config, author, avatar, bodies.author_html(i))
        })
        .collect()
}

/// The key of everything every template in language `lang` can see besides its own
/// context: the globals, the static files `asset_url` names, and the theme's strings.
fn globals_key(site: &Site, lang: usize) -> Key {
    let mut hasher = KeyHasher::new()
        .value(&ConfigView::new(&site.config, lang))
        .value(&SiteView::new(&site.config, &site.library, lang))
        .value(&site.options.live_reload);
    if let Some(theme) = &site.theme {
        hasher = hasher
            .key(theme.assets_key())
            .key(theme.strings_key(site.language_code(lang)));
    }
    hasher.finish()
}

/// The values many pages' views repeat, made once: each author's card and each term's link.
struct SharedValues<'a> {
    library: &'a crate::content::Library,
    /// By author, in the library's order (each language's authors apart).
    authors: Vec<tera::Value>,
    /// By taxonomy (each language's apart), then term, in the library's order.
    terms: Vec<Vec<tera::Value>>,
}

impl<'a> SharedValues<'a> {
    fn new(site: &'a Site, author_cards: &[AuthorRef]) -> Self {
        let lib = &site.library;
        let term_values = |taxonomy: &'a crate::content::Taxonomy| {
            let links = taxonomy
                .terms
                .iter()
                .map(|t| TermLink::new(&site.config, t));
            links.map(|l| tera::Value::from_serializable(&l)).collect()
        };
        SharedValues {
            library: lib,
            authors: author_cards
                .iter()
                .map(tera::Value::from_serializable)
                .collect(),
            terms: lib.taxonomies.iter().map(term_values).collect(),
        }
    }

    /// A page's summary value with its authors and terms swapped for the shared values: the
    /// same content, held once for the whole site.
    fn lean(&self, page: &Page, value: tera::Value) -> tera::Value {
        let lib = self.library;
        let mut map = value.into_map().unwrap_or_default();
        let mut taxonomies = tera::Map::default();
        // The page's language's taxonomies, and where they start in the whole list.
        let first = lib.taxonomies.partition_point(|t| t.lang < page.lang);
        for (t, taxonomy) in lib.taxonomies_of(page.lang).iter().enumerate() {
            let shared = &self.terms[first + t];
            let terms: Vec<tera::Value> = page
                .terms(t)
                .iter()
                .filter_map(|name| taxonomy.term_index(name))
                .filter_map(|term| shared.get(term).cloned())
                .collect();
            let terms = tera::Value::from(terms);
            if t == 0 {
                map.insert("tags".into(), terms.clone());
            }
            taxonomies.insert(taxonomy.name.clone().into(), terms);
        }
        map.insert("taxonomies".into(), tera::Value::from(taxonomies));
        let authors: Vec<tera::Value> = page
            .authors
            .iter()
            .filter_map(|slug| lib.author_index(page.lang, slug))
            .filter_map(|a| self.authors.get(a).cloned())
            .collect();
        let byline_key: tera::value::Key = "byline".into();
        if let Some(byline) = map.remove(&byline_key) {
            let byline = view::with_key(byline, "authors", tera::Value::from(authors));
            map.insert(byline_key, byline);
        }
        tera::Value::from(map)
    }
}

/// The views of a site's pages and authors, with their keys.
pub(crate) struct Views<'a> {
    pub site: &'a Site,
    pub links: &'a Links<'a>,
    pub bodies: &'a Bodies,
    covers: &'a Covers,
    /// Each author as bylines and cards show them, in library order.
    author_cards: &'a [AuthorRef<'a>],
    /// The key of each page's listing view.
    pub summary_keys: Vec<Key>,
    /// Each page's listing view as a template value, made the first time an output that is
    /// rendered asks for it: a rebuild that keeps most listings makes few. The parts many
    /// pages show alike (an author's card, a term's link) are one value each, shared by every
    /// page that shows it. With it, the image copies its listing item asked for.
    values: Vec<std::sync::OnceLock<(tera::Value, Vec<ImageUse>)>>,
    shared: SharedValues<'a>,
    /// The theme, when it renders listing items.
    item_theme: Option<&'a crate::theme::Theme>,
    /// The key of what every template sees, for each language.
    pub globals_keys: Vec<Key>,
    /// Problems rendering pages' listing items, with the page each was for.
    item_problems: std::sync::Mutex<Vec<(crate::error::Diagnostic, std::path::PathBuf)>>,
}

/// Every page's listing view, once the build is done with them.
pub(crate) struct ListingValues(Vec<std::sync::OnceLock<(tera::Value, Vec<ImageUse>)>>);

impl ListingValues {
    /// Frees them on every core: freed one after another on one, the 100,000 of a large site
    /// took 0.3 s at the end of its build.
    pub(crate) fn free(self) {
        self.0.into_par_iter().for_each(drop);
    }
}

/// The template that renders one page as listings show it, once per page, when the theme has
/// it: every listing then repeats the HTML instead of rendering it again.
pub(crate) const ITEM_TEMPLATE: &str = "partials/page-item.html";

impl<'a> Views<'a> {
    /// Makes every page's listing view and its key, in parallel.
    pub(crate) fn new(
        site: &'a Site,
        links: &'a Links<'a>,
        bodies: &'a Bodies,
        covers: &'a Covers,
        author_cards: &'a [AuthorRef<'a>],
    ) -> Self {
        let lib = &site.library;
        let mut views = Views {
            site,
            links,
            bodies,
            covers,
            author_cards,
            summary_keys: Vec::new(),
            values: (0..lib.pages.len()).map(|_| Default::default()).collect(),
            shared: SharedValues::new(site, author_cards),
            item_theme: site
                .theme
                .as_ref()
                .filter(|t| t.has_template(ITEM_TEMPLATE)),
            globals_keys: (0..site.config.languages.len())
                .map(|lang| globals_key(site, lang))
                .collect(),
            item_problems: Default::default(),
        };
        views.summary_keys = (0..lib.pages.len())
            .into_par_iter()
            .map(|i| KeyHasher::new().value(&views.make_summary(i)).finish())
            .collect();
        if let Some(theme) = site.theme.as_ref().filter(|t| t.uses_site_functions()) {
            // Templates that look up other pages depend on all of them.
            let index = SiteIndex::key(&views);
            for key in &mut views.globals_keys {
                *key = KeyHasher::new().key(*key).key(index).finish();
            }
            theme.set_lookup(std::sync::Arc::new(SiteIndex::new(&views)));
        }
        views
    }

    /// Every page's listing view, which outlives what the views borrow.
    pub(crate) fn into_values(self) -> ListingValues {
        ListingValues(self.values)
    }

    fn make_summary(&self, i: usize) -> PageSummary<'a> {
        let site = self.site;
        let lib = &site.library;
        let (page, body) = (&lib.pages[i], &self.bodies.pages[i]);
        let parts = SummaryParts {
            section: lib
                .section_index(page.lang, &page.section)
                .map_or(&lib.sections[0], |s| &lib.sections[s]),
            authors: page
                .authors
                .iter()
                .filter_map(|slug| lib.author_index(page.lang, slug))
                .map(|a| &self.author_cards[a])
                .collect(),
            cover: self.cover_view(page),
            lang: site.language_code(page.lang),
            taxonomies: lib
                .taxonomies_of(page.lang)
                .iter()
                .enumerate()
                .map(|(t, taxonomy)| {
                    let terms = page
                        .terms(t)
                        .iter()
                        .filter_map(|name| taxonomy.term(name))
                        .map(|term| TermLink::new(&site.config, term))
                        .collect();
                    (taxonomy.name.as_str(), terms)
                })
                .collect(),
        };
        PageSummary::new(&site.config, page, &body.rendered, parts)
    }

    /// A page's listing view as a template value, with its listing item as `item` when the
    /// theme renders one.
    pub(crate) fn summary(&self, i: usize) -> tera::Value {
        let (value, uses) =
            self.values[i].get_or_init(|| super::images::collecting(|| self.make_value(i)));
        // Every output that shows the item asks for its image copies, not only the first one
        // to render it: a later build that keeps any of them keeps the copies too.
        super::images::add_uses(uses);
        value.clone()
    }

    fn make_value(&self, i: usize) -> tera::Value {
        let summary = tera::Value::from_serializable(&self.make_summary(i));
        let value = self.shared.lean(&self.site.library.pages[i], summary);
        match self.item_theme {
            Some(theme) => self.with_item(theme, i, value),
            None => value,
        }
    }

    fn with_item(&self, theme: &crate::theme::Theme, i: usize, value: tera::Value) -> tera::Value {
        let mut context = tera::Context::new();
        self.site
            .in_language(&mut context, self.site.library.pages[i].lang);
        context.insert_value("p", value.clone());
        match theme.render(ITEM_TEMPLATE, &context) {
            Ok(html) => crate::view::with_key(value, "item", tera::Value::safe_string(&html)),
            Err(problem) => {
                let page = self.site.library.pages[i].file.clone();
                self.item_problems
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((problem, page));
                value
            }
        }
    }

    /// The problems met rendering listing items.
    pub(crate) fn take_item_problems(&self) -> Vec<(crate::error::Diagnostic, std::path::PathBuf)> {
        std::mem::take(&mut *self.item_problems.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// A page's schema.org `Article`, ready for a script element.
    pub(crate) fn json_ld(&self, i: usize) -> String {
        let site = self.site;
        let page = &site.library.pages[i];
        let body = &self.bodies.pages[i];
        let authors: Vec<&Author> = page
            .authors
            .iter()
            .filter_map(|slug| site.library.author(page.lang, slug))
            .collect();
        let description =
            view::meta_description(page.description.as_deref(), &body.rendered.summary_text);
        let cover = self.cover_view(page);
        let article =
            view::article_json_ld(&site.config, page, &description, &authors, cover.as_ref());
        view::with_shortcode_data(article, &body.rendered.data)
    }

    /// Page `i`'s cover with its URLs and, for local files, its size and copies.
    pub(crate) fn cover(&self, i: usize) -> Option<CoverView<'a>> {
        self.cover_view(&self.site.library.pages[i])
    }

    /// A page's cover with its URLs and, for local files, its size and copies.
    fn cover_view(&self, page: &'a Page) -> Option<CoverView<'a>> {
        let config = &self.site.config;
        let cover = page.cover.as_ref()?;
        let src = self.links.url_of(&cover.src, &page.dir)?;
        let source = self
            .links
            .asset(&cover.src, &page.dir)
            .map(|a| a.source.as_path());
        let size = source.and_then(crate::images::dimensions);
        let copies = source
            .and_then(|s| self.covers.get(s))
            .cloned()
            .unwrap_or_default();
        let permalink = config.absolute_url(&src);
        Some(CoverView {
            social: copies
                .social
                .map(|url| config.absolute_url(&url))
                .unwrap_or_else(|| permalink.clone()),
            permalink,
            src,
            alt: cover.alt.as_deref().unwrap_or_default(),
            caption: cover.caption.as_deref(),
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            srcset: copies.srcset,
            webp_srcset: copies.webp_srcset,
        })
    }
}

/// What `get_page`, `get_section` and `get_taxonomy` answer: every page, section and
/// taxonomy as listings show them, made only when a template calls one of them.
pub(crate) struct SiteIndex {
    pages: HashMap<String, tera::Value>,
    sections: HashMap<String, tera::Value>,
    taxonomies: HashMap<String, tera::Value>,
}

impl SiteIndex {
    /// Indexes every view of a site.
    pub(crate) fn new(views: &Views) -> SiteIndex {
        let site = views.site;
        let lib = &site.library;
        let config = &site.config;
        let pages: HashMap<String, tera::Value> = lib
            .pages
            .iter()
            .enumerate()
            .map(|(i, page)| (page.content_path.clone(), views.summary(i)))
            .collect();
        let list = |ids: &[usize]| {
            tera::Value::from(ids.iter().map(|&i| views.summary(i)).collect::<Vec<_>>())
        };
        let sections = lib
            .sections
            .iter()
            .enumerate()
            .filter_map(|(i, section)| {
                let file = section.file.as_ref()?;
                let key = file.strip_prefix("content").unwrap_or(file);
                let ids = lib.listed_pages(i);
                let view = crate::view::SectionView::new(
                    config,
                    lib,
                    i,
                    views.bodies.section_html(i),
                    &views.bodies.sections[i].rendered.toc,
                );
                let value = crate::view::with_key(
                    tera::Value::from_serializable(&view),
                    "pages",
                    list(ids),
                );
                Some((key.to_string_lossy().into_owned(), value))
            })
            .collect();
        let taxonomies = lib
            .taxonomies
            .iter()
            .map(|taxonomy| {
                let terms: Vec<tera::Value> = taxonomy
                    .terms
                    .iter()
                    .map(|term| {
                        let link = tera::Value::from_serializable(&TermLink::new(config, term));
                        crate::view::with_key(link, "pages", list(&term.pages))
                    })
                    .collect();
                let view = serde_json::json!({
                    "name": taxonomy.name,
                    "url": config.url_path(&taxonomy.path),
                });
                let value = crate::view::with_key(
                    tera::Value::from_serializable(&view),
                    "terms",
                    tera::Value::from(terms),
                );
                let code = site.language_code(taxonomy.lang);
                (format!("{code}/{}", taxonomy.name), value)
            })
            .collect();
        SiteIndex {
            pages,
            sections,
            taxonomies,
        }
    }

    /// The key of everything the index holds: the outputs of templates that look things up
    /// depend on all of it.
    pub(crate) fn key(views: &Views) -> Key {
        let lib = &views.site.library;
        let mut hasher = views
            .summary_keys
            .iter()
            .fold(KeyHasher::new(), |h, &k| h.key(k));
        for (section, body) in lib.sections.iter().zip(&views.bodies.sections) {
            hasher = hasher
                .text(&section.title)
                .value(&section.description)
                .value(&section.extra)
                .text(&body.rendered.html);
        }
        for ids in &lib.section_pages {
            hasher = hasher.value(ids);
        }
        for taxonomy in &lib.taxonomies {
            for term in &taxonomy.terms {
                hasher = hasher.text(&term.name).value(&term.pages);
            }
        }
        hasher.finish()
    }
}

impl crate::theme::SiteLookup for SiteIndex {
    fn page(&self, path: &str) -> Option<tera::Value> {
        self.pages.get(path).cloned()
    }

    fn section(&self, path: &str) -> Option<tera::Value> {
        self.sections.get(path).cloned()
    }

    fn taxonomy(&self, name: &str) -> Option<tera::Value> {
        self.taxonomies.get(name).cloned()
    }
}
