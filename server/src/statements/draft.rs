//! A clinic's draft statement for a month, worked out from what the server holds: every claim
//! visited by the month's last day that no issued statement took yet, the claims an issued
//! statement took whose payable changed since (carried, as the difference), and the receipts
//! and cash hand-ins of the month and before that no issued statement took. Pure: the reading
//! is done by the caller ([`super::read_draft`]).

use std::collections::HashMap;

use chrono::NaiveDate;
use cunbao_domain::claim::ClaimStatus;
use cunbao_domain::money::Money;
use cunbao_domain::signed_money::SignedMoney;
use cunbao_domain::statement::{StatementLine, StatementTotals};

use crate::ledger::finding_item;
pub use crate::ledger::{Dated, Deduction};

/// A claim of the clinic as the statement needs it.
#[derive(Debug, Clone)]
pub struct ClaimFacts {
    pub id: String,
    pub status: ClaimStatus,
    pub visit_date: NaiveDate,
    /// Masked.
    pub person: String,
    pub total: Money,
    /// What the fund pays by the server's settlement (nothing, once rejected or voided).
    pub fund: Money,
}

impl ClaimFacts {
    /// What the fund pays the clinic for the claim now.
    fn payable_now(&self) -> SignedMoney {
        if self.status.pays() {
            self.fund.into()
        } else {
            SignedMoney::ZERO
        }
    }
}

/// What a statement takes: claims (with what it pays for each), receipts and hand-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Claim,
    Receipt,
    /// A refund of a contribution, approved.
    Refund,
    /// A deduction found when a claim was sampled.
    Finding,
    Cash,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Claim => "claim",
            ItemKind::Receipt => "receipt",
            ItemKind::Refund => "refund",
            ItemKind::Finding => "finding",
            ItemKind::Cash => "cash",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    pub record_id: String,
    pub amount: SignedMoney,
}

/// What issued statements took of the clinic: the sum per record (for a claim, what they paid
/// for it; a record taken is in here even at zero).
pub type Taken = HashMap<String, SignedMoney>;

pub struct Worked {
    pub lines: Vec<StatementLine>,
    pub totals: StatementTotals,
    /// What issuing it takes.
    pub items: Vec<Item>,
}

/// The draft up to `last` (the month's last day).
pub fn work_out(
    claims: &[ClaimFacts],
    receipts: &[Dated],
    refunds: &[Dated],
    cash: &[Dated],
    deductions: &[Deduction],
    taken: &Taken,
    last: NaiveDate,
) -> Worked {
    let mut totals = StatementTotals::default();
    let mut lines = Vec::new();
    let mut carried = Vec::new();
    let line_of = |claim: &ClaimFacts, payable: SignedMoney, carried: bool| StatementLine {
        claim_id: claim.id.clone(),
        visit_date: claim.visit_date,
        person: claim.person.clone(),
        status: claim.status,
        total: claim.total,
        fund: if claim.status.pays() {
            claim.fund
        } else {
            Money::ZERO
        },
        payable,
        carried,
        finding: false,
    };
    let mut found = Vec::new();
    for d in deductions.iter().filter(|d| d.on <= last) {
        let item = finding_item(&d.claim_id);
        let Some(claim) = claims.iter().find(|c| c.id == d.claim_id) else {
            continue;
        };
        // Taken back while the claim pays. A claim that no longer pays gives back all it was
        // paid on its own line, so a deduction already taken is given back here: the fund
        // never takes back more than it paid.
        let now = if claim.status.pays() {
            SignedMoney::ZERO - SignedMoney::from(d.amount)
        } else {
            SignedMoney::ZERO
        };
        let amount = now - taken.get(&item).copied().unwrap_or_default();
        if amount.is_zero() {
            continue;
        }
        totals.adjustments = totals.adjustments + amount;
        found.push((
            item,
            StatementLine {
                finding: true,
                ..line_of(claim, amount, true)
            },
        ));
    }
    for claim in claims.iter().filter(|c| c.visit_date <= last) {
        let line = |payable: SignedMoney, carried: bool| line_of(claim, payable, carried);
        if let Some(paid) = taken.get(&claim.id) {
            let difference = claim.payable_now() - *paid;
            if !difference.is_zero() {
                totals.adjustments = totals.adjustments + difference;
                carried.push(line(difference, true));
            }
            continue;
        }
        match claim.status {
            ClaimStatus::PendingReview => totals.waiting_review += 1,
            // Voided before any statement took it: it was never a claim on the fund.
            ClaimStatus::Voided => {}
            status => {
                totals.claims += 1;
                totals.claims_total = totals.claims_total + claim.total;
                if status == ClaimStatus::Rejected {
                    totals.rejected += 1;
                } else {
                    totals.fund_payable = totals.fund_payable + claim.fund;
                }
                lines.push(line(claim.payable_now(), false));
            }
        }
    }
    let fresh = |all: &[Dated]| -> Vec<Dated> {
        all.iter()
            .filter(|d| d.on <= last && !taken.contains_key(&d.id))
            .cloned()
            .collect()
    };
    let receipts = fresh(receipts);
    let refunds = fresh(refunds);
    let cash = fresh(cash);
    totals.receipts = receipts.len() as u32;
    totals.receipts_total = receipts.iter().map(|r| r.amount).sum();
    totals.refunds_total = refunds.iter().map(|r| r.amount).sum();
    totals.cash_handed_in = cash.iter().map(|c| c.amount).sum();
    totals.net_payable = SignedMoney::from(totals.fund_payable) + totals.adjustments
        - (SignedMoney::from(totals.receipts_total)
            - SignedMoney::from(totals.refunds_total)
            - SignedMoney::from(totals.cash_handed_in));
    let order = |a: &StatementLine, b: &StatementLine| {
        (a.visit_date, &a.claim_id).cmp(&(b.visit_date, &b.claim_id))
    };
    lines.sort_by(order);
    carried.sort_by(order);
    lines.extend(carried);
    found.sort_by(|a, b| order(&a.1, &b.1));
    let item = |kind, record_id: &str, amount| Item {
        kind,
        record_id: record_id.to_string(),
        amount,
    };
    let items = lines
        .iter()
        .map(|l| item(ItemKind::Claim, &l.claim_id, l.payable))
        .chain(
            found
                .iter()
                .map(|(id, l)| item(ItemKind::Finding, id, l.payable)),
        )
        .chain(
            receipts
                .iter()
                .map(|r| item(ItemKind::Receipt, &r.id, r.amount.into())),
        )
        .chain(
            refunds
                .iter()
                .map(|r| item(ItemKind::Refund, &r.id, r.amount.into())),
        )
        .chain(
            cash.iter()
                .map(|c| item(ItemKind::Cash, &c.id, c.amount.into())),
        )
        .collect();
    lines.extend(found.into_iter().map(|(_, l)| l));
    Worked {
        lines,
        totals,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    fn s(text: &str) -> SignedMoney {
        SignedMoney::parse(text).unwrap()
    }

    fn claim(id: &str, status: ClaimStatus, date: NaiveDate, fund: &str) -> ClaimFacts {
        ClaimFacts {
            id: id.into(),
            status,
            visit_date: date,
            person: "450324********0019".into(),
            total: m("192.50"),
            fund: m(fund),
        }
    }

    fn dated(id: &str, amount: &str, on: NaiveDate) -> Dated {
        Dated {
            id: id.into(),
            amount: m(amount),
            on,
        }
    }

    #[test]
    fn a_draft_pays_what_the_fund_pays_and_waits_for_what_is_pending() {
        use ClaimStatus::*;
        let claims = [
            claim("a", Settled, day(3, 2), "42.35"),
            claim("b", Flagged, day(3, 9), "100.01"),
            claim("c", PendingReview, day(3, 10), "50.00"),
            claim("d", Rejected, day(3, 11), "0"),
            claim("e", Approved, day(2, 27), "0.04"),
            claim("f", Voided, day(3, 12), "9.00"),
            claim("april", Settled, day(4, 1), "7.00"),
        ];
        let receipts = [
            dated("r1", "380.00", day(3, 1)),
            dated("r2", "760.00", day(3, 31)),
            dated("r-april", "380.00", day(4, 1)),
        ];
        let cash = [dated("h1", "1000.00", day(3, 20))];
        let worked = work_out(
            &claims,
            &receipts,
            &[],
            &cash,
            &[],
            &Taken::new(),
            day(3, 31),
        );
        let t = &worked.totals;
        assert_eq!(t.claims, 4, "settled, flagged, rejected and approved");
        assert_eq!(t.claims_total, m("770.00"));
        assert_eq!(t.fund_payable, m("142.40"));
        assert_eq!((t.rejected, t.waiting_review), (1, 1));
        assert_eq!(t.adjustments, SignedMoney::ZERO);
        assert_eq!((t.receipts, t.receipts_total), (2, m("1140.00")));
        assert_eq!(t.cash_handed_in, m("1000.00"));
        assert_eq!(t.net_payable, s("2.40"), "142.40 − (1140.00 − 1000.00)");
        let ids: Vec<&str> = worked.lines.iter().map(|l| l.claim_id.as_str()).collect();
        assert_eq!(ids, ["e", "a", "b", "d"], "by visit date");
        assert_eq!(worked.lines[3].payable, SignedMoney::ZERO);
        assert_eq!(worked.items.len(), 4 + 2 + 1);
    }

    #[test]
    fn a_deduction_is_taken_once_and_given_back_if_the_claim_is_voided_later() {
        use ClaimStatus::*;
        let deduction = [Deduction {
            claim_id: "a".into(),
            amount: m("12.30"),
            on: day(3, 1),
        }];
        let march = [claim("a", Settled, day(3, 2), "96.25")];
        let worked = work_out(&march, &[], &[], &[], &deduction, &Taken::new(), day(3, 31));
        assert_eq!(worked.totals.adjustments, s("-12.30"));
        assert_eq!(worked.totals.net_payable, s("83.95"));
        let finding = worked.lines.iter().find(|l| l.finding).unwrap();
        assert_eq!(
            (finding.claim_id.as_str(), finding.payable),
            ("a", s("-12.30"))
        );
        // March issued: what it took.
        let taken: Taken = worked
            .items
            .iter()
            .map(|i| (i.record_id.clone(), i.amount))
            .collect();
        let april = work_out(&march, &[], &[], &[], &deduction, &taken, day(4, 30));
        assert_eq!(april.totals.adjustments, SignedMoney::ZERO, "taken once");
        assert!(april.lines.is_empty());
        // Voided in April (two people): the claim's 96.25 comes back, the 12.30 taken
        // already is given back — 83.95 in all, what March paid for it.
        let voided = [claim("a", Voided, day(3, 2), "96.25")];
        let april = work_out(&voided, &[], &[], &[], &deduction, &taken, day(4, 30));
        assert_eq!(april.totals.adjustments, s("-83.95"));
        let payables: Vec<(bool, SignedMoney)> =
            april.lines.iter().map(|l| (l.finding, l.payable)).collect();
        assert_eq!(payables, [(false, s("-96.25")), (true, s("12.30"))]);
    }

    #[test]
    fn what_changed_after_issue_is_carried_and_nothing_is_taken_twice() {
        use ClaimStatus::*;
        let mut taken = Taken::new();
        taken.insert("flagged".into(), s("100.01"));
        taken.insert("settled".into(), s("42.35"));
        taken.insert("r1".into(), s("380.00"));
        taken.insert("h1".into(), s("300.00"));
        let claims = [
            // Rejected after March was issued: the fund takes back what it paid.
            claim("flagged", Rejected, day(3, 9), "0"),
            claim("settled", Settled, day(3, 2), "42.35"),
            // Synced late, dated in March: on the next statement.
            claim("late", Settled, day(3, 30), "10.00"),
        ];
        let receipts = [
            dated("r1", "380.00", day(3, 1)),
            dated("r-late", "380.00", day(3, 31)),
        ];
        let cash = [
            dated("h1", "300.00", day(3, 20)),
            dated("h2", "500.00", day(4, 2)),
        ];
        let worked = work_out(&claims, &receipts, &[], &cash, &[], &taken, day(4, 30));
        let t = &worked.totals;
        assert_eq!(t.claims, 1);
        assert_eq!(t.fund_payable, m("10.00"));
        assert_eq!(t.adjustments, s("-100.01"));
        assert_eq!((t.receipts, t.receipts_total), (1, m("380.00")));
        assert_eq!(t.cash_handed_in, m("500.00"));
        assert_eq!(t.net_payable, s("29.99"), "10.00 − 100.01 − (380 − 500)");
        let last = worked.lines.last().unwrap();
        assert!(last.carried);
        assert_eq!(
            (last.claim_id.as_str(), last.payable),
            ("flagged", s("-100.01"))
        );
        // Once that is issued too, nothing is left to carry.
        for item in &worked.items {
            *taken.entry(item.record_id.clone()).or_default() =
                taken.get(&item.record_id).copied().unwrap_or_default() + item.amount;
        }
        let after = work_out(&claims, &receipts, &[], &cash, &[], &taken, day(5, 31));
        assert!(after.lines.is_empty());
        assert_eq!(after.totals, StatementTotals::default());
    }
}
