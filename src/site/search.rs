//! Step 11: the search index. Every page a reader may find goes to Pagefind as a record made
//! from what the build holds in memory (its URL, title, plain text and language; the author,
//! date, section and cover results show; the section, tags and authors the search page filters
//! by), and Pagefind's files go under `pagefind/` like every other output. Drafts, `noindex`
//! pages and pages dated after the build are never indexed; redirects, listings, their pager
//! pages and 404 are not pages, so never records.
//!
//! Each record has a key; when every key is the one the last build indexed, the last build's
//! files are kept as they are and Pagefind does not run. Otherwise the last build's Pagefind
//! index, kept in memory, takes again only the records whose key changed (when the same pages
//! are indexed, in the same order), and makes its files from them and the others it holds.

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::render::Written;
use super::views::Views;
use super::{Key, KeyHasher, Site, Step};
use crate::content::Page;
use crate::error::{Diagnostic, Diagnostics, Reason};
use crate::i18n::Strings;
use crate::output::Output;

pub(crate) use crate::config::{SEARCH_INDEX as INDEX_DIR, SEARCH_PAGE as PAGE_PATH};

/// The template of the search page.
pub(crate) const TEMPLATE: &str = "search.html";

/// Pagefind's files that the search page uses: its script and worker, the WebAssembly that
/// searches, the entry point, and the index. Its own user interfaces are left out: each
/// theme shows results in its own markup.
fn is_published(file: &str) -> bool {
    matches!(
        file,
        "pagefind.js" | "pagefind-worker.js" | "pagefind-entry.json"
    ) || (file.starts_with("wasm.") && file.ends_with(".pagefind"))
        || (file.starts_with("pagefind.") && file.ends_with(".pf_meta"))
        || ["index/", "fragment/", "filter/"]
            .iter()
            .any(|dir| file.starts_with(dir) && !file[dir.len()..].contains('/'))
}

/// How much of a page's text the index takes: far more than any article, and a bound on
/// what one result makes a reader download (Pagefind sends a page's whole text for its
/// excerpt).
pub(crate) const MAX_TEXT: usize = 512 * 1024;

/// What the last build indexed, kept for the next.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct IndexState {
    /// The key of every record, and of Pagefind itself.
    key: Key,
    /// The files it wrote, each with its key, by path in the site.
    files: Vec<(String, Key)>,
    /// Pagefind's index itself; never saved, so `serum build` makes a new one every time,
    /// while `serve` keeps it from one save to the next.
    #[serde(skip)]
    live: Option<LiveIndex>,
}

/// A Pagefind index in memory, and what it holds: the URL and key of each record, in order.
struct LiveIndex {
    index: pagefind::api::PagefindIndex,
    /// The key of Pagefind itself.
    base: Key,
    records: Vec<(String, Key)>,
}

impl std::fmt::Debug for LiveIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LiveIndex({} records)", self.records.len())
    }
}

impl LiveIndex {
    /// Whether the index holds the same pages as `records`, in the same order: it can then
    /// take again those that changed, in place (Pagefind replaces a record by its URL), and
    /// makes the files a new index of `records` would. It cannot forget a record.
    fn holds_pages_of(&self, base: Key, records: &[Record]) -> bool {
        self.base == base
            && self.records.len() == records.len()
            && self
                .records
                .iter()
                .zip(records)
                .all(|((url, _), record)| *url == record.url)
    }

    /// The records whose key is not the one this index holds.
    fn changed(&self, records: &[Record]) -> Vec<usize> {
        (0..records.len())
            .filter(|&i| self.records[i].1 != records[i].key)
            .collect()
    }
}

/// One page as the index sees it, but for its text, which is read only when the index is
/// made.
struct Record {
    /// The page, in library order.
    page: usize,
    url: String,
    /// Its language's code, in lowercase: Pagefind makes an index for each language, and the
    /// search page of a language (`<html lang="fr">`) searches that language's.
    language: String,
    meta: BTreeMap<String, String>,
    filters: BTreeMap<String, Vec<String>>,
    key: Key,
}

/// Whether a page may be found by searching: no drafts, no `noindex` pages, nothing dated
/// after the build (`--future` shows such pages, but the index never holds them).
pub(crate) fn is_indexed(site: &Site, page: &Page) -> bool {
    !page.draft
        && !page.noindex
        && page
            .date
            .is_none_or(|date| date.timestamp() <= site.now.timestamp())
}

/// Writes the search index into `output`, or keeps the last build's when no record changed;
/// returns how long its two parts took, for `--timings`: giving Pagefind the records (with
/// their texts), and Pagefind making its files (its index, gzipped) and writing them.
pub(crate) fn write_index(
    site: &Site,
    views: &Views,
    strings: &Strings,
    output: &dyn Output,
    last: &mut Option<IndexState>,
    written: &mut Written,
    diagnostics: &mut Diagnostics,
) -> Vec<Step> {
    let started = Instant::now();
    let records = records(site, views, strings);
    let base = KeyHasher::new().text(PAGEFIND_VERSION).finish();
    let key = records
        .iter()
        .fold(KeyHasher::new().key(base), |h, r| h.key(r.key))
        .finish();
    let live = match last.take() {
        // Every file or none: a half-kept index would mix two builds.
        Some(kept)
            if kept.key == key
                && kept
                    .files
                    .iter()
                    .all(|(path, key)| output.reuse(path, *key)) =>
        {
            written.kept += kept.files.len();
            *last = Some(kept);
            return Vec::new();
        }
        Some(state) => state
            .live
            .filter(|live| live.holds_pages_of(base, &records)),
        None => None,
    };
    let changed = match &live {
        Some(live) => live.changed(&records),
        None => (0..records.len()).collect(),
    };
    let texts: Vec<String> = changed
        .par_iter()
        .map(|&i| {
            let page = records[i].page;
            capped(views.bodies.take_page_text(site, views.links, page))
        })
        .collect();
    let index = live.map(|live| live.index);
    let made = match run_pagefind(index, &records, &changed, texts) {
        Ok(made) => made,
        Err(message) => {
            diagnostics.push(failed(&message));
            return Vec::new();
        }
    };
    *last = write_files(key, &made.files, output, written, diagnostics).map(|state| {
        let records = records.into_iter().map(|r| (r.url, r.key)).collect();
        IndexState {
            live: Some(LiveIndex {
                index: made.index,
                base,
                records,
            }),
            ..state
        }
    });
    // The index runs beside the other steps: the process's CPU time is theirs too.
    let took = |name, took| Step {
        name,
        took,
        cpu: None,
        resident: None,
    };
    vec![
        took("index records", made.files_started - started),
        took("index files", made.files_started.elapsed()),
    ]
}

/// The problem of an index that could not be made.
fn failed(message: &str) -> Diagnostic {
    Diagnostic::new(format!("cannot build the search index: {message}"))
        .because(Reason::Io)
        .hint(
            "set `search = false` in serum.toml to build the site without search, and report this",
        )
}

/// The problem of an index whose making stopped unexpectedly.
pub(crate) fn stopped() -> Diagnostic {
    failed(STOPPED)
}

const STOPPED: &str = "Pagefind stopped unexpectedly";

/// Puts Pagefind's files in the output; returns what the next build may keep, when every
/// file could be written.
fn write_files(
    key: Key,
    files: &[(String, Vec<u8>)],
    output: &dyn Output,
    written: &mut Written,
    diagnostics: &mut Diagnostics,
) -> Option<IndexState> {
    // Most files of a new index are those of the last one (its script, its WebAssembly, the
    // chunks no change reached): those are kept as they are.
    let outcomes: Vec<Result<(String, Key, bool), Diagnostic>> = files
        .par_iter()
        .map(|(path, bytes)| {
            let key = KeyHasher::new().bytes(bytes).finish();
            let path = format!("{INDEX_DIR}{path}");
            if output.reuse(&path, key) {
                return Ok((path, key, false));
            }
            output.write(&path, key, bytes).map(|()| (path, key, true))
        })
        .collect();
    let mut state = IndexState {
        key,
        files: Vec::with_capacity(outcomes.len()),
        live: None,
    };
    for outcome in outcomes {
        match outcome {
            Ok((path, key, made)) => {
                match made {
                    true => written.written += 1,
                    false => written.kept += 1,
                }
                state.files.push((path, key));
            }
            Err(problem) => diagnostics.push(problem),
        }
    }
    (state.files.len() == files.len()).then_some(state)
}

/// The version of Pagefind that makes the index: a new one makes other files.
const PAGEFIND_VERSION: &str = "pagefind 1.6.0";

/// Every page the index holds, with its key.
fn records(site: &Site, views: &Views, strings: &Strings) -> Vec<Record> {
    let lib = &site.library;
    let config = &site.config;
    (0..lib.pages.len())
        .into_par_iter()
        .filter(|&i| is_indexed(site, &lib.pages[i]))
        .map(|i| {
            let page = &lib.pages[i];
            let tags = lib.taxonomies_of(page.lang).first();
            let authors: Vec<String> = page
                .authors
                .iter()
                .filter_map(|slug| lib.author(page.lang, slug))
                .map(|a| a.name.clone())
                .collect();
            let section = lib
                .section_index(page.lang, &page.section)
                .map(|s| lib.sections[s].title.clone())
                .filter(|_| !page.section.is_empty());
            let tags: Vec<String> = page
                .terms(0)
                .iter()
                .filter_map(|name| tags.and_then(|t| t.term(name)))
                .map(|term| term.name.clone())
                .collect();
            let mut meta = BTreeMap::from([("title".to_string(), page.title.clone())]);
            if !authors.is_empty() {
                meta.insert("author".into(), authors.join(", "));
            }
            let language = site.language_code(page.lang);
            if let Some(date) = page.date {
                meta.insert("date".into(), date.civil_date().to_string());
                // As the theme's bylines write it, so that the search page needs no date
                // formatting of its own (the browser's costs it ~40 ms on first use).
                if let Ok(text) = strings.write_date(date.civil_datetime(), language) {
                    meta.insert("date_text".into(), text);
                }
            }
            if let Some(section) = &section {
                meta.insert("section".into(), section.clone());
            }
            if let Some(cover) = views.cover(i) {
                let small = cover.srcset.as_deref().and_then(|s| s.split(' ').next());
                meta.insert("image".into(), small.unwrap_or(&cover.src).to_string());
                meta.insert("image_alt".into(), cover.alt.to_string());
            }
            let mut filters = BTreeMap::new();
            for (name, values) in [
                ("section", section.into_iter().collect()),
                ("tags", tags),
                ("author", authors),
            ] {
                if !values.is_empty() {
                    filters.insert(name.to_string(), values);
                }
            }
            let url = config.url_path(&page.path);
            let language = language.to_lowercase();
            let key = KeyHasher::new()
                .key(views.bodies.pages[i].output_key)
                .text(&url)
                .text(&language)
                .value(&meta)
                .value(&filters)
                .finish();
            Record {
                page: i,
                url,
                language,
                meta,
                filters,
                key,
            }
        })
        .collect()
}

/// What Pagefind made: the index, which the next build may take on, and its files.
struct Made {
    index: pagefind::api::PagefindIndex,
    /// Its files, by path in its folder.
    files: Vec<(String, Vec<u8>)>,
    /// When it had every record and began to make its files.
    files_started: Instant,
}

/// Gives Pagefind the `changed` records, with their texts, in a new index or in the one the
/// last build left, and has it make its files. Pagefind runs on a thread of its own: it is
/// asynchronous, and `serve` already runs the build inside a runtime.
fn run_pagefind(
    index: Option<pagefind::api::PagefindIndex>,
    records: &[Record],
    changed: &[usize],
    texts: Vec<String>,
) -> Result<Made, String> {
    let run = || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let mut index = match index {
                Some(index) => index,
                None => pagefind::api::PagefindIndex::new(None).map_err(|e| e.to_string())?,
            };
            for (&i, text) in changed.iter().zip(texts) {
                let record = &records[i];
                index
                    .add_custom_record(
                        record.url.clone(),
                        escape(&text),
                        record.language.clone(),
                        Some(record.meta.clone()),
                        Some(record.filters.clone()),
                        None,
                    )
                    .await
                    .map_err(|e| e.to_string())?;
            }
            let files_started = Instant::now();
            let files = index.get_files().await.map_err(|e| e.to_string())?;
            let files = files
                .into_iter()
                .filter_map(|file| {
                    let path = file.filename.to_string_lossy().replace('\\', "/");
                    is_published(&path).then_some((path, file.contents))
                })
                .collect();
            Ok(Made {
                index,
                files,
                files_started,
            })
        })
    };
    std::thread::scope(|scope| {
        scope
            .spawn(run)
            .join()
            .unwrap_or_else(|_| Err(STOPPED.into()))
    })
}

/// The text, cut at a word once it is longer than [`MAX_TEXT`].
fn capped(mut text: String) -> String {
    if text.len() > MAX_TEXT {
        let mut limit = MAX_TEXT;
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let end = text[..limit].rfind(char::is_whitespace).unwrap_or(limit);
        text.truncate(end);
    }
    text
}

/// The text as HTML text, which is what Pagefind reads from pages: excerpts made from it are
/// then safe to show as HTML, with only Pagefind's `<mark>` in them.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + text.len() / 16);
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html_body_text(&mut escaped, text);
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_files_the_search_page_reads_are_published() {
        for kept in [
            "pagefind.js",
            "pagefind-worker.js",
            "pagefind-entry.json",
            "wasm.en.pagefind",
            "wasm.unknown.pagefind",
            "pagefind.en_3f2a.pf_meta",
            "index/en_1a2b.pf_index",
            "fragment/en_9c.pf_fragment",
            "filter/en_77.pf_filter",
        ] {
            assert!(is_published(kept), "{kept}");
        }
        for left in [
            "pagefind-ui.js",
            "pagefind-ui.css",
            "pagefind-modular-ui.js",
            "pagefind-component-ui.css",
            "pagefind-highlight.js",
            "playground/index.html",
            "index/deeper/x.pf_index",
        ] {
            assert!(!is_published(left), "{left}");
        }
    }

    #[test]
    fn a_long_text_is_cut_at_a_word() {
        let text = "word ".repeat(MAX_TEXT / 4);
        let cut = capped(text);
        assert!(
            cut.len() <= MAX_TEXT && cut.len() > MAX_TEXT - 6,
            "{}",
            cut.len()
        );
        assert!(cut.ends_with("word"));
        let unbroken = "é".repeat(MAX_TEXT);
        assert!(capped(unbroken).len() <= MAX_TEXT);
        assert_eq!(capped("short".into()), "short");
    }

    #[test]
    fn text_is_escaped_as_html_text() {
        assert_eq!(escape("a < b & <script>"), "a &lt; b &amp; &lt;script&gt;");
    }
}
