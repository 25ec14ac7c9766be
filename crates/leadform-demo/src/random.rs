//! A small deterministic random source (SplitMix64): the same seed gives the same demo data on
//! every machine, without a dependency.

/// SplitMix64 (Steele, Lea and Flood), enough for plausible demo data; not for anything secret.
#[derive(Debug, Clone)]
pub struct DemoRandom {
    state: u64,
}

impl DemoRandom {
    pub fn new(seed: u64) -> DemoRandom {
        DemoRandom { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (`bound > 0`).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One of `items` (not empty), chosen with the given weights.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut pick = self.below(total);
        for (item, weight) in items {
            if pick < u64::from(*weight) {
                return item;
            }
            pick -= u64::from(*weight);
        }
        &items[items.len() - 1].0
    }

    /// One of `items` (not empty), uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let index = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        &items[index]
    }

    /// A delay whose logarithm is uniform between `min_ms` and `max_ms`: most answers come fast,
    /// a few take much longer, as real response times do.
    pub fn log_uniform_ms(&mut self, min_ms: i64, max_ms: i64) -> i64 {
        let (low, high) = ((min_ms.max(1)) as f64, (max_ms.max(min_ms + 1)) as f64);
        (low.ln() + self.unit() * (high.ln() - low.ln())).exp() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let mut a = DemoRandom::new(42);
        let mut b = DemoRandom::new(42);
        let first: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let second: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(first, second);
        assert_ne!(first[0], DemoRandom::new(43).next_u64());
    }

    #[test]
    fn delays_stay_in_their_bounds() {
        let mut random = DemoRandom::new(7);
        for _ in 0..1000 {
            let delay = random.log_uniform_ms(60_000, 3_600_000);
            assert!((60_000..=3_600_000).contains(&delay), "{delay}");
        }
    }
}
