//! The server is the authority for money (PRODUCT.md §3), tried from outside with crafted
//! pushes as a tampered tablet would send them, on SQLite and PostgreSQL: every line is priced
//! from the catalogue the claim names, the benefit follows from the diagnoses, a person not
//! entitled on the visit date is not paid, a block finding is not paid, and dates and versions
//! that do not fit are refused with a code — each per mutation, the rest of the batch applied.

mod common;

use chrono::{Days, NaiveDate};
use common::{Backend, TestServer};
use cunbao_domain::catalogue::ItemClass;
use cunbao_domain::claim::Claim;
use cunbao_domain::id_number::{compose, IdNumber};
use cunbao_domain::money::Money;
use cunbao_domain::names::ItemCode;
use cunbao_domain::policy::{BenefitKind, ChronicCondition, Policy};
use cunbao_domain::quantity::Quantity;
use cunbao_domain::risk::IdentityCheck;
use cunbao_domain::sample;
use cunbao_domain::settlement::{settle, Accumulators, BenefitParams, LineInput};
use cunbao_domain::sync::{Mutation, MutationBody};
use serde_json::Value;

const POLICY: &str = "county-sample-2025.1";

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

fn person(n: u16) -> IdNumber {
    compose("450324", NaiveDate::from_ymd_opt(1968, 2, 3).unwrap(), n)
}

fn enrolled_on(seq: u64, id: &IdNumber, on: NaiveDate) -> Mutation {
    common::enrolment_on(seq, &format!("e-{seq}"), id, POLICY, 2025, on)
}

/// One line of the sample catalogue, as an honest tablet prices it.
fn line(code: &str, quantity: u32) -> LineInput {
    let catalogue = sample::catalogue();
    let item = catalogue.get(&ItemCode::parse(code).unwrap()).unwrap();
    LineInput::from_item(item, Quantity::whole(quantity))
}

const AMOXICILLIN: &str = "XJ01CAA001"; // A, 12.50
const NIFEDIPINE: &str = "XC08CAN001"; // B 10 %, 31.60, standard 30.00
const SUPPLEMENT: &str = "XV06DXA001"; // self-pay, 48.00
const CONSULTATION: &str = "S110200001"; // A, 10.00

/// A claim for `id` on `date` with `lines`, settled the way the tablet says (its own figures
/// from its own lines), then changed by `tamper`.
fn claim(
    seq: u64,
    id: &IdNumber,
    date: NaiveDate,
    lines: Vec<LineInput>,
    tamper: impl FnOnce(&mut Claim),
) -> Mutation {
    let body = sample::general_outpatient_claim(
        &Policy::sample_2025(),
        &sample::catalogue().version,
        id.clone(),
        date,
        lines,
        Accumulators::default(),
    );
    let MutationBody::Claim(mut claim) = body else {
        unreachable!("a claim")
    };
    tamper(&mut claim);
    // The tablet's figures follow what it sent (a tampered tablet is consistent with itself).
    let policy = Policy::sample_2025();
    if let Ok(rule) = policy.benefit(claim.benefit) {
        if let Ok(s) = settle(
            &BenefitParams::from(rule),
            Accumulators::default(),
            &claim.lines,
        ) {
            claim.settlement = s;
        }
    }
    Mutation {
        seq,
        record_id: format!("k-{seq}"),
        operator: None,
        body: MutationBody::Claim(claim),
    }
}

struct Outcome {
    result: Value,
    record: Option<Value>,
}

/// Pushes `mutations` and returns each one's answer and, for an applied claim, the record the
/// server keeps.
async fn push(s: &TestServer, token: &str, mutations: &[Mutation]) -> Vec<Outcome> {
    let body = s.push_ok(token, mutations).await;
    let mut out = Vec::new();
    for (m, result) in mutations.iter().zip(body["results"].as_array().unwrap()) {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM records WHERE id = $1")
            .bind(&m.record_id)
            .fetch_optional(&s.state.db)
            .await
            .unwrap();
        out.push(Outcome {
            result: result.clone(),
            record: data.map(|d| serde_json::from_str(&d).unwrap()),
        });
    }
    out
}

async fn adjustments(s: &TestServer) -> i64 {
    s.count("SELECT COUNT(*) FROM records WHERE kind = 'adjustment'")
        .await
}

/// Tampered lines: the catalogue's class, price and payment standard stand, the difference is
/// kept, the claim goes to review and the fund difference is an adjustment.
async fn a_tampered_line_is_priced_from_the_catalogue(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    // One person per claim, so that each starts from the same year-to-date figures.
    let who: Vec<IdNumber> = (11..16).map(person).collect();
    let visit = day(3, 10);
    let honest = || {
        vec![
            line(AMOXICILLIN, 2),
            line(CONSULTATION, 1),
            line(SUPPLEMENT, 1),
        ]
    };
    let mut batch: Vec<Mutation> = who
        .iter()
        .enumerate()
        .map(|(i, id)| enrolled_on(i as u64 + 1, id, day(1, 2) - Days::new(60)))
        .collect();
    batch.extend([
        // An honest claim: nothing to say.
        claim(6, &who[0], visit, honest(), |_| {}),
        // The self-pay supplement declared class A.
        claim(7, &who[1], visit, honest(), |c| {
            c.lines[2].class = ItemClass::A
        }),
        // Amoxicillin at 200.00 instead of 12.50.
        claim(8, &who[2], visit, honest(), |c| {
            c.lines[0].price = Money::yuan(200).into()
        }),
        // Nifedipine's payment standard raised above the catalogue's 30.00.
        claim(9, &who[3], visit, vec![line(NIFEDIPINE, 1)], |c| {
            c.lines[0].payment_standard = Some(Money::yuan(40).into())
        }),
        // A code no catalogue has, declared class A.
        claim(10, &who[4], visit, honest(), |c| {
            c.lines[1].code = Some("XX99999999".into())
        }),
    ]);
    let out = push(&s, &token, &batch).await;
    let out = &out[5..];
    assert_eq!(out[0].result["status"], "applied", "{}", out[0].result);
    assert_eq!(s.status_of("k-6").await, "settled");
    let honest_record = out[0].record.as_ref().unwrap();
    assert!(honest_record.get("price_differences").is_none());
    assert!(
        honest_record.get("server_lines").is_none(),
        "the catalogue's lines are kept only where they differ"
    );
    let honest_fund = honest_record["server_settlement"]["fund"].clone();

    let differences = |o: &Outcome| -> Vec<String> {
        o.record.as_ref().unwrap()["price_differences"]
            .as_array()
            .unwrap_or(&vec![])
            .iter()
            .map(|d| d["what"].as_str().unwrap().to_string())
            .collect()
    };
    for (i, what) in [
        (1, "class"),
        (2, "price"),
        (3, "payment_standard"),
        (4, "not_in_catalogue"),
    ] {
        let o = &out[i];
        assert_eq!(o.result["status"], "applied", "{}", o.result);
        assert_eq!(differences(o), [what], "claim {i}");
        let record = o.record.as_ref().unwrap();
        assert_eq!(s.status_of(&format!("k-{}", i + 6)).await, "flagged");
        // The tablet's lines are kept as sent, beside the catalogue's.
        assert_ne!(record["lines"], record["server_lines"]);
    }
    // Class and price: paid exactly as the honest claim, whatever the tablet said.
    for i in [1, 2] {
        assert_eq!(
            out[i].record.as_ref().unwrap()["server_settlement"]["fund"],
            honest_fund,
            "claim {i} is paid as the catalogue says"
        );
    }
    let standard = out[3].record.as_ref().unwrap();
    assert_eq!(standard["server_lines"][0]["payment_standard"], "30.00");
    assert_eq!(standard["server_settlement"]["self_pay_full"], "1.60");
    // The tablet's own price made its fund figure 55.00: the server's 0.00 stands, and the
    // difference is an adjustment.
    assert_eq!(out[2].result["code"], "adjusted", "{}", out[2].result);
    assert_eq!(adjustments(&s).await, 1);
    let unknown = out[4].record.as_ref().unwrap();
    assert_eq!(unknown["server_lines"][1]["class"], "self_pay");
}

/// The benefit follows from the diagnoses: the chronic benefit claimed for a cold is settled
/// under the general benefit and reviewed; the inpatient benefit is refused at a clinic.
async fn the_benefit_is_the_servers_choice(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let who = person(2);
    let lines = || vec![line(AMOXICILLIN, 1), line(CONSULTATION, 1)];
    let batch = [
        enrolled_on(1, &who, day(1, 2) - Days::new(60)),
        claim(2, &who, day(4, 1), lines(), |c| {
            c.benefit = BenefitKind::ChronicOutpatient {
                condition: ChronicCondition::Hypertension,
            }
        }),
        claim(3, &who, day(4, 2), lines(), |c| {
            c.benefit = BenefitKind::Inpatient {
                level: cunbao_domain::policy::FacilityLevel::Level1,
            }
        }),
    ];
    let out = push(&s, &token, &batch).await;
    let cold = out[1].record.as_ref().unwrap();
    assert_eq!(cold["server_benefit"]["type"], "general_outpatient");
    assert_eq!(cold["cap_pool"], "general_outpatient");
    assert_eq!(s.status_of("k-2").await, "flagged");
    assert_eq!(out[2].result["status"], "rejected");
    assert_eq!(out[2].result["code"], "inpatient_not_at_clinic");
}

/// Not entitled on the visit date — never enrolled, in a waiting period, before cover — is
/// refused and nothing is paid; a block finding is refused; the next mutation is applied.
async fn only_the_entitled_are_paid(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let (never, late, fine) = (person(3), person(4), person(5));
    let lines = || vec![line(CONSULTATION, 1)];
    let batch = [
        enrolled_on(1, &late, day(4, 1)), // late: benefits from 1 July
        enrolled_on(2, &fine, day(1, 2) - Days::new(60)),
        claim(3, &never, day(5, 5), lines(), |_| {}),
        claim(4, &late, day(5, 5), lines(), |_| {}),
        claim(5, &fine, day(5, 5), lines(), |c| {
            c.identity = IdentityCheck::Proxy {
                proxy_id: None,
                relationship: None,
            }
        }),
        claim(6, &fine, day(5, 6), lines(), |_| {}),
    ];
    let out = push(&s, &token, &batch).await;
    let codes: Vec<&str> = out
        .iter()
        .map(|o| {
            o.result["code"]
                .as_str()
                .unwrap_or(o.result["status"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        codes,
        [
            "applied",
            "applied",
            "not_entitled",
            "not_entitled",
            "blocked_by_rule",
            "applied"
        ],
        "{:?}",
        out.iter().map(|o| &o.result).collect::<Vec<_>>()
    );
    assert!(out[2].result["message_zh"]
        .as_str()
        .unwrap()
        .contains("未参保"));
    assert!(out[3].result["message_zh"]
        .as_str()
        .unwrap()
        .contains("等待期"));
    for o in &out[2..5] {
        assert!(o.record.is_none(), "nothing recorded, nothing paid");
    }
    assert_eq!(
        s.count("SELECT COUNT(*) FROM records WHERE kind = 'claim'")
            .await,
        1
    );
}

/// Dates and versions that do not fit the visit are refused with a code.
async fn dates_and_versions_that_do_not_fit_are_refused(backend: Backend) {
    let s = TestServer::start(backend).await;
    let (token, _) = s.sign_in("lijia").await;
    let who = person(6);
    let lines = || vec![line(CONSULTATION, 1)];
    let future = cunbao_server::clock::today() + Days::new(5);
    let batch = [
        enrolled_on(1, &who, day(1, 2) - Days::new(60)),
        // The 2025 policy named for a visit in December 2024.
        claim(
            2,
            &who,
            NaiveDate::from_ymd_opt(2024, 12, 20).unwrap(),
            lines(),
            |_| {},
        ),
        claim(3, &who, future, lines(), |_| {}),
        claim(4, &who, day(6, 1), lines(), |c| {
            c.catalogue_version = "sample-2099.1".into()
        }),
        claim(5, &who, day(6, 2), lines(), |_| {}),
        // 10,000 bottles of the supplement: 480,000.00 is no village visit.
        claim(6, &who, day(6, 3), vec![line(SUPPLEMENT, 10_000)], |_| {}),
    ];
    let out = push(&s, &token, &batch).await;
    let codes: Vec<&str> = out
        .iter()
        .map(|o| {
            o.result["code"]
                .as_str()
                .unwrap_or(o.result["status"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        codes,
        [
            "applied",
            "policy_not_for_date",
            "future_visit",
            "unknown_catalogue",
            "applied",
            "implausible_amount"
        ]
    );
}

on_both_databases!(
    a_tampered_line_is_priced_from_the_catalogue,
    the_benefit_is_the_servers_choice,
    only_the_entitled_are_paid,
    dates_and_versions_that_do_not_fit_are_refused,
);
