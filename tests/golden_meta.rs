//! Meta-analysis against R's metafor 3.8-1 (tests/reference/meta.R → meta.json): effect sizes
//! (`escalc`), the common effect and every τ² estimator with z, Knapp–Hartung and ad hoc tests,
//! prediction intervals and Q-profile CIs, on the metadat files (BCG vaccine, P6 acupoint
//! stimulation, magnesium after MI with and without ISIS-4, lidocaine, St John's wort, stroke
//! units) and generated sets (k = 1, k = 2, τ² = 0, zero cells, double-zero studies); and the DL
//! and PM fits against statsmodels (meta.py → meta_py.json) where it is right.
//!
//! Tolerances: closed forms (effect sizes, FE, DL, HE, HS, SJ and everything derived from them)
//! 1e-9 relative. The iterative estimators (REML, ML, EB by Fisher scoring; PM and the Q-profile
//! limits by root finding) are solved to ~1e-12 by trialstat, while metafor stops at |Δτ²| ≤ 1e-5
//! (scoring) or 1.2e-4 (uniroot): their τ², estimate and SE are compared at 1e-9 with metafor run
//! to the same tightness (the "tight" entries; the same scoring path, so the same iteration
//! counts), and every other number of those fits at 1e-9 with trialstat's fit at metafor's
//! default τ² (`meta_fit_given_tau2`): the formulas given τ² are closed forms.

use crate::common::{load, num};
use serde_json::Value;
use trialstat::stats::meta::{count_effect, mean_effect, meta_fit, meta_fit_given_tau2, q_profile, EffectMeasure, MetaOptions, MetaTest, Tau2Method};

fn near(got: f64, want: f64, tol: f64, ctx: &str) {
    let ok = (got - want).abs() <= tol * want.abs().max(1.0) || got == want;
    assert!(ok, "{ctx}: got {got:.17e}, want {want:.17e}");
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn measure(m: &str) -> EffectMeasure {
    match m {
        "RR" => EffectMeasure::Rr,
        "OR" => EffectMeasure::Or,
        "RD" => EffectMeasure::Rd,
        "PETO" => EffectMeasure::PetoOr,
        "MD" => EffectMeasure::Md,
        "SMD" => EffectMeasure::Smd,
        "ROM" => EffectMeasure::Rom,
        _ => EffectMeasure::Generic,
    }
}

/// The studies' (yi, vi), the studies used (not dropped), checked against escalc.
fn effects(case: &Value) -> (Vec<f64>, Vec<f64>) {
    let name = case["name"].as_str().unwrap();
    let d = &case["data"];
    let es = &case["escalc"];
    let m = measure(case["measure"].as_str().unwrap());
    let (mut yi, mut vi) = (Vec::new(), Vec::new());
    match case["input"].as_str().unwrap() {
        "counts" => {
            let drop00 = es["drop00"].as_bool().unwrap_or(false);
            let (a, n1, c, n2) = (floats(&d["ai"]), floats(&d["n1i"]), floats(&d["ci"]), floats(&d["n2i"]));
            for i in 0..a.len() {
                let e = count_effect(m, a[i], n1[i], c[i], n2[i], drop00).unwrap();
                let ctx = format!("{name} study {}", i + 1);
                match e {
                    None => assert!(es["dropped"][i].as_bool().unwrap(), "{ctx}: dropped"),
                    Some(e) => {
                        assert!(!es["dropped"][i].as_bool().unwrap(), "{ctx}: kept");
                        near(e.yi, num(&es["yi"][i]), 1e-12, &format!("{ctx} yi"));
                        near(e.vi, num(&es["vi"][i]), 1e-12, &format!("{ctx} vi"));
                        assert_eq!(e.corrected, es["corrected"][i].as_bool().unwrap(), "{ctx}: corrected");
                        yi.push(e.yi);
                        vi.push(e.vi);
                    }
                }
            }
        }
        "means" => {
            let f = |k: &str| floats(&d[k]);
            let (m1, s1, n1, m2, s2, n2) = (f("m1i"), f("sd1i"), f("n1i"), f("m2i"), f("sd2i"), f("n2i"));
            for i in 0..m1.len() {
                let e = mean_effect(m, m1[i], s1[i], n1[i], m2[i], s2[i], n2[i]).unwrap();
                near(e.yi, num(&es["yi"][i]), 1e-12, &format!("{name} study {} yi", i + 1));
                near(e.vi, num(&es["vi"][i]), 1e-12, &format!("{name} study {} vi", i + 1));
                yi.push(e.yi);
                vi.push(e.vi);
            }
        }
        _ => {
            yi = floats(&d["yi"]);
            vi = floats(&d["vi"]);
        }
    }
    (yi, vi)
}

fn method_of(m: &str) -> Option<Tau2Method> {
    Some(match m {
        "REML" => Tau2Method::Reml,
        "ML" => Tau2Method::Ml,
        "DL" => Tau2Method::Dl,
        "PM" => Tau2Method::Pm,
        "SJ" => Tau2Method::Sj,
        "HE" => Tau2Method::He,
        "EB" => Tau2Method::Eb,
        "HS" => Tau2Method::Hs,
        _ => return None,
    })
}

fn test_of(t: &str) -> MetaTest {
    match t {
        "knha" => MetaTest::Knha,
        "adhoc" => MetaTest::Adhoc,
        _ => MetaTest::Z,
    }
}

#[test]
fn effect_sizes_and_models_match_metafor() {
    let d = load("meta.json");
    let mut fits = 0;
    for case in d["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (yi, vi) = effects(case);
        for f in case["fits"].as_array().unwrap() {
            let m = f["method"].as_str().unwrap();
            let ctx = format!("{name} {m} {}", f["test"].as_str().unwrap());
            assert!(f.get("error").is_none(), "{ctx}: metafor failed: {}", f["error"]);
            let method = method_of(m);
            let got = meta_fit(&yi, &vi, &MetaOptions { method, test: test_of(f["test"].as_str().unwrap()), level: 0.95 }).unwrap();
            assert_eq!(got.k as u64, f["k"].as_u64().unwrap(), "{ctx}: k");
            let iterative = matches!(method, Some(Tau2Method::Reml | Tau2Method::Ml | Tau2Method::Eb | Tau2Method::Pm)) && got.k > 1;
            // Heterogeneity from the within-study weights: closed form for every method.
            near(got.q, num(&f["QE"]), 1e-9, &format!("{ctx} Q"));
            near(got.q_p, num(&f["QEp"]), 1e-9, &format!("{ctx} Q p"));
            near(got.vt, num(&f["vt"]), 1e-9, &format!("{ctx} vt"));
            if iterative && !f["tight"].is_null() {
                let t = &f["tight"];
                near(got.tau2, num(&t["tau2"]), 1e-9, &format!("{ctx} tau2 (tight)"));
                near(got.estimate, num(&t["b"]), 1e-9, &format!("{ctx} estimate (tight)"));
                near(got.se, num(&t["se"]), 1e-9, &format!("{ctx} se (tight)"));
                if let (Some(i), Some(w)) = (got.iterations, t["iter"].as_u64()) {
                    assert_eq!(i as u64, w, "{ctx}: scoring iterations (tight)");
                }
            }
            // Everything given τ²: at metafor's own τ² for the iterative estimators.
            let got = if iterative {
                let opts = MetaOptions { method, test: test_of(f["test"].as_str().unwrap()), level: 0.95 };
                meta_fit_given_tau2(&yi, &vi, &opts, num(&f["tau2"])).unwrap()
            } else {
                got
            };
            let tol = 1e-9;
            for (g, key) in [(got.estimate, "b"), (got.se, "se"), (got.lower, "ci.lb"), (got.upper, "ci.ub"), (got.tau2, "tau2"), (got.i2, "I2"), (got.h2, "H2")] {
                near(g, num(&f[key]), tol, &format!("{ctx} {key}"));
            }
            let p = num(&f["pval"]);
            assert!((got.p_value - p).abs() <= 1e-9 * p || (got.p_value - p).abs() <= 1e-15, "{ctx} p: {} vs {p}", got.p_value);
            match (&f["se.tau2"], got.se_tau2) {
                (Value::Null, None) => {}
                (w, Some(g)) if !w.is_null() => near(g, num(w), tol, &format!("{ctx} se.tau2")),
                (w, g) => panic!("{ctx} se.tau2: got {g:?}, want {w}"),
            }
            if let Some(s2w) = f["s2w"].as_f64() {
                near(got.s2w.unwrap(), s2w, tol, &format!("{ctx} s2w"));
                assert_eq!(got.df, f["dfs"].as_f64(), "{ctx} df");
            }
            let pr = &f["predict"];
            if pr["pi.lb"].is_null() {
                assert!(got.pi_lower.is_none(), "{ctx}: no PI for a common effect");
            } else {
                near(got.pi_lower.unwrap(), num(&pr["pi.lb"]), tol, &format!("{ctx} PI lower"));
                near(got.pi_upper.unwrap(), num(&pr["pi.ub"]), tol, &format!("{ctx} PI upper"));
            }
            fits += 1;
        }
    }
    assert!(fits >= 200, "{fits} fits");
}

#[test]
fn q_profile_limits_match_confint() {
    let d = load("meta.json");
    let mut checked = 0;
    for case in d["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (yi, vi) = effects(case);
        for f in case["fits"].as_array().unwrap().iter().filter(|f| !f["confint"].is_null()) {
            let ctx = format!("{name} {} confint", f["method"].as_str().unwrap());
            let ci = &f["confint"];
            let fit = meta_fit(&yi, &vi, &MetaOptions { method: method_of(f["method"].as_str().unwrap()), test: MetaTest::Z, level: 0.95 }).unwrap();
            if ci.get("error").is_some() {
                assert!(q_profile(&yi, &vi, &fit).is_err(), "{ctx}: metafor refuses ({})", ci["error"]);
                continue;
            }
            let got = q_profile(&yi, &vi, &fit).unwrap();
            assert_eq!(got.empty, ci["ci.null"].as_bool().unwrap(), "{ctx}: empty");
            // metafor caps the upper limit at its search bound (marked ">"): trialstat does not.
            let t = &ci["tight"];
            near(got.tau2.0, num(&t["tau2"]["ci.lb"]), 1e-9, &format!("{ctx} tau2 lower"));
            if ci["ub.sign"] != ">" {
                near(got.tau2.1, num(&t["tau2"]["ci.ub"]), 1e-9, &format!("{ctx} tau2 upper"));
                near(got.i2.1, num(&t["I2"]["ci.ub"]), 1e-9, &format!("{ctx} I2 upper"));
                near(got.h2.1, num(&t["H2"]["ci.ub"]), 1e-9, &format!("{ctx} H2 upper"));
            } else {
                assert!(got.tau2.1 > num(&t["tau2"]["ci.ub"]), "{ctx}: beyond metafor's cap");
            }
            near(got.i2.0, num(&t["I2"]["ci.lb"]), 1e-9, &format!("{ctx} I2 lower"));
            near(got.h2.0, num(&t["H2"]["ci.lb"]), 1e-9, &format!("{ctx} H2 lower"));
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked}");
}

/// The published figure: BCG vaccine trials (Colditz 1994), REML log RR −0.7145, τ² 0.3132.
#[test]
fn bcg_published_values() {
    let d = load("meta.json");
    let case = d["cases"].as_array().unwrap().iter().find(|c| c["name"] == "bcg_rr").unwrap();
    let (yi, vi) = effects(case);
    let fit = meta_fit(&yi, &vi, &MetaOptions { method: Some(Tau2Method::Reml), test: MetaTest::Z, level: 0.95 }).unwrap();
    assert_eq!(format!("{:.4}", fit.estimate), "-0.7145");
    assert_eq!(format!("{:.4}", fit.tau2), "0.3132");
}

/// statsmodels' `combine_effects` (second source) where it is right: the common effect, and DL
/// (with HKSJ) whenever its τ² is not negative (statsmodels does not truncate it at 0: there
/// trialstat reports τ² = 0 and I² = 0, as metafor does); PM to 1e-6 (statsmodels' own root
/// tolerance is on Q, not τ²).
#[test]
fn common_dl_and_pm_match_statsmodels_where_it_is_right() {
    let r = load("meta.json");
    let py = load("meta_py.json");
    let mut compared = 0;
    for case in py["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let rc = r["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
        let (yi, vi) = effects(rc);
        if yi.len() < 2 {
            continue;
        }
        let fit = |m: Option<Tau2Method>, t: MetaTest| meta_fit(&yi, &vi, &MetaOptions { method: m, test: t, level: 0.95 }).unwrap();
        let dl = &case["dl"];
        let fe = fit(None, MetaTest::Z);
        near(fe.estimate, num(&dl["fe"]["b"]), 1e-9, &format!("{name} FE (statsmodels)"));
        near(fe.se, num(&dl["fe"]["se"]), 1e-9, &format!("{name} FE se (statsmodels)"));
        near(fe.q, num(&dl["q"]), 1e-9, &format!("{name} Q (statsmodels)"));
        let d = fit(Some(Tau2Method::Dl), MetaTest::Z);
        if dl["tau2_negative"].as_bool().unwrap() {
            assert_eq!((d.tau2, d.i2), (0.0, 0.0), "{name}: DL τ² truncated at 0 (statsmodels: {})", dl["tau2"]);
        } else {
            near(d.tau2, num(&dl["tau2"]), 1e-9, &format!("{name} DL tau2 (statsmodels)"));
            near(d.estimate, num(&dl["re"]["b"]), 1e-9, &format!("{name} DL (statsmodels)"));
            near(d.upper, num(&dl["re"]["ci_upp"]), 1e-9, &format!("{name} DL upper (statsmodels)"));
            let h = fit(Some(Tau2Method::Dl), MetaTest::Knha);
            near(h.se, num(&dl["re_hksj"]["se"]), 1e-9, &format!("{name} DL HKSJ se (statsmodels)"));
            near(h.lower, num(&dl["re_hksj"]["ci_low"]), 1e-9, &format!("{name} DL HKSJ lower (statsmodels)"));
        }
        let pm = fit(Some(Tau2Method::Pm), MetaTest::Z);
        near(pm.tau2, num(&case["pm"]["tau2"]), 1e-6, &format!("{name} PM tau2 (statsmodels)"));
        compared += 1;
    }
    assert!(compared >= 15, "{compared}");
}

/// Mantel–Haenszel (RR, OR, RD) and Peto pooled estimates with their Q, I², H² against
/// metafor's `rma.mh` and `rma.peto` (closed forms: 1e-9).
#[test]
fn mantel_haenszel_and_peto_match_metafor() {
    use trialstat::stats::meta::{mantel_haenszel, peto};
    let d = load("meta.json");
    let mut checked = 0;
    for case in d["cases"].as_array().unwrap().iter().filter(|c| c["input"] == "counts") {
        let name = case["name"].as_str().unwrap();
        let g = |k: &str| case["data"][k].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect::<Vec<u64>>();
        let (a, n1, c, n2) = (g("ai"), g("n1i"), g("ci"), g("n2i"));
        let tables: Vec<(u64, u64, u64, u64)> = (0..a.len()).map(|i| (a[i], n1[i], c[i], n2[i])).collect();
        let check = |got: &trialstat::stats::meta::TablesFit, w: &Value, what: &str| {
            let ctx = format!("{name} {what}");
            for (g, key) in [(got.estimate, "b"), (got.se, "se"), (got.lower, "ci.lb"), (got.upper, "ci.ub"), (got.q, "QE"), (got.i2, "I2"), (got.h2, "H2")] {
                near(g, num(&w[key]), 1e-9, &format!("{ctx} {key}"));
            }
            let p = num(&w["pval"]);
            assert!((got.p_value - p).abs() <= 1e-9 * p, "{ctx} p: {} vs {p}", got.p_value);
            assert_eq!(got.k_q as u64, w["k.yi"].as_u64().unwrap(), "{ctx} studies in Q");
        };
        if !case["mh"].is_null() {
            let m = measure(case["mh"]["measure"].as_str().unwrap());
            check(&mantel_haenszel(m, &tables, 0.95).unwrap(), &case["mh"], "MH");
            checked += 1;
        }
        if !case["peto"].is_null() {
            check(&peto(&tables, 0.95).unwrap(), &case["peto"], "Peto");
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked}");
}

/// Meta-regression on one moderator (BCG: absolute latitude), leave-one-out and cumulative
/// analyses against metafor run to convergence (tests/reference/meta_reg.R → meta_reg.json):
/// 1e-8 relative (τ² by Fisher scoring on both sides, each to its own stopping rule).
#[test]
fn regression_leave_one_out_and_cumulative_match_metafor() {
    use trialstat::stats::meta::{cumulative, leave_one_out, meta_regression};
    let d = load("meta_reg.json");
    let (yi, vi, ablat) = (floats(&d["yi"]), floats(&d["vi"]), floats(&d["ablat"]));
    let tol = 1e-8;
    for r in d["regression"].as_array().unwrap() {
        let ctx = format!("bcg ~ ablat {} {}", r["method"].as_str().unwrap(), r["test"].as_str().unwrap());
        let opts = MetaOptions { method: method_of(r["method"].as_str().unwrap()), test: test_of(r["test"].as_str().unwrap()), level: 0.95 };
        let got = meta_regression(&yi, &vi, std::slice::from_ref(&ablat), &opts).unwrap();
        for j in 0..2 {
            for (g, key) in [(got.coef[j], "b"), (got.se[j], "se"), (got.statistic[j], "stat"), (got.p_value[j], "pval"), (got.lower[j], "ci.lb"), (got.upper[j], "ci.ub")] {
                near(g, num(&r[key][j]), tol, &format!("{ctx} {key}[{j}]"));
            }
        }
        for (g, key) in [(got.tau2, "tau2"), (got.i2, "I2"), (got.h2, "H2"), (got.qe, "QE"), (got.qe_p, "QEp"), (got.qm, "QM"), (got.qm_p, "QMp")] {
            near(g, num(&r[key]), tol, &format!("{ctx} {key}"));
        }
        // R² is the proportion of τ² explained; a common-effect model has no τ² (metafor 3.8 then
        // reports another statistic under the name R2: not compared, trialstat reports none).
        match (got.r2, r["R2"].is_null()) {
            (None, _) if r["method"] == "FE" => {}
            (None, true) => {}
            (Some(g), false) => near(g, num(&r["R2"]), tol, &format!("{ctx} R2")),
            (g, _) => panic!("{ctx} R2: got {g:?}, want {}", r["R2"]),
        }
        assert_eq!(got.qm_df.1.map(|x| x as f64), r["QMdf"][1].as_f64(), "{ctx}: F or chi-squared");
    }
    let check = |got: &[trialstat::stats::meta::MetaFit], w: &Value, what: &str| {
        for (i, f) in got.iter().enumerate() {
            let ctx = format!("bcg {what} {} step {}", w["method"].as_str().unwrap(), i + 1);
            for (g, key) in [(f.estimate, "estimate"), (f.se, "se"), (f.lower, "ci.lb"), (f.upper, "ci.ub"), (f.q, "Q"), (f.tau2, "tau2"), (f.i2, "I2"), (f.h2, "H2")] {
                let want = &w[key][i];
                if want.is_null() {
                    continue;
                }
                near(g, num(want), tol, &format!("{ctx} {key}"));
            }
        }
    };
    for w in d["leave1out"].as_array().unwrap() {
        let opts = MetaOptions { method: method_of(w["method"].as_str().unwrap()), test: MetaTest::Z, level: 0.95 };
        let got = leave_one_out(&yi, &vi, &opts).unwrap();
        assert_eq!(got.len(), yi.len());
        check(&got, w, "leave-one-out");
    }
    for w in d["cumul"].as_array().unwrap() {
        let opts = MetaOptions { method: method_of(w["method"].as_str().unwrap()), test: MetaTest::Z, level: 0.95 };
        let order: Vec<usize> = floats(&w["order"]).iter().map(|o| *o as usize - 1).collect();
        check(&cumulative(&yi, &vi, &order, &opts).unwrap(), w, "cumulative");
    }
}

/// Invalid inputs are errors naming the study and what would be accepted, never a silent
/// weight: a standard error of 0, no studies, a non-finite estimate, impossible counts, an SD
/// below 0; a CI of τ² needs two studies; too few studies for a meta-regression.
#[test]
fn invalid_inputs_are_errors() {
    use trialstat::stats::meta::meta_regression;
    let opts = MetaOptions { method: Some(Tau2Method::Reml), test: MetaTest::Z, level: 0.95 };
    let e = meta_fit(&[0.1, 0.2], &[0.01, 0.0], &opts).unwrap_err().to_string();
    assert!(e.contains("study 2 variance") && e.contains("standard error of 0"), "{e}");
    assert!(meta_fit(&[], &[], &opts).unwrap_err().to_string().contains("at least one study"));
    assert!(meta_fit(&[f64::NAN], &[0.1], &opts).unwrap_err().to_string().contains("study 1 estimate"));
    let e = count_effect(EffectMeasure::Rr, 12.0, 10.0, 1.0, 10.0, false).unwrap_err().to_string();
    assert!(e.contains("12/10"), "{e}");
    assert!(mean_effect(EffectMeasure::Md, 1.0, -1.0, 10.0, 0.0, 1.0, 10.0).is_err());
    let one = meta_fit(&[0.3], &[0.05], &opts).unwrap();
    assert_eq!((one.k, one.tau2, one.i2), (1, 0.0, 0.0));
    assert!(one.notes[0].contains("One study"), "{:?}", one.notes);
    assert!(q_profile(&[0.3], &[0.05], &one).unwrap_err().to_string().contains("at least two studies"));
    let e = meta_regression(&[0.1, 0.2], &[0.01, 0.02], &[vec![1.0, 2.0]], &opts).unwrap_err().to_string();
    assert!(e.contains("more studies than coefficients"), "{e}");
}
