use super::*;
use crate::catalogue::{ItemClass, ItemKind, PeriodLimit};
use crate::names::ItemCode;
use crate::policy::Policy;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, d).unwrap()
}

fn params() -> RiskParams {
    Policy::sample_2025().risk
}

fn item(code: &str, name: &str, price: &str) -> CatalogueItem {
    CatalogueItem::new(
        ItemCode::parse(code).unwrap(),
        name,
        ItemKind::Drug,
        ItemClass::A,
        UnitPrice::parse(price).unwrap(),
    )
}

fn line<'a>(item: &'a CatalogueItem, price: &str, quantity: u32) -> RiskLine<'a> {
    RiskLine {
        item: Some(item),
        code: item.code.to_string(),
        name: item.name.clone(),
        price: UnitPrice::parse(price).unwrap(),
        quantity: Quantity::whole(quantity),
    }
}

const ID_CARD: IdentityCheck = IdentityCheck::IdCard;

fn visit<'a>(lines: Vec<RiskLine<'a>>, diagnoses: &'a [String]) -> RiskVisit<'a> {
    RiskVisit {
        claim_id: "C-new",
        person: "450324198005020011",
        sex: Sex::Male,
        age: 45,
        clinic: "clinic-1",
        date: day(20),
        diagnoses,
        identity: &ID_CARD,
        eligibility: Eligibility::Eligible,
        lines,
        total: Money::yuan(50),
        fund: Money::yuan(10),
    }
}

fn past(
    claim: &str,
    person: &str,
    clinic: &str,
    date: NaiveDate,
    lines: &[(&str, u32)],
) -> PastVisit {
    PastVisit {
        claim_id: claim.into(),
        person: person.into(),
        clinic: clinic.into(),
        date,
        lines: lines
            .iter()
            .map(|(code, q)| PastLine {
                code: code.to_string(),
                quantity: Quantity::whole(*q),
            })
            .collect(),
    }
}

fn rules(hits: &[RuleHit]) -> Vec<(RuleId, Severity)> {
    hits.iter().map(|h| (h.rule, h.severity)).collect()
}

#[test]
fn a_clean_visit_has_no_hits() {
    let amox = item("XJ01CAA001", "阿莫西林胶囊", "12.50");
    let hits = evaluate(&params(), &visit(vec![line(&amox, "12.50", 2)], &[]), &[]);
    assert_eq!(hits, []);
    assert_eq!(worst(&hits), None);
}

#[test]
fn duplicate_charge_is_blocked_but_other_clinics_and_days_are_not_duplicates() {
    let amox = item("XJ01CAA001", "阿莫西林胶囊", "12.50");
    let me = "450324198005020011";
    let history = [
        past("C-1", me, "clinic-1", day(20), &[("XJ01CAA001", 1)]),
        past(
            "C-2",
            "someone-else",
            "clinic-1",
            day(20),
            &[("XJ01CAA001", 1)],
        ),
    ];
    let hits = evaluate(
        &params(),
        &visit(vec![line(&amox, "12.50", 1)], &[]),
        &history,
    );
    assert_eq!(
        rules(&hits),
        [
            (RuleId::SeveralVisitsSameDay, Severity::Flag),
            (RuleId::DuplicateCharge, Severity::Block)
        ]
    );
    assert_eq!(hits[1].line, Some(1));
    assert!(hits[1].message_zh.contains("阿莫西林胶囊"));
    assert_eq!(worst(&hits), Some(Severity::Block));

    let elsewhere = [past("C-1", me, "clinic-2", day(20), &[("XJ01CAA001", 1)])];
    let hits = evaluate(
        &params(),
        &visit(vec![line(&amox, "12.50", 1)], &[]),
        &elsewhere,
    );
    assert_eq!(
        rules(&hits),
        [(RuleId::SeveralVisitsSameDay, Severity::Flag)]
    );

    let same_line_twice = visit(vec![line(&amox, "12.50", 1), line(&amox, "12.50", 1)], &[]);
    assert_eq!(
        rules(&evaluate(&params(), &same_line_twice, &[])),
        [(RuleId::DuplicateCharge, Severity::Block)]
    );
}

#[test]
fn lines_without_a_code_are_never_duplicates_of_each_other() {
    let free_text = |name: &str| RiskLine {
        item: None,
        code: String::new(),
        name: name.into(),
        price: UnitPrice::yuan(10),
        quantity: Quantity::whole(1),
    };
    let v = visit(vec![free_text("某保健品"), free_text("某外购药")], &[]);
    let history = [past(
        "C-1",
        "450324198005020011",
        "clinic-1",
        day(20),
        &[("", 1)],
    )];
    let hits = evaluate(&params(), &v, &history);
    assert_eq!(
        rules(&hits),
        [(RuleId::SeveralVisitsSameDay, Severity::Flag)]
    );
}

#[test]
fn quantity_limits_per_visit_and_per_period_warn() {
    let mut nifedipine = item("XC08CAN001", "硝苯地平缓释片", "31.60");
    nifedipine.per_visit_limit = Some(Quantity::whole(2));
    nifedipine.per_period_limit = Some(PeriodLimit {
        quantity: Quantity::whole(4),
        days: 30,
    });
    let me = "450324198005020011";
    let history = [
        past("C-1", me, "clinic-1", day(1), &[("XC08CAN001", 2)]),
        past(
            "C-0",
            me,
            "clinic-1",
            NaiveDate::from_ymd_opt(2025, 5, 21).unwrap(),
            &[("XC08CAN001", 2)],
        ),
    ];
    // 21 May is 30 days before 20 June (outside the 30-day window ending today).
    let ok = evaluate(
        &params(),
        &visit(vec![line(&nifedipine, "31.60", 2)], &[]),
        &history,
    );
    assert_eq!(ok, []);
    let hits = evaluate(
        &params(),
        &visit(vec![line(&nifedipine, "31.60", 3)], &[]),
        &history,
    );
    assert_eq!(
        rules(&hits),
        [
            (RuleId::QuantityOverVisitLimit, Severity::Warn),
            (RuleId::QuantityOverPeriodLimit, Severity::Warn)
        ]
    );
    assert!(
        hits[1].message_en.contains("5 within 30 days"),
        "{}",
        hits[1].message_en
    );
}

#[test]
fn prices_above_the_catalogue_block_and_above_the_standard_flag() {
    let mut nifedipine = item("XC08CAN001", "硝苯地平缓释片", "31.60");
    nifedipine.payment_standard = Some(UnitPrice::yuan(30));
    let hits = evaluate(
        &params(),
        &visit(vec![line(&nifedipine, "31.60", 1)], &[]),
        &[],
    );
    assert_eq!(
        rules(&hits),
        [(RuleId::PriceAbovePaymentStandard, Severity::Flag)]
    );
    let hits = evaluate(
        &params(),
        &visit(vec![line(&nifedipine, "35.00", 1)], &[]),
        &[],
    );
    assert_eq!(
        rules(&hits),
        [
            (RuleId::PriceAboveCatalogue, Severity::Block),
            (RuleId::PriceAbovePaymentStandard, Severity::Flag)
        ]
    );
}

#[test]
fn diagnosis_sex_and_age_restrictions() {
    let mut metformin = item("XA10BAD001", "二甲双胍片", "8.00");
    metformin.diagnosis_restriction = vec!["E11".into(), "E14".into()];
    let diabetes = ["E11.9".to_string()];
    let cold = ["J06.9".to_string()];
    assert_eq!(
        evaluate(
            &params(),
            &visit(vec![line(&metformin, "8.00", 1)], &diabetes),
            &[]
        ),
        []
    );
    let hits = evaluate(
        &params(),
        &visit(vec![line(&metformin, "8.00", 1)], &cold),
        &[],
    );
    assert_eq!(
        rules(&hits),
        [(RuleId::DiagnosisRestriction, Severity::Warn)]
    );

    let mut prenatal = item("XB03BBF001", "叶酸片", "5.00");
    prenatal.sex_restriction = Some(Sex::Female);
    prenatal.min_age = Some(15);
    prenatal.max_age = Some(49);
    let hits = evaluate(
        &params(),
        &visit(vec![line(&prenatal, "5.00", 1)], &[]),
        &[],
    );
    assert_eq!(rules(&hits), [(RuleId::SexRestriction, Severity::Block)]);
    let mut older_woman = visit(vec![line(&prenatal, "5.00", 1)], &[]);
    older_woman.sex = Sex::Female;
    older_woman.age = 62;
    let hits = evaluate(&params(), &older_woman, &[]);
    assert_eq!(rules(&hits), [(RuleId::AgeRestriction, Severity::Block)]);
    assert!(hits[0].message_zh.contains("15–49"));
}

#[test]
fn visits_per_month_and_claim_size_flag() {
    let amox = item("XJ01CAA001", "阿莫西林胶囊", "12.50");
    let me = "450324198005020011";
    let history: Vec<PastVisit> = (1..=8)
        .map(|d| past(&format!("C-{d}"), me, "clinic-1", day(d), &[]))
        .collect();
    let mut big = visit(vec![line(&amox, "12.50", 1)], &[]);
    big.total = Money::yuan(301);
    let hits = evaluate(&params(), &big, &history);
    assert_eq!(
        rules(&hits),
        [
            (RuleId::VisitsPerMonth, Severity::Flag),
            (RuleId::ClaimAboveThreshold, Severity::Flag)
        ]
    );
    assert!(hits[0].message_zh.contains("第9次"));
    // The visit itself in the history is not counted twice.
    let mut with_self = history.clone();
    with_self.pop();
    with_self.push(past("C-new", me, "clinic-1", day(20), &[]));
    let hits = evaluate(
        &params(),
        &visit(vec![line(&amox, "12.50", 1)], &[]),
        &with_self,
    );
    assert_eq!(hits, []);
}

#[test]
fn eligibility_and_proxy_identity_block() {
    let amox = item("XJ01CAA001", "阿莫西林胶囊", "12.50");
    let until = day(30);
    for (eligibility, text) in [
        (Eligibility::Waiting { until }, "等待期"),
        (Eligibility::NotEnrolled, "未参保"),
        (Eligibility::Suspended, "暂停"),
    ] {
        let mut v = visit(vec![line(&amox, "12.50", 1)], &[]);
        v.eligibility = eligibility;
        let hits = evaluate(&params(), &v, &[]);
        assert_eq!(rules(&hits), [(RuleId::NotEligible, Severity::Block)]);
        assert!(hits[0].message_zh.contains(text));
    }
    let proxy = IdentityCheck::Proxy {
        proxy_id: Some(crate::id_number::IdNumber::parse("11010519491231002X").unwrap()),
        relationship: None,
    };
    let mut v = visit(vec![line(&amox, "12.50", 1)], &[]);
    v.identity = &proxy;
    assert_eq!(
        rules(&evaluate(&params(), &v, &[])),
        [(RuleId::ProxyWithoutRelationship, Severity::Block)]
    );
}

#[test]
fn severities_come_from_the_policy_and_unlisted_rules_are_off() {
    let amox = item("XJ01CAA001", "阿莫西林胶囊", "12.50");
    let mut p = params();
    p.rules.retain(|r| r.rule != RuleId::DuplicateCharge);
    for r in &mut p.rules {
        if r.rule == RuleId::SeveralVisitsSameDay {
            r.severity = Severity::Warn;
        }
    }
    let me = "450324198005020011";
    let history = [past("C-1", me, "clinic-1", day(20), &[("XJ01CAA001", 1)])];
    let hits = evaluate(&p, &visit(vec![line(&amox, "12.50", 1)], &[]), &history);
    assert_eq!(
        rules(&hits),
        [(RuleId::SeveralVisitsSameDay, Severity::Warn)]
    );
}
