//! The township screens' wire types (`/api/v1/township/…`), shared by the server and the app.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::id_number::IdNumber;
use crate::money::Money;
use crate::sync::{
    Adjustment, ProposedRefund, RecordedCorrection, RecordedEnrolment, RecordedStop, RefundDue,
};

/// The kinds of record a clinic's work leaves on the server; `as_str()` is the name on the
/// wire and in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Enrolment,
    Contribution,
    Claim,
    Adjustment,
    RefundDue,
    /// Cover stopped from a day (停保).
    CoverStop,
    /// A name or phone corrected (更正).
    Correction,
    /// A refund proposed by a clinic, awaiting the township's approval (退费申请).
    RefundProposal,
    /// A chronic qualification applied for or decided (慢特病认定).
    Qualification,
    /// A void of a synced claim proposed, awaiting a second person (作废申请).
    VoidProposal,
}

impl RecordKind {
    pub const ALL: [RecordKind; 10] = [
        RecordKind::Enrolment,
        RecordKind::Contribution,
        RecordKind::Claim,
        RecordKind::Adjustment,
        RecordKind::RefundDue,
        RecordKind::CoverStop,
        RecordKind::Correction,
        RecordKind::RefundProposal,
        RecordKind::Qualification,
        RecordKind::VoidProposal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Enrolment => "enrolment",
            RecordKind::Contribution => "contribution",
            RecordKind::Claim => "claim",
            RecordKind::Adjustment => "adjustment",
            RecordKind::RefundDue => "refund_due",
            RecordKind::CoverStop => "cover_stop",
            RecordKind::Correction => "correction",
            RecordKind::RefundProposal => "refund_proposal",
            RecordKind::Qualification => "qualification",
            RecordKind::VoidProposal => "void_proposal",
        }
    }

    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One synced record of a township's clinic, as the township's lists get it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordRow {
    pub id: String,
    /// enrolment, contribution, claim, adjustment, refund_due, cover_stop, correction or
    /// refund_proposal.
    pub kind: String,
    pub clinic_id: String,
    pub clinic_name: String,
    pub status: String,
    pub created_at: String,
    /// The record as the server holds it; [`RecordSummary::read`] types it.
    pub data: serde_json::Value,
}

/// The part of a record the lists show, typed by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordSummary {
    Claim(ClaimSummary),
    Adjustment(Adjustment),
    RefundDue(RefundDue),
    Enrolment(Box<RecordedEnrolment>),
    Contribution(ContributionSummary),
    CoverStop(RecordedStop),
    Correction(RecordedCorrection),
    RefundProposal(ProposedRefund),
    Qualification(crate::qualification::Qualification),
    VoidProposal(crate::second_person::ProposedVoid),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ClaimSummary {
    pub visit_date: NaiveDate,
    pub person: IdNumber,
    pub server_settlement: FundFigure,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FundFigure {
    pub fund: Money,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ContributionSummary {
    pub receipt_no: String,
    pub amount: Money,
    pub collected_on: NaiveDate,
}

impl RecordSummary {
    /// Reads the row's data by its kind; `None` for a kind or shape this version does not know.
    pub fn read(row: &RecordRow) -> Option<RecordSummary> {
        let data = row.data.clone();
        Some(match RecordKind::parse(&row.kind)? {
            RecordKind::Claim => RecordSummary::Claim(serde_json::from_value(data).ok()?),
            RecordKind::Adjustment => RecordSummary::Adjustment(serde_json::from_value(data).ok()?),
            RecordKind::RefundDue => RecordSummary::RefundDue(serde_json::from_value(data).ok()?),
            RecordKind::Enrolment => {
                RecordSummary::Enrolment(Box::new(serde_json::from_value(data).ok()?))
            }
            RecordKind::Contribution => {
                RecordSummary::Contribution(serde_json::from_value(data).ok()?)
            }
            RecordKind::CoverStop => RecordSummary::CoverStop(serde_json::from_value(data).ok()?),
            RecordKind::Correction => RecordSummary::Correction(serde_json::from_value(data).ok()?),
            RecordKind::RefundProposal => {
                RecordSummary::RefundProposal(serde_json::from_value(data).ok()?)
            }
            RecordKind::Qualification => {
                RecordSummary::Qualification(serde_json::from_value(data).ok()?)
            }
            RecordKind::VoidProposal => {
                RecordSummary::VoidProposal(serde_json::from_value(data).ok()?)
            }
        })
    }
}
