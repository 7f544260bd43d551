//! Who did it: every mutation names the user who made it on the tablet (its operator), who
//! must be a user of the pushing device's clinic; records, the feed and the audit carry them,
//! and cash is credited to its collector, whoever pushed it. Against SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{Backend, TestServer};
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::sync::{Mutation, MutationBody, Operator};
use serde_json::{json, Value};
use sqlx::Row;

const POLICY: &str = "county-sample-2025.1";

fn person(n: u16) -> IdNumber {
    compose("450324", NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(), n)
}

fn by(username: &str, display_name: &str) -> Option<Operator> {
    Some(Operator {
        username: username.into(),
        display_name: display_name.into(),
    })
}

fn enrolment(seq: u64, record: &str, id: &IdNumber, operator: Option<Operator>) -> Mutation {
    let on = NaiveDate::from_ymd_opt(2024, 11, 5).unwrap();
    Mutation {
        operator,
        ..common::enrolment_on(seq, record, id, POLICY, 2025, on)
    }
}

fn contribution(seq: u64, record: &str, enrolment: &str, operator: Option<Operator>) -> Mutation {
    Mutation {
        seq,
        record_id: record.into(),
        operator,
        body: MutationBody::Contribution {
            receipt_no: format!("R-{record}"),
            household_id: "hh".into(),
            enrolment_ids: vec![enrolment.to_string()],
            amount: cunbao_domain::money::Money::yuan(390),
            collected_on: NaiveDate::from_ymd_opt(2024, 11, 5).unwrap(),
        },
    }
}

fn results(body: &Value) -> Vec<(String, String)> {
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

fn applied(n: usize) -> Vec<(String, String)> {
    vec![("applied".to_string(), String::new()); n]
}

async fn record_data(s: &TestServer, id: &str) -> Option<Value> {
    sqlx::query_scalar::<_, String>("SELECT data FROM records WHERE id = $1")
        .bind(id)
        .fetch_optional(&s.state.db)
        .await
        .unwrap()
        .map(|data| serde_json::from_str(&data).unwrap())
}

/// The audit entry of the push of `record`: the user it names and its detail.
async fn push_audit(s: &TestServer, record: &str, action: &str) -> (String, Value) {
    let row =
        sqlx::query("SELECT username, detail FROM audit_log WHERE subject = $1 AND action = $2")
            .bind(record)
            .bind(action)
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    let detail: String = row.try_get("detail").unwrap();
    (
        row.try_get("username").unwrap(),
        serde_json::from_str(&detail).unwrap(),
    )
}

async fn pull(s: &TestServer, token: &str) -> Vec<Value> {
    let (status, body) = s
        .call(
            Method::GET,
            "/api/v1/sync/pull?after=0&limit=1000",
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["changes"].as_array().unwrap().clone()
}

/// The second assistant of the clinic pushes what the first made on the shared tablet: the
/// records, the feed and the audit name the first as operator (as the server names them), the
/// second as the device's user.
async fn the_operator_is_recorded_and_credited(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (pusher, pusher_device) = s.sign_in("lijia2").await;
    let (other_tablet, _) = s.sign_in("lijia").await;
    let body = s
        .push_ok(
            &pusher,
            &[
                // The tablet knew her by a shorter name; the server names her as it knows her.
                enrolment(1, "e-1", &person(1), by("lijia", "王秀兰")),
                contribution(2, "c-1", "e-1", by("lijia", "王秀兰")),
                contribution(3, "c-2", "e-1", by("lijia2", "韦春燕（李家村卫生室）")),
            ],
        )
        .await;
    assert_eq!(results(&body), applied(3), "{body}");
    let lijia = json!({ "username": "lijia", "display_name": "王秀兰（李家村卫生室）" });
    assert_eq!(record_data(&s, "e-1").await.unwrap()["operator"], lijia);
    assert_eq!(record_data(&s, "c-1").await.unwrap()["operator"], lijia);
    assert_eq!(
        record_data(&s, "c-2").await.unwrap()["operator"]["username"],
        "lijia2"
    );
    let (user, detail) = push_audit(&s, "c-1", "contribution").await;
    assert_eq!(user, "lijia2", "the audit entry's user is the pusher");
    assert_eq!(detail["operator"], "lijia");
    assert!(detail.get("operator_from").is_none(), "{detail}");
    let device: String =
        sqlx::query_scalar("SELECT device_id FROM audit_log WHERE subject = 'c-1'")
            .fetch_one(&s.state.db)
            .await
            .unwrap();
    assert_eq!(device, pusher_device);
    // The clinic's other tablet hears who collected the cash and who enrolled the person.
    let changes = pull(&s, &other_tablet).await;
    let about = |id: &str, entity: &str| {
        changes
            .iter()
            .find(|c| c["id"] == id && c["entity"] == entity)
            .unwrap_or_else(|| panic!("no {entity} {id} in {changes:?}"))["data"]
            .clone()
    };
    assert_eq!(about("c-1", "contribution")["operator"], lijia);
    assert_eq!(about("e-1", "enrolment")["operator"], lijia);
    assert_eq!(
        about("c-2", "contribution")["operator"]["username"],
        "lijia2"
    );
}

/// An operator of another clinic, of the township's staff, of another township or of nobody
/// is refused with the same code and words; nothing is recorded; the rest of the batch is
/// applied.
async fn an_operator_not_of_the_clinic_is_refused(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let strangers = ["daping", "shenhe", "admin", "shanhe1", "nobody"];
    let mut batch: Vec<Mutation> = strangers
        .iter()
        .enumerate()
        .map(|(n, who)| {
            enrolment(
                n as u64 + 1,
                &format!("e-{who}"),
                &person(n as u16 + 1),
                by(who, "某人"),
            )
        })
        .collect();
    batch.push(enrolment(6, "e-ok", &person(9), by("lijia", "王秀兰")));
    let body = s.push_ok(&token, &batch).await;
    let mut expected = vec![("rejected".to_string(), "operator_not_of_clinic".to_string()); 5];
    expected.extend(applied(1));
    assert_eq!(results(&body), expected, "{body}");
    let answers = body["results"].as_array().unwrap();
    // Whether the user exists elsewhere is not told.
    let words = |n: usize| {
        answers[n]["message_en"]
            .as_str()
            .unwrap()
            .replace(strangers[n], "?")
    };
    assert_eq!(words(0), words(4));
    assert!(answers[0]["message_zh"]
        .as_str()
        .unwrap()
        .contains("不是本卫生室的用户"));
    for who in strangers {
        assert!(
            record_data(&s, &format!("e-{who}")).await.is_none(),
            "{who}"
        );
        let (user, detail) = push_audit(&s, &format!("e-{who}"), "enrolment").await;
        assert_eq!(user, "lijia");
        assert_eq!(detail["operator"], who);
        assert_eq!(detail["code"], "operator_not_of_clinic");
    }
    assert!(record_data(&s, "e-ok").await.is_some());
    assert_eq!(body["last_applied_seq"], 6);
}

/// A tablet older than operators sends none: the pusher stands in, and the audit says so.
async fn a_mutation_without_an_operator_is_the_pushers(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia2").await;
    let body = s
        .push_ok(
            &token,
            &[
                enrolment(1, "e-1", &person(1), None),
                contribution(2, "c-1", "e-1", None),
            ],
        )
        .await;
    assert_eq!(results(&body), applied(2), "{body}");
    assert_eq!(
        record_data(&s, "c-1").await.unwrap()["operator"],
        json!({ "username": "lijia2", "display_name": "韦春燕（李家村卫生室）" })
    );
    let (user, detail) = push_audit(&s, "c-1", "contribution").await;
    assert_eq!(user, "lijia2");
    assert_eq!(detail["operator"], "lijia2");
    assert_eq!(detail["operator_from"], "pusher");
}

/// An operator no tablet would send is refused when the batch is read, on its own.
async fn a_crafted_operator_is_refused_by_reading(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let good =
        serde_json::to_value(enrolment(1, "e-1", &person(1), by("lijia", "王秀兰"))).unwrap();
    let with = |seq: u64, operator: Value| {
        let mut m =
            serde_json::to_value(contribution(seq, &format!("c-{seq}"), "e-1", None)).unwrap();
        m["operator"] = operator;
        m
    };
    let crafted = [
        json!({ "username": "a".repeat(65), "display_name": "王秀兰" }),
        json!({ "username": "lijia' OR '1'='1", "display_name": "王秀兰" }),
        json!({ "username": "lijia", "display_name": "王".repeat(51) }),
        json!({ "username": "lijia", "display_name": "王\u{0}秀兰" }),
        json!({ "username": "lijia", "display_name": "王秀兰", "role": "administrator" }),
        json!("lijia"),
    ];
    let mut mutations = vec![good];
    mutations.extend(
        crafted
            .iter()
            .enumerate()
            .map(|(n, op)| with(n as u64 + 2, op.clone())),
    );
    mutations.push(with(
        8,
        json!({ "username": "lijia", "display_name": "王秀兰" }),
    ));
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/sync/push",
            Some(&token),
            Some(json!({ "mutations": mutations })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut expected = applied(1);
    expected.extend(vec![
        ("rejected".to_string(), "bad_operator".to_string());
        crafted.len()
    ]);
    expected.extend(applied(1));
    assert_eq!(results(&body), expected, "{body}");
    assert!(record_data(&s, "c-2").await.is_none());
    assert!(record_data(&s, "c-8").await.is_some());
}

on_both_databases!(
    the_operator_is_recorded_and_credited,
    an_operator_not_of_the_clinic_is_refused,
    a_mutation_without_an_operator_is_the_pushers,
    a_crafted_operator_is_refused_by_reading,
);
