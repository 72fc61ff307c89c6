//! Golden tests for `stats::bootstrap` (and `stats::rng`).
//!
//! R and trialstat cannot share a random number stream, so the validation is split:
//! 1. `tests/reference/bootstrap_input.json` holds, for four fixed data sets, trialstat's replicates
//!    `t*`, `t0` and jackknife influence values. It is written by this test file when run with
//!    `TRIALSTAT_WRITE_BOOTSTRAP_INPUT=1 cargo test --test main golden_bootstrap`; every ordinary run
//!    checks that the replicates are still bit-identical (the stream must never change).
//! 2. `tests/reference/bootstrap.R` feeds those replicates to R's `boot.ci(type = c("perc", "bca"))`
//!    on a hand-built `boot` object, with R's own `empinf(type = "jack")` influence values, and
//!    writes `bootstrap.json`. Given the replicates the limits are closed forms: 1e-9 relative.
//! 3. `tests/reference/bootstrap.py` re-implements SplitMix64 / xoshiro256** / Lemire and the
//!    resampling scheme in plain Python and writes `bootstrap_py.json`: raw generator outputs,
//!    the first resamples' indices and replicate summaries, checked here exactly / to 1e-12.

use crate::common::{assert_close, assert_rel9, load, num, reference_path};
use serde_json::{json, Value};
use std::sync::Mutex;
use trialstat::stats::bootstrap::{bootstrap, BootstrapOptions, BootstrapResult, RNG_NOTE};
use trialstat::stats::dist::qt;
use trialstat::stats::rng::Rng;
use trialstat::stats::{Measure, Method};

// ---------------------------------------------------------------------------------------------
// Fixed data sets (also written into bootstrap_input.json for the R and Python scripts).

const A: [f64; 25] = [
    2.77, 6.15, 5.67, 2.0, 2.27, 1.98, 3.83, 2.63, 4.26, 0.9, 6.96, 2.57, 4.09, 2.5, 2.17, 3.59, 4.46, 2.41, 2.48,
    4.1, 1.61, 1.1, 3.45, 1.82, 0.86,
];
const X: [f64; 15] = [2.5, 1.7, 5.1, 4.2, 6.6, 3.9, 10.2, 2.5, 6.0, 1.5, 2.4, 5.5, 2.6, 8.9, 6.7];
const Y: [f64; 12] = [1.0, 5.7, 4.7, 6.4, 3.6, 7.5, 5.6, 5.3, 7.7, 3.2, 8.5, 0.8];
const P1: [f64; 20] = [
    127.0, 118.6, 104.9, 138.9, 101.1, 128.5, 139.5, 96.0, 115.5, 100.4, 123.7, 142.7, 150.4, 93.3, 111.4, 130.6,
    143.7, 126.3, 108.8, 124.5,
];
const P2: [f64; 20] = [
    99.8, 97.6, 91.2, 104.6, 103.7, 98.9, 97.3, 84.6, 94.2, 114.5, 97.7, 82.7, 116.0, 106.4, 125.3, 100.8, 94.5,
    82.6, 115.9, 130.8,
];
const S: [f64; 10] = [8.36, 8.71, 11.19, 8.34, 9.46, 9.3, 10.38, 12.19, 10.04, 11.84];

const LEVELS: [f64; 4] = [0.8, 0.9, 0.95, 0.99];

fn mean_of(x: &[f64], idx: &[usize]) -> f64 {
    let mut s = 0.0;
    for &i in idx {
        s += x[i];
    }
    s / idx.len() as f64
}

fn median_of(x: &[f64], idx: &[usize]) -> f64 {
    let mut v: Vec<f64> = idx.iter().map(|&i| x[i]).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn ratio_of_sums(a: &[f64], b: &[f64], idx: &[usize]) -> f64 {
    let (mut sa, mut sb) = (0.0, 0.0);
    for &i in idx {
        sa += a[i];
        sb += b[i];
    }
    sa / sb
}

#[derive(Clone, Copy)]
enum Kind {
    /// mean(x): one group.
    Mean(&'static [f64]),
    /// median(x) − median(y): two groups resampled separately.
    MedianDiff(&'static [f64], &'static [f64]),
    /// sum(a)/sum(b) over pairs (ratio of means, paired): one group of pair indices.
    Ratio(&'static [f64], &'static [f64]),
}

struct Case {
    name: &'static str,
    kind: Kind,
    resamples: usize,
    seed: u64,
}

fn cases() -> Vec<Case> {
    vec![
        Case { name: "mean_lognormal_n25", kind: Kind::Mean(&A), resamples: 1999, seed: 1 },
        Case { name: "median_diff_two_sample", kind: Kind::MedianDiff(&X, &Y), resamples: 9999, seed: 20240601 },
        Case { name: "ratio_of_means_paired", kind: Kind::Ratio(&P1, &P2), resamples: 999, seed: 7 },
        Case { name: "mean_small_r19", kind: Kind::Mean(&S), resamples: 19, seed: 3 },
    ]
}

fn sizes(kind: Kind) -> Vec<usize> {
    match kind {
        Kind::Mean(x) => vec![x.len()],
        Kind::MedianDiff(x, y) => vec![x.len(), y.len()],
        Kind::Ratio(a, _) => vec![a.len()],
    }
}

fn stat(kind: Kind, g: &[&[usize]]) -> f64 {
    match kind {
        Kind::Mean(x) => mean_of(x, g[0]),
        Kind::MedianDiff(x, y) => median_of(x, g[0]) - median_of(y, g[1]),
        Kind::Ratio(a, b) => ratio_of_sums(a, b, g[0]),
    }
}

fn run(case: &Case, level: f64, threads: usize) -> BootstrapResult {
    let opts = BootstrapOptions { resamples: case.resamples, seed: case.seed, level, threads };
    bootstrap(&sizes(case.kind), |g| stat(case.kind, g), case.name, &opts).unwrap()
}

fn data_json(kind: Kind) -> (Value, &'static str) {
    match kind {
        Kind::Mean(x) => (json!({ "x": x }), "mean"),
        Kind::MedianDiff(x, y) => (json!({ "x": x, "y": y }), "median_diff"),
        Kind::Ratio(a, b) => (json!({ "a": a, "b": b }), "ratio_of_means"),
    }
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn find<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("case {name}"))
}

/// Equal up to 2 units in the last place. serde_json (without its `float_roundtrip` feature)
/// parses decimal numbers to within an ulp rather than exactly, so the committed replicates are
/// compared to 2 ulps; any change of the random stream moves them by many orders more.
fn assert_ulps(got: f64, want: f64, ctx: &str) {
    let d = (got.to_bits() as i64 - want.to_bits() as i64).unsigned_abs();
    assert!(got.is_finite() && d <= 2, "{ctx}: {got:e} vs {want:e} ({d} ulps)");
}

// ---------------------------------------------------------------------------------------------
// 1. Replicates are stable (and the input for R/Python is (re)written on request).

#[test]
fn replicates_match_committed_input() {
    if std::env::var("TRIALSTAT_WRITE_BOOTSTRAP_INPUT").is_ok_and(|v| v == "1") {
        let mut out = Vec::new();
        for c in cases() {
            let r = run(&c, 0.95, 0);
            let (data, statistic) = data_json(c.kind);
            out.push(json!({
                "name": c.name, "statistic": statistic, "data": data, "group_sizes": sizes(c.kind),
                "resamples": c.resamples, "seed": c.seed, "levels": LEVELS,
                "t0": r.statistic, "t": r.replicates, "L": r.jackknife,
            }));
        }
        let doc = json!({
            "about": "trialstat bootstrap replicates for tests/reference/bootstrap.R and bootstrap.py",
            "generator": "TRIALSTAT_WRITE_BOOTSTRAP_INPUT=1 cargo test --test main golden_bootstrap",
            "rng": RNG_NOTE,
            "cases": out,
        });
        let text = serde_json::to_string(&doc).unwrap();
        std::fs::write(reference_path("bootstrap_input.json"), text + "\n").unwrap();
    }
    let input = load("bootstrap_input.json");
    for c in cases() {
        let want = find(&input, c.name);
        let r = run(&c, 0.95, 0);
        assert_ulps(r.statistic, num(&want["t0"]), &format!("{} t0", c.name));
        let t = floats(&want["t"]);
        assert_eq!(t.len(), c.resamples);
        for (b, (got, w)) in r.replicates.iter().zip(&t).enumerate() {
            assert_ulps(*got, *w, &format!("{} replicate {b}", c.name));
        }
        let l = floats(&want["L"]);
        assert_eq!(r.jackknife.len(), l.len());
        for (i, (got, w)) in r.jackknife.iter().zip(&l).enumerate() {
            assert_ulps(*got, *w, &format!("{} L[{i}]", c.name));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Limits against R's boot.ci (closed forms given the replicates: 1e-9 relative).

#[test]
fn limits_match_r_boot_ci() {
    let reference = load("bootstrap.json");
    assert_eq!(reference["versions"]["boot"], "1.3.28.1");
    let mut checked = 0;
    for c in cases() {
        let rc = find(&reference, c.name);
        assert_eq!(rc["R"].as_u64().unwrap() as usize, c.resamples);
        assert_rel9(num(&rc["t0"]), run(&c, 0.95, 1).statistic, &format!("{} t0", c.name));
        for lv in rc["levels"].as_array().unwrap() {
            let level = num(&lv["level"]);
            let r = run(&c, level, 0);
            let ctx = format!("{} level {level}", c.name);
            let p = r.percentile.ci.unwrap();
            assert_rel9(p.lower, num(&lv["perc"][0]), &format!("{ctx} percentile lower"));
            assert_rel9(p.upper, num(&lv["perc"][1]), &format!("{ctx} percentile upper"));
            let b = r.bca.ci.unwrap();
            assert_rel9(b.lower, num(&lv["bca"][0]), &format!("{ctx} bca lower"));
            assert_rel9(b.upper, num(&lv["bca"][1]), &format!("{ctx} bca upper"));
            assert_eq!(p.level, level);
            assert_rel9(r.bias_correction, num(&rc["w"]), &format!("{ctx} z0"));
            assert_rel9(r.acceleration, num(&rc["a"]), &format!("{ctx} a"));
            // boot warns "extreme order statistics used as endpoints" exactly when we note it.
            let noted_p = r.percentile.notes.iter().any(|n| n.contains("extreme order statistics"));
            let noted_b = r.bca.notes.iter().any(|n| n.contains("extreme order statistics"));
            assert_eq!(noted_p, lv["perc_extreme_warning"].as_bool().unwrap(), "{ctx} percentile warning");
            assert_eq!(noted_b, lv["bca_extreme_warning"].as_bool().unwrap(), "{ctx} bca warning");
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}

#[test]
fn jackknife_matches_r_empinf() {
    let reference = load("bootstrap.json");
    for c in cases() {
        let rc = find(&reference, c.name);
        let want = floats(&rc["empinf_jack"]);
        let got = run(&c, 0.95, 1).jackknife;
        assert_eq!(got.len(), want.len());
        // Influence values are differences t0 − t_{−i} times n − 1; some are near 0, so compare
        // relative to the largest |L| (R's mean() accumulates in long double, ours in double).
        let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() <= 1e-9 * scale, "{} L[{i}]: {g} vs {w}", c.name);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. The generator and resampling scheme against an independent Python implementation.

#[test]
fn rng_matches_python_implementation() {
    let py = load("bootstrap_py.json");
    for v in py["next_u64"].as_array().unwrap() {
        let seed: u64 = v["seed"].as_str().unwrap().parse().unwrap();
        let stream: u64 = v["stream"].as_str().unwrap().parse().unwrap();
        let mut r = Rng::new(seed, stream);
        for w in v["values"].as_array().unwrap() {
            let w: u64 = w.as_str().unwrap().parse().unwrap();
            assert_eq!(r.next_u64(), w, "seed {seed} stream {stream}");
        }
    }
    let b = &py["below"];
    let mut r = Rng::new(b["seed"].as_u64().unwrap(), b["stream"].as_u64().unwrap());
    for (n, w) in b["n"].as_array().unwrap().iter().zip(b["values"].as_array().unwrap()) {
        let n: u64 = n.as_str().unwrap().parse().unwrap();
        let w: u64 = w.as_str().unwrap().parse().unwrap();
        assert_eq!(r.below(n), w, "below({n})");
    }
    let f = &py["next_f64"];
    let mut r = Rng::new(f["seed"].as_u64().unwrap(), f["stream"].as_u64().unwrap());
    for w in floats(&f["values"]) {
        assert_eq!(r.next_f64(), w);
    }
}

#[test]
fn resampling_matches_python_implementation() {
    let py = load("bootstrap_py.json");
    for c in cases() {
        let pc = find(&py, c.name);
        // Record the indices the statistic receives: with one thread the calls are t0, then
        // resamples 0, 1, 2, ... in order.
        let calls: Mutex<Vec<Vec<Vec<usize>>>> = Mutex::new(Vec::new());
        let opts = BootstrapOptions { resamples: c.resamples, seed: c.seed, level: 0.95, threads: 1 };
        let r = bootstrap(
            &sizes(c.kind),
            |g| {
                let mut calls = calls.lock().unwrap();
                if calls.len() < 4 {
                    calls.push(g.iter().map(|s| s.to_vec()).collect());
                }
                stat(c.kind, g)
            },
            c.name,
            &opts,
        )
        .unwrap();
        let calls = calls.into_inner().unwrap();
        for (b, want) in pc["first_resamples"].as_array().unwrap().iter().enumerate() {
            let want: Vec<Vec<usize>> = serde_json::from_value(want.clone()).unwrap();
            assert_eq!(calls[b + 1], want, "{} resample {b} indices", c.name);
        }
        assert_close(r.statistic, num(&pc["t0"]), 1e-12, &format!("{} t0", c.name));
        for (b, w) in floats(&pc["first_replicates"]).iter().enumerate() {
            assert_close(r.replicates[b], *w, 1e-12, &format!("{} replicate {b}", c.name));
        }
        let sum = trialstat::stats::dist::neumaier_sum(r.replicates.iter().copied());
        assert_close(sum, num(&pc["sum_replicates"]), 1e-12, &format!("{} sum of replicates", c.name));
        let mut sorted = r.replicates.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        for q in pc["order_statistics"].as_array().unwrap() {
            let k = q["k"].as_u64().unwrap() as usize;
            assert_close(sorted[k - 1], num(&q["value"]), 1e-12, &format!("{} t*({k})", c.name));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Determinism: thread invariance and seed sensitivity.

#[test]
fn thread_count_does_not_change_anything() {
    for c in cases().iter().take(3) {
        let base = run(c, 0.95, 1);
        for threads in [2, 3, 8] {
            let r = run(c, 0.95, threads);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&r.replicates), bits(&base.replicates), "{} threads {threads}", c.name);
            assert_eq!(bits(&r.jackknife), bits(&base.jackknife), "{} threads {threads}", c.name);
            assert_eq!(r, base, "{} threads {threads}: result differs", c.name);
        }
    }
}

#[test]
fn different_seeds_give_different_replicates() {
    let c = &cases()[0];
    let a = run(c, 0.95, 0);
    let other = Case { name: c.name, kind: c.kind, resamples: c.resamples, seed: c.seed + 1 };
    let b = run(&other, 0.95, 0);
    assert_eq!(a.statistic, b.statistic);
    assert_eq!(a.jackknife, b.jackknife, "the jackknife does not depend on the seed");
    let same = a.replicates.iter().zip(&b.replicates).filter(|(x, y)| x == y).count();
    assert!(same < c.resamples / 10, "{same} identical replicates");
    assert_ne!(a.percentile.ci, b.percentile.ci);
    assert_ne!(a.bca.ci, b.bca.ci);
    // ... but the same seed twice is identical.
    assert_eq!(run(c, 0.95, 0), a);
}

// ---------------------------------------------------------------------------------------------
// 5. Statistical sanity.

/// Normal data (Box–Muller from the crate's generator), n = 200: the percentile CI of the mean
/// has nearly the t CI's width. Expected ratio ≈ √(199/200) · 1.96/1.972 ≈ 0.991, with Monte
/// Carlo noise of about 1% at R = 9999, so we assert within 5%.
#[test]
fn percentile_ci_of_normal_mean_close_to_t_ci() {
    let mut rng = Rng::new(4242, 0);
    let mut x = Vec::with_capacity(200);
    while x.len() < 200 {
        let u1 = 1.0 - rng.next_f64(); // (0, 1]
        let u2 = rng.next_f64();
        let rad = (-2.0 * u1.ln()).sqrt();
        x.push(10.0 + 2.0 * rad * (2.0 * std::f64::consts::PI * u2).cos());
        x.push(10.0 + 2.0 * rad * (2.0 * std::f64::consts::PI * u2).sin());
    }
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let sd = (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let t_width = 2.0 * qt(0.975, n - 1.0) * sd / n.sqrt();
    let r = bootstrap(&[200], |g| mean_of(&x, g[0]), "mean", &BootstrapOptions::default()).unwrap();
    let p = r.percentile.ci.unwrap();
    let ratio = (p.upper - p.lower) / t_width;
    assert!((ratio - 1.0).abs() < 0.05, "percentile/t width ratio {ratio}");
    let b = r.bca.ci.unwrap();
    assert!(((b.upper - b.lower) / t_width - 1.0).abs() < 0.05);
    assert!(p.contains(m) && b.contains(m));
    // For the mean, the jackknife influence values are x_i − mean (exactly, up to rounding).
    for (l, v) in r.jackknife.iter().zip(&x) {
        assert!((l - (v - m)).abs() < 1e-10);
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Result shape, edge cases and errors.

#[test]
fn estimates_carry_measure_method_and_notes() {
    let c = &cases()[1];
    let r = run(c, 0.95, 0);
    for (e, method) in [(&r.percentile, Method::Percentile), (&r.bca, Method::Bca)] {
        assert_eq!(e.measure, Measure::Bootstrap);
        assert_eq!(e.method, method);
        assert_eq!(e.estimate, Some(r.statistic));
        assert_eq!(e.group.as_deref(), Some("median_diff_two_sample"));
        assert_eq!(e.n, Some(27));
        assert!(e.notes[0].contains("resamples = 9999, seed = 20240601"), "{:?}", e.notes);
        assert!(e.notes[0].contains(RNG_NOTE));
        assert!(e.notes[1].contains("sizes 15, 12"), "{:?}", e.notes);
    }
    let j = serde_json::to_value(&r).unwrap();
    assert!(j.get("replicates").is_none() && j.get("jackknife").is_none(), "{j}");
    assert_eq!(j["percentile"]["method"], "percentile");
    assert_eq!(j["bca"]["measure"], "bootstrap");
    assert_eq!(num(&j["statistic"]), r.statistic);
}

#[test]
fn defaults() {
    let d = BootstrapOptions::default();
    assert_eq!((d.resamples, d.seed, d.level, d.threads), (9999, 20240601, 0.95, 0));
}

#[test]
fn constant_data_is_degenerate() {
    let x = [5.0; 10];
    let r = bootstrap(&[10], |g| mean_of(&x, g[0]), "mean", &BootstrapOptions::default()).unwrap();
    assert_eq!(r.statistic, 5.0);
    let p = r.percentile.ci.unwrap();
    assert_eq!((p.lower, p.upper), (5.0, 5.0));
    assert!(r.percentile.notes.iter().any(|n| n.contains("degenerate")));
    assert_eq!(r.bca.ci, None);
    assert_eq!(r.bca.estimate, Some(5.0));
    assert!(r.bca.notes.iter().any(|n| n.contains("BCa undefined") && n.contains("degenerate")), "{:?}", r.bca.notes);
    assert_eq!(r.bias_correction, f64::NEG_INFINITY);
    assert!(r.acceleration.is_nan());
    assert!(r.jackknife.iter().all(|&l| l == 0.0));
    let j = serde_json::to_value(&r).unwrap();
    assert_eq!(j["bias_correction"], "-Infinity");
    assert!(j["acceleration"].is_null());
    assert!(j["bca"]["ci"].is_null());
}

#[test]
fn single_observation_is_degenerate() {
    let opts = BootstrapOptions { resamples: 99, ..Default::default() };
    let r = bootstrap(&[1], |g| 3.0 + g[0][0] as f64, "x", &opts).unwrap();
    assert_eq!(r.percentile.ci.map(|c| (c.lower, c.upper)), Some((3.0, 3.0)));
    assert_eq!(r.bca.ci, None);
    assert!(r.bca.notes.iter().any(|n| n.contains("one observation")));
}

#[test]
fn group_of_size_one_gets_zero_influence() {
    // Two-sample difference in means with a control group of one: the statistic would panic on
    // an empty group, so this also checks that no empty group is ever passed.
    let t = [4.0, 6.0, 5.5, 7.0, 3.0, 6.5, 5.0, 8.0];
    let ctl = [2.0];
    let opts = BootstrapOptions { resamples: 999, seed: 5, level: 0.95, threads: 2 };
    let r = bootstrap(
        &[8, 1],
        |g| {
            assert!(!g[0].is_empty() && !g[1].is_empty());
            mean_of(&t, g[0]) - mean_of(&ctl, g[1])
        },
        "mean-difference",
        &opts,
    )
    .unwrap();
    let mt = t.iter().sum::<f64>() / 8.0;
    assert_eq!(r.statistic, mt - 2.0);
    assert_eq!(r.jackknife.len(), 9);
    assert_eq!(r.jackknife[8], 0.0);
    for (l, v) in r.jackknife.iter().zip(&t) {
        assert!((l - (v - mt)).abs() < 1e-12);
    }
    assert!(r.bca.ci.is_some());
    assert!(r.bca.notes.iter().any(|n| n.contains("group(s) 2 have one observation")), "{:?}", r.bca.notes);
    // The single control value never varies: the replicates are the treated means minus 2.
    assert!(r.replicates.iter().all(|v| (v + 2.0) >= 3.0 && (v + 2.0) <= 8.0));
}

#[test]
fn non_finite_replicates_are_excluded_with_a_note() {
    // NaN whenever observation 0 is not drawn: probability (9/10)^10 ≈ 0.35 per resample.
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
    let f = |g: &[&[usize]]| if g[0].contains(&0) { mean_of(&x, g[0]) } else { f64::NAN };
    let opts = BootstrapOptions { resamples: 999, seed: 11, level: 0.9, threads: 3 };
    let r = bootstrap(&[10], f, "mean", &opts).unwrap();
    let bad = r.replicates.iter().filter(|v| v.is_nan()).count();
    assert!(bad > 250 && bad < 450, "{bad}");
    let note = format!("{bad} of 999 resamples gave a non-finite statistic and were excluded; intervals use the other {}", 999 - bad);
    assert!(r.percentile.notes.contains(&note), "{:?}", r.percentile.notes);
    assert!(r.bca.notes.contains(&note));
    // The intervals equal those computed from the finite replicates alone.
    let mut fin: Vec<f64> = r.replicates.iter().copied().filter(|v| v.is_finite()).collect();
    fin.sort_by(|a, b| a.total_cmp(b));
    let p = r.percentile.ci.unwrap();
    assert!(p.lower >= fin[0] && p.upper <= fin[fin.len() - 1]);
    let below = fin.iter().filter(|&&v| v < r.statistic).count();
    assert_eq!(r.bias_correction, trialstat::stats::dist::qnorm(below as f64 / fin.len() as f64));
}

#[test]
fn mostly_non_finite_replicates_are_an_error() {
    // Finite only when all 5 indices are distinct: probability 5!/5^5 ≈ 0.038.
    let f = |g: &[&[usize]]| {
        let mut s = g[0].to_vec();
        s.sort_unstable();
        s.dedup();
        if s.len() == 5 { 1.0 } else { f64::NAN }
    };
    let opts = BootstrapOptions { resamples: 199, ..Default::default() };
    let e = bootstrap(&[5], f, "odd", &opts).unwrap_err();
    assert!(matches!(e, trialstat::Error::Undefined { .. }), "{e}");
    assert!(e.to_string().contains("more than half"), "{e}");
}

#[test]
fn statistic_outside_replicates_makes_bca_undefined() {
    // The minimum: no replicate is below t0 = min(x), so z0 = qnorm(0) = -inf (SciPy's known
    // "statistic is np.min" failure; R stops with "estimated adjustment 'w' is infinite").
    let x = [3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0];
    let min = |g: &[&[usize]]| g[0].iter().map(|&i| x[i]).fold(f64::INFINITY, f64::min);
    let r = bootstrap(&[8], min, "minimum", &BootstrapOptions { resamples: 499, ..Default::default() }).unwrap();
    assert_eq!(r.statistic, 1.0);
    assert_eq!(r.bias_correction, f64::NEG_INFINITY);
    assert_eq!(r.bca.ci, None);
    assert!(r.bca.notes.iter().any(|n| n.contains("no replicate is below")), "{:?}", r.bca.notes);
    let p = r.percentile.ci.unwrap();
    assert_eq!(p.lower, 1.0);
    assert!(p.upper > 1.0);
}

#[test]
fn too_few_resamples_for_the_level_is_noted() {
    let c = &cases()[3]; // R = 19
    let r = run(c, 0.99, 0);
    // (R+1)·0.005 = 0.1 -> smallest replicate; (R+1)·0.995 = 19.9 -> largest.
    let mut s = r.replicates.clone();
    s.sort_by(|a, b| a.total_cmp(b));
    let p = r.percentile.ci.unwrap();
    assert_eq!((p.lower, p.upper), (s[0], s[18]));
    assert!(r.percentile.notes.iter().any(|n| n.contains("19 resamples are too few for level 0.99")));
    // At level 0.8 with R = 19: (R+1)·0.1 = 2 -> no note.
    let r = run(c, 0.8, 0);
    assert!(!r.percentile.notes.iter().any(|n| n.contains("too few")));
    assert_eq!(r.percentile.ci.unwrap().lower, s[1]);
}

#[test]
fn invalid_inputs_are_errors() {
    let f = |g: &[&[usize]]| g[0].len() as f64;
    let ok = BootstrapOptions::default();
    for resamples in [0, 1] {
        let e = bootstrap(&[5], f, "n", &BootstrapOptions { resamples, ..ok }).unwrap_err();
        assert!(e.to_string().contains("resamples"), "{e}");
    }
    for level in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        let e = bootstrap(&[5], f, "n", &BootstrapOptions { level, ..ok }).unwrap_err();
        assert!(e.to_string().contains("level"), "{e}");
    }
    let e = bootstrap(&[], f, "n", &ok).unwrap_err();
    assert!(e.to_string().contains("groups"), "{e}");
    let e = bootstrap(&[4, 0], |_| 1.0, "n", &ok).unwrap_err();
    assert!(e.to_string().contains("size of group 2"), "{e}");
    let e = bootstrap(&[4], |_| f64::NAN, "nan", &ok).unwrap_err();
    assert!(matches!(e, trialstat::Error::Undefined { .. }) && e.to_string().contains("full data"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// The `trialstat bootstrap` command.

/// pk5 of the headache trial by group (1, 0), read here with the csv crate (missing = empty).
fn headache_pk5() -> (Vec<f64>, Vec<f64>) {
    let mut r = csv::Reader::from_path(crate::common::dataset("acupuncture_headache/acupuncture_headache.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let (g, v) = (h.iter().position(|c| c == "group").unwrap(), h.iter().position(|c| c == "pk5").unwrap());
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for rec in r.records() {
        let rec = rec.unwrap();
        let Ok(val) = rec[v].trim().parse::<f64>() else { continue };
        match rec[g].trim() {
            "1" => x.push(val),
            "0" => y.push(val),
            other => panic!("group {other}"),
        }
    }
    (x, y)
}

/// The command's statistic, written out here (the test's own code, not the command's).
fn two_arm_stat(name: &str, x: &[f64], ix: &[usize], y: &[f64], iy: &[usize]) -> f64 {
    let mean = |v: &[f64], i: &[usize]| i.iter().map(|&k| v[k]).sum::<f64>() / i.len() as f64;
    let var = |v: &[f64], i: &[usize]| {
        let m = mean(v, i);
        i.iter().map(|&k| (v[k] - m).powi(2)).sum::<f64>() / (i.len() as f64 - 1.0)
    };
    let median = |v: &[f64], i: &[usize]| {
        let mut s: Vec<f64> = i.iter().map(|&k| v[k]).collect();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 }
    };
    match name {
        "mean-difference" => mean(x, ix) - mean(y, iy),
        "ratio-of-means" => mean(x, ix) / mean(y, iy),
        "median-difference" => median(x, ix) - median(y, iy),
        _ => {
            let (nx, ny) = (ix.len() as f64, iy.len() as f64);
            let m = nx + ny - 2.0;
            let sp = (((nx - 1.0) * var(x, ix) + (ny - 1.0) * var(y, iy)) / m).sqrt();
            trialstat::stats::continuous::hedges_j(m) * (mean(x, ix) - mean(y, iy)) / sp
        }
    }
}

/// `trialstat bootstrap`: each statistic on the full data as R computes it (bootstrap_cmd.R,
/// 1e-9), and the percentile and BCa limits and standard error of the bootstrap engine (validated
/// against R's boot.ci above) run here on the values this test reads itself, same seed.
#[test]
fn bootstrap_command_matches_r_and_the_engine() {
    let r = load("bootstrap_cmd.json");
    let f = crate::common::dataset("acupuncture_headache/acupuncture_headache.csv");
    let stats = ["mean-difference", "hedges-g", "median-difference", "ratio-of-means"];
    let j = crate::common::cli_json(&["bootstrap", &f, "--arm", "group", "--value", "pk5", "--control", "0", "--statistic", &stats.join(","), "--resamples", "999", "--seed", "7"]);
    let (x, y) = headache_pk5();
    assert_eq!((x.len() as u64, y.len() as u64), (r["n_x"].as_u64().unwrap(), r["n_y"].as_u64().unwrap()));
    assert_eq!(j["inputs"]["n"], json!([x.len(), y.len()]));
    let opts = BootstrapOptions { resamples: 999, seed: 7, level: 0.95, threads: 1 };
    for name in stats {
        let b = bootstrap(&[x.len(), y.len()], |g: &[&[usize]]| two_arm_stat(name, &x, g[0], &y, g[1]), name, &opts).unwrap();
        let n = b.replicates.len() as f64;
        let m = b.replicates.iter().sum::<f64>() / n;
        let se = (b.replicates.iter().map(|t| (t - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        for (method, want) in [("bca", &b.bca), ("percentile", &b.percentile)] {
            let e = j["results"].as_array().unwrap().iter().find(|e| e["group"] == format!("{name}: 1 vs 0") && e["method"] == method).unwrap();
            assert_rel9(num(&e["estimate"]), num(&r[name.replace('-', "_")]), &format!("{name} t0 vs R"));
            let ci = want.ci.unwrap();
            assert_close(num(&e["ci"]["lower"]), ci.lower, 1e-12, &format!("{name} {method} lower"));
            assert_close(num(&e["ci"]["upper"]), ci.upper, 1e-12, &format!("{name} {method} upper"));
            assert_close(num(&e["se"]), se, 1e-12, &format!("{name} se"));
        }
    }
}

#[test]
fn bootstrap_command_errors() {
    let f = crate::common::dataset("acupuncture_headache/acupuncture_headache.csv");
    let (code, e) = crate::common::cli_err(&["bootstrap", &f, "--arm", "group", "--value", "pk5", "--control", "0", "--statistic", "mean"]);
    assert_eq!(code, 2, "{e}");
    assert!(e.contains("--statistic = 'mean'") && e.contains("hedges-g"), "{e}");
    let (code, e) = crate::common::cli_err(&["bootstrap", &f, "--arm", "group", "--value", "pk55", "--control", "0"]);
    assert_eq!(code, 2, "{e}");
    assert!(e.contains("pk55") && e.contains("pk5"), "{e}");
    // A value that is not a number: exit 3 naming file, line, column and value.
    let d = std::env::temp_dir().join(format!("trialstat-boot-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join("bad.csv");
    std::fs::write(&p, "arm,value\nA,1\nA,2\nB,3\nB,x\nB,4\n").unwrap();
    let (code, e) = crate::common::cli_err(&["bootstrap", p.to_str().unwrap(), "--control", "B"]);
    assert_eq!(code, 3, "{e}");
    assert!(e.contains("bad.csv:5") && e.contains("'x'"), "{e}");
    // Three arms and no treatment named: which comparison is meant?
    std::fs::write(&p, "arm,value\nA,1\nA,2\nC,5\nC,6\nB,3\nB,4\n").unwrap();
    let (code, e) = crate::common::cli_err(&["bootstrap", p.to_str().unwrap(), "--control", "B"]);
    assert_eq!(code, 2, "{e}");
    assert!(e.contains("--treatment") && e.contains("A,C") && e.contains("control 'B'"), "{e}");
    // One value in an arm.
    std::fs::write(&p, "arm,value\nA,1\nB,3\nB,4\n").unwrap();
    let (code, e) = crate::common::cli_err(&["bootstrap", p.to_str().unwrap(), "--control", "B"]);
    assert!(code != 0 && e.contains("arm 'A' has 1 value"), "{e}");
}
