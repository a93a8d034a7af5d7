//! Step 2: what front matter and settings name must exist: templates, covers, avatars; and
//! settings that will not do what they seem to.

use std::path::Path;

use super::links::Links;
use super::{Site, search};
use crate::content::{AUTHORS_DIR, Page, Section};
use crate::error::{Diagnostic, Diagnostics, Reason};
use crate::markdown::LinkAction;

/// Checks every reference front matter makes, and the settings.
pub(crate) fn check_references(site: &Site, links: &Links, diagnostics: &mut Diagnostics) {
    if let Some(theme) = &site.theme {
        check_templates(site, |name| theme.has_template(name), diagnostics);
    }
    check_images(site, links, diagnostics);
    check_robots_place(site, diagnostics);
    check_taxonomy_paths(site, diagnostics);
    if site.config.search {
        check_search_paths(site, diagnostics);
        if site
            .theme
            .as_ref()
            .is_some_and(|t| !t.has_template(search::TEMPLATE))
        {
            diagnostics.push(missing_search_page(&site.config.theme));
        }
    }
}

impl Site {
    /// The template that renders a page: its own, else its section's `page_template`, else
    /// `page.html`.
    pub(crate) fn page_template<'a>(&'a self, page: &'a Page) -> &'a str {
        let section_default = self
            .library
            .section_index(page.lang, &page.section)
            .and_then(|i| self.library.sections[i].page_template.as_deref());
        page.template
            .as_deref()
            .or(section_default)
            .unwrap_or("page.html")
    }
}

fn check_templates(site: &Site, exists: impl Fn(&str) -> bool, diagnostics: &mut Diagnostics) {
    for page in &site.library.pages {
        if let Some(name) = page.template.as_deref().filter(|name| !exists(name)) {
            diagnostics.push(missing_template(
                page.key_problem("template", format!("template `{name}` not found")),
                name,
            ));
        }
    }
    for section in &site.library.sections {
        for (key, name) in [
            ("template", &section.template),
            ("page_template", &section.page_template),
        ] {
            let Some(name) = name.as_deref().filter(|name| !exists(name)) else {
                continue;
            };
            let problem =
                section_key_problem(site, section, key, format!("template `{name}` not found"));
            diagnostics.push(missing_template(problem, name));
        }
    }
}

fn missing_template(problem: Diagnostic, name: &str) -> Diagnostic {
    problem.because(Reason::Template).hint(format!(
        "add templates/{name} to the site or the theme, or remove the setting to use the default"
    ))
}

/// A problem about a key of a section's `_index.md`, placed on its line.
fn section_key_problem(site: &Site, section: &Section, key: &str, message: String) -> Diagnostic {
    let file = section.file.clone().unwrap_or_default();
    let mut problem = Diagnostic::in_file(file, message);
    let front_matter = section
        .file
        .as_ref()
        .and_then(|file| std::fs::read_to_string(site.config.root.join(file)).ok())
        .and_then(|text| crate::content::front_matter::normalize_text(text.into_bytes()).ok());
    if let Some(text) = front_matter {
        let leading = text.len() - text.trim_start_matches('\n').len();
        if let Ok(split) = crate::content::front_matter::split(&text) {
            if let Some((line, column)) = crate::content::front_matter::key_line(&split, key) {
                problem = problem.at(line + leading, column);
            }
        }
    }
    problem
}

/// Covers and avatars must point at a file that exists (or be a URL).
fn check_images(site: &Site, links: &Links, diagnostics: &mut Diagnostics) {
    let missing = |src: &str, dir: &str| match links.resolve(src, dir) {
        LinkAction::Broken(message) => Some(message.replacen("broken link", "image", 1)),
        _ => None,
    };
    let hint =
        "put the image beside the file (or anywhere in content/ and use `@/`), or fix the path";
    for page in &site.library.pages {
        let Some(cover) = &page.cover else { continue };
        if let Some(message) = missing(&cover.src, &page.dir) {
            diagnostics.push(
                page.key_problem("cover", format!("the cover cannot be found: {message}"))
                    .because(Reason::MissingImage)
                    .hint(hint),
            );
        }
    }
    for author in &site.library.authors {
        let Some(avatar) = &author.avatar else {
            continue;
        };
        if let Some(message) = missing(avatar, AUTHORS_DIR) {
            diagnostics.push(
                Diagnostic::in_file(
                    &author.file,
                    format!("the avatar cannot be found: {message}"),
                )
                .because(Reason::MissingImage)
                .hint(hint),
            );
        }
    }
}

/// Crawlers read `robots.txt` only at the root of a host: a site published under a sub-path
/// writes one where none will look.
fn check_robots_place(site: &Site, diagnostics: &mut Diagnostics) {
    let config = &site.config;
    if config.base_path == "/" {
        return;
    }
    let root = config.absolute_url("/robots.txt");
    diagnostics.push(
        Diagnostic::in_file(
            Path::new(crate::config::CONFIG_FILE),
            format!(
                "the site is published under {}, so its robots.txt lands at {}robots.txt, where crawlers never look",
                config.base_path,
                config.base_url
            ),
        )
        .warning()
        .because(Reason::Setting)
        .hint(format!(
            "serve a robots.txt at {root} from the host's root site, with the line `Sitemap: {}sitemap.xml`",
            config.base_url
        )),
    );
}

/// A taxonomy publishes its pages under its name: a section of that name would be hidden.
fn check_taxonomy_paths(site: &Site, diagnostics: &mut Diagnostics) {
    for collected in &site.library.taxonomies {
        let (t, taxonomy) = (collected.config, &site.config.taxonomies[collected.config]);
        let Some(section) = site
            .library
            .sections
            .iter()
            .find(|s| s.path == collected.path)
        else {
            continue;
        };
        let has_terms = !collected.terms.is_empty();
        if t == 0 && !has_terms {
            continue;
        }
        let text = std::fs::read_to_string(site.config.root.join(crate::config::CONFIG_FILE))
            .unwrap_or_default();
        let mut problem = Diagnostic::in_file(
            Path::new(crate::config::CONFIG_FILE),
            format!(
                "the taxonomy `{}` and the section content/{} would both be published at /{}",
                taxonomy.name, section.dir, collected.path
            ),
        )
        .because(Reason::UrlCollision)
        .hint("rename the taxonomy or the section's folder");
        let quoted = format!("\"{}\"", taxonomy.name);
        if let Some(at) = text.find(&quoted) {
            let (line, column) = crate::error::line_column(&text, at);
            problem = problem.at(line, column);
        }
        diagnostics.push(problem);
    }
}

/// With search on, `/search/` (and `/fr/search/`, in each language) is the search page's and
/// `/pagefind/` the index's: content published there would be hidden, or would mix with the
/// index.
fn check_search_paths(site: &Site, diagnostics: &mut Diagnostics) {
    let lib = &site.library;
    let languages = &site.config.languages;
    let taken = |path: &str| {
        path.starts_with(search::INDEX_DIR)
            || languages
                .iter()
                .any(|l| path.strip_prefix(l.prefix.as_str()) == Some(search::PAGE_PATH))
    };
    let problem = |file: &Path, path: &str| {
        let what = match path.starts_with(search::INDEX_DIR) {
            true => "where the search index is",
            false => "where the search page is",
        };
        Diagnostic::in_file(file, format!("this would be published at /{path}, {what}"))
            .because(Reason::UrlCollision)
            .hint("rename it (or give the page another `slug`), or turn search off with `search = false` in serum.toml")
    };
    for page in lib.pages.iter().filter(|p| taken(&p.path)) {
        diagnostics.push(problem(&page.file, &page.path));
    }
    for section in lib.sections.iter().filter(|s| taken(&s.path)) {
        let folder = Path::new("content").join(&section.dir);
        diagnostics.push(problem(
            section.file.as_deref().unwrap_or(&folder),
            &section.path,
        ));
    }
    for asset in lib.assets.iter().filter(|a| taken(&a.output_path)) {
        let file = Path::new("content").join(&asset.content_path);
        diagnostics.push(problem(&file, &asset.output_path));
    }
}

/// A theme without `search.html` gives the index no page to be searched from.
fn missing_search_page(theme: &str) -> Diagnostic {
    Diagnostic::new(format!(
        "the theme `{theme}` has no template `search.html`, so the site has a search index but no search page"
    ))
    .warning()
    .because(Reason::Setting)
    .hint("add templates/search.html (the default theme's is a start), or turn search off with `search = false` in serum.toml")
}
