//! Kaplan–Meier survival curves with Greenwood standard errors, pointwise confidence intervals,
//! quantiles (median survival) with their CIs, restricted mean survival time with its standard
//! error, and the log-rank (G^ρ) test of survival curves, as R's `survival` package computes them
//! (`survfit(Surv(time, status) ~ 1, conf.type = ...)`, `quantile(fit)`, `print(fit, rmean = τ)`,
//! `survdiff(..., rho = )`; Therneau 2024, survival 3.5; Kaplan & Meier 1958,
//! JASA 53:457; Greenwood 1926; Harrington & Fleming 1982, Biometrika 69:553).
//!
//! # The curve
//! At each distinct time t (events and censorings, as `survfit` lists them), with n(t) subjects
//! at risk (time ≥ t) and d(t) events at t:
//!
//! S(t) = Π_{u ≤ t} (1 − d(u)/n(u)),  σ(t) = √(Σ_{u ≤ t} d(u) / (n(u)(n(u) − d(u))))
//!
//! σ is Greenwood's standard error of −log S (survfit's `std.err`); the SE of S is S·σ. When every
//! subject at risk has the event (d = n) S becomes 0 and σ is infinite. An event and a censoring
//! at the same time: the event comes first (the censored subject was at risk).
//!
//! # Pointwise CIs (`survfit_confint`), z = Φ⁻¹(1 − α/2)
//! * [`KmCi::Log`] (R's default): exp(log S ∓ zσ), the upper limit capped at 1; none where S = 0.
//! * [`KmCi::LogLog`] (SAS's default; lifelines'): exp(−exp(log(−log S) ∓ zσ/log S)); none
//!   where S is 0 or 1.
//! * [`KmCi::Plain`]: S ∓ zSσ, clipped to [0, 1]; none where S = 0 (σ infinite).
//!
//! # Quantiles (`quantile.survfit`, its `findq`)
//! With F = 1 − S as a step function starting at (0, 0), tolerance ε = √(machine ε) ≈ 1.5e-8,
//! and the points of F with repeated values dropped (the first time of each value kept): the
//! p-quantile is the first time where F ≥ p + ε... precisely, with i₁ the first point with
//! F + ε ≥ p and i₂ the first with F − ε ≥ p, the quantile is (t[i₁] + t[i₂])/2: the first time F
//! passes p, or, when F equals p (within ε) on a flat stretch, the midpoint of that stretch. If F
//! equals p on its last stretch, the midpoint of that stretch and the last time listed. If F
//! never reaches p, the quantile is not reached (`None`). The CI of a quantile applies the same
//! rule to the lower and upper confidence curves (points where the curve has no limit are
//! skipped): the lower limit from the lower curve, the upper from the upper curve.

use crate::data::check_level;
use crate::error::{Error, Result};
use crate::stats::dist::z_for_level;

/// Pointwise CI transformation of the survival curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KmCi {
    Log,
    LogLog,
    Plain,
}

impl KmCi {
    pub fn name(self) -> &'static str {
        match self {
            KmCi::Log => "log",
            KmCi::LogLog => "log-log",
            KmCi::Plain => "plain",
        }
    }
}

/// One distinct time of a Kaplan–Meier curve.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KmStep {
    pub time: f64,
    pub n_risk: u64,
    pub n_event: u64,
    pub n_censor: u64,
    /// S(t).
    pub surv: f64,
    /// Greenwood's standard error of −log S(t) (survfit's `std.err`); infinite once S = 0.
    pub std_err: f64,
    /// Pointwise confidence limits of S(t); `None` where the transformation has none.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// A Kaplan–Meier curve with its pointwise CIs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KaplanMeier {
    pub steps: Vec<KmStep>,
    pub ci: KmCi,
    pub level: f64,
    pub n: u64,
    pub events: u64,
}

/// A quantile of survival time with its CI; `None` = not reached.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct KmQuantile {
    /// The probability of the event by then: 0.5 for the median.
    pub p: f64,
    pub estimate: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// The Kaplan–Meier curve of `time` (finite, ≥ 0) and `event` (true = event, false =
/// censored), with `ci` limits at `level`. Errors: different lengths, no subject, a negative
/// or non-finite time (named by position), a level outside (0, 1).
pub fn kaplan_meier(time: &[f64], event: &[bool], ci: KmCi, level: f64) -> Result<KaplanMeier> {
    let level = check_level(level)?;
    if time.len() != event.len() {
        return Err(Error::invalid("events", event.len(), format!("one per time ({})", time.len())));
    }
    if time.is_empty() {
        return Err(Error::invalid("times", "none", "at least one subject"));
    }
    if let Some((i, t)) = time.iter().enumerate().find(|(_, t)| !(t.is_finite() && **t >= 0.0)) {
        return Err(Error::invalid(format!("time #{}", i + 1), t, "a finite time ≥ 0"));
    }
    let mut order: Vec<usize> = (0..time.len()).collect();
    order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
    let z = z_for_level(level);
    let mut steps = Vec::new();
    let (mut at_risk, mut surv, mut var) = (time.len() as u64, 1.0f64, 0.0f64);
    let mut i = 0;
    while i < order.len() {
        let t = time[order[i]];
        let (mut d, mut c) = (0u64, 0u64);
        while i < order.len() && time[order[i]] == t {
            if event[order[i]] {
                d += 1;
            } else {
                c += 1;
            }
            i += 1;
        }
        let n = at_risk;
        if d > 0 {
            surv *= 1.0 - d as f64 / n as f64;
            var += if d < n { d as f64 / (n as f64 * (n - d) as f64) } else { f64::INFINITY };
        }
        let std_err = var.sqrt();
        let (lower, upper) = limits(surv, std_err, ci, z);
        steps.push(KmStep { time: t, n_risk: n, n_event: d, n_censor: c, surv, std_err, lower, upper });
        at_risk -= d + c;
    }
    let events = event.iter().filter(|&&e| e).count() as u64;
    Ok(KaplanMeier { steps, ci, level, n: time.len() as u64, events })
}

/// The pointwise limits of S with standard error `se` of −log S (see the module doc).
fn limits(s: f64, se: f64, ci: KmCi, z: f64) -> (Option<f64>, Option<f64>) {
    let some = |x: f64| (!x.is_nan()).then_some(x);
    match ci {
        _ if s == 0.0 => (None, None),
        KmCi::Log => (some((s.ln() - z * se).exp()), some((s.ln() + z * se).exp().min(1.0))),
        KmCi::LogLog if s == 1.0 => (None, None),
        KmCi::LogLog => {
            let w = z * se / s.ln();
            let l = (-s.ln()).ln();
            (some((-(l - w).exp()).exp()), some((-(l + w).exp()).exp()))
        }
        KmCi::Plain => {
            let h = z * se * s;
            (some((s - h).max(0.0)), some((s + h).min(1.0)))
        }
    }
}

/// Restricted mean survival time up to τ with its standard error (R's `survmean`, as
/// `print(survfit(...), rmean = τ)` gives it).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Rmst {
    pub tau: f64,
    pub estimate: f64,
    pub se: f64,
}

impl KaplanMeier {
    /// RMST(τ) = ∫₀^τ S(t) dt, the area under the step curve (height 1 before the first time,
    /// S(t_i) from t_i to the next time or τ), with R's variance Σ_i A_i² d_i/(n_i(n_i − d_i))
    /// over the times t_i ≤ τ, A_i the area from t_i to τ (a term with d_i = n_i counts 0).
    /// τ beyond the last time extends the last step, as R does. Errors: τ not finite or < 0.
    pub fn rmst(&self, tau: f64) -> Result<Rmst> {
        if !(tau.is_finite() && tau >= 0.0) {
            return Err(Error::invalid("tau", tau, "a finite time ≥ 0"));
        }
        let kept: Vec<&KmStep> = self.steps.iter().filter(|s| s.time <= tau).collect();
        // Knots 0 = t_0 < t_1 … ≤ τ; the rectangle ending at knot j has the height S at the
        // knot before it (1 before the first time).
        let mut knots: Vec<f64> = kept.iter().map(|s| s.time).collect();
        knots.push(tau);
        let heights: Vec<f64> = std::iter::once(1.0).chain(kept.iter().map(|s| s.surv)).collect();
        let mut prev = 0.0;
        let rect: Vec<f64> = knots
            .iter()
            .zip(&heights)
            .map(|(&t, &h)| {
                let r = (t - prev) * h;
                prev = t;
                r
            })
            .collect();
        let estimate: f64 = rect.iter().sum();
        // A_i: the area after the i-th kept time (rectangles i+1 … n).
        let mut var = 0.0;
        let mut after = 0.0;
        for i in (0..kept.len()).rev() {
            after += rect[i + 1];
            let (n, d) = (kept[i].n_risk, kept[i].n_event);
            if d > 0 && n > d {
                var += after * after * d as f64 / (n as f64 * (n - d) as f64);
            }
        }
        Ok(Rmst { tau, estimate, se: var.sqrt() })
    }
}

/// R's tolerance for "F equals p" in `quantile.survfit`: √(machine epsilon).
const QUANTILE_TOL: f64 = 1.4901161193847656e-8;

impl KaplanMeier {
    /// The `p`-quantiles of survival time (0.5 = the median) with their CIs, as R's
    /// `quantile(fit, probs)` (see the module doc).
    pub fn quantiles(&self, probs: &[f64]) -> Result<Vec<KmQuantile>> {
        if let Some(p) = probs.iter().find(|p| !(0.0..=1.0).contains(*p)) {
            return Err(Error::invalid("probability", p, "a probability from 0 to 1"));
        }
        let times: Vec<f64> = self.steps.iter().map(|s| s.time).collect();
        let curve = |f: &dyn Fn(&KmStep) -> Option<f64>| -> Vec<Option<f64>> { self.steps.iter().map(|s| f(s).map(|v| 1.0 - v)).collect() };
        let est = curve(&|s| Some(s.surv));
        let low = curve(&|s| s.lower);
        let up = curve(&|s| s.upper);
        Ok(probs
            .iter()
            .map(|&p| KmQuantile { p, estimate: find_quantile(&times, &est, p), lower: find_quantile(&times, &low, p), upper: find_quantile(&times, &up, p) })
            .collect())
    }

    /// S at `t` with its CI (the step at or before `t`; S = 1 before the first time), as
    /// `summary(fit, times = t)` gives it; `None` after the last time listed.
    pub fn at(&self, t: f64) -> Option<(f64, Option<f64>, Option<f64>)> {
        let last = self.steps.last()?;
        if t > last.time {
            return None;
        }
        match self.steps.iter().rev().find(|s| s.time <= t) {
            Some(s) => Some((s.surv, s.lower, s.upper)),
            None => Some((1.0, Some(1.0), Some(1.0))),
        }
    }

    /// [`KaplanMeier::at`] with the standard error of S (S·σ, Greenwood; 0 before the first
    /// event) and the number at risk at `t` (subjects whose time is ≥ t).
    pub fn landmark(&self, t: f64) -> Option<Landmark> {
        let (surv, lower, upper) = self.at(t)?;
        let se = self.steps.iter().rev().find(|s| s.time <= t).map_or(0.0, |s| if s.surv > 0.0 { s.surv * s.std_err } else { 0.0 });
        let n_risk = self.steps.iter().find(|s| s.time >= t).map_or(0, |s| s.n_risk);
        Some(Landmark { time: t, surv, se, lower, upper, n_risk })
    }
}

/// Survival at a landmark time ([`KaplanMeier::landmark`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Landmark {
    pub time: f64,
    pub surv: f64,
    pub se: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub n_risk: u64,
}

/// R's `findq(c(0, time), c(0, F), p, tol)`: `f` is F = 1 − S at each time (`None` where the
/// curve has no value, skipped as R's `approx` skips NA).
fn find_quantile(times: &[f64], f: &[Option<f64>], p: f64) -> Option<f64> {
    // The points (0, 0) and (time, F), repeated F values dropped (the first kept; the first
    // missing one too, as R's `duplicated` keeps one NA); missing points are then skipped.
    let mut x: Vec<f64> = vec![0.0];
    let mut y: Vec<f64> = vec![0.0];
    let mut last_missing = false;
    let mut seen_missing = false;
    for (t, v) in times.iter().zip(f) {
        match v {
            Some(v) if !y.contains(v) => {
                x.push(*t);
                y.push(*v);
                last_missing = false;
            }
            None if !seen_missing => {
                seen_missing = true;
                last_missing = true;
            }
            _ => {}
        }
    }
    let xmax = *times.last()?;
    let (lo, hi) = y.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    if hi < p {
        return None;
    }
    if p == 0.0 {
        return Some(x[0]);
    }
    // approx(y ± tol, index, p, "constant", f = 1): the first index whose (shifted) value is
    // ≥ p, none when p is outside the shifted range.
    let first = |shift: f64| -> Option<usize> {
        if p < lo + shift || p > hi + shift {
            return None;
        }
        y.iter().position(|v| v + shift >= p)
    };
    let i1 = first(QUANTILE_TOL);
    if !last_missing && (p - y[y.len() - 1]).abs() < QUANTILE_TOL {
        return i1.map(|i| (x[i] + xmax) / 2.0);
    }
    let i2 = first(-QUANTILE_TOL);
    Some((x[i1?] + x[i2?]) / 2.0)
}

/// The log-rank test (ρ = 0) or the Harrington–Fleming G^ρ test (ρ = 1: Peto–Peto), as R's
/// `survdiff(Surv(time, status) ~ group + strata(s), rho = ρ)`: per group the (weighted)
/// observed and expected events and their variance matrix, and the χ² statistic.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LogRank {
    pub rho: f64,
    /// Subjects, observed and expected events per group (index order of `group`), summed over
    /// strata; observed and expected are weighted by S(t−)^ρ.
    pub n: Vec<u64>,
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
    pub variance: Vec<Vec<f64>>,
    pub chisq: f64,
    pub df: usize,
    /// `None` when fewer than two groups have expected events (nothing to compare; df = 0;
    /// R prints p = 1 there).
    pub p_value: Option<f64>,
}

/// [`LogRank`] of `time`/`event` by `group` (0-based indices below `groups`), within `strata`
/// (indices; `None` = one stratum). At each event time t of a stratum, with n_k(t) at risk and
/// d_k(t) events in group k (n, d in all), and weight w = S(t−)^ρ (the stratum's pooled
/// Kaplan–Meier just before t):
///
/// O_k = Σ w d_k,  E_k = Σ w d n_k/n,  V_jk = Σ w² d (n − d)/(n − 1) · n_j/n (δ_jk − n_k/n)
///
/// summed over times and strata; χ² = (O − E)ᵀ V⁻¹ (O − E) over the groups with E > 0 but the
/// first, df = their number − 1 (R's rule). Events before censorings at a tied time (the
/// censored are at risk). Errors: lengths differ, fewer than two groups, invalid times, a
/// singular variance matrix.
pub fn log_rank(time: &[f64], event: &[bool], group: &[usize], groups: usize, strata: Option<&[usize]>, rho: f64) -> Result<LogRank> {
    let n_all = time.len();
    if event.len() != n_all || group.len() != n_all || strata.is_some_and(|s| s.len() != n_all) {
        return Err(Error::invalid("log-rank inputs", "lengths differ", "one event, group (and stratum) per time"));
    }
    if let Some((i, t)) = time.iter().enumerate().find(|(_, t)| !(t.is_finite() && **t >= 0.0)) {
        return Err(Error::invalid(format!("time #{}", i + 1), t, "a finite time ≥ 0"));
    }
    if let Some(g) = group.iter().find(|&&g| g >= groups) {
        return Err(Error::invalid("group", g, format!("an index below {groups}")));
    }
    if groups < 2 {
        return Err(Error::invalid("groups", groups, "at least two groups to compare"));
    }
    let stratum = |i: usize| strata.map_or(0, |s| s[i]);
    let mut order: Vec<usize> = (0..n_all).collect();
    order.sort_by(|&a, &b| stratum(a).cmp(&stratum(b)).then(time[a].total_cmp(&time[b])));
    let (mut obs, mut exp) = (vec![0.0; groups], vec![0.0; groups]);
    let mut var = vec![vec![0.0; groups]; groups];
    let mut n = vec![0u64; groups];
    for &g in group {
        n[g] += 1;
    }
    let mut start = 0;
    while start < n_all {
        // One stratum: subjects order[start..end], by time.
        let s = stratum(order[start]);
        let end = start + order[start..].iter().take_while(|&&i| stratum(i) == s).count();
        let mut at_risk = vec![0u64; groups];
        for &i in &order[start..end] {
            at_risk[group[i]] += 1;
        }
        let mut km = 1.0f64;
        let mut i = start;
        while i < end {
            let t = time[order[i]];
            let mut deaths = vec![0u64; groups];
            let mut leaving = vec![0u64; groups];
            while i < end && time[order[i]] == t {
                let (g, e) = (group[order[i]], event[order[i]]);
                deaths[g] += u64::from(e);
                leaving[g] += 1;
                i += 1;
            }
            let d: u64 = deaths.iter().sum();
            let nr: u64 = at_risk.iter().sum();
            if d > 0 {
                let w = if rho == 0.0 { 1.0 } else { km.powf(rho) };
                let (df, nf) = (d as f64, nr as f64);
                for k in 0..groups {
                    obs[k] += w * deaths[k] as f64;
                    exp[k] += w * df * at_risk[k] as f64 / nf;
                }
                if nr > 1 {
                    let kt = w * w * df * (nf - df) / (nf - 1.0);
                    for j in 0..groups {
                        let pj = at_risk[j] as f64 / nf;
                        for k in 0..groups {
                            let pk = at_risk[k] as f64 / nf;
                            var[j][k] += kt * pj * (if j == k { 1.0 } else { 0.0 } - pk);
                        }
                    }
                }
                km *= (nf - df) / nf;
            }
            for k in 0..groups {
                at_risk[k] -= leaving[k];
            }
        }
        start = end;
    }
    // χ² over the groups with expected events, the first of them left out.
    let used: Vec<usize> = (0..groups).filter(|&k| exp[k] > 0.0).collect();
    let (chisq, df) = if used.len() < 2 {
        (0.0, 0)
    } else {
        let idx = &used[1..];
        let m = idx.len();
        let mut a: Vec<Vec<f64>> = idx.iter().map(|&j| idx.iter().map(|&k| var[j][k]).collect()).collect();
        let mut b: Vec<f64> = idx.iter().map(|&k| obs[k] - exp[k]).collect();
        let x = solve(&mut a, &mut b).ok_or_else(|| Error::invalid("log-rank variance", "singular", "groups whose at-risk sets are not all identical"))?;
        (x.iter().zip(idx).map(|(xi, &k)| xi * (obs[k] - exp[k])).sum(), m)
    };
    let p_value = (df > 0).then(|| crate::stats::dist::pchisq_upper(chisq, df as f64));
    Ok(LogRank { rho, n, observed: obs, expected: exp, variance: var, chisq, df, p_value })
}

/// Solve a x = b by Gaussian elimination with partial pivoting; `None` when singular.
pub(crate) fn solve(a: &mut [Vec<f64>], b: &mut [f64]) -> Option<Vec<f64>> {
    let m = b.len();
    for c in 0..m {
        let p = (c..m).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c] == 0.0 {
            return None;
        }
        a.swap(c, p);
        b.swap(c, p);
        for r in (c + 1)..m {
            let f = a[r][c] / a[c][c];
            for k in c..m {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; m];
    for r in (0..m).rev() {
        let s: f64 = ((r + 1)..m).map(|k| a[r][k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}
