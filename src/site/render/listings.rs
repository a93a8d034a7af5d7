//! Step 9: the pages that list other pages (the home page, sections, authors, tags) and 404.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Outcome, Renderer, Written};
use crate::error::Diagnostics;
use crate::site::KeyHasher;
use crate::view::{self, AuthorRef, AuthorView, SectionView, TagLink};

impl Renderer<'_> {
    /// Renders every listing whose output changed.
    pub(crate) fn write_listings(&self, written: &mut Written, diagnostics: &mut Diagnostics) {
        let lib = &self.site.library;
        let sections = (0..lib.sections.len())
            .into_par_iter()
            .filter(|&i| {
                let template = lib.sections[i].template.as_deref();
                template.is_none_or(|t| self.theme.has_template(t))
            })
            .map(|i| self.write_section(i));
        let authors = (0..lib.authors.len())
            .into_par_iter()
            .map(|i| self.write_author(i));
        let tags = (0..lib.tags.len())
            .into_par_iter()
            .map(|i| self.write_tag(i));
        let mut outcomes: Vec<Outcome> = sections.chain(authors).chain(tags).collect();
        if !lib.tags.is_empty() {
            outcomes.push(self.write_tag_index());
        }
        outcomes.push(self.write_not_found());
        written.add(outcomes, diagnostics);
    }

    /// The key of a list of pages, in order.
    fn pages_key(&self, pages: &[usize]) -> crate::site::Key {
        pages
            .iter()
            .fold(KeyHasher::new(), |h, &p| h.key(self.views.summary_keys[p]))
            .finish()
    }

    /// The values of a list of pages, in order.
    fn pages_value(&self, pages: &[usize]) -> tera::Value {
        tera::Value::from(
            pages
                .iter()
                .map(|&p| self.views.summary(p))
                .collect::<Vec<_>>(),
        )
    }

    /// The home page (section 0) or a section, with its pages.
    fn write_section(&self, index: usize) -> Outcome {
        let site = self.site;
        let lib = &site.library;
        let section = &lib.sections[index];
        let is_home = index == 0;
        let listing = if is_home {
            lib.pages_by_date()
        } else {
            &lib.section_pages[index]
        };
        let view = SectionView::new(
            &site.config,
            lib,
            index,
            self.views.bodies.section_html(index),
            &self.views.bodies.sections[index].rendered.toc,
        );
        let default = if is_home {
            "index.html"
        } else {
            "section.html"
        };
        let template = section.template.as_deref().unwrap_or(default);
        let own = KeyHasher::new()
            .value(&view)
            .key(self.pages_key(listing))
            .finish();
        let shown = section
            .file
            .clone()
            .unwrap_or_else(|| Path::new("content").join(&section.dir));
        let context = || {
            let mut context = tera::Context::new();
            context.insert_value(
                "section",
                view::with_key(
                    tera::Value::from_serializable(&view),
                    "pages",
                    self.pages_value(listing),
                ),
            );
            context
        };
        self.html(
            &format!("{}index.html", section.path),
            self.key(template, own),
            template,
            context,
            &shown,
        )
    }

    /// An author's page, with their articles, newest first.
    fn write_author(&self, index: usize) -> Outcome {
        let site = self.site;
        let lib = &site.library;
        let author = &lib.authors[index];
        let avatar = self.views.links.avatar(author.avatar.as_deref());
        let card = AuthorRef::new(
            &site.config,
            author,
            avatar,
            self.views.bodies.author_html(index),
        );
        let view = AuthorView::new(&site.config, card, author);
        let pages: Vec<usize> = lib
            .pages_by_date()
            .iter()
            .copied()
            .filter(|&p| lib.pages[p].authors.contains(&author.slug))
            .collect();
        let own = KeyHasher::new()
            .value(&view)
            .key(self.pages_key(&pages))
            .finish();
        let context = || {
            let mut context = tera::Context::new();
            context.insert_value(
                "author",
                view::with_key(
                    tera::Value::from_serializable(&view),
                    "pages",
                    self.pages_value(&pages),
                ),
            );
            context
        };
        self.html(
            &format!("{}index.html", author.path),
            self.key("author.html", own),
            "author.html",
            context,
            &author.file,
        )
    }

    /// A tag's page, with its pages, newest first.
    fn write_tag(&self, index: usize) -> Outcome {
        let site = self.site;
        let tag = &site.library.tags[index];
        let link = TagLink::new(&site.config, tag);
        let permalink = site.config.permalink(&tag.path);
        let own = KeyHasher::new()
            .value(&link)
            .key(self.pages_key(&tag.pages))
            .finish();
        let context = || {
            let view = tera::Value::from_serializable(&link);
            let view = view::with_key(view, "permalink", permalink.clone().into());
            let mut context = tera::Context::new();
            context.insert_value(
                "tag",
                view::with_key(view, "pages", self.pages_value(&tag.pages)),
            );
            context
        };
        self.html(
            &format!("{}index.html", tag.path),
            self.key("tag.html", own),
            "tag.html",
            context,
            &PathBuf::from(format!("tags/{}", tag.slug)),
        )
    }

    /// The page listing every tag.
    fn write_tag_index(&self) -> Outcome {
        let site = self.site;
        let all: Vec<TagLink> = site
            .library
            .tags
            .iter()
            .map(|tag| TagLink::new(&site.config, tag))
            .collect();
        let own = KeyHasher::new().value(&all).finish();
        let context = || {
            let mut context = tera::Context::new();
            context.insert("tags", &all);
            context
        };
        self.html(
            "tags/index.html",
            self.key("tags.html", own),
            "tags.html",
            context,
            Path::new("tags/"),
        )
    }

    /// The page a static host shows for a missing URL.
    fn write_not_found(&self) -> Outcome {
        self.html(
            "404.html",
            self.key("404.html", 0),
            "404.html",
            tera::Context::new,
            Path::new("404.html"),
        )
    }
}
