//! Paired (within-subject) continuous outcomes: the mean change and the standardised mean change
//! d_z and g_z.
//!
//! Each function takes the [`GroupSummary`] of the paired differences (follow-up − baseline, or as
//! the caller defines them): their mean, SD (n − 1 denominator) and the number of pairs n. From raw
//! pairs, form the differences and use [`GroupSummary::from_values`].
//!
//! References reproduced (golden tests in `tests/golden_continuous.rs`): R `t.test(paired = TRUE)`
//! and SciPy `ttest_rel` for the mean change; R effectsize 0.8.3 `cohens_d(x, y, paired = TRUE)`
//! (which is d_z in that version) and `hedges_g(..., paired = TRUE)` for the noncentral-t CIs,
//! solved tightly (see [`crate::stats::noncentral_t`]); metafor `escalc("SMCC")` for the normal
//! approximation of g_z.
//!
//! Edge cases: n = 1 pair → [`Error::Undefined`] for everything (no SD of the differences); SD of
//! the differences 0 → [`Error::Undefined`] (R: "data are essentially constant"); g_z also needs
//! n ≥ 3 (J(1) = 0).

use crate::data::{check_level, GroupSummary};
use crate::error::{Error, Result};
use crate::stats::continuous::{check_group, hedges_j};
use crate::stats::dist::{t_for_level, two_sided_t_p, z_for_level};
use crate::stats::noncentral_t::ncp_ci;
use crate::stats::{Estimate, Measure, Method};

/// Validate the differences for `measure`: n ≥ 2 and SD > 0.
fn checked(diffs: &GroupSummary, measure: Measure, method: Method, level: f64) -> Result<f64> {
    check_group(diffs, "differences")?;
    let level = check_level(level)?;
    if diffs.n < 2 {
        return Err(Error::undefined(measure, method, "one pair: the SD of the differences is not estimable"));
    }
    if diffs.sd == 0.0 {
        return Err(Error::undefined(measure, method, "the differences have SD 0 (all equal)"));
    }
    Ok(level)
}

/// Mean of the paired differences with the one-sample t test (H0: mean 0) and CI
/// mean ± t_{1−α/2, n−1} s/sqrt(n); method [`Method::Exact`]. As R's `t.test(x, y, paired = TRUE)`
/// and SciPy's `ttest_rel`.
///
/// Edge cases: n = 1 or SD 0 → [`Error::Undefined`].
pub fn mean_change(diffs: &GroupSummary, level: f64) -> Result<Estimate> {
    let (measure, method) = (Measure::MeanChange, Method::Exact);
    let level = checked(diffs, measure, method, level)?;
    let n = diffs.n as f64;
    let se = diffs.sd / n.sqrt();
    let df = n - 1.0;
    let stat = diffs.mean / se;
    let p = two_sided_t_p(stat, df);
    let q = t_for_level(level, df);
    Ok(Estimate::new(measure, method)
        .with_estimate(diffs.mean)
        .with_se(se)
        .with_ci(diffs.mean - q * se, diffs.mean + q * se, level)
        .with_test(stat, Some(df), p)
        .with_n(diffs.n))
}

/// d_z = mean / SD of the differences (Cohen 1988, ch. 2.3).
///
/// * [`Method::NoncentralT`] (as effectsize `cohens_d(paired = TRUE)`): t = d_z sqrt(n),
///   noncentrality limits from [`ncp_ci`] with df = n − 1, divided by sqrt(n). `statistic`,
///   `df` and `p_value` hold t, df and the paired t test's two-sided p.
/// * [`Method::NormalApprox`]: d_z ± z sqrt(v), v = 1/n + d_z²/(2n) (the change-score variance of
///   metafor's "SMCC", Gibbons, Hedeker & Davis 1993, J. Educ. Stat. 18:271, here with d_z).
///
/// Edge cases: n = 1 or SD 0 → [`Error::Undefined`].
pub fn d_z(diffs: &GroupSummary, method: Method, level: f64) -> Result<Estimate> {
    standardized_change(diffs, Measure::DZ, method, level)
}

/// g_z = J(n − 1) d_z with Hedges' exact correction [`hedges_j`].
///
/// * [`Method::NoncentralT`]: the d_z limits multiplied by J (as effectsize's
///   `hedges_g(paired = TRUE)`).
/// * [`Method::NormalApprox`]: g_z ± z sqrt(v), v = 1/n + g_z²/(2n) (metafor `escalc("SMCC")`,
///   `vtype = "LS"`).
///
/// Edge cases: n ≤ 2 → [`Error::Undefined`] (n = 2 gives J(1) = 0); SD 0 → [`Error::Undefined`].
pub fn g_z(diffs: &GroupSummary, method: Method, level: f64) -> Result<Estimate> {
    standardized_change(diffs, Measure::GZ, method, level)
}

fn standardized_change(diffs: &GroupSummary, measure: Measure, method: Method, level: f64) -> Result<Estimate> {
    if !matches!(method, Method::NoncentralT | Method::NormalApprox) {
        return Err(Error::not_applicable(measure, method));
    }
    let level = checked(diffs, measure, method, level)?;
    let n = diffs.n as f64;
    let df = n - 1.0;
    let j = if measure == Measure::GZ {
        if diffs.n < 3 {
            return Err(Error::undefined(
                measure,
                method,
                "Hedges' correction J(n − 1) is 0 for n = 2 pairs (d_z has no finite mean); needs n ≥ 3",
            ));
        }
        hedges_j(df)
    } else {
        1.0
    };
    let dz = diffs.mean / diffs.sd;
    let est = j * dz;
    let mut e = Estimate::new(measure, method).with_estimate(est).with_n(diffs.n);
    match method {
        Method::NoncentralT => {
            let tstat = dz * n.sqrt();
            let (lo, hi) = ncp_ci(tstat, df, level)?;
            e = e.with_ci(j * lo / n.sqrt(), j * hi / n.sqrt(), level);
            // The t statistic the CI inverts, its df and its two-sided p (the t test of no effect).
            e = e.with_test(tstat, Some(df), two_sided_t_p(tstat, df));
        }
        _ => {
            let v = 1.0 / n + est * est / (2.0 * n);
            let z = z_for_level(level);
            e = e.with_ci(est - z * v.sqrt(), est + z * v.sqrt(), level);
        }
    }
    Ok(e)
}
