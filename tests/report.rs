//! `trialstat report`: the bundled study end to end, byte-identical reruns, HTML escaping of
//! text from the data, atomic output, and spec errors with file, line and key.

use crate::common::{cli, dataset};
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trialstat-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every file under `dir`, as (relative path, bytes), sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push((p.strip_prefix(base).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

#[test]
fn bundled_study_is_complete_and_byte_identical_on_rerun() {
    let d = tmp("default");
    let (a, b) = (d.join("a"), d.join("b"));
    for out in [&a, &b] {
        let o = cli(&["report", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // Progress is drawn only on a terminal: piped stderr gets no bar or control codes.
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains('\r') && !err.contains('\u{1b}') && !err.contains('░'), "{err:?}");
    }
    let o = cli(&["report", "--quiet", "--out", d.join("quiet").to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.len(), tb.len());
    for ((pa, ba), (pb, bb)) in ta.iter().zip(&tb) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs between two runs");
    }
    let names: Vec<&str> = ta.iter().map(|(p, _)| p.as_str()).collect();
    for want in ["index.html", "manifest.json", "spec.toml", "tables/responders.csv", "tables/responders.json", "tables/responders.md", "tables/change.json", "plots/waterfall.svg", "plots/waterfall.png", "plots/responder-rates.png", "plots/change-over-visits.svg", "plots/responders-by-migraine.png", "plots/change-box.png"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    // The pictures the README shows are the bundled report's own plots, byte for byte.
    for name in ["waterfall.png", "change-over-visits.png", "responder-rates.png"] {
        let shipped = std::fs::read(format!("{}/datasets/acupuncture_headache/figures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let made = &ta.iter().find(|(p, _)| *p == format!("plots/{name}")).unwrap().1;
        assert!(&shipped == made, "datasets/acupuncture_headache/figures/{name} is stale: copy plots/{name} from `trialstat report`");
    }
    // The manifest lists every other file with its SHA-256.
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    let listed = manifest["outputs"].as_array().unwrap();
    assert_eq!(listed.len(), ta.len() - 1);
    for o in listed {
        let p = o["path"].as_str().unwrap();
        let bytes = std::fs::read(a.join(p)).unwrap();
        assert_eq!(o["sha256"].as_str().unwrap(), trialstat::report::sha256_hex(&bytes), "{p}");
    }
    assert_eq!(manifest["data"][0]["file"], "acupuncture_headache.csv");
    // The published figures are in the tables: 87/161 vs 45/140 and the ANCOVA 4.6 (2.2 to 7.0).
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("tables/responders.json")).unwrap()).unwrap();
    assert_eq!(r["inputs"]["responders"]["1"], serde_json::json!({"responders": 87, "n": 161}));
    assert_eq!(r["inputs"]["responders"]["0"], serde_json::json!({"responders": 45, "n": 140}));
    let c: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("tables/change.json")).unwrap()).unwrap();
    let an = c["results"].as_array().unwrap().iter().find(|e| e["measure"] == "ancova-difference" && e["visit"] == "pk5").unwrap();
    assert_eq!(format!("{:.1} ({:.1} to {:.1})", an["estimate"].as_f64().unwrap(), an["ci"]["lower"].as_f64().unwrap(), an["ci"]["upper"].as_f64().unwrap()), "-4.6 (-7.1 to -2.2)");
    // A study report: the patient flow per analysis and arm (control first), the sign convention
    // stated once, notes once, a methods paragraph with numbered references.
    let html = String::from_utf8(std::fs::read(a.join("index.html")).unwrap()).unwrap();
    let flow_rows: Vec<&serde_json::Value> = c["flow"].as_array().unwrap().iter().filter(|f| f["visit"] == "pk5").collect();
    assert_eq!(flow_rows.iter().map(|f| (f["group"].as_str().unwrap(), f["in_file"].as_u64().unwrap(), f["analysed"].as_u64().unwrap(), f["excluded"][0]["n"].as_u64().unwrap())).collect::<Vec<_>>(), [("usual care", 196, 140, 56), ("acupuncture", 205, 161, 44)]);
    assert_eq!(r["flow"][0]["group"], "usual care");
    assert_eq!((r["flow"][1]["in_file"].as_u64(), r["flow"][1]["analysed"].as_u64()), (Some(205), Some(161)));
    for want in [
        "<h2 id=\"flow\">Population and patient flow</h2>",
        "<td>usual care</td><td>196</td><td>140</td><td>56: no pk1 or no pk5 value</td>",
        "<td>acupuncture</td><td>205</td><td>161</td><td>44: no responder status (no pk1 or no pk5 value)</td>",
        "<p class=\"convention\">Change is follow-up minus baseline",
        "<p class=\"convention\">Ratios and differences are acupuncture vs usual care: a risk ratio above 1",
        "ANCOVA: pk2 and pk5 ~ arm + baseline",
        "<h2 id=\"methods\">Statistical methods</h2>",
        "the risk ratio with Koopman&#39;s asymptotic score interval [2]",
        "<li>Koopman PAR. Confidence intervals for the ratio of two binomial proportions. Biometrics 1984;40:513–517.</li>",
        "by analysis of covariance (ordinary least squares, t interval) [16]",
    ] {
        assert!(html.contains(want), "index.html lacks {want}");
    }
    let notes: String = html.split("<ul class=\"notes\">").skip(1).map(|s| s.split("</ul>").next().unwrap()).collect();
    for gone in ["Ratios and differences are", "Change = pk", "Missing responder status", "Subjects without both"] {
        assert!(!notes.contains(gone), "notes still say {gone}: {notes}");
    }
    assert_eq!(notes.matches("ANCOVA: ").count(), 1, "{notes}");
    // A second run into an existing folder needs --force; with it the folder is replaced.
    let o = cli(&["report", "--out", a.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists; add --force"));
    assert!(cli(&["report", "--out", a.to_str().unwrap(), "--force"]).status.success());
    assert_eq!(tree(&a), ta);
    std::fs::remove_dir_all(&d).unwrap();
}

const HOSTILE_SPEC: &str = r#"
title = "Escaping <b>test</b>"

[data.trial]
file = "trial.csv"

[[analysis]]
name = "resp"
kind = "responders"
data = "trial"
control = "control"
flag = "resp"

[[plot]]
name = "rates"
kind = "rates"
analysis = "resp"
"#;

#[test]
fn text_from_the_data_is_escaped_in_html() {
    let d = tmp("hostile");
    std::fs::write(d.join("trial.csv"), "id,arm,resp\n1,<script>alert(1)</script>,Y\n2,<script>alert(1)</script>,N\n3,control,N\n4,control,Y\n5,control,N\n").unwrap();
    std::fs::write(d.join("study.toml"), HOSTILE_SPEC).unwrap();
    let out = d.join("out");
    let o = cli(&["report", d.join("study.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!html.contains("<script>"), "unescaped arm name in index.html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Escaping &lt;b&gt;test&lt;/b&gt;"));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn spec_errors_name_file_line_and_key_and_write_nothing() {
    let d = tmp("errors");
    std::fs::write(d.join("trial.csv"), "id,arm,resp\n1,a,Y\n2,a,N\n3,control,N\n4,control,Y\n").unwrap();
    let out = d.join("out");
    let run = |spec: &str| {
        std::fs::write(d.join("study.toml"), spec).unwrap();
        let o = cli(&["report", d.join("study.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(!out.exists(), "a failed report left {}", out.display());
        assert!(o.stdout.is_empty());
        (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    // An unknown key (a typo of `reduction`) on line 11.
    let (code, e) = run(&HOSTILE_SPEC.replace("flag = \"resp\"", "flag = \"resp\"\nreductoin = \"35%\""));
    assert_eq!(code, 2);
    assert!(e.contains("study.toml:13:") && e.contains("unknown field `reductoin`"), "{e}");
    // A wrong type.
    let (_, e) = run(&HOSTILE_SPEC.replace("control = \"control\"", "control = 3"));
    assert!(e.contains("study.toml:11:") && e.contains("invalid type"), "{e}");
    // A missing data file.
    let (code, e) = run(&HOSTILE_SPEC.replace("trial.csv", "missing.csv"));
    assert_eq!(code, 2);
    assert!(e.contains("study.toml:5:") && e.contains("missing.csv") && e.contains("cannot read"), "{e}");
    // A column that is not there, and an arm that is not there.
    let (_, e) = run(&HOSTILE_SPEC.replace("flag = \"resp\"", "flag = \"respp\""));
    assert!(e.contains("study.toml:8: analysis 'resp':") && e.contains("'respp': no such column (did you mean 'resp'?)"), "{e}");
    let (_, e) = run(&HOSTILE_SPEC.replace("control = \"control\"", "control = \"placebo\""));
    assert!(e.contains("analysis 'resp':") && e.contains("'placebo'") && e.contains("a, control"), "{e}");
    // ci_method: an unknown method, and one in a change analysis (its methods are fixed).
    let (code, e) = run(&HOSTILE_SPEC.replace("flag = \"resp\"", "flag = \"resp\"\nci_method = \"katz-lg\""));
    assert_eq!(code, 2);
    assert!(e.contains("study.toml:8: analysis 'resp':") && e.contains("ci_method") && e.contains("did you mean 'katz-log'"), "{e}");
    // A key of another kind of analysis (bootstrap's resamples) is an error at its line, never
    // silently ignored, listing the options of this kind.
    let (code, e) = run(&HOSTILE_SPEC.replace("flag = \"resp\"", "flag = \"resp\"\nresamples = 100"));
    assert_eq!(code, 2);
    assert!(e.contains("study.toml:13: analysis 'resp': 'resamples' is not an option of kind = \"responders\" (it is an option of bootstrap)"), "{e}");
    assert!(e.contains("its options: aggregate, baseline,") && e.contains("reduction"), "{e}");
    let (_, e) = run(&HOSTILE_SPEC.replace("kind = \"responders\"", "kind = \"ae\"\nsubjects = \"trial\"\nlabels = [\"A\", \"B\"]"));
    assert!(e.contains("study.toml:11: analysis 'resp': 'labels' is not an option of kind = \"ae\" (it is an option of responders, change, endpoint, bootstrap, incidence, meta)"), "{e}");
    // A plot of an analysis that does not exist.
    let (_, e) = run(&HOSTILE_SPEC.replace("analysis = \"resp\"", "analysis = \"response\""));
    assert!(e.contains("study.toml:17:") && e.contains("analysis = 'response': no analysis of that name"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

/// The same request (responders with the log-Wald RR) gives the same results from the command
/// line, a spec and a claims file.
#[test]
fn ci_method_same_results_from_cli_spec_and_claims() {
    let d = tmp("ci-method");
    let data = dataset("acupuncture_headache/acupuncture_headache.csv");
    let spec = format!(
        "title = \"t\"\n\n[data.h]\nfile = {data:?}\nsubject = \"id\"\narm = \"group\"\n\n[[analysis]]\nname = \"r\"\nkind = \"responders\"\ndata = \"h\"\ntreatment = [\"1\"]\ncontrol = \"0\"\nbaseline = \"pk1\"\nfollowup = [\"pk5\"]\nreduction = \"35%\"\nci_method = [\"katz-log\", \"wald\"]\n"
    );
    std::fs::write(d.join("study.toml"), &spec).unwrap();
    let out = d.join("out");
    let o = cli(&["report", d.join("study.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let from_spec: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("tables/r.json")).unwrap()).unwrap();
    let from_cli = crate::common::cli_json(&["responders", &data, "--subject", "id", "--arm", "group", "--treatment", "1", "--control", "0", "--baseline", "pk1", "--followup", "pk5", "--reduction", "35%", "--ci-method", "katz-log,wald"]);
    assert_eq!(from_spec["results"], from_cli["results"]);
    assert!(from_spec["results"].as_array().unwrap().iter().any(|r| r["measure"] == "risk-ratio" && r["method"] == "katz-log"));
    // A claims file with the same analysis: the claim's computed result is the CLI's, byte for byte.
    let claims = spec.replace("title = \"t\"\n\n", "") + "\n[[claim]]\nid = \"rr\"\nsource = \"s\"\nanalysis = \"r\"\nmeasure = \"risk-ratio\"\nmethod = \"katz-log\"\ncited = \"1.5\"\ntolerance = \"100%\"\n";
    std::fs::write(d.join("claims.toml"), claims).unwrap();
    let o = cli(&["check", d.join("claims.toml").to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let checked: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let want = from_cli["results"].as_array().unwrap().iter().find(|r| r["measure"] == "risk-ratio" && r["method"] == "katz-log").unwrap();
    assert_eq!(serde_json::to_string(&checked["claims"][0]["computed"]).unwrap(), serde_json::to_string(want).unwrap());
    // Several follow-up visits without aggregate in a responders analysis (the CLI refuses them too).
    std::fs::write(d.join("study.toml"), spec.replace("followup = [\"pk5\"]", "followup = [\"pk2\", \"pk5\"]")).unwrap();
    let o = cli(&["report", d.join("study.toml").to_str().unwrap(), "--out", d.join("out4").to_str().unwrap()]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("analysis 'r'") && e.contains("followup") && e.contains("one follow-up column"), "{e}");
    // quantile_type outside 1-9.
    std::fs::write(d.join("study.toml"), spec.replace("ci_method = [\"katz-log\", \"wald\"]", "quantile_type = 12")).unwrap();
    let o = cli(&["report", d.join("study.toml").to_str().unwrap(), "--out", d.join("out3").to_str().unwrap()]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("analysis 'r'") && e.contains("quantile_type") && e.contains("from 1 to 9"), "{e}");
    // A change analysis takes the methods of its measures (welch, pooled, noncentral-t,
    // normal-approx), not the RR's.
    std::fs::write(d.join("study.toml"), spec.replace("kind = \"responders\"", "kind = \"change\"").replace("reduction = \"35%\"\n", "")).unwrap();
    let o = cli(&["report", d.join("study.toml").to_str().unwrap(), "--out", d.join("out2").to_str().unwrap()]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("analysis 'r'") && e.contains("katz-log") && e.contains("a method of `change`") && e.contains("pooled"), "{e}");
    // With its own methods, the spec gives the command line's rows.
    let change = spec.replace("kind = \"responders\"", "kind = \"change\"").replace("reduction = \"35%\"\n", "").replace("ci_method = [\"katz-log\", \"wald\"]", "ci_method = [\"pooled\", \"normal-approx\"]");
    std::fs::write(d.join("study.toml"), change).unwrap();
    let o = cli(&["report", d.join("study.toml").to_str().unwrap(), "--out", d.join("out5").to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let from_spec: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("out5/tables/r.json")).unwrap()).unwrap();
    let from_cli = crate::common::cli_json(&["change", &data, "--subject", "id", "--arm", "group", "--treatment", "1", "--control", "0", "--baseline", "pk1", "--followup", "pk5", "--ci-method", "pooled,normal-approx"]);
    assert_eq!(from_spec["results"], from_cli["results"]);
    assert!(from_spec["results"].as_array().unwrap().iter().any(|r| r["measure"] == "mean-difference" && r["method"] == "pooled"));
    std::fs::remove_dir_all(&d).unwrap();
}

/// Bootstrap and endpoint analyses in a spec give the command line's numbers.
#[test]
fn spec_bootstrap_and_endpoint_match_the_command_line() {
    let d = tmp("bootstrap");
    let data = dataset("acupuncture_headache/acupuncture_headache.csv");
    let spec = format!(
        "title = \"t\"\n\n[data.h]\nfile = {data:?}\nsubject = \"id\"\narm = \"group\"\n\n[[analysis]]\nname = \"b\"\nkind = \"bootstrap\"\ndata = \"h\"\ncontrol = \"0\"\nvalue = \"pk5\"\nstatistic = [\"hedges-g\", \"ratio-of-means\"]\nresamples = 499\nseed = 3\n"
    );
    std::fs::write(d.join("study.toml"), &spec).unwrap();
    let out = d.join("out");
    let o = cli(&["report", d.join("study.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let from_spec: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("tables/b.json")).unwrap()).unwrap();
    let from_cli = crate::common::cli_json(&["bootstrap", &data, "--arm", "group", "--control", "0", "--value", "pk5", "--statistic", "hedges-g,ratio-of-means", "--resamples", "499", "--seed", "3"]);
    assert_eq!(from_spec["results"], from_cli["results"]);
    assert_eq!(from_spec["results"].as_array().unwrap().len(), 4);
    // An endpoint analysis, likewise.
    let endpoint = format!("title = \"t\"\n\n[data.h]\nfile = {data:?}\nsubject = \"id\"\narm = \"group\"\n\n[[analysis]]\nname = \"e\"\nkind = \"endpoint\"\ndata = \"h\"\ncontrol = \"0\"\nfollowup = [\"pk5\"]\nquantile_type = 6\n");
    std::fs::write(d.join("study.toml"), &endpoint).unwrap();
    let o = cli(&["report", d.join("study.toml").to_str().unwrap(), "--out", d.join("out-e").to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let from_spec: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("out-e/tables/e.json")).unwrap()).unwrap();
    let from_cli = crate::common::cli_json(&["endpoint", &data, "--subject", "id", "--arm", "group", "--control", "0", "--followup", "pk5", "--quantile-type", "6"]);
    assert_eq!((&from_spec["results"], &from_spec["summaries"]), (&from_cli["results"], &from_cli["summaries"]));
    // An unknown statistic names the key and the choices.
    std::fs::write(d.join("study.toml"), spec.replace("\"ratio-of-means\"", "\"ratio\"")).unwrap();
    let o = cli(&["report", d.join("study.toml").to_str().unwrap(), "--out", d.join("out2").to_str().unwrap()]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("analysis 'b'") && e.contains("statistic = 'ratio'") && e.contains("ratio-of-means"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

/// An AE table in a spec (columns named, TEAE, a CI method) gives the command line's numbers.
#[test]
fn spec_ae_table_matches_the_command_line() {
    let d = tmp("ae");
    let (ae, adsl) = (dataset("cdisc_pilot01/adae.csv"), dataset("cdisc_pilot01/adsl.csv"));
    let spec = format!(
        "title = \"t\"\n\n[data.ae]\nfile = {ae:?}\n\n[data.sl]\nfile = {adsl:?}\n\n[[analysis]]\nname = \"a\"\nkind = \"ae\"\ndata = \"ae\"\nsubjects = \"sl\"\nsoc = \"AESOC\"\nterm = \"AETERM\"\nteae = true\nrows = \"term\"\nmin_percent = 5\nci_method = \"katz-log\"\n"
    );
    std::fs::write(d.join("study.toml"), &spec).unwrap();
    let out = d.join("out");
    let o = cli(&["report", d.join("study.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let from_spec: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("tables/a.json")).unwrap()).unwrap();
    let from_cli = crate::common::cli_json(&["ae", &ae, "--subjects", &adsl, "--soc", "AESOC", "--term", "AETERM", "--teae", "--rows", "term", "--min-percent", "5", "--ci-method", "katz-log"]);
    assert_eq!(from_spec["results"], from_cli["results"]);
    assert_eq!(from_spec["inputs"]["columns"], serde_json::json!({"subject": "USUBJID", "soc": "AESOC", "term": "AETERM"}));
    assert!(from_spec["results"].as_array().unwrap().iter().any(|r| r["measure"] == "risk-ratio" && r["method"] == "katz-log" && r["se_log"].is_number()));
    std::fs::remove_dir_all(&d).unwrap();
}

/// `--force` replaces only a folder trialstat wrote; anything else stays as it is (exit 2).
#[test]
fn force_replaces_only_a_trialstat_report() {
    let d = tmp("force");
    let thesis = d.join("thesis");
    std::fs::create_dir(&thesis).unwrap();
    std::fs::write(thesis.join("thesis.tex"), "\\chapter{One}").unwrap();
    let o = cli(&["report", "--out", thesis.to_str().unwrap(), "--force"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end(), format!("trialstat: error: {}: exists and is not a trialstat report (no manifest.json); refusing to replace it", thesis.display()));
    assert!(o.stdout.is_empty());
    assert_eq!(tree(&thesis), vec![("thesis.tex".to_string(), b"\\chapter{One}".to_vec())]);
    // A manifest.json that is not trialstat's is refused too.
    std::fs::write(thesis.join("manifest.json"), "{\"name\": \"my-package\"}").unwrap();
    let o = cli(&["report", "--out", thesis.to_str().unwrap(), "--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("(manifest.json is not trialstat's); refusing to replace it"));
    assert!(thesis.join("thesis.tex").exists());
    // A file is refused.
    let file = d.join("file.txt");
    std::fs::write(&file, "keep").unwrap();
    let o = cli(&["report", "--out", file.to_str().unwrap(), "--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a folder"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    std::fs::remove_dir_all(&d).unwrap();
}

/// A symbolic link planted at DIR, or at a name where a temporary folder could be, is not
/// followed: the folder it points to is untouched.
#[cfg(unix)]
#[test]
fn planted_symlinks_are_not_followed() {
    let d = tmp("symlinks");
    let real = d.join("real");
    assert!(cli(&["report", "--quiet", "--out", real.to_str().unwrap()]).status.success());
    let before = tree(&real);
    let link = d.join("out");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = cli(&["report", "--quiet", "--out", link.to_str().unwrap(), "--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists and is a symbolic link, not a trialstat report; refusing to replace it"));
    assert_eq!(tree(&real), before);
    std::fs::remove_file(&link).unwrap();
    // Links with the names of leftovers (this version's and the old fixed ones) pointing at a
    // report: not followed, not removed through, not written into.
    let victim = d.join("victim");
    assert!(cli(&["report", "--quiet", "--out", victim.to_str().unwrap()]).status.success());
    let victim_before = tree(&victim);
    let names = [".out.tmp-999999999-abcdef".to_string(), ".out.old-999999999".to_string(), ".out.tmp-999999998".to_string()];
    for n in &names {
        std::os::unix::fs::symlink(&victim, d.join(n)).unwrap();
    }
    let o = cli(&["report", "--quiet", "--out", link.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_dir(), "DIR is a real folder");
    assert_eq!(tree(&link), before);
    assert_eq!(tree(&victim), victim_before);
    for n in &names {
        assert!(std::fs::symlink_metadata(d.join(n)).unwrap().file_type().is_symlink(), "{n}");
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// What killed runs left beside DIR is removed when their process is gone and they hold only
/// what trialstat writes; anything else is left alone.
#[test]
fn leftovers_of_killed_runs_are_cleaned() {
    let d = tmp("leftovers");
    let out = d.join("out");
    assert!(cli(&["report", "--quiet", "--out", out.to_str().unwrap()]).status.success());
    let report = tree(&out);
    let plant = |name: &str, files: &[(&str, &[u8])]| {
        let p = d.join(name);
        for (f, bytes) in files {
            let f = p.join(f);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, bytes).unwrap();
        }
        std::fs::create_dir_all(&p).unwrap();
    };
    // A half-written new report, an old report after the swap, the old code's fixed names, and
    // an empty folder from a run killed right after creating it.
    let half: Vec<(&str, &[u8])> = report.iter().take(3).map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    let whole: Vec<(&str, &[u8])> = report.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    plant(".out.tmp-999999999-Xa3bQz", &half);
    plant(".out.tmp-999999997-Qq1w2e", &whole);
    plant(".out.tmp-999999996", &half);
    plant(".out.old-999999995", &whole);
    plant(".out.tmp-999999994-e3r4t5", &[]);
    // Not ours: a user's file inside, another folder's leftovers, a name without a pid.
    plant(".out.tmp-999999993-notes", &[("notes.txt", b"mine")]);
    plant(".other.tmp-999999999-abcdef", &half);
    plant(".out.tmp-mine", &half);
    let o = cli(&["report", "--quiet", "--out", out.to_str().unwrap(), "--force"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(tree(&out), report);
    let mut left: Vec<String> = std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, [".other.tmp-999999999-abcdef", ".out.tmp-999999993-notes", ".out.tmp-mine", "out"]);
    std::fs::remove_dir_all(&d).unwrap();
}

/// Report tables: Markdown cells escaped, CSV cells neutralised unless `csv_raw = true` or
/// `--csv-raw`.
#[test]
fn report_tables_escape_markdown_and_neutralise_csv() {
    let d = tmp("cells");
    let out = d.join("out");
    let run = |arm: &str, spec: &str, extra: &[&str]| {
        std::fs::write(d.join("trial.csv"), format!("id,arm,resp\n1,\"{a}\",Y\n2,\"{a}\",N\n3,control,N\n4,control,Y\n", a = arm.replace('"', "\"\""))).unwrap();
        std::fs::write(d.join("study.toml"), spec).unwrap();
        let spec_path = d.join("study.toml");
        let mut args = vec!["report", "--quiet", spec_path.to_str().unwrap(), "--out", out.to_str().unwrap(), "--force"];
        args.extend(extra);
        let o = cli(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (std::fs::read_to_string(out.join("tables/resp.csv")).unwrap(), std::fs::read_to_string(out.join("tables/resp.md")).unwrap())
    };
    let (_, md) = run("<i>x|y</i>", HOSTILE_SPEC, &[]);
    assert!(!md.contains("<i>") && md.contains("| &lt;i&gt;x\\|y&lt;/i&gt; | 1 | 2 |"), "{md}");
    let formula = "=HYPERLINK(\"http://x\")";
    let (csv, _) = run(formula, HOSTILE_SPEC, &[]);
    assert!(csv.contains(",\"'=HYPERLINK(\"\"http://x\"\")\",") && !csv.contains(",\"=HYPERLINK"), "{csv}");
    let (raw, _) = run(formula, &HOSTILE_SPEC.replace("title =", "csv_raw = true\ntitle ="), &[]);
    assert!(raw.contains(",\"=HYPERLINK(\"\"http://x\"\")\","), "{raw}");
    let (raw, _) = run(formula, HOSTILE_SPEC, &["--csv-raw"]);
    assert!(raw.contains(",\"=HYPERLINK(\"\"http://x\"\")\","), "{raw}");
    std::fs::remove_dir_all(&d).unwrap();
}
