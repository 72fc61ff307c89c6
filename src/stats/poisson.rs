//! A single incidence rate (events over person-time) with its exact Poisson CI.
//!
//! Garwood (1936, Biometrika 28:437): for x events in time T,
//! lower = χ²_{α/2}(2x) / (2T) and upper = χ²_{1−α/2}(2x + 2) / (2T), with lower = 0 at x = 0.
//! These are the limits of R's `poisson.test(x, T)$conf.int`. Above 10⁶ events the χ² quantiles
//! are taken from the Wilson–Hilferty (1931) approximation
//! χ²_p(k) ≈ k (1 − 2/(9k) + z_p √(2/(9k)))³, whose relative error there is below 2e-11 (checked
//! against R's `qchisq` at k = 2·10⁶: 1.5e-11; 2·10⁷: 4.8e-13; 2·10⁸: 1.5e-14), so that the
//! time stays bounded up to 2^53 events; a note says so.

use crate::data::{check_level, PersonTime};
use crate::error::Result;
use crate::stats::dist::qchisq;
use crate::stats::{Estimate, Measure, Method};

/// Rate x / T with the exact (Garwood) CI. `n` is the event count.
pub fn incidence_rate(x: &PersonTime, level: f64) -> Result<Estimate> {
    let level = check_level(level)?;
    let alpha = 1.0 - level;
    let k = x.events as f64;
    let large = x.events > WILSON_HILFERTY_ABOVE;
    let q = |p: f64, df: f64| if large { wilson_hilferty(p, df) } else { qchisq(p, df) };
    let lower = if x.events == 0 { 0.0 } else { q(alpha / 2.0, 2.0 * k) / (2.0 * x.time) };
    let upper = q(1.0 - alpha / 2.0, 2.0 * k + 2.0) / (2.0 * x.time);
    let e = Estimate::new(Measure::Rate, Method::Exact).with_estimate(x.rate()).with_ci(lower, upper, level).with_n(x.events);
    Ok(if large {
        e.with_note("above 10^6 events the chi-squared quantiles use the Wilson-Hilferty approximation (relative error below 2e-11)")
    } else {
        e
    })
}

/// Event count above which the Garwood limits use [`wilson_hilferty`].
pub const WILSON_HILFERTY_ABOVE: u64 = 1_000_000;

/// Wilson–Hilferty (1931) χ² quantile: k (1 − 2/(9k) + z_p √(2/(9k)))³.
fn wilson_hilferty(p: f64, k: f64) -> f64 {
    let c = 2.0 / (9.0 * k);
    k * (1.0 - c + crate::stats::dist::qnorm(p) * c.sqrt()).powi(3)
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

    // R 4.2.2: print(poisson.test(5e6, 1e9)$conf.int, digits = 17): 5e6 events, past the
    // Wilson-Hilferty threshold; and 2^53 events must come back at once.
    #[test]
    fn large_counts_use_wilson_hilferty() {
        let r = incidence_rate(&PersonTime::new(5_000_000, 1e9).unwrap(), 0.95).unwrap();
        let ci = r.ci.unwrap();
        assert!((ci.lower / 0.0049956183345269481 - 1.0).abs() < 1e-10, "{}", ci.lower);
        assert!((ci.upper / 0.0050043845602171675 - 1.0).abs() < 1e-10, "{}", ci.upper);
        assert!(r.notes[0].contains("Wilson-Hilferty"));
        let huge = incidence_rate(&PersonTime::new(1 << 53, 1e20).unwrap(), 0.95).unwrap();
        let ci = huge.ci.unwrap();
        assert!(ci.lower < huge.estimate.unwrap() && huge.estimate.unwrap() < ci.upper);
    }
}
