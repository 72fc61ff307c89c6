//! Kaplan–Meier curves, pointwise CIs, quantiles and landmark survival against R's survival 3.5
//! (`survfit`, `quantile`, `summary(fit, times)`: tests/reference/km.R → km.json) on the PBC
//! trial, the CDISC pilot ADTTE and edge cases (ties, all censored, an event at time 0, one
//! subject, median not reached, flat stretches at p), and the curve against lifelines
//! (tests/reference/km.py → km_py.json). Closed forms: 1e-9 relative; counts and times exact.

use crate::common::{load, num};
use serde_json::Value;
use trialstat::stats::survival::{kaplan_meier, KmCi};

fn near(got: f64, want: f64, ctx: &str) {
    let ok = if want.is_infinite() { got == want } else { (got - want).abs() <= 1e-9 * want.abs().max(1e-300) || got == want };
    assert!(ok, "{ctx}: got {got:.17e}, want {want:.17e}");
}

fn opt(got: Option<f64>, want: &Value, ctx: &str) {
    match (got, want.is_null()) {
        (None, true) => {}
        (Some(g), false) => near(g, num(want), ctx),
        _ => panic!("{ctx}: got {got:?}, want {want}"),
    }
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn inputs(g: &Value) -> (Vec<f64>, Vec<bool>) {
    (floats(&g["time"]), g["event"].as_array().unwrap().iter().map(|e| e.as_f64() == Some(1.0)).collect())
}

const TYPES: [(KmCi, &str); 3] = [(KmCi::Log, "log"), (KmCi::LogLog, "log-log"), (KmCi::Plain, "plain")];

#[test]
fn curves_match_survfit() {
    let d = load("km.json");
    let mut groups = 0;
    for case in d["cases"].as_array().unwrap() {
        for g in case["groups"].as_array().unwrap() {
            let ctx = format!("{} / {}", case["name"].as_str().unwrap(), g["label"]);
            let (time, event) = inputs(g);
            let c = &g["curve"];
            for (ci, name) in TYPES {
                let km = kaplan_meier(&time, &event, ci, 0.95).unwrap();
                assert_eq!(km.steps.len(), c["time"].as_array().unwrap().len(), "{ctx}: number of times");
                assert_eq!(km.n, g["n"].as_u64().unwrap(), "{ctx}");
                assert_eq!(km.events, g["n_events"].as_u64().unwrap(), "{ctx}");
                for (i, s) in km.steps.iter().enumerate() {
                    let at = format!("{ctx} [{name}] t = {}", s.time);
                    assert_eq!(s.time, num(&c["time"][i]), "{at}");
                    assert_eq!((s.n_risk, s.n_event, s.n_censor), (c["n_risk"][i].as_u64().unwrap(), c["n_event"][i].as_u64().unwrap(), c["n_censor"][i].as_u64().unwrap()), "{at}");
                    near(s.surv, num(&c["surv"][i]), &format!("{at} surv"));
                    near(s.std_err, num(&c["std_err"][i]), &format!("{at} std.err"));
                    opt(s.lower, &c["ci"][name]["lower"][i], &format!("{at} lower"));
                    opt(s.upper, &c["ci"][name]["upper"][i], &format!("{at} upper"));
                }
            }
            groups += 1;
        }
    }
    assert!(groups >= 15, "{groups} groups");
}

#[test]
fn quantiles_and_landmarks_match_r() {
    let d = load("km.json");
    for case in d["cases"].as_array().unwrap() {
        for g in case["groups"].as_array().unwrap() {
            let ctx = format!("{} / {}", case["name"].as_str().unwrap(), g["label"]);
            let (time, event) = inputs(g);
            let q = &g["quantiles"];
            let probs = floats(&q["probs"]);
            for (ci, name) in TYPES {
                let km = kaplan_meier(&time, &event, ci, 0.95).unwrap();
                for (k, got) in km.quantiles(&probs).unwrap().iter().enumerate() {
                    let at = format!("{ctx} [{name}] p = {}", probs[k]);
                    opt(got.estimate, &q[name]["quantile"][k], &format!("{at} quantile"));
                    opt(got.lower, &q[name]["lower"][k], &format!("{at} lower"));
                    opt(got.upper, &q[name]["upper"][k], &format!("{at} upper"));
                }
                let s = &g["summary"];
                if s[name].is_null() {
                    continue;
                }
                for (k, t) in floats(&s["times"]).into_iter().enumerate() {
                    let at = format!("{ctx} [{name}] S({t})");
                    let (surv, lo, up) = km.at(t).unwrap_or_else(|| panic!("{at}: none"));
                    near(surv, num(&s[name]["surv"][k]), &at);
                    opt(lo, &s[name]["lower"][k], &format!("{at} lower"));
                    opt(up, &s[name]["upper"][k], &format!("{at} upper"));
                }
            }
        }
    }
}

/// lifelines (a second implementation) gives the same curve at R's times to ~1e-15, and the
/// same log-log limits where both give one.
#[test]
fn curves_match_lifelines() {
    let (r, py) = (load("km.json"), load("km_py.json"));
    for (case, pc) in r["cases"].as_array().unwrap().iter().zip(py["cases"].as_array().unwrap()) {
        assert_eq!(case["name"], pc["name"]);
        for (g, pg) in case["groups"].as_array().unwrap().iter().zip(pc["groups"].as_array().unwrap()) {
            let (time, event) = inputs(g);
            let km = kaplan_meier(&time, &event, KmCi::LogLog, 0.95).unwrap();
            let timeline = floats(&pg["timeline"]);
            for (k, t) in timeline.iter().enumerate() {
                let Some((surv, lo, up)) = km.at(*t) else { continue };
                let ctx = format!("{} / {} t = {t}", case["name"].as_str().unwrap(), g["label"]);
                assert!((surv - num(&pg["surv"][k])).abs() <= 1e-12, "{ctx}: surv {surv} vs {}", pg["surv"][k]);
                // lifelines fills 1 where S = 1 and 0 where S = 0; R (and trialstat) give none.
                if let (Some(lo), Some(up)) = (lo, up) {
                    assert!((lo - num(&pg["lower"][k])).abs() <= 1e-12 && (up - num(&pg["upper"][k])).abs() <= 1e-12, "{ctx}: ({lo}, {up}) vs ({}, {})", pg["lower"][k], pg["upper"][k]);
                }
            }
        }
    }
}

#[test]
fn invalid_inputs_are_errors() {
    assert!(kaplan_meier(&[], &[], KmCi::Log, 0.95).is_err());
    assert!(kaplan_meier(&[1.0], &[true, false], KmCi::Log, 0.95).is_err());
    let e = kaplan_meier(&[1.0, -2.0], &[true, false], KmCi::Log, 0.95).unwrap_err().to_string();
    assert!(e.contains("time #2") && e.contains("-2"), "{e}");
    assert!(kaplan_meier(&[1.0, f64::NAN], &[true, false], KmCi::Log, 0.95).is_err());
    assert!(kaplan_meier(&[1.0], &[true], KmCi::Log, 1.0).is_err());
    let km = kaplan_meier(&[1.0, 2.0], &[true, true], KmCi::Log, 0.95).unwrap();
    assert!(km.quantiles(&[1.5]).is_err());
}

/// The log-rank test and the Peto–Peto (ρ = 1) test, stratified or not, against R's
/// `survdiff` (tests/reference/logrank.R → logrank.json): observed, expected, variance, χ², df
/// and p at 1e-9.
#[test]
fn log_rank_matches_survdiff() {
    use trialstat::stats::survival::log_rank;
    let d = load("logrank.json");
    let mut checked = 0;
    for case in d["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let time = floats(&case["time"]);
        let event: Vec<bool> = case["event"].as_array().unwrap().iter().map(|e| e.as_f64() == Some(1.0)).collect();
        let labels: Vec<&str> = case["group"].as_array().unwrap().iter().map(|g| g.as_str().unwrap()).collect();
        let strata: Option<Vec<usize>> = case["strata"].as_array().map(|s| {
            let mut levels: Vec<&str> = s.iter().map(|x| x.as_str().unwrap()).collect();
            levels.sort_unstable();
            levels.dedup();
            s.iter().map(|x| levels.iter().position(|l| *l == x.as_str().unwrap()).unwrap()).collect()
        });
        for r in case["results"].as_array().unwrap() {
            let groups: Vec<&str> = r["groups"].as_array().unwrap().iter().map(|g| g.as_str().unwrap()).collect();
            let group: Vec<usize> = labels.iter().map(|l| groups.iter().position(|g| g == l).unwrap()).collect();
            let rho = num(&r["rho"]);
            let got = log_rank(&time, &event, &group, groups.len(), strata.as_deref(), rho).unwrap();
            let ctx = format!("{name} rho = {rho}");
            for k in 0..groups.len() {
                assert_eq!(got.n[k], r["n"][k].as_u64().unwrap(), "{ctx}");
                near(got.observed[k], num(&r["obs"][k]), &format!("{ctx} observed {k}"));
                near(got.expected[k], num(&r["exp"][k]), &format!("{ctx} expected {k}"));
                for j in 0..groups.len() {
                    near(got.variance[k][j], num(&r["var"][k][j]), &format!("{ctx} var[{k}][{j}]"));
                }
            }
            near(got.chisq, num(&r["chisq"]), &format!("{ctx} chisq"));
            assert_eq!(got.df as u64, r["df"].as_u64().unwrap(), "{ctx}");
            near(got.p_value.unwrap(), num(&r["p"]), &format!("{ctx} p"));
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
    // A group with no one at risk at any event time has no expected events: nothing to compare,
    // χ² 0 with df 0 and no p (R prints chisq 0 and p = 1 for this degenerate test).
    let r = log_rank(&[5.0, 6.0, 1.0, 2.0], &[true, true, false, false], &[0, 0, 1, 1], 2, None, 0.0).unwrap();
    assert_eq!((r.chisq, r.df, r.p_value), (0.0, 0, None));
    assert_eq!((r.observed.clone(), r.expected.clone()), (vec![2.0, 0.0], vec![2.0, 0.0]));
    // One group is an error; an index beyond the groups is an error.
    assert!(log_rank(&[1.0, 2.0], &[true, true], &[0, 0], 1, None, 0.0).is_err());
    assert!(log_rank(&[1.0, 2.0], &[true, true], &[0, 2], 2, None, 0.0).is_err());
}

/// Restricted mean survival time and its standard error against R's `survmean`
/// (`print(survfit(...), rmean = τ)`: tests/reference/rmst.R → rmst.json), 1e-9: PBC arms at
/// τ = 3000, 4000 and beyond the last time, the CDISC pilot arms at 150 days, τ between event
/// times, at an event time and past a last event.
#[test]
fn rmst_matches_survmean() {
    let d = load("rmst.json");
    let cases = d["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    for c in cases {
        let ctx = c["label"].as_str().unwrap();
        let (time, event) = inputs(c);
        let km = kaplan_meier(&time, &event, KmCi::Log, 0.95).unwrap();
        let r = km.rmst(num(&c["tau"])).unwrap();
        near(r.estimate, num(&c["rmean"]), &format!("{ctx} rmean"));
        near(r.se, num(&c["se_rmean"]), &format!("{ctx} se"));
    }
    let km = kaplan_meier(&[2.0, 3.0], &[true, false], KmCi::Log, 0.95).unwrap();
    assert_eq!(km.rmst(1.5).unwrap(), trialstat::stats::survival::Rmst { tau: 1.5, estimate: 1.5, se: 0.0 });
    assert!(km.rmst(f64::NAN).is_err() && km.rmst(-1.0).is_err());
}
