//! Descriptive summaries of a continuous variable (n, missing, mean, SD, quartiles, range) and the
//! percent change from baseline.
//!
//! # Quantiles
//!
//! Sample quantiles follow the nine definitions of Hyndman & Fan (1996), *Sample quantiles in
//! statistical packages*, The American Statistician 50:361–365, exactly as R's
//! `quantile(x, p, type = k)` (R 4.2) computes them, including R's floating-point "fuzz" for
//! types 4–9 (an index within 4·ε of an integer is taken as that integer). The default is
//! **type 7** (R's default and numpy's `"linear"`; SAS's default `PCTLDEF=5` is type 2).
//! With x₍₁₎ ≤ … ≤ x₍ₙ₎ the sorted values:
//!
//! | type | rule | numpy `method=` |
//! |---|---|---|
//! | 1 | inverse of the empirical CDF: x₍ⱼ₎, j = ⌈np⌉ | `inverted_cdf` |
//! | 2 | as 1, averaging at discontinuities (SAS default) | `averaged_inverted_cdf` |
//! | 3 | nearest even order statistic (SAS `PCTLDEF=2`) | `closest_observation` |
//! | 4 | linear interpolation of the empirical CDF, m = 0 | `interpolated_inverted_cdf` |
//! | 5 | m = ½ (piecewise linear, Hazen) | `hazen` |
//! | 6 | m = p: p-th quantile of x₍ₖ₎ is k/(n+1) (Weibull; Minitab, SPSS) | `weibull` |
//! | 7 | m = 1 − p: (k−1)/(n−1) (R, S, numpy, Excel `PERCENTILE.INC`) | `linear` |
//! | 8 | m = (p+1)/3: approximately median-unbiased, recommended by Hyndman & Fan | `median_unbiased` |
//! | 9 | m = (p+1)/4: approximately unbiased for normal data | `normal_unbiased` |
//!
//! For types 4–9, with (a, b) = (0, 1), (½, ½), (0, 0), (1, 1), (⅓, ⅓), (⅜, ⅜):
//! h = a + p(n + 1 − a − b), j = ⌊h⌋, Q(p) = (1 − (h − j)) x₍ⱼ₎ + (h − j) x₍ⱼ₊₁₎, with indices
//! clamped to [1, n]. Where R and numpy differ in the last bits (numpy interpolates as
//! `x_j + (h−j)(x_{j+1} − x_j)`), trialstat follows R's arithmetic.
//!
//! # Missing and non-finite values
//!
//! `NaN` marks a missing value: it is counted in `n_missing` and left out of every statistic (as R's
//! `na.rm = TRUE`). An infinite value is an error naming its (1-based) position: a mean or SD with
//! an infinite value is meaningless, and silently dropping it would hide a data problem.

use crate::error::{Error, Result};
use crate::stats::dist::mean_sd;
use serde::Serialize;

/// Summary of one variable: counts, mean, SD, quartiles and range.
///
/// * `n` = number of non-missing values, `n_missing` = number of `NaN` entries.
/// * `mean` = Σx/n (compensated summation);
///   `sd` = √(Σ(x − mean)²/(n − 1)) (R's `sd`, numpy `std(ddof = 1)`).
/// * `median`, `q1`, `q3` = quantiles at ½, ¼, ¾ of type `quantile_type` (see the module doc);
///   `iqr` = q3 − q1 (R's `IQR(x, type = k)`).
///
/// Edge cases: n = 0 (all values missing or none given): every statistic is `None`. n = 1: `sd`
/// is `None` (the sample SD has n − 1 = 0 degrees of freedom; R's `sd` gives `NA`), the quartiles,
/// median, min and max are the value itself and `iqr` is 0. All values equal: `sd` = 0, `iqr` = 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub n: u64,
    pub n_missing: u64,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    pub iqr: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Hyndman–Fan type (1–9) used for `median`, `q1`, `q3`.
    pub quantile_type: u8,
}

/// [`summarize_with`] with quartiles of Hyndman–Fan type 7 (R's `summary()` / `quantile()`
/// default).
pub fn summarize(values: &[f64]) -> Result<Summary> {
    summarize_with(values, 7)
}

/// Summary of `values` with quartiles of Hyndman–Fan type `quantile_type` (1–9), as R's
/// `summary(x, quantile.type = k)`, `sd(x)` and `IQR(x, type = k)` with `na.rm = TRUE`.
///
/// `NaN` entries count as missing; an infinite entry is [`Error::InvalidInput`] naming its
/// 1-based position; a type outside 1–9 is [`Error::InvalidInput`]. The mean and SD use
/// compensated (Neumaier) summation, so they do not depend on the order of the values beyond
/// about 1e-15 relative.
pub fn summarize_with(values: &[f64], quantile_type: u8) -> Result<Summary> {
    check_type(quantile_type)?;
    if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| v.is_infinite()) {
        return Err(Error::invalid(
            format!("value #{}", i + 1),
            v,
            "a finite number (NaN is accepted as missing)",
        ));
    }
    let mut x: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let n_missing = (values.len() - x.len()) as u64;
    let n = x.len();
    let empty = Summary {
        n: 0,
        n_missing,
        mean: None,
        sd: None,
        median: None,
        q1: None,
        q3: None,
        iqr: None,
        min: None,
        max: None,
        quantile_type,
    };
    if n == 0 {
        return Ok(empty);
    }
    x.sort_unstable_by(|a, b| a.total_cmp(b));
    // Mean: compensated sum / n. (R's mean() adds a second pass Σ(x − m)/n in long double; in
    // double precision that pass would reintroduce the rounding of x − m for large |x|.)
    // Values near 1e308 whose sums overflow fall back to scaled sums (see dist::mean_sd).
    let (mean, sd) = mean_sd(&x);
    let q1 = quantile_sorted(&x, 0.25, quantile_type);
    let median = quantile_sorted(&x, 0.5, quantile_type);
    let q3 = quantile_sorted(&x, 0.75, quantile_type);
    Ok(Summary {
        n: n as u64,
        mean: Some(mean),
        sd,
        median: Some(median),
        q1: Some(q1),
        q3: Some(q3),
        iqr: Some(q3 - q1),
        min: Some(x[0]),
        max: Some(x[n - 1]),
        ..empty
    })
}

/// Sample quantile at probability `p` (in [0, 1]) of Hyndman–Fan type `quantile_type` (1–9) of
/// the **sorted** (ascending), finite values `sorted`, as R's `quantile(x, p, type = k)`.
///
/// Errors ([`Error::InvalidInput`]): empty input, a non-finite value (named by position), values
/// not in ascending order, `p` outside [0, 1], type outside 1–9. With one value every quantile is
/// that value; p = 0 gives the minimum and p = 1 the maximum for every type.
pub fn quantile(sorted: &[f64], p: f64, quantile_type: u8) -> Result<f64> {
    check_type(quantile_type)?;
    if sorted.is_empty() {
        return Err(Error::invalid("values", "[]", "at least one value"));
    }
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::invalid("p", p, "a probability in [0, 1]"));
    }
    if let Some((i, v)) = sorted.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid(format!("value #{}", i + 1), v, "a finite number"));
    }
    if let Some(i) = (1..sorted.len()).find(|&i| sorted[i] < sorted[i - 1]) {
        return Err(Error::invalid(
            format!("value #{}", i + 1),
            sorted[i],
            format!("values sorted in ascending order (previous value is {})", sorted[i - 1]),
        ));
    }
    Ok(quantile_sorted(sorted, p, quantile_type))
}

/// Percent change from baseline: 100 · (follow_up − baseline) / |baseline|.
///
/// This is CDISC ADaM's `PCHG` as derived by the admiral R package (`derive_var_pchg`:
/// `PCHG = CHG / abs(BASE) * 100`). Dividing by |baseline| rather than baseline keeps the sign of
/// the change: an increase is positive even when the baseline is negative (for a positive
/// baseline both conventions agree). A decrease from baseline (an improvement on a symptom score)
/// is negative: −34 means a 34 % reduction.
///
/// Errors: baseline 0 (the change is undefined) → [`Error::InvalidInput`] naming the baseline;
/// a non-finite baseline or follow-up → [`Error::InvalidInput`].
pub fn percent_change(baseline: f64, follow_up: f64) -> Result<f64> {
    if !baseline.is_finite() {
        return Err(Error::invalid("baseline", baseline, "a finite number"));
    }
    if !follow_up.is_finite() {
        return Err(Error::invalid("follow-up", follow_up, "a finite number"));
    }
    if baseline == 0.0 {
        return Err(Error::invalid(
            "baseline",
            baseline,
            "a non-zero baseline (percent change from a baseline of 0 is undefined)",
        ));
    }
    Ok(100.0 * (follow_up - baseline) / baseline.abs())
}

fn check_type(t: u8) -> Result<()> {
    if (1..=9).contains(&t) {
        Ok(())
    } else {
        Err(Error::invalid("quantile type", t, "a Hyndman–Fan type from 1 to 9"))
    }
}

/// Quantile of non-empty, sorted, finite `x`; `p` in [0, 1], type in 1..=9 (checked by callers).
/// Mirrors the arithmetic of R 4.2's `quantile.default` step by step.
fn quantile_sorted(x: &[f64], p: f64, t: u8) -> f64 {
    let n = x.len();
    let nf = n as f64;
    // x_(j), 1-based, clamped to [1, n] (R pads the sorted vector with x_(1), x_(1) and x_(n), x_(n)).
    let at = |j: f64| -> f64 {
        let j = if j < 1.0 { 1 } else if j > nf { n } else { j as usize };
        x[j - 1]
    };
    if t == 7 {
        let index = 1.0 + (nf - 1.0) * p;
        let lo = index.floor();
        let hi = index.ceil();
        let q = at(lo);
        let xh = at(hi);
        if index > lo && xh != q {
            let h = index - lo;
            return (1.0 - h) * q + h * xh;
        }
        return q;
    }
    let (j, h) = if t <= 3 {
        let nppm = if t == 3 { nf * p - 0.5 } else { nf * p };
        let j = nppm.floor();
        let h = match t {
            1 => f64::from(u8::from(nppm > j)),
            2 => (f64::from(u8::from(nppm > j)) + 1.0) / 2.0,
            // Type 3: round half to the even order statistic.
            _ => f64::from(u8::from(nppm != j || (j.rem_euclid(2.0) == 1.0))),
        };
        (j, h)
    } else {
        let (a, b) = match t {
            4 => (0.0, 1.0),
            5 => (0.5, 0.5),
            6 => (0.0, 0.0),
            8 => (1.0 / 3.0, 1.0 / 3.0),
            _ => (3.0 / 8.0, 3.0 / 8.0),
        };
        let fuzz = 4.0 * f64::EPSILON;
        let nppm = a + p * (nf + 1.0 - a - b);
        let j = (nppm + fuzz).floor();
        let mut h = nppm - j;
        if h.abs() < fuzz {
            h = 0.0;
        }
        (j, h)
    };
    let lo = at(j);
    let hi = at(j + 1.0);
    if h == 1.0 {
        hi
    } else if h > 0.0 && h < 1.0 && lo != hi {
        (1.0 - h) * lo + h * hi
    } else {
        lo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_hand_values() {
        let x = [1.0, 2.0, 3.0, 4.0];
        // Type 7: 1 + 3·0.25 = 1.75 → 1.75; type 6: 0.25·5 = 1.25 → 1.25; type 1: ⌈1⌉ → 1.
        assert_eq!(quantile(&x, 0.25, 7).unwrap(), 1.75);
        assert_eq!(quantile(&x, 0.25, 6).unwrap(), 1.25);
        assert_eq!(quantile(&x, 0.25, 1).unwrap(), 1.0);
        assert_eq!(quantile(&x, 0.25, 2).unwrap(), 1.5);
        assert_eq!(quantile(&x, 0.5, 3).unwrap(), 2.0);
        for t in 1..=9 {
            assert_eq!(quantile(&x, 0.0, t).unwrap(), 1.0, "type {t}");
            assert_eq!(quantile(&x, 1.0, t).unwrap(), 4.0, "type {t}");
        }
    }

    #[test]
    fn percent_change_uses_absolute_baseline() {
        assert_eq!(percent_change(20.0, 15.0).unwrap(), -25.0);
        assert_eq!(percent_change(-20.0, -15.0).unwrap(), 25.0);
        assert_eq!(percent_change(-20.0, -25.0).unwrap(), -25.0);
    }
}
