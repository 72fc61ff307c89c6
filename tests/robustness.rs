//! Regression tests for inputs at the edges of f64 found in review: each once panicked, hung,
//! returned NaN or lost digits. Numbers come from R 4.2.2 (the expression is given beside each).

use crate::common::assert_close;
use trialstat::data::{GroupSummary, PersonTime};
use trialstat::stats::bootstrap::{bootstrap, BootstrapOptions, MAX_RESAMPLES};
use trialstat::stats::dist::{pt, qt, z_for_level};
use trialstat::stats::ancova::{ancova, AncovaInput};
use trialstat::stats::{continuous, descriptive, paired, poisson, Method};

#[test]
fn t_distribution_at_huge_df_keeps_its_digits() {
    // print(c(pt(1.959964, 1e9), pt(1.959964, 1e15), qt(0.975, 1e12), qt(0.025, 5e6), pt(-3, 2e7)), digits = 17)
    assert_close(pt(1.959964, 1e9), 0.9750000007649100020, 1e-13, "pt(1.959964, 1e9)");
    assert_close(pt(1.959964, 1e15), 0.9750000009035574289, 1e-13, "pt(1.959964, 1e15)");
    assert_close(qt(0.975, 1e12), 1.9599639845424257079, 1e-12, "qt(0.975, 1e12)");
    assert_close(qt(0.025, 5e6), -1.9599644589944127393, 1e-12, "qt(0.025, 5e6)");
    assert_close(pt(-3.0, 2e7), 0.0013498996935737949, 1e-11, "pt(-3, 2e7)");
    assert!(pt(f64::NAN, 3.0).is_nan() && pt(1.0, f64::NAN).is_nan());
}

#[test]
fn welch_with_sds_near_the_top_of_f64_does_not_overflow() {
    // R's t.test gives NaN on c(1e200, 2e200, 4e200) vs c(3e200, 1e200, 5e200, 2e200) (its
    // variances overflow); Welch's interval is scale-equivariant, so the reference is R on the
    // data divided by 1e200: print(t.test(c(1,2,4), c(3,1,5,2))$conf.int, digits = 17).
    let t = GroupSummary::from_values(&[1e200, 2e200, 4e200]).unwrap();
    let c = GroupSummary::from_values(&[3e200, 1e200, 5e200, 2e200]).unwrap();
    let e = continuous::mean_difference(&t, &c, Method::Welch, 0.95).unwrap();
    let ci = e.ci.unwrap();
    assert_close(ci.lower, -3.6263390664334318 * 1e200, 1e-12, "Welch lower");
    assert_close(ci.upper, 2.7930057331000988 * 1e200, 1e-12, "Welch upper");
    let wide = GroupSummary::new(0.0, 1e300, 10).unwrap();
    assert!(continuous::mean_difference(&wide, &wide, Method::Welch, 0.95).unwrap().ci.unwrap().upper.is_finite());
}

#[test]
fn group_sizes_are_capped_at_2_pow_53() {
    let e = GroupSummary::new(0.0, 1.0, u64::MAX).unwrap_err().to_string();
    assert!(e.contains("2^53"), "{e}");
    let big = GroupSummary::new(1.0, 1.0, 1 << 53).unwrap();
    let r = continuous::mean_difference(&big, &big, Method::Pooled, 0.95).unwrap();
    assert_eq!(r.n, Some(1 << 54));
    let ci = r.ci.unwrap();
    assert!(ci.lower < 0.0 && ci.upper > 0.0 && ci.upper < 1e-6, "{ci:?}");
}

#[test]
fn sums_that_overflow_give_finite_means_not_nan() {
    let s = descriptive::summarize(&[1.7e308, 1.7e308]).unwrap();
    assert_eq!(s.mean, Some(1.7e308));
    assert_eq!(s.sd, Some(0.0));
    let s = descriptive::summarize(&[1e308, 1e308, -1e308]).unwrap();
    assert_close(s.mean.unwrap(), 1e308 / 3.0, 1e-15, "mean");
    // SD of (1, 1, -1) × 1e308 is 2/sqrt(3) × 1e308.
    assert_close(s.sd.unwrap(), 2.0 / 3f64.sqrt() * 1e308, 1e-15, "sd");
    let g = GroupSummary::from_values(&[1.7e308, 1.7e308]).unwrap();
    assert_eq!((g.mean, g.sd), (1.7e308, 0.0));
}

#[test]
fn levels_within_1e16_of_1_keep_their_tail() {
    // (1 − level)/2 ≈ 5.6e-17 (R: qnorm(5e-17) = -8.3048); the old 1 − α/2 rounded to 1 and
    // gave an infinite z.
    let z = z_for_level(0.9999999999999999);
    assert!(z.is_finite() && z > 8.0 && z < 8.5, "{z}");
    let g = GroupSummary::new(1.0, 1.0, 20).unwrap();
    let e = paired::mean_change(&g, 0.9999999999999999).unwrap();
    assert!(e.ci.unwrap().lower.is_finite());
}

#[test]
fn huge_t_still_gives_a_noncentral_t_interval() {
    // mean 1, SD 1e-10, n = 10: t ≈ 3.2e10, far beyond a fixed search range.
    let g = GroupSummary::new(1.0, 1e-10, 10).unwrap();
    let e = paired::d_z(&g, Method::NoncentralT, 0.95).unwrap();
    let ci = e.ci.unwrap();
    assert!(ci.lower < e.estimate.unwrap() && e.estimate.unwrap() < ci.upper, "{ci:?}");
}

#[test]
fn garwood_interval_at_2_pow_53_events_returns_at_once() {
    let r = poisson::incidence_rate(&PersonTime::new(1 << 53, 1e16).unwrap(), 0.95).unwrap();
    let ci = r.ci.unwrap();
    assert!(ci.lower < r.estimate.unwrap() && r.estimate.unwrap() < ci.upper);
}

#[test]
fn bootstrap_resamples_are_bounded_and_bca_declines_a_non_monotone_level() {
    let x = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100.0];
    let mean = |g: &[&[usize]]| g[0].iter().map(|&i| x[i]).sum::<f64>() / g[0].len() as f64;
    let opts = BootstrapOptions { resamples: MAX_RESAMPLES + 1, seed: 1, level: 0.95, threads: 1 };
    let e = bootstrap(&[x.len()], mean, "mean", &opts).err().unwrap().to_string();
    assert!(e.contains("resamples"), "{e}");
    // Jackknife influence values L = (n − 1)(t0 − t₋ᵢ): −10 for each 0 and 90 for the 100, so
    // a = ΣL³ / (6 (ΣL²)^1.5) = 720000 / (6 · 9000^1.5) ≈ 0.1405. At a level this close to 1,
    // 1 − a(z0 + z) < 0 and Efron's adjusted level turns back: BCa has no interval, the
    // percentile interval stands.
    let opts = BootstrapOptions { resamples: 999, seed: 1, level: 1.0 - 1e-13, threads: 1 };
    let r = bootstrap(&[x.len()], mean, "mean", &opts).unwrap();
    assert_close(r.acceleration, 720000.0 / (6.0 * 9000f64.powf(1.5)), 1e-12, "acceleration");
    assert!(r.bca.ci.is_none(), "{:?}", r.bca.ci);
    assert!(r.bca.notes.iter().any(|n| n.contains("not monotone")), "{:?}", r.bca.notes);
    assert!(r.percentile.ci.is_some());
}

#[test]
fn ancova_is_scale_equivariant_at_extreme_magnitudes() {
    let y = [12.0, 15.5, 9.0, 20.0, 14.0, 8.5, 11.0, 17.5, 10.0, 13.0];
    let base = [10.0, 14.0, 9.5, 18.0, 12.0, 9.0, 10.5, 15.0, 11.0, 12.5];
    let treated = [true, true, true, true, true, false, false, false, false, false];
    let fit = |k: f64| {
        let yk: Vec<f64> = y.iter().map(|v| v * k).collect();
        let bk: Vec<f64> = base.iter().map(|v| v * k).collect();
        ancova(&AncovaInput { outcome: &yk, treated: &treated, baseline: &bk, covariates: &[] }, 0.95).unwrap()
    };
    let one = fit(1.0);
    for k in [1e-170, 1e160] {
        let f = fit(k);
        let ctx = format!("scale {k:e}");
        assert_close(f.difference.estimate.unwrap(), one.difference.estimate.unwrap() * k, 1e-12, &ctx);
        assert_close(f.difference.statistic.unwrap(), one.difference.statistic.unwrap(), 1e-12, &ctx);
        assert_close(f.difference.p_value.unwrap(), one.difference.p_value.unwrap(), 1e-10, &ctx);
        assert_close(f.sigma, one.sigma * k, 1e-12, &ctx);
    }
}
