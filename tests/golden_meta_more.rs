//! Meta-analysis, second part, against R's metafor 3.8-1 (tests/reference/meta_more.R →
//! meta_more.json): Egger's regression test (`regtest`, models "rma" and "lm"), trim and fill
//! (`trimfill`, L0), subgroup analyses with the tests for subgroup differences, leave-one-out and
//! cumulative analyses of the BCG, P6-acupoint and stroke-unit sets, and the REML fit with
//! Q-profile CIs of 1,000 generated studies.
//!
//! Tolerances: closed forms (FE, DL, the classical Egger regression) 1e-9 relative; REML
//! against metafor run to convergence ("REML_tight") 1e-8 (trialstat stops Fisher scoring at
//! |Δτ²| ≤ 1e-10 max(1, τ²), metafor's tight control at the same threshold: the fits agree to
//! ~1e-10, and quantities derived from τ² through a regression on k ≤ 16 studies to ~1e-9).

use crate::common::{load, num};
use serde_json::Value;
use trialstat::stats::meta::{cumulative, egger_test, EggerModel, leave_one_out, meta_fit, q_profile, subgroup_difference, trim_and_fill, FunnelSide, MetaOptions, MetaTest, Tau2Method};

fn near(got: f64, want: f64, tol: f64, ctx: &str) {
    let ok = (got - want).abs() <= tol * want.abs().max(1.0) || got == want;
    assert!(ok, "{ctx}: got {got:.17e}, want {want:.17e}");
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

/// (method, tolerance) of a metafor label.
fn label(l: &str) -> (Option<Tau2Method>, f64) {
    match l {
        "FE" => (None, 1e-9),
        "DL" => (Some(Tau2Method::Dl), 1e-9),
        "REML_tight" => (Some(Tau2Method::Reml), 1e-8),
        other => panic!("label {other}"),
    }
}

fn cases() -> Vec<Value> {
    load("meta_more.json")["cases"].as_array().unwrap().clone()
}

fn opts(method: Option<Tau2Method>) -> MetaOptions {
    MetaOptions { method, test: MetaTest::Z, level: 0.95 }
}

#[test]
fn egger_regression_tests_match_regtest() {
    for case in cases().iter().take(3) {
        let name = case["name"].as_str().unwrap();
        let (yi, vi) = (floats(&case["yi"]), floats(&case["vi"]));
        for l in ["FE", "DL", "REML_tight"] {
            let (method, tol) = label(l);
            let w = &case["results"]["regtest"][l]["rma"];
            let got = egger_test(&yi, &vi, EggerModel::MetaRegression(method), 0.95).unwrap();
            let ctx = format!("{name} regtest rma {l}");
            for (g, key) in [(got.statistic, "zval"), (got.p_value, "pval"), (got.limit, "est"), (got.limit_lower, "ci.lb"), (got.limit_upper, "ci.ub")] {
                near(g, num(&w[key]), tol, &format!("{ctx} {key}"));
            }
            near(got.slope, num(&w["b"][1]), tol, &format!("{ctx} slope"));
            near(got.slope_se, num(&w["se"][1]), tol, &format!("{ctx} slope se"));
            near(got.tau2, num(&w["tau2"]), tol, &format!("{ctx} tau2"));
            assert_eq!(got.df, None, "{ctx}: z test");
        }
        // The classical test (lm): independent of the fit's τ² estimator.
        let w = &case["results"]["regtest"]["REML"]["lm"];
        let got = trialstat::stats::meta::meta_regression(&yi, &vi, &[vi.iter().map(|v| v.sqrt()).collect()], &MetaOptions { method: None, test: MetaTest::Knha, level: 0.95 }).unwrap();
        let classical = egger_classical(&yi, &vi);
        let ctx = format!("{name} regtest lm");
        near(classical.statistic, num(&w["tval"]), 1e-9, &format!("{ctx} t"));
        near(classical.p_value, num(&w["pval"]), 1e-9, &format!("{ctx} p"));
        near(classical.limit, num(&w["est"]), 1e-9, &format!("{ctx} est"));
        near(classical.limit_lower, num(&w["ci.lb"]), 1e-9, &format!("{ctx} ci.lb"));
        near(classical.limit_upper, num(&w["ci.ub"]), 1e-9, &format!("{ctx} ci.ub"));
        near(classical.slope_se, num(&w["se"][1]), 1e-9, &format!("{ctx} se"));
        assert_eq!(classical.df, Some(num(&w["dfs"])), "{ctx} df");
        near(got.coef[1], classical.slope, 1e-12, &format!("{ctx} same slope"));
    }
}

/// Egger's classical test: `egger_test` with the weighted model (the weighted regression with a
/// multiplicative dispersion, t on k − 2 df).
fn egger_classical(yi: &[f64], vi: &[f64]) -> trialstat::stats::meta::EggerTest {
    egger_test(yi, vi, EggerModel::Weighted, 0.95).unwrap()
}

#[test]
fn trim_and_fill_matches_trimfill() {
    for case in cases().iter().take(3) {
        let name = case["name"].as_str().unwrap();
        let (yi, vi) = (floats(&case["yi"]), floats(&case["vi"]));
        for l in ["FE", "DL", "REML_tight"] {
            let (method, tol) = label(l);
            let w = &case["results"]["trimfill"][l];
            let ctx = format!("{name} trimfill {l}");
            let got = trim_and_fill(&yi, &vi, &opts(method)).unwrap();
            let side = if got.side == FunnelSide::Left { "left" } else { "right" };
            assert_eq!(side, w["side"].as_str().unwrap(), "{ctx} side");
            assert_eq!(got.k0 as f64, num(&w["k0"]), "{ctx} k0");
            assert_eq!(got.iterations as f64, num(&w["iterations"]), "{ctx} iterations");
            near(got.se_k0, num(&w["se.k0"]), tol, &format!("{ctx} se.k0"));
            let mirrored: Vec<usize> = floats(&w["filled"]["mirrored_study"]).iter().map(|x| *x as usize - 1).collect();
            assert_eq!(got.mirrors, mirrored, "{ctx} mirrored studies");
            for (g, want) in got.filled_yi.iter().zip(floats(&w["filled"]["yi"])) {
                near(*g, want, tol, &format!("{ctx} filled yi"));
            }
            let f = &w["fit"];
            assert_eq!(got.fit.k as f64, num(&f["k"]), "{ctx} k");
            for (g, key) in [(got.fit.estimate, "b"), (got.fit.se, "se"), (got.fit.lower, "ci.lb"), (got.fit.upper, "ci.ub"), (got.fit.p_value, "pval"), (got.fit.tau2, "tau2"), (got.fit.i2, "I2"), (got.fit.q, "QE")] {
                near(g, num(&f[key]), tol, &format!("{ctx} fit {key}"));
            }
        }
    }
}

#[test]
fn subgroups_and_tests_for_subgroup_differences_match() {
    let case = &cases()[0];
    let (yi, vi) = (floats(&case["yi"]), floats(&case["vi"]));
    let sg = &case["results"]["subgroup"];
    let of: Vec<&str> = sg["level_of_study"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let levels: Vec<&str> = sg["levels"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let mut per_method = std::collections::BTreeMap::new();
    for l in ["FE", "DL", "REML_tight"] {
        let (method, tol) = label(l);
        let mut est = Vec::new();
        let mut se = Vec::new();
        for (j, g) in levels.iter().enumerate() {
            let y: Vec<f64> = (0..yi.len()).filter(|&i| of[i] == *g).map(|i| yi[i]).collect();
            let v: Vec<f64> = (0..yi.len()).filter(|&i| of[i] == *g).map(|i| vi[i]).collect();
            let f = meta_fit(&y, &v, &opts(method)).unwrap();
            let w = &sg["fits"][l][j];
            let ctx = format!("bcg alloc = {g} {l}");
            assert_eq!(w["level"].as_str().unwrap(), *g);
            for (got, key) in [(f.estimate, "b"), (f.se, "se"), (f.lower, "ci.lb"), (f.upper, "ci.ub"), (f.tau2, "tau2"), (f.i2, "I2"), (f.q, "QE"), (f.q_p, "QEp")] {
                near(got, num(&w[key]), tol, &format!("{ctx} {key}"));
            }
            est.push(f.estimate);
            se.push(f.se);
        }
        per_method.insert(l, subgroup_difference(&est, &se).unwrap());
    }
    let fe = &sg["q_between_fe"];
    let (q, df, p) = per_method["FE"];
    near(q, num(&fe["Q_between"]), 1e-9, "Q between (common effect)");
    near(p, num(&fe["pval"]), 1e-9, "p between (common effect)");
    assert_eq!(df as f64, num(&fe["df"]));
    for l in ["DL", "REML_tight"] {
        let (q, df, p) = per_method[l];
        let w = &sg["separate_re_test"][l];
        near(q, num(&w["Q"]), label(l).1, &format!("Q between random-effects estimates {l}"));
        near(p, num(&w["pval"]), label(l).1, &format!("p {l}"));
        assert_eq!(df as f64, num(&w["df"]));
    }
}

#[test]
fn leave_one_out_and_cumulative_of_p6_and_stroke_units_match() {
    for case in cases().iter().skip(1).take(2) {
        let name = case["name"].as_str().unwrap();
        let (yi, vi) = (floats(&case["yi"]), floats(&case["vi"]));
        let order: Vec<usize> = floats(&case["results"]["cumul"]["order"]).iter().map(|o| *o as usize - 1).collect();
        for l in ["DL", "REML_tight"] {
            let (method, tol) = label(l);
            for (what, got) in [("leave1out", leave_one_out(&yi, &vi, &opts(method)).unwrap()), ("cumul", cumulative(&yi, &vi, &order, &opts(method)).unwrap())] {
                let w = &case["results"][what][l];
                for (i, f) in got.iter().enumerate() {
                    let ctx = format!("{name} {what} {l} step {}", i + 1);
                    for (g, key) in [(f.estimate, "estimate"), (f.se, "se"), (f.lower, "ci.lb"), (f.upper, "ci.ub"), (f.q, "Q"), (f.tau2, "tau2"), (f.i2, "I2"), (f.h2, "H2")] {
                        near(g, num(&w[key][i]), tol, &format!("{ctx} {key}"));
                    }
                }
            }
        }
    }
}

#[test]
fn thousand_generated_studies_fit_and_q_profile_match() {
    let case = cases().into_iter().find(|c| c["name"] == "gen_1000").unwrap();
    let (yi, vi) = (floats(&case["yi"]), floats(&case["vi"]));
    assert_eq!(yi.len(), 1000);
    let f = meta_fit(&yi, &vi, &opts(Some(Tau2Method::Reml))).unwrap();
    let w = &case["results"]["fit"]["REML_tight"];
    for (g, key) in [(f.estimate, "b"), (f.se, "se"), (f.tau2, "tau2"), (f.i2, "I2"), (f.q, "QE")] {
        near(g, num(&w[key]), 1e-8, &format!("gen_1000 REML {key}"));
    }
    let qp = q_profile(&yi, &vi, &f).unwrap();
    let t = &case["results"]["confint"]["tight"];
    near(qp.tau2.0, num(&t["tau2"]["ci.lb"]), 1e-8, "gen_1000 tau2 lower");
    near(qp.tau2.1, num(&t["tau2"]["ci.ub"]), 1e-8, "gen_1000 tau2 upper");
    near(qp.i2.0, num(&t["I2"]["ci.lb"]), 1e-8, "gen_1000 I2 lower");
    near(qp.h2.1, num(&t["H2"]["ci.ub"]), 1e-8, "gen_1000 H2 upper");
}
