//! Settlement of a 10-line visit, and risk evaluation of one visit against 30 days of history
//! (100 visits). Run: `cargo bench -p cunbao-domain`.

use std::hint::black_box;

use chrono::{Days, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use cunbao_domain::enrolment::Eligibility;
use cunbao_domain::id_number::Sex;
use cunbao_domain::money::Money;
use cunbao_domain::policy::{BenefitKind, Policy};
use cunbao_domain::quantity::Quantity;
use cunbao_domain::risk::{evaluate, IdentityCheck, PastLine, PastVisit, RiskLine, RiskVisit};
use cunbao_domain::settlement::{settle, Accumulators, BenefitParams, LineInput};
use cunbao_domain::synthetic::{self, Rng};

fn bench_settlement(c: &mut Criterion) {
    let policy = Policy::sample_2025();
    let benefit = BenefitParams::from(policy.benefit(BenefitKind::GeneralOutpatient).unwrap());
    let catalogue = synthetic::catalogue(1_000, 1);
    let mut rng = Rng::new(3);
    let lines: Vec<LineInput> = (0..10)
        .map(|_| {
            let item = rng.pick(&catalogue.items);
            LineInput::from_item(item, Quantity::whole(1 + rng.below(3) as u32))
        })
        .collect();
    let before = Accumulators {
        deductible_met: Money::yuan(250),
        fund_paid: Money::yuan(1_200),
    };
    let mut group = c.benchmark_group("settlement");
    group.throughput(Throughput::Elements(1));
    group.bench_function("10-line visit", |b| {
        b.iter(|| settle(black_box(&benefit), black_box(before), black_box(&lines)).unwrap())
    });
    group.finish();
}

fn bench_risk(c: &mut Criterion) {
    let policy = Policy::sample_2025();
    let catalogue = synthetic::catalogue(30_000, 1);
    let mut rng = Rng::new(5);
    let person = "450324198005020011";
    let today = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    // 100 visits over the last 30 days: this person's and their neighbours'.
    let history: Vec<PastVisit> = (0..100)
        .map(|i| PastVisit {
            claim_id: format!("C-{i}"),
            person: if i % 4 == 0 {
                person.into()
            } else {
                format!("p-{i}")
            },
            clinic: "clinic-1".into(),
            date: today - Days::new(rng.below(30)),
            lines: (0..5)
                .map(|_| PastLine {
                    code: rng.pick(&catalogue.items).code.to_string(),
                    quantity: Quantity::whole(1),
                })
                .collect(),
        })
        .collect();
    let items: Vec<_> = (0..10).map(|_| rng.pick(&catalogue.items)).collect();
    let diagnoses = vec!["I10".to_string()];
    let identity = IdentityCheck::IdCard;
    let visit = RiskVisit {
        claim_id: "C-new",
        person,
        sex: Sex::Male,
        age: 45,
        clinic: "clinic-1",
        date: today,
        diagnoses: &diagnoses,
        identity: &identity,
        eligibility: Eligibility::Eligible,
        lines: items
            .iter()
            .map(|item| RiskLine {
                item: Some(item),
                code: item.code.to_string(),
                name: item.name.clone(),
                price: item.price,
                quantity: Quantity::whole(2),
            })
            .collect(),
        total: Money::yuan(120),
        fund: Money::yuan(40),
    };
    let mut group = c.benchmark_group("risk");
    group.throughput(Throughput::Elements(1));
    group.bench_function("10-line visit vs 100 visits of history", |b| {
        b.iter(|| {
            evaluate(
                black_box(&policy.risk),
                black_box(&visit),
                black_box(&history),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench_settlement, bench_risk);
criterion_main!(benches);
