//! Images in Markdown: `<img>` with its size, `srcset` and lazy loading, `<picture>` when
//! there are WebP copies, and `<figure>` for an image alone in its paragraph with a title.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};
use serde::{Deserialize, Serialize};

/// A local image as the resolver knows it: its URL, its size and the copies made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    /// The URL of the image itself.
    pub src: String,
    /// Its width and height as shown, when known.
    pub size: Option<(u32, u32)>,
    /// Copies in its own format with their widths, narrowest first, the image itself last;
    /// empty when there is none but the image.
    pub srcset: Vec<(String, u32)>,
    /// WebP copies with their widths, narrowest first; empty when none is made.
    pub webp: Vec<(String, u32)>,
}

/// How one image is written.
pub(super) struct Img<'a> {
    /// Its URL.
    pub src: &'a str,
    /// What is known of it, for a local image.
    pub picture: Option<&'a Picture>,
    /// Its alt text.
    pub alt: &'a str,
    /// Its title, unless it is shown as the caption.
    pub title: Option<&'a str>,
    /// The `sizes` attribute for its `srcset`.
    pub sizes: &'a str,
    /// Load it at once: it may be the page's largest paint.
    pub eager: bool,
}

impl Img<'_> {
    /// The HTML of the image.
    pub(super) fn html(&self) -> String {
        let mut html = String::with_capacity(256);
        let picture = self.picture;
        let webp = picture.map(|p| p.webp.as_slice()).unwrap_or_default();
        if !webp.is_empty() {
            html.push_str("<picture><source type=\"image/webp\"");
            push_srcset(&mut html, webp, self.sizes);
            html.push('>');
        }
        html.push_str("<img src=\"");
        let _ = escape_href(&mut html, self.src);
        html.push_str("\" alt=\"");
        let _ = escape_html(&mut html, self.alt);
        html.push('"');
        if let Some(title) = self.title.filter(|t| !t.is_empty()) {
            html.push_str(" title=\"");
            let _ = escape_html(&mut html, title);
            html.push('"');
        }
        if let Some((width, height)) = picture.and_then(|p| p.size) {
            html.push_str(&format!(" width=\"{width}\" height=\"{height}\""));
        }
        let srcset = picture.map(|p| p.srcset.as_slice()).unwrap_or_default();
        if srcset.len() > 1 {
            push_srcset(&mut html, srcset, self.sizes);
        }
        html.push_str(if self.eager {
            " fetchpriority=\"high\">"
        } else {
            " loading=\"lazy\" decoding=\"async\">"
        });
        if !webp.is_empty() {
            html.push_str("</picture>");
        }
        html
    }
}

fn push_srcset(html: &mut String, candidates: &[(String, u32)], sizes: &str) {
    html.push_str(" srcset=\"");
    for (i, (url, width)) in candidates.iter().enumerate() {
        if i > 0 {
            html.push_str(", ");
        }
        let _ = escape_href(&mut *html, url);
        html.push_str(&format!(" {width}w"));
    }
    html.push_str("\" sizes=\"");
    let _ = escape_html(&mut *html, sizes);
    html.push('"');
}

/// The opening and closing HTML of a figure whose caption is `title`.
pub(super) fn figure(title: &str) -> (String, String) {
    let mut close = String::from("<figcaption>");
    let _ = escape_html(&mut close, title);
    close.push_str("</figcaption></figure>\n");
    ("<figure>".to_string(), close)
}

/// The paragraphs that hold nothing but one image with a title, by the index of their
/// opening event: they become figures.
pub(super) fn figure_paragraphs(events: &[(Event, Range<usize>)]) -> Vec<usize> {
    let mut found = Vec::new();
    for (i, window) in events.windows(2).enumerate() {
        let (Event::Start(Tag::Paragraph), Event::Start(Tag::Image { title, .. })) =
            (&window[0].0, &window[1].0)
        else {
            continue;
        };
        if title.trim().is_empty() {
            continue;
        }
        // The image's end, then the paragraph's: nothing else in between.
        let mut depth = 0usize;
        let mut end = None;
        for (j, (event, _)) in events.iter().enumerate().skip(i + 1) {
            match event {
                Event::Start(Tag::Image { .. }) => depth += 1,
                Event::End(TagEnd::Image) => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(j);
                        break;
                    }
                }
                _ => {}
            }
        }
        if let Some(j) = end {
            if matches!(events.get(j + 1), Some((Event::End(TagEnd::Paragraph), _))) {
                found.push(i);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_offers_webp_then_its_own_format_with_size_and_lazy_loading() {
        let picture = Picture {
            src: "/a/p.jpg".into(),
            size: Some((1000, 500)),
            srcset: vec![("/a/p-480w.jpg".into(), 480), ("/a/p.jpg".into(), 1000)],
            webp: vec![
                ("/a/p-480w.webp".into(), 480),
                ("/a/p-1000w.webp".into(), 1000),
            ],
        };
        let img = Img {
            src: &picture.src,
            picture: Some(&picture),
            alt: "A \"jar\"",
            title: None,
            sizes: "100vw",
            eager: false,
        };
        assert_eq!(
            img.html(),
            "<picture><source type=\"image/webp\" srcset=\"/a/p-480w.webp 480w, /a/p-1000w.webp 1000w\" sizes=\"100vw\">\
             <img src=\"/a/p.jpg\" alt=\"A &quot;jar&quot;\" width=\"1000\" height=\"500\" srcset=\"/a/p-480w.jpg 480w, /a/p.jpg 1000w\" sizes=\"100vw\" loading=\"lazy\" decoding=\"async\"></picture>"
        );
        let eager = Img {
            eager: true,
            picture: None,
            title: Some("T"),
            ..img
        };
        assert_eq!(
            eager.html(),
            "<img src=\"/a/p.jpg\" alt=\"A &quot;jar&quot;\" title=\"T\" fetchpriority=\"high\">"
        );
    }
}
