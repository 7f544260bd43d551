//! The browser's HTTP client: `fetch` to the server that served the app.

use gloo_net::http::{Method, RequestBuilder};

use super::transport::{Api, HttpClient, TransportError};

pub struct Fetch;

/// The server's API as the app reaches it: the sync engine's transport and the township
/// screens' reads.
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
