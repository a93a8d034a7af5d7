//! Shortcode calls expanded before the Markdown parse, so that what they give takes part in
//! the table of contents, link checks and word counts like any other text.
//!
//! A `.md` template's output is put in the text as Markdown. An HTML output becomes a
//! placeholder that the event pass swaps for the HTML, so Markdown never reads it (a blank line
//! in it would end an HTML block); a placeholder alone in a paragraph stands as a block.
//! A body stays Markdown where it was written, between its template's opening and closing
//! parts: the template is rendered with [`BODY_MARKER`] as its body and split there.
//!
//! The expanded text comes with a map back to the written one, so every line and column
//! reported (a broken link in a body, a heading's place) is where the writer put it; what a
//! template wrote is placed at its call.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::shortcodes::{self, Arg, Call, Found};
use super::{
    Expansion, LinkAction, Problem, ProblemKind, Rendered, Resolve, ShortcodeCall, Shortcodes,
};
use crate::error::LineIndex;

/// What a template is given as the body of a call, to be split where it writes it. Private-use
/// characters, which autoescaping and Markdown leave as they are.
pub const BODY_MARKER: &str = "\u{E010}body\u{E011}";

/// Placeholders are `SLOT_OPEN`, the slot's number, `SLOT_CLOSE`.
const SLOT_OPEN: char = '\u{E000}';
const SLOT_CLOSE: char = '\u{E001}';

/// What a placeholder stands for.
#[derive(Debug, Clone)]
pub(super) enum Slot {
    /// HTML a template wrote.
    Html(String),
    /// An escaped call, shown as text as written.
    Literal(String),
}

/// One stretch of the expanded text and where it comes from.
#[derive(Debug, Clone, Copy)]
struct Segment {
    expanded: usize,
    written: usize,
    /// Copied from the written text (else made by a template, placed at its call).
    copied: bool,
}

/// A text with its shortcodes expanded.
pub(super) struct Expanded {
    pub text: String,
    pub slots: Vec<Slot>,
    segments: Vec<Segment>,
}

impl Expanded {
    /// The offset in the written text that an offset of the expanded text comes from.
    pub fn written_offset(&self, offset: usize) -> usize {
        let i = self.segments.partition_point(|s| s.expanded <= offset);
        match i.checked_sub(1).map(|i| self.segments[i]) {
            Some(s) if s.copied => s.written + (offset - s.expanded),
            Some(s) => s.written,
            None => offset,
        }
    }
}

/// Expands every call of `text`; problems go into `rendered`. `None` when the text has no
/// shortcode syntax outside code.
pub(super) fn expand(
    text: &str,
    resolve: &dyn Resolve,
    shortcodes: &dyn Shortcodes,
    lines: &LineIndex,
    rendered: &mut Rendered,
) -> Option<Expanded> {
    let code = code_ranges(text);
    let (found, errors) = shortcodes::find(text, &code);
    let mut expander = Expander {
        source: text,
        resolve,
        shortcodes,
        lines,
        rendered,
        out: Expanded {
            text: String::with_capacity(text.len() + 256),
            slots: Vec::new(),
            segments: Vec::new(),
        },
        counts: std::collections::HashMap::new(),
    };
    for error in errors {
        let kind = if error.foreign {
            ProblemKind::ForeignSyntax
        } else {
            ProblemKind::Shortcode
        };
        expander.problem(error.at, kind, error.message, Some(error.hint));
    }
    if found.is_empty() {
        return None;
    }
    expander.expand(0..text.len(), &found);
    Some(expander.out)
}

/// The code spans and blocks of a text, where shortcode syntax is text, found by reading its
/// lines as CommonMark does where it matters here: fenced blocks, indented blocks (but for a
/// list item's indented paragraph), and backtick spans within a paragraph. A full parse
/// would cost as much again as the render.
fn code_ranges(text: &str) -> Vec<Range<usize>> {
    let mut blocks: Vec<Range<usize>> = Vec::new();
    let mut fence: Option<(u8, usize, usize)> = None;
    let mut previous_blank = true;
    let mut in_indented = false;
    let mut in_list = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start_matches([' ', '\t']);
        let indent: usize = content[..content.len() - trimmed.len()]
            .bytes()
            .map(|b| if b == b'\t' { 4 } else { 1 })
            .sum();
        let blank = trimmed.is_empty();
        if let Some((mark, len, open)) = fence {
            let run = trimmed.bytes().take_while(|&b| b == mark).count();
            if run >= len && trimmed[run..].trim().is_empty() {
                blocks.push(open..offset);
                fence = None;
            }
            continue;
        }
        let mark = trimmed.bytes().next().unwrap_or(b' ');
        let run = trimmed.bytes().take_while(|&b| b == mark).count();
        if (mark == b'`' || mark == b'~')
            && run >= 3
            && !(mark == b'`' && trimmed[run..].contains('`'))
        {
            fence = Some((mark, run, start));
            continue;
        }
        let code_indent = if in_list { 8 } else { 4 };
        if !blank && indent >= code_indent && (previous_blank || in_indented) {
            match blocks.last_mut() {
                Some(last) if in_indented => last.end = offset,
                _ => blocks.push(start..offset),
            }
            in_indented = true;
            continue;
        }
        if !blank {
            in_indented = false;
            if is_list_item(trimmed) && indent < 4 {
                in_list = true;
            } else if indent < 2 && previous_blank {
                in_list = false;
            }
        }
        previous_blank = blank;
    }
    if let Some((_, _, open)) = fence {
        blocks.push(open..text.len());
    }
    let mut ranges = Vec::with_capacity(blocks.len());
    let mut at = 0;
    for block in blocks {
        code_spans(text, at..block.start, &mut ranges);
        at = block.end;
        ranges.push(block);
    }
    code_spans(text, at..text.len(), &mut ranges);
    ranges
}

/// Whether a line (without its indentation) starts a list item: `- `, `* `, `+ `, `1. `, `1) `.
fn is_list_item(line: &str) -> bool {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &line.as_bytes()[digits..];
    let marker = matches!(
        (digits, rest.first()),
        (0, Some(b'-' | b'*' | b'+')) | (1..=9, Some(b'.' | b')'))
    );
    marker && rest.get(1).is_none_or(|b| *b == b' ' || *b == b'\t')
}

/// The backtick code spans of `range` of `text`: a run of backticks up to the next run of
/// as many, within one paragraph (no blank line between).
fn code_spans(text: &str, range: Range<usize>, spans: &mut Vec<Range<usize>>) {
    let bytes = &text.as_bytes()[..range.end];
    let mut i = range.start;
    while let Some(found) = bytes[i..].iter().position(|&b| b == b'`') {
        let open = i + found;
        let run = bytes[open..].iter().take_while(|&&b| b == b'`').count();
        i = open + run;
        if open > 0 && bytes[open - 1] == b'\\' {
            continue;
        }
        let mut j = i;
        let close = loop {
            let Some(next) = bytes[j..].iter().position(|&b| b == b'`') else {
                break None;
            };
            let candidate = j + next;
            if is_blank_line_between(&text[j..candidate]) {
                break None;
            }
            let length = bytes[candidate..]
                .iter()
                .take_while(|&&b| b == b'`')
                .count();
            if length == run {
                break Some(candidate + length);
            }
            j = candidate + length;
        };
        if let Some(end) = close {
            spans.push(open..end);
            i = end;
        }
    }
}

/// Whether a stretch of text holds a blank line, which ends a paragraph: a whole line
/// between its first and its last with nothing but spaces.
fn is_blank_line_between(text: &str) -> bool {
    let segments: Vec<&str> = text.split('\n').collect();
    segments.len() > 2
        && segments[1..segments.len() - 1]
            .iter()
            .any(|line| line.trim().is_empty())
}

struct Expander<'a> {
    source: &'a str,
    resolve: &'a dyn Resolve,
    shortcodes: &'a dyn Shortcodes,
    lines: &'a LineIndex<'a>,
    rendered: &'a mut Rendered,
    out: Expanded,
    /// How many times each shortcode was called so far.
    counts: std::collections::HashMap<String, usize>,
}

impl Expander<'_> {
    fn problem(&mut self, at: usize, kind: ProblemKind, message: String, hint: Option<String>) {
        let (line, column) = self.lines.line_column(at);
        self.rendered.problems.push(Problem {
            line,
            column,
            kind,
            message,
            hint,
        });
    }

    fn copy(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.out.segments.push(Segment {
            expanded: self.out.text.len(),
            written: range.start,
            copied: true,
        });
        self.out.text.push_str(&self.source[range]);
    }

    fn generate(&mut self, text: &str, at: usize) {
        self.out.segments.push(Segment {
            expanded: self.out.text.len(),
            written: at,
            copied: false,
        });
        self.out.text.push_str(text);
    }

    fn slot(&mut self, slot: Slot, at: usize) {
        let placeholder = format!("{SLOT_OPEN}{}{SLOT_CLOSE}", self.out.slots.len());
        self.out.slots.push(slot);
        self.generate(&placeholder, at);
    }

    fn expand(&mut self, range: Range<usize>, found: &[Found]) {
        let mut at = range.start;
        for item in found {
            self.copy(at..item.range().start);
            match item {
                Found::Literal { range, literal } => {
                    self.slot(Slot::Literal(literal.clone()), range.start)
                }
                Found::Call(call) => self.call(call),
            }
            at = item.range().end;
        }
        self.copy(at..range.end);
    }

    fn call(&mut self, call: &Call) {
        let at = call.range.start;
        let nth = self.counts.entry(call.name.clone()).or_insert(0);
        *nth += 1;
        let nth = *nth;
        self.rendered.shortcodes.push(call.name.clone());
        let (args, image) = self.resolve_src(&call.args);
        let text = call
            .body
            .as_ref()
            .map(|(body, _)| &self.source[body.clone()]);
        let mut request = ShortcodeCall {
            name: &call.name,
            args: &args,
            body: call.body.as_ref().map(|_| BODY_MARKER),
            image: image.as_deref(),
            text,
            nth,
        };
        let expansion = match self.shortcodes.render(&request) {
            Ok(expansion) => expansion,
            Err(error) => {
                let place = error
                    .argument
                    .as_deref()
                    .and_then(|name| call.args.iter().find(|a| a.name == name))
                    .map_or(at, |a| a.at);
                self.problem(place, ProblemKind::Shortcode, error.message, error.hint);
                // The body is still the writer's text: keep it, and check it.
                if let Some((body, inner)) = &call.body {
                    self.expand(body.clone(), inner);
                }
                return;
            }
        };
        let Some((body, inner)) = &call.body else {
            self.emit(expansion, at);
            return;
        };
        let (markdown, output) = match expansion {
            Expansion::Markdown(text) => (true, text),
            Expansion::Html(text) => (false, text),
        };
        match output.split_once(BODY_MARKER) {
            Some((before, after)) if !after.contains(BODY_MARKER) => {
                let piece = |text: &str| {
                    if markdown {
                        Expansion::Markdown(text.to_string())
                    } else {
                        Expansion::Html(text.to_string())
                    }
                };
                self.emit(piece(before), at);
                if !markdown {
                    self.generate("\n\n", at);
                }
                self.expand(body.clone(), inner);
                if !markdown {
                    self.generate("\n\n", body.end);
                }
                self.emit(piece(after), body.end);
            }
            // The template does more with its body than write it: it gets the text as written.
            _ => {
                request.body = text;
                match self.shortcodes.render(&request) {
                    Ok(expansion) => self.emit(expansion, at),
                    Err(error) => {
                        self.problem(at, ProblemKind::Shortcode, error.message, error.hint)
                    }
                }
            }
        }
    }

    fn emit(&mut self, expansion: Expansion, at: usize) {
        match expansion {
            Expansion::Html(html) => self.slot(Slot::Html(html.trim().to_string()), at),
            Expansion::Markdown(text) => self.generate(text.trim_end_matches('\n'), at),
        }
    }

    /// Arguments named `src` and `poster` are images, resolved like a Markdown image's: the
    /// template gets their URL. Also returns `src` as written.
    fn resolve_src(&mut self, args: &[Arg]) -> (Vec<Arg>, Option<String>) {
        let mut args = args.to_vec();
        let mut written = None;
        for arg in &mut args {
            let serde_json::Value::String(src) = &arg.value else {
                continue;
            };
            if arg.name != "src" && arg.name != "poster" {
                continue;
            }
            if arg.name == "src" {
                written = Some(src.clone());
            }
            let action = super::record_destination(
                self.resolve,
                self.rendered,
                src,
                true,
                self.lines.line_column(arg.at),
            );
            match action {
                LinkAction::Rewrite(url) => arg.value = serde_json::Value::String(url),
                LinkAction::Picture(picture) => arg.value = serde_json::Value::String(picture.src),
                _ => {}
            }
        }
        (args, written)
    }
}

/// Swaps placeholders for what they stand for: HTML, or text that Markdown did not touch. A
/// paragraph of nothing but HTML placeholders loses its `<p>`, for the HTML is a block.
pub(super) fn splice<'t>(
    events: Vec<(Event<'t>, Range<usize>)>,
    slots: &[Slot],
) -> Vec<(Event<'t>, Range<usize>)> {
    let mut out: Vec<(Event<'t>, Range<usize>)> = Vec::with_capacity(events.len() + slots.len());
    let mut paragraph: Option<usize> = None;
    let mut only_html = false;
    for (event, range) in events {
        match event {
            Event::Text(text) if has_slot(&text) => {
                for (piece, is_slot) in pieces(&text) {
                    match (is_slot.and_then(|i| slots.get(i)), piece) {
                        (Some(Slot::Html(html)), _) => {
                            out.push((Event::InlineHtml(html.clone().into()), range.clone()))
                        }
                        (Some(Slot::Literal(literal)), _) => {
                            only_html = false;
                            out.push((Event::Text(literal.clone().into()), range.clone()));
                        }
                        (None, piece) => {
                            only_html &= piece.trim().is_empty();
                            out.push((Event::Text(piece.to_string().into()), range.clone()));
                        }
                    }
                }
            }
            Event::Html(html) | Event::InlineHtml(html) if has_slot(&html) => {
                let mut replaced = String::with_capacity(html.len());
                for (piece, is_slot) in pieces(&html) {
                    match is_slot.and_then(|i| slots.get(i)) {
                        Some(Slot::Html(h)) => replaced.push_str(h),
                        Some(Slot::Literal(l)) => {
                            pulldown_cmark_escape::escape_html(&mut replaced, l).ok();
                        }
                        None => replaced.push_str(piece),
                    }
                }
                out.push((Event::Html(replaced.into()), range));
            }
            Event::Start(Tag::Paragraph) => {
                paragraph = Some(out.len());
                only_html = true;
                out.push((event, range));
            }
            Event::End(TagEnd::Paragraph) => {
                match paragraph.take() {
                    Some(start) if only_html && out.len() > start + 1 => {
                        out.remove(start);
                        for (event, _) in &mut out[start..] {
                            if let Event::InlineHtml(html) = event {
                                *event = Event::Html(std::mem::replace(html, "".into()));
                            }
                        }
                        out.push((Event::Html("\n".into()), range));
                    }
                    _ => out.push((event, range)),
                }
                only_html = false;
            }
            event @ (Event::SoftBreak | Event::Text(_)) => {
                if let Event::Text(text) = &event {
                    only_html &= text.trim().is_empty();
                }
                out.push((event, range));
            }
            event => {
                only_html = false;
                out.push((event, range));
            }
        }
    }
    out
}

/// Whether a text may hold a placeholder: a byte search, for most texts hold none.
fn has_slot(text: &str) -> bool {
    // The first byte of every character from U+E000 to U+EFFF in UTF-8.
    text.as_bytes().contains(&0xEE) && text.contains(SLOT_OPEN)
}

/// A text cut at its placeholders: each piece, and the slot number when it is one.
fn pieces(text: &str) -> Vec<(&str, Option<usize>)> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(SLOT_OPEN) {
        let after = &rest[open + SLOT_OPEN.len_utf8()..];
        let Some(close) = after.find(SLOT_CLOSE) else {
            break;
        };
        let Ok(n) = after[..close].parse::<usize>() else {
            break;
        };
        if open > 0 {
            pieces.push((&rest[..open], None));
        }
        pieces.push(("", Some(n)));
        rest = &after[close + SLOT_CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        pieces.push((rest, None));
    }
    pieces
}
