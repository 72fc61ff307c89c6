//! Responder analysis of a one-row-per-subject file (wide layout or ADSL-like): a responder is
//! defined by a flag column or by a relative reduction from a baseline to a follow-up column;
//! the responder rates of two arms are then compared exactly as `compare` does (rates with CIs,
//! RR, OR, RD, NNT, Fisher, χ²).
//!
//! Missing data: a subject whose flag (or baseline or follow-up) is missing is either left out
//! (complete cases, the default) or counted as a non-responder (`--missing nonresponder`); the
//! report says how many subjects of each arm each policy excluded or imputed.

use super::counts::{compare, CountOptions};
use super::Report;
use crate::data::{BinomialCount, TwoByTwo};
use crate::error::{Error, Result};
use crate::ingest::table::{subject_rows, CsvFile};

/// How a responder is recognised.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponderRule {
    /// A flag column: responder when the cell equals `value`, or, with no value given, is one of
    /// 1, Y, YES, TRUE (non-responder: 0, N, NO, FALSE; any other text is an error).
    Flag { column: String, value: Option<String> },
    /// A relative reduction from `baseline` to `follow_up` of at least `fraction`:
    /// (baseline − follow-up)/|baseline| ≥ fraction ("≥ 40% VAS reduction" is 0.40). A baseline
    /// of 0 is an error naming its line.
    Reduction { baseline: String, follow_up: String, fraction: f64 },
}

/// What to do with subjects whose responder status is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingPolicy {
    CompleteCase,
    NonResponder,
}

/// Responder rates of `treatment` against `control` in the column `arm` of `file`; with
/// `strata` (a column such as the site), the Mantel–Haenszel RR, OR and RD, the CMH test and
/// Breslow–Day are added over its strata (a stratum missing an arm is left out, with a note).
pub fn responders(
    file: &CsvFile,
    arm: &str,
    [treatment, control]: [&str; 2],
    rule: &ResponderRule,
    missing: MissingPolicy,
    strata: Option<&str>,
    opts: &CountOptions,
) -> Result<Report> {
    let (numeric, mut text): (Vec<&str>, Vec<&str>) = match rule {
        ResponderRule::Flag { column, .. } => (vec![], vec![column.as_str()]),
        ResponderRule::Reduction { baseline, follow_up, .. } => (vec![baseline.as_str(), follow_up.as_str()], vec![]),
    };
    if let Some(s) = strata {
        text.push(s);
    }
    let rows = subject_rows(file, arm, &numeric, &text)?;
    let strata_col = strata.map(|_| text.len() - 1);
    // Per stratum (sorted by label) and arm: responders, included, missing.
    let mut by_stratum: std::collections::BTreeMap<String, [[u64; 3]; 2]> = std::collections::BTreeMap::new();
    let mut arms_present: Vec<String> = rows.arm.iter().flatten().cloned().collect();
    arms_present.sort();
    arms_present.dedup();
    for (flag, label) in [("--treatment", treatment), ("--control", control)] {
        if !arms_present.iter().any(|a| a == label) {
            return Err(Error::invalid(
                flag,
                format!("'{label}'"),
                format!("an arm of column '{arm}' in {}: {}", file.name, arms_present.join(", ")),
            ));
        }
    }
    // Per arm: responders, included, missing.
    let mut tally = [[0u64; 3]; 2];
    for i in 0..rows.arm.len() {
        let k = match rows.arm[i].as_deref() {
            Some(a) if a == treatment => 0,
            Some(a) if a == control => 1,
            _ => continue,
        };
        let status: Option<bool> = match rule {
            ResponderRule::Flag { column, value } => match rows.text[0][i].as_deref() {
                None => None,
                Some(cell) => Some(flag_value(cell, value.as_deref()).ok_or_else(|| Error::Data {
                    file: file.name.clone(),
                    line: rows.line[i],
                    column: column.clone(),
                    value: cell.to_string(),
                    message: "not a yes/no flag (1/0, Y/N, YES/NO, TRUE/FALSE); name the responder value with --flag-value".into(),
                })?),
            },
            ResponderRule::Reduction { baseline, fraction, .. } => match (rows.values[0][i], rows.values[1][i]) {
                (Some(b), Some(f)) => {
                    if b == 0.0 {
                        return Err(Error::Data {
                            file: file.name.clone(),
                            line: rows.line[i],
                            column: baseline.clone(),
                            value: "0".into(),
                            message: "baseline is 0, so the percent change is undefined; use an absolute threshold or exclude the subject".into(),
                        });
                    }
                    Some((b - f) / b.abs() >= *fraction)
                }
                _ => None,
            },
        };
        let add = |t: &mut [[u64; 3]; 2]| match (status, missing) {
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
        if let Some(j) = strata_col {
            let label = rows.text[j][i].clone().unwrap_or_else(|| "(missing)".into());
            add(by_stratum.entry(label).or_insert([[0; 3]; 2]));
        }
    }
    for (k, label) in [(0, treatment), (1, control)] {
        if tally[k][1] == 0 {
            return Err(Error::Data {
                file: file.name.clone(),
                line: 0,
                column: arm.into(),
                value: label.into(),
                message: format!("no subject of arm '{label}' has a responder status ({} missing)", tally[k][2]),
            });
        }
    }
    let table = TwoByTwo::new(BinomialCount::new(tally[0][0], tally[0][1])?, BinomialCount::new(tally[1][0], tally[1][1])?);
    let mut notes = opts.input_notes.clone();
    if let Some(f) = &file.filter {
        notes.push(format!("Rows kept: {}.", f.text));
    }
    notes.push(match rule {
        ResponderRule::Flag { column, value: Some(v) } => format!("Responder: {column} = {v}."),
        ResponderRule::Flag { column, value: None } => format!("Responder: {column} is 1/Y/YES/TRUE."),
        ResponderRule::Reduction { baseline, follow_up, fraction } => format!(
            "Responder: {follow_up} at least {}% below {baseline}, (baseline − follow-up)/|baseline| ≥ {fraction}.",
            crate::fmt::trim_num(fraction * 100.0, 6)
        ),
    });
    let what = match missing {
        MissingPolicy::CompleteCase => "excluded (complete cases)",
        MissingPolicy::NonResponder => "counted as non-responders",
    };
    notes.push(format!(
        "Missing responder status: {} of {} in {treatment} and {} of {} in {control} {what}.",
        tally[0][2],
        tally[0][1] + if missing == MissingPolicy::CompleteCase { tally[0][2] } else { 0 },
        tally[1][2],
        tally[1][1] + if missing == MissingPolicy::CompleteCase { tally[1][2] } else { 0 },
    ));
    // Display labels: the caller's (e.g. --labels acupuncture,usual-care), else the arm values.
    let labels = if opts.labels == CountOptions::default().labels { [treatment.to_string(), control.to_string()] } else { opts.labels.clone() };
    let notes = notes
        .into_iter()
        .map(|n| n.replace(&format!(" in {treatment} and "), &format!(" in {} and ", labels[0])).replace(&format!(" in {control} "), &format!(" in {} ", labels[1])))
        .collect();
    let opts = CountOptions { input_notes: notes, labels, ..opts.clone() };
    let mut report = compare(&table, &opts)?;
    report.command = "responders".into();
    if let serde_json::Value::Object(m) = &mut report.inputs {
        m.insert("file".into(), file.name.clone().into());
        m.insert("arm_column".into(), arm.into());
        m.insert("where".into(), file.filter.as_ref().map(|f| f.text.clone()).into());
        m.insert("arms".into(), serde_json::json!({"treatment": treatment, "control": control}));
        m.insert("missing_policy".into(), (if missing == MissingPolicy::CompleteCase { "complete-case" } else { "nonresponder" }).into());
        m.insert("missing".into(), serde_json::json!({treatment: tally[0][2], control: tally[1][2]}));
    }
    if let Some(col) = strata {
        add_stratified(&mut report, col, &by_stratum, [treatment, control], &opts)?;
    }
    Ok(report)
}

/// Append the Mantel–Haenszel analyses over the strata of `col` to a responder report.
fn add_stratified(report: &mut Report, col: &str, by: &std::collections::BTreeMap<String, [[u64; 3]; 2]>, [t, c]: [&str; 2], opts: &CountOptions) -> Result<()> {
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
        report.notes.push(format!("No stratum of '{col}' has subjects in both arms: no stratified analysis."));
        return Ok(());
    }
    let level = opts.level;
    let r = &mut report.results;
    super::counts::push(r, Measure::MhRiskRatio, Method::GreenlandRobins, stratified::mh_risk_ratio(&strata, level))?;
    super::counts::push(r, Measure::MhOddsRatio, Method::RobinsBreslowGreenland, stratified::mh_odds_ratio(&strata, level))?;
    for m in opts.methods.for_measure(Measure::MhRiskDifference) {
        super::counts::push(r, Measure::MhRiskDifference, m, stratified::mh_risk_difference(&strata, m, level))?;
    }
    for m in opts.methods.for_measure(Measure::Cmh) {
        super::counts::push(r, Measure::Cmh, m, stratified::cmh_test(&strata, m))?;
    }
    for m in opts.methods.for_measure(Measure::BreslowDay) {
        super::counts::push(r, Measure::BreslowDay, m, stratified::breslow_day(&strata, m))?;
    }
    report.notes.push(format!("Stratified by '{col}': {} strata ({}).", strata.len(), strata.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", ")));
    if let serde_json::Value::Object(m) = &mut report.inputs {
        let rows: Vec<serde_json::Value> = strata
            .iter()
            .map(|s| serde_json::json!({"stratum": s.label, "events_treated": s.table.treated.events, "n_treated": s.table.treated.n, "events_control": s.table.control.events, "n_control": s.table.control.n}))
            .collect();
        m.insert("strata_column".into(), col.into());
        m.insert("strata".into(), rows.into());
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
