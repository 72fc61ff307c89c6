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
            assert_eq!(p["events"].as_u64(), w["events"][a].as_u64(), "{ctx} {a} events");
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
    let (code, e) = cli_err(&ae_args(&["--min-percent", "120"], &adae, &adsl));
    assert!(code == 2 && e.contains("--min-percent") && e.contains("from 0 to 100"), "{e}");
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

/// `--ci-method`: the named methods replace the default intervals of every row; naming an
/// odds-ratio method adds odds ratios. Each interval equals the library's (validated against R
/// in golden_two_by_two / golden_proportion) on the counts the row reports.
#[test]
fn ci_methods_are_chosen_per_measure() {
    use trialstat::data::{BinomialCount, TwoByTwo};
    use trialstat::stats::{proportion, two_by_two, Method};
    let (adae, adsl) = (dataset("cdisc_pilot01/adae.csv"), dataset("cdisc_pilot01/adsl.csv"));
    let j = cli_json(&ae_args(&["--teae", "--rows", "soc", "--ci-method", "katz-log,woolf", "--ci-method", "wald"], &adae, &adsl));
    let results = j["results"].as_array().unwrap();
    let methods = |m: &str| {
        let mut v: Vec<&str> = results.iter().filter(|r| r["measure"] == m).map(|r| r["method"].as_str().unwrap()).collect();
        v.dedup();
        v
    };
    assert_eq!(methods("risk-ratio"), ["katz-log"]);
    assert_eq!(methods("odds-ratio"), ["woolf"]);
    assert_eq!(methods("risk-difference"), ["wald"]);
    // A method name applies to every measure it fits (as in `compare`): Wald proportions too.
    assert_eq!(methods("proportion"), ["wald"]);
    let count = |soc: &Option<String>, arm: &str| {
        let r = results.iter().find(|r| r["measure"] == "proportion" && r["group"] == arm && r["soc"].as_str().map(String::from) == *soc).unwrap();
        BinomialCount::new(r["count"].as_u64().unwrap(), r["n"].as_u64().unwrap()).unwrap()
    };
    for (soc, _) in row_keys(&j) {
        let t = TwoByTwo::new(count(&soc, ARMS[2]), count(&soc, ARMS[0]));
        let g = format!("{} vs {}", ARMS[2], ARMS[0]);
        for (measure, want) in [
            ("risk-ratio", two_by_two::risk_ratio(&t, Method::KatzLog, 0.95)),
            ("odds-ratio", two_by_two::odds_ratio(&t, Method::Woolf, 0.95)),
            ("risk-difference", two_by_two::risk_difference(&t, Method::Wald, 0.95)),
        ] {
            let want = want.unwrap();
            let got = results.iter().find(|r| r["measure"] == measure && r["group"] == g.as_str() && r["soc"].as_str().map(String::from) == soc).unwrap();
            if let (Some(w), Some(c)) = (want.estimate, want.ci) {
                assert_close(num(&got["estimate"]), w, 1e-12, &format!("{measure} {soc:?}"));
                assert_close(num(&got["ci"]["lower"]), c.lower, 1e-12, &format!("{measure} lower {soc:?}"));
                assert_close(num(&got["ci"]["upper"]), c.upper, 1e-12, &format!("{measure} upper {soc:?}"));
            }
        }
        let p = proportion::proportion(&count(&soc, ARMS[0]), Method::Wald, 0.95).unwrap();
        let got = results.iter().find(|r| r["measure"] == "proportion" && r["group"] == ARMS[0] && r["soc"].as_str().map(String::from) == soc).unwrap();
        assert_close(num(&got["ci"]["lower"]), p.ci.unwrap().lower, 1e-12, "wald proportion");
    }
    // The default table has no odds ratios; the text table names a non-default method.
    let d = cli_json(&ae_args(&["--teae", "--rows", "soc"], &adae, &adsl));
    assert!(d["results"].as_array().unwrap().iter().all(|r| r["measure"] != "odds-ratio"));
    let out = crate::common::cli(&ae_args(&["--teae", "--rows", "soc", "--ci-method", "katz-log"], &adae, &adsl));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(95% CI, katz-log)") && !text.contains("OR "), "{text}");
    // A method of no AE measure, and a misspelt one.
    let (code, e) = cli_err(&ae_args(&["--ci-method", "welch"], &adae, &adsl));
    assert_eq!(code, 2);
    assert!(e.contains("--ci-method") && e.contains("welch") && e.contains("katz-log"), "{e}");
    let (code, e) = cli_err(&ae_args(&["--ci-method", "katz-lg"], &adae, &adsl));
    assert_eq!(code, 2);
    assert!(e.contains("did you mean 'katz-log'"), "{e}");
}

/// The AE table as study reports print it (issue 13): the control arm first, N in the headers,
/// n (%) with one decimal, distinct comparison headers, preferred terms indented with
/// non-breaking spaces (kept by Markdown) under their SOC, ratios with two decimals throughout.
#[test]
fn ae_markdown_table_follows_study_report_conventions() {
    let out = crate::common::cli(&["ae", &crate::common::dataset("cdisc_pilot01/adae.csv"), "--subjects", &crate::common::dataset("cdisc_pilot01/adsl.csv"), "--teae", "--format", "markdown"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8_lossy(&out.stdout);
    let head = md.lines().find(|l| l.starts_with("| System organ class / preferred term |")).expect("header");
    let cols: Vec<&str> = head.split(" | ").collect();
    assert_eq!(cols[1], "Placebo (N = 86)", "control first: {head}");
    let mut distinct = cols.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), cols.len(), "no two columns share a header: {head}");
    assert!(head.contains("Xanomeline High Dose vs Placebo: Fisher p"), "{head}");
    assert!(md.contains("| any adverse event | 65 (75.6) [281] | 76 (90.5) [433] | 77 (91.7) [412] | 1.20 (1.05 to 1.40) |"), "{md}");
    assert!(md.contains("| \u{a0}\u{a0}\u{a0}\u{a0}APPLICATION SITE PRURITUS | 6 (7.0) [10] |"), "PT indented under its SOC");
    assert!(!md.contains("conditional support"), "notes in plain words");
}
