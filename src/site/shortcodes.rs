//! Shortcode calls rendered with the theme's templates: `templates/shortcodes/<name>.html`
//! (or `.md`), the site's own before the theme's, the theme's before the built-in ones. Each
//! call's arguments are checked against what its template declares before it is rendered.

use std::cell::RefCell;

use super::links::Links;
use super::{Key, KeyHasher};
use crate::error::did_you_mean;
use crate::markdown::shortcodes::kind_of;
use crate::markdown::{Expansion, ShortcodeCall, ShortcodeError, Shortcodes};
use crate::theme::{ArgKind, ArgSpec, Theme};

/// Renders the shortcodes of one body, whose relative paths start at `dir`.
pub(crate) struct PageShortcodes<'a> {
    theme: &'a Theme,
    links: &'a Links<'a>,
    dir: &'a str,
    /// The code of the page's language, which templates see as `lang`.
    lang: &'a str,
    /// The structured data calls gave, in order, as JSON, for the page's JSON-LD.
    data: RefCell<Vec<String>>,
}

impl<'a> PageShortcodes<'a> {
    /// The renderer of a body in language `lang` whose relative paths start at `dir`.
    pub(crate) fn new(theme: &'a Theme, links: &'a Links<'a>, dir: &'a str, lang: usize) -> Self {
        PageShortcodes {
            theme,
            links,
            dir,
            lang: links.language_code(lang),
            data: RefCell::new(Vec::new()),
        }
    }

    /// The structured data the calls gave, as JSON: FAQ questions and how-to routines.
    pub(crate) fn into_data(self) -> Vec<String> {
        self.data.into_inner()
    }
}

impl Shortcodes for PageShortcodes<'_> {
    fn render(&self, call: &ShortcodeCall) -> Result<Expansion, ShortcodeError> {
        let Some(template) = self.theme.shortcode(call.name) else {
            return Err(unknown(self.theme, call.name));
        };
        if let Some(broken) = &template.broken {
            let place = match (&broken.path, broken.line, broken.column) {
                (Some(path), Some(line), Some(column)) => {
                    format!("{}:{line}:{column}", path.display())
                }
                (Some(path), _, _) => path.display().to_string(),
                _ => template.shown.display().to_string(),
            };
            return Err(ShortcodeError {
                message: format!(
                    "the shortcode `{}` cannot be used: {place}: {}",
                    call.name, broken.message
                ),
                hint: broken.hint.clone(),
                argument: None,
            });
        }
        if let Some(specs) = &template.args {
            check_args(call, specs)?;
        }
        check_shapes(call)?;
        let mut context = tera::Context::new();
        for spec in template.args.iter().flatten() {
            context.insert_value(spec.name.clone(), tera::Value::none());
        }
        for arg in call.args {
            context.insert(arg.name.clone(), &arg.value);
        }
        if let Some(body) = call.body {
            context.insert("body", body);
        }
        context.insert("nth", &call.nth);
        context.insert("lang", self.lang);
        if let Some(src) = call.image {
            // The image goes through the pipeline Markdown images do: its size as shown, and
            // its copies for `srcset` (in its own format) and `webp_srcset`.
            let picture = match self.links.resolve_image(src, self.dir) {
                crate::markdown::LinkAction::Picture(picture) => Some(picture),
                _ => None,
            };
            let size = picture.as_ref().and_then(|p| p.size);
            // A srcset of the image alone says nothing: it needs a copy beside it.
            let srcset = |candidates: &[(String, u32)], least: usize| {
                let list: Vec<String> = candidates
                    .iter()
                    .map(|(u, w)| format!("{u} {w}w"))
                    .collect();
                (list.len() >= least).then(|| list.join(", "))
            };
            context.insert("width", &size.map(|s| s.0));
            context.insert("height", &size.map(|s| s.1));
            context.insert(
                "srcset",
                &picture.as_ref().and_then(|p| srcset(&p.srcset, 2)),
            );
            context.insert(
                "webp_srcset",
                &picture.as_ref().and_then(|p| srcset(&p.webp, 1)),
            );
            context.insert("sizes", &self.theme.image_sizes);
        }
        let output = self
            .theme
            .render(&template.template, &context)
            .map_err(|problem| {
                let place = match (&problem.path, problem.line, problem.column) {
                    (Some(path), Some(line), Some(column)) => {
                        format!("{}:{line}:{column}", path.display())
                    }
                    _ => template.shown.display().to_string(),
                };
                ShortcodeError {
                    message: format!(
                        "the shortcode `{}` failed in {place}: {}",
                        call.name, problem.message
                    ),
                    hint: problem.hint,
                    argument: None,
                }
            })?;
        // A call with a body is rendered again with its text when its template does not
        // write the body as it is: its data is taken the first time only.
        let first = call.body.is_none_or(|b| b == crate::markdown::BODY_MARKER);
        if let Some(data) = structured_data(call).filter(|_| first) {
            self.data.borrow_mut().push(data.to_string());
        }
        Ok(if template.markdown {
            Expansion::Markdown(output)
        } else {
            Expansion::Html(output)
        })
    }
}

/// The key of every shortcode template a body used: the body is made again when one changes.
pub(crate) fn used_key(theme: Option<&Theme>, names: &[String]) -> Key {
    let Some(theme) = theme else {
        return 0;
    };
    let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    // Templates may call `trans`: the strings are part of what they read.
    let strings = theme
        .strings()
        .languages()
        .fold(KeyHasher::new(), |h, lang| h.key(theme.strings_key(lang)));
    names
        .iter()
        .fold(strings, |hasher, name| match theme.shortcode(name) {
            Some(template) => hasher
                .text(name)
                .key(theme.template_key(&template.template)),
            None => hasher.text(name).text(""),
        })
        .finish()
}

fn unknown(theme: &Theme, name: &str) -> ShortcodeError {
    let names: Vec<&str> = theme.shortcode_names().collect();
    let listed = format!(
        "the shortcodes here are {}; or add templates/shortcodes/{name}.html",
        names.join(", ")
    );
    ShortcodeError {
        message: format!("unknown shortcode `{name}`"),
        hint: Some(match did_you_mean(name, &names) {
            Some(close) => format!("did you mean `{close}`? {listed}"),
            None => listed,
        }),
        argument: None,
    }
}

/// Every argument declared, of its type; every required one given; no other.
fn check_args(call: &ShortcodeCall, specs: &[ArgSpec]) -> Result<(), ShortcodeError> {
    let name = call.name;
    let declared: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    for arg in call.args {
        let Some(spec) = specs.iter().find(|s| s.name == arg.name) else {
            let takes = if declared.is_empty() {
                "it takes no arguments".to_string()
            } else {
                format!("it takes {}", declared.join(", "))
            };
            return Err(ShortcodeError {
                message: format!("the shortcode `{name}` has no argument `{}`", arg.name),
                hint: Some(match did_you_mean(&arg.name, &declared) {
                    Some(close) => format!("did you mean `{close}`? {takes}"),
                    None => takes,
                }),
                argument: Some(arg.name.clone()),
            });
        };
        let fits = match spec.kind {
            ArgKind::String => arg.value.is_string(),
            ArgKind::Number => arg.value.is_number(),
            ArgKind::Bool => arg.value.is_boolean(),
            ArgKind::Array => arg.value.is_array(),
            ArgKind::Any => true,
        };
        if !fits {
            let wanted = match spec.kind {
                ArgKind::String => "a string, in quotes",
                ArgKind::Number => "a number",
                ArgKind::Bool => "`true` or `false`",
                ArgKind::Array => "an array, `[…]`",
                ArgKind::Any => "anything",
            };
            return Err(ShortcodeError {
                message: format!(
                    "the argument `{}` of `{name}` must be {wanted}, not {}",
                    arg.name,
                    kind_of(&arg.value)
                ),
                hint: None,
                argument: Some(arg.name.clone()),
            });
        }
    }
    if let Some(missing) = specs
        .iter()
        .find(|s| s.required && !call.args.iter().any(|a| a.name == s.name))
    {
        let example = match missing.kind {
            ArgKind::Number => format!("{}=1", missing.name),
            ArgKind::Bool => format!("{}=true", missing.name),
            ArgKind::Array => format!("{}=[…]", missing.name),
            _ => format!("{}=\"…\"", missing.name),
        };
        return Err(ShortcodeError {
            message: format!(
                "the shortcode `{name}` needs the argument `{}`",
                missing.name
            ),
            hint: Some(format!("add `{example}` to the call")),
            argument: None,
        });
    }
    Ok(())
}

/// Arguments with a known shape: a video id goes into a player's address, so only the
/// characters such an id has are let through.
fn check_shapes(call: &ShortcodeCall) -> Result<(), ShortcodeError> {
    let id = call
        .args
        .iter()
        .find(|a| a.name == "id")
        .and_then(|a| a.value.as_str());
    let (valid, hint) = match (call.name, id) {
        ("youtube", Some(id)) => (
            id.len() == 11
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "a YouTube id is the 11 letters, digits, `-` and `_` after `v=` in the video's address",
        ),
        ("vimeo", Some(id)) => (
            !id.is_empty() && id.len() <= 12 && id.bytes().all(|b| b.is_ascii_digit()),
            "a Vimeo id is the number at the end of the video's address",
        ),
        _ => return Ok(()),
    };
    if valid {
        return Ok(());
    }
    let shown: String = id.unwrap_or_default().chars().take(40).collect();
    Err(ShortcodeError {
        message: format!("`{shown}` is not a {} video id", call.name),
        hint: Some(hint.into()),
        argument: Some("id".into()),
    })
}

/// What a built-in call adds to the page's schema.org data: a question of its FAQ (a
/// `details` with `faq=true`), or a `HowTo` (a `steps` with a `name`).
fn structured_data(call: &ShortcodeCall) -> Option<serde_json::Value> {
    let arg = |name: &str| call.args.iter().find(|a| a.name == name).map(|a| &a.value);
    let body = call.text?;
    match call.name {
        "details" if arg("faq").and_then(|v| v.as_bool()) == Some(true) => {
            let question = arg("summary")?.as_str()?;
            let answer = crate::markdown::plain_text(body);
            Some(serde_json::json!({
                "@type": "Question",
                "name": question,
                "acceptedAnswer": { "@type": "Answer", "text": answer },
            }))
        }
        "steps" => {
            let name = arg("name")?.as_str()?;
            let steps: Vec<serde_json::Value> = crate::markdown::list_items(body)
                .into_iter()
                .map(|text| serde_json::json!({ "@type": "HowToStep", "text": text }))
                .collect();
            Some(serde_json::json!({ "@type": "HowTo", "name": name, "step": steps }))
        }
        _ => None,
    }
}
