//! The chronic benefit needs an approved qualification valid on the visit date (PRODUCT.md
//! §2.2 item 3): a hypertension diagnosis alone settles as general outpatient, and says why.

use super::*;
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::policy::ChronicCondition;
use cunbao_domain::qualification::QualificationStatus;

fn hypertension_visit(cat: &CatalogueIndex) -> VisitDraft {
    let mut draft = worked_example(cat);
    draft.diagnoses = vec!["I10".into()];
    draft.lines.retain(|l| {
        cat.get(&l.code)
            .is_some_and(|item| item.name == "一般诊疗费")
    });
    assert_eq!(draft.lines.len(), 1);
    draft
}

fn qualification(status: QualificationStatus, from: NaiveDate, to: NaiveDate) -> Qualification {
    let decided = status != QualificationStatus::Pending;
    Qualification {
        id: "q1".into(),
        person: IdNumber::parse(PERSON).unwrap(),
        condition: ChronicCondition::Hypertension,
        evidence: "县医院诊断证明 2025-118".into(),
        applied_on: from,
        clinic_id: "clinic-lijia".into(),
        status,
        valid_from: decided.then_some(from),
        valid_to: decided.then_some(to),
        decided_by: decided.then(|| "shenhe".into()),
        note: None,
    }
}

fn quote_with(qualifications: &[Qualification], today: NaiveDate) -> Quote {
    let policy = Policy::sample_2025();
    let cat = catalogue();
    let index = patient();
    let person = index.get("e1").unwrap();
    let facts = PatientFacts {
        history: &[],
        qualifications,
    };
    let draft = hypertension_visit(&cat);
    let (q, errors) = quote(
        &policy,
        &cat,
        person,
        &draft,
        LocalAccumulators::default(),
        facts,
        today,
    )
    .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    q
}

#[test]
fn an_unqualified_hypertension_visit_is_quoted_general_with_the_reason() {
    let today = day(2025, 6, 16);
    for held in [
        vec![],
        vec![qualification(
            QualificationStatus::Pending,
            day(2025, 6, 1),
            day(2025, 12, 31),
        )],
        vec![qualification(
            QualificationStatus::Rejected,
            day(2025, 1, 1),
            day(2025, 12, 31),
        )],
    ] {
        let q = quote_with(&held, today);
        assert_eq!(q.benefit, BenefitKind::GeneralOutpatient);
        let why = q.not_qualified.expect("the reason is given").text();
        assert!(why.zh.starts_with("高血压："), "{}", why.zh);
        assert!(why.zh.contains("按普通门诊结算"), "{}", why.zh);
        // Under the general deductible (300): the fund pays nothing for ¥10.
        assert_eq!(q.settlement.deductible_taken, Money::yuan(10));
        assert_eq!(q.settlement.fund, Money::ZERO);
        let policy = Policy::sample_2025();
        let pool = cap_pool(&policy, &["I10".into()], &held, today);
        assert_eq!(pool.as_deref(), Some("general_outpatient"));
    }
}

#[test]
fn an_approved_qualification_valid_today_makes_it_chronic() {
    let held = vec![qualification(
        QualificationStatus::Approved,
        day(2025, 1, 1),
        day(2025, 12, 31),
    )];
    let q = quote_with(&held, day(2025, 6, 16));
    assert_eq!(
        q.benefit,
        BenefitKind::ChronicOutpatient {
            condition: ChronicCondition::Hypertension
        }
    );
    assert_eq!(q.not_qualified, None);
    // No deductible, 70 %.
    assert_eq!(q.settlement.deductible_taken, Money::ZERO);
    assert_eq!(q.settlement.fund, Money::yuan(7));
    let policy = Policy::sample_2025();
    let pool = cap_pool(&policy, &["I10".into()], &held, day(2025, 6, 16));
    assert_eq!(pool.as_deref(), Some("chronic_hypertension"));
    // Outside its validity it counts for nothing.
    let late = quote_with(&held, day(2026, 1, 1));
    assert_eq!(late.benefit, BenefitKind::GeneralOutpatient);
    assert!(late.not_qualified.is_some());
}
