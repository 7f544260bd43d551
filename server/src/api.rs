//! The JSON API under `/api/v1`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use cunbao_domain::api::Health;

use crate::error::ApiError;
use crate::{db, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .fallback(|uri: axum::http::Uri| async move { ApiError::NotFound(uri.path().to_string()) })
}

async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let migrations = db::migrations_applied(&state.db).await?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        migrations,
    }))
}
