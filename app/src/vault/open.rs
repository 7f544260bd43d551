//! Opening the desk: with the PIN offline, or at an online sign-in with the escrow secret.

use std::rc::Rc;

use cunbao_domain::sync::{SignInRequest, SignInResponse};
use cunbao_domain::text::{Bilingual, Text};

use super::keys::{self, Keys, PinDerivation, Secret};
use super::sealed::{seal_legacy, Vault};
use super::EscrowRecord;
use crate::access::{Closed, SignInError};
use crate::pin::{self, PinError, PinRecord};
use crate::storage::indexeddb::IndexedDbStore;
use crate::storage::meta::{self, MetaKey};
use crate::storage::StorageError;
use crate::sync::http::FETCH;
use crate::sync::transport::{Transport, TransportError};
use crate::sync::SyncError;

const PIN_COPY: &str = "data-key/pin";
const ESCROW_COPY: &str = "data-key/escrow";

/// The days the policy in force today allows offline (the default when no policy is held).
async fn offline_limit_days(raw: &IndexedDbStore) -> u32 {
    let policies = crate::desk::local::policies(raw).await.unwrap_or_default();
    cunbao_domain::policy::for_visit(&policies, crate::device::today())
        .map(|p| p.pin_offline_days)
        .unwrap_or(14)
}

/// Opens the desk with the PIN, offline. Past the offline limit the PIN's key is forgotten
/// first (an online sign-in recovers it); five wrong PINs in a row do the same.
pub async fn unlock(raw: Rc<IndexedDbStore>, entered: &str) -> Result<Vault, PinError> {
    let last_contact: Option<u64> = meta::get(raw.as_ref(), MetaKey::LastContact).await?;
    let days = offline_limit_days(&raw).await;
    if pin::record(raw.as_ref()).await?.is_some()
        && super::offline_too_long(last_contact, crate::device::now_ms(), days)
    {
        pin::forget(raw.as_ref()).await?;
        meta::put(raw.as_ref(), MetaKey::Closed, &Closed::OfflineTooLong).await?;
        return Err(PinError::OfflineTooLong(days));
    }
    let secret = pin::unlock(raw.as_ref(), async |record: &PinRecord| {
        let derivation = PinDerivation {
            salt: record.salt.clone(),
            iterations: record.iterations,
        };
        let key = derivation.key(entered).await?;
        keys::unwrap(&record.wrapped, &key, PIN_COPY).await
    })
    .await?;
    Ok(Vault::new(raw, Keys::of(&secret).await?))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EstablishError {
    /// The server gave no escrow secret (a server from before encryption came).
    NoEscrow,
    /// The escrowed copy does not open with the server's secret, and work waits to upload:
    /// it cannot be read (the server's escrow was lost, e.g. restored from an old backup).
    Unrecoverable {
        pending: u32,
    },
    Storage(StorageError),
}

impl From<StorageError> for EstablishError {
    fn from(e: StorageError) -> EstablishError {
        EstablishError::Storage(e)
    }
}

impl Bilingual for EstablishError {
    fn text(&self) -> Text {
        match self {
            EstablishError::NoEscrow => Text::new(
                "服务器未提供本机数据的密钥托管，无法登录。请联系乡镇医保服务站。",
                "The server gave no escrow for this tablet's data key; signing in is not \
                 possible. Contact the township service point.",
            ),
            EstablishError::Unrecoverable { pending } => Text::new(
                format!(
                    "本机有{pending}条未上传的数据，但服务器上的密钥已不能打开它们。\
                     如仍记得PIN，请用PIN解锁后上传；否则请联系乡镇医保服务站。"
                ),
                format!(
                    "{pending} item(s) wait to upload, but the server's key no longer opens \
                     them. If the PIN still unlocks the tablet, unlock it and upload; \
                     otherwise contact the township service point."
                ),
            ),
            EstablishError::Storage(e) => e.text(),
        }
    }
}

cunbao_domain::bilingual_error!(EstablishError);

/// After an online sign-in that stands (the takeover rule already applied): the data key is
/// recovered from the escrowed copy with the server's secret, or — a tablet with no key for
/// this clinic yet — made anew (and whatever was stored before encryption came is sealed
/// with it). The new PIN wraps it; the desk opens.
pub async fn establish(
    raw: Rc<IndexedDbStore>,
    session: &SignInResponse,
    entered_pin: &str,
) -> Result<Vault, EstablishError> {
    let secret_hex = session
        .escrow_key
        .as_deref()
        .ok_or(EstablishError::NoEscrow)?;
    let escrow = keys::escrow_key(secret_hex).await?;
    let holder = session.user.holder();
    let kept: Option<EscrowRecord> = meta::get(raw.as_ref(), MetaKey::Escrow)
        .await
        .unwrap_or(None);
    let recovered = match &kept {
        Some(record) if record.holder == holder => {
            keys::unwrap(&record.wrapped, &escrow, ESCROW_COPY).await?
        }
        _ => None,
    };
    let (secret, fresh) = match recovered {
        Some(secret) => (secret, false),
        None => {
            // Counted from the outbox's keys and its answered mark, both in clear.
            let pending = crate::sync::outbox::pending_count(raw.as_ref()).await?;
            if kept.is_some() && pending > 0 {
                return Err(EstablishError::Unrecoverable { pending });
            }
            if kept.is_some() {
                // Nothing waits, and what is there cannot be read: start clean.
                crate::access::wipe_clinic_data(raw.as_ref()).await?;
            }
            let secret = Secret::fresh()?;
            let record = EscrowRecord {
                holder,
                wrapped: keys::wrap(&secret, &escrow, ESCROW_COPY).await?,
            };
            meta::put(raw.as_ref(), MetaKey::Escrow, &record).await?;
            (secret, true)
        }
    };
    let derivation = PinDerivation::tuned().await?;
    let pin_key = derivation.key(entered_pin).await?;
    let record = PinRecord {
        username: session.user.username.clone(),
        display_name: session.user.display_name.clone(),
        salt: derivation.salt,
        iterations: derivation.iterations,
        wrapped: keys::wrap(&secret, &pin_key, PIN_COPY).await?,
        failures: 0,
    };
    pin::set(raw.as_ref(), &record).await?;
    let vault = Vault::new(raw, Keys::of(&secret).await?);
    if fresh {
        seal_legacy(&vault).await?;
    }
    Ok(vault)
}

/// Why an online sign-in did not open the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefusal {
    /// A first or reset password: the user chooses a new one and signs in again with it.
    NewPasswordNeeded(Text),
    Other(Text),
}

/// The whole online sign-in: the server's answer and the takeover rule
/// ([`crate::access::sign_in`]), the data key ([`establish`]), then the session kept sealed.
/// Whatever fails after the server said yes gives the fresh token back.
pub async fn sign_in_and_open(
    raw: Rc<IndexedDbStore>,
    request: &SignInRequest,
    pin: &str,
) -> Result<Vault, SignInRefusal> {
    let session = crate::access::sign_in(raw.as_ref(), &FETCH, request)
        .await
        .map_err(|e| match e {
            SignInError::Sync(SyncError::Transport(TransportError::Unavailable(_))) => {
                SignInRefusal::Other(crate::i18n::both(crate::i18n::Key::SignInNeedsNetwork))
            }
            SignInError::Sync(SyncError::Transport(TransportError::Refused {
                ref code, ..
            })) if code == "password_change_required" => SignInRefusal::NewPasswordNeeded(e.text()),
            e => SignInRefusal::Other(e.text()),
        })?;
    let opened = match establish(raw, &session, pin).await {
        Ok(vault) => crate::access::start_session(&vault, &session, crate::device::now_ms())
            .await
            .map(|()| vault)
            .map_err(|e| SignInRefusal::Other(e.text())),
        Err(e) => Err(SignInRefusal::Other(e.text())),
    };
    if opened.is_err() {
        let _ = FETCH.sign_out(&session.token).await;
    }
    opened
}
