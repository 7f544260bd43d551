//! The browser's transport: `fetch` to the server that served the app.

use cunbao_domain::policy::Policy;
use cunbao_domain::sync::{
    CataloguePage, Handshake, PullResponse, PushRequest, PushResponse, SignInRequest,
    SignInResponse,
};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;

use super::transport::{error_from, Transport, TransportError};

pub struct FetchTransport;

fn unavailable(e: impl std::fmt::Display) -> TransportError {
    TransportError::Unavailable(e.to_string())
}

async fn answer<T: DeserializeOwned>(response: Response) -> Result<T, TransportError> {
    let status = response.status();
    if (200..300).contains(&status) {
        return response.json().await.map_err(unavailable);
    }
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    Err(error_from(status, &body))
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

impl Transport for FetchTransport {
    async fn sign_in(&self, request: &SignInRequest) -> Result<SignInResponse, TransportError> {
        let response = Request::post("/api/v1/auth/sign-in")
            .json(request)
            .map_err(unavailable)?
            .send()
            .await
            .map_err(unavailable)?;
        answer(response).await
    }

    async fn handshake(&self, token: &str) -> Result<Handshake, TransportError> {
        let response = Request::get("/api/v1/sync/handshake")
            .header("Authorization", &bearer(token))
            .send()
            .await
            .map_err(unavailable)?;
        answer(response).await
    }

    async fn push(
        &self,
        token: &str,
        request: &PushRequest,
    ) -> Result<PushResponse, TransportError> {
        let response = Request::post("/api/v1/sync/push")
            .header("Authorization", &bearer(token))
            .json(request)
            .map_err(unavailable)?
            .send()
            .await
            .map_err(unavailable)?;
        answer(response).await
    }

    async fn pull(
        &self,
        token: &str,
        after: u64,
        limit: u32,
    ) -> Result<PullResponse, TransportError> {
        self.get(
            &format!("/api/v1/sync/pull?after={after}&limit={limit}"),
            token,
        )
        .await
    }

    async fn catalogue(
        &self,
        token: &str,
        offset: u64,
        limit: u64,
    ) -> Result<CataloguePage, TransportError> {
        self.get(
            &format!("/api/v1/catalogue?offset={offset}&limit={limit}"),
            token,
        )
        .await
    }

    async fn policy(&self, token: &str) -> Result<Policy, TransportError> {
        self.get("/api/v1/policy", token).await
    }
}

impl FetchTransport {
    async fn get<T: DeserializeOwned>(&self, path: &str, token: &str) -> Result<T, TransportError> {
        get_json(path, token).await
    }
}

/// A GET with the device's token, for read-only screens (township records).
pub async fn get_json<T: DeserializeOwned>(path: &str, token: &str) -> Result<T, TransportError> {
    let response = Request::get(path)
        .header("Authorization", &bearer(token))
        .send()
        .await
        .map_err(unavailable)?;
    answer(response).await
}
