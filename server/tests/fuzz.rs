//! A fuzz run over what a request can carry: every kind of mutation, with one value replaced
//! by something no clinic would send (huge and negative numbers, dates at the ends of the
//! calendar, NUL and other control characters, long texts, wrong types) or a field removed,
//! pushed over HTTP; and every query parameter of the GET endpoints given such values. No
//! answer may be a 5xx, and every pushed mutation is answered applied or rejected on its own.
//! The cases are drawn by proptest from a fixed seed, so a failure is reproducible; the run
//! prints how many it tried.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{Backend, TestServer};
use cunbao_domain::id_number::compose;
use cunbao_domain::money::Money;
use cunbao_domain::policy::Policy;
use cunbao_domain::quantity::Quantity;
use cunbao_domain::sample;
use cunbao_domain::settlement::{Accumulators, LineInput};
use cunbao_domain::sync::MutationBody;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};

/// Pushed mutation cases per database, and query cases.
const PUSH_CASES: usize = 600;
const QUERY_CASES: usize = 600;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

/// One well-formed body of every kind of mutation.
fn templates() -> Vec<Value> {
    let person = compose("450324", NaiveDate::from_ymd_opt(1966, 6, 6).unwrap(), 7);
    let catalogue = sample::catalogue();
    let lines: Vec<LineInput> = catalogue.items[..2]
        .iter()
        .map(|item| LineInput::from_item(item, Quantity::whole(1)))
        .collect();
    let enrolment = common::enrolment_on(
        1,
        "e-1",
        &person,
        "county-sample-2025.1",
        2025,
        NaiveDate::from_ymd_opt(2024, 10, 10).unwrap(),
    )
    .body;
    let claim = sample::general_outpatient_claim(
        &Policy::sample_2025(),
        &catalogue.version,
        person,
        day(3, 3),
        lines,
        Accumulators::default(),
    );
    let contribution = MutationBody::Contribution {
        receipt_no: "R-1".into(),
        household_id: "hh-e-1".into(),
        enrolment_ids: vec!["e-1".into()],
        amount: Money::yuan(390),
        collected_on: day(1, 5),
    };
    let void = MutationBody::Void {
        target_record_id: "k-1".into(),
        reason: "录入错误".into(),
    };
    let mut all: Vec<Value> = [enrolment, claim, contribution, void]
        .iter()
        .map(|b| serde_json::to_value(b).unwrap())
        .collect();
    all.extend([
        json!({ "type": "stop_cover", "enrolment_id": "e-1", "from": "2025-06-01", "reason": "moved_away" }),
        json!({ "type": "correction", "enrolment_id": "e-1", "correction": { "field": "phone", "value": "13800138000" } }),
        json!({ "type": "refund_proposal", "contribution_id": "c-1", "reason": "duplicate" }),
    ]);
    all
}

/// Values no clinic would send.
fn nasty() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!("")),
        Just(json!(-1)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e308)),
        Just(json!(0.1)),
        Just(json!("0000-01-01")),
        Just(json!("9999-12-31")),
        Just(json!("1900-01-01")),
        Just(json!("2200-12-31")),
        Just(json!("+262142-12-31")),
        Just(json!("2025-02-30")),
        Just(json!("a\u{0}b")),
        Just(json!("\u{7}\u{1b}[2J")),
        Just(json!("99999999999999999999999999999")),
        Just(json!("79228162514264337593543950335")),
        Just(json!("1e9")),
        Just(json!("-0.01")),
        Just(json!("0.0000001")),
        Just(json!("100000000")),
        Just(json!("9999.9999")),
        Just(json!([])),
        Just(json!({})),
        Just(json!("长".repeat(600))),
        Just(json!("adj:k-1")),
        Just(json!("e-1")),
        any::<String>().prop_map(Value::String),
        any::<i64>().prop_map(|n| json!(n)),
        "[0-9]{1,30}(\\.[0-9]{1,12})?".prop_map(Value::String),
        "-?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}".prop_map(Value::String),
    ]
}

/// Every place in `value` a value can be replaced: paths of object keys and array indexes.
fn paths(value: &Value, here: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(here.clone());
    match value {
        Value::Object(fields) => {
            for (k, v) in fields {
                let mut next = here.clone();
                next.push(k.clone());
                paths(v, next, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let mut next = here.clone();
                next.push(i.to_string());
                paths(v, next, out);
            }
        }
        _ => {}
    }
}

fn slot<'a>(value: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(value, |v, key| match v {
        Value::Object(fields) => fields.get_mut(key).unwrap(),
        Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
        _ => unreachable!("a path goes through containers"),
    })
}

/// A template with one value replaced, or one field removed.
fn crafted() -> impl Strategy<Value = Value> {
    let all = templates();
    (
        0..all.len(),
        any::<prop::sample::Index>(),
        nasty(),
        any::<bool>(),
    )
        .prop_map(move |(kind, at, replacement, remove)| {
            let mut body = all[kind].clone();
            let mut places = Vec::new();
            paths(&body, Vec::new(), &mut places);
            let path = at.get(&places).clone();
            match path.split_last() {
                Some((key, parent)) if remove => {
                    if let Value::Object(fields) = slot(&mut body, parent) {
                        fields.remove(key);
                    }
                }
                _ => *slot(&mut body, &path) = replacement,
            }
            body
        })
}

fn draw<S: Strategy>(strategy: &S, runner: &mut TestRunner, n: usize) -> Vec<S::Value> {
    (0..n)
        .map(|_| strategy.new_tree(runner).unwrap().current())
        .collect()
}

async fn pushes_never_answer_5xx(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let mut runner = TestRunner::deterministic();
    let cases = draw(&crafted(), &mut runner, PUSH_CASES);
    let ids = prop_oneof![
        4 => "[a-z0-9._-]{1,10}",
        1 => any::<String>(),
    ];
    let record_ids = draw(&ids, &mut runner, PUSH_CASES);
    let (mut applied, mut rejected) = (0, 0);
    let mut seq = 0u64;
    // In batches of 20, as a tablet sends them.
    for (batch, chunk) in cases.chunks(20).enumerate() {
        let mutations: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, body)| {
                seq += 1;
                let n = batch * 20 + i;
                json!({ "seq": seq, "record_id": format!("{}{n}", record_ids[n]), "body": body })
            })
            .collect();
        let (status, answer) = s
            .call(
                Method::POST,
                "/api/v1/sync/push",
                Some(&token),
                Some(json!({ "mutations": mutations })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{mutations:?}: {answer}");
        for result in answer["results"].as_array().unwrap() {
            match result["status"].as_str().unwrap() {
                "applied" => applied += 1,
                "rejected" => rejected += 1,
                other => panic!("{other}: {result}"),
            }
        }
        assert_eq!(
            answer["last_applied_seq"], seq,
            "the queue moved on: {answer}"
        );
    }
    println!(
        "fuzz ({backend:?}): {PUSH_CASES} crafted mutations pushed; {applied} applied, \
         {rejected} rejected, no 5xx"
    );
}

async fn queries_never_answer_5xx(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (clinic, _) = s.sign_in("lijia").await;
    let (township, _) = s.sign_in("shenhe").await;
    let endpoints = [
        ("/api/v1/sync/pull", vec!["after", "limit"]),
        ("/api/v1/catalogue", vec!["offset", "limit"]),
        ("/api/v1/policy", vec!["version"]),
        ("/api/v1/township/records", vec!["kind"]),
        ("/api/v1/sync/handshake", vec![]),
        ("/api/v1/township/statements", vec!["month"]),
        ("/api/v1/township/statements.csv", vec!["month"]),
        ("/api/v1/township/cash", vec![]),
        ("/api/v1/clinic/cash", vec![]),
    ];
    let value = prop_oneof![
        Just("-1".to_string()),
        Just("18446744073709551615".to_string()),
        Just("18446744073709551616".to_string()),
        Just("9223372036854775807".to_string()),
        Just("1e3".to_string()),
        Just("%00".to_string()),
        Just("%FF%FE".to_string()),
        Just("claim".to_string()),
        "[0-9]{1,25}",
        "[a-z_%0-9]{0,40}",
    ];
    let mut runner = TestRunner::deterministic();
    let picks = draw(
        &(
            any::<prop::sample::Index>(),
            value.clone(),
            value,
            any::<bool>(),
        ),
        &mut runner,
        QUERY_CASES,
    );
    for (at, first, second, as_township) in picks {
        let (path, params) = at.get(&endpoints);
        let mut query: Vec<String> = params
            .iter()
            .zip([&first, &second])
            .map(|(p, v)| format!("{p}={v}"))
            .collect();
        if params.is_empty() {
            query.push(format!("unexpected={first}"));
        }
        let uri = format!("{path}?{}", query.join("&"));
        let token = if as_township { &township } else { &clinic };
        let (status, body) = s.call(Method::GET, &uri, Some(token), None).await;
        assert!(status.as_u16() < 500, "{uri}: {status} {body}");
    }
    println!("fuzz ({backend:?}): {QUERY_CASES} crafted queries, no 5xx");
}

on_both_databases!(pushes_never_answer_5xx, queries_never_answer_5xx);
