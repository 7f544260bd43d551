//! The second person (双人复核), tried from outside on SQLite and PostgreSQL: a void of a synced
//! claim proposed at the clinic's tablet takes effect only when a township user approves it,
//! once, and the clinic hears of it with the person's figures; a township user's own proposal
//! is decided by someone else; a refused void leaves the claim as it was; a void after the
//! statement was issued is carried on the next; an approved refund lowers the cash the clinic
//! owes; clinic users, another township's staff and crafted inputs are refused.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::claims::{claim, day, fund_of, person, POLICY};
use common::{Backend, TestServer};
use cunbao_domain::enrolment::RefundReason;
use cunbao_domain::money::Money;
use cunbao_domain::signed_money::SignedMoney;
use cunbao_domain::sync::{Mutation, MutationBody};
use serde_json::{json, Value};

fn enrolled() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 10, 10).unwrap()
}

fn money(v: &Value) -> Money {
    Money::parse(v.as_str().unwrap()).unwrap()
}

fn void_proposal(seq: u64, record: &str, claim_id: &str) -> Mutation {
    Mutation {
        seq,
        record_id: record.into(),
        operator: None,
        body: MutationBody::VoidProposal {
            claim_id: claim_id.into(),
            reason: "录错病人，应为其父".into(),
        },
    }
}

fn contribution(seq: u64, record: &str, on: NaiveDate) -> Mutation {
    Mutation {
        seq,
        record_id: record.into(),
        operator: None,
        body: MutationBody::Contribution {
            receipt_no: format!("R-{record}"),
            household_id: "hh".into(),
            enrolment_ids: vec!["e-1".into()],
            amount: Money::yuan(390),
            collected_on: on,
        },
    }
}

fn refund_proposal(seq: u64, record: &str, contribution: &str) -> Mutation {
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

/// 李家村: two settled visits of one person in March 2025; the first meets the deductible,
/// the fund pays part of the second (`c-2`), which is the one voided.
async fn two_visits(s: &TestServer) -> String {
    let (lijia, _) = s.sign_in("lijia").await;
    s.push_ok(
        &lijia,
        &[
            common::enrolment_on(1, "e-1", &person(1), POLICY, 2025, enrolled()),
            claim(2, "c-1", &person(1), day(3, 1), ""),
            claim(3, "c-2", &person(1), day(3, 3), ""),
        ],
    )
    .await;
    assert_eq!(s.status_of("c-1").await, "settled");
    lijia
}

async fn list(s: &TestServer, token: &str, decided: bool) -> (StatusCode, Value) {
    s.call(
        Method::GET,
        &format!("/api/v1/township/proposals?decided={decided}"),
        Some(token),
        None,
    )
    .await
}

async fn decide(s: &TestServer, token: &str, id: &str, body: Value) -> (StatusCode, Value) {
    s.call(
        Method::POST,
        &format!("/api/v1/township/proposals/{id}/decision"),
        Some(token),
        Some(body),
    )
    .await
}

async fn propose(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.call(
        Method::POST,
        "/api/v1/township/proposals",
        Some(token),
        Some(body),
    )
    .await
}

async fn pulled(s: &TestServer, token: &str, entity: &str) -> Vec<Value> {
    let (_, page) = s
        .call(Method::GET, "/api/v1/sync/pull?after=0", Some(token), None)
        .await;
    page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == entity)
        .map(|c| c["data"].clone())
        .collect()
}

async fn a_clinics_void_takes_effect_when_the_township_approves_it(backend: Backend) {
    let s = TestServer::start(backend).await;
    let lijia = two_visits(&s).await;
    let (c1, c2) = (fund_of(&s, "c-1").await, fund_of(&s, "c-2").await);
    assert!(c2 > Money::ZERO);
    let answer = s.push_ok(&lijia, &[void_proposal(4, "vp-1", "c-2")]).await;
    assert_eq!(answer["results"][0]["status"], "applied", "{answer}");
    assert_eq!(answer["results"][0]["code"], "awaiting_township");
    assert_eq!(s.status_of("vp-1").await, "awaiting_approval");
    assert_eq!(s.status_of("c-2").await, "settled", "nothing happens yet");
    // One void of a claim awaits at a time; a claim of another clinic is not this clinic's.
    let answer = s
        .push_ok(
            &lijia,
            &[
                void_proposal(5, "vp-2", "c-2"),
                void_proposal(6, "vp-3", "no-such-claim"),
            ],
        )
        .await;
    assert_eq!(answer["results"][0]["code"], "void_already_proposed");
    assert_eq!(answer["results"][1]["code"], "not_found");

    // Clinic users neither list nor decide; another township sees nothing of it.
    assert_eq!(list(&s, &lijia, false).await.0, StatusCode::FORBIDDEN);
    let approve = json!({ "decision": "approve" });
    assert_eq!(
        decide(&s, &lijia, "vp-1", approve.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    let (elsewhere, _) = s.sign_in("shanhe-review").await;
    assert_eq!(list(&s, &elsewhere, false).await.1, json!([]));
    let (status, body) = decide(&s, &elsewhere, "vp-1", approve.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "unknown_proposal");
    assert_eq!(s.status_of("c-2").await, "settled");

    let (reviewer, _) = s.sign_in("shenhe").await;
    let (status, awaiting) = list(&s, &reviewer, false).await;
    assert_eq!(status, StatusCode::OK, "{awaiting}");
    assert_eq!(awaiting.as_array().unwrap().len(), 1);
    let p = &awaiting[0];
    assert_eq!(p["action"], "void_claim");
    assert_eq!(p["target_id"], "c-2");
    assert_eq!(p["clinic_name"], "李家村卫生室");
    assert_eq!(p["proposed_by_username"], "lijia");
    assert_eq!(money(&p["amount"]), c2);
    assert!(!p.to_string().contains(person(1).as_str()), "masked");

    let (status, decided) = decide(&s, &reviewer, "vp-1", approve.clone()).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["outcome"], "decided");
    assert_eq!(s.status_of("c-2").await, "void");
    assert_eq!(s.status_of("vp-1").await, "approved");
    // Sent again: applied once. The other way: refused.
    let (_, again) = decide(&s, &reviewer, "vp-1", approve).await;
    assert_eq!(again["outcome"], "unchanged");
    let (status, late) = decide(
        &s,
        &reviewer,
        "vp-1",
        json!({ "decision": "refuse", "note": "不予作废" }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(late["code"], "already_decided");

    // The clinic hears the decision on the claim, with the person's figures without it.
    let claims = pulled(&s, &lijia, "claim_decided").await;
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0]["claim_id"], "c-2");
    assert_eq!(claims[0]["status"], "void");
    assert_eq!(claims[0]["note"], "录错病人，应为其父");
    assert_eq!(money(&claims[0]["accumulators"]["fund_paid"]), c1);
    let proposals = pulled(&s, &lijia, "proposal_decided").await;
    assert_eq!(proposals.len(), 1);
    assert_eq!(proposals[0]["decided"]["state"], "approved");
    // Voided before any statement took it: never a claim on the fund.
    let (_, draft) = s
        .call(
            Method::GET,
            "/api/v1/township/statements/clinic-lijia/2025-03",
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(money(&draft["totals"]["fund_payable"]), c1, "{draft}");
    let audited = s
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'proposal_decision'")
        .await;
    assert_eq!(audited, 1);
}

async fn a_township_users_own_proposal_is_decided_by_someone_else(backend: Backend) {
    let s = TestServer::start(backend).await;
    two_visits(&s).await;
    let c2 = fund_of(&s, "c-2").await;
    assert!(c2 > Money::ZERO);
    let (reviewer, _) = s.sign_in("shenhe").await;
    let (admin, _) = s.sign_in("admin").await;
    // Crafted proposals.
    for (body, status, code) in [
        (
            json!({ "action": "void_claim", "claim_id": "c-1", "reason": "x" }),
            StatusCode::BAD_REQUEST,
            "bad_reason",
        ),
        (
            json!({ "action": "void_claim", "claim_id": "c-1", "reason": "x".repeat(201) }),
            StatusCode::BAD_REQUEST,
            "bad_reason",
        ),
        (
            json!({ "action": "void_claim", "claim_id": "nope", "reason": "重复录入" }),
            StatusCode::NOT_FOUND,
            "unknown_target",
        ),
        (
            json!({ "action": "void_claim", "claim_id": "c-1", "reason": "重复录入", "x": 1 }),
            StatusCode::BAD_REQUEST,
            "invalid_fields",
        ),
        (
            json!({ "action": "refund_contribution", "contribution_id": "c-1", "reason": "duplicate" }),
            StatusCode::NOT_FOUND,
            "unknown_target",
        ),
    ] {
        let (got, answer) = propose(&s, &reviewer, body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert_eq!(answer["code"], code, "{body}: {answer}");
    }
    let (elsewhere, _) = s.sign_in("shanhe-admin").await;
    let body = json!({ "action": "void_claim", "claim_id": "c-2", "reason": "重复录入" });
    assert_eq!(
        propose(&s, &elsewhere, body.clone()).await.0,
        StatusCode::NOT_FOUND,
        "another township's claim is not there"
    );
    let (status, proposal) = propose(&s, &reviewer, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{proposal}");
    assert_eq!(proposal["state"], "awaiting");
    assert_eq!(proposal["proposed_by_username"], "shenhe");
    let id = proposal["proposal_id"].as_str().unwrap().to_string();

    // The proposer cannot approve their own.
    let (status, answer) = decide(&s, &reviewer, &id, json!({ "decision": "approve" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["code"], "own_proposal");
    assert_eq!(s.status_of("c-2").await, "settled");
    // A refusal says why.
    let (status, answer) = decide(&s, &admin, &id, json!({ "decision": "refuse" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (status, answer) = decide(
        &s,
        &admin,
        &id,
        json!({ "decision": "refuse", "note": " 一 " }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["code"], "bad_decision");
    let (status, refused) = decide(
        &s,
        &admin,
        &id,
        json!({ "decision": "refuse", "note": "就诊属实，不予作废" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{refused}");
    assert_eq!(refused["proposal"]["state"], "refused");
    assert_eq!(s.status_of("c-2").await, "settled", "refused: as it was");
    let (_, decided) = list(&s, &admin, true).await;
    assert_eq!(decided[0]["decided"]["note"], "就诊属实，不予作废");
    assert_eq!(decided[0]["decided"]["decided_by_username"], "admin");

    // March is issued with the claim on it; a void approved afterwards is carried on April's
    // statement as the difference, never as an edit of March's.
    let (status, issued) = s
        .call(
            Method::POST,
            "/api/v1/township/statements/clinic-lijia/2025-03/issue",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let (_, again) = propose(&s, &reviewer, body).await;
    let id = again["proposal_id"].as_str().unwrap().to_string();
    let (status, approved) = decide(&s, &admin, &id, json!({ "decision": "approve" })).await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(s.status_of("c-2").await, "void");
    let (_, march) = s
        .call(
            Method::GET,
            "/api/v1/township/statements/clinic-lijia/2025-03",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(march["totals"], issued["totals"], "issued: unchanged");
    let (_, april) = s
        .call(
            Method::GET,
            "/api/v1/township/statements/clinic-lijia/2025-04",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        SignedMoney::parse(april["totals"]["adjustments"].as_str().unwrap()).unwrap(),
        SignedMoney::ZERO - SignedMoney::from(c2),
        "{april}"
    );
}

/// 李家村's cash as the township sees it: refunded, and the gap.
async fn standing(s: &TestServer, token: &str) -> (Money, String) {
    let (_, cash) = s
        .call(Method::GET, "/api/v1/township/cash", Some(token), None)
        .await;
    let lijia = cash
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clinic_id"] == "clinic-lijia")
        .unwrap()
        .clone();
    (
        money(&lijia["refunded"]),
        lijia["gap"].as_str().unwrap().to_string(),
    )
}

async fn an_approved_refund_lowers_the_cash_the_clinic_owes(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (lijia, _) = s.sign_in("lijia").await;
    s.push_ok(
        &lijia,
        &[
            common::enrolment_on(1, "e-1", &person(1), POLICY, 2025, enrolled()),
            contribution(2, "k-1", day(3, 2)),
            // Paid twice.
            contribution(3, "k-2", day(3, 30)),
            refund_proposal(4, "rp-1", "k-2"),
            refund_proposal(5, "rp-2", "k-1"),
        ],
    )
    .await;
    assert_eq!(s.status_of("k-2").await, "refund_proposed");
    let (reviewer, _) = s.sign_in("shenhe").await;
    assert_eq!(
        standing(&s, &reviewer).await,
        (Money::ZERO, "780.00".into())
    );
    let (status, approved) = decide(&s, &reviewer, "rp-1", json!({ "decision": "approve" })).await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["proposal"]["action"], "refund_contribution");
    assert_eq!(s.status_of("k-2").await, "refunded");
    assert_eq!(
        standing(&s, &reviewer).await,
        (Money::yuan(390), "390.00".into())
    );
    // This month's draft takes the refund once, and its net adds up.
    let month = cunbao_server::clock::today().format("%Y-%m").to_string();
    let (_, draft) = s
        .call(
            Method::GET,
            &format!("/api/v1/township/statements/clinic-lijia/{month}"),
            Some(&reviewer),
            None,
        )
        .await;
    let t = &draft["totals"];
    assert_eq!(money(&t["refunds_total"]), Money::yuan(390), "{draft}");
    assert_eq!(money(&t["receipts_total"]), Money::yuan(780));
    assert_eq!(t["net_payable"], "-390.00");
    // Refused: the receipt stands again, and the clinic may propose anew.
    let (status, _) = decide(
        &s,
        &reviewer,
        "rp-2",
        json!({ "decision": "refuse", "note": "首次缴费有效，不退" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.status_of("k-1").await, "recorded");
    let again = s
        .push_ok(&lijia, &[refund_proposal(6, "rp-3", "k-1")])
        .await;
    assert_eq!(again["results"][0]["status"], "applied", "{again}");
    // A refunded receipt is not refunded twice.
    let twice = s
        .push_ok(&lijia, &[refund_proposal(7, "rp-4", "k-2")])
        .await;
    assert_eq!(twice["results"][0]["code"], "not_refundable", "{twice}");
    let decided = pulled(&s, &lijia, "proposal_decided").await;
    let states: Vec<&str> = decided
        .iter()
        .map(|d| d["decided"]["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["approved", "refused"]);
    assert_eq!(decided[1]["decided"]["note"], "首次缴费有效，不退");
}

on_both_databases!(
    a_clinics_void_takes_effect_when_the_township_approves_it,
    a_township_users_own_proposal_is_decided_by_someone_else,
    an_approved_refund_lowers_the_cash_the_clinic_owes,
);
