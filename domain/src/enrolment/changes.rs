//! Changes after enrolment (参保变更): stopping cover from a date (停保), correcting a name or
//! phone (更正), and proposing a refund of a contribution that should not have been collected
//! (退费申请). The ID number itself is never corrected this way: that is a void and a new
//! enrolment, with the township's approval.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::Coverage;
use crate::names::{PersonName, Phone};
use crate::text::{Bilingual, Text};

/// Why cover stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// 死亡
    Death,
    /// 迁出
    MovedAway,
    /// 参加职工医保
    EmployeeScheme,
}

impl StopReason {
    pub const ALL: [StopReason; 3] = [
        StopReason::Death,
        StopReason::MovedAway,
        StopReason::EmployeeScheme,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Death => "death",
            StopReason::MovedAway => "moved_away",
            StopReason::EmployeeScheme => "employee_scheme",
        }
    }

    pub fn parse(s: &str) -> Option<StopReason> {
        StopReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl Bilingual for StopReason {
    fn text(&self) -> Text {
        match self {
            StopReason::Death => Text::new("死亡", "death"),
            StopReason::MovedAway => Text::new("迁出", "moved away"),
            StopReason::EmployeeScheme => Text::new("参加职工医保", "joined the employee scheme"),
        }
    }
}

/// Cover stopped from a day on: the person is suspended on and after `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverStop {
    pub from: NaiveDate,
    pub reason: StopReason,
}

/// A corrected name or phone: the field and its value (the new one, or the earlier one in a
/// record of the change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum Correction {
    Name(PersonName),
    /// No phone (`null`) is a value too: a wrong number removed.
    Phone(Option<Phone>),
}

impl Correction {
    /// The value as shown ("—" for no phone).
    pub fn value_text(&self) -> String {
        match self {
            Correction::Name(name) => name.to_string(),
            Correction::Phone(Some(phone)) => phone.as_str().to_string(),
            Correction::Phone(None) => "—".into(),
        }
    }

    /// The same field's value on `member` now.
    pub fn current(&self, member: &super::Member) -> Correction {
        match self {
            Correction::Name(_) => Correction::Name(member.name.clone()),
            Correction::Phone(_) => Correction::Phone(member.phone.clone()),
        }
    }

    /// Writes the value onto `member`.
    pub fn apply_to(&self, member: &mut super::Member) {
        match self {
            Correction::Name(name) => member.name = name.clone(),
            Correction::Phone(phone) => member.phone = phone.clone(),
        }
    }
}

/// Why a contribution should not have been collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// 重复缴费
    Duplicate,
    /// 年度开始前已停保
    StoppedBeforeYear,
}

impl RefundReason {
    pub const ALL: [RefundReason; 2] = [RefundReason::Duplicate, RefundReason::StoppedBeforeYear];

    pub fn as_str(self) -> &'static str {
        match self {
            RefundReason::Duplicate => "duplicate",
            RefundReason::StoppedBeforeYear => "stopped_before_year",
        }
    }

    pub fn parse(s: &str) -> Option<RefundReason> {
        RefundReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl Bilingual for RefundReason {
    fn text(&self) -> Text {
        match self {
            RefundReason::Duplicate => Text::new("重复缴费", "paid twice"),
            RefundReason::StoppedBeforeYear => {
                Text::new("年度开始前已停保", "cover stopped before the year began")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeError {
    /// The stop date is before the enrolment's cover starts.
    StopBeforeCover {
        from: NaiveDate,
        cover_from: NaiveDate,
    },
    /// The stop date is in a later scheme year than the enrolment's.
    StopInLaterYear { from: NaiveDate, scheme_year: i32 },
    /// Cover was already stopped.
    AlreadyStopped { from: NaiveDate },
    /// The corrected value is the value already held.
    Unchanged,
}

impl Bilingual for ChangeError {
    fn text(&self) -> Text {
        match self {
            ChangeError::StopBeforeCover { from, cover_from } => Text::new(
                format!("停保日期{from}早于参保开始日期{cover_from}"),
                format!("the stop date {from} is before cover starts ({cover_from})"),
            ),
            ChangeError::StopInLaterYear { from, scheme_year } => Text::new(
                format!("停保日期{from}不在{scheme_year}年度内"),
                format!("the stop date {from} is not in scheme year {scheme_year}"),
            ),
            ChangeError::AlreadyStopped { from } => Text::new(
                format!("此人已于{from}停保"),
                format!("cover was already stopped from {from}"),
            ),
            ChangeError::Unchanged => Text::new(
                "更正后的内容与原来相同",
                "the corrected value is the same as before",
            ),
        }
    }
}

crate::bilingual_error!(ChangeError);

/// Checks that cover of an enrolment (`coverage`, for `scheme_year`, stopped already if
/// `stopped`) can stop from `from`: within the enrolment's cover, once.
pub fn check_stop(
    coverage: &Coverage,
    scheme_year: i32,
    stopped: Option<&CoverStop>,
    from: NaiveDate,
) -> Result<(), ChangeError> {
    if let Some(stop) = stopped {
        return Err(ChangeError::AlreadyStopped { from: stop.from });
    }
    if from.year() > scheme_year || from > coverage.to {
        return Err(ChangeError::StopInLaterYear { from, scheme_year });
    }
    if from < coverage.from {
        return Err(ChangeError::StopBeforeCover {
            from,
            cover_from: coverage.from,
        });
    }
    Ok(())
}

/// Checks that a correction changes something on `member`.
pub fn check_correction(
    member: &super::Member,
    correction: &Correction,
) -> Result<(), ChangeError> {
    if &correction.current(member) == correction {
        return Err(ChangeError::Unchanged);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrolment::{eligibility, CoverageBasis, Eligibility};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn cover() -> Coverage {
        Coverage {
            basis: CoverageBasis::OnTime,
            from: day(2026, 1, 1),
            to: day(2026, 12, 31),
            benefits_from: day(2026, 1, 1),
        }
    }

    #[test]
    fn suspended_on_and_after_the_stop_date_covered_before() {
        let c = cover();
        let stop = Some(day(2026, 6, 15));
        assert_eq!(
            eligibility(Some(&c), stop, day(2026, 6, 14)),
            Eligibility::Eligible
        );
        assert_eq!(
            eligibility(Some(&c), stop, day(2026, 6, 15)),
            Eligibility::Suspended
        );
        assert_eq!(
            eligibility(Some(&c), stop, day(2026, 6, 16)),
            Eligibility::Suspended
        );
        assert_eq!(
            eligibility(Some(&c), None, day(2026, 6, 16)),
            Eligibility::Eligible
        );
    }

    #[test]
    fn a_stop_date_must_fall_in_the_enrolments_cover_and_stops_once() {
        let c = cover();
        assert_eq!(check_stop(&c, 2026, None, day(2026, 1, 1)), Ok(()));
        assert_eq!(check_stop(&c, 2026, None, day(2026, 12, 31)), Ok(()));
        assert_eq!(
            check_stop(&c, 2026, None, day(2025, 12, 31)),
            Err(ChangeError::StopBeforeCover {
                from: day(2025, 12, 31),
                cover_from: day(2026, 1, 1)
            })
        );
        assert_eq!(
            check_stop(&c, 2026, None, day(2027, 1, 1)),
            Err(ChangeError::StopInLaterYear {
                from: day(2027, 1, 1),
                scheme_year: 2026
            })
        );
        let stopped = CoverStop {
            from: day(2026, 3, 1),
            reason: StopReason::Death,
        };
        assert_eq!(
            check_stop(&c, 2026, Some(&stopped), day(2026, 4, 1)),
            Err(ChangeError::AlreadyStopped {
                from: day(2026, 3, 1)
            })
        );
        assert!(ChangeError::StopBeforeCover {
            from: day(2025, 12, 31),
            cover_from: day(2026, 1, 1)
        }
        .text()
        .zh
        .contains("早于参保开始日期"));
    }

    #[test]
    fn a_correction_reads_field_and_value_on_the_wire() {
        let name = Correction::Name(PersonName::parse("韦志明").unwrap());
        let wire = serde_json::to_value(&name).unwrap();
        assert_eq!(
            wire,
            serde_json::json!({"field": "name", "value": "韦志明"})
        );
        assert_eq!(serde_json::from_value::<Correction>(wire).unwrap(), name);
        let too_long = serde_json::json!({"field": "name", "value": "长".repeat(31)});
        assert!(serde_json::from_value::<Correction>(too_long).is_err());
        let phone: Correction =
            serde_json::from_value(serde_json::json!({"field": "phone", "value": null})).unwrap();
        assert_eq!(phone, Correction::Phone(None));
        assert!(serde_json::from_value::<StopReason>(serde_json::json!("fled")).is_err());
    }
}
