//! `serum check`: builds the site in memory, writes nothing, and finds what is wrong with it.
//!
//! The build's own errors come first: a site that does not build has those as its problems.
//! A site that builds is then read back as a reader's browser would see it: every produced
//! HTML file is parsed, and its links, images, scripts and ids are checked against the other
//! produced files, so links written by templates are checked as well as those in Markdown.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use percent_encoding::percent_decode_str;
use rayon::prelude::*;
use scraper::Html;
use url::Url;

use crate::config::{Config, Overrides};
use crate::content::Library;
use crate::error::{Diagnostic, Error, Reason, Result, describe_io};
use crate::output::MemoryOutput;
use crate::site::{BuildOptions, BuildState, Site};

/// How long one outside link may take to answer.
pub const EXTERNAL_TIMEOUT: Duration = Duration::from_secs(10);

/// At most this many requests to one host at a time, to be polite.
const REQUESTS_PER_HOST: usize = 2;

/// At most this many requests at a time in all.
const REQUESTS_IN_ALL: usize = 8;

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Use this theme instead of the one serum.toml names.
    pub theme: Option<String>,
    /// Also check pages marked draft.
    pub drafts: bool,
    /// Also ask outside web sites whether the pages they are linked from still lead somewhere.
    pub external: bool,
}

/// What a check found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// What is wrong and what may be wrong, sorted by place.
    pub diagnostics: Vec<Diagnostic>,
    /// How many HTML pages were checked.
    pub pages: usize,
}

/// Builds the site in `root` in memory and reports every problem found in it: the build's
/// own, then what a reader's browser would meet in the pages it made.
pub fn check(root: &Path, options: &CheckOptions) -> Result<CheckReport> {
    let overrides = Overrides {
        theme: options.theme.clone(),
        base_url: None,
    };
    let config = Config::load(root, &overrides)?;
    let mut site = Site::load(
        config,
        BuildOptions {
            drafts: options.drafts,
            future: false,
            live_reload: None,
            fingerprint_assets: true,
            process_images: false,
            search_index: false,
        },
    );
    let output = MemoryOutput::default();
    let mut state = BuildState::default();
    let build = site.render(&output, &mut state);
    let files = output.into_files();
    let sources = source_files(site.library());
    let pages = read_pages(&files, &sources);
    let checked_urls = state.checked_urls();
    let links = SiteLinks::new(site.config(), &files, &pages, &checked_urls)?;

    let mut diagnostics = build.diagnostics;
    diagnostics.extend(check_descriptions(site.library()));
    diagnostics.extend(check_unnamed_authors(site.library()));
    let ranks = source_ranks(site.library());
    let mut found_in_html = check_duplicate_ids(&pages);
    found_in_html.extend(links.check_internal(&pages));
    diagnostics.extend(group_across_pages(found_in_html, &ranks));
    if options.external {
        let failed = group_across_pages(check_external(&links.external(&pages)), &ranks);
        diagnostics.extend(failed.into_iter().map(Diagnostic::warning));
    }
    diagnostics.retain(|d| d.is_error() || !site.config().ignore.contains(&d.reason));
    Ok(CheckReport {
        diagnostics: Error::from_problems(diagnostics).problems().to_vec(),
        pages: pages.len(),
    })
}

/// Every page without a `description`, which listings, search engines and link previews show.
fn check_descriptions(library: &Library) -> Vec<Diagnostic> {
    library
        .pages
        .iter()
        .filter(|page| page.description.as_deref().is_none_or(|d| d.trim().is_empty()))
        .map(|page| {
            Diagnostic::in_file(&page.file, "no `description` in the front matter")
                .warning()
                .because(Reason::MissingDescription)
                .hint(
                "add a one-sentence `description = \"…\"`; search engines and link previews show it",
            )
        })
        .collect()
}

/// Every author whose slug no page names.
fn check_unnamed_authors(library: &Library) -> Vec<Diagnostic> {
    let named: HashSet<&str> = library
        .pages
        .iter()
        .flat_map(|page| page.authors.iter().map(String::as_str))
        .collect();
    let drafts_note = if library.skipped_drafts.is_empty() {
        ""
    } else {
        " (pages marked draft count only with --drafts)"
    };
    library
        .authors
        .iter()
        .filter(|author| !named.contains(author.slug.as_str()))
        .map(|author| {
            Diagnostic::in_file(
                &author.file,
                format!("author `{}` is not named by any page", author.slug),
            )
            .warning()
            .because(Reason::UnnamedAuthor)
            .hint(format!(
                "name them in a page's front matter, `author = \"{}\"`, or remove this file{drafts_note}",
                author.slug
            ))
        })
        .collect()
}

/// Which content file produced each built HTML page, by output path.
fn source_files(library: &Library) -> HashMap<String, PathBuf> {
    let mut sources = HashMap::new();
    for page in &library.pages {
        sources.insert(format!("{}index.html", page.path), page.file.clone());
    }
    for section in &library.sections {
        let file = section
            .file
            .clone()
            .unwrap_or_else(|| Path::new("content").join(&section.dir));
        sources.insert(format!("{}index.html", section.path), file);
    }
    for author in &library.authors {
        sources.insert(format!("{}index.html", author.path), author.file.clone());
    }
    sources
}

/// What a built HTML page holds that can be wrong.
struct HtmlPage {
    /// Its path in the built site (`articles/x/index.html`).
    path: String,
    /// The file named in messages: the content file that produced it, else `path`.
    shown: PathBuf,
    /// Every `id`, in document order, repeats included.
    ids: Vec<String>,
    /// What a `#fragment` can land on: the ids and the names of `<a name>`.
    anchors: HashSet<String>,
    /// Every URL the page refers to.
    references: Vec<Reference>,
}

/// A URL written in a page, and what for.
struct Reference {
    kind: Kind,
    url: String,
}

/// What a URL in a page is for, which decides how a problem with it is worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Link,
    Image,
    Script,
    Stylesheet,
    Media,
}

impl Kind {
    /// "link to `x`", "image `x`": the start of every message about a URL.
    fn name(self, url: &str) -> String {
        match self {
            Kind::Link => format!("link to `{url}`"),
            Kind::Image => format!("image `{url}`"),
            Kind::Script => format!("script `{url}`"),
            Kind::Stylesheet => format!("stylesheet `{url}`"),
            Kind::Media => format!("media file `{url}`"),
        }
    }
}

/// Parses every built HTML file, in parallel.
fn read_pages(
    files: &BTreeMap<String, Vec<u8>>,
    sources: &HashMap<String, PathBuf>,
) -> Vec<HtmlPage> {
    files
        .par_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| {
            let shown = sources
                .get(path)
                .cloned()
                .unwrap_or_else(|| PathBuf::from(path));
            read_page(path, shown, &String::from_utf8_lossy(bytes))
        })
        .collect()
}

fn read_page(path: &str, shown: PathBuf, html: &str) -> HtmlPage {
    let document = Html::parse_document(html);
    let mut page = HtmlPage {
        path: path.to_string(),
        shown,
        ids: Vec::new(),
        anchors: HashSet::new(),
        references: Vec::new(),
    };
    for element in document
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let element = element.value();
        if let Some(id) = element.id() {
            page.ids.push(id.to_string());
            page.anchors.insert(id.to_string());
        }
        let mut refer = |kind: Kind, attribute: &str| {
            if let Some(url) = element.attr(attribute) {
                page.references.push(Reference {
                    kind,
                    url: url.to_string(),
                });
            }
        };
        match element.name() {
            "a" => {
                refer(Kind::Link, "href");
                if let Some(name) = element.attr("name") {
                    page.anchors.insert(name.to_string());
                }
            }
            "link" => {
                let is_stylesheet = element.attr("rel").is_some_and(|rel| {
                    rel.split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("stylesheet"))
                });
                refer(
                    if is_stylesheet {
                        Kind::Stylesheet
                    } else {
                        Kind::Link
                    },
                    "href",
                );
            }
            "area" => refer(Kind::Link, "href"),
            "iframe" => refer(Kind::Link, "src"),
            "img" => refer(Kind::Image, "src"),
            "script" => refer(Kind::Script, "src"),
            "video" | "audio" => {
                refer(Kind::Media, "src");
                refer(Kind::Image, "poster");
            }
            "source" | "track" => refer(Kind::Media, "src"),
            _ => {}
        }
        if matches!(element.name(), "img" | "source") {
            if let Some(srcset) = element.attr("srcset") {
                for url in srcset_urls(srcset) {
                    page.references.push(Reference {
                        kind: Kind::Image,
                        url: url.to_string(),
                    });
                }
            }
        }
    }
    page
}

/// Whether a URL depends on the page it is written in: not `/x`, `//host/x`, `#x` or `scheme:x`.
fn is_relative(url: &str) -> bool {
    !(url.starts_with('/') || url.starts_with('#') || crate::site::has_scheme(url))
}

/// The URLs of a `srcset`: candidates are separated by commas, but a URL may hold commas too.
fn srcset_urls(srcset: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    let mut rest = srcset;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return urls;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let (url, after) = rest.split_at(end);
        let bare = url.trim_end_matches(',');
        urls.push(bare);
        if bare.len() < url.len() {
            rest = after;
            continue;
        }
        // Skip the descriptors ("2x", "480w") up to the comma that ends the candidate.
        let mut depth = 0usize;
        let cut = after
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => return true,
                    _ => {}
                }
                false
            })
            .map_or(after.len(), |(i, _)| i);
        rest = &after[cut..];
    }
}

/// Every id used more than once on a page: a `#link` to it reaches only the first.
fn check_duplicate_ids(pages: &[HtmlPage]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for page in pages {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for id in &page.ids {
            *counts.entry(id).or_default() += 1;
        }
        for (id, count) in counts.into_iter().filter(|&(_, n)| n > 1) {
            problems.push(
                Diagnostic::in_file(
                    &page.shown,
                    format!("the id `{id}` is used {count} times on this page"),
                )
                .because(Reason::DuplicateId)
                .hint(format!(
                    "a `#{id}` link reaches only the first; rename the others in the Markdown (`## Title {{#other-id}}`) or the template"
                )),
            );
        }
    }
    problems
}

/// Where a URL written in a page leads.
enum Destination {
    /// Into the site: the path below `base_path`, decoded, and the fragment, decoded.
    Inside {
        path: String,
        fragment: Option<String>,
    },
    /// Onto the site's host, but not below its `base_path`.
    Outside,
    /// To another web site, fragment removed.
    Web(Url),
    /// Somewhere that is not checked: `mailto:`, `tel:`, `data:`, `javascript:`.
    Elsewhere,
}

/// The built site seen from its links: what exists and where URLs lead.
struct SiteLinks<'a> {
    base_url: Url,
    base_path: &'a str,
    files: &'a BTreeMap<String, Vec<u8>>,
    anchors: HashMap<&'a str, &'a HtmlPage>,
    /// URLs written in content, which the build checked already.
    checked: &'a HashSet<String>,
    /// The search index's folder while search is on: `check` makes no index, so what a
    /// template links to in it (Pagefind's script) is taken as published.
    index_dir: Option<&'static str>,
}

impl<'a> SiteLinks<'a> {
    fn new(
        config: &'a Config,
        files: &'a BTreeMap<String, Vec<u8>>,
        pages: &'a [HtmlPage],
        checked: &'a HashSet<String>,
    ) -> Result<Self> {
        let base_url = Url::parse(&config.base_url).map_err(|e| {
            Diagnostic::in_file(
                crate::config::CONFIG_FILE,
                format!("`base_url` is not a valid URL: {e}"),
            )
        })?;
        Ok(SiteLinks {
            base_url,
            base_path: &config.base_path,
            files,
            anchors: pages.iter().map(|p| (p.path.as_str(), p)).collect(),
            checked,
            index_dir: config.search.then_some(crate::config::SEARCH_INDEX),
        })
    }

    /// Where `url`, written in the page at `page_path`, leads.
    fn resolve(&self, page_path: &str, url: &str) -> Result<Destination, url::ParseError> {
        let page_url = self.base_url.join(page_path)?;
        let mut target = page_url.join(url.trim())?;
        if !matches!(target.scheme(), "http" | "https") {
            return Ok(Destination::Elsewhere);
        }
        if target.origin() != self.base_url.origin() {
            target.set_fragment(None);
            return Ok(Destination::Web(target));
        }
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        let path = decode(target.path());
        let below = path
            .strip_prefix(self.base_path)
            .or_else(|| (format!("{path}/") == self.base_path).then_some(""));
        match below {
            Some(below) => Ok(Destination::Inside {
                path: below.to_string(),
                fragment: target.fragment().map(decode),
            }),
            None => Ok(Destination::Outside),
        }
    }

    /// The built file a path below `base_path` names, if there is one.
    fn file_at(&self, path: &str) -> Option<String> {
        if path.is_empty() || path.ends_with('/') {
            let index = format!("{path}index.html");
            return self.files.contains_key(&index).then_some(index);
        }
        if self.files.contains_key(path) {
            return Some(path.to_string());
        }
        let last = path.rsplit('/').next().unwrap_or(path);
        let index = format!("{path}/index.html");
        (!last.contains('.') && self.files.contains_key(&index)).then_some(index)
    }

    /// Every URL into the site that leads nowhere, and every `#fragment` that names nothing.
    fn check_internal(&self, pages: &[HtmlPage]) -> Vec<Diagnostic> {
        pages
            .par_iter()
            .flat_map_iter(|page| {
                page.references
                    .iter()
                    .filter_map(|reference| self.check_reference(page, reference))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn check_reference(&self, page: &HtmlPage, reference: &Reference) -> Option<Diagnostic> {
        let url = reference.url.trim();
        if url.is_empty() || self.checked.contains(url) {
            return None;
        }
        let name = reference.kind.name(url);
        let reason = match reference.kind {
            Kind::Link => Reason::BrokenLink,
            _ => Reason::MissingImage,
        };
        let problem = |message: String, hint: String| {
            Some(
                Diagnostic::in_file(&page.shown, message)
                    .because(reason)
                    .hint(hint),
            )
        };
        let (path, fragment) = match self.resolve(&page.path, url) {
            Err(e) => {
                return problem(
                    format!("{name} is not a valid URL: {e}"),
                    "fix the link in the Markdown or the template that writes it".into(),
                );
            }
            Ok(Destination::Elsewhere | Destination::Web(_)) => return None,
            Ok(Destination::Outside) => {
                return problem(
                    format!(
                        "{name} points outside the site, which is published under `{}`",
                        self.base_path
                    ),
                    "start it with the site's path: templates write `{{ base_path }}`, Markdown a relative link".into(),
                );
            }
            Ok(Destination::Inside { path, fragment }) => (path, fragment),
        };
        if self.index_dir.is_some_and(|dir| path.starts_with(dir)) {
            return None;
        }
        let Some(file) = self.file_at(&path) else {
            // A relative URL means something else on each page that shows it: say what, here.
            let (meaning, also) = if is_relative(url) {
                (
                    format!(" (from this page, `{}{path}`)", self.base_path),
                    "; a relative URL leads somewhere else from each page that shows it",
                )
            } else {
                (String::new(), "")
            };
            return match reference.kind {
                Kind::Link => problem(
                    format!("{name} leads nowhere{meaning}"),
                    format!("fix the link in the Markdown or the template that writes it{also}"),
                ),
                _ => problem(
                    format!("{name} does not exist{meaning}"),
                    format!(
                        "add the file (to static/, or beside the page), or fix the path in the Markdown or the template that writes it{also}"
                    ),
                ),
            };
        };
        let fragment = fragment?;
        let target = self.anchors.get(file.as_str())?;
        let lands = crate::site::anchor_lands(&fragment, target.anchors.iter().map(String::as_str));
        if reference.kind != Kind::Link || lands {
            return None;
        }
        let elsewhere = (target.path != page.path).then_some(target.shown.as_path());
        Some(crate::site::broken_anchor(
            &page.shown,
            url,
            &fragment,
            elsewhere,
            &target.ids,
        ))
    }

    /// Every link to another web site, with the pages that hold it.
    fn external(&self, pages: &[HtmlPage]) -> BTreeMap<Url, Vec<PathBuf>> {
        let mut links: BTreeMap<Url, Vec<PathBuf>> = BTreeMap::new();
        for page in pages {
            for reference in &page.references {
                if let Ok(Destination::Web(url)) = self.resolve(&page.path, &reference.url) {
                    let shown = links.entry(url).or_default();
                    if !shown.contains(&page.shown) {
                        shown.push(page.shown.clone());
                    }
                }
            }
        }
        links
    }
}

/// Asks each outside URL whether it still leads somewhere: `HEAD`, then `GET` for servers that
/// refuse `HEAD`. A few requests at a time, never more than two to one host.
fn check_external(links: &BTreeMap<Url, Vec<PathBuf>>) -> Vec<Diagnostic> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(EXTERNAL_TIMEOUT))
        .http_status_as_error(false)
        .user_agent(format!("serum-check/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    // Each host's URLs are split into at most two lanes; a lane is asked one URL at a time.
    let mut by_host: BTreeMap<String, Vec<&Url>> = BTreeMap::new();
    for url in links.keys() {
        let host = url.origin().ascii_serialization();
        by_host.entry(host).or_default().push(url);
    }
    let lanes: Vec<Vec<&Url>> = by_host
        .into_values()
        .flat_map(|urls| {
            let count = urls.len().min(REQUESTS_PER_HOST);
            let mut lanes = vec![Vec::new(); count];
            for (i, url) in urls.into_iter().enumerate() {
                lanes[i % count].push(url);
            }
            lanes
        })
        .collect();
    let next = AtomicUsize::new(0);
    let failures: Vec<(&Url, String)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..lanes.len().min(REQUESTS_IN_ALL))
            .map(|_| {
                scope.spawn(|| {
                    let mut failures = Vec::new();
                    while let Some(lane) = lanes.get(next.fetch_add(1, Ordering::Relaxed)) {
                        for &url in lane {
                            if let Err(why) = ask(&agent, url) {
                                failures.push((url, why));
                            }
                        }
                    }
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_default())
            .collect()
    });
    failures
        .into_iter()
        .flat_map(|(url, why)| {
            links[url].iter().map(move |shown| {
                Diagnostic::in_file(shown, format!("link to `{url}` failed: {why}"))
                    .because(Reason::ExternalLink)
                    .hint(
                    "fix or remove the link; if that site is down only for now, check again later",
                )
            })
        })
        .collect()
}

/// One outside URL: `Ok` when it answers with a success or a redirect to one.
fn ask(agent: &ureq::Agent, url: &Url) -> std::result::Result<(), String> {
    let status = match agent.head(url.as_str()).call() {
        Ok(response) if matches!(response.status().as_u16(), 405 | 501) => {
            agent.get(url.as_str()).call().map(|r| r.status())
        }
        other => other.map(|r| r.status()),
    };
    match status {
        Ok(status) if status.is_success() => Ok(()),
        Ok(status) => Err(format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )
        .trim_end()
        .to_string()),
        Err(error) => Err(describe_request_error(&error)),
    }
}

fn describe_request_error(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => {
            format!("no answer within {} seconds", EXTERNAL_TIMEOUT.as_secs())
        }
        ureq::Error::HostNotFound => "the host was not found".to_string(),
        ureq::Error::Io(io) => describe_io(io),
        other => other.to_string(),
    }
}

/// How likely a file is to be where a problem seen on many built pages comes from: a page's
/// Markdown shows up again in the listings of its section, its authors and the home page.
fn source_ranks(library: &Library) -> HashMap<PathBuf, u8> {
    let mut ranks = HashMap::new();
    for section in &library.sections {
        if let Some(file) = &section.file {
            ranks.insert(file.clone(), 2);
        }
    }
    for author in &library.authors {
        ranks.insert(author.file.clone(), 1);
    }
    for page in &library.pages {
        ranks.insert(page.file.clone(), 0);
    }
    ranks
}

/// Merges one problem found on many built pages into one message that names the likeliest
/// source first, then the others.
fn group_across_pages(problems: Vec<Diagnostic>, ranks: &HashMap<PathBuf, u8>) -> Vec<Diagnostic> {
    let mut groups: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
    for problem in problems {
        groups
            .entry(problem.message.clone())
            .or_default()
            .push(problem);
    }
    let rank = |problem: &Diagnostic| {
        let rank = problem.path.as_ref().and_then(|p| ranks.get(p)).copied();
        (rank.unwrap_or(u8::MAX), problem.path.clone())
    };
    groups
        .into_values()
        .map(|mut group| {
            group.sort_by_key(rank);
            group.dedup_by(|a, b| a.path == b.path);
            let mut group = group.into_iter();
            let mut first = group.next().expect("a group is never empty");
            let others: Vec<String> = group
                .filter_map(|p| p.path.map(|f| f.display().to_string()))
                .collect();
            if !others.is_empty() {
                first.message = format!("{} (also on {})", first.message, list(&others));
            }
            first
        })
        .collect()
}

/// "a", "a and b", "a, b and c", "a, b, c and 4 more".
fn list(items: &[String]) -> String {
    const SHOWN: usize = 3;
    match items {
        [] => String::new(),
        [one] => one.clone(),
        _ if items.len() <= SHOWN => format!(
            "{} and {}",
            items[..items.len() - 1].join(", "),
            items[items.len() - 1]
        ),
        _ => format!(
            "{} and {} more",
            items[..SHOWN].join(", "),
            items.len() - SHOWN
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srcset_urls_keep_commas_inside_urls() {
        assert_eq!(
            srcset_urls("a.png 1x, b.png 2x,c.png"),
            vec!["a.png", "b.png", "c.png"]
        );
        assert_eq!(
            srcset_urls("data:image/png;base64,AAA= 1x, /b.png 480w"),
            vec!["data:image/png;base64,AAA=", "/b.png"]
        );
        assert!(srcset_urls("  ").is_empty());
    }

    #[test]
    fn lists_name_a_few_then_count() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert_eq!(list(&items[..1]), "a");
        assert_eq!(list(&items[..2]), "a and b");
        assert_eq!(list(&items[..3]), "a, b and c");
        assert_eq!(list(&items), "a, b, c and 2 more");
    }
}
