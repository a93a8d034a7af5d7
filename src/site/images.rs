//! Step 5: every image the site shows, through one pipeline. Images in Markdown and covers
//! get resized and WebP copies for `srcset`; templates ask for copies of their own with
//! `resize_image` (listing thumbnails, avatars); and every JPEG, PNG and WebP file the site
//! publishes loses its metadata.
//!
//! A copy is made (or found in `.serum-cache/images/`) when it is first asked for: while
//! bodies render for the images in them, while templates render for theirs, in parallel
//! across pages. Each is planned at the path it will be published at, and [`SiteImages::
//! publish`] puts them all in the output at the end.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Key, KeyHasher, Site};
use crate::error::{Diagnostic, Diagnostics, Reason};
use crate::images::{
    Format, ImageCache, Operation, Probe, SOCIAL_WIDTH, VARIANT_WIDTHS, WEBP_QUALITY,
};
use crate::markdown::{LinkAction, Picture};
use crate::output::Output;
use crate::theme::{FileSource, ResizeRequest, Resized};

/// Changes whenever what serum writes into copies does: every copy is then made again.
const COPIES_VERSION: &str = "serum-images 1";

/// One copy the build publishes.
#[derive(Debug, Clone)]
struct Planned {
    source: PathBuf,
    probe: Probe,
    make: Make,
}

/// How a copy is made.
#[derive(Debug, Clone, Copy)]
enum Make {
    /// Resized or re-encoded.
    Copy(Operation),
    /// An SVG rendered as a PNG this wide, for link previews.
    Rasterized(u32),
}

/// A copy a template asked for while rendering one output, kept in the build's state: when
/// that output is kept in a later build, so is the copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ImageUse {
    path: String,
    source: PathBuf,
    operation: Operation,
}

/// What was made of one cover file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CoverCopies {
    /// `url 480w, url 960w, …` in the cover's format, when there are copies.
    pub srcset: Option<String>,
    /// The same in WebP, when there are WebP copies.
    pub webp_srcset: Option<String>,
    /// The PNG made of an SVG cover.
    pub social: Option<String>,
}

/// What was made of each cover file, by the file.
pub(crate) type Covers = HashMap<PathBuf, CoverCopies>;

/// The images of one build.
pub(crate) struct SiteImages {
    cache: ImageCache,
    /// Make copies (`build`, `serve`); `check` only reads what images are.
    process: bool,
    base_path: String,
    /// The file on disk of everything the site publishes from disk, by output path.
    by_output: HashMap<String, PathBuf>,
    /// The output path of each content file, by its path in `content/`.
    by_content: HashMap<String, String>,
    /// Every copy this build publishes, by output path.
    planned: Mutex<HashMap<String, Planned>>,
    /// The copies each output of the last build asked for.
    previous: HashMap<String, Vec<ImageUse>>,
    /// The copies each output of this build asked for.
    uses: Mutex<HashMap<String, Vec<ImageUse>>>,
}

impl SiteImages {
    /// The images of a site, with what its last build asked for.
    pub(crate) fn new(site: &Site, previous: HashMap<String, Vec<ImageUse>>) -> SiteImages {
        let mut by_output = HashMap::new();
        if let Some(theme) = &site.theme {
            for file in theme.static_files() {
                if let FileSource::Disk(path) = &file.source {
                    by_output.insert(file.output_path.clone(), path.clone());
                }
            }
        }
        let mut by_content = HashMap::new();
        for asset in &site.library.assets {
            by_output.insert(asset.output_path.clone(), asset.source.clone());
            by_content.insert(asset.content_path.clone(), asset.output_path.clone());
        }
        SiteImages {
            cache: ImageCache::open(&site.config.root),
            process: site.options.process_images,
            base_path: site.config.base_path.clone(),
            by_output,
            by_content,
            planned: Mutex::default(),
            previous,
            uses: Mutex::default(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }

    /// An image written in Markdown, published at `output_path`, as `src` names it: its
    /// size and copies, `None` when the site does not publish a file there or it is no image.
    pub(crate) fn picture(&self, src: &str, output_path: &str) -> Option<LinkAction> {
        if !crate::images::is_image_path(output_path) {
            return None;
        }
        let source = self.by_output.get(output_path)?;
        Some(match self.show(source, output_path) {
            Ok(picture) => LinkAction::Picture(picture),
            Err((message, hint)) => LinkAction::BadImage {
                message: format!("image `{src}` {message}"),
                hint,
            },
        })
    }

    /// Probes an image, makes its copies unless the cache has them, plans them, and says
    /// where each is.
    fn show(&self, source: &Path, output_path: &str) -> Result<Picture, (String, String)> {
        let probe = self
            .cache
            .probe(source, source_stamp(source))
            .map_err(|bad| (bad.describe(), bad.hint().to_string()))?;
        let variants = variants(output_path, &probe);
        if self.process && !variants.is_empty() {
            let operations: Vec<Operation> = variants.iter().map(|v| v.operation).collect();
            self.cache
                .copies(source, &probe, &operations)
                .map_err(|e| {
                    (
                        format!("cannot be resized: {e}"),
                        "export it again as JPEG, PNG or WebP".to_string(),
                    )
                })?;
        }
        let src = self.url(output_path);
        let mut picture = Picture {
            src: src.clone(),
            size: probe.size,
            srcset: Vec::new(),
            webp: Vec::new(),
        };
        let mut planned = lock(&self.planned);
        for variant in variants {
            let candidate = (self.url(&variant.path), variant.width);
            if variant.operation.format == probe.format {
                picture.srcset.push(candidate);
            } else {
                picture.webp.push(candidate);
            }
            planned.insert(
                variant.path,
                Planned {
                    source: source.to_path_buf(),
                    probe: probe.clone(),
                    make: Make::Copy(variant.operation),
                },
            );
        }
        if let (false, Some((width, _))) = (picture.srcset.is_empty(), probe.size) {
            picture.srcset.push((src, width));
        }
        Ok(picture)
    }

    /// Makes the copies of every page's cover (in parallel) and plans them.
    pub(crate) fn covers(
        &self,
        site: &Site,
        links: &super::links::Links,
    ) -> (Covers, Vec<Diagnostic>) {
        let mut sources: Vec<(&Path, &str, &crate::content::Page)> = site
            .library
            .pages
            .iter()
            .filter_map(|page| {
                let cover = page.cover.as_ref()?;
                let asset = links.asset(&cover.src, &page.dir)?;
                Some((asset.source.as_path(), asset.output_path.as_str(), page))
            })
            .collect();
        sources.sort_by(|a, b| a.0.cmp(b.0));
        sources.dedup_by(|a, b| a.0 == b.0);
        let made: Vec<Result<(PathBuf, CoverCopies), Diagnostic>> = sources
            .par_iter()
            .map(|&(source, output_path, page)| {
                let fail = |message: String, hint: String| {
                    page.key_problem("cover", format!("the cover {message}"))
                        .because(Reason::MissingImage)
                        .hint(hint)
                };
                let picture = self
                    .show(source, output_path)
                    .map_err(|(message, hint)| fail(message, hint))?;
                let srcset = |candidates: &[(String, u32)]| {
                    let list: Vec<String> = candidates
                        .iter()
                        .map(|(u, w)| format!("{u} {w}w"))
                        .collect();
                    (!list.is_empty()).then(|| list.join(", "))
                };
                let mut copies = CoverCopies {
                    srcset: srcset(&picture.srcset),
                    webp_srcset: srcset(&picture.webp),
                    social: None,
                };
                let probe = self.cache.probe(source, source_stamp(source));
                if let Ok(probe) = probe.and_then(|p| {
                    if p.format == Format::Svg {
                        Ok(p)
                    } else {
                        Err(crate::images::Bad::CutShort)
                    }
                }) {
                    let (stem, _) = output_path.rsplit_once('.').unwrap_or((output_path, ""));
                    let path = format!("{stem}-{SOCIAL_WIDTH}w.png");
                    if self.process {
                        self.cache
                            .rasterized(source, &probe, SOCIAL_WIDTH)
                            .map_err(|e| {
                                fail(
                                    format!("cannot be rendered: {e}"),
                                    "check that the SVG opens in a browser".into(),
                                )
                            })?;
                    }
                    copies.social = Some(self.url(&path));
                    lock(&self.planned).insert(
                        path,
                        Planned {
                            source: source.to_path_buf(),
                            probe,
                            make: Make::Rasterized(SOCIAL_WIDTH),
                        },
                    );
                }
                Ok((source.to_path_buf(), copies))
            })
            .collect();
        let mut covers = Covers::new();
        let mut problems = Vec::new();
        for result in made {
            match result {
                Ok((source, copies)) => {
                    covers.insert(source, copies);
                }
                Err(problem) => problems.push(problem),
            }
        }
        (covers, problems)
    }

    /// How a file the site publishes as it is goes out: the key of what is published, and
    /// whether it is a JPEG, PNG or WebP file that carries metadata, which it must lose.
    pub(crate) fn original(&self, source: &Path, stamp: Key) -> (Key, bool) {
        let is_raster = source
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| {
                crate::images::is_image_path(&format!(".{e}")) && !e.eq_ignore_ascii_case("svg")
            });
        if !is_raster {
            return (stamp, false);
        }
        let key = KeyHasher::new().key(stamp).text(COPIES_VERSION).finish();
        if !self.process {
            return (key, false);
        }
        match self.cache.probe(source, stamp) {
            Ok(probe) if probe.metadata => {
                // Its cache file stays this build's, whether it is needed or kept.
                self.cache.private_path(&probe);
                (key, true)
            }
            _ => (key, false),
        }
    }

    /// The copy without metadata of a file [`SiteImages::original`] said carries some.
    pub(crate) fn private_copy(&self, source: &Path, stamp: Key) -> Result<PathBuf, String> {
        let probe = self
            .cache
            .probe(source, stamp)
            .map_err(|bad| bad.describe())?;
        self.cache.private_copy(source, &probe)
    }

    /// Publishes every copy planned, in parallel; the output keeps those it has already.
    /// Returns how many were written and how many kept.
    pub(crate) fn publish(
        &self,
        output: &dyn Output,
        diagnostics: &mut Diagnostics,
    ) -> (usize, usize) {
        let planned: Vec<(String, Planned)> = lock(&self.planned).drain().collect();
        let mut by_source: HashMap<&Path, Vec<(&str, &Planned, Key)>> = HashMap::new();
        let mut kept = 0;
        for (path, plan) in &planned {
            let key = match plan.make {
                Make::Copy(op) => KeyHasher::new().number(0).value(&op),
                Make::Rasterized(width) => KeyHasher::new().number(1).number(u64::from(width)),
            }
            .key(plan.probe.hash)
            .text(COPIES_VERSION)
            .finish();
            if output.reuse(path, key) {
                // Kept in the output: its cache file is still this build's.
                if let Make::Copy(op) = plan.make {
                    self.cache.path_of(&plan.probe, &op);
                } else {
                    self.cache.rasterized_path(&plan.probe, SOCIAL_WIDTH);
                }
                kept += 1;
                continue;
            }
            by_source
                .entry(&plan.source)
                .or_default()
                .push((path, plan, key));
        }
        let results: Vec<Vec<Result<(), Diagnostic>>> = by_source
            .into_par_iter()
            .map(|(source, copies)| {
                if !self.process {
                    // `check` makes no copies: it only needs to know they will be there.
                    return copies
                        .iter()
                        .map(|(path, _, key)| output.write(path, *key, b""))
                        .collect();
                }
                let operations: Vec<Operation> = copies
                    .iter()
                    .filter_map(|(_, plan, _)| match plan.make {
                        Make::Copy(op) => Some(op),
                        Make::Rasterized(_) => None,
                    })
                    .collect();
                let probe = &copies[0].1.probe;
                let made = self.cache.copies(source, probe, &operations);
                let mut files = match &made {
                    Ok(files) => files.iter(),
                    Err(_) => [].iter(),
                };
                copies
                    .iter()
                    .map(|(path, plan, key)| {
                        let file = match plan.make {
                            Make::Copy(_) => match (&made, files.next()) {
                                (Ok(_), Some(file)) => Ok(file.clone()),
                                (Err(e), _) => Err(e.clone()),
                                (Ok(_), None) => Err("it was not made".to_string()),
                            },
                            Make::Rasterized(width) => {
                                self.cache.rasterized(source, &plan.probe, width)
                            }
                        };
                        match file {
                            Ok(file) => output.link_file(path, *key, &file),
                            Err(e) => Err(Diagnostic::in_file(
                                source,
                                format!("cannot make the copy {path} of this image: {e}"),
                            )
                            .because(Reason::MissingImage)),
                        }
                    })
                    .collect()
            })
            .collect();
        let mut written = 0;
        for result in results.into_iter().flatten() {
            match result {
                Ok(()) => written += 1,
                Err(problem) => diagnostics.push(problem),
            }
        }
        (written, kept)
    }

    /// Saves what this build learnt of the site's images; after a build without errors that
    /// made its images, also removes the cached copies it did not use.
    pub(crate) fn finish(&self, succeeded: bool) {
        self.cache.save();
        if succeeded && self.process {
            self.cache.sweep();
        }
    }

    /// Notes the copies an output asked for while it rendered.
    pub(crate) fn record_uses(&self, output_path: &str, uses: Vec<ImageUse>) {
        let mut all = lock(&self.uses);
        if uses.is_empty() {
            all.remove(output_path);
        } else {
            all.insert(output_path.to_string(), uses);
        }
    }

    /// An output the last build made is kept: so are the copies it asked for.
    pub(crate) fn keep_uses(&self, output_path: &str) {
        let Some(uses) = self.previous.get(output_path) else {
            return;
        };
        for usage in uses {
            let Ok(probe) = self.cache.probe(&usage.source, source_stamp(&usage.source)) else {
                continue;
            };
            lock(&self.planned).insert(
                usage.path.clone(),
                Planned {
                    source: usage.source.clone(),
                    probe,
                    make: Make::Copy(usage.operation),
                },
            );
        }
        lock(&self.uses).insert(output_path.to_string(), uses.clone());
    }

    /// What the next build needs to know of the copies each output asked for.
    pub(crate) fn take_uses(&self) -> HashMap<String, Vec<ImageUse>> {
        std::mem::take(&mut *lock(&self.uses))
    }

    /// The file a template names: a URL the site publishes (as `page.cover.src` gives it),
    /// `@/` and a path in `content/`, or a path in `static/` or `content/`.
    fn source_of(&self, path: &str) -> Option<(&Path, String)> {
        let in_site = path
            .strip_prefix(self.base_path.as_str())
            .or_else(|| path.strip_prefix('/'))
            .unwrap_or(path);
        let decoded = percent_encoding::percent_decode_str(in_site).decode_utf8_lossy();
        let output = match decoded.strip_prefix("@/") {
            Some(content) => self.by_content.get(content)?.clone(),
            None if self.by_output.contains_key(decoded.as_ref()) => decoded.into_owned(),
            None => self.by_content.get(decoded.as_ref())?.clone(),
        };
        Some((self.by_output.get(&output)?.as_path(), output))
    }
}

impl crate::theme::ImageResizer for SiteImages {
    fn resize(&self, request: &ResizeRequest) -> Result<Resized, String> {
        let path = request.path.as_str();
        if crate::site::has_scheme(path) || path.starts_with("//") {
            // An image on another site is shown as it is, at the size asked for.
            return Ok(Resized {
                url: path.to_string(),
                width: request.width,
                height: request.height,
                orig_width: None,
                orig_height: None,
            });
        }
        let (source, output_path) = self.source_of(path).ok_or_else(|| {
            format!("there is no image `{path}` in content/ or static/ (give a path such as `@/articles/x/photo.jpg`, `images/logo.png` or `page.cover.src`)")
        })?;
        let probe = self
            .cache
            .probe(source, source_stamp(source))
            .map_err(|bad| format!("the image `{path}` {}", bad.describe()))?;
        let (orig_width, orig_height) = probe.size.unwrap_or((0, 0));
        let operation = request.operation(probe.format)?;
        if !probe.format.is_processed() {
            // SVG scales by itself and GIF may move: shown as they are, at the size the
            // operation gives.
            let (width, height) = match probe.size {
                Some((w, h)) => operation.size(w, h),
                None => (request.width.unwrap_or(0), request.height.unwrap_or(0)),
            };
            return Ok(Resized {
                url: self.url(&output_path),
                width: Some(width),
                height: Some(height),
                orig_width: probe.size.map(|s| s.0),
                orig_height: probe.size.map(|s| s.1),
            });
        }
        let (width, height) = operation.size(orig_width, orig_height);
        let (stem, _) = output_path.rsplit_once('.').unwrap_or((&output_path, ""));
        let name = operation.name();
        let copy_path = format!("{stem}-{name}");
        if self.process {
            self.cache
                .copies(source, &probe, &[operation])
                .map_err(|e| format!("cannot resize `{path}`: {e}"))?;
        }
        lock(&self.planned).insert(
            copy_path.clone(),
            Planned {
                source: source.to_path_buf(),
                probe,
                make: Make::Copy(operation),
            },
        );
        USES.with(|uses| {
            if let Some(list) = uses.borrow_mut().as_mut() {
                list.push(ImageUse {
                    path: copy_path.clone(),
                    source: source.to_path_buf(),
                    operation,
                });
            }
        });
        Ok(Resized {
            url: self.url(&copy_path),
            width: Some(width),
            height: Some(height),
            orig_width: Some(orig_width),
            orig_height: Some(orig_height),
        })
    }
}

thread_local! {
    /// The copies templates ask for while one output renders on this thread.
    static USES: RefCell<Option<Vec<ImageUse>>> = const { RefCell::new(None) };
}

/// Runs `render`, collecting the copies templates ask for meanwhile on this thread. Scopes
/// nest: a render that starts inside another (on a thread that waits for work) has its own.
pub(crate) fn collecting<T>(render: impl FnOnce() -> T) -> (T, Vec<ImageUse>) {
    let outer = USES.with(|uses| uses.replace(Some(Vec::new())));
    let result = render();
    let collected = USES.with(|uses| uses.replace(outer)).unwrap_or_default();
    (result, collected)
}

/// Counts `uses` as asked for by the output rendering on this thread, if one is: the copies
/// a value made once (a listing item) asked for, shown again by another output.
pub(crate) fn add_uses(uses: &[ImageUse]) {
    if uses.is_empty() {
        return;
    }
    USES.with(|list| {
        if let Some(list) = list.borrow_mut().as_mut() {
            list.extend_from_slice(uses);
        }
    });
}

/// One copy of a Markdown image or cover: where it goes, how wide it is, how it is made.
struct Variant {
    path: String,
    width: u32,
    operation: Operation,
}

/// The copies made of an image published at `output_path`: one at each of
/// [`VARIANT_WIDTHS`] narrower than it in its own format, and the same in WebP with one at
/// its own width when it is no wider than the widest copy (a small image gets no larger one).
fn variants(output_path: &str, probe: &Probe) -> Vec<Variant> {
    let Some((width, _)) = probe.size.filter(|_| probe.format.is_processed()) else {
        return Vec::new();
    };
    let (stem, extension) = output_path.rsplit_once('.').unwrap_or((output_path, ""));
    let narrower = VARIANT_WIDTHS.iter().copied().filter(|&w| w < width);
    let mut variants: Vec<Variant> = narrower
        .clone()
        .map(|w| Variant {
            path: format!("{stem}-{w}w.{extension}"),
            width: w,
            operation: Operation::width(
                w,
                probe.format,
                crate::images::default_quality(probe.format),
            ),
        })
        .collect();
    if probe.format != Format::WebP {
        let largest = VARIANT_WIDTHS.last().copied().unwrap_or(0);
        let own = (width <= largest).then_some(width);
        variants.extend(narrower.chain(own).map(|w| Variant {
            path: format!("{stem}-{w}w.webp"),
            width: w,
            operation: Operation::width(w, Format::WebP, WEBP_QUALITY),
        }));
    }
    variants
}

/// A key that changes when a source file does: its path, size, modification and change times.
pub(crate) fn source_stamp(source: &Path) -> Key {
    let hasher = KeyHasher::new().text(&source.to_string_lossy());
    match std::fs::metadata(source) {
        Ok(meta) => hasher
            .number(meta.len())
            .number(super::load::modified_nanos(&meta).unwrap_or(u64::MAX))
            .numbers(&super::load::change_stamp(&meta))
            .finish(),
        Err(_) => hasher.text("missing").finish(),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
