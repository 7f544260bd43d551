//! Sampling (结果质检), tried from outside on SQLite and PostgreSQL: the policy's share of a
//! clinic's claims the fund paid for in a month is drawn once, with its seed recorded, and the
//! same seed draws the same claims again; a finding is recorded once, a deduction at most what
//! the fund paid and with a standard reason; the clinic's statement takes the deduction back as
//! an adjustment, once; clinic users, another township and crafted inputs are refused.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::claims::{claim, day, person, POLICY};
use common::{Backend, TestServer};
use cunbao_domain::money::Money;
use cunbao_domain::signed_money::SignedMoney;
use serde_json::{json, Value};

fn money(v: &Value) -> Money {
    Money::parse(v.as_str().unwrap()).unwrap()
}

const MARCH: &str = "/api/v1/township/sampling/clinic-lijia/2025-03";

/// March 2025 at 李家村: eight visits of one person; the fund pays for all but the first.
async fn march(s: &TestServer) -> String {
    let (lijia, _) = s.sign_in("lijia").await;
    let enrolled = NaiveDate::from_ymd_opt(2024, 10, 10).unwrap();
    let mut batch = vec![common::enrolment_on(
        1,
        "e-1",
        &person(1),
        POLICY,
        2025,
        enrolled,
    )];
    for n in 0..8u32 {
        batch.push(claim(
            u64::from(n) + 2,
            &format!("c-{n}"),
            &person(1),
            day(3, 1 + 3 * n),
            "",
        ));
    }
    s.push_ok(&lijia, &batch).await;
    lijia
}

async fn post(s: &TestServer, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    s.call(Method::POST, path, Some(token), Some(body)).await
}

async fn paid_for_in_march(s: &TestServer) -> Vec<String> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, data FROM records WHERE kind = 'claim' AND clinic_id = 'clinic-lijia'",
    )
    .fetch_all(&s.state.db)
    .await
    .unwrap();
    rows.into_iter()
        .filter(|(_, data)| {
            let v: Value = serde_json::from_str(data).unwrap();
            money(&v["server_settlement"]["fund"]) > Money::ZERO
        })
        .map(|(id, _)| id)
        .collect()
}

async fn a_month_is_drawn_once_and_its_seed_draws_it_again(backend: Backend) {
    let s = TestServer::start(backend).await;
    let lijia = march(&s).await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    let (status, none) = s.call(Method::GET, MARCH, Some(&reviewer), None).await;
    assert_eq!((status, none), (StatusCode::OK, Value::Null));
    // Refused: a clinic user, another township, a month to come, a crafted month.
    assert_eq!(
        post(&s, &lijia, &format!("{MARCH}/draw"), json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (elsewhere, _) = s.sign_in("shanhe-review").await;
    let (status, body) = post(&s, &elsewhere, &format!("{MARCH}/draw"), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "unknown_clinic");
    let (status, body) = post(
        &s,
        &reviewer,
        "/api/v1/township/sampling/clinic-lijia/2999-01/draw",
        json!({}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("future_month"))
    );
    let (status, _) = post(
        &s,
        &reviewer,
        "/api/v1/township/sampling/clinic-lijia/2025-13/draw",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, drawn) = post(&s, &reviewer, &format!("{MARCH}/draw"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{drawn}");
    // Read and found on only by the township's staff.
    assert_eq!(
        s.call(Method::GET, MARCH, Some(&lijia), None).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = s.call(Method::GET, MARCH, Some(&elsewhere), None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_clinic"))
    );
    let finding = json!({ "claim_id": drawn["claims"][0]["claim_id"] });
    let findings = format!("{MARCH}/findings");
    assert_eq!(
        post(&s, &lijia, &findings, finding.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&s, &elsewhere, &findings, finding).await.0,
        StatusCode::NOT_FOUND
    );
    let population = paid_for_in_march(&s).await;
    assert_eq!(population.len(), 7, "the first visit met the deductible");
    assert_eq!(drawn["population"], 7);
    assert_eq!(drawn["percent"], 5, "the sample policy's share");
    let ids: Vec<String> = drawn["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["claim_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 1, "5 % of 7, rounded up");
    // Reproducible: the recorded seed draws the same claims from the same population.
    let seed = cunbao_domain::sampling::parse_seed(drawn["seed"].as_str().unwrap()).unwrap();
    assert_eq!(cunbao_domain::sampling::draw(&population, 5, seed), ids);
    assert!(!drawn.to_string().contains(person(1).as_str()), "masked");
    // Drawn once.
    let (status, again) = post(&s, &reviewer, &format!("{MARCH}/draw"), json!({})).await;
    assert_eq!(
        (status, again["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_drawn"))
    );
    let (_, read) = s.call(Method::GET, MARCH, Some(&reviewer), None).await;
    assert_eq!(read, drawn);
    // Another clinic with nothing paid draws nothing.
    let (status, empty) = post(
        &s,
        &reviewer,
        "/api/v1/township/sampling/clinic-daping/2025-03/draw",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty["population"], 0);
    assert_eq!(empty["claims"], json!([]));
}

async fn a_deduction_found_goes_on_the_statement_once(backend: Backend) {
    let s = TestServer::start(backend).await;
    march(&s).await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    let (_, drawn) = post(&s, &reviewer, &format!("{MARCH}/draw"), json!({})).await;
    let sampled = drawn["claims"][0].clone();
    let id = sampled["claim_id"].as_str().unwrap().to_string();
    let fund = money(&sampled["fund"]);
    let findings = format!("{MARCH}/findings");
    let over = (fund + Money::parse("0.01").unwrap()).to_string();
    for (body, status, code) in [
        (
            json!({ "claim_id": "c-0", "deduction": "1.00", "reason": "over_quantity" }),
            StatusCode::NOT_FOUND,
            "not_drawn",
        ),
        (
            json!({ "claim_id": id, "deduction": over, "reason": "over_quantity" }),
            StatusCode::BAD_REQUEST,
            "bad_finding",
        ),
        (
            json!({ "claim_id": id, "deduction": "1.00" }),
            StatusCode::BAD_REQUEST,
            "bad_finding",
        ),
        (
            json!({ "claim_id": id, "deduction": "1.00", "reason": "made_up" }),
            StatusCode::BAD_REQUEST,
            "bad_finding",
        ),
        (
            json!({ "claim_id": id, "deduction": "-1.00", "reason": "over_quantity" }),
            StatusCode::BAD_REQUEST,
            "invalid_fields",
        ),
        (
            json!({ "claim_id": id, "deduction": "1.00", "reason": "other", "note": "x".repeat(201) }),
            StatusCode::BAD_REQUEST,
            "bad_finding",
        ),
    ] {
        let (got, answer) = post(&s, &reviewer, &findings, body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert_eq!(answer["code"], code, "{body}: {answer}");
    }
    let deduction = Money::parse("12.30").unwrap().min(fund);
    let (status, found) = post(
        &s,
        &reviewer,
        &findings,
        json!({ "claim_id": id, "deduction": deduction, "reason": "over_quantity", "note": "阿莫西林多开1盒" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let finding = &found["claims"][0]["finding"];
    assert_eq!(money(&finding["deduction"]), deduction);
    assert_eq!(finding["reason"]["zh"], "超限量");
    let (status, twice) = post(&s, &reviewer, &findings, json!({ "claim_id": id })).await;
    assert_eq!(
        (status, twice["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_found"))
    );

    // March's statement takes it back as an adjustment, on a line of its own.
    let statement = "/api/v1/township/statements/clinic-lijia/2025-03";
    let (_, draft) = s.call(Method::GET, statement, Some(&reviewer), None).await;
    let minus = SignedMoney::ZERO - SignedMoney::from(deduction);
    assert_eq!(
        SignedMoney::parse(draft["totals"]["adjustments"].as_str().unwrap()).unwrap(),
        minus,
        "{draft}"
    );
    let line = draft["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["finding"] == true)
        .expect("a finding line");
    assert_eq!(line["claim_id"], id.as_str());
    assert_eq!(
        SignedMoney::parse(line["payable"].as_str().unwrap()).unwrap(),
        minus
    );
    let (status, _, csv) = s
        .get_text(&format!("{statement}/lines.csv"), &reviewer)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("结果质检扣减"), "{csv}");
    // Issued, it is taken once: April's draft does not take it again.
    let (status, _) = post(&s, &reviewer, &format!("{statement}/issue"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, april) = s
        .call(
            Method::GET,
            "/api/v1/township/statements/clinic-lijia/2025-04",
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(april["totals"]["adjustments"], "0.00", "{april}");
    let audited = s
        .count(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('sampling_drawn', 'sampling_finding')",
        )
        .await;
    assert_eq!(audited, 2);
}

on_both_databases!(
    a_month_is_drawn_once_and_its_seed_draws_it_again,
    a_deduction_found_goes_on_the_statement_once,
);
