//! What serum needs to know about images: their size in pixels, so pages do not shift as they load.

use std::path::Path;

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
