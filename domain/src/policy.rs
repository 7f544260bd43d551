//! The scheme's policy (政策), as versioned data: contribution, enrolment periods and rules,
//! benefits, offline limits and risk-rule parameters. No rule in this crate carries its own
//! numbers; they all come from here.

use crate::text::{Bilingual, Text};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

pub use crate::catalogue::FacilityLevel;
use crate::money::Money;
use crate::person::SubsidyCategory;
use crate::quantity::Ratio;
use crate::risk::RiskParams;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChronicCondition {
    /// 高血压
    Hypertension,
    /// 糖尿病
    Diabetes,
    /// 脑卒中后遗症 (the 一症 of 两病一症)
    StrokeSequelae,
}

impl Bilingual for ChronicCondition {
    fn text(&self) -> Text {
        match self {
            ChronicCondition::Hypertension => Text::new("高血压", "hypertension"),
            ChronicCondition::Diabetes => Text::new("糖尿病", "diabetes"),
            ChronicCondition::StrokeSequelae => Text::new("脑卒中后遗症", "stroke sequelae"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BenefitKind {
    /// 普通门诊统筹
    GeneralOutpatient,
    /// 门诊慢特病 (两病)
    ChronicOutpatient { condition: ChronicCondition },
    /// 住院, by hospital level
    Inpatient { level: FacilityLevel },
}

impl Bilingual for BenefitKind {
    fn text(&self) -> Text {
        match self {
            BenefitKind::GeneralOutpatient => Text::new("普通门诊统筹", "general outpatient"),
            BenefitKind::ChronicOutpatient { condition } => {
                let Text { zh, en } = condition.text();
                Text::new(
                    format!("门诊慢特病（{zh}）"),
                    format!("chronic outpatient ({en})"),
                )
            }
            BenefitKind::Inpatient { level } => {
                let (zh, en) = match level {
                    FacilityLevel::VillageClinic => ("村卫生室", "village clinic"),
                    FacilityLevel::Level1 => ("一级医院", "level-1 hospital"),
                    FacilityLevel::Level2 => ("二级医院", "level-2 hospital"),
                    FacilityLevel::Level3 => ("三级医院", "level-3 hospital"),
                };
                Text::new(format!("住院（{zh}）"), format!("inpatient ({en})"))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BenefitRule {
    pub kind: BenefitKind,
    pub deductible: Money,
    pub ratio: Ratio,
    pub annual_cap: Money,
    #[serde(default)]
    pub per_visit_cap: Option<Money>,
    /// Benefits naming the same pool share one annual cap (inpatient levels share 200,000).
    pub cap_pool: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subsidy {
    /// The whole individual contribution is paid by medical assistance.
    Full,
    /// A fixed amount is paid by medical assistance; the person pays the rest.
    Fixed { amount: Money },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CategorySubsidy {
    pub category: SubsidyCategory,
    pub subsidy: Subsidy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrolmentRules {
    /// Individual contribution per person per year (个人缴费标准).
    pub contribution_per_person: Money,
    /// Fiscal subsidy per person (财政补助), informational: not collected at the clinic.
    pub fiscal_subsidy_per_person: Money,
    pub subsidies: Vec<CategorySubsidy>,
    /// Concentrated collection period for this scheme year (in the year before).
    pub collection_from: NaiveDate,
    pub collection_to: NaiveDate,
    /// Renewal deadline for people already enrolled (续保截止, end of November in reference
    /// 003); a renewal after it is accepted and marked late for the township.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_deadline: Option<NaiveDate>,
    /// A newborn enrolled within this many days of birth is covered from the birth month.
    pub newborn_window_days: u32,
    /// Waiting period after late enrolment or a lapse.
    pub waiting_period_months: u32,
    /// A gap in coverage longer than this many months is a lapse.
    pub lapse_months: u32,
    /// Working days to complete documents accepted as missing (容缺受理).
    pub pending_documents_working_days: u32,
    /// Public holidays (not working days) for the deadline count.
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days (调休).
    #[serde(default)]
    pub working_weekends: Vec<NaiveDate>,
}

/// A claim above either figure cannot be settled offline: it waits for township review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OfflineLimit {
    pub max_total: Money,
    pub max_fund: Money,
}

impl OfflineLimit {
    /// Whether a visit with this total and fund share may be settled on the tablet offline;
    /// otherwise it is saved as pending township review.
    pub fn allows(&self, total: Money, fund: Money) -> bool {
        total <= self.max_total && fund <= self.max_fund
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub version: String,
    pub name: String,
    pub scheme_year: i32,
    /// Coverage of the scheme year: 1 Jan – 31 Dec.
    pub coverage_from: NaiveDate,
    pub coverage_to: NaiveDate,
    pub enrolment: EnrolmentRules,
    pub benefits: Vec<BenefitRule>,
    pub offline_limit: OfflineLimit,
    pub risk: RiskParams,
    /// The standard reasons a reviewer rejects a claim with (审核拒付原因).
    #[serde(default = "crate::rejection::standard_rejection_reasons")]
    pub rejection_reasons: Vec<crate::rejection::RejectionReason>,
    /// How many days a tablet may go without reaching the server before its PIN alone no
    /// longer unlocks it (an online sign-in is then needed). See the README's "Lost tablet".
    #[serde(default = "default_pin_offline_days")]
    pub pin_offline_days: u32,
    /// The share of each clinic's paid claims drawn each month for a second look (结果质检),
    /// in percent (0 to 100; 0: none drawn).
    #[serde(default = "default_sampling_percent")]
    pub sampling_percent: u32,
}

fn default_pin_offline_days() -> u32 {
    14
}

fn default_sampling_percent() -> u32 {
    5
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    Invalid(String),
    NoSuchBenefit(BenefitKind),
}

impl Bilingual for PolicyError {
    fn text(&self) -> Text {
        match self {
            PolicyError::Invalid(why) => Text::new(
                format!("政策数据无效：{why}"),
                format!("the policy data is invalid: {why}"),
            ),
            PolicyError::NoSuchBenefit(kind) => Text::new(
                format!("政策未规定该待遇：{}", kind.text().zh),
                format!("the policy has no benefit {}", kind.text().en),
            ),
        }
    }
}

crate::bilingual_error!(PolicyError);

impl Policy {
    pub fn from_json(json: &str) -> Result<Policy, PolicyError> {
        let policy: Policy =
            serde_json::from_str(json).map_err(|e| PolicyError::Invalid(e.to_string()))?;
        policy.check()?;
        Ok(policy)
    }

    fn check(&self) -> Result<(), PolicyError> {
        let e = |m: &str| Err(PolicyError::Invalid(format!("{}: {m}", self.version)));
        if self.coverage_from > self.coverage_to {
            return e("coverage ends before it starts");
        }
        if !(1..=90).contains(&self.pin_offline_days) {
            return e("pin_offline_days must be 1 to 90");
        }
        if self.sampling_percent > 100 {
            return e("sampling_percent must be 0 to 100");
        }
        if self.enrolment.collection_from > self.enrolment.collection_to {
            return e("collection period ends before it starts");
        }
        if let Some(deadline) = self.enrolment.renewal_deadline {
            if !self.in_collection_period(deadline) {
                return e("the renewal deadline is outside the collection period");
            }
        }
        if self.benefits.is_empty() {
            return e("no benefits");
        }
        Ok(())
    }

    /// The 2025 sample county policy of PRODUCT.md (reference 003).
    pub fn sample_2025() -> Policy {
        Policy::from_json(include_str!("../data/policy-2025.json"))
            .expect("shipped policy is valid")
    }

    /// The 2021 sample policy (320 yuan), to show that policies are versioned data.
    pub fn sample_2021() -> Policy {
        Policy::from_json(include_str!("../data/policy-2021.json"))
            .expect("shipped policy is valid")
    }

    /// A sample county policy for `year`, derived from the 2025 sample: the same figures, the
    /// dates moved to that year, and only the fixed-date public holidays (New Year's Day, Labour
    /// Day, National Day); marked as a sample in its name and version. Sample data for the
    /// scheme years around today is made with it, so a demonstration works on any date.
    pub fn sample_for(year: i32) -> Policy {
        let mut p = Policy::sample_2025();
        let shift = |d: NaiveDate| {
            NaiveDate::from_ymd_opt(d.year() + year - 2025, d.month(), d.day())
                .expect("no 29 February in the sample's dates")
        };
        p.version = format!("county-sample-{year}.1");
        p.name = format!(
            "{year}年度城乡居民基本医疗保险县级政策（样例，由2025年样例推算） / {year} sample \
             county policy (derived from the 2025 sample)"
        );
        p.scheme_year = year;
        p.coverage_from = shift(p.coverage_from);
        p.coverage_to = shift(p.coverage_to);
        let e = &mut p.enrolment;
        e.collection_from = shift(e.collection_from);
        e.collection_to = shift(e.collection_to);
        e.renewal_deadline = e.renewal_deadline.map(shift);
        e.working_weekends.clear();
        e.holidays = [(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)]
            .into_iter()
            .filter_map(|(m, d)| NaiveDate::from_ymd_opt(year, m, d))
            .collect();
        p
    }

    /// The policies shipped with Cunbao, by version.
    pub fn shipped(version: &str) -> Option<Policy> {
        [Policy::sample_2025(), Policy::sample_2021()]
            .into_iter()
            .find(|p| p.version == version)
    }

    /// Whether enrolment for this scheme year is in its concentrated collection period on `day`.
    pub fn collecting_on(&self, day: NaiveDate) -> bool {
        (self.enrolment.collection_from..=self.enrolment.collection_to).contains(&day)
    }

    /// Whether a renewal (the person was covered last year) made on `day` is after the
    /// renewal deadline: accepted, and marked late for the township.
    pub fn late_renewal(&self, day: NaiveDate) -> bool {
        self.enrolment
            .renewal_deadline
            .is_some_and(|deadline| day > deadline)
    }

    pub fn benefit(&self, kind: BenefitKind) -> Result<&BenefitRule, PolicyError> {
        self.benefits
            .iter()
            .find(|b| b.kind == kind)
            .ok_or(PolicyError::NoSuchBenefit(kind))
    }

    pub fn covers(&self, date: NaiveDate) -> bool {
        (self.coverage_from..=self.coverage_to).contains(&date)
    }

    pub fn in_collection_period(&self, date: NaiveDate) -> bool {
        (self.enrolment.collection_from..=self.enrolment.collection_to).contains(&date)
    }

    pub fn subsidy_for(&self, category: SubsidyCategory) -> Option<&Subsidy> {
        self.enrolment
            .subsidies
            .iter()
            .find(|s| s.category == category)
            .map(|s| &s.subsidy)
    }
}

/// The policy a visit on `date` is settled under: the one whose scheme year covers the date
/// (the latest version, if several do).
pub fn for_visit(policies: &[Policy], date: NaiveDate) -> Option<&Policy> {
    policies
        .iter()
        .filter(|p| p.covers(date))
        .max_by(|a, b| a.version.cmp(&b.version))
}

/// The policy an enrolment made on `day` is for: next year's while its collection period is
/// open (renewal and new enrolment on time), otherwise the year that covers the day (a late
/// enrolment, or a back-payment).
pub fn for_enrolment(policies: &[Policy], day: NaiveDate) -> Option<&Policy> {
    policies
        .iter()
        .filter(|p| p.collecting_on(day))
        .max_by_key(|p| p.scheme_year)
        .or_else(|| for_visit(policies, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visit_is_settled_under_its_years_policy_and_november_enrols_for_next_year() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let policies = [
            Policy::sample_2021(),
            Policy::sample_2025(),
            Policy::sample_for(2026),
            Policy::sample_for(2027),
        ];
        let version = |p: Option<&Policy>| p.map(|p| p.version.clone());
        assert_eq!(
            version(for_visit(&policies, day(2025, 6, 16))),
            Some("county-sample-2025.1".into())
        );
        assert_eq!(
            version(for_visit(&policies, day(2026, 11, 30))),
            Some("county-sample-2026.1".into())
        );
        assert_eq!(
            version(for_visit(&policies, day(2026, 12, 31))),
            Some("county-sample-2026.1".into())
        );
        assert_eq!(version(for_visit(&policies, day(2028, 1, 1))), None);
        // In the collection period (1 Sep – 31 Dec) the clinic collects next year's.
        assert_eq!(
            version(for_enrolment(&policies, day(2026, 11, 30))),
            Some("county-sample-2027.1".into())
        );
        assert_eq!(
            version(for_enrolment(&policies, day(2026, 9, 1))),
            Some("county-sample-2027.1".into())
        );
        // Outside it, an enrolment is for the year under way.
        assert_eq!(
            version(for_enrolment(&policies, day(2026, 8, 31))),
            Some("county-sample-2026.1".into())
        );
        assert_eq!(
            version(for_enrolment(&policies, day(2025, 6, 16))),
            Some("county-sample-2025.1".into())
        );
        // The day after the collection period closes: next year has begun; its late enrolment.
        assert_eq!(
            version(for_enrolment(&policies, day(2027, 1, 1))),
            Some("county-sample-2027.1".into())
        );
    }

    #[test]
    fn a_sample_policy_for_any_year_has_that_years_dates_and_the_same_figures() {
        let base = Policy::sample_2025();
        for year in [2024, 2026, 2027, 2030] {
            let p = Policy::sample_for(year);
            assert_eq!(p.version, format!("county-sample-{year}.1"));
            assert!(p.name.contains("样例"));
            assert_eq!(p.scheme_year, year);
            assert_eq!(
                p.coverage_from,
                NaiveDate::from_ymd_opt(year, 1, 1).unwrap()
            );
            assert_eq!(
                p.coverage_to,
                NaiveDate::from_ymd_opt(year, 12, 31).unwrap()
            );
            assert_eq!(
                p.enrolment.collection_from,
                NaiveDate::from_ymd_opt(year - 1, 9, 1).unwrap()
            );
            assert_eq!(
                p.enrolment.collection_to,
                NaiveDate::from_ymd_opt(year - 1, 12, 31).unwrap()
            );
            assert!(p.enrolment.holidays.iter().all(|d| d.year() == year));
            assert_eq!(p.benefits, base.benefits);
            assert_eq!(
                p.enrolment.contribution_per_person,
                base.enrolment.contribution_per_person
            );
            assert!(p.check().is_ok());
        }
    }

    #[test]
    fn a_renewal_after_the_deadline_is_late_and_the_deadline_moves_with_the_year() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let p = Policy::sample_for(2027);
        assert_eq!(p.enrolment.renewal_deadline, Some(day(2026, 11, 30)));
        assert!(!p.late_renewal(day(2026, 11, 30)));
        assert!(p.late_renewal(day(2026, 12, 1)));
        assert!(p.late_renewal(day(2027, 1, 5)));
        // A policy without one marks nothing late; one outside the collection period is refused.
        let mut none = p.clone();
        none.enrolment.renewal_deadline = None;
        assert!(!none.late_renewal(day(2026, 12, 31)));
        let mut wrong = p;
        wrong.enrolment.renewal_deadline = Some(day(2026, 8, 31));
        let json = serde_json::to_string(&wrong).unwrap();
        assert!(Policy::from_json(&json).is_err());
    }

    #[test]
    fn the_2025_sample_policy_has_product_md_figures() {
        let p = Policy::sample_2025();
        assert_eq!(p.enrolment.contribution_per_person, Money::yuan(390));
        assert!(p.enrolment.fiscal_subsidy_per_person >= Money::yuan(650));
        let general = p.benefit(BenefitKind::GeneralOutpatient).unwrap();
        assert_eq!(
            (general.deductible, general.ratio, general.annual_cap),
            (Money::yuan(300), Ratio::percent(50), Money::yuan(2000))
        );
        let chronic = p
            .benefit(BenefitKind::ChronicOutpatient {
                condition: ChronicCondition::Hypertension,
            })
            .unwrap();
        assert_eq!(
            (chronic.deductible, chronic.ratio),
            (Money::ZERO, Ratio::percent(70))
        );
        for (level, deductible, ratio) in [
            (FacilityLevel::Level1, 300, 90),
            (FacilityLevel::Level2, 400, 85),
            (FacilityLevel::Level3, 500, 80),
        ] {
            let b = p.benefit(BenefitKind::Inpatient { level }).unwrap();
            assert_eq!(
                (b.deductible, b.ratio),
                (Money::yuan(deductible), Ratio::percent(ratio))
            );
            assert_eq!(
                (b.annual_cap, b.cap_pool.as_str()),
                (Money::yuan(200_000), "inpatient")
            );
        }
        assert_eq!(p.enrolment.newborn_window_days, 90);
        assert_eq!(p.enrolment.waiting_period_months, 3);
        assert_eq!(p.subsidy_for(SubsidyCategory::Tekun), Some(&Subsidy::Full));
        assert_eq!(p.subsidy_for(SubsidyCategory::Dibao), Some(&Subsidy::Full));
    }

    #[test]
    fn the_offline_limit_is_inclusive_on_both_figures() {
        let limit = Policy::sample_2025().offline_limit;
        assert!(limit.allows(Money::yuan(500), Money::yuan(200)));
        assert!(!limit.allows(Money::parse("500.01").unwrap(), Money::yuan(10)));
        assert!(!limit.allows(Money::yuan(300), Money::parse("200.01").unwrap()));
    }

    #[test]
    fn policies_are_versioned_data() {
        let old = Policy::sample_2021();
        assert_eq!(old.enrolment.contribution_per_person, Money::yuan(320));
        assert_ne!(old.version, Policy::sample_2025().version);
    }

    #[test]
    fn invalid_policy_data_is_refused() {
        assert!(Policy::from_json("{}").is_err());
        let mut json: serde_json::Value =
            serde_json::from_str(include_str!("../data/policy-2025.json")).unwrap();
        json["coverage_to"] = "2024-01-01".into();
        assert!(Policy::from_json(&json.to_string()).is_err());
    }
}
