//! The browser's HTTP client packs a large body with the browser's own gzip
//! (`CompressionStream`), in headless Chromium: what the server unpacks is the body as it was.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn call(on: &JsValue, name: &str, args: &Array) -> JsValue {
    let f: Function = Reflect::get(on, &name.into()).unwrap().dyn_into().unwrap();
    Reflect::apply(&f, on, args).unwrap()
}

/// A blob unpacked with the browser's `DecompressionStream`, as text.
async fn gunzip(blob: &JsValue) -> String {
    let class: Function = Reflect::get(&js_sys::global(), &"DecompressionStream".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let unpacker = Reflect::construct(&class, &Array::of1(&"gzip".into())).unwrap();
    let stream = call(blob, "stream", &Array::new());
    let plain = call(&stream, "pipeThrough", &Array::of1(&unpacker));
    let response: Function = Reflect::get(&js_sys::global(), &"Response".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let response = Reflect::construct(&response, &Array::of1(&plain)).unwrap();
    let text: Promise = call(&response, "text", &Array::new()).dyn_into().unwrap();
    JsFuture::from(text).await.unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
async fn a_batch_of_claims_is_packed_to_a_fraction_and_unpacks_as_it_was() {
    let claim = r#"{"type":"claim","person":"45262419700101123X","visit_date":"2026-12-03","lines":[{"code":"S110200001","name":"一般诊疗费","price":"10.00","quantity":"1"}],"settlement":{"total":"10.00","fund":"6.00"}}"#;
    let body = format!("{{\"mutations\":[{}]}}", vec![claim; 300].join(","));
    let packed = cunbao_app::sync::http::gzipped(&body)
        .await
        .expect("Chromium has CompressionStream");
    let size = Reflect::get(&packed, &"size".into())
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(
        size > 0.0 && size * 10.0 < body.len() as f64,
        "{size} of {}",
        body.len()
    );
    assert_eq!(gunzip(&packed).await, body);
}
