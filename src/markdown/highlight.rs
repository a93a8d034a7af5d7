//! Fenced code to highlighted HTML, at build time, with CSS classes rather than inline styles
//! so that themes choose the colours (and dark mode works).
//!
//! tree-sitter parses each block with the language's grammar and its highlight query names
//! the tokens; each name is reduced to one of a dozen kinds (keyword, string, comment…) by
//! [`KINDS`], so the output stays small: `<span class="hl-k">fn</span>`. syntect, with its
//! pure-Rust regex engine, was tried first: on bench.py's 1,000 articles with three code blocks
//! each it took 8.5 s where the whole site without code takes 0.4 s, over twenty times the
//! budget; tree-sitter parses instead of running hundreds of regexes a line.
//!
//! The info string takes Zola's options, separated by commas: ```` ```rust,linenos,hl_lines=1 3-5,linenostart=10 ````.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use pulldown_cmark_escape::escape_html;
use tree_sitter_highlight::{HighlightConfiguration, HighlightEvent, Highlighter};

/// The names tree-sitter highlight queries give tokens, and the class each becomes; a name
/// takes the entry of its longest listed prefix (`function.method` is `function`). `None`
/// leaves the token unmarked.
const KINDS: &[(&str, Option<&str>)] = &[
    ("attribute", Some("hl-a")),
    ("boolean", Some("hl-n")),
    ("comment", Some("hl-c")),
    ("constant", Some("hl-n")),
    ("constructor", Some("hl-t")),
    ("embedded", None),
    ("escape", Some("hl-e")),
    ("function", Some("hl-f")),
    ("function.macro", Some("hl-m")),
    ("keyword", Some("hl-k")),
    ("label", Some("hl-a")),
    ("namespace", Some("hl-t")),
    ("number", Some("hl-n")),
    ("operator", None),
    ("property", Some("hl-a")),
    ("punctuation", None),
    ("punctuation.special", Some("hl-e")),
    ("string", Some("hl-s")),
    ("string.special.key", Some("hl-a")),
    ("tag", Some("hl-g")),
    ("type", Some("hl-t")),
    ("variable", None),
    ("variable.builtin", Some("hl-n")),
];

/// A grammar: the names it is asked for by, and how to make its highlight configuration.
struct Grammar {
    names: &'static [&'static str],
    make: fn() -> Option<HighlightConfiguration>,
}

macro_rules! grammar {
    ($name:literal, $language:expr, $highlights:expr, $injections:expr) => {
        || {
            let mut config =
                HighlightConfiguration::new($language.into(), $name, $highlights, $injections, "")
                    .ok()?;
            config.configure(&KIND_NAMES);
            Some(config)
        }
    };
}

/// Every language this build can highlight.
const GRAMMARS: &[Grammar] = &[
    Grammar {
        names: &["rust", "rs"],
        make: grammar!(
            "rust",
            tree_sitter_rust::LANGUAGE,
            tree_sitter_rust::HIGHLIGHTS_QUERY,
            ""
        ),
    },
    Grammar {
        names: &["python", "py", "python3"],
        make: grammar!(
            "python",
            tree_sitter_python::LANGUAGE,
            tree_sitter_python::HIGHLIGHTS_QUERY,
            ""
        ),
    },
    Grammar {
        names: &["javascript", "js", "jsx", "mjs", "cjs", "node"],
        make: || {
            let highlights = format!(
                "{}\n{}",
                tree_sitter_javascript::JSX_HIGHLIGHT_QUERY,
                tree_sitter_javascript::HIGHLIGHT_QUERY
            );
            grammar!(
                "javascript",
                tree_sitter_javascript::LANGUAGE,
                &highlights,
                ""
            )()
        },
    },
    Grammar {
        names: &["typescript", "ts", "mts", "cts"],
        make: || {
            let highlights = format!(
                "{}\n{}",
                tree_sitter_typescript::HIGHLIGHTS_QUERY,
                tree_sitter_javascript::HIGHLIGHT_QUERY
            );
            grammar!(
                "typescript",
                tree_sitter_typescript::LANGUAGE_TYPESCRIPT,
                &highlights,
                ""
            )()
        },
    },
    Grammar {
        names: &["tsx"],
        make: || {
            let highlights = format!(
                "{}\n{}\n{}",
                tree_sitter_typescript::HIGHLIGHTS_QUERY,
                tree_sitter_javascript::JSX_HIGHLIGHT_QUERY,
                tree_sitter_javascript::HIGHLIGHT_QUERY
            );
            grammar!("tsx", tree_sitter_typescript::LANGUAGE_TSX, &highlights, "")()
        },
    },
    Grammar {
        names: &["json", "jsonc", "json5"],
        make: grammar!(
            "json",
            tree_sitter_json::LANGUAGE,
            tree_sitter_json::HIGHLIGHTS_QUERY,
            ""
        ),
    },
    Grammar {
        names: &["bash", "sh", "shell", "zsh", "console", "shellsession"],
        make: grammar!(
            "bash",
            tree_sitter_bash::LANGUAGE,
            tree_sitter_bash::HIGHLIGHT_QUERY,
            ""
        ),
    },
    Grammar {
        names: &["html", "htm", "xhtml", "svg", "xml"],
        make: grammar!(
            "html",
            tree_sitter_html::LANGUAGE,
            tree_sitter_html::HIGHLIGHTS_QUERY,
            tree_sitter_html::INJECTIONS_QUERY
        ),
    },
    Grammar {
        names: &["css"],
        make: grammar!(
            "css",
            tree_sitter_css::LANGUAGE,
            tree_sitter_css::HIGHLIGHTS_QUERY,
            ""
        ),
    },
    Grammar {
        names: &["toml"],
        make: grammar!(
            "toml",
            tree_sitter_toml_ng::LANGUAGE,
            tree_sitter_toml_ng::HIGHLIGHTS_QUERY,
            ""
        ),
    },
    Grammar {
        names: &["yaml", "yml"],
        make: grammar!(
            "yaml",
            tree_sitter_yaml::LANGUAGE,
            tree_sitter_yaml::HIGHLIGHTS_QUERY,
            ""
        ),
    },
    Grammar {
        names: &["go", "golang"],
        make: grammar!(
            "go",
            tree_sitter_go::LANGUAGE,
            tree_sitter_go::HIGHLIGHTS_QUERY,
            ""
        ),
    },
    Grammar {
        names: &["c", "h"],
        make: grammar!(
            "c",
            tree_sitter_c::LANGUAGE,
            tree_sitter_c::HIGHLIGHT_QUERY,
            ""
        ),
    },
];

/// The names of [`KINDS`], as tree-sitter is told them.
static KIND_NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| KINDS.iter().map(|(name, _)| *name).collect());

/// Each grammar's configuration, made (its queries compiled) the first time a block needs it.
static CONFIGS: LazyLock<Vec<std::sync::OnceLock<Option<HighlightConfiguration>>>> =
    LazyLock::new(|| {
        GRAMMARS
            .iter()
            .map(|_| std::sync::OnceLock::new())
            .collect()
    });

/// Grammar index by every name and alias, lowercase.
static BY_NAME: LazyLock<HashMap<&'static str, usize>> = LazyLock::new(|| {
    GRAMMARS
        .iter()
        .enumerate()
        .flat_map(|(i, g)| g.names.iter().map(move |name| (*name, i)))
        .collect()
});

thread_local! {
    /// A highlighter keeps a parser and query cursors: one per thread, reused.
    static HIGHLIGHTER: RefCell<Highlighter> = RefCell::new(Highlighter::new());
}

/// The highlight configuration of a language named in an info string, or an injection.
fn config(language: &str) -> Option<&'static HighlightConfiguration> {
    let index = match BY_NAME.get(language) {
        Some(&i) => i,
        None => *BY_NAME.get(language.to_ascii_lowercase().as_str())?,
    };
    CONFIGS[index]
        .get_or_init(|| (GRAMMARS[index].make)())
        .as_ref()
}

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
    let lines = match config(&info.language) {
        Some(config) => highlighted_lines(config, code),
        None => None,
    };
    let lines = lines.unwrap_or_else(|| {
        code.split_inclusive('\n')
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
fn highlighted_lines(config: &HighlightConfiguration, code: &str) -> Option<Vec<String>> {
    HIGHLIGHTER.with(|highlighter| {
        let mut highlighter = highlighter.try_borrow_mut().ok()?;
        let events = highlighter
            .highlight(config, code.as_bytes(), None, |name| {
                config_for_injection(name)
            })
            .ok()?;
        let mut lines = Lines::default();
        let mut stack: Vec<Option<&'static str>> = Vec::new();
        for event in events {
            match event.ok()? {
                HighlightEvent::HighlightStart(kind) => {
                    stack.push(KINDS.get(kind.0).and_then(|(_, class)| *class))
                }
                HighlightEvent::HighlightEnd => {
                    stack.pop();
                }
                HighlightEvent::Source { start, end } => {
                    // The innermost marked kind colours the token.
                    let class = stack.iter().rev().find_map(|c| *c);
                    lines.push(code.get(start..end)?, class);
                }
            }
        }
        Some(lines.finish())
    })
}

/// The configuration of a language another one embeds (a `<script>` in HTML).
fn config_for_injection(name: &str) -> Option<&'static HighlightConfiguration> {
    config(name)
}

/// HTML lines being written, with the span open on the current one.
#[derive(Default)]
struct Lines {
    done: Vec<String>,
    line: String,
    open: Option<&'static str>,
}

impl Lines {
    /// Adds text of one kind; spaces take no colour, so they stay in a span that goes on
    /// after them, else out of any.
    fn push(&mut self, text: &str, class: Option<&'static str>) {
        for piece in text.split_inclusive('\n') {
            let (piece, feed) = match piece.strip_suffix('\n') {
                Some(piece) => (piece, true),
                None => (piece, false),
            };
            if !piece.is_empty() {
                let blank = piece.trim().is_empty();
                if class != self.open && !(blank && self.open.is_none()) {
                    if self.open.is_some() {
                        self.line.push_str("</span>");
                    }
                    self.open = if blank { None } else { class };
                    if let Some(class) = self.open {
                        write!(self.line, "<span class=\"{class}\">").ok();
                    }
                }
                escape_html(&mut self.line, piece).ok();
            }
            if feed {
                self.end_line(true);
            }
        }
    }

    fn end_line(&mut self, feed: bool) {
        if self.open.take().is_some() {
            self.line.push_str("</span>");
        }
        if feed {
            self.line.push('\n');
        }
        self.done.push(std::mem::take(&mut self.line));
    }

    fn finish(mut self) -> Vec<String> {
        if !self.line.is_empty() || self.open.is_some() {
            self.end_line(false);
        }
        self.done
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
