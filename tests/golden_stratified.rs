//! Golden tests for `trialstat::stats::stratified` against R (mantelhaen.test, metafor::rma.mh,
//! epiR::epi.2by2; tests/reference/stratified.json) and statsmodels' StratifiedTable
//! (tests/reference/stratified_py.json), over eight data sets: dat.bcg (13 trials, large counts),
//! dat.hine1989 (6 small trials), dat.egger2001 (16 trials incl. ISIS-4 and a zero cell), a sparse
//! set (zero cells, 1 subject per group, double-zero and all-event strata), strata with events in one
//! group only, a single stratum, a balanced OR = 1 set and 40 simulated strata; each at levels 0.95,
//! 0.90, 0.99.
//!
//! Every quantity here is a closed form (the Breslow–Day expected cell is a quadratic root), so all
//! comparisons use 1e-9 relative (`assert_rel9`), except statsmodels' p-values, which it computes as
//! 1 − cdf (absolute error ~1e-16, so compared only above 1e-5, still at 1e-9 relative).

use crate::common::{assert_rel9, load, num};
use serde_json::Value;
use trialstat::data::{Stratum, TwoByTwo};
use trialstat::stats::stratified::{breslow_day, cmh_test, mh_odds_ratio, mh_risk_difference, mh_risk_ratio};
use trialstat::stats::{Measure, Method};
use trialstat::Error;

fn strata_of(ds: &Value) -> Vec<Stratum> {
    let col = |k: &str| -> Vec<u64> { ds[k].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect() };
    let (a, b, c, d) = (col("a"), col("b"), col("c"), col("d"));
    let labels: Vec<String> = ds["label"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    (0..a.len())
        .map(|i| Stratum {
            label: labels[i].clone(),
            table: TwoByTwo::from_cells(a[i], b[i], c[i], d[i]).unwrap(),
        })
        .collect()
}

fn total(s: &[Stratum]) -> u64 {
    s.iter().map(|x| x.table.treated.n + x.table.control.n).sum()
}

/// (name, strata, R results per level, Python results per level)
type Case = (String, Vec<Stratum>, Vec<Value>, Vec<Value>);

fn cases() -> Vec<Case> {
    let r = load("stratified.json");
    let py = load("stratified_py.json");
    let mut out = Vec::new();
    for (name, ds) in r["datasets"].as_object().unwrap() {
        let rr = r["results"][name].as_array().unwrap().clone();
        let pp = py["results"][name].as_array().unwrap().clone();
        assert_eq!(rr.len(), 3, "{name}: three levels");
        assert_eq!(pp.len(), 3, "{name}: three levels (python)");
        out.push((name.clone(), strata_of(ds), rr, pp));
    }
    assert_eq!(out.len(), 8, "eight reference data sets");
    out
}

fn has(v: &Value) -> bool {
    !v.is_null()
}

#[test]
fn reference_files_record_versions() {
    let r = load("stratified.json");
    assert_eq!(r["versions"]["metafor"], "3.8.1");
    assert_eq!(r["versions"]["epiR"], "2.0.57");
    let py = load("stratified_py.json");
    assert_eq!(py["versions"]["statsmodels"], "0.15.0");
}

#[test]
fn mh_odds_ratio_matches_r_metafor_epir_statsmodels() {
    let mut checked = 0;
    for (name, s, rs, ps) in cases() {
        for (r, p) in rs.iter().zip(&ps) {
            let level = num(&r["level"]);
            let ctx = format!("{name} OR @{level}");
            let e = mh_odds_ratio(&s, level).unwrap();
            assert_eq!(e.measure, Measure::MhOddsRatio);
            assert_eq!(e.method, Method::RobinsBreslowGreenland);
            assert_eq!(e.n, Some(total(&s)));
            let est = e.estimate.unwrap();
            let ci = e.ci.unwrap();
            assert_eq!(ci.level, level);
            let m = &r["metafor_or"];
            assert_rel9(est, num(&m["est"]), &ctx);
            assert_rel9(ci.lower, num(&m["lower"]), &ctx);
            assert_rel9(ci.upper, num(&m["upper"]), &ctx);
            assert_rel9(e.p_value.unwrap(), num(&m["p"]), &format!("{ctx} Wald p"));
            if has(&r["mantelhaen"]) {
                let mt = &r["mantelhaen"];
                assert_rel9(est, num(&mt["estimate"]), &ctx);
                assert_rel9(ci.lower, num(&mt["lower"]), &ctx);
                assert_rel9(ci.upper, num(&mt["upper"]), &ctx);
            }
            if has(&r["epir"]) {
                let ep = &r["epir"]["or_mh"];
                assert_rel9(est, num(&ep["est"]), &ctx);
                assert_rel9(ci.lower, num(&ep["lower"]), &ctx);
                assert_rel9(ci.upper, num(&ep["upper"]), &ctx);
            }
            let so = &p["or"];
            assert_rel9(est, num(&so["est"]), &ctx);
            assert_rel9(ci.lower, num(&so["lower"]), &ctx);
            assert_rel9(ci.upper, num(&so["upper"]), &ctx);
            checked += 1;
        }
    }
    assert_eq!(checked, 24);
}

#[test]
fn mh_risk_ratio_matches_metafor_epir_statsmodels() {
    for (name, s, rs, ps) in cases() {
        for (r, p) in rs.iter().zip(&ps) {
            let level = num(&r["level"]);
            let ctx = format!("{name} RR @{level}");
            let e = mh_risk_ratio(&s, level).unwrap();
            assert_eq!((e.measure, e.method), (Measure::MhRiskRatio, Method::GreenlandRobins));
            assert_eq!(e.n, Some(total(&s)));
            let est = e.estimate.unwrap();
            let ci = e.ci.unwrap();
            let m = &r["metafor_rr"];
            assert_rel9(est, num(&m["est"]), &ctx);
            assert_rel9(ci.lower, num(&m["lower"]), &ctx);
            assert_rel9(ci.upper, num(&m["upper"]), &ctx);
            assert_rel9(e.p_value.unwrap(), num(&m["p"]), &format!("{ctx} Wald p"));
            if has(&r["epir"]) {
                let ep = &r["epir"]["rr_mh"];
                assert_rel9(est, num(&ep["est"]), &ctx);
                assert_rel9(ci.lower, num(&ep["lower"]), &ctx);
                assert_rel9(ci.upper, num(&ep["upper"]), &ctx);
            }
            assert_rel9(est, num(&p["rr_est"]), &format!("{ctx} statsmodels"));
        }
    }
}

#[test]
fn mh_risk_difference_sato_matches_metafor_and_epir() {
    for (name, s, rs, _) in cases() {
        for r in &rs {
            let level = num(&r["level"]);
            let ctx = format!("{name} RD Sato @{level}");
            let e = mh_risk_difference(&s, Method::Sato, level).unwrap();
            assert_eq!((e.measure, e.method), (Measure::MhRiskDifference, Method::Sato));
            let est = e.estimate.unwrap();
            let ci = e.ci.unwrap();
            let m = &r["metafor_rd"];
            assert_rel9(est, num(&m["est"]), &ctx);
            assert_rel9(ci.lower, num(&m["lower"]), &ctx);
            assert_rel9(ci.upper, num(&m["upper"]), &ctx);
            assert_rel9(e.p_value.unwrap(), num(&m["p"]), &format!("{ctx} Wald p"));
            if has(&r["epir"]) {
                let ep = &r["epir"]["rd_sato"];
                assert_rel9(est, num(&ep["est"]), &ctx);
                assert_rel9(ci.lower, num(&ep["lower"]), &ctx);
                assert_rel9(ci.upper, num(&ep["upper"]), &ctx);
            }
        }
    }
}

#[test]
fn mh_risk_difference_greenland_robins_matches_epir() {
    let mut checked = 0;
    for (name, s, rs, _) in cases() {
        for r in &rs {
            if !has(&r["epir"]) {
                continue; // epiR reports no MH estimates for a single 2×2 table
            }
            let level = num(&r["level"]);
            let ctx = format!("{name} RD GR @{level}");
            let e = mh_risk_difference(&s, Method::GreenlandRobins, level).unwrap();
            assert_eq!(e.method, Method::GreenlandRobins);
            let ci = e.ci.unwrap();
            let ep = &r["epir"]["rd_gr"];
            assert_rel9(e.estimate.unwrap(), num(&ep["est"]), &ctx);
            assert_rel9(ci.lower, num(&ep["lower"]), &ctx);
            assert_rel9(ci.upper, num(&ep["upper"]), &ctx);
            checked += 1;
        }
    }
    assert_eq!(checked, 21, "seven multi-stratum sets × three levels");
}

#[test]
fn cmh_test_matches_mantelhaen_metafor_statsmodels() {
    for (name, s, rs, ps) in cases() {
        let (r, p) = (&rs[0], &ps[0]); // the test does not depend on the level
        let m = &r["metafor_or"];
        let u = cmh_test(&s, Method::Uncorrected).unwrap();
        let y = cmh_test(&s, Method::Yates).unwrap();
        for e in [&u, &y] {
            assert_eq!(e.measure, Measure::Cmh);
            assert_eq!(e.estimate, None);
            assert_eq!(e.df, Some(1.0));
            assert_eq!(e.n, Some(total(&s)));
        }
        let (us, up) = (u.statistic.unwrap(), u.p_value.unwrap());
        let (ys, yp) = (y.statistic.unwrap(), y.p_value.unwrap());
        let ctx = format!("{name} CMH");
        assert_rel9(us, num(&m["cmh"]), &ctx);
        assert_rel9(up, num(&m["cmh_p"]), &ctx);
        assert_rel9(us, num(&p["cmh"]["statistic"]), &ctx);
        if num(&p["cmh"]["p"]) > 1e-5 {
            assert_rel9(up, num(&p["cmh"]["p"]), &ctx);
        }
        if has(&r["mantelhaen"]) {
            assert_rel9(us, num(&r["mantelhaen"]["statistic"]), &ctx);
            assert_rel9(up, num(&r["mantelhaen"]["p"]), &ctx);
            assert_rel9(ys, num(&r["mantelhaen_yates"]["statistic"]), &ctx);
            assert_rel9(yp, num(&r["mantelhaen_yates"]["p"]), &ctx);
        }
        if name == "balanced" {
            // |Δ| = 0 < 0.5: R applies no correction (statistic 0); metafor and statsmodels
            // subtract 0.5 regardless (0.25/V = 0.225). trialstat follows R.
            assert_eq!(ys, 0.0);
            assert_eq!(yp, 1.0);
            assert!(
                y.notes.iter().any(|n| n.contains("no continuity correction")),
                "{:?}",
                y.notes
            );
            assert_rel9(num(&m["cmh_yates"]), 0.225, "metafor's unconditional 0.5");
            assert_rel9(
                num(&p["cmh_yates"]["statistic"]),
                0.225,
                "statsmodels' unconditional 0.5",
            );
        } else {
            assert_rel9(ys, num(&m["cmh_yates"]), &ctx);
            assert_rel9(yp, num(&m["cmh_yates_p"]), &ctx);
            assert_rel9(ys, num(&p["cmh_yates"]["statistic"]), &ctx);
            assert!(y.notes.is_empty(), "{name}: {:?}", y.notes);
        }
    }
}

#[test]
fn breslow_day_and_tarone_match_metafor_and_statsmodels() {
    let mut compared = 0;
    for (name, s, rs, ps) in cases() {
        let (r, p) = (&rs[0], &ps[0]);
        let m = &r["metafor_or"];
        let k_pos = num(&m["k_pos"]);
        assert_eq!(num(&p["bd_strata"]), k_pos, "{name}: informative strata agree");
        let bd = breslow_day(&s, Method::Uncorrected).unwrap();
        let ta = breslow_day(&s, Method::Tarone).unwrap();
        for e in [&bd, &ta] {
            assert_eq!(e.measure, Measure::BreslowDay);
            assert_eq!(e.estimate, None);
            // df = informative strata − 1 where the test is defined; no df without a statistic.
            let want_df = if k_pos >= 2.0 { Some(k_pos - 1.0) } else { None };
            assert_eq!(e.df, want_df, "{name}: df = informative strata − 1");
        }
        if k_pos < 2.0 {
            // single stratum: metafor prints BD ≈ 1e-30 with p NA; trialstat says undefined.
            assert_eq!(name, "single");
            assert_eq!(bd.statistic, None);
            assert_eq!(bd.p_value, None);
            assert!(bd.notes.iter().any(|n| n.contains("df = 0")), "{:?}", bd.notes);
            continue;
        }
        let ctx = format!("{name} Breslow–Day");
        assert_rel9(bd.statistic.unwrap(), num(&m["bd"]), &ctx);
        assert_rel9(bd.p_value.unwrap(), num(&m["bd_p"]), &ctx);
        assert_rel9(ta.statistic.unwrap(), num(&m["tarone"]), &format!("{ctx} Tarone"));
        assert_rel9(ta.p_value.unwrap(), num(&m["tarone_p"]), &format!("{ctx} Tarone"));
        if has(&p["bd"]) {
            assert_rel9(bd.statistic.unwrap(), num(&p["bd"]["statistic"]), &ctx);
            assert_rel9(ta.statistic.unwrap(), num(&p["tarone"]["statistic"]), &ctx);
            if num(&p["bd"]["p"]) > 1e-5 {
                assert_rel9(bd.p_value.unwrap(), num(&p["bd"]["p"]), &ctx);
                assert_rel9(ta.p_value.unwrap(), num(&p["tarone"]["p"]), &ctx);
            }
            compared += 1;
        }
    }
    assert_eq!(
        compared, 6,
        "statsmodels BD compared on every set except single and balanced (ψ = 1)"
    );
}

// ---------------------------------------------------------------------------------------------
// Edge cases and errors
// ---------------------------------------------------------------------------------------------

fn st(a: u64, b: u64, c: u64, d: u64) -> Stratum {
    Stratum {
        label: format!("k{a}{b}{c}{d}"),
        table: TwoByTwo::from_cells(a, b, c, d).unwrap(),
    }
}

#[test]
fn empty_slice_is_an_error_everywhere() {
    let none: [Stratum; 0] = [];
    assert!(matches!(mh_risk_ratio(&none, 0.95), Err(Error::InvalidInput { .. })));
    assert!(matches!(mh_odds_ratio(&none, 0.95), Err(Error::InvalidInput { .. })));
    assert!(matches!(
        mh_risk_difference(&none, Method::Sato, 0.95),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        cmh_test(&none, Method::Uncorrected),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        breslow_day(&none, Method::Tarone),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn bad_level_and_wrong_methods_are_errors() {
    let s = [st(3, 7, 5, 5)];
    for l in [0.0, 1.0, -0.5, f64::NAN] {
        assert!(
            matches!(mh_risk_ratio(&s, l), Err(Error::InvalidInput { .. })),
            "level {l}"
        );
        assert!(
            matches!(mh_odds_ratio(&s, l), Err(Error::InvalidInput { .. })),
            "level {l}"
        );
        assert!(matches!(
            mh_risk_difference(&s, Method::Sato, l),
            Err(Error::InvalidInput { .. })
        ));
    }
    assert_eq!(
        mh_risk_difference(&s, Method::Wald, 0.95),
        Err(Error::not_applicable(Measure::MhRiskDifference, Method::Wald))
    );
    assert_eq!(
        cmh_test(&s, Method::Tarone),
        Err(Error::not_applicable(Measure::Cmh, Method::Tarone))
    );
    assert_eq!(
        breslow_day(&s, Method::Yates),
        Err(Error::not_applicable(Measure::BreslowDay, Method::Yates))
    );
}

#[test]
fn single_stratum_equals_crude_closed_forms() {
    let (a, b, c, d) = (12.0_f64, 38.0_f64, 5.0_f64, 45.0_f64);
    let s = [st(12, 38, 5, 45)];
    let z = trialstat::stats::dist::z_for_level(0.95);
    // RR: Katz log interval; OR: Woolf logit interval.
    let rr = mh_risk_ratio(&s, 0.95).unwrap();
    let rr0 = (a / (a + b)) / (c / (c + d));
    let se_rr = (1.0 / a - 1.0 / (a + b) + 1.0 / c - 1.0 / (c + d)).sqrt();
    assert_rel9(rr.estimate.unwrap(), rr0, "RR");
    assert_rel9(rr.ci.unwrap().lower, (rr0.ln() - z * se_rr).exp(), "RR lower");
    assert_rel9(rr.ci.unwrap().upper, (rr0.ln() + z * se_rr).exp(), "RR upper");
    let or = mh_odds_ratio(&s, 0.95).unwrap();
    let or0 = a * d / (b * c);
    let se_or = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
    assert_rel9(or.estimate.unwrap(), or0, "OR");
    assert_rel9(or.ci.unwrap().lower, (or0.ln() - z * se_or).exp(), "OR lower");
    assert_rel9(or.ci.unwrap().upper, (or0.ln() + z * se_or).exp(), "OR upper");
    // RD with the GR variance: the Wald RD interval.
    let rd = mh_risk_difference(&s, Method::GreenlandRobins, 0.95).unwrap();
    let (p1, p0) = (a / (a + b), c / (c + d));
    let se_rd = (p1 * (1.0 - p1) / (a + b) + p0 * (1.0 - p0) / (c + d)).sqrt();
    assert_rel9(rd.estimate.unwrap(), p1 - p0, "RD");
    assert_rel9(rd.ci.unwrap().lower, p1 - p0 - z * se_rd, "RD lower");
    // CMH = (N − 1)/N · Pearson X².
    let n = a + b + c + d;
    let pearson = n * (a * d - b * c).powi(2) / ((a + b) * (c + d) * (a + c) * (b + d));
    let cmh = cmh_test(&s, Method::Uncorrected).unwrap();
    assert_rel9(cmh.statistic.unwrap(), (n - 1.0) / n * pearson, "CMH");
    // Breslow–Day: df would be 0, so undefined: no statistic, df or p; the note says why.
    let bd = breslow_day(&s, Method::Uncorrected).unwrap();
    assert_eq!((bd.statistic, bd.p_value, bd.df), (None, None, None));
    assert!(bd.notes.iter().any(|n| n.contains("undefined") && n.contains("df = 0")));
}

#[test]
fn no_events_anywhere() {
    let s = [st(0, 10, 0, 12), st(0, 3, 0, 4)];
    let rr = mh_risk_ratio(&s, 0.95).unwrap();
    assert_eq!((rr.estimate, rr.ci, rr.p_value), (None, None, None));
    assert!(rr.notes[0].contains("0/0"), "{:?}", rr.notes);
    let or = mh_odds_ratio(&s, 0.95).unwrap();
    assert_eq!((or.estimate, or.ci), (None, None));
    assert!(!or.notes.is_empty());
    for m in [Method::Sato, Method::GreenlandRobins] {
        let rd = mh_risk_difference(&s, m, 0.95).unwrap();
        assert_eq!(rd.estimate, Some(0.0), "{m}");
        assert_eq!((rd.ci, rd.p_value), (None, None), "{m}");
        assert!(rd.notes[0].contains("variance estimate is zero"), "{m}: {:?}", rd.notes);
    }
    let cmh = cmh_test(&s, Method::Yates).unwrap();
    assert_eq!((cmh.statistic, cmh.p_value), (None, None));
    assert!(cmh.notes[0].contains("undefined"));
    let bd = breslow_day(&s, Method::Tarone).unwrap();
    assert_eq!(bd.statistic, None);
    assert!(bd.notes[0].contains("undefined"));
    assert_eq!(rr.n, Some(29));
}

#[test]
fn no_control_events_gives_infinite_ratios_and_no_treated_events_gives_zero() {
    let s = [st(3, 7, 0, 10), st(1, 4, 0, 6)];
    let rr = mh_risk_ratio(&s, 0.95).unwrap();
    assert_eq!(rr.estimate, Some(f64::INFINITY));
    assert_eq!((rr.ci, rr.p_value), (None, None));
    let or = mh_odds_ratio(&s, 0.95).unwrap();
    assert_eq!(or.estimate, Some(f64::INFINITY));
    let j = serde_json::to_string(&or).unwrap();
    assert!(j.contains("\"estimate\":\"Infinity\""), "{j}");
    // Swap the groups: the ratios become 0, the RD changes sign.
    let sw = [st(0, 10, 3, 7), st(0, 6, 1, 4)];
    let rr0 = mh_risk_ratio(&sw, 0.95).unwrap();
    assert_eq!((rr0.estimate, rr0.ci), (Some(0.0), None));
    assert!(rr0.notes[0].contains("no treated events"));
    let rd = mh_risk_difference(&s, Method::Sato, 0.95).unwrap().estimate.unwrap();
    let rd_sw = mh_risk_difference(&sw, Method::Sato, 0.95).unwrap().estimate.unwrap();
    assert_rel9(rd, -rd_sw, "RD antisymmetric");
    // RD: Σ(a n0 − c n1)/N / Σ n1 n0/N = (3·10/20 + 1·6/11) / (10·10/20 + 5·6/11).
    assert_rel9(rd, (1.5 + 6.0 / 11.0) / (5.0 + 30.0 / 11.0), "RD closed form");
    // Breslow–Day needs a finite, positive common OR.
    assert_eq!(breslow_day(&s, Method::Uncorrected).unwrap().statistic, None);
}

#[test]
fn everyone_had_the_event() {
    let s = [st(4, 0, 3, 0), st(1, 0, 1, 0)];
    let rr = mh_risk_ratio(&s, 0.95).unwrap();
    assert_eq!(rr.estimate, Some(1.0));
    assert_eq!(rr.ci, None);
    assert!(rr.notes[0].contains("variance"), "{:?}", rr.notes);
    // OR: a·d = b·c = 0 everywhere.
    assert_eq!(mh_odds_ratio(&s, 0.95).unwrap().estimate, None);
    assert_eq!(cmh_test(&s, Method::Uncorrected).unwrap().statistic, None);
}

#[test]
fn sparse_breslow_day_drops_uninformative_strata_by_label() {
    let r = load("stratified.json");
    let s = strata_of(&r["datasets"]["sparse"]);
    let bd = breslow_day(&s, Method::Uncorrected).unwrap();
    assert_eq!(bd.df, Some(3.0));
    assert!(
        bd.notes
            .iter()
            .any(|n| n.starts_with("2 stratum/strata") && n.ends_with("s3, s6")),
        "{:?}",
        bd.notes
    );
    // The double-zero stratum s3 carries weight in the RD but not in the RR.
    let without: Vec<Stratum> = s.iter().filter(|x| x.label != "s3").cloned().collect();
    let rr_all = mh_risk_ratio(&s, 0.95).unwrap();
    let rr_wo = mh_risk_ratio(&without, 0.95).unwrap();
    assert_rel9(
        rr_all.estimate.unwrap(),
        rr_wo.estimate.unwrap(),
        "RR ignores a = c = 0",
    );
    let rd_all = mh_risk_difference(&s, Method::Sato, 0.95).unwrap().estimate.unwrap();
    let rd_wo = mh_risk_difference(&without, Method::Sato, 0.95)
        .unwrap()
        .estimate
        .unwrap();
    assert!(
        rd_all < rd_wo,
        "RD is pulled towards 0 by the double-zero stratum: {rd_all} vs {rd_wo}"
    );
}

#[test]
fn ci_widens_with_level_and_contains_estimate() {
    let r = load("stratified.json");
    let s = strata_of(&r["datasets"]["hine1989"]);
    let mut prev = 0.0;
    for l in [0.8, 0.9, 0.95, 0.99] {
        let e = mh_risk_ratio(&s, l).unwrap();
        let ci = e.ci.unwrap();
        assert!(ci.contains(e.estimate.unwrap()));
        let w = ci.upper.ln() - ci.lower.ln();
        assert!(w > prev, "width grows with level");
        prev = w;
    }
}
