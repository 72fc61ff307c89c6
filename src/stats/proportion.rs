//! Confidence intervals for a single binomial proportion x / n.
//!
//! Every method returns the sample proportion x / n as the estimate and `n` as the count used.
//! With z = z_{1−α/2} and p̂ = x / n:
//!
//! | method | interval | reference / agrees with |
//! |---|---|---|
//! | [`Method::Wilson`] | (x + z²/2 ± z √(x(n−x)/n + z²/4)) / (n + z²) | Wilson 1927; R `prop.test(correct = FALSE)`, statsmodels `wilson`, SciPy `binomtest(..).proportion_ci("wilson")` |
//! | [`Method::WilsonCc`] | Newcombe 1998a (Stat Med 17:857) method 4 | SciPy `proportion_ci("wilsoncc")`; R `prop.test(correct = TRUE)` except at x = n/2, see below |
//! | [`Method::ClopperPearson`] | Beta(x, n−x+1) and Beta(x+1, n−x) quantiles | Clopper & Pearson 1934; R `binom.test`, statsmodels `beta` |
//! | [`Method::AgrestiCoull`] | p̃ ± z √(p̃(1−p̃)/ñ), ñ = n + z², p̃ = (x + z²/2)/ñ | Agresti & Coull 1998 (Am Stat 52:119); statsmodels `agresti_coull` |
//! | [`Method::Jeffreys`] | Beta(x+½, n−x+½) quantiles, lower 0 at x = 0, upper 1 at x = n | Brown, Cai & DasGupta 2001 (Stat Sci 16:101, p. 108) |
//! | [`Method::Wald`] | p̂ ± z √(p̂(1−p̂)/n) | statsmodels `normal` |
//!
//! # Edge cases
//! * **x = 0 or x = n.** Wilson, Wilson-cc, Clopper–Pearson and Jeffreys give finite, non-degenerate
//!   limits; the limit at the boundary is exactly 0 (x = 0) or 1 (x = n). The Wald interval
//!   collapses to [0, 0] or [1, 1]: it is returned as computed, with a note that it is degenerate.
//! * **Truncation.** Wald and Agresti–Coull limits can fall outside [0, 1]; they are truncated to
//!   [0, 1], as statsmodels' `proportion_confint` does (its documentation: "The confidence
//!   intervals are clipped to be in the [0, 1] interval in the case of normal, agresti_coull and
//!   wilson"), and a note says so. The Wilson limits lie in [0, 1] mathematically.
//! * **n = 1** works for every method.
//! * **Large counts (up to 2^53).** All formulas are evaluated on f64 without products of counts
//!   beyond n·x ≤ 2^106 (which f64 holds to 53 bits); the Wilson lower limit uses the
//!   cancellation-free form x² / (n (x + z²/2 + z √(x(n−x)/n + z²/4))) so that it keeps full
//!   relative precision when x ≪ n.
//!
//! * **Clopper–Pearson and Jeffreys at any n.** They are Beta quantiles, computed by
//!   [`crate::stats::dist::qbeta_checked`] (Brent on the logit scale over trialstat's own
//!   incomplete beta) and checked against R's `qbeta` up to n = 2^53. Should the quantile ever be
//!   impossible to evaluate to full precision, these methods return [`Error::Undefined`] naming
//!   Wilson as the alternative rather than print wrong digits.
//!
//! # Where the references disagree
//! * **Wilson-cc at x = n/2.** R's `prop.test(correct = TRUE)` uses the continuity correction
//!   min(0.5, |x − n p₀|), where p₀ is the *null* proportion of the test (0.5 by default), so at
//!   x = n/2 its "corrected" interval equals the uncorrected Wilson interval, and in general its
//!   interval depends on the null value. trialstat follows Newcombe's method 4 (always ½), as SciPy
//!   does; it equals R's `prop.test(x, n, p = p0, correct = TRUE)` for any p₀ with |x − n p₀| ≥ ½.
//! * **Jeffreys at x = 0 or n.** statsmodels returns the raw Beta quantile (a lower limit slightly
//!   above 0 at x = 0); trialstat applies the boundary modification recommended by Brown, Cai &
//!   DasGupta (2001, p. 108), as R's ratesci `jeffreysci(adj = TRUE)` does: lower = 0 at x = 0 and
//!   upper = 1 at x = n. The other limit is the Beta quantile in both.

use crate::data::{check_level, BinomialCount};
use crate::error::{Error, Result};
use crate::stats::dist::{qbeta_checked, z_for_level};
use crate::stats::{Estimate, Measure, Method};

/// Confidence interval for the proportion `x.events / x.n` by `method` at two-sided `level`.
///
/// Methods: [`Method::Wilson`], [`Method::WilsonCc`], [`Method::ClopperPearson`],
/// [`Method::AgrestiCoull`], [`Method::Jeffreys`], [`Method::Wald`]; any other method is
/// [`Error::MethodNotApplicable`]. The estimate is x / n, `n` is `Some(x.n)`. See the module
/// documentation for formulas, references and the behaviour at x = 0 and x = n.
pub fn proportion(x: &BinomialCount, method: Method, level: f64) -> Result<Estimate> {
    let level = check_level(level)?;
    // Fields are public: re-validate rather than trust a hand-built struct.
    let x = BinomialCount::new(x.events, x.n)?;
    let (lower, upper, notes) = match method {
        Method::Wilson => {
            let (l, u) = wilson_limits(x.events, x.n, level);
            (l, u, Vec::new())
        }
        Method::WilsonCc => {
            let (l, u) = wilson_cc_limits(x.events, x.n, level);
            (l, u, Vec::new())
        }
        Method::ClopperPearson => {
            let (l, u) = clopper_pearson_limits(x.events, x.n, level)?;
            (l, u, Vec::new())
        }
        Method::Jeffreys => jeffreys(x.events, x.n, level)?,
        Method::AgrestiCoull => agresti_coull(x.events, x.n, level),
        Method::Wald => wald(x.events, x.n, level),
        other => return Err(Error::not_applicable(Measure::Proportion, other)),
    };
    let mut e = Estimate::new(Measure::Proportion, method)
        .with_estimate(x.proportion())
        .with_ci(lower, upper, level)
        .with_n(x.n)
        .with_count(x.events);
    e.notes = notes;
    Ok(e)
}

/// Wilson (1927) score limits for x / n (no validation: the caller ensures 0 ≤ x ≤ n, n ≥ 1).
///
/// Exactly 0 at x = 0 and exactly 1 at x = n. Used by the Newcombe hybrid score interval for the
/// risk difference.
pub(crate) fn wilson_limits(x: u64, n: u64, level: f64) -> (f64, f64) {
    let z = z_for_level(level);
    let z2 = z * z;
    let (xf, nf) = (x as f64, n as f64);
    let yf = (n - x) as f64; // n − x, exact in u64
    // h = z √(x(n−x)/n + z²/4); lower = (x + z²/2 − h)/(n + z²) = x² / (n (x + z²/2 + h)),
    // since (x + z²/2)² − h² = x² (n + z²)/n. Likewise upper = 1 − (n−x)² / (n (n − x + z²/2 + h)).
    let h = z * (xf * (yf / nf) + z2 / 4.0).sqrt();
    let lower = if x == 0 { 0.0 } else { xf * (xf / nf) / (xf + z2 / 2.0 + h) };
    let upper = if x == n { 1.0 } else { (xf + z2 / 2.0 + h) / (nf + z2) };
    (lower.clamp(0.0, 1.0), upper.clamp(0.0, 1.0))
}

/// Distances (p̂ − lower, upper − p̂) of the Wilson limits from p̂ = x/n, without cancellation:
/// p̂ − lower = (x/n)(z²/2 + h)/(x + z²/2 + h), and upper − p̂ is the same with n − x for x
/// (h = z √(x(n−x)/n + z²/4)). Used by the Newcombe interval, whose half-widths are built from them.
pub(crate) fn wilson_distances(x: u64, n: u64, level: f64) -> (f64, f64) {
    let z = z_for_level(level);
    let z2 = z * z;
    let (xf, yf, nf) = (x as f64, (n - x) as f64, n as f64);
    let h = z * (xf * (yf / nf) + z2 / 4.0).sqrt();
    let dist = |k: f64| (k / nf) * (z2 / 2.0 + h) / (k + z2 / 2.0 + h);
    (dist(xf), dist(yf))
}

/// Wilson limits with continuity correction, Newcombe (1998a) method 4:
/// L = (2x + z² − 1 − z √(z² − 2 − 1/n + 4x(n − x + 1)/n)) / (2(n + z²)), L = 0 at x = 0;
/// U = (2x + z² + 1 + z √(z² + 2 − 1/n + 4x(n − x − 1)/n)) / (2(n + z²)), U = 1 at x = n.
fn wilson_cc_limits(x: u64, n: u64, level: f64) -> (f64, f64) {
    let z = z_for_level(level);
    let z2 = z * z;
    let (xf, nf) = (x as f64, n as f64);
    let lower = if x == 0 {
        0.0
    } else {
        // (A − B)/(2(n + z²)) with A = 2x + z² − 1 > 0 and B = z √(…): A² − B² = (2x − 1)² (n + z²)/n,
        // so L = (2x − 1)² / (2n (A + B)) without cancellation.
        let a = 2.0 * xf + z2 - 1.0;
        let b = z * (z2 - 2.0 - 1.0 / nf + 4.0 * xf * ((nf - xf + 1.0) / nf)).max(0.0).sqrt();
        let t = 2.0 * xf - 1.0;
        t * (t / nf) / (2.0 * (a + b))
    };
    let upper = if x == n {
        1.0
    } else {
        let a = 2.0 * xf + z2 + 1.0;
        let b = z * (z2 + 2.0 - 1.0 / nf + 4.0 * xf * ((nf - xf - 1.0) / nf)).max(0.0).sqrt();
        (a + b) / (2.0 * (nf + z2))
    };
    (lower.clamp(0.0, 1.0), upper.clamp(0.0, 1.0))
}

/// Clopper–Pearson limits: qbeta(α/2; x, n−x+1) (0 at x = 0), qbeta(1−α/2; x+1, n−x) (1 at x = n).
fn clopper_pearson_limits(x: u64, n: u64, level: f64) -> Result<(f64, f64)> {
    let alpha = 1.0 - level;
    let (xf, nf) = (x as f64, n as f64);
    let lower = if x == 0 { 0.0 } else { beta_quantile(alpha / 2.0, xf, nf - xf + 1.0, Method::ClopperPearson)? };
    let upper = if x == n { 1.0 } else { beta_quantile(1.0 - alpha / 2.0, xf + 1.0, nf - xf, Method::ClopperPearson)? };
    Ok((lower, upper))
}

/// A Beta quantile, or [`Error::Undefined`] if it cannot be evaluated to full precision.
fn beta_quantile(p: f64, a: f64, b: f64, method: Method) -> Result<f64> {
    qbeta_checked(p, a, b).ok_or_else(|| {
        Error::undefined(Measure::Proportion, method, format!("the Beta({a}, {b}) quantile cannot be evaluated to full precision; use wilson"))
    })
}

fn jeffreys(x: u64, n: u64, level: f64) -> Result<(f64, f64, Vec<String>)> {
    let alpha = 1.0 - level;
    let (xf, nf) = (x as f64, n as f64);
    let mut notes = Vec::new();
    let lower = if x == 0 {
        notes.push("lower limit set to 0 at x = 0 (Brown, Cai & DasGupta 2001 boundary modification)".to_string());
        0.0
    } else {
        beta_quantile(alpha / 2.0, xf + 0.5, nf - xf + 0.5, Method::Jeffreys)?
    };
    let upper = if x == n {
        notes.push("upper limit set to 1 at x = n (Brown, Cai & DasGupta 2001 boundary modification)".to_string());
        1.0
    } else {
        beta_quantile(1.0 - alpha / 2.0, xf + 0.5, nf - xf + 0.5, Method::Jeffreys)?
    };
    Ok((lower, upper, notes))
}

fn agresti_coull(x: u64, n: u64, level: f64) -> (f64, f64, Vec<String>) {
    let z = z_for_level(level);
    let z2 = z * z;
    let nt = n as f64 + z2;
    let pt = (x as f64 + z2 / 2.0) / nt;
    let half = z * (pt * (1.0 - pt) / nt).sqrt();
    truncate_unit(pt - half, pt + half)
}

fn wald(x: u64, n: u64, level: f64) -> (f64, f64, Vec<String>) {
    let z = z_for_level(level);
    let (xf, nf) = (x as f64, n as f64);
    let p = xf / nf;
    let half = z * (p * ((n - x) as f64 / nf) / nf).sqrt();
    let (l, u, mut notes) = truncate_unit(p - half, p + half);
    if x == 0 || x == n {
        notes.push(format!(
            "Wald interval is degenerate at x = {x} of n = {n} (zero standard error): [{p}, {p}]; prefer Wilson"
        ));
    }
    (l, u, notes)
}

/// Truncate an interval to [0, 1], with a note if anything was cut.
fn truncate_unit(l: f64, u: f64) -> (f64, f64, Vec<String>) {
    let mut notes = Vec::new();
    if l < 0.0 || u > 1.0 {
        notes.push("limit truncated to [0, 1] (as statsmodels proportion_confint)".to_string());
    }
    (l.clamp(0.0, 1.0), u.clamp(0.0, 1.0), notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bc(x: u64, n: u64) -> BinomialCount {
        BinomialCount::new(x, n).unwrap()
    }

    #[test]
    fn wilson_for_a_risk_ratio_method_is_not_applicable() {
        let err = proportion(&bc(3, 10), Method::KatzLog, 0.95).unwrap_err();
        assert!(matches!(err, Error::MethodNotApplicable { measure: Measure::Proportion, method: Method::KatzLog, .. }));
    }

    #[test]
    fn level_outside_unit_interval_is_rejected() {
        for lv in [0.0, 1.0, -0.5, 95.0, f64::NAN] {
            assert!(matches!(proportion(&bc(3, 10), Method::Wilson, lv), Err(Error::InvalidInput { .. })), "{lv}");
        }
    }

    #[test]
    fn hand_built_invalid_count_is_rejected() {
        let bad = BinomialCount { events: 5, n: 3 };
        assert!(matches!(proportion(&bad, Method::Wilson, 0.95), Err(Error::InvalidInput { .. })));
        let zero = BinomialCount { events: 0, n: 0 };
        assert!(proportion(&zero, Method::Wald, 0.95).is_err());
    }

    #[test]
    fn wilson_lower_form_equals_textbook_form() {
        // Textbook centre ± half-width, at a moderate count where cancellation is harmless.
        let (x, n) = (7.0f64, 23.0f64);
        let z = z_for_level(0.95);
        let c = (x + z * z / 2.0) / (n + z * z);
        let h = z * (x * (n - x) / n + z * z / 4.0).sqrt() / (n + z * z);
        let (l, u) = wilson_limits(7, 23, 0.95);
        assert!((l - (c - h)).abs() < 1e-15 && (u - (c + h)).abs() < 1e-15, "{l} {u}");
    }

    #[test]
    fn wald_degenerate_at_zero_has_note_and_ac_is_truncated() {
        let e = proportion(&bc(0, 10), Method::Wald, 0.95).unwrap();
        let ci = e.ci.unwrap();
        assert_eq!((ci.lower, ci.upper), (0.0, 0.0));
        assert!(e.notes.iter().any(|s| s.contains("degenerate")), "{:?}", e.notes);
        let e = proportion(&bc(10, 10), Method::Wald, 0.95).unwrap();
        assert_eq!((e.ci.unwrap().lower, e.ci.unwrap().upper), (1.0, 1.0));
        // Agresti–Coull at 0/10: untruncated lower is negative.
        let e = proportion(&bc(0, 10), Method::AgrestiCoull, 0.95).unwrap();
        assert_eq!(e.ci.unwrap().lower, 0.0);
        assert!(e.notes.iter().any(|s| s.contains("truncated")));
        // 1/10 Wald: 0.1 − 1.96·0.0949 < 0 → truncated to 0, with a note.
        let e = proportion(&bc(1, 10), Method::Wald, 0.95).unwrap();
        assert_eq!(e.ci.unwrap().lower, 0.0);
        assert!(e.notes.iter().any(|s| s.contains("truncated")));
        // An interior Wald interval has no note.
        assert!(proportion(&bc(5, 10), Method::Wald, 0.95).unwrap().notes.is_empty());
    }

    #[test]
    fn n_equal_one_gives_finite_limits_for_every_method() {
        for m in Measure::Proportion.methods() {
            for x in [0, 1] {
                let e = proportion(&bc(x, 1), *m, 0.95).unwrap();
                let ci = e.ci.unwrap();
                assert!(ci.lower.is_finite() && ci.upper.is_finite() && ci.lower <= ci.upper, "{m} {x}/1");
                assert!((0.0..=1.0).contains(&ci.lower) && (0.0..=1.0).contains(&ci.upper));
                assert_eq!(e.estimate, Some(x as f64));
                assert_eq!(e.n, Some(1));
            }
        }
        // Clopper–Pearson 0/1 at 95 %: upper = 1 − 0.025 = 0.975 exactly (Beta(1, 1) quantile).
        let e = proportion(&bc(0, 1), Method::ClopperPearson, 0.95).unwrap();
        assert!((e.ci.unwrap().upper - 0.975).abs() < 1e-14);
    }
}
