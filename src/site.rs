//! The build: load the content and the theme, render everything, write it to an `Output`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{Author, Library, Page};
use crate::error::{Diagnostic, Error, Result, fail_if_any};
use crate::markdown::{self, LinkAction, Rendered};
use crate::output::Output;
use crate::theme::{FileSource, Theme};
use crate::view::{
    self, AuthorRef, AuthorView, ConfigView, CoverView, PageBody, PageSummary, SectionView,
    SiteView, SummaryParts, TagLink,
};

/// Choices that change what a build produces.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Build pages marked `draft = true`.
    pub drafts: bool,
    /// The URL of the live reload script, which templates include when set (`serve` only).
    pub live_reload: Option<String>,
    /// Put a hash of their content in the names of stylesheets and scripts (`build`, not `serve`).
    pub fingerprint_assets: bool,
    /// Make resized and PNG copies of covers (kept in `.serum-cache/`); `check` does without.
    pub process_images: bool,
}

/// What a build produced, for the summary line.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// Pages rendered (articles and stand-alone pages).
    pub pages: usize,
    /// Sections rendered, the home page not counted.
    pub sections: usize,
    /// Author pages rendered.
    pub authors: usize,
    /// Files copied as they are (theme, site and page assets).
    pub static_files: usize,
    /// Problems that did not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// How long the build took.
    pub elapsed: Duration,
    /// How long each step took, in order.
    pub timings: Vec<(&'static str, Duration)>,
}

/// A fingerprint of everything a build reads: serum itself, the options, and the name, size
/// and modification time of every file of the site. Equal fingerprints mean equal output.
pub fn input_fingerprint(config: &Config, options: &BuildOptions) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    let mut listing = format!(
        "serum {}\n{:?}\n{}\n{}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        options,
        config.theme,
        config.base_url,
        config.root.display()
    );
    if let Some(exe) = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok())
    {
        let _ = writeln!(listing, "exe {} {:?}", exe.len(), exe.modified().ok());
    }
    let mut describe = |path: &Path| {
        for entry in walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if let Ok(meta) = entry.metadata() {
                let _ = writeln!(
                    listing,
                    "{} {} {:?} {}",
                    entry.path().display(),
                    meta.len(),
                    meta.modified().ok(),
                    change_stamp(&meta)
                );
            }
        }
    };
    describe(&config.root.join(crate::config::CONFIG_FILE));
    for dir in [
        config.content_dir(),
        config.themes_dir(),
        config.templates_dir(),
        config.static_dir(),
    ] {
        describe(&dir);
    }
    sha2::Sha256::digest(listing.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What tools that copy files with their times (`cp -p`, `rsync -t`, `tar`) cannot set: the
/// inode and the change time, on Unix.
#[cfg(unix)]
fn change_stamp(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!("{} {}.{}", meta.ino(), meta.ctime(), meta.ctime_nsec())
}

#[cfg(not(unix))]
fn change_stamp(_: &std::fs::Metadata) -> String {
    String::new()
}

/// Times the steps of a build, for `--timings`.
#[derive(Debug)]
struct Timings {
    last: Instant,
    steps: Vec<(&'static str, Duration)>,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            last: Instant::now(),
            steps: Vec::new(),
        }
    }
}

impl Timings {
    /// Ends a step.
    fn lap(&mut self, step: &'static str) {
        let now = Instant::now();
        self.steps.push((step, now - self.last));
        self.last = now;
    }
}

/// A site ready to render: its configuration, content and theme.
pub struct Site {
    config: Config,
    options: BuildOptions,
    library: Library,
    theme: Theme,
    /// What the last render made, kept so that `update_pages` can redo only a part.
    rendered: Option<Rendering>,
}

/// The rendered Markdown and listing views of the last render.
struct Rendering {
    bodies: Bodies,
    /// Each page's listing view.
    summaries: Vec<tera::Value>,
    /// Each page's structured data (JSON-LD).
    json_ld: Vec<String>,
    /// Resized and rasterized copies of covers, by the cover file.
    covers: Covers,
}

/// What was made of each cover file: resized copies for `srcset`, a PNG for link previews.
type Covers = HashMap<PathBuf, CoverCopies>;

/// The copies made of one cover file, as URLs.
#[derive(Debug, Clone, Default)]
struct CoverCopies {
    srcset: Option<String>,
    social: Option<String>,
}

/// The rendered Markdown of everything that has a body.
struct Bodies {
    pages: Vec<Rendered>,
    sections: Vec<Rendered>,
    authors: Vec<Rendered>,
}

impl Site {
    /// Loads the content and the theme, reporting the problems of both together.
    pub fn load(config: Config, options: BuildOptions) -> Result<Site> {
        let (library, theme) = rayon::join(
            || Library::load(&config, options.drafts),
            || Theme::load(&config, options.fingerprint_assets),
        );
        let (library, theme) = match (library, theme) {
            (Ok(library), Ok(theme)) => (library, theme),
            (library, theme) => {
                let mut problems = Vec::new();
                for error in [library.err(), theme.err()].into_iter().flatten() {
                    problems.extend_from_slice(error.problems());
                }
                return Err(Error::from_problems(problems));
            }
        };
        let site = Site {
            config,
            options,
            library,
            theme,
            rendered: None,
        };
        site.check_templates()?;
        site.check_images()?;
        Ok(site)
    }

    /// The site's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The site's content, as loaded.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Renders the whole site into `output`, step by step.
    pub fn render(&mut self, output: &dyn Output) -> Result<BuildReport> {
        let started = Instant::now();
        let mut timings = Timings::default();
        let bodies = self.render_markdown()?;
        self.check_anchors(&bodies)?;
        timings.lap("markdown");
        self.theme.set_globals(self.globals());
        let all = |n: usize| (0..n).collect::<Vec<usize>>();
        let covers = self.copy_covers(output, &all(self.library.pages.len()))?;
        let (summaries, json_ld) = self.summaries(&bodies, &covers, None).into_iter().unzip();
        timings.lap("summaries");
        let static_files = self.copy_static_files(output)?;
        timings.lap("static files");
        let rendering = Rendering {
            bodies,
            summaries,
            json_ld,
            covers,
        };
        let lib = &self.library;
        let mut problems = Vec::new();
        problems.extend(self.write_pages(output, &rendering, &all(lib.pages.len())));
        timings.lap("pages");
        problems.extend(self.write_sections(output, &rendering, &all(lib.sections.len())));
        problems.extend(self.write_authors(output, &rendering, &all(lib.authors.len())));
        problems.extend(self.write_tags(output, &rendering, &all(lib.tags.len())));
        problems.extend(self.write_not_found(output));
        timings.lap("listings");
        fail_if_any(summarize_template_problems(problems))?;
        self.write_feeds(output, &rendering)?;
        self.write_sitemap(output)?;
        self.write_aliases(output)?;
        timings.lap("feeds and sitemap");
        self.rendered = Some(rendering);
        Ok(BuildReport {
            pages: self.library.pages.len(),
            sections: self.library.sections.len().saturating_sub(1),
            authors: self.library.authors.len(),
            static_files,
            warnings: self.library.warnings.clone(),
            elapsed: started.elapsed(),
            timings: timings.steps,
        })
    }

    /// Re-reads edited page files and re-renders them and the listings that show them: the home
    /// page, their sections and their authors. `Ok(None)` means the change reaches further (a new
    /// URL, a page added or removed) and the whole site must be rendered again.
    pub fn update_pages(
        &mut self,
        files: &[PathBuf],
        output: &dyn Output,
    ) -> Result<Option<usize>> {
        let Some(mut rendering) = self.rendered.take() else {
            return Ok(None);
        };
        let mut changed = Vec::new();
        for file in files {
            let Some(index) = self.library.pages.iter().position(|p| &p.file == file) else {
                return Ok(None);
            };
            let old = &self.library.pages[index];
            let page = self.library.reload_page(&self.config, old)?;
            let moved =
                page.path != old.path || page.draft != old.draft || page.section != old.section;
            if moved || page.tags != old.tags || page.aliases != old.aliases {
                return Ok(None);
            }
            let mut sections = vec![old.section.clone()];
            sections.push(page.section.clone());
            let mut authors = old.authors.clone();
            authors.extend(page.authors.iter().cloned());
            changed.push((index, sections, authors));
            self.library.pages[index] = page;
        }
        self.library.refresh()?;
        let targets = LinkTargets::new(&self.config, &self.library);
        let mut problems = Vec::new();
        for (index, _, _) in &changed {
            let page = &self.library.pages[*index];
            let (body, found) =
                render_body(&targets, &page.body, &page.dir, &page.file, page.body_line);
            problems.extend(found);
            rendering.bodies.pages[*index] = body;
        }
        fail_if_any(problems)?;
        self.check_anchors(&rendering.bodies)?;
        let page_ids: Vec<usize> = changed.iter().map(|(i, _, _)| *i).collect();
        rendering
            .covers
            .extend(self.copy_covers(output, &page_ids)?);
        let fresh = self.summaries(&rendering.bodies, &rendering.covers, Some(&page_ids));
        for (&index, (summary, json_ld)) in page_ids.iter().zip(fresh) {
            rendering.summaries[index] = summary;
            rendering.json_ld[index] = json_ld;
        }
        let tag_ids: Vec<usize> = (0..self.library.tags.len())
            .filter(|&t| {
                self.library.tags[t]
                    .pages
                    .iter()
                    .any(|p| page_ids.contains(p))
            })
            .collect();
        let mut section_ids = vec![0];
        let mut author_ids = Vec::new();
        for (_, sections, authors) in &changed {
            section_ids.extend(
                sections
                    .iter()
                    .filter_map(|dir| self.library.section_index(dir)),
            );
            author_ids.extend(
                authors
                    .iter()
                    .filter_map(|slug| self.library.authors.iter().position(|a| &a.slug == slug)),
            );
        }
        section_ids.sort_unstable();
        section_ids.dedup();
        author_ids.sort_unstable();
        author_ids.dedup();
        let mut problems = Vec::new();
        problems.extend(self.write_pages(output, &rendering, &page_ids));
        problems.extend(self.write_sections(output, &rendering, &section_ids));
        problems.extend(self.write_authors(output, &rendering, &author_ids));
        problems.extend(self.write_tags(output, &rendering, &tag_ids));
        fail_if_any(summarize_template_problems(problems))?;
        self.write_feeds(output, &rendering)?;
        self.write_sitemap(output)?;
        let count = page_ids.len() + section_ids.len() + author_ids.len() + tag_ids.len();
        self.rendered = Some(rendering);
        Ok(Some(count))
    }

    /// Copies changed static files (site paths such as `static/x.css`) to where the site serves them.
    pub fn copy_changed_static(&mut self, files: &[PathBuf], output: &dyn Output) -> Result<usize> {
        let mut problems = Vec::new();
        let mut copied = 0;
        for file in &self.theme.static_files().to_vec() {
            let FileSource::Disk(source) = &file.source else {
                continue;
            };
            let relative = source.strip_prefix(&self.config.root).unwrap_or(source);
            if files.iter().any(|f| f == relative) {
                match output.copy_file(&file.output_path, source) {
                    Ok(()) => copied += 1,
                    Err(problem) => problems.push(problem),
                }
            }
        }
        fail_if_any(problems)?;
        Ok(copied)
    }

    /// Covers and avatars must point at a file that exists (or be a URL).
    fn check_images(&self) -> Result<()> {
        let targets = LinkTargets::new(&self.config, &self.library);
        let missing = |src: &str, dir: &str| match targets.resolve(src, dir) {
            LinkAction::Broken(message) => Some(message.replacen("broken link", "image", 1)),
            _ => None,
        };
        let hint =
            "put the image beside the file (or anywhere in content/ and use `@/`), or fix the path";
        let mut problems = Vec::new();
        for page in &self.library.pages {
            let Some(cover) = &page.cover else { continue };
            if let Some(message) = missing(&cover.src, &page.dir) {
                problems.push(
                    page.key_problem("cover", format!("the cover cannot be found: {message}"))
                        .hint(hint),
                );
            }
        }
        for author in &self.library.authors {
            let Some(avatar) = &author.avatar else {
                continue;
            };
            if let Some(message) = missing(avatar, crate::content::AUTHORS_DIR) {
                problems.push(
                    Diagnostic::in_file(
                        &author.file,
                        format!("the avatar cannot be found: {message}"),
                    )
                    .hint(hint),
                );
            }
        }
        fail_if_any(problems)
    }

    fn check_templates(&self) -> Result<()> {
        let mut problems = Vec::new();
        for page in &self.library.pages {
            if let Some(name) = &page.template {
                if !self.theme.has_template(name) {
                    problems.push(missing_template(
                        page.key_problem("template", format!("template `{name}` not found")),
                        name,
                    ));
                }
            }
        }
        for section in &self.library.sections {
            for (key, name) in [
                ("template", &section.template),
                ("page_template", &section.page_template),
            ] {
                let Some(name) = name else { continue };
                if !self.theme.has_template(name) {
                    let file = section.file.clone().unwrap_or_default();
                    let mut problem =
                        Diagnostic::in_file(file, format!("template `{name}` not found"));
                    if let Some((line, column)) = section.file.as_ref().and_then(|_| {
                        crate::config::find_key(&section_front_matter(&self.config, section)?, key)
                    }) {
                        problem = problem.at(line + 1, column);
                    }
                    problems.push(missing_template(problem, name));
                }
            }
        }
        fail_if_any(problems)
    }

    /// Step 1: Markdown to HTML for every page, section intro and author bio, in parallel.
    fn render_markdown(&self) -> Result<Bodies> {
        let targets = LinkTargets::new(&self.config, &self.library);
        let render = |body: &str, dir: &str, file: &Path, body_line: usize| {
            render_body(&targets, body, dir, file, body_line)
        };
        let pages: Vec<_> = self
            .library
            .pages
            .par_iter()
            .map(|p| render(&p.body, &p.dir, &p.file, p.body_line))
            .collect();
        let sections: Vec<_> = self
            .library
            .sections
            .iter()
            .map(|s| {
                render(
                    &s.body,
                    &s.dir,
                    s.file.as_deref().unwrap_or(Path::new(&s.dir)),
                    s.body_line,
                )
            })
            .collect();
        let authors: Vec<_> = self
            .library
            .authors
            .iter()
            .map(|a| render(&a.body, crate::content::AUTHORS_DIR, &a.file, a.body_line))
            .collect();
        let mut problems = Vec::new();
        let mut unzip = |list: Vec<(Rendered, Vec<Diagnostic>)>| -> Vec<Rendered> {
            list.into_iter()
                .map(|(rendered, found)| {
                    problems.extend(found);
                    rendered
                })
                .collect()
        };
        let bodies = Bodies {
            pages: unzip(pages),
            sections: unzip(sections),
            authors: unzip(authors),
        };
        fail_if_any(problems)?;
        Ok(bodies)
    }

    /// Step 2: every `#fragment` link must name an id that exists on its target page.
    fn check_anchors(&self, bodies: &Bodies) -> Result<()> {
        let config = &self.config;
        let lib = &self.library;
        let mut ids: HashMap<String, (&Path, &[String])> = HashMap::new();
        for (page, body) in lib.pages.iter().zip(&bodies.pages) {
            ids.insert(config.url_path(&page.path), (&page.file, &body.ids));
        }
        for (section, body) in lib.sections.iter().zip(&bodies.sections) {
            let file = section.file.as_deref().unwrap_or(Path::new(&section.dir));
            ids.insert(config.url_path(&section.path), (file, &body.ids));
        }
        for (author, body) in lib.authors.iter().zip(&bodies.authors) {
            ids.insert(config.url_path(&author.path), (&author.file, &body.ids));
        }
        let sources = lib
            .pages
            .iter()
            .map(|p| (&p.file, p.body_line, config.url_path(&p.path)))
            .zip(&bodies.pages)
            .chain(
                lib.authors
                    .iter()
                    .map(|a| (&a.file, a.body_line, config.url_path(&a.path)))
                    .zip(&bodies.authors),
            )
            .chain(
                lib.sections
                    .iter()
                    .zip(&bodies.sections)
                    .filter_map(|(s, body)| {
                        Some((
                            (s.file.as_ref()?, s.body_line, config.url_path(&s.path)),
                            body,
                        ))
                    }),
            );
        let mut problems = Vec::new();
        for ((file, body_line, own_url), body) in sources {
            for link in &body.links {
                let Some((url, fragment)) = link.url.split_once('#') else {
                    continue;
                };
                let url = if url.is_empty() {
                    own_url.as_str()
                } else {
                    url
                };
                let Some((target_file, target_ids)) = ids.get(url) else {
                    continue;
                };
                // `#top` is the top of any page, in every browser.
                if fragment.is_empty()
                    || fragment == "top"
                    || target_ids.iter().any(|id| id == fragment)
                {
                    continue;
                }
                let mut known: Vec<&str> = target_ids.iter().map(String::as_str).take(12).collect();
                if target_ids.len() > known.len() {
                    known.push("…");
                }
                let hint = if known.is_empty() {
                    "that page has no headings to link to".to_string()
                } else {
                    format!("the ids there are: {}", known.join(", "))
                };
                problems.push(
                    Diagnostic::in_file(
                        file,
                        format!(
                            "broken link `{}`: {} has no heading with the id `{fragment}`",
                            link.original,
                            target_file.display()
                        ),
                    )
                    .at(body_line + link.line - 1, link.column)
                    .hint(hint),
                );
            }
        }
        fail_if_any(problems)
    }

    /// The values every template sees.
    fn globals(&self) -> tera::Context {
        let mut globals = tera::Context::new();
        globals.insert("config", &ConfigView::new(&self.config));
        globals.insert("site", &SiteView::new(&self.config, &self.library));
        globals.insert("base_path", &self.config.base_path);
        globals.insert("live_reload", &self.options.live_reload);
        globals
    }

    /// Step 3: each page's listing view (of all pages, or of `only` these), made once and shared.
    fn summaries(
        &self,
        bodies: &Bodies,
        covers: &Covers,
        only: Option<&[usize]>,
    ) -> Vec<(tera::Value, String)> {
        let targets = LinkTargets::new(&self.config, &self.library);
        let lib = &self.library;
        let author_refs: HashMap<&str, tera::Value> = lib
            .authors
            .iter()
            .zip(&bodies.authors)
            .map(|(author, bio)| {
                let avatar = author
                    .avatar
                    .as_ref()
                    .and_then(|src| targets.url_of(src, crate::content::AUTHORS_DIR));
                let card = AuthorRef::new(&self.config, author, avatar, &bio.html);
                (author.slug.as_str(), tera::Value::from_serializable(&card))
            })
            .collect();
        let all: Vec<usize>;
        let ids = match only {
            Some(ids) => ids,
            None => {
                all = (0..lib.pages.len()).collect();
                &all
            }
        };
        ids.par_iter()
            .map(|&i| {
                let (page, body) = (&lib.pages[i], &bodies.pages[i]);
                let cover = self.cover_view(page, &targets, covers);
                let authors: Vec<&Author> = page
                    .authors
                    .iter()
                    .filter_map(|slug| lib.author(slug))
                    .collect();
                let description =
                    view::meta_description(page.description.as_deref(), &body.summary_text);
                let json_ld = view::article_json_ld(
                    &self.config,
                    page,
                    &description,
                    &authors,
                    cover.as_ref(),
                );
                let parts = SummaryParts {
                    section: lib
                        .section_index(&page.section)
                        .map_or(&lib.sections[0], |s| &lib.sections[s]),
                    authors: page
                        .authors
                        .iter()
                        .filter_map(|slug| author_refs.get(slug.as_str()).cloned())
                        .collect(),
                    cover,
                    tags: page
                        .tags
                        .iter()
                        .filter_map(|name| lib.tag(name.trim()))
                        .map(|tag| TagLink::new(&self.config, tag))
                        .collect(),
                };
                (
                    tera::Value::from_serializable(&PageSummary::new(
                        &self.config,
                        page,
                        body,
                        parts,
                    )),
                    json_ld,
                )
            })
            .collect()
    }

    /// A page's cover with its URLs and, for local files, its size and copies.
    fn cover_view<'a>(
        &self,
        page: &'a Page,
        targets: &LinkTargets,
        covers: &Covers,
    ) -> Option<CoverView<'a>> {
        let cover = page.cover.as_ref()?;
        let src = targets.url_of(&cover.src, &page.dir)?;
        let source = targets.asset_source(&cover.src, &page.dir);
        let size = source.and_then(crate::images::dimensions);
        let copies = source
            .and_then(|s| covers.get(s))
            .cloned()
            .unwrap_or_default();
        let permalink = self.config.absolute_url(&src);
        Some(CoverView {
            social: copies
                .social
                .map(|url| self.config.absolute_url(&url))
                .unwrap_or_else(|| permalink.clone()),
            permalink,
            src,
            alt: cover.alt.as_deref().unwrap_or_default(),
            caption: cover.caption.as_deref(),
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            srcset: copies.srcset,
        })
    }

    /// Step 3a: resized copies of raster covers for `srcset`, and a PNG of SVG covers for link
    /// previews, made once (kept in `.serum-cache/`) and copied beside the cover.
    fn copy_covers(&self, output: &dyn Output, ids: &[usize]) -> Result<Covers> {
        if !self.options.process_images {
            return Ok(Covers::new());
        }
        use crate::images::{ImageCache, SOCIAL_WIDTH, VARIANT_WIDTHS};
        let targets = LinkTargets::new(&self.config, &self.library);
        let cache = ImageCache::new(&self.config.root);
        let mut sources: Vec<(&Path, String, &Page)> = ids
            .iter()
            .map(|&i| &self.library.pages[i])
            .filter_map(|page| {
                let cover = page.cover.as_ref()?;
                let source = targets.asset_source(&cover.src, &page.dir)?;
                let output_path = targets.output_path(&cover.src, &page.dir)?;
                Some((source, output_path, page))
            })
            .collect();
        sources.sort_by(|a, b| a.0.cmp(b.0));
        sources.dedup_by(|a, b| a.0 == b.0);
        let made: Vec<std::result::Result<(PathBuf, CoverCopies), Diagnostic>> = sources
            .par_iter()
            .map(|&(source, ref output_path, page)| {
                let (stem, extension) = output_path.rsplit_once('.').unwrap_or((output_path, ""));
                let fail = |e: String| {
                    page.key_problem("cover", format!("cannot process the cover image: {e}"))
                };
                let mut copies = CoverCopies::default();
                if extension.eq_ignore_ascii_case("svg") {
                    let png = cache.rasterized(source, SOCIAL_WIDTH).map_err(fail)?;
                    let path = format!("{stem}-{SOCIAL_WIDTH}w.png");
                    output.copy_file(&path, &png)?;
                    copies.social = Some(self.config.url_path(&path));
                } else if let Some((width, _)) = crate::images::dimensions(source) {
                    let mut srcset = Vec::new();
                    for &w in VARIANT_WIDTHS.iter().filter(|&&w| w < width) {
                        let file = cache.resized(source, w).map_err(fail)?;
                        let path = format!("{stem}-{w}w.{extension}");
                        output.copy_file(&path, &file)?;
                        srcset.push(format!("{} {w}w", self.config.url_path(&path)));
                    }
                    srcset.push(format!("{} {width}w", self.config.url_path(output_path)));
                    copies.srcset = (srcset.len() > 1).then(|| srcset.join(", "));
                }
                Ok((source.to_path_buf(), copies))
            })
            .collect();
        let mut covers = Covers::new();
        let mut problems = Vec::new();
        for result in made {
            match result {
                Ok((source, copies)) => {
                    covers.insert(source, copies);
                }
                Err(problem) => problems.push(problem),
            }
        }
        fail_if_any(problems)?;
        Ok(covers)
    }

    /// Step 4: one HTML file per page.
    fn write_pages(
        &self,
        output: &dyn Output,
        rendering: &Rendering,
        ids: &[usize],
    ) -> Vec<(Diagnostic, PathBuf)> {
        let lib = &self.library;
        ids.par_iter()
            .filter_map(|&i| {
                let (page, rendered) = (&lib.pages[i], &rendering.bodies.pages[i]);
                let body = PageBody::new(page, rendered, &rendering.json_ld[i]);
                let body = tera::Value::from_serializable(&body);
                let mut context = self.context_for(&page.path);
                context.insert_value("page", view::merged(rendering.summaries[i].clone(), body));
                let template = self.page_template(page);
                self.write_html(
                    output,
                    template,
                    &context,
                    &format!("{}index.html", page.path),
                    &page.file,
                )
            })
            .collect()
    }

    /// Step 5: the home page and one page per section, each with its listing.
    fn write_sections(
        &self,
        output: &dyn Output,
        rendering: &Rendering,
        ids: &[usize],
    ) -> Vec<(Diagnostic, PathBuf)> {
        let lib = &self.library;
        ids.par_iter()
            .filter_map(|&index| {
                let section = &lib.sections[index];
                let is_home = index == 0;
                let listing = if is_home {
                    lib.pages_by_date()
                } else {
                    &lib.section_pages[index]
                };
                let pages = tera::Value::from(
                    listing
                        .iter()
                        .map(|&i| rendering.summaries[i].clone())
                        .collect::<Vec<_>>(),
                );
                let view =
                    SectionView::new(&self.config, lib, index, &rendering.bodies.sections[index]);
                let mut context = self.context_for(&section.path);
                context.insert_value(
                    "section",
                    view::with_key(tera::Value::from_serializable(&view), "pages", pages),
                );
                let default = if is_home {
                    "index.html"
                } else {
                    "section.html"
                };
                let template = section.template.as_deref().unwrap_or(default);
                let shown = section
                    .file
                    .clone()
                    .unwrap_or_else(|| Path::new("content").join(&section.dir));
                self.write_html(
                    output,
                    template,
                    &context,
                    &format!("{}index.html", section.path),
                    &shown,
                )
            })
            .collect()
    }

    /// Step 6: one page per author, with their articles.
    fn write_authors(
        &self,
        output: &dyn Output,
        rendering: &Rendering,
        ids: &[usize],
    ) -> Vec<(Diagnostic, PathBuf)> {
        let targets = LinkTargets::new(&self.config, &self.library);
        let lib = &self.library;
        let by_date = lib.pages_by_date();
        ids.par_iter()
            .filter_map(|&i| {
                let (author, bio) = (&lib.authors[i], &rendering.bodies.authors[i]);
                let avatar = author
                    .avatar
                    .as_ref()
                    .and_then(|src| targets.url_of(src, crate::content::AUTHORS_DIR));
                let card = AuthorRef::new(&self.config, author, avatar, &bio.html);
                let view = AuthorView::new(&self.config, card, author);
                let pages: Vec<tera::Value> = by_date
                    .iter()
                    .filter(|&&p| lib.pages[p].authors.contains(&author.slug))
                    .map(|&p| rendering.summaries[p].clone())
                    .collect();
                let mut context = self.context_for(&author.path);
                context.insert_value(
                    "author",
                    view::with_key(
                        tera::Value::from_serializable(&view),
                        "pages",
                        tera::Value::from(pages),
                    ),
                );
                self.write_html(
                    output,
                    "author.html",
                    &context,
                    &format!("{}index.html", author.path),
                    &author.file,
                )
            })
            .collect()
    }

    /// Step 7: the tag index and one page per tag.
    fn write_tags(
        &self,
        output: &dyn Output,
        rendering: &Rendering,
        ids: &[usize],
    ) -> Vec<(Diagnostic, PathBuf)> {
        let lib = &self.library;
        if lib.tags.is_empty() {
            return Vec::new();
        }
        let shown = |path: &str| PathBuf::from(format!("tags/{path}"));
        let mut problems: Vec<(Diagnostic, PathBuf)> = ids
            .par_iter()
            .filter_map(|&t| {
                let tag = &lib.tags[t];
                let pages: Vec<tera::Value> = tag
                    .pages
                    .iter()
                    .map(|&p| rendering.summaries[p].clone())
                    .collect();
                let view = tera::Value::from_serializable(&TagLink::new(&self.config, tag));
                let view =
                    view::with_key(view, "permalink", self.config.permalink(&tag.path).into());
                let mut context = self.context_for(&tag.path);
                context.insert_value(
                    "tag",
                    view::with_key(view, "pages", tera::Value::from(pages)),
                );
                self.write_html(
                    output,
                    "tag.html",
                    &context,
                    &format!("{}index.html", tag.path),
                    &shown(&tag.slug),
                )
            })
            .collect();
        let all: Vec<TagLink> = lib
            .tags
            .iter()
            .map(|tag| TagLink::new(&self.config, tag))
            .collect();
        let mut context = self.context_for("tags/");
        context.insert("tags", &all);
        problems.extend(self.write_html(
            output,
            "tags.html",
            &context,
            "tags/index.html",
            &shown(""),
        ));
        problems
    }

    /// Step 8: Atom and RSS feeds of the newest articles, and an Atom feed per author.
    fn write_feeds(&self, output: &dyn Output, rendering: &Rendering) -> Result<()> {
        let lib = &self.library;
        let entry = |&i: &usize| {
            let page = &lib.pages[i];
            let date = page.date.filter(|_| !page.noindex && !page.draft)?;
            let body = &rendering.bodies.pages[i];
            Some(crate::feed::FeedEntry {
                page,
                date,
                summary: &body.summary_html,
                content: &body.html,
                authors: page
                    .authors
                    .iter()
                    .filter_map(|slug| lib.author(slug))
                    .map(|a| a.name.as_str())
                    .collect(),
            })
        };
        let newest = lib.pages_by_date();
        let entries: Vec<_> = newest
            .iter()
            .filter_map(entry)
            .take(self.config.feed_limit)
            .collect();
        let site = crate::feed::FeedInfo {
            title: &self.config.title,
            description: &self.config.description,
            path: "atom.xml",
            page_path: "",
        };
        output.write(
            "atom.xml",
            crate::feed::atom(&self.config, &site, &entries)?.as_bytes(),
        )?;
        let rss = crate::feed::FeedInfo {
            path: "rss.xml",
            ..site
        };
        output.write(
            "rss.xml",
            crate::feed::rss(&self.config, &rss, &entries)?.as_bytes(),
        )?;
        for author in &lib.authors {
            let theirs: Vec<_> = newest
                .iter()
                .filter(|&&i| lib.pages[i].authors.contains(&author.slug))
                .filter_map(entry)
                .take(self.config.feed_limit)
                .collect();
            let title = format!("{}: {}", self.config.title, author.name);
            let path = format!("{}atom.xml", author.path);
            let info = crate::feed::FeedInfo {
                title: &title,
                description: &self.config.description,
                path: &path,
                page_path: &author.path,
            };
            output.write(
                &path,
                crate::feed::atom(&self.config, &info, &theirs)?.as_bytes(),
            )?;
        }
        Ok(())
    }

    /// Step 9: `sitemap.xml` of every indexable page, and `robots.txt` unless the site has its own.
    fn write_sitemap(&self, output: &dyn Output) -> Result<()> {
        use crate::feed::SitemapUrl;
        let lib = &self.library;
        let lastmod = |ids: &mut dyn Iterator<Item = &usize>| {
            ids.filter_map(|&i| {
                let page = &lib.pages[i];
                page.updated
                    .or(page.date)
                    .filter(|_| !page.noindex && !page.draft)
            })
            .max_by_key(|d| d.sort_key())
            .map(|d| d.civil_date().to_string())
        };
        let mut urls = Vec::new();
        for (i, section) in lib.sections.iter().enumerate() {
            let ids = if i == 0 {
                lib.pages_by_date()
            } else {
                &lib.section_pages[i]
            };
            urls.push(SitemapUrl {
                path: section.path.clone(),
                lastmod: lastmod(&mut ids.iter()),
            });
        }
        for page in lib.pages.iter().filter(|p| !p.noindex && !p.draft) {
            let lastmod = page
                .updated
                .or(page.date)
                .map(|d| d.civil_date().to_string());
            urls.push(SitemapUrl {
                path: page.path.clone(),
                lastmod,
            });
        }
        for author in &lib.authors {
            let mut ids =
                (0..lib.pages.len()).filter(|&i| lib.pages[i].authors.contains(&author.slug));
            let ids: Vec<usize> = ids.by_ref().collect();
            urls.push(SitemapUrl {
                path: author.path.clone(),
                lastmod: lastmod(&mut ids.iter()),
            });
        }
        if !lib.tags.is_empty() {
            urls.push(SitemapUrl {
                path: "tags/".into(),
                lastmod: None,
            });
        }
        for tag in &lib.tags {
            urls.push(SitemapUrl {
                path: tag.path.clone(),
                lastmod: lastmod(&mut tag.pages.iter()),
            });
        }
        urls.sort_by(|a, b| a.path.cmp(&b.path));
        output.write(
            "sitemap.xml",
            crate::feed::sitemap(&self.config, &urls).as_bytes(),
        )?;
        let has_own = self
            .theme
            .static_files()
            .iter()
            .any(|f| f.output_path == "robots.txt");
        if !has_own {
            output.write("robots.txt", crate::feed::robots(&self.config).as_bytes())?;
        }
        Ok(())
    }

    /// Step 10: a redirect page at each old URL a page lists in `aliases`.
    fn write_aliases(&self, output: &dyn Output) -> Result<()> {
        let mut problems = Vec::new();
        let lib = &self.library;
        let mut taken: std::collections::HashSet<String> = lib
            .pages
            .iter()
            .map(|p| p.path.as_str())
            .chain(lib.sections.iter().map(|s| s.path.as_str()))
            .chain(lib.authors.iter().map(|a| a.path.as_str()))
            .chain(lib.tags.iter().map(|t| t.path.as_str()))
            .chain(["tags/"].into_iter().filter(|_| !lib.tags.is_empty()))
            .map(|path| format!("{path}index.html"))
            .chain(
                [
                    "404.html",
                    "atom.xml",
                    "rss.xml",
                    "sitemap.xml",
                    "robots.txt",
                ]
                .map(String::from),
            )
            .collect();
        for page in &self.library.pages {
            for alias in &page.aliases {
                match crate::feed::alias_file(alias) {
                    // `insert` is false when the path is taken, by a page or by an earlier alias.
                    Some(file) if !taken.insert(file.clone()) => problems.push(
                        page.key_problem(
                            "aliases",
                            format!(
                                "the alias `{alias}` is already the URL of another page or alias"
                            ),
                        )
                        .hint("remove the alias, or move the other page"),
                    ),
                    Some(file) => output.write(
                        &file,
                        crate::feed::redirect(&self.config, &page.path).as_bytes(),
                    )?,
                    None => problems.push(
                        page.key_problem(
                            "aliases",
                            format!("the alias `{alias}` is not a path inside the site"),
                        )
                        .hint("write aliases as paths such as \"/old/url/\""),
                    ),
                }
            }
        }
        fail_if_any(problems)
    }

    /// Step 11: the page a static host shows for a missing URL.
    fn write_not_found(&self, output: &dyn Output) -> Option<(Diagnostic, PathBuf)> {
        let context = self.context_for("404.html");
        self.write_html(
            output,
            "404.html",
            &context,
            "404.html",
            Path::new("404.html"),
        )
    }

    /// Step 0: the theme's and the site's static files, and the content's assets, copied as they are.
    fn copy_static_files(&self, output: &dyn Output) -> Result<usize> {
        let statics = self.theme.static_files();
        let mut problems: Vec<Diagnostic> = statics
            .par_iter()
            .filter_map(|file| {
                match &file.source {
                    FileSource::Disk(path) => output.copy_file(&file.output_path, path),
                    FileSource::Embedded(bytes) => output.write(&file.output_path, bytes),
                }
                .err()
            })
            .collect();
        problems.extend(
            self.library
                .assets
                .par_iter()
                .filter_map(|asset| output.copy_file(&asset.output_path, &asset.source).err())
                .collect::<Vec<_>>(),
        );
        // Sources are absolute paths: name them as the writer knows them, from the site root.
        for problem in &mut problems {
            let relative = (problem.path.as_deref())
                .and_then(|path| path.strip_prefix(&self.config.root).ok())
                .map(Path::to_path_buf);
            if relative.is_some() {
                problem.path = relative;
            }
        }
        fail_if_any(problems)?;
        Ok(statics.len() + self.library.assets.len())
    }

    fn page_template<'a>(&'a self, page: &'a Page) -> &'a str {
        let section_default = self
            .library
            .section_index(&page.section)
            .and_then(|i| self.library.sections[i].page_template.as_deref());
        page.template
            .as_deref()
            .or(section_default)
            .unwrap_or("page.html")
    }

    fn context_for(&self, path: &str) -> tera::Context {
        let mut context = tera::Context::new();
        context.insert("current_path", &self.config.url_path(path));
        context.insert("current_url", &self.config.permalink(path));
        context
    }

    fn write_html(
        &self,
        output: &dyn Output,
        template: &str,
        context: &tera::Context,
        path: &str,
        rendering: &Path,
    ) -> Option<(Diagnostic, PathBuf)> {
        let result = self
            .theme
            .render(template, context)
            .and_then(|html| output.write(path, html.as_bytes()));
        result
            .err()
            .map(|problem| (problem, rendering.to_path_buf()))
    }
}

/// Renders one Markdown body, turning its link problems into diagnostics at file:line:column.
fn render_body(
    targets: &LinkTargets,
    body: &str,
    dir: &str,
    file: &Path,
    body_line: usize,
) -> (Rendered, Vec<Diagnostic>) {
    let rendered = markdown::render(body, &|dest| targets.resolve(dest, dir));
    let problems = rendered
        .problems
        .iter()
        .map(|p| {
            Diagnostic::in_file(file, p.message.clone())
                .at(body_line + p.line - 1, p.column)
                .hint("fix the path (relative to this file, or `@/` from content/), or create what it points to")
        })
        .collect();
    (rendered, problems)
}

/// Groups one template problem met on many pages into one message naming the first page and a count.
fn summarize_template_problems(problems: Vec<(Diagnostic, PathBuf)>) -> Vec<Diagnostic> {
    let mut groups: BTreeMap<String, (Diagnostic, Vec<PathBuf>)> = BTreeMap::new();
    for (problem, rendering) in problems {
        let key = problem.to_string();
        groups
            .entry(key)
            .or_insert_with(|| (problem, Vec::new()))
            .1
            .push(rendering);
    }
    groups
        .into_values()
        .map(|(mut problem, mut files)| {
            files.sort();
            let others = match files.len() {
                1 => String::new(),
                2 => " and 1 other file".to_string(),
                n => format!(" and {} other files", n - 1),
            };
            problem.message = format!(
                "{} (while rendering {}{others})",
                problem.message,
                files[0].display()
            );
            problem
        })
        .collect()
}

fn missing_template(problem: Diagnostic, name: &str) -> Diagnostic {
    problem.hint(format!(
        "add templates/{name} to the site or the theme, or remove the setting to use the default"
    ))
}

fn section_front_matter(config: &Config, section: &crate::content::Section) -> Option<String> {
    let text = std::fs::read_to_string(config.root.join(section.file.as_ref()?)).ok()?;
    let text = crate::content::front_matter::normalize_text(text.into_bytes()).ok()?;
    crate::content::front_matter::split(&text)
        .ok()
        .map(|s| s.front_matter.to_string())
}

/// What internal links can point to, and how to reach it.
struct LinkTargets<'a> {
    config: &'a Config,
    pages: HashMap<&'a str, &'a str>,
    assets: HashMap<&'a str, &'a crate::content::Asset>,
    drafts: &'a std::collections::BTreeSet<String>,
}

impl<'a> LinkTargets<'a> {
    fn new(config: &'a Config, library: &'a Library) -> Self {
        let mut pages = HashMap::new();
        for page in &library.pages {
            pages.insert(page.content_path.as_str(), page.path.as_str());
        }
        for section in &library.sections {
            if let Some(file) = &section.file {
                let key = file
                    .strip_prefix("content")
                    .unwrap_or(file)
                    .to_str()
                    .unwrap_or_default();
                pages.insert(key, section.path.as_str());
            }
        }
        for author in &library.authors {
            let key = author
                .file
                .strip_prefix("content")
                .unwrap_or(&author.file)
                .to_str()
                .unwrap_or_default();
            pages.insert(key, author.path.as_str());
        }
        let assets = library
            .assets
            .iter()
            .map(|a| (a.content_path.as_str(), a))
            .collect();
        LinkTargets {
            config,
            pages,
            assets,
            drafts: &library.skipped_drafts,
        }
    }

    /// Resolves a link written in a file whose relative links start at `dir`. Links into the
    /// site become root-relative URLs, so they also work where the text is shown elsewhere
    /// (a summary on the home page, a feed).
    fn resolve(&self, dest: &str, dir: &str) -> LinkAction {
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
        if target.ends_with(".md") {
            return match self.pages.get(target.as_str()) {
                Some(path) => LinkAction::Rewrite(with_fragment(self.config.url_path(path))),
                None if self.drafts.contains(&target) => LinkAction::Broken(format!(
                    "broken link `{dest}`: content/{target} is a draft and is not built (build with --drafts, or publish it)"
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

    /// The content file a local image or file named relative to `dir` is, when it exists.
    fn asset(&self, src: &str, dir: &str) -> Option<&'a crate::content::Asset> {
        if is_external(src) {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(src).decode_utf8_lossy();
        let target = content_path(&decoded, dir)?;
        self.assets.get(target.as_str()).copied()
    }

    /// The file on disk behind a local image or file named relative to `dir`, when it exists.
    fn asset_source(&self, src: &str, dir: &str) -> Option<&'a Path> {
        self.asset(src, dir).map(|asset| asset.source.as_path())
    }

    /// Where a local file named relative to `dir` is published, as a site path.
    fn output_path(&self, src: &str, dir: &str) -> Option<String> {
        self.asset(src, dir).map(|asset| asset.output_path.clone())
    }

    /// The site URL of an image or file named in front matter, relative to `dir`.
    fn url_of(&self, src: &str, dir: &str) -> Option<String> {
        match self.resolve(src, dir) {
            LinkAction::Keep => Some(src.to_string()),
            LinkAction::Rewrite(url) => Some(url),
            LinkAction::Broken(_) => None,
        }
    }
}

/// The path inside `content/` a link names: rooted with `@/`, or relative to `dir`.
fn content_path(link: &str, dir: &str) -> Option<String> {
    match link.strip_prefix("@/") {
        Some(rooted) => crate::content::resolve_path(rooted),
        None => crate::content::resolve_path(&format!("{dir}/{link}")),
    }
}

/// Links with a scheme (`https:`, `mailto:`), protocol-relative or root-absolute links.
fn is_external(dest: &str) -> bool {
    if dest.starts_with('/') || dest.starts_with('#') || dest.starts_with('?') {
        return true;
    }
    match dest.find(':') {
        Some(colon) => {
            !dest[..colon].contains('/')
                && dest[..colon]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots_and_refuses_escape() {
        assert_eq!(
            crate::content::resolve_path("articles/../about.md").as_deref(),
            Some("about.md")
        );
        assert_eq!(
            crate::content::resolve_path("/a/./b.md").as_deref(),
            Some("a/b.md")
        );
        assert_eq!(crate::content::resolve_path("../x.md"), None);
    }

    #[test]
    fn external_links_are_recognised() {
        for dest in [
            "https://x.org",
            "mailto:a@b.c",
            "/abs/path",
            "//cdn.x/y",
            "tel:+1",
        ] {
            assert!(is_external(dest), "{dest}");
        }
        for dest in ["x.md", "../a/b.md", "@/x.md", "img/a:b.png"] {
            assert!(!is_external(dest), "{dest}");
        }
    }
}
