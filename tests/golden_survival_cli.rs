//! `trialstat survival` end to end on the CDISC pilot ADTTE (TTDE; TRTP, Placebo the control)
//! against R: Kaplan–Meier quartiles with CIs (km.json, survfit + quantile), the log-rank and
//! Peto–Peto tests (logrank.json, survdiff), Cox hazard ratios, global tests and cox.zph with
//! Efron and Breslow ties, unadjusted and adjusted for AGE and SEX (cox.json, coxph), RMST
//! differences and ratios (rmst_diff.json, survRM2's rmst2 formulas). Closed forms 1e-9
//! relative; Cox fits 1e-9 (they follow R's iterations, see golden_cox.rs).

use crate::common::{cli_err, cli_json, dataset, load, num};
use serde_json::Value;

fn near(got: f64, want: f64, ctx: &str) {
    let ok = (got - want).abs() <= 1e-9 * want.abs().max(1e-300) || got == want;
    assert!(ok, "{ctx}: got {got:.17e}, want {want:.17e}");
}

fn adtte() -> String {
    dataset("cdisc_pilot01/adtte.csv")
}

/// The results of `measure` (and `group`, `at` when given).
fn find<'a>(r: &'a Value, measure: &str, group: Option<&str>, at: Option<f64>) -> Vec<&'a Value> {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["measure"] == measure && group.is_none_or(|g| e["group"] == g) && at.is_none_or(|a| e["at"].as_f64() == Some(a)) && e.get("subgroup").is_none())
        .collect()
}

fn one<'a>(r: &'a Value, measure: &str, group: Option<&str>, at: Option<f64>) -> &'a Value {
    let v = find(r, measure, group, at);
    assert_eq!(v.len(), 1, "{measure} {group:?} {at:?}: {v:?}");
    v[0]
}

fn case<'a>(d: &'a Value, name: &str) -> &'a Value {
    d["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("case {name}"))
}

/// An optional number of R (null = not reached) against a result's value (NR: absent, or an
/// infinite upper limit).
fn opt(got: Option<f64>, want: &Value, ctx: &str) {
    match (got, want.is_null()) {
        (Some(g), false) => near(g, num(want), ctx),
        (None, true) => {}
        (Some(g), true) if g.is_infinite() => {}
        _ => panic!("{ctx}: got {got:?}, want {want}"),
    }
}

fn ci(e: &Value, k: &str) -> Option<f64> {
    e["ci"].get(k).map(num)
}

#[test]
fn kaplan_meier_and_log_rank_match_r() {
    let r = cli_json(&["survival", &adtte(), "--arm", "TRTP", "--control", "Placebo"]);
    let km_all = load("km.json");
    let km = case(&km_all, "cdisc_adtte_trtp");
    for g in km["groups"].as_array().unwrap() {
        let label = g["label"].as_str().unwrap();
        let q = &g["quantiles"]["log"];
        for (k, p) in [0.25, 0.5, 0.75].iter().enumerate() {
            let e = one(&r, "survival-quantile", Some(label), Some(*p));
            let ctx = format!("{label} p = {p}");
            opt(e["estimate"].as_f64(), &q["quantile"][k], &format!("{ctx} quantile"));
            opt(ci(e, "lower"), &q["lower"][k], &format!("{ctx} lower"));
            opt(ci(e, "upper").filter(|x| x.is_finite()).or(e["ci"].get("upper").and_then(|u| (u == "Infinity").then_some(f64::INFINITY))), &q["upper"][k], &format!("{ctx} upper"));
            assert_eq!(e["n"].as_u64(), g["n"].as_u64(), "{ctx} n");
        }
    }
    let lr_all = load("logrank.json");
    let lr = case(&lr_all, "cdisc_adtte_trtp");
    let want = lr["results"].as_array().unwrap().iter().find(|x| x["rho"] == 0).unwrap();
    let e = one(&r, "log-rank", None, None);
    near(num(&e["statistic"]), num(&want["chisq"]), "log-rank chi2");
    near(num(&e["p_value"]), num(&want["p"]), "log-rank p");
    assert_eq!(num(&e["df"]), num(&want["df"]));
    let r1 = cli_json(&["survival", &adtte(), "--arm", "TRTP", "--rho", "1"]);
    let want = lr["results"].as_array().unwrap().iter().find(|x| x["rho"] == 1).unwrap();
    let e = one(&r1, "log-rank", None, None);
    assert_eq!(e["method"], "peto-peto");
    near(num(&e["statistic"]), num(&want["chisq"]), "Peto-Peto chi2");
}

fn check_cox(r: &Value, fit: &Value, ctx: &str) {
    let terms = fit["terms"].as_array().unwrap();
    let hrs = find(r, "hazard-ratio", None, None);
    assert_eq!(hrs.len(), terms.len(), "{ctx}: one hazard ratio per model term");
    // R's term names: TRTP<arm> (Placebo the reference level), AGE, SEXM (F the reference).
    for (j, term) in terms.iter().enumerate() {
        let term = term.as_str().unwrap();
        let label = match term {
            t if t.starts_with("TRTP") => format!("{} vs Placebo", &t[4..]),
            "SEXM" => "SEX: M vs F".to_string(),
            t => t.to_string(),
        };
        let e = hrs.iter().find(|e| e["group"] == label.as_str()).unwrap_or_else(|| panic!("{ctx}: no hazard ratio '{label}'"));
        let at = format!("{ctx} {label}");
        near(num(&e["estimate"]), num(&fit["hr"][j]), &format!("{at} HR"));
        near(num(&e["ci"]["lower"]), num(&fit["hr_lower"][j]), &format!("{at} lower"));
        near(num(&e["ci"]["upper"]), num(&fit["hr_upper"][j]), &format!("{at} upper"));
        near(num(&e["p_value"]), num(&fit["p"][j]), &format!("{at} p"));
        near(num(&e["se_log"]), num(&fit["se"][j]), &format!("{at} se"));
    }
    for (method, key) in [("likelihood-ratio", "lr"), ("wald", "wald"), ("score", "score")] {
        let e = r["results"].as_array().unwrap().iter().find(|e| e["measure"] == "cox-test" && e["method"] == method).unwrap();
        near(num(&e["statistic"]), num(&fit[key]["chisq"]), &format!("{ctx} {method}"));
        near(num(&e["p_value"]), num(&fit[key]["p"]), &format!("{ctx} {method} p"));
    }
    let zph = find(r, "proportional-hazards", None, None);
    let want: Vec<&Value> = fit["zph"]["terms"].as_array().unwrap().iter().chain(std::iter::once(&fit["zph"]["global"])).collect();
    assert_eq!(zph.len(), want.len(), "{ctx}: PH tests");
    for (e, w) in zph.iter().zip(want) {
        near(num(&e["statistic"]), num(&w["chisq"]), &format!("{ctx} zph {}", e["group"]));
        near(num(&e["p_value"]), num(&w["p"]), &format!("{ctx} zph {} p", e["group"]));
    }
}

#[test]
fn cox_hazard_ratios_match_coxph() {
    let cox = load("cox.json");
    for (ties, k) in [("efron", 0), ("breslow", 1)] {
        let r = cli_json(&["survival", &adtte(), "--arm", "TRTP", "--ties", ties]);
        let fit = &case(&cox, "cdisc_adtte")["fits"][k];
        assert_eq!(fit["ties"], ties);
        check_cox(&r, fit, &format!("cdisc_adtte [{ties}]"));
        let r = cli_json(&["survival", &adtte(), "--arm", "TRTP", "--ties", ties, "--covariates", "AGE,SEX"]);
        check_cox(&r, &case(&cox, "cdisc_adtte_adj")["fits"][k], &format!("cdisc_adtte_adj [{ties}]"));
    }
}

#[test]
fn rmst_differences_and_ratios_match_rmst2() {
    let all = load("rmst_diff.json");
    let d = case(&all, "cdisc_adtte_trtp");
    for c in d["comparisons"].as_array().unwrap() {
        let tau = num(&c["tau"]);
        let tau_s = format!("{tau}");
        let r = cli_json(&["survival", &adtte(), "--arm", "TRTP", "--treatment", c["treatment"].as_str().unwrap(), "--control", "Placebo", "--tau", &tau_s]);
        let label = format!("{} vs Placebo", c["treatment"].as_str().unwrap());
        let ctx = format!("{label} tau = {tau}");
        for (arm, key) in [("Placebo", "control"), (c["treatment"].as_str().unwrap(), "treatment")] {
            let e = one(&r, "rmst", Some(arm), Some(tau));
            near(num(&e["estimate"]), num(&c["arms"][key]["rmst"]), &format!("{ctx} {arm} RMST"));
            near(num(&e["se"]), num(&c["arms"][key]["se"]), &format!("{ctx} {arm} SE"));
        }
        let e = one(&r, "rmst-difference", Some(&label), Some(tau));
        for (k, w) in [("estimate", "estimate"), ("se", "se"), ("p_value", "p")] {
            near(num(&e[k]), num(&c["difference"][w]), &format!("{ctx} difference {k}"));
        }
        near(num(&e["ci"]["lower"]), num(&c["difference"]["lower"]), &format!("{ctx} difference lower"));
        near(num(&e["ci"]["upper"]), num(&c["difference"]["upper"]), &format!("{ctx} difference upper"));
        let e = one(&r, "rmst-ratio", Some(&label), Some(tau));
        near(num(&e["estimate"]), num(&c["ratio"]["estimate"]), &format!("{ctx} ratio"));
        near(num(&e["ci"]["lower"]), num(&c["ratio"]["lower"]), &format!("{ctx} ratio lower"));
        near(num(&e["ci"]["upper"]), num(&c["ratio"]["upper"]), &format!("{ctx} ratio upper"));
        near(num(&e["p_value"]), num(&c["ratio"]["p"]), &format!("{ctx} ratio p"));
    }
}

/// The per-arm RMST against lifelines' `restricted_mean_survival_time` (second source; its
/// variance is the spread of min(T, τ), not the estimate's, so only the RMST is compared:
/// tests/reference/rmst_diff.py).
#[test]
fn rmst_matches_lifelines() {
    let py = load("rmst_diff_py.json");
    let c = case(&py, "cdisc_adtte_trtp");
    let mut n = 0;
    for cmp in c["comparisons"].as_array().unwrap() {
        let tau = num(&cmp["tau"]);
        let treatment = cmp["treatment"].as_str().unwrap();
        let r = cli_json(&["survival", &adtte(), "--arm", "TRTP", "--treatment", treatment, "--control", "Placebo", "--tau", &format!("{tau}")]);
        for (arm, key) in [("Placebo", "control"), (treatment, "treatment")] {
            near(num(&one(&r, "rmst", Some(arm), Some(tau))["estimate"]), num(&cmp["arms"][key]["rmst"]), &format!("{arm} RMST to {tau} (lifelines)"));
            n += 1;
        }
    }
    assert!(n >= 8, "{n}");
}

#[test]
fn invalid_times_and_flags_name_file_line_column_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, "USUBJID,TRTP,AVAL,CNSR\n1,A,5,0\n2,A,-3,1\n3,B,,0\n4,B,7,2\n5,B,8,1\n").unwrap();
    let (code, err) = cli_err(&["survival", path.to_str().unwrap(), "--control", "A"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains(":3") && err.contains("AVAL") && err.contains("-3") && err.contains("negative time"), "{err}");
    assert!(err.contains(":4") && err.contains("missing time"), "{err}");
    assert!(err.contains(":5") && err.contains("CNSR") && err.contains("'2'") || err.contains(":5") && err.contains("censoring flag"), "{err}");
    std::fs::write(&path, "USUBJID,TRTP,AVAL,CNSR\n1,A,5,0\n1,A,6,1\n2,B,7,0\n").unwrap();
    let (code, err) = cli_err(&["survival", path.to_str().unwrap(), "--control", "A"]);
    assert!(code == 3 && err.contains("also on line 2"), "{code} {err}");
    let (code, err) = cli_err(&["survival", &adtte(), "--arm", "TRTP", "--tau", "400"]);
    assert!(code == 2 && err.contains("--tau") && err.contains("last follow-up"), "{code} {err}");
}

/// The shipped claims of the pilot ADTTE reproduce, with the values R gives (cox.json,
/// km.json); a changed figure does not (exit 1); a landmark claim without `at` is refused with
/// the landmarks present.
#[test]
fn pilot_claims_reproduce_and_a_changed_figure_does_not() {
    let path = dataset("cdisc_pilot01/claims.toml");
    let out = crate::common::cli(&["check", &path, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let claims = r["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 5);
    assert!(claims.iter().all(|c| c["verdict"] == "reproduced"), "{claims:?}");
    let cox = load("cox.json");
    let fit = &case(&cox, "cdisc_adtte")["fits"][0];
    let high = claims.iter().find(|c| c["id"] == "hr-high-vs-placebo").unwrap();
    near(high["computed_value"].as_f64().unwrap(), num(&fit["hr"][1]), "claimed HR = coxph");
    let km = load("km.json");
    let placebo = &case(&km, "cdisc_adtte_trtp")["groups"].as_array().unwrap().iter().find(|g| g["label"] == "Placebo").unwrap()["summary"]["log"];
    let i = placebo["time"].as_array().unwrap().iter().position(|t| num(t) == 90.0).unwrap();
    let landmark = claims.iter().find(|c| c["id"] == "placebo-90-day").unwrap();
    near(landmark["computed_value"].as_f64().unwrap(), num(&placebo["surv"][i]), "claimed 90-day survival = summary(survfit)");

    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(dataset("cdisc_pilot01/adtte.csv"), dir.path().join("adtte.csv")).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = dir.path().join("claims.toml");
    std::fs::write(&changed, text.replace("cited = \"5.03\"", "cited = \"5.50\"")).unwrap();
    let out = crate::common::cli(&["check", changed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not reproduced"));
    std::fs::write(&changed, text.replace("at = 90\ncited = \"67%\"", "cited = \"67%\"")).unwrap();
    let out = crate::common::cli(&["check", changed.to_str().unwrap(), "--format", "json"]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let text_out = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.code() != Some(0) && text_out.contains("at = 90"), "{:?} {r} {text_out}", out.status.code());
}

/// The shipped study spec runs the survival analysis into a report.
#[test]
fn pilot_study_spec_writes_the_survival_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("report");
    let out = crate::common::cli(&["report", &dataset("cdisc_pilot01/study.toml"), "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(out_dir.join("tables/ttde.json")).unwrap()).unwrap();
    assert_eq!(json["command"], "survival");
    let hr = one(&json, "hazard-ratio", Some("Xanomeline High Dose vs Placebo"), None);
    near(num(&hr["estimate"]), num(&case(&load("cox.json"), "cdisc_adtte")["fits"][0]["hr"][1]), "report HR = coxph");
    assert_eq!(json["curves"].as_array().unwrap().len(), 3, "one curve per arm");
    assert_eq!(json["curves"][0]["group"], "Placebo", "control first");
    // Numbers at risk: all subjects at 0; each interval's events and censorings leave the risk set.
    for c in json["curves"].as_array().unwrap() {
        let rows = c["risk_table"].as_array().unwrap();
        let n = json["inputs"]["groups"][c["group"].as_str().unwrap()]["n"].as_u64().unwrap();
        assert_eq!(rows[0]["n_risk"].as_u64(), Some(n));
        for w in rows.windows(2) {
            let g = |r: &Value, k: &str| r[k].as_u64().unwrap();
            assert_eq!(g(&w[0], "n_risk") - g(&w[0], "events") - g(&w[0], "censored"), g(&w[1], "n_risk"), "{}", c["group"]);
        }
    }
    let md = std::fs::read_to_string(out_dir.join("tables/ttde.md")).unwrap();
    assert!(md.contains("Number at risk at each time (days)"), "{md}");
    assert!(find(&json, "hazard-ratio", None, None).len() == 2);
    assert!(json["results"].as_array().unwrap().iter().any(|e| e["measure"] == "interaction" && e["subgroup"] == "SEX"));
    for p in ["plots/km-ttde.svg", "plots/km-ttde.png", "plots/hr-subgroups.svg", "plots/hr-subgroups.png"] {
        assert!(out_dir.join(p).exists(), "{p} written");
    }
}

/// Stratified log-rank and Cox (`--strata SEX`, `--strata SEX,AGEGR1`), subgroup hazard ratios
/// and interaction tests (`--subgroups`, also within strata), landmarks and a months report
/// against R (tests/reference/survival_cmd.R → survival_cmd.json).
#[test]
fn strata_subgroups_landmarks_and_units_match_r() {
    let d = load("survival_cmd.json");
    let label = |t: &Value| format!("{} vs Placebo", t["arm"].as_str().unwrap());
    for (name, strata) in [("strata_sex", "SEX"), ("strata_sex_agegr1", "SEX,AGEGR1")] {
        let c = case(&d, name);
        for (k, ties) in ["efron", "breslow"].iter().enumerate() {
            let r = cli_json(&["survival", &adtte(), "--arm", "TRTP", "--strata", strata, "--ties", ties]);
            let e = one(&r, "log-rank", None, None);
            near(num(&e["statistic"]), num(&c["logrank"]["chisq"]), &format!("{name} log-rank"));
            let cox = &c["cox"][k];
            for t in cox["terms"].as_array().unwrap() {
                let e = one(&r, "hazard-ratio", Some(&label(t)), None);
                near(num(&e["estimate"]), num(&t["hr"]), &format!("{name} [{ties}] {}", label(t)));
                near(num(&e["ci"]["lower"]), num(&t["hr_lower"]), &format!("{name} [{ties}] lower"));
                near(num(&e["p_value"]), num(&t["p"]), &format!("{name} [{ties}] p"));
            }
            let lr = r["results"].as_array().unwrap().iter().find(|e| e["measure"] == "cox-test" && e["method"] == "likelihood-ratio").unwrap();
            near(num(&lr["statistic"]), num(&cox["lr"]["chisq"]), &format!("{name} [{ties}] LR"));
            let g = one(&r, "proportional-hazards", Some("global"), None);
            near(num(&g["statistic"]), num(&cox["zph"]["global"]["chisq"]), &format!("{name} [{ties}] zph"));
        }
    }
    for (name, var, strata) in [("subgroups_sex", "SEX", None), ("subgroups_agegr1", "AGEGR1", None), ("subgroups_sex_strata_agegr1", "SEX", Some("AGEGR1"))] {
        let c = case(&d, name);
        let mut args = vec!["survival".to_string(), adtte(), "--arm".into(), "TRTP".into(), "--subgroups".into(), var.into()];
        if let Some(s) = strata {
            args.extend(["--strata".to_string(), s.to_string()]);
        }
        let r = cli_json(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let results = r["results"].as_array().unwrap();
        for sg in c["subgroups"].as_array().unwrap() {
            let sub = format!("{var} = {}", sg["level"].as_str().unwrap());
            for t in sg["terms"].as_array().unwrap() {
                let e = results.iter().find(|e| e["measure"] == "hazard-ratio" && e["subgroup"] == sub.as_str() && e["group"] == label(t).as_str()).unwrap_or_else(|| panic!("{name}: no HR for {sub}"));
                near(num(&e["estimate"]), num(&t["hr"]), &format!("{name} {sub} {}", label(t)));
                near(num(&e["ci"]["upper"]), num(&t["hr_upper"]), &format!("{name} {sub} upper"));
            }
        }
        let e = results.iter().find(|e| e["measure"] == "interaction" && e["subgroup"] == var).unwrap();
        near(num(&e["statistic"]), num(&c["interaction"]["chisq"]), &format!("{name} interaction"));
        near(num(&e["p_value"]), num(&c["interaction"]["p"]), &format!("{name} interaction p"));
        assert_eq!(num(&e["df"]), num(&c["interaction"]["df"]));
    }
    let c = case(&d, "landmarks");
    let r = cli_json(&["survival", &adtte(), "--arm", "TRTP", "--at", "30,90,180", "--conf-type", "log-log"]);
    for arm in c["arms"].as_array().unwrap() {
        let a = arm["arm"].as_str().unwrap();
        for (k, t) in c["times"].as_array().unwrap().iter().enumerate() {
            let e = one(&r, "survival-at", Some(a), Some(num(t)));
            let w = &arm["log-log"];
            near(num(&e["estimate"]), num(&w["surv"][k]), &format!("{a} S({t})"));
            near(num(&e["se"]), num(&w["std_err"][k]), &format!("{a} SE({t})"));
            near(num(&e["ci"]["lower"]), num(&w["lower"][k]), &format!("{a} lower({t})"));
            assert_eq!(e["count"].as_u64(), w["n_risk"][k].as_u64(), "{a} at risk at {t}");
        }
    }
    let c = case(&d, "time_unit_months");
    let r = cli_json(&["survival", &adtte(), "--arm", "TRTP", "--time-unit", "months", "--tau", "5"]);
    for arm in c["arms"].as_array().unwrap() {
        let a = arm["arm"].as_str().unwrap();
        let e = one(&r, "survival-quantile", Some(a), Some(0.5));
        opt(e["estimate"].as_f64(), &arm["median"]["quantile"], &format!("{a} median (months)"));
        opt(ci(e, "lower"), &arm["median"]["lower"], &format!("{a} median lower (months)"));
        let e = one(&r, "rmst", Some(a), Some(5.0));
        near(num(&e["estimate"]), num(&arm["rmean"]), &format!("{a} RMST (months)"));
        near(num(&e["se"]), num(&arm["se_rmean"]), &format!("{a} RMST SE (months)"));
    }
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Edge cases with their documented behaviour: an arm without events (monotone likelihood:
/// HR 0, no Wald CI, a note; R: "Ran out of iterations", loglik −2.70805, −1.09861), everyone
/// censored (no test, no HR), one arm only and a single subject (KM and RMST only), an event at
/// time 0 and tied times.
#[test]
fn edge_cases_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "noev.csv", "USUBJID,TRTP,AVAL,CNSR\n1,A,5,0\n2,A,6,1\n3,A,7,0\n4,B,4,1\n5,B,8,1\n6,B,9,1\n");
    let r = cli_json(&["survival", &f, "--control", "A"]);
    let hr = one(&r, "hazard-ratio", Some("B vs A"), None);
    assert_eq!(hr["estimate"].as_f64(), Some(0.0), "{hr}");
    assert!(hr["ci"].is_null() && hr.get("p_value").is_none() && hr["notes"][0].as_str().unwrap().contains("monotone likelihood"), "{hr}");
    // R 4.2 / survival 3.5: summary(coxph)$logtest, $sctest; survdiff.
    let test = |m: &str| num(&r["results"].as_array().unwrap().iter().find(|e| e["measure"] == "cox-test" && e["method"] == m).unwrap()["statistic"]);
    assert!((test("likelihood-ratio") - 3.2188758225283296).abs() < 1e-6, "{}", test("likelihood-ratio"));
    near(test("score"), 2.4615384615384617, "score test");
    near(num(&one(&r, "log-rank", None, None)["statistic"]), 2.4615384615384617, "log-rank");
    assert!(r["results"].as_array().unwrap().iter().all(|e| !(e["measure"] == "cox-test" && e["method"] == "wald")), "no Wald test with an infinite coefficient");

    let f = write(&dir, "cens.csv", "USUBJID,TRTP,AVAL,CNSR\n1,A,5,1\n2,A,6,1\n3,B,4,1\n4,B,8,1\n");
    let r = cli_json(&["survival", &f, "--control", "A"]);
    assert!(find(&r, "log-rank", None, None).is_empty() && find(&r, "hazard-ratio", None, None).is_empty());
    assert!(r["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().starts_with("No events in any arm")));
    let med = one(&r, "survival-quantile", Some("A"), Some(0.5));
    assert!(med.get("estimate").is_none_or(|e| e.is_null()), "median not reached: {med}");
    let d = one(&r, "rmst-difference", Some("B vs A"), None);
    assert!(d.get("p_value").is_none() && num(&d["estimate"]) == 0.0, "{d}");

    for (name, text, n) in [("one.csv", "USUBJID,TRTP,AVAL,CNSR\n1,A,5,0\n2,A,6,1\n3,A,0,0\n3b,A,6,0\n", 4), ("single.csv", "USUBJID,TRTP,AVAL,CNSR\n1,A,5,0\n", 1)] {
        let f = write(&dir, name, text);
        let r = cli_json(&["survival", &f]);
        let measures: Vec<&str> = r["results"].as_array().unwrap().iter().map(|e| e["measure"].as_str().unwrap()).collect();
        assert!(measures.iter().all(|m| ["survival-quantile", "rmst"].contains(m)), "{name}: {measures:?}");
        assert_eq!(one(&r, "rmst", Some("A"), None)["n"].as_u64(), Some(n), "{name}");
    }
    // An event at time 0 and ties (events before censorings at a tied time): R's survfit gives
    // S(0) = 3/4, S(6) = 3/4 · 2/3 (3 at risk at t = 6: one event, one censored there), and
    // quantile(fit, 0.5) = 7.5 (S = 0.5 on the last stretch, 6 to 9: its midpoint).
    let f = write(&dir, "zero.csv", "USUBJID,TRTP,AVAL,CNSR\n1,A,0,0\n2,A,6,0\n3,A,6,1\n4,A,9,1\n");
    let r = cli_json(&["survival", &f, "--at", "0,6"]);
    near(num(&one(&r, "survival-at", Some("A"), Some(0.0))["estimate"]), 0.75, "S(0)");
    near(num(&one(&r, "survival-at", Some("A"), Some(6.0))["estimate"]), 0.5, "S(6)");
    near(num(&one(&r, "survival-quantile", Some("A"), Some(0.5))["estimate"]), 7.5, "median");
}

/// RMST differences and ratios on plain files (`--time`, `--event`, `--arm`): the PBC trial (at
/// levels 0.95 and 0.9) and generated data with ties, including τ past the control's last time
/// where its curve has reached 0, against rmst_diff.json (survRM2's rmst2 formulas).
#[test]
fn rmst_comparisons_on_plain_files() {
    let d = load("rmst_diff.json");
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for c in d["cases"].as_array().unwrap().iter().filter(|c| c["name"] != "cdisc_adtte_trtp") {
        let name = c["name"].as_str().unwrap();
        let mut text = String::from("id,group,years,died\n");
        for (i, ((t, e), a)) in c["time"].as_array().unwrap().iter().zip(c["event"].as_array().unwrap()).zip(c["arm"].as_array().unwrap()).enumerate() {
            text.push_str(&format!("{},{},{},{}\n", i + 1, a.as_str().unwrap(), num(t), num(e)));
        }
        let f = write(&dir, &format!("{name}.csv"), &text);
        let level = format!("{}", num(&c["level"]));
        for cmp in c["comparisons"].as_array().unwrap() {
            let (t, tau) = (cmp["treatment"].as_str().unwrap(), num(&cmp["tau"]));
            let ctl = c["control"].as_str().unwrap();
            let args = ["survival", &f, "--subject", "id", "--arm", "group", "--time", "years", "--event", "died", "--control", ctl, "--treatment", t, "--tau", &format!("{tau}"), "--level", &level];
            let r = cli_json(&args);
            let ctx = format!("{name}: {t} vs {ctl} to {tau}");
            let e = one(&r, "rmst-difference", Some(&format!("{t} vs {ctl}")), Some(tau));
            near(num(&e["estimate"]), num(&cmp["difference"]["estimate"]), &format!("{ctx} difference"));
            near(num(&e["ci"]["lower"]), num(&cmp["difference"]["lower"]), &format!("{ctx} difference lower"));
            near(num(&e["p_value"]), num(&cmp["difference"]["p"]), &format!("{ctx} difference p"));
            let e = one(&r, "rmst-ratio", Some(&format!("{t} vs {ctl}")), Some(tau));
            near(num(&e["estimate"]), num(&cmp["ratio"]["estimate"]), &format!("{ctx} ratio"));
            near(num(&e["ci"]["upper"]), num(&cmp["ratio"]["upper"]), &format!("{ctx} ratio upper"));
            checked += 1;
        }
    }
    assert!(checked >= 9, "{checked}");
}

/// Usage errors name the flag or column and what would be accepted (exit status 2), data
/// errors the file, column and values (exit status 3).
#[test]
fn usage_and_data_errors() {
    let dir = tempfile::tempdir().unwrap();
    let two = write(&dir, "two.csv", "USUBJID,PARAMCD,TRTP,AVAL,CNSR\n1,OS,A,5,0\n1,PFS,A,3,0\n2,OS,B,6,1\n2,PFS,B,4,0\n");
    let (code, e) = cli_err(&["survival", &two, "--control", "A"]);
    assert!(code == 3 && e.contains("PARAMCD") && e.contains("OS, PFS") && e.contains("--paramcd"), "{code} {e}");
    let r = cli_json(&["survival", &two, "--control", "A", "--paramcd", "PFS"]);
    assert_eq!(r["inputs"]["parameter"], "PFS");
    // Perfect separation (A's event comes first, with B at risk): ℓ goes to 0 while the
    // coefficient diverges; R runs out of iterations; trialstat reports HR 0 without a Wald CI.
    let hr = one(&r, "hazard-ratio", Some("B vs A"), None);
    assert!(hr["estimate"].as_f64() == Some(0.0) && hr["ci"].is_null(), "{hr}");
    let (code, e) = cli_err(&["survival", &two, "--control", "A", "--paramcd", "TTE"]);
    assert!(code == 3 && e.contains("no such parameter; present: OS, PFS"), "{code} {e}");
    let units = write(&dir, "units.csv", "USUBJID,TRTP,AVAL,AVALU,CNSR\n1,A,5,DAYS,0\n2,B,6,MONTHS,1\n");
    let (code, e) = cli_err(&["survival", &units, "--control", "A"]);
    assert!(code == 3 && e.contains("AVALU") && e.contains("several time units"), "{code} {e}");
    let weeks = write(&dir, "weeks.csv", "USUBJID,TRTP,AVAL,AVALU,CNSR\n1,A,5,WEEKS,0\n2,B,6,WEEKS,1\n3,A,7,WEEKS,1\n");
    let r = cli_json(&["survival", &weeks, "--control", "A", "--time-unit", "days"]);
    assert_eq!((r["inputs"]["data_unit"].as_str(), r["inputs"]["time_unit"].as_str()), (Some("weeks"), Some("days")));
    near(num(&one(&r, "survival-quantile", Some("A"), Some(0.25))["estimate"]), 35.0, "5 weeks in days");
    for (flag, value, expect) in [("--conf-type", "arcsine", "log, log-log or plain"), ("--ties", "exact", "efron or breslow"), ("--rho", "-1", "a number ≥ 0"), ("--time-unit", "fortnights", "days, weeks, months or years"), ("--at", "soon", "a time ≥ 0")] {
        let (code, e) = cli_err(&["survival", &adtte(), flag, value]);
        assert!(code == 2 && e.contains(flag) && e.contains(expect), "{flag}: {code} {e}");
    }
    let (code, e) = cli_err(&["survival", &adtte(), "--covariates", "AGEE"]);
    assert!(code == 2 && e.contains("AGEE") && e.contains("AGE"), "{code} {e}");
    let missing = write(&dir, "miss.csv", "USUBJID,TRTP,AVAL,CNSR,SEX\n1,A,5,0,F\n2,B,6,1,\n3,A,7,1,M\n");
    let (code, e) = cli_err(&["survival", &missing, "--control", "A", "--strata", "SEX"]);
    assert!(code == 3 && e.contains(":3") && e.contains("SEX") && e.contains("missing value"), "{code} {e}");
}
