//! The shared test suite for [`Store`] implementations, one test per case: natively against the
//! memory store (`memory_store.rs`) and in headless Chromium against IndexedDB
//! (`indexeddb.rs`). It lives with the tests, so the shipped app does not carry it.
#![allow(dead_code)]

use serde_json::{json, Value};

use cunbao_app::storage::{Batch, IndexName, StorageError, Store, StoreName};

/// Calls `$m!(case, case, …)` with every case of the suite, so each runner makes one test per
/// case, each on a fresh, empty store.
#[macro_export]
macro_rules! store_suite_cases {
    ($m:ident) => {
        $m!(
            missing_keys_read_as_none,
            put_then_get_returns_the_value,
            put_replaces,
            stores_are_separate,
            all_lists_in_key_order,
            delete_removes_and_tolerates_missing,
            put_all_writes_every_record,
            values_survive_exactly,
            typed_access_round_trips,
            last_key_is_the_greatest,
            the_records_after_a_key_come_in_key_order,
            durable_writes_read_back,
            a_batch_lands_across_stores,
            a_batch_with_a_taken_insert_writes_nothing,
            a_batch_and_prepared_records_land_together,
            the_known_last_key_follows_reads_and_inserts,
            an_index_finds_records_by_one_field,
            a_changed_enrolment_round_trips,
            many_keys_read_together_in_their_order
        );
    };
}

pub async fn an_index_finds_records_by_one_field(s: &impl Store) {
    let entry = |seq: u32, state: &str| json!({ "seq": seq, "state": { "state": state } });
    for (key, value) in [
        ("0003", entry(3, "pending")),
        ("0001", entry(1, "applied")),
        ("0002", entry(2, "pending")),
        ("0004", entry(4, "rejected")),
        // Not in the index: the field is missing, or not a string.
        ("0005", json!({ "seq": 5 })),
        ("0006", json!({ "state": "pending" })),
        ("0007", json!(7)),
    ] {
        s.put(StoreName::Outbox, key, value).await.unwrap();
    }
    let keys = |records: Vec<(String, Value)>| -> Vec<String> {
        records.into_iter().map(|(key, _)| key).collect()
    };
    let pending = s.all_in(IndexName::OutboxByState, "pending").await.unwrap();
    assert_eq!(pending[0].1, entry(2, "pending"));
    assert_eq!(keys(pending), ["0002", "0003"]);
    assert_eq!(
        s.count_in(IndexName::OutboxByState, "pending")
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        s.count_in(IndexName::OutboxByState, "nothing")
            .await
            .unwrap(),
        0
    );
    // A record that changes state moves within the index, in the same write (a batch).
    let mut batch = Batch::default();
    batch
        .put(StoreName::Outbox, "0002", &entry(2, "applied"))
        .unwrap();
    s.commit_durable(&batch).await.unwrap();
    s.put(StoreName::Outbox, "0004", entry(4, "pending"))
        .await
        .unwrap();
    let pending = s.all_in(IndexName::OutboxByState, "pending").await.unwrap();
    assert_eq!(keys(pending), ["0003", "0004"]);
    // The same keys, without reading the records.
    assert_eq!(
        s.keys_in(IndexName::OutboxByState, "pending")
            .await
            .unwrap(),
        ["0003", "0004"]
    );
    let applied = s.all_in(IndexName::OutboxByState, "applied").await.unwrap();
    assert_eq!(keys(applied), ["0001", "0002"]);
    assert!(s
        .all_in(IndexName::OutboxByState, "rejected")
        .await
        .unwrap()
        .is_empty());
    // Another store's index does not see these records.
    s.put(
        StoreName::Claims,
        "c-1",
        json!({ "person": "0003", "visit_date": "2025-03-04" }),
    )
    .await
    .unwrap();
    let by_day = s
        .all_in(IndexName::ClaimsByDate, "2025-03-04")
        .await
        .unwrap();
    assert_eq!(keys(by_day), ["c-1"]);
    assert!(s
        .all_in(IndexName::ClaimsByPerson, "pending")
        .await
        .unwrap()
        .is_empty());
    s.delete(StoreName::Claims, "c-1").await.unwrap();
    assert!(s
        .all_in(IndexName::ClaimsByDate, "2025-03-04")
        .await
        .unwrap()
        .is_empty());
}

pub async fn the_known_last_key_follows_reads_and_inserts(s: &impl Store) {
    let known = |key: &str| Some(Some(key.to_string()));
    assert_eq!(s.known_last_key(StoreName::Outbox), None);
    // An empty store, once read, is known to have no last key.
    s.all(StoreName::Outbox).await.unwrap();
    assert_eq!(s.known_last_key(StoreName::Outbox), Some(None));
    s.put(StoreName::Outbox, "00000000000000000004", json!(4))
        .await
        .unwrap();
    // A plain put is not noted; reading the last key is, and so is reading them all.
    assert_eq!(s.known_last_key(StoreName::Outbox), Some(None));
    s.last_key(StoreName::Outbox).await.unwrap();
    assert_eq!(
        s.known_last_key(StoreName::Outbox),
        known("00000000000000000004")
    );
    s.put(StoreName::Outbox, "00000000000000000005", json!(5))
        .await
        .unwrap();
    s.all(StoreName::Outbox).await.unwrap();
    assert_eq!(
        s.known_last_key(StoreName::Outbox),
        known("00000000000000000005")
    );
    let mut batch = Batch::default();
    batch
        .insert(StoreName::Outbox, "00000000000000000006", &json!(6))
        .unwrap();
    s.commit_durable(&batch).await.unwrap();
    assert_eq!(
        s.known_last_key(StoreName::Outbox),
        known("00000000000000000006")
    );
    // A batch that fails notes nothing.
    let mut taken = Batch::default();
    taken
        .insert(StoreName::Outbox, "00000000000000000009", &json!(9))
        .unwrap();
    taken
        .insert(StoreName::Outbox, "00000000000000000006", &json!(6))
        .unwrap();
    assert!(s.commit_durable(&taken).await.is_err());
    assert_eq!(
        s.known_last_key(StoreName::Outbox),
        known("00000000000000000006")
    );
    assert_eq!(s.known_last_key(StoreName::Claims), None);
}

pub async fn a_batch_lands_across_stores(s: &impl Store) {
    s.put(StoreName::Meta, "draft:visit", json!({"lines": 3}))
        .await
        .unwrap();
    let mut batch = Batch::default();
    batch
        .insert(
            StoreName::Outbox,
            "00000000000000000001",
            &json!({"seq": 1}),
        )
        .unwrap();
    batch
        .put(StoreName::Claims, "c-1", &json!({"fund": "62.00"}))
        .unwrap();
    batch.delete(StoreName::Meta, "draft:visit");
    s.commit_durable(&batch).await.unwrap();
    assert_eq!(
        s.get(StoreName::Outbox, "00000000000000000001")
            .await
            .unwrap(),
        Some(json!({"seq": 1}))
    );
    assert_eq!(
        s.get(StoreName::Claims, "c-1").await.unwrap(),
        Some(json!({"fund": "62.00"}))
    );
    assert_eq!(s.get(StoreName::Meta, "draft:visit").await.unwrap(), None);
}

pub async fn a_batch_and_prepared_records_land_together(s: &impl Store) {
    // Nothing to write: nothing happens (and no transaction over no store is asked for).
    s.commit_durable_with(&Batch::default(), &[]).await.unwrap();
    let ready = [
        s.prepare(
            StoreName::Notices,
            vec![("n-1".into(), json!({"kind": "figures"}))],
        )
        .await
        .unwrap(),
        s.prepare(
            StoreName::Claims,
            vec![
                ("c-1".into(), json!({"fund": "62.00"})),
                ("c-2".into(), json!({"fund": "8.50"})),
            ],
        )
        .await
        .unwrap(),
    ];
    let mut marks = Batch::default();
    marks.put(StoreName::Meta, "cursor", &41u64).unwrap();
    s.commit_durable_with(&marks, &ready).await.unwrap();
    assert_eq!(
        s.get(StoreName::Meta, "cursor").await.unwrap(),
        Some(json!(41))
    );
    assert_eq!(
        s.get(StoreName::Notices, "n-1").await.unwrap(),
        Some(json!({"kind": "figures"}))
    );
    assert_eq!(
        s.get_many(StoreName::Claims, &["c-1".into(), "c-2".into()])
            .await
            .unwrap(),
        vec![
            Some(json!({"fund": "62.00"})),
            Some(json!({"fund": "8.50"}))
        ]
    );
    // All or none: a taken insert in the batch writes none of the prepared records either.
    let mut taken = Batch::default();
    taken.insert(StoreName::Meta, "cursor", &42u64).unwrap();
    let more = [s
        .prepare(StoreName::Notices, vec![("n-2".into(), json!(2))])
        .await
        .unwrap()];
    assert!(s.commit_durable_with(&taken, &more).await.is_err());
    assert_eq!(s.get(StoreName::Notices, "n-2").await.unwrap(), None);
    assert_eq!(
        s.get(StoreName::Meta, "cursor").await.unwrap(),
        Some(json!(41))
    );
}

pub async fn a_batch_with_a_taken_insert_writes_nothing(s: &impl Store) {
    s.put(StoreName::Outbox, "00000000000000000001", json!("first"))
        .await
        .unwrap();
    let mut batch = Batch::default();
    batch
        .put(StoreName::Claims, "c-2", &json!({"fund": "1.00"}))
        .unwrap();
    batch
        .insert(StoreName::Outbox, "00000000000000000001", &json!("second"))
        .unwrap();
    let result = s.commit_durable(&batch).await;
    assert!(
        matches!(result, Err(StorageError::Conflict(_))),
        "{result:?}"
    );
    assert_eq!(s.get(StoreName::Claims, "c-2").await.unwrap(), None);
    assert_eq!(
        s.get(StoreName::Outbox, "00000000000000000001")
            .await
            .unwrap(),
        Some(json!("first"))
    );
}

pub async fn durable_writes_read_back(s: &impl Store) {
    let records = vec![
        (
            "r-1".to_string(),
            json!({"receipt": "R-0001", "amount": "390.00"}),
        ),
        (
            "r-2".to_string(),
            json!({"receipt": "R-0002", "amount": "0.00"}),
        ),
    ];
    s.put_all_durable(StoreName::Contributions, &records)
        .await
        .unwrap();
    assert_eq!(s.all(StoreName::Contributions).await.unwrap(), records);
}

pub async fn last_key_is_the_greatest(s: &impl Store) {
    assert_eq!(s.last_key(StoreName::Outbox).await.unwrap(), None);
    for key in [
        "00000000000000000002",
        "00000000000000000010",
        "00000000000000000001",
    ] {
        s.put(StoreName::Outbox, key, json!(key)).await.unwrap();
    }
    assert_eq!(
        s.last_key(StoreName::Outbox).await.unwrap().as_deref(),
        Some("00000000000000000010")
    );
    // Another store's keys are its own.
    assert_eq!(s.last_key(StoreName::CatalogueItems).await.unwrap(), None);
}

pub async fn the_records_after_a_key_come_in_key_order(s: &impl Store) {
    let key = |seq: u32| format!("{seq:020}");
    assert!(s
        .all_after(StoreName::Outbox, &key(0))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.count_after(StoreName::Outbox, &key(0)).await.unwrap(), 0);
    for seq in [3, 1, 12, 2, 10] {
        s.put(StoreName::Outbox, &key(seq), json!({ "seq": seq }))
            .await
            .unwrap();
    }
    // The key itself is left out; those after it come in key order, with their values.
    let records = s.all_after(StoreName::Outbox, &key(2)).await.unwrap();
    assert_eq!(
        records,
        [
            (key(3), json!({ "seq": 3 })),
            (key(10), json!({ "seq": 10 })),
            (key(12), json!({ "seq": 12 })),
        ]
    );
    assert_eq!(s.count_after(StoreName::Outbox, &key(2)).await.unwrap(), 3);
    // A key that is not stored bounds the range all the same.
    assert_eq!(s.count_after(StoreName::Outbox, &key(11)).await.unwrap(), 1);
    assert_eq!(
        s.all_after(StoreName::Outbox, &key(0)).await.unwrap().len(),
        5
    );
    assert!(s
        .all_after(StoreName::Outbox, &key(12))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.count_after(StoreName::Outbox, &key(12)).await.unwrap(), 0);
    // Another store's records are its own.
    assert_eq!(
        s.count_after(StoreName::CatalogueItems, "").await.unwrap(),
        0
    );
}

pub async fn missing_keys_read_as_none(s: &impl Store) {
    for store in cunbao_app::storage::schema::current_stores() {
        assert_eq!(s.get(store, "nothing").await.unwrap(), None, "{store}");
        assert_eq!(s.count(store).await.unwrap(), 0, "{store}");
        assert!(s.all(store).await.unwrap().is_empty(), "{store}");
    }
}

pub async fn many_keys_read_together_in_their_order(s: &impl Store) {
    let claim = |n: u32| json!({"claim_id": format!("k-{n}"), "total": format!("{n}.50")});
    let records: Vec<(String, Value)> = (1..=3).map(|n| (format!("k-{n}"), claim(n))).collect();
    s.put_all(StoreName::Claims, &records).await.unwrap();
    let keys: Vec<String> = ["k-3", "nothing", "k-1", "k-3"].map(String::from).to_vec();
    assert_eq!(
        s.get_many(StoreName::Claims, &keys).await.unwrap(),
        [Some(claim(3)), None, Some(claim(1)), Some(claim(3))]
    );
    assert!(s.get_many(StoreName::Claims, &[]).await.unwrap().is_empty());
}

pub async fn put_then_get_returns_the_value(s: &impl Store) {
    let person = json!({"name": "张三", "id_number": "11010519491231002X"});
    s.put(StoreName::Persons, "p-1", person.clone())
        .await
        .unwrap();
    assert_eq!(
        s.get(StoreName::Persons, "p-1").await.unwrap(),
        Some(person)
    );
    assert_eq!(s.count(StoreName::Persons).await.unwrap(), 1);
}

pub async fn put_replaces(s: &impl Store) {
    s.put(StoreName::Meta, "lang", json!("zh-CN"))
        .await
        .unwrap();
    s.put(StoreName::Meta, "lang", json!("en")).await.unwrap();
    assert_eq!(
        s.get(StoreName::Meta, "lang").await.unwrap(),
        Some(json!("en"))
    );
    assert_eq!(s.count(StoreName::Meta).await.unwrap(), 1);
}

pub async fn stores_are_separate(s: &impl Store) {
    s.put(StoreName::Claims, "k", json!(1)).await.unwrap();
    s.put(StoreName::Enrolments, "k", json!(2)).await.unwrap();
    assert_eq!(s.get(StoreName::Claims, "k").await.unwrap(), Some(json!(1)));
    assert_eq!(
        s.get(StoreName::Enrolments, "k").await.unwrap(),
        Some(json!(2))
    );
    assert_eq!(s.get(StoreName::Households, "k").await.unwrap(), None);
}

pub async fn all_lists_in_key_order(s: &impl Store) {
    for key in ["0003", "0001", "0010", "0002"] {
        s.put(StoreName::Outbox, key, json!({ "seq": key }))
            .await
            .unwrap();
    }
    let keys: Vec<String> = s
        .all(StoreName::Outbox)
        .await
        .unwrap()
        .into_iter()
        .map(|(k, v)| {
            assert_eq!(v, json!({ "seq": k }));
            k
        })
        .collect();
    assert_eq!(keys, ["0001", "0002", "0003", "0010"]);
}

pub async fn delete_removes_and_tolerates_missing(s: &impl Store) {
    s.put(StoreName::Contributions, "r-1", json!("x"))
        .await
        .unwrap();
    s.delete(StoreName::Contributions, "r-1").await.unwrap();
    s.delete(StoreName::Contributions, "never-there")
        .await
        .unwrap();
    assert_eq!(s.get(StoreName::Contributions, "r-1").await.unwrap(), None);
    assert_eq!(s.count(StoreName::Contributions).await.unwrap(), 0);
}

pub async fn put_all_writes_every_record(s: &impl Store) {
    let records: Vec<(String, Value)> = (0..250)
        .map(|i| {
            (
                format!("item-{i:05}"),
                json!({ "code": i, "name": "阿莫西林胶囊" }),
            )
        })
        .collect();
    s.put_all(StoreName::CatalogueItems, &records)
        .await
        .unwrap();
    assert_eq!(s.count(StoreName::CatalogueItems).await.unwrap(), 250);
    assert_eq!(s.all(StoreName::CatalogueItems).await.unwrap(), records);
}

pub async fn values_survive_exactly(s: &impl Store) {
    // Money travels as decimal strings; nothing may turn it into a float on the way.
    let claim = json!({
        "total": "114.60",
        "fund": "0.10",
        "tiny": "0.005",
        "huge": "99999999999999.99",
        "lines": [{"qty": "0.5", "price": "12.50"}],
        "nested": {"ok": true, "none": null, "count": 3}
    });
    s.put(StoreName::Claims, "c-1", claim.clone())
        .await
        .unwrap();
    assert_eq!(s.get(StoreName::Claims, "c-1").await.unwrap(), Some(claim));
}

pub async fn typed_access_round_trips(s: &impl Store) {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Household {
        head: String,
        members: Vec<String>,
    }
    let household = Household {
        head: "李四".into(),
        members: vec!["李四".into(), "王五".into()],
    };
    s.put_as(StoreName::Households, "h-1", &household)
        .await
        .unwrap();
    let read: Option<Household> = s.get_as(StoreName::Households, "h-1").await.unwrap();
    assert_eq!(read, Some(household));
    s.put(StoreName::Households, "h-2", json!(42))
        .await
        .unwrap();
    let wrong: Result<Option<Household>, _> = s.get_as(StoreName::Households, "h-2").await;
    assert!(matches!(wrong, Err(StorageError::Format(_))));
}

/// An enrolment after changes (cover stopped, a name corrected with the earlier value kept)
/// reads back whole, and the desk's index sees the person suspended from the stop date.
pub async fn a_changed_enrolment_round_trips(s: &impl Store) {
    use chrono::NaiveDate;
    use cunbao_app::desk::residents::ResidentIndex;
    use cunbao_app::storage::records::EnrolmentRecord;
    use cunbao_domain::enrolment::{Eligibility, StopReason};
    let record = json!({
        "household_id": "h1",
        "member": { "id_number": "11010519491231002X", "name": "王秀兰", "relationship": "head",
                    "phone": "13800138000" },
        "scheme_year": 2026, "enrolled_on": "2025-11-01", "policy_version": "county-sample-2026.1",
        "coverage": { "basis": "on_time", "from": "2026-01-01", "to": "2026-12-31",
                      "benefits_from": "2026-01-01" },
        "stopped": { "from": "2026-06-15", "reason": "moved_away" },
        "corrections": [{
            "correction_id": "fix-1", "enrolment_id": "e1",
            "earlier": { "field": "name", "value": "王秀蓝" },
            "value": { "field": "name", "value": "王秀兰" },
            "clinic_id": "clinic-lijia", "by": "王秀兰", "device_id": "dev-1", "device_name": "卫生室平板1",
            "at": "2026-06-01T08:00:00Z"
        }]
    });
    s.put(StoreName::Enrolments, "e1", record.clone())
        .await
        .unwrap();
    let typed: EnrolmentRecord = s
        .get_as(StoreName::Enrolments, "e1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(typed.stopped.unwrap().reason, StopReason::MovedAway);
    assert_eq!(typed.corrections[0].earlier.value_text(), "王秀蓝");
    assert_eq!(
        s.get(StoreName::Enrolments, "e1").await.unwrap(),
        Some(record)
    );
    let index = ResidentIndex::load(s).await.unwrap();
    let person = index.get("e1").unwrap();
    let day = |d| NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
    assert_eq!(person.eligibility(day(14)), Eligibility::Eligible);
    assert_eq!(person.eligibility(day(15)), Eligibility::Suspended);
}
