//! The browser's HTTP client: `fetch` to the server that served the app.

use gloo_net::http::{Method, RequestBuilder};

use super::transport::{Api, HttpClient, TransportError, PUSH_PATH};

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
            Some(body) => {
                builder = builder.header("Content-Type", "application/json");
                // Only a push is packed (the server takes a packed body nowhere else).
                let packed = match body.len() >= PACK_FROM && path.starts_with(PUSH_PATH) {
                    true => gzipped(&body).await,
                    false => None,
                };
                let request = match packed {
                    Some(packed) => builder.header("Content-Encoding", "gzip").body(packed),
                    None => builder.body(body),
                };
                request
                    .map_err(unavailable)?
                    .send()
                    .await
                    .map_err(unavailable)?
            }
            None => builder.send().await.map_err(unavailable)?,
        };
        let status = response.status();
        let json = response.json().await.unwrap_or(serde_json::Value::Null);
        Ok((status, json))
    }
}

/// A push from this size up (more than a mutation or two) is sent gzipped: on a 2G line the
/// upload is most of a round, and a batch of claims packs to a tenth.
const PACK_FROM: usize = 1024;

/// `body` gzipped by the browser (`CompressionStream`), as a blob; `None` where the browser
/// has none (the body then goes plain).
pub async fn gzipped(body: &str) -> Option<wasm_bindgen::JsValue> {
    use js_sys::{Array, Function, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    let global = js_sys::global();
    let class = |name: &str| -> Option<Function> {
        Reflect::get(&global, &name.into()).ok()?.dyn_into().ok()
    };
    let method = |on: &JsValue, name: &str, args: &Array| -> Option<JsValue> {
        let f: Function = Reflect::get(on, &name.into()).ok()?.dyn_into().ok()?;
        Reflect::apply(&f, on, args).ok()
    };
    let packer =
        Reflect::construct(&class("CompressionStream")?, &Array::of1(&"gzip".into())).ok()?;
    let blob = web_sys::Blob::new_with_str_sequence(&Array::of1(&body.into())).ok()?;
    let plain = method(&blob, "stream", &Array::new())?;
    let packed = method(&plain, "pipeThrough", &Array::of1(&packer))?;
    let response = Reflect::construct(&class("Response")?, &Array::of1(&packed)).ok()?;
    let blob: Promise = method(&response, "blob", &Array::new())?.dyn_into().ok()?;
    wasm_bindgen_futures::JsFuture::from(blob).await.ok()
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
