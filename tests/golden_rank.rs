//! Golden tests for `stats::rank` against R's `wilcox.test` (tests/reference/rank.R →
//! rank.json), exactRankTests' `wilcox.exact` (same file, `exact2`) and SciPy's `wilcoxon` /
//! `mannwhitneyu` (tests/reference/rank.py → rank_py.json), plus edge cases and errors.
//!
//! Tolerances:
//! * statistics, p-values (exact and normal), exact CIs and estimates: 1e-9 relative (closed
//!   forms / order statistics; an absolute floor of 1e-300 only for values that are exactly 0).
//! * normal-approximation CI bounds: R's default `uniroot` stops at tol.root = 1e-4, so we compare
//!   to R's printed bound within 1e-4 absolute (+1e-9 relative), and to R re-run with
//!   `tol.root = 1e-12` (the same function solved tightly) within 2e-12 absolute + 1e-9 relative
//!   (Brent's final bracket is 4ε|x| + tol wide).
//! * normal-approximation estimate: R's estimating equation is zero on the whole interval between
//!   the two middle Walsh averages (pairwise differences) when those differ, and R returns
//!   whichever point uniroot evaluates first. trialstat returns the midpoint (the median): checked
//!   at 1e-9 against the two middle values computed in R, and R's (default and tight) answers are
//!   checked to lie in that root set (within their uniroot tolerance).

use crate::common::{load, num};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;
use trialstat::stats::rank::{hodges_lehmann, mann_whitney, recommended_method, wilcoxon_signed_rank};
use trialstat::stats::{Estimate, Measure, Method};
use trialstat::Error;

fn near(got: f64, want: f64, rel: f64, abs: f64, ctx: &str) {
    assert!(want.is_finite(), "{ctx}: reference is not finite ({want})");
    let err = (got - want).abs();
    assert!(
        err <= rel * want.abs() + abs,
        "{ctx}: got {got:.17e}, want {want:.17e}, |diff| {err:.3e} > {rel:.0e}·|want| + {abs:.0e}"
    );
}

fn rel9(got: f64, want: f64, ctx: &str) {
    near(got, want, 1e-9, 1e-300, ctx);
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(num).collect()
}

fn cases() -> Vec<Value> {
    load("rank.json")["cases"].as_array().expect("cases").clone()
}

fn requested(c: &Value) -> Method {
    match c["method"].as_str().unwrap() {
        "exact" => Method::Exact,
        "normal" => Method::Normal,
        m => panic!("unknown method {m}"),
    }
}

/// Results for every reference case, computed once per test binary (the n = 2000 cases take a
/// noticeable fraction of a second each in a debug build).
fn run(c: &Value) -> trialstat::Result<Estimate> {
    static RESULTS: OnceLock<HashMap<String, trialstat::Result<Estimate>>> = OnceLock::new();
    let all = RESULTS.get_or_init(|| cases().iter().map(|c| (name(c), compute(c))).collect());
    all[&name(c)].clone()
}

fn compute(c: &Value) -> trialstat::Result<Estimate> {
    compute_with(c, requested(c))
}

fn compute_with(c: &Value, method: Method) -> trialstat::Result<Estimate> {
    let level = num(&c["level"]);
    let x = floats(&c["x"]);
    if c["kind"] == "signed" {
        wilcoxon_signed_rank(&x, method, level)
    } else {
        mann_whitney(&x, &floats(&c["y"]), method, level)
    }
}

/// Exact asked for where R's wilcox.test falls back to the normal approximation (ties, zeros):
/// trialstat gives the exact conditional p there (tested against wilcox.exact and coin below),
/// so R's numbers are compared with trialstat's normal method.
fn fell_back(c: &Value) -> bool {
    c["method"] == "exact" && !r_exact(c)
}

/// The result to compare with R's wilcox.test / SciPy: the requested method, or Normal where R
/// fell back.
fn as_r(c: &Value) -> Estimate {
    if fell_back(c) { compute_with(c, Method::Normal).unwrap() } else { run(c).unwrap() }
}

fn name(c: &Value) -> String {
    c["name"].as_str().unwrap().to_string()
}

fn r_exact(c: &Value) -> bool {
    c["r"]["method"].as_str().unwrap().contains("exact")
}

fn has_r_ci(c: &Value) -> bool {
    !c["r"]["ci_lo"].is_null()
}

#[test]
fn statistic_p_and_method_match_r() {
    for c in cases() {
        let n = name(&c);
        let asked = run(&c).unwrap_or_else(|err| panic!("{n}: {err}"));
        let want_method = if r_exact(&c) { Method::Exact } else if fell_back(&c) { Method::ExactConditional } else { Method::Normal };
        assert_eq!(asked.method, want_method, "{n}: method (R: {})", c["r"]["method"]);
        assert_eq!(asked.statistic, as_r(&c).statistic, "{n}");
        let e = as_r(&c);
        rel9(
            e.statistic.unwrap(),
            num(&c["r"]["statistic"]),
            &format!("{n} statistic"),
        );
        rel9(e.p_value.unwrap(), num(&c["r"]["p"]), &format!("{n} p"));
        assert!(e.df.is_none());
        // Exact asked for with ties/zeros: R fell back; trialstat counts the conditional
        // distribution, and says so.
        if fell_back(&c) {
            assert!(asked.notes.iter().any(|s| s.contains("exact permutation distribution given the tied midranks")), "{n}: {:?}", asked.notes);
        }
    }
}

#[test]
fn exact_ci_and_estimate_match_r() {
    let mut count = 0;
    for c in cases().into_iter().filter(r_exact) {
        let n = name(&c);
        let e = run(&c).unwrap();
        let ci = e.ci.unwrap_or_else(|| panic!("{n}: no CI"));
        rel9(ci.lower, num(&c["r"]["ci_lo"]), &format!("{n} ci lower"));
        rel9(ci.upper, num(&c["r"]["ci_hi"]), &format!("{n} ci upper"));
        // R's reported level (lowered when the requested level is not achievable).
        rel9(ci.level, num(&c["r"]["conf_level"]), &format!("{n} conf.level"));
        rel9(e.estimate.unwrap(), num(&c["r"]["estimate"]), &format!("{n} estimate"));
        let warned = c["r"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().to_lowercase().contains("conf.level not achievable"));
        assert_eq!(
            warned,
            e.notes.iter().any(|s| s.contains("not achievable")),
            "{n}: notes {:?}",
            e.notes
        );
        count += 1;
    }
    assert!(count >= 15, "only {count} exact cases");
}

#[test]
fn exact_results_match_exact_rank_tests() {
    for c in cases().into_iter().filter(|c| !c["exact2"].is_null()) {
        let n = name(&c);
        let e = run(&c).unwrap();
        let x2 = &c["exact2"];
        rel9(
            e.statistic.unwrap(),
            num(&x2["statistic"]),
            &format!("{n} exact2 statistic"),
        );
        rel9(e.p_value.unwrap(), num(&x2["p"]), &format!("{n} exact2 p"));
        rel9(
            e.estimate.unwrap(),
            num(&x2["estimate"]),
            &format!("{n} exact2 estimate"),
        );
        let ci = e.ci.unwrap();
        if n == "mw_1_79_exact_explicit" {
            // Here P(U <= 1) = 2/80 = 0.025 equals alpha/2 up to rounding: R's qwilcox accepts it
            // (its 10·ε search fuzz) and gives [-79, -1]; wilcox.exact does not and gives
            // [-78, -2]. trialstat follows R (checked in exact_ci_and_estimate_match_r).
            assert_eq!((ci.lower, ci.upper), (-79.0, -1.0));
            assert_eq!((num(&x2["ci_lo"]), num(&x2["ci_hi"])), (-78.0, -2.0));
            continue;
        }
        rel9(ci.lower, num(&x2["ci_lo"]), &format!("{n} exact2 ci lower"));
        rel9(ci.upper, num(&x2["ci_hi"]), &format!("{n} exact2 ci upper"));
    }
}

#[test]
fn normal_ci_matches_r_default_and_tight_uniroot() {
    let mut count = 0;
    for c in cases().into_iter().filter(|c| !r_exact(c) && has_r_ci(c)) {
        let n = name(&c);
        let e = run(&c).unwrap();
        let ci = e.ci.unwrap_or_else(|| panic!("{n}: no CI"));
        rel9(ci.level, num(&c["r"]["conf_level"]), &format!("{n} conf.level"));
        // R default: uniroot tol.root = 1e-4.
        near(
            ci.lower,
            num(&c["r"]["ci_lo"]),
            1e-9,
            1e-4,
            &format!("{n} ci lower vs R (tol 1e-4)"),
        );
        near(
            ci.upper,
            num(&c["r"]["ci_hi"]),
            1e-9,
            1e-4,
            &format!("{n} ci upper vs R (tol 1e-4)"),
        );
        // R with tol.root = 1e-12: the same equation solved tightly.
        near(
            ci.lower,
            num(&c["r_tight"]["ci_lo"]),
            1e-9,
            2e-12,
            &format!("{n} ci lower vs tight R"),
        );
        near(
            ci.upper,
            num(&c["r_tight"]["ci_hi"]),
            1e-9,
            2e-12,
            &format!("{n} ci upper vs tight R"),
        );
        count += 1;
    }
    assert!(count >= 20, "only {count} normal CI cases");
}

#[test]
fn normal_estimate_is_midpoint_of_r_root_set() {
    for c in cases().into_iter().filter(|c| !r_exact(c) && has_r_ci(c)) {
        let n = name(&c);
        let e = run(&c).unwrap();
        let est = e.estimate.unwrap();
        let (lo, hi) = (num(&c["est_lo"]), num(&c["est_hi"]));
        rel9(est, (lo + hi) / 2.0, &format!("{n} estimate = median"));
        let r = num(&c["r"]["estimate"]);
        let rt = num(&c["r_tight"]["estimate"]);
        assert!(
            r >= lo - 1e-4 && r <= hi + 1e-4,
            "{n}: R's estimate {r} outside root set [{lo}, {hi}]"
        );
        assert!(
            rt >= lo - 2e-12 && rt <= hi + 2e-12,
            "{n}: tight R estimate {rt} outside [{lo}, {hi}]"
        );
        if lo == hi {
            near(est, rt, 1e-9, 2e-12, &format!("{n} estimate vs tight R"));
        } else {
            assert!(
                e.notes.iter().any(|s| s.contains("arbitrary point")),
                "{n}: {:?}",
                e.notes
            );
        }
    }
}

#[test]
fn no_ci_where_r_has_none() {
    let mut seen = Vec::new();
    for c in cases().into_iter().filter(|c| !has_r_ci(c)) {
        let n = name(&c);
        let e = run(&c).unwrap();
        assert!(e.ci.is_none(), "{n}: R gives no CI, we gave {:?}", e.ci);
        assert!(!e.notes.is_empty(), "{n}: a note must say why there is no CI");
        if c["r"]["estimate"].is_null() {
            // R's CI search stopped with an error (all x equal, all y equal): the only difference.
            assert!(!c["r"]["ci_error"].is_null());
            rel9(e.estimate.unwrap(), num(&c["est_lo"]), &format!("{n} estimate"));
        } else {
            // R's midrange estimate when every non-zero difference is equal.
            rel9(e.estimate.unwrap(), num(&c["r"]["estimate"]), &format!("{n} estimate"));
        }
        seen.push(n);
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
}

#[test]
fn p_and_statistic_match_scipy() {
    let py = load("rank_py.json");
    let by_name: HashMap<String, Value> = cases().into_iter().map(|c| (name(&c), c)).collect();
    let mut count = 0;
    for q in py["cases"].as_array().unwrap() {
        let n = q["name"].as_str().unwrap();
        let c = &by_name[n];
        let e = as_r(c);
        rel9(e.p_value.unwrap(), num(&q["p"]), &format!("{n} p vs SciPy"));
        if c["kind"] == "signed" {
            // SciPy's two-sided statistic is min(V+, V-), V- = N - V with N = n(n + 1)/2.
            let nn = e.n.unwrap() as f64;
            let v = e.statistic.unwrap();
            rel9(
                v.min(nn * (nn + 1.0) / 2.0 - v),
                num(&q["statistic_min"]),
                &format!("{n} min(V+, V-)"),
            );
        } else {
            rel9(e.statistic.unwrap(), num(&q["statistic"]), &format!("{n} U vs SciPy"));
        }
        count += 1;
    }
    assert!(count >= 45, "only {count} SciPy cases");
}

#[test]
fn hodges_lehmann_equals_mann_whitney_estimate_and_ci() {
    for c in cases().into_iter().filter(|c| c["kind"] == "ranksum") {
        let n = name(&c);
        let (x, y) = (floats(&c["x"]), floats(&c["y"]));
        let level = num(&c["level"]);
        let mw = mann_whitney(&x, &y, requested(&c), level).unwrap();
        let hl = hodges_lehmann(&x, &y, requested(&c), level).unwrap();
        assert_eq!(mw.measure, Measure::MannWhitney);
        assert_eq!(hl.measure, Measure::HodgesLehmann, "{n}");
        assert_eq!(hl.method, mw.method, "{n}");
        assert_eq!(hl.estimate, mw.estimate, "{n}");
        assert_eq!(hl.ci, mw.ci, "{n}");
        assert_eq!(hl.p_value, mw.p_value, "{n}");
        assert_eq!(hl.statistic, mw.statistic, "{n}");
    }
}

// ---- properties --------------------------------------------------------------------------------

#[test]
fn swapping_groups_mirrors_the_result() {
    for c in cases().into_iter().filter(|c| c["kind"] == "ranksum" && has_r_ci(c)) {
        let n = name(&c);
        let (x, y) = (floats(&c["x"]), floats(&c["y"]));
        let level = num(&c["level"]);
        let a = mann_whitney(&x, &y, requested(&c), level).unwrap();
        let b = mann_whitney(&y, &x, requested(&c), level).unwrap();
        let mn = (x.len() * y.len()) as f64;
        rel9(b.statistic.unwrap(), mn - a.statistic.unwrap(), &format!("{n} W'"));
        rel9(b.p_value.unwrap(), a.p_value.unwrap(), &format!("{n} p'"));
        near(
            b.estimate.unwrap(),
            -a.estimate.unwrap(),
            1e-12,
            1e-12,
            &format!("{n} estimate'"),
        );
        let (ca, cb) = (a.ci.unwrap(), b.ci.unwrap());
        near(cb.lower, -ca.upper, 1e-12, 1e-12, &format!("{n} lower'"));
        near(cb.upper, -ca.lower, 1e-12, 1e-12, &format!("{n} upper'"));
    }
}

#[test]
fn negating_differences_mirrors_the_result() {
    let d = [0.952, -0.147, 1.022, 0.43, 0.62, 0.59, 0.49, -0.08, 0.01, 1.3, -0.4];
    let neg: Vec<f64> = d.iter().map(|v| -v).collect();
    for m in [Method::Exact, Method::Normal] {
        let a = wilcoxon_signed_rank(&d, m, 0.95).unwrap();
        let b = wilcoxon_signed_rank(&neg, m, 0.95).unwrap();
        assert_eq!(a.statistic.unwrap() + b.statistic.unwrap(), 66.0); // N = 11·12/2
        assert_eq!(a.p_value, b.p_value);
        assert_eq!(a.estimate.unwrap(), -b.estimate.unwrap());
        let (ca, cb) = (a.ci.unwrap(), b.ci.unwrap());
        assert_eq!((ca.lower, ca.upper), (-cb.upper, -cb.lower));
    }
}

#[test]
fn exact_p_for_extreme_statistic_is_two_over_two_to_the_n() {
    let d: Vec<f64> = (1..=10).map(|i| i as f64 * 0.5).collect();
    let e = wilcoxon_signed_rank(&d, Method::Exact, 0.95).unwrap();
    assert_eq!(e.statistic, Some(55.0));
    rel9(e.p_value.unwrap(), 2.0 / 1024.0, "P(V = 55) doubled");
    // All x below all y (5 and 4): p = 2 / C(9, 4) = 2/126.
    let m = mann_whitney(&[1.0, 2.0, 3.0, 4.0, 5.0], &[6.0, 7.0, 8.0, 9.0], Method::Exact, 0.95).unwrap();
    assert_eq!(m.statistic, Some(0.0));
    rel9(m.p_value.unwrap(), 2.0 / 126.0, "2 / choose(9, 4)");
    assert_eq!(m.estimate, Some(-4.5)); // 10th and 11th of the 20 differences x - y: -5 and -4
}

// ---- edge cases and errors ---------------------------------------------------------------------

#[test]
fn all_zero_differences_are_undefined() {
    for m in [Method::Exact, Method::Normal] {
        match wilcoxon_signed_rank(&[0.0, 0.0, -0.0], m, 0.95) {
            Err(Error::Undefined { measure, reason, .. }) => {
                assert_eq!(measure, Measure::WilcoxonSignedRank);
                assert!(reason.contains("all differences are zero"), "{reason}");
            }
            other => panic!("expected Undefined, got {other:?}"),
        }
    }
}

#[test]
fn zeros_are_dropped_and_counted() {
    let e = wilcoxon_signed_rank(&[0.0, 1.2, -0.4, 2.2, 0.0, 3.1, 0.7, -1.5, 2.8], Method::Normal, 0.95).unwrap();
    assert_eq!(e.n, Some(7));
    assert_eq!(e.statistic, Some(23.0));
    assert!(
        e.notes.iter().any(|s| s.starts_with("2 zero difference(s) dropped")),
        "{:?}",
        e.notes
    );
}

#[test]
fn exact_with_ties_is_the_conditional_exact_test() {
    // x = {1, 2, 2}, y = {3, 4}: midranks 1, 2.5, 2.5 | 4, 5 (mean x rank sum 9). The x rank
    // sum 6 is 3 below the mean; of the C(5, 2) = 10 equally likely splits only this one is as
    // far (the largest x sum, 11.5, is 2.5 above): p = 1/10, as wilcox.exact prints.
    let e = mann_whitney(&[1.0, 2.0, 2.0], &[3.0, 4.0], Method::Exact, 0.95).unwrap();
    assert_eq!(e.method, Method::ExactConditional);
    assert!((e.p_value.unwrap() - 0.1).abs() < 1e-15, "{:?}", e.p_value);
    assert!(e.notes.iter().any(|s| s.contains("tied observations")));
    // |d| = 1, 1, 2, 3 → midranks 1.5, 1.5, 3, 4 (sum 10, mean V 5); V = 1.5 + 3 + 4 = 8.5.
    // Of the 16 sign patterns, V ≥ 8.5 three times (8.5, 8.5, 10) and V ≤ 1.5 three times
    // (0, 1.5, 1.5): p = 6/16, as wilcox.exact prints.
    let e = wilcoxon_signed_rank(&[1.0, -1.0, 2.0, 3.0], Method::Exact, 0.95).unwrap();
    assert_eq!(e.method, Method::ExactConditional);
    assert!((e.p_value.unwrap() - 0.375).abs() < 1e-15, "{:?}", e.p_value);
    assert!(e.notes.iter().any(|s| s.contains("tied |differences|")));
}

#[test]
fn every_observation_equal_is_undefined_for_rank_sum() {
    let r = mann_whitney(&[1.0, 1.0], &[1.0, 1.0, 1.0], Method::Normal, 0.95);
    assert!(
        matches!(
            r,
            Err(Error::Undefined {
                measure: Measure::MannWhitney,
                ..
            })
        ),
        "{r:?}"
    );
    let r = hodges_lehmann(&[4.0], &[4.0], Method::Exact, 0.95);
    assert!(
        matches!(
            r,
            Err(Error::Undefined {
                measure: Measure::HodgesLehmann,
                ..
            })
        ),
        "{r:?}"
    );
}

#[test]
fn empty_inputs_are_errors() {
    assert!(matches!(
        wilcoxon_signed_rank(&[], Method::Exact, 0.95),
        Err(Error::InvalidInput { .. })
    ));
    let e = mann_whitney(&[], &[1.0], Method::Exact, 0.95).unwrap_err();
    assert!(e.to_string().starts_with("x = []"), "{e}");
    let e = mann_whitney(&[1.0], &[], Method::Normal, 0.95).unwrap_err();
    assert!(e.to_string().starts_with("y = []"), "{e}");
}

#[test]
fn non_finite_values_are_errors_naming_the_position() {
    let e = wilcoxon_signed_rank(&[1.0, 2.0, f64::NAN], Method::Exact, 0.95).unwrap_err();
    assert!(e.to_string().starts_with("difference #3 = NaN"), "{e}");
    let e = mann_whitney(&[1.0, 2.0], &[3.0, f64::INFINITY], Method::Normal, 0.95).unwrap_err();
    assert!(e.to_string().starts_with("y value #2 = inf"), "{e}");
    let e = hodges_lehmann(&[f64::NEG_INFINITY], &[3.0], Method::Normal, 0.95).unwrap_err();
    assert!(e.to_string().starts_with("x value #1 = -inf"), "{e}");
}

#[test]
fn bad_level_and_method_are_errors() {
    for level in [0.0, 1.0, -0.5, f64::NAN] {
        assert!(matches!(
            wilcoxon_signed_rank(&[1.0, 2.0], Method::Exact, level),
            Err(Error::InvalidInput { .. })
        ));
        assert!(matches!(
            mann_whitney(&[1.0], &[2.0], Method::Exact, level),
            Err(Error::InvalidInput { .. })
        ));
    }
    let e = mann_whitney(&[1.0], &[2.0], Method::Wilson, 0.95).unwrap_err();
    assert!(matches!(
        e,
        Error::MethodNotApplicable {
            method: Method::Wilson,
            ..
        }
    ));
    assert!(e.to_string().contains("exact, normal"), "{e}");
    assert!(matches!(
        wilcoxon_signed_rank(&[1.0], Method::Welch, 0.95),
        Err(Error::MethodNotApplicable {
            measure: Measure::WilcoxonSignedRank,
            ..
        })
    ));
}

#[test]
fn exact_size_limits_are_errors_not_hangs() {
    let d: Vec<f64> = (1..=1001).map(|i| i as f64).collect();
    let e = wilcoxon_signed_rank(&d, Method::Exact, 0.95).unwrap_err();
    assert!(e.to_string().contains("at most 1000"), "{e}");
    let x: Vec<f64> = (0..101).map(|i| i as f64 + 0.5).collect();
    let y: Vec<f64> = (0..100).map(|i| i as f64 * 1.01 + 0.001).collect();
    let e = mann_whitney(&x, &y, Method::Exact, 0.95).unwrap_err();
    assert!(e.to_string().contains("at most 10000"), "{e}");
    // The same data on the normal path are fine.
    assert_eq!(
        mann_whitney(&x, &y, Method::Normal, 0.95).unwrap().method,
        Method::Normal
    );
}

#[test]
fn single_observations() {
    // One difference, exact: R's CI [3, 3] at level 0 and p = 1.
    let e = wilcoxon_signed_rank(&[3.0], Method::Exact, 0.95).unwrap();
    assert_eq!(
        (e.statistic, e.p_value, e.estimate, e.n),
        (Some(1.0), Some(1.0), Some(3.0), Some(1))
    );
    let ci = e.ci.unwrap();
    assert_eq!((ci.lower, ci.upper, ci.level), (3.0, 3.0, 0.0));
    // One observation per group, exact: R's CI [-1, -1] at level 0.
    let e = mann_whitney(&[1.0], &[2.0], Method::Exact, 0.95).unwrap();
    let ci = e.ci.unwrap();
    assert_eq!((ci.lower, ci.upper, ci.level, e.p_value), (-1.0, -1.0, 0.0, Some(1.0)));
    // Normal, one observation per group: the only difference, no CI (R errors).
    let e = mann_whitney(&[1.0], &[2.0], Method::Normal, 0.95).unwrap();
    assert_eq!((e.estimate, e.ci, e.p_value), (Some(-1.0), None, Some(1.0)));
}

#[test]
fn recommended_method_follows_r() {
    assert_eq!(recommended_method(49, 49, false), Method::Exact);
    assert_eq!(recommended_method(50, 10, false), Method::Normal);
    assert_eq!(recommended_method(10, 50, false), Method::Normal);
    assert_eq!(recommended_method(10, 12, true), Method::Normal);
    assert_eq!(recommended_method(30, 0, false), Method::Exact);
    assert_eq!(recommended_method(30, 0, true), Method::Normal);
}

#[test]
fn results_serialise_without_nan() {
    for c in cases() {
        let e = run(&c).unwrap();
        let j = serde_json::to_string(&e).unwrap();
        assert!(!j.contains(":NaN"), "{j}");
        for v in [e.estimate, e.p_value, e.statistic].into_iter().flatten() {
            assert!(v.is_finite(), "{}: {j}", name(&c));
        }
        if let Some(ci) = e.ci {
            assert!(
                ci.lower <= ci.upper && ci.lower.is_finite() && ci.upper.is_finite(),
                "{}",
                name(&c)
            );
            assert!((0.0..1.0).contains(&ci.level), "{}", name(&c));
        }
    }
}

/// [`Method::NormalUncorrected`]: the normal approximation without the continuity correction,
/// in the test and in the CI's estimating equation, as R's `wilcox.test(correct = FALSE)`
/// (rank.R `uncorrected`, solved with tol.root = 1e-12): statistic and p at 1e-9, the limits as
/// the tight normal cases above, the estimate the midpoint of the root set R's estimate lies in.
#[test]
fn uncorrected_normal_matches_r_correct_false() {
    let mut count = 0;
    for c in cases().into_iter().filter(|c| c.get("uncorrected").is_some()) {
        let n = name(&c);
        let u = &c["uncorrected"];
        let (level, x) = (num(&c["level"]), floats(&c["x"]));
        let r = if c["kind"] == "signed" {
            wilcoxon_signed_rank(&x, Method::NormalUncorrected, level)
        } else {
            mann_whitney(&x, &floats(&c["y"]), Method::NormalUncorrected, level)
        };
        let e = match r {
            Ok(e) => e,
            Err(err) => {
                // R gives a p-value but the rank statistic has no variance (all equal): both refuse a CI.
                assert!(num(&u["ci_lo"]).is_nan(), "{n}: {err}");
                continue;
            }
        };
        assert_eq!(e.method, Method::NormalUncorrected, "{n}");
        rel9(e.statistic.unwrap(), num(&u["statistic"]), &format!("{n} statistic"));
        rel9(e.p_value.unwrap(), num(&u["p"]), &format!("{n} p"));
        let (lo, hi) = (num(&u["ci_lo"]), num(&u["ci_hi"]));
        if lo.is_finite() && hi.is_finite() {
            let ci = e.ci.unwrap_or_else(|| panic!("{n}: no CI"));
            rel9(ci.level, num(&u["conf_level"]), &format!("{n} conf.level"));
            near(ci.lower, lo, 1e-9, 2e-12, &format!("{n} lower"));
            near(ci.upper, hi, 1e-9, 2e-12, &format!("{n} upper"));
            // The estimate: the midpoint of the root set (the two middle order statistics, as
            // without the correction); R's uniroot lands somewhere in it.
            let (elo, ehi) = (num(&c["est_lo"]), num(&c["est_hi"]));
            rel9(e.estimate.unwrap(), (elo + ehi) / 2.0, &format!("{n} estimate"));
            let r = num(&u["estimate"]);
            assert!(r >= elo - 2e-12 && r <= ehi + 2e-12, "{n}: R's estimate {r} outside [{elo}, {ehi}]");
            count += 1;
        }
    }
    assert!(count >= 15, "only {count} uncorrected cases with a CI");
}

/// Exact with ties (and zeros): the p of the permutation distribution given the tied midranks,
/// against exactRankTests' `wilcox.exact` and coin (tests/reference/rank_ties.R →
/// rank_ties.json; the two agree to 2e-16), 1e-9 relative; the statistic is R's V or W; the CI
/// and estimate are the normal approximation's (the packages' exact CIs with ties differ from
/// each other, so neither is taken as the reference).
#[test]
fn exact_p_with_ties_matches_wilcox_exact_and_coin() {
    let d = load("rank_ties.json");
    let cases = d["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 16);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let x = floats(&c["x"]);
        let (got, normal) = if c["kind"] == "signed" {
            (wilcoxon_signed_rank(&x, Method::Exact, 0.95).unwrap(), wilcoxon_signed_rank(&x, Method::Normal, 0.95).unwrap())
        } else {
            let y = floats(&c["y"]);
            (mann_whitney(&x, &y, Method::Exact, 0.95).unwrap(), mann_whitney(&x, &y, Method::Normal, 0.95).unwrap())
        };
        assert_eq!(got.method, Method::ExactConditional, "{name}");
        rel9(got.p_value.unwrap(), num(&c["exactRankTests"]["p"]), &format!("{name}: p vs wilcox.exact"));
        rel9(got.p_value.unwrap(), num(&c["coin"]["p"]), &format!("{name}: p vs coin"));
        let stat = if c["kind"] == "signed" { num(&c["V"]) } else { num(&c["W"]) };
        assert_eq!(got.statistic, Some(stat), "{name}");
        assert_eq!((got.ci, got.estimate), (normal.ci, normal.estimate), "{name}");
        assert!(got.notes.iter().any(|n| n.contains("exact permutation distribution given the tied midranks")), "{name}: {:?}", got.notes);
    }
    // Asked for by name, exact-conditional is the same request.
    let x = floats(&cases[0]["x"]);
    assert_eq!(wilcoxon_signed_rank(&x, Method::ExactConditional, 0.95).unwrap(), wilcoxon_signed_rank(&x, Method::Exact, 0.95).unwrap());
    // Beyond the counting limit: the normal approximation, with a note saying why.
    let big: Vec<f64> = (0..3000).map(|i| f64::from(i % 7) - 2.0).collect();
    let r = wilcoxon_signed_rank(&big, Method::Exact, 0.95).unwrap();
    assert_eq!(r.method, Method::Normal);
    assert!(r.notes.iter().any(|n| n.contains("too large to count here")), "{:?}", r.notes);
}
