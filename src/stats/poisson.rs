//! A single incidence rate (events over person-time) with its exact Poisson CI.
//!
//! Garwood (1936, Biometrika 28:437): for x events in time T,
//! lower = χ²_{α/2}(2x) / (2T) and upper = χ²_{1−α/2}(2x + 2) / (2T), with lower = 0 at x = 0.
//! These are the limits of R's `poisson.test(x, T)$conf.int`.

use crate::data::{check_level, PersonTime};
use crate::error::Result;
use crate::stats::dist::qchisq;
use crate::stats::{Estimate, Measure, Method};

/// Rate x / T with the exact (Garwood) CI. `n` is the event count.
pub fn incidence_rate(x: &PersonTime, level: f64) -> Result<Estimate> {
    let level = check_level(level)?;
    let alpha = 1.0 - level;
    let k = x.events as f64;
    let lower = if x.events == 0 { 0.0 } else { qchisq(alpha / 2.0, 2.0 * k) / (2.0 * x.time) };
    let upper = qchisq(1.0 - alpha / 2.0, 2.0 * k + 2.0) / (2.0 * x.time);
    Ok(Estimate::new(Measure::Rate, Method::Exact).with_estimate(x.rate()).with_ci(lower, upper, level).with_n(x.events))
}

#[cfg(test)]
mod tests {
    use super::*;

    // R 4.2.2: print(poisson.test(12, 1e5)$conf.int, digits = 17);
    //          print(poisson.test(0, 2500)$conf.int, digits = 17)
    #[test]
    fn garwood_matches_r_poisson_test() {
        let r = incidence_rate(&PersonTime::new(12, 1e5).unwrap(), 0.95).unwrap();
        let ci = r.ci.unwrap();
        assert!((ci.lower / 6.2005751087222162e-05 - 1.0).abs() < 1e-9, "{}", ci.lower);
        assert!((ci.upper / 2.0961585048176953e-04 - 1.0).abs() < 1e-9, "{}", ci.upper);
        let z = incidence_rate(&PersonTime::new(0, 2500.0).unwrap(), 0.95).unwrap();
        let ci = z.ci.unwrap();
        assert_eq!(ci.lower, 0.0);
        assert!((ci.upper / 1.4755517816455741e-03 - 1.0).abs() < 1e-9, "{}", ci.upper);
    }
}
