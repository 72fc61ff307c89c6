//! Endpoint comparison: the arms compared on the values at one visit (or one column), not on
//! the change from baseline. Per arm, the summary of the values; between each arm and the
//! control, the difference in means (Welch and pooled t), Hedges' g (noncentral-t CI) and the
//! Hodges–Lehmann shift with the Mann–Whitney test. The report has the shape of `change`'s.
//!
//! Every statistic uses the subjects of the arm with a value; the report says how many had none.

use super::arms::Arms;
use super::change::{ChangeOptions, ChangeSource};
use super::counts::push_as;
use super::{Report, SummaryRow};
use crate::data::{check_level, GroupSummary};
use crate::error::{Error, Result};
use crate::ingest::subjects::SubjectPairs;
use crate::stats::descriptive::summarize_with;
use crate::stats::{continuous, rank, Measure, Method};
use serde_json::json;

/// Compare the arms on the follow-up values of `pairs` (`src.followup` names them).
pub fn endpoint(pairs: &SubjectPairs, arms: &Arms, src: &ChangeSource, opts: &ChangeOptions) -> Result<Report> {
    let level = check_level(opts.level)?;
    opts.methods.validate("endpoint", &super::change::CHOSEN_METHOD_MEASURES)?;
    // Both t intervals unless the user chose.
    let mean_methods = match &opts.methods {
        super::MethodChoice::Recommended => vec![Method::Welch, Method::Pooled],
        chosen => chosen.for_measure(Measure::MeanDifference),
    };
    let all = arms.all();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); all.len()];
    let mut missing = vec![0u64; all.len()];
    for s in 0..pairs.len() {
        let Some(k) = pairs.arm.get(s).and_then(|a| arms.position(a)) else { continue };
        match pairs.followup_of(s) {
            Some(v) => values[k].push(v),
            None => missing[k] += 1,
        }
    }
    for (k, v) in values.iter().enumerate() {
        if v.len() < 2 {
            return Err(Error::Data {
                file: src.file.clone(),
                line: 0,
                column: src.arm_column.clone(),
                value: all[k].to_string(),
                message: format!("arm '{}' has {} value(s) of {}; an endpoint comparison needs at least 2 per arm", all[k], v.len(), src.followup),
            });
        }
    }
    let subset = &src.subset;
    let mut summaries = Vec::new();
    for (k, v) in values.iter().enumerate() {
        summaries.push(SummaryRow { group: all[k].to_string(), subset: subset.clone(), variable: "value".into(), summary: summarize_with(v, opts.quantile_type)? });
    }
    let mut results = Vec::new();
    let c = all.len() - 1;
    for t in 0..c {
        let label = format!("{} vs {}", all[t], all[c]);
        let (gt, gc) = (GroupSummary::from_values(&values[t])?, GroupSummary::from_values(&values[c])?);
        for &m in &mean_methods {
            push_as(&mut results, Measure::MeanDifference, m, continuous::mean_difference(&gt, &gc, m, level), &label, subset)?;
        }
        for m in opts.methods.for_measure(Measure::HedgesG) {
            push_as(&mut results, Measure::HedgesG, m, continuous::hedges_g(&gt, &gc, m, level), &label, subset)?;
        }
        let m = opts.rank_method.unwrap_or_else(|| super::change::rank_method(&values[t], Some(&values[c])));
        push_as(&mut results, Measure::HodgesLehmann, m, rank::hodges_lehmann(&values[t], &values[c], m, level), &label, subset)?;
    }
    let mut notes = Vec::new();
    if let Some(n) = &arms.note {
        notes.push(n.clone());
    }
    notes.push(format!("Values: {}; each arm's subjects with a value.", src.followup));
    let without: Vec<String> = all.iter().zip(&missing).map(|(a, m)| format!("{m} in {a}")).collect();
    notes.push(format!("Subjects without a value, left out: {}.", without.join(", ")));
    if let Some(f) = &src.filter {
        notes.push(format!("Rows kept: {f}."));
    }
    let title = format!(
        "{}{} by {} ({})",
        subset.param.as_ref().map(|p| format!("{p}: ")).unwrap_or_default(),
        src.followup,
        src.arm_column,
        arms.treatments.iter().map(|t| format!("{t} vs {}", arms.control)).collect::<Vec<_>>().join("; ")
    );
    let n: serde_json::Map<String, serde_json::Value> = all.iter().zip(&values).map(|(a, v)| (a.to_string(), json!(v.len()))).collect();
    let miss: serde_json::Map<String, serde_json::Value> = all.iter().zip(&missing).map(|(a, m)| (a.to_string(), json!(m))).collect();
    let inputs = json!({
        "file": src.file,
        "where": src.filter,
        "arm_column": src.arm_column,
        "arms": {"treatment": arms.treatments, "control": arms.control},
        "values": src.followup,
        "param": subset.param,
        "visit": subset.visit,
        "n": n,
        "missing": miss,
        "level": level,
    });
    let layout = super::Layout { title, comparison: String::new(), groups: Vec::new(), ..Default::default() };
    let flow = arms
        .shown_order()
        .map(|k| (k, &all[k]))
        .map(|(k, a)| super::FlowRow {
            group: a.to_string(),
            subset: subset.clone(),
            in_file: values[k].len() as u64 + missing[k],
            analysed: values[k].len() as u64,
            excluded: if missing[k] > 0 { vec![super::Excluded { reason: format!("no {} value", src.followup), n: missing[k] }] } else { Vec::new() },
            imputed: Vec::new(),
        })
        .collect();
    Ok(Report { results, summaries, notes, flow, ..Report::new("endpoint", inputs, layout) })
}
