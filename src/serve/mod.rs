//! `serum serve`: build into a private folder, serve it over HTTP, rebuild on every save and
//! tell open tabs to reload.

pub mod changes;
mod server;
mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use crate::config::{Config, Overrides};
use crate::error::{Diagnostic, Error, Result};
use crate::output::StagedDir;
use crate::site::{BuildOptions, Site};
use changes::Plan;

/// The URL path of the live reload script, outside any site path.
pub const LIVE_RELOAD_SCRIPT: &str = "/__serum/live-reload.js";

/// What `serum serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site's folder.
    pub root: PathBuf,
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// A theme other than serum.toml's.
    pub theme: Option<String>,
    /// Build drafts too.
    pub drafts: bool,
    /// Open the site in a browser once it is served.
    pub open: bool,
}

/// A message to open tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Reload the page.
    Reload,
    /// Swap stylesheets only.
    Styles,
    /// The last change did not build: show this message.
    Failed(String),
    /// The server is stopping: end the event stream.
    Stopping,
}

/// What the server and the rebuilder share.
pub struct State {
    site_dir: PathBuf,
    notices: broadcast::Sender<(u64, Notice)>,
    status: Mutex<Status>,
}

#[derive(Debug, Clone, Default)]
struct Status {
    build: u64,
    error: Option<String>,
    /// Whether any build succeeded, so that there is a site to serve.
    has_site: bool,
}

impl State {
    fn status(&self) -> Status {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn publish(&self, notice: Notice) {
        let build = {
            let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
            status.build += 1;
            status.error = match &notice {
                Notice::Failed(message) => Some(message.clone()),
                _ => None,
            };
            status.has_site |= status.error.is_none();
            status.build
        };
        // Nobody listening is fine: no tab is open.
        let _ = self.notices.send((build, notice));
    }

    /// Records that the first build succeeded, which tabs need not hear of.
    fn first_build_succeeded(&self) {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .has_site = true;
    }

    /// Ends every open event stream, so that their connections can close.
    fn stop(&self) {
        let build = self.status().build;
        let _ = self.notices.send((build, Notice::Stopping));
    }
}

/// Runs the preview server until Ctrl-C.
pub fn serve(options: ServeOptions) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::new(format!("cannot start the server: {e}")))?;
    let result = runtime.block_on(run(options));
    // A file still being read for a client that is gone must not hold up the exit.
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}

async fn run(options: ServeOptions) -> Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind((options.bind, options.port))
        .await
        .map_err(|e| bind_error(&options, &e))?;
    let address = listener
        .local_addr()
        .map_err(|e| Diagnostic::new(format!("cannot read the server's address: {e}")))?;
    if !options.bind.is_loopback() {
        eprintln!(
            "warning: serving on {address}: the preview is visible to other machines on the network"
        );
    }
    let workdir = tempfile::Builder::new()
        .prefix("serum-serve-")
        .tempdir()
        .map_err(|e| {
            Diagnostic::new(format!(
                "cannot create a temporary folder for the preview: {e}"
            ))
        })?;
    let state = Arc::new(State {
        site_dir: workdir.path().join("site"),
        notices: broadcast::channel(256).0,
        status: Mutex::new(Status::default()),
    });
    let mut builder = Rebuilder::new(&options, address, state.site_dir.clone());
    match builder.full() {
        Ok(_) => state.first_build_succeeded(),
        Err(error) => {
            eprintln!("{error}");
            state.publish(Notice::Failed(error.to_string()));
        }
    }
    let root = builder.root.clone();
    let watcher = watch::start(&root, builder, state.clone())?;
    let url = format!("http://{address}/");
    println!("Serving at {url}");
    if options.open {
        open_browser(&url);
    }
    server::serve(listener, state, shutdown_signal()).await;
    drop(watcher);
    Ok(ExitCode::SUCCESS)
}

fn bind_error(options: &ServeOptions, error: &std::io::Error) -> Error {
    let place = SocketAddr::new(options.bind, options.port);
    if error.kind() == std::io::ErrorKind::AddrInUse {
        Diagnostic::new(format!("port {} is already in use on {}", options.port, options.bind))
            .hint("stop the other server, pick another port with --port N, or use --port 0 for any free port")
            .into()
    } else {
        Diagnostic::new(format!(
            "cannot listen on {place}: {}",
            crate::error::describe_io(error)
        ))
        .hint("check the --bind address; 127.0.0.1 always works")
        .into()
    }
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        eprintln!("warning: cannot open a browser ({opener}: {e}); open {url} yourself");
    }
}

/// Keeps the loaded site between rebuilds and applies plans to it.
pub struct Rebuilder {
    root: PathBuf,
    overrides: Overrides,
    options: BuildOptions,
    site_dir: PathBuf,
    site: Option<Site>,
}

impl Rebuilder {
    fn new(options: &ServeOptions, address: SocketAddr, site_dir: PathBuf) -> Rebuilder {
        let root = crate::output::absolute(&options.root);
        let root = root.canonicalize().unwrap_or(root);
        Rebuilder {
            root,
            overrides: Overrides {
                theme: options.theme.clone(),
                base_url: Some(format!("http://{address}/")),
            },
            options: BuildOptions {
                drafts: options.drafts,
                live_reload: Some(LIVE_RELOAD_SCRIPT.into()),
                fingerprint_assets: false,
                process_images: true,
            },
            site_dir,
            site: None,
        }
    }

    /// The theme in use, for the change classifier.
    fn theme(&self) -> String {
        self.site
            .as_ref()
            .map(|s| s.config().theme.clone())
            .unwrap_or_default()
    }

    /// Rebuilds everything; returns the number of pages rendered.
    fn full(&mut self) -> Result<usize> {
        self.site = None;
        let config = Config::load(&self.root, &self.overrides)?;
        let output = StagedDir::prepare(&self.site_dir, &config, true)?;
        let mut site = Site::load(config, self.options.clone())?;
        let report = site.render(&output)?;
        output.commit()?;
        for warning in &report.warnings {
            eprintln!("{}", warning.as_warning());
        }
        self.site = Some(site);
        Ok(report.pages + report.sections + report.authors + 2)
    }

    /// Applies a plan; returns what to tell open tabs and a line for the terminal.
    fn apply(&mut self, plan: Plan) -> Option<(Notice, String)> {
        let started = Instant::now();
        let (what, result, notice) = match plan {
            Plan::Nothing => return None,
            Plan::Full(path) => (
                path,
                self.full().map(|n| format!("{n} pages")),
                Notice::Reload,
            ),
            Plan::Pages(paths) => {
                let output = crate::output::LiveDir::new(&self.site_dir);
                let updated = match self.site.as_mut() {
                    Some(site) => site.update_pages(&paths, &output),
                    None => Ok(None),
                };
                let result = match updated {
                    Ok(Some(n)) => Ok(format!("{n} pages")),
                    Ok(None) => self.full().map(|n| format!("{n} pages")),
                    Err(error) => Err(error),
                };
                (shown_list(&paths), result, Notice::Reload)
            }
            Plan::Static(paths) | Plan::Styles(paths) if self.site.is_none() => (
                shown_list(&paths),
                self.full().map(|n| format!("{n} pages")),
                Notice::Reload,
            ),
            Plan::Static(paths) => (shown_list(&paths), self.copy_static(&paths), Notice::Reload),
            Plan::Styles(paths) => (shown_list(&paths), self.copy_static(&paths), Notice::Styles),
        };
        let ms = started.elapsed().as_millis();
        Some(match result {
            Ok(done) => (
                notice,
                format!("Rebuilt after {what} changed: {done} in {ms} ms"),
            ),
            Err(error) => {
                eprintln!("{error}");
                (
                    Notice::Failed(error.to_string()),
                    format!(
                        "Build failed after {what} changed ({ms} ms); still serving the last good build"
                    ),
                )
            }
        })
    }

    fn copy_static(&mut self, paths: &[PathBuf]) -> Result<String> {
        let Some(site) = self.site.as_mut() else {
            return self.full().map(|n| format!("{n} pages"));
        };
        let output = crate::output::LiveDir::new(&self.site_dir);
        let copied = site.copy_changed_static(paths, &output)?;
        Ok(format!("{copied} static files"))
    }
}

fn shown_list(paths: &[PathBuf]) -> String {
    match paths {
        [] => String::new(),
        [one] => one.display().to_string(),
        [first, rest @ ..] => format!("{} and {} more", first.display(), rest.len()),
    }
}

/// The site path a file under `root` is shown as.
pub fn relative(root: &Path, path: &Path) -> Option<PathBuf> {
    path.strip_prefix(root).ok().map(Path::to_path_buf)
}
