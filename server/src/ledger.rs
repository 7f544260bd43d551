//! Amounts a statement takes, each dated: contribution receipts, refunds approved, cash
//! handed in, deductions found when sampling. Each repository (records, [`crate::proposals`],
//! [`crate::cash`], [`crate::sampling`]) reads its own; [`crate::statements::draft`] works
//! them into a statement.

use chrono::NaiveDate;
use cunbao_domain::money::Money;

/// A contribution receipt, a refund or a cash hand-in: its id, amount and day.
#[derive(Debug, Clone)]
pub struct Dated {
    pub id: String,
    pub amount: Money,
    pub on: NaiveDate,
}

/// A deduction found on one of the clinic's claims: the claim, the amount, and the first day
/// of the month sampled — so that the month's statement takes it, or the first one after it
/// still to be issued.
#[derive(Debug, Clone)]
pub struct Deduction {
    pub claim_id: String,
    pub amount: Money,
    pub on: NaiveDate,
}

/// The statement item's record id of the finding on `claim`.
pub fn finding_item(claim: &str) -> String {
    format!("finding-{claim}")
}
