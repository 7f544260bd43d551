//! How the sync engine reaches the server. The browser uses `fetch`; tests use the real
//! server in-process, with faults injected.

use cunbao_domain::policy::Policy;
use cunbao_domain::sync::{
    CataloguePage, Handshake, PullResponse, PushRequest, PushResponse, SignInRequest,
    SignInResponse,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No answer: offline, connection dropped, timed out, or a 5xx. Retry later.
    #[error("网络不可用或服务器暂时无响应 / no network or the server did not answer: {0}")]
    Unavailable(String),
    /// The server refused who we are (bad or revoked token, wrong password).
    #[error("{message_zh} / {message_en}")]
    Unauthorized {
        code: String,
        message_zh: String,
        message_en: String,
    },
    /// The server refused the request itself (4xx): retrying the same request will not help.
    #[error("{message_zh} / {message_en}")]
    Refused {
        status: u16,
        code: String,
        message_zh: String,
        message_en: String,
    },
}

impl TransportError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, TransportError::Unavailable(_))
    }
}

#[allow(async_fn_in_trait)] // used generically; browser futures are !Send
pub trait Transport {
    async fn sign_in(&self, request: &SignInRequest) -> Result<SignInResponse, TransportError>;
    async fn handshake(&self, token: &str) -> Result<Handshake, TransportError>;
    async fn push(
        &self,
        token: &str,
        request: &PushRequest,
    ) -> Result<PushResponse, TransportError>;
    async fn pull(
        &self,
        token: &str,
        after: u64,
        limit: u32,
    ) -> Result<PullResponse, TransportError>;
    async fn catalogue(
        &self,
        token: &str,
        offset: u64,
        limit: u64,
    ) -> Result<CataloguePage, TransportError>;
    async fn policy(&self, token: &str) -> Result<Policy, TransportError>;
}

/// Turns an API error body (`{code, message_zh, message_en}`) and status into an error.
pub fn error_from(status: u16, body: &serde_json::Value) -> TransportError {
    let text = |key: &str| body[key].as_str().unwrap_or_default().to_string();
    if status >= 500 || status == 0 {
        return TransportError::Unavailable(format!("HTTP {status}"));
    }
    if status == 401 {
        return TransportError::Unauthorized {
            code: text("code"),
            message_zh: text("message_zh"),
            message_en: text("message_en"),
        };
    }
    TransportError::Refused {
        status,
        code: text("code"),
        message_zh: text("message_zh"),
        message_en: text("message_en"),
    }
}
