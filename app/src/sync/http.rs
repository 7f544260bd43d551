//! The browser's HTTP client: `fetch` to the server that served the app.

use gloo_net::http::{Method, RequestBuilder};
use serde::de::DeserializeOwned;

use super::transport::{Api, HttpClient, TransportError};

pub struct Fetch;

/// The transport the app syncs with.
pub const FETCH: Api<Fetch> = Api(Fetch);

impl HttpClient for Fetch {
    async fn send(
        &self,
        method: &'static str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, serde_json::Value), TransportError> {
        let unavailable = |e: gloo_net::Error| TransportError::Unavailable(e.to_string());
        let method = if method == "POST" {
            Method::POST
        } else {
            Method::GET
        };
        let mut builder = RequestBuilder::new(path).method(method);
        if let Some(token) = token {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        let response = match body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body)
                .map_err(unavailable)?
                .send()
                .await
                .map_err(unavailable)?,
            None => builder.send().await.map_err(unavailable)?,
        };
        let status = response.status();
        let json = response.json().await.unwrap_or(serde_json::Value::Null);
        Ok((status, json))
    }
}

/// A GET with the device's token, for read-only screens (township records).
pub async fn get_json<T: DeserializeOwned>(path: &str, token: &str) -> Result<T, TransportError> {
    FETCH.call("GET", path, Some(token), None).await
}
