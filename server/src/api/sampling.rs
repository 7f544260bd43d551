//! Sampling (结果质检) for township staff: a month's draw of a clinic's paid claims for a second
//! look (the policy's share, a fresh seed recorded), and the finding on each claim drawn — in
//! order, or a deduction with a standard reason that the clinic's statement takes back.

use axum::extract::State;
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::sampling::{Finding, FindingRequest, Sampling};
use serde_json::json;

use super::statements::{clinic_of, month, today};
use super::{ApiJson, ApiPath};
use crate::audit::AuditEntry;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::sampling::{self, Drawer};
use crate::AppState;

/// Township staff: the clinic's draw for the month (`null` before it is drawn).
#[utoipa::path(get, path = "/township/sampling/{clinic_id}/{month}", tag = "township", security(("bearer" = [])),
    params(("clinic_id" = String, Path, description = "The clinic"), ("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, description = "The draw, or null", body = Option<Sampling>),
        (status = 400, description = "Bad month or clinic (`bad_month`, `bad_clinic`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such clinic in the township (`unknown_clinic`)", body = ApiErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((clinic, month_text)): ApiPath<(String, String)>,
) -> Result<Json<Option<Sampling>>, ApiError> {
    let township = caller.require_township_staff()?;
    let (month, _, _) = month(&month_text)?;
    let mut conn = state.db.acquire().await?;
    let clinic = clinic_of(&mut conn, township, &clinic).await?;
    Ok(Json(sampling::read(&mut conn, &clinic, &month).await?))
}

/// Township staff: draws the policy's share of the clinic's claims paid in the month, once.
#[utoipa::path(post, path = "/township/sampling/{clinic_id}/{month}/draw", tag = "township", security(("bearer" = [])),
    params(("clinic_id" = String, Path, description = "The clinic"), ("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, description = "The draw", body = Sampling),
        (status = 400, description = "Bad month or clinic, or a month still to come (`bad_month`, `bad_clinic`, `future_month`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such clinic in the township (`unknown_clinic`)", body = ApiErrorBody),
        (status = 409, description = "Drawn already (`already_drawn`)", body = ApiErrorBody)))]
pub async fn draw(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((clinic, month_text)): ApiPath<(String, String)>,
) -> Result<Json<Sampling>, ApiError> {
    let township = caller.require_township_staff()?;
    let (month, first, last) = month(&month_text)?;
    if first > today() {
        return Err(ApiError::bad(
            "future_month",
            format!("{month}尚未开始，不能抽取"),
            format!("{month} has not begun: nothing can be drawn"),
        ));
    }
    let in_force = state.in_force().await?;
    // The share of the policy of the month's scheme year (the one in force today otherwise).
    let percent = in_force
        .policy_versions()
        .iter()
        .filter_map(|v| in_force.policy(v))
        .find(|p| (p.coverage_from..=p.coverage_to).contains(&first))
        .unwrap_or(&in_force.policy)
        .sampling_percent;
    let mut tx = state.writers.begin(&state.db).await?;
    let clinic = clinic_of(&mut tx, township, &clinic).await?;
    tx.lock_keys([sampling::sampling_id(&clinic.id, &month)])
        .await?;
    if sampling::read(&mut tx, &clinic, &month).await?.is_some() {
        return Err(ApiError::conflict(
            "already_drawn",
            format!("{}{month}已抽取，不能再次抽取", clinic.name),
            format!("{}'s claims of {month} are drawn already", clinic.name),
        ));
    }
    let by = Drawer {
        township,
        username: &caller.user.username,
        display_name: &caller.user.display_name,
    };
    let drawn =
        sampling::record_draw(&mut tx, &clinic, &month, (first, last), percent, &by).await?;
    let recorded = sampling::read(&mut tx, &clinic, &month)
        .await?
        .ok_or_else(|| ApiError::internal("a draw just recorded is missing"))?;
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "sampling_drawn",
        subject: &sampling::sampling_id(&clinic.id, &month),
        detail: &json!({
            "percent": percent, "seed": recorded.seed, "population": recorded.population,
            "drawn": drawn,
        }),
    });
    tx.commit().await?;
    Ok(Json(recorded))
}

/// Township staff: the finding on one claim drawn — in order, or a deduction (at most what the
/// fund paid) with one of the policy's standard reasons. Recorded once.
#[utoipa::path(post, path = "/township/sampling/{clinic_id}/{month}/findings", tag = "township", security(("bearer" = [])),
    params(("clinic_id" = String, Path, description = "The clinic"), ("month" = String, Path, description = "`YYYY-MM`")),
    request_body = FindingRequest,
    responses((status = 200, description = "The draw with the finding", body = Sampling),
        (status = 400, description = "Bad month, clinic or finding (`bad_month`, `bad_clinic`, `bad_finding`, `invalid_fields`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such clinic, or the claim was not drawn (`unknown_clinic`, `not_drawn`)", body = ApiErrorBody),
        (status = 409, description = "A finding is recorded already (`already_found`)", body = ApiErrorBody)))]
pub async fn finding(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((clinic, month_text)): ApiPath<(String, String)>,
    ApiJson(request): ApiJson<FindingRequest>,
) -> Result<Json<Sampling>, ApiError> {
    let township = caller.require_township_staff()?;
    let (month, _, _) = month(&month_text)?;
    let in_force = state.in_force().await?;
    let mut tx = state.writers.begin(&state.db).await?;
    let clinic = clinic_of(&mut tx, township, &clinic).await?;
    tx.lock_keys([
        sampling::sampling_id(&clinic.id, &month),
        format!("statements:{}", clinic.id),
    ])
    .await?;
    let drawn = sampling::read(&mut tx, &clinic, &month)
        .await?
        .and_then(|s| {
            s.claims
                .into_iter()
                .find(|c| c.claim_id == request.claim_id)
        })
        .ok_or_else(|| ApiError::Missing {
            code: "not_drawn",
            zh: "这条就诊记录不在本月抽取之列".into(),
            en: "This claim was not drawn this month".into(),
        })?;
    if drawn.finding.is_some() {
        return Err(ApiError::conflict(
            "already_found",
            "这条就诊记录已有质检结论",
            "A finding on this claim is recorded already",
        ));
    }
    let reason = request
        .checked(&in_force.policy.rejection_reasons, drawn.fund)
        .map_err(|t| ApiError::bad("bad_finding", t.zh, t.en))?;
    let found = Finding {
        deduction: request.deduction,
        reason,
        note: request
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        found_by: caller.user.display_name.clone(),
        found_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    sampling::record_finding(
        &mut tx,
        &clinic.id,
        &month,
        &request.claim_id,
        &found,
        today(),
    )
    .await?;
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "sampling_finding",
        subject: &request.claim_id,
        detail: &json!({
            "month": month, "deduction": found.deduction,
            "reason": found.reason.as_ref().map(|r| &r.code), "note": found.note,
        }),
    });
    let recorded = sampling::read(&mut tx, &clinic, &month)
        .await?
        .ok_or_else(|| ApiError::internal("a draw vanished"))?;
    tx.commit().await?;
    Ok(Json(recorded))
}
