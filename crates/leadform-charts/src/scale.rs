//! Axis scales with round ticks.

/// A linear axis from `min` to `max` with ticks at round numbers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Axis {
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<f64>,
}

impl Axis {
    /// An axis that covers `low..=high` and zero, with about five ticks at 1, 2 or 5 × 10^k.
    /// `whole` keeps the step at 1 or more, for counts that cannot be fractional.
    pub(crate) fn covering(low: f64, high: f64, whole: bool) -> Axis {
        let low = low.min(0.0);
        let mut high = high.max(0.0);
        if high - low <= 0.0 || !(high - low).is_finite() {
            high = low + 1.0;
        }
        let rough_step = (high - low) / 5.0;
        let magnitude = 10f64.powf(rough_step.log10().floor());
        let mut step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|factor| factor * magnitude)
            .find(|step| *step >= rough_step)
            .unwrap_or(10.0 * magnitude);
        if whole {
            step = step.max(1.0);
        }
        let min = (low / step).floor() * step;
        let max = (high / step).ceil() * step;
        let count = ((max - min) / step).round() as usize;
        let ticks = (0..=count).map(|index| min + step * index as f64).collect();
        Axis { min, max, ticks }
    }

    /// Where `value` lies between `from` (at `min`) and `to` (at `max`).
    pub(crate) fn position(&self, value: f64, from: f64, to: f64) -> f64 {
        from + (value - self.min) / (self.max - self.min) * (to - from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_data() {
        let axis = Axis::covering(0.0, 87.0, true);
        assert_eq!(axis.ticks, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let axis = Axis::covering(0.0, 3.0, true);
        assert_eq!(axis.ticks, [0.0, 1.0, 2.0, 3.0]);
        let axis = Axis::covering(-30.0, 45.0, false);
        assert_eq!(axis.ticks, [-40.0, -20.0, 0.0, 20.0, 40.0, 60.0]);
    }

    #[test]
    fn all_zero_data_still_gets_an_axis() {
        let axis = Axis::covering(0.0, 0.0, true);
        assert_eq!(axis.ticks, [0.0, 1.0]);
    }

    #[test]
    fn huge_values_keep_about_five_ticks() {
        let axis = Axis::covering(0.0, u64::MAX as f64, true);
        assert!(axis.ticks.len() <= 7, "{:?}", axis.ticks);
        assert!(*axis.ticks.last().unwrap() >= u64::MAX as f64);
    }
}
