//! Who may see residents' data on this tablet, and what happens to it at sign-in, sign-out,
//! lockout and revocation. The screens ask [`Gate`] whether the desk may be shown; the
//! context's store accessor refuses every read and save of the desk unless the gate is
//! [`Gate::Open`]. (Encryption at rest slots in here: opening the gate is where the data key
//! is unwrapped, closing it where it is dropped.)

use cunbao_domain::sync::{SignInRequest, SignInResponse, UserInfo};
use cunbao_domain::text::{Bilingual, Text};
use serde::{Deserialize, Serialize};

use crate::storage::meta::{self, MetaKey};
use crate::storage::{Batch, StorageError, Store, StoreName, Write};
use crate::sync::transport::Transport;
use crate::sync::{self, outbox, SyncError};

pub use crate::closed::Closed;

/// What the app may show, decided in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// The local database is still opening: nothing is shown.
    Opening,
    /// A signed-in user entered their PIN in this run of the app (or set it at sign-in).
    Open,
    /// Signed in with a PIN, not entered yet: the lock screen.
    Locked,
    /// Nobody signed in: only the sign-in form, with why if known.
    SignIn(Option<Closed>),
}

impl Gate {
    pub fn is_open(self) -> bool {
        self == Gate::Open
    }
}

/// The gate when the app starts: never open (the PIN is asked in every run). The session is
/// sealed; the PIN record (in clear) says whether someone is signed in.
pub async fn at_start(store: &impl Store) -> Result<Gate, StorageError> {
    Ok(match crate::pin::record(store).await? {
        Some(_) => Gate::Locked,
        None => Gate::SignIn(meta::get(store, MetaKey::Closed).await?),
    })
}

/// The clinic whose data the tablet holds (a tablet belongs to one clinic at a time), and who
/// signed in last, to name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabletClinic {
    /// The clinic (or, for township staff, the township).
    pub key: String,
    pub display_name: String,
}

impl TabletClinic {
    pub fn of(user: &UserInfo) -> TabletClinic {
        TabletClinic {
            key: user.holder(),
            display_name: user.display_name.clone(),
        }
    }

    /// Whether the tablet holds a township's data (its user is township staff), readable
    /// before the PIN: the clinic's build then sends the page on to the township's.
    pub fn is_township(&self) -> bool {
        self.key.starts_with("township:")
    }
}

pub async fn clinic(store: &impl Store) -> Result<Option<TabletClinic>, StorageError> {
    meta::get(store, MetaKey::Clinic).await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInError {
    Sync(SyncError),
    Pin(crate::pin::PinError),
    /// A user of another clinic while the tablet's clinic still has work to upload.
    OtherClinicPending {
        previous: String,
        pending: usize,
    },
}

impl From<SyncError> for SignInError {
    fn from(e: SyncError) -> SignInError {
        SignInError::Sync(e)
    }
}

impl From<StorageError> for SignInError {
    fn from(e: StorageError) -> SignInError {
        SignInError::Sync(SyncError::Storage(e))
    }
}

impl Bilingual for SignInError {
    fn text(&self) -> Text {
        match self {
            SignInError::Sync(e) => e.text(),
            SignInError::Pin(e) => e.text(),
            SignInError::OtherClinicPending { previous, pending } => Text::new(
                format!(
                    "本平板还有{previous}的{pending}条数据未上传，不能换其他卫生室的账号登录。\
                     请先由该卫生室人员联网登录上传。"
                ),
                format!(
                    "This tablet still holds {pending} item(s) of {previous} not yet uploaded; \
                     a user of another clinic cannot sign in until someone of that clinic signs \
                     in online and uploads them."
                ),
            ),
        }
    }
}

cunbao_domain::bilingual_error!(SignInError);

/// What a sign-in by `user` does to the data on the tablet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Takeover {
    /// The tablet's clinic (or a tablet with no clinic yet): the work stays and is uploaded.
    SameClinic,
    /// Another clinic, nothing pending: the previous clinic's data is wiped first.
    Wipe,
}

pub async fn takeover(store: &impl Store, user: &UserInfo) -> Result<Takeover, SignInError> {
    let current = clinic(store).await?;
    // Counted from the outbox's keys and its answered mark, in clear: no key is needed.
    let pending = outbox::pending_count(store).await? as usize;
    decide(current.as_ref(), user, pending)
}

/// [`takeover`] for a tablet of `current` clinic with `pending` items not yet uploaded.
pub fn decide(
    current: Option<&TabletClinic>,
    user: &UserInfo,
    pending: usize,
) -> Result<Takeover, SignInError> {
    let Some(current) = current else {
        return Ok(Takeover::SameClinic);
    };
    if current.key == TabletClinic::of(user).key {
        return Ok(Takeover::SameClinic);
    }
    if pending > 0 {
        return Err(SignInError::OtherClinicPending {
            previous: current.display_name.clone(),
            pending,
        });
    }
    Ok(Takeover::Wipe)
}

/// Online sign-in: refused for a user of another clinic while the tablet's clinic has work
/// pending (the fresh token is given back to the server); a user of another clinic otherwise
/// finds the tablet wiped of the previous clinic's data. Runs before the data key is at hand
/// (`vault::establish` comes next, with the session returned), so it reads only what is in
/// clear. `store` is the database itself.
pub async fn sign_in(
    store: &impl Store,
    transport: &impl Transport,
    request: &SignInRequest,
) -> Result<SignInResponse, SignInError> {
    let session = transport.sign_in(request).await.map_err(SyncError::from)?;
    match takeover(store, &session.user).await {
        Ok(Takeover::SameClinic) => {}
        Ok(Takeover::Wipe) => wipe_clinic_data(store).await?,
        Err(err) => {
            let _ = transport.sign_out(&session.token).await;
            return Err(err);
        }
    }
    Ok(session)
}

/// Keeps the session once the desk is open on it (`store`: the open desk's, so the session
/// is sealed). `now_ms` is when the server answered.
pub async fn start_session(
    store: &impl Store,
    session: &SignInResponse,
    now_ms: u64,
) -> Result<(), StorageError> {
    meta::put(store, MetaKey::Session, session).await?;
    meta::put(store, MetaKey::Clinic, &TabletClinic::of(&session.user)).await?;
    meta::put(store, MetaKey::LastContact, &now_ms).await?;
    meta::delete(store, MetaKey::Closed).await
}

/// Signs out: the server is told when it can be reached (the token is revoked there); the
/// session, the PIN and unsaved form drafts are forgotten here. The outbox and the records
/// stay, for the clinic's next sign-in to upload.
pub async fn sign_out(store: &impl Store, transport: &impl Transport) -> Result<(), StorageError> {
    let session = sync::session(store).await?;
    // Forgotten here before the server hears of it: a sync starting meanwhile finds nobody
    // signed in, rather than its own token refused as revoked (which would wipe the tablet).
    crate::pin::forget(store).await?;
    delete_meta_where(store, |key| key.starts_with("draft:")).await?;
    meta::put(store, MetaKey::Closed, &Closed::SignedOut).await?;
    if let Some(session) = session {
        // Offline, or refused: the tablet forgets the token all the same.
        let _ = transport.sign_out(&session.token).await;
    }
    Ok(())
}

/// The server device of the session a sync round is about to use (its token may be renewed
/// during the round; the device stays).
pub async fn session_device(store: &impl Store) -> Option<String> {
    sync::session(store)
        .await
        .ok()
        .flatten()
        .map(|s| s.device_id)
}

/// Whether the session a sync round used (the device `used`) is still the tablet's: only
/// then does a refusal of that round speak for the tablet. Signed out, or signed out and in
/// again while the round was under way, it does not.
pub async fn still_signed_in(store: &impl Store, used: Option<&str>) -> bool {
    used.is_some() && session_device(store).await.as_deref() == used
}

/// Whether a sync refused as revoked means the township revoked this tablet: only if the
/// session that round used is still the tablet's ([`still_signed_in`]). A token this tablet
/// gave back itself (signed out, or signed out and in again meanwhile) wipes nothing.
pub async fn revoked_by_township(store: &impl Store, used: Option<&str>) -> bool {
    still_signed_in(store, used).await
}

/// The server refused the session's token as expired: the session and the PIN are forgotten,
/// without contacting the server (the token opens nothing any more). Nothing is wiped: the
/// outbox and the records stay for the online sign-in that follows, which uploads them, and —
/// as after too many wrong PINs, since nobody chose to leave — a form being typed keeps its
/// draft. The sign-in screen says why.
pub async fn expire(store: &impl Store, why: Closed) -> Result<(), StorageError> {
    crate::pin::forget(store).await?;
    meta::put(store, MetaKey::Closed, &why).await
}

/// Whether a sync error says the session ended without a revocation — its token expired, or
/// the township disabled the user — and why: nothing is wiped.
pub fn ended_session(err: &SyncError) -> Option<Closed> {
    match err {
        SyncError::Transport(crate::sync::transport::TransportError::Unauthorized {
            code, ..
        }) => match code.as_str() {
            "token_expired" => Some(Closed::Expired),
            "account_disabled" => Some(Closed::Disabled),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a sync error says the session's token expired or its user was disabled (not a
/// revocation: nothing is wiped).
pub fn is_expiry(err: &SyncError) -> bool {
    ended_session(err).is_some()
}

/// The meta keys the tablet keeps whatever happens: what the device is, not whose data.
const DEVICE_KEYS: &[MetaKey<'static>] = &[
    MetaKey::DeviceId,
    MetaKey::Lang,
    MetaKey::DataVersion,
    // Receipt numbers carry the device id: never reuse one.
    MetaKey::ReceiptSeq,
];

/// The clinic's data, before another clinic's first sync: residents, records, outbox,
/// notices, drafts, session, PIN and sync cursors. The public catalogue and policies stay.
pub async fn wipe_clinic_data(store: &impl Store) -> Result<(), StorageError> {
    for name in CLINIC_STORES {
        clear(store, *name).await?;
    }
    let keep: Vec<String> = DEVICE_KEYS
        .iter()
        .chain(&[MetaKey::CatalogueVersion, MetaKey::PolicyVersion])
        .map(|k| k.key().into_owned())
        .collect();
    delete_meta_where(store, |key| !keep.iter().any(|k| k == key)).await
}

/// A revoked tablet (presumed stolen): everything but what is needed to say so.
pub async fn wipe_revoked(store: &impl Store) -> Result<(), StorageError> {
    let stores = crate::storage::schema::VERSIONS
        .iter()
        .flat_map(|(_, stores)| stores.iter().copied());
    for name in stores {
        if name != StoreName::Meta {
            clear(store, name).await?;
        }
    }
    let keep: Vec<String> = DEVICE_KEYS.iter().map(|k| k.key().into_owned()).collect();
    delete_meta_where(store, |key| !keep.iter().any(|k| k == key)).await?;
    meta::put(store, MetaKey::Closed, &Closed::Revoked).await
}

/// Whether a sync error says the township revoked this tablet.
pub fn is_revocation(err: &SyncError) -> bool {
    matches!(
        err,
        SyncError::Transport(crate::sync::transport::TransportError::Unauthorized { code, .. })
            if code == "device_revoked"
    )
}

const CLINIC_STORES: &[StoreName] = &[
    StoreName::Persons,
    StoreName::Households,
    StoreName::Enrolments,
    StoreName::Contributions,
    StoreName::Claims,
    StoreName::Outbox,
    StoreName::Notices,
];

async fn clear(store: &impl Store, name: StoreName) -> Result<(), StorageError> {
    let mut writes: Vec<Write> = store
        .all(name)
        .await?
        .into_iter()
        .map(|(key, _)| Write::Delete(name, key))
        .collect();
    if name == StoreName::Outbox {
        // The outbox's answered-through mark goes with its entries, in the same transaction:
        // a mark left behind would count the next entries as answered.
        writes.push(Write::Delete(
            StoreName::Meta,
            MetaKey::OutboxAnswered.key().into_owned(),
        ));
    }
    if writes.is_empty() {
        return Ok(());
    }
    store.commit_durable(&Batch { writes }).await
}

async fn delete_meta_where(
    store: &impl Store,
    doomed: impl Fn(&str) -> bool,
) -> Result<(), StorageError> {
    let writes: Vec<Write> = store
        .all(StoreName::Meta)
        .await?
        .into_iter()
        .filter(|(key, _)| doomed(key))
        .map(|(key, _)| Write::Delete(StoreName::Meta, key))
        .collect();
    if writes.is_empty() {
        return Ok(());
    }
    store.commit_durable(&Batch { writes }).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use cunbao_domain::sync::Role;
    use futures::executor::block_on;
    use serde_json::json;

    #[test]
    fn a_tablet_of_township_staff_is_known_as_such() {
        let clerk = user("lijia", "clinic-lijia");
        assert!(!TabletClinic::of(&clerk).is_township());
        let staff = UserInfo {
            role: Role::TownshipReviewer,
            clinic_id: None,
            ..clerk
        };
        assert!(TabletClinic::of(&staff).is_township());
    }

    fn user(username: &str, clinic: &str) -> UserInfo {
        UserInfo {
            username: username.into(),
            display_name: format!("{username}（{clinic}）"),
            role: Role::ClinicAssistant,
            township_id: "twp".into(),
            clinic_id: Some(clinic.into()),
        }
    }

    async fn tablet_of(store: &MemoryStore, clinic: &str) {
        meta::put(
            store,
            MetaKey::Clinic,
            &TabletClinic::of(&user("lijia", clinic)),
        )
        .await
        .unwrap();
        store
            .put(StoreName::Persons, "p1", json!({"name": "韦春花"}))
            .await
            .unwrap();
        store
            .put(StoreName::CatalogueItems, "c1", json!({"code": "X"}))
            .await
            .unwrap();
        for (key, value) in [
            ("device_id", json!("dev")),
            ("draft:enrol", json!({"n": 1})),
            ("outbox_answered_through", json!(1)),
        ] {
            store.put(StoreName::Meta, key, value).await.unwrap();
        }
        store
            .put(
                StoreName::Outbox,
                "1",
                json!({"state": {"state": "pending"}}),
            )
            .await
            .unwrap();
    }

    #[test]
    fn only_a_session_still_in_use_refused_as_revoked_means_the_township_revoked_the_tablet() {
        block_on(async {
            let store = MemoryStore::default();
            let session = |device: &str, token: &str| cunbao_domain::sync::SignInResponse {
                token: token.into(),
                device_id: device.into(),
                user: user("lijia", "c-lijia"),
                escrow_key: None,
            };
            meta::put(&store, MetaKey::Session, &session("dev-A", "a"))
                .await
                .unwrap();
            let used = session_device(&store).await;
            assert_eq!(used.as_deref(), Some("dev-A"));
            assert!(revoked_by_township(&store, used.as_deref()).await);
            // The token was renewed during the round: the same session still.
            meta::put(&store, MetaKey::Session, &session("dev-A", "a2"))
                .await
                .unwrap();
            assert!(revoked_by_township(&store, Some("dev-A")).await);
            // Signed out and in again while a round with the old session was under way.
            meta::put(&store, MetaKey::Session, &session("dev-B", "b"))
                .await
                .unwrap();
            assert!(!revoked_by_township(&store, Some("dev-A")).await);
            // Signed out: the token was given back by the tablet itself.
            crate::pin::forget(&store).await.unwrap();
            assert!(!revoked_by_township(&store, Some("dev-B")).await);
            assert!(!revoked_by_township(&store, None).await);
        });
    }

    #[test]
    fn an_expired_sign_in_forgets_the_session_and_keeps_the_work() {
        block_on(async {
            let store = MemoryStore::default();
            tablet_of(&store, "c-lijia").await;
            meta::put(
                &store,
                MetaKey::Session,
                &json!({"token": "t", "device_id": "d", "user": user("lijia", "c-lijia")}),
            )
            .await
            .unwrap();
            crate::pin::set(&store, &crate::pin::record_for_tests("lijia"))
                .await
                .unwrap();
            assert_eq!(at_start(&store).await.unwrap(), Gate::Locked);
            expire(&store, Closed::Expired).await.unwrap();
            assert_eq!(
                at_start(&store).await.unwrap(),
                Gate::SignIn(Some(Closed::Expired))
            );
            assert_eq!(sync::session(&store).await.unwrap(), None);
            assert_eq!(crate::pin::record(&store).await.unwrap(), None);
            assert_eq!(store.count(StoreName::Outbox).await.unwrap(), 1);
            assert_eq!(store.count(StoreName::Persons).await.unwrap(), 1);
            assert!(
                store
                    .get(StoreName::Meta, "draft:enrol")
                    .await
                    .unwrap()
                    .is_some(),
                "the form being typed keeps its draft"
            );
            // The clinic stays the tablet's: its own users sign in and upload the work.
            assert_eq!(
                clinic(&store).await.unwrap().map(|c| c.key),
                Some("clinic:c-lijia".into())
            );
            let expired =
                SyncError::Transport(crate::sync::transport::TransportError::Unauthorized {
                    code: "token_expired".into(),
                    message_zh: String::new(),
                    message_en: String::new(),
                });
            assert!(is_expiry(&expired));
            assert!(!is_revocation(&expired));
        });
    }

    #[test]
    fn another_clinic_waits_for_the_upload_then_finds_the_tablet_wiped() {
        block_on(async {
            let store = MemoryStore::default();
            let daping = user("daping", "c-daping");
            // A tablet with no clinic yet takes anyone.
            assert_eq!(decide(None, &daping, 3), Ok(Takeover::SameClinic));
            tablet_of(&store, "c-lijia").await;
            let current = clinic(&store).await.unwrap();
            assert_eq!(
                decide(current.as_ref(), &user("lijia2", "c-lijia"), 3),
                Ok(Takeover::SameClinic)
            );
            let refused = decide(current.as_ref(), &daping, 3).unwrap_err();
            assert!(refused
                .text()
                .zh
                .contains("lijia（c-lijia）的3条数据未上传"));
            assert_eq!(decide(current.as_ref(), &daping, 0), Ok(Takeover::Wipe));
            wipe_clinic_data(&store).await.unwrap();
            assert_eq!(store.count(StoreName::Persons).await.unwrap(), 0);
            assert_eq!(store.count(StoreName::Outbox).await.unwrap(), 0);
            // The outbox's mark went with it: the next clinic's first entry is pending.
            assert_eq!(
                crate::sync::outbox::answered_through(&store).await.unwrap(),
                0
            );
            assert_eq!(store.count(StoreName::CatalogueItems).await.unwrap(), 1);
            assert!(store
                .get(StoreName::Meta, "draft:enrol")
                .await
                .unwrap()
                .is_none());
            assert!(store
                .get(StoreName::Meta, "device_id")
                .await
                .unwrap()
                .is_some());
            assert_eq!(clinic(&store).await.unwrap(), None);
        });
    }

    #[test]
    fn a_revoked_tablet_keeps_only_why() {
        block_on(async {
            let store = MemoryStore::default();
            tablet_of(&store, "c-lijia").await;
            wipe_revoked(&store).await.unwrap();
            for name in [
                StoreName::Persons,
                StoreName::Outbox,
                StoreName::CatalogueItems,
            ] {
                assert_eq!(store.count(name).await.unwrap(), 0, "{name}");
            }
            assert_eq!(
                at_start(&store).await.unwrap(),
                Gate::SignIn(Some(Closed::Revoked))
            );
            assert!(store
                .get(StoreName::Meta, "draft:enrol")
                .await
                .unwrap()
                .is_none());
        });
    }

    #[test]
    fn the_desk_never_opens_at_start() {
        block_on(async {
            let store = MemoryStore::default();
            assert_eq!(at_start(&store).await.unwrap(), Gate::SignIn(None));
            meta::put(
                &store,
                MetaKey::Session,
                &json!({"token": "t", "device_id": "d", "user": user("lijia", "c-lijia")}),
            )
            .await
            .unwrap();
            // Signed in without a PIN: sign in again.
            assert_eq!(at_start(&store).await.unwrap(), Gate::SignIn(None));
            crate::pin::set(&store, &crate::pin::record_for_tests("lijia"))
                .await
                .unwrap();
            assert_eq!(at_start(&store).await.unwrap(), Gate::Locked);
        });
    }
}
