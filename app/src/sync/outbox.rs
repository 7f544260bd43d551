//! The outbox: every mutation made on this device, in sequence order, with the server's answer
//! once it has one. Entries are kept for the scheme year (not deleted on acknowledgement) so
//! that work a restored server lost can be sent again.

use cunbao_domain::sync::{
    Mutation, MutationBody, MutationResult, MutationStatus, Operator, SEQUENCE_GAP,
};
use cunbao_domain::text::{Bilingual, Text};
use serde::{Deserialize, Serialize};

use crate::storage::meta::{self, MetaKey};
use crate::storage::{Batch, IndexName, StorageError, Store, StoreName};

/// Stored as `{"state": "pending" | "applied" | "rejected", "result": …}` (the outbox's state
/// index reads `state.state`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EntryState {
    /// Not yet confirmed by the server.
    Pending,
    /// The server applied it (possibly with a note, e.g. an adjustment).
    Applied {
        #[serde(default)]
        result: Option<MutationResult>,
    },
    /// The server refused it; the user is shown why. The queue has moved on.
    Rejected { result: MutationResult },
}

/// Read by hand: serde's reader of an internally tagged enum buffers the whole value and has
/// a copy of each variant's reader for the buffer (issue 18, the bundle).
impl<'de> Deserialize<'de> for EntryState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Stored {
            state: String,
            #[serde(default)]
            result: Option<MutationResult>,
        }
        let Stored { state, result } = Stored::deserialize(deserializer)?;
        match (state.as_str(), result) {
            ("pending", _) => Ok(EntryState::Pending),
            ("applied", result) => Ok(EntryState::Applied { result }),
            ("rejected", Some(result)) => Ok(EntryState::Rejected { result }),
            ("rejected", None) => Err(D::Error::missing_field("result")),
            (other, _) => Err(D::Error::unknown_variant(
                other,
                &["pending", "applied", "rejected"],
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub mutation: Queued,
    pub state: EntryState,
    /// When it was made on the tablet (ms since the epoch).
    pub created_at_ms: u64,
}

/// A mutation as the outbox keeps it: the tablet reads an entry back only to send it again
/// (and to list it), so the body stays the JSON it was saved as, sent as it is. Reading every
/// kind of body back into its type would put serde's decoder of every mutation into the wasm
/// for nothing (issue 18, the bundle); it is [`Mutation`] on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    pub seq: u64,
    pub record_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<Operator>,
    pub body: serde_json::Value,
}

impl From<&Mutation> for Queued {
    fn from(m: &Mutation) -> Queued {
        Queued {
            seq: m.seq,
            record_id: m.record_id.clone(),
            operator: m.operator.clone(),
            body: serde_json::to_value(&m.body).expect("a mutation serialises"),
        }
    }
}

#[cfg(test)]
impl Queued {
    /// The mutation as the server reads it.
    pub fn typed(&self) -> Mutation {
        serde_json::from_value(serde_json::to_value(self).unwrap()).unwrap()
    }
}

/// Outbox keys sort in sequence order.
pub fn key(seq: u64) -> String {
    format!("{seq:020}")
}

/// The sequence number up to which every entry has the server's answer (applied or rejected;
/// 0 if none): entries after it are pending; at or before it, an entry is as stored, except
/// that one stored as pending was applied with nothing to note. So the common answer (applied,
/// nothing to say) writes no entry: a round moves this mark, in the same transaction as the
/// entries whose answer says something (rejected, or applied with a note), and does not seal
/// each entry again (issue 18, sync speed). Kept in `meta`; cleared with the outbox
/// (`access::clear`).
pub async fn answered_through(store: &impl Store) -> Result<u64, StorageError> {
    if let Some(seq) = meta::get(store, MetaKey::OutboxAnswered).await? {
        return Ok(seq);
    }
    // A tablet whose outbox predates the mark: every entry then had its state written, and
    // the pending ones are the last. Everything before the first pending one is answered.
    // (Nothing is written: the first answers recorded keep the mark.)
    let first_pending = store
        .keys_in(IndexName::OutboxByState, "pending")
        .await?
        .iter()
        .filter_map(|key| key.parse::<u64>().ok())
        .min();
    Ok(match first_pending {
        Some(seq) => seq - 1,
        None => store
            .last_key(StoreName::Outbox)
            .await?
            .and_then(|key| key.parse().ok())
            .unwrap_or(0),
    })
}

/// An entry as stored, read as it stands given the mark (see [`answered_through`]).
fn as_it_stands(mut entry: OutboxEntry, through: u64) -> OutboxEntry {
    if entry.mutation.seq > through {
        entry.state = EntryState::Pending;
    } else if entry.state == EntryState::Pending {
        entry.state = EntryState::Applied { result: None };
    }
    entry
}

/// Every entry of the year, in sequence order. The desk's everyday paths read only the open
/// ones ([`pending`], [`rejected`]) instead.
pub async fn entries(store: &impl Store) -> Result<Vec<OutboxEntry>, StorageError> {
    let through = answered_through(store).await?;
    Ok(decode(store.all(StoreName::Outbox).await?)?
        .into_iter()
        .map(|entry| as_it_stands(entry, through))
        .collect())
}

/// The entries not yet confirmed by the server, in sequence order: those after the mark, read
/// by key range without the others.
pub async fn pending(store: &impl Store) -> Result<Vec<OutboxEntry>, StorageError> {
    let through = answered_through(store).await?;
    Ok(
        decode(store.all_after(StoreName::Outbox, &key(through)).await?)?
            .into_iter()
            .map(|entry| as_it_stands(entry, through))
            .collect(),
    )
}

/// How many entries wait to upload, counted without reading them (and without the data key:
/// keys and the mark are in clear).
pub async fn pending_count(store: &impl Store) -> Result<u32, StorageError> {
    let through = answered_through(store).await?;
    store.count_after(StoreName::Outbox, &key(through)).await
}

/// The entries the server refused, in sequence order (through the state index).
pub async fn rejected(store: &impl Store) -> Result<Vec<OutboxEntry>, StorageError> {
    let through = answered_through(store).await?;
    Ok(
        decode(store.all_in(IndexName::OutboxByState, "rejected").await?)?
            .into_iter()
            .filter(|entry| entry.mutation.seq <= through)
            .collect(),
    )
}

fn decode(records: Vec<(String, serde_json::Value)>) -> Result<Vec<OutboxEntry>, StorageError> {
    records
        .into_iter()
        .map(|(key, value)| {
            serde_json::from_value(value)
                .map_err(|e| StorageError::Format(format!("outbox/{key}: {e}")))
        })
        .collect()
}

/// Why nothing was saved: nobody is signed in, or the local database failed.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveError {
    /// No user is signed in on the tablet: nothing is saved without one (every record carries
    /// who made it).
    NotSignedIn,
    Storage(StorageError),
}

impl From<StorageError> for SaveError {
    fn from(err: StorageError) -> Self {
        SaveError::Storage(err)
    }
}

impl Bilingual for SaveError {
    fn text(&self) -> Text {
        match self {
            SaveError::NotSignedIn => Text::new(
                "未登录，未保存：请先登录再办理",
                "Nobody is signed in, so nothing was saved: sign in first",
            ),
            SaveError::Storage(err) => err.text(),
        }
    }
}

cunbao_domain::bilingual_error!(SaveError);

/// The user signed in on the tablet, as the operator of what is saved now. Only
/// [`signed_in`] makes one, from the session: records and their outbox entries carry the same
/// operator, and nothing is queued without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn(Operator);

impl SignedIn {
    pub fn operator(&self) -> &Operator {
        &self.0
    }

    /// The name printed on receipts and slips (收款人 / 经办人).
    pub fn display_name(&self) -> &str {
        &self.0.display_name
    }
}

/// The signed-in user, or [`SaveError::NotSignedIn`].
pub async fn signed_in(store: &impl Store) -> Result<SignedIn, SaveError> {
    match crate::sync::session(store).await? {
        Some(session) => Ok(SignedIn(Operator::of(&session.user))),
        None => Err(SaveError::NotSignedIn),
    }
}

/// Adds a mutation with the next sequence number, made by the signed-in user; returns it.
/// Refused, with nothing saved, when nobody is signed in.
pub async fn enqueue(
    store: &impl Store,
    record_id: &str,
    body: MutationBody,
    now_ms: u64,
) -> Result<Mutation, SaveError> {
    let by = signed_in(store).await?;
    let mut added = commit_with_entries(
        store,
        &by,
        Batch::default(),
        vec![(record_id.to_string(), body)],
        now_ms,
    )
    .await?;
    Ok(added.remove(0))
}

/// Commits `batch` together with outbox entries for `mutations` (record id, body), made by
/// `by`, numbered after the last entry, in one strict-durability transaction: the records and
/// their entries land together or not at all. Each entry keeps its operator, so whoever signs
/// in later and uploads it, it is sent as `by`'s. The numbering starts after the last entry this handle knows
/// of, without a read; if another tab took those numbers first, the last entry is read and
/// the batch numbered again.
pub async fn commit_with_entries(
    store: &impl Store,
    by: &SignedIn,
    batch: Batch,
    mutations: Vec<(String, MutationBody)>,
    now_ms: u64,
) -> Result<Vec<Mutation>, StorageError> {
    let mut last_key = match store.known_last_key(StoreName::Outbox) {
        Some(known) => known,
        None => store.last_key(StoreName::Outbox).await?,
    };
    let mut attempts = 0;
    loop {
        let last = last_key
            .as_deref()
            .and_then(|key| key.parse::<u64>().ok())
            .unwrap_or(0);
        let mut with_entries = batch.clone();
        let mut added = Vec::with_capacity(mutations.len());
        for (seq, (record_id, body)) in (last + 1..).zip(&mutations) {
            let mutation = Mutation {
                seq,
                record_id: record_id.clone(),
                operator: Some(by.operator().clone()),
                body: body.clone(),
            };
            let entry = OutboxEntry {
                mutation: Queued::from(&mutation),
                state: EntryState::Pending,
                created_at_ms: now_ms,
            };
            with_entries.insert(StoreName::Outbox, &key(seq), &entry)?;
            added.push(mutation);
        }
        match store.commit_durable(&with_entries).await {
            Err(StorageError::Conflict(_)) if attempts < 5 => {
                attempts += 1;
                last_key = store.last_key(StoreName::Outbox).await?;
            }
            Err(e) => return Err(e),
            Ok(()) => return Ok(added),
        }
    }
}

/// Records the server's answers to `sent` (the entries as they were read to be sent, in
/// sequence order: they are not read again), in sequence order from the mark: an answer after
/// a sequence gap, or after one missing, is not recorded (the entry stays pending and is sent
/// again; the server answers it the same way). One transaction: the entries whose answer says
/// something, and the mark.
pub async fn record_results(
    store: &impl Store,
    sent: &[OutboxEntry],
    results: &[MutationResult],
) -> Result<(), StorageError> {
    let answers = answers(store, sent, results).await?;
    store.commit_durable_with(&answers, &[]).await
}

/// What [`record_results`] writes, to be committed by the caller (with the page of changes
/// pulled after it, say: [`Store::commit_durable_with`]); empty when no answer moves the mark.
pub async fn answers(
    store: &impl Store,
    sent: &[OutboxEntry],
    results: &[MutationResult],
) -> Result<Batch, StorageError> {
    let before = answered_through(store).await?;
    let mut through = before;
    let mut batch = Batch::default();
    let mut results: Vec<&MutationResult> = results.iter().collect();
    crate::sort::sort_by_key(&mut results, |result| result.seq);
    for result in results {
        if result.seq <= through {
            continue;
        }
        let Ok(at) = sent.binary_search_by_key(&result.seq, |entry| entry.mutation.seq) else {
            break;
        };
        if result.seq != through + 1 {
            break;
        }
        let status = match result.status {
            MutationStatus::AlreadyApplied => {
                result.original_status.unwrap_or(MutationStatus::Applied)
            }
            other => other,
        };
        // The state written into the entry, if the mark alone does not say it.
        let written = match status {
            MutationStatus::Rejected if result.code.as_deref() == Some(SEQUENCE_GAP) => break,
            MutationStatus::Rejected => Some(EntryState::Rejected {
                result: result.clone(),
            }),
            // Applied with a note (an adjustment, say): kept with the entry.
            _ if result.code.is_some() => Some(EntryState::Applied {
                result: Some(result.clone()),
            }),
            // Applied, nothing to say: the mark says it.
            _ => None,
        };
        through = result.seq;
        if let Some(state) = written {
            let entry = OutboxEntry {
                mutation: sent[at].mutation.clone(),
                state,
                created_at_ms: sent[at].created_at_ms,
            };
            batch.put(StoreName::Outbox, &key(result.seq), &entry)?;
        }
    }
    if through == before {
        return Ok(Batch::default());
    }
    batch.put(StoreName::Meta, &MetaKey::OutboxAnswered.key(), &through)?;
    Ok(batch)
}

/// After a server restore: everything after what the server holds is pending again (the mark
/// moves back; entries whose answer was written into them are written pending again, in the
/// same transaction). Returns how many entries are open again.
pub async fn reopen_after(store: &impl Store, server_last: u64) -> Result<usize, StorageError> {
    let through = answered_through(store).await?;
    if server_last >= through {
        return Ok(0);
    }
    let mut batch = Batch::default();
    let mut reopened = 0;
    let stored = decode(
        store
            .all_after(StoreName::Outbox, &key(server_last))
            .await?,
    )?;
    for mut entry in stored {
        if entry.mutation.seq > through {
            break;
        }
        reopened += 1;
        if entry.state != EntryState::Pending {
            entry.state = EntryState::Pending;
            batch.put(StoreName::Outbox, &key(entry.mutation.seq), &entry)?;
        }
    }
    batch.put(
        StoreName::Meta,
        &MetaKey::OutboxAnswered.key(),
        &server_last,
    )?;
    store.commit_durable(&batch).await?;
    Ok(reopened)
}

/// Signs `username` (display name `display_name`) of clinic-lijia in on `store`, as an online
/// sign-in would leave the session, for tests that save.
#[cfg(test)]
pub(crate) async fn sign_in_for_tests(store: &impl Store, username: &str, display_name: &str) {
    use cunbao_domain::sync::{Role, SignInResponse, UserInfo};
    let session = SignInResponse {
        token: format!("token-{username}"),
        device_id: "dev-test".into(),
        user: UserInfo {
            username: username.into(),
            display_name: display_name.into(),
            role: Role::ClinicAssistant,
            township_id: "twp-liangjiang".into(),
            clinic_id: Some("clinic-lijia".into()),
        },
        escrow_key: None,
    };
    crate::storage::meta::put(store, crate::storage::meta::MetaKey::Session, &session)
        .await
        .unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use futures::executor::block_on;

    fn void(seq: u64) -> MutationBody {
        MutationBody::Void {
            target_record_id: format!("c{seq}"),
            reason: "录入错误".into(),
        }
    }

    #[test]
    fn nothing_is_queued_without_a_signed_in_user() {
        block_on(async {
            let store = MemoryStore::new();
            let refused = enqueue(&store, "r1", void(1), 1).await.unwrap_err();
            assert_eq!(refused, SaveError::NotSignedIn);
            assert!(refused.text().zh.contains("未登录"));
            assert!(refused.text().en.contains("signed in"));
            assert!(entries(&store).await.unwrap().is_empty());
            assert_eq!(signed_in(&store).await.unwrap_err(), SaveError::NotSignedIn);
        });
    }

    #[test]
    fn each_entry_keeps_the_user_who_made_it_whoever_signs_in_later() {
        block_on(async {
            let store = MemoryStore::new();
            sign_in_for_tests(&store, "lijia", "王秀兰（李家村卫生室）").await;
            enqueue(&store, "r1", void(1), 1).await.unwrap();
            // Signed out: nothing more is saved, what was saved stays.
            crate::storage::meta::delete(&store, crate::storage::meta::MetaKey::Session)
                .await
                .unwrap();
            assert!(enqueue(&store, "r2", void(2), 2).await.is_err());
            // A second user of the clinic signs in on the same tablet.
            sign_in_for_tests(&store, "lijia2", "韦春燕（李家村卫生室）").await;
            enqueue(&store, "r2", void(2), 3).await.unwrap();
            let made_by: Vec<(u64, String)> = pending(&store)
                .await
                .unwrap()
                .into_iter()
                .map(|e| (e.mutation.seq, e.mutation.operator.unwrap().username))
                .collect();
            assert_eq!(made_by, [(1, "lijia".into()), (2, "lijia2".into())]);
        });
    }

    fn answer(seq: u64, status: MutationStatus, code: Option<&str>) -> MutationResult {
        MutationResult {
            seq,
            record_id: format!("r{seq}"),
            status,
            original_status: None,
            code: code.map(str::to_string),
            message_zh: None,
            message_en: None,
            reference: None,
        }
    }

    #[test]
    fn an_entry_state_reads_back_as_it_was_written_and_nothing_else() {
        let applied = answer(3, MutationStatus::Applied, Some("adjustment"));
        let rejected = answer(4, MutationStatus::Rejected, Some("not_eligible"));
        for state in [
            EntryState::Pending,
            EntryState::Applied { result: None },
            EntryState::Applied {
                result: Some(applied),
            },
            EntryState::Rejected { result: rejected },
        ] {
            let json = serde_json::to_value(&state).unwrap();
            assert_eq!(serde_json::from_value::<EntryState>(json).unwrap(), state);
        }
        assert_eq!(
            serde_json::from_value::<EntryState>(serde_json::json!({ "state": "applied" }))
                .unwrap(),
            EntryState::Applied { result: None }
        );
        for refused in [
            serde_json::json!({ "state": "rejected" }),
            serde_json::json!({ "state": "sent" }),
            serde_json::json!({ "result": null }),
            serde_json::json!("pending"),
        ] {
            assert!(
                serde_json::from_value::<EntryState>(refused.clone()).is_err(),
                "{refused}"
            );
        }
    }

    async fn five_queued(store: &MemoryStore) {
        sign_in_for_tests(store, "lijia", "王秀兰").await;
        for seq in 1..=5 {
            enqueue(store, &format!("r{seq}"), void(seq), seq)
                .await
                .unwrap();
        }
    }

    fn seqs(list: Vec<OutboxEntry>) -> Vec<u64> {
        list.iter().map(|e| e.mutation.seq).collect()
    }

    /// The state each entry has as stored, under its key's sequence number.
    async fn stored_states(store: &MemoryStore) -> Vec<(u64, String)> {
        store
            .all(StoreName::Outbox)
            .await
            .unwrap()
            .into_iter()
            .map(|(key, value)| {
                let state = IndexName::OutboxByState.value_of(&value).unwrap();
                (key.parse().unwrap(), state.to_string())
            })
            .collect()
    }

    #[test]
    fn open_entries_and_the_last_answer_come_from_the_mark() {
        block_on(async {
            let store = MemoryStore::new();
            assert_eq!(answered_through(&store).await.unwrap(), 0);
            five_queued(&store).await;
            assert_eq!(pending(&store).await.unwrap().len(), 5);
            assert_eq!(pending_count(&store).await.unwrap(), 5);
            assert_eq!(answered_through(&store).await.unwrap(), 0);
            let sent = pending(&store).await.unwrap();
            record_results(
                &store,
                &sent,
                &[
                    answer(1, MutationStatus::Applied, None),
                    answer(2, MutationStatus::Rejected, Some("not_eligible")),
                    answer(3, MutationStatus::Applied, Some("adjustment")),
                    // A gap leaves it pending; 5 is not answered yet.
                    answer(4, MutationStatus::Rejected, Some("sequence_gap")),
                ],
            )
            .await
            .unwrap();
            assert_eq!(seqs(pending(&store).await.unwrap()), [4, 5]);
            assert_eq!(pending_count(&store).await.unwrap(), 2);
            assert_eq!(seqs(rejected(&store).await.unwrap()), [2]);
            assert_eq!(answered_through(&store).await.unwrap(), 3);
            let states: Vec<EntryState> = entries(&store)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.state)
                .collect();
            assert_eq!(states[0], EntryState::Applied { result: None });
            assert!(matches!(&states[1], EntryState::Rejected { result } if result.seq == 2));
            assert!(
                matches!(&states[2], EntryState::Applied { result: Some(r) } if r.code.as_deref() == Some("adjustment"))
            );
            assert_eq!(states[3..], [EntryState::Pending, EntryState::Pending]);
            // Only the answers that say something were written; the plain one is the mark's.
            assert_eq!(
                stored_states(&store).await,
                [
                    (1, "pending".into()),
                    (2, "rejected".into()),
                    (3, "applied".into()),
                    (4, "pending".into()),
                    (5, "pending".into()),
                ]
            );
            // After a restore, what the server lost is open again, and found as such.
            assert_eq!(reopen_after(&store, 1).await.unwrap(), 2);
            assert_eq!(seqs(pending(&store).await.unwrap()), [2, 3, 4, 5]);
            assert!(rejected(&store).await.unwrap().is_empty());
            assert_eq!(answered_through(&store).await.unwrap(), 1);
            assert_eq!(reopen_after(&store, 1).await.unwrap(), 0);
        });
    }

    #[test]
    fn answers_are_recorded_in_sequence_only() {
        block_on(async {
            let store = MemoryStore::new();
            five_queued(&store).await;
            let sent = pending(&store).await.unwrap();
            // 1 is not answered: 2 and 3 wait with it (sent again, answered again).
            record_results(
                &store,
                &sent,
                &[
                    answer(2, MutationStatus::Rejected, Some("not_eligible")),
                    answer(3, MutationStatus::Applied, None),
                ],
            )
            .await
            .unwrap();
            assert_eq!(pending_count(&store).await.unwrap(), 5);
            assert!(rejected(&store).await.unwrap().is_empty());
            // Answered again, with the earlier answer, in any order: all recorded.
            let mut again = answer(2, MutationStatus::AlreadyApplied, Some("not_eligible"));
            again.original_status = Some(MutationStatus::Rejected);
            record_results(
                &store,
                &sent,
                &[
                    again,
                    answer(1, MutationStatus::Applied, None),
                    answer(3, MutationStatus::AlreadyApplied, None),
                ],
            )
            .await
            .unwrap();
            assert_eq!(seqs(pending(&store).await.unwrap()), [4, 5]);
            assert_eq!(seqs(rejected(&store).await.unwrap()), [2]);
            // An answer already recorded is not recorded again.
            record_results(&store, &sent, &[answer(2, MutationStatus::Applied, None)])
                .await
                .unwrap();
            assert_eq!(seqs(rejected(&store).await.unwrap()), [2]);
        });
    }

    #[test]
    fn an_outbox_from_before_the_mark_reads_as_it_was_written() {
        block_on(async {
            let store = MemoryStore::new();
            five_queued(&store).await;
            // As the earlier release left it: each answer written into its entry.
            let mut updates = Vec::new();
            for (mut entry, state) in entries(&store).await.unwrap().into_iter().zip([
                EntryState::Applied { result: None },
                EntryState::Rejected {
                    result: answer(2, MutationStatus::Rejected, Some("not_eligible")),
                },
                EntryState::Applied { result: None },
            ]) {
                entry.state = state;
                let value = serde_json::to_value(&entry).unwrap();
                updates.push((key(entry.mutation.seq), value));
            }
            store.put_all(StoreName::Outbox, &updates).await.unwrap();
            assert_eq!(answered_through(&store).await.unwrap(), 3);
            assert_eq!(seqs(pending(&store).await.unwrap()), [4, 5]);
            assert_eq!(pending_count(&store).await.unwrap(), 2);
            assert_eq!(seqs(rejected(&store).await.unwrap()), [2]);
            // Answers go on from there, and the mark is kept from then on.
            let sent = pending(&store).await.unwrap();
            record_results(&store, &sent, &[answer(4, MutationStatus::Applied, None)])
                .await
                .unwrap();
            assert_eq!(
                meta::get::<u64>(&store, MetaKey::OutboxAnswered)
                    .await
                    .unwrap(),
                Some(4)
            );
            assert_eq!(seqs(pending(&store).await.unwrap()), [5]);
            let applied = entries(&store).await.unwrap().remove(3);
            assert_eq!(applied.state, EntryState::Applied { result: None });
        });
    }
}
