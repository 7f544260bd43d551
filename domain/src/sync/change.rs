//! The pulled change feed, typed: one variant per kind of change a device can hear of.
//!
//! On the wire a change reads `{cursor, id, entity, data}` — `entity` names the kind and
//! `data` is that kind's payload — and both sides decode it into [`ChangeBody`]; nobody reads
//! a change by string index.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::enrolment::{CoverStop, Coverage, Member, MemberContribution};
use crate::money::Money;
use crate::settlement::Accumulators;

use super::accumulator::AccumulatorKey;
use super::after_enrolment::{ProposedRefund, RecordedCorrection, RecordedStop};

/// One change visible to the caller, in cursor order. Read by hand ([`Change`]'s
/// `Deserialize`): the kind first, then its payload straight into the kind's type, without
/// the generic buffering serde's `flatten` does (a large part of the tablet's code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub cursor: u64,
    /// The record the change is about (for a void: the voided record).
    pub id: String,
    #[serde(flatten)]
    pub body: ChangeBody,
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Change, D::Error> {
        deserializer.deserialize_map(ChangeVisitor)
    }
}

struct ChangeVisitor;

impl<'de> serde::de::Visitor<'de> for ChangeVisitor {
    type Value = Change;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a change: cursor, id, entity and data")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Change, A::Error> {
        use serde::de::Error;
        let (mut cursor, mut id, mut entity, mut data) = (None, None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "cursor" => cursor = Some(map.next_value()?),
                "id" => id = Some(map.next_value()?),
                "entity" => entity = Some(map.next_value::<String>()?),
                // Kept as it is until the kind is known (a JSON object's keys have no order).
                "data" => data = Some(map.next_value::<serde_json::Value>()?),
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        let entity = entity.ok_or_else(|| A::Error::missing_field("entity"))?;
        let data = data.ok_or_else(|| A::Error::missing_field("data"))?;
        Ok(Change {
            cursor: cursor.ok_or_else(|| A::Error::missing_field("cursor"))?,
            id: id.ok_or_else(|| A::Error::missing_field("id"))?,
            body: ChangeBody::from_parts(&entity, data).map_err(A::Error::custom)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "entity", content = "data", rename_all = "snake_case")]
pub enum ChangeBody {
    /// An enrolment that stands, as the server recorded it.
    Enrolment(RecordedEnrolment),
    /// Cash collected at a clinic.
    Contribution(RecordedContribution),
    /// The server's outcome of a claim, with the person's year-to-date figures after it.
    Claim(ClaimOutcome),
    /// An enrolment that did not stand: the person was already enrolled for the year.
    DuplicateEnrolment(DuplicateEnrolment),
    /// The server's fund share differs from the tablet's: goes on the monthly statement.
    Adjustment(Adjustment),
    /// Cash collected for an enrolment that did not stand, owed back to the payer.
    RefundDue(RefundDue),
    /// A record voided by the device that made it.
    Void(Voided),
    /// Cover of an enrolment stopped from a day (停保).
    CoverStopped(RecordedStop),
    /// A name or phone corrected, with the earlier value.
    Corrected(RecordedCorrection),
    /// A refund of a contribution proposed, awaiting the township's approval.
    RefundProposed(ProposedRefund),
    /// A chronic qualification filed, or decided by the township (认定).
    Qualification(crate::qualification::Qualification),
    /// A claim the township approved or rejected (审核).
    ClaimDecided(crate::review::DecidedClaim),
    /// A void or a refund proposed at the clinic or the township, approved or refused by a
    /// second person of the township (双人复核).
    ProposalDecided(crate::second_person::DecidedProposal),
}

/// The kinds of change, for the feed's `entity` column and for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    Enrolment,
    Contribution,
    Claim,
    DuplicateEnrolment,
    Adjustment,
    RefundDue,
    Void,
    CoverStopped,
    Corrected,
    RefundProposed,
    Qualification,
    ClaimDecided,
    ProposalDecided,
}

impl ChangeKind {
    /// Every kind, for reading a kind back from its name.
    pub const ALL: [ChangeKind; 13] = [
        ChangeKind::Enrolment,
        ChangeKind::Contribution,
        ChangeKind::Claim,
        ChangeKind::DuplicateEnrolment,
        ChangeKind::Adjustment,
        ChangeKind::RefundDue,
        ChangeKind::Void,
        ChangeKind::CoverStopped,
        ChangeKind::Corrected,
        ChangeKind::RefundProposed,
        ChangeKind::Qualification,
        ChangeKind::ClaimDecided,
        ChangeKind::ProposalDecided,
    ];

    /// The kind named `name` (as [`ChangeKind::as_str`] names it).
    pub fn named(name: &str) -> Option<ChangeKind> {
        ChangeKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Enrolment => "enrolment",
            ChangeKind::Contribution => "contribution",
            ChangeKind::Claim => "claim",
            ChangeKind::DuplicateEnrolment => "duplicate_enrolment",
            ChangeKind::Adjustment => "adjustment",
            ChangeKind::RefundDue => "refund_due",
            ChangeKind::Void => "void",
            ChangeKind::CoverStopped => "cover_stopped",
            ChangeKind::Corrected => "corrected",
            ChangeKind::RefundProposed => "refund_proposed",
            ChangeKind::Qualification => "qualification",
            ChangeKind::ClaimDecided => "claim_decided",
            ChangeKind::ProposalDecided => "proposal_decided",
        }
    }
}

impl ChangeBody {
    pub fn kind(&self) -> ChangeKind {
        match self {
            ChangeBody::Enrolment(_) => ChangeKind::Enrolment,
            ChangeBody::Contribution(_) => ChangeKind::Contribution,
            ChangeBody::Claim(_) => ChangeKind::Claim,
            ChangeBody::DuplicateEnrolment(_) => ChangeKind::DuplicateEnrolment,
            ChangeBody::Adjustment(_) => ChangeKind::Adjustment,
            ChangeBody::RefundDue(_) => ChangeKind::RefundDue,
            ChangeBody::Void(_) => ChangeKind::Void,
            ChangeBody::CoverStopped(_) => ChangeKind::CoverStopped,
            ChangeBody::Corrected(_) => ChangeKind::Corrected,
            ChangeBody::RefundProposed(_) => ChangeKind::RefundProposed,
            ChangeBody::Qualification(_) => ChangeKind::Qualification,
            ChangeBody::ClaimDecided(_) => ChangeKind::ClaimDecided,
            ChangeBody::ProposalDecided(_) => ChangeKind::ProposalDecided,
        }
    }

    /// The payload alone (the feed stores the kind and the payload in two columns).
    pub fn payload(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut map)) => map.remove("data").unwrap_or_default(),
            _ => serde_json::Value::Null,
        }
    }

    /// The payload alone as JSON, written straight from the typed value (what the feed
    /// stores; [`ChangeBody::payload`] as text).
    pub fn payload_json(&self) -> String {
        let json = match self {
            ChangeBody::Enrolment(x) => serde_json::to_string(x),
            ChangeBody::Contribution(x) => serde_json::to_string(x),
            ChangeBody::Claim(x) => serde_json::to_string(x),
            ChangeBody::DuplicateEnrolment(x) => serde_json::to_string(x),
            ChangeBody::Adjustment(x) => serde_json::to_string(x),
            ChangeBody::RefundDue(x) => serde_json::to_string(x),
            ChangeBody::Void(x) => serde_json::to_string(x),
            ChangeBody::CoverStopped(x) => serde_json::to_string(x),
            ChangeBody::Corrected(x) => serde_json::to_string(x),
            ChangeBody::RefundProposed(x) => serde_json::to_string(x),
            ChangeBody::Qualification(x) => serde_json::to_string(x),
            ChangeBody::ClaimDecided(x) => serde_json::to_string(x),
            ChangeBody::ProposalDecided(x) => serde_json::to_string(x),
        };
        json.expect("a change serialises")
    }

    /// Rebuilds a change from its kind and payload (as stored by the feed, or as read on the
    /// wire): the payload read straight into the kind's type.
    pub fn from_parts(kind: &str, payload: serde_json::Value) -> serde_json::Result<ChangeBody> {
        use serde_json::from_value as read;
        let Some(kind) = ChangeKind::named(kind) else {
            return Err(serde::de::Error::custom(format_args!(
                "unknown kind of change `{kind}`"
            )));
        };
        Ok(match kind {
            ChangeKind::Enrolment => ChangeBody::Enrolment(read(payload)?),
            ChangeKind::Contribution => ChangeBody::Contribution(read(payload)?),
            ChangeKind::Claim => ChangeBody::Claim(read(payload)?),
            ChangeKind::DuplicateEnrolment => ChangeBody::DuplicateEnrolment(read(payload)?),
            ChangeKind::Adjustment => ChangeBody::Adjustment(read(payload)?),
            ChangeKind::RefundDue => ChangeBody::RefundDue(read(payload)?),
            ChangeKind::Void => ChangeBody::Void(read(payload)?),
            ChangeKind::CoverStopped => ChangeBody::CoverStopped(read(payload)?),
            ChangeKind::Corrected => ChangeBody::Corrected(read(payload)?),
            ChangeKind::RefundProposed => ChangeBody::RefundProposed(read(payload)?),
            ChangeKind::Qualification => ChangeBody::Qualification(read(payload)?),
            ChangeKind::ClaimDecided => ChangeBody::ClaimDecided(read(payload)?),
            ChangeKind::ProposalDecided => ChangeBody::ProposalDecided(read(payload)?),
        })
    }
}

/// An enrolment as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedEnrolment {
    pub household_id: String,
    pub member: Member,
    pub scheme_year: i32,
    pub enrolled_on: NaiveDate,
    pub policy_version: String,
    pub coverage: Coverage,
    pub contribution: MemberContribution,
    pub clinic_id: String,
    /// On a duplicate: the enrolment that stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// A renewal (covered last year) made after the policy's renewal deadline: accepted, and
    /// marked for the township.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub late_renewal: bool,
    /// Cover stopped from a day (停保): suspended on and after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<CoverStop>,
    /// Who enrolled the person (absent on records made before operators were sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<super::Operator>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedContribution {
    pub receipt_no: String,
    pub household_id: String,
    /// The enrolments (record ids) the payment covers.
    pub enrolment_ids: Vec<String>,
    pub amount: Money,
    pub collected_on: NaiveDate,
    /// Who collected the cash (收款人), credited with it whoever pushed it (absent on
    /// records made before operators were sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<super::Operator>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimOutcome {
    pub claim_id: String,
    pub total: Money,
    /// What the tablet told the patient the fund pays, and what the server pays.
    pub device_fund: Money,
    pub server_fund: Money,
    pub patient: Money,
    /// The person's figures after this claim (absent while it waits for review: nothing
    /// was paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accumulators: Option<YearToDate>,
    /// Who settled the visit (经办人), absent on claims made before operators were sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<super::Operator>,
}

impl ClaimOutcome {
    /// Whether the server paid the claim exactly as the tablet settled it: the same total
    /// (the tablet's is its fund plus the patient's part), the same fund, and not held for
    /// review. The tablet's record of the claim then already says everything the outcome does.
    pub fn as_the_tablet_settled(&self) -> bool {
        self.accumulators.is_some()
            && self.server_fund == self.device_fund
            && self.total == self.device_fund + self.patient
    }
}

/// A person's year-to-date figures for one cap pool, as of a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearToDate {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub key: AccumulatorKey,
    pub deductible_met: Money,
    pub fund_paid: Money,
    pub as_of: NaiveDate,
}

impl YearToDate {
    pub fn figures(&self) -> Accumulators {
        Accumulators {
            deductible_met: self.deductible_met,
            fund_paid: self.fund_paid,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateEnrolment {
    pub enrolment_id: String,
    pub duplicate_of: String,
    /// The person's ID number, masked.
    pub person: String,
    pub scheme_year: i32,
    pub clinic_id: String,
    pub existing_clinic_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Adjustment {
    pub adjustment_id: String,
    pub claim_id: String,
    pub clinic_id: String,
    pub visit_date: NaiveDate,
    /// The person's ID number, masked.
    pub person: String,
    pub device_fund: Money,
    pub server_fund: Money,
    /// Server minus tablet (negative: the fund pays less than the patient was told).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "rust_decimal::serde::str")]
    pub difference: Decimal,
    pub device_accumulators: Accumulators,
    pub server_accumulators: Accumulators,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundDue {
    pub refund_id: String,
    pub contribution_id: String,
    pub enrolment_id: String,
    #[serde(default)]
    pub duplicate_of: Option<String>,
    pub amount: Money,
    pub clinic_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Voided {
    pub target_record_id: String,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outcome() -> ChangeBody {
        ChangeBody::Claim(ClaimOutcome {
            claim_id: "c-1".into(),
            total: Money::yuan(114),
            device_fund: Money::yuan(6),
            server_fund: Money::yuan(5),
            patient: Money::yuan(108),
            accumulators: Some(YearToDate {
                key: AccumulatorKey::new("11010519491231002X", 2026, "general_outpatient"),
                deductible_met: Money::yuan(300),
                fund_paid: Money::yuan(1995),
                as_of: NaiveDate::from_ymd_opt(2026, 6, 16).unwrap(),
            }),
            operator: None,
        })
    }

    #[test]
    fn an_outcome_says_whether_the_claim_was_paid_as_the_tablet_settled_it() {
        let ChangeBody::Claim(adjusted) = outcome() else {
            unreachable!()
        };
        // The server pays 5 where the tablet said 6.
        assert!(!adjusted.as_the_tablet_settled());
        let same = ClaimOutcome {
            device_fund: Money::yuan(5),
            patient: Money::yuan(109),
            ..adjusted.clone()
        };
        assert!(same.as_the_tablet_settled());
        // The same fund on another total (the server priced the lines otherwise).
        let repriced = ClaimOutcome {
            total: Money::yuan(120),
            ..same.clone()
        };
        assert!(!repriced.as_the_tablet_settled());
        // Held for review: nothing paid yet.
        let held = ClaimOutcome {
            accumulators: None,
            ..same
        };
        assert!(!held.as_the_tablet_settled());
    }

    #[test]
    fn a_change_reads_entity_and_data_on_the_wire_and_round_trips() {
        let change = Change {
            cursor: 7,
            id: "c-1".into(),
            body: outcome(),
        };
        let wire = serde_json::to_value(&change).unwrap();
        assert_eq!(wire["cursor"], 7);
        assert_eq!(wire["id"], "c-1");
        assert_eq!(wire["entity"], "claim");
        assert_eq!(wire["data"]["server_fund"], "5.00");
        assert_eq!(
            wire["data"]["accumulators"]["key"],
            "11010519491231002X|2026|general_outpatient"
        );
        assert_eq!(serde_json::from_value::<Change>(wire).unwrap(), change);
    }

    #[test]
    fn the_feed_stores_kind_and_payload_apart_and_rebuilds_the_change() {
        let body = outcome();
        let payload = body.payload();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&body.payload_json()).unwrap(),
            payload
        );
        assert_eq!(payload["claim_id"], "c-1");
        let back = ChangeBody::from_parts(body.kind().as_str(), payload).unwrap();
        assert_eq!(back, body);
        let void = ChangeBody::Void(Voided {
            target_record_id: "r-1".into(),
            reason: "录错".into(),
        });
        assert_eq!(
            ChangeBody::from_parts("void", void.payload()).unwrap(),
            void
        );
        assert!(ChangeBody::from_parts("no_such_kind", json!({})).is_err());
    }

    /// Every kind's name is read back as that kind: an empty payload is refused for what it
    /// lacks, not for an unknown kind.
    #[test]
    fn every_kind_is_read_by_its_name() {
        for kind in ChangeKind::ALL {
            assert_eq!(ChangeKind::named(kind.as_str()), Some(kind));
            let err = ChangeBody::from_parts(kind.as_str(), json!({})).unwrap_err();
            assert!(!err.to_string().contains("unknown kind"), "{kind:?}: {err}");
        }
    }

    /// A change whose payload comes before its kind (a JSON object's keys have no order) and
    /// with a key it does not know is read all the same.
    #[test]
    fn a_change_is_read_whatever_the_order_of_its_keys() {
        let text = r#"{"data":{"target_record_id":"r-1","reason":"录错"},"extra":[1],"id":"r-1","entity":"void","cursor":3}"#;
        let change: Change = serde_json::from_str(text).unwrap();
        assert_eq!(change.cursor, 3);
        assert_eq!(
            change.body,
            ChangeBody::Void(Voided {
                target_record_id: "r-1".into(),
                reason: "录错".into(),
            })
        );
        assert!(serde_json::from_str::<Change>(r#"{"cursor":1,"id":"x","data":{}}"#).is_err());
    }
}
