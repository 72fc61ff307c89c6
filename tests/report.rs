//! `trialstat report`: the bundled study end to end, byte-identical reruns, HTML escaping of
//! text from the data, atomic output, and spec errors with file, line and key.

mod common;

use common::cli;
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
    // A plot of an analysis that does not exist.
    let (_, e) = run(&HOSTILE_SPEC.replace("analysis = \"resp\"", "analysis = \"response\""));
    assert!(e.contains("study.toml:17:") && e.contains("analysis = 'response': no analysis of that name"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}
