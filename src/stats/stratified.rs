//! Stratified 2×2 tables: Mantel–Haenszel pooled risk ratio, odds ratio and risk difference, the
//! Cochran–Mantel–Haenszel test, and the Breslow–Day / Tarone test of a common odds ratio.
//!
//! # Notation
//! Stratum k holds a [`TwoByTwo`](crate::data::TwoByTwo): a = treated events, b = treated
//! non-events, c = control events, d = control non-events; n₁ = a + b, n₀ = c + d, N = n₁ + n₀,
//! m₁ = a + c (events), m₀ = b + d (non-events). Every ratio and difference is treated versus
//! control. Sums run over strata. The stratum labels are used only in notes.
//!
//! # Estimators
//! | function | estimate | variance / test | p-value |
//! |---|---|---|---|
//! | [`mh_risk_ratio`] | Σ a n₀/N ÷ Σ c n₁/N | Greenland & Robins (1985) var(log RR) | Wald z on log RR |
//! | [`mh_odds_ratio`] | Σ ad/N ÷ Σ bc/N | Robins, Breslow & Greenland (1986) var(log OR) | Wald z on log OR |
//! | [`mh_risk_difference`] | Σ (a n₀ − c n₁)/N ÷ Σ n₁n₀/N | Sato (1989) or Greenland & Robins (1985) | Wald z on RD |
//! | [`cmh_test`] | — | Cochran–Mantel–Haenszel X², df 1 | χ²₁ upper tail |
//! | [`breslow_day`] | — | Breslow & Day (1980), Tarone (1985), df K′ − 1 | χ² upper tail |
//!
//! Each pooled estimate carries the two-sided p-value of the Wald z on the scale its CI is built
//! on (log RR, log OR, RD), as metafor's `rma.mh` prints it. R's `mantelhaen.test` instead prints
//! the CMH test's p next to its OR: that p is [`cmh_test`]'s, a separate result. `n` is the total
//! number of subjects over all strata.
//!
//! No zero-cell correction is ever applied: the MH estimators need none (a stratum with a = 0 or
//! c = 0 just contributes zero to one sum). R's `mantelhaen.test`, metafor's `rma.mh` (whose MH step
//! uses no correction by default) and epiR agree with this.
//!
//! # Where the references differ, and what trialstat follows
//! * **MH risk-difference variance.** metafor's `rma.mh(measure = "RD")` uses Sato's (1989)
//!   variance (its code cites Sato, Greenland & Robins 1989); epiR prints it as `ARisk.mh.sato`. The
//!   Greenland & Robins (1985) variance, Σ w²(ab/n₁³ + cd/n₀³)/(Σ w)² with w = n₁n₀/N (the one RevMan
//!   calls Greenland–Robins), is epiR's `ARisk.mh.green`. Both are offered under those names
//!   ([`Method::Sato`] first: it is consistent in both sparse-data and large-strata limits, the GR
//!   1985 variance only for large strata). epiR's third, `ARisk.mh.wald`, multiplies the wrong cells
//!   (a·d and c·b instead of a·b and c·d) and is not offered.
//! * **CMH continuity correction.** [`Method::Yates`] follows R's `mantelhaen.test(correct = TRUE)`:
//!   0.5 is subtracted from |Δ| only when |Δ| ≥ 0.5 (otherwise no correction, and a note says so).
//!   metafor (`correct = TRUE`) and statsmodels (`test_null_odds(correction = True)`) always
//!   subtract 0.5, which for |Δ| < 0.5 *increases* the statistic (e.g. Δ = 0 gives 0.25/V instead
//!   of 0).
//! * **Breslow–Day strata and df.** A stratum without both an event and a non-event (m₁ = 0 or
//!   m₀ = 0) has a fixed first cell and no information on the odds ratio; it is left out and the df
//!   is K′ − 1 with K′ the number of informative strata, as metafor (`k.pos`) does. statsmodels'
//!   `test_equal_odds` keeps such strata and returns NaN.
//! * **Breslow–Day expected cell.** The expected a under the common odds ratio ψ is the root in
//!   (max(0, m₁ − n₀), min(n₁, m₁)) of (1 − ψ)E² + (n₀ − m₁ + ψ(n₁ + m₁))E − ψ n₁ m₁ = 0. metafor and
//!   statsmodels use the textbook formula (−B ± √(B² − 4AC))/2A, which cancels when ψ is close to 1
//!   and divides by zero at ψ = 1 (statsmodels returns NaN there; metafor special-cases it).
//!   trialstat uses the cancellation-free form q = −(B + sign(B)√(B² − 4AC))/2, roots q/A and C/q,
//!   E = n₁m₁/N at ψ = 1, followed by Newton steps on the quadratic; the values agree with metafor
//!   and statsmodels within the golden tests' 1e-9 (ψ = 1.006 for dat.egger2001 included) and stay
//!   accurate as ψ → 1.
//! * **Breslow–Day's ψ.** The MH odds ratio, as Breslow & Day (1980), SAS PROC FREQ, metafor and
//!   statsmodels use; Tarone's (1985) correction subtracts (Σ(a − E))²/Σ var, which is needed
//!   because ψ_MH is not the conditional MLE.
//!
//! # Edge cases
//! * Empty slice → [`Error::InvalidInput`]. A zero group total cannot occur ([`crate::data::TwoByTwo`]
//!   requires n ≥ 1 per group), so every stratum has N ≥ 2; strata with one subject per group
//!   are fine.
//! * A single stratum: MH estimates equal the crude ones and the CIs reduce to Katz's log RR,
//!   Woolf's logit OR and (GR variance) the Wald RD intervals; CMH is (N − 1)/N times Pearson's X²; Breslow–Day has df 0 and is
//!   undefined (statistic, df and p `None`; the note gives df = 0).
//! * No events at all (or, for the OR, no discordant products at all): RR and OR are 0/0 →
//!   estimate `None` + note. The RD is then 0 (a real value), its variance is 0, and CI and p are
//!   `None` + note.
//! * A pooled ratio of exactly 0 (no treated events / a·d = 0 in every stratum) or +∞ (no control
//!   events / b·c = 0 everywhere) is returned as that value, with CI and p `None` (the log scale
//!   has no finite point) and a note.
//! * A variance estimate of zero (e.g. every subject had the event) → CI and p `None` + note;
//!   the CMH test with zero null variance → statistic `None` + note.

use crate::data::{check_level, Stratum};
use crate::error::{Error, Result};
use crate::stats::dist::{neumaier_sum, pchisq_upper, two_sided_z_p, z_for_level};
use crate::stats::{Estimate, Measure, Method};

/// The cells of one stratum as floats.
#[derive(Debug, Clone, Copy)]
struct Cells {
    a: f64,
    b: f64,
    c: f64,
    d: f64,
    n1: f64,
    n0: f64,
    n: f64,
}

impl Cells {
    fn m1(&self) -> f64 {
        self.a + self.c
    }
    fn m0(&self) -> f64 {
        self.b + self.d
    }
}

/// Validate the slice and return the cells and the total number of subjects.
fn cells_of(strata: &[Stratum]) -> Result<(Vec<Cells>, u64)> {
    if strata.is_empty() {
        return Err(Error::invalid("strata", "[]", "at least one stratum"));
    }
    let mut total: u64 = 0;
    let mut out = Vec::with_capacity(strata.len());
    for s in strata {
        let t = &s.table;
        let (a, b, c, d) = t.cells();
        total = total
            .checked_add(t.treated.n)
            .and_then(|x| x.checked_add(t.control.n))
            .ok_or_else(|| Error::invalid("total subjects", "overflow", "counts below 2^64"))?;
        let n1 = t.treated.n as f64;
        let n0 = t.control.n as f64;
        out.push(Cells {
            a,
            b,
            c,
            d,
            n1,
            n0,
            n: n1 + n0,
        });
    }
    Ok((out, total))
}

fn sum<F: Fn(&Cells) -> f64>(cs: &[Cells], f: F) -> f64 {
    neumaier_sum(cs.iter().map(f))
}

/// Finish a ratio estimate from its numerator R, denominator S and var(log ratio).
fn ratio_estimate(
    mut e: Estimate,
    r: f64,
    s: f64,
    var_log: impl FnOnce() -> f64,
    level: f64,
    what: (&str, &str),
) -> Estimate {
    let (num_zero, den_zero) = what;
    if r == 0.0 && s == 0.0 {
        return e.with_note(format!(
            "undefined (0/0): {num_zero} and {den_zero} in every stratum; no estimate, CI or p-value"
        ));
    }
    if r == 0.0 {
        return e.with_estimate(0.0).with_note(format!(
            "{num_zero} in every stratum: the pooled ratio is 0; no CI or p-value on the log scale"
        ));
    }
    if s == 0.0 {
        return e.with_estimate(f64::INFINITY).with_note(format!(
            "{den_zero} in every stratum: the pooled ratio is infinite; no CI or p-value on the log scale"
        ));
    }
    let est = r / s;
    e = e.with_estimate(est);
    let v = var_log();
    if !(v.is_finite() && v > 0.0) {
        return e.with_note("variance of the log ratio is zero: no CI or p-value");
    }
    let se = v.sqrt();
    let z = z_for_level(level);
    let l = est.ln();
    e.with_ci((l - z * se).exp(), (l + z * se).exp(), level)
        .with_se_log(se)
        .with_test(l / se, None, two_sided_z_p(l / se))
}

/// Mantel–Haenszel pooled risk ratio (the Mantel & Haenszel 1959, J Natl Cancer Inst 22:719,
/// weighting applied to risks; Greenland & Robins 1985):
/// RR = Σ(a n₀/N) / Σ(c n₁/N), with the Greenland & Robins (1985, Biometrics 41:55) variance
///
/// var(log RR) = Σ (n₁ n₀ m₁ − a c N)/N² ÷ (Σ a n₀/N · Σ c n₁/N)
///
/// (computed as Σ (a d n₁ + b c n₀)/N², the same quantity without cancellation), CI
/// exp(log RR ± z·se) and the Wald p of log RR / se. Measure [`Measure::MhRiskRatio`], method
/// [`Method::GreenlandRobins`]. Same as metafor `rma.mh(measure = "RR")`, epiR `RR.mh.wald` and
/// statsmodels `riskratio_pooled` (point estimate only).
///
/// Edge cases: no events at all → estimate `None`; no treated events → 0, no control events → ∞
/// (no CI or p); all subjects with the event → variance 0, no CI or p. Errors: empty slice,
/// level outside (0, 1).
pub fn mh_risk_ratio(strata: &[Stratum], level: f64) -> Result<Estimate> {
    let level = check_level(level)?;
    let (cs, total) = cells_of(strata)?;
    let r = sum(&cs, |x| x.a * x.n0 / x.n);
    let s = sum(&cs, |x| x.c * x.n1 / x.n);
    let e = Estimate::new(Measure::MhRiskRatio, Method::GreenlandRobins).with_n(total);
    let var = || sum(&cs, |x| (x.a * x.d * x.n1 + x.b * x.c * x.n0) / (x.n * x.n)) / (r * s);
    Ok(ratio_estimate(
        e,
        r,
        s,
        var,
        level,
        ("no treated events", "no control events"),
    ))
}

/// Mantel–Haenszel pooled odds ratio (Mantel & Haenszel 1959): OR = Σ(ad/N) / Σ(bc/N), with the
/// Robins, Breslow & Greenland (1986, Biometrics 42:311) variance; with P = (a + d)/N,
/// Q = (b + c)/N, R = ad/N, S = bc/N:
///
/// var(log OR) = ΣPR/(2(ΣR)²) + Σ(PS + QR)/(2 ΣR ΣS) + ΣQS/(2(ΣS)²),
///
/// CI exp(log OR ± z·se) and the Wald p of log OR / se. Measure [`Measure::MhOddsRatio`], method
/// [`Method::RobinsBreslowGreenland`]. Same estimate and CI as R `mantelhaen.test`, metafor
/// `rma.mh(measure = "OR")`, epiR `OR.mh.wald` and statsmodels `oddsratio_pooled(_confint)`; the p
/// is metafor's (mantelhaen.test prints the CMH test's p instead; see [`cmh_test`]).
///
/// Edge cases: ΣR = ΣS = 0 (e.g. no events) → estimate `None`; ΣR = 0 → 0, ΣS = 0 → ∞ (no CI or
/// p). When both sums are positive the variance is positive. Errors: empty slice, level outside
/// (0, 1).
pub fn mh_odds_ratio(strata: &[Stratum], level: f64) -> Result<Estimate> {
    let level = check_level(level)?;
    let (cs, total) = cells_of(strata)?;
    let rs = sum(&cs, |x| x.a * x.d / x.n);
    let ss = sum(&cs, |x| x.b * x.c / x.n);
    let e = Estimate::new(Measure::MhOddsRatio, Method::RobinsBreslowGreenland).with_n(total);
    let var = || {
        let pr = sum(&cs, |x| (x.a + x.d) / x.n * (x.a * x.d / x.n));
        let psqr = sum(&cs, |x| {
            (x.a + x.d) / x.n * (x.b * x.c / x.n) + (x.b + x.c) / x.n * (x.a * x.d / x.n)
        });
        let qs = sum(&cs, |x| (x.b + x.c) / x.n * (x.b * x.c / x.n));
        pr / (2.0 * rs * rs) + psqr / (2.0 * rs * ss) + qs / (2.0 * ss * ss)
    };
    Ok(ratio_estimate(
        e,
        rs,
        ss,
        var,
        level,
        (
            "a·d = 0 (no treated events or no control non-events)",
            "b·c = 0 (no control events or no treated non-events)",
        ),
    ))
}

/// Mantel–Haenszel pooled risk difference (Greenland & Robins 1985):
/// RD = Σ (a n₀ − c n₁)/N ÷ W, W = Σ n₁n₀/N, with CI RD ± z·se (not truncated to [−1, 1], as in
/// metafor and epiR) and the Wald p of RD / se. Measure [`Measure::MhRiskDifference`].
///
/// * [`Method::Sato`] (Sato 1989, Biometrics 45:1323; consistent for sparse data and for large
///   strata): var = (RD·ΣPₖ + ΣQₖ)/W² with Pₖ = (n₁²c − n₀²a + n₁n₀(n₀ − n₁)/2)/N² and
///   Qₖ = (a(n₀ − c) + c(n₁ − a))/(2N). This is metafor `rma.mh(measure = "RD")` and epiR
///   `ARisk.mh.sato`.
/// * [`Method::GreenlandRobins`] (Greenland & Robins 1985, Biometrics 41:55; large-strata):
///   var = Σ wₖ²(ab/n₁³ + cd/n₀³)/W², wₖ = n₁n₀/N. This is epiR `ARisk.mh.green` (and RevMan's
///   MH RD variance).
///
/// Strata with no events (a = c = 0) do count: they have weight n₁n₀/N and difference 0 (unlike
/// the ratio estimators, where they drop out).
///
/// Edge cases: the estimate always exists (W > 0). A variance that is zero (e.g. no events at all,
/// or every subject with the event) or — possible for Sato's estimator in degenerate data —
/// negative gives CI and p `None` with a note. Errors: empty slice, level outside (0, 1), a method
/// other than Sato / GreenlandRobins.
pub fn mh_risk_difference(strata: &[Stratum], method: Method, level: f64) -> Result<Estimate> {
    if !matches!(method, Method::Sato | Method::GreenlandRobins) {
        return Err(Error::not_applicable(Measure::MhRiskDifference, method));
    }
    let level = check_level(level)?;
    let (cs, total) = cells_of(strata)?;
    let w = sum(&cs, |x| x.n1 * x.n0 / x.n);
    let rd = sum(&cs, |x| (x.a * x.n0 - x.c * x.n1) / x.n) / w;
    let var = match method {
        Method::Sato => {
            let p = sum(&cs, |x| {
                (x.n1 * x.n1 * x.c - x.n0 * x.n0 * x.a + x.n1 * x.n0 * (x.n0 - x.n1) / 2.0) / (x.n * x.n)
            });
            let q = sum(&cs, |x| (x.a * x.d + x.c * x.b) / (2.0 * x.n));
            (rd * p + q) / (w * w)
        }
        _ => {
            sum(&cs, |x| {
                let wk = x.n1 * x.n0 / x.n;
                wk * wk * (x.a * x.b / (x.n1 * x.n1 * x.n1) + x.c * x.d / (x.n0 * x.n0 * x.n0))
            }) / (w * w)
        }
    };
    let e = Estimate::new(Measure::MhRiskDifference, method)
        .with_n(total)
        .with_estimate(rd);
    if !(var.is_finite() && var > 0.0) {
        let why = if var == 0.0 {
            "variance estimate is zero (no stratum has both events and non-events in a group)"
        } else {
            "variance estimate is negative (degenerate data)"
        };
        return Ok(e.with_note(format!("{why}: no CI or p-value")));
    }
    let se = var.sqrt();
    let z = z_for_level(level);
    Ok(e.with_ci(rd - z * se, rd + z * se, level).with_se(se).with_test(rd / se, None, two_sided_z_p(rd / se)))
}

/// Cochran–Mantel–Haenszel test of no association (common OR = 1) in K 2×2 tables (Mantel &
/// Haenszel 1959; Cochran 1954, Biometrics 10:417):
///
/// X² = (|Δ| − y)² / V, Δ = Σ (a − n₁m₁/N) = Σ (ad − bc)/N, V = Σ n₁n₀m₁m₀ / (N²(N − 1)),
///
/// df 1, p from the χ²₁ upper tail. [`Method::Uncorrected`]: y = 0. [`Method::Yates`]: y = 0.5 if
/// |Δ| ≥ 0.5, else 0 (then a note), as R `mantelhaen.test(correct = TRUE)`; see the module docs for
/// metafor's and statsmodels' unconditional 0.5. Measure [`Measure::Cmh`]; `estimate` is `None`
/// (the pooled OR is [`mh_odds_ratio`]).
///
/// Edge cases: strata without both an event and a non-event add nothing to Δ or V. V = 0 (no such
/// stratum) → statistic and p `None` + note. A single stratum gives (N − 1)/N times Pearson's X².
/// Errors: empty slice, a method other than Uncorrected / Yates.
pub fn cmh_test(strata: &[Stratum], method: Method) -> Result<Estimate> {
    if !matches!(method, Method::Uncorrected | Method::Yates) {
        return Err(Error::not_applicable(Measure::Cmh, method));
    }
    let (cs, total) = cells_of(strata)?;
    let delta = sum(&cs, |x| (x.a * x.d - x.b * x.c) / x.n);
    let v = sum(&cs, |x| x.n1 * x.n0 * x.m1() * x.m0() / (x.n * x.n * (x.n - 1.0)));
    let mut e = Estimate::new(Measure::Cmh, method).with_n(total);
    if v.is_nan() || v <= 0.0 {
        return Ok(e.with_note("undefined: no stratum has both an event and a non-event, so the null variance is zero"));
    }
    let mut y = 0.0;
    if method == Method::Yates {
        if delta.abs() >= 0.5 {
            y = 0.5;
        } else {
            e = e.with_note(format!(
                "|observed − expected| = {:.6} < 0.5: no continuity correction applied (as R mantelhaen.test)",
                delta.abs()
            ));
        }
    }
    let stat = (delta.abs() - y).powi(2) / v;
    Ok(e.with_test(stat, Some(1.0), pchisq_upper(stat, 1.0)))
}

/// Expected first cell of a stratum under common odds ratio `psi` (0 < psi < ∞), for an
/// informative stratum (m₁ > 0, m₀ > 0): the root in (max(0, m₁ − n₀), min(n₁, m₁)) of
/// (1 − ψ)E² + (n₀ − m₁ + ψ(n₁ + m₁))E − ψn₁m₁ = 0, by the cancellation-free quadratic formula and
/// Newton polishing.
fn bd_expected(x: &Cells, psi: f64) -> f64 {
    let (n1, n0, m1) = (x.n1, x.n0, x.m1());
    let lo = (m1 - n0).max(0.0);
    let hi = n1.min(m1);
    if psi == 1.0 {
        return n1 * m1 / x.n;
    }
    let qa = 1.0 - psi;
    let qb = n0 - m1 + psi * (n1 + m1);
    let qc = -psi * n1 * m1;
    let disc = (qb * qb - 4.0 * qa * qc).max(0.0);
    let q = -0.5 * (qb + qb.signum() * disc.sqrt());
    let r1 = q / qa;
    let r2 = if q != 0.0 { qc / q } else { f64::NAN };
    // Exactly one root lies strictly inside (lo, hi): f(lo) < 0 < f(hi) for the increasing
    // g(E) = E(n0 − m1 + E) − ψ(n1 − E)(m1 − E) on that interval.
    let inside = |r: f64| r.is_finite() && r >= lo && r <= hi;
    let mut e = match (inside(r1), inside(r2)) {
        (true, false) => r1,
        (false, true) => r2,
        (true, true) => {
            // Should not happen (the other root lies outside); keep the one nearer the middle.
            let mid = 0.5 * (lo + hi);
            if (r1 - mid).abs() <= (r2 - mid).abs() {
                r1
            } else {
                r2
            }
        }
        (false, false) => 0.5 * (lo + hi),
    };
    // Newton polish on g(E); g is increasing on (lo, hi), g'(E) = n0 − m1 + 2E + ψ(n1 + m1 − 2E).
    for _ in 0..3 {
        let g = e * (n0 - m1 + e) - psi * (n1 - e) * (m1 - e);
        let dg = n0 - m1 + 2.0 * e + psi * (n1 + m1 - 2.0 * e);
        if dg.is_nan() || dg <= 0.0 || g == 0.0 {
            break;
        }
        let next = e - g / dg;
        if !(next > lo && next < hi) {
            break;
        }
        e = next;
    }
    e
}

/// Breslow–Day test of homogeneity of the odds ratios across strata (Breslow & Day 1980,
/// Statistical Methods in Cancer Research I, IARC Sci Publ 32), optionally with Tarone's (1985,
/// Biometrika 72:91) correction. With ψ the MH odds ratio and, in each informative stratum,
/// E the expected a under ψ (see the module docs) and
/// V = 1/(1/E + 1/(n₁ − E) + 1/(m₁ − E) + 1/(n₀ − m₁ + E)):
///
/// * [`Method::Uncorrected`]: X²_BD = Σ (a − E)²/V;
/// * [`Method::Tarone`]: X²_BD − (Σ(a − E))²/ΣV (never negative by Cauchy–Schwarz; rounding below 0 is
///   set to 0);
///
/// df K′ − 1 with K′ the number of informative strata (m₁ > 0 and m₀ > 0), p from the χ² upper
/// tail. Measure [`Measure::BreslowDay`]; `estimate` is `None`. Agrees with metafor `rma.mh` (`BD`,
/// `TA`) and statsmodels `test_equal_odds(adjust = False/True)` run on the informative strata.
///
/// Edge cases: uninformative strata are left out with a note; K′ = 1 (e.g. a single stratum) →
/// df 0, statistic and p `None` + note; MH OR 0, ∞ or undefined → statistic `None` + note.
/// Errors: empty slice, a method other than Uncorrected / Tarone.
pub fn breslow_day(strata: &[Stratum], method: Method) -> Result<Estimate> {
    if !matches!(method, Method::Uncorrected | Method::Tarone) {
        return Err(Error::not_applicable(Measure::BreslowDay, method));
    }
    let (cs, total) = cells_of(strata)?;
    let mut e = Estimate::new(Measure::BreslowDay, method).with_n(total);
    let rs = sum(&cs, |x| x.a * x.d / x.n);
    let ss = sum(&cs, |x| x.b * x.c / x.n);
    if !(rs > 0.0 && ss > 0.0) {
        return Ok(
            e.with_note("undefined: the Mantel–Haenszel odds ratio is 0, infinite or 0/0, so no expected cells exist")
        );
    }
    let psi = rs / ss;
    let mut skipped = Vec::new();
    let mut inf = Vec::new();
    for (s, x) in strata.iter().zip(&cs) {
        if x.m1() > 0.0 && x.m0() > 0.0 {
            inf.push(*x);
        } else {
            skipped.push(s.label.as_str());
        }
    }
    if !skipped.is_empty() {
        e = e.with_note(format!(
            "{} stratum/strata without both an event and a non-event left out (no information on the odds ratio): {}",
            skipped.len(),
            skipped.join(", ")
        ));
    }
    let k = inf.len();
    if k < 2 {
        return Ok(e.with_note(format!(
            "undefined: {k} informative stratum, so df = 0; homogeneity needs at least two strata"
        )));
    }
    let mut dev = Vec::with_capacity(k);
    let mut vars = Vec::with_capacity(k);
    let mut terms = Vec::with_capacity(k);
    for x in &inf {
        let ex = bd_expected(x, psi);
        let v = 1.0 / (1.0 / ex + 1.0 / (x.n1 - ex) + 1.0 / (x.m1() - ex) + 1.0 / (x.n0 - x.m1() + ex));
        dev.push(x.a - ex);
        vars.push(v);
        terms.push((x.a - ex).powi(2) / v);
    }
    let mut stat = neumaier_sum(terms);
    if method == Method::Tarone {
        let d = neumaier_sum(dev);
        stat -= d * d / neumaier_sum(vars);
    }
    let stat = stat.max(0.0);
    let df = (k - 1) as f64;
    Ok(e.with_test(stat, Some(df), pchisq_upper(stat, df)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::TwoByTwo;

    fn st(a: u64, b: u64, c: u64, d: u64) -> Stratum {
        Stratum {
            label: format!("{a}/{b}/{c}/{d}"),
            table: TwoByTwo::from_cells(a, b, c, d).unwrap(),
        }
    }

    #[test]
    fn expected_cell_solves_the_odds_ratio_equation() {
        for &(a, b, c, d, psi) in &[
            (3.0, 7.0, 5.0, 9.0, 0.37),
            (10.0, 2.0, 1.0, 30.0, 1.0 + 1e-12),
            (0.0, 5.0, 2.0, 3.0, 40.0),
        ] {
            let x = Cells {
                a,
                b,
                c,
                d,
                n1: a + b,
                n0: c + d,
                n: a + b + c + d,
            };
            let e = bd_expected(&x, psi);
            let or = e * (x.n0 - x.m1() + e) / ((x.n1 - e) * (x.m1() - e));
            assert!((or / psi - 1.0).abs() < 1e-12, "psi {psi}: got {or}");
        }
    }

    #[test]
    fn expected_cell_at_psi_one_is_the_independence_value() {
        let x = Cells {
            a: 2.0,
            b: 3.0,
            c: 4.0,
            d: 1.0,
            n1: 5.0,
            n0: 5.0,
            n: 10.0,
        };
        assert_eq!(bd_expected(&x, 1.0), 3.0);
    }

    #[test]
    fn one_subject_per_group() {
        // a=1,b=0,c=0,d=1 and a=0,b=1,c=1,d=0: OR 1/2 ÷ 1/2 = 1.
        let s = [st(1, 0, 0, 1), st(0, 1, 1, 0)];
        let or = mh_odds_ratio(&s, 0.95).unwrap();
        assert_eq!(or.estimate, Some(1.0));
        let cmh = cmh_test(&s, Method::Uncorrected).unwrap();
        // Δ = 1/2 − 1/2 = 0, V = 2 · (1·1·1·1)/(4·1) = 0.5.
        assert_eq!(cmh.statistic, Some(0.0));
        assert_eq!(cmh.n, Some(4));
    }
}
