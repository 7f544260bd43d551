//! The server's single error type and its mapping to HTTP. Internal errors are logged and
//! answered as an opaque 500; everything the caller can fix is a 4xx with a code and a message
//! in zh-CN and English.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cunbao_domain::api::ApiErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no such API endpoint: {0}")]
    NotFound(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        ApiError::Internal(err.to_string())
    }
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str, &'static str) {
        match self {
            ApiError::NotFound(_) => (
                StatusCode::NOT_FOUND,
                "not_found",
                "找不到该接口",
                "No such API endpoint",
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器内部错误，请稍后再试",
                "Internal server error; please try again later",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, zh, en) = self.parts();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = ApiErrorBody {
            code: code.into(),
            message_zh: zh.into(),
            message_en: en.into(),
        };
        (status, Json(body)).into_response()
    }
}
