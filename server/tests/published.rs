//! Policies and catalogues are read from the database: what is published there, and has taken
//! effect, is what the server serves and checks by.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{Backend, TestServer};
use cunbao_domain::catalogue::Catalogue;
use cunbao_domain::policy::Policy;
use cunbao_server::published::{self, VersionKind};
use cunbao_server::state::InForce;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn the_versions_in_force_come_from_the_database(backend: Backend) {
    let s = TestServer::start(backend).await;
    let db = &s.state.db;
    // A new database has the shipped versions published.
    let shipped = InForce::load(db, day(2026, 11, 30)).await.unwrap();
    assert_eq!(shipped.policy.version, Policy::sample_2025().version);
    assert!(shipped.policy(&Policy::sample_2021().version).is_some());
    assert!(shipped.policy("county-2026.1").is_none());

    // A catalogue and a policy published for later take effect on their day, not before.
    let mut catalogue: Catalogue = cunbao_domain::sample::catalogue();
    catalogue.version = "county-catalogue-2026.1".into();
    catalogue.items.truncate(10);
    let mut policy = Policy::sample_2025();
    policy.version = "county-2026.1".into();
    let effective = day(2026, 1, 1);
    for (kind, version, body) in [
        (
            VersionKind::Catalogue,
            &catalogue.version,
            serde_json::to_value(&catalogue).unwrap(),
        ),
        (
            VersionKind::Policy,
            &policy.version,
            serde_json::to_value(&policy).unwrap(),
        ),
    ] {
        assert!(published::publish(db, kind, version, effective, &body)
            .await
            .unwrap());
        // Published versions are immutable: publishing the same version again changes nothing.
        let other = serde_json::json!({ "tampered": true });
        assert!(!published::publish(db, kind, version, effective, &other)
            .await
            .unwrap());
    }
    let before = InForce::load(db, day(2025, 12, 31)).await.unwrap();
    assert_eq!(
        before.catalogue.version,
        cunbao_domain::sample::catalogue().version
    );
    assert_eq!(before.policy.version, Policy::sample_2025().version);
    assert!(
        before.policy("county-2026.1").is_some(),
        "named versions stay usable"
    );
    let on_the_day = InForce::load(db, effective).await.unwrap();
    assert_eq!(on_the_day.catalogue.version, "county-catalogue-2026.1");
    assert_eq!(on_the_day.catalogue.items.len(), 10);
    assert_eq!(on_the_day.policy.version, "county-2026.1");

    // A server started now serves what is in force today, over the API.
    let state = cunbao_server::AppState::load(db.clone(), Default::default())
        .await
        .unwrap();
    let s = TestServer { state, ..s };
    let (token, _) = s.sign_in("lijia").await;
    let (status, body) = s
        .call(Method::GET, "/api/v1/sync/handshake", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["catalogue_version"], "county-catalogue-2026.1");
    assert_eq!(body["policy_version"], "county-2026.1");
    let (_, page) = s
        .call(
            Method::GET,
            "/api/v1/catalogue?offset=0&limit=100",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(page["total"], 10);
}

on_both_databases!(the_versions_in_force_come_from_the_database);
