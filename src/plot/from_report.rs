//! Plots built from analysis results: a [`Report`] (or, for per-subject plots, the subject
//! records an analysis used). Nothing is recomputed here except where a plot needs per-subject
//! values (waterfall, box plot).

use super::*;
use crate::analysis::arms::Arms;
use crate::analysis::Report;
use crate::ingest::subjects::SubjectPairs;
use crate::stats::{Estimate, Measure};

fn level_text(e: &Estimate) -> String {
    e.ci.map(|c| format!("{}% CI", crate::fmt::trim_num(c.level * 100.0, 4))).unwrap_or_else(|| "CI".into())
}

fn ratio_text(e: &Estimate) -> String {
    match (e.estimate, e.ci) {
        (Some(x), Some(c)) => crate::fmt::estimate_ci(crate::render::precision_scale(e.measure), x, Some((c.lower, c.upper))),
        _ => String::new(),
    }
}

/// Responder (or event) rates by arm from a `responders`/`compare` report: its `proportion` rows.
pub fn rate_bars(report: &Report, title: &str, what: &str) -> Result<RateBars> {
    let rows: Vec<&Estimate> = report.results.iter().filter(|e| e.measure == Measure::Proportion).collect();
    let level = rows.first().map(|e| level_text(e)).unwrap_or_default();
    let method = rows.first().map(|e| e.method.name()).unwrap_or_default();
    let mut groups: Vec<RateBar> = rows
        .iter()
        .filter_map(|e| match (e.estimate, e.ci) {
            (Some(x), Some(c)) => Some(RateBar {
                label: e.group.clone().unwrap_or_default(),
                estimate: x,
                lower: c.lower,
                upper: c.upper,
                count: format!("{}/{}", e.count.unwrap_or(0), e.n.unwrap_or(0)),
            }),
            _ => None,
        })
        .collect();
    // The control (the last group of a comparison) first.
    groups.rotate_right(1);
    Ok(RateBars { title: title.into(), subtitle: report.layout.title.clone(), y_label: format!("{what} (%), {level} ({method})"), groups })
}

/// A forest plot of every result of `measure` with a CI, labelled by group (and subset); the
/// rows of `summary` (e.g. the MH ratio) are added as diamonds.
pub fn forest(report: &Report, measure: Measure, summary: Option<Measure>, title: &str, x_label: &str) -> Result<Forest> {
    let log = matches!(measure, Measure::RiskRatio | Measure::OddsRatio | Measure::RateRatio | Measure::MhRiskRatio | Measure::MhOddsRatio);
    let label = |e: &Estimate| {
        let mut parts: Vec<String> = Vec::new();
        for s in [&e.subset.param, &e.subset.visit, &e.subset.soc, &e.subset.term, &e.group].into_iter().flatten() {
            parts.push(s.clone());
        }
        parts.join(" · ")
    };
    let mut rows = Vec::new();
    let mut level = String::new();
    for e in report.results.iter().filter(|e| e.measure == measure || Some(e.measure) == summary) {
        if let (Some(x), Some(c)) = (e.estimate, e.ci) {
            if log && (x <= 0.0 || c.lower <= 0.0 || !c.upper.is_finite()) {
                continue;
            }
            level = level_text(e);
            let summary_row = Some(e.measure) == summary;
            rows.push(ForestRow {
                label: if summary_row { format!("{} (MH)", if label(e).is_empty() { "pooled".into() } else { label(e) }) } else { label(e) },
                estimate: x,
                lower: c.lower,
                upper: c.upper,
                text: ratio_text(e),
                summary: summary_row,
                header: false,
            });
        }
    }
    Ok(Forest {
        title: title.into(),
        subtitle: report.layout.title.clone(),
        x_label: format!("{x_label} ({level}){}", if log { ", log scale" } else { "" }),
        log,
        rows,
        favours: None,
    })
}

/// The AE dot plot of an `ae` report for one comparison (`"A vs B"`): incidence of every arm
/// and the comparison's risk ratio, for the rows with a preferred term (not SOC rows), the
/// `top` most frequent.
pub fn ae_dot(report: &Report, comparison: &str, top: usize) -> Result<AeDot> {
    // The control (the report's last group) first.
    let mut arms: Vec<String> = report.layout.groups.iter().map(|g| g.label.clone()).collect();
    arms.rotate_right(1);
    let mut rows: Vec<AeDotRow> = Vec::new();
    let mut seen: Vec<(Option<String>, Option<String>)> = Vec::new();
    for e in &report.results {
        let key = (e.subset.soc.clone(), e.subset.term.clone());
        if e.subset.soc.is_none() || e.subset.term.is_none() || seen.contains(&key) {
            continue;
        }
        seen.push(key.clone());
        let of = |m: Measure, g: &str| report.results.iter().find(|r| r.measure == m && r.group.as_deref() == Some(g) && r.subset.soc == key.0 && r.subset.term == key.1);
        let incidence: Vec<f64> = arms.iter().map(|a| of(Measure::Proportion, a).and_then(|e| e.estimate).unwrap_or(0.0)).collect();
        let ratio = of(Measure::RiskRatio, comparison).and_then(|e| match (e.estimate, e.ci) {
            (Some(x), Some(c)) if x > 0.0 && x.is_finite() && c.lower > 0.0 && c.upper.is_finite() => Some((x, c.lower, c.upper)),
            _ => None,
        });
        rows.push(AeDotRow { term: report.layout.term_case.apply(&key.1.unwrap_or_default()), incidence, ratio });
    }
    rows.sort_by(|a, b| b.incidence.iter().sum::<f64>().total_cmp(&a.incidence.iter().sum::<f64>()).then(a.term.cmp(&b.term)));
    rows.truncate(top);
    let level = report.results.iter().find(|e| e.measure == Measure::RiskRatio).map(level_text).unwrap_or_default();
    Ok(AeDot {
        title: "Adverse events: incidence and risk ratio".into(),
        subtitle: format!("{} most frequent preferred terms; {}", rows.len(), report.layout.title),
        arms,
        ratio_label: format!("Risk ratio, {comparison} ({level}, Koopman), log scale"),
        rows,
    })
}

/// The volcano plot of an `ae` report for one comparison: every preferred term with a finite,
/// positive risk ratio.
pub fn volcano(report: &Report, comparison: &str) -> Result<Volcano> {
    let mut points = Vec::new();
    for e in report.results.iter().filter(|e| e.measure == Measure::RiskRatio && e.group.as_deref() == Some(comparison) && e.subset.term.is_some() && e.subset.soc.is_some()) {
        let p = report
            .results
            .iter()
            .find(|r| r.measure == Measure::FisherExact && r.group == e.group && r.subset == e.subset)
            .and_then(|r| r.p_value);
        if let (Some(x), Some(p)) = (e.estimate, p) {
            if x > 0.0 && x.is_finite() && p > 0.0 {
                points.push(VolcanoPoint { term: e.subset.term.clone().unwrap_or_default(), ratio: x, p_value: p });
            }
        }
    }
    Ok(Volcano {
        title: format!("Adverse events: {comparison}"),
        subtitle: "Terms with events in both arms; risk ratio against Fisher's exact p".into(),
        x_label: "log2 risk ratio".into(),
        points,
        label_top: 8,
    })
}

/// Mean change ± CI by arm over visits, from a `change` report with several follow-up visits.
/// `visits`: (visit as in the report, printed label, time) to relabel and space the visits;
/// visits not listed keep their names and even spacing is used unless every visit has a time.
pub fn mean_over_visits(report: &Report, title: &str, y_label: &str, visit_labels: &[(String, String, Option<f64>)], x_label: &str) -> Result<MeanOverVisits> {
    let mut visits: Vec<String> = Vec::new();
    let mut arms: Vec<String> = Vec::new();
    for e in report.results.iter().filter(|e| e.measure == Measure::MeanChange) {
        let v = e.subset.visit.clone().unwrap_or_default();
        if !visits.contains(&v) {
            visits.push(v);
        }
        let a = e.group.clone().unwrap_or_default();
        if !arms.contains(&a) {
            arms.push(a);
        }
    }
    // The control (the "B" of a result "A vs B") first.
    if let Some(control) = report.results.iter().filter_map(|e| e.group.as_deref()).find_map(|g| g.split_once(" vs ").map(|(_, c)| c.to_string())) {
        if let Some(i) = arms.iter().position(|a| *a == control) {
            let c = arms.remove(i);
            arms.insert(0, c);
        }
    }
    let series = arms
        .iter()
        .map(|a| VisitSeries {
            arm: a.clone(),
            points: visits
                .iter()
                .map(|v| {
                    report
                        .results
                        .iter()
                        .find(|e| e.measure == Measure::MeanChange && e.group.as_deref() == Some(a) && e.subset.visit.as_deref() == Some(v))
                        .and_then(|e| match (e.estimate, e.ci) {
                            (Some(m), Some(c)) => Some((m, c.lower, c.upper)),
                            _ => None,
                        })
                })
                .collect(),
            n: visits
                .iter()
                .map(|v| report.results.iter().find(|e| e.measure == Measure::MeanChange && e.group.as_deref() == Some(a) && e.subset.visit.as_deref() == Some(v)).and_then(|e| e.n))
                .collect(),
        })
        .collect();
    let entry = |v: &String| visit_labels.iter().find(|(name, _, _)| name == v);
    let times: Option<Vec<f64>> = visits.iter().map(|v| entry(v).and_then(|e| e.2)).collect();
    let printed = visits.iter().map(|v| entry(v).map_or(v.clone(), |e| e.1.clone())).collect();
    Ok(MeanOverVisits { title: title.into(), subtitle: report.layout.title.clone(), y_label: y_label.into(), visits: printed, times, x_label: x_label.into(), series })
}

/// Per-subject values of the arms, control first: `f(baseline, follow-up)` for every complete
/// pair.
fn per_arm(pairs: &SubjectPairs, arms: &Arms, f: impl Fn(f64, f64) -> Option<f64>) -> Vec<(String, Vec<f64>)> {
    let all = arms.all();
    let mut out: Vec<(String, Vec<f64>)> = arms.shown_order().map(|k| (all[k].to_string(), Vec::new())).collect();
    for s in 0..pairs.len() {
        if let (Some(k), Some(b), Some(fu)) = (pairs.arm.get(s).and_then(|a| arms.position(a)), pairs.baseline_of(s), pairs.followup_of(s)) {
            if let Some(v) = f(b, fu) {
                out[arms.shown_index(k)].1.push(v);
            }
        }
    }
    out
}

/// Waterfall of per-subject percent change (non-zero baselines), with the responder threshold
/// (e.g. −35 for a 35 % reduction).
pub fn waterfall(pairs: &SubjectPairs, arms: &Arms, threshold: Option<f64>, title: &str, subtitle: &str) -> Result<Waterfall> {
    let groups = per_arm(pairs, arms, |b, f| (b != 0.0).then(|| 100.0 * (f - b) / b.abs()));
    let bars: Vec<(usize, f64)> = groups.iter().enumerate().flat_map(|(k, (_, v))| v.iter().map(move |x| (k, *x))).collect();
    // Subjects of the arms drawn without a percent change (a missing value, or a baseline of 0).
    let in_arms = (0..pairs.len()).filter(|&s| pairs.arm.get(s).and_then(|a| arms.position(a)).is_some()).count();
    let not_shown = in_arms - bars.len();
    Ok(Waterfall {
        title: title.into(),
        subtitle: subtitle.into(),
        y_label: "Change from baseline (%)".into(),
        arms: groups.into_iter().map(|g| g.0).collect(),
        bars,
        threshold,
        not_shown,
    })
}

/// Box plot of per-subject change from baseline by arm.
pub fn change_box(pairs: &SubjectPairs, arms: &Arms, title: &str, subtitle: &str, y_label: &str) -> Result<BoxStrip> {
    Ok(BoxStrip { title: title.into(), subtitle: subtitle.into(), y_label: y_label.into(), groups: per_arm(pairs, arms, |b, f| Some(f - b)) })
}

/// Kaplan–Meier curves of a `survival` report: its curves (control first), medians, and the
/// numbers-at-risk table's times as axis ticks.
pub fn kaplan_meier(report: &Report, title: &str, ci_bands: bool, median_lines: bool) -> Result<KaplanMeierPlot> {
    if report.curves.is_empty() {
        return Err(Error::Plot { plot: "kaplan-meier".into(), message: "the analysis has no survival curves (a kind = \"survival\" analysis has)".into() });
    }
    let unit = report.layout.time_unit.as_deref().unwrap_or("time units");
    let ticks: Vec<f64> = report.curves[0].risk_table.iter().map(|r| r.time).collect();
    let arms = report
        .curves
        .iter()
        .map(|c| KmArm {
            label: c.group.clone(),
            steps: c.steps.iter().map(|s| (s.time, s.surv, s.lower, s.upper)).collect(),
            censored: c.steps.iter().filter(|s| s.n_censor > 0).map(|s| (s.time, s.surv)).collect(),
            median: report.results.iter().find(|e| e.measure == Measure::SurvivalQuantile && e.at == Some(0.5) && e.group.as_deref() == Some(c.group.as_str())).and_then(|e| e.estimate),
            at_risk: c.risk_table.iter().map(|r| r.n_risk).collect(),
        })
        .collect();
    let level = report.curves[0].level;
    let param = report.inputs.get("parameter").and_then(|p| p.as_str()).map(|p| format!("{p}: ")).unwrap_or_default();
    Ok(KaplanMeierPlot {
        title: title.into(),
        subtitle: report.layout.title.clone(),
        x_label: format!("Time ({unit})"),
        y_label: if ci_bands {
            format!("{param}event-free (%), {}% CI ({})", crate::fmt::trim_num(level * 100.0, 4), report.curves[0].ci.name())
        } else {
            format!("{param}event-free (%)")
        },
        arms,
        ticks,
        ci_bands,
        median_lines,
    })
}

/// Hazard ratios of one comparison (`"T vs C"`; default the first) of a `survival` report: all
/// subjects first (a diamond), then each subgroup variable as a heading with its interaction
/// p and one row per level; "favours" labels under the axis (events are harmful: a hazard ratio
/// below 1 favours the treatment).
pub fn subgroup_forest(report: &Report, comparison: Option<&str>, title: &str) -> Result<Forest> {
    let hrs: Vec<&Estimate> = report.results.iter().filter(|e| e.measure == Measure::HazardRatio && e.group.as_deref().is_some_and(|g| g.contains(" vs "))).collect();
    let cmp = match comparison {
        Some(c) => c.to_string(),
        None => hrs.first().and_then(|e| e.group.clone()).ok_or_else(|| Error::Plot { plot: "forest".into(), message: "the analysis has no hazard ratio".into() })?,
    };
    let row = |label: String, e: &Estimate, summary: bool| match (e.estimate, e.ci) {
        (Some(x), Some(c)) if x > 0.0 && x.is_finite() => ForestRow { label, estimate: x, lower: c.lower, upper: c.upper, text: ratio_text(e), summary, header: false },
        _ => ForestRow { label, estimate: 1.0, lower: 1.0, upper: 1.0, text: "not estimable (an arm without events)".into(), summary: false, header: true },
    };
    let mut rows = Vec::new();
    let overall = hrs.iter().find(|e| e.group.as_deref() == Some(cmp.as_str()) && e.subset.subgroup.is_none()).ok_or_else(|| Error::Plot { plot: "forest".into(), message: format!("no hazard ratio '{cmp}'") })?;
    rows.push(row("All subjects".into(), overall, true));
    for inter in report.results.iter().filter(|e| e.measure == Measure::Interaction) {
        let var = inter.subset.subgroup.clone().unwrap_or_default();
        let p = inter.p_value.map(|p| format!("interaction p = {}", crate::fmt::pvalue(p))).unwrap_or_default();
        rows.push(ForestRow { label: var.clone(), estimate: 1.0, lower: 1.0, upper: 1.0, text: p, summary: false, header: true });
        let prefix = format!("{var} = ");
        for e in hrs.iter().filter(|e| e.group.as_deref() == Some(cmp.as_str()) && e.subset.subgroup.as_deref().is_some_and(|s| s.starts_with(&prefix))) {
            let level = e.subset.subgroup.as_deref().unwrap_or_default().trim_start_matches(&prefix).to_string();
            rows.push(row(format!("   {level}"), e, false));
        }
    }
    let (treatment, control) = cmp.split_once(" vs ").map(|(a, b)| (a.to_string(), b.to_string())).unwrap_or_default();
    let level = level_text(overall);
    let method = overall.method.name();
    Ok(Forest {
        title: title.into(),
        subtitle: format!("{cmp}; Cox model ({method} ties)"),
        x_label: format!("Hazard ratio ({level}), log scale"),
        log: true,
        rows,
        favours: Some((format!("favours {treatment}"), format!("favours {control}"))),
    })
}
