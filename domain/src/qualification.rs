//! Chronic outpatient qualifications (门诊慢特病认定). The chronic benefit applies only to a
//! person whose qualification for the condition was approved by the township and is valid on
//! the visit date (PRODUCT.md §2.2); a chronic diagnosis alone never switches the benefit.
//! The desk and the server decide the benefit with the same function, [`benefit_for`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::diagnosis::chronic_condition;
use crate::id_number::IdNumber;
use crate::policy::{BenefitKind, ChronicCondition};
use crate::text::{Bilingual, Text};

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QualificationStatus {
    /// Filed by a clinic, awaiting the township.
    Pending,
    Approved,
    Rejected,
}

/// A qualification as the server holds it and the person's clinic hears of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Qualification {
    /// The application's record id.
    pub id: String,
    pub person: IdNumber,
    pub condition: ChronicCondition,
    /// The hospital's diagnosis document the application rests on.
    pub evidence: String,
    pub applied_on: NaiveDate,
    pub clinic_id: String,
    pub status: QualificationStatus,
    /// Set when approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    /// The township user who decided, and why (a rejection's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Qualification {
    /// Whether it entitles the person to the chronic benefit for `condition` on `date`.
    pub fn covers(&self, condition: ChronicCondition, date: NaiveDate) -> bool {
        self.status == QualificationStatus::Approved
            && self.condition == condition
            && self.valid_from.is_some_and(|from| from <= date)
            && self.valid_to.is_some_and(|to| date <= to)
    }
}

/// The township's decision on an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "decision", rename_all = "snake_case", deny_unknown_fields)]
pub enum QualificationDecision {
    Approve {
        valid_from: NaiveDate,
        valid_to: NaiveDate,
    },
    Reject {
        reason: String,
    },
}

/// Why a visit with a chronic diagnosis is settled under the general benefit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotQualified {
    pub condition: ChronicCondition,
}

impl Bilingual for NotQualified {
    fn text(&self) -> Text {
        let c = self.condition.text();
        Text::new(
            format!(
                "{}：患者没有经乡镇认定、在就诊日有效的慢特病资格，按普通门诊结算；可在参保人页面申请认定",
                c.zh
            ),
            format!(
                "{}: the patient holds no chronic qualification approved by the township and valid \
                 on the visit date, so the visit is settled under the general outpatient benefit; \
                 apply for one on the person's page",
                c.en
            ),
        )
    }
}

/// The outpatient benefit of a visit on `date` with these diagnoses, for a person holding
/// `qualifications`: the chronic benefit of the first chronic condition among the diagnoses
/// that the person is qualified for on that date; otherwise general outpatient — and, when a
/// chronic diagnosis was there without a qualification, why.
pub fn benefit_for(
    diagnoses: &[String],
    qualifications: &[Qualification],
    date: NaiveDate,
) -> (BenefitKind, Option<NotQualified>) {
    let conditions: Vec<ChronicCondition> = diagnoses
        .iter()
        .filter_map(|c| chronic_condition(c))
        .collect();
    let qualified = conditions
        .iter()
        .find(|c| qualifications.iter().any(|q| q.covers(**c, date)));
    match (qualified, conditions.first()) {
        (Some(condition), _) => (
            BenefitKind::ChronicOutpatient {
                condition: *condition,
            },
            None,
        ),
        (None, Some(condition)) => (
            BenefitKind::GeneralOutpatient,
            Some(NotQualified {
                condition: *condition,
            }),
        ),
        (None, None) => (BenefitKind::GeneralOutpatient, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn approved(condition: ChronicCondition, from: NaiveDate, to: NaiveDate) -> Qualification {
        Qualification {
            id: "q1".into(),
            person: IdNumber::parse("11010519491231002X").unwrap(),
            condition,
            evidence: "县医院诊断证明 2025-118".into(),
            applied_on: from,
            clinic_id: "clinic-lijia".into(),
            status: QualificationStatus::Approved,
            valid_from: Some(from),
            valid_to: Some(to),
            decided_by: Some("shenhe".into()),
            note: None,
        }
    }

    #[test]
    fn a_chronic_diagnosis_alone_never_switches_the_benefit() {
        let codes = vec!["I10".to_string()];
        let (benefit, why) = benefit_for(&codes, &[], day(2025, 5, 1));
        assert_eq!(benefit, BenefitKind::GeneralOutpatient);
        assert!(why.unwrap().text().zh.contains("慢特病资格"));
        let (benefit, why) = benefit_for(&["J06.9".to_string()], &[], day(2025, 5, 1));
        assert_eq!((benefit, why), (BenefitKind::GeneralOutpatient, None));
    }

    #[test]
    fn an_approved_qualification_counts_only_for_its_condition_and_within_its_dates() {
        let q = approved(
            ChronicCondition::Hypertension,
            day(2025, 3, 1),
            day(2025, 12, 31),
        );
        let hypertension = vec!["I10".to_string()];
        let chronic = BenefitKind::ChronicOutpatient {
            condition: ChronicCondition::Hypertension,
        };
        let on = |d| benefit_for(&hypertension, std::slice::from_ref(&q), d).0;
        assert_eq!(on(day(2025, 2, 28)), BenefitKind::GeneralOutpatient);
        assert_eq!(on(day(2025, 3, 1)), chronic);
        assert_eq!(on(day(2025, 12, 31)), chronic);
        assert_eq!(on(day(2026, 1, 1)), BenefitKind::GeneralOutpatient);
        // Diabetes is not covered by a hypertension qualification.
        let (b, why) = benefit_for(
            &["E11.9".to_string()],
            std::slice::from_ref(&q),
            day(2025, 5, 1),
        );
        assert_eq!(b, BenefitKind::GeneralOutpatient);
        assert!(why.is_some());
        // A pending or rejected application entitles to nothing.
        let mut pending = q;
        pending.status = QualificationStatus::Pending;
        assert_eq!(
            benefit_for(&hypertension, &[pending], day(2025, 5, 1)).0,
            BenefitKind::GeneralOutpatient
        );
    }
}
