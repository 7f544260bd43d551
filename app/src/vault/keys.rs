//! The tablet's data key and its two wrapped copies. The key is 64 random bytes: the first 32
//! make the AES-GCM key records are sealed with, the last 32 the HMAC key ID numbers are
//! hashed with for the indexes. Its bytes exist only while it is made, wrapped or unwrapped;
//! the working keys are non-extractable WebCrypto keys, dropped when the desk closes.
//!
//! One copy is wrapped by a key derived from the PIN (PBKDF2, per-device salt, rounds tuned
//! so one guess costs this tablet about a quarter of a second), the other by the escrow secret
//! the server keeps for this tablet and clinic. Both copies live in `meta`, in clear.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use web_sys::CryptoKey;

use super::webcrypto;
use crate::storage::StorageError;

const SECRET_LEN: usize = 64;

/// The data key's bytes, zeroed when dropped.
pub struct Secret(Vec<u8>);

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(|b| *b = 0);
    }
}

impl Secret {
    /// A new data key (a tablet's first sign-in, or after its data was wiped).
    pub fn fresh() -> Result<Secret, StorageError> {
        Ok(Secret(webcrypto::random_bytes(SECRET_LEN)?))
    }
}

/// The working keys of an open desk.
#[derive(Clone)]
pub struct Keys {
    pub records: CryptoKey,
    pub index: CryptoKey,
}

impl Keys {
    pub async fn of(secret: &Secret) -> Result<Keys, StorageError> {
        let (records, index) = secret.0.split_at(32);
        Ok(Keys {
            records: webcrypto::aes_key(records).await?,
            index: webcrypto::hmac_key(index).await?,
        })
    }
}

pub fn encode(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn decode(text: &str) -> Option<Vec<u8>> {
    B64.decode(text).ok()
}

/// The data key wrapped by `key`; `label` says which copy it is (bound to the ciphertext).
pub async fn wrap(secret: &Secret, key: &CryptoKey, label: &str) -> Result<String, StorageError> {
    Ok(encode(
        &webcrypto::encrypt(key, label.as_bytes(), &secret.0).await?,
    ))
}

/// The data key from a wrapped copy; `None` if `key` is not the one it was wrapped by (a wrong
/// PIN, another clinic's escrow secret) or the copy was altered.
pub async fn unwrap(
    wrapped: &str,
    key: &CryptoKey,
    label: &str,
) -> Result<Option<Secret>, StorageError> {
    let Some(bytes) = decode(wrapped) else {
        return Ok(None);
    };
    Ok(webcrypto::decrypt(key, label.as_bytes(), &bytes)
        .await?
        .filter(|plain| plain.len() == SECRET_LEN)
        .map(Secret))
}

/// The escrow secret the server sent (hex, 32 bytes) as a wrapping key.
pub async fn escrow_key(hex: &str) -> Result<CryptoKey, StorageError> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    match bytes {
        Some(bytes) if bytes.len() == 32 => webcrypto::aes_key(&bytes).await,
        _ => Err(StorageError::Format("escrow key".into())),
    }
}

/// How the PIN's wrapping key is derived on this tablet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinDerivation {
    /// Random, per tablet and PIN (base64).
    pub salt: String,
    pub iterations: u32,
}

/// The fewest rounds whatever the tablet: on a fast one a guess still costs this much.
pub const MIN_ITERATIONS: u32 = 100_000;
const MAX_ITERATIONS: u32 = 5_000_000;
/// What one guess should cost this tablet.
const TARGET_MS: f64 = 250.0;

impl PinDerivation {
    /// A fresh salt, and rounds tuned on this tablet so that one derivation takes about
    /// [`TARGET_MS`] (timed on a trial derivation).
    pub async fn tuned() -> Result<PinDerivation, StorageError> {
        let salt = webcrypto::random_bytes(16)?;
        let trial = MIN_ITERATIONS;
        let started = webcrypto::now_ms();
        webcrypto::pin_key("000000", &salt, trial).await?;
        let took = (webcrypto::now_ms() - started).max(1.0);
        let iterations = (f64::from(trial) * TARGET_MS / took) as u32;
        Ok(PinDerivation {
            salt: encode(&salt),
            iterations: iterations.clamp(MIN_ITERATIONS, MAX_ITERATIONS),
        })
    }

    pub async fn key(&self, pin: &str) -> Result<CryptoKey, StorageError> {
        let salt = decode(&self.salt).ok_or_else(|| StorageError::Format("salt".into()))?;
        webcrypto::pin_key(pin, &salt, self.iterations).await
    }
}
