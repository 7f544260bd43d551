//! The scheme's calendar day: China Standard Time (UTC+8, with no daylight saving), whatever
//! zone the server's machine is set to — so that a server and the tablets it serves agree on
//! "today" between 16:00 and 24:00 UTC too.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Now, on the clock in China.
pub fn now_in_china() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&china())
}

/// Today in China.
pub fn today() -> NaiveDate {
    now_in_china().date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_day_turns_at_midnight_in_china() {
        let before = Utc.with_ymd_and_hms(2026, 11, 30, 15, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap();
        assert_eq!(
            before.with_timezone(&china()).date_naive().to_string(),
            "2026-11-30"
        );
        assert_eq!(
            after.with_timezone(&china()).date_naive().to_string(),
            "2026-12-01"
        );
    }
}
