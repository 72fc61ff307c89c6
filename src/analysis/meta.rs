//! Meta-analysis of a study-level file (`trialstat meta`): one row per study (or, with
//! `--study` and `--arm`, one row per study and arm), its effect size recognised from the header,
//! pooled by the common-effect and random-effects models of [`crate::stats::meta`].
//!
//! # Inputs, recognised from the header (names compared case-insensitively; `--map` overrides)
//! * events and totals per arm: `ai, n1i, ci, n2i` (metafor), `event.e, n.e, event.c, n.c`
//!   (R meta), `events1, n1, events2, n2`, `events_t, n_t, events_c, n_c`;
//! * 2×2 cells: `ai, bi, ci, di`, `tpos, tneg, cpos, cneg` (the first arm's events and non-events,
//!   then the second's);
//! * means, SDs and sizes: `m1i, sd1i, n1i, m2i, sd2i, n2i`, `mean.e, sd.e, n.e, mean.c, sd.c,
//!   n.c`, `mean1, sd1, n1, mean2, sd2, n2`;
//! * an estimate with its standard error (`yi, sei`; `te, sete`; `estimate, se`) or variance
//!   (`yi, vi`), on the analysis scale (log for ratios);
//! * an estimate with its CI (`estimate, lower, upper`; also `ci.lb, ci.ub`, `lcl, ucl`) on the
//!   scale printed (ratios are logged), SE = (upper − lower)/(2 z) at `--ci-level` (default 95%).
//!
//! The first arm is the experimental one, the second the control. The study label is the
//! `study`, `author`, `trial`, `source`, `name` or `id` column, with `year` appended when that
//! makes labels unique.
//!
//! # Zero cells
//! A study with a zero cell gets ½ in each cell (metafor's default); a study with no events (or
//! only events) in both arms is left out of ratio measures (`--keep-double-zero` keeps it,
//! corrected); Mantel–Haenszel and Peto use the tables as they are. The notes list the studies
//! corrected and left out.

use super::{Layout, Report, TableKind};
use crate::error::{Error, Result};
use crate::ingest::table::{column, numbers, CsvFile, Problems};
use crate::stats::meta::{self as m, EffectMeasure, MetaFit, MetaOptions, MetaTest, Tau2Method};
use crate::stats::{Ci, Estimate, Measure, Method, Subset};
use serde::Serialize;

/// What the studies' effects are, as the user names it (`--measure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetaMeasure {
    Rr,
    Or,
    Rd,
    PetoOr,
    Md,
    Smd,
    Rom,
    /// Hazard ratios given as estimates (pooled on the log scale).
    Hr,
    /// Estimates on their own scale, pooled as they are.
    Generic,
}

impl MetaMeasure {
    pub const ALL: [MetaMeasure; 9] = [MetaMeasure::Rr, MetaMeasure::Or, MetaMeasure::Rd, MetaMeasure::PetoOr, MetaMeasure::Md, MetaMeasure::Smd, MetaMeasure::Rom, MetaMeasure::Hr, MetaMeasure::Generic];

    pub fn name(self) -> &'static str {
        match self {
            MetaMeasure::Rr => "RR",
            MetaMeasure::Or => "OR",
            MetaMeasure::Rd => "RD",
            MetaMeasure::PetoOr => "PETO-OR",
            MetaMeasure::Md => "MD",
            MetaMeasure::Smd => "SMD",
            MetaMeasure::Rom => "ROM",
            MetaMeasure::Hr => "HR",
            MetaMeasure::Generic => "generic",
        }
    }

    /// `RR`, `or`, `peto-or`, `smd`, … (case-insensitive; `PETO` for `PETO-OR`).
    pub fn parse(key: &str, s: &str) -> Result<MetaMeasure> {
        let u = s.trim().to_ascii_uppercase().replace('_', "-");
        let u = if u == "PETO" { "PETO-OR".to_string() } else { u };
        MetaMeasure::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(&u))
            .ok_or_else(|| Error::invalid(key, format!("'{s}'"), format!("one of {}", MetaMeasure::ALL.map(|m| m.name()).join(", "))))
    }

    /// The measure of the estimates in the output.
    pub fn measure(self) -> Measure {
        match self {
            MetaMeasure::Rr => Measure::RiskRatio,
            MetaMeasure::Or => Measure::OddsRatio,
            MetaMeasure::Rd => Measure::RiskDifference,
            MetaMeasure::PetoOr => Measure::PetoOddsRatio,
            MetaMeasure::Md => Measure::MeanDifference,
            MetaMeasure::Smd => Measure::HedgesG,
            MetaMeasure::Rom => Measure::RatioOfMeans,
            MetaMeasure::Hr => Measure::HazardRatio,
            MetaMeasure::Generic => Measure::Effect,
        }
    }

    /// Pooled on the log scale and reported exponentiated.
    pub fn is_ratio(self) -> bool {
        matches!(self, MetaMeasure::Rr | MetaMeasure::Or | MetaMeasure::PetoOr | MetaMeasure::Rom | MetaMeasure::Hr)
    }

    fn effect(self) -> EffectMeasure {
        match self {
            MetaMeasure::Rr => EffectMeasure::Rr,
            MetaMeasure::Or => EffectMeasure::Or,
            MetaMeasure::Rd => EffectMeasure::Rd,
            MetaMeasure::PetoOr => EffectMeasure::PetoOr,
            MetaMeasure::Md => EffectMeasure::Md,
            MetaMeasure::Smd => EffectMeasure::Smd,
            MetaMeasure::Rom => EffectMeasure::Rom,
            MetaMeasure::Hr | MetaMeasure::Generic => EffectMeasure::Generic,
        }
    }

    /// The method of a single study's CI, y ∓ z√v (on the log scale for ratios).
    fn study_method(self) -> Method {
        match self {
            MetaMeasure::Rr => Method::KatzLog,
            MetaMeasure::Or => Method::Woolf,
            MetaMeasure::PetoOr => Method::Peto,
            MetaMeasure::Smd => Method::NormalApprox,
            _ => Method::Wald,
        }
    }
}

/// The prediction interval's critical value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PiMethod {
    /// t on k − 2 df (Higgins, Thompson & Spiegelhalter 2009; the Cochrane Handbook, R meta).
    #[default]
    T,
    /// metafor's `predict`: z (t on k − 1 df under Hartung–Knapp).
    Metafor,
}

/// The kinds of input a study file can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    Counts,
    Cells,
    Means,
    EstimateSe,
    EstimateVariance,
    EstimateCi,
}

impl InputKind {
    pub const ALL: [InputKind; 6] = [InputKind::Counts, InputKind::Cells, InputKind::Means, InputKind::EstimateSe, InputKind::EstimateVariance, InputKind::EstimateCi];

    pub fn name(self) -> &'static str {
        match self {
            InputKind::Counts => "counts",
            InputKind::Cells => "cells",
            InputKind::Means => "means",
            InputKind::EstimateSe => "estimate-se",
            InputKind::EstimateVariance => "estimate-variance",
            InputKind::EstimateCi => "estimate-ci",
        }
    }

    pub fn parse(key: &str, s: &str) -> Result<InputKind> {
        InputKind::ALL.into_iter().find(|k| k.name().eq_ignore_ascii_case(s.trim())).ok_or_else(|| Error::invalid(key, format!("'{s}'"), format!("one of {}", InputKind::ALL.map(|k| k.name()).join(", "))))
    }

    /// The roles of its columns, in order.
    fn roles(self) -> &'static [&'static str] {
        match self {
            InputKind::Counts => &["events1", "n1", "events2", "n2"],
            InputKind::Cells => &["events1", "nonevents1", "events2", "nonevents2"],
            InputKind::Means => &["mean1", "sd1", "n1", "mean2", "sd2", "n2"],
            InputKind::EstimateSe => &["estimate", "se"],
            InputKind::EstimateVariance => &["estimate", "variance"],
            InputKind::EstimateCi => &["estimate", "lower", "upper"],
        }
    }
}

/// Header names recognised for each role (lower case).
fn aliases(role: &str) -> &'static [&'static str] {
    match role {
        "events1" => &["ai", "event.e", "events.e", "events1", "events_t", "e1", "tpos", "events_treatment"],
        "n1" => &["n1i", "n.e", "n1", "n_t", "total1", "n_treatment"],
        "events2" => &["ci", "event.c", "events.c", "events2", "events_c", "e2", "cpos", "events_control"],
        "n2" => &["n2i", "n.c", "n2", "n_c", "total2", "n_control"],
        "nonevents1" => &["bi", "tneg"],
        "nonevents2" => &["di", "cneg"],
        "mean1" => &["m1i", "mean.e", "mean1", "mean_t"],
        "sd1" => &["sd1i", "sd.e", "sd1", "sd_t"],
        "mean2" => &["m2i", "mean.c", "mean2", "mean_c"],
        "sd2" => &["sd2i", "sd.c", "sd2", "sd_c"],
        "estimate" => &["yi", "te", "estimate", "est", "effect", "rr", "or", "hr", "md", "smd"],
        "se" => &["sei", "sete", "se", "std.error", "stderr"],
        "variance" => &["vi", "var", "variance"],
        "lower" => &["lower", "ci.lb", "lcl", "ci_lower", "lower.ci", "ll"],
        "upper" => &["upper", "ci.ub", "ucl", "ci_upper", "upper.ci", "ul"],
        "study" => &["study", "author", "studlab", "trial", "source", "name", "id"],
        "year" => &["year"],
        // Long files: per arm.
        "events" => &["events", "event", "deaths", "death", "responders", "cases", "r"],
        "n" => &["n", "total", "randomized", "randomised", "size"],
        "mean" => &["mean"],
        "sd" => &["sd"],
        _ => &[],
    }
}

/// A `trialstat meta` request.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaRequest {
    /// `None`: RR for counts, MD for means, generic for estimates.
    pub measure: Option<MetaMeasure>,
    /// `None`: recognised from the header.
    pub input: Option<InputKind>,
    /// `role=column` overrides of the recognised columns.
    pub map: Vec<(String, String)>,
    /// The study label column (and, for long files, the study key).
    pub study: Option<String>,
    /// Long files: the arm column, and which arm is compared with which.
    pub arm: Option<String>,
    pub treatment: Option<String>,
    pub control: Option<String>,
    /// Labels of the two arms (default: from the long file's arms, else "experimental" and
    /// "control").
    pub labels: Option<[String; 2]>,
    pub subgroup: Option<String>,
    pub moderator: Option<String>,
    /// Random-effects τ² estimator (default REML).
    pub method: Tau2Method,
    pub test: MetaTest,
    pub pi: PiMethod,
    pub level: f64,
    /// Level of CIs given as input (default 0.95).
    pub ci_level: Option<f64>,
    pub keep_double_zero: bool,
    pub leave_one_out: bool,
    /// Cumulative meta-analysis in the order of this column (`Some("")`: file order).
    pub cumulative: Option<String>,
    pub egger: bool,
    pub trim_fill: bool,
    /// The outcome is beneficial (responders): "favours" labels flip.
    pub beneficial: bool,
    /// Most Fisher-scoring iterations of the random-effects τ² (REML, ML, EB; default 10,000).
    pub max_iter: Option<usize>,
}

impl Default for MetaRequest {
    fn default() -> Self {
        MetaRequest {
            measure: None,
            input: None,
            map: Vec::new(),
            study: None,
            arm: None,
            treatment: None,
            control: None,
            labels: None,
            subgroup: None,
            moderator: None,
            method: Tau2Method::Reml,
            test: MetaTest::Z,
            pi: PiMethod::T,
            level: 0.95,
            ci_level: None,
            keep_double_zero: false,
            leave_one_out: false,
            cumulative: None,
            egger: false,
            trim_fill: false,
            beneficial: false,
            max_iter: None,
        }
    }
}

/// One study's data as read.
#[derive(Debug, Clone, PartialEq)]
pub enum StudyData {
    /// Events and totals: (a of n₁, c of n₂).
    Counts { a: f64, n1: f64, c: f64, n2: f64 },
    Means { m1: f64, sd1: f64, n1: f64, m2: f64, sd2: f64, n2: f64 },
    /// An estimate on the analysis scale with its variance.
    Estimate { yi: f64, vi: f64 },
    /// An estimate with its CI as printed (ratios on their own scale).
    EstimateCi { estimate: f64, lower: f64, upper: f64 },
}

/// One study as read from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyInput {
    pub label: String,
    /// The file line (the first of its rows in a long file).
    pub line: u64,
    /// `None`: a row whose values are all missing (left out with a note).
    pub data: Option<StudyData>,
    pub subgroup: Option<String>,
    pub moderator: Option<f64>,
    /// The value ordering a cumulative analysis (text; numbers compare as numbers).
    pub order: Option<String>,
}

/// One study in the report (the forest plot's rows).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaStudy {
    pub study: String,
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subgroup: Option<String>,
    /// The arms as printed: "18/100" or "55 (47) 155" (mean (SD) n), experimental first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arms: Option<[String; 2]>,
    /// Effect size and sampling variance on the analysis scale (log for ratios).
    #[serde(serialize_with = "crate::stats::result::ser_opt_f64")]
    pub yi: Option<f64>,
    #[serde(serialize_with = "crate::stats::result::ser_opt_f64")]
    pub vi: Option<f64>,
    /// Weights in percent of the common-effect and random-effects models (of the subgroup
    /// when subgroups are given).
    #[serde(serialize_with = "crate::stats::result::ser_opt_f64")]
    pub weight_common: Option<f64>,
    #[serde(serialize_with = "crate::stats::result::ser_opt_f64")]
    pub weight_random: Option<f64>,
    /// ½ added to each cell.
    pub corrected: bool,
    /// Why the study is not in the pooled estimates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<String>,
    /// A study imputed by trim and fill (`study` names the one it mirrors); not in the pooled
    /// estimates other than trim and fill's own.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub filled: bool,
}

/// Columns found for one kind of input: (role, column).
type Mapped = Vec<(&'static str, String)>;

fn find_column(columns: &[String], role: &str, map: &[(String, String)]) -> Option<String> {
    if let Some((_, c)) = map.iter().find(|(r, _)| r == role) {
        return Some(c.clone());
    }
    aliases(role).iter().find_map(|a| columns.iter().find(|c| c.trim().eq_ignore_ascii_case(a)).cloned())
}

/// The input kind and its columns: the one asked for, else the first kind whose roles are all
/// present (cells before counts, as `ai`/`ci` serve both; estimates with an SE before a CI).
fn recognise(file: &str, columns: &[String], req: &MetaRequest, long: bool) -> Result<(InputKind, Mapped)> {
    let roles_of = |k: InputKind| -> Vec<&'static str> {
        if long {
            match k {
                InputKind::Counts => vec!["events", "n"],
                InputKind::Means => vec!["mean", "sd", "n"],
                _ => vec![],
            }
        } else {
            k.roles().to_vec()
        }
    };
    let try_kind = |k: InputKind| -> Option<Mapped> {
        let roles = roles_of(k);
        if roles.is_empty() {
            return None;
        }
        roles.iter().map(|r| find_column(columns, r, &req.map).map(|c| (*r, c))).collect()
    };
    let order = [InputKind::Cells, InputKind::Counts, InputKind::Means, InputKind::EstimateSe, InputKind::EstimateVariance, InputKind::EstimateCi];
    let found = match req.input {
        Some(k) => try_kind(k).map(|m| (k, m)),
        None => order.into_iter().find_map(|k| try_kind(k).map(|m| (k, m))),
    };
    let (kind, mapped) = found.ok_or_else(|| {
        let what = match req.input {
            Some(k) => format!("the columns of --input {} ({})", k.name(), roles_of(k).iter().map(|r| format!("{r}: {}", aliases(r).join("/"))).collect::<Vec<_>>().join("; ")),
            None if long => "per arm: events and n (events/deaths/responders, n/total/randomized) or mean, sd and n".into(),
            None => "events and totals (ai, n1i, ci, n2i), 2×2 cells (ai, bi, ci, di), means (m1i, sd1i, n1i, m2i, sd2i, n2i), an estimate with its SE (yi, sei) or variance (yi, vi), or an estimate with its CI (estimate, lower, upper)".into(),
        };
        Error::File { file: file.to_string(), message: format!("no study-level input recognised in the header ({}); expected {what}. Name columns with --map role=column (roles: events1, n1, events2, n2, nonevents1, nonevents2, mean1, sd1, mean2, sd2, estimate, se, variance, lower, upper; long files: events, n, mean, sd)", columns.join(", ")) }
    })?;
    for (r, c) in &mapped {
        if !columns.iter().any(|x| x == c) {
            return Err(Error::invalid(format!("--map {r}"), format!("'{c}'"), format!("a column of {file}: {}", columns.join(", "))));
        }
    }
    Ok((kind, mapped))
}

/// The studies of a file as read.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyFile {
    pub kind: InputKind,
    pub studies: Vec<StudyInput>,
    /// What was done while reading (rows left out, labels made unique, the control recognised).
    pub notes: Vec<String>,
    /// A long file's two arms (experimental, control).
    pub labels: Option<[String; 2]>,
    /// The columns read, for messages ("ai, n1i, ci, n2i").
    pub columns: String,
}

/// Read the studies of `file`; see the module doc. Every unreadable value is reported at once
/// (file, line, column, value).
pub fn read_studies(file: &CsvFile, req: &MetaRequest) -> Result<StudyFile> {
    let long = req.arm.is_some();
    let (kind, mapped) = recognise(&file.name, &file.columns, req, long)?;
    let study_col = match &req.study {
        Some(s) => Some(crate::ingest::layout::require_column(&file.name, "--study", s, &file.columns)?),
        None => find_column(&file.columns, "study", &req.map),
    };
    if long && study_col.is_none() {
        return Err(Error::invalid("--study", "not given", format!("the column of {} that names each row's study (a long file has one row per study and arm)", file.name)));
    }
    let year_col = if long { None } else { find_column(&file.columns, "year", &req.map) };
    let check = |flag: &str, c: &Option<String>| -> Result<Option<String>> { c.as_ref().filter(|c| !c.is_empty()).map(|c| crate::ingest::layout::require_column(&file.name, flag, c, &file.columns)).transpose() };
    let subgroup_col = check("--subgroup", &req.subgroup)?;
    let moderator_col = check("--moderator", &req.moderator)?;
    let order_col = check("--cumulative", &req.cumulative)?;
    let arm_col = check("--arm", &req.arm)?;
    let mut text: Vec<&str> = [&study_col, &year_col, &subgroup_col, &order_col, &arm_col].into_iter().flatten().map(String::as_str).collect();
    let mut nums: Vec<&str> = mapped.iter().map(|(_, c)| c.as_str()).collect();
    nums.extend(moderator_col.as_deref());
    text.sort_unstable();
    text.dedup();
    let t = file.load_typed(&text, &nums)?;
    let rows = file.select(&t, &[])?;
    let mut problems = Problems::new(&file.name);
    let num_cols: Vec<(&str, &str, crate::ingest::reader::Numbers)> = mapped.iter().map(|(r, c)| Ok((*r, c.as_str(), numbers(&t, c)?))).collect::<Result<_>>()?;
    let text_of = |c: &Option<String>, r: usize| -> Result<Option<String>> {
        match c {
            Some(c) => Ok(column(&t, c)?.text(r).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())),
            None => Ok(None),
        }
    };
    // Per row: role values (None = missing).
    struct Row {
        line: u64,
        study: Option<String>,
        year: Option<String>,
        arm: Option<String>,
        values: Vec<Option<f64>>,
        subgroup: Option<String>,
        moderator: Option<f64>,
        order: Option<String>,
    }
    let mut read = Vec::with_capacity(rows.len());
    let moderator_nums = moderator_col.as_deref().map(|c| numbers(&t, c)).transpose()?;
    for &r in &rows {
        let values = num_cols.iter().map(|(_, name, c)| problems.number(&t, c, name, r)).collect();
        let moderator = match (&moderator_nums, &moderator_col) {
            (Some(c), Some(name)) => problems.number(&t, c, name, r),
            _ => None,
        };
        read.push(Row { line: t.line(r), study: text_of(&study_col, r)?, year: text_of(&year_col, r)?, arm: text_of(&arm_col, r)?, values, subgroup: text_of(&subgroup_col, r)?, moderator, order: text_of(&order_col, r)? });
    }
    problems.finish()?;
    let mut notes = Vec::new();
    let mut labels = None;
    let mut studies = Vec::new();
    if let (true, Some(arm_name)) = (long, &arm_col) {
        let present: Vec<String> = {
            let mut p: Vec<String> = read.iter().filter_map(|r| r.arm.clone()).collect();
            p.sort();
            p.dedup();
            p
        };
        let choice = super::arms::ArmChoice { treatment: req.treatment.iter().cloned().collect(), control: req.control.clone(), merge_variants: false };
        let arms = super::arms::resolve(&file.name, arm_name, &present, &choice, file.filter.as_ref().map(|f| f.text.as_str()))?;
        if arms.treatments.len() != 1 {
            return Err(Error::invalid("--treatment", "not given", format!("the one arm of column '{arm_name}' to compare with '{}' (a pairwise meta-analysis compares two arms): one of {}", arms.control, arms.treatments.join(", "))));
        }
        notes.extend(arms.note.clone());
        let (tr, ctl) = (arms.treatments[0].clone(), arms.control.clone());
        labels = Some([tr.clone(), ctl.clone()]);
        // Studies in order of first appearance.
        let mut order: Vec<String> = Vec::new();
        for r in &read {
            if let Some(s) = &r.study {
                if !order.contains(s) {
                    order.push(s.clone());
                }
            } else {
                return Err(Error::Data { file: file.name.clone(), line: r.line, column: study_col.clone().unwrap_or_default(), value: String::new(), message: "a row without a study (--study column empty)".into() });
            }
        }
        let mut without = Vec::new();
        for s in order {
            let of_study: Vec<&Row> = read.iter().filter(|r| r.study.as_deref() == Some(s.as_str())).collect();
            let pick = |arm: &str| -> Result<Option<&Row>> {
                let hits: Vec<&&Row> = of_study.iter().filter(|r| r.arm.as_deref() == Some(arm)).collect();
                match hits.len() {
                    0 => Ok(None),
                    1 => Ok(Some(hits[0])),
                    _ => Err(Error::Data { file: file.name.clone(), line: hits[1].line, column: arm_name.clone(), value: arm.to_string(), message: format!("study '{s}' has more than one row for arm '{arm}' (lines {})", hits.iter().map(|h| h.line.to_string()).collect::<Vec<_>>().join(", ")) }),
                }
            };
            let (Some(x), Some(y)) = (pick(&tr)?, pick(&ctl)?) else {
                without.push(s);
                continue;
            };
            let data = match kind {
                InputKind::Counts => match (x.values[0], x.values[1], y.values[0], y.values[1]) {
                    (Some(a), Some(n1), Some(c), Some(n2)) => Some(StudyData::Counts { a, n1, c, n2 }),
                    _ => None,
                },
                _ => match (x.values[0], x.values[1], x.values[2], y.values[0], y.values[1], y.values[2]) {
                    (Some(m1), Some(sd1), Some(n1), Some(m2), Some(sd2), Some(n2)) => Some(StudyData::Means { m1, sd1, n1, m2, sd2, n2 }),
                    _ => None,
                },
            };
            studies.push(StudyInput { label: s, line: x.line.min(y.line), data, subgroup: x.subgroup.clone().or(y.subgroup.clone()), moderator: x.moderator.or(y.moderator), order: x.order.clone().or(y.order.clone()) });
        }
        if !without.is_empty() {
            notes.push(format!("Studies without both '{tr}' and '{ctl}' arms (not in this comparison): {}.", without.join(", ")));
        }
    } else {
        for (i, r) in read.iter().enumerate() {
            let v = &r.values;
            let all_missing = v.iter().all(Option::is_none);
            let data = if v.iter().any(Option::is_none) {
                None
            } else {
                let x: Vec<f64> = v.iter().flatten().copied().collect();
                Some(match kind {
                    InputKind::Counts => StudyData::Counts { a: x[0], n1: x[1], c: x[2], n2: x[3] },
                    InputKind::Cells => StudyData::Counts { a: x[0], n1: x[0] + x[1], c: x[2], n2: x[2] + x[3] },
                    InputKind::Means => StudyData::Means { m1: x[0], sd1: x[1], n1: x[2], m2: x[3], sd2: x[4], n2: x[5] },
                    InputKind::EstimateSe => StudyData::Estimate { yi: x[0], vi: x[1] * x[1] },
                    InputKind::EstimateVariance => StudyData::Estimate { yi: x[0], vi: x[1] },
                    InputKind::EstimateCi => StudyData::EstimateCi { estimate: x[0], lower: x[1], upper: x[2] },
                })
            };
            if data.is_none() && !all_missing {
                let missing: Vec<&str> = mapped.iter().zip(v).filter(|(_, x)| x.is_none()).map(|((_, c), _)| c.as_str()).collect();
                notes.push(format!("Line {}: {} missing; the study is left out.", r.line, missing.join(", ")));
            }
            let label = r.study.clone().unwrap_or_else(|| format!("study {}", i + 1));
            studies.push(StudyInput { label, line: r.line, data, subgroup: r.subgroup.clone(), moderator: r.moderator, order: r.order.clone() });
        }
        // Labels unique: append the year where that helps, then the line.
        let dup = |s: &[StudyInput]| {
            let mut l: Vec<&str> = s.iter().map(|x| x.label.as_str()).collect();
            l.sort_unstable();
            l.windows(2).any(|w| w[0] == w[1])
        };
        if dup(&studies) {
            if year_col.is_some() {
                for (s, r) in studies.iter_mut().zip(&read) {
                    if let Some(y) = &r.year {
                        s.label = format!("{} {y}", s.label);
                    }
                }
            }
            if dup(&studies) {
                let labels: Vec<String> = studies.iter().map(|s| s.label.clone()).collect();
                for s in studies.iter_mut() {
                    if labels.iter().filter(|l| **l == s.label).count() > 1 {
                        s.label = format!("{} (line {})", s.label, s.line);
                    }
                }
                notes.push("Study labels repeat: the file line is added to tell them apart.".into());
            }
        }
    }
    if let Some(c) = &req.cumulative {
        if !c.is_empty() {
            if let Some(s) = studies.iter().find(|s| s.order.is_none() && s.data.is_some()) {
                return Err(Error::Data { file: file.name.clone(), line: s.line, column: c.clone(), value: String::new(), message: format!("study '{}' has no value to order the cumulative analysis by", s.label) });
            }
        }
    }
    let columns = mapped.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>().join(", ");
    Ok(StudyFile { kind, studies, notes, labels, columns })
}


/// The measure used when none is named: RR for counts, MD for means, generic for estimates.
pub fn default_measure(kind: InputKind) -> MetaMeasure {
    match kind {
        InputKind::Counts | InputKind::Cells => MetaMeasure::Rr,
        InputKind::Means => MetaMeasure::Md,
        _ => MetaMeasure::Generic,
    }
}

/// The studies' effect sizes: (yi, vi) of the studies in the pooled analyses, their indices into
/// `studies`, the report rows, the 2×2 tables (for MH and Peto: every study with whole counts,
/// double-zero ones included) and notes.
struct Effects {
    yi: Vec<f64>,
    vi: Vec<f64>,
    used: Vec<usize>,
    rows: Vec<MetaStudy>,
    tables: Option<Vec<(u64, u64, u64, u64)>>,
    notes: Vec<String>,
}

fn arm_text(d: &StudyData) -> Option<[String; 2]> {
    let n = |x: f64| crate::fmt::sig(x, 6);
    match d {
        StudyData::Counts { a, n1, c, n2 } => Some([format!("{}/{}", n(*a), n(*n1)), format!("{}/{}", n(*c), n(*n2))]),
        StudyData::Means { m1, sd1, n1, m2, sd2, n2 } => Some([format!("{} ({}) {}", crate::fmt::sig(*m1, 4), crate::fmt::sig(*sd1, 4), n(*n1)), format!("{} ({}) {}", crate::fmt::sig(*m2, 4), crate::fmt::sig(*sd2, 4), n(*n2))]),
        _ => None,
    }
}

fn effects(file: &str, columns: &str, studies: &[StudyInput], measure: MetaMeasure, req: &MetaRequest) -> Result<Effects> {
    let level_in = crate::data::check_level(req.ci_level.unwrap_or(0.95))?;
    let z_in = crate::stats::dist::z_for_level(level_in);
    let (mut yi, mut vi, mut used, mut rows) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut tables = Some(Vec::new());
    let (mut corrected, mut double_zero, mut no_data, mut asymmetric) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let bad = |s: &StudyInput, value: String, message: String| Error::Data { file: file.to_string(), line: s.line, column: columns.to_string(), value, message: format!("study '{}': {message}", s.label) };
    for (i, s) in studies.iter().enumerate() {
        let mut row = MetaStudy { study: s.label.clone(), line: s.line, subgroup: s.subgroup.clone(), arms: s.data.as_ref().and_then(arm_text), yi: None, vi: None, weight_common: None, weight_random: None, corrected: false, left_out: None, filled: false };
        let Some(d) = &s.data else {
            row.left_out = Some("no data".into());
            no_data.push(format!("{} (line {})", s.label, s.line));
            rows.push(row);
            continue;
        };
        let effect = match *d {
            StudyData::Counts { a, n1, c, n2 } => {
                if !matches!(measure, MetaMeasure::Rr | MetaMeasure::Or | MetaMeasure::Rd | MetaMeasure::PetoOr) {
                    return Err(Error::invalid("--measure", measure.name(), "RR, OR, RD or PETO-OR for event counts"));
                }
                let whole = |x: f64| x >= 0.0 && x.fract() == 0.0 && x < 9.0e15;
                if !(whole(a) && whole(c) && whole(n1) && whole(n2)) || a > n1 || c > n2 || n1 == 0.0 || n2 == 0.0 {
                    return Err(bad(s, format!("{a}/{n1} vs {c}/{n2}"), "events and totals must be whole numbers, events between 0 and the arm's total, totals > 0".into()));
                }
                if let Some(t) = tables.as_mut() {
                    t.push((a as u64, n1 as u64, c as u64, n2 as u64));
                }
                let dz = (a == 0.0 && c == 0.0) || (a == n1 && c == n2);
                if dz && measure != MetaMeasure::Rd && (!req.keep_double_zero || measure == MetaMeasure::PetoOr) {
                    row.left_out = Some(if a == 0.0 { "no events in either arm".into() } else { "only events in both arms".into() });
                    double_zero.push(s.label.clone());
                    rows.push(row);
                    continue;
                }
                match m::count_effect(measure.effect(), a, n1, c, n2, false)? {
                    Some(e) => e,
                    None => {
                        row.left_out = Some("effect undefined".into());
                        double_zero.push(s.label.clone());
                        rows.push(row);
                        continue;
                    }
                }
            }
            StudyData::Means { m1, sd1, n1, m2, sd2, n2 } => {
                if !matches!(measure, MetaMeasure::Md | MetaMeasure::Smd | MetaMeasure::Rom) {
                    return Err(Error::invalid("--measure", measure.name(), "MD, SMD or ROM for means and SDs"));
                }
                if measure == MetaMeasure::Rom && !(m1 > 0.0 && m2 > 0.0) {
                    return Err(bad(s, format!("{m1}, {m2}"), "a ratio of means needs positive means".into()));
                }
                if measure == MetaMeasure::Smd && n1 + n2 < 3.0 {
                    return Err(bad(s, format!("{n1} + {n2}"), "an SMD needs at least 3 participants".into()));
                }
                m::mean_effect(measure.effect(), m1, sd1, n1, m2, sd2, n2).map_err(|e| bad(s, format!("{m1} ({sd1}) {n1}, {m2} ({sd2}) {n2}"), e.to_string()))?
            }
            StudyData::Estimate { yi, vi } => {
                if matches!(measure, MetaMeasure::Rr | MetaMeasure::Or | MetaMeasure::Rd | MetaMeasure::PetoOr | MetaMeasure::Md | MetaMeasure::Smd | MetaMeasure::Rom) {
                    // Given estimates of a named measure: on the analysis scale (log for ratios).
                }
                tables = None;
                m::StudyEffect { yi, vi, corrected: false }
            }
            StudyData::EstimateCi { estimate, lower, upper } => {
                tables = None;
                if !(lower <= estimate && estimate <= upper) {
                    return Err(bad(s, format!("{estimate} ({lower} to {upper})"), "the estimate must lie within its CI (lower ≤ estimate ≤ upper)".into()));
                }
                let (y, l, u) = if measure.is_ratio() {
                    if !(lower > 0.0) {
                        return Err(bad(s, format!("{estimate} ({lower} to {upper})"), format!("a ratio ({}) and its CI must be > 0; for estimates already on the log scale use --measure generic", measure.name())));
                    }
                    (estimate.ln(), lower.ln(), upper.ln())
                } else {
                    (estimate, lower, upper)
                };
                let se = (u - l) / (2.0 * z_in);
                if u > l && ((u - y) - (y - l)).abs() > 0.1 * (u - l) {
                    asymmetric.push(s.label.clone());
                }
                m::StudyEffect { yi: y, vi: se * se, corrected: false }
            }
        };
        if !(effect.vi.is_finite() && effect.vi > 0.0) {
            return Err(bad(s, crate::fmt::sig(effect.vi.sqrt(), 4), "a standard error of 0 (or not a number) cannot be weighted; check the SE, CI or SDs on this line".into()));
        }
        if !effect.yi.is_finite() {
            return Err(bad(s, effect.yi.to_string(), "the effect is not a finite number".into()));
        }
        if effect.corrected {
            corrected.push(s.label.clone());
        }
        row.yi = Some(effect.yi);
        row.vi = Some(effect.vi);
        row.corrected = effect.corrected;
        yi.push(effect.yi);
        vi.push(effect.vi);
        used.push(i);
        rows.push(row);
    }
    let mut notes = Vec::new();
    if !corrected.is_empty() {
        notes.push(format!("½ added to each cell of the studies with a zero cell (inverse-variance and random-effects models; Mantel–Haenszel and Peto use the tables as they are): {}.", corrected.join(", ")));
    }
    if !double_zero.is_empty() {
        notes.push(format!(
            "Left out of the {} (no events, or only events, in both arms: no information on a ratio; --keep-double-zero keeps them with ½ added): {}.",
            measure.name(),
            double_zero.join(", ")
        ));
    }
    if !no_data.is_empty() {
        notes.push(format!("Studies without data, left out: {}.", no_data.join(", ")));
    }
    if !asymmetric.is_empty() {
        notes.push(format!(
            "CI not symmetric about the estimate{} (by more than 10% of its width): {}; the SE is taken from the CI's width. Check the measure and the CI level.",
            if measure.is_ratio() { " on the log scale" } else { "" },
            asymmetric.join(", ")
        ));
    }
    Ok(Effects { yi, vi, used, rows, tables, notes })
}

/// The output's method for a τ² estimator.
pub fn tau2_method(t: Tau2Method) -> Method {
    match t {
        Tau2Method::Reml => Method::Reml,
        Tau2Method::Ml => Method::Ml,
        Tau2Method::Dl => Method::DerSimonianLaird,
        Tau2Method::Pm => Method::PauleMandel,
        Tau2Method::Sj => Method::SidikJonkman,
        Tau2Method::He => Method::HedgesEstimator,
        Tau2Method::Eb => Method::EmpiricalBayes,
        Tau2Method::Hs => Method::HunterSchmidt,
    }
}

/// A τ² estimator by name: `reml`, `dl` (or `dersimonian-laird`), `pm`, `sj`, `ml`, `he`
/// (`hedges`), `eb`, `hs`.
pub fn parse_tau2(key: &str, s: &str) -> Result<Tau2Method> {
    let l = s.trim().to_ascii_lowercase();
    Tau2Method::ALL
        .into_iter()
        .find(|t| t.name() == l || tau2_method(*t).name() == l)
        .ok_or_else(|| Error::invalid(key, format!("'{s}'"), "a τ² estimator: REML, DL, PM, SJ, ML, HE, EB or HS"))
}

/// The pooled-effect estimate of a fit on the analysis scale (exponentiated for ratios).
#[allow(clippy::too_many_arguments)]
fn pooled_estimate(measure: MetaMeasure, method: Method, est: f64, se: f64, ci: (f64, f64), stat: f64, df: Option<f64>, p: f64, level: f64, k: usize) -> Estimate {
    let f = |x: f64| if measure.is_ratio() { x.exp() } else { x };
    let mut e = Estimate::new(measure.measure(), method);
    e.estimate = Some(f(est));
    e.ci = Some(Ci::new(f(ci.0), f(ci.1), level));
    if measure.is_ratio() {
        e.se_log = Some(se);
    } else {
        e.se = Some(se);
    }
    e.statistic = Some(stat);
    e.df = df;
    e.p_value = Some(p);
    e.n = Some(k as u64);
    e
}

fn fit_estimate(measure: MetaMeasure, fit: &MetaFit) -> Estimate {
    let method = fit.method.map_or(Method::InverseVariance, tau2_method);
    let mut e = pooled_estimate(measure, method, fit.estimate, fit.se, (fit.lower, fit.upper), fit.statistic, fit.df, fit.p_value, fit.level, fit.k);
    if fit.test != MetaTest::Z {
        e.notes.push(format!(
            "Hartung–Knapp–Sidik–Jonkman: t on {} df with the scale s² = {}{}.",
            fit.k.saturating_sub(1),
            crate::fmt::sig(fit.s2w.unwrap_or(f64::NAN), 4),
            if fit.test == MetaTest::Adhoc { " (ad hoc: never below 1)" } else { "" }
        ));
    }
    e.notes.extend(fit.notes.iter().cloned());
    e
}

/// The prediction interval of a random-effects fit: μ̂ ∓ crit √(SE² + τ²), crit t(k − 2) or
/// metafor's (z; t(k − 1) under HKSJ). `None` (with a reason) when k is too small.
fn prediction(measure: MetaMeasure, fit: &MetaFit, pi: PiMethod) -> std::result::Result<Estimate, String> {
    let (lo, hi, df) = match pi {
        PiMethod::T => {
            if fit.k < 3 {
                return Err(format!("no prediction interval with {} {}: t on k − 2 df needs three studies", fit.k, if fit.k == 1 { "study" } else { "studies" }));
            }
            let df = (fit.k - 2) as f64;
            let crit = crate::stats::dist::t_for_level(fit.level, df);
            let s = (fit.se * fit.se + fit.tau2).sqrt();
            (fit.estimate - crit * s, fit.estimate + crit * s, Some(df))
        }
        PiMethod::Metafor => match (fit.pi_lower, fit.pi_upper) {
            (Some(l), Some(u)) => (l, u, fit.df),
            _ => return Err("no prediction interval for this model".into()),
        },
    };
    let f = |x: f64| if measure.is_ratio() { x.exp() } else { x };
    let mut e = Estimate::new(Measure::PredictionInterval, fit.method.map_or(Method::InverseVariance, tau2_method));
    e.estimate = Some(f(fit.estimate));
    e.ci = Some(Ci::new(f(lo), f(hi), fit.level));
    e.df = df;
    e.n = Some(fit.k as u64);
    e.notes.push(match (pi, df) {
        (PiMethod::T, _) => format!("μ̂ ∓ t(k − 2) √(SE² + τ²) with k = {} (Higgins, Thompson & Spiegelhalter 2009){}.", fit.k, if measure.is_ratio() { ", on the log scale" } else { "" }),
        (PiMethod::Metafor, Some(d)) => format!("μ̂ ∓ t({d}) √(SE² + τ²) (metafor's predict under Hartung–Knapp)."),
        (PiMethod::Metafor, None) => "μ̂ ∓ z √(SE² + τ²) (metafor's predict).".into(),
    });
    Ok(e)
}

/// The heterogeneity rows of a random-effects fit (τ², τ, I², H² with Q-profile CIs) and the Q
/// test of the common-effect fit.
fn heterogeneity_rows(yi: &[f64], vi: &[f64], re: &MetaFit, ce: &MetaFit, subset: &Subset) -> Result<Vec<Estimate>> {
    let method = re.method.map_or(Method::InverseVariance, tau2_method);
    let mut out = Vec::new();
    let mut q = Estimate::new(Measure::CochranQ, Method::InverseVariance);
    q.statistic = Some(ce.q);
    q.df = Some(ce.q_df as f64);
    q.p_value = (ce.k > 1).then_some(ce.q_p);
    q.n = Some(ce.k as u64);
    let qp = if re.k > 1 { Some(m::q_profile(yi, vi, re)?) } else { None };
    let row = |measure: Measure, est: f64, ci: Option<(f64, f64)>| {
        let mut e = Estimate::new(measure, method);
        e.estimate = Some(est);
        e.ci = ci.map(|(l, u)| Ci::new(l, u, re.level));
        e.n = Some(re.k as u64);
        e.subset = subset.clone();
        e
    };
    let mut tau2 = row(Measure::Tau2, re.tau2, qp.as_ref().map(|q| q.tau2));
    tau2.se = re.se_tau2;
    if re.k == 1 {
        tau2.notes.push("One study: no heterogeneity to estimate (τ² = 0, no Q test).".into());
    } else if re.tau2 == 0.0 {
        tau2.notes.push(format!("τ² estimated at its boundary 0 ({}; estimates below 0 are truncated).", re.method.map_or("common effect", |m| m.name())));
    }
    if qp.as_ref().is_some_and(|q| q.empty) {
        tau2.notes.push("The Q-profile CI of τ² is empty (Q below its lower quantile at τ² = 0): reported as 0 to 0.".into());
    }
    if qp.is_some() {
        tau2.notes.push("CI by the Q-profile method (Viechtbauer 2007), as metafor's confint.".into());
    }
    out.push(tau2);
    out.push(row(Measure::Tau, re.tau2.sqrt(), qp.as_ref().map(|q| q.tau)));
    out.push(row(Measure::I2, re.i2 / 100.0, qp.as_ref().map(|q| (q.i2.0 / 100.0, q.i2.1 / 100.0))));
    out.push(row(Measure::H2, re.h2, qp.as_ref().map(|q| q.h2)));
    q.subset = subset.clone();
    out.push(q);
    Ok(out)
}

/// Meta-analysis of a study-level file; see the module doc.
pub fn meta_file(file: &CsvFile, req: &MetaRequest) -> Result<Report> {
    let StudyFile { kind, studies, mut notes, labels: arm_labels, columns } = read_studies(file, req)?;
    if let Some(f) = &file.filter {
        notes.insert(0, format!("Rows kept: {}.", f.text));
    }
    let labels = req.labels.clone().or(arm_labels);
    meta_studies(&file.name, &columns, kind, &studies, labels, notes, req)
}

/// Order of the cumulative analysis: by `order` (numbers as numbers, else text; ties in file
/// order), or file order.
fn cumulative_order(studies: &[&StudyInput]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..studies.len()).collect();
    let key = |i: usize| studies[i].order.clone().unwrap_or_default();
    let numeric = studies.iter().all(|s| s.order.as_deref().is_some_and(|o| o.parse::<f64>().is_ok()));
    if numeric {
        idx.sort_by(|&a, &b| key(a).parse::<f64>().unwrap_or(0.0).total_cmp(&key(b).parse::<f64>().unwrap_or(0.0)));
    } else if studies.iter().any(|s| s.order.is_some()) {
        idx.sort_by_key(|&a| key(a));
    }
    idx
}

/// [`meta_file`] on studies already read (`kind` says what they hold; `columns` names the
/// columns they came from, for messages).
#[allow(clippy::too_many_arguments)]
pub fn meta_studies(file: &str, columns: &str, kind: InputKind, studies: &[StudyInput], labels: Option<[String; 2]>, mut notes: Vec<String>, req: &MetaRequest) -> Result<Report> {
    crate::data::check_level(req.level)?;
    let measure = req.measure.unwrap_or_else(|| default_measure(kind));
    let Effects { yi, vi, used, mut rows, tables, notes: effect_notes } = effects(file, columns, studies, measure, req)?;
    notes.extend(effect_notes);
    if yi.is_empty() {
        return Err(Error::invalid(
            "studies",
            format!("none of {} with an estimable {}", studies.len(), measure.name()),
            if matches!(measure, MetaMeasure::Rr | MetaMeasure::Or | MetaMeasure::PetoOr) {
                "at least one study with events in some arm (with no events in any study, pool the risk difference: --measure RD)"
            } else {
                "at least one study with data"
            },
        ));
    }
    let k = yi.len();
    let common = MetaOptions { method: None, test: MetaTest::Z, level: req.level };
    let random = MetaOptions { method: Some(req.method), test: req.test, level: req.level };
    let ce = m::meta_fit(&yi, &vi, &common)?;
    let re = match req.max_iter {
        Some(n) => m::meta_fit_max_iter(&yi, &vi, &random, n)?,
        None => m::meta_fit(&yi, &vi, &random)?,
    };
    // Weights in percent.
    let w_ce: f64 = vi.iter().map(|v| 1.0 / v).sum();
    let w_re: f64 = vi.iter().map(|v| 1.0 / (v + re.tau2)).sum();
    for (j, &i) in used.iter().enumerate() {
        rows[i].weight_common = Some(100.0 / vi[j] / w_ce);
        rows[i].weight_random = Some(100.0 / (vi[j] + re.tau2) / w_re);
    }
    let mut results = Vec::new();
    // Per study.
    for (j, &i) in used.iter().enumerate() {
        let z = crate::stats::dist::z_for_level(req.level);
        let se = vi[j].sqrt();
        let mut e = pooled_estimate(measure, measure.study_method(), yi[j], se, (yi[j] - z * se, yi[j] + z * se), yi[j] / se, None, crate::stats::dist::two_sided_z_p(yi[j] / se), req.level, 1);
        e.group = Some(studies[i].label.clone());
        e.n = None;
        if let Some(StudyData::Counts { n1, n2, .. } | StudyData::Means { n1, n2, .. }) = &studies[i].data {
            e.n = Some((n1 + n2) as u64);
        }
        results.push(e);
    }
    // Pooled: common effect (MH or Peto for tables, and inverse variance), random effects.
    let whole_tables = tables.filter(|t| !t.is_empty());
    match (measure, &whole_tables) {
        (MetaMeasure::Rr | MetaMeasure::Or | MetaMeasure::Rd, Some(t)) => {
            match m::mantel_haenszel(measure.effect(), t, req.level) {
                Ok(fe) => {
                    let (mm, method) = match measure {
                        MetaMeasure::Rr => (Measure::MhRiskRatio, Method::GreenlandRobins),
                        MetaMeasure::Or => (Measure::MhOddsRatio, Method::RobinsBreslowGreenland),
                        _ => (Measure::MhRiskDifference, Method::Sato),
                    };
                    let mut e = pooled_estimate(measure, method, fe.estimate, fe.se, (fe.lower, fe.upper), fe.statistic, None, fe.p_value, req.level, fe.k);
                    e.measure = mm;
                    e.notes.push(format!("Mantel–Haenszel common effect from the {} tables as they are (no continuity correction).", fe.k));
                    results.push(e);
                }
                Err(e) => notes.push(format!("No Mantel–Haenszel estimate: {e}.")),
            }
        }
        (MetaMeasure::PetoOr, Some(t)) => {
            match m::peto(t, req.level) {
                Ok(fe) => {
                    let mut e = pooled_estimate(measure, Method::Peto, fe.estimate, fe.se, (fe.lower, fe.upper), fe.statistic, None, fe.p_value, req.level, fe.k);
                    e.notes.push(format!("Peto's one-step odds ratio, Σ(O − E)/ΣV over the {} tables as they are.", fe.k));
                    results.push(e);
                }
                Err(e) => notes.push(format!("No Peto estimate: {e}.")),
            }
        }
        _ => {}
    }
    results.push(fit_estimate(measure, &ce));
    results.push(fit_estimate(measure, &re));
    match prediction(measure, &re, req.pi) {
        Ok(e) => results.push(e),
        Err(why) => notes.push(format!("{}.", crate::fmt::capitalise(&why))),
    }
    results.extend(heterogeneity_rows(&yi, &vi, &re, &ce, &Subset::default())?);
    let included: Vec<&StudyInput> = used.iter().map(|&i| &studies[i]).collect();
    // Subgroups.
    if let Some(var) = &req.subgroup {
        results.extend(subgroups(var, &included, &yi, &vi, measure, &common, &random, &mut notes)?);
    }
    if let Some(var) = &req.moderator {
        results.extend(regression(var, &included, &yi, &vi, &random, &mut notes)?);
    }
    if req.egger {
        results.extend(egger(&yi, &vi, req, &mut notes)?);
    }
    let mut filled = Vec::new();
    if req.trim_fill {
        match m::trim_and_fill(&yi, &vi, &random) {
            Ok(tf) => {
                let mut e = fit_estimate(measure, &tf.fit);
                e.subset.sensitivity = Some("trim-and-fill".into());
                e.count = Some(tf.k0 as u64);
                e.notes.push(format!(
                    "Trim and fill (Duval & Tweedie, L0): {} {} estimated missing on the {} (SE of k0 {}); the estimate is of the {} observed and filled studies. Filled studies mirror: {}.",
                    tf.k0,
                    if tf.k0 == 1 { "study" } else { "studies" },
                    if tf.side == m::FunnelSide::Left { "left" } else { "right" },
                    crate::fmt::sig(tf.se_k0, 3),
                    k + tf.k0,
                    if tf.mirrors.is_empty() { "none".to_string() } else { tf.mirrors.iter().map(|&j| included[j].label.clone()).collect::<Vec<_>>().join(", ") }
                ));
                results.push(e);
                for ((y, v), &j) in tf.filled_yi.iter().zip(&tf.filled_vi).zip(&tf.mirrors) {
                    let mirrored = &rows[used[j]];
                    filled.push(MetaStudy { study: format!("filled (mirrors {})", mirrored.study), line: mirrored.line, subgroup: None, arms: None, yi: Some(*y), vi: Some(*v), weight_common: None, weight_random: None, corrected: false, left_out: None, filled: true });
                }
            }
            Err(e) => notes.push(format!("No trim and fill: {e}.")),
        }
    }
    if req.leave_one_out {
        if k < 2 {
            notes.push("No leave-one-out analysis: one study.".into());
        } else {
            for (j, fit) in m::leave_one_out(&yi, &vi, &random)?.iter().enumerate() {
                results.extend(step_rows(measure, fit, &included[j].label, "leave-one-out"));
            }
        }
    }
    if req.cumulative.is_some() {
        let order = cumulative_order(&included);
        for (step, fit) in m::cumulative(&yi, &vi, &order, &random)?.iter().enumerate() {
            results.extend(step_rows(measure, fit, &included[order[step]].label, "cumulative"));
        }
    }
    let [t_label, c_label] = labels.clone().unwrap_or_else(|| ["experimental".into(), "control".into()]);
    let groups = match kind {
        InputKind::Counts | InputKind::Cells => {
            let sum = |first: bool| -> (f64, f64) {
                used.iter().chain(rows.iter().enumerate().filter(|(_, r)| r.left_out.is_some()).map(|(i, _)| i).collect::<Vec<_>>().iter()).fold((0.0, 0.0), |acc, &i| match &studies[i].data {
                    Some(StudyData::Counts { a, n1, c, n2 }) => if first { (acc.0 + a, acc.1 + n1) } else { (acc.0 + c, acc.1 + n2) },
                    _ => acc,
                })
            };
            let (a, n1) = sum(true);
            let (c, n2) = sum(false);
            vec![
                super::GroupRow { label: t_label.clone(), count: crate::fmt::sig(a, 9), denominator: crate::fmt::sig(n1, 9) },
                super::GroupRow { label: c_label.clone(), count: crate::fmt::sig(c, 9), denominator: crate::fmt::sig(n2, 9) },
            ]
        }
        _ => vec![super::GroupRow { label: t_label.clone(), count: String::new(), denominator: String::new() }, super::GroupRow { label: c_label.clone(), count: String::new(), denominator: String::new() }],
    };
    // "Favours" labels: below the null favours the experimental arm when events are harmful.
    let favours = if req.beneficial { [format!("Favours {c_label}"), format!("Favours {t_label}")] } else { [format!("Favours {t_label}"), format!("Favours {c_label}")] };
    notes.push(format!(
        "{} pooled on the {} scale; per-study CIs y ∓ z√v. Random effects: τ² by {}, CI by {}.",
        measure.name(),
        if measure.is_ratio() { "log" } else { "natural" },
        req.method.name().to_uppercase(),
        match req.test {
            MetaTest::Z => "the normal approximation".to_string(),
            MetaTest::Knha => format!("Hartung–Knapp–Sidik–Jonkman (t on {} df)", k.saturating_sub(1)),
            MetaTest::Adhoc => format!("Hartung–Knapp–Sidik–Jonkman with the ad hoc correction (t on {} df)", k.saturating_sub(1)),
        }
    ));
    let inputs = serde_json::json!({
        "file": file,
        "input": kind.name(),
        "measure": measure.name(),
        "studies": studies.len(),
        "studies_pooled": k,
        "tau2_method": req.method.name(),
        "test": req.test,
        "prediction_interval": req.pi,
        "level": req.level,
        "arms": [t_label, c_label],
        "subgroup": req.subgroup,
        "moderator": req.moderator,
        "keep_double_zero": req.keep_double_zero,
    });
    let layout = Layout {
        title: format!(
            "{t_label} vs {c_label}: {} meta-analysis of {k} {}{}",
            measure.name(),
            if k == 1 { "study" } else { "studies" },
            if k < studies.len() { format!(" ({} of {} studies left out)", studies.len() - k, studies.len()) } else { String::new() }
        ),
        comparison: format!("{t_label} vs {c_label}"),
        groups,
        table: TableKind::Meta,
        favours: Some(favours),
        ..Layout::default()
    };
    let mut report = Report { results, notes, ..Report::new("meta", inputs, layout) };
    report.studies = rows;
    report.studies.extend(filled);
    Ok(report)
}


/// A leave-one-out or cumulative step: its pooled estimate, τ² and I².
fn step_rows(measure: MetaMeasure, fit: &MetaFit, study: &str, what: &str) -> Vec<Estimate> {
    let sub = Subset { sensitivity: Some(what.into()), ..Default::default() };
    let method = fit.method.map_or(Method::InverseVariance, tau2_method);
    let mut e = fit_estimate(measure, fit);
    e.notes.clear();
    e.group = Some(study.to_string());
    e.subset = sub.clone();
    let mut t = Estimate::new(Measure::Tau2, method);
    t.estimate = Some(fit.tau2);
    t.group = e.group.clone();
    t.subset = sub.clone();
    let mut i2 = Estimate::new(Measure::I2, method);
    i2.estimate = Some(fit.i2 / 100.0);
    i2.group = e.group.clone();
    i2.subset = sub;
    let mut q = Estimate::new(Measure::CochranQ, Method::InverseVariance);
    q.statistic = Some(fit.q);
    q.df = Some(fit.q_df as f64);
    q.p_value = (fit.k > 1).then_some(fit.q_p);
    q.group = e.group.clone();
    q.subset = t.subset.clone();
    vec![e, t, i2, q]
}

/// Subgroup analysis: per level (in order of first appearance) the common and random-effects
/// estimates (τ² estimated within each subgroup) with heterogeneity, then the tests for
/// subgroup differences: Q between the subgroups' common-effect estimates (= Q − ΣQ within) and
/// between their random-effects estimates (RevMan, R meta).
#[allow(clippy::too_many_arguments)]
fn subgroups(var: &str, studies: &[&StudyInput], yi: &[f64], vi: &[f64], measure: MetaMeasure, common: &MetaOptions, random: &MetaOptions, notes: &mut Vec<String>) -> Result<Vec<Estimate>> {
    let mut levels: Vec<String> = Vec::new();
    for s in studies {
        if let Some(g) = &s.subgroup {
            if !levels.contains(g) {
                levels.push(g.clone());
            }
        }
    }
    let missing: Vec<&str> = studies.iter().filter(|s| s.subgroup.is_none()).map(|s| s.label.as_str()).collect();
    if !missing.is_empty() {
        notes.push(format!("Studies without a {var} value, left out of the subgroup analysis: {}.", missing.join(", ")));
    }
    let mut out = Vec::new();
    let (mut ce_est, mut ce_se, mut re_est, mut re_se) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for g in &levels {
        let idx: Vec<usize> = (0..studies.len()).filter(|&i| studies[i].subgroup.as_deref() == Some(g.as_str())).collect();
        let y: Vec<f64> = idx.iter().map(|&i| yi[i]).collect();
        let v: Vec<f64> = idx.iter().map(|&i| vi[i]).collect();
        let sub = Subset { subgroup: Some(format!("{var} = {g}")), ..Default::default() };
        let ce = m::meta_fit(&y, &v, common)?;
        let re = m::meta_fit(&y, &v, random)?;
        ce_est.push(ce.estimate);
        ce_se.push(ce.se);
        re_est.push(re.estimate);
        re_se.push(re.se);
        for f in [&ce, &re] {
            let mut e = fit_estimate(measure, f);
            e.subset = sub.clone();
            out.push(e);
        }
        out.extend(heterogeneity_rows(&y, &v, &re, &ce, &sub)?);
    }
    if levels.len() < 2 {
        notes.push(format!("No test for subgroup differences: {var} has {} level{} among the studies.", levels.len(), if levels.len() == 1 { "" } else { "s" }));
        return Ok(out);
    }
    for (est, se, method, what) in [
        (&ce_est, &ce_se, Method::InverseVariance, "common-effect subgroup estimates (= Q total − Σ Q within)".to_string()),
        (&re_est, &re_se, random.method.map_or(Method::InverseVariance, tau2_method), format!("random-effects subgroup estimates, τ² by {} within each subgroup (RevMan, R meta)", random.method.map_or("-", |m| m.name()).to_uppercase())),
    ] {
        let (q, df, p) = m::subgroup_difference(est, se)?;
        let mut e = Estimate::new(Measure::SubgroupDifference, method);
        e.statistic = Some(q);
        e.df = Some(df as f64);
        e.p_value = Some(p);
        e.n = Some(studies.len() as u64 - missing.len() as u64);
        e.subset.subgroup = Some(var.to_string());
        e.notes.push(format!("Q between the {what}, on {df} df."));
        out.push(e);
    }
    Ok(out)
}

/// Meta-regression on one numeric moderator: intercept and slope with their tests, residual τ²
/// and R².
fn regression(var: &str, studies: &[&StudyInput], yi: &[f64], vi: &[f64], random: &MetaOptions, notes: &mut Vec<String>) -> Result<Vec<Estimate>> {
    let idx: Vec<usize> = (0..studies.len()).filter(|&i| studies[i].moderator.is_some()).collect();
    if idx.len() < studies.len() {
        notes.push(format!("Studies without a {var} value, left out of the meta-regression: {}.", studies.iter().filter(|s| s.moderator.is_none()).map(|s| s.label.as_str()).collect::<Vec<_>>().join(", ")));
    }
    let y: Vec<f64> = idx.iter().map(|&i| yi[i]).collect();
    let v: Vec<f64> = idx.iter().map(|&i| vi[i]).collect();
    let x: Vec<f64> = idx.iter().filter_map(|&i| studies[i].moderator).collect();
    let method = match random.method {
        Some(t) if t.takes_moderators() => Some(t),
        Some(t) => {
            notes.push(format!("Meta-regression with τ² by REML ({} is not available with moderators).", t.name().to_uppercase()));
            Some(Tau2Method::Reml)
        }
        None => None,
    };
    let r = m::meta_regression(&y, &v, &[x], &MetaOptions { method, ..*random })?;
    let mm = method.map_or(Method::InverseVariance, tau2_method);
    let mut out = Vec::new();
    for (j, name) in [(0usize, "intercept"), (1, "slope")] {
        let mut e = Estimate::new(Measure::MetaRegression, mm);
        e.estimate = Some(r.coef[j]);
        e.se = Some(r.se[j]);
        e.ci = Some(Ci::new(r.lower[j], r.upper[j], random.level));
        e.statistic = Some(r.statistic[j]);
        e.df = (random.test != MetaTest::Z).then_some((r.k - 2) as f64);
        e.p_value = Some(r.p_value[j]);
        e.n = Some(r.k as u64);
        e.subset.subgroup = Some(var.to_string());
        e.subset.outcome = (j == 0).then(|| name.to_string());
        if j == 1 {
            e.notes.push(format!("Change in the effect (analysis scale) per unit of {var}; residual heterogeneity QE = {} on {} df (p {}).", crate::fmt::sig(r.qe, 4), r.qe_df, crate::fmt::pvalue(r.qe_p)));
        }
        out.push(e);
    }
    let mut t = Estimate::new(Measure::Tau2, mm);
    t.estimate = Some(r.tau2);
    t.subset.subgroup = Some(var.to_string());
    t.notes.push("Residual τ² of the meta-regression.".into());
    out.push(t);
    if let Some(r2) = r.r2 {
        let mut e = Estimate::new(Measure::RSquared, mm);
        e.estimate = Some(r2 / 100.0);
        e.subset.subgroup = Some(var.to_string());
        e.notes.push("Pseudo-R²: (τ² − residual τ²)/τ², truncated at 0 (metafor).".into());
        out.push(e);
    }
    Ok(out)
}

/// Egger's test: the classical weighted regression (t on k − 2 df) and, for the τ² estimators
/// that take moderators, metafor's mixed-effects version.
fn egger(yi: &[f64], vi: &[f64], req: &MetaRequest, notes: &mut Vec<String>) -> Result<Vec<Estimate>> {
    if yi.len() < 3 {
        notes.push("No Egger's test: fewer than three studies.".into());
        return Ok(Vec::new());
    }
    if yi.len() < 10 {
        notes.push(format!("Egger's test with {} studies: tests for funnel-plot asymmetry have little power below 10 studies (Cochrane Handbook 13.3.5.4).", yi.len()));
    }
    let mut models = vec![m::EggerModel::Weighted];
    if req.method.takes_moderators() {
        models.push(m::EggerModel::MetaRegression(Some(req.method)));
    }
    let mut out = Vec::new();
    for model in models {
        let t = m::egger_test(yi, vi, model, req.level)?;
        let mt = match model {
            m::EggerModel::MetaRegression(x) => x,
            m::EggerModel::Weighted => None,
        };
        let mut e = Estimate::new(Measure::EggerTest, mt.map_or(Method::Egger, tau2_method));
        e.estimate = Some(t.slope);
        e.se = Some(t.slope_se);
        e.ci = Some(Ci::new(t.slope_lower, t.slope_upper, req.level));
        e.statistic = Some(t.statistic);
        e.df = t.df;
        e.p_value = Some(t.p_value);
        e.n = Some(t.k as u64);
        e.notes.push(match mt {
            None => format!("Egger et al. (1997): weighted regression of y on its SE (t on {} df); limit estimate (SE → 0) {} ({} to {}) on the analysis scale.", t.k - 2, crate::fmt::sig(t.limit, 4), crate::fmt::sig(t.limit_lower, 4), crate::fmt::sig(t.limit_upper, 4)),
            Some(m) => format!("Mixed-effects version (metafor's regtest): regression on the SE with residual τ² by {} = {}, z test.", m.name().to_uppercase(), crate::fmt::sig(t.tau2, 4)),
        });
        out.push(e);
    }
    Ok(out)
}
