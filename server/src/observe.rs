//! Request tracing and counting: every request runs in a `request` span carrying its method,
//! route pattern (never the raw path, which holds ids), client address (through trusted proxies,
//! [`ClientAddress`]), status and latency, and — once the caller is known — the user name and
//! device id (recorded by the [`Caller`] extractor and by sign-in). When it is answered, one
//! line is logged (target `cunbao::access`; health checks at debug) and it is counted in
//! [`Metrics`]. Tokens, passwords, ID numbers and bodies are never
//! recorded.
//!
//! [`Caller`]: crate::auth::Caller
//! [`ClientAddress`]: crate::client_address::ClientAddress
//! [`Metrics`]: crate::metrics::Metrics

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tracing::field::Empty;
use tracing::Instrument;

use crate::app_state::AppState;
use crate::client_address::ClientAddress;

/// The route label of a request: its route pattern, `client` for the built app's files and
/// client-side routes, `unmatched` for an unknown `/api` path.
fn route_of(request: &Request) -> String {
    match request.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_string(),
        None if request.uri().path() == "/api" || request.uri().path().starts_with("/api/") => {
            "unmatched".to_string()
        }
        None => "client".to_string(),
    }
}

/// The middleware (`axum::middleware::from_fn_with_state`).
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = route_of(&request);
    let client = ClientAddress::of(
        request.extensions(),
        request.headers(),
        &state.trusted_proxies,
    );
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        client = Empty,
        status = Empty,
        latency_ms = Empty,
        user = Empty,
        device = Empty,
    );
    if let ClientAddress(Some(client)) = client {
        span.record("client", tracing::field::display(client));
    }
    let started = Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    let status = response.status();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.record("status", status.as_u16());
    span.record("latency_ms", (latency_ms * 1000.0).round() / 1000.0);
    state.metrics.request(&route, status);
    let _in = span.enter();
    if status.is_server_error() {
        tracing::warn!(target: "cunbao::access", "answered");
    } else if route == "/api/v1/health" {
        tracing::debug!(target: "cunbao::access", "answered");
    } else {
        tracing::info!(target: "cunbao::access", "answered");
    }
    response
}

/// What the metrics address serves: `GET /metrics`, and 404 for anything else.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn metrics(State(state): State<AppState>) -> Response {
    let audit_entries = match crate::audit::chain_head(&state.db).await {
        Ok(head) => Some(head.entries),
        Err(err) => {
            tracing::warn!(%err, "audit chain head unreadable for /metrics");
            None
        }
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(audit_entries),
    )
        .into_response()
}
