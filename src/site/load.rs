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
