//! When to try again: exponential backoff with full jitter, never sooner than a `Retry-After`.
//! Transient failures are retried until they land; only permanent answers make a delivery dead.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The ceiling of the first retry's delay.
    pub base: Duration,
    /// How much the ceiling grows per attempt.
    pub factor: u32,
    /// The largest ceiling: a destination down for a day is still tried every `cap` or so.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(1),
            factor: 2,
            cap: Duration::from_secs(10 * 60),
        }
    }
}

impl RetryPolicy {
    /// `base * factor^attempts`, capped: the most the jittered delay can be after `attempts` failures.
    /// Computed directly: a loop per attempt would run billions of times with `factor: 1`.
    pub fn ceiling(&self, attempts: u32) -> Duration {
        let growth = match self.factor.max(1).checked_pow(attempts) {
            Some(growth) => growth,
            // factor^attempts does not fit in a u32, so base * it is past any sensible cap.
            None if self.base.is_zero() => return Duration::ZERO,
            None => return self.cap,
        };
        self.base.saturating_mul(growth).min(self.cap)
    }

    /// The delay before the next attempt, with `unit_random` in `[0, 1]` picking the point in
    /// `[0, ceiling]` (full jitter, so many leads failing at once do not retry in lockstep).
    /// A vendor's `Retry-After` is a floor.
    pub fn delay_with(
        &self,
        attempts: u32,
        retry_after: Option<Duration>,
        unit_random: f64,
    ) -> Duration {
        let jittered = self.ceiling(attempts).mul_f64(unit_random.clamp(0.0, 1.0));
        match retry_after {
            Some(floor) => jittered.max(floor),
            None => jittered,
        }
    }

    /// [`RetryPolicy::delay_with`] with a random jitter.
    pub fn delay(&self, attempts: u32, retry_after: Option<Duration>) -> Duration {
        self.delay_with(attempts, retry_after, rand::random_range(0.0..=1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.ceiling(0), Duration::from_secs(1));
        assert_eq!(policy.ceiling(1), Duration::from_secs(2));
        assert_eq!(policy.ceiling(5), Duration::from_secs(32));
        assert_eq!(policy.ceiling(10), Duration::from_secs(600));
        assert_eq!(policy.ceiling(u32::MAX), Duration::from_secs(600));
    }

    #[test]
    fn a_factor_of_one_keeps_the_base_without_looping_per_attempt() {
        let flat = RetryPolicy {
            base: Duration::from_secs(3),
            factor: 1,
            cap: Duration::from_secs(600),
        };
        // Before the fix this looped u32::MAX times: minutes in a debug build.
        assert_eq!(flat.ceiling(u32::MAX), Duration::from_secs(3));
        let zero = RetryPolicy {
            base: Duration::ZERO,
            ..RetryPolicy::default()
        };
        assert_eq!(zero.ceiling(u32::MAX), Duration::ZERO);
    }

    #[test]
    fn jitter_spans_zero_to_the_ceiling_and_retry_after_is_a_floor() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay_with(3, None, 0.0), Duration::ZERO);
        assert_eq!(policy.delay_with(3, None, 1.0), Duration::from_secs(8));
        assert_eq!(policy.delay_with(3, None, 0.5), Duration::from_secs(4));
        assert_eq!(
            policy.delay_with(3, Some(Duration::from_secs(30)), 1.0),
            Duration::from_secs(30)
        );
        assert_eq!(
            policy.delay_with(3, Some(Duration::from_secs(2)), 1.0),
            Duration::from_secs(8)
        );
        for _ in 0..100 {
            let delay = policy.delay(20, Some(Duration::from_secs(5)));
            assert!(
                delay >= Duration::from_secs(5) && delay <= Duration::from_secs(600),
                "{delay:?}"
            );
        }
    }
}
