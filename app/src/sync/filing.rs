//! Filing what a sync round pulls: each change where the screens look for it (enrolments,
//! receipts, claims, the people's figures and the township's notices), made ready a page at a
//! time ([`prepare_changes`], sealed ahead in the vault) and written once the round's answers
//! are ([`file`]).

use std::collections::HashMap;

use cunbao_domain::enrolment::CoverStop;
use cunbao_domain::sync::{Change, ChangeBody};
use serde_json::Value;

use crate::storage::records::{ClaimRecord, EnrolmentRecord, Notice};
use crate::storage::{Batch, Prepared, StorageError, Store, StoreName};

/// A page's records, ready to be written ([`prepare_changes`], [`file`]).
pub(super) struct Filing {
    writes: Vec<Prepared>,
    /// Enrolments or receipts are among them (the desk holds those in memory).
    desk_changed: bool,
}

/// Files each pulled change where the screens look for it. True when enrolments or receipts
/// were written.
#[cfg(test)]
async fn apply_changes(store: &impl Store, changes: &[Change]) -> Result<bool, StorageError> {
    let filing = prepare_changes(store, changes).await?;
    file(store, &filing, &Batch::default()).await
}

/// Writes a page's records and `marks` (the round's answers, the cursor past the page) in one
/// transaction: the cursor never passes records not written. True when enrolments or receipts
/// were written.
pub(super) async fn file(
    store: &impl Store,
    filing: &Filing,
    marks: &Batch,
) -> Result<bool, StorageError> {
    store.commit_durable_with(marks, &filing.writes).await?;
    Ok(filing.desk_changed)
}

/// What each pulled change files, and where the screens look for it, made ready to write:
/// one write per store per page (a record updated twice in the page written once, as it
/// ends). Re-applying a change is harmless.
pub(super) async fn prepare_changes(
    store: &impl Store,
    changes: &[Change],
) -> Result<Filing, StorageError> {
    let mut enrolments = Vec::new();
    let mut contributions = Vec::new();
    let mut claims = Vec::new();
    let mut notices = Vec::new();
    // The page's claims as stored that a change adds to, read together (this tablet's own are
    // updated below).
    let claim_ids: Vec<String> = changes
        .iter()
        .filter_map(|change| match &change.body {
            ChangeBody::Claim(outcome) if outcome.as_the_tablet_settled() => None,
            ChangeBody::Claim(_) | ChangeBody::ClaimDecided(_) => Some(change.id.clone()),
            ChangeBody::ProposalDecided(decided) => Some(decided.target_id.clone()),
            _ => None,
        })
        .collect();
    let stored = store.get_many(StoreName::Claims, &claim_ids).await?;
    let read: HashMap<String, Option<Value>> = claim_ids.into_iter().zip(stored).collect();
    for change in changes {
        let id = change.id.clone();
        match &change.body {
            ChangeBody::Enrolment(enrolment) => {
                // A record made on this tablet keeps what only the tablet knows (its receipt,
                // papers still missing); the server adds the coverage it worked out.
                let own: Option<EnrolmentRecord> = store.get_as(StoreName::Enrolments, &id).await?;
                let record = EnrolmentRecord::pulled(enrolment.clone(), own);
                enrolments.push((id, to_json(&record)));
            }
            ChangeBody::Contribution(contribution) => {
                // This tablet's own receipt is richer than the server's view of it: keep it.
                if store.get(StoreName::Contributions, &id).await?.is_none() {
                    contributions.push((id, to_json(contribution)));
                }
            }
            ChangeBody::Claim(outcome) => {
                // Keep what the tablet recorded; add the server's figures beside it where they
                // say more than the record does (another total or fund, held for review): a
                // claim paid as settled here is not opened and sealed again for nothing (issue
                // 18, sync speed). A claim of another tablet of the clinic is not kept here,
                // only its figures below.
                if !outcome.as_the_tablet_settled() {
                    let own: Option<ClaimRecord> =
                        latest(store, StoreName::Claims, &claims, &read, &id).await?;
                    if let Some(mut own) = own {
                        own.server = Some(outcome.clone());
                        claims.push((id, to_json(&own)));
                    }
                }
                // The person's year-to-date figures after this claim, for the next visit.
                if let Some(figures) = &outcome.accumulators {
                    notices.push(Notice::accumulators(figures));
                }
            }
            ChangeBody::DuplicateEnrolment(duplicate) => {
                // This tablet's own enrolment did not stand: mark it, so the desk no longer
                // counts the person as enrolled here; the notice says why.
                let own: Option<EnrolmentRecord> = store.get_as(StoreName::Enrolments, &id).await?;
                if let Some(mut own) = own {
                    own.duplicate_of = Some(duplicate.duplicate_of.clone());
                    enrolments.push((id, to_json(&own)));
                }
                notices.push(Notice::of(change));
            }
            ChangeBody::Adjustment(_) | ChangeBody::RefundDue(_) | ChangeBody::Void(_) => {
                notices.push(Notice::of(change))
            }
            ChangeBody::CoverStopped(stop) => {
                let key = stop.enrolment_id.clone();
                if let Some(mut record) = latest_enrolment(store, &enrolments, &key).await? {
                    record.stopped = Some(CoverStop {
                        from: stop.from,
                        reason: stop.reason,
                    });
                    enrolments.push((key, to_json(&record)));
                }
            }
            ChangeBody::Corrected(correction) => {
                // The new value, and the earlier one kept in the person's history.
                let key = correction.enrolment_id.clone();
                if let Some(mut record) = latest_enrolment(store, &enrolments, &key).await? {
                    record.corrected(correction.clone());
                    enrolments.push((key, to_json(&record)));
                }
            }
            ChangeBody::ClaimDecided(decided) => {
                // The township approved or rejected it: the claim shows the decision and its
                // reason; the person's figures follow it.
                let own: Option<ClaimRecord> =
                    latest(store, StoreName::Claims, &claims, &read, &id).await?;
                if let Some(mut own) = own {
                    own.decision = Some(decided.clone());
                    claims.push((id.clone(), to_json(&own)));
                }
                if let Some(figures) = &decided.accumulators {
                    notices.push(Notice::accumulators(figures));
                }
                notices.push(Notice::of(change));
            }
            ChangeBody::Qualification(qualification) => {
                // Filed here or on another tablet, then decided: the latest state replaces
                // the earlier one, and the desk settles by it.
                notices.push(Notice::qualification(qualification));
            }
            ChangeBody::ProposalDecided(decided) => {
                apply_proposal_decided(store, &mut contributions, &mut claims, &read, decided)
                    .await?;
                notices.push(Notice::of(change));
            }
            ChangeBody::RefundProposed(proposal) => {
                let key = proposal.contribution_id.clone();
                let pending = contributions.iter().rev().find(|(k, _)| *k == key);
                let stored = match pending {
                    Some((_, value)) => Some(value.clone()),
                    None => store.get(StoreName::Contributions, &key).await?,
                };
                if let Some(mut receipt) = stored {
                    crate::desk::changes::with_refund(&mut receipt, proposal);
                    contributions.push((key, receipt));
                }
            }
        }
    }
    let desk_changed = !enrolments.is_empty() || !contributions.is_empty();
    let writes = futures::future::try_join_all(
        [
            (StoreName::Enrolments, enrolments),
            (StoreName::Contributions, contributions),
            (StoreName::Claims, claims),
            (StoreName::Notices, notices),
        ]
        .into_iter()
        .filter(|(_, records)| !records.is_empty())
        .map(|(name, records)| store.prepare(name, last_of_each(records))),
    )
    .await?;
    Ok(Filing {
        writes,
        desk_changed,
    })
}

/// The records with only the last write of each key kept, in the order of those last writes.
fn last_of_each(records: Vec<(String, Value)>) -> Vec<(String, Value)> {
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(records.len());
    for (i, (key, _)) in records.iter().enumerate() {
        last.insert(key, i);
    }
    let keep: Vec<bool> = (0..records.len())
        .map(|i| last[records[i].0.as_str()] == i)
        .collect();
    records
        .into_iter()
        .zip(keep)
        .filter_map(|(record, keep)| keep.then_some(record))
        .collect()
}

/// A second person's decision on a void or refund proposed here: the claim or the receipt
/// shows it. (An approved void also comes as the claim's decision.)
async fn apply_proposal_decided(
    store: &impl Store,
    contributions: &mut Vec<(String, Value)>,
    claims: &mut Vec<(String, Value)>,
    read: &HashMap<String, Option<Value>>,
    decided: &cunbao_domain::second_person::DecidedProposal,
) -> Result<(), StorageError> {
    use cunbao_domain::second_person::ProposalAction;
    let key = decided.target_id.clone();
    match decided.action {
        ProposalAction::VoidClaim => {
            let own: Option<ClaimRecord> =
                latest(store, StoreName::Claims, claims, read, &key).await?;
            if let Some(mut own) = own {
                let proposal = own.void_proposal.get_or_insert_with(|| {
                    crate::storage::records::VoidProposal {
                        proposal_id: decided.proposal_id.clone(),
                        reason: String::new(),
                        decided: None,
                    }
                });
                if proposal.proposal_id == decided.proposal_id {
                    proposal.decided = Some(decided.decided.clone());
                    claims.push((key, to_json(&own)));
                }
            }
        }
        ProposalAction::RefundContribution => {
            let pending = contributions.iter().rev().find(|(k, _)| *k == key);
            let stored = match pending {
                Some((_, value)) => Some(value.clone()),
                None => store.get(StoreName::Contributions, &key).await?,
            };
            if let Some(mut receipt) = stored {
                crate::desk::changes::with_refund_decision(&mut receipt, &decided.decided);
                contributions.push((key, receipt));
            }
        }
    }
    Ok(())
}

/// An enrolment as it stands after the changes of this page so far (written at its end), or
/// as stored.
async fn latest_enrolment(
    store: &impl Store,
    page: &[(String, Value)],
    id: &str,
) -> Result<Option<EnrolmentRecord>, StorageError> {
    latest(store, StoreName::Enrolments, page, &HashMap::new(), id).await
}

/// Record `id` of `name` as this page has left it so far: its latest update waiting to be
/// written, else as stored (`read` ahead for the page, or read now).
async fn latest<T: serde::de::DeserializeOwned>(
    store: &impl Store,
    name: StoreName,
    page: &[(String, Value)],
    read: &HashMap<String, Option<Value>>,
    id: &str,
) -> Result<Option<T>, StorageError> {
    match (page.iter().rev().find(|(k, _)| k == id), read.get(id)) {
        (Some((_, value)), _) | (None, Some(Some(value))) => {
            Ok(serde_json::from_value(value.clone()).ok())
        }
        (None, Some(None)) => Ok(None),
        (None, None) => store.get_as(name, id).await,
    }
}

fn to_json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("wire types serialise")
}

#[cfg(test)]
mod tests;
