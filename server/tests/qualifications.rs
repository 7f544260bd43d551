//! Chronic qualifications end to end on the server, on SQLite and PostgreSQL: an unqualified
//! hypertension visit is settled under the general benefit; the clinic applies, the township
//! decides over the API (and nobody else can), the clinic hears of it; within the validity the
//! chronic benefit is paid, after it the general benefit again.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{Backend, TestServer};
use cunbao_domain::diagnosis::RecordedDiagnosis;
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::names::ItemCode;
use cunbao_domain::policy::{BenefitKind, ChronicCondition, Policy};
use cunbao_domain::quantity::Quantity;
use cunbao_domain::sample;
use cunbao_domain::settlement::{settle, Accumulators, BenefitParams, LineInput};
use cunbao_domain::sync::{Mutation, MutationBody};
use serde_json::{json, Value};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

fn person(n: u16) -> IdNumber {
    compose("450324", NaiveDate::from_ymd_opt(1955, 9, 9).unwrap(), n)
}

/// A hypertension visit (I10, a consultation) settled by the tablet under `benefit`.
fn hypertension_visit(seq: u64, id: &IdNumber, date: NaiveDate, benefit: BenefitKind) -> Mutation {
    let catalogue = sample::catalogue();
    let item = catalogue
        .get(&ItemCode::parse("S110200001").unwrap())
        .unwrap();
    let lines = vec![LineInput::from_item(item, Quantity::whole(1))];
    let MutationBody::Claim(mut claim) = sample::general_outpatient_claim(
        &Policy::sample_2025(),
        &catalogue.version,
        id.clone(),
        date,
        lines,
        Accumulators::default(),
    ) else {
        unreachable!("a claim")
    };
    claim.diagnoses = vec![RecordedDiagnosis { code: "I10".into() }];
    claim.benefit = benefit;
    let policy = Policy::sample_2025();
    let rule = policy.benefit(benefit).unwrap();
    claim.settlement = settle(
        &BenefitParams::from(rule),
        Accumulators::default(),
        &claim.lines,
    )
    .unwrap();
    Mutation {
        seq,
        record_id: format!("k-{seq}"),
        operator: None,
        body: MutationBody::Claim(claim),
    }
}

fn application(seq: u64, id: &IdNumber) -> Mutation {
    Mutation {
        seq,
        record_id: format!("q-{seq}"),
        operator: None,
        body: MutationBody::QualificationApplication {
            person: id.clone(),
            condition: ChronicCondition::Hypertension,
            evidence: "县人民医院诊断证明 2025-0312".into(),
            applied_on: day(2, 20),
        },
    }
}

async fn decide(s: &TestServer, token: &str, id: &str, decision: Value) -> (StatusCode, Value) {
    s.call(
        Method::POST,
        &format!("/api/v1/township/qualifications/{id}/decision"),
        Some(token),
        Some(decision),
    )
    .await
}

async fn record(s: &TestServer, id: &str) -> (String, Value) {
    let (status, data): (String, String) =
        sqlx::query_as("SELECT status, data FROM records WHERE id = $1")
            .bind(id)
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    (status, serde_json::from_str(&data).unwrap())
}

const GENERAL: BenefitKind = BenefitKind::GeneralOutpatient;
const CHRONIC: BenefitKind = BenefitKind::ChronicOutpatient {
    condition: ChronicCondition::Hypertension,
};

async fn the_chronic_benefit_needs_an_approved_qualification(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (clinic, _) = s.sign_in("lijia").await;
    let (neighbour, _) = s.sign_in("daping").await;
    let (township, _) = s.sign_in("shenhe").await;
    let (other_township, _) = s.sign_in("shanhe-review").await;
    let x = person(1);
    let enrolled = common::enrolment_on(
        1,
        "e-1",
        &x,
        "county-sample-2025.1",
        2025,
        NaiveDate::from_ymd_opt(2024, 10, 10).unwrap(),
    );
    // Unqualified: a hypertension visit claimed as chronic is paid as general and reviewed;
    // one claimed as general is simply settled.
    let body = s
        .push_ok(
            &clinic,
            &[
                enrolled,
                hypertension_visit(2, &x, day(2, 10), CHRONIC),
                hypertension_visit(3, &x, day(2, 11), GENERAL),
                application(4, &x),
            ],
        )
        .await;
    let statuses: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["applied"; 4], "{body}");
    let (status, claimed_chronic) = record(&s, "k-2").await;
    assert_eq!(status, "flagged");
    assert_eq!(
        claimed_chronic["server_benefit"]["type"],
        "general_outpatient"
    );
    assert_eq!(claimed_chronic["cap_pool"], "general_outpatient");
    assert_eq!(record(&s, "k-3").await.0, "settled");
    assert_eq!(record(&s, "q-4").await.0, "pending");

    // Another clinic cannot apply for this clinic's resident.
    let refused = s.push_ok(&neighbour, &[application(1, &x)]).await;
    assert_eq!(refused["results"][0]["code"], "not_enrolled_here");

    // Only this township's staff decide; bad validity is refused.
    let approve =
        json!({ "decision": "approve", "valid_from": "2025-03-01", "valid_to": "2025-06-30" });
    assert_eq!(
        decide(&s, &clinic, "q-4", approve.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        decide(&s, &other_township, "q-4", approve.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    let backwards =
        json!({ "decision": "approve", "valid_from": "2025-06-30", "valid_to": "2025-03-01" });
    let (status, body) = decide(&s, &township, "q-4", backwards).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_validity"))
    );
    let (status, decided) = decide(&s, &township, "q-4", approve.clone()).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "approved");
    assert!(decided["decided_by"].as_str().unwrap().starts_with("覃明"));
    let (status, body) = decide(&s, &township, "q-4", approve).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_decided"))
    );

    // The clinic hears of the decision.
    let (_, page) = s
        .call(
            Method::GET,
            "/api/v1/sync/pull?after=0&limit=500",
            Some(&clinic),
            None,
        )
        .await;
    let heard: Vec<&Value> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entity"] == "qualification")
        .collect();
    assert_eq!(heard.len(), 2, "filed, then decided");
    assert_eq!(heard[1]["data"]["status"], "approved");
    assert_eq!(heard[1]["data"]["valid_to"], "2025-06-30");

    // Within the validity the chronic benefit (no deductible, 70 %) is paid; after it, general.
    let body = s
        .push_ok(
            &clinic,
            &[
                hypertension_visit(5, &x, day(4, 1), CHRONIC),
                hypertension_visit(6, &x, day(7, 1), CHRONIC),
            ],
        )
        .await;
    assert_eq!(body["results"][0]["status"], "applied", "{body}");
    let (status, within) = record(&s, "k-5").await;
    assert_eq!(status, "settled");
    assert_eq!(within["server_benefit"]["type"], "chronic_outpatient");
    assert_eq!(within["cap_pool"], "chronic_hypertension");
    assert_eq!(within["server_settlement"]["fund"], "7.00");
    let (status, after) = record(&s, "k-6").await;
    assert_eq!(status, "flagged");
    assert_eq!(after["server_benefit"]["type"], "general_outpatient");
}

async fn a_rejection_gives_its_reason_and_entitles_to_nothing(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (clinic, _) = s.sign_in("lijia").await;
    let (township, _) = s.sign_in("shenhe").await;
    let x = person(2);
    let enrolled = common::enrolment_on(
        1,
        "e-1",
        &x,
        "county-sample-2025.1",
        2025,
        NaiveDate::from_ymd_opt(2024, 10, 10).unwrap(),
    );
    s.push_ok(&clinic, &[enrolled, application(2, &x)]).await;
    let (status, body) = decide(
        &s,
        &township,
        "q-2",
        json!({ "decision": "reject", "reason": "" }),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_reason"))
    );
    let (status, decided) = decide(
        &s,
        &township,
        "q-2",
        json!({ "decision": "reject", "reason": "诊断证明不是二级以上医院出具" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "rejected");
    assert_eq!(decided["note"], "诊断证明不是二级以上医院出具");
    s.push_ok(&clinic, &[hypertension_visit(3, &x, day(4, 1), CHRONIC)])
        .await;
    assert_eq!(
        record(&s, "k-3").await.1["server_benefit"]["type"],
        "general_outpatient"
    );
}

on_both_databases!(
    the_chronic_benefit_needs_an_approved_qualification,
    a_rejection_gives_its_reason_and_entitles_to_nothing,
);
