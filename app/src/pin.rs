//! The operator's PIN: chosen at each online sign-in, it unlocks the tablet offline from then
//! on. The PIN is not stored, nor any hash of it: what the tablet keeps is the data key wrapped
//! by a key derived from it (see `vault::keys`), so only the right PIN opens the residents'
//! data. Wrong PINs count on the device, across reloads; the fifth in a row forgets the
//! wrapped key and the session — the data stays encrypted until an online sign-in of the
//! clinic recovers the key from the server.

use cunbao_domain::text::{Bilingual, Text};
use serde::{Deserialize, Serialize};

use crate::storage::meta::{self, MetaKey};
use crate::storage::{StorageError, Store};

pub const MAX_FAILURES: u32 = 5;
/// The shortest PIN; a longer one (up to [`PIN_MAX_LENGTH`]) is allowed.
pub const PIN_LENGTH: usize = 6;
pub const PIN_MAX_LENGTH: usize = 12;

/// What the tablet keeps for its PIN (in `meta`, in clear: nothing in it opens anything
/// without the PIN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinRecord {
    pub username: String,
    /// Who to name on the lock screen.
    #[serde(default)]
    pub display_name: String,
    /// PBKDF2's salt (base64) and rounds, tuned on this tablet.
    pub salt: String,
    pub iterations: u32,
    /// The data key wrapped by the PIN's key (base64).
    pub wrapped: String,
    pub failures: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinError {
    Format,
    Mismatch,
    Wrong(u32),
    LockedOut,
    NotSet,
    /// Offline longer than the policy allows (days): the PIN alone no longer opens it.
    OfflineTooLong(u32),
    Storage(StorageError),
}

impl From<StorageError> for PinError {
    fn from(e: StorageError) -> PinError {
        PinError::Storage(e)
    }
}

impl Bilingual for PinError {
    fn text(&self) -> Text {
        match self {
            PinError::Format => Text::new(
                format!("PIN须为{PIN_LENGTH}至{PIN_MAX_LENGTH}位数字"),
                format!("The PIN must be {PIN_LENGTH} to {PIN_MAX_LENGTH} digits"),
            ),
            PinError::Mismatch => Text::new("两次输入的PIN不一致", "The two PINs differ"),
            PinError::Wrong(left) => Text::new(
                format!("PIN错误，还可再试{left}次"),
                format!("Wrong PIN; {left} tries left"),
            ),
            PinError::LockedOut => Text::new(
                "PIN错误次数过多，请联网重新登录",
                "Too many wrong PINs; sign in again online",
            ),
            PinError::NotSet => Text::new(
                "本机尚未设置PIN，请联网登录",
                "No PIN on this tablet; sign in online",
            ),
            PinError::OfflineTooLong(days) => Text::new(
                format!("本机已超过{days}天未联网，PIN不能再解锁，请联网重新登录"),
                format!(
                    "This tablet has been offline for more than {days} days; the PIN no longer \
                     unlocks it. Sign in again online"
                ),
            ),
            PinError::Storage(e) => e.text(),
        }
    }
}

cunbao_domain::bilingual_error!(PinError);

/// Checks a new PIN and its confirmation, before anything is sent or stored.
pub fn validate(pin: &str, confirm: &str) -> Result<(), PinError> {
    if !(PIN_LENGTH..=PIN_MAX_LENGTH).contains(&pin.len())
        || !pin.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(PinError::Format);
    }
    if pin != confirm {
        return Err(PinError::Mismatch);
    }
    Ok(())
}

/// Keeps the PIN record of the user who just signed in online.
pub async fn set(store: &impl Store, record: &PinRecord) -> Result<(), StorageError> {
    meta::put(store, MetaKey::Pin, record).await
}

/// The PIN record, if there is one (a record from before encryption came is none: its tablet
/// signs in online once).
pub async fn record(store: &impl Store) -> Result<Option<PinRecord>, StorageError> {
    match meta::get(store, MetaKey::Pin).await {
        Err(StorageError::Format(_)) => Ok(None),
        other => other,
    }
}

/// Unlocks with the PIN, offline: `open` tries the PIN against the record and gives what it
/// opens (the data key), or `None` for a wrong PIN. A wrong PIN counts (kept on the device, so
/// a reload does not reset it); the fifth in a row forgets the wrapped key and the session and
/// records the lockout (the outbox and every record stay, encrypted).
pub async fn unlock<T>(
    store: &impl Store,
    open: impl AsyncFnOnce(&PinRecord) -> Result<Option<T>, StorageError>,
) -> Result<T, PinError> {
    let Some(mut record) = record(store).await? else {
        return Err(PinError::NotSet);
    };
    if let Some(opened) = open(&record).await? {
        if record.failures > 0 {
            record.failures = 0;
            set(store, &record).await?;
        }
        return Ok(opened);
    }
    record.failures += 1;
    if record.failures >= MAX_FAILURES {
        forget(store).await?;
        meta::put(store, MetaKey::Closed, &crate::closed::Closed::LockedOut).await?;
        return Err(PinError::LockedOut);
    }
    set(store, &record).await?;
    Err(PinError::Wrong(MAX_FAILURES - record.failures))
}

/// Forgets the PIN's wrapped key and the session (sign-out, too many wrong PINs, too long
/// offline). The escrowed copy stays, for the clinic's next online sign-in.
pub async fn forget(store: &impl Store) -> Result<(), StorageError> {
    meta::delete(store, MetaKey::Pin).await?;
    meta::delete(store, MetaKey::Session).await
}

/// A PIN record as a sign-in leaves it, for tests of what comes after (its wrapped key is a
/// stand-in: opening it is tested in the browser, `app/tests/vault.rs`).
#[cfg(test)]
pub(crate) fn record_for_tests(username: &str) -> PinRecord {
    PinRecord {
        username: username.into(),
        display_name: username.into(),
        salt: "s".into(),
        iterations: 100_000,
        wrapped: "w".into(),
        failures: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use crate::storage::StoreName;
    use futures::executor::block_on;
    use serde_json::json;

    #[test]
    fn a_pin_is_six_to_twelve_digits_typed_twice_alike() {
        assert_eq!(validate("123456", "123456"), Ok(()));
        assert_eq!(validate("123456789012", "123456789012"), Ok(()));
        assert_eq!(validate("12345", "12345"), Err(PinError::Format));
        assert_eq!(
            validate("1234567890123", "1234567890123"),
            Err(PinError::Format)
        );
        assert_eq!(validate("12345a", "12345a"), Err(PinError::Format));
        assert_eq!(
            validate("１２３４５６", "１２３４５６"),
            Err(PinError::Format)
        );
        assert_eq!(validate("123456", "123457"), Err(PinError::Mismatch));
    }

    /// A record whose "wrapped key" opens for `pin` only. The real wrapping (WebCrypto) is
    /// tested in the browser (`app/tests/vault.rs`); here, what the count of wrong PINs does.
    fn record_for(pin: &str) -> PinRecord {
        PinRecord {
            username: "lijia".into(),
            display_name: "王秀兰".into(),
            salt: "s".into(),
            iterations: 1,
            wrapped: format!("by:{pin}"),
            failures: 0,
        }
    }

    async fn try_pin(store: &MemoryStore, pin: &str) -> Result<(), PinError> {
        let pin = pin.to_string();
        unlock(store, async move |record: &PinRecord| {
            Ok((record.wrapped == format!("by:{pin}")).then_some(()))
        })
        .await
    }

    #[test]
    fn five_wrong_pins_forget_the_wrapped_key_and_the_session_but_nothing_else() {
        block_on(async {
            let store = MemoryStore::default();
            assert_eq!(try_pin(&store, "123456").await, Err(PinError::NotSet));
            store
                .put(
                    StoreName::Meta,
                    &MetaKey::Session.key(),
                    json!({"sealed": "t"}),
                )
                .await
                .unwrap();
            store
                .put(StoreName::Outbox, "1", json!({"kept": true}))
                .await
                .unwrap();
            set(&store, &record_for("123456")).await.unwrap();
            assert_eq!(try_pin(&store, "000000").await, Err(PinError::Wrong(4)));
            // A right PIN resets the count.
            assert_eq!(try_pin(&store, "123456").await, Ok(()));
            for left in (1..MAX_FAILURES).rev() {
                assert_eq!(try_pin(&store, "000000").await, Err(PinError::Wrong(left)));
            }
            assert_eq!(try_pin(&store, "000000").await, Err(PinError::LockedOut));
            assert_eq!(try_pin(&store, "123456").await, Err(PinError::NotSet));
            assert_eq!(
                store
                    .get(StoreName::Meta, &MetaKey::Session.key())
                    .await
                    .unwrap(),
                None
            );
            assert!(store.get(StoreName::Outbox, "1").await.unwrap().is_some());
            let closed: Option<crate::closed::Closed> =
                meta::get(&store, MetaKey::Closed).await.unwrap();
            assert_eq!(closed, Some(crate::closed::Closed::LockedOut));
        });
    }

    #[test]
    fn wrong_pins_count_across_reloads() {
        block_on(async {
            let store = MemoryStore::default();
            set(&store, &record_for("123456789012")).await.unwrap();
            for left in [4, 3] {
                assert_eq!(try_pin(&store, "000000").await, Err(PinError::Wrong(left)));
            }
            // A reload reads the count from the store: nothing in memory carries it.
            assert_eq!(record(&store).await.unwrap().unwrap().failures, 2);
            assert_eq!(try_pin(&store, "000000").await, Err(PinError::Wrong(2)));
            assert_eq!(try_pin(&store, "123456789012").await, Ok(()));
            assert_eq!(record(&store).await.unwrap().unwrap().failures, 0);
        });
    }

    #[test]
    fn a_pin_record_from_before_encryption_reads_as_none() {
        block_on(async {
            let store = MemoryStore::default();
            let old = json!({"username": "lijia", "salt": "x", "hash": "ab", "failures": 0});
            store
                .put(StoreName::Meta, &MetaKey::Pin.key(), old)
                .await
                .unwrap();
            assert_eq!(record(&store).await.unwrap(), None);
            assert_eq!(try_pin(&store, "123456").await, Err(PinError::NotSet));
        });
    }
}
