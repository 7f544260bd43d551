//! The shared store suite against real IndexedDB in headless Chromium
//! (`wasm-bindgen-test-runner` via chromedriver; see `webdriver.json`).
#![cfg(target_arch = "wasm32")]

use cunbao_app::storage::indexeddb::IndexedDbStore;
use cunbao_app::storage::schema::SCHEMA_VERSION;
use cunbao_app::storage::{suite, Store, StoreName};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", js_sys::Math::random().to_bits())
}

#[wasm_bindgen_test]
async fn indexeddb_passes_the_shared_store_suite() {
    suite::run(|| async { IndexedDbStore::open(&unique_name("suite")).await.unwrap() }).await;
}

#[wasm_bindgen_test]
async fn data_survives_closing_and_reopening_the_database() {
    let name = unique_name("reopen");
    let db = IndexedDbStore::open(&name).await.unwrap();
    assert_eq!(db.version().unwrap(), SCHEMA_VERSION);
    db.put(StoreName::Meta, "device_id", json!("dev-1"))
        .await
        .unwrap();
    db.close();

    let db = IndexedDbStore::open(&name).await.unwrap();
    assert_eq!(
        db.get(StoreName::Meta, "device_id").await.unwrap(),
        Some(json!("dev-1"))
    );
    db.close();
    IndexedDbStore::delete_database(&name).await.unwrap();
}
