//! Incidence rates: events over person-time, treated versus control.
//!
//! With `x1` events in person-time `T1` (treated) and `x2` in `T2` (control):
//!
//! * [`rate_ratio`] with [`Method::ExactConditional`] — as R's `poisson.test(c(x1, x2), c(T1, T2))`
//!   (and statsmodels' `test_poisson_2indep(method="exact-cond")` for the p-value). Conditional on
//!   the total `n = x1 + x2`, `x1 ~ Bin(n, π)` with `π = T1 ψ / (T1 ψ + T2)`, ψ the rate ratio. The
//!   Clopper–Pearson (1934) limits for π are mapped to ψ = π/(1 − π) · T2/T1; the p-value is
//!   `binom.test`'s two-sided rule at `π0 = T1/(T1 + T2)`: the sum of the probabilities of the
//!   outcomes no more likely than `x1` (with R's relative slack 1e-7). The estimate is the rate
//!   ratio `(x1/T1)/(x2/T2)`. No zero correction is needed: `x1 = 0` gives estimate 0 and CI
//!   `[0, upper]`, `x2 = 0` gives estimate +∞ and CI `[lower, +∞)`; with no events at all the
//!   estimate is undefined (`None` + note; R prints NaN), the CI `[0, +∞)` and p = 1 (as R).
//! * [`rate_ratio`] with [`Method::Wald`] — `ln(IRR) ± z √(1/x1 + 1/x2)`, p from `z = ln(IRR)/SE`
//!   (Rothman & Greenland, *Modern Epidemiology*; statsmodels `confint_poisson_2indep` /
//!   `test_poisson_2indep(method="wald-log")`). With zero events in a group the log rate ratio and
//!   its SE are infinite: trialstat adds **no** 0.5 correction; the estimate is still reported (0
//!   or +∞, `None` if both groups are zero), the CI and p-value are `None`, and a note points to the
//!   exact method.
//! * [`rate_difference`] with [`Method::Wald`] — `(x1/T1 − x2/T2) ± z √(x1/T1² + x2/T2²)`, p from
//!   `z = RD/SE` (statsmodels `confint_poisson_2indep(compare="diff", method="wald")`). A single
//!   zero group is fine (its variance term is 0); with no events in either group the variance is 0:
//!   estimate 0, CI and p `None`, with a note.
//!
//! # Numerics
//!
//! The Clopper–Pearson limits are found by solving the binomial tail equations on the logit
//! scale (so ψ = e^{logit π} T2/T1 without the cancellation of `π/(1 − π)` near 1), with binomial
//! probabilities from Loader's (2000) saddle-point expansion and tails summed term by term. They
//! equal R's `qbeta`-based limits to ~1e-13. The tail sums take about 10 √(n π (1 − π)) terms, so
//! the exact method is limited to [`MAX_EXACT_EVENTS`] events in total; beyond that it returns an
//! error (the Wald interval is then indistinguishable from the exact one).

use crate::data::{check_level, PersonTime};
use crate::error::{Error, Result};
use crate::stats::dist::{bd0, stirlerr};
use crate::stats::dist::{two_sided_z_p, z_for_level};
use crate::stats::root::{bracket_outward, brent, TIGHT};
use crate::stats::{Estimate, Measure, Method};

/// Largest total number of events `x1 + x2` for the exact conditional method.
pub const MAX_EXACT_EVENTS: u64 = 1_000_000_000;

/// Relative slack of `binom.test`'s two-sided rule (`relErr <- 1 + 1e-7`).
const REL_ERR: f64 = 1e-7;

/// Rate ratio (treated / control) of two incidence rates.
///
/// Methods: [`Method::ExactConditional`] (recommended; R's `poisson.test`) and [`Method::Wald`]
/// (log scale). See the module docs for formulas and zero-event behaviour. `n` is `x1 + x2`.
pub fn rate_ratio(treated: &PersonTime, control: &PersonTime, method: Method, level: f64) -> Result<Estimate> {
    let level = check_level(level)?;
    match method {
        Method::ExactConditional => rate_ratio_exact(treated, control, level),
        Method::Wald => rate_ratio_wald(treated, control, level),
        m => Err(Error::not_applicable(Measure::RateRatio, m)),
    }
}

/// Rate difference (treated − control), events per unit of person-time.
///
/// Only [`Method::Wald`]: `(x1/T1 − x2/T2) ± z √(x1/T1² + x2/T2²)`, p from z. See the module docs
/// for the case of no events at all.
pub fn rate_difference(treated: &PersonTime, control: &PersonTime, method: Method, level: f64) -> Result<Estimate> {
    let level = check_level(level)?;
    if method != Method::Wald {
        return Err(Error::not_applicable(Measure::RateDifference, method));
    }
    check_rates(treated, control)?;
    let (x1, t1, x2, t2) = (treated.events as f64, treated.time, control.events as f64, control.time);
    let rd = x1 / t1 - x2 / t2;
    let se = (x1 / (t1 * t1) + x2 / (t2 * t2)).sqrt();
    let e = Estimate::new(Measure::RateDifference, Method::Wald)
        .with_estimate(rd)
        .with_n(treated.events + control.events);
    if !(se > 0.0 && se.is_finite()) {
        return Ok(e.with_note("no events in either group: the Wald variance is 0, so no CI or p-value"));
    }
    let e = e.with_se(se);
    let z = z_for_level(level);
    let stat = rd / se;
    Ok(e.with_ci(rd - z * se, rd + z * se, level)
        .with_test(stat, None, two_sided_z_p(stat)))
}

fn point_ratio(treated: &PersonTime, control: &PersonTime) -> Option<f64> {
    let (x1, x2) = (treated.events, control.events);
    match (x1, x2) {
        (0, 0) => None,
        (_, 0) => Some(f64::INFINITY),
        (0, _) => Some(0.0),
        _ => {
            // R's (x1/T1)/(x2/T2); through logs only if a rate over- or underflows.
            let r = (x1 as f64 / treated.time) / (x2 as f64 / control.time);
            Some(if r.is_finite() && r > 0.0 {
                r
            } else {
                ((x1 as f64).ln() - treated.time.ln() - (x2 as f64).ln() + control.time.ln()).exp()
            })
        }
    }
}

/// odds · T2/T1 without overflow to NaN for extreme person-times.
fn scale_odds(odds: f64, t1: f64, t2: f64) -> f64 {
    let s = t2 / t1;
    if s.is_finite() && s > 0.0 {
        odds * s
    } else {
        (odds.ln() + t2.ln() - t1.ln()).exp()
    }
}

/// Both rates x/T must be finite for the Wald methods.
fn check_rates(treated: &PersonTime, control: &PersonTime) -> Result<()> {
    for (g, p) in [("treated", treated), ("control", control)] {
        let r = p.rate();
        if !(r.is_finite() && (r / p.time).is_finite()) {
            return Err(Error::invalid(
                format!("{g} rate"),
                format!("{}/{}", p.events, p.time),
                "a rate (and its variance x/T^2) representable as a finite number; rescale the person-time",
            ));
        }
    }
    Ok(())
}

fn rate_ratio_wald(treated: &PersonTime, control: &PersonTime, level: f64) -> Result<Estimate> {
    let mut e = Estimate::new(Measure::RateRatio, Method::Wald).with_n(treated.events + control.events);
    let est = point_ratio(treated, control);
    if let Some(v) = est {
        e = e.with_estimate(v);
    }
    if treated.events == 0 || control.events == 0 {
        let what = if est.is_none() {
            "no events in either group"
        } else {
            "zero events in one group"
        };
        return Ok(e.with_note(format!(
            "{what}: the log rate ratio's Wald SE is infinite (no 0.5 correction is added); no CI or p-value; use exact-conditional"
        )));
    }
    let (x1, x2) = (treated.events as f64, control.events as f64);
    // Both counts are positive here, so the ratio is Some and > 0; ln IRR from the logs of its
    // parts when the ratio itself over- or underflows.
    let l = match est {
        Some(irr) if irr.is_finite() && irr > 0.0 => irr.ln(),
        _ => x1.ln() - treated.time.ln() - x2.ln() + control.time.ln(),
    };
    let se = (1.0 / x1 + 1.0 / x2).sqrt();
    let z = z_for_level(level);
    let stat = l / se;
    Ok(e.with_ci((l - z * se).exp(), (l + z * se).exp(), level)
        .with_se_log(se)
        .with_test(stat, None, two_sided_z_p(stat)))
}

fn rate_ratio_exact(treated: &PersonTime, control: &PersonTime, level: f64) -> Result<Estimate> {
    let (x, x2) = (treated.events, control.events);
    let n = x + x2;
    let mut e = Estimate::new(Measure::RateRatio, Method::ExactConditional).with_n(n);
    if n == 0 {
        return Ok(e
            .with_ci(0.0, f64::INFINITY, level)
            .with_p(1.0)
            .with_note("no events in either group: rate ratio undefined; CI [0, inf), p = 1"));
    }
    if n > MAX_EXACT_EVENTS {
        // A limit of this computation, not of the input: the row is undefined, others stand.
        return Err(Error::undefined(
            Measure::RateRatio,
            Method::ExactConditional,
            format!("{n} events in total: the exact conditional rate ratio supports at most {MAX_EXACT_EVENTS} (use the Wald interval at these counts)"),
        ));
    }
    let (t1, t2) = (treated.time, control.time);
    if let Some(v) = point_ratio(treated, control) {
        e = e.with_estimate(v);
    }
    let alpha = 1.0 - level;
    // ψ = odds(π) · T2/T1.
    let nf = n as f64;
    let xf = x as f64;
    // Clopper–Pearson on the logit scale η: lower solves P(X ≥ x | η) = α/2, upper P(X ≤ x | η) = α/2.
    let start = if x == 0 || x == n { 0.0 } else { (xf / (nf - xf)).ln() };
    let lower = if x == 0 {
        0.0
    } else {
        let f = |eta: f64| Binom::new(nf, eta).upper(xf) - alpha / 2.0;
        scale_odds(solve_increasing(f, start, "Clopper-Pearson lower limit")?.exp(), t1, t2)
    };
    let upper = if x == n {
        f64::INFINITY
    } else {
        let f = |eta: f64| alpha / 2.0 - Binom::new(nf, eta).lower(xf);
        scale_odds(solve_increasing(f, start, "Clopper-Pearson upper limit")?.exp(), t1, t2)
    };
    let p = binom_test_two_sided(x, n, t1, t2);
    e = e.with_ci(lower, upper, level).with_p(p);
    if x == 0 {
        e = e.with_note("no events in the treated group: estimate 0, lower limit 0");
    } else if x2 == 0 {
        e = e.with_note("no events in the control group: estimate inf, upper limit inf");
    }
    Ok(e)
}

/// Root of an increasing function of η, bracketing outwards from `start`.
fn solve_increasing(f: impl Fn(f64) -> f64, start: f64, what: &str) -> Result<f64> {
    let f0 = f(start);
    if f0 == 0.0 {
        return Ok(start);
    }
    let limit = if f0 < 0.0 { start + 1e4 } else { start - 1e4 };
    let (a, b) = bracket_outward(&f, start, 0.5, limit, 2.0).ok_or_else(|| Error::NoConvergence {
        what: what.into(),
        detail: "no sign change of the tail equation".into(),
    })?;
    brent(&f, a.min(b), a.max(b), TIGHT)
}

/// binom.test's two-sided p-value for `x` of `n` at π0 = T1/(T1 + T2) (R, stats:::binom.test):
/// the outcomes on the other side of the mean `m = n π0` whose probability is ≤ P(x)(1 + 1e-7),
/// plus the tail beyond x itself; 1 when x = m exactly.
fn binom_test_two_sided(x: u64, n: u64, t1: f64, t2: f64) -> f64 {
    // R: p0 = T1/(T1 + T2); the fallbacks only matter when T1 + T2 overflows.
    let (p0, q0) = if (t1 + t2).is_finite() {
        (t1 / (t1 + t2), t2 / (t1 + t2))
    } else {
        (1.0 / (1.0 + t2 / t1), 1.0 / (1.0 + t1 / t2))
    };
    let nf = n as f64;
    let xf = x as f64;
    let b = Binom::from_p(nf, p0, q0);
    let m = nf * p0;
    if xf == m {
        return 1.0;
    }
    let cut = b.ln_pmf(xf) + REL_ERR.ln_1p();
    let p = if xf < m {
        // Outcomes i in [ceil(m), n] with pmf ≤ cut form a tail [i*, n] (pmf decreases past the mode).
        let (mut lo, mut hi) = (m.ceil(), nf + 1.0); // find the first i in [ceil(m), n] with pmf ≤ cut
        while lo < hi {
            let mid = ((lo + hi) / 2.0).floor();
            if b.ln_pmf(mid) <= cut {
                hi = mid;
            } else {
                lo = mid + 1.0;
            }
        }
        b.lower(xf) + b.upper(lo)
    } else {
        // Outcomes i in [0, floor(m)] with pmf ≤ cut form a tail [0, i*].
        let (mut lo, mut hi) = (-1.0, m.floor()); // find the last i in [0, floor(m)] with pmf ≤ cut
        while lo < hi {
            let mid = ((lo + hi + 1.0) / 2.0).floor();
            if b.ln_pmf(mid) <= cut {
                lo = mid;
            } else {
                hi = mid - 1.0;
            }
        }
        b.lower(lo) + b.upper(xf)
    };
    p.min(1.0)
}

/// Binomial(n, π) with π given through accurate ln π, ln(1 − π) and the odds.
struct Binom {
    n: f64,
    p: f64,
    q: f64,
    ln_p: f64,
    ln_q: f64,
    /// π / (1 − π).
    odds: f64,
}

impl Binom {
    /// From the logit η = ln(π/(1 − π)).
    fn new(n: f64, eta: f64) -> Self {
        let p = 1.0 / (1.0 + (-eta).exp());
        let q = 1.0 / (1.0 + eta.exp());
        Binom {
            n,
            p,
            q,
            ln_p: -(-eta).exp().ln_1p(),
            ln_q: -eta.exp().ln_1p(),
            odds: eta.exp(),
        }
    }

    /// From π and 1 − π computed separately (both in (0, 1)).
    fn from_p(n: f64, p: f64, q: f64) -> Self {
        Binom {
            n,
            p,
            q,
            ln_p: p.ln(),
            ln_q: q.ln(),
            odds: p / q,
        }
    }

    /// ln P(X = k), Loader (2000) saddle-point form (as R's dbinom).
    fn ln_pmf(&self, k: f64) -> f64 {
        let n = self.n;
        if k < 0.0 || k > n {
            return f64::NEG_INFINITY;
        }
        if k == 0.0 {
            return n * self.ln_q;
        }
        if k == n {
            return n * self.ln_p;
        }
        let lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, n * self.p) - bd0(n - k, n * self.q);
        let lf = (2.0 * std::f64::consts::PI).ln() + k.ln() + (-k / n).ln_1p();
        lc - 0.5 * lf
    }

    /// Mode floor((n + 1) π), within [0, n].
    fn mode(&self) -> f64 {
        ((self.n + 1.0) * self.p).floor().clamp(0.0, self.n)
    }

    /// P(X ≥ k).
    fn upper(&self, k: f64) -> f64 {
        if k <= 0.0 {
            return 1.0;
        }
        if k > self.n {
            return 0.0;
        }
        if k > self.mode() {
            self.sum_up(k)
        } else {
            (1.0 - self.sum_down(k - 1.0)).max(0.0)
        }
    }

    /// P(X ≤ k).
    fn lower(&self, k: f64) -> f64 {
        if k < 0.0 {
            return 0.0;
        }
        if k >= self.n {
            return 1.0;
        }
        if k < self.mode() {
            self.sum_down(k)
        } else {
            (1.0 - self.sum_up(k + 1.0)).max(0.0)
        }
    }

    /// Σ_{i ≥ k} P(i) for k above the mode (terms decrease).
    fn sum_up(&self, k: f64) -> f64 {
        let mut s = 1.0;
        let mut c = 0.0;
        let mut t = 1.0;
        let mut i = k;
        while i < self.n {
            t *= (self.n - i) / (i + 1.0) * self.odds;
            let y = s + t;
            c += (s - y) + t;
            s = y;
            if t < 1e-17 * s {
                break;
            }
            i += 1.0;
        }
        (self.ln_pmf(k) + (s + c).ln()).exp()
    }

    /// Σ_{i ≤ k} P(i) for k below the mode (terms decrease going down).
    fn sum_down(&self, k: f64) -> f64 {
        let mut s = 1.0;
        let mut c = 0.0;
        let mut t = 1.0;
        let mut i = k;
        while i > 0.0 {
            t *= i / (self.n - i + 1.0) / self.odds;
            let y = s + t;
            c += (s - y) + t;
            s = y;
            if t < 1e-17 * s {
                break;
            }
            i -= 1.0;
        }
        (self.ln_pmf(k) + (s + c).ln()).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::dist::ln_choose;
    use crate::stats::dist::stirlerr;

    #[test]
    fn pmf_matches_ln_choose() {
        let b = Binom::from_p(40.0, 0.3, 0.7);
        for k in [0.0, 1.0, 7.0, 12.0, 20.0, 39.0, 40.0] {
            let want = ln_choose(40.0, k) + k * 0.3f64.ln() + (40.0 - k) * 0.7f64.ln();
            assert!((b.ln_pmf(k) - want).abs() < 1e-12, "k = {k}: {} vs {want}", b.ln_pmf(k));
        }
    }

    #[test]
    fn tails_are_complementary_and_match_sum() {
        let b = Binom::new(30.0, (0.4f64 / 0.6).ln());
        let direct: f64 = (0..=11).map(|k| b.ln_pmf(k as f64).exp()).sum();
        assert!((b.lower(11.0) - direct).abs() < 1e-14);
        for k in [0.0, 5.0, 11.0, 12.0, 20.0, 30.0] {
            assert!((b.lower(k) + b.upper(k + 1.0) - 1.0).abs() < 1e-14, "k = {k}");
        }
    }

    #[test]
    fn stirlerr_series_joins_table() {
        // At n = 16 the series must equal the exact value (from 40-digit arithmetic).
        #[allow(clippy::excessive_precision)]
        let exact16 = 0.005_207_655_919_609_640_440_7;
        assert!((stirlerr(16.0) - exact16).abs() < 1e-15, "{}", stirlerr(16.0));
    }
}
