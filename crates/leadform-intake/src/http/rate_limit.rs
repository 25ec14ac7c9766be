//! Per-client-IP token buckets for lead submissions.
//!
//! Each address may submit `per_minute` leads a minute on average, with bursts up to the same number
//! (a person fixing typos resubmits quickly; a script hammering the endpoint does not get far).

use axum::http::HeaderMap;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

/// Default submissions per minute per client address.
pub const DEFAULT_PER_MINUTE: u32 = 30;
/// Past this many tracked addresses, full buckets are forgotten so memory stays bounded.
const MAX_TRACKED_ADDRESSES: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    capacity: f64,
    tokens_per_sec: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
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
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `ip`, or says how many whole seconds until one is available.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        // A poisoned lock only means another request panicked mid-update; the map is still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > MAX_TRACKED_ADDRESSES {
            let (capacity, rate) = (self.capacity, self.tokens_per_sec);
            buckets.retain(|_, b| b.refilled(now, capacity, rate) < capacity);
        }
        let bucket = buckets.entry(ip).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        bucket.tokens = bucket.refilled(now, self.capacity, self.tokens_per_sec);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait_secs = (1.0 - bucket.tokens) / self.tokens_per_sec;
            Err(wait_secs.ceil().max(1.0) as u64)
        }
    }
}

impl Bucket {
    fn refilled(&self, now: Instant, capacity: f64, tokens_per_sec: f64) -> f64 {
        let elapsed = now.duration_since(self.updated).as_secs_f64();
        (self.tokens + elapsed * tokens_per_sec).min(capacity)
    }
}

/// The address a request is counted against: the socket peer, or with `trust_proxy` the first
/// `X-Forwarded-For` entry (only safe behind a proxy that overwrites that header).
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trust_proxy: bool) -> IpAddr {
    if trust_proxy {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    peer.ip()
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
    fn forwarded_for_is_ignored_unless_trusted() {
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9, 10.0.0.1".parse().unwrap());
        assert_eq!(client_ip(peer, &headers, false), peer.ip());
        assert_eq!(
            client_ip(peer, &headers, true),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
    }
}
