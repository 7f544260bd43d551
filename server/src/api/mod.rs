//! The JSON API under `/api/v1`. Every endpoint but health and sign-in takes a [`Caller`] and
//! checks the caller's role and territory.
//!
//! Limits: request bodies up to [`BODY_LIMIT`] bytes; up to `MAX_BATCH` mutations per push;
//! pull pages of up to 5,000 changes.

mod auth;
mod catalogue;
mod json;
mod quote;
mod sync;
mod township;

use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use cunbao_domain::api::Health;

pub use auth::dummy_hash;
pub use json::{ApiJson, ApiQuery};

use crate::error::ApiError;
use crate::{db, AppState};

/// 4 MiB: a full batch of claims fits with room to spare.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/auth/sign-in", post(auth::sign_in))
        .route("/devices/{id}/revoke", post(auth::revoke_device))
        .route("/sync/handshake", get(sync::handshake))
        .route("/sync/push", post(sync::push))
        .route("/sync/pull", get(sync::pull))
        .route("/township/records", get(township::records))
        .route("/quote", post(quote::quote))
        .route("/catalogue", get(catalogue::page))
        .route("/policy", get(catalogue::policy))
        .fallback(|uri: axum::http::Uri| async move { ApiError::NotFound(uri.path().to_string()) })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let migrations = db::migrations_applied(&state.db).await?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        migrations,
    }))
}
