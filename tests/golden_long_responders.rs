//! `trialstat responders` on long files (one row per subject × visit) and with three arms,
//! against an independent Python computation (tests/reference/long_responders.py, csv module):
//! the epilepsy trial's 50 % responder rate from the 8-week seizure total, ADAS-Cog responders
//! in the CDISC pilot (BDS), `--by-responder` summaries; and the errors.
//!
//! Counts are exact; summaries (mean, SD) 1e-9 relative.

use crate::common::{assert_rel9, cli_err, cli_json, dataset, load, num};
use serde_json::Value;

/// (responders, n) of each arm, from the report's inputs.
fn tally(j: &Value, arm: &str) -> (u64, u64) {
    let r = &j["inputs"]["responders"][arm];
    (r["responders"].as_u64().unwrap(), r["n"].as_u64().unwrap())
}

#[test]
fn epilepsy_responder_rates_from_the_8_week_total() {
    let r = load("long_responders.json");
    let f = dataset("epilepsy_progabide/epil.csv");
    for case in r["epilepsy"]["cases"].as_array().unwrap() {
        let pct = format!("{}%", case["reduction"].as_u64().unwrap());
        let j = cli_json(&["responders", &f, "--value", "y", "--baseline", "base", "--followup-visit", "1,2,3,4", "--aggregate", "sum", "--reduction", &pct]);
        for arm in ["placebo", "progabide"] {
            let w = &case["arms"][arm];
            assert_eq!(tally(&j, arm), (w["responders"].as_u64().unwrap(), w["n"].as_u64().unwrap()), "{pct} {arm}");
        }
    }
    // The published-style figure: 2/28 placebo vs 8/31 progabide at 50 %.
    let j = cli_json(&["responders", &f, "--value", "y", "--baseline", "base", "--followup-visit", "1,2,3,4", "--aggregate", "sum", "--reduction", "50%", "--by-responder", "age"]);
    assert_eq!((tally(&j, "placebo"), tally(&j, "progabide")), ((2, 28), (8, 31)));
    assert_eq!(j["inputs"]["arms"]["control"], "placebo");
    // Age by responder status against Python.
    for arm in ["placebo", "progabide"] {
        for (status, key) in [("responders", "responders"), ("non-responders", "non_responders")] {
            let w = &r["epilepsy"]["age_by_responder"]["arms"][arm][key];
            let s = j["summaries"].as_array().unwrap().iter().find(|s| s["group"] == format!("{arm}, {status}").as_str()).unwrap();
            assert_eq!(s["n"].as_u64(), w["n"].as_u64(), "{arm} {status} n");
            for k in ["mean", "sd", "median"] {
                assert_rel9(num(&s[k]), num(&w[k]), &format!("{arm} {status} {k}"));
            }
        }
    }
    // Period 4 alone against a quarter of the baseline needs the visit as a single follow-up;
    // several follow-up visits without --aggregate are refused.
    let (code, e) = cli_err(&["responders", &f, "--value", "y", "--baseline", "base", "--followup-visit", "1,2", "--reduction", "50%"]);
    assert_eq!(code, 2);
    assert!(e.contains("--followup-visit = 1,2: one visit, or several with --aggregate sum|mean"), "{e}");
}

#[test]
fn adas_cog_responders_in_three_arms() {
    let r = load("long_responders.json");
    let f = dataset("cdisc_pilot01/adqsadas_actot.csv");
    for case in r["adas"]["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        // Python keeps observed rows with DTYPE != "LOCF" (its empty cells are text); here the
        // empty DTYPE is a missing value, selected with `is missing`.
        let filter = if case["variant"] == "observed" { "EFFFL = 'Y' and ANL01FL = 'Y' and DTYPE is missing" } else { "EFFFL = 'Y' and ANL01FL = 'Y'" };
        let threshold = if name.starts_with("percent") { "20%" } else { "4" };
        let j = cli_json(&["responders", &f, "--where", filter, "--baseline-visit", "Baseline", "--followup-visit", "Week 24", "--reduction", threshold]);
        for arm in ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"] {
            let w = &case["arms"][arm];
            assert_eq!(tally(&j, arm), (w["responders"].as_u64().unwrap(), w["n"].as_u64().unwrap()), "{name} {arm}");
            assert_eq!(j["inputs"]["missing"][arm].as_u64(), w["missing"].as_u64(), "{name} {arm} missing");
        }
        // Each treatment arm against placebo: per-arm rates, then both comparisons.
        let groups: Vec<&str> = j["results"].as_array().unwrap().iter().filter(|e| e["measure"] == "risk-ratio").map(|e| e["group"].as_str().unwrap()).collect();
        assert_eq!(groups, ["Xanomeline High Dose vs Placebo", "Xanomeline Low Dose vs Placebo"], "{name}");
        assert_eq!(j["results"].as_array().unwrap().iter().filter(|e| e["measure"] == "proportion").count(), 3, "{name}");
    }
}

#[test]
fn by_responder_summarises_another_parameter_at_the_same_visits() {
    // The seed's figure "beta-endorphin +38% in responders": VAS responders (≥ 40% reduction),
    // then plasma beta-endorphin at the same visits by responder status.
    let dir = std::env::temp_dir().join(format!("trialstat-byresp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("long.csv");
    let mut csv = String::from("subject,arm,visit,param,value\n");
    // (subject, arm, VAS baseline, VAS week 4, BEND baseline, BEND week 4)
    let rows = [(1, "acu", 80.0, 40.0, 10.0, 14.0), (2, "acu", 70.0, 35.0, 12.0, 15.0), (3, "acu", 60.0, 50.0, 11.0, 11.0), (4, "sham", 75.0, 70.0, 10.0, 10.5), (5, "sham", 65.0, 30.0, 9.0, 12.0), (6, "sham", 50.0, 45.0, 13.0, 12.0)];
    for (s, a, v0, v4, b0, b4) in rows {
        csv.push_str(&format!("{s},{a},0,VAS,{v0}\n{s},{a},4,VAS,{v4}\n{s},{a},0,BEND,{b0}\n{s},{a},4,BEND,{b4}\n"));
    }
    std::fs::write(&p, csv).unwrap();
    let f = p.to_str().unwrap();
    let j = cli_json(&["responders", f, "--paramcd", "VAS", "--baseline-visit", "0", "--followup-visit", "4", "--reduction", "40%", "--by-responder", "BEND", "--control", "sham"]);
    assert_eq!((tally(&j, "acu"), tally(&j, "sham")), ((2, 3), (1, 3)));
    let pct = |g: &str| num(&j["summaries"].as_array().unwrap().iter().find(|s| s["group"] == g && s["variable"] == "percent-change").unwrap()["mean"]);
    // Acupuncture responders: +40% and +25% → mean 32.5%; non-responder 0%.
    assert_rel9(pct("acu, responders"), 32.5, "acu responders");
    assert_rel9(pct("acu, non-responders"), 0.0, "acu non-responders");
    assert_eq!(j["summaries"][0]["param"], "BEND");
    // Without --paramcd the file's two parameters are listed.
    let (code, e) = cli_err(&["responders", f, "--baseline-visit", "0", "--followup-visit", "4", "--reduction", "40%", "--control", "sham"]);
    assert_eq!(code, 2);
    assert!(e.contains("--paramcd = not given") && e.contains("VAS, BEND"), "{e}");
    // A parameter that is not there.
    let (code, e) = cli_err(&["responders", f, "--paramcd", "VAS", "--baseline-visit", "0", "--followup-visit", "4", "--reduction", "40%", "--by-responder", "BENDO", "--control", "sham"]);
    assert_eq!(code, 2);
    assert!(e.contains("--by-responder = 'BENDO': a parameter (VAS, BEND) or a column of") && e.contains("did you mean 'BEND'"), "{e}");
    // A baseline of 0 with a relative threshold names the line.
    std::fs::write(&p, "subject,arm,visit,value\n1,acu,0,0\n1,acu,4,10\n2,sham,0,5\n2,sham,4,1\n").unwrap();
    let (code, e) = cli_err(&["responders", f, "--baseline-visit", "0", "--followup-visit", "4", "--reduction", "40%", "--control", "sham"]);
    assert_eq!(code, 3);
    assert!(e.contains("long.csv:2:") && e.contains("baseline is 0") && e.contains("absolute threshold"), "{e}");
    // Two rows for one subject and visit.
    std::fs::write(&p, "subject,arm,visit,value\n1,acu,0,50\n1,acu,4,10\n1,acu,4,12\n2,sham,0,5\n2,sham,4,1\n").unwrap();
    let (code, e) = cli_err(&["responders", f, "--baseline-visit", "0", "--followup-visit", "4", "--reduction", "40%", "--control", "sham"]);
    assert_eq!(code, 3);
    assert!(e.contains("long.csv:4: column 'visit' = '4': subject 1 has two rows for visit '4' (lines 3 and 4)"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stratified_comparisons_with_three_arms_equal_the_pairwise_ones() {
    let f = dataset("cdisc_pilot01/adqsadas_actot.csv");
    let base = ["responders", f.as_str(), "--where", "EFFFL = 'Y' and ANL01FL = 'Y'", "--baseline-visit", "Baseline", "--followup-visit", "Week 24", "--reduction", "4", "--strata", "SITEGR1"];
    let all = cli_json(&base);
    let mut pair_args = base.to_vec();
    pair_args.extend(["--treatment", "Xanomeline Low Dose", "--control", "Placebo"]);
    let pair = cli_json(&pair_args);
    for m in ["mh-risk-ratio", "mh-odds-ratio", "mh-risk-difference", "cmh", "breslow-day"] {
        let a = all["results"].as_array().unwrap().iter().find(|r| r["measure"] == m && r["group"] == "Xanomeline Low Dose vs Placebo").unwrap();
        let p = pair["results"].as_array().unwrap().iter().find(|r| r["measure"] == m).unwrap();
        for k in ["estimate", "statistic", "p_value"] {
            assert_eq!(a[k], p[k], "{m} {k}");
        }
        assert_eq!(a["ci"], p["ci"], "{m} ci");
    }
}
