//! A theme's words in each language: `themes/<name>/i18n/<lang>.toml` with the site's own
//! `i18n/<lang>.toml` over it, plural forms, and dates with month and day names in the
//! language.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Reason};
use crate::site::{Key, KeyHasher};

/// The key of the default date format in the strings: `date_format = "%-d %B %Y"`.
pub const DATE_FORMAT: &str = "date_format";

/// The date format when the strings give none.
pub const DEFAULT_DATE_FORMAT: &str = "%B %-d, %Y";

/// The plural categories a string may have, as Unicode's CLDR names them.
const CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// One string as written: text, or a text for each plural category.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Message {
    /// `contents = "Contents"`
    Text(String),
    /// `reading_time = { one = "{count} minute", other = "{count} minutes" }`
    Plural(BTreeMap<String, String>),
}

/// Every string of every language, and where each language's came from.
#[derive(Debug, Default)]
pub struct Strings {
    /// The default language's code: a string missing elsewhere is taken from it.
    default: String,
    /// Each language's strings, by key.
    by_lang: BTreeMap<String, BTreeMap<String, Message>>,
    /// Each language's files, for messages.
    files: HashMap<String, Vec<PathBuf>>,
}

/// One file of strings: its language, how it is shown in messages, and its text.
pub struct StringsFile {
    /// The language code: the file's name without `.toml`.
    pub lang: String,
    /// The file, as messages show it.
    pub shown: PathBuf,
    /// Its text.
    pub text: String,
}

impl Strings {
    /// Reads files of strings in order: a later file's string wins over an earlier one's of the
    /// same key and language (the site's over its theme's). A file that is not a table of
    /// strings is an error at its line and column.
    pub fn new(default: &str, files: Vec<StringsFile>, problems: &mut Vec<Diagnostic>) -> Self {
        let mut strings = Strings {
            default: default.to_string(),
            ..Strings::default()
        };
        for file in files {
            let table: BTreeMap<String, Message> = match toml::from_str(&file.text) {
                Ok(table) => table,
                Err(error) => {
                    let mut problem =
                        crate::config::toml_diagnostic(&file.shown, &file.text, &error, 0);
                    problem.message = format!(
                        "{} (each line gives a string, `key = \"text\"`, or its plural forms, `key = {{ one = \"…\", other = \"…\" }}`)",
                        problem.message
                    );
                    problems.push(problem.because(Reason::Config));
                    continue;
                }
            };
            for (key, message) in &table {
                if let Message::Plural(forms) = message {
                    check_forms(&file, key, forms, problems);
                }
            }
            strings
                .by_lang
                .entry(file.lang.clone())
                .or_default()
                .extend(table);
            strings.files.entry(file.lang).or_default().push(file.shown);
        }
        strings
    }

    /// The string `key` in `lang`, else in the default language.
    pub fn get(&self, lang: &str, key: &str) -> Option<&Message> {
        self.by_lang
            .get(lang)
            .and_then(|strings| strings.get(key))
            .or_else(|| self.by_lang.get(&self.default)?.get(key))
    }

    /// The text of `key` in `lang`: its plural form for `count`, with every `{name}` replaced
    /// by the argument of that name (`{count}` by the count). A key neither `lang` nor the
    /// default language has is the error, naming the files to add it to.
    pub fn translate(
        &self,
        lang: &str,
        key: &str,
        count: Option<f64>,
        args: &[(&str, String)],
    ) -> Result<String, String> {
        let message = self.get(lang, key).ok_or_else(|| self.missing(lang, key))?;
        let text = match message {
            Message::Text(text) => text.as_str(),
            Message::Plural(forms) => {
                let category = plural_category(lang, count.unwrap_or(1.0));
                forms
                    .get(category)
                    .or_else(|| forms.get("other"))
                    .map_or("", String::as_str)
            }
        };
        Ok(fill(text, args))
    }

    /// The message for a string no file has.
    fn missing(&self, lang: &str, key: &str) -> String {
        // The site's own file first: it is where a site adds what its theme lacks.
        let files = |lang: &str| {
            let mut names = vec![format!("i18n/{lang}.toml")];
            for file in self.files.get(lang).into_iter().flatten() {
                let name = file.display().to_string();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            names.join(" or ")
        };
        if lang == self.default {
            format!(
                "no string `{key}` in the language `{lang}`: add it to {}",
                files(lang)
            )
        } else {
            format!(
                "no string `{key}` in the language `{lang}`, nor in the default language `{}`: add it to {}",
                self.default,
                files(lang)
            )
        }
    }

    /// The key of what templates in `lang` can read: its strings and the default language's.
    pub fn key(&self, lang: &str) -> Key {
        let empty = BTreeMap::new();
        let own = self.by_lang.get(lang).unwrap_or(&empty);
        let default = self.by_lang.get(&self.default).unwrap_or(&empty);
        KeyHasher::new()
            .text(lang)
            .value(own)
            .value(default)
            .finish()
    }

    /// The default date format of `lang`: its `date_format` string, else the default one.
    pub fn date_format(&self, lang: &str) -> &str {
        match self.get(lang, DATE_FORMAT) {
            Some(Message::Text(format)) => format,
            _ => DEFAULT_DATE_FORMAT,
        }
    }

    /// A date as the theme writes it in `lang` by default (its `date_format`): what
    /// `{{ date | date }}` shows in a template, and what search results show.
    pub fn write_date(&self, date: jiff::civil::DateTime, lang: &str) -> Result<String, String> {
        format_date(date, self.date_format(lang), lang)
    }

    /// The default language's code.
    pub fn default_language(&self) -> &str {
        &self.default
    }

    /// The languages that have strings, by code.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.by_lang.keys().map(String::as_str)
    }
}

impl Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Message::Text(text) => serializer.serialize_str(text),
            Message::Plural(forms) => forms.serialize(serializer),
        }
    }
}

/// A text with every `{name}` replaced by the argument of that name.
pub fn fill(text: &str, args: &[(&str, String)]) -> String {
    let mut out = text.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Plural forms must be CLDR's categories, `other` among them.
fn check_forms(
    file: &StringsFile,
    key: &str,
    forms: &BTreeMap<String, String>,
    problems: &mut Vec<Diagnostic>,
) {
    let unknown = forms.keys().find(|c| !CATEGORIES.contains(&c.as_str()));
    let message = match unknown {
        Some(category) => format!(
            "`{key}` has a plural form `{category}`, which is not one of {}",
            CATEGORIES.join(", ")
        ),
        None if !forms.contains_key("other") => format!("`{key}` has no `other` plural form"),
        None => return,
    };
    let mut problem = Diagnostic::in_file(&file.shown, message)
        .because(Reason::Config)
        .hint("give plural forms as `key = { one = \"{count} minute\", other = \"{count} minutes\" }`");
    if let Some((line, column)) = crate::config::find_key(&file.text, key) {
        problem = problem.at(line, column);
    }
    problems.push(problem);
}

/// The CLDR plural category of `n` in a language: `one` or `other` for most, `few` and `many`
/// for the Slavic languages.
pub fn plural_category(lang: &str, n: f64) -> &'static str {
    let primary = lang.split(['-', '_']).next().unwrap_or(lang);
    let integer = n.fract() == 0.0 && n >= 0.0;
    let i = n.abs().trunc() as u64;
    match primary {
        "ja" | "zh" | "ko" | "th" | "vi" | "id" | "ms" | "tr" => "other",
        "fr" | "hi" | "bn" | "fa" | "am" | "zu" | "kn" | "gu" => {
            if i <= 1 {
                "one"
            } else {
                "other"
            }
        }
        "pt" if lang != "pt-PT" => {
            if i <= 1 {
                "one"
            } else {
                "other"
            }
        }
        "ru" | "uk" | "be" => match (integer, i % 10, i % 100) {
            (false, _, _) => "other",
            (true, 1, r) if r != 11 => "one",
            (true, 2..=4, r) if !(12..=14).contains(&r) => "few",
            _ => "many",
        },
        "pl" => match (integer, i, i % 10, i % 100) {
            (false, ..) => "other",
            (true, 1, _, _) => "one",
            (true, _, 2..=4, r) if !(12..=14).contains(&r) => "few",
            _ => "many",
        },
        "cs" | "sk" => match (integer, i) {
            (false, _) => "many",
            (true, 1) => "one",
            (true, 2..=4) => "few",
            _ => "other",
        },
        _ => {
            if integer && i == 1 {
                "one"
            } else {
                "other"
            }
        }
    }
}

/// The glibc locale whose month and day names a language uses: `fr` is `fr_FR`, `pt-BR`
/// `pt_BR`, `en` `en_US`.
fn locale(code: &str) -> Option<pure_rust_locales::Locale> {
    use pure_rust_locales::Locale;
    let exact = code.replace('-', "_");
    let primary = code.split('-').next().unwrap_or(code);
    let usual = match primary {
        "en" => "en_US",
        "ja" => "ja_JP",
        "zh" => "zh_CN",
        "ko" => "ko_KR",
        "sv" => "sv_SE",
        "da" => "da_DK",
        "el" => "el_GR",
        "cs" => "cs_CZ",
        "uk" => "uk_UA",
        "he" => "he_IL",
        "ar" => "ar_EG",
        "hi" => "hi_IN",
        "vi" => "vi_VN",
        "nb" | "no" => "nb_NO",
        "fa" => "fa_IR",
        "ca" => "ca_ES",
        "et" => "et_EE",
        "sl" => "sl_SI",
        "ga" => "ga_IE",
        _ => "",
    };
    let twin = format!("{primary}_{}", primary.to_ascii_uppercase());
    [exact.as_str(), usual, twin.as_str()]
        .into_iter()
        .find_map(|name| Locale::try_from(name).ok())
}

/// Month and day names of a language, full and abbreviated, January and Sunday first.
struct Names {
    months: &'static [&'static str],
    short_months: &'static [&'static str],
    days: &'static [&'static str],
    short_days: &'static [&'static str],
}

fn names(code: &str) -> Option<Names> {
    use pure_rust_locales::locale_match;
    let locale = locale(code)?;
    Some(Names {
        months: locale_match!(locale => LC_TIME::MON),
        short_months: locale_match!(locale => LC_TIME::ABMON),
        days: locale_match!(locale => LC_TIME::DAY),
        short_days: locale_match!(locale => LC_TIME::ABDAY),
    })
}

/// Formats a date with strftime codes (jiff's), month and day names (`%B`, `%b`, `%A`, `%a`)
/// in the language `lang`; `%^B` writes them in capitals.
pub fn format_date(
    date: jiff::civil::DateTime,
    format: &str,
    lang: &str,
) -> Result<String, String> {
    let localized = match names(lang) {
        Some(names) => localize(format, date, &names),
        None => format.to_string(),
    };
    jiff::fmt::strtime::format(localized.as_str(), date)
        .map_err(|e| format!("date format \"{format}\": {e}"))
}

/// The format with its name codes replaced by the names, `%` in them escaped.
fn localize(format: &str, date: jiff::civil::DateTime, names: &Names) -> String {
    let month = usize::from(date.month().unsigned_abs()) - 1;
    let weekday = usize::from(date.weekday().to_sunday_zero_offset().unsigned_abs());
    let mut out = String::with_capacity(format.len() + 16);
    let mut rest = format;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let directive = &rest[at..];
        let flags = directive[1..]
            .find(|c: char| !"-_0^#".contains(c) && !c.is_ascii_digit())
            .map_or(directive.len(), |n| n + 1);
        let Some(code) = directive[flags..].chars().next() else {
            out.push_str(directive);
            rest = "";
            break;
        };
        let upper = directive[1..flags].contains('^');
        let name = match code {
            'B' => names.months.get(month),
            'b' | 'h' => names.short_months.get(month),
            'A' => names.days.get(weekday),
            'a' => names.short_days.get(weekday),
            _ => None,
        };
        let end = flags + code.len_utf8();
        match name {
            Some(name) => {
                let name = if upper {
                    name.to_uppercase()
                } else {
                    name.to_string()
                };
                out.push_str(&name.replace('%', "%%"));
            }
            None => out.push_str(&directive[..end]),
        }
        rest = &directive[end..];
    }
    out.push_str(rest);
    out
}

/// The strings of a theme (its files on disk, or the built-in theme's) and the site's
/// `i18n/` folder, in the order they apply.
pub fn files(
    theme: Option<(&Path, &Path)>,
    embedded: &[(&str, &[u8])],
    site: (&Path, &Path),
    problems: &mut Vec<Diagnostic>,
) -> Vec<StringsFile> {
    let mut files = Vec::new();
    match theme {
        Some((dir, shown)) => read_folder(dir, shown, &mut files, problems),
        None => {
            for (path, bytes) in embedded {
                let Some(name) = path.strip_prefix("i18n/") else {
                    continue;
                };
                if let Some(lang) = name.strip_suffix(".toml") {
                    files.push(StringsFile {
                        lang: lang.to_string(),
                        shown: PathBuf::from(format!("(built-in theme)/i18n/{name}")),
                        text: String::from_utf8_lossy(bytes).into_owned(),
                    });
                }
            }
        }
    }
    read_folder(site.0, site.1, &mut files, problems);
    files
}

fn read_folder(
    dir: &Path,
    shown: &Path,
    files: &mut Vec<StringsFile>,
    problems: &mut Vec<Diagnostic>,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml") && !name.starts_with('.'))
        .collect();
    names.sort();
    for name in names {
        let shown = shown.join(&name);
        match std::fs::read_to_string(dir.join(&name)) {
            Ok(text) => files.push(StringsFile {
                lang: name.trim_end_matches(".toml").to_string(),
                shown,
                text,
            }),
            Err(e) => problems.push(Diagnostic::io(&shown, "read these strings", &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(files: &[(&str, &str)]) -> Strings {
        let files = files
            .iter()
            .map(|(lang, text)| StringsFile {
                lang: lang.to_string(),
                shown: PathBuf::from(format!("i18n/{lang}.toml")),
                text: text.to_string(),
            })
            .collect();
        let mut problems = Vec::new();
        let strings = Strings::new("en", files, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        strings
    }

    #[test]
    fn plural_forms_follow_the_language() {
        let s = strings(&[
            (
                "en",
                "min = { one = \"{count} minute\", other = \"{count} minutes\" }\n",
            ),
            (
                "fr",
                "min = { one = \"{count} minute\", other = \"{count} minutes\" }\n",
            ),
        ]);
        let t = |lang, n: f64| {
            s.translate(lang, "min", Some(n), &[("count", n.to_string())])
                .unwrap()
        };
        assert_eq!(t("en", 1.0), "1 minute");
        assert_eq!(t("en", 0.0), "0 minutes");
        assert_eq!(t("fr", 0.0), "0 minute");
        assert_eq!(t("fr", 2.0), "2 minutes");
        assert_eq!(plural_category("ru", 3.0), "few");
        assert_eq!(plural_category("ru", 11.0), "many");
        assert_eq!(plural_category("pl", 22.0), "few");
    }

    #[test]
    fn a_missing_string_comes_from_the_default_language_or_is_named() {
        let s = strings(&[("en", "by = \"By\"\n"), ("fr", "")]);
        assert_eq!(s.translate("fr", "by", None, &[]).unwrap(), "By");
        assert_eq!(
            s.translate("fr", "next", None, &[]).unwrap_err(),
            "no string `next` in the language `fr`, nor in the default language `en`: add it to i18n/fr.toml"
        );
    }

    #[test]
    fn dates_have_the_language_s_names() {
        let date = jiff::civil::date(2023, 6, 27).at(0, 0, 0, 0);
        assert_eq!(
            format_date(date, "%-d %B %Y", "fr").unwrap(),
            "27 juin 2023"
        );
        assert_eq!(
            format_date(date, "%A %-d %B", "de").unwrap(),
            "Dienstag 27 Juni"
        );
        assert_eq!(
            format_date(date, "%-d de %B de %Y", "es").unwrap(),
            "27 de junio de 2023"
        );
        assert_eq!(
            format_date(date, "%B %-d, %Y", "en").unwrap(),
            "June 27, 2023"
        );
        assert_eq!(format_date(date, "%^b %d %%", "fr").unwrap(), "JUIN 27 %");
        assert_eq!(format_date(date, "%B", "x-unknown").unwrap(), "June");
    }
}
