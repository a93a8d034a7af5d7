//! Step 5: resized copies of raster covers for `srcset`, and a PNG of SVG covers for link
//! previews, made once (kept in `.serum-cache/`) and published beside the cover.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::links::Links;
use super::{Key, KeyHasher, Site};
use crate::content::Page;
use crate::error::{Diagnostic, Diagnostics, Reason};
use crate::images::{ImageCache, SOCIAL_WIDTH, VARIANT_WIDTHS};
use crate::output::Output;

/// What was made of each cover file, by the file.
pub(crate) type Covers = HashMap<PathBuf, CoverCopies>;

/// The copies made of one cover file, as URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CoverCopies {
    /// `url 480w, url 960w, …` for a raster cover wider than the smallest copy.
    pub srcset: Option<String>,
    /// The PNG made of an SVG cover.
    pub social: Option<String>,
}

/// Makes (or takes from the cache) and publishes the copies of every page's cover.
pub(crate) fn copy(
    site: &Site,
    links: &Links,
    output: &dyn Output,
    diagnostics: &mut Diagnostics,
) -> Covers {
    if !site.options.process_images {
        return Covers::new();
    }
    let cache = ImageCache::new(&site.config.root);
    let mut sources: Vec<(&Path, &str, &Page)> = site
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
            let fail = |e: String| {
                page.key_problem("cover", format!("cannot process the cover image: {e}"))
                    .because(Reason::MissingImage)
            };
            let stamp = source_stamp(source);
            let publish = |path: &str, width: u32, make: &dyn Fn() -> Result<PathBuf, String>| {
                let key = KeyHasher::new()
                    .key(stamp)
                    .number(u64::from(width))
                    .finish();
                if output.reuse(path, key) {
                    return Ok(());
                }
                let file = make().map_err(fail)?;
                output.copy_file(path, key, &file)
            };
            let (stem, extension) = output_path.rsplit_once('.').unwrap_or((output_path, ""));
            let mut copies = CoverCopies::default();
            if extension.eq_ignore_ascii_case("svg") {
                let path = format!("{stem}-{SOCIAL_WIDTH}w.png");
                publish(&path, SOCIAL_WIDTH, &|| {
                    cache.rasterized(source, SOCIAL_WIDTH)
                })?;
                copies.social = Some(site.config.url_path(&path));
            } else if let Some((width, _)) = crate::images::dimensions(source) {
                let mut srcset = Vec::new();
                for &w in VARIANT_WIDTHS.iter().filter(|&&w| w < width) {
                    let path = format!("{stem}-{w}w.{extension}");
                    publish(&path, w, &|| cache.resized(source, w))?;
                    srcset.push(format!("{} {w}w", site.config.url_path(&path)));
                }
                srcset.push(format!("{} {width}w", site.config.url_path(output_path)));
                copies.srcset = (srcset.len() > 1).then(|| srcset.join(", "));
            }
            Ok((source.to_path_buf(), copies))
        })
        .collect();
    let mut covers = Covers::new();
    for result in made {
        match result {
            Ok((source, copies)) => {
                covers.insert(source, copies);
            }
            Err(problem) => diagnostics.push(problem),
        }
    }
    covers
}

/// A key that changes when a source file does: its path, size, modification and change times.
pub(crate) fn source_stamp(source: &Path) -> Key {
    let hasher = KeyHasher::new().text(&source.to_string_lossy());
    match std::fs::metadata(source) {
        Ok(meta) => hasher
            .number(meta.len())
            .value(&meta.modified().ok())
            .text(&super::load::change_stamp(&meta))
            .finish(),
        Err(_) => hasher.text("missing").finish(),
    }
}
