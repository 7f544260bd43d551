//! Cash a clinic hands in to the township (解缴): recorded by township staff against the
//! clinic's receipts; each clinic's standing (receipts, handed in, the gap) for the township,
//! and a clinic's own standing for its assistant — what the township confirmed.

use axum::extract::State;
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::statement::{CashHandIn, CashStanding, HandInProblem};
use serde_json::json;

use super::statements::{clinic_id, clinic_of, today};
use super::ApiJson;
use crate::audit::AuditEntry;
use crate::auth::Caller;
use crate::cash::{self, NewHandIn};
use crate::error::ApiError;
use crate::statements;
use crate::AppState;

/// Township staff: records cash a clinic of the township handed in; the clinic's standing
/// after it.
#[utoipa::path(post, path = "/township/cash", tag = "township", security(("bearer" = [])),
    request_body = CashHandIn,
    responses((status = 200, description = "The clinic's standing with the hand-in", body = CashStanding),
        (status = 400, description = "Bad amount, date, receipts or clinic (`bad_amount`, `bad_date`, `bad_receipts`, `bad_clinic`, `invalid_fields`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such clinic in the township (`unknown_clinic`)", body = ApiErrorBody)))]
pub async fn hand_in(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CashHandIn>,
) -> Result<Json<CashStanding>, ApiError> {
    let township = caller.require_township_staff()?;
    clinic_id(&request.clinic_id)?;
    let receipts_covered = request.check(today()).map_err(|(problem, t)| {
        let code = match problem {
            HandInProblem::Amount => "bad_amount",
            HandInProblem::Date => "bad_date",
            HandInProblem::Receipts => "bad_receipts",
        };
        ApiError::bad(code, t.zh, t.en)
    })?;
    let mut tx = state.writers.begin(&state.db).await?;
    let clinic = clinic_of(&mut tx, township, &request.clinic_id).await?;
    let id = cash::insert(
        &mut tx,
        NewHandIn {
            township_id: &clinic.township_id,
            clinic_id: &clinic.id,
            amount: request.amount,
            received_on: request.received_on,
            receipts_covered: &receipts_covered,
            username: &caller.user.username,
            display_name: &caller.user.display_name,
        },
    )
    .await?;
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "cash_handed_in",
        subject: &id,
        detail: &json!({
            "clinic": clinic.id,
            "amount": request.amount,
            "received_on": request.received_on,
            "receipts_covered": receipts_covered,
        }),
    });
    tx.commit().await?;
    let mut conn = state.db.acquire().await?;
    Ok(Json(
        crate::statements::cash_standing(&mut conn, &clinic).await?,
    ))
}

/// Township staff: every clinic's cash — receipts that stand (all time), handed in, the gap,
/// and the hand-ins newest first.
#[utoipa::path(get, path = "/township/cash", tag = "township", security(("bearer" = [])),
    responses((status = 200, body = Vec<CashStanding>),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn township(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<CashStanding>>, ApiError> {
    let township = caller.require_township_staff()?;
    let mut conn = state.db.acquire().await?;
    let mut list = Vec::new();
    for clinic in statements::clinics(&mut conn, township).await? {
        list.push(crate::statements::cash_standing(&mut conn, &clinic).await?);
    }
    Ok(Json(list))
}

/// A clinic's assistant: their clinic's cash as the township recorded it.
#[utoipa::path(get, path = "/clinic/cash", tag = "clinic", security(("bearer" = [])),
    responses((status = 200, body = CashStanding),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not a clinic's assistant", body = ApiErrorBody)))]
pub async fn clinic(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<CashStanding>, ApiError> {
    let clinic = caller.clinic()?;
    let mut conn = state.db.acquire().await?;
    let clinic = clinic_of(&mut conn, &caller.user.township_id, clinic).await?;
    Ok(Json(
        crate::statements::cash_standing(&mut conn, &clinic).await?,
    ))
}
