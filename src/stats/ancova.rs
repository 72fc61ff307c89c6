//! ANCOVA: the treatment difference of a continuous outcome adjusted for its baseline value and
//! other covariates, by ordinary least squares.
//!
//! # Model
//!
//! For subject i (complete cases only),
//!
//! ```text
//! yᵢ = β₀ + β_T · treatedᵢ + β_B · baselineᵢ + Σₖ γₖ · covariateₖᵢ + εᵢ,   εᵢ ~ N(0, σ²) iid
//! ```
//!
//! i.e. R's `lm(y ~ treated + baseline + cov1 + cov2 + …)` with `treated` coded 1 = treated,
//! 0 = control. The treatment difference is β_T: the mean outcome of treated minus control
//! subjects with the same baseline and covariates (Vickers & Altman 2001, BMJ 323:1123; EMA
//! *Guideline on adjustment for baseline covariates in clinical trials*, 2015).
//!
//! # Numerics
//!
//! The least-squares problem is solved by a Householder QR decomposition of the design matrix
//! X = QR (Golub & Van Loan, *Matrix Computations*, §5.2), never by the normal equations XᵀX,
//! whose condition number is the square of X's. With Qᵀy = (c₁, c₂): β̂ = R⁻¹c₁,
//! RSS = ‖c₂‖², σ̂² = RSS/(n − p), Var(β̂) = σ̂² R⁻¹R⁻ᵀ, t = β̂ⱼ/SEⱼ with n − p degrees of
//! freedom, two-sided p = 2·P(T > |t|), CI β̂ⱼ ± t₁₋α/₂,ₙ₋ₚ·SEⱼ — the numbers R's `summary.lm`
//! and `confint` print.
//!
//! # Rank deficiency
//!
//! As in R's LINPACK routine `dqrdc2`, a column is taken as linearly dependent on the columns
//! before it when the norm of its part not explained by them is below 1e-7 times its own norm.
//! R then drops it silently (coefficient `NA`); trialstat returns [`Error::Undefined`] naming the
//! column instead, because a silently dropped covariate changes the analysis the protocol
//! specified. Specific messages are given for the common causes: every subject in one arm, a
//! constant covariate (or baseline), a covariate that duplicates a combination of earlier ones.
//! A fit with no residual degrees of freedom (n ≤ number of coefficients) or an essentially
//! perfect fit (R's `summary.lm` warning, RSS below 1e-30 of the fitted values' scale) is also
//! [`Error::Undefined`].
//!
//! # Missing values
//!
//! `NaN` in the outcome, the baseline or any covariate marks a missing value: the row is dropped
//! (complete-case analysis, R's default `na.action = na.omit`) and a note on the difference says
//! how many rows were dropped. An infinite value is [`Error::InvalidInput`] naming the variable and
//! the row.

use crate::data::check_level;
use crate::error::{Error, Result};
use crate::stats::dist::{neumaier_sum, t_for_level, two_sided_t_p};
use crate::stats::{Estimate, Measure, Method};
use serde::Serialize;

/// Data for [`ancova`]: one entry per subject in every slice.
///
/// `covariates` are `(name, values)` pairs; names must be distinct, non-empty and differ from
/// the reserved names `(Intercept)`, `treated`, `baseline`. Binary covariates are coded 0/1 by
/// the caller; a categorical covariate with k levels needs k − 1 indicator columns.
#[derive(Debug, Clone, Copy)]
pub struct AncovaInput<'a> {
    pub outcome: &'a [f64],
    pub treated: &'a [bool],
    pub baseline: &'a [f64],
    pub covariates: &'a [(&'a str, &'a [f64])],
}

/// One row of the coefficient table (R's `summary(lm)$coefficients`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// `(Intercept)`, `treated`, `baseline` or the covariate's name.
    pub name: String,
    pub estimate: f64,
    /// Standard error σ̂·√[(XᵀX)⁻¹]ⱼⱼ.
    pub se: f64,
    /// t = estimate / se.
    pub t: f64,
    /// Two-sided p-value from the t distribution with `residual_df` degrees of freedom.
    pub p_value: f64,
}

/// Result of [`ancova`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AncovaFit {
    /// The adjusted treated − control difference β_T (measure `ancova-difference`, method
    /// `exact`): estimate, t-based CI, t statistic, residual df, two-sided p, n used, notes.
    pub difference: Estimate,
    /// All coefficients in model order: `(Intercept)`, `treated`, `baseline`, covariates.
    pub coefficients: Vec<Coefficient>,
    /// n − p (p = number of coefficients).
    pub residual_df: f64,
    /// Residual standard error σ̂ = √(RSS/(n − p)).
    pub sigma: f64,
    /// R² = 1 − RSS/Σ(yᵢ − ȳ)² (the model has an intercept).
    pub r_squared: f64,
    /// Number of complete cases used.
    pub n: u64,
}

impl AncovaFit {
    /// The adjusted difference for another 0/1 arm column of the model (`arm=B` when three or
    /// more arms share one model, each treatment against the common control): that column's
    /// coefficient, its t-based CI at the level of [`AncovaFit::difference`], t and p, with the
    /// same notes naming the column. `None` if the model has no column `name`.
    pub fn difference_of(&self, name: &str) -> Option<Estimate> {
        let c = self.coefficients.iter().find(|c| c.name == name)?;
        let level = self.difference.ci?.level;
        let tcrit = t_for_level(level, self.residual_df);
        let mut e = self.difference.clone();
        e.estimate = Some(c.estimate);
        e.se = Some(c.se);
        e.ci = Some(crate::stats::Ci::new(c.estimate - tcrit * c.se, c.estimate + tcrit * c.se, level));
        e.statistic = Some(c.t);
        e.p_value = Some(c.p_value);
        if let Some(first) = e.notes.first_mut() {
            *first = first.replacen("treated − control difference", &format!("{name} − control difference (the coefficient of {name})"), 1);
        }
        Some(e)
    }
}

/// Relative tolerance for a column to count as linearly dependent (R's `lm` default `tol`).
const RANK_TOL: f64 = 1e-7;

fn undefined(reason: impl Into<String>) -> Error {
    Error::undefined(Measure::AncovaDifference, Method::Exact, reason)
}

/// ANCOVA of `outcome` on `treated` adjusted for `baseline` and `covariates` by OLS (see the
/// module doc for the model and numerics), with a `level` two-sided t-based CI.
///
/// Errors: [`Error::InvalidInput`] for a level outside (0, 1), slices of different lengths,
/// duplicate or reserved covariate names, infinite values (named by variable and row);
/// [`Error::Undefined`] for no complete cases, all complete cases in one arm, a constant or
/// collinear column (named), no residual degrees of freedom, or an essentially perfect fit.
pub fn ancova(input: &AncovaInput, level: f64) -> Result<AncovaFit> {
    let level = check_level(level)?;
    let n_all = input.outcome.len();
    let check_len = |what: &str, len: usize| -> Result<()> {
        if len == n_all {
            Ok(())
        } else {
            Err(Error::invalid(
                format!("length of {what}"),
                len,
                format!("one value per subject ({n_all}, the length of the outcome)"),
            ))
        }
    };
    check_len("treated", input.treated.len())?;
    check_len("baseline", input.baseline.len())?;
    for (name, v) in input.covariates {
        check_len(&format!("covariate '{name}'"), v.len())?;
    }

    // Column names, in model order.
    let mut names: Vec<String> = vec!["(Intercept)".into(), "treated".into(), "baseline".into()];
    for (name, _) in input.covariates {
        if name.is_empty() {
            return Err(Error::invalid("covariate name", "\"\"", "a non-empty name"));
        }
        if names.iter().any(|n| n == name) {
            return Err(Error::invalid(
                "covariate name",
                name,
                "a name different from (Intercept), treated, baseline and the other covariates",
            ));
        }
        names.push((*name).to_string());
    }

    // Infinite values are errors; NaN marks a missing value.
    let numeric: Vec<(&str, &[f64])> = std::iter::once(("outcome", input.outcome))
        .chain(std::iter::once(("baseline", input.baseline)))
        .chain(input.covariates.iter().map(|(n, v)| (*n, *v)))
        .collect();
    for (name, v) in &numeric {
        if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| x.is_infinite()) {
            return Err(Error::invalid(
                format!("{name} (row {})", i + 1),
                x,
                "a finite number (NaN is accepted as missing)",
            ));
        }
    }
    // Rows of the complete cases (indices into the input; `None` when every row is complete).
    let complete = |i: &usize| numeric.iter().all(|(_, v)| !v[*i].is_nan());
    if u32::try_from(n_all).is_err() {
        return Err(Error::invalid("number of rows", n_all, "at most 4,294,967,295"));
    }
    let keep: Option<Vec<u32>> = if (0..n_all).all(|i| complete(&i)) { None } else { Some((0..n_all).filter(complete).map(|i| i as u32).collect()) };
    let row = |i: usize| keep.as_ref().map_or(i, |k| k[i] as usize);
    let n = keep.as_ref().map_or(n_all, Vec::len);
    let dropped = n_all - n;
    let p = names.len();
    if n == 0 {
        return Err(undefined(format!(
            "no complete cases: every one of the {n_all} rows has a missing outcome, baseline or covariate"
        )));
    }

    // Scale the outcome and every column by a power of two near its largest magnitude: exact in
    // binary arithmetic (ordinary data give bit-identical results), and it keeps squares and
    // products of outcomes near 1e-170 or 1e160 from underflowing or overflowing. Coefficients,
    // SEs and sigma are scaled back below; t, p and R² are scale-free.
    let pow2 = |m: f64| if m > 0.0 && m.is_finite() { 2f64.powi(m.log2().round() as i32) } else { 1.0 };
    let max_abs = |v: &mut dyn Iterator<Item = f64>| v.fold(0.0f64, |m, x| m.max(x.abs()));
    let sy = pow2(max_abs(&mut (0..n).map(|i| input.outcome[row(i)])));
    let mut scales: Vec<f64> = vec![1.0, 1.0, pow2(max_abs(&mut (0..n).map(|i| input.baseline[row(i)])))];
    scales.extend(input.covariates.iter().map(|(_, v)| pow2(max_abs(&mut (0..n).map(|i| v[row(i)])))));
    // A design cell, scaled (a division by a power of two is exact: the same doubles whenever
    // they are computed), and the scaled outcome.
    let cell = |j: usize, i: usize| -> f64 {
        let k = row(i);
        let x = match j {
            0 => 1.0,
            1 => f64::from(u8::from(input.treated[k])),
            2 => input.baseline[k],
            _ => input.covariates[j - 3].1[k],
        };
        x / scales[j]
    };
    let y = |i: usize| input.outcome[row(i)] / sy;
    // Design matrix, column-major, complete cases only, with the outcome as a last column that
    // the QR's reflections turn into Qᵀy.
    let mut cols: Vec<Vec<f64>> = (0..p).map(|j| (0..n).map(|i| cell(j, i)).collect()).collect();
    cols.push((0..n).map(y).collect());

    // Clear messages for the usual causes of rank deficiency, before the generic QR check.
    let n_treated = cols[1].iter().filter(|&&t| t == 1.0).count();
    if n_treated == 0 || n_treated == n {
        let arm = if n_treated == 0 { "control" } else { "treated" };
        return Err(undefined(format!(
            "column 'treated': all {n} complete cases are in the {arm} arm, so the treatment effect is not estimable"
        )));
    }
    for (j, col) in cols[..p].iter().enumerate().skip(2) {
        if col.iter().all(|&v| v == col[0]) {
            return Err(undefined(format!(
                "column '{}' is constant ({}) among the {n} complete cases, so it is collinear with the intercept",
                names[j],
                col[0] * scales[j]
            )));
        }
    }
    if n <= p {
        return Err(undefined(format!(
            "{n} complete cases for {p} coefficients leave no residual degrees of freedom"
        )));
    }

    let qr = householder_qr(cols, &names)?;
    let qty = &qr.v[p];
    let rinv = qr.r_inverse();
    // β = R⁻¹ (Qᵀy)[..p]
    let beta: Vec<f64> = (0..p)
        .map(|j| neumaier_sum((j..p).map(|k| rinv[j][k] * qty[k])))
        .collect();
    // Residuals from the original data (more accurate than ‖(Qᵀy)[p..]‖ for tiny residuals),
    // computed as they are summed (no vector of them).
    let resid = |i: usize| y(i) - neumaier_sum((0..p).map(|j| cell(j, i) * beta[j]));
    let rss = neumaier_sum((0..n).map(|i| {
        let r = resid(i);
        r * r
    }));
    let df = (n - p) as f64;
    let ybar = neumaier_sum((0..n).map(y)) / n as f64;
    let tss = neumaier_sum((0..n).map(|i| {
        let d = y(i) - ybar;
        d * d
    }));
    let fitted = |i: usize| y(i) - resid(i);
    let fbar = neumaier_sum((0..n).map(fitted)) / n as f64;
    let fvar = neumaier_sum((0..n).map(|i| {
        let d = fitted(i) - fbar;
        d * d
    })) / (n as f64 - 1.0);
    let resvar = rss / df;
    // R's summary.lm: "essentially perfect fit" when resvar < (mean(f)² + var(f)) · 1e-30.
    if resvar.is_nan() || resvar < (fbar * fbar + fvar) * 1e-30 {
        return Err(undefined(
            "essentially perfect fit (residual variance is zero to machine precision); SEs and tests are meaningless",
        ));
    }
    let sigma = resvar.sqrt();
    let tcrit = t_for_level(level, df);
    let coefficients: Vec<Coefficient> = (0..p)
        .map(|j| {
            let se = sigma * neumaier_sum((j..p).map(|k| rinv[j][k] * rinv[j][k])).sqrt();
            let t = beta[j] / se;
            let back = sy / scales[j];
            Coefficient { name: names[j].clone(), estimate: beta[j] * back, se: se * back, t, p_value: two_sided_t_p(t, df) }
        })
        .collect();
    let sigma = sigma * sy;
    let tr = &coefficients[1];
    let formula = std::iter::once("outcome ~ treated + baseline".to_string())
        .chain(input.covariates.iter().map(|(n, _)| (*n).to_string()))
        .collect::<Vec<_>>()
        .join(" + ");
    let mut difference = Estimate::new(Measure::AncovaDifference, Method::Exact)
        .with_estimate(tr.estimate)
        .with_se(tr.se)
        .with_ci(tr.estimate - tcrit * tr.se, tr.estimate + tcrit * tr.se, level)
        .with_test(tr.t, Some(df), tr.p_value)
        .with_n(n as u64)
        .with_note(format!(
            "treated − control difference adjusted by OLS ({formula}); t distribution with {df} residual df"
        ));
    if dropped > 0 {
        difference = difference.with_note(format!(
            "{dropped} of {n_all} rows dropped for a missing outcome, baseline or covariate (complete-case analysis)"
        ));
    }
    Ok(AncovaFit {
        difference,
        coefficients,
        residual_df: df,
        sigma,
        r_squared: 1.0 - rss / tss,
        n: n as u64,
    })
}

/// Householder QR of an n × p matrix (n > p) held column-major.
struct Qr {
    /// Column k holds, from row k on, the Householder vector vₖ (length n − k), with
    /// Hₖ = I − 2vvᵀ/(vᵀv) acting on rows k.. (stored in place of the factored matrix, as LAPACK);
    /// columns past the factored ones hold the reflected extra columns (Qᵀy).
    v: Vec<Vec<f64>>,
    /// Upper triangle, r[i][j] for j ≥ i.
    r: Vec<Vec<f64>>,
}

fn norm2(x: &[f64]) -> f64 {
    // Scaled to avoid overflow/underflow of the squares.
    let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 {
        return 0.0;
    }
    scale * neumaier_sum(x.iter().map(|v| (v / scale) * (v / scale))).sqrt()
}

/// Factor the first `names.len()` columns of `a` (each of length n), applying the reflections
/// to the columns after them too (an outcome column becomes Qᵀy); a factored column whose part
/// orthogonal to the earlier columns has norm ≤ [`RANK_TOL`] × its own norm is reported as
/// collinear, by name.
fn householder_qr(mut a: Vec<Vec<f64>>, names: &[String]) -> Result<Qr> {
    let p = names.len();
    let orig_norm: Vec<f64> = a[..p].iter().map(|c| norm2(c)).collect();
    let mut r = vec![vec![0.0; p]; p];
    for k in 0..p {
        let xnorm = norm2(&a[k][k..]);
        if xnorm.is_nan() || xnorm <= RANK_TOL * orig_norm[k] || orig_norm[k] == 0.0 {
            return Err(undefined(format!(
                "column '{}' is a linear combination of the columns before it ({}), so its coefficient is not estimable",
                names[k],
                names[..k].join(", ")
            )));
        }
        let x0 = a[k][k];
        let alpha = if x0 >= 0.0 { -xnorm } else { xnorm };
        let (done, rest) = a.split_at_mut(k + 1);
        let v = &mut done[k][k..];
        v[0] -= alpha;
        let vtv = neumaier_sum(v.iter().map(|t| t * t));
        // Apply Hₖ to the remaining columns.
        for col in rest.iter_mut() {
            let s = 2.0 * neumaier_sum(v.iter().zip(&col[k..]).map(|(vi, ci)| vi * ci)) / vtv;
            for (ci, vi) in col[k..].iter_mut().zip(v.iter()) {
                *ci -= s * vi;
            }
        }
        r[k][k] = alpha;
        for j in (k + 1)..p {
            r[k][j] = a[j][k];
        }
    }
    Ok(Qr { v: a, r })
}

impl Qr {
    /// R⁻¹ (upper triangular) by back substitution, column by column.
    fn r_inverse(&self) -> Vec<Vec<f64>> {
        let p = self.r.len();
        let mut inv = vec![vec![0.0; p]; p];
        for c in 0..p {
            // Solve R x = e_c; x is zero below row c.
            let mut x = vec![0.0; c + 1];
            for i in (0..=c).rev() {
                let rhs = if i == c { 1.0 } else { 0.0 };
                let s = neumaier_sum(((i + 1)..=c).map(|k| self.r[i][k] * x[k]));
                x[i] = (rhs - s) / self.r[i][i];
            }
            for (row, xi) in inv.iter_mut().zip(x) {
                row[c] = xi;
            }
        }
        inv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// y = 1 + 2·treated + 0.5·baseline + e with a known small residual pattern.
    #[test]
    fn exact_line_plus_orthogonal_noise() {
        let baseline = [1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0];
        let treated = [false, false, false, false, true, true, true, true];
        // Noise orthogonal to 1, treated and baseline: (1, −1, −1, 1) in each arm.
        let e = [1.0, -1.0, -1.0, 1.0, 1.0, -1.0, -1.0, 1.0];
        let y: Vec<f64> = (0..8)
            .map(|i| 1.0 + 2.0 * f64::from(u8::from(treated[i])) + 0.5 * baseline[i] + 0.1 * e[i])
            .collect();
        let fit = ancova(&AncovaInput { outcome: &y, treated: &treated, baseline: &baseline, covariates: &[] }, 0.95)
            .unwrap();
        let b = &fit.coefficients;
        assert!((b[0].estimate - 1.0).abs() < 1e-13);
        assert!((b[1].estimate - 2.0).abs() < 1e-13);
        assert!((b[2].estimate - 0.5).abs() < 1e-13);
        // RSS = 0.08, df = 5.
        assert!((fit.sigma - (0.08f64 / 5.0).sqrt()).abs() < 1e-14);
        assert_eq!(fit.residual_df, 5.0);
    }
}
