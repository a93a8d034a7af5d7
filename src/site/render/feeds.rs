//! Step 10: what machines read: Atom and RSS feeds, the sitemap, robots.txt, and a redirect
//! page at every alias.

use std::collections::HashSet;

use rayon::prelude::*;

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
    /// The language of its pages.
    lang: usize,
}
use crate::error::{Diagnostic, Diagnostics, Reason};
use crate::feed::{FeedEntry, FeedInfo, SitemapLimits, SitemapUrl};

impl Renderer<'_> {
    /// The site's feeds, each author's feed, the sitemap and robots.txt; returns the paths of
    /// the sitemap's files, which aliases may not take.
    pub(crate) fn write_feeds(
        &self,
        written: &mut Written,
        diagnostics: &mut Diagnostics,
    ) -> Vec<String> {
        let config = &self.site.config;
        let write_feed = |feed: &Feed| {
            let info = FeedInfo {
                title: &feed.title,
                description: &feed.description,
                path: &feed.path,
                page_path: &feed.page_path,
                language: self.site.language_code(feed.lang),
            };
            self.write_feed(&info, &feed.pages, feed.rss)
        };
        // The sitemap, one thread's work that grows with the site, is made beside the feeds.
        let (sitemaps, mut results) = rayon::join(
            || crate::feed::sitemaps(config, &self.sitemap_urls(), SitemapLimits::PROTOCOL),
            || self.feeds().par_iter().map(write_feed).collect::<Vec<_>>(),
        );
        results.extend(
            sitemaps
                .iter()
                .map(|(path, xml)| self.bytes(path, xml.as_bytes())),
        );
        let has_own = self
            .theme
            .static_files()
            .iter()
            .any(|f| f.output_path == "robots.txt");
        if !has_own {
            results.push(self.bytes("robots.txt", crate::feed::robots(config).as_bytes()));
        }
        let mut outcomes = Vec::new();
        for result in results {
            match result {
                Ok(outcome) => outcomes.push(outcome),
                Err(problem) => diagnostics.push(problem),
            }
        }
        written.add(outcomes, diagnostics);
        sitemaps.into_iter().map(|(path, _)| path).collect()
    }

    /// Every feed the site publishes: Atom and RSS of the whole site in each language
    /// (`atom.xml`, `fr/atom.xml`), and an Atom feed of each author, each section with
    /// `feed = true`, and each term of a taxonomy with it, in its language.
    fn feeds(&self) -> Vec<Feed> {
        let lib = &self.site.library;
        let config = &self.site.config;
        let feed =
            |lang: usize, title: String, description: &str, page_path: &str, pages: Vec<usize>| {
                Feed {
                    title,
                    description: description.to_string(),
                    path: format!("{page_path}atom.xml"),
                    page_path: page_path.to_string(),
                    pages,
                    rss: false,
                    lang,
                }
            };
        let language = |lang: usize| &config.languages[lang];
        let titled = |lang: usize, name: &str| format!("{}: {name}", language(lang).title);
        let mut feeds = Vec::new();
        for (lang, l) in config.languages.iter().enumerate() {
            let newest = lib.pages_by_date(lang);
            feeds.push(feed(
                lang,
                l.title.clone(),
                &l.description,
                &l.prefix,
                newest.to_vec(),
            ));
            feeds.push(Feed {
                path: format!("{}rss.xml", l.prefix),
                rss: true,
                ..feed(
                    lang,
                    l.title.clone(),
                    &l.description,
                    &l.prefix,
                    newest.to_vec(),
                )
            });
        }
        for (i, section) in lib.sections.iter().enumerate().filter(|(_, s)| s.feed) {
            let description = section
                .description
                .as_deref()
                .unwrap_or(&language(section.lang).description);
            feeds.push(feed(
                section.lang,
                titled(section.lang, &section.title),
                description,
                &section.path,
                lib.listed_pages(i).to_vec(),
            ));
        }
        for taxonomy in &lib.taxonomies {
            let wanted = config.taxonomies[taxonomy.config].feed;
            for term in taxonomy.terms.iter().filter(|_| wanted) {
                feeds.push(feed(
                    taxonomy.lang,
                    titled(taxonomy.lang, &term.name),
                    &language(taxonomy.lang).description,
                    &term.path,
                    term.pages.clone(),
                ));
            }
        }
        for (index, author) in lib.authors.iter().enumerate() {
            feeds.push(feed(
                author.lang,
                titled(author.lang, &author.name),
                &language(author.lang).description,
                &author.path,
                lib.pages_by_author(index).to_vec(),
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
                        .filter_map(|slug| lib.author(page.lang, slug))
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

    /// What the sitemap lists: every indexable page, with when each last changed.
    fn sitemap_urls(&self) -> Vec<SitemapUrl<'_>> {
        let lib = &self.site.library;
        let indexable = |p: &crate::content::Page| !p.noindex && !p.draft;
        // Each indexable page's last change, as its moment and its calendar date, worked out
        // once: sections, authors and terms take the latest of their pages', about ten
        // lookups per article, into a table of 24 bytes a page (a `Date` took 40).
        let changed: Vec<Option<(i64, jiff::civil::Date)>> = (lib.pages.par_iter())
            .map(|page| {
                let date = page.updated.or(page.date)?.at_most(self.site.now);
                indexable(page).then(|| (date.sort_key(), date.civil_date()))
            })
            .collect();
        let lastmod = |ids: &mut dyn Iterator<Item = &usize>| {
            ids.filter_map(|&i| changed[i])
                .max_by_key(|&(moment, _)| moment)
                .map(|(_, date)| date)
        };
        let code = |lang: usize| self.site.language_code(lang);
        /// A URL's versions in every language, or none when it has no other.
        fn versions<'a>(list: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(&'a str, &'a str)> {
            let list: Vec<_> = list.collect();
            if list.len() < 2 { Vec::new() } else { list }
        }
        let languages = self.site.config.languages.len();
        let listed = lib.taxonomies.iter().filter(|t| !t.terms.is_empty());
        let mut urls = Vec::with_capacity(
            lib.sections.len()
                + lib.pages.iter().filter(|p| indexable(p)).count()
                + lib.authors.len()
                + listed.clone().map(|t| 1 + t.terms.len()).sum::<usize>(),
        );
        for (i, section) in lib.sections.iter().enumerate() {
            let ids = lib.listed_pages(i);
            urls.push(SitemapUrl {
                path: &section.path,
                lastmod: lastmod(&mut ids.iter()),
                alternates: versions(
                    (0..languages)
                        .filter_map(|l| lib.section_index(l, &section.dir))
                        .map(|s| (code(lib.sections[s].lang), lib.sections[s].path.as_str())),
                ),
            });
        }
        for (i, page) in lib.pages.iter().enumerate().filter(|(_, p)| indexable(p)) {
            urls.push(SitemapUrl {
                path: &page.path,
                lastmod: lastmod(&mut std::iter::once(&i)),
                alternates: versions(
                    lib.translations(i)
                        .iter()
                        .map(|&t| &lib.pages[t])
                        .filter(|t| indexable(t))
                        .map(|t| (code(t.lang), t.path.as_str())),
                ),
            });
        }
        for (index, author) in lib.authors.iter().enumerate() {
            urls.push(SitemapUrl {
                path: &author.path,
                lastmod: lastmod(&mut lib.pages_by_author(index).iter()),
                alternates: versions(
                    (0..languages)
                        .filter_map(|l| lib.author(l, &author.slug))
                        .map(|a| (code(a.lang), a.path.as_str())),
                ),
            });
        }
        for taxonomy in listed {
            urls.push(SitemapUrl {
                path: &taxonomy.path,
                lastmod: None,
                alternates: Vec::new(),
            });
            for term in &taxonomy.terms {
                urls.push(SitemapUrl {
                    path: &term.path,
                    lastmod: lastmod(&mut term.pages.iter()),
                    alternates: Vec::new(),
                });
            }
        }
        // The pages come in their sources' order, nearly always their paths' order too: a
        // stable sort finds such runs and merges them, where an unstable one sorts them again.
        urls.sort_by(|a, b| a.path.cmp(b.path));
        urls
    }

    /// Whether a file lies where the search index is published.
    fn is_search_index(&self, file: &str) -> bool {
        self.site.config.search && file.starts_with(crate::site::search::INDEX_DIR)
    }

    /// A redirect page at each old URL a page lists in `aliases`, none of them at one of the
    /// `sitemaps` files.
    pub(crate) fn write_aliases(
        &self,
        sitemaps: &[String],
        written: &mut Written,
        diagnostics: &mut Diagnostics,
    ) {
        let lib = &self.site.library;
        if lib.pages.iter().all(|p| p.aliases.is_empty()) {
            return;
        }
        // The folders of the site's pages, each holding its `index.html`: borrowed, where a
        // set of their file names made 100,000 new texts.
        let folders: HashSet<&str> = (lib.pages.iter().map(|p| p.path.as_str()))
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
            .collect();
        // The site's other files, and then each alias's as it is taken.
        let mut taken: HashSet<String> = (sitemaps.iter().cloned())
            .chain(["robots.txt".to_string()])
            .chain(self.site.config.languages.iter().flat_map(|l| {
                ["404.html", "atom.xml", "rss.xml"].map(|file| format!("{}{file}", l.prefix))
            }))
            .chain(
                (self.site.config.languages.iter())
                    .filter(|_| self.site.config.search)
                    .map(|l| format!("{}{}index.html", l.prefix, crate::site::search::PAGE_PATH)),
            )
            .collect();
        let is_taken = |file: &str, taken: &mut HashSet<String>| {
            let page = file.strip_suffix("index.html");
            page.is_some_and(|folder| folders.contains(folder))
                || self.is_search_index(file)
                // `insert` is false when an earlier alias took the file.
                || !taken.insert(file.to_string())
        };
        let mut outcomes = Vec::new();
        for page in &lib.pages {
            for alias in &page.aliases {
                match crate::feed::alias_file(alias) {
                    Some(file) if is_taken(&file, &mut taken) => diagnostics.push(
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
