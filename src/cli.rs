//! The command line: one `Args` struct per command, each with `run()`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::error::{Diagnostic, Result};
use crate::output::{StagedDir, absolute};
use crate::site::{BuildOptions, BuildReport, Site};

/// serum: turns Markdown content and a theme into a static website.
#[derive(Debug, Parser)]
#[command(name = "serum", version, about, long_about = None, propagate_version = true)]
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
}

impl Cli {
    /// Runs the chosen command.
    pub fn run(self) -> Result<ExitCode> {
        match self.command {
            Command::Build(args) => args.run(),
            Command::Serve(args) => args.run(),
            Command::Init(args) => args.run(),
            Command::Check(args) => args.run(),
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
    /// Replace the output directory even if serum did not create it
    #[arg(long)]
    force: bool,
}

impl BuildArgs {
    /// Builds the site and swaps it into the output directory.
    pub fn run(self) -> Result<ExitCode> {
        let root = absolute(&self.root);
        let overrides = Overrides {
            theme: self.theme,
            base_url: self.base_url,
        };
        let config = Config::load(&root, &overrides)?;
        let output_dir = self
            .output
            .map(|o| absolute(&o))
            .unwrap_or_else(|| root.join("public"));
        let staged = StagedDir::prepare(&output_dir, &config, self.force)?;
        let mut site = Site::load(
            config,
            BuildOptions {
                drafts: self.drafts,
                live_reload: None,
                fingerprint_assets: true,
                process_images: true,
            },
        )?;
        let report = site.render(&staged)?;
        let shown = staged.shown().to_path_buf();
        staged.commit()?;
        print_warnings(&report.warnings);
        println!("{}", summary_line(&report, &shown));
        Ok(ExitCode::SUCCESS)
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
    /// Open the site in a web browser
    #[arg(long)]
    open: bool,
}

impl ServeArgs {
    /// Serves the site until Ctrl-C; never touches the output directory.
    pub fn run(self) -> Result<ExitCode> {
        crate::serve::serve(crate::serve::ServeOptions {
            root: self.root,
            bind: self.bind,
            port: self.port,
            theme: self.theme,
            drafts: self.drafts,
            open: self.open,
        })
    }
}

fn print_warnings(warnings: &[Diagnostic]) {
    for warning in warnings {
        eprintln!("{}", warning.as_warning());
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "Built 1 page, 1 section, 1 author and 4 static files into public/ in 7 ms"
fn summary_line(report: &BuildReport, output: &Path) -> String {
    let mut shown = output.display().to_string();
    if !shown.ends_with('/') {
        shown.push('/');
    }
    format!(
        "Built {}, {}, {} and {} into {shown} in {} ms",
        plural(report.pages, "page", "pages"),
        plural(report.sections, "section", "sections"),
        plural(report.authors, "author", "authors"),
        plural(report.static_files, "static file", "static files"),
        report.elapsed.as_millis()
    )
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
    /// Checks the site, prints every problem and a count, and fails when there is any.
    pub fn run(self) -> Result<ExitCode> {
        let options = crate::check::CheckOptions {
            theme: self.theme,
            drafts: self.drafts,
            external: self.external,
        };
        let mut report = crate::check::check(&absolute(&self.root), &options)
            .unwrap_or_else(crate::check::CheckReport::from_error);
        if self.strict {
            report.problems.append(&mut report.warnings);
            report.problems = crate::error::Error::from_problems(report.problems)
                .problems()
                .to_vec();
        }
        print_warnings(&report.warnings);
        for problem in &report.problems {
            eprintln!("{problem}");
        }
        if report.problems.is_empty() {
            println!(
                "No problems found in {}.",
                plural(report.pages, "page", "pages")
            );
            return Ok(ExitCode::SUCCESS);
        }
        let mut count = format!(
            "error: {} found",
            plural(report.problems.len(), "problem", "problems")
        );
        if !report.warnings.is_empty() {
            count.push_str(&format!(
                ", {}",
                plural(report.warnings.len(), "warning", "warnings")
            ));
        }
        eprintln!("{count}");
        Ok(ExitCode::from(1))
    }
}
