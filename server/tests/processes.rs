//! Two server processes on one PostgreSQL database (two server states, each with its own
//! connection pool, as two processes behind a load balancer have; nothing shared in memory):
//! the same batch sent through both at once is applied once; two claims of one person settled
//! through both at the same moment never pay past the annual cap; many devices pushing through
//! both while the township pulls through both: every change seen exactly once, no 5xx; a
//! publication approved through both at once is published once, and both are answered approved.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{request, Backend, TestServer};
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::money::Money;
use cunbao_domain::names::ItemCode;
use cunbao_domain::policy::Policy;
use cunbao_domain::quantity::Quantity;
use cunbao_domain::sample;
use cunbao_domain::settlement::{Accumulators, LineInput};
use cunbao_domain::sync::Mutation;
use cunbao_server::client::ClientFiles;
use cunbao_server::{db, AppState};
use serde_json::{json, Value};

async fn second_process(s: &TestServer) -> AppState {
    let pool = db::open(&s.url).await.unwrap();
    AppState::load(pool, ClientFiles::default()).await.unwrap()
}

async fn push(state: &AppState, token: &str, mutations: &[Mutation]) -> (StatusCode, Value) {
    request(
        state,
        "POST",
        "/api/v1/sync/push",
        Some(token),
        Some(json!({ "mutations": mutations }).to_string()),
    )
    .await
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

/// Eleven examinations, 385.00 in policy: past the deductible, the fund pays 192.50 — just
/// within the offline limit.
fn examinations() -> Vec<LineInput> {
    let catalogue = sample::catalogue();
    sample::CHECK_UP
        .into_iter()
        .map(|code| {
            let item = catalogue.get(&ItemCode::parse(code).unwrap()).unwrap();
            LineInput::from_item(item, Quantity::whole(1))
        })
        .collect()
}

fn visit(seq: u64, record: &str, who: &IdNumber, date: NaiveDate) -> Mutation {
    Mutation {
        seq,
        record_id: record.into(),
        operator: None,
        body: sample::general_outpatient_claim(
            &Policy::sample_2025(),
            &sample::catalogue().version,
            who.clone(),
            date,
            examinations(),
            Accumulators::default(),
        ),
    }
}

async fn sign_in(state: &AppState, username: &str) -> String {
    let (status, body) = request(
        state,
        "POST",
        "/api/v1/auth/sign-in",
        None,
        Some(
            json!({ "username": username, "password": cunbao_server::seed::SAMPLE_PASSWORD,
                    "device_name": format!("{username} 平板") })
            .to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_same_batch_through_two_processes_is_applied_once() {
    let s = TestServer::start(Backend::Postgres).await;
    let other = second_process(&s).await;
    let token = sign_in(&s.state, "lijia").await;
    let who = compose("450324", NaiveDate::from_ymd_opt(1960, 1, 1).unwrap(), 1);
    let batch = [
        common::enrolment_on(
            1,
            "e-1",
            &who,
            "county-sample-2025.1",
            2025,
            NaiveDate::from_ymd_opt(2024, 10, 10).unwrap(),
        ),
        visit(2, "k-1", &who, day(3, 3)),
    ];
    for _ in 0..5 {
        let ((a, first), (b, second)) =
            tokio::join!(push(&s.state, &token, &batch), push(&other, &token, &batch));
        assert_eq!((a, b), (StatusCode::OK, StatusCode::OK), "{first} {second}");
    }
    assert_eq!(s.count("SELECT COUNT(*) FROM mutations").await, 2);
    assert_eq!(
        s.count("SELECT COUNT(*) FROM records WHERE kind = 'claim'")
            .await,
        1
    );
}

#[tokio::test]
async fn two_claims_at_the_same_moment_never_pay_past_the_annual_cap() {
    let s = TestServer::start(Backend::Postgres).await;
    let other = second_process(&s).await;
    let first = sign_in(&s.state, "lijia").await;
    let second = sign_in(&other, "lijia").await;
    // Several people, so that the race has its chances; for each the answer is exact.
    let (mut seq_a, mut seq_b) = (0, 0);
    for p in 0..6u16 {
        let who = compose(
            "450324",
            NaiveDate::from_ymd_opt(1961, 2, 2).unwrap(),
            p + 1,
        );
        // Ten visits: 42.50 (the deductible taken first) + 9 × 192.50 = 1,775.00 paid.
        seq_a += 1;
        let mut earlier = vec![common::enrolment_on(
            seq_a,
            &format!("e-{p}"),
            &who,
            "county-sample-2025.1",
            2025,
            NaiveDate::from_ymd_opt(2024, 10, 10).unwrap(),
        )];
        for i in 0..10 {
            seq_a += 1;
            earlier.push(visit(seq_a, &format!("k-{p}-{i}"), &who, day(1, 5 + i)));
        }
        let (status, body) = push(&s.state, &first, &earlier).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Two more at the same moment through the two processes: 225.00 is left.
        seq_a += 1;
        seq_b += 1;
        let at_a = [visit(seq_a, &format!("k-{p}-a"), &who, day(2, 1))];
        let at_b = [visit(seq_b, &format!("k-{p}-b"), &who, day(2, 2))];
        let ((a, one), (b, two)) =
            tokio::join!(push(&s.state, &first, &at_a), push(&other, &second, &at_b));
        assert_eq!((a, b), (StatusCode::OK, StatusCode::OK), "{one} {two}");
        let funds: Vec<String> =
            sqlx::query_scalar("SELECT data FROM records WHERE kind = 'claim' AND person = $1")
                .bind(who.as_str())
                .fetch_all(&s.state.db)
                .await
                .unwrap();
        let paid: Money = funds
            .iter()
            .map(|d| {
                let v: Value = serde_json::from_str(d).unwrap();
                Money::parse(v["server_settlement"]["fund"].as_str().unwrap()).unwrap()
            })
            .sum();
        assert_eq!(
            paid,
            Money::yuan(2_000),
            "person {p}: the annual cap, exactly"
        );
    }
}

#[tokio::test]
async fn many_devices_through_two_processes_and_the_township_sees_every_change_once() {
    let s = TestServer::start(Backend::Postgres).await;
    let other = second_process(&s).await;
    let states = [&s.state, &other];
    let mut tokens = Vec::new();
    for (i, user) in ["lijia", "daping", "shimen", "lijia"]
        .into_iter()
        .enumerate()
    {
        tokens.push(sign_in(states[i % 2], user).await);
    }
    let township = sign_in(&s.state, "shenhe").await;
    const BATCHES: u64 = 6;
    const PER_BATCH: u64 = 20;
    let device = |d: usize| {
        let (states, tokens) = (states, &tokens);
        async move {
            for b in 0..BATCHES {
                let batch: Vec<Mutation> = (0..PER_BATCH)
                    .map(|i| {
                        let seq = b * PER_BATCH + i + 1;
                        // A birth year per device: the people are all different.
                        let born = NaiveDate::from_ymd_opt(1970 + d as i32, 1, 1).unwrap();
                        let who = compose("450325", born, seq as u16);
                        common::enrolment_on(
                            seq,
                            &format!("d{d}-{seq}"),
                            &who,
                            "county-sample-2025.1",
                            2025,
                            day(1, 3),
                        )
                    })
                    .collect();
                // Alternate processes, as a load balancer would.
                let (status, body) = push(states[(d + b as usize) % 2], &tokens[d], &batch).await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
        }
    };
    let puller = async {
        let mut seen = std::collections::HashSet::new();
        let mut after = 0u64;
        let expected = 4 * BATCHES * PER_BATCH;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        for round in 0.. {
            // A change skipped for good would leave the puller waiting: fail instead.
            assert!(
                std::time::Instant::now() < deadline,
                "the township saw {} of {expected} changes",
                seen.len()
            );
            let (status, page) = request(
                states[round % 2],
                "GET",
                &format!("/api/v1/sync/pull?after={after}&limit=50"),
                Some(&township),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            for change in page["changes"].as_array().unwrap() {
                let cursor = change["cursor"].as_u64().unwrap();
                assert!(seen.insert(cursor), "change {cursor} seen twice");
            }
            after = page["cursor"].as_u64().unwrap();
            if seen.len() as u64 >= expected {
                return seen;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        unreachable!()
    };
    let (_, _, _, _, seen) = tokio::join!(device(0), device(1), device(2), device(3), puller);
    // Cursors 1..=N, each once: handed out in commit order, none lost, none repeated.
    let mut cursors: Vec<u64> = seen.into_iter().collect();
    cursors.sort_unstable();
    assert_eq!(cursors, (1..=4 * BATCHES * PER_BATCH).collect::<Vec<_>>());
    assert_eq!(
        s.count("SELECT COUNT(*) FROM changes").await,
        (4 * BATCHES * PER_BATCH) as i64
    );
}

/// The township's decisions through two processes at the same moment: a review decision, a
/// second person's approval, a statement issued and a month's draw are each applied once; the
/// other process answers as the first one left it.
#[tokio::test]
async fn township_decisions_through_two_processes_are_applied_once() {
    use common::claims::{claim, person, POLICY};
    let s = TestServer::start(Backend::Postgres).await;
    let other = second_process(&s).await;
    let lijia = sign_in(&s.state, "lijia").await;
    let enrolled = NaiveDate::from_ymd_opt(2024, 10, 10).unwrap();
    let mut batch = vec![common::enrolment_on(
        1,
        "e-1",
        &person(1),
        POLICY,
        2025,
        enrolled,
    )];
    for n in 0..4u32 {
        batch.push(claim(
            u64::from(n) + 2,
            &format!("c-{n}"),
            &person(1),
            day(3, 1 + n),
            "",
        ));
    }
    batch.push(claim(6, "c-flagged", &person(1), day(3, 9), "flagged"));
    batch.push(Mutation {
        seq: 7,
        record_id: "vp-1".into(),
        operator: None,
        body: cunbao_domain::sync::MutationBody::VoidProposal {
            claim_id: "c-3".into(),
            reason: "重复录入".into(),
        },
    });
    let (status, body) = push(&s.state, &lijia, &batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reviewer = sign_in(&s.state, "shenhe").await;
    let both = |path: &'static str, body: Value| {
        let (a, b, token) = (s.state.clone(), other.clone(), reviewer.clone());
        async move {
            let body = body.to_string();
            let (first, second) = tokio::join!(
                request(&a, "POST", path, Some(&token), Some(body.clone())),
                request(&b, "POST", path, Some(&token), Some(body)),
            );
            [first, second]
        }
    };

    let answers = both(
        "/api/v1/township/review/decisions",
        json!({ "claims": ["c-flagged"], "decision": "reject", "reason": "over_quantity" }),
    )
    .await;
    let mut outcomes: Vec<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, StatusCode::OK, "{body}");
            body["results"][0]["outcome"].as_str().unwrap().to_string()
        })
        .collect();
    outcomes.sort();
    assert_eq!(outcomes, ["decided", "unchanged"]);

    let answers = both(
        "/api/v1/township/proposals/vp-1/decision",
        json!({ "decision": "approve" }),
    )
    .await;
    let mut outcomes: Vec<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, StatusCode::OK, "{body}");
            body["outcome"].as_str().unwrap().to_string()
        })
        .collect();
    outcomes.sort();
    assert_eq!(outcomes, ["decided", "unchanged"]);
    assert_eq!(s.status_of("c-3").await, "void");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM changes WHERE entity = 'proposal_decided'")
            .await,
        1
    );

    for path in [
        "/api/v1/township/statements/clinic-lijia/2025-03/issue",
        "/api/v1/township/sampling/clinic-lijia/2025-03/draw",
    ] {
        let mut statuses: Vec<u16> = both(path, json!({}))
            .await
            .iter()
            .map(|(status, _)| status.as_u16())
            .collect();
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{path}");
    }
    assert_eq!(s.count("SELECT COUNT(*) FROM statements").await, 1);
    assert_eq!(s.count("SELECT COUNT(*) FROM samplings").await, 1);
    assert_eq!(
        s.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('claim_decision', 'proposal_decision', 'statement_issued', 'sampling_drawn')")
            .await,
        5,
        "the rejection, the approval and the void of its claim, the issue, the draw"
    );
}

#[tokio::test]
async fn a_publication_approved_through_two_processes_is_published_once() {
    let s = TestServer::start(Backend::Postgres).await;
    let other = second_process(&s).await;
    let reviewer = sign_in(&s.state, "shenhe").await;
    let admin = sign_in(&s.state, "admin").await;
    let mut policy = serde_json::to_value(Policy::sample_for(2027)).unwrap();
    policy["version"] = "county-2027.7".into();
    let (status, proposed) = request(
        &s.state,
        "POST",
        "/api/v1/publish/policy",
        Some(&reviewer),
        Some(json!({ "policy": policy }).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{proposed}");
    let path = format!(
        "/api/v1/publish/proposals/{}/decision",
        proposed["proposal_id"].as_str().unwrap()
    );
    let body = json!({ "decision": "approve" }).to_string();
    let (first, second) = tokio::join!(
        request(&s.state, "POST", &path, Some(&admin), Some(body.clone())),
        request(&other, "POST", &path, Some(&admin), Some(body)),
    );
    for (status, answer) in [&first, &second] {
        assert_eq!(*status, StatusCode::OK, "{answer}");
        assert_eq!(answer["decided"]["state"], "approved");
    }
    assert_eq!(
        s.count("SELECT COUNT(*) FROM published_versions WHERE version = 'county-2027.7'")
            .await,
        1
    );
    assert_eq!(
        s.count("SELECT COUNT(*) FROM audit_log WHERE action = 'publish_policy' AND subject = 'county-2027.7'")
            .await,
        1
    );
}
