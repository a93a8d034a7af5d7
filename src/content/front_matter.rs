//! Splitting a content file into front matter and body, and parsing TOML or YAML front matter.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use jiff::fmt::temporal::{Pieces, PiecesOffset};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::{find_key, toml_diagnostic};
use crate::error::{Diagnostic, Reason, did_you_mean};

/// The language the front matter is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Between `+++` lines.
    Toml,
    /// Between `---` lines.
    Yaml,
}

/// A content file cut into its front matter and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// TOML or YAML.
    pub format: Format,
    /// The text between the fences.
    pub front_matter: &'a str,
    /// The 1-based line of the file on which `front_matter` starts (2, unless blank lines
    /// come before the opening fence).
    pub front_matter_line: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// The 1-based line of the file on which the body starts.
    pub body_line: usize,
}

/// Cuts `text` (already free of a byte-order mark and `\r`) at its front matter fences. Blank
/// lines before the opening fence are allowed, as Zola allows them.
pub fn split(text: &str) -> Result<Split<'_>, Diagnostic> {
    let blank = text
        .split_inclusive('\n')
        .take_while(|line| line.trim().is_empty() && line.ends_with('\n'))
        .map(str::len)
        .sum::<usize>();
    let open_line = text[..blank].matches('\n').count() + 1;
    let text_from_fence = &text[blank..];
    let (format, fence) = if text_from_fence.starts_with("+++") {
        (Format::Toml, "+++")
    } else if text_from_fence.starts_with("---") {
        (Format::Yaml, "---")
    } else {
        return Err(Diagnostic::new("no front matter: the file must start with `+++` (TOML) or `---` (YAML)")
            .because(Reason::FrontMatter)
            .at(open_line, 1)
            .hint("did you forget the opening `+++` or `---`? Start the file with `+++`, a line `title = \"…\"`, and `+++`"));
    };
    let first_line_end = text[blank..]
        .find('\n')
        .map_or(text.len(), |end| blank + end);
    if text[blank..first_line_end].trim_end() != fence {
        return Err(Diagnostic::new(format!(
            "the opening `{fence}` must stand alone on its line"
        ))
        .at(open_line, 4)
        .hint(format!("put a line break after `{fence}`")));
    }
    let after_open = (first_line_end + 1).min(text.len());
    let mut offset = after_open;
    for line in text[after_open..].split_inclusive('\n') {
        if line.trim_end() == fence {
            let front_matter = &text[after_open..offset];
            let body_start = (offset + line.len()).min(text.len());
            let body_line = text[..body_start].matches('\n').count() + 1;
            return Ok(Split {
                format,
                front_matter,
                front_matter_line: open_line + 1,
                body: &text[body_start..],
                body_line,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::new(format!(
        "the front matter opened with `{fence}` on line {open_line} is never closed"
    ))
    .at(open_line, 1)
    .hint(format!(
        "add a line with only `{fence}` after the last front matter line"
    )))
}

/// Parses front matter into `T`, naming `shown` and the line:column of any error.
pub fn parse<T: DeserializeOwned>(split: &Split, shown: &Path) -> Result<T, Diagnostic> {
    let text = split.front_matter;
    match split.format {
        Format::Toml => toml::from_str(text)
            .map_err(|e| toml_diagnostic(shown, text, &e, split.front_matter_line - 1)),
        Format::Yaml => {
            let text = if text.trim().is_empty() { "{}" } else { text };
            serde_saphyr::from_str(text)
                .map_err(|e| yaml_diagnostic(shown, &e, split.front_matter_line))
        }
    }
}

fn yaml_diagnostic(shown: &Path, error: &serde_saphyr::Error, first_line: usize) -> Diagnostic {
    let (message, hint) = yaml_message(&error.to_string());
    let problem = Diagnostic::in_file(shown, format!("invalid YAML: {message}"))
        .because(Reason::FrontMatter)
        .hint(hint);
    match error.location() {
        Some(location) if location.line() > 0 => problem.at(
            location.line() as usize + first_line - 1,
            location.column().max(1) as usize,
        ),
        _ => problem,
    }
}

/// The YAML parser's message in the writer's terms, without the place it repeats (the
/// diagnostic gives the place once, counted in the file), and what to do.
fn yaml_message(full: &str) -> (String, String) {
    let first = full.lines().next().unwrap_or("").trim();
    let mut message = first.strip_prefix("error: ").unwrap_or(first);
    if let Some((_, after)) = message
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        message = after;
    }
    let message = message
        .split_once(" at line ")
        .map_or(message, |(head, _)| head)
        .trim_end_matches(':');
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(", set ").next().unwrap_or(key);
        return (
            format!("the key `{key}` is given twice"),
            "keep one of them".to_string(),
        );
    }
    (
        message.to_string(),
        "check the indentation and the `key: value` syntax on that line".to_string(),
    )
}

/// Front matter keys serum does not read, collected to report as likely typos.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct UnknownKeys(BTreeMap<String, serde_json::Value>);

impl UnknownKeys {
    /// Takes out the value of a key that is read after all (a taxonomy's terms).
    pub fn take(&mut self, key: &str) -> Option<serde_json::Value> {
        self.0.remove(key)
    }

    /// A warning for each unknown key: a did-you-mean against `known`, else what the key
    /// means in the tool it likely comes from.
    pub fn warnings(&self, shown: &Path, split: &Split, known: &[&str]) -> Vec<Diagnostic> {
        self.0
            .iter()
            .map(|(key, value)| {
                let mut warning = Diagnostic::in_file(
                    shown,
                    format!("front matter key `{key}` is not used by serum"),
                )
                .warning()
                .because(Reason::UnusedKey);
                if let Some((line, column)) = key_line(split, key) {
                    warning = warning.at(line, column);
                }
                warning.hint(unknown_key_hint(key, value, known))
            })
            .collect()
    }
}

/// What to do about a key serum does not read.
fn unknown_key_hint(key: &str, value: &serde_json::Value, known: &[&str]) -> String {
    let mapped = match key {
        "redirect_from" => Some("use `aliases`: the old URLs that lead here"),
        "layout" => Some("use `template = \"….html\"` to render the page with another template"),
        "url" | "permalink" => Some("use `path = \"/…/\"` to give the page its own URL"),
        _ => None,
    };
    if let Some(hint) = mapped {
        return hint.to_string();
    }
    if let Some(close) = did_you_mean(key, known) {
        return format!("did you mean `{close}`?");
    }
    let is_list_of_words = value
        .as_array()
        .is_some_and(|items| !items.is_empty() && items.iter().all(serde_json::Value::is_string));
    // Jekyll writes categories as words in one string.
    if let (Some(words), "categories" | "category") = (value.as_str(), key) {
        let list: Vec<String> = words
            .split_whitespace()
            .map(|w| format!("\"{w}\""))
            .collect();
        return format!(
            "to sort pages by it, declare it in serum.toml as a taxonomy: taxonomies = [{{ name = \"{key}\" }}], and write its terms as a list: {key} = [{}]",
            list.join(", ")
        );
    }
    if is_list_of_words {
        return format!(
            "to sort pages by it, declare it in serum.toml as a taxonomy: taxonomies = [{{ name = \"{key}\" }}]; or put it under `extra`"
        );
    }
    "put your own values under `extra`, where templates can read them".to_string()
}

/// The line of a front matter key in the file, when it is written there.
pub fn key_line(split: &Split, key: &str) -> Option<(usize, usize)> {
    find_key(split.front_matter, key)
        .map(|(line, column)| (line + split.front_matter_line - 1, column))
}

/// Jekyll's date and time with a space before its offset (`… 11:10:38 -0700`), without the space.
fn join_offset(text: &str) -> Option<String> {
    let (datetime, offset) = text.rsplit_once(' ')?;
    let digits = offset.strip_prefix(['+', '-'])?;
    let is_offset =
        matches!(digits.len(), 2 | 4 | 5) && digits.chars().all(|c| c.is_ascii_digit() || c == ':');
    (is_offset && datetime.contains(':')).then(|| format!("{}{offset}", datetime.trim_end()))
}

/// The date a file name starts with, Jekyll's and Zola's way (`2014-05-06-title.md`), and the
/// rest of the name, which makes the slug.
pub fn dated_name(stem: &str) -> Option<(Date, &str)> {
    let (date, rest) = (stem.get(..10)?, stem.get(10..)?);
    let rest = rest.strip_prefix(['-', '_'])?;
    let shaped = date.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        _ => b.is_ascii_digit(),
    });
    if !shaped || rest.is_empty() {
        return None;
    }
    Some((Date::parse(date).ok()?, rest))
}

/// A date, or a date and time, as written in front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    date: jiff::civil::Date,
    time: Option<jiff::civil::Time>,
    offset: Option<jiff::tz::Offset>,
}

impl Date {
    /// Parses `2023-06-27`, `2023-06-27T21:32:00`, `2023-06-27 21:32` or with an offset or `Z`,
    /// and Jekyll's `2016-10-06 11:10:38 -0700` (a space before an offset without a colon).
    pub fn parse(text: &str) -> Result<Date, String> {
        let text = text.trim();
        let joined = join_offset(text);
        let pieces = Pieces::parse(joined.as_deref().unwrap_or(text)).map_err(|_| {
            format!("\"{text}\" is not a date: write it as YYYY-MM-DD, optionally with a time such as 2023-06-27T21:32:00Z")
        })?;
        let offset = match pieces.offset() {
            Some(PiecesOffset::Zulu) => Some(jiff::tz::Offset::UTC),
            Some(PiecesOffset::Numeric(n)) => Some(n.offset()),
            _ => None,
        };
        Ok(Date {
            date: pieces.date(),
            time: pieces.time(),
            offset,
        })
    }

    /// A moment as a date and time in UTC.
    pub fn from_timestamp(moment: jiff::Timestamp) -> Date {
        let civil = jiff::tz::Offset::UTC.to_datetime(moment);
        Date {
            date: civil.date(),
            time: Some(
                civil
                    .time()
                    .with()
                    .subsec_nanosecond(0)
                    .build()
                    .unwrap_or(civil.time()),
            ),
            offset: Some(jiff::tz::Offset::UTC),
        }
    }

    /// This date, or `latest` if this one is later.
    pub fn at_most(self, latest: Date) -> Date {
        if self.timestamp() > latest.timestamp() {
            latest
        } else {
            self
        }
    }

    /// The date and time, a missing time read as midnight.
    pub fn civil_datetime(&self) -> jiff::civil::DateTime {
        self.date
            .to_datetime(self.time.unwrap_or(jiff::civil::Time::midnight()))
    }

    /// The calendar date.
    pub fn civil_date(&self) -> jiff::civil::Date {
        self.date
    }

    /// The moment, reading a missing time as midnight and a missing offset as UTC.
    pub fn timestamp(&self) -> jiff::Timestamp {
        let time = self.time.unwrap_or(jiff::civil::Time::midnight());
        let offset = self.offset.unwrap_or(jiff::tz::Offset::UTC);
        offset
            .to_timestamp(self.date.to_datetime(time))
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// RFC 3339, as Atom feeds want it: `2023-06-27T00:00:00Z`.
    pub fn to_rfc3339(&self) -> String {
        let offset = self.offset.unwrap_or(jiff::tz::Offset::UTC);
        let zoned = self.timestamp().to_zoned_datetime(offset.to_time_zone());
        if offset == jiff::tz::Offset::UTC {
            format!("{}Z", zoned.strftime("%Y-%m-%dT%H:%M:%S"))
        } else {
            zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
        }
    }

    /// RFC 2822, as RSS feeds want it: `Tue, 27 Jun 2023 00:00:00 +0000`.
    pub fn to_rfc2822(&self) -> String {
        let offset = self.offset.unwrap_or(jiff::tz::Offset::UTC);
        let zoned = self.timestamp().to_zoned_datetime(offset.to_time_zone());
        jiff::fmt::rfc2822::to_string(&zoned).unwrap_or_default()
    }

    /// A key that sorts dates in time order, reading a missing time as midnight and a missing offset as UTC.
    pub fn sort_key(&self) -> i64 {
        let time = self.time.unwrap_or(jiff::civil::Time::midnight());
        let offset = self.offset.unwrap_or(jiff::tz::Offset::UTC);
        offset
            .to_timestamp(self.date.to_datetime(time))
            .map(|t| t.as_second())
            .unwrap_or(0)
    }
}

impl fmt::Display for Date {
    /// ISO 8601: `2023-06-27`, or with time and offset when they were given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date)?;
        if let Some(time) = self.time {
            write!(f, "T{}", time.strftime("%H:%M:%S"))?;
            match self.offset {
                Some(offset) if offset == jiff::tz::Offset::UTC => f.write_str("Z")?,
                Some(offset) => {
                    let seconds = offset.seconds();
                    let sign = if seconds < 0 { '-' } else { '+' };
                    let minutes = seconds.unsigned_abs() / 60;
                    write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)?
                }
                None => {}
            }
        }
        Ok(())
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date such as 2023-06-27")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Date, E> {
                Date::parse(text).map_err(E::custom)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Date, A::Error> {
                let toml_date = toml::value::Datetime::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                Date::parse(&toml_date.to_string()).map_err(serde::de::Error::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Reads a file's text for parsing: checks UTF-8, drops a byte-order mark, turns `\r\n` and a
/// lone `\r` into `\n`.
pub fn normalize_text(bytes: Vec<u8>) -> Result<String, Diagnostic> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let (line, column) = crate::error::line_column(valid, valid.len());
        Diagnostic::new("the file is not valid UTF-8 text")
            .at(line, column)
            .hint("save the file with the UTF-8 encoding")
    })?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok(if text.contains('\r') {
        // CommonMark and YAML read a lone `\r` as a line end too: so must line numbers.
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Meta {
        title: String,
        date: Option<Date>,
    }

    #[test]
    fn splits_toml_and_yaml() {
        let s = split("+++\ntitle = \"A\"\n+++\nBody\n").unwrap();
        assert_eq!(
            (s.format, s.front_matter, s.body, s.body_line),
            (Format::Toml, "title = \"A\"\n", "Body\n", 4)
        );
        let s = split("---\ntitle: A\n---\n").unwrap();
        assert_eq!((s.format, s.body, s.body_line), (Format::Yaml, "", 4));
    }

    #[test]
    fn unclosed_front_matter_says_what_to_add() {
        let err = split("+++\ntitle = \"A\"\n").unwrap_err();
        assert_eq!(
            err.message,
            "the front matter opened with `+++` on line 1 is never closed"
        );
        let err = split("# Title\n").unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(err.hint.unwrap().starts_with("did you forget"));
    }

    #[test]
    fn jekyll_dates_with_a_spaced_offset_parse() {
        let jekyll = Date::parse("2016-10-06 11:10:38 -0700").unwrap();
        let iso = Date::parse("2016-10-06T11:10:38-07:00").unwrap();
        assert_eq!(jekyll, iso);
        assert_eq!(
            Date::parse("2016-10-06 11:10 +05:30").unwrap(),
            Date::parse("2016-10-06T11:10+05:30").unwrap()
        );
        assert!(Date::parse("2016-10-06 -0700").is_err());
    }

    #[test]
    fn dated_file_names_give_a_date_and_the_rest_as_name() {
        let (date, rest) = dated_name("2014-05-06-first-post").unwrap();
        assert_eq!(
            (date.to_string(), rest),
            ("2014-05-06".to_string(), "first-post")
        );
        assert_eq!(
            dated_name("2014-05-06_notes").map(|(_, r)| r),
            Some("notes")
        );
        for undated in [
            "2014-05-06",
            "2014-05-06-",
            "2014-13-45-bad",
            "20140506-x",
            "hello",
        ] {
            assert!(dated_name(undated).is_none(), "{undated}");
        }
    }

    #[test]
    fn blank_lines_may_come_before_the_front_matter() {
        let s = split("\n  \n+++\ntitle = \"x\"\n+++\nbody").unwrap();
        assert_eq!(
            (s.front_matter, s.front_matter_line, s.body_line),
            ("title = \"x\"\n", 4, 6)
        );
        let problem = split("\n\ntext").unwrap_err();
        assert_eq!((problem.line, problem.column), (Some(3), Some(1)));
    }

    #[test]
    fn dates_from_toml_and_yaml_agree() {
        let toml: Meta = parse(
            &split("+++\ntitle = \"A\"\ndate = 2023-06-27\n+++\n").unwrap(),
            Path::new("a.md"),
        )
        .unwrap();
        let yaml: Meta = parse(
            &split("---\ntitle: A\ndate: 2023-06-27\n---\n").unwrap(),
            Path::new("a.md"),
        )
        .unwrap();
        assert_eq!(toml.title, "A");
        assert_eq!(toml.date.unwrap().to_string(), "2023-06-27");
        assert_eq!(toml.date, yaml.date);
        let timed = Date::parse("2023-06-27T21:32:00+02:00").unwrap();
        assert_eq!(timed.to_string(), "2023-06-27T21:32:00+02:00");
        assert_eq!(timed.to_rfc3339(), "2023-06-27T21:32:00+02:00");
        assert_eq!(timed.to_rfc2822(), "Tue, 27 Jun 2023 21:32:00 +0200");
        let day = Date::parse("2023-06-27").unwrap();
        assert_eq!(day.to_rfc3339(), "2023-06-27T00:00:00Z");
        assert_eq!(day.to_rfc2822(), "Tue, 27 Jun 2023 00:00:00 +0000");
    }

    #[test]
    fn toml_errors_point_into_the_file() {
        let s = split("+++\ntitle = \"A\"\ndate = \"June\"\n+++\n").unwrap();
        let err = parse::<Meta>(&s, Path::new("content/a.md")).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("is not a date"), "{}", err.message);
    }

    #[test]
    fn yaml_errors_point_into_the_file() {
        let s = split("---\ntitle: A\ndate: [\n---\n").unwrap();
        let err = parse::<Meta>(&s, Path::new("content/a.md")).unwrap_err();
        assert!(err.message.starts_with("invalid YAML: "), "{}", err.message);
        assert!(err.line.unwrap() >= 3, "{err:?}");
    }

    #[test]
    fn yaml_messages_give_no_second_place_and_no_parser_settings() {
        assert_eq!(
            yaml_message("error: line 2 column 1: duplicate mapping key: title, set DuplicateKeyPolicy in Options if acceptable").0,
            "the key `title` is given twice"
        );
        assert_eq!(
            yaml_message("error: line 1 column 8: unclosed quote").0,
            "unclosed quote"
        );
        assert_eq!(
            yaml_message("mapping values are not allowed at line 2 column 6").0,
            "mapping values are not allowed"
        );
    }

    #[test]
    fn normalizes_bom_and_crlf() {
        let text = normalize_text(b"\xef\xbb\xbf+++\r\ntitle = \"A\"\r\n+++\r\n".to_vec()).unwrap();
        assert_eq!(text, "+++\ntitle = \"A\"\n+++\n");
        let err = normalize_text(b"ok\nab\xff".to_vec()).unwrap_err();
        assert_eq!((err.line, err.column), (Some(2), Some(3)));
    }
}
