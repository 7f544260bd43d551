use axum::extract::State;
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::devices::HandshakeQuery;
use cunbao_domain::sync::{
    Handshake, MutationResult, PullResponse, PushRequest, PushResponse, MAX_BATCH,
};
use serde::Deserialize;

use super::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::{sync, AppState};

/// Start of every sync: server epoch, this device's last applied sequence, versions in force.
/// The device says what it holds not yet uploaded and its app version (kept for the township's
/// device list); a token due for renewal is answered with a fresh one.
#[utoipa::path(get, path = "/sync/handshake", tag = "sync", security(("bearer" = [])),
    params(HandshakeQuery),
    responses((status = 200, body = Handshake), (status = 400, description = "Bad input", body = ApiErrorBody), (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody), (status = 403, description = "Not the caller's role or territory", body = ApiErrorBody)))]
pub async fn handshake(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(report): ApiQuery<HandshakeQuery>,
) -> Result<Json<Handshake>, ApiError> {
    let in_force = state.in_force().await?;
    let mut answer = sync::handshake(&state.db, &caller, &in_force).await?;
    answer.renewed_token = crate::handshake::at_handshake(&state, &caller, &report).await?;
    Ok(Json(answer))
}

/// A batch of this device's mutations, applied in order and exactly once; with `pull_after`,
/// the answer also carries the caller's changes after that cursor, read once the batch has
/// committed (the round's first pull, without a request of its own). The body may come
/// gzipped (`Content-Encoding: gzip`), as a tablet sends a large batch.
#[utoipa::path(post, path = "/sync/push", tag = "sync", security(("bearer" = [])),
    params(PushQuery),
    request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 400, description = "Bad input", body = ApiErrorBody), (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody), (status = 403, description = "Not the caller's role or territory", body = ApiErrorBody),
        (status = 409, description = "Device revoked or sequence conflict", body = ApiErrorBody),
        (status = 413, description = "Body over the limit (counted unpacked when sent with `Content-Encoding: gzip`)", body = ApiErrorBody),
        (status = 415, description = "A `Content-Encoding` other than gzip")))]
pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PushQuery>,
    ApiJson(request): ApiJson<RawPushRequest>,
) -> Result<Json<PushAnswer>, ApiError> {
    if request.mutations.len() > MAX_BATCH {
        return Err(ApiError::bad(
            "batch_too_large",
            format!("每批最多{MAX_BATCH}条，请分批上传"),
            format!("At most {MAX_BATCH} mutations per batch; send smaller batches"),
        ));
    }
    let in_force = state.in_force().await?;
    let started = std::time::Instant::now();
    let answer = sync::push_raw(
        &state.db,
        &state.writers,
        &in_force,
        &caller,
        request.mutations,
    )
    .await;
    state.metrics.push(started.elapsed(), answer.as_ref().ok());
    let PushResponse {
        results,
        last_applied_seq,
        ..
    } = answer?;
    let pulled = match query.pull_after {
        Some(after) => Some(page_after(&state, &caller, after, query.pull_limit).await?),
        None => None,
    };
    Ok(Json(PushAnswer {
        results,
        last_applied_seq,
        pulled,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PushQuery {
    /// Also answer the caller's changes after this cursor (`pulled`), as a pull from it would.
    pull_after: Option<u64>,
    /// The most changes `pulled` holds (at most 5,000; default 1,000).
    #[serde(default = "default_limit")]
    pull_limit: u32,
}

/// [`PushResponse`] as written: its `pulled` page with the changes as stored
/// ([`sync::PulledPage`]), not parsed and written out again.
#[derive(Debug, serde::Serialize)]
pub struct PushAnswer {
    results: Vec<MutationResult>,
    last_applied_seq: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pulled: Option<sync::PulledPage>,
}

/// A pushed batch as it arrives ([`PushRequest`] is its shape): each mutation's body is read
/// on its own, so one that cannot be read is refused alone.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPushRequest {
    mutations: Vec<sync::reading::RawMutation>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// The cursor of the last change already held (0 at first).
    #[serde(default)]
    after: u64,
    /// Page size (at most 5,000; default 1,000).
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    1_000
}

/// The caller's changes after a cursor, scoped to what the caller may see.
#[utoipa::path(get, path = "/sync/pull", tag = "sync", security(("bearer" = [])),
    params(PullQuery),
    responses((status = 200, body = PullResponse), (status = 400, description = "Bad input", body = ApiErrorBody), (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody), (status = 403, description = "Not the caller's role or territory", body = ApiErrorBody)))]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<Json<sync::PulledPage>, ApiError> {
    Ok(Json(
        page_after(&state, &caller, query.after, query.limit).await?,
    ))
}

/// The caller's changes after `after` (a pull, or the page a push brings back), counted in the
/// metrics. The changes as stored: the shape of `PullResponse`, not parsed and written out again.
async fn page_after(
    state: &AppState,
    caller: &Caller,
    after: u64,
    limit: u32,
) -> Result<sync::PulledPage, ApiError> {
    let page = sync::pull(&state.db, caller, after, limit).await?;
    state.metrics.pull(page.changes.len(), page.more);
    Ok(page)
}
