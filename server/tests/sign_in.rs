//! Sign-in that cannot be hammered, from outside: the 11th wrong password for one account in
//! a minute is answered 429 before any hashing, other accounts are not held up, and every
//! failed sign-in is in the audit trail.

mod common;

use axum::http::{Method, StatusCode};
use common::{Backend, TestServer};
use serde_json::{json, Value};

async fn try_sign_in(s: &TestServer, username: &str, password: &str) -> (StatusCode, String) {
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/auth/sign-in",
            None,
            Some(json!({ "username": username, "password": password, "device_name": "平板" })),
        )
        .await;
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
    )
}

async fn wrong_passwords_are_limited_and_audited(backend: Backend) {
    let s = TestServer::start(backend).await;
    for _ in 0..10 {
        assert_eq!(
            try_sign_in(&s, "lijia", "guess").await,
            (StatusCode::UNAUTHORIZED, "bad_credentials".into())
        );
    }
    assert_eq!(
        try_sign_in(&s, "lijia", "guess").await,
        (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".into())
    );
    // Even the right password waits out the minute.
    assert_eq!(
        try_sign_in(&s, "lijia", "cunbao2025").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another account is not held up.
    assert_eq!(
        try_sign_in(&s, "daping", "cunbao2025").await.0,
        StatusCode::OK
    );
    assert_eq!(
        s.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'sign_in_failed' AND subject = 'lijia'"
        )
        .await,
        10
    );
}

/// Signing out revokes the caller's own token (a copy of it opens nothing from then on), is in
/// the audit trail, and leaves the user's other tablets signed in.
async fn signing_out_revokes_ones_own_token(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, device) = s.sign_in("lijia").await;
    let (other, _) = s.sign_in("lijia").await;
    let (status, _) = s
        .call(Method::POST, "/api/v1/auth/sign-out", None, None)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "signing out needs a token"
    );
    let (status, body) = s
        .call(Method::POST, "/api/v1/auth/sign-out", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["device_id"], device);
    let (status, body) = s
        .call(Method::GET, "/api/v1/sync/handshake", Some(&token), None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("device_revoked"))
    );
    let (status, _) = s
        .call(Method::GET, "/api/v1/sync/handshake", Some(&other), None)
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the user's other tablet stays signed in"
    );
    assert_eq!(
        s.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'sign_out' AND subject = '{device}' \
             AND username = 'lijia'"
        ))
        .await,
        1
    );
}

/// Signs `username` in on the tablet `tablet` and returns the escrow secret answered.
async fn escrow_of(s: &TestServer, username: &str, tablet: Option<&str>) -> (StatusCode, Value) {
    let mut body = json!({ "username": username, "password": "cunbao2025", "device_name": "平板" });
    if let Some(tablet) = tablet {
        body["tablet_id"] = json!(tablet);
    }
    s.call(Method::POST, "/api/v1/auth/sign-in", None, Some(body))
        .await
}

/// The escrow secret of a tablet's data key: the same for every sign-in of the tablet's
/// clinic on it, another for another clinic or another tablet, none without a tablet id; a
/// crafted tablet id is refused; revoking the tablet at the township forgets it, so a copy of
/// the tablet's storage can no longer be opened through the server, while signing out keeps it.
async fn the_escrow_secret_follows_the_tablet_and_its_clinic(backend: Backend) {
    let s = TestServer::start(backend).await;
    let tablet = "3f1c2a9e-0b4d-4e8a-9c1f-2d7e6b5a4c3d";
    let secret = |body: &Value| body["escrow_key"].as_str().unwrap_or_default().to_string();
    let (status, first) = escrow_of(&s, "lijia", Some(tablet)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let key = secret(&first);
    assert_eq!(key.len(), 64);
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
    // Another assistant of the same clinic on the same tablet: the same secret.
    assert_eq!(secret(&escrow_of(&s, "lijia2", Some(tablet)).await.1), key);
    // Another clinic, or another tablet: another secret.
    assert_ne!(secret(&escrow_of(&s, "daping", Some(tablet)).await.1), key);
    assert_ne!(
        secret(&escrow_of(&s, "lijia", Some("another-tablet")).await.1),
        key
    );
    // No tablet id (an older client): no escrow.
    assert_eq!(escrow_of(&s, "lijia", None).await.1.get("escrow_key"), None);
    for crafted in ["", "x'; DROP TABLE devices; --", &"a".repeat(65), "平板"] {
        let (status, body) = escrow_of(&s, "lijia", Some(crafted)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{crafted}: {body}");
        assert_eq!(body["code"], "tablet_id");
    }
    // Signing out keeps the escrow: the clinic's next sign-in recovers the data.
    let token = first["token"].as_str().unwrap();
    let (status, _) = s
        .call(Method::POST, "/api/v1/auth/sign-out", Some(token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, again) = escrow_of(&s, "lijia", Some(tablet)).await;
    assert_eq!(secret(&again), key);
    // Revoked at the township (a lost tablet): its secrets are gone.
    let (admin, _) = s.sign_in("admin").await;
    let device = again["device_id"].as_str().unwrap();
    let (status, body) = s
        .call(
            Method::POST,
            &format!("/api/v1/devices/{device}/revoke"),
            Some(&admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        s.count(&format!(
            "SELECT COUNT(*) FROM tablet_escrow WHERE tablet_id = '{tablet}'"
        ))
        .await,
        0
    );
    let (_, after) = escrow_of(&s, "lijia", Some(tablet)).await;
    assert_ne!(
        secret(&after),
        key,
        "a revoked tablet's secret is not given again"
    );
}

on_both_databases!(
    wrong_passwords_are_limited_and_audited,
    signing_out_revokes_ones_own_token,
    the_escrow_secret_follows_the_tablet_and_its_clinic
);
