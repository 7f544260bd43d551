//! Sign-in that cannot be hammered: at most [`FAILURES_PER_ACCOUNT`] wrong passwords per account
//! and [`ATTEMPTS_PER_ADDRESS`] attempts per client address in a minute (behind a trusted proxy
//! the client it forwarded for, [`crate::api::ClientAddress`]), and at most
//! [`HASHES_IN_FLIGHT`] password hashes (Argon2, tens of megabytes each) at once — a sign-in
//! waits up to two seconds for a slot; anything over is answered 429, before any hashing. Held per process: with several processes
//! behind a load balancer each allows as much, which still bounds every process's memory.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::ApiError;

pub const FAILURES_PER_ACCOUNT: usize = 10;
pub const ATTEMPTS_PER_ADDRESS: usize = 60;
pub const HASHES_IN_FLIGHT: usize = 4;
const WINDOW: Duration = Duration::from_secs(60);
/// How long a sign-in waits for a hashing slot before it is refused.
const HASH_WAIT: Duration = Duration::from_secs(2);

pub struct SignInGuard {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
    attempts: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
    hashing: Semaphore,
}

impl Default for SignInGuard {
    fn default() -> SignInGuard {
        SignInGuard {
            failures: Mutex::default(),
            attempts: Mutex::default(),
            hashing: Semaphore::new(HASHES_IN_FLIGHT),
        }
    }
}

/// Keeps the times within the window and says how many are left.
fn recent(times: &mut VecDeque<Instant>, now: Instant) -> usize {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) > WINDOW)
    {
        times.pop_front();
    }
    times.len()
}

impl SignInGuard {
    /// Lets an attempt for `username` from `address` through, counting it against the address,
    /// and gives the permit to hash its password — or answers why not.
    pub async fn admit(
        &self,
        username: &str,
        address: Option<IpAddr>,
    ) -> Result<SemaphorePermit<'_>, ApiError> {
        let now = Instant::now();
        {
            let mut failures = self.failures.lock().expect("not poisoned");
            failures.retain(|_, times| recent(times, now) > 0);
            let failed = failures.get_mut(username).map_or(0, |t| recent(t, now));
            if failed >= FAILURES_PER_ACCOUNT {
                return Err(ApiError::TooManyAttempts);
            }
        }
        if let Some(address) = address {
            let mut attempts = self.attempts.lock().expect("not poisoned");
            attempts.retain(|_, times| recent(times, now) > 0);
            let times = attempts.entry(address).or_default();
            if recent(times, now) >= ATTEMPTS_PER_ADDRESS {
                return Err(ApiError::TooManyAttempts);
            }
            times.push_back(now);
        }
        // A few sign-ins at the same moment wait their turn briefly; a flood is refused.
        match tokio::time::timeout(HASH_WAIT, self.hashing.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError::TooManyAttempts),
        }
    }

    /// A wrong password for `username`.
    pub fn failed(&self, username: &str) {
        let mut failures = self.failures.lock().expect("not poisoned");
        failures
            .entry(username.to_string())
            .or_default()
            .push_back(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_eleventh_failure_in_a_minute_is_refused_and_others_go_on() {
        let guard = SignInGuard::default();
        for _ in 0..FAILURES_PER_ACCOUNT {
            drop(guard.admit("lijia", None).await.unwrap());
            guard.failed("lijia");
        }
        assert!(matches!(
            guard.admit("lijia", None).await,
            Err(ApiError::TooManyAttempts)
        ));
        assert!(guard.admit("daping", None).await.is_ok());
    }

    #[tokio::test]
    async fn hashes_in_flight_are_bounded() {
        let guard = SignInGuard::default();
        let mut held = Vec::new();
        for _ in 0..HASHES_IN_FLIGHT {
            held.push(guard.admit("a", None).await.unwrap());
        }
        assert!(
            guard.admit("b", None).await.is_err(),
            "refused after a short wait"
        );
        drop(held);
        assert!(guard.admit("b", None).await.is_ok());
    }

    #[tokio::test]
    async fn one_address_gets_sixty_attempts_a_minute() {
        let guard = SignInGuard::default();
        let here: IpAddr = "10.0.0.7".parse().unwrap();
        for i in 0..ATTEMPTS_PER_ADDRESS {
            drop(guard.admit(&format!("u{i}"), Some(here)).await.unwrap());
        }
        assert!(guard.admit("u", Some(here)).await.is_err());
        let elsewhere = Some("10.0.0.8".parse().unwrap());
        assert!(guard.admit("u", elsewhere).await.is_ok());
    }
}
