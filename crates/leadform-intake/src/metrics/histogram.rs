//! A latency histogram with fixed buckets, as Prometheus expects: cumulative counts per upper
//! bound, a sum and a count.

/// Upper bounds in seconds: from a cached static file to a database waiting on a lock.
pub const BUCKETS_SECONDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    /// Observations at or under each bound of [`BUCKETS_SECONDS`] (not yet cumulative).
    per_bucket: [u64; BUCKETS_SECONDS.len()],
    count: u64,
    sum_seconds: f64,
}

impl Histogram {
    pub fn observe(&mut self, seconds: f64) {
        let seconds = if seconds.is_finite() {
            seconds.max(0.0)
        } else {
            0.0
        };
        if let Some(bucket) = BUCKETS_SECONDS.iter().position(|bound| seconds <= *bound) {
            self.per_bucket[bucket] += 1;
        }
        self.count += 1;
        self.sum_seconds += seconds;
    }

    /// `(upper bound, observations at or under it)`, cumulative, ending with `+Inf`.
    pub fn cumulative(&self) -> Vec<(String, u64)> {
        let mut running = 0;
        let mut buckets: Vec<(String, u64)> = BUCKETS_SECONDS
            .iter()
            .zip(self.per_bucket)
            .map(|(bound, in_bucket)| {
                running += in_bucket;
                (bound.to_string(), running)
            })
            .collect();
        buckets.push(("+Inf".to_owned(), self.count));
        buckets
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn sum_seconds(&self) -> f64 {
        self.sum_seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_slow_requests_count_only_in_inf() {
        let mut histogram = Histogram::default();
        for seconds in [0.001, 0.02, 0.02, 3.0, 60.0] {
            histogram.observe(seconds);
        }
        let buckets = histogram.cumulative();
        assert_eq!(buckets[0], ("0.005".to_owned(), 1));
        assert_eq!(buckets[2], ("0.025".to_owned(), 3));
        assert_eq!(buckets[9], ("5".to_owned(), 4));
        assert_eq!(buckets[10], ("10".to_owned(), 4));
        assert_eq!(buckets[11], ("+Inf".to_owned(), 5));
        assert_eq!(histogram.count(), 5);
        assert!((histogram.sum_seconds() - 63.041).abs() < 1e-9);
    }
}
