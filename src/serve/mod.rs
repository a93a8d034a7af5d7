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
use crate::site::{BuildOptions, BuildState, Site};
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
    /// Build pages dated in the future too.
    pub future: bool,
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

/// Runs the preview server until Ctrl-C (or SIGTERM, or SIGHUP).
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
    let mut builder = Rebuilder::new(&options, address, workdir.path());
    let state = Arc::new(State {
        site_dir: builder.site_dir.clone(),
        notices: broadcast::channel(256).0,
        status: Mutex::new(Status::default()),
    });
    match builder.build() {
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

/// Waits for Ctrl-C, or on Unix for the signals that also mean "stop": SIGTERM (`kill`, a
/// process manager, a container stopping) and SIGHUP (the terminal closed). Each ends the
/// server the same way, so that its temporary folder is removed whichever came.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(mut terminate), Ok(mut hangup)) => tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
                _ = hangup.recv() => {}
            },
            // Without those handlers the signals keep their default and end the process.
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
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

/// Rebuilds the preview: the same build as `serum build`, into the preview's folder, keeping
/// in memory what the last build made so that a save costs what it changed.
pub struct Rebuilder {
    root: PathBuf,
    overrides: Overrides,
    options: BuildOptions,
    site_dir: PathBuf,
    shadow_dir: PathBuf,
    state: BuildState,
    theme: String,
}

impl Rebuilder {
    fn new(options: &ServeOptions, address: SocketAddr, workdir: &Path) -> Rebuilder {
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
                future: options.future,
                live_reload: Some(LIVE_RELOAD_SCRIPT.into()),
                fingerprint_assets: false,
                process_images: true,
                search_index: true,
            },
            site_dir: workdir.join("site"),
            shadow_dir: workdir.join("shadow"),
            state: BuildState::default(),
            theme: String::new(),
        }
    }

    /// The theme in use, for the change classifier.
    fn theme(&self) -> String {
        self.theme.clone()
    }

    /// Builds the site; returns how many files were written.
    fn build(&mut self) -> Result<usize> {
        let config = Config::load(&self.root, &self.overrides)?;
        self.theme = config.theme.clone();
        let output = StagedDir::prepare(
            &self.site_dir,
            &config,
            true,
            &self.state.output,
            Some(&self.shadow_dir),
        )?;
        let mut site = Site::load(config, self.options.clone());
        let report = site.render(&output, &mut self.state);
        if report.has_errors() {
            output.abandon(&mut self.state.output);
            return Err(Error::from_problems(report.diagnostics));
        }
        output.commit(&mut self.state.output)?;
        for warning in report.warnings() {
            eprintln!("{warning}");
        }
        Ok(report.written)
    }

    /// Applies a plan; returns what to tell open tabs and a line for the terminal.
    fn apply(&mut self, plan: Plan) -> Option<(Notice, String)> {
        let started = Instant::now();
        let (what, notice) = match plan {
            Plan::Nothing => return None,
            Plan::Full(path) => (path, Notice::Reload),
            Plan::Pages(paths) | Plan::Static(paths) => (shown_list(&paths), Notice::Reload),
            Plan::Styles(paths) => (shown_list(&paths), Notice::Styles),
        };
        let result = self.build();
        let ms = started.elapsed().as_millis();
        Some(match result {
            Ok(written) => (
                notice,
                format!(
                    "Rebuilt after {what} changed: {} written in {ms} ms",
                    crate::error::plural(written, "file", "files")
                ),
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
