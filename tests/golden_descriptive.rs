//! Golden tests for `stats::descriptive` against R (`quantile(type = 1..9)`, `summary`, `sd`,
//! `IQR`; tests/reference/descriptive.R) and numpy (`quantile(method = ...)`, `std(ddof = 1)`,
//! `math.fsum` mean; tests/reference/descriptive.py), plus the headache trial's published
//! group summaries and edge cases.
//!
//! Tolerance 1e-12 relative throughout: quantiles are one interpolation of two order statistics
//! and the mean/SD are compensated sums, so the only differences are the last-bit rounding of
//! R's long-double sums and of numpy's interpolation formula.

use crate::common::{assert_close, load, num};
use serde_json::Value;
use trialstat::stats::descriptive::{percent_change, quantile, summarize, summarize_with};
use trialstat::Error;

const TOL: f64 = 1e-12;

fn values(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn sorted_finite(x: &[f64]) -> Vec<f64> {
    let mut s: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    s.sort_by(|a, b| a.total_cmp(b));
    s
}

#[test]
fn quantiles_match_r_all_nine_types() {
    let r = load("descriptive.json");
    let probs = values(&r["probs"]);
    let mut checked = 0;
    for case in r["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = sorted_finite(&values(&case["x"]));
        let Some(qs) = case["quantiles"].as_array() else { continue };
        for q in qs {
            let t = q["type"].as_u64().unwrap() as u8;
            for (p, want) in probs.iter().zip(values(&q["values"])) {
                let got = quantile(&x, *p, t).unwrap();
                assert_close(got, want, TOL, &format!("{name} type {t} p {p}"));
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 14 * 9 * 19, "every non-empty case, type and probability");
}

#[test]
fn quantiles_match_numpy_all_nine_methods() {
    let r = load("descriptive.json");
    let py = load("descriptive_py.json");
    let probs = values(&r["probs"]);
    for (rc, pc) in r["cases"].as_array().unwrap().iter().zip(py["cases"].as_array().unwrap()) {
        assert_eq!(rc["name"], pc["name"]);
        let x = sorted_finite(&values(&rc["x"]));
        let Some(qs) = pc["quantiles"].as_array() else { continue };
        for q in qs {
            let t = q["type"].as_u64().unwrap() as u8;
            let method = q["method"].as_str().unwrap();
            for (p, want) in probs.iter().zip(values(&q["values"])) {
                let got = quantile(&x, *p, t).unwrap();
                assert_close(got, want, TOL, &format!("{} numpy {method} p {p}", rc["name"]));
            }
        }
    }
}

#[test]
fn summaries_match_r_summary_sd_iqr() {
    let r = load("descriptive.json");
    for case in r["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = values(&case["x"]);
        let s7 = summarize(&x).unwrap();
        assert_eq!(s7.quantile_type, 7);
        assert_eq!(s7.n, case["n"].as_u64().unwrap(), "{name} n");
        assert_eq!(s7.n_missing, case["n_missing"].as_u64().unwrap(), "{name} n_missing");
        let Some(sums) = case["summaries"].as_array() else {
            // all missing: every statistic undefined
            assert_eq!(s7.n, 0);
            assert!(s7.mean.is_none() && s7.sd.is_none() && s7.median.is_none() && s7.min.is_none());
            continue;
        };
        assert_close(s7.mean.unwrap(), num(&case["mean"]), TOL, &format!("{name} mean"));
        match case["sd"] {
            Value::Null => assert_eq!(s7.sd, None, "{name}: R's sd is NA for n = 1"),
            ref v => assert_close(s7.sd.unwrap(), num(v), TOL, &format!("{name} sd")),
        }
        for s in sums {
            let t = s["type"].as_u64().unwrap() as u8;
            let got = summarize_with(&x, t).unwrap();
            assert_eq!(got.quantile_type, t);
            let ctx = |f: &str| format!("{name} type {t} {f}");
            assert_close(got.min.unwrap(), num(&s["min"]), TOL, &ctx("min"));
            assert_close(got.q1.unwrap(), num(&s["q1"]), TOL, &ctx("q1"));
            assert_close(got.median.unwrap(), num(&s["median"]), TOL, &ctx("median"));
            assert_close(got.mean.unwrap(), num(&s["mean"]), TOL, &ctx("mean"));
            assert_close(got.q3.unwrap(), num(&s["q3"]), TOL, &ctx("q3"));
            assert_close(got.max.unwrap(), num(&s["max"]), TOL, &ctx("max"));
            assert_close(got.iqr.unwrap(), num(&s["iqr"]), TOL, &ctx("iqr"));
        }
    }
}

#[test]
fn mean_and_sd_match_python() {
    let py = load("descriptive_py.json");
    let r = load("descriptive.json");
    for (rc, pc) in r["cases"].as_array().unwrap().iter().zip(py["cases"].as_array().unwrap()) {
        let name = pc["name"].as_str().unwrap();
        let s = summarize(&values(&rc["x"])).unwrap();
        assert_eq!(s.n, pc["n"].as_u64().unwrap());
        if s.n == 0 {
            continue;
        }
        // math.fsum mean (exactly rounded sum): tighter than the 1e-12 used elsewhere.
        assert_close(s.mean.unwrap(), num(&pc["mean"]), 1e-15, &format!("{name} fsum mean"));
        match pc["sd"] {
            Value::Null => assert_eq!(s.sd, None),
            ref v => assert_close(s.sd.unwrap(), num(v), TOL, &format!("{name} numpy sd")),
        }
    }
}

#[test]
fn percent_change_matches_admiral_convention() {
    let r = load("descriptive.json");
    for c in r["percent_change"].as_array().unwrap() {
        let (b, f) = (num(&c["baseline"]), num(&c["follow_up"]));
        assert_close(percent_change(b, f).unwrap(), num(&c["pchg"]), 1e-15, &format!("pchg({b}, {f})"));
    }
}

/// BMJ 2004;328:744 abstract: "Headache score at 12 months ... was lower in the acupuncture group
/// (16.2, SD 13.7, n = 161, 34% reduction from baseline) than in controls (22.3, SD 17.0,
/// n = 140, 16% reduction from baseline)". The reductions are percent changes of the group means
/// (baseline mean among patients with a 12-month score).
#[test]
fn headache_trial_published_group_summaries() {
    let c = crate::common::headache_columns(&["group", "pk1", "pk5"]);
    let (group, pk1, pk5) = (&c[0], &c[1], &c[2]);
    let published = [(0.0, 22.3, 17.0, 140, 16.0), (1.0, 16.2, 13.7, 161, 34.0)];
    for (g, mean, sd, n, reduction) in published {
        let arm_pk5: Vec<f64> = (0..pk5.len()).filter(|&i| group[i] == g).map(|i| pk5[i]).collect();
        let s = summarize(&arm_pk5).unwrap();
        assert_eq!(s.n, n, "group {g} n");
        assert_eq!(s.n + s.n_missing, if g == 0.0 { 196 } else { 205 }, "randomised");
        assert_eq!((s.mean.unwrap() * 10.0).round() / 10.0, mean, "group {g} mean");
        assert_eq!((s.sd.unwrap() * 10.0).round() / 10.0, sd, "group {g} sd");
        let base: Vec<f64> = (0..pk5.len()).filter(|&i| group[i] == g && !pk5[i].is_nan()).map(|i| pk1[i]).collect();
        let b = summarize(&base).unwrap();
        let pchg = percent_change(b.mean.unwrap(), s.mean.unwrap()).unwrap();
        assert_eq!(pchg.round(), -reduction, "group {g} percent change {pchg}");
    }
}

/// The trialists' `pchange` column is the fractional decrease (pk1 − pk5)/pk1, stored with about
/// 7 significant digits (as are the pk5 scores it came from): percent_change = −100 · pchange to
/// 1e-4 percentage points.
#[test]
fn headache_trial_pchange_column() {
    let c = crate::common::headache_columns(&["pk1", "pk5", "pchange"]);
    let mut n = 0;
    for (i, ((&b, &f), &pchange)) in c[0].iter().zip(&c[1]).zip(&c[2]).enumerate() {
        if f.is_nan() {
            continue;
        }
        let got = percent_change(b, f).unwrap();
        assert!((got + 100.0 * pchange).abs() < 1e-4, "row {}: {got} vs pchange {pchange}", i + 1);
        n += 1;
    }
    assert_eq!(n, 301);
}

#[test]
fn result_does_not_depend_on_order() {
    // Mixed magnitudes (±1e12 beside values of order 1), in three orders.
    let mut x: Vec<f64> = (0..999)
        .map(|i| (i as f64 * 0.7).sin() + [1e12, -1e12, 0.0][i % 3] + 1e-3 * i as f64)
        .collect();
    let a = summarize(&x).unwrap();
    x.reverse();
    let b = summarize(&x).unwrap();
    x.sort_by_key(|p| p.to_bits() % 13);
    let c = summarize(&x).unwrap();
    for s in [&b, &c] {
        assert_close(s.mean.unwrap(), a.mean.unwrap(), 1e-15, "mean order");
        assert_close(s.sd.unwrap(), a.sd.unwrap(), 1e-15, "sd order");
        assert_eq!(s.median, a.median);
    }
}

/// Compensated summation: a naive sum of the sorted values (−1e16, 1, 2, 1e16) loses 1 and 2
/// and gives a mean of 0; the exact mean is 0.75.
#[test]
fn mean_is_compensated() {
    let s = summarize(&[1e16, 1.0, -1e16, 2.0]).unwrap();
    assert_eq!(s.mean, Some(0.75));
    // SD of values with a large common offset: exact sum of squares 2·(0.5² + 1.5²) = 5, /3.
    let s = summarize(&[1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0, 1e9 + 4.0]).unwrap();
    assert_close(s.sd.unwrap(), (5.0f64 / 3.0).sqrt(), 1e-15, "offset sd");
}

#[test]
fn edge_cases() {
    // n = 0
    let s = summarize(&[]).unwrap();
    assert_eq!((s.n, s.n_missing), (0, 0));
    assert!(s.mean.is_none() && s.iqr.is_none() && s.max.is_none());
    let s = summarize(&[f64::NAN; 3]).unwrap();
    assert_eq!((s.n, s.n_missing), (0, 3));
    assert!(s.q1.is_none() && s.q3.is_none() && s.sd.is_none());
    // n = 1: no SD, every quantile is the value
    for t in 1..=9 {
        let s = summarize_with(&[f64::NAN, -2.5], t).unwrap();
        assert_eq!((s.n, s.n_missing), (1, 1));
        assert_eq!(s.sd, None);
        assert_eq!((s.mean, s.median, s.q1, s.q3, s.min, s.max), (Some(-2.5), Some(-2.5), Some(-2.5), Some(-2.5), Some(-2.5), Some(-2.5)));
        assert_eq!(s.iqr, Some(0.0));
    }
    // all equal
    let s = summarize(&[3.3; 5]).unwrap();
    assert_eq!((s.sd, s.iqr, s.median), (Some(0.0), Some(0.0), Some(3.3)));
}

#[test]
fn errors_name_the_problem() {
    match summarize(&[1.0, 2.0, f64::INFINITY]) {
        Err(Error::InvalidInput { what, .. }) => assert_eq!(what, "value #3"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(summarize_with(&[1.0], 0), Err(Error::InvalidInput { .. })));
    assert!(matches!(summarize_with(&[1.0], 10), Err(Error::InvalidInput { .. })));
    assert!(matches!(quantile(&[], 0.5, 7), Err(Error::InvalidInput { .. })));
    assert!(matches!(quantile(&[1.0, 2.0], 1.5, 7), Err(Error::InvalidInput { .. })));
    assert!(matches!(quantile(&[1.0, 2.0], f64::NAN, 7), Err(Error::InvalidInput { .. })));
    match quantile(&[1.0, 3.0, 2.0], 0.5, 7) {
        Err(Error::InvalidInput { what, .. }) => assert_eq!(what, "value #3"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(quantile(&[1.0, f64::NAN], 0.5, 7), Err(Error::InvalidInput { .. })));
    match percent_change(0.0, 5.0) {
        Err(e @ Error::InvalidInput { .. }) => {
            let Error::InvalidInput { ref what, .. } = e else { unreachable!() };
            assert_eq!(what, "baseline");
            assert!(e.to_string().contains("baseline = 0"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(percent_change(f64::NAN, 5.0), Err(Error::InvalidInput { .. })));
    assert!(matches!(percent_change(1.0, f64::INFINITY), Err(Error::InvalidInput { .. })));
}

#[test]
fn summary_serialises_with_nulls() {
    let j = serde_json::to_string(&summarize(&[4.0]).unwrap()).unwrap();
    assert!(j.contains("\"sd\":null") && j.contains("\"median\":4.0") && j.contains("\"quantile_type\":7"), "{j}");
}
