//! The preview's HTTP side: the built files, the live reload script and its event stream.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
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
        .layer(axum::middleware::map_response(no_cache))
        .with_state(state)
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
    let status = state.status();
    let hello = serde_json::json!({ "build": status.build, "error": status.error });
    let first = tokio_stream::once(Ok(Event::default().event("hello").data(hello.to_string())));
    let updates = BroadcastStream::new(state.notices.subscribe()).filter_map(|notice| {
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
