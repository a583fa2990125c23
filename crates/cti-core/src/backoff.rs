//! Reconnect and retry delays.

use std::time::Duration;

/// Settings of a [`Backoff`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct BackoffConfig {
    /// The delay before the first retry (before jitter).
    pub initial: Duration,
    /// The largest delay ever returned.
    pub max: Duration,
    /// Growth factor between attempts (values below 1 are treated as 1).
    pub multiplier: f64,
    /// Fraction of each delay that is randomized, from 0 (none) to 1 (full
    /// jitter). A delay `d` becomes a value in `[d × (1 − jitter), d]`.
    pub jitter: f64,
    /// Give up after this many attempts; `None` retries for ever.
    pub max_attempts: Option<u32>,
}

impl Default for BackoffConfig {
    /// 500 ms, doubling, capped at 30 s, 20 % jitter, unlimited attempts.
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
            multiplier: 2.0,
            jitter: 0.2,
            max_attempts: None,
        }
    }
}

impl BackoffConfig {
    /// Sets the first delay.
    #[must_use]
    pub fn initial(mut self, d: Duration) -> Self {
        self.initial = d;
        self
    }

    /// Sets the cap.
    #[must_use]
    pub fn max(mut self, d: Duration) -> Self {
        self.max = d;
        self
    }

    /// Sets the growth factor.
    #[must_use]
    pub fn multiplier(mut self, m: f64) -> Self {
        self.multiplier = m;
        self
    }

    /// Sets the jitter fraction (clamped to `0..=1`).
    #[must_use]
    pub fn jitter(mut self, j: f64) -> Self {
        self.jitter = j;
        self
    }

    /// Sets the attempt limit.
    #[must_use]
    pub fn max_attempts(mut self, n: Option<u32>) -> Self {
        self.max_attempts = n;
        self
    }
}

/// Exponential backoff with jitter, capped, deterministic under a seed.
///
/// The policy draws its jitter from a small internal generator seeded by the
/// caller, so the same seed gives the same delays: session state machines
/// stay reproducible, and drivers seed it from wherever they like.
///
/// ```
/// use std::time::Duration;
/// use cti_core::{Backoff, BackoffConfig};
///
/// let cfg = BackoffConfig::default().jitter(0.0).max_attempts(Some(3));
/// let mut b = Backoff::new(cfg, 42);
/// assert_eq!(b.next_delay(), Some(Duration::from_millis(500)));
/// assert_eq!(b.next_delay(), Some(Duration::from_millis(1000)));
/// assert_eq!(b.next_delay(), Some(Duration::from_millis(2000)));
/// assert_eq!(b.next_delay(), None); // gave up
/// b.reset(); // after a successful connection
/// assert_eq!(b.next_delay(), Some(Duration::from_millis(500)));
/// ```
#[derive(Clone, Debug)]
pub struct Backoff {
    config: BackoffConfig,
    attempt: u32,
    rng: u64,
}

impl Backoff {
    /// A policy with these settings and jitter seed.
    pub fn new(config: BackoffConfig, seed: u64) -> Self {
        Self {
            config,
            attempt: 0,
            rng: seed,
        }
    }

    /// The settings.
    pub fn config(&self) -> &BackoffConfig {
        &self.config
    }

    /// How many delays have been handed out since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Starts over, after a success.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The un-jittered delay for the attempt numbered `attempt` (from 0).
    pub fn base_delay(&self, attempt: u32) -> Duration {
        let mult = if self.config.multiplier.is_finite() {
            self.config.multiplier.max(1.0)
        } else {
            1.0
        };
        let exp = i32::try_from(attempt).unwrap_or(i32::MAX);
        let secs = self.config.initial.as_secs_f64() * mult.powi(exp);
        let d = Duration::try_from_secs_f64(secs).unwrap_or(self.config.max);
        d.min(self.config.max)
    }

    /// The delay before the next attempt, or `None` once `max_attempts` is
    /// reached.
    pub fn next_delay(&mut self) -> Option<Duration> {
        if self.config.max_attempts.is_some_and(|m| self.attempt >= m) {
            return None;
        }
        let base = self.base_delay(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        let jitter = if self.config.jitter.is_finite() {
            self.config.jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        if jitter == 0.0 {
            return Some(base);
        }
        // A uniform value in [0, 1) from the top 53 bits of the generator.
        #[allow(clippy::cast_precision_loss)]
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let cut = base.mul_f64(jitter * unit);
        Some(base.saturating_sub(cut))
    }

    // SplitMix64: small, fast and good enough for spreading retries.
    fn next_u64(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn same_seed_same_delays_other_seed_other_delays() {
        let cfg = BackoffConfig::default().jitter(0.5);
        let run = |seed| {
            let mut b = Backoff::new(cfg.clone(), seed);
            (0..10).map(|_| b.next_delay()).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn grows_then_caps() {
        let cfg = BackoffConfig::default()
            .jitter(0.0)
            .max(Duration::from_secs(3));
        let mut b = Backoff::new(cfg, 0);
        let d: Vec<_> = (0..6)
            .map(|_| b.next_delay().unwrap().as_millis())
            .collect();
        assert_eq!(d, [500, 1000, 2000, 3000, 3000, 3000]);
        assert_eq!(b.attempt(), 6);
    }

    #[test]
    fn silly_settings_do_not_panic() {
        let cfg = BackoffConfig::default()
            .multiplier(f64::NAN)
            .jitter(f64::INFINITY);
        let mut b = Backoff::new(cfg, 1);
        assert_eq!(b.next_delay(), Some(Duration::from_millis(500)));
        let cfg = BackoffConfig::default()
            .multiplier(1e300)
            .initial(Duration::MAX)
            .max(Duration::MAX);
        let mut b = Backoff::new(cfg, 1);
        for _ in 0..5 {
            assert!(b.next_delay().is_some());
        }
    }

    proptest! {
        #[test]
        fn delays_stay_within_bounds(
            seed: u64,
            initial_ms in 0u64..10_000,
            max_ms in 0u64..600_000,
            multiplier in 0.5f64..10.0,
            jitter in 0.0f64..=1.0,
            attempts in 1usize..80,
        ) {
            let cfg = BackoffConfig::default()
                .initial(Duration::from_millis(initial_ms))
                .max(Duration::from_millis(max_ms))
                .multiplier(multiplier)
                .jitter(jitter);
            let mut b = Backoff::new(cfg, seed);
            let mut prev_base = Duration::ZERO;
            for n in 0..attempts {
                let base = b.base_delay(u32::try_from(n).unwrap());
                let d = b.next_delay().unwrap();
                prop_assert!(d <= base, "delay {d:?} above base {base:?}");
                prop_assert!(base <= Duration::from_millis(max_ms));
                prop_assert!(d >= base.mul_f64(1.0 - jitter).saturating_sub(Duration::from_nanos(1)));
                prop_assert!(base >= prev_base, "base delays never shrink");
                prev_base = base;
            }
        }

        #[test]
        fn attempt_limit_is_exact(limit in 0u32..20, seed: u64) {
            let mut b = Backoff::new(BackoffConfig::default().max_attempts(Some(limit)), seed);
            let given = std::iter::from_fn(|| b.next_delay()).take(100).count();
            prop_assert_eq!(given, limit as usize);
        }
    }
}
