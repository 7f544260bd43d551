//! The server's single error type and its mapping to HTTP. Internal errors are logged and
//! answered as an opaque 500; everything the caller can fix is a 4xx with a machine-readable
//! code and a message in zh-CN and English.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cunbao_domain::api::ApiErrorBody;
use cunbao_domain::publishing::LineProblem;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no such API endpoint: {0}")]
    NotFound(String),
    #[error("not signed in")]
    Unauthenticated,
    #[error("unknown token")]
    BadToken,
    #[error("device revoked")]
    DeviceRevoked,
    #[error("token expired")]
    TokenExpired,
    #[error("account disabled")]
    AccountDisabled,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("forbidden")]
    Forbidden,
    #[error("too many sign-in attempts")]
    TooManyAttempts,
    #[error("bad request {code}: {en}")]
    BadRequest {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// What the request names is not there for the caller (another township's is answered
    /// the same way as one that does not exist).
    #[error("missing {code}: {en}")]
    Missing {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// The request is sound but clashes with what is recorded (a version published already).
    #[error("conflict {code}: {en}")]
    Conflict {
        code: &'static str,
        zh: String,
        en: String,
    },
    /// A file refused line by line: the message and every wrong line.
    #[error("bad lines {code}: {en}")]
    BadLines {
        code: &'static str,
        zh: String,
        en: String,
        lines: Vec<LineProblem>,
    },
    #[error("body too large")]
    TooLarge,
    #[error("unsupported content type")]
    ContentType,
    /// A packed body (`Content-Encoding`) where none is taken: only a push, only gzip.
    #[error("unsupported content encoding")]
    ContentEncoding,
    /// Answered as an opaque 500; the source is kept for the log.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// An internal error described in words (a state the data should never be in).
    pub fn internal(what: impl Into<String>) -> ApiError {
        ApiError::Internal(what.into().into())
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        ApiError::Internal(Box::new(err))
    }
}

/// Stored JSON that does not read back is the server's fault, never the caller's.
impl From<serde_json::Error> for ApiError {
    fn from(err: serde_json::Error) -> Self {
        ApiError::Internal(Box::new(err))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::ContentType,
            JsonRejection::JsonSyntaxError(e) => ApiError::bad(
                "malformed_json",
                format!("请求不是有效的 JSON：{}", e.body_text()),
                format!("The body is not valid JSON: {}", e.body_text()),
            ),
            JsonRejection::JsonDataError(e) => ApiError::bad(
                "invalid_fields",
                format!("请求内容不符合要求：{}", e.body_text()),
                format!(
                    "The body does not have the expected fields: {}",
                    e.body_text()
                ),
            ),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::TooLarge
            }
            other => ApiError::bad(
                "bad_body",
                format!("无法读取请求：{}", other.body_text()),
                format!("Cannot read the request body: {}", other.body_text()),
            ),
        }
    }
}

impl ApiError {
    pub fn bad(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn missing(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::Missing {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::Conflict {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, String, String) {
        let fixed =
            |status, code, zh: &str, en: &str| (status, code, zh.to_string(), en.to_string());
        match self {
            ApiError::NotFound(_) => fixed(
                StatusCode::NOT_FOUND,
                "not_found",
                "找不到该接口",
                "No such API endpoint",
            ),
            ApiError::Unauthenticated => fixed(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "请先登录",
                "Please sign in first",
            ),
            ApiError::BadToken => fixed(
                StatusCode::UNAUTHORIZED,
                "bad_token",
                "登录已失效，请重新登录",
                "The sign-in is not valid any more; please sign in again",
            ),
            ApiError::DeviceRevoked => fixed(
                StatusCode::UNAUTHORIZED,
                "device_revoked",
                "此设备已被停用，请联系乡镇管理员",
                "This device has been revoked; contact the township administrator",
            ),
            ApiError::TokenExpired => fixed(
                StatusCode::UNAUTHORIZED,
                "token_expired",
                "登录已过期，请联网重新登录；未上传的数据仍保留在本机",
                "The sign-in has expired; sign in again online. Work not yet uploaded stays on \
                 the tablet",
            ),
            ApiError::AccountDisabled => fixed(
                StatusCode::UNAUTHORIZED,
                "account_disabled",
                "此账号已被乡镇管理员停用；未上传的数据仍保留在本机，请联系乡镇管理员",
                "This account has been disabled by the township administrator; work not yet \
                 uploaded stays on the tablet. Contact the township administrator",
            ),
            ApiError::BadCredentials => fixed(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "用户名或密码错误",
                "Wrong username or password",
            ),
            ApiError::TooManyAttempts => fixed(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "登录尝试过多，请稍后再试",
                "Too many sign-in attempts; try again shortly",
            ),
            ApiError::Forbidden => fixed(
                StatusCode::FORBIDDEN,
                "forbidden",
                "无权进行此操作或查看此数据",
                "You may not do this or see this data",
            ),
            ApiError::BadRequest { code, zh, en } | ApiError::BadLines { code, zh, en, .. } => {
                (StatusCode::BAD_REQUEST, code, zh.clone(), en.clone())
            }
            ApiError::Conflict { code, zh, en } => {
                (StatusCode::CONFLICT, code, zh.clone(), en.clone())
            }
            ApiError::Missing { code, zh, en } => {
                (StatusCode::NOT_FOUND, code, zh.clone(), en.clone())
            }
            ApiError::TooLarge => fixed(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "请求过大，请分批上传",
                "The request is too large; send it in smaller batches",
            ),
            ApiError::ContentType => fixed(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content_type",
                "请求须为 JSON（Content-Type: application/json）",
                "The request must be JSON (Content-Type: application/json)",
            ),
            ApiError::ContentEncoding => fixed(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content_encoding",
                "只有上传同步数据可以压缩，且只能用 gzip",
                "Only a sync push may be sent compressed, and only with gzip",
            ),
            ApiError::Internal(_) => fixed(
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
        let (status, code, message_zh, message_en) = self.parts();
        if status.is_server_error() {
            let source = std::error::Error::source(&self).map(|s| format!("{s:?}"));
            tracing::error!(error = %self, source, "request failed");
        }
        let lines = match self {
            ApiError::BadLines { lines, .. } => lines,
            _ => Vec::new(),
        };
        let body = ApiErrorBody {
            code: code.into(),
            message_zh,
            message_en,
            lines,
        };
        (status, Json(body)).into_response()
    }
}
