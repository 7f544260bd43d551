//! The JSON API under `/api/v1`. Every endpoint but health and sign-in takes a [`Caller`] and
//! checks the caller's role and territory.
//!
//! Limits: request bodies up to [`BODY_LIMIT`] bytes (a push may come gzipped: counted unpacked); up to
//! `MAX_BATCH` mutations per push; pull pages of up to 5,000 changes.

mod auth;
mod cash;
mod catalogue;
mod dashboard;
mod devices;
mod json;
mod proposals;
mod publish;
pub mod qualifications;
mod quote;
mod review;
mod sampling;
mod statements;
mod sync;
mod township;
mod users;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::routing::get;
use axum::{Json, Router};
use cunbao_domain::api::Health;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use crate::auth::dummy_hash;
pub use crate::client_address::ClientAddress;
pub use json::{ApiJson, ApiPath, ApiQuery};

use crate::error::ApiError;
use crate::{db, AppState};

/// 4 MiB: a full batch of claims fits with room to spare.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The API and its OpenAPI description, built from the same handler list so the description
/// cannot drift from what is served.
pub fn router() -> Router<AppState> {
    let (router, spec) = described_routes().split_for_parts();
    let spec = Arc::new(spec);
    router
        .route(
            "/openapi.json",
            get(move || {
                let spec = Arc::clone(&spec);
                async move { Json(spec.as_ref().clone()) }
            }),
        )
        .fallback(|uri: axum::http::Uri| async move { ApiError::NotFound(uri.path().to_string()) })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // A push may come gzipped (a tablet's batch on a slow line); the limit above counts
        // it unpacked.
        .layer(tower_http::decompression::RequestDecompressionLayer::new())
        .layer(axum::middleware::from_fn(packed_only_for_push))
        // API answers are never kept by a browser or a proxy.
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
}

/// Only a push may come packed, and only with gzip: anywhere else a packed body is refused
/// before it is unpacked (a few kilobytes that unpack to the limit would cost the server far
/// more than the sender, on endpoints anyone may call, like the sign-in). A push is unpacked
/// only once its caller is known: its body is read after the token is checked.
async fn packed_only_for_push(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if let Some(encoding) = request.headers().get(axum::http::header::CONTENT_ENCODING) {
        let push =
            request.method() == axum::http::Method::POST && request.uri().path() == "/sync/push";
        if !(push && encoding.as_bytes().eq_ignore_ascii_case(b"gzip")) {
            return ApiError::ContentEncoding.into_response();
        }
    }
    next.run(request).await
}

/// The OpenAPI description of `/api/v1`.
pub fn openapi() -> OpenApi {
    described_routes().split_for_parts().1
}

fn described_routes() -> OpenApiRouter<AppState> {
    let mut spec = OpenApi::default();
    spec.info.title = "Cunbao 村保 API".into();
    spec.info.version = env!("CARGO_PKG_VERSION").into();
    spec.info.description = Some(
        "Sync and settlement API of Cunbao (ENGINEERING.md §3). Bodies up to 4 MiB; at most 500 \
         mutations per push; errors are `{code, message_zh, message_en}`."
            .into(),
    );
    spec.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    let mut components = utoipa::openapi::Components::new();
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    spec.components = Some(components);
    OpenApiRouter::with_openapi(spec)
        .routes(routes!(health))
        .routes(routes!(auth::sign_in))
        .routes(routes!(auth::sign_out))
        .routes(routes!(auth::revoke_device))
        .routes(routes!(sync::handshake))
        .routes(routes!(sync::push))
        .routes(routes!(sync::pull))
        .routes(routes!(township::records))
        .routes(routes!(devices::list))
        .routes(routes!(dashboard::dashboard))
        .routes(routes!(dashboard::table_csv))
        .routes(routes!(dashboard::report_csv))
        .routes(routes!(dashboard::set_target))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::change))
        .routes(routes!(qualifications::decide))
        .routes(routes!(review::queue))
        .routes(routes!(review::claim))
        .routes(routes!(review::decide))
        .routes(routes!(statements::list))
        .routes(routes!(statements::summary_csv))
        .routes(routes!(statements::one))
        .routes(routes!(statements::lines_csv))
        .routes(routes!(statements::issue))
        .routes(routes!(statements::paid))
        .routes(routes!(proposals::list, proposals::propose))
        .routes(routes!(proposals::decide))
        .routes(routes!(sampling::one))
        .routes(routes!(sampling::draw))
        .routes(routes!(sampling::finding))
        .routes(routes!(cash::hand_in))
        .routes(routes!(cash::township))
        .routes(routes!(cash::clinic))
        .routes(routes!(quote::quote))
        .routes(routes!(catalogue::page))
        .routes(routes!(catalogue::policy))
        .routes(routes!(publish::catalogue))
        .routes(routes!(publish::policy))
        .routes(routes!(publish::list))
        .routes(routes!(publish::decide))
}

/// Whether the server and its database answer (no sign-in needed).
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = Health)))]
async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let migrations = db::migrations_applied(&state.db).await?;
    let head = crate::audit::chain_head(&state.db).await?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        migrations,
        audit_entries: head.entries,
        audit_head: head.hash,
    }))
}
