//! Step 1: the content and the theme, loaded side by side; and the fingerprint of everything
//! a build reads, which tells a rebuild that nothing changed.

use std::path::Path;

use rayon::prelude::*;

use super::{BuildOptions, Site};
use crate::config::Config;
use crate::content::{Library, LoadOptions};
use crate::error::Diagnostics;
use crate::theme::Theme;

impl Site {
    /// Loads the content and the theme. Problems are kept, not raised: the build reports them
    /// with its own, so that none hides another.
    pub fn load(config: Config, options: BuildOptions) -> Site {
        let now = jiff::Timestamp::now();
        let load = LoadOptions {
            drafts: options.drafts,
            future: options.future,
            now,
        };
        let (mut library, theme) = rayon::join(
            || Library::load(&config, &load),
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
/// and modification time of every file of the site. Equal fingerprints mean equal output.
/// Each file's details go straight into the hash: a rebuild after an edit pays for this walk
/// too, so it makes no text.
pub fn input_fingerprint(config: &Config, options: &BuildOptions) -> String {
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
    let describe = |hasher: super::KeyHasher, path: &Path| {
        let entries: Vec<walkdir::DirEntry> = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .collect();
        // Asking the system about each file is most of the walk (100,000 of them take a
        // quarter of a second), so the files are asked about in parallel.
        let metadata: Vec<_> = entries
            .par_iter()
            .map(|entry| entry.metadata().ok())
            .collect();
        entries
            .iter()
            .zip(metadata)
            .filter_map(|(entry, meta)| Some((meta?, entry)))
            .fold(hasher, |h, (meta, entry)| {
                h.bytes(entry.path().as_os_str().as_encoded_bytes())
                    .number(meta.len())
                    .number(modified_nanos(&meta).unwrap_or(u64::MAX))
                    .numbers(&change_stamp(&meta))
            })
    };
    let hasher = [
        config.root.join(crate::config::CONFIG_FILE),
        config.content_dir(),
        config.themes_dir(),
        config.templates_dir(),
        config.static_dir(),
        config.root.join("i18n"),
    ]
    .iter()
    .fold(hasher, |h, path| describe(h, path));
    format!("{:032x}", hasher.finish())
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
