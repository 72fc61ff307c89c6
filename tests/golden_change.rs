//! `trialstat change` on the bundled trials against R 4.2 (tests/reference/change.R: `t.test`,
//! `wilcox.test`, effectsize 0.8.3 `hedges_g`, `lm`), the published figures, and its errors.
//!
//! Tolerances: closed forms (summaries, t tests, Welch, ANCOVA, the rank statistics and their
//! normal-approximation p-values) 1e-9 relative. The Hodges–Lehmann estimates and CIs and the
//! Hedges' g CI come from root searches: R stops its own near 1e-4 (uniroot), so they are
//! compared with the script's tightly solved values (`tight`) to 1e-7 relative (absolute for 0).

use crate::common::{assert_rel9, cli_err, cli_json, dataset, load, num};
use serde_json::Value;

/// The CLI arguments reproducing a reference case.
fn args_for(case: &Value) -> Vec<String> {
    let name = case["name"].as_str().unwrap();
    let file = format!("{}/{}", env!("CARGO_MANIFEST_DIR"), case["file"].as_str().unwrap());
    let mut a: Vec<String> = vec!["change".into(), file];
    if name == "cdisc_adas" {
        a.extend(["--where", "EFFFL = 'Y' and ANL01FL = 'Y'", "--baseline-visit", "Baseline", "--followup-visit", "Week 24", "--covariates", "factor(SITEGR1)"].map(String::from));
    } else {
        a.extend(["--baseline", case["baseline"].as_str().unwrap(), "--followup", case["followup"].as_str().unwrap()].map(String::from));
        a.extend(["--control".to_string(), case["control"].as_str().unwrap().to_string()]);
        let covs: Vec<&str> = case["covariates"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        if !covs.is_empty() {
            a.extend(["--covariates".to_string(), covs.join(",")]);
        }
    }
    a
}

fn result<'a>(j: &'a Value, measure: &str, group: &str) -> &'a Value {
    j["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["measure"] == measure && r["group"] == group)
        .unwrap_or_else(|| panic!("no {measure} for {group}"))
}

/// Root-search results: within 1e-7 relative, or 1e-7 absolute below 1 (a shift of 0 is
/// solved to a few 1e-13 by R's tight search).
fn check_tight(got: &Value, want: &Value, ctx: &str) {
    let t = &want["tight"];
    for (g, w, what) in [(&got["estimate"], &t["estimate"], "estimate"), (&got["ci"]["lower"], &t["lower"], "lower"), (&got["ci"]["upper"], &t["upper"], "upper")] {
        let (g, w) = (num(g), num(w));
        assert!((g - w).abs() <= 1e-7 * w.abs().max(1.0), "{ctx} {what}: got {g:e}, want {w:e}");
    }
}

#[test]
fn every_case_matches_r() {
    let r = load("change.json");
    for case in r["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let args = args_for(case);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let j = cli_json(&argv);
        for (arm, want) in case["arms"].as_object().unwrap() {
            let ctx = format!("{name} {arm}");
            assert_eq!(j["inputs"]["n_pairs"][arm].as_u64(), want["n_pairs"].as_u64(), "{ctx} pairs");
            assert_eq!(j["inputs"]["missing_pairs"][arm].as_u64(), want["missing_pairs"].as_u64(), "{ctx} missing");
            for (var, key) in [("baseline", "baseline"), ("follow-up", "followup"), ("change", "change"), ("percent-change", "percent_change")] {
                let s = j["summaries"].as_array().unwrap().iter().find(|s| s["group"] == arm.as_str() && s["variable"] == var).unwrap();
                for f in ["mean", "sd", "median", "q1", "q3"] {
                    assert_rel9(num(&s[f]), num(&want[key][f]), &format!("{ctx} {var} {f}"));
                }
                assert_eq!(s["n"].as_u64(), want[key]["n"].as_u64(), "{ctx} {var} n");
            }
            let t = result(&j, "mean-change", arm);
            let w = &want["paired_t"];
            assert_rel9(num(&t["estimate"]), num(&w["estimate"]), &format!("{ctx} paired t estimate"));
            assert_rel9(num(&t["ci"]["lower"]), num(&w["lower"]), &format!("{ctx} paired t lower"));
            assert_rel9(num(&t["ci"]["upper"]), num(&w["upper"]), &format!("{ctx} paired t upper"));
            assert_rel9(num(&t["statistic"]), num(&w["statistic"]), &format!("{ctx} paired t"));
            assert_rel9(num(&t["p_value"]), num(&w["p_value"]), &format!("{ctx} paired p"));
            assert_rel9(num(&t["se"]), num(&w["se"]), &format!("{ctx} paired se"));
            for (measure, key) in [("d-z", "d_z"), ("g-z", "g_z")] {
                let e = result(&j, measure, arm);
                assert_eq!(e["method"], "noncentral-t");
                assert_rel9(num(&e["estimate"]), num(&want["standardized"][key]["estimate"]), &format!("{ctx} {measure}"));
                check_tight(e, &want["standardized"][key], &format!("{ctx} {measure}"));
            }
            let v = result(&j, "wilcoxon-signed-rank", arm);
            let w = &want["signed_rank"];
            assert_eq!(v["method"], if w["exact"].as_bool().unwrap() { "exact" } else { "normal" }, "{ctx} signed-rank method");
            assert_rel9(num(&v["statistic"]), num(&w["statistic"]), &format!("{ctx} V"));
            assert_rel9(num(&v["p_value"]), num(&w["p_value"]), &format!("{ctx} signed-rank p"));
            check_tight(v, w, &format!("{ctx} signed-rank"));
        }
        for cmp in case["comparisons"].as_array().unwrap() {
            let g = format!("{} vs {}", cmp["treatment"].as_str().unwrap(), cmp["control"].as_str().unwrap());
            let ctx = format!("{name} {g}");
            let w = &cmp["welch"];
            let e = result(&j, "mean-difference", &g);
            for (got, key) in [(&e["estimate"], "estimate"), (&e["ci"]["lower"], "lower"), (&e["ci"]["upper"], "upper"), (&e["statistic"], "statistic"), (&e["df"], "df"), (&e["p_value"], "p_value"), (&e["se"], "se")] {
                assert_rel9(num(got), num(&w[key]), &format!("{ctx} welch {key}"));
            }
            let e = result(&j, "hedges-g", &g);
            assert!(e.get("outcome").is_none(), "{ctx}: the first Hedges' g is of the change");
            assert_rel9(num(&e["estimate"]), num(&cmp["hedges_g"]["estimate"]), &format!("{ctx} g"));
            check_tight(e, &cmp["hedges_g"], &format!("{ctx} g"));
            let e = j["results"].as_array().unwrap().iter().find(|r| r["measure"] == "hedges-g" && r["group"] == g.as_str() && r["outcome"] == "percent-change").unwrap();
            assert_rel9(num(&e["estimate"]), num(&cmp["hedges_g_percent"]["estimate"]), &format!("{ctx} g of percent change"));
            check_tight(e, &cmp["hedges_g_percent"], &format!("{ctx} g of percent change"));
            let e = result(&j, "hodges-lehmann", &g);
            let w = &cmp["mann_whitney"];
            assert_eq!(e["method"], if w["exact"].as_bool().unwrap() { "exact" } else { "normal" }, "{ctx} rank-sum method");
            assert_rel9(num(&e["statistic"]), num(&w["statistic"]), &format!("{ctx} W"));
            assert_rel9(num(&e["p_value"]), num(&w["p_value"]), &format!("{ctx} rank-sum p"));
            check_tight(e, w, &format!("{ctx} HL"));
            let e = result(&j, "ancova-difference", &g);
            let w = &cmp["ancova"];
            for (got, key) in [(&e["estimate"], "estimate"), (&e["ci"]["lower"], "lower"), (&e["ci"]["upper"], "upper"), (&e["statistic"], "statistic"), (&e["df"], "df"), (&e["p_value"], "p_value"), (&e["se"], "se")] {
                assert_rel9(num(got), num(&w[key]), &format!("{ctx} ancova {key}"));
            }
            assert_eq!(e["n"].as_u64(), w["n"].as_u64(), "{ctx} ancova n");
        }
    }
}

#[test]
fn published_figures() {
    // BMJ 2004 (Vickers et al.): headache score at 12 months adjusted for baseline, age, sex,
    // migraine and chronicity: 4.6 (2.2 to 7.0) in favour of acupuncture.
    let h = dataset("acupuncture_headache/acupuncture_headache.csv");
    let j = cli_json(&["change", &h, "--baseline", "pk1", "--followup", "pk5", "--treatment", "1", "--covariates", "age,sex,migraine,chronicity"]);
    let e = result(&j, "ancova-difference", "1 vs 0");
    let r1 = |x: f64| (x * 10.0).round() / 10.0;
    assert_eq!((r1(num(&e["estimate"])), r1(num(&e["ci"]["lower"])), r1(num(&e["ci"]["upper"]))), (-4.6, -7.1, -2.2));
    // OPT, J Periodontol 2009: 620 women with baseline and follow-up serum (T 302, C 318),
    // median IL-6 4.9 at both visits in both arms.
    let j = cli_json(&["change", &dataset("opt/opt.csv"), "--baseline", "O61", "--followup", "O65", "--control", "C"]);
    assert_eq!((j["inputs"]["n_pairs"]["T"].as_u64(), j["inputs"]["n_pairs"]["C"].as_u64()), (Some(302), Some(318)));
    for s in j["summaries"].as_array().unwrap().iter().filter(|s| s["variable"] == "baseline" || s["variable"] == "follow-up") {
        assert_eq!(num(&s["median"]), 4.9, "{s}");
    }
}

#[test]
fn three_arms_share_one_ancova_and_visits_default_to_all() {
    // No follow-up visit named: every visit other than the baseline, in file order.
    let f = dataset("cdisc_pilot01/adqsadas_actot.csv");
    let j = cli_json(&["change", &f, "--where", "EFFFL = 'Y' and ANL01FL = 'Y'", "--baseline-visit", "Baseline"]);
    let mut visits: Vec<&str> = j["results"].as_array().unwrap().iter().map(|r| r["visit"].as_str().unwrap()).collect();
    visits.dedup();
    assert_eq!(visits, ["Week 8", "Week 16", "Week 24"]);
    assert_eq!(j["inputs"]["analyses"].as_array().unwrap().len(), 3);
    // Mean change at Week 24 as the provenance gives: 2.54 / 2.00 / 1.47.
    let w24: Vec<f64> = ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"]
        .iter()
        .map(|a| num(&j["results"].as_array().unwrap().iter().find(|r| r["visit"] == "Week 24" && r["measure"] == "mean-change" && r["group"] == *a).unwrap()["estimate"]))
        .collect();
    assert_eq!(w24.iter().map(|x| (x * 100.0).round() / 100.0).collect::<Vec<_>>(), [2.54, 2.0, 1.47]);
}

#[test]
fn bad_input_names_file_line_column_value() {
    let f = dataset("cdisc_pilot01/adqsadas_actot.csv");
    // Without ANL01FL, three subjects have an observed and an LOCF row at Week 24.
    let (code, e) = cli_err(&["change", &f, "--where", "EFFFL = 'Y'", "--baseline-visit", "Baseline", "--followup-visit", "Week 24"]);
    assert_eq!(code, 3, "{e}");
    assert!(e.contains("adqsadas_actot.csv:") && e.contains("column 'AVISIT' = 'Week 24'") && e.contains("has two rows for visit 'Week 24' and parameter 'ACTOT' (lines ") && e.contains("ANL01FL"), "{e}");
    // A misspelt visit and a misspelt arm get the closest suggestion.
    let (code, e) = cli_err(&["change", &f, "--baseline-visit", "Baseline", "--followup-visit", "Week 25"]);
    assert_eq!(code, 2);
    assert!(e.contains("--followup-visit = 'Week 25'") && e.contains("did you mean 'Week 24'"), "{e}");
    let (code, e) = cli_err(&["change", &f, "--baseline-visit", "Baseline", "--control", "placebo"]);
    assert_eq!(code, 2);
    assert!(e.contains("did you mean 'Placebo'"), "{e}");
    // A covariate that is not a column.
    let h = dataset("acupuncture_headache/acupuncture_headache.csv");
    let (code, e) = cli_err(&["change", &h, "--baseline", "pk1", "--followup", "pk5", "--control", "0", "--covariates", "agee"]);
    assert_eq!(code, 2);
    assert!(e.contains("--covariates 'agee': no such column (did you mean 'age'?)"), "{e}");
    // An empty group after filtering.
    let (code, e) = cli_err(&["change", &h, "--baseline", "pk1", "--followup", "pk5", "--control", "0", "--treatment", "1", "--where", "group = 1"]);
    assert_eq!(code, 2);
    assert!(e.contains("--control = '0'") && e.contains("after --where \"group = 1\""), "{e}");
}

#[test]
fn zero_baseline_is_an_error_unless_percent_change_is_off() {
    let dir = std::env::temp_dir().join(format!("trialstat-change-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("zero.csv");
    std::fs::write(&p, "id,arm,vas0,vas6\n1,A,50,20\n2,A,0,10\n3,A,40,30\n4,B,60,55\n5,B,30,35\n6,B,45,40\n").unwrap();
    let f = p.to_str().unwrap();
    let (code, e) = cli_err(&["change", f, "--baseline", "vas0", "--followup", "vas6", "--control", "B"]);
    assert_eq!(code, 3);
    assert!(e.contains("zero.csv:3: column 'vas0' = '0'") && e.contains("--no-percent"), "{e}");
    let j = cli_json(&["change", f, "--baseline", "vas0", "--followup", "vas6", "--control", "B", "--no-percent"]);
    assert!(j["summaries"].as_array().unwrap().iter().all(|s| s["variable"] != "percent-change"));
    // Mean change in A: (−30 + 10 − 10)/3 = −10.
    assert_rel9(num(&result(&j, "mean-change", "A")["estimate"]), -10.0, "mean change A");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cells_keep_their_spelling() {
    // "07" and "7" are different subjects and "1.50" prints as written: columns are read as text.
    let dir = std::env::temp_dir().join(format!("trialstat-spelling-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("ids.csv");
    std::fs::write(&p, "id,arm,b,f\n07,A,10,5\n7,A,12,6\n8,B,11,10\n9,B,13,abc\n").unwrap();
    let (code, e) = cli_err(&["change", p.to_str().unwrap(), "--baseline", "b", "--followup", "f", "--control", "B"]);
    assert_eq!(code, 3);
    assert!(e.contains("ids.csv:5: column 'f' = 'abc': not a number"), "{e}");
    std::fs::write(&p, "id,arm,b,f\n07,A,10,5\n7,A,12,6\n8,B,11,10\n9,B,13,1.50\n").unwrap();
    let j = cli_json(&["change", p.to_str().unwrap(), "--baseline", "b", "--followup", "f", "--control", "B"]);
    assert_eq!(j["inputs"]["n_pairs"]["A"], 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--quantile-type K`: the summaries' quartiles are R's `quantile(type = K)` (quantile_cmd.R),
/// for every type; out-of-range types are refused by the parser.
#[test]
fn quantile_types_match_r() {
    let r = load("quantile_cmd.json");
    let f = dataset("acupuncture_headache/acupuncture_headache.csv");
    for k in 1..=9 {
        let kt = k.to_string();
        let j = cli_json(&["change", &f, "--subject", "id", "--arm", "group", "--baseline", "pk1", "--followup", "pk5", "--control", "0", "--quantile-type", &kt]);
        for arm in ["1", "0"] {
            for (var, key) in [("baseline", "baseline"), ("change", "change")] {
                let s = j["summaries"].as_array().unwrap().iter().find(|s| s["group"] == arm && s["variable"] == var).unwrap();
                assert_eq!(s["quantile_type"].as_u64(), Some(k), "type {k}");
                let w = &r[arm][key][format!("type{k}")];
                assert_rel9(num(&s["q1"]), num(&w["q1"]), &format!("type {k} arm {arm} {var} q1"));
                assert_rel9(num(&s["q3"]), num(&w["q3"]), &format!("type {k} arm {arm} {var} q3"));
            }
        }
    }
    let (code, e) = cli_err(&["change", &f, "--baseline", "pk1", "--followup", "pk5", "--control", "0", "--quantile-type", "10"]);
    assert_eq!(code, 2);
    assert!(e.contains("--quantile-type") && e.contains("10"), "{e}");
}

/// A single-arm file (the headache trial's acupuncture arm alone): the pre/post statistics of that
/// arm, equal to R's for the same subjects (change.R, case headache, arm 1), no comparison and
/// no ANCOVA, with a note saying so.
#[test]
fn single_arm_file_gives_pre_post_statistics() {
    let r = load("change.json");
    let case = r["cases"].as_array().unwrap().iter().find(|c| c["name"] == "headache").unwrap();
    let want = &case["arms"]["1"];
    let src = std::fs::read_to_string(dataset("acupuncture_headache/acupuncture_headache.csv")).unwrap();
    let mut lines = src.lines();
    let head = lines.next().unwrap();
    let g = head.split(',').position(|c| c == "group").unwrap();
    let kept: Vec<&str> = lines.filter(|l| l.split(',').nth(g) == Some("1")).collect();
    let dir = std::env::temp_dir().join(format!("trialstat-single-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("single.csv");
    std::fs::write(&f, format!("{head}\n{}\n", kept.join("\n"))).unwrap();
    let j = cli_json(&["change", f.to_str().unwrap(), "--subject", "id", "--arm", "group", "--baseline", "pk1", "--followup", "pk5"]);
    let measures: Vec<&str> = j["results"].as_array().unwrap().iter().map(|r| r["measure"].as_str().unwrap()).collect();
    assert_eq!(measures, ["mean-change", "d-z", "g-z", "wilcoxon-signed-rank"]);
    let t = result(&j, "mean-change", "1");
    for (got, key) in [(&t["estimate"], "estimate"), (&t["ci"]["lower"], "lower"), (&t["ci"]["upper"], "upper"), (&t["statistic"], "statistic"), (&t["p_value"], "p_value")] {
        assert_rel9(num(got), num(&want["paired_t"][key]), &format!("single arm paired t {key}"));
    }
    for (measure, key) in [("d-z", "d_z"), ("g-z", "g_z")] {
        check_tight(result(&j, measure, "1"), &want["standardized"][key], &format!("single arm {measure}"));
    }
    let v = result(&j, "wilcoxon-signed-rank", "1");
    assert_rel9(num(&v["statistic"]), num(&want["signed_rank"]["statistic"]), "single arm V");
    check_tight(v, &want["signed_rank"], "single arm signed rank");
    assert!(j["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("pre/post statistics only")));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `trialstat endpoint`: the arms compared on the values at one visit (a wide column, a long
/// file's visit), against R (endpoint.R): summaries, Welch and pooled t, Hedges' g, Mann–Whitney
/// with the Hodges–Lehmann shift.
#[test]
fn endpoint_comparison_matches_r() {
    let r = load("endpoint.json");
    let headache = dataset("acupuncture_headache/acupuncture_headache.csv");
    let adas = dataset("cdisc_pilot01/adqsadas_actot.csv");
    let runs = [
        ("headache", vec!["endpoint", headache.as_str(), "--subject", "id", "--arm", "group", "--followup", "pk5", "--control", "0"]),
        ("cdisc_adas", vec!["endpoint", adas.as_str(), "--where", "EFFFL = 'Y' and ANL01FL = 'Y'", "--followup-visit", "Week 24", "--paramcd", "ACTOT", "--control", "Placebo"]),
    ];
    for (name, args) in runs {
        let case = r["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
        let j = cli_json(&args);
        assert_eq!(j["command"], "endpoint");
        for (arm, want) in case["arms"].as_object().unwrap() {
            let s = j["summaries"].as_array().unwrap().iter().find(|s| s["group"] == arm.as_str()).unwrap();
            assert_eq!(s["n"].as_u64(), want["n"].as_u64(), "{name} {arm} n");
            for f in ["mean", "sd", "median", "q1", "q3"] {
                assert_rel9(num(&s[f]), num(&want[f]), &format!("{name} {arm} {f}"));
            }
        }
        for cmp in case["comparisons"].as_array().unwrap() {
            let g = format!("{} vs {}", cmp["treatment"].as_str().unwrap(), cmp["control"].as_str().unwrap());
            for method in ["welch", "pooled"] {
                let e = j["results"].as_array().unwrap().iter().find(|e| e["measure"] == "mean-difference" && e["method"] == method && e["group"] == g.as_str()).unwrap();
                for (got, key) in [(&e["estimate"], "estimate"), (&e["ci"]["lower"], "lower"), (&e["ci"]["upper"], "upper"), (&e["statistic"], "statistic"), (&e["df"], "df"), (&e["p_value"], "p_value"), (&e["se"], "se")] {
                    assert_rel9(num(got), num(&cmp[method][key]), &format!("{name} {g} {method} {key}"));
                }
            }
            let e = result(&j, "hedges-g", &g);
            assert_rel9(num(&e["estimate"]), num(&cmp["hedges_g"]["estimate"]), &format!("{name} {g} g"));
            check_tight(e, &cmp["hedges_g"], &format!("{name} {g} g"));
            let e = result(&j, "hodges-lehmann", &g);
            let w = &cmp["mann_whitney"];
            assert_eq!(e["method"], if w["exact"].as_bool().unwrap() { "exact" } else { "normal" }, "{name} {g} rank-sum method");
            assert_rel9(num(&e["statistic"]), num(&w["statistic"]), &format!("{name} {g} W"));
            assert_rel9(num(&e["p_value"]), num(&w["p_value"]), &format!("{name} {g} p"));
            check_tight(e, w, &format!("{name} {g} HL"));
        }
    }
    // --rank-method normal-uncorrected: R's wilcox.test(correct = FALSE).
    let case = &r["cases"][0];
    let w = &case["comparisons"][0]["mann_whitney_uncorrected"];
    let j = cli_json(&["endpoint", &headache, "--subject", "id", "--arm", "group", "--followup", "pk5", "--control", "0", "--rank-method", "normal-uncorrected"]);
    let e = result(&j, "hodges-lehmann", "1 vs 0");
    assert_eq!(e["method"], "normal-uncorrected");
    assert_rel9(num(&e["statistic"]), num(&w["statistic"]), "uncorrected W");
    assert_rel9(num(&e["p_value"]), num(&w["p_value"]), "uncorrected p");
    check_tight(e, w, "uncorrected HL");
    let (code, e) = cli_err(&["endpoint", &headache, "--subject", "id", "--arm", "group", "--followup", "pk5", "--control", "0", "--rank-method", "normal-cc"]);
    assert_eq!(code, 2, "{e}");
    assert!(e.contains("--rank-method") && e.contains("normal-uncorrected"), "{e}");
    // An arm with one value: an error naming the file, the arm column and the arm.
    let dir = std::env::temp_dir().join(format!("trialstat-endpoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("one.csv");
    std::fs::write(&f, "id,arm,y\n1,A,3\n2,B,4\n3,B,6\n4,A,\n").unwrap();
    let (code, e) = cli_err(&["endpoint", f.to_str().unwrap(), "--followup", "y", "--control", "B"]);
    assert_eq!(code, 3, "{e}");
    assert!(e.contains("one.csv") && e.contains("column 'arm' = 'A'") && e.contains("1 value(s) of y"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
    // A baseline is not an endpoint option.
    let (code, e) = cli_err(&["endpoint", &adas, "--followup-visit", "Week 24", "--paramcd", "ACTOT", "--control", "Placebo", "--baseline", "BASE"]);
    assert_eq!(code, 2, "{e}");
}

/// `--ci-method pooled,normal-approx`: the pooled-variance t difference of the changes against
/// R's t.test(var.equal = TRUE) (1e-9), Hedges' g, d_z and g_z with the normal-approximation
/// CI (same estimates as the noncentral-t rows); a spec's ci_method gives the same rows; a
/// method no measure of `change` has is an error.
#[test]
fn ci_method_chooses_the_t_and_effect_size_intervals() {
    let d = load("change.json");
    for case in d["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut argv = args_for(case);
        let default = cli_json(&argv.iter().map(String::as_str).collect::<Vec<_>>());
        argv.extend(["--ci-method".to_string(), "pooled,normal-approx".to_string()]);
        let j = cli_json(&argv.iter().map(String::as_str).collect::<Vec<_>>());
        for c in case["comparisons"].as_array().unwrap() {
            let g = format!("{} vs {}", c["treatment"].as_str().unwrap(), c["control"].as_str().unwrap());
            let pooled = j["results"].as_array().unwrap().iter().find(|r| r["measure"] == "mean-difference" && r["group"] == g.as_str()).unwrap();
            assert_eq!(pooled["method"], "pooled", "{name}");
            let want = &c["pooled"];
            assert_rel9(num(&pooled["estimate"]), num(&want["estimate"]), &format!("{name} pooled estimate"));
            assert_rel9(num(&pooled["ci"]["lower"]), num(&want["lower"]), &format!("{name} pooled lower"));
            assert_rel9(num(&pooled["ci"]["upper"]), num(&want["upper"]), &format!("{name} pooled upper"));
            assert_rel9(num(&pooled["se"]), num(&want["se"]), &format!("{name} pooled se"));
            assert_rel9(num(&pooled["p_value"]), num(&want["p_value"]), &format!("{name} pooled p"));
            let g_na = j["results"].as_array().unwrap().iter().find(|r| r["measure"] == "hedges-g" && r["group"] == g.as_str() && r.get("outcome").is_none()).unwrap();
            assert_eq!(g_na["method"], "normal-approx", "{name}");
            assert_eq!(g_na["estimate"], result(&default, "hedges-g", &g)["estimate"], "{name}");
            assert_ne!(g_na["ci"], result(&default, "hedges-g", &g)["ci"], "{name}");
        }
        let dz: Vec<&str> = j["results"].as_array().unwrap().iter().filter(|r| r["measure"] == "d-z").map(|r| r["method"].as_str().unwrap()).collect();
        assert!(!dz.is_empty() && dz.iter().all(|m| *m == "normal-approx"), "{name}: {dz:?}");
    }
    let argv: Vec<String> = args_for(&d["cases"][0]).into_iter().chain(["--ci-method".to_string(), "katz-log".to_string()]).collect();
    let (code, e) = cli_err(&argv.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 2, "{e}");
    assert!(e.contains("katz-log") && e.contains("change"), "{e}");
}

/// `endpoint` reports the Welch and pooled t by default; `--ci-method` narrows or widens it.
#[test]
fn endpoint_ci_method() {
    let h = dataset("acupuncture_headache/acupuncture_headache.csv");
    let base = ["endpoint", h.as_str(), "--subject", "id", "--arm", "group", "--control", "0", "--followup", "pk5"];
    let methods = |extra: &[&str]| -> Vec<(String, String)> {
        let argv: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        cli_json(&argv)["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["measure"] == "mean-difference" || r["measure"] == "hedges-g")
            .map(|r| (r["measure"].as_str().unwrap().to_string(), r["method"].as_str().unwrap().to_string()))
            .collect()
    };
    let pair = |m: &str, k: &str| (m.to_string(), k.to_string());
    assert_eq!(methods(&[]), vec![pair("mean-difference", "welch"), pair("mean-difference", "pooled"), pair("hedges-g", "noncentral-t")]);
    assert_eq!(methods(&["--ci-method", "pooled"]), vec![pair("mean-difference", "pooled"), pair("hedges-g", "noncentral-t")]);
    assert_eq!(methods(&["--ci-method", "all"]), vec![pair("mean-difference", "welch"), pair("mean-difference", "pooled"), pair("hedges-g", "noncentral-t"), pair("hedges-g", "normal-approx")]);
}
