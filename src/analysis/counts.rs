//! The reviewer's one-liners: analyses of counts and summaries as a paper prints them.
//!
//! | function | command | results |
//! |---|---|---|
//! | [`single_proportion`] | `trialstat prop 7/1000` | the proportion with its CI(s) |
//! | [`compare`] | `trialstat compare 7/1000 124/1000` | per-group risks; RR, OR, RD, NNT; Fisher, χ² |
//! | [`compare_rates`] | `trialstat rates 12/100000 4/100000` | per-group rates; rate ratio, rate difference |
//! | [`stratified`] | `trialstat strata FILE` | per-stratum and crude RR/OR; MH RR, OR, RD; CMH; Breslow–Day |
//! | [`standardized`] | `trialstat smd --treated M,SD,N --control M,SD,N` | mean difference, Cohen's d, Hedges' g, Glass's Δ |
//!
//! When a ratio's CI includes 1, [`compare`] and [`compare_rates`] add a note saying how large
//! each group would have to be, at the same event rates and allocation ratio, for the CI of the
//! recommended method to exclude 1 (see [`size_to_exclude_null`]).

use super::{GroupRow, Layout, MethodChoice, Report, TableKind};
use crate::data::{check_level, BinomialCount, GroupSummary, PersonTime, Stratum, TwoByTwo, MAX_EXACT_COUNT};
use crate::error::{Error, Result};
use crate::stats::two_by_two::EventKind;
use crate::stats::{continuous, exact, poisson, proportion, rates, stratified, two_by_two};
use crate::stats::{Ci, Estimate, Measure, Method};
use serde_json::json;

/// Options shared by the count one-liners.
#[derive(Debug, Clone, PartialEq)]
pub struct CountOptions {
    /// Two-sided confidence level.
    pub level: f64,
    /// Which CI methods to report.
    pub methods: MethodChoice,
    /// Labels of the first (treated/exposed) and second (control) group.
    pub labels: [String; 2],
    /// Whether the counted events are harmful (adverse events) or beneficial (responders):
    /// decides NNTB versus NNTH.
    pub events: EventKind,
    /// Notes from reading the inputs (e.g. a percentage rounded to whole events).
    pub input_notes: Vec<String>,
}

impl Default for CountOptions {
    fn default() -> Self {
        CountOptions {
            level: 0.95,
            methods: MethodChoice::Recommended,
            labels: ["treated".into(), "control".into()],
            events: EventKind::Harmful,
            input_notes: Vec::new(),
        }
    }
}

/// Push an estimator's result. A quantity that cannot be computed for these data (undefined, or
/// beyond a method's computational limit, or not converged) becomes a row with no estimate and
/// the reason as a note, so the rest of the report stands; an invalid input stops the analysis.
pub(crate) fn push(results: &mut Vec<Estimate>, measure: Measure, method: Method, r: Result<Estimate>) -> Result<()> {
    match r {
        Ok(e) => results.push(e),
        Err(Error::Undefined { reason, .. }) => results.push(Estimate::new(measure, method).with_note(reason)),
        Err(Error::NoConvergence { what, detail }) => {
            results.push(Estimate::new(measure, method).with_note(format!("{what} did not converge: {detail}")))
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

/// [`push`], then label the result (also an undefined one) with its group and subset.
pub(crate) fn push_as(results: &mut Vec<Estimate>, measure: Measure, method: Method, r: Result<Estimate>, group: &str, subset: &crate::stats::Subset) -> Result<()> {
    push(results, measure, method, r)?;
    if let Some(e) = results.last_mut() {
        e.group = Some(group.to_string());
        e.subset = subset.clone();
    }
    Ok(())
}

fn methods_json(m: &MethodChoice) -> serde_json::Value {
    match m {
        MethodChoice::Recommended => json!("recommended"),
        MethodChoice::All => json!("all"),
        MethodChoice::Named(v) => json!(v.iter().map(|m| m.name()).collect::<Vec<_>>()),
    }
}

/// `trialstat prop X/N`: one proportion with the chosen CI methods (Wilson by default).
pub fn single_proportion(x: &BinomialCount, label: &str, opts: &CountOptions) -> Result<Report> {
    let level = check_level(opts.level)?;
    opts.methods.validate("prop", &[Measure::Proportion])?;
    let mut results = Vec::new();
    for m in opts.methods.for_measure(Measure::Proportion) {
        push(&mut results, Measure::Proportion, m, proportion::proportion(x, m, level).map(|e| e.with_group(label)))?;
    }
    let inputs = json!({"group": {"label": label, "events": x.events, "n": x.n}, "level": level, "ci_methods": methods_json(&opts.methods)});
    let layout = Layout {
        title: format!("{label} {}/{}", x.events, x.n),
        comparison: String::new(),
        groups: vec![GroupRow { label: label.into(), count: x.events.to_string(), denominator: x.n.to_string() }],
        rate_scale: None,
        denominator_name: "n".into(),
        single_sample: true,
        table: TableKind::Standard,
        time_unit: None,
        favours: None,
        term_case: Default::default(),
    };
    Ok(Report { results, notes: opts.input_notes.clone(), ..Report::new("prop", inputs, layout) })
}

const COMPARE_MEASURES: [Measure; 7] = [
    Measure::Proportion,
    Measure::RiskRatio,
    Measure::OddsRatio,
    Measure::RiskDifference,
    Measure::Nnt,
    Measure::FisherExact,
    Measure::PearsonChi2,
];

/// `trialstat compare A/N1 C/N2`: treated (first) against control (second).
pub fn compare(t: &TwoByTwo, opts: &CountOptions) -> Result<Report> {
    let level = check_level(opts.level)?;
    opts.methods.validate("compare", &COMPARE_MEASURES)?;
    let [lt, lc] = &opts.labels;
    let mut results = Vec::new();
    for m in opts.methods.for_measure(Measure::Proportion) {
        push(&mut results, Measure::Proportion, m, proportion::proportion(&t.treated, m, level).map(|e| e.with_group(lt.as_str())))?;
        push(&mut results, Measure::Proportion, m, proportion::proportion(&t.control, m, level).map(|e| e.with_group(lc.as_str())))?;
    }
    for m in opts.methods.for_measure(Measure::RiskRatio) {
        push(&mut results, Measure::RiskRatio, m, two_by_two::risk_ratio(t, m, level))?;
    }
    for m in opts.methods.for_measure(Measure::OddsRatio) {
        push(&mut results, Measure::OddsRatio, m, two_by_two::odds_ratio(t, m, level))?;
    }
    for m in opts.methods.for_measure(Measure::RiskDifference) {
        push(&mut results, Measure::RiskDifference, m, two_by_two::risk_difference(t, m, level))?;
    }
    for m in opts.methods.for_measure(Measure::Nnt) {
        push(&mut results, Measure::Nnt, m, two_by_two::nnt(t, m, level, opts.events))?;
    }
    push(&mut results, Measure::FisherExact, Method::Exact, exact::fisher_exact(t, level))?;
    for m in opts.methods.for_measure(Measure::PearsonChi2) {
        push(&mut results, Measure::PearsonChi2, m, two_by_two::pearson_chi2(t, m))?;
    }

    let mut notes = opts.input_notes.clone();
    notes.push(format!("Ratios and differences are {lt} vs {lc}."));
    notes.extend(verdict_notes(&results, level));
    for e in &results {
        let includes_null = e.ci.is_some_and(|ci| ci.contains(1.0));
        let method = e.method;
        let note = match e.measure {
            Measure::RiskRatio if includes_null => {
                size_note_risk(t, level, lt, lc, &format!("{method} CI of the risk ratio"), |tt| two_by_two::risk_ratio(tt, method, level))
            }
            Measure::FisherExact if includes_null => {
                size_note_risk(t, level, lt, lc, "exact conditional CI of the odds ratio (Fisher)", |tt| exact::fisher_exact(tt, level))
            }
            _ => continue,
        };
        notes.push(note);
    }

    let inputs = json!({
        "treated": {"label": lt, "events": t.treated.events, "n": t.treated.n},
        "control": {"label": lc, "events": t.control.events, "n": t.control.n},
        "level": level,
        "events_are": opts.events,
        "ci_methods": methods_json(&opts.methods),
    });
    let layout = Layout {
        title: format!("{lt} {}/{} vs {lc} {}/{}", t.treated.events, t.treated.n, t.control.events, t.control.n),
        comparison: format!("{lt} vs {lc}"),
        groups: vec![
            GroupRow { label: lt.clone(), count: t.treated.events.to_string(), denominator: t.treated.n.to_string() },
            GroupRow { label: lc.clone(), count: t.control.events.to_string(), denominator: t.control.n.to_string() },
        ],
        rate_scale: None,
        denominator_name: "n".into(),
        ..Default::default()
    };
    Ok(Report { results, notes, ..Report::new("compare", inputs, layout) })
}

/// How large the groups would have to be for a ratio's CI to exclude 1.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeNeeded {
    /// Multiplier applied to both group sizes (and, at the same rates, to the events).
    pub factor: f64,
    /// Group sizes (or person-time) after scaling.
    pub size: [f64; 2],
    /// Events after scaling, rounded to whole events as used in the check.
    pub events: [u64; 2],
    /// The CI at that size.
    pub ci: Ci,
}

/// Outcome of the search in [`size_to_exclude_null`].
#[derive(Debug, Clone, PartialEq)]
pub enum SizeSearch {
    /// The CI already excludes 1.
    AlreadyExcludes,
    Found(SizeNeeded),
    /// Not reached before the counts would pass 2^53.
    TooLarge,
}

/// The smallest common multiplier k ≥ 1 of both groups' sizes such that, with events scaled to
/// the same rates (rounded to whole events), the `level` CI of the ratio computed by `ci_at`
/// excludes 1. `ci_at(k)` returns the CI and the rounded counts at multiplier k.
///
/// The search doubles k until the CI excludes 1, then bisects to a relative precision of 1e-6 on
/// k. Because events are rounded, exclusion is not perfectly monotone in k; the answer is the
/// boundary the bisection finds, reported as "about".
pub fn size_to_exclude_null(mut ci_at: impl FnMut(f64) -> Result<(Ci, [f64; 2], [u64; 2])>, max_factor: f64) -> Result<SizeSearch> {
    let excludes = |ci: &Ci| ci.lower > 1.0 || ci.upper < 1.0;
    let (ci1, _, _) = ci_at(1.0)?;
    if excludes(&ci1) {
        return Ok(SizeSearch::AlreadyExcludes);
    }
    let mut lo = 1.0;
    let mut hi = 2.0;
    loop {
        if hi > max_factor {
            return Ok(SizeSearch::TooLarge);
        }
        let (ci, _, _) = ci_at(hi)?;
        if excludes(&ci) {
            break;
        }
        lo = hi;
        hi *= 2.0;
    }
    while (hi - lo) / hi > 1e-6 {
        let mid = 0.5 * (lo + hi);
        let (ci, _, _) = ci_at(mid)?;
        if excludes(&ci) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let (ci, size, events) = ci_at(hi)?;
    Ok(SizeSearch::Found(SizeNeeded { factor: hi, size, events, ci }))
}

/// Which of the reported analyses distinguish the groups at `level` (a ratio CI excluding 1, a
/// difference CI excluding 0, a test with p < 1 − level) and which do not; a note only when some
/// do not. Reviewers ask this of borderline claims, where the answer depends on the method.
fn verdict_notes(results: &[Estimate], level: f64) -> Vec<String> {
    let alpha = 1.0 - level;
    let mut yes = Vec::new();
    let mut no = Vec::new();
    for e in results {
        let label = e.measure.name();
        let null = match e.measure {
            Measure::RiskRatio | Measure::OddsRatio | Measure::RateRatio => 1.0,
            Measure::RiskDifference | Measure::RateDifference => 0.0,
            Measure::FisherExact | Measure::PearsonChi2 => {
                if let Some(p) = e.p_value {
                    let what = format!("{label} ({}, p = {})", e.method, crate::fmt::pvalue(p));
                    if p < alpha {
                        yes.push(what)
                    } else {
                        no.push(what)
                    }
                }
                continue;
            }
            _ => continue,
        };
        if let Some(ci) = e.ci {
            if ci.contains(null) {
                no.push(format!("{label} ({} CI includes {null})", e.method))
            } else {
                yes.push(format!("{label} ({} CI excludes {null})", e.method))
            }
        }
    }
    if no.is_empty() {
        return Vec::new();
    }
    let mut notes = vec![format!("Not distinguishable from no difference at {} by: {}.", pct_level(level), no.join("; "))];
    if !yes.is_empty() {
        notes.push(format!("Distinguishable by: {}. The verdict depends on the method.", yes.join("; ")));
    }
    notes
}

/// How a size note describes its data.
struct SizeWording<'a> {
    /// "risks (0.012% vs 0.004%)" or "rates (1.2 vs 0.4 per 10,000)".
    same: String,
    /// "subjects" or "person-time".
    unit: &'a str,
    /// "the sizes given" or "the person-time given".
    given: &'a str,
}

/// The note for one ratio CI that includes 1: how large the groups would have to be, at the same
/// rates, for it to exclude 1 (see [`size_to_exclude_null`]).
fn size_note(
    search: Result<SizeSearch>,
    level: f64,
    what: &str,
    [lt, lc]: [&str; 2],
    words: &SizeWording,
) -> String {
    match search {
        Ok(SizeSearch::Found(s)) => format!(
            "At the same {}, the {} {what} would exclude 1 from about {} {} in {lt} and {} in {lc} ({:.2}× {}; {} vs {} events), where it is {} to {}.",
            words.same,
            pct_level(level),
            group_digits(s.size[0]),
            words.unit,
            group_digits(s.size[1]),
            s.factor,
            words.given,
            s.events[0],
            s.events[1],
            sig(s.ci.lower),
            sig(s.ci.upper),
        ),
        Ok(SizeSearch::TooLarge) => format!("The {what} includes 1 and would still include 1 at the largest size searched."),
        Ok(SizeSearch::AlreadyExcludes) => String::new(),
        Err(e) => format!("The size needed for the {what} to exclude 1 was not computed: {e}"),
    }
}

fn size_note_risk(t: &TwoByTwo, level: f64, lt: &str, lc: &str, what: &str, ci_of: impl Fn(&TwoByTwo) -> Result<Estimate>) -> String {
    let (p1, p2) = (t.treated.proportion(), t.control.proportion());
    if p1 == p2 {
        return format!("The {} {what} includes 1 and the risks are equal: no group size makes it exclude 1.", pct_level(level));
    }
    let scaled = |k: f64| -> Result<(Ci, [f64; 2], [u64; 2])> {
        let n1 = (t.treated.n as f64 * k).round().max(1.0);
        let n2 = (t.control.n as f64 * k).round().max(1.0);
        let a = (t.treated.events as f64 * k).round().min(n1);
        let c = (t.control.events as f64 * k).round().min(n2);
        let tt = TwoByTwo::new(BinomialCount::new(a as u64, n1 as u64)?, BinomialCount::new(c as u64, n2 as u64)?);
        let e = ci_of(&tt)?;
        let ci = e.ci.ok_or_else(|| Error::undefined(e.measure, e.method, "no CI"))?;
        Ok((ci, [n1, n2], [a as u64, c as u64]))
    };
    let max = MAX_EXACT_COUNT as f64 / (t.treated.n.max(t.control.n) as f64) / 4.0;
    let words = SizeWording { same: format!("risks ({} vs {})", fmt_pct(p1), fmt_pct(p2)), unit: "subjects", given: "the sizes given" };
    size_note(size_to_exclude_null(scaled, max), level, what, [lt, lc], &words)
}

fn size_note_rates(t: &PersonTime, c: &PersonTime, level: f64, method: Method, lt: &str, lc: &str, scale: f64) -> String {
    let what = format!("{method} CI of the rate ratio");
    if t.rate() == c.rate() {
        return format!("The {} {what} includes 1 and the rates are equal: no amount of person-time makes it exclude 1.", pct_level(level));
    }
    let scaled = |k: f64| -> Result<(Ci, [f64; 2], [u64; 2])> {
        let (x1, x2) = ((t.events as f64 * k).round(), (c.events as f64 * k).round());
        let a = PersonTime::new(x1 as u64, t.time * k)?;
        let b = PersonTime::new(x2 as u64, c.time * k)?;
        let e = rates::rate_ratio(&a, &b, method, level)?;
        let ci = e.ci.ok_or_else(|| Error::undefined(Measure::RateRatio, method, "no CI"))?;
        Ok((ci, [a.time, b.time], [x1 as u64, x2 as u64]))
    };
    let max = 1e12 / ((t.events + c.events).max(1) as f64);
    let words = SizeWording {
        same: format!("rates ({} vs {} per {})", sig(t.rate() * scale), sig(c.rate() * scale), group_digits(scale)),
        unit: "person-time",
        given: "the person-time given",
    };
    size_note(size_to_exclude_null(scaled, max), level, &what, [lt, lc], &words)
}

const RATE_MEASURES: [Measure; 3] = [Measure::Rate, Measure::RateRatio, Measure::RateDifference];

/// `trialstat rates X1/T1 X2/T2`: events over person-time, treated (first) against control.
pub fn compare_rates(treated: &PersonTime, control: &PersonTime, opts: &CountOptions) -> Result<Report> {
    let level = check_level(opts.level)?;
    opts.methods.validate("rates", &RATE_MEASURES)?;
    let [lt, lc] = &opts.labels;
    let mut results = Vec::new();
    push(&mut results, Measure::Rate, Method::Exact, poisson::incidence_rate(treated, level).map(|e| e.with_group(lt.as_str())))?;
    push(&mut results, Measure::Rate, Method::Exact, poisson::incidence_rate(control, level).map(|e| e.with_group(lc.as_str())))?;
    for m in opts.methods.for_measure(Measure::RateRatio) {
        push(&mut results, Measure::RateRatio, m, rates::rate_ratio(treated, control, m, level))?;
    }
    for m in opts.methods.for_measure(Measure::RateDifference) {
        push(&mut results, Measure::RateDifference, m, rates::rate_difference(treated, control, m, level))?;
    }
    let scale = rate_scale(treated.rate().max(control.rate()));
    let mut notes = opts.input_notes.clone();
    notes.push(format!("Ratios and differences are {lt} vs {lc}; rates are per {} person-time units.", group_digits(scale)));
    notes.extend(verdict_notes(&results, level));
    for e in &results {
        if e.measure == Measure::RateRatio && e.ci.is_some_and(|ci| ci.contains(1.0)) {
            notes.push(size_note_rates(treated, control, level, e.method, lt, lc, scale));
        }
    }
    let inputs = json!({
        "treated": {"label": lt, "events": treated.events, "person_time": treated.time},
        "control": {"label": lc, "events": control.events, "person_time": control.time},
        "level": level,
        "ci_methods": methods_json(&opts.methods),
    });
    let layout = Layout {
        title: format!("{lt} {}/{} vs {lc} {}/{}", treated.events, sig(treated.time), control.events, sig(control.time)),
        comparison: format!("{lt} vs {lc}"),
        groups: vec![
            GroupRow { label: lt.clone(), count: treated.events.to_string(), denominator: sig(treated.time) },
            GroupRow { label: lc.clone(), count: control.events.to_string(), denominator: sig(control.time) },
        ],
        rate_scale: Some(scale),
        denominator_name: "person-time".into(),
        ..Default::default()
    };
    Ok(Report { results, notes, ..Report::new("rates", inputs, layout) })
}

/// A power of ten that prints the larger rate as a number of at least 1 (at most 10^9).
pub fn rate_scale(max_rate: f64) -> f64 {
    if !(max_rate > 0.0) || max_rate >= 1.0 {
        return 1.0;
    }
    let mut s = 1.0;
    while max_rate * s < 1.0 && s < 1e9 {
        s *= 10.0;
    }
    s
}

const STRATA_MEASURES: [Measure; 7] = [
    Measure::RiskRatio,
    Measure::OddsRatio,
    Measure::MhRiskRatio,
    Measure::MhOddsRatio,
    Measure::MhRiskDifference,
    Measure::Cmh,
    Measure::BreslowDay,
];

/// `trialstat strata FILE`: per-stratum and crude risk and odds ratios, the Mantel–Haenszel
/// pooled RR, OR and RD, the CMH test and the Breslow–Day test of homogeneity.
pub fn stratified(strata: &[Stratum], source: &str, opts: &CountOptions) -> Result<Report> {
    let level = check_level(opts.level)?;
    opts.methods.validate("strata", &STRATA_MEASURES)?;
    if strata.is_empty() {
        return Err(Error::invalid("strata", "none", "at least one stratum"));
    }
    let mut results = Vec::new();
    for s in strata {
        for m in opts.methods.for_measure(Measure::RiskRatio) {
            push(&mut results, Measure::RiskRatio, m, two_by_two::risk_ratio(&s.table, m, level).map(|e| e.with_group(s.label.as_str())))?;
        }
        for m in opts.methods.for_measure(Measure::OddsRatio) {
            push(&mut results, Measure::OddsRatio, m, two_by_two::odds_ratio(&s.table, m, level).map(|e| e.with_group(s.label.as_str())))?;
        }
    }
    let crude = crude_table(strata)?;
    for m in opts.methods.for_measure(Measure::RiskRatio) {
        push(&mut results, Measure::RiskRatio, m, two_by_two::risk_ratio(&crude, m, level).map(|e| e.with_group("crude")))?;
    }
    for m in opts.methods.for_measure(Measure::OddsRatio) {
        push(&mut results, Measure::OddsRatio, m, two_by_two::odds_ratio(&crude, m, level).map(|e| e.with_group("crude")))?;
    }
    push(&mut results, Measure::MhRiskRatio, Method::GreenlandRobins, stratified::mh_risk_ratio(strata, level))?;
    push(&mut results, Measure::MhOddsRatio, Method::RobinsBreslowGreenland, stratified::mh_odds_ratio(strata, level))?;
    for m in opts.methods.for_measure(Measure::MhRiskDifference) {
        push(&mut results, Measure::MhRiskDifference, m, stratified::mh_risk_difference(strata, m, level))?;
    }
    for m in opts.methods.for_measure(Measure::Cmh) {
        push(&mut results, Measure::Cmh, m, stratified::cmh_test(strata, m))?;
    }
    for m in opts.methods.for_measure(Measure::BreslowDay) {
        push(&mut results, Measure::BreslowDay, m, stratified::breslow_day(strata, m))?;
    }
    let [lt, lc] = &opts.labels;
    let mut notes = opts.input_notes.clone();
    notes.push(format!("Ratios are {lt} vs {lc} within each stratum; 'crude' pools all strata into one table."));
    let rows: Vec<serde_json::Value> = strata
        .iter()
        .map(|s| {
            json!({"stratum": s.label, "events_treated": s.table.treated.events, "n_treated": s.table.treated.n,
                   "events_control": s.table.control.events, "n_control": s.table.control.n})
        })
        .collect();
    let groups = strata
        .iter()
        .map(|s| GroupRow {
            label: s.label.clone(),
            count: format!("{}/{}", s.table.treated.events, s.table.treated.n),
            denominator: format!("{}/{}", s.table.control.events, s.table.control.n),
        })
        .collect();
    let inputs = json!({"file": source, "labels": [lt, lc], "strata": rows, "level": level, "ci_methods": methods_json(&opts.methods)});
    let layout = Layout {
        title: format!("{} strata from {source}: {lt} vs {lc}", strata.len()),
        comparison: format!("{lt} vs {lc}"),
        groups,
        rate_scale: None,
        denominator_name: "strata".into(),
        table: TableKind::Strata,
        single_sample: false,
        time_unit: None,
        favours: None,
        term_case: Default::default(),
    };
    Ok(Report { results, notes, ..Report::new("strata", inputs, layout) })
}

/// All strata added into one 2×2 table.
pub fn crude_table(strata: &[Stratum]) -> Result<TwoByTwo> {
    let sum = |f: &dyn Fn(&Stratum) -> u64| -> Result<u64> {
        strata.iter().try_fold(0u64, |acc, s| acc.checked_add(f(s)).ok_or_else(|| Error::invalid("stratum totals", "overflow", "totals below 2^53")))
    };
    Ok(TwoByTwo::new(
        BinomialCount::new(sum(&|s| s.table.treated.events)?, sum(&|s| s.table.treated.n)?)?,
        BinomialCount::new(sum(&|s| s.table.control.events)?, sum(&|s| s.table.control.n)?)?,
    ))
}

const SMD_MEASURES: [Measure; 4] = [Measure::MeanDifference, Measure::CohensD, Measure::HedgesG, Measure::GlassDelta];

/// `trialstat smd --treated M,SD,N --control M,SD,N`: mean difference (treated − control) and
/// the standardised differences, from summary statistics as papers print them.
pub fn standardized(t: &GroupSummary, c: &GroupSummary, opts: &CountOptions) -> Result<Report> {
    let level = check_level(opts.level)?;
    opts.methods.validate("smd", &SMD_MEASURES)?;
    let mut results = Vec::new();
    for m in opts.methods.for_measure(Measure::MeanDifference) {
        push(&mut results, Measure::MeanDifference, m, continuous::mean_difference(t, c, m, level))?;
    }
    for m in opts.methods.for_measure(Measure::CohensD) {
        push(&mut results, Measure::CohensD, m, continuous::cohens_d(t, c, m, level))?;
    }
    for m in opts.methods.for_measure(Measure::HedgesG) {
        push(&mut results, Measure::HedgesG, m, continuous::hedges_g(t, c, m, level))?;
    }
    for m in opts.methods.for_measure(Measure::GlassDelta) {
        push(&mut results, Measure::GlassDelta, m, continuous::glass_delta(t, c, m, level))?;
    }
    let [lt, lc] = &opts.labels;
    let mut notes = opts.input_notes.clone();
    notes.push(format!("Differences are {lt} − {lc}; Glass's delta is standardised by the {lc} SD."));
    let inputs = json!({
        "treated": {"label": lt, "mean": t.mean, "sd": t.sd, "n": t.n},
        "control": {"label": lc, "mean": c.mean, "sd": c.sd, "n": c.n},
        "level": level,
        "ci_methods": methods_json(&opts.methods),
    });
    let layout = Layout {
        title: format!("{lt} {} (SD {}, n {}) vs {lc} {} (SD {}, n {})", sig(t.mean), sig(t.sd), t.n, sig(c.mean), sig(c.sd), c.n),
        comparison: format!("{lt} vs {lc}"),
        groups: Vec::new(),
        rate_scale: None,
        denominator_name: "n".into(),
        ..Default::default()
    };
    Ok(Report { results, notes, ..Report::new("smd", inputs, layout) })
}

fn pct_level(level: f64) -> String {
    format!("{}%", crate::fmt::trim_num(level * 100.0, 6))
}

fn fmt_pct(p: f64) -> String {
    format!("{}%", crate::fmt::sig(p * 100.0, 4))
}

fn sig(x: f64) -> String {
    crate::fmt::sig(x, 4)
}

fn group_digits(x: f64) -> String {
    crate::fmt::thousands(x.round())
}
