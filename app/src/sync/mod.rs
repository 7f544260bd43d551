//! The tablet's sync engine, written against [`Store`] and [`Transport`] so the same code runs
//! in the browser and in native tests against the real server.
//!
//! One round: handshake (report the work not yet uploaded, keep a renewed token, detect a
//! server that lost acknowledged work and re-open it), push everything pending in sequence
//! order in batches, record each answer, then pull the caller's changes from the saved cursor
//! (the first page comes back with the last batch's answer, and is written with its answers
//! and the cursor past it in one transaction; each later page with the cursor past it).
//! Nothing leaves the outbox; a rejection is recorded with its reason and the queue moves on.

pub mod backoff;
mod filing;
pub mod outbox;
pub mod publish_api;
pub mod renewal;
pub mod setup;
pub mod transport;

#[cfg(target_arch = "wasm32")]
pub mod http;

use cunbao_domain::sync::{
    MutationStatus, PullResponse, SignInRequest, SignInResponse, UserInfo, MAX_BATCH, SEQUENCE_GAP,
};
use cunbao_domain::text::{Bilingual, Text};

use crate::storage::meta::{self, MetaKey};
use crate::storage::{Batch, StorageError, Store, StoreName};
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
    let mut report = SyncReport::default();

    // While the session is read and the server answers the handshake, the entries to send are
    // read and opened, and the marks the round starts from are read (if the server lost some
    // entries, they are read again below). Each read is its own transaction: they run side
    // by side.
    let handshake = async {
        let (session, work) = futures::try_join!(session(store), renewal::report(store))?;
        let session = session.ok_or(SyncError::NotSignedIn)?;
        let handshake = transport.handshake(&session.token, &work).await?;
        Ok::<_, SyncError>((session, handshake))
    };
    let (handshake, read_ahead, answered, known_epoch, cursor) = futures::join!(
        handshake,
        outbox::pending(store),
        outbox::answered_through(store),
        meta::get::<String>(store, MetaKey::ServerEpoch),
        meta::get::<u64>(store, MetaKey::PullCursor),
    );
    let (session, handshake) = handshake?;
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
    // The first page of changes comes with the last batch's answers (the server reads it once
    // the batch has committed: one request fewer), or is asked for while those answers are
    // filed, from a server that does not send it. Nothing pulled is filed before the answers
    // are (a claim the server counts in a person's figures is then no longer counted as
    // waiting to upload as well).
    let mut first_page = None;
    let batches = pending.chunks(MAX_BATCH).count();
    for (i, batch) in pending.chunks(MAX_BATCH).enumerate() {
        let last = i + 1 == batches;
        let mut response = transport
            .push(token, batch, last.then_some((cursor, PULL_PAGE)))
            .await?;
        report.pushed += batch.len();
        phase("pushed");
        let pulled = response.pulled.take();
        if last {
            // The page's records are made ready (sealed) meanwhile; they are written with the
            // answers, in one transaction, below.
            let page = async {
                match pulled {
                    Some(page) => prepared(store, page).await,
                    None => pull_and_prepare(store, transport, token, cursor).await,
                }
            };
            let (answers, page) =
                futures::join!(outbox::answers(store, batch, &response.results), page);
            let answers = answers?;
            match page {
                Ok(page) => first_page = Some((answers, page)),
                Err(e) => {
                    // No page to file them with: the answers are kept on their own.
                    store.commit_durable_with(&answers, &[]).await?;
                    return Err(e);
                }
            }
        } else {
            outbox::record_results(store, batch, &response.results).await?;
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
        // The last batch's answers are written with the first page, and each page with the
        // cursor past it; after the last page, with the round's end and the server's answer
        // (from which the PIN's offline limit counts): one transaction a page.
        let (mut marks, (page, records)) = match first_page.take() {
            Some((answers, ready)) => (answers, ready),
            None => (
                Batch::default(),
                pull_and_prepare(store, transport, token, cursor).await?,
            ),
        };
        phase("pulled");
        if page.cursor != cursor {
            cursor = page.cursor;
            marks.put(StoreName::Meta, &MetaKey::PullCursor.key(), &cursor)?;
        }
        if !page.more {
            for key in [MetaKey::LastSync, MetaKey::LastContact] {
                marks.put(StoreName::Meta, &key.key(), &now_ms)?;
            }
        }
        report.desk_changed |= filing::file(store, &records, &marks).await?;
        phase("applied");
        report.pulled += page.changes.len();
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
) -> Result<(PullResponse, filing::Filing), SyncError> {
    prepared(store, transport.pull(token, cursor, PULL_PAGE).await?).await
}

/// A page of changes with its records made ready to file.
async fn prepared(
    store: &impl Store,
    page: PullResponse,
) -> Result<(PullResponse, filing::Filing), SyncError> {
    let records = filing::prepare_changes(store, &page.changes).await?;
    Ok((page, records))
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
