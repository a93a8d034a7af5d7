//! Text measures of rendered Markdown: words, plain text, and the ids raw HTML defines.

use pulldown_cmark::{Event, Tag, TagEnd};

/// Counts words across text events, which smart punctuation splits mid-word.
#[derive(Default)]
pub(super) struct WordCounter {
    in_word: bool,
}

impl WordCounter {
    /// The number of words that start in `text`.
    pub(super) fn count(&mut self, text: &str) -> usize {
        let mut started = 0;
        for byte in text.bytes() {
            let is_space = byte.is_ascii_whitespace();
            if !is_space && !self.in_word {
                started += 1;
            }
            self.in_word = !is_space;
        }
        started
    }

    /// A block boundary ends any word.
    pub(super) fn break_word(&mut self) {
        self.in_word = false;
    }
}

/// The text of some events on one line, whitespace collapsed.
pub(super) fn plain_text_of(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of a Markdown text on one line, whitespace collapsed.
pub fn plain_text(markdown: &str) -> String {
    let events: Vec<Event> =
        pulldown_cmark::Parser::new_ext(markdown, super::parser_options()).collect();
    self::plain_text_of(&events)
}

/// The text of each item of the first list of a Markdown text, on one line each.
pub fn list_items(markdown: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<Vec<Event>> = None;
    for event in pulldown_cmark::Parser::new_ext(markdown, super::parser_options()) {
        match &event {
            Event::Start(Tag::List(_)) => depth += 1,
            Event::End(TagEnd::List(_)) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Event::Start(Tag::Item) if depth == 1 => current = Some(Vec::new()),
            Event::End(TagEnd::Item) if depth == 1 => {
                if let Some(events) = current.take() {
                    items.push(plain_text_of(&events));
                }
            }
            _ => {}
        }
        if let Some(events) = current.as_mut() {
            events.push(event);
        }
    }
    items
}

/// Whether raw HTML may have an `id` or `name` attribute (`id="x"`, `NAME = x`), which only a
/// parser can tell for sure.
pub(super) fn may_name_anchors(html: &str) -> bool {
    let bytes = html.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        if b != b'=' {
            return false;
        }
        let before = html[..i].trim_end().as_bytes();
        let ends_with = |word: &[u8]| {
            before.len() > word.len()
                && before[before.len() - word.len()..].eq_ignore_ascii_case(word)
                && before[before.len() - word.len() - 1].is_ascii_whitespace()
        };
        ends_with(b"id") || ends_with(b"name")
    })
}

/// What a `#fragment` can land on in raw HTML: every `id`, and the `name` of `<a>` elements.
pub(super) fn html_anchors(html: &str) -> Vec<String> {
    let fragment = scraper::Html::parse_fragment(html);
    let mut anchors = Vec::new();
    for node in fragment.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        if let Some(id) = element.id() {
            anchors.push(id.to_string());
        }
        if element.name() == "a" {
            if let Some(name) = element.attr("name") {
                anchors.push(name.to_string());
            }
        }
    }
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_html_with_an_id_or_a_name_is_parsed() {
        assert!(may_name_anchors("<div ID = \"x\">"));
        assert!(may_name_anchors("<a\nname=old>"));
        assert!(!may_name_anchors(
            "<figure data-id=\"x\" class=\"embed\"><button type=\"button\">"
        ));
        assert!(!may_name_anchors("plain text"));
    }

    #[test]
    fn raw_html_anchors_are_ids_and_link_names() {
        assert_eq!(
            html_anchors("<a name=\"old\"></a><h2 id='x'>X</h2><div id=y></div><span name=\"no\">"),
            ["old", "x", "y"]
        );
        assert!(html_anchors("<!-- <a id=\"hidden\"> -->").is_empty());
    }
}
