//! Themes: Tera templates and static files, with the site's own overriding them one by one.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tera::{Kwargs, State, Tera, TeraResult};
use walkdir::WalkDir;

use crate::config::{Config, DEFAULT_THEME};
use crate::content::{is_editor_leftover, is_ignored_name};
use crate::error::{Diagnostic, Reason, Result, did_you_mean, fail_if_any};
use crate::site::{Key, KeyHasher};

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// The shortcodes every theme has, which a theme's or a site's own
/// `templates/shortcodes/<name>.html` (or `.md`) replaces.
const BUILT_IN_SHORTCODES: &[(&str, &str)] = &[
    ("details.html", include_str!("shortcodes/details.html")),
    (
        "embed-script.html",
        include_str!("shortcodes/embed-script.html"),
    ),
    ("figure.html", include_str!("shortcodes/figure.html")),
    ("steps.html", include_str!("shortcodes/steps.html")),
    ("vimeo.html", include_str!("shortcodes/vimeo.html")),
    ("youtube.html", include_str!("shortcodes/youtube.html")),
];

/// Where built-in shortcode templates are said to be, in messages.
const BUILT_IN_DIR: &str = "(built-in)";

/// The folder of `templates/` that holds shortcode templates.
const SHORTCODES_DIR: &str = "shortcodes/";

/// The type an argument of a shortcode must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// Text.
    String,
    /// An integer or a decimal number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `[…]`.
    Array,
    /// Any of them.
    Any,
}

/// One argument a shortcode template declares in its first line,
/// `{# args: src: string, caption?: string #}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgSpec {
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: ArgKind,
    /// Whether a call must give it.
    pub required: bool,
}

/// The template a shortcode is rendered with.
#[derive(Debug, Clone)]
pub struct ShortcodeTemplate {
    /// Its name in Tera, `shortcodes/figure.html`.
    pub template: String,
    /// The file, for messages: `templates/shortcodes/figure.html`, or a built-in's.
    pub shown: PathBuf,
    /// A `.md` template: its output is Markdown.
    pub markdown: bool,
    /// The arguments it declares, when it does.
    pub args: Option<Vec<ArgSpec>>,
    /// Why it cannot be used: its syntax error.
    pub broken: Option<Diagnostic>,
}

/// The templates every theme provides.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "index.html",
    "section.html",
    "page.html",
    "author.html",
    "404.html",
];

/// Where a theme or site file's bytes come from.
#[derive(Debug, Clone)]
pub enum FileSource {
    /// A file on disk.
    Disk(PathBuf),
    /// A file of the default theme built into serum.
    Embedded(&'static [u8]),
    /// A file made by serum from another one (a stylesheet without comments and spaces).
    Made(std::sync::Arc<[u8]>),
}

/// A file copied as it is into the built site.
#[derive(Debug, Clone)]
pub struct StaticFile {
    /// Where it goes in the built site, `/`-separated.
    pub output_path: String,
    /// Where its bytes come from.
    pub source: FileSource,
}

#[derive(Debug, Default, Deserialize)]
struct ThemeInfo {
    name: Option<String>,
    description: Option<String>,
    /// How wide the theme shows images in an article, as an HTML `sizes` attribute.
    image_sizes: Option<String>,
}

/// A loaded theme: compiled templates and the static files to copy.
pub struct Theme {
    /// The theme's name.
    pub name: String,
    /// Its one-line description from `theme.toml`.
    pub description: String,
    tera: Tera,
    template_files: BTreeMap<String, PathBuf>,
    /// Each template's key: its text and the text of every template it extends or includes.
    template_keys: HashMap<String, Key>,
    static_files: Vec<StaticFile>,
    /// The key of the names `asset_url` gives.
    assets_key: Key,
    /// What `get_page`, `get_section` and `get_taxonomy` answer, set for each build.
    lookup: LookupSlot,
    /// Whether any template calls them: its output then depends on the whole site.
    uses_site_functions: bool,
    /// What `resize_image` answers, set for each build.
    images: ImageSlot,
    /// The `sizes` attribute of images in articles: how wide the theme shows them.
    pub image_sizes: String,
    /// Each shortcode's template, by shortcode name.
    shortcodes: BTreeMap<String, ShortcodeTemplate>,
    /// The theme's words in each language, with the site's over them.
    strings: std::sync::Arc<crate::i18n::Strings>,
}

/// What `resize_image` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResizeRequest {
    /// The image: a URL the site publishes, `@/` and a path in `content/`, or a path in
    /// `static/` or `content/`.
    pub path: String,
    /// The width asked for.
    pub width: Option<u32>,
    /// The height asked for.
    pub height: Option<u32>,
    /// `fit_width`, `fit_height`, `fit` or `fill`.
    pub op: String,
    /// `auto` (the image's own), `jpg`, `png` or `webp`.
    pub format: String,
    /// 1 to 100, for JPEG and WebP.
    pub quality: Option<u8>,
}

impl ResizeRequest {
    /// The operation asked for, on an image of `format`.
    pub fn operation(
        &self,
        format: crate::images::Format,
    ) -> Result<crate::images::Operation, String> {
        use crate::images::{Fit, Format, Operation};
        let need = |value: Option<u32>, name: &str| {
            value.filter(|v| *v > 0).ok_or_else(|| {
                format!(
                    "resize_image with op=\"{}\" needs a `{name}` above 0",
                    self.op
                )
            })
        };
        let fit = match self.op.as_str() {
            "fit_width" => Fit::Width(need(self.width, "width")?),
            "fit_height" => Fit::Height(need(self.height, "height")?),
            "fit" => Fit::Within(need(self.width, "width")?, need(self.height, "height")?),
            "fill" => Fit::Fill(need(self.width, "width")?, need(self.height, "height")?),
            other => {
                return Err(format!(
                    "resize_image has no op `{other}`: use fit_width, fit_height, fit or fill"
                ));
            }
        };
        let format = match self.format.as_str() {
            "auto" if format.is_processed() => format,
            "auto" => Format::Png,
            name => Format::from_name(name).ok_or_else(|| {
                format!("resize_image cannot write `{name}`: use auto, jpg, png or webp")
            })?,
        };
        let quality = match self.quality {
            Some(q) if (1..=100).contains(&q) => q,
            Some(q) => return Err(format!("resize_image's quality must be 1 to 100, not {q}")),
            None => crate::images::default_quality(format),
        };
        Ok(Operation {
            fit,
            format,
            quality,
        })
    }
}

/// What `resize_image` gives: `{ url, width, height, orig_width, orig_height }`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Resized {
    /// The copy's URL.
    pub url: String,
    /// Its width, when known.
    pub width: Option<u32>,
    /// Its height, when known.
    pub height: Option<u32>,
    /// The width of the image it was made from.
    pub orig_width: Option<u32>,
    /// The height of the image it was made from.
    pub orig_height: Option<u32>,
}

/// Makes the copies `resize_image` asks for.
pub trait ImageResizer: Send + Sync {
    /// Makes (or finds) a copy and says where it is and how large.
    fn resize(&self, request: &ResizeRequest) -> Result<Resized, String>;
}

type ImageSlot = std::sync::Arc<std::sync::RwLock<Option<std::sync::Arc<dyn ImageResizer>>>>;

/// What `get_page`, `get_section` and `get_taxonomy` answer, as templates see other views.
pub trait SiteLookup: Send + Sync {
    /// A page by its content path (`articles/x.md`).
    fn page(&self, path: &str) -> Option<tera::Value>;
    /// A section by the content path of its `_index.md`.
    fn section(&self, path: &str) -> Option<tera::Value>;
    /// A taxonomy by language and name (`fr/tags`).
    fn taxonomy(&self, name: &str) -> Option<tera::Value>;
}

type LookupSlot = std::sync::Arc<std::sync::RwLock<Option<std::sync::Arc<dyn SiteLookup>>>>;

/// The functions templates call to see pages other than their own.
const SITE_FUNCTIONS: &[&str] = &["get_page", "get_section", "get_taxonomy"];

impl Theme {
    /// Loads the theme `config.theme` names, then the site's `templates/` and `static/` over it.
    pub fn load(config: &Config, fingerprint: bool) -> Result<Theme> {
        let theme_dir = config.themes_dir().join(&config.theme);
        let mut templates: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        let mut statics: BTreeMap<String, FileSource> = BTreeMap::new();
        let mut problems = Vec::new();
        for (name, text) in BUILT_IN_SHORTCODES {
            templates.insert(
                format!("{SHORTCODES_DIR}{name}"),
                (
                    Path::new(BUILT_IN_DIR).join(SHORTCODES_DIR).join(name),
                    (*text).to_string(),
                ),
            );
        }
        let site_i18n = (config.root.join("i18n"), PathBuf::from("i18n"));
        let site_i18n = (site_i18n.0.as_path(), site_i18n.1.as_path());
        let theme_shown = Path::new("themes").join(&config.theme).join("i18n");
        let theme_i18n = theme_dir.join("i18n");
        let string_files = if theme_dir.is_dir() {
            let theme = (theme_i18n.as_path(), theme_shown.as_path());
            crate::i18n::files(Some(theme), &[], site_i18n, &mut problems)
        } else {
            crate::i18n::files(None, DEFAULT_THEME_FILES, site_i18n, &mut problems)
        };
        let strings = std::sync::Arc::new(crate::i18n::Strings::new(
            &config.language,
            string_files,
            &mut problems,
        ));
        let info = if theme_dir.is_dir() {
            let shown = Path::new("themes").join(&config.theme);
            read_dir_files(
                &config.root,
                &theme_dir.join("templates"),
                &shown.join("templates"),
                &mut templates,
                &mut problems,
            );
            list_static(
                &theme_dir.join("static"),
                &mut statics,
                &mut problems,
                &config.root,
            );
            read_theme_info(
                &theme_dir.join("theme.toml"),
                &shown.join("theme.toml"),
                &mut problems,
            )
        } else if config.theme == DEFAULT_THEME {
            load_embedded(&mut templates, &mut statics)
        } else {
            return Err(unknown_theme(config).into());
        };
        let site_templates = config.templates_dir();
        read_dir_files(
            &config.root,
            &site_templates,
            Path::new("templates"),
            &mut templates,
            &mut problems,
        );
        list_static(
            &config.static_dir(),
            &mut statics,
            &mut problems,
            &config.root,
        );
        fail_if_any(problems)?;
        let (static_files, assets) = name_static_files(statics, fingerprint)?;
        let assets_key = assets
            .iter()
            .fold(KeyHasher::new(), |h, (path, name)| {
                h.text(path)
                    .text(&name.output_path)
                    .text(name.integrity.as_deref().unwrap_or_default())
            })
            .finish();
        let template_keys = template_keys(&templates);
        let uses_site_functions = templates
            .values()
            .any(|(_, text)| SITE_FUNCTIONS.iter().any(|f| text.contains(f)));
        let lookup = LookupSlot::default();
        let images = ImageSlot::default();

        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".htm", ".xml", ".md"]);
        register_filters(&mut tera);
        register_i18n(&mut tera, &strings);
        register_asset_functions(&mut tera, &config.base_path, assets);
        register_site_functions(&mut tera, &lookup);
        register_resize_image(&mut tera, &images);
        let template_files: BTreeMap<String, PathBuf> = templates
            .iter()
            .map(|(name, (shown, _))| (name.clone(), shown.clone()))
            .collect();
        let broken = add_templates(&mut tera, &mut templates, &template_files)?;
        let shortcodes = shortcode_templates(&templates, &template_files, broken);
        let missing: Vec<Diagnostic> = REQUIRED_TEMPLATES
            .iter()
            .filter(|name| !template_files.contains_key(**name))
            .map(|name| {
                Diagnostic::new(format!(
                    "the theme `{}` has no template `{name}`",
                    config.theme
                ))
                .hint(format!(
                    "add templates/{name} to the site, or to themes/{}/templates/",
                    config.theme
                ))
            })
            .collect();
        fail_if_any(missing)?;
        Ok(Theme {
            name: info.name.unwrap_or_else(|| config.theme.clone()),
            description: info.description.unwrap_or_default(),
            tera,
            template_files,
            template_keys,
            static_files,
            assets_key,
            lookup,
            uses_site_functions,
            images,
            image_sizes: info
                .image_sizes
                .unwrap_or_else(|| crate::markdown::DEFAULT_IMAGE_SIZES.to_string()),
            shortcodes,
            strings,
        })
    }

    /// The key of the strings templates in the language `lang` read.
    pub fn strings_key(&self, lang: &str) -> Key {
        self.strings.key(lang)
    }

    /// The theme's words in every language.
    pub fn strings(&self) -> &crate::i18n::Strings {
        &self.strings
    }

    /// The template of a shortcode.
    pub fn shortcode(&self, name: &str) -> Option<&ShortcodeTemplate> {
        self.shortcodes.get(name)
    }

    /// The names of every shortcode, sorted.
    pub fn shortcode_names(&self) -> impl Iterator<Item = &str> {
        self.shortcodes.keys().map(String::as_str)
    }

    /// Whether a template of this name exists.
    pub fn has_template(&self, name: &str) -> bool {
        self.template_files.contains_key(name)
    }

    /// The key of a template and every template it extends or includes: equal keys render
    /// equal contexts the same.
    pub fn template_key(&self, name: &str) -> Key {
        self.template_keys
            .get(name)
            .copied()
            .unwrap_or_else(|| KeyHasher::new().text(name).finish())
    }

    /// Whether any template calls `get_page`, `get_section` or `get_taxonomy`.
    pub fn uses_site_functions(&self) -> bool {
        self.uses_site_functions
    }

    /// Sets what `get_page`, `get_section` and `get_taxonomy` answer.
    pub fn set_lookup(&self, lookup: std::sync::Arc<dyn SiteLookup>) {
        *self.lookup.write().unwrap_or_else(|p| p.into_inner()) = Some(lookup);
    }

    /// Sets what makes the copies `resize_image` asks for.
    pub fn set_images(&self, images: std::sync::Arc<dyn ImageResizer>) {
        *self.images.write().unwrap_or_else(|p| p.into_inner()) = Some(images);
    }

    /// The key of what `asset_url` and `asset_integrity` answer.
    pub fn assets_key(&self) -> Key {
        self.assets_key
    }

    /// Where every static file is published, `/`-separated.
    pub fn asset_names(&self) -> impl Iterator<Item = &str> {
        self.static_files.iter().map(|f| f.output_path.as_str())
    }

    /// The static files to copy, theme's and site's merged, by output path.
    pub fn static_files(&self) -> &[StaticFile] {
        &self.static_files
    }

    /// Values every template sees (config, site); set once per build.
    pub fn set_globals(&mut self, globals: tera::Context) {
        *self.tera.global_context() = globals;
    }

    /// Renders one template with a context.
    pub fn render(&self, template: &str, context: &tera::Context) -> Result<String, Diagnostic> {
        self.tera
            .render(template, context)
            .map_err(|e| template_error(&self.template_files, &e))
    }
}

fn unknown_theme(config: &Config) -> Diagnostic {
    let mut available: Vec<String> = std::fs::read_dir(config.themes_dir())
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    if !available.iter().any(|n| n == DEFAULT_THEME) {
        available.push(DEFAULT_THEME.into());
    }
    available.sort();
    let names: Vec<&str> = available.iter().map(String::as_str).collect();
    let mut hint = format!("the themes here are: {}", names.join(", "));
    if let Some(close) = did_you_mean(&config.theme, &names) {
        hint = format!("did you mean `{close}`? {hint}");
    }
    Diagnostic::new(format!(
        "unknown theme `{}`: there is no folder themes/{}/",
        config.theme, config.theme
    ))
    .hint(hint)
}

fn read_theme_info(path: &Path, shown: &Path, problems: &mut Vec<Diagnostic>) -> ThemeInfo {
    let Ok(text) = std::fs::read_to_string(path) else {
        return ThemeInfo::default();
    };
    toml::from_str(&text).unwrap_or_else(|e| {
        problems.push(crate::config::toml_diagnostic(shown, &text, &e, 0));
        ThemeInfo::default()
    })
}

fn load_embedded(
    templates: &mut BTreeMap<String, (PathBuf, String)>,
    statics: &mut BTreeMap<String, FileSource>,
) -> ThemeInfo {
    let mut info = ThemeInfo::default();
    for (path, bytes) in DEFAULT_THEME_FILES {
        if let Some(name) = path.strip_prefix("templates/") {
            let shown = PathBuf::from(format!("(built-in theme)/templates/{name}"));
            templates.insert(
                name.to_string(),
                (shown, String::from_utf8_lossy(bytes).into_owned()),
            );
        } else if let Some(output) = path.strip_prefix("static/") {
            statics.insert(output.to_string(), FileSource::Embedded(bytes));
        } else if *path == "theme.toml" {
            info = toml::from_str(&String::from_utf8_lossy(bytes)).unwrap_or_default();
        }
    }
    info
}

/// The files under `dir`. Static folders keep dot files (`.well-known/`, `.nojekyll`), which
/// hosts read; template folders do not.
fn walk_files(
    dir: &Path,
    problems: &mut Vec<Diagnostic>,
    root: &Path,
    keep_dot_files: bool,
) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut files = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(if keep_dot_files {
                    is_editor_leftover(&name)
                } else {
                    is_ignored_name(&name)
                })
        });
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() && entry.path_is_symlink() => {
                if let Some(warning) = crate::content::link_outside(root, entry.path(), true) {
                    let shown = entry.path().strip_prefix(root).unwrap_or(entry.path());
                    let message = warning.message.replacen("skipped: t", "t", 1);
                    problems.push(Diagnostic {
                        path: Some(shown.to_path_buf()),
                        message,
                        ..warning
                    });
                    continue;
                }
                let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                files.push((
                    relative.to_string_lossy().replace('\\', "/"),
                    entry.path().to_path_buf(),
                ));
            }
            Ok(entry) if entry.file_type().is_file() => {
                let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                files.push((
                    relative.to_string_lossy().replace('\\', "/"),
                    entry.path().to_path_buf(),
                ));
            }
            Ok(_) => {}
            Err(error) => {
                let path = error.path().unwrap_or(dir);
                let shown = path.strip_prefix(root).unwrap_or(path);
                problems.push(Diagnostic::in_file(shown, format!("cannot read: {error}")));
            }
        }
    }
    files
}

fn read_dir_files(
    root: &Path,
    dir: &Path,
    shown_dir: &Path,
    templates: &mut BTreeMap<String, (PathBuf, String)>,
    problems: &mut Vec<Diagnostic>,
) {
    for (name, path) in walk_files(dir, problems, root, false) {
        let shown = shown_dir.join(&name);
        match std::fs::read(&path).map(crate::content::front_matter::normalize_text) {
            Ok(Ok(text)) => {
                templates.insert(name, (shown, text));
            }
            Ok(Err(problem)) => problems.push(Diagnostic {
                path: Some(shown),
                ..problem
            }),
            Err(e) => problems.push(Diagnostic::io(&shown, "read this template", &e)),
        }
    }
}

fn list_static(
    dir: &Path,
    statics: &mut BTreeMap<String, FileSource>,
    problems: &mut Vec<Diagnostic>,
    root: &Path,
) {
    for (name, path) in walk_files(dir, problems, root, true) {
        statics.insert(name, FileSource::Disk(path));
    }
}

/// Compiles the templates. A shortcode template that does not compile is left out, and its
/// problem returned by shortcode file name, to be reported where a page calls it; any other
/// template's problem fails the theme.
fn add_templates(
    tera: &mut Tera,
    templates: &mut BTreeMap<String, (PathBuf, String)>,
    files: &BTreeMap<String, PathBuf>,
) -> Result<BTreeMap<String, Diagnostic>> {
    let mut broken = BTreeMap::new();
    loop {
        let sources = templates
            .iter()
            .filter(|(name, _)| !broken.contains_key(*name))
            .map(|(name, (_, text))| (name.as_str(), text.as_str()));
        let Err(error) = tera.add_raw_templates(sources) else {
            for name in broken.keys() {
                templates.remove(name);
            }
            return Ok(broken);
        };
        let failed = match error.kind() {
            tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                Some(report.filename().to_string())
            }
            tera::ErrorKind::Msg(text) => reported_place(text).map(|(_, name, _, _)| name),
            _ => None,
        };
        match failed {
            Some(name) if name.starts_with(SHORTCODES_DIR) && !broken.contains_key(&name) => {
                broken.insert(name, template_error(files, &error));
            }
            _ => return Err(template_error(files, &error).into()),
        }
    }
}

/// Each shortcode's template: the site's own, else the theme's, else the built-in one; in one
/// place, `.html` before `.md`. Only files named like a shortcode can be called (a name of
/// letters, digits and `_`), so others can be included as parts.
fn shortcode_templates(
    templates: &BTreeMap<String, (PathBuf, String)>,
    files: &BTreeMap<String, PathBuf>,
    mut broken: BTreeMap<String, Diagnostic>,
) -> BTreeMap<String, ShortcodeTemplate> {
    let layer = |shown: &Path| {
        if shown.starts_with(BUILT_IN_DIR) {
            0
        } else if shown.starts_with("templates") {
            2
        } else {
            1
        }
    };
    let mut chosen: BTreeMap<String, (u8, bool, ShortcodeTemplate)> = BTreeMap::new();
    for (template, shown) in files {
        let Some(file) = template.strip_prefix(SHORTCODES_DIR) else {
            continue;
        };
        let Some((name, markdown)) = file
            .strip_suffix(".html")
            .map(|n| (n, false))
            .or_else(|| file.strip_suffix(".md").map(|n| (n, true)))
        else {
            continue;
        };
        let callable = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !callable {
            continue;
        }
        let rank = (layer(shown), !markdown);
        if chosen
            .get(name)
            .is_some_and(|(l, html, _)| (*l, *html) > rank)
        {
            continue;
        }
        let text = templates
            .get(template)
            .map_or("", |(_, text)| text.as_str());
        chosen.insert(
            name.to_string(),
            (
                rank.0,
                rank.1,
                ShortcodeTemplate {
                    template: template.clone(),
                    shown: shown.clone(),
                    markdown,
                    args: declared_args(text),
                    broken: broken.remove(template),
                },
            ),
        );
    }
    chosen
        .into_iter()
        .map(|(name, (_, _, template))| (name, template))
        .collect()
}

/// The arguments a template declares in a comment that opens it:
/// `{# args: src: string, alt: string, caption?: string #}`.
fn declared_args(text: &str) -> Option<Vec<ArgSpec>> {
    let comment = text.trim_start().strip_prefix("{#")?;
    let comment = &comment[..comment.find("#}")?];
    let list = comment.trim_matches(|c: char| c == '-' || c.is_whitespace());
    let list = list.strip_prefix("args:")?;
    Some(
        list.split(',')
            .filter_map(|item| {
                let (name, kind) = item.split_once(':').unwrap_or((item, "any"));
                let (name, required) = match name.trim().strip_suffix('?') {
                    Some(name) => (name.trim(), false),
                    None => (name.trim(), true),
                };
                let kind = match kind.trim() {
                    "string" => ArgKind::String,
                    "number" => ArgKind::Number,
                    "bool" | "boolean" => ArgKind::Bool,
                    "array" => ArgKind::Array,
                    _ => ArgKind::Any,
                };
                (!name.is_empty()).then(|| ArgSpec {
                    name: name.to_string(),
                    kind,
                    required,
                })
            })
            .collect(),
    )
}

/// Turns a Tera error into a diagnostic at the template's file, line and column.
fn template_error(files: &BTreeMap<String, PathBuf>, error: &tera::Error) -> Diagnostic {
    let shown = |name: &str| {
        files
            .get(name)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(name))
    };
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            Diagnostic::in_file(shown(report.filename()), report.message())
                .at(span.start_line, span.start_col + 1)
                .because(Reason::Template)
                .hint(if matches!(error.kind(), tera::ErrorKind::SyntaxError(_)) {
                    "fix the template syntax at that place"
                } else {
                    "fix the template, or use `default` or `is defined` for values a page may lack"
                })
        }
        tera::ErrorKind::TemplateNotFound(name) => {
            Diagnostic::new(format!("template `{name}` not found"))
                .because(Reason::Template)
                .hint(format!(
                    "add templates/{name} to the site or the theme, or fix the name"
                ))
        }
        tera::ErrorKind::MissingParent { current, parent } => Diagnostic::in_file(
            shown(current),
            format!("extends `{parent}`, which does not exist"),
        )
        .because(Reason::Template)
        .hint(format!(
            "add templates/{parent}, or fix the name in `{{% extends %}}`"
        )),
        tera::ErrorKind::Msg(text) if reported_place(text).is_some() => {
            let (message, name, line, column) = reported_place(text).unwrap_or_default();
            Diagnostic::in_file(shown(&name), message)
                .at(line, column)
                .because(Reason::Template)
                .hint("fix the template syntax at that place")
        }
        _ => Diagnostic::new(format!("template error: {error}"))
            .because(Reason::Template)
            .hint("check the theme's templates"),
    }
}

/// The message, template, line and column of the first report in a Tera message such as
/// "error: Unknown filter `x`\n --> page.html:2:12\n …", which Tera gives for a name that
/// no filter, test or function has.
fn reported_place(text: &str) -> Option<(String, String, usize, usize)> {
    let mut lines = text.lines();
    let message = lines.next()?.strip_prefix("error: ")?.to_string();
    let place = lines.next()?.trim_start().strip_prefix("--> ")?;
    let (rest, column) = place.rsplit_once(':')?;
    let (name, line) = rest.rsplit_once(':')?;
    Some((
        message,
        name.to_string(),
        line.parse().ok()?,
        column.parse().ok()?,
    ))
}

/// What templates may ask of a static file: its final path, and a hash for `integrity`.
#[derive(Debug, Clone)]
struct AssetName {
    output_path: String,
    integrity: Option<String>,
}

/// Names static files for output. Stylesheets and scripts get their content's hash in their
/// name (`style.3f9a1c2b7e.css`) when `fingerprint` is set, so they can be cached for long,
/// and an `integrity` hash either way.
fn name_static_files(
    statics: BTreeMap<String, FileSource>,
    fingerprint: bool,
) -> Result<(Vec<StaticFile>, BTreeMap<String, AssetName>)> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut files = Vec::new();
    let mut names = BTreeMap::new();
    let mut problems = Vec::new();
    for (path, mut source) in statics {
        let extension = path
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let mut name = AssetName {
            output_path: path.clone(),
            integrity: None,
        };
        if extension == "css" || extension == "js" {
            let bytes = match &source {
                FileSource::Embedded(bytes) => std::borrow::Cow::Borrowed(*bytes),
                FileSource::Made(bytes) => std::borrow::Cow::Owned(bytes.to_vec()),
                FileSource::Disk(file) => match std::fs::read(file) {
                    Ok(bytes) => std::borrow::Cow::Owned(bytes),
                    Err(e) => {
                        problems.push(Diagnostic::io(file, "read this static file", &e));
                        continue;
                    }
                },
            };
            // A published stylesheet goes without comments and indentation; `serve` keeps it as
            // written, for the theme designer reading it in the browser.
            let minified = (fingerprint && extension == "css")
                .then(|| std::str::from_utf8(&bytes).ok())
                .flatten()
                .map(|css| std::sync::Arc::<[u8]>::from(compact_css(css).into_bytes()));
            let bytes = match minified {
                Some(made) => {
                    source = FileSource::Made(made.clone());
                    std::borrow::Cow::Owned(made.to_vec())
                }
                None => bytes,
            };
            let integrity =
                base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(&bytes));
            name.integrity = Some(format!("sha384-{integrity}"));
            if fingerprint {
                let hash = sha2::Sha256::digest(&bytes);
                let short: String = hash.iter().take(5).map(|b| format!("{b:02x}")).collect();
                let (stem, _) = path.rsplit_once('.').unwrap_or((&path, ""));
                name.output_path = format!("{stem}.{short}.{extension}");
            }
        }
        files.push(StaticFile {
            output_path: name.output_path.clone(),
            source,
        });
        names.insert(path, name);
    }
    fail_if_any(problems)?;
    Ok((files, names))
}

/// A stylesheet without its comments, indentation and blank lines. Nothing inside a rule is
/// touched: spaces can carry meaning there (`calc(1rem + 2vw)` needs both of its spaces).
fn compact_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut quote: Option<char> = None;
    let mut rest = css;
    while let Some(c) = rest.chars().next() {
        if quote.is_none() && rest.starts_with("/*") {
            match rest[2..].find("*/") {
                Some(end) => rest = &rest[2 + end + 2..],
                None => rest = "",
            }
            continue;
        }
        let mut taken = c.len_utf8();
        match quote {
            Some(_) if c == '\\' => taken += rest[taken..].chars().next().map_or(0, char::len_utf8),
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => quote = Some(c),
            _ => {}
        }
        out.push_str(&rest[..taken]);
        rest = &rest[taken..];
    }
    let lines = out.lines().map(str::trim).filter(|line| !line.is_empty());
    lines.collect::<Vec<_>>().join("\n")
}

/// `asset_url(path="style.css")` and `asset_integrity(path="style.css")` for templates.
fn register_asset_functions(tera: &mut Tera, base_path: &str, names: BTreeMap<String, AssetName>) {
    let names = std::sync::Arc::new(names);
    let lookup = {
        let names = names.clone();
        move |kwargs: &Kwargs| -> TeraResult<AssetName> {
            let path: &str = kwargs.must_get("path")?;
            names.get(path.trim_start_matches('/')).cloned().ok_or_else(|| {
                tera::Error::message(format!(
                    "there is no static file `{path}` in the theme's or the site's static/ folder"
                ))
            })
        }
    };
    let base_path = base_path.to_string();
    let url_lookup = lookup.clone();
    tera.register_function(
        "asset_url",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            Ok(format!("{base_path}{}", url_lookup(&kwargs)?.output_path))
        },
    );
    tera.register_function(
        "asset_integrity",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            lookup(&kwargs)?.integrity.ok_or_else(|| {
                tera::Error::message("integrity hashes are made for .css and .js files")
            })
        },
    );
}

/// `get_page(path="@/x.md")`, `get_section(path="@/articles/_index.md")` and
/// `get_taxonomy(name="concerns")`: the views other templates see.
fn register_site_functions(tera: &mut Tera, lookup: &LookupSlot) {
    type Find = fn(&dyn SiteLookup, &str) -> Option<tera::Value>;
    let lookups: [(&str, &str, Find, &str); 3] = [
        (
            "get_page",
            "path",
            |l, p| l.page(p),
            "there is no page content/{}",
        ),
        (
            "get_section",
            "path",
            |l, p| l.section(p),
            "there is no section file content/{}",
        ),
        (
            "get_taxonomy",
            "name",
            |l, n| l.taxonomy(n),
            "there is no taxonomy `{}` (serum.toml declares them)",
        ),
    ];
    for (function, argument, find, missing) in lookups {
        let slot = lookup.clone();
        tera.register_function(
            function,
            move |kwargs: Kwargs, state: &State| -> TeraResult<tera::Value> {
                let wanted: &str = kwargs.must_get(argument)?;
                let key = wanted.trim_start_matches("@/").trim_start_matches('/');
                // A taxonomy is the page's language's: `fr/tags` on a French page.
                let scoped = match argument {
                    "name" => format!("{}/{key}", language_of(&kwargs, state, "")?),
                    _ => key.to_string(),
                };
                let lookup = slot.read().unwrap_or_else(|p| p.into_inner()).clone();
                lookup
                    .and_then(|lookup| find(lookup.as_ref(), &scoped))
                    .ok_or_else(|| {
                        tera::Error::message(format!("{function}: {}", missing.replace("{}", key)))
                    })
            },
        );
    }
}

/// `resize_image(path=…, width=…, height=…, op="fill", format="auto", quality=…)`, as in Zola.
fn register_resize_image(tera: &mut Tera, slot: &ImageSlot) {
    let slot = slot.clone();
    tera.register_function(
        "resize_image",
        move |kwargs: Kwargs, _: &State| -> TeraResult<tera::Value> {
            let size = |name: &str| -> TeraResult<Option<u32>> {
                match kwargs.get::<i64>(name)? {
                    None => Ok(None),
                    Some(n) => u32::try_from(n).map(Some).map_err(|_| {
                        tera::Error::message(format!("resize_image's {name} must be 0 or more"))
                    }),
                }
            };
            let request = ResizeRequest {
                path: kwargs.must_get::<&str>("path")?.to_string(),
                width: size("width")?,
                height: size("height")?,
                op: kwargs.get::<&str>("op")?.unwrap_or("fill").to_string(),
                format: kwargs.get::<&str>("format")?.unwrap_or("auto").to_string(),
                quality: size("quality")?.map(|q| u8::try_from(q).unwrap_or(u8::MAX)),
            };
            let images = slot.read().unwrap_or_else(|p| p.into_inner()).clone();
            let images =
                images.ok_or_else(|| tera::Error::message("resize_image is not available here"))?;
            let resized = images.resize(&request).map_err(tera::Error::message)?;
            Ok(tera::Value::from_serializable(&resized))
        },
    );
}

/// The language a template renders in: its `lang` argument, else the context's `lang`, else
/// the default language.
fn language_of(kwargs: &Kwargs, state: &State, default: &str) -> TeraResult<String> {
    if let Some(lang) = kwargs.get::<&str>("lang")? {
        return Ok(lang.to_string());
    }
    Ok(state
        .get::<String>("lang")
        .ok()
        .flatten()
        .unwrap_or_else(|| default.to_string()))
}

/// `trans(key="contents")`: the theme's string in the page's language (or `lang="fr"`'s);
/// `count=3` picks its plural form and fills `{count}`; any other argument fills its
/// `{name}`; `default="…"` is the text when no language has the key (built-in shortcodes
/// use it, for themes without their strings). And the `date` filter, `{{ page.date | date(format="%B %-d, %Y") }}`, with month
/// and day names in the page's language and its `date_format` as the default format.
fn register_i18n(tera: &mut Tera, strings: &std::sync::Arc<crate::i18n::Strings>) {
    let own = strings.clone();
    tera.register_function(
        "trans",
        move |kwargs: Kwargs, state: &State| -> TeraResult<String> {
            let key: &str = kwargs.must_get("key")?;
            let lang = language_of(&kwargs, state, own.default_language())?;
            let count = kwargs
                .get::<tera::Value>("count")?
                .and_then(|v| v.as_number())
                .map(|n| n.as_float());
            let args: Vec<(&str, String)> = kwargs
                .iter()
                .filter(|(name, _)| !matches!(name.as_str(), Some("key" | "lang" | "default")))
                .filter_map(|(name, value)| Some((name.as_str()?, value.to_string())))
                .collect();
            let default = kwargs.get::<&str>("default")?;
            match (own.translate(&lang, key, count, &args), default) {
                (Ok(text), _) => Ok(text),
                // Built-in templates name the English words, for themes without the key.
                (Err(_), Some(default)) => Ok(crate::i18n::fill(default, &args)),
                (Err(message), None) => Err(tera::Error::message(message)),
            }
        },
    );
    let own = strings.clone();
    tera.register_filter(
        "date",
        move |value: &str, kwargs: Kwargs, state: &State| -> TeraResult<String> {
            let lang = language_of(&kwargs, state, own.default_language())?;
            let date =
                crate::content::front_matter::Date::parse(value).map_err(tera::Error::message)?;
            match kwargs.get::<&str>("format")? {
                Some(format) => crate::i18n::format_date(date.civil_datetime(), format, &lang),
                None => own.write_date(date.civil_datetime(), &lang),
            }
            .map_err(tera::Error::message)
        },
    );
}

/// The `markdown` filter of Zola's shortcode templates, `{{ body | markdown | safe }}`: a body
/// given as [`crate::markdown::BODY_MARKER`] is kept, to stay Markdown in the page.
fn markdown_filter(value: &str, _: Kwargs, _: &State) -> TeraResult<tera::Value> {
    if value == crate::markdown::BODY_MARKER {
        return Ok(tera::Value::safe_string(value));
    }
    let keep = |_: &str| crate::markdown::LinkAction::Keep;
    let rendered = crate::markdown::render(value, &crate::markdown::Options::default(), &keep);
    Ok(tera::Value::safe_string(&rendered.html))
}

fn register_filters(tera: &mut Tera) {
    tera.register_filter("markdown", markdown_filter);
}

/// Each template's key, made of its text and the texts of the templates it extends and
/// includes, found by reading its `{% extends %}` and `{% include %}` tags. Components may be
/// defined in any template and used in any other: every template that defines one is part
/// of every key.
fn template_keys(templates: &BTreeMap<String, (PathBuf, String)>) -> HashMap<String, Key> {
    let components: Vec<&str> = templates
        .iter()
        .filter(|(_, (_, text))| text.contains("component "))
        .map(|(name, _)| name.as_str())
        .collect();
    templates
        .keys()
        .map(|name| {
            let mut seen: Vec<&str> = components.clone();
            let mut stack = vec![name.as_str()];
            while let Some(next) = stack.pop() {
                if seen.contains(&next) && next != name {
                    continue;
                }
                seen.push(next);
                if let Some((_, text)) = templates.get(next) {
                    stack.extend(referenced_templates(text));
                }
            }
            seen.sort_unstable();
            seen.dedup();
            let key = seen
                .iter()
                .fold(KeyHasher::new(), |h, t| {
                    h.text(t)
                        .text(templates.get(*t).map_or("", |(_, text)| text.as_str()))
                })
                .finish();
            (name.clone(), key)
        })
        .collect()
}

/// The templates a template's `{% extends "x" %}` and `{% include "x" %}` tags name.
fn referenced_templates(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("{%") {
        let tag = text[at + 2..].trim_start_matches(['-', '+']).trim_start();
        let Some(rest) = tag
            .strip_prefix("extends")
            .or_else(|| tag.strip_prefix("include"))
        else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            found.push(&rest[1..1 + end]);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::compact_css;

    #[test]
    fn compact_css_drops_comments_and_indentation_but_never_a_space_in_a_rule() {
        let css = "/* theme */\n.a {\n  width: calc(1rem + 2vw); /* why */\n  content: \"/* kept */\";\n}\n\n.b{x:'a\\'/*'}";
        assert_eq!(
            compact_css(css),
            ".a {\nwidth: calc(1rem + 2vw);\ncontent: \"/* kept */\";\n}\n.b{x:'a\\'/*'}"
        );
    }
}
