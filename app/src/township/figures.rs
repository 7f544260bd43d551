//! The pure parts of the township's dashboard and monthly report (built and tested natively;
//! the screens are in `ui::pages::township`): chart scaling, the enrolment target a field
//! holds, and the months a report may be asked for.

use chrono::{Datelike, Months, NaiveDate};
use cunbao_domain::dashboard::EnrolmentTarget;

use crate::i18n::Key;

/// `value` scaled to `width` against `max` (0 when max is 0).
pub fn scaled(value: i64, max: i64, width: i64) -> i64 {
    if max <= 0 {
        0
    } else {
        value.clamp(0, max) * width / max
    }
}

/// What a target field holds: empty is none; otherwise a whole number up to the most (the
/// message to show beside the field when it is not).
pub fn parse_target(field: &str) -> Result<Option<u32>, Key> {
    let field = field.trim();
    if field.is_empty() {
        return Ok(None);
    }
    match field.parse::<u32>() {
        Ok(n) if n <= EnrolmentTarget::MAX => Ok(Some(n)),
        _ => Err(Key::BadTargetNumber),
    }
}

/// The first day of the month `n` months before `today`'s.
fn months_back(today: NaiveDate, n: u32) -> NaiveDate {
    let first = today.with_day(1).unwrap_or(today);
    first - Months::new(n)
}

/// The month before `today`'s, `YYYY-MM`: the one a report is due for.
pub fn last_month(today: NaiveDate) -> String {
    months_back(today, 1).format("%Y-%m").to_string()
}

/// The months a report may be asked for, newest first: this one and the two years before,
/// as (`YYYY-MM`, what the list shows in Chinese).
pub fn report_months(today: NaiveDate) -> Vec<(String, String)> {
    (0..=24)
        .map(|n| {
            let m = months_back(today, n);
            (
                m.format("%Y-%m").to_string(),
                format!("{}年{}月", m.year(), m.month()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_scale_in_whole_numbers_and_stay_inside() {
        assert_eq!(scaled(50, 100, 260), 130);
        assert_eq!(scaled(150, 100, 260), 260, "clamped");
        assert_eq!(scaled(-5, 100, 260), 0);
        assert_eq!(scaled(7, 0, 260), 0, "nothing to scale against");
    }

    #[test]
    fn a_target_is_empty_or_a_whole_number_up_to_the_most() {
        assert_eq!(parse_target(""), Ok(None));
        assert_eq!(parse_target(" 620 "), Ok(Some(620)));
        assert_eq!(parse_target("100000"), Ok(Some(100_000)));
        assert_eq!(parse_target("100001"), Err(Key::BadTargetNumber));
        assert_eq!(parse_target("-5"), Err(Key::BadTargetNumber));
        assert_eq!(parse_target("6.5"), Err(Key::BadTargetNumber));
        assert_eq!(parse_target("六百"), Err(Key::BadTargetNumber));
    }

    #[test]
    fn the_report_due_is_last_months_across_the_new_year() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(last_month(day(2026, 11, 30)), "2026-10");
        assert_eq!(last_month(day(2026, 12, 1)), "2026-11");
        assert_eq!(last_month(day(2027, 1, 10)), "2026-12");
        assert_eq!(last_month(day(2024, 3, 31)), "2024-02");
    }

    #[test]
    fn a_report_may_be_asked_for_this_month_and_the_two_years_before() {
        let months = report_months(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        assert_eq!(months.len(), 25);
        assert_eq!(months[0], ("2026-11".to_string(), "2026年11月".to_string()));
        assert_eq!(months[24].0, "2024-11");
        assert_eq!(months[11].0, "2025-12", "across the year's turn");
    }
}
