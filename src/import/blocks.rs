//! Notion's Markdown blocks turned into serum's: callouts, to-dos, toggles, captions, headings,
//! and every link and image destination rewritten through a resolver.
//!
//! The block pass works line by line and keeps one output line per input line, so a place
//! in the converted body is the same line in the exported file.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};

/// Converts Notion's blocks, line for line.
pub fn convert_blocks(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let mut pass = BlockPass {
        demote: lines.iter().any(|line| line.starts_with("# ")),
        previous_blank: true,
        ..BlockPass::default()
    };
    let mut out: Vec<String> = (0..lines.len())
        .map(|n| pass.convert(lines[n], &lines[n + 1..]))
        .collect();
    drop_repeated_captions(&mut out);
    let mut text = out.join("\n");
    if body.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Where the line-by-line pass is: in code, in a callout, in a list, under a toggle heading.
#[derive(Default)]
struct BlockPass {
    /// The body has `#` headings, which move down a level under the page title.
    demote: bool,
    /// The marker of the open code fence.
    fence: Option<String>,
    /// Inside `<aside>`: whether its first line of text (which may start with the icon) is
    /// still to come.
    aside: Option<bool>,
    /// The last unindented block is a list, so indented lines belong to its items.
    in_list: bool,
    /// Indented lines under a heading or paragraph: a toggle's children.
    toggle_children: bool,
    previous_blank: bool,
}

impl BlockPass {
    /// One line converted; `rest` is the lines after it.
    fn convert(&mut self, raw: &str, rest: &[&str]) -> String {
        if raw.trim().is_empty() {
            self.previous_blank = true;
            return if self.aside.is_some() {
                ">".into()
            } else {
                String::new()
            };
        }
        let line = self.dedent_toggle_child(raw);
        self.previous_blank = false;
        if let Some(open) = &self.fence {
            if line.trim_start().starts_with(open.as_str()) {
                self.fence = None;
            }
            return self.quoted(line);
        }
        if let Some(marker) = fence_marker(line) {
            self.fence = Some(marker);
            return self.quoted(line);
        }
        if let Some(after) = line.trim().strip_prefix("<aside>") {
            return self.open_aside(after.trim(), rest);
        }
        if self.aside.is_some() {
            return self.aside_line(line);
        }
        block_line(line, self.demote)
    }

    /// A toggle heading's children are indented, which Markdown would read as code; under a
    /// list item the indentation is the item's, and stays.
    fn dedent_toggle_child<'a>(&mut self, raw: &'a str) -> &'a str {
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        if indent == 0 {
            self.toggle_children = false;
            self.in_list = is_list_item(raw) || (self.in_list && !self.previous_blank);
        } else if indent >= 4 && !self.in_list && self.fence.is_none() {
            self.toggle_children = true;
        }
        if self.toggle_children {
            &raw[indent.min(4)..]
        } else {
            raw
        }
    }

    /// `<aside>` becomes `> [!KIND]`, the kind read from the icon of its first line of text.
    fn open_aside(&mut self, after: &str, rest: &[&str]) -> String {
        if after.is_empty() {
            let first = rest
                .iter()
                .map(|l| l.trim())
                .find(|l| !l.is_empty() && !is_icon_image(l))
                .unwrap_or("");
            self.aside = Some(true);
            return format!("> [!{}]", alert_kind(first).0);
        }
        let text = after.trim_end_matches("</aside>").trim();
        let (kind, text) = alert_kind(text);
        self.aside = (!after.ends_with("</aside>")).then_some(false);
        format!("> [!{kind}]\n> {text}")
    }

    fn aside_line(&mut self, line: &str) -> String {
        let trimmed = line.trim();
        if trimmed == "</aside>" {
            self.aside = None;
            return String::new();
        }
        if is_icon_image(trimmed) {
            return ">".into();
        }
        let text = if self.aside == Some(true) {
            alert_kind(line).1
        } else {
            line
        };
        self.aside = Some(false);
        format!("> {}", block_line(text, self.demote))
    }

    fn quoted(&self, line: &str) -> String {
        if self.aside.is_some() {
            format!("> {line}")
        } else {
            line.to_string()
        }
    }
}

/// Collapses the blank lines the line-for-line pass leaves behind, outside code blocks, and
/// drops a quote's trailing empty `>` line.
pub fn tidy_blank_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<&str> = Vec::with_capacity(lines.len());
    let mut fence: Option<String> = None;
    for (n, line) in lines.iter().enumerate() {
        if let Some(open) = &fence {
            if line.trim_start().starts_with(open.as_str()) {
                fence = None;
            }
            out.push(line);
            continue;
        }
        fence = fence_marker(line);
        let blank = line.trim().is_empty();
        let next_blank = lines.get(n + 1).is_none_or(|l| l.trim().is_empty());
        if blank && out.last().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        if line.trim() == ">" && next_blank {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    let mut tidy = out.join("\n");
    if !tidy.is_empty() {
        tidy.push('\n');
    }
    tidy
}

/// One line outside code: to-dos lose Notion's second space, headings move down under the title.
fn block_line(line: &str, demote: bool) -> String {
    let indent = &line[..line.len() - line.trim_start().len()];
    let rest = line.trim_start();
    for todo in ["- [ ]", "- [x]", "- [X]"] {
        if let Some(text) = rest.strip_prefix(todo) {
            if text.starts_with(' ') {
                return format!("{indent}{todo} {}", text.trim_start());
            }
        }
    }
    if demote && indent.is_empty() && rest.starts_with('#') {
        let level = rest.chars().take_while(|&c| c == '#').count();
        if level < 6 && rest[level..].starts_with(' ') {
            return format!("#{rest}");
        }
    }
    line.to_string()
}

fn is_list_item(line: &str) -> bool {
    let line = line.trim_start();
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
}

fn fence_marker(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    ["```", "~~~"]
        .into_iter()
        .find(|marker| trimmed.starts_with(marker))
        .map(|marker| {
            let c = marker.chars().next().unwrap_or('`');
            trimmed.chars().take_while(|&x| x == c).collect()
        })
}

/// `<img src="…" alt="…" width="40px" />`: a callout's custom icon, not content.
fn is_icon_image(line: &str) -> bool {
    line.starts_with("<img ") && line.ends_with("/>")
}

/// The alert a callout becomes, from its leading emoji, and its text without that emoji.
fn alert_kind(text: &str) -> (&'static str, &str) {
    const ICONS: &[(&str, &str)] = &[
        ("💡", "TIP"),
        ("⚠️", "WARNING"),
        ("⚠", "WARNING"),
        ("❗️", "IMPORTANT"),
        ("❗", "IMPORTANT"),
        ("‼️", "IMPORTANT"),
        ("📌", "IMPORTANT"),
        ("🚨", "CAUTION"),
        ("⛔", "CAUTION"),
        ("🛑", "CAUTION"),
        ("ℹ️", "NOTE"),
        ("📝", "NOTE"),
    ];
    for (icon, kind) in ICONS {
        if let Some(rest) = text.strip_prefix(icon) {
            return (kind, rest.trim_start_matches('\u{fe0f}').trim_start());
        }
    }
    ("NOTE", text)
}

/// Notion writes an image's caption twice: as its alt text and as the paragraph after it.
fn drop_repeated_captions(lines: &mut [String]) {
    for i in 0..lines.len() {
        let Some(alt) = image_alt(&lines[i]) else {
            continue;
        };
        let next = lines[i + 1..]
            .iter()
            .position(|l| !l.trim().is_empty())
            .map(|p| i + 1 + p);
        if let Some(next) = next {
            let ends_paragraph = lines.get(next + 1).is_none_or(|l| l.trim().is_empty());
            if !alt.is_empty() && lines[next].trim() == alt && ends_paragraph {
                lines[next] = String::new();
            }
        }
    }
}

/// The alt text of a line that is only an image: `![alt](src)`.
fn image_alt(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix("![")?;
    let (alt, after) = rest.split_once("](")?;
    after.ends_with(')').then(|| alt.trim().to_string())
}

/// What to do with one link or image destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkFix {
    /// Leave it as written.
    Keep,
    /// Write this destination instead.
    Replace(String),
    /// Drop the link and keep its text.
    PlainText,
    /// Put this Markdown in place of the whole link or image.
    Text(String),
}

/// An empty HTML comment, which shows nothing: put where a link's `[` or `](…)` went when
/// emphasis marks touch it, so that `[Tasks](x.md)**:**` becomes `Tasks<!---->**:**`, whose
/// `**` still open as they did beside the link's `)`, and not `Tasks**:**`, whose do not.
const SEPARATOR: &str = "<!---->";

/// The characters of emphasis and strikethrough, whose meaning depends on their neighbours.
fn is_emphasis_mark(c: Option<char>) -> bool {
    matches!(c, Some('*' | '_' | '~'))
}

/// Whether taking a link's mark away from between `outside` and `inside` (the first or last
/// character of its text) changes what emphasis marks there mean. Punctuation and spaces
/// beside marks act as the link's brackets did; letters do not.
fn needs_separator(outside: Option<char>, inside: Option<char>) -> bool {
    is_emphasis_mark(outside)
        || (is_emphasis_mark(inside) && outside.is_some_and(char::is_alphanumeric))
}

/// What replaces a link's marks before and after `text` when only the text stays: nothing,
/// or [`SEPARATOR`]. Never first on a line, where `<!--` would open an HTML block.
fn separators(before: &str, text: &str, after: &str) -> (&'static str, &'static str) {
    let before = before.chars().next_back();
    let after = after.chars().next();
    let separator = |needed: bool| if needed { SEPARATOR } else { "" };
    match (text.chars().next(), text.chars().next_back()) {
        (Some(first), Some(last)) => (
            separator(needs_separator(before, Some(first))),
            separator(needs_separator(after, Some(last))),
        ),
        _ => {
            let touching = is_emphasis_mark(before) || is_emphasis_mark(after);
            let inside_a_line = before.is_some_and(|c| !c.is_whitespace());
            (separator(touching && inside_a_line), "")
        }
    }
}

/// One link or image found in the body.
#[derive(Debug)]
pub struct LinkSite<'a> {
    /// The destination as written.
    pub destination: &'a str,
    /// An image rather than a link.
    pub is_image: bool,
    /// Byte offset of the link in the body.
    pub offset: usize,
    /// The link's text (an image's alt text).
    pub text: &'a str,
}

/// Rewrites every inline link and image destination as `resolve` decides.
pub fn rewrite_links(body: &str, resolve: &mut dyn FnMut(&LinkSite) -> LinkFix) -> String {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    // Links replaced whole: the edits of links and images inside them no longer apply.
    let mut replaced: Vec<Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(body, Options::all()).into_offset_iter() {
        let (link_type, is_image) = match &event {
            Event::Start(Tag::Link { link_type, .. }) => (*link_type, false),
            Event::Start(Tag::Image { link_type, .. }) => (*link_type, true),
            _ => continue,
        };
        if link_type != LinkType::Inline {
            continue;
        }
        let source = &body[range.clone()];
        let Some(split) = source.rfind("](") else {
            continue;
        };
        let text_start = if is_image { 2 } else { 1 };
        let raw_destination = source[split + 2..source.len() - 1].trim();
        let destination = raw_destination
            .split_once(" \"")
            .map_or(raw_destination, |(d, _)| d)
            .trim_start_matches('<')
            .trim_end_matches('>');
        let site = LinkSite {
            destination,
            is_image,
            offset: range.start,
            text: source.get(text_start..split).unwrap_or(""),
        };
        match resolve(&site) {
            LinkFix::Keep => {}
            // Only the link's own marks go, so links and images inside its text still apply.
            LinkFix::PlainText => {
                let text = &source[text_start..split];
                let (open, close) = separators(&body[..range.start], text, &body[range.end..]);
                edits.push((range.start..range.start + text_start, open.into()));
                edits.push((range.start + split..range.end, close.into()));
            }
            LinkFix::Text(text) => {
                let (open, close) = separators(&body[..range.start], &text, &body[range.end..]);
                edits.push((range.clone(), format!("{open}{text}{close}")));
                replaced.push(range.clone());
            }
            LinkFix::Replace(url) => {
                let url = if url.contains([' ', '(', ')']) {
                    format!("<{url}>")
                } else {
                    url
                };
                edits.push((range.start + split + 2..range.end - 1, url));
            }
        }
    }
    edits.retain(|(range, _)| {
        !replaced
            .iter()
            .any(|outer| outer != range && outer.start <= range.start && range.end <= outer.end)
    });
    edits.sort_by_key(|(range, _)| range.start);
    let mut text = body.to_string();
    for (range, replacement) in edits.into_iter().rev() {
        text.replace_range(range, &replacement);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callouts_become_alerts_line_for_line() {
        let body = "Before\n\n<aside>\n💡 Drink water.\n\n</aside>\n\nAfter\n";
        assert_eq!(
            convert_blocks(body),
            "Before\n\n> [!TIP]\n> Drink water.\n>\n\n\nAfter\n"
        );
        let icon = "<aside>\n<img src=\"x.png\" alt=\"x\" width=\"40px\" />\n\nPlain.\n</aside>\n";
        assert_eq!(convert_blocks(icon), "> [!NOTE]\n>\n>\n> Plain.\n\n");
    }

    #[test]
    fn todos_lose_the_second_space() {
        let body = "- [ ]  Cleanse\n- [x]  Roll\n    - [ ]  Rest\n";
        assert_eq!(
            convert_blocks(body),
            "- [ ] Cleanse\n- [x] Roll\n    - [ ] Rest\n"
        );
    }

    #[test]
    fn toggle_children_stay_text_under_lists_and_headings() {
        let body = "- Toggle\n    \n    Hidden text\n\n## Toggle heading\n\n    Child text\n    - item\n        nested\n\nAfter\n";
        assert_eq!(
            convert_blocks(body),
            "- Toggle\n\n    Hidden text\n\n## Toggle heading\n\nChild text\n- item\n    nested\n\nAfter\n"
        );
    }

    #[test]
    fn code_is_left_alone_and_headings_move_under_the_title() {
        let body = "# Big\n\n```\n- [ ]  x\n<aside>\n```\n";
        assert_eq!(
            convert_blocks(body),
            "## Big\n\n```\n- [ ]  x\n<aside>\n```\n"
        );
    }

    #[test]
    fn a_caption_is_not_repeated_as_a_paragraph() {
        let body = "![A roller on skin](a.png)\n\nA roller on skin\n\nText.\n";
        assert_eq!(
            convert_blocks(body),
            "![A roller on skin](a.png)\n\n\n\nText.\n"
        );
    }

    #[test]
    fn blank_lines_are_tidied_outside_code() {
        let text = "\n\nA\n\n\n> [!TIP]\n> B\n>\n\n```\n\n\n```\n\n";
        assert_eq!(
            tidy_blank_lines(text),
            "A\n\n> [!TIP]\n> B\n\n```\n\n\n```\n"
        );
    }

    #[test]
    fn an_image_inside_a_link_is_rewritten_with_it() {
        let body = "[![alt](A/i.png)](B.md) and [![x](A/i.png)](https://www.notion.so/p?pvs=21)\n";
        let text = rewrite_links(body, &mut |site| match site.destination {
            "A/i.png" => LinkFix::Replace("i.png".into()),
            "B.md" => LinkFix::Replace("@/posts/b/index.md".into()),
            _ => LinkFix::PlainText,
        });
        assert_eq!(
            text,
            "[![alt](i.png)](@/posts/b/index.md) and ![x](i.png)\n"
        );
    }

    fn html(markdown: &str) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, Options::all()));
        html.replace(SEPARATOR, "")
    }

    #[test]
    fn a_flattened_link_leaves_the_emphasis_beside_it_as_it_was() {
        for body in [
            "[Tasks](x.md)**:** water the plants.\n",
            "[**Tasks**](x.md)**:**\n",
            "a**[Tasks](x.md)**b and __[x](y.md)__c\n",
            "- [~~gone~~](x.md)_yes_\n",
            "See [plain](x.md), then more.\n",
        ] {
            let flat = rewrite_links(body, &mut |_| LinkFix::PlainText);
            let expected = html(body)
                .replace("<a href=\"x.md\">", "")
                .replace("<a href=\"y.md\">", "")
                .replace("</a>", "");
            assert_eq!(html(&flat), expected, "{body} -> {flat}");
            assert!(!flat.trim_start_matches("- ").starts_with("<!--"), "{flat}");
        }
        assert_eq!(
            rewrite_links("[Tasks](x.md)**:** go\n", &mut |_| LinkFix::PlainText),
            "Tasks<!---->**:** go\n"
        );
    }

    #[test]
    fn an_image_replaced_by_text_or_nothing_never_opens_an_html_block() {
        let drop = |body: &str| rewrite_links(body, &mut |_| LinkFix::Text(String::new()));
        assert_eq!(drop("Tasks![x](m.png)**:** go\n"), "Tasks<!---->**:** go\n");
        assert_eq!(drop("![x](m.png)**:** go\n"), "**:** go\n");
        assert_eq!(drop("- ![x](m.png)**:** go\n"), "- **:** go\n");
        assert_eq!(
            html(&drop("![x](m.png)**:** go\n")),
            "<p><strong>:</strong> go</p>\n"
        );
        let alt = rewrite_links("x![a](m.png)_b_\n", &mut |_| {
            LinkFix::Text("A \\*roller\\*".into())
        });
        assert_eq!(alt, "xA \\*roller\\*<!---->_b_\n");
        assert_eq!(html(&alt), "<p>xA *roller*<em>b</em></p>\n");
        let nested = rewrite_links("[![a](m.png)](x.md)**:**\n", &mut |site| {
            if site.is_image {
                LinkFix::Replace("kept.png".into())
            } else {
                LinkFix::Text("Tasks".into())
            }
        });
        assert_eq!(nested, "Tasks<!---->**:**\n");
    }

    #[test]
    fn links_are_rewritten_or_flattened() {
        let body = "See [this](Other%20Page.md) and [that](https://www.notion.so/x?pvs=21).\n\n![alt](A/b%20c.png)\n\n`[code](x.md)`\n";
        let mut seen = Vec::new();
        let text = rewrite_links(body, &mut |site| {
            seen.push((
                site.destination.to_string(),
                site.text.to_string(),
                site.is_image,
            ));
            match site.destination {
                "Other%20Page.md" => LinkFix::Replace("@/posts/other/index.md".into()),
                "A/b%20c.png" => LinkFix::Replace("b c.png".into()),
                _ => LinkFix::PlainText,
            }
        });
        assert_eq!(
            text,
            "See [this](@/posts/other/index.md) and that.\n\n![alt](<b c.png>)\n\n`[code](x.md)`\n"
        );
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[2], ("A/b%20c.png".into(), "alt".into(), true));
    }
}
