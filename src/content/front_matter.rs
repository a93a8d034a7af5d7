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
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// The 1-based line of the file on which the body starts.
    pub body_line: usize,
}

/// Cuts `text` (already free of a byte-order mark and `\r`) at its front matter fences.
pub fn split(text: &str) -> Result<Split<'_>, Diagnostic> {
    let (format, fence) = if text.starts_with("+++") {
        (Format::Toml, "+++")
    } else if text.starts_with("---") {
        (Format::Yaml, "---")
    } else {
        return Err(Diagnostic::new("no front matter: the file must start with `+++` (TOML) or `---` (YAML)")
            .because(Reason::FrontMatter)
            .at(1, 1)
            .hint("did you forget the opening `+++` or `---`? Start the file with `+++`, a line `title = \"…\"`, and `+++`"));
    };
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text[..first_line_end].trim_end() != fence {
        return Err(Diagnostic::new(format!(
            "the opening `{fence}` must stand alone on the first line"
        ))
        .at(1, 4)
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
                body: &text[body_start..],
                body_line,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::new(format!(
        "the front matter opened with `{fence}` on line 1 is never closed"
    ))
    .at(1, 1)
    .hint(format!(
        "add a line with only `{fence}` after the last front matter line"
    )))
}

/// Parses front matter into `T`, naming `shown` and the line:column of any error.
pub fn parse<T: DeserializeOwned>(split: &Split, shown: &Path) -> Result<T, Diagnostic> {
    let text = split.front_matter;
    match split.format {
        Format::Toml => toml::from_str(text).map_err(|e| toml_diagnostic(shown, text, &e, 1)),
        Format::Yaml => {
            let text = if text.trim().is_empty() { "{}" } else { text };
            serde_saphyr::from_str(text).map_err(|e| yaml_diagnostic(shown, &e))
        }
    }
}

fn yaml_diagnostic(shown: &Path, error: &serde_saphyr::Error) -> Diagnostic {
    let (message, hint) = yaml_message(&error.to_string());
    let problem = Diagnostic::in_file(shown, format!("invalid YAML: {message}"))
        .because(Reason::FrontMatter)
        .hint(hint);
    match error.location() {
        Some(location) if location.line() > 0 => problem.at(
            location.line() as usize + 1,
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
                if let Some((line, column)) = find_key(split.front_matter, key) {
                    warning = warning.at(line + 1, column);
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
    if is_list_of_words {
        return format!(
            "to sort pages by it, declare it in serum.toml as a taxonomy: taxonomies = [{{ name = \"{key}\" }}]; or put it under `extra`"
        );
    }
    "put your own values under `extra`, where templates can read them".to_string()
}

/// The line of a front matter key in the file, when it is written there.
pub fn key_line(split: &Split, key: &str) -> Option<(usize, usize)> {
    find_key(split.front_matter, key).map(|(line, column)| (line + 1, column))
}

/// A date, or a date and time, as written in front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    date: jiff::civil::Date,
    time: Option<jiff::civil::Time>,
    offset: Option<jiff::tz::Offset>,
}

impl Date {
    /// Parses `2023-06-27`, `2023-06-27T21:32:00`, `2023-06-27 21:32` or with an offset or `Z`.
    pub fn parse(text: &str) -> Result<Date, String> {
        let pieces = Pieces::parse(text.trim()).map_err(|_| {
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
