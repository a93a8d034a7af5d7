//! Errors that name the file, the line and column when known, and what to do.

use std::fmt;
use std::path::{Path, PathBuf};

/// The result type of every fallible step in serum.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem, pointing at the place it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
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

    /// A problem reading or writing a file.
    pub fn io(path: &Path, action: &str, error: &std::io::Error) -> Self {
        Diagnostic::in_file(path, format!("cannot {action}: {}", describe_io(error)))
    }

    /// The diagnostic as a warning line: same text, `warning:` instead of `error:`.
    pub fn as_warning(&self) -> String {
        let text = self.to_string();
        format!("warning: {}", text.strip_prefix("error: ").unwrap_or(&text))
    }

    fn sort_key(&self) -> (Option<&Path>, usize, usize, &str) {
        (
            self.path.as_deref(),
            self.line.unwrap_or(0),
            self.column.unwrap_or(0),
            &self.message,
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
        f.write_str("error: ")?;
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

/// Everything that stopped a command: one or more problems, sorted by place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    problems: Vec<Diagnostic>,
}

impl Error {
    /// Collects problems into one error; sorts them and drops exact repeats.
    pub fn from_problems(mut problems: Vec<Diagnostic>) -> Self {
        problems.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        problems.dedup();
        Error { problems }
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
