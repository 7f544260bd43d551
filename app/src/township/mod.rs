//! The township's read-only lists of what its clinics have synced: which lists the screen
//! shows, and the words each row shows. The records come from the server through
//! [`crate::sync::transport::Api::township_records`]. The review queue's pure parts are in
//! [`review`].

pub mod figures;
pub mod review;

pub use cunbao_domain::township::RecordKind;
use cunbao_domain::township::{RecordRow, RecordSummary};

use crate::i18n::{status_key, text, Key, Label, Lang};

/// The lists the township screen shows, in order.
pub const LISTED: [RecordKind; 6] = [
    RecordKind::Claim,
    RecordKind::Adjustment,
    RecordKind::RefundDue,
    RecordKind::RefundProposal,
    RecordKind::Qualification,
    RecordKind::Enrolment,
];

/// A list's heading.
pub fn title(kind: RecordKind) -> Key {
    match kind {
        RecordKind::Claim => Key::Claims,
        RecordKind::Adjustment => Key::Adjustments,
        RecordKind::RefundDue => Key::RefundsDue,
        RecordKind::Enrolment => Key::Enrolments,
        RecordKind::Contribution => Key::Contributions,
        RecordKind::CoverStop => Key::CoverStops,
        RecordKind::Correction => Key::Corrections,
        RecordKind::RefundProposal => Key::RefundProposals,
        RecordKind::Qualification => Key::Qualifications,
        RecordKind::VoidProposal => Key::VoidProposals,
    }
}

/// One row of a township list, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRow {
    pub id: String,
    pub clinic_name: String,
    pub status: &'static str,
    pub summary: String,
}

impl ListedRow {
    /// The row of `record` in the list of `kind`.
    pub fn new(lang: Lang, kind: RecordKind, record: RecordRow) -> ListedRow {
        ListedRow {
            status: text(lang, status_key(kind.as_str(), &record.status)),
            summary: summary(lang, &record),
            id: record.id,
            clinic_name: record.clinic_name,
        }
    }
}

/// What the record says, in one line; empty for a kind or shape this version does not know.
pub fn summary(lang: Lang, record: &RecordRow) -> String {
    let t = |key| text(lang, key);
    match RecordSummary::read(record) {
        Some(RecordSummary::Claim(c)) => format!(
            "{} {} · {} {}",
            c.visit_date,
            c.person.masked(),
            t(Key::Fund),
            c.server_settlement.fund
        ),
        Some(RecordSummary::Adjustment(a)) => format!(
            "{} {} → {} ({})",
            t(Key::Fund),
            a.device_fund,
            a.server_fund,
            a.difference
        ),
        Some(RecordSummary::RefundDue(r)) => format!("{} {}", t(Key::Amount), r.amount),
        Some(RecordSummary::Enrolment(e)) => {
            let mut text = format!("{} {}", e.member.name, e.member.id_number.masked());
            if e.late_renewal {
                text += &format!(" · {}", t(Key::LateRenewalMark));
            }
            text
        }
        Some(RecordSummary::Contribution(c)) => format!(
            "{} {} · {} {}",
            c.collected_on,
            c.receipt_no,
            t(Key::Amount),
            c.amount
        ),
        Some(RecordSummary::CoverStop(stop)) => format!(
            "{} {} · {}",
            t(Key::StoppedFrom),
            stop.from,
            stop.reason.label(lang)
        ),
        Some(RecordSummary::Correction(c)) => format!(
            "{} {} · {} {}",
            t(Key::Earlier),
            c.earlier.value_text(),
            t(Key::ChangedTo),
            c.value.value_text()
        ),
        Some(RecordSummary::RefundProposal(r)) => format!(
            "{} {} · {} {} · {}",
            t(Key::ReceiptNo),
            r.receipt_no,
            t(Key::Amount),
            r.amount,
            r.reason.label(lang)
        ),
        Some(RecordSummary::Qualification(q)) => {
            let mut text = format!(
                "{} · {} · {}",
                q.person.masked(),
                q.condition.label(lang),
                q.status.label(lang)
            );
            if let (Some(from), Some(to)) = (q.valid_from, q.valid_to) {
                text += &format!(" · {} {from} – {to}", t(Key::ValidPeriod));
            }
            text
        }
        Some(RecordSummary::VoidProposal(v)) => format!(
            "{} {} · {} {} · {}",
            v.visit_date,
            v.person,
            t(Key::Fund),
            v.fund,
            v.reason
        ),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
