//! Incidence rates per person-time from a trial or cohort file: events and person-time summed
//! over the rows of each arm (or exposure group), each group's rate with its exact (Garwood) CI,
//! and each group against the reference by rate ratio (exact conditional, Wald) and rate
//! difference (Wald), as `trialstat rates` does for counts typed by hand.
//!
//! Rows are summed, so a file may hold one row per subject (ADTTE: `AVAL` the time at risk,
//! `CNSR` = 0 an event) or one row per subject and period (events counted in each period).
//!
//! Events come from a count or flag column (`--event`: a non-negative whole number, or
//! Y/N, YES/NO, TRUE/FALSE) or from a censoring flag (`--censor CNSR`: 0 = event, 1 =
//! censored, as ADaM ADTTE codes it). Person-time must be ≥ 0; a row with a missing event or time
//! is left out and counted per group in the notes.

use super::arms::{ArmChoice, Arms};
use super::counts::{compare_rates, rate_scale, CountOptions};
use super::Report;
use crate::data::PersonTime;
use crate::error::{Error, Result};
use crate::ingest::table::{column, numbers, CsvFile, Problems};

/// Where the events of a row come from.
#[derive(Debug, Clone, PartialEq)]
pub enum EventSource {
    /// A count (0, 1, 2, ...) or yes/no flag column.
    Count(String),
    /// A censoring indicator: 0 = event, 1 = censored.
    Censor(String),
}

/// A `trialstat incidence` request.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidenceSpec {
    pub arms: ArmChoice,
    pub events: EventSource,
    /// Person-time column.
    pub time: String,
    /// Unit to report person-time in (`None`: the data unit, or unlabelled "person-time").
    pub time_unit: Option<crate::data::TimeUnit>,
    /// Unit of the person-time column (`None`: an `AVALU` column, days for ADaM `AVAL` with
    /// `CNSR`, else the same as `time_unit`).
    pub data_unit: Option<crate::data::TimeUnit>,
    /// Rates per this much person-time (`--per 100`); `None` chooses a power of ten.
    pub per: Option<f64>,
}

/// Events of one cell, or `None` when missing.
fn events_of(file: &CsvFile, line: u64, src: &EventSource, cell: Option<&str>) -> Result<Option<u64>> {
    let Some(raw) = cell else { return Ok(None) };
    let t = raw.trim();
    let bad = |why: &str| Error::Data { file: file.name.clone(), line, column: match src {
        EventSource::Count(c) | EventSource::Censor(c) => c.clone(),
    }, value: raw.to_string(), message: why.to_string() };
    match src {
        EventSource::Count(_) => match t.to_ascii_uppercase().as_str() {
            "Y" | "YES" | "TRUE" => Ok(Some(1)),
            "N" | "NO" | "FALSE" => Ok(Some(0)),
            _ => match t.parse::<f64>() {
                Ok(x) if x >= 0.0 && x.fract() == 0.0 && x <= 9.007_199_254_740_992e15 => Ok(Some(x as u64)),
                _ => Err(bad("not an event count (a whole number ≥ 0) or a yes/no flag")),
            },
        },
        EventSource::Censor(_) => match t {
            "0" | "0.0" => Ok(Some(1)),
            "1" | "1.0" => Ok(Some(0)),
            _ => Err(bad("not a censoring flag (0 = event, 1 = censored)")),
        },
    }
}

/// Per arm: events, person-time, rows used and rows with a missing event or time.
struct Totals {
    events: Vec<u64>,
    pt: Vec<f64>,
    used: Vec<u64>,
    missing: Vec<u64>,
}

/// Sum each arm's events and person-time over the rows; every invalid value is reported at
/// once; a group without person-time, or whose sum overflows, is an error.
fn totals(file: &CsvFile, t: &crate::ingest::reader::Table, arms: &Arms, events_src: &EventSource, [arm, ev, time]: [&str; 3]) -> Result<Totals> {
    let all = arms.all();
    let (arm_c, ev_c, time_c) = (column(t, arm)?, column(t, ev)?, numbers(t, time)?);
    let mut events = vec![0u64; all.len()];
    let mut pt = vec![0f64; all.len()];
    let mut used = vec![0u64; all.len()];
    let mut missing = vec![0u64; all.len()];
    let mut problems = Problems::new(&file.name);
    for r in file.select(t, &[])? {
        let Some(k) = arm_c.text(r).and_then(|a| arms.position(a)) else { continue };
        let line = t.line(r);
        let e = match events_of(file, line, events_src, ev_c.text(r)) {
            Ok(e) => e,
            Err(Error::Data { message, .. }) => {
                problems.push(line, ev, ev_c.text(r).unwrap_or_default(), message);
                None
            }
            Err(e) => return Err(e),
        };
        let tm = problems.number(t, &time_c, time, r);
        if let Some(x) = tm.filter(|&x| x < 0.0) {
            problems.push(line, time, &x.to_string(), "negative person-time");
        }
        match (e, tm) {
            (Some(e), Some(tm)) => {
                events[k] = events[k].saturating_add(e);
                pt[k] += tm;
                used[k] += 1;
            }
            _ => missing[k] += 1,
        }
    }
    problems.finish()?;
    if let Some(k) = pt.iter().position(|x| !x.is_finite()) {
        return Err(Error::Data {
            file: file.name.clone(),
            line: 0,
            column: time.to_string(),
            value: all[k].to_string(),
            message: "the person-time of this group sums to more than a double holds (1.8e308); check the time unit".into(),
        });
    }
    for (k, a) in all.iter().enumerate() {
        if pt[k] <= 0.0 {
            return Err(Error::Data {
                file: file.name.clone(),
                line: 0,
                column: arm.to_string(),
                value: a.to_string(),
                message: format!("group '{a}' has no person-time ({} rows used, {} with a missing event or time)", used[k], missing[k]),
            });
        }
    }
    Ok(Totals { events, pt, used, missing })
}

/// Rates by arm and each arm against the control; see the module doc.
pub fn incidence_file(file: &CsvFile, overrides: &crate::ingest::layout::Overrides, spec: &IncidenceSpec, opts: &CountOptions) -> Result<Report> {
    use crate::ingest::layout::{detect, require_column};
    let d = detect(&file.name, &file.columns, overrides)?;
    let arm = d.arm_column(&file.name, &file.columns, "arm or exposure")?;
    let (flag, ev) = match &spec.events {
        EventSource::Count(c) => ("--event", c),
        EventSource::Censor(c) => ("--censor", c),
    };
    let ev = require_column(&file.name, flag, ev, &file.columns)?;
    let events_src = match &spec.events {
        EventSource::Count(_) => EventSource::Count(ev.clone()),
        EventSource::Censor(_) => EventSource::Censor(ev.clone()),
    };
    let time = require_column(&file.name, "--time", &spec.time, &file.columns)?;
    file.load_typed(&[&arm, &ev], &[&time])?;
    let arms: Arms = super::arms::resolve_in_file(file, &arm, &spec.arms)?;
    let all = arms.all();
    let t = file.load_typed(&[&arm, &ev], &[&time])?;
    let Totals { events, mut pt, used, missing } = totals(file, &t, &arms, &events_src, [&arm, &ev, &time])?;
    let avalu = (time == "AVAL" && file.columns.iter().any(|c| c == "AVALU")).then_some("AVALU");
    if let Some(u) = avalu {
        file.load_typed(&[&arm, &ev, u], &[&time])?;
    }
    let t = file.load_typed(&[&arm, &ev], &[&time])?;
    let rows = file.select(&t, &[])?;
    let adam = file.columns.iter().any(|c| c == "CNSR");
    let (from, source) = super::survival::data_unit_of(file, &t, &rows, &time, avalu, adam, spec.data_unit, spec.time_unit)?;
    let to = spec.time_unit.or(from);
    let factor = match (from, to) {
        (Some(f), Some(t)) => f.factor_to(t),
        _ => 1.0,
    };
    pt.iter_mut().for_each(|x| *x *= factor);
    let unit = to.map_or("person-time".to_string(), |u| format!("person-{}", u.name()));
    if let Some(p) = spec.per.filter(|p| !(p.is_finite() && *p > 0.0)) {
        return Err(Error::invalid("--per", p, "a positive number of person-time units, e.g. 100"));
    }
    let scale = spec.per.unwrap_or_else(|| rate_scale(all.iter().enumerate().map(|(k, _)| events[k] as f64 / pt[k]).fold(0.0, f64::max)));
    let c = all.len() - 1;
    let mut notes = opts.input_notes.clone();
    if let Some(n) = &arms.note {
        notes.push(n.clone());
    }
    if let Some(f) = &file.filter {
        notes.push(format!("Rows kept: {}.", f.text));
    }
    notes.push(format!(
        "Events: {}; person-time: sum of {time} over the rows of each group{}.",
        match &events_src {
            EventSource::Count(c) => format!("sum of {c}"),
            EventSource::Censor(c) => format!("rows with {c} = 0"),
        },
        match (from, to) {
            (Some(f), Some(t)) if f != t => format!(", in {} ({source}), converted to {} (× {}; 1 month = 30.4375 days, 1 year = 365.25 days)", f.name(), t.name(), crate::fmt::sig(factor, 6)),
            (Some(f), _) => format!(", in {} ({source})", f.name()),
            _ => String::new(),
        }
    ));
    notes.push(format!("Rows left out for a missing event or time: {}.", all.iter().enumerate().map(|(k, a)| format!("{} in {a}", missing[k])).collect::<Vec<_>>().join(", ")));
    let shown: Vec<String> = all.iter().map(|a| a.to_string()).collect();
    let mut report = super::each_vs_control(&shown, crate::stats::Measure::Rate, |t| {
        let o = CountOptions { labels: [shown[t].clone(), shown[c].clone()], input_notes: notes.clone(), ..opts.clone() };
        compare_rates(&PersonTime::new(events[t], pt[t])?, &PersonTime::new(events[c], pt[c])?, &o)
    })?;
    report.command = "incidence".into();
    report.layout.rate_scale = Some(scale);
    report.layout.denominator_name = unit.clone();
    if c > 1 {
        report.layout.comparison = format!("Each group vs {}", all[c]);
    }
    report.layout.title = format!("{} ({})", file.name, all.iter().enumerate().map(|(k, a)| format!("{a} {}/{}", events[k], crate::fmt::sig(pt[k], 6))).collect::<Vec<_>>().join(", "));
    report.inputs = serde_json::json!({
        "file": file.name,
        "where": file.filter.as_ref().map(|f| f.text.clone()),
        "arm_column": arm,
        "arms": {"treatment": arms.treatments, "control": arms.control},
        "events": match &events_src { EventSource::Count(c) => serde_json::json!({"count": c}), EventSource::Censor(c) => serde_json::json!({"censor": c}) },
        "time_column": time,
        "time_unit": to.map(|u| u.name()),
        "data_unit": from.map(|u| u.name()),
        "per": scale,
        "groups": all.iter().enumerate().map(|(k, a)| (a.to_string(), serde_json::json!({"events": events[k], "person_time": pt[k], "rows": used[k], "missing": missing[k]}))).collect::<serde_json::Map<_, _>>(),
        "level": opts.level,
    });
    // Rows (one per subject in an ADTTE), control first: used, and left out for a missing
    // event or time.
    report.flow = arms
        .shown_order()
        .map(|k| super::FlowRow {
            group: all[k].to_string(),
            subset: Default::default(),
            in_file: used[k] + missing[k],
            analysed: used[k],
            excluded: if missing[k] > 0 { vec![super::Excluded { reason: "rows without an event or a time".into(), n: missing[k] }] } else { Vec::new() },
            imputed: Vec::new(),
        })
        .collect();
    Ok(report)
}
