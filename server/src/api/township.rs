use axum::extract::State;
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::ApiQuery;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordsQuery {
    /// enrolment, contribution, claim, adjustment or refund_due.
    kind: String,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordRow {
    pub id: String,
    pub kind: String,
    pub clinic_id: String,
    pub clinic_name: String,
    pub status: String,
    pub created_at: String,
    pub data: serde_json::Value,
}

/// Township staff: the synced records of one kind across the township's clinics.
#[utoipa::path(get, path = "/township/records", tag = "township", security(("bearer" = [])),
    params(RecordsQuery),
    responses((status = 200, body = Vec<RecordRow>), (status = 400, description = "Bad input", body = ApiErrorBody), (status = 401, description = "Missing, unknown or revoked token", body = ApiErrorBody), (status = 403, description = "Not the caller's role or territory", body = ApiErrorBody)))]
pub async fn records(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(RecordsQuery { kind }): ApiQuery<RecordsQuery>,
) -> Result<Json<Vec<RecordRow>>, ApiError> {
    let township = caller.require_township_staff()?;
    if ![
        "enrolment",
        "contribution",
        "claim",
        "adjustment",
        "refund_due",
    ]
    .contains(&kind.as_str())
    {
        return Err(ApiError::bad(
            "bad_kind",
            "kind 应为 enrolment、contribution、claim、adjustment 或 refund_due",
            "kind must be enrolment, contribution, claim, adjustment or refund_due",
        ));
    }
    let rows = sqlx::query(
        "SELECT r.id, r.kind, r.clinic_id, c.name AS clinic_name, r.status, r.created_at, r.data \
         FROM records r JOIN clinics c ON c.id = r.clinic_id \
         WHERE r.township_id = $1 AND r.kind = $2 ORDER BY r.created_at, r.id LIMIT 2000",
    )
    .bind(township)
    .bind(&kind)
    .fetch_all(&state.db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(RecordRow {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                clinic_id: row.try_get("clinic_id")?,
                clinic_name: row.try_get("clinic_name")?,
                status: row.try_get("status")?,
                created_at: row.try_get("created_at")?,
                data: serde_json::from_str(&row.try_get::<String, _>("data")?)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            })
        })
        .collect::<Result<_, ApiError>>()
        .map(Json)
}
