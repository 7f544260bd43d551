//! Device tokens expire and are renewed at the handshake; the township's staff see their
//! devices: the last sync, the work each still held, the app version, and for a revoked one
//! the work lost with it.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate, Utc};
use common::{Backend, TestServer};
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_server::tokens::TokenPolicy;
use serde_json::Value;

async fn handshake(s: &TestServer, token: &str) -> (StatusCode, Value) {
    s.call(Method::GET, "/api/v1/sync/handshake", Some(token), None)
        .await
}

async fn code(s: &TestServer, path: &str, token: &str) -> (StatusCode, String) {
    let (status, body) = s.call(Method::GET, path, Some(token), None).await;
    (status, body["code"].as_str().unwrap_or_default().into())
}

async fn set_device(s: &TestServer, device: &str, column: &str, value: &str) {
    sqlx::query(&format!("UPDATE devices SET {column} = $1 WHERE id = $2"))
        .bind(value)
        .bind(device)
        .execute(&s.state.db)
        .await
        .unwrap();
}

async fn device_text(s: &TestServer, device: &str, column: &str) -> Option<String> {
    sqlx::query_scalar(&format!("SELECT {column} FROM devices WHERE id = $1"))
        .bind(device)
        .fetch_one(&s.state.db)
        .await
        .unwrap()
}

fn renewed(body: &Value) -> Option<String> {
    body.get("renewed_token")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A day-old token is renewed at the handshake; the old one keeps working until the new one is
/// first used (an answer lost on the way gets another fresh token), then it is refused.
async fn a_day_old_token_is_renewed_and_the_old_one_retired_once_the_new_is_used(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (old, device) = s.sign_in("lijia").await;
    let (status, body) = handshake(&s, &old).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(renewed(&body), None, "a fresh token is kept");
    let two_days_ago = (Utc::now() - Duration::days(2)).to_rfc3339();
    set_device(&s, &device, "token_issued_at", &two_days_ago).await;

    let (status, body) = handshake(&s, &old).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let lost = renewed(&body).expect("a day-old token is renewed");
    assert_eq!(lost.len(), 64);
    assert_ne!(lost, old);
    // The answer was lost: the tablet comes again with the old token and gets another one;
    // the one it never received opens nothing.
    let (status, body) = handshake(&s, &old).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new = renewed(&body).expect("renewed again");
    assert_ne!(new, lost);
    assert_eq!(
        code(&s, "/api/v1/sync/handshake", &lost).await,
        (StatusCode::UNAUTHORIZED, "bad_token".into())
    );
    // The old token still works for anything until the new one is used.
    let pull = "/api/v1/sync/pull?after=0&limit=10";
    assert_eq!(code(&s, pull, &old).await.0, StatusCode::OK);
    let (status, body) = handshake(&s, &new).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(renewed(&body), None, "the new token is fresh");
    assert_eq!(body["user"]["username"], "lijia");
    // Now the old one is refused, everywhere.
    for path in ["/api/v1/sync/handshake", pull] {
        assert_eq!(
            code(&s, path, &old).await,
            (StatusCode::UNAUTHORIZED, "bad_token".into()),
            "{path}"
        );
    }
    assert_eq!(code(&s, pull, &new).await.0, StatusCode::OK);
    // The expiry moved a full lifetime on.
    let expires = device_text(&s, &device, "expires_at").await.unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(&expires).unwrap();
    assert!(expires > Utc::now() + Duration::days(29), "{expires}");
    assert_eq!(device_text(&s, &device, "previous_token_hash").await, None);
    // Signing out with the new token revokes the device: every token of it is refused so.
    let (status, _) = s
        .call(Method::POST, "/api/v1/auth/sign-out", Some(&new), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        code(&s, "/api/v1/sync/handshake", &new).await,
        (StatusCode::UNAUTHORIZED, "device_revoked".into())
    );
    let figures = s.state.metrics.render(None);
    assert!(
        figures.contains("cunbao_device_tokens_total{event=\"renewed\"} 2\n"),
        "{figures}"
    );
}

/// A token past its lifetime is refused with its own code (not a revocation); a revoked device
/// is told so first.
async fn an_expired_token_is_refused_as_expired(backend: Backend) {
    let mut s = TestServer::start(backend).await;
    let (token, device) = s.sign_in("lijia").await;
    assert_eq!(
        code(&s, "/api/v1/sync/handshake", &token).await.0,
        StatusCode::OK
    );
    let yesterday = (Utc::now() - Duration::days(1)).to_rfc3339();
    set_device(&s, &device, "expires_at", &yesterday).await;
    for path in [
        "/api/v1/sync/handshake",
        "/api/v1/sync/pull?after=0&limit=10",
        "/api/v1/catalogue?offset=0&limit=1",
    ] {
        let (status, body) = s.call(Method::GET, path, Some(&token), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(body["code"], "token_expired", "{path}");
        assert!(body["message_zh"].as_str().unwrap().contains("过期"));
        assert!(body["message_en"].as_str().unwrap().contains("expired"));
    }
    let figures = s.state.metrics.render(None);
    assert!(
        figures.contains("cunbao_device_tokens_total{event=\"expired\"} 3\n"),
        "{figures}"
    );
    // A revoked device hears that first, expired or not.
    let (admin, _) = s.sign_in("admin").await;
    let (status, _) = s
        .call(
            Method::POST,
            &format!("/api/v1/devices/{device}/revoke"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        code(&s, "/api/v1/sync/handshake", &token).await,
        (StatusCode::UNAUTHORIZED, "device_revoked".into())
    );
    // The lifetime is the server's setting: with none at all, a token expires at once.
    s.state = s.state.clone().with_tokens(TokenPolicy {
        lifetime: Duration::zero(),
        rotate_after: Duration::zero(),
    });
    let (token, _) = s.sign_in("daping").await;
    assert_eq!(
        code(&s, "/api/v1/sync/handshake", &token).await,
        (StatusCode::UNAUTHORIZED, "token_expired".into())
    );
}

fn person(n: u16) -> IdNumber {
    compose("450324", NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(), n)
}

fn enrolment(seq: u64) -> cunbao_domain::sync::Mutation {
    let on = NaiveDate::from_ymd_opt(2024, 11, 5).unwrap();
    common::enrolment_on(
        seq,
        &format!("e-{seq}"),
        &person(seq as u16),
        "county-sample-2025.1",
        2025,
        on,
    )
}

async fn devices(s: &TestServer, token: &str) -> (StatusCode, Value) {
    s.call(Method::GET, "/api/v1/township/devices", Some(token), None)
        .await
}

fn device<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {list}"))
}

/// The township's staff see each device of the township: who, which clinic, when it last
/// synced, the work it still held then and its app version; a revoked one shows the work lost
/// with it. Another township's staff and clinic users see none of it.
async fn the_township_sees_its_devices_and_the_work_a_lost_one_took(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (tablet, tablet_id) = s.sign_in("lijia").await;
    let (lost, lost_id) = s.sign_in("lijia2").await;
    let (never, never_id) = s.sign_in("daping").await;
    let (admin, _) = s.sign_in("admin").await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    let (other_admin, other_id) = s.sign_in("shanhe-admin").await;

    // The first tablet syncs with three pending and uploads one of them; an older app says
    // nothing of itself and is still answered.
    let (status, body) = s
        .call(
            Method::GET,
            "/api/v1/sync/handshake?pending=3&app_version=0.9.1%2Bt",
            Some(&tablet),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.push_ok(&tablet, &[enrolment(1)]).await;
    let (status, _) = handshake(&s, &never).await;
    assert_eq!(status, StatusCode::OK);
    // The second syncs holding five, then is lost and revoked.
    let (status, _) = s
        .call(
            Method::GET,
            "/api/v1/sync/handshake?pending=5&app_version=0.9.0",
            Some(&lost),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s
        .call(
            Method::POST,
            &format!("/api/v1/devices/{lost_id}/revoke"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // A wrong query is refused, not ignored.
    let (status, body) = s
        .call(
            Method::GET,
            "/api/v1/sync/handshake?pending=many",
            Some(&tablet),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_query"))
    );

    for staff in [&admin, &reviewer] {
        let (status, list) = devices(&s, staff).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let row = device(&list, &tablet_id);
        assert_eq!(row["username"], "lijia");
        assert_eq!(row["device_name"], "lijia 平板");
        assert_eq!(row["clinic_id"], "clinic-lijia");
        assert!(row["clinic_name"].as_str().unwrap().contains("李家村"));
        assert!(!row["display_name"].as_str().unwrap().is_empty());
        assert_eq!(row["app_version"], "0.9.1+t");
        assert_eq!(
            row["pending_at_last_sync"], 2,
            "one of three uploaded since"
        );
        assert!(row["last_sync_at"].is_string());
        assert_eq!(row["first_sync_at"], row["last_sync_at"]);
        assert!(row["expires_at"].is_string());
        assert!(row["revoked_at"].is_null());
        assert!(row["lost_work"].is_null(), "in use: nothing lost");
        let row = device(&list, &lost_id);
        assert!(row["revoked_at"].is_string());
        assert_eq!(row["pending_at_last_sync"], 5);
        assert_eq!(row["lost_work"], 5);
        assert_eq!(row["app_version"], "0.9.0");
        // Synced by an older app: when is known, what it held is not.
        let row = device(&list, &never_id);
        assert!(row["last_sync_at"].is_string());
        assert!(row["pending_at_last_sync"].is_null());
        assert!(row["app_version"].is_null());
        assert!(row["lost_work"].is_null());
        // Township staff's own devices are listed, without a clinic.
        assert!(list
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["username"] == "admin" && d["clinic_id"].is_null()));
        assert!(
            !list.to_string().contains(&other_id),
            "another township's device never appears"
        );
    }
    // Another township's administrator sees only their own township's devices.
    let (status, list) = devices(&s, &other_admin).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["device_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [other_id.as_str()]);
    // A clinic user may not list devices.
    assert_eq!(
        code(&s, "/api/v1/township/devices", &tablet).await,
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    assert_eq!(
        s.call(Method::GET, "/api/v1/township/devices", None, None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

on_both_databases!(
    a_day_old_token_is_renewed_and_the_old_one_retired_once_the_new_is_used,
    an_expired_token_is_refused_as_expired,
    the_township_sees_its_devices_and_the_work_a_lost_one_took,
);
