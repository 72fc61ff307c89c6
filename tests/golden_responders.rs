//! `trialstat responders` on the bundled trials: counts against an independent Python
//! computation (tests/reference/responders.py), the published figures, and the error paths.

use assert_cmd::Command;
use crate::common::load;
use serde_json::Value;
use trialstat::data::{BinomialCount, TwoByTwo};
use trialstat::stats::{two_by_two, Method};

const HEADACHE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/acupuncture_headache/acupuncture_headache.csv");
const INDO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/indo_rct/indo_rct.csv");

fn run(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("trialstat").unwrap().args(args).output().unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let out = run(&a);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn counts(j: &Value) -> Vec<(u64, u64)> {
    j["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["measure"] == "proportion")
        .map(|r| ((r["estimate"].as_f64().unwrap() * r["n"].as_f64().unwrap()).round() as u64, r["n"].as_u64().unwrap()))
        .collect()
}

#[test]
fn counts_match_python_for_every_rule_and_policy() {
    let r = load("responders.json");
    for c in r["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let policy = c["policy"].as_str().unwrap();
        let (file, arm, t, k): (&str, &str, &str, &str) =
            if name.starts_with("indo") { (INDO, "rx", "1_indomethacin", "0_placebo") } else { (HEADACHE, "group", "1", "0") };
        let reduction = c.get("reduction").map(|p| format!("{}%", p.as_u64().unwrap()));
        let mut args = vec!["responders", file, "--arm", arm, "--treatment", t, "--control", k, "--missing", policy];
        match (&reduction, name.starts_with("indo")) {
            (Some(p), _) => args.extend(["--baseline", "pk1", "--followup", "pk5", "--reduction", p.as_str()]),
            (None, true) => args.extend(["--flag", "outcome", "--flag-value", "1_yes"]),
            (None, false) => args.extend(["--flag", "response"]),
        }
        if let Some(w) = c.get("where").and_then(|w| w.as_str()) {
            args.extend(["--where", w]);
        }
        let j = json(&args);
        let want: Vec<(u64, u64)> = [t, k].iter().map(|a| (c["arms"][a]["responders"].as_u64().unwrap(), c["arms"][a]["n"].as_u64().unwrap())).collect();
        assert_eq!(counts(&j), want, "{name}");
        assert_eq!(j["inputs"]["missing"][t], c["arms"][t]["missing"], "{name}");
        let note = j["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).find(|n| n.starts_with("Missing responder status")).unwrap();
        let m = c["arms"][t]["missing"].as_u64().unwrap();
        assert!(note.contains(&format!("{m} of ")), "{name}: {note}");
    }
}

#[test]
fn published_figures() {
    // Headache trial (Vickers 2004; trialists' response flag): 87/161 vs 45/140.
    let j = json(&["responders", HEADACHE, "--arm", "group", "--treatment", "1", "--control", "0", "--flag", "response", "--labels", "acupuncture,usual-care"]);
    assert_eq!(counts(&j), vec![(87, 161), (45, 140)]);
    assert_eq!(j["results"][0]["group"], "acupuncture");
    // Indomethacin (Elmunzer, NEJM 2012): post-ERCP pancreatitis 27/295 vs 52/307, P = 0.005.
    let j = json(&["responders", INDO, "--arm", "rx", "--treatment", "1_indomethacin", "--control", "0_placebo", "--flag", "outcome", "--flag-value", "1_yes", "--events", "harmful"]);
    assert_eq!(counts(&j), vec![(27, 295), (52, 307)]);
    let rr = j["results"].as_array().unwrap().iter().find(|r| r["measure"] == "risk-ratio").unwrap();
    let lib = two_by_two::risk_ratio(&TwoByTwo::new(BinomialCount::new(27, 295).unwrap(), BinomialCount::new(52, 307).unwrap()), Method::Koopman, 0.95).unwrap();
    assert_eq!(rr["ci"]["lower"].as_f64().unwrap(), lib.ci.unwrap().lower);
    let fisher = j["results"].as_array().unwrap().iter().find(|r| r["measure"] == "fisher-exact").unwrap();
    assert_eq!(format!("{:.3}", fisher["p_value"].as_f64().unwrap()), "0.005");
}

fn write(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("trialstat-resp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn err(args: &[&str], code: i32, frags: &[&str]) {
    let out = run(args);
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {e}");
    assert!(out.stdout.is_empty());
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    for f in frags {
        assert!(e.contains(f), "{args:?}: lacks {f:?}: {e}");
    }
}

#[test]
fn bad_input_names_file_line_column_and_value() {
    err(&["responders", HEADACHE, "--arm", "group", "--treatment", "2", "--control", "0", "--flag", "response"], 2, &["--treatment = '2'", "arm of column 'group'", "0, 1"]);
    err(&["responders", HEADACHE, "--arm", "grop", "--treatment", "1", "--control", "0", "--flag", "response"], 2, &["--arm 'grop'", "did you mean 'group'"]);
    err(&["responders", HEADACHE, "--arm", "group", "--treatment", "1", "--control", "0", "--flag", "respons"], 2, &["--flag 'respons'", "did you mean 'response'"]);
    err(&["responders", HEADACHE, "--arm", "group", "--treatment", "1", "--control", "0"], 2, &["responder definition"]);
    let zero = write("zero.csv", "id,group,pk1,pk5\n1,1,10,5\n2,0,0,3\n3,0,8,8\n");
    err(&["responders", &zero, "--arm", "group", "--treatment", "1", "--control", "0", "--baseline", "pk1", "--followup", "pk5", "--reduction", "40%"], 3, &["zero.csv:3", "column 'pk1' = '0'", "percent change is undefined"]);
    let text = write("text.csv", "id,group,pk1,pk5\n1,1,10,5\n2,0,abc,3\n");
    err(&["responders", &text, "--arm", "group", "--treatment", "1", "--control", "0", "--baseline", "pk1", "--followup", "pk5", "--reduction", "40%"], 3, &["text.csv:3", "column 'pk1' = 'abc'", "not a number"]);
    let flag = write("flag.csv", "id,group,resp\n1,1,yes\n2,0,maybe\n");
    err(&["responders", &flag, "--arm", "group", "--treatment", "1", "--control", "0", "--flag", "resp"], 3, &["flag.csv:3", "column 'resp' = 'maybe'", "--flag-value"]);
    // Lines stay the file's lines when --where drops rows before the bad one.
    let filtered = write("filtered.csv", "id,group,keep,pk1,pk5\n1,1,y,10,5\n2,0,n,1,1\n3,0,y,x,3\n");
    err(&["responders", &filtered, "--arm", "group", "--treatment", "1", "--control", "0", "--baseline", "pk1", "--followup", "pk5", "--reduction", "40%", "--where", "keep = 'y'"], 3, &["filtered.csv:4", "column 'pk1' = 'x'"]);
    err(&["responders", HEADACHE, "--arm", "group", "--treatment", "1", "--control", "0", "--flag", "response", "--where", "migrain = 1"], 2, &["--where column 'migrain'", "did you mean 'migraine'"]);
    let empty = write("empty.csv", "id,group,resp\n1,1,1\n2,0,\n");
    err(&["responders", &empty, "--arm", "group", "--treatment", "1", "--control", "0", "--flag", "resp"], 3, &["empty.csv: column 'group' = '0': no subject of arm '0' has a responder status (1 missing)"]);
    err(&["responders", HEADACHE, "--arm", "group", "--treatment", "1", "--control", "0", "--baseline", "pk1", "--followup", "pk5", "--reduction", "140%"], 2, &["--reduction", "at most 100"]);
}

#[test]
fn stratified_by_site_matches_r_mantelhaen_test() {
    // Reference: R's mantelhaen.test on the site × arm × outcome table built from the CSV
    // (tests/reference/responders_strata.R). MH OR and its RBG CI, CMH with and without the
    // continuity correction: closed forms, 1e-9.
    let r = load("responders_strata.json");
    let j = json(&[
        "responders", INDO, "--arm", "rx", "--treatment", "1_indomethacin", "--control", "0_placebo", "--flag", "outcome", "--flag-value",
        "1_yes", "--events", "harmful", "--strata", "site", "--ci-method", "all",
    ]);
    let find = |m: &str, meth: &str| j["results"].as_array().unwrap().iter().find(|x| x["measure"] == m && x["method"] == meth).unwrap().clone();
    let or = find("mh-odds-ratio", "robins-breslow-greenland");
    let u = &r["mantelhaen_uncorrected"];
    crate::common::assert_rel9(or["estimate"].as_f64().unwrap(), crate::common::num(&u["estimate"]), "MH OR");
    crate::common::assert_rel9(or["ci"]["lower"].as_f64().unwrap(), crate::common::num(&u["lower"]), "MH OR lower");
    crate::common::assert_rel9(or["ci"]["upper"].as_f64().unwrap(), crate::common::num(&u["upper"]), "MH OR upper");
    for (meth, key) in [("uncorrected", "mantelhaen_uncorrected"), ("yates", "mantelhaen_yates")] {
        let cmh = find("cmh", meth);
        crate::common::assert_rel9(cmh["statistic"].as_f64().unwrap(), crate::common::num(&r[key]["statistic"]), "CMH");
        crate::common::assert_rel9(cmh["p_value"].as_f64().unwrap(), crate::common::num(&r[key]["p_value"]), "CMH p");
    }
    let sites: Vec<&str> = j["inputs"]["strata"].as_array().unwrap().iter().map(|s| s["stratum"].as_str().unwrap()).collect();
    let want: Vec<&str> = r["sites"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert_eq!(sites, want);
    // A stratum missing an arm is left out with a note.
    let p = write("strata.csv", "id,group,site,resp\n1,1,A,1\n2,0,A,0\n3,1,B,1\n4,1,B,0\n5,0,C,1\n6,0,C,0\n7,1,A,0\n8,0,A,1\n");
    let j = json(&["responders", &p, "--arm", "group", "--treatment", "1", "--control", "0", "--flag", "resp", "--strata", "site"]);
    assert_eq!(j["inputs"]["strata"].as_array().unwrap().len(), 1);
    assert!(j["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("left out of the stratified analysis: B, C")), "{}", j["notes"]);
}
