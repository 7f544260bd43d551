//! The shapes of the records the tablet keeps in its stores, written by the desk and by the
//! sync engine alike: enrolments, claims and the notices the server sent.

use chrono::NaiveDate;
use cunbao_domain::claim::Claim;
use cunbao_domain::enrolment::{CoverStop, Coverage, Member};
use cunbao_domain::money::Money;
use cunbao_domain::qualification::Qualification;
use cunbao_domain::sync::{
    AccumulatorKey, Change, ClaimOutcome, RecordedCorrection, RecordedEnrolment, YearToDate,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{StorageError, Store, StoreName};

/// Papers accepted as missing (容缺受理), listed until completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingDocument {
    pub missing: String,
    pub deadline: NaiveDate,
}

/// An enrolment as the Enrolments store holds it: the server's record (pulled) or one made on
/// this device (`receipt_no` set), same shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentRecord {
    pub household_id: String,
    pub member: Member,
    pub scheme_year: i32,
    pub enrolled_on: NaiveDate,
    pub policy_version: String,
    #[serde(default)]
    pub coverage: Option<Coverage>,
    /// Set by the server on a duplicate: the enrolment that stands.
    #[serde(default)]
    pub duplicate_of: Option<String>,
    #[serde(default)]
    pub pending_document: Option<PendingDocument>,
    #[serde(default)]
    pub receipt_no: Option<String>,
    /// Cover stopped from a day (停保): suspended on and after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<CoverStop>,
    /// Names and phones corrected (更正), oldest first, each with the value it replaced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<RecordedCorrection>,
}

impl EnrolmentRecord {
    /// Adds a correction to the history (once: the server's copy of one made here replaces
    /// it) and writes its value onto the member.
    pub fn corrected(&mut self, correction: RecordedCorrection) {
        correction.value.apply_to(&mut self.member);
        match self
            .corrections
            .iter_mut()
            .find(|c| c.correction_id == correction.correction_id)
        {
            Some(known) => *known = correction,
            None => self.corrections.push(correction),
        }
    }

    /// The server's enrolment, keeping what only this tablet knew of its own (the receipt,
    /// papers still missing).
    pub fn pulled(server: RecordedEnrolment, own: Option<EnrolmentRecord>) -> EnrolmentRecord {
        let own = own.as_ref();
        EnrolmentRecord {
            household_id: server.household_id,
            member: server.member,
            scheme_year: server.scheme_year,
            enrolled_on: server.enrolled_on,
            policy_version: server.policy_version,
            coverage: Some(server.coverage),
            duplicate_of: server.duplicate_of,
            pending_document: own.and_then(|o| o.pending_document.clone()),
            receipt_no: own.and_then(|o| o.receipt_no.clone()),
            stopped: server.stopped.or(own.and_then(|o| o.stopped)),
            corrections: own.map(|o| o.corrections.clone()).unwrap_or_default(),
        }
    }
}

/// A claim as this tablet keeps it: the claim as recorded (what the patient was told, the same
/// shape as sent to the server), what only the tablet knows beside it, and the server's
/// outcome once pulled. Stored flat: `person` and `visit_date` are top-level fields, which
/// the local database indexes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRecord {
    pub claim_id: String,
    pub enrolment_id: String,
    pub patient_name: String,
    pub saved_at_ms: u64,
    pub cap_pool: String,
    pub operator: String,
    #[serde(default)]
    pub voided: Option<String>,
    /// The server's figures, after a sync pulled them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ClaimOutcome>,
    /// The township's decision, after a sync pulled it (审核).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<cunbao_domain::review::DecidedClaim>,
    /// A void proposed to the township after upload (作废申请), and its decision once pulled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void_proposal: Option<VoidProposal>,
    #[serde(flatten)]
    pub claim: Claim,
}

/// A void of an uploaded claim proposed at the clinic, for a second person of the township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidProposal {
    pub proposal_id: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<cunbao_domain::second_person::ProposalDecided>,
}

impl VoidProposal {
    /// Still waiting for the township.
    pub fn awaiting(&self) -> bool {
        self.decided.is_none()
    }
}

/// A decision of the township, as the clinic's tablet pulled it.
#[derive(Debug, Clone, PartialEq)]
pub enum TownshipDecision {
    Claim(cunbao_domain::review::DecidedClaim),
    Proposal(cunbao_domain::second_person::DecidedProposal),
}

impl TownshipDecision {
    pub fn decided_at(&self) -> &str {
        match self {
            TownshipDecision::Claim(c) => &c.decided_at,
            TownshipDecision::Proposal(p) => &p.decided.decided_at,
        }
    }
}

/// What the Notices store holds: `{entity, id, data}` under `{entity}:{id}`.
pub struct Notice;

impl Notice {
    /// A chronic qualification, under `qualification:{id}` (a later state of the same
    /// application replaces the earlier), with the person's ID number beside it for the index.
    pub fn qualification(q: &Qualification) -> (String, Value) {
        (
            format!("qualification:{}", q.id),
            json!({ "entity": "qualification", "id": q.id, "person": q.person, "data": q }),
        )
    }

    /// The person's qualifications on this tablet, oldest application first.
    pub async fn qualifications_of(
        store: &impl Store,
        person: &str,
    ) -> Result<Vec<Qualification>, StorageError> {
        #[derive(serde::Deserialize)]
        struct Stored {
            data: Qualification,
        }
        let mut list: Vec<Qualification> = store
            .all_in_as::<Stored>(super::IndexName::QualificationsByPerson, person)
            .await?
            .into_iter()
            .map(|s| s.data)
            .collect();
        list.sort_by(|a, b| (a.applied_on, &a.id).cmp(&(b.applied_on, &b.id)));
        Ok(list)
    }

    /// The key of a person's year-to-date figures from the server.
    pub fn accumulators_key(key: &AccumulatorKey) -> String {
        format!("accumulators:{key}")
    }

    pub fn accumulators(figures: &YearToDate) -> (String, Value) {
        (
            Notice::accumulators_key(&figures.key),
            json!({ "entity": "accumulators", "id": figures.key, "data": figures }),
        )
    }

    pub fn of(change: &Change) -> (String, Value) {
        let entity = change.body.kind().as_str();
        (
            format!("{entity}:{}", change.id),
            json!({ "entity": entity, "id": change.id, "data": change.body.payload() }),
        )
    }

    /// The township's decisions pulled to this tablet — on claims (审核, a void approved) and
    /// on voids and refunds proposed here — newest first.
    pub async fn decisions(store: &impl Store) -> Result<Vec<TownshipDecision>, StorageError> {
        // Each payload read straight into its type (serde's adjacently tagged enum would keep a
        // second copy of each reader, for a buffer: issue 18, the bundle).
        let mut decisions: Vec<TownshipDecision> = store
            .all(StoreName::Notices)
            .await?
            .into_iter()
            .filter_map(|(_, mut v)| {
                let data = v["data"].take();
                match v["entity"].as_str()? {
                    "claim_decided" => serde_json::from_value(data)
                        .ok()
                        .map(TownshipDecision::Claim),
                    "proposal_decided" => serde_json::from_value(data)
                        .ok()
                        .map(TownshipDecision::Proposal),
                    _ => None,
                }
            })
            .collect();
        decisions.sort_by(|a, b| b.decided_at().cmp(a.decided_at()));
        Ok(decisions)
    }

    /// The server's year-to-date figures for `key`, if a pulled claim brought them.
    pub async fn year_to_date(
        store: &impl Store,
        key: &AccumulatorKey,
    ) -> Result<Option<YearToDate>, StorageError> {
        // The figures are filed under their key; what is read is the figures alone.
        #[derive(serde::Deserialize)]
        struct Stored {
            data: Figures,
        }
        #[derive(serde::Deserialize)]
        struct Figures {
            deductible_met: Money,
            fund_paid: Money,
            as_of: NaiveDate,
        }
        let stored: Option<Stored> = store
            .get(StoreName::Notices, &Notice::accumulators_key(key))
            .await?
            .and_then(|v| serde_json::from_value(v).ok());
        Ok(stored.map(|Stored { data }| YearToDate {
            key: key.clone(),
            deductible_met: data.deductible_met,
            fund_paid: data.fund_paid,
            as_of: data.as_of,
        }))
    }
}
