//! Sign-in that cannot be hammered, from outside: the 11th wrong password for one account in
//! a minute is answered 429 before any hashing, other accounts are not held up, and every
//! failed sign-in is in the audit trail.

mod common;

use axum::http::{Method, StatusCode};
use common::{Backend, TestServer};
use serde_json::json;

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

on_both_databases!(
    wrong_passwords_are_limited_and_audited,
    signing_out_revokes_ones_own_token
);
