//! The sample data shipped with Cunbao: the 2025 sample county policy (see `policy`) and a
//! catalogue of real, common village-clinic items (`data/catalogue-sample.csv`).

use crate::claim::Claim;
use chrono::NaiveDate;

use crate::catalogue::Catalogue;
use crate::catalogue_csv::parse_catalogue;
use crate::diagnosis::RecordedDiagnosis;
use crate::id_number::IdNumber;
use crate::policy::{BenefitKind, Policy};
use crate::risk::IdentityCheck;
use crate::settlement::{settle, Accumulators, BenefitParams, LineInput};
use crate::sync::MutationBody;

pub const SAMPLE_CATALOGUE_VERSION: &str = "sample-2025.1";

pub fn catalogue() -> Catalogue {
    parse_catalogue(
        include_str!("../data/catalogue-sample.csv"),
        SAMPLE_CATALOGUE_VERSION,
        NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date"),
    )
    .expect("the shipped sample catalogue is valid")
}

/// A check-up of eleven examinations in the sample catalogue: 385.00 in policy, past the
/// 300.00 deductible of the general outpatient benefit and within the offline limit.
pub const CHECK_UP: [&str; 11] = [
    "S250302001",
    "S250303001",
    "S250304001",
    "S220100001",
    "S220100002",
    "S210100001",
    "S210100002",
    "S310100002",
    "S330200001",
    "S330300001",
    "S330400001",
];

/// The claim a tablet sends for a plain general-outpatient visit — acute upper respiratory
/// infection (J06.9), identity checked on the ID card, no rule hit — over `lines`, settled
/// under `policy` from the accumulators the tablet knew (`before`). For tests and benchmarks.
pub fn general_outpatient_claim(
    policy: &Policy,
    catalogue_version: &str,
    person: IdNumber,
    visit_date: NaiveDate,
    lines: Vec<LineInput>,
    before: Accumulators,
) -> MutationBody {
    let benefit = BenefitKind::GeneralOutpatient;
    let params = BenefitParams::from(policy.benefit(benefit).expect("the policy has it"));
    let settlement = settle(&params, before, &lines).expect("the lines settle");
    let self_pay_informed = settlement.has_self_pay();
    MutationBody::Claim(Box::new(Claim {
        person,
        visit_date,
        diagnoses: vec![RecordedDiagnosis {
            code: "J06.9".into(),
        }],
        identity: IdentityCheck::IdCard,
        benefit,
        policy_version: policy.version.clone(),
        catalogue_version: catalogue_version.to_string(),
        lines,
        settlement,
        rule_hits: vec![],
        reason: None,
        pending_review: false,
        self_pay_informed,
    }))
}

/// The enrolment a tablet sends for `person`, named `name`, as the head of a one-person
/// household `hh-<record>`, enrolled on `enrolled_on` for the scheme year of the policy
/// `policy_version`. For tests and benchmarks.
pub fn head_enrolment(
    record: &str,
    person: IdNumber,
    name: &str,
    policy_version: &str,
    scheme_year: i32,
    enrolled_on: NaiveDate,
) -> MutationBody {
    use crate::enrolment::{Member, Relationship};
    MutationBody::Enrolment {
        household_id: format!("hh-{record}"),
        member: Member {
            id_number: person,
            name: crate::names::PersonName::parse(name).expect("a valid name"),
            relationship: Relationship::Head,
            phone: None,
            subsidy: None,
            evidence: None,
        },
        scheme_year,
        enrolled_on,
        policy_version: policy_version.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{ItemClass, ItemKind};
    use crate::names::ItemCode;

    #[test]
    fn the_sample_catalogue_is_large_varied_and_searchable() {
        let c = catalogue();
        assert!(c.items.len() >= 300, "{}", c.items.len());
        for kind in [ItemKind::Drug, ItemKind::Service, ItemKind::Consumable] {
            assert!(
                c.items.iter().filter(|i| i.kind == kind).count() >= 40,
                "{kind:?}"
            );
        }
        for class in [ItemClass::A, ItemClass::B, ItemClass::SelfPay] {
            assert!(c.items.iter().any(|i| i.class == class), "{class:?}");
        }
        let amox = c.get(&ItemCode::parse("XJ01CAA001").unwrap()).unwrap();
        assert_eq!(
            (amox.name.as_str(), amox.pinyin.as_str()),
            ("阿莫西林胶囊", "amxljn")
        );
        assert!(c.items.iter().filter(|i| i.matches("amxl")).count() >= 3);
        // A tablet sold per piece, priced to the national platform's precision.
        let per_piece = c.get(&ItemCode::parse("XA10BAA003").unwrap()).unwrap();
        assert_eq!(
            (per_piece.unit.as_str(), per_piece.price.to_string()),
            ("片", "0.2083".to_string())
        );
        assert!(c.items.iter().any(|i| i.matches("一般诊疗费")));
        // Codes match by prefix, in either case.
        assert!(c.items.iter().any(|i| i.matches("xj01caa00")));
        assert!(!c.items.iter().any(|i| i.matches("  ")));
    }

    #[test]
    fn pinyin_initials_come_from_the_pinyin_crate_for_every_item() {
        for item in catalogue().items {
            assert!(!item.pinyin.is_empty(), "{}", item.name);
            assert!(
                item.pinyin.bytes().all(|b| b.is_ascii_alphanumeric()),
                "{}",
                item.pinyin
            );
        }
    }
}
