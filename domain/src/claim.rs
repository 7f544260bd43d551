//! A claim's life after the desk (PRODUCT.md §2.2 and §5): the statuses it can be in and the
//! moves between them. A decision the township takes on a settled claim (void, refund) needs a
//! second person: one proposes, another approves.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalogue::CatalogueItem;
use crate::diagnosis::RecordedDiagnosis;
use crate::enrolment::Eligibility;
use crate::id_number::IdNumber;
use crate::policy::BenefitKind;
use crate::risk::{IdentityCheck, PastLine, PastVisit, RiskLine, RiskVisit, RuleHit};
use crate::settlement::{LineInput, Settlement};

/// A claim as recorded at the desk: one shape on the tablet, on the wire and on the server
/// (each adds only what it alone knows beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub person: IdNumber,
    pub visit_date: NaiveDate,
    pub diagnoses: Vec<RecordedDiagnosis>,
    pub identity: IdentityCheck,
    pub benefit: BenefitKind,
    pub policy_version: String,
    pub catalogue_version: String,
    pub lines: Vec<LineInput>,
    /// What the patient was told.
    pub settlement: Settlement,
    #[serde(default)]
    pub rule_hits: Vec<RuleHit>,
    /// A written reason, when a warn rule required one.
    #[serde(default)]
    pub reason: Option<String>,
    /// Over the policy's offline limit: not settled at the desk; the township reviews it and
    /// it is settled after approval.
    #[serde(default)]
    pub pending_review: bool,
    /// The patient was told of the self-pay part before it was settled (知情告知); required
    /// whenever the settlement has a full self-pay part.
    #[serde(default)]
    pub self_pay_informed: bool,
}

impl Claim {
    /// The diagnoses' ICD-10 codes.
    pub fn diagnosis_codes(&self) -> Vec<String> {
        self.diagnoses.iter().map(|d| d.code.clone()).collect()
    }

    /// This claim as an earlier visit in a later visit's risk history.
    pub fn as_past_visit(&self, claim_id: &str, clinic: &str) -> PastVisit {
        past_visit(
            claim_id,
            self.person.as_str(),
            clinic,
            self.visit_date,
            &self.lines,
        )
    }
}

/// A settled visit as the risk rules look back on it; lines without a code cannot repeat
/// another and are left out.
pub fn past_visit(
    claim_id: &str,
    person: &str,
    clinic: &str,
    date: NaiveDate,
    lines: &[LineInput],
) -> PastVisit {
    PastVisit {
        claim_id: claim_id.to_string(),
        person: person.to_string(),
        clinic: clinic.to_string(),
        date,
        lines: lines
            .iter()
            .filter_map(|l| {
                Some(PastLine {
                    code: l.code.clone()?,
                    quantity: l.quantity,
                })
            })
            .collect(),
    }
}

/// What the risk rules need to know of a visit being settled, gathered the same way at the
/// desk (before the claim exists) and on the server (from the claim as recorded).
pub struct VisitFacts<'a> {
    pub claim_id: &'a str,
    pub person: &'a IdNumber,
    pub clinic: &'a str,
    pub date: NaiveDate,
    /// ICD-10 codes.
    pub diagnoses: &'a [String],
    pub identity: &'a IdentityCheck,
    pub eligibility: Eligibility,
    pub lines: &'a [LineInput],
    /// The settlement's figures the rules weigh.
    pub total: crate::money::Money,
    pub fund: crate::money::Money,
}

impl<'a> VisitFacts<'a> {
    /// The risk rules' view of the visit; `item` finds a line's catalogue item.
    pub fn risk_visit(
        &self,
        item: impl Fn(&LineInput) -> Option<&'a CatalogueItem>,
    ) -> RiskVisit<'a> {
        RiskVisit {
            claim_id: self.claim_id,
            person: self.person.as_str(),
            sex: self.person.sex(),
            age: self.person.age_on(self.date),
            clinic: self.clinic,
            date: self.date,
            diagnoses: self.diagnoses,
            identity: self.identity,
            eligibility: self.eligibility,
            lines: self
                .lines
                .iter()
                .map(|l| {
                    let item = item(l);
                    RiskLine {
                        item,
                        code: l.code.clone().unwrap_or_default(),
                        name: l
                            .name
                            .clone()
                            .or_else(|| item.map(|i| i.name.clone()))
                            .unwrap_or_default(),
                        price: l.price,
                        quantity: l.quantity,
                    }
                })
                .collect(),
            total: self.total,
            fund: self.fund,
        }
    }
}

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
