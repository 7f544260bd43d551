//! Sign-in behind a load balancer or TLS-terminating proxy (`CUNBAO_TRUSTED_PROXIES`): when
//! the TCP peer is a trusted proxy the per-address limit and the audit trail see the client it
//! forwarded for (`X-Forwarded-For`), so one busy client does not throttle the whole county;
//! from any other peer the header is ignored, so a client cannot dodge the limit by forging it.
//! Requests are sent in-process with the peer address put where the server's listener puts it.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::{Backend, TestServer};
use cunbao_server::config::TrustedProxies;
use cunbao_server::sign_in_guard::ATTEMPTS_PER_ADDRESS;
use serde_json::json;

/// The load balancer and the proxies in front of the test server.
const PROXIES: &str = "127.0.0.1,10.0.0.0/8,fd00::/8";

async fn behind_proxies(backend: Backend) -> TestServer {
    let mut s = TestServer::start(backend).await;
    s.state.trusted_proxies = Arc::new(TrustedProxies::parse(PROXIES).unwrap());
    s
}

/// One sign-in from the TCP peer `peer`, with `X-Forwarded-For: forwarded` when given; the
/// status and the error code.
async fn sign_in_from(
    s: &TestServer,
    peer: &str,
    forwarded: Option<&str>,
    username: &str,
    password: &str,
) -> (StatusCode, String) {
    let mut request =
        Request::post("/api/v1/auth/sign-in").header(header::CONTENT_TYPE, "application/json");
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    let mut request = request
        .body(Body::from(
            json!({ "username": username, "password": password, "device_name": "平板" })
                .to_string(),
        ))
        .unwrap();
    let peer: IpAddr = peer.parse().unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(peer, 40_000)));
    let (status, body) = s.raw(request).await;
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
    )
}

/// A wrong password for an account of its own (the per-account limit is never what answers).
async fn wrong_from(s: &TestServer, peer: &str, forwarded: Option<&str>, n: usize) -> StatusCode {
    sign_in_from(s, peer, forwarded, &format!("nobody{n}"), "guess")
        .await
        .0
}

fn throttled() -> (StatusCode, String) {
    (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts".into())
}

async fn forwarded_clients_are_limited_one_by_one(backend: Backend) {
    let s = behind_proxies(backend).await;
    // Through a proxy chain: the client, then an inner proxy, then the load balancer (the peer).
    let client = Some("198.51.100.1, 203.0.113.7, 10.0.0.9");
    for n in 0..ATTEMPTS_PER_ADDRESS {
        assert_eq!(
            wrong_from(&s, "10.0.0.5", client, n).await,
            StatusCode::UNAUTHORIZED,
            "attempt {n}"
        );
    }
    assert_eq!(
        sign_in_from(&s, "10.0.0.5", client, "nobody-more", "guess").await,
        throttled()
    );
    // The client is held up whichever process or proxy it comes through, its right password too.
    assert_eq!(
        sign_in_from(&s, "10.0.0.6", Some("203.0.113.7"), "lijia", "cunbao2025").await,
        throttled()
    );
    // Another client through the same load balancer is answered as usual …
    assert_eq!(
        wrong_from(&s, "10.0.0.5", Some("203.0.113.8, 10.0.0.9"), 1000).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in_from(&s, "10.0.0.5", Some("203.0.113.8"), "lijia", "cunbao2025")
            .await
            .0,
        StatusCode::OK
    );
    // … over IPv6 too, and so is the load balancer itself (no header: its own address).
    assert_eq!(
        wrong_from(&s, "fd00::5", Some("2001:db8::7"), 1001).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        wrong_from(&s, "10.0.0.5", None, 1002).await,
        StatusCode::UNAUTHORIZED
    );
}

async fn an_untrusted_peer_cannot_forge_its_address(backend: Backend) {
    let s = behind_proxies(backend).await;
    // A different made-up client in every request, and once the address of a trusted proxy:
    // every attempt still counts against the peer.
    for n in 0..ATTEMPTS_PER_ADDRESS {
        let forged = match n {
            0 => "10.0.0.5".to_string(),
            n => format!("203.0.113.{n}"),
        };
        assert_eq!(
            wrong_from(&s, "198.51.100.20", Some(&forged), n).await,
            StatusCode::UNAUTHORIZED,
            "attempt {n}"
        );
    }
    assert_eq!(
        sign_in_from(
            &s,
            "198.51.100.20",
            Some("192.0.2.99"),
            "nobody-more",
            "guess"
        )
        .await,
        throttled()
    );
    assert_eq!(
        sign_in_from(&s, "198.51.100.20", None, "lijia", "cunbao2025").await,
        throttled()
    );
    // The forged clients were never counted: through the proxy, one of them is answered.
    assert_eq!(
        wrong_from(&s, "10.0.0.5", Some("203.0.113.1"), 1000).await,
        StatusCode::UNAUTHORIZED
    );
    // Another peer is answered as usual.
    assert_eq!(
        sign_in_from(
            &s,
            "198.51.100.21",
            Some("198.51.100.20"),
            "lijia",
            "cunbao2025"
        )
        .await
        .0,
        StatusCode::OK
    );
}

async fn failed_sign_ins_are_audited_with_the_client(backend: Backend) {
    let mut s = behind_proxies(backend).await;
    wrong_from(&s, "10.0.0.5", Some("203.0.113.7, 10.0.0.9"), 1).await;
    wrong_from(&s, "fd00::5", Some("2001:db8::7"), 2).await;
    // An untrusted peer's header is not believed; with no trusted proxy, nobody's is.
    wrong_from(&s, "198.51.100.20", Some("203.0.113.8"), 3).await;
    s.state = s.state.with_trusted_proxies(TrustedProxies::default());
    wrong_from(&s, "10.0.0.5", Some("203.0.113.9"), 4).await;
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT subject, detail FROM audit_log WHERE action = 'sign_in_failed' ORDER BY id",
    )
    .fetch_all(&s.state.db)
    .await
    .unwrap();
    let addresses: Vec<(String, serde_json::Value)> = rows
        .into_iter()
        .map(|(subject, detail)| {
            let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
            (subject, detail["address"].clone())
        })
        .collect();
    assert_eq!(
        addresses,
        [
            ("nobody1".to_string(), json!("203.0.113.7")),
            ("nobody2".to_string(), json!("2001:db8::7")),
            ("nobody3".to_string(), json!("198.51.100.20")),
            ("nobody4".to_string(), json!("10.0.0.5")),
        ]
    );
}

on_both_databases!(
    forwarded_clients_are_limited_one_by_one,
    an_untrusted_peer_cannot_forge_its_address,
    failed_sign_ins_are_audited_with_the_client,
);
