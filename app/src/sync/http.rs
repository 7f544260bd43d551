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
        let method = match method {
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            _ => Method::GET,
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

/// Downloads what the server answers at `path` (a CSV export) as the file `filename`: fetched
/// with the session's token, handed to the browser as a file.
pub async fn download(path: &str, token: &str, filename: &str) -> Result<(), TransportError> {
    use wasm_bindgen::JsCast;
    let unavailable = |e: String| TransportError::Unavailable(e);
    let response = RequestBuilder::new(path)
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    if !response.ok() {
        let status = response.status();
        let json = response.json().await.unwrap_or(serde_json::Value::Null);
        return Err(super::transport::error_from(status, &json));
    }
    let bytes = response
        .binary()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| unavailable(format!("{e:?}")))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|e| unavailable(format!("{e:?}")))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| unavailable("no document".into()))?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| unavailable(format!("{e:?}")))?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(filename);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
