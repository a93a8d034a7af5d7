//! The preview's HTTP side: connections, the built files, the live reload script and its
//! event stream, and the error page shown while the site has never built.

use std::convert::Infallible;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::services::{ServeDir, ServeFile};

use super::{LIVE_RELOAD_SCRIPT, Notice, State};

/// How long a client may take to send a request's head. Then its connection is closed, so
/// that clients sending half a request (a slowloris) cannot hold connections for ever.
const HEADER_TIMEOUT: Duration = Duration::from_secs(20);

/// How long responses under way may take to finish once the server is asked to stop.
const STOP_GRACE: Duration = Duration::from_millis(500);

/// How the build error looks, in the overlay and on the error page alike.
const ERROR_CSS: &str = include_str!("error.css");

/// The live reload script, carrying the error stylesheet for its overlay.
static SCRIPT: LazyLock<String> = LazyLock::new(|| {
    let css = serde_json::Value::from(ERROR_CSS).to_string();
    include_str!("live-reload.js").replacen("\"/* error.css */\"", &css, 1)
});

/// Serves HTTP/1.1 on `listener` until `stop` completes, then gives responses under way
/// `STOP_GRACE` to finish.
pub async fn serve(listener: TcpListener, state: Arc<State>, stop: impl Future<Output = ()>) {
    let app = router(state.clone());
    // Dropping the sender tells every connection to finish its response and close.
    let (stopping, _) = watch::channel(());
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, app.clone(), stopping.subscribe()));
                }
                // Out of file descriptors, say: wait for some to close instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
        }
    }
    drop(listener);
    state.stop();
    drop(stopping);
    let finished = async { while connections.join_next().await.is_some() {} };
    // Past the grace, the rest (a stalled request, a slow download) are dropped with the set.
    let _ = tokio::time::timeout(STOP_GRACE, finished).await;
}

async fn serve_connection(stream: TcpStream, app: Router, mut stopping: watch::Receiver<()>) {
    let _ = stream.set_nodelay(true);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
    tokio::pin!(connection);
    tokio::select! {
        // A client that went away or timed out is no error of the server's.
        _ = connection.as_mut() => return,
        _ = stopping.changed() => connection.as_mut().graceful_shutdown(),
    }
    let _ = connection.await;
}

/// The routes: `/__serum/…` for live reload, everything else from the built site.
fn router(state: Arc<State>) -> Router {
    let files = ServeDir::new(&state.site_dir)
        .append_index_html_on_directories(true)
        .not_found_service(ServeFile::new(state.site_dir.join("404.html")));
    Router::new()
        .route(LIVE_RELOAD_SCRIPT, get(script))
        .route("/__serum/events", get(events))
        .fallback_service(files)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            entity_tags,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            unbuilt_site,
        ))
        .layer(axum::middleware::map_response(no_cache))
        .with_state(state)
}

/// While the site has never built, every page is the error page, which reloads itself once
/// the site builds.
async fn unbuilt_site(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    request: Request,
    next: Next,
) -> Response {
    let status = state.status();
    match status.error {
        Some(message) if !status.has_site && asks_for_a_page(&request) => {
            error_page(status.build, &message)
        }
        _ => next.run(request).await,
    }
}

/// Whether a request is for a page of the site, not a stylesheet, an image or live reload.
fn asks_for_a_page(request: &Request) -> bool {
    let path = request.uri().path();
    let name = path.rsplit('/').next().unwrap_or_default();
    let accepts_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    matches!(*request.method(), Method::GET | Method::HEAD)
        && !path.starts_with("/__serum/")
        && (accepts_html || name.ends_with(".html") || !name.contains('.'))
}

/// The build error as a page of its own, with the live reload script.
fn error_page(build: u64, message: &str) -> Response {
    let mut shown = String::new();
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut shown, message);
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>serum: the site does not build</title>
<style>
body {{ margin: 0; padding: 0 16px; background: #e4e4e8; }}
@media (prefers-color-scheme: dark) {{ body {{ background: #0c0c0e; }} }}
{ERROR_CSS}</style>
</head>
<body>
<main id="serum-error-page" class="panel" role="alert" data-build="{build}">
<h1 class="title">serum: the site does not build</h1>
<pre>{shown}</pre>
<p class="note">Fix the file and save: this page reloads by itself once the site builds.</p>
</main>
<script src="{LIVE_RELOAD_SCRIPT}" defer></script>
</body>
</html>
"#
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

/// Conditional GET by ETag. ServeDir only sends Last-Modified, whose one-second grain would
/// answer "not modified" for a page rebuilt within the same second as the one a tab holds.
async fn entity_tags(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    mut request: Request,
    next: Next,
) -> Response {
    let tag = file_for(&state.site_dir, request.uri().path()).and_then(|file| entity_tag(&file));
    request.headers_mut().remove(header::IF_MODIFIED_SINCE);
    if let Some(tag) = &tag {
        let matches = request
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|wanted| {
                wanted
                    .split(',')
                    .any(|t| t.trim() == tag || t.trim() == "*")
            });
        if matches {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, tag.clone())]).into_response();
        }
    }
    let mut response = next.run(request).await;
    response.headers_mut().remove(header::LAST_MODIFIED);
    if let (Some(tag), true) = (tag, response.status() == StatusCode::OK) {
        if let Ok(value) = HeaderValue::from_str(&tag) {
            response.headers_mut().insert(header::ETAG, value);
        }
    }
    response
}

/// The file a URL path names inside the built site, if it is plainly inside it.
fn file_for(site: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(url_path)
        .decode_utf8()
        .ok()?;
    let mut file = site.to_path_buf();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            part if part.contains('\\') => return None,
            part => file.push(part),
        }
    }
    if decoded.ends_with('/') {
        file.push("index.html");
    }
    Some(file)
}

/// A tag that changes whenever the file's size or modification time (to the nanosecond) does.
fn entity_tag(file: &Path) -> Option<String> {
    let meta = std::fs::metadata(file).ok().filter(|m| m.is_file())?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("\"{:x}-{:x}\"", meta.len(), modified.as_nanos()))
}

/// The preview changes on every save: browsers must ask again each time (ETag/Last-Modified still apply).
async fn no_cache(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT.as_str(),
    )
}

async fn events(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before reading the status, so a rebuild finishing in between is not missed.
    let notices = state.notices.subscribe();
    let status = state.status();
    let hello = serde_json::json!({ "build": status.build, "error": status.error });
    let first = tokio_stream::once(Ok(Event::default().event("hello").data(hello.to_string())));
    let updates = BroadcastStream::new(notices)
        .take_while(|notice| !matches!(notice, Ok((_, Notice::Stopping))))
        .filter_map(|notice| {
            let (build, notice) = notice.ok()?;
            let event = match notice {
                Notice::Reload => Event::default()
                    .event("reload")
                    .data(serde_json::json!({ "build": build }).to_string()),
                Notice::Styles => Event::default()
                    .event("css")
                    .data(serde_json::json!({ "build": build }).to_string()),
                Notice::Failed(error) => Event::default()
                    .event("build-error")
                    .data(serde_json::json!({ "build": build, "error": error }).to_string()),
                Notice::Stopping => return None,
            };
            Some(Ok(event))
        });
    Sse::new(first.chain(updates)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
