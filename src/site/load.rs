//! Step 1: the content and the theme, loaded side by side; and the fingerprint of everything
//! a build reads, which tells a rebuild that nothing changed.

use std::path::Path;

use rayon::prelude::*;

use super::{BuildOptions, Site};
use crate::config::Config;
use crate::content::{Library, Listing, LoadOptions};
use crate::error::Diagnostics;
use crate::theme::Theme;

impl Site {
    /// Loads the content and the theme. Problems are kept, not raised: the build reports them
    /// with its own, so that none hides another.
    pub fn load(config: Config, options: BuildOptions) -> Site {
        Site::load_listed(config, options, None)
    }

    /// Loads the content `listing` found, or walks `content/` first when there is none.
    pub fn load_listed(config: Config, options: BuildOptions, listing: Option<Listing>) -> Site {
        let now = jiff::Timestamp::now();
        let load = LoadOptions {
            drafts: options.drafts,
            future: options.future,
            now,
        };
        let (mut library, theme) = rayon::join(
            || {
                let listing = listing.unwrap_or_else(|| Listing::of(&config));
                if wants_small_pages(listing.files.iter().map(|f| f.relative.as_str())) {
                    use_small_pages();
                }
                Library::load(&config, &load, listing)
            },
            || Theme::load(&config, options.fingerprint_assets),
        );
        let mut diagnostics = Diagnostics::default();
        diagnostics.extend(std::mem::take(&mut library.diagnostics));
        let theme = diagnostics.take(theme);
        let mut site = Site {
            config,
            options,
            library,
            theme,
            now: crate::content::Date::from_timestamp(now),
            languages: Vec::new(),
            diagnostics,
        };
        site.languages = super::views::language_values(&site);
        if let Some(mut theme) = site.theme.take() {
            theme.set_globals(super::views::globals(&site));
            site.theme = Some(theme);
        }
        site
    }
}

/// From this many Markdown files up, a build's memory goes in 4 KiB pages.
const SMALL_PAGES_FROM: usize = 30_000;

/// Whether a site is large enough that its build should take its memory in 4 KiB pages, not
/// in the 2 MiB ones Linux gives where it can. A 2 MiB page is cleared whole at its first
/// touch, and the load and Markdown steps touch hundreds of megabytes of fresh memory: at
/// 100,000 articles, 641 of the 652 kernel samples `perf` took in the Markdown step were that
/// clearing, at about 2.7 s per GB, on a virtual machine that gives its free 2 MiB blocks back
/// to its host (probably the cause: each must be backed again). There, 4 KiB pages cut the
/// load step's system time from 2.1 to 1.6 s and the Markdown step's from 1.2 to 0.35 s, and
/// the whole build by 4% (bench/bench.py `--small-pages both`; five A/B runs went from 1%
/// slower to 6% faster). Smaller sites gain nothing: at 30,000 articles the two built as
/// fast, at 10,000 the 2 MiB pages were up to 5% faster, since listings read other pages'
/// summaries from all over the memory, which fewer, larger pages cover better.
fn wants_small_pages<'a>(content_files: impl Iterator<Item = &'a str>) -> bool {
    let markdown = content_files.filter(|name| crate::content::is_markdown(name));
    markdown.count() >= SMALL_PAGES_FROM
}

/// Has Linux map this process's memory in 4 KiB pages from now on, for as long as it runs.
/// Should the kernel refuse, the build goes on in the pages it had.
fn use_small_pages() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

/// A fingerprint of everything a build reads: serum itself, the options, and the name, size
/// and modification time of every file of the site, the files of `content/` as `content`
/// lists them. Equal fingerprints mean equal output. Each file's details go straight into
/// the hash: a rebuild after an edit pays for this too, so it makes no text.
pub fn input_fingerprint(config: &Config, options: &BuildOptions, content: &Listing) -> String {
    let mut hasher = super::KeyHasher::new()
        .text(env!("CARGO_PKG_VERSION"))
        .text(&format!("{options:?}"))
        .text(&config.theme)
        .text(&config.base_url)
        .text(&config.root.to_string_lossy());
    if let Some(exe) = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok())
    {
        hasher = hasher
            .number(exe.len())
            .number(modified_nanos(&exe).unwrap_or(u64::MAX));
    }
    // `content/` as the build's own walk listed it (a folder is a section, so folders count
    // too); the other folders walked here.
    hasher = content.dirs().fold(hasher, |h, dir| h.text(dir));
    hasher = describe(hasher, content.files().collect());
    let hasher = [
        config.root.join(crate::config::CONFIG_FILE),
        config.themes_dir(),
        config.templates_dir(),
        config.static_dir(),
        config.root.join("i18n"),
    ]
    .iter()
    .fold(hasher, |h, path| {
        let entries: Vec<walkdir::DirEntry> = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .collect();
        describe(h, entries.iter().map(walkdir::DirEntry::path).collect())
    });
    format!("{:032x}", hasher.finish())
}

/// Each file's path, size, modification time and change stamp, into `hasher`. Asking the
/// system about each file is most of the fingerprint (100,000 of them take a quarter of a
/// second), so the files are asked about in parallel.
fn describe(hasher: super::KeyHasher, paths: Vec<&Path>) -> super::KeyHasher {
    let metadata: Vec<_> = paths
        .par_iter()
        .map(|path| std::fs::metadata(path).ok())
        .collect();
    paths
        .iter()
        .zip(metadata)
        .filter_map(|(path, meta)| Some((meta?, path)))
        .fold(hasher, |h, (meta, path)| {
            h.bytes(path.as_os_str().as_encoded_bytes())
                .number(meta.len())
                .number(modified_nanos(&meta).unwrap_or(u64::MAX))
                .numbers(&change_stamp(&meta))
        })
}

/// A file's modification time, in nanoseconds since 1970, where the system gives it.
pub(crate) fn modified_nanos(meta: &std::fs::Metadata) -> Option<u64> {
    let since = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    u64::try_from(since.as_nanos()).ok()
}

/// What tools that copy files with their times (`cp -p`, `rsync -t`, `tar`) cannot set: the
/// inode and the change time, on Unix.
#[cfg(unix)]
pub(crate) fn change_stamp(meta: &std::fs::Metadata) -> [u64; 3] {
    use std::os::unix::fs::MetadataExt;
    [meta.ino(), meta.ctime() as u64, meta.ctime_nsec() as u64]
}

#[cfg(not(unix))]
pub(crate) fn change_stamp(_: &std::fs::Metadata) -> [u64; 3] {
    [0; 3]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(markdown: usize, photos: usize) -> bool {
        let names = (0..markdown)
            .map(|i| format!("posts/post-{i}.md"))
            .chain((0..photos).map(|i| format!("posts/photo-{i}.jpg")))
            .collect::<Vec<_>>();
        wants_small_pages(names.iter().map(String::as_str))
    }

    #[test]
    fn a_site_of_30000_markdown_files_or_more_is_built_in_small_memory_pages() {
        assert!(!wanted(0, 0));
        assert!(!wanted(29_999, 0));
        assert!(wanted(30_000, 0));
        // Photos and other files are copied, not held: they do not count.
        assert!(!wanted(10_000, 50_000));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn small_pages_are_the_kernel_s_choice_for_the_rest_of_the_process() {
        use_small_pages();
        assert!(rustix::thread::transparent_huge_pages_are_disabled().unwrap());
    }
}
