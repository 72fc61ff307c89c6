//! `trialstat baseline` ("Table 1") against R (tests/reference/baseline.R → baseline.json):
//! per arm and overall, mean, SD, median and quartiles (type 7) of continuous variables and n (%)
//! of every level of categorical ones, on the headache trial and the CDISC pilot ADSL. Closed
//! forms: 1e-12 relative (R's mean uses extended precision). And the rules that keep a guess out:
//! numeric codes must be declared, a subject's baseline value is one value.

use crate::common::{cli_err, cli_json, dataset, load, num};
use serde_json::Value;

fn near(got: f64, want: f64, ctx: &str) {
    assert!((got - want).abs() <= 1e-12 * want.abs().max(1.0), "{ctx}: got {got:.17e}, want {want:.17e}");
}

/// Every number of `table` (trialstat's JSON `baseline`) against the reference of `file`.
fn check(table: &Value, reference: &Value) {
    let groups = table["groups"].as_array().unwrap();
    let want_groups = reference["groups"].as_array().unwrap();
    assert_eq!(groups.len(), want_groups.len());
    for (g, w) in groups.iter().zip(want_groups) {
        assert_eq!(g["group"], w["label"], "group order: control first, then the others, then Overall");
        assert_eq!(g["n"], w["N"]);
    }
    let rows = table["rows"].as_array().unwrap();
    for (r, w) in rows.iter().zip(reference["variables"].as_array().unwrap()) {
        assert_eq!(r["column"], w["column"]);
        assert_eq!(r["kind"], w["kind"]);
        for (gi, g) in groups.iter().enumerate() {
            let wg = &w["by_group"][g["group"].as_str().unwrap()];
            let ctx = format!("{} {}", r["column"], g["group"]);
            if r["kind"] == "continuous" {
                let s = &r["summaries"][gi];
                assert_eq!(s["n"], wg["n"], "{ctx} n");
                assert_eq!(s["n_missing"], wg["n_missing"], "{ctx} missing");
                for k in ["mean", "sd", "median", "q1", "q3", "min", "max"] {
                    near(num(&s[k]), num(&wg[k]), &format!("{ctx} {k}"));
                }
            } else {
                for wl in wg["levels"].as_array().unwrap() {
                    let level = wl["level"].as_str().unwrap();
                    let l = r["levels"].as_array().unwrap().iter().find(|l| l["level"] == level).unwrap_or_else(|| panic!("{ctx}: level {level}"));
                    assert_eq!(l["counts"][gi], wl["count"], "{ctx} {level} count");
                    near(num(&l["percents"][gi]), num(&wl["percent"]), &format!("{ctx} {level} %"));
                }
            }
        }
    }
}

#[test]
fn headache_table_one_matches_r() {
    let d = load("baseline.json");
    let r = cli_json(&[
        "baseline",
        &dataset("acupuncture_headache/acupuncture_headache.csv"),
        "--arm", "group", "--control", "0",
        "--vars", "age,sex,migraine,chronicity,pk1",
        "--categorical", "sex,migraine",
    ]);
    check(&r["baseline"], &d["files"]["headache"]);
}

#[test]
fn adsl_table_one_matches_r_with_missing_values() {
    let d = load("baseline.json");
    let r = cli_json(&["baseline", &dataset("cdisc_pilot01/adsl.csv"), "--arm", "TRT01P", "--control", "Placebo", "--vars", "AGE,SEX,RACE,BMIBL,AGEGR1"]);
    check(&r["baseline"], &d["files"]["adsl"]);
    // Without --arm, Table 1 is by randomised (planned) treatment, TRT01P, not TRT01A.
    let by_default = cli_json(&["baseline", &dataset("cdisc_pilot01/adsl.csv"), "--control", "Placebo", "--vars", "AGE,SEX,RACE,BMIBL,AGEGR1"]);
    assert_eq!(by_default["baseline"], r["baseline"]);
    assert!(by_default["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().starts_with("Arms: column TRT01P (randomised treatment")));
    // BMIBL's one missing value is shown per arm, never dropped silently.
    let bmi = r["baseline"]["rows"].as_array().unwrap().iter().find(|x| x["column"] == "BMIBL").unwrap().clone();
    let missing: Vec<u64> = bmi["summaries"].as_array().unwrap().iter().map(|s| s["n_missing"].as_u64().unwrap()).collect();
    assert_eq!(missing, [0, 0, 1, 1]);
}

#[test]
fn labels_levels_units_and_one_precision_in_text() {
    let out = crate::common::cli(&[
        "baseline",
        &dataset("acupuncture_headache/acupuncture_headache.csv"),
        "--arm", "group", "--control", "0",
        "--vars", "age,sex",
        "--categorical", "sex",
        "--levels", "sex=1:Female,0:Male",
        "--label", "age=Age", "--unit", "age=years",
        "--arm-label", "0=Usual care", "--arm-label", "1=Acupuncture",
        "--format", "markdown",
    ]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{md}");
    assert!(md.contains("| Characteristic | Usual care (N = 196) | Acupuncture (N = 205) | Overall (N = 401) |"), "{md}");
    // R: mean 45.34 (SD 11.48) for usual care; 165/196 = 84.2% women; levels in the order given.
    assert!(md.contains("| \u{a0}\u{a0}\u{a0}\u{a0}mean (SD) | 45.3 (11.5) |"), "{md}");
    let female = md.find("Female").unwrap();
    let male = md.find("Male |").unwrap();
    assert!(female < male, "levels in the order given");
    assert!(md.contains("| \u{a0}\u{a0}\u{a0}\u{a0}Female | 165 (84.2) | 172 (83.9) | 337 (84.0) |"), "{md}");
    assert!(md.contains("Age (years)"), "{md}");
    // CSV: full precision, one row per variable, level and group.
    let csv = crate::common::cli(&["baseline", &dataset("acupuncture_headache/acupuncture_headache.csv"), "--arm", "group", "--control", "0", "--vars", "age", "--format", "csv"]);
    let text = String::from_utf8_lossy(&csv.stdout);
    assert_eq!(text.lines().next().unwrap(), trialstat::render::BASELINE_CSV_COLUMNS.join(","));
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn codes_must_be_declared_and_a_subject_has_one_baseline_value() {
    // sex 0/1 as numbers: a guess either way; the error says how to declare it.
    let (code, err) = cli_err(&["baseline", &dataset("acupuncture_headache/acupuncture_headache.csv"), "--arm", "group", "--control", "0", "--vars", "age,sex"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sex") && err.contains("--categorical") && err.contains("(0, 1)"), "{err}");
    // A level label for a value the column does not have.
    let (code, err) = cli_err(&["baseline", &dataset("acupuncture_headache/acupuncture_headache.csv"), "--arm", "group", "--control", "0", "--vars", "sex", "--levels", "sex=2:Other"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("'2'") && err.contains("0, 1"), "{err}");
    // A long file whose subject has two ages.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("long.csv");
    std::fs::write(&p, "USUBJID,ARM,AVISIT,AGE\n1,A,Week 1,50\n1,A,Week 2,51\n2,B,Week 1,40\n2,B,Week 2,40\n").unwrap();
    let (code, err) = cli_err(&["baseline", p.to_str().unwrap(), "--arm", "ARM", "--control", "B", "--vars", "AGE", "--continuous", "AGE"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("long.csv:3") && err.contains("AGE") && err.contains("line 2"), "{err}");
    // The same file with one age per subject: one row per subject.
    std::fs::write(&p, "USUBJID,ARM,AVISIT,AGE\n1,A,Week 1,50\n1,A,Week 2,50\n2,B,Week 1,40\n2,B,Week 2,40\n").unwrap();
    let r = cli_json(&["baseline", p.to_str().unwrap(), "--arm", "ARM", "--control", "B", "--vars", "AGE", "--continuous", "AGE"]);
    assert_eq!(r["baseline"]["groups"][2]["n"], 2);
}

/// The bundled headache study shows Table 1 before its analyses, in index.html and as tables.
#[test]
fn bundled_study_report_shows_table_one_first() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("report");
    let out = crate::common::cli(&["report", &dataset("acupuncture_headache/study.toml"), "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    let t1 = html.find("<h2 id=\"table-baseline\">Baseline characteristics</h2>").expect("Table 1 section");
    let first_analysis = html.find("<h2 id=\"analysis-").unwrap();
    assert!(t1 < first_analysis, "Table 1 before the analyses");
    assert!(html.contains("<th>Usual care (N = 196)</th><th>Acupuncture (N = 205)</th><th>Overall (N = 401)</th>"));
    assert!(html.contains("<td>165 (84.2)</td>"), "women in usual care, as R");
    // Analyses under their titles, the primary endpoint marked, no stray version line at the top.
    assert!(html.contains("Headache score: change from baseline to 3 and 12 months (primary endpoint: 12 months) <span class=\"primary\">primary endpoint</span></h2>"), "primary marked");
    assert!(html.contains(">Responders: at least 35% improvement in headache score at 12 months</h2>"));
    assert!(!html.contains("<p>trialstat "), "the version sits with the inputs");
    assert!(html.contains("Generated by trialstat") && html.contains("@media print") && html.contains("white-space:pre-wrap"));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("open {}", out_dir.join("index.html").display())));
    // The stratified forest as journals print it: events/n per stratum, favours labels, MH diamond.
    let svg = std::fs::read_to_string(out_dir.join("plots/responders-by-migraine.svg")).unwrap();
    for s in ["Favours acupuncture", "Favours usual care", "86/152", "43/132", "Mantel–Haenszel risk ratio", "Breslow–Day", "Risk ratio (95% CI)"] {
        assert!(svg.contains(s), "{s} in the stratified forest plot");
    }
    // The waterfall: the threshold with its unit, the subjects without a 12-month value counted.
    let svg = std::fs::read_to_string(out_dir.join("plots/waterfall.svg")).unwrap();
    assert!(svg.contains("responder threshold -35 %") && svg.contains("301 shown; 100 without a value"), "waterfall caption and threshold");
    // Visits labelled and spaced by time (3 and 12 months), n under each, the unit on the axis.
    let svg = std::fs::read_to_string(out_dir.join("plots/change-over-visits.svg")).unwrap();
    for s in ["3 months", "12 months", "n = 140 / 161", "Months since randomisation", "points (95% CI)", "Randomised: usual care 196, acupuncture 205"] {
        assert!(svg.contains(s), "{s} in the visits plot");
    }
    // Subtitles for readers: the population and n of each arm, control first; never file names.
    let svg = std::fs::read_to_string(out_dir.join("plots/waterfall.svg")).unwrap();
    assert!(svg.contains("Complete cases: usual care n = 140 of 196, acupuncture n = 161 of 205"), "waterfall subtitle");
    let svg = std::fs::read_to_string(out_dir.join("plots/change-box.svg")).unwrap();
    assert!(svg.contains("Complete cases: usual care n = 153 of 196, acupuncture n = 173 of 205"), "box subtitle (3 months)");
    for p in std::fs::read_dir(out_dir.join("plots")).unwrap() {
        let p = p.unwrap().path();
        if p.extension().is_some_and(|e| e == "svg") {
            assert!(!std::fs::read_to_string(&p).unwrap().contains(".csv"), "{} names a file", p.display());
        }
    }
    let json: Value = serde_json::from_str(&std::fs::read_to_string(out_dir.join("tables/baseline.json")).unwrap()).unwrap();
    check(&json["baseline"], &load("baseline.json")["files"]["headache"]);
}
