//! Fenced code to highlighted HTML, at build time, with CSS classes rather than inline styles
//! so that themes choose the colours (and dark mode works).
//!
//! syntect reads Sublime Text grammars with a pure-Rust regex engine. Its scopes are many and
//! deep; each token is reduced to one of a dozen kinds (keyword, string, comment…) by matching
//! its scope stack against the selectors of [`KINDS`], through a syntect theme whose "colours"
//! are kind numbers, so the output stays small: `<span class="hl-k">fn</span>`.
//!
//! The info string takes Zola's options, separated by commas: ```` ```rust,linenos,hl_lines=1 3-5,linenostart=10 ````.

use std::fmt::Write as _;
use std::str::FromStr;
use std::sync::LazyLock;

use pulldown_cmark_escape::escape_html;
use syntect::highlighting::{
    Color, HighlightIterator, HighlightState, Highlighter, ScopeSelectors, StyleModifier, Theme,
    ThemeItem,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The kinds of token themes colour: the class written, and the scopes that make it. A more
/// specific selector wins, as in an editor theme; `None` leaves the token unmarked.
const KINDS: &[(Option<&str>, &str)] = &[
    (Some("hl-c"), "comment, punctuation.definition.comment"),
    (Some("hl-s"), "string, constant.character, markup.raw"),
    (
        Some("hl-e"),
        "constant.character.escape, constant.other.placeholder",
    ),
    (
        Some("hl-n"),
        "constant.numeric, constant.language, support.constant, constant.other, variable.language",
    ),
    (
        Some("hl-k"),
        "keyword, storage, markup.heading, punctuation.definition.heading",
    ),
    (
        None,
        "keyword.operator, punctuation.separator, punctuation.terminator",
    ),
    (
        Some("hl-f"),
        "entity.name.function, support.function, variable.function, meta.function-call.identifier",
    ),
    (
        Some("hl-t"),
        "entity.name.type, entity.name.class, entity.name.struct, entity.name.enum, entity.name.trait, entity.name.interface, entity.other.inherited-class, support.type, support.class, storage.type.primitive, storage.type.builtin",
    ),
    (Some("hl-g"), "entity.name.tag, punctuation.definition.tag"),
    (
        Some("hl-a"),
        "entity.other.attribute-name, support.type.property-name, meta.mapping.key string, entity.name.label",
    ),
    (
        Some("hl-m"),
        "support.macro, entity.name.macro, meta.preprocessor, keyword.control.import, meta.annotation, meta.attribute, punctuation.definition.annotation",
    ),
    (Some("hl-i"), "markup.inserted"),
    (Some("hl-d"), "markup.deleted"),
];

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// A theme whose foreground's red channel is the kind's index in [`KINDS`], plus one.
static KIND_THEME: LazyLock<Theme> = LazyLock::new(|| Theme {
    scopes: KINDS
        .iter()
        .enumerate()
        .filter_map(|(i, (class, selectors))| {
            let red = if class.is_some() { i as u8 + 1 } else { 0 };
            Some(ThemeItem {
                scope: ScopeSelectors::from_str(selectors).ok()?,
                style: StyleModifier {
                    foreground: Some(Color {
                        r: red,
                        g: 0,
                        b: 0,
                        a: 255,
                    }),
                    background: None,
                    font_style: None,
                },
            })
        })
        .collect(),
    ..Theme::default()
});

/// What an info string asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Info {
    /// The language as written, `rust` of `rust,linenos`; empty when none is named.
    pub language: String,
    /// Number the lines.
    pub line_numbers: bool,
    /// The number of the first line.
    pub first_line: usize,
    /// The lines to mark, by number counted from 1 (whatever `first_line` is).
    pub marked: Vec<(usize, usize)>,
}

impl Info {
    /// Reads `rust,linenos,hl_lines=1 3-5,linenostart=10`; options it does not know are ignored.
    pub fn parse(info: &str) -> Info {
        let mut parsed = Info {
            first_line: 1,
            ..Info::default()
        };
        for (i, part) in info.split(',').map(str::trim).enumerate() {
            // The language is the first word of the first part: ```` ```rust title ```` too.
            let first_word = part.split_whitespace().next().unwrap_or("");
            if i == 0 && !first_word.contains('=') && first_word != "linenos" {
                parsed.language = first_word.to_string();
                continue;
            }
            match part.split_once('=') {
                Some(("hl_lines", lines)) => {
                    parsed.marked = lines
                        .split_whitespace()
                        .filter_map(|range| match range.split_once('-') {
                            Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
                            None => range.parse().ok().map(|n| (n, n)),
                        })
                        .collect();
                }
                Some(("linenostart", n)) => parsed.first_line = n.trim().parse().unwrap_or(1),
                Some(_) => {}
                None if part == "linenos" => parsed.line_numbers = true,
                None => {}
            }
        }
        parsed
    }

    fn is_marked(&self, line: usize) -> bool {
        self.marked.iter().any(|&(a, b)| (a..=b).contains(&line))
    }
}

/// The grammar of a language named in an info string, by name or file extension.
fn syntax(language: &str) -> Option<&'static SyntaxReference> {
    if language.is_empty() {
        return None;
    }
    let syntaxes = &*SYNTAXES;
    syntaxes
        .find_syntax_by_token(language)
        .or_else(|| syntaxes.find_syntax_by_token(&language.to_ascii_lowercase()))
        .filter(|s| s.name != "Plain Text")
}

/// A fenced block as HTML: `<pre><code class="language-rust">` with highlighted tokens; plain
/// escaped text when the language is unknown or missing.
pub fn code_block(info: &Info, code: &str) -> String {
    let mut html = String::with_capacity(code.len() * 3 + 64);
    html.push_str("<pre");
    if info.line_numbers {
        html.push_str(" class=\"linenos\"");
    }
    html.push_str("><code");
    if !info.language.is_empty() {
        html.push_str(" class=\"language-");
        escape_html(&mut html, &info.language).ok();
        html.push_str("\" data-lang=\"");
        escape_html(&mut html, &info.language).ok();
        html.push('"');
    }
    html.push('>');
    let lines = match syntax(&info.language) {
        Some(syntax) => highlighted_lines(syntax, code),
        None => None,
    };
    let lines = lines.unwrap_or_else(|| {
        LinesWithEndings::from(code)
            .map(|line| {
                let mut escaped = String::new();
                escape_html(&mut escaped, line).ok();
                escaped
            })
            .collect()
    });
    let wrap = info.line_numbers || !info.marked.is_empty();
    for (i, line) in lines.iter().enumerate() {
        if !wrap {
            html.push_str(line);
            continue;
        }
        let n = i + 1;
        html.push_str("<span class=\"line");
        if info.is_marked(n) {
            html.push_str(" hl");
        }
        html.push('"');
        if info.line_numbers {
            write!(html, " data-n=\"{}\"", info.first_line + i).ok();
        }
        html.push('>');
        html.push_str(line);
        html.push_str("</span>");
    }
    html.push_str("</code></pre>\n");
    html
}

/// Each line of `code` as HTML with a span around each marked token, ending with its line
/// feed; `None` if the grammar fails on this text.
fn highlighted_lines(syntax: &SyntaxReference, code: &str) -> Option<Vec<String>> {
    let highlighter = Highlighter::new(&KIND_THEME);
    let mut parse = ParseState::new(syntax);
    let mut state = HighlightState::new(&highlighter, ScopeStack::new());
    let mut lines = Vec::new();
    for line in LinesWithEndings::from(code) {
        let ops = parse.parse_line(line, &SYNTAXES).ok()?;
        let mut html = String::with_capacity(line.len() * 2);
        let mut open: Option<&str> = None;
        for (style, text) in HighlightIterator::new(&mut state, &ops, line, &highlighter) {
            let class = match style.foreground.r {
                0 => None,
                n => KINDS.get(usize::from(n) - 1).and_then(|(class, _)| *class),
            };
            // Spaces and line feeds take no colour: they stay in a span that goes on after
            // them, else out of any.
            let blank = text.trim().is_empty();
            if blank && class != open && open.is_some() {
                html.push_str("</span>");
                open = None;
            } else if class != open && !blank {
                if open.is_some() {
                    html.push_str("</span>");
                }
                if let Some(class) = class {
                    write!(html, "<span class=\"{class}\">").ok();
                }
                open = class;
            }
            let (text, feed) = match text.strip_suffix('\n') {
                Some(text) => (text, true),
                None => (text, false),
            };
            escape_html(&mut html, text).ok();
            if feed {
                if open.take().is_some() {
                    html.push_str("</span>");
                }
                html.push('\n');
            }
        }
        if open.is_some() {
            html.push_str("</span>");
        }
        lines.push(html);
    }
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_strings_take_zola_options() {
        assert_eq!(
            Info::parse("rust,linenos,hl_lines=1 3-5,linenostart=10"),
            Info {
                language: "rust".into(),
                line_numbers: true,
                first_line: 10,
                marked: vec![(1, 1), (3, 5)],
            }
        );
        assert_eq!(Info::parse("").language, "");
        assert_eq!(Info::parse("python title=\"x\"").language, "python");
        assert_eq!(Info::parse("linenos").language, "");
        assert!(Info::parse("linenos").line_numbers);
    }

    #[test]
    fn known_languages_get_classes_per_kind() {
        let html = code_block(
            &Info::parse("rust"),
            "fn main() {\n    // hi\n    let s = \"x\";\n}\n",
        );
        assert!(
            html.starts_with("<pre><code class=\"language-rust\" data-lang=\"rust\">"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-k\">fn</span>"), "{html}");
        assert!(html.contains("<span class=\"hl-f\">main</span>"), "{html}");
        assert!(html.contains("<span class=\"hl-c\">// hi</span>"), "{html}");
        assert!(
            html.contains("<span class=\"hl-s\">&quot;x&quot;</span>"),
            "{html}"
        );
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn unknown_languages_are_plain_text() {
        let html = code_block(&Info::parse("klingon"), "<b> & a\n");
        assert_eq!(
            html,
            "<pre><code class=\"language-klingon\" data-lang=\"klingon\">&lt;b&gt; &amp; a\n</code></pre>\n"
        );
    }

    #[test]
    fn lines_are_numbered_and_marked() {
        let html = code_block(
            &Info::parse("txt,linenos,linenostart=7,hl_lines=2"),
            "a\nb\nc\n",
        );
        assert!(
            html.contains("<span class=\"line\" data-n=\"7\">a\n</span><span class=\"line hl\" data-n=\"8\">b\n</span><span class=\"line\" data-n=\"9\">c\n</span>"),
            "{html}"
        );
        assert!(html.starts_with("<pre class=\"linenos\">"), "{html}");
    }
}
