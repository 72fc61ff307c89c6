//! Golden tests for `stats::rates` (incidence rate ratio and difference) against R's poisson.test
//! and epiR (rates.json) and statsmodels / SciPy (rates_py.json).

use crate::common::{assert_close, assert_rel9, load, num};
use serde_json::Value;
use trialstat::data::PersonTime;
use trialstat::stats::rates::{rate_difference, rate_ratio, MAX_EXACT_EVENTS};
use trialstat::stats::{Measure, Method};
use trialstat::Error;

fn groups(c: &Value) -> (PersonTime, PersonTime) {
    (
        PersonTime::new(c["x1"].as_u64().unwrap(), num(&c["t1"])).unwrap(),
        PersonTime::new(c["x2"].as_u64().unwrap(), num(&c["t2"])).unwrap(),
    )
}

fn ctx(c: &Value, what: &str) -> String {
    format!(
        "{}/{} vs {}/{} level {} ({}): {what}",
        c["x1"], c["t1"], c["x2"], c["t2"], c["level"], c["what"]
    )
}

fn cases(name: &str) -> Vec<Value> {
    load(name)["cases"].as_array().unwrap().clone()
}

/// Compare an optional reference number (null = absent in the reference) with 1e-9 relative.
fn rel9_if_present(got: f64, want: &Value, what: &str) -> bool {
    if want.is_null() {
        return false;
    }
    assert_rel9(got, num(want), what);
    true
}

#[test]
fn exact_matches_r_poisson_test() {
    let cs = cases("rates.json");
    assert!(cs.len() >= 15);
    for c in &cs {
        let (t, k) = groups(c);
        let level = num(&c["level"]);
        let e = rate_ratio(&t, &k, Method::ExactConditional, level).unwrap();
        assert_eq!((e.measure, e.method), (Measure::RateRatio, Method::ExactConditional));
        // Clopper-Pearson limits: R's qbeta is tight; trialstat solves the binomial tail equations
        // on the logit scale to 1e-13. Observed agreement <= 2.4e-14; asserted to 1e-9.
        let ci = e.ci.unwrap();
        assert_rel9(ci.lower, num(&c["exact_lower"]), &ctx(c, "lower vs R"));
        assert_rel9(ci.upper, num(&c["exact_upper"]), &ctx(c, "upper vs R"));
        assert_rel9(e.p_value.unwrap(), num(&c["exact_p"]), &ctx(c, "p vs R"));
        match e.estimate {
            Some(v) => assert_rel9(v, num(&c["exact_estimate"]), &ctx(c, "estimate vs R")),
            None => assert!(num(&c["exact_estimate"]).is_nan(), "{}", ctx(c, "R has an estimate")),
        }
        assert_eq!(e.n, Some(t.events + k.events));
    }
}

#[test]
fn exact_matches_epir_where_epir_works() {
    let mut compared = 0;
    for c in &cases("rates.json") {
        // epiR 2.0.57 computes this interval through F quantiles; at 250,000 events its interval
        // (1.0721-1.0807) is narrower than both the exact (1.0704-1.0824, poisson.test and SciPy)
        // and the Wald interval, so it is not a reference there.
        if c["x1"].as_u64() == Some(250000) {
            continue;
        }
        let (t, k) = groups(c);
        let ci = rate_ratio(&t, &k, Method::ExactConditional, num(&c["level"]))
            .unwrap()
            .ci
            .unwrap();
        if rel9_if_present(ci.lower, &c["epir_irr_lower"], &ctx(c, "lower vs epiR")) {
            rel9_if_present(ci.upper, &c["epir_irr_upper"], &ctx(c, "upper vs epiR"));
            compared += 1;
        }
    }
    assert!(compared >= 10, "{compared}");
}

#[test]
fn exact_matches_scipy_and_statsmodels() {
    for c in &cases("rates_py.json") {
        let (t, k) = groups(c);
        let e = rate_ratio(&t, &k, Method::ExactConditional, num(&c["level"])).unwrap();
        if t.events + k.events == 0 {
            assert!(c.get("exact_p").is_none());
            continue;
        }
        let ci = e.ci.unwrap();
        // SciPy's Clopper-Pearson (Boost beta quantiles) mapped to the rate ratio: observed
        // agreement <= 2e-11 (one event each); 1e-9 asserted.
        assert_rel9(ci.lower, num(&c["scipy_exact_lower"]), &ctx(c, "lower vs SciPy"));
        assert_rel9(ci.upper, num(&c["scipy_exact_upper"]), &ctx(c, "upper vs SciPy"));
        assert_rel9(
            e.p_value.unwrap(),
            num(&c["exact_p"]),
            &ctx(c, "p vs statsmodels exact-cond"),
        );
        assert_rel9(
            e.p_value.unwrap(),
            num(&c["scipy_binomtest_p"]),
            &ctx(c, "p vs SciPy binomtest"),
        );
    }
}

#[test]
fn wald_ratio_matches_statsmodels() {
    let mut zero_cases = 0;
    for c in &cases("rates_py.json") {
        let (t, k) = groups(c);
        let level = num(&c["level"]);
        let e = rate_ratio(&t, &k, Method::Wald, level).unwrap();
        assert_eq!((e.measure, e.method), (Measure::RateRatio, Method::Wald));
        if t.events == 0 || k.events == 0 {
            // statsmodels gives inf/NaN here; trialstat: no CI, no p, a note (no 0.5 correction).
            zero_cases += 1;
            assert_eq!((e.ci, e.p_value, e.statistic), (None, None, None), "{}", ctx(c, "zero"));
            assert!(e.notes.iter().any(|n| n.contains("no 0.5 correction")), "{:?}", e.notes);
            assert!(num(&c["wald_ratio_p"]).is_nan(), "{}", ctx(c, "statsmodels p"));
            continue;
        }
        let ci = e.ci.unwrap();
        assert_rel9(e.estimate.unwrap(), num(&c["wald_ratio_estimate"]), &ctx(c, "IRR"));
        assert_rel9(ci.lower, num(&c["wald_ratio_lower"]), &ctx(c, "Wald lower"));
        assert_rel9(ci.upper, num(&c["wald_ratio_upper"]), &ctx(c, "Wald upper"));
        // z = 0 exactly for equal rates: compare absolutely there.
        assert_close(e.statistic.unwrap(), num(&c["wald_ratio_z"]), 1e-9, &ctx(c, "Wald z"));
        assert_rel9(e.p_value.unwrap(), num(&c["wald_ratio_p"]), &ctx(c, "Wald p"));
    }
    assert_eq!(zero_cases, 4);
}

#[test]
fn wald_difference_matches_statsmodels_and_epir() {
    let r = cases("rates.json");
    let p = cases("rates_py.json");
    for (cr, cp) in r.iter().zip(&p) {
        let (t, k) = groups(cp);
        let level = num(&cp["level"]);
        let e = rate_difference(&t, &k, Method::Wald, level).unwrap();
        assert_eq!((e.measure, e.method), (Measure::RateDifference, Method::Wald));
        let est = e.estimate.unwrap();
        assert_close(est, num(&cp["wald_diff_estimate"]), 1e-9, &ctx(cp, "RD vs statsmodels"));
        assert_close(est, num(&cr["epir_rd_estimate"]), 1e-9, &ctx(cr, "RD vs epiR"));
        if t.events + k.events == 0 {
            // Variance 0: statsmodels prints the CI [0, 0] and p NaN; trialstat: no CI, no p.
            assert_eq!((e.ci, e.p_value), (None, None));
            assert!(num(&cp["wald_diff_p"]).is_nan());
            assert!(!e.notes.is_empty());
            continue;
        }
        let ci = e.ci.unwrap();
        assert_rel9(ci.lower, num(&cp["wald_diff_lower"]), &ctx(cp, "lower vs statsmodels"));
        assert_rel9(ci.upper, num(&cp["wald_diff_upper"]), &ctx(cp, "upper vs statsmodels"));
        assert_rel9(ci.lower, num(&cr["epir_rd_lower"]), &ctx(cr, "lower vs epiR"));
        assert_rel9(ci.upper, num(&cr["epir_rd_upper"]), &ctx(cr, "upper vs epiR"));
        assert_close(e.statistic.unwrap(), num(&cp["wald_diff_z"]), 1e-9, &ctx(cp, "z"));
        assert_rel9(e.p_value.unwrap(), num(&cp["wald_diff_p"]), &ctx(cp, "p"));
    }
}

fn pt(x: u64, t: f64) -> PersonTime {
    PersonTime::new(x, t).unwrap()
}

#[test]
fn three_versus_one_per_25000_as_printed_by_r() {
    // R: rate ratio 3, 95% CI 0.2408802 to 157.4920883, p-value = 0.625.
    let e = rate_ratio(&pt(3, 25000.0), &pt(1, 25000.0), Method::ExactConditional, 0.95).unwrap();
    assert_eq!(e.estimate, Some(3.0));
    let ci = e.ci.unwrap();
    assert_close(ci.lower, 0.2408802, 5e-7, "lower");
    assert_close(ci.upper, 157.4920883, 5e-10, "upper");
    // Equal person-time: x1 ~ Bin(4, 1/2); outcomes no more likely than 3 are 0, 1, 3, 4 -> 10/16.
    assert_close(e.p_value.unwrap(), 0.625, 1e-15, "p = 10/16");
}

#[test]
fn zero_total_events() {
    let e = rate_ratio(&pt(0, 10.0), &pt(0, 20.0), Method::ExactConditional, 0.95).unwrap();
    assert_eq!(e.estimate, None);
    let ci = e.ci.unwrap();
    assert_eq!((ci.lower, ci.upper), (0.0, f64::INFINITY));
    assert_eq!(e.p_value, Some(1.0));
    assert!(e.notes.iter().any(|n| n.contains("no events")));
    let w = rate_ratio(&pt(0, 10.0), &pt(0, 20.0), Method::Wald, 0.95).unwrap();
    assert_eq!((w.estimate, w.ci, w.p_value), (None, None, None));
    let d = rate_difference(&pt(0, 10.0), &pt(0, 20.0), Method::Wald, 0.95).unwrap();
    assert_eq!((d.estimate, d.ci, d.p_value), (Some(0.0), None, None));
}

#[test]
fn single_zero_group() {
    // x1 = 0: estimate 0, exact CI [0, upper]; upper solves P(X <= 0) = (1 - p)^5 = 0.025.
    let e = rate_ratio(&pt(0, 1000.0), &pt(5, 1200.0), Method::ExactConditional, 0.95).unwrap();
    assert_eq!(e.estimate, Some(0.0));
    let ci = e.ci.unwrap();
    assert_eq!(ci.lower, 0.0);
    let p = 1.0 - 0.025f64.powf(1.0 / 5.0);
    assert_close(ci.upper, p / (1.0 - p) * 1200.0 / 1000.0, 1e-12, "closed form upper");
    // Wald: estimate 0 kept, no CI.
    let w = rate_ratio(&pt(0, 1000.0), &pt(5, 1200.0), Method::Wald, 0.95).unwrap();
    assert_eq!((w.estimate, w.ci), (Some(0.0), None));
    // x2 = 0: estimate inf, upper inf; lower solves p^1 = 0.025 for a single event.
    let e = rate_ratio(&pt(1, 500.0), &pt(0, 500.0), Method::ExactConditional, 0.95).unwrap();
    assert_eq!(e.estimate, Some(f64::INFINITY));
    assert_close(e.ci.unwrap().lower, 1.0 / 39.0, 1e-12, "1/39");
    assert_eq!(e.ci.unwrap().upper, f64::INFINITY);
    let w = rate_ratio(&pt(1, 500.0), &pt(0, 500.0), Method::Wald, 0.95).unwrap();
    assert_eq!((w.estimate, w.ci, w.p_value), (Some(f64::INFINITY), None, None));
}

#[test]
fn swapping_groups_inverts_the_ratio() {
    let (a, b) = (pt(41, 28010.0), pt(15, 19017.0));
    let e = rate_ratio(&a, &b, Method::ExactConditional, 0.95).unwrap();
    let s = rate_ratio(&b, &a, Method::ExactConditional, 0.95).unwrap();
    assert_close(e.estimate.unwrap() * s.estimate.unwrap(), 1.0, 1e-14, "estimate");
    assert_close(e.ci.unwrap().lower * s.ci.unwrap().upper, 1.0, 1e-12, "limits");
    assert_close(e.p_value.unwrap(), s.p_value.unwrap(), 1e-14, "p");
    let d = rate_difference(&a, &b, Method::Wald, 0.95).unwrap();
    let ds = rate_difference(&b, &a, Method::Wald, 0.95).unwrap();
    assert_eq!(d.estimate.map(|v| -v), ds.estimate);
}

#[test]
fn methods_and_levels_are_checked() {
    let (a, b) = (pt(3, 10.0), pt(4, 12.0));
    for m in [Method::Wilson, Method::Exact, Method::KatzLog] {
        assert!(
            matches!(rate_ratio(&a, &b, m, 0.95), Err(Error::MethodNotApplicable { .. })),
            "{m}"
        );
    }
    for m in [Method::ExactConditional, Method::Newcombe] {
        assert!(
            matches!(rate_difference(&a, &b, m, 0.95), Err(Error::MethodNotApplicable { .. })),
            "{m}"
        );
    }
    for level in [0.0, 1.0, 1.5, f64::NAN] {
        assert!(matches!(
            rate_ratio(&a, &b, Method::ExactConditional, level),
            Err(Error::InvalidInput { .. })
        ));
        assert!(matches!(
            rate_ratio(&a, &b, Method::Wald, level),
            Err(Error::InvalidInput { .. })
        ));
        assert!(matches!(
            rate_difference(&a, &b, Method::Wald, level),
            Err(Error::InvalidInput { .. })
        ));
    }
}

#[test]
fn exact_event_limit_is_a_clear_error() {
    let big = MAX_EXACT_EVENTS;
    match rate_ratio(&pt(big, 1e12), &pt(1, 1e3), Method::ExactConditional, 0.95) {
        Err(Error::Undefined { measure: Measure::RateRatio, reason, .. }) => {
            assert!(reason.contains(&MAX_EXACT_EVENTS.to_string()), "{reason}")
        }
        other => panic!("expected Undefined, got {other:?}"),
    }
    // The Wald methods have no limit.
    let w = rate_ratio(&pt(big, 1e12), &pt(big, 2e12), Method::Wald, 0.95).unwrap();
    assert_close(w.estimate.unwrap(), 2.0, 1e-15, "IRR");
}

#[test]
fn exact_handles_many_events() {
    // 10^7 events: the tail sums take ~10 sqrt(n p q) terms each; this must stay fast and agree
    // with the Wald interval closely (the two coincide asymptotically).
    let (a, b) = (pt(5_000_000, 1e9), pt(5_100_000, 1e9));
    let e = rate_ratio(&a, &b, Method::ExactConditional, 0.95).unwrap();
    let w = rate_ratio(&a, &b, Method::Wald, 0.95).unwrap();
    let (ce, cw) = (e.ci.unwrap(), w.ci.unwrap());
    assert_close(ce.lower, cw.lower, 1e-6, "lower ~ Wald");
    assert_close(ce.upper, cw.upper, 1e-6, "upper ~ Wald");
    assert!(e.p_value.unwrap() < 1e-100, "{:?}", e.p_value);
}

#[test]
fn extreme_person_time_never_gives_nan() {
    // Person-times at the ends of the f64 range: results may overflow to inf or be 0, but are
    // never NaN; the rate difference refuses rates it cannot represent.
    let pairs = [
        (pt(3, 1e-300), pt(5, 1e300)),
        (pt(3, 1e300), pt(5, 1e-300)),
        (pt(3, 1.7e308), pt(5, 1.7e308)),
    ];
    for (a, b) in pairs {
        for m in [Method::ExactConditional, Method::Wald] {
            let e = rate_ratio(&a, &b, m, 0.95).unwrap();
            let ci = e.ci.unwrap();
            for v in [e.estimate.unwrap(), ci.lower, ci.upper, e.p_value.unwrap()] {
                assert!(!v.is_nan(), "{m}: {e:?}");
            }
            assert!(ci.lower <= ci.upper);
        }
    }
    // T1 + T2 overflows: p0 = T1/(T1 + T2) is computed as 1/(1 + T2/T1) = 1/2; equal times and
    // 3 vs 5 events give the same p as with T = 1.
    let e = rate_ratio(&pt(3, 1.7e308), &pt(5, 1.7e308), Method::ExactConditional, 0.95).unwrap();
    let f = rate_ratio(&pt(3, 1.0), &pt(5, 1.0), Method::ExactConditional, 0.95).unwrap();
    assert_eq!(e.p_value, f.p_value);
    assert_close(e.estimate.unwrap(), 0.6, 1e-15, "IRR");
    assert!(matches!(
        rate_difference(&pt(3, 1e-310), &pt(5, 1.0), Method::Wald, 0.95),
        Err(Error::InvalidInput { .. })
    ));
}
