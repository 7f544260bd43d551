//! Changes after enrolment (参保变更) over HTTP, on SQLite and PostgreSQL alike: stopping cover
//! (a claim on or after the stop date is evaluated as suspended, one before it is not),
//! correcting a name or phone (the earlier value in the trail, the new one pulled by the
//! clinic's other tablets), proposing a refund (listed for the township); another clinic can
//! do none of it, and crafted input gets a coded answer.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{Backend, TestServer};
use cunbao_domain::enrolment::{Correction, RefundReason, StopReason};
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::money::Money;
use cunbao_domain::names::{PersonName, Phone};
use cunbao_domain::policy::Policy;
use cunbao_domain::quantity::Quantity;
use cunbao_domain::sample;
use cunbao_domain::settlement::{Accumulators, LineInput};
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

fn contribution(seq: u64, record: &str, enrolment: &str) -> Mutation {
    Mutation {
        seq,
        record_id: record.into(),
        operator: None,
        body: MutationBody::Contribution {
            receipt_no: format!("R-{record}"),
            household_id: format!("hh-{enrolment}"),
            enrolment_ids: vec![enrolment.into()],
            amount: Money::yuan(390),
            collected_on: NaiveDate::from_ymd_opt(2024, 11, 5).unwrap(),
        },
    }
}

fn stop(seq: u64, record: &str, enrolment: &str, from: NaiveDate) -> Mutation {
    Mutation {
        seq,
        record_id: record.into(),
        operator: None,
        body: MutationBody::StopCover {
            enrolment_id: enrolment.into(),
            from,
            reason: StopReason::MovedAway,
        },
    }
}

fn correct(seq: u64, record: &str, enrolment: &str, correction: Correction) -> Mutation {
    Mutation {
        seq,
        record_id: record.into(),
        operator: None,
        body: MutationBody::Correction {
            enrolment_id: enrolment.into(),
            correction,
        },
    }
}

fn refund(seq: u64, record: &str, contribution: &str) -> Mutation {
    Mutation {
        seq,
        record_id: record.into(),
        operator: None,
        body: MutationBody::RefundProposal {
            contribution_id: contribution.into(),
            reason: RefundReason::Duplicate,
        },
    }
}

fn claim(seq: u64, record: &str, id: &IdNumber, date: NaiveDate) -> Mutation {
    let catalogue = sample::catalogue();
    let lines: Vec<LineInput> = catalogue.items[..1]
        .iter()
        .map(|item| LineInput::from_item(item, Quantity::whole(1)))
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
            Accumulators::default(),
        ),
    }
}

/// Each result's status and code (code empty when there is none).
fn answers(body: &Value) -> Vec<(String, String)> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap().to_string(),
                r["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn applied() -> (String, String) {
    ("applied".into(), String::new())
}

fn rejected(code: &str) -> (String, String) {
    ("rejected".into(), code.into())
}

async fn pull_all(s: &TestServer, token: &str) -> Vec<Value> {
    let (status, body) = s
        .call(
            Method::GET,
            "/api/v1/sync/pull?after=0&limit=5000",
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["changes"].as_array().unwrap().clone()
}

async fn township_list(s: &TestServer, token: &str, kind: &str) -> Vec<Value> {
    let (status, body) = s
        .call(
            Method::GET,
            &format!("/api/v1/township/records?kind={kind}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

async fn stopped_cover_suspends_on_and_after_the_date(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (tablet, _) = s.sign_in("lijia").await;
    let (review, _) = s.sign_in("shenhe").await;
    let x = person(31);
    let body = s
        .push_ok(
            &tablet,
            &[
                enrolment(1, "e-x", &x),
                stop(
                    2,
                    "stop-early",
                    "e-x",
                    NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
                ),
                stop(
                    3,
                    "stop-late",
                    "e-x",
                    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                ),
                stop(4, "stop-1", "e-x", day(6, 15)),
                stop(5, "stop-2", "e-x", day(7, 1)),
                claim(6, "k-before", &x, day(6, 14)),
                claim(7, "k-on", &x, day(6, 15)),
                claim(8, "k-after", &x, day(8, 1)),
            ],
        )
        .await;
    assert_eq!(
        answers(&body),
        [
            applied(),
            rejected("invalid_stop_date"),
            rejected("invalid_stop_date"),
            applied(),
            rejected("already_stopped"),
            applied(),
            rejected("not_entitled"),
            rejected("not_entitled"),
        ]
    );
    for i in [6, 7] {
        let text = body["results"][i]["message_zh"].as_str().unwrap();
        assert!(text.contains("已停保"), "{text}");
    }
    let early = body["results"][1]["message_zh"].as_str().unwrap();
    assert!(early.contains("早于参保开始日期"), "{early}");
    assert!(body["results"][4]["message_zh"]
        .as_str()
        .unwrap()
        .contains("已于2025-06-15停保"));

    // Before the stop the visit is paid; on and after it nothing is (and nothing recorded).
    let claims = township_list(&s, &review, "claim").await;
    let ids: Vec<&str> = claims.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["k-before"]);
    assert_eq!(claims[0]["status"], "settled");

    let stops = township_list(&s, &review, "cover_stop").await;
    assert_eq!(stops.len(), 1);
    assert_eq!(stops[0]["data"]["from"], "2025-06-15");
    assert_eq!(stops[0]["data"]["reason"], "moved_away");
}

async fn a_correction_keeps_the_earlier_value_and_reaches_the_other_tablet(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (tablet1, device1) = s.sign_in("lijia").await;
    let (tablet2, _) = s.sign_in("lijia").await;
    let (neighbour, _) = s.sign_in("daping").await;
    let x = person(32);
    let new_name = Correction::Name(PersonName::parse("韦志民").unwrap());
    let phone = Correction::Phone(Some(Phone::parse("13800138000").unwrap()));
    let body = s
        .push_ok(
            &tablet1,
            &[
                enrolment(1, "e-x", &x),
                correct(2, "fix-1", "e-x", new_name.clone()),
                correct(3, "fix-2", "e-x", new_name.clone()),
                correct(4, "fix-3", "e-x", phone),
            ],
        )
        .await;
    assert_eq!(
        answers(&body),
        [applied(), applied(), rejected("unchanged"), applied()]
    );

    // The earlier value is in the trail, with who and from which device.
    let trail: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT action, device_id, detail FROM audit_log WHERE subject = 'e-x' AND action = 'correction' ORDER BY id",
    )
    .fetch_all(&s.state.db)
    .await
    .unwrap();
    let (action, device, detail) = &trail[0];
    assert_eq!(action, "correction");
    assert_eq!(device.as_deref(), Some(device1.as_str()));
    let detail: Value = serde_json::from_str(detail).unwrap();
    assert_eq!(
        detail["earlier"],
        json!({"field": "name", "value": "韦志明"})
    );
    assert_eq!(detail["value"], json!({"field": "name", "value": "韦志民"}));
    assert_eq!(trail[1].0, "correction");
    let phone_detail: Value = serde_json::from_str(&trail[1].2).unwrap();
    assert_eq!(
        phone_detail["earlier"],
        json!({"field": "phone", "value": null})
    );

    // The clinic's other tablet pulls the new value with the earlier one beside it.
    let changes = pull_all(&s, &tablet2).await;
    let corrected: Vec<&Value> = changes
        .iter()
        .filter(|c| c["entity"] == "corrected")
        .collect();
    assert_eq!(corrected.len(), 2);
    assert_eq!(corrected[0]["data"]["enrolment_id"], "e-x");
    assert_eq!(corrected[0]["data"]["value"]["value"], "韦志民");
    assert_eq!(corrected[0]["data"]["earlier"]["value"], "韦志明");
    assert_eq!(corrected[0]["data"]["by"], "王秀兰（李家村卫生室）");
    assert_eq!(corrected[0]["data"]["device_id"], device1.as_str());
    assert_eq!(corrected[0]["data"]["device_name"], "lijia 平板");
    // Another clinic hears nothing of it.
    assert!(pull_all(&s, &neighbour)
        .await
        .iter()
        .all(|c| c["entity"] != "corrected"));
}

async fn a_refund_proposal_waits_for_the_township(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (tablet, _) = s.sign_in("lijia").await;
    let (review, _) = s.sign_in("shenhe").await;
    let x = person(33);
    let body = s
        .push_ok(
            &tablet,
            &[
                enrolment(1, "e-x", &x),
                contribution(2, "c-x", "e-x"),
                refund(3, "rp-1", "c-x"),
                refund(4, "rp-2", "c-x"),
                refund(5, "rp-3", "no-such-receipt"),
                Mutation {
                    seq: 6,
                    record_id: "void-c".into(),
                    operator: None,
                    body: MutationBody::Void {
                        target_record_id: "c-x".into(),
                        reason: "录错".into(),
                    },
                },
            ],
        )
        .await;
    assert_eq!(
        answers(&body),
        [
            applied(),
            applied(),
            ("applied".into(), "awaiting_township".into()),
            rejected("refund_already_proposed"),
            rejected("not_found"),
            rejected("cannot_void"),
        ]
    );
    let proposals = township_list(&s, &review, "refund_proposal").await;
    assert_eq!(proposals.len(), 1);
    assert_eq!(proposals[0]["status"], "awaiting_approval");
    assert_eq!(proposals[0]["data"]["receipt_no"], "R-c-x");
    assert_eq!(proposals[0]["data"]["amount"], "390.00");
    assert_eq!(proposals[0]["data"]["reason"], "duplicate");
    let changes = pull_all(&s, &tablet).await;
    assert!(changes
        .iter()
        .any(|c| c["entity"] == "refund_proposed" && c["data"]["contribution_id"] == "c-x"));
}

async fn another_clinic_can_change_nothing(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (tablet, _) = s.sign_in("lijia").await;
    let x = person(34);
    s.push_ok(
        &tablet,
        &[enrolment(1, "e-x", &x), contribution(2, "c-x", "e-x")],
    )
    .await;
    let records_before: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, status, data FROM records ORDER BY id")
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    for outsider in ["daping", "shanhe1"] {
        let (token, _) = s.sign_in(outsider).await;
        let body = s
            .push_ok(
                &token,
                &[
                    stop(1, &format!("s-{outsider}"), "e-x", day(6, 1)),
                    correct(
                        2,
                        &format!("f-{outsider}"),
                        "e-x",
                        Correction::Name(PersonName::parse("冒名").unwrap()),
                    ),
                    refund(3, &format!("r-{outsider}"), "c-x"),
                ],
            )
            .await;
        assert_eq!(
            answers(&body),
            [
                rejected("not_found"),
                rejected("not_found"),
                rejected("not_found")
            ],
            "{outsider}"
        );
    }
    let records_after: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, status, data FROM records ORDER BY id")
            .fetch_all(&s.state.db)
            .await
            .unwrap();
    assert_eq!(records_before, records_after, "nothing changed");
}

async fn crafted_changes_get_a_coded_4xx(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (tablet, _) = s.sign_in("lijia").await;
    s.push_ok(&tablet, &[enrolment(1, "e-x", &person(35))])
        .await;
    let crafted = [
        json!({"seq": 2, "record_id": "f", "body": {"type": "correction", "enrolment_id": "e-x",
            "correction": {"field": "name", "value": "长".repeat(31)}}}),
        json!({"seq": 2, "record_id": "f", "body": {"type": "correction", "enrolment_id": "e-x",
            "correction": {"field": "id_number", "value": "450324197001010011"}}}),
        json!({"seq": 2, "record_id": "s", "body": {"type": "stop_cover", "enrolment_id": "e-x",
            "from": "2025-06-01", "reason": "fled"}}),
        json!({"seq": 2, "record_id": "r", "body": {"type": "refund_proposal",
            "contribution_id": "c", "reason": "changed_mind"}}),
    ];
    // Each is refused on its own, at its place in the sequence; the queue moves on.
    for (seq, mut mutation) in (2..).zip(crafted) {
        mutation["seq"] = json!(seq);
        let (status, body) = s
            .call(
                Method::POST,
                "/api/v1/sync/push",
                Some(&tablet),
                Some(json!({ "mutations": [mutation] })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{mutation}: {body}");
        let result = &body["results"][0];
        assert_eq!(
            (result["status"].as_str(), result["code"].as_str()),
            (Some("rejected"), Some("unreadable")),
            "{mutation}: {body}"
        );
        assert!(!result["message_zh"].as_str().unwrap().is_empty());
    }
    assert_eq!(s.count("SELECT COUNT(*) FROM records").await, 1);
    let (status, body) = s
        .call(
            Method::GET,
            "/api/v1/township/records?kind=refund_proposal",
            Some(&tablet),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

on_both_databases!(
    stopped_cover_suspends_on_and_after_the_date,
    a_correction_keeps_the_earlier_value_and_reaches_the_other_tablet,
    a_refund_proposal_waits_for_the_township,
    another_clinic_can_change_nothing,
    crafted_changes_get_a_coded_4xx,
);
