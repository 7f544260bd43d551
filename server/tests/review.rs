//! The township's review of claims (审核), tried from outside on SQLite and PostgreSQL: the
//! queue lists the township's flagged and pending claims oldest first and nobody else's; a
//! decision in bulk is applied once even when sent twice; a pending claim approved is paid
//! then, after what the fund paid meanwhile; a flagged claim rejected stops counting; the
//! clinic hears each decision with its reason and the person's figures; clinic users and
//! another township's reviewer are refused.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::claims::{claim, day, person, visit_lines, POLICY};
use common::{Backend, TestServer};
use cunbao_domain::money::Money;
use serde_json::{json, Value};

/// In the collection period before the year: covered from 1 January.
fn enrolled() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 10, 10).unwrap()
}

fn money(v: &Value) -> Money {
    Money::parse(v.as_str().unwrap()).unwrap()
}

/// Two clinics' claims: one flagged and one held for review at 李家村, one held at 大坪村.
async fn claims_to_review(s: &TestServer) -> (String, String) {
    let (lijia, _) = s.sign_in("lijia").await;
    let (daping, _) = s.sign_in("daping").await;
    let who = person(1);
    let other = person(2);
    s.push_ok(
        &lijia,
        &[
            common::enrolment_on(1, "e-1", &who, POLICY, 2025, enrolled()),
            // Held for review while 107.50 of the 300.00 deductible is still open; the visit
            // after it is paid and meets the deductible meanwhile.
            claim(2, "c-jan", &who, day(1, 10), ""),
            claim(3, "c-pending", &who, day(2, 1), "pending"),
            claim(4, "c-feb", &who, day(2, 10), ""),
            claim(5, "c-flagged", &who, day(3, 1), "flagged"),
        ],
    )
    .await;
    s.push_ok(
        &daping,
        &[
            common::enrolment_on(1, "e-2", &other, POLICY, 2025, enrolled()),
            claim(2, "d-pending", &other, day(4, 1), "pending"),
        ],
    )
    .await;
    assert_eq!(s.status_of("c-flagged").await, "flagged");
    assert_eq!(s.status_of("c-pending").await, "pending_review");
    (lijia, daping)
}

async fn the_queue_lists_the_townships_claims_oldest_first(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (lijia, _) = claims_to_review(&s).await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    let (status, queue) = s
        .call(
            Method::GET,
            "/api/v1/township/review",
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let ids: Vec<&str> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["claim_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["c-pending", "c-flagged", "d-pending"],
        "in the order they arrived"
    );
    assert_eq!(queue[0]["status"], "pending_review");
    let flagged = &queue[1];
    assert_eq!(flagged["status"], "flagged");
    assert_eq!(flagged["clinic_name"], "李家村卫生室");
    assert_eq!(flagged["price_differences"], 1);
    assert!(flagged["person"].as_str().unwrap().contains('*'), "masked");
    assert!(flagged["waiting_hours"].as_i64().unwrap() >= 0);
    // Filtered by clinic.
    let (_, one) = s
        .call(
            Method::GET,
            "/api/v1/township/review?clinic=clinic-daping",
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["claim_id"], "d-pending");
    // Filtered by benefit: all three are general outpatient visits, none chronic.
    for (benefit, expected) in [("general_outpatient", 3), ("chronic", 0)] {
        let (_, some) = s
            .call(
                Method::GET,
                &format!("/api/v1/township/review?benefit={benefit}"),
                Some(&reviewer),
                None,
            )
            .await;
        assert_eq!(some.as_array().unwrap().len(), expected, "{benefit}");
    }
    // A clinic user may not read it; another township's reviewer sees none of these.
    let (status, _) = s
        .call(Method::GET, "/api/v1/township/review", Some(&lijia), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (elsewhere, _) = s.sign_in("shanhe-review").await;
    let (status, theirs) = s
        .call(
            Method::GET,
            "/api/v1/township/review",
            Some(&elsewhere),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(theirs, json!([]));
}

async fn decide(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.call(
        Method::POST,
        "/api/v1/township/review/decisions",
        Some(token),
        Some(body),
    )
    .await
}

async fn decisions_in_bulk_are_applied_once_and_reach_the_clinic(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (lijia, _) = claims_to_review(&s).await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    let pending_fund = |s: &TestServer| {
        let db = s.state.db.clone();
        async move {
            let data: String =
                sqlx::query_scalar("SELECT data FROM records WHERE id = 'c-pending'")
                    .fetch_one(&db)
                    .await
                    .unwrap();
            let v: Value = serde_json::from_str(&data).unwrap();
            money(&v["server_settlement"]["fund"])
        }
    };
    let flagged_fund = {
        let data: String = sqlx::query_scalar("SELECT data FROM records WHERE id = 'c-flagged'")
            .fetch_one(&s.state.db)
            .await
            .unwrap();
        money(&serde_json::from_str::<Value>(&data).unwrap()["server_settlement"]["fund"])
    };
    assert!(flagged_fund > Money::ZERO);
    let mut paid_before = Money::ZERO;
    for id in ["c-jan", "c-feb"] {
        let data: String = sqlx::query_scalar("SELECT data FROM records WHERE id = $1")
            .bind(id)
            .fetch_one(&s.state.db)
            .await
            .unwrap();
        paid_before = paid_before
            + money(&serde_json::from_str::<Value>(&data).unwrap()["server_settlement"]["fund"]);
    }
    // Held for review, it was settled on arrival with part of the deductible open; approved,
    // it is settled after what the fund paid meanwhile: the deductible is met, the fund pays
    // more.
    let before_approval = pending_fund(&s).await;
    let request = json!({ "claims": ["c-pending", "d-pending"], "decision": "approve" });
    let (status, answer) = decide(&s, &reviewer, request.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    for result in answer["results"].as_array().unwrap() {
        assert_eq!(result["outcome"], "decided", "{answer}");
        assert_eq!(result["status"], "approved");
    }
    let approved_fund = pending_fund(&s).await;
    assert!(
        approved_fund > before_approval,
        "the deductible was met meanwhile: {approved_fund} > {before_approval}"
    );
    // Sent again: nothing changes.
    let (_, again) = decide(&s, &reviewer, request).await;
    assert_eq!(again["results"][0]["outcome"], "unchanged");
    assert_eq!(again["results"][1]["outcome"], "unchanged");
    // Rejected with a standard reason: the flagged claim stops counting.
    let (status, rejected) = decide(
        &s,
        &reviewer,
        json!({ "claims": ["c-flagged"], "decision": "reject", "reason": "over_quantity",
                "note": "阿莫西林超量" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(rejected["results"][0]["status"], "rejected");
    assert_eq!(s.status_of("c-flagged").await, "rejected");
    // A decided claim is not decided again the other way.
    let (_, late) = decide(
        &s,
        &reviewer,
        json!({ "claims": ["c-flagged"], "decision": "approve" }),
    )
    .await;
    assert_eq!(late["results"][0]["outcome"], "refused");
    assert_eq!(late["results"][0]["status"], "rejected");
    // The clinic's tablets hear each decision, the reason, and the person's figures after it.
    let (_, page) = s
        .call(Method::GET, "/api/v1/sync/pull?after=0", Some(&lijia), None)
        .await;
    let decided: Vec<&Value> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "claim_decided")
        .collect();
    assert_eq!(decided.len(), 2, "only this clinic's decisions: {page}");
    let approval = &decided[0]["data"];
    assert_eq!(approval["claim_id"], "c-pending");
    assert_eq!(money(&approval["fund"]), approved_fund);
    assert_eq!(
        money(&approval["accumulators"]["fund_paid"]),
        paid_before + flagged_fund + approved_fund
    );
    let rejection = &decided[1]["data"];
    assert_eq!(rejection["claim_id"], "c-flagged");
    assert_eq!(rejection["reason"]["zh"], "超限量");
    assert_eq!(rejection["note"], "阿莫西林超量");
    assert_eq!(money(&rejection["fund"]), Money::ZERO);
    assert_eq!(
        money(&rejection["accumulators"]["fund_paid"]),
        paid_before + approved_fund,
        "the rejected claim no longer counts"
    );
    // Every decision is in the audit log with who and why.
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'claim_decision' ORDER BY id",
    )
    .fetch_all(&s.state.db)
    .await
    .unwrap();
    assert_eq!(audited.len(), 3);
    assert!(audited[2].contains("over_quantity") && audited[2].contains("阿莫西林超量"));
}

async fn only_the_townships_staff_decide_and_only_with_a_listed_reason(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (lijia, _) = claims_to_review(&s).await;
    let approve = json!({ "claims": ["c-pending"], "decision": "approve" });
    let (status, _) = decide(&s, &lijia, approve.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a clinic user");
    let (elsewhere, _) = s.sign_in("shanhe-review").await;
    let (status, answer) = decide(&s, &elsewhere, approve).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["results"][0]["outcome"], "refused");
    assert_eq!(answer["results"][0]["status"], Value::Null);
    assert_eq!(s.status_of("c-pending").await, "pending_review");
    let (reviewer, _) = s.sign_in("shenhe").await;
    for bad in [
        json!({ "claims": ["c-pending"], "decision": "reject", "reason": "made_up" }),
        json!({ "claims": ["c-pending"], "decision": "reject", "reason": "other" }),
        json!({ "claims": ["c-pending"], "decision": "reject" }),
        json!({ "claims": [], "decision": "approve" }),
        json!({ "claims": vec!["x"; 201], "decision": "approve" }),
        json!({ "claims": ["c-pending"], "decision": "reject", "reason": "other",
                "note": "x".repeat(501) }),
    ] {
        let (status, answer) = decide(&s, &reviewer, bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {answer}");
        assert_eq!(answer["code"], "bad_decision", "{answer}");
    }
    let (status, _) = decide(&s, &reviewer, json!({ "claims": ["c-pending"] })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(s.status_of("c-pending").await, "pending_review");
}

/// The review page of one claim: the tablet's and the server's figures, the rules found, who
/// settled it, and the patient's visits of the 30 days before it; refused to a clinic user,
/// and another township's reviewer is answered as if there were no such claim.
async fn a_claims_review_page_shows_both_figures_and_the_month_before(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (lijia, _) = claims_to_review(&s).await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    let page = |token: String, id: &'static str| {
        let s = &s;
        async move {
            s.call(
                Method::GET,
                &format!("/api/v1/township/review/{id}"),
                Some(&token),
                None,
            )
            .await
        }
    };
    let (status, claim) = page(reviewer.clone(), "c-flagged").await;
    assert_eq!(status, StatusCode::OK, "{claim}");
    assert_eq!(claim["item"]["claim_id"], "c-flagged");
    assert!(claim["item"]["person"].as_str().unwrap().contains('*'));
    assert!(
        !claim.to_string().contains(person(1).as_str()),
        "the ID number is masked everywhere"
    );
    assert_eq!(
        claim["lines"].as_array().unwrap().len(),
        visit_lines().len()
    );
    assert!(
        claim["server_lines"].is_array(),
        "the catalogue's prices differ from the tablet's"
    );
    assert_eq!(
        claim["device_settlement"]["fund"],
        claim["item"]["device_fund"]
    );
    assert_eq!(
        claim["server_settlement"]["fund"],
        claim["item"]["server_fund"]
    );
    assert_eq!(
        claim["rule_hits"].as_array().unwrap().len(),
        claim["item"]["rules"].as_array().unwrap().len(),
        "the rules found, with what each said"
    );
    assert_eq!(claim["operator"]["username"], "lijia");
    let recent: Vec<&str> = claim["recent_visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["claim_id"].as_str().unwrap())
        .collect();
    // 10 Feb and 1 Feb are within the 30 days before 1 Mar; 10 Jan is not.
    assert_eq!(recent, ["c-feb", "c-pending"]);
    assert_eq!(claim["recent_visits"][1]["status"], "pending_review");
    assert_eq!(claim["recent_visits"][0]["clinic_name"], "李家村卫生室");

    assert_eq!(page(lijia, "c-flagged").await.0, StatusCode::FORBIDDEN);
    let (elsewhere, _) = s.sign_in("shanhe-review").await;
    let (status, body) = page(elsewhere, "c-flagged").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(!body.to_string().contains("李家村"));
    assert_eq!(page(reviewer, "no-such").await.0, StatusCode::NOT_FOUND);
}

on_both_databases!(
    a_claims_review_page_shows_both_figures_and_the_month_before,
    the_queue_lists_the_townships_claims_oldest_first,
    decisions_in_bulk_are_applied_once_and_reach_the_clinic,
    only_the_townships_staff_decide_and_only_with_a_listed_reason,
);
