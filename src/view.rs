//! What templates see: serializable views of the site's data, documented in the README.

use serde::Serialize;

use crate::config::Config;
use crate::content::{Author, AuthorLink, Library, Page, Section, Term};
use crate::markdown::{Rendered, TocEntry};

/// `config`: the site's settings, as a page in one language sees them.
#[derive(Serialize)]
pub struct ConfigView<'a> {
    title: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    description: &'a str,
    language: &'a str,
    default_language: &'a str,
    languages: Vec<LanguageLink<'a>>,
    search: Option<SearchView>,
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

/// `config.languages[]`: a language of the site and its home page.
#[derive(Serialize)]
pub struct LanguageLink<'a> {
    code: &'a str,
    url: String,
}

/// `config.search`: where the search page of the language and the index are, or null when
/// the site has no search.
#[derive(Serialize)]
pub struct SearchView {
    /// The search page's URL path (`/search/`, `/fr/search/`).
    url: String,
    /// The URL path of the folder holding `pagefind.js` and the index of every language
    /// (`/pagefind/`).
    index_url: String,
}

impl<'a> ConfigView<'a> {
    /// The view of a configuration in language `lang` (an index into its languages): its
    /// title, description and extra are that language's.
    pub fn new(config: &'a Config, lang: usize) -> Self {
        let language = &config.languages[lang.min(config.languages.len() - 1)];
        ConfigView {
            title: &language.title,
            base_url: &config.base_url,
            base_path: &config.base_path,
            description: &language.description,
            language: &language.code,
            default_language: &config.language,
            languages: config
                .languages
                .iter()
                .map(|l| LanguageLink {
                    code: &l.code,
                    url: config.url_path(&l.prefix),
                })
                .collect(),
            search: config.search.then(|| SearchView {
                url: config.url_path(&format!(
                    "{}{}",
                    language.prefix,
                    crate::config::SEARCH_PAGE
                )),
                index_url: config.url_path(crate::config::SEARCH_INDEX),
            }),
            extra: &language.extra,
        }
    }
}

/// One version of a page in one language, as `translations` and `page.translations` list them.
#[derive(Serialize, Clone)]
pub struct Translation<'a> {
    /// The language's code.
    pub lang: &'a str,
    /// The title in that language.
    pub title: &'a str,
    /// The URL of that version.
    pub url: String,
    /// Its absolute URL.
    pub permalink: String,
    /// Whether it is the version shown.
    pub current: bool,
    /// Whether it is the default language's: the `x-default` one.
    pub default: bool,
}

/// A title and the URL it links to.
#[derive(Serialize)]
pub struct Link<'a> {
    title: &'a str,
    url: String,
}

/// `site`: what every page can link to.
#[derive(Serialize)]
pub struct SiteView<'a> {
    sections: Vec<Link<'a>>,
    authors: Vec<Link<'a>>,
}

impl<'a> SiteView<'a> {
    /// The top-level sections and the authors of language `lang`, for navigation.
    pub fn new(config: &Config, library: &'a Library, lang: usize) -> Self {
        let top = library
            .section_index(lang, "")
            .and_then(|home| library.subsections.get(home))
            .map(Vec::as_slice)
            .unwrap_or_default();
        SiteView {
            sections: top
                .iter()
                .map(|&i| &library.sections[i])
                .map(|s| Link {
                    title: &s.title,
                    url: config.url_path(&s.path),
                })
                .collect(),
            authors: library
                .authors
                .iter()
                .filter(|a| a.lang == lang)
                .map(|a| Link {
                    title: &a.name,
                    url: config.url_path(&a.path),
                })
                .collect(),
        }
    }
}

/// An author as named in a byline.
#[derive(Serialize)]
pub struct AuthorRef<'a> {
    slug: &'a str,
    name: &'a str,
    url: String,
    permalink: String,
    role: Option<&'a str>,
    company: Option<&'a str>,
    job_title: Option<String>,
    avatar: Option<String>,
    bio: &'a str,
}

impl<'a> AuthorRef<'a> {
    /// The byline view of an author; `avatar` is its resolved URL, `bio` its rendered bio.
    pub fn new(config: &Config, author: &'a Author, avatar: Option<String>, bio: &'a str) -> Self {
        AuthorRef {
            slug: &author.slug,
            name: &author.name,
            url: config.url_path(&author.path),
            permalink: config.permalink(&author.path),
            role: author.role.as_deref(),
            company: author.company.as_deref(),
            job_title: author.job_title(),
            avatar,
            bio,
        }
    }
}

/// `page.byline`: who wrote it, when, and how long it takes to read.
#[derive(Serialize)]
pub struct Byline<'a> {
    authors: Vec<&'a AuthorRef<'a>>,
    date: Option<String>,
    updated: Option<String>,
    reading_time: usize,
}

/// `page.cover`: the cover image with its resolved URLs and, when known, its size.
#[derive(Serialize)]
pub struct CoverView<'a> {
    /// The URL to use in `src`.
    pub src: String,
    /// The absolute URL of the file.
    pub permalink: String,
    /// The absolute URL of an image link previews can show: a PNG made from an SVG cover.
    pub social: String,
    /// What the image shows.
    pub alt: &'a str,
    /// A caption, when given.
    pub caption: Option<&'a str>,
    /// Its width in pixels, when it could be read from the file.
    pub width: Option<u32>,
    /// Its height in pixels, when it could be read from the file.
    pub height: Option<u32>,
    /// Resized copies for `srcset`, when the cover is a raster image.
    pub srcset: Option<String>,
    /// WebP copies for a `<source type="image/webp">`, when the cover is a JPEG or PNG.
    pub webp_srcset: Option<String>,
}

/// `page.tags[]`, `page.taxonomies.<name>[]`, `taxonomy.terms[]`: a term and its page.
#[derive(Serialize)]
pub struct TermLink<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
    count: usize,
}

impl<'a> TermLink<'a> {
    /// The view of a term.
    pub fn new(config: &Config, term: &'a Term) -> Self {
        TermLink {
            name: &term.name,
            slug: &term.slug,
            url: config.url_path(&term.path),
            count: term.pages.len(),
        }
    }
}

/// `paginator`: where a listing page stands among the pages of its listing.
#[derive(Serialize)]
pub struct Paginator {
    /// This page's number, from 1.
    pub current_index: usize,
    /// How many pages the listing has.
    pub total_pages: usize,
    /// How many articles the listing has in all.
    pub total_items: usize,
    /// Articles per page (0: all on one).
    pub paginate_by: usize,
    /// The URL of the first page.
    pub first: String,
    /// The URL of the last page.
    pub last: String,
    /// The URL of the page before, if any.
    pub previous: Option<String>,
    /// The URL of the page after, if any.
    pub next: Option<String>,
    /// The pages a pager shows: the first, the last, and the ones around this one, with gaps.
    pub window: Vec<Pager>,
}

/// `paginator.pagers[]`: one page of a listing. The list is the same on every page of a
/// listing, so it is made once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PagerLink {
    /// Its number, from 1.
    pub index: usize,
    /// Its URL.
    pub url: String,
}

/// One page of a listing, in a pager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pager {
    /// Its number; 0 for a gap.
    pub index: usize,
    /// Its URL; empty for a gap.
    pub url: String,
    /// Whether it is the page shown.
    pub current: bool,
    /// Whether it stands for pages left out.
    pub gap: bool,
}

impl Paginator {
    /// The paginator of page `current` (from 1) of `total_pages`, whose URLs `url` makes.
    pub fn new(
        current: usize,
        total_pages: usize,
        total_items: usize,
        paginate_by: usize,
        url: &dyn Fn(usize) -> String,
    ) -> Self {
        let pager = |index: usize| Pager {
            index,
            url: url(index),
            current: index == current,
            gap: false,
        };
        let mut window = Vec::new();
        // The first, the two on each side of this one, and the last: never the whole list,
        // which would make each page of a long listing cost as much as all of them.
        let mut near: Vec<usize> = [1, total_pages]
            .into_iter()
            .chain(current.saturating_sub(2)..=current.saturating_add(2))
            .filter(|i| (1..=total_pages).contains(i))
            .collect();
        near.sort_unstable();
        near.dedup();
        for i in near {
            if window
                .last()
                .is_some_and(|last: &Pager| last.index + 1 != i)
            {
                window.push(Pager {
                    index: 0,
                    url: String::new(),
                    current: false,
                    gap: true,
                });
            }
            window.push(pager(i));
        }
        Paginator {
            current_index: current,
            total_pages,
            total_items,
            paginate_by,
            first: url(1),
            last: url(total_pages),
            previous: (current > 1).then(|| url(current - 1)),
            next: (current < total_pages).then(|| url(current + 1)),
            window,
        }
    }
}

/// `page.previous`, `page.next`: a neighbour in the section's order.
#[derive(Serialize)]
pub struct Neighbour<'a> {
    title: &'a str,
    url: String,
    date: Option<String>,
}

impl<'a> Neighbour<'a> {
    /// The view of a page as its neighbours link to it.
    pub fn new(config: &Config, page: &'a Page) -> Self {
        Neighbour {
            title: &page.title,
            url: config.url_path(&page.path),
            date: page.date.map(|d| d.to_string()),
        }
    }
}

/// What a listing shows of a page (also part of the full page view).
#[derive(Serialize)]
pub struct PageSummary<'a> {
    title: &'a str,
    description: Option<&'a str>,
    meta_description: String,
    url: String,
    permalink: String,
    date: Option<String>,
    updated: Option<String>,
    summary: &'a str,
    summary_text: &'a str,
    word_count: usize,
    reading_time: usize,
    tags: Vec<TermLink<'a>>,
    taxonomies: std::collections::BTreeMap<&'a str, Vec<TermLink<'a>>>,
    cover: Option<CoverView<'a>>,
    byline: Byline<'a>,
    draft: bool,
    section: Link<'a>,
    lang: &'a str,
}

/// Minutes to read a text, at 200 words a minute, at least one.
pub fn reading_time(word_count: usize) -> usize {
    word_count.div_ceil(200).max(1)
}

/// What a page's summary is made of besides the page itself.
pub struct SummaryParts<'a> {
    /// The page's section.
    pub section: &'a Section,
    /// Its authors' byline views, made once per author.
    pub authors: Vec<&'a AuthorRef<'a>>,
    /// Its cover, resolved.
    pub cover: Option<CoverView<'a>>,
    /// Its terms in each taxonomy, by the taxonomy's name (`tags` among them).
    pub taxonomies: std::collections::BTreeMap<&'a str, Vec<TermLink<'a>>>,
    /// The code of its language.
    pub lang: &'a str,
}

impl<'a> PageSummary<'a> {
    /// The listing view of a page.
    pub fn new(
        config: &Config,
        page: &'a Page,
        rendered: &'a Rendered,
        parts: SummaryParts<'a>,
    ) -> Self {
        let date = page.date.map(|d| d.to_string());
        let updated = page.updated.map(|d| d.to_string());
        let reading_time = reading_time(rendered.word_count);
        PageSummary {
            title: &page.title,
            description: page.description.as_deref(),
            meta_description: meta_description(page.description.as_deref(), &rendered.summary_text),
            url: config.url_path(&page.path),
            permalink: config.permalink(&page.path),
            date: date.clone(),
            updated: updated.clone(),
            summary: &rendered.summary_html,
            summary_text: &rendered.summary_text,
            word_count: rendered.word_count,
            reading_time,
            tags: parts
                .taxonomies
                .get(crate::config::TAGS)
                .map(|tags| {
                    tags.iter()
                        .map(|t| TermLink {
                            name: t.name,
                            slug: t.slug,
                            url: t.url.clone(),
                            count: t.count,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            taxonomies: parts.taxonomies,
            cover: parts.cover,
            byline: Byline {
                authors: parts.authors,
                date,
                updated,
                reading_time,
            },
            draft: page.draft,
            section: Link {
                title: &parts.section.title,
                url: config.url_path(&parts.section.path),
            },
            lang: parts.lang,
        }
    }
}

/// The text for `<meta name="description">`: the description as written, else the summary
/// cut at a word to at most 160 characters.
pub fn meta_description(description: Option<&str>, summary_text: &str) -> String {
    const MAX: usize = 160;
    if let Some(description) = description.map(str::trim).filter(|d| !d.is_empty()) {
        return description.to_string();
    }
    let text = summary_text.trim();
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX - 1).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(space) if space > MAX / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!(
        "{}…",
        at_word.trim_end_matches(|c: char| c.is_whitespace() || ",;:.–—-".contains(c))
    )
}

/// The parts of `page` that listings leave out; merged over the page's summary.
#[derive(Serialize)]
pub struct PageBody<'a> {
    content: &'a str,
    toc: &'a [TocEntry],
    noindex: bool,
    extra: &'a serde_json::Map<String, serde_json::Value>,
    json_ld: &'a str,
    translations: &'a [Translation<'a>],
}

impl<'a> PageBody<'a> {
    /// The full-page parts of a page; `json_ld` is its structured data, ready for a script
    /// element; `translations` its versions in every language it is written in.
    pub fn new(
        page: &'a Page,
        content: &'a str,
        toc: &'a [TocEntry],
        json_ld: &'a str,
        translations: &'a [Translation<'a>],
    ) -> Self {
        PageBody {
            content,
            toc,
            noindex: page.noindex,
            extra: &page.extra,
            json_ld,
            translations,
        }
    }
}

/// The schema.org `Article` of a page as JSON, safe inside `<script type="application/ld+json">`.
pub fn article_json_ld(
    config: &Config,
    page: &Page,
    meta_description: &str,
    authors: &[&Author],
    cover: Option<&CoverView>,
) -> String {
    let language = &config.languages[page.lang.min(config.languages.len() - 1)];
    let people: Vec<serde_json::Value> = authors
        .iter()
        .map(|author| {
            let mut person = serde_json::json!({
                "@type": "Person",
                "name": author.name,
                "url": config.permalink(&author.path),
            });
            if let Some(role) = &author.role {
                person["jobTitle"] = role.as_str().into();
            }
            if let Some(company) = &author.company {
                person["worksFor"] =
                    serde_json::json!({ "@type": "Organization", "name": company });
            }
            person
        })
        .collect();
    let mut article = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": page.title,
        "description": meta_description,
        "mainEntityOfPage": config.permalink(&page.path),
        "url": config.permalink(&page.path),
        "inLanguage": language.code,
        "author": people,
        "publisher": { "@type": "Organization", "name": language.title, "url": config.base_url },
    });
    if let Some(date) = page.date {
        article["datePublished"] = date.to_string().into();
        article["dateModified"] = page.updated.unwrap_or(date).to_string().into();
    }
    if let Some(cover) = cover {
        article["image"] = cover.social.as_str().into();
    }
    script_safe_json(&article)
}

/// A page's JSON-LD with what its shortcodes gave: its `details` with `faq=true` as one
/// `FAQPage`, and each named `steps` as a `HowTo`, beside the `Article` in an `@graph`.
pub fn with_shortcode_data(article: String, data: &[String]) -> String {
    if data.is_empty() {
        return article;
    }
    let Ok(mut article) = serde_json::from_str::<serde_json::Value>(&article) else {
        return article;
    };
    let context = article
        .as_object_mut()
        .and_then(|a| a.remove("@context"))
        .unwrap_or_else(|| "https://schema.org".into());
    let items: Vec<serde_json::Value> = data
        .iter()
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect();
    let (questions, others): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|item| item["@type"] == "Question");
    let mut graph = vec![article];
    if !questions.is_empty() {
        graph.push(serde_json::json!({ "@type": "FAQPage", "mainEntity": questions }));
    }
    graph.extend(others);
    script_safe_json(&serde_json::json!({ "@context": context, "@graph": graph }))
}

/// JSON with `<`, `>` and `&` escaped, so no text in it can close the script element it sits in.
pub fn script_safe_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `section`: a section (or the home page) without its page list, which is added as `section.pages`.
#[derive(Serialize)]
pub struct SectionView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    url: String,
    permalink: String,
    content: &'a str,
    toc: &'a [TocEntry],
    subsections: Vec<Link<'a>>,
    extra: &'a serde_json::Map<String, serde_json::Value>,
    feed_url: Option<String>,
}

impl<'a> SectionView<'a> {
    /// The view of a section, with links to its subsections; `content` is its intro as HTML.
    pub fn new(
        config: &Config,
        library: &'a Library,
        index: usize,
        content: &'a str,
        toc: &'a [TocEntry],
    ) -> Self {
        let section = &library.sections[index];
        SectionView {
            title: &section.title,
            description: section.description.as_deref(),
            url: config.url_path(&section.path),
            permalink: config.permalink(&section.path),
            content,
            toc,
            subsections: library.subsections[index]
                .iter()
                .map(|&i| &library.sections[i])
                .map(|s| Link {
                    title: &s.title,
                    url: config.url_path(&s.path),
                })
                .collect(),
            extra: &section.extra,
            feed_url: section
                .feed
                .then(|| config.url_path(&format!("{}atom.xml", section.path))),
        }
    }
}

/// `author`: an author's page, without its page list, which is added as `author.pages`.
#[derive(Serialize)]
pub struct AuthorView<'a> {
    #[serde(flatten)]
    card: AuthorRef<'a>,
    links: &'a [AuthorLink],
    feed_url: String,
}

impl<'a> AuthorView<'a> {
    /// The view of an author's page.
    pub fn new(config: &Config, card: AuthorRef<'a>, author: &'a Author) -> Self {
        AuthorView {
            card,
            links: &author.links,
            feed_url: config.url_path(&format!("{}atom.xml", author.path)),
        }
    }
}

/// Adds `key` to a map value: used to attach shared listings without copying them.
pub fn with_key(value: tera::Value, key: &'static str, extra: tera::Value) -> tera::Value {
    let mut map = value.into_map().unwrap_or_default();
    map.insert(key.into(), extra);
    tera::Value::from(map)
}

/// Merges the entries of `extra` (a map value) into `value`.
pub fn merged(value: tera::Value, extra: tera::Value) -> tera::Value {
    let mut map = value.into_map().unwrap_or_default();
    map.extend(extra.into_map().unwrap_or_default());
    tera::Value::from(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_description_prefers_the_description_and_cuts_long_summaries_at_a_word() {
        assert_eq!(meta_description(Some("Short."), "Long summary"), "Short.");
        let long = "word ".repeat(60);
        assert_eq!(meta_description(Some(&long), ""), long.trim());
        assert_eq!(meta_description(None, "  Summary. "), "Summary.");
        let long = "word ".repeat(60);
        let cut = meta_description(None, &long);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= 160);
    }

    #[test]
    fn the_pager_window_holds_the_first_the_last_and_two_each_side_with_gaps_between() {
        let url = |i: usize| format!("/page/{i}/");
        let shown = |current: usize, total: usize| -> Vec<usize> {
            (Paginator::new(current, total, total * 10, 10, &url).window)
                .iter()
                .map(|p| p.index)
                .collect()
        };
        assert_eq!(shown(1, 1), [1]);
        assert_eq!(shown(1, 2), [1, 2]);
        assert_eq!(shown(1, 10), [1, 2, 3, 0, 10]);
        assert_eq!(shown(5, 10), [1, 0, 3, 4, 5, 6, 7, 0, 10]);
        assert_eq!(shown(4, 10), [1, 2, 3, 4, 5, 6, 0, 10]);
        assert_eq!(shown(10, 10), [1, 0, 8, 9, 10]);
        assert_eq!(
            shown(5000, 10000),
            [1, 0, 4998, 4999, 5000, 5001, 5002, 0, 10000]
        );
        for total in 1..=12 {
            for current in 1..=total {
                let window = Paginator::new(current, total, total, 1, &url).window;
                let pages: Vec<usize> = window.iter().filter(|p| !p.gap).map(|p| p.index).collect();
                let near = |i: usize| i == 1 || i == total || i.abs_diff(current) <= 2;
                let expected: Vec<usize> = (1..=total).filter(|&i| near(i)).collect();
                assert_eq!(pages, expected, "page {current} of {total}");
                let gaps = window.windows(2).filter(|w| w[1].gap).count();
                let jumps = expected.windows(2).filter(|w| w[1] != w[0] + 1).count();
                assert_eq!(
                    gaps, jumps,
                    "a gap for each jump, page {current} of {total}"
                );
                assert!(window.iter().all(|p| p.current == (p.index == current)));
            }
        }
    }

    #[test]
    fn json_cannot_close_its_script_element() {
        let json = script_safe_json(&serde_json::json!({ "headline": "</script><b>&" }));
        assert_eq!(
            json,
            r#"{"headline":"\u003c/script\u003e\u003cb\u003e\u0026"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["headline"], "</script><b>&");
    }
}
