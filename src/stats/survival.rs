//! Kaplan–Meier survival curves with Greenwood standard errors, pointwise confidence intervals
//! and quantiles (median survival) with their CIs, as R's `survival` package computes them
//! (`survfit(Surv(time, status) ~ 1, conf.type = ...)` and `quantile(fit)`; Therneau 2024,
//! survival 3.5; Kaplan & Meier 1958, JASA 53:457; Greenwood 1926).
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
