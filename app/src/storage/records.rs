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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// The fields of a [`ClaimRecord`] beside its claim's, as stored.
const OWN_FIELDS: [&str; 10] = [
    "claim_id",
    "enrolment_id",
    "patient_name",
    "saved_at_ms",
    "cap_pool",
    "operator",
    "voided",
    "server",
    "decision",
    "void_proposal",
];

/// Read by hand: the record's own fields taken out, the rest read as the claim. Serde's
/// `flatten` buffered every field and had a reader of the whole claim of its own (30 KB of
/// the wasm; issue 18, the bundle).
impl<'de> Deserialize<'de> for ClaimRecord {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Own {
            claim_id: String,
            enrolment_id: String,
            patient_name: String,
            saved_at_ms: u64,
            cap_pool: String,
            operator: String,
            #[serde(default)]
            voided: Option<String>,
            #[serde(default)]
            server: Option<ClaimOutcome>,
            #[serde(default)]
            decision: Option<cunbao_domain::review::DecidedClaim>,
            #[serde(default)]
            void_proposal: Option<VoidProposal>,
        }
        let Value::Object(mut fields) = Value::deserialize(deserializer)? else {
            return Err(D::Error::custom("a claim record is an object"));
        };
        let own: serde_json::Map<String, Value> = OWN_FIELDS
            .iter()
            .filter_map(|name| Some((name.to_string(), fields.remove(*name)?)))
            .collect();
        let own: Own = serde_json::from_value(Value::Object(own)).map_err(D::Error::custom)?;
        let claim: Claim =
            serde_json::from_value(Value::Object(fields)).map_err(D::Error::custom)?;
        Ok(ClaimRecord {
            claim_id: own.claim_id,
            enrolment_id: own.enrolment_id,
            patient_name: own.patient_name,
            saved_at_ms: own.saved_at_ms,
            cap_pool: own.cap_pool,
            operator: own.operator,
            voided: own.voided,
            server: own.server,
            decision: own.decision,
            void_proposal: own.void_proposal,
            claim,
        })
    }
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
        crate::sort::sort_by(&mut list, |a, b| {
            (a.applied_on, &a.id).cmp(&(b.applied_on, &b.id))
        });
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
        crate::sort::sort_by(&mut decisions, |a, b| b.decided_at().cmp(a.decided_at()));
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

/// A claim record `c-1` of a sample general outpatient claim on `visit` (`quantity` of the
/// catalogue's first item), with the server's figures beside it, for tests.
#[cfg(test)]
pub(crate) fn sample_claim_record(visit: NaiveDate, quantity: u32) -> ClaimRecord {
    use cunbao_domain::id_number::IdNumber;
    use cunbao_domain::policy::Policy;
    use cunbao_domain::quantity::Quantity;
    use cunbao_domain::settlement::{Accumulators, LineInput};
    use cunbao_domain::sync::{ClaimOutcome, MutationBody};
    let catalogue = cunbao_domain::sample::catalogue();
    let lines = vec![LineInput::from_item(
        &catalogue.items[0],
        Quantity::whole(quantity),
    )];
    let MutationBody::Claim(claim) = cunbao_domain::sample::general_outpatient_claim(
        &Policy::sample_2025(),
        &catalogue.version,
        IdNumber::parse("11010519491231002X").unwrap(),
        visit,
        lines,
        Accumulators::default(),
    ) else {
        unreachable!("a claim")
    };
    ClaimRecord {
        claim_id: "c-1".into(),
        enrolment_id: "e-1".into(),
        patient_name: "张三".into(),
        saved_at_ms: 1,
        cap_pool: "general_outpatient".into(),
        operator: "王秀兰".into(),
        voided: None,
        void_proposal: None,
        server: Some(ClaimOutcome {
            claim_id: "c-1".into(),
            total: claim.settlement.total,
            device_fund: claim.settlement.fund,
            server_fund: claim.settlement.fund,
            patient: claim.settlement.patient,
            accumulators: None,
            operator: None,
        }),
        decision: None,
        claim: *claim,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cunbao_domain::claim::ClaimStatus;
    use cunbao_domain::review::DecidedClaim;
    use cunbao_domain::second_person::{ProposalDecided, ProposalState};

    /// A record with every field of its own filled, on a real claim.
    fn full_record() -> ClaimRecord {
        let visit = NaiveDate::from_ymd_opt(2026, 6, 16).unwrap();
        let record = sample_claim_record(visit, 2);
        let claim = &record.claim;
        let decided = |by: &str| ProposalDecided {
            state: ProposalState::Approved,
            note: Some("同意".into()),
            decided_by: by.into(),
            decided_by_username: "shenhe".into(),
            decided_at: "2026-06-17T09:00:00Z".into(),
        };
        ClaimRecord {
            saved_at_ms: 1_781_000_000_000,
            voided: Some("录入错误".into()),
            decision: Some(DecidedClaim {
                claim_id: "c-1".into(),
                person: claim.person.as_str().into(),
                visit_date: visit,
                status: ClaimStatus::Settled,
                reason: None,
                note: Some("抽查无误".into()),
                fund: claim.settlement.fund,
                decided_by: "审核员".into(),
                decided_at: "2026-06-18T09:00:00Z".into(),
                accumulators: None,
            }),
            void_proposal: Some(VoidProposal {
                proposal_id: "p-1".into(),
                reason: "重复结算".into(),
                decided: Some(decided("审核员")),
            }),
            ..record
        }
    }

    #[test]
    fn a_claim_record_reads_back_whole_whatever_its_fields_order() {
        let record = full_record();
        let stored = serde_json::to_value(&record).unwrap();
        // Stored flat: the claim's fields beside the record's own, each field once.
        for own in OWN_FIELDS {
            assert!(stored.get(own).is_some(), "{own} is stored");
        }
        assert_eq!(stored["person"], "11010519491231002X");
        assert_eq!(
            serde_json::from_value::<ClaimRecord>(stored.clone()).unwrap(),
            record
        );
        // As text, in reverse order of keys.
        let Value::Object(fields) = stored.clone() else {
            unreachable!()
        };
        let reversed: Vec<String> = fields
            .iter()
            .rev()
            .map(|(k, v)| format!("{}:{v}", Value::String(k.clone())))
            .collect();
        let text = format!("{{{}}}", reversed.join(","));
        assert_eq!(serde_json::from_str::<ClaimRecord>(&text).unwrap(), record);
        // Optional fields of its own may be absent.
        let mut bare = record.clone();
        (bare.voided, bare.server, bare.decision, bare.void_proposal) = (None, None, None, None);
        let mut lean = serde_json::to_value(&bare).unwrap();
        lean.as_object_mut().unwrap().remove("voided");
        assert_eq!(serde_json::from_value::<ClaimRecord>(lean).unwrap(), bare);
    }

    #[test]
    fn a_claim_record_with_a_field_of_neither_or_missing_one_is_refused() {
        let stored = serde_json::to_value(full_record()).unwrap();
        let mut unknown = stored.clone();
        unknown["cash"] = json!("1.00");
        assert!(serde_json::from_value::<ClaimRecord>(unknown).is_err());
        for missing in ["claim_id", "operator", "person", "settlement"] {
            let mut short = stored.clone();
            short.as_object_mut().unwrap().remove(missing);
            assert!(
                serde_json::from_value::<ClaimRecord>(short).is_err(),
                "{missing}"
            );
        }
        assert!(serde_json::from_value::<ClaimRecord>(json!([1, 2])).is_err());
    }
}
