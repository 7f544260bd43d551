//! The township's monthly statement per clinic (月度结算单) and the cash a clinic hands in
//! (解缴): the wire types both sides read. A statement moves draft → issued (locked) → paid;
//! what changes after it is issued is carried on the next month's statement as an
//! adjustment, never as an edit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::claim::ClaimStatus;
use crate::money::Money;
use crate::signed_money::SignedMoney;
use crate::text::Text;

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

impl StatementState {
    /// As stored in the database and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            StatementState::Draft => "draft",
            StatementState::Issued => "issued",
            StatementState::Paid => "paid",
        }
    }

    pub fn parse(s: &str) -> Option<StatementState> {
        [
            StatementState::Draft,
            StatementState::Issued,
            StatementState::Paid,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
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
    /// What this statement pays for it: `fund`, less what earlier statements paid (negative
    /// for a claim rejected after a statement paid it).
    pub payable: SignedMoney,
    /// An earlier statement carried it: this line is the adjustment since.
    pub carried: bool,
    /// A deduction found when the claim was sampled (结果质检): this line takes it back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub finding: bool,
}

/// Totals of a statement, each to the fen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementTotals {
    /// Claims first on this statement (paid or rejected) and what they cost in all; claims
    /// carried from an earlier statement are in `adjustments` instead.
    pub claims: u32,
    pub claims_total: Money,
    /// Settled and approved claims: the fund's share payable for them.
    pub fund_payable: Money,
    /// Rejected claims (nothing payable) and claims still waiting for review (not yet).
    pub rejected: u32,
    pub waiting_review: u32,
    /// Differences for claims on earlier issued statements.
    pub adjustments: SignedMoney,
    /// Contributions collected at the clinic (receipts) and cash handed in, in the month — or
    /// before it, when synced or recorded after that month's statement was issued.
    pub receipts: u32,
    pub receipts_total: Money,
    /// Contributions refunded to payers, approved by a second person of the township in the
    /// month (or before, after that month's statement was issued): cash the clinic paid out.
    #[serde(default)]
    pub refunds_total: Money,
    pub cash_handed_in: Money,
    /// What the township pays the clinic: the fund payable and adjustments, less the cash
    /// collected and neither refunded nor handed in: `fund_payable + adjustments −
    /// (receipts_total − refunds_total − cash_handed_in)`. Negative: the clinic owes the
    /// township.
    pub net_payable: SignedMoney,
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

/// A clinic's statement for a month without its lines: the township's list of the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementSummary {
    pub clinic_id: String,
    pub clinic_name: String,
    pub month: String,
    pub state: StatementState,
    pub totals: StatementTotals,
    #[serde(default)]
    pub issued_at: Option<String>,
    #[serde(default)]
    pub paid_on: Option<NaiveDate>,
    #[serde(default)]
    pub payment_reference: Option<String>,
}

impl From<&Statement> for StatementSummary {
    fn from(s: &Statement) -> StatementSummary {
        StatementSummary {
            clinic_id: s.clinic_id.clone(),
            clinic_name: s.clinic_name.clone(),
            month: s.month.clone(),
            state: s.state,
            totals: s.totals.clone(),
            issued_at: s.issued_at.clone(),
            paid_on: s.paid_on,
            payment_reference: s.payment_reference.clone(),
        }
    }
}

/// The longest payment reference (a bank transfer's number) and receipts note accepted.
pub const MAX_PAYMENT_REFERENCE: usize = 64;
pub const MAX_RECEIPTS_COVERED: usize = 200;

/// No clinic hands in more cash than this at once.
pub fn max_hand_in() -> Money {
    Money::yuan(1_000_000)
}

/// Text a person typed: trimmed, 1 to `max` characters, no control characters.
fn typed_text(text: &str, max: usize) -> Option<&str> {
    let text = text.trim();
    let count = text.chars().count();
    ((1..=max).contains(&count) && !text.chars().any(char::is_control)).then_some(text)
}

/// Marks an issued statement paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    pub paid_on: NaiveDate,
    pub payment_reference: String,
}

impl PaymentRequest {
    /// The reference as it is kept (trimmed), if the request is sound: paid today or before,
    /// a reference of 1 to 64 characters without control characters.
    pub fn check(&self, today: NaiveDate) -> Result<String, Text> {
        if self.paid_on > today {
            return Err(Text::new(
                format!("付款日期{}在今天之后", self.paid_on),
                format!("The payment date {} is in the future", self.paid_on),
            ));
        }
        typed_text(&self.payment_reference, MAX_PAYMENT_REFERENCE)
            .map(str::to_string)
            .ok_or_else(|| {
                Text::new(
                    format!("付款凭证号应为1至{MAX_PAYMENT_REFERENCE}个字符，不含控制字符"),
                    format!(
                        "The payment reference must be 1 to {MAX_PAYMENT_REFERENCE} characters \
                         without control characters"
                    ),
                )
            })
    }
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

/// What is wrong with a hand-in, if anything: which field, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandInProblem {
    Amount,
    Date,
    Receipts,
}

impl CashHandIn {
    /// The receipts note as it is kept (trimmed), if the hand-in is sound: more than zero and
    /// at most 1,000,000.00, received today or before (and not before 2000), and a note of the
    /// receipts it covers of 1 to 200 characters without control characters.
    pub fn check(&self, today: NaiveDate) -> Result<String, (HandInProblem, Text)> {
        let max = max_hand_in();
        if self.amount.is_zero() || self.amount > max {
            return Err((
                HandInProblem::Amount,
                Text::new(
                    format!("解缴金额应大于0且不超过{max}元"),
                    format!("The amount handed in must be above 0 and at most {max}"),
                ),
            ));
        }
        let earliest = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
        if self.received_on > today || self.received_on < earliest {
            return Err((
                HandInProblem::Date,
                Text::new(
                    format!("收款日期{}不在今天及以前", self.received_on),
                    format!(
                        "The date received {} is not today or before",
                        self.received_on
                    ),
                ),
            ));
        }
        typed_text(&self.receipts_covered, MAX_RECEIPTS_COVERED)
            .map(str::to_string)
            .ok_or_else(|| {
                (
                    HandInProblem::Receipts,
                    Text::new(
                        format!("所缴收据应写明，1至{MAX_RECEIPTS_COVERED}个字符，不含控制字符"),
                        format!(
                            "Say which receipts it covers: 1 to {MAX_RECEIPTS_COVERED} \
                             characters without control characters"
                        ),
                    ),
                )
            })
    }
}

/// A clinic's cash: receipts issued, cash handed in, and the gap until it closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashStanding {
    pub clinic_id: String,
    pub clinic_name: String,
    pub receipts: u32,
    pub receipts_total: Money,
    /// Refunds approved (cash the clinic paid back to payers).
    #[serde(default)]
    pub refunded: Money,
    pub handed_in: Money,
    /// `receipts_total - refunded - handed_in`: zero when the clinic's cash is closed
    /// (negative: more handed in than the receipts synced so far).
    pub gap: SignedMoney,
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
    fn a_hand_in_and_a_payment_are_checked() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let hand_in = |amount: &str, on: NaiveDate, receipts: &str| CashHandIn {
            clinic_id: "clinic-lijia".into(),
            amount: Money::parse(amount).unwrap(),
            received_on: on,
            receipts_covered: receipts.into(),
        };
        assert_eq!(
            hand_in("100.00", today, " R-0001 至 R-0040 ").check(today),
            Ok("R-0001 至 R-0040".to_string())
        );
        let tomorrow = today.succ_opt().unwrap();
        for (bad, problem) in [
            (hand_in("0", today, "R-1"), HandInProblem::Amount),
            (hand_in("1000000.01", today, "R-1"), HandInProblem::Amount),
            (hand_in("1", tomorrow, "R-1"), HandInProblem::Date),
            (hand_in("1", today, "  "), HandInProblem::Receipts),
            (hand_in("1", today, "R\u{7}"), HandInProblem::Receipts),
            (
                hand_in("1", today, &"收".repeat(201)),
                HandInProblem::Receipts,
            ),
        ] {
            assert_eq!(bad.check(today).unwrap_err().0, problem, "{bad:?}");
        }
        assert!(hand_in("1000000.00", today, &"收".repeat(200))
            .check(today)
            .is_ok());
        let payment = |on: NaiveDate, reference: &str| PaymentRequest {
            paid_on: on,
            payment_reference: reference.into(),
        };
        assert_eq!(
            payment(today, "ZZ2026031000123").check(today),
            Ok("ZZ2026031000123".into())
        );
        assert!(payment(tomorrow, "ZZ1").check(today).is_err());
        assert!(payment(today, "").check(today).is_err());
        assert!(payment(today, "a\nb").check(today).is_err());
        assert!(payment(today, &"x".repeat(65)).check(today).is_err());
    }

    #[test]
    fn states_are_named_as_stored() {
        for state in [
            StatementState::Draft,
            StatementState::Issued,
            StatementState::Paid,
        ] {
            assert_eq!(StatementState::parse(state.as_str()), Some(state));
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
    }

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
