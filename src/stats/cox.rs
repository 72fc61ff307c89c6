//! Cox proportional-hazards regression as R's `survival::coxph` fits it (Therneau 2024, survival
//! 3.5, `coxph.fit` → C `coxfit6`; Cox 1972, JRSS-B 34:187; Efron 1977, JASA 72:557; Breslow
//! 1974, Biometrics 30:89), and the test of proportional hazards of Grambsch & Therneau (1994,
//! Biometrika 81:515) as `cox.zph` computes it.
//!
//! # Partial likelihood
//! Subjects i with time tᵢ, event δᵢ, covariate row xᵢ, linear predictor ηᵢ = βᵀxᵢ, rᵢ = exp ηᵢ.
//! At a distinct event time t of a stratum, R(t) = {i in the stratum: tᵢ ≥ t} (an event and a
//! censoring at the same time: the censored subject is at risk), D(t) the d subjects with an
//! event at t, and S₀ = Σ_R r, S₁ = Σ_R r x, S₂ = Σ_R r x xᵀ; D₀, D₁, D₂ the same sums over D(t).
//! * **Breslow**: ℓ += Σ_D η − d log S₀; U += Σ_D x − d S₁/S₀; I += d (S₂/S₀ − (S₁/S₀)(S₁/S₀)ᵀ).
//! * **Efron**: for k = 0 … d−1 with f = k/d and s_j = S_j − f D_j (j = 0, 1, 2):
//!   ℓ += Σ_D η − Σ_k log s₀; U += Σ_D x − Σ_k s₁/s₀; I += Σ_k (s₂/s₀ − (s₁/s₀)(s₁/s₀)ᵀ).
//!   With d = 1 the two are the same.
//!
//! # Fitting (coxfit6)
//! Covariates whose values are not all in {−1, 0, 1} are centred at their means and scaled by
//! 1/mean|x − x̄| for the iterations (Newton–Raphson is invariant to this; it keeps exp η in
//! range); β starts at 0. Newton–Raphson: β ← β + I⁻¹U, with I factored by R's `cholesky2`
//! (LDLᵀ; a pivot below 1.8e-12 × the largest diagonal element is set to zero, so an aliased
//! column takes no step). Iteration k computes ℓ, U, I at the candidate; it has converged when
//! |1 − ℓ_best/ℓ| ≤ 1e-9 (ℓ_best: at the last accepted β; tested first, so a fall below that
//! size also ends it). Otherwise, if ℓ fell (or is not finite), the h-th successive halving
//! moves the candidate to (candidate + hβ)/(h + 1) (β + step/2, step/6, step/24, ...); else the
//! candidate is accepted and the next Newton step taken from it. At most 20 iterations; then
//! [`Error::NoConvergence`] (R warns "Ran out of iterations and did not converge" and returns
//! the last accepted β with a diagonal-only variance: numbers nobody should cite). The returned
//! β is the last candidate, its variance I⁻¹ at that β.
//!
//! # Tests (summary.coxph)
//! Wald: βᵀ V⁻¹ β; likelihood ratio: 2(ℓ(β̂) − ℓ(0)); score: U(0)ᵀ I(0)⁻¹ U(0); each χ² on
//! p degrees of freedom. Per coefficient: z = β/se, p = 2Φ(−|z|), HR CI exp(β ∓ z_{α/2} se).
//!
//! # Monotone likelihood
//! When an arm has no events (or all of them), ℓ keeps rising as β → ±∞ and converges in value
//! while β drifts. R's rule (coxph.fit): with U the score at the final β, the would-be next
//! step s = |V U| flags coefficient j when s_j > 1e-9 and s_j > √1e-9 · |β_j| ("Loglik converged
//! before variable j; coefficient may be infinite"). Such a coefficient is reported as an HR of
//! 0 or ∞ ([`CoxTerm::infinite`]) with no Wald CI, z or p; the global Wald test, meaningless
//! there, is omitted. The likelihood-ratio and score tests stay valid. When the 20 iterations
//! run out on such a likelihood before R's 1e-9 criterion is met (R: "Ran out of iterations and
//! did not converge"), but ℓ has settled (last change ≤ 1e-6 · max(1, |ℓ|)) and a coefficient is
//! diverging by the same rule,
//! the fit is reported the same way rather than as a failure (R's ℓ there is the last accepted
//! step's, within 1e-6 of this one).

use crate::data::check_level;
use crate::error::{Error, Result};
use crate::stats::dist::{pchisq_upper, two_sided_z_p, z_for_level};

/// How tied event times enter the partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ties {
    /// Efron's approximation (R's default).
    Efron,
    /// Breslow's approximation (SAS's and Stata's default).
    Breslow,
}

impl Ties {
    pub fn name(self) -> &'static str {
        match self {
            Ties::Efron => "efron",
            Ties::Breslow => "breslow",
        }
    }
}

/// The data of a Cox model: one entry per subject.
#[derive(Debug, Clone, Copy)]
pub struct CoxData<'a> {
    pub time: &'a [f64],
    pub event: &'a [bool],
    /// Columns of the design matrix (dummy-coded factors, numeric covariates), each one entry per
    /// subject. No intercept.
    pub columns: &'a [Vec<f64>],
    /// Stratum index per subject (a separate baseline hazard per stratum); `None` = one stratum.
    pub strata: Option<&'a [usize]>,
}

/// Fitting options; [`CoxOptions::new`] gives R's `coxph.control()` defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoxOptions {
    pub ties: Ties,
    pub level: f64,
    /// Newton–Raphson iterations allowed (R's `iter.max`, 20).
    pub max_iter: usize,
    /// Relative change of the log partial likelihood that ends the iterations (R's `eps`, 1e-9).
    pub eps: f64,
}

impl CoxOptions {
    pub fn new(ties: Ties, level: f64) -> Self {
        CoxOptions { ties, level, max_iter: 20, eps: 1e-9 }
    }
}

/// R's `toler.chol`: .Machine$double.eps^0.75.
const TOLER_CHOL: f64 = 1.8189894035458565e-12;

/// A χ² test.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ChiSqTest {
    pub chisq: f64,
    pub df: usize,
    pub p_value: f64,
}

impl ChiSqTest {
    fn new(chisq: f64, df: usize) -> Self {
        ChiSqTest { chisq, df, p_value: pchisq_upper(chisq, df as f64) }
    }
}

/// One coefficient of a fitted model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CoxTerm {
    /// β (log hazard ratio), as the last iteration left it.
    pub coef: f64,
    /// √V_jj.
    pub se: f64,
    /// exp β; 0 or ∞ when [`CoxTerm::infinite`].
    pub hazard_ratio: f64,
    /// Wald CI of the hazard ratio, exp(β ∓ z se); `None` when infinite.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub z: Option<f64>,
    pub p_value: Option<f64>,
    /// Monotone likelihood: the estimate diverges (R: "coefficient may be infinite").
    pub infinite: bool,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CoxFit {
    pub ties: Ties,
    pub level: f64,
    pub terms: Vec<CoxTerm>,
    /// V = I(β̂)⁻¹, row-major p × p (zero rows and columns for aliased coefficients).
    pub variance: Vec<Vec<f64>>,
    /// Log partial likelihood at β = 0 and at β̂.
    pub loglik_null: f64,
    pub loglik: f64,
    pub iterations: usize,
    pub n: u64,
    pub events: u64,
    /// Wald test of all coefficients; `None` when a coefficient is infinite.
    pub wald: Option<ChiSqTest>,
    pub likelihood_ratio: ChiSqTest,
    pub score: ChiSqTest,
}

impl CoxFit {
    /// The coefficients' estimates.
    pub fn coef(&self) -> Vec<f64> {
        self.terms.iter().map(|t| t.coef).collect()
    }
}

/// The subjects sorted by stratum and time, covariates centred and scaled, row-major.
struct Sorted {
    time: Vec<f64>,
    event: Vec<bool>,
    /// First index of each stratum's block, then n.
    bounds: Vec<usize>,
    x: Vec<f64>,
    p: usize,
    /// Multiplier applied to each column (β on the original scale = β_scaled · scale).
    scale: Vec<f64>,
}

impl Sorted {
    fn new(data: &CoxData) -> Result<Sorted> {
        let n = data.time.len();
        if data.event.len() != n || data.columns.iter().any(|c| c.len() != n) || data.strata.is_some_and(|s| s.len() != n) {
            return Err(Error::invalid("Cox model inputs", "lengths differ", "one event, covariate value (and stratum) per time"));
        }
        let strata = |i: usize| data.strata.map_or(0, |s| s[i]);
        Sorted::build(n, data.columns.len(), |i| data.time[i], |i| data.event[i], strata, |i, j| data.columns[j][i])
    }

    /// Sort, check and scale the data given by accessors: subject i's time, event, stratum
    /// (0 for all when unstratified) and covariate j (generic, so the sort's comparisons are
    /// inlined).
    fn build(n: usize, p: usize, time: impl Fn(usize) -> f64, event: impl Fn(usize) -> bool, stratum: impl Fn(usize) -> usize, x: impl Fn(usize, usize) -> f64) -> Result<Sorted> {
        if let Some(i) = (0..n).find(|&i| !(time(i).is_finite() && time(i) >= 0.0)) {
            return Err(Error::invalid(format!("time #{}", i + 1), time(i), "a finite time ≥ 0"));
        }
        for j in 0..p {
            if let Some(i) = (0..n).find(|&i| !x(i, j).is_finite()) {
                return Err(Error::invalid(format!("covariate column {}", j + 1), x(i, j), "finite values"));
            }
        }
        // u32 indices: half the memory of usize for a million subjects.
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|&a, &b| stratum(a as usize).cmp(&stratum(b as usize)).then(time(a as usize).total_cmp(&time(b as usize))));
        let mut bounds = vec![0];
        for k in 1..n {
            if stratum(order[k] as usize) != stratum(order[k - 1] as usize) {
                bounds.push(k);
            }
        }
        bounds.push(n);
        let mut scale = vec![1.0; p];
        let mut xs = vec![0.0; n * p];
        for j in 0..p {
            // R's `nocenter = c(-1, 0, 1)`: such columns (dummies) are left as they are.
            let plain = (0..n).all(|i| x(i, j) == 0.0 || x(i, j).abs() == 1.0);
            let mean = if plain { 0.0 } else { (0..n).map(|i| x(i, j)).sum::<f64>() / n as f64 };
            let mad = (0..n).map(|i| (x(i, j) - mean).abs()).sum::<f64>() / n as f64;
            scale[j] = if !plain && mad > 0.0 { 1.0 / mad } else { 1.0 };
            for (k, &i) in order.iter().enumerate() {
                xs[k * p + j] = (x(i as usize, j) - mean) * scale[j];
            }
        }
        Ok(Sorted {
            time: order.iter().map(|&i| time(i as usize)).collect(),
            event: order.iter().map(|&i| event(i as usize)).collect(),
            bounds,
            x: xs,
            p,
            scale,
        })
    }

    fn row(&self, k: usize) -> &[f64] {
        &self.x[k * self.p..(k + 1) * self.p]
    }

    /// ℓ, U and I (row-major p × p) at β (scaled).
    fn derivatives(&self, beta: &[f64], ties: Ties) -> (f64, Vec<f64>, Vec<f64>) {
        let p = self.p;
        let (mut loglik, mut u, mut imat) = (0.0, vec![0.0; p], vec![0.0; p * p]);
        self.each_event_time(beta, ties, |_, dl, du, di| {
            loglik += dl;
            u.iter_mut().zip(du).for_each(|(a, b)| *a += b);
            imat.iter_mut().zip(di).for_each(|(a, b)| *a += b);
        });
        (loglik, u, imat)
    }

    /// Visit each distinct event time t of each stratum (latest first) with its increments of
    /// ℓ, U and I (I row-major p × p, both triangles).
    fn each_event_time(&self, beta: &[f64], ties: Ties, mut visit: impl FnMut(f64, f64, &[f64], &[f64])) {
        let p = self.p;
        let eta = |k: usize| self.row(k).iter().zip(beta).map(|(x, b)| x * b).sum::<f64>();
        // Risk-set sums (subjects already passed, later times) and the tied deaths' sums.
        let (mut s1, mut d1) = (vec![0.0; p], vec![0.0; p]);
        let (mut s2, mut d2) = (vec![0.0; p * p], vec![0.0; p * p]);
        let (mut mean, mut du, mut di) = (vec![0.0; p], vec![0.0; p], vec![0.0; p * p]);
        for w in self.bounds.windows(2) {
            let (lo, hi) = (w[0], w[1]);
            let mut s0 = 0.0;
            s1.iter_mut().for_each(|v| *v = 0.0);
            s2.iter_mut().for_each(|v| *v = 0.0);
            let mut k = hi;
            while k > lo {
                let t = self.time[k - 1];
                let (mut d0, mut deaths, mut dl) = (0.0, 0usize, 0.0);
                d1.iter_mut().for_each(|v| *v = 0.0);
                d2.iter_mut().for_each(|v| *v = 0.0);
                du.iter_mut().for_each(|v| *v = 0.0);
                while k > lo && self.time[k - 1] == t {
                    k -= 1;
                    let (x, e) = (self.row(k), eta(k));
                    let r = e.exp();
                    let (z0, z1, z2) = if self.event[k] {
                        deaths += 1;
                        dl += e;
                        du.iter_mut().zip(x).for_each(|(a, b)| *a += b);
                        (&mut d0, &mut d1, &mut d2)
                    } else {
                        (&mut s0, &mut s1, &mut s2)
                    };
                    *z0 += r;
                    for a in 0..p {
                        z1[a] += r * x[a];
                        for b in 0..=a {
                            z2[a * p + b] += r * x[a] * x[b];
                        }
                    }
                }
                if deaths > 0 {
                    di.iter_mut().for_each(|v| *v = 0.0);
                    let efron = ties == Ties::Efron && deaths > 1;
                    let (steps, wt) = if efron { (deaths, 1.0) } else { (1, deaths as f64) };
                    for step in 0..steps {
                        // Efron: the tied deaths' share (1 − k/d); Breslow: all of it.
                        let f = if efron { 1.0 - step as f64 / deaths as f64 } else { 1.0 };
                        let denom = s0 + f * d0;
                        dl -= wt * denom.ln();
                        for a in 0..p {
                            mean[a] = (s1[a] + f * d1[a]) / denom;
                            du[a] -= wt * mean[a];
                        }
                        for a in 0..p {
                            for b in 0..=a {
                                di[a * p + b] += wt * ((s2[a * p + b] + f * d2[a * p + b]) / denom - mean[a] * mean[b]);
                            }
                        }
                    }
                    for a in 0..p {
                        for b in 0..a {
                            di[b * p + a] = di[a * p + b];
                        }
                    }
                    visit(t, dl, &du, &di);
                }
                s0 += d0;
                for a in 0..p {
                    s1[a] += d1[a];
                    for b in 0..=a {
                        s2[a * p + b] += d2[a * p + b];
                    }
                }
            }
        }
    }
}

/// R's `cholesky2`: in place LDLᵀ of a symmetric p × p matrix (row-major; L below the diagonal,
/// D on it). A pivot below `TOLER_CHOL` × the largest diagonal element (or not finite) is set to
/// 0: that column is treated as aliased.
fn cholesky2(m: &mut [f64], p: usize) {
    let max_diag = (0..p).map(|i| m[i * p + i]).fold(0.0f64, f64::max);
    let eps = if max_diag == 0.0 { TOLER_CHOL } else { max_diag * TOLER_CHOL };
    for i in 0..p {
        let pivot = m[i * p + i];
        if !pivot.is_finite() || pivot < eps {
            m[i * p + i] = 0.0;
            continue;
        }
        for j in (i + 1)..p {
            let temp = m[j * p + i] / pivot;
            m[j * p + i] = temp;
            m[j * p + j] -= temp * temp * pivot;
            for k in (j + 1)..p {
                m[k * p + j] -= temp * m[k * p + i];
            }
        }
    }
}

/// R's `chsolve2`: solve (LDLᵀ) b = y in place with the factor from [`cholesky2`]; components of
/// aliased columns are 0.
fn chsolve2(m: &[f64], p: usize, y: &mut [f64]) {
    for i in 0..p {
        let s: f64 = (0..i).map(|j| y[j] * m[i * p + j]).sum();
        y[i] -= s;
    }
    for i in (0..p).rev() {
        if m[i * p + i] == 0.0 {
            y[i] = 0.0;
        } else {
            let mut t = y[i] / m[i * p + i];
            for j in (i + 1)..p {
                t -= y[j] * m[j * p + i];
            }
            y[i] = t;
        }
    }
}

/// The inverse of a factored matrix, column by column (aliased rows and columns 0).
fn chinv(m: &[f64], p: usize) -> Vec<f64> {
    let mut inv = vec![0.0; p * p];
    for c in 0..p {
        let mut e = vec![0.0; p];
        e[c] = 1.0;
        chsolve2(m, p, &mut e);
        for r in 0..p {
            inv[r * p + c] = e[r];
        }
    }
    inv
}

/// Newton step I⁻¹U (0 for aliased columns).
fn newton_step(imat: &[f64], u: &[f64], p: usize) -> Vec<f64> {
    let mut m = imat.to_vec();
    cholesky2(&mut m, p);
    let mut step = u.to_vec();
    chsolve2(&m, p, &mut step);
    step
}

/// How settled ℓ must be (last change ≤ this × max(1, |ℓ|)) for a fit that ran out of
/// iterations to count as a monotone likelihood rather than a failure.
const MONOTONE_SETTLED: f64 = 1e-6;

/// R's rule for a coefficient that may be infinite (coxph.fit): with V = I⁻¹ and U at the last
/// β (scaled), the next step s = |V U| on the covariates' own scale is > eps and
/// > √eps · |β_j|.
fn diverging(imat: &[f64], u: &[f64], beta_scaled: &[f64], scale: &[f64], eps: f64) -> Vec<bool> {
    let p = u.len();
    let mut fac = imat.to_vec();
    cholesky2(&mut fac, p);
    let v = chinv(&fac, p);
    (0..p)
        .map(|a| {
            let next = scale[a] * (0..p).map(|b| v[a * p + b] * u[b]).sum::<f64>().abs();
            next > eps && next > eps.sqrt() * (beta_scaled[a] * scale[a]).abs()
        })
        .collect()
}

/// Fit a Cox model to `data` (see the module documentation for the algorithm and its rules).
/// Errors: inconsistent or invalid inputs, no events, no covariate, no convergence in
/// `max_iter` iterations ([`Error::NoConvergence`], with the iterations' log-likelihoods).
pub fn cox_ph(data: &CoxData, opts: &CoxOptions) -> Result<CoxFit> {
    CoxModel::new(data)?.fit(opts)
}

/// The data of a Cox model prepared once (sorted by stratum and time, covariates scaled, in
/// one row-major block) for a fit and its proportional-hazards test; the caller's columns can
/// be dropped once it is built.
pub struct CoxModel {
    s: Sorted,
}

impl CoxModel {
    pub fn new(data: &CoxData) -> Result<CoxModel> {
        Ok(CoxModel { s: Sorted::new(data)? })
    }

    /// A model of data given by accessors, for callers that hold it in another shape (arm
    /// indices instead of dummy columns, a subset of subjects) and would otherwise copy it: `n`
    /// subjects, `p` covariates, subject i's time, event, stratum (`None` = one stratum) and
    /// covariate j. Nothing is copied but into the model's own sorted block.
    pub fn from_accessors(
        n: usize,
        p: usize,
        time: impl Fn(usize) -> f64,
        event: impl Fn(usize) -> bool,
        stratum: Option<impl Fn(usize) -> usize>,
        x: impl Fn(usize, usize) -> f64,
    ) -> Result<CoxModel> {
        let s = match stratum {
            Some(st) => Sorted::build(n, p, time, event, st, x)?,
            None => Sorted::build(n, p, time, event, |_| 0, x)?,
        };
        Ok(CoxModel { s })
    }

    /// [`cox_ph`] on the prepared data.
    pub fn fit(&self, opts: &CoxOptions) -> Result<CoxFit> {
        fit_sorted(&self.s, opts)
    }

    /// [`cox_zph`] on the prepared data.
    pub fn zph(&self, fit: &CoxFit, terms: &[Vec<usize>]) -> Result<Zph> {
        zph_sorted(&self.s, fit, terms)
    }
}

fn fit_sorted(s: &Sorted, opts: &CoxOptions) -> Result<CoxFit> {
    check_level(opts.level)?;
    let p = s.p;
    if p == 0 {
        return Err(Error::invalid("Cox model", "no covariate", "at least one covariate column"));
    }
    let events = s.event.iter().filter(|&&e| e).count() as u64;
    if events == 0 {
        return Err(Error::invalid("Cox model", "no events", "at least one event"));
    }
    let mut beta = vec![0.0; p];
    let (loglik_null, u0, i0) = s.derivatives(&beta, opts.ties);
    let step0 = newton_step(&i0, &u0, p);
    let score = ChiSqTest::new(step0.iter().zip(&u0).map(|(a, b)| a * b).sum(), p);
    let mut candidate: Vec<f64> = step0;
    let mut best = loglik_null;
    let mut halving = 0u32;
    let mut trail = vec![loglik_null];
    let mut iter = 0;
    let (loglik, u, imat) = loop {
        iter += 1;
        let (lk, u, imat) = s.derivatives(&candidate, opts.ties);
        trail.push(lk);
        let finite = lk.is_finite() && u.iter().chain(&imat).all(|v| v.is_finite());
        if finite && (1.0 - best / lk).abs() <= opts.eps {
            break (lk, u, imat);
        }
        if iter >= opts.max_iter {
            // Monotone likelihood that R's 1e-9 criterion has not caught within the iterations:
            // ℓ has settled (its last change within 1e-6 · max(1, |ℓ|): with perfect separation
            // ℓ itself goes to 0) while a coefficient still moves by about itself each step.
            if finite && (lk - best).abs() <= MONOTONE_SETTLED * lk.abs().max(1.0) && diverging(&imat, &u, &candidate, &s.scale, opts.eps).iter().any(|&d| d) {
                break (lk, u, imat);
            }
            let shown: Vec<String> = trail.iter().map(|v| format!("{v:.6}")).collect();
            return Err(Error::NoConvergence {
                what: "Cox model (Newton–Raphson)".into(),
                detail: format!(
                    "{} iterations; log partial likelihood by iteration: {}; check for a covariate that separates events (an arm or level with no events), collinear covariates, or extreme covariate values",
                    opts.max_iter,
                    shown.join(", ")
                ),
            });
        }
        if !finite || lk < best {
            halving += 1;
            let h = f64::from(halving);
            for (c, b) in candidate.iter_mut().zip(&beta) {
                *c = (*c + h * b) / (h + 1.0);
            }
        } else {
            halving = 0;
            best = lk;
            let step = newton_step(&imat, &u, p);
            beta.clone_from(&candidate);
            for (c, st) in candidate.iter_mut().zip(&step) {
                *c += st;
            }
        }
    };
    let mut fac = imat.clone();
    cholesky2(&mut fac, p);
    let var_scaled = chinv(&fac, p);
    // Back to the covariates' own scale.
    let coef: Vec<f64> = candidate.iter().zip(&s.scale).map(|(b, sc)| b * sc).collect();
    let variance: Vec<Vec<f64>> = (0..p).map(|a| (0..p).map(|b| var_scaled[a * p + b] * s.scale[a] * s.scale[b]).collect()).collect();
    let flags = diverging(&imat, &u, &candidate, &s.scale, opts.eps);
    let z_level = z_for_level(opts.level);
    let terms: Vec<CoxTerm> = (0..p)
        .map(|j| {
            let infinite = flags[j];
            let se = variance[j][j].sqrt();
            if infinite {
                let hr = if coef[j] < 0.0 { 0.0 } else { f64::INFINITY };
                return CoxTerm { coef: coef[j], se, hazard_ratio: hr, lower: None, upper: None, z: None, p_value: None, infinite };
            }
            let z = coef[j] / se;
            CoxTerm {
                coef: coef[j],
                se,
                hazard_ratio: coef[j].exp(),
                lower: Some((coef[j] - z_level * se).exp()),
                upper: Some((coef[j] + z_level * se).exp()),
                z: Some(z),
                p_value: Some(two_sided_z_p(z)),
                infinite,
            }
        })
        .collect();
    // Wald: βᵀ V⁻¹ β = β_sᵀ I_s β_s on the scaled covariates.
    let wald = (!terms.iter().any(|t| t.infinite)).then(|| {
        let mut b = candidate.clone();
        let mut f = var_scaled.clone();
        cholesky2(&mut f, p);
        chsolve2(&f, p, &mut b);
        ChiSqTest::new(b.iter().zip(&candidate).map(|(a, c)| a * c).sum(), p)
    });
    Ok(CoxFit {
        ties: opts.ties,
        level: opts.level,
        terms,
        variance,
        loglik_null,
        loglik,
        iterations: iter,
        n: s.time.len() as u64,
        events,
        wald,
        likelihood_ratio: ChiSqTest::new(2.0 * (loglik - loglik_null), p),
        score,
    })
}

/// The test of proportional hazards of Grambsch & Therneau (1994), as R's `cox.zph(fit)`
/// (transform "km", terms, global; survival 3.5).
///
/// With g(t) = 1 − S(t−), S the Kaplan–Meier curve of all subjects pooled (strata ignored),
/// centred at its mean over the events, and dU(t), dI(t) each event time's increments of the
/// score and information at β̂ (Efron or Breslow as fitted):
///
/// u = Σ g dU,  J = [[Σ dI, Σ g dI], [Σ g dI, Σ g² dI]]
///
/// and for a term with design columns c: χ² = wᵀ J_kk⁻¹ w with k = (1…p, p + c) and
/// w = (0, u_c) (the score test of adding x_c·g(t) at γ = 0), df = |c|; the global test uses
/// every column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Zph {
    pub terms: Vec<ChiSqTest>,
    pub global: ChiSqTest,
}

/// [`Zph`] of `fit` (fitted to `data`); `terms` lists each term's design columns (a factor's
/// dummies together). Errors: a singular information matrix (R: `cox.zph` fails too).
pub fn cox_zph(data: &CoxData, fit: &CoxFit, terms: &[Vec<usize>]) -> Result<Zph> {
    zph_sorted(&Sorted::new(data)?, fit, terms)
}

fn zph_sorted(s: &Sorted, fit: &CoxFit, terms: &[Vec<usize>]) -> Result<Zph> {
    let p = s.p;
    let beta: Vec<f64> = fit.terms.iter().zip(&s.scale).map(|(t, sc)| t.coef / sc).collect();
    let g_left = pooled_km_left(s);
    let (sum, count) = s.time.iter().zip(&s.event).filter(|(_, e)| **e).fold((0.0, 0usize), |(a, c), (t, _)| (a + g_left(*t), c + 1));
    let centre = sum / count.max(1) as f64;
    let q = 2 * p;
    let mut u = vec![0.0; p];
    let mut j = vec![vec![0.0; q]; q];
    s.each_event_time(&beta, fit.ties, |t, _, du, di| {
        let g = g_left(t) - centre;
        for a in 0..p {
            u[a] += g * du[a];
            for b in 0..p {
                let v = di[a * p + b];
                j[a][b] += v;
                j[a][p + b] += g * v;
                j[p + a][b] += g * v;
                j[p + a][p + b] += g * g * v;
            }
        }
    });
    let test = |cols: &[usize]| -> Result<ChiSqTest> {
        let kk: Vec<usize> = (0..p).chain(cols.iter().map(|c| p + c)).collect();
        let mut a: Vec<Vec<f64>> = kk.iter().map(|&r| kk.iter().map(|&c| j[r][c]).collect()).collect();
        let w: Vec<f64> = (0..p).map(|_| 0.0).chain(cols.iter().map(|&c| u[c])).collect();
        let x = crate::stats::survival::solve(&mut a, &mut w.clone()).ok_or_else(|| Error::invalid("proportional-hazards test", "singular information matrix", "a model whose information matrix can be inverted"))?;
        Ok(ChiSqTest::new(x.iter().zip(&w).map(|(a, b)| a * b).sum(), cols.len()))
    };
    let all: Vec<usize> = (0..p).collect();
    Ok(Zph { terms: terms.iter().map(|c| test(c)).collect::<Result<_>>()?, global: test(&all)? })
}

/// g(t) = 1 − S(t−) of the pooled Kaplan–Meier curve (all strata together), at event times.
fn pooled_km_left(s: &Sorted) -> impl Fn(f64) -> f64 {
    // One stratum: already in time order; several: merged by a sort of the indices.
    let mut order: Vec<usize> = Vec::new();
    if s.bounds.len() > 2 {
        order = (0..s.time.len()).collect();
        order.sort_by(|&a, &b| s.time[a].total_cmp(&s.time[b]));
    }
    let at = |i: usize| if order.is_empty() { i } else { order[i] };
    let n = s.time.len();
    // (event time, S just before it), increasing.
    let mut steps: Vec<(f64, f64)> = Vec::new();
    let (mut surv, mut at_risk, mut i) = (1.0, s.time.len() as f64, 0);
    while i < n {
        let t = s.time[at(i)];
        let (mut d, mut leaving) = (0.0, 0.0);
        while i < n && s.time[at(i)] == t {
            d += f64::from(u8::from(s.event[at(i)]));
            leaving += 1.0;
            i += 1;
        }
        if d > 0.0 {
            steps.push((t, surv));
            surv *= 1.0 - d / at_risk;
        }
        at_risk -= leaving;
    }
    // Only ever asked at event times, where S(t−) is the value stored with t.
    move |t: f64| {
        let k = steps.partition_point(|(u, _)| *u < t);
        1.0 - steps.get(k).map_or(1.0, |(_, sv)| *sv)
    }
}
