//! The operator's PIN: chosen at the first online sign-in, it unlocks the tablet offline from
//! then on. Only a salted PBKDF2-SHA256 hash is kept on the device. Five wrong PINs in a row
//! forget the PIN and the session: the next unlock is an online sign-in.

use cunbao_domain::text::{Bilingual, Text};
use pbkdf2::pbkdf2_hmac;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::storage::meta::{self, MetaKey};
use crate::storage::{StorageError, Store};

/// Enough work to make each guess cost something on a stolen tablet, little enough to unlock
/// at once on a slow one.
const ROUNDS: u32 = 20_000;
pub const MAX_FAILURES: u32 = 5;
/// The shortest PIN; a longer one (up to [`PIN_MAX_LENGTH`]) is allowed.
pub const PIN_LENGTH: usize = 6;
pub const PIN_MAX_LENGTH: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinRecord {
    pub username: String,
    salt: String,
    hash: String,
    pub failures: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinError {
    Format,
    Mismatch,
    Wrong(u32),
    LockedOut,
    NotSet,
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

fn derive(pin: &str, salt: &str) -> String {
    let mut out = [0u8; 32];
    pbkdf2_hmac::<Sha256>(pin.as_bytes(), salt.as_bytes(), ROUNDS, &mut out);
    out.iter().map(|b| format!("{b:02x}")).collect()
}

/// Stores the PIN of the user who just signed in online. `salt` is fresh randomness.
pub async fn set(
    store: &impl Store,
    username: &str,
    pin: &str,
    salt: &str,
) -> Result<(), PinError> {
    validate(pin, pin)?;
    let record = PinRecord {
        username: username.to_string(),
        salt: salt.to_string(),
        hash: derive(pin, salt),
        failures: 0,
    };
    meta::put(store, MetaKey::Pin, &record).await?;
    Ok(())
}

pub async fn record(store: &impl Store) -> Result<Option<PinRecord>, StorageError> {
    meta::get(store, MetaKey::Pin).await
}

/// Unlocks with the PIN, offline. A wrong PIN counts (kept on the device, so a reload does not
/// reset it); the fifth in a row forgets the PIN and the session and records the lockout (the
/// outbox and every record stay).
pub async fn unlock(store: &impl Store, pin: &str) -> Result<(), PinError> {
    let Some(mut record) = record(store).await? else {
        return Err(PinError::NotSet);
    };
    if derive(pin, &record.salt) == record.hash {
        if record.failures > 0 {
            record.failures = 0;
            meta::put(store, MetaKey::Pin, &record).await?;
        }
        return Ok(());
    }
    record.failures += 1;
    if record.failures >= MAX_FAILURES {
        forget(store).await?;
        meta::put(store, MetaKey::Closed, &crate::access::Closed::LockedOut).await?;
        return Err(PinError::LockedOut);
    }
    meta::put(store, MetaKey::Pin, &record).await?;
    Err(PinError::Wrong(MAX_FAILURES - record.failures))
}

/// Forgets the PIN and the session (sign-out, or too many wrong PINs).
pub async fn forget(store: &impl Store) -> Result<(), StorageError> {
    meta::delete(store, MetaKey::Pin).await?;
    meta::delete(store, MetaKey::Session).await
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

    #[test]
    fn the_right_pin_unlocks_and_only_a_hash_is_stored() {
        block_on(async {
            let store = MemoryStore::default();
            assert_eq!(unlock(&store, "123456").await, Err(PinError::NotSet));
            set(&store, "lijia", "123456", "salt-1").await.unwrap();
            let stored = store
                .get(StoreName::Meta, &MetaKey::Pin.key())
                .await
                .unwrap()
                .unwrap();
            assert!(!stored.to_string().contains("123456"));
            assert_eq!(unlock(&store, "123456").await, Ok(()));
            // Another salt gives another hash for the same PIN.
            let other = MemoryStore::default();
            set(&other, "lijia", "123456", "salt-2").await.unwrap();
            assert_ne!(record(&store).await.unwrap(), record(&other).await.unwrap());
        });
    }

    #[test]
    fn five_wrong_pins_forget_the_pin_and_the_session_but_nothing_else() {
        block_on(async {
            let store = MemoryStore::default();
            store
                .put(
                    StoreName::Meta,
                    &MetaKey::Session.key(),
                    json!({"token": "t"}),
                )
                .await
                .unwrap();
            store
                .put(StoreName::Outbox, "1", json!({"kept": true}))
                .await
                .unwrap();
            set(&store, "lijia", "123456", "salt").await.unwrap();
            assert_eq!(unlock(&store, "000000").await, Err(PinError::Wrong(4)));
            // A right PIN resets the count.
            assert_eq!(unlock(&store, "123456").await, Ok(()));
            for left in (1..MAX_FAILURES).rev() {
                assert_eq!(unlock(&store, "000000").await, Err(PinError::Wrong(left)));
            }
            assert_eq!(unlock(&store, "000000").await, Err(PinError::LockedOut));
            assert_eq!(unlock(&store, "123456").await, Err(PinError::NotSet));
            assert_eq!(
                store
                    .get(StoreName::Meta, &MetaKey::Session.key())
                    .await
                    .unwrap(),
                None
            );
            assert!(store.get(StoreName::Outbox, "1").await.unwrap().is_some());
            let closed: Option<crate::access::Closed> =
                meta::get(&store, MetaKey::Closed).await.unwrap();
            assert_eq!(closed, Some(crate::access::Closed::LockedOut));
        });
    }

    #[test]
    fn wrong_pins_count_across_reloads_and_a_long_pin_unlocks() {
        block_on(async {
            let store = MemoryStore::default();
            set(&store, "lijia", "123456789012", "salt").await.unwrap();
            for left in [4, 3] {
                assert_eq!(unlock(&store, "000000").await, Err(PinError::Wrong(left)));
            }
            // A reload reads the count from the store: nothing in memory carries it.
            assert_eq!(record(&store).await.unwrap().unwrap().failures, 2);
            assert_eq!(unlock(&store, "000000").await, Err(PinError::Wrong(2)));
            assert_eq!(unlock(&store, "123456789012").await, Ok(()));
            assert_eq!(record(&store).await.unwrap().unwrap().failures, 0);
            assert_eq!(
                set(&store, "lijia", "1234567890123", "salt").await,
                Err(PinError::Format)
            );
        });
    }
}
