//! Shared helpers for golden tests: load reference values produced by the scripts in
//! `tests/reference/` and compare with a stated tolerance.
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

/// Path of a file in `tests/reference/`.
pub fn reference_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("reference").join(name)
}

/// Parse `tests/reference/<name>` (JSON).
pub fn load(name: &str) -> Value {
    let p = reference_path(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", p.display()))
}

/// A reference number: JSON number, or the strings "Inf"/"Infinity"/"-Inf"/"-Infinity"/"NaN"/"NA",
/// or null (NaN).
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => match s.as_str() {
            "Inf" | "Infinity" | "inf" => f64::INFINITY,
            "-Inf" | "-Infinity" | "-inf" => f64::NEG_INFINITY,
            _ => f64::NAN,
        },
        Value::Null => f64::NAN,
        Value::Array(a) if a.len() == 1 => num(&a[0]),
        other => panic!("not a number: {other}"),
    }
}

/// Assert |got − want| ≤ tol · max(|want|, floor), i.e. relative error with an absolute floor
/// (so that a reference of 0 is compared absolutely). Infinities must match exactly.
pub fn assert_close(got: f64, want: f64, tol: f64, ctx: &str) {
    if want.is_infinite() || got.is_infinite() {
        assert_eq!(got, want, "{ctx}: got {got}, want {want}");
        return;
    }
    assert!(!want.is_nan(), "{ctx}: reference value is NaN/NA");
    let scale = want.abs().max(1e-12);
    let err = (got - want).abs() / scale;
    assert!(err <= tol, "{ctx}: got {got:.17e}, want {want:.17e}, relative error {err:.3e} > {tol:.1e}");
}

/// [`assert_close`] with 1e-9 relative: the project's tolerance for closed forms.
pub fn assert_rel9(got: f64, want: f64, ctx: &str) {
    assert_close(got, want, 1e-9, ctx);
}

/// Numeric columns of `datasets/acupuncture_headache/acupuncture_headache.csv` (the headache trial, Vickers et al.
/// 2004; see its PROVENANCE file), in the order asked; an empty cell is NaN.
pub fn headache_columns(cols: &[&str]) -> Vec<Vec<f64>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/acupuncture_headache/acupuncture_headache.csv");
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = rdr.headers().unwrap().clone();
    let idx: Vec<usize> = cols
        .iter()
        .map(|c| header.iter().position(|h| h == *c).unwrap_or_else(|| panic!("no column {c}")))
        .collect();
    let mut out = vec![Vec::new(); cols.len()];
    for rec in rdr.records() {
        let rec = rec.unwrap();
        for (k, &i) in idx.iter().enumerate() {
            let s = &rec[i];
            out[k].push(if s.is_empty() { f64::NAN } else { s.parse().unwrap() });
        }
    }
    out
}

/// Path of a bundled dataset file, e.g. `dataset("opt/opt.csv")`.
pub fn dataset(rel: &str) -> String {
    format!("{}/datasets/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Run the `trialstat` binary.
pub fn cli(args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("trialstat").unwrap().args(args).output().unwrap()
}

/// Run the `trialstat` binary with `--format json`, asserting success; the parsed report.
pub fn cli_json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let out = cli(&a);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Run the `trialstat` binary expecting failure: (exit status, stderr).
pub fn cli_err(args: &[&str]) -> (i32, String) {
    let out = cli(args);
    assert!(!out.status.success(), "{args:?} should fail; stdout: {}", String::from_utf8_lossy(&out.stdout));
    assert!(out.stdout.is_empty(), "{args:?}: a failure must print no partial output");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}
