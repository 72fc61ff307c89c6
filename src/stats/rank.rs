//! Rank-based tests as R's `wilcox.test` (R 4.2, `stats:::wilcox.test.default`) does them:
//! the Wilcoxon signed-rank test with the one-sample Hodges–Lehmann pseudo-median, and the
//! Wilcoxon–Mann–Whitney rank-sum test with the Hodges–Lehmann shift estimate.
//!
//! References: Wilcoxon (1945), Biometrics Bulletin 1:80; Mann & Whitney (1947), Ann. Math.
//! Statist. 18:50; Hodges & Lehmann (1963), Ann. Math. Statist. 34:598; Bauer (1972), JASA
//! 67:687 (confidence sets from order statistics of Walsh averages / pairwise differences);
//! Hollander, Wolfe & Chicken (2014), *Nonparametric Statistical Methods*, 3rd ed., ch. 3–4.
//!
//! Everything is two-sided with null location 0 (`mu = 0`) and R's defaults
//! `correct = TRUE`, `digits.rank = Inf` (values are ranked as they are, no rounding).
//!
//! # Methods
//!
//! * [`Method::Exact`]: the exact permutation null distribution, computed here by counting
//!   (R's `dsignrank`/`dwilcox` recursions, in `f64`): subset sums of {1..n} for the signed rank
//!   V, and the Mann–Whitney U counts c(u; m, n) = c(u − n; m − 1, n) + c(u; m, n − 1). The p-value
//!   is R's `min(1, 2·P(S ≤ s))` for s below the centre, `min(1, 2·P(S ≥ s))` above it. The CI is
//!   R's order-statistic rule: `qu = qsignrank(α/2, n)` (or `qwilcox(α/2, m, n)`, both with R's
//!   `p − 10ε` search fuzz), raised to 1 if it is 0, and the interval is
//!   `[c(qu), c(N + 1 − qu)]` of the N sorted Walsh averages (x_i + x_j)/2, i ≤ j (signed rank) or
//!   the N = m·n differences x_i − y_j (rank sum). Its exact coverage is `1 − achieved α` with
//!   `achieved α = 2·P(S ≤ qu − 1)`; R reports the requested level unless
//!   `achieved α − α > α/2` (possible only when qu was raised from 0), and then reports
//!   `1 − signif(achieved α, 2)` (signed rank) or `1 − achieved α` (rank sum) and warns
//!   "requested conf.level not achievable". trialstat returns the same interval with R's reported
//!   level in [`Ci::level`](crate::stats::Ci) and a note giving the exact coverage. For n = 1 (one
//!   difference, or one observation per group) that level is 0: the "interval" is the single
//!   Walsh average / difference, exactly as R prints it. The estimate is the median of the Walsh
//!   averages / of the pairwise differences.
//!   The exact distribution of R's `wilcox.test` needs distinct |differences| and no zero
//!   difference (signed rank) or no ties in the pooled sample (rank sum); R then falls back to
//!   the normal approximation. Asked for Exact with ties or zeros (zeros dropped, as R),
//!   trialstat instead counts the permutation distribution given the tied midranks (as
//!   exactRankTests' `wilcox.exact`, Streitberg & Röhmel 1986, and coin): signs of the scores
//!   independent with probability ½ (signed rank), or the m scores of x drawn without replacement
//!   (rank sum), scores in doubled midranks so the sums are integers. The p is
//!   P(|T − E T| ≥ |t − E T|), both packages' definition (for the rank sum with unequal groups it
//!   is not twice the smaller tail). The result's method is [`Method::ExactConditional`]; its CI
//!   and estimate are the normal approximation's, with a note (the two packages' exact intervals
//!   with ties follow different conventions). Beyond [`MAX_EXACT_TIES_WORK`] counting steps the
//!   normal method is used, with a note. Exact without ties is computed for any size asked for, up to
//!   n = 1000 differences (signed rank) or m·n ≤ 10 000 (rank sum); beyond that an error asks for
//!   Normal (the counting work grows as n³ and (m·n)²).
//! * [`Method::Normal`]: the normal approximation with the tie correction of the variance and the
//!   continuity correction ½·sign(z) (R's `correct = TRUE`). R inverts the same corrected
//!   statistic for the CI, and the *uncorrected* statistic for the estimate, with `uniroot`
//!   (tolerance 1e-4). These statistics are step functions of the shift d: on each open interval
//!   between consecutive Walsh averages (pairwise differences) the statistic depends only on how
//!   many of them lie below d, with the variance fixed by the ties *within* the data. trialstat
//!   therefore solves the root exactly: the CI bound is the Walsh average (difference) at which
//!   the corrected statistic crosses the normal quantile, found by binary search on the count.
//!   R's printed bound agrees to about 1e-4 (its uniroot tolerance); R run with
//!   `tol.root = 1e-12` agrees to ~1e-12. The estimate's root set is the median Walsh average
//!   (difference), or, when N is even and the two middle values differ, the whole open interval
//!   between them, where R's uniroot returns whichever point it happens to evaluate first;
//!   trialstat returns the midpoint of the root set, i.e. the median, the same Hodges–Lehmann
//!   estimate as the exact case. R's special cases are kept: for the signed rank test the level
//!   is halved (α doubled) until the statistic's range at min/max of the differences allows it,
//!   and the level is then reported as `1 − α` ("requested conf.level not achievable"; if α
//!   reaches 1 the interval is the median of the differences at level 0); for the rank-sum test a
//!   bound that cannot be reached is set to the extreme difference (min(x) − max(y) or
//!   max(x) − min(y)) at the requested level.
//!
//! Order statistics of the N Walsh averages / differences (N = n(n + 1)/2 or m·n) are selected
//! without storing them (bisection over the doubles with two-pointer counting: O(64·(m + n)) time
//! and O(m + n) memory a quantile, bit-identical to indexing R's sorted vector), so the normal
//! path is O(n log n): n = 2000 (N ≈ 2·10⁶ or 4·10⁶) takes milliseconds, n = 20 000 well under a
//! second.
//!
//! # Edge cases (what R does, and what trialstat returns)
//!
//! * Empty input: error (R: "not enough observations"). Non-finite values: error naming the
//!   position (R silently drops `NA`; trialstat does not drop anything).
//! * Zero differences (signed rank) are dropped before ranking, as R's default; n is then the
//!   number of non-zero differences, the exact distribution is not used (R: "cannot compute
//!   exact p-value with zeroes") and a note says how many were dropped.
//! * All differences zero: R returns V = 0 and NaN p-value and estimate; trialstat returns
//!   [`Error::Undefined`].
//! * All non-zero differences equal (including a single non-zero difference on the normal path):
//!   the p-value is R's; R's CI is NaN ("cannot compute confidence interval when all observations
//!   are zero or tied") and its estimate is the midrange; trialstat returns that estimate,
//!   `ci = None` and a note.
//! * Rank sum with every observation equal (x and y together): R's p-value is NaN (zero
//!   variance); trialstat returns [`Error::Undefined`]. With all x equal and all y equal but
//!   x ≠ y: R's p-value is returned, R's CI search stops with an error; trialstat returns the
//!   only pairwise difference as the estimate, `ci = None` and a note.
//!
//! # R and SciPy
//!
//! SciPy's `mannwhitneyu` (method "exact"/"asymptotic", `use_continuity=True`) reports the same
//! U (R's W) and p-values. SciPy's `wilcoxon` (zero_method="wilcox", correction=True) reports the
//! same p-values but, two-sided, the statistic min(V⁺, V⁻); trialstat follows R and reports V
//! (the sum of the ranks of the positive differences). Neither SciPy function gives the
//! Hodges–Lehmann estimate or its CI; those follow R.

use crate::data::check_level;
use crate::error::{Error, Result};
use crate::stats::dist::{qnorm, two_sided_z_p};
use crate::stats::{Estimate, Measure, Method};

/// Largest number of non-zero differences for which the exact signed-rank distribution is
/// computed (work ~ n³/6 additions).
pub const MAX_EXACT_SIGNED_RANK_N: usize = 1000;

/// Largest m·n for which the exact rank-sum distribution is computed (work ~ (m·n)²/8).
pub const MAX_EXACT_RANK_SUM_MN: usize = 10_000;

/// R's default choice of method (`exact = NULL` in `wilcox.test`): [`Method::Exact`] when both
/// sample sizes are below 50 and there are no ties (and, for the signed rank test, no zero
/// differences), otherwise [`Method::Normal`].
///
/// For the signed rank test pass the number of differences as `n_x` and 0 as `n_y`. (R counts
/// the non-zero differences; with a zero difference present `has_ties_or_zeros` is true and the
/// answer is Normal either way.)
pub fn recommended_method(n_x: usize, n_y: usize, has_ties_or_zeros: bool) -> Method {
    if n_x < 50 && n_y < 50 && !has_ties_or_zeros {
        Method::Exact
    } else {
        Method::Normal
    }
}

/// Wilcoxon signed rank test of paired differences (`wilcox.test(diffs, conf.int = TRUE)`),
/// with the Hodges–Lehmann pseudo-median and its CI.
///
/// * `statistic` = V, the sum of the ranks of |d| over the positive differences (midranks for
///   ties), as R prints it; `p_value` two-sided; `n` = number of non-zero differences used.
/// * `estimate` = median of the Walsh averages (d_i + d_j)/2, i ≤ j, of the non-zero differences
///   (exact case: R's `median(diffs)`; normal case: the midpoint of the root set of R's uniroot
///   equation, see the module doc).
/// * `ci` as R's `conf.int`, with R's reported level (see the module doc for the exact
///   achieved-level rule and the normal-case level halving).
///
/// `method` is [`Method::Exact`], [`Method::Normal`] or [`Method::NormalUncorrected`]; Exact
/// with ties or zeros gives the conditional exact p ([`Method::ExactConditional`], see the
/// module doc). Errors: empty input, non-finite value (named by position),
/// invalid level, method not Exact/Normal, all differences zero ([`Error::Undefined`]), Exact
/// asked for more than [`MAX_EXACT_SIGNED_RANK_N`] differences.
pub fn wilcoxon_signed_rank(diffs: &[f64], method: Method, level: f64) -> Result<Estimate> {
    let measure = Measure::WilcoxonSignedRank;
    check_method(measure, method)?;
    // Exact-conditional is what Exact gives with ties; asked for by name it is Exact.
    let method = if method == Method::ExactConditional { Method::Exact } else { method };
    let level = check_level(level)?;
    check_values("differences", "difference", diffs)?;

    // Sorted once: ranks, ties, Walsh averages and the level-0 median all come from it.
    let mut x: Vec<f64> = diffs.iter().copied().filter(|d| *d != 0.0).collect();
    x.sort_unstable_by(f64::total_cmp);
    let zeros = diffs.len() - x.len();
    if x.is_empty() {
        return Err(Error::undefined(
            measure,
            method,
            "all differences are zero, so no difference is left to rank (R returns V = 0 and a NaN p-value)",
        ));
    }
    let n = x.len();
    let nf = n as f64;
    let (v_stat, ties) = signed_ranks(&x);
    let has_ties = ties > 0.0;

    let mut notes = Vec::new();
    if zeros > 0 {
        notes.push(format!(
            "{zeros} zero difference(s) dropped before ranking (R's default); n = {n} non-zero differences"
        ));
    }
    let exact = method == Method::Exact && !has_ties && zeros == 0;
    // Exact asked for with ties or zeros: the exact p of the permutation distribution given
    // the tied midranks (zeros dropped), where its work is within bounds.
    let mut conditional = None;
    if method == Method::Exact && !exact {
        let why = match (has_ties, zeros > 0) {
            (true, true) => "tied |differences| and zero differences",
            (true, false) => "tied |differences|",
            _ => "zero differences",
        };
        let neg = x.partition_point(|v| *v < 0.0);
        let magnitudes: Vec<f64> = x[..neg].iter().rev().map(|v| -v).collect();
        let (pos_scores, neg_scores) = doubled_midranks(&x[neg..], &magnitudes);
        let t2: u64 = pos_scores.iter().sum();
        let scores: Vec<u64> = pos_scores.into_iter().chain(neg_scores).collect();
        conditional = ConditionalNull::signed_rank(&scores).map(|d| d.p_two_sided(t2));
        notes.push(match conditional {
            Some(_) => format!("{why}: p from the exact permutation distribution given the tied midranks (as exactRankTests' wilcox.exact and coin); CI and estimate from the normal approximation with continuity correction (as R's wilcox.test; the packages' exact intervals with ties follow different conventions)"),
            None => format!("exact distribution with {why} too large to count here (n = {n}): normal approximation used instead (as R's wilcox.test)"),
        });
    }
    if exact && n > MAX_EXACT_SIGNED_RANK_N {
        return Err(Error::undefined(
            Measure::WilcoxonSignedRank,
            Method::Exact,
            format!("n = {n} non-zero differences: the exact signed-rank distribution is computed for at most {MAX_EXACT_SIGNED_RANK_N}; use the normal method"),
        ));
    }

    // Walsh averages of the non-zero differences, as R: (x_i + x_j) / 2 for i <= j (selected
    // from, never stored).
    let walsh = Candidates::Walsh(&x);
    let big_n = walsh.len();

    if exact {
        let dist = ExactNull::signed_rank(n);
        let p = dist.p_two_sided(v_stat);
        let (qu, qhi, achieved) = dist.ci_indices(level);
        let (k_lo, k_hi) = median_ks(big_n);
        let os = walsh.kths(&[qu, qhi, k_lo, k_hi]);
        let estimate = (os[2] + os[3]) / 2.0;
        let alpha = 1.0 - level;
        let mut reported = level;
        if achieved - alpha > alpha / 2.0 {
            reported = 1.0 - signif2(achieved);
            notes.push(format!(
                "requested level {level} not achievable with n = {n}: R reports conf.level = {} (1 - signif(achieved alpha, 2)); exact coverage {}",
                crate::fmt::sig(reported, 7),
                crate::fmt::sig(1.0 - achieved, 7)
            ));
        } else {
            notes.push(format!(
                "exact CI: Walsh averages number {qu} and {qhi} of {big_n}; exact coverage {}",
                1.0 - achieved
            ));
        }
        let mut est = Estimate::new(measure, Method::Exact)
            .with_estimate(estimate)
            .with_ci(os[0], os[1], reported)
            .with_test(v_stat, None, p)
            .with_n(n as u64);
        est.notes = notes;
        return Ok(est);
    }

    // Normal approximation with tie and continuity corrections (R's correct = TRUE).
    let sigma = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - ties / 48.0).sqrt();
    let z0 = v_stat - nf * (nf + 1.0) / 4.0;
    let correct = method != Method::NormalUncorrected;
    let cc = |d: f64| if correct { 0.5 * sign(d) } else { 0.0 };
    let z = (z0 - cc(z0)) / sigma;
    let p = two_sided_z_p(z);
    let mut est = Estimate::new(measure, if conditional.is_some() { Method::ExactConditional } else if correct { Method::Normal } else { Method::NormalUncorrected })
        .with_test(v_stat, None, conditional.unwrap_or(p))
        .with_n(n as u64);

    let mumin = x.iter().copied().fold(f64::INFINITY, f64::min);
    let mumax = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w_min = signed_rank_z(&x, mumin, correct);
    let (k_lo, k_hi) = median_ks(big_n);
    if !w_min.is_finite() {
        // Every non-zero difference is equal: R's CI is NaN (conf.level 0), estimate = midrange.
        notes.push(
            "all non-zero differences are equal: no confidence interval (R returns NaN at level 0); the estimate is their common value (R's midrange)"
                .to_string(),
        );
        est.estimate = Some((mumin + mumax) / 2.0);
        est.notes = notes;
        return Ok(est);
    }
    let w_max = signed_rank_z(&x, mumax, correct);

    // R: halve the level (double alpha) until the statistic's range on [min, max] reaches the
    // normal quantiles.
    let mut alpha = 1.0 - level;
    while alpha < 2.0 {
        let z_up = -qnorm(alpha / 2.0);
        let z_lo = qnorm(alpha / 2.0);
        if w_min - z_up < 0.0 || w_max - z_lo > 0.0 {
            alpha *= 2.0;
        } else {
            break;
        }
    }
    let mut reported = level;
    if alpha >= 1.0 || 1.0 - level < alpha * 0.75 {
        reported = 1.0 - alpha.min(1.0);
        notes.push(if reported > 0.0 {
            format!("requested level {level} not achievable with these differences: R's rule lowers it to {}", crate::fmt::sig(reported, 6))
        } else {
            format!("requested level {level} not achievable with these differences: no interval is (R reports conf.level 0)")
        });
    }

    // Generic statistic between consecutive Walsh averages: only the count below d changes; the
    // variance keeps the ties among equal differences.
    let ties0 = tie_sum(&x);
    let sigma0 = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - ties0 / 48.0).sqrt();
    let half = big_n as f64 / 2.0;
    let g = |k: usize, zq: f64| {
        let zd = half - k as f64;
        (zd - cc(zd)) / sigma0 - zq
    };

    if alpha < 1.0 {
        let z_up = -qnorm(alpha / 2.0);
        let z_lo = qnorm(alpha / 2.0);
        let (a1, a2) = step_root(|k| g(k, z_up), big_n, w_min - z_up, w_max - z_up);
        let (b1, b2) = step_root(|k| g(k, z_lo), big_n, w_min - z_lo, w_max - z_lo);
        let os = walsh.kths(&[a1, a2, b1, b2, k_lo, k_hi]);
        est.estimate = Some((os[4] + os[5]) / 2.0);
        if os[4] != os[5] {
            notes.push(root_interval_note("Walsh averages", os[4], os[5]));
        }
        est.ci = Some(crate::stats::Ci::new(
            (os[0] + os[1]) / 2.0,
            (os[2] + os[3]) / 2.0,
            reported,
        ));
    } else {
        // R: rep(median(x), 2) at level 0.
        let (m1, m2) = median_ks(n);
        let med = [x[m1 - 1], x[m2 - 1]];
        let os = walsh.kths(&[k_lo, k_hi]);
        est.estimate = Some((os[0] + os[1]) / 2.0);
        if os[0] != os[1] {
            notes.push(root_interval_note("Walsh averages", os[0], os[1]));
        }
        let mx = (med[0] + med[1]) / 2.0;
        est.ci = Some(crate::stats::Ci::new(mx, mx, reported));
    }
    est.notes = notes;
    Ok(est)
}

/// Wilcoxon–Mann–Whitney rank-sum test of `x` (treated) against `y` (control)
/// (`wilcox.test(x, y, conf.int = TRUE)`), with the Hodges–Lehmann shift estimate and its CI.
///
/// * `statistic` = R's W = U of x = Σ ranks(x in the pooled sample) − n_x(n_x + 1)/2 (midranks);
///   `p_value` two-sided; `n` = n_x + n_y.
/// * `estimate` = median of the n_x·n_y differences x_i − y_j (the Hodges–Lehmann shift,
///   treated − control); `ci` as R's `conf.int` (module doc).
///
/// `method` is [`Method::Exact`], [`Method::Normal`] or [`Method::NormalUncorrected`]; Exact
/// with ties gives the conditional exact p ([`Method::ExactConditional`], see the module doc).
/// Errors: empty x or y, non-finite values (named by group and position),
/// invalid level, other methods, every observation equal ([`Error::Undefined`]), Exact asked for
/// m·n > [`MAX_EXACT_RANK_SUM_MN`].
pub fn mann_whitney(x: &[f64], y: &[f64], method: Method, level: f64) -> Result<Estimate> {
    rank_sum(Measure::MannWhitney, x, y, method, level)
}

/// Hodges–Lehmann estimate of the shift x − y (treated − control) and its CI: the same numbers
/// as [`mann_whitney`]'s `estimate` and `ci` (R's `wilcox.test(x, y, conf.int = TRUE)`), under
/// the measure [`Measure::HodgesLehmann`]. The result also carries the Mann–Whitney W as
/// `statistic` and its two-sided `p_value`: that is the test the CI inverts, so "CI excludes 0"
/// and "p < α" agree up to the discreteness of the test. Same errors as [`mann_whitney`].
pub fn hodges_lehmann(x: &[f64], y: &[f64], method: Method, level: f64) -> Result<Estimate> {
    rank_sum(Measure::HodgesLehmann, x, y, method, level)
}

fn rank_sum(measure: Measure, x: &[f64], y: &[f64], method: Method, level: f64) -> Result<Estimate> {
    check_method(measure, method)?;
    // Exact-conditional is what Exact gives with ties; asked for by name it is Exact.
    let method = if method == Method::ExactConditional { Method::Exact } else { method };
    let level = check_level(level)?;
    check_values("x", "x value", x)?;
    check_values("y", "y value", y)?;
    let (nx, ny) = (x.len(), y.len());
    let (nxf, nyf) = (nx as f64, ny as f64);
    let ntot = nxf + nyf;

    // Each sample sorted once: ranks come from merging them, and the differences x_i − y_j
    // (selected from, never stored) from the same sorted vectors.
    let (mut xs, mut ys) = (x.to_vec(), y.to_vec());
    xs.sort_unstable_by(f64::total_cmp);
    ys.sort_unstable_by(f64::total_cmp);
    let (rank_sum_x, ties) = merged_ranks(xs.iter().copied(), ys.iter().copied());
    let w_stat = rank_sum_x - nxf * (nxf + 1.0) / 2.0;
    let has_ties = ties > 0.0;
    let mut notes = Vec::new();

    let all_equal = xs[0] == xs[nx - 1] && ys[0] == ys[ny - 1] && xs[0] == ys[0];
    if all_equal {
        return Err(Error::undefined(
            measure,
            method,
            "every observation is equal, so the rank statistic has zero variance (R returns a NaN p-value)",
        ));
    }

    let exact = method == Method::Exact && !has_ties;
    // Exact asked for with ties: the exact p of the permutation distribution given the tied
    // midranks, counted for the smaller group (the other's sum is the rest).
    let mut conditional = None;
    if method == Method::Exact && !exact {
        let (sx, sy) = doubled_midranks(&xs, &ys);
        let (group, m) = if nx <= ny { (&sx, nx) } else { (&sy, ny) };
        let t2: u64 = group.iter().sum();
        let scores: Vec<u64> = sx.iter().chain(&sy).copied().collect();
        conditional = ConditionalNull::rank_sum(&scores, m).map(|d| d.p_two_sided(t2));
        notes.push(match conditional {
            Some(_) => "tied observations: p from the exact permutation distribution given the tied midranks (as exactRankTests' wilcox.exact and coin); CI and estimate from the normal approximation with continuity correction (as R's wilcox.test; the packages' exact intervals with ties follow different conventions)".to_string(),
            None => format!("exact distribution with tied observations too large to count here (n_x = {nx}, n_y = {ny}): normal approximation used instead (as R's wilcox.test)"),
        });
    }
    if exact && nx * ny > MAX_EXACT_RANK_SUM_MN {
        return Err(Error::undefined(
            Measure::MannWhitney,
            Method::Exact,
            format!("n_x · n_y = {}: the exact rank-sum distribution is computed for at most {MAX_EXACT_RANK_SUM_MN}; use the normal method", nx * ny),
        ));
    }

    let diffs = Candidates::Pairwise(&xs, &ys);
    let big_n = diffs.len();
    let (k_lo, k_hi) = median_ks(big_n);

    if exact {
        let dist = ExactNull::rank_sum(nx, ny);
        let p = dist.p_two_sided(w_stat);
        let (qu, qhi, achieved) = dist.ci_indices(level);
        let os = diffs.kths(&[qu, qhi, k_lo, k_hi]);
        let alpha = 1.0 - level;
        let mut reported = level;
        if achieved - alpha > alpha / 2.0 {
            reported = 1.0 - achieved;
            notes.push(format!(
                "requested level {level} not achievable with n_x = {nx}, n_y = {ny}: R reports conf.level = {} (its exact coverage)",
                crate::fmt::sig(reported, 7)
            ));
        } else {
            notes.push(format!(
                "exact CI: differences number {qu} and {qhi} of {big_n}; exact coverage {}",
                1.0 - achieved
            ));
        }
        let mut est = Estimate::new(measure, Method::Exact)
            .with_estimate((os[2] + os[3]) / 2.0)
            .with_ci(os[0], os[1], reported)
            .with_test(w_stat, None, p)
            .with_n((nx + ny) as u64);
        est.notes = notes;
        return Ok(est);
    }

    // Normal approximation with tie and continuity corrections.
    let sigma = ((nxf * nyf / 12.0) * ((ntot + 1.0) - ties / (ntot * (ntot - 1.0)))).sqrt();
    let z0 = w_stat - nxf * nyf / 2.0;
    let correct = method != Method::NormalUncorrected;
    let cc = |d: f64| if correct { 0.5 * sign(d) } else { 0.0 };
    let z = (z0 - cc(z0)) / sigma;
    let p = two_sided_z_p(z);
    let mut est = Estimate::new(measure, if conditional.is_some() { Method::ExactConditional } else if correct { Method::Normal } else { Method::NormalUncorrected })
        .with_test(w_stat, None, conditional.unwrap_or(p))
        .with_n((nx + ny) as u64);

    let mumin = xs[0] - ys[ny - 1];
    let mumax = xs[nx - 1] - ys[0];
    if mumin == mumax {
        notes.push(
            "all x equal and all y equal: the shift is their difference; no confidence interval (R's wilcox.test stops with an error here)"
                .to_string(),
        );
        est.estimate = Some(mumin);
        est.notes = notes;
        return Ok(est);
    }
    let w_min = rank_sum_z(&xs, &ys, mumin, correct);
    let w_max = rank_sum_z(&xs, &ys, mumax, correct);
    let ties0 = tie_sum(&xs) + tie_sum(&ys);
    let sigma0 = ((nxf * nyf / 12.0) * ((ntot + 1.0) - ties0 / (ntot * (ntot - 1.0)))).sqrt();
    let half = big_n as f64 / 2.0;
    let g = |k: usize, zq: f64| {
        let zd = half - k as f64;
        (zd - cc(zd)) / sigma0 - zq
    };

    let alpha = 1.0 - level;
    // R's root(): a bound that cannot be reached is the end of the search range.
    enum Bound {
        End(f64),
        Ks(usize, usize),
    }
    let mut clipped = false;
    let mut bound = |zq: f64| {
        if w_min - zq <= 0.0 {
            clipped = true;
            Bound::End(mumin)
        } else if w_max - zq >= 0.0 {
            clipped = true;
            Bound::End(mumax)
        } else {
            let (a, b) = step_root(|k| g(k, zq), big_n, w_min - zq, w_max - zq);
            Bound::Ks(a, b)
        }
    };
    let lo = bound(-qnorm(alpha / 2.0));
    let hi = bound(qnorm(alpha / 2.0));
    let mut ks = vec![k_lo, k_hi];
    for b in [&lo, &hi] {
        if let Bound::Ks(a, c) = b {
            ks.push(*a);
            ks.push(*c);
        }
    }
    let os = diffs.kths(&ks);
    let mut next = 2;
    let mut value = |b: &Bound| match b {
        Bound::End(v) => *v,
        Bound::Ks(_, _) => {
            let v = (os[next] + os[next + 1]) / 2.0;
            next += 2;
            v
        }
    };
    let l = value(&lo);
    let u = value(&hi);
    if clipped {
        notes.push(format!(
            "a CI bound cannot reach level {level} with these samples: it is set to the extreme difference, as R's wilcox.test does"
        ));
    }
    est.estimate = Some((os[0] + os[1]) / 2.0);
    if os[0] != os[1] {
        notes.push(root_interval_note("differences", os[0], os[1]));
    }
    est.ci = Some(crate::stats::Ci::new(l, u, level));
    est.notes = notes;
    Ok(est)
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn check_method(measure: Measure, method: Method) -> Result<()> {
    match method {
        Method::Exact | Method::Normal | Method::NormalUncorrected | Method::ExactConditional => Ok(()),
        other => Err(Error::not_applicable(measure, other)),
    }
}

fn check_values(group: &str, item: &str, v: &[f64]) -> Result<()> {
    if v.is_empty() {
        return Err(Error::invalid(group, "[]", "at least one value"));
    }
    if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(Error::invalid(
            format!("{item} #{}", i + 1),
            x,
            "a finite number (missing or infinite values are not dropped: remove them first)",
        ));
    }
    Ok(())
}

/// Note for a normal-case estimate whose estimating equation is zero on a whole interval.
fn root_interval_note(what: &str, a: f64, b: f64) -> String {
    format!(
        "estimate = midpoint of the two middle {what} {a} and {b}; R's estimating equation is zero on the whole interval between them and its uniroot returns an arbitrary point of it"
    )
}

/// R's `sign`: −1, 0 or 1.
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Average ranks (1-based) as R's `rank(ties.method = "average")`, ties by exact equality, and
/// Σ(t³ − t) over the tie groups.
#[cfg(test)]
fn midranks(v: &[f64]) -> (Vec<f64>, f64) {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_unstable_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && v[idx[j]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            r[k] = avg;
        }
        let t = (j - i) as f64;
        ties += t * t * t - t;
        i = j;
    }
    (r, ties)
}

/// Ranks of the pooled values of two ascending sequences, from merging them (no sort, no
/// index): the sum of the midranks of `a`'s values and the tie term Σ(t³ − t) over runs of
/// equal values. Midranks are multiples of ½ and their sums stay below 2⁵³, so the sum is exact
/// in any order: the same doubles as ranking the pooled vector ([`midranks`]).
fn merged_ranks(a: impl Iterator<Item = f64>, b: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    let (mut pos, mut sum_a, mut ties) = (0usize, 0.0, 0.0);
    loop {
        let v = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (Some(&x), Some(&y)) => x.min(y),
        };
        let (mut ca, mut cb) = (0usize, 0usize);
        while a.next_if(|&x| x == v).is_some() {
            ca += 1;
        }
        while b.next_if(|&y| y == v).is_some() {
            cb += 1;
        }
        let t = ca + cb;
        let avg = (2 * pos + t + 1) as f64 / 2.0;
        sum_a += avg * ca as f64;
        let tf = t as f64;
        ties += tf * tf * tf - tf;
        pos += t;
    }
    (sum_a, ties)
}

/// Σ(t³ − t) over runs of equal values of an ascending slice.
fn tie_sum(sorted: &[f64]) -> f64 {
    merged_ranks(sorted.iter().copied(), std::iter::empty()).1
}

/// Signed rank statistic of an ascending slice of non-zero values: V = the sum of the midranks
/// of |x| over the positive values, and the tie term of |x|. The |x| of the negative values,
/// read backwards, and the positive values are two ascending sequences to merge.
fn signed_ranks(sorted: &[f64]) -> (f64, f64) {
    let neg = sorted.partition_point(|v| *v < 0.0);
    merged_ranks(sorted[neg..].iter().copied(), sorted[..neg].iter().rev().map(|v| -v))
}

/// R's `W(d)` of the signed rank normal CI: the standardised signed rank statistic of x − d,
/// zeros dropped, tie-corrected variance, continuity correction if `correct`. NaN when every
/// x − d is zero (as R). `x` ascending (so is fl(x − d): rounding is monotone).
fn signed_rank_z(x: &[f64], d: f64, correct: bool) -> f64 {
    let xd: Vec<f64> = x.iter().map(|v| v - d).filter(|v| *v != 0.0).collect();
    let nx = xd.len() as f64;
    let (v, ties) = signed_ranks(&xd);
    let zd = v - nx * (nx + 1.0) / 4.0;
    let sigma = (nx * (nx + 1.0) * (2.0 * nx + 1.0) / 24.0 - ties / 48.0).sqrt();
    let corr = if correct { 0.5 * sign(zd) } else { 0.0 };
    (zd - corr) / sigma
}

/// R's `W(d)` of the rank-sum normal CI: the standardised rank-sum statistic of (x − d, y);
/// `x` and `y` ascending.
fn rank_sum_z(x: &[f64], y: &[f64], d: f64, correct: bool) -> f64 {
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let (rx, ties) = merged_ranks(x.iter().map(|v| v - d), y.iter().copied());
    let dz = rx - nx * (nx + 1.0) / 2.0 - nx * ny / 2.0;
    let corr = if correct { 0.5 * sign(dz) } else { 0.0 };
    let n = nx + ny;
    let sigma = ((nx * ny / 12.0) * ((n + 1.0) - ties / (n * (n - 1.0)))).sqrt();
    (dz - corr) / sigma
}

/// Twice the midranks of the pooled values of two ascending sequences (integers: a midrank is a
/// whole or half number), those of `a` first: the scores of the conditional exact tests.
fn doubled_midranks(a: &[f64], b: &[f64]) -> (Vec<u64>, Vec<u64>) {
    let (mut sa, mut sb) = (Vec::with_capacity(a.len()), Vec::with_capacity(b.len()));
    let (mut i, mut j, mut pos) = (0usize, 0usize, 0u64);
    while i < a.len() || j < b.len() {
        let v = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        let (i0, j0) = (i, j);
        while a.get(i) == Some(&v) {
            i += 1;
        }
        while b.get(j) == Some(&v) {
            j += 1;
        }
        let t = (i - i0 + j - j0) as u64;
        let twice = 2 * pos + t + 1; // 2 × the midrank of ranks pos+1 … pos+t
        sa.extend(std::iter::repeat_n(twice, i - i0));
        sb.extend(std::iter::repeat_n(twice, j - j0));
        pos += t;
    }
    (sa, sb)
}

/// The exact null distribution of a rank statistic given the data's tied scores (the
/// permutation distribution conditional on the midranks, as exactRankTests' `wilcox.exact` and
/// coin compute it): `prob[k]` = P(T₂ = k) for the statistic T₂ in doubled-score units.
struct ConditionalNull {
    prob: Vec<f64>,
    /// E(T₂).
    mean: f64,
}

/// Work allowed for a conditional exact distribution: items × sum range (× the group size for
/// the rank sum); about a second at the limit.
pub const MAX_EXACT_TIES_WORK: u64 = 400_000_000;

impl ConditionalNull {
    /// Signed rank: each score counted with probability ½, independently (the signs of the
    /// differences exchangeable under H0). `None` when the work is above the limit.
    fn signed_rank(scores: &[u64]) -> Option<Self> {
        let total: u64 = scores.iter().sum();
        if (scores.len() as u64).saturating_mul(total) > MAX_EXACT_TIES_WORK {
            return None;
        }
        let mut prob = vec![0.0f64; total as usize + 1];
        prob[0] = 1.0;
        let mut reach = 0usize;
        for &sc in scores {
            let sc = sc as usize;
            reach += sc;
            for k in (0..=reach).rev() {
                let with = if k >= sc { prob[k - sc] } else { 0.0 };
                prob[k] = 0.5 * (prob[k] + with);
            }
        }
        Some(ConditionalNull { prob, mean: total as f64 / 2.0 })
    }

    /// Rank sum: the sum of the scores of `m` items drawn without replacement from all of them
    /// (the group labels exchangeable under H0). Counts by (items drawn, sum), then normalised.
    fn rank_sum(scores: &[u64], m: usize) -> Option<Self> {
        let n_all = scores.len();
        let total: u64 = scores.iter().sum();
        let mut top: Vec<u64> = scores.to_vec();
        top.sort_unstable_by(|a, b| b.cmp(a));
        let max_sum: u64 = top[..m].iter().sum();
        if (n_all as u64).saturating_mul(m as u64).saturating_mul(max_sum) > MAX_EXACT_TIES_WORK {
            return None;
        }
        let width = max_sum as usize + 1;
        // counts[k * width + s]: ways to draw k items with score sum s.
        let mut counts = vec![0.0f64; (m + 1) * width];
        counts[0] = 1.0;
        let mut reach = 0usize;
        for (i, &sc) in scores.iter().enumerate() {
            let sc = sc as usize;
            reach = (reach + sc).min(max_sum as usize);
            for k in (1..=m.min(i + 1)).rev() {
                let (lower, upper) = counts.split_at_mut(k * width);
                let prev = &lower[(k - 1) * width..];
                for s in (sc..=reach).rev() {
                    upper[s] += prev[s - sc];
                }
            }
        }
        let row = &counts[m * width..];
        let all: f64 = row.iter().sum();
        Some(ConditionalNull { prob: row.iter().map(|c| c / all).collect(), mean: m as f64 * total as f64 / n_all as f64 })
    }

    /// Two-sided p: P(|T₂ − E| ≥ |t₂ − E|), with a relative tolerance for the comparison of
    /// distances (E may be fractional).
    fn p_two_sided(&self, t2: u64) -> f64 {
        let d = (t2 as f64 - self.mean).abs();
        let tol = 1e-7 * (1.0 + d);
        let p: f64 = self.prob.iter().enumerate().filter(|(k, _)| (*k as f64 - self.mean).abs() >= d - tol).map(|(_, p)| p).sum();
        p.min(1.0)
    }
}

/// 1-based ranks of the two middle order statistics of `n` values (equal when n is odd).
fn median_ks(n: usize) -> (usize, usize) {
    (n.div_ceil(2), n / 2 + 1)
}

/// Root set of a nonincreasing step function on [c_1, c_m] (c = sorted candidates): `f_lower`
/// and `f_upper` are its values at c_1 and c_m, `g(k)` its value on the open interval
/// (c_k, c_{k+1}), k = 1..m−1. Returns the 1-based ranks (k_lo, k_hi) with the root set
/// [c_{k_lo}, c_{k_hi}] (a single point unless g is exactly 0 on an interval). As Brent's
/// method (R's zeroin), an end with value exactly 0 is returned at once.
fn step_root(g: impl Fn(usize) -> f64, m: usize, f_lower: f64, f_upper: f64) -> (usize, usize) {
    if f_lower == 0.0 {
        return (1, 1);
    }
    if f_upper == 0.0 {
        return (m, m);
    }
    // first k in 1..m with pred(k), else m
    let first = |pred: &dyn Fn(usize) -> bool| {
        let (mut lo, mut hi) = (1usize, m);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    };
    let k_lo = first(&|k| g(k) <= 0.0);
    let k_hi = first(&|k| g(k) < 0.0);
    (k_lo, k_hi)
}

/// The N candidate values whose order statistics give the estimates and CIs: the Walsh averages
/// fl(x_i + x_j)/2, i ≤ j, of sorted x, or the differences fl(x_i − y_j). They are never all
/// stored: each row (one x_i) is sorted, floating-point rounding being monotone, so the number of
/// candidates ≤ t is counted exactly with two pointers in O(m + n), and the k-th smallest is
/// selected in a few rounds of counting ([`Candidates::kth`]). Memory O(m + n) plus the last
/// few million candidates; the result is bit-for-bit the k-th element of R's sorted vector.
enum Candidates<'a> {
    /// Sorted x.
    Walsh(&'a [f64]),
    /// Sorted x and sorted y.
    Pairwise(&'a [f64], &'a [f64]),
}

impl Candidates<'_> {
    fn len(&self) -> usize {
        match self {
            Candidates::Walsh(x) => x.len() * (x.len() + 1) / 2,
            Candidates::Pairwise(x, y) => x.len() * y.len(),
        }
    }

    /// Smallest and largest candidate.
    #[cfg(test)]
    fn range(&self) -> (f64, f64) {
        match self {
            Candidates::Walsh(x) => (x[0], x[x.len() - 1]),
            Candidates::Pairwise(x, y) => (x[0] - y[y.len() - 1], x[x.len() - 1] - y[0]),
        }
    }

    /// Number of rows: each row's candidates are sorted ascending (see [`Self::value`]).
    fn rows(&self) -> usize {
        match self {
            Candidates::Walsh(x) | Candidates::Pairwise(x, _) => x.len(),
        }
    }

    fn row_len(&self, i: usize) -> usize {
        match self {
            Candidates::Walsh(x) => x.len() - i,
            Candidates::Pairwise(_, y) => y.len(),
        }
    }

    /// The r-th smallest candidate of row i: fl(x_i + x_{i+r})/2, or fl(x_i − y_{n−1−r}).
    #[inline]
    fn value(&self, i: usize, r: usize) -> f64 {
        match self {
            Candidates::Walsh(x) => (x[i] + x[i + r]) / 2.0,
            Candidates::Pairwise(x, y) => x[i] - y[y.len() - 1 - r],
        }
    }

    /// For each row, how many of its candidates are ≤ t (`strict`: < t), into `out`; the total.
    /// Two pointers: the counts are monotone in the row. O(m + n).
    fn prefix(&self, t: f64, strict: bool, out: &mut [usize]) -> usize {
        let above = |v: f64| if strict { v >= t } else { v > t };
        let mut total = 0;
        match self {
            Candidates::Walsh(x) => {
                let n = x.len();
                let mut q = n; // row i: candidates j in [i, q) are within
                for i in 0..n {
                    while q > i && above((x[i] + x[q - 1]) / 2.0) {
                        q -= 1;
                    }
                    out[i] = q.saturating_sub(i);
                    total += out[i];
                }
            }
            Candidates::Pairwise(x, y) => {
                let n = y.len();
                let mut p = 0; // row i: candidates j in [p, n) are within
                for (i, xi) in x.iter().enumerate() {
                    while p < n && above(xi - y[p]) {
                        p += 1;
                    }
                    out[i] = n - p;
                    total += out[i];
                }
            }
        }
        total
    }

    /// k-th smallest candidate (1-based), by selection over the rows (Floyd–Rivest style):
    /// each row keeps a window [lo, hi) of candidates that may still be the answer; two pivots
    /// drawn from a sample of the windows bracket the target rank and are counted exactly
    /// ([`Self::prefix`]), which leaves about 5% of the windows per round; when few remain they
    /// are listed and the answer selected. A pivot that is the answer (ties) is returned at once.
    /// About four rounds instead of 64 bisection steps; the result is the same double.
    fn kth(&self, k: usize) -> f64 {
        const SAMPLE: usize = 4096;
        // Out-of-range ranks give the smallest or largest candidate, as bisection did.
        let k = k.clamp(1, self.len());
        let rows = self.rows();
        let limit = 4 * rows + 4096;
        let mut lo = vec![0usize; rows];
        let mut hi: Vec<usize> = (0..rows).map(|i| self.row_len(i)).collect();
        let (mut pa, mut pb) = (vec![0usize; rows], vec![0usize; rows]);
        let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ (k as u64) ^ ((rows as u64) << 32);
        let mut cum = vec![0usize; rows + 1];
        loop {
            let below: usize = lo.iter().sum();
            for i in 0..rows {
                cum[i + 1] = cum[i] + (hi[i] - lo[i]);
            }
            let remaining = cum[rows];
            let kr = k - below; // rank within the windows, 1-based
            if remaining <= limit {
                let mut v: Vec<f64> = Vec::with_capacity(remaining);
                for i in 0..rows {
                    v.extend((lo[i]..hi[i]).map(|r| self.value(i, r)));
                }
                let (_, x, _) = v.select_nth_unstable_by(kr - 1, f64::total_cmp);
                return *x + 0.0;
            }
            let mut sample: Vec<f64> = (0..SAMPLE)
                .map(|_| {
                    let u = (crate::stats::rng::splitmix64(&mut state) % remaining as u64) as usize;
                    let i = cum.partition_point(|&c| c <= u) - 1;
                    self.value(i, lo[i] + (u - cum[i]))
                })
                .collect();
            sample.sort_unstable_by(f64::total_cmp);
            let pos = kr as f64 / remaining as f64 * SAMPLE as f64;
            let d = 1.5 * (SAMPLE as f64).sqrt();
            let a = sample[((pos - d).max(0.0) as usize).min(SAMPLE - 1)];
            let b = sample[((pos + d) as usize).min(SAMPLE - 1)];
            let clamp = |p: &mut [usize], lo: &[usize], hi: &[usize]| {
                for i in 0..p.len() {
                    p[i] = p[i].clamp(lo[i], hi[i]);
                }
            };
            let le_a = self.prefix(a, false, &mut pa);
            if k <= le_a {
                // The answer is ≤ a: a itself, or below it.
                let lt_a = self.prefix(a, true, &mut pa);
                if lt_a < k {
                    return a + 0.0;
                }
                clamp(&mut pa, &lo, &hi);
                hi.copy_from_slice(&pa);
                continue;
            }
            let lt_b = self.prefix(b, true, &mut pb);
            if k > lt_b {
                // The answer is ≥ b: b itself, or above it.
                let le_b = self.prefix(b, false, &mut pb);
                if le_b >= k {
                    return b + 0.0;
                }
                clamp(&mut pb, &lo, &hi);
                lo.copy_from_slice(&pb);
                continue;
            }
            // a < answer < b.
            clamp(&mut pa, &lo, &hi);
            clamp(&mut pb, &lo, &hi);
            lo.copy_from_slice(&pa);
            hi.copy_from_slice(&pb);
        }
    }

    /// k-th smallest by bisection over the doubles, counting at each step: the reference
    /// implementation [`Self::kth`] is tested against.
    #[cfg(test)]
    fn kth_bisection(&self, k: usize) -> f64 {
        let (lo, hi) = self.range();
        let (mut lo, mut hi) = (order_key(lo), order_key(hi));
        let mut out = vec![0usize; self.rows()];
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.prefix(from_order_key(mid), false, &mut out) >= k {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        from_order_key(lo) + 0.0
    }

    /// The k-th smallest candidate for each k of `ks`. Ranks come in near pairs (the two middle
    /// ranks, the two ends of a root set): a rank equal to one already found is reused, and the
    /// (k+1)-th follows from the k-th v in one counting pass: v itself if more than k candidates
    /// are ≤ v, else the smallest candidate above v (the next one of some row).
    fn kths(&self, ks: &[usize]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..ks.len()).collect();
        order.sort_by_key(|&i| ks[i]);
        let mut out = vec![0.0; ks.len()];
        let mut counts = vec![0usize; self.rows()];
        let mut last: Option<(usize, f64)> = None;
        for i in order {
            let k = ks[i].clamp(1, self.len());
            out[i] = match last {
                Some((lk, v)) if lk == k => v,
                Some((lk, v)) if lk + 1 == k => {
                    if self.prefix(v, false, &mut counts) >= k {
                        v
                    } else {
                        let next = (0..self.rows()).filter(|&r| counts[r] < self.row_len(r)).map(|r| self.value(r, counts[r]));
                        next.fold(f64::INFINITY, f64::min) + 0.0
                    }
                }
                _ => self.kth(k),
            };
            last = Some((k, out[i]));
        }
        out
    }
}

/// Monotone map of a double (−0 read as +0) to an unsigned key: a < b ⇔ key(a) < key(b).
#[cfg(test)]
fn order_key(v: f64) -> u64 {
    let b = (v + 0.0).to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

#[cfg(test)]
fn from_order_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// R's `signif(x, 2)` for x in (0, 1] (round half to even at exact ties, as R 4).
fn signif2(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let e = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(1 - e);
    (x * scale).round_ties_even() / scale
}

/// Lower half of an exact null distribution of an integer statistic S on 0..=max, symmetric
/// about max/2, as R computes it: `prob[k] = count(k) · 2^−n` (signed rank, R's
/// `csignrank · exp(−n log 2)`) or `count(k) / C(m + n, n)` (rank sum, R's `cwilcox / choose`).
struct ExactNull {
    prob: Vec<f64>,
    max: usize,
}

impl ExactNull {
    /// Null distribution of V for n untied non-zero differences: the number of subsets of
    /// {1, …, n} with sum k.
    fn signed_rank(n: usize) -> Self {
        let max = n * (n + 1) / 2;
        let half = max / 2;
        let mut w = vec![0.0f64; half + 1];
        w[0] = 1.0;
        for j in 1..=n {
            let end = (j * (j + 1) / 2).min(half);
            if end < j {
                continue;
            }
            for i in (j..=end).rev() {
                w[i] += w[i - j];
            }
        }
        let f = (-(n as f64) * std::f64::consts::LN_2).exp();
        ExactNull {
            prob: w.iter().map(|c| c * f).collect(),
            max,
        }
    }

    /// Null distribution of U = W for samples of m and n untied values:
    /// c(u; i, j) = c(u − j; i − 1, j) + c(u; i, j − 1) (the largest observation is an x, beating
    /// all j y's, or a y), truncated at u ≤ m·n/2.
    fn rank_sum(m: usize, n: usize) -> Self {
        let max = m * n;
        let half = max / 2;
        let (outer, inner) = if m >= n { (m, n) } else { (n, m) };
        // prev[j] = counts for (i − 1, j), j = 0..=inner
        let mut prev: Vec<Vec<f64>> = vec![vec![1.0]; inner + 1];
        for i in 1..=outer {
            let mut cur: Vec<Vec<f64>> = Vec::with_capacity(inner + 1);
            cur.push(vec![1.0]);
            for j in 1..=inner {
                let len = (i * j).min(half) + 1;
                let mut v = vec![0.0f64; len];
                let a = &prev[j];
                for (slot, c) in v.iter_mut().skip(j).zip(a.iter()) {
                    *slot += c;
                }
                let b = &cur[j - 1];
                for (u, c) in b.iter().enumerate().take(len) {
                    v[u] += c;
                }
                cur.push(v);
            }
            prev = cur;
        }
        let counts = &prev[inner];
        let mut counts = counts.clone();
        counts.resize(half + 1, 0.0);
        // Total C(m + n, n) from the symmetric halves.
        let lower: f64 = counts[..if max % 2 == 0 { half } else { half + 1 }].iter().sum();
        let total = 2.0 * lower + if max % 2 == 0 { counts[half] } else { 0.0 };
        ExactNull {
            prob: counts.iter().map(|c| c / total).collect(),
            max,
        }
    }

    /// P(S ≤ q) for q ≤ max/2, summed upwards as R's psignrank/pwilcox.
    fn lower(&self, q: i64) -> f64 {
        if q < 0 {
            return 0.0;
        }
        let q = (q as usize).min(self.prob.len() - 1);
        self.prob[..=q].iter().sum()
    }

    /// R's two-sided exact p: min(1, 2·P(S ≤ s)) below the centre, min(1, 2·P(S ≥ s)) above.
    fn p_two_sided(&self, s: f64) -> f64 {
        let s = s.round() as i64;
        let p = if (s as f64) > self.max as f64 / 2.0 {
            self.lower(self.max as i64 - s)
        } else {
            self.lower(s)
        };
        (2.0 * p).min(1.0)
    }

    /// R's qsignrank/qwilcox(p) for 0 < p ≤ 1/2: the smallest q with P(S ≤ q) ≥ p − 10ε.
    fn quantile(&self, p: f64) -> usize {
        let target = p - 10.0 * f64::EPSILON;
        let mut cum = 0.0;
        for (q, pr) in self.prob.iter().enumerate() {
            cum += pr;
            if cum >= target {
                return q;
            }
        }
        self.prob.len() - 1
    }

    /// R's two-sided exact CI ranks: (qu, N + 1 − qu) with qu = max(1, quantile(α/2)), and the
    /// achieved α = 2·P(S ≤ qu − 1).
    fn ci_indices(&self, level: f64) -> (usize, usize, f64) {
        let alpha = 1.0 - level;
        let mut qu = self.quantile(alpha / 2.0);
        if qu == 0 {
            qu = 1;
        }
        let ql = self.max - qu;
        let achieved = 2.0 * self.lower(qu as i64 - 1);
        (qu, ql + 1, achieved)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn selection_equals_bisection_on_large_candidate_sets_with_ties() {
        let mut state = 42u64;
        let mut draw = |scale: f64, integer: bool| -> Vec<f64> {
            (0..3000)
                .map(|_| {
                    let u = (crate::stats::rng::splitmix64(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
                    let v = scale * (u - 0.3).powi(3) * 10.0;
                    if integer { v.round() } else { v }
                })
                .collect()
        };
        for integer in [false, true] {
            let (x, y) = (draw(7.0, integer), draw(5.0, integer));
            let (xs, ys) = (sorted(&x), sorted(&y));
            for c in [Candidates::Pairwise(&xs, &ys), Candidates::Walsh(&xs)] {
                let n = c.len();
                for k in [0, 1, 2, n / 10, n / 2, n / 2 + 1, n - n / 7, n - 1, n, n + 1] {
                    assert_eq!(c.kth(k).to_bits(), c.kth_bisection(k).to_bits(), "k = {k} of {n}, integer = {integer}");
                }
            }
        }
    }

    use super::*;

    #[test]
    fn signed_rank_counts_match_small_table() {
        // n = 4: subsets of {1,2,3,4} by sum 0..5: 1 1 1 2 2 2 (total 16)
        let d = ExactNull::signed_rank(4);
        let counts: Vec<f64> = d.prob.iter().map(|p| (p * 16.0).round()).collect();
        assert_eq!(counts, vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
    }

    #[test]
    fn rank_sum_counts_match_small_table() {
        // m = 2, n = 3: U counts 0..6 are 1 1 2 2 2 1 1 (C(5,2) = 10); the lower half is kept
        let d = ExactNull::rank_sum(2, 3);
        let counts: Vec<f64> = d.prob.iter().map(|p| (p * 10.0).round()).collect();
        assert_eq!(counts, vec![1.0, 1.0, 2.0, 2.0]);
        let d = ExactNull::rank_sum(3, 2);
        assert_eq!(d.prob.len(), 4);
        assert!((d.prob[3] * 10.0 - 2.0).abs() < 1e-12);
    }

    #[test]
    fn kths_of_neighbouring_ranks_equal_single_selections() {
        for round in [false, true] {
            let x: Vec<f64> = (0..400).map(|i| ((i * 37 % 101) as f64 - 40.0) * if round { 1.0 } else { 0.37 }).collect();
            let y: Vec<f64> = (0..300).map(|i| ((i * 53 % 89) as f64 - 30.0) * if round { 1.0 } else { 0.41 }).collect();
            let (xs, ys) = (sorted(&x), sorted(&y));
            for c in [Candidates::Pairwise(&xs, &ys), Candidates::Walsh(&xs)] {
                let n = c.len();
                let ks = [n / 2, n / 2 + 1, 3, 2, 2, n / 3 + 1, n / 3, n, n - 1, 1];
                let got = c.kths(&ks);
                for (k, g) in ks.iter().zip(&got) {
                    assert_eq!(g.to_bits(), c.kth(*k).to_bits(), "k = {k}, round = {round}");
                }
            }
        }
    }

    fn sorted(v: &[f64]) -> Vec<f64> {
        let mut s = v.to_vec();
        s.sort_unstable_by(f64::total_cmp);
        s
    }

    /// The merge-based ranks give the same doubles as ranking the pooled vector.
    #[test]
    fn merged_ranks_equal_pooled_midranks() {
        let mut state = 7u64;
        let mut draw = |n: usize, round: bool| -> Vec<f64> {
            (0..n)
                .map(|_| {
                    let u = (crate::stats::rng::splitmix64(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
                    let v = 20.0 * (u - 0.4);
                    if round { v.round() } else { v }
                })
                .collect()
        };
        for round in [false, true] {
            let (x, y) = (draw(500, round), draw(300, round));
            let pooled: Vec<f64> = x.iter().chain(&y).copied().collect();
            let (r, t) = midranks(&pooled);
            let (sx, ty) = merged_ranks(sorted(&x).into_iter(), sorted(&y).into_iter());
            assert_eq!((sx, ty), (r[..x.len()].iter().sum::<f64>(), t), "round = {round}");
            let nz: Vec<f64> = x.iter().copied().filter(|v| *v != 0.0).collect();
            let abs: Vec<f64> = nz.iter().map(|v| v.abs()).collect();
            let (r, t) = midranks(&abs);
            let v: f64 = nz.iter().zip(&r).filter(|(d, _)| **d > 0.0).map(|(_, r)| *r).sum();
            assert_eq!(signed_ranks(&sorted(&nz)), (v, t), "round = {round}");
            assert_eq!(tie_sum(&sorted(&x)), midranks(&x).1);
        }
    }

    #[test]
    fn midranks_average_ties() {
        let (r, t) = midranks(&[3.0, 1.0, 3.0, 2.0, 3.0]);
        assert_eq!(r, vec![4.0, 1.0, 4.0, 2.0, 4.0]);
        assert_eq!(t, 24.0);
    }

    #[test]
    fn candidates_select_like_sorting() {
        let x = [0.3, -1.7, 2.2, 2.2, 0.1, -0.0, 5.0, -3.25];
        let y = [1.0, -0.3, 0.7, 0.7, 4.4];
        let mut walsh = Vec::new();
        for i in 0..x.len() {
            for j in i..x.len() {
                let (a, b) = if x[i] <= x[j] { (x[i], x[j]) } else { (x[j], x[i]) };
                walsh.push((a + b) / 2.0);
            }
        }
        walsh.sort_unstable_by(f64::total_cmp);
        let xs = sorted(&x);
        let c = Candidates::Walsh(&xs);
        assert_eq!(c.len(), walsh.len());
        for (k, w) in walsh.iter().enumerate() {
            assert_eq!(c.kth(k + 1), *w, "walsh k = {}", k + 1);
        }
        let mut d: Vec<f64> = x.iter().flat_map(|a| y.iter().map(move |b| a - b)).collect();
        d.sort_unstable_by(f64::total_cmp);
        let (xs, ys) = (sorted(&x), sorted(&y));
        let c = Candidates::Pairwise(&xs, &ys);
        assert_eq!(c.len(), d.len());
        for (k, v) in d.iter().enumerate() {
            assert_eq!(c.kth(k + 1), *v, "pairwise k = {}", k + 1);
        }
        assert_eq!(order_key(-0.0), order_key(0.0));
        assert!(order_key(-1e-300) < order_key(0.0) && order_key(0.0) < order_key(5e-324));
        assert_eq!(from_order_key(order_key(-2.5)), -2.5);
    }

    #[test]
    fn signif_two_digits_as_r() {
        assert_eq!(signif2(0.125), 0.12);
        assert_eq!(signif2(0.0625), 0.062);
        assert_eq!(signif2(0.03125), 0.031);
        assert_eq!(signif2(1.0), 1.0);
    }

    #[test]
    fn step_root_single_point_and_interval() {
        // g = 2 - k: zero at k = 2 only on interval (c_2, c_3) -> root set [c_2, c_3]
        assert_eq!(step_root(|k| 2.0 - k as f64, 5, 1.0, -1.0), (2, 3));
        // g = 2.5 - k: crosses between intervals 2 and 3 -> root at c_3
        assert_eq!(step_root(|k| 2.5 - k as f64, 5, 1.0, -1.0), (3, 3));
    }
}
