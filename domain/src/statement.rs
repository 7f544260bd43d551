//! The township's monthly statement per clinic (月度结算单) and the cash a clinic hands in
//! (解缴): the wire types both sides read. A statement moves draft → issued (locked) → paid;
//! what changes after it is issued is carried on the next month's statement as an
//! adjustment, never as an edit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::claim::ClaimStatus;
use crate::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatementState {
    /// Worked out afresh each time it is read.
    Draft,
    /// Locked: what it says never changes.
    Issued,
    /// Issued and paid to the clinic.
    Paid,
}

/// One claim on a statement: what the fund pays the clinic for it on this statement (for a
/// claim carried from an issued statement, the difference since).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementLine {
    pub claim_id: String,
    pub visit_date: NaiveDate,
    /// The patient's masked ID number.
    pub person: String,
    pub status: ClaimStatus,
    pub total: Money,
    /// What the fund pays for the claim now.
    pub fund: Money,
    /// What this statement pays for it: `fund`, less what earlier statements paid.
    pub payable: Money,
    /// An earlier statement carried it: this line is the adjustment since.
    pub carried: bool,
}

/// Totals of a statement, each to the fen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementTotals {
    pub claims: u32,
    pub claims_total: Money,
    /// Settled and approved claims: the fund's share payable for them.
    pub fund_payable: Money,
    /// Rejected claims (nothing payable) and claims still waiting for review (not yet).
    pub rejected: u32,
    pub waiting_review: u32,
    /// Differences for claims on earlier issued statements.
    pub adjustments: Money,
    /// Contributions collected at the clinic in the month (receipts), and cash handed in.
    pub receipts: u32,
    pub receipts_total: Money,
    pub cash_handed_in: Money,
    /// What the township pays the clinic: the fund payable and adjustments, less the cash
    /// collected and not handed in.
    pub net_payable: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Statement {
    pub clinic_id: String,
    pub clinic_name: String,
    pub township_name: String,
    /// `YYYY-MM`.
    pub month: String,
    pub state: StatementState,
    pub totals: StatementTotals,
    pub lines: Vec<StatementLine>,
    #[serde(default)]
    pub issued_by: Option<String>,
    #[serde(default)]
    pub issued_at: Option<String>,
    #[serde(default)]
    pub paid_on: Option<NaiveDate>,
    #[serde(default)]
    pub payment_reference: Option<String>,
}

/// Marks an issued statement paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    pub paid_on: NaiveDate,
    pub payment_reference: String,
}

/// Cash a clinic handed in to the township (解缴).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CashHandIn {
    pub clinic_id: String,
    pub amount: Money,
    pub received_on: NaiveDate,
    /// The receipts it covers, as written on the township's receipt ("R…-0001 至 R…-0040").
    pub receipts_covered: String,
}

/// A clinic's cash: receipts issued, cash handed in, and the gap until it closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashStanding {
    pub clinic_id: String,
    pub clinic_name: String,
    pub receipts: u32,
    pub receipts_total: Money,
    pub handed_in: Money,
    /// `receipts_total - handed_in`: zero when the clinic's cash is closed.
    pub gap: Money,
    /// The hand-ins recorded, newest first.
    pub hand_ins: Vec<RecordedHandIn>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedHandIn {
    pub id: String,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub receipts_covered: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// The month `YYYY-MM` of a day.
pub fn month_of(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// The first and last day of the month `YYYY-MM`, if it is one.
pub fn month_bounds(month: &str) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    if month_of(first) != month {
        return None;
    }
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some((first, next.pred_opt()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_yyyy_mm_and_has_its_first_and_last_day() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            month_bounds("2026-02"),
            Some((d(2026, 2, 1), d(2026, 2, 28)))
        );
        assert_eq!(
            month_bounds("2024-02"),
            Some((d(2024, 2, 1), d(2024, 2, 29)))
        );
        assert_eq!(
            month_bounds("2026-12"),
            Some((d(2026, 12, 1), d(2026, 12, 31)))
        );
        for bad in ["2026-13", "2026-1", "26-01", "2026-01-01", "", "x"] {
            assert_eq!(month_bounds(bad), None, "{bad}");
        }
        assert_eq!(month_of(d(2026, 11, 30)), "2026-11");
    }
}
