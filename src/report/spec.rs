//! The study spec (`SPEC.toml`): data files with their column mapping, the analyses to run and
//! the plots to draw. Unknown keys, wrong types and missing keys are errors naming the spec's
//! file, line and key; so are an analysis naming data that is not declared and a plot naming an
//! analysis that is not there. Columns and arms are checked when the analyses run, before any
//! output is written.
//!
//! ```toml
//! title = "Acupuncture for chronic headache (Vickers et al., BMJ 2004)"
//! # csv_raw = true                      # CSV cells as they are (default: formulas neutralised)
//!
//! [data.headache]
//! file = "acupuncture_headache.csv"      # relative to the spec
//! arm = "group"
//!
//! [[analysis]]
//! name = "responders"
//! kind = "responders"                    # responders | change | endpoint | ae | incidence | bootstrap | survival
//! data = "headache"
//! treatment = ["1"]
//! control = "0"
//! baseline = "pk1"
//! followup = ["pk5"]
//! reduction = "35%"
//!
//! [[plot]]
//! name = "responder-rates"
//! kind = "rates"                         # rates | forest | waterfall | box | visits | ae-dot | volcano | kaplan-meier
//! analysis = "responders"
//! ```

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The whole spec.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Write CSV table cells as they are, without the `'` that keeps a spreadsheet from running
    /// a cell such as `=HYPERLINK(...)` as a formula (see [`crate::render::csv_cell`]).
    #[serde(default)]
    pub csv_raw: bool,
    pub data: BTreeMap<String, DataSpec>,
    #[serde(default, rename = "analysis")]
    pub analyses: Vec<AnalysisSpec>,
    #[serde(default, rename = "plot")]
    pub plots: Vec<PlotSpec>,
    /// Descriptive tables (`[[table]] kind = "baseline"`), shown before the analyses.
    #[serde(default, rename = "table")]
    pub tables: Vec<TableSpec>,
}

/// Kinds of descriptive table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableSpecKind {
    /// Baseline characteristics by arm ("Table 1").
    Baseline,
}

/// One variable of a baseline table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableSpec {
    pub column: String,
    #[serde(default)]
    pub label: Option<String>,
    /// "categorical" or "continuous" (needed for numeric codes such as sex 0/1).
    #[serde(default)]
    pub kind: Option<String>,
    /// Value labels in print order: [["1", "Female"], ["0", "Male"]].
    #[serde(default)]
    pub levels: Vec<[String; 2]>,
    #[serde(default)]
    pub unit: Option<String>,
}

/// A descriptive table of a data file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    pub name: Spanned<String>,
    pub kind: TableSpecKind,
    pub data: Spanned<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub treatment: Vec<String>,
    #[serde(default)]
    pub control: Option<String>,
    /// Printed arm labels: { "0" = "Usual care", "1" = "Acupuncture" }.
    #[serde(default)]
    pub arm_labels: BTreeMap<String, String>,
    pub variables: Vec<VariableSpec>,
    /// An "Overall" column (default true).
    #[serde(default)]
    pub overall: Option<bool>,
    #[serde(default)]
    pub quantile_type: Option<u8>,
}

/// A data file and its column mapping.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// Path relative to the spec's folder.
    pub file: Spanned<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub arm: Option<String>,
    #[serde(default)]
    pub visit: Option<String>,
    #[serde(default)]
    pub param: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
    /// Row filter, as `--where`.
    #[serde(default, rename = "where")]
    pub filter: Option<String>,
}

/// What an analysis computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnalysisKind {
    Responders,
    Change,
    Ae,
    Incidence,
    Bootstrap,
    Endpoint,
    Survival,
    Meta,
}

impl AnalysisKind {
    pub fn name(self) -> &'static str {
        match self {
            AnalysisKind::Responders => "responders",
            AnalysisKind::Change => "change",
            AnalysisKind::Ae => "ae",
            AnalysisKind::Incidence => "incidence",
            AnalysisKind::Bootstrap => "bootstrap",
            AnalysisKind::Endpoint => "endpoint",
            AnalysisKind::Survival => "survival",
            AnalysisKind::Meta => "meta",
        }
    }

    /// The keys an analysis of this kind reads, besides those of every kind ([`COMMON_KEYS`]).
    /// A key of another kind is an error, never silently ignored.
    pub fn keys(self) -> &'static [&'static str] {
        const SOURCES: [&str; 5] = ["baseline", "followup", "baseline_visit", "followup_visit", "paramcd"];
        match self {
            AnalysisKind::Responders => &[
                "ci_method", "labels", "flag", "flag_value", "reduction", "increase", "missing", "events", "strata", "by_responder",
                SOURCES[0], SOURCES[1], SOURCES[2], SOURCES[3], SOURCES[4], "aggregate", "quantile_type",
            ],
            AnalysisKind::Change => &[
                "ci_method", "labels", SOURCES[0], SOURCES[1], SOURCES[2], SOURCES[3], SOURCES[4], "aggregate", "quantile_type", "rank_method", "covariates", "percent",
            ],
            AnalysisKind::Endpoint => &["ci_method", "labels", "followup", "followup_visit", "paramcd", "aggregate", "quantile_type", "rank_method"],
            AnalysisKind::Ae => &["ci_method", "subjects", "soc", "term", "teae", "serious", "severity", "rows", "min_percent", "strata", "arm_order", "term_case"],
            AnalysisKind::Bootstrap => &["labels", "value", "statistic", "resamples", "seed"],
            AnalysisKind::Incidence => &["ci_method", "labels", "event", "censor", "time", "time_unit", "data_unit", "per"],
            AnalysisKind::Survival => &["paramcd", "time", "event", "censor", "data_unit", "time_unit", "conf_type", "at", "tau", "ties", "rho", "strata", "covariates", "subgroups"],
            AnalysisKind::Meta => &[
                "labels", "measure", "input", "map", "study", "subgroup", "moderator", "method", "hksj", "pi", "ci_level", "keep_double_zero", "leave_one_out", "cumulative", "egger", "trim_fill",
                "events", "max_iter",
            ],
        }
    }
}

/// Keys every analysis reads.
pub const COMMON_KEYS: [&str; 9] = ["name", "kind", "title", "primary", "data", "treatment", "control", "merge_arm_variants", "level"];

/// One analysis: the options of the command of the same name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSpec {
    pub name: Spanned<String>,
    pub kind: AnalysisKind,
    /// The heading readers see (default: the analysis's own title line).
    #[serde(default)]
    pub title: Option<String>,
    /// The trial's primary endpoint: marked as such in the report.
    #[serde(default)]
    pub primary: bool,
    /// The `[data.NAME]` it reads.
    pub data: Spanned<String>,
    #[serde(default)]
    pub treatment: Vec<String>,
    #[serde(default)]
    pub control: Option<String>,
    /// Count arm labels differing only in case or spaces as one arm (see `--merge-arm-variants`).
    #[serde(default)]
    pub merge_arm_variants: bool,
    #[serde(default)]
    pub level: Option<f64>,
    /// CI methods, as `--ci-method` (responders, ae, incidence, change, endpoint): one name, a
    /// list, or "all".
    #[serde(default, deserialize_with = "one_or_many")]
    pub ci_method: Vec<String>,
    /// Display labels of the two arms: [TREATMENT, CONTROL] (responders; change and incidence
    /// when one treatment and the control are named).
    #[serde(default, deserialize_with = "two_labels")]
    pub labels: Option<[String; 2]>,
    // responders
    #[serde(default)]
    pub flag: Option<String>,
    #[serde(default)]
    pub flag_value: Option<String>,
    #[serde(default)]
    pub reduction: Option<String>,
    #[serde(default)]
    pub increase: Option<String>,
    #[serde(default)]
    pub missing: Option<String>,
    #[serde(default)]
    pub events: Option<String>,
    #[serde(default)]
    pub strata: Option<String>,
    #[serde(default)]
    pub by_responder: Option<String>,
    // responders and change
    #[serde(default)]
    pub baseline: Option<String>,
    #[serde(default)]
    pub followup: Vec<String>,
    #[serde(default)]
    pub baseline_visit: Option<String>,
    #[serde(default)]
    pub followup_visit: Vec<String>,
    #[serde(default)]
    pub aggregate: Option<String>,
    #[serde(default)]
    pub paramcd: Vec<String>,
    /// Quartile type of the summaries (1–9, R's `quantile(type = )`; change, responders).
    #[serde(default)]
    pub quantile_type: Option<u8>,
    /// Rank-test method (change, endpoint): auto, exact, normal, normal-uncorrected.
    #[serde(default)]
    pub rank_method: Option<String>,
    // change
    #[serde(default)]
    pub covariates: Vec<String>,
    #[serde(default)]
    pub percent: Option<bool>,
    // ae
    #[serde(default)]
    pub subjects: Option<String>,
    /// SOC and preferred-term columns of the AE file (recognised when absent), as `--soc`, `--term`.
    #[serde(default)]
    pub soc: Option<String>,
    #[serde(default)]
    pub term: Option<String>,
    #[serde(default)]
    pub teae: Option<bool>,
    #[serde(default)]
    pub serious: Option<bool>,
    #[serde(default)]
    pub severity: Vec<String>,
    #[serde(default)]
    pub rows: Option<String>,
    #[serde(default)]
    pub min_percent: Option<f64>,
    /// The order of the treatment arms' columns (`--arm-order`).
    #[serde(default)]
    pub arm_order: Vec<String>,
    /// How SOCs and terms in capitals are printed (`--term-case`).
    #[serde(default)]
    pub term_case: Option<String>,
    // bootstrap
    /// The column of values (default: the data table's `value`).
    #[serde(default)]
    pub value: Option<String>,
    /// Statistics, as `--statistic` (one name or a list).
    #[serde(default, deserialize_with = "one_or_many")]
    pub statistic: Vec<String>,
    #[serde(default)]
    pub resamples: Option<usize>,
    #[serde(default)]
    pub seed: Option<u64>,
    // incidence
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub censor: Option<String>,
    #[serde(default)]
    pub time: Option<String>,
    #[serde(default)]
    pub time_unit: Option<String>,
    /// Rates per this much person-time (incidence, `--per`).
    #[serde(default)]
    pub per: Option<f64>,
    // survival
    /// Unit of the time column (`--data-unit`; incidence and survival).
    #[serde(default)]
    pub data_unit: Option<String>,
    /// Kaplan–Meier CI type: log, log-log, plain.
    #[serde(default)]
    pub conf_type: Option<String>,
    /// Landmark times (`--at`).
    #[serde(default)]
    pub at: Vec<f64>,
    #[serde(default)]
    pub tau: Option<f64>,
    #[serde(default)]
    pub ties: Option<String>,
    #[serde(default)]
    pub rho: Option<f64>,
    #[serde(default)]
    pub subgroups: Vec<String>,
    // meta
    /// Effect measure (`--measure`): RR, OR, RD, PETO-OR, MD, SMD, ROM, HR, generic.
    #[serde(default)]
    pub measure: Option<String>,
    /// What the study file holds (`--input`), when the header does not say.
    #[serde(default)]
    pub input: Option<String>,
    /// Columns for roles (`--map`): { events1 = "deaths_t", ... }.
    #[serde(default)]
    pub map: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub study: Option<String>,
    #[serde(default)]
    pub subgroup: Option<String>,
    #[serde(default)]
    pub moderator: Option<String>,
    /// τ² estimator: REML, DL, PM, SJ, ML, HE, EB, HS.
    #[serde(default)]
    pub method: Option<String>,
    /// Hartung–Knapp–Sidik–Jonkman: true, false, or "adhoc".
    #[serde(default)]
    pub hksj: Option<toml::Value>,
    /// Prediction interval: "t" (k − 2 df) or "metafor".
    #[serde(default)]
    pub pi: Option<String>,
    #[serde(default)]
    pub ci_level: Option<f64>,
    #[serde(default)]
    pub keep_double_zero: Option<bool>,
    #[serde(default)]
    pub leave_one_out: Option<bool>,
    /// Column ordering a cumulative meta-analysis ("file" for file order).
    #[serde(default)]
    pub cumulative: Option<String>,
    #[serde(default)]
    pub egger: Option<bool>,
    #[serde(default)]
    pub trim_fill: Option<bool>,
    /// Most Fisher-scoring iterations of τ² (REML, ML, EB).
    #[serde(default)]
    pub max_iter: Option<usize>,
}

/// A string or a list of strings (`ci_method = "katz-log"` or `["katz-log", "wald"]`).
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// Plot kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlotKind {
    Rates,
    Forest,
    Waterfall,
    Box,
    Visits,
    AeDot,
    Volcano,
    /// Kaplan–Meier curves with numbers at risk (survival analyses).
    KaplanMeier,
    /// A funnel plot with pseudo-confidence limits (meta-analyses).
    Funnel,
}

/// One plot of an analysis.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlotSpec {
    pub name: Spanned<String>,
    pub kind: PlotKind,
    pub analysis: Spanned<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// The comparison (`"A vs B"`) of AE plots; default the first.
    #[serde(default)]
    pub comparison: Option<String>,
    /// Waterfall threshold in percent (default: the analysis's relative reduction).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Terms in an AE dot plot (default 20).
    #[serde(default)]
    pub top: Option<usize>,
    /// Kaplan–Meier plot: pointwise CI bands (default false) and median lines (default true).
    #[serde(default)]
    pub ci_bands: Option<bool>,
    #[serde(default)]
    pub median_lines: Option<bool>,
    /// Visits plot: labels and times of the visits, { pk2 = { label = "3 months", time = 3 } }.
    #[serde(default)]
    pub visits: BTreeMap<String, VisitLabel>,
    /// Unit of the plotted values ("points"), shown on the axis.
    #[serde(default)]
    pub units: Option<String>,
    /// Title of the x axis of a visits plot (default "Visit", or "Time" when times are given).
    #[serde(default)]
    pub x_label: Option<String>,
    /// The line under the title (default: the population and the n of each arm analysed).
    #[serde(default)]
    pub subtitle: Option<String>,
}

/// How a visit is labelled and where it sits on the time axis.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitLabel {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub time: Option<f64>,
}

/// 1-based line of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

/// A spec error at byte offset `at`.
pub fn spec_error(file: &str, text: &str, at: Option<usize>, message: impl Into<String>) -> Error {
    let message = message.into();
    match at {
        Some(at) => Error::File { file: format!("{file}:{}", line_of(text, at)), message },
        None => Error::File { file: file.to_string(), message },
    }
}

/// `labels = [TREATMENT, CONTROL]`: exactly two (serde's array reader ignores extra entries).
pub fn two_labels<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<[String; 2]>, D::Error> {
    let v: Vec<String> = Deserialize::deserialize(d)?;
    match <[String; 2]>::try_from(v) {
        Ok(a) => Ok(Some(a)),
        Err(v) => Err(serde::de::Error::custom(format!("{} given; expected exactly two, [TREATMENT, CONTROL]", v.len()))),
    }
}

/// `inner` placed in a spec: the message of [`spec_error`], the kind of `inner` (an invalid data
/// value stays a data error, exit status 3).
pub fn spec_context(file: &str, text: &str, at: Option<usize>, message: impl Into<String>, inner: Error) -> Error {
    match spec_error(file, text, at, message) {
        Error::File { file, message } => Error::Context { message: format!("{file}: {message}"), inner: Box::new(inner) },
        e => e,
    }
}

/// A TOML deserialisation error as `FILE:LINE: key: message`: the toml crate's message for a
/// wrong type ("invalid type: integer `7`, expected a string") does not name the key, so it is
/// read off the text before the span (`key = ` at the value).
pub fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> Error {
    let message = e.message().trim().to_string();
    let Some(span) = e.span() else {
        return spec_error(file, text, None, message);
    };
    let before = text.get(..span.start).unwrap_or("").trim_end();
    let key = before.strip_suffix('=').map(|b| {
        let b = b.trim_end();
        // The key is the run of key characters before `=` (char boundaries: the character
        // before it may be any UTF-8).
        let start = b.char_indices().rev().find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == '.')).map_or(0, |(i, c)| i + c.len_utf8());
        &b[start..]
    });
    let message = match key {
        Some(k) if !k.is_empty() && !message.contains(&format!("`{k}`")) => {
            format!("{k}: {message}")
        }
        _ => message,
    };
    spec_error(file, text, Some(span.start), message)
}

/// Each analysis sets only keys its kind reads: `resamples` in a change analysis, or `labels` in
/// an AE table, is an error at the key's line listing the kind's keys.
pub fn check_kind_keys(file: &str, text: &str, analyses: &[AnalysisSpec]) -> Result<()> {
    let raw: toml::Table = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let Some(toml::Value::Array(list)) = raw.get("analysis") else {
        return Ok(());
    };
    for (a, t) in analyses.iter().zip(list) {
        let Some(t) = t.as_table() else { continue };
        let kind = a.kind;
        let stray = t.keys().filter(|k| !COMMON_KEYS.contains(&k.as_str()) && !kind.keys().contains(&k.as_str()));
        // The first in the file.
        let Some((at, key)) = stray.map(|k| (key_at(text, a.name.span().start, k), k)).min() else { continue };
        let of: Vec<&str> = [AnalysisKind::Responders, AnalysisKind::Change, AnalysisKind::Endpoint, AnalysisKind::Ae, AnalysisKind::Bootstrap, AnalysisKind::Incidence, AnalysisKind::Survival, AnalysisKind::Meta]
            .into_iter()
            .filter(|k| k.keys().contains(&key.as_str()))
            .map(AnalysisKind::name)
            .collect();
        let mut keys: Vec<&str> = COMMON_KEYS.iter().chain(kind.keys()).copied().collect();
        keys.sort_unstable();
        return Err(spec_error(
            file,
            text,
            Some(at),
            format!(
                "analysis '{}': '{key}' is not an option of kind = \"{}\" (it is an option of {}); its options: {}",
                a.name.get_ref(),
                kind.name(),
                of.join(", "),
                keys.join(", ")
            ),
        ));
    }
    Ok(())
}

/// The byte offset of `key = …` in the `[[analysis]]` table holding byte `inside`, or `inside`.
fn key_at(text: &str, inside: usize, key: &str) -> usize {
    let start = text[..inside.min(text.len())].rfind("[[analysis]]").unwrap_or(0);
    let mut at = start;
    for line in text[start..].split_inclusive('\n') {
        let t = line.trim_start();
        if at > start && t.starts_with('[') {
            break;
        }
        if let Some(rest) = t.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                return at + (line.len() - t.len());
            }
        }
        at += line.len();
    }
    inside
}

/// Parse a spec; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Spec> {
    let spec: Spec = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    // Names unique; references resolve.
    let mut seen: Vec<&str> = Vec::new();
    for a in &spec.analyses {
        if seen.contains(&a.name.get_ref().as_str()) {
            return Err(spec_error(file, text, Some(a.name.span().start), format!("analysis name '{}' is used twice", a.name.get_ref())));
        }
        seen.push(a.name.get_ref());
        if !spec.data.contains_key(a.data.get_ref()) {
            let known: Vec<&str> = spec.data.keys().map(String::as_str).collect();
            return Err(spec_error(file, text, Some(a.data.span().start), format!("data = '{}': no [data.{}] table; declared: {}", a.data.get_ref(), a.data.get_ref(), known.join(", "))));
        }
        if let Some(s) = &a.subjects {
            if !spec.data.contains_key(s) {
                return Err(spec_error(file, text, Some(a.name.span().start), format!("analysis '{}': subjects = '{s}': no [data.{s}] table", a.name.get_ref())));
            }
        }
    }
    check_kind_keys(file, text, &spec.analyses)?;
    let mut plots: Vec<&str> = Vec::new();
    for p in &spec.plots {
        if plots.contains(&p.name.get_ref().as_str()) {
            return Err(spec_error(file, text, Some(p.name.span().start), format!("plot name '{}' is used twice", p.name.get_ref())));
        }
        plots.push(p.name.get_ref());
        if !seen.contains(&p.analysis.get_ref().as_str()) {
            return Err(spec_error(file, text, Some(p.analysis.span().start), format!("analysis = '{}': no analysis of that name; defined: {}", p.analysis.get_ref(), seen.join(", "))));
        }
    }
    for t in &spec.tables {
        if seen.contains(&t.name.get_ref().as_str()) || plots.contains(&t.name.get_ref().as_str()) {
            return Err(spec_error(file, text, Some(t.name.span().start), format!("table name '{}' is used by another table or analysis", t.name.get_ref())));
        }
        if !spec.data.contains_key(t.data.get_ref()) {
            let known: Vec<&str> = spec.data.keys().map(String::as_str).collect();
            return Err(spec_error(file, text, Some(t.data.span().start), format!("data = '{}': no [data.{}] table; declared: {}", t.data.get_ref(), t.data.get_ref(), known.join(", "))));
        }
        seen.push(t.name.get_ref());
    }
    for name in seen.iter().chain(plots.iter()) {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(spec_error(file, text, None, format!("name '{name}': use letters, digits, '-' and '_' only (it names output files)")));
        }
    }
    Ok(spec)
}
