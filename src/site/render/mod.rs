//! Steps 7 to 10: every output file, each with a key; an output whose key is the one the
//! previous build recorded is kept, the others are rendered and written.

mod feeds;
mod listings;
mod pages;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::views::Views;
use super::{Key, KeyHasher, Site};
use crate::error::{Diagnostic, Diagnostics};
use crate::output::Output;
use crate::theme::{FileSource, Theme};

/// What happened to one output.
pub(crate) enum Outcome {
    /// The previous build's file was kept.
    Kept,
    /// The file was written.
    Written,
    /// It could not be made: the problem, and the content file it was made for.
    Failed(Diagnostic, PathBuf),
}

/// Counts of what the render steps did.
#[derive(Debug, Default)]
pub(crate) struct Written {
    pub written: usize,
    pub kept: usize,
    pub static_files: usize,
}

impl Written {
    /// Adds the counts of a step that ran on another thread.
    pub(crate) fn merge(&mut self, other: Written) {
        self.written += other.written;
        self.kept += other.kept;
        self.static_files += other.static_files;
    }

    /// Counts outcomes and collects the problems, grouping one template problem met on many
    /// pages into one message.
    fn add(&mut self, outcomes: Vec<Outcome>, diagnostics: &mut Diagnostics) {
        let mut failed = Vec::new();
        for outcome in outcomes {
            match outcome {
                Outcome::Kept => self.kept += 1,
                Outcome::Written => self.written += 1,
                Outcome::Failed(problem, file) => failed.push((problem, file)),
            }
        }
        diagnostics.extend(summarize_template_problems(failed));
    }
}

/// Renders templates into the output.
pub(crate) struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    views: &'a Views<'a>,
    output: &'a dyn Output,
    images: &'a super::images::SiteImages,
}

impl<'a> Renderer<'a> {
    /// A renderer of a site's views with its theme.
    pub(crate) fn new(
        site: &'a Site,
        theme: &'a Theme,
        views: &'a Views<'a>,
        output: &'a dyn Output,
        images: &'a super::images::SiteImages,
    ) -> Self {
        Renderer {
            site,
            theme,
            views,
            output,
            images,
        }
    }

    /// The key of an output in language `lang` rendered with `template` from a context whose
    /// own key is `context`.
    fn key(&self, template: &str, context: Key, lang: usize) -> Key {
        KeyHasher::new()
            .key(self.theme.template_key(template))
            .key(
                self.views
                    .globals_keys
                    .get(lang)
                    .copied()
                    .unwrap_or_default(),
            )
            .key(context)
            .finish()
    }

    /// Renders `template` in language `lang` into `path`, unless the file made from `key` is
    /// there already. `source` is the content file the output is made for, named in problems.
    fn html(
        &self,
        (path, lang): (&str, usize),
        key: Key,
        template: &str,
        context: impl FnOnce() -> tera::Context,
        source: &Path,
    ) -> Outcome {
        if self.output.reuse(path, key) {
            self.images.keep_uses(path);
            return Outcome::Kept;
        }
        // The image copies its templates ask for are kept with it, for builds that keep it.
        let (result, uses) = super::images::collecting(|| {
            let mut context = context();
            self.site.in_language(&mut context, lang);
            context.insert("current_path", &self.site.config.url_path(path_of(path)));
            context.insert("current_url", &self.site.config.permalink(path_of(path)));
            self.theme.render(template, &context)
        });
        self.images.record_uses(path, uses);
        let result = result.and_then(|html| self.output.write(path, key, html.as_bytes()));
        match result {
            Ok(()) => Outcome::Written,
            Err(problem) => Outcome::Failed(problem, source.to_path_buf()),
        }
    }

    /// Writes bytes made without a template (feeds, sitemap, redirects), keyed by themselves.
    fn bytes(&self, path: &str, bytes: &[u8]) -> Result<Outcome, Diagnostic> {
        let key = KeyHasher::new().bytes(bytes).finish();
        if self.output.reuse(path, key) {
            return Ok(Outcome::Kept);
        }
        self.output.write(path, key, bytes)?;
        Ok(Outcome::Written)
    }

    /// Step 7: the theme's and the site's static files, and the content's assets, copied as
    /// they are.
    pub(crate) fn copy_static_files(&self, written: &mut Written, diagnostics: &mut Diagnostics) {
        let statics = self.theme.static_files();
        let assets = &self.site.library.assets;
        let copy = |path: &str, source: &FileSource| -> Outcome {
            let (key, private) = match source {
                FileSource::Disk(file) => self
                    .images
                    .original(file, super::images::source_stamp(file)),
                FileSource::Embedded(bytes) => (KeyHasher::new().bytes(bytes).finish(), false),
                FileSource::Made(bytes) => (KeyHasher::new().bytes(bytes).finish(), false),
            };
            if self.output.reuse(path, key) {
                return Outcome::Kept;
            }
            let result = match source {
                // A photo goes out without the metadata the camera put in it.
                FileSource::Disk(file) if private => self
                    .images
                    .private_copy(file, super::images::source_stamp(file))
                    .map_err(|e| {
                        crate::error::Diagnostic::in_file(
                            file,
                            format!("cannot remove the metadata of this image: {e}"),
                        )
                        .because(crate::error::Reason::Io)
                    })
                    .and_then(|copy| self.output.link_file(path, key, &copy)),
                FileSource::Disk(file) => self.output.copy_file(path, key, file),
                FileSource::Embedded(bytes) => self.output.write(path, key, bytes),
                FileSource::Made(bytes) => self.output.write(path, key, bytes),
            };
            match result {
                Ok(()) => Outcome::Written,
                Err(problem) => Outcome::Failed(problem, PathBuf::new()),
            }
        };
        // A content file published where a static file is wins: it is the more specific.
        let taken: std::collections::HashSet<&str> =
            assets.iter().map(|a| a.output_path.as_str()).collect();
        let outcomes: Vec<Outcome> = statics
            .par_iter()
            .filter(|file| !taken.contains(file.output_path.as_str()))
            .map(|file| copy(&file.output_path, &file.source))
            .chain(
                assets
                    .par_iter()
                    .map(|asset| copy(&asset.output_path, &FileSource::Disk(asset.source.clone()))),
            )
            .collect();
        let root = &self.site.config.root;
        for outcome in outcomes {
            match outcome {
                Outcome::Kept => written.kept += 1,
                Outcome::Written => written.written += 1,
                // Sources are absolute paths: name them as the writer knows them.
                Outcome::Failed(mut problem, _) => {
                    if let Some(relative) = (problem.path.as_deref())
                        .and_then(|path| path.strip_prefix(root).ok())
                        .map(Path::to_path_buf)
                    {
                        problem.path = Some(relative);
                    }
                    diagnostics.push(problem);
                }
            }
        }
        written.static_files = statics.len() + assets.len();
    }
}

/// `articles/x/index.html` -> `articles/x/`: the URL path of an HTML file.
fn path_of(file: &str) -> &str {
    file.strip_suffix("index.html").unwrap_or(file)
}

/// Groups one template problem met on many pages into one message naming the first page and
/// a count.
fn summarize_template_problems(problems: Vec<(Diagnostic, PathBuf)>) -> Vec<Diagnostic> {
    let mut groups: BTreeMap<String, (Diagnostic, Vec<PathBuf>)> = BTreeMap::new();
    for (problem, rendering) in problems {
        let key = problem.to_string();
        groups
            .entry(key)
            .or_insert_with(|| (problem, Vec::new()))
            .1
            .push(rendering);
    }
    groups
        .into_values()
        .map(|(mut problem, mut files)| {
            files.sort();
            let others = match files.len() {
                1 => String::new(),
                2 => " and 1 other file".to_string(),
                n => format!(" and {} other files", n - 1),
            };
            if !files[0].as_os_str().is_empty() {
                problem.message = format!(
                    "{} (while rendering {}{others})",
                    problem.message,
                    files[0].display()
                );
            }
            problem
        })
        .collect()
}
