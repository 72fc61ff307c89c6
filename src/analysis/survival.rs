//! Time-to-event analysis of a trial file (`trialstat survival`): per arm the Kaplan–Meier curve,
//! quartiles of survival time (the median) with CIs, survival at landmark times and the
//! restricted mean survival time (RMST); between arms the log-rank (G^ρ) test, Cox hazard ratios
//! of each arm against the control (optionally adjusted for covariates and stratified), the
//! model's global tests and the test of proportional hazards, RMST differences and ratios, and
//! hazard ratios by subgroup with the interaction test.
//!
//! Input: one row per subject (ADaM ADTTE: `AVAL` the time, `CNSR` 1 = censored, one `PARAMCD`
//! chosen), or any file with `--time` and `--event` (1 = event) or `--censor` (1 = censored).
//! Every time must be a number ≥ 0 and every event flag 0 or 1: otherwise an error naming the
//! file, line, column and value (all such problems at once). A subject listed twice for the same
//! parameter is an error.
//!
//! Time units: the file's unit (`--data-unit`; an `AVALU` column; days for ADaM `AVAL`) is
//! converted to the reporting unit (`--time-unit`) with 1 week = 7 days, 1 month = 30.4375 days,
//! 1 year = 365.25 days ([`TimeUnit`]); landmarks and τ are given in the reporting unit.

use super::arms::{natural_sort, ArmChoice, Arms};
use super::Report;
use crate::data::TimeUnit;
use crate::error::{Error, Result};
use crate::ingest::table::{column, numbers, CsvFile, Problems};
use crate::stats::cox::{CoxFit, CoxModel, CoxOptions, Ties, Zph};
use crate::stats::dist::{two_sided_z_p, z_for_level};
use crate::stats::survival::{kaplan_meier, log_rank, KaplanMeier, KmCi, KmStep};
use crate::stats::{Estimate, Measure, Method, Subset};
use serde::Serialize;

/// Where a row's event status comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// 1 = event, 0 = censored.
    Event(String),
    /// 1 = censored, 0 = event (ADaM `CNSR`).
    Censor(String),
}

/// A `trialstat survival` request.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalSpec {
    pub arms: ArmChoice,
    /// Time column (default `AVAL`).
    pub time: Option<String>,
    /// Event or censoring column (default `CNSR` as a censoring flag).
    pub status: Option<Status>,
    /// The `PARAMCD` to analyse when the file holds several.
    pub paramcd: Option<String>,
    /// Unit of the time column (default: the `AVALU` column, else days for ADaM `AVAL`).
    pub data_unit: Option<TimeUnit>,
    /// Unit to report in (default: the data unit).
    pub time_unit: Option<TimeUnit>,
    pub conf_type: KmCi,
    pub level: f64,
    /// Landmark times (reporting unit).
    pub landmarks: Vec<f64>,
    /// RMST horizon (reporting unit); default the smallest of the arms' largest follow-up times.
    pub tau: Option<f64>,
    pub ties: Ties,
    /// ρ of the G^ρ test (0 = log-rank, 1 = Peto–Peto).
    pub rho: f64,
    pub strata: Vec<String>,
    pub covariates: Vec<String>,
    pub subgroups: Vec<String>,
}

impl SurvivalSpec {
    /// A request with R's defaults: log CI, Efron ties, the log-rank test, level 0.95.
    pub fn new(arms: ArmChoice) -> SurvivalSpec {
        SurvivalSpec {
            arms,
            time: None,
            status: None,
            paramcd: None,
            data_unit: None,
            time_unit: None,
            conf_type: KmCi::Log,
            level: 0.95,
            landmarks: Vec::new(),
            tau: None,
            ties: Ties::Efron,
            rho: 0.0,
            strata: Vec::new(),
            covariates: Vec::new(),
            subgroups: Vec::new(),
        }
    }
}

/// One arm's Kaplan–Meier curve, for plots and the JSON report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalCurve {
    pub group: String,
    pub ci: KmCi,
    pub level: f64,
    pub steps: Vec<KmStep>,
    /// Numbers at risk at 0, Δ, 2Δ, … (Δ from [`risk_step`] on the longest follow-up of all
    /// arms, up to the first multiple at or after it: the same times for every arm, the time
    /// axis ticks of the plot), with the events and censorings from each time up to the next.
    pub risk_table: Vec<RiskRow>,
}

/// One row of a numbers-at-risk table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RiskRow {
    pub time: f64,
    pub n_risk: u64,
    pub events: u64,
    pub censored: u64,
}

/// A covariate of the Cox model: numbers, or a factor coded against its first level.
#[derive(Debug, Clone)]
enum Covariate {
    Numeric { name: String, values: Vec<f64> },
    Factor { name: String, levels: Vec<String>, codes: Vec<usize> },
}

impl Covariate {
    fn name(&self) -> &str {
        match self {
            Covariate::Numeric { name, .. } | Covariate::Factor { name, .. } => name,
        }
    }

    /// Design columns and their names.
    fn columns(&self, keep: &[usize]) -> Vec<(String, Vec<f64>)> {
        match self {
            Covariate::Numeric { name, values } => vec![(name.clone(), keep.iter().map(|&i| values[i]).collect())],
            Covariate::Factor { name, levels, codes } => (1..levels.len())
                .map(|l| (format!("{name}: {} vs {}", levels[l], levels[0]), keep.iter().map(|&i| f64::from(u8::from(codes[i] == l))).collect()))
                .collect(),
        }
    }
}

/// The subjects of the analysis, in file order.
struct Subjects {
    time: Vec<f64>,
    event: Vec<bool>,
    /// Index into the shown arms (control first).
    arm: Vec<usize>,
    /// Stratum index (the combination of the strata columns' values) and labels.
    stratum: Vec<usize>,
    strata_labels: Vec<String>,
    covariates: Vec<Covariate>,
    /// Per subgroup variable: its levels and each subject's level.
    subgroups: Vec<(String, Vec<String>, Vec<usize>)>,
}

/// The columns the analysis reads.
struct Columns {
    arm: String,
    time: String,
    status: Status,
    param: Option<String>,
    subject: Option<String>,
    unit: Option<String>,
}

/// The unit of the file's time column and where it came from: `given` (`--data-unit`), else
/// the single value of the `unit_column` (ADaM `AVALU`) over `rows`, else days when the time
/// column is ADaM `AVAL` of a time-to-event file (`adam`), else `fallback` (the reporting unit:
/// no conversion).
pub(crate) fn data_unit_of(file: &CsvFile, t: &crate::ingest::reader::Table, rows: &[usize], time: &str, unit_column: Option<&str>, adam: bool, given: Option<TimeUnit>, fallback: Option<TimeUnit>) -> Result<(Option<TimeUnit>, String)> {
    if let Some(u) = given {
        return Ok((Some(u), "as given".into()));
    }
    if let Some(c) = unit_column {
        let values = crate::ingest::table::distinct_in(t, rows.iter().copied(), c)?;
        return match values.as_slice() {
            [one] => Ok((Some(TimeUnit::parse(c, one).map_err(|_| Error::Data { file: file.name.clone(), line: 0, column: c.to_string(), value: one.clone(), message: "not a time unit (days, weeks, months, years); set the unit with --data-unit".into() })?), format!("from {c}"))),
            _ => Err(Error::Data { file: file.name.clone(), line: 0, column: c.to_string(), value: values.join(", "), message: "the rows analysed have several time units; keep one with --where, or convert the times".into() }),
        };
    }
    if time == "AVAL" && adam {
        return Ok((Some(TimeUnit::Days), "days, the ADaM convention for AVAL of a time-to-event parameter (no AVALU column; set --data-unit if not)".into()));
    }
    Ok((fallback, "as --time-unit".into()))
}

fn pick_columns(file: &CsvFile, overrides: &crate::ingest::layout::Overrides, spec: &SurvivalSpec) -> Result<Columns> {
    use crate::ingest::layout::{require_column, roles};
    let r = roles(&file.name, &file.columns, overrides)?;
    // Time to event is analysed by randomised (planned) treatment: TRT01P, TRTP or ARM before
    // the actual-treatment columns, unless --arm names one.
    let planned = ["TRT01P", "TRTP", "ARM"].iter().find(|c| file.columns.iter().any(|x| x == *c)).map(|c| c.to_string());
    let arm = match overrides.arm.clone().or(planned).or(r.arm) {
        Some(a) => a,
        None => return Err(Error::File { file: file.name.clone(), message: format!("no arm column recognised (TRTP, TRTA, TRT01P, ARM, ...); name it with --arm; columns present: {}", file.columns.join(", ")) }),
    };
    let time = require_column(&file.name, "--time", spec.time.as_deref().unwrap_or("AVAL"), &file.columns)?;
    let status = match spec.status.clone().unwrap_or(Status::Censor("CNSR".into())) {
        Status::Event(c) => Status::Event(require_column(&file.name, "--event", &c, &file.columns)?),
        Status::Censor(c) => Status::Censor(require_column(&file.name, "--censor", &c, &file.columns)?),
    };
    let param = r.param.filter(|p| p == "PARAMCD" || overrides.param.is_some());
    let unit = file.columns.iter().find(|c| *c == "AVALU" && time == "AVAL").cloned();
    Ok(Columns { arm, time, status, param, subject: r.subject, unit })
}

/// The rows of the chosen parameter (all rows when the file has no parameter column).
fn param_rows(file: &CsvFile, t: &crate::ingest::reader::Table, cols: &Columns, spec: &SurvivalSpec) -> Result<(Vec<usize>, Option<String>)> {
    let Some(p) = &cols.param else {
        if let Some(want) = &spec.paramcd {
            return Err(Error::File { file: file.name.clone(), message: format!("--paramcd {want}: the file has no PARAMCD column (name the parameter column with --param)") });
        }
        return Ok((file.select(t, &[])?, None));
    };
    let all = file.select(t, &[])?;
    let present = crate::ingest::table::distinct_in(t, all.iter().copied(), p)?;
    let chosen = match (&spec.paramcd, present.as_slice()) {
        (Some(w), _) if present.contains(w) => w.clone(),
        (Some(w), _) => return Err(Error::Data { file: file.name.clone(), line: 0, column: p.clone(), value: w.clone(), message: format!("no such parameter; present: {}", present.join(", ")) }),
        (None, [one]) => one.clone(),
        (None, _) => return Err(Error::Data { file: file.name.clone(), line: 0, column: p.clone(), value: present.join(", "), message: "several parameters; choose one with --paramcd (spec: paramcd)".into() }),
    };
    Ok((file.select(t, &[(p.as_str(), std::slice::from_ref(&chosen))])?, Some(chosen)))
}

/// A row's event status from its cell: `Some(true)` = event.
fn status_of(status: &Status, cell: &str) -> Option<bool> {
    let v = match cell.trim() {
        "0" | "0.0" => false,
        "1" | "1.0" => true,
        _ => return None,
    };
    Some(match status {
        Status::Event(_) => v,
        Status::Censor(_) => !v,
    })
}

/// Read the subjects: times converted by `factor`, every invalid value reported at once.
fn read_subjects(file: &CsvFile, t: &crate::ingest::reader::Table, rows: &[usize], cols: &Columns, arms: &Arms, factor: f64, spec: &SurvivalSpec) -> Result<Subjects> {
    let (arm_c, time_c) = (column(t, &cols.arm)?, numbers(t, &cols.time)?);
    let (Status::Event(sc) | Status::Censor(sc)) = &cols.status;
    let status_c = column(t, sc)?;
    let mut problems = Problems::new(&file.name);
    let mut s = Subjects { time: Vec::new(), event: Vec::new(), arm: Vec::new(), stratum: Vec::new(), strata_labels: Vec::new(), covariates: Vec::new(), subgroups: Vec::new() };
    // The rows behind the subjects, for strata, covariates and subgroups only.
    let need_rows = !(spec.strata.is_empty() && spec.covariates.is_empty() && spec.subgroups.is_empty());
    let mut used = Vec::new();
    s.time.reserve(rows.len());
    s.event.reserve(rows.len());
    s.arm.reserve(rows.len());
    // By the column's codes (equal codes = equal texts): each arm label's position once.
    let arm_of: Vec<Option<usize>> = (0..arm_c.distinct() as u32).map(|c| if c == 0 { None } else { arms.position(arm_c.entry(c)) }).collect();
    for &r in rows {
        let Some(k) = arm_of[arm_c.code(r) as usize] else { continue };
        let line = t.line(r);
        let time = problems.number(t, &time_c, &cols.time, r);
        match time {
            None if time_c.get(r).0 == crate::ingest::reader::Num::Missing => problems.push(line, &cols.time, "", "missing time; every subject needs a time (drop the row with --where if it should not be analysed)"),
            Some(x) if x < 0.0 => problems.push(line, &cols.time, &crate::fmt::trim_num(x, 12), "negative time; times are measured from randomisation (or first dose) and must be ≥ 0"),
            _ => {}
        }
        let st = status_c.text(r);
        let ev = st.and_then(|c| status_of(&cols.status, c));
        if ev.is_none() {
            let expected = match &cols.status {
                Status::Event(_) => "not an event flag: 1 = event, 0 = censored",
                Status::Censor(_) => "not a censoring flag: 1 = censored, 0 = event (ADaM CNSR)",
            };
            problems.push(line, sc, st.unwrap_or_default(), expected);
        }
        if let (Some(x), Some(e)) = (time.filter(|x| *x >= 0.0), ev) {
            s.time.push(x * factor);
            s.event.push(e);
            s.arm.push(arms.shown_index(k));
            if need_rows {
                used.push(r);
            }
        }
    }
    problems.finish()?;
    if let Some(subject) = &cols.subject {
        unique_subjects(file, t, rows, &|r| arm_of[arm_c.code(r) as usize].is_some(), subject)?;
    }
    let (stratum, strata_labels) = if spec.strata.is_empty() { (Vec::new(), vec!["all".to_string()]) } else { combined_levels(file, t, &used, &spec.strata)? };
    s.stratum = stratum;
    s.strata_labels = strata_labels;
    for c in &spec.covariates {
        s.covariates.push(covariate(file, t, &used, c)?);
    }
    for c in &spec.subgroups {
        let (codes, levels) = combined_levels(file, t, &used, std::slice::from_ref(c))?;
        s.subgroups.push((c.clone(), levels, codes));
    }
    Ok(s)
}

/// Every subject (of the rows analysed: `rows` where `analysed`) on one row, or an error naming
/// each repeat's line and the line it was first seen on. The subject column is read as keys
/// ([`crate::ingest::reader::cell_key`]): their sort finds any repeat without a dictionary of
/// the IDs; only when two keys are equal is the column read as text, to name the rows (and to
/// rule out two IDs sharing a key).
fn unique_subjects(file: &CsvFile, t: &crate::ingest::reader::Table, rows: &[usize], analysed: &dyn Fn(usize) -> bool, subject: &str) -> Result<()> {
    if let Some(keys) = t.keys(subject) {
        let mut mine: Vec<u64> = rows.iter().filter(|&&r| analysed(r)).map(|&r| keys[r]).filter(|&k| k != 0).collect();
        mine.sort_unstable();
        if mine.windows(2).all(|w| w[0] != w[1]) {
            return Ok(());
        }
    }
    let reloaded;
    let t = if t.has(subject) {
        t
    } else {
        reloaded = file.load_typed(&[subject], &[])?;
        &*reloaded
    };
    let sc = column(t, subject)?;
    let mut seen: Vec<u64> = vec![0; sc.distinct()];
    let mut problems = Problems::new(&file.name);
    for &r in rows.iter().filter(|&&r| analysed(r)) {
        let code = sc.code(r) as usize;
        if code == 0 {
            continue;
        }
        if seen[code] != 0 {
            let message = format!("this subject is also on line {}: one row per subject is expected (choose one parameter with --paramcd, or filter with --where)", seen[code]);
            problems.push(t.line(r), subject, sc.entry(code as u32), message);
        } else {
            seen[code] = t.line(r);
        }
    }
    problems.finish()
}

/// Each row's level of the combination of `columns` (labels "A=x, B=y" sorted naturally);
/// a missing value is an error naming its line.
fn combined_levels(file: &CsvFile, t: &crate::ingest::reader::Table, rows: &[usize], columns: &[String]) -> Result<(Vec<usize>, Vec<String>)> {
    if columns.is_empty() {
        return Ok((vec![0; rows.len()], vec!["all".into()]));
    }
    let cols: Vec<&crate::ingest::reader::Column> = columns.iter().map(|c| column(t, c)).collect::<Result<_>>()?;
    let mut problems = Problems::new(&file.name);
    let mut labels = Vec::with_capacity(rows.len());
    for &r in rows {
        let mut parts = Vec::new();
        for (c, name) in cols.iter().zip(columns) {
            match c.text(r) {
                Some(v) => parts.push(if columns.len() == 1 { v.to_string() } else { format!("{name}={v}") }),
                None => problems.push(t.line(r), name, "", "missing value of a stratification, covariate or subgroup variable (leave the row out with --where)"),
            }
        }
        labels.push(parts.join(", "));
    }
    problems.finish()?;
    let mut levels: Vec<String> = labels.clone();
    natural_sort(&mut levels);
    levels.dedup();
    let codes = labels.iter().map(|l| levels.iter().position(|x| x == l).unwrap_or(0)).collect();
    Ok((codes, levels))
}

/// A covariate column: numeric when every value is a number, else a factor.
fn covariate(file: &CsvFile, t: &crate::ingest::reader::Table, rows: &[usize], name: &str) -> Result<Covariate> {
    let c = column(t, name)?;
    let numeric: Option<Vec<f64>> = rows
        .iter()
        .map(|&r| match c.number(r) {
            crate::ingest::reader::Num::Value(x) => Some(x),
            _ => None,
        })
        .collect();
    if let Some(values) = numeric {
        return Ok(Covariate::Numeric { name: name.to_string(), values });
    }
    let (codes, levels) = combined_levels(file, t, rows, &[name.to_string()])?;
    if levels.len() < 2 {
        return Err(Error::Data { file: file.name.clone(), line: 0, column: name.into(), value: levels.join(", "), message: "a covariate with one value cannot be estimated; leave it out".into() });
    }
    Ok(Covariate::Factor { name: name.to_string(), levels, codes })
}

/// The Kaplan–Meier CI type from its name (`what` names the flag or key in the error).
pub fn parse_conf_type(what: &str, s: &str) -> Result<KmCi> {
    match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "log" => Ok(KmCi::Log),
        "log-log" | "loglog" => Ok(KmCi::LogLog),
        "plain" => Ok(KmCi::Plain),
        _ => Err(Error::invalid(what, format!("'{s}'"), "log, log-log or plain")),
    }
}

/// The Cox model's handling of ties from its name.
pub fn parse_ties(what: &str, s: &str) -> Result<Ties> {
    match s.trim().to_ascii_lowercase().as_str() {
        "efron" => Ok(Ties::Efron),
        "breslow" => Ok(Ties::Breslow),
        _ => Err(Error::invalid(what, format!("'{s}'"), "efron or breslow")),
    }
}

/// Nice spacing of the numbers-at-risk times (and of a plot's time axis): 1, 2, 2.5 or 5 × 10^k
/// giving at most 8 intervals up to `max`.
pub fn risk_step(max: f64) -> f64 {
    if !(max > 0.0) {
        return 1.0;
    }
    let raw = max / 8.0;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag)
}

/// The numbers-at-risk table of a curve: at each tick lo = 0, Δ, 2Δ, …, the subjects at risk
/// (those of the first curve time ≥ lo) and the events and censorings at curve times in
/// [lo, lo + Δ).
fn risk_table(steps: &[KmStep], step: f64, max: f64) -> Vec<RiskRow> {
    // Up to the first tick at or after the last time, so the axis ends on a tick.
    let ticks = (max / step).ceil() as usize;
    (0..=ticks)
        .map(|j| {
            let (lo, hi) = (j as f64 * step, (j + 1) as f64 * step);
            let n_risk = steps.iter().find(|s| s.time >= lo).map_or(0, |s| s.n_risk);
            let inside = steps.iter().filter(|s| s.time >= lo && s.time < hi);
            let (events, censored) = inside.fold((0, 0), |(e, c), s| (e + s.n_event, c + s.n_censor));
            RiskRow { time: lo, n_risk, events, censored }
        })
        .collect()
}

fn ci_method(ci: KmCi) -> Method {
    match ci {
        KmCi::Log => Method::Log,
        KmCi::LogLog => Method::LogLog,
        KmCi::Plain => Method::Plain,
    }
}

/// Per-arm estimates: quartiles, landmarks, RMST.
fn arm_estimates(label: &str, km: &KaplanMeier, spec: &SurvivalSpec, tau: f64) -> Result<Vec<Estimate>> {
    let method = ci_method(spec.conf_type);
    let mut out = Vec::new();
    for q in km.quantiles(&[0.25, 0.5, 0.75])? {
        let mut e = Estimate::new(Measure::SurvivalQuantile, method).with_group(label).with_at(q.p).with_n(km.n);
        e.events = Some(km.events);
        if let Some(x) = q.estimate {
            e = e.with_estimate(x);
        }
        match (q.lower, q.upper) {
            (Some(l), Some(u)) => e = e.with_ci(l, u, spec.level),
            (Some(l), None) => e = e.with_ci(l, f64::INFINITY, spec.level).with_note("upper confidence limit not reached"),
            _ => {}
        }
        if q.estimate.is_none() {
            e = e.with_note(format!("not reached: survival stays above {}", 1.0 - q.p));
        }
        out.push(e);
    }
    for &t in &spec.landmarks {
        let mut e = Estimate::new(Measure::SurvivalAt, method).with_group(label).with_at(t).with_n(km.n);
        match km.landmark(t) {
            Some(l) => {
                e = e.with_estimate(l.surv).with_se(l.se).with_count(l.n_risk);
                if let (Some(lo), Some(up)) = (l.lower, l.upper) {
                    e = e.with_ci(lo, up, spec.level);
                }
            }
            None => e = e.with_note("after the arm's last follow-up time: not estimable"),
        }
        out.push(e);
    }
    let r = km.rmst(tau)?;
    let z = z_for_level(spec.level);
    out.push(Estimate::new(Measure::Rmst, Method::Normal).with_group(label).with_at(tau).with_n(km.n).with_estimate(r.estimate).with_se(r.se).with_ci(r.estimate - z * r.se, r.estimate + z * r.se, spec.level));
    Ok(out)
}

/// RMST difference and ratio of arm `t` against the control (survRM2's `rmst2`).
fn rmst_comparison(label: &str, t: &crate::stats::survival::Rmst, c: &crate::stats::survival::Rmst, level: f64) -> Vec<Estimate> {
    let z = z_for_level(level);
    let d = t.estimate - c.estimate;
    let se_d = (t.se * t.se + c.se * c.se).sqrt();
    let mut diff = Estimate::new(Measure::RmstDifference, Method::Normal).with_group(label).with_at(t.tau).with_estimate(d).with_se(se_d).with_ci(d - z * se_d, d + z * se_d, level);
    // Both curves flat to τ (no events before it): no variability, no test.
    if se_d > 0.0 {
        diff = diff.with_p(two_sided_z_p(d / se_d));
    } else {
        diff = diff.with_note("standard error 0 (no events before τ in either arm): no test");
    }
    let lr = (t.estimate / c.estimate).ln();
    let se_r = ((t.se / t.estimate).powi(2) + (c.se / c.estimate).powi(2)).sqrt();
    let mut ratio = Estimate::new(Measure::RmstRatio, Method::Normal).with_group(label).with_at(t.tau).with_estimate(lr.exp()).with_se_log(se_r).with_ci((lr - z * se_r).exp(), (lr + z * se_r).exp(), level);
    if se_r > 0.0 {
        ratio = ratio.with_p(two_sided_z_p(lr / se_r));
    }
    vec![diff, ratio]
}

/// The Cox model of the arms (and covariates) on the subjects `keep`; with `zph_terms` (the
/// design columns of each term) also its proportional-hazards tests.
fn cox_of(s: &Subjects, keep: &[usize], arms: usize, extra: &[(String, Vec<f64>)], spec: &SurvivalSpec, zph_terms: Option<&[Vec<usize>]>) -> Result<(CoxFit, Vec<String>, Option<Zph>)> {
    let names: Vec<String> = (1..arms).map(|a| format!("arm {a}")).chain(extra.iter().map(|(n, _)| n.clone())).collect();
    // The design read from the subjects (arm dummies from the arm index; `extra` columns hold
    // one value per kept subject): no copy but the model's own.
    let all = keep.len() == s.time.len();
    let idx = |i: usize| if all { i } else { keep[i] };
    let dummies = arms - 1;
    let time = |i: usize| s.time[idx(i)];
    let event = |i: usize| s.event[idx(i)];
    let stratum = |i: usize| s.stratum[idx(i)];
    let x = |i: usize, j: usize| if j < dummies { f64::from(u8::from(s.arm[idx(i)] == j + 1)) } else { extra[j - dummies].1[i] };
    let model = CoxModel::from_accessors(keep.len(), names.len(), time, event, (s.strata_labels.len() > 1).then_some(stratum), x)?;
    let fit = model.fit(&CoxOptions::new(spec.ties, spec.level))?;
    let zph = match zph_terms {
        Some(terms) if !fit.terms.iter().any(|t| t.infinite) => Some(model.zph(&fit, terms)?),
        _ => None,
    };
    Ok((fit, names, zph))
}

fn ties_method(t: Ties) -> Method {
    match t {
        Ties::Efron => Method::Efron,
        Ties::Breslow => Method::Breslow,
    }
}

/// One hazard ratio of a fit as an estimate.
fn hazard_ratio(fit: &CoxFit, j: usize, label: &str) -> Estimate {
    let t = &fit.terms[j];
    let mut e = Estimate::new(Measure::HazardRatio, ties_method(fit.ties)).with_group(label).with_estimate(t.hazard_ratio).with_se_log(t.se).with_n(fit.n);
    e.events = Some(fit.events);
    match (t.lower, t.upper, t.z, t.p_value) {
        (Some(l), Some(u), Some(z), Some(p)) => {
            e = e.with_ci(l, u, fit.level);
            e.statistic = Some(z);
            e.p_value = Some(p);
        }
        _ => {
            e = e.with_note("monotone likelihood: the estimate is infinite (a group without events, or with all of them); no Wald CI or p-value (R warns \"Loglik converged before variable; coefficient may be infinite\"); the log-rank and likelihood-ratio tests remain valid");
        }
    }
    e
}

/// The model's global tests.
fn cox_tests(fit: &CoxFit) -> Vec<Estimate> {
    let mut out = vec![Estimate::new(Measure::CoxTest, Method::LikelihoodRatio).with_test(fit.likelihood_ratio.chisq, Some(fit.likelihood_ratio.df as f64), fit.likelihood_ratio.p_value)];
    if let Some(w) = &fit.wald {
        out.push(Estimate::new(Measure::CoxTest, Method::Wald).with_test(w.chisq, Some(w.df as f64), w.p_value));
    }
    out.push(Estimate::new(Measure::CoxTest, Method::Score).with_test(fit.score.chisq, Some(fit.score.df as f64), fit.score.p_value));
    for e in &mut out {
        e.n = Some(fit.n);
        e.events = Some(fit.events);
    }
    out
}

/// Hazard ratios within each level of a subgroup variable, and the likelihood-ratio test of
/// the arm-by-subgroup interaction (model arm + subgroup + arm:subgroup against arm + subgroup).
fn subgroup_estimates(s: &Subjects, shown: &[String], spec: &SurvivalSpec, notes: &mut Vec<String>) -> Result<Vec<Estimate>> {
    let mut out = Vec::new();
    let all: Vec<usize> = (0..s.time.len()).collect();
    for (name, levels, codes) in &s.subgroups {
        for (l, level) in levels.iter().enumerate() {
            let keep: Vec<usize> = all.iter().copied().filter(|&i| codes[i] == l).collect();
            let sub = Subset { subgroup: Some(format!("{name} = {level}")), ..Default::default() };
            let arms_present = (0..shown.len()).filter(|a| keep.iter().any(|&i| s.arm[i] == *a)).count();
            if arms_present < shown.len() || !keep.iter().any(|&i| s.event[i]) {
                notes.push(format!("Subgroup {name} = {level}: not every arm has subjects, or no events; no hazard ratio."));
                continue;
            }
            let (fit, _, _) = cox_of(s, &keep, shown.len(), &[], spec, None)?;
            for a in 1..shown.len() {
                out.push(hazard_ratio(&fit, a - 1, &format!("{} vs {}", shown[a], shown[0])).with_subset(&sub));
            }
        }
        // Interaction: main effects model vs the one with arm × subgroup columns.
        let k = shown.len();
        let main: Vec<(String, Vec<f64>)> = (1..levels.len()).map(|l| (format!("{name} {l}"), codes.iter().map(|&c| f64::from(u8::from(c == l))).collect())).collect();
        let mut full = main.clone();
        for a in 1..k {
            for l in 1..levels.len() {
                full.push((format!("arm {a} x {name} {l}"), all.iter().map(|&i| f64::from(u8::from(s.arm[i] == a && codes[i] == l))).collect()));
            }
        }
        if levels.len() > 1 {
            let (m0, _, _) = cox_of(s, &all, k, &main, spec, None)?;
            let (m1, _, _) = cox_of(s, &all, k, &full, spec, None)?;
            let df = (k - 1) * (levels.len() - 1);
            let chisq = 2.0 * (m1.loglik - m0.loglik);
            let sub = Subset { subgroup: Some(name.clone()), ..Default::default() };
            out.push(Estimate::new(Measure::Interaction, Method::LikelihoodRatio).with_subset(&sub).with_test(chisq.max(0.0), Some(df as f64), crate::stats::dist::pchisq_upper(chisq.max(0.0), df as f64)).with_n(m1.n));
        }
    }
    Ok(out)
}

/// Time-to-event analysis of `file`; see the module doc.
pub fn survival_file(file: &CsvFile, overrides: &crate::ingest::layout::Overrides, spec: &SurvivalSpec) -> Result<Report> {
    crate::data::check_level(spec.level)?;
    let cols = pick_columns(file, overrides, spec)?;
    let (Status::Event(sc) | Status::Censor(sc)) = &cols.status;
    let mut text: Vec<&str> = vec![cols.arm.as_str(), sc.as_str()];
    text.extend(cols.param.as_deref());
    text.extend(cols.unit.as_deref());
    for c in spec.strata.iter().chain(&spec.covariates).chain(&spec.subgroups) {
        text.push(crate::ingest::layout::require_column(&file.name, "--strata/--covariates/--subgroups", c, &file.columns).map(|_| c.as_str())?);
    }
    let keys: Vec<&str> = cols.subject.iter().map(String::as_str).collect();
    let t = file.load_keyed(&text, &[&cols.time], &keys)?;
    let (rows, paramcd) = param_rows(file, &t, &cols, spec)?;
    let counts = crate::ingest::table::value_counts_in(&t, rows.iter().copied(), &cols.arm)?;
    let arms = match counts.as_slice() {
        // One arm: Kaplan–Meier and RMST only (unless the user named arms that are not there).
        [(only, _)] if spec.arms.treatment.is_empty() && spec.arms.control.as_ref().is_none_or(|c| c == only) => Arms { control: only.clone(), treatments: Vec::new(), note: None, aliases: Vec::new() },
        _ => super::arms::resolve_counted(&file.name, &cols.arm, &counts, &spec.arms, file.filter.as_ref().map(|f| f.text.as_str()))?,
    };
    let shown: Vec<String> = std::iter::once(arms.control.clone()).chain(arms.treatments.iter().cloned()).collect();
    let (from, unit_source) = data_unit_of(file, &t, &rows, &cols.time, cols.unit.as_deref(), cols.param.is_some(), spec.data_unit, spec.time_unit)?;
    let to = spec.time_unit.or(from);
    let factor = match (from, to) {
        (Some(f), Some(t)) => f.factor_to(t),
        _ => 1.0,
    };
    let s = read_subjects(file, &t, &rows, &cols, &arms, factor, spec)?;
    analyse(file, &cols, &arms, &shown, &s, spec, (from, to, unit_source, factor), paramcd)
}

#[allow(clippy::too_many_arguments)]
fn analyse(file: &CsvFile, cols: &Columns, arms: &Arms, shown: &[String], s: &Subjects, spec: &SurvivalSpec, units: (Option<TimeUnit>, Option<TimeUnit>, String, f64), paramcd: Option<String>) -> Result<Report> {
    let (from, to, unit_source, factor) = units;
    let unit_name = to.map_or("time units", |u| u.name());
    let kms: Vec<KaplanMeier> = (0..shown.len())
        .map(|a| {
            let (time, event): (Vec<f64>, Vec<bool>) = s.time.iter().zip(&s.event).zip(&s.arm).filter(|(_, &k)| k == a).map(|((t, e), _)| (*t, *e)).unzip();
            if time.is_empty() {
                return Err(Error::Data { file: file.name.clone(), line: 0, column: cols.arm.clone(), value: shown[a].clone(), message: "no subject of this arm has a time and status".into() });
            }
            kaplan_meier(&time, &event, spec.conf_type, spec.level)
        })
        .collect::<Result<_>>()?;
    let max_follow: Vec<f64> = kms.iter().map(|k| k.steps.last().map_or(0.0, |s| s.time)).collect();
    let tau_default = max_follow.iter().copied().fold(f64::INFINITY, f64::min);
    let tau = spec.tau.unwrap_or(tau_default);
    if !(tau > 0.0 && tau.is_finite()) {
        return Err(Error::invalid("--tau", tau, "a time > 0"));
    }
    // Past an arm's last time its curve is known only if it has reached 0 (survRM2's rule):
    // otherwise the RMST would extrapolate it.
    let open = |a: usize| kms[a].steps.last().is_some_and(|s| s.surv > 0.0);
    if let Some(a) = (0..shown.len()).find(|&a| tau > max_follow[a] && open(a)) {
        return Err(Error::invalid(
            "--tau",
            tau,
            format!("at most the last follow-up time of every arm whose curve has not reached 0 ({} {unit_name} in {}); beyond it the RMST would extrapolate the curve", crate::fmt::sig(max_follow[a], 6), shown[a]),
        ));
    }
    let mut notes = Vec::new();
    let mut results = Vec::new();
    for (a, km) in kms.iter().enumerate() {
        results.extend(arm_estimates(&shown[a], km, spec, tau)?);
    }
    // Comparisons.
    let any_event = s.event.iter().any(|&e| e);
    if shown.len() > 1 && !any_event {
        notes.push("No events in any arm: no log-rank test or hazard ratio.".into());
        let rm_c = kms[0].rmst(tau)?;
        for a in 1..shown.len() {
            results.extend(rmst_comparison(&format!("{} vs {}", shown[a], shown[0]), &kms[a].rmst(tau)?, &rm_c, spec.level));
        }
    } else if shown.len() > 1 {
        let strata = (s.strata_labels.len() > 1).then_some(s.stratum.as_slice());
        let lr = log_rank(&s.time, &s.event, &s.arm, shown.len(), strata, spec.rho)?;
        let method = match spec.rho {
            r if r == 0.0 => Method::LogRank,
            r if r == 1.0 => Method::PetoPeto,
            _ => Method::FlemingHarrington,
        };
        let mut e = Estimate::new(Measure::LogRank, method).with_n(s.time.len() as u64);
        e.events = Some(s.event.iter().filter(|&&x| x).count() as u64);
        e.statistic = Some(lr.chisq);
        e.df = Some(lr.df as f64);
        e.p_value = lr.p_value;
        e = e.with_note(format!(
            "observed/expected events: {}",
            shown.iter().enumerate().map(|(k, a)| format!("{a} {}/{}", crate::fmt::sig(lr.observed[k], 6), crate::fmt::sig(lr.expected[k], 6))).collect::<Vec<_>>().join(", ")
        ));
        if spec.rho != 0.0 {
            e = e.with_note(format!("G-rho weights S(t-)^{} (Harrington-Fleming)", spec.rho));
        }
        results.push(e);
        let all: Vec<usize> = (0..s.time.len()).collect();
        // Terms: the arm (its dummies together), then each covariate (a factor's dummies).
        let mut extra: Vec<(String, Vec<f64>)> = Vec::new();
        let mut terms: Vec<Vec<usize>> = vec![(0..shown.len() - 1).collect()];
        let mut term_names = vec![cols.arm.clone()];
        for c in &s.covariates {
            let cs = c.columns(&all);
            let first = shown.len() - 1 + extra.len();
            terms.push((first..first + cs.len()).collect());
            term_names.push(c.name().to_string());
            extra.extend(cs);
        }
        let (fit, names, zph) = cox_of(s, &all, shown.len(), &extra, spec, Some(&terms))?;
        for a in 1..shown.len() {
            results.push(hazard_ratio(&fit, a - 1, &format!("{} vs {}", shown[a], shown[0])));
        }
        for j in (shown.len() - 1)..names.len() {
            results.push(hazard_ratio(&fit, j, &names[j]));
        }
        results.extend(cox_tests(&fit));
        match zph {
            Some(z) => {
                for (name, t) in term_names.iter().zip(&z.terms).chain(std::iter::once((&"global".to_string(), &z.global))) {
                    let mut e = Estimate::new(Measure::ProportionalHazards, Method::GrambschTherneau).with_group(name.as_str()).with_test(t.chisq, Some(t.df as f64), t.p_value);
                    e.n = Some(fit.n);
                    results.push(e);
                }
            }
            None => notes.push("No proportional-hazards test: a coefficient is infinite (monotone likelihood).".into()),
        }
        let rm_c = kms[0].rmst(tau)?;
        for a in 1..shown.len() {
            results.extend(rmst_comparison(&format!("{} vs {}", shown[a], shown[0]), &kms[a].rmst(tau)?, &rm_c, spec.level));
        }
        results.extend(subgroup_estimates(s, shown, spec, &mut notes)?);
    } else {
        notes.push("One arm: Kaplan–Meier and RMST only (nothing to compare).".into());
    }
    // Notes.
    if let Some(n) = &arms.note {
        notes.push(n.clone());
    }
    if let Some(f) = &file.filter {
        notes.push(format!("Rows kept: {}.", f.text));
    }
    if let Some(p) = &paramcd {
        notes.push(format!("Parameter: {p}."));
    }
    notes.push(format!("Arms: column {}{}.", cols.arm, if ["TRT01P", "TRTP", "ARM"].contains(&cols.arm.as_str()) { " (randomised treatment)" } else { "" }));
    let (Status::Event(sc) | Status::Censor(sc)) = &cols.status;
    notes.push(format!(
        "Time: {} in {}{}; {}.",
        cols.time,
        from.map_or("unstated units".to_string(), |u| format!("{} ({unit_source})", u.name())),
        if factor != 1.0 { format!(", reported in {unit_name} (× {})", crate::fmt::sig(factor, 6)) } else { String::new() },
        match &cols.status {
            Status::Event(_) => format!("events where {sc} = 1"),
            Status::Censor(_) => format!("events where {sc} = 0 (1 = censored)"),
        }
    ));
    notes.push(format!(
        "Kaplan–Meier with Greenwood standard errors; pointwise CIs on the {} scale (R's survfit conf.type = \"{}\"); quantile CIs as R's quantile.survfit.",
        spec.conf_type.name(),
        spec.conf_type.name()
    ));
    notes.push(format!(
        "RMST to τ = {} {unit_name}{}; SE as R's print(survfit, rmean = τ); difference and ratio as survRM2's rmst2.",
        crate::fmt::sig(tau, 6),
        if spec.tau.is_none() { " (default: the smallest of the arms' last follow-up times)" } else { "" }
    ));
    if shown.len() > 1 {
        notes.push(format!(
            "Cox proportional hazards, {} ties, Wald CIs{}{}; {} the reference.",
            spec.ties.name(),
            if spec.strata.is_empty() { String::new() } else { format!(", stratified by {}", spec.strata.join(", ")) },
            if spec.covariates.is_empty() { String::new() } else { format!(", adjusted for {}", spec.covariates.join(", ")) },
            shown[0]
        ));
    }
    let step = risk_step(max_follow.iter().copied().fold(0.0, f64::max));
    let curves: Vec<SurvivalCurve> = kms
        .iter()
        .enumerate()
        .map(|(a, km)| SurvivalCurve {
            group: shown[a].clone(),
            ci: km.ci,
            level: km.level,
            steps: km.steps.clone(),
            risk_table: risk_table(&km.steps, step, max_follow.iter().copied().fold(0.0, f64::max)),
        })
        .collect();
    let inputs = serde_json::json!({
        "file": file.name,
        "where": file.filter.as_ref().map(|f| f.text.clone()),
        "parameter": paramcd,
        "arm_column": cols.arm,
        "arms": {"control": arms.control, "treatment": arms.treatments},
        "time_column": cols.time,
        "status": match &cols.status { Status::Event(c) => serde_json::json!({"event": c}), Status::Censor(c) => serde_json::json!({"censor": c}) },
        "data_unit": from.map(|u| u.name()),
        "time_unit": to.map(|u| u.name()),
        "conf_type": spec.conf_type.name(),
        "level": spec.level,
        "landmarks": spec.landmarks,
        "tau": tau,
        "ties": spec.ties.name(),
        "rho": spec.rho,
        "strata": spec.strata,
        "covariates": spec.covariates,
        "subgroups": spec.subgroups,
        "groups": shown.iter().zip(&kms).map(|(a, k)| (a.clone(), serde_json::json!({"n": k.n, "events": k.events}))).collect::<serde_json::Map<_, _>>(),
    });
    let layout = super::Layout {
        title: format!("{}{} ({})", file.name, paramcd.as_ref().map(|p| format!(": {p}")).unwrap_or_default(), shown.iter().zip(&kms).map(|(a, k)| format!("{a} {}/{} events", k.events, k.n)).collect::<Vec<_>>().join(", ")),
        comparison: if shown.len() > 2 { format!("Each arm vs {}", shown[0]) } else { String::new() },
        groups: shown.iter().zip(&kms).map(|(a, k)| super::GroupRow { label: a.clone(), count: k.events.to_string(), denominator: k.n.to_string() }).collect(),
        denominator_name: "n".into(),
        time_unit: to.map(|u| u.name().to_string()),
        ..Default::default()
    };
    // Every subject of an arm has a time and a status (a missing one is an error), so each arm
    // is analysed whole; shown is control first.
    let flow = shown.iter().zip(&kms).map(|(a, k)| super::FlowRow { group: a.clone(), subset: Default::default(), in_file: k.n as u64, analysed: k.n as u64, excluded: Vec::new(), imputed: Vec::new() }).collect();
    Ok(Report { results, notes, curves, flow, ..Report::new("survival", inputs, layout) })
}
