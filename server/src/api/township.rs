use axum::extract::State;
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::township::RecordRow;
use serde::Deserialize;

use super::ApiQuery;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::records::{self, RecordKind};
use crate::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordsQuery {
    /// enrolment, contribution, claim, adjustment, refund_due, cover_stop, correction or
    /// refund_proposal.
    kind: String,
}

/// Township staff: the synced records of one kind across the township's clinics.
#[utoipa::path(get, path = "/township/records", tag = "township", security(("bearer" = [])),
    params(RecordsQuery),
    responses((status = 200, body = Vec<RecordRow>), (status = 400, description = "Bad input", body = ApiErrorBody), (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody), (status = 403, description = "Not the caller's role or territory", body = ApiErrorBody)))]
pub async fn records(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(RecordsQuery { kind }): ApiQuery<RecordsQuery>,
) -> Result<Json<Vec<RecordRow>>, ApiError> {
    let township = caller.require_township_staff()?;
    let Some(kind) = RecordKind::parse(&kind) else {
        return Err(ApiError::bad(
            "bad_kind",
            "kind 应为 enrolment、contribution、claim、adjustment、refund_due、cover_stop、\
             correction 或 refund_proposal",
            "kind must be enrolment, contribution, claim, adjustment, refund_due, cover_stop, \
             correction or refund_proposal",
        ));
    };
    let rows = records::township_list(&state.db, township, kind).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| RecordRow {
                id: row.id,
                kind: kind.as_str().to_string(),
                clinic_id: row.clinic_id,
                clinic_name: row.clinic_name,
                status: row.status,
                created_at: row.created_at,
                data: row.data,
            })
            .collect(),
    ))
}
