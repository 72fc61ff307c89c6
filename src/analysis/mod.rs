//! Analyses: typed data in, a [`Report`] out. A report holds the inputs it used, every result
//! (an [`Estimate`] each) and notes; renderers turn it into text, JSON, CSV or Markdown.
//!
//! [`counts`] holds the reviewer's one-liners: analyses of counts as a paper prints them.

pub mod ae;
pub mod arms;
pub mod baseline;
pub mod bootstrap;
pub mod change;
pub mod counts;
pub mod endpoint;
pub mod incidence;
pub mod meta;
pub mod responders;
pub mod survival;

use crate::error::{Error, Result};
use crate::stats::descriptive::Summary;
use crate::stats::{Estimate, Measure, Method, Subset};
use serde::Serialize;

/// Version written into every report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The output of one command: the JSON contract `{"trialstat_version", "command", "inputs",
/// "results", "notes"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub trialstat_version: &'static str,
    pub command: String,
    pub inputs: serde_json::Value,
    pub results: Vec<Estimate>,
    /// Descriptive summaries (per arm: baseline, follow-up, change, percent change; per
    /// responder status); omitted from JSON when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub summaries: Vec<SummaryRow>,
    /// Kaplan–Meier curves by arm with their numbers-at-risk tables (`survival`); omitted
    /// from JSON when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub curves: Vec<survival::SurvivalCurve>,
    /// The studies of a meta-analysis (`meta`): label, arms, effect size, weights, and why a
    /// study was left out; omitted from JSON when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub studies: Vec<meta::MetaStudy>,
    /// A baseline-characteristics table (`baseline`); omitted from JSON when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<baseline::BaselineTable>,
    /// Patient flow per arm (and visit or parameter): subjects in the file, analysed, left out
    /// with the reason (CONSORT's "allocated, analysed, excluded"); omitted from JSON when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flow: Vec<FlowRow>,
    pub notes: Vec<String>,
    /// Presentation hints for text renderers (not part of the JSON contract).
    #[serde(skip)]
    pub layout: Layout,
}

impl Report {
    /// A report of `command` on `inputs` with no results yet: the one constructor (results,
    /// summaries and notes are filled in with struct update syntax or pushed).
    pub fn new(command: &str, inputs: serde_json::Value, layout: Layout) -> Report {
        Report { trialstat_version: VERSION, command: command.to_string(), inputs, results: Vec::new(), summaries: Vec::new(), curves: Vec::new(), studies: Vec::new(), baseline: None, flow: Vec::new(), notes: Vec::new(), layout }
    }
}

/// The patient flow of one arm in one analysis (and visit or parameter).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowRow {
    pub group: String,
    #[serde(flatten)]
    pub subset: Subset,
    /// Subjects of the arm in the file (randomised, or in the subject file's population).
    pub in_file: u64,
    /// Subjects the analysis used.
    pub analysed: u64,
    /// Subjects left out, by reason (`in_file` = `analysed` + their sum).
    pub excluded: Vec<Excluded>,
    /// Subjects kept by an assumption about a missing value (e.g. counted as non-responders).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub imputed: Vec<Excluded>,
}

/// A number of subjects and why they were left out (or imputed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluded {
    pub reason: String,
    pub n: u64,
}

#[cfg(test)]
mod term_case_tests {
    use super::TermCase;

    #[test]
    fn only_terms_in_capitals_change_case() {
        assert_eq!(TermCase::Sentence.apply("APPLICATION SITE PRURITUS"), "Application site pruritus");
        assert_eq!(TermCase::Title.apply("SKIN AND SUBCUTANEOUS TISSUE DISORDERS"), "Skin And Subcutaneous Tissue Disorders");
        assert_eq!(TermCase::Title.apply("ATRIOVENTRICULAR BLOCK SECOND DEGREE"), "Atrioventricular Block Second Degree");
        assert_eq!(TermCase::Sentence.apply("ECG QT prolonged"), "ECG QT prolonged");
        assert_eq!(TermCase::AsCoded.apply("RASH"), "RASH");
        assert_eq!(TermCase::Sentence.apply("2ND DEGREE BLOCK"), "2nd degree block");
    }
}

/// A descriptive summary of one variable in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// The arm (and, for by-responder summaries, the responder status: `acupuncture, responders`).
    pub group: String,
    #[serde(flatten)]
    pub subset: Subset,
    /// `baseline`, `follow-up`, `change`, `percent-change`, or a column or parameter name.
    pub variable: String,
    #[serde(flatten)]
    pub summary: Summary,
}

/// How text renderers present a report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    /// Title line, e.g. "acupuncture 7/1000 vs celecoxib 124/1000".
    pub title: String,
    /// Heading of the comparison table, e.g. "acupuncture vs celecoxib".
    pub comparison: String,
    /// Per-group rows: label, events (or other count) and denominator as printed.
    pub groups: Vec<GroupRow>,
    /// Person-time scale for rates (e.g. 100000 to print "per 100,000").
    pub rate_scale: Option<f64>,
    /// What "n" means in the group table ("n", "person-time").
    pub denominator_name: String,
    /// The shape of the text tables.
    pub table: TableKind,
    /// One sample (`prop`): its proportion is a "proportion", not a "risk" of a compared group.
    pub single_sample: bool,
    /// Unit of times (survival quantiles, landmarks, RMST): `days`, `months`, ...
    pub time_unit: Option<String>,
    /// The "favours" labels of a forest plot's two sides (below, above the null).
    pub favours: Option<[String; 2]>,
    /// How AE tables and plots print system organ classes and preferred terms.
    pub term_case: TermCase,
}

/// How system organ classes and preferred terms are printed (the data keep them as coded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TermCase {
    /// As in the file.
    #[default]
    AsCoded,
    /// A term written all in capitals ("APPLICATION SITE PRURITUS") in sentence case, as MedDRA
    /// spells terms ("Application site pruritus"); terms in mixed case stay as coded.
    Sentence,
    /// A term written all in capitals in title case ("Application Site Pruritus").
    Title,
}

impl TermCase {
    /// `term` as this case prints it. Only terms without a lower-case letter are changed: a term
    /// the file spells in mixed case ("ECG QT prolonged") is shown as coded.
    pub fn apply(self, term: &str) -> String {
        if self == TermCase::AsCoded || term.chars().any(char::is_lowercase) {
            return term.to_string();
        }
        let mut out = String::with_capacity(term.len());
        let mut word_start = true;
        let mut first = true;
        for c in term.chars() {
            let upper = match self {
                TermCase::Title => word_start,
                _ => first && c.is_alphabetic(),
            };
            if upper {
                out.push(c);
            } else {
                out.extend(c.to_lowercase());
            }
            if c.is_alphanumeric() {
                first = false;
            }
            word_start = !c.is_alphanumeric();
        }
        out
    }
}

/// The shape of a report's text tables, chosen by the analysis that made it (renderers never
/// look at the command's name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TableKind {
    /// Groups (if any), summaries, then one row per estimate.
    #[default]
    Standard,
    /// A table of stratum counts above the pooled estimates.
    Strata,
    /// One row per adverse-event term (or SOC) with every arm's counts and the comparisons.
    AeRows,
    /// A meta-analysis: the studies, then the pooled estimates, heterogeneity and the rest.
    Meta,
    /// Baseline characteristics by arm ("Table 1").
    Baseline,
}

/// A group as the user gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub label: String,
    pub count: String,
    pub denominator: String,
}

/// Which CI methods to report.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum MethodChoice {
    /// The recommended method of each measure (the first of [`Measure::methods`]).
    #[default]
    Recommended,
    /// Every method of every measure.
    All,
    /// The named methods, for each measure they apply to; measures none applies to use their
    /// recommended method.
    Named(Vec<Method>),
}

impl MethodChoice {
    /// Method names as the user wrote them (each entry may hold several, comma-separated; `all`
    /// for every method): none = each measure's recommended method. An unknown name is an
    /// error naming `key`, the closest method and every method.
    pub fn parse(key: &str, names: &[String]) -> Result<MethodChoice> {
        let mut list = Vec::new();
        for raw in names {
            for name in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if name.eq_ignore_ascii_case("all") {
                    return Ok(MethodChoice::All);
                }
                let lower = name.to_ascii_lowercase();
                match Method::from_name(&lower) {
                    Some(m) if !list.contains(&m) => list.push(m),
                    Some(_) => {}
                    None => {
                        let hint = crate::ingest::closest(&lower, Method::ALL.iter().map(|m| m.name())).map(|c| format!(" (did you mean '{c}'?)")).unwrap_or_default();
                        let all: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
                        return Err(Error::invalid(key, format!("'{name}'"), format!("a method name{hint}: {}, or all", all.join(", "))));
                    }
                }
            }
        }
        Ok(if list.is_empty() { MethodChoice::Recommended } else { MethodChoice::Named(list) })
    }

    /// The methods to report for `measure`.
    pub fn for_measure(&self, measure: Measure) -> Vec<Method> {
        match self {
            MethodChoice::Recommended => vec![measure.recommended()],
            MethodChoice::All => measure.methods().to_vec(),
            MethodChoice::Named(list) => {
                let chosen: Vec<Method> = measure.methods().iter().copied().filter(|m| list.contains(m)).collect();
                if chosen.is_empty() {
                    vec![measure.recommended()]
                } else {
                    chosen
                }
            }
        }
    }

    /// Check that every named method applies to at least one of `measures`.
    pub fn validate(&self, command: &str, measures: &[Measure]) -> Result<()> {
        if let MethodChoice::Named(list) = self {
            for m in list {
                if !measures.iter().any(|me| me.methods().contains(m)) {
                    let mut avail: Vec<&str> = measures.iter().flat_map(|me| me.methods().iter().map(|x| x.name())).collect();
                    avail.sort_unstable();
                    avail.dedup();
                    return Err(Error::invalid(
                        "--ci-method",
                        m.name(),
                        format!("a method of `{command}`: {}, or all", avail.join(", ")),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Each treatment against the control, the one arm-comparison routine of responders and
/// incidence: `compare(t)` is the two-group report of treatment `t` (of `shown`, the control
/// last). The per-group rows (`group_measure`: proportions or rates) come once per arm in arm
/// order, then the comparisons, each labelled "T vs C" when there are several treatments;
/// notes once each.
pub(crate) fn each_vs_control(shown: &[String], group_measure: crate::stats::Measure, mut compare: impl FnMut(usize) -> Result<Report>) -> Result<Report> {
    let c = shown.len() - 1;
    let mut merged: Option<Report> = None;
    let mut groups = vec![Vec::new(); shown.len()];
    let mut comparisons = Vec::new();
    for t in 0..c {
        let mut r = compare(t)?;
        let label = format!("{} vs {}", shown[t], shown[c]);
        for e in std::mem::take(&mut r.results) {
            if e.measure == group_measure {
                let k = if e.group.as_deref() == Some(shown[c].as_str()) { c } else { t };
                if k == t || t == 0 {
                    groups[k].push(e);
                }
            } else {
                comparisons.push(if c > 1 { e.with_group(label.as_str()) } else { e });
            }
        }
        merged = Some(merge_arm_report(merged, r));
    }
    let mut report = merged.ok_or_else(|| crate::error::Error::invalid("arms", "none", "at least two arms"))?;
    report.results = groups.into_iter().flatten().chain(comparisons).collect();
    Ok(report)
}

/// Merge the report of one more treatment-vs-control comparison into the report so far (the
/// multi-arm loops of responders and incidence): notes once each, the new arm's group row before
/// the control's. Results are assembled by the caller.
pub(crate) fn merge_arm_report(merged: Option<Report>, r: Report) -> Report {
    match merged {
        None => r,
        Some(mut m) => {
            for n in r.notes {
                if !m.notes.contains(&n) {
                    m.notes.push(n);
                }
            }
            if let Some(first) = r.layout.groups.first() {
                let g = m.layout.groups.len().saturating_sub(1);
                m.layout.groups.insert(g, first.clone());
            }
            m
        }
    }
}
