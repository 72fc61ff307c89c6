//! Seeded nonparametric bootstrap with percentile and BCa intervals for any statistic, giving
//! the same numbers whatever the thread count.
//!
//! # Resampling
//! The data come as one or more groups (strata) of sizes `n_1, ..., n_G`. The statistic is a
//! closure that receives, for each group, a slice of indices into that group's data and maps them
//! to values itself, so one function covers a one-sample statistic (one group), a paired statistic
//! (one group of pair indices) and a two-sample statistic (two groups resampled separately, as R
//! boot's `strata` argument). Resample `b` (0-based) uses its own generator
//! [`Rng::new`]`(seed, b)` (xoshiro256\*\* seeded by SplitMix64, see [`crate::stats::rng`]) and
//! draws, group by group in order, `n_g` indices `Rng::below(n_g)` for group `g`. The replicate
//! vector therefore depends only on the seed and the data: the work is split into contiguous
//! chunks over `std::thread::scope` threads, and 1 or 8 threads give bit-identical replicates and
//! limits.
//!
//! # Intervals (as R's `boot.ci`, boot 1.3-28)
//! Let `t*` be the finite replicates (non-finite ones are dropped, as `boot.ci` does), `R` their
//! number, `t0` the statistic on the full data, and `α = ((1 − level)/2, (1 + level)/2)`.
//! - **Endpoint of order α** (`boot:::norm.inter`): `rk = (R + 1)α`, `k = ⌊rk⌋`. If `rk` is an
//!   integer the endpoint is the order statistic `t*(k)`; if `k = 0` it is `t*(1)`, if `k ≥ R` it is
//!   `t*(R)` (the "extreme order statistics used as endpoints" case, which boot warns about and
//!   trialstat notes); otherwise it interpolates linearly on the normal-quantile scale:
//!   `t*(k) + (Φ⁻¹(α) − Φ⁻¹(k/(R+1))) / (Φ⁻¹((k+1)/(R+1)) − Φ⁻¹(k/(R+1))) · (t*(k+1) − t*(k))`
//!   (Davison & Hinkley 1997, *Bootstrap Methods and their Application*, eq. 5.8).
//! - **Percentile** (`boot:::perc.ci`): the endpoints of order α.
//! - **BCa** (Efron 1987, JASA 82:171; `boot:::bca.ci`): bias correction
//!   `z0 = Φ⁻¹(#{t* < t0} / R)` (strict `<`), acceleration `a = Σ L³ / (6 (Σ L²)^{3/2})` from the
//!   jackknife empirical influence values `L`, and endpoints of order
//!   `Φ(z0 + (z0 + z_α) / (1 − a (z0 + z_α)))`.
//! - **Jackknife influence values** (`boot:::usual.jack`, i.e. `empinf(type = "jack")` with
//!   `strata`): for observation `i` of group `g`, `L_i = (n_g − 1)(t0 − t_{−i})`, where `t_{−i}`
//!   leaves observation `i` out of its own group only. `L` is ordered group by group.
//!
//! Passing this `L` to `boot.ci(..., L = L)` with the same replicates reproduces trialstat's
//! limits to rounding (the golden tests check 1e-9). Note that `boot.ci` *without* `L` estimates
//! the influence values by regression on the resampling frequencies (`empinf(type = "reg")`), so
//! its default BCa limits differ slightly; trialstat uses the jackknife, which does not depend on
//! the Monte Carlo draws.
//!
//! # Where SciPy differs (trialstat follows R's boot)
//! `scipy.stats.bootstrap(method = "BCa")` counts ties as one half in `z0` (`percentileofscore`
//! kind "mean"), centres the jackknife at the mean of the leave-one-out values rather than at
//! `t0` and, for several samples, weights each sample's sums by `1/n_j³` and `1/n_j²`; it reads the
//! endpoints off the replicates by linear interpolation of the empirical quantile (type 7) rather
//! than `norm.inter`. The accelerations agree for a one-sample mean (its leave-one-out values
//! average to `t0`; checked: 0.0267225848435373 for the golden data set in both), but not in
//! general: for the golden two-sample difference in medians (15 and 12 observations) boot gives
//! a = −0.0431 and SciPy 0.0031. R's boot is the reference trialstat is validated against, so its
//! definitions are used throughout.
//!
//! # Edge cases
//! - All finite replicates equal (e.g. constant data, or every group of size 1): the bootstrap
//!   distribution is degenerate. The percentile interval is `[c, c]` (`c` the common value, `t0`
//!   for constant data) with a note; BCa is undefined (`z0 = Φ⁻¹(0)` or `Φ⁻¹(1)` is infinite), so
//!   its `ci` is `None` with a note (SciPy returns NaN with a `DegenerateDataWarning`; R's
//!   `boot.ci` refuses to give any interval).
//! - `t0` below or above every replicate (`z0` infinite) or all influence values zero (`a` is
//!   0/0): BCa `ci` is `None` with a note; `bias_correction` is then ±∞ or `acceleration` NaN
//!   (serialised as `"±Infinity"` / `null`), as R's `boot.ci` stops with "estimated adjustment
//!   'w' is infinite" / "'a' is NA".
//! - A group of size 1: every resample of it is the same single observation, and its jackknife
//!   influence value is set to 0 (the factor `n_g − 1` is 0) without calling the statistic on an
//!   empty group; R's `usual.jack` would compute `0 × t(empty group)`, usually NaN. A note says so.
//! - The statistic non-finite on some resamples: those replicates are counted, kept in
//!   `replicates` (in resample order) and excluded from both intervals with a note, as `boot.ci`
//!   excludes them; if more than half are non-finite, an [`Error::Undefined`] is returned. A
//!   non-finite `t0` is an error; non-finite leave-one-out values make BCa undefined (`None` + note).
//! - Fewer than 2 resamples, a level outside (0, 1), no groups or an empty group: [`Error`].
//! - `(R + 1)α` outside `(1, R)` for an endpoint (too few resamples for this level): the extreme
//!   order statistic is the endpoint and a note says so (boot's warning "extreme order statistics
//!   used as endpoints").

use crate::data::check_level;
use crate::error::{Error, Result};
use crate::stats::dist::{neumaier_sum, pnorm, qnorm};
use crate::stats::result::ser_f64;
use crate::stats::rng::Rng;
use crate::stats::{Estimate, Measure, Method};
use serde::Serialize;

/// The generator description written into every bootstrap result's notes.
pub const RNG_NOTE: &str = "xoshiro256** seeded by SplitMix64, stream = resample index";

/// At most this many threads are started, whatever `threads` asks for (results do not depend on
/// the thread count).
pub const MAX_THREADS: usize = 64;

/// Most resamples accepted (10⁷ replicates take 80 MB).
pub const MAX_RESAMPLES: usize = 10_000_000;

/// Options of [`bootstrap`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapOptions {
    /// Number of resamples `R` (at least 2). Default 9999, so that `(R + 1)α` is an integer for
    /// the usual levels.
    pub resamples: usize,
    /// Seed of the generator; resample `b` uses `Rng::new(seed, b)`. Default 20240601.
    pub seed: u64,
    /// Two-sided confidence level in (0, 1). Default 0.95.
    pub level: f64,
    /// Worker threads; 0 = `std::thread::available_parallelism()`. Capped at [`MAX_THREADS`] and at
    /// the number of resamples. The results are identical for every value.
    pub threads: usize,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions { resamples: 9999, seed: 20240601, level: 0.95, threads: 0 }
    }
}

/// Result of [`bootstrap`]: the statistic, its replicates, the percentile and BCa intervals and
/// the BCa ingredients. `replicates` and `jackknife` are not serialised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapResult {
    /// The statistic on the full data, `t0`.
    #[serde(serialize_with = "ser_f64")]
    pub statistic: f64,
    /// All `R` replicates in resample order, including any non-finite ones (which the intervals
    /// exclude; a note counts them).
    #[serde(skip)]
    pub replicates: Vec<f64>,
    /// Percentile interval (`Measure::Bootstrap`, `Method::Percentile`).
    pub percentile: Estimate,
    /// BCa interval (`Measure::Bootstrap`, `Method::Bca`); `ci` is `None` when undefined.
    pub bca: Estimate,
    /// Jackknife empirical influence values `L_i = (n_g − 1)(t0 − t_{−i})`, group by group.
    #[serde(skip)]
    pub jackknife: Vec<f64>,
    /// BCa acceleration `a = Σ L³ / (6 (Σ L²)^{3/2})`; NaN (serialised `null`) when all `L` are 0
    /// or some are non-finite (BCa `ci` is then `None`).
    #[serde(serialize_with = "ser_f64")]
    pub acceleration: f64,
    /// BCa bias correction `z0 = Φ⁻¹(#{t* < t0} / R)`; ±∞ when `t0` is outside the replicates
    /// (BCa `ci` is then `None`).
    #[serde(serialize_with = "ser_f64")]
    pub bias_correction: f64,
}

/// Nonparametric (stratified) bootstrap of `statistic` with percentile and BCa intervals as R's
/// `boot.ci`; see the module docs for the resampling scheme, formulas and edge cases.
///
/// `group_sizes[g]` is the number of observations in group `g`; `statistic` gets, for each group,
/// the (resampled) indices into that group's data and returns the statistic. `measure_label`
/// names the statistic (it becomes the estimates' `group`).
pub fn bootstrap<F>(group_sizes: &[usize], statistic: F, measure_label: &str, opts: &BootstrapOptions) -> Result<BootstrapResult>
where
    F: Fn(&[&[usize]]) -> f64 + Sync,
{
    let level = check_level(opts.level)?;
    if opts.resamples < 2 {
        return Err(Error::invalid("resamples", opts.resamples, "at least 2 bootstrap resamples (e.g. 9999)"));
    }
    if group_sizes.is_empty() {
        return Err(Error::invalid("groups", 0, "at least one group of observations"));
    }
    if let Some(g) = group_sizes.iter().position(|&n| n == 0) {
        return Err(Error::invalid(format!("size of group {}", g + 1), 0, "at least one observation in every group"));
    }
    let n_total: u64 = group_sizes.iter().map(|&n| n as u64).sum();
    let r_total = opts.resamples;
    if r_total > MAX_RESAMPLES {
        return Err(Error::invalid("resamples", r_total, format!("at most {MAX_RESAMPLES} (the replicates are kept in memory)")));
    }
    let threads = effective_threads(opts.threads, r_total);

    // Statistic on the full data.
    let identity: Vec<Vec<usize>> = group_sizes.iter().map(|&n| (0..n).collect()).collect();
    let t0 = {
        let views: Vec<&[usize]> = identity.iter().map(|v| v.as_slice()).collect();
        statistic(&views)
    };
    if !t0.is_finite() {
        return Err(Error::undefined(
            Measure::Bootstrap,
            Method::Percentile,
            format!("the statistic '{measure_label}' on the full data is {t0}"),
        ));
    }

    // Replicates: resample b from Rng::new(seed, b), groups in order.
    let mut replicates = vec![0.0; r_total];
    parallel_fill(&mut replicates, threads, |start, out| {
        let mut bufs: Vec<Vec<usize>> = group_sizes.iter().map(|&n| vec![0; n]).collect();
        for (j, slot) in out.iter_mut().enumerate() {
            let mut rng = Rng::new(opts.seed, (start + j) as u64);
            for (buf, &n) in bufs.iter_mut().zip(group_sizes) {
                for x in buf.iter_mut() {
                    *x = rng.below(n as u64) as usize;
                }
            }
            let views: Vec<&[usize]> = bufs.iter().map(|v| v.as_slice()).collect();
            *slot = statistic(&views);
        }
    });

    // Jackknife influence values, group by group (boot:::usual.jack with strata).
    let offsets: Vec<usize> = group_sizes
        .iter()
        .scan(0usize, |acc, &n| {
            let o = *acc;
            *acc += n;
            Some(o)
        })
        .collect();
    let n_obs = n_total as usize;
    let mut jackknife = vec![0.0; n_obs];
    let jack_threads = effective_threads(opts.threads, n_obs);
    parallel_fill(&mut jackknife, jack_threads, |start, out| {
        for (j, slot) in out.iter_mut().enumerate() {
            let p = start + j;
            let g = offsets.partition_point(|&o| o <= p) - 1;
            let i = p - offsets[g];
            let n_g = group_sizes[g];
            if n_g == 1 {
                *slot = 0.0;
                continue;
            }
            let loo: Vec<usize> = (0..n_g).filter(|&k| k != i).collect();
            let views: Vec<&[usize]> =
                identity.iter().enumerate().map(|(h, v)| if h == g { loo.as_slice() } else { v.as_slice() }).collect();
            *slot = (n_g - 1) as f64 * (t0 - statistic(&views));
        }
    });

    // Finite replicates, sorted.
    let mut sorted: Vec<f64> = replicates.iter().copied().filter(|t| t.is_finite()).collect();
    let n_bad = r_total - sorted.len();
    if 2 * n_bad > r_total {
        return Err(Error::undefined(
            Measure::Bootstrap,
            Method::Percentile,
            format!("the statistic '{measure_label}' is not finite on {n_bad} of {r_total} resamples (more than half)"),
        ));
    }
    sorted.sort_unstable_by(|a, b| a.total_cmp(b));
    let r = sorted.len();

    let mut common = vec![format!("resamples = {r_total}, seed = {}; RNG: {RNG_NOTE}", opts.seed)];
    if group_sizes.len() > 1 {
        let sizes: Vec<String> = group_sizes.iter().map(|n| n.to_string()).collect();
        common.push(format!("groups resampled separately (strata), sizes {}", sizes.join(", ")));
    }
    if n_bad > 0 {
        common.push(format!(
            "{n_bad} of {r_total} resamples gave a non-finite statistic and were excluded; intervals use the other {r}"
        ));
    }
    let size_one: Vec<String> =
        group_sizes.iter().enumerate().filter(|(_, &n)| n == 1).map(|(g, _)| (g + 1).to_string()).collect();
    let degenerate = sorted[0] == sorted[r - 1];

    let new_estimate = |method: Method| {
        let mut e = Estimate::new(Measure::Bootstrap, method).with_estimate(t0).with_group(measure_label).with_n(n_total);
        e.notes.extend(common.iter().cloned());
        e
    };

    // Percentile interval.
    let alpha = [(1.0 + (-level)) / 2.0, (1.0 + level) / 2.0];
    let (lo, lo_x) = norm_inter(&sorted, alpha[0]);
    let (hi, hi_x) = norm_inter(&sorted, alpha[1]);
    let mut percentile = new_estimate(Method::Percentile).with_ci(lo, hi, level);
    percentile.notes.push("percentile interval: order statistic (R+1)α, interpolated on the normal-quantile scale as R boot's norm.inter".into());
    if degenerate {
        percentile.notes.push(format!(
            "all {r} replicates equal {}: the bootstrap distribution is degenerate and the interval is that single value (R's boot.ci gives none)",
            sorted[0]
        ));
    } else if lo_x || hi_x {
        percentile.notes.push(extreme_note(r, level));
    }

    // BCa interval.
    let below = sorted.iter().filter(|&&t| t < t0).count();
    let w = qnorm(below as f64 / r as f64);
    let a = if jackknife.iter().all(|l| l.is_finite()) {
        let s3 = neumaier_sum(jackknife.iter().map(|l| l * l * l));
        let s2 = neumaier_sum(jackknife.iter().map(|l| l * l));
        s3 / (6.0 * s2.powf(1.5))
    } else {
        f64::NAN
    };
    let mut bca = new_estimate(Method::Bca);
    if !size_one.is_empty() {
        bca.notes.push(format!(
            "group(s) {} have one observation: their jackknife influence values are set to 0",
            size_one.join(", ")
        ));
    }
    if degenerate {
        bca.notes.push(format!(
            "BCa undefined: all {r} replicates equal {} (degenerate bootstrap distribution), so the bias correction z0 is infinite",
            sorted[0]
        ));
    } else if !w.is_finite() {
        let side = if below == 0 { "no replicate is below" } else { "every replicate is below" };
        bca.notes.push(format!(
            "BCa undefined: {side} the statistic {t0}, so the bias correction z0 = qnorm({below}/{r}) is infinite"
        ));
    } else if !a.is_finite() {
        let n_nonfinite = jackknife.iter().filter(|l| !l.is_finite()).count();
        let why = if n_nonfinite > 0 {
            format!("the statistic is not finite on {n_nonfinite} leave-one-out sample(s)")
        } else {
            "all jackknife influence values are 0".to_string()
        };
        bca.notes.push(format!("BCa undefined: the acceleration cannot be computed ({why})"));
    } else if alpha.iter().any(|&al| {
        let z = qnorm(al);
        !(z.is_finite() && 1.0 - a * (w + z) > 0.0)
    }) {
        // Efron's adjusted level Φ(z0 + (z0 + z)/(1 − a(z0 + z))) is not monotone in z once
        // a(z0 + z) ≥ 1 (large acceleration at a level near 1): the limit would land on the
        // wrong side. boot.ci gives such limits silently; trialstat declines.
        bca.notes.push(format!(
            "BCa undefined at this level: 1 − a(z0 + z) ≤ 0 with acceleration a = {a} and z0 = {w}, so the adjusted level is not monotone; use the percentile interval or a lower level"
        ));
    } else {
        let mut lims = [0.0; 2];
        let mut extreme = false;
        for (lim, &al) in lims.iter_mut().zip(&alpha) {
            let z = qnorm(al);
            let adj = pnorm(w + (w + z) / (1.0 - a * (w + z)));
            let (v, x) = norm_inter(&sorted, adj);
            *lim = v;
            extreme |= x;
        }
        bca = bca.with_ci(lims[0], lims[1], level);
        bca.notes.push(format!(
            "BCa (Efron 1987) as R boot.ci: bias correction z0 = qnorm(#(t* < t0)/R) = {w}, acceleration a = {a} from jackknife influence values"
        ));
        if extreme {
            bca.notes.push(extreme_note(r, level));
        }
    }

    Ok(BootstrapResult {
        statistic: t0,
        replicates,
        percentile,
        bca,
        jackknife,
        acceleration: a,
        bias_correction: w,
    })
}

fn extreme_note(r: usize, level: f64) -> String {
    format!(
        "{r} resamples are too few for level {level}: an endpoint's order statistic (R+1)α lies outside (1, R), so the extreme replicate is used (R boot: \"extreme order statistics used as endpoints\")"
    )
}

/// `boot:::norm.inter` for one α on sorted finite replicates: the endpoint and whether the
/// extreme-order-statistic case (`(R+1)α` outside `(1, R)`) occurred. NaN α gives the extreme case
/// and the smallest replicate (callers never pass one).
fn norm_inter(sorted: &[f64], alpha: f64) -> (f64, bool) {
    let r = sorted.len();
    let rf = r as f64;
    let rk = (rf + 1.0) * alpha;
    let extreme = !(rk > 1.0 && rk < rf);
    let k = rk.trunc();
    if k.is_nan() || k < 1.0 {
        return (sorted[0], true);
    }
    if k >= rf {
        return (sorted[r - 1], extreme);
    }
    let ki = k as usize; // 1 <= ki < r
    if k == rk {
        return (sorted[ki - 1], extreme);
    }
    let temp1 = qnorm(alpha);
    let temp2 = qnorm(k / (rf + 1.0));
    let temp3 = qnorm((k + 1.0) / (rf + 1.0));
    let tk = sorted[ki - 1];
    let tk1 = sorted[ki];
    (tk + (temp1 - temp2) / (temp3 - temp2) * (tk1 - tk), extreme)
}

/// Thread count actually used: `requested` (0 = available parallelism), at most `items` and
/// [`MAX_THREADS`], at least 1.
fn effective_threads(requested: usize, items: usize) -> usize {
    let t = if requested == 0 {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    } else {
        requested
    };
    t.min(items).clamp(1, MAX_THREADS)
}

/// Fill `out` by `f(start, chunk)` over contiguous chunks, one per thread; `start` is the index of
/// the chunk's first element, so each element's value depends only on its index.
fn parallel_fill<F>(out: &mut [f64], threads: usize, f: F)
where
    F: Fn(usize, &mut [f64]) + Sync,
{
    if threads <= 1 || out.len() <= 1 {
        f(0, out);
        return;
    }
    let chunk = out.len().div_ceil(threads);
    std::thread::scope(|s| {
        let f = &f;
        for (c, part) in out.chunks_mut(chunk).enumerate() {
            s.spawn(move || f(c * chunk, part));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_inter_cases() {
        // R = 9: (R+1)·0.5 = 5 is an integer -> 5th order statistic.
        let s: Vec<f64> = (1..=9).map(f64::from).collect();
        assert_eq!(norm_inter(&s, 0.5), (5.0, false));
        // (R+1)·0.05 = 0.5 -> k = 0 -> smallest, extreme.
        assert_eq!(norm_inter(&s, 0.05), (1.0, true));
        // (R+1)·0.95 = 9.5 -> k = 9 = R -> largest, extreme.
        assert_eq!(norm_inter(&s, 0.95), (9.0, true));
        // (R+1)·0.25 = 2.5 -> between 2 and 3 on the normal scale.
        let (v, x) = norm_inter(&s, 0.25);
        let w = (qnorm(0.25) - qnorm(0.2)) / (qnorm(0.3) - qnorm(0.2));
        assert!(!x);
        assert_eq!(v, 2.0 + w * 1.0);
        assert!(v > 2.0 && v < 3.0);
    }

    #[test]
    fn effective_threads_bounds() {
        assert_eq!(effective_threads(8, 3), 3);
        assert_eq!(effective_threads(1000, 10_000), MAX_THREADS);
        assert!(effective_threads(0, 10) >= 1);
        assert_eq!(effective_threads(4, 0), 1);
    }
}
