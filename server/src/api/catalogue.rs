use axum::extract::State;
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::policy::Policy;
use cunbao_domain::sync::CataloguePage;
use serde::Deserialize;

use super::ApiQuery;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;

/// Largest catalogue page.
pub const MAX_PAGE: u64 = 5_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Index of the first item (0 at first).
    #[serde(default)]
    offset: u64,
    /// Page size (at most 5,000; default 2,000).
    #[serde(default = "default_limit")]
    limit: u64,
}

fn default_limit() -> u64 {
    2_000
}

/// A page of the catalogue in force, for device setup (any signed-in user).
#[utoipa::path(get, path = "/catalogue", tag = "catalogue", security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = CataloguePage), (status = 400, description = "Bad input", body = ApiErrorBody), (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody), (status = 403, description = "Not the caller's role or territory", body = ApiErrorBody)))]
pub async fn page(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<CataloguePage>, ApiError> {
    let in_force = state.in_force().await?;
    let catalogue = &in_force.catalogue;
    let total = catalogue.items.len() as u64;
    let start = query.offset.min(total) as usize;
    let end = query
        .offset
        .saturating_add(query.limit.clamp(1, MAX_PAGE))
        .min(total) as usize;
    Ok(Json(CataloguePage {
        version: catalogue.version.clone(),
        published_on: catalogue.published_on,
        total,
        offset: start as u64,
        items: catalogue.items[start..end].to_vec(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PolicyQuery {
    /// A published version; without it, the policy in force.
    #[serde(default)]
    version: Option<String>,
}

/// A published policy (the one in force, or the version asked for).
#[utoipa::path(get, path = "/policy", tag = "catalogue", security(("bearer" = [])),
    params(PolicyQuery),
    responses((status = 200, body = Policy), (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 400, description = "No such published version", body = ApiErrorBody)))]
pub async fn policy(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<PolicyQuery>,
) -> Result<Json<Policy>, ApiError> {
    let in_force = state.in_force().await?;
    let policy = match &query.version {
        None => Some(in_force.policy.as_ref()),
        Some(version) => in_force.policy(version),
    };
    policy.cloned().map(Json).ok_or_else(|| {
        let version = query.version.unwrap_or_default();
        ApiError::bad(
            "unknown_policy",
            format!("没有已发布的政策版本{version}"),
            format!("No published policy version {version}"),
        )
    })
}
