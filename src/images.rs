//! Images: their size in pixels (so pages do not shift as they load), resized copies of raster
//! covers for `srcset`, and PNG copies of SVG covers for link previews, kept in a cache.

use std::path::{Path, PathBuf};

/// The folder of a site's root where serum keeps what it can make again: generated images,
/// the state of the last build.
pub const CACHE_DIR: &str = ".serum-cache";

/// The widths, in pixels, of the resized copies made of a raster cover (those narrower than it).
pub const VARIANT_WIDTHS: &[u32] = &[480, 960, 1440];

/// The width of the PNG made from an SVG cover for link previews, which do not show SVG.
pub const SOCIAL_WIDTH: u32 = 1200;

/// Generated images, kept between builds and keyed by the source's content and the size made.
#[derive(Debug, Clone)]
pub struct ImageCache {
    dir: PathBuf,
}

impl ImageCache {
    /// The cache of a site: `.serum-cache/images/` in its root.
    pub fn new(root: &Path) -> ImageCache {
        ImageCache {
            dir: root.join(CACHE_DIR).join("images"),
        }
    }

    /// A copy of a raster image `width` pixels wide, in the source's format.
    pub fn resized(&self, source: &Path, width: u32) -> Result<PathBuf, String> {
        let bytes = std::fs::read(source).map_err(|e| crate::error::describe_io(&e))?;
        let format = image::ImageFormat::from_path(source).map_err(|e| e.to_string())?;
        let extension = format.extensions_str().first().copied().unwrap_or("img");
        self.cached(&bytes, width, extension, |target| {
            let image =
                image::load_from_memory_with_format(&bytes, format).map_err(|e| e.to_string())?;
            let height = (u64::from(image.height()) * u64::from(width)
                / u64::from(image.width().max(1)))
            .max(1);
            let resized =
                image.resize_exact(width, height as u32, image::imageops::FilterType::Lanczos3);
            let mut file =
                std::io::BufWriter::new(std::fs::File::create(target).map_err(|e| e.to_string())?);
            if format == image::ImageFormat::Jpeg {
                let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut file, 82);
                resized
                    .to_rgb8()
                    .write_with_encoder(encoder)
                    .map_err(|e| e.to_string())
            } else {
                resized
                    .write_to(&mut file, format)
                    .map_err(|e| e.to_string())
            }
        })
    }

    /// A PNG rendering of an SVG image, `width` pixels wide.
    pub fn rasterized(&self, source: &Path, width: u32) -> Result<PathBuf, String> {
        use resvg::{tiny_skia, usvg};
        let bytes = std::fs::read(source).map_err(|e| crate::error::describe_io(&e))?;
        self.cached(&bytes, width, "png", |target| {
            let tree = usvg::Tree::from_data(&bytes, &usvg::Options::default())
                .map_err(|e| e.to_string())?;
            let size = tree.size();
            let scale = width as f32 / size.width();
            let height = (size.height() * scale).round().max(1.0) as u32;
            let mut pixmap =
                tiny_skia::Pixmap::new(width, height).ok_or("the image is too large")?;
            resvg::render(
                &tree,
                tiny_skia::Transform::from_scale(scale, scale),
                &mut pixmap.as_mut(),
            );
            pixmap.save_png(target).map_err(|e| e.to_string())
        })
    }

    /// Returns the cached file for these bytes and width, making it with `make` when missing.
    fn cached(
        &self,
        bytes: &[u8],
        width: u32,
        extension: &str,
        make: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<PathBuf, String> {
        use sha2::Digest as _;
        let hash: String = sha2::Sha256::digest(bytes)
            .iter()
            .take(10)
            .map(|b| format!("{b:02x}"))
            .collect();
        let file = self.dir.join(format!("{hash}-{width}.{extension}"));
        if file.is_file() {
            return Ok(file);
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| crate::error::describe_io(&e))?;
        // Made beside and renamed in, so a killed build never leaves half an image in the cache.
        let partial = self.dir.join(format!(
            ".{hash}-{width}.{}.{extension}",
            std::process::id()
        ));
        let made = make(&partial)
            .and_then(|()| std::fs::rename(&partial, &file).map_err(|e| e.to_string()));
        if made.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        made.map(|()| file)
    }
}

/// The width and height of an image file: read from the header of PNG, JPEG, WebP, GIF and
/// others, or from the root element of an SVG. `None` when the file says nothing usable.
pub fn dimensions(path: &Path) -> Option<(u32, u32)> {
    let is_svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if is_svg {
        let text = std::fs::read_to_string(path).ok()?;
        return svg_dimensions(&text);
    }
    let size = imagesize::size(path).ok()?;
    Some((
        u32::try_from(size.width).ok()?,
        u32::try_from(size.height).ok()?,
    ))
}

/// The size an SVG declares: its `width` and `height` in pixels, else its `viewBox`.
fn svg_dimensions(text: &str) -> Option<(u32, u32)> {
    let start = text.find("<svg")?;
    let end = start + text[start..].find('>')?;
    let tag = &text[start..end];
    let pixels = |name: &str| {
        attribute(tag, name).and_then(|v| v.trim().trim_end_matches("px").parse::<f64>().ok())
    };
    if let (Some(w), Some(h)) = (pixels("width"), pixels("height")) {
        return Some((w.round() as u32, h.round() as u32));
    }
    let view_box: Vec<f64> = attribute(tag, "viewBox")?
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    match view_box.as_slice() {
        [_, _, w, h] if *w > 0.0 && *h > 0.0 => Some((w.round() as u32, h.round() as u32)),
        _ => None,
    }
}

/// The value of `name="…"` (or `'…'`) in a start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next()?;
        if quote != '"' && quote != '\'' {
            continue;
        }
        let value = &value[1..];
        return value.find(quote).map(|end| &value[..end]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_size_comes_from_width_and_height_or_the_view_box() {
        assert_eq!(
            svg_dimensions(r#"<?xml?><svg xmlns="x" width="1200" height="630px">"#),
            Some((1200, 630))
        );
        assert_eq!(
            svg_dimensions(r#"<svg viewBox="0 0 800 450" stroke-width="2">"#),
            Some((800, 450))
        );
        assert_eq!(
            svg_dimensions(r#"<svg width="100%" height="100%" viewBox="0,0,40,20">"#),
            Some((40, 20))
        );
        assert_eq!(svg_dimensions("<svg>"), None);
    }
}
