//! The shared store suite against real IndexedDB in headless Chromium
//! (`wasm-bindgen-test-runner` via chromedriver; see `webdriver.json`).
#![cfg(target_arch = "wasm32")]

use cunbao_app::storage::indexeddb::IndexedDbStore;
use cunbao_app::storage::schema::SCHEMA_VERSION;
use cunbao_app::storage::{Store, StoreName};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", js_sys::Math::random().to_bits())
}

mod store_suite;

/// One browser test per case of the shared store suite, each on a fresh database.
macro_rules! on_indexeddb {
    ($($case:ident),* $(,)?) => {
        mod suite {
            use super::*;
            $(
                #[wasm_bindgen_test]
                async fn $case() {
                    let store = IndexedDbStore::open(&unique_name(stringify!($case))).await.unwrap();
                    super::store_suite::$case(&store).await;
                }
            )*
        }
    };
}
store_suite_cases!(on_indexeddb);

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

/// Two tabs on one tablet number outbox entries without a read each time: a tab whose known
/// last number is stale meets the other tab's entry, reads the real last one and goes on.
#[wasm_bindgen_test]
async fn two_tabs_number_the_outbox_without_gaps_or_overwrites() {
    use cunbao_app::sync::outbox;
    use cunbao_domain::sync::MutationBody;
    let void = |id: &str| MutationBody::Void {
        target_record_id: id.to_string(),
        reason: "录入错误".into(),
    };
    let name = unique_name("tabs");
    let first = IndexedDbStore::open(&name).await.unwrap();
    let second = IndexedDbStore::open(&name).await.unwrap();
    // Someone of the clinic is signed in (nothing is saved otherwise).
    let session = cunbao_domain::sync::SignInResponse {
        token: "token-lijia".into(),
        device_id: "dev-tabs".into(),
        user: cunbao_domain::sync::UserInfo {
            username: "lijia".into(),
            display_name: "王秀兰（李家村卫生室）".into(),
            role: cunbao_domain::sync::Role::ClinicAssistant,
            township_id: "twp-liangjiang".into(),
            clinic_id: Some("clinic-lijia".into()),
        },
        escrow_key: None,
    };
    cunbao_app::storage::meta::put(
        &first,
        cunbao_app::storage::meta::MetaKey::Session,
        &session,
    )
    .await
    .unwrap();
    // `second` reads the outbox while it is empty: it then believes there is no entry yet.
    assert!(outbox::entries(&second).await.unwrap().is_empty());
    assert_eq!(second.known_last_key(StoreName::Outbox), Some(None));
    let a1 = outbox::enqueue(&first, "a1", void("c1"), 1).await.unwrap();
    let b1 = outbox::enqueue(&second, "b1", void("c2"), 2).await.unwrap();
    // `first` still believes entry 1 is the last.
    assert_eq!(
        first.known_last_key(StoreName::Outbox),
        Some(Some(outbox::key(1)))
    );
    let a2 = outbox::enqueue(&first, "a2", void("c3"), 3).await.unwrap();
    assert_eq!((a1.seq, b1.seq, a2.seq), (1, 2, 3));
    let entries = outbox::entries(&first).await.unwrap();
    let ids: Vec<_> = entries
        .iter()
        .map(|e| (e.mutation.seq, e.mutation.record_id.as_str()))
        .collect();
    assert_eq!(ids, [(1, "a1"), (2, "b1"), (3, "a2")]);
    // Both tabs find all three open through the state index.
    assert_eq!(outbox::pending(&second).await.unwrap().len(), 3);
    first.close();
    second.close();
    IndexedDbStore::delete_database(&name).await.unwrap();
}

/// A tablet that ran the version 2 schema (no indexes) keeps its data, and the new indexes
/// find the records written before the upgrade.
#[wasm_bindgen_test]
async fn an_upgrade_indexes_the_records_already_there() {
    use cunbao_app::storage::schema::VERSIONS;
    use cunbao_app::storage::IndexName;
    use rexie::{ObjectStore, Rexie, TransactionMode};
    let name = unique_name("upgrade");
    let old = VERSIONS
        .iter()
        .filter(|(version, _)| *version <= 2)
        .flat_map(|(_, stores)| stores.iter())
        .fold(Rexie::builder(&name).version(2), |builder, store| {
            builder.add_object_store(ObjectStore::new(store.as_str()))
        })
        .build()
        .await
        .unwrap();
    let tx = old
        .transaction(&["outbox", "claims", "notices"], TransactionMode::ReadWrite)
        .unwrap();
    let put = |store: &str, key: &str, value: serde_json::Value| {
        let store = tx.store(store).unwrap();
        let key = wasm_bindgen::JsValue::from_str(key);
        let value = js_sys::JSON::parse(&value.to_string()).unwrap();
        async move { store.put(&value, Some(&key)).await.unwrap() }
    };
    put("outbox", "01", json!({ "state": { "state": "applied" } })).await;
    put("outbox", "02", json!({ "state": { "state": "pending" } })).await;
    put(
        "claims",
        "c-1",
        json!({ "person": "P1", "visit_date": "2025-03-04" }),
    )
    .await;
    put(
        "notices",
        "qualification:q-1",
        json!({ "entity": "qualification", "id": "q-1", "person": "P1", "data": {} }),
    )
    .await;
    put(
        "notices",
        "adjustment:a-1",
        json!({ "entity": "adjustment" }),
    )
    .await;
    tx.commit().await.unwrap();
    old.close();

    let db = IndexedDbStore::open(&name).await.unwrap();
    assert_eq!(db.version().unwrap(), SCHEMA_VERSION);
    let keys = |records: Vec<(String, serde_json::Value)>| -> Vec<String> {
        records.into_iter().map(|(key, _)| key).collect()
    };
    let pending = db
        .all_in(IndexName::OutboxByState, "pending")
        .await
        .unwrap();
    assert_eq!(keys(pending), ["02"]);
    let claims = db.all_in(IndexName::ClaimsByPerson, "P1").await.unwrap();
    assert_eq!(keys(claims), ["c-1"]);
    let qualifications = db
        .all_in(IndexName::QualificationsByPerson, "P1")
        .await
        .unwrap();
    assert_eq!(keys(qualifications), ["qualification:q-1"]);
    db.close();
    IndexedDbStore::delete_database(&name).await.unwrap();
}
