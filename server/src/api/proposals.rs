//! The second person (双人复核) for township staff: the proposals to void a synced claim or to
//! refund a contribution, proposing one, and deciding one — never one's own.

use axum::extract::State;
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::second_person::{Proposal, ProposalDecision, ProposalResponse, ProposeRequest};
use serde::Deserialize;

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::proposals::{self, Proposer};
use crate::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `true`: the latest decided (newest first); otherwise those awaiting (oldest first).
    decided: Option<bool>,
}

/// How many a list holds at most.
const LIST_LIMIT: i64 = 500;

/// Township staff: the township's proposals awaiting a second person, or the latest decided.
#[utoipa::path(get, path = "/township/proposals", tag = "township", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = Vec<Proposal>),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Proposal>>, ApiError> {
    let township = caller.require_township_staff()?;
    let mut conn = state.db.acquire().await?;
    let decided = query.decided.unwrap_or(false);
    Ok(Json(
        proposals::list(&mut conn, township, decided, LIST_LIMIT).await?,
    ))
}

/// Township staff: proposes voiding a claim or refunding a contribution of the township, for
/// another township user to approve.
#[utoipa::path(post, path = "/township/proposals", tag = "township", security(("bearer" = [])),
    request_body = ProposeRequest,
    responses((status = 200, description = "The proposal, awaiting a second person", body = Proposal),
        (status = 400, description = "Bad reason or fields (`bad_reason`, `invalid_fields`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such claim or receipt in the township (`unknown_target`)", body = ApiErrorBody),
        (status = 409, description = "Not voidable or refundable, or proposed already (`not_voidable`, `void_already_proposed`, `not_refundable`, `refund_already_proposed`)", body = ApiErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<ProposeRequest>,
) -> Result<Json<Proposal>, ApiError> {
    let township = caller.require_township_staff()?.to_string();
    let id = format!("proposal-{}", crate::auth::random_hex(8));
    let by = Proposer {
        display_name: &caller.user.display_name,
        username: &caller.user.username,
    };
    let mut tx = state.writers.begin(&state.db).await?;
    let proposed = match &request {
        ProposeRequest::VoidClaim { claim_id, reason } => {
            proposals::propose_void(&mut tx, &caller, None, &id, claim_id, reason, &by)
                .await?
                .map(drop)
        }
        ProposeRequest::RefundContribution {
            contribution_id,
            reason,
        } => proposals::propose_refund(
            &mut tx,
            &caller,
            None,
            &id,
            contribution_id,
            *reason,
            &by,
            "",
        )
        .await?
        .map(drop),
    };
    match proposed {
        Err((proposals::UNKNOWN_TARGET, t)) => Err(ApiError::Missing {
            code: proposals::UNKNOWN_TARGET,
            zh: t.zh,
            en: t.en,
        }),
        Err(("bad_reason", t)) => Err(ApiError::bad("bad_reason", t.zh, t.en)),
        Err((code, t)) => Err(ApiError::conflict(code, t.zh, t.en)),
        Ok(()) => {
            tx.commit().await?;
            let mut conn = state.db.acquire().await?;
            proposals::one(&mut conn, &township, &id)
                .await?
                .map(Json)
                .ok_or_else(|| ApiError::internal("a proposal just recorded is missing"))
        }
    }
}

/// Township staff: approves or refuses a proposal of the township — not one they proposed
/// themselves. Deciding it the same way again changes nothing (`unchanged`).
#[utoipa::path(post, path = "/township/proposals/{proposal_id}/decision", tag = "township", security(("bearer" = [])),
    params(("proposal_id" = String, Path, description = "The proposal")),
    request_body = ProposalDecision,
    responses((status = 200, body = ProposalResponse),
        (status = 400, description = "A refusal without a note (`bad_decision`, `invalid_fields`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such proposal in the township (`unknown_proposal`)", body = ApiErrorBody),
        (status = 409, description = "The caller proposed it, it was decided otherwise, or the claim can no longer be voided (`own_proposal`, `already_decided`, `not_voidable`)", body = ApiErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(decision): ApiJson<ProposalDecision>,
) -> Result<Json<ProposalResponse>, ApiError> {
    Ok(Json(
        proposals::decide(&state, &caller, &id, decision).await?,
    ))
}
