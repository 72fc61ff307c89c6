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
