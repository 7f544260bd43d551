use axum::Json;
use cunbao_domain::quote::{quote as settle_scenario, QuoteError, QuoteOutput, QuoteScenario};

use super::ApiJson;
use crate::auth::Caller;
use crate::error::ApiError;

/// The same settlement as the `quote` command, for any signed-in user.
pub async fn quote(
    _caller: Caller,
    ApiJson(scenario): ApiJson<QuoteScenario>,
) -> Result<Json<QuoteOutput>, ApiError> {
    settle_scenario(&scenario)
        .map(Json)
        .map_err(|err: QuoteError| {
            let text = err.to_string();
            let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
            ApiError::bad("quote_refused", zh.to_string(), en.to_string())
        })
}
