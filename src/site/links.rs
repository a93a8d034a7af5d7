//! The link resolver: what a link or image written in content points to, made once per
//! build and shared by every step that needs it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use super::images::SiteImages;
use crate::config::Config;
use crate::content::{AUTHORS_DIR, Asset, Library, resolve_path};
use crate::markdown::{LinkAction, Resolve};
use crate::theme::Theme;

/// What internal links can point to, and how to reach it.
pub(crate) struct Links<'a> {
    config: &'a Config,
    /// Content path (`articles/x.md`) -> site path (`articles/x/`).
    pages: HashMap<&'a str, &'a str>,
    /// Content path -> what its translations share (`articles/x`, `articles/_index`), for the
    /// files that have translations.
    /// Only default-language files are listed: a link that names a translation's file
    /// (`x.de.md`) means that translation.
    keys: HashMap<&'a str, std::borrow::Cow<'a, str>>,
    /// (what translations share, language) -> site path: where a link from a page in that
    /// language leads.
    translated: HashMap<(std::borrow::Cow<'a, str>, usize), &'a str>,
    /// Content path -> the file copied as it is.
    assets: HashMap<&'a str, &'a Asset>,
    /// Every path the built site will hold a file at, for rooted links (`/images/x.png`).
    published: HashSet<&'a str>,
    drafts: &'a BTreeSet<String>,
    scheduled: &'a std::collections::BTreeMap<String, crate::content::Date>,
    /// What local images are, and their copies.
    images: &'a SiteImages,
}

impl<'a> Links<'a> {
    /// Indexes the pages, sections, authors, assets and static files of a site.
    pub(crate) fn new(
        config: &'a Config,
        library: &'a Library,
        theme: Option<&'a Theme>,
        images: &'a SiteImages,
    ) -> Self {
        let mut pages = HashMap::new();
        // A page that could not be read has its own problem reported: links to it are not.
        for (content_path, path) in &library.unreadable {
            pages.insert(content_path.as_str(), path.as_str());
        }
        for page in &library.pages {
            pages.insert(page.content_path.as_str(), page.path.as_str());
        }
        let content_key = |file: &'a Path| {
            file.strip_prefix("content")
                .unwrap_or(file)
                .to_str()
                .unwrap_or_default()
        };
        for section in &library.sections {
            if let Some(file) = &section.file {
                pages.insert(content_key(file), section.path.as_str());
            }
        }
        for author in &library.authors {
            pages.insert(content_key(&author.file), author.path.as_str());
        }
        let (keys, translated) = if config.is_multilingual() {
            translation_slots(library, content_key)
        } else {
            Default::default()
        };
        let assets = library
            .assets
            .iter()
            .map(|a| (a.content_path.as_str(), a))
            .collect();
        let mut published: HashSet<&str> = library
            .assets
            .iter()
            .map(|a| a.output_path.as_str())
            .collect();
        if let Some(theme) = theme {
            published.extend(theme.asset_names());
        }
        Links {
            config,
            pages,
            keys,
            translated,
            assets,
            published,
            drafts: &library.skipped_drafts,
            scheduled: &library.scheduled,
            images,
        }
    }

    /// Resolves a link written in a file whose relative links start at `dir`. Links into the
    /// site become root-relative URLs, so they also work where the text is shown elsewhere
    /// (a summary on the home page, a feed).
    pub(crate) fn resolve(&self, dest: &str, dir: &str) -> LinkAction {
        self.resolve_in(dest, dir, 0)
    }

    /// Resolves a link written in language `lang`: a link to a page that has a version in
    /// that language leads to that version.
    pub(crate) fn resolve_in(&self, dest: &str, dir: &str, lang: usize) -> LinkAction {
        if is_external(dest) {
            return LinkAction::Keep;
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (dest, None),
        };
        let path = path.split_once('?').map_or(path, |(path, _)| path);
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let Some(target) = content_path(&decoded, dir) else {
            return LinkAction::Broken(format!("broken link `{dest}`: it leads outside content/"));
        };
        let with_fragment = |url: String| match fragment {
            Some(fragment) => format!("{url}#{fragment}"),
            None => url,
        };
        if crate::content::is_markdown(&target) {
            return match self.pages.get(target.as_str()) {
                Some(path) => {
                    let path = self.in_language(&target, lang).unwrap_or(path);
                    LinkAction::Rewrite(with_fragment(self.config.url_path(path)))
                }
                None if self.drafts.contains(&target) => LinkAction::Broken(format!(
                    "broken link `{dest}`: content/{target} is a draft and is not built (build with --drafts, or publish it)"
                )),
                None if self.scheduled.contains_key(&target) => LinkAction::Broken(format!(
                    "broken link `{dest}`: content/{target} is scheduled for {} and is not built yet (build with --future, or link to it once it is out)",
                    self.scheduled[&target].civil_date()
                )),
                None => LinkAction::Broken(format!(
                    "broken link `{dest}`: there is no content/{target}"
                )),
            };
        }
        match self.assets.get(target.as_str()) {
            Some(asset) => {
                LinkAction::Rewrite(with_fragment(self.config.url_path(&asset.output_path)))
            }
            None if path.is_empty() || path.ends_with('/') => LinkAction::Keep,
            None => LinkAction::Broken(format!(
                "broken link `{dest}`: there is no file content/{target}"
            )),
        }
    }

    /// The code of language `lang`.
    pub(crate) fn language_code(&self, lang: usize) -> &'a str {
        self.config
            .languages
            .get(lang)
            .map_or(self.config.language.as_str(), |l| l.code.as_str())
    }

    /// Where the version in language `lang` of the file at `target` is published, when it has one.
    fn in_language(&self, target: &str, lang: usize) -> Option<&'a str> {
        if lang == 0 {
            return None;
        }
        let key = self.keys.get(target)?;
        self.translated.get(&(key.clone(), lang)).copied()
    }

    /// Resolves an image: like a link, and a rooted path (`/images/x.png`) must name a file
    /// the site publishes (from static/, the theme or content/). A local image comes with its
    /// size and copies.
    pub(crate) fn resolve_image(&self, src: &str, dir: &str) -> LinkAction {
        let Some(rooted) = src.strip_prefix('/').filter(|r| !r.starts_with('/')) else {
            if !is_external(src) {
                let path = src.split(['?', '#']).next().unwrap_or_default();
                let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
                if content_path(&decoded, dir).is_none() {
                    return LinkAction::Broken(format!(
                        "image `{src}` leads outside content/: serum publishes only the site's own files"
                    ));
                }
            }
            return match self.resolve_in(src, dir, 0) {
                LinkAction::Broken(message) => {
                    LinkAction::Broken(message.replacen("broken link", "missing image", 1))
                }
                LinkAction::Rewrite(url) => self
                    .asset(src, dir)
                    .and_then(|asset| self.images.picture(src, &asset.output_path))
                    .unwrap_or(LinkAction::Rewrite(url)),
                action => action,
            };
        };
        let path = rooted.split(['?', '#']).next().unwrap_or_default();
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let below_base = self.config.base_path.trim_start_matches('/');
        let inside = decoded.strip_prefix(below_base).unwrap_or(&decoded);
        if self.published.contains(inside) {
            self.images.picture(src, inside).unwrap_or(LinkAction::Keep)
        } else if self.published.contains(decoded.as_ref()) {
            self.images
                .picture(src, &decoded)
                .unwrap_or(LinkAction::Keep)
        } else {
            LinkAction::Broken(format!(
                "missing image `{src}`: no file of static/, the theme or content/ is published there"
            ))
        }
    }

    /// The content file a local image or file named relative to `dir` is, when it exists.
    pub(crate) fn asset(&self, src: &str, dir: &str) -> Option<&'a Asset> {
        if is_external(src) {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(src).decode_utf8_lossy();
        let target = content_path(&decoded, dir)?;
        self.assets.get(target.as_str()).copied()
    }

    /// The site URL of an image or file named in front matter, relative to `dir`.
    pub(crate) fn url_of(&self, src: &str, dir: &str) -> Option<String> {
        match self.resolve(src, dir) {
            LinkAction::Keep => Some(src.to_string()),
            LinkAction::Rewrite(url) => Some(url),
            LinkAction::Picture(picture) => Some(picture.src),
            LinkAction::Broken(_) | LinkAction::BadImage { .. } => None,
        }
    }

    /// The URL of an author's avatar, when it has one that resolves.
    pub(crate) fn avatar(&self, avatar: Option<&str>) -> Option<String> {
        self.url_of(avatar?, AUTHORS_DIR)
    }

    /// A resolver for the Markdown of a file in language `lang` whose relative links start
    /// at `dir`.
    pub(crate) fn seen_from<'b>(&'b self, dir: &'b str, lang: usize) -> InDir<'b, 'a> {
        InDir {
            links: self,
            dir,
            lang,
        }
    }
}

/// [`Links`] seen from one folder in one language, as the Markdown renderer asks.
pub(crate) struct InDir<'b, 'a> {
    links: &'b Links<'a>,
    dir: &'b str,
    lang: usize,
}

impl Resolve for InDir<'_, '_> {
    fn link(&self, dest: &str) -> LinkAction {
        self.links.resolve_in(dest, self.dir, self.lang)
    }

    fn image(&self, src: &str) -> LinkAction {
        self.links.resolve_image(src, self.dir)
    }
}

type Slots<'a> = (
    HashMap<&'a str, std::borrow::Cow<'a, str>>,
    HashMap<(std::borrow::Cow<'a, str>, usize), &'a str>,
);

/// For each page, section and author file, what its translations share, and where each
/// version is published: a section is in a language even without an `_index.fr.md`.
fn translation_slots<'a>(
    library: &'a Library,
    content_key: impl Fn(&'a Path) -> &'a str,
) -> Slots<'a> {
    use std::borrow::Cow;
    let mut keys: HashMap<&'a str, Cow<'a, str>> = HashMap::new();
    let mut translated = HashMap::new();
    for page in &library.pages {
        if page.lang == 0 {
            keys.insert(page.content_path.as_str(), Cow::Borrowed(page.key.as_str()));
        }
        translated.insert(
            (Cow::Borrowed(page.key.as_str()), page.lang),
            page.path.as_str(),
        );
    }
    for section in &library.sections {
        let key: Cow<str> = Cow::Owned(match section.dir.as_str() {
            "" => "_index".to_string(),
            dir => format!("{dir}/_index"),
        });
        if let (Some(file), 0) = (&section.file, section.lang) {
            keys.insert(content_key(file), key.clone());
        }
        translated.insert((key, section.lang), section.path.as_str());
    }
    for author in &library.authors {
        let key: Cow<str> = Cow::Owned(format!("{AUTHORS_DIR}/{}", author.slug));
        if author.lang == 0 {
            keys.insert(content_key(&author.file), key.clone());
        }
        translated.insert((key, author.lang), author.path.as_str());
    }
    (keys, translated)
}

/// The path inside `content/` a link names: rooted with `@/`, or relative to `dir`.
fn content_path(link: &str, dir: &str) -> Option<String> {
    match link.strip_prefix("@/") {
        Some(rooted) => resolve_path(rooted),
        None => resolve_path(&format!("{dir}/{link}")),
    }
}

/// Whether a link leaves the content's own files: it has a scheme (`https:`, `mailto:`), or is
/// protocol-relative, root-absolute, a bare `#fragment` or `?query`.
pub(crate) fn is_external(dest: &str) -> bool {
    if dest.starts_with('/') || dest.starts_with('#') || dest.starts_with('?') {
        return true;
    }
    has_scheme(dest)
}

/// Whether a URL starts with a scheme such as `https:` or `mailto:`.
pub(crate) fn has_scheme(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots_and_refuses_escape() {
        assert_eq!(
            resolve_path("articles/../about.md").as_deref(),
            Some("about.md")
        );
        assert_eq!(resolve_path("/a/./b.md").as_deref(), Some("a/b.md"));
        assert_eq!(resolve_path("../x.md"), None);
    }

    #[test]
    fn external_links_are_recognised() {
        for dest in [
            "https://x.org",
            "mailto:a@b.c",
            "/abs/path",
            "//cdn.x/y",
            "tel:+1",
            "#part",
        ] {
            assert!(is_external(dest), "{dest}");
        }
        for dest in ["x.md", "../a/b.md", "@/x.md", "img/a:b.png", ":x"] {
            assert!(!is_external(dest), "{dest}");
        }
    }
}
