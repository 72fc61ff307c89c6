//! `trialstat ae` on the CDISC pilot (ADAE + ADSL) against an independent Python computation
//! (tests/reference/ae.py: csv module and SciPy's `fisher_exact`), the pilot's published
//! subject counts, and the error paths.
//!
//! Tolerances: counts exact; risk ratio and difference points (closed forms) and the MH ratios
//! 1e-12 relative; Fisher p-values 1e-9 relative (SciPy sums the same hypergeometric terms).

use crate::common::{assert_close, cli_err, cli_json, dataset, load, num};
use serde_json::Value;

const ARMS: [&str; 3] = ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"];

fn ae_args<'a>(extra: &[&'a str], adae: &'a str, adsl: &'a str) -> Vec<&'a str> {
    let mut a = vec!["ae", adae, "--subjects", adsl];
    a.extend(extra);
    a
}

/// (soc, term) of every row, in the report's order.
fn row_keys(j: &Value) -> Vec<(Option<String>, Option<String>)> {
    let mut keys: Vec<(Option<String>, Option<String>)> = Vec::new();
    for r in j["results"].as_array().unwrap() {
        let k = (r["soc"].as_str().map(String::from), r["term"].as_str().map(String::from));
        if keys.last() != Some(&k) {
            keys.push(k);
        }
    }
    keys
}

fn find<'a>(j: &'a Value, measure: &str, group: &str, soc: &Value, term: &Value) -> &'a Value {
    j["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["measure"] == measure && r["group"] == group && r.get("soc").unwrap_or(&Value::Null) == soc && r.get("term").unwrap_or(&Value::Null) == term)
        .unwrap_or_else(|| panic!("no {measure} {group} {soc} {term}"))
}

fn check_scenario(reference: &Value, flags: &[&str]) {
    let (adae, adsl) = (dataset("cdisc_pilot01/adae.csv"), dataset("cdisc_pilot01/adsl.csv"));
    let j = cli_json(&ae_args(flags, &adae, &adsl));
    // Expected rows: the any-event row, then each SOC followed by its terms, in Python's order.
    let mut want: Vec<(Value, Value, &Value)> = vec![(Value::Null, Value::String("any adverse event".into()), &reference["any"])];
    for s in reference["soc"].as_array().unwrap() {
        want.push((s["soc"].clone(), Value::Null, s));
        for p in reference["pt"].as_array().unwrap().iter().filter(|p| p["soc"] == s["soc"]) {
            want.push((p["soc"].clone(), p["term"].clone(), p));
        }
    }
    let got_keys = row_keys(&j);
    let want_keys: Vec<(Option<String>, Option<String>)> = want.iter().map(|(s, t, _)| (s.as_str().map(String::from), t.as_str().map(String::from))).collect();
    assert_eq!(got_keys, want_keys, "{flags:?}: rows and their order");
    for (soc, term, w) in &want {
        let ctx = format!("{flags:?} {soc} {term}");
        for a in ARMS {
            let p = find(&j, "proportion", a, soc, term);
            assert_eq!(p["count"].as_u64(), w["counts"][a].as_u64(), "{ctx} {a}");
            assert_close(num(&p["estimate"]) * 100.0, num(&w["percent"][a]), 1e-12, &format!("{ctx} {a} %"));
        }
        for a in &ARMS[1..] {
            let g = format!("{a} vs Placebo");
            let v = &w["vs_placebo"][*a];
            let rr = find(&j, "risk-ratio", &g, soc, term);
            if v["rr"].is_null() {
                assert!(num(&rr["estimate"]).is_infinite() || rr["estimate"].is_null(), "{ctx}: RR with no control events");
            } else {
                assert_close(num(&rr["estimate"]), num(&v["rr"]), 1e-12, &format!("{ctx} {a} RR"));
            }
            assert_close(num(&find(&j, "risk-difference", &g, soc, term)["estimate"]), num(&v["rd"]), 1e-12, &format!("{ctx} {a} RD"));
            assert_close(num(&find(&j, "fisher-exact", &g, soc, term)["p_value"]), num(&v["fisher_p"]), 1e-9, &format!("{ctx} {a} Fisher p"));
        }
    }
}

#[test]
fn teae_table_matches_python_and_the_pilot() {
    let r = load("ae.json");
    check_scenario(&r["teae"], &["--teae"]);
    // The pilot's subjects with ≥ 1 TEAE: 65 / 77 / 76 of 86 / 84 / 84.
    let (adae, adsl) = (dataset("cdisc_pilot01/adae.csv"), dataset("cdisc_pilot01/adsl.csv"));
    let j = cli_json(&ae_args(&["--teae"], &adae, &adsl));
    let any: Vec<(u64, u64)> = ARMS
        .iter()
        .map(|a| {
            let p = find(&j, "proportion", a, &Value::Null, &Value::String("any adverse event".into()));
            (p["count"].as_u64().unwrap(), p["n"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(any, [(65, 86), (77, 84), (76, 84)]);
    assert_eq!(j["inputs"]["records_used"], 1126);
}

#[test]
fn serious_severe_and_unfiltered_tables_match_python() {
    let r = load("ae.json");
    check_scenario(&r["teae_serious"], &["--teae", "--serious"]);
    check_scenario(&r["teae_severe"], &["--teae", "--severity", "SEVERE"]);
    check_scenario(&r["all"], &[]);
}

#[test]
fn stratified_by_pooled_site_matches_python() {
    let r = &load("ae.json")["teae_stratified_sitegr1"];
    let (adae, adsl) = (dataset("cdisc_pilot01/adae.csv"), dataset("cdisc_pilot01/adsl.csv"));
    let j = cli_json(&ae_args(&["--teae", "--strata", "SITEGR1", "--rows", "soc"], &adae, &adsl));
    let any = Value::String("any adverse event".into());
    let g = "Xanomeline Low Dose vs Placebo";
    assert_close(num(&find(&j, "mh-risk-ratio", g, &Value::Null, &any)["estimate"]), num(&r["mh_rr"]), 1e-12, "MH RR");
    assert_close(num(&find(&j, "mh-odds-ratio", g, &Value::Null, &any)["estimate"]), num(&r["mh_or"]), 1e-12, "MH OR");
    assert!(find(&j, "breslow-day", g, &Value::Null, &any)["p_value"].is_number());
}

#[test]
fn rows_and_frequency_threshold() {
    let (adae, adsl) = (dataset("cdisc_pilot01/adae.csv"), dataset("cdisc_pilot01/adsl.csv"));
    // Terms only, at least 10% in some arm: the five terms the provenance lists among them.
    let j = cli_json(&ae_args(&["--teae", "--rows", "term", "--min-percent", "10"], &adae, &adsl));
    let terms: Vec<String> = row_keys(&j).into_iter().filter_map(|(_, t)| t).collect();
    for t in ["PRURITUS", "APPLICATION SITE PRURITUS", "APPLICATION SITE ERYTHEMA", "ERYTHEMA", "DIZZINESS"] {
        assert!(terms.iter().any(|x| x == t), "{t} in {terms:?}");
    }
    assert_eq!(terms[0], "any adverse event");
    assert_eq!(terms[1], "PRURITUS", "most frequent term first (8 + 21 + 26 = 55 subjects)");
    // SOC rows only.
    let j = cli_json(&ae_args(&["--teae", "--rows", "soc"], &adae, &adsl));
    assert!(row_keys(&j).iter().skip(1).all(|(s, t)| s.is_some() && t.is_none()));
    assert_eq!(row_keys(&j).len(), 1 + 23);
}

#[test]
fn bad_input() {
    let dir = std::env::temp_dir().join(format!("trialstat-ae-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let adsl = dir.join("adsl.csv");
    let adae = dir.join("adae.csv");
    std::fs::write(&adsl, "USUBJID,TRT01A,SAFFL\nS-001,Placebo,Y\nS-002,Drug,Y\nS-003,Drug,N\n").unwrap();
    std::fs::write(&adae, "USUBJID,AEBODSYS,AEDECOD,TRTEMFL\nS-001,SKIN,PRURITUS,Y\nS-003,SKIN,RASH,Y\nS-0002,SKIN,RASH,Y\n").unwrap();
    let (s, e) = (adsl.to_str().unwrap(), adae.to_str().unwrap());
    // An AE of a subject absent from the subject file: file, line, column, value and a hint.
    let (code, msg) = cli_err(&["ae", e, "--subjects", s]);
    assert_eq!(code, 3);
    assert!(msg.contains("adae.csv:4: column 'USUBJID' = 'S-0002': subject is not in the subject file") && msg.contains("did you mean 'S-002'"), "{msg}");
    // Subjects outside the population (S-003 has SAFFL = N) are left out, with a note.
    std::fs::write(&adae, "USUBJID,AEBODSYS,AEDECOD,TRTEMFL\nS-001,SKIN,PRURITUS,Y\nS-003,SKIN,RASH,Y\n").unwrap();
    let j = cli_json(&["ae", e, "--subjects", s]);
    assert!(j["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().starts_with("1 AE records of subjects outside the population")), "{j}");
    assert_eq!(j["inputs"]["denominators"]["Drug"], 1);
    // A flag column that is not there.
    std::fs::write(&adae, "USUBJID,AEBODSYS,AEDECOD\nS-001,SKIN,PRURITUS\n").unwrap();
    let (code, msg) = cli_err(&["ae", e, "--subjects", s, "--serious"]);
    assert_eq!(code, 2);
    assert!(msg.contains("AESER 'AESER': no such column") && msg.contains("columns present: USUBJID, AEBODSYS, AEDECOD"), "{msg}");
    // A subject twice in the subject file.
    std::fs::write(&adsl, "USUBJID,TRT01A\nS-001,Placebo\nS-002,Drug\nS-001,Drug\n").unwrap();
    let (code, msg) = cli_err(&["ae", e, "--subjects", s]);
    assert_eq!(code, 3);
    assert!(msg.contains("adsl.csv:4: column 'USUBJID' = 'S-001': subject appears twice in the subject file (lines 2 and 4)"), "{msg}");
    // An arm label that is not in the file; an empty population after filtering.
    std::fs::write(&adsl, "USUBJID,TRT01A,SAFFL\nS-001,Placebo,Y\nS-002,Drug,Y\n").unwrap();
    let (code, msg) = cli_err(&["ae", e, "--subjects", s, "--control", "placebo"]);
    assert_eq!(code, 2);
    assert!(msg.contains("did you mean 'Placebo'"), "{msg}");
    let (code, msg) = cli_err(&["ae", e, "--subjects", s, "--subjects-where", "SAFFL = 'N'"]);
    assert_eq!(code, 3);
    assert!(msg.contains("no subject with an arm is left in the population (SAFFL = 'N')"), "{msg}");
    std::fs::remove_dir_all(&dir).unwrap();
}
