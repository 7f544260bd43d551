//! Township staff publish a catalogue or a policy: the same engine as `cunbao-server publish`
//! ([`crate::publishing`]). The file is checked whole and compared with the version in force;
//! unless it is a dry run, it is published as an immutable version, with an audit entry naming
//! who published it. Tablets receive it on their next sync.

use axum::extract::State;
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::publishing::{
    diff_summary, CataloguePublication, PolicyPublication, PublishCatalogueRequest,
    PublishPolicyRequest,
};

use super::ApiJson;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::publishing::{self, Publisher};
use crate::AppState;

/// Township staff: check a catalogue (CSV), see what it changes against the catalogue in force
/// on its day, and publish it (unless `dry_run`).
#[utoipa::path(post, path = "/publish/catalogue", tag = "publishing", security(("bearer" = [])),
    request_body = PublishCatalogueRequest,
    responses((status = 200, body = CataloguePublication),
        (status = 400, description = "Bad input; a CSV with wrong lines is `catalogue_lines` and lists every line", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 409, description = "The version is published already (`version_exists`)", body = ApiErrorBody),
        (status = 413, description = "Body over the limit", body = ApiErrorBody)))]
pub async fn catalogue(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PublishCatalogueRequest>,
) -> Result<Json<CataloguePublication>, ApiError> {
    caller.require_township_staff()?;
    let effective_from = request.effective_from;
    let version = request
        .version
        .unwrap_or_else(|| publishing::default_catalogue_version(effective_from));
    let plan =
        publishing::plan_catalogue(&state.db, &request.csv, &version, effective_from).await?;
    if !request.dry_run {
        publishing::publish_catalogue(&state.db, &plan, &Publisher::caller(&caller)).await?;
    }
    Ok(Json(CataloguePublication {
        version: plan.catalogue.version,
        effective_from,
        items: plan.catalogue.items.len(),
        against: plan.in_force,
        summary: diff_summary(&plan.diff),
        diff: plan.diff,
        published: !request.dry_run,
    }))
}

/// Township staff: check a policy, see what differs from the latest published for its year,
/// and publish it (unless `dry_run`), effective from its coverage start unless told otherwise.
#[utoipa::path(post, path = "/publish/policy", tag = "publishing", security(("bearer" = [])),
    request_body = PublishPolicyRequest,
    responses((status = 200, body = PolicyPublication),
        (status = 400, description = "Bad input; a policy that does not read or is inconsistent is `invalid_policy`", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 409, description = "The version is published already (`version_exists`)", body = ApiErrorBody),
        (status = 413, description = "Body over the limit", body = ApiErrorBody)))]
pub async fn policy(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<PublishPolicyRequest>,
) -> Result<Json<PolicyPublication>, ApiError> {
    caller.require_township_staff()?;
    let json = request.policy.to_string();
    let plan = publishing::plan_policy(&state.db, &json, request.effective_from).await?;
    if !request.dry_run {
        publishing::publish_policy(&state.db, &plan, &Publisher::caller(&caller)).await?;
    }
    Ok(Json(PolicyPublication {
        version: plan.policy.version,
        scheme_year: plan.policy.scheme_year,
        effective_from: plan.effective_from,
        changes: plan.changes,
        published: !request.dry_run,
    }))
}
