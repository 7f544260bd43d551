//! The sync contract on the server, against SQLite and PostgreSQL alike: exactly-once push,
//! retries, sequence gaps, restore from backup, duplicates across clinics, re-settlement with
//! adjustments, scoping, revocation, audit and bad input.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{Backend, TestServer};
use cunbao_domain::claim::Claim;
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::policy::{BenefitKind, Policy};
use cunbao_domain::quantity::Quantity;
use cunbao_domain::sample;
use cunbao_domain::settlement::{settle, Accumulators, BenefitParams, LineInput};
use cunbao_domain::sync::{Mutation, MutationBody};
use serde_json::{json, Value};

const POLICY: &str = "county-sample-2025.1";

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

fn person(n: u16) -> IdNumber {
    compose("450324", NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(), n)
}

fn enrolment(seq: u64, record: &str, id: &IdNumber) -> Mutation {
    let on = NaiveDate::from_ymd_opt(2024, 11, 5).unwrap();
    common::enrolment_on(seq, record, id, POLICY, 2025, on)
}

fn contribution(seq: u64, record: &str, enrolments: &[&str]) -> Mutation {
    Mutation {
        seq,
        record_id: record.into(),
        operator: None,
        body: MutationBody::Contribution {
            receipt_no: format!("R-{record}"),
            household_id: "hh".into(),
            enrolment_ids: enrolments.iter().map(|s| s.to_string()).collect(),
            amount: cunbao_domain::money::Money::yuan(390),
            collected_on: NaiveDate::from_ymd_opt(2024, 11, 5).unwrap(),
        },
    }
}

/// A claim settled on the tablet with the accumulators it knew (`device_before`).
fn claim(
    seq: u64,
    record: &str,
    id: &IdNumber,
    date: NaiveDate,
    device_before: Accumulators,
) -> Mutation {
    let catalogue = sample::catalogue();
    // Amoxicillin ×3 and nine examinations: 342.50 in policy, within the offline limit, past
    // the 300 deductible.
    let lines: Vec<LineInput> = [
        ("XJ01CAA001", 3),
        ("S250302001", 1),
        ("S250303001", 1),
        ("S250304001", 1),
        ("S220100001", 1),
        ("S220100002", 1),
        ("S210100001", 1),
        ("S210100002", 1),
        ("S310100002", 1),
        ("S330200001", 1),
    ]
    .into_iter()
    .map(|(code, n)| {
        let item = catalogue
            .get(&cunbao_domain::names::ItemCode::parse(code).unwrap())
            .unwrap();
        LineInput::from_item(item, Quantity::whole(n))
    })
    .collect();
    Mutation {
        seq,
        record_id: record.into(),
        operator: None,
        body: sample::general_outpatient_claim(
            &Policy::sample_2025(),
            &catalogue.version,
            id.clone(),
            date,
            lines,
            device_before,
        ),
    }
}

async fn pull_all(s: &TestServer, token: &str) -> Vec<Value> {
    let mut after = 0;
    let mut changes = Vec::new();
    loop {
        let (status, body) = s
            .call(
                Method::GET,
                &format!("/api/v1/sync/pull?after={after}&limit=2"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        changes.extend(body["changes"].as_array().unwrap().iter().cloned());
        after = body["cursor"].as_u64().unwrap();
        if !body["more"].as_bool().unwrap() {
            return changes;
        }
    }
}

fn statuses(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_string())
        .collect()
}

async fn the_same_batch_twice_is_applied_once(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, device) = s.sign_in("lijia").await;
    let batch = [
        enrolment(1, "e1", &person(1)),
        contribution(2, "c1", &["e1"]),
        claim(3, "k1", &person(1), day(3, 1), Accumulators::default()),
    ];
    let (status, first) = s.push(&token, &batch).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(statuses(&first), ["applied", "applied", "applied"]);
    assert_eq!(first["last_applied_seq"], 3);
    // The reply was lost, or the connection dropped after commit: the device sends it again.
    let (_, second) = s.push(&token, &batch).await;
    assert_eq!(statuses(&second), ["already_applied"; 3]);
    assert_eq!(second["results"][0]["original_status"], "applied");
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 3);
    assert_eq!(s.count("SELECT COUNT(*) FROM mutations").await, 3);
    // An overlapping retry applies only what is new.
    let (_, third) = s
        .push(&token, &[batch[2].clone(), enrolment(4, "e2", &person(2))])
        .await;
    assert_eq!(statuses(&third), ["already_applied", "applied"]);
    let (_, hs) = s
        .call(Method::GET, "/api/v1/sync/handshake", Some(&token), None)
        .await;
    assert_eq!(hs["last_applied_seq"], 4);
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 4);
    assert_eq!(
        s.count(&format!(
            "SELECT last_seq FROM devices WHERE id = '{device}'"
        ))
        .await,
        4
    );
}

async fn a_gap_is_refused_and_a_reused_sequence_is_a_conflict(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let (_, body) = s.push(&token, &[enrolment(2, "e2", &person(2))]).await;
    assert_eq!(statuses(&body), ["rejected"]);
    assert_eq!(body["results"][0]["code"], "sequence_gap");
    assert_eq!(body["last_applied_seq"], 0);
    s.push(&token, &[enrolment(1, "e1", &person(1))]).await;
    let (_, body) = s.push(&token, &[enrolment(1, "other", &person(3))]).await;
    assert_eq!(body["results"][0]["code"], "sequence_conflict");
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 1);
}

async fn a_rejection_never_blocks_the_queue(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let mut bad = claim(2, "k-bad", &person(1), day(3, 1), Accumulators::default());
    if let MutationBody::Claim(claim) = &mut bad.body {
        claim.policy_version = "no-such-policy".into();
    }
    let batch = [
        enrolment(1, "e1", &person(1)),
        bad,
        claim(3, "k-good", &person(1), day(3, 2), Accumulators::default()),
    ];
    let (_, body) = s.push(&token, &batch).await;
    assert_eq!(statuses(&body), ["applied", "rejected", "applied"]);
    assert_eq!(body["results"][1]["code"], "unknown_policy");
    assert!(body["results"][1]["message_zh"]
        .as_str()
        .unwrap()
        .contains("政策"));
    assert_eq!(body["last_applied_seq"], 3);
}

async fn duplicate_enrolment_across_clinics(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (a, _) = s.sign_in("lijia").await;
    let (b, _) = s.sign_in("daping").await;
    let (review, _) = s.sign_in("shenhe").await;
    let x = person(7);
    // Both clinics enrolled X while offline; A's reaches the server first.
    s.push(
        &a,
        &[enrolment(1, "a-e1", &x), contribution(2, "a-c1", &["a-e1"])],
    )
    .await;
    let (_, body) = s
        .push(
            &b,
            &[enrolment(1, "b-e1", &x), contribution(2, "b-c1", &["b-e1"])],
        )
        .await;
    assert_eq!(statuses(&body), ["rejected", "applied"]);
    assert_eq!(body["results"][0]["code"], "duplicate_enrolment");
    assert_eq!(body["results"][0]["reference"], "a-e1");
    assert_eq!(body["results"][1]["code"], "refund_due");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM records WHERE kind = 'enrolment' AND status = 'active'")
            .await,
        1
    );
    // Both clinics and the township see it.
    let seen_by = |changes: Vec<Value>, entity: &str| {
        changes.iter().filter(|c| c["entity"] == entity).count()
    };
    assert_eq!(seen_by(pull_all(&s, &a).await, "duplicate_enrolment"), 1);
    let b_changes = pull_all(&s, &b).await;
    assert_eq!(seen_by(b_changes.clone(), "duplicate_enrolment"), 1);
    let refund = b_changes
        .iter()
        .find(|c| c["entity"] == "refund_due")
        .unwrap();
    assert_eq!(refund["data"]["amount"], "390.00");
    let (status, refunds) = s
        .call(
            Method::GET,
            "/api/v1/township/records?kind=refund_due",
            Some(&review),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refunds.as_array().unwrap().len(), 1);
    assert_eq!(refunds[0]["clinic_id"], "clinic-daping");
    assert_eq!(refunds[0]["clinic_name"], "大坪村卫生室");
}

async fn stale_accumulators_become_an_adjustment(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (a, _) = s.sign_in("lijia").await;
    let (b, _) = s.sign_in("daping").await;
    let x = person(9);
    // Clinic B's claim for X reaches the server first and uses up the deductible.
    let (_, body) = s
        .push(
            &b,
            &[
                enrolment(1, "b-e1", &x),
                claim(2, "b-k1", &x, day(2, 1), Accumulators::default()),
            ],
        )
        .await;
    assert_eq!(statuses(&body), ["applied", "applied"]);
    // Clinic A, offline, settled a later visit believing nothing had been used this year.
    let (_, body) = s
        .push(
            &a,
            &[claim(1, "a-k1", &x, day(2, 20), Accumulators::default())],
        )
        .await;
    let result = &body["results"][0];
    assert_eq!(result["status"], "applied");
    assert_eq!(result["code"], "adjusted");
    assert_eq!(result["reference"], "adj:a-k1");
    let changes = pull_all(&s, &a).await;
    let adjustment = changes
        .iter()
        .find(|c| c["entity"] == "adjustment")
        .unwrap();
    let device_fund: rust_decimal::Decimal = adjustment["data"]["device_fund"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let server_fund: rust_decimal::Decimal = adjustment["data"]["server_fund"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(server_fund > device_fund, "{adjustment}");
    assert_eq!(
        adjustment["data"]["difference"].as_str().unwrap(),
        (server_fund - device_fund).to_string()
    );
    // B never sees A's adjustment.
    assert!(pull_all(&s, &b)
        .await
        .iter()
        .all(|c| c["entity"] != "adjustment"));
}

async fn the_server_reruns_the_risk_rules_with_its_wider_history(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (tablet1, _) = s.sign_in("lijia").await;
    let (tablet2, _) = s.sign_in("lijia").await;
    let (review, _) = s.sign_in("shenhe").await;
    let x = person(21);
    let one_amoxicillin = |seq, record: &str, who: &IdNumber| {
        let mut m = claim(seq, record, who, day(5, 6), Accumulators::default());
        if let MutationBody::Claim(claim) = &mut m.body {
            let Claim {
                lines, settlement, ..
            } = claim.as_mut();
            let catalogue = sample::catalogue();
            let amox = catalogue
                .items
                .iter()
                .find(|i| i.code.as_str() == "XJ01CAA001")
                .unwrap();
            *lines = vec![LineInput::from_item(amox, Quantity::whole(1))];
            let policy = Policy::sample_2025();
            let params =
                BenefitParams::from(policy.benefit(BenefitKind::GeneralOutpatient).unwrap());
            *settlement = settle(&params, Accumulators::default(), lines).unwrap();
        }
        m
    };
    s.push(
        &tablet1,
        &[enrolment(1, "e-x", &x), one_amoxicillin(2, "k-1", &x)],
    )
    .await;
    // The clinic's second tablet, offline, charged the same item to the same person that day.
    // The server, seeing both, finds the duplicate charge (a block): not paid.
    let (_, body) = s.push(&tablet2, &[one_amoxicillin(1, "k-2", &x)]).await;
    assert_eq!(statuses(&body), ["rejected"]);
    assert_eq!(body["results"][0]["code"], "blocked_by_rule");
    assert!(body["results"][0]["message_zh"]
        .as_str()
        .unwrap()
        .contains("不予支付"));
    // And someone who is not enrolled at all: refused, nothing paid, nothing recorded.
    let (_, body) = s
        .push(&tablet2, &[one_amoxicillin(2, "k-3", &person(22))])
        .await;
    assert_eq!(statuses(&body), ["rejected"]);
    assert_eq!(body["results"][0]["code"], "not_entitled");

    let (_, claims) = s
        .call(
            Method::GET,
            "/api/v1/township/records?kind=claim",
            Some(&review),
            None,
        )
        .await;
    let by_id = |id: &str| {
        claims
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    let rules = |c: &Value| -> Vec<String> {
        c["data"]["server_rule_hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(by_id("k-1")["status"], "settled");
    assert!(rules(&by_id("k-1")).is_empty());
    assert!(claims.as_array().unwrap().iter().all(|c| c["id"] != "k-2"));
    assert!(claims.as_array().unwrap().iter().all(|c| c["id"] != "k-3"));
}

/// SQLite only: the backup is a file copy (`VACUUM INTO`); the detection it exercises lives in
/// the handshake and push code, which is the same for PostgreSQL.
#[tokio::test]
async fn the_server_restored_from_a_backup_gets_the_work_again() {
    let s = TestServer::start(Backend::Sqlite).await;
    let (token, _) = s.sign_in("lijia").await;
    s.push(&token, &[enrolment(1, "e1", &person(1))]).await;
    // Backup (VACUUM INTO is a consistent copy of a live database).
    let backup = s.url.replace("cunbao.sqlite3", "backup.sqlite3");
    let backup_path = backup
        .trim_start_matches("sqlite://")
        .trim_end_matches("?mode=rwc");
    sqlx::query(&format!("VACUUM INTO '{backup_path}'"))
        .execute(&s.state.db)
        .await
        .unwrap();
    let later = [
        enrolment(2, "e2", &person(2)),
        claim(3, "k3", &person(2), day(3, 3), Accumulators::default()),
    ];
    s.push(&token, &later).await;
    // The server is restored from the backup: the device's acknowledged 2 and 3 are gone.
    let restored = cunbao_server::db::open(&backup).await.unwrap();
    let s2 = TestServer {
        state: cunbao_server::AppState::load(restored, Default::default())
            .await
            .unwrap(),
        ..s
    };
    let (_, hs) = s2
        .call(Method::GET, "/api/v1/sync/handshake", Some(&token), None)
        .await;
    assert_eq!(
        hs["last_applied_seq"], 1,
        "the device learns what the server lost"
    );
    let (_, body) = s2.push(&token, &later).await;
    assert_eq!(statuses(&body), ["applied", "applied"]);
    assert_eq!(s2.count("SELECT COUNT(*) FROM records").await, 3);
}

async fn nothing_leaks_across_clinics_and_townships(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (a, a_device) = s.sign_in("lijia").await;
    let (b, _) = s.sign_in("daping").await;
    let (other_clinic, _) = s.sign_in("shanhe1").await;
    let (other_review, _) = s.sign_in("shanhe-review").await;
    let (other_admin, _) = s.sign_in("shanhe-admin").await;
    let (review, _) = s.sign_in("shenhe").await;
    s.push(
        &a,
        &[
            enrolment(1, "e1", &person(1)),
            claim(2, "k1", &person(1), day(4, 1), Accumulators::default()),
        ],
    )
    .await;

    assert!(
        pull_all(&s, &b).await.is_empty(),
        "another clinic of the township"
    );
    assert!(
        pull_all(&s, &other_clinic).await.is_empty(),
        "a clinic of another township"
    );
    assert!(
        pull_all(&s, &other_review).await.is_empty(),
        "another township's reviewer"
    );
    assert_eq!(
        pull_all(&s, &review).await.len(),
        2,
        "the township sees its clinics"
    );
    for token in [&other_review, &other_admin] {
        let (status, rows) = s
            .call(
                Method::GET,
                "/api/v1/township/records?kind=claim",
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(rows, json!([]));
    }
    for token in [&a, &b, &other_clinic] {
        let (status, body) = s
            .call(
                Method::GET,
                "/api/v1/township/records?kind=claim",
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "forbidden");
    }
    // Township staff do not push clinic records.
    let (status, _) = s.push(&review, &[enrolment(1, "r-e1", &person(5))]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Another township's administrator cannot revoke this township's tablet.
    let (status, _) = s
        .call(
            Method::POST,
            &format!("/api/v1/devices/{a_device}/revoke"),
            Some(&other_admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Another clinic cannot void this clinic's claim.
    let void = Mutation {
        seq: 1,
        record_id: "v1".into(),
        operator: None,
        body: MutationBody::Void {
            target_record_id: "k1".into(),
            reason: "录错".into(),
        },
    };
    let (_, body) = s.push(&b, &[void]).await;
    assert_eq!(body["results"][0]["code"], "cannot_void");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM records WHERE status = 'void'")
            .await,
        0
    );
}

async fn signing_in_and_revoking(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/auth/sign-in",
            None,
            Some(json!({"username": "lijia", "password": "wrong", "device_name": "平板"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "bad_credentials");
    assert_eq!(body["message_zh"], "用户名或密码错误");
    let (status, _) = s
        .call(
            Method::POST,
            "/api/v1/auth/sign-in",
            None,
            Some(json!({"username": "nobody", "password": "x", "device_name": "平板"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (token, device) = s.sign_in("lijia").await;
    let (admin, _) = s.sign_in("admin").await;
    let (status, hs) = s
        .call(Method::GET, "/api/v1/sync/handshake", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hs["user"]["clinic_id"], "clinic-lijia");
    assert_eq!(hs["server_epoch"].as_str().unwrap().len(), 32);
    let (status, _) = s
        .call(
            Method::POST,
            &format!("/api/v1/devices/{device}/revoke"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s
        .call(Method::GET, "/api/v1/sync/pull", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "device_revoked");
    let (status, body) = s
        .call(Method::GET, "/api/v1/sync/pull", Some("not-a-token"), None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_token"))
    );
    let (status, body) = s.call(Method::GET, "/api/v1/sync/pull", None, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    // Every action left a trail, and the chain is intact.
    assert!(
        s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'revoke_device'")
            .await
            == 1
    );
    assert_eq!(
        cunbao_server::audit::verify_audit_chain(&s.state.db)
            .await
            .unwrap(),
        None
    );
    sqlx::query("UPDATE audit_log SET detail = '{}' WHERE id = 1")
        .execute(&s.state.db)
        .await
        .unwrap();
    assert_eq!(
        cunbao_server::audit::verify_audit_chain(&s.state.db)
            .await
            .unwrap(),
        Some(1)
    );
}

async fn bad_input_gets_a_coded_4xx(backend: Backend) {
    use axum::body::Body;
    use axum::http::{header, Request};
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let send = |content_type: &str, body: String| {
        Request::post("/api/v1/sync/push")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let cases = [
        (
            send("application/json", "{not json".into()),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            send("application/json", r#"{"mutations": 5}"#.into()),
            StatusCode::BAD_REQUEST,
            "invalid_fields",
        ),
        (
            send(
                "application/json",
                r#"{"mutations": [], "extra": 1}"#.into(),
            ),
            StatusCode::BAD_REQUEST,
            "invalid_fields",
        ),
        (
            send("text/plain", r#"{"mutations": []}"#.into()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type",
        ),
        (
            send(
                "application/json",
                format!(r#"{{"mutations": [], "pad": "{}"}}"#, "x".repeat(5 << 20)),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
    ];
    for (request, status, code) in cases {
        let (got, body) = s.raw(request).await;
        assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{body}");
        assert!(!body["message_zh"].as_str().unwrap().is_empty());
        assert!(!body["message_en"].as_str().unwrap().is_empty());
    }
    let too_many: Vec<Mutation> = (1..=501)
        .map(|i| enrolment(i, &format!("e{i}"), &person(i as u16)))
        .collect();
    let (status, body) = s.push(&token, &too_many).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("batch_too_large"))
    );
    let (status, body) = s
        .call(
            Method::GET,
            "/api/v1/sync/pull?after=-1",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_query"))
    );
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/quote",
            Some(&token),
            Some(json!({"lines": []})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("quote_refused"))
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 0);
}

/// A tablet sold per piece (0.2083 yuan, PRODUCT.md §2.3) and a quantity with four decimals:
/// the server re-settles to the same fen as the tablet, and keeps the price as the catalogue
/// has it.
async fn a_price_per_piece_is_re_settled_to_the_same_fen(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let x = person(31);
    let catalogue = sample::catalogue();
    let per_piece = catalogue
        .get(&cunbao_domain::names::ItemCode::parse("XA10BAA003").unwrap())
        .unwrap();
    let lines = vec![
        LineInput::from_item(per_piece, Quantity::whole(30)),
        LineInput::from_item(&catalogue.items[0], Quantity::parse("0.0625").unwrap()),
    ];
    let mutation = Mutation {
        seq: 2,
        record_id: "k-piece".into(),
        operator: None,
        body: sample::general_outpatient_claim(
            &Policy::sample_2025(),
            &catalogue.version,
            x.clone(),
            day(3, 3),
            lines,
            Accumulators::default(),
        ),
    };
    let (status, body) = s
        .push(&token, &[enrolment(1, "e-piece", &x), mutation])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(statuses(&body), ["applied", "applied"], "{body}");
    assert!(
        body["results"][1]["code"].is_null(),
        "no adjustment: {body}"
    );
    let data: String = sqlx::query_scalar("SELECT data FROM records WHERE id = 'k-piece'")
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    let claim: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(claim["lines"][0]["price"], "0.2083");
    assert_eq!(claim["lines"][1]["quantity"], "0.0625");
    // 0.2083 × 30 = 6.249 → 6.25; 12.50 × 0.0625 = 0.78125 → 0.78
    let server = &claim["server_settlement"];
    assert_eq!(server["lines"][0]["amount"], "6.25");
    assert_eq!(server["lines"][1]["amount"], "0.78");
    assert_eq!(server["total"], "7.03");
    assert_eq!(server, &claim["settlement"]);
}

async fn quote_over_http_matches_the_command(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let scenario: Value =
        serde_json::from_str(include_str!("../../domain/data/quote-example.json")).unwrap();
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/quote",
            Some(&token),
            Some(scenario.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["settlement"]["fund"], "6.00");
    assert_eq!(body["settlement"]["patient"], "108.60");
    let (status, _) = s
        .call(Method::POST, "/api/v1/quote", None, Some(scenario))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Pushes `mutations` as the device of `token`, with `query` after the push's address.
async fn push_with(
    s: &TestServer,
    token: &str,
    query: &str,
    mutations: Vec<Mutation>,
) -> (StatusCode, Value) {
    let body = json!({ "mutations": mutations });
    let path = format!("/api/v1/sync/push{query}");
    s.call(Method::POST, &path, Some(token), Some(body)).await
}

/// The ids of a page's changes.
fn change_ids(page: &Value) -> Vec<&str> {
    page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

/// A push that asks for it (`pull_after`) is answered with the caller's changes after that
/// cursor as well, read once its batch has committed: what a pull would answer then, scoped
/// the same way (a push by another clinic, of this township or another, sees none of this
/// clinic's changes; township staff push nothing). Without it, the answer has no page; a bad
/// cursor, an oversized limit or an unknown parameter is a coded 400 and applies nothing.
async fn a_push_can_bring_the_first_page_of_changes_back(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let (other_clinic, _) = s.sign_in("daping").await;
    let (other_township, _) = s.sign_in("shanhe1").await;
    let (review, _) = s.sign_in("shenhe").await;
    let first = vec![
        enrolment(1, "e1", &person(1)),
        claim(2, "k1", &person(1), day(3, 1), Accumulators::default()),
    ];
    let (status, body) = push_with(&s, &token, "?pull_after=0", first).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(statuses(&body), ["applied", "applied"]);
    let (_, pulled) = s
        .call(Method::GET, "/api/v1/sync/pull?after=0", Some(&token), None)
        .await;
    assert_eq!(body["pulled"], pulled, "the page a pull answers");
    let ids = change_ids(&pulled);
    assert!(ids.contains(&"e1") && ids.contains(&"k1"), "{ids:?}");
    // A page at a time, from the cursor given.
    let cursor = pulled["cursor"].as_u64().unwrap();
    let (_, body) = push_with(
        &s,
        &token,
        "?pull_after=0&pull_limit=1",
        vec![enrolment(3, "e2", &person(2))],
    )
    .await;
    assert_eq!(body["pulled"]["changes"].as_array().unwrap().len(), 1);
    assert_eq!(body["pulled"]["more"], true);
    let (_, body) = push_with(&s, &token, &format!("?pull_after={cursor}"), vec![]).await;
    assert_eq!(body["pulled"]["changes"][0]["id"], "e2");
    assert_eq!(body["pulled"]["more"], false);
    // Another clinic, of the township or of another one: its own changes only.
    for (other, record, n) in [(&other_clinic, "d-e1", 3), (&other_township, "s-e1", 6)] {
        let (status, body) = push_with(
            &s,
            other,
            "?pull_after=0",
            vec![enrolment(1, record, &person(n))],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(change_ids(&body["pulled"]), [record]);
    }
    // Township staff push nothing, and so are given no page either.
    let (status, body) = push_with(&s, &review, "?pull_after=0", vec![]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.get("pulled").is_none(), "{body}");
    // The largest limit a query can say is held to a pull's 5,000.
    let (status, body) = push_with(&s, &token, "?pull_after=0&pull_limit=4294967295", vec![]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["pulled"]["more"], false);
    // Not asked: no page.
    let (_, body) = s.push(&token, &[enrolment(4, "e3", &person(4))]).await;
    assert_eq!(statuses(&body), ["applied"]);
    assert!(body.get("pulled").is_none(), "{body}");
    // Crafted parameters: refused before anything is applied.
    let records = s.count("SELECT COUNT(*) FROM records").await;
    for query in [
        "?pull_after=-1",
        "?pull_after=x",
        "?pull_after=0&everything=1",
        "?pull_after=0&pull_limit=99999999999",
        "?pull_after=99999999999999999999999",
    ] {
        let (status, body) =
            push_with(&s, &token, query, vec![enrolment(5, "e4", &person(5))]).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_query")),
            "{query}: {body}"
        );
    }
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, records);
}

on_both_databases!(
    the_same_batch_twice_is_applied_once,
    a_gap_is_refused_and_a_reused_sequence_is_a_conflict,
    a_rejection_never_blocks_the_queue,
    duplicate_enrolment_across_clinics,
    stale_accumulators_become_an_adjustment,
    nothing_leaks_across_clinics_and_townships,
    signing_in_and_revoking,
    bad_input_gets_a_coded_4xx,
    quote_over_http_matches_the_command,
    a_price_per_piece_is_re_settled_to_the_same_fen,
    the_server_reruns_the_risk_rules_with_its_wider_history,
    a_push_can_bring_the_first_page_of_changes_back,
);
