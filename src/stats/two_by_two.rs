//! Two independent proportions: risk ratio, odds ratio, risk difference, number needed to treat
//! and Pearson's chi-squared test for a 2×2 table.
//!
//! Cells follow [`TwoByTwo`]: a = treated events, b = treated non-events, c = control events,
//! d = control non-events; n1 = a + b, n2 = c + d, N = n1 + n2, p̂1 = a/n1, p̂2 = c/n2, z = z_{1−α/2}.
//! Every ratio and difference is treated versus control. Every result has `n = Some(N)`.
//!
//! # Methods
//! | measure | method | formula / reference | agrees with |
//! |---|---|---|---|
//! | RR | [`Method::KatzLog`] | ln(p̂1/p̂2) ± z √(b/(a n1) + d/(c n2)); Katz et al. 1978 (Biometrics 34:469) | SciPy `relative_risk(..).confidence_interval()`, epiR `epi.2by2` "wald" |
//! | RR | [`Method::Koopman`] | score inversion, variance under p1 = φ p2 at the constrained MLE; Koopman 1984 (Biometrics 40:513) | statsmodels `confint_proportions_2indep(compare="ratio", method="score", correction=False)` (Nam 1995 cubic), epiR score RR on the transposed table |
//! | RR | [`Method::MiettinenNurminen`] | as Koopman, variance × N/(N−1); Miettinen & Nurminen 1985 (Stat Med 4:213) | statsmodels `correction=True` |
//! | OR | [`Method::Woolf`] | ln(ad/bc) ± z √(1/a + 1/b + 1/c + 1/d); Woolf 1955 | epiR "wald"; statsmodels `logit` / `logit-adjusted` (zero cells) |
//! | OR | [`Method::MiettinenNurminen`] | χ²(ψ) = (a − n1 p̃1)² [1/(n1 p̃1 q̃1) + 1/(n2 p̃2 q̃2)] (N−1)/N; MN 1985 | statsmodels `compare="odds-ratio", method="score", correction=True` |
//! | RD | [`Method::Wald`] | p̂1 − p̂2 ± z √(p̂1q̂1/n1 + p̂2q̂2/n2) | statsmodels `wald` |
//! | RD | [`Method::Newcombe`] | hybrid score from the two Wilson intervals (l_i, u_i): [δ̂ − √((p̂1−l1)² + (u2−p̂2)²), δ̂ + √((u1−p̂1)² + (p̂2−l2)²)]; Newcombe 1998b (Stat Med 17:873) method 10 | Newcombe 1998b Table II; statsmodels `newcomb` |
//! | RD | [`Method::MiettinenNurminen`] | score inversion with the constrained MLE of Farrington & Manning 1990 (Stat Med 9:1447) and variance × N/(N−1); Newcombe 1998b method 6 | Newcombe 1998b Table II (see below) |
//! | RD | [`Method::AgrestiCaffo`] | Wald on (x+1)/(n+2) in each group; Agresti & Caffo 2000 (Am Stat 54:280) | statsmodels `agresti-caffo` |
//!
//! The estimate is the observed ratio or difference for every method, except Katz and Woolf with
//! a zero cell (below). Differences of proportions are computed as (a n2 − c n1)/(n1 n2) with the
//! numerator exact in 128-bit integers, and the Newcombe half-widths from the cancellation-free
//! distances p̂ − l = (x/n)(z²/2 + h)/(x + z²/2 + h), so counts up to 2^53 keep full relative
//! precision (checked against 50-digit mpmath). The MN odds-ratio statistic is evaluated on the
//! four fitted cells of the constrained MLE, each from its own quadratic, so that a fitted cell
//! near 0 (a zero cell, far in the tail) keeps its relative precision. Score intervals (Koopman, MN) are found by Brent root finding to
//! [`crate::stats::root::TIGHT`] on the log scale (ratios) or on the difference.
//!
//! # Zero cells
//! See [`ZERO_CELL_POLICY`]. In detail:
//! * Score, Wilson-based and add-one methods (Koopman, MN, Newcombe, Agresti–Caffo) need no
//!   correction. A ratio estimate of 0 (a = 0) has lower limit 0; an infinite estimate (c = 0 for
//!   the RR; b = 0 or c = 0 for the OR) has upper limit +inf.
//! * Katz log RR: when a or c (the cells it divides by) is zero, 0.5 is added to every cell
//!   (Haldane 1956; Anscombe 1956) and the estimate and CI are those of the corrected table; the
//!   note "0.5 added to every cell: zero cell" says so. Woolf OR: the same when any cell is zero.
//! * No events in either group (0/n1 vs 0/n2): RR and OR are 0/0, undefined: estimate `None` with a
//!   note. The score statistic is then 0 for every ratio, so Koopman and MN give [0, inf) (as epiR
//!   does); Katz and Woolf give the corrected-table interval. The RD is 0 and well defined.
//! * Every subject with the event in both groups (n1/n1 vs n2/n2): the OR is undefined as above
//!   (MN gives [0, inf)). The RR is 1/1 = 1, defined: Koopman gives the closed form
//!   [n1/(n1 + z²), (n2 + z²)/n2] (as epiR), MN the same with z² N/(N−1); Katz has zero standard
//!   error and returns [1, 1] with a note.
//! * Wald RD with zero standard error (both proportions 0 or 1) is degenerate and says so. Wald and
//!   Agresti–Caffo RD limits are truncated to [−1, 1] with a note (the published Table II of
//!   Newcombe 1998b and the SAS values do the same).
//!
//! # Where the references disagree
//! * **MN risk difference.** statsmodels solves its score equation by `brentq` on the p-value, with
//!   brackets built from the Wald interval and the upper end capped at 0.99999; its limits differ
//!   from Newcombe's published Table II in places. trialstat follows Newcombe (1998b, Table II,
//!   method 6), which it reproduces to the 4 printed decimals.
//! * **Yates' correction.** R's `chisq.test` (and SciPy's `chi2_contingency` since 1.7) uses
//!   min(0.5, |O − E|), not 0.5, so the corrected statistic is never larger than the uncorrected
//!   one; trialstat follows R.
//! * **Koopman at n1 = n2 = 1.** For 1/1 vs 0/1 epiR and statsmodels (both via Nam's 1995 cubic)
//!   give the lower limit 2. Evaluating Koopman's statistic directly, the constrained MLE is
//!   p̃2 = ½, p̃1 = φ/2 for φ ≤ 2, so z(φ) = √(2/φ) and the limit is 2/z² = 0.52 (z(2) = 1 < 1.96);
//!   trialstat follows the statistic. statsmodels' cubic also picks a wrong root when b = 0 or
//!   d = 0 (e.g. [0.49999, 0.50001] for 0/12 vs 12/12, whose RR is 0); epiR handles those cases.
//! * **Fagerland et al. (2015)** print the Koopman interval for 7/34 vs 1/34 as 1.21 to 43;
//!   trialstat, epiR and statsmodels agree on 1.2209 to 42.58.
//! * **Score RR in epiR.** Debian's epiR 2.0.57 passes the cells to its score RR in the order
//!   a, c, b, d; it is correct only on the transposed table (the reference script does that).

use crate::data::{check_level, BinomialCount, TwoByTwo};
use crate::error::{Error, Result};
use crate::fmt::sig;
use crate::stats::dist::{pchisq_upper, z_for_level};
use crate::stats::proportion::wilson_distances;
use crate::stats::root::{bracket_outward, brent, TIGHT};
use crate::stats::{Ci, Estimate, Measure, Method};
use serde::Serialize;

/// The zero-cell policy, in one statement (for documentation and `--help`).
pub const ZERO_CELL_POLICY: &str = "Score, exact, Wilson-based and add-one intervals (Koopman, \
Miettinen-Nurminen, Newcombe, Agresti-Caffo, Wilson, Clopper-Pearson, Jeffreys) use zero cells as \
they are: a ratio of 0 has lower limit 0 and an infinite ratio upper limit infinity. Katz log RR \
(a or c zero) and Woolf OR (any cell zero) add 0.5 to every cell (Haldane-Anscombe) and say so in \
a note. With no events in either group, or (odds ratio) events in every subject of both groups, \
the ratio is 0/0: no estimate, and the score interval is [0, infinity). The risk difference is \
always defined.";

/// Note attached when the Haldane–Anscombe correction was applied.
const HALF_NOTE: &str = "0.5 added to every cell: zero cell (Haldane-Anscombe); estimate and CI from the corrected table";

/// Whether the counted event is harmful (death, relapse) or beneficial (cure, response); it sets
/// the sign of the number needed to treat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Harmful,
    Beneficial,
}

/// Log-ratio search range for score intervals: e^±80 is far beyond any ratio of counts ≤ 2^53
/// (≈ e^36.7).
const LOG_LIM: f64 = 80.0;
/// Stand-in for an infinite score statistic inside the root finder.
const BIG: f64 = 1e12;

fn validate(t: &TwoByTwo) -> Result<TwoByTwo> {
    Ok(TwoByTwo::new(
        BinomialCount::new(t.treated.events, t.treated.n)?,
        BinomialCount::new(t.control.events, t.control.n)?,
    ))
}

fn total(t: &TwoByTwo) -> u64 {
    t.treated.n + t.control.n
}

/// Observed counts as floats with group sizes: (a, b, c, d, n1, n2).
fn counts(t: &TwoByTwo) -> (f64, f64, f64, f64, f64, f64) {
    let (a, b, c, d) = t.cells();
    (a, b, c, d, t.treated.n as f64, t.control.n as f64)
}

fn clamp_z(z: f64) -> f64 {
    if z.is_nan() {
        0.0
    } else {
        z.clamp(-BIG, BIG)
    }
}

/// Invert a score statistic z(θ), decreasing in θ = ln(ratio), at critical value `zc`.
/// `est` is the observed ratio (0, finite or +inf). Returns (lower, upper) on the ratio scale.
fn invert_log(z: impl Fn(f64) -> f64, est: f64, zc: f64) -> Result<(f64, f64)> {
    let g_lo = |th: f64| clamp_z(z(th)) - zc;
    let g_up = |th: f64| clamp_z(z(th)) + zc;
    let lower = if est == 0.0 {
        0.0
    } else {
        let start = if est.is_finite() { est.ln() } else { LOG_LIM };
        if g_lo(start) >= 0.0 {
            return Err(Error::NoConvergence {
                what: "score interval (lower limit)".into(),
                detail: format!("statistic at ln ratio {start} is not below the critical value"),
            });
        }
        match bracket_outward(g_lo, start, 0.25, -LOG_LIM, 2.0) {
            Some((inner, outer)) => brent(g_lo, outer, inner, TIGHT)?.exp(),
            None => 0.0,
        }
    };
    let upper = if est == f64::INFINITY {
        f64::INFINITY
    } else {
        let start = if est > 0.0 { est.ln() } else { -LOG_LIM };
        if g_up(start) <= 0.0 {
            return Err(Error::NoConvergence {
                what: "score interval (upper limit)".into(),
                detail: format!("statistic at ln ratio {start} is not above minus the critical value"),
            });
        }
        match bracket_outward(g_up, start, 0.25, LOG_LIM, 2.0) {
            Some((inner, outer)) => brent(g_up, inner, outer, TIGHT)?.exp(),
            None => f64::INFINITY,
        }
    };
    Ok((lower, upper))
}

/// Score statistic for H: p1 = φ p2 at θ = ln φ (Koopman 1984; MN 1985 with `k` = N/(N−1)).
/// The constrained MLE p̃2 is the smaller root of N φ p² − (n1 φ + a + n2 + c φ) p + (a + c) = 0
/// (scaled by 1/N to keep large counts in range).
fn rr_score_z(t: &TwoByTwo, k: f64, theta: f64) -> f64 {
    let (a, _, c, _, n1, n2) = counts(t);
    let nn = n1 + n2;
    let phi = theta.exp();
    let (w1, w2, r1, r2) = (n1 / nn, n2 / nn, a / nn, c / nn);
    let bq = w1 * phi + r1 + w2 + r2 * phi; // −B / N
    let cq = r1 + r2; // C / N
    let disc = (bq * bq - 4.0 * phi * cq).max(0.0);
    let p2 = if cq == 0.0 { 0.0 } else { (2.0 * cq / (bq + disc.sqrt())).min(1.0) };
    let p1 = (phi * p2).min(1.0);
    let var = k * (p1 * (1.0 - p1) / n1 + phi * phi * p2 * (1.0 - p2) / n2);
    let num = a / n1 - phi * (c / n2);
    score_z(num, var)
}

/// Non-negative root u of (1 − ψ) u² + (b0 + ψ b1) u − ψ g1 = 0 (g1 ≥ 0), computed without
/// cancellation; `pm1` = ψ − 1. Every fitted cell of the constrained odds-ratio MLE solves one.
fn cell_root(psi: f64, pm1: f64, b0: f64, b1: f64, g1: f64) -> f64 {
    let alpha = -pm1;
    let beta = b0 + psi * b1;
    let c = psi * g1;
    let disc = (beta * beta + 4.0 * alpha * c).max(0.0).sqrt();
    if beta > 0.0 {
        2.0 * c / (beta + disc)
    } else if alpha != 0.0 {
        (-beta + disc) / (2.0 * alpha)
    } else {
        0.0
    }
    .max(0.0)
}

/// Score statistic for H: odds ratio = ψ at θ = ln ψ (Miettinen & Nurminen 1985):
/// z = (a − Ã) √((1/Ã + 1/B̃ + 1/C̃ + 1/D̃) / k), where Ã, B̃, C̃, D̃ are the fitted cells of the
/// constrained MLE (the table with the observed margins and cross-ratio ψ; n1 p̃1 = Ã etc., so
/// 1/(n1 p̃1 q̃1) + 1/(n2 p̃2 q̃2) is the sum of reciprocal fitted cells). Each fitted cell is
/// found from its own quadratic, so that a cell near 0 keeps full relative precision far into
/// the tails (needed to bracket the limits when a cell is zero).
fn or_score_z(t: &TwoByTwo, k: f64, theta: f64) -> f64 {
    let (a, _, _, _, n1, n2) = counts(t);
    let nn = n1 + n2;
    let m = (t.treated.events + t.control.events) as f64; // events (column margin)
    let mc = nn - m; // non-events
    let (psi, pm1) = (theta.exp(), theta.exp_m1());
    let (ipsi, ipm1) = ((-theta).exp(), (-theta).exp_m1());
    // Ã D̃ = ψ B̃ C̃ with Ã = x, B̃ = n1 − x, C̃ = m − x, D̃ = n2 − m + x:
    let fa = cell_root(psi, pm1, n2 - m, n1 + m, n1 * m);
    let fd = cell_root(psi, pm1, m - n2, mc + n2, mc * n2);
    // B̃ and C̃: the same with events and non-events swapped (odds ratio 1/ψ, margin N − m).
    let fb = cell_root(ipsi, ipm1, n2 - mc, n1 + mc, n1 * mc);
    let fc = cell_root(ipsi, ipm1, mc - n2, m + n2, m * n2);
    // a − Ã = B̃ − b = C̃ − c = d − D̃: use the smallest fitted cell, which carries the smallest
    // absolute rounding error (Ã ≈ 10 ± 1e-15 would swamp a deviation of e^-80).
    let (_, b, c, d) = t.cells();
    let e = [(fa, a - fa), (fb, fb - b), (fc, fc - c), (fd, d - fd)]
        .into_iter()
        .min_by(|x, y| x.0.total_cmp(&y.0))
        .map_or(a - fa, |v| v.1);
    let s = 1.0 / fa + 1.0 / fb + 1.0 / fc + 1.0 / fd;
    if !s.is_finite() {
        return if e == 0.0 { 0.0 } else { e.signum() * BIG };
    }
    e * (s / k).sqrt()
}

/// Constrained MLE (p̃1, p̃2) under p1 − p2 = δ (Farrington & Manning 1990, closed-form cubic).
fn rd_constrained(p1: f64, p2: f64, n1: f64, n2: f64, delta: f64) -> (f64, f64) {
    let th = n2 / n1;
    let a = 1.0 + th;
    let b = -(1.0 + th + p1 + th * p2 + delta * (th + 2.0));
    let c = delta * delta + delta * (2.0 * p1 + th + 1.0) + p1 + th * p2;
    let d = -p1 * delta * (1.0 + delta);
    let v = b * b * b / (27.0 * a * a * a) - b * c / (6.0 * a * a) + d / (2.0 * a);
    let s = (b * b / (9.0 * a * a) - c / (3.0 * a)).max(0.0).sqrt();
    let u = if v < 0.0 { -s } else { s };
    let q1 = if u == 0.0 {
        -b / (3.0 * a)
    } else {
        let w = (std::f64::consts::PI + (v / (u * u * u)).clamp(-1.0, 1.0).acos()) / 3.0;
        2.0 * u * w.cos() - b / (3.0 * a)
    };
    let q1 = q1.clamp(delta.max(0.0), (1.0 + delta).min(1.0));
    (q1, (q1 - delta).clamp(0.0, 1.0))
}

/// Miettinen–Nurminen score statistic for H: p1 − p2 = δ.
fn rd_score_z(t: &TwoByTwo, delta: f64) -> f64 {
    let (a, _, c, _, n1, n2) = counts(t);
    let (p1, p2) = (a / n1, c / n2);
    let nn = n1 + n2;
    let (q1, q2) = rd_constrained(p1, p2, n1, n2, delta);
    let var = nn / (nn - 1.0) * (q1 * (1.0 - q1) / n1 + q2 * (1.0 - q2) / n2);
    let num = exact_difference(t.treated.events, t.treated.n, t.control.events, t.control.n) - delta;
    score_z(num, var)
}

fn base(measure: Measure, method: Method, t: &TwoByTwo) -> Estimate {
    Estimate::new(measure, method).with_n(total(t))
}

const NO_EVENTS_NOTE: &str = "no events in either group (0/n1 vs 0/n2): the ratio is 0/0, undefined";
const ALL_EVENTS_NOTE: &str = "every subject had the event in both groups: the odds ratio is 0/0, undefined";

/// Risk ratio p̂1 / p̂2 (treated vs control) with a CI by [`Method::KatzLog`],
/// [`Method::Koopman`] or [`Method::MiettinenNurminen`]. See the module documentation for the
/// formulas and the zero-cell behaviour ([`ZERO_CELL_POLICY`]).
pub fn risk_ratio(t: &TwoByTwo, method: Method, level: f64) -> Result<Estimate> {
    let level = check_level(level)?;
    let t = validate(t)?;
    let (a, _, c, _, n1, n2) = counts(&t);
    let z = z_for_level(level);
    let observed = if a == 0.0 && c == 0.0 {
        None
    } else if c == 0.0 {
        Some(f64::INFINITY)
    } else {
        Some((a / n1) / (c / n2))
    };
    match method {
        Method::KatzLog => {
            let mut e = base(Measure::RiskRatio, method, &t);
            let (a, b, c, d) = t.cells();
            let corrected = a == 0.0 || c == 0.0;
            let h = if corrected { 0.5 } else { 0.0 };
            let (a, b, c, d) = (a + h, b + h, c + h, d + h);
            let (n1, n2) = (a + b, c + d);
            let rr = (a / n1) / (c / n2);
            // 1/a − 1/n1 = b/(a n1), without cancellation.
            let se = (b / (a * n1) + d / (c * n2)).sqrt();
            e.ci = Some(Ci::new((rr.ln() - z * se).exp(), (rr.ln() + z * se).exp(), level));
            if observed.is_some() && se > 0.0 {
                e.se_log = Some(se);
            }
            if corrected {
                e.notes.push(HALF_NOTE.into());
            }
            match observed {
                None => e.notes.push(NO_EVENTS_NOTE.into()),
                Some(_) => e.estimate = Some(rr),
            }
            if se == 0.0 {
                e.notes.push("Katz interval is degenerate (zero standard error: every subject had the event); prefer Koopman".into());
            }
            Ok(e)
        }
        Method::Koopman | Method::MiettinenNurminen => {
            let nn = n1 + n2;
            let k = if method == Method::Koopman { 1.0 } else { nn / (nn - 1.0) };
            let e = base(Measure::RiskRatio, method, &t);
            score_ratio(e, observed, NO_EVENTS_NOTE, "ratio", |th| rr_score_z(&t, k, th), z, level)
        }
        other => Err(Error::not_applicable(Measure::RiskRatio, other)),
    }
}

/// Odds ratio ad / (bc) (treated vs control) with a CI by [`Method::Woolf`],
/// [`Method::MiettinenNurminen`] or [`Method::ExactConditional`] (the conditional MLE and exact
/// CI of R's `fisher.test`, computed by [`crate::stats::exact::odds_ratio_exact_conditional`]).
/// Zero cells: see [`ZERO_CELL_POLICY`].
pub fn odds_ratio(t: &TwoByTwo, method: Method, level: f64) -> Result<Estimate> {
    if method == Method::ExactConditional {
        return crate::stats::exact::odds_ratio_exact_conditional(t, level);
    }
    let level = check_level(level)?;
    let t = validate(t)?;
    let (a, b, c, d) = t.cells();
    let z = z_for_level(level);
    let undefined = if a == 0.0 && c == 0.0 {
        Some(NO_EVENTS_NOTE)
    } else if b == 0.0 && d == 0.0 {
        Some(ALL_EVENTS_NOTE)
    } else {
        None
    };
    let observed = if undefined.is_some() {
        None
    } else if a == 0.0 || d == 0.0 {
        Some(0.0)
    } else if b == 0.0 || c == 0.0 {
        Some(f64::INFINITY)
    } else {
        Some((a / b) * (d / c))
    };
    match method {
        Method::Woolf => {
            let mut e = base(Measure::OddsRatio, method, &t);
            let corrected = t.has_zero_cell();
            let h = if corrected { 0.5 } else { 0.0 };
            let (a, b, c, d) = (a + h, b + h, c + h, d + h);
            let or = (a / b) * (d / c);
            let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
            e.ci = Some(Ci::new((or.ln() - z * se).exp(), (or.ln() + z * se).exp(), level));
            if undefined.is_none() {
                e.se_log = Some(se);
            }
            if corrected {
                e.notes.push(HALF_NOTE.into());
            }
            match undefined {
                Some(why) => e.notes.push(why.into()),
                None => e.estimate = Some(or),
            }
            Ok(e)
        }
        Method::MiettinenNurminen => {
            let nn = total(&t) as f64;
            let k = nn / (nn - 1.0);
            let e = base(Measure::OddsRatio, method, &t);
            score_ratio(e, observed, undefined.unwrap_or(NO_EVENTS_NOTE), "odds ratio", |th| or_score_z(&t, k, th), z, level)
        }
        other => Err(Error::not_applicable(Measure::OddsRatio, other)),
    }
}

/// Score statistic num/√var; a zero variance gives 0 at num = 0 and ±[`BIG`] otherwise (a stand-in
/// for ±∞ that the root finder can bracket).
fn score_z(num: f64, var: f64) -> f64 {
    if var > 0.0 {
        num / var.sqrt()
    } else if num == 0.0 {
        0.0
    } else {
        num.signum() * BIG
    }
}

/// Finish a score-interval ratio: the observed ratio and the inverted score interval, or, when
/// the ratio is 0/0 (`observed` None), no estimate, the interval [0, ∞) and notes saying why.
fn score_ratio(
    mut e: Estimate,
    observed: Option<f64>,
    undefined_note: &str,
    what: &str,
    score_z: impl Fn(f64) -> f64,
    z: f64,
    level: f64,
) -> Result<Estimate> {
    let (lo, up) = match observed {
        None => {
            e.notes.push(undefined_note.into());
            e.notes.push(format!("the table carries no information on the {what} (the score test is 0 at every value): interval [0, inf)"));
            (0.0, f64::INFINITY)
        }
        Some(est) => invert_log(score_z, est, z)?,
    };
    e.estimate = observed;
    e.ci = Some(Ci::new(lo, up, level));
    Ok(e)
}

/// (x1/n1 − x2/n2) with the numerator x1 n2 − x2 n1 computed exactly in 128-bit integers, so the
/// difference of two nearly equal proportions of counts up to 2^53 keeps full relative precision.
fn exact_difference(x1: u64, n1: u64, x2: u64, n2: u64) -> f64 {
    let num = x1 as i128 * n2 as i128 - x2 as i128 * n1 as i128;
    num as f64 / (n1 as f64 * n2 as f64)
}

/// Risk difference p̂1 − p̂2 (treated minus control) with a CI by [`Method::Wald`],
/// [`Method::Newcombe`] (hybrid score, Newcombe 1998b method 10), [`Method::MiettinenNurminen`]
/// (score with the N/(N−1) variance factor, Newcombe 1998b method 6) or
/// [`Method::AgrestiCaffo`]. The estimate is the observed difference for every method.
pub fn risk_difference(t: &TwoByTwo, method: Method, level: f64) -> Result<Estimate> {
    let level = check_level(level)?;
    let t = validate(t)?;
    let (a, _, c, _, n1, n2) = counts(&t);
    let rd = exact_difference(t.treated.events, t.treated.n, t.control.events, t.control.n);
    let z = z_for_level(level);
    let mut e = base(Measure::RiskDifference, method, &t).with_estimate(rd);
    let (lo, up) = match method {
        Method::Wald | Method::AgrestiCaffo => {
            let add = if method == Method::AgrestiCaffo { 1.0 } else { 0.0 };
            let (m1, m2) = (n1 + 2.0 * add, n2 + 2.0 * add);
            let (q1, q2) = ((a + add) / m1, (c + add) / m2);
            let se = (q1 * (1.0 - q1) / m1 + q2 * (1.0 - q2) / m2).sqrt();
            let k = add as u64;
            let centre = exact_difference(t.treated.events + k, t.treated.n + 2 * k, t.control.events + k, t.control.n + 2 * k);
            let (l, u) = (centre - z * se, centre + z * se);
            if method == Method::Wald && se > 0.0 {
                e.se = Some(se);
            }
            if se == 0.0 {
                e.notes.push("Wald interval is degenerate (zero standard error: both proportions are 0 or 1); prefer Newcombe".into());
            }
            if l < -1.0 || u > 1.0 {
                e.notes.push("limit truncated to [-1, 1]".into());
            }
            (l.max(-1.0), u.min(1.0))
        }
        Method::Newcombe => {
            // (p̂ − l, u − p̂) of each Wilson interval, computed without cancellation.
            let (dl1, du1) = wilson_distances(t.treated.events, t.treated.n, level);
            let (dl2, du2) = wilson_distances(t.control.events, t.control.n, level);
            let lo = rd - dl1.hypot(du2);
            let up = rd + du1.hypot(dl2);
            (lo.max(-1.0), up.min(1.0))
        }
        Method::MiettinenNurminen => {
            let g_lo = |dl: f64| clamp_z(rd_score_z(&t, dl)) - z;
            let g_up = |dl: f64| clamp_z(rd_score_z(&t, dl)) + z;
            let lo = if rd <= -1.0 { -1.0 } else { brent(g_lo, -1.0, rd, TIGHT)? };
            let up = if rd >= 1.0 { 1.0 } else { brent(g_up, rd, 1.0, TIGHT)? };
            (lo, up)
        }
        other => return Err(Error::not_applicable(Measure::RiskDifference, other)),
    };
    e.ci = Some(Ci::new(lo, up, level));
    Ok(e)
}

/// Number needed to treat on the signed scale of Altman (1998, BMJ 317:1309): positive = NNTB
/// (number needed to treat for one additional patient to benefit), negative = NNTH (to harm).
///
/// ARR = −RD for a harmful event, RD for a beneficial one; NNT = 1/ARR (+inf at RD = 0, with a
/// note). The CI inverts the RD interval of `rd_method` ([`risk_difference`]), mapped to ARR
/// [L, U]: if L > 0 or U < 0 it is [1/U, 1/L]; if L < 0 < U it is the disjoint pair of rays
/// (−inf, 1/L] ∪ [1/U, +inf) (`disjoint = true`, lower = the NNTH bound, upper = the NNTB bound);
/// an ARR limit of exactly 0 maps to ±inf ([1/U, +inf] when L = 0, [−inf, 1/L] when U = 0, and
/// the disjoint pair (−inf, −inf] ∪ [+inf, +inf) when L = U = 0). The method of the result is
/// `rd_method`.
pub fn nnt(t: &TwoByTwo, rd_method: Method, level: f64, event: EventKind) -> Result<Estimate> {
    if !Measure::Nnt.methods().contains(&rd_method) {
        return Err(Error::not_applicable(Measure::Nnt, rd_method));
    }
    let rd = risk_difference(t, rd_method, level)?;
    let (Some(d), Some(ci)) = (rd.estimate, rd.ci) else {
        return Err(Error::undefined(Measure::Nnt, rd_method, "the risk difference has no estimate or interval"));
    };
    let (arr, l, u) = match event {
        EventKind::Harmful => (-d, -ci.upper, -ci.lower),
        EventKind::Beneficial => (d, ci.lower, ci.upper),
    };
    let mut e = Estimate::new(Measure::Nnt, rd_method);
    e.n = rd.n;
    e.notes = rd.notes;
    let (benefit_word, harm_word) = match event {
        EventKind::Harmful => ("one fewer harmful event", "one more harmful event"),
        EventKind::Beneficial => ("one more beneficial event", "one fewer beneficial event"),
    };
    let est = if arr == 0.0 {
        e.notes.push("risk difference is 0: the NNT is infinite (no difference between groups)".into());
        f64::INFINITY
    } else {
        1.0 / arr
    };
    if est.is_finite() {
        if est > 0.0 {
            e.notes.push(format!("NNTB {}: treating {} patients with the first group's treatment rather than the second's gives {benefit_word}", sig(est, 4), sig(est, 4)));
        } else {
            e.notes.push(format!("NNTH {}: treating {} patients with the first group's treatment rather than the second's gives {harm_word}", sig(-est, 4), sig(-est, 4)));
        }
    }
    e.estimate = Some(est);
    let (out, note) = nnt_ci_from_arr(l, u, level);
    if let Some(n) = note {
        e.notes.push(n);
    }
    e.ci = Some(out);
    Ok(e)
}

/// Map an absolute-risk-reduction interval [l, u] to the signed NNT scale (Altman 1998), with a
/// note for the disjoint and the degenerate cases. See [`nnt`].
fn nnt_ci_from_arr(l: f64, u: f64, level: f64) -> (Ci, Option<String>) {
    if l > 0.0 || u < 0.0 {
        (Ci::new(1.0 / u, 1.0 / l, level), None)
    } else if l == 0.0 && u == 0.0 {
        (
            Ci { lower: f64::NEG_INFINITY, upper: f64::INFINITY, level, disjoint: true },
            Some("the risk-difference interval is the single point 0: the NNT interval is only +-inf".into()),
        )
    } else if l == 0.0 {
        (Ci::new(1.0 / u, f64::INFINITY, level), None)
    } else if u == 0.0 {
        (Ci::new(f64::NEG_INFINITY, 1.0 / l, level), None)
    } else {
        let ci = Ci { lower: 1.0 / l, upper: 1.0 / u, level, disjoint: true };
        let note = format!(
            "risk-difference CI includes 0: the NNT CI is NNTH {} to infinity to NNTB {} (Altman 1998)",
            sig(-ci.lower, 4),
            sig(ci.upper, 4)
        );
        (ci, Some(note))
    }
}

/// Pearson's chi-squared test of independence for the 2×2 table, as R's `chisq.test`:
/// [`Method::Uncorrected`] X² = N (ad − bc)² / (n1 n2 m1 m2), or [`Method::Yates`]
/// X² = Σ (|O − E| − min(½, |O − E|))² / E; df = 1, p = P(χ²₁ > X²). No estimate.
///
/// With an empty margin (no events, or no non-events, in the whole table) the statistic is 0/0:
/// statistic and p are `None` with a note (R returns NaN). A note warns when an expected count is
/// below 5 (R's "Chi-squared approximation may be incorrect"). ad − bc is computed exactly in
/// 128-bit integers, so counts up to 2^53 keep full precision.
pub fn pearson_chi2(t: &TwoByTwo, method: Method) -> Result<Estimate> {
    if !matches!(method, Method::Uncorrected | Method::Yates) {
        return Err(Error::not_applicable(Measure::PearsonChi2, method));
    }
    let t = validate(t)?;
    let (a, b, c, d) = (t.treated.events, t.treated.non_events(), t.control.events, t.control.non_events());
    let mut e = base(Measure::PearsonChi2, method, &t);
    let (m1, m2) = (a + c, b + d);
    if m1 == 0 || m2 == 0 {
        e.notes.push(format!(
            "empty margin ({} in the whole table): the chi-squared statistic is undefined",
            if m1 == 0 { "no events" } else { "no non-events" }
        ));
        return Ok(e);
    }
    let det = (a as i128) * (d as i128) - (b as i128) * (c as i128);
    let (n1, n2, m1, m2) = (t.treated.n as f64, t.control.n as f64, m1 as f64, m2 as f64);
    let nn = n1 + n2;
    let dev = det.unsigned_abs() as f64 / nn; // |O − E|, the same in every cell
    let yates = if method == Method::Yates { dev.min(0.5) } else { 0.0 };
    // Σ 1/E = N³/(n1 n2 m1 m2): X² = (|O − E| − Y)² N (N/n1)(N/n2) / (m1 m2).
    let r = dev - yates;
    let stat = r * r * nn * (nn / n1) * (nn / n2) / (m1 * m2);
    let min_expected = n1.min(n2) * m1.min(m2) / nn;
    if min_expected < 5.0 {
        e.notes.push(format!(
            "smallest expected count {min_expected:.3} is below 5: the chi-squared approximation may be inaccurate (consider Fisher's exact test)"
        ));
    }
    e.statistic = Some(stat);
    e.df = Some(1.0);
    e.p_value = Some(pchisq_upper(stat, 1.0));
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(a: u64, n1: u64, c: u64, n2: u64) -> TwoByTwo {
        TwoByTwo::new(BinomialCount::new(a, n1).unwrap(), BinomialCount::new(c, n2).unwrap())
    }

    #[test]
    fn wrong_methods_are_not_applicable() {
        let t = tab(5, 10, 3, 10);
        assert!(matches!(risk_ratio(&t, Method::Wilson, 0.95), Err(Error::MethodNotApplicable { .. })));
        assert_eq!(odds_ratio(&t, Method::ExactConditional, 0.95), crate::stats::exact::odds_ratio_exact_conditional(&t, 0.95));
        assert!(matches!(odds_ratio(&t, Method::KatzLog, 0.95), Err(Error::MethodNotApplicable { .. })));
        assert!(matches!(risk_difference(&t, Method::Koopman, 0.95), Err(Error::MethodNotApplicable { .. })));
        assert!(matches!(nnt(&t, Method::Woolf, 0.95, EventKind::Harmful), Err(Error::MethodNotApplicable { measure: Measure::Nnt, .. })));
        assert!(matches!(pearson_chi2(&t, Method::Wald), Err(Error::MethodNotApplicable { .. })));
    }

    #[test]
    fn level_outside_unit_interval_is_rejected() {
        let t = tab(5, 10, 3, 10);
        for lv in [0.0, 1.0, 1.5, -0.1, f64::NAN, f64::INFINITY] {
            assert!(matches!(risk_ratio(&t, Method::Koopman, lv), Err(Error::InvalidInput { .. })));
            assert!(matches!(odds_ratio(&t, Method::Woolf, lv), Err(Error::InvalidInput { .. })));
            assert!(matches!(risk_difference(&t, Method::Newcombe, lv), Err(Error::InvalidInput { .. })));
            assert!(matches!(nnt(&t, Method::Newcombe, lv, EventKind::Harmful), Err(Error::InvalidInput { .. })));
        }
    }

    #[test]
    fn hand_built_invalid_table_is_rejected() {
        let bad = TwoByTwo { treated: BinomialCount { events: 11, n: 10 }, control: BinomialCount { events: 1, n: 10 } };
        assert!(risk_ratio(&bad, Method::KatzLog, 0.95).is_err());
        assert!(pearson_chi2(&bad, Method::Yates).is_err());
    }

    #[test]
    fn nnt_mapping_of_arr_limits() {
        // Newcombe's illustration of Altman (1998): an ARR CI of −5 % to +25 % is
        // "NNTB 4 through infinity to NNTH 20".
        let (ci, note) = nnt_ci_from_arr(-0.05, 0.25, 0.95);
        assert!(ci.disjoint);
        assert!((ci.lower + 20.0).abs() < 1e-12 && (ci.upper - 4.0).abs() < 1e-12, "{ci:?}");
        assert!(note.unwrap().contains("NNTH 20 to infinity to NNTB 4 "));
        // Entirely beneficial and entirely harmful intervals are ordinary, ordered intervals.
        let (ci, _) = nnt_ci_from_arr(0.05, 0.25, 0.95);
        assert_eq!((ci.lower, ci.upper, ci.disjoint), (4.0, 20.0, false));
        let (ci, _) = nnt_ci_from_arr(-0.25, -0.05, 0.95);
        assert_eq!((ci.lower, ci.upper, ci.disjoint), (-20.0, -4.0, false));
        // A limit of exactly 0 maps to infinity.
        let (ci, _) = nnt_ci_from_arr(0.0, 0.25, 0.95);
        assert_eq!((ci.lower, ci.upper, ci.disjoint), (4.0, f64::INFINITY, false));
        let (ci, _) = nnt_ci_from_arr(-0.05, 0.0, 0.95);
        assert_eq!((ci.lower, ci.upper, ci.disjoint), (f64::NEG_INFINITY, -20.0, false));
        let (ci, note) = nnt_ci_from_arr(0.0, 0.0, 0.95);
        assert!(ci.disjoint && ci.lower == f64::NEG_INFINITY && ci.upper == f64::INFINITY && note.is_some());
    }

    #[test]
    fn score_statistic_is_zero_at_the_estimate() {
        let t = tab(56, 70, 48, 80);
        let rr: f64 = (56.0 / 70.0) / (48.0 / 80.0);
        assert!(rr_score_z(&t, 1.0, rr.ln()).abs() < 1e-12);
        let or: f64 = (56.0 * 32.0) / (14.0 * 48.0);
        assert!(or_score_z(&t, 1.0, or.ln()).abs() < 1e-12);
        assert!(rd_score_z(&t, 0.2).abs() < 1e-12);
    }

    #[test]
    fn rd_constrained_mle_satisfies_the_constraint_and_score_equation() {
        // At the constrained MLE the derivative of the log-likelihood along p1 = p2 + δ vanishes:
        // a/p1 − b/(1−p1) + c/p2 − d/(1−p2) = 0.
        let (a, b, c, d) = (9.0, 1.0, 3.0, 7.0);
        for delta in [-0.3, 0.0, 0.25, 0.5, 0.85] {
            let (q1, q2) = rd_constrained(0.9, 0.3, 10.0, 10.0, delta);
            assert!((q1 - q2 - delta).abs() < 1e-14);
            let score = a / q1 - b / (1.0 - q1) + c / q2 - d / (1.0 - q2);
            assert!(score.abs() < 1e-9, "delta {delta}: score {score}");
        }
    }
}
