//! Shortcode syntax, as Zola writes it: inline calls `{{ name(key="value", n=3) }}`, calls with
//! a body `{% name(args) %}Markdown{% end %}`, and the escapes `{{/* name() */}}` and
//! `{%/* name() */%}` that write a call literally. Calls inside code spans and code blocks are
//! text. Arguments are typed: string, number, boolean, or an array of those.
//!
//! This file finds calls and reads their arguments; what a call turns into is decided by the
//! [`super::Shortcodes`] the caller passes.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// One argument of a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arg {
    /// Its name.
    pub name: String,
    /// Its value: a string, a number, a boolean or an array.
    pub value: serde_json::Value,
    /// The byte offset of the value in the text, for messages about it.
    pub at: usize,
}

/// A shortcode call found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The shortcode's name.
    pub name: String,
    /// Its arguments, in the order written.
    pub args: Vec<Arg>,
    /// The whole call: from `{{` or `{%` to the closing `}}` or the end of `{% end %}`.
    pub range: Range<usize>,
    /// For a call with a body, the body between `%}` and `{% end %}`, with the calls in it.
    pub body: Option<(Range<usize>, Vec<Found>)>,
}

/// What the scan of a text found.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// A call to expand.
    Call(Call),
    /// An escaped call: `range` is to be written as `literal`.
    Literal {
        /// Where the escape is written.
        range: Range<usize>,
        /// The call as it is to be shown, `{{ name() }}`.
        literal: String,
    },
}

impl Found {
    /// The part of the text it covers.
    pub fn range(&self) -> &Range<usize> {
        match self {
            Found::Call(call) => &call.range,
            Found::Literal { range, .. } => range,
        }
    }
}

/// A call that cannot be read, with the byte offset where reading it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where the problem is.
    pub at: usize,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
    /// Another tool's template syntax (Liquid's `{{ site.title }}`, `{% post_url x %}`), which
    /// is published as text: a warning, where a broken call is an error.
    pub foreign: bool,
}

/// How many bodies deep calls may nest: each level is a step of recursion when expanding.
pub const MAX_NESTING: usize = 32;

/// Whether a text may hold shortcodes at all: most texts do not, and need no further look.
pub fn may_contain(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// Finds every call and escape of `text` outside the `code` ranges (sorted, not overlapping),
/// with calls nested in bodies kept under their call.
pub fn find(text: &str, code: &[Range<usize>]) -> (Vec<Found>, Vec<SyntaxError>) {
    let mut scan = Scan {
        text,
        code,
        errors: Vec::new(),
    };
    // The open body calls, innermost last, each with what was found in its body so far.
    let mut open: Vec<(Call, usize, Vec<Found>)> = Vec::new();
    let mut top: Vec<Found> = Vec::new();
    let mut at = 0;
    while let Some(start) = next_brace(text, at) {
        if scan.in_code(start) {
            at = start + 2;
            continue;
        }
        let found_in =
            |open: &mut Vec<(Call, usize, Vec<Found>)>, top: &mut Vec<Found>, found| match open
                .last_mut()
            {
                Some((_, _, inner)) => inner.push(found),
                None => top.push(found),
            };
        let inline = text.as_bytes()[start + 1] == b'{';
        match scan.tag(start, inline) {
            Tag::NotACall => {
                at = match foreign_syntax(text, start, inline) {
                    Some(end) => {
                        scan.errors.push(foreign_error(&text[start..end], start));
                        end
                    }
                    None => start + 2,
                }
            }
            Tag::Broken(end) => at = end,
            Tag::Literal(end, literal) => {
                found_in(
                    &mut open,
                    &mut top,
                    Found::Literal {
                        range: start..end,
                        literal,
                    },
                );
                at = end;
            }
            Tag::Call(end, name, args) if inline => {
                let call = Call {
                    name,
                    args,
                    range: start..end,
                    body: None,
                };
                found_in(&mut open, &mut top, Found::Call(call));
                at = end;
            }
            Tag::Call(end, name, _) if open.len() >= MAX_NESTING => {
                scan.errors.push(SyntaxError {
                    foreign: false,
                    at: start,
                    message: format!(
                        "the shortcode `{name}` is nested {MAX_NESTING} bodies deep, more than serum reads"
                    ),
                    hint: "close some of the bodies around it with `{% end %}`".into(),
                });
                at = end;
            }
            Tag::Call(end, name, args) => {
                let call = Call {
                    name,
                    args,
                    range: start..end,
                    body: None,
                };
                open.push((call, end, Vec::new()));
                at = end;
            }
            Tag::End(end) => {
                match open.pop() {
                    Some((mut call, body_start, inner)) => {
                        call.body = Some((body_start..start, inner));
                        call.range.end = end;
                        found_in(&mut open, &mut top, Found::Call(call));
                    }
                    None => scan.errors.push(SyntaxError {
                        foreign: false,
                        at: start,
                        message: "`{% end %}` closes no shortcode".into(),
                        hint: "remove it, or open a body before it with `{% name(…) %}`".into(),
                    }),
                }
                at = end;
            }
        }
    }
    for (call, _, _) in open {
        scan.errors.push(SyntaxError {
            foreign: false,
            at: call.range.start,
            message: format!(
                "the shortcode `{}` has a body that is never closed",
                call.name
            ),
            hint: "end its body with `{% end %}`".into(),
        });
    }
    scan.errors.sort_by_key(|e| e.at);
    (top, scan.errors)
}

/// The end of another tool's template tag that starts at `start` (`{{ site.title }}`, `{%
/// post_url 2010-07-21-name %}`, `{{ .Title }}`, Hugo's `{{< youtube x >}}`), when it is
/// closed on the same line.
fn foreign_syntax(text: &str, start: usize, inline: bool) -> Option<usize> {
    let close = if inline { "}}" } else { "%}" };
    let line = &text[start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let end = line[2..].find(close)? + 2 + close.len();
    let inner = line[2..end - close.len()].trim();
    let looks_like_code = !inner.is_empty()
        && inner.chars().next().is_some_and(|c| {
            c.is_alphabetic() || matches!(c, '.' | '$' | '-' | '_' | '/' | '<' | '%')
        });
    looks_like_code.then_some(start + end)
}

fn foreign_error(tag: &str, at: usize) -> SyntaxError {
    let hint = if tag.starts_with("{{<") || tag.starts_with("{{%") {
        "Hugo's shortcodes are written as calls here: `{{ youtube(id=\"…\") }}`, with a template in templates/shortcodes/"
    } else if tag.contains("post_url") || tag.contains("link") {
        "link to the page with `@/` and its path in content/, such as `[title](@/blog/first-post.md)`"
    } else {
        "write what it stands for, or put it in a code span to show it as it is"
    };
    SyntaxError {
        foreign: true,
        at,
        message: format!("`{tag}` is template syntax serum does not run: it is published as text"),
        hint: hint.into(),
    }
}

/// The next `{{` or `{%` at or after `from`.
fn next_brace(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(offset) = text.get(at..)?.find('{') {
        let i = at + offset;
        match bytes.get(i + 1) {
            Some(b'{' | b'%') => return Some(i),
            Some(_) => at = i + 1,
            None => return None,
        }
    }
    None
}

/// What one `{{` or `{%` opens.
enum Tag {
    NotACall,
    /// A call that cannot be read; scanning resumes at the offset.
    Broken(usize),
    Literal(usize, String),
    Call(usize, String, Vec<Arg>),
    End(usize),
}

struct Scan<'t, 'c> {
    text: &'t str,
    code: &'c [Range<usize>],
    errors: Vec<SyntaxError>,
}

impl Scan<'_, '_> {
    fn in_code(&self, offset: usize) -> bool {
        let i = self.code.partition_point(|r| r.end <= offset);
        self.code.get(i).is_some_and(|r| r.start <= offset)
    }

    fn error(&mut self, at: usize, message: impl Into<String>, hint: impl Into<String>) {
        self.errors.push(SyntaxError {
            foreign: false,
            at,
            message: message.into(),
            hint: hint.into(),
        });
    }

    /// Reads the tag starting at `start` (`{{` when `inline`, else `{%`).
    fn tag(&mut self, start: usize, inline: bool) -> Tag {
        let close = if inline { "}}" } else { "%}" };
        let mut p = Parser {
            text: self.text,
            at: start + 2,
        };
        if p.eat("/*") {
            let Some(end) = self.text[p.at..].find(&format!("*/{close}")) else {
                return Tag::NotACall;
            };
            let inner = &self.text[p.at..p.at + end];
            let open = &self.text[start..start + 2];
            return Tag::Literal(p.at + end + 4, format!("{open}{inner}{close}"));
        }
        p.skip_space();
        let name_at = p.at;
        let Some(name) = p.identifier() else {
            return Tag::NotACall;
        };
        p.skip_space();
        if !inline && name == "end" && p.eat(close) {
            return Tag::End(p.at);
        }
        if !p.eat("(") {
            return Tag::NotACall;
        }
        let name = name.to_string();
        let args = match p.arguments() {
            Ok(args) => args,
            Err((at, message, hint)) => {
                self.error(at, message, hint);
                return Tag::Broken(p.at.max(name_at + 1));
            }
        };
        let mut seen = std::collections::HashSet::new();
        for arg in &args {
            if !seen.insert(arg.name.as_str()) {
                self.error(
                    arg.at,
                    format!("the argument `{}` is given twice", arg.name),
                    "keep one of them",
                );
            }
        }
        p.skip_space();
        if !p.eat(close) {
            let written = if inline { "{{" } else { "{%" };
            self.error(
                p.at,
                format!("the shortcode `{name}` is not closed with `{close}`"),
                format!("write the call as `{written} {name}(…) {close}`"),
            );
            return Tag::Broken(p.at);
        }
        Tag::Call(p.at, name, args)
    }
}

/// Reads arguments, one byte offset at a time.
struct Parser<'t> {
    text: &'t str,
    at: usize,
}

type ParseError = (usize, String, String);

impl<'t> Parser<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.at..]
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn identifier(&mut self) -> Option<&'t str> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
            .map_or(rest.len(), |(i, _)| i);
        (len > 0).then(|| {
            self.at += len;
            &rest[..len]
        })
    }

    /// `key=value, …)` up to and including the closing parenthesis.
    fn arguments(&mut self) -> Result<Vec<Arg>, ParseError> {
        let mut args = Vec::new();
        loop {
            self.skip_space();
            if self.eat(")") {
                return Ok(args);
            }
            let name_at = self.at;
            let Some(name) = self.identifier() else {
                return Err(self.unexpected("an argument name or `)`"));
            };
            self.skip_space();
            if !self.eat("=") {
                return Err((
                    name_at,
                    format!("the argument `{name}` has no value"),
                    format!("write it as `{name}=\"…\"`, `{name}=3` or `{name}=true`"),
                ));
            }
            self.skip_space();
            let at = self.at;
            let value = self.value()?;
            args.push(Arg {
                name: name.to_string(),
                value,
                at,
            });
            self.skip_space();
            if !self.eat(",") && !self.rest().starts_with(')') {
                return Err(self.unexpected("`,` or `)`"));
            }
        }
    }

    fn unexpected(&self, wanted: &str) -> ParseError {
        let found = match self.rest().chars().next() {
            Some(c) if c.is_whitespace() => "a line break".to_string(),
            Some(c) => format!("`{c}`"),
            None => "the end of the text".to_string(),
        };
        (
            self.at,
            format!("expected {wanted} in the shortcode's arguments, found {found}"),
            "arguments are written `name=\"text\"`, `name=3`, `name=true` or `name=[…]`, separated by commas".into(),
        )
    }

    fn value(&mut self) -> Result<serde_json::Value, ParseError> {
        let rest = self.rest();
        match rest.chars().next() {
            Some(quote @ ('"' | '\'' | '`')) => self.string(quote),
            Some('[') => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    if self.eat("]") {
                        return Ok(serde_json::Value::Array(items));
                    }
                    items.push(self.value()?);
                    self.skip_space();
                    if !self.eat(",") && !self.rest().starts_with(']') {
                        return Err(self.unexpected("`,` or `]`"));
                    }
                }
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let len = rest
                    .char_indices()
                    .skip(1)
                    .find(|&(_, c)| !(c.is_ascii_digit() || c == '.'))
                    .map_or(rest.len(), |(i, _)| i);
                let written = &rest[..len];
                let number = if written.contains('.') {
                    written
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                } else {
                    written.parse::<i64>().ok().map(serde_json::Number::from)
                };
                match number {
                    Some(n) => {
                        self.at += len;
                        Ok(serde_json::Value::Number(n))
                    }
                    None => Err((
                        self.at,
                        format!("`{written}` is not a number"),
                        "write a number such as `3`, `-2` or `1.5`".into(),
                    )),
                }
            }
            _ if self.eat("true") => Ok(serde_json::Value::Bool(true)),
            _ if self.eat("false") => Ok(serde_json::Value::Bool(false)),
            _ => {
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if word.is_empty() {
                    Err(self.unexpected("a value"))
                } else {
                    Err((
                        self.at,
                        format!("`{word}` is not a value: text must be quoted"),
                        format!("write \"{word}\""),
                    ))
                }
            }
        }
    }

    /// A quoted string; a backslash escapes the quote and itself.
    fn string(&mut self, quote: char) -> Result<serde_json::Value, ParseError> {
        let start = self.at;
        let mut value = String::new();
        let mut chars = self.rest().char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c)) => value.push(c),
                    None => break,
                },
                c if c == quote => {
                    self.at += i + c.len_utf8();
                    return Ok(serde_json::Value::String(value));
                }
                c => value.push(c),
            }
        }
        Err((
            start,
            format!("this text has no closing {quote}"),
            format!("end it with {quote}"),
        ))
    }
}

/// What a value is, in the words messages use.
pub fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "a table",
        serde_json::Value::Null => "nothing",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn calls(text: &str) -> Vec<Found> {
        let (found, errors) = find(text, &[]);
        assert!(errors.is_empty(), "{errors:?}");
        found
    }

    fn call(found: &Found) -> &Call {
        match found {
            Found::Call(call) => call,
            other => panic!("not a call: {other:?}"),
        }
    }

    #[test]
    fn inline_calls_have_typed_arguments() {
        let text = r#"Watch {{ youtube(id="dQw4w9WgXcQ", start=-3, ratio=1.5, autoplay=true, tags=["a", 'b', `c`]) }} now."#;
        let found = calls(text);
        let c = call(&found[0]);
        assert_eq!(c.name, "youtube");
        let values: Vec<(&str, &serde_json::Value)> =
            c.args.iter().map(|a| (a.name.as_str(), &a.value)).collect();
        assert_eq!(
            values,
            [
                ("id", &json!("dQw4w9WgXcQ")),
                ("start", &json!(-3)),
                ("ratio", &json!(1.5)),
                ("autoplay", &json!(true)),
                ("tags", &json!(["a", "b", "c"])),
            ]
        );
        assert_eq!(&text[c.range.clone()], &text[6..text.len() - 5]);
        assert_eq!(&text[c.args[0].at..c.args[0].at + 1], "\"");
    }

    #[test]
    fn bodies_nest_and_close_with_end() {
        let text = "{% steps(name=\"Routine\") %}\n1. {{ figure(src=\"a.png\") }}\n{% details(summary=\"Q\") %}A{% end %}\n{% end %}\nafter";
        let found = calls(text);
        assert_eq!(found.len(), 1);
        let steps = call(&found[0]);
        let (body, inner) = steps.body.as_ref().unwrap();
        assert!(text[body.clone()].starts_with("\n1. {{ figure"));
        assert!(text[body.clone()].ends_with("{% end %}\n"));
        assert_eq!(inner.len(), 2);
        assert_eq!(call(&inner[1]).name, "details");
        assert_eq!(&text[steps.range.end..], "\nafter");
    }

    #[test]
    fn escapes_write_the_call_literally() {
        let found = calls(r#"{{/* youtube(id="x") */}} and {%/* details() */%}"#);
        assert_eq!(
            found
                .iter()
                .map(|f| match f {
                    Found::Literal { literal, .. } => literal.as_str(),
                    _ => "call",
                })
                .collect::<Vec<_>>(),
            [r#"{{ youtube(id="x") }}"#, "{% details() %}"]
        );
    }

    #[test]
    fn other_braces_and_code_are_text() {
        let (found, errors) = find("{{ page.title }} {% if x %} {{}} { {{ 1 + 2 }}", &[]);
        assert!(found.is_empty());
        // Another tool's template tags are text too, each with a warning.
        let foreign: Vec<(usize, bool)> = errors.iter().map(|e| (e.at, e.foreign)).collect();
        assert_eq!(foreign, [(0, true), (17, true)]);
        let text = "`{{ figure() }}` {{ figure() }}";
        let code = [Range { start: 0, end: 16 }];
        let (found, _) = find(text, &code);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].range().start, 17);
    }

    #[test]
    fn nesting_is_bounded() {
        let text = "{% a() %}".repeat(MAX_NESTING + 5) + &"{% end %}".repeat(MAX_NESTING + 5);
        let (found, errors) = find(&text, &[]);
        assert_eq!(found.len(), 1);
        assert!(errors.len() >= 5, "{errors:?}");
    }

    #[test]
    fn broken_calls_say_where_and_why() {
        let messages = |text: &str| -> Vec<(usize, String)> {
            find(text, &[])
                .1
                .into_iter()
                .map(|e| (e.at, e.message))
                .collect()
        };
        assert_eq!(
            messages("{% details(summary=\"Q\") %}never closed"),
            [(
                0,
                "the shortcode `details` has a body that is never closed".to_string()
            )]
        );
        assert_eq!(
            messages("x {% end %}"),
            [(2, "`{% end %}` closes no shortcode".to_string())]
        );
        assert_eq!(
            messages("{{ figure(src=photo.png) }}"),
            [(
                14,
                "`photo` is not a value: text must be quoted".to_string()
            )]
        );
        assert_eq!(
            messages("{{ figure(src=\"a\" alt=\"b\") }}"),
            [(
                18,
                "expected `,` or `)` in the shortcode's arguments, found `a`".to_string()
            )]
        );
        assert_eq!(
            messages("{{ figure(src=\"a) }}"),
            [(14, "this text has no closing \"".to_string())]
        );
        assert_eq!(
            messages("{{ figure(a=1, a=2) }}"),
            [(17, "the argument `a` is given twice".to_string())]
        );
        assert_eq!(
            messages("{{ figure() }"),
            [(
                12,
                "the shortcode `figure` is not closed with `}}`".to_string()
            )]
        );
    }
}
