//! The review queue's filters and the words of its rows: pure, so they are tested natively.
//! The pages are `ui::pages::township::review_*`.

use cunbao_domain::review::QueueItem;

/// What the reviewer narrowed the queue to; empty fields are no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub clinic: String,
    /// A rule (its serde name, e.g. `duplicate_charge`).
    pub rule: String,
    /// A benefit (its serde name, e.g. `general_outpatient`).
    pub benefit: String,
    pub min_hours: Option<i64>,
}

impl QueueFilter {
    /// The query string of the filter (`?clinic=…&rule=…`), empty when there is none.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        for (name, value) in [
            ("clinic", self.clinic.as_str()),
            ("rule", self.rule.as_str()),
            ("benefit", self.benefit.as_str()),
        ] {
            if !value.is_empty() {
                parts.push(format!("{name}={}", escape(value)));
            }
        }
        if let Some(hours) = self.min_hours {
            parts.push(format!("min_hours={hours}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

pub use cunbao_domain::percent::encode as escape;

/// How a claim's wait stands against the time limits (routine within 24 h, at most 48 h).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Routine,
    /// Past 24 hours: due.
    Due,
    /// Past 48 hours: late.
    Late,
}

impl Wait {
    pub fn of(hours: i64) -> Wait {
        match hours {
            h if h >= 48 => Wait::Late,
            h if h >= 24 => Wait::Due,
            _ => Wait::Routine,
        }
    }

    /// The CSS class of the row's wait.
    pub fn class(self) -> &'static str {
        match self {
            Wait::Routine => "wait-routine",
            Wait::Due => "wait-due",
            Wait::Late => "wait-late",
        }
    }
}

/// The clinics the queue holds, `(id, name)`, by name, each once: the clinic filter's choices.
pub fn clinics(items: &[QueueItem]) -> Vec<(String, String)> {
    let mut clinics: Vec<(String, String)> = items
        .iter()
        .map(|i| (i.clinic_id.clone(), i.clinic_name.clone()))
        .collect();
    crate::sort::sort_by(&mut clinics, |a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    clinics.dedup();
    clinics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_is_a_query_string_with_its_values_escaped() {
        assert_eq!(QueueFilter::default().query(), "");
        let filter = QueueFilter {
            clinic: "clinic-lijia".into(),
            rule: String::new(),
            benefit: "general_outpatient".into(),
            min_hours: Some(24),
        };
        assert_eq!(
            filter.query(),
            "?clinic=clinic-lijia&benefit=general_outpatient&min_hours=24"
        );
        assert_eq!(escape("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn waits_are_routine_then_due_at_24_hours_then_late_at_48() {
        assert_eq!(Wait::of(0), Wait::Routine);
        assert_eq!(Wait::of(23), Wait::Routine);
        assert_eq!(Wait::of(24), Wait::Due);
        assert_eq!(Wait::of(47), Wait::Due);
        assert_eq!(Wait::of(48), Wait::Late);
    }
}
