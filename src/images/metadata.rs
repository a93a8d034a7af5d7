//! What an image file carries besides its pixels, read from its structure (JPEG segments, PNG
//! chunks, WebP chunks) without decoding: whether it is complete, whether it holds metadata
//! about its author (EXIF, XMP, IPTC, comments), and a copy without that metadata, made
//! without re-encoding the pixels.
//!
//! What stays: the pixels, the colour profile (ICC), and the EXIF orientation when it is not
//! the default, rewritten as the only tag of a new, minimal EXIF block, so the picture still
//! stands the right way up.

use super::Format;

/// The structure of an image file, as far as publishing it cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The file holds its whole image: it was not cut short.
    pub complete: bool,
    /// It carries metadata that publishing removes.
    pub metadata: bool,
}

/// Reads the structure of a JPEG, PNG or WebP file.
pub fn layout(format: Format, bytes: &[u8]) -> Layout {
    match format {
        Format::Jpeg => match jpeg(bytes) {
            Some(jpeg) => Layout {
                complete: jpeg.end.is_some(),
                metadata: jpeg.segments.iter().any(|s| is_jpeg_metadata(bytes, s))
                    || jpeg
                        .end
                        .is_some_and(|end| bytes[end..].iter().any(|&b| b != 0)),
            },
            None => Layout {
                complete: false,
                metadata: false,
            },
        },
        Format::Png => match png(bytes) {
            Some((chunks, complete)) => Layout {
                complete,
                metadata: chunks.iter().any(|c| is_png_metadata(&c.kind)),
            },
            None => Layout {
                complete: false,
                metadata: false,
            },
        },
        Format::WebP => match webp(bytes) {
            Some((chunks, complete)) => Layout {
                complete,
                metadata: chunks.iter().any(|c| is_webp_metadata(&c.kind)),
            },
            None => Layout {
                complete: false,
                metadata: false,
            },
        },
        _ => Layout {
            complete: true,
            metadata: false,
        },
    }
}

/// The file without its metadata, its pixels untouched; `orientation` (the EXIF value, 1 to
/// 8) is written back alone when it is not 1. `None` when the file cannot be read as `format`.
pub fn strip(format: Format, bytes: &[u8], orientation: u8) -> Option<Vec<u8>> {
    match format {
        Format::Jpeg => strip_jpeg(bytes, orientation),
        Format::Png => strip_png(bytes, orientation),
        Format::WebP => strip_webp(bytes, orientation),
        _ => None,
    }
}

/// A WebP file with an ICC profile added, so that its colours read as its source's did.
pub fn webp_with_icc(encoded: &[u8], icc: &[u8], width: u32, height: u32) -> Option<Vec<u8>> {
    let (chunks, _) = webp(encoded)?;
    let mut body = Vec::with_capacity(encoded.len() + icc.len() + 32);
    body.extend_from_slice(b"WEBP");
    match chunks.first() {
        Some(first) if &first.kind == b"VP8X" => {
            let mut vp8x = encoded[first.data.clone()].to_vec();
            vp8x[0] |= 0x20;
            push_riff_chunk(&mut body, b"VP8X", &vp8x);
        }
        _ => {
            let has_alpha = chunks.iter().any(|c| &c.kind == b"ALPH");
            let mut vp8x = vec![0x20 | if has_alpha { 0x10 } else { 0 }, 0, 0, 0];
            vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
            vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
            push_riff_chunk(&mut body, b"VP8X", &vp8x);
        }
    }
    push_riff_chunk(&mut body, b"ICCP", icc);
    for chunk in chunks.iter().filter(|c| &c.kind != b"VP8X") {
        push_riff_chunk(&mut body, &chunk.kind, &encoded[chunk.data.clone()]);
    }
    Some(riff(body))
}

/// The TIFF structure of an EXIF block holding nothing but the orientation.
fn orientation_tiff(orientation: u8) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&[0, orientation, 0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    tiff
}

// JPEG: a sequence of marker segments, the entropy-coded scans, then EOI.

/// One marker segment before the first scan: its marker and where it lies, marker included.
#[derive(Debug)]
struct Segment {
    marker: u8,
    range: std::ops::Range<usize>,
}

struct Jpeg {
    /// The segments before the first scan.
    segments: Vec<Segment>,
    /// Where the first scan (SOS) starts.
    scan: usize,
    /// Just after EOI, when the file has one.
    end: Option<usize>,
}

fn jpeg(bytes: &[u8]) -> Option<Jpeg> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut segments = Vec::new();
    let mut at = 2;
    let scan = loop {
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if bytes.get(at) != Some(&0xFF) {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            at += 2;
            continue;
        }
        if marker == 0xD9 {
            return None;
        }
        if marker == 0xDA {
            break at;
        }
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        let end = at + 2 + length;
        if length < 2 || end > bytes.len() {
            return None;
        }
        segments.push(Segment {
            marker,
            range: at..end,
        });
        at = end;
    };
    Some(Jpeg {
        segments,
        scan,
        end: jpeg_end(bytes, scan),
    })
}

/// Just after the EOI that ends the scans starting at `scan`, if the file reaches it.
fn jpeg_end(bytes: &[u8], scan: usize) -> Option<usize> {
    let mut at = scan;
    loop {
        // A marker segment between scans (SOS, DHT, DQT, DRI, …): skip it whole.
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        at += 2 + length;
        // Entropy-coded data: 0xFF is followed by 0x00 (a stuffed byte), a restart marker,
        // more 0xFF (fill), or a marker that ends the data.
        loop {
            let next = at + memchr_ff(bytes.get(at..)?)?;
            let marker = *bytes.get(next + 1)?;
            match marker {
                0x00 | 0xD0..=0xD7 => at = next + 2,
                0xFF => at = next + 1,
                0xD9 => return Some(next + 2),
                _ => {
                    at = next;
                    break;
                }
            }
        }
    }
}

fn memchr_ff(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0xFF)
}

/// Kept: JFIF (APP0), the ICC profile (APP2 `ICC_PROFILE`), Adobe's colour transform (APP14)
/// and every segment that is not an application segment or a comment.
fn is_jpeg_metadata(bytes: &[u8], segment: &Segment) -> bool {
    let payload = &bytes[segment.range.start + 4..segment.range.end];
    match segment.marker {
        0xE0 | 0xEE => false,
        0xE2 => !payload.starts_with(b"ICC_PROFILE\0"),
        0xE1..=0xEF | 0xFE => true,
        _ => false,
    }
}

fn strip_jpeg(bytes: &[u8], orientation: u8) -> Option<Vec<u8>> {
    let jpeg = jpeg(bytes)?;
    let end = jpeg.end.unwrap_or(bytes.len());
    let mut out = Vec::with_capacity(end);
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut segments = jpeg.segments.iter().peekable();
    if let Some(app0) = segments.next_if(|s| s.marker == 0xE0) {
        out.extend_from_slice(&bytes[app0.range.clone()]);
    }
    if orientation != 1 {
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(orientation_tiff(orientation));
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&u16::try_from(exif.len() + 2).ok()?.to_be_bytes());
        out.extend(exif);
    }
    for segment in segments.filter(|s| !is_jpeg_metadata(bytes, s)) {
        out.extend_from_slice(&bytes[segment.range.clone()]);
    }
    out.extend_from_slice(&bytes[jpeg.scan..end]);
    Some(out)
}

// PNG: the signature, then chunks of length, type, data and CRC, up to IEND.

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

struct Chunk {
    kind: [u8; 4],
    /// The whole chunk, length to CRC (PNG) or header to padding (WebP).
    whole: std::ops::Range<usize>,
    /// Its data.
    data: std::ops::Range<usize>,
}

/// The chunks of a PNG file, and whether it reaches IEND.
fn png(bytes: &[u8]) -> Option<(Vec<Chunk>, bool)> {
    if !bytes.starts_with(PNG_SIGNATURE) {
        return None;
    }
    let mut chunks = Vec::new();
    let mut at = PNG_SIGNATURE.len();
    while at + 8 <= bytes.len() {
        let length = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        let kind: [u8; 4] = bytes[at + 4..at + 8].try_into().ok()?;
        let end = at.checked_add(12)?.checked_add(length)?;
        if end > bytes.len() {
            return Some((chunks, false));
        }
        chunks.push(Chunk {
            kind,
            whole: at..end,
            data: at + 8..end - 4,
        });
        if &kind == b"IEND" {
            return Some((chunks, true));
        }
        at = end;
    }
    Some((chunks, false))
}

/// Text (`tEXt`, `zTXt`, `iTXt`, which also carry XMP), EXIF (`eXIf`) and the time of the
/// last change (`tIME`).
fn is_png_metadata(kind: &[u8; 4]) -> bool {
    matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME")
}

fn strip_png(bytes: &[u8], orientation: u8) -> Option<Vec<u8>> {
    let (chunks, _) = png(bytes)?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut exif_due = orientation != 1;
    for chunk in chunks.iter().filter(|c| !is_png_metadata(&c.kind)) {
        if &chunk.kind == b"IDAT" && exif_due {
            exif_due = false;
            // eXIf must come before the image data.
            let tiff = orientation_tiff(orientation);
            out.extend_from_slice(&u32::try_from(tiff.len()).ok()?.to_be_bytes());
            let start = out.len();
            out.extend_from_slice(b"eXIf");
            out.extend_from_slice(&tiff);
            let crc = crc32fast::hash(&out[start..]);
            out.extend_from_slice(&crc.to_be_bytes());
        }
        out.extend_from_slice(&bytes[chunk.whole.clone()]);
    }
    Some(out)
}

// WebP: a RIFF container of chunks (fourcc, little-endian size, data, padding to even).

fn webp(bytes: &[u8]) -> Option<(Vec<Chunk>, bool)> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return None;
    }
    let declared = u32::from_le_bytes(bytes[4..8].try_into().ok()?) as usize + 8;
    let complete_riff = declared <= bytes.len();
    let limit = declared.min(bytes.len());
    let mut chunks = Vec::new();
    let mut at = 12;
    while at + 8 <= limit {
        let kind: [u8; 4] = bytes[at..at + 4].try_into().ok()?;
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        let data_end = at.checked_add(8)?.checked_add(size)?;
        if data_end > limit {
            return Some((chunks, false));
        }
        let end = (data_end + size % 2).min(limit);
        chunks.push(Chunk {
            kind,
            whole: at..end,
            data: at + 8..data_end,
        });
        at = end;
    }
    let has_image = chunks
        .iter()
        .any(|c| matches!(&c.kind, b"VP8 " | b"VP8L" | b"ANMF"));
    Some((chunks, complete_riff && has_image))
}

fn is_webp_metadata(kind: &[u8; 4]) -> bool {
    matches!(kind, b"EXIF" | b"XMP ")
}

fn strip_webp(bytes: &[u8], orientation: u8) -> Option<Vec<u8>> {
    let (chunks, _) = webp(bytes)?;
    let mut body = Vec::with_capacity(bytes.len());
    body.extend_from_slice(b"WEBP");
    let has_vp8x = chunks.first().is_some_and(|c| &c.kind == b"VP8X");
    for chunk in chunks.iter().filter(|c| !is_webp_metadata(&c.kind)) {
        if &chunk.kind == b"VP8X" {
            let mut vp8x = bytes[chunk.data.clone()].to_vec();
            vp8x[0] &= !(0x08 | 0x04);
            if orientation != 1 {
                vp8x[0] |= 0x08;
            }
            push_riff_chunk(&mut body, b"VP8X", &vp8x);
        } else {
            body.extend_from_slice(&bytes[chunk.whole.clone()]);
        }
    }
    // Only the extended format can hold EXIF: a simple file had no orientation to keep.
    if orientation != 1 && has_vp8x {
        push_riff_chunk(&mut body, b"EXIF", &orientation_tiff(orientation));
    }
    Some(riff(body))
}

fn push_riff_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(kind);
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
}

fn riff(body: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_with(segments: &[(u8, &[u8])]) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        for (marker, payload) in segments {
            out.extend_from_slice(&[0xFF, *marker]);
            out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
            out.extend_from_slice(payload);
        }
        // A scan: its header, data with a stuffed 0xFF and a restart marker, then EOI.
        out.extend_from_slice(&[0xFF, 0xDA, 0, 3, 1, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0]);
        out.extend_from_slice(&[0x56, 0xFF, 0xD9]);
        out
    }

    #[test]
    fn a_jpeg_loses_exif_xmp_iptc_and_comments_but_keeps_icc_and_orientation() {
        let bytes = jpeg_with(&[
            (0xE0, b"JFIF\0\x01\x01"),
            (0xE1, b"Exif\0\0GPS 48.85N"),
            (0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"),
            (0xE2, b"ICC_PROFILE\0\x01\x01profile"),
            (0xED, b"Photoshop 3.0\0IPTC"),
            (0xFE, b"shot at home"),
            (0xDB, b"quantization"),
        ]);
        assert_eq!(
            layout(Format::Jpeg, &bytes),
            Layout {
                complete: true,
                metadata: true
            }
        );
        let stripped = strip(Format::Jpeg, &bytes, 6).unwrap();
        let text = String::from_utf8_lossy(&stripped);
        for gone in ["GPS", "xmpmeta", "IPTC", "shot at home"] {
            assert!(!text.contains(gone), "{gone} survived");
        }
        for kept in ["JFIF", "ICC_PROFILE", "quantization"] {
            assert!(text.contains(kept), "{kept} lost");
        }
        assert!(stripped.ends_with(&[0x56, 0xFF, 0xD9]));
        let exif = &stripped[stripped.windows(6).position(|w| w == b"Exif\0\0").unwrap() + 6..];
        assert_eq!(
            image::metadata::Orientation::from_exif_chunk(exif),
            image::metadata::Orientation::from_exif(6)
        );
        assert!(!layout(Format::Jpeg, &strip(Format::Jpeg, &bytes, 1).unwrap()).metadata);
    }

    #[test]
    fn a_jpeg_cut_short_is_incomplete_and_data_after_its_end_is_metadata() {
        let bytes = jpeg_with(&[(0xDB, b"q")]);
        assert!(layout(Format::Jpeg, &bytes).complete);
        assert!(!layout(Format::Jpeg, &bytes).metadata);
        assert!(!layout(Format::Jpeg, &bytes[..bytes.len() - 2]).complete);
        let mut trailer = bytes.clone();
        trailer.extend_from_slice(b"second picture with its own EXIF");
        assert!(layout(Format::Jpeg, &trailer).metadata);
        assert_eq!(strip(Format::Jpeg, &trailer, 1).unwrap(), bytes);
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32fast::hash(&out[4..]);
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }

    #[test]
    fn a_png_loses_its_text_and_exif_chunks() {
        let mut bytes = PNG_SIGNATURE.to_vec();
        for (kind, data) in [
            (b"IHDR", &b"header"[..]),
            (b"iCCP", b"profile"),
            (b"tEXt", b"Author\0Ann"),
            (b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0GPS"),
            (b"eXIf", b"MM\0*GPS"),
            (b"IDAT", b"pixels"),
            (b"IEND", b""),
        ] {
            bytes.extend(png_chunk(kind, data));
        }
        assert_eq!(
            layout(Format::Png, &bytes),
            Layout {
                complete: true,
                metadata: true
            }
        );
        let stripped = strip(Format::Png, &bytes, 1).unwrap();
        let text = String::from_utf8_lossy(&stripped);
        assert!(!text.contains("GPS") && !text.contains("Ann"));
        assert!(text.contains("profile") && text.contains("pixels"));
        assert!(!layout(Format::Png, &bytes[..bytes.len() - 5]).complete);
    }

    #[test]
    fn a_webp_loses_exif_and_xmp_and_gains_an_icc_profile() {
        let mut body = b"WEBP".to_vec();
        push_riff_chunk(&mut body, b"VP8X", &[0x0C, 0, 0, 0, 9, 0, 0, 9, 0, 0]);
        push_riff_chunk(&mut body, b"VP8 ", b"frame");
        push_riff_chunk(&mut body, b"EXIF", b"MM\0*GPS");
        push_riff_chunk(&mut body, b"XMP ", b"<x:xmpmeta/>");
        let bytes = riff(body);
        assert_eq!(
            layout(Format::WebP, &bytes),
            Layout {
                complete: true,
                metadata: true
            }
        );
        let stripped = strip(Format::WebP, &bytes, 1).unwrap();
        assert!(!String::from_utf8_lossy(&stripped).contains("GPS"));
        let (chunks, complete) = webp(&stripped).unwrap();
        assert!(complete);
        assert_eq!(stripped[20] & 0x0C, 0, "EXIF and XMP flags cleared");
        assert_eq!(chunks.len(), 2);

        let mut simple = b"WEBP".to_vec();
        push_riff_chunk(&mut simple, b"VP8 ", b"frame");
        let with_icc = webp_with_icc(&riff(simple), b"icc", 10, 10).unwrap();
        let (chunks, complete) = webp(&with_icc).unwrap();
        assert!(complete);
        let kinds: Vec<&[u8; 4]> = chunks.iter().map(|c| &c.kind).collect();
        assert_eq!(kinds, [b"VP8X", b"ICCP", b"VP8 "]);
        assert_eq!(with_icc[20], 0x20);
    }
}
