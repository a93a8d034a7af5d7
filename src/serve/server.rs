//! The preview's HTTP side: the built files, the live reload script and its event stream.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::services::{ServeDir, ServeFile};

use super::{LIVE_RELOAD_SCRIPT, Notice, State};

const SCRIPT: &str = include_str!("live-reload.js");

/// The routes: `/__serum/…` for live reload, everything else from the built site.
pub fn router(state: Arc<State>) -> Router {
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
        .layer(axum::middleware::map_response(no_cache))
        .with_state(state)
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
        SCRIPT,
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
    let updates = BroadcastStream::new(notices).filter_map(|notice| {
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
        };
        Some(Ok(event))
    });
    Sse::new(first.chain(updates)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
