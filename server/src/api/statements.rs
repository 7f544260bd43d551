//! The township's monthly statements per clinic (月度结算): the month's list, one statement with
//! its lines, issuing it (it never changes after), marking it paid, and both as CSV. Township
//! staff only, and only their township's clinics: another township's clinic is answered as one
//! that does not exist.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::statement::{
    month_bounds, PaymentRequest, Statement, StatementState, StatementSummary,
};
use serde::Deserialize;
use serde_json::json;
use sqlx::AnyConnection;

use super::{ApiJson, ApiPath, ApiQuery};
use crate::audit::AuditEntry;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::statements::{self, export, Clinic};
use crate::AppState;

/// The server's today (statements and hand-ins are dated in the county's time).
pub(super) fn today() -> NaiveDate {
    crate::clock::today()
}

/// A month `YYYY-MM` as the request names it: the month and its first and last day.
pub(super) fn month(text: &str) -> Result<(String, NaiveDate, NaiveDate), ApiError> {
    match month_bounds(text) {
        Some((first, last)) if (2000..=2999).contains(&chrono::Datelike::year(&first)) => {
            Ok((text.to_string(), first, last))
        }
        _ => Err(ApiError::bad(
            "bad_month",
            "月份应写作 YYYY-MM，如 2025-03",
            "The month must be YYYY-MM, such as 2025-03",
        )),
    }
}

/// A clinic id as requests name it: 1 to 64 letters, digits, `-` or `_`.
pub(super) fn clinic_id(text: &str) -> Result<&str, ApiError> {
    let sound = (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if sound {
        Ok(text)
    } else {
        Err(ApiError::bad(
            "bad_clinic",
            "卫生室编号无效",
            "Not a valid clinic id",
        ))
    }
}

/// The township's clinic `id`; another township's is answered as one that does not exist.
pub(super) async fn clinic_of(
    conn: &mut AnyConnection,
    township: &str,
    id: &str,
) -> Result<Clinic, ApiError> {
    statements::clinic(conn, township, clinic_id(id)?)
        .await?
        .ok_or_else(|| ApiError::Missing {
            code: "unknown_clinic",
            zh: "本乡镇没有这个卫生室".into(),
            en: "No such clinic in your township".into(),
        })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// The month, `YYYY-MM`.
    month: String,
}

async fn summaries(
    state: &AppState,
    caller: &Caller,
    month_text: &str,
) -> Result<(String, Vec<StatementSummary>), ApiError> {
    let township = caller.require_township_staff()?;
    let (month, _, last) = month(month_text)?;
    let mut conn = state.db.acquire().await?;
    let mut list = Vec::new();
    for clinic in statements::clinics(&mut conn, township).await? {
        let statement = statements::statement(&mut conn, &clinic, &month, last).await?;
        list.push(StatementSummary::from(&statement));
    }
    Ok((month, list))
}

/// Township staff: every clinic's statement of the month — issued ones as issued, the others
/// as drafts worked out now — without their lines.
#[utoipa::path(get, path = "/township/statements", tag = "township", security(("bearer" = [])),
    params(MonthQuery),
    responses((status = 200, body = Vec<StatementSummary>),
        (status = 400, description = "Not a month (`bad_month`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> Result<Json<Vec<StatementSummary>>, ApiError> {
    Ok(Json(summaries(&state, &caller, &query.month).await?.1))
}

/// Township staff: the month's list as CSV, one row per clinic (UTF-8 with a BOM, headers in
/// Chinese).
#[utoipa::path(get, path = "/township/statements.csv", tag = "township", security(("bearer" = [])),
    params(MonthQuery),
    responses((status = 200, description = "One row per clinic", content_type = "text/csv", body = String),
        (status = 400, description = "Not a month (`bad_month`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn summary_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> Result<Response, ApiError> {
    let (month, list) = summaries(&state, &caller, &query.month).await?;
    Ok(export::summary(&list).download(&format!("statements-{month}.csv")))
}

async fn one_statement(
    state: &AppState,
    caller: &Caller,
    clinic: &str,
    month_text: &str,
) -> Result<Statement, ApiError> {
    let township = caller.require_township_staff()?;
    let (month, _, last) = month(month_text)?;
    let mut conn = state.db.acquire().await?;
    let clinic = clinic_of(&mut conn, township, clinic).await?;
    statements::statement(&mut conn, &clinic, &month, last).await
}

/// Township staff: a clinic's statement of a month with its lines: as issued, or the draft.
#[utoipa::path(get, path = "/township/statements/{clinic_id}/{month}", tag = "township", security(("bearer" = [])),
    params(("clinic_id" = String, Path, description = "The clinic"), ("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, body = Statement),
        (status = 400, description = "Not a month or a clinic id (`bad_month`, `bad_clinic`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such clinic in the township (`unknown_clinic`)", body = ApiErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((clinic, month)): ApiPath<(String, String)>,
) -> Result<Json<Statement>, ApiError> {
    Ok(Json(one_statement(&state, &caller, &clinic, &month).await?))
}

/// Township staff: a clinic's statement of a month as CSV, one row per claim.
#[utoipa::path(get, path = "/township/statements/{clinic_id}/{month}/lines.csv", tag = "township", security(("bearer" = [])),
    params(("clinic_id" = String, Path, description = "The clinic"), ("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, description = "One row per claim", content_type = "text/csv", body = String),
        (status = 400, description = "Not a month or a clinic id (`bad_month`, `bad_clinic`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such clinic in the township (`unknown_clinic`)", body = ApiErrorBody)))]
pub async fn lines_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((clinic, month)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let statement = one_statement(&state, &caller, &clinic, &month).await?;
    let name = format!("statement-{}-{}.csv", statement.clinic_id, statement.month);
    Ok(export::lines(&statement).download(&name))
}

/// Township staff: issues a clinic's statement of a month (this month or one before): the
/// draft as it stands is frozen and never changes; what changes after goes on a later
/// statement. Issued once: a second request answers `already_issued`, and a month before one
/// already issued cannot be issued (`later_month_issued`).
#[utoipa::path(post, path = "/township/statements/{clinic_id}/{month}/issue", tag = "township", security(("bearer" = [])),
    params(("clinic_id" = String, Path, description = "The clinic"), ("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, description = "The statement as issued", body = Statement),
        (status = 400, description = "Not a month or a clinic id, or a month still to come (`bad_month`, `bad_clinic`, `future_month`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such clinic in the township (`unknown_clinic`)", body = ApiErrorBody),
        (status = 409, description = "Issued already, or a later month is (`already_issued`, `later_month_issued`)", body = ApiErrorBody)))]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((clinic, month_text)): ApiPath<(String, String)>,
) -> Result<Json<Statement>, ApiError> {
    let township = caller.require_township_staff()?;
    let (month, first, last) = month(&month_text)?;
    if first > today() {
        return Err(ApiError::bad(
            "future_month",
            format!("{month}尚未开始，不能出具结算单"),
            format!("{month} has not begun: its statement cannot be issued"),
        ));
    }
    let mut tx = state.writers.begin(&state.db).await?;
    let clinic = clinic_of(&mut tx, township, &clinic).await?;
    // Two processes issuing at once: the second waits here, then finds it issued.
    tx.lock_keys([format!("statements:{}", clinic.id)]).await?;
    if statements::issued(&mut tx, &clinic.id, &month)
        .await?
        .is_some()
    {
        return Err(ApiError::conflict(
            "already_issued",
            format!("{}{month}的结算单已出具，不能再次出具", clinic.name),
            format!(
                "The statement of {} for {month} is issued already",
                clinic.name
            ),
        ));
    }
    if let Some(later) = statements::latest_issued(&mut tx, &clinic.id)
        .await?
        .filter(|latest| *latest > month)
    {
        return Err(ApiError::conflict(
            "later_month_issued",
            format!(
                "{}已出具{later}的结算单，不能再出具更早的{month}",
                clinic.name
            ),
            format!(
                "{} has a statement issued for {later}: {month}, before it, cannot be issued",
                clinic.name
            ),
        ));
    }
    let (mut statement, items) = statements::read_draft(&mut tx, &clinic, &month, last).await?;
    statement.state = StatementState::Issued;
    statement.issued_by = Some(caller.user.display_name.clone());
    statement.issued_at =
        Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let id = statements::insert_issued(&mut tx, &clinic, &statement, &items).await?;
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "statement_issued",
        subject: &id,
        detail: &json!({ "clinic": clinic.id, "month": month, "totals": statement.totals }),
    });
    tx.commit().await?;
    Ok(Json(statement))
}

/// Township staff: an issued statement paid (the date and the payment's reference). The same
/// payment sent twice is answered as recorded; another one is refused (`already_paid`).
#[utoipa::path(post, path = "/township/statements/{clinic_id}/{month}/paid", tag = "township", security(("bearer" = [])),
    params(("clinic_id" = String, Path, description = "The clinic"), ("month" = String, Path, description = "`YYYY-MM`")),
    request_body = PaymentRequest,
    responses((status = 200, description = "The statement, paid", body = Statement),
        (status = 400, description = "Bad month, clinic, date or reference (`bad_month`, `bad_clinic`, `bad_payment`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody),
        (status = 404, description = "No such clinic in the township (`unknown_clinic`)", body = ApiErrorBody),
        (status = 409, description = "Not issued, or paid already with another payment (`not_issued`, `already_paid`)", body = ApiErrorBody)))]
pub async fn paid(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((clinic, month_text)): ApiPath<(String, String)>,
    ApiJson(request): ApiJson<PaymentRequest>,
) -> Result<Json<Statement>, ApiError> {
    let township = caller.require_township_staff()?;
    let (month, _, _) = month(&month_text)?;
    let reference = request
        .check(today())
        .map_err(|t| ApiError::bad("bad_payment", t.zh, t.en))?;
    let mut tx = state.writers.begin(&state.db).await?;
    let clinic = clinic_of(&mut tx, township, &clinic).await?;
    tx.lock_keys([format!("statements:{}", clinic.id)]).await?;
    let Some(current) = statements::issued(&mut tx, &clinic.id, &month).await? else {
        return Err(ApiError::conflict(
            "not_issued",
            format!("{}{month}的结算单尚未出具，不能登记付款", clinic.name),
            format!(
                "The statement of {} for {month} is not issued: it cannot be paid",
                clinic.name
            ),
        ));
    };
    if current.state == StatementState::Paid {
        let same = current.paid_on == Some(request.paid_on)
            && current.payment_reference.as_deref() == Some(reference.as_str());
        if same {
            return Ok(Json(current));
        }
        return Err(ApiError::conflict(
            "already_paid",
            format!("{}{month}的结算单已登记付款", clinic.name),
            format!(
                "The statement of {} for {month} is recorded as paid already",
                clinic.name
            ),
        ));
    }
    statements::mark_paid(
        &mut tx,
        &clinic.id,
        &month,
        request.paid_on,
        &reference,
        &caller.user.username,
    )
    .await?;
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "statement_paid",
        subject: &statements::statement_id(&clinic.id, &month),
        detail: &json!({ "paid_on": request.paid_on, "payment_reference": reference }),
    });
    tx.commit().await?;
    let mut conn = state.db.acquire().await?;
    statements::issued(&mut conn, &clinic.id, &month)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::internal("a statement paid is gone"))
}
