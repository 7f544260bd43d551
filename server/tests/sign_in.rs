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

on_both_databases!(wrong_passwords_are_limited_and_audited);
