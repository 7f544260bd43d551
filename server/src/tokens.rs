//! How long a device token lives and when it is replaced. A token expires [`TokenPolicy::lifetime`]
//! after it was issued (a refused expired token asks for an online sign-in; the tablet keeps
//! its work). A handshake made with a token older than [`TokenPolicy::rotate_after`] is
//! answered with a fresh token: its hash replaces the old one's and its expiry is a full
//! lifetime away. The replaced token stays accepted until the new one is first used, so an
//! answer lost on the way never strands a tablet; from then on it is refused.

use chrono::{DateTime, Duration, Utc};

/// The server's token lifetime and rotation interval (`CUNBAO_TOKEN_DAYS`,
/// `CUNBAO_TOKEN_ROTATE_HOURS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenPolicy {
    /// How long a token is accepted after it was issued.
    pub lifetime: Duration,
    /// A handshake with a token older than this gets a fresh one.
    pub rotate_after: Duration,
}

impl Default for TokenPolicy {
    fn default() -> TokenPolicy {
        TokenPolicy {
            lifetime: Duration::days(DEFAULT_DAYS),
            rotate_after: Duration::hours(DEFAULT_ROTATE_HOURS),
        }
    }
}

pub const DEFAULT_DAYS: i64 = 30;
pub const DEFAULT_ROTATE_HOURS: i64 = 24;

impl TokenPolicy {
    /// When a token issued at `issued` expires.
    pub fn expiry(&self, issued: DateTime<Utc>) -> DateTime<Utc> {
        issued + self.lifetime
    }

    /// Whether a handshake made at `now` with the token presented gets a fresh one: always for
    /// a replaced token (the tablet never got its successor, or lost it), for a token issued
    /// before tokens expired (no issue time), and for one older than the rotation interval.
    pub fn rotates(
        &self,
        presented: Presented,
        issued: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> bool {
        match (presented, issued) {
            (Presented::Previous, _) | (Presented::Current, None) => true,
            (Presented::Current, Some(issued)) => now - issued >= self.rotate_after,
        }
    }
}

/// Which of its device's tokens a request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    /// The device's token in force.
    Current,
    /// The token a rotation replaced, still accepted until the new one is first used.
    Previous,
}

/// A stored timestamp (RFC 3339), if there is one and it reads.
pub fn parse_time(stored: Option<&str>) -> Option<DateTime<Utc>> {
    stored
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// Whether a token that expires at `expires_at` (as stored) is expired at `now`. A token with
/// no expiry was issued before tokens expired: it is replaced at its next handshake.
pub fn expired(expires_at: Option<&str>, now: DateTime<Utc>) -> bool {
    match expires_at {
        None => false,
        // An expiry that does not read is treated as passed: sign in again.
        Some(stored) => parse_time(Some(stored)).is_none_or(|at| at <= now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        parse_time(Some(s)).unwrap()
    }

    #[test]
    fn a_token_expires_a_lifetime_after_it_was_issued() {
        let policy = TokenPolicy::default();
        let issued = at("2026-03-01T08:00:00Z");
        let expiry = policy.expiry(issued);
        assert_eq!(expiry, at("2026-03-31T08:00:00Z"));
        let stored = expiry.to_rfc3339();
        assert!(!expired(Some(&stored), at("2026-03-31T07:59:59Z")));
        assert!(expired(Some(&stored), at("2026-03-31T08:00:00Z")));
        assert!(expired(Some(&stored), at("2026-04-02T00:00:00+08:00")));
        assert!(
            !expired(None, at("2099-01-01T00:00:00Z")),
            "issued before expiry"
        );
        assert!(expired(Some("garbage"), at("2026-03-01T08:00:00Z")));
    }

    #[test]
    fn a_day_old_token_or_a_replaced_one_is_renewed_at_the_handshake() {
        let policy = TokenPolicy::default();
        let issued = at("2026-03-01T08:00:00Z");
        let rotates = |presented, now| policy.rotates(presented, Some(issued), at(now));
        assert!(!rotates(Presented::Current, "2026-03-02T07:59:59Z"));
        assert!(rotates(Presented::Current, "2026-03-02T08:00:00Z"));
        assert!(rotates(Presented::Previous, "2026-03-01T08:00:01Z"));
        assert!(policy.rotates(Presented::Current, None, issued));
        let every_time = TokenPolicy {
            rotate_after: Duration::zero(),
            ..policy
        };
        assert!(every_time.rotates(Presented::Current, Some(issued), issued));
    }
}
