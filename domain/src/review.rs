//! The township's review of claims (审核): approve, or reject with a standard reason (policy
//! data) and free text; one by one or in bulk. What a decision does to the claim's status is
//! [`ClaimStatus::after`]; what reaches the clinic is [`DecidedClaim`].

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::claim::ClaimStatus;
use crate::diagnosis::RecordedDiagnosis;
use crate::money::Money;
use crate::policy::BenefitKind;
use crate::risk::{RuleHit, RuleId};
use crate::settlement::{LineInput, Settlement};
use crate::sync::Operator;
use crate::sync::YearToDate;
use crate::text::Text;

pub use crate::rejection::{standard_rejection_reasons, RejectionReason};

/// What a reviewer decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewDecision {
    Approve,
    Reject {
        reason: RejectionReason,
        note: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    Reject,
}

/// Claims of the reviewer's township (at most [`MAX_REVIEW_BATCH`]) and the one decision for
/// all of them: `{"claims": [...], "decision": "approve"}`, or `"decision": "reject"` with a
/// `reason` (a code of the policy's list) and a `note` (required with `other`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub claims: Vec<String>,
    pub decision: DecisionKind,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The longest note a reviewer may write.
pub const MAX_NOTE_CHARS: usize = 500;

impl ReviewRequest {
    /// The decision, its reason one of `reasons` (the policy's list).
    pub fn decision(&self, reasons: &[RejectionReason]) -> Result<ReviewDecision, Text> {
        let note = self
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS || n.chars().any(char::is_control))
        {
            return Err(Text::new(
                format!("说明最多{MAX_NOTE_CHARS}字，且不能含控制字符"),
                format!(
                    "The note is at most {MAX_NOTE_CHARS} characters, with no control characters"
                ),
            ));
        }
        match self.decision {
            DecisionKind::Approve => Ok(ReviewDecision::Approve),
            DecisionKind::Reject => {
                let code = self.reason.as_deref().unwrap_or_default();
                let Some(reason) = reasons.iter().find(|r| r.code == code) else {
                    return Err(Text::new(
                        "请选择拒付原因",
                        "Choose a reason for the rejection",
                    ));
                };
                if reason.code == "other" && note.is_none() {
                    return Err(Text::new(
                        "选择“其他”时请写明原因",
                        "With “other”, write the reason",
                    ));
                }
                Ok(ReviewDecision::Reject {
                    reason: reason.clone(),
                    note,
                })
            }
        }
    }
}

pub const MAX_REVIEW_BATCH: usize = 200;

/// What became of one claim of a review request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// Decided now.
    Decided,
    /// Already decided this way (the same request sent again): nothing changed.
    Unchanged,
    /// Not decided: not a claim awaiting review in this township, or decided otherwise.
    Refused,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewResult {
    pub claim_id: String,
    pub outcome: ReviewOutcome,
    /// The claim's status after the request (none: no such claim in this township).
    pub status: Option<ClaimStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewResponse {
    pub results: Vec<ReviewResult>,
}

/// A claim the township decided, as the clinic's tablets receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecidedClaim {
    pub claim_id: String,
    /// The masked ID number of the patient.
    pub person: String,
    pub visit_date: chrono::NaiveDate,
    pub status: ClaimStatus,
    /// With a rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RejectionReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the fund pays for the claim after the decision.
    pub fund: Money,
    pub decided_by: String,
    pub decided_at: String,
    /// The person's year-to-date figures after the decision (for the next visit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accumulators: Option<YearToDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_reads_as_the_reviewer_sends_it() {
        let reasons = standard_rejection_reasons();
        let approve: ReviewRequest =
            serde_json::from_str(r#"{"claims":["c-1","c-2"],"decision":"approve"}"#).unwrap();
        assert_eq!(approve.decision(&reasons), Ok(ReviewDecision::Approve));
        let reject: ReviewRequest = serde_json::from_str(
            r#"{"claims":["c-1"],"decision":"reject","reason":"duplicate_charge","note":" 同日两次 "}"#,
        )
        .unwrap();
        assert_eq!(
            reject.decision(&reasons),
            Ok(ReviewDecision::Reject {
                reason: reasons[2].clone(),
                note: Some("同日两次".into())
            })
        );
        let unknown: ReviewRequest =
            serde_json::from_str(r#"{"claims":["c-1"],"decision":"reject","reason":"nope"}"#)
                .unwrap();
        assert!(unknown.decision(&reasons).is_err());
        let other: ReviewRequest =
            serde_json::from_str(r#"{"claims":["c-1"],"decision":"reject","reason":"other"}"#)
                .unwrap();
        assert!(other.decision(&reasons).is_err(), "other needs a note");
        assert!(
            serde_json::from_str::<ReviewRequest>(r#"{"claims":[],"decision":"maybe"}"#).is_err()
        );
        assert!(serde_json::from_str::<ReviewRequest>(
            r#"{"claims":[],"decision":"approve","extra":1}"#
        )
        .is_err());
    }

    #[test]
    fn the_standard_reasons_are_the_countys_eight() {
        let reasons = standard_rejection_reasons();
        assert_eq!(reasons.len(), 8);
        assert_eq!(reasons[0].zh, "超目录用药");
        assert_eq!(reasons.last().unwrap().code, "other");
    }
}

/// A claim waiting for the township, as the queue lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueItem {
    pub claim_id: String,
    pub clinic_id: String,
    pub clinic_name: String,
    /// `flagged` (paid at the desk, a rule asks for a look) or `pending_review` (nothing paid
    /// until approved).
    pub status: ClaimStatus,
    /// The patient's masked ID number.
    pub person: String,
    pub visit_date: NaiveDate,
    pub benefit: BenefitKind,
    pub total: Money,
    /// What the tablet said the fund pays, and what the server worked out.
    pub device_fund: Money,
    pub server_fund: Money,
    /// The rules the server's run found, and how many lines' prices differed.
    pub rules: Vec<RuleId>,
    pub price_differences: usize,
    /// When it reached the server, and how long it has waited (routine within 24 h, at most 48).
    pub received_at: String,
    pub waiting_hours: i64,
}

/// A claim as its review page shows it: what the queue lists, and the visit itself — the
/// tablet's and the server's figures side by side, the rules found, who settled it, and the
/// patient's other visits of the 30 days before it at any clinic of the township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewClaim {
    pub item: QueueItem,
    pub diagnoses: Vec<RecordedDiagnosis>,
    /// The lines as the tablet sent them.
    pub lines: Vec<LineInput>,
    /// The lines as the catalogue prices them, where they differ from the tablet's.
    #[serde(default)]
    pub server_lines: Option<Vec<LineInput>>,
    pub device_settlement: Settlement,
    pub server_settlement: Settlement,
    pub rule_hits: Vec<RuleHit>,
    /// The reason the clinic wrote, when a rule asked for one.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub operator: Option<Operator>,
    /// The township's decision, once made.
    #[serde(default)]
    pub decision: Option<RecordedDecision>,
    pub recent_visits: Vec<RecentVisit>,
}

/// A decision as the claim record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedDecision {
    /// The claim's status the decision gave it.
    pub status: ClaimStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RejectionReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
}

/// Another visit of the same patient, on the review page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecentVisit {
    pub claim_id: String,
    pub clinic_name: String,
    pub visit_date: NaiveDate,
    pub benefit: BenefitKind,
    pub total: Money,
    pub fund: Money,
    pub status: ClaimStatus,
}
