//! The township's dashboard for its staff: the year's figures behind each chart, and each
//! table as CSV.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use chrono::Datelike;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::dashboard::{Dashboard, DashboardTable};
use serde::Deserialize;

use super::ApiQuery;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// The scheme year; by default the one under way.
    #[serde(default)]
    year: Option<i32>,
    /// For the CSV: which table (`enrolment`, `cash`, `months`, `rules`, `rejections`,
    /// `syncs`).
    #[serde(default)]
    table: Option<String>,
}

async fn figures(
    state: &AppState,
    caller: &Caller,
    year: Option<i32>,
) -> Result<Dashboard, ApiError> {
    let township = caller.require_township_staff()?;
    let year = year.unwrap_or_else(|| crate::clock::today().year());
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::bad(
            "bad_year",
            "年度应在2000至2100之间",
            "The year is between 2000 and 2100",
        ));
    }
    let reasons = state.in_force().await?.policy.rejection_reasons.clone();
    let mut conn = state.db.acquire().await?;
    crate::dashboard::dashboard(&mut conn, township, year, &reasons).await
}

/// Township staff: the dashboard of the township for a scheme year.
#[utoipa::path(get, path = "/township/dashboard", tag = "township", security(("bearer" = [])),
    params(DashboardQuery),
    responses((status = 200, body = Dashboard),
        (status = 400, description = "A year out of range (`bad_year`)", body = ApiErrorBody),
        (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody),
        (status = 403, description = "Not township staff", body = ApiErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<DashboardQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json(figures(&state, &caller, query.year).await?))
}

/// Township staff: one of the dashboard's tables as CSV (UTF-8 with a BOM, headers in Chinese).
#[utoipa::path(get, path = "/township/dashboard.csv", tag = "township", security(("bearer" = [])),
    params(DashboardQuery),
    responses((status = 200, description = "The table", content_type = "text/csv", body = String),
        (status = 400, description = "No such table (`bad_table`) or year (`bad_year`)", body = ApiErrorBody),
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
    let d = figures(&state, &caller, query.year).await?;
    let name = format!("dashboard-{}-{}.csv", d.scheme_year, table.as_str());
    Ok(crate::dashboard::table_csv(&d, table).download(&name))
}
