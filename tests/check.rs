//! `trialstat check`: the shipped claims files, a failing claim (exit status 1 and a JUnit
//! failure), directions (`>1`), and claims-file errors with file, line and key (`FILE:LINE: message`) before any output.
//! Computed values are compared with R's (tests/reference/change.R → change.json).

use crate::common::{assert_close, assert_rel9, cli, dataset, load, num};
use serde_json::Value;
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trialstat-check-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The headache claims with the data path made absolute and `edit` applied, written to a temp dir.
fn headache_claims(name: &str, edit: impl Fn(String) -> String) -> (PathBuf, PathBuf) {
    let d = tmp(name);
    let text = std::fs::read_to_string(dataset("acupuncture_headache/claims.toml")).unwrap();
    let data = dataset("acupuncture_headache/acupuncture_headache.csv");
    let text = text.replace("file = \"acupuncture_headache.csv\"", &format!("file = {data:?}"));
    let p = d.join("claims.toml");
    std::fs::write(&p, edit(text)).unwrap();
    (d, p)
}

fn claim<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["claims"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no claim {id}"))
}

#[test]
fn headache_claims_all_reproduce_with_the_values_r_gives() {
    let path = dataset("acupuncture_headache/claims.toml");
    let out = cli(&["check", &path, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let claims = r["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 12);
    for c in claims {
        assert_eq!(c["verdict"], "reproduced", "{}: {}", c["id"], c["why"]);
    }
    // The numbers behind the verdicts, against R (lm, mean, sd) on the same file.
    let reference = load("change.json");
    let case = reference["cases"].as_array().unwrap().iter().find(|c| c["name"] == "headache").unwrap();
    let ancova = &case["comparisons"][0]["ancova"];
    let adj = claim(&r, "adjusted-difference");
    assert_rel9(adj["computed_value"].as_f64().unwrap(), num(&ancova["estimate"]), "ANCOVA estimate");
    assert_rel9(adj["computed"]["ci"]["lower"].as_f64().unwrap(), num(&ancova["lower"]), "ANCOVA lower");
    assert_rel9(adj["computed"]["ci"]["upper"].as_f64().unwrap(), num(&ancova["upper"]), "ANCOVA upper");
    assert_eq!(adj["tolerance"].as_f64(), Some(0.1));
    assert_rel9(claim(&r, "adjusted-difference-p")["computed_value"].as_f64().unwrap(), num(&ancova["p_value"]), "ANCOVA p");
    for (id, arm, stat) in [("score-12m-acupuncture", "1", "mean"), ("score-12m-acupuncture-sd", "1", "sd"), ("score-12m-control", "0", "mean"), ("score-12m-control-sd", "0", "sd")] {
        assert_rel9(claim(&r, id)["computed_value"].as_f64().unwrap(), num(&case["arms"][arm]["followup"][stat]), id);
    }
    let fu = |arm: &str| num(&case["arms"][arm]["followup"]["mean"]);
    let base = |arm: &str| num(&case["arms"][arm]["baseline"]["mean"]);
    assert_rel9(claim(&r, "reduction-acupuncture")["computed_value"].as_f64().unwrap(), 1.0 - fu("1") / base("1"), "34% reduction");
    assert_rel9(claim(&r, "reduction-control")["computed_value"].as_f64().unwrap(), 1.0 - fu("0") / base("0"), "16% reduction");
    assert_eq!(claim(&r, "responders-acupuncture")["computed_text"], "87/161");
    assert_eq!(claim(&r, "responders-control")["computed_text"], "45/140");
    assert_eq!(claim(&r, "score-12m-control-n")["computed_value"].as_f64(), Some(140.0));
}

#[test]
fn an_altered_cited_value_fails_with_exit_1_and_a_junit_failure() {
    let (d, p) = headache_claims("altered", |t| t.replace("cited = \"22.3\"", "cited = \"23.3\""));
    let junit = d.join("claims.xml");
    let out = cli(&["check", p.to_str().unwrap(), "--junit", junit.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("11 reproduced, 1 not reproduced, 0 not checkable"), "{text}");
    assert!(text.contains("score-12m-control: 22.34 differs from the cited 23.3"), "{text}");
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"trialstat check\" tests=\"12\" failures=\"1\" skipped=\"0\">"), "{x}");
    assert_eq!(x.matches("<testcase ").count(), 12);
    assert_eq!(x.matches("<failure ").count(), 1);
    let case = x.split("<testcase ").find(|c| c.contains("name=\"score-12m-control\"")).unwrap();
    assert!(case.contains("<failure message=\"22.34 differs from the cited 23.3 by 0.96 (tolerance 0.05)\">cited 23.3, computed 22.34</failure>"), "{case}");
    // The unaltered file passes and its JUnit has no failure.
    let (d2, p2) = headache_claims("unaltered", |t| t);
    let j2 = d2.join("ok.xml");
    let out = cli(&["check", p2.to_str().unwrap(), "--junit", j2.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let x = std::fs::read_to_string(&j2).unwrap();
    assert!(x.contains("tests=\"12\" failures=\"0\" skipped=\"0\""), "{x}");
    assert!(!x.contains("<failure"));
}

#[test]
fn an_altered_ci_bound_fails_too() {
    let (_d, p) = headache_claims("ci", |t| t.replace("cited_ci = [\"-7.0\", \"-2.2\"]", "cited_ci = [\"-7.0\", \"-2.5\"]"));
    let out = cli(&["check", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = claim(&r, "adjusted-difference");
    assert_eq!(c["verdict"], "not-reproduced");
    assert_eq!(c["why"], "CI upper bound -2.199 differs from the cited -2.5 (tolerance 0.1)");
}

#[test]
fn seed_claims_verdicts() {
    let d = tmp("seed");
    let junit = d.join("seed.xml");
    let out = cli(&["check", &dataset("seed-claims.toml"), "--format", "json", "--junit", junit.to_str().unwrap()]);
    // One claim is meant to fail: "nearly 3x" is not distinguishable from 1 at 100,000 per group.
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdict = |id: &str| claim(&r, id)["verdict"].as_str().unwrap().to_string();
    for id in ["gi-ae-ratio", "gi-ae-difference", "gi-ae-acupuncture-rate", "pneumothorax-ratio", "pneumothorax-higher-1m", "durability", "coverage"] {
        assert_eq!(verdict(id), "reproduced", "{id}: {}", claim(&r, id)["why"]);
    }
    assert_eq!(verdict("pneumothorax-higher-100k"), "not-reproduced");
    for id in ["endorphin-responders", "il6-cohort", "hmgb1", "blood-flow", "tuina-ea"] {
        assert_eq!(verdict(id), "not-checkable");
        assert!(!claim(&r, id)["why"].as_str().unwrap().is_empty());
    }
    // Every checkable claim states its assumed denominators.
    for c in r["claims"].as_array().unwrap() {
        if c["verdict"] != "not-checkable" {
            assert!(c["assumptions"].as_str().is_some_and(|a| !a.is_empty()), "{}", c["id"]);
        }
    }
    // Exact conditional rate ratio 12 vs 4 per 100,000 and 120 vs 40 per 1,000,000: R's
    // poisson.test (tests/reference/check.R): the 100k CI includes 1, the 1M CI does not.
    let c = &claim(&r, "pneumothorax-higher-100k")["computed"];
    assert_eq!(c["estimate"].as_f64(), Some(3.0));
    assert_close(c["ci"]["lower"].as_f64().unwrap(), 0.909231980884916, 1e-9, "100k lower");
    assert_close(c["ci"]["upper"].as_f64().unwrap(), 12.76234446547932, 1e-9, "100k upper");
    let c = &claim(&r, "pneumothorax-higher-1m")["computed"];
    assert_close(c["ci"]["lower"].as_f64().unwrap(), 2.08168244192904, 1e-9, "1M lower");
    assert_close(c["ci"]["upper"].as_f64().unwrap(), 4.40534615708083, 1e-9, "1M upper");
    // RR 7/1000 over 124/1000.
    assert_rel9(claim(&r, "gi-ae-ratio")["computed_value"].as_f64().unwrap(), 7.0 / 124.0, "GI RR");
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(x.contains("tests=\"13\" failures=\"1\" skipped=\"5\""), "{x}");
}

fn check_err(name: &str, text: &str) -> (i32, String) {
    let d = tmp(name);
    let p = d.join("claims.toml");
    std::fs::write(&p, text).unwrap();
    let junit = d.join("out.xml");
    let out = cli(&["check", p.to_str().unwrap(), "--junit", junit.to_str().unwrap()]);
    assert!(out.stdout.is_empty(), "no partial output: {}", String::from_utf8_lossy(&out.stdout));
    assert!(!junit.exists(), "no JUnit file on an error");
    let code = out.status.code().unwrap();
    assert!(code != 0 && code != 1, "a claims-file error is not a verdict: {code}");
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn claims_file_errors_name_the_file_line_and_key() {
    let data = dataset("acupuncture_headache/acupuncture_headache.csv");
    let head = format!("[data.h]\nfile = {data:?}\nsubject = \"id\"\narm = \"group\"\n\n[[analysis]]\nname = \"r\"\nkind = \"responders\"\ndata = \"h\"\ntreatment = [\"1\"]\ncontrol = \"0\"\nbaseline = \"pk1\"\nfollowup = [\"pk5\"]\nreduction = \"35%\"\n\n");
    // Unknown key, with its line.
    let (_, e) = check_err("unknown", "[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = \"7/10\"\nmeasure = \"proportion\"\ncited = \"70%\"\ncitd = \"x\"\n");
    assert!(e.contains("claims.toml") && e.contains(".toml:7:") && e.contains("citd"), "{e}");
    // Wrong type.
    let (_, e) = check_err("type", "[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = 7\ncited = \"70%\"\n");
    assert!(e.contains(".toml:4:") && e.contains("count"), "{e}");
    // A wrong type after a non-ASCII key: the key is read off the text without splitting a character.
    let (_, e) = check_err("utf8", "[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = \"7/10\"\ncited = \"70%\"\n\"größe\" = 7\n");
    assert!(e.contains(".toml:6:"), "{e}");
    let (_, e) = check_err("utf8-type", "[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = \"7/10\"\ncited = \"70%\"\nmeasure = 7\ntitle = \"é\"\n");
    assert!(e.contains("measure") && e.contains(".toml:6:"), "{e}");
    // No source; not checkable without why.
    let (_, e) = check_err("source", "[[claim]]\nid = \"a\"\ncount = \"7/10\"\nmeasure = \"proportion\"\ncited = \"70%\"\n");
    assert!(e.contains(".toml:2:") && e.contains("missing key `source`"), "{e}");
    let (_, e) = check_err("why", "[[claim]]\nid = \"a\"\nsource = \"s\"\ncheckable = false\n");
    assert!(e.contains(".toml:2:") && e.contains("needs `why`"), "{e}");
    // A cited number without a tolerance.
    let (_, e) = check_err("tol", "[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = \"7/10\"\nmeasure = \"proportion\"\ncited = 0.7\n");
    assert!(e.contains(".toml:2:") && e.contains("needs a tolerance"), "{e}");
    // Unreadable cited text.
    let (_, e) = check_err("cited", "[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = \"7/10\"\nmeasure = \"proportion\"\ncited = \"about seventy\"\n");
    assert!(e.contains("cited = 'about seventy'"), "{e}");
    // A missing data file.
    let (_, e) = check_err("nofile", "[data.h]\nfile = \"nowhere.csv\"\n\n[[analysis]]\nname = \"r\"\nkind = \"responders\"\ndata = \"h\"\nflag = \"response\"\n\n[[claim]]\nid = \"a\"\nsource = \"s\"\nanalysis = \"r\"\nmeasure = \"proportion\"\ncited = \"54%\"\n");
    assert!(e.contains("nowhere.csv") && e.contains(".toml:2:"), "{e}");
    // A key of another kind of analysis (change's covariates in a responders analysis), at its line.
    let (_, e) = check_err("kindkey", &format!("{}[[claim]]\nid = \"a\"\nsource = \"s\"\nanalysis = \"r\"\nmeasure = \"proportion\"\ncited = \"54%\"\n", head.replace("reduction = \"35%\"\n", "reduction = \"35%\"\ncovariates = [\"age\"]\n")));
    assert!(e.contains(".toml:15: analysis 'r': 'covariates' is not an option of kind = \"responders\" (it is an option of change, survival)"), "{e}");
    // An analysis naming a column that is not there: the spec line and the closest column.
    let (_, e) = check_err("col", &format!("{}[[claim]]\nid = \"a\"\nsource = \"s\"\nanalysis = \"r\"\nmeasure = \"proportion\"\ncited = \"54%\"\n", head.replace("\"pk5\"", "\"pk6\"")));
    assert!(e.contains("analysis 'r'") && e.contains("pk6") && e.contains(".toml:7:"), "{e}");
    // A claim naming an arm the analysis does not have: an error listing the groups, not a
    // silent "not checkable" that would let CI pass.
    let (_, e) = check_err("group", &format!("{head}[[claim]]\nid = \"a\"\nsource = \"s\"\nanalysis = \"r\"\nmeasure = \"proportion\"\ngroup = \"2\"\ncited = \"54%\"\n"));
    assert!(e.contains("claim 'a'") && e.contains(".toml:17:") && e.contains("group = '1'") && e.contains("group = '0'"), "{e}");
    // A summary the analysis does not give; a statistic that is not one; a direction with a CI.
    let (_, e) = check_err("summary", &format!("{head}[[claim]]\nid = \"a\"\nsource = \"s\"\nanalysis = \"r\"\nsummary = \"follow-up\"\ngroup = \"1\"\ncited = \"16.2\"\n"));
    assert!(e.contains("claim 'a'") && e.contains(".toml:17:") && e.contains("summary = 'follow-up' for this group"), "{e}");
    let (_, e) = check_err("statistic", "[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = \"7/10\"\nmeasure = \"proportion\"\nstatistic = \"median\"\ncited = \"70%\"\n");
    assert!(e.contains("statistic = 'median'") && e.contains("p-value"), "{e}");
    let (_, e) = check_err("direction-ci", "[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = \"7/10\"\nmeasure = \"proportion\"\ncited = \">0.5\"\ncited_ci = [\"0.4\", \"0.9\"]\n");
    assert!(e.contains("is a direction; it takes no cited_ci"), "{e}");
    // An unknown analysis name, an unknown measure, a duplicate id.
    let (_, e) = check_err("name", &format!("{head}[[claim]]\nid = \"a\"\nsource = \"s\"\nanalysis = \"x\"\nmeasure = \"proportion\"\ncited = \"54%\"\n"));
    assert!(e.contains("analysis = 'x'") && e.contains("defined: r"), "{e}");
    let (_, e) = check_err("measure", "[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = \"7/10\"\nmeasure = \"proportions\"\ncited = \"70%\"\n");
    assert!(e.contains("measure = 'proportions'") && e.contains("proportion,"), "{e}");
    let (_, e) =
        check_err("dup", "[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = \"7/10\"\nmeasure = \"proportion\"\ncited = \"70%\"\n\n[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = \"7/10\"\nmeasure = \"proportion\"\ncited = \"70%\"\n");
    assert!(e.contains(".toml:9:") && e.contains("used twice"), "{e}");
}

/// Cited values and tolerances that are not finite numbers, or unreadable, are errors naming
/// the claim's line, never a verdict ("reproduced" for NaN, a tolerance silently 0).
#[test]
fn non_finite_or_unreadable_cited_values_and_tolerances_are_errors() {
    let claim = |extra: &str| format!("[[claim]]\nid = \"a\"\nsource = \"s\"\ncount = \"7/10\"\nmeasure = \"proportion\"\n{extra}\n");
    for (name, extra, fragment) in [
        ("nan-text", "cited = \"NaN\"", "cited = 'NaN'"),
        ("inf-text", "cited = \"inf\"", "cited = 'inf'"),
        ("nan-pct", "cited = \"nan%\"", "cited = 'nan%'"),
        ("nan-number", "cited = nan\ntolerance = 0.1", "cited = 'NaN'"),
        ("inf-number", "cited = inf\ntolerance = 0.1", "cited = 'inf'"),
        ("tol-nan", "cited = \"70%\"\ntolerance = nan", "tolerance = 'NaN'"),
        ("tol-abc", "cited = \"70%\"\ntolerance = \"abc%\"", "tolerance = 'abc%'"),
        ("tol-neg", "cited = \"70%\"\ntolerance = -0.1", "tolerance = '-0.1'"),
        ("ci-nan", "cited = \"70%\"\ncited_ci = [\"0.4\", \"nan\"]", "cited_ci bound 'nan'"),
    ] {
        let (_, e) = check_err(name, &claim(extra));
        assert!(e.contains(".toml:2:") && e.contains(fragment), "{name}: {e}");
    }
}

/// The default tolerance is half a unit in the cited text's last digit, exponent included:
/// "3e-2" allows ±0.005 (p = 0.0329 reproduces it, p = 2.3e-30 does not).
#[test]
fn default_tolerance_reads_the_exponent() {
    let d = tmp("exp");
    let p = d.join("c.toml");
    let fisher = |id: &str, t: &str, c: &str, cited: &str| {
        format!("[[claim]]\nid = \"{id}\"\nsource = \"s\"\ncounts = {{ treated = \"{t}\", control = \"{c}\" }}\nmeasure = \"fisher-exact\"\nstatistic = \"p-value\"\ncited = \"{cited}\"\n\n")
    };
    std::fs::write(&p, fisher("tiny", "100/100", "0/100", "3e-2") + &fisher("near", "20/100", "10/100", "7e-2") + &fisher("off", "20/100", "10/100", "8e-2")).unwrap();
    let out = cli(&["check", p.to_str().unwrap(), "--format", "json"]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(claim(&r, "tiny")["verdict"], "not-reproduced", "{r}");
    assert!((claim(&r, "tiny")["tolerance"].as_f64().unwrap() - 0.005).abs() < 1e-15, "{r}");
    // R 4.2: fisher.test(matrix(c(20, 80, 10, 90), 2))$p.value = 0.0734275897213765: within
    // 7e-2 ± 0.005, not within 8e-2 ± 0.005.
    assert_eq!(claim(&r, "near")["verdict"], "reproduced", "{r}");
    assert!((claim(&r, "near")["computed_value"].as_f64().unwrap() - 0.0734275897213765).abs() < 1e-12, "{r}");
    assert_eq!(claim(&r, "off")["verdict"], "not-reproduced", "{r}");
}

/// A claim's `method` chooses the interval computed from counts (the log-Wald RR here), and an
/// unknown method is an error naming the claim's line. R 4.2, closed form:
/// rr = (7/1000)/(124/1000), se = sqrt(1/7 − 1/1000 + 1/124 − 1/1000), exp(log(rr) ± qnorm(0.975)·se)
/// = 0.056451612903225805, 0.026496867697568857, 0.120270238571181909.
#[test]
fn claim_method_chooses_the_interval_computed() {
    let d = tmp("method");
    let p = d.join("c.toml");
    let text = "[[claim]]\nid = \"rr\"\nsource = \"s\"\ncounts = { treated = \"7/1000\", control = \"124/1000\" }\nmeasure = \"risk-ratio\"\nmethod = \"katz-log\"\ncited = \"0.056\"\ncited_ci = [\"0.026\", \"0.120\"]\n";
    std::fs::write(&p, text).unwrap();
    let out = cli(&["check", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &claim(&r, "rr")["computed"];
    assert_eq!(c["method"], "katz-log");
    assert_rel9(num(&c["estimate"]), 0.056451612903225805, "rr");
    assert_rel9(num(&c["ci"]["lower"]), 0.026496867697568857, "rr lower");
    assert_rel9(num(&c["ci"]["upper"]), 0.120270238571181909, "rr upper");
    let (code, e) = check_err("bad-method", &text.replace("katz-log", "katz"));
    assert_eq!(code, 2);
    assert!(e.contains(".toml:2:") && e.contains("method = 'katz'") && e.contains("katz-log"), "{e}");
}

#[test]
fn directions_and_hedged_ratios() {
    let d = tmp("dir");
    let p = d.join("c.toml");
    std::fs::write(
        &p,
        "[[claim]]\nid = \"lower\"\nsource = \"s\"\ncounts = { treated = \"2/100\", control = \"20/100\" }\nmeasure = \"risk-ratio\"\ncited = \"<1\"\nassumptions = \"x\"\n\n\
         [[claim]]\nid = \"wrong-side\"\nsource = \"s\"\ncounts = { treated = \"2/100\", control = \"20/100\" }\nmeasure = \"risk-ratio\"\ncited = \">1\"\n\n\
         [[claim]]\nid = \"hedged\"\nsource = \"s\"\ncounts = { treated = \"30/100\", control = \"10/100\" }\nmeasure = \"risk-ratio\"\ncited = \"nearly 3x\"\n\n\
         [[claim]]\nid = \"p\"\nsource = \"s\"\ncounts = { treated = \"30/100\", control = \"10/100\" }\nmeasure = \"fisher-exact\"\nstatistic = \"p-value\"\ncited = \"<0.05\"\n",
    )
    .unwrap();
    let out = cli(&["check", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(claim(&r, "lower")["verdict"], "reproduced");
    assert_eq!(claim(&r, "wrong-side")["verdict"], "not-reproduced");
    assert!(claim(&r, "wrong-side")["why"].as_str().unwrap().contains("other side of 1"));
    assert_eq!(claim(&r, "hedged")["verdict"], "reproduced");
    assert!((claim(&r, "hedged")["computed_value"].as_f64().unwrap() - 3.0).abs() < 1e-12);
    assert_eq!(claim(&r, "p")["verdict"], "reproduced");
    assert!(claim(&r, "p")["computed_value"].as_f64().unwrap() < 0.001);
}

#[test]
fn an_unwritable_junit_file_is_an_error() {
    let out = cli(&["check", &dataset("acupuncture_headache/claims.toml"), "--junit", "/nonexistent-dir/claims.xml"]);
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("/nonexistent-dir/claims.xml: cannot write"), "{e}");
}

/// A claim from two groups' summaries (MEAN,SD,N) is computed as `trialstat smd` computes it:
/// the same result, byte for byte; a cited figure that does not match fails.
#[test]
fn a_claim_from_summaries_is_the_smd_one_liner() {
    let d = tmp("summaries");
    let p = d.join("claims.toml");
    let text = "[[claim]]\nid = \"g\"\nsource = \"s\"\nsummaries = { treated = \"16.2,13.7,161\", control = \"22.3,17.0,140\" }\nmeasure = \"hedges-g\"\ncited = \"-0.40\"\n\n[[claim]]\nid = \"g-wrong\"\nsource = \"s\"\nsummaries = { treated = \"16.2,13.7,161\", control = \"22.3,17.0,140\" }\nmeasure = \"hedges-g\"\ncited = \"-0.30\"\n";
    std::fs::write(&p, text).unwrap();
    let out = cli(&["check", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let smd = crate::common::cli_json(&["smd", "--treated", "16.2,13.7,161", "--control", "22.3,17.0,140"]);
    let want = smd["results"].as_array().unwrap().iter().find(|e| e["measure"] == "hedges-g").unwrap();
    assert_eq!(serde_json::to_string(&claim(&r, "g")["computed"]).unwrap(), serde_json::to_string(want).unwrap());
    assert_eq!(claim(&r, "g")["verdict"], "reproduced");
    assert_eq!(claim(&r, "g-wrong")["verdict"], "not-reproduced");
    // Two sources at once is an error.
    let (_, e) = check_err("summaries-two", &text.replace("summaries = {", "count = \"7/10\"\nsummaries = {"));
    assert!(e.contains("exactly one of analysis, counts, rates, summaries, count"), "{e}");
}
