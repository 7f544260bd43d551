//! The township's dashboard, tried from outside on SQLite and PostgreSQL: the year's claims
//! and the fund's payments by month and benefit (only what the fund pays), rules fired and
//! rejections by reason and clinic, review ages, enrolment against the target, clinics not
//! synced for a day; each table as CSV; the same figures after the start-up fill of claims
//! written before their figures were kept; clinic users refused, another township sees none.
//! The monthly report (one month's tables, and all of them as one CSV) and the clinics'
//! enrolment targets set by an administrator alone, within the township.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::claims::{claim, day, fund_of, person, POLICY};
use common::{Backend, TestServer};
use cunbao_domain::money::Money;
use cunbao_domain::sync::{Mutation, MutationBody};
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

async fn get(s: &TestServer, token: &str, path: &str) -> Value {
    let (status, body) = s.call(Method::GET, path, Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

async fn the_monthly_report_takes_one_month_and_targets_are_the_administrators(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (lijia, _) = s.sign_in("lijia").await;
    let who = person(1);
    let receipt = Mutation {
        seq: 2,
        record_id: "r-1".into(),
        operator: None,
        body: MutationBody::Contribution {
            receipt_no: "R-1".into(),
            household_id: "hh-1".into(),
            enrolment_ids: vec!["e-1".into()],
            amount: Money::yuan(390),
            collected_on: enrolled(),
        },
    };
    s.push_ok(
        &lijia,
        &[
            common::enrolment_on(1, "e-1", &who, POLICY, 2025, enrolled()),
            receipt,
            claim(3, "c-may-1", &who, day(5, 1), ""),
            claim(4, "c-may-2", &who, day(5, 2), ""),
            claim(5, "c-may-3", &who, day(5, 3), ""),
            claim(6, "c-jun", &who, day(6, 1), ""),
        ],
    )
    .await;
    let (reviewer, _) = s.sign_in("shenhe").await;

    // May alone: its month, its three claims and their fund; no cash collected in May.
    let may = get(&s, &reviewer, "/api/v1/township/dashboard?month=2025-05").await;
    assert_eq!(may["month"], "2025-05");
    assert_eq!(may["scheme_year"], 2025);
    assert!(
        may["township_name"].as_str().unwrap().contains('镇'),
        "{may}"
    );
    let months = may["months"].as_array().unwrap();
    assert_eq!(months.len(), 1, "{months:?}");
    assert_eq!(
        (months[0]["month"].as_str(), months[0]["claims"].as_u64()),
        (Some("2025-05"), Some(3))
    );
    let mut fund = Money::ZERO;
    for id in ["c-may-1", "c-may-2", "c-may-3"] {
        fund = fund + fund_of(&s, id).await;
    }
    assert_eq!(money(&months[0]["fund"]), fund);
    let lijia_cash = |d: &Value| {
        d["cash"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["clinic_name"] == "李家村卫生室")
            .map(|l| money(&l["collected"]))
    };
    assert_eq!(lijia_cash(&may), Some(Money::ZERO));
    // The receipt's month has it; the year has every month and all the cash.
    let october = get(&s, &reviewer, "/api/v1/township/dashboard?month=2024-10").await;
    assert_eq!(lijia_cash(&october), Some(Money::yuan(390)));
    let year = get(&s, &reviewer, "/api/v1/township/dashboard?year=2025").await;
    assert_eq!(year["months"].as_array().unwrap().len(), 12);
    assert_eq!(year["month"], Value::Null);
    assert_eq!(
        lijia_cash(&year),
        Some(Money::yuan(390)),
        "a year's cash is the clinic's standing, collected the autumn before included"
    );

    // The report: every table of the month under its title, in one CSV.
    let (status, headers, text) = s
        .get_text("/api/v1/township/report.csv?month=2025-05", &reviewer)
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("report-2025-05.csv"));
    assert!(text.contains("2025-05 月度报表"), "{text}");
    assert!(text.contains("2025-05,3,"), "{text}");
    for title in [
        "一、参保进度",
        "二、本月缴费",
        "三、本月结算",
        "四、本月审核规则",
        "五、本月拒付",
        "六、待审核时效",
        "七、卫生室同步",
    ] {
        assert!(text.contains(title), "{title} in {text}");
    }
    assert!(!text.contains("2025-06"), "June is not May's: {text}");
    for path in [
        "/api/v1/township/report.csv?month=2025-13",
        "/api/v1/township/report.csv?month=2025-5",
        "/api/v1/township/report.csv?month=2099-01",
        "/api/v1/township/report.csv?month=may",
        "/api/v1/township/dashboard?month=2025-05&year=2024",
    ] {
        let (status, body) = s.call(Method::GET, path, Some(&reviewer), None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_month")),
            "{path}"
        );
    }
    let (status, _) = s
        .call(
            Method::GET,
            "/api/v1/township/report.csv?month=2025-05",
            Some(&lijia),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Targets: the administrator sets and clears one; nobody else can, nor another township's.
    let target = "/api/v1/township/clinics/clinic-lijia/enrolment_target";
    let (admin, _) = s.sign_in("admin").await;
    let (status, body) = s
        .call(
            Method::PUT,
            target,
            Some(&admin),
            Some(json!({ "target": 620 })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let lijia_target = |d: &Value| {
        d["enrolment"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["clinic_name"] == "李家村卫生室")
            .map(|l| l["target"].clone())
    };
    let after = get(&s, &reviewer, "/api/v1/township/dashboard").await;
    assert_eq!(lijia_target(&after), Some(json!(620)));
    let (elsewhere, _) = s.sign_in("shanhe-admin").await;
    for (token, body, want) in [
        (&reviewer, json!({ "target": 1 }), StatusCode::FORBIDDEN),
        (&lijia, json!({ "target": 1 }), StatusCode::FORBIDDEN),
        (&elsewhere, json!({ "target": 1 }), StatusCode::NOT_FOUND),
        (
            &admin,
            json!({ "target": 100_001 }),
            StatusCode::BAD_REQUEST,
        ),
        (&admin, json!({ "target": -5 }), StatusCode::BAD_REQUEST),
        (
            &admin,
            json!({ "target": 5, "clinic": "x" }),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (status, answer) = s
            .call(Method::PUT, target, Some(token), Some(body.clone()))
            .await;
        assert_eq!(status, want, "{body}: {answer}");
    }
    let (status, _) = s
        .call(
            Method::PUT,
            "/api/v1/township/clinics/clinic-nowhere/enrolment_target",
            Some(&admin),
            Some(json!({ "target": 5 })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let unchanged = get(&s, &reviewer, "/api/v1/township/dashboard").await;
    assert_eq!(lijia_target(&unchanged), Some(json!(620)));
    let (status, _) = s
        .call(
            Method::PUT,
            target,
            Some(&admin),
            Some(json!({ "target": null })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let cleared = get(&s, &reviewer, "/api/v1/township/dashboard").await;
    assert_eq!(lijia_target(&cleared), Some(Value::Null));
    assert_eq!(
        s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'enrolment_target_set'")
            .await,
        2
    );
}

on_both_databases!(
    the_dashboard_sums_what_the_fund_pays_and_counts_what_went_wrong,
    the_monthly_report_takes_one_month_and_targets_are_the_administrators,
);
