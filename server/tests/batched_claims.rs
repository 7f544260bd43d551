//! A push writes its records behind and reads its claimants ahead (`record_buffer`): the same
//! mutations pushed as one batch and one at a time must come to the same money, mutation by
//! mutation — a later claim of a person in the batch sees the earlier ones, a void in the
//! middle of the batch takes its claim out of the year's figures, an enrolment in the batch
//! entitles the claims after it. On SQLite and PostgreSQL.

mod common;

use chrono::Days;
use common::claims::{claim, day, person, POLICY};
use common::{Backend, TestServer};
use cunbao_domain::sync::{Mutation, MutationBody};
use serde_json::Value;

/// The batch: two people enrolled earlier, a third enrolled inside the batch; claims of each,
/// several of the same person; a void of the first claim, then more claims.
fn mutations() -> (Vec<Mutation>, Vec<Mutation>) {
    let (a, b, c) = (person(41), person(42), person(43));
    let enrolled = day(1, 2) - Days::new(60);
    let earlier = vec![
        common::enrolment_on(1, "e-a", &a, POLICY, 2025, enrolled),
        common::enrolment_on(2, "e-b", &b, POLICY, 2025, enrolled),
    ];
    let void = |seq: u64, target: &str| Mutation {
        seq,
        record_id: format!("v-{seq}"),
        operator: None,
        body: MutationBody::Void {
            target_record_id: target.into(),
            reason: "录错".into(),
        },
    };
    let batch = vec![
        claim(3, "k-a1", &a, day(3, 1), ""),
        claim(4, "k-a2", &a, day(3, 2), ""),
        claim(5, "k-b1", &b, day(3, 2), "flagged"),
        common::enrolment_on(6, "e-c", &c, POLICY, 2025, enrolled),
        claim(7, "k-c1", &c, day(3, 3), ""),
        void(8, "k-a1"),
        claim(9, "k-a3", &a, day(3, 4), ""),
        claim(10, "k-b2", &b, day(3, 5), ""),
        claim(11, "k-a4", &a, day(3, 6), "pending"),
        claim(12, "k-a5", &a, day(3, 7), ""),
    ];
    (earlier, batch)
}

/// Each mutation's answer (status and code) and, for a claim, the server's settlement.
async fn outcome(s: &TestServer, results: &[Value], batch: &[Mutation]) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    for (m, result) in batch.iter().zip(results) {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM records WHERE id = $1")
            .bind(&m.record_id)
            .fetch_optional(&s.state.db)
            .await
            .unwrap();
        let settlement = data
            .map(|d| serde_json::from_str::<Value>(&d).unwrap()["server_settlement"].clone())
            .unwrap_or(Value::Null);
        let answer = serde_json::json!([result["status"], result["code"]]);
        out.push((answer, settlement));
    }
    out
}

async fn one_batch_or_one_at_a_time_the_same_money(backend: Backend) {
    let (earlier, batch) = mutations();

    let together = TestServer::start(backend).await;
    let (token, _) = together.sign_in("lijia").await;
    together.push_ok(&token, &earlier).await;
    let body = together.push_ok(&token, &batch).await;
    let results = body["results"].as_array().unwrap().clone();
    let in_one = outcome(&together, &results, &batch).await;

    let apart = TestServer::start(backend).await;
    let (token, _) = apart.sign_in("lijia").await;
    apart.push_ok(&token, &earlier).await;
    let mut results = Vec::new();
    for m in &batch {
        let body = apart.push_ok(&token, std::slice::from_ref(m)).await;
        results.push(body["results"][0].clone());
    }
    let one_by_one = outcome(&apart, &results, &batch).await;

    for (i, (together, apart)) in in_one.iter().zip(&one_by_one).enumerate() {
        assert_eq!(together, apart, "mutation {} ({})", i, batch[i].record_id);
    }
    let status = |i: usize| in_one[i].0[0].as_str().unwrap().to_string();
    assert!(
        (0..batch.len()).all(|i| status(i) == "applied"),
        "{in_one:?}"
    );
    // The second claim of the batch saw the first: its year began where the first left it.
    let before = |i: usize| in_one[i].1["accumulators_before"].clone();
    let after = |i: usize| in_one[i].1["accumulators_after"].clone();
    assert_eq!(before(1), after(0));
    assert_ne!(before(1), before(0));
    // After the void, the first claim no longer counts: the third claim begins where the
    // second alone would have left the year.
    assert_ne!(before(6), after(1));
    // The person enrolled inside the batch was entitled (applied above) and settled: the
    // visit counts towards their year.
    assert_ne!(after(4), before(4));
    // A claim held for review pays nothing yet: the next one does not count it.
    assert_eq!(before(9), before(8));
    assert_eq!(together.status_of("k-a1").await, "void");
}

on_both_databases!(one_batch_or_one_at_a_time_the_same_money);
