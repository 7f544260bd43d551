//! The township's review of claims (审核): the queue of flagged and pending-review claims,
//! oldest first, and decisions — approve, or reject with a standard reason — one by one or in
//! bulk. Each claim is decided in its own transaction, under the claim's and the person's
//! locks: a pending claim approved is settled then against the person's year-to-date figures;
//! a flagged claim rejected stops counting in them; the clinic hears of it in its feed; the
//! audit log says who decided what, and why.

use axum::extract::{Path, State};
use axum::Json;
use chrono::{Datelike, NaiveDate};
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::claim::{ClaimAction, ClaimStatus};
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::money::Money;
use cunbao_domain::policy::BenefitKind;
use cunbao_domain::review::{
    DecidedClaim, QueueItem, RecentVisit, RecordedDecision, ReviewClaim, ReviewDecision,
    ReviewOutcome, ReviewRequest, ReviewResponse, ReviewResult, MAX_REVIEW_BATCH,
};
use cunbao_domain::settlement::{settle, BenefitParams, LineInput, Settlement};
use cunbao_domain::sync::ChangeBody;
use cunbao_domain::text::Text;
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::Row;

use super::qualifications::Decider;
use super::{ApiJson, ApiQuery};
use crate::audit::AuditEntry;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::records::{self, RecordKind, RecordStatus};
use crate::sync::apply::claim::figures_after;
use crate::write_tx::Tx;
use crate::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only this clinic's claims.
    clinic: Option<String>,
    /// Only claims where this rule was found.
    rule: Option<String>,
    /// Only this benefit (`general_outpatient`, `chronic`, …).
    benefit: Option<String>,
    /// Only claims waiting at least this many hours.
    min_hours: Option<i64>,
}

/// How many the queue lists at once (oldest first).
const QUEUE_LIMIT: i64 = 1_000;

/// Township staff: flagged and pending-review claims of the township, oldest first.
#[utoipa::path(get, path = "/township/review", tag = "township", security(("bearer" = [])),
    params(QueueQuery),
    responses((status = 200, body = Vec<QueueItem>), (status = 400, description = "Bad input", body = ApiErrorBody), (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody), (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> Result<Json<Vec<QueueItem>>, ApiError> {
    let township = caller.require_township_staff()?;
    let sql = format!(
        "SELECT r.id, r.clinic_id, c.name AS clinic_name, r.status, r.created_at, r.data \
         FROM records r JOIN clinics c ON c.id = r.clinic_id \
         WHERE r.township_id = $1 AND r.{} \
         AND ($2 = '' OR r.clinic_id = $2) ORDER BY r.created_at, r.id LIMIT $3",
        records::WAITING
    );
    let rows = sqlx::query(&sql)
        .bind(township)
        .bind(query.clinic.as_deref().unwrap_or(""))
        .bind(QUEUE_LIMIT)
        .fetch_all(&state.db)
        .await?;
    let now = chrono::Utc::now();
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let data: Value = serde_json::from_str(&row.try_get::<String, _>("data")?)?;
        let item = queue_item(row, &data, now)?;
        let keep = query.rule.as_ref().is_none_or(|r| {
            item.rules
                .iter()
                .any(|rule| serde_json::to_value(rule).is_ok_and(|v| v == *r.as_str()))
        }) && query
            .benefit
            .as_ref()
            .is_none_or(|b| data["server_benefit"]["type"] == *b.as_str())
            && query.min_hours.is_none_or(|h| item.waiting_hours >= h);
        if keep {
            items.push(item);
        }
    }
    Ok(Json(items))
}

fn queue_item(
    row: &sqlx::any::AnyRow,
    data: &Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<QueueItem, ApiError> {
    let received_at: String = row.try_get("created_at")?;
    let waiting_hours = chrono::DateTime::parse_from_rfc3339(&received_at)
        .map(|at| (now - at.with_timezone(&chrono::Utc)).num_hours())
        .unwrap_or_default();
    let person: IdNumber = serde_json::from_value(data["person"].clone())?;
    let money = |v: &Value| Money::parse(v.as_str().unwrap_or("0")).unwrap_or_default();
    Ok(QueueItem {
        claim_id: row.try_get("id")?,
        clinic_id: row.try_get("clinic_id")?,
        clinic_name: row.try_get("clinic_name")?,
        status: ClaimStatus::parse(&row.try_get::<String, _>("status")?)
            .unwrap_or(ClaimStatus::Flagged),
        person: person.masked(),
        visit_date: serde_json::from_value(data["visit_date"].clone())?,
        benefit: serde_json::from_value(data["server_benefit"].clone())?,
        total: money(&data["server_settlement"]["total"]),
        device_fund: money(&data["settlement"]["fund"]),
        server_fund: money(&data["server_settlement"]["fund"]),
        rules: data["server_rule_hits"]
            .as_array()
            .map(|hits| {
                hits.iter()
                    .filter_map(|h| serde_json::from_value(h["rule"].clone()).ok())
                    .collect()
            })
            .unwrap_or_default(),
        price_differences: data["price_differences"].as_array().map_or(0, Vec::len),
        received_at,
        waiting_hours,
    })
}

/// How far back the review page looks for the patient's other visits.
const RECENT_DAYS: i64 = 30;

/// Township staff: one claim of the township for its review page — the tablet's and the
/// server's figures, the rules found, and the patient's visits of the 30 days before it at any
/// clinic of the township. Another township's claim is answered like a missing one.
#[utoipa::path(get, path = "/township/review/{claim_id}", tag = "township", security(("bearer" = [])),
    params(("claim_id" = String, Path, description = "The claim")),
    responses((status = 200, body = ReviewClaim), (status = 401, description = "Missing, unknown or revoked token", body = ApiErrorBody), (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such claim in the township", body = ApiErrorBody)))]
pub async fn claim(
    State(state): State<AppState>,
    caller: Caller,
    Path(claim_id): Path<String>,
) -> Result<Json<ReviewClaim>, ApiError> {
    let township = caller.require_township_staff()?;
    let select = "SELECT r.id, r.clinic_id, c.name AS clinic_name, r.status, r.created_at, \
         r.data FROM records r JOIN clinics c ON c.id = r.clinic_id \
         WHERE r.township_id = $1 AND r.kind = $2";
    let row = sqlx::query(&format!("{select} AND r.id = $3"))
        .bind(township)
        .bind(RecordKind::Claim.as_str())
        .bind(&claim_id)
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("claim".into()))?;
    let data: Value = serde_json::from_str(&row.try_get::<String, _>("data")?)?;
    let item = queue_item(&row, &data, chrono::Utc::now())?;
    let person: IdNumber = serde_json::from_value(data["person"].clone())?;
    let since = item.visit_date - chrono::Duration::days(RECENT_DAYS);
    let mut recent_visits = Vec::new();
    for other in sqlx::query(&format!("{select} AND r.person = $3 AND r.id <> $4"))
        .bind(township)
        .bind(RecordKind::Claim.as_str())
        .bind(person.as_str())
        .bind(&claim_id)
        .fetch_all(&state.db)
        .await?
    {
        let other_data: Value = serde_json::from_str(&other.try_get::<String, _>("data")?)?;
        let visit = queue_item(&other, &other_data, chrono::Utc::now())?;
        if (since..=item.visit_date).contains(&visit.visit_date) {
            recent_visits.push(RecentVisit {
                claim_id: visit.claim_id,
                clinic_name: visit.clinic_name,
                visit_date: visit.visit_date,
                benefit: visit.benefit,
                total: visit.total,
                fund: visit.server_fund,
                status: visit.status,
            });
        }
    }
    recent_visits.sort_by(|a, b| (b.visit_date, &b.claim_id).cmp(&(a.visit_date, &a.claim_id)));
    let field = |name: &str| data.get(name).cloned().unwrap_or(Value::Null);
    Ok(Json(ReviewClaim {
        diagnoses: serde_json::from_value(field("diagnoses"))?,
        lines: serde_json::from_value(field("lines"))?,
        server_lines: serde_json::from_value(field("server_lines"))?,
        device_settlement: serde_json::from_value(field("settlement"))?,
        server_settlement: serde_json::from_value(field("server_settlement"))?,
        rule_hits: serde_json::from_value(field("server_rule_hits"))?,
        reason: serde_json::from_value(field("reason"))?,
        operator: serde_json::from_value(field("operator"))?,
        decision: serde_json::from_value(field("decision"))?,
        recent_visits,
        item,
    }))
}

/// Township staff: approve, or reject with a standard reason, up to 200 claims at once. A
/// claim already decided the same way is `unchanged` (a request sent twice decides once).
#[utoipa::path(post, path = "/township/review/decisions", tag = "township", security(("bearer" = [])),
    request_body = ReviewRequest,
    responses((status = 200, body = ReviewResponse),
        (status = 400, description = "No claims, too many, or no valid reason (`bad_decision`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> Result<Json<ReviewResponse>, ApiError> {
    let township = caller.require_township_staff()?.to_string();
    if request.claims.is_empty() || request.claims.len() > MAX_REVIEW_BATCH {
        return Err(ApiError::bad(
            "bad_decision",
            format!("一次审核1至{MAX_REVIEW_BATCH}条"),
            format!("Decide on 1 to {MAX_REVIEW_BATCH} claims at once"),
        ));
    }
    let in_force = state.in_force().await?;
    // The reasons of the policy in force today (every year's list is the county's).
    let decision = request
        .decision(&in_force.policy.rejection_reasons)
        .map_err(|t| ApiError::bad("bad_decision", t.zh, t.en))?;
    let decider = Decider {
        township: &township,
        username: &caller.user.username,
        display_name: &caller.user.display_name,
        device_id: Some(&caller.device_id),
    };
    let mut results = Vec::with_capacity(request.claims.len());
    for id in &request.claims {
        results.push(decide_one(&state, &in_force, &decider, id, &decision).await?);
    }
    Ok(Json(ReviewResponse { results }))
}

async fn decide_one(
    state: &AppState,
    in_force: &crate::state::InForce,
    decider: &Decider<'_>,
    id: &str,
    decision: &ReviewDecision,
) -> Result<ReviewResult, ApiError> {
    let refused = |status: Option<ClaimStatus>, text: Text| ReviewResult {
        claim_id: id.to_string(),
        outcome: ReviewOutcome::Refused,
        status,
        message: Some(text),
    };
    let mut tx = state.writers.begin(&state.db).await?;
    let Some(person) = claim_person(&mut tx, id, decider.township).await? else {
        return Ok(refused(
            None,
            Text::new("本乡镇没有这条就诊记录", "No such claim in this township"),
        ));
    };
    tx.lock_keys([format!("record:{id}"), format!("person:{person}")])
        .await?;
    // Read again under the locks: another reviewer may have decided meanwhile.
    let row = sqlx::query("SELECT clinic_id, status, data FROM records WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let clinic: String = row.try_get("clinic_id")?;
    let status = ClaimStatus::parse(&row.try_get::<String, _>("status")?)
        .ok_or_else(|| ApiError::internal(format!("claim {id} has an unknown status")))?;
    let mut data: Value = serde_json::from_str(&row.try_get::<String, _>("data")?)?;
    let (action, wanted) = match decision {
        ReviewDecision::Approve => (ClaimAction::Approve, ClaimStatus::Approved),
        ReviewDecision::Reject { .. } => (ClaimAction::Reject, ClaimStatus::Rejected),
    };
    if status == wanted {
        return Ok(ReviewResult {
            claim_id: id.to_string(),
            outcome: ReviewOutcome::Unchanged,
            status: Some(status),
            message: None,
        });
    }
    let Some(next) = status.after(action) else {
        return Ok(refused(
            Some(status),
            Text::new(
                "这条就诊记录不在待审核状态",
                "This claim is not waiting for review",
            ),
        ));
    };
    let visit_date: NaiveDate = serde_json::from_value(data["visit_date"].clone())?;
    let year = visit_date.year();
    let pool = data["cap_pool"].as_str().unwrap_or_default().to_string();
    let decided_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // What the fund pays now, and the person's figures where the decision moves them.
    let (fund, accumulators) = match (status, next) {
        (ClaimStatus::PendingReview, ClaimStatus::Approved) => {
            // Nothing was paid yet: settled now, after whatever the fund paid meanwhile.
            let settled = settle_now(&mut tx, in_force, &data, &person, year, &pool).await?;
            data["arrival_settlement"] = data["server_settlement"].take();
            data["server_settlement"] = serde_json::to_value(&settled)?;
            (settled.fund, Some(settled.accumulators_after))
        }
        (ClaimStatus::Flagged, ClaimStatus::Rejected) => {
            // It was counted: it stops counting, and the figures drop.
            records::set_status(&mut tx, id, RecordStatus::Claim(next)).await?;
            let after = crate::sync::year_to_date(&mut tx, &person, year, &pool).await?;
            (Money::ZERO, Some(after))
        }
        (_, ClaimStatus::Rejected) => (Money::ZERO, None),
        _ => (
            Money::parse(data["server_settlement"]["fund"].as_str().unwrap_or("0"))
                .unwrap_or_default(),
            None,
        ),
    };
    let (reason, note) = match decision {
        ReviewDecision::Approve => (None, None),
        ReviewDecision::Reject { reason, note } => (Some(reason), note.as_deref()),
    };
    data["decision"] = serde_json::to_value(RecordedDecision {
        status: next,
        reason: reason.cloned(),
        note: note.map(str::to_string),
        decided_by: decider.display_name.to_string(),
        decided_at: decided_at.clone(),
    })?;
    records::set_status(&mut tx, id, RecordStatus::Claim(next)).await?;
    records::set_data(&mut tx, id, &data).await?;
    let person_id: IdNumber = serde_json::from_value(data["person"].clone())?;
    let decided = DecidedClaim {
        claim_id: id.to_string(),
        person: person_id.masked(),
        visit_date,
        status: next,
        reason: reason.cloned(),
        note: note.map(str::to_string),
        fund,
        decided_by: decider.display_name.to_string(),
        decided_at: decided_at.clone(),
        accumulators: accumulators.map(|a| figures_after(&person, &pool, a, visit_date)),
    };
    tx.append_change(
        decider.township,
        Some(&clinic),
        id,
        &ChangeBody::ClaimDecided(decided),
    );
    tx.audit(AuditEntry {
        username: decider.username,
        device_id: decider.device_id,
        action: "claim_decision",
        subject: id,
        detail: &json!({
            "from": status,
            "to": next,
            "reason": reason.map(|r| &r.code),
            "note": note,
            "fund": fund,
        }),
    });
    tx.commit().await?;
    Ok(ReviewResult {
        claim_id: id.to_string(),
        outcome: ReviewOutcome::Decided,
        status: Some(next),
        message: None,
    })
}

/// The person of claim `id` of the township, if there is such a claim.
async fn claim_person(
    tx: &mut Tx<'_>,
    id: &str,
    township: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT person FROM records WHERE id = $1 AND kind = $2 AND township_id = $3",
    )
    .bind(id)
    .bind(RecordKind::Claim.as_str())
    .bind(township)
    .fetch_optional(&mut **tx)
    .await
}

/// A pending claim settled now: its lines as the server priced them, under its policy and
/// the benefit the person was entitled to, after the person's paid claims of the year.
async fn settle_now(
    tx: &mut Tx<'_>,
    in_force: &crate::state::InForce,
    data: &Value,
    person: &str,
    year: i32,
    pool: &str,
) -> Result<Settlement, ApiError> {
    let version = data["policy_version"].as_str().unwrap_or_default();
    let policy = in_force
        .policy(version)
        .ok_or_else(|| ApiError::internal(format!("policy {version} is not published")))?;
    let benefit: BenefitKind = serde_json::from_value(data["server_benefit"].clone())?;
    let rule = policy
        .benefit(benefit)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let lines: Vec<LineInput> = serde_json::from_value(
        match &data["server_lines"] {
            Value::Null => &data["lines"],
            priced => priced,
        }
        .clone(),
    )?;
    let before = crate::sync::year_to_date(tx, person, year, pool).await?;
    settle(&BenefitParams::from(rule), before, &lines)
        .map_err(|e| ApiError::internal(format!("a recorded claim does not settle: {e:?}")))
}
