//! Photos in articles, as `serum build` publishes them: sized, with narrower and WebP copies,
//! lazy, private, cached; and every bad image refused with its place. The images are made
//! here, by the test, with the camera metadata a phone would put in them.

mod common;
mod limits;

use std::time::Duration;

use common::{TestSite, serum, snapshot};
use limits::{run_bounded, serum_command};

/// A photo-like JPEG: a gradient, so that copies have something to resample.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 140])
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(&image)
        .unwrap();
    bytes
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

/// Words that only the camera's metadata holds: none may reach public/.
const SECRETS: &[&str] = &["SecretCam", "HOME-GPS", "HOME-XMP", "HOME-PNG", "HOME-WEBP"];

/// EXIF as a phone writes it: the camera, the orientation and where the photo was taken.
fn camera_exif(orientation: u16, place: &str) -> Vec<u8> {
    // Big-endian TIFF: IFD0 at 8 with three entries, then the GPS IFD with three.
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    let ifd0_len = 2 + 3 * 12 + 4;
    let make_at = 8 + ifd0_len;
    let gps_at = make_at + 10;
    let gps_len = 2 + 3 * 12 + 4;
    let latitude_at = gps_at + gps_len;
    let method_at = latitude_at + 24;
    let method = format!("ASCII\0\0\0{place}");
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend_from_slice(&tag.to_be_bytes());
        tiff.extend_from_slice(&kind.to_be_bytes());
        tiff.extend_from_slice(&count.to_be_bytes());
        tiff.extend_from_slice(&value);
    };
    tiff.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut tiff, 0x010F, 2, 10, (make_at as u32).to_be_bytes());
    let o = orientation.to_be_bytes();
    entry(&mut tiff, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
    entry(&mut tiff, 0x8825, 4, 1, (gps_at as u32).to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(b"SecretCam\0");
    tiff.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut tiff, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, 5, 3, (latitude_at as u32).to_be_bytes());
    entry(
        &mut tiff,
        0x001B,
        7,
        method.len() as u32,
        (method_at as u32).to_be_bytes(),
    );
    tiff.extend_from_slice(&0u32.to_be_bytes());
    for (n, d) in [(48u32, 1u32), (51, 1), (2418, 100)] {
        tiff.extend_from_slice(&n.to_be_bytes());
        tiff.extend_from_slice(&d.to_be_bytes());
    }
    tiff.extend_from_slice(method.as_bytes());
    tiff
}

/// A JPEG with the camera's EXIF (GPS included) and an XMP packet, right after its start.
fn camera_jpeg(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(width, height);
    let segment = |payload: Vec<u8>| {
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        segment.extend(payload);
        segment
    };
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(camera_exif(orientation, "HOME-GPS-48.8584N"));
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>HOME-XMP-48,51N</exif:GPSLatitude></x:xmpmeta>".to_vec();
    let mut bytes = plain[..2].to_vec();
    bytes.extend(segment(exif));
    bytes.extend(segment(xmp));
    bytes.extend_from_slice(&plain[2..]);
    bytes
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let crc = crc32fast::hash(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    chunk
}

/// A PNG with its author in a text chunk and GPS in an EXIF chunk.
fn camera_png(width: u32, height: u32) -> Vec<u8> {
    let plain = png(width, height);
    let iend = plain.len() - 12;
    let mut bytes = plain[..iend].to_vec();
    bytes.extend(png_chunk(b"tEXt", b"Author\0HOME-PNG-author"));
    bytes.extend(png_chunk(b"eXIf", &camera_exif(1, "HOME-PNG-GPS")));
    bytes.extend_from_slice(&plain[iend..]);
    bytes
}

/// A WebP (lossless, as the image crate writes it) in the extended format with an EXIF chunk.
fn camera_webp(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 100, 50, 255]));
    let mut simple = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut simple, image::ImageFormat::WebP)
        .unwrap();
    let simple = simple.into_inner();
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut out = kind.to_vec();
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
        out
    };
    let mut vp8x = vec![0x08, 0, 0, 0];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", &vp8x));
    body.extend_from_slice(&simple[12..]);
    body.extend(chunk(b"EXIF", &camera_exif(1, "HOME-WEBP-GPS")));
    let mut bytes = b"RIFF".to_vec();
    bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
    bytes.extend(body);
    bytes
}

/// A PNG header claiming 60,000 × 60,000 pixels over a few bytes of data: a decompression bomb.
fn bomb_png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = 60_000u32.to_be_bytes().to_vec();
    header.extend_from_slice(&60_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    bytes.extend(png_chunk(b"IHDR", &header));
    bytes.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    bytes.extend(png_chunk(b"IEND", b""));
    bytes
}

fn article(body: &str) -> String {
    format!("+++\ntitle = \"Photos\"\ndate = 2024-05-02\n+++\n{body}")
}

/// The size of a published image file.
#[track_caller]
fn size_of(site: &TestSite, url: &str) -> (u32, u32) {
    let file = site.path(&format!("public{url}"));
    let image = image::open(&file).unwrap_or_else(|e| panic!("{url}: {e}"));
    (image.width(), image.height())
}

/// The candidates of a `srcset`: each URL with the width it claims.
fn candidates(srcset: &str) -> Vec<(String, u32)> {
    srcset
        .split(", ")
        .map(|candidate| {
            let (url, width) = candidate.rsplit_once(' ').unwrap();
            (
                url.to_string(),
                width.trim_end_matches('w').parse().unwrap(),
            )
        })
        .collect()
}

/// Every candidate exists, is exactly as wide as it claims and keeps the image's proportions.
#[track_caller]
fn assert_candidates_true(site: &TestSite, srcset: &str, ratio: f64) {
    for (url, width) in candidates(srcset) {
        let (w, h) = size_of(site, &url);
        assert_eq!(w, width, "{url} claims {width}w");
        assert!(
            (f64::from(w) / f64::from(h) - ratio).abs() < 0.02,
            "{url} is {w}×{h}"
        );
    }
}

#[test]
fn a_photo_gets_its_size_narrower_copies_and_webp_through_picture() {
    let site = TestSite::new()
        .write(
            "content/posts/p/index.md",
            article("![A jar of serum](jar.jpg)\n\nText.\n\n![Skin, close up](skin.jpg)\n"),
        )
        .write("content/posts/p/jar.jpg", jpeg(2000, 1000))
        .write("content/posts/p/skin.jpg", jpeg(1200, 900));
    site.build(&[]).ok();
    let page = site.page("public/posts/p/index.html");
    let imgs = page.all(".page-content picture > img");
    assert_eq!(imgs.len(), 2);
    let jar = imgs[0].value();
    assert_eq!(jar.attr("src"), Some("/posts/p/jar.jpg"));
    assert_eq!(jar.attr("alt"), Some("A jar of serum"));
    assert_eq!(
        (jar.attr("width"), jar.attr("height")),
        (Some("2000"), Some("1000"))
    );
    assert_eq!(
        jar.attr("srcset"),
        Some(
            "/posts/p/jar-480w.jpg 480w, /posts/p/jar-960w.jpg 960w, /posts/p/jar-1440w.jpg 1440w, /posts/p/jar.jpg 2000w"
        )
    );
    assert!(jar.attr("sizes").is_some());
    assert_candidates_true(&site, jar.attr("srcset").unwrap(), 2.0);
    let sources = page.all(".page-content picture > source[type='image/webp']");
    assert_eq!(sources.len(), 2);
    assert_eq!(
        sources[0].value().attr("srcset"),
        Some(
            "/posts/p/jar-480w.webp 480w, /posts/p/jar-960w.webp 960w, /posts/p/jar-1440w.webp 1440w"
        )
    );
    assert_candidates_true(&site, sources[0].value().attr("srcset").unwrap(), 2.0);
    assert_eq!(
        image::guess_format(&std::fs::read(site.path("public/posts/p/jar-960w.webp")).unwrap())
            .unwrap(),
        image::ImageFormat::WebP
    );
    // No cover: the first photo may be the largest paint and loads at once; the others wait.
    assert_eq!(jar.attr("loading"), None);
    assert_eq!(jar.attr("fetchpriority"), Some("high"));
    let skin = imgs[1].value();
    assert_eq!(
        (skin.attr("loading"), skin.attr("decoding")),
        (Some("lazy"), Some("async"))
    );
    // 1200 wide: copies below it, and a WebP at its own width, none wider.
    assert_eq!(
        sources[1].value().attr("srcset"),
        Some(
            "/posts/p/skin-480w.webp 480w, /posts/p/skin-960w.webp 960w, /posts/p/skin-1200w.webp 1200w"
        )
    );
    assert_candidates_true(&site, sources[1].value().attr("srcset").unwrap(), 4.0 / 3.0);
    assert!(!site.path("public/posts/p/skin-1440w.jpg").exists());
}

#[test]
fn a_page_with_a_cover_loads_every_body_image_lazily() {
    let site = TestSite::new()
        .write(
            "content/posts/p/index.md",
            "+++\ntitle = \"P\"\ncover = { src = \"cover.jpg\", alt = \"Cover\" }\n+++\n![First](a.jpg)\n",
        )
        .write("content/posts/p/cover.jpg", jpeg(1600, 900))
        .write("content/posts/p/a.jpg", jpeg(600, 400));
    site.build(&[]).ok();
    let page = site.page("public/posts/p/index.html");
    assert_eq!(page.attr(".page-content img", "loading"), "lazy");
    // The cover goes through the same pipeline: WebP copies offered first.
    let cover = page.attr("figure.cover source[type='image/webp']", "srcset");
    assert_candidates_true(&site, &cover, 16.0 / 9.0);
    assert_candidates_true(&site, &page.attr("figure.cover img", "srcset"), 16.0 / 9.0);
}

#[test]
fn a_small_image_gets_no_copy_wider_than_itself() {
    let site = TestSite::new()
        .write("content/posts/p/index.md", article("![Icon](icon.png)\n"))
        .write("content/posts/p/icon.png", png(300, 200));
    site.build(&[]).ok();
    let page = site.page("public/posts/p/index.html");
    let img = page.one(".page-content img");
    assert_eq!(
        img.value().attr("srcset"),
        None,
        "nothing narrower to offer"
    );
    assert_eq!(
        page.attr(".page-content source", "srcset"),
        "/posts/p/icon-300w.webp 300w"
    );
    let files: Vec<String> = snapshot(&site.path("public/posts/p"))
        .into_keys()
        .filter(|f| f.starts_with("icon"))
        .collect();
    assert_eq!(files, ["icon-300w.webp", "icon.png"]);
    assert_eq!(size_of(&site, "/posts/p/icon-300w.webp"), (300, 200));
}

#[test]
fn width_and_height_are_those_of_the_photo_turned_the_right_way_up() {
    // Stored 800×400 with EXIF orientation 6: shown 400 wide and 800 tall.
    let site = TestSite::new()
        .write(
            "content/posts/p/index.md",
            article("![Portrait](portrait.jpg)\n"),
        )
        .write("content/posts/p/portrait.jpg", camera_jpeg(800, 400, 6));
    site.build(&[]).ok();
    let page = site.page("public/posts/p/index.html");
    let img = page.one(".page-content img");
    assert_eq!(
        (img.value().attr("width"), img.value().attr("height")),
        (Some("400"), Some("800"))
    );
    assert_eq!(size_of(&site, "/posts/p/portrait-400w.webp"), (400, 800));
    // The original keeps its pixels and only the orientation of its EXIF, so browsers
    // still turn it.
    let original = std::fs::read(site.path("public/posts/p/portrait.jpg")).unwrap();
    let mut decoder =
        image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&original)).unwrap();
    use image::ImageDecoder;
    assert_eq!(
        decoder.orientation().unwrap(),
        image::metadata::Orientation::Rotate90
    );
    assert!(decoder.exif_metadata().unwrap().unwrap().len() < 40);
}

#[test]
fn images_named_from_static_rooted_with_at_or_from_another_folder_are_processed_too() {
    let site = TestSite::new()
        .write(
            "content/posts/p/index.md",
            article("![Logo](/images/logo.png)\n\n![Shared](@/shared/photo.jpg)\n\n![Up](../q/near.jpg)\n"),
        )
        .write("static/images/logo.png", png(1000, 500))
        .write("content/shared/photo.jpg", jpeg(1000, 1000))
        .write("content/posts/q/index.md", "+++\ntitle = \"Q\"\n+++\nQ.\n")
        .write("content/posts/q/near.jpg", jpeg(700, 350));
    site.build(&[]).ok();
    let page = site.page("public/posts/p/index.html");
    assert_eq!(
        page.attrs(".page-content img", "src"),
        ["/images/logo.png", "/shared/photo.jpg", "/posts/q/near.jpg"]
    );
    let webp = page.attrs(".page-content source", "srcset");
    assert_eq!(
        webp,
        [
            "/images/logo-480w.webp 480w, /images/logo-960w.webp 960w, /images/logo-1000w.webp 1000w",
            "/shared/photo-480w.webp 480w, /shared/photo-960w.webp 960w, /shared/photo-1000w.webp 1000w",
            "/posts/q/near-480w.webp 480w, /posts/q/near-700w.webp 700w",
        ]
    );
    for srcset in &webp {
        for (url, width) in candidates(srcset) {
            assert_eq!(size_of(&site, &url).0, width, "{url}");
        }
    }
}

#[test]
fn an_image_alone_in_its_paragraph_with_a_title_becomes_a_figure_with_its_caption() {
    let site = TestSite::new()
        .write(
            "content/posts/p/index.md",
            article("![A jar](jar.jpg \"The serum, *before* use\")\n\nInline ![dot](dot.png \"A dot\") in text.\n\n![No title](jar.jpg)\n"),
        )
        .write("content/posts/p/jar.jpg", jpeg(600, 400))
        .write("content/posts/p/dot.png", png(20, 20));
    site.build(&[]).ok();
    let page = site.page("public/posts/p/index.html");
    page.one(".page-content figure");
    assert_eq!(
        page.text(".page-content figure figcaption"),
        "The serum, *before* use"
    );
    assert_eq!(page.attr(".page-content figure img", "alt"), "A jar");
    assert_eq!(
        page.all(".page-content figure img[title]").len(),
        0,
        "the caption is not repeated as a title"
    );
    assert!(
        page.all(".page-content p figure").is_empty(),
        "a figure is no paragraph's"
    );
    assert_eq!(page.attr(".page-content p img[title]", "title"), "A dot");
    assert_eq!(
        page.all(".page-content p picture img[alt='No title']")
            .len(),
        1
    );
}

#[test]
fn no_published_file_carries_the_cameras_metadata() {
    let site = TestSite::new()
        .write(
            "content/posts/p/index.md",
            article(
                "![Shown](shown.jpg)\n\n![Screenshot](screen.png)\n\n![Sticker](sticker.webp)\n",
            ),
        )
        .write("content/posts/p/shown.jpg", camera_jpeg(1600, 1200, 1))
        .write("content/posts/p/unlinked.jpg", camera_jpeg(500, 400, 1))
        .write("content/posts/p/screen.png", camera_png(800, 600))
        .write("content/posts/p/sticker.webp", camera_webp(600, 600))
        .write("static/photo.jpg", camera_jpeg(300, 200, 1));
    // The fixtures do carry it.
    for file in [
        "content/posts/p/shown.jpg",
        "content/posts/p/screen.png",
        "content/posts/p/sticker.webp",
    ] {
        let bytes = std::fs::read(site.path(file)).unwrap();
        assert!(
            contains_secret(&bytes).is_some(),
            "{file} has no metadata to remove"
        );
    }
    site.build(&[]).ok();
    let published = snapshot(&site.path("public"));
    assert!(published.len() > 15, "{:?}", published.keys());
    for (file, bytes) in &published {
        if let Some(secret) = contains_secret(bytes) {
            panic!("public/{file} still holds {secret}");
        }
    }
    // Each original is published whole otherwise: same pixels, same size.
    for (name, size) in [
        ("shown.jpg", (1600, 1200)),
        ("unlinked.jpg", (500, 400)),
        ("screen.png", (800, 600)),
        ("sticker.webp", (600, 600)),
    ] {
        assert_eq!(size_of(&site, &format!("/posts/p/{name}")), size, "{name}");
    }
    let before = image::open(site.path("content/posts/p/screen.png")).unwrap();
    let after = image::open(site.path("public/posts/p/screen.png")).unwrap();
    assert!(before == after, "the PNG's pixels are untouched");
}

fn contains_secret(bytes: &[u8]) -> Option<&'static str> {
    SECRETS
        .iter()
        .find(|s| bytes.windows(s.len()).any(|w| w == s.as_bytes()))
        .copied()
}

#[test]
fn every_bad_image_is_an_error_naming_the_page_line_and_column() {
    let site = TestSite::new()
        .write(
            "content/posts/bad/index.md",
            article("![Missing](missing.jpg)\n\n![Rooted](/images/nowhere.png)\n\n![Text](notes.jpg)\n\n![Cut](cut.jpg)\n\nSee ![Outside](../../../../secret.png).\n\n![Bomb](bomb.png)\n"),
        )
        .write("content/posts/bad/notes.jpg", "Remember to buy serum.\n")
        .write("content/posts/bad/cut.jpg", {
            let whole = jpeg(800, 600);
            whole[..whole.len() * 3 / 5].to_vec()
        })
        .write("content/posts/bad/bomb.png", bomb_png());
    // The bomb is refused from its header: decoding it would take 10 GB. The time limit only
    // stops a hung build; how long the build takes is the benchmarks' business.
    let stderr = run_bounded(
        serum_command(site.root(), &["build"]),
        Duration::from_secs(600),
    )
    .failed(256);
    assert_eq!(
        stderr,
        "error: content/posts/bad/index.md:5:1: missing image `missing.jpg`: there is no file content/posts/bad/missing.jpg\n  help: fix the path (relative to this file, `@/` from content/, or `/` from static/), or add the image\n\
         error: content/posts/bad/index.md:7:1: missing image `/images/nowhere.png`: no file of static/, the theme or content/ is published there\n  help: fix the path (relative to this file, `@/` from content/, or `/` from static/), or add the image\n\
         error: content/posts/bad/index.md:9:1: image `notes.jpg` is not an image serum can read (JPEG, PNG, WebP, GIF or SVG): its first bytes are not those of any image format\n  help: export it again as JPEG, PNG or WebP, or fix the path\n\
         error: content/posts/bad/index.md:11:1: image `cut.jpg` is cut short: the file ends before its image does\n  help: copy or export the image again: part of it is missing\n\
         error: content/posts/bad/index.md:13:5: image `../../../../secret.png` leads outside content/: serum publishes only the site's own files\n  help: fix the path (relative to this file, `@/` from content/, or `/` from static/), or add the image\n\
         error: content/posts/bad/index.md:15:1: image `bomb.png` claims 60000 × 60000 pixels, more than serum decodes (16384 a side and 100 megapixels at most)\n  help: scale the image down before adding it; a photo for the web needs no more than 3000 pixels a side\n\
         error: 6 problems found\n"
    );
}

#[test]
fn an_image_without_alt_text_is_a_warning_and_an_error_under_check_strict() {
    let site = TestSite::new()
        .write(
            "content/posts/p/index.md",
            "+++\ntitle = \"P\"\ndescription = \"P.\"\ndate = 2024-05-02\nauthor = \"ann\"\n+++\nText.\n\n![](photo.jpg)\n",
        )
        .write("content/posts/first.md", "+++\ntitle = \"First\"\ndescription = \"F.\"\ndate = 2024-05-01\nauthor = \"ann\"\n+++\nHi.\n")
        .write("content/posts/p/photo.jpg", jpeg(500, 300));
    let warning = "warning: content/posts/p/index.md:9:1: the image `photo.jpg` has no alt text\n  help: describe what it shows between the brackets, `![what it shows](…)`, for readers who cannot see it\n";
    let run = site.build(&[]).ok();
    assert!(run.stderr.contains(warning), "{}", run.stderr);
    let run = serum(site.root(), &["check", "--strict"]);
    assert_eq!(run.status, Some(1));
    assert!(
        run.stderr
            .contains(&warning.replacen("warning:", "error:", 1)),
        "{}",
        run.stderr
    );
}

#[test]
fn an_svg_passes_through_sized_by_its_view_box() {
    let site = TestSite::new()
        .write("content/posts/p/index.md", article("![A diagram](diagram.svg)\n"))
        .write(
            "content/posts/p/diagram.svg",
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360"><rect width="640" height="360" fill="teal"/></svg>"#,
        );
    site.build(&[]).ok();
    let page = site.page("public/posts/p/index.html");
    let img = page.one(".page-content img");
    assert_eq!(img.value().attr("src"), Some("/posts/p/diagram.svg"));
    assert_eq!(
        (img.value().attr("width"), img.value().attr("height")),
        (Some("640"), Some("360"))
    );
    assert_eq!(img.value().attr("srcset"), None);
    assert!(page.all(".page-content picture").is_empty());
    assert_eq!(
        snapshot(&site.path("public/posts/p"))
            .into_keys()
            .collect::<Vec<_>>(),
        ["diagram.svg", "index.html"]
    );
}

/// A home page that shows what `resize_image` gives for each kind of request.
const RESIZE_TEMPLATE: &str = r#"<!DOCTYPE html><html lang="en"><head><title>T</title></head><body>
{% set fill = resize_image(path="@/posts/p/photo.jpg", width=300, height=300, op="fill", format="webp") %}<img id="fill" src="{{ fill.url }}" width="{{ fill.width }}" height="{{ fill.height }}" alt="">
{% set fw = resize_image(path="images/logo.png", width=250, op="fit_width") %}<img id="fit_width" src="{{ fw.url }}" width="{{ fw.width }}" height="{{ fw.height }}" alt="">
{% set fh = resize_image(path="/posts/p/photo.jpg", height=100, op="fit_height", format="png") %}<img id="fit_height" src="{{ fh.url }}" width="{{ fh.width }}" height="{{ fh.height }}" alt="">
{% set fit = resize_image(path="posts/p/photo.jpg", width=5000, height=200, op="fit", quality=60) %}<img id="fit" src="{{ fit.url }}" width="{{ fit.width }}" height="{{ fit.height }}" alt="">
{% set big = resize_image(path="@/posts/p/photo.jpg", width=4000, height=4000, op="fill") %}<img id="big" src="{{ big.url }}" width="{{ big.width }}" height="{{ big.height }}" alt="">
</body></html>
"#;

#[test]
fn resize_image_gives_url_width_and_height_and_never_enlarges() {
    let site = TestSite::new()
        .write("content/posts/p/index.md", article("Text.\n"))
        .write("content/posts/p/photo.jpg", camera_jpeg(1200, 800, 1))
        .write("static/images/logo.png", png(500, 100))
        .write("templates/index.html", RESIZE_TEMPLATE);
    site.build(&[]).ok();
    let home = site.page("public/index.html");
    for (id, size, format) in [
        ("fill", (300, 300), image::ImageFormat::WebP),
        ("fit_width", (250, 50), image::ImageFormat::Png),
        ("fit_height", (150, 100), image::ImageFormat::Png),
        ("fit", (300, 200), image::ImageFormat::Jpeg),
        ("big", (800, 800), image::ImageFormat::Jpeg),
    ] {
        let src = home.attr(&format!("#{id}"), "src");
        let claimed = (
            home.attr(&format!("#{id}"), "width").parse().unwrap(),
            home.attr(&format!("#{id}"), "height").parse().unwrap(),
        );
        assert_eq!(claimed, size, "{id}");
        assert_eq!(size_of(&site, &src), size, "{id}: {src}");
        let bytes = std::fs::read(site.path(&format!("public{src}"))).unwrap();
        assert_eq!(image::guess_format(&bytes).unwrap(), format, "{id}");
        assert!(contains_secret(&bytes).is_none(), "{id}");
    }
    assert_eq!(
        home.attr("#fill", "src"),
        "/posts/p/photo-fill300x300-q80.webp"
    );

    // Rebuilt without a change, every copy is kept; the output holds exactly the same files
    // (but for the search index's, which are named after what they hold: the text changed).
    let files = |site: &TestSite| -> Vec<String> {
        snapshot(&site.path("public"))
            .into_keys()
            .filter(|file| !file.starts_with("pagefind/"))
            .collect()
    };
    let before = files(&site);
    site.build(&[]).ok();
    let site = site.write("content/posts/p/index.md", article("Other text.\n"));
    site.build(&[]).ok();
    assert_eq!(files(&site), before);
}

#[test]
fn resize_image_of_a_missing_image_fails_the_template_with_the_path() {
    let site = TestSite::new().write(
        "templates/index.html",
        "<!DOCTYPE html><title>T</title>\n{% set t = resize_image(path=\"@/nowhere.jpg\", width=10, height=10) %}{{ t.url }}\n",
    );
    let stderr = site.build(&[]).fails();
    assert!(
        stderr.starts_with("error: templates/index.html:2:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("there is no image `@/nowhere.jpg` in content/ or static/"),
        "{stderr}"
    );
}

#[test]
fn both_themes_show_listing_thumbnails_and_avatars_made_by_resize_image() {
    for theme in ["default", "mono"] {
        let site = TestSite::new()
            .with_repo_themes()
            .write(
                "content/posts/p/index.md",
                "+++\ntitle = \"P\"\ndate = 2024-05-02\nauthor = \"ann\"\ncover = { src = \"cover.jpg\", alt = \"A cover\" }\n+++\nText.\n",
            )
            .write("content/posts/p/cover.jpg", camera_jpeg(2400, 1600, 1))
            .write(
                "content/authors/ann.md",
                "+++\nname = \"Ann Lee\"\navatar = \"ann.png\"\n+++\nAnn edits.\n",
            )
            .write("content/authors/ann.png", png(600, 400));
        site.build(&["--theme", theme]).ok();
        let home = site.page("public/index.html");
        let thumbnail = home.one(".page-item-cover");
        let src = thumbnail.value().attr("src").unwrap().to_string();
        let claimed: (u32, u32) = (
            thumbnail.value().attr("width").unwrap().parse().unwrap(),
            thumbnail.value().attr("height").unwrap().parse().unwrap(),
        );
        assert!(claimed.0 < 800, "{theme}: a thumbnail, not the {src}");
        assert_eq!(size_of(&site, &src), claimed, "{theme}: {src}");
        let page = site.page("public/posts/p/index.html");
        let avatar = page.one(".author-card-avatar");
        let avatar_src = avatar.value().attr("src").unwrap();
        let (w, h) = size_of(&site, avatar_src);
        assert_eq!(w, h, "{theme}: a square avatar, {avatar_src}");
        assert!(w <= 400, "{theme}: {avatar_src} is {w} wide");
    }
}

#[test]
fn listings_kept_from_the_last_build_keep_the_thumbnails_they_show() {
    // Eight listings show the article: the home page, its section and six tags. Its listing
    // item, thumbnail and all, is made once per build, for whichever renders first.
    let site = TestSite::new()
        .write(
            "content/posts/p/index.md",
            "+++\ntitle = \"P\"\ndate = 2024-05-02\ntags = [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"]\ncover = { src = \"cover.jpg\", alt = \"A cover\" }\n+++\nText.\n",
        )
        .write("content/posts/p/cover.jpg", jpeg(1600, 900));
    site.build(&[]).ok();
    let listings = [
        "public/index.html",
        "public/posts/index.html",
        "public/tags/c/index.html",
    ];
    let modified = |site: &TestSite| -> Vec<_> {
        listings
            .iter()
            .map(|path| {
                std::fs::metadata(site.path(path))
                    .unwrap()
                    .modified()
                    .unwrap()
            })
            .collect()
    };
    let before = modified(&site);
    // Only the 404 page is made again: every listing is kept, and so is its thumbnail.
    let site = site.write(
        "templates/404.html",
        "<!DOCTYPE html>\n<html lang=\"en\"><head><title>Lost</title></head><body><h1>Lost</h1></body></html>\n",
    );
    let run = site.build(&[]).ok();
    assert!(run.stdout.contains("(1 file written"), "{}", run.stdout);
    assert_eq!(modified(&site), before, "the listings are kept");
    for listing in listings {
        let src = site.page(listing).attr(".page-item-cover", "src");
        assert!(
            site.path(&format!("public{src}")).is_file(),
            "{listing} shows {src}"
        );
    }
}

#[test]
fn a_second_build_reads_no_image_and_unused_copies_leave_the_cache() {
    let site = TestSite::new()
        .write(
            "content/posts/p/index.md",
            article("![A](a.jpg)\n\n![B](b.jpg)\n"),
        )
        .write("content/posts/p/a.jpg", jpeg(1500, 1000))
        .write("content/posts/p/b.jpg", jpeg(1000, 1000));
    site.build(&[]).ok();
    let cache = site.path(".serum-cache/images");
    let first = snapshot(&cache);
    assert!(first.len() > 8, "{:?}", first.keys());
    // A clean build into a new output takes every copy from the cache as it is.
    std::fs::remove_dir_all(site.path("public")).unwrap();
    site.build(&[]).ok();
    assert_eq!(snapshot(&cache), first);
    // The page stops showing b.jpg: its copies go from the cache.
    let site = site.write("content/posts/p/index.md", article("![A](a.jpg)\n"));
    site.build(&[]).ok();
    let after = snapshot(&cache);
    assert!(after.len() < first.len());
    assert!(after.keys().all(|name| first.contains_key(name)));
    assert!(!site.path("public/posts/p/b-480w.webp").exists());
}

#[test]
fn check_reports_bad_images_without_making_copies() {
    let site = TestSite::new()
        .write(
            "content/posts/p/index.md",
            article("![Cut](cut.jpg)\n\n![Fine](fine.jpg)\n"),
        )
        .write("content/posts/p/cut.jpg", {
            let whole = jpeg(400, 300);
            whole[..whole.len() / 2].to_vec()
        })
        .write("content/posts/p/fine.jpg", jpeg(1000, 500));
    let run = serum(site.root(), &["check"]);
    assert!(
        run.stderr
            .contains("error: content/posts/p/index.md:5:1: image `cut.jpg` is cut short"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("fine"),
        "the copies of fine.jpg are known to be made: {}",
        run.stderr
    );
    let cache = snapshot(&site.path(".serum-cache/images"));
    assert!(
        cache.keys().all(|name| name == "index"),
        "{:?}",
        cache.keys()
    );
}

#[test]
fn the_figure_shortcode_shows_a_photo_through_the_same_pipeline() {
    let site = TestSite::new()
        .write(
            "content/posts/p/index.md",
            article("{{ figure(src=\"jar.jpg\", alt=\"A jar\", caption=\"The jar, open\") }}\n"),
        )
        .write("content/posts/p/jar.jpg", camera_jpeg(1200, 800, 1));
    site.build(&[]).ok();
    let page = site.page("public/posts/p/index.html");
    let img = page.one("figure.figure picture > img");
    assert_eq!(
        (img.value().attr("width"), img.value().attr("height")),
        (Some("1200"), Some("800"))
    );
    assert_candidates_true(&site, img.value().attr("srcset").unwrap(), 1.5);
    assert_candidates_true(
        &site,
        &page.attr("figure.figure source[type='image/webp']", "srcset"),
        1.5,
    );
    assert_eq!(page.text("figure.figure figcaption"), "The jar, open");
    for (file, bytes) in snapshot(&site.path("public")) {
        assert!(contains_secret(&bytes).is_none(), "public/{file}");
    }
}
