//! Residents' data encrypted at rest (PRODUCT.md §6; the README's "Lost tablet" says what it
//! protects against and what it does not). [`rules`] decides what is sealed; the rest runs in
//! the browser: [`webcrypto`] (AES-GCM, HMAC, PBKDF2), [`keys`] (the data key and its two
//! wrapped copies) and [`sealed::Vault`] (the store the open desk reads and writes through).
//!
//! The desk opens in one of two ways, both here: [`unlock`] with the PIN, offline, within the
//! policy's offline limit; or [`establish`] at an online sign-in, which recovers the data key
//! with the server's escrow secret (after a lockout, a sign-out or the offline limit) or makes
//! the tablet's first one.

pub mod rules;

#[cfg(target_arch = "wasm32")]
pub mod keys;
#[cfg(target_arch = "wasm32")]
mod open;
#[cfg(target_arch = "wasm32")]
pub mod sealed;
#[cfg(target_arch = "wasm32")]
pub mod webcrypto;

#[cfg(target_arch = "wasm32")]
pub use open::{establish, sign_in_and_open, unlock, EstablishError, SignInRefusal};
#[cfg(target_arch = "wasm32")]
pub use sealed::Vault;

use serde::{Deserialize, Serialize};

/// The data key wrapped by the server's escrow secret for `holder` (`meta`, in clear).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscrowRecord {
    /// Whose data the key protects (`UserInfo::holder`): only that clinic's sign-in opens it.
    pub holder: String,
    pub wrapped: String,
}

/// Whether a tablet last in touch with the server at `last_contact_ms` is past the offline
/// limit at `now_ms` (a clock set back before the last contact counts as past it too: the
/// limit cannot be walked around by turning the clock back).
pub fn offline_too_long(last_contact_ms: Option<u64>, now_ms: u64, limit_days: u32) -> bool {
    const DAY_MS: u64 = 24 * 60 * 60 * 1000;
    match last_contact_ms {
        None => false,
        Some(last) if now_ms + DAY_MS < last => true,
        Some(last) => now_ms.saturating_sub(last) > u64::from(limit_days) * DAY_MS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offline_limit_counts_whole_days_from_the_last_contact() {
        let day = 24 * 60 * 60 * 1000;
        let last = 1_780_000_000_000;
        assert!(!offline_too_long(Some(last), last, 14));
        assert!(!offline_too_long(Some(last), last + 14 * day, 14));
        assert!(offline_too_long(Some(last), last + 14 * day + 1, 14));
        assert!(!offline_too_long(None, last, 14));
        // A clock turned back by more than a day does not buy more days offline.
        assert!(!offline_too_long(Some(last), last - day, 14));
        assert!(offline_too_long(Some(last), last - day - 1, 14));
    }
}
