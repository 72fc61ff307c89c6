//! Distribution functions and small numerical helpers used by every estimator.
//!
//! Thin wrappers over statrs' special functions, with quantiles polished by Newton steps on the
//! CDF so that they agree with R's `qnorm`, `qt`, `qchisq`, `qbeta`, `qf` to about 1e-13
//! relative. The normal quantile is Wichura's AS 241 (Appl. Statist. 37:477, 1988), the algorithm
//! behind R's `qnorm`.

use crate::stats::root::{bracket_outward, brent};
use statrs::function::{beta, gamma};

/// Standard normal CDF Φ(x), to about 1e-15 relative in both tails (a Taylor series for |x| ≤ 2
/// and Laplace's continued fraction beyond). statrs' `erfc` is good only to about 1e-11 there.
pub fn pnorm(x: f64) -> f64 {
    norm_cdf(x)
}

/// Upper tail 1 − Φ(x) = Φ(−x), accurate far into the tail.
pub fn pnorm_upper(x: f64) -> f64 {
    norm_cdf(-x)
}

/// Standard normal CDF Φ(x) to about 1e-16 absolute and 1e-14 relative in the lower tail.
///
/// statrs' erfc is off by up to ~1.4e-11 (e.g. Φ(−1)), which would show in the noncentral t
/// (its last term is Φ(−ncp)) and in every z-test p-value; this one is used instead. For |x| ≤ 2, Marsaglia's series
/// Φ(x) = 1/2 + φ(x) Σ_{n≥0} x^{2n+1} / (1·3·5⋯(2n+1)) (Marsaglia 2004, J. Stat. Softw. 11(4)),
/// whose terms all share the sign of x; beyond, the Laplace continued fraction of the Mills ratio
/// 1 − Φ(a) = φ(a) / (a + 1/(a + 2/(a + 3/(a + ⋯)))) (evaluated by modified Lentz). φ(x) uses
/// x² split exactly into its rounded value and the rounding error, so the tail keeps its
/// relative accuracy.
fn norm_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let a = x.abs();
    if a <= 2.0 {
        let x2 = x * x;
        let (mut term, mut sum) = (x, x);
        let mut k = 1.0;
        while term.abs() > 1e-17 * sum.abs() {
            k += 2.0;
            term *= x2 / k;
            sum += term;
        }
        return 0.5 + norm_density(x) * sum;
    }
    if a > 40.0 {
        return if x > 0.0 { 1.0 } else { 0.0 };
    }
    // Modified Lentz for f = a + 1/(a + 2/(a + 3/(a + ...))).
    let tiny = 1e-300;
    let mut f = a;
    let mut c = a;
    let mut d = 0.0;
    for k in 1..5000 {
        let an = k as f64;
        d = a + an * d;
        if d.abs() < tiny {
            d = tiny;
        }
        d = 1.0 / d;
        c = a + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    let tail = norm_density(a) / f;
    if x < 0.0 {
        tail
    } else {
        0.5 - tail + 0.5
    }
}

/// φ(x) = exp(−x²/2)/sqrt(2π), with x² = hi + lo exactly (fused multiply-add).
fn norm_density(x: f64) -> f64 {
    let hi = x * x;
    let lo = x.mul_add(x, -hi);
    (-0.5 * hi).exp() * (-0.5 * lo).exp() * 0.3989422804014327
}

/// Standard normal density φ(x).
pub fn dnorm(x: f64) -> f64 {
    norm_density(x)
}

/// Standard normal quantile Φ⁻¹(p), Wichura's AS 241 (PPND16), as R's `qnorm`.
/// Returns ±inf at p = 1, 0 and NaN outside [0, 1].
pub fn qnorm(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r
                + 45921.953931549871457)
                * r
                + 13731.693765509461125)
                * r
                + 1971.5909503065514427)
                * r
                + 133.14166789178437745)
                * r
                + 3.387132872796366608)
            / (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r
                + 21213.794301586595867)
                * r
                + 5394.1960214247511077)
                * r
                + 687.1870074920579083)
                * r
                + 42.313330701600911252)
                * r
                + 1.0);
    }
    let mut r = if q < 0.0 { p } else { 1.0 - p };
    r = (-r.ln()).sqrt();
    let val = if r <= 5.0 {
        r -= 1.6;
        (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
            + 1.27045825245236838258)
            * r
            + 3.64784832476320460504)
            * r
            + 5.7694972214606914055)
            * r
            + 4.6303378461565452959)
            * r
            + 1.42343711074968357734)
            / (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966)
                * r
                + 0.14810397642748007459)
                * r
                + 0.68976733498510000455)
                * r
                + 1.6763848301838038494)
                * r
                + 2.05319162663775882187)
                * r
                + 1.0)
    } else {
        r -= 5.0;
        (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386)
            * r
            + 0.026532189526576123093)
            * r
            + 0.29656057182850489123)
            * r
            + 1.7848265399172913358)
            * r
            + 5.4637849111641143699)
            * r
            + 6.6579046435011037772)
            / (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5)
                * r
                + 7.868691311456132591e-4)
                * r
                + 0.0148753612908506148525)
                * r
                + 0.13692988092273580531)
                * r
                + 0.59983220655588793769)
                * r
                + 1.0)
    };
    if q < 0.0 {
        -val
    } else {
        val
    }
}

/// Two-sided p-value of a standard normal statistic, 2 P(Z > |z|), at most 1.
pub fn two_sided_z_p(z: f64) -> f64 {
    (2.0 * pnorm_upper(z.abs())).min(1.0)
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom, 2 P(T > |t|), at most 1.
pub fn two_sided_t_p(t: f64, df: f64) -> f64 {
    (2.0 * pt(-t.abs(), df)).min(1.0)
}

/// The two-sided critical value z_{1−α/2} for a confidence level (e.g. 1.959964 for 0.95),
/// computed as −Φ⁻¹(α/2) so that levels within 1e-16 of 1 keep their tail.
pub fn z_for_level(level: f64) -> f64 {
    -qnorm((1.0 - level) / 2.0)
}

/// The two-sided critical value t_{1−α/2, df}, computed as −t_{α/2, df}.
pub fn t_for_level(level: f64, df: f64) -> f64 {
    -qt((1.0 - level) / 2.0, df)
}

/// ln Γ(x).
pub fn ln_gamma(x: f64) -> f64 {
    gamma::ln_gamma(x)
}

/// ln C(n, k) for real n ≥ k ≥ 0.
pub fn ln_choose(n: f64, k: f64) -> f64 {
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
}

/// Regularised incomplete beta I_x(a, b).
///
/// The continued fraction of Numerical Recipes §6.4 (modified Lentz), on the side of the mean
/// where it converges fast, with the prefactor x^a (1−x)^b / B(a, b) computed by Loader's (2000)
/// saddle-point form (`stirlerr`, `bd0`: the method of R's `dbinom`), which keeps its relative
/// accuracy for shapes in the millions where ln B(a, b) by ln Γ would lose digits. The fraction
/// needs about 0.17 √(a + b) terms near the mean; it is given √(a + b) of them, at most 2·10⁶,
/// enough for a + b up to about 4·10¹² near the mean (and far more in the tails). Should it not
/// converge, statrs' `checked_beta_reg` answers as an approximation (statrs' own routine stops
/// after 140 terms and is wrong for shapes above a few thousand: it gives I_0.4(4·10⁶, 6·10⁶) =
/// 0.61 where the answer is 0.50002); [`qbeta_checked`] instead reports that it cannot answer.
/// NaN or non-positive shapes give NaN.
pub fn pbeta(x: f64, a: f64, b: f64) -> f64 {
    pbeta_xy(x, 1.0 - x, a, b)
}

/// [`pbeta`] given both x and y = 1 − x, each computed accurately by the caller (so that an x
/// within rounding of 1 keeps its complement, as in the t distribution at huge df).
pub fn pbeta_xy(x: f64, y: f64, a: f64, b: f64) -> f64 {
    if x.is_nan() || y.is_nan() || !(a > 0.0 && b > 0.0) {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if y <= 0.0 {
        return 1.0;
    }
    pbeta_cf_xy(x, y, a, b).unwrap_or_else(|| beta::checked_beta_reg(a, b, x).unwrap_or(f64::NAN))
}

/// ln[x^a (1−x)^b / B(a, b)] by Loader's saddle-point form:
/// x^a (1−x)^b / B(a, b) = ab/(a+b) · f(a; a+b, x), with f the binomial density extended to real
/// arguments.
fn ln_beta_prefactor_xy(x: f64, y: f64, a: f64, b: f64) -> f64 {
    let n = a + b;
    let lc = stirlerr(n) - stirlerr(a) - stirlerr(b) - bd0(a, n * x) - bd0(b, n * y);
    let lf = (2.0 * std::f64::consts::PI).ln() + a.ln() + b.ln() - n.ln();
    a.ln() + b.ln() - n.ln() + lc - 0.5 * lf
}

/// I_x(a, b) by the continued fraction, or `None` if it did not converge within the budget.
#[cfg(test)]
fn pbeta_cf(x: f64, a: f64, b: f64) -> Option<f64> {
    pbeta_cf_xy(x, 1.0 - x, a, b)
}

/// I_x(a, b) given x and y = 1 − x, each accurate (so that quantiles near 1 keep their
/// precision); `None` if the fraction did not converge within its budget of terms.
fn pbeta_cf_xy(x: f64, y: f64, a: f64, b: f64) -> Option<f64> {
    if x <= 0.0 {
        return Some(0.0);
    }
    if y <= 0.0 {
        return Some(1.0);
    }
    // Numerical Recipes evaluates the fraction in the frame where x lies below the mean
    // (a+1)/(a+b+2), where it converges fastest. But a frame whose argument is within 1e-3 of 1
    // loses everything to cancellation in its first term 1 − (a+b)x/(a+1) (e.g. the upper
    // Clopper–Pearson limit at 3/2^53, where 1 − x ≈ 1e-15); the other frame converges quickly
    // there (one shape is small next to the other), so it is tried first, the usual one after.
    let standard_swap = x > (a + 1.0) / (a + b + 2.0);
    let swap = if standard_swap && x < 1e-3 {
        false
    } else if !standard_swap && y < 1e-3 {
        true
    } else {
        standard_swap
    };
    let direct = || pbeta_cf_frame(x, y, a, b);
    let swapped = || pbeta_cf_frame(y, x, b, a).map(|v| 1.0 - v);
    if swap {
        swapped().or_else(direct)
    } else {
        direct().or_else(swapped)
    }
}

/// The continued fraction for I_x(a, b) in the frame given (no choice of frame).
fn pbeta_cf_frame(x: f64, y: f64, a: f64, b: f64) -> Option<f64> {
    const TINY: f64 = 1e-300;
    // Measured: about 0.17 √(a + b) terms are needed near the mean; allow √(a + b), at most 2·10⁶.
    let max_terms = (1000.0 + (a + b).sqrt()).min(2e6) as usize;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    let mut converged = false;
    for m in 1..=max_terms {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= 1e-16 {
            converged = true;
            #[cfg(test)]
            CF_TERMS.with(|t| t.set(m as usize));
            break;
        }
    }
    if !converged {
        return None;
    }
    Some(((ln_beta_prefactor_xy(x, y, a, b)).exp() * h / a).clamp(0.0, 1.0))
}

#[cfg(test)]
thread_local! {
    static CF_TERMS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Beta density.
pub fn dbeta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        return 0.0;
    }
    ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - beta::ln_beta(a, b)).exp()
}

/// Beta quantile: the x with I_x(a, b) = p, or NaN when it cannot be computed (see
/// [`qbeta_checked`]).
pub fn qbeta(p: f64, a: f64, b: f64) -> f64 {
    qbeta_checked(p, a, b).unwrap_or(f64::NAN)
}

/// Beta quantile by Brent's method on the logit scale t = ln(x/(1−x)), so that quantiles near 0
/// or 1 keep their relative precision (about 1e-14), started from the normal approximation and
/// bracketed outwards. `None` when I_x(a, b) cannot be evaluated to full precision (shapes above
/// about 10¹², see [`pbeta`]); callers turn that into an error rather than a wrong number.
/// (statrs' `inv_beta_reg` never returns for shapes of 10⁷ and more.)
pub fn qbeta_checked(p: f64, a: f64, b: f64) -> Option<f64> {
    if !(a > 0.0 && b > 0.0) || p.is_nan() {
        return None;
    }
    if p <= 0.0 {
        return Some(0.0);
    }
    if p >= 1.0 {
        return Some(1.0);
    }
    let logistic = |t: f64| -> (f64, f64) {
        if t >= 0.0 {
            let e = (-t).exp();
            (1.0 / (1.0 + e), e / (1.0 + e))
        } else {
            let e = t.exp();
            (e / (1.0 + e), 1.0 / (1.0 + e))
        }
    };
    let failed = std::cell::Cell::new(false);
    let f = |t: f64| -> f64 {
        let (x, y) = logistic(t);
        match pbeta_cf_xy(x, y, a, b) {
            Some(v) => v - p,
            None => {
                failed.set(true);
                f64::NAN
            }
        }
    };
    let n = a + b;
    let mean = a / n;
    let sd = (a * b / (n * n * (n + 1.0))).sqrt();
    let x0 = (mean + qnorm(p) * sd).clamp(1e-300, 1.0 - 1e-16);
    let t0 = (x0 / (1.0 - x0)).ln();
    let f0 = f(t0);
    if failed.get() {
        return None;
    }
    if f0 == 0.0 {
        return Some(logistic(t0).0);
    }
    let limit = if f0 < 0.0 { 745.0 } else { -745.0 };
    let (inner, outer) = bracket_outward(&f, t0, 0.5, limit, 2.0)?;
    if failed.get() {
        return None;
    }
    let (lo, hi) = if inner < outer { (inner, outer) } else { (outer, inner) };
    let t = brent(&f, lo, hi, 1e-15).ok()?;
    if failed.get() {
        return None;
    }
    Some(logistic(t).0)
}

/// Student t CDF with `df` degrees of freedom (df may be fractional, e.g. Welch):
/// P(T ≤ −|t|) = I_x(df/2, 1/2)/2 with x = df/(df + t²), passing 1 − x = t²/(df + t²) computed
/// directly so that huge df (10⁹ and more) keep their digits. NaN in, NaN out.
pub fn pt(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || !(df > 0.0) {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 1.0 } else { 0.0 };
    }
    if df.is_infinite() {
        return pnorm(t);
    }
    let t2 = t * t;
    let (x, y) = if t2.is_finite() { (df / (df + t2), t2 / (df + t2)) } else { (0.0, 1.0) };
    let tail = 0.5 * pbeta_xy(x, y, df / 2.0, 0.5);
    if t > 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// Student t density.
pub fn dt(t: f64, df: f64) -> f64 {
    (ln_gamma((df + 1.0) / 2.0) - ln_gamma(df / 2.0) - 0.5 * (df * std::f64::consts::PI).ln()
        - (df + 1.0) / 2.0 * (1.0 + t * t / df).ln())
    .exp()
}

/// Student t quantile.
pub fn qt(p: f64, df: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p.is_nan() || !(df > 0.0) {
        return f64::NAN;
    }
    if df.is_infinite() {
        return qnorm(p);
    }
    // t² = df (1 − x)/x with x = I⁻¹(2 min(p, 1 − p); df/2, 1/2). When x is near 1 (t² < df, as
    // at huge df) 1 − x loses its digits, so y = 1 − x is solved for directly instead:
    // y = I⁻¹(1 − 2 min(p, 1 − p); 1/2, df/2).
    let tail = if p < 0.5 { p } else { 1.0 - p };
    let x = qbeta(2.0 * tail, df / 2.0, 0.5);
    let t2 = if x > 0.5 {
        let y = qbeta(1.0 - 2.0 * tail, 0.5, df / 2.0);
        df * (y / (1.0 - y))
    } else {
        df * ((1.0 - x) / x)
    };
    let mut t = t2.sqrt();
    if p < 0.5 {
        t = -t;
    }
    polish(t, p, f64::NEG_INFINITY, f64::INFINITY, |v| pt(v, df), |v| dt(v, df))
}

/// Chi-squared CDF.
pub fn pchisq(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    gamma::gamma_lr(df / 2.0, x / 2.0)
}

/// Chi-squared upper tail P(X > x), accurate for small p-values.
/// Upper tail of the F distribution: P(F(d₁, d₂) > f) = I_x(d₂/2, d₁/2) with
/// x = d₂/(d₂ + d₁f) (R's `pf(f, d1, d2, lower.tail = FALSE)`).
pub fn pf_upper(f: f64, d1: f64, d2: f64) -> f64 {
    if f <= 0.0 {
        return 1.0;
    }
    let den = d2 + d1 * f;
    pbeta_xy(d2 / den, d1 * f / den, d2 / 2.0, d1 / 2.0)
}

pub fn pchisq_upper(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    gamma::gamma_ur(df / 2.0, x / 2.0)
}

/// Chi-squared density.
pub fn dchisq(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let k = df / 2.0;
    ((k - 1.0) * x.ln() - x / 2.0 - k * std::f64::consts::LN_2 - ln_gamma(k)).exp()
}

/// Chi-squared quantile.
pub fn qchisq(p: f64, df: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let x0 = {
        use statrs::distribution::{ChiSquared, ContinuousCDF};
        ChiSquared::new(df).map(|d| d.inverse_cdf(p)).unwrap_or(df)
    };
    polish(x0, p, 0.0, f64::INFINITY, |x| pchisq(x, df), |x| dchisq(x, df))
}

/// Sum with Neumaier's compensated summation (order-independent to rounding for typical data).
/// An overflowing sum returns ±inf (never the NaN that inf − inf in the compensation would give);
/// see [`mean_sd`] for an overflow-safe mean.
pub fn neumaier_sum<I: IntoIterator<Item = f64>>(values: I) -> f64 {
    let mut sum = 0.0f64;
    let mut comp = 0.0f64;
    for v in values {
        if !sum.is_finite() {
            // Keep accumulating the infinity (or NaN) without the compensation term.
            sum += v;
            continue;
        }
        let t = sum + v;
        if sum.abs() >= v.abs() {
            comp += (sum - t) + v;
        } else {
            comp += (v - t) + sum;
        }
        sum = t;
    }
    if sum.is_finite() {
        sum + comp
    } else {
        sum
    }
}

/// Mean and sample SD (n − 1 denominator; `None` for n < 2) of finite values, with compensated
/// sums, falling back to scaled sums when the plain ones overflow (values near 1e308), so that
/// the result is finite whenever the true mean and SD are.
pub fn mean_sd(values: &[f64]) -> (f64, Option<f64>) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, None);
    }
    let s = neumaier_sum(values.iter().copied());
    let mean = if s.is_finite() { s / n } else { neumaier_sum(values.iter().map(|v| v / n)) };
    if values.len() < 2 {
        return (mean, None);
    }
    let ss = neumaier_sum(values.iter().map(|v| (v - mean) * (v - mean)));
    let sd = if ss.is_finite() {
        (ss / (n - 1.0)).sqrt()
    } else {
        let scale = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let ms = mean / scale;
        let ss = neumaier_sum(values.iter().map(|v| {
            let d = v / scale - ms;
            d * d
        }));
        scale * (ss / (n - 1.0)).sqrt()
    };
    (mean, Some(sd))
}

/// Newton polishing of a quantile `x0` for `cdf(x) = p`, kept inside [lo, hi]; falls back to the
/// starting value if the density vanishes.
fn polish(x0: f64, p: f64, lo: f64, hi: f64, cdf: impl Fn(f64) -> f64, pdf: impl Fn(f64) -> f64) -> f64 {
    let mut x = x0;
    if !x.is_finite() {
        return x0;
    }
    for _ in 0..8 {
        let d = pdf(x);
        if !(d > 0.0) || !d.is_finite() {
            break;
        }
        let step = (cdf(x) - p) / d;
        let mut nx = x - step;
        if nx <= lo || nx >= hi || !nx.is_finite() {
            nx = if nx <= lo { (x + lo.max(x - x.abs())) / 2.0 } else { (x + hi.min(x + x.abs())) / 2.0 };
            if !nx.is_finite() {
                break;
            }
        }
        let done = (nx - x).abs() <= 1e-15 * x.abs().max(1e-300);
        x = nx;
        if done {
            break;
        }
    }
    x
}

/// ln(n!) − ln(√(2πn) (n/e)^n), the Stirling error (Loader 2000). Exact values (from 40-digit
/// arithmetic) for whole n ≤ 15, the defining formula for other n ≤ 15, the asymptotic series beyond.
pub(crate) fn stirlerr(n: f64) -> f64 {
    // 20 significant digits, as computed; f64 keeps the nearest value.
    #[allow(clippy::excessive_precision)]
    const TABLE: [f64; 16] = [
        0.0,
        0.081_061_466_795_327_258_22,
        0.041_340_695_955_409_294_094,
        0.027_677_925_684_998_339_149,
        0.020_790_672_103_765_093_112,
        0.016_644_691_189_821_192_163,
        0.013_876_128_823_070_747_999,
        0.011_896_709_945_891_770_095,
        0.010_411_265_261_972_096_497,
        0.009_255_462_182_712_732_917_7,
        0.008_330_563_433_362_871_256_5,
        0.007_573_675_487_951_840_795,
        0.006_942_840_107_209_529_865_7,
        0.006_408_994_188_004_207_068_4,
        0.005_951_370_112_758_847_735_6,
        0.005_554_733_551_962_801_371,
    ];
    if n <= 15.0 {
        if n.fract() == 0.0 {
            return TABLE[n as usize];
        }
        // Non-integer n (e.g. Jeffreys' x + 1/2): the defining formula, exact enough this small.
        return ln_gamma(n + 1.0) - (n + 0.5) * n.ln() + n - 0.5 * (2.0 * std::f64::consts::PI).ln();
    }
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    let nn = n * n;
    if n > 500.0 {
        (S0 - S1 / nn) / n
    } else if n > 80.0 {
        (S0 - (S1 - S2 / nn) / nn) / n
    } else if n > 35.0 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
    }
}

/// Deviance term x ln(x/μ) + μ − x, by a series when x ≈ μ (Loader 2000).
pub(crate) fn bd0(x: f64, mu: f64) -> f64 {
    if (x - mu).abs() < 0.1 * (x + mu) {
        let v = (x - mu) / (x + mu);
        let mut s = (x - mu) * v;
        let mut ej = 2.0 * x * v;
        let v2 = v * v;
        for j in 1..1000 {
            ej *= v2;
            let s1 = s + ej / (2 * j + 1) as f64;
            if s1 == s {
                return s1;
            }
            s = s1;
        }
        s
    } else {
        x * (x / mu).ln() + mu - x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    // Values printed by R 4.2.2: print(c(qnorm(1e-10), qt(0.975, 10), ...), digits = 17).
    #[test]
    fn quantiles_match_r() {
        let cases = [
            (qnorm(0.975), 1.959963984540054, 1e-15),
            (qnorm(1e-10), -6.3613409024040557, 1e-14),
            (qt(0.975, 10.0), 2.2281388519862739, 1e-13),
            (qt(0.975, 2.5), 3.5746548420036919, 1e-12),
            (qt(1e-8, 4.0), -131.59473694062353, 1e-11),
            (qchisq(0.95, 1.0), 3.8414588206941240, 1e-13),
            (qchisq(0.025, 3.5), 0.33887338430277086, 1e-12),
            (qbeta(0.025, 7.0, 994.0), 2.8188587596205241e-03, 1e-12),
        ];
        for (i, (got, want, tol)) in cases.iter().enumerate() {
            assert!(rel(*got, *want) < *tol, "case {i}: {got} vs {want} (rel {})", rel(*got, *want));
        }
    }

    // R 4.2.2: print(c(pf(3, 2, 10, lower.tail = FALSE), pf(0.5, 1, 3, lower.tail = FALSE),
    //   pf(25, 4, 120, lower.tail = FALSE)), digits = 17)
    #[test]
    fn f_upper_tail_matches_r() {
        assert!(rel(pf_upper(3.0, 2.0, 10.0), 9.5367431640624972e-02) < 1e-13);
        assert!(rel(pf_upper(0.5, 1.0, 3.0), 5.3047777093295700e-01) < 1e-13);
        assert!(rel(pf_upper(25.0, 4.0, 120.0), 4.5381789537268835e-15) < 1e-10);
        assert_eq!(pf_upper(0.0, 2.0, 5.0), 1.0);
    }

    // R 4.2.2: print(c(pbeta(0.4, 4e6, 6e6), pbeta(1.2e-4, 12, 99989), pbeta(0.1, 1000.5, 9000.5),
    //   pbeta(0.3, 2, 3), pbeta(0.999, 0.5, 0.5), pbeta(0.00012, 12.5, 99988.5)), digits = 17)
    #[test]
    fn pbeta_matches_r_for_large_and_small_shapes() {
        let cases = [
            (pbeta(0.4, 4e6, 6e6), 0.50001716774257132, 1e-10),
            (pbeta(1.2e-4, 12.0, 99989.0), 0.53840952948026422, 1e-12),
            (pbeta(0.1, 1000.5, 9000.5), 0.49822669985362811, 1e-12),
            (pbeta(0.3, 2.0, 3.0), 0.34829999999999989, 1e-14),
            (pbeta(0.999, 0.5, 0.5), 0.97986495836662257, 1e-14),
        ];
        for (i, (got, want, tol)) in cases.iter().enumerate() {
            assert!(rel(*got, *want) < *tol, "case {i}: {got} vs {want} (rel {})", rel(*got, *want));
        }
    }

    #[test]
    fn pnorm_tails() {
        // R 4.2.2: print(c(pnorm(-1), pnorm(-10), pnorm(5, lower.tail = FALSE)), digits = 17)
        assert!(rel(pnorm(-1.0), 0.15865525393145705) < 1e-15);
        assert!(rel(pnorm(-10.0), 7.6198530241605269e-24) < 1e-13);
        assert!(rel(pnorm_upper(5.0), 2.8665157187919391e-07) < 1e-14);
    }

    #[test]
    fn cf_terms_grow_like_sqrt_of_shape() {
        for k in [1e2, 1e4, 1e6, 1e8] {
            let _ = pbeta_cf(0.4, 0.4 * k, 0.6 * k);
            let terms = CF_TERMS.with(|t| t.get());
            println!("a + b = {k:e}: {terms} terms");
            assert!((terms as f64) < 5.0 * k.sqrt() + 50.0, "{k}: {terms}");
        }
    }

    // R 4.2.2: print(c(qbeta(0.025, 12, 99989), qbeta(0.975, 13, 99988), qbeta(0.025, 4e6, 6e6),
    //   qbeta(0.975, 1000.5, 9000.5), qbeta(0.025, 1e9, 2e9), qbeta(1e-10, 0.5, 0.5),
    //   qbeta(0.999999, 2, 3), qbeta(0.025, 1, 9007199254740992)), digits = 17)
    #[test]
    fn qbeta_matches_r_including_huge_shapes() {
        let cases = [
            (qbeta(0.025, 12.0, 99989.0), 6.2007239117359693e-05, 1e-12),
            (qbeta(0.975, 13.0, 99988.0), 2.0960645805016386e-04, 1e-12),
            (qbeta(0.025, 4e6, 6e6), 3.9969638265022051e-01, 1e-12),
            (qbeta(0.975, 1000.5, 9000.5), 1.0599560843213918e-01, 1e-12),
            (qbeta(0.025, 1e9, 2e9), 3.3331646475441834e-01, 1e-12),
            (qbeta(1e-10, 0.5, 0.5), 2.4674011002723406e-20, 1e-12),
            (qbeta(0.999999, 2.0, 3.0), 9.9369042632979454e-01, 1e-12),
            (qbeta(0.025, 1.0, 9007199254740992.0), 2.8108413357197260e-18, 1e-12),
        ];
        for (i, (got, want, tol)) in cases.iter().enumerate() {
            assert!(rel(*got, *want) < *tol, "case {i}: {got} vs {want} (rel {})", rel(*got, *want));
        }
        // Huge shapes: the fraction converges fast in the tails, where CI limits live
        // (R: qbeta(0.025, 4.5e15, 4.5e15) = 0.49999998967008291) ...
        assert!(rel(qbeta(0.025, 4.5e15, 4.5e15), 0.49999998967008291) < 1e-14);
        // ... and at the median (Beta(a, a) has median 1/2).
        assert!((qbeta(0.5, 4.5e15, 4.5e15) - 0.5).abs() < 1e-15);
        assert_eq!(qbeta_checked(0.5, -1.0, 2.0), None);
    }
}
