use axum::extract::State;
use axum::Json;
use cunbao_domain::sync::{Handshake, PullResponse, PushRequest, PushResponse, MAX_BATCH};
use serde::Deserialize;

use super::{ApiJson, ApiQuery};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::{sync, AppState};

pub async fn handshake(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Handshake>, ApiError> {
    Ok(Json(
        sync::handshake(
            &state.db,
            &caller,
            &state.catalogue.version,
            &state.policy.version,
        )
        .await?,
    ))
}

pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if request.mutations.len() > MAX_BATCH {
        return Err(ApiError::bad(
            "batch_too_large",
            format!("每批最多{MAX_BATCH}条，请分批上传"),
            format!("At most {MAX_BATCH} mutations per batch; send smaller batches"),
        ));
    }
    Ok(Json(
        sync::push(
            &state.db,
            &state.write_lock,
            &state.catalogue,
            &caller,
            &request.mutations,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    #[serde(default)]
    after: u64,
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    1_000
}

pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    Ok(Json(
        sync::pull(&state.db, &caller, query.after, query.limit).await?,
    ))
}
