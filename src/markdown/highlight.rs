//! Fenced code to highlighted HTML, at build time, with CSS classes rather than inline styles
//! so that themes choose the colours (and dark mode works): `<span class="hl-k">fn</span>`.
//!
//! The tokens come from `lexer.rs`, a table per language read in one pass. Two grammar-based
//! crates were measured first, on bench.py --rich's 3,000 blocks (Rust, Python, JavaScript,
//! about ten lines each), on one thread: syntect with its pure-Rust regex engine took about
//! 2,800 us a block, tree-sitter about 150 us (90 us of it parsing alone). A build of the
//! same 1,000 articles without code takes about 300 ms, so highlighting within 30% of it
//! leaves some 20 us a block; the lexer takes a few.
//!
//! The info string takes Zola's options, separated by commas: ```` ```rust,linenos,hl_lines=1 3-5,linenostart=10 ````.

use std::fmt::Write as _;

use pulldown_cmark_escape::escape_html;

use super::lexer::{self, Kind};

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
    let mut lines = Lines {
        html,
        info,
        wrap: info.line_numbers || !info.marked.is_empty(),
        number: 0,
        in_line: false,
        open: None,
    };
    match lexer::syntax(&info.language).filter(|_| !info.language.is_empty()) {
        Some(syntax) => lexer::tokens(syntax, code, &mut |text, kind: Kind| {
            lines.push(text, kind.class())
        }),
        None => lines.push(code, None),
    }
    let mut html = lines.finish();
    html.push_str("</code></pre>\n");
    html
}

/// Highlighted lines written into the block's HTML: each wrapped in a `line` span when lines
/// are numbered or marked, with the token span open on the current one.
struct Lines<'i> {
    html: String,
    info: &'i Info,
    wrap: bool,
    /// Lines started so far.
    number: usize,
    in_line: bool,
    open: Option<&'static str>,
}

impl Lines<'_> {
    /// Adds text of one kind; spaces take no colour, so they stay in a span that goes on
    /// after them, else out of any.
    fn push(&mut self, text: &str, class: Option<&'static str>) {
        for piece in text.split_inclusive('\n') {
            let (piece, feed) = match piece.strip_suffix('\n') {
                Some(piece) => (piece, true),
                None => (piece, false),
            };
            if !self.in_line {
                self.start_line();
            }
            if !piece.is_empty() {
                let blank = piece.bytes().all(|b| b == b' ' || b == b'\t' || b == b'\r');
                if class != self.open && !(blank && self.open.is_none()) {
                    if self.open.is_some() {
                        self.html.push_str("</span>");
                    }
                    self.open = if blank { None } else { class };
                    if let Some(class) = self.open {
                        self.html.push_str("<span class=\"");
                        self.html.push_str(class);
                        self.html.push_str("\">");
                    }
                }
                escape_html(&mut self.html, piece).ok();
            }
            if feed {
                self.end_line(true);
            }
        }
    }

    fn start_line(&mut self) {
        self.in_line = true;
        self.number += 1;
        if !self.wrap {
            return;
        }
        self.html.push_str("<span class=\"line");
        if self.info.is_marked(self.number) {
            self.html.push_str(" hl");
        }
        self.html.push('"');
        if self.info.line_numbers {
            write!(
                self.html,
                " data-n=\"{}\"",
                self.info.first_line.saturating_add(self.number - 1)
            )
            .ok();
        }
        self.html.push('>');
    }

    fn end_line(&mut self, feed: bool) {
        if self.open.take().is_some() {
            self.html.push_str("</span>");
        }
        if feed {
            self.html.push('\n');
        }
        if self.wrap {
            self.html.push_str("</span>");
        }
        self.in_line = false;
    }

    fn finish(mut self) -> String {
        if self.in_line {
            self.end_line(false);
        }
        self.html
    }
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
