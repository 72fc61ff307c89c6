//! End-to-end tests of the reviewer's one-liners: every command, every output format, every
//! bad input named in the issue. Numbers are checked against the library's own estimators (whose
//! golden tests compare them with R and SciPy) and, for the headline example, against R directly.

use assert_cmd::Command;
use serde_json::Value;
use trialstat::data::{BinomialCount, PersonTime, TwoByTwo};
use trialstat::stats::{two_by_two, Measure, Method};

fn trialstat() -> Command {
    Command::cargo_bin("trialstat").unwrap()
}

fn run_ok(args: &[&str]) -> String {
    let out = trialstat().args(args).output().unwrap();
    assert!(out.status.success(), "trialstat {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn run_json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    serde_json::from_str(&run_ok(&a)).unwrap()
}

/// Run a bad command: exit status `code`, one line on stderr containing every fragment.
fn run_err(args: &[&str], code: i32, fragments: &[&str]) {
    let out = trialstat().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "trialstat {args:?}: stderr {err}");
    assert!(out.stdout.is_empty(), "no partial output on error: {}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(err.trim_end().lines().count(), 1, "one-line error expected, got: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for f in fragments {
        assert!(err.contains(f), "trialstat {args:?}: stderr lacks {f:?}: {err}");
    }
}

fn find<'a>(j: &'a Value, measure: &str, method: &str) -> &'a Value {
    j["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["measure"] == measure && r["method"] == method)
        .unwrap_or_else(|| panic!("no {measure}/{method} in {j}"))
}

#[test]
fn compare_json_follows_the_contract() {
    let j = run_json(&["compare", "7/1000", "124/1000", "--labels", "acupuncture,celecoxib"]);
    for key in ["trialstat_version", "command", "inputs", "results", "notes"] {
        assert!(j.get(key).is_some(), "missing {key}");
    }
    assert_eq!(j["command"], "compare");
    assert_eq!(j["trialstat_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(j["inputs"]["treated"]["events"], 7);
    assert_eq!(j["inputs"]["control"]["label"], "celecoxib");
    // Default: the recommended method of each measure.
    let rr = find(&j, "risk-ratio", "koopman");
    let t = TwoByTwo::new(BinomialCount::new(7, 1000).unwrap(), BinomialCount::new(124, 1000).unwrap());
    let lib = two_by_two::risk_ratio(&t, Method::Koopman, 0.95).unwrap();
    assert_eq!(rr["estimate"].as_f64().unwrap(), lib.estimate.unwrap());
    assert_eq!(rr["ci"]["lower"].as_f64().unwrap(), lib.ci.unwrap().lower);
    assert_eq!(rr["ci"]["level"].as_f64().unwrap(), 0.95);
    for (m, meth) in [
        ("proportion", "wilson"),
        ("odds-ratio", "miettinen-nurminen"),
        ("risk-difference", "newcombe"),
        ("nnt", "newcombe"),
        ("fisher-exact", "exact"),
        ("pearson-chi2", "uncorrected"),
    ] {
        let r = find(&j, m, meth);
        assert!(r.get("estimate").is_some() && r.get("ci").is_some(), "{m}: {r}");
    }
    let props: Vec<&Value> = j["results"].as_array().unwrap().iter().filter(|r| r["measure"] == "proportion").collect();
    assert_eq!(props.len(), 2);
    assert_eq!(props[0]["group"], "acupuncture");
    assert_eq!(props[0]["n"], 1000);
    let chi = find(&j, "pearson-chi2", "uncorrected");
    assert_eq!(chi["df"], 1.0);
    assert!(chi["p_value"].as_f64().unwrap() < 1e-10);
}

#[test]
fn compare_all_methods_lists_every_method() {
    let j = run_json(&["compare", "7/1000", "124/1000", "--ci-method", "all"]);
    for measure in [Measure::Proportion, Measure::RiskRatio, Measure::OddsRatio, Measure::RiskDifference, Measure::Nnt, Measure::PearsonChi2] {
        for m in measure.methods() {
            find(&j, measure.name(), m.name());
        }
    }
}

#[test]
fn named_methods_apply_where_they_fit() {
    let j = run_json(&["compare", "7/1000", "124/1000", "--ci-method", "katz-log", "--ci-method", "wald"]);
    find(&j, "risk-ratio", "katz-log");
    find(&j, "risk-difference", "wald");
    find(&j, "proportion", "wald");
    // Odds ratio: neither applies, so its recommended method is used.
    find(&j, "odds-ratio", "miettinen-nurminen");
    assert!(j["results"].as_array().unwrap().iter().all(|r| r["method"] != "koopman"));
}

#[test]
fn compare_text_is_a_labelled_table() {
    let out = run_ok(&["compare", "7/1000", "124/1000", "--labels", "acupuncture,celecoxib"]);
    assert!(out.starts_with("trialstat compare: acupuncture 7/1000 vs celecoxib 124/1000\n"), "{out}");
    for frag in ["By group", "acupuncture vs celecoxib", "risk ratio", "koopman", "95% CI", "NNTB", "Fisher exact test", "p-value", "0.7%", "12.4%"] {
        assert!(out.contains(frag), "text lacks {frag:?}:\n{out}");
    }
    // The CI excludes 1: no group-size note.
    assert!(!out.contains("Not distinguishable"), "{out}");
}

#[test]
fn indistinguishable_comparison_says_how_large_groups_must_be() {
    // 0.012% vs 0.004% ("nearly 3x"): Koopman's score CI excludes 1, Fisher's exact test does not.
    let out = run_ok(&["compare", "12/100000", "4/100000"]);
    assert!(out.contains("Not distinguishable from no difference at 95% by:"), "{out}");
    assert!(out.contains("fisher-exact (exact, p = 0.077)"), "{out}");
    assert!(out.contains("The verdict depends on the method."), "{out}");
    let j = run_json(&["compare", "12/100000", "4/100000"]);
    let note = j["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).find(|n| n.contains("exact conditional CI")).unwrap();
    // Check the claim: at the size the note gives, the exact CI excludes 1; at 0.9 of it, not.
    let i = note.find("from about ").unwrap() + "from about ".len();
    let n: u64 = note[i..].split_whitespace().next().unwrap().replace(',', "").parse().unwrap();
    let j = note.find("× the sizes given; ").unwrap() + "× the sizes given; ".len();
    let ev: Vec<u64> = note[j..].split(" events").next().unwrap().split(" vs ").map(|x| x.parse().unwrap()).collect();
    let exact_ci = |a: u64, c: u64, n: u64| {
        let t = TwoByTwo::new(BinomialCount::new(a, n).unwrap(), BinomialCount::new(c, n).unwrap());
        trialstat::stats::exact::fisher_exact(&t, 0.95).unwrap().ci.unwrap()
    };
    // Same rates: the scaled events keep the 3:1 ratio.
    assert_eq!(ev[0], 3 * ev[1], "{note}");
    assert!(exact_ci(ev[0], ev[1], n).lower > 1.0, "at n = {n} the CI should exclude 1: {note}");
    // At the sizes given the exact CI includes 1 (that is why the note is there).
    assert!(exact_ci(12, 4, 100000).lower <= 1.0);
    // A clear difference gets no such note.
    let j = run_json(&["compare", "7/1000", "124/1000"]);
    assert!(j["notes"].as_array().unwrap().iter().all(|n| !n.as_str().unwrap().contains("Not distinguishable")));
}

#[test]
fn every_format_renders() {
    let csv = run_ok(&["compare", "7/1000", "124/1000", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), trialstat::render::CSV_COLUMNS.join(","));
    assert!(csv.lines().any(|l| l.starts_with("risk-ratio,koopman,,")), "{csv}");
    let md = run_ok(&["compare", "7/1000", "124/1000", "--format", "markdown"]);
    assert!(md.starts_with("### trialstat compare"), "{md}");
    assert!(md.contains("| measure | method | estimate | 95% CI |"), "{md}");
    let text = run_ok(&["compare", "7/1000", "124/1000", "--format", "text"]);
    assert!(text.contains("risk ratio"));
}

#[test]
fn every_command_in_every_format() {
    let dir = tempdir();
    let f = dir.join("strata.csv");
    std::fs::write(&f, "stratum,events_treated,n_treated,events_control,n_control\nA,4,50,9,52\nB,2,40,6,41\n").unwrap();
    let strata = f.to_str().unwrap().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["prop", "7/1000"],
        vec!["compare", "7/1000", "124/1000"],
        vec!["rates", "12/100000", "4/100000"],
        vec!["strata", &strata],
        vec!["smd", "--treated", "16.2,13.7,161", "--control", "22.3,17.0,140"],
    ];
    for cmd in &commands {
        let n_results = {
            let j = run_json(cmd);
            assert_eq!(j["command"], cmd[0]);
            j["results"].as_array().unwrap().len()
        };
        assert!(n_results > 0, "{cmd:?}");
        let mut a = cmd.clone();
        a.extend(["--format", "csv"]);
        let csv = run_ok(&a);
        assert_eq!(csv.lines().next().unwrap(), trialstat::render::CSV_COLUMNS.join(","), "{cmd:?}");
        assert_eq!(csv.lines().count(), n_results + 1, "{cmd:?}: one CSV row per result");
        let mut a = cmd.clone();
        a.extend(["--format", "markdown"]);
        let md = run_ok(&a);
        assert!(md.starts_with(&format!("### trialstat {}", cmd[0])), "{md}");
        assert!(md.contains("|---|"), "{md}");
        let text = run_ok(cmd);
        assert!(text.starts_with(&format!("trialstat {}:", cmd[0])), "{text}");
        assert!(text.contains("95% CI"), "{cmd:?}: {text}");
    }
}

#[test]
fn level_changes_every_interval() {
    let j = run_json(&["compare", "7/1000", "124/1000", "--level", "0.9"]);
    for r in j["results"].as_array().unwrap() {
        if let Some(ci) = r.get("ci").filter(|c| !c.is_null()) {
            assert_eq!(ci["level"].as_f64().unwrap(), 0.9, "{r}");
        }
    }
    assert!(run_ok(&["compare", "7/1000", "124/1000", "--level", "0.9"]).contains("90% CI"));
}

#[test]
fn prop_one_liner() {
    let j = run_json(&["prop", "7/1000", "--ci-method", "all"]);
    let rs = j["results"].as_array().unwrap();
    assert_eq!(rs.len(), Measure::Proportion.methods().len());
    let w = find(&j, "proportion", "wilson");
    assert_eq!(w["estimate"].as_f64().unwrap(), 0.007);
    let text = run_ok(&["prop", "0.7%/1000"]);
    assert!(text.contains("0.7% of 1000 = 7 events"), "{text}");
}

#[test]
fn rates_one_liner() {
    let j = run_json(&["rates", "12/100000", "4/100000"]);
    let rr = find(&j, "rate-ratio", "exact-conditional");
    assert_eq!(rr["estimate"].as_f64().unwrap(), 3.0);
    find(&j, "rate-difference", "wald");
    let lib = trialstat::stats::rates::rate_ratio(&PersonTime::new(12, 1e5).unwrap(), &PersonTime::new(4, 1e5).unwrap(), Method::ExactConditional, 0.95).unwrap();
    assert_eq!(rr["ci"]["upper"].as_f64().unwrap(), lib.ci.unwrap().upper);
    let text = run_ok(&["rates", "12/100000", "4/100000", "--labels", "unlicensed,licensed"]);
    assert!(text.contains("rate per 10,000"), "{text}");
    assert!(text.contains("exact-conditional CI of the rate ratio would exclude 1"), "{text}");
    assert!(text.contains("person-time"), "{text}");
}

#[test]
fn strata_one_liner() {
    let dir = tempdir();
    let f = dir.join("strata.csv");
    std::fs::write(&f, "stratum,events_treated,n_treated,events_control,n_control\nsite1,4,50,9,52\nsite2,2,40,6,41\nsite3,0,30,3,29\n").unwrap();
    let j = run_json(&["strata", f.to_str().unwrap()]);
    for (m, meth) in [
        ("mh-risk-ratio", "greenland-robins"),
        ("mh-odds-ratio", "robins-breslow-greenland"),
        ("mh-risk-difference", "sato"),
        ("cmh", "uncorrected"),
        ("breslow-day", "tarone"),
    ] {
        find(&j, m, meth);
    }
    assert_eq!(j["inputs"]["strata"].as_array().unwrap().len(), 3);
    let per_stratum = j["results"].as_array().unwrap().iter().filter(|r| r["measure"] == "risk-ratio" && r["group"] == "site3").count();
    assert_eq!(per_stratum, 1);
    let text = run_ok(&["strata", f.to_str().unwrap()]);
    assert!(text.contains("MH risk ratio") && text.contains("site3"), "{text}");
}

#[test]
fn smd_one_liner() {
    let j = run_json(&["smd", "--treated", "16.2,13.7,161", "--control", "22.3,17.0,140"]);
    let md = find(&j, "mean-difference", "welch");
    assert!((md["estimate"].as_f64().unwrap() - (16.2 - 22.3)).abs() < 1e-12);
    for m in ["cohens-d", "hedges-g", "glass-delta"] {
        find(&j, m, "noncentral-t");
    }
}

#[test]
fn bad_counts_are_one_line_errors_with_status_2() {
    run_err(&["compare", "7/0", "124/1000"], 2, &["first count (treated)", "'7/0'", "N must be at least 1"]);
    run_err(&["compare", "8/5", "124/1000"], 2, &["'8/5'", "exceed N"]);
    run_err(&["compare", "7/1000", "-1/10"], 2, &["second count (control)", "'-1/10'", "negative"]);
    run_err(&["compare", "abc", "124/1000"], 2, &["'abc'", "EVENTS/N"]);
    run_err(&["compare", "1e400/10", "124/1000"], 2, &["'1e400/10'", "2^53"]);
    run_err(&["prop", "8/5"], 2, &["count = '8/5'"]);
    run_err(&["rates", "3/0", "1/10"], 2, &["first rate (treated)", "above 0"]);
    run_err(&["smd", "--treated", "1,2", "--control", "1,2,3"], 2, &["--treated", "MEAN,SD,N"]);
}

#[test]
fn bad_levels_and_methods() {
    for lvl in ["1.5", "0", "1", "-0.1", "abc", "NaN"] {
        run_err(&["compare", "7/1000", "124/1000", "--level", lvl], 2, &["--level", "between 0 and 1"]);
    }
    run_err(&["compare", "7/1000", "124/1000", "--level", "95"], 2, &["write 0.95"]);
    run_err(&["compare", "7/1000", "124/1000", "--ci-method", "koopmann"], 2, &["--ci-method", "'koopmann'", "did you mean 'koopman'"]);
    run_err(&["compare", "7/1000", "124/1000", "--ci-method", "welch"], 2, &["--ci-method", "welch", "a method of `compare`"]);
    run_err(&["compare", "7/1000", "124/1000", "--labels", "onlyone"], 2, &["--labels"]);
}

#[test]
fn bad_stratum_files() {
    let dir = tempdir();
    let missing = dir.join("missing-col.csv");
    std::fs::write(&missing, "stratum,events_treated,n_treated,events_control\nA,1,10,2\n").unwrap();
    run_err(&["strata", missing.to_str().unwrap()], 2, &["missing-col.csv", "missing column 'n_control'", "columns present"]);
    let bad = dir.join("bad-value.csv");
    std::fs::write(&bad, "stratum,events_treated,n_treated,events_control,n_control\nA,1,10,2,10\nB,12,10,2,10\n").unwrap();
    run_err(&["strata", bad.to_str().unwrap()], 3, &["bad-value.csv:3", "events_treated", "'12'"]);
    run_err(&["strata", dir.join("nope.csv").to_str().unwrap()], 2, &["nope.csv", "cannot read"]);
}

#[test]
fn extreme_but_valid_counts() {
    // 0/n, n/n, n = 1 and counts near 2^53 all give results, never NaN (JSON has no NaN).
    for (a, b) in [("0/100", "5/100"), ("100/100", "95/100"), ("1/1", "0/1"), ("0/10", "0/20"), ("4503599627370496/9007199254740992", "4503599627370495/9007199254740992")] {
        let out = run_ok(&["compare", a, b, "--ci-method", "all", "--format", "json"]);
        assert!(!out.contains("NaN"), "{a} {b}: {out}");
        let j: Value = serde_json::from_str(&out).unwrap();
        assert!(!j["results"].as_array().unwrap().is_empty());
    }
}

#[test]
fn computational_limits_mark_one_row_not_the_report() {
    // 3e9 events: beyond the exact conditional rate ratio's limit; the Wald rows still come.
    let j = run_json(&["rates", "2000000000/1e12", "1000000000/1e12", "--ci-method", "all"]);
    let exact = find(&j, "rate-ratio", "exact-conditional");
    assert!(exact["estimate"].is_null(), "{exact}");
    assert!(exact["notes"][0].as_str().unwrap().contains("at most 1000000000"), "{exact}");
    let wald = find(&j, "rate-ratio", "wald");
    assert_eq!(wald["estimate"].as_f64().unwrap(), 2.0);
}

#[test]
fn describe_in_every_format() {
    let adsl = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/cdisc_pilot01/adsl.csv");
    let text = run_ok(&["describe", adsl]);
    assert!(text.contains("layout: ADaM ADSL (one row per subject); 254 rows, 48 columns"), "{text}");
    assert!(text.contains("Placebo") && text.contains("86"), "{text}");
    let j: Value = serde_json::from_str(&run_ok(&["describe", adsl, "--format", "json"])).unwrap();
    assert_eq!(j["command"], "describe");
    assert_eq!(j["layout"], "adam-adsl");
    assert_eq!(j["arms"][0]["arm"], "Placebo");
    assert_eq!(j["arms"][0]["subjects"], 86);
    let csv = run_ok(&["describe", adsl, "--format", "csv"]);
    assert!(csv.starts_with("arm,subjects,rows,missing_"), "{csv}");
    assert_eq!(csv.lines().count(), 4);
    let md = run_ok(&["describe", adsl, "--format", "markdown"]);
    assert!(md.starts_with("### trialstat describe") && md.contains("| arm | subjects | rows |"), "{md}");
}

#[test]
fn describe_errors() {
    run_err(&["describe", "/nonexistent/trial.csv"], 2, &["/nonexistent/trial.csv", "cannot read"]);
    let adsl = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/cdisc_pilot01/adsl.csv");
    run_err(&["describe", adsl, "--arm", "TRT01X"], 2, &["adsl.csv", "--arm 'TRT01X'", "did you mean", "columns present"]);
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("trialstat-cli-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn dataset(rel: &str) -> String {
    format!("{}/datasets/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Every command, with inputs that succeed (`check` with a claims file that reproduces).
fn every_command(dir: &std::path::Path) -> Vec<Vec<String>> {
    let strata = dir.join("strata.csv");
    std::fs::write(&strata, "stratum,events_treated,n_treated,events_control,n_control\nA,4,50,9,52\nB,2,40,6,41\n").unwrap();
    let head = dataset("acupuncture_headache/acupuncture_headache.csv");
    let (adsl, adae, adtte) = (dataset("cdisc_pilot01/adsl.csv"), dataset("cdisc_pilot01/adae.csv"), dataset("cdisc_pilot01/adtte.csv"));
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    vec![
        s(&["prop", "7/1000"]),
        s(&["compare", "7/1000", "124/1000"]),
        s(&["rates", "12/100000", "4/100000"]),
        s(&["strata", strata.to_str().unwrap()]),
        s(&["smd", "--treated", "16.2,13.7,161", "--control", "22.3,17.0,140"]),
        s(&["describe", &adsl]),
        s(&["responders", &head, "--treatment", "1", "--control", "0", "--baseline", "pk1", "--followup", "pk5", "--reduction", "35%"]),
        s(&["change", &head, "--baseline", "pk1", "--followup", "pk5", "--treatment", "1"]),
        s(&["ae", &adae, "--subjects", &adsl, "--teae"]),
        s(&["incidence", &adtte, "--censor", "CNSR", "--time", "AVAL", "--time-unit", "days"]),
        s(&["report", "--quiet", "--force", "--out", dir.join("report").to_str().unwrap()]),
        s(&["check", &dataset("acupuncture_headache/claims.toml")]),
        s(&["--help"]),
    ]
}

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
#[cfg(unix)]
fn closed_pipe() -> std::process::Stdio {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe(2) returns.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and are owned here alone.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    std::process::Stdio::from(write)
}

/// `trialstat ... | head -0`: no panic, no exit 101, the status the command would have had (0),
/// nothing on stderr.
#[cfg(unix)]
#[test]
fn closed_stdout_ends_every_command_quietly() {
    let dir = tempdir();
    let bin = env!("CARGO_BIN_EXE_trialstat");
    for args in every_command(&dir) {
        for stdout in ["closed", "dropped"] {
            let mut cmd = std::process::Command::new(&bin);
            cmd.args(&args).stderr(std::process::Stdio::piped());
            let out = if stdout == "closed" {
                // Deterministic: the reader is gone before the command starts.
                cmd.stdout(closed_pipe()).output().unwrap()
            } else {
                // As `| head -0` does: the reader goes away while the command runs.
                let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().unwrap();
                drop(child.stdout.take());
                child.wait_with_output().unwrap()
            };
            let err = String::from_utf8_lossy(&out.stderr);
            assert_ne!(out.status.code(), Some(101), "{args:?} ({stdout}): {err}");
            assert!(!err.contains("panicked") && !err.contains("failed printing"), "{args:?} ({stdout}): {err}");
            assert_eq!(out.status.code(), Some(0), "{args:?} ({stdout}): {err}");
            assert!(err.is_empty(), "{args:?} ({stdout}): {err}");
        }
    }
}

/// A closed stdout keeps `check`'s verdict: 1 when a claim did not reproduce.
#[cfg(unix)]
#[test]
fn closed_stdout_keeps_the_check_verdict() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trialstat"))
        .args(["check", &dataset("seed-claims.toml")])
        .stdout(closed_pipe())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty());
}

/// Any other write error on stdout (a full disk) is exit 2 with one line saying so.
#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_exit_2() {
    let dir = tempdir();
    for args in every_command(&dir).into_iter().filter(|a| a[0] != "--help") {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_trialstat")).args(&args).stdout(full).stderr(std::process::Stdio::piped()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end(), "trialstat: error: cannot write output: No space left on device (os error 28)", "{args:?}");
    }
}

#[test]
fn markdown_cells_are_escaped() {
    let md = run_ok(&["compare", "1/10", "2/10", "--labels", "<script>,a|b", "--format", "markdown"]);
    assert!(!md.contains("<script>"), "{md}");
    assert!(md.contains("| &lt;script&gt; | 1 | 10 |"), "{md}");
    assert!(md.contains("| a\\|b | 2 | 10 |"), "{md}");
    // Every table row keeps its columns: the label's pipe does not split a cell.
    for line in md.lines().filter(|l| l.starts_with("| ")) {
        assert_eq!(line.replace("\\|", "").matches('|').count(), 7, "{line}");
    }
}

#[test]
fn csv_cells_a_spreadsheet_would_run_are_neutralised_unless_raw() {
    let label = "=HYPERLINK(\"http://x\")";
    let labels = format!("{label},control");
    let csv = run_ok(&["compare", "1/10", "2/10", "--labels", &labels, "--format", "csv"]);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let head = r.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][col("group")], format!("'{label}"), "{csv}");
    assert!(rows.iter().all(|row| !row.iter().any(|c| c.starts_with('='))), "{csv}");
    // Negative numbers stay numbers: the risk difference -0.1 and its lower bound.
    let rd = rows.iter().find(|row| &row[0] == "risk-difference").unwrap();
    assert_eq!(&rd[col("estimate")], "-0.1");
    assert!(rd[col("ci_lower")].parse::<f64>().unwrap() < 0.0, "{:?}", rd);
    // --csv-raw writes the cell as it is.
    let raw = run_ok(&["compare", "1/10", "2/10", "--labels", &labels, "--format", "csv", "--csv-raw"]);
    let mut r = csv::Reader::from_reader(raw.as_bytes());
    assert_eq!(&r.records().next().unwrap().unwrap()[2], label, "{raw}");
    // describe's CSV too.
    let dir = tempdir();
    let f = dir.join("t.csv");
    std::fs::write(&f, "id,arm,y\n1,@SUM(A1),3\n2,b,4\n").unwrap();
    let csv = run_ok(&["describe", f.to_str().unwrap(), "--arm", "arm", "--format", "csv"]);
    assert!(csv.contains("'@SUM(A1)") && !csv.contains(",@SUM"), "{csv}");
}

/// Spec, claims and stratum files that are not regular files, or too large: exit 2 at once.
#[cfg(unix)]
#[test]
fn inputs_that_are_not_files_or_too_large_are_refused_at_once() {
    let dir = tempdir();
    let start = std::time::Instant::now();
    run_err(&["strata", "/dev/zero"], 2, &["/dev/zero: not a regular file (a character device); a stratum file must be a regular file of at most 64 MiB"]);
    run_err(&["check", "/dev/zero"], 2, &["/dev/zero: not a regular file (a character device); a claims file must be a regular file of at most 16 MiB"]);
    run_err(&["report", "/dev/zero", "--out", dir.join("out").to_str().unwrap()], 2, &["/dev/zero: not a regular file (a character device); a spec file must be a regular file of at most 16 MiB"]);
    let d = dir.to_str().unwrap();
    run_err(&["strata", d], 2, &["not a regular file (a directory)"]);
    run_err(&["check", d], 2, &["not a regular file (a directory)"]);
    run_err(&["report", d, "--out", dir.join("out").to_str().unwrap()], 2, &["not a regular file (a directory)"]);
    let fifo = dir.join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    run_err(&["check", fifo.to_str().unwrap()], 2, &["not a regular file (a FIFO)"]);
    run_err(&["strata", fifo.to_str().unwrap()], 2, &["not a regular file (a FIFO)"]);
    // Over the limit (a sparse file: no disk used).
    let big = dir.join("big.toml");
    std::fs::File::create(&big).unwrap().set_len(16 * 1024 * 1024 + 1).unwrap();
    run_err(&["check", big.to_str().unwrap()], 2, &["big.toml: 16777217 bytes is over the 16 MiB limit for a claims file"]);
    run_err(&["report", big.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()], 2, &["big.toml: 16777217 bytes is over the 16 MiB limit for a spec file"]);
    let big = dir.join("big.csv");
    std::fs::File::create(&big).unwrap().set_len(64 * 1024 * 1024 + 1).unwrap();
    run_err(&["strata", big.to_str().unwrap()], 2, &["big.csv: 67108865 bytes is over the 64 MiB limit for a stratum file"]);
    assert!(!dir.join("out").exists());
    assert!(start.elapsed() < std::time::Duration::from_secs(60), "took {:?}", start.elapsed());
    // A NaN count is not a whole number (it is not "above 2^53").
    let f = dir.join("nan.csv");
    std::fs::write(&f, "stratum,events_treated,n_treated,events_control,n_control\nA,NaN,10,2,10\n").unwrap();
    run_err(&["strata", f.to_str().unwrap()], 3, &["nan.csv:2: column 'events_treated' = 'NaN': 'NaN' is not a whole number"]);
}

/// Usage errors are one line in the documented form (exit 2), and --help lists every exit
/// status (issue 13).
#[test]
fn usage_errors_are_one_line_and_help_lists_every_exit_status() {
    run_err(&["strata"], 2, &["trialstat: error: the following required arguments were not provided: <FILE>", "usage: trialstat strata <FILE>", "see --help"]);
    run_err(&["compare", "1/2", "3/4", "--bogus"], 2, &["unexpected argument '--bogus'", "usage: trialstat compare"]);
    run_err(&["frobnicate"], 2, &["unrecognized subcommand 'frobnicate'"]);
    let help = run_ok(&["--help"]);
    for s in ["0 ok", "1 a claim did not reproduce", "2 bad argument", "3 invalid value", "4 computation failed"] {
        assert!(help.contains(s), "{s} in {help}");
    }
}

/// The sample stratum file (the headache trial's responders by headache type) gives the
/// Mantel–Haenszel estimates the responders analysis of the patient file gives.
#[test]
fn sample_stratum_file_matches_the_stratified_responders_analysis() {
    let root = env!("CARGO_MANIFEST_DIR");
    let s = run_json(&["strata", &format!("{root}/datasets/acupuncture_headache/responders_by_migraine.csv"), "--labels", "acupuncture,usual care"]);
    let r = run_json(&[
        "responders",
        &format!("{root}/datasets/acupuncture_headache/acupuncture_headache.csv"),
        "--arm", "group", "--control", "0", "--baseline", "pk1", "--followup", "pk5", "--reduction", "35%", "--strata", "migraine",
    ]);
    for (m, method) in [("mh-risk-ratio", "greenland-robins"), ("mh-odds-ratio", "robins-breslow-greenland"), ("mh-risk-difference", "sato")] {
        let a = find(&s, m, method)["estimate"].as_f64().unwrap();
        let b = find(&r, m, method)["estimate"].as_f64().unwrap();
        assert!((a - b).abs() <= 1e-12 * b.abs(), "{m}: {a} vs {b}");
    }
}

#[test]
fn ae_arm_order_and_rtf_tables() {
    let (ae, adsl) = (dataset("cdisc_pilot01/adae.csv"), dataset("cdisc_pilot01/adsl.csv"));
    let base = ["ae", ae.as_str(), "--subjects", adsl.as_str(), "--teae"];
    // The control first, then the arms in the order asked for.
    let md = run_ok(&[&base[..], &["--arm-order", "Xanomeline Low Dose,Xanomeline High Dose", "--format", "markdown"]].concat());
    let header = md.lines().find(|l| l.starts_with("| System organ class")).unwrap();
    let (p, lo, hi) = (header.find("Placebo (N = 86)").unwrap(), header.find("Xanomeline Low Dose (N = 84)").unwrap(), header.find("Xanomeline High Dose (N = 84)").unwrap());
    assert!(p < lo && lo < hi, "{header}");
    assert!(header.find("Xanomeline Low Dose vs Placebo: RR (95% CI)").unwrap() < header.find("Xanomeline High Dose vs Placebo: RR (95% CI)").unwrap(), "{header}");
    run_err(&[&base[..], &["--arm-order", "Xanomeline Medium Dose"]].concat(), 2, &["--arm-order", "'Xanomeline Medium Dose'", "Xanomeline High Dose, Xanomeline Low Dose, Placebo"]);
    run_err(&[&base[..], &["--arm-order", "Xanomeline High Dose,Placebo"]].concat(), 2, &["--arm-order", "the control 'Placebo' first"]);
    // RTF: 7-bit, one table per text table, the header row repeated on each page, preferred
    // terms indented under their SOC, the same cells as the text table.
    let rtf = run_ok(&[&base[..], &["--format", "rtf"]].concat());
    assert!(rtf.starts_with("{\\rtf1\\ansi") && rtf.ends_with("}\n") && rtf.is_ascii());
    assert_eq!(rtf.matches("\\trhdr").count(), 1);
    for want in ["Placebo (N = 86)\\cell", "\\li360\\f0\\fs18 APPLICATION SITE PRURITUS\\cell", "6 (7.0)\\line [10]\\cell", "3.75\\line (1.67 to 8.67)\\cell", "<0.001\\cell"] {
        assert!(rtf.contains(want), "RTF lacks {want}");
    }
    // Terms coded in capitals, printed in sentence case (as MedDRA spells them); JSON as coded.
    let sentence = run_ok(&[&base[..], &["--term-case", "sentence", "--format", "markdown"]].concat());
    assert!(sentence.contains("| General disorders and administration site conditions | 21 (24.4) [46] |"), "{sentence}");
    assert!(sentence.contains("| \u{a0}\u{a0}\u{a0}\u{a0}Application site pruritus | 6 (7.0) [10] |"), "{sentence}");
    let j = run_json(&[&base[..], &["--term-case", "title"]].concat());
    assert!(j["results"].as_array().unwrap().iter().any(|r| r["term"] == "APPLICATION SITE PRURITUS"));
    // The flow: each arm's subjects in ADSL and in the safety population, control first.
    assert_eq!((j["flow"][0]["group"].as_str(), j["flow"][0]["in_file"].as_u64(), j["flow"][0]["analysed"].as_u64()), (Some("Placebo"), Some(86), Some(86)));
    let q = run_json(&[&base[..], &["--subjects-where", "AGE >= 80"]].concat());
    let f0 = &q["flow"][0];
    assert_eq!((f0["in_file"].as_u64().unwrap(), f0["analysed"].as_u64().unwrap() + f0["excluded"][0]["n"].as_u64().unwrap()), (86, 86));
    assert_eq!(f0["excluded"][0]["reason"], "not in the population (AGE >= 80)");
    run_err(&[&base[..], &["--term-case", "lower"]].concat(), 2, &["--term-case"]);
    let rows = md.lines().filter(|l| l.starts_with("| ")).count();
    assert_eq!(rtf.matches("\\row\n").count(), rows, "one RTF row per Markdown row (header included)");
}

#[test]
fn spec_ae_term_case_and_arm_order_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("study.toml");
    let (ae, adsl) = (dataset("cdisc_pilot01/adae.csv"), dataset("cdisc_pilot01/adsl.csv"));
    for (key, fragment) in [
        ("term_case = \"lower\"", "term_case = 'lower': one of as-coded, sentence or title"),
        ("arm_order = [\"Xanomeline Medium Dose\"]", "arm-order = 'Xanomeline Medium Dose'"),
    ] {
        std::fs::write(&spec, format!("title = \"t\"\n[data.ae]\nfile = {ae:?}\n[data.adsl]\nfile = {adsl:?}\n\n[[analysis]]\nname = \"teae\"\nkind = \"ae\"\ndata = \"ae\"\nsubjects = \"adsl\"\n{key}\n")).unwrap();
        let out = trialstat().args(["report", spec.to_str().unwrap(), "--out", dir.path().join("out").to_str().unwrap()]).output().unwrap();
        let e = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{e}");
        assert!(e.contains("study.toml:8: analysis 'teae':") && e.contains(fragment), "{fragment}: {e}");
        assert!(!dir.path().join("out").exists());
    }
}
