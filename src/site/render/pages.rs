//! Step 8: one HTML file per page.

use rayon::prelude::*;

use super::{Outcome, Renderer, Written};
use crate::error::Diagnostics;
use crate::view::{self, Neighbour, PageBody};

impl Renderer<'_> {
    /// Renders every page whose output changed.
    pub(crate) fn write_pages(&self, written: &mut Written, diagnostics: &mut Diagnostics) {
        let lib = &self.site.library;
        // A page whose template is missing was reported when its front matter was checked.
        let outcomes: Vec<Outcome> = (0..lib.pages.len())
            .into_par_iter()
            .filter(|&i| {
                self.theme
                    .has_template(self.site.page_template(&lib.pages[i]))
            })
            .map(|i| self.write_page(i))
            .collect();
        written.add(outcomes, diagnostics);
    }

    fn write_page(&self, i: usize) -> Outcome {
        let views = self.views;
        let page = &self.site.library.pages[i];
        let body = &views.bodies.pages[i];
        let template = self.site.page_template(page);
        let lib = &self.site.library;
        let config = &self.site.config;
        let (previous, next) = lib.neighbours[i];
        let neighbour = |p: Option<usize>| p.map(|p| Neighbour::new(config, &lib.pages[p]));
        let (previous, next) = (neighbour(previous), neighbour(next));
        let related = &lib.related[i];
        let translations = self.site.translations(
            lib.translations(i).iter().map(|&t| {
                (
                    lib.pages[t].lang,
                    lib.pages[t].title.as_str(),
                    lib.pages[t].path.as_str(),
                )
            }),
            page.lang,
        );
        let own = related
            .iter()
            .fold(
                crate::site::KeyHasher::new()
                    .key(views.summary_keys[i])
                    .key(body.output_key)
                    .value(&page.noindex)
                    .value(&page.show_toc)
                    .value(&page.extra)
                    .value(&previous)
                    .value(&next)
                    .value(&translations),
                |h, &r| h.key(views.summary_keys[r]),
            )
            .finish();
        let key = self.key(template, own, page.lang);
        let context = || {
            let html = views.bodies.take_page_html(self.site, views.links, i);
            let json_ld = views.json_ld(i);
            let toc = if page.show_toc {
                body.rendered.toc.as_slice()
            } else {
                &[]
            };
            let full = PageBody::new(page, &html, toc, &json_ld, &translations);
            let mut full = tera::Value::from_serializable(&full);
            full = view::with_key(full, "previous", tera::Value::from_serializable(&previous));
            full = view::with_key(full, "next", tera::Value::from_serializable(&next));
            let related: Vec<tera::Value> = related.iter().map(|&r| views.summary(r)).collect();
            full = view::with_key(full, "related", tera::Value::from(related));
            let mut context = tera::Context::new();
            context.insert_value("page", view::merged(views.summary(i), full));
            context.insert("translations", &translations);
            context
        };
        self.html(
            (&format!("{}index.html", page.path), page.lang),
            key,
            template,
            context,
            &page.file,
        )
    }
}
