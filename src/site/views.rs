//! Step 6: what templates see of every page (its listing view, made once and shared by every
//! listing that shows it), the values every template sees, and their keys.

use std::sync::OnceLock;

use rayon::prelude::*;

use super::bodies::Bodies;
use super::covers::Covers;
use super::links::Links;
use super::{Key, KeyHasher, Site};
use crate::content::{Author, Page};
use crate::view::{
    self, AuthorRef, ConfigView, CoverView, PageSummary, SiteView, SummaryParts, TagLink,
};

/// The values every template sees: `config`, `site`, `base_path`, `live_reload`.
pub(crate) fn globals(site: &Site) -> tera::Context {
    let mut globals = tera::Context::new();
    globals.insert("config", &ConfigView::new(&site.config));
    globals.insert("site", &SiteView::new(&site.config, &site.library));
    globals.insert("base_path", &site.config.base_path);
    globals.insert("live_reload", &site.options.live_reload);
    globals
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

/// The key of everything every template can see besides its own context: the globals, the
/// static files `asset_url` names, and the theme.
fn globals_key(site: &Site) -> Key {
    let mut hasher = KeyHasher::new()
        .value(&ConfigView::new(&site.config))
        .value(&SiteView::new(&site.config, &site.library))
        .value(&site.options.live_reload);
    if let Some(theme) = &site.theme {
        hasher = hasher.key(theme.assets_key());
    }
    hasher.finish()
}

/// The views of a site's pages and authors, with their keys.
pub(crate) struct Views<'a> {
    pub site: &'a Site,
    pub links: &'a Links<'a>,
    pub bodies: &'a Bodies,
    covers: &'a Covers,
    /// Each author as bylines and cards show them, in library order.
    author_cards: &'a [AuthorRef<'a>],
    /// Each page's listing view.
    summaries: Vec<PageSummary<'a>>,
    /// The key of each page's listing view.
    pub summary_keys: Vec<Key>,
    /// Each page's listing view as a template value, made when first needed.
    values: Vec<OnceLock<tera::Value>>,
    /// The key of what every template sees.
    pub globals_key: Key,
}

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
            summaries: Vec::new(),
            summary_keys: Vec::new(),
            values: Vec::new(),
            globals_key: globals_key(site),
        };
        let summaries: Vec<PageSummary<'a>> = (0..lib.pages.len())
            .into_par_iter()
            .map(|i| views.make_summary(i))
            .collect();
        views.summary_keys = summaries
            .par_iter()
            .map(|s| KeyHasher::new().value(s).finish())
            .collect();
        views.values = (0..summaries.len()).map(|_| OnceLock::new()).collect();
        views.summaries = summaries;
        views
    }

    fn make_summary(&self, i: usize) -> PageSummary<'a> {
        let site = self.site;
        let lib = &site.library;
        let (page, body) = (&lib.pages[i], &self.bodies.pages[i]);
        let parts = SummaryParts {
            section: lib
                .section_index(&page.section)
                .map_or(&lib.sections[0], |s| &lib.sections[s]),
            authors: page
                .authors
                .iter()
                .filter_map(|slug| lib.author_index(slug))
                .map(|a| &self.author_cards[a])
                .collect(),
            cover: self.cover_view(page),
            tags: page
                .tags
                .iter()
                .filter_map(|name| lib.tag(name.trim()))
                .map(|tag| TagLink::new(&site.config, tag))
                .collect(),
        };
        PageSummary::new(&site.config, page, &body.rendered, parts)
    }

    /// A page's listing view as a template value.
    pub(crate) fn summary(&self, i: usize) -> tera::Value {
        self.values[i]
            .get_or_init(|| tera::Value::from_serializable(&self.summaries[i]))
            .clone()
    }

    /// A page's schema.org `Article`, ready for a script element.
    pub(crate) fn json_ld(&self, i: usize) -> String {
        let site = self.site;
        let page = &site.library.pages[i];
        let body = &self.bodies.pages[i];
        let authors: Vec<&Author> = page
            .authors
            .iter()
            .filter_map(|slug| site.library.author(slug))
            .collect();
        let description =
            view::meta_description(page.description.as_deref(), &body.rendered.summary_text);
        let cover = self.cover_view(page);
        let article =
            view::article_json_ld(&site.config, page, &description, &authors, cover.as_ref());
        view::with_shortcode_data(article, &body.rendered.data)
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
        })
    }
}
