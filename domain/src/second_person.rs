//! The second person (双人复核): voiding a claim that has synced, or refunding a contribution,
//! is proposed by one user — at the clinic's tablet or at the township — and takes effect only
//! when a different township user approves it. The wire types of `/township/proposals` and
//! the decision a clinic hears of.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::enrolment::RefundReason;
use crate::money::Money;
use crate::text::Text;

/// The longest reason or note a proposal or a decision carries.
pub const MAX_PROPOSAL_TEXT_CHARS: usize = 200;

/// What a proposal asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProposalAction {
    /// Void a synced claim: the fund pays nothing for it (作废).
    VoidClaim,
    /// Refund a contribution to the payer (退费).
    RefundContribution,
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    Awaiting,
    Approved,
    Refused,
}

impl ProposalState {
    /// As stored in the records' status column.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Awaiting => "awaiting_approval",
            ProposalState::Approved => "approved",
            ProposalState::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<ProposalState> {
        [
            ProposalState::Awaiting,
            ProposalState::Approved,
            ProposalState::Refused,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// A void of a synced claim proposed (作废申请), as the server records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposedVoid {
    pub proposal_id: String,
    pub claim_id: String,
    /// The patient, masked.
    pub person: String,
    pub visit_date: NaiveDate,
    /// What the fund pays for the claim now: what the void takes back.
    pub fund: Money,
    pub reason: String,
    pub clinic_id: String,
    /// The proposer's display name and username.
    pub by: String,
    pub by_username: String,
    pub at: String,
}

/// A township user proposes (the clinic's tablet proposes through its sync).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProposeRequest {
    VoidClaim {
        claim_id: String,
        reason: String,
    },
    RefundContribution {
        contribution_id: String,
        reason: RefundReason,
    },
}

/// The second person's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "decision", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProposalDecision {
    Approve,
    Refuse { note: String },
}

impl ProposalDecision {
    /// The decision checked: a refusal says why, in at most [`MAX_PROPOSAL_TEXT_CHARS`].
    pub fn checked(self) -> Result<ProposalDecision, Text> {
        match self {
            ProposalDecision::Refuse { note } => {
                let note = note.trim().to_string();
                check_text(&note)?;
                Ok(ProposalDecision::Refuse { note })
            }
            approve => Ok(approve),
        }
    }
}

/// A reason or note: 2 to [`MAX_PROPOSAL_TEXT_CHARS`] characters.
pub fn check_text(text: &str) -> Result<(), Text> {
    let n = text.trim().chars().count();
    if !(2..=MAX_PROPOSAL_TEXT_CHARS).contains(&n) {
        return Err(Text::new(
            format!("请填写理由（2至{MAX_PROPOSAL_TEXT_CHARS}字）"),
            format!("Give a reason (2 to {MAX_PROPOSAL_TEXT_CHARS} characters)"),
        ));
    }
    Ok(())
}

/// How a proposal was decided, as recorded with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalDecided {
    pub state: ProposalState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub decided_by: String,
    pub decided_by_username: String,
    pub decided_at: String,
}

/// One proposal as the township's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub proposal_id: String,
    pub action: ProposalAction,
    pub clinic_id: String,
    pub clinic_name: String,
    /// The claim or the contribution.
    pub target_id: String,
    /// For a claim: the masked patient and the visit day; for a refund: the receipt number.
    pub subject: String,
    /// The fund's share taken back, or the cash refunded.
    pub amount: Money,
    /// The reason as the proposer gave it (a refund's reason as its code).
    pub reason: String,
    pub proposed_by: String,
    pub proposed_by_username: String,
    pub proposed_at: String,
    pub state: ProposalState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<ProposalDecided>,
}

impl Proposal {
    /// Whether `username` may decide it: anyone of the township but the proposer.
    pub fn decidable_by(&self, username: &str) -> bool {
        self.state == ProposalState::Awaiting && self.proposed_by_username != username
    }
}

/// What deciding one proposal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProposalOutcome {
    Decided,
    /// It was already decided this way (a request sent twice decides once).
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalResponse {
    pub outcome: ProposalOutcome,
    pub proposal: Proposal,
}

/// A decided proposal as the clinic's tablet hears of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecidedProposal {
    pub proposal_id: String,
    pub action: ProposalAction,
    pub target_id: String,
    pub subject: String,
    pub amount: Money,
    pub decided: ProposalDecided,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal(by: &str, state: ProposalState) -> Proposal {
        Proposal {
            proposal_id: "p-1".into(),
            action: ProposalAction::VoidClaim,
            clinic_id: "clinic-lijia".into(),
            clinic_name: "李家村卫生室".into(),
            target_id: "c-1".into(),
            subject: "450324********0019 2026-11-02".into(),
            amount: Money::parse("30.00").unwrap(),
            reason: "重复录入".into(),
            proposed_by: "覃明".into(),
            proposed_by_username: by.into(),
            proposed_at: "2026-11-30T08:00:00Z".into(),
            state,
            decided: None,
        }
    }

    #[test]
    fn the_proposer_never_decides_their_own() {
        let p = proposal("shenhe", ProposalState::Awaiting);
        assert!(!p.decidable_by("shenhe"));
        assert!(p.decidable_by("admin"));
        assert!(!proposal("shenhe", ProposalState::Approved).decidable_by("admin"));
    }

    #[test]
    fn requests_read_as_sent_and_a_refusal_says_why() {
        let r: ProposeRequest =
            serde_json::from_str(r#"{"action":"void_claim","claim_id":"c-1","reason":"录错病人"}"#)
                .unwrap();
        assert!(matches!(r, ProposeRequest::VoidClaim { .. }));
        let r: ProposeRequest = serde_json::from_str(
            r#"{"action":"refund_contribution","contribution_id":"k-1","reason":"duplicate"}"#,
        )
        .unwrap();
        assert!(matches!(r, ProposeRequest::RefundContribution { .. }));
        assert!(serde_json::from_str::<ProposeRequest>(
            r#"{"action":"void_claim","claim_id":"c-1","reason":"x","extra":1}"#
        )
        .is_err());
        let approve: ProposalDecision = serde_json::from_str(r#"{"decision":"approve"}"#).unwrap();
        assert_eq!(approve.checked(), Ok(ProposalDecision::Approve));
        let refuse = ProposalDecision::Refuse {
            note: " 无 ".into(),
        };
        assert!(refuse.checked().is_err());
        let refuse = ProposalDecision::Refuse {
            note: "x".repeat(MAX_PROPOSAL_TEXT_CHARS + 1),
        };
        assert!(refuse.checked().is_err());
        let refuse = ProposalDecision::Refuse {
            note: " 票据无误，不予作废 ".into(),
        };
        assert_eq!(
            refuse.checked(),
            Ok(ProposalDecision::Refuse {
                note: "票据无误，不予作废".into()
            })
        );
    }

    #[test]
    fn states_round_trip_through_their_column() {
        for s in [
            ProposalState::Awaiting,
            ProposalState::Approved,
            ProposalState::Refused,
        ] {
            assert_eq!(ProposalState::parse(s.as_str()), Some(s));
        }
    }
}
