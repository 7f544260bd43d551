//! The township's dashboard, tried from outside on SQLite and PostgreSQL: the year's claims
//! and the fund's payments by month and benefit (only what the fund pays), rules fired and
//! rejections by reason and clinic, review ages, enrolment against the target, clinics not
//! synced for a day; each table as CSV; the same figures after the start-up fill of claims
//! written before their figures were kept; clinic users refused, another township sees none.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::claims::{claim, day, fund_of, person, POLICY};
use common::{Backend, TestServer};
use cunbao_domain::money::Money;
use serde_json::{json, Value};

fn enrolled() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 10, 10).unwrap()
}

async fn dashboard(s: &TestServer, token: &str) -> Value {
    let (status, body) = s
        .call(
            Method::GET,
            "/api/v1/township/dashboard?year=2025",
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn money(v: &Value) -> Money {
    Money::parse(v.as_str().unwrap()).unwrap()
}

async fn the_dashboard_sums_what_the_fund_pays_and_counts_what_went_wrong(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (lijia, _) = s.sign_in("lijia").await;
    let (daping, _) = s.sign_in("daping").await;
    let (who, other) = (person(1), person(2));
    s.push_ok(
        &lijia,
        &[
            common::enrolment_on(1, "e-1", &who, POLICY, 2025, enrolled()),
            claim(2, "c-jan", &who, day(1, 10), ""),
            claim(3, "c-pending", &who, day(2, 1), "pending"),
            claim(4, "c-feb", &who, day(2, 10), ""),
            claim(5, "c-flagged", &who, day(3, 1), "flagged"),
        ],
    )
    .await;
    // Nine visits in May: the ninth is over the policy's eight a month, and flagged.
    let may: Vec<_> = (1..=9u32)
        .map(|d| claim(5 + u64::from(d), &format!("c-may-{d}"), &who, day(5, d), ""))
        .collect();
    s.push_ok(&lijia, &may).await;
    s.push_ok(
        &daping,
        &[
            common::enrolment_on(1, "e-2", &other, POLICY, 2025, enrolled()),
            claim(2, "d-pending", &other, day(4, 1), "pending"),
        ],
    )
    .await;
    let (status, _) = s
        .call(Method::GET, "/api/v1/sync/handshake", Some(&lijia), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (reviewer, _) = s.sign_in("shenhe").await;
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/township/review/decisions",
            Some(&reviewer),
            Some(
                json!({ "claims": ["c-flagged"], "decision": "reject", "reason": "over_quantity" }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let d = dashboard(&s, &reviewer).await;
    let months = d["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(
        (months[0]["month"].as_str(), months[0]["claims"].as_u64()),
        (Some("2025-01"), Some(1))
    );
    assert_eq!(money(&months[0]["fund"]), fund_of(&s, "c-jan").await);
    assert_eq!(months[1]["claims"], 1, "the pending claim is not paid yet");
    assert_eq!(money(&months[1]["fund"]), fund_of(&s, "c-feb").await);
    assert_eq!(months[2]["claims"], 0, "the rejected claim is not paid");
    assert_eq!(months[3]["claims"], 0);
    assert_eq!(
        months[4]["claims"], 9,
        "May's nine, the flagged one paid too"
    );
    assert_eq!(
        months[0]["by_benefit"][0]["benefit"]["type"],
        "general_outpatient"
    );
    let rules = d["rules"].as_array().unwrap();
    assert!(
        !rules.is_empty(),
        "the flagged claim's rules are counted: {d}"
    );
    assert_eq!(rules[0]["by_clinic"][0]["clinic_name"], "李家村卫生室");
    assert_eq!(d["rejections"][0]["code"], "over_quantity");
    assert_eq!(d["rejections"][0]["label"]["zh"], "超限量");
    assert_eq!(
        d["rejections"][0]["by_clinic"],
        json!([{ "clinic_name": "李家村卫生室", "count": 1 }])
    );
    assert_eq!(
        d["review_ages"],
        json!({ "within_24h": 2, "within_48h": 0, "over_48h": 0 })
    );
    let enrolment: Vec<(String, u64, u64)> = d["enrolment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["clinic_name"].as_str().unwrap().to_string(),
                l["enrolled"].as_u64().unwrap(),
                l["target"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        enrolment.contains(&("李家村卫生室".into(), 1, 500)),
        "{enrolment:?}"
    );
    assert!(
        enrolment.contains(&("石门村卫生室".into(), 0, 500)),
        "{enrolment:?}"
    );
    let stale = |name: &str| {
        d["syncs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["clinic_name"] == name)
            .map(|l| l["stale"].clone())
    };
    assert_eq!(stale("李家村卫生室"), Some(json!(false)));
    assert_eq!(stale("石门村卫生室"), Some(json!(true)));

    // Each table as CSV.
    let (status, headers, text) = s
        .get_text(
            "/api/v1/township/dashboard.csv?year=2025&table=rejections",
            &reviewer,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(text.contains("超限量,李家村卫生室,1"), "{text}");
    let (status, _, text) = s
        .get_text(
            "/api/v1/township/dashboard.csv?year=2025&table=months",
            &reviewer,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("2025-01,1,"), "{text}");
    for (path, code) in [
        (
            "/api/v1/township/dashboard.csv?year=2025&table=secrets",
            "bad_table",
        ),
        ("/api/v1/township/dashboard?year=1900", "bad_year"),
        ("/api/v1/township/dashboard?year=2025&clinic=x", "bad_query"),
    ] {
        let (status, body) = s.call(Method::GET, path, Some(&reviewer), None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{path}"
        );
    }

    // Claims written before their figures were kept are filled in at start-up, the same.
    sqlx::query(
        "UPDATE records SET visit_month = NULL, benefit = NULL, fund_fen = NULL, rules = NULL, \
         reject_reason = NULL WHERE kind = 'claim'",
    )
    .execute(&s.state.db)
    .await
    .unwrap();
    assert_eq!(
        cunbao_server::records::fill_claim_figures(&s.state.db)
            .await
            .unwrap(),
        14
    );
    let again = dashboard(&s, &reviewer).await;
    assert_eq!(
        (&again["months"], &again["rules"], &again["rejections"]),
        (&d["months"], &d["rules"], &d["rejections"])
    );

    // A clinic may not see it; another township sees none of this.
    for path in [
        "/api/v1/township/dashboard",
        "/api/v1/township/dashboard.csv?table=months",
    ] {
        let (status, _) = s.call(Method::GET, path, Some(&lijia), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let (elsewhere, _) = s.sign_in("shanhe-review").await;
    let theirs = dashboard(&s, &elsewhere).await;
    let names: Vec<&str> = theirs["enrolment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["clinic_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["山河村卫生室"]);
    assert!(theirs["months"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["claims"] == 0));
    assert_eq!(theirs["rules"], json!([]));
    assert_eq!(theirs["rejections"], json!([]));
    assert_eq!(theirs["review_ages"]["within_24h"], 0);
}

on_both_databases!(the_dashboard_sums_what_the_fund_pays_and_counts_what_went_wrong,);
