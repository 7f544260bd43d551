//! A claim's life after the desk (PRODUCT.md §2.2 and §5): the statuses it can be in and the
//! moves between them. A decision the township takes on a settled claim (void, refund) needs a
//! second person: one proposes, another approves.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Settled at the desk and re-settled by the server without a finding.
    Settled,
    /// Settled, but a rule the server ran asks the township to look at it.
    Flagged,
    /// Over the policy's offline limit: nothing is paid until the township approves it.
    PendingReview,
    /// The township approved it (after a flag or a pending review).
    Approved,
    /// The township rejected it: the fund pays nothing.
    Rejected,
    /// Voided: by the device that made it before anyone acted on it, or by two people of the
    /// township.
    #[serde(rename = "void")]
    Voided,
}

/// What can happen to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimAction {
    /// A reviewer approves a flagged or pending claim.
    Approve,
    /// A reviewer rejects a flagged or pending claim.
    Reject,
    /// The device that made it voids it, before the township acted on it.
    VoidAtDevice,
    /// A second person of the township approves another's proposal to void it.
    VoidApproved,
}

impl ClaimStatus {
    pub const ALL: [ClaimStatus; 6] = [
        ClaimStatus::Settled,
        ClaimStatus::Flagged,
        ClaimStatus::PendingReview,
        ClaimStatus::Approved,
        ClaimStatus::Rejected,
        ClaimStatus::Voided,
    ];

    /// The status a claim arrives in at the server.
    pub fn on_arrival(pending_review: bool, flagged: bool) -> ClaimStatus {
        match (pending_review, flagged) {
            (true, _) => ClaimStatus::PendingReview,
            (false, true) => ClaimStatus::Flagged,
            (false, false) => ClaimStatus::Settled,
        }
    }

    /// The status after `action`, or `None` when the action is not allowed from here.
    pub fn after(self, action: ClaimAction) -> Option<ClaimStatus> {
        use ClaimAction::*;
        use ClaimStatus::*;
        match (self, action) {
            (Flagged | PendingReview, Approve) => Some(Approved),
            (Flagged | PendingReview, Reject) => Some(Rejected),
            (Settled, VoidAtDevice) => Some(Voided),
            (Settled | Flagged | Approved | PendingReview, VoidApproved) => Some(Voided),
            _ => None,
        }
    }

    /// Whether the fund pays it, so that it counts in the person's year-to-date figures.
    /// A flagged claim was paid at the desk and stands until the township rejects it.
    pub fn pays(self) -> bool {
        matches!(
            self,
            ClaimStatus::Settled | ClaimStatus::Flagged | ClaimStatus::Approved
        )
    }

    /// Waiting for the township.
    pub fn awaits_review(self) -> bool {
        matches!(self, ClaimStatus::Flagged | ClaimStatus::PendingReview)
    }

    /// As stored in the database and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Settled => "settled",
            ClaimStatus::Flagged => "flagged",
            ClaimStatus::PendingReview => "pending_review",
            ClaimStatus::Approved => "approved",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Voided => "void",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimStatus> {
        ClaimStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::ClaimAction::*;
    use super::ClaimStatus::*;
    use super::*;

    #[test]
    fn arrival_follows_the_desk_and_the_server_findings() {
        assert_eq!(ClaimStatus::on_arrival(false, false), Settled);
        assert_eq!(ClaimStatus::on_arrival(false, true), Flagged);
        assert_eq!(ClaimStatus::on_arrival(true, false), PendingReview);
        assert_eq!(ClaimStatus::on_arrival(true, true), PendingReview);
    }

    #[test]
    fn only_claims_awaiting_review_are_decided() {
        for from in [Flagged, PendingReview] {
            assert!(from.awaits_review());
            assert_eq!(from.after(Approve), Some(Approved));
            assert_eq!(from.after(Reject), Some(Rejected));
        }
        for from in [Settled, Approved, Rejected, Voided] {
            assert!(!from.awaits_review());
            assert_eq!(from.after(Approve), None, "{from:?}");
            assert_eq!(from.after(Reject), None, "{from:?}");
        }
    }

    #[test]
    fn a_device_voids_only_what_nobody_acted_on_and_two_people_void_the_rest() {
        assert_eq!(Settled.after(VoidAtDevice), Some(Voided));
        for from in [Flagged, PendingReview, Approved, Rejected, Voided] {
            assert_eq!(from.after(VoidAtDevice), None, "{from:?}");
        }
        for from in [Settled, Flagged, PendingReview, Approved] {
            assert_eq!(from.after(VoidApproved), Some(Voided), "{from:?}");
        }
        assert_eq!(Rejected.after(VoidApproved), None);
        assert_eq!(Voided.after(VoidApproved), None);
    }

    #[test]
    fn what_the_fund_pays_and_how_it_is_stored() {
        let paying: Vec<_> = ClaimStatus::ALL.into_iter().filter(|s| s.pays()).collect();
        assert_eq!(paying, [Settled, Flagged, Approved]);
        for status in ClaimStatus::ALL {
            assert_eq!(ClaimStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, status.as_str());
        }
        assert_eq!(ClaimStatus::parse("paid"), None);
    }
}
