//! A push may come gzipped (`Content-Encoding: gzip`), as a tablet sends a large batch on a
//! slow line: applied exactly as the same batch sent plain; the body limit counts it unpacked
//! (a small body that unpacks past it is refused, 413); a body that does not unpack is a bad
//! request; an encoding the server does not read, or a packed body anywhere but a push, is
//! refused (415) before it is unpacked, and so is a packed push without a token (401).

mod common;

use std::io::Write;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::claims::{claim, day, person, POLICY};
use common::{Backend, TestServer};
use serde_json::{json, Value};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn push(token: &str, encoding: &str, body: Vec<u8>) -> Request<Body> {
    Request::post("/api/v1/sync/push")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, encoding)
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn a_gzipped_push_is_applied_as_the_same_push_sent_plain() {
    let plain = TestServer::start(Backend::Sqlite).await;
    let packed = TestServer::start(Backend::Sqlite).await;
    let batch = || {
        let (a, b) = (person(51), person(52));
        let enrolled = day(1, 2) - chrono::Days::new(60);
        vec![
            common::enrolment_on(1, "e-a", &a, POLICY, 2025, enrolled),
            common::enrolment_on(2, "e-b", &b, POLICY, 2025, enrolled),
            claim(3, "k-a1", &a, day(3, 1), ""),
            claim(4, "k-b1", &b, day(3, 2), ""),
            claim(5, "k-a2", &a, day(3, 3), ""),
        ]
    };
    let (token, _) = plain.sign_in("lijia").await;
    let sent_plain = plain.push_ok(&token, &batch()).await;
    let (token, _) = packed.sign_in("lijia").await;
    let body = json!({ "mutations": batch() }).to_string();
    let packed_body = gzip(body.as_bytes());
    assert!(packed_body.len() * 3 < body.len(), "gzip packs the batch");
    let (status, sent_packed) = packed.raw(push(&token, "gzip", packed_body)).await;
    assert_eq!(status, StatusCode::OK, "{sent_packed}");
    let answers = |v: &Value| -> Vec<Value> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| json!([r["seq"], r["status"], r["code"]]))
            .collect()
    };
    assert_eq!(answers(&sent_packed), answers(&sent_plain));
    assert_eq!(answers(&sent_packed).len(), 5);
    assert!(
        answers(&sent_packed).iter().all(|a| a[1] == "applied"),
        "{sent_packed}"
    );
    for id in ["k-a1", "k-b1", "k-a2"] {
        assert_eq!(
            common::claims::fund_of(&packed, id).await,
            common::claims::fund_of(&plain, id).await
        );
    }
}

#[tokio::test]
async fn a_gzipped_body_is_limited_unpacked_and_must_unpack() {
    let s = TestServer::start(Backend::Sqlite).await;
    let (token, _) = s.sign_in("lijia").await;
    // A few kilobytes that unpack past the limit: refused before anything is read.
    let mut bomb = b"{\"mutations\":[".to_vec();
    bomb.resize(cunbao_server::api::BODY_LIMIT + 1024, b' ');
    let packed = gzip(&bomb);
    assert!(packed.len() < 64 * 1024);
    let (status, body) = s.raw(push(&token, "gzip", packed)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["message_zh"].is_string(), "{body}");
    // Not gzip at all, though it says so.
    let (status, body) = s
        .raw(push(&token, "gzip", b"{\"mutations\":[]}".to_vec()))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // An encoding the server does not read.
    let (status, body) = s
        .raw(push(&token, "br", b"{\"mutations\":[]}".to_vec()))
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["code"], "content_encoding");
    // Without a token the packed body is not even unpacked: refused as unsigned.
    let mut anonymous = push(&token, "gzip", gzip(&bomb));
    anonymous.headers_mut().remove(header::AUTHORIZATION);
    let (status, _) = s.raw(anonymous).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Only a push may come packed: a packed sign-in is refused before it is unpacked.
    let sign_in = Request::post("/api/v1/auth/sign-in")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "gzip")
        .body(Body::from(gzip(&bomb)))
        .unwrap();
    let (status, body) = s.raw(sign_in).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["code"], "content_encoding");
    assert!(body["message_zh"].is_string());
    // Nothing was applied.
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 0);
}
