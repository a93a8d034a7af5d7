//! Diagnostics: what went wrong or may be wrong, where (file, line, column) and what to do.
//!
//! Steps of the build push diagnostics into one [`Diagnostics`] collector and go on, so that
//! one run reports every problem; the command decides the exit code from what was collected.

use std::fmt;
use std::path::{Path, PathBuf};

/// The result type of every fallible step in serum.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Severity {
    /// The site cannot be published as it is.
    #[default]
    Error,
    /// Probably a mistake, but the site builds (an error under `serum check --strict`).
    Warning,
}

/// Why a diagnostic was raised, in a stable name that `[check] ignore` can list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Reason {
    /// Anything without a more precise name.
    #[default]
    Other,
    /// `serum.toml` is invalid.
    Config,
    /// Front matter that cannot be read.
    FrontMatter,
    /// A front matter key serum does not use.
    UnusedKey,
    /// A page without a description.
    MissingDescription,
    /// An author no page names.
    UnnamedAuthor,
    /// A page names an author that does not exist.
    UnknownAuthor,
    /// A link to a file or page that does not exist.
    BrokenLink,
    /// A `#fragment` that names no element of its page.
    BrokenAnchor,
    /// An image (or other file) a page shows that does not exist or cannot be read.
    MissingImage,
    /// An image without alt text.
    MissingAlt,
    /// The same `id` twice on one page.
    DuplicateId,
    /// A link to another web site that did not answer well.
    ExternalLink,
    /// Two things would be published at one URL.
    UrlCollision,
    /// A template that is missing or fails.
    Template,
    /// Template syntax of another tool left in content, published as text.
    ForeignSyntax,
    /// A file that cannot be read or written.
    Io,
    /// A setting that will not do what it seems to.
    Setting,
    /// A shortcode call that cannot be read or rendered.
    Shortcode,
}

impl Reason {
    /// Every reason, for listing the names.
    pub const ALL: &'static [Reason] = &[
        Reason::Other,
        Reason::Config,
        Reason::FrontMatter,
        Reason::UnusedKey,
        Reason::MissingDescription,
        Reason::UnnamedAuthor,
        Reason::UnknownAuthor,
        Reason::BrokenLink,
        Reason::BrokenAnchor,
        Reason::MissingImage,
        Reason::MissingAlt,
        Reason::DuplicateId,
        Reason::ExternalLink,
        Reason::UrlCollision,
        Reason::Template,
        Reason::ForeignSyntax,
        Reason::Io,
        Reason::Setting,
        Reason::Shortcode,
    ];

    /// The reason's stable name, such as `unused-key`.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Other => "other",
            Reason::Config => "config",
            Reason::FrontMatter => "front-matter",
            Reason::UnusedKey => "unused-key",
            Reason::MissingDescription => "missing-description",
            Reason::UnnamedAuthor => "unnamed-author",
            Reason::UnknownAuthor => "unknown-author",
            Reason::BrokenLink => "broken-link",
            Reason::BrokenAnchor => "broken-anchor",
            Reason::MissingImage => "missing-image",
            Reason::MissingAlt => "missing-alt",
            Reason::DuplicateId => "duplicate-id",
            Reason::ExternalLink => "external-link",
            Reason::UrlCollision => "url-collision",
            Reason::Template => "template",
            Reason::ForeignSyntax => "foreign-syntax",
            Reason::Io => "io",
            Reason::Setting => "setting",
            Reason::Shortcode => "shortcode",
        }
    }

    /// The reason with this name.
    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.iter().copied().find(|r| r.code() == code)
    }
}

/// One problem, pointing at the place it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// An error or a warning.
    pub severity: Severity,
    /// Why it was raised.
    pub reason: Reason,
    /// The file, shown relative to the site root when it lies inside it.
    pub path: Option<PathBuf>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column in characters, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A problem that belongs to no file.
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            reason: Reason::Other,
            path: None,
            line: None,
            column: None,
            message: message.into(),
            hint: None,
        }
    }

    /// A problem in a file, place unknown.
    pub fn in_file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: Some(path.into()),
            ..Diagnostic::new(message)
        }
    }

    /// Sets the line and column.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Sets the line only.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Adds what to do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Names why it was raised.
    pub fn because(mut self, reason: Reason) -> Self {
        self.reason = reason;
        self
    }

    /// Makes it a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Whether it stops the site from being published.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A problem reading or writing a file.
    pub fn io(path: &Path, action: &str, error: &std::io::Error) -> Self {
        Diagnostic::in_file(path, format!("cannot {action}: {}", describe_io(error)))
            .because(Reason::Io)
    }

    /// The diagnostic as a warning line: same text, `warning:` instead of `error:`.
    pub fn as_warning(&self) -> String {
        self.clone().warning().to_string()
    }

    fn sort_key(&self) -> (Option<&Path>, usize, usize, &str, Severity) {
        (
            self.path.as_deref(),
            self.line.unwrap_or(0),
            self.column.unwrap_or(0),
            &self.message,
            self.severity,
        )
    }
}

/// The operating system's words for an I/O error, without the "(os error N)" noise.
pub fn describe_io(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(end) => text[..end].to_lowercase(),
        None => text,
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.severity {
            Severity::Error => "error: ",
            Severity::Warning => "warning: ",
        })?;
        if let Some(path) = &self.path {
            write!(f, "{}", path.display())?;
            match (self.line, self.column) {
                (Some(line), Some(column)) => write!(f, ":{line}:{column}")?,
                (Some(line), None) => write!(f, ":{line}")?,
                _ => {}
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  help: {hint}")?;
        }
        Ok(())
    }
}

/// Every diagnostic a run found, gathered step by step; nothing is reported until the end.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds many.
    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    /// Adds the problems of a failed step.
    pub fn absorb(&mut self, error: Error) {
        self.items.extend(error.problems);
    }

    /// Keeps the value of a step that succeeded, or collects its problems.
    pub fn take<T>(&mut self, result: Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.absorb(error);
                None
            }
        }
    }

    /// Whether any of them is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// All of them, sorted by place, exact repeats dropped.
    pub fn into_sorted(self) -> Vec<Diagnostic> {
        sorted(self.items)
    }

    /// Drops the warnings of these kinds; errors always stay.
    pub fn ignore(&mut self, reasons: &[Reason]) {
        self.items
            .retain(|d| d.is_error() || !reasons.contains(&d.reason));
    }

    /// Fails with everything collected when there is an error; else hands back the warnings.
    pub fn finish(self) -> Result<Vec<Diagnostic>> {
        if self.has_errors() {
            Err(Error::from_problems(self.items))
        } else {
            Ok(sorted(self.items))
        }
    }
}

/// Sorts diagnostics by place and drops repeats; one reported both at a place and without
/// one (the same problem seen in Markdown and again in the built HTML) is kept once, placed.
fn sorted(mut items: Vec<Diagnostic>) -> Vec<Diagnostic> {
    items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    items.dedup();
    let placed: std::collections::HashSet<(Option<&Path>, &str)> = items
        .iter()
        .filter(|d| d.line.is_some())
        .map(|d| (d.path.as_deref(), d.message.as_str()))
        .collect();
    let unplaced_repeats: std::collections::HashSet<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.line.is_none() && placed.contains(&(d.path.as_deref(), d.message.as_str()))
        })
        .map(|(i, _)| i)
        .collect();
    items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !unplaced_repeats.contains(i))
        .map(|(_, d)| d)
        .collect()
}

/// "2 problems found, 1 warning": the last line of a run that found something.
pub fn count_line(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let mut line = plural(errors, "problem", "problems") + " found";
    if warnings > 0 {
        line.push_str(&format!(", {}", plural(warnings, "warning", "warnings")));
    }
    line
}

/// "1 page", "2 pages".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Everything that stopped a command: one or more problems (and the warnings met on the
/// way), sorted by place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    problems: Vec<Diagnostic>,
}

impl Error {
    /// Collects problems into one error; sorts them and drops exact repeats.
    pub fn from_problems(problems: Vec<Diagnostic>) -> Self {
        Error {
            problems: sorted(problems),
        }
    }

    /// The problems, in the order they are reported.
    pub fn problems(&self) -> &[Diagnostic] {
        &self.problems
    }
}

impl From<Diagnostic> for Error {
    fn from(problem: Diagnostic) -> Self {
        Error {
            problems: vec![problem],
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Fails with every collected problem, or succeeds when there are none.
pub fn fail_if_any(problems: Vec<Diagnostic>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::from_problems(problems))
    }
}

/// Turns a byte offset into a 1-based line and a 1-based column counted in characters.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// Finds lines and columns of many offsets in one text, by binary search over line starts.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        LineIndex { text, starts }
    }

    /// The 1-based line and character column of a byte offset, as [`line_column`] gives.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Suggests the closest known name to a misspelt one, when it is close enough.
pub fn did_you_mean<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|candidate| (strsim::jaro_winkler(unknown, candidate), *candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters_not_bytes() {
        let text = "ab\n“é” x";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        let x = text.find('x').unwrap();
        assert_eq!(line_column(text, x), (2, 5));
    }

    #[test]
    fn line_index_agrees_with_line_column() {
        let text = "ab\n“é” x\n\nlast";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() {
            assert_eq!(
                index.line_column(offset),
                line_column(text, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("titel", &["title", "theme"]), Some("title"));
        assert_eq!(did_you_mean("zzz", &["title", "theme"]), None);
    }

    #[test]
    fn diagnostics_display_place_message_and_hint() {
        let d = Diagnostic::in_file("content/a.md", "missing `title`")
            .at(2, 1)
            .hint("add a title");
        assert_eq!(
            d.to_string(),
            "error: content/a.md:2:1: missing `title`\n  help: add a title"
        );
    }
}
