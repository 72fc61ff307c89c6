//! Responder analysis: a responder is defined by a flag column, or by a change from baseline
//! reaching a threshold (a relative reduction such as "≥ 40% VAS reduction", an absolute one
//! such as "ADAS-Cog improved by ≥ 4 points", or an increase); the responder rates of the arms
//! are then compared exactly as `compare` does (rates with CIs, RR, OR, RD, NNT, Fisher, χ²),
//! each arm against the control.
//!
//! Baseline and follow-up come from any layout (see [`crate::ingest::subjects`]): two columns of
//! a wide file, or the value at visits of a long/BDS file (several follow-up visits combined by
//! their sum or mean: the epilepsy trial's 8-week seizure count).
//!
//! A value exactly on the threshold is a responder ("≥"): the comparison allows a relative
//! 1e-12 for binary rounding, so that 35 % of 10.75 counts as written.
//!
//! Missing data: a subject whose flag (or baseline or follow-up) is missing is either left out
//! (complete cases, the default) or counted as a non-responder (`--missing nonresponder`); the
//! report says how many subjects of each arm each policy excluded or imputed.
//!
//! `--by-responder X` then summarises another variable by responder status within each arm: a
//! column (wide files) or a parameter at the same baseline and follow-up visits (long files:
//! baseline, follow-up, change and percent change).

use super::arms::{ArmChoice, Arms};
use super::counts::{compare, CountOptions};
use super::{Report, SummaryRow};
use crate::data::{BinomialCount, TwoByTwo};
use crate::error::{Error, Result};
use crate::ingest::subjects::{subject_pairs, PairQuery, SubjectPairs, ValueSource};
use crate::ingest::table::CsvFile;
use crate::stats::descriptive::summarize_with;
use crate::stats::Subset;

/// A change threshold: relative to |baseline| (0.40 for 40 %) or absolute (in the outcome's units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    Relative(f64),
    Absolute(f64),
}

/// How a responder is recognised.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponderRule {
    /// A flag column: responder when the cell equals `value`, or, with no value given, is one of
    /// 1, Y, YES, TRUE (non-responder: 0, N, NO, FALSE; any other text is an error).
    Flag { column: String, value: Option<String> },
    /// A change from baseline reaching `threshold`: a decrease (baseline − follow-up ≥ t, or
    /// (baseline − follow-up)/|baseline| ≥ t) or, with `increase`, an increase. A relative
    /// threshold with a baseline of 0 is an error naming its line.
    Change { threshold: Threshold, increase: bool },
}

/// What to do with subjects whose responder status is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingPolicy {
    CompleteCase,
    NonResponder,
}

/// A `trialstat responders` request.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponderSpec {
    pub arms: ArmChoice,
    pub rule: ResponderRule,
    /// Baseline and follow-up sources (for [`ResponderRule::Change`]).
    pub baseline: Option<ValueSource>,
    pub followup: Option<ValueSource>,
    /// Parameter of a long file with a parameter column.
    pub param: Option<String>,
    pub missing: MissingPolicy,
    /// Stratify by this (subject-level) column.
    pub strata: Option<String>,
    /// Summarise this column or parameter by responder status.
    pub by_responder: Option<String>,
    /// Hyndman–Fan type (1–9, R's `quantile(type = )`) of the quartiles in those summaries.
    pub quantile_type: u8,
}

/// Parse a responder threshold: `40%` (relative to |baseline|) or `4` (absolute), above 0; a
/// relative reduction is at most 100 %. `what` names the option in errors.
pub fn parse_threshold(what: &str, s: &str, reduction: bool) -> Result<Threshold> {
    let t = s.trim();
    let bad = || Error::invalid(what, format!("'{s}'"), "a percentage such as 40% (relative to baseline) or a positive amount such as 4 (absolute)");
    match t.strip_suffix('%') {
        Some(p) => {
            let v: f64 = p.trim().parse().map_err(|_| bad())?;
            if !(v.is_finite() && v > 0.0) || (reduction && v > 100.0) {
                return Err(Error::invalid(what, format!("'{s}'"), if reduction { "a percentage above 0 and at most 100, such as 40%" } else { "a percentage above 0, such as 50%" }));
            }
            Ok(Threshold::Relative(v / 100.0))
        }
        None => {
            let v: f64 = t.parse().map_err(|_| bad())?;
            if !(v.is_finite() && v > 0.0) {
                return Err(bad());
            }
            Ok(Threshold::Absolute(v))
        }
    }
}

/// Is the change from `b` to `f` a response? `None` for a relative threshold at baseline 0.
pub fn is_response(b: f64, f: f64, threshold: Threshold, increase: bool) -> Option<bool> {
    let delta = if increase { f - b } else { b - f };
    match threshold {
        Threshold::Absolute(t) => Some(delta >= t - 1e-12 * t.abs().max(b.abs()).max(f.abs())),
        Threshold::Relative(t) => {
            if b == 0.0 {
                None
            } else {
                let need = t * b.abs();
                Some(delta >= need - 1e-12 * need.abs().max(b.abs()))
            }
        }
    }
}

/// Responder rates of every arm of `spec.arms` against the control; see the module doc.
pub fn responders_file(file: &CsvFile, overrides: &crate::ingest::layout::Overrides, spec: &ResponderSpec, opts: &CountOptions) -> Result<Report> {
    use crate::ingest::layout::{detect, require_column};
    let d = detect(&file.name, &file.columns, overrides)?;
    let roles = &d.roles;
    let arm = d.arm_column(&file.name, &file.columns, "arm")?;
    let source_column = |s: &Option<ValueSource>| match s {
        Some(ValueSource::Column(c)) => Some(c.clone()),
        _ => None,
    };
    let flag = match &spec.rule {
        ResponderRule::Flag { column, .. } => Some(column.clone()),
        _ => None,
    };
    let text = [flag, spec.strata.clone(), spec.by_responder.clone()];
    let numbers = [source_column(&spec.baseline), source_column(&spec.followup), spec.by_responder.clone()];
    file.preload(roles, text.iter().flatten().map(String::as_str), numbers.iter().flatten().map(String::as_str))?;
    let arms = super::arms::resolve_in_file(file, &arm, &spec.arms)?;
    let need = |flag: &str, name: &str| require_column(&file.name, flag, name, &file.columns);
    let mut q = PairQuery { arm: arm.clone(), subject: roles.subject.clone(), ..Default::default() };
    let long = matches!(spec.baseline, Some(ValueSource::Visits { .. })) || matches!(spec.followup, Some(ValueSource::Visits { .. }));
    if long {
        q.visit = roles.visit.clone();
        q.value = roles.value.clone();
        q.param_column = roles.param.clone();
        q.param = spec.param.clone();
        if let (Some(pc), None) = (&roles.param, &spec.param) {
            let present = crate::ingest::table::distinct(file, pc)?;
            if present.len() > 1 {
                return Err(Error::invalid("--paramcd", "not given", format!("the parameter to analyse: a value of column '{pc}' in {}: {}", file.name, present.join(", "))));
            }
        }
    }
    if let ResponderRule::Flag { column, .. } = &spec.rule {
        q.text.push(need("--flag", column)?);
    } else {
        q.baseline = spec.baseline.clone();
        q.followup = spec.followup.clone();
    }
    let strata_col = spec.strata.as_ref().map(|s| need("--strata", s)).transpose()?;
    if let Some(s) = &strata_col {
        q.text.push(s.clone());
    }
    // --by-responder: a parameter of a long file with a parameter column, else a column.
    let by_column = match &spec.by_responder {
        Some(b) => {
            let params = match (&roles.param, long) {
                (Some(pc), true) => crate::ingest::table::distinct(file, pc)?,
                _ => Vec::new(),
            };
            if !params.is_empty() && !params.contains(b) && !file.columns.contains(b) {
                let all = params.iter().chain(file.columns.iter()).map(String::as_str);
                let hint = crate::ingest::closest(b, all).map(|c| format!(" (did you mean '{c}'?)")).unwrap_or_default();
                return Err(Error::invalid("--by-responder", format!("'{b}'"), format!("a parameter ({}) or a column of {}{hint}", params.join(", "), file.name)));
            }
            if params.contains(b) {
                None
            } else {
                let c = need("--by-responder", b)?;
                q.numeric.push(c.clone());
                Some(c)
            }
        }
        None => None,
    };
    let pairs = subject_pairs(file, &q)?;
    let status = statuses(file, &pairs, spec)?;
    let strata = strata_col.as_ref().map(|_| q.text.len() - 1);
    let names = [&spec.baseline, &spec.followup].map(|v| v.as_ref().map(|v| v.describe(q.value.as_deref(), q.visit.as_deref())).unwrap_or_default());
    let mut report = rates_report(file, &arm, &arms, &pairs, &status, spec, &names, strata.map(|k| (strata_col.as_deref().unwrap_or_default(), k)), opts)?;
    if let Some(b) = &spec.by_responder {
        let rows = match &by_column {
            Some(c) => by_status_column(&pairs, &status, &arms, c, pairs.numeric.len() - 1, spec.quantile_type)?,
            None => by_status_param(file, &q, &pairs, &status, &arms, b, spec.quantile_type)?,
        };
        report.summaries = rows;
        report.notes.push(format!("Summaries of {b} by responder status within each arm (subjects with a responder status)."));
    }
    Ok(report)
}

/// Responder status per subject (`None` = missing).
fn statuses(file: &CsvFile, pairs: &SubjectPairs, spec: &ResponderSpec) -> Result<Vec<Option<bool>>> {
    let mut out = Vec::with_capacity(pairs.len());
    for s in 0..pairs.len() {
        out.push(match &spec.rule {
            ResponderRule::Flag { column, value } => match pairs.text[0].get(s) {
                None => None,
                Some(cell) => Some(flag_value(cell, value.as_deref()).ok_or_else(|| Error::Data {
                    file: file.name.clone(),
                    line: pairs.line[s],
                    column: column.clone(),
                    value: cell.to_string(),
                    message: "not a yes/no flag (1/0, Y/N, YES/NO, TRUE/FALSE); name the responder value with --flag-value".into(),
                })?),
            },
            ResponderRule::Change { threshold, increase } => match (pairs.baseline_of(s), pairs.followup_of(s)) {
                (Some(b), Some(f)) => Some(is_response(b, f, *threshold, *increase).ok_or_else(|| Error::Data {
                    file: file.name.clone(),
                    line: pairs.line[s],
                    column: spec.baseline.as_ref().map(|b| b.describe(None, None)).unwrap_or_default(),
                    value: "0".into(),
                    message: format!("subject {}: baseline is 0, so the percent change is undefined; use an absolute threshold (e.g. --reduction 4) or exclude the subject with --where", &pairs.subject[s]),
                })?),
                _ => None,
            },
        });
    }
    Ok(out)
}

/// Per arm: [responders, subjects with a status (or counted as non-responders), missing].
type Tally = Vec<[u64; 3]>;

/// The [`Tally`] of every subject with an analysed arm, and the same per stratum of text column
/// `strata` of the subject records.
fn tally_status(pairs: &SubjectPairs, arms: &Arms, status: &[Option<bool>], missing: MissingPolicy, strata: Option<usize>) -> (Tally, std::collections::BTreeMap<String, Tally>) {
    let na = arms.all().len();
    let mut tally = vec![[0u64; 3]; na];
    let mut by_stratum: std::collections::BTreeMap<String, Tally> = std::collections::BTreeMap::new();
    for s in 0..pairs.len() {
        let Some(k) = pairs.arm.get(s).and_then(|a| arms.position(a)) else { continue };
        let add = |t: &mut [[u64; 3]]| match (status[s], missing) {
            (Some(r), _) => {
                t[k][0] += u64::from(r);
                t[k][1] += 1;
            }
            (None, MissingPolicy::CompleteCase) => t[k][2] += 1,
            (None, MissingPolicy::NonResponder) => {
                t[k][1] += 1;
                t[k][2] += 1;
            }
        };
        add(&mut tally);
        if let Some(j) = strata {
            let label = pairs.text[j].get(s).unwrap_or("(missing)").to_string();
            add(by_stratum.entry(label).or_insert_with(|| vec![[0; 3]; na]));
        }
    }
    (tally, by_stratum)
}

/// The responder definition in words; `names` are the baseline and follow-up as described.
fn rule_note(rule: &ResponderRule, names: &[String; 2]) -> String {
    let (b, f) = (&names[0], &names[1]);
    match rule {
        ResponderRule::Flag { column, value: Some(v) } => format!("Responder: {column} = {v}."),
        ResponderRule::Flag { column, value: None } => format!("Responder: {column} is 1/Y/YES/TRUE."),
        ResponderRule::Change { threshold: Threshold::Relative(t), increase } => {
            let pct = crate::fmt::trim_num(t * 100.0, 6);
            if *increase {
                format!("Responder: {f} at least {pct}% above {b}, (follow-up − baseline)/|baseline| ≥ {t}.")
            } else {
                format!("Responder: {f} at least {pct}% below {b}, (baseline − follow-up)/|baseline| ≥ {t}.")
            }
        }
        ResponderRule::Change { threshold: Threshold::Absolute(t), increase } => {
            if *increase {
                format!("Responder: {f} at least {t} above {b} (follow-up − baseline ≥ {t}).")
            } else {
                format!("Responder: {f} at least {t} below {b} (baseline − follow-up ≥ {t}).")
            }
        }
    }
}

/// How many subjects of each arm had no responder status, and what was done with them.
fn missing_note(tally: &Tally, shown: &[String], missing: MissingPolicy) -> String {
    let what = match missing {
        MissingPolicy::CompleteCase => "excluded (complete cases)",
        MissingPolicy::NonResponder => "counted as non-responders",
    };
    let total = |k: usize| tally[k][1] + if missing == MissingPolicy::CompleteCase { tally[k][2] } else { 0 };
    let parts: Vec<String> = (0..tally.len()).map(|k| format!("{} of {} in {}", tally[k][2], total(k), shown[k])).collect();
    let list = match parts.len() {
        2 => format!("{} and {}", parts[0], parts[1]),
        _ => parts.join(", "),
    };
    format!("Missing responder status: {list} {what}.")
}

#[allow(clippy::too_many_arguments)]
fn rates_report(
    file: &CsvFile,
    arm: &str,
    arms: &Arms,
    pairs: &SubjectPairs,
    status: &[Option<bool>],
    spec: &ResponderSpec,
    names: &[String; 2],
    strata: Option<(&str, usize)>,
    opts: &CountOptions,
) -> Result<Report> {
    let all = arms.all();
    let na = all.len();
    let missing = spec.missing;
    let (tally, by_stratum) = tally_status(pairs, arms, status, missing, strata.map(|(_, j)| j));
    for (k, label) in all.iter().enumerate() {
        if tally[k][1] == 0 {
            return Err(Error::Data {
                file: file.name.clone(),
                line: 0,
                column: arm.into(),
                value: label.to_string(),
                message: format!(
                    "no subject of arm '{label}' has a responder status ({} missing){}",
                    tally[k][2],
                    file.filter.as_ref().map(|f| format!(" after --where \"{}\"", f.text)).unwrap_or_default()
                ),
            });
        }
    }
    // Display labels: the caller's (e.g. --labels acupuncture,usual-care) for two arms.
    let custom = opts.labels != CountOptions::default().labels && na == 2;
    let shown: Vec<String> = if custom { vec![opts.labels[0].clone(), opts.labels[1].clone()] } else { all.iter().map(|a| a.to_string()).collect() };
    let mut notes = opts.input_notes.clone();
    if let Some(n) = &arms.note {
        notes.push(n.clone());
    }
    if let Some(f) = &file.filter {
        notes.push(format!("Rows kept: {}.", f.text));
    }
    notes.push(rule_note(&spec.rule, names));
    if pairs.incomplete_followup > 0 {
        notes.push(format!("{} subjects had only some of the follow-up visits: no follow-up value, so no responder status.", pairs.incomplete_followup));
    }
    notes.push(missing_note(&tally, &shown, missing));

    let c = na - 1;
    let mut report = super::each_vs_control(&shown, crate::stats::Measure::Proportion, |t| {
        let table = TwoByTwo::new(BinomialCount::new(tally[t][0], tally[t][1])?, BinomialCount::new(tally[c][0], tally[c][1])?);
        compare(&table, &CountOptions { input_notes: notes.clone(), labels: [shown[t].clone(), shown[c].clone()], ..opts.clone() })
    })?;
    report.command = "responders".into();
    let what = match names {
        [b, f] if !b.is_empty() && !f.is_empty() => format!("no responder status (no {b} or no {f} value)"),
        _ => "no responder status".to_string(),
    };
    report.flow = arms
        .shown_order()
        .map(|k| {
            let n = vec![super::Excluded { reason: what.clone(), n: tally[k][2] }].into_iter().filter(|x| x.n > 0).collect::<Vec<_>>();
            match missing {
                MissingPolicy::CompleteCase => super::FlowRow { group: shown[k].clone(), subset: Default::default(), in_file: tally[k][1] + tally[k][2], analysed: tally[k][1], excluded: n, imputed: Vec::new() },
                MissingPolicy::NonResponder => super::FlowRow {
                    group: shown[k].clone(),
                    subset: Default::default(),
                    in_file: tally[k][1],
                    analysed: tally[k][1],
                    excluded: Vec::new(),
                    imputed: n.into_iter().map(|x| super::Excluded { reason: format!("{}, counted as non-responders", x.reason), n: x.n }).collect(),
                },
            }
        })
        .collect();
    if c > 1 {
        report.layout.comparison = format!("Each arm vs {}", shown[c]);
        report.layout.title = format!("{} ({})", file.name, (0..na).map(|k| format!("{} {}/{}", shown[k], tally[k][0], tally[k][1])).collect::<Vec<_>>().join(", "));
    }
    let treatments: Vec<&str> = arms.treatments.iter().map(String::as_str).collect();
    report.inputs = serde_json::json!({
        "file": file.name,
        "arm_column": arm,
        "where": file.filter.as_ref().map(|f| f.text.clone()),
        "arms": {"treatment": if treatments.len() == 1 { serde_json::json!(treatments[0]) } else { serde_json::json!(treatments) }, "control": arms.control},
        "param": spec.param,
        "baseline": spec.baseline.as_ref().map(|_| names[0].clone()),
        "followup": spec.followup.as_ref().map(|_| names[1].clone()),
        "missing_policy": if missing == MissingPolicy::CompleteCase { "complete-case" } else { "nonresponder" },
        "missing": all.iter().enumerate().map(|(k, a)| (a.to_string(), serde_json::json!(tally[k][2]))).collect::<serde_json::Map<_, _>>(),
        "responders": all.iter().enumerate().map(|(k, a)| (a.to_string(), serde_json::json!({"responders": tally[k][0], "n": tally[k][1]}))).collect::<serde_json::Map<_, _>>(),
        "level": opts.level,
        "events_are": opts.events,
    });
    if let Some((col, _)) = strata {
        // Each arm against the control, over the strata where both have subjects.
        for t in 0..c {
            let by2: std::collections::BTreeMap<String, [[u64; 3]; 2]> = by_stratum.iter().map(|(k, v)| (k.clone(), [v[t], v[c]])).collect();
            let label = format!("{} vs {}", shown[t], shown[c]);
            add_stratified(&mut report, col, &by2, [all[t], all[c]], (c > 1).then_some(label.as_str()), opts)?;
        }
    }
    Ok(report)
}

fn status_label(arm: &str, s: bool) -> String {
    format!("{arm}, {}", if s { "responders" } else { "non-responders" })
}

/// Summaries of a subject-level column by arm and responder status.
fn by_status_column(pairs: &SubjectPairs, status: &[Option<bool>], arms: &Arms, column: &str, k: usize, qtype: u8) -> Result<Vec<SummaryRow>> {
    let mut out = Vec::new();
    for a in arms.all() {
        for st in [true, false] {
            let v: Vec<f64> = (0..pairs.len())
                .filter(|&s| pairs.arm.get(s) == Some(a) && status[s] == Some(st))
                .map(|s| pairs.numeric[k][s].unwrap_or(f64::NAN))
                .collect();
            out.push(SummaryRow { group: status_label(a, st), subset: Subset::default(), variable: column.to_string(), summary: summarize_with(&v, qtype)? });
        }
    }
    Ok(out)
}

/// Summaries of another parameter at the same baseline and follow-up visits, by arm and
/// responder status: baseline, follow-up, change and percent change (non-zero baselines).
fn by_status_param(file: &CsvFile, q: &PairQuery, pairs: &SubjectPairs, status: &[Option<bool>], arms: &Arms, param: &str, qtype: u8) -> Result<Vec<SummaryRow>> {
    if q.param_column.is_none() {
        return Err(Error::File { file: file.name.clone(), message: format!("--by-responder '{param}': the file has no parameter column; name it with --param") });
    }
    let present = crate::ingest::table::distinct(file, q.param_column.as_deref().unwrap_or_default())?;
    if !present.iter().any(|p| p == param) {
        let hint = crate::ingest::closest(param, present.iter().map(String::as_str)).map(|c| format!(" (did you mean '{c}'?)")).unwrap_or_default();
        return Err(Error::invalid("--by-responder", format!("'{param}'"), format!("a parameter of {}{hint}: {}", file.name, present.join(", "))));
    }
    let mut bq = q.clone();
    bq.param = Some(param.to_string());
    bq.text.clear();
    bq.numeric.clear();
    if !matches!(bq.baseline, Some(ValueSource::Visits { .. })) || !matches!(bq.followup, Some(ValueSource::Visits { .. })) {
        return Err(Error::invalid("--by-responder", format!("'{param}'"), "baseline and follow-up given as visits (--baseline-visit, --followup-visit) so that the parameter is read at the same visits"));
    }
    let other = subject_pairs(file, &bq)?;
    let idx: std::collections::HashMap<&str, usize> = other.subject.iter().enumerate().map(|(i, s)| (s, i)).collect();
    let subset = Subset { param: Some(param.to_string()), ..Default::default() };
    let mut out = Vec::new();
    for a in arms.all() {
        for st in [true, false] {
            let mut cols: [Vec<f64>; 4] = Default::default();
            for s in (0..pairs.len()).filter(|&s| pairs.arm.get(s) == Some(a) && status[s] == Some(st)) {
                let Some(&o) = idx.get(&pairs.subject[s]) else { continue };
                let (b, f) = (other.baseline_of(o), other.followup_of(o));
                cols[0].push(b.unwrap_or(f64::NAN));
                cols[1].push(f.unwrap_or(f64::NAN));
                if let (Some(b), Some(f)) = (b, f) {
                    cols[2].push(f - b);
                    if b != 0.0 {
                        cols[3].push(100.0 * (f - b) / b.abs());
                    }
                }
            }
            for (name, v) in ["baseline", "follow-up", "change", "percent-change"].iter().zip(cols.iter()) {
                out.push(SummaryRow { group: status_label(a, st), subset: subset.clone(), variable: name.to_string(), summary: summarize_with(v, qtype)? });
            }
        }
    }
    Ok(out)
}

/// Append the Mantel–Haenszel analyses over the strata of `col` to a responder report.
fn add_stratified(report: &mut Report, col: &str, by: &std::collections::BTreeMap<String, [[u64; 3]; 2]>, [t, c]: [&str; 2], group: Option<&str>, opts: &CountOptions) -> Result<()> {
    use crate::data::Stratum;
    use crate::stats::{stratified, Measure, Method};
    let mut strata = Vec::new();
    let mut left_out = Vec::new();
    for (label, a) in by {
        if a[0][1] == 0 || a[1][1] == 0 {
            left_out.push(label.clone());
            continue;
        }
        strata.push(Stratum { label: label.clone(), table: TwoByTwo::new(BinomialCount::new(a[0][0], a[0][1])?, BinomialCount::new(a[1][0], a[1][1])?) });
    }
    if !left_out.is_empty() {
        report.notes.push(format!("Strata of '{col}' without subjects in both {t} and {c}, left out of the stratified analysis: {}.", left_out.join(", ")));
    }
    if strata.is_empty() {
        report.notes.push(format!("No stratum of '{col}' has subjects in both {t} and {c}: no stratified analysis."));
        return Ok(());
    }
    let level = opts.level;
    let r = &mut report.results;
    let add = |r: &mut Vec<crate::stats::Estimate>, m: Measure, me: Method, e: Result<crate::stats::Estimate>| -> Result<()> {
        match group {
            Some(g) => super::counts::push_as(r, m, me, e, g, &Subset::default()),
            None => super::counts::push(r, m, me, e),
        }
    };
    add(r, Measure::MhRiskRatio, Method::GreenlandRobins, stratified::mh_risk_ratio(&strata, level))?;
    add(r, Measure::MhOddsRatio, Method::RobinsBreslowGreenland, stratified::mh_odds_ratio(&strata, level))?;
    for m in opts.methods.for_measure(Measure::MhRiskDifference) {
        add(r, Measure::MhRiskDifference, m, stratified::mh_risk_difference(&strata, m, level))?;
    }
    for m in opts.methods.for_measure(Measure::Cmh) {
        add(r, Measure::Cmh, m, stratified::cmh_test(&strata, m))?;
    }
    for m in opts.methods.for_measure(Measure::BreslowDay) {
        add(r, Measure::BreslowDay, m, stratified::breslow_day(&strata, m))?;
    }
    report.notes.push(format!(
        "Stratified by '{col}'{}: {} strata ({}).",
        group.map(|g| format!(" ({g})")).unwrap_or_default(),
        strata.len(),
        strata.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", ")
    ));
    if let serde_json::Value::Object(m) = &mut report.inputs {
        let rows: Vec<serde_json::Value> = strata
            .iter()
            .map(|s| serde_json::json!({"treatment": t, "control": c, "stratum": s.label, "events_treated": s.table.treated.events, "n_treated": s.table.treated.n, "events_control": s.table.control.events, "n_control": s.table.control.n}))
            .collect();
        m.insert("strata_column".into(), col.into());
        match m.get_mut("strata") {
            Some(serde_json::Value::Array(a)) => a.extend(rows),
            _ => {
                m.insert("strata".into(), rows.into());
            }
        }
    }
    Ok(())
}

/// Is a flag cell a responder? `None` when it is not a recognisable yes/no value.
fn flag_value(cell: &str, value: Option<&str>) -> Option<bool> {
    let c = cell.trim();
    if let Some(v) = value {
        return Some(c == v);
    }
    match c.to_ascii_uppercase().as_str() {
        "1" | "1.0" | "Y" | "YES" | "TRUE" => Some(true),
        "0" | "0.0" | "N" | "NO" | "FALSE" => Some(false),
        _ => None,
    }
}
