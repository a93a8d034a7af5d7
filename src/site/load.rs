//! Step 1: the content and the theme, loaded side by side; and the fingerprint of everything
//! a build reads, which tells a rebuild that nothing changed.

use std::path::Path;

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
pub fn input_fingerprint(config: &Config, options: &BuildOptions) -> String {
    use std::fmt::Write as _;
    let mut listing = format!(
        "serum {}\n{:?}\n{}\n{}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        options,
        config.theme,
        config.base_url,
        config.root.display()
    );
    if let Some(exe) = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok())
    {
        let _ = writeln!(listing, "exe {} {:?}", exe.len(), exe.modified().ok());
    }
    let mut describe = |path: &Path| {
        for entry in walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if let Ok(meta) = entry.metadata() {
                let _ = writeln!(
                    listing,
                    "{} {} {:?} {}",
                    entry.path().display(),
                    meta.len(),
                    meta.modified().ok(),
                    change_stamp(&meta)
                );
            }
        }
    };
    describe(&config.root.join(crate::config::CONFIG_FILE));
    for dir in [
        config.content_dir(),
        config.themes_dir(),
        config.templates_dir(),
        config.static_dir(),
        config.root.join("i18n"),
    ] {
        describe(&dir);
    }
    format!("{:032x}", super::KeyHasher::new().text(&listing).finish())
}

/// What tools that copy files with their times (`cp -p`, `rsync -t`, `tar`) cannot set: the
/// inode and the change time, on Unix.
#[cfg(unix)]
pub(crate) fn change_stamp(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!("{} {}.{}", meta.ino(), meta.ctime(), meta.ctime_nsec())
}

#[cfg(not(unix))]
pub(crate) fn change_stamp(_: &std::fs::Metadata) -> String {
    String::new()
}
