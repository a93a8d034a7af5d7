//! Copies of an image at another size or in another format: decoded once (within
//! [`limits`](super::limits)), turned the right way up, resized with a Lanczos filter, and
//! encoded with the source's colour profile and without any other metadata.

use std::io::Cursor;

use fast_image_resize as fir;
use image::{ExtendedColorType, ImageEncoder};
use serde::{Deserialize, Serialize};

use super::{Format, metadata};

/// How a copy fits the size asked for. No copy is ever larger than its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Fit {
    /// This wide, as tall as the proportions give.
    Width(u32),
    /// This tall, as wide as the proportions give.
    Height(u32),
    /// Within this box, proportions kept.
    Within(u32, u32),
    /// Exactly this box, cropped around the centre.
    Fill(u32, u32),
}

/// One copy to make: its fit, format and quality (1 to 100; ignored for PNG).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Operation {
    /// How it fits.
    pub fit: Fit,
    /// What it is encoded as.
    pub format: Format,
    /// How much quality lossy encoders keep.
    pub quality: u8,
}

impl Operation {
    /// The size of the copy of an image of this size: never larger than the source, and at
    /// least one pixel each way.
    pub fn size(&self, width: u32, height: u32) -> (u32, u32) {
        let scale = |n: u32, num: u32, den: u32| -> u32 {
            ((u64::from(n) * u64::from(num) + u64::from(den) / 2) / u64::from(den.max(1))).max(1)
                as u32
        };
        match self.fit {
            Fit::Width(w) if w < width => (w, scale(height, w, width)),
            Fit::Height(h) if h < height => (scale(width, h, height), h),
            Fit::Width(_) | Fit::Height(_) => (width, height),
            Fit::Within(w, h) => {
                // The smaller of the two scales, compared without rounding: w/width vs h/height.
                if u64::from(w) * u64::from(height) <= u64::from(h) * u64::from(width) {
                    Operation::width(w, self.format, self.quality).size(width, height)
                } else {
                    Operation {
                        fit: Fit::Height(h),
                        ..*self
                    }
                    .size(width, height)
                }
            }
            Fit::Fill(w, h) => {
                let (w, h) = (w.max(1), h.max(1));
                if w <= width && h <= height {
                    (w, h)
                } else if u64::from(width) * u64::from(h) <= u64::from(height) * u64::from(w) {
                    // The source is narrower than the box's proportions: its width limits.
                    (width, scale(h, width, w))
                } else {
                    (scale(w, height, h), height)
                }
            }
        }
    }

    /// A copy this wide.
    pub fn width(width: u32, format: Format, quality: u8) -> Operation {
        Operation {
            fit: Fit::Width(width),
            format,
            quality,
        }
    }

    /// A short name for cache files: `w480-q82.jpg`.
    pub fn name(&self) -> String {
        let fit = match self.fit {
            Fit::Width(w) => format!("w{w}"),
            Fit::Height(h) => format!("h{h}"),
            Fit::Within(w, h) => format!("fit{w}x{h}"),
            Fit::Fill(w, h) => format!("fill{w}x{h}"),
        };
        format!("{fit}-q{}.{}", self.quality, self.format.extension())
    }
}

/// An image decoded and turned the right way up, ready for copies.
struct Decoded {
    pixels: Vec<u8>,
    width: u32,
    height: u32,
    alpha: bool,
    icc: Option<Vec<u8>>,
}

/// Makes every copy of one image, decoding it once. `format` is what [`super::probe`] found.
pub fn make(
    bytes: &[u8],
    format: Format,
    operations: &[Operation],
) -> Result<Vec<Vec<u8>>, String> {
    let decoded = decode(bytes, format)?;
    let mut resizer = fir::Resizer::new();
    // A JPEG and a WebP copy of one size share their resized pixels.
    let mut resized: Vec<((u32, u32, bool), Vec<u8>)> = Vec::new();
    operations
        .iter()
        .map(|op| {
            let (width, height) = op.size(decoded.width, decoded.height);
            let crop = matches!(op.fit, Fit::Fill(..));
            if (width, height) == (decoded.width, decoded.height) {
                return encode(&decoded.pixels, width, height, &decoded, op);
            }
            let shape = (width, height, crop);
            let at = match resized.iter().position(|(s, _)| *s == shape) {
                Some(at) => at,
                None => {
                    let pixels = resize(&mut resizer, &decoded, width, height, crop)?;
                    resized.push((shape, pixels));
                    resized.len() - 1
                }
            };
            encode(&resized[at].1, width, height, &decoded, op)
        })
        .collect()
}

fn decode(bytes: &[u8], format: Format) -> Result<Decoded, String> {
    let codec = format
        .codec()
        .ok_or_else(|| format!("{} images are not resized", format.extension()))?;
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), codec);
    reader.limits(super::limits());
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let orientation = image::ImageDecoder::orientation(&mut decoder)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = image::ImageDecoder::icc_profile(&mut decoder)
        .ok()
        .flatten();
    let grey = !image::ImageDecoder::color_type(&decoder).has_color();
    let mut image = image::DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    image.apply_orientation(orientation);
    let alpha = image.color().has_alpha();
    let (width, height) = (image.width(), image.height());
    let pixels = if alpha {
        image.into_rgba8().into_raw()
    } else {
        image.into_rgb8().into_raw()
    };
    Ok(Decoded {
        pixels,
        width,
        height,
        alpha,
        // A grey profile does not describe the RGB pixels the copies hold.
        icc: icc.filter(|_| !grey),
    })
}

fn resize(
    resizer: &mut fir::Resizer,
    decoded: &Decoded,
    width: u32,
    height: u32,
    crop: bool,
) -> Result<Vec<u8>, String> {
    let pixel = if decoded.alpha {
        fir::PixelType::U8x4
    } else {
        fir::PixelType::U8x3
    };
    let source = fir::images::ImageRef::new(decoded.width, decoded.height, &decoded.pixels, pixel)
        .map_err(|e| e.to_string())?;
    let mut target = fir::images::Image::new(width, height, pixel);
    let mut options = fir::ResizeOptions::new()
        .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
    if crop {
        options = options.fit_into_destination(None);
    }
    resizer
        .resize(&source, &mut target, &options)
        .map_err(|e| e.to_string())?;
    Ok(target.into_vec())
}

fn encode(
    pixels: &[u8],
    width: u32,
    height: u32,
    source: &Decoded,
    op: &Operation,
) -> Result<Vec<u8>, String> {
    let (alpha, icc) = (source.alpha, source.icc.as_deref());
    let mut out = Vec::new();
    let colour = if alpha {
        ExtendedColorType::Rgba8
    } else {
        ExtendedColorType::Rgb8
    };
    match op.format {
        Format::Jpeg => {
            let rgb: std::borrow::Cow<[u8]> = if alpha {
                std::borrow::Cow::Owned(
                    pixels
                        .chunks_exact(4)
                        .flat_map(|p| [p[0], p[1], p[2]])
                        .collect(),
                )
            } else {
                std::borrow::Cow::Borrowed(pixels)
            };
            let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut out,
                op.quality.clamp(1, 100),
            );
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc.to_vec());
            }
            encoder
                .write_image(&rgb, width, height, ExtendedColorType::Rgb8)
                .map_err(|e| e.to_string())?;
        }
        Format::Png => {
            let mut encoder = image::codecs::png::PngEncoder::new(&mut out);
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc.to_vec());
            }
            encoder
                .write_image(pixels, width, height, colour)
                .map_err(|e| e.to_string())?;
        }
        Format::WebP => {
            let encoder = if alpha {
                webp::Encoder::from_rgba(pixels, width, height)
            } else {
                webp::Encoder::from_rgb(pixels, width, height)
            };
            let encoded = encoder.encode(f32::from(op.quality.clamp(1, 100)));
            out = match icc {
                Some(icc) => metadata::webp_with_icc(&encoded, icc, width, height)
                    .ok_or("the WebP encoder gave an unreadable file")?,
                None => encoded.to_vec(),
            };
        }
        Format::Gif | Format::Svg => {
            return Err(format!("cannot write {} images", op.format.extension()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(fit: Fit) -> Operation {
        Operation {
            fit,
            format: Format::Jpeg,
            quality: 80,
        }
    }

    #[test]
    fn sizes_keep_proportions_and_never_grow() {
        assert_eq!(op(Fit::Width(480)).size(3000, 2000), (480, 320));
        assert_eq!(op(Fit::Width(4000)).size(3000, 2000), (3000, 2000));
        assert_eq!(op(Fit::Height(100)).size(3000, 2000), (150, 100));
        assert_eq!(op(Fit::Within(300, 300)).size(3000, 2000), (300, 200));
        assert_eq!(op(Fit::Within(300, 100)).size(3000, 2000), (150, 100));
        assert_eq!(op(Fit::Within(9000, 9000)).size(3000, 2000), (3000, 2000));
        assert_eq!(op(Fit::Fill(96, 96)).size(3000, 2000), (96, 96));
        assert_eq!(op(Fit::Fill(400, 400)).size(300, 200), (200, 200));
        assert_eq!(op(Fit::Fill(800, 200)).size(300, 200), (300, 75));
        assert_eq!(op(Fit::Width(1)).size(3000, 1), (1, 1));
    }

    #[test]
    fn copies_are_the_size_asked_in_the_format_asked() {
        let image = image::RgbImage::from_fn(300, 200, |x, y| image::Rgb([x as u8, y as u8, 9]));
        let mut png = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let ops = [
            op(Fit::Width(120)),
            Operation {
                fit: Fit::Fill(50, 50),
                format: Format::WebP,
                quality: 70,
            },
        ];
        let made = make(&png, Format::Png, &ops).unwrap();
        let jpeg = image::load_from_memory(&made[0]).unwrap();
        assert_eq!((jpeg.width(), jpeg.height()), (120, 80));
        assert_eq!(
            image::guess_format(&made[1]).unwrap(),
            image::ImageFormat::WebP
        );
        let webp = image::load_from_memory(&made[1]).unwrap();
        assert_eq!((webp.width(), webp.height()), (50, 50));
    }
}
