//! Changes after enrolment at the desk (参保变更): stopping a person's cover from a day,
//! correcting a name or phone, proposing a refund of a receipt. Each is checked by the domain's
//! rules, written to the local record and queued for the server in one durable transaction.

use chrono::NaiveDate;
use cunbao_domain::enrolment::{
    check_correction, check_stop, ChangeError, Correction, CoverStop, RefundReason, StopReason,
};
use cunbao_domain::money::Money;
use cunbao_domain::second_person::{ProposalDecided, ProposalState};
use cunbao_domain::sync::{MutationBody, ProposedRefund, RecordedCorrection};
use cunbao_domain::text::{Bilingual, Text};
use serde::Deserialize;
use serde_json::Value;

use crate::storage::records::EnrolmentRecord;
use crate::storage::{Batch, StorageError, Store, StoreName};
use crate::sync::outbox;

/// Who makes a change, when, and the id it gets.
/// Who makes it is the signed-in user, read from the session when it is saved.
pub struct Maker {
    pub device_id: String,
    pub clinic_id: String,
    pub now_ms: u64,
    /// The time as recorded (RFC 3339).
    pub at: String,
    pub new_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChangeFailed {
    /// The domain's rules refuse it (a stop date outside the cover, nothing corrected, …).
    Refused(ChangeError),
    /// The enrolment or receipt is not on this tablet, or does not stand.
    NotFound,
    /// A refund of the receipt is already awaiting the township.
    RefundAlreadyProposed,
    /// Nobody is signed in: nothing is saved.
    NotSignedIn,
    Storage(StorageError),
}

impl From<outbox::SaveError> for ChangeFailed {
    fn from(err: outbox::SaveError) -> Self {
        match err {
            outbox::SaveError::NotSignedIn => ChangeFailed::NotSignedIn,
            outbox::SaveError::Storage(err) => ChangeFailed::Storage(err),
        }
    }
}

impl From<StorageError> for ChangeFailed {
    fn from(err: StorageError) -> Self {
        ChangeFailed::Storage(err)
    }
}

impl From<ChangeError> for ChangeFailed {
    fn from(err: ChangeError) -> Self {
        ChangeFailed::Refused(err)
    }
}

impl Bilingual for ChangeFailed {
    fn text(&self) -> Text {
        match self {
            ChangeFailed::Refused(err) => err.text(),
            ChangeFailed::NotFound => Text::new(
                "本机没有这条有效的记录",
                "This tablet has no such record that stands",
            ),
            ChangeFailed::RefundAlreadyProposed => Text::new(
                "这张收费凭证已申请退费，待乡镇审批",
                "A refund of this receipt is already awaiting the township",
            ),
            ChangeFailed::NotSignedIn => outbox::SaveError::NotSignedIn.text(),
            ChangeFailed::Storage(err) => err.text(),
        }
    }
}

pub(crate) async fn standing(
    store: &impl Store,
    enrolment_id: &str,
) -> Result<EnrolmentRecord, ChangeFailed> {
    let record: Option<EnrolmentRecord> = store.get_as(StoreName::Enrolments, enrolment_id).await?;
    record
        .filter(|r| r.duplicate_of.is_none())
        .ok_or(ChangeFailed::NotFound)
}

/// Stops the person's cover from `from` (停保): suspended on and after that day.
pub async fn stop_cover(
    store: &impl Store,
    enrolment_id: &str,
    from: NaiveDate,
    reason: StopReason,
    maker: Maker,
) -> Result<EnrolmentRecord, ChangeFailed> {
    let who = outbox::signed_in(store).await?;
    let mut record = standing(store, enrolment_id).await?;
    let cover = record.coverage.ok_or(ChangeFailed::NotFound)?;
    check_stop(&cover, record.scheme_year, record.stopped.as_ref(), from)?;
    record.stopped = Some(CoverStop { from, reason });
    let mut batch = Batch::default();
    batch.put(StoreName::Enrolments, enrolment_id, &record)?;
    let body = MutationBody::StopCover {
        enrolment_id: enrolment_id.to_string(),
        from,
        reason,
    };
    outbox::commit_with_entries(store, &who, batch, vec![(maker.new_id, body)], maker.now_ms)
        .await?;
    Ok(record)
}

/// Corrects the person's name or phone (更正), keeping the earlier value in the history.
pub async fn correct(
    store: &impl Store,
    enrolment_id: &str,
    correction: Correction,
    maker: Maker,
) -> Result<EnrolmentRecord, ChangeFailed> {
    let who = outbox::signed_in(store).await?;
    let mut record = standing(store, enrolment_id).await?;
    check_correction(&record.member, &correction)?;
    record.corrected(RecordedCorrection {
        correction_id: maker.new_id.clone(),
        enrolment_id: enrolment_id.to_string(),
        earlier: correction.current(&record.member),
        value: correction.clone(),
        clinic_id: maker.clinic_id,
        by: who.display_name().to_string(),
        device_id: maker.device_id,
        device_name: String::new(),
        at: maker.at,
    });
    let mut batch = Batch::default();
    batch.put(StoreName::Enrolments, enrolment_id, &record)?;
    let body = MutationBody::Correction {
        enrolment_id: enrolment_id.to_string(),
        correction,
    };
    outbox::commit_with_entries(store, &who, batch, vec![(maker.new_id, body)], maker.now_ms)
        .await?;
    Ok(record)
}

/// A receipt of a household as the tablet holds it: one collected here, or one the server
/// sent (collected on another tablet of the clinic).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HouseholdReceipt {
    #[serde(skip)]
    pub contribution_id: String,
    pub receipt_no: String,
    pub household_id: String,
    #[serde(alias = "total")]
    pub amount: Money,
    pub collected_on: NaiveDate,
    #[serde(default)]
    pub refund: Option<ProposedRefund>,
    /// The township's decision on the last refund proposed, once pulled.
    #[serde(default)]
    pub refund_decided: Option<cunbao_domain::second_person::ProposalDecided>,
}

impl HouseholdReceipt {
    pub fn read(contribution_id: &str, value: Value) -> Option<HouseholdReceipt> {
        let mut receipt: HouseholdReceipt = serde_json::from_value(value).ok()?;
        receipt.contribution_id = contribution_id.to_string();
        Some(receipt)
    }
}

/// The household's receipts, oldest first.
pub async fn household_receipts(
    store: &impl Store,
    household_id: &str,
) -> Result<Vec<HouseholdReceipt>, StorageError> {
    let mut list: Vec<HouseholdReceipt> = store
        .all(StoreName::Contributions)
        .await?
        .into_iter()
        .filter_map(|(id, value)| HouseholdReceipt::read(&id, value))
        .filter(|r| r.household_id == household_id)
        .collect();
    crate::sort::sort_by(&mut list, |a, b| {
        (a.collected_on, &a.receipt_no).cmp(&(b.collected_on, &b.receipt_no))
    });
    Ok(list)
}

/// Proposes a refund of a receipt (退费申请); it waits for the township's approval.
pub async fn propose_refund(
    store: &impl Store,
    contribution_id: &str,
    reason: RefundReason,
    maker: Maker,
) -> Result<ProposedRefund, ChangeFailed> {
    let who = outbox::signed_in(store).await?;
    let mut value = store
        .get(StoreName::Contributions, contribution_id)
        .await?
        .ok_or(ChangeFailed::NotFound)?;
    let receipt =
        HouseholdReceipt::read(contribution_id, value.clone()).ok_or(ChangeFailed::NotFound)?;
    if receipt.refund.is_some() {
        return Err(ChangeFailed::RefundAlreadyProposed);
    }
    if let Value::Object(map) = &mut value {
        // A refused refund's decision gives way to the new proposal.
        map.remove("refund_decided");
    }
    let proposal = ProposedRefund {
        proposal_id: maker.new_id.clone(),
        contribution_id: contribution_id.to_string(),
        receipt_no: receipt.receipt_no,
        amount: receipt.amount,
        reason,
        clinic_id: maker.clinic_id,
        by: who.display_name().to_string(),
        by_username: who.operator().username.clone(),
        device_id: maker.device_id,
        device_name: String::new(),
        at: maker.at,
    };
    with_refund(&mut value, &proposal);
    let mut batch = Batch::default();
    batch.put(StoreName::Contributions, contribution_id, &value)?;
    let body = MutationBody::RefundProposal {
        contribution_id: contribution_id.to_string(),
        reason,
    };
    outbox::commit_with_entries(store, &who, batch, vec![(maker.new_id, body)], maker.now_ms)
        .await?;
    Ok(proposal)
}

/// Marks a stored receipt with the township's decision on its refund: approved, it stays
/// marked (已退费); refused, the proposal is cleared so that another can be made.
pub fn with_refund_decision(receipt: &mut Value, decided: &ProposalDecided) {
    if let Value::Object(map) = receipt {
        if decided.state == ProposalState::Refused {
            map.remove("refund");
        }
        map.insert(
            "refund_decided".into(),
            serde_json::to_value(decided).expect("wire types serialise"),
        );
    }
}

/// Marks a stored receipt (of either shape) with its refund proposal.
pub fn with_refund(receipt: &mut Value, proposal: &ProposedRefund) {
    if let Value::Object(map) = receipt {
        map.insert(
            "refund".into(),
            serde_json::to_value(proposal).expect("wire types serialise"),
        );
    }
}

#[cfg(test)]
mod tests;
