use super::*;
use crate::id_number::compose;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn member(id: IdNumber, name: &str, relationship: Relationship) -> Member {
    Member {
        id_number: id,
        name: PersonName::parse(name).unwrap(),
        relationship,
        phone: None,
        subsidy: None,
        evidence: None,
    }
}

fn policy() -> Policy {
    Policy::sample_2025()
}

#[test]
fn a_household_of_four_with_a_dibao_member_and_a_newborn() {
    let p = policy();
    let head = member(
        compose("450324", day(1980, 5, 2), 11),
        "王建国",
        Relationship::Head,
    );
    let spouse = member(
        compose("450324", day(1982, 8, 9), 22),
        "李秀英",
        Relationship::Spouse,
    );
    let grandma = Member {
        subsidy: Some(SubsidyCategory::Dibao),
        evidence: Some(Evidence {
            kind: EvidenceKind::DibaoCertificate,
            number: "桂低保2024-0315".into(),
            disability_grade: None,
        }),
        ..member(
            compose("450324", day(1950, 1, 20), 42),
            "赵桂兰",
            Relationship::Parent,
        )
    };
    let baby = member(
        compose("450324", day(2025, 3, 1), 31),
        "王小宝",
        Relationship::Child,
    );
    let h = household_contribution(&p, &[head, spouse, grandma, baby.clone()]).unwrap();
    let due: Vec<String> = h.members.iter().map(|m| m.due.to_string()).collect();
    assert_eq!(due, ["390.00", "390.00", "0.00", "390.00"]);
    assert_eq!(h.members[2].subsidy, Money::yuan(390));
    assert_eq!(h.total_due, Money::yuan(1170));

    let newborn = coverage(&p, baby.id_number.birth_date(), day(2025, 4, 10), None).unwrap();
    assert_eq!(newborn.basis, CoverageBasis::Newborn);
    assert_eq!(
        (newborn.from, newborn.benefits_from),
        (day(2025, 3, 1), day(2025, 3, 1))
    );
}

#[test]
fn fixed_subsidies_and_their_evidence() {
    let p = policy();
    let low_income = Member {
        subsidy: Some(SubsidyCategory::LowIncome),
        evidence: Some(Evidence {
            kind: EvidenceKind::TownshipIncomeCertificate,
            number: "两江镇2024-12".into(),
            disability_grade: None,
        }),
        ..member(
            compose("450324", day(1970, 1, 1), 1),
            "陈明",
            Relationship::Head,
        )
    };
    let c = member_contribution(&p, &low_income).unwrap();
    assert_eq!((c.subsidy, c.due), (Money::yuan(195), Money::yuan(195)));

    let missing = Member {
        evidence: None,
        ..low_income.clone()
    };
    assert!(matches!(
        member_contribution(&p, &missing),
        Err(EnrolmentError::MissingEvidence {
            expected: EvidenceKind::TownshipIncomeCertificate,
            ..
        })
    ));

    let disabled = |grade| Member {
        subsidy: Some(SubsidyCategory::SevereDisability),
        evidence: Some(Evidence {
            kind: EvidenceKind::DisabilityCertificate,
            number: "45032419700101000142".into(),
            disability_grade: Some(grade),
        }),
        ..low_income.clone()
    };
    assert_eq!(
        member_contribution(&p, &disabled(2)).unwrap().due,
        Money::yuan(195)
    );
    assert!(matches!(
        member_contribution(&p, &disabled(3)),
        Err(EnrolmentError::DisabilityGrade { .. })
    ));
}

#[test]
fn older_policies_charge_their_own_amount() {
    let head = member(
        compose("450324", day(1980, 5, 2), 11),
        "王建国",
        Relationship::Head,
    );
    let c = member_contribution(&Policy::sample_2021(), &head).unwrap();
    assert_eq!(c.due, Money::yuan(320));
}

#[test]
fn households_need_one_head_and_distinct_members() {
    let p = policy();
    let a = member(
        compose("450324", day(1980, 5, 2), 11),
        "王建国",
        Relationship::Head,
    );
    let b = member(
        compose("450324", day(1982, 8, 9), 22),
        "李秀英",
        Relationship::Spouse,
    );
    assert_eq!(
        household_contribution(&p, std::slice::from_ref(&b)),
        Err(EnrolmentError::HouseholdHead)
    );
    assert!(matches!(
        household_contribution(&p, &[a.clone(), b.clone(), a.clone()]),
        Err(EnrolmentError::HouseholdHead)
    ));
    assert!(matches!(
        household_contribution(&p, &[a, b.clone(), b]),
        Err(EnrolmentError::RepeatedMember(_))
    ));
}

#[test]
fn newborn_on_day_90_and_day_91() {
    let p = policy();
    let birth = day(2025, 3, 1);
    let day90 = coverage(&p, birth, day(2025, 5, 30), None).unwrap();
    assert_eq!(
        (day90.basis, day90.from),
        (CoverageBasis::Newborn, day(2025, 3, 1))
    );
    assert_eq!(day90.benefits_from, day(2025, 3, 1));
    let day91 = coverage(&p, birth, day(2025, 5, 31), None).unwrap();
    assert_eq!(
        (day91.basis, day91.from),
        (CoverageBasis::Late, day(2025, 5, 31))
    );
    assert_eq!(day91.benefits_from, day(2025, 8, 31));
}

#[test]
fn on_time_enrolment_covers_the_whole_year() {
    let p = policy();
    let c = coverage(&p, day(1980, 1, 1), day(2024, 10, 15), None).unwrap();
    assert_eq!(c.basis, CoverageBasis::OnTime);
    assert_eq!(
        (c.from, c.to, c.benefits_from),
        (day(2025, 1, 1), day(2025, 12, 31), day(2025, 1, 1))
    );
    assert!(coverage(&p, day(1980, 1, 1), day(2024, 8, 31), None).is_err());
    assert!(coverage(&p, day(1980, 1, 1), day(2026, 1, 1), None).is_err());
}

#[test]
fn a_lapse_of_exactly_three_months_keeps_cover_continuous() {
    let p = policy();
    let ended = day(2025, 2, 28);
    let exactly = coverage(&p, day(1980, 1, 1), day(2025, 5, 28), Some(ended)).unwrap();
    assert_eq!(exactly.basis, CoverageBasis::Continuous);
    assert_eq!(exactly.benefits_from, day(2025, 5, 28));
    let longer = coverage(&p, day(1980, 1, 1), day(2025, 5, 29), Some(ended)).unwrap();
    assert_eq!(longer.basis, CoverageBasis::Late);
    assert_eq!(longer.benefits_from, day(2025, 8, 29));
}

#[test]
fn eligibility_through_the_year() {
    let p = policy();
    let late = coverage(&p, day(1980, 1, 1), day(2025, 5, 31), None).unwrap();
    assert_eq!(
        eligibility(Some(&late), None, day(2025, 5, 1)),
        Eligibility::NotEnrolled
    );
    assert_eq!(
        eligibility(Some(&late), None, day(2025, 6, 1)),
        Eligibility::Waiting {
            until: day(2025, 8, 30)
        }
    );
    assert_eq!(
        eligibility(Some(&late), None, day(2025, 8, 31)),
        Eligibility::Eligible
    );
    assert_eq!(
        eligibility(Some(&late), Some(day(2025, 9, 1)), day(2025, 9, 1)),
        Eligibility::Suspended
    );
    assert_eq!(
        eligibility(None, None, day(2025, 9, 1)),
        Eligibility::NotEnrolled
    );
    assert_eq!(
        eligibility(Some(&late), None, day(2026, 1, 1)),
        Eligibility::NotEnrolled
    );
}

#[test]
fn pending_documents_deadline_counts_working_days() {
    let p = policy();
    // Friday 2025-09-26, 10 working days across National Day: Sunday 28 Sep and Saturday
    // 11 Oct are working days, 1–8 Oct are holidays.
    assert_eq!(
        pending_documents_deadline(&p, day(2025, 9, 26)),
        day(2025, 10, 16)
    );
    // Monday 2025-03-03: two plain weeks.
    assert_eq!(
        pending_documents_deadline(&p, day(2025, 3, 3)),
        day(2025, 3, 17)
    );
}

#[test]
fn duplicate_enrolment_is_refused_with_a_reference() {
    let id = compose("450324", day(1980, 5, 2), 11);
    let known = vec![
        KnownEnrolment {
            enrolment_id: "E-2024-9".into(),
            id_number: id.clone(),
            scheme_year: 2024,
            active: true,
        },
        KnownEnrolment {
            enrolment_id: "E-2025-1".into(),
            id_number: id.clone(),
            scheme_year: 2025,
            active: true,
        },
    ];
    let err = check_not_enrolled(&known, &id, 2025).unwrap_err();
    assert_eq!(
        err,
        EnrolmentError::Duplicate {
            id: id.masked(),
            year: 2025,
            existing: "E-2025-1".into()
        }
    );
    assert!(err.to_string().contains("E-2025-1"));
    assert!(check_not_enrolled(&known, &id, 2026).is_ok());
    let voided = vec![KnownEnrolment {
        active: false,
        ..known[1].clone()
    }];
    assert!(check_not_enrolled(&voided, &id, 2025).is_ok());
}
