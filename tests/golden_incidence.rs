//! `trialstat incidence` (events per person-time by arm or exposure group) on the CDISC
//! pilot's ADTTE against R's `poisson.test` (tests/reference/incidence.R), and its errors.
//! Tolerance: 1e-9 relative (exact Garwood and conditional binomial limits, closed forms in
//! beta/chi-squared quantiles).

use crate::common::{assert_rel9, cli_err, cli_json, dataset, load, num};
use serde_json::Value;

fn find<'a>(j: &'a Value, measure: &str, group: &str) -> &'a Value {
    j["results"].as_array().unwrap().iter().find(|r| r["measure"] == measure && r["group"] == group).unwrap_or_else(|| panic!("no {measure} {group}"))
}

#[test]
fn adtte_rates_match_r_poisson_test() {
    let r = load("incidence.json");
    let j = cli_json(&["incidence", &dataset("cdisc_pilot01/adtte.csv"), "--censor", "CNSR", "--time", "AVAL", "--time-unit", "days"]);
    for (arm, w) in r["groups"].as_object().unwrap() {
        assert_eq!(j["inputs"]["groups"][arm]["events"].as_u64(), w["events"].as_u64(), "{arm} events");
        assert_rel9(num(&j["inputs"]["groups"][arm]["person_time"]), num(&w["person_time"]), &format!("{arm} person-time"));
        let e = find(&j, "rate", arm);
        assert_rel9(num(&e["estimate"]), num(&w["rate"]), &format!("{arm} rate"));
        assert_rel9(num(&e["ci"]["lower"]), num(&w["lower"]), &format!("{arm} lower"));
        assert_rel9(num(&e["ci"]["upper"]), num(&w["upper"]), &format!("{arm} upper"));
    }
    for w in r["comparisons"].as_array().unwrap() {
        let g = format!("{} vs Placebo", w["treatment"].as_str().unwrap());
        let e = j["results"].as_array().unwrap().iter().find(|r| r["measure"] == "rate-ratio" && r["method"] == "exact-conditional" && r["group"] == g.as_str()).unwrap();
        for (got, key) in [(&e["estimate"], "estimate"), (&e["ci"]["lower"], "lower"), (&e["ci"]["upper"], "upper"), (&e["p_value"], "p_value")] {
            assert_rel9(num(got), num(&w[key]), &format!("{g} {key}"));
        }
    }
}

/// `--time-unit years --per 100`: the same R rates (per person-day) converted with 1 year =
/// 365.25 days; the rate ratio does not change; the table reads "rate per 100 person-years".
#[test]
fn rates_per_100_person_years() {
    let r = load("incidence.json");
    let args = ["incidence", &dataset("cdisc_pilot01/adtte.csv"), "--censor", "CNSR", "--time", "AVAL", "--time-unit", "years", "--per", "100"];
    let j = cli_json(&args);
    assert_eq!((j["inputs"]["data_unit"].as_str(), j["inputs"]["time_unit"].as_str(), j["inputs"]["per"].as_f64()), (Some("days"), Some("years"), Some(100.0)));
    // The flow, control first: every subject's row used.
    let flow: Vec<(&str, u64, u64)> = j["flow"].as_array().unwrap().iter().map(|f| (f["group"].as_str().unwrap(), f["in_file"].as_u64().unwrap(), f["analysed"].as_u64().unwrap())).collect();
    assert_eq!(flow, [("Placebo", 86, 86), ("Xanomeline High Dose", 84, 84), ("Xanomeline Low Dose", 84, 84)]);
    for (arm, w) in r["groups"].as_object().unwrap() {
        assert_rel9(num(&j["inputs"]["groups"][arm]["person_time"]), num(&w["person_time"]) / 365.25, &format!("{arm} person-years"));
        let e = find(&j, "rate", arm);
        for (got, key) in [(&e["estimate"], "rate"), (&e["ci"]["lower"], "lower"), (&e["ci"]["upper"], "upper")] {
            assert_rel9(num(got), num(&w[key]) * 365.25, &format!("{arm} {key} per person-year"));
        }
    }
    for w in r["comparisons"].as_array().unwrap() {
        let g = format!("{} vs Placebo", w["treatment"].as_str().unwrap());
        let e = j["results"].as_array().unwrap().iter().find(|r| r["measure"] == "rate-ratio" && r["method"] == "exact-conditional" && r["group"] == g.as_str()).unwrap();
        assert_rel9(num(&e["estimate"]), num(&w["estimate"]), &format!("{g} rate ratio in years"));
    }
    let out = crate::common::cli(&args[..args.len()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("person-years") && text.contains("rate per 100 person-years") && text.contains("730 ") && text.contains("558 to 937"), "{text}");
    let (code, e) = cli_err(&["incidence", &dataset("cdisc_pilot01/adtte.csv"), "--censor", "CNSR", "--time", "AVAL", "--time-unit", "fortnights"]);
    assert!(code == 2 && e.contains("--time-unit") && e.contains("days, weeks, months or years"), "{code} {e}");
}

#[test]
fn exposure_groups_of_a_cohort_and_bad_input() {
    let dir = std::env::temp_dir().join(format!("trialstat-incid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("cohort.csv");
    // A cohort: exposure groups, events per person-year, one row per subject.
    std::fs::write(&p, "id,exposure,cases,years\n1,smoker,1,2.5\n2,smoker,0,4\n3,smoker,2,3.5\n4,never,0,5\n5,never,1,6\n6,never,0,4\n").unwrap();
    let f = p.to_str().unwrap();
    let j = cli_json(&["incidence", f, "--event", "cases", "--time", "years", "--control", "never"]);
    // smoker 3/10 vs never 1/15: rate ratio 4.5.
    assert_rel9(num(&j["results"].as_array().unwrap().iter().find(|r| r["measure"] == "rate-ratio").unwrap()["estimate"]), 4.5, "rate ratio");
    assert_eq!(j["inputs"]["arm_column"], "exposure");
    // Negative person-time, a bad count, a bad censoring flag, a misspelt column.
    std::fs::write(&p, "id,exposure,cases,years\n1,smoker,1,2.5\n2,smoker,0,-4\n3,never,0,5\n").unwrap();
    let (code, e) = cli_err(&["incidence", f, "--event", "cases", "--time", "years", "--control", "never"]);
    assert_eq!(code, 3);
    assert!(e.contains("cohort.csv:3: column 'years' = '-4': negative person-time"), "{e}");
    std::fs::write(&p, "id,exposure,cases,years\n1,smoker,1.5,2.5\n2,never,0,5\n").unwrap();
    let (code, e) = cli_err(&["incidence", f, "--event", "cases", "--time", "years", "--control", "never"]);
    assert_eq!(code, 3);
    assert!(e.contains("cohort.csv:2: column 'cases' = '1.5': not an event count"), "{e}");
    let (code, e) = cli_err(&["incidence", f, "--censor", "cases", "--time", "years", "--control", "never"]);
    assert_eq!(code, 3);
    assert!(e.contains("not a censoring flag (0 = event, 1 = censored)"), "{e}");
    let (code, e) = cli_err(&["incidence", f, "--event", "cases", "--time", "yeras", "--control", "never"]);
    assert_eq!(code, 2);
    assert!(e.contains("--time 'yeras': no such column (did you mean 'years'?)"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
