//! The township's dashboard for its staff: the year's figures behind each chart, each table as
//! CSV, the monthly report (one month's tables, as one CSV), and each clinic's enrolment target
//! set by an administrator.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use chrono::{Datelike, NaiveDate};
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::dashboard::{Dashboard, DashboardTable, EnrolmentTarget};
use serde::Deserialize;
use serde_json::json;

use super::{ApiJson, ApiQuery};
use crate::audit::AuditEntry;
use crate::auth::Caller;
use crate::dashboard::Period;
use crate::error::ApiError;
use crate::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// The scheme year; by default the one under way.
    #[serde(default)]
    year: Option<i32>,
    /// One month (`YYYY-MM`, not after this one) instead of a year: the monthly report.
    #[serde(default)]
    month: Option<String>,
    /// For the CSV: which table (`enrolment`, `cash`, `months`, `rules`, `rejections`,
    /// `syncs`).
    #[serde(default)]
    table: Option<String>,
}

fn bad_year() -> ApiError {
    ApiError::bad(
        "bad_year",
        "年度应在2000至2100之间",
        "The year is between 2000 and 2100",
    )
}

/// The period asked: a month (`YYYY-MM`, not in the future) or a year (by default this one).
fn period(query: &DashboardQuery) -> Result<Period, ApiError> {
    let today = crate::clock::today();
    if let Some(month) = &query.month {
        let bad_month = || {
            ApiError::bad(
                "bad_month",
                "月份应为不晚于本月的年-月，如2026-10",
                "The month is a year and month not after this one, such as 2026-10",
            )
        };
        let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
            .ok()
            .filter(|d| month.len() == 7 && *d <= today && d.year() >= 2000)
            .ok_or_else(bad_month)?;
        if query.year.is_some_and(|y| y != first.year()) {
            return Err(bad_month());
        }
        return Ok(Period::month(first));
    }
    let year = query.year.unwrap_or_else(|| today.year());
    if !(2000..=2100).contains(&year) {
        return Err(bad_year());
    }
    Ok(Period::year(year))
}

async fn figures(
    state: &AppState,
    caller: &Caller,
    query: &DashboardQuery,
) -> Result<Dashboard, ApiError> {
    let township = caller.require_township_staff()?;
    let period = period(query)?;
    let reasons = state.in_force().await?.policy.rejection_reasons.clone();
    crate::dashboard::dashboard(&state.db, township, &period, &reasons).await
}

/// Township staff: the dashboard of the township for a scheme year, or one month's figures
/// (the monthly report).
#[utoipa::path(get, path = "/township/dashboard", tag = "township", security(("bearer" = [])),
    params(DashboardQuery),
    responses((status = 200, body = Dashboard),
        (status = 400, description = "A year out of range (`bad_year`) or a month that is not one, or is to come (`bad_month`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<DashboardQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json(figures(&state, &caller, &query).await?))
}

/// Township staff: one of the dashboard's tables as CSV (UTF-8 with a BOM, headers in Chinese).
#[utoipa::path(get, path = "/township/dashboard.csv", tag = "township", security(("bearer" = [])),
    params(DashboardQuery),
    responses((status = 200, description = "The table", content_type = "text/csv", body = String),
        (status = 400, description = "No such table (`bad_table`), year (`bad_year`) or month (`bad_month`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn table_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<DashboardQuery>,
) -> Result<Response, ApiError> {
    let table = query
        .table
        .as_deref()
        .and_then(DashboardTable::parse)
        .ok_or_else(|| {
            ApiError::bad(
                "bad_table",
                "没有这个统计表",
                "There is no such table on the dashboard",
            )
        })?;
    let d = figures(&state, &caller, &query).await?;
    let period = d.month.clone().unwrap_or_else(|| d.scheme_year.to_string());
    let name = format!("dashboard-{period}-{}.csv", table.as_str());
    Ok(crate::dashboard::table_csv(&d, table).download(&name))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The report's month, `YYYY-MM`, not after this one.
    month: String,
}

/// Township staff: the monthly report (月度报表) of the township — each of the dashboard's
/// tables for the month — as one CSV to send up by the 10th of the next month.
#[utoipa::path(get, path = "/township/report.csv", tag = "township", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, description = "The report", content_type = "text/csv", body = String),
        (status = 400, description = "A month that is not one, or is to come (`bad_month`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn report_csv(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let query = DashboardQuery {
        year: None,
        month: Some(query.month),
        table: None,
    };
    let d = figures(&state, &caller, &query).await?;
    let name = format!("report-{}.csv", d.month.clone().unwrap_or_default());
    Ok(crate::dashboard::report_csv(&d).download(&name))
}

/// An administrator sets (or clears) a clinic's enrolment target for the scheme year under way.
#[utoipa::path(put, path = "/township/clinics/{clinic}/enrolment_target", tag = "township", security(("bearer" = [])),
    params(("clinic" = String, Path, description = "The clinic")),
    request_body = EnrolmentTarget,
    responses((status = 200, description = "Set", body = Object),
        (status = 400, description = "A target over the most a clinic can have (`bad_target`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not an administrator", body = ApiErrorBody),
        (status = 404, description = "No such clinic in the township (`unknown_clinic`)", body = ApiErrorBody)))]
pub async fn set_target(
    State(state): State<AppState>,
    caller: Caller,
    Path(clinic): Path<String>,
    ApiJson(body): ApiJson<EnrolmentTarget>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let township = caller.require_administrator()?;
    if body.target.is_some_and(|t| t > EnrolmentTarget::MAX) {
        return Err(ApiError::bad(
            "bad_target",
            "年度目标不能超过100000人",
            "A target is at most 100,000 people",
        ));
    }
    let mut tx = state.writers.begin(&state.db).await?;
    if !crate::clinics::set_enrolment_target(&mut tx, township, &clinic, body.target).await? {
        return Err(ApiError::missing(
            "unknown_clinic",
            "本乡镇没有这个卫生室",
            "There is no such clinic in the township",
        ));
    }
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "enrolment_target_set",
        subject: &clinic,
        detail: &json!({ "target": body.target }),
    });
    tx.commit().await?;
    Ok(Json(json!({ "clinic_id": clinic, "target": body.target })))
}
