//! Step 10: what machines read: Atom and RSS feeds, the sitemap, robots.txt, and a redirect
//! page at every alias.

use std::collections::HashSet;

use super::{Outcome, Renderer, Written};

/// One feed to write: who it follows and its pages, newest first.
struct Feed {
    title: String,
    description: String,
    /// The feed's site path (`atom.xml`, `authors/ann/atom.xml`).
    path: String,
    /// The site path of the page it follows.
    page_path: String,
    pages: Vec<usize>,
    /// RSS rather than Atom.
    rss: bool,
}
use crate::error::{Diagnostic, Diagnostics, Reason};
use crate::feed::{FeedEntry, FeedInfo, SitemapUrl};

impl Renderer<'_> {
    /// The site's feeds, each author's feed, the sitemap and robots.txt.
    pub(crate) fn write_feeds(&self, written: &mut Written, diagnostics: &mut Diagnostics) {
        let mut outcomes = Vec::new();
        let mut push = |result: Result<Outcome, Diagnostic>| match result {
            Ok(outcome) => outcomes.push(outcome),
            Err(problem) => diagnostics.push(problem),
        };
        let config = &self.site.config;
        for feed in self.feeds() {
            let info = FeedInfo {
                title: &feed.title,
                description: &feed.description,
                path: &feed.path,
                page_path: &feed.page_path,
            };
            push(self.write_feed(&info, &feed.pages, feed.rss));
        }
        push(self.bytes("sitemap.xml", self.sitemap().as_bytes()));
        let has_own = self
            .theme
            .static_files()
            .iter()
            .any(|f| f.output_path == "robots.txt");
        if !has_own {
            push(self.bytes("robots.txt", crate::feed::robots(config).as_bytes()));
        }
        written.add(outcomes, diagnostics);
    }

    /// Every feed the site publishes: Atom and RSS of the whole site, and an Atom feed of
    /// each author, each section with `feed = true`, and each term of a taxonomy with it.
    fn feeds(&self) -> Vec<Feed> {
        let lib = &self.site.library;
        let config = &self.site.config;
        let newest = lib.pages_by_date();
        let titled = |name: &str| format!("{}: {name}", config.title);
        let feed = |title: String, description: &str, page_path: &str, pages: Vec<usize>| Feed {
            title,
            description: description.to_string(),
            path: format!("{page_path}atom.xml"),
            page_path: page_path.to_string(),
            pages,
            rss: false,
        };
        let mut feeds = vec![feed(
            config.title.clone(),
            &config.description,
            "",
            newest.to_vec(),
        )];
        feeds.push(Feed {
            path: "rss.xml".into(),
            rss: true,
            ..feed(
                config.title.clone(),
                &config.description,
                "",
                newest.to_vec(),
            )
        });
        for (i, section) in lib.sections.iter().enumerate().filter(|(_, s)| s.feed) {
            let pages = if i == 0 {
                newest
            } else {
                &lib.section_pages[i]
            };
            let description = section
                .description
                .as_deref()
                .unwrap_or(&config.description);
            feeds.push(feed(
                titled(&section.title),
                description,
                &section.path,
                pages.to_vec(),
            ));
        }
        for (t, taxonomy) in lib.taxonomies.iter().enumerate() {
            for term in taxonomy.terms.iter().filter(|_| config.taxonomies[t].feed) {
                feeds.push(feed(
                    titled(&term.name),
                    &config.description,
                    &term.path,
                    term.pages.clone(),
                ));
            }
        }
        for author in &lib.authors {
            let theirs = newest
                .iter()
                .copied()
                .filter(|&i| lib.pages[i].authors.contains(&author.slug))
                .collect();
            feeds.push(feed(
                titled(&author.name),
                &config.description,
                &author.path,
                theirs,
            ));
        }
        feeds
    }

    /// One feed of the newest dated, indexable pages of `ids` (newest first).
    fn write_feed(&self, info: &FeedInfo, ids: &[usize], rss: bool) -> Result<Outcome, Diagnostic> {
        let lib = &self.site.library;
        let views = self.views;
        let chosen: Vec<usize> = ids
            .iter()
            .copied()
            .filter(|&i| {
                let page = &lib.pages[i];
                page.date.is_some() && !page.noindex && !page.draft
            })
            .take(self.site.config.feed_limit)
            .collect();
        let key = chosen
            .iter()
            .fold(
                crate::site::KeyHasher::new()
                    .text(info.title)
                    .text(info.description)
                    .text(info.page_path)
                    .text(&self.site.config.base_url)
                    .text(&self.site.config.language),
                |h, &i| {
                    h.key(views.summary_keys[i])
                        .key(views.bodies.pages[i].output_key)
                },
            )
            .finish();
        if self.output.reuse(info.path, key) {
            return Ok(Outcome::Kept);
        }
        let contents: Vec<_> = chosen
            .iter()
            .map(|&i| views.bodies.page_html(self.site, views.links, i))
            .collect();
        let entries: Vec<FeedEntry> = chosen
            .iter()
            .zip(&contents)
            .filter_map(|(&i, content)| {
                let page = &lib.pages[i];
                let date = page.date?;
                Some(FeedEntry {
                    page,
                    date,
                    updated: page.updated.unwrap_or(date).at_most(self.site.now),
                    summary: &views.bodies.pages[i].rendered.summary_html,
                    content,
                    authors: page
                        .authors
                        .iter()
                        .filter_map(|slug| lib.author(slug))
                        .map(|a| a.name.as_str())
                        .collect(),
                })
            })
            .collect();
        let text = if rss {
            crate::feed::rss(&self.site.config, info, &entries)?
        } else {
            crate::feed::atom(&self.site.config, info, &entries)?
        };
        self.output.write(info.path, key, text.as_bytes())?;
        Ok(Outcome::Written)
    }

    /// `sitemap.xml` of every indexable page, with when each last changed.
    fn sitemap(&self) -> String {
        let lib = &self.site.library;
        let lastmod = |ids: &mut dyn Iterator<Item = &usize>| {
            ids.filter_map(|&i| {
                let page = &lib.pages[i];
                page.updated
                    .or(page.date)
                    .filter(|_| !page.noindex && !page.draft)
                    .map(|d| d.at_most(self.site.now))
            })
            .max_by_key(|d| d.sort_key())
            .map(|d| d.civil_date().to_string())
        };
        let mut urls = Vec::new();
        for (i, section) in lib.sections.iter().enumerate() {
            let ids = if i == 0 {
                lib.pages_by_date()
            } else {
                &lib.section_pages[i]
            };
            urls.push(SitemapUrl {
                path: section.path.clone(),
                lastmod: lastmod(&mut ids.iter()),
            });
        }
        for page in lib.pages.iter().filter(|p| !p.noindex && !p.draft) {
            urls.push(SitemapUrl {
                path: page.path.clone(),
                lastmod: page
                    .updated
                    .or(page.date)
                    .map(|d| d.at_most(self.site.now).civil_date().to_string()),
            });
        }
        for author in &lib.authors {
            let ids: Vec<usize> = (0..lib.pages.len())
                .filter(|&i| lib.pages[i].authors.contains(&author.slug))
                .collect();
            urls.push(SitemapUrl {
                path: author.path.clone(),
                lastmod: lastmod(&mut ids.iter()),
            });
        }
        for taxonomy in lib.taxonomies.iter().filter(|t| !t.terms.is_empty()) {
            urls.push(SitemapUrl {
                path: taxonomy.path.clone(),
                lastmod: None,
            });
            for term in &taxonomy.terms {
                urls.push(SitemapUrl {
                    path: term.path.clone(),
                    lastmod: lastmod(&mut term.pages.iter()),
                });
            }
        }
        urls.sort_by(|a, b| a.path.cmp(&b.path));
        crate::feed::sitemap(&self.site.config, &urls)
    }

    /// Whether a file lies where the search index is published.
    fn is_search_index(&self, file: &str) -> bool {
        self.site.config.search && file.starts_with(crate::site::search::INDEX_DIR)
    }

    /// A redirect page at each old URL a page lists in `aliases`.
    pub(crate) fn write_aliases(&self, written: &mut Written, diagnostics: &mut Diagnostics) {
        let lib = &self.site.library;
        let mut taken: HashSet<String> = lib
            .pages
            .iter()
            .map(|p| p.path.as_str())
            .chain(lib.sections.iter().map(|s| s.path.as_str()))
            .chain(lib.authors.iter().map(|a| a.path.as_str()))
            .chain(
                lib.taxonomies
                    .iter()
                    .filter(|t| !t.terms.is_empty())
                    .flat_map(|t| {
                        std::iter::once(t.path.as_str())
                            .chain(t.terms.iter().map(|x| x.path.as_str()))
                    }),
            )
            .map(|path| format!("{path}index.html"))
            .chain(
                self.site
                    .config
                    .search
                    .then(|| format!("{}index.html", crate::site::search::PAGE_PATH)),
            )
            .chain(
                [
                    "404.html",
                    "atom.xml",
                    "rss.xml",
                    "sitemap.xml",
                    "robots.txt",
                ]
                .map(String::from),
            )
            .collect();
        let mut outcomes = Vec::new();
        for page in &lib.pages {
            for alias in &page.aliases {
                match crate::feed::alias_file(alias) {
                    // `insert` is false when the path is taken, by a page or by an earlier alias.
                    Some(file) if !taken.insert(file.clone()) || self.is_search_index(&file) => diagnostics.push(
                        page.key_problem(
                            "aliases",
                            format!(
                                "the alias `{alias}` is already the URL of another page or alias"
                            ),
                        )
                        .because(Reason::UrlCollision)
                        .hint("remove the alias, or move the other page"),
                    ),
                    Some(file) => {
                        let html = crate::feed::redirect(&self.site.config, &page.path);
                        match self.bytes(&file, html.as_bytes()) {
                            Ok(outcome) => outcomes.push(outcome),
                            Err(problem) => diagnostics.push(problem),
                        }
                    }
                    None => diagnostics.push(
                        page.key_problem(
                            "aliases",
                            format!("the alias `{alias}` is not a path inside the site"),
                        )
                        .because(Reason::UrlCollision)
                        .hint("write aliases as paths such as \"/old/url/\""),
                    ),
                }
            }
        }
        written.add(outcomes, diagnostics);
    }
}
