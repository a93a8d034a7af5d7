//! Images: what a local image is (its format, its size as shown, whether it carries
//! metadata), the copies made of it (resized, WebP, without metadata), and the cache that
//! keeps them between builds. Knows nothing of pages: the build's image step
//! (`site/images.rs`) decides what to make of which file.
//!
//! JPEG, PNG and WebP files are processed; GIF and SVG pass through with their size.

mod cache;
mod metadata;
mod process;

use std::io::Cursor;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use cache::ImageCache;
pub use metadata::{Layout, layout, strip};
pub use process::{Fit, Operation, make};

/// The folder of a site's root where serum keeps what it can make again: generated images,
/// the state of the last build.
pub const CACHE_DIR: &str = ".serum-cache";

/// The widths, in pixels, of the resized copies made of a raster image (those narrower than it).
pub const VARIANT_WIDTHS: &[u32] = &[480, 960, 1440];

/// The width of the PNG made from an SVG cover for link previews, which do not show SVG.
pub const SOCIAL_WIDTH: u32 = 1200;

/// The JPEG quality of copies, unless a template asks for another.
pub const JPEG_QUALITY: u8 = 82;

/// The WebP quality of copies, unless a template asks for another.
pub const WEBP_QUALITY: u8 = 80;

/// The quality copies in a format are made at, unless a template asks for another.
pub fn default_quality(format: Format) -> u8 {
    match format {
        Format::WebP => WEBP_QUALITY,
        _ => JPEG_QUALITY,
    }
}

/// The widest or tallest image serum decodes, in pixels.
pub const MAX_SIDE: u32 = 16_384;

/// The most pixels an image serum decodes may have: 100 megapixels, about 300 MB decoded.
pub const MAX_PIXELS: u64 = 100_000_000;

/// The file extensions of the images serum reads (lower case).
pub const EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "gif", "svg"];

/// Whether a path names an image serum reads, by its extension.
pub fn is_image_path(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

/// The formats serum knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// JPEG: resized, WebP copies, metadata removed.
    Jpeg,
    /// PNG: resized, WebP copies, metadata removed.
    Png,
    /// WebP: resized, metadata removed.
    WebP,
    /// GIF: passed through (it may be animated).
    Gif,
    /// SVG: passed through (it scales by itself).
    Svg,
}

impl Format {
    /// Whether serum makes copies of images of this format.
    pub fn is_processed(self) -> bool {
        matches!(self, Format::Jpeg | Format::Png | Format::WebP)
    }

    /// The extension of files written in this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::WebP => "webp",
            Format::Gif => "gif",
            Format::Svg => "svg",
        }
    }

    /// The format a template names: `jpg`, `jpeg`, `png` or `webp`.
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::WebP),
            _ => None,
        }
    }

    fn codec(self) -> Option<image::ImageFormat> {
        match self {
            Format::Jpeg => Some(image::ImageFormat::Jpeg),
            Format::Png => Some(image::ImageFormat::Png),
            Format::WebP => Some(image::ImageFormat::WebP),
            _ => None,
        }
    }
}

/// What serum knows of an image file without decoding its pixels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// A hash of the file's bytes: the cache's key.
    pub hash: u128,
    /// Its format, read from its bytes.
    pub format: Format,
    /// Its width and height as shown, after EXIF orientation; `None` for an SVG without size.
    pub size: Option<(u32, u32)>,
    /// Its EXIF orientation, 1 (as stored) to 8.
    pub orientation: u8,
    /// Whether it carries metadata that publishing removes (EXIF, XMP, IPTC, comments).
    pub metadata: bool,
}

/// Why a file cannot be used as an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bad {
    /// It is not an image serum reads.
    NotAnImage(String),
    /// It ends before its image does.
    CutShort,
    /// It claims more pixels than serum decodes.
    TooLarge(u32, u32),
    /// It cannot be read.
    Unreadable(String),
}

impl Bad {
    /// What is wrong, to follow the image's name in a message.
    pub fn describe(&self) -> String {
        match self {
            Bad::NotAnImage(why) => {
                format!("is not an image serum can read (JPEG, PNG, WebP, GIF or SVG): {why}")
            }
            Bad::CutShort => "is cut short: the file ends before its image does".to_string(),
            Bad::TooLarge(width, height) => format!(
                "claims {width} × {height} pixels, more than serum decodes ({MAX_SIDE} a side and {} megapixels at most)",
                MAX_PIXELS / 1_000_000
            ),
            Bad::Unreadable(why) => format!("cannot be read: {why}"),
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Bad::NotAnImage(_) => "export it again as JPEG, PNG or WebP, or fix the path",
            Bad::CutShort => "copy or export the image again: part of it is missing",
            Bad::TooLarge(..) => {
                "scale the image down before adding it; a photo for the web needs no more than 3000 pixels a side"
            }
            Bad::Unreadable(_) => "check that the file exists and that you may read it",
        }
    }
}

/// The limits every decoder runs under: an image claiming more is refused before its pixels
/// are read, so a small file cannot make serum allocate gigabytes.
pub fn limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(1 << 30);
    limits
}

/// Reads what an image file is; `svg` when its name says SVG. Reads headers and structure,
/// never the pixels: it takes about the time of hashing the file.
pub fn probe(bytes: &[u8], svg: bool) -> Result<Probe, Bad> {
    let hash = xxhash_rust::xxh3::xxh3_128(bytes);
    if svg {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| Bad::NotAnImage("an SVG file must be UTF-8 text".into()))?;
        if !text.contains("<svg") {
            return Err(Bad::NotAnImage("there is no <svg> element".into()));
        }
        return Ok(Probe {
            hash,
            format: Format::Svg,
            size: svg_dimensions(text),
            orientation: 1,
            metadata: false,
        });
    }
    let format = match image::guess_format(bytes) {
        Ok(image::ImageFormat::Jpeg) => Format::Jpeg,
        Ok(image::ImageFormat::Png) => Format::Png,
        Ok(image::ImageFormat::WebP) => Format::WebP,
        Ok(image::ImageFormat::Gif) => Format::Gif,
        Ok(other) => {
            return Err(Bad::NotAnImage(format!(
                "it is {}",
                other.extensions_str().first().unwrap_or(&"another format")
            )));
        }
        Err(_) => {
            return Err(Bad::NotAnImage(
                "its first bytes are not those of any image format".into(),
            ));
        }
    };
    let (width, height) = imagesize::blob_size(bytes)
        .ok()
        .and_then(|s| Some((u32::try_from(s.width).ok()?, u32::try_from(s.height).ok()?)))
        .ok_or(Bad::CutShort)?;
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Bad::TooLarge(width, height));
    }
    let Some(codec) = format.codec() else {
        return Ok(Probe {
            hash,
            format,
            size: Some((width, height)),
            orientation: 1,
            metadata: false,
        });
    };
    let layout = layout(format, bytes);
    if !layout.complete {
        return Err(Bad::CutShort);
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), codec);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(|e| describe_error(&e))?;
    let orientation = image::ImageDecoder::orientation(&mut decoder)
        .map(image::metadata::Orientation::to_exif)
        .unwrap_or(1);
    let (width, height) = image::ImageDecoder::dimensions(&decoder);
    let size = if orientation >= 5 {
        (height, width)
    } else {
        (width, height)
    };
    Ok(Probe {
        hash,
        format,
        size: Some(size),
        orientation,
        metadata: layout.metadata,
    })
}

/// An error of the image crate in the terms of [`Bad`].
fn describe_error(error: &image::ImageError) -> Bad {
    match error {
        image::ImageError::Limits(_) => {
            Bad::Unreadable("decoding it would take more memory than serum allows (1 GiB)".into())
        }
        image::ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Bad::CutShort
        }
        other => Bad::NotAnImage(other.to_string()),
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
