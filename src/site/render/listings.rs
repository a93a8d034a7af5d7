//! Step 9: the pages that list other pages (the home page, sections, authors, taxonomy terms),
//! each over as many pages as `paginate_by` asks; the taxonomies' indexes; 404; and the
//! search page.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Outcome, Renderer, Written};
use crate::config::TAGS;
use crate::error::Diagnostics;
use crate::site::{Key, KeyHasher, search};
use crate::view::{self, AuthorRef, AuthorView, PagerLink, Paginator, SectionView, TermLink};

/// A list of pages, shown over one or more output pages.
struct Listing<'a> {
    /// The site path of its first page (`articles/`); later ones are `articles/page/2/`.
    path: String,
    /// Its pages, in order.
    pages: Vec<usize>,
    /// Articles per output page; 0 shows all on one.
    paginate_by: usize,
    /// The template that renders it.
    template: &'a str,
    /// The content file named in problems.
    source: PathBuf,
    /// The names templates see the listing's view under (`section`; `term` and `tag`).
    names: &'static [&'static str],
    /// The listing's view, without its pages.
    view: tera::Value,
    /// The key of that view.
    view_key: Key,
    /// `paginator.pagers`, the same on each of its pages: made once, when first needed.
    pagers: std::sync::OnceLock<tera::Value>,
    /// Its language.
    lang: usize,
    /// `translations`: the same listing in the other languages (part of `view_key`).
    translations: tera::Value,
}

impl Renderer<'_> {
    /// Renders every listing page whose output changed.
    pub(crate) fn write_listings(&self, written: &mut Written, diagnostics: &mut Diagnostics) {
        let mut listings = self.section_listings();
        listings.extend(self.author_listings());
        listings.extend(self.term_listings());
        let mut jobs: Vec<(&Listing, usize)> = listings
            .iter()
            .flat_map(|listing| (1..=pager_count(listing)).map(move |n| (listing, n)))
            .collect();
        // An article is on ten or so listings (the home page, its section, its author, each
        // of its terms), and its listing view is read for each. Listing pages whose newest
        // article is the same age go one after another, so that those reads find the views
        // in the processor's cache; listing by listing, each read went to memory at 100,000
        // articles, and the step grew faster than the site.
        let lib = &self.site.library;
        jobs.sort_by_cached_key(|&(listing, n)| {
            on_page(listing, n)
                .iter()
                .map(|&p| lib.date_place(p))
                .min()
                // An empty listing's one page goes last.
                .unwrap_or(usize::MAX)
        });
        let mut outcomes: Vec<Outcome> = jobs
            .par_iter()
            .map(|&(listing, n)| self.write_listing_page(listing, n))
            .collect();
        for listing in listings.iter().filter(|l| l.paginate_by > 0) {
            // `page/1/` is the listing itself: a redirect keeps links that count from 1 working.
            let redirect = crate::feed::redirect(&self.site.config, &listing.path);
            let path = format!("{}page/1/index.html", listing.path);
            match self.bytes(&path, redirect.as_bytes()) {
                Ok(outcome) => outcomes.push(outcome),
                Err(problem) => diagnostics.push(problem),
            }
        }
        for t in 0..self.site.library.taxonomies.len() {
            if !self.site.library.taxonomies[t].terms.is_empty() {
                outcomes.push(self.write_taxonomy_index(t));
            }
        }
        for lang in 0..self.site.config.languages.len() {
            outcomes.push(self.write_not_found(lang));
            if self.site.config.search && self.theme.has_template(search::TEMPLATE) {
                outcomes.push(self.write_search_page(lang));
            }
        }
        outcomes.extend(
            self.views
                .take_item_problems()
                .into_iter()
                .map(|(problem, page)| Outcome::Failed(problem, page)),
        );
        written.add(outcomes, diagnostics);
    }

    /// The home page (section 0) and every section whose template exists.
    fn section_listings(&self) -> Vec<Listing<'_>> {
        let site = self.site;
        let lib = &site.library;
        (0..lib.sections.len())
            .filter_map(|index| {
                let section = &lib.sections[index];
                let default = if section.dir.is_empty() {
                    "index.html"
                } else {
                    "section.html"
                };
                let template = section.template.as_deref().unwrap_or(default);
                // A missing template named in `_index.md` was reported when it was checked.
                if section.template.is_some() && !self.theme.has_template(template) {
                    return None;
                }
                let pages = lib.listed_pages(index).to_vec();
                let translations = self.site.translations(
                    (0..site.config.languages.len())
                        .filter_map(|lang| lib.section_index(lang, &section.dir))
                        .map(|s| {
                            (
                                lib.sections[s].lang,
                                lib.sections[s].title.as_str(),
                                lib.sections[s].path.as_str(),
                            )
                        }),
                    section.lang,
                );
                let view = SectionView::new(
                    &site.config,
                    lib,
                    index,
                    self.views.bodies.section_html(index),
                    &self.views.bodies.sections[index].rendered.toc,
                );
                Some(Listing {
                    path: section.path.clone(),
                    pages,
                    paginate_by: section.paginate_by.unwrap_or(site.config.paginate_by),
                    template,
                    source: section
                        .file
                        .clone()
                        .unwrap_or_else(|| Path::new("content").join(&section.dir)),
                    names: &["section"],
                    view_key: KeyHasher::new().value(&view).value(&translations).finish(),
                    view: tera::Value::from_serializable(&view),
                    pagers: Default::default(),
                    lang: section.lang,
                    translations: tera::Value::from_serializable(&translations),
                })
            })
            .collect()
    }

    /// Each author's page, with their articles, newest first.
    fn author_listings(&self) -> Vec<Listing<'_>> {
        let site = self.site;
        let lib = &site.library;
        lib.authors
            .iter()
            .enumerate()
            .map(|(index, author)| {
                let avatar = self.views.links.avatar(author.avatar.as_deref());
                let bio = self.views.bodies.author_html(index);
                let card = AuthorRef::new(&site.config, author, avatar, bio);
                let view = AuthorView::new(&site.config, card, author);
                let translations = self.site.translations(
                    (0..site.config.languages.len())
                        .filter_map(|lang| lib.author(lang, &author.slug))
                        .map(|a| (a.lang, a.name.as_str(), a.path.as_str())),
                    author.lang,
                );
                Listing {
                    path: author.path.clone(),
                    pages: lib.pages_by_author(index).to_vec(),
                    paginate_by: site.config.paginate_by,
                    template: "author.html",
                    source: author.file.clone(),
                    names: &["author"],
                    view_key: KeyHasher::new().value(&view).value(&translations).finish(),
                    view: tera::Value::from_serializable(&view),
                    pagers: Default::default(),
                    lang: author.lang,
                    translations: tera::Value::from_serializable(&translations),
                }
            })
            .collect()
    }

    /// Each term of each taxonomy, with its pages, newest first.
    fn term_listings(&self) -> Vec<Listing<'_>> {
        let site = self.site;
        let config = &site.config;
        let mut listings = Vec::new();
        for taxonomy in &site.library.taxonomies {
            let settings = &config.taxonomies[taxonomy.config];
            let is_tags = taxonomy.name == TAGS;
            let template = if is_tags && self.theme.has_template("tag.html") {
                "tag.html"
            } else {
                "term.html"
            };
            let owner = serde_json::json!({
                "name": taxonomy.name,
                "url": config.url_path(&taxonomy.path),
            });
            for term in &taxonomy.terms {
                let link = TermLink::new(config, term);
                let mut view = serde_json::to_value(&link).unwrap_or_default();
                view["permalink"] = config.permalink(&term.path).into();
                view["taxonomy"] = owner.clone();
                view["feed_url"] = match settings.feed {
                    true => config.url_path(&format!("{}atom.xml", term.path)).into(),
                    false => serde_json::Value::Null,
                };
                listings.push(Listing {
                    path: term.path.clone(),
                    pages: term.pages.clone(),
                    paginate_by: settings.paginate_by.unwrap_or(config.paginate_by),
                    template,
                    source: PathBuf::from(&term.path),
                    names: if is_tags { &["term", "tag"] } else { &["term"] },
                    view_key: KeyHasher::new().value(&view).finish(),
                    view: tera::Value::from_serializable(&view),
                    pagers: Default::default(),
                    lang: taxonomy.lang,
                    translations: tera::Value::from(Vec::<tera::Value>::new()),
                });
            }
        }
        listings
    }

    /// Page `n` (from 1) of a listing.
    fn write_listing_page(&self, listing: &Listing, n: usize) -> Outcome {
        let shown = on_page(listing, n);
        let total = pager_count(listing);
        let url = |i: usize| self.site.config.url_path(&pager_path(&listing.path, i));
        let own = shown
            .iter()
            .fold(
                KeyHasher::new()
                    .key(self.theme.template_key(crate::site::views::ITEM_TEMPLATE))
                    .key(listing.view_key)
                    .number(n as u64)
                    .number(total as u64)
                    .number(listing.pages.len() as u64)
                    .number(listing.paginate_by as u64),
                |h, &p| h.key(self.views.summary_keys[p]),
            )
            .finish();
        let context = || {
            let pages = tera::Value::from(
                shown
                    .iter()
                    .map(|&p| self.views.summary(p))
                    .collect::<Vec<_>>(),
            );
            let paginator =
                Paginator::new(n, total, listing.pages.len(), listing.paginate_by, &url);
            let pagers = listing.pagers.get_or_init(|| {
                let all: Vec<PagerLink> = (1..=total)
                    .map(|index| PagerLink {
                        index,
                        url: url(index),
                    })
                    .collect();
                tera::Value::from_serializable(&all)
            });
            let mut paginator = tera::Value::from_serializable(&paginator);
            paginator = view::with_key(paginator, "pages", pages.clone());
            paginator = view::with_key(paginator, "pagers", pagers.clone());
            let mut context = tera::Context::new();
            let view = view::with_key(listing.view.clone(), "pages", pages);
            for name in listing.names {
                context.insert_value(*name, view.clone());
            }
            context.insert_value("paginator", paginator);
            context.insert_value("translations", listing.translations.clone());
            context
        };
        self.html(
            (
                &format!("{}index.html", pager_path(&listing.path, n)),
                listing.lang,
            ),
            self.key(listing.template, own, listing.lang),
            listing.template,
            context,
            &listing.source,
        )
    }

    /// A taxonomy's page, listing its terms.
    fn write_taxonomy_index(&self, t: usize) -> Outcome {
        let site = self.site;
        let config = &site.config;
        let taxonomy = &site.library.taxonomies[t];
        let terms: Vec<TermLink> = taxonomy
            .terms
            .iter()
            .map(|term| TermLink::new(config, term))
            .collect();
        let is_tags = taxonomy.name == TAGS;
        let template = if is_tags && self.theme.has_template("tags.html") {
            "tags.html"
        } else {
            "taxonomy.html"
        };
        let view = serde_json::json!({
            "name": taxonomy.name,
            "url": config.url_path(&taxonomy.path),
            "permalink": config.permalink(&taxonomy.path),
            "terms": terms,
        });
        let translations = site.translations(
            site.library
                .taxonomies
                .iter()
                .filter(|other| other.config == taxonomy.config && !other.terms.is_empty())
                .map(|other| (other.lang, other.name.as_str(), other.path.as_str())),
            taxonomy.lang,
        );
        let own = KeyHasher::new().value(&view).value(&translations).finish();
        let context = || {
            let mut context = tera::Context::new();
            context.insert("taxonomy", &view);
            context.insert("translations", &translations);
            if is_tags {
                context.insert("tags", &terms);
            }
            context
        };
        self.html(
            (&format!("{}index.html", taxonomy.path), taxonomy.lang),
            self.key(template, own, taxonomy.lang),
            template,
            context,
            Path::new(&taxonomy.path),
        )
    }

    /// The page a static host shows for a missing URL, in language `lang` (`fr/404.html`, for
    /// hosts that can be told to show it under `/fr/`).
    fn write_not_found(&self, lang: usize) -> Outcome {
        let path = format!("{}404.html", self.site.config.languages[lang].prefix);
        self.html(
            (&path, lang),
            self.key("404.html", 0, lang),
            "404.html",
            tera::Context::new,
            Path::new("404.html"),
        )
    }
}

impl Renderer<'_> {
    /// The search page of language `lang`: its results come from the index, in the reader's
    /// browser, so it depends on no page.
    fn write_search_page(&self, lang: usize) -> Outcome {
        let languages = &self.site.config.languages;
        let path = format!("{}{}index.html", languages[lang].prefix, search::PAGE_PATH);
        self.html(
            (&path, lang),
            self.key(search::TEMPLATE, 0, lang),
            search::TEMPLATE,
            tera::Context::new,
            Path::new(&path),
        )
    }
}

/// The pages page `n` (from 1) of a listing shows.
fn on_page<'l>(listing: &'l Listing, n: usize) -> &'l [usize] {
    let per_page = match listing.paginate_by {
        0 => listing.pages.len().max(1),
        per_page => per_page,
    };
    listing
        .pages
        .chunks(per_page)
        .nth(n - 1)
        .unwrap_or_default()
}

/// How many output pages a listing takes: one at least, even when it lists nothing.
fn pager_count(listing: &Listing) -> usize {
    match listing.paginate_by {
        0 => 1,
        per_page => listing.pages.len().div_ceil(per_page).max(1),
    }
}

/// The site path of page `n` of the listing at `path`.
fn pager_path(path: &str, n: usize) -> String {
    match n {
        1 => path.to_string(),
        n => format!("{path}page/{n}/"),
    }
}
