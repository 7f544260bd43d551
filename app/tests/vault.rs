//! Encryption at rest against real IndexedDB and WebCrypto in headless Chromium: the shared
//! store suite through the vault, what the database underneath holds, and the PIN and escrow
//! copies of the data key.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use cunbao_app::pin::PinError;
use cunbao_app::storage::indexeddb::IndexedDbStore;
use cunbao_app::storage::meta::{self, MetaKey};
use cunbao_app::storage::{Batch, IndexName, Store, StoreName};
use cunbao_app::vault::keys::{Keys, Secret};
use cunbao_app::vault::{establish, unlock, EstablishError, Vault};
use cunbao_domain::sync::{Role, SignInResponse, UserInfo};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod store_suite;

fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", js_sys::Math::random().to_bits())
}

async fn fresh_vault(prefix: &str) -> Vault {
    let raw = Rc::new(IndexedDbStore::open(&unique_name(prefix)).await.unwrap());
    Vault::new(raw, Keys::of(&Secret::fresh().unwrap()).await.unwrap())
}

/// Every case of the store suite holds through the vault: sealing changes nothing a caller
/// sees.
macro_rules! through_the_vault {
    ($($case:ident),* $(,)?) => {
        mod suite {
            use super::*;
            $(
                #[wasm_bindgen_test]
                async fn $case() {
                    super::store_suite::$case(&fresh_vault(stringify!($case)).await).await;
                }
            )*
        }
    };
}
store_suite_cases!(through_the_vault);

const ID: &str = "11010519491231002X";
const NAME: &str = "韦春花";
const PHONE: &str = "13907715566";

/// Every record of every store of the database underneath, as one text.
async fn raw_text(raw: &IndexedDbStore) -> String {
    let mut text = String::new();
    for store in cunbao_app::storage::schema::current_stores() {
        for (key, value) in raw.all(store).await.unwrap() {
            text.push_str(&format!("{store}/{key}={value}\n"));
        }
    }
    text
}

#[wasm_bindgen_test]
async fn the_database_underneath_holds_no_id_number_name_or_phone_and_the_indexes_still_find() {
    let vault = fresh_vault("plain").await;
    let claim = json!({ "person": ID, "visit_date": "2026-11-30", "patient_name": NAME });
    let mut batch = Batch::default();
    batch.put(StoreName::Claims, "c-1", &claim).unwrap();
    batch
        .put(
            StoreName::Enrolments,
            "e-1",
            &json!({ "member": { "id_number": ID, "name": NAME, "phone": PHONE } }),
        )
        .unwrap();
    batch
        .put(
            StoreName::Outbox,
            "00000000000000000001",
            &json!({ "state": { "state": "pending" }, "mutation": { "name": NAME } }),
        )
        .unwrap();
    batch
        .put(
            StoreName::Notices,
            &format!("accumulators:{ID}|2026|general"),
            &json!({"id": ID}),
        )
        .unwrap();
    batch
        .put(StoreName::Meta, "draft:enrol", &json!({ "id_number": ID }))
        .unwrap();
    batch
        .put(
            StoreName::Meta,
            "session",
            &json!({ "token": "secret-token" }),
        )
        .unwrap();
    vault.commit_durable(&batch).await.unwrap();
    vault
        .put(
            StoreName::CatalogueItems,
            "X01",
            json!({ "name": "阿莫西林" }),
        )
        .await
        .unwrap();

    let raw = raw_text(vault.raw()).await;
    for secret in [ID, NAME, PHONE, "secret-token"] {
        assert!(!raw.contains(secret), "{secret} in clear: {raw}");
    }
    // The public catalogue stays in clear; the outbox keeps its state and key for its index.
    assert!(raw.contains("阿莫西林"));
    assert!(raw.contains("outbox/00000000000000000001"));
    assert!(raw.contains("\"pending\""));

    // Read back through the vault: the same records, found by the same indexes.
    assert_eq!(
        vault.get(StoreName::Claims, "c-1").await.unwrap(),
        Some(claim.clone())
    );
    let by_person = vault.all_in(IndexName::ClaimsByPerson, ID).await.unwrap();
    assert_eq!(by_person, vec![("c-1".to_string(), claim.clone())]);
    assert_eq!(
        vault.count_in(IndexName::ClaimsByPerson, ID).await.unwrap(),
        1
    );
    assert_eq!(
        vault
            .all_in(IndexName::ClaimsByDate, "2026-11-30")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        vault
            .count_in(IndexName::OutboxByState, "pending")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        vault
            .keys_in(IndexName::OutboxByState, "pending")
            .await
            .unwrap(),
        ["00000000000000000001"]
    );
    // A store whose keys are hashed does not list them.
    assert!(vault.keys_in(IndexName::ClaimsByPerson, ID).await.is_err());
    let notice_key = format!("accumulators:{ID}|2026|general");
    assert!(vault
        .get(StoreName::Notices, &notice_key)
        .await
        .unwrap()
        .is_some());
    let notices = vault.all(StoreName::Notices).await.unwrap();
    assert_eq!(notices[0].0, notice_key);

    // An envelope copied under another key does not open there.
    let stored = vault.raw().all(StoreName::Claims).await.unwrap();
    vault
        .raw()
        .put(StoreName::Claims, "elsewhere", stored[0].1.clone())
        .await
        .unwrap();
    assert!(vault.all(StoreName::Claims).await.is_err());

    // Another data key opens nothing.
    let other = Vault::new(
        vault.raw().clone(),
        Keys::of(&Secret::fresh().unwrap()).await.unwrap(),
    );
    assert!(other
        .get(StoreName::Enrolments, "e-1")
        .await
        .unwrap()
        .is_none());
    assert!(other.get(StoreName::Meta, "session").await.is_err());
}

fn session(clinic: &str, escrow: &str) -> SignInResponse {
    SignInResponse {
        token: "t".into(),
        device_id: "dev-1".into(),
        user: UserInfo {
            username: "lijia".into(),
            display_name: "王秀兰（李家村卫生室）".into(),
            role: Role::ClinicAssistant,
            township_id: "twp".into(),
            clinic_id: Some(clinic.into()),
        },
        escrow_key: Some(escrow.into()),
    }
}

const ESCROW: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const OTHER_ESCROW: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

#[wasm_bindgen_test]
async fn the_pin_opens_the_data_five_wrong_pins_forget_it_and_the_escrow_recovers_it() {
    let raw = Rc::new(IndexedDbStore::open(&unique_name("pin")).await.unwrap());
    // A tablet from before encryption: a resident stored in clear.
    raw.put(StoreName::Enrolments, "e-old", json!({ "name": NAME }))
        .await
        .unwrap();
    let vault = establish(raw.clone(), &session("c-lijia", ESCROW), "246810")
        .await
        .unwrap();
    // The sign-in that made the key sealed what was there.
    assert!(!raw_text(&raw).await.contains(NAME));
    assert_eq!(
        vault.get(StoreName::Enrolments, "e-old").await.unwrap(),
        Some(json!({ "name": NAME }))
    );
    vault
        .put(
            StoreName::Outbox,
            "00000000000000000001",
            json!({ "state": { "state": "pending" }, "who": NAME }),
        )
        .await
        .unwrap();
    let record = cunbao_app::pin::record(raw.as_ref())
        .await
        .unwrap()
        .unwrap();
    assert!(record.iterations >= cunbao_app::vault::keys::MIN_ITERATIONS);
    assert!(!format!("{record:?}").contains("246810"));
    drop(vault);

    // The PIN opens it again; a wrong one does not, and says how many tries are left.
    let again = unlock(raw.clone(), "246810").await.ok().unwrap();
    assert!(again
        .get(StoreName::Enrolments, "e-old")
        .await
        .unwrap()
        .is_some());
    drop(again);
    for left in (1..5).rev() {
        assert_eq!(
            unlock(raw.clone(), "000000").await.err(),
            Some(PinError::Wrong(left))
        );
    }
    assert_eq!(
        unlock(raw.clone(), "000000").await.err(),
        Some(PinError::LockedOut)
    );
    // The wrapped key is gone: not even the right PIN opens it now.
    assert_eq!(
        unlock(raw.clone(), "246810").await.err(),
        Some(PinError::NotSet)
    );
    assert!(!raw_text(&raw).await.contains(NAME));

    // Another clinic's escrow secret does not open it, and with work pending nothing is wiped.
    let refused = establish(raw.clone(), &session("c-lijia", OTHER_ESCROW), "135790").await;
    assert_eq!(
        refused.err(),
        Some(EstablishError::Unrecoverable { pending: 1 })
    );
    // The clinic's own sign-in recovers it, with everything pending.
    let recovered = establish(raw.clone(), &session("c-lijia", ESCROW), "135790")
        .await
        .unwrap();
    assert_eq!(
        recovered
            .all_in(IndexName::OutboxByState, "pending")
            .await
            .unwrap()
            .len(),
        1
    );
    drop(recovered);
    assert!(unlock(raw.clone(), "135790").await.is_ok());

    // The server answers it, applied with nothing to note: the entry is left as stored (still
    // "pending" on the state index) and the outbox's answered mark moves past it. Nothing
    // waits now, so a key that cannot be recovered starts the tablet clean, the mark with it.
    meta::put(raw.as_ref(), MetaKey::OutboxAnswered, &1u64)
        .await
        .unwrap();
    assert_eq!(
        raw.count_in(IndexName::OutboxByState, "pending")
            .await
            .unwrap(),
        1
    );
    let fresh = establish(raw.clone(), &session("c-lijia", OTHER_ESCROW), "135790").await;
    assert!(fresh.is_ok());
    assert_eq!(raw.count(StoreName::Outbox).await.unwrap(), 0);
    assert_eq!(
        meta::get::<u64>(raw.as_ref(), MetaKey::OutboxAnswered)
            .await
            .unwrap(),
        None
    );
}

#[wasm_bindgen_test]
async fn past_the_offline_limit_the_pin_no_longer_unlocks() {
    let raw = Rc::new(IndexedDbStore::open(&unique_name("offline")).await.unwrap());
    drop(
        establish(raw.clone(), &session("c-lijia", ESCROW), "246810")
            .await
            .unwrap(),
    );
    let now = js_sys::Date::now() as u64;
    let day = 24 * 60 * 60 * 1000;
    meta::put(raw.as_ref(), MetaKey::LastContact, &(now - 13 * day))
        .await
        .unwrap();
    assert!(unlock(raw.clone(), "246810").await.is_ok());
    meta::put(raw.as_ref(), MetaKey::LastContact, &(now - 15 * day))
        .await
        .unwrap();
    assert_eq!(
        unlock(raw.clone(), "246810").await.err(),
        Some(PinError::OfflineTooLong(14))
    );
    assert_eq!(
        unlock(raw.clone(), "246810").await.err(),
        Some(PinError::NotSet)
    );
    // An online sign-in of the clinic opens it again.
    assert!(
        establish(raw.clone(), &session("c-lijia", ESCROW), "246810")
            .await
            .is_ok()
    );
}

/// The vault keeps the outbox entries it sealed in this opening and opens a stored one that is
/// exactly as sealed without decrypting it again; one written since by another tab (another
/// vault on the same database) is opened from what is stored.
#[wasm_bindgen_test]
async fn an_outbox_entry_written_by_another_tab_reads_as_stored_not_as_remembered() {
    let raw = Rc::new(IndexedDbStore::open(&unique_name("written")).await.unwrap());
    let secret = Secret::fresh().unwrap();
    let this_tab = Vault::new(raw.clone(), Keys::of(&secret).await.unwrap());
    let other_tab = Vault::new(raw.clone(), Keys::of(&secret).await.unwrap());
    let key = |seq: u64| format!("{seq:020}");
    let mut batch = Batch::default();
    for seq in 1..=2 {
        batch
            .insert(
                StoreName::Outbox,
                &key(seq),
                &json!({ "seq": seq, "by": "this tab" }),
            )
            .unwrap();
    }
    this_tab.commit_durable(&batch).await.unwrap();
    // The outbox cleared and its first key written again elsewhere.
    let mut again = Batch::default();
    again.delete(StoreName::Outbox, &key(1));
    again
        .put(
            StoreName::Outbox,
            &key(1),
            &json!({ "seq": 1, "by": "other tab" }),
        )
        .unwrap();
    other_tab.commit_durable(&again).await.unwrap();
    let read = this_tab
        .all_after(StoreName::Outbox, &key(0))
        .await
        .unwrap();
    assert_eq!(
        read,
        vec![
            (key(1), json!({ "seq": 1, "by": "other tab" })),
            (key(2), json!({ "seq": 2, "by": "this tab" })),
        ]
    );
    // What is stored is still sealed.
    assert!(!raw_text(&raw).await.contains("this tab"));
}
