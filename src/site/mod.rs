//! The build: load the content and the theme, then a short list of named steps, each in a
//! file of its own, that render what changed into an [`Output`].
//!
//! `build`, `serve` and `check` all run [`Site::render`]; what differs is the output (a staged
//! directory, or memory) and the [`BuildState`] a previous build left, which decides what
//! can be kept.

mod anchors;
mod bodies;
mod images;
mod incremental;
mod links;
mod load;
mod render;
pub(crate) mod search;
mod shortcodes;
mod validate;
pub(crate) mod views;

use std::time::{Duration, Instant};

use crate::config::Config;
use crate::content::Library;
use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::output::Output;
use crate::theme::Theme;

pub(crate) use anchors::{broken_anchor, lands as anchor_lands};
pub use incremental::BuildState;
pub(crate) use incremental::{Key, KeyHasher};
pub(crate) use links::has_scheme;
pub use load::input_fingerprint;

/// Choices that change what a build produces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct BuildOptions {
    /// Build pages marked `draft = true`.
    pub drafts: bool,
    /// Build pages dated in the future.
    pub future: bool,
    /// The URL of the live reload script, which templates include when set (`serve` only).
    pub live_reload: Option<String>,
    /// Put a hash of their content in the names of stylesheets and scripts (`build`, not `serve`).
    pub fingerprint_assets: bool,
    /// Make resized and PNG copies of covers (kept in `.serum-cache/`); `check` does without.
    pub process_images: bool,
    /// Make the search index, when the site has search; `check` does without.
    pub search_index: bool,
}

/// What a build produced, for the summary line.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// Pages rendered (articles and stand-alone pages).
    pub pages: usize,
    /// Sections rendered (in every language), home pages not counted.
    pub sections: usize,
    /// Author pages rendered.
    pub authors: usize,
    /// Files copied as they are (theme, site and page assets).
    pub static_files: usize,
    /// Files written by this build.
    pub written: usize,
    /// Files kept from the previous build, because nothing they are made from changed.
    pub kept: usize,
    /// Pages dated in the future, left out.
    pub scheduled: usize,
    /// The date of the first of them to come out.
    pub next_scheduled: Option<crate::content::Date>,
    /// Every problem found, errors and warnings, sorted by place.
    pub diagnostics: Vec<Diagnostic>,
    /// How long the build took.
    pub elapsed: Duration,
    /// How long each step took, in order, and the memory in use after it (from
    /// [`Site::render`]; [`Site::render_timed`] leaves them to its caller).
    pub timings: Vec<Step>,
}

/// A site ready to render: its configuration, content and theme, and the problems met
/// loading them.
pub struct Site {
    config: Config,
    options: BuildOptions,
    library: Library,
    /// `None` when the theme could not be loaded: the content is still checked.
    theme: Option<Theme>,
    /// The time of the build: nothing published is dated later.
    now: crate::content::Date,
    /// What templates in each language see.
    languages: Vec<views::LanguageValues>,
    diagnostics: Diagnostics,
}

/// One step of a build, as `--timings` shows it.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// Its name.
    pub name: &'static str,
    /// How long it took.
    pub took: Duration,
    /// The CPU time all of the process's threads spent in it, where the system says.
    pub cpu: Option<CpuTime>,
    /// The memory the process held after it, in bytes, where the system says.
    pub resident: Option<u64>,
}

impl Step {
    /// A step between two moments.
    fn between(name: &'static str, start: Mark, end: Mark) -> Step {
        Step {
            name,
            took: end.at - start.at,
            cpu: end.cpu.zip(start.cpu).map(|(end, start)| end.since(start)),
            resident: resident_memory(),
        }
    }
}

/// A moment of a build: when it was, and how much CPU time the process had used by then.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    /// When.
    pub at: Instant,
    /// The process's CPU time so far, where the system says.
    pub cpu: Option<CpuTime>,
}

impl Mark {
    /// Now.
    pub fn now() -> Mark {
        Mark {
            at: Instant::now(),
            cpu: CpuTime::used(),
        }
    }
}

/// CPU time, all of a process's threads together: in serum's own code (`user`) and in the
/// system's on its behalf (`system`: reading and writing files, and the first touch of each
/// page of memory). Telling them apart shows whether a slow step is serum's work.
#[derive(Debug, Clone, Copy)]
pub struct CpuTime {
    /// Time in serum's own code.
    pub user: Duration,
    /// Time in the kernel, on serum's behalf.
    pub system: Duration,
}

impl CpuTime {
    /// What the process has used since it started (or since a program it replaced started,
    /// as `cargo run` replaces itself with serum).
    #[cfg(unix)]
    pub fn used() -> Option<CpuTime> {
        // SAFETY: `rusage` is plain integers, for which zero is a valid value, and
        // `getrusage` writes only into the one it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
            return None;
        }
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec.max(0) as u64)
                + Duration::from_micros(t.tv_usec.max(0) as u64)
        };
        Some(CpuTime {
            user: time(usage.ru_utime),
            system: time(usage.ru_stime),
        })
    }

    /// Nothing: this system's CPU times are not read.
    #[cfg(not(unix))]
    pub fn used() -> Option<CpuTime> {
        None
    }

    /// The time used since `earlier`, a reading taken before this one.
    fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
        }
    }
}

/// The memory the process holds now, from `/proc/self/statm` on Linux.
fn resident_memory() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Times the steps of a build, for `--timings`: each step starts where the one before ended,
/// so that together they cover the whole build, whatever runs between two steps' code.
#[derive(Debug)]
pub struct Timings {
    last: Mark,
    steps: Vec<Step>,
}

impl Default for Timings {
    fn default() -> Self {
        Timings::starting(Mark::now())
    }
}

impl Timings {
    /// Timings whose first step began at `start`.
    pub fn starting(start: Mark) -> Timings {
        Timings {
            last: start,
            steps: Vec::new(),
        }
    }

    /// Ends a step.
    pub fn lap(&mut self, step: &'static str) {
        let now = Mark::now();
        self.steps.push(Step::between(step, self.last, now));
        self.last = now;
    }

    /// The steps, in order.
    pub fn into_steps(self) -> Vec<Step> {
        self.steps
    }
}

impl Site {
    /// The site's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The site's content, as loaded.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Renders the site into `output`, step by step, keeping what `state` says is unchanged.
    /// Every problem of every step is collected in the report; none stops the others.
    /// The pages' Markdown texts are taken from the library on the way.
    pub fn render(&mut self, output: &dyn Output, state: &mut BuildState) -> BuildReport {
        let mut timings = Timings::default();
        let mut report = self.render_timed(output, state, &mut timings);
        report.timings = timings.into_steps();
        report
    }

    /// [`Site::render`], its steps timed in `timings`, which the caller ends: what the render
    /// leaves to free when it returns then counts in the caller's next step.
    pub fn render_timed(
        &mut self,
        output: &dyn Output,
        state: &mut BuildState,
        timings: &mut Timings,
    ) -> BuildReport {
        let started = Instant::now();
        let texts = self.library.take_page_texts();
        let limit = self.config.related_limit;
        self.library.relate(limit, &mut state.related);
        timings.lap("related");
        let this: &Site = self;
        this.render_steps(texts, output, state, started, timings)
    }

    fn render_steps(
        &self,
        texts: Vec<String>,
        output: &dyn Output,
        state: &mut BuildState,
        started: Instant,
        timings: &mut Timings,
    ) -> BuildReport {
        let mut diagnostics = self.diagnostics.clone();
        let images = std::sync::Arc::new(images::SiteImages::new(
            self,
            std::mem::take(&mut state.images),
        ));
        if let Some(theme) = &self.theme {
            theme.set_images(images.clone());
        }
        let links = links::Links::new(&self.config, &self.library, self.theme.as_ref(), &images);
        validate::check_references(self, &links, &mut diagnostics);
        let bodies = bodies::render_all(self, texts, &links, &state.bodies, &mut diagnostics);
        anchors::check(self, &bodies, &mut diagnostics);
        timings.lap("markdown and its images");
        let (covers, problems) = images.covers(self, &links);
        diagnostics.extend(problems);
        let cards = views::author_cards(self, &links, &bodies);
        let views = views::Views::new(self, &links, &bodies, &covers, &cards);
        timings.lap("covers and summaries");
        let mut written = render::Written::default();
        if let Some(theme) = &self.theme {
            let renderer = render::Renderer::new(self, theme, &views, output, &images);
            renderer.copy_static_files(&mut written, &mut diagnostics);
            timings.lap("static files");
            std::thread::scope(|scope| {
                // The index needs no rendered page: Pagefind, mostly one thread's work, makes
                // it alongside the steps that fill every core, instead of after them.
                let index = (self.config.search && self.options.search_index).then(|| {
                    scope.spawn(|| {
                        let (mut written, mut problems) = Default::default();
                        let last = &mut state.search;
                        let steps = search::write_index(
                            self,
                            &views,
                            theme.strings(),
                            output,
                            last,
                            &mut written,
                            &mut problems,
                        );
                        (written, problems, steps)
                    })
                });
                // Feeds first: they show the HTML of a few pages, which pages then give up.
                let sitemaps = renderer.write_feeds(&mut written, &mut diagnostics);
                renderer.write_aliases(&sitemaps, &mut written, &mut diagnostics);
                timings.lap("feeds and sitemap");
                renderer.write_pages(&mut written, &mut diagnostics);
                timings.lap("pages");
                renderer.write_listings(&mut written, &mut diagnostics);
                timings.lap("listings");
                if let Some(index) = index {
                    let mut steps = Vec::new();
                    match index.join() {
                        Ok((indexed, problems, its_steps)) => {
                            written.merge(indexed);
                            diagnostics.extend(problems.into_sorted());
                            steps = its_steps;
                        }
                        Err(_) => diagnostics.push(search::stopped()),
                    }
                    // What the index took beyond the other steps, then its parts, which ran
                    // beside them.
                    timings.lap("search index");
                    timings.steps.extend(steps);
                }
            });
        }
        let (made, kept) = images.publish(output, &mut diagnostics);
        written.written += made;
        written.kept += kept;
        images.finish(!diagnostics.has_errors());
        timings.lap("images");
        diagnostics.ignore(&self.config.ignore);
        // The bodies go into the state, on one core, while the listing views are freed: each
        // takes tenths of a second at 100,000 articles.
        let values = views.into_values();
        let (cache, ()) = rayon::join(|| bodies.into_cache(), || values.free());
        state.bodies = cache;
        state.images = images.take_uses();
        BuildReport {
            pages: self.library.pages.len(),
            sections: (self.library.sections.iter())
                .filter(|s| !s.dir.is_empty())
                .count(),
            authors: self.library.authors.len(),
            static_files: written.static_files,
            written: written.written,
            kept: written.kept,
            scheduled: self.library.scheduled.len(),
            next_scheduled: self
                .library
                .scheduled
                .values()
                .min_by_key(|d| d.timestamp())
                .copied(),
            diagnostics: diagnostics.into_sorted(),
            elapsed: started.elapsed(),
            timings: Vec::new(),
        }
    }
}

impl BuildReport {
    /// Whether any problem found is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The report of a build with no errors, or every problem as the error of a failed one.
    pub fn into_result(self) -> Result<BuildReport> {
        if self.has_errors() {
            Err(Error::from_problems(self.diagnostics))
        } else {
            Ok(self)
        }
    }

    /// The problems that are not errors.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }
}
