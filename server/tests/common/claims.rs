//! Claims as the review and statement tests send them: a 2025 visit of 192.50 under the
//! shipped sample policy, honest, held for review, or priced unlike the catalogue.

use chrono::NaiveDate;
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::money::Money;
use cunbao_domain::names::ItemCode;
use cunbao_domain::policy::Policy;
use cunbao_domain::quantity::Quantity;
use cunbao_domain::sample;
use cunbao_domain::settlement::{Accumulators, LineInput};
use cunbao_domain::sync::{Mutation, MutationBody};

pub const POLICY: &str = "county-sample-2025.1";

/// A day of 2025.
pub fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

/// The n-th resident of the tests (valid, distinct ID numbers).
pub fn person(n: u16) -> IdNumber {
    compose("450324", NaiveDate::from_ymd_opt(1971, 4, 5).unwrap(), n)
}

pub fn line(code: &str, quantity: u32) -> LineInput {
    let catalogue = sample::catalogue();
    let item = catalogue.get(&ItemCode::parse(code).unwrap()).unwrap();
    LineInput::from_item(item, Quantity::whole(quantity))
}

/// A visit of 192.50: a consultation, four examinations and a box of amoxicillin.
pub fn visit_lines() -> Vec<LineInput> {
    [
        "S110200001",
        "S220100001",
        "S220100002",
        "S250303001",
        "S250302001",
    ]
    .into_iter()
    .map(|code| line(code, 1))
    .chain([line("XJ01CAA001", 3)])
    .collect()
}

/// A claim as an honest tablet sends it, then marked by `mark`: held for review (`pending`),
/// a price the catalogue does not have (`flagged`), or neither.
pub fn claim(seq: u64, record: &str, who: &IdNumber, date: NaiveDate, mark: &str) -> Mutation {
    let body = sample::general_outpatient_claim(
        &Policy::sample_2025(),
        &sample::catalogue().version,
        who.clone(),
        date,
        visit_lines(),
        Accumulators::default(),
    );
    let MutationBody::Claim(mut claim) = body else {
        unreachable!()
    };
    match mark {
        "pending" => claim.pending_review = true,
        "flagged" => claim.lines[1].price = Money::parse("13.00").unwrap().into(),
        _ => {}
    }
    Mutation {
        seq,
        record_id: record.into(),
        body: MutationBody::Claim(claim),
        operator: None,
    }
}

/// What the server's settlement of claim `id` says the fund pays.
pub async fn fund_of(s: &super::TestServer, id: &str) -> Money {
    let data: String = sqlx::query_scalar("SELECT data FROM records WHERE id = $1")
        .bind(id)
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&data).unwrap();
    Money::parse(v["server_settlement"]["fund"].as_str().unwrap()).unwrap()
}
