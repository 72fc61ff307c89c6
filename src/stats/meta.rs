//! Meta-analysis of study-level estimates as R's metafor computes it (Viechtbauer 2010, JSS
//! 36(3); metafor 3.8): per-study effect sizes and sampling variances (`escalc`), the common
//! (inverse-variance) effect, random-effects models with the usual τ² estimators, the
//! Hartung–Knapp–Sidik–Jonkman test, prediction intervals and heterogeneity (Q, I², H²).
//!
//! # Effect sizes (escalc)
//! Two groups with events a/n₁ and c/n₂ (b = n₁ − a, d = n₂ − c):
//! * RR: y = log((a/n₁)/(c/n₂)), v = 1/a − 1/n₁ + 1/c − 1/n₂
//! * OR: y = log(ad/(bc)), v = 1/a + 1/b + 1/c + 1/d
//! * RD: y = a/n₁ − c/n₂, v = p₁(1 − p₁)/n₁ + p₂(1 − p₂)/n₂
//!
//! A study with a zero cell gets ½ added to each of its four cells (metafor's `add = 1/2,
//! to = "only0"`, for every count measure); a study with no events in either group is kept
//! (metafor's `drop00 = FALSE`) unless asked otherwise; the studies corrected are listed.
//! Means m, SDs s and sizes n per group:
//! * MD: y = m₁ − m₂, v = s₁²/n₁ + s₂²/n₂
//! * SMD (Hedges' g): y = J·(m₁ − m₂)/s_p, s_p² = ((n₁−1)s₁² + (n₂−1)s₂²)/(n₁+n₂−2),
//!   J = Γ(m/2)/(√(m/2) Γ((m−1)/2)), m = n₁+n₂−2; v = 1/n₁ + 1/n₂ + y²/(2(n₁+n₂))
//! * ROM: y = log(m₁/m₂), v = s₁²/(n₁m₁²) + s₂²/(n₂m₂²)
//!
//! # Models
//! With wᵢ = 1/(vᵢ + τ²): μ̂ = Σwy/Σw, SE = 1/√Σw; CI μ̂ ∓ z SE; the common effect has τ² = 0.
//! Q = Σ(1/vᵢ)(yᵢ − ȳ_w)² on k − 1 df. I² = 100 τ²/(τ² + s²) and H² = (τ² + s²)/s² with the
//! "typical" within-study variance s² = (k − 1)Σw/((Σw)² − Σw²) (w = 1/v); for the common effect
//! (and DL) I² = max(0, (Q − (k − 1))/Q).

use crate::error::{Error, Result};
use crate::stats::dist::ln_gamma;

/// The effect measure of a meta-analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EffectMeasure {
    /// Log risk ratio.
    Rr,
    /// Log odds ratio.
    Or,
    /// Risk difference.
    Rd,
    /// Peto's log odds ratio (one-step).
    PetoOr,
    /// Mean difference.
    Md,
    /// Standardised mean difference (Hedges' g).
    Smd,
    /// Log ratio of means.
    Rom,
    /// An estimate with its standard error as given.
    Generic,
}

impl EffectMeasure {
    /// Ratios are pooled on the log scale and reported exponentiated.
    pub fn is_ratio(self) -> bool {
        matches!(self, EffectMeasure::Rr | EffectMeasure::Or | EffectMeasure::PetoOr | EffectMeasure::Rom)
    }
}

/// One study's estimate and sampling variance, with what was done to get it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StudyEffect {
    pub yi: f64,
    pub vi: f64,
    /// ½ was added to each cell (a zero cell).
    pub corrected: bool,
}

/// Effect size of two groups' event counts (`a` of `n1` vs `c` of `n2`), as `escalc` (add ½ to
/// the four cells of a study with any zero cell, for every count measure; `drop00`: a study with
/// no events, or only events, in both groups has no estimate, `None`). PETO: E = (a + c)n₁/N,
/// V = (a + c)(b + d)(n₁/N)(n₂/N)/(N − 1), y = (a − E)/V, v = 1/V.
pub fn count_effect(measure: EffectMeasure, a: f64, n1: f64, c: f64, n2: f64, drop00: bool) -> Result<Option<StudyEffect>> {
    if !(a >= 0.0 && c >= 0.0 && n1 >= a && n2 >= c && n1 > 0.0 && n2 > 0.0 && a.is_finite() && c.is_finite() && n1.is_finite() && n2.is_finite()) {
        return Err(Error::invalid("study counts", format!("{a}/{n1}, {c}/{n2}"), "events between 0 and the group size, group sizes > 0"));
    }
    let (b, d) = (n1 - a, n2 - c);
    if drop00 && ((a == 0.0 && c == 0.0) || (b == 0.0 && d == 0.0)) {
        return Ok(None);
    }
    let zero = a == 0.0 || b == 0.0 || c == 0.0 || d == 0.0;
    let add = if zero { 0.5 } else { 0.0 };
    let (a, b, c, d) = (a + add, b + add, c + add, d + add);
    let (n1, n2) = (a + b, c + d);
    let (p1, p2) = (a / n1, c / n2);
    let (yi, vi) = match measure {
        EffectMeasure::Rr => (p1.ln() - p2.ln(), 1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2),
        EffectMeasure::Or => ((p1 / (1.0 - p1)).ln() - (p2 / (1.0 - p2)).ln(), 1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d),
        EffectMeasure::Rd => (p1 - p2, p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2),
        EffectMeasure::PetoOr => {
            let n = n1 + n2;
            let e = (a + c) * n1 / n;
            let v = (a + c) * (b + d) * (n1 / n) * (n2 / n) / (n - 1.0);
            ((a - e) / v, 1.0 / v)
        }
        _ => return Err(Error::invalid("measure", format!("{measure:?}"), "RR, OR, RD or PETO-OR for event counts")),
    };
    if !(yi.is_finite() && vi.is_finite()) {
        return Ok(None);
    }
    Ok(Some(StudyEffect { yi, vi, corrected: add > 0.0 }))
}

/// Hedges' exact small-sample factor J(m) = Γ(m/2) / (√(m/2) Γ((m − 1)/2)).
pub fn hedges_j(m: f64) -> f64 {
    (ln_gamma(m / 2.0) - ln_gamma((m - 1.0) / 2.0)).exp() / (m / 2.0).sqrt()
}

/// Effect size of two groups' means, SDs and sizes.
pub fn mean_effect(measure: EffectMeasure, m1: f64, sd1: f64, n1: f64, m2: f64, sd2: f64, n2: f64) -> Result<StudyEffect> {
    if !(sd1 >= 0.0 && sd2 >= 0.0 && n1 >= 1.0 && n2 >= 1.0 && [m1, m2, sd1, sd2].iter().all(|x| x.is_finite())) {
        return Err(Error::invalid("study summaries", format!("{m1} ({sd1}) n {n1}, {m2} ({sd2}) n {n2}"), "finite means, SDs ≥ 0 and group sizes ≥ 1"));
    }
    let (yi, vi) = match measure {
        EffectMeasure::Md => (m1 - m2, sd1 * sd1 / n1 + sd2 * sd2 / n2),
        EffectMeasure::Smd => {
            let m = n1 + n2 - 2.0;
            let sp = (((n1 - 1.0) * sd1 * sd1 + (n2 - 1.0) * sd2 * sd2) / m).sqrt();
            let g = hedges_j(m) * (m1 - m2) / sp;
            (g, 1.0 / n1 + 1.0 / n2 + g * g / (2.0 * (n1 + n2)))
        }
        EffectMeasure::Rom => ((m1 / m2).ln(), sd1 * sd1 / (n1 * m1 * m1) + sd2 * sd2 / (n2 * m2 * m2)),
        _ => return Err(Error::invalid("measure", format!("{measure:?}"), "MD, SMD or ROM for means")),
    };
    Ok(StudyEffect { yi, vi, corrected: false })
}

/// The estimator of the between-study variance τ².
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tau2Method {
    /// Restricted maximum likelihood (metafor's default).
    Reml,
    /// Maximum likelihood.
    Ml,
    /// DerSimonian–Laird (method of moments with inverse-variance weights).
    Dl,
    /// Paule–Mandel (generalised Q equal to its expectation).
    Pm,
    /// Sidik–Jonkman.
    Sj,
    /// Hedges (unweighted method of moments).
    He,
    /// Empirical Bayes (Morris).
    Eb,
    /// Hunter–Schmidt.
    Hs,
}

impl Tau2Method {
    /// The estimators [`meta_regression`] fits with moderators (REML, ML, DL, HE).
    pub fn takes_moderators(self) -> bool {
        matches!(self, Tau2Method::Reml | Tau2Method::Ml | Tau2Method::Dl | Tau2Method::He)
    }

    pub const ALL: [Tau2Method; 8] = [Tau2Method::Reml, Tau2Method::Ml, Tau2Method::Dl, Tau2Method::Pm, Tau2Method::Sj, Tau2Method::He, Tau2Method::Eb, Tau2Method::Hs];

    pub fn name(self) -> &'static str {
        match self {
            Tau2Method::Reml => "reml",
            Tau2Method::Ml => "ml",
            Tau2Method::Dl => "dl",
            Tau2Method::Pm => "pm",
            Tau2Method::Sj => "sj",
            Tau2Method::He => "he",
            Tau2Method::Eb => "eb",
            Tau2Method::Hs => "hs",
        }
    }
}

/// Inverse-variance pooled estimate with weights 1/(vᵢ + τ²): (μ̂, Σw, Σw(y − μ̂)²).
fn pooled(yi: &[f64], vi: &[f64], tau2: f64) -> (f64, f64, f64) {
    let (mut sw, mut swy) = (0.0, 0.0);
    for (y, v) in yi.iter().zip(vi) {
        let w = 1.0 / (v + tau2);
        sw += w;
        swy += w * y;
    }
    let mu = swy / sw;
    let q = yi.iter().zip(vi).map(|(y, v)| (y - mu) * (y - mu) / (v + tau2)).sum();
    (mu, sw, q)
}

/// The generalised Q statistic at τ²: Σ (yᵢ − μ̂(τ²))² / (vᵢ + τ²).
pub fn q_at(yi: &[f64], vi: &[f64], tau2: f64) -> f64 {
    pooled(yi, vi, tau2).2
}

/// The test and CI of the pooled estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetaTest {
    /// Normal approximation.
    Z,
    /// Hartung–Knapp–Sidik–Jonkman: t on k − 1 df with the scale s² = Σw(y − μ̂)²/(k − 1).
    Knha,
    /// HKSJ with the ad hoc correction s² = max(1, s²) (never narrower than the z interval).
    Adhoc,
}

/// Options of [`meta_fit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetaOptions {
    /// `None`: the common (equal) effect, inverse variance.
    pub method: Option<Tau2Method>,
    pub test: MetaTest,
    pub level: f64,
}

/// A pooled estimate (on the analysis scale: log for ratios) with its heterogeneity.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MetaFit {
    pub method: Option<Tau2Method>,
    pub test: MetaTest,
    pub k: usize,
    pub estimate: f64,
    pub se: f64,
    /// z, or t for HKSJ.
    pub statistic: f64,
    /// Degrees of freedom of t (HKSJ); `None` for z.
    pub df: Option<f64>,
    pub p_value: f64,
    pub lower: f64,
    pub upper: f64,
    pub level: f64,
    pub tau2: f64,
    pub se_tau2: Option<f64>,
    /// I² in percent and H².
    pub i2: f64,
    pub h2: f64,
    /// The typical within-study variance s² of I² and H².
    pub vt: f64,
    pub q: f64,
    pub q_df: usize,
    pub q_p: f64,
    /// The HKSJ scale factor.
    pub s2w: Option<f64>,
    /// Fisher-scoring iterations (REML, ML, EB).
    pub iterations: Option<usize>,
    /// Prediction interval (random effects): μ̂ ∓ crit √(SE² + τ²), crit z (test z) or t on
    /// k − 1 df (HKSJ), as metafor's `predict`.
    pub pi_lower: Option<f64>,
    pub pi_upper: Option<f64>,
    pub notes: Vec<String>,
}

/// Convergence of the Fisher-scoring estimators: |Δτ²| ≤ this × max(1, τ²). metafor stops at
/// 1e-5 absolute (and its PM and Q-profile roots at 1.2e-4); trialstat iterates to the maximum.
const SCORING_TOL: f64 = 1e-10;
const SCORING_MAX_ITER: usize = 10_000;

/// The estimate of τ² by `method` from centred y (see the module doc for each formula):
/// (τ², iterations of Fisher scoring).
fn tau2_of(yc: &[f64], v: &[f64], method: Tau2Method, max_iter: usize) -> Result<(f64, Option<usize>)> {
    let kf = yc.len() as f64;
    let w: Vec<f64> = v.iter().map(|v| 1.0 / v).collect();
    let sw: f64 = w.iter().sum();
    let sw2: f64 = w.iter().map(|w| w * w).sum();
    let tr_p = sw - sw2 / sw;
    let q = pooled(yc, v, 0.0).2;
    let ss: f64 = yc.iter().map(|y| y * y).sum();
    let sum_v: f64 = v.iter().sum();
    let he_raw = (ss - (kf - 1.0) / kf * sum_v) / (kf - 1.0);
    Ok(match method {
        Tau2Method::Dl => (((q - (kf - 1.0)) / tr_p).max(0.0), None),
        Tau2Method::Hs => (((q - kf) / sw).max(0.0), None),
        Tau2Method::He => (he_raw.max(0.0), None),
        Tau2Method::Sj => {
            let t0 = ss / kf;
            ((t0 * pooled(yc, v, t0).2 / (kf - 1.0)).max(0.0), None)
        }
        Tau2Method::Pm => {
            let f = |t: f64| pooled(yc, v, t).2 - (kf - 1.0);
            (if f(0.0) < 0.0 { 0.0 } else { solve_decreasing(&f, 0.0, "Paule–Mandel")? }, None)
        }
        Tau2Method::Reml | Tau2Method::Ml | Tau2Method::Eb => {
            let (t, iter) = fisher_scoring(yc, v, method, he_raw.max(0.0), max_iter)?;
            (t, Some(iter))
        }
    })
}

/// The standard error of τ² = `t` by `method`'s formula (metafor's `se.tau2`).
fn se_tau2(yc: &[f64], v: &[f64], method: Tau2Method, t: f64) -> f64 {
    let kf = yc.len() as f64;
    let w: Vec<f64> = v.iter().map(|v| 1.0 / v).collect();
    let sw: f64 = w.iter().sum();
    let sw2: f64 = w.iter().map(|w| w * w).sum();
    let tr_p = sw - sw2 / sw;
    // Σ P∘P for P = diag(w) − w wᵀ/Σw.
    let sum_pp = |w: &[f64]| {
        let s: f64 = w.iter().sum();
        let s2: f64 = w.iter().map(|x| x * x).sum();
        let s3: f64 = w.iter().map(|x| x * x * x).sum();
        s2 - 2.0 * s3 / s + (s2 / s) * (s2 / s)
    };
    let mom = |denom: f64| ((2.0 * (kf - 1.0) + 4.0 * t * tr_p + 2.0 * t * t * sum_pp(&w)) / (denom * denom)).sqrt();
    let wt: Vec<f64> = v.iter().map(|v| 1.0 / (v + t)).collect();
    let sw_t: f64 = wt.iter().sum();
    match method {
        Tau2Method::Dl => mom(tr_p),
        Tau2Method::Hs => mom(sw),
        Tau2Method::He => {
            // P = I − J/k, V = diag(v): tr(PVPV) = Σv² − 2Σv²/k + (Σv)²/k², tr(PV) = Σv(1 − 1/k).
            let sum_v: f64 = v.iter().sum();
            let sv2: f64 = v.iter().map(|x| x * x).sum();
            let tr_pvpv = sv2 - 2.0 * sv2 / kf + sum_v * sum_v / (kf * kf);
            let tr_pv = sum_v * (1.0 - 1.0 / kf);
            ((2.0 * tr_pvpv + 4.0 * t * tr_pv + 2.0 * t * t * (kf - 1.0)) / ((kf - 1.0) * (kf - 1.0))).sqrt()
        }
        Tau2Method::Sj => sj_se(yc, v, yc.iter().map(|y| y * y).sum::<f64>() / kf, t),
        Tau2Method::Ml => (2.0 / wt.iter().map(|x| x * x).sum::<f64>()).sqrt(),
        Tau2Method::Reml => (2.0 / sum_pp(&wt)).sqrt(),
        Tau2Method::Pm | Tau2Method::Eb => (2.0 * kf * kf / (kf - 1.0)).sqrt() / sw_t,
    }
}

/// SE of the Sidik–Jonkman τ² (metafor): √(t0²/(k−1)² (2 tr(PVPV) + 4t Σ(PV∘P) + 2t² Σ(P∘P)))
/// with P = P(w0), w0 = 1/(v + t0), V = diag(v).
fn sj_se(yc: &[f64], v: &[f64], t0: f64, t: f64) -> f64 {
    let k = yc.len();
    let w: Vec<f64> = v.iter().map(|v| 1.0 / (v + t0)).collect();
    let sw: f64 = w.iter().sum();
    // P[i][j] = w_i δ_ij − w_i w_j / Σw.
    let p = |i: usize, j: usize| if i == j { w[i] - w[i] * w[i] / sw } else { -w[i] * w[j] / sw };
    let (mut tr_pvpv, mut pv_p, mut pp) = (0.0, 0.0, 0.0);
    for i in 0..k {
        for j in 0..k {
            let pij = p(i, j);
            // (PV)_ij = P_ij v_j; tr(PV PV) = Σ_ij (PV)_ij (PV)_ji.
            tr_pvpv += pij * v[j] * p(j, i) * v[i];
            pv_p += pij * v[j] * pij;
            pp += pij * pij;
        }
    }
    let kf = k as f64;
    (t0 * t0 / ((kf - 1.0) * (kf - 1.0)) * (2.0 * tr_pvpv + 4.0 * t * pv_p + 2.0 * t * t * pp)).sqrt()
}

/// Fisher scoring for ML, REML and EB (metafor's updates and step halving, run to
/// [`SCORING_TOL`]); (τ², iterations).
fn fisher_scoring(yc: &[f64], v: &[f64], method: Tau2Method, start: f64, max_iter: usize) -> Result<(f64, usize)> {
    let k = yc.len() as f64;
    let mut tau2 = start;
    let mut step = f64::NAN;
    for iter in 1..=max_iter {
        let w: Vec<f64> = v.iter().map(|v| 1.0 / (v + tau2)).collect();
        let sw: f64 = w.iter().sum();
        let mu = w.iter().zip(yc).map(|(w, y)| w * y).sum::<f64>() / sw;
        let r: Vec<f64> = yc.iter().map(|y| y - mu).collect();
        let sw2: f64 = w.iter().map(|x| x * x).sum();
        let w2r2: f64 = w.iter().zip(&r).map(|(w, r)| w * w * r * r).sum();
        let mut adj = match method {
            Tau2Method::Ml => (w2r2 - sw) / sw2,
            Tau2Method::Reml => {
                let sw3: f64 = w.iter().map(|x| x * x * x).sum();
                let tr_p = sw - sw2 / sw;
                let sum_pp = sw2 - 2.0 * sw3 / sw + (sw2 / sw) * (sw2 / sw);
                (w2r2 - tr_p) / sum_pp
            }
            _ => {
                let wr2: f64 = w.iter().zip(&r).map(|(w, r)| w * r * r).sum();
                (wr2 * k / (k - 1.0) - k) / sw
            }
        };
        while tau2 + adj < 0.0 {
            adj /= 2.0;
        }
        let old = tau2;
        tau2 += adj;
        step = tau2 - old;
        if (old - tau2).abs() <= SCORING_TOL * tau2.max(1.0) {
            return Ok((tau2, iter));
        }
    }
    Err(Error::NoConvergence {
        what: format!("τ² by {} (Fisher scoring with step halving)", method.name().to_uppercase()),
        detail: format!("{max_iter} iterations; last τ² = {tau2}, last step {step:e} (needs |step| ≤ {:e}); allow more iterations, or use a non-iterative estimator (DL, SJ, HE)", SCORING_TOL * tau2.max(1.0)),
    })
}

/// The root of a decreasing f on [lo, ∞) with f(lo) ≥ 0: bracketed by doubling, then Brent to
/// [`crate::stats::root::TIGHT`].
fn solve_decreasing(f: &dyn Fn(f64) -> f64, lo: f64, what: &str) -> Result<f64> {
    if f(lo) == 0.0 {
        return Ok(lo);
    }
    let mut hi = 1.0f64.max(lo * 2.0);
    while f(hi) > 0.0 {
        hi *= 2.0;
        if hi > 1e300 {
            return Err(Error::NoConvergence { what: what.into(), detail: "no upper bound for τ² found".into() });
        }
    }
    crate::stats::root::brent(f, lo, hi, crate::stats::root::TIGHT * hi.max(1.0))
}

/// Pool `yi` (sampling variances `vi`) by `opts`; see the module doc. Errors: fewer than one
/// study, a variance ≤ 0 or not finite, a τ² estimator that does not converge.
pub fn meta_fit(yi: &[f64], vi: &[f64], opts: &MetaOptions) -> Result<MetaFit> {
    fit_with(yi, vi, opts, None, SCORING_MAX_ITER)
}

/// [`meta_fit`] with at most `max_iter` Fisher-scoring iterations for REML, ML and EB
/// (metafor's `control = list(maxiter = )`); running out is [`Error::NoConvergence`] naming the
/// method, the last τ² and the last step.
pub fn meta_fit_max_iter(yi: &[f64], vi: &[f64], opts: &MetaOptions, max_iter: usize) -> Result<MetaFit> {
    fit_with(yi, vi, opts, None, max_iter.max(1))
}

/// [`meta_fit`] with τ² given instead of estimated (metafor's `rma(..., tau2 = )`); `method`
/// still names the formula of τ²'s standard error.
pub fn meta_fit_given_tau2(yi: &[f64], vi: &[f64], opts: &MetaOptions, tau2: f64) -> Result<MetaFit> {
    if !(tau2.is_finite() && tau2 >= 0.0) {
        return Err(Error::invalid("τ²", tau2, "a finite value ≥ 0"));
    }
    fit_with(yi, vi, opts, Some(tau2), SCORING_MAX_ITER)
}

fn fit_with(yi: &[f64], vi: &[f64], opts: &MetaOptions, given: Option<f64>, max_iter: usize) -> Result<MetaFit> {
    crate::data::check_level(opts.level)?;
    let k = yi.len();
    if k == 0 || vi.len() != k {
        return Err(Error::invalid("studies", k, "at least one study, each with an estimate and a variance"));
    }
    if let Some((i, v)) = vi.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v > 0.0)) {
        return Err(Error::invalid(format!("study {} variance", i + 1), v, "a finite variance > 0 (a standard error of 0 cannot be weighted)"));
    }
    if let Some((i, y)) = yi.iter().enumerate().find(|(_, y)| !y.is_finite()) {
        return Err(Error::invalid(format!("study {} estimate", i + 1), y, "a finite estimate"));
    }
    let kf = k as f64;
    let mean = yi.iter().sum::<f64>() / kf;
    let yc: Vec<f64> = yi.iter().map(|y| y - mean).collect();
    let mut notes = Vec::new();
    let (tau2, se_tau2, iterations) = match (opts.method, k) {
        (None, _) => (0.0, None, None),
        (Some(_), 1) => {
            notes.push("One study: no between-study variance can be estimated (τ² = 0).".into());
            (0.0, None, None)
        }
        (Some(m), _) => {
            let (t, iter) = match given {
                Some(t) => (t, None),
                None => tau2_of(&yc, vi, m, max_iter)?,
            };
            (t, Some(se_tau2(&yc, vi, m, t)), iter)
        }
    };
    // Heterogeneity with the within-study weights.
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / v).collect();
    let sw: f64 = w.iter().sum();
    let sw2: f64 = w.iter().map(|x| x * x).sum();
    let q = if k > 1 { pooled(&yc, vi, 0.0).2.max(0.0) } else { 0.0 };
    let q_df = k - 1;
    let q_p = if k > 1 { crate::stats::dist::pchisq_upper(q, q_df as f64) } else { 1.0 };
    let vt = if k > 1 { (kf - 1.0) * sw / (sw * sw - sw2) } else { 0.0 };
    let (i2, h2) = match opts.method {
        None if k > 1 => (if q > 0.0 { (100.0 * (q - (kf - 1.0)) / q).max(0.0) } else { 0.0 }, q / (kf - 1.0)),
        None => (0.0, 1.0),
        Some(_) if k > 1 => (100.0 * tau2 / (vt + tau2), 1.0 + tau2 / vt),
        Some(_) => (0.0, 1.0),
    };
    // The pooled estimate.
    let (est, sw_t, rss) = pooled(yi, vi, tau2);
    let test = if k == 1 { MetaTest::Z } else { opts.test };
    let (se, df, s2w) = match test {
        MetaTest::Z => ((1.0 / sw_t).sqrt(), None, None),
        MetaTest::Knha | MetaTest::Adhoc => {
            let mut s2 = if rss <= f64::EPSILON { 0.0 } else { rss / (kf - 1.0) };
            if test == MetaTest::Adhoc {
                s2 = s2.max(1.0);
            }
            ((s2 / sw_t).sqrt(), Some(kf - 1.0), Some(s2))
        }
    };
    let statistic = est / se;
    let (crit, p_value) = match df {
        None => (z_crit(opts.level), crate::stats::dist::two_sided_z_p(statistic)),
        Some(d) => (crate::stats::dist::t_for_level(opts.level, d), crate::stats::dist::two_sided_t_p(statistic, d)),
    };
    let (pi_lower, pi_upper) = match opts.method {
        Some(_) => {
            let half = crit * (se * se + tau2).sqrt();
            (Some(est - half), Some(est + half))
        }
        None => (None, None),
    };
    Ok(MetaFit {
        method: opts.method,
        test,
        k,
        estimate: est,
        se,
        statistic,
        df,
        p_value,
        lower: est - crit * se,
        upper: est + crit * se,
        level: opts.level,
        tau2,
        se_tau2,
        i2,
        h2,
        vt,
        q,
        q_df,
        q_p,
        s2w,
        iterations,
        pi_lower,
        pi_upper,
        notes,
    })
}

fn z_crit(level: f64) -> f64 {
    crate::stats::dist::z_for_level(level)
}

/// Q-profile confidence intervals of τ², τ, I² and H² (Viechtbauer 2007; metafor's `confint`):
/// the τ² where the generalised Q equals the χ²_{k−1} quantiles 1 − α/2 (lower limit) and α/2
/// (upper limit); a limit below 0 is 0, and when even Q(0) is below the α/2 quantile the interval
/// is empty ({0}, `empty`). I² and H² limits from the τ² limits with the fit's s².
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QProfile {
    pub tau2: (f64, f64),
    pub tau: (f64, f64),
    pub i2: (f64, f64),
    pub h2: (f64, f64),
    pub empty: bool,
    pub level: f64,
}

/// [`QProfile`] for the studies of `fit`. Errors: one study.
pub fn q_profile(yi: &[f64], vi: &[f64], fit: &MetaFit) -> Result<QProfile> {
    let k = yi.len();
    if k < 2 {
        return Err(Error::invalid("studies", k, "at least two studies for a CI of τ²"));
    }
    let df = (k - 1) as f64;
    let alpha = 1.0 - fit.level;
    let crit_u = crate::stats::dist::qchisq(1.0 - alpha / 2.0, df);
    let crit_l = crate::stats::dist::qchisq(alpha / 2.0, df);
    let q = |t: f64| pooled(yi, vi, t).2;
    let q0 = q(0.0);
    let (lo, hi, empty) = if q0 < crit_l {
        (0.0, 0.0, true)
    } else {
        let hi = solve_decreasing(&|t| q(t) - crit_l, 0.0, "Q-profile upper limit")?;
        let lo = if q0 < crit_u { 0.0 } else { solve_decreasing(&|t| q(t) - crit_u, 0.0, "Q-profile lower limit")? };
        (lo, hi, false)
    };
    let i2 = |t: f64| 100.0 * t / (fit.vt + t);
    let h2 = |t: f64| 1.0 + t / fit.vt;
    Ok(QProfile { tau2: (lo, hi), tau: (lo.sqrt(), hi.sqrt()), i2: (i2(lo), i2(hi)), h2: (h2(lo), h2(hi)), empty, level: fit.level })
}

/// A common-effect estimate pooled from the studies' 2×2 tables (Mantel–Haenszel, Peto), on the
/// analysis scale (log for ratios), with Q, I² and H² as metafor's `rma.mh` / `rma.peto` give
/// them. MH: Q = Σ(yᵢ − b_MH)²/vᵢ over the studies' escalc estimates (½ added to tables with a
/// zero cell; tables with no events, or only events, in both groups left out); Peto: Q =
/// Σ(O − E)²/V − (Σ(O − E))²/ΣV over tables with V > 0. I² = max(0, (Q − df)/Q), H² = Q/df.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TablesFit {
    pub estimate: f64,
    pub se: f64,
    pub lower: f64,
    pub upper: f64,
    pub statistic: f64,
    pub p_value: f64,
    pub level: f64,
    pub q: f64,
    pub q_df: usize,
    pub q_p: f64,
    pub i2: f64,
    pub h2: f64,
    /// Tables given, and those with an escalc estimate (used by Q).
    pub k: usize,
    pub k_q: usize,
}

/// The escalc estimates of `tables` by `measure`, with ½ added to tables with a zero cell and
/// tables without events (or with only events) in both groups left out (metafor's drop00).
fn tables_escalc(measure: EffectMeasure, tables: &[(u64, u64, u64, u64)]) -> Result<(Vec<f64>, Vec<f64>)> {
    let (mut yi, mut vi) = (Vec::new(), Vec::new());
    for &(a, n1, c, n2) in tables {
        if let Some(e) = count_effect(measure, a as f64, n1 as f64, c as f64, n2 as f64, true)? {
            yi.push(e.yi);
            vi.push(e.vi);
        }
    }
    Ok((yi, vi))
}

/// (Q, df, p, I², H², studies) from Q on `k_q` studies (df k_q − 1; none below two).
fn heterogeneity(q: f64, k_q: usize) -> (f64, usize, f64, f64, f64, usize) {
    if k_q < 2 {
        return (q.max(0.0), 0, 1.0, 0.0, 1.0, k_q);
    }
    let q = q.max(0.0);
    let df = (k_q - 1) as f64;
    let i2 = if q > 0.0 { (100.0 * (q - df) / q).max(0.0) } else { 0.0 };
    (q, k_q - 1, crate::stats::dist::pchisq_upper(q, df), i2, q / df, k_q)
}

fn tables_fit(estimate: f64, se: f64, level: f64, het: (f64, usize, f64, f64, f64, usize), k: usize) -> TablesFit {
    let z = z_crit(level);
    let statistic = estimate / se;
    let (q, q_df, q_p, i2, h2, k_q) = het;
    TablesFit { estimate, se, lower: estimate - z * se, upper: estimate + z * se, statistic, p_value: crate::stats::dist::two_sided_z_p(statistic), level, q, q_df, q_p, i2, h2, k, k_q }
}

/// Mantel–Haenszel pooled RR (Greenland–Robins variance), OR (Robins–Breslow–Greenland) or RD
/// (Sato's variance) of tables (a events of n₁, c of n₂), computed from the tables as they are
/// ([`crate::stats::stratified`]). Errors: an estimate that is 0, infinite or undefined on its
/// scale, or a zero variance (e.g. no events at all).
pub fn mantel_haenszel(measure: EffectMeasure, tables: &[(u64, u64, u64, u64)], level: f64) -> Result<TablesFit> {
    use crate::data::{BinomialCount, Stratum, TwoByTwo};
    use crate::stats::stratified::{mh_odds_ratio, mh_risk_difference, mh_risk_ratio};
    let strata: Vec<Stratum> = tables
        .iter()
        .enumerate()
        .map(|(i, &(a, n1, c, n2))| Ok(Stratum { label: format!("study {}", i + 1), table: TwoByTwo::new(BinomialCount::new(a, n1)?, BinomialCount::new(c, n2)?) }))
        .collect::<Result<_>>()?;
    let e = match measure {
        EffectMeasure::Rr => mh_risk_ratio(&strata, level)?,
        EffectMeasure::Or => mh_odds_ratio(&strata, level)?,
        EffectMeasure::Rd => mh_risk_difference(&strata, crate::stats::Method::Sato, level)?,
        _ => return Err(Error::invalid("measure", format!("{measure:?}"), "RR, OR or RD for Mantel–Haenszel")),
    };
    let undefined = || Error::Undefined { measure: e.measure, method: e.method, reason: e.notes.join("; ") };
    let (estimate, se) = match (measure, e.estimate, e.se_log, e.ci) {
        (EffectMeasure::Rd, Some(x), _, Some(_)) => (x, e.se.ok_or_else(undefined)?),
        (_, Some(x), Some(se), Some(_)) => (x.ln(), se),
        _ => return Err(undefined()),
    };
    // Q around the MH estimate, of the studies' escalc estimates (as rma.mh).
    let (yi, vi) = tables_escalc(measure, tables)?;
    let q: f64 = yi.iter().zip(&vi).map(|(y, v)| (y - estimate) * (y - estimate) / v).sum();
    Ok(tables_fit(estimate, se, level, heterogeneity(q, yi.len()), tables.len()))
}

/// Peto's one-step pooled log odds ratio: Σ(O − E)/ΣV with SE 1/√ΣV (O = a, E and V of each
/// table as in [`count_effect`]'s PETO-OR, from the tables as they are; tables with V = 0 add
/// nothing).
pub fn peto(tables: &[(u64, u64, u64, u64)], level: f64) -> Result<TablesFit> {
    // Σ(O − E), ΣV, Σ(O − E)²/V and the number of tables with V > 0.
    let (mut o_e, mut v, mut q_sum, mut k_pos) = (0.0, 0.0, 0.0, 0usize);
    for &(a, n1, c, n2) in tables {
        let (a, n1, c, n2) = (a as f64, n1 as f64, c as f64, n2 as f64);
        let n = n1 + n2;
        if n < 2.0 {
            continue;
        }
        let (xt, yt) = (a + c, n - a - c);
        let vi = xt * yt * (n1 / n) * (n2 / n) / (n - 1.0);
        if vi > 0.0 {
            let d = a - xt * n1 / n;
            o_e += d;
            v += vi;
            q_sum += d * d / vi;
            k_pos += 1;
        }
    }
    if v <= 0.0 {
        return Err(Error::invalid("tables", "no events (or only events) in every study", "a study with both events and non-events for Peto's odds ratio"));
    }
    let q = q_sum - o_e * o_e / v;
    let k_q = tables_escalc(EffectMeasure::PetoOr, tables)?.0.len();
    let het = if k_pos > 1 { heterogeneity(q, k_q) } else { (q.max(0.0), k_q.saturating_sub(1), 1.0, 0.0, 1.0, k_q) };
    Ok(tables_fit(o_e / v, 1.0 / v.sqrt(), level, het, tables.len()))
}

/// Leave-one-out analysis (metafor's `leave1out`): the model refitted without each study in
/// turn (`opts` as for the full fit), one fit per study in study order.
pub fn leave_one_out(yi: &[f64], vi: &[f64], opts: &MetaOptions) -> Result<Vec<MetaFit>> {
    if yi.len() < 2 {
        return Err(Error::invalid("studies", yi.len(), "at least two studies to leave one out"));
    }
    (0..yi.len())
        .map(|i| {
            let y: Vec<f64> = yi.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, v)| *v).collect();
            let v: Vec<f64> = vi.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, v)| *v).collect();
            meta_fit(&y, &v, opts)
        })
        .collect()
}

/// Cumulative meta-analysis (metafor's `cumul`): the model fitted to the first 1, 2, …, k
/// studies of `order` (indices into the studies, e.g. by publication year).
pub fn cumulative(yi: &[f64], vi: &[f64], order: &[usize], opts: &MetaOptions) -> Result<Vec<MetaFit>> {
    if order.len() != yi.len() || order.iter().any(|&i| i >= yi.len()) {
        return Err(Error::invalid("order", order.len(), "each study's index once"));
    }
    let (mut y, mut v) = (Vec::with_capacity(yi.len()), Vec::with_capacity(yi.len()));
    order
        .iter()
        .map(|&i| {
            y.push(yi[i]);
            v.push(vi[i]);
            meta_fit(&y, &v, opts)
        })
        .collect()
}

/// A mixed-effects meta-regression (metafor's `rma(yi, vi, mods = ~ x)`): coefficients with
/// their tests, residual heterogeneity and the test of the moderators.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MetaRegression {
    pub method: Option<Tau2Method>,
    pub test: MetaTest,
    pub k: usize,
    /// Intercept first, then one per moderator column.
    pub coef: Vec<f64>,
    pub se: Vec<f64>,
    pub statistic: Vec<f64>,
    pub p_value: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Residual τ², I² (percent), H².
    pub tau2: f64,
    pub i2: f64,
    pub h2: f64,
    /// Proportion of τ² explained (percent): max(0, (τ²₀ − τ²)/τ²₀) with τ²₀ of the model
    /// without moderators; `None` for a common-effect model or when τ²₀ = 0.
    pub r2: Option<f64>,
    /// Residual heterogeneity Q_E on k − p df.
    pub qe: f64,
    pub qe_df: usize,
    pub qe_p: f64,
    /// Test of the moderators: χ² on p − 1 df (z test), or F on (p − 1, k − p) df (HKSJ).
    pub qm: f64,
    pub qm_df: (usize, Option<usize>),
    pub qm_p: f64,
}

/// Weighted least squares pieces for weights w and design X (n × p, row-major): (XᵀWX)⁻¹,
/// b = (XᵀWX)⁻¹XᵀWy, and the residual quadratic form yᵀPy = Σw(y − Xb)².
fn wls(y: &[f64], x: &[Vec<f64>], w: &[f64]) -> Result<(Vec<Vec<f64>>, Vec<f64>, f64)> {
    let p = x[0].len();
    let mut xtwx = vec![vec![0.0; p]; p];
    let mut xtwy = vec![0.0; p];
    for ((row, wi), yi) in x.iter().zip(w).zip(y) {
        for a in 0..p {
            xtwy[a] += wi * row[a] * yi;
            for b in 0..p {
                xtwx[a][b] += wi * row[a] * row[b];
            }
        }
    }
    let inv = invert(&xtwx).ok_or_else(|| Error::invalid("moderators", "collinear", "moderators that are not constant or collinear"))?;
    let b: Vec<f64> = (0..p).map(|a| (0..p).map(|c| inv[a][c] * xtwy[c]).sum()).collect();
    let rss: f64 = x
        .iter()
        .zip(w)
        .zip(y)
        .map(|((row, wi), yi)| {
            let fit: f64 = row.iter().zip(&b).map(|(r, c)| r * c).sum();
            wi * (yi - fit) * (yi - fit)
        })
        .sum();
    Ok((inv, b, rss))
}

/// The inverse of a small symmetric positive definite matrix (Gauss–Jordan); `None` if singular.
fn invert(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut a: Vec<Vec<f64>> = m.iter().enumerate().map(|(i, r)| r.iter().copied().chain((0..n).map(|j| f64::from(u8::from(i == j)))).collect()).collect();
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-300 {
            return None;
        }
        a.swap(c, p);
        let piv = a[c][c];
        a[c].iter_mut().for_each(|v| *v /= piv);
        for r in 0..n {
            if r != c {
                let f = a[r][c];
                if f != 0.0 {
                    for k in 0..2 * n {
                        a[r][k] -= f * a[c][k];
                    }
                }
            }
        }
    }
    Some(a.into_iter().map(|r| r[n..].to_vec()).collect())
}

/// The projection P = W − WX(XᵀWX)⁻¹XᵀW's trace and Σ P∘P, and yᵀPPy (for Fisher scoring).
fn p_stats(y: &[f64], x: &[Vec<f64>], w: &[f64]) -> Result<(f64, f64, f64, f64)> {
    let k = y.len();
    let (inv, b, rss) = wls(y, x, w)?;
    // H = X (XᵀWX)⁻¹ Xᵀ; P_ij = w_i δ_ij − w_i H_ij w_j.
    let h = |i: usize, j: usize| -> f64 {
        let p = x[0].len();
        let mut s = 0.0;
        for a in 0..p {
            for c in 0..p {
                s += x[i][a] * inv[a][c] * x[j][c];
            }
        }
        s
    };
    let (mut tr, mut pp) = (0.0, 0.0);
    for i in 0..k {
        for j in 0..k {
            let pij = if i == j { w[i] } else { 0.0 } - w[i] * h(i, j) * w[j];
            if i == j {
                tr += pij;
            }
            pp += pij * pij;
        }
    }
    // Py = w ∘ (y − Xb); yᵀPPy = Σ (w_i r_i)².
    let ypy: f64 = (0..k)
        .map(|i| {
            let r = y[i] - x[i].iter().zip(&b).map(|(a, c)| a * c).sum::<f64>();
            (w[i] * r) * (w[i] * r)
        })
        .sum();
    Ok((tr, pp, ypy, rss))
}

/// Meta-regression of `yi` on the moderator columns `mods` (each one value per study; an
/// intercept is added), τ² by `opts.method` (REML, ML, DL, HE; `None`: common effect), tests
/// as `opts.test` (z, or Knapp–Hartung t and F). Formulas as for [`meta_fit`] with the
/// projection P = W − WX(XᵀWX)⁻¹XᵀW in place of its intercept-only form (metafor's `rma.uni`).
pub fn meta_regression(yi: &[f64], vi: &[f64], mods: &[Vec<f64>], opts: &MetaOptions) -> Result<MetaRegression> {
    let k = yi.len();
    let p = mods.len() + 1;
    if mods.iter().any(|m| m.len() != k) || vi.len() != k {
        return Err(Error::invalid("moderators", "lengths differ", "one value per study"));
    }
    if k <= p {
        return Err(Error::invalid("studies", k, format!("more studies than coefficients ({p})")));
    }
    if let Some((i, v)) = vi.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v > 0.0)) {
        return Err(Error::invalid(format!("study {} variance", i + 1), v, "a finite variance > 0"));
    }
    let x: Vec<Vec<f64>> = (0..k).map(|i| std::iter::once(1.0).chain(mods.iter().map(|m| m[i])).collect()).collect();
    let (kf, pf) = (k as f64, p as f64);
    let w0: Vec<f64> = vi.iter().map(|v| 1.0 / v).collect();
    let (tr0, _, _, qe) = p_stats(yi, &x, &w0)?;
    let tau2 = match opts.method {
        None => 0.0,
        Some(Tau2Method::Dl) => ((qe - (kf - pf)) / tr0).max(0.0),
        Some(Tau2Method::He) | Some(Tau2Method::Reml) | Some(Tau2Method::Ml) => {
            // Hedges: OLS residuals; P = I − X(XᵀX)⁻¹Xᵀ; τ² = (RSS − tr(PV))/(k − p).
            let ones = vec![1.0; k];
            let (inv, _, rss) = wls(yi, &x, &ones)?;
            let tr_pv: f64 = (0..k)
                .map(|i| {
                    let hii: f64 = (0..p).map(|a| (0..p).map(|c| x[i][a] * inv[a][c] * x[i][c]).sum::<f64>()).sum();
                    (1.0 - hii) * vi[i]
                })
                .sum();
            let he = (rss - tr_pv) / (kf - pf);
            match opts.method {
                Some(Tau2Method::He) => he.max(0.0),
                Some(m) => regression_scoring(yi, vi, &x, m, he.max(0.0))?,
                None => 0.0,
            }
        }
        Some(m) => return Err(Error::invalid("method", m.name(), "REML, ML, DL or HE for a meta-regression")),
    };
    let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
    let (inv, b, rss_w) = wls(yi, &x, &w)?;
    let s2w = match opts.test {
        MetaTest::Z => 1.0,
        MetaTest::Knha => rss_w / (kf - pf),
        MetaTest::Adhoc => (rss_w / (kf - pf)).max(1.0),
    };
    let se: Vec<f64> = (0..p).map(|a| (s2w * inv[a][a]).sqrt()).collect();
    let df_t = kf - pf;
    let (crit, pv): (f64, Box<dyn Fn(f64) -> f64>) = match opts.test {
        MetaTest::Z => (z_crit(opts.level), Box::new(crate::stats::dist::two_sided_z_p)),
        _ => (crate::stats::dist::t_for_level(opts.level, df_t), Box::new(move |t| crate::stats::dist::two_sided_t_p(t, df_t))),
    };
    let statistic: Vec<f64> = b.iter().zip(&se).map(|(b, s)| b / s).collect();
    // QM: the moderators' coefficients against 0 with their covariance s2w (XᵀWX)⁻¹.
    let m = p - 1;
    let sub: Vec<Vec<f64>> = (1..p).map(|a| (1..p).map(|c| s2w * inv[a][c]).collect()).collect();
    let sub_inv = invert(&sub).ok_or_else(|| Error::invalid("moderators", "singular", "moderators with variance"))?;
    let qm: f64 = (0..m).map(|a| (0..m).map(|c| b[a + 1] * sub_inv[a][c] * b[c + 1]).sum::<f64>()).sum();
    let (qm, qm_df, qm_p) = match opts.test {
        MetaTest::Z => (qm, (m, None), crate::stats::dist::pchisq_upper(qm, m as f64)),
        _ => {
            let f = qm / m as f64;
            (f, (m, Some(k - p)), crate::stats::dist::pf_upper(f, m as f64, df_t))
        }
    };
    let vt = (kf - pf) / tr0;
    let (i2, h2) = match opts.method {
        Some(_) => (100.0 * tau2 / (vt + tau2), 1.0 + tau2 / vt),
        None => (if qe > 0.0 { (100.0 * (qe - (kf - pf)) / qe).max(0.0) } else { 0.0 }, qe / (kf - pf)),
    };
    let r2 = match opts.method {
        Some(mm) => {
            let t0 = meta_fit(yi, vi, &MetaOptions { method: Some(mm), test: MetaTest::Z, level: opts.level })?.tau2;
            (t0 > 0.0).then(|| (100.0 * (t0 - tau2) / t0).max(0.0))
        }
        None => None,
    };
    Ok(MetaRegression {
        method: opts.method,
        test: opts.test,
        k,
        lower: b.iter().zip(&se).map(|(b, s)| b - crit * s).collect(),
        upper: b.iter().zip(&se).map(|(b, s)| b + crit * s).collect(),
        p_value: statistic.iter().map(|t| pv(*t)).collect(),
        coef: b,
        se,
        statistic,
        tau2,
        i2,
        h2,
        r2,
        qe,
        qe_df: k - p,
        qe_p: crate::stats::dist::pchisq_upper(qe, kf - pf),
        qm,
        qm_df,
        qm_p,
    })
}

/// Fisher scoring for REML and ML with moderators (metafor's updates, step halving at 0, to
/// [`SCORING_TOL`]).
fn regression_scoring(yi: &[f64], vi: &[f64], x: &[Vec<f64>], method: Tau2Method, start: f64) -> Result<f64> {
    let mut tau2 = start;
    for _ in 0..SCORING_MAX_ITER {
        let w: Vec<f64> = vi.iter().map(|v| 1.0 / (v + tau2)).collect();
        let (tr, pp, ypy, _) = p_stats(yi, x, &w)?;
        let mut adj = match method {
            Tau2Method::Ml => (ypy - w.iter().sum::<f64>()) / w.iter().map(|v| v * v).sum::<f64>(),
            _ => (ypy - tr) / pp,
        };
        while tau2 + adj < 0.0 {
            adj /= 2.0;
        }
        let old = tau2;
        tau2 += adj;
        if (old - tau2).abs() <= SCORING_TOL * tau2.max(1.0) {
            return Ok(tau2);
        }
    }
    Err(Error::NoConvergence { what: format!("τ² by {} (Fisher scoring, meta-regression)", method.name().to_uppercase()), detail: format!("{SCORING_MAX_ITER} iterations; last τ² = {tau2}") })
}

/// The model of Egger's test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EggerModel {
    /// The classical test (Egger et al. 1997, BMJ 315:629; `regtest(model = "lm")`): weighted
    /// least squares (weights 1/vᵢ) with a multiplicative dispersion, t on k − 2 df.
    Weighted,
    /// metafor's default `regtest(model = "rma")`: a meta-regression on the SE with the fit's τ²
    /// estimator (`None`: the common-effect model, weights 1/vᵢ, no dispersion), z test.
    MetaRegression(Option<Tau2Method>),
}

/// Egger's regression test for funnel-plot asymmetry (metafor's `regtest`): the regression of
/// yᵢ on its standard error √vᵢ; see [`EggerModel`]. The slope on √v is the asymmetry
/// coefficient; the intercept is the limit estimate (the effect of a study with SE → 0).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EggerTest {
    pub model: EggerModel,
    pub k: usize,
    /// The slope on the standard error, its SE, CI, z or t statistic and p.
    pub slope: f64,
    pub slope_se: f64,
    pub slope_lower: f64,
    pub slope_upper: f64,
    pub statistic: f64,
    pub df: Option<f64>,
    pub p_value: f64,
    /// The limit estimate (intercept) with its CI (analysis scale).
    pub limit: f64,
    pub limit_lower: f64,
    pub limit_upper: f64,
    /// Residual τ² of the mixed-effects version.
    pub tau2: f64,
}

/// Egger's test; see [`EggerTest`]. Needs at least three studies.
pub fn egger_test(yi: &[f64], vi: &[f64], model: EggerModel, level: f64) -> Result<EggerTest> {
    if yi.len() < 3 {
        return Err(Error::invalid("studies", yi.len(), "at least three studies for Egger's regression test"));
    }
    let sei: Vec<f64> = vi.iter().map(|v| v.sqrt()).collect();
    let (method, test) = match model {
        EggerModel::Weighted => (None, MetaTest::Knha),
        EggerModel::MetaRegression(m) => (m, MetaTest::Z),
    };
    let r = meta_regression(yi, vi, &[sei], &MetaOptions { method, test, level })?;
    Ok(EggerTest {
        model,
        k: yi.len(),
        slope: r.coef[1],
        slope_se: r.se[1],
        slope_lower: r.lower[1],
        slope_upper: r.upper[1],
        statistic: r.statistic[1],
        df: (test == MetaTest::Knha).then_some((yi.len() - 2) as f64),
        p_value: r.p_value[1],
        limit: r.coef[0],
        limit_lower: r.lower[0],
        limit_upper: r.upper[0],
        tau2: r.tau2,
    })
}

/// Which side of the funnel studies are estimated to be missing from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FunnelSide {
    Left,
    Right,
}

/// The trim-and-fill analysis (Duval & Tweedie 2000, Biometrics 56:455; estimator L0, as
/// metafor's `trimfill`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrimFill {
    pub side: FunnelSide,
    /// Studies estimated missing (filled), and the SE of that estimate.
    pub k0: usize,
    pub se_k0: f64,
    pub iterations: usize,
    /// The filled studies (analysis scale) and the index of the study each mirrors.
    pub filled_yi: Vec<f64>,
    pub filled_vi: Vec<f64>,
    pub mirrors: Vec<usize>,
    /// The model fitted to the observed and filled studies (the original fit when k0 = 0).
    pub fit: MetaFit,
}

/// Trim and fill with the L0 estimator. The side is that of metafor (`side = NULL`): the
/// studies are missing on the right if the slope of the Egger-type regression on √v (same τ²
/// estimator) is negative, else on the left. With y flipped for the right side and sorted, each
/// iteration fits the k − k₀ smallest, ranks |yᵢ − μ̂| over all k, sums the ranks S of the
/// positive deviations, L0 = (4S − k(k + 1))/(2k − 1) and k₀ = max(0, round(L0)), until k₀
/// repeats; var(S) and SE(k₀) as Duval & Tweedie. The k₀ most extreme studies are mirrored about
/// the last μ̂ (same variance) and the model refitted with `opts` on k + k₀ studies.
pub fn trim_and_fill(yi: &[f64], vi: &[f64], opts: &MetaOptions) -> Result<TrimFill> {
    let k = yi.len();
    if k < 3 {
        return Err(Error::invalid("studies", k, "at least three studies for trim and fill"));
    }
    let z_opts = MetaOptions { test: MetaTest::Z, ..*opts };
    let sei: Vec<f64> = vi.iter().map(|v| v.sqrt()).collect();
    let reg_method = match opts.method {
        None => None,
        Some(m) if m.takes_moderators() => Some(m),
        Some(m) => return Err(Error::invalid("trim and fill", m.name(), "τ² by REML, ML, DL or HE, or the common effect (its side comes from a meta-regression)")),
    };
    let slope = meta_regression(yi, vi, &[sei], &MetaOptions { method: reg_method, test: MetaTest::Z, level: opts.level })?.coef[1];
    let side = if slope < 0.0 { FunnelSide::Right } else { FunnelSide::Left };
    let sgn = if side == FunnelSide::Right { -1.0 } else { 1.0 };
    let mut ix: Vec<usize> = (0..k).collect();
    ix.sort_by(|&a, &b| (sgn * yi[a]).total_cmp(&(sgn * yi[b])));
    let ys: Vec<f64> = ix.iter().map(|&i| sgn * yi[i]).collect();
    let vs: Vec<f64> = ix.iter().map(|&i| vi[i]).collect();
    let kf = k as f64;
    let (mut k0, mut prev, mut iterations, mut beta, mut se_k0) = (0usize, usize::MAX, 0usize, 0.0, 0.0);
    while k0 != prev {
        prev = k0;
        iterations += 1;
        if iterations > 100 {
            return Err(Error::NoConvergence { what: "trim and fill".into(), detail: "k0 did not settle in 100 iterations".into() });
        }
        beta = meta_fit(&ys[..k - k0], &vs[..k - k0], &z_opts)?.estimate;
        let yc: Vec<f64> = ys.iter().map(|y| y - beta).collect();
        // rank(|yc|, ties.method = "first"): stable order of |yc|.
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| yc[a].abs().total_cmp(&yc[b].abs()));
        let mut sr = 0.0;
        for (rank, &i) in order.iter().enumerate() {
            if yc[i] > 0.0 {
                sr += (rank + 1) as f64;
            }
        }
        let l0 = (4.0 * sr - kf * (kf + 1.0)) / (2.0 * kf - 1.0);
        let var_sr = (kf * (kf + 1.0) * (2.0 * kf + 1.0) + 10.0 * l0.powi(3) + 27.0 * l0 * l0 + 17.0 * l0 - 18.0 * kf * l0 * l0 - 18.0 * kf * l0 + 6.0 * kf * kf * l0) / 24.0;
        se_k0 = (4.0 * var_sr.max(0.0).sqrt() / (2.0 * kf - 1.0)).max(0.0);
        k0 = l0.round().max(0.0) as usize;
        k0 = k0.min(k - 1);
    }
    let tail = k - k0..k;
    let filled_yi: Vec<f64> = tail.clone().map(|j| sgn * (2.0 * beta - ys[j])).collect();
    let filled_vi: Vec<f64> = tail.clone().map(|j| vs[j]).collect();
    let mirrors: Vec<usize> = tail.map(|j| ix[j]).collect();
    let y: Vec<f64> = yi.iter().chain(&filled_yi).copied().collect();
    let v: Vec<f64> = vi.iter().chain(&filled_vi).copied().collect();
    let fit = meta_fit(&y, &v, &z_opts)?;
    Ok(TrimFill { side, k0, se_k0, iterations, filled_yi, filled_vi, mirrors, fit })
}

/// The test for subgroup differences: Q_between = Σ_g w_g (μ̂_g − μ̄)², w_g = 1/SE_g², on G − 1
/// df, from the subgroups' pooled estimates. With common-effect subgroup estimates this is
/// Q_total − Σ Q_within (metafor's QM of `rma(mods = ~ factor(g), method = "FE")`); with each
/// subgroup's own random-effects estimate it is the test of RevMan and R's `meta`.
pub fn subgroup_difference(estimates: &[f64], ses: &[f64]) -> Result<(f64, usize, f64)> {
    if estimates.len() < 2 {
        return Err(Error::invalid("subgroups", estimates.len(), "at least two subgroups with a pooled estimate"));
    }
    let v: Vec<f64> = ses.iter().map(|s| s * s).collect();
    let q = pooled(estimates, &v, 0.0).2.max(0.0);
    let df = estimates.len() - 1;
    Ok((q, df, crate::stats::dist::pchisq_upper(q, df as f64)))
}
