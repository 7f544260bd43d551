//! The tablet's sync engine, written against [`Store`] and [`Transport`] so the same code runs
//! in the browser and in native tests against the real server.
//!
//! One round: handshake (report the work not yet uploaded, keep a renewed token, detect a
//! server that lost acknowledged work and re-open it), push everything pending in sequence
//! order in batches, record each answer, then pull the caller's changes from the saved cursor.
//! Nothing leaves the outbox; a rejection is recorded with its reason and the queue moves on.

pub mod backoff;
pub mod outbox;
pub mod publish_api;
pub mod renewal;
pub mod setup;
pub mod transport;

#[cfg(target_arch = "wasm32")]
pub mod http;

use std::collections::HashMap;

use cunbao_domain::enrolment::CoverStop;
use cunbao_domain::sync::{
    Change, ChangeBody, MutationStatus, PullResponse, SignInRequest, SignInResponse, UserInfo,
    MAX_BATCH, SEQUENCE_GAP,
};
use cunbao_domain::text::{Bilingual, Text};
use serde_json::Value;

use crate::storage::meta::{self, MetaKey};
use crate::storage::records::{ClaimRecord, EnrolmentRecord, Notice};
use crate::storage::{Prepared, StorageError, Store, StoreName};
use outbox::OutboxEntry;
use transport::{Transport, TransportError};

const PULL_PAGE: u32 = 1_000;

/// Marks a phase of the round on the browser's performance timeline (`sync:{name}`), for the
/// benchmarks to say where a round's time went; the round's first mark clears the last
/// round's. Nothing natively.
fn phase(name: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        if name == "start" {
            performance.clear_marks();
        }
        let _ = performance.mark(&format!("sync:{name}"));
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = name;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncError {
    NotSignedIn,
    Transport(TransportError),
    Storage(StorageError),
}

impl From<TransportError> for SyncError {
    fn from(e: TransportError) -> SyncError {
        SyncError::Transport(e)
    }
}

impl From<StorageError> for SyncError {
    fn from(e: StorageError) -> SyncError {
        SyncError::Storage(e)
    }
}

impl Bilingual for SyncError {
    fn text(&self) -> Text {
        match self {
            SyncError::NotSignedIn => Text::new("尚未登录", "not signed in"),
            SyncError::Transport(e) => e.text(),
            SyncError::Storage(e) => e.text(),
        }
    }
}

cunbao_domain::bilingual_error!(SyncError);

impl SyncError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, SyncError::Transport(e) if e.is_retryable())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Mutations sent (including re-sent ones).
    pub pushed: usize,
    pub applied: usize,
    pub rejected: usize,
    /// Mutations the server had lost (restored from a backup) and got again.
    pub resent: usize,
    pub pulled: usize,
    /// The server announced a new epoch (it was restored): every change was pulled again.
    pub pulled_again: bool,
    /// What the desk holds in memory changed: enrolments or receipts pulled, a policy or a
    /// catalogue fetched. (Claims and notices are read by the screens when shown.)
    pub desk_changed: bool,
}

/// Online sign-in; the session (token, user) is kept on the device.
pub async fn sign_in(
    store: &impl Store,
    transport: &impl Transport,
    request: &SignInRequest,
) -> Result<UserInfo, SyncError> {
    let session = transport.sign_in(request).await?;
    meta::put(store, MetaKey::Session, &session).await?;
    Ok(session.user)
}

pub async fn session(store: &impl Store) -> Result<Option<SignInResponse>, StorageError> {
    meta::get(store, MetaKey::Session).await
}

/// One full sync round: device setup if the catalogue or policy changed, push, pull.
/// `progress` hears about long downloads.
pub async fn sync_once(
    store: &impl Store,
    transport: &impl Transport,
    now_ms: u64,
) -> Result<SyncReport, SyncError> {
    sync_with_progress(store, transport, now_ms, &mut |_| {}).await
}

pub async fn sync_with_progress(
    store: &impl Store,
    transport: &impl Transport,
    now_ms: u64,
    progress: &mut dyn FnMut(setup::Progress),
) -> Result<SyncReport, SyncError> {
    phase("start");
    let (session, work) = futures::try_join!(session(store), renewal::report(store))?;
    let session = session.ok_or(SyncError::NotSignedIn)?;
    let mut report = SyncReport::default();

    // While the server answers the handshake, the entries to send are read and opened, and
    // the marks the round starts from are read (if the server lost some entries, they are
    // read again below). Each read is its own transaction: they run side by side.
    let (handshake, read_ahead, answered, known_epoch, cursor) = futures::join!(
        transport.handshake(&session.token, &work),
        outbox::pending(store),
        outbox::answered_through(store),
        meta::get::<String>(store, MetaKey::ServerEpoch),
        meta::get::<u64>(store, MetaKey::PullCursor),
    );
    let handshake = handshake?;
    let mut read_ahead = Some(read_ahead);
    let mut cursor = cursor?.unwrap_or(0);
    // A renewed token is kept before it is used; the old one is refused once it is.
    phase("handshake");
    let token = match &handshake.renewed_token {
        Some(renewed) => renewal::keep(store, &session, renewed).await?,
        None => session.token.clone(),
    };
    let token = token.as_str();
    if handshake.last_applied_seq < answered? {
        report.resent = outbox::reopen_after(store, handshake.last_applied_seq).await?;
        read_ahead = None;
    }
    let known_epoch = known_epoch?;
    if known_epoch.as_deref() != Some(handshake.server_epoch.as_str()) {
        if known_epoch.is_some() {
            // The server was restored from a backup: its feed ends before cursors this
            // tablet has passed and gives the changes it makes from now on those cursors
            // again. Pull everything again (re-applying a change is harmless). The cursor is
            // reset before the new epoch is kept, so an interrupted round starts over.
            meta::put(store, MetaKey::PullCursor, &0u64).await?;
            cursor = 0;
            report.pulled_again = true;
        }
        meta::put(store, MetaKey::ServerEpoch, &handshake.server_epoch).await?;
    }
    phase("epoch");
    report.desk_changed =
        setup::bring_up_to_date(store, transport, token, &handshake, progress).await?;
    phase("setup");

    let pending = match read_ahead {
        Some(read) => read?,
        None => outbox::pending(store).await?,
    };
    phase("pending");
    // The first page of changes, asked for while the last batch's answers are filed: the
    // server has applied the batch once it answers. Nothing pulled is filed before the
    // answers are (a claim the server counts in a person's figures is then no longer
    // counted as waiting to upload as well).
    let mut first_page = None;
    let batches = pending.chunks(MAX_BATCH).count();
    for (i, batch) in pending.chunks(MAX_BATCH).enumerate() {
        let response = transport.push(token, batch).await?;
        report.pushed += batch.len();
        phase("pushed");
        let recording = outbox::record_results(store, batch, &response.results);
        if i + 1 == batches {
            // The page is read and its records made ready (sealed) meanwhile; they are
            // written only once the answers are.
            let (recorded, page) =
                futures::join!(recording, pull_and_prepare(store, transport, token, cursor));
            recorded?;
            first_page = Some(page);
        } else {
            recording.await?;
        }
        phase("recorded");
        let mut progressed = false;
        for result in &response.results {
            let status = match result.status {
                MutationStatus::AlreadyApplied => {
                    result.original_status.unwrap_or(MutationStatus::Applied)
                }
                other => other,
            };
            match status {
                MutationStatus::Rejected if result.code.as_deref() == Some(SEQUENCE_GAP) => {}
                MutationStatus::Rejected => {
                    report.rejected += 1;
                    progressed = true;
                }
                _ => {
                    report.applied += 1;
                    progressed = true;
                }
            }
        }
        if !progressed {
            // Only gaps: the server lacks earlier mutations this device no longer has.
            return Err(SyncError::Transport(TransportError::Refused {
                status: 409,
                code: SEQUENCE_GAP.into(),
                message_zh: "服务器缺少本机较早的数据，请联系乡镇管理员".into(),
                message_en: "The server lacks earlier work of this device; contact the township"
                    .into(),
            }));
        }
    }

    loop {
        let (page, filing) = match first_page.take() {
            Some(ready) => ready?,
            None => pull_and_prepare(store, transport, token, cursor).await?,
        };
        phase("pulled");
        report.desk_changed |= file(store, &filing).await?;
        phase("applied");
        report.pulled += page.changes.len();
        // The cursor moves once the page is filed; after the last page, in the same write as
        // the round's end and the server's answer (from which the PIN's offline limit counts).
        let mut marks = Vec::new();
        if page.cursor != cursor {
            cursor = page.cursor;
            marks.push((MetaKey::PullCursor.key().into_owned(), Value::from(cursor)));
        }
        if !page.more {
            for key in [MetaKey::LastSync, MetaKey::LastContact] {
                marks.push((key.key().into_owned(), Value::from(now_ms)));
            }
        }
        if !marks.is_empty() {
            store.put_all(StoreName::Meta, &marks).await?;
        }
        if !page.more {
            break;
        }
    }
    phase("end");
    Ok(report)
}

/// A page of changes pulled from `cursor`, and its records made ready to file.
async fn pull_and_prepare(
    store: &impl Store,
    transport: &impl Transport,
    token: &str,
    cursor: u64,
) -> Result<(PullResponse, Filing), SyncError> {
    let page = transport.pull(token, cursor, PULL_PAGE).await?;
    let filing = prepare_changes(store, &page.changes).await?;
    Ok((page, filing))
}

/// A page's records, ready to be written ([`prepare_changes`], [`file`]).
struct Filing {
    writes: Vec<Prepared>,
    /// Enrolments or receipts are among them (the desk holds those in memory).
    desk_changed: bool,
}

/// Files each pulled change where the screens look for it. True when enrolments or receipts
/// were written.
#[cfg(test)]
async fn apply_changes(store: &impl Store, changes: &[Change]) -> Result<bool, StorageError> {
    let filing = prepare_changes(store, changes).await?;
    file(store, &filing).await
}

/// Writes a page's records, the stores side by side (each its own transaction: re-applying a
/// change is harmless, so a page half written is written again by the next round). True when
/// enrolments or receipts were written.
async fn file(store: &impl Store, filing: &Filing) -> Result<bool, StorageError> {
    futures::future::try_join_all(filing.writes.iter().map(|ready| store.put_prepared(ready)))
        .await?;
    Ok(filing.desk_changed)
}

/// What each pulled change files, and where the screens look for it, made ready to write:
/// one write per store per page (a record updated twice in the page written once, as it
/// ends). Re-applying a change is harmless.
async fn prepare_changes(store: &impl Store, changes: &[Change]) -> Result<Filing, StorageError> {
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

/// Where the device stands, for the always-visible sync bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncStatus {
    pub user: Option<UserInfo>,
    /// The catalogue on this device: version and number of items.
    pub catalogue: Option<(String, u32)>,
    pub pending: usize,
    pub failed: Vec<OutboxEntry>,
    pub last_sync_ms: Option<u64>,
}

pub async fn status(store: &impl Store) -> Result<SyncStatus, StorageError> {
    // Read side by side (each its own transaction): the bar is drawn once they are all in.
    let (user, catalogue, pending, failed, last_sync_ms) = futures::try_join!(
        async { Ok(session(store).await?.map(|s| s.user)) },
        catalogue_held(store),
        outbox::pending_count(store),
        outbox::rejected(store),
        meta::get(store, MetaKey::LastSync),
    )?;
    Ok(SyncStatus {
        user,
        catalogue,
        pending: pending as usize,
        failed,
        last_sync_ms,
    })
}

/// Where sync stands while the desk is closed (no data key): what waits to upload and when
/// the last round ended, read from what is in clear; nobody is named.
pub async fn closed_status(store: &impl Store) -> Result<SyncStatus, StorageError> {
    let (catalogue, pending, last_sync_ms) = futures::try_join!(
        catalogue_held(store),
        outbox::pending_count(store),
        meta::get(store, MetaKey::LastSync),
    )?;
    Ok(SyncStatus {
        user: None,
        catalogue,
        pending: pending as usize,
        failed: Vec::new(),
        last_sync_ms,
    })
}

/// The catalogue version held and how many items it has.
async fn catalogue_held(store: &impl Store) -> Result<Option<(String, u32)>, StorageError> {
    match setup::catalogue_version(store).await? {
        Some(version) => Ok(Some((
            version,
            store.count(StoreName::CatalogueItems).await?,
        ))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use chrono::NaiveDate;
    use cunbao_domain::money::Money;
    use cunbao_domain::sync::RecordedContribution;
    use futures::executor::block_on;
    use serde_json::json;

    /// Another tablet of the clinic stopped a person's cover and corrected their name: this
    /// tablet pulls both (in one page with the enrolment itself), suspends the person from the
    /// day and shows the new name with the earlier one in the history.
    #[test]
    fn a_pulled_stop_and_correction_reach_the_enrolment() {
        use cunbao_domain::enrolment::{
            Correction, Coverage, CoverageBasis, Member, MemberContribution, Relationship,
            StopReason,
        };
        use cunbao_domain::id_number::IdNumber;
        use cunbao_domain::names::PersonName;
        use cunbao_domain::sync::{RecordedCorrection, RecordedEnrolment, RecordedStop};
        block_on(async {
            let store = MemoryStore::default();
            let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
            let id = IdNumber::parse("11010519491231002X").unwrap();
            let enrolment = ChangeBody::Enrolment(RecordedEnrolment {
                household_id: "h1".into(),
                member: Member {
                    id_number: id.clone(),
                    name: PersonName::parse("王秀蓝").unwrap(),
                    relationship: Relationship::Head,
                    phone: None,
                    subsidy: None,
                    evidence: None,
                },
                scheme_year: 2026,
                enrolled_on: day(1, 5),
                policy_version: "county-sample-2026.1".into(),
                coverage: Coverage {
                    basis: CoverageBasis::OnTime,
                    from: day(1, 1),
                    to: day(12, 31),
                    benefits_from: day(1, 1),
                },
                contribution: MemberContribution {
                    id_number: id,
                    gross: Money::yuan(400),
                    subsidy: Money::ZERO,
                    due: Money::yuan(400),
                },
                clinic_id: "clinic-lijia".into(),
                duplicate_of: None,
                late_renewal: false,
                stopped: None,
                operator: None,
            });
            let by = |s: &str| s.to_string();
            let corrected = ChangeBody::Corrected(RecordedCorrection {
                correction_id: "fix-1".into(),
                enrolment_id: "e1".into(),
                earlier: Correction::Name(PersonName::parse("王秀蓝").unwrap()),
                value: Correction::Name(PersonName::parse("王秀兰").unwrap()),
                clinic_id: "clinic-lijia".into(),
                by: by("李家村卫生室"),
                device_id: by("dev-2"),
                device_name: by("卫生室平板2"),
                at: by("2026-06-01T08:00:00Z"),
            });
            let stopped = ChangeBody::CoverStopped(RecordedStop {
                stop_id: "stop-1".into(),
                enrolment_id: "e1".into(),
                from: day(6, 15),
                reason: StopReason::MovedAway,
                clinic_id: "clinic-lijia".into(),
                by: by("李家村卫生室"),
                device_id: by("dev-2"),
                device_name: by("卫生室平板2"),
                at: by("2026-06-01T08:01:00Z"),
            });
            let changes: Vec<Change> =
                [("e1", enrolment), ("fix-1", corrected), ("stop-1", stopped)]
                    .into_iter()
                    .enumerate()
                    .map(|(i, (id, body))| Change {
                        cursor: i as u64 + 1,
                        id: id.into(),
                        body,
                    })
                    .collect();
            apply_changes(&store, &changes).await.unwrap();
            let index = crate::desk::residents::ResidentIndex::load(&store)
                .await
                .unwrap();
            let person = index.get("e1").unwrap();
            assert_eq!(person.name(), "王秀兰");
            assert_eq!(person.record.corrections.len(), 1);
            assert_eq!(person.record.corrections[0].earlier.value_text(), "王秀蓝");
            use cunbao_domain::enrolment::Eligibility;
            assert_eq!(person.eligibility(day(6, 14)), Eligibility::Eligible);
            assert_eq!(person.eligibility(day(6, 15)), Eligibility::Suspended);
            // Pulled again (a retry): still one history entry.
            apply_changes(&store, &changes).await.unwrap();
            let again: EnrolmentRecord = store
                .get_as(StoreName::Enrolments, "e1")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(again.corrections.len(), 1);
        });
    }

    /// The clinic's application comes back pending, then decided: the latest state replaces
    /// the earlier one (filed here or not), and the desk reads the person's qualifications by
    /// ID number.
    #[test]
    fn a_pulled_qualification_replaces_the_earlier_state_of_the_application() {
        use cunbao_domain::id_number::IdNumber;
        use cunbao_domain::policy::ChronicCondition;
        use cunbao_domain::qualification::{Qualification, QualificationStatus};
        block_on(async {
            let store = MemoryStore::default();
            let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
            let pending = Qualification {
                id: "q-1".into(),
                person: IdNumber::parse("11010519491231002X").unwrap(),
                condition: ChronicCondition::Hypertension,
                evidence: "县医院诊断证明 2026-118".into(),
                applied_on: day(6, 1),
                clinic_id: "clinic-lijia".into(),
                status: QualificationStatus::Pending,
                valid_from: None,
                valid_to: None,
                decided_by: None,
                note: None,
            };
            // Kept here as pending when filed.
            let (key, value) = Notice::qualification(&pending);
            store.put(StoreName::Notices, &key, value).await.unwrap();
            let approved = Qualification {
                status: QualificationStatus::Approved,
                valid_from: Some(day(1, 1)),
                valid_to: Some(day(12, 31)),
                decided_by: Some("shenhe".into()),
                ..pending.clone()
            };
            let other = Qualification {
                id: "q-2".into(),
                condition: ChronicCondition::Diabetes,
                ..pending.clone()
            };
            let change = |cursor, q: &Qualification| Change {
                cursor,
                id: q.id.clone(),
                body: ChangeBody::Qualification(q.clone()),
            };
            let desk_changed = apply_changes(
                &store,
                &[change(1, &pending), change(2, &other), change(3, &approved)],
            )
            .await
            .unwrap();
            // Notices only: the desk's residents and receipts are as they were.
            assert!(!desk_changed);
            let held = Notice::qualifications_of(&store, "11010519491231002X")
                .await
                .unwrap();
            assert_eq!(held, [approved.clone(), other.clone()]);
            assert!(approved.covers(ChronicCondition::Hypertension, day(6, 16)));
            // Nothing else in the notices reads as a qualification of the person.
            let accumulators = Notice::accumulators(&cunbao_domain::sync::YearToDate {
                key: cunbao_domain::sync::AccumulatorKey::new(
                    "11010519491231002X",
                    2026,
                    "general_outpatient",
                ),
                deductible_met: Money::ZERO,
                fund_paid: Money::ZERO,
                as_of: day(6, 1),
            });
            store
                .put_all(StoreName::Notices, &[accumulators])
                .await
                .unwrap();
            let again = Notice::qualifications_of(&store, "11010519491231002X")
                .await
                .unwrap();
            assert_eq!(again, held);
        });
    }

    /// Pulling back this tablet's own contribution keeps its printable receipt; a
    /// contribution made on another tablet of the clinic is filed as the server has it.
    #[test]
    fn a_pulled_contribution_never_replaces_this_tablets_own_receipt() {
        block_on(async {
            let store = MemoryStore::default();
            let receipt = json!({ "receipt_no": "RABC-000001", "payer": "张三" });
            store
                .put(StoreName::Contributions, "own", receipt.clone())
                .await
                .unwrap();
            let pulled = |id: &str, cursor| Change {
                cursor,
                id: id.to_string(),
                body: ChangeBody::Contribution(RecordedContribution {
                    receipt_no: format!("R-{id}"),
                    household_id: "h1".into(),
                    enrolment_ids: vec!["e1".into()],
                    amount: Money::yuan(390),
                    collected_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
                    operator: None,
                }),
            };
            let desk_changed = apply_changes(&store, &[pulled("own", 1), pulled("other", 2)])
                .await
                .unwrap();
            assert!(desk_changed);
            let own = store.get(StoreName::Contributions, "own").await.unwrap();
            assert_eq!(own, Some(receipt));
            let other = store.get(StoreName::Contributions, "other").await.unwrap();
            assert_eq!(other.unwrap()["receipt_no"], "R-other");
        });
    }

    /// A claim the server paid as this tablet settled it is left as recorded; one it paid
    /// otherwise, or holds for review, gets the server's figures beside it. The person's
    /// year-to-date figures are filed either way.
    #[test]
    fn a_claim_record_gets_the_servers_figures_only_where_they_say_more() {
        use crate::storage::records::sample_claim_record;
        use cunbao_domain::sync::{AccumulatorKey, ClaimOutcome, YearToDate};
        block_on(async {
            let store = MemoryStore::default();
            let visit = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
            let mut record = sample_claim_record(visit, 2);
            record.server = None;
            let settled = record.claim.settlement.clone();
            for id in ["as-settled", "adjusted", "held"] {
                let mut own = record.clone();
                own.claim_id = id.into();
                store.put_as(StoreName::Claims, id, &own).await.unwrap();
            }
            let figures = |person: &str| YearToDate {
                key: AccumulatorKey::new(person, 2026, "general_outpatient"),
                deductible_met: Money::yuan(0),
                fund_paid: settled.fund,
                as_of: visit,
            };
            let outcome = |id: &str, server_fund: Money, held: bool| Change {
                cursor: 1,
                id: id.into(),
                body: ChangeBody::Claim(ClaimOutcome {
                    claim_id: id.into(),
                    total: settled.total,
                    device_fund: settled.fund,
                    server_fund,
                    patient: settled.patient,
                    accumulators: (!held).then(|| figures(id)),
                    operator: None,
                }),
            };
            let other = settled.fund + Money::yuan(1);
            apply_changes(
                &store,
                &[
                    outcome("as-settled", settled.fund, false),
                    outcome("adjusted", other, false),
                    outcome("held", settled.fund, true),
                ],
            )
            .await
            .unwrap();
            let stored = |id: &'static str| {
                let store = &store;
                async move {
                    store
                        .get_as::<ClaimRecord>(StoreName::Claims, id)
                        .await
                        .unwrap()
                        .unwrap()
                }
            };
            let mut unchanged = record.clone();
            unchanged.claim_id = "as-settled".into();
            assert_eq!(stored("as-settled").await, unchanged);
            assert_eq!(stored("adjusted").await.server.unwrap().server_fund, other);
            assert!(stored("held").await.server.unwrap().accumulators.is_none());
            for person in ["as-settled", "adjusted"] {
                let key = Notice::accumulators_key(&figures(person).key);
                assert!(store.get(StoreName::Notices, &key).await.unwrap().is_some());
            }
        });
    }

    /// A page's writes to one store keep only each key's last, in the order of those.
    #[test]
    fn only_the_last_write_of_each_key_is_kept() {
        let write = |key: &str, n: i32| (key.to_string(), json!(n));
        let kept = last_of_each(vec![
            write("a", 1),
            write("b", 2),
            write("a", 3),
            write("c", 4),
        ]);
        assert_eq!(kept, [write("b", 2), write("a", 3), write("c", 4)]);
    }
}
