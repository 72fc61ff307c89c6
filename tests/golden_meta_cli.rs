//! `trialstat meta` end to end, against R's metafor 3.8-1: the P6 acupoint, BCG and stroke-unit
//! files as printed (meta.json, meta_more.json), a long file of arm rows (COPD deaths, TIO-HH vs
//! placebo; meta_cli.json), an estimate-with-CI file rounded as papers print it, St John's wort
//! with rows without data and a double-zero study, HKSJ and ad hoc HKSJ; and the documented
//! edge cases: one study, two studies, all studies without events, τ² at its boundary, identical
//! studies, an SE of 0 (an error naming the line). Tolerances: closed forms 1e-9 relative; REML
//! against metafor run tight 1e-8; prediction intervals t(k − 2) checked by hand from metafor's
//! tight fit at 1e-8.

use crate::common::{cli_err, cli_json, dataset, load, num};
use serde_json::Value;

fn near(got: f64, want: f64, tol: f64, ctx: &str) {
    let ok = (got - want).abs() <= tol * want.abs().max(1.0) || got == want;
    assert!(ok, "{ctx}: got {got:.17e}, want {want:.17e}");
}

/// The one pooled (no study, no subgroup, no sensitivity) result of `measure` and `method`.
fn pooled<'a>(r: &'a Value, measure: &str, method: &str) -> &'a Value {
    let v: Vec<&Value> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["measure"] == measure && e["method"] == method && e.get("group").is_none() && e.get("subgroup").is_none() && e.get("sensitivity").is_none())
        .collect();
    assert_eq!(v.len(), 1, "{measure} {method}: {v:?}");
    v[0]
}

/// (estimate, lower, upper) of a result, logged for ratios.
fn est(e: &Value, log: bool) -> [f64; 3] {
    let f = |x: f64| if log { x.ln() } else { x };
    [f(num(&e["estimate"])), f(num(&e["ci"]["lower"])), f(num(&e["ci"]["upper"]))]
}

/// A pooled result against a metafor fit; a "tight" record holds only b and se: its CI is
/// b ∓ z se.
fn check_fit(e: &Value, w: &Value, log: bool, tol: f64, ctx: &str) {
    let [b, l, u] = est(e, log);
    near(b, num(&w["b"]), tol, &format!("{ctx} b"));
    let z = 1.959963984540054;
    let (wl, wu) = if w["ci.lb"].is_null() { (num(&w["b"]) - z * num(&w["se"]), num(&w["b"]) + z * num(&w["se"])) } else { (num(&w["ci.lb"]), num(&w["ci.ub"])) };
    near(l, wl, tol, &format!("{ctx} ci.lb"));
    near(u, wu, tol, &format!("{ctx} ci.ub"));
    if !w["pval"].is_null() {
        near(num(&e["p_value"]), num(&w["pval"]), tol, &format!("{ctx} p"));
    }
}

fn metadat(f: &str) -> String {
    dataset(&format!("metadat/{f}"))
}

#[test]
fn p6_acupoint_file_reproduces_metafor() {
    let r = cli_json(&["meta", &metadat("dat_lee2004.csv")]);
    let d = load("meta.json");
    let case = d["cases"].as_array().unwrap().iter().find(|c| c["name"] == "lee2004_rr").unwrap();
    let reml = case["fits"].as_array().unwrap().iter().find(|f| f["method"] == "REML" && f["test"] == "z").unwrap();
    let tight = &reml["tight"];
    check_fit(pooled(&r, "risk-ratio", "reml"), tight, true, 1e-8, "lee2004 REML");
    let fe = case["fits"].as_array().unwrap().iter().find(|f| f["method"] == "FE" && f["test"] == "z").unwrap();
    check_fit(pooled(&r, "risk-ratio", "inverse-variance"), fe, true, 1e-9, "lee2004 FE");
    check_fit(pooled(&r, "mh-risk-ratio", "greenland-robins"), &case["mh"], true, 1e-9, "lee2004 MH");
    // Heterogeneity: Q (closed form), τ², I² with Q-profile CIs (metafor's confint run tight).
    let q = pooled(&r, "cochran-q", "inverse-variance");
    near(num(&q["statistic"]), num(&reml["QE"]), 1e-9, "Q");
    near(num(&q["p_value"]), num(&reml["QEp"]), 1e-9, "Q p");
    let ct = &reml["confint"]["tight"];
    let tau2 = pooled(&r, "tau2", "reml");
    near(num(&tau2["estimate"]), num(&tight["tau2"]), 1e-8, "tau2");
    near(num(&tau2["ci"]["lower"]), num(&ct["tau2"]["ci.lb"]), 1e-8, "tau2 lower");
    near(num(&tau2["ci"]["upper"]), num(&ct["tau2"]["ci.ub"]), 1e-8, "tau2 upper");
    let i2 = pooled(&r, "i2", "reml");
    near(100.0 * num(&i2["ci"]["lower"]), num(&ct["I2"]["ci.lb"]), 1e-8, "I2 lower");
    near(100.0 * num(&i2["ci"]["upper"]), num(&ct["I2"]["ci.ub"]), 1e-8, "I2 upper");
    // Prediction interval, t on k − 2 = 14 df from the tight fit: μ̂ ∓ t √(SE² + τ²).
    let pi = pooled(&r, "prediction-interval", "reml");
    let (b, se, t2) = (num(&tight["b"]), num(&tight["se"]), num(&tight["tau2"]));
    let crit = 2.1447866879169273; // qt(0.975, 14)
    near(num(&pi["ci"]["lower"]).ln(), b - crit * (se * se + t2).sqrt(), 1e-8, "PI lower");
    near(num(&pi["ci"]["upper"]).ln(), b + crit * (se * se + t2).sqrt(), 1e-8, "PI upper");
    assert_eq!(pi["df"], 14.0);
    // The published figure (Lee & Done 2004 via metafor): RR 0.73 (0.60 to 0.88).
    let re = pooled(&r, "risk-ratio", "reml");
    assert_eq!(format!("{:.2} ({:.2} to {:.2})", num(&re["estimate"]), num(&re["ci"]["lower"]), num(&re["ci"]["upper"])), "0.73 (0.60 to 0.88)");
    // Per-study rows: label with year (two Agarwal studies), weights summing to 100%.
    let studies = r["studies"].as_array().unwrap();
    assert_eq!(studies.len(), 16);
    assert_eq!(studies[0]["study"], "Agarwal 2000");
    let w: f64 = studies.iter().map(|s| num(&s["weight_random"])).sum();
    near(w, 100.0, 1e-12, "weights");
}

#[test]
fn metafor_prediction_interval_and_hksj_options() {
    let d = load("meta.json");
    let case = d["cases"].as_array().unwrap().iter().find(|c| c["name"] == "lee2004_rr").unwrap();
    let dl = case["fits"].as_array().unwrap().iter().find(|f| f["method"] == "DL" && f["test"] == "z").unwrap();
    let r = cli_json(&["meta", &metadat("dat_lee2004.csv"), "--method", "DL", "--pi", "metafor"]);
    check_fit(pooled(&r, "risk-ratio", "dersimonian-laird"), dl, true, 1e-9, "lee2004 DL");
    let pi = pooled(&r, "prediction-interval", "dersimonian-laird");
    near(num(&pi["ci"]["lower"]).ln(), num(&dl["predict"]["pi.lb"]), 1e-9, "DL PI lower (z)");
    near(num(&pi["ci"]["upper"]).ln(), num(&dl["predict"]["pi.ub"]), 1e-9, "DL PI upper (z)");
    let c = load("meta_cli.json");
    let w = &c["cases"]["lee2004_dl_hksj_adhoc"]["dl_adhoc"];
    let r = cli_json(&["meta", &metadat("dat_lee2004.csv"), "--method", "DL", "--hksj-adhoc"]);
    let e = pooled(&r, "risk-ratio", "dersimonian-laird");
    check_fit(e, w, true, 1e-9, "lee2004 DL ad hoc HKSJ");
    near(num(&e["statistic"]), num(&w["tval"]), 1e-9, "t");
    assert_eq!(e["df"], num(&w["dfs"]));
    let w = &c["cases"]["normand_smd_hksj"]["knha"];
    let r = cli_json(&["meta", &metadat("dat_normand1999.csv"), "--measure", "SMD", "--hksj", "--pi", "metafor"]);
    let e = pooled(&r, "hedges-g", "reml");
    check_fit(e, w, false, 1e-8, "normand SMD REML HKSJ");
    let pi = pooled(&r, "prediction-interval", "reml");
    near(num(&pi["ci"]["lower"]), num(&w["predict"]["pi.lb"]), 1e-8, "PI lower t(k − 1)");
    assert_eq!(pi["df"], num(&w["predict"]["pi_df"]));
}

#[test]
fn long_file_of_arm_rows_reproduces_metafor() {
    let c = load("meta_cli.json");
    let w = &c["cases"]["dong2013_tiohh_placebo"];
    let r = cli_json(&["meta", &metadat("dat_dong2013.csv"), "--study", "id", "--arm", "treatment", "--treatment", "TIO-HH", "--control", "Placebo"]);
    check_fit(pooled(&r, "risk-ratio", "reml"), &w["reml_tight"], true, 1e-8, "dong REML");
    check_fit(pooled(&r, "risk-ratio", "inverse-variance"), &w["fe"], true, 1e-9, "dong FE");
    check_fit(pooled(&r, "mh-risk-ratio", "greenland-robins"), &w["mh"], true, 1e-9, "dong MH");
    let studies = r["studies"].as_array().unwrap();
    let ids: Vec<String> = studies.iter().map(|s| s["study"].as_str().unwrap().to_string()).collect();
    let want: Vec<String> = w["study"].as_array().unwrap().iter().map(|v| format!("{}", num(v))).collect();
    assert_eq!(ids, want);
    let left: Vec<&str> = studies.iter().filter(|s| s.get("left_out").is_some()).map(|s| s["study"].as_str().unwrap()).collect();
    assert_eq!(left, ["5"]);
    let notes = r["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect::<Vec<_>>().join("\n");
    assert!(notes.contains("Left out of the RR") && notes.contains(": 5."), "{notes}");
    assert!(notes.contains("without both 'TIO-HH' and 'Placebo'"), "{notes}");
    // τ² at its boundary: 0, with its note, and the Q-profile CI from 0.
    let tau2 = pooled(&r, "tau2", "reml");
    assert_eq!(tau2["estimate"], 0.0);
    assert!(tau2["notes"].to_string().contains("boundary 0"), "{tau2}");
    near(num(&tau2["ci"]["upper"]), num(&w["confint"]["tau2"]["ci.ub"]), 1e-8, "tau2 upper");
    // With three arms named, the experimental arm must be named.
    let (code, err) = cli_err(&["meta", &metadat("dat_dong2013.csv"), "--study", "id", "--arm", "treatment", "--control", "Placebo"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--treatment") && err.contains("TIO-HH"), "{err}");
}

#[test]
fn estimates_with_cis_as_printed() {
    let c = load("meta_cli.json");
    let w = &c["cases"]["bcg_from_ci"];
    let file = crate::common::reference_path("meta_ci_input.csv");
    let r = cli_json(&["meta", file.to_str().unwrap(), "--measure", "RR"]);
    assert_eq!(r["inputs"]["input"], "estimate-ci");
    check_fit(pooled(&r, "risk-ratio", "reml"), &w["reml_tight"], true, 1e-8, "bcg from CIs REML");
    let pi = pooled(&r, "prediction-interval", "reml");
    near(num(&pi["ci"]["lower"]).ln(), num(&w["reml_tight"]["pi_t_lb"]), 1e-8, "PI t lower");
    near(num(&pi["ci"]["upper"]).ln(), num(&w["reml_tight"]["pi_t_ub"]), 1e-8, "PI t upper");
    for (s, v) in r["studies"].as_array().unwrap().iter().zip(w["escalc"]["vi"].as_array().unwrap()) {
        near(num(&s["vi"]), num(v), 1e-12, "vi from the CI");
    }
    // A CI at another level: the SE from its width at that level (90%: z = 1.6449).
    let z90 = 1.6448536269514729;
    let (lo, hi) = ((2f64.ln() - z90 * 0.3).exp(), (2f64.ln() + z90 * 0.3).exp());
    let f90 = write("ci90", &format!("study,hr,lower,upper\nA,2,{lo:.17},{hi:.17}\nB,1.5,1.2,1.9\n"));
    let r = cli_json(&["meta", f90.to_str().unwrap(), "--measure", "HR", "--ci-level", "0.90"]);
    near(num(&r["studies"][0]["vi"]), 0.09, 1e-12, "variance from a 90% CI");
    near(num(&r["studies"][0]["yi"]), 2f64.ln(), 1e-15, "log HR");
    assert_eq!(r["results"][0]["measure"], "hazard-ratio");
    // Generic (no measure): pooled as printed, not logged.
    let g = cli_json(&["meta", file.to_str().unwrap()]);
    assert_eq!(g["inputs"]["measure"], "generic");
}

#[test]
fn missing_rows_and_double_zero_studies() {
    let c = load("meta_cli.json");
    let w = &c["cases"]["linde2005_rr"]["reml_tight"];
    // metafor keeps the double-zero study (drop00 = FALSE): --keep-double-zero does too.
    let r = cli_json(&["meta", &metadat("dat_linde2005.csv"), "--keep-double-zero"]);
    check_fit(pooled(&r, "risk-ratio", "reml"), w, true, 1e-8, "linde REML");
    assert_eq!(pooled(&r, "risk-ratio", "reml")["n"], 24);
    let notes = r["notes"].to_string();
    assert!(notes.contains("Harrer et al. (line 6)") && notes.contains("Bjerkenstedt et al. (line 27)") && notes.contains("left out"), "{notes}");
    assert!(notes.contains("Osterheider"), "the corrected double-zero study is named: {notes}");
    // By default it is left out of the RR, and named.
    let r = cli_json(&["meta", &metadat("dat_linde2005.csv")]);
    assert_eq!(pooled(&r, "risk-ratio", "reml")["n"], 23);
    assert!(r["notes"].to_string().contains("Left out of the RR"), "{}", r["notes"]);
}

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trialstat-meta-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("{name}.csv"));
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn edge_cases_have_documented_behaviour() {
    // One study: the pooled estimate is the study's; no heterogeneity (said), no PI.
    let one = write("one", "study,ai,n1i,ci,n2i\nA,10,100,20,100\n");
    let r = cli_json(&["meta", one.to_str().unwrap()]);
    let re = pooled(&r, "risk-ratio", "reml");
    near(num(&re["estimate"]), 0.5, 1e-12, "one study RR");
    assert!(pooled(&r, "tau2", "reml")["notes"].to_string().contains("One study"), "{r}");
    assert!(r["notes"].to_string().contains("No prediction interval with 1 study"), "{}", r["notes"]);
    // Two studies: HKSJ on 1 df, a τ² CI.
    let two = write("two", "study,ai,n1i,ci,n2i\nA,10,100,20,100\nB,30,100,25,100\n");
    let r = cli_json(&["meta", two.to_str().unwrap(), "--hksj"]);
    assert_eq!(pooled(&r, "risk-ratio", "reml")["df"], 1.0);
    assert!(pooled(&r, "tau2", "reml")["ci"].is_object());
    // All studies without events: no ratio, an error saying to use the RD; the RD pools.
    let none = write("none", "study,ai,n1i,ci,n2i\nA,0,100,0,100\nB,0,50,0,60\n");
    let (code, err) = cli_err(&["meta", none.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--measure RD"), "{err}");
    let r = cli_json(&["meta", none.to_str().unwrap(), "--measure", "RD"]);
    // ½ is added to studies with a zero cell for the RD too (metafor's escalc): a pooled RD near 0.
    let rd = pooled(&r, "risk-difference", "reml");
    assert!(num(&rd["estimate"]).abs() < 2e-3 && num(&rd["ci"]["lower"]) < 0.0 && num(&rd["ci"]["upper"]) > 0.0, "{rd}");
    assert!(r["notes"].to_string().contains("zero cell") && r["notes"].to_string().contains("A, B"), "{}", r["notes"]);
    // Identical studies: τ² 0, I² 0, Q 0.
    let same = write("same", "study,yi,sei\nA,0.5,0.2\nB,0.5,0.2\nC,0.5,0.2\n");
    let r = cli_json(&["meta", same.to_str().unwrap()]);
    assert_eq!(pooled(&r, "tau2", "reml")["estimate"], 0.0);
    assert_eq!(pooled(&r, "i2", "reml")["estimate"], 0.0);
    near(num(&pooled(&r, "cochran-q", "inverse-variance")["statistic"]), 0.0, 1e-12, "Q");
    near(num(&pooled(&r, "effect", "reml")["estimate"]), 0.5, 1e-12, "identical estimate");
    // An SE of 0: an error naming the file line and the study (exit 3).
    let zero = write("zero", "study,yi,sei\nA,0.5,0.2\nB,0.3,0\n");
    let (code, err) = cli_err(&["meta", zero.to_str().unwrap()]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("zero.csv:3") && err.contains("yi, sei") && err.contains("'B'") && err.contains("standard error of 0"), "{err}");
    // A value that is not a number: every one named, exit 3.
    let bad = write("bad", "study,ai,n1i,ci,n2i\nA,10,100,x,100\nB,3,1e,4,20\n");
    let (code, err) = cli_err(&["meta", bad.to_str().unwrap()]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("bad.csv:2: column 'ci' = 'x'") && err.contains("bad.csv:3: column 'n1i'"), "{err}");
    // Events above the total: named.
    let over = write("over", "study,ai,n1i,ci,n2i\nA,120,100,3,100\n");
    let (code, err) = cli_err(&["meta", over.to_str().unwrap()]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("over.csv:2") && err.contains("120/100"), "{err}");
    // A header that says nothing: the roles and --map named.
    let vague = write("vague", "study,a,b\nA,1,2\n");
    let (code, err) = cli_err(&["meta", vague.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--map"), "{err}");
    // --map names columns for roles.
    let mapped = write("mapped", "trial,deaths_t,total_t,deaths_c,total_c\nA,10,100,20,100\nB,30,100,25,100\n");
    let r = cli_json(&["meta", mapped.to_str().unwrap(), "--map", "events1=deaths_t", "--map", "n1=total_t", "--map", "events2=deaths_c", "--map", "n2=total_c"]);
    assert_eq!(r["studies"][1]["study"], "B");
    assert_eq!(r["inputs"]["input"], "counts");
}

#[test]
fn reml_that_runs_out_of_iterations_is_exit_4_naming_the_method_and_last_step() {
    // metafor's REML needs 13 scoring steps on the P6 file (meta.json); two are not enough.
    let (code, err) = cli_err(&["meta", &metadat("dat_lee2004.csv"), "--max-iter", "2"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("REML") && err.contains("did not converge") && err.contains("last step") && err.contains("2 iterations"), "{err}");
    // Enough iterations: the fit.
    let r = cli_json(&["meta", &metadat("dat_lee2004.csv"), "--max-iter", "100"]);
    assert!(num(&pooled(&r, "tau2", "reml")["estimate"]) > 0.05);
}

/// The shipped claims of the metadat reviews reproduce (the P6 review's pooled RR, MH RR, I²,
/// τ², Q and Egger p; BCG's REML RR, τ², latitude slope and R²; magnesium's Peto ORs with and
/// without ISIS-4), each equal to metafor's number; a changed figure does not (exit 1).
#[test]
fn metadat_claims_reproduce_and_a_changed_figure_does_not() {
    let path = dataset("metadat/claims.toml");
    let out = crate::common::cli(&["check", &path, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let claims = r["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 12);
    assert!(claims.iter().all(|c| c["verdict"] == "reproduced"), "{claims:?}");
    let d = load("meta.json");
    let case = |n: &str| d["cases"].as_array().unwrap().iter().find(|c| c["name"] == n).unwrap().clone();
    let value = |id: &str| claims.iter().find(|c| c["id"] == id).unwrap()["computed_value"].as_f64().unwrap();
    let lee = case("lee2004_rr");
    let reml = lee["fits"].as_array().unwrap().iter().find(|f| f["method"] == "REML" && f["test"] == "z").unwrap().clone();
    near(value("p6-pooled-rr").ln(), num(&reml["tight"]["b"]), 1e-8, "P6 pooled RR = metafor");
    near(value("p6-mh-rr").ln(), num(&lee["mh"]["b"]), 1e-9, "P6 MH RR = rma.mh");
    near(value("magnesium-all").ln(), num(&case("egger2001_peto")["peto"]["b"]), 1e-9, "Peto OR = rma.peto");
    near(value("magnesium-without-isis4").ln(), num(&case("egger2001_peto_no_isis4")["peto"]["b"]), 1e-9, "Peto OR without ISIS-4 = rma.peto");
    let dir = tempfile::tempdir().unwrap();
    for f in ["dat_lee2004.csv", "dat_bcg.csv", "dat_egger2001.csv"] {
        std::fs::copy(dataset(&format!("metadat/{f}")), dir.path().join(f)).unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = dir.path().join("claims.toml");
    std::fs::write(&changed, text.replace("cited = \"46%\"", "cited = \"37%\"")).unwrap();
    let out = crate::common::cli(&["check", changed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not reproduced"));
}

/// The shipped study spec writes every meta-analysis's tables and its forest and funnel plots.
#[test]
fn metadat_study_spec_writes_tables_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("report");
    let out = crate::common::cli(&["report", &dataset("metadat/study.toml"), "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(out_dir.join("tables/p6.json")).unwrap()).unwrap();
    assert_eq!(json["command"], "meta");
    let studies = json["studies"].as_array().unwrap();
    assert_eq!(studies.iter().filter(|s| s.get("filled").is_none()).count(), 16);
    // Trim and fill (L0) imputes one study on the right, as metafor's trimfill (meta_more.json).
    assert_eq!(studies.iter().filter(|s| s["filled"] == true).count(), 1);
    let loo = json["results"].as_array().unwrap().iter().filter(|e| e["sensitivity"] == "leave-one-out" && e["measure"] == "risk-ratio").count();
    assert_eq!(loo, 16, "one leave-one-out fit per study");
    let md = std::fs::read_to_string(out_dir.join("tables/p6.md")).unwrap();
    for heading in ["Studies", "Pooled estimates", "Heterogeneity", "Small-study effects", "Leave one out", "Cumulative meta-analysis"] {
        assert!(md.contains(heading), "{heading} in {md}");
    }
    let bcg = std::fs::read_to_string(out_dir.join("tables/bcg.md")).unwrap();
    assert!(bcg.contains("Subgroups") && bcg.contains("Meta-regression"), "{bcg}");
    for p in ["p6-forest", "p6-funnel", "bcg-forest", "magnesium-forest"] {
        for ext in ["svg", "png"] {
            assert!(out_dir.join(format!("plots/{p}.{ext}")).exists(), "{p}.{ext} written");
        }
    }
    // The methods paragraph names what each analysis used, sensitivity analyses included, with
    // their references.
    let html = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    for want in [
        "random-effects meta-analysis with τ² by restricted maximum likelihood [3]",
        "heterogeneity as τ², I² and H² with Q-profile intervals [5]",
        "leave-one-out analysis; cumulative meta-analysis and trim and fill (L0 estimator) [7]",
        "<li>Duval S, Tweedie R. Trim and fill",
        "Peto&#39;s one-step odds ratio [8]",
        "<p class=\"convention\">Effects are P6 vs Sham in every study.</p>",
    ] {
        assert!(html.contains(want), "index.html lacks {want}");
    }
}

/// Data errors of the study file name the file, line, columns, value and study (exit 3): an
/// estimate outside its CI, a ratio CI reaching 0, an arm given twice for a study of a long
/// file, a study without the value a cumulative analysis is ordered by, a ratio of means of a
/// negative mean.
#[test]
fn study_file_errors_name_line_column_and_value() {
    let outside = write("outside", "study,rr,lower,upper\nA,0.5,0.6,0.9\n");
    let (code, err) = cli_err(&["meta", outside.to_str().unwrap(), "--measure", "RR"]);
    assert!(code == 3 && err.contains("outside.csv:2") && err.contains("rr, lower, upper") && err.contains("0.5 (0.6 to 0.9)") && err.contains("within its CI"), "{code} {err}");
    let zero = write("zeroci", "study,rr,lower,upper\nA,0.5,0,0.9\n");
    let (code, err) = cli_err(&["meta", zero.to_str().unwrap(), "--measure", "RR"]);
    assert!(code == 3 && err.contains("zeroci.csv:2") && err.contains("must be > 0") && err.contains("--measure generic"), "{code} {err}");
    let twice = write("twice", "id,arm,events,n\n1,A,3,10\n1,A,4,10\n1,B,2,10\n");
    let (code, err) = cli_err(&["meta", twice.to_str().unwrap(), "--study", "id", "--arm", "arm", "--treatment", "A", "--control", "B"]);
    assert!(code == 3 && err.contains("twice.csv:3") && err.contains("'arm'") && err.contains("lines 2, 3"), "{code} {err}");
    let unordered = write("unordered", "study,year,yi,sei\nA,2001,0.1,0.2\nB,,0.3,0.2\n");
    let (code, err) = cli_err(&["meta", unordered.to_str().unwrap(), "--cumulative", "year"]);
    assert!(code == 3 && err.contains("unordered.csv:3") && err.contains("'year'") && err.contains("'B'"), "{code} {err}");
    let rom = write("rom", "study,m1i,sd1i,n1i,m2i,sd2i,n2i\nA,-1,1,10,2,1,10\n");
    let (code, err) = cli_err(&["meta", rom.to_str().unwrap(), "--measure", "ROM"]);
    assert!(code == 3 && err.contains("rom.csv:2") && err.contains("positive means"), "{code} {err}");
    // Flags: a third label, a malformed --map, an unknown τ² estimator or PI (exit 2).
    let (code, err) = cli_err(&["meta", zero.to_str().unwrap(), "--labels", "a,b,c"]);
    assert!(code == 2 && err.contains("--labels"), "{err}");
    let (code, err) = cli_err(&["meta", zero.to_str().unwrap(), "--map", "events1"]);
    assert!(code == 2 && err.contains("ROLE=COLUMN"), "{err}");
    let (code, err) = cli_err(&["meta", zero.to_str().unwrap(), "--method", "XYZ"]);
    assert!(code == 2 && err.contains("REML, DL, PM"), "{err}");
    let (code, err) = cli_err(&["meta", zero.to_str().unwrap(), "--pi", "q"]);
    assert!(code == 2 && err.contains("k − 2"), "{err}");
}
