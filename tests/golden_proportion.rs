//! Golden tests for `stats::proportion` against R (`prop.test`, `binom.test`; proportion.json),
//! statsmodels / SciPy / mpmath (proportion_py.json). Scripts: tests/reference/proportion.{R,py}.
use crate::common::{assert_close, assert_rel9, load, num};
use serde_json::Value;
use trialstat::data::BinomialCount;
use trialstat::stats::proportion::proportion;
use trialstat::stats::Method;

fn ci(x: u64, n: u64, m: Method, level: f64) -> (f64, f64) {
    let e = proportion(&BinomialCount::new(x, n).unwrap(), m, level).unwrap();
    assert_eq!(e.estimate, Some(x as f64 / n as f64));
    assert_eq!(e.n, Some(n));
    let c = e.ci.unwrap();
    assert_eq!(c.level, level);
    (c.lower, c.upper)
}

fn case(c: &Value) -> (u64, u64, f64) {
    (c["x"].as_u64().unwrap(), c["n"].as_u64().unwrap(), c["level"].as_f64().unwrap())
}

fn check_pair(got: (f64, f64), want: &Value, tol: f64, ctx: &str) {
    for (g, w, side) in [(got.0, num(&want[0]), "lower"), (got.1, num(&want[1]), "upper")] {
        if g == 0.0 && w.abs() < 1e-16 {
            // A true 0 (e.g. the Wilson lower limit at x = 0) that a float64 textbook formula
            // (statsmodels) returns as rounding noise such as 6.9e-18.
            continue;
        }
        assert_close(g, w, tol, &format!("{ctx} {side}"));
    }
}

#[test]
fn r_prop_test_and_binom_test() {
    let r = load("proportion.json");
    let cases = r["cases"].as_array().unwrap();
    assert!(cases.len() >= 16);
    for c in cases {
        let (x, n, level) = case(c);
        let ctx = format!("{x}/{n} at {level}");
        // Closed forms: 1e-9 relative (the JSON carries 15 significant digits).
        check_pair(ci(x, n, Method::Wilson, level), &c["wilson"], 1e-9, &format!("R wilson {ctx}"));
        check_pair(ci(x, n, Method::WilsonCc, level), &c["wilson_cc"], 1e-9, &format!("R wilson-cc {ctx}"));
        // Clopper–Pearson: Beta quantiles (Brent on the logit scale, ~1e-14 relative), 1e-9.
        check_pair(ci(x, n, Method::ClopperPearson, level), &c["clopper_pearson"], 1e-9, &format!("R binom.test {ctx}"));
    }
}

#[test]
fn r_prop_test_default_null_shrinks_the_continuity_correction_at_half() {
    // R's prop.test(5, 10, correct = TRUE) uses min(0.5, |x − n·0.5|) = 0: its interval is the
    // uncorrected Wilson interval. trialstat (Newcombe method 4) keeps the ½ correction.
    let r = load("proportion.json");
    let c = r["cases"].as_array().unwrap().iter().find(|c| case(c) == (5, 10, 0.95)).unwrap();
    let ours = ci(5, 10, Method::WilsonCc, 0.95);
    let wilson = ci(5, 10, Method::Wilson, 0.95);
    assert_rel9(num(&c["wilson_cc_p05"][0]), wilson.0, "R default-p cc equals Wilson at x = n/2");
    assert!(ours.0 < wilson.0 - 0.01, "method 4 is wider: {ours:?} vs {wilson:?}");
    // Elsewhere R's default call equals method 4.
    let c = r["cases"].as_array().unwrap().iter().find(|c| case(c) == (3, 7, 0.95)).unwrap();
    check_pair(ci(3, 7, Method::WilsonCc, 0.95), &c["wilson_cc_p05"], 1e-9, "R default-p cc 3/7");
}

#[test]
fn statsmodels_scipy_and_mpmath() {
    let p = load("proportion_py.json");
    let cases = p["cases"].as_array().unwrap();
    assert!(cases.len() >= 18);
    for c in cases {
        let (x, n, level) = case(c);
        let ctx = format!("{x}/{n} at {level}");
        let w = ci(x, n, Method::Wilson, level);
        check_pair(w, &c["sm_wilson"], 1e-9, &format!("statsmodels wilson {ctx}"));
        check_pair(w, &c["mp_wilson"], 1e-12, &format!("mpmath wilson {ctx}"));
        let ac = ci(x, n, Method::AgrestiCoull, level);
        check_pair(ac, &c["sm_agresti_coull"], 1e-9, &format!("statsmodels agresti-coull {ctx}"));
        check_pair(ac, &c["mp_agresti_coull"], 1e-12, &format!("mpmath agresti-coull {ctx}"));
        let wald = ci(x, n, Method::Wald, level);
        check_pair(wald, &c["sm_wald"], 1e-9, &format!("statsmodels wald {ctx}"));
        check_pair(wald, &c["mp_wald"], 1e-12, &format!("mpmath wald {ctx}"));
        check_pair(ci(x, n, Method::ClopperPearson, level), &c["sm_clopper_pearson"], 1e-9, &format!("statsmodels beta {ctx}"));
        // Jeffreys: statsmodels gives raw quantiles; trialstat sets the boundary limit to 0 / 1.
        let j = ci(x, n, Method::Jeffreys, level);
        let raw = &c["sm_jeffreys_raw"];
        if x == 0 {
            assert_eq!(j.0, 0.0, "{ctx}");
            assert!(num(&raw[0]) > 0.0, "statsmodels' raw lower limit is positive at x = 0: {ctx}");
        } else {
            assert_close(j.0, num(&raw[0]), 1e-9, &format!("statsmodels jeffreys lower {ctx}"));
        }
        if x == n {
            assert_eq!(j.1, 1.0, "{ctx}");
        } else {
            assert_close(j.1, num(&raw[1]), 1e-9, &format!("statsmodels jeffreys upper {ctx}"));
        }
        if let Some(cc) = c.get("scipy_wilson_cc") {
            check_pair(ci(x, n, Method::WilsonCc, level), cc, 1e-9, &format!("scipy wilsoncc {ctx}"));
        }
    }
}

#[test]
fn boundaries_are_exact_and_wald_degenerate_is_noted() {
    for m in [Method::Wilson, Method::WilsonCc, Method::ClopperPearson, Method::Jeffreys] {
        assert_eq!(ci(0, 17, m, 0.95).0, 0.0, "{m} lower at x = 0");
        assert_eq!(ci(17, 17, m, 0.95).1, 1.0, "{m} upper at x = n");
        let (l, u) = ci(0, 17, m, 0.95);
        assert!(u > 0.05 && u < 0.3 && l == 0.0, "{m}: finite non-degenerate [{l}, {u}]");
    }
    let e = proportion(&BinomialCount::new(17, 17).unwrap(), Method::Wald, 0.95).unwrap();
    assert_eq!((e.ci.unwrap().lower, e.ci.unwrap().upper), (1.0, 1.0));
    assert!(e.notes.iter().any(|s| s.contains("degenerate")));
    let e = proportion(&BinomialCount::new(0, 17).unwrap(), Method::Jeffreys, 0.95).unwrap();
    assert!(e.notes.iter().any(|s| s.contains("Brown, Cai & DasGupta")));
}

#[test]
fn near_2_pow_53_keeps_relative_precision() {
    // 3 / 2^53: the Wilson lower limit (≈ 1.13e-16) is a difference of two numbers ≈ 5e-16 in the
    // textbook form; trialstat's x²/(n(…)) form agrees with 50-digit mpmath to 1e-12 (tested above)
    // and the whole interval stays finite and ordered for every method.
    let n = 1u64 << 53;
    for m in [Method::Wilson, Method::WilsonCc, Method::AgrestiCoull, Method::Wald, Method::ClopperPearson, Method::Jeffreys] {
        for x in [0, 3, n / 2 + 1, n - 1, n] {
            let (l, u) = ci(x, n, m, 0.95);
            assert!(l.is_finite() && u.is_finite() && 0.0 <= l && l <= u && u <= 1.0, "{m} {x}/{n}: [{l}, {u}]");
        }
    }
    // The Beta quantiles at 2^53 against R 4.2.2 (n <- 2^53; qbeta(0.025, 3, n - 2),
    // qbeta(0.975, 4, n - 3), qbeta(0.025, 3.5, n - 2.5), qbeta(0.975, n/2 + 1, n/2); 17 digits).
    let (l, u) = ci(3, n, Method::ClopperPearson, 0.95);
    crate::common::assert_close(l, 6.8686403553242320e-17, 1e-12, "Clopper-Pearson lower at 3/2^53");
    crate::common::assert_close(u, 9.7336284252040052e-16, 1e-12, "Clopper-Pearson upper at 3/2^53");
    let (l, _) = ci(3, n, Method::Jeffreys, 0.95);
    crate::common::assert_close(l, 9.3806583649622480e-17, 1e-12, "Jeffreys lower at 3/2^53");
    let (_, u) = ci(n / 2, n, Method::ClopperPearson, 0.95);
    crate::common::assert_close(u, 5.0000001032578822e-01, 1e-14, "Clopper-Pearson upper at (2^53/2)/2^53");
}
