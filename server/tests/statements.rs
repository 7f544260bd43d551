//! The monthly statement per clinic and the cash a clinic hands in, tried from outside on
//! SQLite and PostgreSQL: a draft adds up to the fen; issuing freezes it once (a claim synced
//! late and a decision after issue land on the next month's draft, a rejection as a negative
//! carried line); the CSV exports add up to the statement; a statement is paid only once
//! issued; hand-ins close the cash gap; clinic users are refused, another township's staff see
//! nothing, and crafted inputs are refused with a code.

mod common;

use axum::http::{header, Method, StatusCode};
use chrono::{Days, NaiveDate};
use common::claims::{claim, day, fund_of, person, POLICY};
use common::{Backend, TestServer};
use cunbao_domain::money::Money;
use cunbao_domain::signed_money::SignedMoney;
use cunbao_domain::sync::{Mutation, MutationBody};
use serde_json::{json, Value};

fn today() -> NaiveDate {
    cunbao_server::clock::today()
}

fn contribution(seq: u64, record: &str, enrolment: &str, on: NaiveDate) -> Mutation {
    Mutation {
        seq,
        record_id: record.into(),
        operator: None,
        body: MutationBody::Contribution {
            receipt_no: format!("R-{record}"),
            household_id: "hh".into(),
            enrolment_ids: vec![enrolment.into()],
            amount: Money::yuan(390),
            collected_on: on,
        },
    }
}

fn money(v: &Value) -> Money {
    Money::parse(v.as_str().unwrap()).unwrap()
}

fn signed(v: &Value) -> SignedMoney {
    SignedMoney::parse(v.as_str().unwrap()).unwrap()
}

fn m(text: &str) -> Money {
    Money::parse(text).unwrap()
}

/// What the server's settlement of claim `id` says the fund pays.
/// March 2025 at 李家村: two settled visits, one flagged, one held for review and one flagged
/// then rejected; two receipts. One settled visit at 大坪村.
async fn march(s: &TestServer) -> String {
    let (lijia, _) = s.sign_in("lijia").await;
    let (daping, _) = s.sign_in("daping").await;
    let enrolled = NaiveDate::from_ymd_opt(2024, 10, 10).unwrap();
    let who = person(1);
    s.push_ok(
        &lijia,
        &[
            common::enrolment_on(1, "e-1", &who, POLICY, 2025, enrolled),
            claim(2, "c-1", &who, day(3, 1), ""),
            claim(3, "c-2", &who, day(3, 3), ""),
            claim(4, "c-flagged", &who, day(3, 5), "flagged"),
            claim(5, "c-pending", &who, day(3, 7), "pending"),
            claim(6, "c-rejected", &who, day(3, 9), "flagged"),
            contribution(7, "k-1", "e-1", day(3, 2)),
            contribution(8, "k-2", "e-1", day(3, 30)),
            // April's receipt is not March's.
            contribution(9, "k-april", "e-1", day(4, 2)),
        ],
    )
    .await;
    s.push_ok(
        &daping,
        &[
            common::enrolment_on(1, "e-2", &person(2), POLICY, 2025, enrolled),
            claim(2, "d-1", &person(2), day(3, 4), ""),
        ],
    )
    .await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    decide(s, &reviewer, "c-rejected", "reject").await;
    assert_eq!(s.status_of("c-flagged").await, "flagged");
    assert_eq!(s.status_of("c-pending").await, "pending_review");
    reviewer
}

async fn decide(s: &TestServer, token: &str, id: &str, decision: &str) {
    let body = match decision {
        "reject" => json!({ "claims": [id], "decision": "reject", "reason": "over_quantity" }),
        _ => json!({ "claims": [id], "decision": "approve" }),
    };
    let (status, answer) = s
        .call(
            Method::POST,
            "/api/v1/township/review/decisions",
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["results"][0]["outcome"], "decided", "{answer}");
}

fn path(clinic: &str, month: &str, tail: &str) -> String {
    format!("/api/v1/township/statements/{clinic}/{month}{tail}")
}

async fn get(s: &TestServer, token: &str, path: &str) -> (StatusCode, Value) {
    s.call(Method::GET, path, Some(token), None).await
}

async fn post(s: &TestServer, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    s.call(Method::POST, path, Some(token), Some(body)).await
}

async fn hand_in(
    s: &TestServer,
    token: &str,
    clinic: &str,
    amount: &str,
    on: NaiveDate,
) -> (StatusCode, Value) {
    let body = json!({ "clinic_id": clinic, "amount": amount, "received_on": on,
                       "receipts_covered": "R-k-1 至 R-k-2" });
    post(s, token, "/api/v1/township/cash", body).await
}

/// A CSV file's rows (RFC 4180 quoting), after checking it is a download with a BOM.
async fn csv(s: &TestServer, token: &str, path: &str, filename: &str) -> Vec<Vec<String>> {
    let (status, headers, body) = s.get_text(path, token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"{filename}\"")
    );
    let body = body.strip_prefix('\u{feff}').expect("a byte-order mark");
    let (mut rows, mut row, mut field, mut quoted) = (Vec::new(), Vec::new(), String::new(), false);
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    assert!(row.is_empty() && field.is_empty(), "rows end with CRLF");
    rows
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).expect(name)
}

async fn a_draft_adds_up_and_issuing_freezes_it(backend: Backend) {
    let s = TestServer::start(backend).await;
    let reviewer = march(&s).await;
    let (f1, f2, flagged) = (
        fund_of(&s, "c-1").await,
        fund_of(&s, "c-2").await,
        fund_of(&s, "c-flagged").await,
    );
    assert!(flagged > Money::ZERO, "the deductible is met by then");
    let (status, draft) = get(&s, &reviewer, &path("clinic-lijia", "2025-03", "")).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["state"], "draft");
    assert_eq!(draft["clinic_name"], "李家村卫生室");
    assert_eq!(draft["township_name"], "两江镇");
    let t = &draft["totals"];
    assert_eq!(t["claims"], 4, "settled ×2, flagged and rejected: {t}");
    assert_eq!(money(&t["claims_total"]), m("770.00"), "4 × 192.50");
    assert_eq!(money(&t["fund_payable"]), f1 + f2 + flagged);
    assert_eq!(
        (t["rejected"].as_u64(), t["waiting_review"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(signed(&t["adjustments"]), SignedMoney::ZERO);
    assert_eq!(t["receipts"], 2);
    assert_eq!(money(&t["receipts_total"]), m("780.00"));
    assert_eq!(money(&t["cash_handed_in"]), Money::ZERO);
    let fund = SignedMoney::from(f1 + f2 + flagged);
    assert_eq!(signed(&t["net_payable"]), fund - m("780.00").into());
    let ids: Vec<&str> = draft["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["claim_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["c-1", "c-2", "c-flagged", "c-rejected"],
        "not the pending one"
    );
    assert_eq!(draft["lines"][3]["payable"], "0.00");
    assert!(!draft.to_string().contains(person(1).as_str()), "masked");

    // Cash handed in during March counts against March's receipts.
    let (status, _) = hand_in(&s, &reviewer, "clinic-lijia", "500.00", day(3, 20)).await;
    assert_eq!(status, StatusCode::OK);
    // Issued by two requests at once: once.
    let issue = path("clinic-lijia", "2025-03", "/issue");
    let (a, b) = tokio::join!(
        post(&s, &reviewer, &issue, Value::Null),
        post(&s, &reviewer, &issue, Value::Null)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let (issued, refused) = if a.0 == StatusCode::OK {
        (a.1, b.1)
    } else {
        (b.1, a.1)
    };
    assert_eq!(refused["code"], "already_issued", "{refused}");
    assert!(refused["message_zh"].as_str().unwrap().contains("已出具"));
    assert_eq!(issued["state"], "issued");
    assert_eq!(issued["issued_by"], "覃明（两江镇医保服务站审核员）");
    assert_eq!(money(&issued["totals"]["cash_handed_in"]), m("500.00"));
    assert_eq!(
        signed(&issued["totals"]["net_payable"]),
        fund - m("280.00").into()
    );
    assert_eq!(issued["lines"], draft["lines"]);
    assert_eq!(
        s.count("SELECT COUNT(*) FROM statements").await,
        1,
        "issued once"
    );

    // After issue: a March visit synced late, the pending claim approved, the flagged one
    // rejected. March stays as issued; April's draft takes them.
    let (lijia, _) = s.sign_in("lijia").await;
    let pushed = s
        .push_ok(&lijia, &[claim(1, "c-late", &person(1), day(3, 28), "")])
        .await;
    assert_eq!(pushed["results"][0]["status"], "applied", "{pushed}");
    decide(&s, &reviewer, "c-pending", "approve").await;
    decide(&s, &reviewer, "c-flagged", "reject").await;
    let (_, again) = get(&s, &reviewer, &path("clinic-lijia", "2025-03", "")).await;
    assert_eq!(again, issued, "an issued statement never changes");
    let (_, april) = get(&s, &reviewer, &path("clinic-lijia", "2025-04", "")).await;
    assert_eq!(april["state"], "draft");
    let (late, pending) = (fund_of(&s, "c-late").await, fund_of(&s, "c-pending").await);
    let t = &april["totals"];
    assert_eq!(t["claims"], 2, "{april}");
    assert_eq!(money(&t["fund_payable"]), late + pending);
    assert_eq!(signed(&t["adjustments"]), -SignedMoney::from(flagged));
    assert_eq!(t["waiting_review"], 0);
    assert_eq!(
        (t["receipts"].as_u64(), money(&t["receipts_total"])),
        (Some(1), m("390.00"))
    );
    let carried = april["lines"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(carried["claim_id"], "c-flagged");
    assert_eq!(carried["carried"], true);
    assert_eq!(carried["status"], "rejected");
    assert_eq!(signed(&carried["payable"]), -SignedMoney::from(flagged));

    // The exports add up to the statement, to the fen.
    let rows = csv(
        &s,
        &reviewer,
        "/api/v1/township/statements.csv?month=2025-04",
        "statements-2025-04.csv",
    )
    .await;
    assert_eq!(rows[0][0], "卫生室");
    assert_eq!(rows.len(), 1 + 3, "a row per clinic of the township");
    let lijia_row = rows.iter().find(|r| r[0] == "李家村卫生室").unwrap();
    let cell = |name: &str| lijia_row[column(&rows, name)].clone();
    let amount = |name: &str| SignedMoney::parse(&cell(name)).unwrap();
    assert_eq!(cell("月份"), "2025-04");
    assert_eq!(cell("状态"), "草稿（未出具）");
    assert_eq!(cell("结算笔数"), "2");
    assert_eq!(amount("统筹应付"), SignedMoney::from(late + pending));
    assert_eq!(amount("调整金额"), signed(&t["adjustments"]));
    assert_eq!(
        amount("应付净额"),
        amount("统筹应付") + amount("调整金额")
            - (amount("收费金额") - amount("退费金额") - amount("已解缴"))
    );
    assert_eq!(amount("应付净额"), signed(&t["net_payable"]));
    let lines = csv(
        &s,
        &reviewer,
        &path("clinic-lijia", "2025-04", "/lines.csv"),
        "statement-clinic-lijia-2025-04.csv",
    )
    .await;
    assert_eq!(lines.len(), 1 + 3);
    let payable = column(&lines, "本单应付");
    let sum: SignedMoney = lines[1..]
        .iter()
        .map(|r| SignedMoney::parse(&r[payable]).unwrap())
        .sum();
    assert_eq!(
        sum,
        SignedMoney::from(late + pending) + signed(&t["adjustments"])
    );
    let last = lines.last().unwrap();
    assert_eq!(last[column(&lines, "状态")], "审核未通过");
    assert_eq!(last[column(&lines, "类别")], "以前月份调整");
    assert!(last[column(&lines, "参保人身份证号")].contains('*'));
    // March's lines as issued sum to its fund payable.
    let march_lines = csv(
        &s,
        &reviewer,
        &path("clinic-lijia", "2025-03", "/lines.csv"),
        "statement-clinic-lijia-2025-03.csv",
    )
    .await;
    let sum: SignedMoney = march_lines[1..]
        .iter()
        .map(|r| SignedMoney::parse(&r[payable]).unwrap())
        .sum();
    assert_eq!(sum, fund);

    // April issued: nothing is left to carry; March cannot be issued again, nor February
    // after it, nor a month to come.
    let (status, _) = post(
        &s,
        &reviewer,
        &path("clinic-lijia", "2025-04", "/issue"),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, may) = get(&s, &reviewer, &path("clinic-lijia", "2025-05", "")).await;
    assert_eq!(may["lines"], json!([]));
    assert_eq!(signed(&may["totals"]["net_payable"]), SignedMoney::ZERO);
    let (status, body) = post(
        &s,
        &reviewer,
        &path("clinic-lijia", "2025-02", "/issue"),
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("later_month_issued"))
    );
    let next = today().checked_add_months(chrono::Months::new(1)).unwrap();
    let future = cunbao_domain::statement::month_of(next);
    let (status, body) = post(
        &s,
        &reviewer,
        &path("clinic-lijia", &future, "/issue"),
        Value::Null,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("future_month"))
    );
    // Every issue is audited.
    assert_eq!(
        s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'statement_issued'")
            .await,
        2
    );
}

async fn a_statement_is_paid_only_once_issued(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (admin, _) = s.sign_in("admin").await;
    let paid = path("clinic-daping", "2025-03", "/paid");
    let payment = json!({ "paid_on": day(4, 15), "payment_reference": "ZZ20250415001" });
    let (status, body) = post(&s, &admin, &paid, payment.clone()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_issued")),
        "{body}"
    );
    let (status, _) = post(
        &s,
        &admin,
        &path("clinic-daping", "2025-03", "/issue"),
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for bad in [
        json!({ "paid_on": day(4, 15), "payment_reference": "" }),
        json!({ "paid_on": day(4, 15), "payment_reference": "x".repeat(65) }),
        json!({ "paid_on": day(4, 15), "payment_reference": "ZZ\u{0}1" }),
        json!({ "paid_on": today() + Days::new(1), "payment_reference": "ZZ1" }),
    ] {
        let (status, body) = post(&s, &admin, &paid, bad.clone()).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_payment")),
            "{bad}"
        );
    }
    let (status, statement) = post(&s, &admin, &paid, payment.clone()).await;
    assert_eq!(status, StatusCode::OK, "{statement}");
    assert_eq!(statement["state"], "paid");
    assert_eq!(statement["paid_on"], "2025-04-15");
    assert_eq!(statement["payment_reference"], "ZZ20250415001");
    // Sent twice: the same answer; another payment: refused.
    let (status, again) = post(&s, &admin, &paid, payment).await;
    assert_eq!((status, &again), (StatusCode::OK, &statement));
    let other = json!({ "paid_on": day(4, 16), "payment_reference": "ZZ2" });
    let (status, body) = post(&s, &admin, &paid, other).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_paid"))
    );
    let (_, list) = get(&s, &admin, "/api/v1/township/statements?month=2025-03").await;
    let daping = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["clinic_id"] == "clinic-daping")
        .unwrap();
    assert_eq!(daping["state"], "paid");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'statement_paid'")
            .await,
        1
    );
}

async fn hand_ins_close_the_cash_gap(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (lijia, _) = s.sign_in("lijia").await;
    let enrolled = NaiveDate::from_ymd_opt(2024, 10, 10).unwrap();
    s.push_ok(
        &lijia,
        &[
            common::enrolment_on(1, "e-1", &person(1), POLICY, 2025, enrolled),
            contribution(2, "k-1", "e-1", today() - Days::new(3)),
            contribution(3, "k-2", "e-1", today()),
        ],
    )
    .await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    let (status, list) = get(&s, &reviewer, "/api/v1/township/cash").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        list.as_array().unwrap().len(),
        3,
        "every clinic of the township"
    );
    let standing = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clinic_id"] == "clinic-lijia")
        .unwrap();
    assert_eq!(standing["receipts"], 2);
    assert_eq!(money(&standing["receipts_total"]), m("780.00"));
    assert_eq!(signed(&standing["gap"]), m("780.00").into());
    let (status, after) = hand_in(
        &s,
        &reviewer,
        "clinic-lijia",
        "500.00",
        today() - Days::new(1),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(signed(&after["gap"]), m("280.00").into());
    let (status, closed) = hand_in(&s, &reviewer, "clinic-lijia", "280", today()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(money(&closed["handed_in"]), m("780.00"));
    assert_eq!(signed(&closed["gap"]), SignedMoney::ZERO, "closed");
    let hand_ins = closed["hand_ins"].as_array().unwrap();
    assert_eq!(hand_ins.len(), 2);
    assert_eq!(hand_ins[0]["amount"], "280.00", "newest first");
    assert_eq!(hand_ins[0]["receipts_covered"], "R-k-1 至 R-k-2");
    assert_eq!(hand_ins[0]["recorded_by"], "覃明（两江镇医保服务站审核员）");
    // The clinic sees what the township confirmed; another clinic sees its own.
    let (status, own) = get(&s, &lijia, "/api/v1/clinic/cash").await;
    assert_eq!((status, &own), (StatusCode::OK, &closed));
    let (daping, _) = s.sign_in("daping").await;
    let (_, theirs) = get(&s, &daping, "/api/v1/clinic/cash").await;
    assert_eq!(
        (theirs["clinic_id"].as_str(), theirs["receipts"].as_u64()),
        (Some("clinic-daping"), Some(0))
    );
    assert_eq!(
        s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'cash_handed_in'")
            .await,
        2
    );
}

async fn clinics_are_refused_and_other_townships_see_nothing(backend: Backend) {
    let s = TestServer::start(backend).await;
    march(&s).await;
    let (lijia, _) = s.sign_in("lijia").await;
    let (elsewhere, _) = s.sign_in("shanhe-review").await;
    let payment = json!({ "paid_on": day(4, 15), "payment_reference": "ZZ1" });
    let cash = json!({ "clinic_id": "clinic-lijia", "amount": "1.00", "received_on": day(4, 1),
                       "receipts_covered": "R-1" });
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::GET,
            "/api/v1/township/statements?month=2025-03".into(),
            None,
        ),
        (
            Method::GET,
            "/api/v1/township/statements.csv?month=2025-03".into(),
            None,
        ),
        (Method::GET, path("clinic-lijia", "2025-03", ""), None),
        (
            Method::GET,
            path("clinic-lijia", "2025-03", "/lines.csv"),
            None,
        ),
        (
            Method::POST,
            path("clinic-lijia", "2025-03", "/issue"),
            None,
        ),
        (
            Method::POST,
            path("clinic-lijia", "2025-03", "/paid"),
            Some(payment),
        ),
        (Method::POST, "/api/v1/township/cash".into(), Some(cash)),
        (Method::GET, "/api/v1/township/cash".into(), None),
    ];
    for (method, uri, body) in &calls {
        let (status, answer) = s
            .call(method.clone(), uri, Some(&lijia), body.clone())
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri}: {answer}");
        let (status, answer) = s
            .call(method.clone(), uri, Some(&elsewhere), body.clone())
            .await;
        assert!(!answer.to_string().contains("李家村"), "{uri}: {answer}");
        if uri.contains("clinic-lijia") || body.is_some() {
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {uri}: {answer}");
            assert_eq!(answer["code"], "unknown_clinic");
        } else {
            assert_eq!(status, StatusCode::OK, "{uri}");
        }
    }
    // Their lists hold their own clinic only.
    let (_, list) = get(&s, &elsewhere, "/api/v1/township/statements?month=2025-03").await;
    let clinics: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clinic_id"].as_str().unwrap())
        .collect();
    assert_eq!(clinics, ["clinic-shanhe1"]);
    let (_, cash) = get(&s, &elsewhere, "/api/v1/township/cash").await;
    assert_eq!(cash.as_array().unwrap().len(), 1);
    assert_eq!(cash[0]["clinic_id"], "clinic-shanhe1");
    let (_, _, text) = s
        .get_text("/api/v1/township/statements.csv?month=2025-03", &elsewhere)
        .await;
    assert!(!text.contains("李家村") && text.contains("山河村卫生室"));
    // Township staff have no clinic cash of their own.
    let (status, _) = get(&s, &elsewhere, "/api/v1/clinic/cash").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nothing was issued, paid or handed in.
    assert_eq!(s.count("SELECT COUNT(*) FROM statements").await, 0);
    assert_eq!(s.count("SELECT COUNT(*) FROM cash_hand_ins").await, 0);
}

async fn crafted_inputs_are_refused_with_a_code(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (reviewer, _) = s.sign_in("shenhe").await;
    for month in [
        "2025-13",
        "2025-3",
        "25-03",
        "2025-03-01",
        "x",
        "1999-12",
        "2025-00",
    ] {
        for uri in [
            format!("/api/v1/township/statements?month={month}"),
            format!("/api/v1/township/statements.csv?month={month}"),
            path("clinic-lijia", month, ""),
            path("clinic-lijia", month, "/lines.csv"),
        ] {
            let (status, body) = get(&s, &reviewer, &uri).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (StatusCode::BAD_REQUEST, Some("bad_month")),
                "{uri}"
            );
        }
        let (status, body) = post(
            &s,
            &reviewer,
            &path("clinic-lijia", month, "/issue"),
            Value::Null,
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_month")),
            "{month}"
        );
    }
    let (status, body) = get(&s, &reviewer, "/api/v1/township/statements").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_query"))
    );
    let long = "c".repeat(65);
    for clinic in ["a%20b", "clinic-lijia%27--", long.as_str()] {
        let (status, body) = get(&s, &reviewer, &path(clinic, "2025-03", "")).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_clinic")),
            "{clinic}"
        );
    }
    let (status, body) = get(&s, &reviewer, &path("%FF%FE", "2025-03", "")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_path"))
    );
    let (status, body) = get(&s, &reviewer, &path("no-such-clinic", "2025-03", "")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_clinic"))
    );
    let yesterday = today() - Days::new(1);
    let hand_in = |amount: Value, on: NaiveDate, receipts: String| {
        json!({ "clinic_id": "clinic-lijia", "amount": amount, "received_on": on,
                "receipts_covered": receipts })
    };
    let ok = || "R-1".to_string();
    for (body, code) in [
        (hand_in(json!("0"), yesterday, ok()), "bad_amount"),
        (hand_in(json!("0.00"), yesterday, ok()), "bad_amount"),
        (hand_in(json!("1000000.01"), yesterday, ok()), "bad_amount"),
        (hand_in(json!("-5.00"), yesterday, ok()), "invalid_fields"),
        (hand_in(json!(12.5), yesterday, ok()), "invalid_fields"),
        (hand_in(json!("12.505"), yesterday, ok()), "invalid_fields"),
        (hand_in(json!("1e3"), yesterday, ok()), "invalid_fields"),
        (
            hand_in(json!("10"), today() + Days::new(1), ok()),
            "bad_date",
        ),
        (
            hand_in(json!("10"), yesterday, "收".repeat(201)),
            "bad_receipts",
        ),
        (hand_in(json!("10"), yesterday, "  ".into()), "bad_receipts"),
        (
            hand_in(json!("10"), yesterday, "R-1\nR-2".into()),
            "bad_receipts",
        ),
        (
            json!({ "clinic_id": "clinic-lijia", "amount": "10", "received_on": yesterday,
                    "receipts_covered": "R-1", "extra": 1 }),
            "invalid_fields",
        ),
        (
            json!({ "clinic_id": "x".repeat(65), "amount": "10", "received_on": yesterday,
                    "receipts_covered": "R-1" }),
            "bad_clinic",
        ),
    ] {
        let (status, answer) = post(&s, &reviewer, "/api/v1/township/cash", body.clone()).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{body}: {answer}"
        );
        assert!(answer["message_zh"].as_str().is_some_and(|t| !t.is_empty()));
    }
    let unknown = json!({ "clinic_id": "no-such-clinic", "amount": "10", "received_on": yesterday,
                          "receipts_covered": "R-1" });
    let (status, answer) = post(&s, &reviewer, "/api/v1/township/cash", unknown).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_clinic"))
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM cash_hand_ins").await, 0);
}

on_both_databases!(
    a_draft_adds_up_and_issuing_freezes_it,
    a_statement_is_paid_only_once_issued,
    hand_ins_close_the_cash_gap,
    clinics_are_refused_and_other_townships_see_nothing,
    crafted_inputs_are_refused_with_a_code,
);
