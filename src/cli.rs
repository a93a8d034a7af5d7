//! The command line: one `Args` struct per command, each with `run()`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::error::{Diagnostic, Result, plural};
use crate::output::{StagedDir, absolute};
use crate::site::{BuildOptions, BuildReport, BuildState, Mark, Site, Timings};

/// serum: turns Markdown content and a theme into a static website.
#[derive(Debug, Parser)]
#[command(name = "serum", version = env!("SERUM_VERSION"), about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site into public/ (or --output)
    Build(BuildArgs),
    /// Preview the site locally, rebuilding and reloading the browser on every save
    Serve(ServeArgs),
    /// Create a new site with one article and one author
    Init(InitArgs),
    /// Build the site in memory and report every problem in it, writing nothing
    Check(CheckArgs),
    /// Bring pages over from another tool, such as a Notion export
    Import(ImportArgs),
}

impl Cli {
    /// Whether the command is `serve`, the one that runs until it is stopped.
    pub fn serves(&self) -> bool {
        matches!(self.command, Command::Serve(_))
    }

    /// Runs the chosen command.
    pub fn run(self) -> Result<ExitCode> {
        match self.command {
            Command::Build(args) => args.run(),
            Command::Serve(args) => args.run(),
            Command::Init(args) => args.run(),
            Command::Check(args) => args.run(),
            Command::Import(args) => args.run(),
        }
    }
}

/// `serum build`
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site's folder, holding serum.toml
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Where to write the site [default: ROOT/public]
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Use this theme instead of the one serum.toml names
    #[arg(long, value_name = "NAME")]
    theme: Option<String>,
    /// Publish under this URL instead of serum.toml's base_url
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Also build pages marked draft
    #[arg(long)]
    drafts: bool,
    /// Also build pages dated in the future
    #[arg(long)]
    future: bool,
    /// Replace the output directory even if serum did not create it
    #[arg(long)]
    force: bool,
    /// Print how long each step of the build took
    #[arg(long)]
    timings: bool,
}

impl BuildArgs {
    /// Builds the site and swaps it into the output directory, rendering only what changed
    /// since the last build.
    pub fn run(self) -> Result<ExitCode> {
        let started = Mark::now();
        let root = absolute(&self.root);
        let overrides = Overrides {
            theme: self.theme.clone(),
            base_url: self.base_url.clone(),
        };
        let config = Config::load(&root, &overrides)?;
        let output_dir = (self.output.as_deref())
            .map(absolute)
            .unwrap_or_else(|| root.join("public"));
        let options = BuildOptions {
            drafts: self.drafts,
            future: self.future,
            live_reload: None,
            fingerprint_assets: true,
            process_images: true,
            search_index: true,
        };
        // One walk of content/ serves the fingerprint and then the build.
        let listing = crate::content::Listing::of(&config);
        let inputs = crate::site::input_fingerprint(&config, &options, &listing);
        if crate::output::is_up_to_date(&output_dir, &inputs) {
            // A build killed while removing the old site leaves it beside the output.
            crate::output::remove_stale_staging(&output_dir);
            let shown = output_dir.strip_prefix(&root).unwrap_or(&output_dir);
            println!(
                "Nothing changed since the last build: {}/ is up to date ({} ms)",
                shown.display(),
                started.at.elapsed().as_millis()
            );
            return Ok(ExitCode::SUCCESS);
        }
        let (report, shown) =
            self.publish(config, options, listing, &output_dir, &inputs, started)?;
        print_diagnostics(&report.diagnostics);
        if self.timings {
            for step in &report.timings {
                let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
                let cpu = step
                    .cpu
                    .map(|cpu| {
                        format!(
                            ", {:>8.1} ms user, {:>7.1} ms system",
                            ms(cpu.user),
                            ms(cpu.system)
                        )
                    })
                    .unwrap_or_default();
                let memory = step
                    .resident
                    .map(|bytes| format!(", {:>6.1} MiB in use", bytes as f64 / 1048576.0))
                    .unwrap_or_default();
                eprintln!("{:>20}: {:>8.1} ms{cpu}{memory}", step.name, ms(step.took));
            }
        }
        println!("{}", summary_line(&report, &shown));
        Ok(ExitCode::SUCCESS)
    }

    /// Renders the site into a staging directory that starts from the last build's output,
    /// swaps it in, and keeps what the next build needs; returns the report and the output's
    /// name as shown.
    fn publish(
        &self,
        config: Config,
        options: BuildOptions,
        listing: crate::content::Listing,
        output_dir: &Path,
        inputs: &str,
        started: Mark,
    ) -> Result<(BuildReport, PathBuf)> {
        let state_file = BuildState::file(&config.root, output_dir, &options);
        // The last build's state is read while the content loads: at 10,000 articles each
        // takes tens of milliseconds of a rebuild that should take a few hundred.
        let (mut state, mut site) = rayon::join(
            || BuildState::read(&state_file),
            || Site::load_listed(config, options, Some(listing)),
        );
        let shadow = state_file.with_extension("shadow");
        let staged = StagedDir::prepare(
            output_dir,
            site.config(),
            self.force,
            &state.output,
            Some(&shadow),
        )?;
        let mut timings = Timings::starting(started);
        timings.lap("load");
        let mut report = match site
            .render_timed(&staged, &mut state, &mut timings)
            .into_result()
        {
            Ok(report) => report,
            Err(error) => {
                staged.abandon(&mut state.output);
                let _ = state.write(&state_file);
                return Err(error);
            }
        };
        let shown = staged.shown().to_path_buf();
        staged.record_inputs(inputs);
        staged.record_due(report.next_scheduled.map(|d| d.timestamp()));
        staged.commit(&mut state.output)?;
        if let Err(problem) = state.write(&state_file) {
            report.diagnostics.push(problem.warning().hint(
                "the next build renders everything again; check that .serum-cache/ is writable",
            ));
        }
        timings.lap("swap in");
        report.timings = timings.into_steps();
        report.elapsed = started.at.elapsed();
        // The process ends soon: freeing every page one by one would only cost time.
        std::mem::forget(site);
        std::mem::forget(state);
        Ok((report, shown))
    }
}

/// `serum serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site's folder, holding serum.toml
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// The address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// The port to listen on; 0 picks a free one
    #[arg(long, short, value_name = "N", default_value_t = 1111)]
    port: u16,
    /// Use this theme instead of the one serum.toml names
    #[arg(long, value_name = "NAME")]
    theme: Option<String>,
    /// Also build pages marked draft
    #[arg(long)]
    drafts: bool,
    /// Also build pages dated in the future
    #[arg(long)]
    future: bool,
    /// Open the site in a web browser
    #[arg(long)]
    open: bool,
}

impl ServeArgs {
    /// Serves the site until Ctrl-C, SIGTERM or SIGHUP; never touches the output directory.
    pub fn run(self) -> Result<ExitCode> {
        crate::serve::serve(crate::serve::ServeOptions {
            root: self.root,
            bind: self.bind,
            port: self.port,
            theme: self.theme,
            drafts: self.drafts,
            future: self.future,
            open: self.open,
        })
    }
}

fn print_warnings(warnings: &[Diagnostic]) {
    for warning in warnings {
        eprintln!("{}", warning.as_warning());
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        eprintln!("{diagnostic}");
    }
}

/// "Built 1 page, 1 section, 1 author and 4 static files into public/ in 7 ms", and when
/// files were kept from the last build, how many were written.
fn summary_line(report: &BuildReport, output: &Path) -> String {
    let mut shown = output.display().to_string();
    if !shown.ends_with('/') {
        shown.push('/');
    }
    let mut line = format!(
        "Built {}, {}, {} and {} into {shown} in {} ms",
        plural(report.pages, "page", "pages"),
        plural(report.sections, "section", "sections"),
        plural(report.authors, "author", "authors"),
        plural(report.static_files, "static file", "static files"),
        report.elapsed.as_millis()
    );
    if report.kept > 0 {
        line.push_str(&format!(
            " ({} written, {} unchanged)",
            plural(report.written, "file", "files"),
            report.kept
        ));
    }
    if let Some(next) = report.next_scheduled {
        line.push_str(&format!(
            "; {} left out (next: {})",
            plural(report.scheduled, "scheduled page", "scheduled pages"),
            next.civil_date()
        ));
    }
    line
}

/// `serum init`
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (new or empty)
    dir: PathBuf,
}

const STARTER: &[(&str, &str)] = &[
    ("serum.toml", include_str!("starter/serum.toml")),
    ("content/_index.md", include_str!("starter/_index.md")),
    (
        "content/posts/_index.md",
        include_str!("starter/posts_index.md"),
    ),
    (
        "content/posts/hello-serum.md",
        include_str!("starter/hello-serum.md"),
    ),
    (
        "content/authors/your-name.md",
        include_str!("starter/your-name.md"),
    ),
];

impl InitArgs {
    /// Writes a starter site that builds as it is.
    pub fn run(self) -> Result<ExitCode> {
        let dir = &self.dir;
        let not_empty = std::fs::read_dir(dir)
            .map(|mut e| e.next().is_some())
            .unwrap_or(false);
        if not_empty {
            return Err(Diagnostic::in_file(
                dir,
                "the folder is not empty; refusing to write a new site into it",
            )
            .hint("choose a new or empty folder")
            .into());
        }
        if dir.exists() && !dir.is_dir() {
            return Err(Diagnostic::in_file(dir, "this is a file, not a folder")
                .hint("choose a new or empty folder")
                .into());
        }
        for (path, text) in STARTER {
            let full = dir.join(path);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| Diagnostic::io(parent, "create this folder", &e))?;
            }
            std::fs::write(&full, text)
                .map_err(|e| Diagnostic::io(&full, "write this file", &e))?;
        }
        println!("Created a new site in {}", dir.display());
        println!("Build it with: serum build --root {}", dir.display());
        Ok(ExitCode::SUCCESS)
    }
}

/// `serum check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The site's folder, holding serum.toml
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Use this theme instead of the one serum.toml names
    #[arg(long, value_name = "NAME")]
    theme: Option<String>,
    /// Also check pages marked draft
    #[arg(long)]
    drafts: bool,
    /// Also check links to other web sites (over the network)
    #[arg(long)]
    external: bool,
    /// Count warnings as problems
    #[arg(long)]
    strict: bool,
}

impl CheckArgs {
    /// Checks the site, prints every problem and a count, and fails when there is an error
    /// (or, under `--strict`, a warning).
    pub fn run(self) -> Result<ExitCode> {
        let options = crate::check::CheckOptions {
            theme: self.theme,
            drafts: self.drafts,
            external: self.external,
        };
        let report = crate::check::check(&absolute(&self.root), &options).unwrap_or_else(|error| {
            crate::check::CheckReport {
                diagnostics: error.problems().to_vec(),
                pages: 0,
            }
        });
        let mut diagnostics = report.diagnostics;
        if self.strict {
            diagnostics = diagnostics
                .into_iter()
                .map(|mut d| {
                    d.severity = crate::error::Severity::Error;
                    d
                })
                .collect();
        }
        print_diagnostics(&diagnostics);
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        let pages = plural(report.pages, "page", "pages");
        if errors > 0 {
            eprintln!("error: {}", crate::error::count_line(&diagnostics));
            return Ok(ExitCode::from(1));
        }
        if diagnostics.is_empty() {
            println!("No problems found in {pages}.");
        } else {
            let warnings = plural(diagnostics.len(), "warning", "warnings");
            println!("No errors found in {pages}; {warnings}.");
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// `serum import`
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    from: ImportFrom,
}

#[derive(Debug, Subcommand)]
enum ImportFrom {
    /// Import a Notion "Markdown & CSV" export: the .zip, or the folder it unpacks into
    #[command(after_help = notion_mapping_help())]
    Notion(NotionImportArgs),
}

/// `serum import notion`
#[derive(Debug, Args)]
pub struct NotionImportArgs {
    /// The export: Notion's .zip (also a zip of Part-N zips) or its unpacked folder
    #[arg(value_name = "EXPORT")]
    export: PathBuf,
    /// The site's folder, holding serum.toml
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// The section of content/ the pages go into
    #[arg(long, value_name = "NAME", default_value = "posts")]
    section: String,
    /// Map a Notion property to a front matter key, e.g. --map "Teaser=description" (repeatable)
    #[arg(long = "map", value_name = "PROPERTY=KEY")]
    map: Vec<String>,
    /// List what would be written, and write nothing
    #[arg(long)]
    dry_run: bool,
    /// Replace existing files that differ from the import
    #[arg(long)]
    force: bool,
}

impl ImportArgs {
    /// Runs the chosen importer.
    pub fn run(self) -> Result<ExitCode> {
        match self.from {
            ImportFrom::Notion(args) => args.run(),
        }
    }
}

impl NotionImportArgs {
    /// Imports the export, lists the files written and ends with a one-line report.
    pub fn run(self) -> Result<ExitCode> {
        let shown = self.export.display().to_string();
        let report = crate::import::import_notion(&crate::import::NotionImport {
            export: self.export,
            root: self.root,
            section: self.section,
            map: self.map,
            dry_run: self.dry_run,
            force: self.force,
        })?;
        print_warnings(&report.warnings);
        println!("{}", import_lines(&report, &shown));
        Ok(ExitCode::SUCCESS)
    }
}

fn notion_mapping_help() -> String {
    let mut help = String::from("Notion properties and the front matter keys they become:\n");
    for (property, key) in crate::import::DEFAULT_MAPPING {
        help.push_str(&format!("  {property:<18} -> {key}\n"));
    }
    help.push_str("  anything else      -> extra.<name>\n");
    help.push_str(&format!(
        "status values that make a draft, in any case (any other is kept as extra.<name>):\n  {}\n\
         published: No makes a draft; noindex, draft: Yes or No;\n\
         date: June 27, 2023 [9:32 PM], 2023-06-27, 06/27/2023.\n\
         A database becomes a section; a relation, extra.<name> = [{{ title, page = \"@/...\" }}].\n",
        crate::import::DRAFT_STATUSES.join(", ")
    ));
    help.push_str(&format!(
        "--map \"Property=KEY\" adds or overrides one; KEY is one of: {}",
        crate::import::KEYS.join(", ")
    ));
    help
}

/// One line per file written, then "Imported 1 page, 1 author and 1 asset from x.zip: …".
fn import_lines(report: &crate::import::ImportReport, shown: &str) -> String {
    use crate::import::FileAction;
    let mut lines = Vec::new();
    for file in &report.files {
        let verb = match (file.action, report.dry_run) {
            (FileAction::Create, false) => "created",
            (FileAction::Replace, false) => "replaced",
            (FileAction::Create, true) => "would create",
            (FileAction::Replace, true) => "would replace",
            _ => continue,
        };
        lines.push(format!("{verb} {}", file.path.display()));
    }
    if !report.drafts.is_empty() {
        let count: usize = report.drafts.iter().map(|(_, n)| n).sum();
        let reasons: Vec<String> = report
            .drafts
            .iter()
            .map(|(reason, n)| format!("{n} with {reason}"))
            .collect();
        lines.push(format!(
            "{} {}, which serum build leaves out: {}",
            if report.dry_run {
                "would mark"
            } else {
                "marked"
            },
            plural(count, "page as a draft", "pages as drafts"),
            reasons.join(", ")
        ));
    }
    if report.skipped_untitled > 0 {
        let n = report.skipped_untitled;
        lines.push(format!(
            "skipped {n} empty \"Untitled\" {}: no title and no text",
            if n == 1 { "page" } else { "pages" }
        ));
    }
    let sections = match report.sections {
        0 => String::new(),
        n => format!("{}, ", plural(n, "section", "sections")),
    };
    let what = format!(
        "{sections}{}, {} and {}",
        plural(report.pages, "page", "pages"),
        plural(report.authors, "author", "authors"),
        plural(report.assets, "asset", "assets")
    );
    let files = plural(report.written(), "file", "files");
    let rest = format!(
        "{} unchanged, {}",
        report.unchanged(),
        plural(report.warnings.len(), "warning", "warnings")
    );
    lines.push(if report.dry_run {
        format!("Dry run: would import {what} from {shown}: {files} to write, {rest}; nothing was written")
    } else {
        format!("Imported {what} from {shown}: {files} written, {rest}")
    });
    lines.join("\n")
}
