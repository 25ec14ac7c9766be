//! Per-client token buckets for lead submissions.
//!
//! Each client may submit `per_minute` leads a minute on average, with bursts up to the same number
//! (a person fixing typos resubmits quickly; a script hammering the endpoint does not get far).
//! An IPv4 client is one address; an IPv6 client is its /64, because one household or host is
//! usually handed a whole /64 and could otherwise take a fresh address for every request.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Default submissions per minute per client address.
pub const DEFAULT_PER_MINUTE: u32 = 30;
/// Past this many tracked clients, full buckets are forgotten so memory stays bounded.
const MAX_TRACKED_CLIENTS: usize = 10_000;
/// Forgetting walks the whole map under the lock, so it runs at most this often; in between, a
/// flood of new addresses only adds entries, each costing one insert.
const PRUNE_INTERVAL: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct RateLimiter {
    capacity: f64,
    tokens_per_sec: f64,
    buckets: Mutex<Buckets>,
}

#[derive(Debug)]
struct Buckets {
    by_client: HashMap<IpAddr, Bucket>,
    last_pruned: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = f64::from(per_minute.max(1));
        Self {
            capacity: per_minute,
            tokens_per_sec: per_minute / 60.0,
            buckets: Mutex::new(Buckets {
                by_client: HashMap::new(),
                last_pruned: Instant::now(),
            }),
        }
    }

    /// Takes one token for `ip`'s client, or says how many whole seconds until one is available.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        self.check_at(ip, Instant::now())
    }

    /// [`RateLimiter::check`] at a given instant, so tests can move time without sleeping.
    fn check_at(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let (capacity, rate) = (self.capacity, self.tokens_per_sec);
        // A poisoned lock only means another request panicked mid-update; the map is still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.by_client.len() > MAX_TRACKED_CLIENTS
            && now.saturating_duration_since(buckets.last_pruned) >= PRUNE_INTERVAL
        {
            buckets
                .by_client
                .retain(|_, b| b.refilled(now, capacity, rate) < capacity);
            buckets.last_pruned = now;
        }
        let bucket = buckets.by_client.entry(client_key(ip)).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        bucket.tokens = bucket.refilled(now, capacity, rate);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait_secs = (1.0 - bucket.tokens) / rate;
            Err(wait_secs.ceil().max(1.0) as u64)
        }
    }

    #[cfg(test)]
    fn tracked_clients(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .by_client
            .len()
    }
}

impl Bucket {
    fn refilled(&self, now: Instant, capacity: f64, tokens_per_sec: f64) -> f64 {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        (self.tokens + elapsed * tokens_per_sec).min(capacity)
    }
}

/// The bucket an address counts against: IPv4 as is (also when written IPv4-mapped, as a
/// dual-stack socket reports it), IPv6 by its /64 network.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(network))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_with_a_wait() {
        let limiter = RateLimiter::per_minute(3);
        let ip: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..3 {
            assert!(limiter.check(ip).is_ok());
        }
        let wait = limiter.check(ip).unwrap_err();
        assert!((1..=20).contains(&wait), "wait {wait}");
        let other: IpAddr = [127, 0, 0, 2].into();
        assert!(
            limiter.check(other).is_ok(),
            "addresses have separate buckets"
        );
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64() {
        let limiter = RateLimiter::per_minute(2);
        let in_one_64 = [
            "2001:db8:1:2::1",
            "2001:db8:1:2:ffff::9",
            "2001:db8:1:2::abcd",
        ];
        let outcomes: Vec<bool> = in_one_64
            .iter()
            .map(|ip| limiter.check(ip.parse().unwrap()).is_ok())
            .collect();
        assert_eq!(outcomes, [true, true, false]);
        assert!(
            limiter.check("2001:db8:1:3::1".parse().unwrap()).is_ok(),
            "the next /64 is another client"
        );
    }

    #[test]
    fn ipv4_mapped_addresses_stay_separate_clients() {
        // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; they share one /64.
        let limiter = RateLimiter::per_minute(1);
        assert!(limiter.check("::ffff:192.0.2.1".parse().unwrap()).is_ok());
        assert!(limiter.check("::ffff:192.0.2.2".parse().unwrap()).is_ok());
        assert!(limiter.check("192.0.2.1".parse().unwrap()).is_err());
    }

    #[test]
    fn forgetting_full_buckets_runs_at_most_once_per_interval() {
        let limiter = RateLimiter::per_minute(30);
        let start = Instant::now();
        let address = |n: u32| IpAddr::from((0x0a00_0000 + n).to_be_bytes());
        for n in 0..=MAX_TRACKED_CLIENTS as u32 {
            limiter.check_at(address(n), start).unwrap();
        }
        // Ten seconds on, every bucket has refilled, so each could be forgotten; but the map was
        // walked too recently (start-up), so this request only adds its own entry.
        let soon = start + Duration::from_secs(10);
        limiter.check_at(address(1_000_000), soon).unwrap();
        assert_eq!(limiter.tracked_clients(), MAX_TRACKED_CLIENTS + 2);

        let later = start + PRUNE_INTERVAL;
        limiter.check_at(address(1_000_001), later).unwrap();
        assert_eq!(limiter.tracked_clients(), 1, "only the newest client stays");

        // And the next walk waits another interval.
        for n in 0..=MAX_TRACKED_CLIENTS as u32 {
            limiter.check_at(address(n), later).unwrap();
        }
        limiter
            .check_at(address(2_000_000), later + Duration::from_secs(59))
            .unwrap();
        assert!(limiter.tracked_clients() > MAX_TRACKED_CLIENTS);
    }
}
