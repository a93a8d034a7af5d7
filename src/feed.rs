//! Machine-readable outputs: Atom and RSS feeds, the sitemap, robots.txt and alias redirects.

use crate::config::Config;
use crate::content::{Date, Page};
use crate::error::Diagnostic;

/// One article as feeds show it.
pub struct FeedEntry<'a> {
    /// The page.
    pub page: &'a Page,
    /// Its date: feeds list only dated pages.
    pub date: Date,
    /// When it last changed: its `updated` date, never later than the build.
    pub updated: Date,
    /// Its summary as HTML.
    pub summary: &'a str,
    /// Its body as HTML.
    pub content: &'a str,
    /// Its authors' names.
    pub authors: Vec<&'a str>,
}

/// A feed's identity: the whole site's, or one author's.
pub struct FeedInfo<'a> {
    /// The feed's title.
    pub title: &'a str,
    /// A sentence about it.
    pub description: &'a str,
    /// The site path of the feed file, such as `atom.xml`.
    pub path: &'a str,
    /// The site path of the page the feed follows, such as `` (home) or `authors/x/`.
    pub page_path: &'a str,
    /// The code of its pages' language.
    pub language: &'a str,
}

/// The time a feed was last updated: its newest entry's, so the same content gives the same file.
fn feed_updated(entries: &[FeedEntry]) -> Option<Date> {
    entries
        .iter()
        .map(|e| e.updated)
        .max_by_key(|d| d.sort_key())
}

/// An Atom 1.0 feed of `entries` (newest first).
pub fn atom(config: &Config, info: &FeedInfo, entries: &[FeedEntry]) -> Result<String, Diagnostic> {
    use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
    let time = |date: Date| FixedDateTime::parse_from_rfc3339(&date.to_rfc3339()).ok();
    let link = |href: String, rel: &str| Link {
        href,
        rel: rel.into(),
        ..Link::default()
    };
    let epoch = FixedDateTime::parse_from_rfc3339("1970-01-01T00:00:00Z").ok();
    let mut feed = Feed::default();
    feed.set_title(info.title);
    feed.set_id(config.permalink(info.page_path));
    if let Some(updated) = feed_updated(entries).and_then(time).or(epoch) {
        feed.set_updated(updated);
    }
    feed.set_subtitle(Text::plain(info.description));
    feed.set_lang(Some(info.language.to_string()));
    feed.set_links(vec![
        link(config.permalink(info.path), "self"),
        link(config.permalink(info.page_path), "alternate"),
    ]);
    let items = entries.iter().map(|entry| {
        let page = entry.page;
        let mut item = Entry::default();
        item.set_title(page.title.as_str());
        item.set_id(config.permalink(&page.path));
        item.set_links(vec![link(config.permalink(&page.path), "alternate")]);
        if let Some(updated) = time(entry.updated) {
            item.set_updated(updated);
        }
        item.set_published(time(entry.date));
        item.set_authors(
            entry
                .authors
                .iter()
                .map(|name| Person {
                    name: name.to_string(),
                    ..Person::default()
                })
                .collect::<Vec<_>>(),
        );
        item.set_summary(Some(Text::html(entry.summary)));
        let mut content = Content::default();
        content.set_content_type(Some("html".to_string()));
        content.set_value(Some(entry.content.to_string()));
        item.set_content(Some(content));
        item
    });
    feed.set_entries(items.collect::<Vec<_>>());
    Ok(feed.to_string())
}

/// An RSS 2.0 feed of `entries` (newest first), with full content and Dublin Core creators.
pub fn rss(config: &Config, info: &FeedInfo, entries: &[FeedEntry]) -> Result<String, Diagnostic> {
    use rss::extension::dublincore::DublinCoreExtension;
    use rss::{Channel, Guid, Item};
    let items: Vec<Item> = entries
        .iter()
        .map(|entry| {
            let page = entry.page;
            let mut item = Item::default();
            item.set_title(page.title.clone());
            item.set_link(config.permalink(&page.path));
            item.set_guid(Guid {
                value: config.permalink(&page.path),
                permalink: true,
            });
            item.set_pub_date(entry.date.to_rfc2822());
            item.set_description(entry.summary.to_string());
            item.set_content(entry.content.to_string());
            let mut creators = DublinCoreExtension::default();
            creators.set_creators(
                entry
                    .authors
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>(),
            );
            item.set_dublin_core_ext(creators);
            item
        })
        .collect();
    let mut channel = Channel::default();
    channel.set_title(info.title);
    channel.set_link(config.permalink(info.page_path));
    channel.set_description(info.description);
    channel.set_language(info.language.to_string());
    if let Some(updated) = feed_updated(entries) {
        channel.set_last_build_date(updated.to_rfc2822());
    }
    channel.set_namespaces(
        [
            ("content", "http://purl.org/rss/1.0/modules/content/"),
            ("dc", "http://purl.org/dc/elements/1.1/"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect::<std::collections::BTreeMap<_, _>>(),
    );
    channel.set_items(items);
    let mut bytes = Vec::new();
    channel
        .pretty_write_to(&mut bytes, b' ', 2)
        .map_err(|e| Diagnostic::new(format!("cannot write the RSS feed: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// One URL of the sitemap. It borrows its texts from the site: listing 100,000 pages then
/// copies no path and makes no date text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapUrl<'a> {
    /// The site path (`articles/x/`).
    pub path: &'a str,
    /// When it last changed, when known.
    pub lastmod: Option<jiff::civil::Date>,
    /// Its versions in every language, itself included, as (language code, site path), the
    /// default language's first; empty when it has no translation.
    pub alternates: Vec<(&'a str, &'a str)>,
}

/// How much one sitemap file may hold. The sitemap protocol allows 50,000 URLs and 50 MB
/// (uncompressed) to a file; search engines ignore a file that holds more.
#[derive(Debug, Clone, Copy)]
pub struct SitemapLimits {
    /// The most URLs in one file.
    pub urls: usize,
    /// The largest file, in bytes.
    pub bytes: usize,
}

impl SitemapLimits {
    /// The protocol's limits.
    pub const PROTOCOL: SitemapLimits = SitemapLimits {
        urls: 50_000,
        bytes: 50 * 1024 * 1024,
    };
}

/// One sitemap file as it is written: its `<url>` entries, whether any has alternates, and
/// its newest `lastmod`.
#[derive(Default)]
struct UrlSet {
    xml: String,
    count: usize,
    alternates: bool,
    lastmod: Option<jiff::civil::Date>,
}

const URLSET_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"";
const URLSET_XHTML: &str = " xmlns:xhtml=\"http://www.w3.org/1999/xhtml\"";
const URLSET_TAIL: &str = "</urlset>\n";
/// The most a file holds besides its entries.
const URLSET_FRAME: usize =
    URLSET_HEAD.len() + URLSET_XHTML.len() + ">\n".len() + URLSET_TAIL.len();

impl UrlSet {
    /// The finished file: the head goes in front last, once it is known whether the file
    /// needs the `xhtml` namespace, into room reserved for it.
    fn finish(mut self) -> String {
        let xhtml = if self.alternates { URLSET_XHTML } else { "" };
        self.xml.insert_str(0, &format!("{URLSET_HEAD}{xhtml}>\n"));
        self.xml.push_str(URLSET_TAIL);
        self.xml
    }
}

/// The sitemap files listing `urls` (in order), as (site path, XML), each URL with its versions
/// in other languages (`<xhtml:link rel="alternate" hreflang="fr">`, and `x-default` for the
/// default language's): `sitemap.xml` alone while the URLs fit one file within `limits`;
/// otherwise `sitemap1.xml`, `sitemap2.xml`, … and `sitemap.xml` as the index that lists them,
/// where crawlers and `robots.txt` look.
///
/// Each entry is written straight into its file, which reserves room for the rest of its
/// entries at twice the size of its first: a file grows in place, not by copies.
pub fn sitemaps(
    config: &Config,
    urls: &[SitemapUrl],
    limits: SitemapLimits,
) -> Vec<(String, String)> {
    let mut files: Vec<UrlSet> = Vec::new();
    for (n, url) in urls.iter().enumerate() {
        if files.last().is_none_or(|f| f.count == limits.urls) {
            files.push(UrlSet::default());
        }
        let Some(file) = files.last_mut() else {
            continue;
        };
        let mark = file.xml.len();
        write_entry(&mut file.xml, config, url);
        // An entry that takes its file past the size limit starts the next file, unless it
        // is its file's first.
        if file.count > 0 && URLSET_FRAME + file.xml.len() > limits.bytes {
            let entry = file.xml.split_off(mark);
            files.push(UrlSet {
                xml: entry,
                ..UrlSet::default()
            });
        }
        let Some(file) = files.last_mut() else {
            continue;
        };
        if file.count == 0 {
            let left = (urls.len() - n).min(limits.urls);
            let room = (file.xml.len() * 2 * left).min(limits.bytes) + URLSET_FRAME;
            file.xml.reserve(room.saturating_sub(file.xml.len()));
        }
        file.count += 1;
        file.alternates |= !url.alternates.is_empty();
        file.lastmod = file.lastmod.max(url.lastmod);
    }
    if files.len() < 2 {
        let file = files.pop().unwrap_or_default();
        return vec![("sitemap.xml".to_string(), file.finish())];
    }
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut out = Vec::with_capacity(files.len() + 1);
    for (n, file) in files.into_iter().enumerate() {
        let path = format!("sitemap{}.xml", n + 1);
        index.push_str("  <sitemap>\n    <loc>");
        push_permalink(&mut index, config, &path);
        index.push_str("</loc>\n");
        if let Some(lastmod) = file.lastmod {
            index.push_str(&format!("    <lastmod>{lastmod}</lastmod>\n"));
        }
        index.push_str("  </sitemap>\n");
        out.push((path, file.finish()));
    }
    index.push_str("</sitemapindex>\n");
    out.insert(0, ("sitemap.xml".to_string(), index));
    out
}

/// Appends one `<url>` of a sitemap to `xml`.
fn write_entry(xml: &mut String, config: &Config, url: &SitemapUrl) {
    use std::fmt::Write;
    xml.push_str("  <url>\n    <loc>");
    push_permalink(xml, config, url.path);
    xml.push_str("</loc>\n");
    if let Some(lastmod) = url.lastmod {
        // Writing into a String cannot fail.
        let _ = writeln!(xml, "    <lastmod>{lastmod}</lastmod>");
    }
    let default = url
        .alternates
        .iter()
        .find(|(code, _)| *code == config.language)
        .map(|&(_, path)| ("x-default", path));
    for (code, path) in url.alternates.iter().copied().chain(default) {
        xml.push_str("    <xhtml:link rel=\"alternate\" hreflang=\"");
        pulldown_cmark_escape::escape_html(&mut *xml, code).ok();
        xml.push_str("\" href=\"");
        push_permalink(xml, config, path);
        xml.push_str("\"/>\n");
    }
    xml.push_str("  </url>\n");
}

/// Appends the escaped permalink of a site path: escaping works a character at a time, so
/// the base URL and the path are escaped apart, with no permalink made to escape.
fn push_permalink(xml: &mut String, config: &Config, path: &str) {
    pulldown_cmark_escape::escape_html(&mut *xml, &config.base_url).ok();
    pulldown_cmark_escape::escape_html(&mut *xml, path.trim_start_matches('/')).ok();
}

/// `robots.txt` that allows everything and points to the sitemap.
pub fn robots(config: &Config) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        config.permalink("sitemap.xml")
    )
}

/// A page at an old URL that sends visitors (and search engines) to the new one.
pub fn redirect(config: &Config, to: &str) -> String {
    let target = escape(&config.permalink(to));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved</title>\n<link rel=\"canonical\" href=\"{target}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{target}\">{target}</a>.</p>\n</body>\n</html>\n",
        lang = escape(&config.language)
    )
}

/// Where an alias such as `/old/url/` or `old.html` is written in the built site.
pub fn alias_file(alias: &str) -> Option<String> {
    let trimmed = alias.trim().trim_start_matches('/');
    if trimmed.is_empty()
        || trimmed.split('/').any(|part| part == ".." || part == ".")
        || trimmed.contains("://")
    {
        return None;
    }
    Some(if trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else if trimmed
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
    {
        trimmed.to_string()
    } else {
        format!("{trimmed}/index.html")
    })
}

/// Escapes text for XML and HTML attributes and content.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).ok();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let text = "title = \"T\"\nbase_url = \"https://example.com/\"\n";
        let overrides = crate::config::Overrides::default();
        Config::parse(
            std::path::Path::new("/site"),
            std::path::Path::new("serum.toml"),
            text,
            &overrides,
        )
        .expect("a valid configuration")
    }

    /// The sitemap entry of `articles/a{n}/`; the paths live as long as the test.
    fn url(n: usize, lastmod: &str) -> SitemapUrl<'static> {
        SitemapUrl {
            path: format!("articles/a{n}/").leak(),
            lastmod: Some(lastmod.parse().expect("a date")),
            alternates: Vec::new(),
        }
    }

    /// The `<loc>` of every child of the root element, and the root's name.
    fn locs(xml: &str) -> (String, Vec<String>) {
        let doc = roxmltree::Document::parse(xml).expect("the sitemap is XML");
        let root = doc.root_element();
        let locs = (root.children().filter(|n| n.is_element()))
            .map(|n| {
                let loc = n
                    .children()
                    .find(|c| c.has_tag_name("loc"))
                    .expect("a <loc>");
                loc.text().unwrap_or_default().to_string()
            })
            .collect();
        (root.tag_name().name().to_string(), locs)
    }

    #[test]
    fn a_sitemap_that_fits_one_file_is_sitemap_xml_alone() {
        let urls: Vec<SitemapUrl> = (0..3).map(|n| url(n, "2026-01-02")).collect();
        let files = sitemaps(&config(), &urls, SitemapLimits::PROTOCOL);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap.xml");
        let (root, listed) = locs(&files[0].1);
        assert_eq!(root, "urlset");
        assert_eq!(listed[2], "https://example.com/articles/a2/");
    }

    #[test]
    fn a_sitemap_over_the_url_limit_becomes_an_index_of_numbered_files() {
        let urls: Vec<SitemapUrl> = (0..5)
            .map(|n| url(n, &format!("2026-01-0{}", 5 - n)))
            .collect();
        let limits = SitemapLimits {
            urls: 2,
            bytes: SitemapLimits::PROTOCOL.bytes,
        };
        let files = sitemaps(&config(), &urls, limits);
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "sitemap.xml",
                "sitemap1.xml",
                "sitemap2.xml",
                "sitemap3.xml"
            ]
        );
        let (root, index) = locs(&files[0].1);
        assert_eq!(root, "sitemapindex");
        assert_eq!(
            index,
            [
                "https://example.com/sitemap1.xml",
                "https://example.com/sitemap2.xml",
                "https://example.com/sitemap3.xml"
            ]
        );
        // Each file's newest date is its entry's in the index.
        assert!(files[0].1.contains(
            "<loc>https://example.com/sitemap1.xml</loc>\n    <lastmod>2026-01-05</lastmod>"
        ));
        let listed: Vec<String> = files[1..].iter().flat_map(|(_, xml)| locs(xml).1).collect();
        let expected: Vec<String> = (0..5)
            .map(|n| format!("https://example.com/articles/a{n}/"))
            .collect();
        assert_eq!(listed, expected, "every URL once, in order");
        assert_eq!(locs(&files[3].1).1.len(), 1);
    }

    #[test]
    fn a_sitemap_over_the_size_limit_is_split_before_it_grows_past_it() {
        let urls: Vec<SitemapUrl> = (0..10).map(|n| url(n, "2026-01-02")).collect();
        let one = sitemaps(&config(), &urls[..1], SitemapLimits::PROTOCOL);
        let limits = SitemapLimits {
            urls: 50_000,
            bytes: one[0].1.len() * 3,
        };
        let files = sitemaps(&config(), &urls, limits);
        assert!(files.len() > 2, "{} files", files.len());
        for (path, xml) in &files[1..] {
            assert!(
                xml.len() <= limits.bytes,
                "{path} holds {} bytes",
                xml.len()
            );
        }
        let listed: usize = files[1..].iter().map(|(_, xml)| locs(xml).1.len()).sum();
        assert_eq!(listed, 10);
    }

    #[test]
    fn a_url_over_the_size_limit_gets_a_file_of_its_own_which_alone_declares_xhtml() {
        let mut urls: Vec<SitemapUrl> = (0..3).map(|n| url(n, "2026-01-02")).collect();
        let one = sitemaps(&config(), &urls[..1], SitemapLimits::PROTOCOL);
        urls[1].alternates = vec![("en", "articles/a1/"), ("fr", "fr/articles/a1/")];
        let limits = SitemapLimits {
            urls: 50_000,
            bytes: one[0].1.len() + 10,
        };
        let files = sitemaps(&config(), &urls, limits);
        let counts: Vec<usize> = files[1..]
            .iter()
            .map(|(_, xml)| locs(xml).1.len())
            .collect();
        assert_eq!(counts, [1, 1, 1]);
        assert!(files[2].1.contains("xmlns:xhtml="), "{}", files[2].1);
        assert!(!files[1].1.contains("xmlns:xhtml="), "{}", files[1].1);
    }

    #[test]
    fn aliases_become_files_and_never_escape_the_site() {
        assert_eq!(
            alias_file("/old/url/").as_deref(),
            Some("old/url/index.html")
        );
        assert_eq!(
            alias_file("/old/url").as_deref(),
            Some("old/url/index.html")
        );
        assert_eq!(alias_file("old.html").as_deref(), Some("old.html"));
        assert_eq!(alias_file("/../etc/x"), None);
        assert_eq!(alias_file("/"), None);
    }
}
