//! Standard errors on results (`se`, and `se_log` for ratios with a log-scale Wald CI) against
//! metafor's `escalc` (per table: yi and vi) and `rma.mh` (tests/reference/se.R → se.json),
//! 1e-9 relative (closed forms). Also: the CI is exp(ln estimate ± z·se_log), and methods
//! without a Wald variance carry no SE.

use crate::common::{load, num};
use trialstat::data::{BinomialCount, PersonTime, Stratum, TwoByTwo};
use trialstat::stats::{rates, stratified, two_by_two, Method};

fn rel9(got: Option<f64>, want: f64, ctx: &str) {
    let got = got.unwrap_or_else(|| panic!("{ctx}: no value"));
    assert!((got - want).abs() <= 1e-9 * want.abs(), "{ctx}: got {got:.17e}, want {want:.17e}");
}

fn table(v: &serde_json::Value) -> TwoByTwo {
    let n = |k: &str| v[k].as_u64().unwrap();
    TwoByTwo::new(BinomialCount::new(n("a"), n("n1")).unwrap(), BinomialCount::new(n("c"), n("n2")).unwrap())
}

#[test]
fn two_by_two_ses_match_escalc() {
    let d = load("se.json");
    let cases = d["tables"].as_array().unwrap();
    assert_eq!(cases.len(), 7);
    for c in cases {
        let t = table(c);
        let ctx = format!("{}/{} vs {}/{}", c["a"], c["n1"], c["c"], c["n2"]);
        let rr = two_by_two::risk_ratio(&t, Method::KatzLog, 0.95).unwrap();
        rel9(rr.estimate.map(f64::ln), num(&c["rr_log"]), &format!("{ctx}: ln RR"));
        rel9(rr.se_log, num(&c["rr_se_log"]), &format!("{ctx}: Katz se_log"));
        let or = two_by_two::odds_ratio(&t, Method::Woolf, 0.95).unwrap();
        rel9(or.estimate.map(f64::ln), num(&c["or_log"]), &format!("{ctx}: ln OR"));
        rel9(or.se_log, num(&c["or_se_log"]), &format!("{ctx}: Woolf se_log"));
        let rd = two_by_two::risk_difference(&t, Method::Wald, 0.95).unwrap();
        rel9(rd.se, num(&c["rd_se"]), &format!("{ctx}: Wald RD se"));
        // The CI is the Wald interval of that SE.
        let (ci, z) = (rr.ci.unwrap(), 1.959963984540054);
        let l = rr.estimate.unwrap().ln();
        rel9(Some(ci.lower), (l - z * rr.se_log.unwrap()).exp(), &format!("{ctx}: Katz lower"));
        // Score and exact intervals have no Wald SE.
        assert_eq!(two_by_two::risk_ratio(&t, Method::Koopman, 0.95).unwrap().se_log, None, "{ctx}");
        assert_eq!(two_by_two::risk_difference(&t, Method::Newcombe, 0.95).unwrap().se, None, "{ctx}");
    }
}

#[test]
fn rate_ses_match_escalc() {
    let d = load("se.json");
    for c in d["rates"].as_array().unwrap() {
        let t = PersonTime::new(c["x1"].as_u64().unwrap(), num(&c["t1"])).unwrap();
        let k = PersonTime::new(c["x2"].as_u64().unwrap(), num(&c["t2"])).unwrap();
        let ctx = format!("{}/{} vs {}/{}", c["x1"], c["t1"], c["x2"], c["t2"]);
        let irr = rates::rate_ratio(&t, &k, Method::Wald, 0.95).unwrap();
        rel9(irr.se_log, num(&c["irr_se_log"]), &format!("{ctx}: IRR se_log"));
        let ird = rates::rate_difference(&t, &k, Method::Wald, 0.95).unwrap();
        rel9(ird.se, num(&c["ird_se"]), &format!("{ctx}: IRD se"));
        assert_eq!(rates::rate_ratio(&t, &k, Method::ExactConditional, 0.95).unwrap().se_log, None);
    }
    // A zero count: the log ratio's Wald SE is infinite, so none is given.
    let zero = rates::rate_ratio(&PersonTime::new(0, 10.0).unwrap(), &PersonTime::new(3, 10.0).unwrap(), Method::Wald, 0.95).unwrap();
    assert_eq!(zero.se_log, None);
}

#[test]
fn mantel_haenszel_ses_match_rma_mh() {
    let d = load("se.json");
    for c in d["mh"].as_array().unwrap() {
        let strata: Vec<Stratum> = c["strata"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let n = |j: usize| r[j].as_u64().unwrap();
                Stratum { label: format!("s{i}"), table: TwoByTwo::new(BinomialCount::new(n(0), n(1)).unwrap(), BinomialCount::new(n(2), n(3)).unwrap()) }
            })
            .collect();
        let rr = stratified::mh_risk_ratio(&strata, 0.95).unwrap();
        rel9(rr.estimate.map(f64::ln), num(&c["rr_log"]), "MH ln RR");
        rel9(rr.se_log, num(&c["rr_se_log"]), "MH RR se_log");
        let or = stratified::mh_odds_ratio(&strata, 0.95).unwrap();
        rel9(or.se_log, num(&c["or_se_log"]), "MH OR se_log");
        let rd = stratified::mh_risk_difference(&strata, Method::Sato, 0.95).unwrap();
        rel9(rd.estimate, num(&c["rd"]), "MH RD");
        rel9(rd.se, num(&c["rd_se"]), "MH RD se (Sato)");
    }
}
