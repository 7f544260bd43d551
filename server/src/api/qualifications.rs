//! The township decides a chronic qualification a clinic applied for (门诊慢特病认定): approve
//! with a validity, or reject with a reason. The clinic that applied hears of the decision in
//! its change feed, and from then the server settles that person's visits accordingly.

use axum::extract::{Path, State};
use axum::Json;
use chrono::Datelike;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::qualification::{Qualification, QualificationDecision, QualificationStatus};
use cunbao_domain::sync::ChangeBody;
use sqlx::Row;

use super::ApiJson;
use crate::audit::AuditEntry;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::records::{self, RecordKind, RecordStatus};
use crate::AppState;

/// The longest reason a rejection may give.
const MAX_REASON_CHARS: usize = 200;

/// Township staff: approve or reject a pending application of one of the township's clinics.
#[utoipa::path(post, path = "/township/qualifications/{id}/decision", tag = "township",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The application's record id")),
    request_body = QualificationDecision,
    responses((status = 200, body = Qualification),
        (status = 400, description = "Bad input (dates, reason)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such application in the caller's township", body = ApiErrorBody),
        (status = 409, description = "Already decided (`already_decided`)", body = ApiErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(decision): ApiJson<QualificationDecision>,
) -> Result<Json<Qualification>, ApiError> {
    let township = caller.require_township_staff()?.to_string();
    let decider = Decider {
        township: &township,
        username: &caller.user.username,
        display_name: &caller.user.display_name,
        device_id: Some(&caller.device_id),
    };
    Ok(Json(
        record_decision(&state, &decider, &id, &decision).await?,
    ))
}

/// Who decides: a township's staff member (or the sample data, on the sample township).
pub struct Decider<'a> {
    pub township: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub device_id: Option<&'a str>,
}

/// Records the decision on a pending application of `decider`'s township, tells the clinic
/// that applied, and writes the audit trail — in one transaction.
pub async fn record_decision(
    state: &AppState,
    decider: &Decider<'_>,
    id: &str,
    decision: &QualificationDecision,
) -> Result<Qualification, ApiError> {
    check(decision)?;
    let mut tx = state.writers.begin(&state.db).await?;
    let row = sqlx::query(
        "SELECT clinic_id, status, data FROM records WHERE id = $1 AND kind = $2 \
         AND township_id = $3",
    )
    .bind(id)
    .bind(RecordKind::Qualification.as_str())
    .bind(decider.township)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Err(ApiError::NotFound(format!("qualification {id}")));
    };
    let pending = RecordStatus::Qualification(QualificationStatus::Pending).as_str();
    if row.try_get::<String, _>("status")? != pending {
        return Err(ApiError::Conflict {
            code: "already_decided",
            zh: "该认定申请已经审核过".into(),
            en: "This application has been decided already".into(),
        });
    }
    let clinic: String = row.try_get("clinic_id")?;
    let mut q: Qualification = serde_json::from_str(&row.try_get::<String, _>("data")?)?;
    q.decided_by = Some(decider.display_name.to_string());
    match decision {
        QualificationDecision::Approve {
            valid_from,
            valid_to,
        } => {
            q.status = QualificationStatus::Approved;
            q.valid_from = Some(*valid_from);
            q.valid_to = Some(*valid_to);
        }
        QualificationDecision::Reject { reason } => {
            q.status = QualificationStatus::Rejected;
            q.note = Some(reason.trim().to_string());
        }
    }
    records::set_status(&mut tx, id, RecordStatus::Qualification(q.status)).await?;
    records::set_data(&mut tx, id, &serde_json::to_value(&q)?).await?;
    tx.append_change(
        decider.township,
        Some(&clinic),
        id,
        &ChangeBody::Qualification(q.clone()),
    );
    tx.audit(AuditEntry {
        username: decider.username,
        device_id: decider.device_id,
        action: "qualification_decision",
        subject: id,
        detail: &serde_json::to_value(decision)?,
    });
    tx.commit().await?;
    Ok(q)
}

/// A validity that reads forwards and within a few years; a reason that is said.
fn check(decision: &QualificationDecision) -> Result<(), ApiError> {
    match decision {
        QualificationDecision::Approve {
            valid_from,
            valid_to,
        } => {
            let sane = (2000..=2100).contains(&valid_from.year())
                && valid_from <= valid_to
                && valid_to.year() - valid_from.year() <= 5;
            if !sane {
                return Err(ApiError::bad(
                    "bad_validity",
                    "有效期应为先后有序、不超过5年的日期",
                    "The validity must run forwards and last at most 5 years",
                ));
            }
        }
        QualificationDecision::Reject { reason } => {
            let n = reason.trim().chars().count();
            if n == 0 || n > MAX_REASON_CHARS || reason.chars().any(char::is_control) {
                return Err(ApiError::bad(
                    "bad_reason",
                    format!("请写明不予认定的理由（最多{MAX_REASON_CHARS}个字）"),
                    format!(
                        "Give the reason for the rejection (at most {MAX_REASON_CHARS} characters)"
                    ),
                ));
            }
        }
    }
    Ok(())
}
