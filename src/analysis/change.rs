//! Change from baseline: per arm, summaries of the baseline, the follow-up, the change
//! (follow-up − baseline) and the percent change (100·change/|baseline|, the ADaM `PCHG`
//! convention), the paired t test, the standardised mean change d_z and g_z (noncentral t CIs)
//! and the Wilcoxon signed rank test of the change; between each arm and the control, the
//! difference in mean change (Welch), Hedges' g of the change and of the percent change
//! (noncentral t CIs), Mann–Whitney with the Hodges–Lehmann shift, and the ANCOVA difference of the follow-up
//! adjusted for baseline and any covariates.
//!
//! # Subjects
//! Every per-arm statistic uses the arm's *complete pairs* (baseline and follow-up present); the
//! report says how many subjects of each arm lacked one of them. The ANCOVA uses the complete
//! cases of baseline, follow-up and covariates of **all** arms of the analysis in one model
//! (`followup ~ arm + baseline + covariates`, control as reference), as R's `lm` with the arm
//! as a factor: with three arms each comparison is a coefficient of the same model.
//!
//! # Covariates
//! A covariate whose every non-missing value is a number enters as numeric; otherwise it is
//! categorical, entered as k − 1 indicators with the first level (in sorted order) as reference,
//! as R's treatment contrasts do.
//!
//! # Percent change
//! Defined only for a non-zero baseline: a baseline of 0 in a complete pair is an error naming
//! its line, unless percent change is switched off (`--no-percent`).

use super::arms::Arms;
use super::counts::push_as;
use super::{GroupRow, Layout, Report, SummaryRow};
use crate::data::{check_level, GroupSummary};
use crate::error::{Error, Result};
use crate::ingest::subjects::SubjectPairs;
use crate::stats::ancova::{ancova, AncovaInput};
use crate::stats::descriptive::summarize_with;
use crate::stats::{continuous, paired, rank, Estimate, Measure, Method, Subset};
use serde_json::json;

/// What the user asked for, beyond the data.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeOptions {
    pub level: f64,
    /// Report percent change (needs non-zero baselines).
    pub percent: bool,
    /// Covariate names; their values are `pairs.text[k]` for k in 0..covariates.len(). A name
    /// written `factor(NAME)` is categorical even when its values are numbers (site codes).
    pub covariates: Vec<String>,
    /// Hyndman–Fan type (1–9, R's `quantile(type = )`) of the quartiles in the summaries.
    pub quantile_type: u8,
    /// Method of the rank tests (exact, normal, normal-uncorrected); `None` = R's rule (exact
    /// below 50 without ties or zeros, else normal with the continuity correction).
    pub rank_method: Option<Method>,
    /// CI methods of the mean difference (welch, pooled) and the standardized effects
    /// (noncentral-t, normal-approx): `--ci-method`, spec `ci_method`. Recommended: Welch and
    /// noncentral t (`endpoint` reports both Welch and pooled).
    pub methods: crate::analysis::MethodChoice,
}

/// The measures whose CI method `--ci-method` chooses in `change` and `endpoint`.
pub const CHOSEN_METHOD_MEASURES: [Measure; 4] = [Measure::MeanDifference, Measure::HedgesG, Measure::DZ, Measure::GZ];

/// A rank-test method as written (`--rank-method`, spec `rank_method`): `auto` (R's rule: `None`),
/// `exact`, `normal` (with the continuity correction) or `normal-uncorrected`.
pub fn parse_rank_method(key: &str, s: &str) -> Result<Option<Method>> {
    match s.trim() {
        "auto" => Ok(None),
        "exact" => Ok(Some(Method::Exact)),
        "normal" => Ok(Some(Method::Normal)),
        "normal-uncorrected" => Ok(Some(Method::NormalUncorrected)),
        other => Err(Error::invalid(key, format!("'{other}'"), "auto (R's rule), exact, normal (continuity-corrected) or normal-uncorrected")),
    }
}

/// Split `factor(NAME)` into (NAME, true); any other name is (name, false).
pub fn covariate_name(spec: &str) -> (&str, bool) {
    let t = spec.trim();
    match t.strip_prefix("factor(").and_then(|r| r.strip_suffix(')')) {
        Some(inner) => (inner.trim(), true),
        None => (t, false),
    }
}

impl Default for ChangeOptions {
    fn default() -> Self {
        ChangeOptions { level: 0.95, percent: true, covariates: Vec::new(), quantile_type: 7, rank_method: None, methods: crate::analysis::MethodChoice::Recommended }
    }
}

/// Describes the data source for notes and inputs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeSource {
    pub file: String,
    pub arm_column: String,
    /// e.g. `pk1`, `AVAL at AVISIT Baseline`.
    pub baseline: String,
    pub followup: String,
    /// Parameter and follow-up visit labels for the results (`subset`).
    pub subset: Subset,
    pub filter: Option<String>,
}

/// Method for a rank test as R's `wilcox.test` chooses it (exact below 50 without ties or zeros).
pub(crate) fn rank_method(x: &[f64], y: Option<&[f64]>) -> Method {
    if x.len() >= 50 || y.is_some_and(|y| y.len() >= 50) {
        return Method::Normal; // whatever the ties: no need to sort
    }
    let mut all: Vec<f64> = match y {
        None => x.iter().map(|v| v.abs()).collect(),
        Some(y) => x.iter().chain(y.iter()).copied().collect(),
    };
    let zeros = y.is_none() && x.contains(&0.0);
    all.sort_unstable_by(f64::total_cmp);
    let ties = all.windows(2).any(|w| w[0] == w[1]);
    rank::recommended_method(x.len(), y.map_or(0, <[f64]>::len), ties || zeros)
}

/// Per arm: (complete pairs as (baseline, follow-up, line)), subjects missing one of them.
struct ArmData {
    label: String,
    base: Vec<f64>,
    fu: Vec<f64>,
    missing: u64,
}

/// An arm's count of complete pairs and of subjects missing one value.
struct ArmCount {
    label: String,
    n: usize,
    missing: u64,
}

/// Each arm's subjects with both values (in vectors sized once: counted first) and the number
/// missing one; and the number of subjects without an arm label. A zero baseline is an error
/// when the percent change is asked for; an arm with no complete pair is an error.
fn arm_data(pairs: &SubjectPairs, arms: &Arms, src: &ChangeSource, percent: bool) -> Result<(Vec<ArmData>, u64)> {
    let all = arms.all();
    let mut sizes = vec![0usize; all.len()];
    for s in 0..pairs.len() {
        if let (Some(k), Some(_), Some(_)) = (pairs.arm.get(s).and_then(|a| arms.position(a)), pairs.baseline_of(s), pairs.followup_of(s)) {
            sizes[k] += 1;
        }
    }
    let mut data: Vec<ArmData> =
        all.iter().zip(&sizes).map(|(a, &n)| ArmData { label: a.to_string(), base: Vec::with_capacity(n), fu: Vec::with_capacity(n), missing: 0 }).collect();
    let mut no_arm = 0u64;
    for s in 0..pairs.len() {
        let Some(k) = pairs.arm.get(s).and_then(|a| arms.position(a)) else {
            no_arm += u64::from(pairs.arm.get(s).is_none());
            continue;
        };
        match (pairs.baseline_of(s), pairs.followup_of(s)) {
            (Some(b), Some(f)) => {
                if percent && b == 0.0 {
                    return Err(Error::Data {
                        file: src.file.clone(),
                        line: pairs.line[s],
                        column: src.baseline.clone(),
                        value: "0".into(),
                        message: format!("subject {}: baseline is 0, so the percent change is undefined; add --no-percent to report absolute change only", &pairs.subject[s]),
                    });
                }
                data[k].base.push(b);
                data[k].fu.push(f);
            }
            _ => data[k].missing += 1,
        }
    }
    for d in &data {
        if d.base.is_empty() {
            return Err(Error::Data {
                file: src.file.clone(),
                line: 0,
                column: src.arm_column.clone(),
                value: d.label.clone(),
                message: format!(
                    "no subject of arm '{}' has both {} and {} ({} with one of them){}",
                    d.label,
                    src.baseline,
                    src.followup,
                    d.missing,
                    src.filter.as_ref().map(|f| format!(" after --where \"{f}\"")).unwrap_or_default()
                ),
            });
        }
    }
    Ok((data, no_arm))
}

/// Per arm: summaries of baseline, follow-up, change (and percent change) and the paired
/// statistics of the change; then each treatment against the control (the last of `data`):
/// Welch difference, Hedges' g (of the change, and of the percent change), Hodges–Lehmann.
fn arm_rows(data: &[ArmData], subset: &Subset, opts: &ChangeOptions, level: f64) -> Result<(Vec<SummaryRow>, Vec<Estimate>)> {
    let mut summaries = Vec::new();
    let mut results = Vec::new();
    let changes: Vec<Vec<f64>> = data.iter().map(|d| d.fu.iter().zip(&d.base).map(|(f, b)| f - b).collect()).collect();
    let pcts: Vec<Vec<f64>> = data
        .iter()
        .map(|d| if opts.percent { d.fu.iter().zip(&d.base).map(|(f, b)| 100.0 * (f - b) / b.abs()).collect() } else { Vec::new() })
        .collect();
    for (k, d) in data.iter().enumerate() {
        let mut vars: Vec<(&str, &[f64])> = vec![("baseline", &d.base), ("follow-up", &d.fu), ("change", &changes[k])];
        if opts.percent {
            vars.push(("percent-change", &pcts[k]));
        }
        for (name, v) in vars {
            summaries.push(SummaryRow { group: d.label.clone(), subset: subset.clone(), variable: name.into(), summary: summarize_with(v, opts.quantile_type)? });
        }
        let g = GroupSummary::from_values(&changes[k])?;
        push_as(&mut results, Measure::MeanChange, Method::Exact, paired::mean_change(&g, level), &d.label, subset)?;
        for m in opts.methods.for_measure(Measure::DZ) {
            push_as(&mut results, Measure::DZ, m, paired::d_z(&g, m, level), &d.label, subset)?;
        }
        for m in opts.methods.for_measure(Measure::GZ) {
            push_as(&mut results, Measure::GZ, m, paired::g_z(&g, m, level), &d.label, subset)?;
        }
        let m = opts.rank_method.unwrap_or_else(|| rank_method(&changes[k], None));
        push_as(&mut results, Measure::WilcoxonSignedRank, m, rank::wilcoxon_signed_rank(&changes[k], m, level), &d.label, subset)?;
    }
    let c = data.len() - 1;
    for t in 0..c {
        let label = format!("{} vs {}", data[t].label, data[c].label);
        let gt = GroupSummary::from_values(&changes[t])?;
        let gc = GroupSummary::from_values(&changes[c])?;
        for m in opts.methods.for_measure(Measure::MeanDifference) {
            push_as(&mut results, Measure::MeanDifference, m, continuous::mean_difference(&gt, &gc, m, level), &label, subset)?;
        }
        for m in opts.methods.for_measure(Measure::HedgesG) {
            push_as(&mut results, Measure::HedgesG, m, continuous::hedges_g(&gt, &gc, m, level), &label, subset)?;
        }
        if opts.percent {
            let (pt, pc) = (GroupSummary::from_values(&pcts[t])?, GroupSummary::from_values(&pcts[c])?);
            let of_pct = Subset { outcome: Some("percent-change".into()), ..subset.clone() };
            for m in opts.methods.for_measure(Measure::HedgesG) {
                push_as(&mut results, Measure::HedgesG, m, continuous::hedges_g(&pt, &pc, m, level), &label, &of_pct)?;
            }
        }
        let m = opts.rank_method.unwrap_or_else(|| rank_method(&changes[t], Some(&changes[c])));
        push_as(&mut results, Measure::HodgesLehmann, m, rank::hodges_lehmann(&changes[t], &changes[c], m, level), &label, subset)?;
    }
    Ok((summaries, results))
}

/// Add `note` of the analysis of follow-up `fu` to `notes` (key, follow-ups): a note that reads
/// as one already there with `fu` in place of that one's follow-up joins it.
fn add_note(notes: &mut Vec<(String, Vec<String>)>, note: &str, fu: &str) {
    let key = replace_word(note, fu, "\u{1}");
    match notes.iter_mut().find(|(k, _)| *k == key) {
        Some((_, fus)) => {
            if key.contains('\u{1}') && !fus.iter().any(|f| f == fu) {
                fus.push(fu.to_string());
            }
        }
        None => notes.push((key, vec![fu.to_string()])),
    }
}

/// `s` with each occurrence of `word` that stands alone (no letter, digit or `_` on either side)
/// replaced by `with`.
fn replace_word(s: &str, word: &str, with: &str) -> String {
    if word.is_empty() {
        return s.to_string();
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back().or_else(|| out.chars().next_back());
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        out.push_str(if is_word(before) || is_word(after) { word } else { with });
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}


/// Analyse change from baseline; see the module doc.
pub fn change(pairs: &SubjectPairs, arms: &Arms, src: &ChangeSource, opts: &ChangeOptions) -> Result<Report> {
    let level = check_level(opts.level)?;
    opts.methods.validate("change", &CHOSEN_METHOD_MEASURES)?;
    if opts.covariates.len() > pairs.text.len() {
        return Err(Error::invalid("covariates", opts.covariates.len(), "one text column of the subject records per covariate"));
    }
    let (data, no_arm) = arm_data(pairs, arms, src, opts.percent)?;
    let subset = &src.subset;
    let (summaries, mut results) = arm_rows(&data, subset, opts, level)?;
    // The per-arm values are given back before the ANCOVA builds its design (the peak memory of
    // a large file is the larger of the two, not their sum); only the counts are kept.
    let data: Vec<ArmCount> = data.into_iter().map(|d| ArmCount { n: d.base.len(), label: d.label, missing: d.missing }).collect();
    // ANCOVA: one model over every arm of the analysis.
    let mut notes = Vec::new();
    if let Some(n) = &arms.note {
        notes.push(n.clone());
    }
    if arms.treatments.is_empty() {
        notes.push(format!("Single arm ({}): pre/post statistics only (no comparison, no ANCOVA).", arms.control));
    } else {
        ancova_rows(pairs, arms, src, opts, level, &mut results, &mut notes)?;
    }

    notes.push(format!("Change = {} − {}; percent change = 100·change/|baseline|.", src.followup, src.baseline));
    let missing: Vec<String> = data.iter().map(|d| format!("{} of {} in {}", d.missing, d.missing + d.n as u64, d.label)).collect();
    notes.push(format!("Subjects without both {} and {}, left out of the per-arm statistics: {}.", src.baseline, src.followup, missing.join(", ")));
    let flow = arms
        .shown_order()
        .filter_map(|k| data.get(k))
        .map(|d| super::FlowRow {
            group: d.label.clone(),
            subset: subset.clone(),
            in_file: d.missing + d.n as u64,
            analysed: d.n as u64,
            excluded: if d.missing > 0 { vec![super::Excluded { reason: format!("no {} or no {} value", src.baseline, src.followup), n: d.missing }] } else { Vec::new() },
            imputed: Vec::new(),
        })
        .collect();
    if no_arm > 0 {
        notes.push(format!("{no_arm} subjects without an arm label were left out."));
    }
    if pairs.incomplete_followup > 0 {
        notes.push(format!("{} subjects had only some of the follow-up visits and have no follow-up value.", pairs.incomplete_followup));
    }
    if let Some(f) = &src.filter {
        notes.push(format!("Rows kept: {f}."));
    }
    let title = format!(
        "{}{} to {} by {} ({})",
        subset.param.as_ref().map(|p| format!("{p}: ")).unwrap_or_default(),
        src.baseline,
        src.followup,
        src.arm_column,
        if arms.treatments.is_empty() {
            format!("{}, pre/post", arms.control)
        } else {
            arms.treatments.iter().map(|t| format!("{t} vs {}", arms.control)).collect::<Vec<_>>().join("; ")
        }
    );
    let inputs = json!({
        "file": src.file,
        "where": src.filter,
        "arm_column": src.arm_column,
        "arms": {"treatment": arms.treatments, "control": arms.control},
        "baseline": src.baseline,
        "followup": src.followup,
        "param": subset.param,
        "visit": subset.visit,
        "covariates": opts.covariates,
        "level": level,
        "n_pairs": data.iter().map(|d| (d.label.clone(), json!(d.n))).collect::<serde_json::Map<_, _>>(),
        "missing_pairs": data.iter().map(|d| (d.label.clone(), json!(d.missing))).collect::<serde_json::Map<_, _>>(),
    });
    let layout = Layout {
        title,
        comparison: "Change from baseline".into(),
        groups: data.iter().map(|d| GroupRow { label: d.label.clone(), count: d.n.to_string(), denominator: (d.n as u64 + d.missing).to_string() }).collect(),
        rate_scale: None,
        denominator_name: "n".into(),
        ..Default::default()
    };
    Ok(Report { results, summaries, notes, flow, ..Report::new("change", inputs, layout) })
}

/// A covariate not written `factor(x)` is numeric when every value is a number and categorical
/// when none is; values mixing numbers and text (`4O` in an age column, `n/a`), or infinite
/// numbers, are errors naming each line: never silently a factor with a level per value.
fn numeric_covariate(pairs: &SubjectPairs, rows: &[usize], src: &ChangeSource, name: &str, cells: &[Option<&str>]) -> Result<Option<Vec<f64>>> {
    use crate::ingest::reader::{num_problem, parse_num, Num};
    let nums: Vec<Num> = cells.iter().map(|c| c.map_or(Num::Missing, parse_num)).collect();
    let numbers = nums.iter().filter(|n| matches!(n, Num::Value(_))).count();
    let infinite = nums.iter().any(|n| matches!(n, Num::Infinite));
    let text = nums.iter().filter(|n| matches!(n, Num::Invalid)).count();
    if numbers == 0 && text > 0 && !infinite {
        return Ok(None);
    }
    if text > 0 || infinite {
        let mut problems = crate::ingest::table::Problems::new(&src.file);
        for ((n, c), &s) in nums.iter().zip(cells).zip(rows) {
            if matches!(n, Num::Invalid | Num::Infinite) {
                let v = c.unwrap_or_default();
                let why = match n {
                    Num::Infinite => num_problem(*n, v),
                    _ => format!("covariate '{name}' holds {numbers} numbers and {text} other value{}: fix them, or write factor({name}) to treat it as categorical", if text == 1 { "" } else { "s" }),
                };
                problems.push(pairs.line[s], name, v, why);
            }
        }
        problems.finish()?;
    }
    Ok(Some(nums.iter().map(|n| if let Num::Value(x) = n { *x } else { f64::NAN }).collect()))
}

/// Covariate columns as model columns: numeric as is, categorical as indicators.
fn covariate_columns(pairs: &SubjectPairs, rows: &[usize], src: &ChangeSource, names: &[String]) -> Result<Vec<(String, Vec<f64>)>> {
    let mut out = Vec::new();
    for (k, spec) in names.iter().enumerate() {
        let (name, factor) = covariate_name(spec);
        let cells: Vec<Option<&str>> = rows.iter().map(|&s| pairs.text[k].get(s)).collect();
        let numeric: Option<Vec<f64>> = if factor { None } else { numeric_covariate(pairs, rows, src, name, &cells)? };
        match numeric {
            Some(v) => out.push((name.to_string(), v)),
            None => {
                let mut levels: Vec<&str> = cells.iter().flatten().copied().collect();
                levels.sort_unstable();
                levels.dedup();
                if levels.len() < 2 {
                    return Err(Error::File { file: src.file.clone(), message: format!("covariate '{name}' has fewer than two levels among the subjects analysed") });
                }
                for l in &levels[1..] {
                    out.push((format!("{name}={l}"), cells.iter().map(|c| c.map_or(f64::NAN, |t| f64::from(u8::from(t == *l)))).collect()));
                }
            }
        }
    }
    Ok(out)
}

/// `v` at `rows`, or `v` itself when every row is taken.
fn picked<'a>(v: &'a [f64], rows: &Option<Vec<usize>>) -> std::borrow::Cow<'a, [f64]> {
    match rows {
        None => std::borrow::Cow::Borrowed(v),
        Some(r) => std::borrow::Cow::Owned(r.iter().map(|&s| v[s]).collect()),
    }
}

fn ancova_rows(pairs: &SubjectPairs, arms: &Arms, src: &ChangeSource, opts: &ChangeOptions, level: f64, results: &mut Vec<Estimate>, notes: &mut Vec<String>) -> Result<()> {
    // Each subject's arm (0 = the first treatment, …, the control last); the model reads the
    // subjects' own value vectors when every subject is in an analysed arm (no copies).
    let pos = |s: usize| pairs.arm.get(s).and_then(|a| arms.position(a));
    let rows: Option<Vec<usize>> = if (0..pairs.len()).all(|s| pos(s).is_some()) { None } else { Some((0..pairs.len()).filter(|&s| pos(s).is_some()).collect()) };
    let subjects = || -> Box<dyn Iterator<Item = usize> + '_> {
        match &rows {
            None => Box::new(0..pairs.len()),
            Some(r) => Box::new(r.iter().copied()),
        }
    };
    let (outcome, baseline) = (picked(&pairs.followup, &rows), picked(&pairs.baseline, &rows));
    let covs = if opts.covariates.is_empty() {
        Vec::new()
    } else {
        let rows: Vec<usize> = subjects().collect();
        covariate_columns(pairs, &rows, src, &opts.covariates)?
    };
    let subset = &src.subset;
    // One model for every arm: the first treatment is `treated`, each other treatment an
    // indicator column; each treatment's difference is its coefficient (control = reference).
    let treated: Vec<bool> = subjects().map(|s| pos(s) == Some(0)).collect();
    let others: Vec<(String, Vec<f64>)> =
        (1..arms.treatments.len()).map(|o| (format!("arm={}", arms.treatments[o]), subjects().map(|s| f64::from(u8::from(pos(s) == Some(o)))).collect())).collect();
    drop(rows);
    let all_covs: Vec<(&str, &[f64])> = others.iter().chain(covs.iter()).map(|(n, v)| (n.as_str(), v.as_slice())).collect();
    let fit = ancova(&AncovaInput { outcome: &outcome, treated: &treated, baseline: &baseline, covariates: &all_covs }, level);
    for (t, tlabel) in arms.treatments.iter().enumerate() {
        let label = format!("{tlabel} vs {}", arms.control);
        let r = match (&fit, t) {
            (Err(e), _) => Err(e.clone()),
            (Ok(f), 0) => Ok(f.difference.clone()),
            (Ok(f), _) => f.difference_of(&others[t - 1].0).ok_or_else(|| Error::invalid("ANCOVA column", &others[t - 1].0, "an arm column of the model")),
        };
        push_as(results, Measure::AncovaDifference, Method::Exact, r, &label, subset)?;
    }
    let adj = if opts.covariates.is_empty() { "baseline".to_string() } else { format!("baseline, {}", opts.covariates.join(", ")) };
    notes.push(format!(
        "ANCOVA: {} ~ arm + {adj} (ordinary least squares, complete cases, {} as reference{}).",
        src.followup,
        arms.control,
        if arms.treatments.len() > 1 { ", one model for all arms" } else { "" }
    ));
    Ok(())
}

/// A file whose arm column holds one label (a single-arm study, or one arm kept by `--where`),
/// with no treatment named: that arm alone, for a pre/post analysis. `None` otherwise (the usual
/// treatment-vs-control resolution applies).
fn single_arm(file: &crate::ingest::table::CsvFile, arm_column: &str, choice: &super::arms::ArmChoice) -> Result<Option<Arms>> {
    if !choice.treatment.is_empty() {
        return Ok(None);
    }
    let counts = crate::ingest::table::value_counts(file, arm_column)?;
    match counts.as_slice() {
        [(only, _)] if choice.control.as_ref().is_none_or(|c| c == only) => {
            Ok(Some(Arms { control: only.clone(), treatments: Vec::new(), note: None, aliases: Vec::new() }))
        }
        _ => Ok(None),
    }
}

/// A `trialstat change` request on a file: which values are baseline and follow-up, for which
/// parameters, and which arms.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeSpec {
    pub arms: super::arms::ArmChoice,
    /// Baseline column (wide files, or a subject-level column such as `BASE` in a long file).
    pub baseline: Option<String>,
    /// Baseline visit (long files).
    pub baseline_visit: Option<String>,
    /// Follow-up columns (wide files): one analysis each.
    pub followup: Vec<String>,
    /// Follow-up visits (long files): one analysis each, or one combined by `aggregate`.
    pub followup_visits: Vec<String>,
    pub aggregate: Option<crate::ingest::subjects::Aggregate>,
    /// Parameters to analyse (long files with a parameter column); empty = every parameter.
    pub params: Vec<String>,
    pub options: ChangeOptions,
}

/// Run `trialstat change` on a file: one analysis per parameter × follow-up visit (or
/// follow-up column), merged into one report in that order.
pub fn change_file(file: &crate::ingest::table::CsvFile, overrides: &crate::ingest::layout::Overrides, spec: &ChangeSpec) -> Result<Report> {
    by_visit(file, overrides, spec, false)
}

/// Run `trialstat endpoint` on a file: the arms compared on the values of each follow-up column
/// (wide) or visit (long) of `spec` ([`super::endpoint::endpoint`]); `spec`'s baseline and
/// covariates must be empty.
pub fn endpoint_file(file: &crate::ingest::table::CsvFile, overrides: &crate::ingest::layout::Overrides, spec: &ChangeSpec) -> Result<Report> {
    if spec.baseline.is_some() || spec.baseline_visit.is_some() || !spec.options.covariates.is_empty() {
        return Err(Error::invalid("baseline/covariates", "given", "none for an endpoint comparison (use `change` for change from baseline and ANCOVA)"));
    }
    by_visit(file, overrides, spec, true)
}

/// One analysis of a change or endpoint request: its subset (parameter, visit), baseline
/// source (none for an endpoint) and follow-up source.
type Planned = (Subset, Option<crate::ingest::subjects::ValueSource>, crate::ingest::subjects::ValueSource);

/// `values` (given with `flag`) must each be a value of `column`; else an error listing them,
/// with the closest.
fn check_present(file: &crate::ingest::table::CsvFile, flag: &str, column: &str, values: &[String], present: &[String]) -> Result<()> {
    for v in values {
        if !present.contains(v) {
            let hint = crate::ingest::closest(v, present.iter().map(String::as_str)).map(|c| format!(" (did you mean '{c}'?)")).unwrap_or_default();
            return Err(Error::invalid(flag, format!("'{v}'"), format!("a value of column '{column}' in {}{hint}: {}", file.name, present.join(", "))));
        }
    }
    Ok(())
}

/// The analyses of a long file: per parameter (all, or those asked for), per follow-up visit
/// (all but the baseline, or those asked for; one combined visit with an aggregate). Sets the
/// visit, value and parameter columns of `q`.
fn plan_long(file: &crate::ingest::table::CsvFile, roles: &crate::ingest::layout::Roles, spec: &ChangeSpec, endpoint: bool, q: &mut crate::ingest::subjects::PairQuery) -> Result<Vec<Planned>> {
    use crate::ingest::subjects::{Aggregate, ValueSource};
    use crate::ingest::table::distinct;
    let visit = roles.visit.clone().ok_or_else(|| Error::File { file: file.name.clone(), message: "no visit column recognised; name it with --visit".into() })?;
    q.visit = Some(visit.clone());
    q.value = Some(roles.value.clone().ok_or_else(|| Error::File {
        file: file.name.clone(),
        message: format!("no value column recognised; name it with --value; columns present: {}", file.columns.join(", ")),
    })?);
    q.param_column = roles.param.clone();
    let baseline = match (&spec.baseline_visit, &spec.baseline) {
        _ if endpoint => None,
        (Some(v), _) => Some(ValueSource::Visits { visits: vec![v.clone()], aggregate: Aggregate::Mean }),
        (None, Some(c)) => Some(ValueSource::Column(crate::ingest::layout::require_column(&file.name, "--baseline", c, &file.columns)?)),
        (None, None) => return Err(Error::invalid("baseline", "not given", "--baseline-visit VISIT (or --baseline COLUMN for a subject-level baseline column)")),
    };
    let visits_present = distinct(file, &visit)?;
    let mut fus = spec.followup_visits.clone();
    if fus.is_empty() {
        fus = visits_present.iter().filter(|v| Some(*v) != spec.baseline_visit.as_ref()).cloned().collect();
    }
    check_present(file, "--followup-visit", &visit, &fus, &visits_present)?;
    check_present(file, "--baseline-visit", &visit, spec.baseline_visit.as_slice(), &visits_present)?;
    let params: Vec<Option<String>> = match &roles.param {
        None => vec![None],
        Some(pc) => {
            let present = distinct(file, pc)?;
            let chosen = if spec.params.is_empty() { present.clone() } else { spec.params.clone() };
            check_present(file, "--paramcd", pc, &chosen, &present)?;
            chosen.into_iter().map(Some).collect()
        }
    };
    let mut plan = Vec::new();
    for p in params {
        match spec.aggregate {
            Some(agg) => plan.push((Subset { param: p.clone(), visit: Some(fus.join("+")), ..Default::default() }, baseline.clone(), ValueSource::Visits { visits: fus.clone(), aggregate: agg })),
            None => {
                for v in &fus {
                    plan.push((Subset { param: p.clone(), visit: Some(v.clone()), ..Default::default() }, baseline.clone(), ValueSource::Visits { visits: vec![v.clone()], aggregate: Aggregate::Mean }));
                }
            }
        }
    }
    Ok(plan)
}

/// The analyses of a wide file: one per follow-up column.
fn plan_wide(file: &crate::ingest::table::CsvFile, spec: &ChangeSpec, endpoint: bool) -> Result<Vec<Planned>> {
    use crate::ingest::subjects::ValueSource;
    let need = |flag: &str, name: &str| crate::ingest::layout::require_column(&file.name, flag, name, &file.columns);
    let b = match &spec.baseline {
        _ if endpoint => None,
        Some(b) => Some(ValueSource::Column(need("--baseline", b)?)),
        None => return Err(Error::invalid("baseline", "not given", "--baseline COLUMN and --followup COLUMN (wide file), or --baseline-visit and --followup-visit (long file)")),
    };
    if spec.followup.is_empty() {
        return Err(Error::invalid("--followup", "not given", "the follow-up column(s), e.g. --followup pk5"));
    }
    spec.followup
        .iter()
        .map(|f| {
            let f = need("--followup", f)?;
            Ok((Subset { visit: Some(f.clone()), ..Default::default() }, b.clone(), ValueSource::Column(f)))
        })
        .collect()
}

/// One `change` (or, with `endpoint`, one endpoint comparison) per parameter × follow-up.
fn by_visit(file: &crate::ingest::table::CsvFile, overrides: &crate::ingest::layout::Overrides, spec: &ChangeSpec, endpoint: bool) -> Result<Report> {
    use crate::ingest::layout::{detect, require_column};
    use crate::ingest::subjects::{subject_pairs, PairQuery};
    let d = detect(&file.name, &file.columns, overrides)?;
    let roles = &d.roles;
    let arm = d.arm_column(&file.name, &file.columns, "arm")?;
    let need = |flag: &str, name: &str| require_column(&file.name, flag, name, &file.columns);
    let numbers = spec.baseline.iter().chain(&spec.followup).map(String::as_str);
    file.preload(roles, spec.options.covariates.iter().map(String::as_str), numbers)?;
    let single = if endpoint { None } else { single_arm(file, &arm, &spec.arms)? };
    let arms = single.map_or_else(|| super::arms::resolve_in_file(file, &arm, &spec.arms), Ok)?;
    // Covariates as named (`factor(...)` kept), and the columns they read.
    let mut covariates: Vec<String> = Vec::new();
    let mut covariate_cols: Vec<String> = Vec::new();
    for c in &spec.options.covariates {
        let (name, factor) = covariate_name(c);
        let column = need("--covariates", name)?;
        covariates.push(if factor { format!("factor({column})") } else { column.clone() });
        covariate_cols.push(column);
    }
    let long = spec.baseline_visit.is_some() || !spec.followup_visits.is_empty();
    let mut q = PairQuery { arm: arm.clone(), subject: roles.subject.clone(), text: covariate_cols, ..Default::default() };
    let plan = if long { plan_long(file, roles, spec, endpoint, &mut q)? } else { plan_wide(file, spec, endpoint)? };
    let mut merged: Option<Report> = None;
    // Notes once: those that differ only in the follow-up ("Change = pk2 − pk1", "Change = pk5 −
    // pk1") become one ("Change = pk2 and pk5 − pk1").
    let mut notes: Vec<(String, Vec<String>)> = Vec::new();
    let mut analyses = Vec::new();
    // The follow-ups of the merged analyses, for a title readers can read ("pk1 to pk2 and pk5
    // by group (1 vs 0)").
    let mut followups: Vec<String> = Vec::new();
    for (subset, bsrc, fsrc) in plan {
        let mut q = q.clone();
        q.param = subset.param.clone();
        q.baseline = bsrc.clone();
        q.followup = Some(fsrc.clone());
        let pairs = subject_pairs(file, &q)?;
        let src = ChangeSource {
            file: file.name.clone(),
            arm_column: arm.clone(),
            baseline: bsrc.as_ref().map(|b| b.describe(q.value.as_deref(), q.visit.as_deref())).unwrap_or_default(),
            followup: fsrc.describe(q.value.as_deref(), q.visit.as_deref()),
            subset,
            filter: file.filter.as_ref().map(|f| f.text.clone()),
        };
        let opts = ChangeOptions { covariates: covariates.clone(), ..spec.options.clone() };
        let r = if endpoint { super::endpoint::endpoint(&pairs, &arms, &src, &opts)? } else { change(&pairs, &arms, &src, &opts)? };
        analyses.push(r.inputs.clone());
        followups.push(src.followup.clone());
        for n in &r.notes {
            add_note(&mut notes, n, &src.followup);
        }
        let baseline_text = src.baseline.clone();
        merged = Some(match merged {
            None => r,
            Some(mut m) => {
                m.results.extend(r.results);
                m.summaries.extend(r.summaries);
                m.flow.extend(r.flow);
                let by = m.layout.title.find(" by ").map_or(String::new(), |i| m.layout.title[i..].to_string());
                m.layout.title = if baseline_text.is_empty() { format!("{}{by}", followups.join(" and ")) } else { format!("{baseline_text} to {}{by}", followups.join(" and ")) };
                m
            }
        });
    }
    let mut report = merged.ok_or_else(|| Error::invalid("follow-up", "none", "at least one follow-up visit or column"))?;
    report.notes = notes.into_iter().map(|(key, fus)| key.replace('\u{1}', &crate::fmt::and_list(&fus, ", "))).collect();
    if analyses.len() > 1 {
        report.inputs = json!({"file": file.name, "analyses": analyses});
    }
    Ok(report)
}
