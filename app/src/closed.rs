//! Why the desk is closed (kept on the tablet so that a reload says it again): written by the
//! PIN's lockout, sign-out, expiry and revocation, read by [`crate::access`].

use serde::{Deserialize, Serialize};

/// Why the desk is closed, kept on the tablet so that a reload says it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closed {
    /// Too many wrong PINs: the PIN and the session were forgotten, the work kept.
    LockedOut,
    /// The township revoked the tablet: its data was wiped.
    Revoked,
    /// The user signed out: the work kept for the clinic's next sign-in.
    SignedOut,
    /// Offline longer than the policy allows: the PIN's key was forgotten, the work kept.
    OfflineTooLong,
    /// The server refused the sign-in as expired: the session forgotten, the work kept for
    /// the online sign-in that uploads it.
    Expired,
    /// The township disabled the user's account: the session forgotten, the work kept for
    /// another user of the clinic to upload.
    Disabled,
}
