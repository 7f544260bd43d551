//! Enrolment (参保登记) by household, contributions (缴费), coverage and waiting periods,
//! documents accepted as missing (容缺受理), and the one-enrolment-per-person-per-year rule.
//! Every number comes from the [`Policy`].

use crate::text::{Bilingual, Text};
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::id_number::IdNumber;
use crate::money::Money;
use crate::names::{PersonName, Phone};
pub use crate::person::{Eligibility, EvidenceKind, Relationship, SubsidyCategory};
use crate::policy::{Policy, Subsidy};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub number: String,
    /// For a disability certificate: the grade (1–4).
    #[serde(default)]
    pub disability_grade: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id_number: IdNumber,
    pub name: PersonName,
    pub relationship: Relationship,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub subsidy: Option<SubsidyCategory>,
    #[serde(default)]
    pub evidence: Option<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrolmentError {
    MissingEvidence {
        name: String,
        category: SubsidyCategory,
        expected: EvidenceKind,
    },
    DisabilityGrade {
        name: String,
    },
    HouseholdHead,
    RepeatedMember(String),
    Duplicate {
        id: String,
        year: i32,
        existing: String,
    },
    OutsideScheme {
        date: NaiveDate,
        year: i32,
    },
}

impl Bilingual for EnrolmentError {
    fn text(&self) -> Text {
        match self {
            EnrolmentError::MissingEvidence {
                name,
                category,
                expected,
            } => Text::new(
                format!(
                    "{name}：{}需要提供{}的证件号",
                    category.text().zh,
                    expected.text().zh
                ),
                format!(
                    "{name}: the {} category needs the number of the {}",
                    category.text().en,
                    expected.text().en
                ),
            ),
            EnrolmentError::DisabilityGrade { name } => Text::new(
                format!("{name}：重度残疾人资助仅限一、二级残疾"),
                format!("{name}: the severe-disability subsidy is for grades 1–2 only"),
            ),
            EnrolmentError::HouseholdHead => Text::new(
                "一户必须有且只有一名户主",
                "a household needs exactly one head",
            ),
            EnrolmentError::RepeatedMember(id) => Text::new(
                format!("同一户内身份证号重复：{id}"),
                format!("the same ID number twice in one household: {id}"),
            ),
            EnrolmentError::Duplicate { id, year, existing } => Text::new(
                format!("{id}已在{year}年度参保（登记号{existing}），不能重复参保"),
                format!("{id} is already enrolled for {year} (enrolment {existing})"),
            ),
            EnrolmentError::OutsideScheme { date, year } => Text::new(
                format!("{date}不在{year}年度的参保登记期内"),
                format!("{date} is outside the enrolment window for {year}"),
            ),
        }
    }
}

crate::bilingual_error!(EnrolmentError);

/// What one member owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberContribution {
    pub id_number: IdNumber,
    pub gross: Money,
    pub subsidy: Money,
    pub due: Money,
}

/// Checks a member's subsidy evidence and works out their contribution under `policy`.
pub fn member_contribution(
    policy: &Policy,
    member: &Member,
) -> Result<MemberContribution, EnrolmentError> {
    let gross = policy.enrolment.contribution_per_person;
    let subsidy = match member.subsidy {
        None => Money::ZERO,
        Some(category) => {
            let expected = category.evidence();
            let evidence = member
                .evidence
                .as_ref()
                .filter(|e| e.kind == expected && !e.number.trim().is_empty())
                .ok_or_else(|| EnrolmentError::MissingEvidence {
                    name: member.name.to_string(),
                    category,
                    expected,
                })?;
            if category == SubsidyCategory::SevereDisability
                && !matches!(evidence.disability_grade, Some(1 | 2))
            {
                return Err(EnrolmentError::DisabilityGrade {
                    name: member.name.to_string(),
                });
            }
            match policy.subsidy_for(category) {
                Some(Subsidy::Full) => gross,
                Some(Subsidy::Fixed { amount }) => (*amount).min(gross),
                None => Money::ZERO,
            }
        }
    };
    Ok(MemberContribution {
        id_number: member.id_number.clone(),
        gross,
        subsidy,
        due: gross.saturating_sub(subsidy),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdContribution {
    pub members: Vec<MemberContribution>,
    pub total_due: Money,
}

/// Checks the household's shape and works out what it pays.
pub fn household_contribution(
    policy: &Policy,
    members: &[Member],
) -> Result<HouseholdContribution, EnrolmentError> {
    let heads = members
        .iter()
        .filter(|m| m.relationship == Relationship::Head)
        .count();
    if heads != 1 {
        return Err(EnrolmentError::HouseholdHead);
    }
    for (i, m) in members.iter().enumerate() {
        if members[..i].iter().any(|o| o.id_number == m.id_number) {
            return Err(EnrolmentError::RepeatedMember(m.id_number.masked()));
        }
    }
    let members = members
        .iter()
        .map(|m| member_contribution(policy, m))
        .collect::<Result<Vec<_>, _>>()?;
    let total_due = members.iter().map(|m| m.due).sum();
    Ok(HouseholdContribution { members, total_due })
}

/// How an enrolment's coverage came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CoverageBasis {
    /// Enrolled in the collection period: covered from 1 January, no waiting.
    OnTime,
    /// A newborn within the window: covered from the birth month, no waiting.
    Newborn,
    /// Enrolled during the year without continuous prior cover: waiting period.
    Late,
    /// Enrolled during the year within the lapse allowance of prior cover: no waiting.
    Continuous,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    pub basis: CoverageBasis,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Benefits start on this day (the day after the waiting period), if there is one.
    pub benefits_from: NaiveDate,
}

/// Coverage for a person enrolling on `enrolled_on` into `policy`'s scheme year.
/// `prior_cover_to` is the last day of any earlier cover (this scheme or another).
pub fn coverage(
    policy: &Policy,
    birth_date: NaiveDate,
    enrolled_on: NaiveDate,
    prior_cover_to: Option<NaiveDate>,
) -> Result<Coverage, EnrolmentError> {
    let rules = &policy.enrolment;
    let outside = || EnrolmentError::OutsideScheme {
        date: enrolled_on,
        year: policy.scheme_year,
    };
    if enrolled_on < rules.collection_from || enrolled_on > policy.coverage_to {
        return Err(outside());
    }
    let days_old = (enrolled_on - birth_date).num_days();
    let newborn = (0..=i64::from(rules.newborn_window_days)).contains(&days_old);
    let (basis, from) = if newborn {
        let birth_month = birth_date.with_day(1).expect("day 1 exists");
        (
            CoverageBasis::Newborn,
            birth_month.max(policy.coverage_from),
        )
    } else if enrolled_on <= rules.collection_to {
        (CoverageBasis::OnTime, policy.coverage_from)
    } else {
        let continuous = prior_cover_to.is_some_and(|end| {
            let allowed = end + Months::new(rules.lapse_months);
            enrolled_on <= allowed
        });
        let basis = if continuous {
            CoverageBasis::Continuous
        } else {
            CoverageBasis::Late
        };
        (basis, enrolled_on.max(policy.coverage_from))
    };
    let benefits_from = match basis {
        CoverageBasis::Late => from + Months::new(rules.waiting_period_months),
        _ => from,
    };
    if from > policy.coverage_to {
        return Err(outside());
    }
    Ok(Coverage {
        basis,
        from,
        to: policy.coverage_to,
        benefits_from,
    })
}

/// Where a person with `coverage` stands on `on`; cover stopped from `stopped_from` (停保)
/// suspends them on and after that day.
pub fn eligibility(
    coverage: Option<&Coverage>,
    stopped_from: Option<NaiveDate>,
    on: NaiveDate,
) -> Eligibility {
    match coverage {
        _ if stopped_from.is_some_and(|from| on >= from) => Eligibility::Suspended,
        Some(c) if (c.from..=c.to).contains(&on) => {
            if on < c.benefits_from {
                Eligibility::Waiting {
                    until: c.benefits_from - Days::new(1),
                }
            } else {
                Eligibility::Eligible
            }
        }
        _ => Eligibility::NotEnrolled,
    }
}

/// The deadline for papers accepted as missing: `policy`'s number of working days after
/// `accepted_on`, skipping weekends (but not the policy's working weekends) and its holidays.
pub fn pending_documents_deadline(policy: &Policy, accepted_on: NaiveDate) -> NaiveDate {
    let mut day = accepted_on;
    let mut left = policy.enrolment.pending_documents_working_days;
    while left > 0 {
        day = day + Days::new(1);
        let rules = &policy.enrolment;
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let working = if weekend {
            rules.working_weekends.contains(&day)
        } else {
            !rules.holidays.contains(&day)
        };
        if working {
            left -= 1;
        }
    }
    day
}

/// An enrolment already known (on this device, or on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KnownEnrolment {
    pub enrolment_id: String,
    pub id_number: IdNumber,
    pub scheme_year: i32,
    pub active: bool,
}

/// One active enrolment per person per scheme year.
pub fn check_not_enrolled(
    known: &[KnownEnrolment],
    id: &IdNumber,
    scheme_year: i32,
) -> Result<(), EnrolmentError> {
    match known
        .iter()
        .find(|k| k.active && k.scheme_year == scheme_year && &k.id_number == id)
    {
        Some(existing) => Err(EnrolmentError::Duplicate {
            id: id.masked(),
            year: scheme_year,
            existing: existing.enrolment_id.clone(),
        }),
        None => Ok(()),
    }
}

mod changes;
pub use changes::{
    check_correction, check_stop, ChangeError, Correction, CoverStop, RefundReason, StopReason,
};

#[cfg(test)]
mod tests;
