//! Exact conditional inference for the 2×2 table: Fisher's exact test, the conditional maximum
//! likelihood estimate of the odds ratio and the exact conditional ("Cornfield") confidence
//! interval, all from Fisher's noncentral hypergeometric distribution.
//!
//! # The distribution
//!
//! With cells `a, b, c, d` (treated events, treated non-events, control events, control
//! non-events), conditioning on all margins leaves `X = a` with support `lo..=hi`,
//! `lo = max(0, n1 − (b + d))`, `hi = min(n1, a + c)` (`n1 = a + b`), and
//!
//! ```text
//! P(X = i | ψ) = C(a+c, i) C(b+d, n1−i) ψ^i / Σ_j C(a+c, j) C(b+d, n1−j) ψ^j
//! ```
//!
//! where ψ is the odds ratio `(a d)/(b c)` of treated versus control (Fisher 1935; Cornfield
//! 1956). This is R's `fisher.test(matrix(c(a, c, b, d), 2))` (rows = groups, first column =
//! events) and SciPy's `scipy.stats.fisher_exact([[a, b], [c, d]])`.
//!
//! Everything is computed in log space: the central log-probabilities are accumulated from the
//! ratio of successive terms, `P(i+1)/P(i) = (a+c−i)(n1−i) / ((i+1)(b+d−n1+i+1))`, starting at the
//! mode (so that the terms that carry the mass are exact to a few ulps), and sums use
//! log-sum-exp with compensated summation. The root searches run on θ = ln ψ with Brent's method
//! to [`crate::stats::root::TIGHT`].
//!
//! * **Estimate**: the conditional MLE, the ψ solving `E[X | ψ] = a` (R's fisher.test, SciPy's
//!   `odds_ratio(kind="conditional")`); 0 when `a = lo`, +∞ when `a = hi`.
//! * **CI** ("central" exact interval): lower ψ_L solves `P(X ≥ a | ψ_L) = α/2`, upper ψ_U solves
//!   `P(X ≤ a | ψ_U) = α/2`; ψ_L = 0 when `a = lo`, ψ_U = +∞ when `a = hi` (R's rule).
//! * **p-value** (two-sided, R's and SciPy's rule): the sum of the null (ψ = 1) probabilities that
//!   are `≤ P(X = a) · (1 + 1e-7)`; the relative slack makes mathematically tied tables count as
//!   ties despite rounding.
//!
//! # Agreement with the references
//!
//! R's fisher.test stops its `uniroot` searches at the default tolerance (≈ 1.2e-4 absolute on ψ
//! or on 1/ψ), so its MLE and CI are good to only about 1e-4 to 1e-6 relative; trialstat solves
//! the same equations tightly and agrees with SciPy's `odds_ratio(kind="conditional")` (brentq,
//! `xtol = 1e-13`) to 1e-9 relative or better (observed: ~1e-14 for small tables, up to 6e-11 with
//! thousands of events, where SciPy's BiasedUrn distribution functions limit it). For very large
//! odds ratios R's upper limit can stop at the end of its search bracket, 1/ε = 2^52 ≈ 4.5e15:
//! for 50/51 against 1/51 R prints an upper limit of 4503599627370496, SciPy and trialstat
//! 102061.8. The p-values agree with R to ~1e-14; SciPy's differ by up to 2e-11 on the largest
//! tables (p ≈ 3e-113).
//!
//! # Edge cases
//!
//! * A zero cell is no problem: `a = 0` (or `d = 0`, both put `a` at `lo`) gives the MLE 0 and
//!   CI `[0, upper]`; `b = 0` or `c = 0` put `a` at `hi` and give MLE +∞ and CI `[lower, +∞)`.
//! * A degenerate table, whose support is a single point (no events at all, or all events, in both
//!   groups together): the odds ratio is not identifiable. R prints an estimate of 0 (its
//!   `x == lo` test comes first); trialstat returns `estimate: None` with a note, the CI
//!   `[0, +∞)` and p = 1 (as R).
//! * Groups of one subject (n1 = 1 or n2 = 1) need nothing special: the support has at most two
//!   points.
//! * **Size limit**: the support holds `hi − lo + 1` points and every evaluation sums them all, so
//!   the support is limited to [`MAX_SUPPORT`] points (tables with, e.g., more than a million
//!   events *and* more than a million non-events in each group). Larger tables return
//!   [`Error::Undefined`] naming the limit, rather than running for hours: at such counts the
//!   asymptotic intervals (Miettinen–Nurminen, Woolf) agree with the exact one to many digits.
//!   Counts themselves may be as large as the data types allow (2^53 per group).

use crate::data::{check_level, TwoByTwo};
use crate::error::{Error, Result};
use crate::stats::root::{bracket_outward, brent, TIGHT};
use crate::stats::{Estimate, Measure, Method};

/// Largest conditional support (`hi − lo + 1` values of `a`) handled exactly.
pub const MAX_SUPPORT: u64 = 1_000_000;

/// Relative slack of the two-sided p-value rule (R's `relErr <- 1 + 10^(-7)`).
const REL_ERR: f64 = 1e-7;

/// Limit of |ln ψ| for bracketing. With at most 2^53 per cell, |ln(P(i+1)/P(i))| ≤ 74, so every
/// finite root lies well inside.
const THETA_LIMIT: f64 = 1e4;

/// Fisher's exact test with the conditional MLE of the odds ratio and its exact conditional CI.
///
/// Returns `measure: FisherExact`, `method: Exact`, the conditional MLE as `estimate` (R's
/// `fisher.test(...)$estimate`), the central exact CI (R's `$conf.int`), the two-sided p-value
/// (R's `$p.value`, SciPy's `fisher_exact`) and `n` = the table total. See the module docs for
/// the formulas, the edge cases and the size limit.
pub fn fisher_exact(t: &TwoByTwo, level: f64) -> Result<Estimate> {
    conditional(t, level, Measure::FisherExact, Method::Exact)
}

/// The odds ratio by exact conditional inference: the same conditional MLE, exact CI and Fisher
/// p-value as [`fisher_exact`], reported as `measure: OddsRatio`, `method: ExactConditional`.
pub fn odds_ratio_exact_conditional(t: &TwoByTwo, level: f64) -> Result<Estimate> {
    conditional(t, level, Measure::OddsRatio, Method::ExactConditional)
}

fn conditional(t: &TwoByTwo, level: f64, measure: Measure, method: Method) -> Result<Estimate> {
    let level = check_level(level)?;
    let h = NcHypergeometric::from_table(t).map_err(|e| match e {
        // The support limit is a limit of this computation, not of the input: undefined here.
        Error::Undefined { reason, .. } => Error::undefined(measure, method, reason),
        other => other,
    })?;
    let n_total = t.treated.n + t.control.n;
    let p = h.p_value_two_sided();
    let mut e = Estimate::new(measure, method).with_p(p).with_n(n_total);
    if h.lo == h.hi {
        let why = if t.treated.events + t.control.events == 0 {
            "no events in either group"
        } else {
            "every subject in both groups has the event"
        };
        return Ok(e.with_ci(0.0, f64::INFINITY, level).with_note(format!(
            "odds ratio not identifiable: {why}, so the data say nothing about it; CI [0, inf), p = 1"
        )));
    }
    let alpha = 1.0 - level;
    let est = h.mle()?;
    let lower = h.ci_lower(alpha / 2.0)?;
    let upper = h.ci_upper(alpha / 2.0)?;
    e = e.with_estimate(est).with_ci(lower, upper, level);
    if h.x == h.lo {
        e = e.with_note("the first group has the fewest events its table's totals allow (e.g. none): the odds ratio estimate and its lower limit are 0");
    } else if h.x == h.hi {
        e = e.with_note("the first group has the most events its table's totals allow (e.g. the second group has none): the odds ratio estimate and its upper limit are infinite");
    }
    Ok(e)
}

/// Fisher's noncentral hypergeometric distribution of `a` given the margins of a 2×2 table,
/// stored as unnormalised central log-probabilities over the support.
#[derive(Debug, Clone)]
struct NcHypergeometric {
    lo: u64,
    hi: u64,
    /// Observed `a`.
    x: u64,
    /// `logdc[i − lo]` = ln P(X = i | ψ = 1) + constant.
    logdc: Vec<f64>,
}

/// Weighted sums at one θ, each relative to the largest weight (so `total ≥ 1`).
struct Sums {
    total: f64,
    /// Σ over i ≥ x.
    ge: f64,
    /// Σ over i ≤ x.
    le: f64,
    /// Σ (i − x) w_i.
    dev: f64,
}

impl NcHypergeometric {
    fn from_table(t: &TwoByTwo) -> Result<Self> {
        let x = t.treated.events;
        let n1 = t.treated.n;
        let m = t.treated.events + t.control.events; // events (first column)
        let nn = t.treated.non_events() + t.control.non_events(); // non-events
        let lo = n1.saturating_sub(nn);
        let hi = n1.min(m);
        let size = hi - lo + 1;
        if size > MAX_SUPPORT {
            return Err(Error::undefined(
                Measure::FisherExact,
                Method::Exact,
                format!(
                    "for a = {}, b = {}, c = {}, d = {} exact conditional inference sums over the {size} possible values of a; at most {MAX_SUPPORT} are supported (use the Miettinen-Nurminen or Woolf interval at these counts)",
                    x,
                    t.treated.non_events(),
                    t.control.events,
                    t.control.non_events()
                ),
            ));
        }
        let (mf, nf, kf) = (m as f64, nn as f64, n1 as f64);
        // Mode of the central hypergeometric: floor((m + 1)(n1 + 1) / (N + 2)), clamped.
        let total = mf + nf;
        let mode_f = ((mf + 1.0) * (kf + 1.0) / (total + 2.0)).floor();
        let mode = (mode_f.max(lo as f64).min(hi as f64)) as u64;
        let size = size as usize;
        let mut logdc = vec![0.0; size];
        // ln(P(i+1)/P(i)) for the central distribution.
        let step = |i: f64| -> f64 { ((mf - i) * (kf - i) / ((i + 1.0) * (nf - kf + i + 1.0))).ln() };
        let im = (mode - lo) as usize;
        // Upwards from the mode, with compensated accumulation.
        let (mut s, mut comp) = (0.0f64, 0.0f64);
        for (j, slot) in logdc.iter_mut().enumerate().skip(im + 1) {
            let v = step((lo + j as u64 - 1) as f64);
            let tt = s + v;
            comp += if s.abs() >= v.abs() { (s - tt) + v } else { (v - tt) + s };
            s = tt;
            *slot = s + comp;
        }
        let (mut s, mut comp) = (0.0f64, 0.0f64);
        for (j, slot) in logdc.iter_mut().enumerate().take(im).rev() {
            let v = -step((lo + j as u64) as f64);
            let tt = s + v;
            comp += if s.abs() >= v.abs() { (s - tt) + v } else { (v - tt) + s };
            s = tt;
            *slot = s + comp;
        }
        Ok(NcHypergeometric { lo, hi, x, logdc })
    }

    /// The indices `j` whose log-weight `lw(j) − max` is at least `−cut`, and the max. `lw` is
    /// concave (the distribution is log-concave), so the window is found by bisection around the
    /// mode and the weights outside it fall geometrically: their sum is below e^−cut times the
    /// support size, relative to the total. The sums cost the window, not the whole support (on a
    /// 250,000-subject AE table the support has 10⁵ values, the window a few hundred).
    fn window(&self, lw: impl Fn(usize) -> f64, cut: f64) -> (usize, usize, f64) {
        let n = self.logdc.len();
        // Mode: the first j whose successor is not larger (bisection on the sign of the slope).
        let (mut a, mut b) = (0usize, n - 1);
        while a < b {
            let m = (a + b) / 2;
            if lw(m + 1) > lw(m) {
                a = m + 1;
            } else {
                b = m;
            }
        }
        // Rounding can make the slope's sign flicker where it is ~0: take the max nearby.
        let near = a.saturating_sub(3)..(a + 4).min(n);
        let mx = near.map(&lw).fold(f64::NEG_INFINITY, f64::max);
        let keep = |j: usize| lw(j) - mx >= -cut;
        // Lower end: first j in [0, a] kept (lw increases up to the mode).
        let (mut l, mut h) = (0usize, a);
        while l < h {
            let m = (l + h) / 2;
            if keep(m) {
                h = m;
            } else {
                l = m + 1;
            }
        }
        let lo = l;
        // Upper end: last j in [a, n − 1] kept.
        let (mut l, mut h) = (a, n - 1);
        while l < h {
            let m = (l + h).div_ceil(2);
            if keep(m) {
                l = m;
            } else {
                h = m - 1;
            }
        }
        (lo.saturating_sub(2), (l + 2).min(n - 1), mx)
    }

    /// Sums of w_i = exp(logdc_i + (i − x) θ − max) over the support, with Neumaier compensation,
    /// over [`Self::window`] with weights down to e^−60 of the largest: what is left out is below
    /// 10⁻²⁰ of the total, far under the tolerance of the roots these sums are used to find (the
    /// tail probabilities solved for are at least (1 − level)/2).
    fn sums(&self, theta: f64) -> Sums {
        let xi = (self.x - self.lo) as i64;
        let lw = |j: usize| self.logdc[j] + (j as i64 - xi) as f64 * theta;
        let (from, to, mx) = self.window(lw, 60.0);
        let mut total = Acc::default();
        let mut ge = Acc::default();
        let mut le = Acc::default();
        let mut dev = Acc::default();
        for j in from..=to {
            let l = lw(j) - mx;
            if l < -745.0 {
                continue;
            }
            let w = l.exp();
            total.add(w);
            let k = j as i64 - xi;
            if k >= 0 {
                ge.add(w);
            }
            if k <= 0 {
                le.add(w);
            }
            dev.add(k as f64 * w);
        }
        Sums {
            total: total.get(),
            ge: ge.get(),
            le: le.get(),
            dev: dev.get(),
        }
    }

    /// Solve g(θ) = 0 for an increasing g, bracketing outwards from θ = 0; returns ψ = e^θ.
    fn solve(&self, what: &str, g: impl Fn(f64) -> f64) -> Result<f64> {
        let g0 = g(0.0);
        if g0 == 0.0 {
            return Ok(1.0); // θ = 0 is the root: ψ = e⁰ (a symmetric table's estimate)
        }
        let limit = if g0 < 0.0 { THETA_LIMIT } else { -THETA_LIMIT };
        let (inner, outer) = bracket_outward(&g, 0.0, 1.0, limit, 2.0).ok_or_else(|| Error::NoConvergence {
            what: what.into(),
            detail: format!("no sign change of the estimating equation for |ln psi| <= {THETA_LIMIT}"),
        })?;
        let theta = brent(&g, inner.min(outer), inner.max(outer), TIGHT)?;
        Ok(theta.exp())
    }

    /// Conditional MLE: E[X | ψ] = x.
    fn mle(&self) -> Result<f64> {
        if self.x == self.lo {
            return Ok(0.0);
        }
        if self.x == self.hi {
            return Ok(f64::INFINITY);
        }
        self.solve("conditional MLE of the odds ratio", |th| {
            let s = self.sums(th);
            s.dev / s.total
        })
    }

    /// Lower limit: P(X ≥ x | ψ) = tail (increasing in ψ).
    fn ci_lower(&self, tail: f64) -> Result<f64> {
        if self.x == self.lo {
            return Ok(0.0);
        }
        self.solve("exact conditional lower limit", |th| {
            let s = self.sums(th);
            s.ge / s.total - tail
        })
    }

    /// Upper limit: P(X ≤ x | ψ) = tail (decreasing in ψ).
    fn ci_upper(&self, tail: f64) -> Result<f64> {
        if self.x == self.hi {
            return Ok(f64::INFINITY);
        }
        self.solve("exact conditional upper limit", |th| {
            let s = self.sums(th);
            tail - s.le / s.total
        })
    }

    /// Two-sided p-value at ψ = 1: Σ P(i) over P(i) ≤ P(x)(1 + 1e-7).
    fn p_value_two_sided(&self) -> f64 {
        if self.lo == self.hi {
            return 1.0;
        }
        // Terms outside this window are 0 in double precision (p-values down to 1e-300 count).
        let (from, to, mx) = self.window(|j| self.logdc[j], 745.0);
        let lx = self.logdc[(self.x - self.lo) as usize];
        let cut = lx + REL_ERR.ln_1p();
        let mut total = Acc::default();
        let mut sel = Acc::default();
        for &l in &self.logdc[from..=to] {
            let w = (l - mx).exp();
            total.add(w);
            if l <= cut {
                sel.add(w);
            }
        }
        // When P(x) is far below exp(-745) of the mode, scale the selected sum by its own maximum.
        let sel_v = sel.get();
        if sel_v > 0.0 {
            return (sel_v / total.get()).min(1.0);
        }
        let smx = self
            .logdc
            .iter()
            .cloned()
            .filter(|&l| l <= cut)
            .fold(f64::NEG_INFINITY, f64::max);
        let mut s = Acc::default();
        for &l in self.logdc.iter().filter(|&&l| l <= cut) {
            s.add((l - smx).exp());
        }
        ((smx - mx) + s.get().ln() - total.get().ln()).exp().min(1.0)
    }
}

/// Neumaier compensated accumulator.
#[derive(Default)]
struct Acc {
    sum: f64,
    comp: f64,
}

impl Acc {
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.comp += (self.sum - t) + v;
        } else {
            self.comp += (v - t) + self.sum;
        }
        self.sum = t;
    }
    fn get(&self) -> f64 {
        self.sum + self.comp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(a: u64, b: u64, c: u64, d: u64) -> TwoByTwo {
        TwoByTwo::from_cells(a, b, c, d).unwrap()
    }

    #[test]
    fn central_probabilities_match_ln_choose() {
        // P(X = i) ∝ C(m, i) C(n, k − i): the ratio recursion must agree with ln_choose.
        let h = NcHypergeometric::from_table(&tab(7, 12, 15, 4)).unwrap();
        let (m, n, k) = (22.0, 16.0, 19.0);
        let lc = |i: f64| crate::stats::dist::ln_choose(m, i) + crate::stats::dist::ln_choose(n, k - i);
        for j in 1..h.logdc.len() {
            let i = (h.lo + j as u64) as f64;
            let want = lc(i) - lc(h.lo as f64);
            let got = h.logdc[j] - h.logdc[0];
            assert!((got - want).abs() < 1e-12, "i = {i}: {got} vs {want}");
        }
    }

    #[test]
    fn mle_solves_mean_equation() {
        let h = NcHypergeometric::from_table(&tab(7, 12, 15, 4)).unwrap();
        let psi = h.mle().unwrap();
        let s = h.sums(psi.ln());
        assert!((s.dev / s.total).abs() < 1e-12);
        assert!(psi < 1.0);
    }

    /// Tables whose estimating equation is exactly zero at ψ = 1 (each row the same): the
    /// conditional MLE is 1, as R's fisher.test prints (`estimate` = 1 for
    /// `matrix(c(10, 40, 10, 40), 2)` and `matrix(c(1, 1, 1, 1), 2)`), inside its own CI.
    #[test]
    fn symmetric_tables_estimate_one() {
        for t in [tab(10, 40, 10, 40), tab(1, 1, 1, 1), tab(3, 3, 5, 5)] {
            let e = odds_ratio_exact_conditional(&t, 0.95).unwrap();
            assert_eq!(e.estimate, Some(1.0), "{t:?}");
            let ci = e.ci.unwrap();
            assert!(ci.lower < 1.0 && 1.0 < ci.upper, "{t:?}: {ci:?}");
        }
    }

    #[test]
    fn support_limit_is_an_error() {
        let t = tab(2_000_000, 2_000_000, 2_000_000, 2_000_000);
        let e = fisher_exact(&t, 0.95).unwrap_err();
        assert!(matches!(e, Error::Undefined { measure: Measure::FisherExact, .. }), "{e}");
        assert!(e.to_string().contains("1000000"), "{e}");
        let e = odds_ratio_exact_conditional(&t, 0.95).unwrap_err();
        assert!(matches!(e, Error::Undefined { measure: Measure::OddsRatio, method: Method::ExactConditional, .. }), "{e}");
    }
}
