//! Retry delays: exponential with full jitter ("AWS backoff"), capped, so a township's tablets
//! coming back online together do not all knock at once.

use std::time::Duration;

pub const BASE: Duration = Duration::from_secs(2);
pub const CAP: Duration = Duration::from_secs(300);

/// The delay before retry number `attempt` (0-based), given `random` uniform in [0, 1).
pub fn delay(attempt: u32, random: f64) -> Duration {
    let ceiling = BASE
        .saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX))
        .min(CAP);
    ceiling.mul_f64(random.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_within_the_cap_and_jitters_fully() {
        assert_eq!(delay(0, 0.999_999).as_secs(), 1);
        assert_eq!(delay(3, 0.5), Duration::from_secs(8));
        assert_eq!(delay(20, 1.0), CAP);
        assert_eq!(delay(5, 0.0), Duration::ZERO);
        for attempt in 0..40 {
            assert!(delay(attempt, 0.99) <= CAP);
        }
    }
}
