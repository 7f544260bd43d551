use axum::Json;
use cunbao_domain::quote::{quote as settle_scenario, QuoteError, QuoteOutput, QuoteScenario};

use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::text::Bilingual;

use super::ApiJson;
use crate::auth::Caller;
use crate::error::ApiError;

/// The same settlement as the `quote` command, for any signed-in user.
#[utoipa::path(post, path = "/quote", tag = "settlement", security(("bearer" = [])),
    request_body = QuoteScenario,
    responses((status = 200, body = QuoteOutput), (status = 400, description = "Bad input", body = ApiErrorBody), (status = 401, description = "Missing, unknown, revoked or expired token", body = ApiErrorBody), (status = 403, description = "Not the caller's role or territory", body = ApiErrorBody)))]
pub async fn quote(
    _caller: Caller,
    ApiJson(scenario): ApiJson<QuoteScenario>,
) -> Result<Json<QuoteOutput>, ApiError> {
    settle_scenario(&scenario)
        .map(Json)
        .map_err(|err: QuoteError| {
            let text = err.text();
            ApiError::bad("quote_refused", text.zh, text.en)
        })
}
